//! After the public notice: the office records the municipal government's approval (Art. 18,
//! 19), the commendation decision, issues certificates and plaques (Art. 19), pays the prize
//! money and keeps the session's budgets (Art. 21, 22), and posts announcements (Art. 27).
//! Anyone verifies a certificate by its serial; a winner downloads its own certificate.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, XLSX, download, form_error_at};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::award::cny;
use qaward_core::session::Stage;
use qaward_store::award::{
    Announcement, Approval, Budget, Candidate, Certificate, Commendation, NewAnnouncement,
    NewApproval, NewBudgetLine, Payments, Winner, certificate_data,
};
use qaward_store::session::SessionDetail;
use std::collections::HashMap;

fn ids(f: &FormData, name: &str) -> Vec<i64> {
    f.all(name)
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

fn today(c: &Ctx) -> String {
    c.now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date()
        .to_string()
}

async fn office_session(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    manage: bool,
) -> Result<SessionDetail, AppError> {
    let d = c.found(
        st.store.session_detail(sid).await,
        Action::ViewProgrammeOffice { programme_id: -1 },
    )?;
    let programme_id = d.session.programme_id;
    c.authorize(if manage {
        Action::ManageProgramme { programme_id }
    } else {
        Action::ViewProgrammeOffice { programme_id }
    })?;
    Ok(d)
}

/// A candidate with its box ticked or not.
pub struct CandidateRow {
    /// The candidate.
    pub v: Candidate,
    /// Ticked.
    pub checked: bool,
}

/// A certificate with its plaque form's values.
pub struct CertRow {
    /// The certificate.
    pub cert: Certificate,
    /// Plaque date typed.
    pub plaque_on: String,
    /// Receiver typed.
    pub plaque_by: String,
    /// Note typed.
    pub plaque_note: String,
    /// This row's plaque form has errors.
    pub errors: FormErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_award.html")]
struct AwardPage {
    c: PageCtx,
    d: SessionDetail,
    manage: bool,
    candidates: Vec<CandidateRow>,
    approval: Option<Approval>,
    winners: Vec<Winner>,
    commendation: Option<Commendation>,
    certs: Vec<CertRow>,
    /// Approval form.
    doc_no: String,
    approved_on: String,
    note: String,
    /// Commendation form.
    c_no: String,
    c_on: String,
    errors: FormErrors,
    c_errors: FormErrors,
    cert_errors: FormErrors,
    done: String,
    max: u32,
}

/// The values and errors a re-rendered award page shows.
#[derive(Default)]
struct AwardForms<'a> {
    approval: Option<&'a FormData>,
    commendation: Option<&'a FormData>,
    plaque: Option<(i64, &'a FormData, FormErrors)>,
    errors: FormErrors,
    c_errors: FormErrors,
    cert_errors: FormErrors,
}

async fn award_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    forms: AwardForms<'_>,
    done: String,
) -> Result<AwardPage, AppError> {
    let d = office_session(st, c, sid, false).await?;
    let manage = c
        .actor()
        .is_some_and(|a| a.has_in(Role::CityOffice, d.session.programme_id));
    let s = &st.store;
    let err = |e| c.store_err(e);
    let approval = s.approval(sid).await.map_err(err)?;
    let winners = s.winners(sid).await.map_err(err)?;
    let chosen: Vec<i64> = match (forms.approval, &approval) {
        (Some(f), _) => ids(f, "application_id"),
        (None, Some(_)) => winners.iter().map(|w| w.application_id).collect(),
        (None, None) => Vec::new(),
    };
    let candidates = s
        .approval_candidates(sid)
        .await
        .map_err(err)?
        .into_iter()
        .map(|v| CandidateRow {
            checked: chosen.contains(&v.application_id),
            v,
        })
        .collect();
    let commendation = s.commendation(sid).await.map_err(err)?;
    let (plaque_id, plaque_form, plaque_errors) = match forms.plaque {
        Some((a, f, e)) => (a, Some(f), e),
        None => (0, None, FormErrors::default()),
    };
    let t = today(c);
    let certs = s
        .certificates(sid)
        .await
        .map_err(err)?
        .into_iter()
        .map(|cert| {
            let mine = cert.application_id == plaque_id;
            let typed = |k: &str| plaque_form.filter(|_| mine).map(|f| f.get(k));
            CertRow {
                plaque_on: typed("plaque_issued_on").unwrap_or_else(|| {
                    cert.plaque_issued_on
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| t.clone())
                }),
                plaque_by: typed("plaque_received_by")
                    .unwrap_or_else(|| cert.plaque_received_by.clone().unwrap_or_default()),
                plaque_note: typed("plaque_note")
                    .unwrap_or_else(|| cert.plaque_note.clone().unwrap_or_default()),
                errors: if mine {
                    plaque_errors.clone()
                } else {
                    FormErrors::default()
                },
                cert,
            }
        })
        .collect();
    let get = |f: Option<&FormData>, k: &str, dflt: String| f.map(|f| f.get(k)).unwrap_or(dflt);
    Ok(AwardPage {
        c: c.page(),
        manage,
        candidates,
        doc_no: get(
            forms.approval,
            "document_number",
            approval
                .as_ref()
                .map(|a| a.document_number.clone())
                .unwrap_or_default(),
        ),
        approved_on: get(
            forms.approval,
            "approved_on",
            approval
                .as_ref()
                .map(|a| a.approved_on.to_string())
                .unwrap_or_else(|| t.clone()),
        ),
        note: get(
            forms.approval,
            "note",
            approval
                .as_ref()
                .map(|a| a.note.clone())
                .unwrap_or_default(),
        ),
        c_no: get(forms.commendation, "commendation_number", String::new()),
        c_on: get(forms.commendation, "issued_on", t.clone()),
        approval,
        winners,
        commendation,
        certs,
        errors: forms.errors,
        c_errors: forms.c_errors,
        cert_errors: forms.cert_errors,
        done,
        max: d.rules.session.max_winners.value,
        d,
    })
}

