//! The expert pool (评审专家库, Art. 7, 8, 24, 29): the office keeps it; leadership and
//! discipline read it. The pool page lists, filters, adds, imports and exports experts; the
//! profile shows everything on file (employment, training and assessment, declared ties,
//! sanctions, ratings), takes new dated records and sanctions, and lists the conflicts of
//! interest (Art. 25) with the applications in review.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use qaward_core::authz::{Action, Role};
use qaward_core::experts::{Level, TieKind, Unqualified};
use qaward_core::industry::SECTIONS;
use qaward_docs::experts_xlsx as book;
use qaward_store::experts::{
    Expert, ExpertForm, HistoryForm, HistoryKind, ImportExpert, SanctionForm,
};
use qaward_store::programme::Programme;
use std::collections::HashMap;

/// A choice of a select.
pub struct Opt {
    /// Value sent.
    pub value: String,
    /// Label shown.
    pub label: String,
}

fn opt(value: impl Into<String>, label: impl Into<String>) -> Opt {
    Opt {
        value: value.into(),
        label: label.into(),
    }
}

/// The profile form as typed (or as on file).
#[derive(Default)]
pub struct ExpertFields {
    /// 姓名.
    pub name: String,
    /// 身份证号.
    pub id_number: String,
    /// 性别.
    pub gender: String,
    /// 手机号码.
    pub phone: String,
    /// 电子邮箱.
    pub email: String,
    /// 职称.
    pub title: String,
    /// 学历.
    pub education: String,
    /// Level code.
    pub level: String,
    /// Sections as typed.
    pub industries: String,
    /// 资格证书编号.
    pub qualification_no: String,
    /// Valid from.
    pub qualified_from: String,
    /// Valid until.
    pub qualified_until: String,
    /// A winner's senior manager (Art. 29).
    pub winner_manager: bool,
    /// 备注.
    pub note: String,
    /// Linked reviewer account.
    pub username: String,
}

impl ExpertFields {
    fn typed(f: &FormData) -> Self {
        ExpertFields {
            name: f.get("name"),
            id_number: f.get("id_number"),
            gender: f.get("gender"),
            phone: f.get("phone"),
            email: f.get("email"),
            title: f.get("title"),
            education: f.get("education"),
            level: f.get("level"),
            industries: f.get("industries"),
            qualification_no: f.get("qualification_no"),
            qualified_from: f.get("qualified_from"),
            qualified_until: f.get("qualified_until"),
            winner_manager: f.get("winner_manager") == "1",
            note: f.raw("note").trim().to_owned(),
            username: f.get("username"),
        }
    }

    fn of(e: &Expert) -> Self {
        let d = |x: Option<Date>| x.map(|d| d.to_string()).unwrap_or_default();
        ExpertFields {
            name: e.name.clone(),
            id_number: e.id_number.clone(),
            gender: e.gender.clone(),
            phone: e.phone.clone(),
            email: e.email.clone(),
            title: e.title.clone(),
            education: e.education.clone(),
            level: e.level.code().to_owned(),
            industries: e
                .industries
                .iter()
                .map(char::to_string)
                .collect::<Vec<_>>()
                .join("、"),
            qualification_no: e.qualification_no.clone(),
            qualified_from: d(e.qualified_from),
            qualified_until: d(e.qualified_until),
            winner_manager: e.winner_manager,
            note: e.note.clone(),
            username: e.username.clone().unwrap_or_default(),
        }
    }

    fn form(&self) -> ExpertForm {
        ExpertForm {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            gender: self.gender.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            title: self.title.clone(),
            education: self.education.clone(),
            level: self.level.clone(),
            industries: self.industries.clone(),
            qualification_no: self.qualification_no.clone(),
            qualified_from: self.qualified_from.clone(),
            qualified_until: self.qualified_until.clone(),
            winner_manager: self.winner_manager,
            note: self.note.clone(),
            username: self.username.clone(),
        }
    }
}

/// Whether an expert may review today, as a code for filters and a short label.
fn standing(page: &PageCtx, e: &Expert, today: Date) -> (&'static str, String, String) {
    match e.qualification(today) {
        Ok(()) => ("qualified", page.t("有效"), String::new()),
        Err(u) => {
            let reason = if page.zh() { u.zh() } else { u.en() };
            let (code, label) = match u {
                Unqualified::Removed => ("removed", page.t("已取消资格")),
                Unqualified::Expired(_) => ("expired", page.t("资格已过期")),
                Unqualified::NotYetValid(_) => ("not_yet_valid", page.t("资格尚未生效")),
                Unqualified::NoValidity => ("no_validity", page.t("未登记资格有效期")),
                Unqualified::Trainee => ("trainee", page.t("见习，不能参加评审组")),
                Unqualified::NoPassedAssessment => ("no_assessment", page.t("无考核合格记录")),
                Unqualified::NotLeaderEligible => ("qualified", page.t("有效")),
            };
            (code, label, reason)
        }
    }
}

fn status_options(page: &PageCtx) -> Vec<Opt> {
    vec![
        opt("qualified", page.t("有效")),
        opt("expired", page.t("资格已过期")),
        opt("not_yet_valid", page.t("资格尚未生效")),
        opt("no_validity", page.t("未登记资格有效期")),
        opt("no_assessment", page.t("无考核合格记录")),
        opt("trainee", page.t("见习，不能参加评审组")),
        opt("removed", page.t("已取消资格")),
    ]
}

