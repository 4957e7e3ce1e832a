//! Government approval, commendation, certificates and prize money (Art. 3, 18, 19, 21, 22).
//!
//! Pure decisions: the shape of a document number, whether an approved list may be recorded,
//! when the prize money falls due and whether a payment may be recorded, and the formatting
//! of amounts and certificate serials. The store loads the facts and records the outcome.

use crate::refusal::Refusal;
use crate::rules::{BonusTiming, RuleSet};
use crate::session::Stage;
use jiff::civil::Date;

/// The prefix of certificate serials: 清远质量奖 → QYZLJ (QYZLJ-2024-001).
pub const SERIAL_PREFIX: &str = "QYZLJ";

fn doc(rules: &RuleSet) -> (&str, &str) {
    (rules.meta.name.as_str(), rules.meta.name_en.as_str())
}

/// Whether `s` has the shape of a Chinese official document number: an issuer's short name,
/// the year in 〔〕, a number and 号, e.g. `清府函〔2024〕12号`.
pub fn is_document_number(s: &str) -> bool {
    let Some((prefix, rest)) = s.split_once('〔') else {
        return false;
    };
    let Some((year, rest)) = rest.split_once('〕') else {
        return false;
    };
    let Some(number) = rest.strip_suffix('号') else {
        return false;
    };
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    !prefix.is_empty()
        && prefix.chars().count() <= 12
        && prefix.chars().all(cjk)
        && year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && (1..=4).contains(&number.len())
        && number.chars().all(|c| c.is_ascii_digit())
        && !number.starts_with('0')
}

/// The year written in a document number (`清府函〔2024〕12号` → 2024).
pub fn document_year(s: &str) -> Option<i32> {
    let (_, rest) = s.split_once('〔')?;
    let (year, _) = rest.split_once('〕')?;
    year.parse().ok()
}

/// Decide whether the municipal government's approved list may be recorded: only in the
/// GovernmentApproval stage (Art. 18), only candidates of the noticed list (Art. 18), at most
/// the session's number of winners (Art. 3), and empty only where the rules allow it (Art. 3).
pub fn decide_approval(
    rules: &RuleSet,
    stage: Stage,
    candidates: &[i64],
    chosen: &[i64],
) -> Result<(), Refusal> {
    if stage != Stage::GovernmentApproval {
        return Err(Refusal::new(
            "approval_stage",
            Some(18),
            doc(rules),
            format!(
                "经公示无异议的获奖名单报市政府批准：只能在“报市政府批准”阶段登记市政府的批复，本届目前处于“{}”阶段。",
                stage.name_zh()
            ),
            format!(
                "The government's approval is recorded in the Government approval stage only; the session is in {}.",
                stage.name_en()
            ),
        ));
    }
    let max = usize::try_from(rules.session.max_winners.value).unwrap_or(usize::MAX);
    if chosen.len() > max {
        return Err(Refusal::new(
            "approval_too_many",
            rules.session.max_winners.article,
            doc(rules),
            format!(
                "每届获奖企业或组织数量不超过{max}家：批准名单有{}家。",
                chosen.len()
            ),
            format!(
                "A session has at most {max} winners; the approved list has {}.",
                chosen.len()
            ),
        ));
    }
    if let Some(other) = chosen.iter().find(|a| !candidates.contains(a)) {
        return Err(Refusal::new(
            "approval_not_candidate",
            Some(18),
            doc(rules),
            format!(
                "批准名单只能从经领导小组审定并公示的拟奖名单中选取：编号为{other}的申报不在拟奖名单中。"
            ),
            format!(
                "The approved list can only contain the noticed, leadership-decided candidates: application {other} is not one of them."
            ),
        ));
    }
    if chosen.is_empty() && !rules.session.winners_may_be_empty.value {
        return Err(Refusal::new(
            "approval_empty",
            rules.session.winners_may_be_empty.article,
            doc(rules),
            "本届获奖名额不得空缺，批准名单至少应有一家。",
            "This session's places may not stay empty; approve at least one winner.",
        ));
    }
    Ok(())
}

/// The day the prize money of a commendation dated `commended_on` falls due (Art. 21): the
/// first day of the following year, or the day itself.
pub fn bonus_due(rules: &RuleSet, commended_on: Date) -> Date {
    match rules.award.bonus_paid.value {
        BonusTiming::NextYearStart => {
            jiff::civil::date(commended_on.year().saturating_add(1), 1, 1)
        }
        BonusTiming::OnCommendation => commended_on,
    }
}

/// The prize money of one winner in fen (Art. 21).
pub fn bonus_fen(rules: &RuleSet) -> i64 {
    i64::try_from(rules.award.bonus_cny.value)
        .unwrap_or(i64::MAX / 100)
        .saturating_mul(100)
}

