//! The request context: who is asking, in which language, with which CSRF token, and the one
//! door to authorization ([`Ctx::authorize`]). Also the guard every request passes and the
//! form extractor that checks the CSRF token.

use crate::AppState;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::view::PageCtx;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qaward_core::authz::{Action, Actor, authorize};
use qaward_store::accounts::WebSession;
use qaward_store::{Who, accounts::random_token};

/// Cookie of the signed-in session.
pub const SESSION_COOKIE: &str = "qa_session";
/// Cookie of the language.
pub const LANG_COOKIE: &str = "qa_lang";
/// Cookie of the anonymous CSRF token (sign-in and public forms).
pub const CSRF_COOKIE: &str = "qa_csrf";

/// The request header a benchmark names its requests with (see `qaward bench statements`).
pub const BENCH_LABEL: &str = "x-qaward-bench";

/// The anonymous CSRF token given to this request by the guard.
#[derive(Clone, Debug)]
struct AnonCsrf(String);

/// Read a cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A Set-Cookie value with the house attributes.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if state.config.secure_cookies {
        s.push_str("; Secure");
    }
    if let Some(a) = max_age {
        s.push_str(&format!("; Max-Age={a}"));
    }
    s
}

/// Every request passes here: unsafe methods from another site are refused, and a visitor
/// without one gets an anonymous CSRF token.
pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && cross_site(req.headers()) {
        let c = PageCtx::bare(lang_of(req.headers()), req.uri().path());
        return AppError::BadForm(Box::new(c)).into_response();
    }
    let existing = cookie(req.headers(), CSRF_COOKIE)
        .filter(|t| t.len() == 64)
        .map(str::to_owned);
    let token = existing.clone().unwrap_or_else(random_token);
    req.extensions_mut().insert(AnonCsrf(token.clone()));
    // The shared style sheet and script may be cached, so they carry no cookie.
    let shared = req.uri().path().starts_with("/static/");
    let (headers, path) = (req.headers().clone(), req.uri().path().to_owned());
    // A request's span: what it runs (its SQL statements among them) is logged under it; a
    // benchmark names its requests with a header to count them.
    let label = headers
        .get(BENCH_LABEL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let span = tracing::debug_span!("request", label = ?label);
    let mut resp = tracing::Instrument::instrument(next.run(req), span).await;
    if let Some(d) = resp.extensions_mut().remove::<crate::error::Deferred>() {
        let anon = AnonCsrf(token.clone());
        let set_cookie = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect::<Vec<_>>();
        resp = match Ctx::load(&state, &headers, &path, Some(&anon)).await {
            Ok(c) => d.page(c.page()),
            Err(e) => e.into_response(),
        };
        for v in set_cookie {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if existing.is_none()
        && !shared
        && let Ok(v) = set_cookie(&state, CSRF_COOKIE, &token, None).parse()
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Whether the browser says the request comes from another site.
fn cross_site(h: &HeaderMap) -> bool {
    if let Some(s) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(s, "same-origin" | "none")
    {
        return true;
    }
    if let (Some(origin), Some(host)) = (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let o = origin.split("://").nth(1).unwrap_or(origin);
        return o != host;
    }
    false
}

/// The client's address: the peer of the connection, or, when the server sits behind a proxy
/// it trusts (`Config::trusted_proxy_header`, off by default), the last address that proxy
/// wrote in that header. A header the proxy setting does not name is ignored, so a client
/// cannot choose its own address.
pub fn client_address(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    state: &AppState,
) -> String {
    if let Some(h) = &state.config.trusted_proxy_header
        && let Some(v) = headers.get_all(h.as_str()).iter().next_back()
        && let Ok(v) = v.to_str()
        && let Some(last) = v.rsplit(',').map(str::trim).find(|a| !a.is_empty())
        && let Ok(ip) = last.parse::<std::net::IpAddr>()
    {
        return ip.to_string();
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client address of a request, as [`client_address`] decides it.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(
            &parts.headers,
            &parts.extensions,
            state,
        )))
    }
}

fn lang_of(h: &HeaderMap) -> Lang {
    cookie(h, LANG_COOKIE).map(Lang::parse).unwrap_or(Lang::Zh)
}

/// Who is asking, and how to answer.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The signed-in session, if any.
    pub session: Option<WebSession>,
    /// Language.
    pub lang: Lang,
    /// The token forms must carry.
    pub csrf: String,
    /// The path asked for.
    pub path: String,
    /// The instant of the request.
    pub now: jiff::Timestamp,
    /// The signed-in person's unread notices.
    pub unread: i64,
    /// The data version when the request arrived: pages that only read may read through
    /// [`qaward_store::Store::view_at`] with it.
    pub version: i64,
    /// The action just done, whose confirmation the page shows (`?done=`).
    pub done: Option<crate::done::Done>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let mut c = Ctx::load(
            state,
            &parts.headers,
            parts.uri.path(),
            parts.extensions.get::<AnonCsrf>(),
        )
        .await?;
        c.done = crate::done::Done::from_query(parts.uri.query());
        Ok(c)
    }
}

