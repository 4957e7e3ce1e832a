//! The application stage as people use it: registration, the form, submission and its
//! receipt, the deadline, the county's recommendation, the city's eligibility review.

use crate::helpers::{TestApp, User, spawn_app};
use jiff::civil::date;
use qaward_core::application::{Context, SECTIONS, Values};
use qaward_core::clock::at_shanghai;

/// The form context of the 2026 session.
pub(crate) async fn context(app: &TestApp) -> Context {
    let d = app
        .store
        .session_detail(app.demo.session_2026)
        .await
        .unwrap();
    app.store.form_context(&d).await.unwrap()
}

/// Register an organisation in 清城区 and sign in as it; returns (user, org id).
pub(crate) async fn register(app: &TestApp, code: &str, username: &str) -> (User, i64) {
    let u = app.visitor();
    let qingcheng = app
        .demo
        .counties
        .iter()
        .find(|(n, _)| n == "清城区")
        .unwrap()
        .1
        .to_string();
    let p = u
        .post(
            "/register",
            &[
                ("programme_id", &app.demo.programme_id.to_string()),
                ("credit_code", code),
                ("name", "清远市测试演示制造有限公司"),
                ("county_id", &qingcheng),
                ("registered_on", "2015-06-01"),
                ("address", "清远市演示大道1号（虚构）"),
                ("contact_name", "测试联系人"),
                ("email", "tester@example.com"),
                ("username", username),
                ("password", "Register#2026x"),
                ("password2", "Register#2026x"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let org: i64 = p
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (u, org)
}

/// Upload the required evidence (a business licence and the audited accounts).
pub async fn evidence(u: &User, aid: i64) {
    for (kind, name) in [
        ("business_licence", "营业执照.pdf"),
        ("financial", "审计报告.pdf"),
    ] {
        let p = u
            .post_file(
                &format!("/applications/{aid}/evidence"),
                &[("kind", kind)],
                Some((name, qaward::demo::demo_pdf(kind))),
            )
            .await;
        assert_eq!(p.status, 303, "{kind}: {}", p.body);
    }
}

/// Fill every section with `values`, section by section, as the pages post them, and upload
/// the required evidence.
pub(crate) async fn fill(u: &User, aid: i64, values: &Values) {
    evidence(u, aid).await;
    for s in SECTIONS {
        let fields: Vec<(&str, &str)> = values
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{}.", s.key)))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let p = u
            .post(&format!("/applications/{aid}/s/{}", s.key), &fields)
            .await;
        assert_eq!(p.status, 200, "{}: {}", s.key, p.body);
    }
}

pub(crate) async fn start(app: &TestApp, u: &User, org: i64) -> i64 {
    let p = u
        .post(
            &format!("/org/{org}/applications"),
            &[("session_id", &app.demo.session_2026.to_string())],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    p.location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_wrong_credit_code_is_refused_naming_the_rule_and_keeps_the_form() {
    let app = spawn_app().await;
    let u = app.visitor();
    let p = u
        .post(
            "/register",
            &[
                ("programme_id", &app.demo.programme_id.to_string()),
                ("credit_code", "91441802MA4DQY00512"),
                ("name", "清远市测试演示制造有限公司"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("统一社会信用代码应为18位，您输入了19位"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("清远市测试演示制造有限公司"),
        "what was typed stays"
    );
    let p = u
        .post(
            "/register",
            &[
                ("programme_id", &app.demo.programme_id.to_string()),
                ("credit_code", "91441802MA4DQY00AA"),
                ("name", "x"),
            ],
        )
        .await;
    assert!(p.body.contains("校验位不正确"), "{}", p.body);
}

#[tokio::test]
async fn an_enterprise_registers_fills_in_submits_and_gets_a_receipt() {
    let app = spawn_app().await;
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ001").unwrap();
    let (u, org) = register(&app, code.as_str(), "tester01").await;
    let aid = start(&app, &u, org).await;
    // The registration date is carried into the form.
    assert!(
        u.get(&format!("/applications/{aid}/s/identity"))
            .await
            .body
            .contains("2015-06-01")
    );
    // A bad value is named beside its field and kept.
    let p = u
        .post(
            &format!("/applications/{aid}/s/identity"),
            &[
                ("identity.contact_email", "not-an-email"),
                ("identity.legal_rep", "张演示"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("“电子邮箱”格式不正确"));
    assert!(p.body.contains(r#"value="not-an-email""#));
    assert!(p.body.contains("张演示"));
    // Autosave keeps what is typed.
    let p = u
        .post(
            &format!("/applications/{aid}/s/overview/autosave"),
            &[("overview.text", "自动保存的概述（演示）")],
        )
        .await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("草稿已自动保存"));
    assert!(
        u.get(&format!("/applications/{aid}/s/overview"))
            .await
            .body
            .contains("自动保存的概述（演示）")
    );
    // Not complete yet: the submit page says what is missing.
    let p = u.post(&format!("/applications/{aid}/submit"), &[]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("以下各项尚未完成"));
    // Fill everything, then submit.
    let cx = context(&app).await;
    fill(&u, aid, &qaward::demo::sample_form(&cx, 3, "2015-06-01")).await;
    let list = u.get(&format!("/applications/{aid}")).await;
    assert!(
        !list.body.contains("task-in-progress"),
        "every section complete"
    );
    assert!(list.body.contains("第十条"));
    let p = u.post(&format!("/applications/{aid}/submit"), &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let r = u.get(&format!("/applications/{aid}/receipt")).await;
    assert!(r.body.contains(&format!("QA2026-{aid:06}")));
    let a = app.store.application(aid).await.unwrap();
    let hash = a.content_hash.clone().unwrap();
    let files: Vec<String> = app
        .store
        .attachments(aid)
        .await
        .unwrap()
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    assert_eq!(
        hash,
        qaward_store::application::content_hash(&a.values, &files)
    );
    assert!(r.body.contains(&hash));
    // The submission's audit entry carries every self-check line with its article.
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("application.submit".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        log[0].detail.contains("\"operating_years\""),
        "{}",
        log[0].detail
    );
    assert_eq!(log[0].article, Some(12));
    // The receipt as a PDF carries the number and the hash.
    let (status, pdf, _) = u
        .get_bytes(&format!("/applications/{aid}/receipt.pdf"))
        .await;
    assert_eq!(status, 200);
    let text: String = crate::helpers::pdftotext(&pdf).split_whitespace().collect();
    assert!(text.contains(&format!("QA2026-{aid:06}")), "{text}");
    assert!(text.contains("申报回执"));
    assert!(text.contains(&hash[..16]), "{text}");
    // Read-only now: a change is refused and nothing changes.
    let p = u
        .post(
            &format!("/applications/{aid}/s/overview"),
            &[("overview.text", "提交后改动")],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("不能再修改"));
    assert_eq!(app.store.application(aid).await.unwrap().values, a.values);
}

#[tokio::test]
async fn submitting_after_the_deadline_is_refused_citing_article_12() {
    let app = spawn_app().await;
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ002").unwrap();
    let (u, org) = register(&app, code.as_str(), "tester02").await;
    let aid = start(&app, &u, org).await;
    fill(
        &u,
        aid,
        &qaward::demo::sample_form(&context(&app).await, 4, "2015-06-01"),
    )
    .await;
    app.clock.set(at_shanghai(date(2027, 1, 1), 0, 5));
    let u = app.signed_in_with("tester02", "Register#2026x").await;
    let p = u.post(&format!("/applications/{aid}/submit"), &[]).await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("第十二条"), "{}", p.body);
    assert!(p.body.contains("2026年12月31日"));
    assert_eq!(
        app.store.application(aid).await.unwrap().status.code(),
        "draft"
    );
}

#[tokio::test]
async fn a_loss_without_a_policy_reason_fails_the_self_check_and_blocks_submission() {
    let app = spawn_app().await;
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ003").unwrap();
    let (u, org) = register(&app, code.as_str(), "tester03").await;
    let aid = start(&app, &u, org).await;
    let mut v = qaward::demo::sample_form(&context(&app).await, 5, "2015-06-01");
    v.insert("economics.2024.profit".into(), "-120.00".into());
    v.insert("economics.2024.loss".into(), "1".into());
    fill(&u, aid, &v).await;
    let p = u.get(&format!("/applications/{aid}/submit")).await;
    assert!(p.body.contains("outcome-fail"), "{}", p.body);
    assert!(p.body.contains("2024"));
    assert_eq!(
        u.post(&format!("/applications/{aid}/submit"), &[])
            .await
            .status,
        422
    );
    // With a policy reason the line passes.
    let p = u
        .post(
            &format!("/applications/{aid}/s/economics"),
            &[
                ("economics.2024.profit", "-120.00"),
                ("economics.2024.loss", "1"),
                (
                    "economics.2024.policy_loss_reason",
                    "执行国家疫情防控政策停产（演示）",
                ),
            ],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        u.post(&format!("/applications/{aid}/submit"), &[])
            .await
            .status,
        303
    );
}

/// The status words of an application's row on the county office's list.
fn county_row_status(body: &str, aid: i64) -> String {
    let row = body
        .split("<tr>")
        .find(|r| r.contains(&format!("href=\"/county/applications/{aid}\"")))
        .unwrap_or_else(|| panic!("no row for {aid}: {body}"));
    regex::Regex::new(r#"<span class="status status-[a-z_]+">([^<]*)</span>"#)
        .unwrap()
        .captures(row)
        .map(|c| c[1].to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_county_returns_the_applicant_corrects_and_the_city_decides() {
    let app = spawn_app().await;
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ004").unwrap();
    let (u, org) = register(&app, code.as_str(), "tester04").await;
    let aid = start(&app, &u, org).await;
    fill(
        &u,
        aid,
        &qaward::demo::sample_form(&context(&app).await, 6, "2015-06-01"),
    )
    .await;
    assert_eq!(
        u.post(&format!("/applications/{aid}/submit"), &[])
            .await
            .status,
        303
    );
    // Another county cannot see it; its own county can.
    let yingde = app.signed_in("county-yingde").await;
    assert_eq!(
        yingde
            .get(&format!("/county/applications/{aid}"))
            .await
            .status,
        403
    );
    assert_eq!(
        yingde.get(&format!("/applications/{aid}")).await.status,
        403
    );
    let county = app.signed_in("county-qingcheng").await;
    let cid = app
        .demo
        .counties
        .iter()
        .find(|(n, _)| n == "清城区")
        .unwrap()
        .1;
    assert!(
        county
            .get(&format!("/county/{cid}"))
            .await
            .body
            .contains("清远市测试演示制造有限公司")
    );
    // Returning needs reasons.
    let p = county
        .post(
            &format!("/county/applications/{aid}"),
            &[("decision", "returned")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("须写明理由"));
    let p = county
        .post(
            &format!("/county/applications/{aid}"),
            &[
                ("decision", "returned"),
                ("reasons", "请补充2025年抽查记录。"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = u.get(&format!("/applications/{aid}")).await;
    assert!(page.body.contains("请补充2025年抽查记录"));
    // The applicant corrects and resubmits.
    assert_eq!(
        u.post(
            &format!("/applications/{aid}/s/compliance"),
            &[("compliance.note", "已补充（演示）")]
        )
        .await
        .status,
        200
    );
    assert_eq!(
        u.post(&format!("/applications/{aid}/submit"), &[])
            .await
            .status,
        303
    );
    // Recommending needs the sealed letter, then every checklist item confirmed.
    let p = county
        .post(
            &format!("/county/applications/{aid}"),
            &[
                ("decision", "recommended"),
                ("check.conditions", "1"),
                ("check.truthful", "1"),
                ("check.departments", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("推荐须上传加盖公章的推荐函"));
    let p = county
        .post_file(
            &format!("/county/applications/{aid}/letter"),
            &[],
            Some(("推荐函.pdf", qaward::demo::demo_pdf("letter"))),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = county
        .post(
            &format!("/county/applications/{aid}"),
            &[("decision", "recommended"), ("check.conditions", "1")],
        )
        .await;
    assert_eq!(p.status, 422);
    let p = county
        .post(
            &format!("/county/applications/{aid}"),
            &[
                ("decision", "recommended"),
                ("check.conditions", "1"),
                ("check.truthful", "1"),
                ("check.departments", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    // The page the county lands on confirms what was done.
    let landed = p.location.clone().unwrap();
    assert!(landed.ends_with("?done=county"), "{landed}");
    let after = county.get(&landed).await;
    assert!(
        after.body.contains("县级推荐意见已记录。"),
        "{}",
        after.body
    );
    // The applicant hears from its county office by the office's name (Art. 12), not a
    // county-level name pasted onto a district's or city's office.
    let notes = u.get("/notifications").await;
    assert!(
        notes
            .body
            .contains("清城区质量强区办已核实贵单位的申报材料"),
        "{}",
        notes.body
    );
    assert!(
        notes
            .body
            .contains("清城区质量强区办将贵单位的申报材料退回修改")
    );
    assert!(!notes.body.contains("清城区质量强县办"));
    // A county-level city's office heads its home page as 质量强市办.
    let home = yingde.get("/dashboard").await;
    assert!(
        home.body.contains("<h2>英德市质量强市办</h2>"),
        "{}",
        home.body
    );
    assert!(!home.body.contains("英德市质量强县办"));
    // Recommended, not yet forwarded: the county's list says so.
    assert_eq!(county_row_status(&after.body, aid), "县级已推荐（待报送）");
    // A code that is not one of the confirmations puts nothing on the page.
    let typed = county
        .get(&format!("/county/{cid}?done=%E5%B7%B2%E6%89%B9%E5%87%86"))
        .await;
    assert!(!typed.body.contains(r#"id="done""#));
    // The city reviews only what was forwarded.
    let office = app.signed_in("office").await;
    assert!(
        office
            .get(&format!("/office/applications/{aid}"))
            .await
            .body
            .contains("只能审查县（市、区）已推荐并报送的申报")
    );
    assert_eq!(
        county
            .post(
                &format!("/county/{cid}/forward"),
                &[("session_id", &app.demo.session_2026.to_string())]
            )
            .await
            .status,
        303
    );
    // Forwarded, the county's list and the office's list say it went to the city office.
    let after = county.get(&format!("/county/{cid}")).await;
    assert_eq!(county_row_status(&after.body, aid), "已报送市强市办");
    let list = office
        .get(&format!(
            "/office/sessions/{}/applications?county=清城区",
            app.demo.session_2026
        ))
        .await;
    assert!(list.body.contains("清远市测试演示制造有限公司"));
    // A failed item needs a reason; with it the applicant is told why, with the article.
    let review = office.get(&format!("/office/applications/{aid}")).await;
    let mut form: Vec<(String, String)> =
        regex::Regex::new(r#"name="item\.([a-z_]+)" value="pass" checked"#)
            .unwrap()
            .captures_iter(&review.body)
            .map(|c| (format!("item.{}", &c[1]), "pass".to_owned()))
            .collect();
    assert!(form.len() >= 8, "{}", review.body);
    form.retain(|(k, _)| k != "item.spot_checks");
    form.push(("item.spot_checks".into(), "fail".into()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let p = office
        .post(&format!("/office/applications/{aid}"), &fields)
        .await;
    assert_eq!(p.status, 422);
    let mut with_reason = fields.clone();
    with_reason.push((
        "reason.spot_checks",
        "2024年市级抽查不合格未如实填报（演示）",
    ));
    let decided = office
        .post(&format!("/office/applications/{aid}"), &with_reason)
        .await;
    assert_eq!(decided.status, 303);
    let list = office.get(decided.location.as_deref().unwrap()).await;
    assert!(
        list.body
            .contains("资格审查结论已记录，申报单位已收到通知。"),
        "{}",
        list.body
    );
    let page = u.get(&format!("/applications/{aid}")).await;
    assert!(page.body.contains("资格审查未通过"));
    assert!(page.body.contains("2024年市级抽查不合格未如实填报"));
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("eligibility.decide".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log[0].article, Some(14));
}

#[tokio::test]
async fn one_applicant_cannot_reach_anothers_application_by_any_url() {
    let app = spawn_app().await;
    let (_, other, _) = app
        .demo
        .applications
        .iter()
        .find(|(_, _, s)| s == "submitted")
        .unwrap();
    let a = app.signed_in("applicant").await;
    for path in [
        format!("/applications/{other}"),
        format!("/applications/{other}/s/identity"),
        format!("/applications/{other}/receipt"),
        format!("/applications/{other}/submit"),
    ] {
        let p = a.get(&path).await;
        assert_eq!(p.status, 403, "{path}");
        assert!(!p.body.contains("演示法人"), "{path} leaks content");
    }
    let p = a
        .post(
            &format!("/applications/{other}/s/overview"),
            &[("overview.text", "篡改")],
        )
        .await;
    assert_eq!(p.status, 403);
    assert_eq!(
        a.get("/applications/999999").await.status,
        403,
        "unknown ids look like others' ids"
    );
    // A department and a reviewer cannot read applications either.
    for who in ["dept-ecology", "reviewer", "sysadmin"] {
        assert_eq!(
            app.signed_in(who)
                .await
                .get(&format!("/applications/{other}"))
                .await
                .status,
            403,
            "{who}"
        );
    }
}

#[tokio::test]
async fn a_draft_stays_private_to_its_applicant() {
    let app = spawn_app().await;
    let (_, draft, _) = app
        .demo
        .applications
        .iter()
        .find(|(_, _, s)| s == "draft")
        .unwrap();
    for who in ["office", "county-qingcheng", "discipline"] {
        assert_eq!(
            app.signed_in(who)
                .await
                .get(&format!("/applications/{draft}"))
                .await
                .status,
            403,
            "{who}"
        );
    }
}

#[tokio::test]
async fn the_office_filters_and_exports_the_list() {
    use calamine::{Reader, Xlsx};
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let s = app.demo.session_2026;
    let all = office
        .get(&format!("/office/sessions/{s}/applications"))
        .await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains("已提交的申报共 12 份"), "{}", all.body);
    let only = office
        .get(&format!(
            "/office/sessions/{s}/applications?status=eligible"
        ))
        .await;
    assert!(only.body.contains("清远市演示智能装备股份有限公司"));
    assert!(!only.body.contains("连州市演示陶瓷有限公司"));
    let q = office
        .get(&format!(
            "/office/sessions/{s}/applications?q=%E9%99%B6%E7%93%B7"
        ))
        .await;
    assert!(q.body.contains("连州市演示陶瓷有限公司"));
    let (status, bytes, _) = office
        .get_bytes(&format!(
            "/office/sessions/{s}/applications.xlsx?status=eligible"
        ))
        .await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let rows: Vec<Vec<String>> = book
        .worksheet_range("申报单位")
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][1], "单位名称");
    assert_eq!(rows.len(), 3, "{rows:?}");
}

#[tokio::test]
async fn an_applicant_withdraws_and_the_history_stays() {
    let app = spawn_app().await;
    let (_, aid, _) = app
        .demo
        .applications
        .iter()
        .find(|(_, _, s)| s == "submitted")
        .unwrap();
    let a = app.store.application(*aid).await.unwrap();
    let owner = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.grants.iter().any(|g| g.organisation_id == Some(a.org.id)))
        .unwrap();
    let u = app.signed_in(&owner.username).await;
    assert_eq!(
        u.post(&format!("/applications/{aid}/withdraw"), &[])
            .await
            .status,
        303
    );
    let page = u.get(&format!("/applications/{aid}")).await;
    assert!(page.body.contains("已撤回"));
    assert!(page.body.contains("提交申报材料"), "the history stays");
}

#[tokio::test]
async fn a_colleague_gets_a_second_account_for_the_same_organisation() {
    let app = spawn_app().await;
    let a = app.signed_in("applicant").await;
    let org = app.demo.organisations[0];
    let p = a
        .post(
            &format!("/org/{org}/users"),
            &[
                ("display_name", "第二联系人"),
                ("email", "second@example.com"),
                ("username", "colleague2"),
                ("password", "Colleague#2026"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let b = app.signed_in_with("colleague2", "Colleague#2026").await;
    assert_eq!(b.get(&format!("/org/{org}")).await.status, 200);
    assert_eq!(
        b.get(&format!("/org/{}", app.demo.organisations[1]))
            .await
            .status,
        403
    );
    // A session's public page shows the conditions, the criteria and how to apply.
    let page = app
        .visitor()
        .get(&format!("/sessions/{}", app.demo.session_2026))
        .await;
    assert!(page.body.contains("申报条件"));
    assert!(page.body.contains("4.7 结果"));
    assert!(page.body.contains("/register?programme="));
}

#[tokio::test]
async fn the_store_refuses_a_failing_self_check_even_without_the_page() {
    let app = spawn_app().await;
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ009").unwrap();
    let (u, org) = register(&app, code.as_str(), "tester09").await;
    let aid = start(&app, &u, org).await;
    let mut v = qaward::demo::sample_form(&context(&app).await, 7, "2015-06-01");
    v.insert("systems.excellence_since".into(), "2026-06-01".into());
    fill(&u, aid, &v).await;
    let who = qaward_store::application::applicant_who(0, "tester09");
    match app.store.submit_application(&who, aid, app.now_ts()).await {
        Err(qaward_store::Error::Refused(r)) => {
            assert_eq!(r.article, Some(10));
            assert!(r.zh.contains("卓越绩效"), "{}", r.zh);
        }
        other => panic!("expected a refusal citing Art. 10, got {other:?}"),
    }
    assert_eq!(
        app.store.application(aid).await.unwrap().status.code(),
        "draft"
    );
}

#[tokio::test]
async fn a_county_refusal_is_recorded_in_the_log_with_its_article() {
    let app = spawn_app().await;
    let (_, aid, _) = app
        .demo
        .applications
        .iter()
        .find(|(n, ..)| n == "英德市演示红茶有限公司")
        .unwrap();
    app.clock.set(at_shanghai(date(2027, 1, 21), 9, 0));
    let county = app.signed_in("county-yingde").await;
    let p = county
        .post(
            &format!("/county/applications/{aid}"),
            &[("decision", "not_recommended"), ("reasons", "逾期")],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("第十三条"), "{}", p.body);
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("county.decide.refused".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].article, Some(13));
    assert_eq!(log[0].role, "county_office");
}

/// Rename an organisation through `store` in a writing transaction, as any change would.
async fn rename(store: &qaward_store::Store, old: &str, new: &str) {
    let mut tx = store.write(jiff::Timestamp::now()).await.unwrap();
    sqlx::query("UPDATE organisations SET name = $1 WHERE name = $2")
        .bind(new)
        .bind(old)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_office_list_shows_changes_at_once_and_another_servers_within_a_quarter_second() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let url = format!(
        "/office/sessions/{}/applications?sort=name",
        app.demo.session_2026
    );
    let rows = app
        .store
        .application_list(app.demo.session_2026, None)
        .await
        .unwrap();
    let name = rows[0].name.clone();
    assert!(office.get(&url).await.body.contains(&name));
    // A change made by this server shows on the next look.
    let renamed = format!("{name}（更名）");
    rename(&app.store, &name, &renamed).await;
    assert!(office.get(&url).await.body.contains(&renamed));
    // A change made by another process on the same database shows within 250 ms.
    let other = qaward_store::Store::connect(app.store.url()).await.unwrap();
    let again = format!("{name}（再更名）");
    rename(&other, &renamed, &again).await;
    tokio::time::sleep(qaward_store::cache::REMOTE_POLL + std::time::Duration::from_millis(100))
        .await;
    assert!(office.get(&url).await.body.contains(&again));
}

#[tokio::test]
async fn readers_arriving_together_after_a_change_read_the_database_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let app = spawn_app().await;
    let reads = Arc::new(AtomicUsize::new(0));
    // Twenty pages asking at once for the same entry at one data version: one read, shared.
    let together = |version: i64, fail: bool| {
        (0..20)
            .map(|_| {
                let (store, reads) = (app.store.clone(), reads.clone());
                tokio::spawn(async move {
                    store
                        .view_at(version)
                        .get_or("readers-together".into(), async {
                            reads.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                            if fail {
                                Err(qaward_store::Error::Other("unreadable".into()))
                            } else {
                                Ok(version)
                            }
                        })
                        .await
                        .ok()
                        .map(|v| *v)
                })
            })
            .collect::<Vec<_>>()
    };
    let v1 = app.store.data_version().await.unwrap();
    for t in together(v1, false) {
        assert_eq!(t.await.unwrap(), Some(v1));
    }
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    // After a change the entry is read again, once.
    rename(
        &app.store,
        "清远市演示光电科技有限公司",
        "清远市演示光电科技有限公司（更名）",
    )
    .await;
    let v2 = app.store.data_version().await.unwrap();
    assert!(v2 > v1);
    for t in together(v2, false) {
        assert_eq!(t.await.unwrap(), Some(v2));
    }
    assert_eq!(reads.load(Ordering::SeqCst), 2);
    // A read that fails is not kept: the readers waiting on it try again.
    rename(
        &app.store,
        "清远市演示光电科技有限公司（更名）",
        "清远市演示光电科技有限公司",
    )
    .await;
    let v3 = app.store.data_version().await.unwrap();
    for t in together(v3, true) {
        assert_eq!(t.await.unwrap(), None);
    }
    assert_eq!(reads.load(Ordering::SeqCst), 22);
}

#[tokio::test]
async fn the_list_keeps_each_self_score_as_submitted_and_fills_older_rows_on_upgrade() {
    let app = spawn_app().await;
    let before = app
        .store
        .application_list(app.demo.session_2026, None)
        .await
        .unwrap();
    assert!(before.iter().any(|r| r.self_tenths > 0), "demo self-scores");
    // A database from before the columns existed: the upgrade fills them from the forms.
    sqlx::query("UPDATE applications SET self_tenths = NULL, industry = NULL")
        .execute(app.store.pool())
        .await
        .unwrap();
    app.store.migrate().await.unwrap();
    let after = app
        .store
        .application_list(app.demo.session_2026, None)
        .await
        .unwrap();
    let key = |r: &qaward_store::application::ListRow| (r.id, r.self_tenths, r.industry.clone());
    assert_eq!(
        before.iter().map(key).collect::<Vec<_>>(),
        after.iter().map(key).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_registration_dated_in_the_future_is_refused_naming_the_field_and_keeping_the_form() {
    let app = crate::helpers::spawn_app().await;
    let u = app.visitor();
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ099").unwrap();
    let p = u
        .post(
            "/register",
            &[
                ("programme_id", &app.demo.programme_id.to_string()),
                ("credit_code", code.as_str()),
                ("name", "清远市未来演示制造有限公司"),
                ("county_id", &app.demo.counties[0].1.to_string()),
                ("registered_on", "2099-01-01"),
                ("address", "清远市演示大道7号（虚构）"),
                ("contact_name", "测试联系人"),
                ("email", "future@example.com"),
                ("username", "future-org"),
                ("password", "Register#2026x"),
                ("password2", "Register#2026x"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body.contains("“成立（登记）日期”不能晚于今天"),
        "{}",
        p.body
    );
    assert!(p.body.contains("清远市演示大道7号（虚构）"));
}

#[tokio::test]
async fn a_text_over_two_megabytes_is_named_by_its_field_and_kept_and_a_huge_form_gets_a_413() {
    let app = crate::helpers::spawn_app().await;
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ077").unwrap();
    let (u, org) = register(&app, code.as_str(), "tester-long").await;
    let aid = start(&app, &u, org).await;
    let long = format!("开头的概述文字{}", "很长的企业概况。".repeat(100_000));
    assert!(long.len() > 2 * 1_048_576);
    let p = u
        .post(
            &format!("/applications/{aid}/s/overview"),
            &[("overview.text", long.as_str())],
        )
        .await;
    assert_eq!(p.status, 422, "{}", &p.body[..p.body.len().min(2000)]);
    assert!(p.body.contains("不能超过"), "the field's limit is named");
    assert!(
        p.body.contains("开头的概述文字很长的企业概况。"),
        "what was typed is kept"
    );
    let huge = "字".repeat(3 * 1_048_576);
    let p = u
        .post(
            &format!("/applications/{aid}/s/overview"),
            &[("overview.text", huge.as_str())],
        )
        .await;
    assert_eq!(p.status, 413);
    assert!(p.body.contains("提交的内容超过8MB"), "{}", p.body);
}
