//! The stages of a session (届) and the rules for moving between them (R-SES-2, Art. 3, 12–19, 35).
//!
//! A session moves one stage at a time, only by an explicit act of the city office, and only
//! when the stage's preconditions hold. The decision is pure: the store loads the facts, this
//! module decides, the store records the move and its audit entry in one transaction.

use crate::refusal::Refusal;
use crate::rules::RuleSet;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// A stage of a session, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// 筹备中: the session exists but its call is not yet out.
    Planning,
    /// 申报通知已发布 (Art. 12).
    CallPublished,
    /// 企业申报 (Art. 12).
    Applications,
    /// 县级推荐 (Art. 13).
    CountyRecommendation,
    /// 资格审查 (Art. 14).
    EligibilityReview,
    /// 资料评审 (Art. 15).
    MaterialReview,
    /// 确定现场评审名单 (Art. 15).
    OnsiteSelection,
    /// 现场评审 (Art. 16).
    OnsiteReview,
    /// 综合评价 (Art. 17).
    ComprehensiveEvaluation,
    /// 提出获奖建议名单 (Art. 18).
    Proposal,
    /// 领导小组审定 (Art. 6, 18).
    LeadershipDecision,
    /// 社会公示 (Art. 18).
    PublicNotice,
    /// 报市政府批准 (Art. 18).
    GovernmentApproval,
    /// 发文表彰 (Art. 19).
    Commendation,
    /// 本届结束.
    Closed,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 15] = [
        Stage::Planning,
        Stage::CallPublished,
        Stage::Applications,
        Stage::CountyRecommendation,
        Stage::EligibilityReview,
        Stage::MaterialReview,
        Stage::OnsiteSelection,
        Stage::OnsiteReview,
        Stage::ComprehensiveEvaluation,
        Stage::Proposal,
        Stage::LeadershipDecision,
        Stage::PublicNotice,
        Stage::GovernmentApproval,
        Stage::Commendation,
        Stage::Closed,
    ];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Planning => "planning",
            Stage::CallPublished => "call_published",
            Stage::Applications => "applications",
            Stage::CountyRecommendation => "county_recommendation",
            Stage::EligibilityReview => "eligibility_review",
            Stage::MaterialReview => "material_review",
            Stage::OnsiteSelection => "onsite_selection",
            Stage::OnsiteReview => "onsite_review",
            Stage::ComprehensiveEvaluation => "comprehensive_evaluation",
            Stage::Proposal => "proposal",
            Stage::LeadershipDecision => "leadership_decision",
            Stage::PublicNotice => "public_notice",
            Stage::GovernmentApproval => "government_approval",
            Stage::Commendation => "commendation",
            Stage::Closed => "closed",
        }
    }

    /// The stage stored under `code`.
    pub fn parse(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The stage's name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            Stage::Planning => "筹备中",
            Stage::CallPublished => "发布申报通知",
            Stage::Applications => "企业申报",
            Stage::CountyRecommendation => "县级推荐",
            Stage::EligibilityReview => "资格审查",
            Stage::MaterialReview => "资料评审",
            Stage::OnsiteSelection => "确定现场评审名单",
            Stage::OnsiteReview => "现场评审",
            Stage::ComprehensiveEvaluation => "综合评价",
            Stage::Proposal => "提出获奖建议名单",
            Stage::LeadershipDecision => "领导小组审定",
            Stage::PublicNotice => "社会公示",
            Stage::GovernmentApproval => "报市政府批准",
            Stage::Commendation => "发文表彰",
            Stage::Closed => "本届结束",
        }
    }

    /// The stage's name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Stage::Planning => "Planning",
            Stage::CallPublished => "Call published",
            Stage::Applications => "Applications",
            Stage::CountyRecommendation => "County recommendation",
            Stage::EligibilityReview => "Eligibility review",
            Stage::MaterialReview => "Material review",
            Stage::OnsiteSelection => "On-site selection",
            Stage::OnsiteReview => "On-site review",
            Stage::ComprehensiveEvaluation => "Comprehensive evaluation",
            Stage::Proposal => "Proposal",
            Stage::LeadershipDecision => "Leadership decision",
            Stage::PublicNotice => "Public notice",
            Stage::GovernmentApproval => "Government approval",
            Stage::Commendation => "Commendation",
            Stage::Closed => "Closed",
        }
    }

    /// The article of the measures the stage rests on, as `rules` declares it.
    pub fn article(self, rules: &RuleSet) -> Option<u32> {
        rules.stage_article(self.code())
    }

    /// The stage that follows, if any.
    pub fn next(self) -> Option<Stage> {
        let i = Stage::ALL.iter().position(|s| *s == self)?;
        Stage::ALL.get(i + 1).copied()
    }

    /// Position in the order, from 0.
    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Whether the office sets a date window for the stage.
    pub fn has_window(self) -> bool {
        !matches!(self, Stage::Planning | Stage::Closed)
    }
}

