//! `qaward bench conflicts`: one expert's conflict check (Art. 25) against every application in
//! review, at the size of the seeded session. Times `Store::conflict_check` in this process for
//! a few experts of the pool (half of them with a conflict in the data, half without), then the
//! office's page of the same experts (`/office/experts/{id}`, which shows that check) through a
//! `qaward serve` child process.

use super::seed::Seeded;
use super::{Client, Server};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// One expert's measurements.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Expert id.
    pub expert_id: i64,
    /// Applications checked.
    pub applications: usize,
    /// Applications with at least one conflict.
    pub conflicted: usize,
    /// Conflicts found, over every application.
    pub conflicts: usize,
    /// `Store::conflict_check`, each round, ms.
    pub check_ms: Vec<f64>,
    /// The office's page of the expert, each round, ms (empty without `--page`).
    pub page_ms: Vec<f64>,
    /// Bytes of the page.
    pub page_bytes: usize,
}

/// The experts measured: `n` of the programme's pool, half of them (rounded up) with a
/// conflict in the data, found through the applicants' index, the rest spread over the others.
async fn chosen(
    store: &qaward_store::Store,
    seeded: &Seeded,
    n: usize,
    today: jiff::civil::Date,
) -> anyhow::Result<Vec<qaward_store::experts::Expert>> {
    let pool = store.experts(seeded.programme_id).await?;
    let apps = store.review_applications(seeded.review_session).await?;
    let lookback = super::lookback_years(store, seeded.review_session).await?;
    let facts: Vec<_> = apps
        .iter()
        .map(qaward_store::experts::applicant_facts_of)
        .collect();
    let index = qaward_core::experts::conflict::ApplicantIndex::new(&facts);
    let (with, without): (Vec<_>, Vec<_>) = pool
        .into_iter()
        .partition(|e| !index.conflicts(&e.facts(), today, lookback).is_empty());
    let n_with = n.div_ceil(2).min(with.len());
    let n_without = (n - n_with).min(without.len());
    let mut out: Vec<_> = with.into_iter().take(n_with).collect();
    let step = (without.len() / n_without.max(1)).max(1);
    out.extend(without.into_iter().step_by(step).take(n_without));
    Ok(out)
}

/// Measure `experts` experts, `rounds` times each; with `page`, their office page too.
pub async fn run(
    store: &qaward_store::Store,
    bin: &Path,
    data: &Path,
    url: Option<&str>,
    experts: usize,
    rounds: usize,
    page: bool,
) -> anyhow::Result<Vec<Row>> {
    let seeded: Seeded = super::read_seeded(data)?;
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let chosen = chosen(store, &seeded, experts, today).await?;
    let mut rows = Vec::new();
    for e in &chosen {
        let mut check_ms = Vec::new();
        let mut last = Vec::new();
        for _ in 0..rounds.max(1) {
            let t = Instant::now();
            last = store.conflict_check(e, today).await?;
            check_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        rows.push(Row {
            expert_id: e.id,
            applications: last.len(),
            conflicted: last.iter().filter(|k| !k.conflicts.is_empty()).count(),
            conflicts: last.iter().map(|k| k.conflicts.len()).sum(),
            check_ms,
            page_ms: Vec::new(),
            page_bytes: 0,
        });
    }
    if page {
        let server = Server::start(bin, data, url, &["serve"]).await?;
        let office = Client::sign_in(&server.base, &seeded.office).await?;
        for r in &mut rows {
            let path = format!("/office/experts/{}", r.expert_id);
            for _ in 0..rounds.max(1) {
                let t = Instant::now();
                let (s, body) = office.get(&path).await?;
                r.page_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                if s != 200 || !body.contains("利益冲突核查") {
                    anyhow::bail!("GET {path} answered {s} without the conflict check");
                }
                r.page_bytes = body.len();
            }
        }
        server.kill().await;
    }
    Ok(rows)
}

/// The median of some timings.
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Print the table.
pub fn print(backend: &str, rows: &[Row]) {
    println!("利益冲突核查 / an expert's conflict check ({backend})");
    println!(
        "{:>8} {:>12} {:>10} {:>9} {:>14} {:>14} {:>12}",
        "expert",
        "applications",
        "conflicted",
        "conflicts",
        "check p50 ms",
        "page p50 ms",
        "page bytes"
    );
    for r in rows {
        println!(
            "{:>8} {:>12} {:>10} {:>9} {:>14.1} {:>14.1} {:>12}",
            r.expert_id,
            r.applications,
            r.conflicted,
            r.conflicts,
            median(&r.check_ms),
            median(&r.page_ms),
            r.page_bytes
        );
    }
}
