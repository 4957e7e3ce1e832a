//! Written opinions of departments (征求意见, Art. 14): the office sends requests on named
//! applicants and chases late ones; each department answers its own requests, applicant by
//! applicant.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::eligibility::opinions::{Candidate, Item, ItemAnswer, NewRequests, Request};
use qaward_store::session::AwardSession;
use std::collections::HashMap;

/// A checkbox of the request form.
pub struct Choice<T> {
    /// What it stands for.
    pub v: T,
    /// Ticked.
    pub checked: bool,
}

/// What the office typed in the request form.
pub struct RequestForm {
    /// Subject.
    pub subject: String,
    /// Period covered.
    pub period: String,
    /// Due date.
    pub due_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_opinions.html")]
struct OfficeOpinionsPage {
    c: PageCtx,
    session: AwardSession,
    requests: Vec<Request>,
    departments: Vec<Choice<qaward_store::programme::Unit>>,
    candidates: Vec<Choice<Candidate>>,
    form: RequestForm,
    errors: FormErrors,
    created: Option<usize>,
    reminded: bool,
}

fn ids(f: &FormData, name: &str) -> Vec<i64> {
    f.all(name)
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

async fn office_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
    q: &HashMap<String, String>,
) -> Result<OfficeOpinionsPage, AppError> {
    let d = c
        .session_for(st, sid, |programme_id| Action::ManageProgramme {
            programme_id,
        })
        .await?;
    let requests = st.store.session_opinion_requests(sid, c.now).await?;
    let chosen_d = f.map(|f| ids(f, "department_id")).unwrap_or_default();
    let chosen_a = f.map(|f| ids(f, "application_id")).unwrap_or_default();
    let departments = st
        .store
        .departments(d.session.programme_id)
        .await?
        .into_iter()
        .map(|u| Choice {
            checked: chosen_d.contains(&u.id),
            v: u,
        })
        .collect();
    let candidates = st
        .store
        .opinion_candidates(sid)
        .await?
        .into_iter()
        .map(|a| Choice {
            checked: chosen_a.contains(&a.id),
            v: a,
        })
        .collect();
    let page = c.page();
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let form = match f {
        Some(f) => RequestForm {
            subject: f.get("subject"),
            period: f.get("period"),
            due_on: f.get("due_on"),
        },
        None => RequestForm {
            subject: format!("关于征求{}申报单位有关情况意见的函", d.session.title),
            period: format!(
                "{}-01-01 至 {}-12-31",
                d.session.year - 3,
                d.session.year - 1
            ),
            due_on: today
                .checked_add(
                    jiff::Span::new().days(qaward_core::eligibility::opinion::DEFAULT_DAYS),
                )
                .map(|x| x.to_string())
                .unwrap_or_default(),
        },
    };
    Ok(OfficeOpinionsPage {
        c: page,
        session: d.session,
        requests,
        departments,
        candidates,
        form,
        errors,
        created: q.get("created").and_then(|n| n.parse().ok()),
        reminded: q.contains_key("reminded"),
    })
}

/// `GET /office/sessions/{sid}/opinions`: the session's requests and the form to send more.
pub async fn office_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    office_view(&st, &c, sid, None, FormErrors::default(), &q).await
}

/// `POST /office/sessions/{sid}/opinions`: send requests, one per department chosen.
pub async fn office_create(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let q = HashMap::new();
    office_view(&st, &c, sid, Some(&f), FormErrors::default(), &q).await?;
    let n = NewRequests {
        session_id: sid,
        department_ids: ids(&f, "department_id"),
        application_ids: ids(&f, "application_id"),
        subject: f.get("subject"),
        period: f.get("period"),
        due_on: f.get("due_on"),
    };
    match st
        .store
        .create_opinion_requests(&c.who(Role::CityOffice.code()), &n, c.now)
        .await
    {
        Ok(ids) => Ok(Redirect::to(&format!(
            "/office/sessions/{sid}/opinions?created={}",
            ids.len()
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                office_view(&st, &c, sid, Some(&f), errors, &q).await?,
            )
                .into_response())
        }
    }
}

/// `POST /office/opinions/{rid}/remind`: chase a department that is late or nearly so.
pub async fn office_remind(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    let r = c.found(
        st.store.opinion_request(rid, c.now).await,
        Action::ManageProgramme { programme_id: -1 },
    )?;
    c.authorize(Action::ManageProgramme {
        programme_id: r.programme_id,
    })?;
    st.store
        .remind_opinion(&c.who(Role::CityOffice.code()), rid, c.now)
        .await?;
    Ok(Redirect::to(&format!(
        "/office/sessions/{}/opinions?reminded={rid}",
        r.session_id
    ))
    .into_response())
}

