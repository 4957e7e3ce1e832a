//! The city office's work: sessions, windows, stage moves and their refusals (with articles),
//! the call notice PDF, the session list in Excel, rule sets.

use crate::helpers::spawn_app;
use jiff::civil::date;
use qaward_core::clock::at_shanghai;

#[tokio::test]
async fn publishing_a_call_today_under_the_2020_measures_is_refused_citing_article_35() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let p = office
        .post(
            &format!("/office/programmes/{}/sessions", app.demo.programme_id),
            &[
                ("year", "2028"),
                ("rule_set_id", &app.demo.rule_sets.0.to_string()),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // The new session's page (its address without the confirmation it shows once).
    let session = p.location.unwrap().split('?').next().unwrap().to_owned();
    let check = office
        .get(&format!("{session}/advance?to=call_published"))
        .await;
    assert!(
        check
            .body
            .contains("依据《清远市政府质量奖管理办法》第三十五条"),
        "{}",
        check.body
    );
    assert!(check.body.contains("2025年3月31日"));
    let p = office
        .post(&format!("{session}/advance"), &[("to", "call_published")])
        .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("第三十五条"));
    let refused = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("session.advance.refused".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(refused[0].article, Some(35));
    assert!(refused[0].summary.contains("第三十五条"));
    // The session is still in planning.
    assert!(
        office
            .get(&session)
            .await
            .body
            .contains("stage stage-planning")
    );
}

#[tokio::test]
async fn a_second_session_in_the_same_cycle_is_refused_citing_article_3() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let p = office
        .post(
            &format!("/office/programmes/{}/sessions", app.demo.programme_id),
            &[
                ("year", "2027"),
                ("rule_set_id", &app.demo.rule_sets.1.to_string()),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("第三条"), "{}", p.body);
    assert!(p.body.contains("每2年评选一届"));
    // What was typed is still there.
    assert!(p.body.contains(r#"value="2027""#));
}

#[tokio::test]
async fn a_bad_date_names_the_stage_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let s = app.demo.session_2026;
    let p = office
        .post(
            &format!("/office/sessions/{s}/windows"),
            &[
                ("applications.from", "2026-09-01"),
                ("applications.to", "2026-13-45"),
                ("proposal.from", "2027-06-16"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("“企业申报”的日期格式应为 年-月-日"),
        "{}",
        p.body
    );
    assert!(p.body.contains(r#"value="2026-13-45""#));
    assert!(p.body.contains(r#"value="2027-06-16""#));
    // Nothing saved was lost.
    let d = app.store.session_detail(s).await.unwrap();
    assert_eq!(
        d.windows[&qaward_core::session::Stage::Applications].ends_on,
        Some(date(2026, 12, 31))
    );
}

#[tokio::test]
async fn applications_stay_open_until_the_deadline_then_the_office_moves_on() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let s = app.demo.session_2026;
    let p = office
        .post(
            &format!("/office/sessions/{s}/advance"),
            &[("to", "county_recommendation")],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("第十二条"));
    assert!(p.body.contains("2026年12月31日"));
    app.clock.set(at_shanghai(date(2027, 1, 1), 9, 0));
    let office = app.signed_in("office").await;
    let p = office
        .post(
            &format!("/office/sessions/{s}/advance"),
            &[("to", "county_recommendation")],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = office.get(&format!("/office/sessions/{s}")).await;
    assert!(page.body.contains("stage stage-county_recommendation"));
    assert!(page.body.contains("企业申报 → 县级推荐"));
}

#[tokio::test]
async fn the_public_notice_cannot_end_before_seven_days_article_18() {
    let app = spawn_app().await;
    let s = app.demo.session_2026;
    app.clock.set(at_shanghai(date(2027, 6, 25), 9, 0));
    let office = app.signed_in("office").await;
    for to in [
        "county_recommendation",
        "eligibility_review",
        "material_review",
        "onsite_selection",
        "onsite_review",
        "comprehensive_evaluation",
        "proposal",
        "leadership_decision",
        "public_notice",
    ] {
        if to == "material_review" {
            // Eligibility review ends only once every forwarded application is decided
            // (Art. 14): the demo's forwarded ones are not yet.
            let p = office
                .post(&format!("/office/sessions/{s}/advance"), &[("to", to)])
                .await;
            assert_eq!(p.status, 409, "{}", p.body);
            assert!(p.body.contains("第十四条"), "{}", p.body);
            assert!(p.body.contains("资格审查尚未完成"), "{}", p.body);
            // This test is about the notice: every forwarded applicant is found ineligible
            // (the demo's eligible ones too, on review), so no material review is owed.
            let who = crate::helpers::office_who(&app).await;
            let mut forwarded = Vec::new();
            for st in [
                qaward_store::application::Status::Recommended,
                qaward_store::application::Status::Eligible,
            ] {
                forwarded.extend(app.store.session_applications(s, st).await.unwrap());
            }
            assert!(!forwarded.is_empty());
            for a in forwarded
                .into_iter()
                .filter(|a| a.county.as_ref().is_some_and(|c| c.forwarded_at.is_some()))
            {
                app.store
                    .eligibility_decide(
                        &who,
                        a.id,
                        &[(
                            "package_complete".into(),
                            false,
                            "申报材料不全（测试）".into(),
                        )],
                        app.now_ts(),
                    )
                    .await
                    .unwrap();
            }
        }
        let p = office
            .post(&format!("/office/sessions/{s}/advance"), &[("to", to)])
            .await;
        assert_eq!(p.status, 303, "{to}: {}", p.body);
        // What each stage must record before the next (Art. 3, 6, 18).
        let steps: Vec<(&str, Vec<(&str, String)>)> = match to {
            "proposal" => vec![
                (
                    "proposal",
                    vec![("empty_reason", "本届空缺（测试）".into())],
                ),
                ("proposal/submit", vec![]),
            ],
            "leadership_decision" => {
                let leader = app
                    .store
                    .leadership_accounts(app.demo.programme_id)
                    .await
                    .unwrap()[0]
                    .clone();
                vec![
                    (
                        "meeting",
                        vec![
                            ("held_on", "2027-06-25".into()),
                            ("place", "会议室（测试）".into()),
                            ("m0.user", leader.0.to_string()),
                            ("m0.name", leader.1),
                            ("m0.present", "1".into()),
                        ],
                    ),
                    ("meeting/votes", vec![]),
                    ("meeting/confirm", vec![]),
                ]
            }
            "public_notice" => vec![(
                "notice",
                vec![
                    ("starts_on", "2027-06-25".into()),
                    ("ends_on", "2027-07-02".into()),
                    ("body", "公示（测试）".into()),
                    ("address", "地址（测试）".into()),
                    ("phone", "0763-0000000".into()),
                    ("email", "notice@example.com".into()),
                ],
            )],
            _ => vec![],
        };
        for (path, form) in steps {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let p = office
                .post(&format!("/office/sessions/{s}/{path}"), &form)
                .await;
            assert_eq!(p.status, 303, "{path}: {}", p.body);
        }
    }
    app.clock.set(at_shanghai(date(2027, 7, 1), 9, 0));
    let office = app.signed_in("office").await;
    let p = office
        .post(
            &format!("/office/sessions/{s}/advance"),
            &[("to", "government_approval")],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("第十八条"));
    assert!(p.body.contains("公示时间不少于7日"));
    assert!(p.body.contains("2027年7月2日"), "{}", p.body);
    app.clock.set(at_shanghai(date(2027, 7, 2), 9, 0));
    let office = app.signed_in("office").await;
    assert_eq!(
        office
            .post(
                &format!("/office/sessions/{s}/advance"),
                &[("to", "government_approval")]
            )
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn skipping_a_stage_is_refused() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let p = office
        .post(
            &format!("/office/sessions/{}/advance", app.demo.session_2026),
            &[("to", "closed")],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("逐阶段推进"));
}

#[tokio::test]
async fn the_call_notice_is_a_chinese_pdf_anyone_can_download() {
    let app = spawn_app().await;
    let (status, bytes, ct) = app
        .visitor()
        .get_bytes(&format!("/sessions/{}/call.pdf", app.demo.session_2026))
        .await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/pdf");
    assert!(bytes.starts_with(b"%PDF"));
    let text = crate::helpers::pdftotext(&bytes);
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains("清远市政府质量奖"), "{text}");
    assert!(flat.contains("申报"), "{text}");
    assert!(
        flat.contains("演示数据"),
        "the demo copy is labelled: {text}"
    );
    // A session still in planning has no call yet.
    let office = app.signed_in("office").await;
    let p = office
        .post(
            &format!("/office/programmes/{}/sessions", app.demo.programme_id),
            &[
                ("year", "2028"),
                ("rule_set_id", &app.demo.rule_sets.1.to_string()),
            ],
        )
        .await;
    let id = p
        .location
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.visitor()
            .get_bytes(&format!("/sessions/{id}/call.pdf"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_session_list_exports_to_excel() {
    use calamine::{Reader, Xlsx};
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let (status, bytes, ct) = office.get_bytes("/office/sessions.xlsx").await;
    assert_eq!(status, 200);
    assert!(ct.contains("spreadsheetml"));
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("届次").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][1], "届次");
    assert!(
        rows.iter()
            .any(|r| r[1].contains("2026年度") && r[3] == "企业申报"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r[1].contains("2024年度") && r[3] == "本届结束"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_rule_set_page_shows_every_rule_with_its_article() {
    let app = spawn_app().await;
    let p = app
        .visitor()
        .get(&format!("/rules/{}", app.demo.rule_sets.0))
        .await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("清府办〔2020〕11号"));
    // Each rule by its Chinese name, never its key, with its article.
    assert!(p.body.contains("公示期最少天数"), "{}", p.body);
    assert!(!p.body.contains("decision.notice_min_days"));
    assert!(p.body.contains("第十八条"));
    let demo = app
        .visitor()
        .get(&format!("/rules/{}", app.demo.rule_sets.1))
        .await;
    assert!(demo.body.contains("演示"));
}

#[tokio::test]
async fn a_broken_rule_set_is_refused_with_its_line_and_nothing_is_lost() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let src = qaward::setup::QINGYUAN_2020
        .replacen("version = 1", "version = 2", 1)
        .replacen(
            "[review]",
            "[review]\ntypo_key = { value = 1, article = 15 }",
            1,
        );
    let p = office
        .post(
            &format!("/office/programmes/{}/rulesets", app.demo.programme_id),
            &[("source", &src)],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("typo_key"), "{}", p.body);
    assert!(
        p.body.contains("typo_key = { value = 1, article = 15 }"),
        "the text stays in the box"
    );
    let good = qaward::setup::QINGYUAN_2020.replacen("version = 1", "version = 2", 1);
    let p = office
        .post(
            &format!("/office/programmes/{}/rulesets", app.demo.programme_id),
            &[("source", &good)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
}

#[tokio::test]
async fn the_office_sets_up_a_county_level_programme_article_34() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let p = office
        .post(
            "/office/programmes",
            &[("name", ""), ("code", "Bad Code"), ("level", "county")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("项目代码为小写字母"));
    let p = office
        .post(
            "/office/programmes",
            &[
                ("name", "英德市政府质量奖（演示）"),
                ("code", "yingde-county"),
                ("level", "county"),
                ("region", "英德市"),
                ("office_name", "英德市质量强市办"),
                ("departments", "市生态环境局"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = office.get(&p.location.unwrap()).await;
    assert!(page.body.contains("英德市政府质量奖（演示）"));
    // The creator now runs it; the home page lists it.
    assert!(
        app.visitor()
            .get("/")
            .await
            .body
            .contains("英德市政府质量奖（演示）")
    );
}

#[tokio::test]
async fn the_home_page_names_the_award_and_its_sessions() {
    let app = spawn_app().await;
    let p = app.visitor().get("/").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("清远市政府质量奖"));
    assert!(p.body.contains("企业申报"));
    assert!(p.body.contains("本届结束"));
    let en = app.visitor();
    en.get("/lang/en?next=/").await;
    assert!(en.get("/").await.body.contains("Applications"));
}
