//! The county office's sealed recommendation letter (Art. 13), uploaded in a stream like evidence
//! files and kept by SHA-256.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::routes::application::evidence::receive;
use crate::routes::application::load;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::attachments::{COUNTY_LETTER, NewAttachment};

/// `POST /county/applications/{aid}/letter` (multipart): the county's sealed letter.
pub async fn county_letter(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    req: Request,
) -> Result<Response, AppError> {
    let l = load(&st, &c, aid, false).await?;
    c.authorize(Action::CountyReview {
        programme_id: l.app.programme_id,
        county_id: l.app.org.county_id.unwrap_or(-1),
    })?;
    match receive(&st, &c, req).await? {
        Ok((_, name, w)) => {
            st.store
                .add_attachment(
                    &c.who(Role::CountyOffice.code()),
                    &NewAttachment {
                        application_id: aid,
                        kind: COUNTY_LETTER,
                        filename: &name,
                        written: &w,
                        max_total: st.config.max_total,
                        editable_only: false,
                    },
                    c.now,
                )
                .await?;
            Ok(crate::done::to(
                &format!("/county/applications/{aid}"),
                crate::done::Done::CountyLetter,
            )
            .into_response())
        }
        Err((_, msg)) => Err(AppError::Refused(
            Box::new(qaward_core::refusal::Refusal::new(
                "upload",
                None,
                ("", ""),
                msg.clone(),
                msg,
            )),
            Box::new(c.page()),
        )),
    }
}
