//! Crash safety: run the server, drive concurrent writes through it (submissions and scores,
//! each with its audit entry), SIGKILL it at a random moment, restart, and check that every
//! write the server acknowledged is there, the database passes its integrity check and the
//! audit chain verifies.

use super::seed::{SeedOptions, Seeded, seed_and_record};
use super::{Client, Server};
use qaward_store::{Backend, Store};
use rand::Rng;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How to run.
#[derive(Debug, Clone)]
pub struct CrashOptions {
    /// Kill-and-restart rounds.
    pub rounds: usize,
    /// The `qaward` binary to run as the server.
    pub bin: PathBuf,
    /// Data directory (SQLite, and the file store).
    pub data: PathBuf,
    /// PostgreSQL instead of SQLite.
    pub database_url: Option<String>,
    /// Applicants submitting at once.
    pub submitters: usize,
    /// Reviewers scoring at once.
    pub scorers: usize,
    /// The kill comes between these many milliseconds after the writes start.
    pub kill_after_ms: (u64, u64),
}

/// What a run found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CrashReport {
    /// Rounds run.
    pub rounds: usize,
    /// Submissions the server acknowledged (303 to the receipt).
    pub acked_submissions: usize,
    /// Score saves the server acknowledged (303).
    pub acked_scores: usize,
    /// Acknowledged writes missing after a restart (must be 0).
    pub lost: usize,
    /// Rounds whose database failed its integrity check (must be 0).
    pub integrity_failures: usize,
    /// Rounds whose audit chain did not verify (must be 0).
    pub chain_failures: usize,
    /// Writes cut by the kill (no answer): they may or may not have landed.
    pub unanswered: usize,
    /// Audit entries at the end.
    pub audit_entries: u64,
    /// Backend.
    pub backend: String,
    /// Problems found, if any.
    pub problems: Vec<String>,
    /// Seconds.
    pub seconds: f64,
}

/// (application, reviewer user name, item) of a score.
type ScoreKey = (i64, String, String);

#[derive(Default)]
struct Ledger {
    /// Applications whose submission was acknowledged.
    submitted: Vec<i64>,
    /// (application, expert user, item) → (last acknowledged value, a value sent after it
    /// without an answer).
    scores: HashMap<ScoreKey, (Option<u32>, Option<u32>)>,
    acked_scores: usize,
    unanswered: usize,
}

async fn open(o: &CrashOptions) -> anyhow::Result<Store> {
    let s = match &o.database_url {
        Some(u) => Store::connect(u).await?,
        None => Store::open_dir(&o.data).await?,
    };
    s.migrate().await?;
    Ok(s)
}

