//! Writing, reading and verifying the audit chain.

use crate::{Result, Store, Tx, opt_i64, opt_str};
use qaward_core::audit::{ALGO, Break, Entry, Verifier, category, entry_hash};
use qaward_core::refusal::Refusal;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Who acts: a person in a role, or the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// Account id, none for the system.
    pub user_id: Option<i64>,
    /// Name as recorded.
    pub name: String,
    /// Role code, e.g. `city_office`, or `system`, `anonymous`.
    pub role: String,
}

impl Who {
    /// The system itself (the command line, the demo builder).
    pub fn system() -> Who {
        Who {
            user_id: None,
            name: "系统".into(),
            role: "system".into(),
        }
    }
    /// A person.
    pub fn user(id: i64, name: &str, role: &str) -> Who {
        Who {
            user_id: Some(id),
            name: name.into(),
            role: role.into(),
        }
    }
    /// A visitor without an account.
    pub fn anonymous(name: &str) -> Who {
        Who {
            user_id: None,
            name: name.into(),
            role: "anonymous".into(),
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Who.
    pub who: Who,
    /// award, admin or security.
    pub category: &'static str,
    /// What, e.g. `session.advance`.
    pub action: String,
    /// The kind of subject.
    pub subject_type: &'static str,
    /// Which one.
    pub subject_id: String,
    /// Its programme.
    pub programme_id: Option<i64>,
    /// The article a rule decided it under.
    pub article: Option<u32>,
    /// The document of that article.
    pub document: Option<String>,
    /// A line a person reads.
    pub summary: String,
    /// Details.
    pub detail: serde_json::Value,
    /// New state of the subject.
    pub new_state: Option<String>,
}

impl NewEntry {
    /// An entry about award work.
    pub fn award(
        who: &Who,
        action: &str,
        subject_type: &'static str,
        subject_id: impl ToString,
    ) -> Self {
        Self::new(who, category::AWARD, action, subject_type, subject_id)
    }
    /// An entry about accounts.
    pub fn admin(
        who: &Who,
        action: &str,
        subject_type: &'static str,
        subject_id: impl ToString,
    ) -> Self {
        Self::new(who, category::ADMIN, action, subject_type, subject_id)
    }
    /// An entry about security.
    pub fn security(
        who: &Who,
        action: &str,
        subject_type: &'static str,
        subject_id: impl ToString,
    ) -> Self {
        Self::new(who, category::SECURITY, action, subject_type, subject_id)
    }
    fn new(
        who: &Who,
        category: &'static str,
        action: &str,
        subject_type: &'static str,
        subject_id: impl ToString,
    ) -> Self {
        NewEntry {
            who: who.clone(),
            category,
            action: action.into(),
            subject_type,
            subject_id: subject_id.to_string(),
            programme_id: None,
            article: None,
            document: None,
            summary: String::new(),
            detail: serde_json::Value::Object(Default::default()),
            new_state: None,
        }
    }
    /// Of programme `p`.
    pub fn programme(mut self, p: i64) -> Self {
        self.programme_id = Some(p);
        self
    }
    /// With a readable line.
    pub fn summary(mut self, s: impl Into<String>) -> Self {
        self.summary = s.into();
        self
    }
    /// With details.
    pub fn detail(mut self, d: serde_json::Value) -> Self {
        self.detail = d;
        self
    }
    /// Decided under `article` of `document`.
    pub fn article(mut self, article: Option<u32>, document: &str) -> Self {
        self.article = article;
        self.document = article.map(|_| document.to_owned());
        self
    }
    /// Resulting state.
    pub fn state(mut self, s: impl Into<String>) -> Self {
        self.new_state = Some(s.into());
        self
    }
    /// A refusal, recorded with its article and reason.
    pub fn refused(self, r: &Refusal) -> Self {
        let mut e = self
            .article(r.article, &r.document.name)
            .summary(r.message_zh());
        e.detail = serde_json::json!({ "refused": r.code, "reason": r.zh });
        e
    }
}

/// The chain's head inside a writing transaction: read with the write lock, moved by each
/// entry appended, written back once at commit.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    /// Last entry's seq.
    pub seq: i64,
    /// Last entry's hash.
    pub hash: String,
    /// The head's time: no entry is dated before it.
    pub at: i64,
    /// Entries were appended.
    pub moved: bool,
}

pub(crate) async fn append(tx: &mut Tx, e: NewEntry) -> Result<i64> {
    let prev_seq = tx.head.seq;
    let prev_hash = tx.head.hash.clone();
    let at = if tx.backdating {
        tx.now()
    } else {
        tx.now().max(tx.head.at)
    };
    let mut entry = Entry {
        seq: prev_seq + 1,
        at,
        actor_id: e.who.user_id,
        actor_name: e.who.name,
        role: e.who.role,
        category: e.category.to_owned(),
        action: e.action,
        subject_type: e.subject_type.to_owned(),
        subject_id: e.subject_id,
        programme_id: e.programme_id,
        article: e.article.map(i64::from),
        document: e.document,
        summary: e.summary,
        detail: e.detail.to_string(),
        new_state: e.new_state,
        algo: ALGO.to_owned(),
        prev_hash: prev_hash.clone(),
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry, &prev_hash);
    insert_raw(tx.conn(), &entry).await?;
    tx.head = Head {
        seq: entry.seq,
        hash: entry.hash,
        at,
        moved: true,
    };
    Ok(entry.seq)
}

/// Write the head back, if entries were appended.
pub(crate) async fn store_head(tx: &mut Tx) -> Result<()> {
    if !tx.head.moved {
        return Ok(());
    }
    let (seq, hash) = (tx.head.seq, tx.head.hash.clone());
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(hash)
        .execute(tx.conn())
        .await?;
    tx.head.moved = false;
    Ok(())
}

/// Insert an entry exactly as given (used by `append` and by restore).
pub async fn insert_raw(conn: &mut sqlx::AnyConnection, e: &Entry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, role, category, action, subject_type, subject_id, programme_id, article, document, summary, detail, new_state, algo, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)",
    )
    .bind(e.seq)
    .bind(e.at)
    .bind(e.actor_id)
    .bind(&e.actor_name)
    .bind(&e.role)
    .bind(&e.category)
    .bind(&e.action)
    .bind(&e.subject_type)
    .bind(&e.subject_id)
    .bind(e.programme_id)
    .bind(e.article)
    .bind(&e.document)
    .bind(&e.summary)
    .bind(&e.detail)
    .bind(&e.new_state)
    .bind(&e.algo)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(conn)
    .await?;
    Ok(())
}

