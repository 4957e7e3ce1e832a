//! The eligibility self-check of an application (Art. 10, 11, 32, 33 of the
//! 2020 measures; R-APP-4, R-APP-5).
//!
//! The conditions that the form's data can decide are checked against the rule
//! set: registration in the city, years of operation, no loss, no failed quality
//! spot check, months of excellence-model practice, the re-application bar after a
//! win and the ban after a revocation. The conditions only a pledge can cover are
//! declared by the applicant ([`declarations`]). Every line names the article it
//! rests on and the numbers that decided it.
//!
//! Periods are counted in calendar terms on the day the session's call was
//! published (the call date). "N年以上" and "半年以上" include the bound
//! itself (以上 includes 本数), so an organisation registered exactly N years
//! before the call date qualifies. Adding years or months to a day that does
//! not exist in the target month (29 February, 31st) lands on the month's last
//! day.

use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::citation::article_zh;
use crate::rules::{Rule, RuleSet};

/// The article of the 2020 measures that lists the conditions for applying;
/// cited only when the rule set rests a condition on a `basis` instead of an article.
const FALLBACK_CONDITIONS: u32 = 10;
/// The article of the 2020 measures on re-applying after a win (same use).
const FALLBACK_REWIN: u32 = 11;
/// The article of the 2020 measures on truthful materials and revocation (same use).
const FALLBACK_TRUTH: u32 = 32;
/// The article of the 2020 measures on revocation after an accident (same use).
const FALLBACK_ACCIDENT_REVOCATION: u32 = 33;

/// Facts the application and the registry give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The day the session's call was published.
    pub call_date: Date,
    /// The organisation's county is one of the programme's counties.
    pub registered_in_programme: bool,
    /// 成立/登记日期 from the form.
    pub registration_date: Option<Date>,
    /// The last years' figures from the form, in any order.
    pub years: Vec<YearFigures>,
    /// Quality spot checks declared in the form.
    pub spot_checks: Vec<SpotCheck>,
    /// The day excellence-model practice began.
    pub excellence_since: Option<Date>,
    /// Years in which this organisation won this award (same programme).
    pub past_wins: Vec<i32>,
    /// Days on which an award of this organisation was revoked (Art. 32, 33).
    pub revocations: Vec<Date>,
    /// (declaration code, ticked) for the conditions only a pledge can cover;
    /// codes are those of [`declarations`].
    pub declarations: Vec<(String, bool)>,
}

/// One year's economic figures from the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearFigures {
    /// Calendar year.
    pub year: i32,
    /// Profit in 万元 (10,000 CNY); negative for a loss.
    pub profit_wan: Option<f64>,
    /// The form's loss flag for the year.
    pub loss: bool,
    /// For a loss caused by policy: the reason given.
    pub policy_loss_reason: Option<String>,
}

/// One quality spot check (质量监督抽查) declared in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotCheck {
    /// Day of the check.
    pub date: Date,
    /// Level of the inspecting body: `national`, `provincial` or `city`
    /// (国家级, 省级, 市级 are accepted too); other levels do not count.
    pub level: String,
    /// Whether the product passed.
    pub passed: bool,
    /// The product checked.
    pub product: String,
}

/// The result of one line of the self-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The data meet the condition.
    Pass,
    /// The data do not meet the condition.
    Fail,
    /// The applicant has pledged the condition.
    Declared,
    /// The data (or the pledge) are not given yet.
    Missing,
}

/// One line of the self-check: one condition, its article and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// Stable code of the condition, e.g. `operating_years` or a declaration code.
    pub code: &'static str,
    /// The condition in Chinese, with the rule set's numbers.
    pub title_zh: String,
    /// The condition in English.
    pub title_en: String,
    /// The article (第N条) the condition rests on.
    pub article: u32,
    /// Further articles that say the same (e.g. 33 after 32 for the revocation ban).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<u32>,
    /// The result.
    pub outcome: Outcome,
    /// Why, in Chinese, naming the dates and numbers that decided it.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
}

impl Line {
    /// The cited article(s) in Chinese, e.g. `第十条` or `第三十二条、第三十三条`.
    pub fn citation_zh(&self) -> String {
        self.articles()
            .map(article_zh)
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The cited article(s) in English, e.g. `Article 10` or `Articles 32 and 33`.
    pub fn citation_en(&self) -> String {
        let numbers: Vec<String> = self.articles().map(|n| n.to_string()).collect();
        match numbers.as_slice() {
            [one] => format!("Article {one}"),
            [init @ .., last] => format!("Articles {} and {last}", init.join(", ")),
            [] => unreachable!("a line always cites its article"),
        }
    }

    /// All cited articles, the main one first.
    pub fn articles(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.article).chain(self.also.iter().copied())
    }

    /// Whether the line does not stand in the way of the application.
    pub fn is_met(&self) -> bool {
        matches!(self.outcome, Outcome::Pass | Outcome::Declared)
    }
}

/// Placeholder in the declaration texts for the rule set's `clean_record_years`.
pub const YEARS_PLACEHOLDER: &str = "{years}";

const DECLARATIONS: &[(&str, &str, &str)] = &[
    (
        "policy_compliance",
        "符合国家和本市有关产业导向、环境保护、节能减排、安全生产、质量等法律法规及政策要求，具备相关资质或证照",
        "Complies with national and city laws, regulations and policies on industrial orientation, environmental protection, energy saving and emission reduction, work safety and quality, and holds the required qualifications or licences",
    ),
    (
        "industry_leading",
        "主要经济、技术和质量等指标在上年度处于本市同行业领先水平",
        "Its main economic, technical and quality indicators led the city's industry in the previous year",
    ),
    (
        "no_major_accident",
        "近{years}年无重大质量、安全、环境污染、公共卫生、食品安全等事故",
        "No major quality, safety, environmental pollution, public health, food safety or similar accident in the last {years} years",
    ),
    (
        "no_major_complaint",
        "无重大质量投诉，无严重失信行为",
        "No major quality complaint and no serious breach of trust",
    ),
    (
        "no_penalty",
        "没有因违反生产经营、知识产权、劳动保障、环保、安全生产、税收等法律、法规、规章规定受到刑事或行政处罚",
        "No criminal or administrative penalty for breaching laws, regulations or rules on production and business, intellectual property, labour protection, environmental protection, work safety, tax or the like",
    ),
    (
        "quality_system",
        "设立健全的质量管理体系，建立卓越绩效模式管理推进机构",
        "Has a sound quality management system and a body that drives the excellence model",
    ),
    (
        "truthful",
        "申报材料真实，对其真实性负责",
        "The application materials are true, and the applicant answers for their truth",
    ),
];

