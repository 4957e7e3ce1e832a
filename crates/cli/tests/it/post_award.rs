//! After the award: annual performance reports filed late and flagged everywhere, the county
//! seeing only its own winners, reminders sent once (Art. 30); the title's wording, a misuse
//! case walked to its close and a forgery report from the verification page (Art. 31); the
//! winners' senior managers joining the expert pool (Art. 29).

use crate::helpers::{TestApp, spawn_app};
use jiff::civil::date;
use qaward_core::clock::at_shanghai;
use qaward_store::award::Winner;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

async fn winners(app: &TestApp) -> (Winner, Winner) {
    let w = app.store.winners(app.demo.s2024.session_id).await.unwrap();
    (w[0].clone(), w[1].clone())
}

fn county(app: &TestApp, name: &str) -> i64 {
    app.demo.counties.iter().find(|(n, _)| n == name).unwrap().1
}

fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &body[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

fn report_fields<'a>(covered: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("covered_year", covered),
        ("performance", "全年产品一次交验合格率99%（测试）"),
        ("indicators", "主营业务收入增长10%（测试）"),
        ("improvement", "完成测量系统分析（测试）"),
        ("sharing", "举办经验交流会两期（测试）"),
        ("incidents", "无"),
        ("action", action),
    ]
}

#[tokio::test]
async fn a_late_report_is_flagged_for_the_office_and_the_county() {
    let app = spawn_app().await;
    let (w1, w2) = winners(&app).await;
    let s24 = app.demo.s2024.session_id;
    let office = app.signed_in("office").await;

    // As of today the second winner's first report (due 2025-12-05) is overdue and on top.
    let list = office.get(&format!("/office/sessions/{s24}/reports")).await;
    assert_eq!(list.status, 200);
    let overdue = section(&list.body, "overdue");
    assert!(overdue.contains(&w2.organisation_name), "{overdue}");
    assert!(!overdue.contains(&w1.organisation_name), "{overdue}");
    assert!(
        list.body.contains("已报送"),
        "the first winner filed on time"
    );

    // The winner sees its due dates; filing without every section names the missing one and
    // keeps what was typed.
    let a1 = app.signed_in("s24-applicant1").await;
    let page = a1
        .get(&format!("/applications/{}/post-award", w1.application_id))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("2026年12月5日"), "year 2 due date shown");
    let path = format!("/applications/{}/reports/2", w1.application_id);
    let bad = a1
        .post_file(
            &path,
            &[
                ("covered_year", "2026"),
                ("indicators", "已填写的指标"),
                ("action", "submit"),
            ],
            None,
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("“质量绩效”：请填写"), "{}", bad.body);
    assert!(bad.body.contains("已填写的指标"), "typed text kept");

    // Three days after the due date the report is filed, accepted and flagged late.
    app.clock.set(at_shanghai(date(2026, 12, 8), 10, 0));
    let a1 = app.signed_in("s24-applicant1").await;
    let office = app.signed_in("office").await;
    let ok = a1
        .post_file(
            &path,
            &report_fields("2026", "submit"),
            Some(("报告.pdf", PDF.to_vec())),
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = a1.get(&format!("{path}?done=submitted")).await;
    assert!(page.body.contains("逾期报送（逾期3天）"), "{}", page.body);

    let list = office.get(&format!("/office/sessions/{s24}/reports")).await;
    assert!(list.body.contains("逾期报送（逾期3天）"));
    // The same list as a workbook: one row per winner and year, the late one flagged.
    {
        use calamine::{Reader, Xlsx};
        let (status, bytes, _) = office
            .get_bytes(&format!("/office/sessions/{s24}/reports.xlsx"))
            .await;
        assert_eq!(status, 200);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let rows: Vec<Vec<String>> = book
            .worksheet_range("绩效报告")
            .unwrap()
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0][4], "状态");
        assert_eq!(rows.len(), 7, "{rows:?}");
        assert!(
            rows.iter().any(|r| r[4] == "逾期报送（逾期3天）"),
            "{rows:?}"
        );
    }
    let qc = app.signed_in("county-qingcheng").await;
    let clist = qc
        .get(&format!("/county/{}/reports", county(&app, "清城区")))
        .await;
    assert_eq!(clist.status, 200);
    assert!(clist.body.contains("逾期报送（逾期3天）"));
    assert!(clist.body.contains(&w1.organisation_name));
    assert!(
        !clist.body.contains(&w2.organisation_name),
        "another county's winner is not listed"
    );

    // The second winner files its overdue first report late too.
    let a2 = app.signed_in("s24-applicant2").await;
    let late = a2
        .post_file(
            &format!("/applications/{}/reports/1", w2.application_id),
            &report_fields("2025", "submit"),
            None,
        )
        .await;
    assert_eq!(late.status, 303, "{}", late.body);
    let days = qaward_core::post_award::days_between(date(2025, 12, 5), date(2026, 12, 8));
    let list = office.get(&format!("/office/sessions/{s24}/reports")).await;
    assert!(list.body.contains(&format!("逾期报送（逾期{days}天）")));

    // By URL: 清城区 reads its own winner's report, not 英德市's; another applicant reads none.
    let slots1 = app
        .store
        .report_slots(&w1, date(2026, 12, 8))
        .await
        .unwrap();
    let r1 = slots1[1].report.as_ref().unwrap().id;
    let r2 = app
        .store
        .report_slots(&w2, date(2026, 12, 8))
        .await
        .unwrap()[0]
        .report
        .as_ref()
        .unwrap()
        .id;
    let mine = qc.get(&format!("/reports/{r1}")).await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("逾期报送（逾期3天）"));
    assert!(mine.body.contains("报告.pdf"));
    let other = qc.get(&format!("/reports/{r2}")).await;
    assert_eq!(other.status, 403);
    assert!(other.body.contains("只能查看本辖区获奖单位的绩效报告"));
    assert!(!other.body.contains(&w2.organisation_name));
    let yd = app.signed_in("county-yingde").await;
    assert_eq!(yd.get(&format!("/reports/{r2}")).await.status, 200);
    let stranger = app.signed_in("s24-applicant3").await;
    assert_eq!(stranger.get(&format!("/reports/{r1}")).await.status, 403);
    assert_eq!(
        stranger
            .get(&format!("/applications/{}/post-award", w1.application_id))
            .await
            .status,
        403
    );
    assert_eq!(
        a2.post_file(
            &format!("/applications/{}/reports/2", w1.application_id),
            &report_fields("2026", "save"),
            None
        )
        .await
        .status,
        403,
        "one winner cannot file another's report"
    );
    // A filed report is not changed again.
    let again = a1
        .post_file(&path, &report_fields("2026", "save"), None)
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("已报送，不能再修改"));
}

