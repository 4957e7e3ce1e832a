//! `qaward backup` is online and consistent; a restored copy matches.

use crate::helpers::{fresh_store, qaward_bin};
use qaward_store::{Backend, Store};
use sha2::Digest;
use sqlx::Row;

/// `qaward` against `store` (its database named by URL), with the file store `files`.
fn cli(store: &Store, files: &std::path::Path) -> std::process::Command {
    let mut cmd = qaward_bin();
    cmd.env("DATABASE_URL", store.url())
        .env("QAWARD_FILES", files);
    cmd
}

/// An empty database to restore into: a data directory (SQLite) or a new PostgreSQL
/// database; and the command that restores into it with the file store `files`.
async fn restore_target(
    backend: Backend,
    out: &std::path::Path,
    files: &std::path::Path,
) -> (std::process::Command, String) {
    let mut cmd = qaward_bin();
    cmd.env("QAWARD_FILES", files);
    match backend {
        Backend::Sqlite => {
            let target = out.join("restored");
            cmd.arg("--data").arg(&target).env_remove("DATABASE_URL");
            (
                cmd,
                format!("sqlite://{}?mode=rwc", target.join("qaward.db").display()),
            )
        }
        Backend::Postgres => {
            let admin = std::env::var("QAWARD_TEST_PG").unwrap();
            let name = format!("qaward_restore_{}", rand::random::<u32>());
            let a = Store::connect(&admin).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(a.pool())
                .await
                .unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            cmd.env("DATABASE_URL", &url);
            (cmd, url)
        }
    }
}

#[tokio::test]
async fn a_backup_restores_the_database_and_every_file_and_the_restored_server_serves_them() {
    let (store, _dir) = fresh_store().await;
    let files = tempfile::tempdir().unwrap();
    qaward::demo::build(&store, files.path()).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("backup.qaward");
    let o = cli(&store, files.path())
        .arg("backup")
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.contains("files for"), "{said}");

    let restored_files = out.path().join("restored-files");
    let (mut cmd, url) = restore_target(store.backend(), out.path(), &restored_files).await;
    let o = cmd.arg("restore").arg(&file).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.contains("audit chain intact"), "{said}");
    assert!(said.contains("files present with their SHA-256"), "{said}");
    let restored = Store::connect(&url).await.unwrap();
    assert_eq!(
        restored.table_counts().await.unwrap(),
        store.table_counts().await.unwrap()
    );
    let a = store.verify_audit().await.unwrap().unwrap();
    let b = restored.verify_audit().await.unwrap().unwrap();
    assert_eq!(a.head_hash, b.head_hash);
    let (n, missing) = qaward_store::backup::check_files(&restored, &restored_files)
        .await
        .unwrap();
    assert!(n >= 3, "the demo has files: {n}");
    assert!(missing.is_empty(), "{missing:?}");

    // The restored server answers every attachment with its bytes, none with an error.
    let clock = std::sync::Arc::new(qaward_core::clock::FixedClock::new(
        qaward_core::clock::at_shanghai(jiff::civil::date(2026, 11, 25), 10, 0),
    ));
    let state = qaward_web::AppState::new(
        restored.clone(),
        clock,
        qaward_web::Config::new(restored_files.clone()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = qaward_web::serve(listener, state).await;
    });
    let user = crate::helpers::User {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base,
    };
    assert_eq!(
        user.login("discipline", qaward::demo::DEMO_PASSWORD)
            .await
            .status,
        303
    );
    let rows = sqlx::query("SELECT id, sha256 FROM attachments ORDER BY id")
        .fetch_all(restored.pool())
        .await
        .unwrap();
    let mut served = 0;
    for r in &rows {
        let id: i64 = r.get("id");
        let (status, bytes, _) = user.get_bytes(&format!("/attachments/{id}")).await;
        assert!(status < 500, "attachment {id}: {status}");
        if status == 200 {
            served += 1;
            let sha: String = r.get("sha256");
            assert_eq!(
                hex::encode(sha2::Sha256::digest(&bytes)),
                sha,
                "attachment {id}"
            );
        }
    }
    assert!(served > 0, "discipline reads some attachments");
}

