//! Two-way conduct feedback after the on-site visit (Art. 26), complaints about office staff and
//! reviewers (Art. 23, 24, 27), and the discipline role's page: the feedback summary, the
//! complaints and the sanctions history (Art. 24).
//!
//! Ratings reach discipline and the leadership group only ([`Action::ViewConductFeedback`]);
//! a rater opens only its own forms, and no page a rated party can open shows its ratings.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::conduct::{
    Complaint, ComplaintForm, Direction, GRADES, Rating, RatingForm, SanctionRow, Step, StepForm,
    Summary, Target, Visited, check_complaint, check_rating, grade_fields, grade_zh, summarise,
};
use std::collections::HashMap;

/// A grade field of the form: (field, label, value typed, error).
pub struct GradeField {
    /// Field name.
    pub name: &'static str,
    /// Label, translated.
    pub label: String,
    /// Value typed.
    pub value: String,
    /// Error, if any.
    pub error: String,
}

/// The grades offered: (value, label).
fn grades(page: &PageCtx) -> Vec<(String, String)> {
    GRADES
        .iter()
        .map(|(v, zh, en)| {
            (
                v.to_string(),
                if page.zh() {
                    (*zh).into()
                } else {
                    (*en).into()
                },
            )
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "conduct_list.html")]
struct ListPage {
    c: PageCtx,
    heading: String,
    /// (href, who, session, status) of each form.
    rows: Vec<(String, String, String, String)>,
    back: (String, String),
}

#[derive(Template, WebTemplate)]
#[template(path = "conduct_form.html")]
struct FormPage {
    c: PageCtx,
    heading: String,
    subject: String,
    session_title: String,
    action: String,
    back: (String, String),
    of_reviewer: bool,
    fields: Vec<GradeField>,
    grades: Vec<(String, String)>,
    form: RatingForm,
    errors: FormErrors,
    submitted_at: Option<i64>,
    saved: bool,
}

fn status_of(page: &PageCtx, r: Option<&Rating>) -> String {
    match r {
        Some(r) if r.submitted_at.is_some() => page.t("已提交"),
        Some(_) => page.t("草稿"),
        None => page.t("未评价"),
    }
}

/// The visited application for an applicant of it, authorized; 404 before the visit record.
async fn applicant_visit(st: &AppState, c: &Ctx, aid: i64) -> Result<Visited, AppError> {
    let unknown = Action::RateReviewer {
        programme_id: -1,
        organisation_id: -1,
    };
    let app = c.found(st.store.application(aid).await, unknown)?;
    c.authorize(Action::RateReviewer {
        programme_id: app.programme_id,
        organisation_id: app.org.id,
    })?;
    st.store.visited(aid).await?.ok_or_else(|| c.not_found())
}

/// `GET /applications/{aid}/conduct`: the reviewers who visited, each with the applicant's own
/// form's status.
pub async fn applicant_list(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    let v = applicant_visit(&st, &c, aid).await?;
    let page = c.page();
    let mut rows = Vec::new();
    for x in &v.visitors {
        let r = st
            .store
            .conduct_rating(aid, x.expert_id, Direction::OfReviewer)
            .await?;
        rows.push((
            format!("/applications/{aid}/conduct/{}", x.expert_id),
            if x.leader {
                format!("{}（{}）", x.name, page.t("组长"))
            } else {
                x.name.clone()
            },
            v.session_title.clone(),
            status_of(&page, r.as_ref()),
        ));
    }
    Ok(ListPage {
        heading: page.t("评价评审人员"),
        back: (format!("/applications/{aid}/onsite"), page.t("现场评审")),
        c: page,
        rows,
    }
    .into_response())
}

fn form_of(f: &FormData) -> RatingForm {
    RatingForm {
        punctuality: f.get("punctuality"),
        confidentiality: f.get("confidentiality"),
        integrity: f.get("integrity"),
        gifts_accepted: f.get("gifts_accepted"),
        professionalism: f.get("professionalism"),
        cooperation: f.get("cooperation"),
        honesty: f.get("honesty"),
        comments: f.raw("comments"),
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    c: &Ctx,
    d: Direction,
    subject: String,
    session_title: String,
    action: String,
    back: (String, String),
    form: RatingForm,
    errors: FormErrors,
    submitted_at: Option<i64>,
    saved: bool,
) -> FormPage {
    let page = c.page();
    let value = |n: &str| match n {
        "punctuality" => form.punctuality.clone(),
        "confidentiality" => form.confidentiality.clone(),
        "integrity" => form.integrity.clone(),
        "professionalism" => form.professionalism.clone(),
        "cooperation" => form.cooperation.clone(),
        _ => form.honesty.clone(),
    };
    let fields = grade_fields(d)
        .iter()
        .map(|(n, zh, en)| GradeField {
            name: n,
            label: if page.zh() {
                (*zh).into()
            } else {
                (*en).into()
            },
            value: value(n),
            error: errors.of(n),
        })
        .collect();
    FormPage {
        heading: if d == Direction::OfReviewer {
            page.t("评价评审人员")
        } else {
            page.t("评价申报单位")
        },
        grades: grades(&page),
        c: page,
        subject,
        session_title,
        action,
        back,
        of_reviewer: d == Direction::OfReviewer,
        fields,
        form,
        errors,
        submitted_at,
        saved,
    }
}

/// `GET /applications/{aid}/conduct/{eid}`: the applicant's form for one visiting reviewer.
pub async fn applicant_form(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, eid)): Path<(i64, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let v = applicant_visit(&st, &c, aid).await?;
    let Some(x) = v.visitors.iter().find(|x| x.expert_id == eid) else {
        return Err(c.not_found());
    };
    let r = st
        .store
        .conduct_rating(aid, eid, Direction::OfReviewer)
        .await?;
    let page = c.page();
    Ok(form_page(
        &c,
        Direction::OfReviewer,
        x.name.clone(),
        v.session_title.clone(),
        format!("/applications/{aid}/conduct/{eid}"),
        (
            format!("/applications/{aid}/conduct"),
            page.t("评价评审人员"),
        ),
        r.as_ref().map(RatingForm::of).unwrap_or_default(),
        FormErrors::default(),
        r.and_then(|r| r.submitted_at),
        q.contains_key("saved"),
    )
    .into_response())
}

/// `POST /applications/{aid}/conduct/{eid}`: save or submit the applicant's form. A reviewer
/// who did not visit is refused with Art. 26.
pub async fn applicant_save(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, eid)): Path<(i64, i64)>,
    f: FormData,
) -> Result<Response, AppError> {
    let v = applicant_visit(&st, &c, aid).await?;
    let name = v
        .visitors
        .iter()
        .find(|x| x.expert_id == eid)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let page = c.page();
    save(
        &st,
        &c,
        &f,
        aid,
        eid,
        Direction::OfReviewer,
        name,
        v.session_title.clone(),
        format!("/applications/{aid}/conduct/{eid}"),
        (
            format!("/applications/{aid}/conduct"),
            page.t("评价评审人员"),
        ),
        Role::Applicant,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn save(
    st: &AppState,
    c: &Ctx,
    f: &FormData,
    aid: i64,
    eid: i64,
    d: Direction,
    subject: String,
    session_title: String,
    action: String,
    back: (String, String),
    role: Role,
) -> Result<Response, AppError> {
    let form = form_of(f);
    let submit = f.get("submit") == "1";
    let problems = check_rating(d, &form, submit);
    if !problems.is_empty() {
        let mut errors = FormErrors::default();
        for (field, zh, en) in problems {
            errors.push(field, if c.page().zh() { zh } else { en });
        }
        let mut p = form_page(
            c,
            d,
            subject,
            session_title,
            action,
            back,
            form,
            errors,
            None,
            false,
        )
        .into_response();
        *p.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(p);
    }
    st.store
        .save_conduct_rating(&c.who(role.code()), aid, eid, d, &form, submit, c.now)
        .await?;
    Ok(Redirect::to(&format!("{action}?saved=1")).into_response())
}

/// The reviewer's expert profile in the application's programme, authorized.
async fn reviewer_visit(st: &AppState, c: &Ctx, aid: i64) -> Result<(Visited, i64), AppError> {
    let unknown = Action::RateApplicant {
        programme_id: -1,
        expert: false,
    };
    let app = c.found(st.store.application(aid).await, unknown)?;
    let expert = match c.actor() {
        Some(a) => st.store.expert_of_user(app.programme_id, a.user_id).await?,
        None => None,
    };
    c.authorize(Action::RateApplicant {
        programme_id: app.programme_id,
        expert: expert.is_some(),
    })?;
    let Some(e) = expert else {
        return Err(c.not_found());
    };
    let v = st.store.visited(aid).await?.ok_or_else(|| c.not_found())?;
    Ok((v, e.id))
}

/// `GET /review/conduct`: the applicants the reviewer visited, each with its own form's status.
pub async fn reviewer_list(State(st): State<AppState>, c: Ctx) -> Result<Response, AppError> {
    c.authorize(Action::ReviewerHome)?;
    let uid = c.actor().map(|a| a.user_id).unwrap_or(-1);
    let experts = st.store.experts_of_user(uid).await?;
    let page = c.page();
    let mut rows = Vec::new();
    for e in &experts {
        for v in st.store.visited_by(e.id).await? {
            let r = st
                .store
                .conduct_rating(v.application_id, e.id, Direction::OfApplicant)
                .await?;
            rows.push((
                format!("/review/applications/{}/conduct", v.application_id),
                v.organisation_name.clone(),
                v.session_title.clone(),
                status_of(&page, r.as_ref()),
            ));
        }
    }
    Ok(ListPage {
        heading: page.t("评价申报单位"),
        back: ("/review".into(), page.t("评审工作台")),
        c: page,
        rows,
    }
    .into_response())
}

/// `GET /review/applications/{aid}/conduct`: the reviewer's form for a visited applicant.
pub async fn reviewer_form(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (v, eid) = reviewer_visit(&st, &c, aid).await?;
    if !v.visitors.iter().any(|x| x.expert_id == eid) {
        return Err(c.store_err(qaward_store::Error::Refused(
            qaward_core::refusal::Refusal::new(
                "conduct_not_visitor",
                Some(26),
                qaward_store::experts::DOC,
                "您不是到访该申报单位现场评审的评审组成员，不能评价。",
                "You were not on the team that visited this applicant.",
            ),
        )));
    }
    let r = st
        .store
        .conduct_rating(aid, eid, Direction::OfApplicant)
        .await?;
    let page = c.page();
    Ok(form_page(
        &c,
        Direction::OfApplicant,
        v.organisation_name.clone(),
        v.session_title.clone(),
        format!("/review/applications/{aid}/conduct"),
        ("/review/conduct".into(), page.t("评价申报单位")),
        r.as_ref().map(RatingForm::of).unwrap_or_default(),
        FormErrors::default(),
        r.and_then(|r| r.submitted_at),
        q.contains_key("saved"),
    )
    .into_response())
}

/// `POST /review/applications/{aid}/conduct`: save or submit the reviewer's form.
pub async fn reviewer_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let (v, eid) = reviewer_visit(&st, &c, aid).await?;
    let page = c.page();
    save(
        &st,
        &c,
        &f,
        aid,
        eid,
        Direction::OfApplicant,
        v.organisation_name.clone(),
        v.session_title.clone(),
        format!("/review/applications/{aid}/conduct"),
        ("/review/conduct".into(), page.t("评价申报单位")),
        Role::Reviewer,
    )
    .await
}

impl DisciplinePage {
    /// A grade's name.
    fn grade_label(&self, g: impl crate::view::Val<u32>) -> &'static str {
        grade_zh(g.val())
    }

    /// Whether a rating is low under the rule set.
    fn is_low(&self, r: &Rating) -> bool {
        r.low(self.low_grade)
    }

    /// Each expert's sanctions, oldest first: (expert, name, lines).
    fn history(&self) -> Vec<(i64, String, Vec<String>)> {
        history(&self.sanctions)
    }
}

