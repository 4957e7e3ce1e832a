//! Written opinions of departments (征求意见, Art. 14): what an answer must hold, when a
//! request is overdue, and when it may be chased.

use crate::refusal::Refusal;
use jiff::civil::Date;

/// The measures the rules here rest on.
pub const DOC: (&str, &str) = (
    "清远市政府质量奖管理办法",
    "Qingyuan City Government Quality Award Management Measures",
);

/// The article under which the office seeks written opinions.
pub const ARTICLE: u32 = 14;

/// Days before the due date from which a reminder may be sent.
pub const DUE_SOON_DAYS: i64 = 3;

/// Days the department is given by default.
pub const DEFAULT_DAYS: i64 = 10;

/// A department's answer on one applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 无异议.
    NoObjection,
    /// 有异议 (with facts).
    Objection,
}

impl Answer {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Answer::NoObjection => "no_objection",
            Answer::Objection => "objection",
        }
    }
    /// From the stored code.
    pub fn parse(s: &str) -> Option<Answer> {
        match s {
            "no_objection" => Some(Answer::NoObjection),
            "objection" => Some(Answer::Objection),
            _ => None,
        }
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Answer::NoObjection => "无异议",
            Answer::Objection => "有异议",
        }
    }
    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Answer::NoObjection => "No objection",
            Answer::Objection => "Objection",
        }
    }
}

/// A field of the answer that does not pass: the field and the message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    /// `answer`, `facts` or `document_no`.
    pub field: &'static str,
    /// Chinese.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

/// Check one answer as typed: a choice; facts when objecting; the reply's document number.
pub fn check_answer(answer: &str, facts: &str, document_no: &str) -> Result<Answer, AnswerError> {
    let Some(a) = Answer::parse(answer.trim()) else {
        return Err(AnswerError {
            field: "answer",
            zh: "“意见”：请选择“无异议”或“有异议”。",
            en: "Opinion: choose no objection or objection.",
        });
    };
    if a == Answer::Objection && facts.trim().is_empty() {
        return Err(AnswerError {
            field: "facts",
            zh: "“有关事实”：提出异议时须写明具体事实（如处罚决定、事故、失信记录及其日期）。",
            en: "Facts: an objection must state the facts (e.g. the penalty, accident or credit record and its date).",
        });
    }
    if document_no.trim().is_empty() {
        return Err(AnswerError {
            field: "document_no",
            zh: "“复函文号”：请填写本部门书面意见的文号。",
            en: "Document number: enter the number of the department's written reply.",
        });
    }
    Ok(a)
}

/// Whether a request with `pending` unanswered items is overdue on `today`.
pub fn overdue(due_on: Date, today: Date, pending: usize) -> bool {
    pending > 0 && today > due_on
}

/// Whether the due date is near (within [`DUE_SOON_DAYS`]) and not yet passed.
pub fn due_soon(due_on: Date, today: Date) -> bool {
    today <= due_on
        && today
            .checked_add(jiff::Span::new().days(DUE_SOON_DAYS))
            .is_ok_and(|d| d >= due_on)
}

/// Whether the office may chase the department now: something is unanswered, and the request
/// is overdue or due soon.
pub fn may_remind(due_on: Date, today: Date, pending: usize) -> Result<(), Refusal> {
    if pending == 0 {
        return Err(Refusal::new(
            "opinion_all_answered",
            Some(ARTICLE),
            DOC,
            "该部门已对全部申报单位作出答复，无需催办。",
            "The department has answered on every applicant; there is nothing to chase.",
        ));
    }
    if overdue(due_on, today, pending) || due_soon(due_on, today) {
        return Ok(());
    }
    Err(Refusal::new(
        "opinion_not_due",
        Some(ARTICLE),
        DOC,
        format!(
            "答复期限为{}，尚未临近（到期前{DUE_SOON_DAYS}日内或逾期后方可催办）。",
            crate::clock::date_zh(due_on)
        ),
        format!(
            "The reply is due on {due_on}; a reminder can be sent within {DUE_SOON_DAYS} days of the due date or once it has passed."
        ),
    ))
}

/// Check the due date the office sets: a day after `today`.
pub fn check_due(due_on: &str, today: Date) -> Result<Date, AnswerError> {
    match due_on.trim().parse::<Date>() {
        Ok(d) if d > today => Ok(d),
        Ok(_) => Err(AnswerError {
            field: "due_on",
            zh: "“答复期限”应晚于今天。",
            en: "The due date must be after today.",
        }),
        Err(_) => Err(AnswerError {
            field: "due_on",
            zh: "“答复期限”应为日期，格式为 年-月-日。",
            en: "The due date is written YYYY-MM-DD.",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn an_objection_needs_facts_and_every_answer_a_document_number() {
        assert_eq!(
            check_answer("no_objection", "", "清环函〔2026〕1号"),
            Ok(Answer::NoObjection)
        );
        assert_eq!(check_answer("", "", "x").unwrap_err().field, "answer");
        assert_eq!(
            check_answer("objection", "  ", "x").unwrap_err().field,
            "facts"
        );
        assert_eq!(
            check_answer("objection", "2025年受行政处罚一次", "")
                .unwrap_err()
                .field,
            "document_no"
        );
        assert_eq!(
            check_answer("objection", "2025年受行政处罚一次", "x"),
            Ok(Answer::Objection)
        );
    }

    #[test]
    fn overdue_only_after_the_due_day_and_while_something_is_pending() {
        let due = date(2026, 11, 20);
        assert!(!overdue(due, date(2026, 11, 20), 1));
        assert!(overdue(due, date(2026, 11, 21), 1));
        assert!(!overdue(due, date(2026, 11, 21), 0));
    }

    #[test]
    fn reminders_only_near_or_after_the_due_date() {
        let due = date(2026, 11, 26);
        assert!(may_remind(due, date(2026, 11, 20), 1).is_err());
        assert!(may_remind(due, date(2026, 11, 23), 1).is_ok());
        assert!(may_remind(due, date(2026, 12, 1), 1).is_ok());
        let r = may_remind(due, date(2026, 12, 1), 0).unwrap_err();
        assert_eq!(r.article, Some(14));
    }

    #[test]
    fn the_due_date_is_after_today() {
        let today = date(2026, 11, 25);
        assert!(check_due("2026-11-25", today).is_err());
        assert!(check_due("2026-11-26", today).is_ok());
        assert!(check_due("next week", today).is_err());
    }
}
