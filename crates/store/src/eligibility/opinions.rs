//! Written opinions sought from departments during eligibility review (征求意见, Art. 14):
//! requests to departments on named applicants, their answers item by item, reminders. Every
//! change is one transaction with its audit entry; requests and answers are never deleted.

use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use qaward_core::eligibility::opinion::{ARTICLE, Answer, DOC};
use qaward_core::refusal::Refusal;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One applicant named in a request, with the department's answer if given.
#[derive(Debug, Clone)]
pub struct Item {
    /// Application.
    pub application_id: i64,
    /// Organisation name.
    pub org_name: String,
    /// Credit code.
    pub credit_code: String,
    /// The answer, once given.
    pub answer: Option<Answer>,
    /// Facts stated (required with an objection).
    pub facts: String,
    /// Document number of the written reply (文号).
    pub document_no: String,
    /// Answered (µs).
    pub answered_at: Option<i64>,
    /// Answered by (name).
    pub answered_by: Option<String>,
}

/// A request to one department.
#[derive(Debug, Clone)]
pub struct Request {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Session title.
    pub session_title: String,
    /// Programme.
    pub programme_id: i64,
    /// Department.
    pub department_id: i64,
    /// Department name.
    pub department_name: String,
    /// Subject of the letter.
    pub subject: String,
    /// Period covered, as written.
    pub period: String,
    /// Due date.
    pub due_on: Date,
    /// Created (µs).
    pub created_at: i64,
    /// Last reminder (µs).
    pub reminded_at: Option<i64>,
    /// The applicants named.
    pub items: Vec<Item>,
    /// Past the due date with something unanswered (as of the day it was read).
    pub overdue: bool,
    /// Due within a few days, something unanswered.
    pub due_soon: bool,
}

impl Request {
    /// Items answered.
    pub fn answered(&self) -> usize {
        self.items.iter().filter(|i| i.answer.is_some()).count()
    }
    /// Items still unanswered.
    pub fn pending(&self) -> usize {
        self.items.len() - self.answered()
    }
    /// Whether the office may chase it now.
    pub fn may_remind(&self) -> bool {
        self.pending() > 0 && (self.overdue || self.due_soon)
    }
}

/// What the office sends: one request per department, each naming the same applicants.
#[derive(Debug, Clone, Default)]
pub struct NewRequests {
    /// Session.
    pub session_id: i64,
    /// Departments asked.
    pub department_ids: Vec<i64>,
    /// Applicants named.
    pub application_ids: Vec<i64>,
    /// Subject.
    pub subject: String,
    /// Period covered.
    pub period: String,
    /// Due date, as typed.
    pub due_on: String,
}

/// One answer as typed.
#[derive(Debug, Clone, Default)]
pub struct ItemAnswer {
    /// Application.
    pub application_id: i64,
    /// `no_objection` or `objection`.
    pub answer: String,
    /// Facts.
    pub facts: String,
    /// Document number.
    pub document_no: String,
}

/// An application the office may name: recommended and forwarded by its county.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Application.
    pub id: i64,
    /// Organisation name.
    pub name: String,
    /// Credit code.
    pub credit_code: String,
    /// County.
    pub county: String,
    /// Status code.
    pub status: String,
}

/// An opinion on file for one application, as the eligibility review shows it.
#[derive(Debug, Clone)]
pub struct OnFile {
    /// Request.
    pub request_id: i64,
    /// Department.
    pub department_name: String,
    /// Subject.
    pub subject: String,
    /// Period covered.
    pub period: String,
    /// Due date.
    pub due_on: Date,
    /// The answer, once given.
    pub answer: Option<Answer>,
    /// Facts.
    pub facts: String,
    /// Document number.
    pub document_no: String,
    /// Answered (µs).
    pub answered_at: Option<i64>,
}

fn opinion_refusal(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(code, Some(ARTICLE), DOC, zh, en)
}

