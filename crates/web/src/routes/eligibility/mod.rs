//! Eligibility review (Art. 14): the city office's list of a session's applications (filters, paging,
//! Excel) and its decision on each, item by item; the other departments' opinions are in [`opinions`].

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::form::Block;
use crate::routes::application::{Loaded, line_views, load};
use crate::routes::county::LIST_PAGE;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::application::{ListPage, ListQuery, ListRow, Status};
use qaward_store::programme::Unit;
use qaward_store::session::AwardSession;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Template, WebTemplate)]
#[template(path = "office_applications.html")]
struct OfficeListPage {
    c: PageCtx,
    session: AwardSession,
    list: Arc<ListPage>,
    counties: Arc<Vec<Unit>>,
    statuses: Vec<(&'static str, String, usize)>,
    county: String,
    status: String,
    q: String,
    sort: String,
}

async fn office_rows(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    q: &HashMap<String, String>,
) -> Result<(AwardSession, Vec<ListRow>, Vec<ListRow>), AppError> {
    let d = st.store.session_detail(sid).await?;
    c.authorize(Action::ManageProgramme {
        programme_id: d.session.programme_id,
    })?;
    let all = st.store.application_list(sid, None).await?;
    let county = q.get("county").cloned().unwrap_or_default();
    let status = q.get("status").cloned().unwrap_or_default();
    let needle = q
        .get("q")
        .map(|s| s.trim().to_uppercase())
        .unwrap_or_default();
    let mut rows: Vec<ListRow> = all
        .iter()
        .filter(|r| county.is_empty() || r.county == county)
        .filter(|r| status.is_empty() || r.status.code() == status)
        .filter(|r| {
            needle.is_empty()
                || r.name.to_uppercase().contains(&needle)
                || r.credit_code.contains(&needle)
        })
        .cloned()
        .collect();
    match q.get("sort").map(String::as_str) {
        Some("score") => rows.sort_by_key(|r| std::cmp::Reverse(r.self_tenths)),
        Some("name") => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("county") => rows.sort_by(|a, b| a.county.cmp(&b.county).then(a.name.cmp(&b.name))),
        _ => {}
    }
    Ok((d.session, all, rows))
}

/// `GET /office/sessions/{sid}/applications`: the session's applications with filters.
pub async fn office_list(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    // Read through the cache: the list is the busiest page of the office at scale.
    let view = st.store.view_at(c.version);
    let d = view.session_detail(sid).await?;
    c.authorize(Action::ManageProgramme {
        programme_id: d.session.programme_id,
    })?;
    let arg = |k: &str| q.get(k).cloned().unwrap_or_default();
    let lq = ListQuery {
        county: arg("county"),
        status: arg("status"),
        q: arg("q"),
        sort: arg("sort"),
        page: arg("page").parse().unwrap_or(1),
        per_page: LIST_PAGE,
    };
    let lp = view.application_page(sid, &lq).await?;
    let page = c.page();
    let statuses = Status::ALL
        .iter()
        .filter(|s| **s != Status::Draft)
        .map(|s| {
            (
                s.code(),
                page.status(*s).to_owned(),
                lp.by_status
                    .iter()
                    .find(|(x, _)| x == s)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect();
    Ok(OfficeListPage {
        counties: view.counties(d.session.programme_id).await?,
        session: d.session.clone(),
        list: lp,
        statuses,
        county: lq.county,
        status: lq.status,
        q: lq.q,
        sort: lq.sort,
        c: page,
    })
}

/// `GET /office/sessions/{sid}/applications.xlsx`: the same list in Excel.
pub async fn office_list_xlsx(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (session, _, rows) = office_rows(&st, &c, sid, &q).await?;
    let headers = [
        "回执号",
        "单位名称",
        "统一社会信用代码",
        "县（市、区）",
        "行业",
        "状态",
        "自评总分",
        "提交时间",
    ];
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.receipt_no.clone().unwrap_or_default(),
                r.name.clone(),
                r.credit_code.clone(),
                r.county.clone(),
                r.industry.clone(),
                r.status.zh().to_owned(),
                format!("{}.{}", r.self_tenths / 10, r.self_tenths % 10),
                r.submitted_at
                    .map(qaward_core::clock::format_micros)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = qaward_docs::xlsx::table_xlsx("申报单位", &headers, &data)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::view::download(
        bytes,
        crate::view::XLSX,
        &format!("applications-{}.xlsx", session.year),
    ))
}

/// An eligibility item as reviewed.
pub struct ReviewItem {
    /// Code.
    pub code: String,
    /// Condition.
    pub title: String,
    /// Article.
    pub article: String,
    /// The self-check's view.
    pub auto: String,
    /// pass / fail as decided or proposed.
    pub pass: bool,
    /// Reason.
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_application.html")]
struct OfficeReviewPage {
    c: PageCtx,
    l: Loaded,
    sections: Vec<(String, Vec<Block>)>,
    items: Vec<ReviewItem>,
    score: String,
    can_decide: bool,
    errors: FormErrors,
    editable: bool,
    opinions: Vec<qaward_store::eligibility::opinions::OnFile>,
}

async fn office_review_view(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
) -> Result<OfficeReviewPage, AppError> {
    let l = load(st, c, aid, false).await?;
    c.authorize(Action::ManageProgramme {
        programme_id: l.app.programme_id,
    })?;
    let page = c.page();
    let lines = l.lines();
    let views = line_views(&page, &lines);
    let prev = l.app.eligibility.clone();
    let mut items: Vec<ReviewItem> = lines
        .iter()
        .zip(views)
        .map(|(line, v)| {
            let code = line.code.to_owned();
            let stored = prev
                .as_ref()
                .and_then(|p| p.items.iter().find(|(k, ..)| *k == code).cloned());
            let (pass, reason) = match (f, stored) {
                (Some(f), _) => (
                    f.get(&format!("item.{code}")) == "pass",
                    f.get(&format!("reason.{code}")),
                ),
                (None, Some((_, ok, r))) => (ok, r),
                (None, None) => (
                    line.is_met(),
                    if line.is_met() {
                        String::new()
                    } else {
                        v.reason.clone()
                    },
                ),
            };
            ReviewItem {
                code,
                title: v.title,
                article: v.article,
                auto: v.label,
                pass,
                reason,
            }
        })
        .collect();
    let complete_code = "package_complete".to_owned();
    let all_done = l
        .progress()
        .iter()
        .all(|(_, p)| *p == qaward_core::application::Progress::Done);
    let (pass, reason) = match f {
        Some(f) => (
            f.get("item.package_complete") == "pass",
            f.get("reason.package_complete"),
        ),
        None => prev
            .as_ref()
            .and_then(|p| {
                p.items
                    .iter()
                    .find(|(k, ..)| *k == complete_code)
                    .map(|(_, ok, r)| (*ok, r.clone()))
            })
            .unwrap_or((all_done, String::new())),
    };
    items.push(ReviewItem {
        code: complete_code,
        title: page.t("申报材料齐全（申报表、组织概述、自评报告及证明材料）"),
        article: page.article(14u32),
        auto: if all_done {
            page.t("齐全")
        } else {
            page.t("不全")
        },
        pass,
        reason,
    });
    let opinions = st.store.opinions_on_file(aid).await?;
    Ok(OfficeReviewPage {
        opinions,
        sections: l.all_blocks(page.lang),
        score: l.self_score(),
        can_decide: matches!(
            l.app.status,
            Status::Recommended | Status::Eligible | Status::Ineligible
        ) && l
            .app
            .county
            .as_ref()
            .is_some_and(|x| x.forwarded_at.is_some()),
        c: page,
        l,
        items,
        errors,
        editable: false,
    })
}

/// `GET /office/applications/{aid}`: eligibility review (Art. 14).
pub async fn office_review_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    office_review_view(&st, &c, aid, None, FormErrors::default()).await
}

/// `POST /office/applications/{aid}`.
pub async fn office_decide(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let v = office_review_view(&st, &c, aid, Some(&f), FormErrors::default()).await?;
    let items: Vec<(String, bool, String)> = v
        .items
        .iter()
        .map(|i| (i.code.clone(), i.pass, i.reason.clone()))
        .collect();
    match st
        .store
        .eligibility_decide(&c.who(Role::CityOffice.code()), aid, &items, c.now)
        .await
    {
        Ok(_) => Ok(crate::done::to(
            &format!("/office/sessions/{}/applications", v.l.app.session_id),
            crate::done::Done::EligibilityDecided,
        )
        .into_response()),
        Err(e) => {
            // A refusal (not forwarded) is a conflict with where the application stands; a
            // missing reason is the form's problem.
            let status = if matches!(e, qaward_store::Error::Refused(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = form_error(&c, e)?;
            Ok((
                status,
                office_review_view(&st, &c, aid, Some(&f), errors).await?,
            )
                .into_response())
        }
    }
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/office/sessions/{sid}/applications", office_list)
        .get("/office/sessions/{sid}/applications.xlsx", office_list_xlsx)
        .get_post(
            "/office/applications/{aid}",
            office_review_page,
            office_decide,
        )
        .get_post(
            "/office/sessions/{sid}/opinions",
            opinions::office_page,
            opinions::office_create,
        )
        .post("/office/opinions/{rid}/remind", opinions::office_remind)
        .get_post(
            "/department/requests/{rid}",
            opinions::department_page,
            opinions::department_answer,
        )
}

pub mod opinions;
