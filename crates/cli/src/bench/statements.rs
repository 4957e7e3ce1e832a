//! `qaward bench statements`: how many SQL statements one request runs. The server is
//! started with sqlx's statement log on (`RUST_LOG=sqlx::query=debug`); each request of the
//! bench carries a label (`x-qaward-bench`) that the server records on the request's span, so
//! every statement logged is counted against the request that ran it, whatever else the
//! server does meanwhile. Requests go one at a time, each measured warm (after the same
//! request once, so that read caches are as a person's second visit finds them).

use super::seed::Seeded;
use super::{Client, Server};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncBufReadExt;

/// The request header that names a request in the server's log.
pub const LABEL_HEADER: &str = "x-qaward-bench";

/// One request measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Count {
    /// What was asked.
    pub request: String,
    /// Its answer's status.
    pub status: u16,
    /// Statements logged for it.
    pub statements: usize,
    /// Of those, the ones that write (INSERT, UPDATE, DELETE, BEGIN, COMMIT and the like).
    pub writes: usize,
}

/// The statements of each label, as the server logs them.
#[derive(Default)]
struct Log {
    by_label: BTreeMap<String, (usize, usize)>,
}

/// Count the statements of a handful of requests against the seeded data in `data`.
pub async fn run(bin: &Path, data: &Path, url: Option<&str>) -> anyhow::Result<Vec<Count>> {
    let seeded: Seeded = super::read_seeded(data)?;
    let log = Arc::new(Mutex::new(Log::default()));
    let server = Server::start_with_log(
        bin,
        data,
        url,
        &["serve"],
        "warn,sqlx::query=debug,qaward_web::ctx=debug",
        {
            let log = log.clone();
            move |line: &str| {
                let Some(i) = line.find("request{label=\"") else {
                    return;
                };
                if !line.contains("sqlx::query") {
                    return;
                }
                let rest = &line[i + "request{label=\"".len()..];
                let Some(label) = rest.split('"').next() else {
                    return;
                };
                let sql = line
                    .split("summary=")
                    .nth(1)
                    .or_else(|| line.split("db.statement=").nth(1))
                    .unwrap_or("")
                    .trim_start_matches(['"', '\\', ' ', '\n'])
                    .to_ascii_uppercase();
                let write = ["INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK"]
                    .iter()
                    .any(|w| sql.starts_with(w));
                let mut l = log.lock().unwrap_or_else(|e| e.into_inner());
                let e = l.by_label.entry(label.to_owned()).or_default();
                e.0 += 1;
                if write {
                    e.1 += 1;
                }
            }
        },
    )
    .await?;
    let base = server.base.clone();
    let office = Client::sign_in(&base, &seeded.office).await?;
    let (book, user) = seeded
        .unscored
        .first()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the seed has no unscored scorebook"))?;
    let reviewer = Client::sign_in(&base, &user).await?;
    let aid = seeded.applications[seeded.applications.len() / 2];
    let (_, page) = reviewer
        .get(&format!("/review/applications/{book}/score"))
        .await?;
    let items: Vec<String> = page
        .split("name=\"percent.")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect();
    if items.is_empty() {
        anyhow::bail!("no item in the scorebook of application {book}");
    }
    let one = |p: u32| vec![(format!("percent.{}", items[0]), p.to_string())];
    let all = |p: u32| -> Vec<(String, String)> {
        items
            .iter()
            .map(|i| (format!("percent.{i}"), p.to_string()))
            .collect()
    };
    let mut out = Vec::new();
    let mut measure = async |label: &str,
                             c: &Client,
                             path: String,
                             form: Option<Vec<(String, String)>>|
           -> anyhow::Result<()> {
        // Once unlabelled (warm), then labelled.
        for labelled in [false, true] {
            let mut req = match &form {
                Some(f) => {
                    let mut f = f.clone();
                    f.push(("csrf".into(), c.csrf.clone()));
                    c.http.post(format!("{}{path}", c.base)).form(&f)
                }
                None => c.http.get(format!("{}{path}", c.base)),
            };
            if labelled {
                req = req.header(LABEL_HEADER, label);
            }
            let r = req.send().await?;
            let status = r.status().as_u16();
            let _ = r.bytes().await?;
            if labelled {
                // The log is written as the request runs; give the reader a moment.
                tokio::time::sleep(Duration::from_millis(300)).await;
                let (statements, writes) = log
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .by_label
                    .get(label)
                    .copied()
                    .unwrap_or_default();
                out.push(Count {
                    request: label.to_owned(),
                    status,
                    statements,
                    writes,
                });
            }
        }
        Ok(())
    };
    let score = format!("/review/applications/{book}/score");
    measure(
        "GET application detail (office)",
        &office,
        format!("/office/applications/{aid}"),
        None,
    )
    .await?;
    measure("GET reviewer scorebook", &reviewer, score.clone(), None).await?;
    measure(
        "POST scorebook: one item changed",
        &reviewer,
        score.clone(),
        Some(one(55)),
    )
    .await?;
    measure(
        "POST scorebook autosave: one item",
        &reviewer,
        format!("{score}/autosave"),
        Some(one(60)),
    )
    .await?;
    measure(
        "POST scorebook submit: every item",
        &reviewer,
        format!("{score}/submit"),
        Some(all(65)),
    )
    .await?;
    server.kill().await;
    Ok(out)
}

/// Print the table.
pub fn print(backend: &str, rows: &[Count]) {
    println!("每个请求的SQL语句数 / SQL statements per request ({backend})");
    println!(
        "{:<40} {:>6} {:>11} {:>7}",
        "request", "status", "statements", "writes"
    );
    for r in rows {
        println!(
            "{:<40} {:>6} {:>11} {:>7}",
            r.request, r.status, r.statements, r.writes
        );
    }
}

impl Server {
    /// As [`Server::start`], with the server's log filtered by `rust_log` and each of its
    /// lines handed to `on_line` as it is written.
    pub async fn start_with_log(
        bin: &Path,
        data: &Path,
        database_url: Option<&str>,
        args: &[&str],
        rust_log: &str,
        on_line: impl Fn(&str) + Send + 'static,
    ) -> anyhow::Result<Server> {
        let port = super::free_port()?;
        let mut cmd = tokio::process::Command::new(bin);
        cmd.arg("--data")
            .arg(data)
            .args(args)
            .arg("--port")
            .arg(port.to_string())
            .env("RUST_LOG", rust_log)
            .env("NO_COLOR", "1")
            .env_remove("QAWARD_SMTP_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        match database_url {
            Some(u) => cmd.env("DATABASE_URL", u),
            None => cmd.env_remove("DATABASE_URL"),
        };
        let mut child = cmd.spawn()?;
        if let Some(err) = child.stderr.take() {
            tokio::spawn(async move {
                let mut lines = tokio::io::BufReader::new(err).lines();
                while let Ok(Some(l)) = lines.next_line().await {
                    on_line(&l);
                }
            });
        }
        Server::wait_up(child, port).await
    }
}
