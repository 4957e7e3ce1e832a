//! On-site scoring (Art. 16): the same scorebook, consensus and report pages as material review, for
//! the applicants on the on-site list.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::scoring::{
    consensus_in, consensus_save_in, report_in, report_pdf_in, score_autosave_in, score_save_in,
    score_submit_in, scorebook_in,
};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use qaward_store::scoring::Phase;
use std::collections::HashMap;

/// `GET /review/applications/{aid}/onsite/score`: one's own scorebook, blind to the others. (on-site review, Art. 16)
pub async fn onsite_scorebook(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    scorebook_in(st, c, aid, q, Phase::Onsite).await
}

/// `POST /review/applications/{aid}/onsite/score`: save (a reason is needed once submitted). (on-site review, Art. 16)
pub async fn onsite_score_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    score_save_in(st, c, aid, f, Phase::Onsite).await
}

/// `POST /review/applications/{aid}/onsite/score/autosave`: the draft as it is typed. (on-site review, Art. 16)
pub async fn onsite_score_autosave(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    score_autosave_in(st, c, aid, f, Phase::Onsite).await
}

/// `POST /review/applications/{aid}/onsite/score/submit`: submit one's independent scores. (on-site review, Art. 16)
pub async fn onsite_score_submit(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    score_submit_in(st, c, aid, f, Phase::Onsite).await
}

/// `GET /review/applications/{aid}/onsite/consensus`: every member's score (once one's own is
/// submitted), mean, spread and flags; the leader records the agreed score per item. (on-site review, Art. 16)
pub async fn onsite_consensus(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    consensus_in(st, c, aid, Phase::Onsite).await
}

/// `POST /review/applications/{aid}/onsite/consensus`: the leader saves the consensus. (on-site review, Art. 16)
pub async fn onsite_consensus_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    consensus_save_in(st, c, aid, f, Phase::Onsite).await
}

/// `GET /review/applications/{aid}/onsite/report`: the on-site review report: strengths and
/// opportunities per item and the overall comment (Art. 16).
pub async fn onsite_report(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    report_in(st, c, aid, Phase::Onsite).await
}

/// `GET /review/applications/{aid}/onsite/report.pdf`: the on-site review report as a PDF.
pub async fn onsite_report_pdf(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    report_pdf_in(st, c, aid, Phase::Onsite).await
}
