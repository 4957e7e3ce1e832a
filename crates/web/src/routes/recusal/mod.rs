//! Recusal at any time (Art. 25): the office's page for one reviewer's recusal from one
//! application, with the substitutes the assignment rules allow, best first, and the choice.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::recusal::{Recusal, SubstituteOffer};
use std::collections::HashMap;

#[derive(Template, WebTemplate)]
#[template(path = "office_recusal.html")]
struct RecusalPage {
    c: PageCtx,
    r: Recusal,
    offers: Vec<SubstituteOffer>,
    load_max: u32,
    can_choose: bool,
    chosen: i64,
    note: String,
    errors: FormErrors,
    notice: Option<String>,
}

/// The recusal, once the reader may see the programme's office pages.
async fn recusal_for(st: &AppState, c: &Ctx, rid: i64) -> Result<(Recusal, i64, u32), AppError> {
    let r = c.found(
        st.store.recusal(rid).await,
        Action::ViewProgrammeOffice { programme_id: -1 },
    )?;
    let d = st.store.session_detail(r.session_id).await?;
    let pid = d.session.programme_id;
    c.authorize(Action::ViewProgrammeOffice { programme_id: pid })?;
    Ok((r, pid, d.rules.review.team_load_max.value))
}

async fn view(
    st: &AppState,
    c: &Ctx,
    rid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<RecusalPage, AppError> {
    let (r, pid, load_max) = recusal_for(st, c, rid).await?;
    let offers = if r.substitute_id.is_none() {
        st.store.substitute_offers(rid, c.today()).await?
    } else {
        Vec::new()
    };
    Ok(RecusalPage {
        can_choose: c
            .authorize(Action::ChooseSubstitute { programme_id: pid })
            .is_ok(),
        chosen: f
            .and_then(|f| f.get("substitute").parse().ok())
            .unwrap_or(0),
        note: f.map(|f| f.raw("note")).unwrap_or_default(),
        c: c.page(),
        r,
        offers,
        load_max,
        errors,
        notice,
    })
}

/// `GET /office/recusals/{rid}`: one recusal, the substitutes offered and the choice.
pub async fn page(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let notice = q
        .get("done")
        .map(|_| c.page().t("替补评审员已指定，并已收到通知。"));
    view(&st, &c, rid, None, FormErrors::default(), notice).await
}

/// `POST /office/recusals/{rid}/substitute`: name the substitute (city office).
pub async fn choose(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let (_, pid, _) = recusal_for(&st, &c, rid).await?;
    c.authorize(Action::ChooseSubstitute { programme_id: pid })?;
    let expert: i64 = f.get("substitute").parse().unwrap_or(0);
    match st
        .store
        .choose_substitute(
            &c.who(Role::CityOffice.code()),
            rid,
            expert,
            &f.raw("note"),
            c.now,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/office/recusals/{rid}?done=1")).into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                view(&st, &c, rid, Some(&f), errors, None).await?,
            )
                .into_response())
        }
    }
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/office/recusals/{rid}", page)
        .post("/office/recusals/{rid}/substitute", choose)
}
