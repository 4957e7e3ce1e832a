//! Revocation of awards (Art. 32, 33): the programme's list of cases and bans with the form
//! that opens a case, and one case's page where the office submits it to the municipal
//! government, records the answer, publishes the announcement and follows up the return of
//! the plaque and the certificate. Leadership and discipline read; the organisation concerned
//! reads its own case once the revocation is approved.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, form_error_at};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::revocation::{AccidentKind, Ground};
use qaward_store::award::Announcement;
use qaward_store::revocation::{Ban, CaseStatus, NewCase, Return, Revocable, RevocationCase};
use std::collections::HashMap;

/// What was typed in a form, to show it again.
#[derive(Default)]
pub struct Typed(HashMap<String, String>);

impl Typed {
    /// The value typed for `k`, or nothing.
    pub fn get(&self, k: &str) -> String {
        self.0.get(k).cloned().unwrap_or_default()
    }

    fn from(f: &FormData) -> Typed {
        Typed(
            f.pairs()
                .iter()
                .filter(|(k, _)| k != "csrf")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "revocations.html")]
struct ListPage {
    c: PageCtx,
    pid: i64,
    programme: String,
    manage: bool,
    cases: Vec<RevocationCase>,
    bans: Vec<Ban>,
    winners: Vec<Revocable>,
    grounds: Vec<(&'static str, &'static str, u32)>,
    kinds: Vec<(&'static str, &'static str)>,
    window: u32,
    ban_years: u32,
    f: Typed,
    errors: FormErrors,
}

async fn list_view(
    st: &AppState,
    c: &Ctx,
    pid: i64,
    f: Typed,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let p = c.found(
        st.store.programme(pid).await,
        Action::ViewRevocation {
            programme_id: -1,
            organisation_id: None,
            disclosed: false,
        },
    )?;
    c.authorize(Action::ViewRevocation {
        programme_id: pid,
        organisation_id: None,
        disclosed: false,
    })?;
    let manage = c.actor().is_some_and(|a| a.has_in(Role::CityOffice, pid));
    let err = |e| c.store_err(e);
    let s = &st.store;
    let rules = match s.sessions(pid).await.map_err(err)?.first() {
        Some(x) => s.session_detail(x.id).await.map_err(err)?.rules,
        None => return Err(c.not_found()),
    };
    Ok(ListPage {
        c: c.page(),
        pid,
        programme: p.name.clone(),
        manage,
        cases: s.revocation_cases(pid).await.map_err(err)?,
        bans: s.award_bans(pid).await.map_err(err)?,
        winners: s.revocable_winners(pid).await.map_err(err)?,
        grounds: Ground::ALL
            .iter()
            .map(|g| (g.code(), g.name_zh(), g.article(&rules)))
            .collect(),
        kinds: AccidentKind::ALL
            .iter()
            .map(|k| (k.code(), k.name_zh()))
            .collect(),
        window: rules.revocation.accident_window_years.value,
        ban_years: rules.revocation.ban_years.value,
        f,
        errors,
    })
}

/// `GET /office/programmes/{pid}/revocations`: the cases, the bans, and the form that opens
/// a case.
pub async fn list_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    list_view(&st, &c, pid, Typed::default(), FormErrors::default()).await
}

