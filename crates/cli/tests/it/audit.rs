//! The audit chain: the database refuses edits; `audit verify` catches what bypasses it.

use crate::helpers::{backend_is_postgres, fresh_store, qaward_bin};
use qaward_store::{Backend, Store};

/// Run SQL with the append-only triggers out of the way, as someone with the database file or
/// superuser rights could.
async fn tamper(store: &Store, sql: &str) {
    let script = match store.backend() {
        Backend::Sqlite => format!(
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; {sql}"
        ),
        Backend::Postgres => format!("ALTER TABLE audit_log DISABLE TRIGGER USER; {sql}"),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(script))
        .execute(store.pool())
        .await
        .expect("tamper");
}

async fn demo_store() -> (Store, Option<tempfile::TempDir>) {
    let (store, dir) = fresh_store().await;
    qaward::demo::build(&store, tempfile::tempdir().unwrap().path())
        .await
        .expect("demo");
    (store, dir)
}

/// `qaward audit verify` against this store: (exit code, stdout+stderr).
fn cli_verify(store: &Store, dir: &Option<tempfile::TempDir>) -> (i32, String) {
    let mut cmd = qaward_bin();
    cmd.args(["audit", "verify"]);
    match dir {
        Some(d) => {
            cmd.arg("--data").arg(d.path()).env_remove("DATABASE_URL");
        }
        None => {
            cmd.env("DATABASE_URL", store.url());
        }
    }
    let out = cmd.output().expect("run qaward");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn the_database_refuses_update_and_delete_on_the_log() {
    let (store, _d) = demo_store().await;
    let upd = sqlx::query("UPDATE audit_log SET summary = 'x' WHERE seq = 1")
        .execute(store.pool())
        .await;
    assert!(upd.is_err(), "UPDATE must be refused");
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_log WHERE seq = 1")
        .execute(store.pool())
        .await;
    assert!(del.is_err(), "DELETE must be refused");
    assert!(store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn an_intact_chain_verifies_in_the_command() {
    let (store, dir) = demo_store().await;
    let (code, out) = cli_verify(&store, &dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"), "{out}");
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let (store, dir) = demo_store().await;
    tamper(
        &store,
        "UPDATE audit_log SET summary = '改为别的内容' WHERE seq = 7",
    )
    .await;
    let b = store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(b.seq, 7);
    let (code, out) = cli_verify(&store, &dir);
    assert_ne!(code, 0);
    assert!(out.contains("entry 7"), "{out}");
}

#[tokio::test]
async fn a_removed_entry_is_named() {
    let (store, dir) = demo_store().await;
    tamper(&store, "DELETE FROM audit_log WHERE seq = 12").await;
    assert_eq!(store.verify_audit().await.unwrap().unwrap_err().seq, 12);
    let (code, out) = cli_verify(&store, &dir);
    assert_ne!(code, 0);
    assert!(out.contains("entry 12"), "{out}");
}

#[tokio::test]
async fn an_entry_inserted_out_of_order_is_named() {
    let (store, dir) = demo_store().await;
    let n = store.audit_len().await.unwrap();
    // A forged entry appended without the previous hash.
    tamper(
        &store,
        &format!(
            "INSERT INTO audit_log (seq, at, actor_id, actor_name, role, category, action, subject_type, subject_id, programme_id, article, document, summary, detail, new_state, algo, prev_hash, hash) \
             SELECT {}, at, actor_id, actor_name, role, category, action, subject_type, subject_id, programme_id, article, document, '伪造的记录', detail, new_state, algo, hash, hash FROM audit_log WHERE seq = 3",
            n + 1
        ),
    )
    .await;
    let b = store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(b.seq, n + 1);
    let (code, out) = cli_verify(&store, &dir);
    assert_ne!(code, 0);
    assert!(out.contains(&format!("entry {}", n + 1)), "{out}");
}

#[tokio::test]
async fn a_well_chained_entry_added_past_the_head_is_caught() {
    let (store, _dir) = demo_store().await;
    let last = store
        .audit_entries(&qaward_store::audit::Filter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let mut forged = last.clone();
    forged.seq += 1;
    forged.summary = "事后补记".into();
    forged.prev_hash = last.hash.clone();
    forged.hash = qaward_core::audit::entry_hash(&forged, &last.hash);
    let mut conn = store.pool().acquire().await.unwrap();
    qaward_store::audit::insert_raw(&mut conn, &forged)
        .await
        .unwrap();
    drop(conn);
    let b = store.verify_audit().await.unwrap().unwrap_err();
    assert!(b.en.contains("head"), "{b}");
}

#[tokio::test]
async fn every_state_change_in_the_demo_is_audited_with_its_article() {
    let (store, _d) = demo_store().await;
    let moves = store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("session.advance".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    // 2024: 14 moves to closed; 2026: 2 moves; the review demo's 2026 session: 7 moves, to
    // the on-site review.
    assert_eq!(moves.len(), 23);
    let notice = moves
        .iter()
        .find(|e| e.new_state.as_deref() == Some("government_approval"))
        .expect("approval move");
    assert_eq!(notice.article, Some(18));
    assert_eq!(notice.document.as_deref(), Some("清远市政府质量奖管理办法"));
    let _ = backend_is_postgres();
}

#[tokio::test]
async fn every_county_decision_in_the_demo_is_made_by_a_county_office() {
    let (store, _d) = demo_store().await;
    let decisions = store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("county.".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(decisions.len() >= 10, "{}", decisions.len());
    for e in decisions {
        assert_eq!(e.role, "county_office", "{}: {}", e.action, e.summary);
        assert_eq!(e.article, Some(13));
    }
}