fn level_name(page: &PageCtx, l: Level) -> &'static str {
    if page.zh() { l.zh() } else { l.en() }
}

fn level_options(page: &PageCtx) -> Vec<Opt> {
    Level::ALL
        .iter()
        .map(|l| opt(l.code(), level_name(page, *l)))
        .collect()
}

fn section_name(page: &PageCtx, c: char) -> String {
    let name = if page.zh() {
        qaward_core::industry::section_zh(c)
    } else {
        qaward_core::industry::section_en(c)
    };
    format!("{c} {}", name.unwrap_or_default())
}

fn section_options(page: &PageCtx) -> Vec<Opt> {
    SECTIONS
        .iter()
        .map(|(c, ..)| opt(c.to_string(), section_name(page, *c)))
        .collect()
}

fn sections_text(page: &PageCtx, v: &[char]) -> String {
    v.iter()
        .map(|c| section_name(page, *c))
        .collect::<Vec<_>>()
        .join(if page.zh() { "；" } else { "; " })
}

/// A day, or "".
fn day(page: &PageCtx, d: Option<Date>) -> String {
    d.map(|d| page.date(d)).unwrap_or_default()
}

/// "2019年3月1日 至 2024年6月30日", "2019年3月1日 至今", "".
fn period(page: &PageCtx, start: Option<Date>, end: Option<Date>) -> String {
    match (start, end) {
        (None, None) => String::new(),
        (s, None) => format!("{} {}", day(page, s), page.t("至今")),
        (s, Some(e)) => format!("{} {} {}", day(page, s), page.t("至"), page.date(e)),
    }
}

/// A qualification's validity: "2025年1月1日 至 2027年12月31日", "2025年1月1日 起", "".
fn validity(page: &PageCtx, from: Option<Date>, until: Option<Date>) -> String {
    match (from, until) {
        (None, None) => String::new(),
        (Some(f), None) => format!("{} {}", page.date(f), page.t("起")),
        (f, Some(u)) => format!("{} {} {}", day(page, f), page.t("至"), page.date(u)),
    }
    .trim()
    .to_owned()
}

/// One row of the pool table.
pub struct PoolRow {
    /// Expert id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Sections, with names.
    pub industries: String,
    /// Current employer.
    pub employer: String,
    /// Validity period.
    pub validity: String,
    /// Status code.
    pub status_code: &'static str,
    /// Status.
    pub status: String,
    /// Why not qualified, in full.
    pub reason: String,
    /// Warnings on file.
    pub warnings: usize,
    /// A winner's senior manager (Art. 29).
    pub winner_manager: bool,
    /// Linked reviewer account.
    pub username: String,
}

/// A problem of an import: sheet, row, column, message.
pub struct ImportErrorView {
    /// Sheet.
    pub sheet: String,
    /// Row: "第3行", or which expert's record.
    pub row: String,
    /// Column header.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_experts.html")]
struct PoolPage {
    c: PageCtx,
    p: Programme,
    rows: Vec<PoolRow>,
    total: usize,
    manage: bool,
    q: String,
    level: String,
    status: String,
    industry: String,
    levels: Vec<Opt>,
    statuses: Vec<Opt>,
    sections: Vec<Opt>,
    sections_hint: String,
    ef: ExpertFields,
    errors: FormErrors,
    import_errors: Vec<ImportErrorView>,
    imported: Option<(usize, usize, usize)>,
}

async fn pool_view(
    st: &AppState,
    c: &Ctx,
    pid: i64,
    q: &HashMap<String, String>,
    ef: ExpertFields,
    errors: FormErrors,
    import_errors: Vec<ImportErrorView>,
) -> Result<PoolPage, AppError> {
    c.authorize(Action::ViewProgrammeOffice { programme_id: pid })?;
    let p = st.store.programme(pid).await?;
    let experts: Vec<Expert> = st
        .store
        .experts(pid)
        .await?
        .into_iter()
        .map(|e| for_reader(c, e))
        .collect();
    let page = c.page();
    let today = st.clock.today();
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let (search, level, status, industry) =
        (get("q"), get("level"), get("status"), get("industry"));
    let total = experts.len();
    let rows = experts
        .iter()
        .filter(|e| level.is_empty() || e.level.code() == level)
        .filter(|e| {
            industry.is_empty()
                || industry
                    .chars()
                    .next()
                    .is_some_and(|c| e.industries.contains(&c))
        })
        .filter(|e| search.is_empty() || e.name.contains(&search) || e.id_number.contains(&search))
        .map(|e| {
            let (status_code, status, reason) = standing(&page, e, today);
            PoolRow {
                id: e.id,
                name: e.name.clone(),
                level: level_name(&page, e.level).to_owned(),
                industries: sections_text(&page, &e.industries),
                employer: e
                    .employer()
                    .map(|j| j.employer_name.clone())
                    .unwrap_or_default(),
                validity: validity(&page, e.qualified_from, e.qualified_until),
                status_code,
                status,
                reason,
                warnings: e.warnings(),
                winner_manager: e.winner_manager,
                username: e.username.clone().unwrap_or_default(),
            }
        })
        .filter(|r| status.is_empty() || r.status_code == status)
        .collect();
    let imported = match (q.get("created"), q.get("updated"), q.get("history")) {
        (Some(a), Some(b), Some(h)) => Some((
            a.parse().unwrap_or(0),
            b.parse().unwrap_or(0),
            h.parse().unwrap_or(0),
        )),
        _ => None,
    };
    Ok(PoolPage {
        manage: c
            .authorize(Action::ManageProgramme { programme_id: pid })
            .is_ok(),
        levels: level_options(&page),
        statuses: status_options(&page),
        sections: section_options(&page),
        sections_hint: SECTIONS
            .iter()
            .map(|(c, ..)| section_name(&page, *c))
            .collect::<Vec<_>>()
            .join(if page.zh() { "；" } else { "; " }),
        c: page,
        p,
        rows,
        total,
        q: search,
        level,
        status,
        industry,
        ef,
        errors,
        import_errors,
        imported,
    })
}

/// `GET /office/programmes/{pid}/experts`: the pool, with filters, the add and import forms.
pub async fn pool_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let ef = ExpertFields {
        level: Level::Reviewer.code().into(),
        ..ExpertFields::default()
    };
    pool_view(&st, &c, pid, &q, ef, FormErrors::default(), Vec::new()).await
}

