//! Every route × every role: allowed (anything but 403) or refused (a 403 page), however the
//! URL is typed. The list of routes is the router's own, so a new route without an expectation
//! fails this test.

use crate::helpers::{TestApp, User, pool_expert, spawn_app};
use qaward_web::routes::route_list;
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
const OFFICE_READ: &[&str] = &["office", "leader", "discipline"];
const OFFICE: &[&str] = &["office"];
/// The forwarded 清城区 application: its applicant, its county office, the office, discipline.
const VIEW_APP: &[&str] = &["applicant13", "county-qingcheng", "office", "discipline"];
const OWNER: &[&str] = &["applicant13"];
/// A form field that makes the matrix send the form as multipart, with a small text file
/// (refused by content, which is harmless).
const MULTIPART: &str = "__multipart__";
/// Every account with a reviewer role in the review-stage demonstration programme (the removed
/// one still has its desk, which tells it why it has no work).
const REVIEWERS: &[&str] = &[
    "reviewer",
    "reviewer-lead",
    "reviewer-conflict",
    "reviewer-removed",
];
/// Reviewers on one of the review demo's teams (第一评审组 and 第二评审组).
const ON_A_TEAM: &[&str] = &["reviewer", "reviewer-lead", "reviewer-conflict"];
/// 第一评审组's members among the roles: they review {raid}.
const TEAM1: &[&str] = &["reviewer", "reviewer-lead"];
/// Who reads {raid}'s material review report: the office's readers and its team.
const REPORT: &[&str] = &[
    "office",
    "leader",
    "discipline",
    "reviewer",
    "reviewer-lead",
];
/// Who reads {rconf}'s report: its team (第三评审组) is not among the roles.
const REPORT_CONF: &[&str] = &["office", "leader", "discipline"];
/// Who reads {rconf}'s files: the office and discipline (its team is not among the roles).
const FILES_CONF: &[&str] = &["office", "discipline"];

/// Who may use each route, and the harmless form an allowed role sends to a POST route.
/// (method, route, roles allowed, the harmless form an allowed role sends).
type Expectation = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Vec<(&'static str, &'static str)>,
);

/// One row of the matrix: the route as the router lists it, and the path actually requested
/// (the same pattern, its placeholders possibly pointing elsewhere, such as the review demo).
struct Exp {
    method: &'static str,
    route: &'static str,
    path: &'static str,
    allowed: &'static [&'static str],
    form: Vec<(&'static str, &'static str)>,
}

fn expectations() -> Vec<Exp> {
    let mut all: Vec<Exp> = main_programme()
        .into_iter()
        .map(|(method, route, allowed, form)| Exp {
            method,
            route,
            path: route,
            allowed,
            form,
        })
        .collect();
    // The review routes before the last row (sign-out).
    let at = all
        .iter()
        .position(|e| e.route == "/logout")
        .expect("the sign-out row");
    let logout = all.remove(at);
    all.extend(review_programme());
    all.extend(onsite_rows());
    all.extend(conduct_rows());
    all.extend(post_award_rows());
    all.extend(recusal_rows());
    all.extend(report_job_rows());
    // The demo revocation case's evidence file ({rvfile}).
    all.push(Exp {
        method: "GET",
        route: "/revocations/{rvid}/files/{file}",
        path: "/revocations/{rvid}/files/{rvfile}",
        allowed: OFFICE_READ,
        form: vec![],
    });
    all.push(logout);
    all
}

/// After the award, on the 2024 session: {w24} is 清远市演示光电科技有限公司 (清城区), {report} its
/// first annual report and {file} that report's PDF; {tcid} the demo's misuse case. A winner's
/// reports reach the city office, leadership, discipline and its own county's office only; no
/// role of the matrix is the winner itself, so none may file. The forgery report is public.
const REPORT_READERS: &[&str] = &["county-qingcheng", "office", "leader", "discipline"];

