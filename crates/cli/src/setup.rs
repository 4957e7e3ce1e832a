//! Setting up the Qingyuan city programme with the shipped measures and criteria.

use qaward_store::programme::NewProgramme;
use qaward_store::{Store, Who};

/// The 2020 measures.
pub const QINGYUAN_2020: &str = include_str!("../../../rules/qingyuan-2020.toml");
/// The demonstration copy of the 2020 measures (valid 2025-04-01 to 2030-03-31).
pub const QINGYUAN_2020_DEMO: &str = include_str!("../../../rules/qingyuan-2020-demo.toml");
/// GB/T 19580-2012 criteria.
pub const GBT19580_2012: &str = include_str!("../../../rules/gbt19580-2012.toml");

/// The county-level divisions of Qingyuan, with their administrative division codes.
pub const QINGYUAN_COUNTIES: [(&str, &str); 8] = [
    ("441802", "清城区"),
    ("441803", "清新区"),
    ("441881", "英德市"),
    ("441882", "连州市"),
    ("441821", "佛冈县"),
    ("441823", "阳山县"),
    ("441825", "连山壮族瑶族自治县"),
    ("441826", "连南瑶族自治县"),
];

/// Departments whose written opinion the office may seek (Art. 14).
pub const QINGYUAN_DEPARTMENTS: [(&str, &str); 7] = [
    ("ecology", "市生态环境局"),
    ("emergency", "市应急管理局"),
    ("tax", "国家税务总局清远市税务局"),
    ("hrss", "市人力资源和社会保障局"),
    ("ip", "市市场监督管理局（知识产权）"),
    ("health", "市卫生健康局"),
    ("credit", "市发展和改革局（社会信用）"),
];

/// Create the Qingyuan programme with its counties and departments, and load the criteria and
/// the rule set given. Returns (programme id, rule set id).
pub async fn qingyuan(
    store: &Store,
    rules: &str,
    now: jiff::Timestamp,
) -> qaward_store::Result<(i64, i64)> {
    let who = Who::system();
    let mut tx = store.write(now).await?;
    Store::insert_criteria(&mut tx, &who, GBT19580_2012).await?;
    let p = NewProgramme {
        code: "qingyuan-city".into(),
        name: "清远市政府质量奖".into(),
        name_en: "Qingyuan City Government Quality Award".into(),
        level: "city".into(),
        region: "清远市".into(),
        office_name: "清远市质量强市工作领导小组办公室（市市场监管局）".into(),
        counties: QINGYUAN_COUNTIES
            .iter()
            .map(|(c, n)| ((*c).into(), (*n).into()))
            .collect(),
        departments: QINGYUAN_DEPARTMENTS
            .iter()
            .map(|(c, n)| ((*c).into(), (*n).into()))
            .collect(),
    };
    let pid = Store::insert_programme(&mut tx, &who, &p).await?;
    let rid = Store::insert_rule_set(&mut tx, &who, pid, rules).await?;
    tx.commit().await?;
    Ok((pid, rid))
}
