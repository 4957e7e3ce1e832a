//! Every route × every role: allowed (anything but 403) or refused (a 403 page), however the
//! URL is typed. The list of routes is the router's own, so a new route without an expectation
//! fails this test.

use crate::helpers::{TestApp, User, pool_expert, spawn_app};
use qaward_web::routes::ROUTES;
use std::collections::BTreeMap;

const ROLES: [&str; 16] = [
    "anonymous",
    "applicant",
    "applicant13",
    "county-qingcheng",
    "county-yingde",
    "office",
    "dept-ecology",
    "reviewer",
    "reviewer-lead",
    "reviewer-conflict",
    "reviewer-removed",
    "leader",
    "discipline",
    "sysadmin",
    "secadmin",
    "auditadmin",
];

const ALL: &[&str] = &ROLES;
const USERS: &[&str] = &[
    "applicant",
    "applicant13",
    "county-qingcheng",
    "county-yingde",
    "office",
    "dept-ecology",
    "reviewer",
    "reviewer-lead",
    "reviewer-conflict",
    "reviewer-removed",
    "leader",
    "discipline",
    "sysadmin",
    "secadmin",
    "auditadmin",
];
/// Reviewers (their desk; a removed reviewer still sees the notice that says so).
const REVIEWERS: &[&str] = &[
    "reviewer",
    "reviewer-lead",
    "reviewer-conflict",
    "reviewer-removed",
];
/// Nobody: the application in `{aid}` is not in expert review, so no reviewer is on its team.
const NOBODY: &[&str] = &[];
const OFFICE_READ: &[&str] = &["office", "leader", "discipline"];
const OFFICE: &[&str] = &["office"];
/// The forwarded 清城区 application: its applicant, its county office, the office, discipline.
const VIEW_APP: &[&str] = &["applicant13", "county-qingcheng", "office", "discipline"];
const OWNER: &[&str] = &["applicant13"];
/// A form field that makes the matrix send the form as multipart, with a small text file
/// (refused by content, which is harmless).
const MULTIPART: &str = "__multipart__";

/// Who may use each route, and the harmless form an allowed role sends to a POST route.
/// (method, route, roles allowed, the harmless form an allowed role sends).
type Expectation = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Vec<(&'static str, &'static str)>,
);

