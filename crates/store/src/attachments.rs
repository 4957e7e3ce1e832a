//! Attachments: evidence files of an application and the county's sealed recommendation
//! letter. Bodies are streamed to the file store while their SHA-256 is computed, typed by
//! their content (PDF, JPG, PNG — never by their name), and kept under their hash; the
//! database keeps who uploaded what, when, and whether it was removed (never deleted).

use crate::{Error, NewEntry, Result, Store, Who, opt_i64};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// The kinds of evidence an application carries: (code, Chinese, English, required).
pub const KINDS: [(&str, &str, &str, bool); 8] = [
    ("business_licence", "营业执照", "Business licence", true),
    (
        "financial",
        "近三年财务审计报告",
        "Audited financial statements, last three years",
        true,
    ),
    (
        "certification",
        "管理体系认证证书",
        "Management-system certificates",
        false,
    ),
    (
        "spot_check",
        "质量监督抽查报告",
        "Quality spot-check reports",
        false,
    ),
    ("honours", "荣誉证书", "Honours", false),
    ("credit", "信用报告", "Credit report", false),
    (
        "internal_notice",
        "单位内部公示证明",
        "Proof of the internal notice",
        false,
    ),
    ("other", "其他证明材料", "Other evidence", false),
];

/// The kind of the county's sealed recommendation letter.
pub const COUNTY_LETTER: &str = "county_letter";

/// A stored attachment.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// Application.
    pub application_id: i64,
    /// Kind code.
    pub kind: String,
    /// Name as uploaded.
    pub filename: String,
    /// Type by content.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256.
    pub sha256: String,
    /// Uploaded (µs).
    pub uploaded_at: i64,
    /// Removed (µs).
    pub removed_at: Option<i64>,
}

/// The type of a file from its first bytes, if it is one we accept.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// Where file bodies live: `root/ab/cdef…` by SHA-256.
#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
}

/// A body written to the file store, not yet recorded.
#[derive(Debug, Clone)]
pub struct Written {
    /// SHA-256.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// Type by content.
    pub mime: &'static str,
}

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// Not PDF, JPG or PNG by content.
    Type,
    /// Over the per-file limit.
    TooLarge(u64),
    /// Empty.
    Empty,
}

/// Receives a body chunk by chunk.
pub struct Sink {
    tmp: PathBuf,
    file: tokio::fs::File,
    hash: Sha256,
    size: u64,
    head: Vec<u8>,
    limit: u64,
    root: PathBuf,
}

impl Files {
    /// The file store under `root`.
    pub fn new(root: &Path) -> Files {
        Files {
            root: root.to_owned(),
        }
    }

    /// Start receiving a body of at most `limit` bytes.
    pub async fn sink(&self, limit: u64) -> std::io::Result<Sink> {
        let tmpdir = self.root.join("tmp");
        tokio::fs::create_dir_all(&tmpdir).await?;
        let tmp = tmpdir.join(format!("upload-{}", crate::accounts::random_token()));
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(Sink {
            tmp,
            file,
            hash: Sha256::new(),
            size: 0,
            head: Vec::new(),
            limit,
            root: self.root.clone(),
        })
    }

    /// A working file `name` under the store's `tmp` directory (created when missing), for
    /// a body written by the server itself and moved in with [`Files::adopt`].
    pub fn temp(&self, name: &str) -> std::io::Result<PathBuf> {
        let dir = self.root.join("tmp");
        std::fs::create_dir_all(&dir)?;
        Ok(dir.join(name))
    }

    /// Move the finished working file `tmp` into the store under its SHA-256, which is
    /// computed by reading it once; returns the hash and the size.
    pub fn adopt(&self, tmp: &Path) -> std::io::Result<(String, u64)> {
        use std::io::Read;
        let mut f = std::fs::File::open(tmp)?;
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
            size += n as u64;
        }
        let sha256 = hex::encode(hash.finalize());
        let to = self.path(&sha256);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(tmp, &to)?;
        Ok((sha256, size))
    }

    /// The path of a body.
    pub fn path(&self, sha256: &str) -> PathBuf {
        let (a, b) = sha256.split_at(2.min(sha256.len()));
        self.root.join(a).join(b)
    }
}

impl Sink {
    /// Take the next chunk.
    pub async fn push(
        &mut self,
        chunk: &[u8],
    ) -> std::io::Result<std::result::Result<(), UploadError>> {
        if self.head.len() < 16 {
            self.head.extend(chunk.iter().take(16 - self.head.len()));
            if self.head.len() >= 8 && sniff(&self.head).is_none() {
                return Ok(Err(UploadError::Type));
            }
        }
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Ok(Err(UploadError::TooLarge(self.limit)));
        }
        self.hash.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(Ok(()))
    }

    /// Finish: flushed to disk and moved under its hash.
    pub async fn finish(mut self) -> std::io::Result<std::result::Result<Written, UploadError>> {
        if self.size == 0 {
            let _ = tokio::fs::remove_file(&self.tmp).await;
            return Ok(Err(UploadError::Empty));
        }
        let Some(mime) = sniff(&self.head) else {
            let _ = tokio::fs::remove_file(&self.tmp).await;
            return Ok(Err(UploadError::Type));
        };
        self.file.flush().await?;
        self.file.sync_all().await?;
        let sha256 = hex::encode(self.hash.finalize_reset());
        let (a, b) = sha256.split_at(2);
        let dir = self.root.join(a);
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::rename(&self.tmp, dir.join(b)).await?;
        Ok(Ok(Written {
            sha256,
            size: self.size,
            mime,
        }))
    }

    /// Give up: the partial body is removed.
    pub async fn abandon(self) {
        let _ = tokio::fs::remove_file(&self.tmp).await;
    }
}

