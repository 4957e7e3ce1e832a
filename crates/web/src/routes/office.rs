//! The city office: programmes, rule-set versions, sessions, stage windows, stage moves, the
//! session list export. Leadership and discipline read these pages; only the office changes them.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::public::{TimelineRow, timeline};
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::stage::{Stage, Window, decide_move};
use qaward_store::programmes::{NewProgramme, Programme, Unit};
use qaward_store::rulesets::StoredRuleSet;
use qaward_store::sessions::{AwardSession, NewSession, SessionDetail};
use std::collections::{BTreeMap, HashMap};

#[derive(Template, WebTemplate)]
#[template(path = "office_programmes.html")]
struct ProgrammesPage {
    c: PageCtx,
    programmes: Vec<(Programme, Vec<AwardSession>)>,
    can_create: bool,
}

/// The programmes the person works in.
async fn my_programmes(st: &AppState, c: &Ctx) -> Result<Vec<Programme>, AppError> {
    let Some(a) = c.actor() else {
        return Ok(vec![]);
    };
    let mine: Vec<i64> = [Role::CityOffice, Role::Leadership, Role::Discipline]
        .iter()
        .flat_map(|r| a.programmes_as(*r))
        .collect();
    Ok(st
        .store
        .programmes()
        .await
        .map_err(|e| c.store_err(e))?
        .into_iter()
        .filter(|p| mine.contains(&p.id))
        .collect())
}

/// `GET /office`.
pub async fn programmes(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ListOfficeProgrammes)?;
    let all = st.store.all_sessions().await.map_err(|e| c.store_err(e))?;
    let programmes = my_programmes(&st, &c)
        .await?
        .into_iter()
        .map(|p| {
            let s = all
                .iter()
                .filter(|s| s.programme_id == p.id)
                .cloned()
                .collect();
            (p, s)
        })
        .collect();
    let can_create = c.authorize(Action::CreateProgramme).is_ok();
    Ok(ProgrammesPage {
        c: c.page(),
        programmes,
        can_create,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "office_programme_new.html")]
struct NewProgrammePage {
    c: PageCtx,
    f: FormData,
    errors: FormErrors,
}

/// `GET /office/programmes/new`.
pub async fn new_programme_page(c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::CreateProgramme)?;
    Ok(NewProgrammePage {
        c: c.page(),
        f: FormData::default(),
        errors: FormErrors::default(),
    })
}

fn lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| match l.split_once(['|', '｜']) {
            Some((code, name)) => (code.trim().to_owned(), name.trim().to_owned()),
            None => (format!("{:02}", i + 1), l.to_owned()),
        })
        .collect()
}

/// `POST /office/programmes`.
pub async fn create_programme(
    State(st): State<AppState>,
    c: Ctx,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::CreateProgramme)?;
    let p = NewProgramme {
        code: f.get("code"),
        name: f.get("name"),
        name_en: f.get("name_en"),
        level: f.get("level"),
        region: f.get("region"),
        office_name: f.get("office_name"),
        counties: lines(&f.raw("counties")),
        departments: lines(&f.raw("departments")),
    };
    match st
        .store
        .create_programme(&c.who(Role::CityOffice.code()), &p, c.now)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/office/programmes/{id}")).into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                NewProgrammePage {
                    c: c.page(),
                    f,
                    errors,
                },
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "office_programme.html")]
struct ProgrammePage {
    c: PageCtx,
    p: Programme,
    counties: Vec<Unit>,
    departments: Vec<Unit>,
    rule_sets: Vec<StoredRuleSet>,
    sessions: Vec<AwardSession>,
    manage: bool,
    today: String,
    in_force: Vec<i64>,
    f: FormData,
    errors: FormErrors,
}

async fn programme_view(
    st: &AppState,
    c: &Ctx,
    pid: i64,
    f: FormData,
    errors: FormErrors,
) -> Result<ProgrammePage, AppError> {
    c.authorize(Action::ViewProgrammeOffice { programme_id: pid })?;
    let p = st.store.programme(pid).await.map_err(|e| c.store_err(e))?;
    let today = st.clock.today();
    let rule_sets = st.store.rule_sets(pid).await.map_err(|e| c.store_err(e))?;
    let in_force = rule_sets
        .iter()
        .filter(|r| r.rules.in_force_on(today))
        .map(|r| r.id)
        .collect();
    let page = c.page();
    Ok(ProgrammePage {
        counties: st.store.counties(pid).await.map_err(|e| c.store_err(e))?,
        departments: st
            .store
            .departments(pid)
            .await
            .map_err(|e| c.store_err(e))?,
        sessions: st.store.sessions(pid).await.map_err(|e| c.store_err(e))?,
        manage: c
            .authorize(Action::ManageProgramme { programme_id: pid })
            .is_ok(),
        today: page.date(today),
        c: page,
        p,
        rule_sets,
        in_force,
        f,
        errors,
    })
}