/// `POST /office/programmes/{pid}/experts`: add an expert to the pool (Art. 7).
pub async fn add_expert(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageProgramme { programme_id: pid })?;
    st.store.programme(pid).await?;
    let ef = ExpertFields::typed(&f);
    match st
        .store
        .save_expert(
            &c.who(Role::CityOffice.code()),
            pid,
            None,
            &ef.form(),
            c.now,
        )
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/office/experts/{id}?saved=added")).into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                pool_view(&st, &c, pid, &HashMap::new(), ef, errors, Vec::new()).await?,
            )
                .into_response())
        }
    }
}

/// `GET /office/programmes/{pid}/experts.xlsx`: the whole pool with its histories.
pub async fn pool_xlsx(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
) -> Result<Response, AppError> {
    c.authorize(Action::ViewProgrammeOffice { programme_id: pid })?;
    let p = st.store.programme(pid).await?;
    let experts: Vec<Expert> = st
        .store
        .experts(pid)
        .await?
        .into_iter()
        .map(|e| for_reader(&c, e))
        .collect();
    let bytes = qaward_docs::experts_xlsx(&to_book(&experts))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::view::download(
        bytes,
        crate::view::XLSX,
        &format!("{}评审专家库.xlsx", p.name),
    ))
}

/// The expert as `c` may see them: the city office of the programme sees identity-card and
/// mobile numbers and email whole; the pool's other readers (leadership, discipline) masked.
fn for_reader(c: &Ctx, mut e: Expert) -> Expert {
    use qaward_core::privacy::{mask_email, mask_id_number, mask_phone};
    if c.authorize(Action::ViewExpertPersonalData {
        programme_id: e.programme_id,
    })
    .is_err()
    {
        e.id_number = mask_id_number(&e.id_number);
        e.phone = mask_phone(&e.phone);
        e.email = mask_email(&e.email);
    }
    e
}

fn to_book(experts: &[Expert]) -> book::ExpertBook {
    let d = |x: Option<Date>| x.map(|d| d.to_string()).unwrap_or_default();
    let mut b = book::ExpertBook::default();
    for e in experts {
        b.experts.push(book::ExpertRow {
            id_number: e.id_number.clone(),
            name: e.name.clone(),
            gender: e.gender.clone(),
            phone: e.phone.clone(),
            email: e.email.clone(),
            title: e.title.clone(),
            education: e.education.clone(),
            level: e.level.zh().to_owned(),
            industries: e
                .industries
                .iter()
                .map(char::to_string)
                .collect::<Vec<_>>()
                .join("、"),
            qualification_no: e.qualification_no.clone(),
            qualified_from: d(e.qualified_from),
            qualified_until: d(e.qualified_until),
            winner_manager: if e.winner_manager { "是" } else { "否" }.into(),
            status: if e.removed_at.is_some() {
                "已取消资格"
            } else {
                "在库"
            }
            .into(),
            note: e.note.clone(),
        });
        for j in &e.employment {
            b.employment.push(book::EmploymentRow {
                id_number: e.id_number.clone(),
                employer_name: j.employer_name.clone(),
                employer_credit_code: j.employer_credit_code.clone(),
                position: j.position.clone(),
                start_on: d(j.start_on),
                end_on: d(j.end_on),
            });
        }
        for t in &e.training {
            b.training.push(book::TrainingRow {
                id_number: e.id_number.clone(),
                kind: if t.kind == "assessment" {
                    "考核"
                } else {
                    "培训"
                }
                .into(),
                course: t.course.clone(),
                association: t.association.clone(),
                held_on: t.held_on.to_string(),
                result: if t.passed { "合格" } else { "不合格" }.into(),
                certificate_no: t.certificate_no.clone(),
            });
        }
        for t in &e.ties {
            b.ties.push(book::TieRow {
                id_number: e.id_number.clone(),
                kind: t.kind.zh().into(),
                party_name: t.party_name.clone(),
                party_credit_code: t.party_credit_code.clone(),
                relation: t.relation.clone(),
                start_on: d(t.start_on),
                end_on: d(t.end_on),
                declared_on: t.declared_on.to_string(),
            });
        }
        for s in &e.sanctions {
            b.sanctions.push(book::SanctionRow {
                id_number: e.id_number.clone(),
                kind: if s.kind == "removal" {
                    "取消资格"
                } else {
                    "警告"
                }
                .into(),
                reason: s.reason.clone(),
                decided_on: s.decided_on.to_string(),
            });
        }
    }
    b
}