/// The planned window of a stage, as set by the city office.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day (inclusive): a deadline.
    pub ends_on: Option<Date>,
}

/// What the store knows about a session when a move is asked for.
#[derive(Debug, Clone)]
pub struct SessionFacts {
    /// The stage the session is in.
    pub stage: Stage,
    /// The planned windows, by stage.
    pub windows: BTreeMap<Stage, Window>,
    /// The day each stage was entered.
    pub entered: BTreeMap<Stage, Date>,
    /// Objections on the published list that are not yet closed (Art. 28).
    pub open_objections: u32,
    /// Applicants on the on-site list without a submitted on-site consensus (names, Art. 16).
    pub onsite_without_consensus: Vec<String>,
    /// Applicants on the on-site list without a submitted comprehensive evaluation (names,
    /// Art. 17).
    pub onsite_without_evaluation: Vec<String>,
    /// Applications forwarded by a county without the office's eligibility decision (names,
    /// Art. 14).
    pub forwarded_undecided: Vec<String>,
    /// Eligible applicants without a submitted material-review consensus (names, Art. 15).
    pub material_without_consensus: Vec<String>,
    /// How many applicants passed the eligibility review (those material review covers).
    pub eligible: u32,
    /// The on-site list has been decided (Art. 15).
    pub onsite_list_decided: bool,
    /// The proposal, the leadership decision and the notice (Art. 18).
    pub decision: crate::decision::DecisionFacts,
    /// The municipal government's approval of the list is recorded (Art. 19).
    pub approval_recorded: bool,
}

/// A move the core allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// From.
    pub from: Stage,
    /// To.
    pub to: Stage,
    /// The article the move rests on.
    pub article: Option<u32>,
}

fn doc(rules: &RuleSet) -> (&str, &str) {
    (rules.meta.name.as_str(), rules.meta.name_en.as_str())
}

