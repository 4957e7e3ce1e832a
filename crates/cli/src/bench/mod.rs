//! `qaward bench …`: proof at scale. A data generator, page benchmarks against a bare-axum
//! ceiling, crash safety under SIGKILL, backup under load, and the optimiser at size.
//! BENCHMARKS.md at the repository root holds the numbers measured and how to reproduce them.

pub mod conflicts;
pub mod crash;
pub mod docs;
pub mod load;
pub mod pages;
pub mod seed;
pub mod statements;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The generator's summary, written next to the data.
pub const SEED_FILE: &str = "bench-seed.json";

/// A progress bar on standard error.
pub struct Progress {
    label: &'static str,
    total: usize,
    done: usize,
    shown: usize,
    started: Instant,
    on: bool,
}

impl Progress {
    /// A bar of `total` steps; silent when `on` is false.
    pub fn new(label: &'static str, total: usize, on: bool) -> Progress {
        Progress {
            label,
            total: total.max(1),
            done: 0,
            shown: usize::MAX,
            started: Instant::now(),
            on,
        }
    }

    /// `n` more steps done.
    pub fn tick(&mut self, n: usize) {
        self.done = (self.done + n).min(self.total);
        let pct = self.done * 100 / self.total;
        if self.on && pct != self.shown {
            self.shown = pct;
            let filled = pct * 40 / 100;
            eprint!(
                "\r{} [{}{}] {:>3}% {}/{} {:.0}s",
                self.label,
                "#".repeat(filled),
                " ".repeat(40 - filled),
                pct,
                self.done,
                self.total,
                self.started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    }

    /// Finish the line.
    pub fn done(&mut self) {
        if self.on {
            self.tick(self.total);
            eprintln!();
        }
    }
}

/// The seed summary of a data directory.
pub fn read_seeded(data: &Path) -> anyhow::Result<seed::Seeded> {
    let p = data.join(SEED_FILE);
    let bytes = std::fs::read(&p).map_err(|e| {
        anyhow::anyhow!(
            "{}: {e} (run `qaward bench seed` on this data directory first)",
            p.display()
        )
    })?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// A `qaward serve` child process on a free port.
pub struct Server {
    /// The process.
    pub child: tokio::process::Child,
    /// Base URL.
    pub base: String,
}

/// A free local port.
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    /// Start `bin serve` on `data` (or on `database_url`) and wait until it answers.
    pub async fn start(
        bin: &Path,
        data: &Path,
        database_url: Option<&str>,
        args: &[&str],
    ) -> anyhow::Result<Server> {
        let port = free_port()?;
        let mut cmd = tokio::process::Command::new(bin);
        cmd.arg("--data")
            .arg(data)
            .args(args)
            .arg("--port")
            .arg(port.to_string())
            .env("RUST_LOG", "warn")
            .env_remove("QAWARD_SMTP_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        match database_url {
            Some(u) => cmd.env("DATABASE_URL", u),
            None => cmd.env_remove("DATABASE_URL"),
        };
        let child = cmd.spawn()?;
        Server::wait_up(child, port).await
    }

    /// The server `child` listening on `port`, once it answers.
    pub(crate) async fn wait_up(child: tokio::process::Child, port: u16) -> anyhow::Result<Server> {
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            if Instant::now() > deadline {
                anyhow::bail!("the server at {base} did not come up within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Server { child, base })
    }

    /// Peak resident memory of the process so far (VmHWM), in kB.
    pub fn peak_kb(&self) -> Option<u64> {
        let pid = self.child.id()?;
        peak_kb_of(pid)
    }

    /// SIGKILL, and wait for it to be gone.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// VmHWM of a process, in kB.
pub fn peak_kb_of(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// The conflict look-back period of a session's rule set, in years.
pub async fn lookback_years(store: &qaward_store::Store, session: i64) -> anyhow::Result<u32> {
    Ok(store
        .session_detail(session)
        .await?
        .rules
        .review
        .conflict_lookback_years
        .value)
}

/// A signed-in browser-like client.
#[derive(Clone)]
pub struct Client {
    /// HTTP client with its cookie jar.
    pub http: reqwest::Client,
    /// Base URL.
    pub base: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// The hidden CSRF token in a page.
pub fn csrf_in(body: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    body.find(key)
        .map(|i| body[i + key.len()..].chars().take(64).collect())
        .unwrap_or_default()
}

impl Client {
    /// Sign `username` in with the generator's password.
    pub async fn sign_in(base: &str, username: &str) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(4)
            .build()?;
        let page = http
            .get(format!("{base}/login"))
            .send()
            .await?
            .text()
            .await?;
        let token = csrf_in(&page);
        let r = http
            .post(format!("{base}/login"))
            .form(&[
                ("username", username),
                ("password", seed::BENCH_PASSWORD),
                ("next", "/dashboard"),
                ("csrf", token.as_str()),
            ])
            .send()
            .await?;
        if r.status().as_u16() != 303 {
            anyhow::bail!("{username} could not sign in: {}", r.status());
        }
        let page = http
            .get(format!("{base}/account/password"))
            .send()
            .await?
            .text()
            .await?;
        Ok(Client {
            http,
            base: base.to_owned(),
            csrf: csrf_in(&page),
        })
    }

    /// Point the same signed-in client at another address (after a restart).
    pub fn at(&self, base: &str) -> Client {
        Client {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    /// POST a form with the token; the status and where it redirects to.
    pub async fn post(
        &self,
        path: &str,
        fields: &[(String, String)],
    ) -> reqwest::Result<(u16, String)> {
        let mut form = fields.to_vec();
        form.push(("csrf".into(), self.csrf.clone()));
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await?;
        let s = r.status().as_u16();
        let to = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let _ = r.bytes().await?;
        Ok((s, to))
    }

    /// Submit an application; whether the server acknowledged it (a redirect to the receipt).
    pub async fn submit(&self, aid: i64) -> reqwest::Result<bool> {
        let (s, to) = self
            .post(&format!("/applications/{aid}/submit"), &[])
            .await?;
        Ok(s == 303 && to == format!("/applications/{aid}/receipt"))
    }

    /// Save scores; whether the server acknowledged it (a redirect to the saved scorebook).
    pub async fn save_scores(
        &self,
        aid: i64,
        fields: &[(String, String)],
    ) -> reqwest::Result<bool> {
        let (s, to) = self
            .post(&format!("/review/applications/{aid}/score"), fields)
            .await?;
        Ok(s == 303 && to.starts_with(&format!("/review/applications/{aid}/score?saved=1")))
    }

    /// GET; status and body.
    pub async fn get(&self, path: &str) -> reqwest::Result<(u16, String)> {
        let r = self.http.get(format!("{}{path}", self.base)).send().await?;
        let s = r.status().as_u16();
        Ok((s, r.text().await?))
    }
}

/// The machine, as printed in reports.
pub fn machine() -> serde_json::Value {
    let mem_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_default();
    serde_json::json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu": cpu,
        "memory_mb": mem_kb / 1024,
        "os": std::env::consts::OS,
    })
}

/// Where a benchmark writes its JSON: `bench-results/<name>.json` in the working directory
/// unless told otherwise.
pub fn results_path(out: Option<PathBuf>, name: &str) -> PathBuf {
    out.unwrap_or_else(|| PathBuf::from("bench-results").join(format!("{name}.json")))
}

/// Write `v` as pretty JSON to `path`, creating its directory.
pub fn write_json(path: &Path, v: &serde_json::Value) -> anyhow::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(v)?)?;
    Ok(())
}
