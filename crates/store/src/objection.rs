//! Objections (Art. 28): filed by real name during the public notice, acknowledged with a number the
//! objector tracks, investigated and decided by the office within its time limit. Every change is one
//! transaction with its audit entry; every refusal is logged with its article.

use crate::attachments::Written;
use crate::decision::{DecidedEntry, FieldProblem, Notice, doc, sha_hex};
use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use qaward_core::decision::objection_due;
use qaward_core::refusal::Refusal;
use sqlx::Row;

/// Where an objection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectionStatus {
    /// 已登记.
    Registered,
    /// 调查核实中.
    Investigating,
    /// 已作出处理决定.
    Decided,
    /// 已办结.
    Closed,
}

impl ObjectionStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            ObjectionStatus::Registered => "registered",
            ObjectionStatus::Investigating => "investigating",
            ObjectionStatus::Decided => "decided",
            ObjectionStatus::Closed => "closed",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "investigating" => ObjectionStatus::Investigating,
            "decided" => ObjectionStatus::Decided,
            "closed" => ObjectionStatus::Closed,
            _ => ObjectionStatus::Registered,
        }
    }
    /// Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            ObjectionStatus::Registered => "已登记，待核实",
            ObjectionStatus::Investigating => "调查核实中",
            ObjectionStatus::Decided => "已作出处理决定",
            ObjectionStatus::Closed => "已办结",
        }
    }
}

/// An objection (Art. 28).
#[derive(Debug, Clone)]
pub struct Objection {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Acknowledgement number.
    pub ack_no: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// The objector's name (person or organisation).
    pub name: String,
    /// A person's citizen identity number ("" for an organisation).
    pub id_number: String,
    /// An organisation's unified social credit code ("" for a person).
    pub credit_code: String,
    /// An organisation's address.
    pub address: String,
    /// An organisation's contact person.
    pub contact: String,
    /// Phone.
    pub phone: String,
    /// The decided applicant it concerns.
    pub application_id: i64,
    /// That applicant's name.
    pub organisation_name: String,
    /// The facts stated.
    pub facts: String,
    /// Status.
    pub status: ObjectionStatus,
    /// Investigator assigned.
    pub investigator: String,
    /// Findings.
    pub findings: String,
    /// Upheld (Some(true)), not upheld (Some(false)), or not decided.
    pub upheld: Option<bool>,
    /// The written reply.
    pub reply: String,
    /// Verification due.
    pub due_on: Date,
    /// Filed (µs).
    pub filed_at: i64,
    /// Closed (µs).
    pub closed_at: Option<i64>,
}

/// An evidence file of an objection.
#[derive(Debug, Clone)]
pub struct ObjectionFile {
    /// Id.
    pub id: i64,
    /// Name as uploaded.
    pub filename: String,
    /// Type by content.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256.
    pub sha256: String,
}

/// What an objector typed.
#[derive(Debug, Clone, Default)]
pub struct ObjectionInput {
    /// `person` or `organisation`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Citizen identity number (person).
    pub id_number: String,
    /// Unified social credit code (organisation).
    pub credit_code: String,
    /// Address (organisation).
    pub address: String,
    /// Contact person (organisation).
    pub contact: String,
    /// Phone.
    pub phone: String,
    /// The decided applicant it concerns.
    pub application_id: String,
    /// Facts.
    pub facts: String,
}

/// A step of the office's handling of an objection.
#[derive(Debug, Clone)]
pub enum ObjectionStep {
    /// Assign the investigator.
    Assign(String),
    /// Record the findings of the investigation.
    Findings(String),
    /// Decide (upheld or not) with the written reply.
    Decide {
        /// Upheld.
        upheld: bool,
        /// The reply to the objector.
        reply: String,
    },
    /// Close the case.
    Close,
}

fn required(field: &'static str, label: &str, v: &str, out: &mut Vec<FieldProblem>) {
    if v.trim().is_empty() {
        out.push((
            field,
            format!("“{label}”：请填写。"),
            format!("{field}: required."),
        ));
    }
}

fn phone_ok(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits) && p.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c))
}

