//! Expert scoring (Art. 15, 16, 25): the impartiality declaration, each member's blind scorebook
//! in material and on-site review, the leader's consensus, the versions of a score changed after
//! submission (who, when, why), and the office's progress rows. The arithmetic is in hundredths of a
//! point. Every change is one transaction with its audit entry.

use crate::assignment::TeamMember;
use crate::experts::{COMPETITORS, DOC, Expert, applicant_facts_of};
use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64, opt_str};
use qaward_core::authz::{Action, Actor, Standing, authorize};
use qaward_core::criteria::Criteria;
use qaward_core::refusal::Refusal;
pub use qaward_core::scoring::{
    BookChange, BookFacts, BookState, ConsensusChange, ConsensusFacts, Edit, Phase, ScoreInput,
    ScoreItem, Seat, band_of, check_items, decide_book, decide_consensus, item_hundredths,
    may_edit, points_text, total_hundredths,
};
use qaward_core::session::Stage;
use sqlx::Row;
use std::collections::BTreeMap;

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
    /// Members: (expert id, name, items scored, submitted, leads the team for this
    /// application).
    pub members: Vec<(i64, String, usize, bool, bool)>,
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

    /// What a scoring change is decided on, read through the command's transaction: the
    /// application and its session, the person's expert profile (in one read) and seat on
    /// the application's team, the on-site list, the declaration, and the book's header.
    async fn scoring_facts(
        &self,
        tx: &mut Tx,
        user_id: i64,
        application_id: i64,
        phase: Phase,
        book: BookOf,
        today: jiff::civil::Date,
    ) -> Result<ScoringFacts> {
        let (header, keys) = match book {
            BookOf::Member => (
                "LEFT JOIN scorebooks b ON b.application_id = a.id AND b.expert_id = e.id AND b.phase = $3",
                "NULL AS summary, NULL AS suggestions",
            ),
            BookOf::Consensus => (
                "LEFT JOIN consensus_books b ON b.application_id = a.id AND b.phase = $3",
                "b.summary, b.suggestions",
            ),
        };
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.session_id, a.form, s.programme_id, s.stage, s.rule_set_id, o.name AS org_name, o.credit_code, e.id AS expert_id, \
             (SELECT COUNT(*) FROM onsite_list_entries l WHERE l.application_id = a.id) AS on_list, \
             (SELECT d.signed_at FROM review_declarations d WHERE d.session_id = a.session_id AND d.expert_id = e.id) AS declared_at, \
             ({SEAT}) AS seat_leader, \
             b.submitted_at, b.version, {keys} \
             FROM applications a JOIN award_sessions s ON s.id = a.session_id JOIN organisations o ON o.id = a.organisation_id \
             LEFT JOIN experts e ON e.programme_id = s.programme_id AND e.user_id = $2 {header} \
             WHERE a.id = $1"
        )))
        .bind(application_id)
        .bind(user_id)
        .bind(phase.code())
        .fetch_optional(tx.conn())
        .await?
        .ok_or(Error::NotFound)?;
        let rules = self.rule_set(r.get("rule_set_id")).await?.rules;
        let criteria = self.criteria(&rules.meta.criteria).await?;
        let programme_id: i64 = r.get("programme_id");
        let stage = Stage::parse(&r.get::<String, _>("stage")).unwrap_or(Stage::Planning);
        let expert = match opt_i64(&r, "expert_id") {
            Some(id) => crate::experts::experts_in(tx.conn(), "e.id", id)
                .await?
                .pop(),
            None => None,
        };
        let seat = opt_i64(&r, "seat_leader");
        let mut standing = Standing::default();
        if let Some(e) = &expert {
            let applicant = crate::experts::applicant_facts_from(
                application_id,
                &r.get::<String, _>("org_name"),
                &r.get::<String, _>("credit_code"),
                crate::application::form_value(&r.get::<String, _>("form"), COMPETITORS).as_deref(),
            );
            let conflicts = qaward_core::experts::conflict::conflicts(
                &e.facts(),
                &applicant,
                today,
                rules.review.conflict_lookback_years.value,
            );
            let open = stage != Stage::Closed;
            standing = Standing {
                expert: true,
                removed: e.removed_at.is_some(),
                qualified: e.qualification(today).is_ok(),
                conflict: !conflicts.is_empty(),
                member: open && seat.is_some(),
                leader: open && seat == Some(1),
            };
        }
        Ok(ScoringFacts {
            programme_id,
            session_id: r.get("session_id"),
            seat: Seat {
                stage,
                on_list: r.get::<i64, _>("on_list") > 0,
                applicant: r.get("org_name"),
            },
            standing,
            declared: opt_i64(&r, "declared_at").is_some(),
            state: BookState::of(
                opt_i64(&r, "submitted_at"),
                opt_i64(&r, "version").unwrap_or(0),
            ),
            summary: opt_str(&r, "summary").unwrap_or_default(),
            suggestions: opt_str(&r, "suggestions").unwrap_or_default(),
            expert,
            rules,
            criteria,
        })
    }

    /// Authorize the person on the facts of the command (the same rule as the pages, on
    /// facts read in the transaction), and require the session's declaration (Art. 25).
    async fn scoring_gate(
        tx: &mut Tx,
        who: &Who,
        actor: &Actor,
        application_id: i64,
        lead: bool,
        f: &ScoringFacts,
    ) -> Result<Expert> {
        let inner = if lead {
            Action::LeadConsensus {
                programme_id: f.programme_id,
                standing: f.standing,
            }
        } else {
            Action::ReviewApplication {
                programme_id: f.programme_id,
                standing: f.standing,
            }
        };
        // An applicant off the on-site list is refused by the decision itself, citing its
        // article and recorded (the pages answer 403 before they get here).
        let action = inner;
        authorize(Some(actor), &action).map_err(Error::Forbidden)?;
        let Some(e) = f.expert.clone() else {
            return Err(Error::NotFound);
        };
        if !f.declared {
            let rules = &f.rules;
            return Err(tx
                .refuse(
                    NewEntry::award(who, "review.score", "application", application_id)
                        .programme(f.programme_id),
                    rules
                        .refusal_under(
                            "declaration_missing",
                            &rules.provisions.recusal,
                            "评审前须先签署本届评审工作的公正性和保密承诺书。",
                            "Sign the session's declaration of impartiality and confidentiality before reviewing.",
                        ),
                )
                .await);
        }
        Ok(e)
    }

    /// A member edits their own scorebook (Art. 15, 16): saves what was typed (a draft before
    /// submission; after it, a new version with its reason), or saves and submits it — in
    /// one command. `Ok(None)`: nothing changed.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_scorebook(
        &self,
        who: &Who,
        actor: &Actor,
        application_id: i64,
        phase: Phase,
        typed: &[ScoreInput],
        reason: &str,
        edit: Edit,
        now: jiff::Timestamp,
    ) -> Result<Option<BookChange>> {
        let today = crate::today(now.as_microsecond());
        self.command(now, async |tx| {
            let f = self
                .scoring_facts(
                    tx,
                    actor.user_id,
                    application_id,
                    phase,
                    BookOf::Member,
                    today,
                )
                .await?;
            let e = Self::scoring_gate(tx, who, actor, application_id, false, &f).await?;
            let entry = || {
                NewEntry::award(who, "review.score", "application", application_id)
                    .programme(f.programme_id)
            };
            tx.decided(may_edit(&f.rules, phase, &f.seat), entry)
                .await?;
            let step = f.rules.review.score_step_percent.value;
            let typed = check_items(&f.criteria, step, typed)?;
            let items = book_items(tx, "scores", application_id, Some(e.id), phase).await?;
            let facts = BookFacts {
                seat: f.seat.clone(),
                state: f.state,
                items,
            };
            let entry = || {
                NewEntry::award(who, "review.score", "application", application_id)
                    .programme(f.programme_id)
            };
            let decided = decide_book(&f.rules, &f.criteria, phase, &facts, &typed, reason, edit);
            let Some(change) = tx.decided(decided, entry).await? else {
                return Ok(None);
            };
            write_book(
                tx,
                application_id,
                Some(e.id),
                phase,
                &change,
                None,
                who.user_id,
            )
            .await?;
            let article = phase.article(&f.rules);
            let ids = change
                .items
                .iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>();
            let (action, summary, state) = match change.state {
                _ if change.submits => (
                    "review.score.submit",
                    format!(
                        "{}提交对{}的{}独立评分",
                        e.name,
                        f.seat.applicant,
                        phase.zh()
                    ),
                    Some("submitted"),
                ),
                BookState::Submitted { version } => (
                    "review.score.revise",
                    format!(
                        "{}修改已提交的{}评分（{}，第{version}版）。理由：{}",
                        e.name,
                        phase.zh(),
                        ids.join("、"),
                        change.reason
                    ),
                    None,
                ),
                BookState::Draft => (
                    "review.score.save",
                    format!(
                        "{}保存{}评分草稿：{}（{}）",
                        e.name,
                        phase.zh(),
                        f.seat.applicant,
                        ids.join("、")
                    ),
                    None,
                ),
            };
            let mut entry = NewEntry::award(who, action, "application", application_id)
                .programme(f.programme_id)
                .article(article, &f.rules.meta.name)
                .summary(summary)
                .detail(serde_json::json!({
                    "expert": e.id, "phase": phase.code(), "items": ids,
                    "version": version_of(change.state), "total_hundredths": change.total,
                }));
            if let Some(s) = state {
                entry = entry.state(s);
            }
            tx.audit(entry).await?;
            Ok(Some(change))
        })
        .await
    }

    /// The leader edits the team's consensus (Art. 15, 16): saves it (a draft, or after
    /// submission a new version with its reason), or saves and submits it — in one command,
    /// only once every member of the application's team has submitted. `text` is the overall
    /// comment and the suggestions (`None` keeps them as they are). `Ok(None)`: nothing
    /// changed.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_consensus(
        &self,
        who: &Who,
        actor: &Actor,
        application_id: i64,
        phase: Phase,
        typed: &[ScoreInput],
        text: Option<(&str, &str)>,
        reason: &str,
        edit: Edit,
        now: jiff::Timestamp,
    ) -> Result<Option<ConsensusChange>> {
        let today = crate::today(now.as_microsecond());
        self.command(now, async |tx| {
            let f = self
                .scoring_facts(
                    tx,
                    actor.user_id,
                    application_id,
                    phase,
                    BookOf::Consensus,
                    today,
                )
                .await?;
            let leader = Self::scoring_gate(tx, who, actor, application_id, true, &f).await?;
            let entry = || {
                NewEntry::award(who, "review.consensus", "application", application_id)
                    .programme(f.programme_id)
            };
            tx.decided(may_edit(&f.rules, phase, &f.seat), entry)
                .await?;
            let step = f.rules.review.score_step_percent.value;
            let typed = check_items(&f.criteria, step, typed)?;
            let items = book_items(tx, "consensus_scores", application_id, None, phase).await?;
            let pending = pending_members(tx, application_id, phase).await?;
            let facts = ConsensusFacts {
                seat: f.seat.clone(),
                pending,
                state: f.state,
                items,
                summary: f.summary.clone(),
                suggestions: f.suggestions.clone(),
            };
            let entry = || {
                NewEntry::award(who, "review.consensus", "application", application_id)
                    .programme(f.programme_id)
            };
            let (summary, suggestions) = text.unwrap_or((&f.summary, &f.suggestions));
            let decided = decide_consensus(
                &f.rules,
                &f.criteria,
                phase,
                &facts,
                &typed,
                summary,
                suggestions,
                reason,
                edit,
            );
            let Some(change) = tx.decided(decided, entry).await? else {
                return Ok(None);
            };
            let texts = (change.summary.as_str(), change.suggestions.as_str());
            write_book(
                tx,
                application_id,
                None,
                phase,
                &change.book,
                Some(texts),
                who.user_id,
            )
            .await?;
            let b = &change.book;
            let ids = b
                .items
                .iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>();
            let (action, summary, state) = match b.state {
                _ if b.submits => (
                    "review.consensus.submit",
                    format!(
                        "组长{}提交{}的{}合议意见：{}分",
                        leader.name,
                        f.seat.applicant,
                        phase.zh(),
                        points_text(b.total)
                    ),
                    Some("consensus"),
                ),
                BookState::Submitted { version } => (
                    "review.consensus.revise",
                    format!(
                        "组长{}修改{}的合议意见（第{version}版）。理由：{}",
                        leader.name, f.seat.applicant, b.reason
                    ),
                    None,
                ),
                BookState::Draft => (
                    "review.consensus.save",
                    format!("组长{}保存{}的合议意见草稿", leader.name, f.seat.applicant),
                    None,
                ),
            };
            let mut entry = NewEntry::award(who, action, "application", application_id)
                .programme(f.programme_id)
                .article(phase.article(&f.rules), &f.rules.meta.name)
                .summary(summary)
                .detail(serde_json::json!({
                    "phase": phase.code(), "items": ids,
                    "version": version_of(b.state), "total_hundredths": b.total,
                }));
            if let Some(s) = state {
                entry = entry.state(s);
            }
            tx.audit(entry).await?;
            Ok(Some(change))
        })
        .await
    }

    /// [`Store::edit_scorebook`] for the account of `who`: for the command line, the demo
    /// builder and tests, which act as a reviewer without a web session.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_scorebook_as(
        &self,
        who: &Who,
        application_id: i64,
        phase: Phase,
        typed: &[ScoreInput],
        reason: &str,
        edit: Edit,
        now: jiff::Timestamp,
    ) -> Result<Option<BookChange>> {
        let actor = self.actor(who.user_id.ok_or(Error::NotFound)?).await?;
        self.edit_scorebook(who, &actor, application_id, phase, typed, reason, edit, now)
            .await
    }

    /// [`Store::edit_consensus`] for the account of `who` (see [`Store::edit_scorebook_as`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_consensus_as(
        &self,
        who: &Who,
        application_id: i64,
        phase: Phase,
        typed: &[ScoreInput],
        text: Option<(&str, &str)>,
        reason: &str,
        edit: Edit,
        now: jiff::Timestamp,
    ) -> Result<Option<ConsensusChange>> {
        let actor = self.actor(who.user_id.ok_or(Error::NotFound)?).await?;
        self.edit_consensus(
            who,
            &actor,
            application_id,
            phase,
            typed,
            text,
            reason,
            edit,
            now,
        )
        .await
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
                        m.leader,
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
    qaward_core::scoring::spread_flags(
        c,
        books
            .iter()
            .filter(|b| b.submitted_at.is_some())
            .map(|b| &b.items),
        flag,
    )
}

