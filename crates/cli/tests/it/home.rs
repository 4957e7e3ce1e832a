//! Each role's home page lists its own work with counts, deadlines and direct links; no page
//! of any role shows an internal code as text; forms say what is missing; a GET on a form's
//! address leads to its page.

use crate::helpers::{TestApp, User, spawn_app};
use std::collections::{BTreeSet, VecDeque};

/// The text a person reads on a page: the body without tags, scripts and styles.
fn text_of(html: &str) -> String {
    let no_script = regex::Regex::new(r"(?s)<(script|style)\b.*?</(script|style)>").unwrap();
    let tags = regex::Regex::new(r"(?s)<[^>]*>").unwrap();
    let s = no_script.replace_all(html, " ");
    tags.replace_all(&s, " ")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The internal codes standing alone in `text`.
fn codes_in(text: &str) -> Vec<&'static str> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '@';
    qaward_core::labels::code_like()
        .into_iter()
        .filter(|code| {
            text.match_indices(code).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + code.len()..].chars().next();
                !before.is_some_and(|c| word(c) || c == '.' || c == '/')
                    && !after.is_some_and(|c| word(c) || c == '/')
            })
        })
        .collect()
}

/// The links of a page to follow: pages of this site, no files, no sign-out, no language.
fn links(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r##"href="(/[^"#]*)"##).unwrap();
    re.captures_iter(html)
        .map(|c| c[1].replace("&amp;", "&"))
        .filter(|h| {
            let path = h.split('?').next().unwrap_or_default();
            !(path.ends_with(".pdf")
                || path.ends_with(".xlsx")
                || path.ends_with(".csv")
                || path.ends_with(".zip")
                || h.contains("/files/")
                || h.starts_with("/attachments/")
                || h.starts_with("/lang/")
                || h.starts_with("/static/")
                || h.contains("before="))
        })
        .collect()
}

/// Walk up to `max` pages reachable from `start` for `u`; every page seen: (path, status, html).
async fn walk(u: &User, start: &str, max: usize) -> Vec<(String, u16, String)> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([start.to_owned()]);
    let mut out = Vec::new();
    while let Some(p) = queue.pop_front() {
        if out.len() >= max {
            break;
        }
        if !seen.insert(p.clone()) {
            continue;
        }
        let page = u.get(&p).await;
        if page.status == 200 {
            for l in links(&page.body) {
                if !seen.contains(&l) {
                    queue.push_back(l);
                }
            }
        }
        out.push((p, page.status, page.body));
    }
    out
}

async fn home(app: &TestApp, who: &str) -> (User, String) {
    let u = app.signed_in(who).await;
    let p = u.get("/dashboard").await;
    assert_eq!(p.status, 200, "{who}'s home");
    (u, p.body)
}