/// Decide whether the session may move to `target` today.
pub fn decide_move(
    rules: &RuleSet,
    facts: &SessionFacts,
    target: Stage,
    today: Date,
) -> Result<Move, Refusal> {
    let from = facts.stage;
    let Some(next) = from.next() else {
        return Err(Refusal::new(
            "session_closed",
            None,
            doc(rules),
            "本届评选已结束，不能再推进阶段。",
            "The session is closed; it has no further stage.",
        ));
    };
    if target != next {
        return Err(Refusal::new(
            "stage_order",
            target.article(rules),
            doc(rules),
            format!(
                "评选须按程序逐阶段推进：当前阶段为“{}”，下一阶段只能是“{}”，不能直接进入“{}”。",
                from.name_zh(),
                next.name_zh(),
                target.name_zh()
            ),
            format!(
                "Stages follow the procedure one by one: the session is in “{}”, its next stage is “{}”, not “{}”.",
                from.name_en(),
                next.name_en(),
                target.name_en()
            ),
        ));
    }
    let window = |s: Stage| facts.windows.get(&s).copied().unwrap_or_default();
    match target {
        Stage::CallPublished => {
            if !rules.in_force_on(today) {
                return Err(Refusal::new(
                    "rules_not_in_force",
                    rules.validity.from.article,
                    doc(rules),
                    format!(
                        "本届适用的《{}》有效期为{}至{}，今天（{}）不在有效期内，不能依据它发布申报通知。请先载入现行有效的管理办法。",
                        rules.meta.name,
                        crate::clock::date_zh(rules.validity.from.value),
                        crate::clock::date_zh(rules.validity.to.value),
                        crate::clock::date_zh(today)
                    ),
                    format!(
                        "The rule set “{}” is valid from {} to {}; today ({}) is outside that period, so no call can be published under it. Load a rule set in force first.",
                        rules.meta.name_en,
                        rules.validity.from.value,
                        rules.validity.to.value,
                        today
                    ),
                ));
            }
            let apps = window(Stage::Applications);
            let county = window(Stage::CountyRecommendation);
            if apps.starts_on.is_none() || apps.ends_on.is_none() {
                return Err(Refusal::new(
                    "application_window_missing",
                    Some(12),
                    doc(rules),
                    "发布申报通知前，须先设定“企业申报”阶段的起止日期（申报期限）。",
                    "Set the start and end dates of the Applications stage (the deadline) before publishing the call.",
                ));
            }
            if county.ends_on.is_none() {
                return Err(Refusal::new(
                    "county_deadline_missing",
                    Some(13),
                    doc(rules),
                    "发布申报通知前，须先设定“县级推荐”阶段的截止日期（各县（市、区）统一报送期限）。",
                    "Set the end date of the County recommendation stage before publishing the call.",
                ));
            }
        }
        Stage::CountyRecommendation => {
            if let Some(end) = window(Stage::Applications).ends_on
                && today <= end
            {
                return Err(Refusal::new(
                    "applications_open",
                    Some(12),
                    doc(rules),
                    format!(
                        "企业申报截止日期为{}，截止前不能结束申报阶段。",
                        crate::clock::date_zh(end)
                    ),
                    format!("Applications close on {end}; the stage cannot end before then."),
                ));
            }
        }
        Stage::EligibilityReview => {
            if let Some(end) = window(Stage::CountyRecommendation).ends_on
                && today <= end
            {
                return Err(Refusal::new(
                    "county_open",
                    Some(13),
                    doc(rules),
                    format!(
                        "各县（市、区）推荐报送期限至{}，期限届满前不能结束县级推荐阶段。",
                        crate::clock::date_zh(end)
                    ),
                    format!(
                        "Counties may forward recommendations until {end}; the stage cannot end before then."
                    ),
                ));
            }
        }
        Stage::GovernmentApproval => {
            crate::decision::gate(rules, &facts.decision, target, today)?;
            if facts.open_objections > 0 {
                return Err(Refusal::new(
                    "objections_open",
                    Some(18),
                    doc(rules),
                    format!(
                        "经公示无异议后方可报市政府批准：尚有{}件异议未办结（第二十八条）。",
                        facts.open_objections
                    ),
                    format!(
                        "Only a notice without objections goes to the government: {} objection(s) are still open (Art. 28).",
                        facts.open_objections
                    ),
                ));
            }
        }
        // The work of the stage a move leaves is done before it ends; each refusal cites the
        // article of that stage, as the rule set's procedure declares it.
        Stage::MaterialReview if !facts.forwarded_undecided.is_empty() => {
            let names = facts.forwarded_undecided.join("、");
            return Err(Refusal::new(
                "eligibility_undecided",
                from.article(rules),
                doc(rules),
                format!(
                    "资格审查尚未完成：{names}已由县级推荐报送，尚无资格审查结论。全部报送的申报作出资格审查结论后才能进入资料评审。"
                ),
                format!(
                    "Eligibility review is not finished: {names} forwarded by a county without an eligibility decision yet."
                ),
            ));
        }
        Stage::OnsiteSelection if !facts.material_without_consensus.is_empty() => {
            let names = facts.material_without_consensus.join("、");
            return Err(Refusal::new(
                "material_consensus_missing",
                from.article(rules),
                doc(rules),
                format!(
                    "资料评审尚未完成：{names}的资料评审合议意见尚未提交，全部通过资格审查的申报单位合议完成后才能确定现场评审名单。"
                ),
                format!(
                    "Material review is not finished: no submitted material-review consensus yet for {names}."
                ),
            ));
        }
        Stage::OnsiteReview if facts.eligible > 0 && !facts.onsite_list_decided => {
            return Err(Refusal::new(
                "onsite_list_missing",
                from.article(rules),
                doc(rules),
                "现场评审名单尚未确定：请先在“现场评审名单”页根据资料评审结果确定名单，再进入现场评审。",
                "The on-site list has not been decided: decide it from the material-review results first.",
            ));
        }
        Stage::ComprehensiveEvaluation if !facts.onsite_without_consensus.is_empty() => {
            let names = facts.onsite_without_consensus.join("、");
            return Err(Refusal::new(
                "onsite_consensus_missing",
                Some(16),
                doc(rules),
                format!(
                    "现场评审尚未完成：{names}的现场评审合议意见尚未提交，全部现场评审单位合议完成后才能进入综合评价（第十六条）。"
                ),
                format!(
                    "On-site review is not finished: no submitted on-site consensus yet for {names} (Art. 16)."
                ),
            ));
        }
        Stage::Proposal if !facts.onsite_without_evaluation.is_empty() => {
            let names = facts.onsite_without_evaluation.join("、");
            return Err(Refusal::new(
                "evaluation_missing",
                Some(17),
                doc(rules),
                format!(
                    "综合评价尚未完成：{names}的综合评价尚未提交，全部现场评审单位综合评价完成后才能提出获奖建议名单（第十七条）。"
                ),
                format!(
                    "Comprehensive evaluation is not finished: none submitted yet for {names} (Art. 17)."
                ),
            ));
        }
        Stage::LeadershipDecision | Stage::PublicNotice => {
            crate::decision::gate(rules, &facts.decision, target, today)?;
        }
        Stage::Commendation if !facts.approval_recorded => {
            return Err(Refusal::new(
                "approval_missing",
                Some(19),
                doc(rules),
                "获奖名单经市政府批准后方可发文表彰：请先登记市政府的批复（文号、日期和批准名单）。",
                "Winners are commended once the municipal government has approved the list: record the approval (document number, date and approved list) first.",
            ));
        }
        _ => {}
    }
    Ok(Move {
        from,
        to: target,
        article: target.article(rules),
    })
}

