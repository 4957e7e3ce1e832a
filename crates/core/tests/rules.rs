//! The shipped rule sets load, carry every value with its article, and broken
//! copies are rejected with the right position.

mod common;

use common::rules_dir;
use std::path::Path;

use jiff::civil::date;
use qaward_core::rules::{Ballot, BonusTiming, DayKind, Majority, RuleSet};
use serde_json::{Value, json};

fn shipped_text() -> String {
    std::fs::read_to_string(rules_dir().join("qingyuan-2020.toml")).unwrap()
}

fn shipped() -> RuleSet {
    RuleSet::load(&rules_dir().join("qingyuan-2020.toml")).unwrap()
}

fn demo() -> RuleSet {
    RuleSet::load(&rules_dir().join("qingyuan-2020-demo.toml")).unwrap()
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    text[..at].matches('\n').count() + 1
}

/// `text` with the first `from` replaced by `to`; panics when `from` is absent.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the file");
    text.replacen(from, to, 1)
}

#[test]
fn shipped_rule_set_loads() {
    let r = shipped();
    assert_eq!(r.meta.id, "qingyuan-2020");
    assert_eq!(r.meta.version, 1);
    assert_eq!(r.meta.name, "清远市政府质量奖管理办法");
    assert_eq!(r.meta.document_number, "清府办〔2020〕11号");
    assert_eq!(r.meta.issued, date(2020, 4, 1));
    assert!(!r.meta.demo);
    assert_eq!(r.meta.notice, None);
    assert_eq!(r.meta.criteria, "gbt19580-2012");
    assert_eq!(r.session.max_winners.value, 3);
    assert_eq!(r.decision.notice_day_kind.value, DayKind::Calendar);
    assert_eq!(r.decision.majority.value, Majority::MoreThanHalfPresent);
    assert_eq!(r.decision.ballot.value, Ballot::Secret);
    assert_eq!(r.award.bonus_paid.value, BonusTiming::NextYearStart);
    assert_eq!(r.decision.quorum_fraction.value.to_string(), "2/3");
    assert!(r.decision.quorum_fraction.value.reached(6, 9));
    assert!(!r.decision.quorum_fraction.value.reached(5, 9));
}

