//! Each person's open work, read for their home page: what is waiting on them, how many, by
//! when, and which records it is about. Only reads; each list is read for one scope (a
//! programme, a county, a department, an organisation, a reviewer) with a few queries.

use crate::{Result, Store, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use sqlx::Row;

/// What a task asks for. The page gives it its words and its link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaskKind {
    // The city office.
    /// Applications the counties forwarded that wait for the eligibility decision (Art. 14).
    EligibilityToDecide,
    /// Opinion requests whose due date passed without every answer (Art. 14).
    OpinionsOverdue,
    /// Opinion requests still waiting for answers, not yet due.
    OpinionsPending,
    /// Eligible applications not yet assigned to a team (Art. 8).
    ApplicationsUnassigned,
    /// Applications of the material review without a submitted consensus (Art. 15).
    MaterialConsensusOpen,
    /// Reviewers who recused and wait for a substitute (Art. 25).
    RecusalsOpen,
    /// On-site applicants without a submitted comprehensive evaluation (Art. 16, 17).
    EvaluationsOpen,
    /// Objections not yet closed (Art. 28).
    ObjectionsOpen,
    /// Annual reports past their due date and not filed (Art. 30).
    ReportsOverdue,
    // A county office.
    /// Applications submitted in the county that wait for its verification (Art. 13).
    CountyToDecide,
    /// Applications it recommended but has not yet forwarded to the city.
    CountyToForward,
    // A department.
    /// Requests waiting for its answer.
    DepartmentToAnswer,
    // An applicant.
    /// An open call and no application yet.
    StartApplication,
    /// A draft to finish and submit.
    DraftToSubmit,
    /// Returned for correction by the county office.
    ReturnedToCorrect,
    /// An on-site plan received.
    OnsitePlanReceived,
    /// Annual reports due or overdue.
    ReportsDue,
    // A reviewer.
    /// The session's impartiality and confidentiality declaration, unsigned.
    DeclarationToSign,
    /// Own material scores not yet submitted.
    MaterialScoresToSubmit,
    /// As leader: every member has submitted, the consensus has not been formed.
    MaterialConsensusToForm,
    /// As leader: the on-site plan not yet sent to the applicant.
    OnsitePlanToSend,
    /// As leader: the visit record not yet submitted.
    VisitToRecord,
    /// Own on-site scores not yet submitted.
    OnsiteScoresToSubmit,
    /// As leader: the on-site consensus to form.
    OnsiteConsensusToForm,
    /// As leader: the comprehensive evaluation to write.
    EvaluationToWrite,
    // Discipline.
    /// Complaints not yet closed (Art. 23, 24).
    ComplaintsOpen,
}

/// One record a task is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its id (application, request, recusal, objection, complaint, session…).
    pub id: i64,
    /// Its name as a person knows it.
    pub name: String,
    /// Its own due date, when it has one.
    pub due: Option<Date>,
}

/// A task: what, in which session, by when, about which records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// What.
    pub kind: TaskKind,
    /// The session (or 0 when the task is not about one).
    pub session_id: i64,
    /// Its title.
    pub session_title: String,
    /// The deadline of the stage the task belongs to (or the earliest of the items').
    pub due: Option<Date>,
    /// The records.
    pub items: Vec<Item>,
}

impl Task {
    /// How many.
    pub fn count(&self) -> usize {
        self.items.len()
    }
    /// Past its deadline on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.due.is_some_and(|d| d < today)
    }
}

/// A session as the home page shows it, with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCounts {
    /// The session.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its stage's code.
    pub stage: String,
    /// The end of the current stage's window, when set.
    pub stage_ends: Option<Date>,
    /// Applications by status code.
    pub by_status: Vec<(String, i64)>,
}

fn push(
    out: &mut Vec<Task>,
    kind: TaskKind,
    sid: i64,
    title: &str,
    due: Option<Date>,
    items: Vec<Item>,
) {
    if items.is_empty() {
        return;
    }
    let due = due.or_else(|| items.iter().filter_map(|i| i.due).min());
    out.push(Task {
        kind,
        session_id: sid,
        session_title: title.to_owned(),
        due,
        items,
    });
}