/// The to-do line of `home` that contains `what`: its count and its links.
fn todo_line(home: &str, what: &str) -> (usize, Vec<String>) {
    let start = home
        .find(what)
        .unwrap_or_else(|| panic!("no to-do “{what}” on the home page:\n{}", text_of(home)));
    let li = home[..start]
        .rfind("<li class=\"todo-line")
        .expect("to-do line");
    let block = &home[li..];
    let block = &block[..block.find("\n    </li>").unwrap_or(block.len())];
    let count: usize = regex::Regex::new(r#"class="todo-count"[^>]*>(\d+)<"#)
        .unwrap()
        .captures(block)
        .and_then(|c| c[1].parse().ok())
        .expect("a count");
    (count, links(block))
}

#[tokio::test]
async fn every_role_finds_its_open_work_on_its_home_page_with_links_it_may_follow() {
    let app = spawn_app().await;
    // The city office: the applications the counties forwarded, by name, with the deadline.
    let (office, h) = home(&app, "office").await;
    let (n, links) = todo_line(&h, "份申报已由县级报送，待资格审查");
    assert_eq!(
        n, 3,
        "three forwarded applications wait for the eligibility decision"
    );
    assert!(
        text_of(&h).contains("截止 2027年2月20日"),
        "{}",
        text_of(&h)
    );
    assert!(links.iter().any(|l| l.starts_with("/office/applications/")));
    assert!(
        h.contains("清远市政府质量奖（评审阶段演示）"),
        "cards name the programme"
    );
    assert!(
        text_of(&h).contains("申报 14 份"),
        "cards count the applications"
    );
    for l in &links {
        assert_eq!(office.get(l).await.status, 200, "office follows {l}");
    }
    // A county office: the applications submitted in its county, each one link away.
    let (county, h) = home(&app, "county-yingde").await;
    let (n, links) = todo_line(&h, "份申报待县级核实推荐");
    assert_eq!(n, 1);
    assert!(text_of(&h).contains("英德市演示红茶有限公司"));
    for l in &links {
        assert_eq!(county.get(l).await.status, 200, "county follows {l}");
    }
    // A department: its request still to answer, the overdue one marked.
    let (dept, h) = home(&app, "dept-ecology").await;
    let (n, links) = todo_line(&h, "份征求意见函待答复");
    assert_eq!(n, 1);
    for l in &links {
        assert_eq!(dept.get(l).await.status, 200, "department follows {l}");
    }
    // A reviewer: the material scorebook not yet submitted, linked to the scorebook itself.
    let (rev, h) = home(&app, "reviewer").await;
    let (n, links) = todo_line(&h, "份资料评分未提交");
    assert!(n >= 1);
    assert!(links.iter().any(|l| l.ends_with("/score")), "{links:?}");
    for l in &links {
        assert_eq!(rev.get(l).await.status, 200, "reviewer follows {l}");
    }
    assert!(!h.contains("暂无分配给您的评审任务"));
    // An organisation with no application yet: start one from home.
    let (_, h) = home(&app, "applicant").await;
    assert!(h.contains("个届次正在受理申报：开始申报"));
    assert!(h.contains(r#"<button type="submit" class="button">开始申报</button>"#));
    // A returned application: the correction to make, linked to the application.
    let (appl, h) = home(&app, "applicant09").await;
    let (n, links) = todo_line(&h, "份申报被退回修改");
    assert_eq!(n, 1);
    assert_eq!(appl.get(&links[0]).await.status, 200);
    assert!(
        text_of(&h).contains("退回修改"),
        "the card shows the status too"
    );
}

#[tokio::test]
async fn no_page_of_any_role_shows_an_internal_code() {
    let app = spawn_app().await;
    let mut shown = Vec::new();
    let mut pages = 0;
    let users = [
        "office",
        "leader",
        "discipline",
        "county-qingcheng",
        "dept-ecology",
        "reviewer",
        "reviewer-lead",
        "applicant",
        "applicant09",
        "applicant10",
        "applicant16",
        "s24-applicant1",
        "rv-applicant1",
        "sysadmin",
        "auditadmin",
    ];
    for who in users {
        let u = app.signed_in(who).await;
        let starts: &[&str] = if who == "discipline" {
            &["/dashboard", "/discipline/audit?programme=1"]
        } else {
            &["/dashboard"]
        };
        for s in starts {
            for (path, status, html) in walk(&u, s, 45).await {
                pages += 1;
                if status != 200 {
                    continue;
                }
                let codes = codes_in(&text_of(&html));
                if !codes.is_empty() {
                    shown.push(format!("{who} {path}: {}", codes.join(" ")));
                }
            }
        }
    }
    let public = app.visitor();
    for (path, status, html) in walk(&public, "/", 40).await {
        pages += 1;
        if status == 200 {
            let codes = codes_in(&text_of(&html));
            if !codes.is_empty() {
                shown.push(format!("public {path}: {}", codes.join(" ")));
            }
        }
    }
    assert!(pages > 300, "walked only {pages} pages");
    assert!(
        shown.is_empty(),
        "pages showing codes:\n{}",
        shown.join("\n")
    );
}

#[tokio::test]
async fn every_audit_code_of_the_demo_has_words() {
    let app = spawn_app().await;
    let d = app.signed_in("discipline").await;
    let p = d.get("/discipline/audit?programme=1").await;
    assert_eq!(p.status, 200);
    let t = text_of(&p.body);
    assert!(t.contains("市强市办"), "roles in words");
    assert!(!t.contains("city_office"));
    for e in app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            limit: 100_000,
            ..Default::default()
        })
        .await
        .unwrap()
    {
        assert!(
            qaward_core::labels::action_known(&e.action),
            "action {} has no words",
            e.action
        );
        assert!(
            qaward_core::labels::actor_role(&e.role).is_some(),
            "role {} has no words",
            e.role
        );
        if let Some(s) = &e.new_state {
            assert!(
                qaward_core::labels::state(s).is_some(),
                "state {s} has no words"
            );
        }
    }
}

#[tokio::test]
async fn a_get_on_a_forms_address_goes_to_its_page() {
    let app = spawn_app().await;
    let county = app.signed_in("county-qingcheng").await;
    let cid = app
        .demo
        .counties
        .iter()
        .find(|(n, _)| n == "清城区")
        .unwrap()
        .1;
    let p = county.get(&format!("/county/{cid}/forward")).await;
    assert_eq!(p.status, 303);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/county/{cid}").as_str())
    );
    let office = app.signed_in("office").await;
    let sid = app.demo.session_2026;
    let p = office
        .get(&format!("/office/sessions/{sid}/meeting/votes"))
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/office/sessions/{sid}/decision").as_str())
    );
}

