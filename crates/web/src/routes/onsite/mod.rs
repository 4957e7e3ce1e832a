//! On-site review and comprehensive evaluation (Art. 16, 17): the team leader's plan sent to
//! the applicant, the team's visit record, the comprehensive evaluation with the advanced
//! practices, the applicant's own on-site page (plan, practices, released report), and the
//! office's final ranking with the release of on-site reports. On-site scoring and consensus
//! are the review's scorebook pages in the on-site phase (routes/scoring.rs).

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::scoring::{reviewer, reviewer_ctx, standing};
use crate::view::{FormErrors, PageCtx, download, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role, Standing};
use qaward_store::application::Application;
use qaward_store::assignment::Team;
use qaward_store::onsite::{
    AgendaLine, Evaluation, FinalRow, Interview, Interviewee, Plan, Practice, VERIFY_STATUSES,
    Verification, Visit,
};
use qaward_store::scoring::{Phase, points_text};
use qaward_store::session::AwardSession;

/// Lines offered for new entries below the stored ones.
const BLANK_LINES: usize = 3;

/// Authorize a read of an application's on-site pages: the office, leadership, discipline and
/// its team; the applicant when `released`; only for applicants on the on-site list.
async fn onsite_read(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    released: bool,
) -> Result<Application, AppError> {
    let unknown = Action::ViewReviewReport {
        programme_id: -1,
        organisation_id: -1,
        standing: Standing::default(),
        released: false,
    };
    let app = c.found(st.store.application(aid).await, unknown)?;
    let review = standing(st, c, aid).await?;
    let on_list = st.store.on_onsite_list(aid).await?;
    c.authorize(Action::Onsite {
        on_list,
        inner: Box::new(Action::ViewReviewReport {
            programme_id: app.programme_id,
            organisation_id: app.org.id,
            standing: review,
            released,
        }),
    })?;
    Ok(app)
}

/// The team's standing of the reader, for what the page offers.
async fn reader_standing(st: &AppState, c: &Ctx, aid: i64) -> Result<Standing, AppError> {
    standing(st, c, aid).await
}

#[derive(Template, WebTemplate)]
#[template(path = "onsite_plan.html")]
struct PlanPage {
    c: PageCtx,
    app: Application,
    session: AwardSession,
    team: Option<Team>,
    plan: Plan,
    agenda: Vec<AgendaLine>,
    interviewees: Vec<Interviewee>,
    leader: bool,
    member: bool,
    open: bool,
    window: String,
    errors: FormErrors,
    saved: bool,
    onsite_cons: bool,
    visit_submitted: bool,
    evaluation_submitted: bool,
}

async fn plan_view(
    st: &AppState,
    c: &Ctx,
    app: Application,
    typed: Option<Plan>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, AppError> {
    let s = reader_standing(st, c, app.id).await?;
    let d = st.store.session_detail(app.session_id).await?;
    let stored = st.store.onsite_plan(app.id).await?.unwrap_or_default();
    let plan = typed.unwrap_or(stored.clone());
    let mut agenda = plan.agenda.clone();
    agenda.extend(std::iter::repeat_n(AgendaLine::default(), BLANK_LINES));
    let mut interviewees = plan.interviewees.clone();
    interviewees.extend(std::iter::repeat_n(Interviewee::default(), BLANK_LINES));
    let w = d
        .windows
        .get(&qaward_core::session::Stage::OnsiteReview)
        .copied()
        .unwrap_or_default();
    let window = match (w.starts_on, w.ends_on) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => String::new(),
    };
    let team = st.store.team_of(app.id, c.today()).await?;
    let onsite_cons = st
        .store
        .consensus(app.id, Phase::Onsite)
        .await?
        .submitted_at
        .is_some();
    let visit_submitted = st
        .store
        .onsite_visit(app.id, c.today())
        .await?
        .submitted_at
        .is_some();
    let evaluation_submitted = st.store.evaluation(app.id).await?.submitted_at.is_some();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        PlanPage {
            c: c.page(),
            open: d.session.stage == qaward_core::session::Stage::OnsiteReview,
            session: d.session,
            app,
            team,
            plan: Plan {
                sent_at: stored.sent_at,
                sent_version: stored.sent_version,
                updated_at: stored.updated_at,
                ..plan
            },
            agenda,
            interviewees,
            leader: s.leader,
            member: s.member,
            window,
            errors,
            saved,
            onsite_cons,
            visit_submitted,
            evaluation_submitted,
        },
    )
        .into_response())
}

