//! Expert scoring (Art. 15, 16, 25): the impartiality declaration, each member's blind scorebook
//! in material and on-site review, the leader's consensus, the versions of a score changed after
//! submission (who, when, why), and the office's progress rows. The arithmetic is in hundredths of a
//! point. Every change is one transaction with its audit entry.

use crate::assignment::TeamMember;
use crate::experts::{DOC, Expert, applicant_facts_of};
use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64, opt_str};
use qaward_core::criteria::Criteria;
use qaward_core::refusal::Refusal;
use qaward_core::session::Stage;
use sqlx::Row;
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
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Phase::Material => "material",
            Phase::Onsite => "onsite",
        }
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Phase::Material => "资料评审",
            Phase::Onsite => "现场评审",
        }
    }
    /// The stage in which it is scored.
    pub fn stage(self) -> Stage {
        match self {
            Phase::Material => Stage::MaterialReview,
            Phase::Onsite => Stage::OnsiteReview,
        }
    }
    /// The article it rests on.
    pub fn article(self) -> u32 {
        match self {
            Phase::Material => 15,
            Phase::Onsite => 16,
        }
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

/// A member's scorebook.
#[derive(Debug, Clone, Default)]
pub struct Scorebook {
    /// Expert.
    pub expert_id: i64,
    /// Submitted (µs).
    pub submitted_at: Option<i64>,
    /// Version (0 before submission).
    pub version: i64,
    /// Items by id.
    pub items: BTreeMap<String, ScoreItem>,
}

impl Scorebook {
    /// Items with a percentage.
    pub fn scored(&self) -> usize {
        self.items.values().filter(|i| i.percent.is_some()).count()
    }
}

/// The team's consensus.
#[derive(Debug, Clone, Default)]
pub struct Consensus {
    /// 综合意见.
    pub summary: String,
    /// 改进建议.
    pub suggestions: String,
    /// Submitted (µs).
    pub submitted_at: Option<i64>,
    /// Version.
    pub version: i64,
    /// Items by id.
    pub items: BTreeMap<String, ScoreItem>,
}

/// One item as typed.
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

/// A row of the office's progress and ranking views.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Organisation name.
    pub name: String,
    /// County.
    pub county: String,
    /// Industry as typed.
    pub industry: String,
    /// GB/T 4754 section.
    pub section: Option<char>,
    /// Team.
    pub team_id: Option<i64>,
    /// Team name.
    pub team_name: String,
    /// Members: (expert id, name, items scored, submitted).
    pub members: Vec<(i64, String, usize, bool)>,
    /// Consensus submitted.
    pub consensus_submitted: bool,
    /// Consensus total in hundredths of a point.
    pub total: Option<i64>,
    /// Items whose spread exceeds the rule set's threshold.
    pub spread_flags: Vec<String>,
    /// Members of the assigned team who now have a conflict (names).
    pub conflicted: Vec<String>,
    /// On the on-site list (None before it is decided).
    pub onsite: Option<bool>,
}

impl ReviewRow {
    /// The consensus total as "612.50" ("" before the consensus).
    pub fn total_text(&self) -> String {
        self.total.map(points_text).unwrap_or_default()
    }
}

/// A recorded version of a score after submission.
#[derive(Debug, Clone)]
pub struct Version {
    /// Member (None: the consensus).
    pub expert_id: Option<i64>,
    /// Who changed it (name).
    pub by: String,
    /// Item.
    pub item_id: String,
    /// Version number.
    pub version: i64,
    /// Percentage.
    pub percent: Option<u32>,
    /// Why.
    pub reason: String,
    /// When (µs).
    pub at: i64,
}

pub(crate) fn refusal(
    code: &'static str,
    article: u32,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Refusal {
    Refusal::new(code, Some(article), DOC, zh, en)
}

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
    format!("{}.{:02}", h / 100, (h % 100).abs())
}

/// The band a percentage falls in.
pub fn band_of(c: &Criteria, percent: u32) -> Option<u32> {
    c.bands.iter().find(|b| b.contains(percent)).map(|b| b.band)
}

