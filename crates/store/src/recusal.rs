//! Recusal at any time (Art. 25): a member who declares a conflict leaves that application's team
//! in the same transaction; the office names a substitute from the candidates the assignment rules
//! allow; an application's team is its members less those who recused, plus their substitutes.

use crate::assignment::{Team, member_of};
use crate::experts::{DOC, applicant_facts_of};
use crate::scoring::refusal;
use crate::{Error, NewEntry, Result, Store, Who, opt_i64};
use qaward_core::assignment::{AppNode, Member, Problem, TeamNode};
use qaward_core::session::Stage;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

// ---------------------------------------------------------------------------------------
// Recusal at any time (Art. 25): a member who declares a conflict leaves that application's
// team; the office names a substitute from the candidates the optimiser's rules allow.

/// The stages in which the office can name a substitute: while the team is at work.
pub const SUBSTITUTE_STAGES: &[Stage] = &[
    Stage::MaterialReview,
    Stage::OnsiteSelection,
    Stage::OnsiteReview,
    Stage::ComprehensiveEvaluation,
];

const RECUSAL_SELECT: &str = "SELECT r.id, r.session_id, r.application_id, o.name AS org_name, r.team_id, t.name AS team_name, r.expert_id, e.name AS expert_name, r.leader, r.stage, d.reason, r.recused_at, r.substitute_id, COALESCE(s.name, '') AS substitute_name, r.substituted_at, r.substitute_note FROM review_recusals r JOIN applications a ON a.id = r.application_id JOIN organisations o ON o.id = a.organisation_id JOIN review_teams t ON t.id = r.team_id JOIN experts e ON e.id = r.expert_id JOIN conflict_declarations d ON d.id = r.declaration_id LEFT JOIN experts s ON s.id = r.substitute_id";

/// A member's recusal from one application, and the substitute once named.
#[derive(Debug, Clone)]
pub struct Recusal {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Application.
    pub application_id: i64,
    /// Organisation name.
    pub org_name: String,
    /// Team.
    pub team_id: i64,
    /// Team name.
    pub team_name: String,
    /// The member who recused.
    pub expert_id: i64,
    /// Their name.
    pub expert_name: String,
    /// They led the team for this application.
    pub leader: bool,
    /// The session's stage when they recused (code).
    pub stage: String,
    /// Their reason.
    pub reason: String,
    /// When (µs).
    pub recused_at: i64,
    /// The substitute.
    pub substitute_id: Option<i64>,
    /// The substitute's name ("" before one is named).
    pub substitute_name: String,
    /// When the substitute was named (µs).
    pub substituted_at: Option<i64>,
    /// The office's note on the choice.
    pub substitute_note: String,
}

impl Recusal {
    /// The stage when the member recused, in Chinese.
    pub fn stage_zh(&self) -> &'static str {
        Stage::parse(&self.stage).map(|s| s.name_zh()).unwrap_or("")
    }
}

/// A substitute the optimiser's rules allow, best first.
#[derive(Debug, Clone)]
pub struct SubstituteOffer {
    /// Rank, from 1.
    pub rank: usize,
    /// Expert.
    pub expert_id: i64,
    /// Name.
    pub name: String,
    /// Level, in Chinese.
    pub level: String,
    /// Sections of expertise.
    pub industries: Vec<char>,
    /// Current employer.
    pub employer: String,
    /// Knows the applicant's industry section.
    pub industry_match: bool,
    /// Applications of the session after joining.
    pub load_after: u32,
    /// Why it is offered, in Chinese.
    pub reason_zh: String,
    /// Why it is offered, in English.
    pub reason_en: String,
}

fn recusal_of(r: &sqlx::any::AnyRow) -> Recusal {
    Recusal {
        id: r.get("id"),
        session_id: r.get("session_id"),
        application_id: r.get("application_id"),
        org_name: r.get("org_name"),
        team_id: r.get("team_id"),
        team_name: r.get("team_name"),
        expert_id: r.get("expert_id"),
        expert_name: r.get("expert_name"),
        leader: r.get::<i64, _>("leader") != 0,
        stage: r.get("stage"),
        reason: r.get("reason"),
        recused_at: r.get("recused_at"),
        substitute_id: opt_i64(r, "substitute_id"),
        substitute_name: r.get("substitute_name"),
        substituted_at: opt_i64(r, "substituted_at"),
        substitute_note: r.get("substitute_note"),
    }
}