/// Decide whether a new session for `year` may be opened, given the years of the
/// programme's existing sessions (Art. 3: one session every `cycle_years` years).
pub fn decide_new_session(rules: &RuleSet, year: i32, existing: &[i32]) -> Result<(), Refusal> {
    let cycle = i32::try_from(rules.session.cycle_years.value).unwrap_or(2);
    let art = rules.session.cycle_years.article;
    if !(2000..=2100).contains(&year) {
        return Err(Refusal::new(
            "year_out_of_range",
            None,
            doc(rules),
            "年度应为2000至2100之间的四位年份。",
            "The year must be a four-digit year between 2000 and 2100.",
        ));
    }
    if let Some(other) = existing.iter().copied().find(|e| (year - e).abs() < cycle) {
        return Err(Refusal::new(
            "cycle",
            art,
            doc(rules),
            format!(
                "市政府质量奖每{cycle}年评选一届：本项目已有{other}年度的一届，{year}年度与之相隔不足{cycle}年。"
            ),
            format!(
                "The award is held once every {cycle} years: the programme already has a session in {other}, less than {cycle} years from {year}."
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

    fn facts(stage: Stage) -> SessionFacts {
        let mut windows = BTreeMap::new();
        windows.insert(
            Stage::Applications,
            Window {
                starts_on: Some(date(2024, 3, 1)),
                ends_on: Some(date(2024, 5, 31)),
            },
        );
        windows.insert(
            Stage::CountyRecommendation,
            Window {
                starts_on: Some(date(2024, 6, 1)),
                ends_on: Some(date(2024, 6, 30)),
            },
        );
        SessionFacts {
            stage,
            windows,
            entered: BTreeMap::new(),
            open_objections: 0,
            onsite_without_consensus: Vec::new(),
            onsite_without_evaluation: Vec::new(),
            forwarded_undecided: Vec::new(),
            material_without_consensus: Vec::new(),
            eligible: 0,
            onsite_list_decided: false,
            decision: Default::default(),
            approval_recorded: false,
        }
    }

    #[test]
    fn review_stages_end_only_when_their_work_is_done() {
        let r = rules();
        let day = date(2026, 12, 1);
        let mut f = facts(Stage::EligibilityReview);
        f.forwarded_undecided = vec!["甲公司".into()];
        let e = decide_move(&r, &f, Stage::MaterialReview, day).unwrap_err();
        assert_eq!((e.code, e.article), ("eligibility_undecided", Some(14)));
        assert!(e.zh.contains("甲公司"), "{}", e.zh);
        f.forwarded_undecided.clear();
        assert!(decide_move(&r, &f, Stage::MaterialReview, day).is_ok());

        let mut f = facts(Stage::MaterialReview);
        f.eligible = 2;
        f.material_without_consensus = vec!["乙公司".into()];
        let e = decide_move(&r, &f, Stage::OnsiteSelection, day).unwrap_err();
        assert_eq!(
            (e.code, e.article),
            ("material_consensus_missing", Some(15))
        );
        f.material_without_consensus.clear();
        assert!(decide_move(&r, &f, Stage::OnsiteSelection, day).is_ok());

        let mut f = facts(Stage::OnsiteSelection);
        f.eligible = 2;
        let e = decide_move(&r, &f, Stage::OnsiteReview, day).unwrap_err();
        assert_eq!(e.code, "onsite_list_missing");
        assert_eq!(e.article, Stage::OnsiteSelection.article(&r));
        f.onsite_list_decided = true;
        assert!(decide_move(&r, &f, Stage::OnsiteReview, day).is_ok());
        // Nobody passed the eligibility review: there is nothing to visit, and the session
        // goes on to a proposal that leaves the award vacant.
        let f = facts(Stage::OnsiteSelection);
        assert!(decide_move(&r, &f, Stage::OnsiteReview, day).is_ok());
    }

    #[test]
    fn onsite_review_ends_only_when_every_onsite_consensus_is_submitted() {
        let r = rules();
        let mut f = facts(Stage::OnsiteReview);
        f.onsite_without_consensus = vec!["甲公司".into(), "乙公司".into()];
        let e = decide_move(&r, &f, Stage::ComprehensiveEvaluation, date(2026, 12, 1)).unwrap_err();
        assert_eq!(e.code, "onsite_consensus_missing");
        assert_eq!(e.article, Some(16));
        assert!(e.zh.contains("甲公司、乙公司"), "{}", e.zh);
        f.onsite_without_consensus.clear();
        assert!(decide_move(&r, &f, Stage::ComprehensiveEvaluation, date(2026, 12, 1)).is_ok());
    }

    #[test]
    fn the_proposal_needs_every_comprehensive_evaluation() {
        let r = rules();
        let mut f = facts(Stage::ComprehensiveEvaluation);
        f.onsite_without_evaluation = vec!["甲公司".into()];
        let e = decide_move(&r, &f, Stage::Proposal, date(2026, 12, 1)).unwrap_err();
        assert_eq!(e.code, "evaluation_missing");
        assert_eq!(e.article, Some(17));
        assert!(e.zh.contains("甲公司"));
        f.onsite_without_evaluation.clear();
        assert!(decide_move(&r, &f, Stage::Proposal, date(2026, 12, 1)).is_ok());
    }

    #[test]
    fn commendation_needs_the_recorded_approval_art_19() {
        let r = rules();
        let mut f = facts(Stage::GovernmentApproval);
        let e = decide_move(&r, &f, Stage::Commendation, date(2024, 12, 1)).unwrap_err();
        assert_eq!((e.code, e.article), ("approval_missing", Some(19)));
        f.approval_recorded = true;
        assert!(decide_move(&r, &f, Stage::Commendation, date(2024, 12, 1)).is_ok());
    }

    #[test]
    fn every_stage_but_the_last_has_a_next_and_codes_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.code()), Some(s));
        }
        assert_eq!(Stage::Planning.next(), Some(Stage::CallPublished));
        assert_eq!(Stage::Closed.next(), None);
    }

    #[test]
    fn call_refused_when_rule_set_not_in_force_art_35() {
        let r = rules();
        let e = decide_move(
            &r,
            &facts(Stage::Planning),
            Stage::CallPublished,
            date(2026, 11, 25),
        )
        .unwrap_err();
        assert_eq!(e.code, "rules_not_in_force");
        assert_eq!(e.article, Some(35));
        assert!(e.message_zh().contains("第三十五条"), "{}", e.message_zh());
        assert!(
            decide_move(
                &r,
                &facts(Stage::Planning),
                Stage::CallPublished,
                date(2024, 3, 1)
            )
            .is_ok()
        );
    }

    #[test]
    fn call_needs_the_application_deadline_art_12() {
        let r = rules();
        let mut f = facts(Stage::Planning);
        f.windows.clear();
        let e = decide_move(&r, &f, Stage::CallPublished, date(2024, 3, 1)).unwrap_err();
        assert_eq!(e.article, Some(12));
    }

    #[test]
    fn stages_cannot_be_skipped() {
        let r = rules();
        let e = decide_move(
            &r,
            &facts(Stage::Planning),
            Stage::Applications,
            date(2024, 3, 1),
        )
        .unwrap_err();
        assert_eq!(e.code, "stage_order");
    }

    #[test]
    fn applications_cannot_close_before_the_deadline() {
        let r = rules();
        let f = facts(Stage::Applications);
        assert_eq!(
            decide_move(&r, &f, Stage::CountyRecommendation, date(2024, 5, 31))
                .unwrap_err()
                .article,
            Some(12)
        );
        assert!(decide_move(&r, &f, Stage::CountyRecommendation, date(2024, 6, 1)).is_ok());
    }

    #[test]
    fn notice_runs_at_least_seven_days_art_18() {
        let r = rules();
        let mut f = facts(Stage::PublicNotice);
        assert_eq!(
            decide_move(&r, &f, Stage::GovernmentApproval, date(2024, 11, 8))
                .unwrap_err()
                .code,
            "notice_missing"
        );
        f.decision.notice = Some((date(2024, 11, 1), date(2024, 11, 8)));
        let e = decide_move(&r, &f, Stage::GovernmentApproval, date(2024, 11, 7)).unwrap_err();
        assert_eq!(e.code, "notice_too_short");
        assert_eq!(e.article, Some(18));
        assert!(e.zh.contains("2024年11月8日"), "{}", e.zh);
        assert!(decide_move(&r, &f, Stage::GovernmentApproval, date(2024, 11, 8)).is_ok());
        f.open_objections = 1;
        assert_eq!(
            decide_move(&r, &f, Stage::GovernmentApproval, date(2024, 11, 8))
                .unwrap_err()
                .code,
            "objections_open"
        );
    }

    #[test]
    fn one_session_per_two_year_cycle_art_3() {
        let r = rules();
        assert!(decide_new_session(&r, 2026, &[2024]).is_ok());
        let e = decide_new_session(&r, 2025, &[2024]).unwrap_err();
        assert_eq!(e.article, Some(3));
        assert!(decide_new_session(&r, 2024, &[2024]).is_err());
    }
}
