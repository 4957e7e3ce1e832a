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
    assert!(p.body.contains("市强市办工作"));
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

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let app = spawn_app().await;
    let u = app.visitor();
    for i in 1..=4 {
        let p = u.login("leader", "Wrong#password1").await;
        assert_eq!(p.status, 422);
        assert!(p.body.contains(&format!("再失败{}次", 5 - i)), "{}", p.body);
    }
    let p = u.login("leader", "Wrong#password1").await;
    assert!(p.body.contains("账号已锁定至"), "{}", p.body);
    // Even the right password is refused while locked.
    let p = u.login("leader", DEMO_PASSWORD).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("账号已锁定至"));
    app.clock.advance(jiff::SignedDuration::from_mins(16));
    assert_eq!(u.login("leader", DEMO_PASSWORD).await.status, 303);
    // The lock and the failures are in the security log.
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            categories: vec!["security"],
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "login.locked"));
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