fn expectations() -> Vec<Expectation> {
    vec![
        ("GET", "/", ALL, vec![]),
        ("GET", "/healthz", ALL, vec![]),
        ("GET", "/static/app.css", ALL, vec![]),
        ("GET", "/sessions/{id}", ALL, vec![]),
        ("GET", "/sessions/{id}/call.pdf", ALL, vec![]),
        ("GET", "/rules/{id}", ALL, vec![]),
        ("GET", "/lang/{lang}", ALL, vec![]),
        ("GET", "/login", ALL, vec![]),
        (
            "POST",
            "/login",
            ALL,
            vec![("username", "nobody"), ("password", "x")],
        ),
        ("GET", "/dashboard", USERS, vec![]),
        ("GET", "/notifications", USERS, vec![]),
        // Everyone may ask; only the owner's request marks it (others get 404).
        ("POST", "/notifications/{nid}/read", USERS, vec![]),
        ("GET", "/account/password", USERS, vec![]),
        (
            "POST",
            "/account/password",
            USERS,
            vec![("current", "wrong"), ("new", "x"), ("again", "x")],
        ),
        ("GET", "/office", OFFICE_READ, vec![]),
        ("GET", "/office/programmes/new", OFFICE, vec![]),
        ("POST", "/office/programmes", OFFICE, vec![("name", "")]),
        ("GET", "/office/programmes/{pid}", OFFICE_READ, vec![]),
        (
            "POST",
            "/office/programmes/{pid}/rulesets",
            OFFICE,
            vec![("source", "")],
        ),
        (
            "POST",
            "/office/programmes/{pid}/sessions",
            OFFICE,
            vec![("year", "")],
        ),
        ("GET", "/office/sessions/{sid}", OFFICE_READ, vec![]),
        (
            "POST",
            "/office/sessions/{sid}/windows",
            OFFICE,
            vec![("applications.from", "bad")],
        ),
        ("GET", "/office/sessions/{sid}/advance", OFFICE, vec![]),
        (
            "POST",
            "/office/sessions/{sid}/advance",
            OFFICE,
            vec![("to", "closed")],
        ),
        ("GET", "/office/sessions.xlsx", OFFICE_READ, vec![]),
        ("GET", "/static/app.js", ALL, vec![]),
        ("GET", "/register", ALL, vec![]),
        (
            "POST",
            "/register",
            ALL,
            vec![("programme_id", "{pid}"), ("credit_code", "bad")],
        ),
        (
            "POST",
            "/org/{oid}/applications",
            &["applicant"],
            vec![("session_id", "{closed}")],
        ),
        (
            "POST",
            "/org/{oid}/users",
            &["applicant"],
            vec![("username", "")],
        ),
        ("GET", "/applications/{aid}", VIEW_APP, vec![]),
        ("GET", "/applications/{aid}/s/{key}", VIEW_APP, vec![]),
        (
            "POST",
            "/applications/{aid}/s/{key}",
            OWNER,
            vec![("identity.legal_rep", "x")],
        ),
        (
            "POST",
            "/applications/{aid}/s/{key}/autosave",
            OWNER,
            vec![("identity.legal_rep", "x")],
        ),
        ("GET", "/applications/{aid}/submit", OWNER, vec![]),
        ("POST", "/applications/{aid}/submit", OWNER, vec![]),
        ("GET", "/applications/{aid}/receipt", VIEW_APP, vec![]),
        ("GET", "/applications/{aid}/receipt.pdf", VIEW_APP, vec![]),
        ("GET", "/applications/{aid}/evidence", VIEW_APP, vec![]),
        (
            "POST",
            "/applications/{aid}/evidence",
            OWNER,
            vec![(MULTIPART, ""), ("kind", "other")],
        ),
        ("GET", "/attachments/{att}", VIEW_APP, vec![]),
        ("POST", "/attachments/{att}/remove", OWNER, vec![]),
        (
            "POST",
            "/county/applications/{aid}/letter",
            &["county-qingcheng"],
            vec![(MULTIPART, "")],
        ),
        ("GET", "/county/{cid}", &["county-qingcheng"], vec![]),
        (
            "POST",
            "/county/{cid}/forward",
            &["county-qingcheng"],
            vec![("session_id", "{sid}")],
        ),
        (
            "GET",
            "/county/applications/{aid}",
            &["county-qingcheng"],
            vec![],
        ),
        (
            "POST",
            "/county/applications/{aid}",
            &["county-qingcheng"],
            vec![("decision", "recommended")],
        ),
        ("GET", "/office/sessions/{sid}/applications", OFFICE, vec![]),
        (
            "GET",
            "/office/sessions/{sid}/applications.xlsx",
            OFFICE,
            vec![],
        ),
        ("GET", "/office/applications/{aid}", OFFICE, vec![]),
        (
            "POST",
            "/office/applications/{aid}",
            OFFICE,
            vec![("item.registered", "fail")],
        ),
        // Changes the application's state: after the reads.
        ("POST", "/applications/{aid}/withdraw", OWNER, vec![]),
        ("GET", "/department/{did}", &["dept-ecology"], vec![]),
        ("GET", "/office/sessions/{sid}/opinions", OFFICE, vec![]),
        (
            "POST",
            "/office/sessions/{sid}/opinions",
            OFFICE,
            vec![("subject", "")],
        ),
        ("POST", "/office/opinions/{rid}/remind", OFFICE, vec![]),
        (
            "GET",
            "/department/requests/{rid}",
            &["dept-ecology"],
            vec![],
        ),
        (
            "POST",
            "/department/requests/{rid}",
            &["dept-ecology"],
            vec![("note", "")],
        ),
        ("GET", "/org/{oid}", &["applicant"], vec![]),
        ("GET", "/discipline/audit", &["discipline"], vec![]),
        ("GET", "/admin/users", &["sysadmin"], vec![]),
        (
            "POST",
            "/admin/users",
            &["sysadmin"],
            vec![("username", "")],
        ),
        (
            "POST",
            "/admin/users/{uid}/state",
            &["sysadmin"],
            vec![("active", "1")],
        ),
        ("GET", "/admin/security", &["secadmin"], vec![]),
        (
            "POST",
            "/admin/security",
            &["secadmin"],
            vec![("max_failed_logins", "abc")],
        ),
        ("GET", "/admin/audit", &["auditadmin"], vec![]),
        (
            "GET",
            "/office/programmes/{pid}/experts",
            OFFICE_READ,
            vec![],
        ),
        (
            "POST",
            "/office/programmes/{pid}/experts",
            OFFICE,
            vec![("name", "")],
        ),
        (
            "GET",
            "/office/programmes/{pid}/experts.xlsx",
            OFFICE_READ,
            vec![],
        ),
        (
            "POST",
            "/office/programmes/{pid}/experts/import",
            OFFICE,
            vec![(MULTIPART, "")],
        ),
        ("GET", "/office/sessions/{sid}/review", OFFICE_READ, vec![]),
        // The main session is taking applications: teams are refused there (409).
        (
            "POST",
            "/office/sessions/{sid}/teams",
            OFFICE,
            vec![("name", "")],
        ),
        // A team with applications cannot be removed (409).
        ("POST", "/office/teams/{tid}/remove", OFFICE, vec![]),
        (
            "POST",
            "/office/sessions/{sid}/teams/publish",
            OFFICE,
            vec![],
        ),
        (
            "POST",
            "/office/sessions/{sid}/assignment",
            OFFICE,
            vec![("seed", "bad")],
        ),
        // An accepted proposal is not accepted twice (422).
        (
            "POST",
            "/office/assignment-runs/{run}/accept",
            OFFICE,
            vec![],
        ),
        (
            "POST",
            "/office/review/applications/{aid}/team",
            OFFICE,
            vec![("team", "")],
        ),
        (
            "GET",
            "/office/sessions/{sid}/review.xlsx",
            OFFICE_READ,
            vec![],
        ),
        ("GET", "/office/sessions/{sid}/ranking", OFFICE_READ, vec![]),
        ("POST", "/office/sessions/{sid}/onsite", OFFICE, vec![]),
        ("GET", "/review", REVIEWERS, vec![]),
        ("GET", "/review/sessions/{sid}/declaration", NOBODY, vec![]),
        ("POST", "/review/sessions/{sid}/declaration", NOBODY, vec![]),
        ("GET", "/review/applications/{aid}", NOBODY, vec![]),
        (
            "POST",
            "/review/applications/{aid}/conflict",
            NOBODY,
            vec![("reason", "")],
        ),
        ("GET", "/review/applications/{aid}/score", NOBODY, vec![]),
        ("POST", "/review/applications/{aid}/score", NOBODY, vec![]),
        (
            "POST",
            "/review/applications/{aid}/score/autosave",
            NOBODY,
            vec![],
        ),
        (
            "POST",
            "/review/applications/{aid}/score/submit",
            NOBODY,
            vec![],
        ),
        (
            "GET",
            "/review/applications/{aid}/consensus",
            NOBODY,
            vec![],
        ),
        (
            "POST",
            "/review/applications/{aid}/consensus",
            NOBODY,
            vec![],
        ),
        (
            "GET",
            "/review/applications/{aid}/report",
            OFFICE_READ,
            vec![],
        ),
        (
            "GET",
            "/review/applications/{aid}/report.pdf",
            OFFICE_READ,
            vec![],
        ),
        ("GET", "/office/experts/{eid}", OFFICE_READ, vec![]),
        ("POST", "/office/experts/{eid}", OFFICE, vec![("name", "")]),
        (
            "POST",
            "/office/experts/{eid}/history",
            OFFICE,
            vec![("kind", "employment"), ("name", "")],
        ),
        (
            "POST",
            "/office/experts/{eid}/employment/{row}/end",
            OFFICE,
            vec![("end_on", "")],
        ),
        (
            "POST",
            "/office/experts/{eid}/sanctions",
            OFFICE,
            vec![("kind", "")],
        ),
        // Last: it ends the session.
        ("POST", "/logout", ALL, vec![]),
    ]
}

