//! Online, consistent backups of the database *and* the file store, as one archive.
//!
//! The database is copied from one snapshot while writers go on: SQLite's `VACUUM INTO`, or
//! `pg_dump --snapshot` of a repeatable-read transaction on PostgreSQL. The files that
//! snapshot names (evidence, sealed letters, objection and complaint evidence, annual reports,
//! case files, report ZIPs) are read from the same snapshot and copied from the file store,
//! each checked against its SHA-256 on the way. Bodies are content-addressed and never
//! deleted, so they are all there whatever happened since the snapshot.
//!
//! The archive is a ZIP file: `manifest.json` (format, backend, time, the audit head, the
//! database entry and every file with its SHA-256 and size), `database/qaward.db` or
//! `database/qaward.pgdump`, and `files/ab/cdef…` as in the file store. [`check_archive`]
//! reads every entry back against the manifest; a restore refuses an archive it finds
//! incomplete before touching anything.

use crate::{Backend, Error, Result, Store};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The format written in the manifest.
pub const FORMAT: &str = "qaward-backup/1";

/// The tables that name bodies of the file store: (table, id column, hash column, size
/// column, name column).
pub const FILE_TABLES: &[(&str, &str, &str, &str, &str)] = &[
    ("attachments", "id", "sha256", "size", "filename"),
    ("objection_files", "id", "sha256", "size", "filename"),
    ("complaint_files", "id", "sha256", "size", "filename"),
    ("annual_report_files", "id", "sha256", "size", "filename"),
    ("title_case_files", "id", "sha256", "size", "filename"),
    ("revocation_case_files", "id", "sha256", "size", "filename"),
    ("jobs", "id", "result_sha256", "result_size", "kind"),
];

/// A body of the file store that a row names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileRef {
    /// The table.
    pub table: String,
    /// The row.
    pub id: i64,
    /// SHA-256 of the body (its name in the store).
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// The file's name as uploaded (or the job's kind).
    pub name: String,
}

/// An entry of the archive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArchiveEntry {
    /// Path in the archive.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// What an archive holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// When the snapshot was taken (RFC 3339).
    pub created_at: String,
    /// The audit chain's head in the snapshot: entries.
    pub audit_entries: i64,
    /// The audit chain's head hash in the snapshot.
    pub audit_head: String,
    /// The database.
    pub database: ArchiveEntry,
    /// Every body of the file store the snapshot names, once each.
    pub files: Vec<ArchiveEntry>,
    /// How many rows name them.
    pub references: usize,
}

/// The path of a body in the archive.
pub fn file_entry(sha256: &str) -> String {
    let (a, b) = sha256.split_at(2.min(sha256.len()));
    format!("files/{a}/{b}")
}

/// The rows that name bodies of the file store, read through `conn`.
pub async fn file_references(conn: &mut sqlx::AnyConnection) -> Result<Vec<FileRef>> {
    let mut out = Vec::new();
    for (t, id, sha, size, name) in FILE_TABLES {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {id} AS id, {sha} AS sha256, {size} AS size, {name} AS name FROM {t} WHERE {sha} IS NOT NULL ORDER BY {id}"
        )))
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            out.push(FileRef {
                table: (*t).to_owned(),
                id: r.get("id"),
                sha256: r.get("sha256"),
                size: crate::opt_i64(&r, "size").unwrap_or(0),
                name: r.get("name"),
            });
        }
    }
    Ok(out)
}

/// Copy `from` into the archive as `path`, hashing it on the way.
fn copy_in<W: Write + std::io::Seek>(
    zip: &mut zip::ZipWriter<W>,
    path: &str,
    from: &mut impl Read,
) -> std::io::Result<ArchiveEntry> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    zip.start_file(path, options)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        zip.write_all(&buf[..n])?;
        size += n as u64;
    }
    Ok(ArchiveEntry {
        path: path.to_owned(),
        sha256: hex::encode(hash.finalize()),
        size,
    })
}

fn io(e: impl std::fmt::Display) -> Error {
    Error::Other(e.to_string())
}

