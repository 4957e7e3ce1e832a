//! QAward web: server-rendered pages over axum. Every request is authorized by
//! `qaward_core::authz::authorize` through [`ctx::Ctx::authorize`]; every state change goes
//! through the store, which writes it with its audit entry in one transaction.

pub mod charts;
pub mod ctx;
pub mod done;
pub mod error;
pub mod form;
pub mod form_get;
pub mod i18n;
pub mod mail;
pub mod ops;
pub mod routes;
pub mod view;

use axum::Router;
use axum::http::{HeaderValue, header};
use qaward_core::clock::Clock;
use qaward_docs::PdfEngine;
use qaward_store::Store;
use std::sync::{Arc, OnceLock};
use tower_http::set_header::SetResponseHeaderLayer;

/// Settings of the web server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies Secure (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Where uploaded files are kept.
    pub files: std::path::PathBuf,
    /// Largest upload, in bytes (default 50 MB).
    pub max_file: u64,
    /// Largest total of one application's evidence, in bytes (default 500 MB).
    pub max_total: u64,
    /// The address the public reaches the site at, e.g. `https://zlj.example.gov.cn`: the
    /// certificates' QR codes point at `<public_url>/verify/<serial>`. When unset, the address
    /// the request came to is used.
    pub public_url: Option<String>,
    /// The header a trusted reverse proxy writes the client's address in (e.g.
    /// `X-Forwarded-For`), for sign-in throttling and the request log. None (the default):
    /// the connection's peer address is the client's, and such headers are ignored.
    pub trusted_proxy_header: Option<String>,
    /// A token that opens `/metrics` from other machines (`Authorization: Bearer …`); without
    /// it only this machine may read them.
    pub metrics_token: Option<String>,
    /// The anchor file of the audit chain (see `qaward_core::anchor`), shown with the
    /// discipline's exports and checked by the in-page verification.
    pub anchor_file: Option<std::path::PathBuf>,
    /// For the demonstration: the day its data was built for (the server's clock starts on
    /// it) and how many days that is from the real day.
    pub demo_day: Option<(jiff::civil::Date, i64)>,
}

impl Config {
    /// Defaults, with files kept under `files`.
    pub fn new(files: std::path::PathBuf) -> Self {
        Config {
            secure_cookies: false,
            files,
            max_file: 50 * 1_048_576,
            max_total: 500 * 1_048_576,
            public_url: None,
            trusted_proxy_header: None,
            metrics_token: None,
            anchor_file: None,
            demo_day: None,
        }
    }
}

/// The largest form (not an upload) a page may send, in bytes: far above any text the forms
/// take, so that a text too long is named by its field's own limit with what was typed kept,
/// and only a body beyond it is refused whole (413).
pub const FORM_LIMIT: usize = 8 * 1_048_576;

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What the state holds.
pub struct Inner {
    /// The database.
    pub store: Store,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Settings.
    pub config: Config,
    /// The file store.
    pub files: qaward_store::attachments::Files,
    /// Request counters for `/metrics`.
    pub metrics: ops::Metrics,
    pdf: OnceLock<Arc<PdfEngine>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// State over `store` with `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: Config) -> Self {
        let files = qaward_store::attachments::Files::new(&config.files);
        AppState(Arc::new(Inner {
            store,
            clock,
            files,
            config,
            metrics: ops::Metrics::default(),
            pdf: OnceLock::new(),
        }))
    }

    /// The PDF engine, loaded (fonts and all) on first use, off the async threads.
    pub async fn pdf(&self) -> Result<Arc<PdfEngine>, error::AppError> {
        if let Some(p) = self.0.pdf.get() {
            return Ok(p.clone());
        }
        let engine = tokio::task::spawn_blocking(PdfEngine::new)
            .await
            .map_err(|e| error::AppError::Internal(e.to_string()))?
            .map_err(|e| error::AppError::Internal(e.to_string()))?;
        Ok(self.0.pdf.get_or_init(|| Arc::new(engine)).clone())
    }

    /// Typeset `template` with `data` on a blocking thread, with the shared engine.
    pub async fn render_pdf(
        &self,
        template: qaward_docs::Template,
        data: serde_json::Value,
    ) -> Result<Vec<u8>, error::AppError> {
        let engine = self.pdf().await?;
        tokio::task::spawn_blocking(move || engine.render(template, &data))
            .await
            .map_err(|e| error::AppError::Internal(e.to_string()))?
            .map_err(|e| error::AppError::Internal(e.to_string()))
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    with_layers(routes::router(state.clone()), state)
}

/// The layers every route of `router` passes, from the outside in: the request log, the
/// metrics, the security headers, no-store on private answers and HSTS, panics answered with
/// the 500 page, the numeric ids of the address checked, and the guard (cross-site writes
/// refused, the anonymous CSRF token).
pub fn with_layers(router: Router, state: AppState) -> Router {
    let panics = state.clone();
    router
        .layer(axum::middleware::from_fn(form_get::redirect_get))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ctx::guard))
        .layer(axum::middleware::from_fn(ops::ids_are_numbers))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            move |err: Box<dyn std::any::Any + Send + 'static>| ops::panic_page(&panics, err),
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::private_responses))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::observe))
        // The request log: one line per request at INFO (method, path, route pattern, client
        // address, status, latency).
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(move |req: &axum::http::Request<axum::body::Body>| {
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("unmatched", |m| m.as_str());
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        route,
                        client = %ctx::client_address(req.headers(), req.extensions(), &state),
                    )
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
}

/// Serve `state` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}

/// Send the annual report reminders that fall due (Art. 30) every hour, from now on, until
/// the process ends; each reminder goes out once however often this runs.
pub fn spawn_report_reminders(store: Store, clock: Arc<dyn Clock>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = store.send_report_reminders(clock.now()).await {
                eprintln!("绩效报告提醒发送失败: {e}");
            }
        }
    })
}
