//! Proof at scale, in small: the data generator, crash safety under SIGKILL and a backup taken
//! while writes go on. The full-size runs are `qaward bench …` (BENCHMARKS.md).

use crate::helpers::{backend_is_postgres, fresh_store};
use qaward::bench;
use qaward::bench::seed::SeedOptions;
use qaward_store::Store;
use sqlx::Row;
use std::path::PathBuf;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_qaward"))
}

/// An empty (not migrated) PostgreSQL database; its URL.
async fn empty_pg() -> String {
    let admin = std::env::var("QAWARD_TEST_PG").expect("QAWARD_TEST_PG");
    let name = format!("qaward_bench_{}", rand::random::<u64>());
    let a = Store::connect(&admin).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(a.pool())
        .await
        .expect("create database");
    a.close().await;
    format!("{}/{name}", admin.rsplit_once('/').expect("url").0)
}

/// A seeded programme of 120 applications in 4 counties with 15 experts, in a fresh data
/// directory (`data` inside the returned one) or a fresh PostgreSQL database (its URL).
async fn small_seed() -> (
    tempfile::TempDir,
    Option<String>,
    Store,
    bench::seed::Seeded,
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = if backend_is_postgres() {
        Some(empty_pg().await)
    } else {
        None
    };
    let store = match &url {
        Some(u) => Store::connect(u).await.unwrap(),
        None => Store::open_dir(&data).await.unwrap(),
    };
    store.migrate().await.unwrap();
    let s = bench::seed::seed_and_record(
        &store,
        &data,
        &SeedOptions {
            applications: 120,
            counties: 4,
            experts: 15,
            team_size: 5,
            unscored: 0,
            drafts: 0,
            progress: false,
        },
    )
    .await
    .unwrap();
    (dir, url, store, s)
}