/// `GET /review/applications/{aid}/onsite/plan`: the team's on-site plan (the leader writes
/// it; members, the office, leadership and discipline read it), with the way to the visit
/// record, on-site scoring, the consensus, the report and the comprehensive evaluation.
pub async fn plan_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let app = onsite_read(&st, &c, aid, false).await?;
    plan_view(
        &st,
        &c,
        app,
        None,
        FormErrors::default(),
        q.contains_key("saved"),
    )
    .await
}

fn typed_plan(f: &FormData) -> Plan {
    let times = f.all("agenda_time");
    let acts = f.all("agenda_activity");
    let places = f.all("agenda_place");
    let agenda = (0..times.len().max(acts.len()))
        .map(|i| AgendaLine {
            time: times.get(i).cloned().unwrap_or_default(),
            activity: acts.get(i).cloned().unwrap_or_default(),
            place: places.get(i).cloned().unwrap_or_default(),
        })
        .filter(|l| !(l.time.trim().is_empty() && l.activity.trim().is_empty()))
        .collect();
    let roles = f.all("person_role");
    let names = f.all("person_name");
    let interviewees = (0..roles.len().max(names.len()))
        .map(|i| Interviewee {
            role: roles.get(i).cloned().unwrap_or_default(),
            name: names.get(i).cloned().unwrap_or_default(),
        })
        .filter(|p| !(p.role.trim().is_empty() && p.name.trim().is_empty()))
        .collect();
    Plan {
        first_day: f.get("first_day"),
        last_day: f.get("last_day"),
        agenda,
        interviewees,
        sites: f.raw("sites"),
        ..Plan::default()
    }
}

/// `POST /review/applications/{aid}/onsite/plan`: the leader saves the plan; "send" (or any
/// change to a sent plan) notifies the applicant.
pub async fn plan_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let r = reviewer!(&st, &c, aid, true, Phase::Onsite);
    let plan = typed_plan(&f);
    match st
        .store
        .save_onsite_plan(
            &c.who(Role::Reviewer.code()),
            aid,
            &plan,
            f.get("send") == "1",
            c.now,
        )
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/review/applications/{aid}/onsite/plan?saved=1"))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_error(&c, e)?;
            plan_view(&st, &c, r.app, Some(plan), errors, false).await
        }
    }
}

/// A point to verify with its position in the form.
pub struct VerifyRow {
    /// Index in the list.
    pub index: usize,
    /// The point.
    pub v: Verification,
}

/// A criteria item with the finding written for it.
pub struct FindingRow {
    /// Item id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Finding.
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "onsite_visit.html")]
struct VisitPage {
    c: PageCtx,
    app: Application,
    session: AwardSession,
    visit: Visit,
    interviews: Vec<Interview>,
    findings: Vec<FindingRow>,
    verify: Vec<VerifyRow>,
    statuses: Vec<(&'static str, &'static str)>,
    member: bool,
    leader: bool,
    open: bool,
    errors: FormErrors,
    saved: bool,
}

async fn visit_view(
    st: &AppState,
    c: &Ctx,
    app: Application,
    typed: Option<Visit>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, AppError> {
    let s = reader_standing(st, c, app.id).await?;
    let d = st.store.session_detail(app.session_id).await?;
    let crit = st.store.criteria(&d.rules.meta.criteria).await?;
    let stored = st.store.onsite_visit(app.id, c.today()).await?;
    let visit = typed.unwrap_or_else(|| stored.clone());
    let zh = c.page().zh();
    let findings = crit
        .items()
        .map(|it| FindingRow {
            id: it.id.clone(),
            name: if zh {
                it.name.clone()
            } else {
                it.name_en.clone()
            },
            text: visit.findings.get(&it.id).cloned().unwrap_or_default(),
        })
        .collect();
    let mut interviews = visit.interviews.clone();
    interviews.extend(std::iter::repeat_n(Interview::default(), BLANK_LINES));
    let verify = visit
        .verifications
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, v)| VerifyRow { index, v })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        VisitPage {
            c: c.page(),
            open: d.session.stage == qaward_core::session::Stage::OnsiteReview
                && stored.submitted_at.is_none(),
            session: d.session,
            app,
            visit: Visit {
                submitted_at: stored.submitted_at,
                updated_at: stored.updated_at,
                ..visit
            },
            interviews,
            findings,
            verify,
            statuses: VERIFY_STATUSES.to_vec(),
            member: s.member,
            leader: s.leader,
            errors,
            saved,
        },
    )
        .into_response())
}

