//! Revocation of an award (Art. 32, 33): the office opens a case against a winner on one of
//! the two grounds, submits it to the municipal government, records the government's answer,
//! and on approval — in one transaction — revokes the certificate, enters the ban, drafts the
//! public announcement and tells the organisation. The return of the plaque and the
//! certificate is followed up afterwards. The ban feeds the eligibility check of the
//! application stage through [`Store::eligibility_history`].
//!
//! A revoked award no longer counts as a win for the re-application bar of Art. 11: the
//! organisation is held by the ban of Art. 32/33 instead, which is the stricter rule the
//! measures attach to a revocation.

use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use qaward_core::award::{document_year, is_document_number};
use qaward_core::clock::date_zh;
use qaward_core::refusal::Refusal;
use qaward_core::revocation::{AccidentKind, Ground, ban_ends, decide_case};
use sqlx::Row;
use std::str::FromStr;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    /// Opened by the office, being prepared.
    Open,
    /// Submitted to the municipal government for approval.
    Submitted,
    /// Approved: the award is revoked.
    Approved,
    /// Not approved: closed without revocation.
    Rejected,
}

impl CaseStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Submitted => "submitted",
            CaseStatus::Approved => "approved",
            CaseStatus::Rejected => "rejected",
        }
    }

    /// The status stored under `code`.
    pub fn parse(code: &str) -> Option<CaseStatus> {
        [
            CaseStatus::Open,
            CaseStatus::Submitted,
            CaseStatus::Approved,
            CaseStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// Name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            CaseStatus::Open => "已立案，待报批",
            CaseStatus::Submitted => "已提请市政府批准",
            CaseStatus::Approved => "市政府已批准撤销",
            CaseStatus::Rejected => "市政府未批准，已结案",
        }
    }
}

/// One thing the winner must give back after a revocation, and what became of it.
#[derive(Debug, Clone, Default)]
pub struct Return {
    /// `returned` or `not_returned`; none while still awaited.
    pub status: Option<String>,
    /// Day received (or day noted).
    pub on: Option<Date>,
    /// Received by.
    pub by: Option<String>,
    /// Note.
    pub note: Option<String>,
}

/// A revocation case.
#[derive(Debug, Clone)]
pub struct RevocationCase {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// The session of the award.
    pub session_id: i64,
    /// The winner.
    pub winner_id: i64,
    /// The organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// The ground.
    pub ground: Ground,
    /// The article the ground rests on.
    pub article: u32,
    /// What was found.
    pub facts: String,
    /// The evidence, described.
    pub evidence: String,
    /// For an accident: its kind.
    pub accident_kind: Option<AccidentKind>,
    /// For an accident: its day.
    pub accident_on: Option<Date>,
    /// The commendation date (the award date).
    pub awarded_on: Date,
    /// Where it stands.
    pub status: CaseStatus,
    /// Submitted to the government on.
    pub submitted_on: Option<Date>,
    /// The office's submission (请示) 文号.
    pub submission_number: Option<String>,
    /// The government's answer: 文号.
    pub decision_number: Option<String>,
    /// The government's answer: day.
    pub decided_on: Option<Date>,
    /// Note on the answer.
    pub decision_note: Option<String>,
    /// The drafted announcement.
    pub announcement_id: Option<i64>,
    /// The plaque.
    pub plaque: Return,
    /// The certificate.
    pub certificate: Return,
    /// A note on the prize money (the measures say nothing of recovering it).
    pub prize_note: Option<String>,
    /// Opened (µs).
    pub opened_at: i64,
}

impl RevocationCase {
    /// The day from which the organisation may apply again, once approved.
    pub fn ban_ends(&self, rules: &qaward_core::rules::RuleSet) -> Option<Date> {
        self.decided_on
            .filter(|_| self.status == CaseStatus::Approved)
            .map(|d| ban_ends(rules, d))
    }
}