/// Each expert's sanctions, oldest first: (expert, name, lines).
fn history(s: &[SanctionRow]) -> Vec<(i64, String, Vec<String>)> {
    let mut out: Vec<(i64, String, Vec<String>)> = Vec::new();
    for r in s.iter().rev() {
        let line = format!("{} {}（{}）", r.decided_on, r.kind_zh(), r.reason);
        match out.iter_mut().find(|(e, ..)| *e == r.expert_id) {
            Some(x) => x.2.push(line),
            None => out.push((r.expert_id, r.expert_name.clone(), vec![line])),
        }
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "discipline_conduct.html")]
struct DisciplinePage {
    c: PageCtx,
    programme_id: i64,
    programme_name: String,
    programmes: Vec<(i64, String)>,
    low_grade: u32,
    reviewers: Vec<Summary>,
    applicants: Vec<Summary>,
    /// Shown to discipline only.
    handle: bool,
    complaints: Vec<Complaint>,
    sanctions: Vec<SanctionRow>,
}

/// The programmes the reader reads conduct feedback in, and the one asked for.
fn reader_programme(c: &Ctx, q: &HashMap<String, String>) -> Result<i64, AppError> {
    let mut ps: Vec<i64> = c
        .actor()
        .map(|a| {
            let mut v = a.programmes_as(Role::Discipline);
            v.extend(a.programmes_as(Role::Leadership));
            v
        })
        .unwrap_or_default();
    ps.sort_unstable();
    ps.dedup();
    let pid = q
        .get("programme")
        .and_then(|p| p.parse().ok())
        .or(ps.first().copied())
        .unwrap_or(-1);
    c.authorize(Action::ViewConductFeedback { programme_id: pid })?;
    Ok(pid)
}