/// `GET /office/sessions/{sid}/award`: approval, commendation, certificates and plaques.
pub async fn award_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let done = q.get("done").cloned().unwrap_or_default();
    award_view(&st, &c, sid, AwardForms::default(), done).await
}

/// `POST /office/sessions/{sid}/approval`: record the government's approval.
pub async fn record_approval(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let n = NewApproval {
        document_number: f.get("document_number"),
        approved_on: f.get("approved_on"),
        application_ids: ids(&f, "application_id"),
        note: f.get("note"),
    };
    match st
        .store
        .record_approval(&c.who(Role::CityOffice.code()), sid, &n, c.now)
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/office/sessions/{sid}/award?done=approval")).into_response(),
        ),
        Err(e) => {
            let refused = matches!(e, qaward_store::Error::Refused(_));
            let errors = form_error_at(&c, e, Some("approval"))?;
            let forms = AwardForms {
                approval: Some(&f),
                errors,
                ..AwardForms::default()
            };
            let status = if refused {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((
                status,
                award_view(&st, &c, sid, forms, String::new()).await?,
            )
                .into_response())
        }
    }
}

/// `POST /office/sessions/{sid}/commendation`: record the commendation decision.
pub async fn record_commendation(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    match st
        .store
        .record_commendation(
            &c.who(Role::CityOffice.code()),
            sid,
            &f.get("commendation_number"),
            &f.get("issued_on"),
            c.now,
        )
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/office/sessions/{sid}/award?done=commendation"))
                .into_response(),
        ),
        Err(e) => {
            let refused = matches!(e, qaward_store::Error::Refused(_));
            let c_errors = form_error_at(&c, e, Some("commendation"))?;
            let forms = AwardForms {
                commendation: Some(&f),
                c_errors,
                ..AwardForms::default()
            };
            let status = if refused {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((
                status,
                award_view(&st, &c, sid, forms, String::new()).await?,
            )
                .into_response())
        }
    }
}

