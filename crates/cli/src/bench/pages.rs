//! Page benchmarks: the office's application list (filtered, sorted, paged), an application's
//! detail page, an applicant's dashboard, a reviewer's scorebook and the public session page,
//! each at 1, 10 and 50 concurrent clients, against a `qaward serve` child process; and a bare
//! axum handler served the same way as the ceiling.

use super::seed::Seeded;
use super::{Client, Server};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Page.
    pub page: String,
    /// Path requested.
    pub path: String,
    /// Concurrent clients.
    pub clients: usize,
    /// Requests completed.
    pub requests: usize,
    /// Requests per second.
    pub throughput: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Answers other than 200, and failed requests.
    pub errors: usize,
    /// Throughput as a fraction of the bare handler's at the same concurrency.
    pub of_ceiling: f64,
    /// Bytes of one answer.
    pub bytes: usize,
    /// Writes acknowledged per second by a reviewer saving scores during the measurement
    /// (0 when nothing was written): each write makes the cached pages stale.
    pub concurrent_writes_per_s: f64,
}

/// The bare axum server: one handler answering a short text.
pub async fn serve_bare(port: u16) -> anyhow::Result<()> {
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "ok" }))
        .route("/healthz", axum::routing::get(|| async { "ok" }));
    let l = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(l, app).await?;
    Ok(())
}

/// Whether `body` holds `marker`.
fn holds(body: &[u8], marker: &[u8]) -> bool {
    marker.is_empty() || body.windows(marker.len()).any(|w| w == marker)
}