/// Write the archive `out` from the database copy `db` (named `db_name` in it), the file
/// store under `files_root` and the references the copy holds. A body that is missing or
/// does not match its SHA-256 fails the backup, naming it.
fn write_archive(
    out: &Path,
    db: &Path,
    db_name: &str,
    files_root: &Path,
    refs: &[FileRef],
    backend: Backend,
    head: (i64, String),
) -> Result<Manifest> {
    let file = std::fs::File::create_new(out).map_err(|e| io(format!("{}: {e}", out.display())))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let mut src = std::fs::File::open(db).map_err(io)?;
    let database = copy_in(&mut zip, &format!("database/{db_name}"), &mut src).map_err(io)?;
    let store = crate::attachments::Files::new(files_root);
    let mut files: Vec<ArchiveEntry> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut bad = Vec::new();
    for r in refs {
        if !seen.insert(r.sha256.clone()) {
            continue;
        }
        let path = store.path(&r.sha256);
        match std::fs::File::open(&path) {
            Ok(mut f) => {
                let e = copy_in(&mut zip, &file_entry(&r.sha256), &mut f).map_err(io)?;
                if e.sha256 != r.sha256 {
                    bad.push(format!(
                        "{}（{} #{}）内容与SHA-256不符",
                        r.name, r.table, r.id
                    ));
                }
                files.push(e);
            }
            Err(_) => bad.push(format!(
                "{}（{} #{}，{}）",
                r.name,
                r.table,
                r.id,
                path.display()
            )),
        }
    }
    if !bad.is_empty() {
        drop(zip);
        let _ = std::fs::remove_file(out);
        return Err(Error::Other(format!(
            "文件库缺少或损坏{}个文件，备份未完成 / {} file(s) of the file store missing or damaged, no backup written: {}",
            bad.len(),
            bad.len(),
            bad.join("；")
        )));
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        backend: match backend {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        created_at: jiff::Timestamp::now().to_string(),
        audit_entries: head.0,
        audit_head: head.1,
        database,
        files,
        references: refs.len(),
    };
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("manifest.json", options).map_err(io)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest).map_err(io)?)
        .map_err(io)?;
    let mut w = zip.finish().map_err(io)?;
    w.flush().map_err(io)?;
    w.get_ref().sync_all().map_err(io)?;
    Ok(manifest)
}

/// Read every entry of archive `path` back against its manifest: the database and every
/// file present, with the size and SHA-256 written. Anything missing or different is
/// named in the error, in Chinese and English.
pub fn check_archive(path: &Path) -> Result<Manifest> {
    let file = std::fs::File::open(path).map_err(|e| io(format!("{}: {e}", path.display())))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|_| {
        Error::Other(format!(
            "{} 不是 QAward 备份文件（应为含 manifest.json、数据库和文件库的归档）/ not a QAward backup archive (database and file store)",
            path.display()
        ))
    })?;
    let manifest: Manifest = {
        let mut m = zip.by_name("manifest.json").map_err(|_| {
            Error::Other(
                "备份不完整：缺少 manifest.json / incomplete backup: no manifest.json".into(),
            )
        })?;
        let mut s = String::new();
        m.read_to_string(&mut s).map_err(io)?;
        serde_json::from_str(&s)
            .map_err(|e| Error::Other(format!("备份清单无法读取 / unreadable manifest: {e}")))?
    };
    if manifest.format != FORMAT {
        return Err(Error::Other(format!(
            "不支持的备份格式 {} / unsupported backup format",
            manifest.format
        )));
    }
    let mut bad = Vec::new();
    for e in std::iter::once(&manifest.database).chain(&manifest.files) {
        match zip.by_name(&e.path) {
            Ok(mut f) => {
                let mut hash = Sha256::new();
                let n = std::io::copy(&mut f, &mut HashWriter(&mut hash)).map_err(io)?;
                if n != e.size || hex::encode(hash.finalize()) != e.sha256 {
                    bad.push(format!(
                        "{}（内容与清单不符 / does not match the manifest）",
                        e.path
                    ));
                }
            }
            Err(_) => bad.push(format!("{}（缺失 / missing）", e.path)),
        }
    }
    if !bad.is_empty() {
        return Err(Error::Other(format!(
            "备份不完整，未恢复：{}个条目缺失或损坏 / incomplete backup, nothing restored: {} entr(y/ies) missing or damaged: {}",
            bad.len(),
            bad.len(),
            bad.join("；")
        )));
    }
    Ok(manifest)
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.update(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Take the archive apart after [`check_archive`]: the database entry to `db_to`, and every
/// file into the file store under `files_root` (an existing body is left as it is).
pub fn extract_archive(path: &Path, m: &Manifest, db_to: &Path, files_root: &Path) -> Result<()> {
    let file = std::fs::File::open(path).map_err(io)?;
    let mut zip = zip::ZipArchive::new(file).map_err(io)?;
    {
        let mut f = zip.by_name(&m.database.path).map_err(io)?;
        let mut out = std::fs::File::create_new(db_to)
            .map_err(|e| io(format!("{}: {e}", db_to.display())))?;
        std::io::copy(&mut f, &mut out).map_err(io)?;
        out.sync_all().map_err(io)?;
    }
    let store = crate::attachments::Files::new(files_root);
    for e in &m.files {
        let sha = e.path.trim_start_matches("files/").replace('/', "");
        let to = store.path(&sha);
        if to.exists() {
            continue;
        }
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = to.with_extension("restore");
        let mut f = zip.by_name(&e.path).map_err(io)?;
        let mut out = std::fs::File::create(&tmp).map_err(io)?;
        std::io::copy(&mut f, &mut out).map_err(io)?;
        out.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &to).map_err(io)?;
    }
    Ok(())
}