fn entry_from(r: &AnyRow) -> Entry {
    Entry {
        seq: r.get("seq"),
        at: r.get("at"),
        actor_id: opt_i64(r, "actor_id"),
        actor_name: r.get("actor_name"),
        role: r.get("role"),
        category: r.get("category"),
        action: r.get("action"),
        subject_type: r.get("subject_type"),
        subject_id: r.get("subject_id"),
        programme_id: opt_i64(r, "programme_id"),
        article: opt_i64(r, "article"),
        document: opt_str(r, "document"),
        summary: r.get("summary"),
        detail: r.get("detail"),
        new_state: opt_str(r, "new_state"),
        algo: r.get("algo"),
        prev_hash: r.get("prev_hash"),
        hash: r.get("hash"),
    }
}

const COLS: &str = "seq, at, actor_id, actor_name, role, category, action, subject_type, subject_id, programme_id, article, document, summary, detail, new_state, algo, prev_hash, hash";

/// The outcome of a verification.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Entries checked.
    pub entries: u64,
    /// The last hash.
    pub head_hash: String,
}

/// A filter for reading the log.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these categories.
    pub categories: Vec<&'static str>,
    /// Only this programme.
    pub programme_id: Option<i64>,
    /// Only actions starting with this.
    pub action_prefix: Option<String>,
    /// Only entries before this seq (paging backwards).
    pub before_seq: Option<i64>,
    /// How many at most.
    pub limit: i64,
}

/// A search of the log: a [`Filter`] and the viewer's further conditions (R-SUP-3).
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Categories, programme, action prefix, paging, limit.
    pub base: Filter,
    /// Only entries at or after this instant (µs).
    pub from_us: Option<i64>,
    /// Only entries before this instant (µs).
    pub until_us: Option<i64>,
    /// Only entries whose actor's name contains this.
    pub actor: Option<String>,
    /// Only entries decided under this article.
    pub article: Option<i64>,
    /// Only entries about this kind of subject (`application`, `session`, `expert`…).
    pub subject_type: Option<String>,
    /// Only entries about this subject id.
    pub subject_id: Option<String>,
    /// Only entries whose summary contains this.
    pub text: Option<String>,
}