fn post_award_rows() -> Vec<Exp> {
    let none: &'static [&'static str] = &[];
    let e = |method, route, path, allowed, form| Exp {
        method,
        route,
        path,
        allowed,
        form,
    };
    vec![
        e(
            "GET",
            "/applications/{aid}/post-award",
            "/applications/{w24}/post-award",
            REPORT_READERS,
            vec![],
        ),
        e(
            "GET",
            "/applications/{aid}/reports/{year}",
            "/applications/{w24}/reports/2",
            none,
            vec![],
        ),
        e(
            "POST",
            "/applications/{aid}/reports/{year}",
            "/applications/{w24}/reports/2",
            none,
            vec![(MULTIPART, "")],
        ),
        e(
            "GET",
            "/reports/{report}",
            "/reports/{report}",
            REPORT_READERS,
            vec![],
        ),
        e(
            "GET",
            "/reports/{report}/files/{file}",
            "/reports/{report}/files/{file}",
            REPORT_READERS,
            vec![],
        ),
        e(
            "GET",
            "/office/sessions/{sid}/reports",
            "/office/sessions/{closed}/reports",
            OFFICE_READ,
            vec![],
        ),
        e(
            "GET",
            "/office/sessions/{sid}/reports.xlsx",
            "/office/sessions/{closed}/reports.xlsx",
            OFFICE_READ,
            vec![],
        ),
        e(
            "GET",
            "/county/{cid}/reports",
            "/county/{cid}/reports",
            &["county-qingcheng"],
            vec![],
        ),
        e(
            "GET",
            "/office/programmes/{pid}/title-cases",
            "/office/programmes/{pid}/title-cases",
            OFFICE_READ,
            vec![],
        ),
        e(
            "POST",
            "/office/programmes/{pid}/title-cases",
            "/office/programmes/{pid}/title-cases",
            OFFICE,
            vec![(MULTIPART, "")],
        ),
        e(
            "GET",
            "/office/title-cases/{tcid}",
            "/office/title-cases/{tcid}",
            OFFICE_READ,
            vec![],
        ),
        e(
            "POST",
            "/office/title-cases/{tcid}",
            "/office/title-cases/{tcid}",
            OFFICE,
            vec![("step", "findings")],
        ),
        e(
            "GET",
            "/office/title-cases/{tcid}/files/{file}",
            "/office/title-cases/{tcid}/files/{file}",
            OFFICE_READ,
            vec![],
        ),
        e("GET", "/forgery-report", "/forgery-report", ALL, vec![]),
        e(
            "POST",
            "/forgery-report",
            "/forgery-report",
            ALL,
            vec![(MULTIPART, "")],
        ),
        e(
            "GET",
            "/office/applications/{aid}/managers",
            "/office/applications/{w24}/managers",
            OFFICE,
            vec![],
        ),
        e(
            "POST",
            "/office/applications/{aid}/managers",
            "/office/applications/{w24}/managers",
            OFFICE,
            vec![("name", "")],
        ),
    ]
}

/// On-site review and comprehensive evaluation on the review demo, whose session is still in
/// material review with no on-site list: every application's on-site pages are refused to
/// everyone (Art. 16); the office's final ranking is read by the office's readers, and the
/// release is the office's (refused with its article, not a 403, as nothing is ready).
fn onsite_rows() -> Vec<Exp> {
    let e = |method, route, path, allowed, form| Exp {
        method,
        route,
        path,
        allowed,
        form,
    };
    let none: &'static [&'static str] = &[];
    let mut rows = Vec::new();
    for (method, route, path) in [
        (
            "GET",
            "/review/applications/{aid}/onsite/plan",
            "/review/applications/{raid}/onsite/plan",
        ),
        (
            "POST",
            "/review/applications/{aid}/onsite/plan",
            "/review/applications/{raid}/onsite/plan",
        ),
        (
            "GET",
            "/review/applications/{aid}/onsite/visit",
            "/review/applications/{raid}/onsite/visit",
        ),
        (
            "POST",
            "/review/applications/{aid}/onsite/visit",
            "/review/applications/{raid}/onsite/visit",
        ),
        (
            "GET",
            "/review/applications/{aid}/onsite/score",
            "/review/applications/{raid}/onsite/score",
        ),
        (
            "POST",
            "/review/applications/{aid}/onsite/score",
            "/review/applications/{raid}/onsite/score",
        ),
        (
            "POST",
            "/review/applications/{aid}/onsite/score/autosave",
            "/review/applications/{raid}/onsite/score/autosave",
        ),
        (
            "POST",
            "/review/applications/{aid}/onsite/score/submit",
            "/review/applications/{raid}/onsite/score/submit",
        ),
        (
            "GET",
            "/review/applications/{aid}/onsite/consensus",
            "/review/applications/{raid}/onsite/consensus",
        ),
        (
            "POST",
            "/review/applications/{aid}/onsite/consensus",
            "/review/applications/{raid}/onsite/consensus",
        ),
        (
            "GET",
            "/review/applications/{aid}/onsite/report",
            "/review/applications/{raid}/onsite/report",
        ),
        (
            "GET",
            "/review/applications/{aid}/onsite/report.pdf",
            "/review/applications/{raid}/onsite/report.pdf",
        ),
        (
            "GET",
            "/review/applications/{aid}/evaluation",
            "/review/applications/{raid}/evaluation",
        ),
        (
            "POST",
            "/review/applications/{aid}/evaluation",
            "/review/applications/{raid}/evaluation",
        ),
        (
            "GET",
            "/review/applications/{aid}/evaluation.pdf",
            "/review/applications/{raid}/evaluation.pdf",
        ),
        (
            "GET",
            "/applications/{aid}/onsite",
            "/applications/{raid}/onsite",
        ),
        (
            "POST",
            "/applications/{aid}/practices/{practice}/secret",
            "/applications/{raid}/practices/{practice}/secret",
        ),
    ] {
        rows.push(e(method, route, path, none, vec![]));
    }
    rows.push(e(
        "GET",
        "/office/sessions/{sid}/final",
        "/office/sessions/{rsid}/final",
        OFFICE_READ,
        vec![],
    ));
    rows.push(e(
        "POST",
        "/office/review/applications/{aid}/onsite/release",
        "/office/review/applications/{raid}/onsite/release",
        OFFICE,
        vec![],
    ));
    rows
}

