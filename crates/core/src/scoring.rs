//! Expert scoring (Art. 15, 16): each member's blind scorebook and the leader's consensus, in
//! material review and on site. Scores are percentages of an item's points on the rule set's
//! step; points are counted in hundredths (an item of 50 points at 65 % earns 3,250).
//!
//! The decisions are pure: the store loads the facts inside its writing transaction, these
//! functions decide what changes (or refuse, citing the article from the rule set), and the
//! store writes the change with its audit entry. A scorebook or consensus moves from draft to
//! submitted once; after that every change needs a reason and becomes a new version.

use crate::criteria::Criteria;
use crate::refusal::{Invalid, Refusal};
use crate::rules::RuleSet;
use crate::session::Stage;
use std::collections::BTreeMap;

/// Which review a scorebook belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// 资料评审 (Art. 15).
    Material,
    /// 现场评审 (Art. 16).
    Onsite,
}

impl Phase {
    /// Both phases, in order.
    pub const ALL: [Phase; 2] = [Phase::Material, Phase::Onsite];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Phase::Material => "material",
            Phase::Onsite => "onsite",
        }
    }

    /// The phase stored under `code`.
    pub fn parse(code: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.code() == code)
    }

    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Phase::Material => "资料评审",
            Phase::Onsite => "现场评审",
        }
    }

    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Phase::Material => "material review",
            Phase::Onsite => "on-site review",
        }
    }

    /// The stage in which it is scored.
    pub fn stage(self) -> Stage {
        match self {
            Phase::Material => Stage::MaterialReview,
            Phase::Onsite => Stage::OnsiteReview,
        }
    }

    /// The article it rests on: its stage's, as the rule set declares it.
    pub fn article(self, rules: &RuleSet) -> Option<u32> {
        self.stage().article(rules)
    }
}

/// One item of a scorebook or of the consensus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreItem {
    /// Percentage (None: not yet scored).
    pub percent: Option<u32>,
    /// 优势.
    pub strengths: String,
    /// 改进机会.
    pub opportunities: String,
    /// 现场核实要点.
    pub verify_points: String,
}

/// One item as typed in the form.
#[derive(Debug, Clone, Default)]
pub struct ScoreInput {
    /// Item id.
    pub item_id: String,
    /// Percentage as typed ("" for none).
    pub percent: String,
    /// Band as chosen ("" for none).
    pub band: String,
    /// Strengths.
    pub strengths: String,
    /// Opportunities.
    pub opportunities: String,
    /// Points to verify on site.
    pub verify_points: String,
}

/// The form field of an item's percentage, where its message is shown.
pub fn item_field(item_id: &str) -> String {
    format!("item.{item_id}")
}

/// Most characters of one comment.
pub const COMMENT_MAX_CHARS: usize = 5000;

/// Hundredths of a point an item earns: points × percent.
pub fn item_hundredths(points: u32, percent: u32) -> i64 {
    i64::from(points) * i64::from(percent)
}

/// Total of a set of item percentages in hundredths of a point.
pub fn total_hundredths(c: &Criteria, items: &BTreeMap<String, ScoreItem>) -> i64 {
    c.items()
        .filter_map(|it| {
            items
                .get(&it.id)
                .and_then(|s| s.percent)
                .map(|p| item_hundredths(it.points, p))
        })
        .sum()
}

/// Hundredths as "612.50".
pub fn points_text(h: i64) -> String {
    let sign = if h < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (h / 100).abs(), (h % 100).abs())
}

/// The band a percentage falls in.
pub fn band_of(c: &Criteria, percent: u32) -> Option<u32> {
    c.bands.iter().find(|b| b.contains(percent)).map(|b| b.band)
}

