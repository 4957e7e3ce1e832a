//! The proposal, the leadership group's decision, the public notice and objections
//! (Art. 3, 6, 18, 28): the pure rules — how many winners, quorum, recusal and majority, how
//! long the notice runs, and what a session needs before it moves on.

use crate::refusal::Refusal;
use crate::rules::{DayKind, Majority, RuleSet};
use jiff::civil::{Date, Weekday};

fn doc(rules: &RuleSet) -> (&str, &str) {
    (rules.meta.name.as_str(), rules.meta.name_en.as_str())
}

/// `n` working days (Monday to Friday) after `from`.
pub fn add_working_days(from: Date, n: u32) -> Date {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.tomorrow().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    d
}

/// `n` days after `from`, counted the way `kind` says.
pub fn add_days(kind: DayKind, from: Date, n: u32) -> Date {
    match kind {
        DayKind::Calendar => from
            .checked_add(jiff::Span::new().days(i64::from(n)))
            .unwrap_or(from),
        DayKind::Working => add_working_days(from, n),
    }
}

/// The earliest last day of a notice that starts on `start` (Art. 18: at least N days).
pub fn earliest_notice_end(rules: &RuleSet, start: Date) -> Date {
    add_days(
        rules.decision.notice_day_kind.value,
        start,
        rules.decision.notice_min_days.value,
    )
}

fn day_kind_zh(k: DayKind) -> &'static str {
    match k {
        DayKind::Calendar => "日",
        DayKind::Working => "个工作日",
    }
}

/// Check the office's proposal: at most `max_winners`, and an empty list only with a reason
/// (Art. 3, 18).
pub fn decide_proposal(rules: &RuleSet, count: usize, empty_reason: &str) -> Result<(), Refusal> {
    let max = rules.session.max_winners.value;
    if count > max as usize {
        return Err(Refusal::new(
            "too_many_winners",
            rules.session.max_winners.article,
            doc(rules),
            format!(
                "市政府质量奖每届获奖名额不超过{max}家，建议名单列了{count}家，请减至{max}家以内。"
            ),
            format!("At most {max} winners per session; the proposal lists {count}."),
        ));
    }
    if count == 0 {
        if !rules.session.winners_may_be_empty.value {
            return Err(Refusal::new(
                "winners_required",
                rules.session.winners_may_be_empty.article,
                doc(rules),
                "本届须提出至少一家获奖建议单位。",
                "The proposal must name at least one winner.",
            ));
        }
        if empty_reason.trim().is_empty() {
            return Err(Refusal::new(
                "empty_without_reason",
                rules.session.winners_may_be_empty.article,
                doc(rules),
                "获奖名额可以空缺，但建议本届空缺时须写明理由（“空缺理由”）。",
                "The award may go to nobody, but an empty proposal needs its reason.",
            ));
        }
    }
    Ok(())
}

/// Whether enough members are present for a valid decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    /// Members of the group.
    pub members: u32,
    /// Present.
    pub present: u32,
    /// Least number present for a quorum.
    pub required: u32,
    /// Reached.
    pub reached: bool,
}

/// The quorum of a meeting with `members` members of whom `present` attend.
pub fn quorum(rules: &RuleSet, members: u32, present: u32) -> Quorum {
    let f = rules.decision.quorum_fraction.value;
    let required = (0..=members)
        .find(|n| f.reached(*n, members))
        .unwrap_or(members);
    Quorum {
        members,
        present,
        required,
        reached: members > 0 && f.reached(present, members),
    }
}

/// A member's vote on one proposed applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vote {
    /// 同意.
    Agree,
    /// 不同意.
    Disagree,
    /// 弃权.
    Abstain,
}

impl Vote {
    /// Every vote.
    pub const ALL: [Vote; 3] = [Vote::Agree, Vote::Disagree, Vote::Abstain];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Vote::Agree => "agree",
            Vote::Disagree => "disagree",
            Vote::Abstain => "abstain",
        }
    }

    /// The vote stored under `code`.
    pub fn parse(code: &str) -> Option<Vote> {
        Vote::ALL.into_iter().find(|v| v.code() == code)
    }

    /// Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Vote::Agree => "同意",
            Vote::Disagree => "不同意",
            Vote::Abstain => "弃权",
        }
    }
}

/// The counts of one applicant's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Present and not recused: the members whose votes count.
    pub counted: u32,
    /// Agree.
    pub agree: u32,
    /// Disagree.
    pub disagree: u32,
    /// Abstain.
    pub abstain: u32,
}