/// Conduct feedback, complaints and the discipline page (Art. 23–27). {aid} (not visited yet)
/// is its own applicant's to rate from, {raid} its programme's reviewers'; both answer 404 as
/// nothing is visited. {crating} is a demo rating of the 2024 reviews and {complaint} the demo
/// complaint, filed by s24-applicant3 (not among the roles): only discipline reads ratings and
/// handles complaints, the leadership group reads ratings, nobody else — not the office.
fn conduct_rows() -> Vec<Exp> {
    let e = |method, route, path, allowed, form| Exp {
        method,
        route,
        path,
        allowed,
        form,
    };
    let none: &'static [&'static str] = &[];
    const FILERS: &[&str] = &[
        "applicant",
        "applicant13",
        "reviewer",
        "reviewer-lead",
        "reviewer-conflict",
        "reviewer-removed",
    ];
    vec![
        e(
            "GET",
            "/applications/{aid}/conduct",
            "/applications/{aid}/conduct",
            OWNER,
            vec![],
        ),
        e(
            "GET",
            "/applications/{aid}/conduct/{eid}",
            "/applications/{aid}/conduct/{eid}",
            OWNER,
            vec![],
        ),
        e(
            "POST",
            "/applications/{aid}/conduct/{eid}",
            "/applications/{aid}/conduct/{eid}",
            OWNER,
            vec![("punctuality", "")],
        ),
        e(
            "GET",
            "/review/conduct",
            "/review/conduct",
            REVIEWERS,
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/conduct",
            "/review/applications/{raid}/conduct",
            REVIEWERS,
            vec![],
        ),
        e(
            "POST",
            "/review/applications/{aid}/conduct",
            "/review/applications/{raid}/conduct",
            REVIEWERS,
            vec![("cooperation", "")],
        ),
        e(
            "GET",
            "/discipline/conduct",
            "/discipline/conduct",
            &["leader", "discipline"],
            vec![],
        ),
        e(
            "GET",
            "/discipline/ratings/{rid}",
            "/discipline/ratings/{crating}",
            &["leader", "discipline"],
            vec![],
        ),
        e("GET", "/complaints", "/complaints", FILERS, vec![]),
        e(
            "POST",
            "/complaints",
            "/complaints",
            FILERS,
            vec![(MULTIPART, ""), ("facts", "")],
        ),
        e(
            "GET",
            "/complaints/{cid}",
            "/complaints/{complaint}",
            none,
            vec![],
        ),
        e(
            "GET",
            "/complaints/{cid}/files/{file}",
            "/complaints/{complaint}/files/{cfile}",
            &["discipline"],
            vec![],
        ),
        e(
            "GET",
            "/discipline/complaints/{cid}",
            "/discipline/complaints/{complaint}",
            &["discipline"],
            vec![],
        ),
        e(
            "POST",
            "/discipline/complaints/{cid}",
            "/discipline/complaints/{complaint}",
            &["discipline"],
            vec![("step", "")],
        ),
        e(
            "GET",
            "/discipline/audit.csv",
            "/discipline/audit.csv",
            &["discipline"],
            vec![],
        ),
        e(
            "GET",
            "/discipline/audit.xlsx",
            "/discipline/audit.xlsx",
            &["discipline"],
            vec![],
        ),
    ]
}