/// `GET /discipline/conduct`: the conduct feedback of a programme, low ratings and any
/// accepted gifts first; for discipline also the complaints and the sanctions history.
pub async fn discipline_page(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let pid = reader_programme(&c, &q)?;
    let a = c.actor().cloned();
    let handle = a.as_ref().is_some_and(|a| a.has_in(Role::Discipline, pid));
    let sessions = st.store.sessions(pid).await?;
    let titles: Vec<(i64, String)> = sessions.iter().map(|s| (s.id, s.title.clone())).collect();
    let low_grade = match sessions.first() {
        Some(s) => {
            st.store
                .session_detail(s.id)
                .await?
                .rules
                .conduct
                .low_grade
                .value
        }
        None => 2,
    };
    let ratings = st.store.conduct_ratings(pid).await?;
    let of_reviewers: Vec<Rating> = ratings
        .iter()
        .filter(|r| r.direction == Direction::OfReviewer)
        .cloned()
        .collect();
    let of_applicants: Vec<Rating> = ratings
        .iter()
        .filter(|r| r.direction == Direction::OfApplicant)
        .cloned()
        .collect();
    let reviewers = summarise(
        &of_reviewers,
        |r| (r.expert_id, r.expert_name.clone()),
        &titles,
        low_grade,
    );
    let applicants = summarise(
        &of_applicants,
        |r| (r.application_id, r.organisation_name.clone()),
        &titles,
        low_grade,
    );
    let (complaints, sanctions) = if handle {
        (
            st.store.complaints(pid).await?,
            st.store.sanctions_history(pid).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut programmes = Vec::new();
    if let Some(a) = &a {
        let mut ps = a.programmes_as(Role::Discipline);
        ps.extend(a.programmes_as(Role::Leadership));
        ps.sort_unstable();
        ps.dedup();
        for p in ps {
            let prog = st.store.programme(p).await?;
            programmes.push((p, prog.name));
        }
    }
    let programme_name = programmes
        .iter()
        .find(|(p, _)| *p == pid)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    Ok(DisciplinePage {
        c: c.page(),
        programme_id: pid,
        programme_name,
        programmes,
        low_grade,
        reviewers,
        applicants,
        handle,
        complaints,
        sanctions,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "conduct_rating.html")]
struct RatingPage {
    c: PageCtx,
    r: Rating,
    /// (label, grade) of each grade field.
    lines: Vec<(String, String)>,
    low: bool,
}

/// `GET /discipline/ratings/{rid}`: one submitted rating, for discipline and leadership.
pub async fn rating_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
) -> Result<Response, AppError> {
    let r = c.found(
        st.store.conduct_rating_by_id(rid).await,
        Action::ViewConductFeedback { programme_id: -1 },
    )?;
    c.authorize(Action::ViewConductFeedback {
        programme_id: r.programme_id,
    })?;
    if r.submitted_at.is_none() {
        return Err(c.not_found());
    }
    let page = c.page();
    let value = |n: &str| match n {
        "punctuality" => r.punctuality,
        "confidentiality" => r.confidentiality,
        "integrity" => r.integrity,
        "professionalism" => r.professionalism,
        "cooperation" => r.cooperation,
        _ => r.honesty,
    };
    let lines = grade_fields(r.direction)
        .iter()
        .map(|(n, zh, en)| {
            (
                if page.zh() {
                    (*zh).into()
                } else {
                    (*en).into()
                },
                value(n).map(grade_zh).unwrap_or("—").to_owned(),
            )
        })
        .collect();
    let low_grade = st
        .store
        .session_detail(r.session_id)
        .await?
        .rules
        .conduct
        .low_grade
        .value;
    Ok(RatingPage {
        low: r.low(low_grade),
        c: page,
        r,
        lines,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint_new.html")]
struct NewComplaintPage {
    c: PageCtx,
    targets: Vec<Target>,
    form: ComplaintForm,
    errors: FormErrors,
    mine: Vec<Complaint>,
}

/// The programme a complainant files in: its applicant or reviewer grant's.
fn complainant_programme(c: &Ctx, targets: &[Target]) -> Option<i64> {
    let a = c.actor()?;
    targets.first().map(|t| t.programme_id).or_else(|| {
        a.grants
            .iter()
            .find(|g| matches!(g.role, Role::Applicant | Role::Reviewer))
            .and_then(|g| g.programme_id)
    })
}

/// `GET /complaints`: the complaint form and one's own complaints with their status.
pub async fn complaints_page(State(st): State<AppState>, c: Ctx) -> Result<Response, AppError> {
    c.authorize(Action::FileComplaint)?;
    let uid = c.actor().map(|a| a.user_id).unwrap_or(-1);
    let targets = st.store.complaint_targets(uid).await?;
    let mine = st.store.complaints_of(uid).await?;
    Ok(NewComplaintPage {
        c: c.page(),
        targets,
        form: ComplaintForm {
            subject_kind: "reviewer".into(),
            ..ComplaintForm::default()
        },
        errors: FormErrors::default(),
        mine,
    }
    .into_response())
}

/// `POST /complaints`: file a complaint; the complainant gets its acknowledgement page.
pub async fn file_complaint(
    State(st): State<AppState>,
    c: Ctx,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    c.authorize(Action::FileComplaint)?;
    let f = crate::routes::upload::read_upload(&st, &c, req).await?;
    let uid = c.actor().map(|a| a.user_id).unwrap_or(-1);
    let targets = st.store.complaint_targets(uid).await?;
    let form = ComplaintForm {
        subject_kind: f.get("subject_kind"),
        expert_id: f.get("expert_id"),
        staff: f.get("staff"),
        occurred_on: f.get("occurred_on"),
        facts: f.get("facts"),
    };
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let problems = check_complaint(&form, &targets, today);
    let pid = complainant_programme(&c, &targets);
    if !problems.is_empty() || pid.is_none() || f.file_error.is_some() {
        let page = c.page();
        let mut errors = FormErrors::default();
        for (field, zh, en) in problems {
            errors.push(field, if page.zh() { zh } else { en });
        }
        if let Some(m) = &f.file_error {
            errors.push("file", m.clone());
        }
        let mine = st.store.complaints_of(uid).await?;
        let mut p = NewComplaintPage {
            c: page,
            targets,
            form,
            errors,
            mine,
        }
        .into_response();
        *p.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(p);
    }
    let role = c
        .actor()
        .map(|a| {
            if form.subject_kind == "reviewer" && a.has(Role::Applicant) || !a.has(Role::Reviewer) {
                Role::Applicant
            } else {
                Role::Reviewer
            }
        })
        .unwrap_or(Role::Applicant);
    let id = st
        .store
        .file_complaint(
            &c.who(role.code()),
            pid.unwrap_or(-1),
            &form,
            &targets,
            &f.files,
            c.now,
        )
        .await?;
    Ok(Redirect::to(&format!("/complaints/{id}?filed=1")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint.html")]
struct ComplaintPage {
    c: PageCtx,
    k: Complaint,
    steps: Vec<Step>,
    /// The evidence filed with it.
    files: Vec<qaward_store::post_award::EvidenceFile>,
    handle: bool,
    filed: bool,
    /// Sanctions of the reviewer complained about (discipline may link one).
    sanctions: Vec<SanctionRow>,
    step: StepForm,
    errors: FormErrors,
}

/// `GET /complaints/{cid}`: the complainant's own complaint, its acknowledgement and status.
pub async fn own_complaint(
    State(st): State<AppState>,
    c: Ctx,
    Path(cid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let k = c.found(
        st.store.complaint(cid).await,
        Action::ViewOwnComplaint { complainant_id: -1 },
    )?;
    c.authorize(Action::ViewOwnComplaint {
        complainant_id: k.complainant_id,
    })?;
    let steps = st.store.complaint_steps(cid).await?;
    let files = st.store.complaint_files(cid).await?;
    Ok(ComplaintPage {
        c: c.page(),
        k,
        steps,
        files,
        handle: false,
        filed: q.contains_key("filed"),
        sanctions: Vec::new(),
        step: StepForm::default(),
        errors: FormErrors::default(),
    }
    .into_response())
}

async fn handling_page(
    st: &AppState,
    c: &Ctx,
    k: Complaint,
    step: StepForm,
    errors: FormErrors,
) -> Result<ComplaintPage, AppError> {
    let steps = st.store.complaint_steps(k.id).await?;
    let sanctions = match k.expert_id {
        Some(e) => st
            .store
            .sanctions_history(k.programme_id)
            .await?
            .into_iter()
            .filter(|s| s.expert_id == e)
            .collect(),
        None => Vec::new(),
    };
    let files = st.store.complaint_files(k.id).await?;
    Ok(ComplaintPage {
        c: c.page(),
        k,
        steps,
        files,
        handle: true,
        filed: false,
        sanctions,
        step,
        errors,
    })
}

/// `GET /discipline/complaints/{cid}`: discipline's handling page of a complaint.
pub async fn handle_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(cid): Path<i64>,
) -> Result<Response, AppError> {
    let k = c.found(
        st.store.complaint(cid).await,
        Action::HandleComplaint { programme_id: -1 },
    )?;
    c.authorize(Action::HandleComplaint {
        programme_id: k.programme_id,
    })?;
    Ok(
        handling_page(&st, &c, k, StepForm::default(), FormErrors::default())
            .await?
            .into_response(),
    )
}

/// `POST /discipline/complaints/{cid}`: one handling step (Art. 23, 24).
pub async fn handle_step(
    State(st): State<AppState>,
    c: Ctx,
    Path(cid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let k = c.found(
        st.store.complaint(cid).await,
        Action::HandleComplaint { programme_id: -1 },
    )?;
    c.authorize(Action::HandleComplaint {
        programme_id: k.programme_id,
    })?;
    let step = StepForm {
        step: f.get("step"),
        note: f.raw("note"),
        recommendation: f.get("recommendation"),
        sanction_id: f.get("sanction_id"),
    };
    match st
        .store
        .complaint_step(&c.who(Role::Discipline.code()), cid, &step, c.now)
        .await
    {
        Ok(()) => Ok(crate::done::to(
            &format!("/discipline/complaints/{cid}"),
            crate::done::Done::ComplaintStep,
        )
        .into_response()),
        Err(e @ qaward_store::Error::Invalid { .. }) => {
            let errors = crate::view::form_error(&c, e)?;
            let mut p = handling_page(&st, &c, k, step, errors)
                .await?
                .into_response();
            *p.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(p)
        }
        Err(e) => Err(c.store_err(e)),
    }
}

/// `GET /complaints/{cid}/files/{file}`: an evidence file of a complaint, for its complainant
/// and the programme's discipline inspectors.
pub async fn complaint_file(
    State(st): State<AppState>,
    c: Ctx,
    Path((cid, fid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let k = c.found(
        st.store.complaint(cid).await,
        Action::ReadComplaint {
            programme_id: -1,
            complainant_id: -1,
        },
    )?;
    c.authorize(Action::ReadComplaint {
        programme_id: k.programme_id,
        complainant_id: k.complainant_id,
    })?;
    let files = st.store.complaint_files(cid).await?;
    let Some(f) = files.into_iter().find(|f| f.id == fid) else {
        return Err(c.not_found());
    };
    crate::routes::upload::send_file(&st, &c, &f, "complaint").await
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/applications/{aid}/conduct", applicant_list)
        .get_post(
            "/applications/{aid}/conduct/{eid}",
            applicant_form,
            applicant_save,
        )
        .get("/review/conduct", reviewer_list)
        .get_post(
            "/review/applications/{aid}/conduct",
            reviewer_form,
            reviewer_save,
        )
        .get("/discipline/conduct", discipline_page)
        .get("/discipline/ratings/{rid}", rating_page)
        .get_post_with(
            "/complaints",
            complaints_page,
            file_complaint,
            super::files_limit(cfg, 5),
        )
        .get("/complaints/{cid}", own_complaint)
        .get("/complaints/{cid}/files/{file}", complaint_file)
        .get_post("/discipline/complaints/{cid}", handle_page, handle_step)
}