/// Where a record of the workbook is, as the import reports it: its sheet and a description
/// of the row that names the expert (the reader gives rows without their numbers).
struct Origin {
    sheet: &'static str,
    row: String,
}

/// The experts of a workbook as import rows, and where each row came from.
fn from_book(b: &book::ExpertBook) -> (Vec<ImportExpert>, HashMap<String, Origin>) {
    let mut origins = HashMap::new();
    let mut origin = |sheet: &'static str, row: String| {
        let key = format!("“{sheet}”工作表{row}");
        origins.insert(key.clone(), Origin { sheet, row });
        key
    };
    let mut out = Vec::new();
    for x in &b.experts {
        let who = format!("身份证号{}（{}）", x.id_number, x.name);
        let mut r = ImportExpert {
            origin: origin(book::SHEET_EXPERTS, who.clone()),
            form: ExpertForm {
                name: x.name.clone(),
                id_number: x.id_number.clone(),
                gender: x.gender.clone(),
                phone: x.phone.clone(),
                email: x.email.clone(),
                title: x.title.clone(),
                education: x.education.clone(),
                level: x.level.clone(),
                industries: x.industries.clone(),
                qualification_no: x.qualification_no.clone(),
                qualified_from: x.qualified_from.clone(),
                qualified_until: x.qualified_until.clone(),
                winner_manager: x.winner_manager == "是",
                note: x.note.clone(),
                username: String::new(),
            },
            removed: x.status == "已取消资格",
            history: Vec::new(),
            sanctions: Vec::new(),
        };
        let mine = |id: &str| id == x.id_number;
        for (n, j) in b
            .employment
            .iter()
            .filter(|j| mine(&j.id_number))
            .enumerate()
        {
            r.history.push(HistoryForm {
                kind: HistoryKind::Employment.code(),
                name: j.employer_name.clone(),
                credit_code: j.employer_credit_code.clone(),
                detail: j.position.clone(),
                start_on: j.start_on.clone(),
                end_on: j.end_on.clone(),
                origin: origin(book::SHEET_EMPLOYMENT, format!("{who}的第{}条", n + 1)),
                ..HistoryForm::default()
            });
        }
        for (n, t) in b.training.iter().filter(|t| mine(&t.id_number)).enumerate() {
            r.history.push(HistoryForm {
                kind: match t.kind.as_str() {
                    "培训" => HistoryKind::Course.code(),
                    "考核" => HistoryKind::Assessment.code(),
                    _ => String::new(),
                },
                name: t.course.clone(),
                detail: t.association.clone(),
                start_on: t.held_on.clone(),
                passed: t.result == "合格",
                certificate_no: t.certificate_no.clone(),
                origin: origin(book::SHEET_TRAINING, format!("{who}的第{}条", n + 1)),
                ..HistoryForm::default()
            });
        }
        for (n, t) in b.ties.iter().filter(|t| mine(&t.id_number)).enumerate() {
            r.history.push(HistoryForm {
                kind: TieKind::parse_zh(&t.kind)
                    .map(|k| HistoryKind::Tie(k).code())
                    .unwrap_or_default(),
                name: t.party_name.clone(),
                credit_code: t.party_credit_code.clone(),
                detail: t.relation.clone(),
                start_on: t.start_on.clone(),
                end_on: t.end_on.clone(),
                origin: origin(book::SHEET_TIES, format!("{who}的第{}条", n + 1)),
                ..HistoryForm::default()
            });
        }
        for (n, s) in b
            .sanctions
            .iter()
            .filter(|s| mine(&s.id_number))
            .enumerate()
        {
            r.sanctions.push(SanctionForm {
                origin: origin(book::SHEET_SANCTIONS, format!("{who}的第{}条", n + 1)),
                kind: match s.kind.as_str() {
                    "警告" => "warning",
                    "取消资格" => "removal",
                    _ => "",
                }
                .into(),
                reason: s.reason.clone(),
                decided_on: s.decided_on.clone(),
            });
        }
        out.push(r);
    }
    (out, origins)
}

