//! The shipped criteria framework loads with the GB/T 19580 sums, and broken
//! copies are rejected with the right position.

mod common;

use common::{fixture, rules_dir};

use qaward_core::criteria::{Criteria, ItemKind};

fn shipped_text() -> String {
    std::fs::read_to_string(rules_dir().join("gbt19580-2012.toml")).unwrap()
}

fn shipped() -> Criteria {
    Criteria::load(&rules_dir().join("gbt19580-2012.toml")).unwrap()
}

fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    text[..at].matches('\n').count() + 1
}

fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the file");
    text.replacen(from, to, 1)
}

#[test]
fn shipped_criteria_load_with_the_expected_sums() {
    let c = shipped();
    assert_eq!(c.meta.id, "gbt19580-2012");
    assert_eq!(c.meta.total, 1000);
    assert_eq!(c.meta.score_step_percent, 5);
    assert!(c.meta.note.as_deref().unwrap().contains("GB/Z 19579-2012"));
    assert_eq!(c.categories.len(), 7);
    assert_eq!(c.items().count(), 23);
    let total: u32 = c.items().map(|i| i.points).sum();
    assert_eq!(total, 1000);
    let process: u32 = c
        .items()
        .filter(|i| i.kind == ItemKind::Process)
        .map(|i| i.points)
        .sum();
    let result: u32 = c
        .items()
        .filter(|i| i.kind == ItemKind::Result)
        .map(|i| i.points)
        .sum();
    assert_eq!((process, result), (600, 400));
    for cat in &c.categories {
        assert_eq!(cat.items.iter().map(|i| i.points).sum::<u32>(), cat.points);
        assert!(cat.items.iter().all(|i| i.kind == cat.kind));
    }
    let expected = [
        ("4.1", 110),
        ("4.2", 90),
        ("4.3", 90),
        ("4.4", 130),
        ("4.5", 100),
        ("4.6", 80),
        ("4.7", 400),
    ];
    let found: Vec<(&str, u32)> = c
        .categories
        .iter()
        .map(|c| (c.id.as_str(), c.points))
        .collect();
    assert_eq!(found, expected);
    let item = c.item("4.4.3").unwrap();
    assert_eq!((item.name.as_str(), item.points), ("财务资源", 15));
    assert_eq!(c.item("4.7.7").unwrap().kind, ItemKind::Result);
    assert!(c.item("4.1.1").is_none());
    assert_eq!(c.category("4.7").unwrap().name, "结果");
}

#[test]
fn bands_and_dimensions() {
    let c = shipped();
    assert_eq!(c.bands.len(), 6);
    assert_eq!(c.band_for(0).unwrap().band, 1);
    assert_eq!(c.band_for(5).unwrap().band, 1);
    assert_eq!(c.band_for(10).unwrap().band, 2);
    assert_eq!(c.band_for(65).unwrap().band, 4);
    assert_eq!(c.band_for(100).unwrap().band, 6);
    assert!(c.band_for(7).is_none());
    assert!(c.band_for(105).is_none());
    assert!(c.is_valid_percent(45));
    assert!(!c.is_valid_percent(47));
    assert!(!c.is_valid_percent(105));
    let names: Vec<&str> = c
        .dimensions_for(ItemKind::Process)
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["方法", "展开", "学习", "整合"]);
    let codes: Vec<&str> = c
        .dimensions_for(ItemKind::Result)
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["Le", "T", "C", "I"]);
    assert!(
        !c.band_for(50)
            .unwrap()
            .description(ItemKind::Result)
            .is_empty()
    );
}

#[test]
fn item_scores_in_tenths() {
    let c = shipped();
    assert_eq!(c.item_score_tenths(50, 65), 325);
    assert_eq!(c.item_score_tenths(15, 5), 8);
    assert_eq!(c.item_score_tenths(15, 15), 23);
    assert_eq!(c.item_score_tenths(400, 100), 4000);
    assert_eq!(c.item_score_tenths(10, 0), 0);
}

