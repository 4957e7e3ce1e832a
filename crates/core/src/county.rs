//! County recommendation (Art. 13 of the 2020 measures): whether a county office may still
//! forward its recommended applications to the city office.

use jiff::civil::Date;

use crate::refusal::Refusal;
use crate::rules::RuleSet;
use crate::session::Stage;

/// Decide whether a county may forward today, with the session in `stage` and the county
/// recommendation window ending on `county_end` (if set): only until the session leaves the
/// county recommendation stage, and not after the window's last day.
pub fn decide_forward(
    rules: &RuleSet,
    stage: Stage,
    county_end: Option<Date>,
    today: Date,
) -> Result<(), Refusal> {
    if stage > Stage::CountyRecommendation || county_end.is_some_and(|e| today > e) {
        let when = county_end
            .map(crate::clock::date_zh)
            .map(|d| format!("（{d}）"))
            .unwrap_or_default();
        return Err(rules.refusal(
            "county_deadline",
            Stage::CountyRecommendation.article(rules),
            format!(
                "县级推荐报送期限{when}已过，本届已进入“{}”阶段或期限已届满，不能再报送。",
                stage.name_zh()
            ),
            format!(
                "The county recommendation period has ended (the session is in {}, or its deadline has passed): nothing more can be forwarded.",
                stage.name_en()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    use crate::rules::qingyuan_2020 as rules;

    #[test]
    fn a_county_forwards_until_its_deadline_and_while_the_stage_lasts() {
        let r = rules();
        let end = Some(date(2026, 12, 31));
        assert!(decide_forward(&r, Stage::CountyRecommendation, end, date(2026, 12, 31)).is_ok());
        assert!(decide_forward(&r, Stage::Applications, end, date(2026, 11, 1)).is_ok());
        let late =
            decide_forward(&r, Stage::CountyRecommendation, end, date(2027, 1, 1)).unwrap_err();
        assert_eq!((late.code, late.article), ("county_deadline", Some(13)));
        assert!(late.zh.contains("2026年12月31日"), "{}", late.zh);
        let moved =
            decide_forward(&r, Stage::EligibilityReview, end, date(2026, 12, 1)).unwrap_err();
        assert!(moved.zh.contains("资格审查"), "{}", moved.zh);
    }
}
