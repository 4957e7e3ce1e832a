//! Sessions (Art. 3, 12, 35): a session's page, its stage windows, the moves from stage to stage (each
//! refused with its article until its conditions hold), and the session list export.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::programme::my_programmes;
use crate::routes::public::{TimelineRow, timeline};
use crate::view::{FormErrors, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::session::{Stage, Window, decide_move};
use qaward_store::session::SessionDetail;
use std::collections::{BTreeMap, HashMap};

/// A row of the windows form.
pub struct WindowRow {
    /// Stage.
    pub stage: Stage,
    /// Start as typed or stored.
    pub from: String,
    /// End as typed or stored.
    pub to: String,
    /// The error on this row, if any.
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_session.html")]
struct SessionPage {
    c: PageCtx,
    d: SessionDetail,
    rows: Vec<TimelineRow>,
    windows: Vec<WindowRow>,
    next: Option<Stage>,
    manage: bool,
    errors: FormErrors,
    saved: bool,
    /// The stages along the calendar and the progress of the work, as pictures.
    pictures: (String, String),
}

async fn session_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    typed: Option<&FormData>,
    errors: FormErrors,
    saved: bool,
) -> Result<SessionPage, AppError> {
    let d = st.store.session_detail(sid).await?;
    c.authorize(Action::ViewProgrammeOffice {
        programme_id: d.session.programme_id,
    })?;
    let page = c.page();
    let rows = timeline(&page, &d);
    let progress = st.store.session_progress(sid).await?;
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let pictures = crate::charts::session_pictures(&page, &d, &progress, today);
    let windows = Stage::ALL
        .iter()
        .filter(|s| s.has_window())
        .map(|s| {
            let w = d.windows.get(s).copied().unwrap_or_default();
            let code = s.code();
            let mut error = errors.of(&format!("{code}.from"));
            if error.is_empty() {
                error = errors.of(&format!("{code}.to"));
            }
            match typed {
                Some(f) => WindowRow {
                    stage: *s,
                    from: f.get(&format!("{code}.from")),
                    to: f.get(&format!("{code}.to")),
                    error,
                },
                None => WindowRow {
                    stage: *s,
                    from: w.starts_on.map(|d| d.to_string()).unwrap_or_default(),
                    to: w.ends_on.map(|d| d.to_string()).unwrap_or_default(),
                    error,
                },
            }
        })
        .collect();
    Ok(SessionPage {
        next: d.session.stage.next(),
        manage: c
            .authorize(Action::ManageProgramme {
                programme_id: d.session.programme_id,
            })
            .is_ok(),
        c: page,
        d,
        rows,
        windows,
        errors,
        saved,
        pictures,
    })
}

/// `GET /office/sessions/{sid}`.
pub async fn session_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    session_view(
        &st,
        &c,
        sid,
        None,
        FormErrors::default(),
        q.contains_key("saved"),
    )
    .await
}

/// `POST /office/sessions/{sid}/windows`: set the stage dates.
pub async fn set_windows(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let d = st.store.session_detail(sid).await?;
    c.authorize(Action::ManageProgramme {
        programme_id: d.session.programme_id,
    })?;
    let mut errors = FormErrors::default();
    let mut windows = BTreeMap::new();
    let page = c.page();
    for s in Stage::ALL.iter().filter(|s| s.has_window()) {
        let code = s.code();
        let mut parse = |key: String| -> Option<jiff::civil::Date> {
            let v = f.get(&key);
            if v.is_empty() {
                return None;
            }
            match v.parse::<jiff::civil::Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    let m = if page.zh() {
                        format!(
                            "“{}”的日期格式应为 年-月-日，例如 2026-09-01。",
                            s.name_zh()
                        )
                    } else {
                        format!("Dates of “{}” are written YYYY-MM-DD.", s.name_en())
                    };
                    errors.push(&key, m);
                    None
                }
            }
        };
        let w = Window {
            starts_on: parse(format!("{code}.from")),
            ends_on: parse(format!("{code}.to")),
        };
        windows.insert(*s, w);
    }
    if !errors.any() {
        match st
            .store
            .set_windows(&c.who(Role::CityOffice.code()), sid, &windows, c.now)
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/office/sessions/{sid}?saved=1")).into_response());
            }
            Err(qaward_store::Error::Invalid { field, zh, en }) => {
                errors.push(&format!("{field}.from"), if page.zh() { zh } else { en })
            }
            Err(e) => return Err(c.store_err(e)),
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        session_view(&st, &c, sid, Some(&f), errors, false).await?,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "office_advance.html")]
struct AdvancePage {
    c: PageCtx,
    d: SessionDetail,
    target: Stage,
    refusal: Option<(String, Option<String>)>,
    today: String,
}