/// Run `o.rounds` rounds; `seeded` is created when the data has none.
pub async fn run(o: &CrashOptions) -> anyhow::Result<CrashReport> {
    let started = Instant::now();
    let per_round = o.submitters.max(1) * 6;
    let seeded: Seeded = {
        let store = open(o).await?;
        let s = seed_and_record(
            &store,
            &o.data,
            &SeedOptions {
                applications: 12,
                counties: 4,
                experts: 15,
                team_size: 5,
                unscored: 12,
                drafts: o.rounds * per_round + 10,
                progress: false,
            },
        )
        .await?;
        store.close().await;
        s
    };
    let items: Vec<String> = {
        let store = open(o).await?;
        let d = store.session_detail(seeded.review_session).await?;
        let c = store.criteria(&d.rules.meta.criteria).await?;
        store.close().await;
        c.items().map(|i| i.id.clone()).collect()
    };
    let mut report = CrashReport {
        backend: if o.database_url.is_some() {
            "PostgreSQL".into()
        } else {
            "SQLite".into()
        },
        ..Default::default()
    };
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut drafts = seeded.drafts.clone().into_iter();
    // Sign everybody in once: sessions live in the database and outlive restarts.
    let first = Server::start(&o.bin, &o.data, o.database_url.as_deref(), &["serve"]).await?;
    let mut scorers = Vec::new();
    for (aid, user) in seeded.unscored.iter().take(o.scorers.max(1)) {
        scorers.push((
            *aid,
            user.clone(),
            Client::sign_in(&first.base, user).await?,
        ));
    }
    first.kill().await;
    let mut applicants: HashMap<String, Client> = HashMap::new();
    let mut rng = rand::rng();
    for round in 0..o.rounds {
        let server = Server::start(&o.bin, &o.data, o.database_url.as_deref(), &["serve"]).await?;
        let base = server.base.clone();
        let mut tasks = Vec::new();
        // Applicants: each submits its drafts one after another.
        for _ in 0..o.submitters.max(1) {
            let mine: Vec<(i64, String)> = drafts.by_ref().take(6).collect();
            let mut clients = Vec::new();
            for (aid, user) in mine {
                let c = match applicants.get(&user) {
                    Some(c) => c.at(&base),
                    None => {
                        let c = Client::sign_in(&base, &user).await?;
                        applicants.insert(user.clone(), c.clone());
                        c
                    }
                };
                clients.push((aid, c));
            }
            let ledger = ledger.clone();
            tasks.push(tokio::spawn(async move {
                for (aid, c) in clients {
                    match c.submit(aid).await {
                        Ok(true) => ledger
                            .lock()
                            .map(|mut l| l.submitted.push(aid))
                            .unwrap_or(()),
                        Ok(false) => {}
                        Err(_) => {
                            if let Ok(mut l) = ledger.lock() {
                                l.unanswered += 1;
                            }
                            return;
                        }
                    }
                }
            }));
        }
        // Reviewers: each saves one item of its scorebook again and again, alternating values.
        for (k, (aid, user, c)) in scorers.iter().enumerate() {
            let c = c.at(&base);
            let (aid, user) = (*aid, user.clone());
            let item = items[(k + round) % items.len()].clone();
            let ledger = ledger.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..400u32 {
                    let v = 30 + ((n + round as u32) % 8) * 5;
                    let key = (aid, user.clone(), item.clone());
                    let field = vec![
                        (format!("percent.{item}"), v.to_string()),
                        (format!("strengths.{item}"), format!("第{n}次保存")),
                    ];
                    match c.save_scores(aid, &field).await {
                        Ok(true) => {
                            if let Ok(mut l) = ledger.lock() {
                                l.scores.insert(key, (Some(v), None));
                                l.acked_scores += 1;
                            }
                        }
                        Ok(false) => return,
                        Err(_) => {
                            if let Ok(mut l) = ledger.lock() {
                                let e = l.scores.entry(key).or_insert((None, None));
                                e.1 = Some(v);
                                l.unanswered += 1;
                            }
                            return;
                        }
                    }
                }
            }));
        }
        let wait = rng.random_range(o.kill_after_ms.0..=o.kill_after_ms.1.max(o.kill_after_ms.0));
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.kill().await;
        for t in tasks {
            let _ = t.await;
        }
        // Restart-time checks, on the database itself.
        let store = open(o).await?;
        check(&store, &ledger, &mut report).await?;
        store.close().await;
        report.rounds = round + 1;
    }
    // A last restart on the data the final kill left must serve.
    let server = Server::start(&o.bin, &o.data, o.database_url.as_deref(), &["serve"]).await?;
    let r = reqwest::get(format!("{}/healthz", server.base)).await?;
    if !r.status().is_success() {
        report
            .problems
            .push(format!("healthz {} after the last restart", r.status()));
    }
    server.kill().await;
    let l = ledger.lock().map_err(|_| anyhow::anyhow!("ledger"))?;
    report.acked_submissions = l.submitted.len();
    report.acked_scores = l.acked_scores;
    report.unanswered = l.unanswered;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn check(
    store: &Store,
    ledger: &Arc<Mutex<Ledger>>,
    report: &mut CrashReport,
) -> anyhow::Result<()> {
    if store.backend() == Backend::Sqlite {
        let r: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await?
            .get(0);
        if r != "ok" {
            report.integrity_failures += 1;
            report.problems.push(format!("integrity_check: {r}"));
        }
    }
    match store.verify_audit().await? {
        Ok(v) => report.audit_entries = v.entries,
        Err(b) => {
            report.chain_failures += 1;
            report
                .problems
                .push(format!("audit chain broken at {}: {}", b.seq, b.en));
        }
    }
    let (submitted, scores) = {
        let l = ledger.lock().map_err(|_| anyhow::anyhow!("ledger"))?;
        (l.submitted.clone(), l.scores.clone())
    };
    for aid in submitted {
        let r =
            sqlx::query("SELECT status, receipt_no, content_hash FROM applications WHERE id = $1")
                .bind(aid)
                .fetch_one(store.pool())
                .await?;
        let status: String = r.get(0);
        let receipt: Option<String> = r.try_get(1).ok().flatten();
        let audited: i64 = sqlx::query(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'application.submit' AND subject_id = $1",
        )
        .bind(aid.to_string())
        .fetch_one(store.pool())
        .await?
        .get(0);
        if status != "submitted" || receipt.is_none() || audited != 1 {
            report.lost += 1;
            report.problems.push(format!(
                "acknowledged submission of application {aid} missing: status {status}, audit entries {audited}"
            ));
        }
    }
    for ((aid, user, item), (acked, pending)) in scores {
        let Some(acked) = acked else { continue };
        let v: Option<i64> = sqlx::query(
            "SELECT s.percent FROM scores s JOIN experts e ON e.id = s.expert_id JOIN users u ON u.id = e.user_id WHERE s.application_id = $1 AND u.username = $2 AND s.phase = 'material' AND s.item_id = $3",
        )
        .bind(aid)
        .bind(&user)
        .bind(&item)
        .fetch_optional(store.pool())
        .await?
        .and_then(|r| r.try_get::<Option<i64>, _>(0).ok().flatten());
        let ok = v == Some(i64::from(acked)) || (pending.is_some() && v == pending.map(i64::from));
        if !ok {
            report.lost += 1;
            report.problems.push(format!(
                "acknowledged score {acked} of {user} on application {aid} item {item} missing: found {v:?}"
            ));
        }
    }
    Ok(())
}

/// The binary to run as the server: this executable.
pub fn this_binary() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_exe()?)
}

/// Print a report.
pub fn print(r: &CrashReport) {
    println!(
        "崩溃安全 / crash safety ({}): {} rounds, {} acknowledged submissions, {} acknowledged score saves, {} unanswered at the kill",
        r.backend, r.rounds, r.acked_submissions, r.acked_scores, r.unanswered
    );
    println!(
        "  lost acknowledged writes: {}   integrity failures: {}   audit chain failures: {}   audit entries: {}   {:.1} s",
        r.lost, r.integrity_failures, r.chain_failures, r.audit_entries, r.seconds
    );
    for p in r.problems.iter().take(20) {
        println!("  ! {p}");
    }
}

/// A data directory that must be empty or missing.
pub fn fresh_dir(p: &Path) -> anyhow::Result<()> {
    if p.exists() && std::fs::read_dir(p)?.next().is_some() {
        anyhow::bail!("{} is not empty; choose an empty directory", p.display());
    }
    std::fs::create_dir_all(p)?;
    Ok(())
}