/// Check one typed item against the criteria and the rule set's step: what the reviewer
/// gave, or what is wrong with it, beside the item's field.
pub fn check_item(c: &Criteria, step: u32, i: &ScoreInput) -> Result<(String, ScoreItem), Invalid> {
    let Some(item) = c.item(&i.item_id) else {
        return Err(Invalid::new(
            "item",
            "评分条目不存在。",
            "No such criteria item.",
        ));
    };
    let field = item_field(&item.id);
    let label = format!("{} {}", item.id, item.name);
    let percent = match i.percent.trim() {
        "" => None,
        t => {
            let p: u32 = t.trim_end_matches('%').parse().map_err(|_| {
                Invalid::new(
                    field.clone(),
                    format!("“{label}”得分率：请选择0%至100%之间的百分比。"),
                    format!("{}: choose a percentage from 0% to 100%.", item.id),
                )
            })?;
            if p > 100 || (step > 0 && !p.is_multiple_of(step)) {
                return Err(Invalid::new(
                    field,
                    format!("“{label}”得分率：应为0%至100%之间{step}%的整数倍。"),
                    format!("{}: the percentage goes in steps of {step}%.", item.id),
                ));
            }
            if let Ok(b) = i.band.trim().parse::<u32>()
                && band_of(c, p) != Some(b)
            {
                return Err(Invalid::new(
                    field,
                    format!("“{label}”：{p}%不在所选的第{b}档得分范围内。"),
                    format!("{}: {p}% is not within band {b}.", item.id),
                ));
            }
            Some(p)
        }
    };
    let cap = |name: &str, v: &str| -> Result<String, Invalid> {
        if v.chars().count() > COMMENT_MAX_CHARS {
            return Err(Invalid::new(
                field.clone(),
                format!("“{label}”{name}：不超过{COMMENT_MAX_CHARS}字。"),
                format!("{}: at most 5,000 characters.", item.id),
            ));
        }
        Ok(v.trim().to_owned())
    };
    Ok((
        item.id.clone(),
        ScoreItem {
            percent,
            strengths: cap("优势", &i.strengths)?,
            opportunities: cap("改进机会", &i.opportunities)?,
            verify_points: cap("现场核实要点", &i.verify_points)?,
        },
    ))
}

/// Check every typed item (the first problem is returned).
pub fn check_items(
    c: &Criteria,
    step: u32,
    typed: &[ScoreInput],
) -> Result<Vec<(String, ScoreItem)>, Invalid> {
    typed.iter().map(|i| check_item(c, step, i)).collect()
}

/// Items whose spread among the submitted books exceeds `flag` percentage points.
pub fn spread_flags<'a>(
    c: &Criteria,
    books: impl IntoIterator<Item = &'a BTreeMap<String, ScoreItem>> + Clone,
    flag: u32,
) -> Vec<String> {
    c.items()
        .filter(|it| {
            let ps: Vec<u32> = books
                .clone()
                .into_iter()
                .filter_map(|b| b.get(&it.id).and_then(|s| s.percent))
                .collect();
            match (ps.iter().max(), ps.iter().min()) {
                (Some(hi), Some(lo)) => hi - lo > flag,
                _ => false,
            }
        })
        .map(|it| it.id.clone())
        .collect()
}

/// Save the draft, or submit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Keep what was typed (a draft before submission; a new version after it).
    Save,
    /// Keep what was typed and submit.
    Submit,
}

/// Where a scorebook or consensus stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookState {
    /// Not yet submitted: changes are drafts.
    Draft,
    /// Submitted: changes need a reason and become versions.
    Submitted {
        /// The latest version (1 is the submission).
        version: i64,
    },
}

impl BookState {
    /// From the stored columns.
    pub fn of(submitted_at: Option<i64>, version: i64) -> Self {
        match submitted_at {
            Some(_) => BookState::Submitted {
                version: version.max(1),
            },
            None => BookState::Draft,
        }
    }

    /// The state an edit leads to, if it may be made (Draft → Draft, Draft → Submitted v1,
    /// Submitted vN → Submitted vN+1); `None` when the edit changes no state.
    pub fn after(self, edit: Edit, changes: bool) -> Option<BookState> {
        match (self, edit) {
            (BookState::Draft, Edit::Save) if changes => Some(BookState::Draft),
            (BookState::Draft, Edit::Submit) => Some(BookState::Submitted { version: 1 }),
            (BookState::Submitted { version }, _) if changes => Some(BookState::Submitted {
                version: version + 1,
            }),
            _ => None,
        }
    }

    /// Submitted.
    pub fn submitted(self) -> bool {
        matches!(self, BookState::Submitted { .. })
    }
}

/// Where the session and the person stand, for any scoring change.
#[derive(Debug, Clone)]
pub struct Seat {
    /// The session's stage.
    pub stage: Stage,
    /// The application is on the decided on-site list.
    pub on_list: bool,
    /// The applicant's name, for messages.
    pub applicant: String,
}

/// A member's scorebook as it stands in the database.
#[derive(Debug, Clone)]
pub struct BookFacts {
    /// The session and the application.
    pub seat: Seat,
    /// Draft or submitted.
    pub state: BookState,
    /// Items as stored.
    pub items: BTreeMap<String, ScoreItem>,
}