/// `GET /review/applications/{aid}/onsite/visit`: the visit record: interviews, documents
/// checked, findings per criteria item and the points to verify from the material review.
pub async fn visit_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let app = onsite_read(&st, &c, aid, false).await?;
    visit_view(
        &st,
        &c,
        app,
        None,
        FormErrors::default(),
        q.contains_key("saved"),
    )
    .await
}

/// `POST /review/applications/{aid}/onsite/visit`: members save the record; the leader
/// submits it.
pub async fn visit_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let submit = f.get("submit") == "1";
    let r = reviewer!(&st, &c, aid, submit, Phase::Onsite);
    let stored = st.store.onsite_visit(aid, c.today()).await?;
    let who_ = f.all("iv_who");
    let roles = f.all("iv_role");
    let topics = f.all("iv_topic");
    let notes = f.all("iv_notes");
    let interviews = (0..who_.len())
        .map(|i| Interview {
            who: who_[i].clone(),
            role: roles.get(i).cloned().unwrap_or_default(),
            topic: topics.get(i).cloned().unwrap_or_default(),
            notes: notes.get(i).cloned().unwrap_or_default(),
        })
        .filter(|i| {
            !(i.who.trim().is_empty() && i.topic.trim().is_empty() && i.notes.trim().is_empty())
        })
        .collect();
    let findings = r
        .crit
        .items()
        .map(|it| (it.id.clone(), f.raw(&format!("finding.{}", it.id))))
        .collect();
    let verifications = stored
        .verifications
        .iter()
        .enumerate()
        .map(|(i, v)| Verification {
            status: f.get(&format!("status.{i}")),
            note: f.raw(&format!("note.{i}")),
            ..v.clone()
        })
        .collect();
    let visit = Visit {
        interviews,
        documents: f.raw("documents"),
        findings,
        verifications,
        ..Visit::default()
    };
    match st
        .store
        .save_onsite_visit(&c.who(Role::Reviewer.code()), aid, &visit, submit, c.now)
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/review/applications/{aid}/onsite/visit?saved=1"))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_error(&c, e)?;
            visit_view(&st, &c, r.app, Some(visit), errors, false).await
        }
    }
}

/// A practice row on the evaluation form.
pub struct PracticeRow {
    /// Index in the form.
    pub index: usize,
    /// The practice.
    pub p: Practice,
}

#[derive(Template, WebTemplate)]
#[template(path = "onsite_evaluation.html")]
struct EvaluationPage {
    c: PageCtx,
    app: Application,
    session: AwardSession,
    eval: Evaluation,
    analysis: String,
    rows: Vec<PracticeRow>,
    items: Vec<(String, String)>,
    leader: bool,
    open: bool,
    material: String,
    onsite: String,
    final_score: String,
    basis: String,
    errors: FormErrors,
    saved: bool,
}

struct EvalData {
    app: Application,
    d: qaward_store::session::SessionDetail,
    crit: std::sync::Arc<qaward_core::criteria::Criteria>,
    eval: Evaluation,
    row: Option<FinalRow>,
}

async fn eval_data(st: &AppState, app: Application) -> Result<EvalData, AppError> {
    let d = st.store.session_detail(app.session_id).await?;
    let crit = st.store.criteria(&d.rules.meta.criteria).await?;
    let eval = st.store.evaluation(app.id).await?;
    let row = st
        .store
        .final_ranking(app.session_id)
        .await?
        .into_iter()
        .find(|r| r.application_id == app.id);
    Ok(EvalData {
        app,
        d,
        crit,
        eval,
        row,
    })
}

fn pts(h: Option<i64>) -> String {
    h.map(points_text).unwrap_or_default()
}

fn basis(d: &qaward_store::session::SessionDetail) -> String {
    let r = &d.rules.review.final_score;
    let what = if r.value == qaward_core::rules::FINAL_WEIGHTED {
        format!(
            "资料评审与现场评审合议得分加权（资料评审占{}%）",
            d.rules
                .review
                .final_material_weight_percent
                .as_ref()
                .map(|w| w.value)
                .unwrap_or(0)
        )
    } else {
        "以现场评审合议得分为最终得分".to_owned()
    };
    match r.article {
        Some(a) => format!("{what}（《{}》第{a}条）", d.rules.meta.name),
        None => what,
    }
}