/// The member's seat on the application's team: `leader` (0 or 1) when they are on it — its
/// team not dissolved, not recused from this application, or named as a substitute for it —
/// and no row otherwise (Art. 8, 25).
const SEAT: &str = "SELECT MAX(x.leader) FROM (SELECT m.leader FROM review_assignments ra JOIN review_teams t ON t.id = ra.team_id JOIN review_team_members m ON m.team_id = t.id WHERE ra.application_id = a.id AND m.expert_id = e.id AND t.dissolved_at IS NULL UNION ALL SELECT r.leader FROM review_recusals r JOIN review_assignments ra ON ra.application_id = r.application_id AND ra.team_id = r.team_id JOIN review_teams t ON t.id = r.team_id WHERE r.application_id = a.id AND r.substitute_id = e.id AND t.dissolved_at IS NULL) x WHERE NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = a.id AND q.expert_id = e.id)";

/// Whose book a scoring change edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BookOf {
    /// A member's own scorebook.
    Member,
    /// The team's consensus.
    Consensus,
}

/// The facts a scoring command decides on.
struct ScoringFacts {
    programme_id: i64,
    #[allow(dead_code)]
    session_id: i64,
    seat: Seat,
    standing: Standing,
    declared: bool,
    state: BookState,
    summary: String,
    suggestions: String,
    expert: Option<Expert>,
    rules: std::sync::Arc<qaward_core::rules::RuleSet>,
    criteria: std::sync::Arc<Criteria>,
}