/// Check one typed item against the criteria and the rule set's step.
pub fn check_item(c: &Criteria, step: u32, i: &ScoreInput) -> Result<(String, ScoreItem)> {
    let Some(item) = c.item(&i.item_id) else {
        return Err(Error::invalid(
            "item",
            "评分条目不存在。",
            "No such criteria item.",
        ));
    };
    let label = format!("{} {}", item.id, item.name);
    let percent = match i.percent.trim() {
        "" => None,
        t => {
            let p: u32 = t.trim_end_matches('%').parse().map_err(|_| {
                Error::invalid(
                    "percent",
                    format!("“{label}”得分率：请选择0%至100%之间的百分比。"),
                    format!("{}: choose a percentage from 0% to 100%.", item.id),
                )
            })?;
            if p > 100 || (step > 0 && !p.is_multiple_of(step)) {
                return Err(Error::invalid(
                    "percent",
                    format!("“{label}”得分率：应为0%至100%之间{step}%的整数倍。"),
                    format!("{}: the percentage goes in steps of {step}%.", item.id),
                ));
            }
            if let Ok(b) = i.band.trim().parse::<u32>()
                && band_of(c, p) != Some(b)
            {
                return Err(Error::invalid(
                    "percent",
                    format!("“{label}”：{p}%不在所选的第{b}档得分范围内。"),
                    format!("{}: {p}% is not within band {b}.", item.id),
                ));
            }
            Some(p)
        }
    };
    let cap = |field: &'static str, name: &str, v: &str| -> Result<String> {
        if v.chars().count() > 5000 {
            return Err(Error::invalid(
                field,
                format!("“{label}”{name}：不超过5000字。"),
                format!("{}: at most 5,000 characters.", item.id),
            ));
        }
        Ok(v.trim().to_owned())
    };
    Ok((
        item.id.clone(),
        ScoreItem {
            percent,
            strengths: cap("strengths", "优势", &i.strengths)?,
            opportunities: cap("opportunities", "改进机会", &i.opportunities)?,
            verify_points: cap("verify_points", "现场核实要点", &i.verify_points)?,
        },
    ))
}

fn score_item(r: &sqlx::any::AnyRow) -> ScoreItem {
    ScoreItem {
        percent: opt_i64(r, "percent").map(|p| p as u32),
        strengths: r.get("strengths"),
        opportunities: r.get("opportunities"),
        verify_points: r.get("verify_points"),
    }
}

impl Store {
    pub(crate) async fn started_applications(&self, session_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query("SELECT DISTINCT s.application_id FROM scores s JOIN applications a ON a.id = s.application_id WHERE a.session_id = $1")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    /// Whether the reviewer has signed the session's declaration, and when.
    pub async fn review_declaration(&self, session_id: i64, expert_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query(
            "SELECT signed_at FROM review_declarations WHERE session_id = $1 AND expert_id = $2",
        )
        .bind(session_id)
        .bind(expert_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| r.get(0)))
    }