/// The column of a sheet that a store field comes from.
fn column_of(sheet: &str, field: &str) -> &'static str {
    match (sheet, field) {
        (_, "id_number") => book::COL_ID_NUMBER,
        (book::SHEET_EXPERTS, "name") => book::COL_NAME,
        (book::SHEET_EXPERTS, "level") => book::COL_LEVEL,
        (book::SHEET_EXPERTS, "industries") => book::COL_INDUSTRIES,
        (book::SHEET_EXPERTS, "qualified_from") => book::COL_QUALIFIED_FROM,
        (book::SHEET_EXPERTS, "qualified_until") => book::COL_QUALIFIED_UNTIL,
        (book::SHEET_EMPLOYMENT, "name") => book::COL_EMPLOYER_NAME,
        (book::SHEET_EMPLOYMENT, "credit_code") => book::COL_EMPLOYER_CREDIT_CODE,
        (book::SHEET_EMPLOYMENT, "detail") => book::COL_POSITION,
        (book::SHEET_EMPLOYMENT | book::SHEET_TIES, "start_on") => book::COL_START_ON,
        (book::SHEET_EMPLOYMENT | book::SHEET_TIES, "end_on") => book::COL_END_ON,
        (book::SHEET_TRAINING, "kind") => book::COL_TRAINING_KIND,
        (book::SHEET_TRAINING, "name") => book::COL_COURSE,
        (book::SHEET_TRAINING, "detail") => book::COL_ASSOCIATION,
        (book::SHEET_TRAINING, "start_on") => book::COL_HELD_ON,
        (book::SHEET_TIES, "kind") => book::COL_TIE_KIND,
        (book::SHEET_TIES, "name") => book::COL_PARTY_NAME,
        (book::SHEET_TIES, "credit_code") => book::COL_PARTY_CREDIT_CODE,
        (book::SHEET_TIES, "detail") => book::COL_RELATION,
        (book::SHEET_SANCTIONS, "kind") => book::COL_SANCTION_KIND,
        (book::SHEET_SANCTIONS, "reason") => book::COL_REASON,
        (book::SHEET_SANCTIONS, "decided_on") => book::COL_DECIDED_ON,
        _ => "",
    }
}

/// Receive the `csrf` and `file` fields of the import form, the file whole in memory (a
/// workbook is small; the body limit still applies). `Ok(Err(message))` for the form.
async fn receive_workbook(
    st: &AppState,
    c: &Ctx,
    req: Request,
) -> Result<Result<Vec<u8>, String>, AppError> {
    let Ok(mut mp) = Multipart::from_request(req, st).await else {
        return Err(AppError::BadForm(Box::new(c.page())));
    };
    let page = c.page();
    let limit = usize::try_from(st.config.max_file).unwrap_or(usize::MAX);
    let too_large = || {
        if page.zh() {
            format!("文件超过{}MB。", st.config.max_file / 1_048_576)
        } else {
            format!("The file is over {} MB.", st.config.max_file / 1_048_576)
        }
    };
    let mut csrf_ok = false;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(Err(too_large())),
            Err(_) => return Err(AppError::BadForm(Box::new(c.page()))),
        };
        match field.name().unwrap_or_default() {
            "csrf" => {
                let t = field
                    .text()
                    .await
                    .map_err(|_| AppError::BadForm(Box::new(c.page())))?;
                csrf_ok = !c.csrf.is_empty() && t == c.csrf;
            }
            "file" => {
                if !csrf_ok {
                    return Err(AppError::BadForm(Box::new(c.page())));
                }
                if field.file_name().unwrap_or_default().is_empty() {
                    return Ok(Err(page.t("请选择要导入的 Excel 文件。")));
                }
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > limit {
                                return Ok(Err(too_large()));
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Ok(Err(too_large()));
                        }
                        Err(_) => return Err(AppError::BadForm(Box::new(c.page()))),
                    }
                }
                if bytes.is_empty() {
                    return Ok(Err(page.t("文件是空的。")));
                }
                return Ok(Ok(bytes));
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::BadForm(Box::new(c.page())));
    }
    Ok(Err(page.t("请选择要导入的 Excel 文件。")))
}

/// `POST /office/programmes/{pid}/experts/import` (multipart): a workbook in the export's
/// layout. Known ID numbers are updated, new ones added, history rows added unless already on
/// file. Every problem is listed by sheet, row and column, and then nothing is written.
pub async fn import(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
    req: Request,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageProgramme { programme_id: pid })?;
    st.store.programme(pid).await?;
    let page = c.page();
    let mut errors = FormErrors::default();
    let mut problems = Vec::new();
    match receive_workbook(&st, &c, req).await? {
        Err(message) => errors.push("file", message),
        Ok(bytes) => match qaward_docs::read_experts_xlsx(&bytes) {
            Err(list) => {
                for e in list {
                    problems.push(ImportErrorView {
                        row: if e.row > 0 {
                            format!("第{}行", e.row)
                        } else {
                            String::new()
                        },
                        sheet: e.sheet,
                        column: e.column,
                        message: e.message,
                    });
                }
            }
            Ok(b) => {
                let (rows, origins) = from_book(&b);
                if rows.is_empty() {
                    errors.push("file", page.t("“专家”工作表中没有专家。"));
                }
                for p in qaward_store::experts::check_import(&rows) {
                    let (sheet, row) = origins
                        .get(&p.origin)
                        .map(|o| (o.sheet, o.row.clone()))
                        .unwrap_or(("", p.origin.clone()));
                    problems.push(ImportErrorView {
                        sheet: sheet.to_owned(),
                        row,
                        column: column_of(sheet, &p.field).to_owned(),
                        message: if page.zh() { p.zh } else { p.en },
                    });
                }
                if problems.is_empty() && !errors.any() {
                    match st
                        .store
                        .import_experts(&c.who(Role::CityOffice.code()), pid, &rows, c.now)
                        .await
                    {
                        Ok(r) => {
                            return Ok(Redirect::to(&format!(
                                "/office/programmes/{pid}/experts?created={}&updated={}&history={}",
                                r.created, r.updated, r.history_added
                            ))
                            .into_response());
                        }
                        Err(qaward_store::Error::Invalid { field, zh, en }) => {
                            problems.push(ImportErrorView {
                                sheet: String::new(),
                                row: String::new(),
                                column: column_of(book::SHEET_EXPERTS, &field).to_owned(),
                                message: if page.zh() { zh } else { en },
                            });
                        }
                        Err(e) => return Err(c.store_err(e)),
                    }
                }
            }
        },
    }
    if !errors.any() && !problems.is_empty() {
        errors.push(
            "import-problems",
            page.t("导入的文件有问题，未导入任何内容。请按下表逐项修改后重新导入。"),
        );
    }
    let ef = ExpertFields {
        level: Level::Reviewer.code().into(),
        ..ExpertFields::default()
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        pool_view(&st, &c, pid, &HashMap::new(), ef, errors, problems).await?,
    )
        .into_response())
}