/// Expert review, on the review-stage demonstration programme: (method, route, path, allowed,
/// harmless form). {rsid} is its session; {raid} a completed application of 第一评审组;
/// {rconf} the applicant where 刘工 (reviewer-conflict) works, reviewed by 第三评审组.
fn review_programme() -> Vec<Exp> {
    let e = |method, route, path, allowed, form| Exp {
        method,
        route,
        path,
        allowed,
        form,
    };
    vec![
        e(
            "GET",
            "/office/sessions/{sid}/review",
            "/office/sessions/{rsid}/review",
            OFFICE_READ,
            vec![],
        ),
        e(
            "GET",
            "/office/sessions/{sid}/review.xlsx",
            "/office/sessions/{rsid}/review.xlsx",
            OFFICE_READ,
            vec![],
        ),
        e(
            "GET",
            "/office/sessions/{sid}/ranking",
            "/office/sessions/{rsid}/ranking",
            OFFICE_READ,
            vec![],
        ),
        // A team without a name or leader.
        e(
            "POST",
            "/office/sessions/{sid}/teams",
            "/office/sessions/{rsid}/teams",
            OFFICE,
            vec![("name", "")],
        ),
        // 第一评审组 has applications: refused.
        e(
            "POST",
            "/office/teams/{tid}/remove",
            "/office/teams/{tid}/remove",
            OFFICE,
            vec![],
        ),
        // Nothing left to publish.
        e(
            "POST",
            "/office/sessions/{sid}/teams/publish",
            "/office/sessions/{rsid}/teams/publish",
            OFFICE,
            vec![],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/assignment",
            "/office/sessions/{rsid}/assignment",
            OFFICE,
            vec![("seed", "bad")],
        ),
        // The demo's accepted run again: every application has begun, nothing moves.
        e(
            "POST",
            "/office/assignment-runs/{run}/accept",
            "/office/assignment-runs/{run}/accept",
            OFFICE,
            vec![],
        ),
        e(
            "POST",
            "/office/review/applications/{aid}/team",
            "/office/review/applications/{raid}/team",
            OFFICE,
            vec![("team", "")],
        ),
        // No applicant chosen.
        e(
            "POST",
            "/office/sessions/{sid}/onsite",
            "/office/sessions/{rsid}/onsite",
            OFFICE,
            vec![],
        ),
        e("GET", "/review", "/review", REVIEWERS, vec![]),
        e(
            "GET",
            "/review/sessions/{sid}/declaration",
            "/review/sessions/{rsid}/declaration",
            ON_A_TEAM,
            vec![],
        ),
        // Without ticking "agree".
        e(
            "POST",
            "/review/sessions/{sid}/declaration",
            "/review/sessions/{rsid}/declaration",
            ON_A_TEAM,
            vec![("next", "/review")],
        ),
        e(
            "GET",
            "/review/applications/{aid}",
            "/review/applications/{raid}",
            TEAM1,
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/score",
            "/review/applications/{raid}/score",
            TEAM1,
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/consensus",
            "/review/applications/{raid}/consensus",
            TEAM1,
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/report",
            "/review/applications/{raid}/report",
            REPORT,
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/report.pdf",
            "/review/applications/{raid}/report.pdf",
            REPORT,
            vec![],
        ),
        // A conflict declared without a reason.
        e(
            "POST",
            "/review/applications/{aid}/conflict",
            "/review/applications/{raid}/conflict",
            TEAM1,
            vec![("reason", "")],
        ),
        // A submitted book changed without a reason: 422.
        e(
            "POST",
            "/review/applications/{aid}/score",
            "/review/applications/{raid}/score",
            TEAM1,
            vec![("percent.4.1.2", "100")],
        ),
        e(
            "POST",
            "/review/applications/{aid}/score/autosave",
            "/review/applications/{raid}/score/autosave",
            TEAM1,
            vec![("percent.4.1.2", "100")],
        ),
        // Already submitted: nothing to do.
        e(
            "POST",
            "/review/applications/{aid}/score/submit",
            "/review/applications/{raid}/score/submit",
            TEAM1,
            vec![],
        ),
        // A submitted consensus changed without a reason: 422. Only the leader.
        e(
            "POST",
            "/review/applications/{aid}/consensus",
            "/review/applications/{raid}/consensus",
            &["reviewer-lead"],
            vec![("percent.4.1.2", "100")],
        ),
        // 刘工's employer: nobody among the reviewer roles may open it (Art. 25).
        e(
            "GET",
            "/review/applications/{aid}",
            "/review/applications/{rconf}",
            &[],
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/score",
            "/review/applications/{rconf}/score",
            &[],
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/consensus",
            "/review/applications/{rconf}/consensus",
            &[],
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/report",
            "/review/applications/{rconf}/report",
            REPORT_CONF,
            vec![],
        ),
        e(
            "GET",
            "/review/applications/{aid}/report.pdf",
            "/review/applications/{rconf}/report.pdf",
            REPORT_CONF,
            vec![],
        ),
        e(
            "POST",
            "/review/applications/{aid}/conflict",
            "/review/applications/{rconf}/conflict",
            &[],
            vec![("reason", "")],
        ),
        e(
            "POST",
            "/review/applications/{aid}/score",
            "/review/applications/{rconf}/score",
            &[],
            vec![("percent.4.1.2", "100")],
        ),
        e(
            "POST",
            "/review/applications/{aid}/score/autosave",
            "/review/applications/{rconf}/score/autosave",
            &[],
            vec![("percent.4.1.2", "100")],
        ),
        e(
            "POST",
            "/review/applications/{aid}/score/submit",
            "/review/applications/{rconf}/score/submit",
            &[],
            vec![],
        ),
        e(
            "POST",
            "/review/applications/{aid}/consensus",
            "/review/applications/{rconf}/consensus",
            &[],
            vec![("percent.4.1.2", "100")],
        ),
        e(
            "GET",
            "/attachments/{att}",
            "/attachments/{ratt}",
            FILES_CONF,
            vec![],
        ),
        e(
            "GET",
            "/applications/{aid}",
            "/applications/{rconf}",
            FILES_CONF,
            vec![],
        ),
        // The proposal, meeting, notice and objections of the review demo's session (still in
        // material review: every change is refused by stage, which is not a 403).
        e(
            "GET",
            "/sessions/{id}/notice",
            "/sessions/{rsid}/notice",
            ALL,
            vec![],
        ),
        e(
            "GET",
            "/sessions/{id}/objections/new",
            "/sessions/{rsid}/objections/new",
            ALL,
            vec![],
        ),
        e(
            "POST",
            "/sessions/{id}/objections/new",
            "/sessions/{rsid}/objections/new",
            ALL,
            vec![(MULTIPART, ""), ("name", "")],
        ),
        e("GET", "/objections/track", "/objections/track", ALL, vec![]),
        e(
            "POST",
            "/objections/track",
            "/objections/track",
            ALL,
            vec![("ack", "YY-2026-0001"), ("code", "x")],
        ),
        e(
            "GET",
            "/office/sessions/{sid}/decision",
            "/office/sessions/{rsid}/decision",
            OFFICE_READ,
            vec![],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/proposal",
            "/office/sessions/{rsid}/proposal",
            OFFICE,
            vec![("empty_reason", "")],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/proposal/submit",
            "/office/sessions/{rsid}/proposal/submit",
            OFFICE,
            vec![],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/meeting",
            "/office/sessions/{rsid}/meeting",
            OFFICE,
            vec![("held_on", "")],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/meeting/votes",
            "/office/sessions/{rsid}/meeting/votes",
            OFFICE,
            vec![],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/meeting/confirm",
            "/office/sessions/{rsid}/meeting/confirm",
            OFFICE,
            vec![],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/notice",
            "/office/sessions/{rsid}/notice",
            OFFICE,
            vec![("starts_on", "")],
        ),
        e(
            "POST",
            "/office/sessions/{sid}/notice/close",
            "/office/sessions/{rsid}/notice/close",
            OFFICE,
            vec![],
        ),
        e(
            "GET",
            "/office/sessions/{sid}/objections",
            "/office/sessions/{rsid}/objections",
            OFFICE_READ,
            vec![],
        ),
        // No objection exists in the demo: an unknown case is refused to everyone alike, so a
        // 403 never tells whether it exists (the office's own access is tested in decision.rs).
        e(
            "GET",
            "/office/objections/{oid}",
            "/office/objections/999999999",
            &[],
            vec![],
        ),
        e(
            "POST",
            "/office/objections/{oid}",
            "/office/objections/999999999",
            &[],
            vec![("step", "close")],
        ),
        e(
            "GET",
            "/office/objections/{oid}/files/{fid}",
            "/office/objections/999999999/files/1",
            &[],
            vec![],
        ),
    ]
}