#[tokio::test]
async fn reminders_go_out_once_each() {
    let app = spawn_app().await;
    let (w1, _) = winners(&app).await;
    // The demo sent the reminders 30 days before the second year's due date.
    let uid = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "s24-applicant1")
        .unwrap()
        .id;
    let notes = app.store.notifications(uid).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.subject == "请于2026年12月5日前报送第2年度质量奖绩效报告"),
        "{:?}",
        notes.iter().map(|n| &n.subject).collect::<Vec<_>>()
    );
    assert_eq!(
        app.store.send_report_reminders(app.now_ts()).await.unwrap(),
        0
    );
    // The day after the due date: each winner's second report is overdue, once.
    app.clock.set(at_shanghai(date(2026, 12, 6), 9, 0));
    assert_eq!(
        app.store.send_report_reminders(app.now_ts()).await.unwrap(),
        2
    );
    assert_eq!(
        app.store.send_report_reminders(app.now_ts()).await.unwrap(),
        0
    );
    let notes = app.store.notifications(uid).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.subject == "第2年度质量奖绩效报告已逾期未报")
    );
    let office = app.signed_in("office").await;
    let n = office.get("/notifications").await;
    assert!(
        n.body
            .contains(&format!("{}第2年度绩效报告逾期未报", w1.organisation_name))
    );
}

#[tokio::test]
async fn the_winner_is_given_the_wording_with_its_year() {
    let app = spawn_app().await;
    let (w1, _) = winners(&app).await;
    let a1 = app.signed_in("s24-applicant1").await;
    let dash = a1.get("/dashboard").await;
    assert!(
        dash.body
            .contains(&format!("/applications/{}/post-award", w1.application_id))
    );
    let page = a1
        .get(&format!("/applications/{}/post-award", w1.application_id))
        .await;
    assert!(page.body.contains("2024年度清远市政府质量奖获奖企业"));
    assert!(page.body.contains("不得在产品或包装上标注"));
    assert!(page.body.contains("第三十一条"));
}

