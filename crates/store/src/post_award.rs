//! After the award: the winners' annual performance reports and their reminders (Art. 30),
//! the use of the title with its misuse and forgery cases (Art. 31), and the winners' senior
//! managers joining the expert pool (Art. 29). Every change is written with its audit entry in
//! one transaction.

use crate::attachments::Written;
use crate::award::Winner;
use crate::experts::ExpertForm;
use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use qaward_core::post_award::{
    ReportStatus, overdue_day, reminder_day, report_due_dates, report_status,
};
use sqlx::Row;
use std::str::FromStr;

const MEASURES: &str = "清远市政府质量奖管理办法";

/// One of a winner's annual reports: due or not, filed or not.
#[derive(Debug, Clone)]
pub struct ReportSlot {
    /// The winner.
    pub winner: Winner,
    /// The winner's county, if known.
    pub county_id: Option<i64>,
    /// 1 for the first year after the award.
    pub year_index: u32,
    /// Due on.
    pub due_on: Date,
    /// Status today.
    pub status: ReportStatus,
    /// The report as saved, if any (a draft or filed).
    pub report: Option<AnnualReport>,
}

impl ReportSlot {
    /// Whether the winner may still change it (not filed).
    pub fn editable(&self) -> bool {
        !self.status.filed()
    }
}

/// An annual performance report as saved.
#[derive(Debug, Clone, Default)]
pub struct AnnualReport {
    /// Id.
    pub id: i64,
    /// Winner.
    pub winner_id: i64,
    /// 1 for the first year after the award.
    pub year_index: u32,
    /// Due on.
    pub due_on: Date,
    /// The calendar year it covers.
    pub covered_year: i32,
    /// 质量绩效.
    pub performance: String,
    /// 关键指标.
    pub indicators: String,
    /// 持续改进.
    pub improvement: String,
    /// 先进经验宣传推广与分享 (Art. 29).
    pub sharing: String,
    /// 重大质量、安全、环境等事故情况.
    pub incidents: String,
    /// Filed on.
    pub submitted_on: Option<Date>,
    /// Filed (µs).
    pub submitted_at: Option<i64>,
    /// Days late when filed after its due date.
    pub days_late: Option<i64>,
    /// Last saved (µs).
    pub updated_at: i64,
}

/// What the winner types in a report.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// Year covered.
    pub covered_year: String,
    /// 质量绩效.
    pub performance: String,
    /// 关键指标.
    pub indicators: String,
    /// 持续改进.
    pub improvement: String,
    /// 宣传推广与分享.
    pub sharing: String,
    /// 重大事故情况.
    pub incidents: String,
}

/// The narrative sections of a report: (field, Chinese label, English label).
pub const REPORT_SECTIONS: [(&str, &str, &str); 5] = [
    (
        "performance",
        "质量绩效：本年度质量管理取得的主要成效",
        "Quality performance this year",
    ),
    (
        "indicators",
        "关键指标：产品质量、顾客满意、经营效益等主要指标及其变化",
        "Key indicators and their trends",
    ),
    (
        "improvement",
        "持续改进与创新：针对评审反馈的改进措施",
        "Continuous improvement, in answer to the review's feedback",
    ),
    (
        "sharing",
        "先进质量管理经验的宣传推广与分享（第二十九条）",
        "Promotion and sharing of advanced practices (Art. 29)",
    ),
    (
        "incidents",
        "重大质量、安全、环境、公共卫生或食品安全事故情况（如无，请填写“无”）",
        "Any major quality, safety, environmental, public-health or food-safety incident (write “none” if none)",
    ),
];

/// A file attached to a report, a case or a complaint.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
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

/// The kind of a title case (Art. 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    /// 在产品宣传中使用.
    Products,
    /// 在产品或包装上标注.
    Packaging,
    /// 未注明获奖年度.
    NoYear,
    /// 其他违规使用.
    Other,
    /// 伪造奖牌、证书 (Art. 31 second paragraph).
    Forgery,
}

impl CaseKind {
    /// Every kind; the office opens the first four, the public reports the last.
    pub const ALL: [CaseKind; 5] = [
        CaseKind::Products,
        CaseKind::Packaging,
        CaseKind::NoYear,
        CaseKind::Other,
        CaseKind::Forgery,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Products => "products",
            CaseKind::Packaging => "packaging",
            CaseKind::NoYear => "no_year",
            CaseKind::Other => "other",
            CaseKind::Forgery => "forgery",
        }
    }
    /// The kind stored under `code`.
    pub fn parse(code: &str) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|k| k.code() == code)
    }
    /// Name in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            CaseKind::Products => "用于产品宣传",
            CaseKind::Packaging => "在产品或包装上标注",
            CaseKind::NoYear => "未注明获奖年度",
            CaseKind::Other => "其他违规使用",
            CaseKind::Forgery => "伪造奖牌、证书",
        }
    }
}

/// A title misuse or forgery case (Art. 31).
#[derive(Debug, Clone)]
pub struct TitleCase {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// The winner concerned (misuse), if any.
    pub winner_id: Option<i64>,
    /// Kind.
    pub kind: CaseKind,
    /// Acknowledgement number of a public report.
    pub ack_no: Option<String>,
    /// Who or what it is about: the winner's name, or the name seen on a forgery.
    pub subject: String,
    /// Facts.
    pub facts: String,
    /// Where it was seen.
    pub where_seen: String,
    /// Serial or text seen (forgery).
    pub serial_seen: String,
    /// Found / reported on.
    pub found_on: Date,
    /// Reporter (public report).
    pub reporter_name: String,
    /// Reporter's telephone.
    pub reporter_phone: String,
    /// open, ordered, resolved, closed.
    pub status: String,
    /// Investigation findings.
    pub findings: String,
    /// Order to correct: date.
    pub order_on: Option<Date>,
    /// Order to correct: deadline.
    pub order_deadline: Option<Date>,
    /// Order to correct: text.
    pub order_text: String,
    /// Outcome code.
    pub outcome: Option<String>,
    /// Outcome date.
    pub outcome_on: Option<Date>,
    /// Outcome note.
    pub outcome_note: String,
    /// Opened (µs).
    pub created_at: i64,
    /// Closed (µs).
    pub closed_at: Option<i64>,
}

