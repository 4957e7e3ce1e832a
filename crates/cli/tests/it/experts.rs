//! The expert pool (Art. 7, 8, 24, 29): the office adds experts and their dated records,
//! sees conflicts of interest with their grounds (Art. 25), warns and removes reviewers,
//! exports and imports the pool as Excel; leadership and discipline only read; county offices
//! and everyone else are refused.

use crate::helpers::{Page, TestApp, User, pool_expert, spawn_app};
use qaward_core::clock::Clock;
use qaward_docs::experts_xlsx::{ExpertBook, ExpertRow};

fn app_id(app: &TestApp, name: &str) -> i64 {
    app.demo
        .applications
        .iter()
        .find(|(n, ..)| n == name)
        .map(|(_, id, _)| *id)
        .unwrap_or_else(|| panic!("demo applicant {name}"))
}

fn pool(app: &TestApp) -> String {
    format!("/office/programmes/{}/experts", app.demo.programme_id)
}

/// The expert id a successful add redirected to.
fn added(p: &Page) -> i64 {
    assert_eq!(p.status, 303, "{}", p.body);
    let loc = p.location.clone().unwrap();
    loc.trim_start_matches("/office/experts/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("redirect to the profile: {loc}"))
}

async fn add(
    app: &TestApp,
    office: &User,
    name: &str,
    id_number: &str,
    extra: &[(&str, &str)],
) -> i64 {
    let mut f = vec![
        ("name", name),
        ("id_number", id_number),
        ("level", "reviewer"),
        ("industries", "C、M"),
        ("qualified_from", "2025-01-01"),
        ("qualified_until", "2027-12-31"),
    ];
    f.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    f.extend_from_slice(extra);
    added(&office.post(&pool(app), &f).await)
}

async fn record(office: &User, eid: i64, fields: &[(&str, &str)]) {
    let p = office
        .post(&format!("/office/experts/{eid}/history"), fields)
        .await;
    assert_eq!(p.status, 303, "record {fields:?}: {}", p.body);
}

/// A passed assessment, so the expert is qualified (Art. 8).
async fn assessed(office: &User, eid: i64) {
    record(
        office,
        eid,
        &[
            ("kind", "assessment"),
            ("name", "政府质量奖评审员考核"),
            ("detail", "清远市质量协会"),
            ("start_on", "2024-12-10"),
            ("passed", "1"),
            ("certificate_no", "QYZX-2024-018"),
        ],
    )
    .await;
}

#[tokio::test]
async fn the_office_adds_an_expert_and_a_mistake_keeps_what_was_typed() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let programme = office
        .get(&format!("/office/programmes/{}", app.demo.programme_id))
        .await;
    assert!(programme.body.contains(&format!("href=\"{}\"", pool(&app))));
    assert!(programme.body.contains("评审专家库"));

    let page = office.get(&pool(&app)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("第七条") && page.body.contains("第二十四条"));
    assert!(page.body.contains("添加专家") && page.body.contains("从 Excel 导入"));

    let typed = [
        ("name", "李明华"),
        ("id_number", "44180219750312"),
        ("gender", "男"),
        ("title", "高级工程师"),
        ("level", "senior"),
        ("industries", "C、M"),
        ("qualified_until", "2027-12-31"),
        ("note", "原市质监局退休干部"),
    ];
    let pid = app.demo.programme_id;
    let count = app.store.experts(pid).await.unwrap().len();
    let p = office.post(&pool(&app), &typed).await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("“身份证号”：应为18位公民身份号码。"),
        "{}",
        p.body
    );
    for kept in [
        "value=\"李明华\"",
        "value=\"44180219750312\"",
        "value=\"高级工程师\"",
        "value=\"C、M\"",
        "value=\"2027-12-31\"",
        "<option value=\"senior\" selected>",
        "<option value=\"男\" selected>",
        "原市质监局退休干部</textarea>",
    ] {
        assert!(p.body.contains(kept), "keeps {kept}");
    }
    assert_eq!(
        app.store.experts(pid).await.unwrap().len(),
        count,
        "nothing was added"
    );

    let mut ok = typed.to_vec();
    ok[1] = ("id_number", "44180219750312001x");
    let eid = added(&office.post(&pool(&app), &ok).await);
    let e = app.store.expert(eid).await.unwrap();
    assert_eq!(e.id_number, "44180219750312001X");
    assert_eq!(e.industries, vec!['C', 'M']);
    let profile = office
        .get(&format!("/office/experts/{eid}?saved=added"))
        .await;
    assert_eq!(profile.status, 200);
    assert!(profile.body.contains("已添加到专家库"));
    assert!(profile.body.contains("C 制造业"));
    assert!(profile.body.contains("M 科学研究和技术服务业"));
    assert!(profile.body.contains("2027年12月31日"));

    // The same ID number again is refused, beside the field.
    let p = office.post(&pool(&app), &ok).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("专家库中已有此身份证号的专家"));

    // The pool: level, sections, status (no assessment yet), filters.
    let list = office.get(&pool(&app)).await;
    assert!(list.body.contains("李明华") && list.body.contains("高级评审员"));
    assert!(list.body.contains("无考核合格记录"));
    assert!(
        office
            .get(&format!("{}?industry=M", pool(&app)))
            .await
            .body
            .contains("李明华")
    );
    assert!(
        !office
            .get(&format!("{}?industry=A", pool(&app)))
            .await
            .body
            .contains("李明华")
    );
    assert!(
        !office
            .get(&format!("{}?level=leader", pool(&app)))
            .await
            .body
            .contains("李明华")
    );
    assert!(
        office
            .get(&format!("{}?status=no_assessment", pool(&app)))
            .await
            .body
            .contains("李明华")
    );

    // Edit: a wrong date is named and the typed values stay.
    let mut edit = ok.clone();
    edit.push(("qualified_from", "2025/13/01"));
    let p = office.post(&format!("/office/experts/{eid}"), &edit).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("资格有效期起"));
    assert!(p.body.contains("value=\"2025/13/01\""));
    edit.pop();
    edit.push(("qualified_from", "2025-01-01"));
    edit.push(("winner_manager", "1"));
    let p = office.post(&format!("/office/experts/{eid}"), &edit).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let e = app.store.expert(eid).await.unwrap();
    assert!(e.winner_manager);
    assert!(
        office
            .get(&pool(&app))
            .await
            .body
            .contains("<span class=\"tag\">获奖企业高层管理人员</span>")
    );

    // Training records (Art. 8) make the expert qualified.
    assessed(&office, eid).await;
    let list = office
        .get(&format!("{}?status=qualified", pool(&app)))
        .await;
    assert!(list.body.contains("李明华"));
    let profile = office.get(&format!("/office/experts/{eid}")).await;
    assert!(profile.body.contains("清远市质量协会"));
    assert!(profile.body.contains("政府质量奖评审员考核"));
}