/// `GET /office/programmes/{pid}`.
pub async fn programme_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    programme_view(&st, &c, pid, FormData::default(), FormErrors::default()).await
}

/// `POST /office/programmes/{pid}/rulesets`: load a rule-set version from its TOML text.
pub async fn load_rule_set(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageProgramme { programme_id: pid })?;
    st.store.programme(pid).await.map_err(|e| c.store_err(e))?;
    let source = f.raw("source");
    if source.trim().is_empty() {
        let mut errors = FormErrors::default();
        errors.push(
            "source",
            c.page().t("请粘贴管理办法规则文件（TOML）的全文。"),
        );
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            programme_view(&st, &c, pid, f, errors).await?,
        )
            .into_response());
    }
    match st
        .store
        .load_rule_set(&c.who(Role::CityOffice.code()), pid, &source, c.now)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/rules/{id}")).into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                programme_view(&st, &c, pid, f, errors).await?,
            )
                .into_response())
        }
    }
}

/// `POST /office/programmes/{pid}/sessions`: open a session (Art. 3).
pub async fn create_session(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageProgramme { programme_id: pid })?;
    let mut errors = FormErrors::default();
    let year = f.get("year").parse::<i32>().ok();
    let rs = f.get("rule_set_id").parse::<i64>().ok();
    if year.is_none() {
        errors.push("year", c.page().t("请填写四位数的年度，例如 2026。"));
    }
    if rs.is_none() {
        errors.push("rule_set_id", c.page().t("请选择适用的管理办法版本。"));
    }
    if let (Some(year), Some(rule_set_id)) = (year, rs) {
        match st
            .store
            .create_session(
                &c.who(Role::CityOffice.code()),
                &NewSession {
                    programme_id: pid,
                    rule_set_id,
                    year,
                },
                c.now,
            )
            .await
        {
            Ok(id) => return Ok(Redirect::to(&format!("/office/sessions/{id}")).into_response()),
            Err(qaward_store::Error::Refused(r)) => {
                let m = if c.page().zh() {
                    r.message_zh()
                } else {
                    r.message_en()
                };
                errors.push("year", m);
            }
            Err(e) => errors = form_error(&c, e)?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        programme_view(&st, &c, pid, f, errors).await?,
    )
        .into_response())
}

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
}

async fn session_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    typed: Option<&FormData>,
    errors: FormErrors,
    saved: bool,
) -> Result<SessionPage, AppError> {
    let d = st
        .store
        .session_detail(sid)
        .await
        .map_err(|e| c.store_err(e))?;
    c.authorize(Action::ViewProgrammeOffice {
        programme_id: d.session.programme_id,
    })?;
    let page = c.page();
    let rows = timeline(&page, &d);
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
    let d = st
        .store
        .session_detail(sid)
        .await
        .map_err(|e| c.store_err(e))?;
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

fn refusal_text(c: &PageCtx, r: &qaward_core::refusal::Refusal) -> (String, Option<String>) {
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
    let d = st
        .store
        .session_detail(sid)
        .await
        .map_err(|e| c.store_err(e))?;
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
    let facts = st
        .store
        .session_facts(sid)
        .await
        .map_err(|e| c.store_err(e))?;
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
    let d = st
        .store
        .session_detail(sid)
        .await
        .map_err(|e| c.store_err(e))?;
    c.authorize(Action::ManageProgramme {
        programme_id: d.session.programme_id,
    })?;
    let target = Stage::parse(&f.get("to")).ok_or_else(|| c.not_found())?;
    match st
        .store
        .advance_session(&c.who(Role::CityOffice.code()), sid, target, c.now)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/office/sessions/{sid}")).into_response()),
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
        for s in st.store.sessions(p.id).await.map_err(|e| c.store_err(e))? {
            let d = st
                .store
                .session_detail(s.id)
                .await
                .map_err(|e| c.store_err(e))?;
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
