//! Programmes and rule-set versions (Art. 4, 7): the city office's programmes, loading a version of
//! the measures, and opening a session under it. Leadership and discipline read; only the office
//! changes them.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::programme::{NewProgramme, Programme, Unit};
use qaward_store::rulesets::StoredRuleSet;
use qaward_store::session::{AwardSession, NewSession};

#[derive(Template, WebTemplate)]
#[template(path = "office_programmes.html")]
struct ProgrammesPage {
    c: PageCtx,
    programmes: Vec<(Programme, Vec<AwardSession>)>,
    can_create: bool,
}

/// The programmes the person works in.
pub(crate) async fn my_programmes(st: &AppState, c: &Ctx) -> Result<Vec<Programme>, AppError> {
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
        .await?
        .into_iter()
        .filter(|p| mine.contains(&p.id))
        .collect())
}

/// `GET /office`.
pub async fn programmes(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ListOfficeProgrammes)?;
    let all = st.store.all_sessions().await?;
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
        Ok(id) => Ok(crate::done::to(
            &format!("/office/programmes/{id}"),
            crate::done::Done::ProgrammeCreated,
        )
        .into_response()),
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
    let p = st.store.programme(pid).await?;
    let today = st.clock.today();
    let rule_sets = st.store.rule_sets(pid).await?;
    let in_force = rule_sets
        .iter()
        .filter(|r| r.rules.in_force_on(today))
        .map(|r| r.id)
        .collect();
    let page = c.page();
    Ok(ProgrammePage {
        counties: st.store.counties(pid).await?,
        departments: st.store.departments(pid).await?,
        sessions: st.store.sessions(pid).await?,
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
    st.store.programme(pid).await?;
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
            Ok(id) => {
                return Ok(crate::done::to(
                    &format!("/office/sessions/{id}"),
                    crate::done::Done::SessionCreated,
                )
                .into_response());
            }
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

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/office", programmes)
        .get("/office/programmes/new", new_programme_page)
        .post("/office/programmes", create_programme)
        .get("/office/programmes/{pid}", programme_page)
        .post("/office/programmes/{pid}/rulesets", load_rule_set)
        .post("/office/programmes/{pid}/sessions", create_session)
}