/// Hammer `path` with `clients` concurrent loops for `secs`. Every answer must be a 200 whose
/// body holds `marker` (what shows the page is the one asked for, with its content); any other
/// answer counts as an error.
pub async fn measure(
    c: &Client,
    page: &str,
    path: &str,
    marker: &str,
    clients: usize,
    secs: f64,
) -> anyhow::Result<Row> {
    let (s, body) = c.get(path).await?;
    if s != 200 {
        anyhow::bail!("{page}: GET {path} answered {s}");
    }
    if !holds(body.as_bytes(), marker.as_bytes()) {
        anyhow::bail!("{page}: GET {path} does not show {marker:?}");
    }
    let marker = Arc::new(marker.as_bytes().to_vec());
    let bytes = body.len();
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let path = Arc::new(path.to_owned());
    for _ in 0..clients {
        let (c, path, marker) = (c.clone(), path.clone(), marker.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let t = Instant::now();
                match c.http.get(format!("{}{}", c.base, path)).send().await {
                    Ok(r) => {
                        let ok = r.status().as_u16() == 200;
                        match r.bytes().await {
                            Ok(b) if ok && holds(&b, &marker) => {}
                            _ => errors += 1,
                        }
                    }
                    Err(_) => errors += 1,
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        lat.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if lat.is_empty() {
            0.0
        } else {
            lat[((lat.len() as f64 - 1.0) * p).round() as usize]
        }
    };
    Ok(Row {
        page: page.to_owned(),
        path: path.to_string(),
        clients,
        requests: lat.len(),
        throughput: lat.len() as f64 / elapsed,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors,
        of_ceiling: 0.0,
        bytes,
        concurrent_writes_per_s: 0.0,
    })
}

/// Run every page at every concurrency level. `data` holds `bench-seed.json`.
pub async fn run(
    bin: &Path,
    data: &Path,
    url: Option<&str>,
    levels: &[usize],
    secs: f64,
) -> anyhow::Result<Vec<Row>> {
    let seeded: Seeded = super::read_seeded(data)?;
    let mut rows = Vec::new();
    // The ceiling first, alone on the machine.
    let bare = Server::start(bin, data, None, &["bench", "bare"]).await?;
    let anon = Client {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        base: bare.base.clone(),
        csrf: String::new(),
    };
    let mut ceiling = Vec::new();
    for &n in levels {
        let r = measure(&anon, "bare axum handler (ceiling)", "/", "ok", n, secs).await?;
        ceiling.push((n, r.throughput));
        rows.push(Row {
            of_ceiling: 1.0,
            ..r
        });
    }
    bare.kill().await;
    let of_ceiling = |n: usize, throughput: f64| {
        throughput
            / ceiling
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, t)| *t)
                .unwrap_or(1.0)
    };

    let server = Server::start(bin, data, url, &["serve"]).await?;
    let base = server.base.clone();
    let office = Client::sign_in(&base, &seeded.office).await?;
    let aid = seeded.applications[seeded.applications.len() / 2];
    let (app_id, applicant) = seeded
        .applicants
        .get(seeded.applicants.len() / 2)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no applicants in the seed"))?;
    let _ = app_id;
    let applicant = Client::sign_in(&base, &applicant).await?;
    let (book_app, reviewer) = seeded
        .scored
        .get(seeded.scored.len() / 2)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no scored applications in the seed"))?;
    let reviewer = Client::sign_in(&base, &reviewer).await?;
    let public = Client {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        base: base.clone(),
        csrf: String::new(),
    };
    let sid = seeded.review_session;
    let county = urlencoding_lite("虚构第3县");
    // (page, client, path, what its body must show)
    let targets: Vec<(&str, &Client, String, String)> = vec![
        (
            "office list (county filter, by score, page 2)",
            &office,
            format!("/office/sessions/{sid}/applications?county={county}&sort=score&page=2"),
            "<td><a href=\"/office/applications/".to_owned(),
        ),
        (
            "office list (all, by name, page 1)",
            &office,
            format!("/office/sessions/{sid}/applications?sort=name"),
            "<td><a href=\"/office/applications/".to_owned(),
        ),
        (
            "application detail (office)",
            &office,
            format!("/office/applications/{aid}"),
            format!("/office/sessions/{sid}/applications"),
        ),
        (
            "applicant dashboard",
            &applicant,
            "/dashboard".to_owned(),
            "我的工作台".to_owned(),
        ),
        (
            "reviewer scorebook",
            &reviewer,
            format!("/review/applications/{book_app}/score"),
            "独立评分表".to_owned(),
        ),
        (
            "public session page",
            &public,
            format!("/sessions/{sid}"),
            "<h1>".to_owned(),
        ),
    ];
    for (name, c, path, marker) in &targets {
        for &n in levels {
            let mut r = measure(c, name, path, marker, n, secs).await?;
            r.of_ceiling = of_ceiling(n, r.throughput);
            rows.push(r);
        }
    }
    // The list again while a reviewer saves scores without pause: every save moves the data
    // version, so most requests find their cached page stale and read the database.
    if let Some((book, user)) = seeded.unscored.first() {
        let writer = Client::sign_in(&base, user).await?;
        let (_, page) = writer
            .get(&format!("/review/applications/{book}/score"))
            .await?;
        let item = page
            .split("name=\"percent.")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| anyhow::anyhow!("no item in the scorebook of application {book}"))?
            .to_owned();
        let (name, c, path, marker) = &targets[0];
        for &n in levels {
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let saving = {
                let (writer, item, stop) = (writer.clone(), item.clone(), stop.clone());
                let book = *book;
                tokio::spawn(async move {
                    let mut saved = 0usize;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let v = 30 + (saved % 8) * 5;
                        let field = vec![(format!("percent.{item}"), v.to_string())];
                        if let Ok(true) = writer.save_scores(book, &field).await {
                            saved += 1;
                        }
                    }
                    saved
                })
            };
            let started = Instant::now();
            let mut r = measure(c, &format!("{name} + writes"), path, marker, n, secs).await?;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let saved = saving.await?;
            r.concurrent_writes_per_s = saved as f64 / started.elapsed().as_secs_f64();
            r.of_ceiling = of_ceiling(n, r.throughput);
            rows.push(r);
        }
    }
    server.kill().await;
    Ok(rows)
}