impl TitleCase {
    /// The status in Chinese.
    pub fn status_zh(&self) -> &'static str {
        match self.status.as_str() {
            "open" => "调查核实中",
            "ordered" => "已责令改正",
            "resolved" => "已有处理结果",
            "closed" => "已结案",
            _ => "",
        }
    }
    /// The outcome in Chinese.
    pub fn outcome_zh(&self) -> &'static str {
        outcome_zh(self.outcome.as_deref().unwrap_or_default())
    }
}

/// The outcomes of a case: misuse is corrected or not; a forgery report is confirmed and
/// referred, or found groundless.
pub const OUTCOMES: [(&str, &str); 4] = [
    ("corrected", "已按期改正"),
    ("not_corrected", "逾期未改正（移送处理）"),
    ("referred", "查实伪造，移送有关部门依法追究"),
    ("unfounded", "经核实不属伪造"),
];

/// An outcome code in Chinese.
pub fn outcome_zh(code: &str) -> &'static str {
    OUTCOMES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, z)| *z)
        .unwrap_or("")
}

/// What the office types to open a misuse case.
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    /// The winner (application id).
    pub application_id: String,
    /// Kind code.
    pub kind: String,
    /// Facts.
    pub facts: String,
    /// Where seen.
    pub where_seen: String,
    /// Found on, `YYYY-MM-DD`.
    pub found_on: String,
}

/// What the public types to report a suspected forgery.
#[derive(Debug, Clone, Default)]
pub struct ForgeryInput {
    /// Reporter's name.
    pub name: String,
    /// Reporter's telephone.
    pub phone: String,
    /// What was seen.
    pub facts: String,
    /// Where.
    pub where_seen: String,
    /// The serial or text seen.
    pub serial_seen: String,
}

/// One step of a case, as typed.
#[derive(Debug, Clone, Default)]
pub struct CaseStep {
    /// findings, order, outcome or close.
    pub step: String,
    /// Findings.
    pub findings: String,
    /// Order date.
    pub order_on: String,
    /// Order deadline.
    pub order_deadline: String,
    /// Order text.
    pub order_text: String,
    /// Outcome code.
    pub outcome: String,
    /// Outcome date.
    pub outcome_on: String,
    /// Outcome note.
    pub outcome_note: String,
}

/// A winner's senior manager in the expert pool (Art. 29).
#[derive(Debug, Clone)]
pub struct WinnerManager {
    /// Expert.
    pub expert_id: i64,
    /// Name.
    pub name: String,
    /// Position at the winner.
    pub position_title: String,
    /// The winner.
    pub winner_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// Award year.
    pub award_year: i32,
    /// Whether a qualification has been entered.
    pub qualified: bool,
}

/// A senior manager named in the winner's application: (name, position).
pub type NamedManager = (String, String);

/// A problem with one field: (field, Chinese, English).
pub type FieldProblem = (&'static str, String, String);

fn date_field(field: &'static str, label: &str, s: &str) -> Result<Date> {
    Date::from_str(s.trim()).map_err(|_| {
        Error::invalid(
            field,
            format!("“{label}”：请按 年-月-日 填写（如 2026-11-25）。"),
            "Enter the date as YYYY-MM-DD.",
        )
    })
}

fn today_of(now: jiff::Timestamp) -> Date {
    now.to_zoned_datetime(qaward_core::clock::shanghai()).date()
}

fn clean_name(name: &str) -> String {
    let n: String = name
        .chars()
        .filter(|c| !c.is_control() && !"/\\".contains(*c))
        .take(120)
        .collect();
    if n.trim().is_empty() {
        "file".to_owned()
    } else {
        n
    }
}

/// Check a public forgery report: every problem, each naming its field in Chinese.
pub fn check_forgery(i: &ForgeryInput) -> Vec<FieldProblem> {
    let mut v = Vec::new();
    let name = i.name.trim().chars().count();
    if name == 0 || name > 40 {
        v.push((
            "name",
            "“举报人姓名”：请填写您的真实姓名（不超过40字）。".into(),
            "Your name: required, at most 40 characters.".into(),
        ));
    }
    let phone = i.phone.trim();
    let digits = phone.chars().filter(|c| c.is_ascii_digit()).count();
    if !(7..=20).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || "-+ ".contains(c))
    {
        v.push((
            "phone",
            "“联系电话”：请填写可以联系到您的手机或固定电话号码。".into(),
            "Telephone: a mobile or landline number where you can be reached.".into(),
        ));
    }
    let facts = i.facts.trim().chars().count();
    if !(10..=2000).contains(&facts) {
        v.push((
            "facts",
            "“所见情况”：请具体描述看到的奖牌、证书或称号（10至2000字）。".into(),
            "What you saw: describe it (10 to 2000 characters).".into(),
        ));
    }
    let place = i.where_seen.trim().chars().count();
    if place == 0 || place > 200 {
        v.push((
            "where_seen",
            "“发现地点”：请填写在何处看到（如单位名称、地址、网址，不超过200字）。".into(),
            "Where: required, at most 200 characters.".into(),
        ));
    }
    let seen = i.serial_seen.trim().chars().count();
    if seen == 0 || seen > 200 {
        v.push((
            "serial_seen",
            "“证书编号或所见文字”：请填写证书编号或奖牌、证书上的文字（不超过200字）。".into(),
            "Serial or text seen: required, at most 200 characters.".into(),
        ));
    }
    v
}

