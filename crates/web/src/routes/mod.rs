//! Every route of the application, cut by the stage of the award it serves (the same names as
//! the core's and the store's modules), plus the areas that are not a stage (public portal,
//! accounts, administration, audit, home pages, notifications). Each module has its own
//! `router()`; [`router`] joins them, and [`route_list`] lists what they serve for the route
//! × role matrix test. Each handler authorizes through `Ctx::authorize` before it reads or
//! writes anything.

pub mod account;
pub mod admin;
pub mod application;
pub mod assignment;
pub mod audit;
pub mod award;
pub mod conduct;
pub mod county;
pub mod decision;
pub mod eligibility;
pub mod experts;
pub mod home;
pub mod notifications;
pub mod objection;
pub mod onsite;
pub mod post_award;
pub mod programme;
pub mod public;
pub mod recusal;
pub mod report_jobs;
pub mod revocation;
pub mod scoring;
pub mod session;
pub(crate) mod upload;

use crate::{AppState, Config};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post};

/// The routes of one stage or area, with the method and path pattern of each, so that the
/// matrix test walks exactly what is served.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `GET path`.
    pub fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.list.push(("GET", path));
        self.router = self.router.route(path, get(h));
        self
    }

    /// `POST path`.
    pub fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.list.push(("POST", path));
        self.router = self.router.route(path, post(h));
        self
    }

    /// `GET path` (the form) and `POST path` (its submission).
    pub fn get_post<G, TG, P, TP>(mut self, path: &'static str, g: G, p: P) -> Self
    where
        G: Handler<TG, AppState>,
        P: Handler<TP, AppState>,
        TG: 'static,
        TP: 'static,
    {
        self.list.push(("GET", path));
        self.list.push(("POST", path));
        self.router = self.router.route(path, get(g).post(p));
        self
    }

    /// `POST path` with a larger body limit (uploads, which stream to the file store).
    pub fn post_with<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        h: H,
        limit: DefaultBodyLimit,
    ) -> Self {
        self.list.push(("POST", path));
        self.router = self.router.route(path, post(h).layer(limit));
        self
    }

    /// `GET path` and `POST path` with a larger body limit.
    pub fn get_post_with<G, TG, P, TP>(
        mut self,
        path: &'static str,
        g: G,
        p: P,
        limit: DefaultBodyLimit,
    ) -> Self
    where
        G: Handler<TG, AppState>,
        P: Handler<TP, AppState>,
        TG: 'static,
        TP: 'static,
    {
        self.list.push(("GET", path));
        self.list.push(("POST", path));
        self.router = self.router.route(path, get(g).post(p).layer(limit));
        self
    }

    /// These routes and `other`'s.
    pub fn merge(mut self, other: Routes) -> Self {
        self.list.extend(other.list);
        self.router = self.router.merge(other.router);
        self
    }

    /// Method and path pattern of every route.
    pub fn list(&self) -> &[(&'static str, &'static str)] {
        &self.list
    }
}

/// The body limit of a route that takes one uploaded file: the largest file plus the form.
pub(crate) fn upload_limit(cfg: &Config) -> DefaultBodyLimit {
    files_limit(cfg, 1)
}

/// The body limit of a route that takes up to `n` files.
pub(crate) fn files_limit(cfg: &Config, n: u64) -> DefaultBodyLimit {
    DefaultBodyLimit::max(usize::try_from(cfg.max_file * n + 1_048_576).unwrap_or(usize::MAX))
}

/// Every stage's and area's routes.
pub fn all(cfg: &Config) -> Routes {
    Routes::new()
        .merge(public::router(cfg))
        .merge(account::router(cfg))
        .merge(home::router(cfg))
        .merge(notifications::router(cfg))
        .merge(admin::router(cfg))
        .merge(audit::router(cfg))
        .merge(programme::router(cfg))
        .merge(session::router(cfg))
        .merge(application::router(cfg))
        .merge(county::router(cfg))
        .merge(eligibility::router(cfg))
        .merge(experts::router(cfg))
        .merge(assignment::router(cfg))
        .merge(scoring::router(cfg))
        .merge(recusal::router(cfg))
        .merge(report_jobs::router(cfg))
        .merge(onsite::router(cfg))
        .merge(decision::router(cfg))
        .merge(objection::router(cfg))
        .merge(award::router(cfg))
        .merge(post_award::router(cfg))
        .merge(revocation::router(cfg))
        .merge(conduct::router(cfg))
}

/// The application's router.
pub fn router(state: AppState) -> Router {
    all(&state.config)
        .router
        .fallback(public::not_found)
        .with_state(state)
}

/// Method and path pattern of every route served, for the authorization matrix test.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    all(&Config::new(std::path::PathBuf::new())).list
}
