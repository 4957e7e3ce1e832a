//! Running the server: the layers every response passes (request log, panics shown as the
//! 500 page, `Cache-Control: no-store` on private answers, HSTS behind HTTPS, ids in the
//! address checked before any handler), and Prometheus metrics at `/metrics`.

use crate::AppState;
use crate::ctx::{Ctx, cookie};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::view::PageCtx;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qaward_core::authz::Action;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

/// Upper bounds (seconds) of the request latency histogram.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Counters of the requests served since start.
#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// route → (seconds, requests).
    route_time: Mutex<BTreeMap<String, (f64, u64)>>,
    /// Requests at or under each bound of [`BUCKETS`] (not cumulative), and above the last.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// Sum of all latencies, in microseconds.
    latency_us: AtomicU64,
    /// Requests being served.
    in_flight: AtomicI64,
    /// Handlers that panicked.
    panics: AtomicU64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.route_time.lock() {
            let e = m.entry(route.to_owned()).or_default();
            e.0 += secs;
            e.1 += 1;
        }
        let i = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.latency_us
            .fetch_add((secs * 1e6) as u64, Ordering::Relaxed);
    }

    /// A handler panicked.
    pub fn panicked(&self) {
        self.panics.fetch_add(1, Ordering::Relaxed);
    }
}

/// Label value escaped for the Prometheus text format.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The Prometheus text exposition of the counters and the store's gauges.
pub fn exposition(m: &Metrics, g: &qaward_store::ops::Gauges, backend: &str) -> String {
    let mut o = String::new();
    let head = |o: &mut String, name: &str, kind: &str, help: &str| {
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
    };
    head(
        &mut o,
        "qaward_http_requests_total",
        "counter",
        "HTTP requests answered, by method, route pattern and status.",
    );
    if let Ok(r) = m.requests.lock() {
        for ((method, route, status), n) in r.iter() {
            let _ = writeln!(
                o,
                "qaward_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                esc(method),
                esc(route)
            );
        }
    }
    head(
        &mut o,
        "qaward_http_request_duration_seconds",
        "histogram",
        "Time to answer an HTTP request.",
    );
    let mut cum = 0u64;
    for (i, b) in BUCKETS.iter().enumerate() {
        cum += m.buckets[i].load(Ordering::Relaxed);
        let _ = writeln!(
            o,
            "qaward_http_request_duration_seconds_bucket{{le=\"{b}\"}} {cum}"
        );
    }
    cum += m.buckets[BUCKETS.len()].load(Ordering::Relaxed);
    let _ = writeln!(
        o,
        "qaward_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {cum}"
    );
    let _ = writeln!(
        o,
        "qaward_http_request_duration_seconds_sum {}",
        m.latency_us.load(Ordering::Relaxed) as f64 / 1e6
    );
    let _ = writeln!(o, "qaward_http_request_duration_seconds_count {cum}");
    head(
        &mut o,
        "qaward_http_route_duration_seconds",
        "summary",
        "Time spent answering each route pattern.",
    );
    if let Ok(r) = m.route_time.lock() {
        for (route, (secs, n)) in r.iter() {
            let _ = writeln!(
                o,
                "qaward_http_route_duration_seconds_sum{{route=\"{}\"}} {secs}\nqaward_http_route_duration_seconds_count{{route=\"{}\"}} {n}",
                esc(route),
                esc(route)
            );
        }
    }
    let gauges: [(&str, &str, &str, i64); 4] = [
        (
            "qaward_http_requests_in_flight",
            "gauge",
            "HTTP requests being answered.",
            m.in_flight.load(Ordering::Relaxed),
        ),
        (
            "qaward_http_panics_total",
            "counter",
            "Handlers that panicked (answered with the 500 page).",
            m.panics.load(Ordering::Relaxed) as i64,
        ),
        (
            "qaward_audit_entries",
            "gauge",
            "Entries of the audit chain.",
            g.audit_entries,
        ),
        (
            "qaward_sign_in_pauses",
            "gauge",
            "Sign-in pauses in force (a source, an address or an account).",
            g.sign_in_pauses,
        ),
    ];
    for (name, kind, help, v) in gauges {
        head(&mut o, name, kind, help);
        let _ = writeln!(o, "{name} {v}");
    }
    head(
        &mut o,
        "qaward_db_pool_connections",
        "gauge",
        "Database pool connections, by state.",
    );
    let busy = g.pool_size.saturating_sub(g.pool_idle);
    let _ = writeln!(
        o,
        "qaward_db_pool_connections{{backend=\"{backend}\",state=\"idle\"}} {}\nqaward_db_pool_connections{{backend=\"{backend}\",state=\"in_use\"}} {busy}\nqaward_db_pool_connections{{backend=\"{backend}\",state=\"max\"}} {}",
        g.pool_idle, g.pool_max
    );
    head(
        &mut o,
        "qaward_mail_outbox",
        "gauge",
        "Mails of the outbox, by state (pending includes failing).",
    );
    let _ = writeln!(
        o,
        "qaward_mail_outbox{{state=\"pending\"}} {}\nqaward_mail_outbox{{state=\"failing\"}} {}\nqaward_mail_outbox{{state=\"sent\"}} {}",
        g.outbox_pending, g.outbox_failing, g.outbox_sent
    );
    head(
        &mut o,
        "qaward_jobs",
        "gauge",
        "Background jobs, by status.",
    );
    for status in ["running", "done", "failed", "interrupted"] {
        let n = g
            .jobs
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(o, "qaward_jobs{{status=\"{status}\"}} {n}");
    }
    o
}