async fn evaluation_view(
    st: &AppState,
    c: &Ctx,
    app: Application,
    f: Option<&FormData>,
    typed: Option<Vec<Practice>>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response, AppError> {
    let s = reader_standing(st, c, app.id).await?;
    let e = eval_data(st, app).await?;
    let mut practices = typed.unwrap_or_else(|| e.eval.practices.clone());
    let open = matches!(
        e.d.session.stage,
        qaward_core::session::Stage::OnsiteReview
            | qaward_core::session::Stage::ComprehensiveEvaluation
    ) && e.eval.submitted_at.is_none()
        && s.leader;
    if open {
        practices.extend(std::iter::repeat_n(Practice::default(), BLANK_LINES));
    }
    let zh = c.page().zh();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        EvaluationPage {
            c: c.page(),
            analysis: f
                .map(|f| f.raw("analysis"))
                .unwrap_or_else(|| e.eval.analysis.clone()),
            rows: practices
                .into_iter()
                .enumerate()
                .map(|(index, p)| PracticeRow { index, p })
                .collect(),
            items: e
                .crit
                .items()
                .map(|i| {
                    (
                        i.id.clone(),
                        format!("{} {}", i.id, if zh { &i.name } else { &i.name_en }),
                    )
                })
                .collect(),
            material: pts(e.row.as_ref().and_then(|r| r.material_hundredths)),
            onsite: pts(e.row.as_ref().and_then(|r| r.onsite_hundredths)),
            final_score: pts(e.row.as_ref().and_then(|r| r.final_hundredths)),
            basis: basis(&e.d),
            session: e.d.session,
            app: e.app,
            eval: e.eval,
            leader: s.leader,
            open,
            errors,
            saved,
        },
    )
        .into_response())
}

/// `GET /review/applications/{aid}/evaluation`: the comprehensive evaluation (Art. 17): the
/// leader writes it, the team, the office, leadership and discipline read it.
pub async fn evaluation_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let app = onsite_read(&st, &c, aid, false).await?;
    evaluation_view(
        &st,
        &c,
        app,
        None,
        None,
        FormErrors::default(),
        q.contains_key("saved"),
    )
    .await
}

/// `POST /review/applications/{aid}/evaluation`: the leader saves (or submits) it.
pub async fn evaluation_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let r = reviewer!(&st, &c, aid, true, Phase::Onsite);
    let ids = f.all("p_id");
    let titles = f.all("p_title");
    let items = f.all("p_item");
    let texts = f.all("p_text");
    let practices: Vec<Practice> = (0..titles.len())
        .map(|i| Practice {
            id: ids.get(i).and_then(|x| x.parse().ok()).unwrap_or(0),
            application_id: aid,
            title: titles[i].clone(),
            item_id: items.get(i).cloned().unwrap_or_default(),
            text: texts.get(i).cloned().unwrap_or_default(),
            trade_secret: false,
        })
        .filter(|p| !(p.title.trim().is_empty() && p.text.trim().is_empty()))
        .collect();
    match st
        .store
        .save_evaluation(
            &c.who(Role::Reviewer.code()),
            aid,
            &f.raw("analysis"),
            &practices,
            f.get("submit") == "1",
            c.now,
        )
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/review/applications/{aid}/evaluation?saved=1")).into_response(),
        ),
        Err(e) => {
            let errors = form_error(&c, e)?;
            evaluation_view(&st, &c, r.app, Some(&f), Some(practices), errors, false).await
        }
    }
}

