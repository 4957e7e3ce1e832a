//! Revocation of an award (Art. 32, 33) and the ban that follows it.
//!
//! Two grounds: materials found false or improper (Art. 32), at any time after the award; or a
//! major accident of the kinds Art. 33 names, when it happened within the rule set's window
//! after the award (counted from the commendation date). The ban runs from the day the
//! municipal government approves the revocation for the rule set's number of years; the
//! eligibility check of the application stage enforces it (see `eligibility::check`).
//!
//! "获奖后两年内" is read inclusively: an accident on the second anniversary of the
//! commendation is inside the window; from the next day on it is refused. A commendation on
//! 29 February has its anniversary on 28 February of a common year.

use crate::refusal::Refusal;
use crate::rules::RuleSet;
use jiff::Span;
use jiff::civil::Date;

fn doc(rules: &RuleSet) -> (&str, &str) {
    (rules.meta.name.as_str(), rules.meta.name_en.as_str())
}

fn date_zh(d: Date) -> String {
    crate::clock::date_zh(d)
}

/// `d` plus `n` calendar years (29 February falls back to 28 February), or `None` beyond the
/// supported dates.
pub fn add_years(d: Date, n: u32) -> Option<Date> {
    let span = Span::new().try_years(i64::from(n)).ok()?;
    d.checked_add(span).ok()
}

/// Why an award is revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// 弄虚作假、骗取奖励 (Art. 32): at any time.
    FalseMaterials,
    /// 重大事故等 (Art. 33): within the window after the award.
    MajorAccident,
}

impl Ground {
    /// Both grounds.
    pub const ALL: [Ground; 2] = [Ground::FalseMaterials, Ground::MajorAccident];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Ground::FalseMaterials => "false_materials",
            Ground::MajorAccident => "major_accident",
        }
    }

    /// The ground stored under `code`.
    pub fn parse(code: &str) -> Option<Ground> {
        Ground::ALL.into_iter().find(|g| g.code() == code)
    }

    /// Name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            Ground::FalseMaterials => "申报材料弄虚作假（提供虚假或不当材料）",
            Ground::MajorAccident => "获奖后发生重大事故或违反宗旨与原则的重大事项",
        }
    }

    /// Name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Ground::FalseMaterials => "False or improper materials",
            Ground::MajorAccident => "A major accident or similar after the award",
        }
    }

    /// The article the ground rests on, from the rule set.
    pub fn article(self, rules: &RuleSet) -> u32 {
        match self {
            Ground::FalseMaterials => rules.revocation.ban_years.article.unwrap_or(32),
            Ground::MajorAccident => rules.revocation.accident_window_years.article.unwrap_or(33),
        }
    }
}

/// The kinds of accident or matter Art. 33 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccidentKind {
    /// 重大质量事故.
    Quality,
    /// 重大安全事故.
    Safety,
    /// 重大环境污染事故.
    Environment,
    /// 重大公共卫生事件.
    PublicHealth,
    /// 重大食品安全事故.
    FoodSafety,
    /// 其他违反质量奖宗旨与原则的重大事项.
    Other,
}

impl AccidentKind {
    /// Every kind.
    pub const ALL: [AccidentKind; 6] = [
        AccidentKind::Quality,
        AccidentKind::Safety,
        AccidentKind::Environment,
        AccidentKind::PublicHealth,
        AccidentKind::FoodSafety,
        AccidentKind::Other,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            AccidentKind::Quality => "quality",
            AccidentKind::Safety => "safety",
            AccidentKind::Environment => "environment",
            AccidentKind::PublicHealth => "public_health",
            AccidentKind::FoodSafety => "food_safety",
            AccidentKind::Other => "other",
        }
    }

    /// The kind stored under `code`.
    pub fn parse(code: &str) -> Option<AccidentKind> {
        AccidentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            AccidentKind::Quality => "重大质量事故",
            AccidentKind::Safety => "重大安全事故",
            AccidentKind::Environment => "重大环境污染事故",
            AccidentKind::PublicHealth => "重大公共卫生事件",
            AccidentKind::FoodSafety => "重大食品安全事故",
            AccidentKind::Other => "其他违反质量奖宗旨与原则的重大事项",
        }
    }
}

/// The last day on which an accident still leads to revocation: the commendation date plus
/// the window, inclusive.
pub fn accident_deadline(rules: &RuleSet, awarded_on: Date) -> Option<Date> {
    add_years(awarded_on, rules.revocation.accident_window_years.value)
}