/// The team and leadership of an expert for one application, as of the transaction: a member
/// of the assigned live team or its substitute there, unless they recused from it.
pub(crate) async fn application_seat(
    conn: &mut sqlx::AnyConnection,
    application_id: i64,
    expert_id: i64,
) -> Result<Option<(i64, bool)>> {
    Ok(sqlx::query("SELECT x.team_id, x.leader FROM (SELECT t.id AS team_id, m.leader FROM review_assignments ra JOIN review_teams t ON t.id = ra.team_id JOIN review_team_members m ON m.team_id = t.id WHERE ra.application_id = $1 AND m.expert_id = $2 AND t.dissolved_at IS NULL UNION ALL SELECT t.id AS team_id, r.leader FROM review_recusals r JOIN review_assignments ra ON ra.application_id = r.application_id AND ra.team_id = r.team_id JOIN review_teams t ON t.id = r.team_id WHERE r.application_id = $1 AND r.substitute_id = $2 AND t.dissolved_at IS NULL) x WHERE NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = $1 AND q.expert_id = $2)")
        .bind(application_id)
        .bind(expert_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.get::<i64, _>("team_id"), r.get::<i64, _>("leader") != 0)))
}

impl Store {
    /// Turn a team's members into one application's members: those who recused from it
    /// leave, the substitutes named for it join (leading when the one they replace led).
    pub(crate) async fn apply_recusals(
        &self,
        application_id: i64,
        team: &mut Team,
        today: jiff::civil::Date,
    ) -> Result<()> {
        let rows = sqlx::query("SELECT expert_id, substitute_id, leader FROM review_recusals WHERE application_id = $1 AND team_id = $2 ORDER BY id")
            .bind(application_id)
            .bind(team.id)
            .fetch_all(self.pool())
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let recused: HashSet<i64> = rows.iter().map(|r| r.get::<i64, _>("expert_id")).collect();
        for r in &rows {
            if let Some(sub) = opt_i64(r, "substitute_id")
                && !recused.contains(&sub)
                && !team.members.iter().any(|m| m.expert_id == sub)
            {
                let e = self.expert(sub).await?;
                team.members
                    .push(member_of(&e, r.get::<i64, _>("leader") != 0, today));
            }
        }
        team.members.retain(|m| !recused.contains(&m.expert_id));
        team.members.sort_by_key(|m| !m.leader);
        Ok(())
    }

