//! After the public notice: the municipal government's approval of the list (Art. 18, 19), the
//! winners, the commendation document, certificates and plaques (Art. 19, 31), the prize money
//! (Art. 21), the session's budgets (Art. 22) and the announcements of the public portal
//! (Art. 20, 27, 29). Every change is written with its audit entry in one transaction.

use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use qaward_core::award::{
    bonus_due, bonus_fen, certificate_serial, cny, decide_approval, decide_record_payment,
    is_document_number, parse_cny,
};
use qaward_core::session::Stage;
use sqlx::Row;
use std::str::FromStr;

/// An applicant that may be approved: on the list the leadership decided and the public saw.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// Its county.
    pub county_name: String,
    /// Place on the list, from 1.
    pub position: i64,
}

/// The municipal government's approval as recorded (Art. 18, 19).
#[derive(Debug, Clone)]
pub struct Approval {
    /// Session.
    pub session_id: i64,
    /// 文号, e.g. 清府函〔2024〕12号.
    pub document_number: String,
    /// Day of the approval.
    pub approved_on: Date,
    /// Note.
    pub note: String,
    /// Recorded (µs).
    pub recorded_at: i64,
}

/// What the office types to record the approval.
#[derive(Debug, Clone, Default)]
pub struct NewApproval {
    /// 文号.
    pub document_number: String,
    /// Day, `YYYY-MM-DD`.
    pub approved_on: String,
    /// The approved applications, from the candidates.
    pub application_ids: Vec<i64>,
    /// Note.
    pub note: String,
}

/// A winner: one approved application of a session.
#[derive(Debug, Clone)]
pub struct Winner {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// Its county.
    pub county_name: String,
    /// Place on the approved list, from 1.
    pub position: i64,
    /// Award year (the session's year).
    pub award_year: i32,
}

/// The commendation document (表彰决定, Art. 19).
#[derive(Debug, Clone)]
pub struct Commendation {
    /// Session.
    pub session_id: i64,
    /// 文号.
    pub document_number: String,
    /// Day issued.
    pub issued_on: Date,
    /// Its text, generated from the winners.
    pub body: String,
    /// Recorded (µs).
    pub recorded_at: i64,
}

/// A certificate, with its plaque.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// Id.
    pub id: i64,
    /// Winner.
    pub winner_id: i64,
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Session.
    pub session_id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Serial, e.g. QYZLJ-2024-001.
    pub serial: String,
    /// Holder.
    pub holder: String,
    /// Award name.
    pub award_name: String,
    /// Award year.
    pub award_year: i32,
    /// The commendation's 文号.
    pub document_number: String,
    /// Who issues it.
    pub issuer: String,
    /// Where anyone verifies it.
    pub verify_url: String,
    /// Day issued.
    pub issued_on: Date,
    /// Revoked (µs), if so (Art. 32, 33).
    pub revoked_at: Option<i64>,
    /// Why revoked.
    pub revocation_note: Option<String>,
    /// Plaque handed over on.
    pub plaque_issued_on: Option<Date>,
    /// Plaque received by.
    pub plaque_received_by: Option<String>,
    /// Plaque note.
    pub plaque_note: Option<String>,
}

impl Certificate {
    /// Whether it is still valid.
    pub fn valid(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// One winner's prize money (Art. 21).
#[derive(Debug, Clone)]
pub struct Payment {
    /// Id.
    pub id: i64,
    /// Winner.
    pub winner_id: i64,
    /// Application.
    pub application_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Due on.
    pub due_on: Date,
    /// Paid on.
    pub paid_on: Option<Date>,
    /// Voucher number.
    pub voucher_no: String,
    /// Payer's note.
    pub payer_note: String,
}

impl Payment {
    /// The amount as people read it.
    pub fn amount(&self) -> String {
        cny(self.amount_fen)
    }
}

/// The payments of a session with their totals, in fen.
#[derive(Debug, Clone, Default)]
pub struct Payments {
    /// Every payment, in list order.
    pub rows: Vec<Payment>,
    /// Scheduled in all.
    pub scheduled: i64,
    /// Paid.
    pub paid: i64,
    /// Still to pay.
    pub outstanding: i64,
}

/// Which budget a line belongs to (Art. 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetKind {
    /// 评审工作经费.
    Work,
    /// 奖励经费.
    Award,
}

impl BudgetKind {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            BudgetKind::Work => "work",
            BudgetKind::Award => "award",
        }
    }
    /// The kind stored under `code`.
    pub fn parse(code: &str) -> Option<BudgetKind> {
        match code {
            "work" => Some(BudgetKind::Work),
            "award" => Some(BudgetKind::Award),
            _ => None,
        }
    }
    /// Name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            BudgetKind::Work => "评审工作经费",
            BudgetKind::Award => "奖励经费",
        }
    }
}

