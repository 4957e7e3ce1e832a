//! Signing in: lockout, idle timeout, CSRF, password policy, the three administrators.

use crate::helpers::spawn_app;
use qaward::demo::DEMO_PASSWORD;
use sqlx::Row;

#[tokio::test]
async fn a_demo_user_signs_in_and_sees_their_dashboard() {
    let app = spawn_app().await;
    let u = app.signed_in("office").await;
    let p = u.get("/dashboard").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("市强市办 · 清远市政府质量奖"));
    assert!(p.body.contains("待办事项"));
    assert!(p.body.contains("2026年度清远市政府质量奖"));
}

#[tokio::test]
async fn every_printed_demo_login_works() {
    let app = spawn_app().await;
    for l in &app.demo.logins {
        let u = app.signed_in(l.username).await;
        assert_eq!(u.get("/dashboard").await.status, 200, "{}", l.username);
    }
}

/// The one answer of every failed sign-in.
const FAILED: &str = "用户名或密码不正确，或因登录失败次数过多已暂停登录";

/// The message shown beside the password field of a failed sign-in page.
fn sign_in_message(body: &str) -> String {
    let re = regex::Regex::new(r#"id="password-error">([^<]*)<"#).unwrap();
    re.captures(body)
        .map(|c| c[1].to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_failed_sign_in_gets_the_same_answer_whether_or_not_the_name_exists() {
    let app = spawn_app().await;
    let u = app.visitor();
    let known = u.login("leader", "Wrong#password1").await;
    let unknown = u.login("no-such-user", "Wrong#password1").await;
    let empty_pw_name = u.login("sysadmin", "Wrong#password1").await;
    for p in [&known, &unknown, &empty_pw_name] {
        assert_eq!(p.status, 422);
        assert!(p.body.contains(FAILED), "{}", p.body);
        assert!(!p.body.contains("再失败"), "no count of tries left");
    }
    assert_eq!(sign_in_message(&known.body), sign_in_message(&unknown.body));
    // A paused source gets the same answer, for a real name and an unknown one alike.
    for _ in 0..5 {
        u.login("leader", "Wrong#password1").await;
        u.login("no-such-user", "Wrong#password1").await;
    }
    let paused_known = u.login("leader", DEMO_PASSWORD).await;
    let paused_unknown = u.login("no-such-user", DEMO_PASSWORD).await;
    assert_eq!(paused_known.status, 422);
    assert_eq!(
        sign_in_message(&paused_known.body),
        sign_in_message(&known.body)
    );
    assert_eq!(
        sign_in_message(&paused_unknown.body),
        sign_in_message(&known.body)
    );
}

#[tokio::test]
async fn five_wrong_passwords_pause_that_source_and_never_its_owner_elsewhere() {
    let app = spawn_app().await;
    let attacker = app.visitor();
    for _ in 0..5 {
        let p = attacker.login("sysadmin", "Wrong#password1").await;
        assert_eq!(p.status, 422);
    }
    // The source that kept failing is paused, even with the right password…
    assert_eq!(attacker.login("sysadmin", DEMO_PASSWORD).await.status, 422);
    // …but the administrator signs in from another address at once.
    let owner = app.visitor_from("127.0.0.2");
    assert_eq!(owner.login("sysadmin", DEMO_PASSWORD).await.status, 303);
    // The pause runs out after the lock time.
    app.clock.advance(jiff::SignedDuration::from_mins(16));
    assert_eq!(attacker.login("sysadmin", DEMO_PASSWORD).await.status, 303);
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            categories: vec!["security"],
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let locked = log.iter().find(|e| e.action == "login.locked").unwrap();
    assert!(locked.summary.contains("127.0.0.1"), "{}", locked.summary);
}

#[tokio::test]
async fn a_source_trying_many_names_is_paused_and_a_forged_proxy_header_does_not_help() {
    let app = spawn_app().await;
    let u = app.visitor();
    for i in 0..30 {
        // Each with another forged client address: the header is not trusted by default.
        let r = u
            .http
            .post(format!("{}/login", app.base))
            .header("X-Forwarded-For", format!("203.0.113.{i}"))
            .form(&[
                ("csrf", u.csrf().await.as_str()),
                ("username", &format!("guess{i}")),
                ("password", "Wrong#password1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
    }
    // Now every sign-in from that address is paused, the right one too…
    let p = u.login("office", DEMO_PASSWORD).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains(FAILED));
    // …while other addresses are not.
    assert_eq!(
        app.visitor_from("127.0.0.3")
            .login("office", DEMO_PASSWORD)
            .await
            .status,
        303
    );
    // The security administrator sees the pause and lifts it.
    let sec = app.visitor_from("127.0.0.4");
    assert_eq!(sec.login("secadmin", DEMO_PASSWORD).await.status, 303);
    let page = sec.get("/admin/security").await;
    assert!(page.body.contains("该来源登录任何账号"), "{}", page.body);
    assert!(page.body.contains("127.0.0.1"));
    let p = sec
        .post("/admin/security/locks", &[("address", "127.0.0.1")])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(u.login("office", DEMO_PASSWORD).await.status, 303);
}

#[tokio::test]
async fn behind_a_trusted_proxy_its_header_names_the_client() {
    let app = crate::helpers::spawn_app_configured(
        qaward::demo::Options {
            review_onsite: false,
        },
        |c| c.trusted_proxy_header = Some("X-Forwarded-For".into()),
    )
    .await;
    let u = app.visitor();
    let try_from = |ip: &'static str, pw: &'static str| {
        let u = &u;
        let base = app.base.clone();
        async move {
            let csrf = u.csrf().await;
            u.http
                .post(format!("{base}/login"))
                .header("X-Forwarded-For", format!("198.51.100.7, {ip}"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", "leader"),
                    ("password", pw),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for _ in 0..5 {
        assert_eq!(try_from("203.0.113.9", "Wrong#password1").await, 422);
    }
    assert_eq!(try_from("203.0.113.9", DEMO_PASSWORD).await, 422);
    assert_eq!(try_from("203.0.113.10", DEMO_PASSWORD).await, 303);
}

#[tokio::test]
async fn an_account_paused_from_everywhere_is_lifted_from_the_console() {
    let app = crate::helpers::spawn_app_configured(
        qaward::demo::Options {
            review_onsite: false,
        },
        |c| c.trusted_proxy_header = Some("X-Forwarded-For".into()),
    )
    .await;
    app.store
        .set_security_setting(
            &qaward_store::Who::system(),
            "account_max_failures",
            20,
            app.now_ts(),
        )
        .await
        .unwrap();
    let u = app.visitor();
    let attempt = |ip: String, pw: &'static str| {
        let u = &u;
        let base = app.base.clone();
        async move {
            let csrf = u.csrf().await;
            u.http
                .post(format!("{base}/login"))
                .header("X-Forwarded-For", ip)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", "secadmin"),
                    ("password", pw),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // A distributed guess: 4 tries from each of 5 addresses (never 5 from one).
    for i in 0..20 {
        attempt(format!("203.0.113.{}", i / 4), "Wrong#password1").await;
    }
    assert_eq!(
        attempt("198.51.100.1".into(), DEMO_PASSWORD).await,
        422,
        "the account is paused for every source"
    );
    let out = crate::helpers::qaward_bin()
        .args(["user", "unlock", "secadmin"])
        .env("DATABASE_URL", app.store.url())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已解除账号 secadmin 的登录暂停"));
    tokio::time::sleep(qaward_store::cache::REMOTE_POLL + std::time::Duration::from_millis(100))
        .await;
    assert_eq!(attempt("198.51.100.1".into(), DEMO_PASSWORD).await, 303);
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            categories: vec!["security"],
            limit: 20,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "login.unlock" && e.role == "system")
    );
}

#[tokio::test]
async fn registering_a_taken_credit_code_again_and_again_pauses_the_source_and_keeps_the_form() {
    let app = spawn_app().await;
    app.store
        .set_security_setting(
            &qaward_store::Who::system(),
            "address_max_failures",
            10,
            app.now_ts(),
        )
        .await
        .unwrap();
    let taken = app
        .store
        .application(app.demo.applications[0].1)
        .await
        .unwrap()
        .org
        .credit_code;
    let qingcheng = app.demo.counties[0].1.to_string();
    let u = app.visitor();
    let pid = app.demo.programme_id.to_string();
    let form = |user: String| {
        vec![
            ("programme_id", pid.clone()),
            ("credit_code", taken.clone()),
            ("name", "清远市探测演示有限公司".to_owned()),
            ("county_id", qingcheng.clone()),
            ("registered_on", "2015-06-01".to_owned()),
            ("address", "清远市演示大道9号（虚构）".to_owned()),
            ("contact_name", "探测者".to_owned()),
            ("email", "probe@example.com".to_owned()),
            ("username", user),
            ("password", "Register#2026x".to_owned()),
            ("password2", "Register#2026x".to_owned()),
        ]
    };
    for i in 0..10 {
        let f = form(format!("probe{i}"));
        let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let p = u.post("/register", &fields).await;
        assert_eq!(p.status, 422);
        assert!(p.body.contains("已经注册"), "{}", p.body);
    }
    let f = form("probe-last".into());
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = u.post("/register", &fields).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("已暂停注册"), "{}", p.body);
    assert!(
        !p.body.contains("已经注册"),
        "the taken code is no longer confirmed"
    );
    assert!(
        p.body.contains("清远市演示大道9号（虚构）"),
        "what was typed is kept"
    );
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes() {
    let app = spawn_app().await;
    let u = app.signed_in("office").await;
    app.clock.advance(jiff::SignedDuration::from_mins(29));
    assert_eq!(u.get("/dashboard").await.status, 200);
    app.clock.advance(jiff::SignedDuration::from_mins(29));
    assert_eq!(
        u.get("/dashboard").await.status,
        200,
        "activity keeps the session alive"
    );
    app.clock.advance(jiff::SignedDuration::from_mins(31));
    let p = u.get("/dashboard").await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("请先登录"));
}

#[tokio::test]
async fn a_form_without_its_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let u = app.signed_in("office").await;
    let before = app.store.audit_len().await.unwrap();
    let form = vec![
        ("year".to_owned(), "2028".to_owned()),
        ("rule_set_id".to_owned(), app.demo.rule_sets.1.to_string()),
    ];
    let p = u
        .post_raw(
            &format!("/office/programmes/{}/sessions", app.demo.programme_id),
            &form,
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("表单已过期或来源无法确认"));
    let mut wrong = form.clone();
    wrong.push(("csrf".into(), "0".repeat(64)));
    assert_eq!(
        u.post_raw(
            &format!("/office/programmes/{}/sessions", app.demo.programme_id),
            &wrong
        )
        .await
        .status,
        403
    );
    assert_eq!(app.store.audit_len().await.unwrap(), before);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_token() {
    let app = spawn_app().await;
    let u = app.signed_in("office").await;
    let token = u.csrf().await;
    let r = u
        .http
        .post(format!("{}/logout", app.base))
        .header("Origin", "https://evil.example")
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(u.get("/dashboard").await.status, 200, "still signed in");
}

#[tokio::test]
async fn a_weak_new_password_is_refused_with_the_rule_and_the_old_one_still_works() {
    let app = spawn_app().await;
    let u = app.signed_in("reviewer").await;
    let p = u
        .post(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "short"),
                ("again", "short"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("密码至少10位"), "{}", p.body);
    let p = u
        .post(
            "/account/password",
            &[
                ("current", DEMO_PASSWORD),
                ("new", "Better#Pass2026"),
                ("again", "Better#Pass2026"),
            ],
        )
        .await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("密码已修改"));
    assert_eq!(
        app.visitor().login("reviewer", DEMO_PASSWORD).await.status,
        422
    );
    assert_eq!(
        app.visitor()
            .login("reviewer", "Better#Pass2026")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn the_three_administrators_stay_apart_and_away_from_award_data() {
    let app = spawn_app().await;
    let admin = app.signed_in("sysadmin").await;
    // An admin account cannot also take an award role, nor a second admin role.
    let p = admin
        .post(
            "/admin/users",
            &[
                ("username", "mixed"),
                ("display_name", "混合"),
                ("password", "Mixed#Pass2026"),
                ("role", "bogus"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请选择角色"));
    let p = admin
        .post(
            "/admin/users",
            &[
                ("username", "newoffice"),
                ("display_name", "新同事"),
                ("password", "Qy#Office2026x"),
                ("role", "city_office"),
                ("programme_id", &app.demo.programme_id.to_string()),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        app.signed_in_with("newoffice", "Qy#Office2026x")
            .await
            .get(&format!("/office/sessions/{}", app.demo.session_2026))
            .await
            .status,
        200
    );
    for path in [
        "/office",
        &format!("/office/sessions/{}", app.demo.session_2026),
        "/discipline/audit",
        &format!("/county/{}", app.demo.counties[0].1),
    ] {
        assert_eq!(admin.get(path).await.status, 403, "{path}");
    }
}

impl crate::helpers::TestApp {
    /// A user signed in with a password of their own.
    pub async fn signed_in_with(&self, username: &str, password: &str) -> crate::helpers::User {
        let u = self.visitor();
        assert_eq!(u.login(username, password).await.status, 303);
        u
    }
}

#[tokio::test]
async fn an_account_disabled_from_another_server_is_signed_out_within_a_quarter_second() {
    let app = spawn_app().await;
    let u = app.signed_in("leader").await;
    assert_eq!(u.get("/dashboard").await.status, 200);
    // Another process on the same database (a second server, a command-line tool) disables
    // the account: this server reads the database's write count at least every 250 ms.
    let other = qaward_store::Store::connect(app.store.url()).await.unwrap();
    let id: i64 = sqlx::query("SELECT id FROM users WHERE username = 'leader'")
        .fetch_one(other.pool())
        .await
        .unwrap()
        .get(0);
    other
        .set_user_state(&qaward_store::Who::system(), id, false, app.now_ts())
        .await
        .unwrap();
    tokio::time::sleep(qaward_store::cache::REMOTE_POLL + std::time::Duration::from_millis(100))
        .await;
    let p = u.get("/dashboard").await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("请先登录"));
}

#[tokio::test]
async fn redirects_go_only_to_local_paths_and_a_line_break_is_no_error() {
    let app = spawn_app().await;
    let u = app.visitor();
    for next in [
        "/%5Cevil.example",
        "/%09/evil.example",
        "//evil.example",
        "https://evil.example/",
        "/%0d%0aSet-Cookie:%20x=1",
    ] {
        let p = u.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(p.status, 303, "{next}");
        assert_eq!(p.location.as_deref(), Some("/"), "{next}");
    }
    let p = u.get("/lang/zh?next=/sessions/1").await;
    assert_eq!(p.location.as_deref(), Some("/sessions/1"));
    // The sign-in's `next`: a tab or a line break in it gives the page, never a redirect away
    // (and never a 500).
    let p = u.get("/login?next=/%0d%0a/evil.example").await;
    assert_eq!(p.status, 200);
    assert!(
        p.body.contains(r#"name="next" value="/dashboard""#),
        "{}",
        p.body
    );
    for next in ["/\t/evil.example", "/\r\n/evil.example", "/\\evil.example"] {
        let csrf = u.csrf().await;
        let r = u
            .http
            .post(format!("{}/login", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "office"),
                ("password", DEMO_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{next:?}");
        assert_eq!(
            r.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/dashboard"),
            "{next:?}"
        );
    }
}

#[tokio::test]
async fn private_answers_are_never_stored_and_public_ones_may_be() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let aid = app.demo.applications[0].1;
    for path in [
        "/dashboard".to_owned(),
        format!("/applications/{aid}/receipt.pdf"),
        format!("/office/sessions/{}", app.demo.session_2026),
        "/no-such-page".to_owned(),
    ] {
        let r = office
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let cc = r
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(cc.contains("no-store"), "{path}: {cc:?}");
        assert!(r.headers().get("strict-transport-security").is_none());
    }
    let r = reqwest::get(format!("{}/static/app.css", app.base))
        .await
        .unwrap();
    assert!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("max-age"))
    );
    // Behind HTTPS every answer carries HSTS.
    let secure = crate::helpers::spawn_app_configured(
        qaward::demo::Options {
            review_onsite: false,
        },
        |c| c.secure_cookies = true,
    )
    .await;
    let r = reqwest::get(format!("{}/", secure.base)).await.unwrap();
    assert_eq!(
        r.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
}

#[tokio::test]
async fn the_account_list_searches_and_pages() {
    let app = spawn_app().await;
    let admin = app.signed_in("sysadmin").await;
    let all = admin.get("/admin/users").await;
    assert_eq!(all.status, 200);
    let total = app.store.users().await.unwrap().len();
    assert!(
        all.body.contains(&format!("账号总数：{total}")),
        "{}",
        all.body
    );
    // A search by role words or name narrows the list, and says how many matched.
    let found = admin.get("/admin/users?q=reviewer-lead").await;
    assert!(
        found.body.contains("<code>reviewer-lead</code>"),
        "{}",
        found.body
    );
    assert!(!found.body.contains("<code>office</code>"));
    assert!(
        found.body.contains(&format!("符合条件的账号：3 / {total}")),
        "{}",
        found.body
    );
    assert!(
        found.body.contains("value=\"reviewer-lead\""),
        "the search stays in its box"
    );
    let none = admin
        .get("/admin/users?q=%E6%97%A0%E6%AD%A4%E4%BA%BA")
        .await;
    assert!(none.body.contains("没有符合条件的账号。"));
    // Fifty to a page; a page past the end shows the last one.
    let rows = |body: &str| body.matches("/state\" class=\"inline\">").count();
    assert!(rows(&all.body) <= 2 * 50);
    if total > 50 {
        assert!(all.body.contains("id=\"next-page\""));
        let last = admin.get("/admin/users?page=999").await;
        assert_eq!(last.status, 200);
        assert!(!last.body.contains("id=\"next-page\""));
        assert!(last.body.contains("rel=\"prev\""));
    }
}