    /// The applications an expert reviews on a team: the team's, less those they recused
    /// from, plus those they joined as a substitute.
    pub async fn member_applications(
        &self,
        team_id: i64,
        expert_id: i64,
    ) -> Result<Vec<crate::application::Application>> {
        let ids: Vec<i64> = sqlx::query("SELECT ra.application_id FROM review_assignments ra WHERE ra.team_id = $1 AND (EXISTS (SELECT 1 FROM review_team_members m WHERE m.team_id = $1 AND m.expert_id = $2) OR EXISTS (SELECT 1 FROM review_recusals r WHERE r.application_id = ra.application_id AND r.team_id = $1 AND r.substitute_id = $2)) AND NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = ra.application_id AND q.expert_id = $2) ORDER BY ra.application_id")
            .bind(team_id)
            .bind(expert_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.application(id).await?);
        }
        Ok(out)
    }

    /// The recusals of a session, open ones (no substitute yet) first, then newest first.
    pub async fn recusals(&self, session_id: i64) -> Result<Vec<Recusal>> {
        let sql = format!(
            "{RECUSAL_SELECT} WHERE r.session_id = $1 ORDER BY CASE WHEN r.substitute_id IS NULL THEN 0 ELSE 1 END, r.recused_at DESC, r.id DESC"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(recusal_of)
            .collect())
    }

    /// One recusal.
    pub async fn recusal(&self, recusal_id: i64) -> Result<Recusal> {
        let sql = format!("{RECUSAL_SELECT} WHERE r.id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(recusal_id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| recusal_of(&r))
            .ok_or(Error::NotFound)
    }

    /// The substitutes the optimiser's rules allow for a recusal, best first: qualified (able
    /// to lead when the one who left led), no conflict with the application, not on its team,
    /// within the load limit; ranked by industry match, then by load.
    pub async fn substitute_offers(
        &self,
        recusal_id: i64,
        today: jiff::civil::Date,
    ) -> Result<Vec<SubstituteOffer>> {
        let rc = self.recusal(recusal_id).await?;
        let d = self.session_detail(rc.session_id).await?;
        let a = self.application(rc.application_id).await?;
        let lookback = d.rules.review.conflict_lookback_years.value;
        let facts = applicant_facts_of(&a);
        let pool = self.experts(d.session.programme_id).await?;
        let teams = self.teams_on(rc.session_id, today).await?;
        let assigned: Vec<(i64, i64)> = sqlx::query(
            "SELECT application_id, team_id FROM review_assignments WHERE session_id = $1",
        )
        .bind(rc.session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        // Load: the applications each expert reviews in the session, per application.
        let mut load: HashMap<i64, u32> = HashMap::new();
        let mut this_team = Vec::new();
        for (aid, tid) in &assigned {
            let Some(t) = teams
                .iter()
                .find(|t| t.id == *tid && t.dissolved_at.is_none())
            else {
                continue;
            };
            let mut t = t.clone();
            self.apply_recusals(*aid, &mut t, today).await?;
            for m in &t.members {
                *load.entry(m.expert_id).or_insert(0) += 1;
            }
            if *aid == rc.application_id {
                this_team = t.members.clone();
            }
        }
        let mut conflicts = HashSet::new();
        let mut candidates = Vec::new();
        for e in pool.iter().filter(|e| e.removed_at.is_none()) {
            let ef = e.facts();
            if qaward_core::experts::conflict::is_conflicted(&ef, &facts, today, lookback) {
                conflicts.insert((rc.application_id, e.id));
            }
            let qualified = if rc.leader {
                qaward_core::experts::can_lead(&ef, today).is_ok()
            } else {
                e.qualification(today).is_ok()
            };
            candidates.push(qaward_core::assignment::Candidate {
                expert_id: e.id,
                industries: e.industries.clone(),
                qualified,
                load: load.get(&e.id).copied().unwrap_or(0),
            });
        }
        let problem = Problem {
            applications: vec![AppNode {
                application_id: rc.application_id,
                industry: a
                    .values
                    .get("identity.industry")
                    .and_then(|t| qaward_core::industry::section_of(t)),
            }],
            teams: vec![TeamNode {
                team_id: rc.team_id,
                members: this_team
                    .iter()
                    .map(|m| Member {
                        expert_id: m.expert_id,
                        industries: m.industries.clone(),
                        qualified: m.unqualified.is_none(),
                    })
                    .collect(),
            }],
            conflicts,
            load_max: d.rules.review.team_load_max.value,
            match_weight: i64::from(d.rules.review.assign_match_weight.value),
            seed: 0,
        };
        let ranked = qaward_core::assignment::replacements(
            &problem,
            rc.application_id,
            rc.team_id,
            rc.expert_id,
            &candidates,
        );
        Ok(ranked
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let e = pool.iter().find(|e| e.id == r.expert_id)?;
                Some(SubstituteOffer {
                    rank: i + 1,
                    expert_id: e.id,
                    name: e.name.clone(),
                    level: e.level.zh().to_owned(),
                    industries: e.industries.clone(),
                    employer: e
                        .employer()
                        .map(|j| j.employer_name.clone())
                        .unwrap_or_default(),
                    industry_match: r.industry_match,
                    load_after: r.load_after,
                    reason_zh: r.reason_zh,
                    reason_en: r.reason_en,
                })
            })
            .collect())
    }

    /// Name the substitute for a recusal (Art. 25): one of the offered candidates joins the
    /// application's team for that application; audited with the rank and the reason, and
    /// the substitute is told.
    pub async fn choose_substitute(
        &self,
        who: &Who,
        recusal_id: i64,
        expert_id: i64,
        note: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let rc = self.recusal(recusal_id).await?;
        let d = self
            .session_stage_check(
                who,
                rc.session_id,
                SUBSTITUTE_STAGES,
                25,
                "指定替补评审员",
                now,
            )
            .await?;
        let pid = d.session.programme_id;
        let entry = || {
            NewEntry::award(
                who,
                "review.recusal.refused",
                "application",
                rc.application_id,
            )
            .programme(pid)
        };
        if rc.substitute_id.is_some() {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "substitute_named",
                        25,
                        format!(
                            "已为{}指定替补评审员{}，不能重复指定。",
                            rc.expert_name, rc.substitute_name
                        ),
                        "A substitute has already been named for this recusal.",
                    ),
                    now,
                )
                .await);
        }
        if expert_id == 0 {
            return Err(Error::invalid(
                "substitute",
                "“替补评审员”：请从推荐名单中选择一位评审员。",
                "Substitute: choose a reviewer from the list.",
            ));
        }
        let today = crate::today(now.as_microsecond());
        let offers = self.substitute_offers(recusal_id, today).await?;
        let Some(offer) = offers.iter().find(|o| o.expert_id == expert_id) else {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "substitute_not_offered",
                        25,
                        "所选评审员不在推荐名单中：替补须具备评审资格、与该申报单位无利益冲突、不在该评审组且未超过承担上限。",
                        "The chosen reviewer is not among the candidates: a substitute must be qualified, free of conflict, not on the team and within the load limit.",
                    ),
                    now,
                )
                .await);
        };
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(Error::invalid(
                "note",
                "“说明”：不超过500字。",
                "Note: at most 500 characters.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let n = sqlx::query("UPDATE review_recusals SET substitute_id = $1, substituted_at = $2, substituted_by = $3, substitute_note = $4 WHERE id = $5 AND substitute_id IS NULL")
            .bind(expert_id)
            .bind(at)
            .bind(who.user_id)
            .bind(note)
            .bind(recusal_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n != 1 {
            return Err(Error::invalid(
                "substitute",
                "已有人为该回避指定了替补，请刷新页面。",
                "A substitute was named meanwhile; reload the page.",
            ));
        }
        tx.audit(
            NewEntry::award(
                who,
                "review.recusal.substitute",
                "application",
                rc.application_id,
            )
            .programme(pid)
            .article(Some(25), DOC.0)
            .summary(format!(
                "{}回避{}后，指定{}（推荐第{}位：{}）替补加入{}{}",
                rc.expert_name,
                rc.org_name,
                offer.name,
                offer.rank,
                offer.reason_zh,
                rc.team_name,
                if note.is_empty() {
                    String::new()
                } else {
                    format!("。说明：{note}")
                }
            ))
            .detail(serde_json::json!({
                "recusal": recusal_id,
                "recused": rc.expert_id,
                "substitute": expert_id,
                "rank": offer.rank,
                "offered": offers.iter().map(|o| o.expert_id).collect::<Vec<_>>(),
                "team": rc.team_id,
                "leader": rc.leader,
                "note": note,
            }))
            .state("substituted"),
        )
        .await?;
        let e = self.expert(expert_id).await?;
        if let Some(uid) = e.user_id {
            Store::notify_users(
                &mut tx,
                &[uid],
                &format!("替补评审任务：{}", rc.org_name),
                &format!(
                    "因原组员回避（《管理办法》第二十五条），市强市办指定您替补加入{}评审{}{}。请先签署本届公正性和保密承诺书，再查看材料并独立评分。",
                    rc.team_name,
                    rc.org_name,
                    if rc.leader { "，并担任该申报的组长" } else { "" }
                ),
                Some("/review"),
            )
            .await?;
        }
        tx.commit().await
    }
}
