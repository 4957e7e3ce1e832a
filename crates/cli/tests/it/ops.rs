//! Running the server: metrics for the machine or a token, panics shown as the 500 page,
//! ids in the address checked with a Chinese message.

use crate::helpers::{spawn_app, spawn_app_configured};

#[tokio::test]
async fn metrics_count_requests_and_show_the_pool_the_outbox_and_the_jobs() {
    let app = spawn_app().await;
    let u = app.signed_in("office").await;
    assert_eq!(u.get("/dashboard").await.status, 200);
    let p = app.visitor().get("/metrics").await;
    assert_eq!(p.status, 200);
    for needle in [
        "qaward_http_requests_total{method=\"GET\",route=\"/dashboard\",status=\"200\"} 1",
        "qaward_http_request_duration_seconds_bucket{le=\"+Inf\"}",
        "qaward_db_pool_connections{backend=",
        "qaward_mail_outbox{state=\"pending\"}",
        "qaward_jobs{status=\"running\"}",
        "qaward_audit_entries ",
        "qaward_http_panics_total 0",
    ] {
        assert!(p.body.contains(needle), "{needle} in\n{}", p.body);
    }
}

#[tokio::test]
async fn metrics_are_refused_to_other_machines_without_the_token() {
    let app = spawn_app_configured(
        qaward::demo::Options {
            review_onsite: false,
        },
        |c| {
            c.trusted_proxy_header = Some("X-Real-IP".into());
            c.metrics_token = Some("s3cret-token-for-monitoring".into());
        },
    )
    .await;
    let http = reqwest::Client::new();
    let get = |ip: &'static str, token: Option<&'static str>| {
        let mut r = http
            .get(format!("{}/metrics", app.base))
            .header("X-Real-IP", ip);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let r = get("203.0.113.5", None).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("运行指标只对本机"));
    assert_eq!(
        get("203.0.113.5", Some("wrong"))
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    let r = get("203.0.113.5", Some("s3cret-token-for-monitoring"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("qaward_http_requests_total")
    );
    assert_eq!(get("127.0.0.1", None).await.unwrap().status().as_u16(), 200);
}

#[tokio::test]
async fn a_handler_that_panics_answers_with_the_500_page_and_is_counted() {
    let app = spawn_app().await;
    let state = qaward_web::AppState::new(
        app.store.clone(),
        app.clock.clone(),
        qaward_web::Config::new(app.files_dir().to_owned()),
    );
    let router = axum::Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            if std::hint::black_box(true) {
                panic!("boom");
            }
            "never"
        }),
    );
    let served = qaward_web::with_layers(router, state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, served).await;
    });
    let r = reqwest::get(format!("{base}/boom")).await.unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("系统出现错误，您的操作未完成")
    );
    let text = qaward_web::ops::exposition(
        &state.metrics,
        &qaward_store::ops::Gauges::default(),
        "test",
    );
    assert!(text.contains("qaward_http_panics_total 1"), "{text}");
    assert!(text.contains("route=\"/boom\",status=\"500\"} 1"), "{text}");
}

#[tokio::test]
async fn an_id_that_is_not_a_number_is_named_in_chinese() {
    let app = spawn_app().await;
    let u = app.signed_in("office").await;
    let p = u.get("/applications/abc").await;
    assert_eq!(p.status, 400);
    assert!(
        p.body.contains("网址中的“申报编号”应为数字，收到的是“abc”"),
        "{}",
        p.body
    );
    let p = u.get("/office/sessions/1x/review").await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("届次编号"), "{}", p.body);
    let p = app.visitor().get("/verify/QYZLJ-2024-001").await;
    assert_ne!(p.status, 400, "a certificate serial is text");
}
