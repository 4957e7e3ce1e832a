//! `qaward`: serve, demo, migrate, backup, restore, audit verify, rules check/show, user add
//! and unlock.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use qaward_core::clock::SystemClock;
use qaward_core::rulefile::{RuleFile, check_file};
use qaward_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "qaward", version, about = "政府质量奖评审管理系统 QAward")]
struct Cli {
    /// Configuration file (default `qaward.toml` when present); every setting in it can be
    /// overridden by its environment variable.
    #[arg(long, global = true, env = "QAWARD_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory for the SQLite database (ignored when DATABASE_URL names PostgreSQL);
    /// default `storage.data` of the configuration, `qaward-data`, or `qaward-demo-data` for
    /// `demo`.
    #[arg(long, global = true, env = "QAWARD_DATA")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web application.
    Serve {
        /// Address to bind (default `server.bind`, 127.0.0.1).
        #[arg(long)]
        bind: Option<String>,
        /// Port (default `server.port`, 8080).
        #[arg(long)]
        port: Option<u16>,
        /// Mark cookies Secure and send HSTS (when served behind HTTPS; also
        /// `server.secure_cookies`).
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Create fresh fictional demo data and serve it.
    Demo {
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Build the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Set up the Qingyuan city programme with the 2020 measures and the GB/T 19580 criteria.
    Init,
    /// Write an online, consistent backup of the database and the file store to FILE (one
    /// archive, every file checked against its SHA-256).
    Backup {
        /// Where.
        file: PathBuf,
    },
    /// Restore a backup archive into an empty database (SQLite: into the data directory) and
    /// its file store; an incomplete archive is refused before anything is written.
    Restore {
        /// The backup.
        file: PathBuf,
        /// Only read the archive back against its manifest; restore nothing.
        #[arg(long)]
        check: bool,
    },
    /// Check that every file the database names is in the file store with its SHA-256.
    Files {
        #[command(subcommand)]
        cmd: FilesCmd,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Rule-set and criteria files.
    Rules {
        #[command(subcommand)]
        cmd: RulesCmd,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Proof at scale: data generator, page benchmarks, crash safety, backup under load, the
    /// deadline surge, the optimiser at size (see BENCHMARKS.md). Default data directory:
    /// `qaward-bench-data`.
    Bench {
        #[command(subcommand)]
        cmd: BenchCmd,
    },
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Create fictional data of a given size in an empty database.
    Seed {
        /// Applications in the session under material review.
        #[arg(long, default_value_t = 10_000)]
        applications: usize,
        /// Counties.
        #[arg(long, default_value_t = 100)]
        counties: usize,
        /// Experts.
        #[arg(long, default_value_t = 3_000)]
        experts: usize,
        /// Experts per team.
        #[arg(long, default_value_t = 5)]
        team_size: usize,
        /// Applications left with empty scorebooks.
        #[arg(long, default_value_t = 20)]
        unscored: usize,
        /// Complete drafts, ready to submit, in a second session open for applications.
        #[arg(long, default_value_t = 0)]
        drafts: usize,
    },
    /// Page benchmarks on seeded data, against a bare axum handler; prints a table, writes JSON.
    Pages {
        /// Seconds per page and concurrency level.
        #[arg(long, default_value_t = 5.0)]
        secs: f64,
        /// Concurrency levels.
        #[arg(long, value_delimiter = ',', default_value = "1,10,50")]
        clients: Vec<usize>,
        /// JSON output (default bench-results/pages-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Kill the server with SIGKILL at random moments under concurrent writes; check every
    /// acknowledged write, the integrity check and the audit chain after each restart.
    Crash {
        /// Rounds.
        #[arg(long, default_value_t = 100)]
        rounds: usize,
        /// JSON output (default bench-results/crash-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// `qaward backup` while writes continue, then restore and compare.
    Backup {
        /// Applications under review in the generated data.
        #[arg(long, default_value_t = 2_000)]
        applications: usize,
        /// PostgreSQL: an empty database to restore into.
        #[arg(long)]
        restore_url: Option<String>,
        /// JSON output (default bench-results/backup-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The deadline surge: applicants each upload a large evidence file and submit.
    Surge {
        /// Applicants.
        #[arg(long, default_value_t = 2_000)]
        applicants: usize,
        /// MB per file.
        #[arg(long, default_value_t = 20)]
        mb: usize,
        /// Applicants at once.
        #[arg(long, default_value_t = 50)]
        concurrency: usize,
        /// JSON output (default bench-results/surge-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The assignment optimiser on the seeded session, through the store (conflict detection
    /// included): time, memory, and the optimality certificate.
    Assign {
        /// JSON output (default bench-results/assign-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// SQL statements per request: a few pages and the scorebook's save, autosave and
    /// submission, each counted from the server's statement log (seeded data).
    Statements {
        /// JSON output (default bench-results/statements-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One expert's conflict check (Art. 25) against every application in review: the store's
    /// `conflict_check` for a few experts of the pool, and with `--page` their office page
    /// through a server.
    Conflicts {
        /// Experts measured (half of them with a conflict in the data).
        #[arg(long, default_value_t = 6)]
        experts: usize,
        /// Rounds per expert.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Also time the office's page of each expert through `qaward serve`.
        #[arg(long)]
        page: bool,
        /// JSON output (default bench-results/conflicts-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Documents at size: one large feedback report typeset again and again (pages, first and
    /// warm render times); with `--job N`, the background job that typesets the feedback
    /// reports of the seeded session (`bench seed --applications N`), through a server.
    Docs {
        /// Warm renders of the large report.
        #[arg(long, default_value_t = 30)]
        renders: usize,
        /// Also run the session's report job on the seeded data and expect this many reports.
        #[arg(long)]
        job: Option<usize>,
        /// JSON output (default bench-results/docs-<backend>.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A bare axum handler, the ceiling of `bench pages`.
    #[command(hide = true)]
    Bare {
        /// Port.
        #[arg(long)]
        port: u16,
    },
}

#[derive(Subcommand)]
enum FilesCmd {
    /// Read every file the database names from the file store and check its SHA-256; exits
    /// non-zero naming the missing or damaged ones.
    Check,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Verify the hash chain; exits non-zero naming the first bad entry. With `--anchor`, also
    /// check it against an anchor file, which finds a cut or rewritten tail.
    Verify {
        /// The anchor file (default `audit.anchor_file` of the configuration, when set).
        #[arg(long)]
        anchor: Option<PathBuf>,
        /// The anchor key file (default `audit.anchor_key`).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Append the chain's head, signed, to the anchor file (nothing when unchanged).
    Anchor {
        /// The anchor file (default `audit.anchor_file`).
        #[arg(long)]
        anchor: Option<PathBuf>,
        /// The anchor key file (default `audit.anchor_key`).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Write a new random anchor key to FILE (readable by its owner only). Keep it away from
    /// the database and its backups.
    NewKey {
        /// Where.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum RulesCmd {
    /// Validate rule-set and criteria files.
    Check {
        /// Files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a rule set or criteria file.
    Show {
        /// File.
        file: PathBuf,
        /// As JSON: every rule an object {"value": …, "article": N}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an administrator account (password from QAWARD_PASSWORD or standard input).
    Add {
        /// User name.
        username: String,
        /// sys_admin, sec_admin or audit_admin.
        #[arg(long)]
        role: String,
        /// Name shown.
        #[arg(long)]
        name: Option<String>,
    },
    /// Lift every sign-in pause of account NAME (from every source), from the console: the
    /// way in for an administrator whose account is paused.
    Unlock {
        /// User name.
        username: String,
    },
}

/// The settings of this run (configuration file and environment).
static SETTINGS: std::sync::OnceLock<qaward::config::Settings> = std::sync::OnceLock::new();

fn settings() -> &'static qaward::config::Settings {
    SETTINGS.get_or_init(Default::default)
}

async fn open(data: &Path) -> Result<Store> {
    let store = match database_url() {
        Some(url) => Store::connect(&url)
            .await
            .with_context(|| "connecting to DATABASE_URL")?,
        _ => Store::open_dir(data)
            .await
            .with_context(|| format!("opening {}", data.display()))?,
    };
    store.migrate().await.context("migrating")?;
    Ok(store)
}

/// Open a database that must already exist (for commands that only read or copy it).
async fn open_existing(data: &Path) -> Result<Store> {
    let pg = database_url().is_some();
    if !pg && !data.join("qaward.db").exists() {
        bail!(
            "no database at {} (name the data directory with --data DIR, e.g. --data qaward-demo-data for the demo, or set DATABASE_URL)",
            data.join("qaward.db").display()
        );
    }
    open(data).await
}

/// The file store: `storage.files` (QAWARD_FILES), or DATA/files.
fn files_dir(data: &Path) -> PathBuf {
    settings()
        .get("storage.files")
        .map(PathBuf::from)
        .unwrap_or_else(|| data.join("files"))
}

/// The web server's settings (configuration file and environment): the file store, the
/// upload limits, the trusted proxy header, the metrics token.
fn web_config(data: &Path, secure_cookies: bool) -> Result<qaward_web::Config> {
    let st = settings();
    let mb = |k: &str, d: u64| -> Result<u64> { Ok(st.number(k)?.unwrap_or(d) * 1_048_576) };
    Ok(qaward_web::Config {
        secure_cookies: secure_cookies || st.flag("server.secure_cookies"),
        max_file: mb("storage.max_file_mb", 50)?,
        max_total: mb("storage.max_total_mb", 500)?,
        trusted_proxy_header: st.get("server.trusted_proxy_header"),
        metrics_token: st.get("server.metrics_token"),
        ..qaward_web::Config::new(files_dir(data))
    })
}

/// The mail worker, when `QAWARD_SMTP_URL` is set: a handle to stop it, and its task.
type MailWorker = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), qaward_web::mail::MailError>>,
);

fn start_mail(store: &Store) -> Result<Option<MailWorker>> {
    let url = settings().get("mail.smtp_url");
    let from = settings()
        .get("mail.from")
        .unwrap_or_else(|| qaward_web::mail::DEFAULT_FROM.to_owned());
    let Some(url) = url else {
        println!(
            "邮件: 未配置 QAWARD_SMTP_URL，通知邮件保留在发件箱（outbox）中，配置后自动发出。"
        );
        return Ok(None);
    };
    qaward_web::mail::smtp_transport(&url)?;
    qaward_web::mail::parse_from(&from)?;
    println!("邮件: 通过 SMTP 发送发件箱中的通知（发件人 {from}）。");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let store = store.clone();
    let task = tokio::spawn(async move {
        qaward_web::mail::run_outbox(store, &url, &from, async {
            let _ = stopped.await;
        })
        .await
    });
    Ok(Some((stop, task)))
}

/// The anchor file and its key: the paths given, else the configuration's. None when no
/// anchor file is set; an anchor file without a readable key is an error.
fn anchor_paths(file: Option<&Path>, key: Option<&Path>) -> Result<Option<(PathBuf, Vec<u8>)>> {
    let Some(file) = file
        .map(Path::to_owned)
        .or_else(|| settings().get("audit.anchor_file").map(PathBuf::from))
    else {
        return Ok(None);
    };
    let Some(key_file) = key
        .map(Path::to_owned)
        .or_else(|| settings().get("audit.anchor_key").map(PathBuf::from))
    else {
        bail!(
            "an anchor file needs its key: --key FILE or audit.anchor_key (qaward audit new-key FILE makes one)"
        );
    };
    let text = std::fs::read_to_string(&key_file)
        .with_context(|| format!("reading the anchor key {}", key_file.display()))?;
    let key = qaward_core::anchor::parse_key(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", key_file.display()))?;
    Ok(Some((file, key)))
}

/// Anchor the audit chain's head once, reporting a failure on standard error.
async fn anchor_once(store: &Store, file: &Path, key: &[u8]) {
    if let Err(e) = store.anchor_audit(file, key, jiff::Timestamp::now()).await {
        eprintln!("审计日志锚定失败 / anchoring failed: {e}");
    }
}

/// Anchor the chain's head every `minutes` while serving.
fn spawn_anchoring(
    store: Store,
    file: PathBuf,
    key: Vec<u8>,
    minutes: u64,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
        loop {
            tick.tick().await;
            anchor_once(&store, &file, &key).await;
        }
    })
}

async fn serve(
    store: Store,
    data: &Path,
    bind: &str,
    port: u16,
    secure_cookies: bool,
    demo_day: Option<jiff::civil::Date>,
) -> Result<()> {
    let mail = start_mail(&store)?;
    let listener = tokio::net::TcpListener::bind((bind, port))
        .await
        .with_context(|| format!("binding {bind}:{port}"))?;
    let addr = listener.local_addr()?;
    let public_url = settings()
        .get("server.public_url")
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("http://{addr}"));
    // The demo's clock starts on the day its data was built for and goes on from there, so
    // what is due in 30 days stays due whatever day the demo is started.
    let (clock, demo_day): (Arc<dyn qaward_core::clock::Clock>, _) = match demo_day {
        Some(day) => {
            let c = qaward_core::clock::ShiftedClock::starting_on(day);
            println!(
                "演示时钟：演示数据按 {day} 构建，系统日期从这一天起算（与实际日期相差 {} 天）。",
                -c.days()
            );
            (Arc::new(c), Some((day, c.days())))
        }
        None => (Arc::new(SystemClock), None),
    };
    let state = qaward_web::AppState::new(
        store,
        clock,
        qaward_web::Config {
            public_url: Some(public_url),
            anchor_file: anchor_paths(None, None)?.map(|(f, _)| f),
            demo_day,
            ..web_config(data, secure_cookies)?
        },
    );
    let interrupted = qaward_web::routes::report_jobs::interrupt_at_start(&state).await?;
    if interrupted > 0 {
        println!(
            "{interrupted} 个评审报告生成任务因上次停止而中断，已标记为“已中断”，可重新开始。"
        );
    }
    let reminders = qaward_web::spawn_report_reminders(state.store.clone(), state.clock.clone());
    let anchor_store = state.store.clone();
    let anchoring = match anchor_paths(None, None)? {
        Some((file, key)) => {
            let minutes = settings()
                .number("audit.anchor_minutes")?
                .unwrap_or(10)
                .max(1);
            println!(
                "审计日志锚定: 每{minutes}分钟将链头签名写入 {}",
                file.display()
            );
            Some(spawn_anchoring(state.store.clone(), file, key, minutes))
        }
        None => None,
    };
    println!("QAward 已启动: http://{addr}/");
    tokio::select! {
        r = qaward_web::serve(listener, state) => r?,
        _ = tokio::signal::ctrl_c() => println!("已停止。"),
    }
    reminders.abort();
    if let Some(a) = anchoring {
        a.abort();
        if let Some((file, key)) = anchor_paths(None, None)? {
            anchor_once(&anchor_store, &file, &key).await;
        }
    }
    if let Some((stop, task)) = mail {
        let _ = stop.send(());
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let loaded = qaward::config::Settings::load(cli.config.as_deref())?;
    let _ = SETTINGS.set(loaded);
    let data = cli
        .data
        .clone()
        .or_else(|| settings().get("storage.data").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("qaward-data"));
    match cli.cmd {
        Cmd::Serve {
            bind,
            port,
            secure_cookies,
        } => {
            let store = open(&data).await?;
            println!("数据库: {}", store.backend().name());
            if let Some(f) = &settings().source {
                println!("配置文件: {}", f.display());
            }
            let bind = bind
                .or_else(|| settings().get("server.bind"))
                .unwrap_or_else(|| "127.0.0.1".into());
            let port = match port {
                Some(p) => p,
                None => u16::try_from(settings().number("server.port")?.unwrap_or(8080))
                    .context("server.port is a port number")?,
            };
            serve(store, &data, &bind, port, secure_cookies, None).await?;
        }
        Cmd::Demo {
            bind,
            port,
            no_serve,
        } => {
            let demo_data = cli
                .data
                .clone()
                .unwrap_or_else(|| PathBuf::from("qaward-demo-data"));
            let marker = demo_data.join(".qaward-demo");
            if demo_data.exists() {
                if !marker.exists() && std::fs::read_dir(&demo_data)?.next().is_some() {
                    bail!(
                        "{} exists and is not a demo data directory; choose another with --data",
                        demo_data.display()
                    );
                }
                std::fs::remove_dir_all(&demo_data)?;
            }
            std::fs::create_dir_all(&demo_data)?;
            std::fs::write(
                &marker,
                "QAward demo data: fictional; replaced on every `qaward demo`.\n",
            )?;
            let store = Store::open_dir(&demo_data).await?;
            store.migrate().await?;
            let demo = qaward::demo::build(&store, &demo_data.join("files")).await?;
            println!(
                "QAward 演示数据已生成（演示数据，纯属虚构）: {}",
                demo_data.display()
            );
            println!("演示账号（密码均为 {}）:", qaward::demo::DEMO_PASSWORD);
            let mut shown = std::collections::BTreeSet::new();
            for l in &demo.logins {
                if shown.insert(l.username) {
                    println!("  {:<18} {:<24} {}", l.username, l.role, l.note);
                }
            }
            // Every other demo account, by name (applicants of each state, team members…).
            let others: Vec<_> = store
                .users()
                .await?
                .into_iter()
                .filter(|u| !shown.contains(u.username.as_str()))
                .collect();
            if !others.is_empty() {
                println!("其他演示账号:");
                for u in others {
                    println!("  {:<18} {}", u.username, u.display_name);
                }
            }
            if no_serve {
                return Ok(ExitCode::SUCCESS);
            }
            serve(
                store,
                &demo_data,
                &bind,
                port,
                false,
                Some(qaward::demo::DEMO_DAY),
            )
            .await?;
        }
        Cmd::Migrate => {
            let store = match database_url() {
                Some(url) => Store::connect(&url).await?,
                None => Store::open_dir(&data).await?,
            };
            let applied = store.migrate().await?;
            println!(
                "{} migration(s) applied on {}: {}",
                applied.len(),
                store.backend().name(),
                applied.join(", ")
            );
        }
        Cmd::Init => {
            let store = open(&data).await?;
            let (p, r) = qaward::setup::qingyuan(
                &store,
                qaward::setup::QINGYUAN_2020,
                jiff::Timestamp::now(),
            )
            .await?;
            println!("programme {p} (清远市政府质量奖) with rule set {r} created");
        }
        Cmd::Backup { file } => {
            let store = open_existing(&data).await?;
            let b = store.backup_archive(&file, &files_dir(&data)).await?;
            println!(
                "backup written: {} ({} bytes): database ({}), {} files for {} references, audit chain {} entries, head {}",
                file.display(),
                b.bytes,
                b.manifest.backend,
                b.manifest.files.len(),
                b.manifest.references,
                b.manifest.audit_entries,
                b.manifest.audit_head
            );
        }
        Cmd::Restore { file, check } => return restore(&data, &file, check).await,
        Cmd::Files {
            cmd: FilesCmd::Check,
        } => {
            let store = open_existing(&data).await?;
            let root = files_dir(&data);
            let (n, missing) = qaward_store::backup::check_files(&store, &root).await?;
            if !missing.is_empty() {
                for m in &missing {
                    eprintln!(
                        "{}：{}（{} #{}，SHA-256 {}）",
                        if m.damaged {
                            "损坏 damaged"
                        } else {
                            "缺失 missing"
                        },
                        m.reference.name,
                        m.reference.table,
                        m.reference.id,
                        m.reference.sha256
                    );
                }
                eprintln!(
                    "文件库检查未通过：{} 个文件缺失或损坏 / {} file(s) missing or damaged in {}",
                    missing.len(),
                    missing.len(),
                    root.display()
                );
                return Ok(ExitCode::from(2));
            }
            println!(
                "file store intact: {n} files present with their SHA-256 in {}",
                root.display()
            );
        }
        Cmd::Audit {
            cmd: AuditCmd::Verify { anchor, key },
        } => {
            let store = open_existing(&data).await?;
            match store.verify_audit().await? {
                Ok(v) => println!(
                    "audit chain intact: {} entries verified, head {}",
                    v.entries, v.head_hash
                ),
                Err(b) => {
                    eprintln!("audit chain BROKEN at entry {}: {}", b.seq, b.en);
                    eprintln!("审计日志哈希链校验失败：第{}条记录，{}", b.seq, b.zh);
                    return Ok(ExitCode::from(2));
                }
            }
            if let Some((file, key)) = anchor_paths(anchor.as_deref(), key.as_deref())? {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading the anchor file {}", file.display()))?;
                match store.verify_anchored(&text, &key).await? {
                    Ok(a) => match a.last {
                        Some((seq, hash, at)) => println!(
                            "anchors intact: {} lines of {} verified; last anchored entry {seq} ({at}, {hash}) is in the log of {} entries",
                            a.anchors,
                            file.display(),
                            a.entries
                        ),
                        None => println!("anchor file {} is empty", file.display()),
                    },
                    Err(fault) => {
                        eprintln!(
                            "审计日志与锚定不符 / the audit log does not match its anchors: {fault}"
                        );
                        return Ok(ExitCode::from(3));
                    }
                }
            }
        }
        Cmd::Audit {
            cmd: AuditCmd::Anchor { anchor, key },
        } => {
            let Some((file, key)) = anchor_paths(anchor.as_deref(), key.as_deref())? else {
                bail!("name the anchor file: --anchor FILE or audit.anchor_file");
            };
            let store = open_existing(&data).await?;
            match store
                .anchor_audit(&file, &key, jiff::Timestamp::now())
                .await?
            {
                Some(a) => println!(
                    "anchored entry {} ({}) in {}",
                    a.seq,
                    a.hash,
                    file.display()
                ),
                None => println!("head unchanged since the last anchor in {}", file.display()),
            }
        }
        Cmd::Audit {
            cmd: AuditCmd::NewKey { file },
        } => {
            use std::io::Write;
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let mut f = o
                .open(&file)
                .with_context(|| format!("creating {} (it must not exist yet)", file.display()))?;
            writeln!(f, "{}", qaward_store::accounts::random_token())?;
            println!(
                "anchor key written: {} (keep it away from the database and its backups)",
                file.display()
            );
        }
        Cmd::Rules {
            cmd: RulesCmd::Check { files },
        } => {
            let mut bad = 0;
            for f in &files {
                match check_file(f) {
                    Ok(RuleFile::RuleSet(r)) => println!(
                        "{}: ok — rule set {} v{} ({} to {})",
                        f.display(),
                        r.meta.id,
                        r.meta.version,
                        r.validity.from.value,
                        r.validity.to.value
                    ),
                    Ok(RuleFile::Criteria(c)) => println!(
                        "{}: ok — criteria {} ({} items, {} points)",
                        f.display(),
                        c.meta.id,
                        c.items().count(),
                        c.meta.total
                    ),
                    Err(e) => {
                        bad += 1;
                        eprintln!("{e}");
                    }
                }
            }
            if bad > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        Cmd::Rules {
            cmd: RulesCmd::Show { file, json },
        } => match check_file(&file) {
            Ok(f) => {
                if json {
                    println!("{}", serde_json::to_string_pretty(&f.to_json())?);
                } else {
                    print_rules(&f.to_json(), "");
                }
            }
            Err(e) => {
                eprintln!("{e}");
                return Ok(ExitCode::from(1));
            }
        },
        Cmd::User {
            cmd:
                UserCmd::Add {
                    username,
                    role,
                    name,
                },
        } => {
            let r = qaward_core::authz::Role::parse(&role)
                .filter(|r| r.is_admin())
                .context("--role is sys_admin, sec_admin or audit_admin")?;
            let password = match std::env::var("QAWARD_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut s = String::new();
                    std::io::stdin().read_line(&mut s)?;
                    s.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let store = open(&data).await?;
            let u = qaward_store::accounts::NewUser {
                display_name: name.unwrap_or_else(|| username.clone()),
                username,
                email: None,
                password,
                grants: vec![qaward_core::authz::Grant {
                    role: r,
                    programme_id: None,
                    county_id: None,
                    department_id: None,
                    organisation_id: None,
                }],
            };
            match store
                .create_user(&qaward_store::Who::system(), u, jiff::Timestamp::now())
                .await
            {
                Ok(id) => println!("account {id} created"),
                Err(qaward_store::Error::Invalid { zh, en, .. }) => bail!("{zh} / {en}"),
                Err(e) => return Err(e.into()),
            }
        }
        Cmd::User {
            cmd: UserCmd::Unlock { username },
        } => {
            let store = open_existing(&data).await?;
            if !store.users().await?.iter().any(|u| u.username == username) {
                bail!("no account named {username} / 没有用户名为 {username} 的账号");
            }
            let n = store
                .lift_sign_in_locks(
                    &qaward_store::Who::system(),
                    &username,
                    "",
                    jiff::Timestamp::now(),
                )
                .await?;
            println!(
                "已解除账号 {username} 的登录暂停（{n}项）/ sign-in pauses of {username} lifted: {n}"
            );
        }
        Cmd::Bench { cmd } => {
            let data = cli
                .data
                .clone()
                .unwrap_or_else(|| PathBuf::from("qaward-bench-data"));
            return bench(cmd, &data).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `qaward restore`: check the archive whole, then restore the database and the file store,
/// then check the restored audit chain and every file the restored database names.
async fn restore(data: &Path, file: &Path, check_only: bool) -> Result<ExitCode> {
    let archive = file.to_owned();
    let m = tokio::task::spawn_blocking(move || qaward_store::backup::check_archive(&archive))
        .await??;
    println!(
        "backup complete: database ({}), {} files, audit chain {} entries, taken {}",
        m.backend,
        m.files.len(),
        m.audit_entries,
        m.created_at
    );
    if check_only {
        return Ok(ExitCode::SUCCESS);
    }
    let root = files_dir(data);
    let store = match database_url() {
        Some(url) if url.starts_with("postgres") => {
            if m.backend != "postgres" {
                bail!(
                    "this backup is of a SQLite database: restore it into a data directory (without DATABASE_URL)"
                );
            }
            let store = Store::connect(&url).await?;
            let work = tempfile::tempdir()?;
            let dump = work.path().join("qaward.pgdump");
            let (a, mm, d, r) = (file.to_owned(), m.clone(), dump.clone(), root.clone());
            tokio::task::spawn_blocking(move || {
                qaward_store::backup::extract_archive(&a, &mm, &d, &r)
            })
            .await??;
            store.restore_postgres(&dump).await?;
            store
        }
        _ => {
            if m.backend != "sqlite" {
                bail!(
                    "this backup is of a PostgreSQL database: restore it with DATABASE_URL naming an empty database"
                );
            }
            let target = data.join("qaward.db");
            if target.exists() {
                bail!(
                    "{} exists; restore into an empty data directory",
                    target.display()
                );
            }
            std::fs::create_dir_all(data)?;
            let (a, mm, d, r) = (file.to_owned(), m.clone(), target.clone(), root.clone());
            tokio::task::spawn_blocking(move || {
                qaward_store::backup::extract_archive(&a, &mm, &d, &r)
            })
            .await??;
            Store::open_dir(data).await?
        }
    };
    store.migrate().await?;
    let v = match store.verify_audit().await? {
        Ok(v) => v,
        Err(b) => bail!("restored, but the audit chain is broken at {b}"),
    };
    let (n, missing) = qaward_store::backup::check_files(&store, &root).await?;
    if !missing.is_empty() {
        bail!(
            "restored, but {} file(s) the database names are missing or damaged in {}",
            missing.len(),
            root.display()
        );
    }
    println!(
        "restored: audit chain intact ({} entries), {n} files present with their SHA-256 in {}",
        v.entries,
        root.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `storage.database_url` (DATABASE_URL), when set.
fn database_url() -> Option<String> {
    settings().get("storage.database_url")
}

async fn bench(cmd: BenchCmd, data: &Path) -> Result<ExitCode> {
    use qaward::bench;
    let url = database_url();
    let backend = if url.is_some() { "postgres" } else { "sqlite" };
    let bin = std::env::current_exe()?;
    match cmd {
        BenchCmd::Seed {
            applications,
            counties,
            experts,
            team_size,
            unscored,
            drafts,
        } => {
            if url.is_none() && data.join("qaward.db").exists() {
                bail!(
                    "{} already holds a database; seed an empty data directory",
                    data.display()
                );
            }
            let store = open(data).await?;
            let o = bench::seed::SeedOptions {
                applications,
                counties,
                experts,
                team_size,
                unscored,
                drafts,
                progress: true,
            };
            let s = bench::seed::seed_and_record(&store, data, &o).await?;
            println!(
                "生成完毕 / seeded on {}: {} applications in {} counties, {} experts in {} teams, {} scores, {} planted conflicts, {} drafts — {:.1} s",
                store.backend().name(),
                s.counts.applications,
                s.counts.counties,
                s.counts.experts,
                s.counts.teams,
                s.counts.scores,
                s.counts.conflicts,
                s.drafts.len(),
                s.seconds
            );
            println!(
                "office sign-in: {} (password {})",
                s.office,
                bench::seed::BENCH_PASSWORD
            );
        }
        BenchCmd::Pages { secs, clients, out } => {
            let rows = bench::pages::run(&bin, data, url.as_deref(), &clients, secs).await?;
            bench::pages::print(backend, &rows);
            let p = bench::results_path(out, &format!("pages-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"backend": backend, "machine": bench::machine(), "seed": bench::read_seeded(data)?.counts, "rows": rows}),
            )?;
            println!("written: {}", p.display());
        }
        BenchCmd::Crash { rounds, out } => {
            bench::crash::fresh_dir(data)?;
            let o = bench::crash::CrashOptions {
                rounds,
                bin,
                data: data.to_owned(),
                database_url: url.clone(),
                submitters: 4,
                scorers: 6,
                kill_after_ms: (50, 1500),
            };
            let r = bench::crash::run(&o).await?;
            bench::crash::print(&r);
            let p = bench::results_path(out, &format!("crash-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"machine": bench::machine(), "report": r}),
            )?;
            println!("written: {}", p.display());
            if r.lost + r.integrity_failures + r.chain_failures > 0 || !r.problems.is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        BenchCmd::Backup {
            applications,
            restore_url,
            out,
        } => {
            bench::crash::fresh_dir(data)?;
            let r = bench::load::backup_under_load(
                &bin,
                data,
                url.as_deref(),
                restore_url.as_deref(),
                applications,
            )
            .await?;
            bench::load::print_backup(&r);
            let p = bench::results_path(out, &format!("backup-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"machine": bench::machine(), "report": r}),
            )?;
            println!("written: {}", p.display());
            if !(r.restored_chain_ok
                && r.prefix_ok
                && r.inconsistent == 0
                && r.tables_ahead.is_empty())
            {
                return Ok(ExitCode::from(2));
            }
        }
        BenchCmd::Surge {
            applicants,
            mb,
            concurrency,
            out,
        } => {
            bench::crash::fresh_dir(data)?;
            let r =
                bench::load::surge(&bin, data, url.as_deref(), applicants, mb, concurrency).await?;
            bench::load::print_surge(&r);
            let p = bench::results_path(out, &format!("surge-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"machine": bench::machine(), "report": r}),
            )?;
            println!("written: {}", p.display());
        }
        BenchCmd::Assign { out } => {
            let store = open_existing(data).await?;
            let r = bench::pages::assign(&store, data).await?;
            println!("{}", serde_json::to_string_pretty(&r)?);
            let p = bench::results_path(out, &format!("assign-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"machine": bench::machine(), "report": r}),
            )?;
            println!("written: {}", p.display());
        }
        BenchCmd::Statements { out } => {
            let rows = bench::statements::run(&bin, data, url.as_deref()).await?;
            bench::statements::print(backend, &rows);
            let p = bench::results_path(out, &format!("statements-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"backend": backend, "machine": bench::machine(), "rows": rows}),
            )?;
            println!("written: {}", p.display());
        }
        BenchCmd::Conflicts {
            experts,
            rounds,
            page,
            out,
        } => {
            let store = open_existing(data).await?;
            let rows =
                bench::conflicts::run(&store, &bin, data, url.as_deref(), experts, rounds, page)
                    .await?;
            bench::conflicts::print(backend, &rows);
            let p = bench::results_path(out, &format!("conflicts-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"backend": backend, "machine": bench::machine(), "rows": rows}),
            )?;
            println!("written: {}", p.display());
        }
        BenchCmd::Docs { renders, job, out } => {
            let r = tokio::task::spawn_blocking(move || bench::docs::report(renders)).await??;
            bench::docs::print_report(&r);
            let j = match job {
                Some(n) => {
                    let j = bench::docs::job(&bin, data, url.as_deref(), n).await?;
                    bench::docs::print_job(&j);
                    Some(j)
                }
                None => None,
            };
            let p = bench::results_path(out, &format!("docs-{backend}"));
            bench::write_json(
                &p,
                &serde_json::json!({"machine": bench::machine(), "report": r, "job": j}),
            )?;
            println!("written: {}", p.display());
        }
        BenchCmd::Bare { port } => bench::pages::serve_bare(port).await?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_rules(v: &serde_json::Value, prefix: &str) {
    if let Some(o) = v.as_object() {
        if o.contains_key("value") && (o.contains_key("article") || o.contains_key("basis")) {
            let basis = o
                .get("article")
                .map(|a| format!("第{a}条"))
                .or_else(|| o.get("basis").map(|b| b.to_string()))
                .unwrap_or_default();
            println!("{prefix:<48} {:<24} {basis}", o["value"].to_string());
            return;
        }
        for (k, x) in o {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            print_rules(x, &p);
        }
    } else {
        println!("{prefix:<48} {v}");
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