/// The main programme: (method, route, allowed, harmless form), the route as requested.
fn main_programme() -> Vec<Expectation> {
    vec![
        ("GET", "/", ALL, vec![]),
        ("GET", "/healthz", ALL, vec![]),
        // From this machine (the matrix's clients are local); see ops.rs for other addresses.
        ("GET", "/metrics", ALL, vec![]),
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
        (
            "POST",
            "/admin/security/locks",
            &["secadmin"],
            vec![("name", "nobody")],
        ),
        ("GET", "/admin/audit", &["auditadmin"], vec![]),
        // Last: it ends the session.
        ("POST", "/logout", ALL, vec![]),
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
        ("GET", "/office/sessions/{sid}/award", OFFICE_READ, vec![]),
        (
            "POST",
            "/office/sessions/{sid}/approval",
            OFFICE,
            vec![("document_number", "")],
        ),
        (
            "POST",
            "/office/sessions/{sid}/commendation",
            OFFICE,
            vec![("commendation_number", "")],
        ),
        (
            "GET",
            "/office/sessions/{sid}/commendation.pdf",
            OFFICE_READ,
            vec![],
        ),
        (
            "POST",
            "/office/sessions/{sid}/certificates",
            OFFICE,
            vec![],
        ),
        (
            "GET",
            "/applications/{aid}/certificate.pdf",
            &["applicant13", "office", "leader", "discipline"],
            vec![],
        ),
        (
            "POST",
            "/office/applications/{aid}/plaque",
            OFFICE,
            vec![("plaque_received_by", "")],
        ),
        (
            "GET",
            "/office/sessions/{sid}/payments",
            OFFICE_READ,
            vec![],
        ),
        (
            "GET",
            "/office/sessions/{sid}/payments.xlsx",
            OFFICE_READ,
            vec![],
        ),
        (
            "POST",
            "/office/applications/{aid}/payment",
            OFFICE,
            vec![("voucher_no", "")],
        ),
        (
            "POST",
            "/office/sessions/{sid}/budget",
            OFFICE,
            vec![("purpose", "")],
        ),
        (
            "GET",
            "/office/sessions/{sid}/announcements",
            OFFICE_READ,
            vec![],
        ),
        (
            "POST",
            "/office/sessions/{sid}/announcements",
            OFFICE,
            vec![("title", "")],
        ),
        (
            "POST",
            "/office/sessions/{sid}/announcements/publish",
            OFFICE,
            vec![("id", "")],
        ),
        ("GET", "/verify", ALL, vec![]),
        ("GET", "/verify/{serial}", ALL, vec![]),
        (
            "GET",
            "/office/programmes/{pid}/revocations",
            OFFICE_READ,
            vec![],
        ),
        (
            "POST",
            "/office/programmes/{pid}/revocations",
            OFFICE,
            vec![(MULTIPART, ""), ("facts", "")],
        ),
        ("GET", "/revocations/{rvid}", OFFICE_READ, vec![]),
        (
            "POST",
            "/office/revocations/{rvid}/submit",
            OFFICE,
            vec![("submission_number", "")],
        ),
        (
            "POST",
            "/office/revocations/{rvid}/decision",
            OFFICE,
            vec![("outcome", "")],
        ),
        ("POST", "/office/revocations/{rvid}/publish", OFFICE, vec![]),
        (
            "POST",
            "/office/revocations/{rvid}/returns",
            OFFICE,
            vec![("item", "")],
        ),
    ]
}

