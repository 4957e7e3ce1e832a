//! County recommendation (Art. 9, 13): the county office's list of its own county's applications,
//! verification, recommendation, return and forwarding.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::form::Block;
use crate::routes::application::{LineView, Loaded, line_views, load};
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::session::Stage;
use qaward_store::application::{ListRow, Status};
use qaward_store::programme::{Organisation, Unit};
use qaward_store::session::AwardSession;
use std::collections::HashMap;

/// The county's verification checklist (Art. 13): code, Chinese, English.
pub const CHECKLIST: [(&str, &str, &str); 3] = [
    (
        "conditions",
        "经核实，申报单位符合《管理办法》第十条规定的申报条件",
        "The applicant meets the conditions of Art. 10",
    ),
    (
        "truthful",
        "经核实，申报内容属实",
        "The application is truthful",
    ),
    (
        "departments",
        "已会同本县（市、区）有关部门进行核实",
        "Verified together with the county's departments",
    ),
];

/// A county's queue for one session.
pub struct CountySession {
    /// Session.
    pub session: AwardSession,
    /// Applications.
    pub rows: Vec<ListRow>,
    /// Recommended but not yet forwarded.
    pub to_forward: usize,
    /// County deadline.
    pub deadline: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "county.html")]
struct CountyPage {
    c: PageCtx,
    county: Unit,
    organisations: Vec<Organisation>,
    sessions: Vec<CountySession>,
    forwarded: Option<usize>,
}

/// `/county/{cid}`: the county office's queue and its organisations.
pub async fn county_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(cid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let (pid, county) = c.found(
        st.store.county(cid).await,
        Action::ViewCounty {
            programme_id: -1,
            county_id: cid,
        },
    )?;
    c.authorize(Action::ViewCounty {
        programme_id: pid,
        county_id: cid,
    })?;
    let page = c.page();
    let mut sessions = Vec::new();
    for s in st.store.sessions(pid).await? {
        if s.stage < Stage::CallPublished || s.stage == Stage::Closed {
            continue;
        }
        let d = st.store.session_detail(s.id).await?;
        let rows = st.store.application_list(s.id, Some(cid)).await?;
        let mut to_forward = 0;
        for r in rows.iter().filter(|r| r.status == Status::Recommended) {
            let a = st.store.application(r.id).await?;
            if a.county.is_some_and(|x| x.forwarded_at.is_none()) {
                to_forward += 1;
            }
        }
        let deadline = d
            .windows
            .get(&Stage::CountyRecommendation)
            .and_then(|w| w.ends_on)
            .map(|x| page.date(x))
            .unwrap_or_default();
        sessions.push(CountySession {
            session: s,
            rows,
            to_forward,
            deadline,
        });
    }
    let organisations = st.store.organisations_in_county(cid).await?;
    Ok(CountyPage {
        c: page,
        county,
        organisations,
        sessions,
        forwarded: q.get("forwarded").and_then(|n| n.parse().ok()),
    })
}

/// `POST /county/{cid}/forward`: send the recommended applications to the city (Art. 13).
pub async fn county_forward(
    State(st): State<AppState>,
    c: Ctx,
    Path(cid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let (pid, _) = c.found(
        st.store.county(cid).await,
        Action::CountyReview {
            programme_id: -1,
            county_id: cid,
        },
    )?;
    c.authorize(Action::CountyReview {
        programme_id: pid,
        county_id: cid,
    })?;
    let sid: i64 = f.get("session_id").parse().map_err(|_| c.not_found())?;
    let n = st
        .store
        .county_forward(&c.who(Role::CountyOffice.code()), sid, cid, c.now)
        .await?;
    Ok(Redirect::to(&format!("/county/{cid}?forwarded={n}")).into_response())
}

/// A checklist item as shown.
pub struct CheckItem {
    /// Code.
    pub code: &'static str,
    /// Text.
    pub text: String,
    /// Ticked.
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "county_review.html")]
struct CountyReviewPage {
    c: PageCtx,
    l: Loaded,
    sections: Vec<(String, Vec<Block>)>,
    lines: Vec<LineView>,
    score: String,
    checklist: Vec<CheckItem>,
    decision: String,
    reasons: String,
    can_decide: bool,
    errors: FormErrors,
    editable: bool,
}

async fn county_review_view(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
) -> Result<CountyReviewPage, AppError> {
    let l = load(st, c, aid, false).await?;
    let county_id = l.app.org.county_id.unwrap_or(-1);
    c.authorize(Action::CountyReview {
        programme_id: l.app.programme_id,
        county_id,
    })?;
    let page = c.page();
    let prev = l.app.county.clone();
    let checklist = CHECKLIST
        .iter()
        .map(|(code, zh, en)| CheckItem {
            code,
            text: if page.zh() { zh } else { en }.to_string(),
            checked: match f {
                Some(f) => f.get(&format!("check.{code}")) == "1",
                None => prev
                    .as_ref()
                    .is_some_and(|p| p.checklist.iter().any(|(k, ok, _)| k == code && *ok)),
            },
        })
        .collect();
    let decision = f
        .map(|f| f.get("decision"))
        .or_else(|| prev.as_ref().and_then(|p| p.decision.clone()))
        .unwrap_or_default();
    let reasons = f
        .map(|f| f.get("reasons"))
        .or_else(|| prev.as_ref().map(|p| p.reasons.clone()))
        .unwrap_or_default();
    Ok(CountyReviewPage {
        sections: l.all_blocks(page.lang),
        lines: line_views(&page, &l.lines()),
        score: l.self_score(),
        can_decide: l.app.status == Status::Submitted,
        c: page,
        l,
        checklist,
        decision,
        reasons,
        errors,
        editable: false,
    })
}

/// `GET /county/applications/{aid}`.
pub async fn county_review_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    county_review_view(&st, &c, aid, None, FormErrors::default()).await
}

/// `POST /county/applications/{aid}`: the recommendation opinion.
pub async fn county_decide(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let v = county_review_view(&st, &c, aid, Some(&f), FormErrors::default()).await?;
    let checklist: Vec<(String, bool, String)> = CHECKLIST
        .iter()
        .map(|(code, ..)| {
            (
                (*code).to_owned(),
                f.get(&format!("check.{code}")) == "1",
                String::new(),
            )
        })
        .collect();
    match st
        .store
        .county_decide(
            &c.who(Role::CountyOffice.code()),
            aid,
            &checklist,
            &f.get("decision"),
            &f.get("reasons"),
            c.now,
        )
        .await
    {
        Ok(()) => Ok(crate::done::to(
            &format!("/county/{}", v.l.app.org.county_id.unwrap_or(0)),
            crate::done::Done::CountyDecided,
        )
        .into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                county_review_view(&st, &c, aid, Some(&f), errors).await?,
            )
                .into_response())
        }
    }
}

/// Rows per page of the office's list.
pub const LIST_PAGE: usize = 50;

/// The routes of this part of the award, for [`super::router`].
pub fn router(cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .post_with(
            "/county/applications/{aid}/letter",
            letter::county_letter,
            super::upload_limit(cfg),
        )
        .get("/county/{cid}", county_page)
        .post("/county/{cid}/forward", county_forward)
        .get_post(
            "/county/applications/{aid}",
            county_review_page,
            county_decide,
        )
}

pub mod letter;
