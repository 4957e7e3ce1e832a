//! Sessions (届): creation under the cycle rule, stage windows, and moves through the stages,
//! each decided by the core and recorded with its audit entry in one transaction.

use crate::scoring::refusal;
use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use qaward_core::refusal::Refusal;
use qaward_core::rules::RuleSet;
use qaward_core::session::{SessionFacts, Stage, Window, decide_move, decide_new_session};
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A session as listed.
#[derive(Debug, Clone)]
pub struct AwardSession {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Programme name.
    pub programme_name: String,
    /// Rule-set version it runs under.
    pub rule_set_id: i64,
    /// Year.
    pub year: i32,
    /// 第N届.
    pub ordinal: i64,
    /// Title.
    pub title: String,
    /// Current stage.
    pub stage: Stage,
}

/// A session with its windows, history and rules.
#[derive(Debug, Clone)]
pub struct SessionDetail {
    /// The session.
    pub session: AwardSession,
    /// Planned windows.
    pub windows: BTreeMap<Stage, Window>,
    /// Moves made, oldest first.
    pub history: Vec<StageEntry>,
    /// The rules it runs under.
    pub rules: Arc<RuleSet>,
}

impl SessionDetail {
    /// The facts the core decides on.
    pub fn facts(&self) -> SessionFacts {
        let mut entered = BTreeMap::new();
        for h in &self.history {
            entered.insert(h.to, h.entered_on);
        }
        SessionFacts {
            stage: self.session.stage,
            windows: self.windows.clone(),
            entered,
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

    /// The day the current stage was entered.
    pub fn entered(&self, s: Stage) -> Option<Date> {
        self.history
            .iter()
            .rev()
            .find(|h| h.to == s)
            .map(|h| h.entered_on)
    }
}

/// One move in a session's history.
#[derive(Debug, Clone)]
pub struct StageEntry {
    /// From.
    pub from: Option<Stage>,
    /// To.
    pub to: Stage,
    /// Day entered (Shanghai).
    pub entered_on: Date,
    /// When (µs).
    pub at: i64,
    /// By whom.
    pub by: Option<String>,
    /// Its audit entry.
    pub audit_seq: i64,
}

/// What the office sets for a new session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Programme.
    pub programme_id: i64,
    /// Rule-set version.
    pub rule_set_id: i64,
    /// Year.
    pub year: i32,
}

const SESSION_COLS: &str = "s.id, s.programme_id, p.name AS programme_name, s.rule_set_id, s.year, s.ordinal, s.title, s.stage";

fn session_from(r: &sqlx::any::AnyRow) -> AwardSession {
    AwardSession {
        id: r.get("id"),
        programme_id: r.get("programme_id"),
        programme_name: r.get("programme_name"),
        rule_set_id: r.get("rule_set_id"),
        year: i32::try_from(r.get::<i64, _>("year")).unwrap_or(0),
        ordinal: r.get("ordinal"),
        title: r.get("title"),
        stage: Stage::parse(&r.get::<String, _>("stage")).unwrap_or(Stage::Planning),
    }
}

impl Store {
    /// Every session of every programme, newest first.
    pub async fn all_sessions(&self) -> Result<Vec<AwardSession>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLS} FROM award_sessions s JOIN programmes p ON p.id = s.programme_id ORDER BY s.year DESC, s.id DESC"
        )))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(session_from)
        .collect())
    }

    /// A programme's sessions, newest first.
    pub async fn sessions(&self, programme_id: i64) -> Result<Vec<AwardSession>> {
        Ok(self
            .all_sessions()
            .await?
            .into_iter()
            .filter(|s| s.programme_id == programme_id)
            .collect())
    }

    /// One session with everything about it.
    pub async fn session_detail(&self, id: i64) -> Result<SessionDetail> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLS} FROM award_sessions s JOIN programmes p ON p.id = s.programme_id WHERE s.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        let session = session_from(&r);
        let mut windows = BTreeMap::new();
        for w in
            sqlx::query("SELECT stage, starts_on, ends_on FROM stage_windows WHERE session_id = $1")
                .bind(id)
                .fetch_all(self.pool())
                .await?
        {
            if let Some(s) = Stage::parse(&w.get::<String, _>("stage")) {
                windows.insert(
                    s,
                    Window {
                        starts_on: parse_date(opt_str(&w, "starts_on")),
                        ends_on: parse_date(opt_str(&w, "ends_on")),
                    },
                );
            }
        }
        let history = sqlx::query(
            "SELECT h.from_stage, h.to_stage, h.entered_on, h.at, h.audit_seq, u.display_name FROM stage_history h LEFT JOIN users u ON u.id = h.by_user WHERE h.session_id = $1 ORDER BY h.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .filter_map(|h| {
            Some(StageEntry {
                from: opt_str(h, "from_stage").and_then(|s| Stage::parse(&s)),
                to: Stage::parse(&h.get::<String, _>("to_stage"))?,
                entered_on: parse_date(Some(h.get("entered_on")))?,
                at: h.get("at"),
                by: opt_str(h, "display_name"),
                audit_seq: h.get("audit_seq"),
            })
        })
        .collect();
        let rules = self.rule_set(session.rule_set_id).await?.rules;
        Ok(SessionDetail {
            session,
            windows,
            history,
            rules,
        })
    }

    /// Open a session (Art. 3: one per cycle). It starts in planning.
    pub async fn create_session(
        &self,
        who: &Who,
        n: &NewSession,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let rs = self.rule_set(n.rule_set_id).await.map_err(|_| {
            Error::invalid(
                "rule_set_id",
                "请选择适用的管理办法版本。",
                "Choose the rule set.",
            )
        })?;
        if rs.programme_id != n.programme_id {
            return Err(Error::invalid(
                "rule_set_id",
                "该管理办法不属于本项目。",
                "That rule set belongs to another programme.",
            ));
        }
        let programme = self.programme(n.programme_id).await?;
        let mut tx = self.write(now).await?;
        let years: Vec<i32> =
            sqlx::query("SELECT year FROM award_sessions WHERE programme_id = $1")
                .bind(n.programme_id)
                .fetch_all(tx.conn())
                .await?
                .iter()
                .map(|r| i32::try_from(r.get::<i64, _>(0)).unwrap_or(0))
                .collect();
        if let Err(refusal) = decide_new_session(&rs.rules, n.year, &years) {
            return Err(refused(
                tx,
                who,
                "session.create",
                "programme",
                n.programme_id,
                n.programme_id,
                refusal,
            )
            .await);
        }
        let ordinal = i64::try_from(years.iter().filter(|y| **y < n.year).count()).unwrap_or(0) + 1;
        let title = format!(
            "{}年度{}（第{}届）",
            n.year,
            programme.name,
            qaward_core::citation::chinese_numeral(u32::try_from(ordinal).unwrap_or(1))
        );
        let at = tx.now();
        let id: i64 = sqlx::query(
            "INSERT INTO award_sessions (programme_id, rule_set_id, year, ordinal, title, stage, created_at) VALUES ($1, $2, $3, $4, $5, 'planning', $6) RETURNING id",
        )
        .bind(n.programme_id)
        .bind(n.rule_set_id)
        .bind(i64::from(n.year))
        .bind(ordinal)
        .bind(&title)
        .bind(at)
        .fetch_one(tx.conn())
        .await?
        .get(0);
        let seq = tx
            .audit(
                NewEntry::award(who, "session.create", "session", id)
                    .programme(n.programme_id)
                    .article(rs.rules.session.cycle_years.article, &rs.rules.meta.name)
                    .summary(format!("设立{title}，适用《{}》", rs.rules.meta.name))
                    .detail(serde_json::json!({"year": n.year, "rule_set": n.rule_set_id}))
                    .state(Stage::Planning.code()),
            )
            .await?;
        sqlx::query("INSERT INTO stage_history (session_id, from_stage, to_stage, entered_on, at, by_user, audit_seq) VALUES ($1, NULL, 'planning', $2, $3, $4, $5)")
            .bind(id)
            .bind(now.to_zoned_datetime(qaward_core::clock::shanghai()).date().to_string())
            .bind(at)
            .bind(who.user_id)
            .bind(seq)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Set the planned windows of a session's stages.
    pub async fn set_windows(
        &self,
        who: &Who,
        session_id: i64,
        windows: &BTreeMap<Stage, Window>,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self.session_detail(session_id).await?;
        for (s, w) in windows {
            if let (Some(a), Some(b)) = (w.starts_on, w.ends_on)
                && a > b
            {
                return Err(Error::invalid(
                    stage_field(*s),
                    format!("“{}”的开始日期晚于结束日期。", s.name_zh()),
                    format!("“{}” starts after it ends.", s.name_en()),
                ));
            }
        }
        // Windows follow the order of the stages.
        let mut last: Option<(Stage, Date)> = None;
        for s in Stage::ALL {
            let Some(w) = windows.get(&s) else { continue };
            for day in [w.starts_on, w.ends_on].into_iter().flatten() {
                if let Some((ps, pd)) = last
                    && day < pd
                {
                    return Err(Error::invalid(
                        stage_field(s),
                        format!("“{}”的日期早于前一阶段“{}”。", s.name_zh(), ps.name_zh()),
                        format!("“{}” is dated before “{}”.", s.name_en(), ps.name_en()),
                    ));
                }
                last = Some((s, day));
            }
        }
        let mut tx = self.write(now).await?;
        let mut changes = Vec::new();
        for (s, w) in windows {
            let old = d.windows.get(s).copied().unwrap_or_default();
            if old == *w {
                continue;
            }
            changes.push(serde_json::json!({"stage": s.code(), "from": [old.starts_on.map(|d| d.to_string()), old.ends_on.map(|d| d.to_string())], "to": [w.starts_on.map(|d| d.to_string()), w.ends_on.map(|d| d.to_string())]}));
            sqlx::query(
                "INSERT INTO stage_windows (session_id, stage, starts_on, ends_on) VALUES ($1, $2, $3, $4) ON CONFLICT (session_id, stage) DO UPDATE SET starts_on = $3, ends_on = $4",
            )
            .bind(session_id)
            .bind(s.code())
            .bind(w.starts_on.map(|d| d.to_string()))
            .bind(w.ends_on.map(|d| d.to_string()))
            .execute(tx.conn())
            .await?;
        }
        if changes.is_empty() {
            return Ok(());
        }
        tx.audit(
            NewEntry::award(who, "session.windows", "session", session_id)
                .programme(d.session.programme_id)
                .summary(format!(
                    "调整{}的阶段时间安排（{}项）",
                    d.session.title,
                    changes.len()
                ))
                .detail(serde_json::json!({"changes": changes})),
        )
        .await?;
        tx.commit().await
    }

    /// Move a session to `target`, if the core allows it today. A refusal is recorded in the
    /// audit log too, with its article, and returned as [`Error::Refused`].
    pub async fn advance_session(
        &self,
        who: &Who,
        session_id: i64,
        target: Stage,
        now: jiff::Timestamp,
    ) -> Result<Stage> {
        let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
        let mut tx = self.write(now).await?;
        // Facts are read inside the writing transaction, so nobody moves the session meanwhile.
        let d = self.session_detail(session_id).await?;
        let cur = sqlx::query("SELECT stage FROM award_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(tx.conn())
            .await?;
        let mut facts = self.session_facts(&d).await?;
        facts.stage = Stage::parse(&cur.get::<String, _>(0)).unwrap_or(d.session.stage);
        facts.approval_recorded = crate::award::approval_recorded(&mut tx, session_id).await?;
        let mv = match decide_move(&d.rules, &facts, target, today) {
            Ok(m) => m,
            Err(r) => {
                return Err(refused(
                    tx,
                    who,
                    "session.advance",
                    "session",
                    session_id,
                    d.session.programme_id,
                    r,
                )
                .await);
            }
        };
        sqlx::query("UPDATE award_sessions SET stage = $1 WHERE id = $2")
            .bind(mv.to.code())
            .bind(session_id)
            .execute(tx.conn())
            .await?;
        let seq = tx
            .audit(
                NewEntry::award(who, "session.advance", "session", session_id)
                    .programme(d.session.programme_id)
                    .article(mv.article, &d.rules.meta.name)
                    .summary(format!("{}由“{}”进入“{}”", d.session.title, mv.from.name_zh(), mv.to.name_zh()))
                    .detail(serde_json::json!({"from": mv.from.code(), "to": mv.to.code(), "on": today.to_string()}))
                    .state(mv.to.code()),
            )
            .await?;
        sqlx::query("INSERT INTO stage_history (session_id, from_stage, to_stage, entered_on, at, by_user, audit_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(session_id)
            .bind(mv.from.code())
            .bind(mv.to.code())
            .bind(today.to_string())
            .bind(tx.now())
            .bind(who.user_id)
            .bind(seq)
            .execute(tx.conn())
            .await?;
        if mv.to == Stage::GovernmentApproval {
            // The notice ends with the move, if the office has not ended it already (Art. 18).
            sqlx::query("UPDATE public_notices SET closed_at = $1, closed_by = $2 WHERE session_id = $3 AND closed_at IS NULL")
                .bind(tx.now())
                .bind(who.user_id)
                .bind(session_id)
                .execute(tx.conn())
                .await?;
        }
        if mv.to == Stage::Closed {
            // The year's review teams dissolve with the session, and their access with them
            // (Art. 8).
            sqlx::query("UPDATE review_teams SET dissolved_at = $1 WHERE session_id = $2 AND dissolved_at IS NULL")
                .bind(tx.now())
                .bind(session_id)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(mv.to)
    }

    /// The facts [`qaward_core::session::decide_move`] decides on: the on-site review and
    /// comprehensive evaluation, the proposal, decision, notice and open objections loaded.
    pub async fn session_facts(&self, d: &SessionDetail) -> Result<SessionFacts> {
        let mut facts = self.onsite_facts(d).await?;
        self.review_gate_facts(d, &mut facts).await?;
        facts.decision = self.decision_facts(d.session.id).await?;
        facts.open_objections = self.open_objections(d.session.id).await?;
        Ok(facts)
    }

    /// What the gates out of eligibility review, material review and on-site selection
    /// decide on (Art. 14, 15), read only in those stages.
    async fn review_gate_facts(&self, d: &SessionDetail, f: &mut SessionFacts) -> Result<()> {
        let sid = d.session.id;
        let names = |rows: Vec<sqlx::any::AnyRow>| -> Vec<String> {
            rows.iter().map(|r| r.get::<String, _>("name")).collect()
        };
        match d.session.stage {
            Stage::EligibilityReview => {
                let rows = sqlx::query("SELECT o.name FROM applications a JOIN organisations o ON o.id = a.organisation_id JOIN county_reviews cr ON cr.application_id = a.id WHERE a.session_id = $1 AND a.status = $2 AND cr.forwarded_at IS NOT NULL ORDER BY a.id")
                    .bind(sid)
                    .bind(crate::application::Status::Recommended.code())
                    .fetch_all(self.pool())
                    .await?;
                f.forwarded_undecided = names(rows);
            }
            Stage::MaterialReview | Stage::OnsiteSelection => {
                let rows = sqlx::query("SELECT o.name, cb.submitted_at FROM applications a JOIN organisations o ON o.id = a.organisation_id LEFT JOIN consensus_books cb ON cb.application_id = a.id AND cb.phase = $2 WHERE a.session_id = $1 AND a.status = $3 ORDER BY a.id")
                    .bind(sid)
                    .bind(crate::scoring::Phase::Material.code())
                    .bind(crate::application::Status::Eligible.code())
                    .fetch_all(self.pool())
                    .await?;
                f.eligible = u32::try_from(rows.len()).unwrap_or(u32::MAX);
                f.material_without_consensus = names(
                    rows.into_iter()
                        .filter(|r| opt_i64(r, "submitted_at").is_none())
                        .collect(),
                );
                f.onsite_list_decided = self.onsite_list(sid).await?.is_some();
            }
            _ => {}
        }
        Ok(())
    }

    /// The session's rule-set row id and whether it is a demo copy.
    pub async fn session_rule_set_id(&self, session_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query("SELECT rule_set_id FROM award_sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(self.pool())
                .await?
                .and_then(|r| opt_i64(&r, "rule_set_id")),
        )
    }
}

/// The form field that holds a stage's window.
pub fn stage_field(s: Stage) -> &'static str {
    s.code()
}

/// Record a refusal (its own small transaction after the failed one is dropped) and turn it
/// into the error to return.
async fn refused(
    tx: crate::Tx,
    who: &Who,
    action: &str,
    subject_type: &'static str,
    subject_id: i64,
    programme_id: i64,
    r: Refusal,
) -> Error {
    let mut tx = tx;
    let logged = tx
        .audit(
            NewEntry::award(who, &format!("{action}.refused"), subject_type, subject_id)
                .programme(programme_id)
                .refused(&r),
        )
        .await;
    match logged {
        Ok(_) => match tx.commit().await {
            Ok(()) => Error::Refused(r),
            Err(e) => e,
        },
        Err(e) => e,
    }
}

impl Store {
    pub(crate) async fn session_stage_check(
        &self,
        who: &Who,
        session_id: i64,
        allowed: &[Stage],
        article: u32,
        what: &str,
        now: jiff::Timestamp,
    ) -> Result<crate::session::SessionDetail> {
        let d = self.session_detail(session_id).await?;
        if !allowed.contains(&d.session.stage) {
            let names: Vec<&str> = allowed.iter().map(|s| s.name_zh()).collect();
            return Err(self
                .refused(
                    NewEntry::award(who, "review.refused", "session", session_id)
                        .programme(d.session.programme_id),
                    refusal(
                        "review_stage",
                        article,
                        format!(
                            "{what}只能在“{}”阶段进行，本届目前处于“{}”阶段。",
                            names.join("”或“"),
                            d.session.stage.name_zh()
                        ),
                        format!(
                            "This can only be done in the {} stage; the session is in {}.",
                            allowed
                                .iter()
                                .map(|s| s.name_en())
                                .collect::<Vec<_>>()
                                .join(" or "),
                            d.session.stage.name_en()
                        ),
                    ),
                    now,
                )
                .await);
        }
        Ok(d)
    }
}
