//! `check_file` tells rule sets from criteria by content and reports problems
//! as `file:line:column: message`.

mod common;

use common::fixture;
use std::path::PathBuf;

use qaward_core::rulefile::{RuleFile, check_file};

fn root() -> PathBuf {
    common::crate_dir().join("../..")
}

#[test]
fn shipped_files_check_as_their_kind() {
    for (file, is_rules) in [
        ("rules/qingyuan-2020.toml", true),
        ("rules/qingyuan-2020-demo.toml", true),
        ("rules/gbt19580-2012.toml", false),
    ] {
        let checked = check_file(&root().join(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(matches!(checked, RuleFile::RuleSet(_)), is_rules, "{file}");
        assert!(checked.to_json()["meta"]["id"].is_string());
    }
    let c = check_file(&root().join("rules/gbt19580-2012.toml")).unwrap();
    assert_eq!(c.id(), "gbt19580-2012");
}

#[test]
fn the_demo_rule_set_uses_the_shipped_criteria() {
    let RuleFile::RuleSet(rules) =
        check_file(&root().join("rules/qingyuan-2020-demo.toml")).unwrap()
    else {
        panic!("not a rule set");
    };
    let criteria = check_file(&root().join(format!("rules/{}.toml", rules.meta.criteria))).unwrap();
    assert_eq!(criteria.id(), rules.meta.criteria);
}

#[test]
fn small_criteria_fixture_is_criteria() {
    assert!(matches!(
        check_file(&fixture("criteria-small.toml")).unwrap(),
        RuleFile::Criteria(_)
    ));
}

#[test]
fn broken_rule_set_fixture_reports_file_line_column() {
    let path = fixture("rules-broken.toml");
    let err = check_file(&path).unwrap_err();
    let text = err.to_string();
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "{}:5:1: unknown key `bogus` in [meta]; expected one of `id`, `version`, `name`, `name_en`, `award_name`, `award_name_en`, `document_number`, `issuer`, `issued`, `demo`, `criteria`, `notice`",
            path.display()
        )
    );
}

#[test]
fn syntax_error_is_positioned() {
    let err = check_file(&fixture("syntax-error.toml")).unwrap_err();
    assert_eq!(err.problems[0].line, 3);
    assert!(err.problems[0].message.starts_with("TOML syntax error"));
}