/// A body named by the database that the file store lacks or holds damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFile {
    /// The row naming it.
    pub reference: FileRef,
    /// Present but with another SHA-256.
    pub damaged: bool,
}

/// Check that every body the database names is in the file store under `files_root` with its
/// SHA-256 (each read whole): returns (bodies checked, the missing or damaged ones).
pub async fn check_files(store: &Store, files_root: &Path) -> Result<(usize, Vec<MissingFile>)> {
    let mut conn = store.pool().acquire().await?;
    let refs = file_references(&mut conn).await?;
    drop(conn);
    let root = files_root.to_owned();
    tokio::task::spawn_blocking(move || {
        let files = crate::attachments::Files::new(&root);
        let mut seen = std::collections::BTreeMap::new();
        let mut missing = Vec::new();
        for r in refs {
            let state = *seen
                .entry(r.sha256.clone())
                .or_insert_with(|| match std::fs::File::open(files.path(&r.sha256)) {
                    Ok(mut f) => {
                        let mut h = Sha256::new();
                        match std::io::copy(&mut f, &mut HashWriter(&mut h)) {
                            Ok(_) if hex::encode(h.finalize()) == r.sha256 => 0u8,
                            _ => 2,
                        }
                    }
                    Err(_) => 1,
                });
            if state != 0 {
                missing.push(MissingFile {
                    reference: r,
                    damaged: state == 2,
                });
            }
        }
        (seen.len(), missing)
    })
    .await
    .map_err(io)
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    /// The manifest written.
    pub manifest: Manifest,
    /// Bytes of the archive.
    pub bytes: u64,
}

/// The tables a backup holds, for comparisons.
pub const TABLES: &[&str] = &[
    "programmes",
    "counties",
    "departments",
    "criteria_sets",
    "rule_sets",
    "organisations",
    "users",
    "role_grants",
    "security_settings",
    "award_sessions",
    "stage_windows",
    "stage_history",
    "applications",
    "county_reviews",
    "eligibility_reviews",
    "attachments",
    "notifications",
    "outbox",
    "opinion_requests",
    "opinion_items",
    "experts",
    "expert_employment",
    "expert_training",
    "expert_ties",
    "expert_sanctions",
    "expert_ratings",
    "conflict_declarations",
    "review_declarations",
    "review_teams",
    "review_team_members",
    "assignment_runs",
    "review_assignments",
    "scorebooks",
    "scores",
    "score_versions",
    "consensus_books",
    "consensus_scores",
    "onsite_lists",
    "onsite_list_entries",
    "onsite_plans",
    "onsite_visits",
    "onsite_releases",
    "evaluations",
    "practices",
    "proposals",
    "proposal_entries",
    "leadership_meetings",
    "meeting_members",
    "meeting_recusals",
    "meeting_votes",
    "meeting_results",
    "public_notices",
    "objections",
    "objection_files",
    "government_approvals",
    "winners",
    "commendations",
    "certificates",
    "prize_payments",
    "budget_lines",
    "announcements",
    "conduct_ratings",
    "complaints",
    "complaint_steps",
    "complaint_files",
    "annual_reports",
    "annual_report_files",
    "report_reminders",
    "title_cases",
    "title_case_files",
    "winner_managers",
    "review_recusals",
    "audit_log",
    "audit_head",
    "revocation_cases",
    "award_bans",
    "revocation_case_files",
    "jobs",
];

