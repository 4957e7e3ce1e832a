//! Written opinions of departments during eligibility review (征求意见, Art. 14): the office
//! asks, each department answers only its own requests, late ones are flagged and chased, and
//! the answers appear on the application's review page.

use crate::helpers::{TestApp, User, spawn_app};
use qaward::demo::DEMO_PASSWORD;
use qaward_core::authz::{Grant, Role};
use qaward_store::Who;
use qaward_store::accounts::{NewUser, hash_password};

fn app_id(app: &TestApp, name: &str) -> i64 {
    app.demo
        .applications
        .iter()
        .find(|(n, ..)| n == name)
        .map(|(_, id, _)| *id)
        .unwrap_or_else(|| panic!("demo applicant {name}"))
}

fn demo_request(app: &TestApp, code: &str) -> i64 {
    app.demo
        .opinion_requests
        .iter()
        .find(|(d, _)| d == code)
        .map(|(_, id)| *id)
        .unwrap()
}

async fn department(app: &TestApp, code: &str) -> i64 {
    app.store
        .departments(app.demo.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.code == code)
        .unwrap()
        .id
}

/// A sign-in for 市应急管理局, which the demo does not have.
async fn emergency_user(app: &TestApp) -> User {
    let did = department(app, "emergency").await;
    let hash = hash_password(DEMO_PASSWORD).unwrap();
    let mut tx = app.store.write(app.now_ts()).await.unwrap();
    qaward_store::Store::insert_user(
        &mut tx,
        &Who::system(),
        &NewUser {
            username: "dept-emergency".into(),
            display_name: "市应急管理局（测试）".into(),
            email: None,
            password: String::new(),
            grants: vec![Grant {
                role: Role::Department,
                programme_id: Some(app.demo.programme_id),
                county_id: None,
                department_id: Some(did),
                organisation_id: None,
            }],
        },
        &hash,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.signed_in("dept-emergency").await
}

/// The office sends a request to 市生态环境局 on one applicant; returns the request id.
async fn office_asks_ecology(app: &TestApp, office: &User, aid: i64, due: &str) -> i64 {
    let sid = app.demo.session_2026;
    let eco = department(app, "ecology").await.to_string();
    let p = office
        .post(
            &format!("/office/sessions/{sid}/opinions"),
            &[
                ("department_id", &eco),
                ("application_id", &aid.to_string()),
                ("subject", "关于征求申报单位环境守法情况意见的函（测试）"),
                ("period", "2023-01-01 至 2025-12-31"),
                ("due_on", due),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(p.location.unwrap().ends_with("created=1"));
    app.store
        .session_opinion_requests(sid, app.now_ts())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .max()
        .unwrap()
}

#[tokio::test]
async fn the_office_asks_and_the_department_answers_on_the_review_page() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let sid = app.demo.session_2026;
    let page = office.get(&format!("/office/sessions/{sid}")).await;
    assert!(
        page.body
            .contains(&format!("/office/sessions/{sid}/opinions"))
    );
    let form = office
        .get(&format!("/office/sessions/{sid}/opinions"))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("市生态环境局"));
    assert!(
        form.body.contains("value=\"2026-12-05\""),
        "due date defaults to 10 days later"
    );
    assert!(
        !form.body.contains("清远市演示电子科技有限公司"),
        "drafts are not offered"
    );

    let aid = app_id(&app, "清新区演示医药有限公司");
    let rid = office_asks_ecology(&app, &office, aid, "2026-12-05").await;

    let eco = app.signed_in("dept-ecology").await;
    let did = department(&app, "ecology").await;
    let list = eco.get(&format!("/department/{did}")).await;
    assert_eq!(list.status, 200);
    assert!(
        list.body
            .contains("关于征求申报单位环境守法情况意见的函（测试）")
    );
    assert!(list.body.contains(&format!("/department/requests/{rid}")));
    let req = eco.get(&format!("/department/requests/{rid}")).await;
    assert_eq!(req.status, 200);
    assert!(req.body.contains("清新区演示医药有限公司"));

    let answer = format!("answer.{aid}");
    let facts = format!("facts.{aid}");
    let doc = format!("document_no.{aid}");
    let p = eco
        .post(
            &format!("/department/requests/{rid}"),
            &[
                (&answer, "objection"),
                (&facts, ""),
                (&doc, "清环函〔2026〕测试2号"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("“有关事实”"), "the message names the field");
    assert!(p.body.contains(&format!("href=\"#{facts}\"")));
    assert!(
        p.body.contains("value=\"清环函〔2026〕测试2号\""),
        "what was typed stays"
    );
    assert!(p.body.contains("value=\"objection\" checked"));

    let p = eco
        .post(
            &format!("/department/requests/{rid}"),
            &[
                (&answer, "objection"),
                (&facts, "2025年3月因废水超标排放受到行政处罚（测试）"),
                (&doc, "清环函〔2026〕测试2号"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let again = eco
        .post(
            &format!("/department/requests/{rid}"),
            &[(&answer, "no_objection"), (&doc, "改")],
        )
        .await;
    assert_ne!(again.status, 500);
    let on_file = app.store.opinion_request(rid, app.now_ts()).await.unwrap();
    assert_eq!(
        on_file.items[0].answer,
        Some(qaward_core::eligibility::opinion::Answer::Objection),
        "an answer on file is not changed"
    );
    assert_eq!(on_file.items[0].document_no, "清环函〔2026〕测试2号");

    let review = office.get(&format!("/office/applications/{aid}")).await;
    assert_eq!(review.status, 200);
    for text in [
        "市生态环境局",
        "有异议",
        "2025年3月因废水超标排放受到行政处罚（测试）",
        "清环函〔2026〕测试2号",
    ] {
        assert!(review.body.contains(text), "review page shows {text}");
    }
    let demo = office
        .get(&format!(
            "/office/applications/{}",
            app_id(&app, "清远市演示新能源有限公司")
        ))
        .await;
    assert!(demo.body.contains("清环函〔2026〕演示1号"));
    assert!(demo.body.contains("无异议"));

    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("opinion.answer".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.summary.contains("有异议") && e.article == Some(14))
    );
}

#[tokio::test]
async fn another_department_is_refused_by_any_url() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let aid = app_id(&app, "清新区演示医药有限公司");
    let rid = office_asks_ecology(&app, &office, aid, "2026-12-05").await;
    let emergency = emergency_user(&app).await;
    let own = demo_request(&app, "emergency");
    assert_eq!(
        emergency
            .get(&format!("/department/requests/{own}"))
            .await
            .status,
        200
    );
    for path in [
        format!("/department/requests/{rid}"),
        format!("/department/requests/{rid}?x=1"),
        format!("/department/requests/{}", demo_request(&app, "ecology")),
        "/department/requests/999999".into(),
        "/department/requests/-1".into(),
        format!("/department/{}", department(&app, "ecology").await),
    ] {
        let p = emergency.get(&path).await;
        assert_eq!(p.status, 403, "{path}");
        assert!(
            !p.body.contains("环境守法"),
            "{path} leaks another department's request"
        );
    }
    let answer = format!("answer.{aid}");
    let doc = format!("document_no.{aid}");
    let p = emergency
        .post(
            &format!("/department/requests/{rid}"),
            &[(&answer, "no_objection"), (&doc, "清应急函〔2026〕1号")],
        )
        .await;
    assert_eq!(p.status, 403);
    let r = app.store.opinion_request(rid, app.now_ts()).await.unwrap();
    assert!(r.items.iter().all(|i| i.answer.is_none()));
    let eco = app.signed_in("dept-ecology").await;
    assert_eq!(
        eco.get(&format!("/department/requests/{own}")).await.status,
        403
    );
    assert_eq!(
        office
            .get(&format!("/department/requests/{rid}"))
            .await
            .status,
        403,
        "the office reads answers on its own pages"
    );
}

#[tokio::test]
async fn an_overdue_request_is_flagged_and_a_reminder_is_recorded() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let sid = app.demo.session_2026;
    let overdue = demo_request(&app, "emergency");
    let page = office
        .get(&format!("/office/sessions/{sid}/opinions"))
        .await;
    let row = page
        .body
        .split(&format!("id=\"request-{overdue}\""))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap()
        .to_owned();
    assert!(
        page.body
            .contains(&format!("id=\"request-{overdue}\" class=\"overdue\""))
    );
    assert!(row.contains("已逾期"));
    assert!(row.contains(&format!("/office/opinions/{overdue}/remind")));

    let p = office
        .post(&format!("/office/opinions/{overdue}/remind"), &[])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("opinion.remind".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].article, Some(14));
    assert_eq!(log[0].subject_id, overdue.to_string());
    assert!(log[0].summary.contains("市应急管理局"));
    let r = app
        .store
        .opinion_request(overdue, app.now_ts())
        .await
        .unwrap();
    assert!(r.reminded_at.is_some());
    assert!(r.overdue);

    let dept = emergency_user(&app).await;
    let did = department(&app, "emergency").await;
    let list = dept.get(&format!("/department/{did}")).await;
    assert!(list.body.contains("已逾期"));
    let dashboard = dept.get("/dashboard").await;
    // The department's home lists the request as its to-do, marked overdue.
    assert!(
        dashboard.body.contains("份征求意见函待答复"),
        "{}",
        dashboard.body
    );
    assert!(dashboard.body.contains("todo-line overdue"));
    assert!(dashboard.body.contains("已逾期"));

    let later = office_asks_ecology(
        &app,
        &office,
        app_id(&app, "清新区演示医药有限公司"),
        "2026-12-20",
    )
    .await;
    let p = office
        .post(&format!("/office/opinions/{later}/remind"), &[])
        .await;
    assert_eq!(p.status, 409, "not yet due: nothing to chase");
    assert!(p.body.contains("第十四条"));
}

#[tokio::test]
async fn a_request_on_an_application_not_forwarded_is_refused() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let sid = app.demo.session_2026;
    let eco = department(&app, "ecology").await.to_string();
    let before = app
        .store
        .session_opinion_requests(sid, app.now_ts())
        .await
        .unwrap()
        .len();
    for name in [
        "清远市演示电子科技有限公司",
        "英德市演示红茶有限公司",
        "连山演示生态旅游有限公司",
    ] {
        let aid = app_id(&app, name).to_string();
        let p = office
            .post(
                &format!("/office/sessions/{sid}/opinions"),
                &[
                    ("department_id", &eco),
                    ("application_id", &aid),
                    ("subject", "关于征求意见的函（测试）"),
                    ("period", "2023-01-01 至 2025-12-31"),
                    ("due_on", "2026-12-05"),
                ],
            )
            .await;
        assert_eq!(p.status, 409, "{name}: {}", p.body);
        assert!(p.body.contains("已推荐并报送"), "{name}");
        assert!(p.body.contains("第十四条"), "{name}");
    }
    let p = office
        .post(
            &format!("/office/sessions/{sid}/opinions"),
            &[
                ("subject", "关于征求意见的函（测试）"),
                ("period", "2023-01-01 至 2025-12-31"),
                ("due_on", "2026-12-05"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("“征求意见部门”"));
    assert!(
        p.body.contains("关于征求意见的函（测试）"),
        "what was typed stays"
    );
    let after = app
        .store
        .session_opinion_requests(sid, app.now_ts())
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_department_is_notified_of_requests_and_reminders() {
    let app = crate::helpers::spawn_app().await;
    let dept = app.signed_in("dept-ecology").await;
    let page = dept.get("/notifications").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("市强市办征求意见"), "{}", page.body);
    // A reminder reaches the department too (the demo request to 市生态环境局 is due soon).
    let rid = app
        .demo
        .opinion_requests
        .iter()
        .find(|(d, _)| d == "ecology")
        .map(|(_, id)| *id)
        .unwrap();
    let office = app.signed_in("office").await;
    let p = office
        .post(&format!("/office/opinions/{rid}/remind"), &[])
        .await;
    assert!(p.status == 303 || p.status == 200, "{}", p.body);
    assert!(dept.get("/notifications").await.body.contains("催办"));
}