/// The data of the commendation decision PDF.
fn commendation_data(
    d: &SessionDetail,
    c: &Commendation,
    winners: &[Winner],
    issuer: &str,
) -> serde_json::Value {
    serde_json::json!({
        "issuer": issuer,
        "document_number": c.document_number,
        "issued_on": qaward_core::clock::date_zh(c.issued_on),
        "title": format!("关于表彰{}年度{}获奖企业（组织）的决定", d.session.year, d.rules.meta.award_name),
        "paragraphs": c.body.lines().collect::<Vec<_>>(),
        "winners": winners.iter().map(|w| serde_json::json!({"position": w.position, "name": w.organisation_name, "county": w.county_name})).collect::<Vec<_>>(),
        "demo": d.rules.meta.demo,
        "notice": d.rules.meta.notice,
    })
}

/// `GET /office/sessions/{sid}/commendation.pdf`: the commendation decision.
pub async fn commendation_pdf(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let d = office_session(&st, &c, sid, false).await?;
    let Some(com) = st.store.commendation(sid).await? else {
        return Err(c.not_found());
    };
    let winners = st.store.winners(sid).await?;
    let p = st.store.programme(d.session.programme_id).await?;
    let data = commendation_data(
        &d,
        &com,
        &winners,
        &qaward_store::award::government(&p.region),
    );
    let bytes = st
        .render_pdf(qaward_docs::Template::Commendation, data)
        .await?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("commendation-{}.pdf", d.session.year),
    ))
}

/// The address certificates point at: the configured public URL, or the one asked.
fn public_base(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &st.config.public_url {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

/// `POST /office/sessions/{sid}/certificates`: issue the winners' certificates.
pub async fn issue_certificates(
    State(st): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(sid): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let base = public_base(&st, &headers);
    match st
        .store
        .issue_certificates(&c.who(Role::CityOffice.code()), sid, &base, c.now)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/office/sessions/{sid}/award?done=certificates"))
                .into_response(),
        ),
        Err(e) => {
            let cert_errors = form_error_at(&c, e, Some("certificates"))?;
            let forms = AwardForms {
                cert_errors,
                ..AwardForms::default()
            };
            Ok((
                StatusCode::CONFLICT,
                award_view(&st, &c, sid, forms, String::new()).await?,
            )
                .into_response())
        }
    }
}

/// A certificate's PDF bytes.
async fn certificate_pdf_bytes(
    st: &AppState,
    cert: &Certificate,
    demo: bool,
) -> Result<Vec<u8>, AppError> {
    let mut data = certificate_data(cert, demo);
    data["qr_svg"] = serde_json::Value::String(qaward_docs::qr_svg(&cert.verify_url));
    st.render_pdf(qaward_docs::Template::Certificate, data)
        .await
}

/// `GET /applications/{aid}/certificate.pdf`: a winner's certificate, for the winner itself
/// and the office.
pub async fn certificate_pdf(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    let a = c.found(
        st.store.application(aid).await,
        Action::DownloadCertificate {
            programme_id: -1,
            organisation_id: -1,
        },
    )?;
    c.authorize(Action::DownloadCertificate {
        programme_id: a.programme_id,
        organisation_id: a.org.id,
    })?;
    let cert = match st.store.certificate_of(aid).await {
        Ok(x) => x,
        Err(qaward_store::Error::NotFound) => return Err(c.not_found()),
        Err(e) => return Err(c.store_err(e)),
    };
    let d = st.store.session_detail(cert.session_id).await?;
    let bytes = certificate_pdf_bytes(&st, &cert, d.rules.meta.demo).await?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("certificate-{}.pdf", cert.serial),
    ))
}