fn today(now: jiff::Timestamp) -> Date {
    now.to_zoned_datetime(qaward_core::clock::shanghai()).date()
}

const REQ_COLS: &str = "r.id, r.session_id, s.title AS session_title, s.programme_id, r.department_id, d.name AS department_name, r.subject, r.period, r.due_on, r.created_at, r.reminded_at";
const REQ_FROM: &str = "FROM opinion_requests r JOIN award_sessions s ON s.id = r.session_id JOIN departments d ON d.id = r.department_id";

/// The statuses of an application a county has forwarded to the city.
const FORWARDED: &str =
    "a.status IN ('recommended', 'eligible', 'ineligible') AND cr.forwarded_at IS NOT NULL";

impl Store {
    /// The applications of a session the office may ask about: forwarded by their county.
    pub async fn opinion_candidates(&self, session_id: i64) -> Result<Vec<Candidate>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.id, a.status, o.name, o.credit_code, c.name AS county FROM applications a JOIN organisations o ON o.id = a.organisation_id LEFT JOIN counties c ON c.id = o.county_id JOIN county_reviews cr ON cr.application_id = a.id WHERE a.session_id = $1 AND {FORWARDED} ORDER BY a.id"
        )))
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Candidate {
            id: r.get("id"),
            name: r.get("name"),
            credit_code: r.get("credit_code"),
            county: opt_str(r, "county").unwrap_or_default(),
            status: r.get("status"),
        })
        .collect())
    }

    /// Send requests for written opinions (Art. 14): one per department, each naming the
    /// chosen applicants. Only applications of the session forwarded by a county can be named.
    /// Returns the new requests' ids.
    pub async fn create_opinion_requests(
        &self,
        who: &Who,
        n: &NewRequests,
        now: jiff::Timestamp,
    ) -> Result<Vec<i64>> {
        let d = self.session_detail(n.session_id).await?;
        let pid = d.session.programme_id;
        let departments = self.departments(pid).await?;
        let mut depts: Vec<i64> = n.department_ids.clone();
        depts.sort_unstable();
        depts.dedup();
        if depts.is_empty() {
            return Err(Error::invalid(
                "department_id",
                "“征求意见部门”：请至少选择一个部门。",
                "Departments: choose at least one department.",
            ));
        }
        if depts
            .iter()
            .any(|id| !departments.iter().any(|u| u.id == *id))
        {
            return Err(Error::invalid(
                "department_id",
                "“征求意见部门”：所选部门不属于本评选项目。",
                "Departments: a chosen department does not belong to this programme.",
            ));
        }
        let mut apps: Vec<i64> = n.application_ids.clone();
        apps.sort_unstable();
        apps.dedup();
        if apps.is_empty() {
            return Err(Error::invalid(
                "application_id",
                "“申报单位”：请至少选择一家申报单位。",
                "Applicants: choose at least one applicant.",
            ));
        }
        if n.subject.trim().is_empty() {
            return Err(Error::invalid(
                "subject",
                "“事由”：请填写征求意见的事由。",
                "Subject: enter what the opinion is sought on.",
            ));
        }
        if n.period.trim().is_empty() {
            return Err(Error::invalid(
                "period",
                "“核查期间”：请填写所征求意见涵盖的期间。",
                "Period: enter the period the opinion covers.",
            ));
        }
        let due = qaward_core::eligibility::opinion::check_due(&n.due_on, today(now))
            .map_err(|e| Error::invalid(e.field, e.zh, e.en))?;
        let forwarded = self.opinion_candidates(n.session_id).await?;
        let mut names = Vec::new();
        for id in &apps {
            match forwarded.iter().find(|c| c.id == *id) {
                Some(c) => names.push(c.name.clone()),
                None => {
                    return Err(self.refused(NewEntry::award(who, "opinion.request.refused", "session", n.session_id).programme(pid), opinion_refusal(
                        "opinion_not_forwarded",
                        "只能就县（市、区）已推荐并报送市强市办的本届申报单位征求部门意见。",
                        "Opinions can be sought only on this session's applications recommended and forwarded by a county.",
                    ), now).await);
                }
            }
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let mut ids = Vec::new();
        for did in &depts {
            let dname = departments
                .iter()
                .find(|u| u.id == *did)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            let rid: i64 = sqlx::query("INSERT INTO opinion_requests (session_id, department_id, subject, period, due_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(n.session_id)
                .bind(did)
                .bind(n.subject.trim())
                .bind(n.period.trim())
                .bind(due.to_string())
                .bind(at)
                .bind(who.user_id)
                .fetch_one(tx.conn())
                .await?
                .get(0);
            for aid in &apps {
                sqlx::query("INSERT INTO opinion_items (request_id, application_id, facts, document_no) VALUES ($1, $2, '', '')")
                    .bind(rid)
                    .bind(aid)
                    .execute(tx.conn())
                    .await?;
            }
            tx.audit(
                NewEntry::award(who, "opinion.request", "opinion_request", rid)
                    .programme(pid)
                    .article(Some(ARTICLE), DOC.0)
                    .summary(format!(
                        "以书面形式征求{dname}意见：{}（{}，涉及{}；{}前答复）",
                        n.subject.trim(),
                        n.period.trim(),
                        names.join("、"),
                        qaward_core::clock::date_zh(due)
                    ))
                    .detail(serde_json::json!({
                        "session": n.session_id,
                        "department": did,
                        "applications": apps,
                        "period": n.period.trim(),
                        "due_on": due.to_string(),
                    }))
                    .state("pending"),
            )
            .await?;
            Store::notify_department(
                &mut tx,
                *did,
                &format!("市强市办征求意见：{}", n.subject.trim()),
                &format!("市强市办以书面形式征求贵单位对以下申报单位的意见（{}）：{}。请于{}前在系统中答复（《清远市政府质量奖管理办法》第十四条）。", n.period.trim(), names.join("、"), qaward_core::clock::date_zh(due)),
                Some(&format!("/department/requests/{rid}")),
            )
            .await?;
            ids.push(rid);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn requests_where(
        &self,
        clause: &'static str,
        id: i64,
        now: jiff::Timestamp,
    ) -> Result<Vec<Request>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REQ_COLS} {REQ_FROM} WHERE {clause} = $1 ORDER BY r.id"
        )))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            out.push(self.request_from(r, now).await?);
        }
        Ok(out)
    }

    async fn request_from(&self, r: &AnyRow, now: jiff::Timestamp) -> Result<Request> {
        let id: i64 = r.get("id");
        let items: Vec<Item> = sqlx::query("SELECT i.application_id, i.answer, i.facts, i.document_no, i.answered_at, o.name, o.credit_code, u.display_name FROM opinion_items i JOIN applications a ON a.id = i.application_id JOIN organisations o ON o.id = a.organisation_id LEFT JOIN users u ON u.id = i.answered_by WHERE i.request_id = $1 ORDER BY i.application_id")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|i| Item {
                application_id: i.get("application_id"),
                org_name: i.get("name"),
                credit_code: i.get("credit_code"),
                answer: opt_str(i, "answer").and_then(|a| Answer::parse(&a)),
                facts: i.get("facts"),
                document_no: i.get("document_no"),
                answered_at: opt_i64(i, "answered_at"),
                answered_by: opt_str(i, "display_name"),
            })
            .collect();
        let due_on = parse_date(opt_str(r, "due_on"))
            .ok_or_else(|| Error::Other(format!("opinion request {id}: bad due date")))?;
        let pending = items.iter().filter(|i| i.answer.is_none()).count();
        let t = today(now);
        Ok(Request {
            id,
            session_id: r.get("session_id"),
            session_title: r.get("session_title"),
            programme_id: r.get("programme_id"),
            department_id: r.get("department_id"),
            department_name: r.get("department_name"),
            subject: r.get("subject"),
            period: r.get("period"),
            due_on,
            created_at: r.get("created_at"),
            reminded_at: opt_i64(r, "reminded_at"),
            overdue: qaward_core::eligibility::opinion::overdue(due_on, t, pending),
            due_soon: pending > 0 && qaward_core::eligibility::opinion::due_soon(due_on, t),
            items,
        })
    }

    /// One request with its items, flagged as of `now`.
    pub async fn opinion_request(&self, id: i64, now: jiff::Timestamp) -> Result<Request> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REQ_COLS} {REQ_FROM} WHERE r.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        self.request_from(&r, now).await
    }

    /// A session's requests, oldest first, flagged as of `now`.
    pub async fn session_opinion_requests(
        &self,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<Vec<Request>> {
        self.requests_where("r.session_id", session_id, now).await
    }

    /// A department's requests: those awaiting answers first (overdue ones before the others,
    /// then by due date), then the answered ones, newest first.
    pub async fn department_opinion_requests(
        &self,
        department_id: i64,
        now: jiff::Timestamp,
    ) -> Result<Vec<Request>> {
        let mut v = self
            .requests_where("r.department_id", department_id, now)
            .await?;
        v.sort_by(|a, b| {
            let open = |r: &Request| r.pending() == 0;
            open(a)
                .cmp(&open(b))
                .then(b.overdue.cmp(&a.overdue))
                .then_with(|| {
                    if a.pending() > 0 {
                        a.due_on.cmp(&b.due_on)
                    } else {
                        b.id.cmp(&a.id)
                    }
                })
        });
        Ok(v)
    }

    /// Record a department's answers on applicants of request `id`. Each is checked first
    /// (an objection states facts; every answer has its document number); an item already
    /// answered stays as answered. One audit entry per answer. Returns how many were recorded.
    pub async fn answer_opinions(
        &self,
        who: &Who,
        id: i64,
        answers: &[ItemAnswer],
        now: jiff::Timestamp,
    ) -> Result<usize> {
        let req = self.opinion_request(id, now).await?;
        if answers.is_empty() {
            return Err(Error::invalid(
                "answer",
                "“意见”：请至少对一家申报单位作出答复。",
                "Opinion: answer on at least one applicant.",
            ));
        }
        let mut checked = Vec::new();
        for a in answers {
            let Some(item) = req
                .items
                .iter()
                .find(|i| i.application_id == a.application_id)
            else {
                return Err(Error::NotFound);
            };
            if item.answer.is_some() {
                return Err(self.refused(NewEntry::award(who, "opinion.answer.refused", "opinion_request", req.id).programme(req.programme_id), opinion_refusal(
                    "opinion_already_answered",
                    format!(
                        "本部门已于{}就{}作出答复，书面意见存档后不能更改。",
                        item.answered_at
                            .map(qaward_core::clock::format_micros)
                            .unwrap_or_default(),
                        item.org_name
                    ),
                    "This applicant has already been answered on; the written opinion stays on file as given.",
                ), now).await);
            }
            let ans = qaward_core::eligibility::opinion::check_answer(
                &a.answer,
                &a.facts,
                &a.document_no,
            )
            .map_err(|e| Error::invalid(e.field, e.zh, e.en))?;
            checked.push((a, ans, item.org_name.clone()));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        for (a, ans, org) in &checked {
            let facts = a.facts.trim();
            let n = sqlx::query("UPDATE opinion_items SET answer = $1, facts = $2, document_no = $3, answered_at = $4, answered_by = $5 WHERE request_id = $6 AND application_id = $7 AND answer IS NULL")
                .bind(ans.code())
                .bind(facts)
                .bind(a.document_no.trim())
                .bind(at)
                .bind(who.user_id)
                .bind(id)
                .bind(a.application_id)
                .execute(tx.conn())
                .await?
                .rows_affected();
            if n != 1 {
                return Err(Error::Other("opinion answered meanwhile".into()));
            }
            tx.audit(
                NewEntry::award(who, "opinion.answer", "opinion_request", id)
                    .programme(req.programme_id)
                    .article(Some(ARTICLE), DOC.0)
                    .summary(format!(
                        "{}对{}的书面意见：{}{}（文号{}）",
                        req.department_name,
                        org,
                        ans.zh(),
                        if facts.is_empty() {
                            String::new()
                        } else {
                            format!("，{facts}")
                        },
                        a.document_no.trim()
                    ))
                    .detail(serde_json::json!({
                        "application": a.application_id,
                        "answer": ans.code(),
                        "facts": facts,
                        "document_no": a.document_no.trim(),
                    }))
                    .state(ans.code()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(checked.len())
    }

    /// Chase a department (催办): only for a request overdue or due soon with something
    /// unanswered. Records the reminder's time.
    pub async fn remind_opinion(&self, who: &Who, id: i64, now: jiff::Timestamp) -> Result<()> {
        let req = self.opinion_request(id, now).await?;
        if let Err(r) =
            qaward_core::eligibility::opinion::may_remind(req.due_on, today(now), req.pending())
        {
            return Err(self
                .refused(
                    NewEntry::award(who, "opinion.remind.refused", "opinion_request", id)
                        .programme(req.programme_id),
                    r,
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE opinion_requests SET reminded_at = $1 WHERE id = $2")
            .bind(tx.now())
            .bind(id)
            .execute(tx.conn())
            .await?;
        let pending: Vec<&str> = req
            .items
            .iter()
            .filter(|i| i.answer.is_none())
            .map(|i| i.org_name.as_str())
            .collect();
        tx.audit(
            NewEntry::award(who, "opinion.remind", "opinion_request", id)
                .programme(req.programme_id)
                .article(Some(ARTICLE), DOC.0)
                .summary(format!(
                    "催办{}书面意见（答复期限{}{}，尚未答复：{}）",
                    req.department_name,
                    qaward_core::clock::date_zh(req.due_on),
                    if req.overdue { "，已逾期" } else { "" },
                    pending.join("、")
                ))
                .detail(serde_json::json!({
                    "due_on": req.due_on.to_string(),
                    "overdue": req.overdue,
                    "pending": req.items.iter().filter(|i| i.answer.is_none()).map(|i| i.application_id).collect::<Vec<_>>(),
                })),
        )
        .await?;
        Store::notify_department(
            &mut tx,
            req.department_id,
            &format!("催办：{}", req.subject),
            &format!("市强市办催办书面意见，答复期限为{}{}。尚未答复：{}（《清远市政府质量奖管理办法》第十四条）。", qaward_core::clock::date_zh(req.due_on), if req.overdue { "，已逾期" } else { "" }, pending.join("、")),
            Some(&format!("/department/requests/{id}")),
        )
        .await?;
        tx.commit().await
    }

    /// The opinions sought on one application, oldest request first, answered or not.
    pub async fn opinions_on_file(&self, application_id: i64) -> Result<Vec<OnFile>> {
        Ok(sqlx::query("SELECT r.id, d.name AS department_name, r.subject, r.period, r.due_on, i.answer, i.facts, i.document_no, i.answered_at FROM opinion_items i JOIN opinion_requests r ON r.id = i.request_id JOIN departments d ON d.id = r.department_id WHERE i.application_id = $1 ORDER BY r.id")
            .bind(application_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .filter_map(|r| {
                Some(OnFile {
                    request_id: r.get("id"),
                    department_name: r.get("department_name"),
                    subject: r.get("subject"),
                    period: r.get("period"),
                    due_on: parse_date(opt_str(r, "due_on"))?,
                    answer: opt_str(r, "answer").and_then(|a| Answer::parse(&a)),
                    facts: r.get("facts"),
                    document_no: r.get("document_no"),
                    answered_at: opt_i64(r, "answered_at"),
                })
            })
            .collect())
    }
}