    /// Sign the impartiality and confidentiality declaration of a session (Art. 25).
    pub async fn sign_review_declaration(
        &self,
        who: &Who,
        session_id: i64,
        e: &Expert,
        text: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        if self.review_declaration(session_id, e.id).await?.is_some() {
            return Ok(());
        }
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
        let mut tx = self.write(now).await?;
        sqlx::query("INSERT INTO review_declarations (session_id, expert_id, text_sha256, signed_at) VALUES ($1, $2, $3, $4)")
            .bind(session_id)
            .bind(e.id)
            .bind(&hash)
            .bind(tx.now())
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "review.declaration.sign", "expert", e.id)
                .programme(e.programme_id)
                .article(Some(25), DOC.0)
                .summary(format!("{}签署公正性和保密承诺书", e.name))
                .detail(serde_json::json!({"session": session_id, "text_sha256": hash})),
        )
        .await?;
        tx.commit().await
    }

    /// A member's scorebook (an empty one before the first save).
    pub async fn scorebook(
        &self,
        application_id: i64,
        expert_id: i64,
        phase: Phase,
    ) -> Result<Scorebook> {
        let mut b = Scorebook {
            expert_id,
            ..Scorebook::default()
        };
        if let Some(r) = sqlx::query("SELECT submitted_at, version FROM scorebooks WHERE application_id = $1 AND expert_id = $2 AND phase = $3")
            .bind(application_id)
            .bind(expert_id)
            .bind(phase.code())
            .fetch_optional(self.pool())
            .await?
        {
            b.submitted_at = opt_i64(&r, "submitted_at");
            b.version = r.get("version");
        }
        for r in sqlx::query("SELECT item_id, percent, strengths, opportunities, verify_points FROM scores WHERE application_id = $1 AND expert_id = $2 AND phase = $3")
            .bind(application_id)
            .bind(expert_id)
            .bind(phase.code())
            .fetch_all(self.pool())
            .await?
        {
            b.items.insert(r.get("item_id"), score_item(&r));
        }
        Ok(b)
    }

    async fn scoring_context(
        &self,
        who: &Who,
        application_id: i64,
        phase: Phase,
        now: jiff::Timestamp,
    ) -> Result<(
        crate::application::Application,
        crate::session::SessionDetail,
        std::sync::Arc<Criteria>,
    )> {
        let (a, d) = if phase == Phase::Onsite {
            // On site: only the applicants on the decided list, in the on-site stage (Art. 16).
            self.onsite_check(
                who,
                application_id,
                &[phase.stage()],
                phase.article(),
                &format!("{}评分", phase.zh()),
                now,
            )
            .await?
        } else {
            let a = self.application(application_id).await?;
            let d = self
                .session_stage_check(
                    who,
                    a.session_id,
                    &[phase.stage()],
                    phase.article(),
                    &format!("{}评分", phase.zh()),
                    now,
                )
                .await?;
            (a, d)
        };
        let c = self.criteria(&d.rules.meta.criteria).await?;
        Ok((a, d, c))
    }

    /// Save items of a member's scorebook as they are typed. After submission every change
    /// needs a reason and becomes a new version.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_scores(
        &self,
        who: &Who,
        application_id: i64,
        e: &Expert,
        phase: Phase,
        items: &[ScoreInput],
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let step = d.rules.review.score_step_percent.value;
        let mut checked = Vec::new();
        for i in items {
            checked.push(check_item(&c, step, i)?);
        }
        let book = self.scorebook(application_id, e.id, phase).await?;
        let submitted = book.submitted_at.is_some();
        let changed: Vec<&(String, ScoreItem)> = checked
            .iter()
            .filter(|(id, it)| book.items.get(id) != Some(it))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        if submitted {
            if reason.trim().is_empty() {
                return Err(Error::invalid(
                    "reason",
                    "评分表已提交：修改须写明理由，修改将另存为新版本。",
                    "The scorebook is submitted: a change needs a reason and becomes a new version.",
                ));
            }
            if changed.iter().any(|(_, it)| it.percent.is_none()) {
                return Err(Error::invalid(
                    "percent",
                    "评分表已提交：不能清除已给出的得分率。",
                    "A submitted score cannot be cleared.",
                ));
            }
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let version = if submitted { book.version + 1 } else { 0 };
        for (id, it) in &changed {
            upsert_score(
                &mut tx,
                "scores",
                application_id,
                Some(e.id),
                phase,
                id,
                it,
                at,
                who.user_id,
            )
            .await?;
            if submitted {
                insert_version(
                    &mut tx,
                    application_id,
                    Some(e.id),
                    phase,
                    id,
                    version,
                    it,
                    reason.trim(),
                    who.user_id,
                    at,
                )
                .await?;
            }
        }
        sqlx::query(if submitted {
            "UPDATE scorebooks SET version = $4 WHERE application_id = $1 AND expert_id = $2 AND phase = $3"
        } else {
            "INSERT INTO scorebooks (application_id, expert_id, phase, version) VALUES ($1, $2, $3, $4) ON CONFLICT (application_id, expert_id, phase) DO NOTHING"
        })
        .bind(application_id)
        .bind(e.id)
        .bind(phase.code())
        .bind(version)
        .execute(tx.conn())
        .await?;
        let ids: Vec<&str> = changed.iter().map(|(id, _)| id.as_str()).collect();
        tx.audit(
            NewEntry::award(who, if submitted { "review.score.revise" } else { "review.score.save" }, "application", application_id)
                .programme(d.session.programme_id)
                .article(Some(phase.article()), DOC.0)
                .summary(if submitted {
                    format!("{}修改已提交的{}评分（{}，第{version}版）。理由：{}", e.name, phase.zh(), ids.join("、"), reason.trim())
                } else {
                    format!("{}保存{}评分草稿：{}（{}）", e.name, phase.zh(), a.org.name, ids.join("、"))
                })
                .detail(serde_json::json!({"expert": e.id, "phase": phase.code(), "items": ids, "version": version})),
        )
        .await?;
        tx.commit().await
    }

    /// Submit a member's scorebook: every item needs a percentage.
    pub async fn submit_scorebook(
        &self,
        who: &Who,
        application_id: i64,
        e: &Expert,
        phase: Phase,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let book = self.scorebook(application_id, e.id, phase).await?;
        if book.submitted_at.is_some() {
            return Ok(());
        }
        if let Some(missing) = c
            .items()
            .find(|it| book.items.get(&it.id).and_then(|s| s.percent).is_none())
        {
            return Err(Error::invalid(
                "percent",
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
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("UPDATE scorebooks SET submitted_at = $1, version = 1 WHERE application_id = $2 AND expert_id = $3 AND phase = $4")
            .bind(at)
            .bind(application_id)
            .bind(e.id)
            .bind(phase.code())
            .execute(tx.conn())
            .await?;
        for (id, it) in &book.items {
            insert_version(
                &mut tx,
                application_id,
                Some(e.id),
                phase,
                id,
                1,
                it,
                "提交",
                who.user_id,
                at,
            )
            .await?;
        }
        let total = total_hundredths(&c, &book.items);
        tx.audit(
            NewEntry::award(who, "review.score.submit", "application", application_id)
                .programme(d.session.programme_id)
                .article(Some(phase.article()), DOC.0)
                .summary(format!("{}提交对{}的{}独立评分", e.name, a.org.name, phase.zh()))
                .detail(serde_json::json!({"expert": e.id, "phase": phase.code(), "total_hundredths": total}))
                .state("submitted"),
        )
        .await?;
        tx.commit().await
    }

    /// The books of the team assigned to an application, members in team order.
    pub async fn team_books(
        &self,
        application_id: i64,
        phase: Phase,
        today: jiff::civil::Date,
    ) -> Result<Vec<(TeamMember, Scorebook)>> {
        let Some(team) = self.team_of(application_id, today).await? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for m in team.members {
            let b = self.scorebook(application_id, m.expert_id, phase).await?;
            out.push((m, b));
        }
        Ok(out)
    }

    /// The team's consensus on an application.
    pub async fn consensus(&self, application_id: i64, phase: Phase) -> Result<Consensus> {
        let mut c = Consensus::default();
        if let Some(r) = sqlx::query("SELECT summary, suggestions, submitted_at, version FROM consensus_books WHERE application_id = $1 AND phase = $2")
            .bind(application_id)
            .bind(phase.code())
            .fetch_optional(self.pool())
            .await?
        {
            c.summary = r.get("summary");
            c.suggestions = r.get("suggestions");
            c.submitted_at = opt_i64(&r, "submitted_at");
            c.version = r.get("version");
        }
        for r in sqlx::query("SELECT item_id, percent, strengths, opportunities, verify_points FROM consensus_scores WHERE application_id = $1 AND phase = $2")
            .bind(application_id)
            .bind(phase.code())
            .fetch_all(self.pool())
            .await?
        {
            c.items.insert(r.get("item_id"), score_item(&r));
        }
        Ok(c)
    }

    /// Save the leader's consensus: item percentages and comments, the overall comment and
    /// suggestions. Every member must have submitted first; after submission changes need a
    /// reason and become versions.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_consensus(
        &self,
        who: &Who,
        application_id: i64,
        leader: &Expert,
        phase: Phase,
        items: &[ScoreInput],
        summary: &str,
        suggestions: &str,
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let today = crate::today(now.as_microsecond());
        let books = self.team_books(application_id, phase, today).await?;
        let pending: Vec<&str> = books
            .iter()
            .filter(|(_, b)| b.submitted_at.is_none())
            .map(|(m, _)| m.name.as_str())
            .collect();
        if !pending.is_empty() {
            return Err(self
                .refused(
                    NewEntry::award(
                        who,
                        "review.consensus.refused",
                        "application",
                        application_id,
                    )
                    .programme(d.session.programme_id),
                    refusal(
                        "consensus_early",
                        phase.article(),
                        format!(
                            "组员独立评分全部提交后才能形成合议意见，尚未提交：{}。",
                            pending.join("、")
                        ),
                        format!(
                            "Every member must submit before the consensus; pending: {}.",
                            pending.join(", ")
                        ),
                    ),
                    now,
                )
                .await);
        }
        let step = d.rules.review.score_step_percent.value;
        let mut checked = Vec::new();
        for i in items {
            checked.push(check_item(&c, step, i)?);
        }
        let cur = self.consensus(application_id, phase).await?;
        let submitted = cur.submitted_at.is_some();
        let changed: Vec<&(String, ScoreItem)> = checked
            .iter()
            .filter(|(id, it)| cur.items.get(id) != Some(it))
            .collect();
        let text_changed = cur.summary != summary.trim() || cur.suggestions != suggestions.trim();
        if changed.is_empty() && !text_changed {
            return Ok(());
        }
        if submitted && reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "合议意见已提交：修改须写明理由，修改将另存为新版本。",
                "The consensus is submitted: a change needs a reason and becomes a new version.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let version = if submitted { cur.version + 1 } else { 0 };
        for (id, it) in &changed {
            upsert_score(
                &mut tx,
                "consensus_scores",
                application_id,
                None,
                phase,
                id,
                it,
                at,
                who.user_id,
            )
            .await?;
            if submitted {
                insert_version(
                    &mut tx,
                    application_id,
                    None,
                    phase,
                    id,
                    version,
                    it,
                    reason.trim(),
                    who.user_id,
                    at,
                )
                .await?;
            }
        }
        sqlx::query("INSERT INTO consensus_books (application_id, phase, summary, suggestions, version) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, phase) DO UPDATE SET summary = $3, suggestions = $4, version = $5")
            .bind(application_id)
            .bind(phase.code())
            .bind(summary.trim())
            .bind(suggestions.trim())
            .bind(version.max(cur.version))
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, if submitted { "review.consensus.revise" } else { "review.consensus.save" }, "application", application_id)
                .programme(d.session.programme_id)
                .article(Some(phase.article()), DOC.0)
                .summary(if submitted {
                    format!("组长{}修改{}的合议意见（第{version}版）。理由：{}", leader.name, a.org.name, reason.trim())
                } else {
                    format!("组长{}保存{}的合议意见草稿", leader.name, a.org.name)
                })
                .detail(serde_json::json!({"phase": phase.code(), "items": changed.iter().map(|(id, _)| id).collect::<Vec<_>>(), "version": version})),
        )
        .await?;
        tx.commit().await
    }

    /// Submit the consensus: every item agreed and the overall comment written.
    pub async fn submit_consensus(
        &self,
        who: &Who,
        application_id: i64,
        leader: &Expert,
        phase: Phase,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let cur = self.consensus(application_id, phase).await?;
        if cur.submitted_at.is_some() {
            return Ok(());
        }
        if let Some(missing) = c
            .items()
            .find(|it| cur.items.get(&it.id).and_then(|s| s.percent).is_none())
        {
            return Err(Error::invalid(
                "percent",
                format!(
                    "“{} {}”尚无合议得分：全部条目合议后才能提交。",
                    missing.id, missing.name
                ),
                format!("{} has no agreed score yet.", missing.id),
            ));
        }
        if cur.summary.trim().is_empty() {
            return Err(Error::invalid(
                "summary",
                "“综合意见”：请填写评审组综合意见。",
                "Overall comment is required.",
            ));
        }
        let total = total_hundredths(&c, &cur.items);
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("UPDATE consensus_books SET submitted_at = $1, submitted_by = $2, version = 1 WHERE application_id = $3 AND phase = $4")
            .bind(at)
            .bind(who.user_id)
            .bind(application_id)
            .bind(phase.code())
            .execute(tx.conn())
            .await?;
        for (id, it) in &cur.items {
            insert_version(
                &mut tx,
                application_id,
                None,
                phase,
                id,
                1,
                it,
                "提交合议",
                who.user_id,
                at,
            )
            .await?;
        }
        tx.audit(
            NewEntry::award(
                who,
                "review.consensus.submit",
                "application",
                application_id,
            )
            .programme(d.session.programme_id)
            .article(Some(phase.article()), DOC.0)
            .summary(format!(
                "组长{}提交{}的{}合议意见：{}分",
                leader.name,
                a.org.name,
                phase.zh(),
                points_text(total)
            ))
            .detail(serde_json::json!({"phase": phase.code(), "total_hundredths": total}))
            .state("consensus"),
        )
        .await?;
        tx.commit().await
    }

    /// Versions recorded after submission, newest first.
    pub async fn score_versions(&self, application_id: i64, phase: Phase) -> Result<Vec<Version>> {
        Ok(sqlx::query("SELECT v.expert_id, u.display_name, v.item_id, v.version, v.percent, v.reason, v.changed_at FROM score_versions v LEFT JOIN users u ON u.id = v.changed_by WHERE v.application_id = $1 AND v.phase = $2 ORDER BY v.id DESC")
            .bind(application_id)
            .bind(phase.code())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Version {
                expert_id: opt_i64(r, "expert_id"),
                by: opt_str(r, "display_name").unwrap_or_default(),
                item_id: r.get("item_id"),
                version: r.get("version"),
                percent: opt_i64(r, "percent").map(|p| p as u32),
                reason: r.get("reason"),
                at: r.get("changed_at"),
            })
            .collect())
    }

    /// The office's view of a session's review: one row per eligible application.
    pub async fn review_rows(
        &self,
        session_id: i64,
        phase: Phase,
        today: jiff::civil::Date,
    ) -> Result<Vec<ReviewRow>> {
        let d = self.session_detail(session_id).await?;
        let c = self.criteria(&d.rules.meta.criteria).await?;
        let flag = d.rules.review.spread_flag_points.value;
        let lookback = d.rules.review.conflict_lookback_years.value;
        let teams = self.teams_on(session_id, today).await?;
        let pool = self.experts(d.session.programme_id).await?;
        let list = self.onsite_list(session_id).await?;
        let assigned: BTreeMap<i64, i64> = sqlx::query(
            "SELECT application_id, team_id FROM review_assignments WHERE session_id = $1",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        let mut rows = Vec::new();
        for a in self.review_applications(session_id).await? {
            let industry = a
                .values
                .get("identity.industry")
                .cloned()
                .unwrap_or_default();
            let mut team = assigned
                .get(&a.id)
                .and_then(|t| teams.iter().find(|x| x.id == *t))
                .cloned();
            if let Some(t) = team.as_mut() {
                self.apply_recusals(a.id, t, today).await?;
            }
            let team = team.as_ref();
            let mut members = Vec::new();
            let mut books = Vec::new();
            let mut conflicted = Vec::new();
            let af = applicant_facts_of(&a);
            if let Some(t) = team {
                for m in &t.members {
                    let b = self.scorebook(a.id, m.expert_id, phase).await?;
                    members.push((
                        m.expert_id,
                        m.name.clone(),
                        b.scored(),
                        b.submitted_at.is_some(),
                    ));
                    if let Some(e) = pool.iter().find(|e| e.id == m.expert_id)
                        && qaward_core::experts::conflict::is_conflicted(
                            &e.facts(),
                            &af,
                            today,
                            lookback,
                        )
                    {
                        conflicted.push(m.name.clone());
                    }
                    books.push(b);
                }
            }
            let spread_flags = spread_flags(&c, &books, flag);
            let cons = self.consensus(a.id, phase).await?;
            let total = cons.submitted_at.map(|_| total_hundredths(&c, &cons.items));
            rows.push(ReviewRow {
                application_id: a.id,
                organisation_id: a.org.id,
                name: a.org.name.clone(),
                county: a.org.county_name.clone().unwrap_or_default(),
                section: qaward_core::industry::section_of(&industry),
                industry,
                team_id: team.map(|t| t.id),
                team_name: team.map(|t| t.name.clone()).unwrap_or_default(),
                members,
                consensus_submitted: cons.submitted_at.is_some(),
                total,
                spread_flags,
                conflicted,
                onsite: list
                    .as_ref()
                    .map(|l| l.entries.iter().any(|(x, ..)| *x == a.id)),
            });
        }
        Ok(rows)
    }
}