/// Check an objection as typed: real name and contact details (Art. 28). Returns every field
/// that does not pass, and whether it is anonymous (no name and no identity number or code).
pub fn check_objection(i: &ObjectionInput, decided: &[DecidedEntry]) -> (Vec<FieldProblem>, bool) {
    let mut out = Vec::new();
    let anonymous;
    match i.kind.as_str() {
        "organisation" => {
            anonymous = i.name.trim().is_empty() && i.credit_code.trim().is_empty();
            required("name", "单位名称", &i.name, &mut out);
            if i.credit_code.trim().is_empty() {
                required("credit_code", "统一社会信用代码", "", &mut out);
            } else if let Err(e) = qaward_core::credit_code::CreditCode::parse(&i.credit_code) {
                out.push(("credit_code", format!("“统一社会信用代码”：{}", e.zh), e.en));
            }
            required("address", "单位地址", &i.address, &mut out);
            required("contact", "联系人", &i.contact, &mut out);
        }
        "person" => {
            anonymous = i.name.trim().is_empty() && i.id_number.trim().is_empty();
            required("name", "姓名", &i.name, &mut out);
            if i.id_number.trim().is_empty() {
                required("id_number", "公民身份号码", "", &mut out);
            } else if let Err(e) = qaward_core::id_number::IdNumber::parse(&i.id_number) {
                out.push(("id_number", format!("“公民身份号码”：{}", e.zh), e.en));
            }
        }
        _ => {
            anonymous = i.name.trim().is_empty();
            out.push((
                "kind",
                "“异议人类型”：请选择以个人还是以单位名义提出。".into(),
                "Choose whether you object as a person or as an organisation.".into(),
            ));
            required("name", "姓名或单位名称", &i.name, &mut out);
        }
    }
    if i.phone.trim().is_empty() {
        required("phone", "联系电话", "", &mut out);
    } else if !phone_ok(i.phone.trim()) {
        out.push((
            "phone",
            "“联系电话”：请填写有效的电话号码（7至15位数字）。".into(),
            "Enter a valid phone number.".into(),
        ));
    }
    let concerns = i.application_id.trim().parse::<i64>().ok();
    if !concerns.is_some_and(|a| decided.iter().any(|d| d.application_id == a)) {
        out.push((
            "application_id",
            "“异议对象”：请选择公示名单中的一家单位。".into(),
            "Choose the applicant on the notified list the objection concerns.".into(),
        ));
    }
    if i.facts.trim().chars().count() < 10 {
        out.push((
            "facts",
            "“异议事实和理由”：请具体写明异议的事实和理由（不少于10个字）。".into(),
            "State the facts and reasons (at least 10 characters).".into(),
        ));
    }
    (out, anonymous)
}

const OBJ_COLS: &str = "o.id, o.session_id, o.ack_no, o.kind, o.name, o.id_number, o.credit_code, o.address, o.contact, o.phone, o.application_id, g.name AS organisation_name, o.facts, o.status, o.investigator, o.findings, o.decision, o.reply, o.due_on, o.filed_at, o.closed_at";

fn objection_from(r: &sqlx::any::AnyRow) -> Objection {
    Objection {
        id: r.get("id"),
        session_id: r.get("session_id"),
        ack_no: r.get("ack_no"),
        kind: r.get("kind"),
        name: r.get("name"),
        id_number: r.get("id_number"),
        credit_code: r.get("credit_code"),
        address: r.get("address"),
        contact: r.get("contact"),
        phone: r.get("phone"),
        application_id: r.get("application_id"),
        organisation_name: r.get("organisation_name"),
        facts: r.get("facts"),
        status: ObjectionStatus::parse(&r.get::<String, _>("status")),
        investigator: r.get("investigator"),
        findings: r.get("findings"),
        upheld: opt_str(r, "decision").map(|d| d == "upheld"),
        reply: r.get("reply"),
        due_on: parse_date(Some(r.get("due_on"))).unwrap_or_default(),
        filed_at: r.get("filed_at"),
        closed_at: opt_i64(r, "closed_at"),
    }
}