async fn fill(app: &TestApp, pattern: &str) -> String {
    let leader = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "leader")
        .unwrap()
        .id;
    let qingcheng = app
        .demo
        .counties
        .iter()
        .find(|(n, _)| n == "清城区")
        .unwrap()
        .1;
    let eco = app
        .store
        .departments(app.demo.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.code == "ecology")
        .unwrap()
        .id;
    let nid = applicant13_notice(app).await;
    let (eid, row) = pool_expert(app).await;
    let tid = app.demo.review.teams[0].1;
    let run = app
        .store
        .latest_run(app.demo.review.session_id)
        .await
        .unwrap()
        .unwrap()
        .id;
    pattern
        .replace("{tid}", &tid.to_string())
        .replace("{run}", &run.to_string())
        .replace("{eid}", &eid.to_string())
        .replace("{row}", &row.to_string())
        .replace("{nid}", &nid.to_string())
        .replace("{id}", &app.demo.session_2026.to_string())
        .replace("{sid}", &app.demo.session_2026.to_string())
        .replace("{pid}", &app.demo.programme_id.to_string())
        .replace("{cid}", &qingcheng.to_string())
        .replace("{did}", &eco.to_string())
        .replace("{oid}", &app.demo.organisations[0].to_string())
        .replace("{uid}", &leader.to_string())
        .replace("{lang}", "zh")
        .replace("{aid}", &forwarded_app(app).to_string())
        .replace("{key}", "identity")
        .replace("{att}", &first_attachment(app).await.to_string())
        .replace("{closed}", &app.demo.session_2024.to_string())
        .replace("{rid}", &ecology_request(app).to_string())
}