/// The version number stored with a book in `state` (0 for a draft).
fn version_of(state: BookState) -> i64 {
    match state {
        BookState::Draft => 0,
        BookState::Submitted { version } => version,
    }
}

/// The items of a book, read through the transaction.
async fn book_items(
    tx: &mut Tx,
    table: &'static str,
    application_id: i64,
    expert_id: Option<i64>,
    phase: Phase,
) -> Result<BTreeMap<String, ScoreItem>> {
    let sql = match table {
        "scores" => {
            "SELECT item_id, percent, strengths, opportunities, verify_points FROM scores WHERE application_id = $1 AND phase = $2 AND expert_id = $3"
        }
        _ => {
            "SELECT item_id, percent, strengths, opportunities, verify_points FROM consensus_scores WHERE application_id = $1 AND phase = $2 AND $3 IS NULL"
        }
    };
    Ok(sqlx::query(sql)
        .bind(application_id)
        .bind(phase.code())
        .bind(expert_id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| (r.get("item_id"), score_item(r)))
        .collect())
}

/// The members of the application's team (recused members out, their substitutes in) who
/// have not submitted their scorebook of `phase`, by name.
async fn pending_members(tx: &mut Tx, application_id: i64, phase: Phase) -> Result<Vec<String>> {
    Ok(sqlx::query(
        "SELECT e.name FROM (SELECT m.expert_id, m.leader FROM review_assignments ra JOIN review_teams t ON t.id = ra.team_id JOIN review_team_members m ON m.team_id = t.id WHERE ra.application_id = $1 AND t.dissolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = $1 AND q.expert_id = m.expert_id) UNION SELECT r.substitute_id, r.leader FROM review_recusals r JOIN review_assignments ra ON ra.application_id = r.application_id AND ra.team_id = r.team_id WHERE r.application_id = $1 AND r.substitute_id IS NOT NULL) x JOIN experts e ON e.id = x.expert_id LEFT JOIN scorebooks b ON b.application_id = $1 AND b.expert_id = x.expert_id AND b.phase = $2 WHERE b.submitted_at IS NULL ORDER BY x.leader DESC, e.id",
    )
    .bind(application_id)
    .bind(phase.code())
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

/// Write a decided change of a book: its items in one statement, their versions in one, and
/// the book's header (state, version; the consensus's texts) in one.
async fn write_book(
    tx: &mut Tx,
    application_id: i64,
    expert_id: Option<i64>,
    phase: Phase,
    change: &BookChange,
    texts: Option<(&str, &str)>,
    by: Option<i64>,
) -> Result<()> {
    let at = tx.now();
    if !change.items.is_empty() {
        let (cols, conflict) = match expert_id {
            Some(_) => (
                "scores (application_id, expert_id, phase, item_id, percent, strengths, opportunities, verify_points, updated_at)",
                "ON CONFLICT (application_id, expert_id, phase, item_id) DO UPDATE SET percent = excluded.percent, strengths = excluded.strengths, opportunities = excluded.opportunities, verify_points = excluded.verify_points, updated_at = excluded.updated_at",
            ),
            None => (
                "consensus_scores (application_id, phase, item_id, percent, strengths, opportunities, verify_points, updated_at, updated_by)",
                "ON CONFLICT (application_id, phase, item_id) DO UPDATE SET percent = excluded.percent, strengths = excluded.strengths, opportunities = excluded.opportunities, verify_points = excluded.verify_points, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            ),
        };
        let sql = format!(
            "INSERT INTO {cols} VALUES {} {conflict}",
            crate::values_clause(change.items.len(), 9)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, it) in &change.items {
            q = q.bind(application_id);
            if let Some(e) = expert_id {
                q = q.bind(e);
            }
            q = q
                .bind(phase.code())
                .bind(id.as_str())
                .bind(it.percent.map(i64::from))
                .bind(it.strengths.as_str())
                .bind(it.opportunities.as_str())
                .bind(it.verify_points.as_str())
                .bind(at);
            if expert_id.is_none() {
                q = q.bind(by);
            }
        }
        q.execute(tx.conn()).await?;
    }
    let version = version_of(change.state);
    let versioned: Vec<(&String, &ScoreItem)> = change
        .items
        .iter()
        .filter(|(id, _)| change.versioned.contains(id))
        .map(|(id, it)| (id, it))
        .collect();
    if !versioned.is_empty() {
        let sql = format!(
            "INSERT INTO score_versions (application_id, expert_id, phase, item_id, version, percent, strengths, opportunities, verify_points, reason, changed_by, changed_at) VALUES {}",
            crate::values_clause(versioned.len(), 12)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, it) in versioned {
            q = q
                .bind(application_id)
                .bind(expert_id)
                .bind(phase.code())
                .bind(id.as_str())
                .bind(version)
                .bind(it.percent.map(i64::from))
                .bind(it.strengths.as_str())
                .bind(it.opportunities.as_str())
                .bind(it.verify_points.as_str())
                .bind(change.reason.as_str())
                .bind(by)
                .bind(at);
        }
        q.execute(tx.conn()).await?;
    }
    let submitted_at = change.submits.then_some(at);
    match (expert_id, texts) {
        (Some(e), _) => {
            sqlx::query("INSERT INTO scorebooks (application_id, expert_id, phase, submitted_at, version) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, expert_id, phase) DO UPDATE SET submitted_at = COALESCE(scorebooks.submitted_at, excluded.submitted_at), version = excluded.version")
                .bind(application_id)
                .bind(e)
                .bind(phase.code())
                .bind(submitted_at)
                .bind(version)
                .execute(tx.conn())
                .await?;
        }
        (None, texts) => {
            let (summary, suggestions) = texts.unwrap_or_default();
            sqlx::query("INSERT INTO consensus_books (application_id, phase, summary, suggestions, submitted_at, submitted_by, version) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (application_id, phase) DO UPDATE SET summary = excluded.summary, suggestions = excluded.suggestions, submitted_at = COALESCE(consensus_books.submitted_at, excluded.submitted_at), submitted_by = COALESCE(consensus_books.submitted_by, excluded.submitted_by), version = excluded.version")
                .bind(application_id)
                .bind(phase.code())
                .bind(summary)
                .bind(suggestions)
                .bind(submitted_at)
                .bind(change.submits.then_some(by).flatten())
                .bind(version)
                .execute(tx.conn())
                .await?;
        }
    }
    Ok(())
}
