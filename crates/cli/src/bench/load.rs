//! Writes under load: `qaward backup` while submissions and score saves go on, then restore
//! and compare; and the deadline surge (many applicants uploading a large evidence file and
//! submitting at once).

use super::seed::{SeedOptions, Seeded, seed_and_record};
use super::{Client, Server};
use qaward_store::{Backend, Store};
use serde::Serialize;
use sha2::Digest;
use sqlx::Row;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the backup-under-load run found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct BackupReport {
    /// Backend.
    pub backend: String,
    /// Writes acknowledged while the backup ran.
    pub writes_during_backup: usize,
    /// Writes acknowledged in all.
    pub writes_total: usize,
    /// Seconds `qaward backup` took.
    pub backup_seconds: f64,
    /// Audit entries in the live database at the end, and in the restored copy.
    pub live_entries: i64,
    /// Audit entries in the restored copy.
    pub restored_entries: i64,
    /// Whether the restored chain verifies.
    pub restored_chain_ok: bool,
    /// Whether every restored audit entry is the live entry of the same number (a prefix).
    pub prefix_ok: bool,
    /// Submitted applications in the copy without their audit entry, or the reverse (must be 0).
    pub inconsistent: usize,
    /// Tables where the copy holds more rows than the live database (must be none).
    pub tables_ahead: Vec<String>,
    /// Seconds in all.
    pub seconds: f64,
}