/// The newest notice of applicant13 (its application was submitted and recommended).
async fn applicant13_notice(app: &TestApp) -> i64 {
    let uid = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "applicant13")
        .unwrap()
        .id;
    app.store.notifications(uid).await.unwrap()[0].id
}

/// The forwarded application of 清城区 (清远市演示新能源有限公司, user applicant13).
fn forwarded_app(app: &TestApp) -> i64 {
    app.demo
        .applications
        .iter()
        .find(|(n, ..)| n == "清远市演示新能源有限公司")
        .map(|(_, id, _)| *id)
        .unwrap()
}

/// The first evidence file of the forwarded 清城区 application.
async fn first_attachment(app: &TestApp) -> i64 {
    app.store.attachments(forwarded_app(app)).await.unwrap()[0].id
}

/// The demo request to 市生态环境局 (one applicant answered, one pending).
fn ecology_request(app: &TestApp) -> i64 {
    app.demo
        .opinion_requests
        .iter()
        .find(|(d, _)| d == "ecology")
        .map(|(_, id)| *id)
        .unwrap()
}

async fn client(app: &TestApp, role: &str) -> User {
    if role == "anonymous" {
        app.visitor()
    } else {
        app.signed_in(role).await
    }
}

#[tokio::test]
async fn every_route_for_every_role() {
    let app = spawn_app().await;
    let exp = expectations();
    let listed: Vec<(&str, &str)> = exp.iter().map(|(m, p, ..)| (*m, *p)).collect();
    for r in ROUTES {
        assert!(
            listed.contains(r),
            "route {r:?} has no expectation in the matrix"
        );
    }
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for role in ROLES {
        let u = client(&app, role).await;
        for (method, pattern, allowed, form) in &exp {
            let path = fill(&app, pattern).await;
            let mut filled = Vec::new();
            for (k, v) in form {
                filled.push((*k, fill(&app, v).await));
            }
            let fields: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = if *method == "GET" {
                u.get(&path).await
            } else if fields.iter().any(|(k, _)| *k == MULTIPART) {
                let rest: Vec<(&str, &str)> = fields
                    .iter()
                    .filter(|(k, _)| *k != MULTIPART)
                    .copied()
                    .collect();
                u.post_file(
                    &path,
                    &rest,
                    Some(("note.txt", b"plain text, not evidence".to_vec())),
                )
                .await
            } else {
                u.post(&path, &fields).await
            };
            let allow = allowed.contains(&role);
            let ok = if allow {
                page.status != 403 && page.status < 500
            } else {
                page.status == 403
                    && (page.body.contains("无权访问") || page.body.contains("请先登录"))
            };
            if !ok {
                failures.push(format!(
                    "{role} {method} {path}: got {} (expected {})",
                    page.status,
                    if allow { "allowed" } else { "403" }
                ));
            }
            table
                .entry(format!("{method} {pattern}"))
                .or_default()
                .push(format!("{}", page.status));
        }
    }
    eprintln!("route × role ({})", ROLES.join(" "));
    for (k, v) in &table {
        eprintln!("{k:<42} {}", v.join(" "));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_county_office_cannot_reach_another_county_by_any_url() {
    let app = spawn_app().await;
    let yingde = app.signed_in("county-yingde").await;
    let qingcheng = app
        .demo
        .counties
        .iter()
        .find(|(n, _)| n == "清城区")
        .unwrap()
        .1;
    let own = app
        .demo
        .counties
        .iter()
        .find(|(n, _)| n == "英德市")
        .unwrap()
        .1;
    assert_eq!(yingde.get(&format!("/county/{own}")).await.status, 200);
    for path in [
        format!("/county/{qingcheng}"),
        format!("/county/{qingcheng}/"),
        format!("/county/{qingcheng}?x=1"),
        "/county/999999".into(),
        "/county/-1".into(),
    ] {
        let p = yingde.get(&path).await;
        assert!(p.status == 403 || p.status == 404, "{path}: {}", p.status);
        assert!(
            !p.body.contains("清远市演示精密制造有限公司"),
            "{path} leaks another county's applicant"
        );
    }
    let p = yingde.get(&format!("/county/{qingcheng}")).await;
    assert!(p.body.contains("只能查看本辖区"));
}

#[tokio::test]
async fn an_applicant_cannot_open_another_organisation() {
    let app = spawn_app().await;
    let a = app.signed_in("applicant").await;
    assert_eq!(
        a.get(&format!("/org/{}", app.demo.organisations[0]))
            .await
            .status,
        200
    );
    let other = a.get(&format!("/org/{}", app.demo.organisations[1])).await;
    assert_eq!(other.status, 403);
    assert!(!other.body.contains("英德市演示茶业"));
    assert_eq!(
        a.get("/org/424242").await.status,
        403,
        "unknown ids look the same as others' ids"
    );
}

#[tokio::test]
async fn every_post_without_its_token_is_refused() {
    let app = spawn_app().await;
    for (method, pattern, allowed, form) in expectations() {
        if method != "POST" {
            continue;
        }
        let role = allowed
            .iter()
            .find(|r| **r != "anonymous")
            .copied()
            .unwrap_or("office");
        let u = client(&app, role).await;
        let fields: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let p = u.post_raw(&fill(&app, pattern).await, &fields).await;
        assert_eq!(p.status, 403, "{role} POST {pattern} without a token");
    }
}