#[tokio::test]
async fn a_misuse_case_is_walked_to_its_close() {
    let app = spawn_app().await;
    let (w1, _) = winners(&app).await;
    let pid = app.demo.programme_id;
    let office = app.signed_in("office").await;
    let list = office
        .get(&format!("/office/programmes/{pid}/title-cases"))
        .await;
    assert!(list.body.contains("在产品或包装上标注"), "the demo's case");
    let path = format!("/office/programmes/{pid}/title-cases");
    let aid = w1.application_id.to_string();
    let bad = office
        .post_file(
            &path,
            &[
                ("application_id", &aid),
                ("kind", "products"),
                ("where_seen", "电商平台店铺首页"),
                ("found_on", "2026-11-20"),
            ],
            None,
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("“违规事实”：请填写"));
    assert!(bad.body.contains("电商平台店铺首页"), "typed text kept");
    let ok = office
        .post_file(
            &path,
            &[
                ("application_id", &aid),
                ("kind", "products"),
                ("facts", "在产品详情页宣传“政府质量奖产品”"),
                ("where_seen", "电商平台店铺首页"),
                ("found_on", "2026-11-20"),
            ],
            Some(("截图.pdf", PDF.to_vec())),
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let case = ok.location.unwrap();
    let late = office
        .post(
            &case,
            &[
                ("step", "order"),
                ("order_on", "2026-11-25"),
                ("order_deadline", "2026-11-01"),
                ("order_text", "停止使用"),
            ],
        )
        .await;
    assert_eq!(late.status, 422);
    assert!(late.body.contains("“改正期限”：不能早于责令改正日期"));
    let early = office
        .post(
            &case,
            &[
                ("step", "outcome"),
                ("outcome", "corrected"),
                ("outcome_on", "2026-11-25"),
            ],
        )
        .await;
    assert!(early.body.contains("请先登记责令改正"));
    for step in [
        vec![("step", "findings"), ("findings", "经核实属实")],
        vec![
            ("step", "order"),
            ("order_on", "2026-11-25"),
            ("order_deadline", "2026-12-10"),
            ("order_text", "停止在产品宣传中使用称号"),
        ],
        vec![
            ("step", "outcome"),
            ("outcome", "corrected"),
            ("outcome_on", "2026-11-25"),
        ],
        vec![("step", "close")],
    ] {
        let p = office.post(&case, &step).await;
        assert_eq!(p.status, 303, "{step:?}: {}", p.body);
    }
    let page = office.get(&case).await;
    assert!(page.body.contains("已结案"));
    assert!(page.body.contains("已按期改正"));
    assert!(page.body.contains("截图.pdf"));
    let leader = app.signed_in("leader").await;
    assert_eq!(leader.get(&case).await.status, 200);
    assert_eq!(
        leader
            .post(&case, &[("step", "findings"), ("findings", "x")])
            .await
            .status,
        403
    );
    let audit = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            categories: vec!["award"],
            programme_id: Some(pid),
            action_prefix: None,
            before_seq: None,
            limit: 1000,
        })
        .await
        .unwrap();
    let steps: Vec<_> = audit
        .iter()
        .filter(|e| e.action.starts_with("post_award.case"))
        .collect();
    assert!(steps.len() >= 6);
    assert!(
        steps.iter().all(|e| e.article == Some(31)),
        "every step cites Art. 31"
    );
}

#[tokio::test]
async fn a_forgery_reported_from_the_verification_page_reaches_the_office() {
    let app = spawn_app().await;
    let v = app.visitor();
    let page = v.get("/verify/QYZLJ-2099-777").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("/forgery-report?serial=QYZLJ-2099-777"));
    let form = v.get("/forgery-report?serial=QYZLJ-2099-777").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("QYZLJ-2099-777"));
    let fields = [
        ("name", "王测试"),
        ("phone", ""),
        ("serial_seen", "QYZLJ-2099-777"),
        ("where_seen", "某商场展柜"),
        ("facts", "展柜里摆放一块质量奖奖牌，编号查不到"),
    ];
    let bad = v.post_file("/forgery-report", &fields, None).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("“联系电话”"));
    assert!(bad.body.contains("某商场展柜"), "typed text kept");
    let mut good = fields.to_vec();
    good[1] = ("phone", "13900000000");
    let ok = v
        .post_file("/forgery-report", &good, Some(("photo.pdf", PDF.to_vec())))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("受理编号"));
    let office = app.signed_in("office").await;
    let list = office
        .get(&format!(
            "/office/programmes/{}/title-cases",
            app.demo.programme_id
        ))
        .await;
    assert!(
        list.body.contains("未登记的编号或文字：QYZLJ-2099-777"),
        "{}",
        list.body
    );
    assert!(list.body.contains("伪造奖牌、证书"));
}

#[tokio::test]
async fn winners_managers_join_the_pool_flagged() {
    let app = spawn_app().await;
    let (w1, w2) = winners(&app).await;
    let pid = app.demo.programme_id;
    let demo = app.store.winner_managers(pid).await.unwrap();
    assert!(demo.iter().any(|m| m.winner_id == w1.id));
    assert!(demo.iter().any(|m| m.winner_id == w2.id));
    let office = app.signed_in("office").await;
    let path = format!("/office/applications/{}/managers", w1.application_id);
    let page = office.get(&path).await;
    assert_eq!(page.status, 200);
    let named = app.store.named_managers(w1.application_id).await.unwrap();
    let (name, position) = named[1].clone();
    assert!(
        page.body.contains(&format!("value=\"{name}\"")),
        "prefilled with the next manager"
    );
    assert!(page.body.contains("尚无评审员资格"));
    let bad = office
        .post(
            &path,
            &[
                ("name", &name),
                ("position_title", &position),
                ("level", "评审员"),
                ("industries", "C"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("身份证号"));
    let ok = office
        .post(
            &path,
            &[
                ("name", &name),
                ("position_title", &position),
                ("level", "评审员"),
                ("industries", "C"),
                ("id_number", "441802198001010099"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let pool = office
        .get(&format!("/office/programmes/{pid}/experts"))
        .await;
    assert!(pool.body.contains(&name));
    assert!(pool.body.contains("获奖企业高层管理人员"));
    let e = app
        .store
        .experts(pid)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.name == name)
        .unwrap();
    assert!(e.winner_manager);
    assert!(e.note.contains("2024年度获奖单位"));
    let leader = app.signed_in("leader").await;
    assert_eq!(leader.get(&path).await.status, 403);
}
