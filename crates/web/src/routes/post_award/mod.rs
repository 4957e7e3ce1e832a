//! After the award: a winner's page of duties (the annual performance reports, Art. 30, and
//! the wording of the title, Art. 31), its report forms; the office's and the county's lists of
//! reports with the overdue ones on top; title misuse and forgery cases (Art. 31) with the
//! public's forgery report from the verification page; the winners' senior managers joining the
//! expert pool (Art. 29).

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::upload::{Upload, read_upload, send_file};
use crate::view::{FormErrors, PageCtx, form_error_at};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::post_award::title_wording;
use qaward_store::award::Winner;
use qaward_store::experts::ExpertForm;
use qaward_store::post_award::{
    CaseInput, CaseKind, CaseStep, EvidenceFile, ForgeryInput, NamedManager, OUTCOMES,
    REPORT_SECTIONS, ReportInput, ReportSlot, TitleCase, WinnerManager, check_forgery,
};
use qaward_store::session::SessionDetail;
use std::collections::HashMap;

/// The winner of an application, authorized for `read` (view) or filing.
async fn winner_for(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    file: bool,
) -> Result<(Winner, Option<i64>), AppError> {
    let w = c.found(
        st.store.winner_of(aid).await,
        Action::FileAnnualReport {
            programme_id: -1,
            organisation_id: -1,
        },
    )?;
    let county_id = st.store.organisation(w.organisation_id).await?.county_id;
    c.authorize(if file {
        Action::FileAnnualReport {
            programme_id: w.programme_id,
            organisation_id: w.organisation_id,
        }
    } else {
        Action::ViewAnnualReport {
            programme_id: w.programme_id,
            county_id,
            organisation_id: w.organisation_id,
        }
    })?;
    Ok((w, county_id))
}

fn may_file(c: &Ctx, w: &Winner) -> bool {
    c.authorize(Action::FileAnnualReport {
        programme_id: w.programme_id,
        organisation_id: w.organisation_id,
    })
    .is_ok()
}

#[derive(Template, WebTemplate)]
#[template(path = "post_award_winner.html")]
struct WinnerPage {
    c: PageCtx,
    w: Winner,
    d: SessionDetail,
    slots: Vec<ReportSlot>,
    wording: String,
    own: bool,
    commended: bool,
}

/// `GET /applications/{aid}/post-award`: a winner's duties after the award: its annual
/// reports with their due dates (Art. 30) and the wording of the title (Art. 31).
pub async fn winner_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let (w, _) = winner_for(&st, &c, aid, false).await?;
    let d = st.store.session_detail(w.session_id).await?;
    let slots = st.store.report_slots(&w, c.today()).await?;
    Ok(WinnerPage {
        c: c.page(),
        wording: title_wording(&d.rules, w.award_year),
        own: may_file(&c, &w),
        commended: !slots.is_empty(),
        w,
        d,
        slots,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "post_award_report_form.html")]
struct ReportFormPage {
    c: PageCtx,
    s: ReportSlot,
    sections: Vec<(String, String, String)>,
    covered_year: String,
    files: Vec<EvidenceFile>,
    errors: FormErrors,
    done: String,
}

