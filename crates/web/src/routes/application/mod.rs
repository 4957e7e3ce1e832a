//! The applicant's side (Art. 12): registration with the credit code, the application as a
//! task list of sections, drafts saved as one types, the eligibility self-check with its
//! articles, submission before the deadline with a receipt, withdrawal.

use crate::AppState;
use crate::ctx::{Ctx, FormData, SESSION_COOKIE, set_cookie};
use crate::error::AppError;
use crate::form::{Block, blocks};
use crate::view::{FormErrors, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::application::{self as form, Context, Progress, SECTIONS};
use qaward_core::authz::{Action, Role, Standing};
use qaward_core::eligibility::{self, Line, Outcome};
use qaward_core::session::Stage;
use qaward_store::application::{Application, Registration, Status};
use qaward_store::programme::Unit;
use qaward_store::session::SessionDetail;
use std::collections::HashMap;

/// Everything a page about one application needs.
pub struct Loaded {
    /// The application.
    pub app: Application,
    /// Its session.
    pub d: SessionDetail,
    /// The form context.
    pub cx: Context,
    /// Declarations with their texts.
    pub declarations: Vec<(&'static str, String, String)>,
    /// Its files (evidence and the county's letter).
    pub files: Vec<qaward_store::attachments::Attachment>,
    /// The organisation's standing awards (years) and revocation days in the programme
    /// (Art. 11, 32, 33).
    pub history: (Vec<i32>, Vec<jiff::civil::Date>),
}

/// Load an application and check that this request may read it (or edit it).
pub async fn load(st: &AppState, c: &Ctx, aid: i64, edit: bool) -> Result<Loaded, AppError> {
    let app = c.found(
        st.store.application(aid).await,
        Action::ViewApplication {
            programme_id: -1,
            county_id: None,
            organisation_id: -1,
            submitted: false,
            review: Standing::default(),
        },
    )?;
    if edit {
        c.authorize(Action::EditApplication {
            programme_id: app.programme_id,
            organisation_id: app.org.id,
        })?;
    } else {
        let review = crate::routes::scoring::standing(st, c, aid).await?;
        c.authorize(Action::ViewApplication {
            programme_id: app.programme_id,
            county_id: app.org.county_id,
            organisation_id: app.org.id,
            submitted: app.status.submitted(),
            review,
        })?;
    }
    let d = st.store.session_detail(app.session_id).await?;
    let declarations = eligibility::declaration_texts(&d.rules);
    let cx = st.store.form_context(&d).await?;
    let files = st.store.attachments(aid).await?;
    let history = st.store.eligibility_history(app.org.id).await?;
    Ok(Loaded {
        app,
        d,
        cx,
        declarations,
        files,
        history,
    })
}

impl Loaded {
    /// The day the call was published (or is planned).
    pub fn call_date(&self) -> jiff::civil::Date {
        self.d
            .entered(Stage::CallPublished)
            .or_else(|| {
                self.d
                    .windows
                    .get(&Stage::CallPublished)
                    .and_then(|w| w.starts_on)
            })
            .unwrap_or_else(|| {
                jiff::civil::date(i16::try_from(self.d.session.year).unwrap_or(2000), 1, 1)
            })
    }

    /// The eligibility self-check on what is typed now.
    pub fn lines(&self) -> Vec<Line> {
        let f = form::facts(
            &self.app.values,
            &self.cx,
            self.call_date(),
            self.app.org.county_id.is_some(),
            self.history.0.clone(),
            self.history.1.clone(),
        );
        eligibility::check(&self.d.rules, &f)
    }

    /// Progress of each section.
    pub fn progress(&self) -> Vec<(&'static form::Section, Progress)> {
        SECTIONS
            .iter()
            .map(|s| (s, form::progress(s, &self.app.values, &self.cx)))
            .collect()
    }

    /// How far the evidence is: complete when every required kind has a file.
    pub fn evidence_progress(&self) -> Progress {
        use qaward_store::attachments::{COUNTY_LETTER, KINDS};
        let own: Vec<_> = self
            .files
            .iter()
            .filter(|f| f.kind != COUNTY_LETTER)
            .collect();
        if own.is_empty() {
            Progress::NotStarted
        } else if KINDS
            .iter()
            .filter(|k| k.3)
            .all(|(k, ..)| own.iter().any(|f| f.kind == *k))
        {
            Progress::Done
        } else {
            Progress::InProgress
        }
    }

    /// Self-score as text.
    pub fn self_score(&self) -> String {
        let t = form::self_score(&self.app.values, &self.cx).0;
        format!("{}.{}", t / 10, t % 10)
    }

    /// Every section drawn read-only.
    pub fn all_blocks(&self, lang: crate::i18n::Lang) -> Vec<(String, Vec<Block>)> {
        SECTIONS
            .iter()
            .map(|s| {
                (
                    if lang == crate::i18n::Lang::Zh {
                        s.zh
                    } else {
                        s.en
                    }
                    .to_owned(),
                    blocks(s, &self.app.values, &[], &self.cx, lang, &self.declarations),
                )
            })
            .collect()
    }
}

/// A self-check line as shown.
pub struct LineView {
    /// Condition.
    pub title: String,
    /// Article(s).
    pub article: String,
    /// pass, fail, declared, missing.
    pub outcome: &'static str,
    /// Label of the outcome.
    pub label: String,
    /// Why.
    pub reason: String,
}

/// The lines for display.
pub fn line_views(c: &PageCtx, lines: &[Line]) -> Vec<LineView> {
    lines
        .iter()
        .map(|l| {
            let (outcome, zh, en) = match l.outcome {
                Outcome::Pass => ("pass", "符合", "Met"),
                Outcome::Fail => ("fail", "不符合", "Not met"),
                Outcome::Declared => ("declared", "已承诺", "Pledged"),
                Outcome::Missing => ("missing", "待填写", "To complete"),
            };
            LineView {
                title: if c.zh() {
                    l.title_zh.clone()
                } else {
                    l.title_en.clone()
                },
                article: if c.zh() {
                    l.citation_zh()
                } else {
                    l.citation_en()
                },
                outcome,
                label: if c.zh() { zh } else { en }.to_owned(),
                reason: if c.zh() {
                    l.reason_zh.clone()
                } else {
                    l.reason_en.clone()
                },
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "register.html")]
struct RegisterPage {
    c: PageCtx,
    programme: String,
    programme_id: i64,
    counties: Vec<Unit>,
    f: FormData,
    errors: FormErrors,
}

async fn register_view(
    st: &AppState,
    c: &Ctx,
    pid: Option<i64>,
    f: FormData,
    errors: FormErrors,
) -> Result<RegisterPage, AppError> {
    let programmes = st.store.programmes().await?;
    let p = match pid {
        Some(id) => programmes.into_iter().find(|p| p.id == id),
        None => programmes.into_iter().find(|p| p.level == "city"),
    }
    .ok_or_else(|| c.not_found())?;
    Ok(RegisterPage {
        counties: st.store.counties(p.id).await?,
        programme: p.name,
        programme_id: p.id,
        c: c.page(),
        f,
        errors,
    })
}

/// `GET /register`: an organisation registers with its credit code (R-APP-1).
pub async fn register_page(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    register_view(
        &st,
        &c,
        q.get("programme").and_then(|p| p.parse().ok()),
        FormData::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /register`.
pub async fn register(
    State(st): State<AppState>,
    crate::ctx::ClientAddress(source): crate::ctx::ClientAddress,
    c: Ctx,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ViewPublic)?;
    let pid: i64 = f.get("programme_id").parse().map_err(|_| c.not_found())?;
    let r = Registration {
        credit_code: f.get("credit_code"),
        name: f.get("name"),
        county_id: f.get("county_id").parse().ok(),
        registered_on: f.get("registered_on"),
        address: f.get("address"),
        contact_name: f.get("contact_name"),
        email: f.get("email"),
        username: f.get("username"),
        password: f.raw("password"),
    };
    let mut errors = FormErrors::default();
    let zh = c.page().zh();
    let password2 = f.raw("password2");
    let typed = qaward_core::registration::Typed {
        credit_code: &r.credit_code,
        name: &r.name,
        county_chosen: r.county_id.is_some(),
        registered_on: &r.registered_on,
        address: &r.address,
        contact_name: &r.contact_name,
        email: &r.email,
        username: &r.username,
        password: &r.password,
        password2: &password2,
    };
    for (field, z, e) in qaward_core::registration::problems(&typed) {
        errors.push(field, if zh { z } else { e });
    }
    if !errors.any() {
        errors = super::account::register_paused(&st, &c, &source).await?;
    }
    if !errors.any() {
        match st.store.register(pid, &r, c.now).await {
            Ok((org, _)) => {
                if let Ok(qaward_store::accounts::LoginOutcome::Ok { token, .. }) = st
                    .store
                    .login(&r.username, &r.password, &source, c.now)
                    .await
                {
                    return Ok((
                        [(
                            header::SET_COOKIE,
                            set_cookie(&st, SESSION_COOKIE, &token, None),
                        )],
                        Redirect::to(&format!("/org/{org}")),
                    )
                        .into_response());
                }
                return Ok(Redirect::to("/login").into_response());
            }
            Err(e) => errors = super::account::register_refused(&st, &c, &source, e).await?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        register_view(&st, &c, Some(pid), f, errors).await?,
    )
        .into_response())
}

/// `POST /org/{oid}/users`: the organisation's contact adds a colleague's account.
pub async fn add_user(
    State(st): State<AppState>,
    c: Ctx,
    Path(oid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let org = c.found(
        st.store.organisation(oid).await,
        Action::ViewOrganisation {
            programme_id: -1,
            organisation_id: oid,
        },
    )?;
    c.authorize(Action::ViewOrganisation {
        programme_id: org.programme_id,
        organisation_id: oid,
    })?;
    match st
        .store
        .add_org_user(
            &c.who(Role::Applicant.code()),
            oid,
            (
                &f.get("username"),
                &f.get("display_name"),
                &f.get("email"),
                &f.raw("password"),
            ),
            c.now,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/{oid}?added=1")).into_response()),
        Err(qaward_store::Error::Invalid { zh, en, .. }) => {
            let msg = if c.page().zh() { zh } else { en };
            Err(AppError::Refused(
                Box::new(qaward_core::refusal::Refusal::new(
                    "user",
                    None,
                    ("", ""),
                    msg.clone(),
                    msg,
                )),
                Box::new(c.page()),
            ))
        }
        Err(e) => Err(c.store_err(e)),
    }
}

/// `POST /org/{oid}/applications`: start this session's application.
pub async fn start(
    State(st): State<AppState>,
    c: Ctx,
    Path(oid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let org = c.found(
        st.store.organisation(oid).await,
        Action::ViewOrganisation {
            programme_id: -1,
            organisation_id: oid,
        },
    )?;
    c.authorize(Action::EditApplication {
        programme_id: org.programme_id,
        organisation_id: oid,
    })?;
    let sid: i64 = f.get("session_id").parse().map_err(|_| c.not_found())?;
    match st
        .store
        .start_application(&c.who(Role::Applicant.code()), sid, &org, c.now)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) => Err(c.store_err(e)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "application.html")]
struct ApplicationPage {
    c: PageCtx,
    l: Loaded,
    sections: Vec<(String, String, &'static str, String)>,
    lines: Vec<LineView>,
    score: String,
    editable: bool,
    all_done: bool,
    deadline: String,
    history: Vec<qaward_core::audit::Entry>,
    /// On the on-site list and the reader is the applicant: the link to its on-site page.
    onsite: bool,
}

/// `GET /applications/{aid}`: the task list.
pub async fn task_list(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let l = load(&st, &c, aid, false).await?;
    let page = c.page();
    let progress = l.progress();
    let all_done = progress.iter().all(|(_, p)| *p == Progress::Done)
        && l.evidence_progress() == Progress::Done;
    let mut sections: Vec<(String, String, &'static str, String)> = progress
        .iter()
        .map(|(s, p)| {
            let todo = form::missing(s, &l.app.values, &l.cx).len()
                + form::validate(s, &l.app.values, &l.cx).len();
            let state = if page.zh() { p.zh() } else { p.en() };
            if *p == Progress::InProgress && todo > 0 {
                (
                    format!("/applications/{aid}/s/{}?check=1", s.key),
                    if page.zh() { s.zh } else { s.en }.to_owned(),
                    p.code(),
                    if page.zh() {
                        format!("{state} · 还有 {todo} 项待填写或修改")
                    } else {
                        format!("{state} · {todo} to complete or correct")
                    },
                )
            } else {
                (
                    format!("/applications/{aid}/s/{}", s.key),
                    if page.zh() { s.zh } else { s.en }.to_owned(),
                    p.code(),
                    state.to_owned(),
                )
            }
        })
        .collect();
    let ev = l.evidence_progress();
    sections.push((
        format!("/applications/{aid}/evidence"),
        page.t("证明材料"),
        ev.code(),
        if page.zh() { ev.zh() } else { ev.en() }.to_owned(),
    ));
    let lines = line_views(&page, &l.lines());
    let editable = l.app.status.editable()
        && c.authorize(Action::EditApplication {
            programme_id: l.app.programme_id,
            organisation_id: l.app.org.id,
        })
        .is_ok();
    let deadline =
        l.d.windows
            .get(&Stage::Applications)
            .and_then(|w| w.ends_on)
            .map(|d| page.date(d))
            .unwrap_or_default();
    let history = st
        .store
        .audit_entries(&qaward_store::audit::Filter {
            programme_id: Some(l.app.programme_id),
            limit: 2000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|e| {
            e.subject_type == "application"
                && e.subject_id == aid.to_string()
                && e.action != "application.save"
        })
        .take(30)
        .collect();
    let onsite = st.store.on_onsite_list(aid).await?
        && c.authorize(Action::ViewOrganisation {
            programme_id: l.app.programme_id,
            organisation_id: l.app.org.id,
        })
        .is_ok();
    Ok(ApplicationPage {
        onsite,
        score: l.self_score(),
        c: page,
        l,
        sections,
        lines,
        editable,
        all_done,
        deadline,
        history,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "section.html")]
struct SectionPage {
    c: PageCtx,
    aid: i64,
    title: String,
    hint: String,
    key: &'static str,
    org: String,
    blocks: Vec<Block>,
    errors: FormErrors,
    saved: bool,
    score: String,
    editable: bool,
}

fn section_page(
    c: &Ctx,
    l: &Loaded,
    s: &'static form::Section,
    saved: bool,
    editable: bool,
    check: bool,
) -> SectionPage {
    let page = c.page();
    let mut errs = form::validate(s, &l.app.values, &l.cx);
    if check {
        // Required fields still empty, beside the field and in the summary.
        for m in form::missing(s, &l.app.values, &l.cx) {
            if !errs.iter().any(|e| e.key == m.key) {
                errs.push(m);
            }
        }
    }
    let mut errors = FormErrors::default();
    for e in &errs {
        errors.push(
            &e.key,
            if page.zh() {
                e.zh.clone()
            } else {
                e.en.clone()
            },
        );
    }
    SectionPage {
        aid: l.app.id,
        title: if page.zh() { s.zh } else { s.en }.to_owned(),
        hint: page.t(s.hint_zh),
        key: s.key,
        org: l.app.org.name.clone(),
        blocks: blocks(s, &l.app.values, &errs, &l.cx, page.lang, &l.declarations),
        errors,
        saved,
        score: l.self_score(),
        editable,
        c: page,
    }
}

/// `GET /applications/{aid}/s/{key}`.
pub async fn section_get(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, key)): Path<(i64, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let l = load(&st, &c, aid, false).await?;
    let s = form::section(&key).ok_or_else(|| c.not_found())?;
    let editable = l.app.status.editable()
        && c.authorize(Action::EditApplication {
            programme_id: l.app.programme_id,
            organisation_id: l.app.org.id,
        })
        .is_ok();
    Ok(section_page(
        &c,
        &l,
        s,
        q.contains_key("saved"),
        editable,
        q.contains_key("check"),
    ))
}

async fn save(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    key: &str,
    f: &FormData,
) -> Result<(Loaded, &'static form::Section), AppError> {
    let l = load(st, c, aid, true).await?;
    let s = form::section(key).ok_or_else(|| c.not_found())?;
    let values = form::take(s, f.pairs(), &l.cx);
    st.store
        .save_section(&c.who(Role::Applicant.code()), aid, s.key, &values, c.now)
        .await?;
    Ok((load(st, c, aid, true).await?, s))
}

/// `POST /applications/{aid}/s/{key}`: save, and show what is still wrong beside each field.
pub async fn section_post(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, key)): Path<(i64, String)>,
    f: FormData,
) -> Result<Response, AppError> {
    let (l, s) = save(&st, &c, aid, &key, &f).await?;
    if form::validate(s, &l.app.values, &l.cx).is_empty() && f.get("next") == "list" {
        return Ok(Redirect::to(&format!("/applications/{aid}?saved={key}")).into_response());
    }
    let page = section_page(&c, &l, s, true, true, true);
    let status = if page.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

/// `POST /applications/{aid}/s/{key}/autosave`: the draft saves as one types.
pub async fn autosave(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, key)): Path<(i64, String)>,
    f: FormData,
) -> Result<Response, AppError> {
    save(&st, &c, aid, &key, &f).await?;
    let t = qaward_core::clock::format_micros(c.now.as_microsecond());
    let msg = format!(
        "{} {}",
        c.page().t("草稿已自动保存"),
        t.get(11..).unwrap_or(&t)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        msg,
    )
        .into_response())
}

/// A part not yet complete: its title, its link, and each field missing or wrong (link to the
/// field, message).
type Incomplete = (String, String, Vec<(String, String)>);

#[derive(Template, WebTemplate)]
#[template(path = "submit.html")]
struct SubmitPage {
    c: PageCtx,
    l: Loaded,
    /// Sections not complete: (title, link, [(link to the field, what is missing)]).
    incomplete: Vec<Incomplete>,
    lines: Vec<LineView>,
    blocked: bool,
    refusal: Option<(String, Option<String>)>,
    score: String,
    deadline: String,
}

fn submit_view(c: &Ctx, l: Loaded, refusal: Option<(String, Option<String>)>) -> SubmitPage {
    let page = c.page();
    // Every field still missing or wrong, each with a link to the field itself.
    let mut incomplete: Vec<Incomplete> = Vec::new();
    for (s, p) in l.progress() {
        if p == Progress::Done {
            continue;
        }
        let mut errs = form::validate(s, &l.app.values, &l.cx);
        for m in form::missing(s, &l.app.values, &l.cx) {
            if !errs.iter().any(|e| e.key == m.key) {
                errs.push(m);
            }
        }
        let aid = l.app.id;
        incomplete.push((
            if page.zh() { s.zh } else { s.en }.to_owned(),
            format!("/applications/{aid}/s/{}?check=1", s.key),
            errs.into_iter()
                .map(|e| {
                    (
                        format!("/applications/{aid}/s/{}?check=1#{}", s.key, e.key),
                        if page.zh() { e.zh } else { e.en },
                    )
                })
                .collect(),
        ));
    }
    if l.evidence_progress() != Progress::Done {
        use qaward_store::attachments::KINDS;
        let aid = l.app.id;
        let missing = KINDS
            .iter()
            .filter(|k| k.3 && !l.files.iter().any(|f| f.kind == k.0))
            .map(|k| {
                (
                    format!("/applications/{aid}/evidence#kind"),
                    if page.zh() {
                        format!("请上传“{}”。", k.1)
                    } else {
                        format!("Upload “{}”.", k.2)
                    },
                )
            })
            .collect();
        incomplete.push((
            page.t("证明材料"),
            format!("/applications/{aid}/evidence"),
            missing,
        ));
    }
    let lines = l.lines();
    let blocked = !incomplete.is_empty() || !eligibility::passes(&lines);
    let deadline =
        l.d.windows
            .get(&Stage::Applications)
            .and_then(|w| w.ends_on)
            .map(|d| page.date(d))
            .unwrap_or_default();
    SubmitPage {
        lines: line_views(&page, &lines),
        score: l.self_score(),
        c: page,
        l,
        incomplete,
        blocked,
        refusal,
        deadline,
    }
}

/// `GET /applications/{aid}/submit`: check your answers.
pub async fn submit_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let l = load(&st, &c, aid, true).await?;
    Ok(submit_view(&c, l, None))
}

/// `POST /applications/{aid}/submit`.
pub async fn submit(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    let l = load(&st, &c, aid, true).await?;
    let v = submit_view(&c, l, None);
    if v.blocked {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, v).into_response());
    }
    match st
        .store
        .submit_application(&c.who(Role::Applicant.code()), aid, c.now)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{aid}/receipt")).into_response()),
        Err(qaward_store::Error::Refused(r)) => {
            let page = c.page();
            let text = if page.zh() {
                (r.zh.clone(), r.citation_zh())
            } else {
                (r.en.clone(), r.citation_en())
            };
            let l = load(&st, &c, aid, true).await?;
            Ok((StatusCode::CONFLICT, submit_view(&c, l, Some(text))).into_response())
        }
        Err(e) => Err(c.store_err(e)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    c: PageCtx,
    l: Loaded,
    submitted: String,
}

/// `GET /applications/{aid}/receipt`: number, time, SHA-256 (R-APP-3).
pub async fn receipt(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let l = load(&st, &c, aid, false).await?;
    let Some(at) = l.app.submitted_at else {
        return Err(c.not_found());
    };
    let page = c.page();
    Ok(ReceiptPage {
        submitted: page.time(at),
        c: page,
        l,
    })
}

/// `GET /applications/{aid}/receipt.pdf`: the receipt as a document.
pub async fn receipt_pdf(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    let l = load(&st, &c, aid, false).await?;
    let Some(at) = l.app.submitted_at else {
        return Err(c.not_found());
    };
    let p = st.store.programme(l.app.programme_id).await?;
    let kind_name = |k: &str| {
        qaward_store::attachments::KINDS
            .iter()
            .find(|x| x.0 == k)
            .map(|x| x.1)
            .unwrap_or("县级推荐函")
    };
    let files: Vec<serde_json::Value> = l
        .files
        .iter()
        .filter(|f| f.kind != qaward_store::attachments::COUNTY_LETTER)
        .map(|f| serde_json::json!({"kind": kind_name(&f.kind), "name": f.filename, "size": format!("{} KB", (f.size + 1023) / 1024), "sha256": f.sha256}))
        .collect();
    let data = serde_json::json!({
        "receipt_no": l.app.receipt_no,
        "session_title": l.d.session.title,
        "programme_name": p.name,
        "organisation": l.app.org.name,
        "credit_code": l.app.org.credit_code,
        "county": l.app.org.county_name,
        "submitted_at": qaward_core::clock::format_micros(at),
        "sha256": l.app.content_hash,
        "status": l.app.status.zh(),
        "demo": l.d.rules.meta.demo,
        "files": files,
        "issuer": p.office_name,
    });
    let bytes = st.render_pdf(qaward_docs::Template::Receipt, data).await?;
    let name = format!(
        "attachment; filename=\"receipt-{}.pdf\"",
        l.app.receipt_no.unwrap_or_default()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /applications/{aid}/withdraw`.
pub async fn withdraw(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    load(&st, &c, aid, true).await?;
    st.store
        .withdraw_application(&c.who(Role::Applicant.code()), aid, c.now)
        .await?;
    Ok(Redirect::to(&format!("/applications/{aid}")).into_response())
}

/// Used by templates: is this status one the applicant may still edit?
pub fn status_label(c: &PageCtx, s: Status) -> &'static str {
    if c.zh() { s.zh() } else { s.en() }
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get_post("/register", register_page, register)
        .post("/org/{oid}/applications", start)
        .post("/org/{oid}/users", add_user)
        .get("/applications/{aid}", task_list)
        .get_post("/applications/{aid}/s/{key}", section_get, section_post)
        .post("/applications/{aid}/s/{key}/autosave", autosave)
        .get_post("/applications/{aid}/submit", submit_page, submit)
        .get("/applications/{aid}/receipt", receipt)
        .get("/applications/{aid}/receipt.pdf", receipt_pdf)
        .post("/applications/{aid}/withdraw", withdraw)
        .get_post_with(
            "/applications/{aid}/evidence",
            evidence::evidence_page,
            evidence::upload,
            super::upload_limit(cfg),
        )
        .get("/attachments/{att}", evidence::download)
        .post("/attachments/{att}/remove", evidence::remove)
}

pub mod evidence;
