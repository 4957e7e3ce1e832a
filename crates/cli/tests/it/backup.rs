//! `qaward backup` is online and consistent; a restored copy matches.

use crate::helpers::{fresh_store, qaward_bin};
use qaward_store::{Backend, Store};

#[tokio::test]
async fn a_backup_restores_to_the_same_data_and_a_verified_chain() {
    let (store, dir) = fresh_store().await;
    qaward::demo::build(&store, tempfile::tempdir().unwrap().path())
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("backup.qaward");
    let mut cmd = qaward_bin();
    cmd.arg("backup").arg(&file);
    match &dir {
        Some(d) => {
            cmd.arg("--data").arg(d.path()).env_remove("DATABASE_URL");
        }
        None => {
            cmd.env("DATABASE_URL", store.url());
        }
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let restored = match store.backend() {
        Backend::Sqlite => {
            let target = out.path().join("restored");
            let o = qaward_bin()
                .arg("--data")
                .arg(&target)
                .arg("restore")
                .arg(&file)
                .env_remove("DATABASE_URL")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert!(String::from_utf8_lossy(&o.stdout).contains("audit chain intact"));
            Store::open_dir(&target).await.unwrap()
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
            let o = qaward_bin()
                .arg("restore")
                .arg(&file)
                .env("DATABASE_URL", &url)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            Store::connect(&url).await.unwrap()
        }
    };
    assert_eq!(
        restored.table_counts().await.unwrap(),
        store.table_counts().await.unwrap()
    );
    let a = store.verify_audit().await.unwrap().unwrap();
    let b = restored.verify_audit().await.unwrap().unwrap();
    assert_eq!(a.head_hash, b.head_hash);
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