/// Writers: applicants submitting drafts and reviewers saving scores, until `stop`.
/// Returns the join handles; `acked` counts acknowledged writes.
pub fn spawn_writers(
    applicants: Vec<(i64, Client)>,
    scorers: Vec<(i64, Client)>,
    item: String,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    let per = applicants.len().div_ceil(4).max(1);
    for chunk in applicants.chunks(per) {
        let chunk = chunk.to_vec();
        let (stop, acked) = (stop.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for (aid, c) in chunk {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                if let Ok(true) = c.submit(aid).await {
                    acked.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for (aid, c) in scorers {
        let (stop, acked, item) = (stop.clone(), acked.clone(), item.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let f = vec![
                    (format!("percent.{item}"), (30 + (n % 8) * 5).to_string()),
                    (format!("strengths.{item}"), format!("第{n}次保存")),
                ];
                if let Ok(true) = c.save_scores(aid, &f).await {
                    acked.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tasks
}

async fn open(data: &Path, url: Option<&str>) -> anyhow::Result<Store> {
    let s = match url {
        Some(u) => Store::connect(u).await?,
        None => Store::open_dir(data).await?,
    };
    s.migrate().await?;
    Ok(s)
}

/// `qaward backup` while writes continue; restore; compare. `restore_url` is an empty
/// PostgreSQL database to restore into when `url` is PostgreSQL.
pub async fn backup_under_load(
    bin: &Path,
    data: &Path,
    url: Option<&str>,
    restore_url: Option<&str>,
    applications: usize,
) -> anyhow::Result<BackupReport> {
    let started = Instant::now();
    let seeded: Seeded = {
        let store = open(data, url).await?;
        let s = seed_and_record(
            &store,
            data,
            &SeedOptions {
                applications,
                counties: 20,
                experts: 60,
                team_size: 5,
                unscored: 12,
                drafts: 300,
                progress: false,
            },
        )
        .await?;
        store.close().await;
        s
    };
    let item = {
        let store = open(data, url).await?;
        let d = store.session_detail(seeded.review_session).await?;
        let c = store.criteria(&d.rules.meta.criteria).await?;
        store.close().await;
        c.items().next().map(|i| i.id.clone()).unwrap_or_default()
    };
    let server = Server::start(bin, data, url, &["serve"]).await?;
    let mut applicants = Vec::new();
    for (aid, u) in seeded.drafts.iter().take(40) {
        applicants.push((*aid, Client::sign_in(&server.base, u).await?));
    }
    let mut scorers = Vec::new();
    for (aid, u) in seeded.unscored.iter().take(6) {
        scorers.push((*aid, Client::sign_in(&server.base, u).await?));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let tasks = spawn_writers(applicants, scorers, item, stop.clone(), acked.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = tempfile::tempdir()?;
    let file = out.path().join("backup.qaward");
    let before = acked.load(Ordering::Relaxed);
    let t = Instant::now();
    let mut cmd = tokio::process::Command::new(bin);
    cmd.arg("--data").arg(data).arg("backup").arg(&file);
    match url {
        Some(u) => cmd.env("DATABASE_URL", u),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let o = cmd.output().await?;
    let backup_seconds = t.elapsed().as_secs_f64();
    let during = acked.load(Ordering::Relaxed) - before;
    if !o.status.success() {
        anyhow::bail!("qaward backup: {}", String::from_utf8_lossy(&o.stderr));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    server.kill().await;
    let target = out.path().join("restored");
    let mut cmd = tokio::process::Command::new(bin);
    cmd.arg("--data").arg(&target).arg("restore").arg(&file);
    match (url, restore_url) {
        (Some(_), Some(r)) => cmd.env("DATABASE_URL", r),
        (Some(_), None) => {
            anyhow::bail!("a PostgreSQL run needs an empty database to restore into")
        }
        _ => cmd.env_remove("DATABASE_URL"),
    };
    let o = cmd.output().await?;
    if !o.status.success() {
        anyhow::bail!("qaward restore: {}", String::from_utf8_lossy(&o.stderr));
    }
    let live = open(data, url).await?;
    let copy = match restore_url.filter(|_| url.is_some()) {
        Some(r) => Store::connect(r).await?,
        None => Store::open_dir(&target).await?,
    };
    let mut r = compare(&live, &copy).await?;
    r.backend = live.backend().name().into();
    r.writes_during_backup = during;
    r.writes_total = acked.load(Ordering::Relaxed);
    r.backup_seconds = backup_seconds;
    r.seconds = started.elapsed().as_secs_f64();
    live.close().await;
    copy.close().await;
    Ok(r)
}

/// Compare a restored copy with the live database it was taken from while it changed.
pub async fn compare(live: &Store, copy: &Store) -> anyhow::Result<BackupReport> {
    let mut r = BackupReport {
        live_entries: live.audit_len().await?,
        restored_entries: copy.audit_len().await?,
        restored_chain_ok: copy.verify_audit().await?.is_ok(),
        ..Default::default()
    };
    let hashes = |s: &Store| {
        let pool = s.pool().clone();
        async move {
            sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq")
                .fetch_all(&pool)
                .await
                .map(|rows| {
                    rows.iter()
                        .map(|x| (x.get::<i64, _>(0), x.get::<String, _>(1)))
                        .collect::<Vec<_>>()
                })
        }
    };
    let (a, b) = (hashes(live).await?, hashes(copy).await?);
    r.prefix_ok = b.len() <= a.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y);
    // Data and audit agree inside the copy: a submitted application has its entry, and an
    // entry's application is submitted.
    let bad: i64 = sqlx::query(
        "SELECT COUNT(*) FROM applications a WHERE a.status = 'submitted' AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.action = 'application.submit' AND l.subject_id = CAST(a.id AS TEXT))",
    )
    .fetch_one(copy.pool())
    .await?
    .get(0);
    let bad2: i64 = sqlx::query(
        "SELECT COUNT(*) FROM audit_log l WHERE l.action = 'application.submit' AND NOT EXISTS (SELECT 1 FROM applications a WHERE CAST(a.id AS TEXT) = l.subject_id AND a.status <> 'draft')",
    )
    .fetch_one(copy.pool())
    .await?
    .get(0);
    r.inconsistent = usize::try_from(bad + bad2).unwrap_or(0);
    let (lc, cc) = (live.table_counts().await?, copy.table_counts().await?);
    for ((t, n), (_, m)) in lc.iter().zip(cc.iter()) {
        if m > n {
            r.tables_ahead.push(t.clone());
        }
    }
    Ok(r)
}

/// Print a backup report.
pub fn print_backup(r: &BackupReport) {
    println!(
        "备份（写入进行中）/ backup under load ({}): backup {:.2} s, {} writes acknowledged during it ({} in all)",
        r.backend, r.backup_seconds, r.writes_during_backup, r.writes_total
    );
    println!(
        "  restored: {} audit entries of {} live, chain {}, prefix of the live chain {}, data/audit mismatches {}, tables ahead {:?}",
        r.restored_entries,
        r.live_entries,
        if r.restored_chain_ok {
            "verifies"
        } else {
            "BROKEN"
        },
        if r.prefix_ok { "yes" } else { "NO" },
        r.inconsistent,
        r.tables_ahead
    );
}

/// What the deadline surge found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SurgeReport {
    /// Backend.
    pub backend: String,
    /// Applicants.
    pub applicants: usize,
    /// Size of each upload, MB.
    pub file_mb: usize,
    /// Applicants at once.
    pub concurrency: usize,
    /// Uploads accepted.
    pub uploads_ok: usize,
    /// Submissions acknowledged.
    pub submissions_ok: usize,
    /// Errors (any answer other than the expected).
    pub errors: usize,
    /// Receipts whose hash did not match the stored submission (must be 0).
    pub receipt_mismatches: usize,
    /// Peak resident memory of the server, MB.
    pub server_peak_mb: f64,
    /// Seconds from the first upload to the last submission.
    pub seconds: f64,
}

/// The deadline surge: `n` applicants each upload a `mb` MB evidence file and submit, `conc`
/// at a time, against a `qaward serve` child process. Every receipt is checked afterwards.
pub async fn surge(
    bin: &Path,
    data: &Path,
    url: Option<&str>,
    n: usize,
    mb: usize,
    conc: usize,
) -> anyhow::Result<SurgeReport> {
    let seeded: Seeded = {
        let store = open(data, url).await?;
        let s = seed_and_record(
            &store,
            data,
            &SeedOptions {
                applications: 10,
                counties: 20,
                experts: 10,
                team_size: 5,
                unscored: 0,
                drafts: n,
                progress: true,
            },
        )
        .await?;
        store.close().await;
        s
    };
    let server = Server::start(bin, data, url, &["serve"]).await?;
    let pid = server.child.id().unwrap_or(0);
    // One body, a valid PDF padded to size, shared by all (each upload is still streamed).
    let mut body = crate::demo::demo_pdf("Deadline surge evidence");
    body.resize(mb * 1_048_576, b'\n');
    let body = Arc::new(body);
    let peak = Arc::new(AtomicUsize::new(0));
    let watcher = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                if let Some(kb) = super::peak_kb_of(pid) {
                    peak.fetch_max(usize::try_from(kb).unwrap_or(0), Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let started = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(conc.max(1)));
    let mut tasks = Vec::new();
    for (aid, user) in seeded.drafts.clone() {
        let (sem, body, base) = (sem.clone(), body.clone(), server.base.clone());
        tasks.push(tokio::spawn(async move {
            let _p = sem.acquire().await;
            let c = match Client::sign_in(&base, &user).await {
                Ok(c) => c,
                Err(_) => return (false, false, aid),
            };
            let part = reqwest::multipart::Part::bytes(body.as_ref().clone())
                .file_name("质量奖申报证明材料.pdf")
                .mime_str("application/pdf")
                .ok();
            let Some(part) = part else {
                return (false, false, aid);
            };
            let form = reqwest::multipart::Form::new()
                .text("csrf", c.csrf.clone())
                .text("kind", "certification")
                .part("file", part);
            let up = c
                .http
                .post(format!("{base}/applications/{aid}/evidence"))
                .multipart(form)
                .send()
                .await
                .map(|r| r.status().as_u16());
            let up_ok = matches!(up, Ok(303));
            let sub_ok = matches!(c.submit(aid).await, Ok(true));
            (up_ok, sub_ok, aid)
        }));
    }
    let mut r = SurgeReport {
        applicants: n,
        file_mb: mb,
        concurrency: conc,
        ..Default::default()
    };
    let mut acked = Vec::new();
    for t in tasks {
        let (u, s, aid) = t.await?;
        r.uploads_ok += usize::from(u);
        r.submissions_ok += usize::from(s);
        r.errors += usize::from(!u) + usize::from(!s);
        if s {
            acked.push(aid);
        }
    }
    r.seconds = started.elapsed().as_secs_f64();
    watcher.abort();
    r.server_peak_mb = peak.load(Ordering::Relaxed) as f64 / 1024.0;
    server.kill().await;
    // Every acknowledged receipt: recompute the hash from what is stored.
    let store = open(data, url).await?;
    r.backend = store.backend().name().into();
    for aid in acked {
        let a = store.application(aid).await?;
        let files: Vec<String> = store
            .attachments(aid)
            .await?
            .iter()
            .filter(|f| f.kind != qaward_store::attachments::COUNTY_LETTER)
            .map(|f| f.sha256.clone())
            .collect();
        let h = qaward_store::application::content_hash(&a.values, &files);
        let on_disk_ok = store
            .attachments(aid)
            .await?
            .iter()
            .all(|f| file_hash_ok(data, &f.sha256));
        if a.content_hash.as_deref() != Some(h.as_str()) || a.receipt_no.is_none() || !on_disk_ok {
            r.receipt_mismatches += 1;
        }
    }
    store.close().await;
    Ok(r)
}

fn file_hash_ok(data: &Path, sha: &str) -> bool {
    let p: PathBuf = qaward_store::attachments::Files::new(&data.join("files")).path(sha);
    match std::fs::read(&p) {
        Ok(b) => hex::encode(sha2::Sha256::digest(&b)) == sha,
        Err(_) => false,
    }
}

/// Print a surge report.
pub fn print_surge(r: &SurgeReport) {
    println!(
        "截止前集中提交 / deadline surge ({}): {} applicants × {} MB, {} at a time: {} uploads, {} submissions acknowledged, {} errors, {} receipt mismatches, server peak memory {:.0} MB, {:.1} s",
        r.backend,
        r.applicants,
        r.file_mb,
        r.concurrency,
        r.uploads_ok,
        r.submissions_ok,
        r.errors,
        r.receipt_mismatches,
        r.server_peak_mb,
        r.seconds
    );
}

/// Whether `url` names PostgreSQL.
pub fn is_pg(store: &Store) -> bool {
    store.backend() == Backend::Postgres
}