/// `GET /review/applications/{aid}/evaluation.pdf`: the comprehensive evaluation report.
pub async fn evaluation_pdf(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    let app = onsite_read(&st, &c, aid, false).await?;
    let e = eval_data(&st, app).await?;
    let office = st
        .store
        .programme(e.d.session.programme_id)
        .await?
        .office_name;
    let row = e.row.as_ref();
    let data = serde_json::json!({
        "programme_name": e.d.session.programme_name,
        "session_title": e.d.session.title,
        "demo": e.d.rules.meta.demo,
        "issuer": office,
        "report_no": format!("{}-CE-{:04}", e.d.session.year, e.app.id),
        "organisation": e.app.org.name,
        "credit_code": e.app.org.credit_code,
        "county": e.app.org.county_name.clone().unwrap_or_default(),
        "material": pts(row.and_then(|r| r.material_hundredths)),
        "onsite": pts(row.and_then(|r| r.onsite_hundredths)),
        "final": pts(row.and_then(|r| r.final_hundredths)),
        "rank": row.and_then(|r| r.rank),
        "basis": basis(&e.d),
        "analysis": e.eval.analysis,
        "practices": e.eval.practices.iter().map(|p| serde_json::json!({
            "title": p.title, "item": p.item_id, "text": p.text, "trade_secret": p.trade_secret,
        })).collect::<Vec<_>>(),
        "submitted_at": e.eval.submitted_at.map(qaward_core::clock::format_micros).unwrap_or_default(),
        "generated_at": qaward_core::clock::format_micros(c.now.as_microsecond()),
    });
    let bytes = st
        .render_pdf(qaward_docs::Template::EvaluationReport, data)
        .await?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("{}综合评价报告.pdf", e.app.org.name),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "applicant_onsite.html")]
struct ApplicantPage {
    c: PageCtx,
    app: Application,
    session: AwardSession,
    plan: Option<Plan>,
    practices: Vec<Practice>,
    evaluation_submitted: bool,
    released: Option<i64>,
    /// The visit record is submitted: the applicant rates the visiting reviewers (Art. 26).
    visit_recorded: bool,
}

async fn applicant_auth(st: &AppState, c: &Ctx, aid: i64) -> Result<Application, AppError> {
    let unknown = Action::ViewOrganisation {
        programme_id: -1,
        organisation_id: -1,
    };
    let app = c.found(st.store.application(aid).await, unknown)?;
    let on_list = st.store.on_onsite_list(aid).await?;
    c.authorize(Action::Onsite {
        on_list,
        inner: Box::new(Action::ViewOrganisation {
            programme_id: app.programme_id,
            organisation_id: app.org.id,
        }),
    })?;
    Ok(app)
}

/// `GET /applications/{aid}/onsite`: the applicant's on-site page: the plan once sent
/// (read-only), its advanced practices once evaluated (it may withhold any as a trade secret),
/// and the on-site report once the office releases it.
pub async fn applicant_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    let app = applicant_auth(&st, &c, aid).await?;
    let d = st.store.session_detail(app.session_id).await?;
    let plan = st
        .store
        .onsite_plan(aid)
        .await?
        .filter(|p| p.sent_at.is_some());
    let eval = st.store.evaluation(aid).await?;
    let released = st.store.onsite_released(aid).await?;
    let submitted = eval.submitted_at.is_some();
    let visit_recorded = st.store.visited(aid).await?.is_some();
    Ok(ApplicantPage {
        visit_recorded,
        c: c.page(),
        app,
        session: d.session,
        plan,
        practices: if submitted {
            eval.practices
        } else {
            Vec::new()
        },
        evaluation_submitted: submitted,
        released,
    }
    .into_response())
}

/// `POST /applications/{aid}/practices/{pid}/secret`: the applicant marks a practice as a
/// trade secret not to be published, or lifts the mark (Art. 17).
pub async fn mark_secret(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, pid)): Path<(i64, i64)>,
    f: FormData,
) -> Result<Response, AppError> {
    let _app = applicant_auth(&st, &c, aid).await?;
    if st.store.evaluation(aid).await?.submitted_at.is_none() {
        return Err(c.not_found());
    }
    match st
        .store
        .mark_practice_secret(
            &c.who(Role::Applicant.code()),
            aid,
            pid,
            f.get("secret") == "1",
            c.now,
        )
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/applications/{aid}/onsite#practices")).into_response())
        }
        Err(qaward_store::Error::NotFound) => Err(c.not_found()),
        Err(e) => Err(c.store_err(e)),
    }
}

/// A row of the final ranking page.
pub struct FinalView {
    /// The row.
    pub r: FinalRow,
    /// Report released to the applicant.
    pub released: bool,
    /// On-site consensus submitted.
    pub consensus: bool,
    /// Comprehensive evaluation submitted.
    pub evaluated: bool,
}