/// The value of every placeholder, looked up once.
async fn placeholders(app: &TestApp) -> Vec<(&'static str, String)> {
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
    let r = &app.demo.review;
    let team1 = r.teams.iter().find(|(n, _)| n == "第一评审组").unwrap().1;
    let raid = app
        .store
        .team_applications(team1)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .find(|a| *a != r.pending)
        .unwrap();
    let rconf = r.applications[0].1;
    let run = app
        .store
        .latest_run(r.session_id)
        .await
        .unwrap()
        .unwrap()
        .id;
    let ratt = app.store.attachments(rconf).await.unwrap()[0].id;
    let w24 = app.store.winners(app.demo.s2024.session_id).await.unwrap()[0].clone();
    let report = app
        .store
        .report_slots(&w24, jiff::civil::date(2026, 11, 25))
        .await
        .unwrap()[0]
        .report
        .as_ref()
        .unwrap()
        .id;
    let file = app.store.annual_report_files(report).await.unwrap()[0].id;
    let tcid = app
        .store
        .title_cases(app.demo.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.ack_no.is_none())
        .unwrap()
        .id;
    vec![
        ("{nid}", applicant13_notice(app).await.to_string()),
        ("{id}", app.demo.session_2026.to_string()),
        ("{sid}", app.demo.session_2026.to_string()),
        ("{eid}", pool_expert(app).await.0.to_string()),
        ("{row}", pool_expert(app).await.1.to_string()),
        ("{pid}", app.demo.programme_id.to_string()),
        ("{cid}", qingcheng.to_string()),
        ("{did}", eco.to_string()),
        ("{oid}", app.demo.organisations[0].to_string()),
        ("{uid}", leader.to_string()),
        ("{lang}", "zh".into()),
        ("{aid}", forwarded_app(app).to_string()),
        ("{key}", "identity".into()),
        ("{att}", first_attachment(app).await.to_string()),
        ("{closed}", app.demo.session_2024.to_string()),
        ("{rid}", ecology_request(app).to_string()),
        ("{rsid}", r.session_id.to_string()),
        ("{raid}", raid.to_string()),
        ("{rconf}", rconf.to_string()),
        ("{tid}", team1.to_string()),
        ("{run}", run.to_string()),
        ("{ratt}", ratt.to_string()),
        ("{practice}", "1".into()),
        ("{serial}", "QYZLJ-2026-001".into()),
        (
            "{rvid}",
            app.store
                .revocation_cases(app.demo.programme_id)
                .await
                .unwrap()[0]
                .id
                .to_string(),
        ),
        (
            "{rvfile}",
            app.store
                .revocation_case_files(
                    app.store
                        .revocation_cases(app.demo.programme_id)
                        .await
                        .unwrap()[0]
                        .id,
                )
                .await
                .unwrap()[0]
                .id
                .to_string(),
        ),
        ("{crating}", app.demo.conduct.ratings[0].to_string()),
        ("{complaint}", app.demo.conduct.complaint.to_string()),
        (
            "{cfile}",
            app.store
                .complaint_files(app.demo.conduct.complaint)
                .await
                .unwrap()[0]
                .id
                .to_string(),
        ),
        ("{w24}", w24.application_id.to_string()),
        ("{report}", report.to_string()),
        ("{file}", file.to_string()),
        ("{tcid}", tcid.to_string()),
        (
            "{rcid}",
            recusal_placeholder(app, &[raid, rconf]).await.to_string(),
        ),
        ("{jid}", report_job_placeholder(app).await.to_string()),
    ]
}