#[tokio::test]
async fn an_empty_registration_names_every_field_at_once() {
    let app = spawn_app().await;
    let v = app.visitor();
    let pid = app.demo.programme_id.to_string();
    let p = v.post("/register", &[("programme_id", pid.as_str())]).await;
    assert_eq!(p.status, 422);
    for field in [
        "credit_code",
        "name",
        "county_id",
        "registered_on",
        "address",
        "contact_name",
        "email",
        "username",
        "password",
    ] {
        assert!(
            p.body.contains(&format!(r##"<a href="#{field}">"##)),
            "the summary links {field}"
        );
    }
    assert!(p.body.contains("请填写统一社会信用代码"));
    assert!(!p.body.contains("您输入了0位"));
}

#[tokio::test]
async fn a_cleared_required_field_is_named_and_the_submit_page_links_every_missing_field() {
    let app = spawn_app().await;
    let u = app.signed_in("applicant05").await;
    let aid = app
        .demo
        .applications
        .iter()
        .find(|(_, _, s)| s == "draft")
        .unwrap()
        .1;
    let p = u
        .post(
            &format!("/applications/{aid}/s/identity"),
            &[("identity.legal_rep", ""), ("next", "stay")],
        )
        .await;
    assert_eq!(
        p.status, 422,
        "a missing required field is not a plain “saved”"
    );
    assert!(p.body.contains("请填写“"), "{}", text_of(&p.body));
    assert!(
        p.body.contains("已保存"),
        "what was typed is kept and saved"
    );
    let s = u.get(&format!("/applications/{aid}/submit")).await;
    assert_eq!(s.status, 200);
    assert!(
        s.body
            .contains(&format!("/applications/{aid}/s/identity?check=1#identity.")),
        "the submit page links the missing field itself: {}",
        text_of(&s.body)
    );
}

#[tokio::test]
async fn the_leadership_and_discipline_see_only_links_they_may_follow() {
    let app = spawn_app().await;
    for who in ["leader", "discipline"] {
        let u = app.signed_in(who).await;
        for sid in [app.demo.session_2024, app.demo.review.session_id] {
            let p = u.get(&format!("/office/sessions/{sid}")).await;
            assert_eq!(p.status, 200, "{who} reads session {sid}");
            let main = &p.body[p.body.find("<main").unwrap_or(0)..];
            for l in links(main) {
                let s = u.get(&l).await.status;
                assert!(
                    s != 403,
                    "{who} is offered {l} on session {sid} but gets 403"
                );
            }
        }
    }
}