#[tokio::test]
async fn the_generator_builds_a_programme_in_review_whose_audit_chain_verifies() {
    let (store, _dir) = fresh_store().await;
    let files = tempfile::tempdir().unwrap();
    let s = bench::seed::seed(
        &store,
        files.path(),
        &SeedOptions {
            applications: 300,
            counties: 12,
            experts: 60,
            team_size: 5,
            unscored: 5,
            drafts: 4,
            progress: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(s.applications.len(), 300);
    assert_eq!(s.counts.teams, 12);
    assert_eq!(s.counts.conflicts, 3, "about 1 % of the applications");
    let d = store.session_detail(s.review_session).await.unwrap();
    assert_eq!(d.session.stage, qaward_core::session::Stage::MaterialReview);
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM counties WHERE programme_id = $1")
        .bind(s.programme_id)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 12);
    // Every application of the review session has a team, and 295 have five submitted books.
    let books: i64 = sqlx::query(
        "SELECT COUNT(*) FROM scorebooks WHERE submitted_at IS NOT NULL AND phase = 'material'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap()
    .get(0);
    assert_eq!(books, 295 * 5);
    let unassigned: i64 = sqlx::query(
        "SELECT COUNT(*) FROM applications a WHERE a.session_id = $1 AND NOT EXISTS (SELECT 1 FROM review_assignments r WHERE r.application_id = a.id)",
    )
    .bind(s.review_session)
    .fetch_one(store.pool())
    .await
    .unwrap()
    .get(0);
    assert_eq!(unassigned, 0);
    // The planted conflicts are found by the store's own conflict detection, and no team
    // was given an application one of its members is conflicted with.
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let p = store
        .assignment_problem(s.review_session, 1, today)
        .await
        .unwrap();
    assert_eq!(p.conflicts.len(), 3);
    let rows: Vec<(i64, i64)> =
        sqlx::query("SELECT application_id, team_id FROM review_assignments")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    assert!(qaward_core::assignment::check_assignment(&p, &rows).is_empty());
    // The drafts are complete: the store accepts their submission.
    let (aid, user) = &s.drafts[0];
    let uid: i64 = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(user)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get(0);
    let who = qaward_store::application::applicant_who(uid, user);
    store
        .submit_application(&who, *aid, jiff::Timestamp::now())
        .await
        .expect("a generated draft submits");
    assert!(store.verify_audit().await.unwrap().is_ok());
    // A second run on the same database is refused rather than mixing data.
    assert!(
        bench::seed::seed(&store, files.path(), &SeedOptions::default())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let url = if backend_is_postgres() {
        Some(empty_pg().await)
    } else {
        None
    };
    let o = bench::crash::CrashOptions {
        rounds: 3,
        bin: bin(),
        data: dir.path().join("data"),
        database_url: url,
        submitters: 3,
        scorers: 4,
        kill_after_ms: (200, 900),
    };
    let r = bench::crash::run(&o).await.unwrap();
    assert_eq!(r.rounds, 3);
    assert!(
        r.acked_submissions > 0 && r.acked_scores > 0,
        "both kinds of write got through: {r:?}"
    );
    assert_eq!(r.lost, 0, "{:?}", r.problems);
    assert_eq!(r.integrity_failures, 0, "{:?}", r.problems);
    assert_eq!(r.chain_failures, 0, "{:?}", r.problems);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_to_a_consistent_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let (url, restore) = if backend_is_postgres() {
        (Some(empty_pg().await), Some(empty_pg().await))
    } else {
        (None, None)
    };
    let r = bench::load::backup_under_load(
        &bin(),
        &dir.path().join("data"),
        url.as_deref(),
        restore.as_deref(),
        40,
    )
    .await
    .unwrap();
    assert!(r.writes_total > 0, "{r:?}");
    assert!(r.restored_chain_ok, "{r:?}");
    assert!(r.prefix_ok, "{r:?}");
    assert_eq!(r.inconsistent, 0, "{r:?}");
    assert!(r.tables_ahead.is_empty(), "{r:?}");
    assert!(r.restored_entries <= r.live_entries);
}

#[tokio::test]
async fn the_office_list_of_a_large_session_comes_in_pages_that_keep_the_filters() {
    let (dir, url, store, s) = small_seed().await;
    let data = dir.path().join("data");
    store.close().await;
    let server = bench::Server::start(&bin(), &data, url.as_deref(), &["serve"])
        .await
        .unwrap();
    let office = bench::Client::sign_in(&server.base, &s.office)
        .await
        .unwrap();
    let list = format!("/office/sessions/{}/applications", s.review_session);
    let rows = |body: &str| body.matches("<tr><td>QA").count();
    let (st, body) = office.get(&format!("{list}?sort=name")).await.unwrap();
    assert_eq!(st, 200);
    assert_eq!(rows(&body), 50, "fifty to a page");
    assert!(body.contains("页码 1 / 3"), "{body}");
    assert!(body.contains("已提交的申报共 120 份"));
    assert!(body.contains("sort=name&amp;page=2") || body.contains("sort=name&page=2"));
    let (_, body) = office
        .get(&format!("{list}?sort=name&page=3"))
        .await
        .unwrap();
    assert_eq!(rows(&body), 20);
    // A county filter: 30 of the 120, one page, and the count of matches shown.
    let county = bench::pages::urlencoding_lite("虚构第2县");
    let (_, body) = office
        .get(&format!("{list}?county={county}&sort=score"))
        .await
        .unwrap();
    assert_eq!(rows(&body), 30);
    assert!(!body.contains("页码"), "a single page has no pager");
    server.kill().await;
}

#[tokio::test]
async fn the_conflict_check_bench_times_experts_with_and_without_a_conflict() {
    let (dir, url, store, _) = small_seed().await;
    let data = dir.path().join("data");
    let rows = bench::conflicts::run(&store, &bin(), &data, url.as_deref(), 4, 1, true)
        .await
        .unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows.iter().filter(|r| r.conflicts > 0).count(),
        1,
        "the one planted conflict, and three experts without: {rows:?}"
    );
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    for r in &rows {
        assert_eq!(r.applications, 120);
        assert_eq!((r.check_ms.len(), r.page_ms.len()), (1, 1));
        assert!(r.page_bytes > 0);
        // What was timed is what checking each application alone gives.
        let e = store.expert(r.expert_id).await.unwrap();
        let checks = store.conflict_check(&e, today).await.unwrap();
        assert_eq!(
            checks.iter().map(|k| k.conflicts.len()).sum::<usize>(),
            r.conflicts
        );
        for k in &checks {
            assert_eq!(
                k.conflicts,
                store
                    .conflicts_of(&e, k.application_id, today)
                    .await
                    .unwrap()
            );
        }
    }
}