/// What a scorebook or consensus edit writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookChange {
    /// The items to write (those that differ from what is stored; on submission, all of them).
    pub items: Vec<(String, ScoreItem)>,
    /// The items whose version is recorded (with `version`): every item on submission, the
    /// changed ones after it; none for a draft.
    pub versioned: Vec<String>,
    /// State after the change.
    pub state: BookState,
    /// The state changed from draft to submitted.
    pub submits: bool,
    /// The reason recorded with the version ("提交" on submission).
    pub reason: String,
    /// The total after the change, in hundredths.
    pub total: i64,
}

/// Whether the books of `phase` may be edited where the session and the application stand:
/// in the phase's stage, and on site only for an applicant on the decided list.
pub fn may_edit(rules: &RuleSet, phase: Phase, seat: &Seat) -> Result<(), Refusal> {
    match stage_refusal(rules, phase, seat, &format!("{}评分", phase.zh())) {
        Some(r) => Err(r),
        None => Ok(()),
    }
}

fn stage_refusal(rules: &RuleSet, phase: Phase, seat: &Seat, what: &str) -> Option<Refusal> {
    // An applicant off the on-site list has no on-site books at all, whatever the stage: this
    // is said first, as the on-site pages refuse it (a 403, not a stage conflict).
    if phase == Phase::Onsite && !seat.on_list {
        return Some(rules.refusal(
            "not_onsite",
            phase.article(rules),
            format!("{}不在本届现场评审名单内。", seat.applicant),
            "The applicant is not on the on-site list.",
        ));
    }
    if seat.stage != phase.stage() {
        return Some(rules.refusal(
            "review_stage",
            phase.article(rules),
            format!(
                "{what}只能在“{}”阶段进行，本届目前处于“{}”阶段。",
                phase.stage().name_zh(),
                seat.stage.name_zh()
            ),
            format!(
                "This can only be done in the {} stage; the session is in {}.",
                phase.stage().name_en(),
                seat.stage.name_en()
            ),
        ));
    }
    None
}

/// The items typed that differ from the stored ones, and everything after the edit.
fn merge(
    stored: &BTreeMap<String, ScoreItem>,
    typed: &[(String, ScoreItem)],
) -> (Vec<(String, ScoreItem)>, BTreeMap<String, ScoreItem>) {
    let mut after = stored.clone();
    let mut changed = Vec::new();
    for (id, it) in typed {
        if stored.get(id) != Some(it) {
            changed.push((id.clone(), it.clone()));
            after.insert(id.clone(), it.clone());
        }
    }
    (changed, after)
}

/// The first item of the criteria without a percentage in `items`.
fn first_unscored<'c>(
    c: &'c Criteria,
    items: &BTreeMap<String, ScoreItem>,
) -> Option<&'c crate::criteria::Item> {
    c.items()
        .find(|it| items.get(&it.id).and_then(|s| s.percent).is_none())
}

/// What a common edit of a book (member's or consensus) does, once the who and where have
/// been checked.
#[allow(clippy::too_many_arguments)]
fn edit_book(
    rules: &RuleSet,
    c: &Criteria,
    phase: Phase,
    state: BookState,
    stored: &BTreeMap<String, ScoreItem>,
    typed: &[(String, ScoreItem)],
    extra_changed: bool,
    reason: &str,
    edit: Edit,
    submit_reason: &str,
    what: (&str, &str),
) -> Result<Option<BookChange>, Refusal> {
    let article = phase.article(rules);
    let (changed, after) = merge(stored, typed);
    let changes = !changed.is_empty() || extra_changed;
    if let BookState::Submitted { .. } = state {
        if changes && reason.trim().is_empty() {
            return Err(rules
                .refusal(
                    "submitted_needs_reason",
                    article,
                    format!("{}已提交：修改须写明理由，修改将另存为新版本。", what.0),
                    format!(
                        "The {} is submitted: a change needs a reason and becomes a new version.",
                        what.1
                    ),
                )
                .at("reason"));
        }
        if let Some((id, _)) = changed.iter().find(|(_, it)| it.percent.is_none()) {
            return Err(rules
                .refusal(
                    "submitted_clear",
                    article,
                    format!("{}已提交：不能清除已给出的得分率。", what.0),
                    "A submitted score cannot be cleared.",
                )
                .at(item_field(id)));
        }
    }
    let Some(next) = state.after(edit, changes) else {
        return Ok(None);
    };
    let submits = !state.submitted() && next.submitted();
    if submits && let Some(missing) = first_unscored(c, &after) {
        return Err(rules
            .refusal(
                "unscored",
                article,
                format!(
                    "“{} {}”尚未评分：全部{}个条目都评分后才能提交。",
                    missing.id,
                    missing.name,
                    c.items().count()
                ),
                format!(
                    "{} is not scored yet: score every item before submitting.",
                    missing.id
                ),
            )
            .at(item_field(&missing.id)));
    }
    let (items, versioned, reason) = if submits {
        (
            after.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            after.keys().cloned().collect(),
            submit_reason.to_owned(),
        )
    } else if next.submitted() {
        let ids = changed.iter().map(|(id, _)| id.clone()).collect();
        (changed, ids, reason.trim().to_owned())
    } else {
        (changed, Vec::new(), String::new())
    };
    Ok(Some(BookChange {
        total: total_hundredths(c, &after),
        items,
        versioned,
        state: next,
        submits,
        reason,
    }))
}