#[tokio::test]
async fn a_job_at_an_applicant_shows_the_conflict_with_its_ground() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let eid = add(&app, &office, "王建国", "441802197805060031", &[]).await;
    let maker = app
        .store
        .application(app_id(&app, "清远市演示智能装备股份有限公司"))
        .await
        .unwrap();
    let food = app
        .store
        .application(app_id(&app, "佛冈县演示食品股份有限公司"))
        .await
        .unwrap();

    let before = office.get(&format!("/office/experts/{eid}")).await;
    assert!(before.body.contains("利益冲突核查"));
    assert!(before.body.contains(&maker.org.name));
    assert!(before.body.contains("未发现利益冲突"));
    assert!(!before.body.contains("现工作单位为申报单位"));

    // A mistake in the record form is named and kept.
    let p = office
        .post(
            &format!("/office/experts/{eid}/history"),
            &[
                ("kind", "employment"),
                ("name", "某公司"),
                ("credit_code", "123"),
                ("detail", "质量总监"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("id=\"h_credit_code\""));
    assert!(p.body.contains("value=\"质量总监\""));

    // A job at the applicant, identified by its credit code under another spelling.
    record(
        &office,
        eid,
        &[
            ("kind", "employment"),
            ("name", "智能装备公司（清远）"),
            ("credit_code", &maker.org.credit_code),
            ("detail", "质量总监"),
            ("start_on", "2019-03-01"),
        ],
    )
    .await;
    // A training client, and a training course: two different things.
    record(
        &office,
        eid,
        &[
            ("kind", "tie:training"),
            ("name", &food.org.name),
            ("credit_code", &food.org.credit_code),
            ("start_on", "2025-05-01"),
            ("end_on", "2025-06-30"),
        ],
    )
    .await;
    record(
        &office,
        eid,
        &[
            ("kind", "course"),
            ("name", "卓越绩效评价准则培训"),
            ("detail", "广东省质量协会"),
            ("start_on", "2024-04-15"),
            ("passed", "1"),
        ],
    )
    .await;
    let e = app.store.expert(eid).await.unwrap();
    assert_eq!(e.ties.len(), 1);
    assert_eq!(e.ties[0].kind, qaward_core::experts::TieKind::Training);
    assert_eq!(e.training.len(), 1);
    assert_eq!(e.training[0].kind, "training");
    assert_eq!(e.training[0].association, "广东省质量协会");
    // The bare word is ambiguous and refused.
    let p = office
        .post(
            &format!("/office/experts/{eid}/history"),
            &[
                ("kind", "training"),
                ("name", "x"),
                ("start_on", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请选择记录类别"));

    let today = app.clock.today();
    let conflicts = app.store.conflicts_of(&e, maker.id, today).await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        conflicts[0].ground,
        qaward_core::experts::conflict::Ground::CurrentEmployer
    );

    let profile = office.get(&format!("/office/experts/{eid}")).await;
    assert!(
        profile.body.contains("现工作单位为申报单位"),
        "{}",
        profile.body
    );
    assert!(profile.body.contains("任质量总监（2019年3月1日起）"));
    assert!(profile.body.contains("为申报单位提供培训服务"));
    assert!(profile.body.contains("2025年5月1日 至 2025年6月30日"));
    assert!(profile.body.contains("《管理办法》第二十五条"));
    assert!(profile.body.contains("培训服务客户"));
    assert!(profile.body.contains("卓越绩效评价准则培训"));

    // Leaving the job: a missing date is named beside the row; then the ground changes.
    let job = e.employment[0].id;
    let p = office
        .post(
            &format!("/office/experts/{eid}/employment/{job}/end"),
            &[("end_on", "")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("离职日期"));
    assert!(p.body.contains(&format!("href=\"#end_{job}\"")));
    let p = office
        .post(
            &format!("/office/experts/{eid}/employment/{job}/end"),
            &[("end_on", "2026-06-30")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let profile = office.get(&format!("/office/experts/{eid}")).await;
    assert!(!profile.body.contains("现工作单位为申报单位"));
    assert!(profile.body.contains("曾在申报单位任职"));
    assert!(profile.body.contains("2019年3月1日 至 2026年6月30日"));
}

#[tokio::test]
async fn a_warning_then_a_removal_and_the_reviewer_loses_access() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let eid = add(
        &app,
        &office,
        "陈审",
        "441802198203040056",
        &[("username", "reviewer")],
    )
    .await;
    assessed(&office, eid).await;
    assert!(
        office
            .get(&format!("{}?status=qualified", pool(&app)))
            .await
            .body
            .contains("陈审")
    );
    let reviewer = app.signed_in("reviewer").await;
    assert_eq!(reviewer.get("/dashboard").await.status, 200);

    let page = office.get(&format!("/office/experts/{eid}")).await;
    assert!(page.body.contains("取消评审资格立即生效且不能撤销"));

    // A sanction needs its reason.
    let p = office
        .post(
            &format!("/office/experts/{eid}/sanctions"),
            &[
                ("kind", "warning"),
                ("reason", ""),
                ("decided_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("事实与理由"));

    let p = office
        .post(
            &format!("/office/experts/{eid}/sanctions"),
            &[
                ("kind", "warning"),
                ("reason", "现场评审迟到且未按要求签署保密承诺"),
                ("decided_on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(app.store.expert(eid).await.unwrap().warnings(), 1);
    let page = office.get(&format!("/office/experts/{eid}")).await;
    assert!(page.body.contains("现场评审迟到且未按要求签署保密承诺"));
    assert!(page.body.contains("2026年11月20日"));
    // Still qualified after a warning; the access stays.
    assert_eq!(reviewer.get("/dashboard").await.status, 200);

    let p = office
        .post(
            &format!("/office/experts/{eid}/sanctions"),
            &[
                ("kind", "removal"),
                ("reason", "向申报单位透露评审意见"),
                ("decided_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let e = app.store.expert(eid).await.unwrap();
    assert!(e.removed_at.is_some());
    assert_eq!(e.sanctions.len(), 2);
    let page = office.get(&format!("/office/experts/{eid}")).await;
    assert!(page.body.contains("已取消资格"));
    assert!(page.body.contains("向申报单位透露评审意见"));
    let list = office.get(&format!("{}?status=removed", pool(&app))).await;
    assert!(list.body.contains("陈审") && list.body.contains("已取消资格"));
    assert!(
        !office
            .get(&format!("{}?status=qualified", pool(&app)))
            .await
            .body
            .contains("陈审")
    );
    // Access ends at once: the reviewer's session is gone.
    assert_ne!(reviewer.get("/dashboard").await.status, 200);

    // A second removal is refused with its article, on the form.
    let p = office
        .post(
            &format!("/office/experts/{eid}/sanctions"),
            &[
                ("kind", "removal"),
                ("reason", "重复"),
                ("decided_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("该专家的评审资格已被取消"));
    assert!(p.body.contains("第二十四条"));
}

#[tokio::test]
async fn export_then_import_updates_and_creates_nothing() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let a = add(&app, &office, "赵质量", "441802196509090011", &[]).await;
    assessed(&office, a).await;
    record(
        &office,
        a,
        &[
            ("kind", "employment"),
            ("name", "清远市某检测有限公司"),
            ("detail", "技术负责人"),
            ("start_on", "2015-07-01"),
        ],
    )
    .await;
    record(
        &office,
        a,
        &[
            ("kind", "tie:relative"),
            ("name", "清远市某电器有限公司"),
            ("detail", "配偶"),
            ("start_on", "2018-01-01"),
        ],
    )
    .await;
    let b = add(&app, &office, "钱标准", "441802197011110022", &[]).await;
    let p = office
        .post(
            &format!("/office/experts/{b}/sanctions"),
            &[
                ("kind", "warning"),
                ("reason", "未按时提交评分表"),
                ("decided_on", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let pid = app.demo.programme_id;
    let before = app.store.experts(pid).await.unwrap();
    let n = before.len();

    let (status, bytes, ct) = office
        .get_bytes(&format!("/office/programmes/{pid}/experts.xlsx"))
        .await;
    assert_eq!(status, 200);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let book = qaward_docs::read_experts_xlsx(&bytes).expect("the export reads back");
    assert_eq!(book.experts.len(), n);
    let mine = |id: &str| id == "441802196509090011" || id == "441802197011110022";
    assert_eq!(
        book.employment
            .iter()
            .filter(|r| mine(&r.id_number))
            .count(),
        1
    );
    assert_eq!(
        book.training.iter().filter(|r| mine(&r.id_number)).count(),
        1
    );
    let ties: Vec<_> = book.ties.iter().filter(|r| mine(&r.id_number)).collect();
    assert_eq!(ties.len(), 1);
    assert_eq!(ties[0].kind, "近亲属任职单位");
    assert_eq!(ties[0].relation, "配偶");
    assert_eq!(
        book.sanctions.iter().filter(|r| mine(&r.id_number)).count(),
        1
    );

    let import = format!("/office/programmes/{pid}/experts/import");
    let p = office
        .post_file(&import, &[], Some(("专家库.xlsx", bytes.clone())))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/office/programmes/{pid}/experts?created=0&updated={n}&history=0").as_str())
    );
    let after = app.store.experts(pid).await.unwrap();
    assert_eq!(after.len(), before.len());
    for (x, y) in before.iter().zip(&after) {
        assert_eq!(
            (x.id, &x.name, x.level, &x.industries, x.qualified_until),
            (y.id, &y.name, y.level, &y.industries, y.qualified_until)
        );
        assert_eq!(x.employment.len(), y.employment.len());
        assert_eq!(x.training.len(), y.training.len());
        assert_eq!(x.ties.len(), y.ties.len());
        assert_eq!(x.sanctions.len(), y.sanctions.len());
    }
    let shown = office.get(p.location.as_deref().unwrap()).await;
    assert!(shown.body.contains("导入完成"));

    // Changed in Excel: a new title, and a new expert.
    let mut book = book;
    for r in &mut book.experts {
        if r.id_number == "441802196509090011" {
            r.title = "正高级工程师".into();
        }
    }
    book.experts.push(ExpertRow {
        id_number: "441802198812120033".into(),
        name: "孙卓越".into(),
        level: "见习评审员".into(),
        industries: "C".into(),
        winner_manager: "是".into(),
        status: "在库".into(),
        ..ExpertRow::default()
    });
    let bytes = qaward_docs::experts_xlsx(&book).unwrap();
    let p = office
        .post_file(&import, &[], Some(("专家库.xlsx", bytes)))
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/office/programmes/{pid}/experts?created=1&updated={n}&history=0").as_str())
    );
    let after = app.store.experts(pid).await.unwrap();
    assert_eq!(after.len(), n + 1);
    assert_eq!(app.store.expert(a).await.unwrap().title, "正高级工程师");
    assert!(after.iter().any(|e| e.name == "孙卓越" && e.winner_manager));
}

#[tokio::test]
async fn an_import_with_problems_names_sheet_row_and_column_and_writes_nothing() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let pid = app.demo.programme_id;
    let import = format!("/office/programmes/{pid}/experts/import");
    let count = app.store.experts(pid).await.unwrap().len();
    let row = |id: &str, name: &str, industries: &str| ExpertRow {
        id_number: id.into(),
        name: name.into(),
        level: "评审员".into(),
        industries: industries.into(),
        ..ExpertRow::default()
    };

    // An empty 姓名 cell: found by the reader, with its row.
    let book = ExpertBook {
        experts: vec![
            row("441802196509090011", "赵质量", "C"),
            row("441802197011110022", "", "C"),
        ],
        ..ExpertBook::default()
    };
    let p = office
        .post_file(
            &import,
            &[],
            Some(("专家库.xlsx", qaward_docs::experts_xlsx(&book).unwrap())),
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("导入文件中的问题"));
    assert!(
        p.body
            .contains("<td>专家</td><td>第3行</td><td>姓名</td><td>不能为空。</td>"),
        "{}",
        p.body
    );
    assert_eq!(
        app.store.experts(pid).await.unwrap().len(),
        count,
        "nothing written"
    );

    // Sections nobody knows: found by the store's checks, named by sheet, expert and column.
    let book = ExpertBook {
        experts: vec![
            row("441802196509090011", "赵质量", "C"),
            row("441802197011110022", "钱标准", "XYZ"),
        ],
        ..ExpertBook::default()
    };
    let p = office
        .post_file(
            &import,
            &[],
            Some(("专家库.xlsx", qaward_docs::experts_xlsx(&book).unwrap())),
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains(
            "<td>专家</td><td>身份证号441802197011110022（钱标准）</td><td>擅长行业</td>"
        ),
        "{}",
        p.body
    );
    assert_eq!(
        app.store.experts(pid).await.unwrap().len(),
        count,
        "nothing written"
    );

    // Not a workbook at all.
    let p = office
        .post_file(
            &import,
            &[],
            Some(("专家库.xlsx", b"not a workbook".to_vec())),
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("无法读取该文件"));
    // No file.
    let p = office.post_file(&import, &[], None).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请选择要导入的 Excel 文件"));
}

#[tokio::test]
async fn leadership_and_discipline_read_but_cannot_change() {
    let app = spawn_app().await;
    let (eid, row) = pool_expert(&app).await;
    let pid = app.demo.programme_id;
    for who in ["leader", "discipline"] {
        let u = app.signed_in(who).await;
        let p = u.get(&pool(&app)).await;
        assert_eq!(p.status, 200, "{who}");
        assert!(!p.body.contains("添加专家"), "{who} sees no add form");
        assert!(
            !p.body.contains("/experts/import"),
            "{who} sees no import form"
        );
        let p = u.get(&format!("/office/experts/{eid}")).await;
        assert_eq!(p.status, 200, "{who}");
        assert!(p.body.contains("利益冲突核查"));
        assert!(
            !p.body.contains("记录处理决定"),
            "{who} sees no sanction form"
        );
        assert_eq!(
            u.get_bytes(&format!("/office/programmes/{pid}/experts.xlsx"))
                .await
                .0,
            200
        );
        for (path, form) in [
            (pool(&app), vec![("name", "某人")]),
            (format!("/office/experts/{eid}"), vec![("name", "某人")]),
            (
                format!("/office/experts/{eid}/history"),
                vec![("kind", "employment"), ("name", "某公司")],
            ),
            (
                format!("/office/experts/{eid}/employment/{row}/end"),
                vec![("end_on", "2026-11-25")],
            ),
            (
                format!("/office/experts/{eid}/sanctions"),
                vec![
                    ("kind", "warning"),
                    ("reason", "x"),
                    ("decided_on", "2026-11-25"),
                ],
            ),
        ] {
            let p = u.post(&path, &form).await;
            assert_eq!(p.status, 403, "{who} POST {path}");
        }
        let p = u
            .post_file(
                &format!("/office/programmes/{pid}/experts/import"),
                &[],
                Some(("x.xlsx", b"x".to_vec())),
            )
            .await;
        assert_eq!(p.status, 403, "{who} import");
    }
    let e = app.store.expert(eid).await.unwrap();
    assert!(e.sanctions.is_empty() && e.employment.iter().any(|j| j.end_on.is_none()));
}

#[tokio::test]
async fn a_county_office_and_unknown_ids_get_the_same_refusal() {
    let app = spawn_app().await;
    let (eid, row) = pool_expert(&app).await;
    let pid = app.demo.programme_id;
    let county = app.signed_in("county-qingcheng").await;
    let gets = [
        pool(&app),
        format!("/office/programmes/{pid}/experts.xlsx"),
        format!("/office/experts/{eid}"),
    ];
    for path in &gets {
        let p = county.get(path).await;
        assert_eq!(p.status, 403, "GET {path}");
        assert!(!p.body.contains("路由测试专家"));
    }
    let posts = [
        pool(&app),
        format!("/office/experts/{eid}"),
        format!("/office/experts/{eid}/history"),
        format!("/office/experts/{eid}/employment/{row}/end"),
        format!("/office/experts/{eid}/sanctions"),
    ];
    for path in &posts {
        assert_eq!(
            county.post(path, &[("name", "x")]).await.status,
            403,
            "POST {path}"
        );
    }
    let p = county
        .post_file(
            &format!("/office/programmes/{pid}/experts/import"),
            &[],
            Some(("x.xlsx", b"x".to_vec())),
        )
        .await;
    assert_eq!(p.status, 403);

    // The office: an unknown expert looks like another programme's.
    let office = app.signed_in("office").await;
    for path in [
        "/office/experts/987654".to_owned(),
        "/office/programmes/987654/experts".to_owned(),
    ] {
        assert_eq!(office.get(&path).await.status, 403, "{path}");
    }
    for path in [
        "/office/experts/987654/sanctions",
        "/office/experts/987654/history",
    ] {
        assert_eq!(
            office
                .post(path, &[("kind", "warning"), ("reason", "x")])
                .await
                .status,
            403,
            "{path}"
        );
    }
}

#[tokio::test]
async fn only_the_office_sees_experts_id_and_mobile_numbers_whole() {
    let app = spawn_app().await;
    let (eid, _) = pool_expert(&app).await;
    let pid = app.demo.programme_id;
    let e = app.store.expert(eid).await.unwrap();
    assert_eq!(e.id_number.len(), 18);
    let masked_id = qaward_core::privacy::mask_id_number(&e.id_number);
    let book_of = |bytes: &[u8]| qaward_docs::read_experts_xlsx(bytes).expect("reads back");
    let office = app.signed_in("office").await;
    let (_, bytes, _) = office
        .get_bytes(&format!("/office/programmes/{pid}/experts.xlsx"))
        .await;
    assert!(
        book_of(&bytes)
            .experts
            .iter()
            .any(|r| r.id_number == e.id_number)
    );
    for who in ["leader", "discipline"] {
        let u = app.signed_in(who).await;
        let (status, bytes, _) = u
            .get_bytes(&format!("/office/programmes/{pid}/experts.xlsx"))
            .await;
        assert_eq!(status, 200);
        let book = book_of(&bytes);
        assert!(!book.experts.is_empty());
        for r in &book.experts {
            assert!(r.id_number.contains("****"), "{who}: {}", r.id_number);
            assert!(
                r.phone.is_empty() || r.phone.contains("****"),
                "{who}: {}",
                r.phone
            );
            assert!(
                r.email.is_empty() || r.email.contains("***@"),
                "{who}: {}",
                r.email
            );
        }
        assert!(book.experts.iter().any(|r| r.id_number == masked_id));
        let p = u.get(&format!("/office/experts/{eid}")).await;
        assert!(!p.body.contains(&e.id_number), "{who}'s profile page");
        assert!(p.body.contains(&masked_id), "{who}'s profile page");
        // Searching the pool by a full number does not confirm it either.
        let p = u.get(&format!("{}?q={}", pool(&app), e.id_number)).await;
        assert!(
            !p.body.contains(&format!("/office/experts/{eid}\"")),
            "{who}"
        );
    }
}