/// One applicant of the answer form, with what was typed.
pub struct AnswerRow {
    /// The item as on file.
    pub item: Item,
    /// Answer chosen.
    pub answer: String,
    /// Facts typed.
    pub facts: String,
    /// Document number typed.
    pub document_no: String,
    /// Message beside the choice.
    pub answer_error: String,
    /// Message beside the facts.
    pub facts_error: String,
    /// Message beside the document number.
    pub document_no_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "department_request.html")]
struct DepartmentRequestPage {
    c: PageCtx,
    r: Request,
    rows: Vec<AnswerRow>,
    errors: FormErrors,
    saved: Option<usize>,
}

/// The request, if the department asking is the one it was sent to. Unknown ids are
/// refused as others' are.
async fn own_request(st: &AppState, c: &Ctx, rid: i64) -> Result<Request, AppError> {
    let r = c.found(
        st.store.opinion_request(rid, c.now).await,
        Action::ViewDepartment {
            programme_id: -1,
            department_id: -1,
        },
    )?;
    c.authorize(Action::ViewDepartment {
        programme_id: r.programme_id,
        department_id: r.department_id,
    })?;
    Ok(r)
}

fn department_view(
    c: &Ctx,
    r: Request,
    f: Option<&FormData>,
    errors: FormErrors,
    saved: Option<usize>,
) -> DepartmentRequestPage {
    let rows = r
        .items
        .iter()
        .map(|i| {
            let aid = i.application_id;
            let typed = |k: &str| f.map(|f| f.get(&format!("{k}.{aid}"))).unwrap_or_default();
            AnswerRow {
                answer_error: errors.of(&format!("answer.{aid}")),
                facts_error: errors.of(&format!("facts.{aid}")),
                document_no_error: errors.of(&format!("document_no.{aid}")),
                answer: typed("answer"),
                facts: typed("facts"),
                document_no: typed("document_no"),
                item: i.clone(),
            }
        })
        .collect();
    DepartmentRequestPage {
        c: c.page(),
        r,
        rows,
        errors,
        saved,
    }
}

/// `GET /department/requests/{rid}`: a request to the department, to answer.
pub async fn department_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let r = own_request(&st, &c, rid).await?;
    let saved = q.get("saved").and_then(|n| n.parse().ok());
    Ok(department_view(&c, r, None, FormErrors::default(), saved))
}

/// `POST /department/requests/{rid}`: answers on one or more applicants.
pub async fn department_answer(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let r = own_request(&st, &c, rid).await?;
    let zh = c.lang == Lang::Zh;
    let page = c.page();
    let mut errors = FormErrors::default();
    let mut answers = Vec::new();
    for i in r.items.iter().filter(|i| i.answer.is_none()) {
        let aid = i.application_id;
        let a = ItemAnswer {
            application_id: aid,
            answer: f.get(&format!("answer.{aid}")),
            facts: f.get(&format!("facts.{aid}")),
            document_no: f.get(&format!("document_no.{aid}")),
        };
        if a.answer.is_empty() && a.facts.is_empty() && a.document_no.is_empty() {
            continue;
        }
        if let Err(e) =
            qaward_core::eligibility::opinion::check_answer(&a.answer, &a.facts, &a.document_no)
        {
            errors.push(
                &format!("{}.{aid}", e.field),
                format!("{}：{}", i.org_name, if zh { e.zh } else { e.en }),
            );
        }
        answers.push(a);
    }
    if answers.is_empty()
        && !errors.any()
        && let Some(first) = r.items.iter().find(|i| i.answer.is_none())
    {
        errors.push(
            &format!("answer.{}", first.application_id),
            page.t("“意见”：请至少对一家申报单位作出答复。"),
        );
    }
    if !errors.any() && !answers.is_empty() {
        match st
            .store
            .answer_opinions(&c.who(Role::Department.code()), rid, &answers, c.now)
            .await
        {
            Ok(n) => {
                return Ok(
                    Redirect::to(&format!("/department/requests/{rid}?saved={n}")).into_response(),
                );
            }
            Err(e) => errors = form_error(&c, e)?,
        }
    }
    if !errors.any() {
        return Ok(crate::done::to(
            &format!("/department/requests/{rid}"),
            crate::done::Done::OpinionsAnswered,
        )
        .into_response());
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        department_view(&c, r, Some(&f), errors, None),
    )
        .into_response())
}
