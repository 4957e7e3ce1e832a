//! The office's handling of objections (Art. 28): the list, each case's steps and its files.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::decision::{RefusalView, manage, refusal_view, session_for, who};
use crate::view::{FormErrors, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use qaward_core::authz::Action;
use qaward_store::objection::{Objection, ObjectionFile, ObjectionStep};
use qaward_store::session::SessionDetail;

/// An objection as listed: the ID number masked unless the reader is the office.
pub struct ObjectionRow {
    /// The objection.
    pub o: Objection,
    /// The identity number or credit code as the reader may see it.
    pub identity: String,
    /// Overdue (not decided by its due day).
    pub overdue: bool,
}

fn row_of(o: Objection, office: bool, today: jiff::civil::Date) -> ObjectionRow {
    let identity = if o.kind == "person" {
        if office {
            o.id_number.clone()
        } else {
            qaward_core::id_number::mask(&o.id_number)
        }
    } else {
        o.credit_code.clone()
    };
    ObjectionRow {
        overdue: o.upheld.is_none() && today > o.due_on,
        identity,
        o,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "office_objections.html")]
struct ObjectionsPage {
    c: PageCtx,
    d: SessionDetail,
    rows: Vec<ObjectionRow>,
}

/// `GET /office/sessions/{sid}/objections`: the cases of the session.
pub async fn objections_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let d = session_for(&st, &c, sid).await?;
    let office = c
        .authorize(Action::ManageProgramme {
            programme_id: d.session.programme_id,
        })
        .is_ok();
    let today = st.clock.today();
    let rows = st
        .store
        .objections(sid)
        .await?
        .into_iter()
        .map(|o| row_of(o, office, today))
        .collect();
    Ok(ObjectionsPage {
        c: c.page(),
        d,
        rows,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "office_objection.html")]
struct ObjectionPage {
    c: PageCtx,
    d: SessionDetail,
    r: ObjectionRow,
    files: Vec<ObjectionFile>,
    manage: bool,
    errors: FormErrors,
    refusal: Option<RefusalView>,
    investigator: String,
    findings: String,
    reply: String,
    upheld: String,
}

async fn objection_view(
    st: &AppState,
    c: &Ctx,
    oid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
    refusal: Option<RefusalView>,
) -> Result<ObjectionPage, AppError> {
    let o = c.found(
        st.store.objection(oid).await,
        Action::ViewDecision { programme_id: -1 },
    )?;
    let d = session_for(st, c, o.session_id).await?;
    let manage = c
        .authorize(Action::ManageProgramme {
            programme_id: d.session.programme_id,
        })
        .is_ok();
    let files = st.store.objection_files(oid).await?;
    let pick = |name: &str, saved: &str| f.map(|f| f.get(name)).unwrap_or_else(|| saved.to_owned());
    let upheld_saved = match o.upheld {
        Some(true) => "upheld",
        Some(false) => "not_upheld",
        None => "",
    };
    Ok(ObjectionPage {
        investigator: pick("investigator", &o.investigator),
        findings: pick("findings", &o.findings),
        reply: pick("reply", &o.reply),
        upheld: pick("decision", upheld_saved),
        r: row_of(o, manage, st.clock.today()),
        c: c.page(),
        d,
        files,
        manage,
        errors,
        refusal,
    })
}

/// `GET /office/objections/{oid}`: one case.
pub async fn objection_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(oid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    objection_view(&st, &c, oid, None, FormErrors::default(), None).await
}

/// `POST /office/objections/{oid}`: one step of the handling (`step` = assign, findings,
/// decide or close).
pub async fn objection_step(
    State(st): State<AppState>,
    c: Ctx,
    Path(oid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let o = c.found(
        st.store.objection(oid).await,
        Action::ManageProgramme { programme_id: -1 },
    )?;
    manage(&st, &c, o.session_id).await?;
    let step = match f.get("step").as_str() {
        "assign" => ObjectionStep::Assign(f.get("investigator")),
        "findings" => ObjectionStep::Findings(f.get("findings")),
        "decide" => match f.get("decision").as_str() {
            "upheld" | "not_upheld" => ObjectionStep::Decide {
                upheld: f.get("decision") == "upheld",
                reply: f.get("reply"),
            },
            _ => {
                let mut errors = FormErrors::default();
                errors.push(
                    "decision",
                    c.page().t("“处理决定”：请选择异议成立或不成立。"),
                );
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    objection_view(&st, &c, oid, Some(&f), errors, None).await?,
                )
                    .into_response());
            }
        },
        "close" => ObjectionStep::Close,
        _ => return Err(AppError::BadForm(Box::new(c.page()))),
    };
    match st.store.objection_step(&who(&c), oid, &step, c.now).await {
        Ok(()) => Ok(crate::done::to(
            &format!("/office/objections/{oid}"),
            crate::done::Done::ObjectionStep,
        )
        .into_response()),
        Err(qaward_store::Error::Refused(r)) => {
            let rv = refusal_view(&c.page(), &r);
            Ok((
                StatusCode::CONFLICT,
                objection_view(&st, &c, oid, Some(&f), FormErrors::default(), Some(rv)).await?,
            )
                .into_response())
        }
        Err(e) => {
            let errors = crate::view::form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                objection_view(&st, &c, oid, Some(&f), errors, None).await?,
            )
                .into_response())
        }
    }
}

/// `GET /office/objections/{oid}/files/{fid}`: an evidence file, to the office only.
pub async fn objection_file(
    State(st): State<AppState>,
    c: Ctx,
    Path((oid, fid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let o = c.found(
        st.store.objection(oid).await,
        Action::ManageProgramme { programme_id: -1 },
    )?;
    manage(&st, &c, o.session_id).await?;
    let files = st.store.objection_files(oid).await?;
    let Some(file) = files.into_iter().find(|x| x.id == fid) else {
        return Err(c.not_found());
    };
    let body = crate::routes::upload::open_stored(&st, &c, &file.filename, &file.sha256).await?;
    let disposition = format!(
        "attachment; filename=\"objection-{fid}\"; filename*=UTF-8''{}",
        urlencoding::encode(&file.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, file.mime.clone()),
            (header::CONTENT_LENGTH, file.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(body)),
    )
        .into_response())
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get_post_with(
            "/sessions/{id}/objections/new",
            public::objection_new,
            public::objection_create,
            super::files_limit(cfg, 5),
        )
        .get_post("/objections/track", public::track_page, public::track)
        .get("/office/sessions/{sid}/objections", objections_page)
        .get_post("/office/objections/{oid}", objection_page, objection_step)
        .get("/office/objections/{oid}/files/{fid}", objection_file)
}

pub mod public;