/// `POST /office/applications/{aid}/plaque`: record the handing over of a winner's plaque.
pub async fn record_plaque(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let a = c.found(
        st.store.application(aid).await,
        Action::ManageProgramme { programme_id: -1 },
    )?;
    c.authorize(Action::ManageProgramme {
        programme_id: a.programme_id,
    })?;
    let w = match st.store.winner_of(aid).await {
        Ok(w) => w,
        Err(qaward_store::Error::NotFound) => return Err(c.not_found()),
        Err(e) => return Err(c.store_err(e)),
    };
    match st
        .store
        .record_plaque(
            &c.who(Role::CityOffice.code()),
            aid,
            &f.get("plaque_issued_on"),
            &f.get("plaque_received_by"),
            &f.get("plaque_note"),
            c.now,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/sessions/{}/award?done=plaque#cert-{aid}",
            w.session_id
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error_at(&c, e, Some("plaque_issued_on"))?;
            let forms = AwardForms {
                plaque: Some((aid, &f, errors)),
                ..AwardForms::default()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                award_view(&st, &c, w.session_id, forms, String::new()).await?,
            )
                .into_response())
        }
    }
}

/// A payment with its form's values.
pub struct PaymentRow {
    /// The payment.
    pub p: qaward_store::award::Payment,
    /// Day typed.
    pub paid_on: String,
    /// Voucher typed.
    pub voucher_no: String,
    /// Note typed.
    pub payer_note: String,
    /// This row's errors.
    pub errors: FormErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_payments.html")]
struct PaymentsPage {
    c: PageCtx,
    d: SessionDetail,
    manage: bool,
    rows: Vec<PaymentRow>,
    totals: Payments,
    budget: Budget,
    line_kind: String,
    line_purpose: String,
    line_amount: String,
    line_note: String,
    b_errors: FormErrors,
    bonus: String,
    bonus_article: Option<u32>,
    done: String,
}

impl PaymentsPage {
    fn money(&self, fen: impl crate::view::Val<i64>) -> String {
        cny(fen.val())
    }
}

async fn payments_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    pay: Option<(i64, &FormData, FormErrors)>,
    line: Option<(&FormData, FormErrors)>,
    done: String,
) -> Result<PaymentsPage, AppError> {
    let d = office_session(st, c, sid, false).await?;
    let manage = c
        .actor()
        .is_some_and(|a| a.has_in(Role::CityOffice, d.session.programme_id));
    let totals = st.store.payments(sid).await?;
    let budget = st.store.budget(sid).await?;
    let t = today(c);
    let rows = totals
        .rows
        .iter()
        .cloned()
        .map(|p| {
            let (typed, errors) = match &pay {
                Some((aid, f, e)) if *aid == p.application_id => (Some(*f), e.clone()),
                _ => (None, FormErrors::default()),
            };
            PaymentRow {
                paid_on: typed.map(|f| f.get("paid_on")).unwrap_or_else(|| {
                    p.paid_on
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| t.clone())
                }),
                voucher_no: typed
                    .map(|f| f.get("voucher_no"))
                    .unwrap_or_else(|| p.voucher_no.clone()),
                payer_note: typed
                    .map(|f| f.get("payer_note"))
                    .unwrap_or_else(|| p.payer_note.clone()),
                errors,
                p,
            }
        })
        .collect();
    let (lf, b_errors) = match line {
        Some((f, e)) => (Some(f), e),
        None => (None, FormErrors::default()),
    };
    let get = |k: &str, dflt: &str| lf.map(|f| f.get(k)).unwrap_or_else(|| dflt.to_owned());
    Ok(PaymentsPage {
        c: c.page(),
        manage,
        rows,
        totals,
        budget,
        line_kind: get("kind", "award"),
        line_purpose: get("purpose", ""),
        line_amount: get("amount", ""),
        line_note: get("note", ""),
        b_errors,
        bonus: cny(qaward_core::award::bonus_fen(&d.rules)),
        bonus_article: d.rules.award.bonus_cny.article,
        done,
        d,
    })
}

/// `GET /office/sessions/{sid}/payments`: the prize money and the budgets.
pub async fn payments_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let done = q.get("done").cloned().unwrap_or_default();
    payments_view(&st, &c, sid, None, None, done).await
}