#[test]
fn every_rule_is_in_json_with_its_article() {
    let j = shipped().to_json();
    let cited: &[(&str, Value, u32)] = &[
        ("validity.from", json!("2020-04-01"), 35),
        ("validity.to", json!("2025-03-31"), 35),
        ("session.cycle_years", json!(2), 3),
        ("session.max_winners", json!(3), 3),
        ("session.winners_may_be_empty", json!(true), 3),
        ("eligibility.min_operating_years", json!(3), 10),
        ("eligibility.clean_record_years", json!(3), 10),
        ("eligibility.no_loss_years", json!(3), 10),
        ("eligibility.policy_loss_excepted", json!(true), 10),
        ("eligibility.min_excellence_practice_months", json!(6), 10),
        ("eligibility.rewin_bar_years", json!(5), 11),
        ("review.onsite_max", json!(6), 15),
        ("decision.notice_min_days", json!(7), 18),
        ("decision.notice_day_kind", json!("calendar"), 18),
        ("objection.real_name_required", json!(true), 28),
        ("award.bonus_cny", json!(500000), 21),
        ("award.bonus_paid", json!("next_year_start"), 21),
        ("post_award.report_years", json!(3), 30),
        ("revocation.accident_window_years", json!(2), 33),
    ];
    for (path, value, article) in cited {
        let (section, key) = path.split_once('.').unwrap();
        assert_eq!(
            j[section][key],
            json!({ "value": value, "article": article }),
            "{path}"
        );
    }
    assert_eq!(
        j["revocation"]["ban_years"],
        json!({ "value": 3, "article": 32, "also": [33] })
    );
    let settings: &[(&str, Value)] = &[
        ("review.team_size", json!(5)),
        ("review.score_step_percent", json!(5)),
        ("review.spread_flag_points", json!(20)),
        ("review.conflict_lookback_years", json!(3)),
        ("application.overview_max_chars", json!(3000)),
        ("application.self_evaluation_max_chars", json!(50000)),
        ("decision.quorum_fraction", json!("2/3")),
        ("decision.majority", json!("more_than_half_present")),
        ("decision.ballot", json!("secret")),
        ("objection.verify_working_days", json!(5)),
        ("conduct.low_grade", json!(2)),
    ];
    for (path, value) in settings {
        let (section, key) = path.split_once('.').unwrap();
        assert_eq!(
            j[section][key],
            json!({ "value": value, "basis": "实施细则" }),
            "{path}"
        );
    }
    assert_eq!(j["meta"]["id"], "qingyuan-2020");
    assert_eq!(j["meta"]["issued"], "2020-04-01");
    assert_eq!(j["meta"]["demo"], false);
    assert_eq!(j["meta"]["criteria"], "gbt19580-2012");
    assert!(j.get("auth").is_none());
    // The procedure: every stage in order with its article; the other steps' provisions.
    let stages: Vec<(String, Option<u64>)> = j["procedure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_owned(),
                s["article"].as_u64(),
            )
        })
        .collect();
    assert_eq!(stages.len(), 15);
    assert_eq!(stages[4], ("eligibility_review".into(), Some(14)));
    assert_eq!(stages[5], ("material_review".into(), Some(15)));
    assert_eq!(stages[7], ("onsite_review".into(), Some(16)));
    assert_eq!(stages[14], ("closed".into(), None));
    assert_eq!(j["provisions"]["recusal"], json!({ "article": 25 }));
    assert_eq!(j["provisions"]["objections"], json!({ "article": 28 }));
    let sections = j.as_object().unwrap().len();
    assert_eq!(sections, 14);
}

#[test]
fn in_force_at_the_boundaries() {
    let r = shipped();
    assert!(!r.in_force_on(date(2020, 3, 31)));
    assert!(r.in_force_on(date(2020, 4, 1)));
    assert!(r.in_force_on(date(2025, 3, 31)));
    assert!(!r.in_force_on(date(2025, 4, 1)));
}

#[test]
fn citations() {
    let r = shipped();
    let v = r.validity_citation();
    assert_eq!(v.article, 35);
    assert_eq!(v.zh(), "依据《清远市政府质量奖管理办法》第三十五条");
    assert_eq!(
        v.en(),
        "Article 35 of the Qingyuan City Government Quality Award Management Measures"
    );
    assert_eq!(
        r.decision
            .notice_min_days
            .citation(&r)
            .unwrap()
            .article_zh(),
        "第十八条"
    );
    assert_eq!(
        r.revocation.ban_years.citation(&r).unwrap().zh(),
        "依据《清远市政府质量奖管理办法》第三十二条、第三十三条"
    );
    assert_eq!(r.review.team_size.citation(&r), None);
    assert_eq!(r.cite(11).article_zh(), "第十一条");
}

#[test]
fn demo_copy_differs_only_in_identity_and_validity() {
    let d = demo();
    assert_eq!(d.meta.id, "qingyuan-2020-demo");
    assert!(d.meta.demo);
    assert_eq!(d.meta.name, "清远市政府质量奖管理办法（演示副本）");
    let notice = d.meta.notice.as_deref().unwrap();
    assert!(notice.contains("演示副本") && notice.contains("不是正式文件"));
    assert!(notice.contains("2025年3月31日"));
    assert_eq!(d.validity.from.value, date(2025, 4, 1));
    assert_eq!(d.validity.to.value, date(2030, 3, 31));
    assert_eq!(d.validity.to.article, Some(35));
    assert!(d.in_force_on(date(2025, 4, 1)));
    assert!(d.in_force_on(date(2030, 3, 31)));
    assert!(!d.in_force_on(date(2025, 3, 31)));
    assert!(!d.in_force_on(date(2030, 4, 1)));

    let (mut a, mut b) = (shipped().to_json(), d.to_json());
    for j in [&mut a, &mut b] {
        let o = j.as_object_mut().unwrap();
        o.remove("meta");
        o.remove("validity");
    }
    assert_eq!(a, b, "the demo copy must carry the same rules");
}

