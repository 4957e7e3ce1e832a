//! Reviewing submitted applications: the county office verifies and recommends (Art. 9, 13);
//! the city office lists a session's applications and decides eligibility (Art. 14).

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::form::Block;
use crate::routes::applications::{LineView, Loaded, line_views, load};
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::stage::Stage;
use qaward_store::applications::{ListPage, ListQuery, ListRow, Status};
use qaward_store::programmes::{Organisation, Unit};
use qaward_store::sessions::AwardSession;
use std::collections::HashMap;
use std::sync::Arc;

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
    for s in st.store.sessions(pid).await.map_err(|e| c.store_err(e))? {
        if s.stage < Stage::CallPublished || s.stage == Stage::Closed {
            continue;
        }
        let d = st
            .store
            .session_detail(s.id)
            .await
            .map_err(|e| c.store_err(e))?;
        let rows = st
            .store
            .application_list(s.id, Some(cid))
            .await
            .map_err(|e| c.store_err(e))?;
        let mut to_forward = 0;
        for r in rows.iter().filter(|r| r.status == Status::Recommended) {
            let a = st
                .store
                .application(r.id)
                .await
                .map_err(|e| c.store_err(e))?;
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
    let organisations = st
        .store
        .organisations_in_county(cid)
        .await
        .map_err(|e| c.store_err(e))?;
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
        .await
        .map_err(|e| c.store_err(e))?;
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
        Ok(()) => Ok(
            Redirect::to(&format!("/county/{}", v.l.app.org.county_id.unwrap_or(0)))
                .into_response(),
        ),
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

/// Rows per page of the office's list.
pub const LIST_PAGE: usize = 50;

async fn office_rows(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    q: &HashMap<String, String>,
) -> Result<(AwardSession, Vec<ListRow>, Vec<ListRow>), AppError> {
    let d = st
        .store
        .session_detail(sid)
        .await
        .map_err(|e| c.store_err(e))?;
    c.authorize(Action::ManageProgramme {
        programme_id: d.session.programme_id,
    })?;
    let all = st
        .store
        .application_list(sid, None)
        .await
        .map_err(|e| c.store_err(e))?;
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
    let d = view.session_detail(sid).await.map_err(|e| c.store_err(e))?;
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
    let lp = view
        .application_page(sid, &lq)
        .await
        .map_err(|e| c.store_err(e))?;
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
        counties: view
            .counties(d.session.programme_id)
            .await
            .map_err(|e| c.store_err(e))?,
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
    opinions: Vec<qaward_store::opinions::OnFile>,
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
    let opinions = st
        .store
        .opinions_on_file(aid)
        .await
        .map_err(|e| c.store_err(e))?;
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
        Ok(_) => Ok(Redirect::to(&format!(
            "/office/sessions/{}/applications",
            v.l.app.session_id
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                office_review_view(&st, &c, aid, Some(&f), errors).await?,
            )
                .into_response())
        }
    }
}