fn from_row(r: &sqlx::any::AnyRow) -> Attachment {
    Attachment {
        id: r.get("id"),
        application_id: r.get("application_id"),
        kind: r.get("kind"),
        filename: r.get("filename"),
        mime: r.get("mime"),
        size: r.get("size"),
        sha256: r.get("sha256"),
        uploaded_at: r.get("uploaded_at"),
        removed_at: opt_i64(r, "removed_at"),
    }
}

/// An upload to record.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    /// Application.
    pub application_id: i64,
    /// Kind code.
    pub kind: &'a str,
    /// Name as uploaded.
    pub filename: &'a str,
    /// The body written.
    pub written: &'a Written,
    /// Per-application total limit.
    pub max_total: u64,
    /// Refuse unless the applicant may still edit.
    pub editable_only: bool,
}

const COLS: &str =
    "id, application_id, kind, filename, mime, size, sha256, uploaded_at, removed_at";

impl Store {
    /// Record a written body as an attachment of `application_id`, within the per-application
    /// total `max_total`. `editable_only` refuses it unless the applicant may still edit.
    pub async fn add_attachment(
        &self,
        who: &Who,
        n: &NewAttachment<'_>,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let (application_id, kind, filename, w, max_total, editable_only) = (
            n.application_id,
            n.kind,
            n.filename,
            n.written,
            n.max_total,
            n.editable_only,
        );
        let a = self.application(application_id).await?;
        if editable_only && !a.status.editable() {
            return Err(self
                .refused(
                    NewEntry::award(who, "attachment.add.refused", "application", application_id)
                        .programme(a.programme_id),
                    qaward_core::refusal::Refusal::new(
                        "read_only",
                        Some(12),
                        (
                            "清远市政府质量奖管理办法",
                            "Qingyuan City Government Quality Award Management Measures",
                        ),
                        format!("申报材料{}，不能再上传或删除证明材料。", a.status.zh()),
                        "The application can no longer be changed.",
                    ),
                    now,
                )
                .await);
        }
        let valid_kind = KINDS.iter().any(|(k, ..)| *k == kind) || kind == COUNTY_LETTER;
        if !valid_kind {
            return Err(Error::invalid(
                "kind",
                "请选择材料类别。",
                "Choose the kind of evidence.",
            ));
        }
        let name: String = filename
            .chars()
            .filter(|c| !c.is_control() && !"/\\".contains(*c))
            .take(120)
            .collect();
        let name = if name.trim().is_empty() {
            "file".to_owned()
        } else {
            name
        };
        let mut tx = self.write(now).await?;
        let used: i64 = sqlx::query("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE application_id = $1 AND removed_at IS NULL")
            .bind(application_id)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        let size = i64::try_from(w.size).unwrap_or(i64::MAX);
        if u64::try_from(used + size).unwrap_or(u64::MAX) > max_total {
            return Err(Error::invalid(
                "file",
                format!(
                    "每份申报的证明材料合计不能超过{}MB，已用{}MB。",
                    max_total / 1_048_576,
                    used / 1_048_576
                ),
                format!(
                    "Evidence is limited to {} MB per application.",
                    max_total / 1_048_576
                ),
            ));
        }
        let at = tx.now();
        let id: i64 = sqlx::query("INSERT INTO attachments (application_id, kind, filename, mime, size, sha256, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(application_id)
            .bind(kind)
            .bind(&name)
            .bind(w.mime)
            .bind(size)
            .bind(&w.sha256)
            .bind(at)
            .bind(who.user_id)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        let kind_zh = KINDS
            .iter()
            .find(|(k, ..)| *k == kind)
            .map(|(_, zh, ..)| *zh)
            .unwrap_or("县级推荐函（盖章）");
        tx.audit(
            NewEntry::award(who, "attachment.add", "application", application_id)
                .programme(a.programme_id)
                .summary(format!("上传{kind_zh}“{name}”（{} KB）", w.size.div_ceil(1024)))
                .detail(serde_json::json!({"attachment": id, "kind": kind, "sha256": w.sha256, "size": w.size, "mime": w.mime})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One attachment.
    pub async fn attachment(&self, id: i64) -> Result<Attachment> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM attachments WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| from_row(&r))
        .ok_or(Error::NotFound)
    }

    /// An application's attachments that are not removed, oldest first.
    pub async fn attachments(&self, application_id: i64) -> Result<Vec<Attachment>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM attachments WHERE application_id = $1 AND removed_at IS NULL ORDER BY id"))).bind(application_id).fetch_all(self.pool()).await?.iter().map(from_row).collect())
    }

    /// Remove an attachment from a draft (the record and body stay on file).
    pub async fn remove_attachment(&self, who: &Who, id: i64, now: jiff::Timestamp) -> Result<i64> {
        let att = self.attachment(id).await?;
        let a = self.application(att.application_id).await?;
        if !a.status.editable() || att.kind == COUNTY_LETTER {
            return Err(self
                .refused(
                    NewEntry::award(
                        who,
                        "attachment.remove.refused",
                        "application",
                        att.application_id,
                    )
                    .programme(a.programme_id),
                    qaward_core::refusal::Refusal::new(
                        "read_only",
                        Some(12),
                        (
                            "清远市政府质量奖管理办法",
                            "Qingyuan City Government Quality Award Management Measures",
                        ),
                        format!("申报材料{}，不能再删除证明材料。", a.status.zh()),
                        "The application can no longer be changed.",
                    ),
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE attachments SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(tx.now())
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "attachment.remove", "application", att.application_id)
                .programme(a.programme_id)
                .summary(format!("删除证明材料“{}”", att.filename))
                .detail(serde_json::json!({"attachment": id})),
        )
        .await?;
        tx.commit().await?;
        Ok(att.application_id)
    }
}