/// A job on the profile.
pub struct JobView {
    /// Row id.
    pub id: i64,
    /// Employer.
    pub employer: String,
    /// Its credit code.
    pub credit_code: String,
    /// Position.
    pub position: String,
    /// From.
    pub from: String,
    /// Until ("至今" while open).
    pub to: String,
    /// Still open: the 离职 form is offered.
    pub open: bool,
    /// End date as typed.
    pub end_typed: String,
    /// Error of the end form.
    pub end_error: String,
}

/// A course or assessment on the profile.
pub struct TrainingView {
    /// 培训 or 考核.
    pub kind: String,
    /// Course.
    pub course: String,
    /// Issuing association.
    pub association: String,
    /// Date.
    pub on: String,
    /// Result.
    pub result: String,
    /// Passed.
    pub passed: bool,
    /// Certificate number.
    pub certificate_no: String,
}

/// A declared tie on the profile.
pub struct TieView {
    /// Kind.
    pub kind: String,
    /// Party.
    pub party: String,
    /// Its credit code.
    pub credit_code: String,
    /// Relation.
    pub relation: String,
    /// Period.
    pub period: String,
    /// Declared on.
    pub declared: String,
}

/// A line of a dated list (sanctions, ratings, declarations).
pub struct LineView {
    /// What.
    pub what: String,
    /// Detail.
    pub detail: String,
    /// When.
    pub when: String,
    /// Link, if any.
    pub href: String,
}

/// One conflict on the profile.
pub struct ConflictView {
    /// The ground.
    pub ground: String,
    /// The party involved.
    pub party: String,
    /// The period that decided it.
    pub period: String,
    /// The whole sentence.
    pub description: String,
}

/// One application in review and the expert's conflicts with it.
pub struct CheckView {
    /// Application.
    pub application_id: i64,
    /// Session.
    pub session: String,
    /// Applicant.
    pub org_name: String,
    /// Its credit code.
    pub credit_code: String,
    /// Conflicts (none: no conflict).
    pub conflicts: Vec<ConflictView>,
}

/// The record form as typed.
#[derive(Default)]
pub struct HistoryFields {
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Credit code.
    pub credit_code: String,
    /// Position, association or relation.
    pub detail: String,
    /// From.
    pub start_on: String,
    /// Until.
    pub end_on: String,
    /// Passed.
    pub passed: bool,
    /// Certificate number.
    pub certificate_no: String,
}