/// A ban entered by an approved revocation (Art. 32, 33).
#[derive(Debug, Clone)]
pub struct Ban {
    /// The case.
    pub case_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Its credit code.
    pub credit_code: String,
    /// From (the approval day).
    pub banned_from: Date,
    /// The first day it may apply again.
    pub banned_until: Date,
    /// Article.
    pub article: u32,
}

/// A winner of the programme the office may open a case against.
#[derive(Debug, Clone)]
pub struct Revocable {
    /// Winner.
    pub winner_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// Award year.
    pub award_year: i32,
    /// The commendation date.
    pub awarded_on: Date,
    /// The certificate serial, if issued.
    pub serial: Option<String>,
}

/// What the office types to open a case.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// The winner, as chosen.
    pub winner_id: String,
    /// Ground code.
    pub ground: String,
    /// What was found.
    pub facts: String,
    /// The evidence, described.
    pub evidence: String,
    /// Accident kind code.
    pub accident_kind: String,
    /// Accident day, `YYYY-MM-DD`.
    pub accident_on: String,
}

const CASE_COLS: &str = "id, programme_id, session_id, winner_id, organisation_id, organisation_name, ground, article, facts, evidence, accident_kind, accident_on, awarded_on, status, submitted_on, submission_number, decision_number, decided_on, decision_note, announcement_id, plaque_return, plaque_return_on, plaque_return_by, plaque_return_note, certificate_return, certificate_return_on, certificate_return_by, certificate_return_note, prize_note, opened_at";

fn case_from(r: &sqlx::any::AnyRow) -> RevocationCase {
    let ret = |p: &str| Return {
        status: opt_str(r, &format!("{p}_return")),
        on: parse_date(opt_str(r, &format!("{p}_return_on"))),
        by: opt_str(r, &format!("{p}_return_by")),
        note: opt_str(r, &format!("{p}_return_note")),
    };
    RevocationCase {
        id: r.get("id"),
        programme_id: r.get("programme_id"),
        session_id: r.get("session_id"),
        winner_id: r.get("winner_id"),
        organisation_id: r.get("organisation_id"),
        organisation_name: r.get("organisation_name"),
        ground: Ground::parse(&r.get::<String, _>("ground")).unwrap_or(Ground::FalseMaterials),
        article: u32::try_from(r.get::<i64, _>("article")).unwrap_or(32),
        facts: r.get("facts"),
        evidence: r.get("evidence"),
        accident_kind: opt_str(r, "accident_kind").and_then(|k| AccidentKind::parse(&k)),
        accident_on: parse_date(opt_str(r, "accident_on")),
        awarded_on: parse_date(Some(r.get("awarded_on"))).unwrap_or_default(),
        status: CaseStatus::parse(&r.get::<String, _>("status")).unwrap_or(CaseStatus::Open),
        submitted_on: parse_date(opt_str(r, "submitted_on")),
        submission_number: opt_str(r, "submission_number"),
        decision_number: opt_str(r, "decision_number"),
        decided_on: parse_date(opt_str(r, "decided_on")),
        decision_note: opt_str(r, "decision_note"),
        announcement_id: opt_i64(r, "announcement_id"),
        plaque: ret("plaque"),
        certificate: ret("certificate"),
        prize_note: opt_str(r, "prize_note"),
        opened_at: r.get("opened_at"),
    }
}

fn today_of(now: jiff::Timestamp) -> Date {
    now.to_zoned_datetime(qaward_core::clock::shanghai()).date()
}

fn date_field(field: &'static str, label: &str, s: &str) -> Result<Date> {
    Date::from_str(s.trim()).map_err(|_| {
        Error::invalid(
            field,
            format!("请填写{label}，格式为 年-月-日（如 2026-11-25）。"),
            "Enter the date as YYYY-MM-DD.",
        )
    })
}