/// The declarations the applicant pledges, for the form: (code, Chinese text,
/// English text), in the order of the self-check. A text may hold
/// [`YEARS_PLACEHOLDER`] for the rule set's `clean_record_years`; see
/// [`declaration_texts`] for the texts filled in.
pub fn declarations() -> &'static [(&'static str, &'static str, &'static str)] {
    DECLARATIONS
}

/// The declarations with the rule set's numbers filled in: (code, Chinese, English).
pub fn declaration_texts(rules: &RuleSet) -> Vec<(&'static str, String, String)> {
    let years = rules.eligibility.clean_record_years.value.to_string();
    DECLARATIONS
        .iter()
        .map(|&(code, zh, en)| {
            (
                code,
                zh.replace(YEARS_PLACEHOLDER, &years),
                en.replace(YEARS_PLACEHOLDER, &years),
            )
        })
        .collect()
}

/// Every line of the self-check, in order: `registered`, `operating_years`,
/// `no_loss`, `spot_checks`, `excellence`, `rewin_bar`, `revocation_ban`, then
/// one line per declaration in the order of [`declarations`].
pub fn check(rules: &RuleSet, f: &Facts) -> Vec<Line> {
    let mut lines = vec![
        registered(rules, f),
        operating_years(rules, f),
        no_loss(rules, f),
        spot_checks(rules, f),
        excellence(rules, f),
        rewin_bar(rules, f),
        revocation_ban(rules, f),
    ];
    lines.extend(declaration_lines(rules, f));
    lines
}

/// Whether no line fails and none is missing.
pub fn passes(lines: &[Line]) -> bool {
    lines.iter().all(Line::is_met)
}

/// The article (and further articles) a rule cites, or `fallback` for a rule
/// resting on a `basis`.
fn cite<T>(rule: &Rule<T>, fallback: u32) -> (u32, Vec<u32>) {
    match rule.article {
        Some(a) => (a, rule.also.clone()),
        None => (fallback, Vec::new()),
    }
}

fn line(
    code: &'static str,
    (title_zh, title_en): (String, String),
    (article, also): (u32, Vec<u32>),
    outcome: Outcome,
    (reason_zh, reason_en): (String, String),
) -> Line {
    Line {
        code,
        title_zh,
        title_en,
        article,
        also,
        outcome,
        reason_zh,
        reason_en,
    }
}

fn date_zh(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn years_zh(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| format!("{y}年"))
        .collect::<Vec<_>>()
        .join("、")
}

fn years_en(years: &[i32]) -> String {
    let years: Vec<String> = years.iter().map(i32::to_string).collect();
    match years.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `d` plus `n` calendar years, or `None` beyond the supported dates.
fn add_years(d: Date, n: u32) -> Option<Date> {
    let span = Span::new().try_years(i64::from(n)).ok()?;
    d.checked_add(span).ok()
}

/// `d` plus `n` calendar months, or `None` beyond the supported dates.
fn add_months(d: Date, n: u32) -> Option<Date> {
    let span = Span::new().try_months(i64::from(n)).ok()?;
    d.checked_add(span).ok()
}

/// `d` minus `n` calendar years, or the earliest supported date.
fn sub_years(d: Date, n: u32) -> Date {
    Span::new()
        .try_years(i64::from(n))
        .ok()
        .and_then(|span| d.checked_sub(span).ok())
        .unwrap_or(Date::MIN)
}

/// Whole units from `from` to `to` (0 when `to` is before `from`): the largest
/// `k` with `add(from, k) <= to`, starting the search at `guess`.
fn whole(from: Date, to: Date, guess: i64, add: fn(Date, u32) -> Option<Date>) -> u32 {
    let mut k = u32::try_from(guess.max(0)).unwrap_or(u32::MAX);
    while k > 0 && add(from, k).is_none_or(|d| d > to) {
        k -= 1;
    }
    k
}

fn whole_years(from: Date, to: Date) -> u32 {
    let guess = i64::from(to.year()) - i64::from(from.year());
    whole(from, to, guess, add_years)
}

fn whole_months(from: Date, to: Date) -> u32 {
    let guess = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month());
    whole(from, to, guess, add_months)
}

/// Art. 10(一): 在本市行政区域内登记注册. The condition shares its clause with
/// the years of operation, so it cites that rule's article.
fn registered(rules: &RuleSet, f: &Facts) -> Line {
    let title = (
        "在本市行政区域内登记注册".to_owned(),
        "Registered within the city".to_owned(),
    );
    let (outcome, reason) = if f.registered_in_programme {
        (
            Outcome::Pass,
            (
                "登记注册地属本市所辖县（市、区）".to_owned(),
                "The organisation is registered in one of the city's counties".to_owned(),
            ),
        )
    } else {
        (
            Outcome::Fail,
            (
                "登记注册地不属本市所辖县（市、区），不满足在本市行政区域内登记注册的要求"
                    .to_owned(),
                "The organisation is not registered in one of the city's counties, so it does not meet the condition of registration within the city".to_owned(),
            ),
        )
    };
    line(
        "registered",
        title,
        cite(&rules.eligibility.min_operating_years, FALLBACK_CONDITIONS),
        outcome,
        reason,
    )
}

/// Art. 10(一): 生产经营N年以上 on the call date: registration date plus N
/// calendar years is on or before the call date.
fn operating_years(rules: &RuleSet, f: &Facts) -> Line {
    let rule = &rules.eligibility.min_operating_years;
    let n = rule.value;
    let title = (
        format!("生产经营{n}年以上"),
        format!("Operating for at least {}", plural(n, "year", "years")),
    );
    let call = f.call_date;
    let (outcome, reason) = match f.registration_date {
        None => (
            Outcome::Missing,
            (
                format!("申报表未填写成立/登记日期，无法判断是否生产经营{n}年以上"),
                format!(
                    "The form gives no registration date, so operation for at least {} cannot be checked",
                    plural(n, "year", "years")
                ),
            ),
        ),
        Some(reg) => {
            let due = add_years(reg, n);
            let had = whole_years(reg, call);
            if due.is_some_and(|due| due <= call) {
                (
                    Outcome::Pass,
                    (
                        format!(
                            "登记成立于{}，至申报通知发布日（{}）生产经营{had}年，满足不少于{n}年的要求",
                            date_zh(reg),
                            date_zh(call)
                        ),
                        format!(
                            "Registered on {reg}; by the call date ({call}) it had operated for {}, meeting the minimum of {}",
                            plural(had, "year", "years"),
                            plural(n, "year", "years")
                        ),
                    ),
                )
            } else {
                let due_zh = due
                    .map(|d| format!("，满{n}年之日为{}", date_zh(d)))
                    .unwrap_or_default();
                let due_en = due
                    .map(|d| format!("; it reaches {} on {d}", plural(n, "year", "years")))
                    .unwrap_or_default();
                (
                    Outcome::Fail,
                    (
                        format!(
                            "登记成立于{}，至申报通知发布日（{}）生产经营{had}年，不满{n}年{due_zh}，不满足不少于{n}年的要求",
                            date_zh(reg),
                            date_zh(call)
                        ),
                        format!(
                            "Registered on {reg}; by the call date ({call}) it had operated for {}, less than the minimum of {}{due_en}",
                            plural(had, "full year", "full years"),
                            plural(n, "year", "years")
                        ),
                    ),
                )
            }
        }
    };
    line(
        "operating_years",
        title,
        cite(rule, FALLBACK_CONDITIONS),
        outcome,
        reason,
    )
}