impl Store {
    /// Record a rule's refusal, with its article and reason, in its own transaction, and return
    /// it as the error to show. Call it with no writing transaction open.
    pub async fn refused(&self, entry: NewEntry, r: Refusal, now: jiff::Timestamp) -> crate::Error {
        let logged = async {
            let mut tx = self.write(now).await?;
            tx.audit(entry.refused(&r)).await?;
            tx.commit().await
        }
        .await;
        match logged {
            Ok(()) => crate::Error::Refused(r),
            Err(e) => e,
        }
    }

    /// Walk the whole chain in order and check every link, then the head.
    pub async fn verify_audit(&self) -> Result<Result<Verified, Break>> {
        let mut v = Verifier::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 2000"
            )))
            .bind(after)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = entry_from(r);
                after = e.seq;
                if let Err(b) = v.push(&e) {
                    return Ok(Err(b));
                }
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        if let Err(b) = v.finish(head.get("seq"), &head.get::<String, _>("hash")) {
            return Ok(Err(b));
        }
        Ok(Ok(Verified {
            entries: v.checked,
            head_hash: v.last_hash().to_owned(),
        }))
    }

    /// Entries, newest first, matching `f`.
    pub async fn audit_entries(&self, f: &Filter) -> Result<Vec<Entry>> {
        self.audit_search(&Search {
            base: f.clone(),
            ..Search::default()
        })
        .await
    }

    /// Entries, newest first, matching `s`: every condition is part of the query, so a page
    /// of the filtered log is read from the database, not filtered afterwards.
    pub async fn audit_search(&self, s: &Search) -> Result<Vec<Entry>> {
        let f = &s.base;
        let mut sql = format!("SELECT {COLS} FROM audit_log WHERE 1 = 1");
        let mut n = 0;
        let mut p = || {
            n += 1;
            format!("${n}")
        };
        if !f.categories.is_empty() {
            let list: Vec<String> = f
                .categories
                .iter()
                .map(|c| format!("'{}'", c.replace('\'', "")))
                .collect();
            sql.push_str(&format!(" AND category IN ({})", list.join(",")));
        }
        if f.programme_id.is_some() {
            sql.push_str(&format!(" AND programme_id = {}", p()));
        }
        if f.action_prefix.is_some() {
            sql.push_str(&format!(" AND action LIKE {}", p()));
        }
        if f.before_seq.is_some() {
            sql.push_str(&format!(" AND seq < {}", p()));
        }
        if s.from_us.is_some() {
            sql.push_str(&format!(" AND at >= {}", p()));
        }
        if s.until_us.is_some() {
            sql.push_str(&format!(" AND at < {}", p()));
        }
        if s.actor.is_some() {
            sql.push_str(&format!(" AND actor_name LIKE {}", p()));
        }
        if s.article.is_some() {
            sql.push_str(&format!(" AND article = {}", p()));
        }
        if s.subject_type.is_some() {
            sql.push_str(&format!(" AND subject_type = {}", p()));
        }
        if s.subject_id.is_some() {
            sql.push_str(&format!(" AND subject_id = {}", p()));
        }
        if s.text.is_some() {
            sql.push_str(&format!(" AND summary LIKE {}", p()));
        }
        sql.push_str(&format!(
            " ORDER BY seq DESC LIMIT {}",
            f.limit.clamp(1, 10_000)
        ));
        let like = |v: &str| format!("%{}%", v.replace(['%', '_'], ""));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(pid) = f.programme_id {
            q = q.bind(pid);
        }
        if let Some(a) = &f.action_prefix {
            q = q.bind(format!("{}%", a.replace(['%', '_'], "")));
        }
        if let Some(b) = f.before_seq {
            q = q.bind(b);
        }
        if let Some(v) = s.from_us {
            q = q.bind(v);
        }
        if let Some(v) = s.until_us {
            q = q.bind(v);
        }
        if let Some(v) = &s.actor {
            q = q.bind(like(v));
        }
        if let Some(v) = s.article {
            q = q.bind(v);
        }
        if let Some(v) = &s.subject_type {
            q = q.bind(v.clone());
        }
        if let Some(v) = &s.subject_id {
            q = q.bind(v.clone());
        }
        if let Some(v) = &s.text {
            q = q.bind(like(v));
        }
        Ok(q.fetch_all(self.pool())
            .await?
            .iter()
            .map(entry_from)
            .collect())
    }

    /// The head of the chain: (seq, hash).
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok((r.get("seq"), r.get("hash")))
    }

    /// The number of entries in the chain.
    pub async fn audit_len(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?
            .get(0))
    }
}