fn items(rows: &[sqlx::any::AnyRow]) -> Vec<Item> {
    rows.iter()
        .map(|r| Item {
            id: r.get("id"),
            name: r.get("name"),
            due: parse_date(opt_str(r, "due")),
        })
        .collect()
}

impl Store {
    async fn window_end(&self, sid: i64, stage: &str) -> Result<Option<Date>> {
        Ok(parse_date(
            sqlx::query("SELECT ends_on FROM stage_windows WHERE session_id = $1 AND stage = $2")
                .bind(sid)
                .bind(stage)
                .fetch_optional(self.pool())
                .await?
                .and_then(|r| opt_str(&r, "ends_on")),
        ))
    }

    async fn rows(&self, sql: &'static str, a: i64, b: Option<i64>) -> Result<Vec<Item>> {
        let q = sqlx::query(sql).bind(a);
        let q = match b {
            Some(b) => q.bind(b),
            None => q,
        };
        Ok(items(&q.fetch_all(self.pool()).await?))
    }

    /// The sessions of a programme that are not closed, newest first, each with its stage,
    /// the end of that stage's window and its applications counted by status.
    pub async fn open_sessions_with_counts(&self, programme_id: i64) -> Result<Vec<SessionCounts>> {
        let rows = sqlx::query("SELECT s.id, s.title, s.stage, w.ends_on FROM award_sessions s LEFT JOIN stage_windows w ON w.session_id = s.id AND w.stage = s.stage WHERE s.programme_id = $1 AND s.stage <> 'closed' ORDER BY s.year DESC, s.id DESC")
            .bind(programme_id)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.get("id");
            let by_status = sqlx::query("SELECT CASE WHEN a.status = 'recommended' AND cr.forwarded_at IS NOT NULL THEN 'forwarded' ELSE a.status END AS status, COUNT(*) AS n FROM applications a LEFT JOIN county_reviews cr ON cr.application_id = a.id WHERE a.session_id = $1 GROUP BY 1 ORDER BY 1")
                .bind(id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| (r.get::<String, _>("status"), r.get::<i64, _>("n")))
                .collect();
            out.push(SessionCounts {
                id,
                title: r.get("title"),
                stage: r.get("stage"),
                stage_ends: parse_date(opt_str(&r, "ends_on")),
                by_status,
            });
        }
        Ok(out)
    }

    /// The city office's open work in a programme on `today`.
    pub async fn office_tasks(&self, programme_id: i64, today: Date) -> Result<Vec<Task>> {
        let mut out = Vec::new();
        let day = today.to_string();
        for s in self.open_sessions_with_counts(programme_id).await? {
            let (sid, t) = (s.id, s.title.as_str());
            let elig = self.rows("SELECT a.id, g.name, NULL AS due FROM applications a JOIN organisations g ON g.id = a.organisation_id JOIN county_reviews cr ON cr.application_id = a.id LEFT JOIN eligibility_reviews er ON er.application_id = a.id WHERE a.session_id = $1 AND a.status = 'recommended' AND cr.forwarded_at IS NOT NULL AND er.result IS NULL ORDER BY g.name", sid, None).await?;
            let due = self.window_end(sid, "eligibility_review").await?;
            push(&mut out, TaskKind::EligibilityToDecide, sid, t, due, elig);
            let opinions = sqlx::query("SELECT r.id, d.name AS dept, r.subject, r.due_on AS due FROM opinion_requests r JOIN departments d ON d.id = r.department_id WHERE r.session_id = $1 AND EXISTS (SELECT 1 FROM opinion_items i WHERE i.request_id = r.id AND i.answered_at IS NULL) ORDER BY r.due_on, r.id")
                .bind(sid)
                .fetch_all(self.pool())
                .await?;
            let (late, waiting): (Vec<Item>, Vec<Item>) = opinions
                .iter()
                .map(|r| Item {
                    id: r.get("id"),
                    name: format!(
                        "{}：{}",
                        r.get::<String, _>("dept"),
                        r.get::<String, _>("subject")
                    ),
                    due: parse_date(opt_str(r, "due")),
                })
                .partition(|i| i.due.is_some_and(|d| d.to_string() < day));
            push(&mut out, TaskKind::OpinionsOverdue, sid, t, None, late);
            push(&mut out, TaskKind::OpinionsPending, sid, t, None, waiting);
            if matches!(s.stage.as_str(), "eligibility_review" | "material_review") {
                let un = self.rows("SELECT a.id, g.name, NULL AS due FROM applications a JOIN organisations g ON g.id = a.organisation_id WHERE a.session_id = $1 AND a.status = 'eligible' AND NOT EXISTS (SELECT 1 FROM review_assignments ra WHERE ra.application_id = a.id) ORDER BY g.name", sid, None).await?;
                let due = self.window_end(sid, "material_review").await?;
                push(&mut out, TaskKind::ApplicationsUnassigned, sid, t, due, un);
            }
            if s.stage == "material_review" {
                let open = self.rows("SELECT a.id, g.name, NULL AS due FROM review_assignments ra JOIN applications a ON a.id = ra.application_id JOIN organisations g ON g.id = a.organisation_id WHERE ra.session_id = $1 AND NOT EXISTS (SELECT 1 FROM consensus_books c WHERE c.application_id = a.id AND c.phase = 'material' AND c.submitted_at IS NOT NULL) ORDER BY g.name", sid, None).await?;
                let due = self.window_end(sid, "material_review").await?;
                push(&mut out, TaskKind::MaterialConsensusOpen, sid, t, due, open);
            }
            let rec = self.rows("SELECT r.id, g.name, NULL AS due FROM review_recusals r JOIN applications a ON a.id = r.application_id JOIN organisations g ON g.id = a.organisation_id WHERE r.session_id = $1 AND r.substitute_id IS NULL ORDER BY r.recused_at", sid, None).await?;
            push(&mut out, TaskKind::RecusalsOpen, sid, t, None, rec);
            if matches!(
                s.stage.as_str(),
                "onsite_review" | "comprehensive_evaluation"
            ) {
                let ev = self.rows("SELECT a.id, g.name, NULL AS due FROM onsite_list_entries e JOIN applications a ON a.id = e.application_id JOIN organisations g ON g.id = a.organisation_id WHERE e.session_id = $1 AND NOT EXISTS (SELECT 1 FROM evaluations v WHERE v.application_id = a.id AND v.submitted_at IS NOT NULL) ORDER BY e.rank", sid, None).await?;
                let due = self.window_end(sid, "comprehensive_evaluation").await?;
                push(&mut out, TaskKind::EvaluationsOpen, sid, t, due, ev);
            }
            let obj = self.rows("SELECT o.id, g.name, o.due_on AS due FROM objections o JOIN applications a ON a.id = o.application_id JOIN organisations g ON g.id = a.organisation_id WHERE o.session_id = $1 AND o.status <> 'closed' ORDER BY o.due_on, o.id", sid, None).await?;
            push(&mut out, TaskKind::ObjectionsOpen, sid, t, None, obj);
        }
        // Annual reports of every session of the programme, closed ones too.
        let reports = sqlx::query("SELECT w.session_id, s.title, r.id, w.organisation_name AS name, r.due_on AS due FROM annual_reports r JOIN winners w ON w.id = r.winner_id JOIN award_sessions s ON s.id = w.session_id WHERE s.programme_id = $1 AND r.submitted_at IS NULL AND r.due_on < $2 ORDER BY r.due_on")
            .bind(programme_id)
            .bind(&day)
            .fetch_all(self.pool())
            .await?;
        let mut by_session: Vec<(i64, String, Vec<Item>)> = Vec::new();
        for r in &reports {
            let sid: i64 = r.get("session_id");
            let item = Item {
                id: r.get("id"),
                name: r.get("name"),
                due: parse_date(opt_str(r, "due")),
            };
            match by_session.iter_mut().find(|(s, ..)| *s == sid) {
                Some((.., v)) => v.push(item),
                None => by_session.push((sid, r.get("title"), vec![item])),
            }
        }
        for (sid, title, v) in by_session {
            push(&mut out, TaskKind::ReportsOverdue, sid, &title, None, v);
        }
        Ok(out)
    }

    /// A county office's open work.
    pub async fn county_tasks(&self, county_id: i64) -> Result<Vec<Task>> {
        let mut out = Vec::new();
        let sessions = sqlx::query("SELECT DISTINCT s.id, s.title, s.year FROM award_sessions s JOIN applications a ON a.session_id = s.id JOIN organisations g ON g.id = a.organisation_id WHERE g.county_id = $1 AND s.stage <> 'closed' ORDER BY s.year DESC, s.id DESC")
            .bind(county_id)
            .fetch_all(self.pool())
            .await?;
        for s in sessions {
            let sid: i64 = s.get("id");
            let title: String = s.get("title");
            let due = self.window_end(sid, "county_recommendation").await?;
            let decide = self.rows("SELECT a.id, g.name, NULL AS due FROM applications a JOIN organisations g ON g.id = a.organisation_id WHERE a.session_id = $1 AND g.county_id = $2 AND a.status = 'submitted' ORDER BY a.submitted_at", sid, Some(county_id)).await?;
            push(&mut out, TaskKind::CountyToDecide, sid, &title, due, decide);
            let forward = self.rows("SELECT a.id, g.name, NULL AS due FROM applications a JOIN organisations g ON g.id = a.organisation_id JOIN county_reviews cr ON cr.application_id = a.id WHERE a.session_id = $1 AND g.county_id = $2 AND a.status = 'recommended' AND cr.forwarded_at IS NULL ORDER BY g.name", sid, Some(county_id)).await?;
            push(
                &mut out,
                TaskKind::CountyToForward,
                sid,
                &title,
                due,
                forward,
            );
        }
        Ok(out)
    }

    /// A department's requests waiting for its answer, the earliest due first.
    pub async fn department_tasks(&self, department_id: i64) -> Result<Vec<Task>> {
        let mut out = Vec::new();
        let rows = sqlx::query("SELECT r.id, r.subject AS name, r.due_on AS due, s.id AS sid, s.title FROM opinion_requests r JOIN award_sessions s ON s.id = r.session_id WHERE r.department_id = $1 AND EXISTS (SELECT 1 FROM opinion_items i WHERE i.request_id = r.id AND i.answered_at IS NULL) ORDER BY r.due_on, r.id")
            .bind(department_id)
            .fetch_all(self.pool())
            .await?;
        if let Some(first) = rows.first() {
            let sid: i64 = first.get("sid");
            let title: String = first.get("title");
            push(
                &mut out,
                TaskKind::DepartmentToAnswer,
                sid,
                &title,
                None,
                items(&rows),
            );
        }
        Ok(out)
    }

    /// An organisation's open work on `today`: the call it may answer, its draft or returned
    /// application, an on-site plan sent to it, its annual reports due.
    pub async fn applicant_tasks(&self, organisation_id: i64, today: Date) -> Result<Vec<Task>> {
        let mut out = Vec::new();
        let open = sqlx::query("SELECT s.id, s.title FROM award_sessions s JOIN organisations g ON g.programme_id = s.programme_id WHERE g.id = $1 AND s.stage IN ('call_published', 'applications') AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.session_id = s.id AND a.organisation_id = g.id) ORDER BY s.year DESC")
            .bind(organisation_id)
            .fetch_all(self.pool())
            .await?;
        for s in open {
            let sid: i64 = s.get("id");
            let title: String = s.get("title");
            let due = self.window_end(sid, "applications").await?;
            let item = Item {
                id: sid,
                name: title.clone(),
                due,
            };
            push(
                &mut out,
                TaskKind::StartApplication,
                sid,
                &title,
                due,
                vec![item],
            );
        }
        let apps = sqlx::query("SELECT a.id, a.status, s.id AS sid, s.title, s.stage FROM applications a JOIN award_sessions s ON s.id = a.session_id WHERE a.organisation_id = $1 AND s.stage <> 'closed' ORDER BY s.year DESC")
            .bind(organisation_id)
            .fetch_all(self.pool())
            .await?;
        for a in apps {
            let (aid, sid): (i64, i64) = (a.get("id"), a.get("sid"));
            let title: String = a.get("title");
            let status: String = a.get("status");
            let item = |due| Item {
                id: aid,
                name: title.clone(),
                due,
            };
            match status.as_str() {
                "draft" => {
                    let due = self.window_end(sid, "applications").await?;
                    push(
                        &mut out,
                        TaskKind::DraftToSubmit,
                        sid,
                        &title,
                        due,
                        vec![item(due)],
                    );
                }
                "returned" => {
                    let due = self.window_end(sid, "county_recommendation").await?;
                    push(
                        &mut out,
                        TaskKind::ReturnedToCorrect,
                        sid,
                        &title,
                        due,
                        vec![item(due)],
                    );
                }
                _ => {}
            }
            let plan = sqlx::query("SELECT first_day FROM onsite_plans WHERE application_id = $1 AND sent_at IS NOT NULL")
                .bind(aid)
                .fetch_optional(self.pool())
                .await?;
            if let Some(p) = plan {
                let first = parse_date(opt_str(&p, "first_day"));
                if first.is_some_and(|d| d >= today) {
                    push(
                        &mut out,
                        TaskKind::OnsitePlanReceived,
                        sid,
                        &title,
                        first,
                        vec![item(first)],
                    );
                }
            }
        }
        let reports = sqlx::query("SELECT w.application_id AS id, w.session_id, s.title, r.year_index, r.due_on AS due FROM annual_reports r JOIN winners w ON w.id = r.winner_id JOIN award_sessions s ON s.id = w.session_id WHERE w.organisation_id = $1 AND r.submitted_at IS NULL ORDER BY r.due_on")
            .bind(organisation_id)
            .fetch_all(self.pool())
            .await?;
        let remind = 60;
        let mut due_items = Vec::new();
        let mut sid = 0;
        let mut title = String::new();
        for r in &reports {
            let due = parse_date(opt_str(r, "due"));
            // Due within two months, or overdue.
            if due.is_some_and(|d| today.until(d).map(|s| s.get_days()).unwrap_or(0) <= remind) {
                sid = r.get("session_id");
                title = r.get("title");
                due_items.push(Item {
                    id: r.get("id"),
                    name: format!("{}", r.get::<i64, _>("year_index")),
                    due,
                });
            }
        }
        push(&mut out, TaskKind::ReportsDue, sid, &title, None, due_items);
        Ok(out)
    }

    /// A reviewer's open work in the sessions that are not closed.
    pub async fn reviewer_tasks(&self, user_id: i64) -> Result<Vec<Task>> {
        let mut out = Vec::new();
        let teams = sqlx::query("SELECT e.id AS expert_id, t.id AS team_id, s.id AS sid, s.title, s.stage, m.leader FROM experts e JOIN review_team_members m ON m.expert_id = e.id JOIN review_teams t ON t.id = m.team_id JOIN award_sessions s ON s.id = t.session_id WHERE e.user_id = $1 AND e.removed_at IS NULL AND t.dissolved_at IS NULL AND t.published_at IS NOT NULL AND s.stage <> 'closed' ORDER BY s.year DESC, t.id")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        let mut seen_sessions = Vec::new();
        for t in teams {
            let eid: i64 = t.get("expert_id");
            let tid: i64 = t.get("team_id");
            let sid: i64 = t.get("sid");
            let title: String = t.get("title");
            let stage: String = t.get("stage");
            let leader = t.get::<i64, _>("leader") != 0;
            if !seen_sessions.contains(&sid) {
                seen_sessions.push(sid);
                let signed = sqlx::query("SELECT 1 AS x FROM review_declarations WHERE session_id = $1 AND expert_id = $2")
                    .bind(sid)
                    .bind(eid)
                    .fetch_optional(self.pool())
                    .await?
                    .is_some();
                if !signed {
                    let item = Item {
                        id: sid,
                        name: title.clone(),
                        due: None,
                    };
                    push(
                        &mut out,
                        TaskKind::DeclarationToSign,
                        sid,
                        &title,
                        None,
                        vec![item],
                    );
                }
            }
            let apps = sqlx::query("SELECT a.id, g.name, EXISTS (SELECT 1 FROM onsite_list_entries e WHERE e.application_id = a.id) AS onsite FROM review_assignments ra JOIN applications a ON a.id = ra.application_id JOIN organisations g ON g.id = a.organisation_id WHERE ra.team_id = $1 AND (EXISTS (SELECT 1 FROM review_team_members m WHERE m.team_id = $1 AND m.expert_id = $2) OR EXISTS (SELECT 1 FROM review_recusals r WHERE r.application_id = ra.application_id AND r.team_id = $1 AND r.substitute_id = $2)) AND NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = ra.application_id AND q.expert_id = $2) ORDER BY g.name")
                .bind(tid)
                .bind(eid)
                .fetch_all(self.pool())
                .await?;
            let mut lists: std::collections::BTreeMap<TaskKind, Vec<Item>> = Default::default();
            for a in &apps {
                let aid: i64 = a.get("id");
                let onsite = a
                    .try_get::<bool, _>("onsite")
                    .unwrap_or_else(|_| opt_i64(a, "onsite").unwrap_or(0) != 0);
                let item = Item {
                    id: aid,
                    name: a.get("name"),
                    due: None,
                };
                let own = |phase: &'static str| async move {
                    Ok::<bool, crate::Error>(sqlx::query("SELECT 1 AS x FROM scorebooks WHERE application_id = $1 AND expert_id = $2 AND phase = $3 AND submitted_at IS NOT NULL")
                        .bind(aid)
                        .bind(eid)
                        .bind(phase)
                        .fetch_optional(self.pool())
                        .await?
                        .is_some())
                };
                let consensus = |phase: &'static str| async move {
                    Ok::<bool, crate::Error>(sqlx::query("SELECT 1 AS x FROM consensus_books WHERE application_id = $1 AND phase = $2 AND submitted_at IS NOT NULL")
                        .bind(aid)
                        .bind(phase)
                        .fetch_optional(self.pool())
                        .await?
                        .is_some())
                };
                if stage == "material_review" {
                    if !own("material").await? {
                        lists
                            .entry(TaskKind::MaterialScoresToSubmit)
                            .or_default()
                            .push(item.clone());
                    } else if leader && !consensus("material").await? {
                        lists
                            .entry(TaskKind::MaterialConsensusToForm)
                            .or_default()
                            .push(item.clone());
                    }
                }
                if onsite && matches!(stage.as_str(), "onsite_review" | "comprehensive_evaluation")
                {
                    let plan_sent = sqlx::query("SELECT 1 AS x FROM onsite_plans WHERE application_id = $1 AND sent_at IS NOT NULL")
                        .bind(aid)
                        .fetch_optional(self.pool())
                        .await?
                        .is_some();
                    let visited = sqlx::query("SELECT 1 AS x FROM onsite_visits WHERE application_id = $1 AND submitted_at IS NOT NULL")
                        .bind(aid)
                        .fetch_optional(self.pool())
                        .await?
                        .is_some();
                    let evaluated = sqlx::query("SELECT 1 AS x FROM evaluations WHERE application_id = $1 AND submitted_at IS NOT NULL")
                        .bind(aid)
                        .fetch_optional(self.pool())
                        .await?
                        .is_some();
                    if leader && !plan_sent {
                        lists
                            .entry(TaskKind::OnsitePlanToSend)
                            .or_default()
                            .push(item.clone());
                    } else if leader && !visited {
                        lists
                            .entry(TaskKind::VisitToRecord)
                            .or_default()
                            .push(item.clone());
                    }
                    if visited && !own("onsite").await? {
                        lists
                            .entry(TaskKind::OnsiteScoresToSubmit)
                            .or_default()
                            .push(item.clone());
                    } else if leader && visited && !consensus("onsite").await? {
                        lists
                            .entry(TaskKind::OnsiteConsensusToForm)
                            .or_default()
                            .push(item.clone());
                    } else if leader && visited && !evaluated {
                        lists
                            .entry(TaskKind::EvaluationToWrite)
                            .or_default()
                            .push(item.clone());
                    }
                }
            }
            for (kind, v) in lists {
                let due = match kind {
                    TaskKind::MaterialScoresToSubmit | TaskKind::MaterialConsensusToForm => {
                        self.window_end(sid, "material_review").await?
                    }
                    TaskKind::EvaluationToWrite => {
                        self.window_end(sid, "comprehensive_evaluation").await?
                    }
                    _ => self.window_end(sid, "onsite_review").await?,
                };
                push(&mut out, kind, sid, &title, due, v);
            }
        }
        Ok(out)
    }

    /// Complaints of a programme not yet closed, oldest first (Art. 23, 24).
    pub async fn discipline_tasks(&self, programme_id: i64) -> Result<Vec<Task>> {
        let mut out = Vec::new();
        let rows = self.rows("SELECT id, subject_name AS name, NULL AS due FROM complaints WHERE programme_id = $1 AND status <> 'closed' ORDER BY created_at", programme_id, None).await?;
        push(&mut out, TaskKind::ComplaintsOpen, 0, "", None, rows);
        Ok(out)
    }
}