#[test]
fn unknown_key_is_rejected_with_its_line() {
    let text = edit(
        &shipped_text(),
        "max_winners = { value = 3, article = 3 }\n",
        "max_winners = { value = 3, article = 3 }\nfoo = 1\n",
    );
    let err = RuleSet::parse(&text, "rules/x.toml").unwrap_err();
    let p = &err.problems[0];
    assert_eq!(p.line, line_of(&text, "foo = 1"));
    assert_eq!(p.col, 1);
    assert!(
        err.to_string().starts_with(&format!(
            "rules/x.toml:{}:1: unknown key `foo` in [session]",
            p.line
        )),
        "{err}"
    );
}

#[test]
fn unknown_key_inside_a_rule_is_rejected() {
    let text = edit(
        &shipped_text(),
        "onsite_max = { value = 6, article = 15 }",
        "onsite_max = { value = 6, article = 15, note = \"x\" }",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "onsite_max ="));
    assert!(
        err.problems[0]
            .message
            .contains("unknown key `note` in [review.onsite_max]"),
        "{err}"
    );
}

#[test]
fn unknown_section_is_rejected() {
    let text = format!("{}\n[auth]\nsession_hours = 8\n", shipped_text());
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "[auth]"));
    assert!(
        err.problems[0].message.contains("unknown key `auth`"),
        "{err}"
    );
}

#[test]
fn missing_key_is_rejected_with_its_table() {
    let text = edit(
        &shipped_text(),
        "notice_min_days = { value = 7, article = 18 }\n",
        "",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "[decision]"));
    assert!(
        err.problems[0]
            .message
            .contains("missing key `notice_min_days` in [decision]"),
        "{err}"
    );
}

#[test]
fn missing_section_is_rejected() {
    let shipped = shipped_text();
    let (head, rest) = shipped.split_once("[post_award]\n").unwrap();
    let (_, tail) = rest.split_once("\n\n").unwrap();
    let text = format!("{head}{tail}");
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert!(
        err.problems[0].message.contains("missing key `post_award`"),
        "{err}"
    );
}

#[test]
fn wrong_type_is_rejected_with_its_path() {
    let text = edit(
        &shipped_text(),
        "cycle_years = { value = 2, article = 3 }",
        "cycle_years = { value = \"two\", article = 3 }",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "cycle_years"));
    assert!(
        err.problems[0]
            .message
            .starts_with("`session.cycle_years.value`: invalid type"),
        "{err}"
    );
}

#[test]
fn a_rule_needs_exactly_one_of_article_and_basis() {
    for bad in [
        "max_winners = { value = 3 }",
        "max_winners = { value = 3, article = 3, basis = \"实施细则\" }",
        "max_winners = { value = 3, basis = \"实施细则\", also = [4] }",
        "max_winners = { value = 3, article = 0 }",
    ] {
        let text = edit(
            &shipped_text(),
            "max_winners = { value = 3, article = 3 }",
            bad,
        );
        let err = RuleSet::parse(&text, "r.toml").unwrap_err();
        assert_eq!(err.problems[0].line, line_of(&text, "max_winners"), "{bad}");
        assert!(
            err.problems[0].message.starts_with("`session.max_winners`"),
            "{err}"
        );
    }
}

#[test]
fn bad_enum_value_is_rejected() {
    let text = edit(
        &shipped_text(),
        "ballot = { value = \"secret\"",
        "ballot = { value = \"by_show_of_hands\"",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "ballot ="));
    assert!(
        err.problems[0].message.contains("decision.ballot.value"),
        "{err}"
    );
}