/// Recusal (Art. 25) on the review demo: the office's readers see a recusal and the
/// substitutes offered; only the office names one (an empty choice is a form error, 422).
fn recusal_rows() -> Vec<Exp> {
    vec![
        Exp {
            method: "GET",
            route: "/office/recusals/{rid}",
            path: "/office/recusals/{rcid}",
            allowed: OFFICE_READ,
            form: vec![],
        },
        Exp {
            method: "POST",
            route: "/office/recusals/{rid}/substitute",
            path: "/office/recusals/{rcid}/substitute",
            allowed: OFFICE,
            form: vec![("substitute", "")],
        },
    ]
}

/// The session's report job (Art. 15): office only. {sid} (the 2026 session, still taking
/// applications) has no agreed report, so the office's start is refused with a reason (422);
/// {jid} is a job recorded on the review demo's session.
fn report_job_rows() -> Vec<Exp> {
    let e = |method, route, form| Exp {
        method,
        route,
        path: route,
        allowed: OFFICE,
        form,
    };
    vec![
        e("GET", "/office/sessions/{sid}/report-jobs", vec![]),
        e("POST", "/office/sessions/{sid}/report-jobs", vec![]),
        e("GET", "/office/report-jobs/{jid}", vec![]),
        e("GET", "/office/report-jobs/{jid}/progress", vec![]),
        e("GET", "/office/report-jobs/{jid}/reports.zip", vec![]),
    ]
}