/// `GET /office/sessions/{sid}/payments.xlsx`: the payments as a workbook.
pub async fn payments_xlsx(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let d = office_session(&st, &c, sid, false).await?;
    let p = st.store.payments(sid).await?;
    let mut rows: Vec<Vec<String>> = p
        .rows
        .iter()
        .map(|r| {
            vec![
                r.organisation_name.clone(),
                cny(r.amount_fen),
                r.due_on.to_string(),
                if r.paid_on.is_some() {
                    "已支付"
                } else {
                    "待支付"
                }
                .to_owned(),
                r.paid_on.map(|x| x.to_string()).unwrap_or_default(),
                r.voucher_no.clone(),
                r.payer_note.clone(),
            ]
        })
        .collect();
    for (label, v) in [
        ("应付合计", p.scheduled),
        ("已付合计", p.paid),
        ("未付合计", p.outstanding),
    ] {
        rows.push(vec![
            label.to_owned(),
            cny(v),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    let bytes = qaward_docs::table_xlsx(
        "奖金兑现",
        &[
            "获奖单位",
            "金额",
            "应兑现日期",
            "状态",
            "支付日期",
            "凭证号",
            "支付说明",
        ],
        &rows,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        XLSX,
        &format!("prize-payments-{}.xlsx", d.session.year),
    ))
}

/// `POST /office/applications/{aid}/payment`: record a winner's prize money as paid.
pub async fn record_payment(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let a = c.found(
        st.store.application(aid).await,
        Action::ManageProgramme { programme_id: -1 },
    )?;
    c.authorize(Action::ManageProgramme {
        programme_id: a.programme_id,
    })?;
    let w = match st.store.winner_of(aid).await {
        Ok(w) => w,
        Err(qaward_store::Error::NotFound) => return Err(c.not_found()),
        Err(e) => return Err(c.store_err(e)),
    };
    match st
        .store
        .record_payment(
            &c.who(Role::CityOffice.code()),
            aid,
            &f.get("paid_on"),
            &f.get("voucher_no"),
            &f.get("payer_note"),
            c.now,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/sessions/{}/payments?done=paid",
            w.session_id
        ))
        .into_response()),
        Err(e) => {
            let refused = matches!(e, qaward_store::Error::Refused(_));
            let errors = form_error_at(&c, e, Some("paid_on"))?;
            let status = if refused {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((
                status,
                payments_view(
                    &st,
                    &c,
                    w.session_id,
                    Some((aid, &f, errors)),
                    None,
                    String::new(),
                )
                .await?,
            )
                .into_response())
        }
    }
}

/// `POST /office/sessions/{sid}/budget`: add a budget line.
pub async fn add_budget_line(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let n = NewBudgetLine {
        kind: f.get("kind"),
        purpose: f.get("purpose"),
        amount: f.get("amount"),
        note: f.get("note"),
    };
    match st
        .store
        .add_budget_line(&c.who(Role::CityOffice.code()), sid, &n, c.now)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/office/sessions/{sid}/payments?done=budget#budget"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error_at(&c, e, Some("purpose"))?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                payments_view(&st, &c, sid, None, Some((&f, errors)), String::new()).await?,
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "office_announcements.html")]
struct AnnouncementsPage {
    c: PageCtx,
    d: SessionDetail,
    manage: bool,
    items: Vec<Announcement>,
    title: String,
    body: String,
    posted_on: String,
    publish: bool,
    errors: FormErrors,
    done: String,
}

async fn announcements_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
    done: String,
) -> Result<AnnouncementsPage, AppError> {
    let d = office_session(st, c, sid, false).await?;
    let manage = c
        .actor()
        .is_some_and(|a| a.has_in(Role::CityOffice, d.session.programme_id));
    let items = st.store.announcements(sid, false).await?;
    Ok(AnnouncementsPage {
        c: c.page(),
        manage,
        items,
        title: f.map(|f| f.get("title")).unwrap_or_default(),
        body: f.map(|f| f.raw("body")).unwrap_or_default(),
        posted_on: f.map(|f| f.get("posted_on")).unwrap_or_else(|| today(c)),
        publish: f.is_none_or(|f| f.get("publish") == "1"),
        errors,
        done,
        d,
    })
}

/// `GET /office/sessions/{sid}/announcements`: the session's announcements.
pub async fn announcements_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let done = q.get("done").cloned().unwrap_or_default();
    announcements_view(&st, &c, sid, None, FormErrors::default(), done).await
}

