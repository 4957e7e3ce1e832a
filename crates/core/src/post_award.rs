//! After the award: the annual performance reports (Art. 30) and the wording of the title
//! (Art. 31). Pure rules: due dates from the commendation date, a report's status on a day,
//! and the words a winner may use.

use crate::rules::RuleSet;
use jiff::ToSpan;
use jiff::civil::Date;

/// `post_award.report_due` value: the report covering year k is due on the k-th anniversary of
/// the commendation (29 February falls on 28 February in other years).
pub const DUE_ANNIVERSARY: &str = "award_anniversary";

/// The due dates of the annual reports of a winner commended on `commended_on`, year 1 first.
pub fn report_due_dates(rules: &RuleSet, commended_on: Date) -> Vec<Date> {
    (1..=rules.post_award.report_years.value)
        .filter_map(|k| commended_on.checked_add(i64::from(k).years()).ok())
        .collect()
}

/// Where an annual report stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// 未到期: not yet within the reminder window before its due date.
    NotDue,
    /// 待报送: within the reminder window, or on its due date, not filed.
    Pending,
    /// 已报送: filed on or before its due date.
    Filed,
    /// 逾期未报: its due date has passed and it is not filed.
    Overdue,
    /// 逾期报送: filed after its due date, by so many days.
    FiledLate(i64),
}

impl ReportStatus {
    /// Stored / CSS code.
    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::NotDue => "not_due",
            ReportStatus::Pending => "pending",
            ReportStatus::Filed => "filed",
            ReportStatus::Overdue => "overdue",
            ReportStatus::FiledLate(_) => "filed_late",
        }
    }

    /// Name in Chinese, with the days late when filed late.
    pub fn zh(self) -> String {
        match self {
            ReportStatus::NotDue => "未到期".into(),
            ReportStatus::Pending => "待报送".into(),
            ReportStatus::Filed => "已报送".into(),
            ReportStatus::Overdue => "逾期未报".into(),
            ReportStatus::FiledLate(d) => format!("逾期报送（逾期{d}天）"),
        }
    }

    /// Whether the report is filed.
    pub fn filed(self) -> bool {
        matches!(self, ReportStatus::Filed | ReportStatus::FiledLate(_))
    }
}

/// The days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until((jiff::Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
}

/// The status of a report due on `due`, on `today`, filed on `filed_on` if it is. Filing on the
/// due day itself is on time; the day after is late.
pub fn report_status(
    due: Date,
    today: Date,
    filed_on: Option<Date>,
    reminder_days_before: u32,
) -> ReportStatus {
    if let Some(f) = filed_on {
        let late = days_between(due, f);
        return if late > 0 {
            ReportStatus::FiledLate(late)
        } else {
            ReportStatus::Filed
        };
    }
    if today > due {
        ReportStatus::Overdue
    } else if days_between(today, due) <= i64::from(reminder_days_before) {
        ReportStatus::Pending
    } else {
        ReportStatus::NotDue
    }
}

/// The day the reminder before a report due on `due` is sent.
pub fn reminder_day(due: Date, reminder_days_before: u32) -> Date {
    due.checked_sub(i64::from(reminder_days_before).days())
        .unwrap_or(due)
}

/// The day after `due`: the overdue notice goes out then.
pub fn overdue_day(due: Date) -> Date {
    due.tomorrow().unwrap_or(due)
}

/// The exact wording a winner of `year` may use in its image publicity (Art. 31).
pub fn title_wording(rules: &RuleSet, year: i32) -> String {
    rules
        .post_award
        .title_wording
        .value
        .replace("{year}", &year.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn due_dates_are_the_anniversaries() {
        let r = RuleSet::parse(include_str!("../../../rules/qingyuan-2020.toml"), "x").unwrap();
        assert_eq!(
            report_due_dates(&r, date(2024, 12, 5)),
            vec![date(2025, 12, 5), date(2026, 12, 5), date(2027, 12, 5)]
        );
        // 29 February: 28 February in the years that have none, 29 in the leap year.
        assert_eq!(
            report_due_dates(&r, date(2024, 2, 29)),
            vec![date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28)]
        );
        assert_eq!(
            report_due_dates(&r, date(2023, 2, 28))[0],
            date(2024, 2, 28)
        );
    }

    #[test]
    fn the_due_day_is_on_time_and_the_day_after_is_late() {
        let due = date(2025, 12, 5);
        assert_eq!(report_status(due, due, Some(due), 30), ReportStatus::Filed);
        assert_eq!(
            report_status(due, date(2025, 12, 6), Some(date(2025, 12, 6)), 30),
            ReportStatus::FiledLate(1)
        );
        assert_eq!(report_status(due, due, None, 30), ReportStatus::Pending);
        assert_eq!(
            report_status(due, date(2025, 12, 6), None, 30),
            ReportStatus::Overdue
        );
        assert_eq!(
            report_status(due, date(2025, 11, 5), None, 30),
            ReportStatus::Pending
        );
        assert_eq!(
            report_status(due, date(2025, 11, 4), None, 30),
            ReportStatus::NotDue
        );
        assert_eq!(
            report_status(due, date(2026, 3, 1), Some(date(2026, 1, 4)), 30).zh(),
            "逾期报送（逾期30天）"
        );
        assert_eq!(reminder_day(due, 30), date(2025, 11, 5));
        assert_eq!(overdue_day(due), date(2025, 12, 6));
    }

    #[test]
    fn an_unknown_due_rule_or_a_wording_without_the_year_is_refused_at_load() {
        let text = include_str!("../../../rules/qingyuan-2020.toml");
        let bad = text.replace(
            "report_due = { value = \"award_anniversary\"",
            "report_due = { value = \"calendar_year_end\"",
        );
        let err = RuleSet::parse(&bad, "r.toml").unwrap_err();
        assert!(err.to_string().contains("post_award.report_due"), "{err}");
        let bad = text.replace(
            "title_wording = { value = \"{year}年度",
            "title_wording = { value = \"",
        );
        let err = RuleSet::parse(&bad, "r.toml").unwrap_err();
        assert!(
            err.to_string().contains("post_award.title_wording"),
            "{err}"
        );
    }

    #[test]
    fn the_wording_names_the_year() {
        let r = RuleSet::parse(include_str!("../../../rules/qingyuan-2020.toml"), "x").unwrap();
        assert_eq!(title_wording(&r, 2024), "2024年度清远市政府质量奖获奖企业");
        assert_eq!(r.post_award.title_wording.article, Some(31));
    }
}