/// Decide whether a payment made on `paid_on` may be recorded against a bonus due on `due`
/// (Art. 21: the prize money is paid at the start of the following year, not before).
pub fn decide_payment(rules: &RuleSet, due: Date, paid_on: Date) -> Result<(), Refusal> {
    if paid_on < due {
        return Err(Refusal::new(
            "bonus_paid_early",
            rules.award.bonus_paid.article,
            doc(rules),
            format!(
                "兑现奖金的时间顺延至下一年度的年初：本笔奖金应于{}起兑现，不能登记为{}已支付。",
                crate::clock::date_zh(due),
                crate::clock::date_zh(paid_on)
            ),
            format!(
                "The prize money is paid at the start of the following year: this payment falls due on {due}, it cannot be recorded as paid on {paid_on}."
            ),
        ));
    }
    Ok(())
}

/// Decide whether a payment made on `paid_on` may be recorded against a bonus due on `due`
/// that was already recorded as paid on `recorded` (if it was): a prize is paid once (Art. 21),
/// and never before it falls due (see [`decide_payment`]).
pub fn decide_record_payment(
    rules: &RuleSet,
    recorded: Option<Date>,
    due: Date,
    paid_on: Date,
) -> Result<(), Refusal> {
    if let Some(on) = recorded {
        return Err(Refusal::new(
            "bonus_already_paid",
            rules.award.bonus_paid.article,
            doc(rules),
            format!(
                "该笔奖金已登记为已支付（{}支付），不能重复登记。",
                crate::clock::date_zh(on)
            ),
            format!(
                "This prize money is already recorded as paid (on {on}); it cannot be recorded twice."
            ),
        ));
    }
    decide_payment(rules, due, paid_on)
}

/// An amount in fen as people read it: `¥500,000.00`.
pub fn cny(fen: i64) -> String {
    let neg = fen < 0;
    let abs = fen.unsigned_abs();
    let yuan = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}¥{grouped}.{:02}", if neg { "-" } else { "" }, abs % 100)
}

/// Read an amount typed in yuan (`500000`, `500,000.00`, `¥1,234.5`) as fen; `None` when it is
/// not a non-negative amount with at most two decimals.
pub fn parse_cny(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    if t.is_empty() {
        return None;
    }
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    w.checked_mul(100)?.checked_add(f)
}

/// The serial of the `n`-th certificate of the award year `year`: `QYZLJ-2024-001`.
pub fn certificate_serial(year: i32, n: u32) -> String {
    format!("{SERIAL_PREFIX}-{year}-{n:03}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    use crate::rules::qingyuan_2020 as rules;

    #[test]
    fn document_numbers_have_the_official_shape() {
        assert!(is_document_number("清府函〔2024〕12号"));
        assert!(is_document_number("清府〔2026〕3号"));
        assert!(!is_document_number("清府函[2024]12号"));
        assert!(!is_document_number("清府函〔24〕12号"));
        assert!(!is_document_number("〔2024〕12号"));
        assert!(!is_document_number("清府函〔2024〕012号"));
        assert!(!is_document_number("清府函〔2024〕12"));
        assert_eq!(document_year("清府函〔2024〕12号"), Some(2024));
    }

    #[test]
    fn approval_only_in_its_stage_from_candidates_and_at_most_max_art_3_18() {
        let r = rules();
        let cands = [1, 2, 3, 4];
        let e = decide_approval(&r, Stage::PublicNotice, &cands, &[1]).unwrap_err();
        assert_eq!((e.code, e.article), ("approval_stage", Some(18)));
        let e = decide_approval(&r, Stage::GovernmentApproval, &cands, &[1, 9]).unwrap_err();
        assert_eq!((e.code, e.article), ("approval_not_candidate", Some(18)));
        let e = decide_approval(&r, Stage::GovernmentApproval, &cands, &[1, 2, 3, 4]).unwrap_err();
        assert_eq!((e.code, e.article), ("approval_too_many", Some(3)));
        assert!(decide_approval(&r, Stage::GovernmentApproval, &cands, &[2, 3]).is_ok());
        assert!(decide_approval(&r, Stage::GovernmentApproval, &cands, &[]).is_ok());
    }

    #[test]
    fn bonus_falls_due_on_the_first_of_january_and_not_before_art_21() {
        let r = rules();
        let due = bonus_due(&r, date(2024, 11, 20));
        assert_eq!(due, date(2025, 1, 1));
        let e = decide_payment(&r, due, date(2024, 12, 31)).unwrap_err();
        assert_eq!(e.article, Some(21));
        assert!(decide_payment(&r, due, date(2025, 1, 1)).is_ok());
        assert_eq!(bonus_fen(&r), 50_000_000);
    }

    #[test]
    fn amounts_and_serials() {
        assert_eq!(cny(50_000_000), "¥500,000.00");
        assert_eq!(cny(123_456_789), "¥1,234,567.89");
        assert_eq!(cny(5), "¥0.05");
        assert_eq!(parse_cny("500,000.00"), Some(50_000_000));
        assert_eq!(parse_cny("¥1,234.5"), Some(123_450));
        assert_eq!(parse_cny("12"), Some(1200));
        assert_eq!(parse_cny("-3"), None);
        assert_eq!(parse_cny("1.234"), None);
        assert_eq!(parse_cny("abc"), None);
        assert_eq!(certificate_serial(2024, 1), "QYZLJ-2024-001");
    }
}