/// Why a tally does not stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyError {
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

/// The members counted for one applicant: present members who have not recused themselves.
pub fn counted(present: u32, recused_present: u32) -> u32 {
    present.saturating_sub(recused_present)
}

/// Whether the votes add up to the members counted.
pub fn check_tally(t: &Tally) -> Result<(), TallyError> {
    let sum = t.agree + t.disagree + t.abstain;
    if sum != t.counted {
        return Err(TallyError {
            zh: format!(
                "同意、不同意、弃权票数合计{sum}票，应等于出席且未回避的成员{}人。",
                t.counted
            ),
            en: format!(
                "Agree, disagree and abstain add up to {sum}; they must equal the {} members present and not recused.",
                t.counted
            ),
        });
    }
    Ok(())
}

/// Whether an applicant passes: by the rule set's majority of the members counted (present and
/// not recused), and only at a meeting with a quorum.
pub fn passes(rules: &RuleSet, q: &Quorum, t: &Tally) -> bool {
    if !q.reached || t.counted == 0 {
        return false;
    }
    match rules.decision.majority.value {
        Majority::MoreThanHalfPresent => 2 * t.agree > t.counted,
        Majority::TwoThirdsPresent => 3 * t.agree >= 2 * t.counted,
    }
}

/// Check the dates of a notice: it starts today or later and runs at least the rule set's
/// number of days (Art. 18).
pub fn decide_notice(
    rules: &RuleSet,
    starts_on: Date,
    ends_on: Date,
    today: Date,
) -> Result<(), Refusal> {
    let min = rules.decision.notice_min_days.value;
    let kind = rules.decision.notice_day_kind.value;
    let art = rules.decision.notice_min_days.article;
    if starts_on < today {
        return Err(Refusal::new(
            "notice_in_past",
            art,
            doc(rules),
            format!(
                "公示开始日期不能早于今天（{}）。",
                crate::clock::date_zh(today)
            ),
            format!("The notice cannot start before today ({today})."),
        ));
    }
    let earliest = earliest_notice_end(rules, starts_on);
    if ends_on < earliest {
        return Err(Refusal::new(
            "notice_too_short",
            art,
            doc(rules),
            format!(
                "公示时间不少于{min}{}：自{}开始的公示，结束日期最早为{}。",
                day_kind_zh(kind),
                crate::clock::date_zh(starts_on),
                crate::clock::date_zh(earliest)
            ),
            format!(
                "The public notice runs at least {min} days: starting on {starts_on}, it ends on {earliest} at the earliest."
            ),
        ));
    }
    Ok(())
}

/// Whether a notice that ends on `ends_on` may be closed `today` (Art. 18).
pub fn decide_close_notice(rules: &RuleSet, ends_on: Date, today: Date) -> Result<(), Refusal> {
    let min = rules.decision.notice_min_days.value;
    let kind = rules.decision.notice_day_kind.value;
    if today < ends_on {
        return Err(Refusal::new(
            "notice_too_short",
            rules.decision.notice_min_days.article,
            doc(rules),
            format!(
                "公示时间不少于{min}{}：本次公示至{}结束，期满前不能结束公示。",
                day_kind_zh(kind),
                crate::clock::date_zh(ends_on)
            ),
            format!(
                "The public notice runs at least {min} days: it ends on {ends_on}, and cannot be closed before then."
            ),
        ));
    }
    Ok(())
}

/// The day by which an objection filed on `filed` must be verified.
pub fn objection_due(rules: &RuleSet, filed: Date) -> Date {
    add_working_days(filed, rules.objection.verify_working_days.value)
}

/// What the store knows of the proposal, the meeting and the notice when a move is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecisionFacts {
    /// The office submitted its proposal.
    pub proposal_submitted: bool,
    /// The office confirmed the meeting record.
    pub meeting_confirmed: bool,
    /// The confirmed meeting had a quorum.
    pub meeting_quorum: bool,
    /// The published notice: first and last day.
    pub notice: Option<(Date, Date)>,
}