fn not_future(field: &'static str, label: &str, d: Date, today: Date) -> Result<()> {
    if d > today {
        return Err(Error::invalid(
            field,
            format!("{label}不能晚于今天。"),
            "The date cannot be in the future.",
        ));
    }
    Ok(())
}

fn doc_number(field: &'static str, label: &str, s: &str, day: Option<Date>) -> Result<String> {
    let t = s.trim();
    if !is_document_number(t) {
        return Err(Error::invalid(
            field,
            format!(
                "{label}格式不正确：应为“发文机关代字〔年份〕序号号”，如 清府函〔2026〕101号（年份用六角括号〔〕）。"
            ),
            "The document number must look like 清府函〔2026〕101号 (issuer, year in 〔〕, number, 号).",
        ));
    }
    if let (Some(y), Some(d)) = (document_year(t), day)
        && y != i32::from(d.year())
    {
        return Err(Error::invalid(
            field,
            format!("{label}中的年份（{y}）与发文日期（{}）不一致。", date_zh(d)),
            "The year in the document number does not match its date.",
        ));
    }
    Ok(t.to_owned())
}

fn refusal_for(rules: &qaward_core::rules::RuleSet, article: u32, zh: String, en: &str) -> Refusal {
    Refusal::new(
        "revocation_state",
        Some(article),
        (rules.meta.name.as_str(), rules.meta.name_en.as_str()),
        zh,
        en,
    )
}

impl Store {
    /// The winners of a programme, with their commendation dates, that have no case under way
    /// or approved (the office's choice when opening a case).
    pub async fn revocable_winners(&self, programme_id: i64) -> Result<Vec<Revocable>> {
        Ok(sqlx::query(
            "SELECT w.id, w.organisation_name, w.award_year, c.issued_on, \
             (SELECT serial FROM certificates k WHERE k.winner_id = w.id) AS serial \
             FROM winners w JOIN award_sessions s ON s.id = w.session_id \
             JOIN commendations c ON c.session_id = w.session_id \
             WHERE s.programme_id = $1 AND NOT EXISTS (SELECT 1 FROM revocation_cases r WHERE r.winner_id = w.id AND r.status <> 'rejected') \
             ORDER BY w.award_year DESC, w.position",
        )
        .bind(programme_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Revocable {
            winner_id: r.get("id"),
            organisation_name: r.get("organisation_name"),
            award_year: i32::try_from(r.get::<i64, _>("award_year")).unwrap_or(0),
            awarded_on: parse_date(Some(r.get("issued_on"))).unwrap_or_default(),
            serial: opt_str(r, "serial"),
        })
        .collect())
    }

