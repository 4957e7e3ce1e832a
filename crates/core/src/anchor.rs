//! Anchoring the audit chain outside the database.
//!
//! The chain shows any entry altered, inserted or removed in the middle, but someone able to
//! write the database can cut its tail together with the head row. So the head — how many
//! entries and the last hash — is written now and then to an append-only *anchor file*, each
//! line signed (HMAC-SHA256) with a key the database does not hold, and each line's signature
//! covering the one before it. Checking the log against the anchor file then finds a tail that
//! was cut (an anchored entry no longer there) or rewritten (an anchored entry with another
//! hash), and an anchor file that was edited (a signature that does not verify).

use sha2::{Digest, Sha256};

/// The format of a line.
pub const FORMAT: &str = "qaward-anchor/1";

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// One line of the anchor file: the chain's head at a moment, signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    /// [`FORMAT`].
    pub format: String,
    /// When it was written (RFC 3339, UTC).
    pub at: String,
    /// Entries in the chain then.
    pub seq: i64,
    /// The hash of entry `seq` (the chain's head).
    pub hash: String,
    /// The signature of the line before (empty for the first line).
    pub prev_mac: String,
    /// HMAC-SHA256 of the fields above, hex.
    pub mac: String,
}

impl Anchor {
    fn message(at: &str, seq: i64, hash: &str, prev_mac: &str) -> String {
        format!("{FORMAT}\n{at}\n{seq}\n{hash}\n{prev_mac}")
    }

    /// A new line for head (`seq`, `hash`) at `at`, after the line whose signature is
    /// `prev_mac`.
    pub fn sign(key: &[u8], at: &str, seq: i64, hash: &str, prev_mac: &str) -> Anchor {
        let mac = hex::encode(hmac_sha256(
            key,
            Self::message(at, seq, hash, prev_mac).as_bytes(),
        ));
        Anchor {
            format: FORMAT.into(),
            at: at.into(),
            seq,
            hash: hash.into(),
            prev_mac: prev_mac.into(),
            mac,
        }
    }

