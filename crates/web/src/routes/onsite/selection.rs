//! The on-site list (Art. 15): the ranking of the material consensus totals and the office's decision
//! of who is visited.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::assignment::office_session;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::onsite::OnsiteList;
use qaward_store::scoring::{Phase, ReviewRow, points_text};
use qaward_store::session::AwardSession;

/// A row of the ranking.
pub struct RankRow {
    /// Rank.
    pub rank: usize,
    /// The row.
    pub r: ReviewRow,
    /// Total as text.
    pub total: String,
    /// Ticked.
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_ranking.html")]
struct RankingPage {
    c: PageCtx,
    session: AwardSession,
    manage: bool,
    rows: Vec<RankRow>,
    max: u32,
    list: Option<OnsiteList>,
    ready: bool,
    justification: String,
    errors: FormErrors,
    /// The spread of the scores, as a picture.
    chart: String,
}

async fn ranking_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
) -> Result<RankingPage, AppError> {
    let d = office_session(st, c, sid, false).await?;
    let manage = c
        .authorize(Action::ManageProgramme {
            programme_id: d.session.programme_id,
        })
        .is_ok();
    let mut rows = st
        .store
        .review_rows(sid, Phase::Material, c.today())
        .await?;
    rows.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.application_id.cmp(&b.application_id))
    });
    let list = st.store.onsite_list(sid).await?;
    let max = d.rules.review.onsite_max.value;
    let chosen: Vec<i64> = f
        .map(|f| {
            f.all("application_id")
                .iter()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let ready = !rows.is_empty() && rows.iter().all(|r| r.consensus_submitted);
    let rows: Vec<RankRow> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| RankRow {
            rank: i + 1,
            total: r.total.map(points_text).unwrap_or_default(),
            checked: match (&list, f) {
                (Some(l), _) => l.entries.iter().any(|(a, ..)| *a == r.application_id),
                (None, Some(_)) => chosen.contains(&r.application_id),
                (None, None) => false,
            },
            r,
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let scores: Vec<(usize, f64)> = rows
        .iter()
        .filter_map(|r| r.r.total.map(|t| (r.rank, t as f64 / 100.0)))
        .collect();
    Ok(RankingPage {
        chart: crate::charts::score_distribution(&scores, 1000.0, c.page().zh()),
        c: c.page(),
        manage,
        rows,
        max,
        justification: f
            .map(|f| f.get("justification"))
            .or_else(|| list.as_ref().map(|l| l.justification.clone()))
            .unwrap_or_default(),
        list,
        ready,
        session: d.session,
        errors,
    })
}

/// `GET /office/sessions/{sid}/ranking`: ranked by consensus score; the on-site list.
pub async fn ranking(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    ranking_view(&st, &c, sid, None, FormErrors::default()).await
}

/// `POST /office/sessions/{sid}/onsite`: decide the on-site list (Art. 15).
pub async fn decide_onsite(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let chosen: Vec<i64> = f
        .all("application_id")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    match st
        .store
        .decide_onsite_list(
            &c.who(Role::CityOffice.code()),
            sid,
            &chosen,
            &f.get("justification"),
            c.now,
        )
        .await
    {
        Ok(()) => Ok(crate::done::to(
            &format!("/office/sessions/{sid}/ranking"),
            crate::done::Done::OnsiteSelected,
        )
        .into_response()),
        Err(qaward_store::Error::Refused(r)) if r.code == "onsite_over" => {
            // The remedy is on this form: keep the ticks and ask for the justification beside
            // its field.
            let mut errors = FormErrors::default();
            errors.push("justification", if c.page().zh() { r.zh } else { r.en });
            Ok((
                StatusCode::CONFLICT,
                ranking_view(&st, &c, sid, Some(&f), errors).await?,
            )
                .into_response())
        }
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                ranking_view(&st, &c, sid, Some(&f), errors).await?,
            )
                .into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------
// The reviewer's side.