/// Items whose spread across submitted books exceeds `flag` percentage points.
pub fn spread_flags(c: &Criteria, books: &[Scorebook], flag: u32) -> Vec<String> {
    c.items()
        .filter(|it| {
            let ps: Vec<u32> = books
                .iter()
                .filter(|b| b.submitted_at.is_some())
                .filter_map(|b| b.items.get(&it.id).and_then(|s| s.percent))
                .collect();
            match (ps.iter().max(), ps.iter().min()) {
                (Some(hi), Some(lo)) => hi - lo > flag,
                _ => false,
            }
        })
        .map(|it| it.id.clone())
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn upsert_score(
    tx: &mut Tx,
    table: &'static str,
    app: i64,
    expert: Option<i64>,
    phase: Phase,
    item: &str,
    it: &ScoreItem,
    at: i64,
    by: Option<i64>,
) -> Result<()> {
    let percent = it.percent.map(i64::from);
    if table == "scores" {
        sqlx::query("INSERT INTO scores (application_id, expert_id, phase, item_id, percent, strengths, opportunities, verify_points, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (application_id, expert_id, phase, item_id) DO UPDATE SET percent = $5, strengths = $6, opportunities = $7, verify_points = $8, updated_at = $9")
            .bind(app)
            .bind(expert)
            .bind(phase.code())
            .bind(item)
            .bind(percent)
            .bind(&it.strengths)
            .bind(&it.opportunities)
            .bind(&it.verify_points)
            .bind(at)
            .execute(tx.conn())
            .await?;
    } else {
        sqlx::query("INSERT INTO consensus_scores (application_id, phase, item_id, percent, strengths, opportunities, verify_points, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (application_id, phase, item_id) DO UPDATE SET percent = $4, strengths = $5, opportunities = $6, verify_points = $7, updated_at = $8, updated_by = $9")
            .bind(app)
            .bind(phase.code())
            .bind(item)
            .bind(percent)
            .bind(&it.strengths)
            .bind(&it.opportunities)
            .bind(&it.verify_points)
            .bind(at)
            .bind(by)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &mut Tx,
    app: i64,
    expert: Option<i64>,
    phase: Phase,
    item: &str,
    version: i64,
    it: &ScoreItem,
    reason: &str,
    by: Option<i64>,
    at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO score_versions (application_id, expert_id, phase, item_id, version, percent, strengths, opportunities, verify_points, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(app)
        .bind(expert)
        .bind(phase.code())
        .bind(item)
        .bind(version)
        .bind(it.percent.map(i64::from))
        .bind(&it.strengths)
        .bind(&it.opportunities)
        .bind(&it.verify_points)
        .bind(reason)
        .bind(by)
        .bind(at)
        .execute(tx.conn())
        .await?;
    Ok(())
}
