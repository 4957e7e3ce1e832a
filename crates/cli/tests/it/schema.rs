//! The SQLite and PostgreSQL schemas have the same tables and columns.

use qaward_store::Store;

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let Ok(admin) = std::env::var("QAWARD_TEST_PG") else {
        eprintln!(
            "QAWARD_TEST_PG unset: schema comparison needs the PostgreSQL test server (scripts/test starts one)"
        );
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the schema comparison"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lite = Store::open_dir(dir.path()).await.unwrap();
    lite.migrate().await.unwrap();
    let pg = crate::helpers::fresh_pg(&admin).await;
    let a = lite.schema().await.unwrap();
    let b = pg.schema().await.unwrap();
    assert!(a.len() >= 14, "{a:?}");
    assert_eq!(a, b, "SQLite and PostgreSQL schemas differ");
}
