//! Each person's home and the pages bound to their own scope: the home page with its to-do
//! list ([`dashboard`]), a department, an applicant's organisation.

pub mod dashboard;

pub use dashboard::dashboard;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use qaward_core::authz::Action;
use qaward_core::session::Stage;
use qaward_store::programme::{Organisation, Unit};
use qaward_store::session::AwardSession;

#[derive(Template, WebTemplate)]
#[template(path = "department.html")]
struct DepartmentPage {
    c: PageCtx,
    department: Unit,
    requests: Vec<qaward_store::eligibility::opinions::Request>,
}

/// `/department/{did}`: a department's own requests, those awaiting an answer first.
pub async fn department_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(did): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let (pid, department) = c.found(
        st.store.department(did).await,
        Action::ViewDepartment {
            programme_id: -1,
            department_id: did,
        },
    )?;
    c.authorize(Action::ViewDepartment {
        programme_id: pid,
        department_id: did,
    })?;
    let requests = st.store.department_opinion_requests(did, c.now).await?;
    Ok(DepartmentPage {
        c: c.page(),
        department,
        requests,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    c: PageCtx,
    o: Organisation,
    applications: Vec<(qaward_store::application::Application, String)>,
    open: Vec<AwardSession>,
    /// The organisation's certificates: (application, serial).
    certificates: Vec<(i64, String)>,
}

/// `/org/{oid}`: an applicant's own organisation.
pub async fn organisation_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(oid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let o = c.found(
        st.store.organisation(oid).await,
        Action::ViewOrganisation {
            programme_id: -1,
            organisation_id: oid,
        },
    )?;
    c.authorize(Action::ViewOrganisation {
        programme_id: o.programme_id,
        organisation_id: oid,
    })?;
    let apps = st.store.applications_of(oid).await?;
    let sessions = st.store.sessions(o.programme_id).await?;
    let applications = apps
        .into_iter()
        .map(|a| {
            let title = sessions
                .iter()
                .find(|s| s.id == a.session_id)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            (a, title)
        })
        .collect::<Vec<_>>();
    let open = sessions
        .into_iter()
        .filter(|s| {
            matches!(s.stage, Stage::CallPublished | Stage::Applications)
                && !applications.iter().any(|(a, _)| a.session_id == s.id)
        })
        .collect();
    let mut certificates = Vec::new();
    for (a, _) in &applications {
        match st.store.certificate_of(a.id).await {
            Ok(cert) => certificates.push((a.id, cert.serial)),
            Err(qaward_store::Error::NotFound) => {}
            Err(e) => return Err(c.store_err(e)),
        }
    }
    Ok(OrganisationPage {
        c: c.page(),
        o,
        applications,
        open,
        certificates,
    })
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/dashboard", dashboard)
        .get("/department/{did}", department_page)
        .get("/org/{oid}", organisation_page)
}