/// Decide a member's edit of their own scorebook: typed items saved (a draft before
/// submission, a new version with its reason after it), or submitted (every item scored).
/// `Ok(None)`: nothing to change.
pub fn decide_book(
    rules: &RuleSet,
    c: &Criteria,
    phase: Phase,
    facts: &BookFacts,
    typed: &[(String, ScoreItem)],
    reason: &str,
    edit: Edit,
) -> Result<Option<BookChange>, Refusal> {
    if let Some(r) = stage_refusal(rules, phase, &facts.seat, &format!("{}评分", phase.zh())) {
        return Err(r);
    }
    edit_book(
        rules,
        c,
        phase,
        facts.state,
        &facts.items,
        typed,
        false,
        reason,
        edit,
        "提交",
        ("评分表", "scorebook"),
    )
}

/// The team's consensus as it stands.
#[derive(Debug, Clone)]
pub struct ConsensusFacts {
    /// The session and the application.
    pub seat: Seat,
    /// The members of the application's team who have not submitted their scorebook.
    pub pending: Vec<String>,
    /// Draft or submitted.
    pub state: BookState,
    /// Items as stored.
    pub items: BTreeMap<String, ScoreItem>,
    /// 综合意见 as stored.
    pub summary: String,
    /// 改进建议 as stored.
    pub suggestions: String,
}

/// The leader's consensus edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsensusChange {
    /// The items, versions and state.
    pub book: BookChange,
    /// 综合意见 after the change.
    pub summary: String,
    /// 改进建议 after the change.
    pub suggestions: String,
}

/// Decide the leader's edit of the consensus: only once every member has submitted; saved as
/// a draft or a new version; submitted when every item is agreed and the overall comment
/// written. `Ok(None)`: nothing to change.
#[allow(clippy::too_many_arguments)]
pub fn decide_consensus(
    rules: &RuleSet,
    c: &Criteria,
    phase: Phase,
    facts: &ConsensusFacts,
    typed: &[(String, ScoreItem)],
    summary: &str,
    suggestions: &str,
    reason: &str,
    edit: Edit,
) -> Result<Option<ConsensusChange>, Refusal> {
    if let Some(r) = stage_refusal(rules, phase, &facts.seat, &format!("{}合议", phase.zh())) {
        return Err(r);
    }
    if !facts.pending.is_empty() {
        return Err(rules.refusal(
            "consensus_early",
            phase.article(rules),
            format!(
                "组员独立评分全部提交后才能形成合议意见，尚未提交：{}。",
                facts.pending.join("、")
            ),
            format!(
                "Every member must submit before the consensus; pending: {}.",
                facts.pending.join(", ")
            ),
        ));
    }
    let (summary, suggestions) = (summary.trim(), suggestions.trim());
    let text_changed = facts.summary != summary || facts.suggestions != suggestions;
    let submits = !facts.state.submitted() && edit == Edit::Submit;
    if submits && summary.is_empty() {
        return Err(rules
            .refusal(
                "consensus_summary",
                phase.article(rules),
                "“综合意见”：请填写评审组综合意见后再提交。",
                "Write the team's overall comment before submitting.",
            )
            .at("summary"));
    }
    let book = edit_book(
        rules,
        c,
        phase,
        facts.state,
        &facts.items,
        typed,
        text_changed,
        reason,
        edit,
        "提交合议",
        ("合议意见", "consensus"),
    )?;
    Ok(book.map(|book| ConsensusChange {
        book,
        summary: summary.to_owned(),
        suggestions: suggestions.to_owned(),
    }))
}