/// How far a session's work has come: each step with what is done and what there is to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Applications submitted (of all started).
    pub submitted: (usize, usize),
    /// Verified by the county (of those submitted).
    pub county: (usize, usize),
    /// Eligibility decided (of those forwarded).
    pub eligibility: (usize, usize),
    /// Material scorebooks submitted (of the members' books expected).
    pub scored: (usize, usize),
    /// Material consensus submitted (of the applications assigned).
    pub consensus: (usize, usize),
    /// On-site visits recorded (of the on-site list).
    pub visited: (usize, usize),
    /// Comprehensive evaluations submitted (of the on-site list).
    pub evaluated: (usize, usize),
    /// Winners decided by the leadership group (of at most the proposed).
    pub decided: (usize, usize),
}

impl Store {
    async fn count(&self, sql: &'static str, sid: i64) -> Result<usize> {
        let n: i64 = sqlx::query(sql)
            .bind(sid)
            .fetch_one(self.pool())
            .await?
            .get(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The progress of session `sid`.
    pub async fn session_progress(&self, sid: i64) -> Result<Progress> {
        let c = |sql| self.count(sql, sid);
        Ok(Progress {
            submitted: (
                c("SELECT COUNT(*) FROM applications WHERE session_id = $1 AND submitted_at IS NOT NULL").await?,
                c("SELECT COUNT(*) FROM applications WHERE session_id = $1 AND status <> 'withdrawn'").await?,
            ),
            county: (
                c("SELECT COUNT(*) FROM applications a JOIN county_reviews r ON r.application_id = a.id WHERE a.session_id = $1 AND r.decision IS NOT NULL AND r.decision <> 'returned'").await?,
                c("SELECT COUNT(*) FROM applications WHERE session_id = $1 AND submitted_at IS NOT NULL AND status <> 'withdrawn'").await?,
            ),
            eligibility: (
                c("SELECT COUNT(*) FROM applications a JOIN eligibility_reviews e ON e.application_id = a.id WHERE a.session_id = $1 AND e.result IS NOT NULL").await?,
                c("SELECT COUNT(*) FROM applications a JOIN county_reviews r ON r.application_id = a.id WHERE a.session_id = $1 AND r.forwarded_at IS NOT NULL").await?,
            ),
            scored: (
                c("SELECT COUNT(*) FROM scorebooks b JOIN review_assignments ra ON ra.application_id = b.application_id WHERE ra.session_id = $1 AND b.phase = 'material' AND b.submitted_at IS NOT NULL").await?,
                c("SELECT COUNT(*) FROM review_assignments ra JOIN review_team_members m ON m.team_id = ra.team_id WHERE ra.session_id = $1").await?,
            ),
            consensus: (
                c("SELECT COUNT(*) FROM consensus_books b JOIN review_assignments ra ON ra.application_id = b.application_id WHERE ra.session_id = $1 AND b.phase = 'material' AND b.submitted_at IS NOT NULL").await?,
                c("SELECT COUNT(*) FROM review_assignments WHERE session_id = $1").await?,
            ),
            visited: (
                c("SELECT COUNT(*) FROM onsite_visits v JOIN onsite_list_entries e ON e.application_id = v.application_id WHERE e.session_id = $1 AND v.submitted_at IS NOT NULL").await?,
                c("SELECT COUNT(*) FROM onsite_list_entries WHERE session_id = $1").await?,
            ),
            evaluated: (
                c("SELECT COUNT(*) FROM evaluations v JOIN onsite_list_entries e ON e.application_id = v.application_id WHERE e.session_id = $1 AND v.submitted_at IS NOT NULL").await?,
                c("SELECT COUNT(*) FROM onsite_list_entries WHERE session_id = $1").await?,
            ),
            decided: (
                c("SELECT COUNT(*) FROM winners WHERE session_id = $1").await?,
                c("SELECT COUNT(*) FROM proposal_entries WHERE session_id = $1").await?,
            ),
        })
    }
}