/// The last line of an anchor file, if any (read from its tail).
fn last_anchor_line(path: &std::path::Path) -> std::io::Result<Option<String>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    let from = len.saturating_sub(8192);
    f.seek(SeekFrom::Start(from))?;
    let mut tail = String::new();
    f.read_to_string(&mut tail)?;
    Ok(tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_owned))
}

/// How the log stands against an anchor file.
#[derive(Debug, Clone)]
pub struct AnchorCheck {
    /// Lines of the anchor file.
    pub anchors: usize,
    /// The last anchored head: (entries, hash, when).
    pub last: Option<(i64, String, String)>,
    /// Entries of the log now.
    pub entries: u64,
}

impl Store {
    /// Append the chain's head to the anchor file `path`, signed with `key` and linked to the
    /// file's last line. Nothing is written when the head is the one last anchored. Returns
    /// the line written.
    pub async fn anchor_audit(
        &self,
        path: &std::path::Path,
        key: &[u8],
        now: jiff::Timestamp,
    ) -> Result<Option<qaward_core::anchor::Anchor>> {
        use qaward_core::anchor::Anchor;
        use std::io::Write;
        let (seq, hash) = self.audit_head().await?;
        let fail = |e: std::io::Error| crate::Error::Other(format!("{}: {e}", path.display()));
        let last: Option<Anchor> = match last_anchor_line(path).map_err(fail)? {
            Some(l) => Some(serde_json::from_str(&l).map_err(|_| {
                crate::Error::Other(format!(
                    "{}: 最后一行不是锚定记录 / the last line is not an anchor",
                    path.display()
                ))
            })?),
            None => None,
        };
        if last
            .as_ref()
            .is_some_and(|a| a.seq == seq && a.hash == hash)
        {
            return Ok(None);
        }
        let prev = last.map(|a| a.mac).unwrap_or_default();
        let a = Anchor::sign(key, &now.to_string(), seq, &hash, &prev);
        let line = serde_json::to_string(&a).map_err(|e| crate::Error::Other(e.to_string()))?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(fail)?;
        f.write_all(format!("{line}\n").as_bytes()).map_err(fail)?;
        f.sync_all().map_err(fail)?;
        Ok(Some(a))
    }

    /// Verify the chain, then check it against the anchor file's text `text` under `key`: a
    /// cut or rewritten tail, or an edited anchor file, is the fault returned.
    pub async fn verify_anchored(
        &self,
        text: &str,
        key: &[u8],
    ) -> Result<Result<AnchorCheck, String>> {
        use qaward_core::anchor::{check, read_anchors};
        let v = match self.verify_audit().await? {
            Ok(v) => v,
            Err(b) => {
                return Ok(Err(format!(
                    "审计日志哈希链校验失败：第{}条记录，{} / {b}",
                    b.seq, b.zh
                )));
            }
        };
        let anchors = match read_anchors(text, key) {
            Ok(a) => a,
            Err(f) => return Ok(Err(format!("{} / {}", f.zh(), f.en()))),
        };
        let mut seqs: Vec<i64> = anchors.iter().map(|a| a.seq).filter(|s| *s > 0).collect();
        seqs.sort_unstable();
        seqs.dedup();
        let mut hashes = std::collections::HashMap::new();
        for chunk in seqs.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            for r in sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT seq, hash FROM audit_log WHERE seq IN ({})",
                list.join(",")
            )))
            .fetch_all(self.pool())
            .await?
            {
                hashes.insert(r.get::<i64, _>("seq"), r.get::<String, _>("hash"));
            }
        }
        let entries = i64::try_from(v.entries).unwrap_or(i64::MAX);
        if let Err(f) = check(&anchors, entries, |s| hashes.get(&s).cloned()) {
            return Ok(Err(format!("{} / {}", f.zh(), f.en())));
        }
        Ok(Ok(AnchorCheck {
            anchors: anchors.len(),
            last: anchors
                .last()
                .map(|a| (a.seq, a.hash.clone(), a.at.clone())),
            entries: v.entries,
        }))
    }
}

/// The last line of the anchor file at `path`, as written (not checked), for pages and
/// exports that show where the log was last anchored.
pub fn last_anchor(path: &std::path::Path) -> Option<qaward_core::anchor::Anchor> {
    last_anchor_line(path)
        .ok()
        .flatten()
        .and_then(|l| serde_json::from_str(&l).ok())
}

impl Store {
    /// The hash of entry `seq`, if the log has it.
    pub async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.get::<String, _>(0)))
    }
}