/// Whether `sent` is the metrics token (compared in full, whatever differs).
fn token_matches(sent: &str, token: &str) -> bool {
    sent.len() == token.len()
        && sent
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// `GET /metrics`: the Prometheus metrics, for a request from this machine (the client
/// address as [`crate::ctx::client_address`] decides it, so a request relayed by a trusted
/// proxy counts as its client's) or one carrying `Authorization: Bearer <metrics_token>`.
pub async fn metrics(
    State(st): State<AppState>,
    crate::ctx::ClientAddress(client): crate::ctx::ClientAddress,
    headers: axum::http::HeaderMap,
    c: Ctx,
) -> Result<Response, AppError> {
    let local = client
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback());
    let token = st.config.metrics_token.as_deref().is_some_and(|t| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|sent| token_matches(sent.trim(), t))
    });
    c.authorize(Action::ReadMetrics {
        trusted: local || token,
    })?;
    let g = st.store.gauges(c.now).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        exposition(&st.metrics, &g, st.store.backend().name()),
    )
        .into_response())
}

/// Count and time every request, by its route pattern.
pub async fn observe(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    st.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let resp = next.run(req).await;
    st.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    st.metrics.record(
        &method,
        &route,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}

/// Answers that belong to one person are never stored by a browser or proxy: every response
/// to a request with a session cookie, and every response that sets a cookie, gets
/// `Cache-Control: no-store` (the shared style sheet and script excepted). Behind HTTPS
/// (`secure_cookies`) every response also gets HSTS.
pub async fn private_responses(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let signed_in =
        cookie(req.headers(), crate::ctx::SESSION_COOKIE).is_some_and(|t| !t.is_empty());
    let shared = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let sets_cookie = resp.headers().contains_key(header::SET_COOKIE);
    if (signed_in && !shared) || sets_cookie {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp.headers_mut()
            .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    if st.config.secure_cookies {
        resp.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    resp
}

/// The label of a path parameter, for the message when it is not a number.
fn param_label(route: &str, name: &str) -> &'static str {
    match name {
        "aid" => "申报编号",
        "sid" => "届次编号",
        "id" if route.starts_with("/rules/") => "规则集编号",
        "id" => "届次编号",
        "pid" => "评选项目编号",
        "oid" if route.starts_with("/office/objections/") => "异议编号",
        "oid" => "单位编号",
        "cid" if route.contains("complaints") => "投诉编号",
        "cid" => "县（市、区）编号",
        "did" => "部门编号",
        "rid" if route.contains("recusals") => "回避记录编号",
        "rid" if route.contains("ratings") => "评价编号",
        "rid" => "征求意见编号",
        "eid" => "专家编号",
        "tid" => "评审组编号",
        "run" => "分配方案编号",
        "row" => "任职记录编号",
        "nid" => "通知编号",
        "uid" => "账号编号",
        "fid" | "file" => "文件编号",
        "att" => "附件编号",
        "jid" => "任务编号",
        "rvid" => "撤销案件编号",
        "tcid" => "称号案件编号",
        "report" => "绩效报告编号",
        "practice" => "先进经验编号",
        "year" => "报告年度",
        _ => "编号",
    }
}

/// Path parameters that are not numbers.
const TEXT_PARAMS: [&str; 3] = ["lang", "key", "serial"];

/// Every numeric part of the address is checked before any handler runs: one that is not a
/// number gets a 400 page naming it in Chinese, instead of the framework's English line.
pub async fn ids_are_numbers(req: Request, next: Next) -> Response {
    if let Some(bad) = bad_param(&req) {
        let lang = cookie(req.headers(), crate::ctx::LANG_COOKIE)
            .map(Lang::parse)
            .unwrap_or(Lang::Zh);
        let c = PageCtx::bare(lang, req.uri().path());
        return AppError::BadInput(StatusCode::BAD_REQUEST, bad, Box::new(c)).into_response();
    }
    next.run(req).await
}

fn bad_param(req: &Request) -> Option<String> {
    let route = req.extensions().get::<MatchedPath>()?.as_str();
    let path = req.uri().path();
    let pattern: Vec<&str> = route.split('/').collect();
    let given: Vec<&str> = path.split('/').collect();
    for (p, g) in pattern.iter().zip(&given) {
        let Some(name) = p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
            continue;
        };
        if TEXT_PARAMS.contains(&name) {
            continue;
        }
        if g.parse::<i64>().is_err() {
            let shown = urlencoding::decode(g).map_or_else(|_| g.to_string(), |s| s.into_owned());
            let shown: String = shown.chars().take(40).collect();
            return Some(format!(
                "网址中的“{}”应为数字，收到的是“{shown}”。请检查链接或从页面上的链接进入。",
                param_label(route, name)
            ));
        }
    }
    None
}

/// The 500 page, for a handler that panicked (the panic is logged and counted).
pub fn panic_page(st: &AppState, err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".into());
    st.metrics.panicked();
    AppError::Internal(format!("handler panicked: {what}")).into_response()
}
