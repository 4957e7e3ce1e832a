//! The public notice of the decided list (Art. 18), as the public reads it.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use qaward_core::authz::Action;
use qaward_store::session::SessionDetail;

/// The public notice of the decided list, as the portal shows it.
#[derive(Template, WebTemplate)]
#[template(path = "notice_public.html")]
struct NoticePublicPage {
    c: PageCtx,
    d: SessionDetail,
    notice: qaward_store::decision::Notice,
    list: Vec<qaward_store::decision::DecidedEntry>,
    days_left: i64,
    open: bool,
}

/// `/sessions/{id}/notice`: the list under public notice, its dates, the days left and how to
/// object (Art. 18, 28).
pub async fn notice_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let d = st.store.session_detail(id).await?;
    let Some(notice) = st.store.notice(id).await? else {
        return Err(c.not_found());
    };
    let list = st.store.decided_list(id).await?;
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let days_left = if today < notice.starts_on {
        (notice.ends_on - notice.starts_on).get_days() as i64 + 1
    } else {
        ((notice.ends_on - today).get_days() as i64 + 1).max(0)
    };
    Ok(NoticePublicPage {
        open: notice.open_on(today),
        days_left,
        c: c.page(),
        d,
        notice,
        list,
    })
}
