//! The audit chain: each entry's hash covers its content and the previous entry's hash, so an
//! edited, removed or inserted entry breaks the chain at the first entry it touches (R-SUP-3).

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash algorithm of new entries; stored per entry so another (e.g. SM3) can follow.
pub const ALGO: &str = "sha256";

/// Categories of entries: award work, accounts administration, and security events.
pub mod category {
    /// Award data: programmes, rule sets, sessions, applications, reviews…
    pub const AWARD: &str = "award";
    /// Accounts and roles (system administrator).
    pub const ADMIN: &str = "admin";
    /// Logins, lockouts, security settings (security administrator).
    pub const SECURITY: &str = "security";
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, in microseconds since the Unix epoch (UTC).
    pub at: i64,
    /// Who (user id), if a person.
    pub actor_id: Option<i64>,
    /// Who, as shown.
    pub actor_name: String,
    /// In which role.
    pub role: String,
    /// award, admin or security.
    pub category: String,
    /// What, e.g. `session.advance`.
    pub action: String,
    /// The kind of thing acted on, e.g. `session`.
    pub subject_type: String,
    /// Which one.
    pub subject_id: String,
    /// The programme it belongs to, if any.
    pub programme_id: Option<i64>,
    /// The article a rule decided it under, if any.
    pub article: Option<i64>,
    /// The rule set document the article belongs to.
    pub document: Option<String>,
    /// One line a person can read.
    pub summary: String,
    /// Details as JSON text.
    pub detail: String,
    /// The new state of the subject, if it has one.
    pub new_state: Option<String>,
    /// Hash algorithm.
    pub algo: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

/// The hash of `entry` chained on `prev_hash` (the `hash` field itself is not covered).
pub fn entry_hash(entry: &Entry, prev_hash: &str) -> String {
    let content = serde_json::json!([
        entry.seq,
        entry.at,
        entry.actor_id,
        entry.actor_name,
        entry.role,
        entry.category,
        entry.action,
        entry.subject_type,
        entry.subject_id,
        entry.programme_id,
        entry.article,
        entry.document,
        entry.summary,
        entry.detail,
        entry.new_state,
        entry.algo,
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first entry that does not verify.
    pub seq: i64,
    /// Why, in Chinese.
    pub zh: String,
    /// Why, in English.
    pub en: String,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {}: {} / {}", self.seq, self.en, self.zh)
    }
}

/// Checks entries one by one, in `seq` order, keeping only the previous hash.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    /// How many entries verified so far.
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_owned(),
            checked: 0,
        }
    }
}

impl Verifier {
    /// Check the next entry.
    pub fn push(&mut self, e: &Entry) -> Result<(), Break> {
        let brk = |zh: String, en: String| Break { seq: e.seq, zh, en };
        if e.seq != self.expected_seq {
            return Err(if e.seq > self.expected_seq {
                Break {
                    seq: self.expected_seq,
                    zh: format!("第{}条记录缺失（下一条为第{}条）", self.expected_seq, e.seq),
                    en: format!(
                        "entry {} is missing (the next one is {})",
                        self.expected_seq, e.seq
                    ),
                }
            } else {
                brk(
                    format!("记录序号乱序（应为第{}条）", self.expected_seq),
                    format!("out of order (expected entry {})", self.expected_seq),
                )
            });
        }
        if e.algo != ALGO {
            return Err(brk(
                format!("未知的哈希算法 {}", e.algo),
                format!("unknown hash algorithm {}", e.algo),
            ));
        }
        if e.prev_hash != self.prev_hash {
            return Err(brk(
                "前一条记录的哈希不符：记录被插入、删除或篡改".into(),
                "previous-hash mismatch: an entry was inserted, removed or altered".into(),
            ));
        }
        if entry_hash(e, &self.prev_hash) != e.hash {
            return Err(brk(
                "记录内容与其哈希不符：记录被篡改".into(),
                "content does not match its hash: the entry was altered".into(),
            ));
        }
        self.prev_hash = e.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Check the end of the chain against the recorded head (last seq and hash).
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), Break> {
        let last = self.expected_seq - 1;
        if head_seq != last || head_hash != self.prev_hash {
            return Err(Break {
                seq: last.min(head_seq) + 1,
                zh: format!(
                    "链尾与记录的链头不符（链头为第{head_seq}条，实际最后一条为第{last}条）：末尾记录被删除或追加"
                ),
                en: format!(
                    "the chain ends at entry {last} but its head says {head_seq}: entries were removed from or added to the end"
                ),
            });
        }
        Ok(())
    }

    /// The hash of the last verified entry.
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    at: seq * 1000,
                    actor_id: Some(1),
                    actor_name: "张三".into(),
                    role: "city_office".into(),
                    category: category::AWARD.into(),
                    action: "session.advance".into(),
                    subject_type: "session".into(),
                    subject_id: "1".into(),
                    programme_id: Some(1),
                    article: Some(18),
                    document: Some("清远市政府质量奖管理办法".into()),
                    summary: "推进阶段".into(),
                    detail: "{}".into(),
                    new_state: Some("public_notice".into()),
                    algo: ALGO.into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e, &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(es: &[Entry]) -> Result<(), Break> {
        let mut v = Verifier::default();
        for e in es {
            v.push(e)?;
        }
        let last = es
            .last()
            .map(|e| (e.seq, e.hash.clone()))
            .unwrap_or((0, GENESIS.into()));
        v.finish(last.0, &last.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert!(verify(&chain(5)).is_ok());
        assert!(verify(&[]).is_ok());
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut es = chain(5);
        es[2].summary = "改过".into();
        assert_eq!(verify(&es).unwrap_err().seq, 3);
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut es = chain(5);
        es.remove(1);
        assert_eq!(verify(&es).unwrap_err().seq, 2);
    }

    #[test]
    fn a_removed_last_entry_is_caught_by_the_head() {
        let es = chain(5);
        let mut v = Verifier::default();
        for e in &es[..4] {
            v.push(e).unwrap();
        }
        assert_eq!(v.finish(5, &es[4].hash).unwrap_err().seq, 5);
    }
}