/// The conditions of the proposal, decision and notice stages for a move to `target`.
pub fn gate(
    rules: &RuleSet,
    f: &DecisionFacts,
    target: crate::session::Stage,
    today: Date,
) -> Result<(), Refusal> {
    use crate::session::Stage;
    match target {
        Stage::LeadershipDecision if !f.proposal_submitted => Err(Refusal::new(
            "proposal_missing",
            Some(18),
            doc(rules),
            "市强市办须先提交获奖建议名单，才能提请领导小组审定。",
            "Submit the proposed winner list before the leadership group decides.",
        )),
        Stage::PublicNotice if !(f.meeting_confirmed && f.meeting_quorum) => {
            let q = rules.decision.quorum_fraction.value;
            Err(Refusal::new(
                "decision_missing",
                Some(18),
                doc(rules),
                format!(
                    "须有领导小组审定会议记录（出席人数达到成员的{q}）并经市强市办确认审定名单后，才能向社会公示。"
                ),
                format!(
                    "A confirmed record of the leadership group's meeting with a quorum ({q} of members) is needed before the public notice."
                ),
            ))
        }
        Stage::GovernmentApproval => match f.notice {
            None => Err(Refusal::new(
                "notice_missing",
                Some(18),
                doc(rules),
                "审定名单须在门户网站向社会公示后，才能报市政府批准。",
                "The decided list must be publicly notified before it goes to the government.",
            )),
            Some((_, end)) => decide_close_notice(rules, end, today),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    use crate::rules::qingyuan_2020 as rules;

    #[test]
    fn at_most_three_winners_and_none_only_with_a_reason_art_3() {
        let r = rules();
        let e = decide_proposal(&r, 4, "").unwrap_err();
        assert_eq!(e.article, Some(3));
        assert!(e.zh.contains("不超过3家"), "{}", e.zh);
        assert!(decide_proposal(&r, 3, "").is_ok());
        assert_eq!(
            decide_proposal(&r, 0, " ").unwrap_err().code,
            "empty_without_reason"
        );
        assert!(decide_proposal(&r, 0, "本届申报单位综合水平未达到获奖要求").is_ok());
    }

    #[test]
    fn quorum_is_two_thirds_of_members_exactly_and_not_one_short() {
        let r = rules();
        let q = quorum(&r, 6, 4);
        assert!(q.reached);
        assert_eq!(q.required, 4);
        assert!(!quorum(&r, 6, 3).reached);
        assert!(quorum(&r, 3, 2).reached);
        assert!(!quorum(&r, 7, 4).reached);
        assert!(quorum(&r, 7, 5).reached);
        assert!(!quorum(&r, 0, 0).reached);
    }

    #[test]
    fn more_than_half_of_those_counted_ties_fail_and_recusals_reduce_the_count() {
        let r = rules();
        let q = quorum(&r, 6, 4);
        let t = |counted, agree| Tally {
            counted,
            agree,
            disagree: counted - agree,
            abstain: 0,
        };
        // A tie is not more than half.
        assert!(!passes(&r, &q, &t(4, 2)));
        assert!(passes(&r, &q, &t(4, 3)));
        // One member recuses: three are counted and two agreeing is now a majority.
        assert_eq!(counted(4, 1), 3);
        assert!(passes(&r, &q, &t(counted(4, 1), 2)));
        // Without a quorum nothing passes.
        assert!(!passes(&r, &quorum(&r, 6, 3), &t(3, 3)));
    }

    #[test]
    fn votes_must_add_up_to_the_members_counted() {
        let mut t = Tally {
            counted: 4,
            agree: 2,
            disagree: 1,
            abstain: 0,
        };
        assert!(check_tally(&t).is_err());
        t.abstain = 1;
        assert!(check_tally(&t).is_ok());
    }

    #[test]
    fn notice_runs_seven_calendar_days_or_seven_working_days_art_18() {
        let mut r = rules();
        let start = date(2026, 11, 25);
        let e = decide_notice(&r, start, date(2026, 12, 1), start).unwrap_err();
        assert_eq!(e.article, Some(18));
        assert!(e.zh.contains("2026年12月2日"), "{}", e.zh);
        assert!(decide_notice(&r, start, date(2026, 12, 2), start).is_ok());
        assert!(decide_close_notice(&r, date(2026, 12, 2), date(2026, 12, 1)).is_err());
        assert!(decide_close_notice(&r, date(2026, 12, 2), date(2026, 12, 2)).is_ok());
        r.decision.notice_day_kind.value = DayKind::Working;
        // Wednesday + 7 working days = Friday of the next week.
        assert_eq!(earliest_notice_end(&r, start), date(2026, 12, 4));
        assert!(decide_notice(&r, start, date(2026, 12, 3), start).is_err());
    }

    #[test]
    fn objections_are_due_in_five_working_days() {
        let r = rules();
        // Friday → the next Friday.
        assert_eq!(objection_due(&r, date(2026, 11, 27)), date(2026, 12, 4));
    }
}