fn check_text(field: &'static str, label: &str, s: &str, max: usize) -> Result<()> {
    let n = s.trim().chars().count();
    if n == 0 {
        return Err(Error::invalid(
            field,
            format!("“{label}”：请填写。"),
            "This section is required.",
        ));
    }
    if n > max {
        return Err(Error::invalid(
            field,
            format!("“{label}”：不能超过{max}字，现有{n}字。"),
            format!("At most {max} characters."),
        ));
    }
    Ok(())
}

const REPORT_COLS: &str = "id, winner_id, year_index, due_on, covered_year, performance, indicators, improvement, sharing, incidents, submitted_on, submitted_at, days_late, updated_at";

fn report_from(r: &sqlx::any::AnyRow) -> AnnualReport {
    AnnualReport {
        id: r.get("id"),
        winner_id: r.get("winner_id"),
        year_index: u32::try_from(r.get::<i64, _>("year_index")).unwrap_or(0),
        due_on: parse_date(Some(r.get("due_on"))).unwrap_or_default(),
        covered_year: i32::try_from(r.get::<i64, _>("covered_year")).unwrap_or(0),
        performance: r.get("performance"),
        indicators: r.get("indicators"),
        improvement: r.get("improvement"),
        sharing: r.get("sharing"),
        incidents: r.get("incidents"),
        submitted_on: parse_date(opt_str(r, "submitted_on")),
        submitted_at: opt_i64(r, "submitted_at"),
        days_late: opt_i64(r, "days_late"),
        updated_at: r.get("updated_at"),
    }
}

const CASE_COLS: &str = "id, programme_id, winner_id, kind, ack_no, subject, facts, where_seen, serial_seen, found_on, reporter_name, reporter_phone, status, findings, order_on, order_deadline, order_text, outcome, outcome_on, outcome_note, created_at, closed_at";

fn case_from(r: &sqlx::any::AnyRow) -> TitleCase {
    TitleCase {
        id: r.get("id"),
        programme_id: r.get("programme_id"),
        winner_id: opt_i64(r, "winner_id"),
        kind: CaseKind::parse(&r.get::<String, _>("kind")).unwrap_or(CaseKind::Other),
        ack_no: opt_str(r, "ack_no"),
        subject: r.get("subject"),
        facts: r.get("facts"),
        where_seen: r.get("where_seen"),
        serial_seen: r.get("serial_seen"),
        found_on: parse_date(Some(r.get("found_on"))).unwrap_or_default(),
        reporter_name: r.get("reporter_name"),
        reporter_phone: r.get("reporter_phone"),
        status: r.get("status"),
        findings: r.get("findings"),
        order_on: parse_date(opt_str(r, "order_on")),
        order_deadline: parse_date(opt_str(r, "order_deadline")),
        order_text: r.get("order_text"),
        outcome: opt_str(r, "outcome"),
        outcome_on: parse_date(opt_str(r, "outcome_on")),
        outcome_note: r.get("outcome_note"),
        created_at: r.get("created_at"),
        closed_at: opt_i64(r, "closed_at"),
    }
}

/// Record `files` (already written to the file store) against row `id` of `table`.
pub(crate) async fn insert_files(
    tx: &mut Tx,
    table: &str,
    key: &str,
    id: i64,
    files: &[(String, Written)],
) -> Result<()> {
    let at = tx.now();
    for (name, w) in files {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({key}, filename, mime, size, sha256, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6)"
        )))
        .bind(id)
        .bind(clean_name(name))
        .bind(w.mime)
        .bind(i64::try_from(w.size).unwrap_or(i64::MAX))
        .bind(&w.sha256)
        .bind(at)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