#[tokio::test]
async fn an_incomplete_backup_is_refused_before_anything_is_restored() {
    let (store, _dir) = fresh_store().await;
    let files = tempfile::tempdir().unwrap();
    qaward::demo::build(&store, files.path()).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("backup.qaward");
    let o = cli(&store, files.path())
        .arg("backup")
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The same archive without one file of the store.
    let cut = out.path().join("cut.qaward");
    let mut from = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut to = zip::ZipWriter::new(std::fs::File::create(&cut).unwrap());
    let mut dropped = None;
    for i in 0..from.len() {
        let e = from.by_index_raw(i).unwrap();
        let name = e.name().unwrap().into_owned();
        if dropped.is_none() && name.starts_with("files/") {
            dropped = Some(name);
            continue;
        }
        to.raw_copy_file(e).unwrap();
    }
    to.finish().unwrap();
    let dropped = dropped.expect("the archive holds files");
    let restored_files = out.path().join("restored-files");
    let (mut cmd, url) = restore_target(store.backend(), out.path(), &restored_files).await;
    let o = cmd.arg("restore").arg(&cut).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("备份不完整"), "{err}");
    assert!(err.contains(&dropped), "{err}");
    assert!(!restored_files.exists(), "no file restored");
    if store.backend() == Backend::Sqlite {
        assert!(!out.path().join("restored/qaward.db").exists());
    } else {
        let r = Store::connect(&url).await.unwrap();
        let tables: i64 = sqlx::query(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
        )
        .fetch_one(r.pool())
        .await
        .unwrap()
        .get(0);
        assert_eq!(tables, 0, "nothing restored into PostgreSQL");
    }
    // A bare database file is not a backup either.
    let (mut cmd, _) =
        restore_target(store.backend(), &out.path().join("again"), &restored_files).await;
    let o = cmd
        .arg("restore")
        .arg(out.path().join("nothing-here.db"))
        .output()
        .unwrap();
    assert!(!o.status.success());
}

#[tokio::test]
async fn a_file_missing_from_the_store_is_a_page_naming_it_not_a_500() {
    let app = crate::helpers::spawn_app().await;
    let first = app
        .store
        .attachments(app.demo.review.applications[0].1)
        .await
        .unwrap()
        .remove(0);
    let (att, name, sha) = (first.id, first.filename, first.sha256);
    let files = qaward_store::attachments::Files::new(app.files_dir());
    std::fs::remove_file(files.path(&sha)).unwrap();
    let u = app.signed_in("office").await;
    let p = u.get(&format!("/attachments/{att}")).await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert!(p.body.contains("文件缺失"), "{}", p.body);
    assert!(p.body.contains(&name), "{}", p.body);
    // `qaward files check` names it too.
    let o = cli(&app.store, app.files_dir())
        .args(["files", "check"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains(&name));
}

#[tokio::test]
async fn a_backup_taken_while_writes_go_on_is_consistent() {
    let (store, dir) = fresh_store().await;
    qaward::demo::build(&store, tempfile::tempdir().unwrap().path())
        .await
        .unwrap();
    let writer = {
        let s = store.clone();
        tokio::spawn(async move {
            for i in 0..60 {
                let _ = s
                    .set_security_setting(
                        &qaward_store::Who::system(),
                        "lockout_minutes",
                        15 + (i % 5),
                        jiff::Timestamp::now(),
                    )
                    .await;
            }
        })
    };
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("b.db");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    store.backup(&file).await.unwrap();
    writer.await.unwrap();
    if let (Backend::Sqlite, Some(_)) = (store.backend(), &dir) {
        let target = out.path().join("r");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::copy(&file, target.join("qaward.db")).unwrap();
        let r = Store::open_dir(&target).await.unwrap();
        let v = r
            .verify_audit()
            .await
            .unwrap()
            .expect("the snapshot's chain verifies");
        assert!(v.entries as i64 <= store.audit_len().await.unwrap());
    }
    assert!(store.verify_audit().await.unwrap().is_ok());
}