impl Ctx {
    /// The context of a request with `headers` for `path`.
    async fn load(
        state: &AppState,
        headers: &HeaderMap,
        path: &str,
        anon: Option<&AnonCsrf>,
    ) -> Result<Self, AppError> {
        let lang = lang_of(headers);
        let now = state.clock.now();
        let version = state
            .store
            .data_version()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let session = match cookie(headers, SESSION_COOKIE) {
            Some(t) if !t.is_empty() => state
                .store
                .view_at(version)
                .session(t, now)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?,
            _ => None,
        };
        let csrf = match &session {
            Some(s) => s.csrf.clone(),
            None => anon.map(|a| a.0.clone()).unwrap_or_default(),
        };
        let unread = match &session {
            Some(s) => state
                .store
                .view_at(version)
                .unread_count(s.actor.user_id)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?,
            None => 0,
        };
        Ok(Ctx {
            session,
            lang,
            csrf,
            path: path.to_owned(),
            now,
            unread,
            version,
            done: None,
        })
    }
}

impl Ctx {
    /// The signed-in person.
    pub fn actor(&self) -> Option<&Actor> {
        self.session.as_ref().map(|s| &s.actor)
    }

    /// The one door: may this request do `action`? A refusal is a 403 page.
    pub fn authorize(&self, action: Action) -> Result<(), AppError> {
        authorize(self.actor(), &action).map_err(|d| AppError::Forbidden(d, Box::new(self.page())))
    }

    /// The request's calendar day in Asia/Shanghai.
    pub fn today(&self) -> jiff::civil::Date {
        self.now
            .to_zoned_datetime(qaward_core::clock::shanghai())
            .date()
    }

    /// The person, for the audit log, in the role the action is done in.
    pub fn who(&self, role: &str) -> Who {
        match &self.session {
            Some(s) => Who::user(s.actor.user_id, &s.actor.display_name, role),
            None => Who::anonymous("访客"),
        }
    }

    /// The page frame for this request.
    pub fn page(&self) -> PageCtx {
        PageCtx::new(self)
    }

    /// A resource looked up by id. An unknown id is refused by the same rule as an id that
    /// belongs to someone else (through `authorize` with a scope nobody holds), so a 403 never
    /// tells whether something exists; other failures stay internal errors.
    pub fn found<T>(&self, r: qaward_store::Result<T>, unknown: Action) -> Result<T, AppError> {
        match r {
            Ok(t) => Ok(t),
            Err(qaward_store::Error::NotFound) => Err(match self.authorize(unknown) {
                Err(e) => e,
                Ok(()) => self.not_found(),
            }),
            Err(e) => Err(self.store_err(e)),
        }
    }

    /// Session `sid`, for someone allowed `action` in its programme (`action` is given the
    /// programme's id). An unknown session is refused like one of another programme
    /// (see [`Ctx::found`]).
    pub async fn session_for(
        &self,
        st: &AppState,
        sid: i64,
        action: impl Fn(i64) -> Action,
    ) -> Result<qaward_store::session::SessionDetail, AppError> {
        let d = self.found(st.store.session_detail(sid).await, action(-1))?;
        self.authorize(action(d.session.programme_id))?;
        Ok(d)
    }

    /// 404.
    pub fn not_found(&self) -> AppError {
        AppError::NotFound(Box::new(self.page()))
    }

    /// A store error as a page.
    pub fn store_err(&self, e: qaward_store::Error) -> AppError {
        crate::error::from_store(e, &self.page())
    }
}

/// A submitted form whose CSRF token matched. Fields are read by name, so a form that fails
/// validation is shown again with everything the person typed.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    /// The first value of `name`, trimmed, or "".
    pub fn get(&self, name: &str) -> String {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }
    /// The value of `name` as given (untrimmed).
    pub fn raw(&self, name: &str) -> String {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// A form from pairs already read (a multipart form's text fields, or prefilled values).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        FormData { pairs }
    }
    /// All pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

impl FromRequest<AppState> for FormData {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|r| {
                if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    let zh = format!(
                        "提交的内容超过{}MB，本次提交未被处理，已保存的内容不受影响。请缩短较长的文字（如企业概况、自评报告）后，返回上一页重新提交。",
                        crate::FORM_LIMIT / 1_048_576
                    );
                    let en = format!(
                        "The form is over {} MB and was not processed; nothing saved was lost. Shorten the long texts, go back and submit again.",
                        crate::FORM_LIMIT / 1_048_576
                    );
                    let msg = if ctx.lang == Lang::Zh { zh } else { en };
                    AppError::BadInput(r.status(), msg, Box::new(ctx.page()))
                } else {
                    AppError::BadForm(Box::new(ctx.page()))
                }
            })?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if ctx.csrf.is_empty() || !constant_eq(sent.as_bytes(), ctx.csrf.as_bytes()) {
            return Err(AppError::BadForm(Box::new(ctx.page())));
        }
        Ok(FormData { pairs })
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