/// Percent-encode a query value.
pub fn urlencoding_lite(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Print the table.
pub fn print(backend: &str, rows: &[Row]) {
    println!("页面性能 / page benchmarks ({backend})");
    println!(
        "{:<48} {:>7} {:>9} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9}",
        "page", "clients", "req/s", "p50 ms", "p99 ms", "errors", "ceiling", "bytes", "writes/s"
    );
    for r in rows {
        println!(
            "{:<48} {:>7} {:>9.0} {:>9.2} {:>9.2} {:>7} {:>8.0}% {:>9} {:>9.0}",
            r.page,
            r.clients,
            r.throughput,
            r.p50_ms,
            r.p99_ms,
            r.errors,
            r.of_ceiling * 100.0,
            r.bytes,
            r.concurrent_writes_per_s
        );
    }
}

/// The optimiser at size, through the store: the problem read from the database (conflict
/// detection included), the proposal, and its certificate of optimality.
pub async fn assign(store: &qaward_store::Store, data: &Path) -> anyhow::Result<serde_json::Value> {
    let seeded: Seeded = super::read_seeded(data)?;
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let rss0 = super::peak_kb_of(std::process::id()).unwrap_or(0);
    let t = Instant::now();
    let p = store
        .assignment_problem(seeded.review_session, 20_261_125, today)
        .await?;
    let t_problem = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let prop = qaward_core::assignment::propose(&p);
    let t_propose = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cert = qaward_core::assignment::certify(&p, &prop);
    let t_certify = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let bound = qaward_core::assignment::lower_bound(&p, prop.assignments.len());
    let t_bound = t.elapsed().as_secs_f64();
    let rss1 = super::peak_kb_of(std::process::id()).unwrap_or(0);
    // The parts of the problem's reading, one by one: the applications, the pool with its
    // histories, and the conflict detection through the applicants' index.
    let t = Instant::now();
    let apps = store.review_applications(seeded.review_session).await?;
    let t_apps = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let pid = store
        .session_detail(seeded.review_session)
        .await?
        .session
        .programme_id;
    let pool = store.experts(pid).await?;
    let t_pool = t.elapsed().as_secs_f64();
    let lookback = super::lookback_years(store, seeded.review_session).await?;
    let members: std::collections::HashSet<i64> = p
        .teams
        .iter()
        .flat_map(|t| t.members.iter().map(|m| m.expert_id))
        .collect();
    let t = Instant::now();
    let facts: Vec<_> = apps
        .iter()
        .map(qaward_store::experts::applicant_facts_of)
        .collect();
    let index = qaward_core::experts::conflict::ApplicantIndex::new(&facts);
    let (mut examined, mut found) = (0usize, 0usize);
    for e in pool.iter().filter(|e| members.contains(&e.id)) {
        let ef = e.facts();
        examined += index.candidates(&ef).len();
        found += index.conflicts(&ef, today, lookback).len();
    }
    let t_conflicts = t.elapsed().as_secs_f64();
    Ok(serde_json::json!({
        "applications": p.applications.len(),
        "teams": p.teams.len(),
        "experts": p.teams.iter().map(|t| t.members.len()).sum::<usize>(),
        "conflicts_found": p.conflicts.len(),
        "load_max": p.load_max,
        "placed": prop.assignments.len(),
        "unplaced": prop.unplaced.len(),
        "cost": prop.cost,
        "seconds_problem_from_store": t_problem,
        "seconds_propose": t_propose,
        "seconds_certify": t_certify,
        "certified_optimal": cert.is_ok(),
        "certificate_error": cert.err(),
        "lower_bound": bound,
        "optimal_by_lower_bound": bound == Some(prop.cost),
        "seconds_lower_bound": t_bound,
        "seconds_read_applications": t_apps,
        "seconds_read_pool": t_pool,
        "seconds_conflict_detection": t_conflicts,
        "conflict_pairs_examined": examined,
        "conflict_pairs_found": found,
        "expert_applicant_pairs": members.len() * apps.len(),
        "peak_rss_mb_before": rss0 as f64 / 1024.0,
        "peak_rss_mb_after": rss1 as f64 / 1024.0,
    }))
}