/// A budget line.
#[derive(Debug, Clone)]
pub struct BudgetLine {
    /// Id.
    pub id: i64,
    /// Work or award.
    pub kind: BudgetKind,
    /// Purpose.
    pub purpose: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Note.
    pub note: String,
}

impl BudgetLine {
    /// The amount as people read it.
    pub fn amount(&self) -> String {
        cny(self.amount_fen)
    }
}

/// A session's budgets (Art. 22).
#[derive(Debug, Clone, Default)]
pub struct Budget {
    /// Work budget lines.
    pub work: Vec<BudgetLine>,
    /// Award budget lines.
    pub award: Vec<BudgetLine>,
    /// Work total (fen).
    pub work_total: i64,
    /// Award total (fen).
    pub award_total: i64,
    /// Prize money due (fen): the scheduled payments, or, before there are any, the most the
    /// session may award (max winners × bonus).
    pub prizes_due: i64,
    /// Whether `prizes_due` is that estimate.
    pub estimated: bool,
}

impl Budget {
    /// Whether the award budget falls short of the prizes due.
    pub fn short(&self) -> bool {
        self.award_total < self.prizes_due
    }
}

/// What the office types for a budget line.
#[derive(Debug, Clone, Default)]
pub struct NewBudgetLine {
    /// `work` or `award`.
    pub kind: String,
    /// Purpose.
    pub purpose: String,
    /// Amount in yuan as typed.
    pub amount: String,
    /// Note.
    pub note: String,
}

/// A dated announcement of a session (Art. 27, 29).
#[derive(Debug, Clone)]
pub struct Announcement {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Date shown.
    pub posted_on: Date,
    /// Shown to the public.
    pub published: bool,
}

/// What the office types for an announcement.
#[derive(Debug, Clone, Default)]
pub struct NewAnnouncement {
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Date, `YYYY-MM-DD`.
    pub posted_on: String,
    /// Publish at once.
    pub publish: bool,
}

/// A winner's advanced practice offered for promotion (Art. 29).
#[derive(Debug, Clone)]
pub struct PublicPractice {
    /// Organisation.
    pub organisation_name: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
}

/// The data of a certificate PDF.
pub fn certificate_data(c: &Certificate, demo: bool) -> serde_json::Value {
    serde_json::json!({
        "serial": c.serial,
        "holder": c.holder,
        "award_name": c.award_name,
        "year": c.award_year,
        "document_number": c.document_number,
        "issuer": c.issuer,
        "issued_on": qaward_core::clock::date_zh(c.issued_on),
        "verify_url": c.verify_url,
        "revoked": c.revoked_at.is_some(),
        "demo": demo,
    })
}

fn date_field(field: &'static str, label: &str, s: &str) -> Result<Date> {
    Date::from_str(s.trim()).map_err(|_| {
        Error::invalid(
            field,
            format!("请填写{label}，格式为 年-月-日（如 2024-12-20）。"),
            "Enter the date as YYYY-MM-DD.",
        )
    })
}

fn doc_number_field(field: &'static str, s: &str) -> Result<String> {
    let t = s.trim();
    if !is_document_number(t) {
        return Err(Error::invalid(
            field,
            "文号格式不正确：应为“发文机关代字〔年份〕序号号”，如 清府函〔2024〕12号（年份用六角括号〔〕）。",
            "The document number must look like 清府函〔2024〕12号 (issuer, year in 〔〕, number, 号).",
        ));
    }
    Ok(t.to_owned())
}

fn today_of(now: jiff::Timestamp) -> Date {
    now.to_zoned_datetime(qaward_core::clock::shanghai()).date()
}

const WINNER_COLS: &str = "w.id, w.session_id, s.programme_id, w.application_id, w.organisation_id, w.organisation_name, w.county_name, w.position, w.award_year";

fn winner_from(r: &sqlx::any::AnyRow) -> Winner {
    Winner {
        id: r.get("id"),
        session_id: r.get("session_id"),
        programme_id: r.get("programme_id"),
        application_id: r.get("application_id"),
        organisation_id: r.get("organisation_id"),
        organisation_name: r.get("organisation_name"),
        county_name: r.get("county_name"),
        position: r.get("position"),
        award_year: i32::try_from(r.get::<i64, _>("award_year")).unwrap_or(0),
    }
}

const CERT_COLS: &str = "c.id, c.winner_id, w.application_id, w.organisation_id, w.session_id, s.programme_id, c.serial, c.holder, c.award_name, c.award_year, c.document_number, c.issuer, c.verify_url, c.issued_on, c.revoked_at, c.revocation_note, c.plaque_issued_on, c.plaque_received_by, c.plaque_note";