/// How one year of the no-loss window stands.
enum YearStand<'a> {
    NoFigures,
    NoLoss(Option<f64>),
    PolicyLoss(Option<f64>, &'a str),
    Loss(Option<f64>),
    PolicyLossWithoutReason(Option<f64>),
    PolicyLossNotExcepted(Option<f64>, &'a str),
}

fn profit_zh(p: Option<f64>) -> String {
    p.map(|p| format!("（利润{p}万元）")).unwrap_or_default()
}

fn profit_en(p: Option<f64>) -> String {
    p.map(|p| format!(" (profit {p} × 10,000 CNY)"))
        .unwrap_or_default()
}

/// Art. 10(二): 近N年未发生亏损（政策性亏损除外）. The window is the N full
/// calendar years before the call year (a call in 2026 with N = 3 looks at
/// 2023, 2024 and 2025). A year is a loss when its loss flag is set or its
/// profit is negative; a loss with a non-empty policy reason does not count
/// when the rule set excepts policy losses. A loss decides before missing
/// figures: the line fails if any year is a loss, and is missing if no year is
/// a loss but some year has no figures.
fn no_loss(rules: &RuleSet, f: &Facts) -> Line {
    let e = &rules.eligibility;
    let n = e.no_loss_years.value;
    let excepted = e.policy_loss_excepted.value;
    let except_zh = if excepted {
        "（政策性亏损除外）"
    } else {
        ""
    };
    let except_en = if excepted {
        " (policy-driven losses excepted)"
    } else {
        ""
    };
    let title = (
        format!("近{n}年未发生亏损{except_zh}"),
        format!(
            "No loss in the last {}{except_en}",
            plural(n, "year", "years")
        ),
    );
    let call_year = i32::from(f.call_date.year());
    let span = i32::try_from(n).unwrap_or(i32::MAX);
    let window: Vec<i32> = (call_year.saturating_sub(span)..call_year).collect();

    let stands: Vec<(i32, YearStand<'_>)> = window
        .iter()
        .map(|&y| {
            let stand = match f.years.iter().find(|fig| fig.year == y) {
                None => YearStand::NoFigures,
                Some(fig) => {
                    let p = fig.profit_wan;
                    let loss = fig.loss || p.is_some_and(|p| p < 0.0);
                    match (loss, fig.policy_loss_reason.as_deref().map(str::trim)) {
                        (false, _) => YearStand::NoLoss(p),
                        (true, None) => YearStand::Loss(p),
                        (true, Some("")) => YearStand::PolicyLossWithoutReason(p),
                        (true, Some(r)) if excepted => YearStand::PolicyLoss(p, r),
                        (true, Some(r)) => YearStand::PolicyLossNotExcepted(p, r),
                    }
                }
            };
            (y, stand)
        })
        .collect();

    let failed = stands.iter().any(|(_, s)| {
        matches!(
            s,
            YearStand::Loss(_)
                | YearStand::PolicyLossWithoutReason(_)
                | YearStand::PolicyLossNotExcepted(..)
        )
    });
    let missing = stands
        .iter()
        .any(|(_, s)| matches!(s, YearStand::NoFigures));
    let outcome = if failed {
        Outcome::Fail
    } else if missing {
        Outcome::Missing
    } else {
        Outcome::Pass
    };

    let (details_zh, details_en): (Vec<String>, Vec<String>) = stands
        .iter()
        .map(|(y, s)| match s {
            YearStand::NoFigures => (
                format!("{y}年未填报利润数据"),
                format!("no figures for {y}"),
            ),
            YearStand::NoLoss(p) => (
                format!("{y}年未亏损{}", profit_zh(*p)),
                format!("no loss in {y}{}", profit_en(*p)),
            ),
            YearStand::PolicyLoss(p, r) => (
                format!("{y}年亏损{}为政策性亏损（原因：{r}），不计入", profit_zh(*p)),
                format!(
                    "a policy-driven loss in {y}{} (reason: {r}), which does not count",
                    profit_en(*p)
                ),
            ),
            YearStand::Loss(p) => (
                format!("{y}年亏损{}", profit_zh(*p)),
                format!("a loss in {y}{}", profit_en(*p)),
            ),
            YearStand::PolicyLossWithoutReason(p) => (
                format!(
                    "{y}年亏损{}，标为政策性亏损但未说明原因，不能除外",
                    profit_zh(*p)
                ),
                format!(
                    "a loss in {y}{} marked as policy-driven without a reason, which cannot be excepted",
                    profit_en(*p)
                ),
            ),
            YearStand::PolicyLossNotExcepted(p, r) => (
                format!(
                    "{y}年亏损{}，标为政策性亏损（原因：{r}），但规则集不除外政策性亏损",
                    profit_zh(*p)
                ),
                format!(
                    "a loss in {y}{} marked as policy-driven (reason: {r}), but the rule set does not except policy-driven losses",
                    profit_en(*p)
                ),
            ),
        })
        .unzip();

    let reason = if window.is_empty() {
        (
            "规则集不要求考察亏损年度".to_owned(),
            "The rule set looks at no years for losses".to_owned(),
        )
    } else {
        let head_zh = format!("近{n}年（{}）：", years_zh(&window));
        let head_en = format!(
            "The last {} ({}): ",
            plural(n, "year", "years"),
            years_en(&window)
        );
        let (tail_zh, tail_en) = match outcome {
            Outcome::Pass => (
                format!("满足近{n}年未发生亏损{except_zh}的要求"),
                "the condition is met".to_owned(),
            ),
            Outcome::Fail => (
                format!("不满足近{n}年未发生亏损{except_zh}的要求"),
                "the condition is not met".to_owned(),
            ),
            _ => (
                "须补充缺少年度的数据后判断".to_owned(),
                "the missing years' figures are needed to decide".to_owned(),
            ),
        };
        (
            format!("{head_zh}{}；{tail_zh}", details_zh.join("；")),
            format!("{head_en}{}; {tail_en}", details_en.join("; ")),
        )
    };
    line(
        "no_loss",
        title,
        cite(&e.no_loss_years, FALLBACK_CONDITIONS),
        outcome,
        reason,
    )
}

/// The spot-check levels that count (国家级、省级、市级), in both languages.
fn counted_level(level: &str) -> Option<(&'static str, &'static str)> {
    match level.trim().to_ascii_lowercase().as_str() {
        "national" | "国家级" => Some(("国家级", "national")),
        "provincial" | "省级" => Some(("省级", "provincial")),
        "city" | "市级" => Some(("市级", "city")),
        _ => None,
    }
}

/// Art. 10(一): 近N年国家级、省级、市级质量监督抽查中没有不合格记录. The window
/// starts N calendar years before the call date (that day included); checks
/// after the call date are the most recent of all and count too. Checks before
/// the window, and checks at other levels, are ignored and the reason says so.
fn spot_checks(rules: &RuleSet, f: &Facts) -> Line {
    let rule = &rules.eligibility.clean_record_years;
    let n = rule.value;
    let title = (
        format!("近{n}年国家级、省级、市级质量监督抽查中没有不合格记录"),
        format!(
            "No failed national, provincial or city quality spot check in the last {}",
            plural(n, "year", "years")
        ),
    );
    let call = f.call_date;
    let start = sub_years(call, n);
    let mut failed = Vec::new();
    let mut passed = 0u32;
    let mut too_old = 0u32;
    let mut other_level = 0u32;
    for c in &f.spot_checks {
        match counted_level(&c.level) {
            None => other_level += 1,
            Some(_) if c.date < start => too_old += 1,
            Some(level) if !c.passed => failed.push((c, level)),
            Some(_) => passed += 1,
        }
    }
    let outcome = if failed.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };

    let mut zh = format!(
        "近{n}年（{}至申报通知发布日{}）",
        date_zh(start),
        date_zh(call)
    );
    let mut en = format!(
        "In the last {} ({start} to the call date {call})",
        plural(n, "year", "years")
    );
    if failed.is_empty() {
        if passed == 0 {
            zh.push_str("未申报国家级、省级、市级质量监督抽查不合格记录");
            en.push_str(" no failed national, provincial or city spot check is declared");
        } else {
            zh.push_str(&format!(
                "申报国家级、省级、市级质量监督抽查{passed}次，均合格"
            ));
            en.push_str(&format!(
                " {} declared, all passed",
                plural(
                    passed,
                    "national, provincial or city spot check",
                    "national, provincial or city spot checks"
                )
            ));
        }
    } else {
        let list_zh: Vec<String> = failed
            .iter()
            .map(|(c, (lz, _))| format!("{}{lz}抽查（产品：{}）不合格", date_zh(c.date), c.product))
            .collect();
        let list_en: Vec<String> = failed
            .iter()
            .map(|(c, (_, le))| format!("the {le} spot check of {} ({}) failed", c.date, c.product))
            .collect();
        zh.push_str(&format!("：{}", list_zh.join("；")));
        en.push_str(&format!(": {}", list_en.join("; ")));
    }
    if too_old > 0 {
        zh.push_str(&format!(
            "；另有{too_old}次抽查早于{}，不在近{n}年内，不予计入",
            date_zh(start)
        ));
        en.push_str(&format!(
            "; {} before {start}, outside the window, {} ignored",
            plural(too_old, "check", "checks"),
            if too_old == 1 { "is" } else { "are" }
        ));
    }
    if other_level > 0 {
        zh.push_str(&format!(
            "；另有{other_level}次抽查不属国家级、省级、市级，不予计入"
        ));
        en.push_str(&format!(
            "; {} at another level {} ignored",
            plural(other_level, "check", "checks"),
            if other_level == 1 { "is" } else { "are" }
        ));
    }
    match outcome {
        Outcome::Pass => {
            zh.push_str("；满足要求");
            en.push_str("; the condition is met");
        }
        _ => {
            zh.push_str(&format!(
                "；不满足近{n}年质量监督抽查中没有不合格记录的要求"
            ));
            en.push_str("; the condition is not met");
        }
    }
    line(
        "spot_checks",
        title,
        cite(rule, FALLBACK_CONDITIONS),
        outcome,
        (zh, en),
    )
}

/// Art. 10(三): 推广及应用卓越绩效管理模式M个月以上 on the call date: the day
/// practice began plus M calendar months is on or before the call date.
fn excellence(rules: &RuleSet, f: &Facts) -> Line {
    let rule = &rules.eligibility.min_excellence_practice_months;
    let m = rule.value;
    let title = (
        format!("推广及应用卓越绩效管理模式{m}个月以上"),
        format!(
            "Excellence model practised for at least {}",
            plural(m, "month", "months")
        ),
    );
    let call = f.call_date;
    let (outcome, reason) = match f.excellence_since {
        None => (
            Outcome::Missing,
            (
                format!("申报表未填写开始推行卓越绩效模式的日期，无法判断是否满{m}个月"),
                format!(
                    "The form gives no date on which excellence-model practice began, so at least {} cannot be checked",
                    plural(m, "month", "months")
                ),
            ),
        ),
        Some(since) => {
            let due = add_months(since, m);
            let had = whole_months(since, call);
            if due.is_some_and(|due| due <= call) {
                (
                    Outcome::Pass,
                    (
                        format!(
                            "自{}起推行卓越绩效模式，至申报通知发布日（{}）满{had}个月，满足不少于{m}个月的要求",
                            date_zh(since),
                            date_zh(call)
                        ),
                        format!(
                            "Excellence-model practice began on {since}; by the call date ({call}) it had run for {}, meeting the minimum of {}",
                            plural(had, "full month", "full months"),
                            plural(m, "month", "months")
                        ),
                    ),
                )
            } else {
                let due_zh = due
                    .map(|d| format!("，满{m}个月之日为{}", date_zh(d)))
                    .unwrap_or_default();
                let due_en = due
                    .map(|d| format!("; it reaches {} on {d}", plural(m, "month", "months")))
                    .unwrap_or_default();
                (
                    Outcome::Fail,
                    (
                        format!(
                            "自{}起推行卓越绩效模式，至申报通知发布日（{}）满{had}个月，不满{m}个月{due_zh}，不满足不少于{m}个月的要求",
                            date_zh(since),
                            date_zh(call)
                        ),
                        format!(
                            "Excellence-model practice began on {since}; by the call date ({call}) it had run for {}, less than the minimum of {}{due_en}",
                            plural(had, "full month", "full months"),
                            plural(m, "month", "months")
                        ),
                    ),
                )
            }
        }
    };
    line(
        "excellence",
        title,
        cite(rule, FALLBACK_CONDITIONS),
        outcome,
        reason,
    )
}

/// Art. 11: 获奖后N年内，不得重新申报同一奖项.
///
/// "获奖后N年内" is counted in calendar years from the win year, the win year
/// being the first of the N: a win in year Y bars every call published in the
/// years Y to Y+N−1, i.e. while `call year − Y < N`, and the organisation may
/// apply again from year Y+N. With N = 5, a 2024 winner cannot apply in the 2026
/// or 2028 sessions and may apply in 2029 or later; a 2020 winner may apply in
/// 2025 or later. The latest win decides.
fn rewin_bar(rules: &RuleSet, f: &Facts) -> Line {
    let rule = &rules.eligibility.rewin_bar_years;
    let n = rule.value;
    let title = (
        format!("获奖后{n}年内不得重新申报同一奖项"),
        format!(
            "No re-application within {} of winning this award",
            plural(n, "year", "years")
        ),
    );
    let call_year = i64::from(f.call_date.year());
    let n64 = i64::from(n);
    let (outcome, reason) = match f.past_wins.iter().copied().max() {
        None => (
            Outcome::Pass,
            (
                "未曾获得本奖项".to_owned(),
                "The organisation has not won this award before".to_owned(),
            ),
        ),
        Some(won) => {
            let won64 = i64::from(won);
            let last_barred = won64 + n64 - 1;
            let first_free = won64 + n64;
            if call_year - won64 < n64 {
                (
                    Outcome::Fail,
                    (
                        format!(
                            "{won}年获得本奖项，获奖后{n}年内（{won}年至{last_barred}年）不得重新申报同一奖项；本届申报通知发布于{call_year}年，最早可于{first_free}年重新申报"
                        ),
                        format!(
                            "The organisation won this award in {won}; within {} of winning ({won} to {last_barred}) it cannot apply again; this call was published in {call_year}, and it may apply again from {first_free}",
                            plural(n, "year", "years")
                        ),
                    ),
                )
            } else {
                (
                    Outcome::Pass,
                    (
                        format!(
                            "最近一次于{won}年获得本奖项，获奖后{n}年内（{won}年至{last_barred}年）的限制已于本届申报通知发布年份（{call_year}年）前届满，自{first_free}年起可重新申报"
                        ),
                        format!(
                            "The organisation last won this award in {won}; the bar of {} ({won} to {last_barred}) ended before this call's year ({call_year}); it may apply again from {first_free}",
                            plural(n, "year", "years")
                        ),
                    ),
                )
            }
        }
    };
    line(
        "rewin_bar",
        title,
        cite(rule, FALLBACK_REWIN),
        outcome,
        reason,
    )
}

/// Art. 32, 33: 撤销奖励后N年内不接受再次申报. A revocation on day R bars every
/// call published before R plus N calendar years; from that day on the
/// organisation may apply again. The latest revocation decides.
fn revocation_ban(rules: &RuleSet, f: &Facts) -> Line {
    let rule = &rules.revocation.ban_years;
    let n = rule.value;
    let title = (
        format!("被撤销奖励后{n}年内不得再次申报"),
        format!(
            "No application within {} of a revoked award",
            plural(n, "year", "years")
        ),
    );
    let call = f.call_date;
    let cited = match rule.article {
        Some(_) => cite(rule, FALLBACK_TRUTH),
        None => (FALLBACK_TRUTH, vec![FALLBACK_ACCIDENT_REVOCATION]),
    };
    let (outcome, reason) = match f.revocations.iter().copied().max() {
        None => (
            Outcome::Pass,
            (
                "没有被撤销奖励的记录".to_owned(),
                "No award of the organisation has been revoked".to_owned(),
            ),
        ),
        Some(revoked) => {
            let free = add_years(revoked, n);
            if free.is_none_or(|free| call < free) {
                let free_zh = free
                    .map(|d| format!("，自{}起方可再次申报", date_zh(d)))
                    .unwrap_or_default();
                let free_en = free
                    .map(|d| format!("; it may apply again from {d}"))
                    .unwrap_or_default();
                (
                    Outcome::Fail,
                    (
                        format!(
                            "于{}被撤销奖励，{n}年内不接受再次申报；申报通知发布日（{}）仍在期限内{free_zh}",
                            date_zh(revoked),
                            date_zh(call)
                        ),
                        format!(
                            "An award of the organisation was revoked on {revoked}; no application is accepted within {}; the call date ({call}) falls within that period{free_en}",
                            plural(n, "year", "years")
                        ),
                    ),
                )
            } else {
                let free = free.unwrap_or(revoked);
                (
                    Outcome::Pass,
                    (
                        format!(
                            "最近一次于{}被撤销奖励，至申报通知发布日（{}）已满{n}年（自{}起可再次申报）",
                            date_zh(revoked),
                            date_zh(call),
                            date_zh(free)
                        ),
                        format!(
                            "An award of the organisation was last revoked on {revoked}; by the call date ({call}) the {}-year ban had ended (it ended on {free})",
                            n
                        ),
                    ),
                )
            }
        }
    };
    line("revocation_ban", title, cited, outcome, reason)
}

/// The article a declaration rests on: Art. 10 for the conditions of its clauses
/// (一) and (二) through the clean-record rule, Art. 10(三) through the
/// excellence rule, and Art. 32 for truthfulness through the revocation ban.
fn declaration_article(rules: &RuleSet, code: &str) -> (u32, Vec<u32>) {
    match code {
        "quality_system" => cite(
            &rules.eligibility.min_excellence_practice_months,
            FALLBACK_CONDITIONS,
        ),
        "truthful" => (
            rules.revocation.ban_years.article.unwrap_or(FALLBACK_TRUTH),
            Vec::new(),
        ),
        _ => cite(&rules.eligibility.clean_record_years, FALLBACK_CONDITIONS),
    }
}

/// One line per declaration: `Declared` when ticked, `Missing` otherwise.
fn declaration_lines(rules: &RuleSet, f: &Facts) -> Vec<Line> {
    declaration_texts(rules)
        .into_iter()
        .map(|(code, zh, en)| {
            let ticked = f
                .declarations
                .iter()
                .any(|(c, ticked)| c == code && *ticked);
            let (outcome, reason) = if ticked {
                (
                    Outcome::Declared,
                    (
                        format!("申报单位已承诺：{zh}"),
                        format!("The applicant has declared: {en}"),
                    ),
                )
            } else {
                (
                    Outcome::Missing,
                    (
                        format!("申报单位尚未勾选承诺：{zh}"),
                        format!("The applicant has not yet ticked the declaration: {en}"),
                    ),
                )
            };
            line(
                code,
                (zh, en),
                declaration_article(rules, code),
                outcome,
                reason,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    use crate::rules::qingyuan_2020 as rules;

    fn year(year: i32, profit: f64) -> YearFigures {
        YearFigures {
            year,
            profit_wan: Some(profit),
            loss: false,
            policy_loss_reason: None,
        }
    }

    fn loss(year: i32, reason: Option<&str>) -> YearFigures {
        YearFigures {
            year,
            profit_wan: Some(-120.0),
            loss: true,
            policy_loss_reason: reason.map(str::to_owned),
        }
    }

    fn spot(d: Date, level: &str, passed: bool) -> SpotCheck {
        SpotCheck {
            date: d,
            level: level.to_owned(),
            passed,
            product: "水泥".to_owned(),
        }
    }

    /// An applicant that meets every condition of a call published on 1 September 2026.
    fn good() -> Facts {
        Facts {
            call_date: date(2026, 9, 1),
            registered_in_programme: true,
            registration_date: Some(date(2021, 3, 1)),
            years: vec![year(2025, 800.0), year(2023, 500.0), year(2024, 650.5)],
            spot_checks: vec![spot(date(2025, 5, 10), "provincial", true)],
            excellence_since: Some(date(2024, 1, 1)),
            past_wins: Vec::new(),
            revocations: Vec::new(),
            declarations: declarations()
                .iter()
                .map(|(code, _, _)| ((*code).to_owned(), true))
                .collect(),
        }
    }

    fn get<'a>(lines: &'a [Line], code: &str) -> &'a Line {
        lines
            .iter()
            .find(|l| l.code == code)
            .unwrap_or_else(|| panic!("no line {code}"))
    }

    fn outcome(rules: &RuleSet, f: &Facts, code: &str) -> Outcome {
        get(&check(rules, f), code).outcome
    }

    #[test]
    fn lines_in_order_with_articles_and_a_clean_applicant_passes() {
        let r = rules();
        let lines = check(&r, &good());
        let codes: Vec<&str> = lines.iter().map(|l| l.code).collect();
        let mut expected = vec![
            "registered",
            "operating_years",
            "no_loss",
            "spot_checks",
            "excellence",
            "rewin_bar",
            "revocation_ban",
        ];
        expected.extend(declarations().iter().map(|(c, _, _)| *c));
        assert_eq!(codes, expected);
        for l in &lines {
            assert!(l.is_met(), "{}: {:?} {}", l.code, l.outcome, l.reason_zh);
        }
        assert!(passes(&lines));
        assert_eq!(get(&lines, "registered").citation_zh(), "第十条");
        assert_eq!(get(&lines, "registered").citation_en(), "Article 10");
        assert_eq!(get(&lines, "rewin_bar").citation_zh(), "第十一条");
        let ban = get(&lines, "revocation_ban");
        assert_eq!(ban.citation_zh(), "第三十二条、第三十三条");
        assert_eq!(ban.citation_en(), "Articles 32 and 33");
    }

    #[test]
    fn art10_registered_in_the_city() {
        let r = rules();
        let mut f = good();
        assert_eq!(outcome(&r, &f, "registered"), Outcome::Pass);
        f.registered_in_programme = false;
        let lines = check(&r, &f);
        let l = get(&lines, "registered");
        assert_eq!(l.outcome, Outcome::Fail);
        assert_eq!(l.article, 10);
        assert!(!passes(&lines));
    }

    #[test]
    fn art10_operating_years_boundary() {
        let r = rules();
        let mut f = good();
        let l = get(&check(&r, &f), "operating_years").clone();
        assert_eq!(l.outcome, Outcome::Pass);
        assert_eq!(l.article, 10);
        assert_eq!(l.title_zh, "生产经营3年以上");
        assert_eq!(
            l.reason_zh,
            "登记成立于2021年3月1日，至申报通知发布日（2026年9月1日）生产经营5年，满足不少于3年的要求"
        );

        f.registration_date = Some(date(2023, 9, 1));
        assert_eq!(outcome(&r, &f, "operating_years"), Outcome::Pass);

        f.registration_date = Some(date(2023, 9, 2));
        let l = get(&check(&r, &f), "operating_years").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert!(
            l.reason_zh.contains("生产经营2年，不满3年"),
            "{}",
            l.reason_zh
        );
        assert!(
            l.reason_zh.contains("满3年之日为2026年9月2日"),
            "{}",
            l.reason_zh
        );

        f.registration_date = Some(date(2027, 1, 1));
        assert_eq!(outcome(&r, &f, "operating_years"), Outcome::Fail);

        // 29 February plus three years lands on 28 February.
        f.call_date = date(2023, 2, 28);
        f.registration_date = Some(date(2020, 2, 29));
        assert_eq!(outcome(&r, &f, "operating_years"), Outcome::Pass);
        f.call_date = date(2023, 2, 27);
        assert_eq!(outcome(&r, &f, "operating_years"), Outcome::Fail);

        f.registration_date = None;
        let lines = check(&r, &f);
        assert_eq!(get(&lines, "operating_years").outcome, Outcome::Missing);
        assert!(!passes(&lines));

        // The number comes from the rule set.
        let mut r5 = rules();
        r5.eligibility.min_operating_years.value = 5;
        let mut f = good();
        f.registration_date = Some(date(2021, 9, 1));
        assert_eq!(outcome(&r5, &f, "operating_years"), Outcome::Pass);
        f.registration_date = Some(date(2021, 9, 2));
        let l = get(&check(&r5, &f), "operating_years").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert_eq!(l.title_zh, "生产经营5年以上");
    }

    #[test]
    fn art10_no_loss_in_the_years_before_the_call_year() {
        let r = rules();
        let mut f = good();
        let l = get(&check(&r, &f), "no_loss").clone();
        assert_eq!(l.outcome, Outcome::Pass);
        assert_eq!(l.article, 10);
        assert_eq!(l.title_zh, "近3年未发生亏损（政策性亏损除外）");
        assert!(
            l.reason_zh.starts_with("近3年（2023年、2024年、2025年）"),
            "{}",
            l.reason_zh
        );
        assert!(
            l.reason_en.contains("2023, 2024 and 2025"),
            "{}",
            l.reason_en
        );

        // A loss in 2024 fails.
        f.years[2] = loss(2024, None);
        let l = get(&check(&r, &f), "no_loss").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert!(
            l.reason_zh.contains("2024年亏损（利润-120万元）"),
            "{}",
            l.reason_zh
        );

        // The same loss with a policy reason passes.
        f.years[2] = loss(2024, Some("政府搬迁要求停产"));
        let l = get(&check(&r, &f), "no_loss").clone();
        assert_eq!(l.outcome, Outcome::Pass);
        assert!(
            l.reason_zh.contains("政策性亏损（原因：政府搬迁要求停产）"),
            "{}",
            l.reason_zh
        );

        // A policy flag with an empty reason fails.
        f.years[2] = loss(2024, Some("  "));
        let l = get(&check(&r, &f), "no_loss").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert!(l.reason_zh.contains("未说明原因"), "{}", l.reason_zh);

        // Without the exception in the rule set, a policy loss fails too.
        let mut strict = rules();
        strict.eligibility.policy_loss_excepted.value = false;
        f.years[2] = loss(2024, Some("政府搬迁要求停产"));
        assert_eq!(outcome(&strict, &f, "no_loss"), Outcome::Fail);

        // A negative profit is a loss even without the flag.
        f.years[2] = year(2024, -0.5);
        assert_eq!(outcome(&r, &f, "no_loss"), Outcome::Fail);

        // Years outside the window do not count.
        let mut f = good();
        f.years.push(loss(2022, None));
        f.years.push(loss(2026, None));
        assert_eq!(outcome(&r, &f, "no_loss"), Outcome::Pass);

        // A year without figures is missing, not passed.
        let mut f = good();
        f.years.retain(|y| y.year != 2023);
        let lines = check(&r, &f);
        let l = get(&lines, "no_loss");
        assert_eq!(l.outcome, Outcome::Missing);
        assert!(
            l.reason_zh.contains("2023年未填报利润数据"),
            "{}",
            l.reason_zh
        );
        assert!(!passes(&lines));

        // A loss decides before a missing year.
        f.years.retain(|y| y.year != 2024);
        f.years.push(loss(2024, None));
        assert_eq!(outcome(&r, &f, "no_loss"), Outcome::Fail);

        // The number of years comes from the rule set.
        let mut r2 = rules();
        r2.eligibility.no_loss_years.value = 2;
        let mut f = good();
        f.years.retain(|y| y.year != 2023);
        f.years.push(loss(2023, None));
        assert_eq!(outcome(&r2, &f, "no_loss"), Outcome::Pass);
        assert_eq!(outcome(&r, &f, "no_loss"), Outcome::Fail);
    }

    #[test]
    fn art10_spot_checks_in_the_window() {
        let r = rules();
        let mut f = good();
        let l = get(&check(&r, &f), "spot_checks").clone();
        assert_eq!(l.outcome, Outcome::Pass);
        assert_eq!(l.article, 10);

        // A failed city check two years ago fails.
        f.spot_checks.push(spot(date(2024, 9, 1), "city", false));
        let l = get(&check(&r, &f), "spot_checks").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert!(
            l.reason_zh
                .contains("2024年9月1日市级抽查（产品：水泥）不合格"),
            "{}",
            l.reason_zh
        );

        // Four years ago it is ignored, and the reason says so.
        let mut f = good();
        f.spot_checks.push(spot(date(2022, 9, 1), "city", false));
        let l = get(&check(&r, &f), "spot_checks").clone();
        assert_eq!(l.outcome, Outcome::Pass);
        assert!(
            l.reason_zh
                .contains("另有1次抽查早于2023年9月1日，不在近3年内，不予计入"),
            "{}",
            l.reason_zh
        );
        assert!(l.reason_en.contains("ignored"), "{}", l.reason_en);

        // The first day of the window counts; the day before does not.
        let mut f = good();
        f.spot_checks
            .push(spot(date(2023, 9, 1), "national", false));
        assert_eq!(outcome(&r, &f, "spot_checks"), Outcome::Fail);
        f.spot_checks.pop();
        f.spot_checks
            .push(spot(date(2023, 8, 31), "national", false));
        assert_eq!(outcome(&r, &f, "spot_checks"), Outcome::Pass);

        // Levels other than national, provincial and city do not count.
        let mut f = good();
        f.spot_checks.push(spot(date(2025, 9, 1), "county", false));
        let l = get(&check(&r, &f), "spot_checks").clone();
        assert_eq!(l.outcome, Outcome::Pass);
        assert!(
            l.reason_zh.contains("不属国家级、省级、市级"),
            "{}",
            l.reason_zh
        );
        f.spot_checks.push(spot(date(2025, 9, 1), "省级", false));
        assert_eq!(outcome(&r, &f, "spot_checks"), Outcome::Fail);

        // The window comes from the rule set.
        let mut r5 = rules();
        r5.eligibility.clean_record_years.value = 5;
        let mut f = good();
        f.spot_checks.push(spot(date(2022, 9, 1), "city", false));
        assert_eq!(outcome(&r5, &f, "spot_checks"), Outcome::Fail);
    }

    #[test]
    fn art10_excellence_practice_months() {
        let r = rules();
        let mut f = good();
        f.excellence_since = Some(date(2026, 3, 1));
        let l = get(&check(&r, &f), "excellence").clone();
        assert_eq!(l.outcome, Outcome::Pass);
        assert_eq!(l.article, 10);
        assert_eq!(l.title_zh, "推广及应用卓越绩效管理模式6个月以上");
        assert!(l.reason_zh.contains("满6个月"), "{}", l.reason_zh);

        f.excellence_since = Some(date(2026, 4, 1));
        let l = get(&check(&r, &f), "excellence").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert!(
            l.reason_zh.contains("满5个月，不满6个月"),
            "{}",
            l.reason_zh
        );

        f.excellence_since = Some(date(2026, 3, 2));
        assert_eq!(outcome(&r, &f, "excellence"), Outcome::Fail);

        f.excellence_since = None;
        let lines = check(&r, &f);
        assert_eq!(get(&lines, "excellence").outcome, Outcome::Missing);
        assert!(!passes(&lines));

        let mut r12 = rules();
        r12.eligibility.min_excellence_practice_months.value = 12;
        f.excellence_since = Some(date(2026, 3, 1));
        assert_eq!(outcome(&r12, &f, "excellence"), Outcome::Fail);
        f.excellence_since = Some(date(2025, 9, 1));
        assert_eq!(outcome(&r12, &f, "excellence"), Outcome::Pass);
    }

    #[test]
    fn art11_rewin_bar_counted_from_the_win_year() {
        let r = rules();
        let mut f = good();
        f.past_wins = vec![2024];
        let l = get(&check(&r, &f), "rewin_bar").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert_eq!(l.article, 11);
        assert!(l.reason_zh.contains("2024年获得本奖项"), "{}", l.reason_zh);
        assert!(
            l.reason_zh.contains("最早可于2029年重新申报"),
            "{}",
            l.reason_zh
        );

        f.call_date = date(2028, 9, 1);
        assert_eq!(outcome(&r, &f, "rewin_bar"), Outcome::Fail);
        f.call_date = date(2029, 1, 1);
        assert_eq!(outcome(&r, &f, "rewin_bar"), Outcome::Pass);

        let mut f = good();
        f.past_wins = vec![2020];
        assert_eq!(outcome(&r, &f, "rewin_bar"), Outcome::Pass);
        f.past_wins = vec![2021];
        assert_eq!(outcome(&r, &f, "rewin_bar"), Outcome::Pass);
        f.past_wins = vec![2022];
        assert_eq!(outcome(&r, &f, "rewin_bar"), Outcome::Fail);
        // The latest win decides.
        f.past_wins = vec![2024, 2016];
        assert_eq!(outcome(&r, &f, "rewin_bar"), Outcome::Fail);

        let mut r3 = rules();
        r3.eligibility.rewin_bar_years.value = 3;
        f.past_wins = vec![2023];
        assert_eq!(outcome(&r3, &f, "rewin_bar"), Outcome::Pass);
        assert_eq!(outcome(&r, &f, "rewin_bar"), Outcome::Fail);
    }

    #[test]
    fn art32_art33_revocation_ban() {
        let r = rules();
        let mut f = good();
        f.revocations = vec![date(2024, 9, 1)];
        let l = get(&check(&r, &f), "revocation_ban").clone();
        assert_eq!(l.outcome, Outcome::Fail);
        assert_eq!((l.article, l.also.clone()), (32, vec![33]));
        assert!(
            l.reason_zh.contains("于2024年9月1日被撤销奖励，3年内"),
            "{}",
            l.reason_zh
        );
        assert!(
            l.reason_zh.contains("自2027年9月1日起方可再次申报"),
            "{}",
            l.reason_zh
        );

        f.revocations = vec![date(2022, 9, 1)];
        assert_eq!(outcome(&r, &f, "revocation_ban"), Outcome::Pass);
        f.revocations = vec![date(2023, 9, 1)];
        assert_eq!(outcome(&r, &f, "revocation_ban"), Outcome::Pass);
        f.revocations = vec![date(2023, 9, 2)];
        assert_eq!(outcome(&r, &f, "revocation_ban"), Outcome::Fail);
        f.revocations = vec![date(2018, 1, 1), date(2024, 9, 1)];
        assert_eq!(outcome(&r, &f, "revocation_ban"), Outcome::Fail);

        let mut r5 = rules();
        r5.revocation.ban_years.value = 5;
        f.revocations = vec![date(2022, 9, 1)];
        assert_eq!(outcome(&r5, &f, "revocation_ban"), Outcome::Fail);
    }

    #[test]
    fn art10_art32_declarations() {
        let r = rules();
        let codes: Vec<&str> = declarations().iter().map(|(c, _, _)| *c).collect();
        assert_eq!(
            codes,
            [
                "policy_compliance",
                "industry_leading",
                "no_major_accident",
                "no_major_complaint",
                "no_penalty",
                "quality_system",
                "truthful"
            ]
        );

        let mut f = good();
        let lines = check(&r, &f);
        for code in &codes {
            assert_eq!(get(&lines, code).outcome, Outcome::Declared, "{code}");
        }
        assert_eq!(get(&lines, "policy_compliance").article, 10);
        assert_eq!(get(&lines, "quality_system").article, 10);
        let truthful = get(&lines, "truthful");
        assert_eq!((truthful.article, truthful.also.len()), (32, 0));
        assert_eq!(truthful.citation_zh(), "第三十二条");
        assert_eq!(
            get(&lines, "no_major_accident").title_zh,
            "近3年无重大质量、安全、环境污染、公共卫生、食品安全等事故"
        );

        // Unticked or absent declarations are missing.
        f.declarations.retain(|(c, _)| c != "no_penalty");
        f.declarations
            .iter_mut()
            .filter(|(c, _)| c == "truthful")
            .for_each(|(_, t)| *t = false);
        let lines = check(&r, &f);
        assert_eq!(get(&lines, "no_penalty").outcome, Outcome::Missing);
        assert_eq!(get(&lines, "truthful").outcome, Outcome::Missing);
        assert_eq!(get(&lines, "quality_system").outcome, Outcome::Declared);
        assert!(!passes(&lines));

        // The years in the texts come from the rule set.
        let mut r2 = rules();
        r2.eligibility.clean_record_years.value = 2;
        let texts = declaration_texts(&r2);
        let (_, zh, en) = texts
            .iter()
            .find(|(c, _, _)| *c == "no_major_accident")
            .expect("declared");
        assert_eq!(
            zh,
            "近2年无重大质量、安全、环境污染、公共卫生、食品安全等事故"
        );
        assert!(en.contains("last 2 years"), "{en}");
        assert!(
            declarations()
                .iter()
                .any(|(_, zh, _)| zh.contains(YEARS_PLACEHOLDER))
        );
    }

    #[test]
    fn passes_needs_every_line_met() {
        let r = rules();
        let lines = check(&r, &good());
        assert!(passes(&lines));

        let mut missing = lines.clone();
        missing[1].outcome = Outcome::Missing;
        assert!(!passes(&missing));

        let mut failed = lines.clone();
        failed[5].outcome = Outcome::Fail;
        assert!(!passes(&failed));

        assert!(passes(&[]));
    }
}

pub mod opinion;
pub mod review;
