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

#[tokio::test]
async fn an_anchor_file_finds_a_cut_tail_and_an_edited_anchor() {
    use crate::helpers::{fresh_store, qaward_bin};
    let (store, _dir) = fresh_store().await;
    let files = tempfile::tempdir().unwrap();
    qaward::demo::build(&store, files.path()).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let key = out.path().join("anchor.key");
    let anchor = out.path().join("anchor.jsonl");
    let run = |store: &qaward_store::Store, args: &[&str]| {
        let o = qaward_bin()
            .env("DATABASE_URL", store.url())
            .env("QAWARD_FILES", files.path())
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    };
    let (k, a) = (key.to_str().unwrap(), anchor.to_str().unwrap());
    assert_eq!(run(&store, &["audit", "new-key", k]).0, 0);
    // A copy of the database as it is now: the "tail" to be cut is everything after it.
    let early = out.path().join("early.qaward");
    assert_eq!(run(&store, &["backup", early.to_str().unwrap()]).0, 0);
    store
        .set_security_setting(
            &qaward_store::Who::system(),
            "lockout_minutes",
            20,
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let (code, said) = run(&store, &["audit", "anchor", "--anchor", a, "--key", k]);
    assert_eq!(code, 0, "{said}");
    let (code, said) = run(&store, &["audit", "verify", "--anchor", a, "--key", k]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("anchors intact"), "{said}");

    // The earlier copy is the log with its tail and head row cut back together: its own chain
    // verifies, the anchor does not.
    let restored_files = out.path().join("restored-files");
    let (url, mut cmd) = match store.backend() {
        qaward_store::Backend::Sqlite => {
            let d = out.path().join("cut");
            let mut c = qaward_bin();
            c.arg("--data").arg(&d).env_remove("DATABASE_URL");
            (
                format!("sqlite://{}?mode=rwc", d.join("qaward.db").display()),
                c,
            )
        }
        qaward_store::Backend::Postgres => {
            let admin = std::env::var("QAWARD_TEST_PG").unwrap();
            let name = format!("qaward_cut_{}", rand::random::<u32>());
            let s = qaward_store::Store::connect(&admin).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(s.pool())
                .await
                .unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            let mut c = qaward_bin();
            c.env("DATABASE_URL", &url);
            (url, c)
        }
    };
    let o = cmd
        .env("QAWARD_FILES", &restored_files)
        .arg("restore")
        .arg(&early)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cut = qaward_store::Store::connect(&url).await.unwrap();
    let (code, said) = run(&cut, &["audit", "verify"]);
    assert_eq!(code, 0, "without the anchor the cut goes unseen: {said}");
    let (code, said) = run(&cut, &["audit", "verify", "--anchor", a, "--key", k]);
    assert_eq!(code, 3, "{said}");
    assert!(said.contains("日志末尾被删除"), "{said}");

    // An anchor file edited by hand does not verify.
    let text = std::fs::read_to_string(&anchor).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let seq = v["seq"].as_i64().unwrap();
    std::fs::write(
        &anchor,
        text.replacen(
            &format!("\"seq\":{seq}"),
            &format!("\"seq\":{}", seq - 1),
            1,
        ),
    )
    .unwrap();
    let (code, said) = run(&store, &["audit", "verify", "--anchor", a, "--key", k]);
    assert_eq!(code, 3, "{said}");
    assert!(said.contains("锚定文件第1行无法验证"), "{said}");
}
