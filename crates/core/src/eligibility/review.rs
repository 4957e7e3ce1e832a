//! The city office's eligibility decision on an application a county forwarded (Art. 14 of
//! the 2020 measures): each condition passed or failed with a reason, and the outcome.

use crate::refusal::{Invalid, Refusal};
use crate::rules::RuleSet;

/// Where the application stands, as the transaction that decides reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewFacts {
    /// The county recommended it (or the office has already decided it, and decides again).
    pub recommended: bool,
    /// The county forwarded it to the city office.
    pub forwarded: bool,
}

/// The outcome of the eligibility review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 资格审查通过: every item passed.
    Eligible,
    /// 资格审查未通过: at least one item failed.
    Ineligible,
}

/// A failed item needs its reason: said beside the reasons, before anything is read.
pub fn check_items(items: &[(String, bool, String)]) -> Result<(), Invalid> {
    match items
        .iter()
        .find(|(_, ok, reason)| !ok && reason.trim().is_empty())
    {
        Some((code, ..)) => {
            let label = crate::labels::text(crate::labels::Family::Condition, code, true);
            let label_en = crate::labels::text(crate::labels::Family::Condition, code, false);
            Err(Invalid::new(
                "reason",
                format!("未通过的项目须写明理由（{label}）。"),
                format!("Give the reason for every failed item ({label_en})."),
            ))
        }
        None => Ok(()),
    }
}

/// Decide the eligibility review of an application standing as `facts` (Art. 14, as the
/// rule set's procedure names the stage's article).
pub fn decide(
    rules: &RuleSet,
    facts: ReviewFacts,
    items: &[(String, bool, String)],
) -> Result<Outcome, Refusal> {
    if !(facts.recommended && facts.forwarded) {
        return Err(rules.refusal(
            "not_forwarded",
            rules.stage_article("eligibility_review"),
            "只能审查县（市、区）已推荐并报送的申报。",
            "Only applications recommended and forwarded by a county are reviewed.",
        ));
    }
    Ok(if items.iter().all(|(_, ok, _)| *ok) {
        Outcome::Eligible
    } else {
        Outcome::Ineligible
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::rules::qingyuan_2020 as rules;

    fn item(code: &str, ok: bool, reason: &str) -> (String, bool, String) {
        (code.into(), ok, reason.into())
    }

    #[test]
    fn an_application_not_forwarded_is_refused_citing_article_14() {
        let r = rules();
        let e = decide(
            &r,
            ReviewFacts {
                recommended: true,
                forwarded: false,
            },
            &[item("package_complete", true, "")],
        )
        .unwrap_err();
        assert_eq!((e.code, e.article), ("not_forwarded", Some(14)));
    }

    #[test]
    fn one_failed_item_makes_it_ineligible_and_needs_its_reason() {
        let r = rules();
        let f = ReviewFacts {
            recommended: true,
            forwarded: true,
        };
        let items = [
            item("package_complete", true, ""),
            item("no_loss", false, "2025年亏损"),
        ];
        assert_eq!(decide(&r, f, &items), Ok(Outcome::Ineligible));
        assert_eq!(
            decide(&r, f, &[item("package_complete", true, "")]),
            Ok(Outcome::Eligible)
        );
        let e = check_items(&[item("no_loss", false, " ")]).unwrap_err();
        assert_eq!(e.field, "reason");
        assert!(!e.zh.contains("no_loss"), "{}", e.zh);
    }
}