#[test]
fn from_after_to_is_rejected() {
    let text = edit(
        &shipped_text(),
        "to = { value = \"2025-03-31\", article = 35 }",
        "to = { value = \"2019-03-31\", article = 35 }",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems.len(), 1);
    let p = &err.problems[0];
    assert_eq!((p.line, p.col), (line_of(&text, "to = {"), 1));
    assert!(
        p.message
            .contains("`validity.to` (2019-03-31) is before `validity.from` (2020-04-01)")
    );
}

#[test]
fn several_semantic_problems_are_all_reported() {
    let text = edit(
        &shipped_text(),
        "to = { value = \"2025-03-31\", article = 35 }",
        "to = { value = \"2019-03-31\", article = 35 }",
    );
    let text = edit(
        &text,
        "score_step_percent = { value = 5,",
        "score_step_percent = { value = 7,",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems.len(), 2, "{err}");
    assert_eq!(err.to_string().lines().count(), 2);
    assert_eq!(err.problems[1].line, line_of(&text, "score_step_percent"));
}

#[test]
fn validity_must_cite_an_article() {
    let text = edit(
        &shipped_text(),
        "from = { value = \"2020-04-01\", article = 35 }",
        "from = { value = \"2020-04-01\", basis = \"实施细则\" }",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "from = {"));
}

#[test]
fn missing_file_is_reported() {
    let err = RuleSet::load(Path::new("/nonexistent/rules.toml")).unwrap_err();
    assert_eq!(err.problems[0].line, 0);
    assert!(
        err.to_string()
            .starts_with("/nonexistent/rules.toml: cannot read file")
    );
}

#[test]
fn final_score_defaults_to_the_onsite_consensus_and_rejects_unknown_values() {
    let r = RuleSet::parse(&shipped_text(), "r.toml").unwrap();
    assert_eq!(r.review.final_score.value, "onsite_consensus");
    assert_eq!(r.review.final_score.article, Some(17));
    assert_eq!(
        r.review.final_hundredths(Some(60_000), Some(62_050)),
        Some(62_050)
    );
    assert_eq!(r.review.final_hundredths(Some(60_000), None), None);
    let text = edit(
        &shipped_text(),
        "final_score = { value = \"onsite_consensus\", article = 17 }",
        "final_score = { value = \"average\", article = 17 }",
    );
    let err = RuleSet::parse(&text, "r.toml").unwrap_err();
    assert!(
        err.to_string().contains("`review.final_score` must be"),
        "{err}"
    );
    assert_eq!(err.problems[0].line, line_of(&text, "final_score"));
    let text = edit(
        &shipped_text(),
        "final_score = { value = \"onsite_consensus\", article = 17 }",
        "final_score = { value = \"weighted\", article = 17 }\nfinal_material_weight_percent = { value = 30, article = 17 }",
    );
    let r = RuleSet::parse(&text, "r.toml").unwrap();
    assert_eq!(
        r.review.final_hundredths(Some(60_000), Some(70_000)),
        Some(67_000)
    );
    let text = edit(
        &shipped_text(),
        "final_score = { value = \"onsite_consensus\", article = 17 }",
        "final_score = { value = \"weighted\", article = 17 }",
    );
    assert!(RuleSet::parse(&text, "r.toml").is_err());
}

#[test]
fn a_procedure_out_of_order_is_explained_with_its_line() {
    let text = shipped_text();
    let bad = text.replacen(
        "stage = \"material_review\"",
        "stage = \"onsite_review\"",
        1,
    );
    let err = qaward_core::rules::RuleSet::parse(&bad, "bad.toml").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad.toml:"), "{msg}");
    assert!(
        msg.contains("`procedure` must list the stages in this order"),
        "{msg}"
    );
}