impl Store {
    async fn county_of_org(&self, organisation_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query("SELECT county_id FROM organisations WHERE id = $1")
                .bind(organisation_id)
                .fetch_optional(self.pool())
                .await?
                .and_then(|r| opt_i64(&r, "county_id")),
        )
    }

    /// A winner by its id.
    pub async fn winner(&self, winner_id: i64) -> Result<Winner> {
        let aid: i64 = sqlx::query("SELECT application_id FROM winners WHERE id = $1")
            .bind(winner_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?
            .get(0);
        self.winner_of(aid).await
    }

    /// The report slots of one winner on `today`: one per year after the award (Art. 30),
    /// due on the anniversaries of the commendation; none before the commendation.
    pub async fn report_slots(&self, w: &Winner, today: Date) -> Result<Vec<ReportSlot>> {
        let Some(com) = self.commendation(w.session_id).await? else {
            return Ok(Vec::new());
        };
        let d = self.session_detail(w.session_id).await?;
        let county_id = self.county_of_org(w.organisation_id).await?;
        let saved: Vec<AnnualReport> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REPORT_COLS} FROM annual_reports WHERE winner_id = $1"
        )))
        .bind(w.id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(report_from)
        .collect();
        let remind = d.rules.post_award.reminder_days_before.value;
        Ok(report_due_dates(&d.rules, com.issued_on)
            .into_iter()
            .enumerate()
            .map(|(i, due)| {
                let k = u32::try_from(i + 1).unwrap_or(1);
                let report = saved.iter().find(|r| r.year_index == k).cloned();
                let status = report_status(
                    due,
                    today,
                    report.as_ref().and_then(|r| r.submitted_on),
                    remind,
                );
                ReportSlot {
                    winner: w.clone(),
                    county_id,
                    year_index: k,
                    due_on: due,
                    status,
                    report,
                }
            })
            .collect())
    }

    /// Every report slot of a session's winners on `today`, winners in list order.
    pub async fn session_report_slots(
        &self,
        session_id: i64,
        today: Date,
    ) -> Result<Vec<ReportSlot>> {
        let mut out = Vec::new();
        for w in self.winners(session_id).await? {
            out.extend(self.report_slots(&w, today).await?);
        }
        Ok(out)
    }

    /// Every report slot of the winners of one county, across sessions, on `today`.
    pub async fn county_report_slots(
        &self,
        county_id: i64,
        today: Date,
    ) -> Result<Vec<ReportSlot>> {
        let ids: Vec<i64> = sqlx::query("SELECT w.application_id FROM winners w JOIN organisations o ON o.id = w.organisation_id WHERE o.county_id = $1 ORDER BY w.session_id, w.position")
            .bind(county_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::new();
        for aid in ids {
            let w = self.winner_of(aid).await?;
            out.extend(self.report_slots(&w, today).await?);
        }
        Ok(out)
    }

    /// One report slot of a winner.
    pub async fn report_slot(
        &self,
        winner_id: i64,
        year_index: u32,
        today: Date,
    ) -> Result<ReportSlot> {
        let w = self.winner(winner_id).await?;
        self.report_slots(&w, today)
            .await?
            .into_iter()
            .find(|s| s.year_index == year_index)
            .ok_or(Error::NotFound)
    }

    /// The files of a report.
    pub async fn annual_report_files(&self, report_id: i64) -> Result<Vec<EvidenceFile>> {
        files_of(self, "annual_report_files", "report_id", report_id).await
    }

    /// Save a winner's annual report as a draft, or file it (`submit`), with any new files
    /// (Art. 30). Filing needs every section; a report filed after its due date is accepted and
    /// recorded as late, with the days late. A filed report is not changed again.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_annual_report(
        &self,
        who: &Who,
        winner_id: i64,
        year_index: u32,
        input: &ReportInput,
        files: &[(String, Written)],
        submit: bool,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let today = today_of(now);
        let slot = self.report_slot(winner_id, year_index, today).await?;
        let d = self.session_detail(slot.winner.session_id).await?;
        if !slot.editable() {
            return Err(Error::invalid(
                "covered_year",
                "该年度绩效报告已报送，不能再修改。",
                "This report is filed and cannot be changed.",
            ));
        }
        let covered: i32 = input.covered_year.trim().parse().unwrap_or(0);
        if !(2000..=2100).contains(&covered) {
            return Err(Error::invalid(
                "covered_year",
                "“报告年度”：请填写四位数年份，如 2025。",
                "Year covered: a four-digit year.",
            ));
        }
        let texts = [
            &input.performance,
            &input.indicators,
            &input.improvement,
            &input.sharing,
            &input.incidents,
        ];
        for ((field, label, _), text) in REPORT_SECTIONS.iter().zip(texts) {
            let label = label.split('：').next().unwrap_or(label);
            if submit || text.trim().chars().count() > 5000 {
                check_text(field, label, text, 5000)?;
            }
        }
        let late = submit.then(|| qaward_core::post_award::days_between(slot.due_on, today));
        let days_late = late.filter(|d| *d > 0);
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let id: i64 = match &slot.report {
            Some(r) => {
                sqlx::query("UPDATE annual_reports SET covered_year = $1, performance = $2, indicators = $3, improvement = $4, sharing = $5, incidents = $6, submitted_on = $7, submitted_at = $8, days_late = $9, updated_at = $10, updated_by = $11 WHERE id = $12 AND submitted_on IS NULL")
                    .bind(i64::from(covered))
                    .bind(input.performance.trim())
                    .bind(input.indicators.trim())
                    .bind(input.improvement.trim())
                    .bind(input.sharing.trim())
                    .bind(input.incidents.trim())
                    .bind(submit.then(|| today.to_string()))
                    .bind(submit.then_some(at))
                    .bind(days_late)
                    .bind(at)
                    .bind(who.user_id)
                    .bind(r.id)
                    .execute(tx.conn())
                    .await?;
                r.id
            }
            None => sqlx::query("INSERT INTO annual_reports (winner_id, year_index, due_on, covered_year, performance, indicators, improvement, sharing, incidents, submitted_on, submitted_at, days_late, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id")
                .bind(winner_id)
                .bind(i64::from(year_index))
                .bind(slot.due_on.to_string())
                .bind(i64::from(covered))
                .bind(input.performance.trim())
                .bind(input.indicators.trim())
                .bind(input.improvement.trim())
                .bind(input.sharing.trim())
                .bind(input.incidents.trim())
                .bind(submit.then(|| today.to_string()))
                .bind(submit.then_some(at))
                .bind(days_late)
                .bind(at)
                .bind(who.user_id)
                .fetch_one(tx.conn())
                .await?
                .get(0),
        };
        insert_files(&mut tx, "annual_report_files", "report_id", id, files).await?;
        let w = &slot.winner;
        let what = if submit {
            match days_late {
                Some(n) => format!(
                    "{}报送第{year_index}年度绩效报告（{covered}年度），逾期报送：应于{}前报送，逾期{n}天",
                    w.organisation_name,
                    qaward_core::clock::date_zh(slot.due_on)
                ),
                None => format!(
                    "{}报送第{year_index}年度绩效报告（{covered}年度），按期报送（应于{}前报送）",
                    w.organisation_name,
                    qaward_core::clock::date_zh(slot.due_on)
                ),
            }
        } else {
            format!("{}保存第{year_index}年度绩效报告草稿", w.organisation_name)
        };
        tx.audit(
            NewEntry::award(who, if submit { "post_award.report.submit" } else { "post_award.report.save" }, "annual_report", id)
                .programme(w.programme_id)
                .article(d.rules.post_award.report_years.article, &d.rules.meta.name)
                .summary(what.clone())
                .detail(serde_json::json!({"winner": w.id, "year_index": year_index, "due_on": slot.due_on.to_string(), "days_late": days_late, "files": files.iter().map(|(_, f)| &f.sha256).collect::<Vec<_>>()}))
                .state(if submit { if days_late.is_some() { "filed_late" } else { "filed" } } else { "draft" }),
        )
        .await?;
        if submit {
            let office: Vec<i64> = sqlx::query("SELECT DISTINCT user_id FROM role_grants WHERE role = 'city_office' AND programme_id = $1")
                .bind(w.programme_id)
                .fetch_all(tx.conn())
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            Store::notify_users(
                &mut tx,
                &office,
                &format!("{}已报送绩效报告", w.organisation_name),
                &format!("{what}（《管理办法》第三十条）。"),
                Some(&format!("/reports/{id}")),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// One saved report with its slot, for reading.
    pub async fn annual_report(&self, id: i64, today: Date) -> Result<ReportSlot> {
        let r = sqlx::query("SELECT winner_id, year_index FROM annual_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        let k = u32::try_from(r.get::<i64, _>("year_index")).unwrap_or(0);
        self.report_slot(r.get("winner_id"), k, today).await
    }

    /// Send the reminders that are due at `now`, each once (Art. 30): to the winner from the
    /// rule set's number of days before a report's due date, and, the day after it passes
    /// unfiled, to the winner and the city office. Returns how many reminders went out.
    pub async fn send_report_reminders(&self, now: jiff::Timestamp) -> Result<usize> {
        let today = today_of(now);
        let winners: Vec<i64> = sqlx::query("SELECT w.id FROM winners w JOIN commendations c ON c.session_id = w.session_id ORDER BY w.id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut sent = 0;
        for wid in winners {
            let w = self.winner(wid).await?;
            let d = self.session_detail(w.session_id).await?;
            let remind = d.rules.post_award.reminder_days_before.value;
            for s in self.report_slots(&w, today).await? {
                if s.status.filed() {
                    continue;
                }
                let kind = if today >= overdue_day(s.due_on) {
                    "overdue"
                } else if today >= reminder_day(s.due_on, remind) {
                    "before"
                } else {
                    continue;
                };
                let mut tx = self.write(now).await?;
                let done = sqlx::query("SELECT id FROM report_reminders WHERE winner_id = $1 AND year_index = $2 AND kind = $3")
                    .bind(w.id)
                    .bind(i64::from(s.year_index))
                    .bind(kind)
                    .fetch_optional(tx.conn())
                    .await?
                    .is_some();
                if done {
                    continue;
                }
                sqlx::query("INSERT INTO report_reminders (winner_id, year_index, kind, due_on, sent_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(w.id)
                    .bind(i64::from(s.year_index))
                    .bind(kind)
                    .bind(s.due_on.to_string())
                    .bind(tx.now())
                    .execute(tx.conn())
                    .await?;
                let due = qaward_core::clock::date_zh(s.due_on);
                let link = format!("/applications/{}/post-award", w.application_id);
                let (subject, body) = if kind == "before" {
                    (
                        format!("请于{due}前报送第{}年度质量奖绩效报告", s.year_index),
                        format!(
                            "{}：根据《管理办法》第三十条，获奖后{}年内应每年向市强市办及所在县（市、区）市场监管部门报送市政府质量奖绩效报告。第{}年度的绩效报告应于{due}前报送。",
                            w.organisation_name,
                            d.rules.post_award.report_years.value,
                            s.year_index
                        ),
                    )
                } else {
                    (
                        format!("第{}年度质量奖绩效报告已逾期未报", s.year_index),
                        format!(
                            "{}第{}年度的市政府质量奖绩效报告应于{due}前报送，至今未报送，已逾期（《管理办法》第三十条）。请尽快报送，逾期报送将标注逾期天数。",
                            w.organisation_name, s.year_index
                        ),
                    )
                };
                Store::notify_organisation(
                    &mut tx,
                    w.organisation_id,
                    &subject,
                    &body,
                    Some(&link),
                )
                .await?;
                if kind == "overdue" {
                    let office: Vec<i64> = sqlx::query("SELECT DISTINCT user_id FROM role_grants WHERE role = 'city_office' AND programme_id = $1")
                        .bind(w.programme_id)
                        .fetch_all(tx.conn())
                        .await?
                        .iter()
                        .map(|r| r.get(0))
                        .collect();
                    Store::notify_users(
                        &mut tx,
                        &office,
                        &format!(
                            "{}第{}年度绩效报告逾期未报",
                            w.organisation_name, s.year_index
                        ),
                        &body,
                        Some(&format!("/office/sessions/{}/reports", w.session_id)),
                    )
                    .await?;
                }
                tx.audit(
                    NewEntry::award(&Who::system(), "post_award.report.reminder", "winner", w.id)
                        .programme(w.programme_id)
                        .article(d.rules.post_award.report_years.article, &d.rules.meta.name)
                        .summary(subject.clone())
                        .detail(serde_json::json!({"year_index": s.year_index, "due_on": s.due_on.to_string(), "kind": kind})),
                )
                .await?;
                tx.commit().await?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// The title cases of a programme: open ones first, newest first.
    pub async fn title_cases(&self, programme_id: i64) -> Result<Vec<TitleCase>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM title_cases WHERE programme_id = $1 ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, id DESC"
        )))
        .bind(programme_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(case_from)
        .collect())
    }

    /// One title case.
    pub async fn title_case(&self, id: i64) -> Result<TitleCase> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLS} FROM title_cases WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| case_from(&r))
        .ok_or(Error::NotFound)
    }

    /// The evidence files of a case.
    pub async fn title_case_files(&self, case_id: i64) -> Result<Vec<EvidenceFile>> {
        files_of(self, "title_case_files", "case_id", case_id).await
    }

    /// The awards an organisation has won, newest first.
    pub async fn winners_of_organisation(&self, organisation_id: i64) -> Result<Vec<Winner>> {
        self.winners_where(
            "SELECT application_id FROM winners WHERE organisation_id = $1 ORDER BY award_year DESC",
            organisation_id,
        )
        .await
    }

    /// The winners whose application ids `sql` (one `$1` parameter) lists, in its order.
    async fn winners_where(&self, sql: &'static str, id: i64) -> Result<Vec<Winner>> {
        let ids: Vec<i64> = sqlx::query(sql)
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut v = Vec::new();
        for a in ids {
            v.push(self.winner_of(a).await?);
        }
        Ok(v)
    }

    /// Every winner of a programme, newest session first, for the case form.
    pub async fn programme_winners(&self, programme_id: i64) -> Result<Vec<Winner>> {
        self.winners_where(
            "SELECT w.application_id FROM winners w JOIN award_sessions s ON s.id = w.session_id WHERE s.programme_id = $1 ORDER BY s.year DESC, w.position",
            programme_id,
        )
        .await
    }

    /// Open a misuse case against a winner (Art. 31): used in product publicity, on products or
    /// packaging, without the award year, or otherwise; with its facts and evidence.
    pub async fn open_title_case(
        &self,
        who: &Who,
        programme_id: i64,
        input: &CaseInput,
        files: &[(String, Written)],
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let kind = CaseKind::parse(input.kind.trim())
            .filter(|k| *k != CaseKind::Forgery)
            .ok_or_else(|| {
                Error::invalid(
                    "kind",
                    "“违规情形”：请选择用于产品宣传、在产品或包装上标注、未注明获奖年度或其他。",
                    "Kind: choose one.",
                )
            })?;
        let aid: i64 = input.application_id.trim().parse().unwrap_or(0);
        let w = self
            .programme_winners(programme_id)
            .await?
            .into_iter()
            .find(|w| w.application_id == aid)
            .ok_or_else(|| {
                Error::invalid(
                    "application_id",
                    "“获奖单位”：请选择本项目的获奖单位。",
                    "Winner: choose one of this programme's winners.",
                )
            })?;
        check_text("facts", "违规事实", &input.facts, 2000)?;
        check_text("where_seen", "发现地点或载体", &input.where_seen, 200)?;
        let found = date_field("found_on", "发现日期", &input.found_on)?;
        if found > today_of(now) {
            return Err(Error::invalid(
                "found_on",
                "“发现日期”：不能晚于今天。",
                "Found on: not in the future.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let id: i64 = sqlx::query("INSERT INTO title_cases (programme_id, winner_id, kind, subject, facts, where_seen, serial_seen, found_on, reporter_name, reporter_phone, status, findings, order_text, outcome_note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '', $7, '', '', 'open', '', '', '', $8, $8) RETURNING id")
            .bind(programme_id)
            .bind(w.id)
            .bind(kind.code())
            .bind(&w.organisation_name)
            .bind(input.facts.trim())
            .bind(input.where_seen.trim())
            .bind(found.to_string())
            .bind(at)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        insert_files(&mut tx, "title_case_files", "case_id", id, files).await?;
        tx.audit(
            NewEntry::award(who, "post_award.case.open", "title_case", id)
                .programme(programme_id)
                .article(Some(31), MEASURES)
                .summary(format!(
                    "立案：{}（{}年度获奖）涉嫌违规使用称号——{}，{}发现于{}",
                    w.organisation_name,
                    w.award_year,
                    kind.zh(),
                    qaward_core::clock::date_zh(found),
                    input.where_seen.trim()
                ))
                .detail(
                    serde_json::json!({"winner": w.id, "kind": kind.code(), "files": files.len()}),
                )
                .state("open"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Register a public report of a suspected forgery of the plaque or certificate (Art. 31,
    /// second paragraph). It goes to the programme of the certificate whose serial was seen, or,
    /// when the serial is unknown (the likely case of a forgery), to the programme that issued
    /// the newest certificates. Returns the case and its acknowledgement number.
    pub async fn report_forgery(
        &self,
        input: &ForgeryInput,
        files: &[(String, Written)],
        now: jiff::Timestamp,
    ) -> Result<(i64, String)> {
        if let Some((field, zh, en)) = check_forgery(input).into_iter().next() {
            return Err(Error::Invalid {
                field: field.to_owned(),
                zh,
                en,
            });
        }
        let serial = input.serial_seen.trim().to_uppercase();
        let known = self.certificate_by_serial(&serial).await.ok();
        let programme_id: i64 = match &known {
            Some(c) => c.programme_id,
            None => sqlx::query("SELECT s.programme_id FROM certificates c JOIN winners w ON w.id = c.winner_id JOIN award_sessions s ON s.id = w.session_id ORDER BY c.issued_at DESC, c.id DESC")
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.get(0))
                .ok_or_else(|| Error::invalid(
                    "serial_seen",
                    "系统中尚无已颁发的证书，暂不能受理伪造举报，请直接向市强市办反映。",
                    "No certificate has been issued yet; contact the city office directly.",
                ))?,
        };
        let today = today_of(now);
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM title_cases WHERE ack_no IS NOT NULL")
            .fetch_one(tx.conn())
            .await?
            .get(0);
        let ack = format!("WZ-{}-{:04}", today.year(), n + 1);
        let subject = known
            .as_ref()
            .map(|c| format!("{}（证书{}）", c.holder, c.serial))
            .unwrap_or_else(|| format!("未登记的编号或文字：{}", input.serial_seen.trim()));
        let id: i64 = sqlx::query("INSERT INTO title_cases (programme_id, winner_id, kind, ack_no, subject, facts, where_seen, serial_seen, found_on, reporter_name, reporter_phone, status, findings, order_text, outcome_note, created_at, updated_at) VALUES ($1, $2, 'forgery', $3, $4, $5, $6, $7, $8, $9, $10, 'open', '', '', '', $11, $11) RETURNING id")
            .bind(programme_id)
            .bind(known.as_ref().map(|c| c.winner_id))
            .bind(&ack)
            .bind(&subject)
            .bind(input.facts.trim())
            .bind(input.where_seen.trim())
            .bind(input.serial_seen.trim())
            .bind(today.to_string())
            .bind(input.name.trim())
            .bind(input.phone.trim())
            .bind(at)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        insert_files(&mut tx, "title_case_files", "case_id", id, files).await?;
        let office: Vec<i64> = sqlx::query("SELECT DISTINCT user_id FROM role_grants WHERE role = 'city_office' AND programme_id = $1")
            .bind(programme_id)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Store::notify_users(
            &mut tx,
            &office,
            &format!("收到涉嫌伪造奖牌、证书的举报（{ack}）"),
            &format!(
                "举报所见：{subject}；发现地点：{}（《管理办法》第三十一条）。",
                input.where_seen.trim()
            ),
            Some(&format!("/office/title-cases/{id}")),
        )
        .await?;
        tx.audit(
            NewEntry::award(&Who::anonymous(input.name.trim()), "post_award.forgery.report", "title_case", id)
                .programme(programme_id)
                .article(Some(31), MEASURES)
                .summary(format!("受理涉嫌伪造奖牌、证书举报{ack}：{subject}，发现于{}，证据{}份", input.where_seen.trim(), files.len()))
                .detail(serde_json::json!({"serial_seen": input.serial_seen.trim(), "known_certificate": known.as_ref().map(|c| c.id), "files": files.len()}))
                .state("open"),
        )
        .await?;
        tx.commit().await?;
        Ok((id, ack))
    }

    /// One step of a case (Art. 31): `findings` (investigation), `order` (责令改正: date,
    /// deadline and text; misuse only), `outcome` (corrected / not corrected for misuse;
    /// referred / unfounded for a forgery report) and `close`.
    pub async fn title_case_step(
        &self,
        who: &Who,
        id: i64,
        s: &CaseStep,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let c = self.title_case(id).await?;
        let today = today_of(now);
        if c.status == "closed" {
            return Err(Error::invalid(
                "step",
                "该案件已结案，不能再修改。",
                "The case is closed.",
            ));
        }
        let forgery = c.kind == CaseKind::Forgery;
        let (sql, binds, summary, state): (&str, Vec<Option<String>>, String, &str) = match s
            .step
            .as_str()
        {
            "findings" => {
                check_text("findings", "调查核实情况", &s.findings, 2000)?;
                (
                    "UPDATE title_cases SET findings = $1, updated_at = $2 WHERE id = $3",
                    vec![Some(s.findings.trim().to_owned())],
                    format!("案件{}记录调查核实情况", case_label(&c)),
                    c.status.as_str(),
                )
            }
            "order" => {
                if forgery {
                    return Err(Error::invalid(
                        "order_text",
                        "伪造举报不适用责令改正，请直接登记核查结果。",
                        "A forgery report has no order to correct.",
                    ));
                }
                if c.status != "open" {
                    return Err(Error::invalid(
                        "order_text",
                        "已登记责令改正或处理结果，不能再次责令改正。",
                        "The order to correct is already recorded.",
                    ));
                }
                let on = date_field("order_on", "责令改正日期", &s.order_on)?;
                let deadline = date_field("order_deadline", "改正期限", &s.order_deadline)?;
                if on > today {
                    return Err(Error::invalid(
                        "order_on",
                        "“责令改正日期”：不能晚于今天。",
                        "Not in the future.",
                    ));
                }
                if deadline < on {
                    return Err(Error::invalid(
                        "order_deadline",
                        "“改正期限”：不能早于责令改正日期。",
                        "The deadline cannot be before the order.",
                    ));
                }
                check_text("order_text", "责令改正内容", &s.order_text, 2000)?;
                return self
                        .case_update(
                            who,
                            &c,
                            "UPDATE title_cases SET order_on = $1, order_deadline = $2, order_text = $3, status = 'ordered', updated_at = $4 WHERE id = $5",
                            vec![
                                Some(on.to_string()),
                                Some(deadline.to_string()),
                                Some(s.order_text.trim().to_owned()),
                            ],
                            format!(
                                "案件{}：{}责令{}改正，期限至{}",
                                case_label(&c),
                                qaward_core::clock::date_zh(on),
                                c.subject,
                                qaward_core::clock::date_zh(deadline)
                            ),
                            "ordered",
                            now,
                        )
                        .await;
            }
            "outcome" => {
                let allowed: &[&str] = if forgery {
                    &["referred", "unfounded"]
                } else {
                    &["corrected", "not_corrected"]
                };
                if !allowed.contains(&s.outcome.as_str()) {
                    return Err(Error::invalid(
                        "outcome",
                        "“处理结果”：请选择处理结果。",
                        "Outcome: choose one.",
                    ));
                }
                if !forgery && c.status != "ordered" {
                    return Err(Error::invalid(
                        "outcome",
                        "请先登记责令改正，再登记改正结果（《管理办法》第三十一条）。",
                        "Record the order to correct first (Art. 31).",
                    ));
                }
                let on = date_field("outcome_on", "结果日期", &s.outcome_on)?;
                if on > today {
                    return Err(Error::invalid(
                        "outcome_on",
                        "“结果日期”：不能晚于今天。",
                        "Not in the future.",
                    ));
                }
                if s.outcome != "corrected" {
                    check_text("outcome_note", "处理说明", &s.outcome_note, 2000)?;
                }
                return self
                        .case_update(
                            who,
                            &c,
                            "UPDATE title_cases SET outcome = $1, outcome_on = $2, outcome_note = $3, status = 'resolved', updated_at = $4 WHERE id = $5",
                            vec![
                                Some(s.outcome.clone()),
                                Some(on.to_string()),
                                Some(s.outcome_note.trim().to_owned()),
                            ],
                            format!(
                                "案件{}处理结果：{}（{}）{}",
                                case_label(&c),
                                outcome_zh(&s.outcome),
                                qaward_core::clock::date_zh(on),
                                if s.outcome_note.trim().is_empty() {
                                    String::new()
                                } else {
                                    format!("，{}", s.outcome_note.trim())
                                }
                            ),
                            "resolved",
                            now,
                        )
                        .await;
            }
            "close" => {
                if c.status != "resolved" {
                    return Err(Error::invalid(
                        "step",
                        "登记处理结果后才能结案。",
                        "Record the outcome before closing.",
                    ));
                }
                (
                    "UPDATE title_cases SET status = 'closed', closed_at = $1, updated_at = $1 WHERE id = $2",
                    vec![],
                    format!("案件{}结案", case_label(&c)),
                    "closed",
                )
            }
            _ => {
                return Err(Error::invalid("step", "未知的办理步骤。", "Unknown step."));
            }
        };
        self.case_update(who, &c, sql, binds, summary, state, now)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn case_update(
        &self,
        who: &Who,
        c: &TitleCase,
        sql: &str,
        binds: Vec<Option<String>>,
        summary: String,
        state: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for b in &binds {
            q = q.bind(b.clone());
        }
        q.bind(at).bind(c.id).execute(tx.conn()).await?;
        tx.audit(
            NewEntry::award(who, "post_award.case.step", "title_case", c.id)
                .programme(c.programme_id)
                .article(Some(31), MEASURES)
                .summary(summary)
                .detail(serde_json::json!({"kind": c.kind.code(), "values": binds}))
                .state(state),
        )
        .await?;
        tx.commit().await
    }

    /// The senior managers the winner named in its application (最高管理者, 质量负责人,
    /// 法定代表人), once each: (name, position).
    pub async fn named_managers(&self, application_id: i64) -> Result<Vec<NamedManager>> {
        let a = self.application(application_id).await?;
        let mut out: Vec<NamedManager> = Vec::new();
        for (key, title) in [
            ("identity.top_manager", "最高管理者"),
            ("identity.quality_head", "质量负责人"),
            ("identity.legal_rep", "法定代表人"),
        ] {
            let name = a.values.get(key).map(|s| s.trim()).unwrap_or_default();
            if !name.is_empty() && !out.iter().any(|(n, _)| n == name) {
                out.push((name.to_owned(), title.to_owned()));
            }
        }
        Ok(out)
    }

    /// The winners' senior managers already in a programme's pool.
    pub async fn winner_managers(&self, programme_id: i64) -> Result<Vec<WinnerManager>> {
        Ok(sqlx::query("SELECT m.expert_id, e.name, m.position_title, m.winner_id, w.organisation_name, w.award_year, e.qualification_no, e.qualified_until FROM winner_managers m JOIN experts e ON e.id = m.expert_id JOIN winners w ON w.id = m.winner_id WHERE e.programme_id = $1 ORDER BY m.winner_id, m.expert_id")
            .bind(programme_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| WinnerManager {
                expert_id: r.get("expert_id"),
                name: r.get("name"),
                position_title: r.get("position_title"),
                winner_id: r.get("winner_id"),
                organisation_name: r.get("organisation_name"),
                award_year: i32::try_from(r.get::<i64, _>("award_year")).unwrap_or(0),
                qualified: !r.get::<String, _>("qualification_no").trim().is_empty()
                    && opt_str(r, "qualified_until").is_some(),
            })
            .collect())
    }

    /// Add a winner's senior manager to the programme's expert pool (Art. 29), flagged as a
    /// winner's manager with its origin (which winner, which year), once the commendation is
    /// out. The expert is saved as any other, with the audit entry citing Art. 29, in one
    /// transaction.
    pub async fn add_winner_manager(
        &self,
        who: &Who,
        application_id: i64,
        position_title: &str,
        form: &ExpertForm,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let w = self.winner_of(application_id).await?;
        if self.commendation(w.session_id).await?.is_none() {
            return Err(Error::invalid(
                "name",
                "表彰决定发文后，才能将获奖单位高层管理人员列入专家库（《管理办法》第二十九条）。",
                "The managers join the pool once the commendation is out (Art. 29).",
            ));
        }
        let position = position_title.trim();
        if position.is_empty() || position.chars().count() > 40 {
            return Err(Error::invalid(
                "position_title",
                "“职务”：请填写其在获奖单位的职务（不超过40字）。",
                "Position: required, at most 40 characters.",
            ));
        }
        let mut f = form.clone();
        f.winner_manager = true;
        let origin = format!(
            "{}年度获奖单位{}的{}（《管理办法》第二十九条）",
            w.award_year, w.organisation_name, position
        );
        f.note = if form.note.trim().is_empty() {
            origin.clone()
        } else {
            format!("{origin}；{}", form.note.trim())
        };
        f.username = String::new();
        let p = crate::experts::check_profile(&f)?;
        let mut tx = self.write(now).await?;
        let id = Self::upsert_expert(&mut tx, who, w.programme_id, None, &f, &p, None).await?;
        sqlx::query("INSERT INTO winner_managers (expert_id, winner_id, position_title, added_at, added_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(w.id)
            .bind(position)
            .bind(tx.now())
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "post_award.manager.add", "expert", id)
                .programme(w.programme_id)
                .article(Some(29), MEASURES)
                .summary(format!(
                    "获奖单位高层管理人员列入评审专家库：{}，{origin}",
                    f.name.trim()
                ))
                .detail(serde_json::json!({"winner": w.id, "position": position, "award_year": w.award_year}))
                .state("winner_manager"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

fn case_label(c: &TitleCase) -> String {
    c.ack_no.clone().unwrap_or_else(|| format!("第{}号", c.id))
}

/// The files recorded against row `id` of `table`, oldest first.
pub(crate) async fn files_of(
    s: &Store,
    table: &str,
    key: &str,
    id: i64,
) -> Result<Vec<EvidenceFile>> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, filename, mime, size, sha256 FROM {table} WHERE {key} = $1 ORDER BY id"
    )))
    .bind(id)
    .fetch_all(s.pool())
    .await?
    .iter()
    .map(|r| EvidenceFile {
        id: r.get("id"),
        filename: r.get("filename"),
        mime: r.get("mime"),
        size: r.get("size"),
        sha256: r.get("sha256"),
    })
    .collect())
}