/// A refusal as shown on a page: the message and its citation.
pub fn refusal_text(c: &PageCtx, r: &qaward_core::refusal::Refusal) -> (String, Option<String>) {
    if c.zh() {
        (r.zh.clone(), r.citation_zh())
    } else {
        (r.en.clone(), r.citation_en())
    }
}

/// `GET /office/sessions/{sid}/advance?to=stage`: check before moving on.
pub async fn advance_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let d = st.store.session_detail(sid).await?;
    c.authorize(Action::ManageProgramme {
        programme_id: d.session.programme_id,
    })?;
    let target = q
        .get("to")
        .and_then(|t| Stage::parse(t))
        .or(d.session.stage.next())
        .ok_or_else(|| c.not_found())?;
    let today = st.clock.today();
    let page = c.page();
    let facts = st.store.session_facts(&d).await?;
    let refusal = decide_move(&d.rules, &facts, target, today)
        .err()
        .map(|r| refusal_text(&page, &r));
    Ok(AdvancePage {
        today: page.date(today),
        c: page,
        d,
        target,
        refusal,
    })
}

/// `POST /office/sessions/{sid}/advance`: move on, or show why not (with the article).
pub async fn advance(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let d = st.store.session_detail(sid).await?;
    c.authorize(Action::ManageProgramme {
        programme_id: d.session.programme_id,
    })?;
    let target = Stage::parse(&f.get("to")).ok_or_else(|| c.not_found())?;
    match st
        .store
        .advance_session(&c.who(Role::CityOffice.code()), sid, target, c.now)
        .await
    {
        Ok(_) => Ok(crate::done::to(
            &format!("/office/sessions/{sid}"),
            crate::done::Done::SessionAdvanced,
        )
        .into_response()),
        Err(qaward_store::Error::Refused(r)) => {
            let page = c.page();
            let today = st.clock.today();
            let refusal = Some(refusal_text(&page, &r));
            Ok((
                StatusCode::CONFLICT,
                AdvancePage {
                    today: page.date(today),
                    c: page,
                    d,
                    target,
                    refusal,
                },
            )
                .into_response())
        }
        Err(e) => Err(c.store_err(e)),
    }
}

/// `GET /office/sessions.xlsx`: the sessions of the person's programmes as Excel.
pub async fn sessions_xlsx(State(st): State<AppState>, c: Ctx) -> Result<Response, AppError> {
    c.authorize(Action::ListOfficeProgrammes)?;
    let mine = my_programmes(&st, &c).await?;
    let mut rows = Vec::new();
    for p in &mine {
        for s in st.store.sessions(p.id).await? {
            let d = st.store.session_detail(s.id).await?;
            let apps = d
                .windows
                .get(&Stage::Applications)
                .copied()
                .unwrap_or_default();
            rows.push(qaward_docs::xlsx::SessionRow {
                programme: p.name.clone(),
                title: s.title.clone(),
                year: s.year,
                stage: s.stage.name_zh().to_owned(),
                rule_set: format!("{}（{}）", d.rules.meta.name, d.rules.meta.document_number),
                call_published: d.entered(Stage::CallPublished).map(|x| x.to_string()),
                applications_deadline: apps.ends_on.map(|x| x.to_string()),
            });
        }
    }
    let bytes =
        qaward_docs::xlsx::sessions_xlsx(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::view::download(
        bytes,
        crate::view::XLSX,
        "sessions.xlsx",
    ))
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/office/sessions/{sid}", session_page)
        .post("/office/sessions/{sid}/windows", set_windows)
        .get_post("/office/sessions/{sid}/advance", advance_page, advance)
        .get("/office/sessions.xlsx", sessions_xlsx)
}