/// A report job recorded on the review demo's session (or, failing agreed reports there, the
/// completed 2024 session).
async fn report_job_placeholder(app: &TestApp) -> i64 {
    let who = qaward_store::Who::system();
    match app
        .store
        .start_report_job(&who, app.demo.review.session_id, app.now_ts())
        .await
    {
        Ok((jid, _)) => jid,
        Err(_) => {
            app.store
                .start_report_job(&who, app.demo.s2024.session_id, app.now_ts())
                .await
                .unwrap()
                .0
        }
    }
}

/// A recusal on the review demo: a member of the second team leaves one of its applications
/// (neither of the applications the other rows use).
async fn recusal_placeholder(app: &TestApp, avoid: &[i64]) -> i64 {
    let r = &app.demo.review;
    let team2 = r.teams.iter().find(|(n, _)| n == "第二评审组").unwrap().1;
    let aid = app
        .store
        .team_applications(team2)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .find(|a| !avoid.contains(a))
        .unwrap();
    let day = jiff::civil::date(2026, 11, 25);
    let team = app.store.team_of(aid, day).await.unwrap().unwrap();
    let m = team.members.iter().find(|m| !m.leader).unwrap();
    let e = app.store.expert(m.expert_id).await.unwrap();
    let who = qaward_store::Who::user(e.user_id.unwrap_or(0), &e.name, "reviewer");
    app.store
        .declare_conflict(&who, e.id, aid, "近亲属在该单位任职（测试）", app.now_ts())
        .await
        .unwrap();
    app.store.recusals(r.session_id).await.unwrap()[0].id
}

fn fill(ph: &[(&str, String)], pattern: &str) -> String {
    ph.iter()
        .fold(pattern.to_owned(), |s, (k, v)| s.replace(k, v))
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
    let ph = placeholders(&app).await;
    let listed: Vec<(&str, &str)> = exp.iter().map(|e| (e.method, e.route)).collect();
    let routes = route_list();
    for r in &routes {
        assert!(
            listed.contains(r),
            "route {r:?} has no expectation in the matrix"
        );
    }
    for e in &exp {
        assert!(
            routes.contains(&(e.method, e.route)),
            "the matrix expects a route the router does not have: {} {}",
            e.method,
            e.route
        );
    }
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for role in ROLES {
        let u = client(&app, role).await;
        for e in &exp {
            let path = fill(&ph, e.path);
            let filled: Vec<(&str, String)> =
                e.form.iter().map(|(k, v)| (*k, fill(&ph, v))).collect();
            let fields: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = if e.method == "GET" {
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
            let allow = e.allowed.contains(&role);
            let ok = if allow {
                page.status != 403 && page.status < 500
            } else {
                page.status == 403
                    && (page.body.contains("无权访问") || page.body.contains("请先登录"))
            };
            if !ok {
                failures.push(format!(
                    "{role} {} {path}: got {} (expected {})",
                    e.method,
                    page.status,
                    if allow { "allowed" } else { "403" }
                ));
            }
            table
                .entry(format!("{} {}", e.method, e.path))
                .or_default()
                .push(format!("{}", page.status));
        }
    }
    eprintln!("route × role ({})", ROLES.join(" "));
    for (k, v) in &table {
        eprintln!("{k:<52} {}", v.join(" "));
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
    let ph = placeholders(&app).await;
    for e in expectations() {
        if e.method != "POST" {
            continue;
        }
        let role = e
            .allowed
            .iter()
            .find(|r| **r != "anonymous")
            .copied()
            .unwrap_or("office");
        let u = client(&app, role).await;
        let fields: Vec<(String, String)> = e
            .form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), fill(&ph, v)))
            .collect();
        let p = u.post_raw(&fill(&ph, e.path), &fields).await;
        assert_eq!(p.status, 403, "{role} POST {} without a token", e.path);
    }
}