fn cert_from(r: &sqlx::any::AnyRow) -> Certificate {
    Certificate {
        id: r.get("id"),
        winner_id: r.get("winner_id"),
        application_id: r.get("application_id"),
        organisation_id: r.get("organisation_id"),
        session_id: r.get("session_id"),
        programme_id: r.get("programme_id"),
        serial: r.get("serial"),
        holder: r.get("holder"),
        award_name: r.get("award_name"),
        award_year: i32::try_from(r.get::<i64, _>("award_year")).unwrap_or(0),
        document_number: r.get("document_number"),
        issuer: r.get("issuer"),
        verify_url: r.get("verify_url"),
        issued_on: parse_date(Some(r.get("issued_on"))).unwrap_or_default(),
        revoked_at: opt_i64(r, "revoked_at"),
        revocation_note: opt_str(r, "revocation_note"),
        plaque_issued_on: parse_date(opt_str(r, "plaque_issued_on")),
        plaque_received_by: opt_str(r, "plaque_received_by"),
        plaque_note: opt_str(r, "plaque_note"),
    }
}

/// The stage a session is in, read in `tx` (so nobody moves it meanwhile).
async fn stage_in(tx: &mut Tx, session_id: i64) -> Result<Option<Stage>> {
    Ok(
        sqlx::query("SELECT stage FROM award_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_optional(tx.conn())
            .await?
            .and_then(|r| Stage::parse(&r.get::<String, _>(0))),
    )
}

/// Whether the government's approval of a session's list is recorded, read in `tx`.
pub(crate) async fn approval_recorded(tx: &mut Tx, session_id: i64) -> Result<bool> {
    Ok(
        sqlx::query("SELECT session_id FROM government_approvals WHERE session_id = $1")
            .bind(session_id)
            .fetch_optional(tx.conn())
            .await?
            .is_some(),
    )
}

impl Store {
    /// The applicants the government may approve: the list the leadership group decided and
    /// the public saw (Art. 18), in its order.
    pub async fn approval_candidates(&self, session_id: i64) -> Result<Vec<Candidate>> {
        let mut out = Vec::new();
        for e in self.decided_list(session_id).await? {
            let county = sqlx::query(
                "SELECT COALESCE(c.name, '') AS county FROM organisations o LEFT JOIN counties c ON c.id = o.county_id WHERE o.id = $1",
            )
            .bind(e.organisation_id)
            .fetch_one(self.pool())
            .await?
            .get(0);
            out.push(Candidate {
                application_id: e.application_id,
                organisation_id: e.organisation_id,
                organisation_name: e.organisation_name,
                county_name: county,
                position: e.position,
            });
        }
        Ok(out)
    }

    /// The recorded approval of a session, if any.
    pub async fn approval(&self, session_id: i64) -> Result<Option<Approval>> {
        Ok(sqlx::query(
            "SELECT session_id, document_number, approved_on, note, recorded_at FROM government_approvals WHERE session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| Approval {
            session_id: r.get("session_id"),
            document_number: r.get("document_number"),
            approved_on: parse_date(Some(r.get("approved_on"))).unwrap_or_default(),
            note: r.get("note"),
            recorded_at: r.get("recorded_at"),
        }))
    }

    /// Record the municipal government's approval (Art. 18, 19): its 文号, its date and the
    /// approved list, chosen from the candidates, at most the session's number of winners
    /// (Art. 3). The winners follow from it. It may be corrected while the session is still in
    /// the approval stage. A refusal is recorded with its article.
    pub async fn record_approval(
        &self,
        who: &Who,
        session_id: i64,
        n: &NewApproval,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self.session_detail(session_id).await?;
        let document_number = doc_number_field("document_number", &n.document_number)?;
        let approved_on = date_field("approved_on", "批准日期", &n.approved_on)?;
        if approved_on > today_of(now) {
            return Err(Error::invalid(
                "approved_on",
                "批准日期不能晚于今天。",
                "The approval cannot be dated in the future.",
            ));
        }
        let candidates = self.approval_candidates(session_id).await?;
        let mut chosen: Vec<i64> = Vec::new();
        for a in &n.application_ids {
            if !chosen.contains(a) {
                chosen.push(*a);
            }
        }
        let ids: Vec<i64> = candidates.iter().map(|c| c.application_id).collect();
        if let Err(r) = decide_approval(&d.rules, d.session.stage, &ids, &chosen) {
            return Err(self
                .refused(
                    NewEntry::award(who, "award.approval.refused", "session", session_id)
                        .programme(d.session.programme_id),
                    r,
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        if stage_in(&mut tx, session_id).await? != Some(Stage::GovernmentApproval) {
            drop(tx);
            return Err(Error::Other(
                "the session moved on while the approval was recorded".into(),
            ));
        }
        sqlx::query("DELETE FROM winners WHERE session_id = $1")
            .bind(session_id)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM government_approvals WHERE session_id = $1")
            .bind(session_id)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO government_approvals (session_id, document_number, approved_on, note, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(session_id)
            .bind(&document_number)
            .bind(approved_on.to_string())
            .bind(n.note.trim())
            .bind(tx.now())
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        let mut names = Vec::new();
        let mut position = 0i64;
        for c in candidates
            .iter()
            .filter(|c| chosen.contains(&c.application_id))
        {
            position += 1;
            sqlx::query("INSERT INTO winners (session_id, application_id, organisation_id, organisation_name, county_name, position, award_year, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(session_id)
                .bind(c.application_id)
                .bind(c.organisation_id)
                .bind(&c.organisation_name)
                .bind(&c.county_name)
                .bind(position)
                .bind(i64::from(d.session.year))
                .bind(tx.now())
                .execute(tx.conn())
                .await?;
            names.push(c.organisation_name.clone());
        }
        tx.audit(
            NewEntry::award(who, "award.approval", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(18), &d.rules.meta.name)
                .summary(format!(
                    "登记市政府批复（{document_number}，{}）：批准{}获{}（{}家）",
                    qaward_core::clock::date_zh(approved_on),
                    if names.is_empty() {
                        "无单位".to_owned()
                    } else {
                        names.join("、")
                    },
                    d.rules.meta.award_name,
                    names.len()
                ))
                .detail(serde_json::json!({
                    "document_number": document_number,
                    "approved_on": approved_on.to_string(),
                    "applications": chosen,
                    "candidates": ids,
                })),
        )
        .await?;
        tx.commit().await
    }

    /// The winners of a session, in list order.
    pub async fn winners(&self, session_id: i64) -> Result<Vec<Winner>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {WINNER_COLS} FROM winners w JOIN award_sessions s ON s.id = w.session_id WHERE w.session_id = $1 ORDER BY w.position"
        )))
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(winner_from)
        .collect())
    }

    /// The winner of an application.
    pub async fn winner_of(&self, application_id: i64) -> Result<Winner> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {WINNER_COLS} FROM winners w JOIN award_sessions s ON s.id = w.session_id WHERE w.application_id = $1"
        )))
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| winner_from(&r))
        .ok_or(Error::NotFound)
    }

    /// The commendation of a session, if recorded.
    pub async fn commendation(&self, session_id: i64) -> Result<Option<Commendation>> {
        Ok(sqlx::query(
            "SELECT session_id, document_number, issued_on, body, recorded_at FROM commendations WHERE session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| Commendation {
            session_id: r.get("session_id"),
            document_number: r.get("document_number"),
            issued_on: parse_date(Some(r.get("issued_on"))).unwrap_or_default(),
            body: r.get("body"),
            recorded_at: r.get("recorded_at"),
        }))
    }

    /// The text of the commendation decision, generated from the approval and the winners.
    pub fn commendation_text(
        &self,
        d: &crate::session::SessionDetail,
        approval: &Approval,
        winners: &[Winner],
        issuer: &str,
    ) -> String {
        let r = &d.rules;
        let list = if winners.is_empty() {
            "本届无企业或组织获奖，名额空缺（第三条）".to_owned()
        } else {
            winners
                .iter()
                .map(|w| w.organisation_name.clone())
                .collect::<Vec<_>>()
                .join("、")
        };
        format!(
            "为深入实施质量强市战略，表彰在质量管理中取得显著成效的企业和组织，根据《{}》（{}），经评审委员会评审、市质量强市工作领导小组审定并向社会公示无异议，报{}批准（{}），决定授予{}“{}年度{}”称号，每家给予一次性奖励{}万元（第二十一条）。\n希望获奖单位珍惜荣誉，发挥示范带动作用，持续提升质量管理水平，并在获奖后{}年内每年报送质量奖绩效报告（第三十条）。各地各单位要以获奖单位为榜样，推广先进质量管理经验（第二十九条）。",
            r.meta.name,
            r.meta.document_number,
            issuer,
            approval.document_number,
            list,
            d.session.year,
            r.meta.award_name,
            r.award.bonus_cny.value / 10_000,
            r.post_award.report_years.value,
        )
    }

    /// Record the commendation (Art. 19): the decision's 文号 and date, its text generated from
    /// the winners, in the Commendation stage; one prize payment per winner is scheduled in the
    /// same transaction, due as the rule set says (Art. 21).
    pub async fn record_commendation(
        &self,
        who: &Who,
        session_id: i64,
        document_number: &str,
        issued_on: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self.session_detail(session_id).await?;
        let number = doc_number_field("commendation_number", document_number)?;
        let issued_on = date_field("issued_on", "发文日期", issued_on)?;
        if issued_on > today_of(now) {
            return Err(Error::invalid(
                "issued_on",
                "发文日期不能晚于今天。",
                "The commendation cannot be dated in the future.",
            ));
        }
        if d.session.stage != Stage::Commendation {
            return Err(self
                .refused(
                    NewEntry::award(who, "award.commendation.refused", "session", session_id)
                        .programme(d.session.programme_id),
                    qaward_core::refusal::Refusal::new(
                        "commendation_stage",
                        Some(19),
                        (&d.rules.meta.name, &d.rules.meta.name_en),
                        format!(
                            "经市政府批准后发文表彰：只能在“发文表彰”阶段登记表彰决定，本届目前处于“{}”阶段。",
                            d.session.stage.name_zh()
                        ),
                        format!(
                            "The commendation is recorded in the Commendation stage; the session is in {}.",
                            d.session.stage.name_en()
                        ),
                    ),
                    now,
                )
                .await);
        }
        let approval = self.approval(session_id).await?.ok_or(Error::NotFound)?;
        if self.commendation(session_id).await?.is_some() {
            return Err(Error::invalid(
                "commendation_number",
                "本届表彰决定已登记，不能重复登记。",
                "The commendation is already recorded.",
            ));
        }
        let p = self.programme(d.session.programme_id).await?;
        let winners = self.winners(session_id).await?;
        let body = self.commendation_text(&d, &approval, &winners, &government(&p.region));
        let due = bonus_due(&d.rules, issued_on);
        let amount = bonus_fen(&d.rules);
        let mut tx = self.write(now).await?;
        if stage_in(&mut tx, session_id).await? != Some(Stage::Commendation) {
            drop(tx);
            return Err(Error::Other(
                "the session moved on while the commendation was recorded".into(),
            ));
        }
        sqlx::query("INSERT INTO commendations (session_id, document_number, issued_on, body, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(session_id)
            .bind(&number)
            .bind(issued_on.to_string())
            .bind(&body)
            .bind(tx.now())
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        for w in &winners {
            sqlx::query("INSERT INTO prize_payments (winner_id, session_id, amount_fen, due_on) VALUES ($1, $2, $3, $4)")
                .bind(w.id)
                .bind(session_id)
                .bind(amount)
                .bind(due.to_string())
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            NewEntry::award(who, "award.commendation", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(19), &d.rules.meta.name)
                .summary(format!(
                    "登记表彰决定（{number}，{}），表彰{}家；安排奖金{}笔，每笔{}，{}起兑现（第二十一条）",
                    qaward_core::clock::date_zh(issued_on),
                    winners.len(),
                    winners.len(),
                    cny(amount),
                    qaward_core::clock::date_zh(due)
                ))
                .detail(serde_json::json!({
                    "document_number": number,
                    "issued_on": issued_on.to_string(),
                    "winners": winners.iter().map(|w| w.application_id).collect::<Vec<_>>(),
                    "bonus_fen": amount,
                    "due_on": due.to_string(),
                })),
        )
        .await?;
        tx.commit().await
    }

    /// Issue a certificate to every winner that has none yet (Art. 19): serials numbered
    /// within the award year, each verifiable at `verify_base`/verify/<serial>. Returns how
    /// many were issued.
    pub async fn issue_certificates(
        &self,
        who: &Who,
        session_id: i64,
        verify_base: &str,
        now: jiff::Timestamp,
    ) -> Result<usize> {
        let d = self.session_detail(session_id).await?;
        let Some(c) = self.commendation(session_id).await? else {
            return Err(self
                .refused(
                    NewEntry::award(who, "award.certificates.refused", "session", session_id)
                        .programme(d.session.programme_id),
                    qaward_core::refusal::Refusal::new(
                        "commendation_missing",
                        Some(19),
                        (&d.rules.meta.name, &d.rules.meta.name_en),
                        "证书随表彰决定颁发：请先登记表彰决定。",
                        "Certificates follow the commendation: record it first.",
                    ),
                    now,
                )
                .await);
        };
        let p = self.programme(d.session.programme_id).await?;
        let issuer = government(&p.region);
        let base = verify_base.trim_end_matches('/');
        let existing: Vec<i64> = sqlx::query(
            "SELECT c.winner_id FROM certificates c JOIN winners w ON w.id = c.winner_id WHERE w.session_id = $1",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        let todo: Vec<Winner> = self
            .winners(session_id)
            .await?
            .into_iter()
            .filter(|w| !existing.contains(&w.id))
            .collect();
        if todo.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write(now).await?;
        let prefix = certificate_serial(d.session.year, 0);
        let prefix = prefix.trim_end_matches('0');
        let used: Vec<String> = sqlx::query("SELECT serial FROM certificates WHERE serial LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut next = used
            .iter()
            .filter_map(|s| s.rsplit('-').next()?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        let today = today_of(now);
        let mut serials = Vec::new();
        for w in &todo {
            next += 1;
            let serial = certificate_serial(w.award_year, next);
            sqlx::query("INSERT INTO certificates (winner_id, serial, holder, award_name, award_year, document_number, issuer, verify_url, issued_on, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(w.id)
                .bind(&serial)
                .bind(&w.organisation_name)
                .bind(&d.rules.meta.award_name)
                .bind(i64::from(w.award_year))
                .bind(&c.document_number)
                .bind(&issuer)
                .bind(format!("{base}/verify/{serial}"))
                .bind(today.to_string())
                .bind(tx.now())
                .execute(tx.conn())
                .await?;
            serials.push(serde_json::json!({"application": w.application_id, "serial": serial}));
        }
        tx.audit(
            NewEntry::award(who, "award.certificates", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(19), &d.rules.meta.name)
                .summary(format!("颁发获奖证书{}份", serials.len()))
                .detail(serde_json::json!({"certificates": serials})),
        )
        .await?;
        tx.commit().await?;
        Ok(serials.len())
    }

    /// The certificates of a session, in list order.
    pub async fn certificates(&self, session_id: i64) -> Result<Vec<Certificate>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CERT_COLS} FROM certificates c JOIN winners w ON w.id = c.winner_id JOIN award_sessions s ON s.id = w.session_id WHERE w.session_id = $1 ORDER BY w.position"
        )))
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(cert_from)
        .collect())
    }

    /// The certificate with this serial.
    pub async fn certificate_by_serial(&self, serial: &str) -> Result<Certificate> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CERT_COLS} FROM certificates c JOIN winners w ON w.id = c.winner_id JOIN award_sessions s ON s.id = w.session_id WHERE c.serial = $1"
        )))
        .bind(serial)
        .fetch_optional(self.pool())
        .await?
        .map(|r| cert_from(&r))
        .ok_or(Error::NotFound)
    }

    /// The certificate of an application's award.
    pub async fn certificate_of(&self, application_id: i64) -> Result<Certificate> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CERT_COLS} FROM certificates c JOIN winners w ON w.id = c.winner_id JOIN award_sessions s ON s.id = w.session_id WHERE w.application_id = $1"
        )))
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| cert_from(&r))
        .ok_or(Error::NotFound)
    }

    /// Record the handing over of a winner's plaque (Art. 19): date, who received it, a note.
    pub async fn record_plaque(
        &self,
        who: &Who,
        application_id: i64,
        issued_on: &str,
        received_by: &str,
        note: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let c = self.certificate_of(application_id).await?;
        let d = self.session_detail(c.session_id).await?;
        let day = date_field("plaque_issued_on", "奖牌发放日期", issued_on)?;
        if day > today_of(now) {
            return Err(Error::invalid(
                "plaque_issued_on",
                "奖牌发放日期不能晚于今天。",
                "The plaque cannot be handed over in the future.",
            ));
        }
        let received_by = received_by.trim();
        if received_by.is_empty() {
            return Err(Error::invalid(
                "plaque_received_by",
                "请填写奖牌领取人。",
                "Enter who received the plaque.",
            ));
        }
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE certificates SET plaque_issued_on = $1, plaque_received_by = $2, plaque_note = $3, plaque_recorded_at = $4 WHERE id = $5")
            .bind(day.to_string())
            .bind(received_by)
            .bind(note.trim())
            .bind(tx.now())
            .bind(c.id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "award.plaque", "application", application_id)
                .programme(c.programme_id)
                .article(Some(19), &d.rules.meta.name)
                .summary(format!(
                    "{}的奖牌于{}发放，领取人{}",
                    c.holder,
                    qaward_core::clock::date_zh(day),
                    received_by
                ))
                .detail(serde_json::json!({"serial": c.serial, "issued_on": day.to_string(), "received_by": received_by, "note": note.trim()})),
        )
        .await?;
        tx.commit().await
    }

    /// The prize payments of a session with their totals (Art. 21).
    pub async fn payments(&self, session_id: i64) -> Result<Payments> {
        let rows: Vec<Payment> = sqlx::query(
            "SELECT p.id, p.winner_id, w.application_id, w.organisation_name, p.amount_fen, p.due_on, p.paid_on, p.voucher_no, p.payer_note FROM prize_payments p JOIN winners w ON w.id = p.winner_id WHERE p.session_id = $1 ORDER BY w.position",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Payment {
            id: r.get("id"),
            winner_id: r.get("winner_id"),
            application_id: r.get("application_id"),
            organisation_name: r.get("organisation_name"),
            amount_fen: r.get("amount_fen"),
            due_on: parse_date(Some(r.get("due_on"))).unwrap_or_default(),
            paid_on: parse_date(opt_str(r, "paid_on")),
            voucher_no: opt_str(r, "voucher_no").unwrap_or_default(),
            payer_note: opt_str(r, "payer_note").unwrap_or_default(),
        })
        .collect();
        let scheduled = rows.iter().map(|p| p.amount_fen).sum();
        let paid = rows
            .iter()
            .filter(|p| p.paid_on.is_some())
            .map(|p| p.amount_fen)
            .sum();
        Ok(Payments {
            rows,
            scheduled,
            paid,
            outstanding: scheduled - paid,
        })
    }

    /// Record a winner's prize money as paid, with its voucher number, the day paid and the
    /// payer's note, in one command: a payment already recorded, or dated before it falls
    /// due, is refused (Art. 21) on what the transaction reads.
    pub async fn record_payment(
        &self,
        who: &Who,
        application_id: i64,
        paid_on: &str,
        voucher_no: &str,
        payer_note: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        // What was typed is checked first: it needs no fact.
        let day = date_field("paid_on", "支付日期", paid_on)?;
        if day > today_of(now) {
            return Err(Error::invalid(
                "paid_on",
                "支付日期不能晚于今天。",
                "The payment cannot be dated in the future.",
            ));
        }
        let voucher = voucher_no.trim();
        if voucher.is_empty() {
            return Err(Error::invalid(
                "voucher_no",
                "请填写支付凭证号。",
                "Enter the voucher number.",
            ));
        }
        self.command(now, async |tx| {
            // The payment as it stands, read under the write lock: a second tab recording the
            // same payment sees the first one's record and is refused.
            let r = sqlx::query(
                "SELECT p.id, p.amount_fen, p.due_on, p.paid_on, w.organisation_name, s.programme_id, s.rule_set_id FROM prize_payments p JOIN winners w ON w.id = p.winner_id JOIN award_sessions s ON s.id = p.session_id WHERE w.application_id = $1",
            )
            .bind(application_id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(Error::NotFound)?;
            let (id, amount_fen, programme_id): (i64, i64, i64) =
                (r.get("id"), r.get("amount_fen"), r.get("programme_id"));
            let organisation: String = r.get("organisation_name");
            let due = parse_date(Some(r.get("due_on"))).ok_or(Error::NotFound)?;
            let recorded = parse_date(r.get::<Option<String>, _>("paid_on"));
            let rules = self.rule_set(r.get("rule_set_id")).await?.rules;
            tx.decided(decide_record_payment(&rules, recorded, due, day), || {
                NewEntry::award(who, "award.payment", "application", application_id)
                    .programme(programme_id)
            })
            .await?;
            sqlx::query("UPDATE prize_payments SET paid_on = $1, voucher_no = $2, payer_note = $3, recorded_at = $4, recorded_by = $5 WHERE id = $6")
                .bind(day.to_string())
                .bind(voucher)
                .bind(payer_note.trim())
                .bind(tx.now())
                .bind(who.user_id)
                .bind(id)
                .execute(tx.conn())
                .await?;
            tx.audit(
                NewEntry::award(who, "award.payment", "application", application_id)
                    .programme(programme_id)
                    .article(rules.award.bonus_paid.article, &rules.meta.name)
                    .summary(format!(
                        "向{organisation}兑现奖金{}（{}支付，凭证号{voucher}）",
                        cny(amount_fen),
                        qaward_core::clock::date_zh(day)
                    ))
                    .detail(serde_json::json!({"amount_fen": amount_fen, "paid_on": day.to_string(), "voucher_no": voucher, "payer_note": payer_note.trim()})),
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// A session's budgets with their totals, and the prize money they must cover (Art. 22).
    pub async fn budget(&self, session_id: i64) -> Result<Budget> {
        let d = self.session_detail(session_id).await?;
        let lines: Vec<BudgetLine> = sqlx::query(
            "SELECT id, kind, purpose, amount_fen, note FROM budget_lines WHERE session_id = $1 ORDER BY id",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| BudgetLine {
            id: r.get("id"),
            kind: BudgetKind::parse(&r.get::<String, _>("kind")).unwrap_or(BudgetKind::Work),
            purpose: r.get("purpose"),
            amount_fen: r.get("amount_fen"),
            note: r.get("note"),
        })
        .collect();
        let (work, award): (Vec<_>, Vec<_>) =
            lines.into_iter().partition(|l| l.kind == BudgetKind::Work);
        let payments = self.payments(session_id).await?;
        let (prizes_due, estimated) = if payments.rows.is_empty() {
            (
                bonus_fen(&d.rules).saturating_mul(i64::from(d.rules.session.max_winners.value)),
                true,
            )
        } else {
            (payments.scheduled, false)
        };
        Ok(Budget {
            work_total: work.iter().map(|l| l.amount_fen).sum(),
            award_total: award.iter().map(|l| l.amount_fen).sum(),
            work,
            award,
            prizes_due,
            estimated,
        })
    }

    /// Add a line to a session's work or award budget (Art. 22).
    pub async fn add_budget_line(
        &self,
        who: &Who,
        session_id: i64,
        n: &NewBudgetLine,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let d = self.session_detail(session_id).await?;
        let kind = BudgetKind::parse(n.kind.trim()).ok_or_else(|| {
            Error::invalid(
                "kind",
                "请选择预算类别：评审工作经费或奖励经费。",
                "Choose the budget: work or award.",
            )
        })?;
        let purpose = n.purpose.trim();
        if purpose.is_empty() {
            return Err(Error::invalid(
                "purpose",
                "请填写用途。",
                "Enter the purpose.",
            ));
        }
        let amount = parse_cny(&n.amount).filter(|a| *a > 0).ok_or_else(|| {
            Error::invalid(
                "amount",
                "金额应为大于零的数字（元），最多两位小数，如 500000 或 12,500.50。",
                "The amount must be a positive number of yuan with at most two decimals.",
            )
        })?;
        let mut tx = self.write(now).await?;
        let id: i64 = sqlx::query("INSERT INTO budget_lines (session_id, kind, purpose, amount_fen, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(session_id)
            .bind(kind.code())
            .bind(purpose)
            .bind(amount)
            .bind(n.note.trim())
            .bind(tx.now())
            .bind(who.user_id)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        tx.audit(
            NewEntry::award(who, "award.budget", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(22), &d.rules.meta.name)
                .summary(format!("{}列入{}：{purpose} {}", d.session.title, kind.name_zh(), cny(amount)))
                .detail(serde_json::json!({"line": id, "kind": kind.code(), "purpose": purpose, "amount_fen": amount, "note": n.note.trim()})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A session's announcements, newest first; only the published ones when `published_only`.
    pub async fn announcements(
        &self,
        session_id: i64,
        published_only: bool,
    ) -> Result<Vec<Announcement>> {
        Ok(sqlx::query(
            "SELECT id, session_id, title, body, posted_on, published FROM announcements WHERE session_id = $1 AND (published = 1 OR $2 = 0) ORDER BY posted_on DESC, id DESC",
        )
        .bind(session_id)
        .bind(i64::from(published_only))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Announcement {
            id: r.get("id"),
            session_id: r.get("session_id"),
            title: r.get("title"),
            body: r.get("body"),
            posted_on: parse_date(Some(r.get("posted_on"))).unwrap_or_default(),
            published: r.get::<i64, _>("published") != 0,
        })
        .collect())
    }

    /// Post an announcement on a session (Art. 27), published at once or kept back.
    pub async fn post_announcement(
        &self,
        who: &Who,
        session_id: i64,
        n: &NewAnnouncement,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let d = self.session_detail(session_id).await?;
        let title = n.title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            return Err(Error::invalid(
                "title",
                "请填写标题（不超过100字）。",
                "Enter a title of at most 100 characters.",
            ));
        }
        let body = n.body.trim();
        if body.is_empty() {
            return Err(Error::invalid(
                "body",
                "请填写公告正文。",
                "Enter the text of the announcement.",
            ));
        }
        let day = date_field("posted_on", "公告日期", &n.posted_on)?;
        let mut tx = self.write(now).await?;
        let id: i64 = sqlx::query("INSERT INTO announcements (session_id, title, body, posted_on, published, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
            .bind(session_id)
            .bind(title)
            .bind(body)
            .bind(day.to_string())
            .bind(i64::from(n.publish))
            .bind(tx.now())
            .fetch_one(tx.conn())
            .await?
            .get(0);
        tx.audit(
            NewEntry::award(who, "portal.announcement", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(27), &d.rules.meta.name)
                .summary(format!(
                    "{}公告“{title}”（{}）",
                    if n.publish { "发布" } else { "拟定" },
                    qaward_core::clock::date_zh(day)
                ))
                .detail(serde_json::json!({"announcement": id, "published": n.publish})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Publish or withdraw an announcement of a session.
    pub async fn set_announcement_published(
        &self,
        who: &Who,
        session_id: i64,
        announcement_id: i64,
        published: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self.session_detail(session_id).await?;
        let a = self
            .announcements(session_id, false)
            .await?
            .into_iter()
            .find(|a| a.id == announcement_id)
            .ok_or(Error::NotFound)?;
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE announcements SET published = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(published))
            .bind(tx.now())
            .bind(a.id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "portal.announcement.publish", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(27), &d.rules.meta.name)
                .summary(format!(
                    "{}公告“{}”",
                    if published { "发布" } else { "撤回" },
                    a.title
                ))
                .detail(serde_json::json!({"announcement": a.id, "published": published})),
        )
        .await?;
        tx.commit().await
    }

    /// The winners' advanced practices offered to the public for promotion (Art. 29), without
    /// any marked as trade secrets (Art. 17).
    pub async fn portal_practices(&self, session_id: i64) -> Result<Vec<PublicPractice>> {
        let winners = self.winners(session_id).await?;
        let ids: Vec<i64> = winners.iter().map(|w| w.application_id).collect();
        Ok(self
            .public_practices(&ids)
            .await?
            .into_iter()
            .map(|p| PublicPractice {
                organisation_name: winners
                    .iter()
                    .find(|w| w.application_id == p.application_id)
                    .map(|w| w.organisation_name.clone())
                    .unwrap_or_default(),
                title: p.title,
                summary: p.text,
            })
            .collect())
    }
}

/// The government of a region: 清远市 → 清远市人民政府.
pub fn government(region: &str) -> String {
    if region.is_empty() {
        "市人民政府".to_owned()
    } else {
        format!("{region}人民政府")
    }
}