/// `POST /office/programmes/{pid}/revocations`: open a case.
pub async fn open_case(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageRevocation { programme_id: pid })?;
    let up = crate::routes::upload::read_upload(&st, &c, req).await?;
    let f = up.form();
    if let Some(m) = &up.file_error {
        let mut errors = FormErrors::default();
        errors.push("file", m.clone());
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            list_view(&st, &c, pid, Typed::from(&f), errors).await?,
        )
            .into_response());
    }
    let n = NewCase {
        winner_id: f.get("winner_id"),
        ground: f.get("ground"),
        facts: f.get("facts"),
        evidence: f.get("evidence"),
        accident_kind: f.get("accident_kind"),
        accident_on: f.get("accident_on"),
    };
    match st
        .store
        .open_revocation(&c.who(Role::CityOffice.code()), pid, &n, &up.files, c.now)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/revocations/{id}?done=opened")).into_response()),
        Err(e) => {
            let status = if matches!(e, qaward_store::Error::Refused(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = form_error_at(&c, e, Some("refusal"))?;
            Ok((
                status,
                list_view(&st, &c, pid, Typed::from(&f), errors).await?,
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "revocation.html")]
struct CasePage {
    c: PageCtx,
    k: RevocationCase,
    manage: bool,
    status: &'static str,
    ground: &'static str,
    kind: &'static str,
    ban_until: Option<jiff::civil::Date>,
    ban_years: u32,
    serial: Option<String>,
    announcement: Option<Announcement>,
    /// The evidence files.
    files: Vec<qaward_store::post_award::EvidenceFile>,
    returns: Vec<(&'static str, Return)>,
    form: String,
    f: Typed,
    errors: FormErrors,
    done: String,
    today: String,
}

/// The case, checked for the right to read it.
async fn readable(st: &AppState, c: &Ctx, id: i64) -> Result<RevocationCase, AppError> {
    let k = c.found(
        st.store.revocation_case(id).await,
        Action::ViewRevocation {
            programme_id: -1,
            organisation_id: None,
            disclosed: false,
        },
    )?;
    c.authorize(Action::ViewRevocation {
        programme_id: k.programme_id,
        organisation_id: Some(k.organisation_id),
        disclosed: k.status == CaseStatus::Approved,
    })?;
    Ok(k)
}

async fn case_view(
    st: &AppState,
    c: &Ctx,
    id: i64,
    form: &str,
    f: Typed,
    errors: FormErrors,
    done: String,
) -> Result<CasePage, AppError> {
    let k = readable(st, c, id).await?;
    let files = st.store.revocation_case_files(id).await?;
    let manage = c
        .actor()
        .is_some_and(|a| a.has_in(Role::CityOffice, k.programme_id));
    let err = |e| c.store_err(e);
    let d = st.store.session_detail(k.session_id).await.map_err(err)?;
    let serial = st
        .store
        .certificates(k.session_id)
        .await
        .map_err(err)?
        .into_iter()
        .find(|x| x.winner_id == k.winner_id)
        .map(|x| x.serial);
    let announcement = match k.announcement_id {
        Some(a) => st
            .store
            .announcements(k.session_id, false)
            .await
            .map_err(err)?
            .into_iter()
            .find(|x| x.id == a),
        None => None,
    };
    Ok(CasePage {
        c: c.page(),
        manage,
        status: k.status.name_zh(),
        ground: k.ground.name_zh(),
        kind: k.accident_kind.map(|x| x.name_zh()).unwrap_or_default(),
        ban_until: k.ban_ends(&d.rules),
        ban_years: d.rules.revocation.ban_years.value,
        serial,
        announcement,
        files,
        returns: vec![("奖牌", k.plaque.clone()), ("证书", k.certificate.clone())],
        form: form.to_owned(),
        f,
        errors,
        done,
        today: c.today().to_string(),
        k,
    })
}

/// `GET /revocations/{rvid}`: one case.
pub async fn case_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let done = q.get("done").cloned().unwrap_or_default();
    case_view(
        &st,
        &c,
        id,
        "",
        Typed::default(),
        FormErrors::default(),
        done,
    )
    .await
}

/// The case, checked for the office's right to change it.
async fn managed(st: &AppState, c: &Ctx, id: i64) -> Result<RevocationCase, AppError> {
    let k = c.found(
        st.store.revocation_case(id).await,
        Action::ManageRevocation { programme_id: -1 },
    )?;
    c.authorize(Action::ManageRevocation {
        programme_id: k.programme_id,
    })?;
    Ok(k)
}

/// After a change: back to the case, or the form again with its errors.
async fn after(
    st: &AppState,
    c: &Ctx,
    id: i64,
    form: &str,
    f: &FormData,
    r: qaward_store::Result<()>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/revocations/{id}?done={form}")).into_response()),
        Err(e) => {
            let status = if matches!(e, qaward_store::Error::Refused(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = form_error_at(c, e, Some("refusal"))?;
            Ok((
                status,
                case_view(st, c, id, form, Typed::from(f), errors, String::new()).await?,
            )
                .into_response())
        }
    }
}

/// `POST /office/revocations/{rvid}/submit`: submit the case for the government's approval.
pub async fn submit(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    managed(&st, &c, id).await?;
    let r = st
        .store
        .submit_revocation(
            &c.who(Role::CityOffice.code()),
            id,
            &f.get("submitted_on"),
            &f.get("submission_number"),
            c.now,
        )
        .await;
    after(&st, &c, id, "submit", &f, r).await
}

/// `POST /office/revocations/{rvid}/decision`: record the government's answer.
pub async fn decide(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    managed(&st, &c, id).await?;
    let outcome = match f.get("outcome").as_str() {
        "approved" => Some(true),
        "rejected" => Some(false),
        _ => None,
    };
    let r = st
        .store
        .decide_revocation(
            &c.who(Role::CityOffice.code()),
            id,
            outcome,
            &f.get("decision_number"),
            &f.get("decided_on"),
            &f.get("decision_note"),
            c.now,
        )
        .await;
    after(&st, &c, id, "decision", &f, r).await
}

/// `POST /office/revocations/{rvid}/publish`: publish the drafted announcement.
pub async fn publish(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    managed(&st, &c, id).await?;
    let r = st
        .store
        .publish_revocation(&c.who(Role::CityOffice.code()), id, c.now)
        .await;
    after(&st, &c, id, "publish", &f, r).await
}

/// `POST /office/revocations/{rvid}/returns`: the plaque's or the certificate's return, or a
/// note on the prize money.
pub async fn record_return(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    managed(&st, &c, id).await?;
    let item = f.get("item");
    let r = st
        .store
        .record_revocation_return(
            &c.who(Role::CityOffice.code()),
            id,
            &item,
            &f.get("status"),
            &f.get("on"),
            &f.get("by"),
            &if item == "prize" {
                f.get("prize_note")
            } else {
                f.get("note")
            },
            c.now,
        )
        .await;
    let form = if item == "prize" { "prize" } else { "return" };
    after(&st, &c, id, form, &f, r).await
}

/// `GET /revocations/{rvid}/files/{file}`: an evidence file of a case, for whoever may read
/// the case.
pub async fn case_file(
    State(st): State<AppState>,
    c: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    readable(&st, &c, id).await?;
    let files = st.store.revocation_case_files(id).await?;
    let Some(f) = files.into_iter().find(|f| f.id == fid) else {
        return Err(c.not_found());
    };
    crate::routes::upload::send_file(&st, &c, &f, "revocation").await
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get_post_with(
            "/office/programmes/{pid}/revocations",
            list_page,
            open_case,
            super::files_limit(cfg, 5),
        )
        .get("/revocations/{rvid}", case_page)
        .get("/revocations/{rvid}/files/{file}", case_file)
        .post("/office/revocations/{rvid}/submit", submit)
        .post("/office/revocations/{rvid}/decision", decide)
        .post("/office/revocations/{rvid}/publish", publish)
        .post("/office/revocations/{rvid}/returns", record_return)
}