    /// Whether the signature verifies under `key` (compared in full).
    pub fn verifies(&self, key: &[u8]) -> bool {
        let want = hex::encode(hmac_sha256(
            key,
            Self::message(&self.at, self.seq, &self.hash, &self.prev_mac).as_bytes(),
        ));
        self.format == FORMAT
            && want.len() == self.mac.len()
            && want
                .bytes()
                .zip(self.mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// A key from the text of a key file: 64 hex digits (32 bytes), surrounding space ignored.
pub fn parse_key(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    match hex::decode(t) {
        Ok(k) if k.len() >= 32 => Ok(k),
        _ => {
            Err("锚定密钥文件应为64位十六进制数字 / the anchor key file holds 64 hex digits".into())
        }
    }
}

/// What is wrong between the anchor file and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorFault {
    /// Line `line` (1-based) is not an anchor, or its signature does not verify, or it does
    /// not follow the line before: the anchor file was edited, or the key is another.
    BadLine {
        /// Line number.
        line: usize,
    },
    /// The log ends at entry `now` but entry `anchored` was anchored: its tail was cut.
    Truncated {
        /// The anchored count.
        anchored: i64,
        /// Entries now.
        now: i64,
    },
    /// Entry `seq` has another hash than the one anchored: the log was rewritten.
    Rewritten {
        /// The entry.
        seq: i64,
    },
}

impl AnchorFault {
    /// In Chinese.
    pub fn zh(&self) -> String {
        match self {
            AnchorFault::BadLine { line } => format!(
                "锚定文件第{line}行无法验证（签名不符或与上一行不衔接）：锚定文件被改动，或密钥不对"
            ),
            AnchorFault::Truncated { anchored, now } => {
                format!("审计日志已锚定到第{anchored}条，但现在只有{now}条：日志末尾被删除")
            }
            AnchorFault::Rewritten { seq } => {
                format!("第{seq}条记录的哈希与锚定的不同：日志被改写")
            }
        }
    }
    /// In English.
    pub fn en(&self) -> String {
        match self {
            AnchorFault::BadLine { line } => format!(
                "line {line} of the anchor file does not verify (signature, or link to the line before): the file was edited, or the key is not the one it was written with"
            ),
            AnchorFault::Truncated { anchored, now } => format!(
                "the log was anchored at entry {anchored} but now holds {now}: its tail was cut"
            ),
            AnchorFault::Rewritten { seq } => {
                format!("entry {seq} has another hash than the one anchored: the log was rewritten")
            }
        }
    }
}

/// Read the anchor file's text and check each line's signature and link; returns the lines.
pub fn read_anchors(text: &str, key: &[u8]) -> Result<Vec<Anchor>, AnchorFault> {
    let mut out: Vec<Anchor> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let bad = AnchorFault::BadLine { line: i + 1 };
        let a: Anchor = serde_json::from_str(l).map_err(|_| bad.clone())?;
        let prev = out.last().map_or("", |p| p.mac.as_str());
        if !a.verifies(key) || a.prev_mac != prev || out.last().is_some_and(|p| a.seq < p.seq) {
            return Err(bad);
        }
        out.push(a);
    }
    Ok(out)
}

/// Check the anchors against the log: `entries` in it now, and `hash_of(seq)` the hash of an
/// entry (None when the log has no such entry).
pub fn check(
    anchors: &[Anchor],
    entries: i64,
    mut hash_of: impl FnMut(i64) -> Option<String>,
) -> Result<(), AnchorFault> {
    for a in anchors {
        if a.seq == 0 {
            continue;
        }
        if a.seq > entries {
            return Err(AnchorFault::Truncated {
                anchored: a.seq,
                now: entries,
            });
        }
        match hash_of(a.seq) {
            Some(h) if h == a.hash => {}
            Some(_) => return Err(AnchorFault::Rewritten { seq: a.seq }),
            None => {
                return Err(AnchorFault::Truncated {
                    anchored: a.seq,
                    now: entries,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    fn file(key: &[u8], heads: &[(i64, &str)]) -> String {
        let mut prev = String::new();
        let mut out = String::new();
        for (seq, hash) in heads {
            let a = Anchor::sign(key, "2026-11-25T02:00:00Z", *seq, hash, &prev);
            prev = a.mac.clone();
            out.push_str(&serde_json::to_string(&a).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    #[test]
    fn a_cut_or_rewritten_tail_and_an_edited_file_are_found() {
        let key = [7u8; 32];
        let text = file(&key, &[(3, "c"), (5, "e")]);
        let anchors = read_anchors(&text, &key).unwrap_or_default();
        assert_eq!(anchors.len(), 2);
        let log = ["a", "b", "c", "d", "e"];
        let of = |n: usize| {
            move |s: i64| {
                log.get(s as usize - 1)
                    .filter(|_| s as usize <= n)
                    .map(|h| (*h).to_owned())
            }
        };
        assert_eq!(check(&anchors, 5, of(5)), Ok(()));
        assert_eq!(
            check(&anchors, 4, of(4)),
            Err(AnchorFault::Truncated {
                anchored: 5,
                now: 4
            })
        );
        assert_eq!(
            check(&anchors, 5, |s| Some(if s == 3 {
                "x".into()
            } else {
                log[s as usize - 1].into()
            })),
            Err(AnchorFault::Rewritten { seq: 3 })
        );
        // Another key, an edited count, a line taken out: each is a bad line.
        assert_eq!(
            read_anchors(&text, &[8u8; 32]),
            Err(AnchorFault::BadLine { line: 1 })
        );
        let edited = text.replacen("\"seq\":5", "\"seq\":4", 1);
        assert_eq!(
            read_anchors(&edited, &key),
            Err(AnchorFault::BadLine { line: 2 })
        );
        let second_only: String = text.lines().skip(1).collect();
        assert_eq!(
            read_anchors(&second_only, &key),
            Err(AnchorFault::BadLine { line: 1 })
        );
    }

    #[test]
    fn a_key_file_holds_64_hex_digits() {
        assert_eq!(
            parse_key(&format!(" {}\n", "ab".repeat(32))).map(|k| k.len()),
            Ok(32)
        );
        assert!(parse_key("short").is_err());
    }
}