/// The sanction form as typed.
#[derive(Default)]
pub struct SanctionFields {
    /// warning or removal.
    pub kind: String,
    /// Reason.
    pub reason: String,
    /// Decided on.
    pub decided_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_expert.html")]
struct ProfilePage {
    c: PageCtx,
    e: Expert,
    programme: String,
    manage: bool,
    status_code: &'static str,
    status: String,
    reason: String,
    level: String,
    industries: String,
    validity: String,
    employment: Vec<JobView>,
    training: Vec<TrainingView>,
    ties: Vec<TieView>,
    declarations: Vec<LineView>,
    sanctions: Vec<LineView>,
    ratings: Vec<LineView>,
    checks: Vec<CheckView>,
    conflicted: usize,
    levels: Vec<Opt>,
    kinds: Vec<Opt>,
    sections_hint: String,
    ef: ExpertFields,
    hf: HistoryFields,
    sf: SanctionFields,
    errors: FormErrors,
    saved: String,
}

/// What the profile page shows again after a failed form.
#[derive(Default)]
struct Typed {
    ef: Option<ExpertFields>,
    hf: Option<HistoryFields>,
    sf: Option<SanctionFields>,
    end: Option<(i64, String)>,
}

/// The expert, and the authorization to `act` on it. Unknown ids are refused as others' are.
async fn expert_for(st: &AppState, c: &Ctx, eid: i64, manage: bool) -> Result<Expert, AppError> {
    let unknown = if manage {
        Action::ManageProgramme { programme_id: -1 }
    } else {
        Action::ViewProgrammeOffice { programme_id: -1 }
    };
    let e = c.found(st.store.expert(eid).await, unknown)?;
    let programme_id = e.programme_id;
    c.authorize(if manage {
        Action::ManageProgramme { programme_id }
    } else {
        Action::ViewProgrammeOffice { programme_id }
    })?;
    Ok(e)
}

async fn profile_view(
    st: &AppState,
    c: &Ctx,
    e: Expert,
    typed: Typed,
    errors: FormErrors,
    saved: String,
) -> Result<ProfilePage, AppError> {
    let pid = e.programme_id;
    let page = c.page();
    let today = st.clock.today();
    let p = st.store.programme(pid).await?;
    let sessions: HashMap<i64, String> = st
        .store
        .sessions(pid)
        .await?
        .into_iter()
        .map(|s| (s.id, s.title))
        .collect();
    let (status_code, status, reason) = standing(&page, &e, today);
    let (end_row, end_typed) = typed.end.unwrap_or((-1, String::new()));
    let employment = e
        .employment
        .iter()
        .map(|j| JobView {
            id: j.id,
            employer: j.employer_name.clone(),
            credit_code: j.employer_credit_code.clone(),
            position: j.position.clone(),
            from: day(&page, j.start_on),
            to: j
                .end_on
                .map(|d| page.date(d))
                .unwrap_or_else(|| page.t("至今")),
            open: j.end_on.is_none(),
            end_typed: if j.id == end_row {
                end_typed.clone()
            } else {
                today.to_string()
            },
            end_error: errors.of(&format!("end_{}", j.id)),
        })
        .collect();
    let training = e
        .training
        .iter()
        .map(|t| TrainingView {
            kind: if t.kind == "assessment" {
                page.t("考核")
            } else {
                page.t("培训")
            },
            course: t.course.clone(),
            association: t.association.clone(),
            on: page.date(t.held_on),
            result: if t.passed {
                page.t("合格")
            } else {
                page.t("不合格")
            },
            passed: t.passed,
            certificate_no: t.certificate_no.clone(),
        })
        .collect();
    let ties = e
        .ties
        .iter()
        .map(|t| TieView {
            kind: if page.zh() { t.kind.zh() } else { t.kind.en() }.to_owned(),
            party: t.party_name.clone(),
            credit_code: t.party_credit_code.clone(),
            relation: t.relation.clone(),
            period: period(&page, t.start_on, t.end_on),
            declared: page.date(t.declared_on),
        })
        .collect();
    let mut declarations = Vec::new();
    for d in &e.declarations {
        let org = match st.store.application(d.application_id).await {
            Ok(a) => a.org.name,
            Err(qaward_store::Error::NotFound) => format!("#{}", d.application_id),
            Err(x) => return Err(c.store_err(x)),
        };
        declarations.push(LineView {
            what: org,
            detail: d.reason.clone(),
            when: page.time(d.declared_at),
            href: format!("/office/applications/{}", d.application_id),
        });
    }
    let sanctions = e
        .sanctions
        .iter()
        .map(|s| LineView {
            what: if s.kind == "removal" {
                page.t("取消评审资格")
            } else {
                page.t("警告")
            },
            detail: s.reason.clone(),
            when: page.date(s.decided_on),
            href: String::new(),
        })
        .collect();
    let ratings = e
        .ratings
        .iter()
        .map(|r| LineView {
            what: sessions
                .get(&r.session_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", r.session_id)),
            detail: r.comment.clone(),
            when: r.score.to_string(),
            href: String::new(),
        })
        .collect();
    let checks: Vec<CheckView> = st
        .store
        .conflict_check(&e, today)
        .await?
        .into_iter()
        .map(|k| CheckView {
            application_id: k.application_id,
            session: k.session_title,
            org_name: k.org_name,
            credit_code: k.credit_code,
            conflicts: k
                .conflicts
                .iter()
                .map(|x| ConflictView {
                    ground: if page.zh() {
                        x.ground.zh()
                    } else {
                        x.ground.en()
                    }
                    .to_owned(),
                    party: x.party.clone(),
                    period: period(&page, x.period.start, x.period.end),
                    description: if page.zh() {
                        x.describe_zh()
                    } else {
                        x.describe_en()
                    },
                })
                .collect(),
        })
        .collect();
    let conflicted = checks.iter().filter(|k| !k.conflicts.is_empty()).count();
    let manage = c
        .authorize(Action::ManageProgramme { programme_id: pid })
        .is_ok();
    Ok(ProfilePage {
        programme: p.name,
        manage,
        status_code,
        status,
        reason,
        level: level_name(&page, e.level).to_owned(),
        industries: sections_text(&page, &e.industries),
        validity: validity(&page, e.qualified_from, e.qualified_until),
        employment,
        training,
        ties,
        declarations,
        sanctions,
        ratings,
        checks,
        conflicted,
        levels: level_options(&page),
        kinds: HistoryKind::ALL
            .iter()
            .map(|k| opt(k.code(), if page.zh() { k.zh() } else { k.en() }))
            .collect(),
        sections_hint: SECTIONS
            .iter()
            .map(|(c, ..)| section_name(&page, *c))
            .collect::<Vec<_>>()
            .join(if page.zh() { "；" } else { "; " }),
        ef: typed.ef.unwrap_or_else(|| ExpertFields::of(&e)),
        hf: typed.hf.unwrap_or_else(|| HistoryFields {
            kind: HistoryKind::Employment.code(),
            ..HistoryFields::default()
        }),
        sf: typed.sf.unwrap_or_else(|| SanctionFields {
            kind: "warning".into(),
            decided_on: today.to_string(),
            ..SanctionFields::default()
        }),
        errors,
        saved,
        c: page,
        e,
    })
}

/// `GET /office/experts/{eid}`: one expert's file.
pub async fn profile_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(eid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let e = for_reader(&c, expert_for(&st, &c, eid, false).await?);
    let saved = q.get("saved").cloned().unwrap_or_default();
    profile_view(&st, &c, e, Typed::default(), FormErrors::default(), saved).await
}

/// Prefix the fields of errors from one of the profile's forms, so each points at its input.
fn prefixed(errors: FormErrors, prefix: &str) -> FormErrors {
    FormErrors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                e.field = format!("{prefix}{}", e.field);
                e
            })
            .collect(),
    )
}