#[test]
fn json_carries_items_with_kind() {
    let j = shipped().to_json();
    assert_eq!(j["meta"]["total"], 1000);
    assert_eq!(j["categories"][0]["items"][0]["id"], "4.1.2");
    assert_eq!(j["categories"][0]["items"][0]["kind"], "process");
    assert_eq!(j["categories"][6]["kind"], "result");
    assert_eq!(j["bands"][5]["max_percent"], 100);
}

#[test]
fn item_sum_mismatch_is_rejected_at_the_category_points() {
    let text = edit(
        &shipped_text(),
        "name = \"组织治理\"\nname_en = \"Organisational governance\"\npoints = 30",
        "name = \"组织治理\"\nname_en = \"Organisational governance\"\npoints = 35",
    );
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].line, line_of(&text, "points = 110"));
    assert!(
        err.problems[0]
            .message
            .contains("category 4.1 has points = 110 but its items sum to 115")
    );
}

#[test]
fn category_sum_mismatch_is_rejected_at_meta_total() {
    let text = edit(&shipped_text(), "total = 1000", "total = 900");
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].line, line_of(&text, "total = 900"));
    assert!(
        err.to_string()
            .contains("meta.total = 900 but the categories sum to 1000")
    );
}

#[test]
fn unknown_key_is_rejected_with_its_line() {
    let text = edit(
        &shipped_text(),
        "name_en = \"Strategy development\"\n",
        "name_en = \"Strategy development\"\nweight = 1\n",
    );
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "weight = 1"));
    assert!(
        err.problems[0]
            .message
            .contains("unknown key `weight` in [categories[1].items[0]]"),
        "{err}"
    );
}

#[test]
fn missing_key_is_rejected_with_its_line() {
    let text = edit(&shipped_text(), "name_en = \"Strategy development\"\n", "");
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    let header = text[..text.find("id = \"4.2.2\"").unwrap()]
        .rfind("[[categories.items]]")
        .unwrap();
    let header_line = text[..header].matches('\n').count() + 1;
    assert_eq!(err.problems[0].line, header_line);
    assert!(
        err.problems[0].message.contains("missing key `name_en`"),
        "{err}"
    );
}

#[test]
fn item_id_outside_its_category_is_rejected() {
    let text = edit(&shipped_text(), "id = \"4.2.3\"", "id = \"4.3.9\"");
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "id = \"4.3.9\""));
    assert!(
        err.problems[0]
            .message
            .contains("does not start with its category id `4.2.`")
    );
}

#[test]
fn duplicate_id_is_rejected() {
    let text = edit(&shipped_text(), "id = \"4.2.3\"", "id = \"4.2.2\"");
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    let second = text.match_indices("id = \"4.2.2\"").nth(1).unwrap().0;
    assert_eq!(
        err.problems[0].line,
        text[..second].matches('\n').count() + 1
    );
    assert!(err.problems[0].message.contains("duplicate id `4.2.2`"));
}

#[test]
fn band_gap_is_rejected() {
    let text = edit(&shipped_text(), "min_percent = 30", "min_percent = 35");
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "min_percent = 35"));
    assert!(
        err.problems[0].message.contains("band 3 starts at 35%"),
        "{err}"
    );

    let text = edit(&shipped_text(), "max_percent = 100", "max_percent = 95");
    let err = Criteria::parse(&text, "c.toml").unwrap_err();
    assert_eq!(err.problems[0].line, line_of(&text, "max_percent = 95"));
}

#[test]
fn a_different_table_loads_without_code_changes() {
    let path = fixture("criteria-small.toml");
    let c = Criteria::load(&path).unwrap();
    assert_eq!(c.meta.total, 100);
    assert_eq!(c.items().count(), 3);
    assert_eq!(c.meta.score_step_percent, 10);
    assert_eq!(c.band_for(50).unwrap().band, 2);
}
