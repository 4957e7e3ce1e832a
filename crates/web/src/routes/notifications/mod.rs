//! A person's notices (消息): the list, unread first, and marking one read. Each person sees
//! and marks only their own.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::Action;
use qaward_store::notify::Notification;

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: PageCtx,
    unread: Vec<Notification>,
    read: Vec<Notification>,
}

/// `GET /notifications`.
pub async fn list(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewOwnAccount)?;
    let Some(s) = &c.session else {
        return Err(c.not_found());
    };
    let all = st.store.notifications(s.actor.user_id).await?;
    let (unread, read) = all.into_iter().partition(|n| n.read_at.is_none());
    Ok(NotificationsPage {
        c: c.page(),
        unread,
        read,
    })
}

/// `POST /notifications/{id}/read`: only one's own; another person's notice is not found.
pub async fn mark_read(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ViewOwnAccount)?;
    let Some(s) = &c.session else {
        return Err(c.not_found());
    };
    st.store
        .mark_notification_read(s.actor.user_id, id, c.now)
        .await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/notifications", list)
        .post("/notifications/{nid}/read", mark_read)
}