    /// The revocation cases of a programme, newest first.
    pub async fn revocation_cases(&self, programme_id: i64) -> Result<Vec<RevocationCase>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM revocation_cases WHERE programme_id = $1 ORDER BY id DESC"
        )))
        .bind(programme_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(case_from)
        .collect())
    }

    /// The evidence files of a revocation case, oldest first.
    pub async fn revocation_case_files(
        &self,
        id: i64,
    ) -> Result<Vec<crate::post_award::EvidenceFile>> {
        crate::post_award::files_of(self, "revocation_case_files", "case_id", id).await
    }

    /// One revocation case.
    pub async fn revocation_case(&self, id: i64) -> Result<RevocationCase> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM revocation_cases WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| case_from(&r))
        .ok_or(Error::NotFound)
    }

    /// The approved revocation of a certificate's winner, if any (for the verification page).
    pub async fn revocation_of_winner(&self, winner_id: i64) -> Result<Option<RevocationCase>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM revocation_cases WHERE winner_id = $1 AND status = 'approved'"
        )))
        .bind(winner_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| case_from(&r)))
    }

    /// The bans entered in a programme, newest first.
    pub async fn award_bans(&self, programme_id: i64) -> Result<Vec<Ban>> {
        Ok(sqlx::query(
            "SELECT case_id, organisation_id, credit_code, banned_from, banned_until, article FROM award_bans WHERE programme_id = $1 ORDER BY banned_from DESC, id DESC",
        )
        .bind(programme_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ban {
            case_id: r.get("case_id"),
            organisation_id: r.get("organisation_id"),
            credit_code: r.get("credit_code"),
            banned_from: parse_date(Some(r.get("banned_from"))).unwrap_or_default(),
            banned_until: parse_date(Some(r.get("banned_until"))).unwrap_or_default(),
            article: u32::try_from(r.get::<i64, _>("article")).unwrap_or(32),
        })
        .collect())
    }

    /// What the eligibility check needs of an organisation's history in its programme
    /// (Art. 11, 32, 33): the years of its awards that still stand, and the days on which an
    /// award of it was revoked. Organisations are registered per programme under their
    /// credit code, so the organisation is the same enterprise within the same award.
    pub async fn eligibility_history(&self, organisation_id: i64) -> Result<(Vec<i32>, Vec<Date>)> {
        let wins = sqlx::query(
            "SELECT w.award_year FROM winners w WHERE w.organisation_id = $1 AND NOT EXISTS (SELECT 1 FROM revocation_cases r WHERE r.winner_id = w.id AND r.status = 'approved')",
        )
        .bind(organisation_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| i32::try_from(r.get::<i64, _>(0)).unwrap_or(0))
        .collect();
        let bans = sqlx::query("SELECT banned_from FROM award_bans WHERE organisation_id = $1")
            .bind(organisation_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .filter_map(|r| parse_date(Some(r.get(0))))
            .collect();
        Ok((wins, bans))
    }

    /// Open a revocation case against a winner of the programme (Art. 32, 33). An accident
    /// case outside the window of Art. 33 is refused, with the dates.
    pub async fn open_revocation(
        &self,
        who: &Who,
        programme_id: i64,
        n: &NewCase,
        files: &[(String, crate::attachments::Written)],
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let today = today_of(now);
        let winner_id: i64 = n.winner_id.trim().parse().map_err(|_| {
            Error::invalid(
                "winner_id",
                "请选择被撤销奖励的获奖单位。",
                "Choose the winner.",
            )
        })?;
        let w = self
            .revocable_winners(programme_id)
            .await?
            .into_iter()
            .find(|w| w.winner_id == winner_id)
            .ok_or_else(|| {
                Error::invalid(
                    "winner_id",
                    "所选单位不是本项目已表彰的获奖单位，或已有撤销案件在办。",
                    "The chosen organisation is not a commended winner of this programme, or a case is already under way.",
                )
            })?;
        let winner =
            sqlx::query("SELECT w.session_id, w.organisation_id FROM winners w WHERE w.id = $1")
                .bind(winner_id)
                .fetch_one(self.pool())
                .await?;
        let session_id: i64 = winner.get("session_id");
        let organisation_id: i64 = winner.get("organisation_id");
        let d = self.session_detail(session_id).await?;
        let ground = Ground::parse(n.ground.trim()).ok_or_else(|| {
            Error::invalid(
                "ground",
                "请选择撤销理由（第三十二条弄虚作假，或第三十三条重大事故）。",
                "Choose the ground.",
            )
        })?;
        let facts = n.facts.trim();
        if facts.is_empty() {
            return Err(Error::invalid(
                "facts",
                "请填写查实的事实。",
                "Describe the facts found.",
            ));
        }
        let evidence = n.evidence.trim();
        if evidence.is_empty() {
            return Err(Error::invalid(
                "evidence",
                "请填写证据材料（名称、来源、取得日期）。",
                "Describe the evidence.",
            ));
        }
        let (kind, accident_on) = match ground {
            Ground::FalseMaterials => (None, None),
            Ground::MajorAccident => {
                let kind = AccidentKind::parse(n.accident_kind.trim()).ok_or_else(|| {
                    Error::invalid(
                        "accident_kind",
                        "请选择事故类别。",
                        "Choose the kind of accident.",
                    )
                })?;
                let on = date_field("accident_on", "事故发生日期", &n.accident_on)?;
                (Some(kind), Some(on))
            }
        };
        let article = ground.article(&d.rules);
        if let Err(r) = decide_case(&d.rules, ground, w.awarded_on, accident_on, today) {
            return Err(self
                .refused(
                    NewEntry::award(who, "revocation.open.refused", "winner", winner_id)
                        .programme(programme_id),
                    r,
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let id: i64 = sqlx::query("INSERT INTO revocation_cases (programme_id, session_id, winner_id, organisation_id, organisation_name, ground, article, facts, evidence, accident_kind, accident_on, awarded_on, status, opened_at, opened_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13, $14, $13) RETURNING id")
            .bind(programme_id)
            .bind(session_id)
            .bind(winner_id)
            .bind(organisation_id)
            .bind(&w.organisation_name)
            .bind(ground.code())
            .bind(i64::from(article))
            .bind(facts)
            .bind(evidence)
            .bind(kind.map(|k| k.code()))
            .bind(accident_on.map(|d| d.to_string()))
            .bind(w.awarded_on.to_string())
            .bind(at)
            .bind(who.user_id)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        crate::post_award::insert_files(&mut tx, "revocation_case_files", "case_id", id, files)
            .await?;
        tx.audit(
            NewEntry::award(who, "revocation.open", "revocation", id)
                .programme(programme_id)
                .article(Some(article), &d.rules.meta.name)
                .summary(format!(
                    "对{}（{}年度获奖）立案撤销奖励：{}",
                    w.organisation_name,
                    w.award_year,
                    ground.name_zh()
                ))
                .detail(serde_json::json!({"winner": winner_id, "ground": ground.code(), "accident_kind": kind.map(|k| k.code()), "accident_on": accident_on.map(|d| d.to_string()), "awarded_on": w.awarded_on.to_string()}))
                .state(CaseStatus::Open.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Submit a case to the municipal government for approval (提请市政府批准).
    pub async fn submit_revocation(
        &self,
        who: &Who,
        id: i64,
        submitted_on: &str,
        submission_number: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let c = self.revocation_case(id).await?;
        let d = self.session_detail(c.session_id).await?;
        let day = date_field("submitted_on", "报送日期", submitted_on)?;
        not_future("submitted_on", "报送日期", day, today_of(now))?;
        if day < today_of(qaward_core::clock::from_micros(c.opened_at)) {
            return Err(Error::invalid(
                "submitted_on",
                "报送日期不能早于立案日期。",
                "The submission cannot predate the opening of the case.",
            ));
        }
        let number = doc_number(
            "submission_number",
            "请示文号",
            submission_number,
            Some(day),
        )?;
        if c.status != CaseStatus::Open {
            return Err(self
                .refused(
                    NewEntry::award(who, "revocation.submit.refused", "revocation", id)
                        .programme(c.programme_id),
                    refusal_for(
                        &d.rules,
                        c.article,
                        format!("本案件当前状态为“{}”，不能再次报送。", c.status.name_zh()),
                        "The case is not open.",
                    ),
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        let n = sqlx::query("UPDATE revocation_cases SET status = 'submitted', submitted_on = $1, submission_number = $2, updated_at = $3 WHERE id = $4 AND status = 'open'")
            .bind(day.to_string())
            .bind(&number)
            .bind(tx.now())
            .bind(id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n != 1 {
            return Err(Error::Other("revocation case changed meanwhile".into()));
        }
        tx.audit(
            NewEntry::award(who, "revocation.submit", "revocation", id)
                .programme(c.programme_id)
                .article(Some(c.article), &d.rules.meta.name)
                .summary(format!(
                    "提请市政府批准撤销{}的奖励（{number}，{}）",
                    c.organisation_name,
                    date_zh(day)
                ))
                .detail(serde_json::json!({"submitted_on": day.to_string(), "submission_number": number}))
                .state(CaseStatus::Submitted.code()),
        )
        .await?;
        tx.commit().await
    }

    /// Record the municipal government's answer. On approval, in one transaction: the
    /// certificate is revoked, the ban entered, the announcement drafted on the session's
    /// portal and the organisation told; on rejection the case closes without revocation.
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_revocation(
        &self,
        who: &Who,
        id: i64,
        approved: Option<bool>,
        decision_number: &str,
        decided_on: &str,
        note: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let c = self.revocation_case(id).await?;
        let d = self.session_detail(c.session_id).await?;
        let Some(approved) = approved else {
            return Err(Error::invalid(
                "outcome",
                "请选择市政府的批复结果（批准撤销或不予批准）。",
                "Choose the government's answer.",
            ));
        };
        let day = date_field("decided_on", "批复日期", decided_on)?;
        not_future("decided_on", "批复日期", day, today_of(now))?;
        let number = doc_number("decision_number", "批复文号", decision_number, Some(day))?;
        let doc = d.rules.meta.name.clone();
        if c.status != CaseStatus::Submitted {
            return Err(self
                .refused(
                    NewEntry::award(who, "revocation.decide.refused", "revocation", id)
                        .programme(c.programme_id),
                    refusal_for(
                        &d.rules,
                        c.article,
                        format!(
                            "撤销奖励须报市政府批准：本案件当前状态为“{}”，只有已提请批准的案件才能登记批复。",
                            c.status.name_zh()
                        ),
                        "Only a case submitted to the government can have its answer recorded.",
                    ),
                    now,
                )
                .await);
        }
        if c.submitted_on.is_some_and(|s| day < s) {
            return Err(Error::invalid(
                "decided_on",
                "批复日期不能早于报送日期。",
                "The answer cannot predate the submission.",
            ));
        }
        let note = note.trim();
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let status = if approved {
            CaseStatus::Approved
        } else {
            CaseStatus::Rejected
        };
        let n = sqlx::query("UPDATE revocation_cases SET status = $1, decision_number = $2, decided_on = $3, decision_note = $4, updated_at = $5 WHERE id = $6 AND status = 'submitted'")
            .bind(status.code())
            .bind(&number)
            .bind(day.to_string())
            .bind(note)
            .bind(at)
            .bind(id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n != 1 {
            return Err(Error::Other("revocation case changed meanwhile".into()));
        }
        if !approved {
            tx.audit(
                NewEntry::award(who, "revocation.rejected", "revocation", id)
                    .programme(c.programme_id)
                    .article(Some(c.article), &doc)
                    .summary(format!(
                        "市政府未批准撤销{}的奖励（{number}，{}），案件结案",
                        c.organisation_name,
                        date_zh(day)
                    ))
                    .detail(serde_json::json!({"decision_number": number, "decided_on": day.to_string(), "note": note}))
                    .state(status.code()),
            )
            .await?;
            return tx.commit().await;
        }
        let until = ban_ends(&d.rules, day);
        let revocation_note = format!(
            "经市人民政府批准（{number}，{}），依据《{doc}》第{}条撤销奖励：{}。",
            date_zh(day),
            qaward_core::citation::chinese_numeral(c.article),
            c.ground.name_zh()
        );
        let serial: Option<String> =
            sqlx::query("SELECT serial FROM certificates WHERE winner_id = $1")
                .bind(c.winner_id)
                .fetch_optional(tx.conn())
                .await?
                .map(|r| r.get(0));
        sqlx::query("UPDATE certificates SET revoked_at = $1, revocation_note = $2 WHERE winner_id = $3 AND revoked_at IS NULL")
            .bind(at)
            .bind(&revocation_note)
            .bind(c.winner_id)
            .execute(tx.conn())
            .await?;
        let credit_code: String =
            sqlx::query("SELECT credit_code FROM organisations WHERE id = $1")
                .bind(c.organisation_id)
                .fetch_one(tx.conn())
                .await?
                .get(0);
        sqlx::query("INSERT INTO award_bans (programme_id, organisation_id, credit_code, case_id, banned_from, banned_until, article, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(c.programme_id)
            .bind(c.organisation_id)
            .bind(&credit_code)
            .bind(id)
            .bind(day.to_string())
            .bind(until.to_string())
            .bind(i64::from(c.article))
            .bind(at)
            .execute(tx.conn())
            .await?;
        let year = sqlx::query("SELECT award_year FROM winners WHERE id = $1")
            .bind(c.winner_id)
            .fetch_one(tx.conn())
            .await?
            .get::<i64, _>(0);
        let n_ban = d.rules.revocation.ban_years.value;
        let title = format!(
            "关于撤销{}{}年度{}的公告",
            c.organisation_name, year, d.rules.meta.award_name
        );
        let body = format!(
            "{}因{}，依据《{doc}》第{}条，经市人民政府批准（{number}），撤销其{year}年度{}称号，收回证书{}和奖牌。\n自{}起{n_ban}年内不接受该单位再次申报{}（至{}止）。\n特此公告。",
            c.organisation_name,
            c.ground.name_zh(),
            qaward_core::citation::chinese_numeral(c.article),
            d.rules.meta.award_name,
            serial
                .as_deref()
                .map(|s| format!("（编号{s}）"))
                .unwrap_or_default(),
            date_zh(day),
            d.rules.meta.award_name,
            date_zh(until.yesterday().unwrap_or(until)),
        );
        let announcement: i64 = sqlx::query("INSERT INTO announcements (session_id, title, body, posted_on, published, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id")
            .bind(c.session_id)
            .bind(&title)
            .bind(&body)
            .bind(today_of(now).to_string())
            .bind(at)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        sqlx::query("UPDATE revocation_cases SET announcement_id = $1 WHERE id = $2")
            .bind(announcement)
            .bind(id)
            .execute(tx.conn())
            .await?;
        Store::notify_organisation(
            &mut tx,
            c.organisation_id,
            &format!("{year}年度{}已被撤销", d.rules.meta.award_name),
            &format!(
                "{}：\n{revocation_note}\n请将证书和奖牌交回市强市办。自{}起{n_ban}年内不接受贵单位再次申报。",
                c.organisation_name,
                date_zh(day)
            ),
            Some(&format!("/revocations/{id}")),
        )
        .await?;
        tx.audit(
            NewEntry::award(who, "revocation.approved", "revocation", id)
                .programme(c.programme_id)
                .article(Some(c.article), &doc)
                .summary(format!(
                    "经市政府批准（{number}，{}）撤销{}{year}年度的奖励，证书{}已注销；{n_ban}年内不接受其申报（至{}止）；撤销公告已拟定待发布",
                    date_zh(day),
                    c.organisation_name,
                    serial.clone().unwrap_or_default(),
                    date_zh(until.yesterday().unwrap_or(until))
                ))
                .detail(serde_json::json!({"decision_number": number, "decided_on": day.to_string(), "serial": serial, "banned_from": day.to_string(), "banned_until": until.to_string(), "announcement": announcement, "note": note}))
                .state(status.code()),
        )
        .await?;
        tx.commit().await
    }

    /// Publish the drafted revocation announcement on the portal (Art. 27).
    pub async fn publish_revocation(&self, who: &Who, id: i64, now: jiff::Timestamp) -> Result<()> {
        let c = self.revocation_case(id).await?;
        let Some(a) = c.announcement_id else {
            return Err(Error::invalid(
                "announcement",
                "撤销获批后才有撤销公告可发布。",
                "There is no announcement before the approval.",
            ));
        };
        self.set_announcement_published(who, c.session_id, a, true, now)
            .await
    }

    /// Record what became of the plaque or the certificate (`item`), or a note on the prize
    /// money (`item` = `prize`), after an approved revocation.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_revocation_return(
        &self,
        who: &Who,
        id: i64,
        item: &str,
        status: &str,
        on: &str,
        by: &str,
        note: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let c = self.revocation_case(id).await?;
        let d = self.session_detail(c.session_id).await?;
        let label = match item {
            "plaque" => "奖牌",
            "certificate" => "证书",
            "prize" => "奖金",
            _ => {
                return Err(Error::invalid(
                    "item",
                    "请选择登记事项（奖牌、证书或奖金）。",
                    "Choose what to record.",
                ));
            }
        };
        if c.status != CaseStatus::Approved {
            return Err(self
                .refused(
                    NewEntry::award(who, "revocation.return.refused", "revocation", id)
                        .programme(c.programme_id),
                    refusal_for(
                        &d.rules,
                        c.article,
                        "市政府批准撤销后，方可登记证书和奖牌的收回情况。".into(),
                        "Returns are recorded after the approval.",
                    ),
                    now,
                )
                .await);
        }
        let note = note.trim();
        let mut tx = self.write(now).await?;
        let summary;
        let detail;
        if item == "prize" {
            if note.is_empty() {
                return Err(Error::invalid(
                    "prize_note",
                    "请填写奖金情况说明。",
                    "Enter the note on the prize money.",
                ));
            }
            sqlx::query(
                "UPDATE revocation_cases SET prize_note = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(note)
            .bind(tx.now())
            .bind(id)
            .execute(tx.conn())
            .await?;
            summary = format!("登记{}奖金情况说明：{note}", c.organisation_name);
            detail = serde_json::json!({"item": item, "note": note});
        } else {
            let returned = match status {
                "returned" => true,
                "not_returned" => false,
                _ => {
                    return Err(Error::invalid(
                        "status",
                        format!("请选择{label}是否已交回。"),
                        "Choose whether it was returned.",
                    ));
                }
            };
            let day = date_field(
                "on",
                if returned {
                    "收回日期"
                } else {
                    "登记日期"
                },
                on,
            )?;
            not_future("on", "日期", day, today_of(now))?;
            let by = by.trim();
            if returned && by.is_empty() {
                return Err(Error::invalid(
                    "by",
                    "请填写经办接收人。",
                    "Enter who received it.",
                ));
            }
            if !returned && note.is_empty() {
                return Err(Error::invalid(
                    "note",
                    format!("{label}未交回的，请说明情况。"),
                    "Explain why it was not returned.",
                ));
            }
            let sql = if item == "plaque" {
                "UPDATE revocation_cases SET plaque_return = $1, plaque_return_on = $2, plaque_return_by = $3, plaque_return_note = $4, updated_at = $5 WHERE id = $6"
            } else {
                "UPDATE revocation_cases SET certificate_return = $1, certificate_return_on = $2, certificate_return_by = $3, certificate_return_note = $4, updated_at = $5 WHERE id = $6"
            };
            sqlx::query(sql)
                .bind(status)
                .bind(day.to_string())
                .bind(by)
                .bind(note)
                .bind(tx.now())
                .bind(id)
                .execute(tx.conn())
                .await?;
            summary = if returned {
                format!(
                    "{}的{label}已于{}交回，接收人{by}",
                    c.organisation_name,
                    date_zh(day)
                )
            } else {
                format!("{}的{label}未交回：{note}", c.organisation_name)
            };
            detail = serde_json::json!({"item": item, "status": status, "on": day.to_string(), "by": by, "note": note});
        }
        tx.audit(
            NewEntry::award(who, "revocation.return", "revocation", id)
                .programme(c.programme_id)
                .article(Some(c.article), &d.rules.meta.name)
                .summary(summary)
                .detail(detail),
        )
        .await?;
        tx.commit().await
    }
}
