//! `qaward`: serve, demo, migrate, backup, restore, audit verify, rules check/show, user add.

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
    /// Data directory for the SQLite database (ignored when DATABASE_URL names PostgreSQL);
    /// default `qaward-data`, or `qaward-demo-data` for `demo`.
    #[arg(long, global = true, env = "QAWARD_DATA")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web application.
    Serve {
        /// Address to bind.
        #[arg(long, env = "QAWARD_BIND", default_value = "127.0.0.1")]
        bind: String,
        /// Port.
        #[arg(long, env = "QAWARD_PORT", default_value_t = 8080)]
        port: u16,
        /// Mark cookies Secure (when served behind HTTPS).
        #[arg(long, env = "QAWARD_SECURE_COOKIES")]
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
    /// Write an online, consistent backup to FILE.
    Backup {
        /// Where.
        file: PathBuf,
    },
    /// Restore a backup into an empty database (SQLite: into the data directory).
    Restore {
        /// The backup.
        file: PathBuf,
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
enum AuditCmd {
    /// Verify the hash chain; exits non-zero naming the first bad entry.
    Verify,
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
}

async fn open(data: &Path) -> Result<Store> {
    let store = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Store::connect(&url)
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
    let pg = std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if !pg && !data.join("qaward.db").exists() {
        bail!(
            "no database at {} (name the data directory with --data DIR, e.g. --data qaward-demo-data for the demo, or set DATABASE_URL)",
            data.join("qaward.db").display()
        );
    }
    open(data).await
}

/// Settings from the environment: QAWARD_FILES (default DATA/files), QAWARD_MAX_FILE_MB (50),
/// QAWARD_MAX_TOTAL_MB (500). QAWARD_PUBLIC_URL (default the bound address) is read in `serve`.
fn web_config(data: &Path, secure_cookies: bool) -> qaward_web::Config {
    let files = std::env::var("QAWARD_FILES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| data.join("files"));
    let mb = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(d)
            * 1_048_576
    };
    qaward_web::Config {
        secure_cookies,
        max_file: mb("QAWARD_MAX_FILE_MB", 50),
        max_total: mb("QAWARD_MAX_TOTAL_MB", 500),
        ..qaward_web::Config::new(files)
    }
}

/// The mail worker, when `QAWARD_SMTP_URL` is set: a handle to stop it, and its task.
type MailWorker = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), qaward_web::mail::MailError>>,
);

fn start_mail(store: &Store) -> Result<Option<MailWorker>> {
    let url = std::env::var("QAWARD_SMTP_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    let from = std::env::var("QAWARD_MAIL_FROM")
        .ok()
        .filter(|f| !f.trim().is_empty())
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

async fn serve(
    store: Store,
    data: &Path,
    bind: &str,
    port: u16,
    secure_cookies: bool,
) -> Result<()> {
    let mail = start_mail(&store)?;
    let listener = tokio::net::TcpListener::bind((bind, port))
        .await
        .with_context(|| format!("binding {bind}:{port}"))?;
    let addr = listener.local_addr()?;
    let public_url = std::env::var("QAWARD_PUBLIC_URL")
        .ok()
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("http://{addr}"));
    let state = qaward_web::AppState::new(
        store,
        Arc::new(SystemClock),
        qaward_web::Config {
            public_url: Some(public_url),
            ..web_config(data, secure_cookies)
        },
    );
    let interrupted = qaward_web::routes::report_jobs::interrupt_at_start(&state).await?;
    if interrupted > 0 {
        println!(
            "{interrupted} 个评审报告生成任务因上次停止而中断，已标记为“已中断”，可重新开始。"
        );
    }
    let reminders = qaward_web::spawn_report_reminders(state.store.clone(), state.clock.clone());
    println!("QAward 已启动: http://{addr}/");
    tokio::select! {
        r = qaward_web::serve(listener, state) => r?,
        _ = tokio::signal::ctrl_c() => println!("已停止。"),
    }
    reminders.abort();
    if let Some((stop, task)) = mail {
        let _ = stop.send(());
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let data = cli
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from("qaward-data"));
    match cli.cmd {
        Cmd::Serve {
            bind,
            port,
            secure_cookies,
        } => {
            let store = open(&data).await?;
            println!("数据库: {}", store.backend().name());
            serve(store, &data, &bind, port, secure_cookies).await?;
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
            for l in &demo.logins {
                println!("  {:<18} {:<24} {}", l.username, l.role, l.note);
            }
            if no_serve {
                return Ok(ExitCode::SUCCESS);
            }
            serve(store, &demo_data, &bind, port, false).await?;
        }
        Cmd::Migrate => {
            let store = match std::env::var("DATABASE_URL") {
                Ok(url) if !url.is_empty() => Store::connect(&url).await?,
                _ => Store::open_dir(&data).await?,
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
            store.backup(&file).await?;
            println!("backup written: {}", file.display());
        }
        Cmd::Restore { file } => match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let store = Store::connect(&url).await?;
                store.restore_postgres(&file).await?;
                println!("restored into PostgreSQL");
            }
            _ => {
                let target = data.join("qaward.db");
                if target.exists() {
                    bail!(
                        "{} exists; restore into an empty data directory",
                        target.display()
                    );
                }
                std::fs::create_dir_all(&data)?;
                std::fs::copy(&file, &target)?;
                let store = Store::open_dir(&data).await?;
                match store.verify_audit().await? {
                    Ok(v) => println!(
                        "restored into {}: audit chain intact ({} entries)",
                        target.display(),
                        v.entries
                    ),
                    Err(b) => bail!("restored, but the audit chain is broken at {b}"),
                }
            }
        },
        Cmd::Audit {
            cmd: AuditCmd::Verify,
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

fn database_url() -> Option<String> {
    std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty())
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