async fn report_form(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    year: u32,
    typed: Option<&Upload>,
    errors: FormErrors,
    done: String,
) -> Result<ReportFormPage, AppError> {
    let (w, _) = winner_for(st, c, aid, true).await?;
    let s = c.found(
        st.store.report_slot(w.id, year, c.today()).await,
        Action::FileAnnualReport {
            programme_id: -1,
            organisation_id: -1,
        },
    )?;
    let saved = s.report.clone().unwrap_or_default();
    let saved_text = |k: &str| match k {
        "performance" => saved.performance.clone(),
        "indicators" => saved.indicators.clone(),
        "improvement" => saved.improvement.clone(),
        "sharing" => saved.sharing.clone(),
        _ => saved.incidents.clone(),
    };
    let sections = REPORT_SECTIONS
        .iter()
        .map(|(k, zh, _)| {
            let v = typed
                .map(|u| {
                    u.text
                        .iter()
                        .find(|(n, _)| n == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .unwrap_or_else(|| saved_text(k));
            ((*k).to_owned(), c.page().t(zh), v)
        })
        .collect();
    let covered_year = typed.map(|u| u.get("covered_year")).unwrap_or_else(|| {
        if saved.covered_year > 0 {
            saved.covered_year.to_string()
        } else {
            (s.due_on.year() - 1).to_string()
        }
    });
    let files = match &s.report {
        Some(r) => st.store.annual_report_files(r.id).await?,
        None => Vec::new(),
    };
    Ok(ReportFormPage {
        c: c.page(),
        s,
        sections,
        covered_year,
        files,
        errors,
        done,
    })
}

/// `GET /applications/{aid}/reports/{year}`: the winner's form for one annual report.
pub async fn report_form_page(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, year)): Path<(i64, u32)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let done = q.get("done").cloned().unwrap_or_default();
    report_form(&st, &c, aid, year, None, FormErrors::default(), done).await
}

/// `POST /applications/{aid}/reports/{year}` (multipart): save the draft or file the report
/// (`action` = save or submit), with attachments. What was typed is kept on any problem.
pub async fn report_save(
    State(st): State<AppState>,
    c: Ctx,
    Path((aid, year)): Path<(i64, u32)>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let (w, _) = winner_for(&st, &c, aid, true).await?;
    let up = read_upload(&st, &c, req).await?;
    let submit = up.get("action") == "submit";
    let mut errors = FormErrors::default();
    if let Some(m) = &up.file_error {
        errors.push("file", m.clone());
    }
    if !errors.any() {
        let input = ReportInput {
            covered_year: up.get("covered_year"),
            performance: up.get("performance"),
            indicators: up.get("indicators"),
            improvement: up.get("improvement"),
            sharing: up.get("sharing"),
            incidents: up.get("incidents"),
        };
        match st
            .store
            .save_annual_report(
                &c.who(Role::Applicant.code()),
                w.id,
                year,
                &input,
                &up.files,
                submit,
                c.now,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/applications/{aid}/reports/{year}?done={}",
                    if submit { "submitted" } else { "saved" }
                ))
                .into_response());
            }
            Err(e) => errors = form_error_at(&c, e, Some("step"))?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        report_form(&st, &c, aid, year, Some(&up), errors, String::new()).await?,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "post_award_report.html")]
struct ReportPage {
    c: PageCtx,
    s: ReportSlot,
    sections: Vec<(String, String)>,
    files: Vec<EvidenceFile>,
}

async fn report_of(st: &AppState, c: &Ctx, rid: i64) -> Result<ReportSlot, AppError> {
    let s = c.found(
        st.store.annual_report(rid, c.today()).await,
        Action::FileAnnualReport {
            programme_id: -1,
            organisation_id: -1,
        },
    )?;
    c.authorize(Action::ViewAnnualReport {
        programme_id: s.winner.programme_id,
        county_id: s.county_id,
        organisation_id: s.winner.organisation_id,
    })?;
    Ok(s)
}

/// `GET /reports/{rid}`: one annual report, read-only: the winner, its county's office, the
/// city office, leadership and discipline.
pub async fn report_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let s = report_of(&st, &c, rid).await?;
    let r = s.report.clone().unwrap_or_default();
    let page = c.page();
    let sections = REPORT_SECTIONS
        .iter()
        .zip([
            &r.performance,
            &r.indicators,
            &r.improvement,
            &r.sharing,
            &r.incidents,
        ])
        .map(|((_, zh, _), v)| (page.t(zh), v.clone()))
        .collect();
    let files = st.store.annual_report_files(rid).await?;
    Ok(ReportPage {
        c: page,
        s,
        sections,
        files,
    })
}