async fn failed(
    st: &AppState,
    c: &Ctx,
    eid: i64,
    typed: Typed,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let e = expert_for(st, c, eid, true).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        profile_view(st, c, e, typed, errors, String::new()).await?,
    )
        .into_response())
}

/// `POST /office/experts/{eid}`: change the profile.
pub async fn update_expert(
    State(st): State<AppState>,
    c: Ctx,
    Path(eid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let e = expert_for(&st, &c, eid, true).await?;
    let ef = ExpertFields::typed(&f);
    match st
        .store
        .save_expert(
            &c.who(Role::CityOffice.code()),
            e.programme_id,
            Some(eid),
            &ef.form(),
            c.now,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/office/experts/{eid}?saved=profile")).into_response()),
        Err(x) => {
            let errors = form_error(&c, x)?;
            let typed = Typed {
                ef: Some(ef),
                ..Typed::default()
            };
            failed(&st, &c, eid, typed, errors).await
        }
    }
}

/// `POST /office/experts/{eid}/history`: a job, a course or assessment, or a declared tie.
pub async fn add_history(
    State(st): State<AppState>,
    c: Ctx,
    Path(eid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    expert_for(&st, &c, eid, true).await?;
    let hf = HistoryFields {
        kind: f.get("kind"),
        name: f.get("name"),
        credit_code: f.get("credit_code"),
        detail: f.get("detail"),
        start_on: f.get("start_on"),
        end_on: f.get("end_on"),
        passed: f.get("passed") == "1",
        certificate_no: f.get("certificate_no"),
    };
    let h = HistoryForm {
        kind: hf.kind.clone(),
        name: hf.name.clone(),
        credit_code: hf.credit_code.clone(),
        detail: hf.detail.clone(),
        start_on: hf.start_on.clone(),
        end_on: hf.end_on.clone(),
        passed: hf.passed,
        certificate_no: hf.certificate_no.clone(),
        origin: String::new(),
    };
    match st
        .store
        .add_expert_history(&c.who(Role::CityOffice.code()), eid, &h, c.now)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/office/experts/{eid}?saved=history")).into_response()),
        Err(x) => {
            let errors = prefixed(form_error(&c, x)?, "h_");
            let typed = Typed {
                hf: Some(hf),
                ..Typed::default()
            };
            failed(&st, &c, eid, typed, errors).await
        }
    }
}

/// `POST /office/experts/{eid}/employment/{row}/end`: the expert left a job (离职).
pub async fn end_job(
    State(st): State<AppState>,
    c: Ctx,
    Path((eid, row)): Path<(i64, i64)>,
    f: FormData,
) -> Result<Response, AppError> {
    expert_for(&st, &c, eid, true).await?;
    let end_on = f.get("end_on");
    match st
        .store
        .end_employment(&c.who(Role::CityOffice.code()), eid, row, &end_on, c.now)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/office/experts/{eid}?saved=ended")).into_response()),
        Err(qaward_store::Error::NotFound) => Err(c.not_found()),
        Err(x) => {
            let mut errors = FormErrors::default();
            for e in form_error(&c, x)?.0 {
                errors.push(&format!("end_{row}"), e.message);
            }
            let typed = Typed {
                end: Some((row, end_on)),
                ..Typed::default()
            };
            failed(&st, &c, eid, typed, errors).await
        }
    }
}

/// `POST /office/experts/{eid}/sanctions`: a warning or removal of the qualification
/// (Art. 24). Removal ends the reviewer's access at once.
pub async fn sanction(
    State(st): State<AppState>,
    c: Ctx,
    Path(eid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    expert_for(&st, &c, eid, true).await?;
    let sf = SanctionFields {
        kind: f.get("kind"),
        reason: f.raw("reason").trim().to_owned(),
        decided_on: f.get("decided_on"),
    };
    match st
        .store
        .sanction_expert(
            &c.who(Role::CityOffice.code()),
            eid,
            &sf.kind,
            &sf.reason,
            &sf.decided_on,
            c.now,
        )
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/office/experts/{eid}?saved=sanction")).into_response())
        }
        Err(x) => {
            let errors = match x {
                qaward_store::Error::Refused(r) => {
                    let mut e = FormErrors::default();
                    e.push(
                        "s_kind",
                        if c.lang == crate::i18n::Lang::Zh {
                            r.message_zh()
                        } else {
                            r.message_en()
                        },
                    );
                    e
                }
                other => prefixed(form_error(&c, other)?, "s_"),
            };
            let typed = Typed {
                sf: Some(sf),
                ..Typed::default()
            };
            failed(&st, &c, eid, typed, errors).await
        }
    }
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get_post("/office/programmes/{pid}/experts", pool_page, add_expert)
        .get("/office/programmes/{pid}/experts.xlsx", pool_xlsx)
        .post_with(
            "/office/programmes/{pid}/experts/import",
            import,
            super::upload_limit(cfg),
        )
        .get_post("/office/experts/{eid}", profile_page, update_expert)
        .post("/office/experts/{eid}/history", add_history)
        .post("/office/experts/{eid}/employment/{row}/end", end_job)
        .post("/office/experts/{eid}/sanctions", sanction)
}