/// `POST /office/sessions/{sid}/announcements`: post an announcement.
pub async fn post_announcement(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let n = NewAnnouncement {
        title: f.get("title"),
        body: f.raw("body"),
        posted_on: f.get("posted_on"),
        publish: f.get("publish") == "1",
    };
    match st
        .store
        .post_announcement(&c.who(Role::CityOffice.code()), sid, &n, c.now)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/office/sessions/{sid}/announcements?done=posted"))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_error_at(&c, e, Some("title"))?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                announcements_view(&st, &c, sid, Some(&f), errors, String::new()).await?,
            )
                .into_response())
        }
    }
}

/// `POST /office/sessions/{sid}/announcements/publish`: publish or withdraw one.
pub async fn publish_announcement(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let Ok(id) = f.get("id").parse::<i64>() else {
        return Err(c.not_found());
    };
    st.store
        .set_announcement_published(
            &c.who(Role::CityOffice.code()),
            sid,
            id,
            f.get("published") == "1",
            c.now,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/office/sessions/{sid}/announcements?done=updated"
    ))
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: PageCtx,
    serial: String,
    cert: Option<Certificate>,
    qr: String,
    demo: bool,
}

/// `GET /verify/{serial}`: anyone checks a certificate (Art. 27), without signing in.
pub async fn verify(
    State(st): State<AppState>,
    c: Ctx,
    Path(serial): Path<String>,
) -> Result<Response, AppError> {
    c.authorize(Action::ViewPublic)?;
    let serial = serial.trim().to_uppercase();
    match st.store.certificate_by_serial(&serial).await {
        Ok(cert) => {
            let qr = qaward_docs::qr_svg(&cert.verify_url);
            let demo = st
                .store
                .session_detail(cert.session_id)
                .await?
                .rules
                .meta
                .demo;
            Ok(VerifyPage {
                c: c.page(),
                serial,
                cert: Some(cert),
                qr,
                demo,
            }
            .into_response())
        }
        Err(qaward_store::Error::NotFound) => Ok((
            StatusCode::NOT_FOUND,
            VerifyPage {
                c: c.page(),
                serial,
                cert: None,
                qr: String::new(),
                demo: false,
            },
        )
            .into_response()),
        Err(e) => Err(c.store_err(e)),
    }
}

/// `GET /verify?serial=…`: the home page's look-up form, sent on to the certificate's page.
pub async fn verify_lookup(
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    c.authorize(Action::ViewPublic)?;
    let serial = q.get("serial").map(|s| s.trim()).unwrap_or_default();
    if serial.is_empty() {
        return Ok(Redirect::to("/#verify").into_response());
    }
    Ok(Redirect::to(&format!("/verify/{}", urlencoding::encode(serial))).into_response())
}

/// Whether the public portal shows the winners: once the commendation is out.
pub fn winners_public(stage: Stage) -> bool {
    stage >= Stage::Commendation
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/office/sessions/{sid}/award", award_page)
        .post("/office/sessions/{sid}/approval", record_approval)
        .post("/office/sessions/{sid}/commendation", record_commendation)
        .get("/office/sessions/{sid}/commendation.pdf", commendation_pdf)
        .post("/office/sessions/{sid}/certificates", issue_certificates)
        .get("/applications/{aid}/certificate.pdf", certificate_pdf)
        .post("/office/applications/{aid}/plaque", record_plaque)
        .get("/office/sessions/{sid}/payments", payments_page)
        .get("/office/sessions/{sid}/payments.xlsx", payments_xlsx)
        .post("/office/applications/{aid}/payment", record_payment)
        .post("/office/sessions/{sid}/budget", add_budget_line)
        .get_post(
            "/office/sessions/{sid}/announcements",
            announcements_page,
            post_announcement,
        )
        .post(
            "/office/sessions/{sid}/announcements/publish",
            publish_announcement,
        )
        .get("/verify", verify_lookup)
        .get("/verify/{serial}", verify)
}