/// Decide whether a case may be opened: an accident case needs an accident dated after the
/// award, not in the future, and within the window of Art. 33; a false-materials case may be
/// opened at any time after the award (Art. 32).
pub fn decide_case(
    rules: &RuleSet,
    ground: Ground,
    awarded_on: Date,
    accident_on: Option<Date>,
    today: Date,
) -> Result<(), Refusal> {
    let article = ground.article(rules);
    match ground {
        Ground::FalseMaterials => Ok(()),
        Ground::MajorAccident => {
            let Some(on) = accident_on else {
                return Err(Refusal::new(
                    "revocation_accident_date",
                    Some(article),
                    doc(rules),
                    "以发生重大事故为由撤销奖励，须填写事故发生日期。",
                    "An accident case needs the day of the accident.",
                ));
            };
            if on > today {
                return Err(Refusal::new(
                    "revocation_accident_future",
                    Some(article),
                    doc(rules),
                    format!(
                        "事故发生日期（{}）晚于今天（{}），不能据此立案。",
                        date_zh(on),
                        date_zh(today)
                    ),
                    format!("The accident date ({on}) is after today ({today})."),
                ));
            }
            if on < awarded_on {
                return Err(Refusal::new(
                    "revocation_accident_before_award",
                    Some(article),
                    doc(rules),
                    format!(
                        "撤销奖励适用于获奖后发生的重大事故：事故发生于{}，早于表彰决定日期（{}）。",
                        date_zh(on),
                        date_zh(awarded_on)
                    ),
                    format!(
                        "Only an accident after the award counts: it happened on {on}, before the commendation of {awarded_on}."
                    ),
                ));
            }
            let n = rules.revocation.accident_window_years.value;
            match accident_deadline(rules, awarded_on) {
                Some(last) if on <= last => Ok(()),
                last => Err(Refusal::new(
                    "revocation_accident_window",
                    Some(article),
                    doc(rules),
                    format!(
                        "获奖后{n}年内发生重大事故的方可撤销奖励：表彰决定日期为{}，{n}年期限至{}止，事故发生于{}，已超出期限。",
                        date_zh(awarded_on),
                        last.map(date_zh).unwrap_or_default(),
                        date_zh(on)
                    ),
                    format!(
                        "Only an accident within {n} years of the award leads to revocation: the commendation is dated {awarded_on}, the period ended on {}, the accident happened on {on}.",
                        last.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )),
            }
        }
    }
}

/// The first day on which an organisation whose award was revoked on `approved_on` may apply
/// again (Art. 32, 33): the approval date plus the ban's years. The ban covers every day
/// before it.
pub fn ban_ends(rules: &RuleSet, approved_on: Date) -> Date {
    add_years(approved_on, rules.revocation.ban_years.value).unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    use crate::rules::qingyuan_2020 as rules;

    fn accident(awarded: Date, on: Date, today: Date) -> Result<(), Refusal> {
        decide_case(&rules(), Ground::MajorAccident, awarded, Some(on), today)
    }

    #[test]
    fn an_accident_on_the_second_anniversary_is_inside_the_window() {
        let award = date(2024, 12, 5);
        let today = date(2027, 6, 1);
        assert!(accident(award, date(2026, 12, 5), today).is_ok());
        assert!(accident(award, date(2025, 1, 1), today).is_ok());
        let r = accident(award, date(2026, 12, 6), today).unwrap_err();
        assert_eq!(r.code, "revocation_accident_window");
        assert_eq!(r.article, Some(33));
        assert!(r.message_zh().contains("第三十三条"));
        assert!(r.zh.contains("2024年12月5日"), "{}", r.zh);
        assert!(r.zh.contains("2026年12月5日"), "{}", r.zh);
        assert!(r.zh.contains("2026年12月6日"), "{}", r.zh);
    }

    #[test]
    fn a_leap_day_award_counts_to_the_28th_of_february() {
        let award = date(2024, 2, 29);
        let today = date(2027, 1, 1);
        assert_eq!(accident_deadline(&rules(), award), Some(date(2026, 2, 28)));
        assert!(accident(award, date(2026, 2, 28), today).is_ok());
        assert!(accident(award, date(2026, 3, 1), today).is_err());
        assert_eq!(ban_ends(&rules(), date(2024, 2, 29)), date(2027, 2, 28));
    }

    #[test]
    fn future_accidents_and_accidents_before_the_award_are_refused() {
        let award = date(2024, 12, 5);
        let r = accident(award, date(2026, 11, 26), date(2026, 11, 25)).unwrap_err();
        assert_eq!(r.code, "revocation_accident_future");
        let r = accident(award, date(2024, 12, 4), date(2026, 11, 25)).unwrap_err();
        assert_eq!(r.code, "revocation_accident_before_award");
        let r = decide_case(
            &rules(),
            Ground::MajorAccident,
            award,
            None,
            date(2026, 1, 1),
        )
        .unwrap_err();
        assert_eq!(r.code, "revocation_accident_date");
    }

    #[test]
    fn false_materials_are_revoked_at_any_time() {
        let award = date(2024, 12, 5);
        assert!(
            decide_case(
                &rules(),
                Ground::FalseMaterials,
                award,
                None,
                date(2034, 1, 1)
            )
            .is_ok()
        );
        assert_eq!(Ground::FalseMaterials.article(&rules()), 32);
        assert_eq!(Ground::MajorAccident.article(&rules()), 33);
    }

    #[test]
    fn the_ban_lasts_three_years_from_the_approval() {
        assert_eq!(ban_ends(&rules(), date(2026, 11, 25)), date(2029, 11, 25));
    }
}