/// `GET /reports/{report}/files/{file}`: a report's attachment, for those who read the report.
pub async fn report_file(
    State(st): State<AppState>,
    c: Ctx,
    Path((rid, fid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    report_of(&st, &c, rid).await?;
    let files = st.store.annual_report_files(rid).await?;
    let Some(f) = files.into_iter().find(|f| f.id == fid) else {
        return Err(c.not_found());
    };
    send_file(&st, &c, &f, "report").await
}

#[derive(Template, WebTemplate)]
#[template(path = "post_award_reports.html")]
struct ReportsPage {
    c: PageCtx,
    title: String,
    back: (String, String),
    overdue: Vec<ReportSlot>,
    slots: Vec<ReportSlot>,
    /// Days before the due date the winners are reminded (the rule set of the sessions shown).
    reminder_days: Option<u32>,
    /// The workbook of the list, where there is one.
    export: Option<String>,
}

/// A session's winner × year report slots, for those who read the office's lists.
async fn office_slots(
    st: &AppState,
    c: &Ctx,
    sid: i64,
) -> Result<(SessionDetail, Vec<ReportSlot>), AppError> {
    let d = c
        .session_for(st, sid, |programme_id| Action::ViewProgrammeOffice {
            programme_id,
        })
        .await?;
    let slots = st.store.session_report_slots(sid, c.today()).await?;
    Ok((d, slots))
}

/// `GET /office/sessions/{sid}/reports`: every winner × year of a session with status, due
/// date and date filed; the overdue ones on top (Art. 30).
pub async fn office_reports(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let (d, slots) = office_slots(&st, &c, sid).await?;
    let page = c.page();
    Ok(ReportsPage {
        title: format!("{} {}", d.session.title, page.t("获奖单位绩效报告")),
        back: (format!("/office/sessions/{sid}"), d.session.title.clone()),
        overdue: slots
            .iter()
            .filter(|s| s.status == qaward_core::post_award::ReportStatus::Overdue)
            .cloned()
            .collect(),
        slots,
        reminder_days: Some(d.rules.post_award.reminder_days_before.value),
        export: Some(format!("/office/sessions/{sid}/reports.xlsx")),
        c: page,
    })
}

/// `GET /office/sessions/{sid}/reports.xlsx`: every winner × year of a session as a workbook,
/// with the status and the days late.
pub async fn office_reports_xlsx(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let (d, slots) = office_slots(&st, &c, sid).await?;
    let rows: Vec<Vec<String>> = slots
        .iter()
        .map(|s| {
            vec![
                s.winner.organisation_name.clone(),
                s.winner.county_name.clone(),
                format!("第{}年度", s.year_index),
                s.due_on.to_string(),
                s.status.zh(),
                s.report
                    .as_ref()
                    .and_then(|r| r.submitted_on)
                    .map(|x| x.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = qaward_docs::table_xlsx(
        "绩效报告",
        &[
            "获奖单位",
            "所在县（市、区）",
            "年度",
            "报送期限",
            "状态",
            "报送日期",
        ],
        &rows,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::view::download(
        bytes,
        crate::view::XLSX,
        &format!("annual-reports-{}.xlsx", d.session.year),
    ))
}

/// `GET /county/{cid}/reports`: the reports of the winners of one county, for its office only.
pub async fn county_reports(
    State(st): State<AppState>,
    c: Ctx,
    Path(cid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let (programme_id, county) = c.found(
        st.store.county(cid).await,
        Action::ViewCounty {
            programme_id: -1,
            county_id: -1,
        },
    )?;
    c.authorize(Action::ViewCounty {
        programme_id,
        county_id: cid,
    })?;
    let slots = st.store.county_report_slots(cid, c.today()).await?;
    // The reminder rule of the sessions the winners come from (the first one's rule set).
    let reminder_days = match slots.first() {
        Some(s) => Some(
            st.store
                .session_detail(s.winner.session_id)
                .await?
                .rules
                .post_award
                .reminder_days_before
                .value,
        ),
        None => None,
    };
    let page = c.page();
    Ok(ReportsPage {
        title: format!("{} {}", county.name, page.t("获奖单位绩效报告")),
        back: (format!("/county/{cid}"), county.name.clone()),
        overdue: slots
            .iter()
            .filter(|s| s.status == qaward_core::post_award::ReportStatus::Overdue)
            .cloned()
            .collect(),
        slots,
        reminder_days,
        export: None,
        c: page,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "title_cases.html")]
struct CasesPage {
    c: PageCtx,
    pid: i64,
    cases: Vec<TitleCase>,
    winners: Vec<Winner>,
    kinds: Vec<(&'static str, &'static str)>,
    manage: bool,
    f: FormData,
    errors: FormErrors,
}

async fn cases_view(
    st: &AppState,
    c: &Ctx,
    pid: i64,
    f: FormData,
    errors: FormErrors,
) -> Result<CasesPage, AppError> {
    c.found(
        st.store.programme(pid).await,
        Action::ViewProgrammeOffice { programme_id: -1 },
    )?;
    c.authorize(Action::ViewProgrammeOffice { programme_id: pid })?;
    let err = |e| c.store_err(e);
    Ok(CasesPage {
        c: c.page(),
        pid,
        cases: st.store.title_cases(pid).await.map_err(err)?,
        winners: st.store.programme_winners(pid).await.map_err(err)?,
        kinds: CaseKind::ALL
            .iter()
            .filter(|k| **k != CaseKind::Forgery)
            .map(|k| (k.code(), k.zh()))
            .collect(),
        manage: c
            .authorize(Action::ManagePostAward { programme_id: pid })
            .is_ok(),
        f,
        errors,
    })
}

/// `GET /office/programmes/{pid}/title-cases`: the misuse and forgery cases (Art. 31).
pub async fn cases_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    cases_view(&st, &c, pid, FormData::default(), FormErrors::default()).await
}

/// `POST /office/programmes/{pid}/title-cases` (multipart): open a misuse case with evidence.
pub async fn open_case(
    State(st): State<AppState>,
    c: Ctx,
    Path(pid): Path<i64>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    c.found(
        st.store.programme(pid).await,
        Action::ManagePostAward { programme_id: -1 },
    )?;
    c.authorize(Action::ManagePostAward { programme_id: pid })?;
    let up = read_upload(&st, &c, req).await?;
    let mut errors = FormErrors::default();
    if let Some(m) = &up.file_error {
        errors.push("file", m.clone());
    } else {
        let input = CaseInput {
            application_id: up.get("application_id"),
            kind: up.get("kind"),
            facts: up.get("facts"),
            where_seen: up.get("where_seen"),
            found_on: up.get("found_on"),
        };
        match st
            .store
            .open_title_case(
                &c.who(Role::CityOffice.code()),
                pid,
                &input,
                &up.files,
                c.now,
            )
            .await
        {
            Ok(id) => {
                return Ok(crate::done::to(
                    &format!("/office/title-cases/{id}"),
                    crate::done::Done::TitleCase,
                )
                .into_response());
            }
            Err(e) => errors = form_error_at(&c, e, Some("step"))?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        cases_view(&st, &c, pid, up.form(), errors).await?,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "title_case.html")]
struct CasePage {
    c: PageCtx,
    k: TitleCase,
    files: Vec<EvidenceFile>,
    outcomes: Vec<(&'static str, &'static str)>,
    manage: bool,
    f: FormData,
    errors: FormErrors,
    today: String,
}

async fn case_of(st: &AppState, c: &Ctx, id: i64) -> Result<TitleCase, AppError> {
    let k = c.found(
        st.store.title_case(id).await,
        Action::ViewProgrammeOffice { programme_id: -1 },
    )?;
    c.authorize(Action::ViewProgrammeOffice {
        programme_id: k.programme_id,
    })?;
    Ok(k)
}

async fn case_view(
    st: &AppState,
    c: &Ctx,
    id: i64,
    f: FormData,
    errors: FormErrors,
) -> Result<CasePage, AppError> {
    let k = case_of(st, c, id).await?;
    let files = st.store.title_case_files(id).await?;
    let forgery = k.kind == CaseKind::Forgery;
    Ok(CasePage {
        c: c.page(),
        manage: c
            .authorize(Action::ManagePostAward {
                programme_id: k.programme_id,
            })
            .is_ok(),
        outcomes: OUTCOMES
            .iter()
            .filter(|(code, _)| forgery == matches!(*code, "referred" | "unfounded"))
            .copied()
            .collect(),
        k,
        files,
        f,
        errors,
        today: c.today().to_string(),
    })
}

/// `GET /office/title-cases/{id}`: one case with its steps.
pub async fn case_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    case_view(&st, &c, id, FormData::default(), FormErrors::default()).await
}

/// `POST /office/title-cases/{id}`: one step (`step` = findings, order, outcome or close).
pub async fn case_step(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let k = c.found(
        st.store.title_case(id).await,
        Action::ManagePostAward { programme_id: -1 },
    )?;
    c.authorize(Action::ManagePostAward {
        programme_id: k.programme_id,
    })?;
    let s = CaseStep {
        step: f.get("step"),
        findings: f.raw("findings"),
        order_on: f.get("order_on"),
        order_deadline: f.get("order_deadline"),
        order_text: f.raw("order_text"),
        outcome: f.get("outcome"),
        outcome_on: f.get("outcome_on"),
        outcome_note: f.raw("outcome_note"),
    };
    match st
        .store
        .title_case_step(&c.who(Role::CityOffice.code()), id, &s, c.now)
        .await
    {
        Ok(()) => Ok(crate::done::to(
            &format!("/office/title-cases/{id}"),
            crate::done::Done::TitleCase,
        )
        .into_response()),
        Err(e) => {
            let errors = form_error_at(&c, e, Some("step"))?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                case_view(&st, &c, id, f, errors).await?,
            )
                .into_response())
        }
    }
}

/// `GET /office/title-cases/{id}/files/{fid}`: a case's evidence file.
pub async fn case_file(
    State(st): State<AppState>,
    c: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    case_of(&st, &c, id).await?;
    let files = st.store.title_case_files(id).await?;
    let Some(f) = files.into_iter().find(|f| f.id == fid) else {
        return Err(c.not_found());
    };
    send_file(&st, &c, &f, "case").await
}

#[derive(Template, WebTemplate)]
#[template(path = "forgery_new.html")]
struct ForgeryPage {
    c: PageCtx,
    f: FormData,
    errors: FormErrors,
    max_mb: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "forgery_ack.html")]
struct ForgeryAck {
    c: PageCtx,
    ack: String,
}

/// `GET /forgery-report?serial=…`: the public form to report a suspected forged plaque or
/// certificate (Art. 31), reached from the verification page.
pub async fn forgery_page(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let serial = q.get("serial").cloned().unwrap_or_default();
    Ok(ForgeryPage {
        c: c.page(),
        f: FormData::from_pairs(vec![("serial_seen".into(), serial)]),
        errors: FormErrors::default(),
        max_mb: st.config.max_file / 1_048_576,
    })
}

/// `POST /forgery-report` (multipart): register the report; every field is checked and named
/// in Chinese, and what was typed stays.
pub async fn forgery_report(
    State(st): State<AppState>,
    c: Ctx,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    c.authorize(Action::ViewPublic)?;
    let up = read_upload(&st, &c, req).await?;
    let input = ForgeryInput {
        name: up.get("name"),
        phone: up.get("phone"),
        facts: up.get("facts"),
        where_seen: up.get("where_seen"),
        serial_seen: up.get("serial_seen"),
    };
    let page = c.page();
    let mut errors = FormErrors::default();
    for (field, zh, en) in check_forgery(&input) {
        errors.push(field, if page.zh() { zh } else { en });
    }
    if let Some(m) = &up.file_error {
        errors.push("file", m.clone());
    }
    if !errors.any() {
        match st.store.report_forgery(&input, &up.files, c.now).await {
            Ok((_, ack)) => return Ok(ForgeryAck { c: page, ack }.into_response()),
            Err(e) => errors = form_error_at(&c, e, Some("step"))?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        ForgeryPage {
            c: page,
            f: up.form(),
            errors,
            max_mb: st.config.max_file / 1_048_576,
        },
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "winner_managers.html")]
struct ManagersPage {
    c: PageCtx,
    w: Winner,
    named: Vec<NamedManager>,
    added: Vec<WinnerManager>,
    f: FormData,
    errors: FormErrors,
    commended: bool,
    done: String,
}

async fn managers_view(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    f: Option<FormData>,
    errors: FormErrors,
    done: String,
) -> Result<ManagersPage, AppError> {
    let w = c.found(
        st.store.winner_of(aid).await,
        Action::ManagePostAward { programme_id: -1 },
    )?;
    c.authorize(Action::ManagePostAward {
        programme_id: w.programme_id,
    })?;
    let err = |e| c.store_err(e);
    let named = st.store.named_managers(aid).await.map_err(err)?;
    let added: Vec<WinnerManager> = st
        .store
        .winner_managers(w.programme_id)
        .await
        .map_err(err)?
        .into_iter()
        .filter(|m| m.winner_id == w.id)
        .collect();
    let next = named
        .iter()
        .find(|(n, _)| !added.iter().any(|m| &m.name == n))
        .cloned()
        .unwrap_or_default();
    let f = f.unwrap_or_else(|| {
        FormData::from_pairs(vec![
            ("name".into(), next.0.clone()),
            ("position_title".into(), next.1.clone()),
            ("level".into(), "评审员".into()),
        ])
    });
    let commended = st
        .store
        .commendation(w.session_id)
        .await
        .map_err(err)?
        .is_some();
    Ok(ManagersPage {
        c: c.page(),
        w,
        named,
        added,
        f,
        errors,
        commended,
        done,
    })
}

/// `GET /office/applications/{aid}/managers`: add a winner's senior managers to the expert
/// pool (Art. 29), prefilled from its application.
pub async fn managers_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let done = q.get("done").cloned().unwrap_or_default();
    managers_view(&st, &c, aid, None, FormErrors::default(), done).await
}

/// `POST /office/applications/{aid}/managers`: add one manager to the pool.
pub async fn add_manager(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let w = c.found(
        st.store.winner_of(aid).await,
        Action::ManagePostAward { programme_id: -1 },
    )?;
    c.authorize(Action::ManagePostAward {
        programme_id: w.programme_id,
    })?;
    let form = ExpertForm {
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
        winner_manager: true,
        note: f.get("note"),
        username: String::new(),
    };
    match st
        .store
        .add_winner_manager(
            &c.who(Role::CityOffice.code()),
            aid,
            &f.get("position_title"),
            &form,
            c.now,
        )
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/office/applications/{aid}/managers?done=added"))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_error_at(&c, e, Some("step"))?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                managers_view(&st, &c, aid, Some(f), errors, String::new()).await?,
            )
                .into_response())
        }
    }
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/applications/{aid}/post-award", winner_page)
        .get_post_with(
            "/applications/{aid}/reports/{year}",
            report_form_page,
            report_save,
            super::files_limit(cfg, 5),
        )
        .get("/reports/{report}", report_page)
        .get("/reports/{report}/files/{file}", report_file)
        .get("/office/sessions/{sid}/reports", office_reports)
        .get("/office/sessions/{sid}/reports.xlsx", office_reports_xlsx)
        .get("/county/{cid}/reports", county_reports)
        .get_post_with(
            "/office/programmes/{pid}/title-cases",
            cases_page,
            open_case,
            super::files_limit(cfg, 5),
        )
        .get_post("/office/title-cases/{tcid}", case_page, case_step)
        .get("/office/title-cases/{tcid}/files/{file}", case_file)
        .get_post_with(
            "/forgery-report",
            forgery_page,
            forgery_report,
            super::files_limit(cfg, 5),
        )
        .get_post(
            "/office/applications/{aid}/managers",
            managers_page,
            add_manager,
        )
}