impl FinalView {
    /// Material consensus total.
    pub fn material(&self) -> String {
        pts(self.r.material_hundredths)
    }
    /// On-site consensus total.
    pub fn onsite(&self) -> String {
        pts(self.r.onsite_hundredths)
    }
    /// Final score.
    pub fn final_score(&self) -> String {
        pts(self.r.final_hundredths)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "office_final.html")]
struct FinalPage {
    c: PageCtx,
    session: AwardSession,
    rows: Vec<FinalView>,
    basis: String,
    manage: bool,
    notice: Option<(String, Option<String>)>,
}

async fn final_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    notice: Option<(String, Option<String>)>,
) -> Result<Response, AppError> {
    let d = c.found(
        st.store.session_detail(sid).await,
        Action::ViewProgrammeOffice { programme_id: -1 },
    )?;
    let pid = d.session.programme_id;
    c.authorize(Action::ViewProgrammeOffice { programme_id: pid })?;
    let manage = c
        .authorize(Action::ManageProgramme { programme_id: pid })
        .is_ok();
    let mut rows = Vec::new();
    for r in st.store.final_ranking(sid).await? {
        let aid = r.application_id;
        rows.push(FinalView {
            released: st.store.onsite_released(aid).await?.is_some(),
            consensus: r.onsite_hundredths.is_some(),
            evaluated: st.store.evaluation(aid).await?.submitted_at.is_some(),
            r,
        });
    }
    Ok(FinalPage {
        c: c.page(),
        basis: basis(&d),
        session: d.session,
        rows,
        manage,
        notice,
    }
    .into_response())
}

/// `GET /office/sessions/{sid}/final`: the final ranking of the on-site applicants (Art. 17)
/// with their plans, visit records, reports and evaluations.
pub async fn final_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    final_view(&st, &c, sid, None).await
}

/// `POST /office/review/applications/{aid}/onsite/release`: the office releases the on-site
/// report to the applicant.
pub async fn release(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    let app = c.found(
        st.store.application(aid).await,
        Action::ManageProgramme { programme_id: -1 },
    )?;
    c.authorize(Action::ManageProgramme {
        programme_id: app.programme_id,
    })?;
    match st
        .store
        .release_onsite_report(&c.who(Role::CityOffice.code()), aid, c.now)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/office/sessions/{}/final", app.session_id)).into_response())
        }
        Err(qaward_store::Error::Refused(r)) => {
            let page = c.page();
            let msg = crate::routes::session::refusal_text(&page, &r);
            Ok((
                StatusCode::CONFLICT,
                final_view(&st, &c, app.session_id, Some(msg)).await?,
            )
                .into_response())
        }
        Err(e) => Err(c.store_err(e)),
    }
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/office/sessions/{sid}/ranking", selection::ranking)
        .post("/office/sessions/{sid}/onsite", selection::decide_onsite)
        .get_post(
            "/review/applications/{aid}/onsite/plan",
            plan_page,
            plan_save,
        )
        .get_post(
            "/review/applications/{aid}/onsite/visit",
            visit_page,
            visit_save,
        )
        .get_post(
            "/review/applications/{aid}/onsite/score",
            scoring::onsite_scorebook,
            scoring::onsite_score_save,
        )
        .post(
            "/review/applications/{aid}/onsite/score/autosave",
            scoring::onsite_score_autosave,
        )
        .post(
            "/review/applications/{aid}/onsite/score/submit",
            scoring::onsite_score_submit,
        )
        .get_post(
            "/review/applications/{aid}/onsite/consensus",
            scoring::onsite_consensus,
            scoring::onsite_consensus_save,
        )
        .get(
            "/review/applications/{aid}/onsite/report",
            scoring::onsite_report,
        )
        .get(
            "/review/applications/{aid}/onsite/report.pdf",
            scoring::onsite_report_pdf,
        )
        .get_post(
            "/review/applications/{aid}/evaluation",
            evaluation_page,
            evaluation_save,
        )
        .get("/review/applications/{aid}/evaluation.pdf", evaluation_pdf)
        .get("/applications/{aid}/onsite", applicant_page)
        .post(
            "/applications/{aid}/practices/{practice}/secret",
            mark_secret,
        )
        .get("/office/sessions/{sid}/final", final_page)
        .post("/office/review/applications/{aid}/onsite/release", release)
}

pub mod scoring;
pub mod selection;
