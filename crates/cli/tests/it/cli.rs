//! The command line: rules check and show, migrate.

use crate::helpers::{qaward_bin, repo};

#[test]
fn rules_check_accepts_the_shipped_files() {
    let r = repo();
    let out = qaward_bin()
        .args(["rules", "check"])
        .arg(r.join("rules/qingyuan-2020.toml"))
        .arg(r.join("rules/qingyuan-2020-demo.toml"))
        .arg(r.join("rules/gbt19580-2012.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("23 items, 1000 points"), "{text}");
}

#[test]
fn rules_check_names_file_and_line_of_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let src = std::fs::read_to_string(repo().join("rules/qingyuan-2020.toml")).unwrap();
    let src = src.replacen(
        "[session]",
        "[session]\nsurprise = { value = 1, article = 3 }",
        1,
    );
    std::fs::write(&bad, &src).unwrap();
    let line = src.lines().position(|l| l.starts_with("surprise")).unwrap() + 1;
    let out = qaward_bin()
        .args(["rules", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    assert!(err.contains("surprise"), "{err}");
}

#[test]
fn rules_show_json_carries_every_rule_with_its_article() {
    let out = qaward_bin()
        .args(["rules", "show"])
        .arg(repo().join("rules/qingyuan-2020.toml"))
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expect: &[(&str, serde_json::Value, u64)] = &[
        ("validity.from", "2020-04-01".into(), 35),
        ("validity.to", "2025-03-31".into(), 35),
        ("session.cycle_years", 2.into(), 3),
        ("session.max_winners", 3.into(), 3),
        ("eligibility.min_operating_years", 3.into(), 10),
        ("eligibility.clean_record_years", 3.into(), 10),
        ("eligibility.no_loss_years", 3.into(), 10),
        ("eligibility.min_excellence_practice_months", 6.into(), 10),
        ("eligibility.rewin_bar_years", 5.into(), 11),
        ("review.onsite_max", 6.into(), 15),
        ("decision.notice_min_days", 7.into(), 18),
        ("award.bonus_cny", 500000.into(), 21),
        ("post_award.report_years", 3.into(), 30),
        ("revocation.accident_window_years", 2.into(), 33),
        ("revocation.ban_years", 3.into(), 32),
    ];
    for (path, value, article) in expect {
        let mut node = &v;
        for k in path.split('.') {
            node = &node[k];
        }
        assert_eq!(&node["value"], value, "{path}");
        assert_eq!(node["article"], *article, "{path}");
    }
    assert_eq!(v["meta"]["document_number"], "清府办〔2020〕11号");
}

#[test]
fn migrate_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let out = qaward_bin()
            .arg("--data")
            .arg(dir.path())
            .arg("migrate")
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = run();
    assert!(first.contains("0001_foundation"), "{first}");
    assert!(
        run().starts_with("0 migration(s)"),
        "a second run applies nothing"
    );
}

#[test]
fn audit_verify_refuses_a_missing_database_instead_of_creating_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = qaward_bin()
        .arg("--data")
        .arg(dir.path().join("nothing"))
        .args(["audit", "verify"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at"));
    assert!(!dir.path().join("nothing/qaward.db").exists());
}

#[test]
fn the_configuration_file_sets_the_data_directory_and_the_environment_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("from-file");
    let cfg = dir.path().join("qaward.toml");
    std::fs::write(&cfg, format!("[storage]\ndata = \"{}\"\n", data.display())).unwrap();
    let out = qaward_bin()
        .arg("--config")
        .arg(&cfg)
        .arg("migrate")
        .env_remove("DATABASE_URL")
        .env_remove("QAWARD_DATA")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.join("qaward.db").exists());
    let other = dir.path().join("from-env");
    let out = qaward_bin()
        .arg("--config")
        .arg(&cfg)
        .arg("migrate")
        .env_remove("DATABASE_URL")
        .env("QAWARD_DATA", &other)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(other.join("qaward.db").exists());
    std::fs::write(&cfg, "[server]\nprot = 8080\n").unwrap();
    let out = qaward_bin()
        .arg("--config")
        .arg(&cfg)
        .arg("migrate")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知的设置项 server.prot"));
}