impl Store {
    /// Objections on the session's notice not yet closed (Art. 28).
    pub async fn open_objections(&self, session_id: i64) -> Result<u32> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM objections WHERE session_id = $1 AND status <> 'closed'",
        )
        .bind(session_id)
        .fetch_one(self.pool())
        .await?
        .get(0);
        Ok(u32::try_from(n).unwrap_or(0))
    }

    /// Refuse an anonymous objection (Art. 28), logging the refusal.
    pub async fn refuse_anonymous_objection(
        &self,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<Refusal> {
        let d = self.session_detail(session_id).await?;
        let r = Refusal::new(
            "objection_anonymous",
            d.rules.objection.real_name_required.article,
            doc(&d),
            "异议须实名提出：个人须提供姓名、公民身份号码和联系电话，单位须提供单位名称、统一社会信用代码、地址、联系人和联系电话。匿名异议不予受理。",
            "Objections must carry the objector's real name and contact details; anonymous objections are not accepted.",
        );
        match self
            .refused(
                NewEntry::award(
                    &Who::anonymous("访客"),
                    "objection.file.refused",
                    "session",
                    session_id,
                )
                .programme(d.session.programme_id),
                r.clone(),
                now,
            )
            .await
        {
            Error::Refused(_) => Ok(r),
            e => Err(e),
        }
    }

    /// Whether the session's notice receives objections today; the refusal otherwise.
    pub async fn objection_window(
        &self,
        session_id: i64,
        today: Date,
    ) -> Result<Result<Notice, Refusal>> {
        let d = self.session_detail(session_id).await?;
        let n = self.notice(session_id).await?;
        Ok(match n {
            Some(n) if n.open_on(today) => Ok(n),
            _ => Err(Refusal::new(
                "objection_closed",
                Some(28),
                doc(&d),
                "本届拟奖名单不在公示期内，现不受理异议。",
                "The list is not under public notice; objections are not received now.",
            )),
        })
    }

    /// Register a real-name objection with its evidence (Art. 28): returns the acknowledgement
    /// number and the follow-up code (shown once; only its hash is kept).
    pub async fn file_objection(
        &self,
        session_id: i64,
        input: &ObjectionInput,
        files: &[(String, Written)],
        now: jiff::Timestamp,
    ) -> Result<(String, String)> {
        let d = self.session_detail(session_id).await?;
        let today = crate::today(now.as_microsecond());
        if let Err(r) = self.objection_window(session_id, today).await? {
            return Err(Error::Refused(r));
        }
        let decided = self.decided_list(session_id).await?;
        let (problems, _) = check_objection(input, &decided);
        if let Some((field, zh, en)) = problems.into_iter().next() {
            return Err(Error::Invalid {
                field: field.to_owned(),
                zh,
                en,
            });
        }
        let aid: i64 = input.application_id.trim().parse().unwrap_or(0);
        let person = input.kind == "person";
        let code: String = crate::accounts::random_token()[..12].to_uppercase();
        let due = objection_due(&d.rules, today);
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM objections WHERE session_id = $1")
            .bind(session_id)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        let ack = format!("YY-{}-{:04}", d.session.year, n + 1);
        let id_number = if person {
            qaward_core::id_number::IdNumber::parse(&input.id_number)
                .map(|i| i.as_str().to_owned())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let credit = if person {
            String::new()
        } else {
            input.credit_code.trim().to_uppercase()
        };
        let oid: i64 = sqlx::query("INSERT INTO objections (session_id, ack_no, code_hash, kind, name, id_number, credit_code, address, contact, phone, application_id, facts, status, investigator, findings, reply, due_on, filed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'registered', '', '', '', $13, $14, $14) RETURNING id")
            .bind(session_id)
            .bind(&ack)
            .bind(sha_hex(&code))
            .bind(if person { "person" } else { "organisation" })
            .bind(input.name.trim())
            .bind(&id_number)
            .bind(&credit)
            .bind(if person { "" } else { input.address.trim() })
            .bind(if person { "" } else { input.contact.trim() })
            .bind(input.phone.trim())
            .bind(aid)
            .bind(input.facts.trim())
            .bind(due.to_string())
            .bind(at)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        for (name, w) in files {
            let name: String = name
                .chars()
                .filter(|c| !c.is_control() && !"/\\".contains(*c))
                .take(120)
                .collect();
            sqlx::query("INSERT INTO objection_files (objection_id, filename, mime, size, sha256, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(oid)
                .bind(if name.trim().is_empty() { "file".to_owned() } else { name })
                .bind(w.mime)
                .bind(i64::try_from(w.size).unwrap_or(i64::MAX))
                .bind(&w.sha256)
                .bind(at)
                .execute(tx.conn())
                .await?;
        }
        let target = decided
            .iter()
            .find(|e| e.application_id == aid)
            .map(|e| e.organisation_name.clone())
            .unwrap_or_default();
        tx.audit(
            NewEntry::award(&Who::anonymous(input.name.trim()), "objection.file", "objection", oid)
                .programme(d.session.programme_id)
                .article(d.rules.objection.real_name_required.article, &d.rules.meta.name)
                .summary(format!(
                    "登记异议{ack}：{}（{}）对{target}提出异议，证明材料{}份，应于{}前核实",
                    input.name.trim(),
                    if person { "个人" } else { "单位" },
                    files.len(),
                    qaward_core::clock::date_zh(due)
                ))
                .detail(serde_json::json!({"session": session_id, "application": aid, "files": files.iter().map(|(_, w)| &w.sha256).collect::<Vec<_>>()}))
                .state("registered"),
        )
        .await?;
        tx.commit().await?;
        Ok((ack, code))
    }

    /// The objections of a session, oldest first.
    pub async fn objections(&self, session_id: i64) -> Result<Vec<Objection>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OBJ_COLS} FROM objections o JOIN applications a ON a.id = o.application_id JOIN organisations g ON g.id = a.organisation_id WHERE o.session_id = $1 ORDER BY o.id")))
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(objection_from)
            .collect())
    }

    /// One objection.
    pub async fn objection(&self, id: i64) -> Result<Objection> {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OBJ_COLS} FROM objections o JOIN applications a ON a.id = o.application_id JOIN organisations g ON g.id = a.organisation_id WHERE o.id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| objection_from(&r))
            .ok_or(Error::NotFound)
    }

    /// The evidence files of an objection.
    pub async fn objection_files(&self, id: i64) -> Result<Vec<ObjectionFile>> {
        Ok(sqlx::query("SELECT id, filename, mime, size, sha256 FROM objection_files WHERE objection_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| ObjectionFile {
                id: r.get("id"),
                filename: r.get("filename"),
                mime: r.get("mime"),
                size: r.get("size"),
                sha256: r.get("sha256"),
            })
            .collect())
    }

    /// The objection with this acknowledgement number, if the follow-up code matches.
    pub async fn track_objection(&self, ack_no: &str, code: &str) -> Result<Option<Objection>> {
        let Some(r) = sqlx::query("SELECT id, code_hash FROM objections WHERE ack_no = $1")
            .bind(ack_no.trim().to_uppercase())
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let hash: String = r.get("code_hash");
        if hash != sha_hex(&code.trim().to_uppercase()) {
            return Ok(None);
        }
        self.objection(r.get("id")).await.map(Some)
    }

    /// One step of the office's handling of an objection, audited.
    pub async fn objection_step(
        &self,
        who: &Who,
        id: i64,
        step: &ObjectionStep,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let o = self.objection(id).await?;
        let d = self.session_detail(o.session_id).await?;
        if o.status == ObjectionStatus::Closed {
            return Err(self
                .refused(
                    NewEntry::award(who, "objection.refused", "objection", id)
                        .programme(d.session.programme_id),
                    Refusal::new(
                        "objection_closed",
                        Some(28),
                        doc(&d),
                        "该异议已办结，不能再修改。",
                        "The objection is closed.",
                    ),
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let (summary, state) = match step {
            ObjectionStep::Assign(name) => {
                if name.trim().is_empty() {
                    return Err(Error::invalid(
                        "investigator",
                        "“调查核实人”：请填写。",
                        "Name the investigator.",
                    ));
                }
                sqlx::query("UPDATE objections SET investigator = $1, status = 'investigating', updated_at = $2 WHERE id = $3")
                    .bind(name.trim())
                    .bind(at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                (
                    format!("异议{}指定调查核实人：{}", o.ack_no, name.trim()),
                    "investigating",
                )
            }
            ObjectionStep::Findings(text) => {
                if text.trim().is_empty() {
                    return Err(Error::invalid(
                        "findings",
                        "“调查核实情况”：请填写。",
                        "Record the findings.",
                    ));
                }
                sqlx::query("UPDATE objections SET findings = $1, status = 'investigating', updated_at = $2 WHERE id = $3")
                    .bind(text.trim())
                    .bind(at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                (format!("异议{}记录调查核实情况", o.ack_no), "investigating")
            }
            ObjectionStep::Decide { upheld, reply } => {
                if o.findings.trim().is_empty() {
                    return Err(Error::invalid(
                        "findings",
                        "“调查核实情况”：作出处理决定前，请先记录调查核实情况。",
                        "Record the findings before deciding.",
                    ));
                }
                if reply.trim().is_empty() {
                    return Err(Error::invalid(
                        "reply",
                        "“书面答复”：请填写给异议人的书面答复。",
                        "Write the reply to the objector.",
                    ));
                }
                sqlx::query("UPDATE objections SET decision = $1, reply = $2, status = 'decided', updated_at = $3 WHERE id = $4")
                    .bind(if *upheld { "upheld" } else { "not_upheld" })
                    .bind(reply.trim())
                    .bind(at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                (
                    format!(
                        "异议{}作出处理决定：{}，并书面答复异议人",
                        o.ack_no,
                        if *upheld {
                            "异议成立"
                        } else {
                            "异议不成立"
                        }
                    ),
                    "decided",
                )
            }
            ObjectionStep::Close => {
                if o.upheld.is_none() || o.reply.trim().is_empty() {
                    return Err(Error::invalid(
                        "reply",
                        "办结前须作出处理决定并书面答复异议人。",
                        "Decide and reply before closing.",
                    ));
                }
                sqlx::query("UPDATE objections SET status = 'closed', closed_at = $1, updated_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                (format!("异议{}办结", o.ack_no), "closed")
            }
        };
        tx.audit(
            NewEntry::award(who, &format!("objection.{state}"), "objection", id)
                .programme(d.session.programme_id)
                .article(Some(28), &d.rules.meta.name)
                .summary(summary)
                .state(state),
        )
        .await?;
        tx.commit().await
    }
}