impl Store {
    /// Write a backup archive of the database and of the file store under `files_root` to
    /// `out` (see the module's documentation).
    pub async fn backup_archive(&self, out: &Path, files_root: &Path) -> Result<BackupSummary> {
        if out.exists() {
            return Err(Error::Other(format!("{} already exists", out.display())));
        }
        let work = tempfile_dir(out)?;
        let result = self.backup_into(out, &work, files_root).await;
        let _ = std::fs::remove_dir_all(&work);
        let manifest = result?;
        let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
        Ok(BackupSummary { manifest, bytes })
    }

    async fn backup_into(&self, out: &Path, work: &Path, files_root: &Path) -> Result<Manifest> {
        let (db, name, refs, head) = match self.backend() {
            Backend::Sqlite => {
                let db = work.join("qaward.db");
                self.backup(&db).await?;
                let snap = Store::connect(&format!("sqlite://{}?mode=rw", db.display())).await?;
                let mut conn = snap.pool().acquire().await?;
                let refs = file_references(&mut conn).await?;
                let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .fetch_one(&mut *conn)
                    .await?;
                let head = (head.get::<i64, _>("seq"), head.get::<String, _>("hash"));
                drop(conn);
                snap.close().await;
                (db, "qaward.db", refs, head)
            }
            Backend::Postgres => {
                let db = work.join("qaward.pgdump");
                let mut conn = self.pool().acquire().await?;
                sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *conn)
                    .await?;
                let snapshot: String = sqlx::query("SELECT pg_export_snapshot()")
                    .fetch_one(&mut *conn)
                    .await?
                    .get(0);
                let dumped = pg_dump(self.url(), &db, Some(&snapshot)).await;
                let refs = file_references(&mut conn).await;
                let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
                    .fetch_one(&mut *conn)
                    .await;
                sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
                dumped?;
                let head = head?;
                (
                    db,
                    "qaward.pgdump",
                    refs?,
                    (head.get::<i64, _>("seq"), head.get::<String, _>("hash")),
                )
            }
        };
        let (out, root, backend) = (out.to_owned(), files_root.to_owned(), self.backend());
        tokio::task::spawn_blocking(move || {
            write_archive(&out, &db, name, &root, &refs, backend, head)
        })
        .await
        .map_err(io)?
    }

    /// Write a consistent copy of the database alone to `file` (the database part of
    /// [`Store::backup_archive`]).
    pub async fn backup(&self, file: &Path) -> Result<()> {
        if file.exists() {
            return Err(Error::Other(format!("{} already exists", file.display())));
        }
        match self.backend() {
            Backend::Sqlite => {
                sqlx::query("VACUUM INTO $1")
                    .bind(file.display().to_string())
                    .execute(self.pool())
                    .await?;
                Ok(())
            }
            Backend::Postgres => pg_dump(self.url(), file, None).await,
        }
    }

    /// Restore a backup made by [`Store::backup`] into this (empty) database.
    /// SQLite backups are database files: restore one by placing it as `qaward.db` in a data
    /// directory (see `qaward restore`).
    pub async fn restore_postgres(&self, file: &Path) -> Result<()> {
        let out = tokio::process::Command::new("pg_restore")
            .arg("--no-owner")
            .arg("--exit-on-error")
            .arg("--dbname")
            .arg(self.url())
            .arg(file)
            .output()
            .await
            .map_err(|e| Error::Other(format!("pg_restore: {e}")))?;
        if !out.status.success() {
            return Err(Error::Other(format!(
                "pg_restore: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(())
    }

    /// Row counts per table, to compare a database with its backup.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut v = Vec::new();
        for t in TABLES {
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                .fetch_one(self.pool())
                .await?
                .get(0);
            v.push(((*t).to_owned(), n));
        }
        Ok(v)
    }
}

/// `pg_dump` of `url` to `file` (custom format), of `snapshot` when given.
async fn pg_dump(url: &str, file: &Path, snapshot: Option<&str>) -> Result<()> {
    let mut cmd = tokio::process::Command::new("pg_dump");
    cmd.arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(file);
    if let Some(s) = snapshot {
        cmd.arg(format!("--snapshot={s}"));
    }
    let out = cmd
        .arg(url)
        .output()
        .await
        .map_err(|e| Error::Other(format!("pg_dump: {e}")))?;
    if !out.status.success() {
        return Err(Error::Other(format!(
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// A fresh working directory beside `out` (so the database copy is on the same disk).
fn tempfile_dir(out: &Path) -> Result<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = parent.join(format!(
        ".qaward-backup-{}",
        crate::accounts::random_token()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| io(format!("{}: {e}", dir.display())))?;
    Ok(dir)
}
