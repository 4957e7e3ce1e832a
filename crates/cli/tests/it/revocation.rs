//! Revocation of an award (Art. 32, 33) as the office and the public meet it: the accident
//! window refused with its dates, a false-materials case through the government's approval,
//! the certificate shown revoked to anyone, the announcement on the portal, the return of the
//! plaque and the certificate, and the organisation then refused when it applies again.

use crate::applications::{context, fill, start};
use crate::helpers::{TestApp, User, spawn_app};
use jiff::civil::date;
use qaward_core::clock::at_shanghai;

const PHOTONICS: &str = "清远市演示光电科技有限公司";

/// The 2024 winner `name`: (winner id, organisation id).
async fn winner(app: &TestApp, name: &str) -> (i64, i64) {
    let w = app
        .store
        .winners(app.demo.session_2024)
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.organisation_name == name)
        .unwrap();
    (w.id, w.organisation_id)
}

fn revocations(app: &TestApp) -> String {
    format!("/office/programmes/{}/revocations", app.demo.programme_id)
}

/// Open a case as `office`; returns the response.
async fn open(
    app: &TestApp,
    office: &User,
    winner_id: i64,
    ground: &str,
    accident_on: &str,
) -> crate::helpers::Page {
    let w = winner_id.to_string();
    office
        .post_file(
            &revocations(app),
            &[
                ("winner_id", &w),
                ("ground", ground),
                (
                    "accident_kind",
                    if accident_on.is_empty() { "" } else { "safety" },
                ),
                ("accident_on", accident_on),
                ("facts", "核查查实的事实（演示）"),
                ("evidence", "核查报告（演示）"),
            ],
            Some(("核查报告.pdf", qaward::demo::demo_pdf("核查报告"))),
        )
        .await
}

fn case_id(p: &crate::helpers::Page) -> i64 {
    let loc = p.location.clone().expect("redirect to the case");
    loc.trim_start_matches("/revocations/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_accident_two_years_and_a_day_after_the_award_is_refused_citing_article_33() {
    let app = spawn_app().await;
    // The 2024 commendation is dated 2024-12-05; the window ends on 2026-12-05.
    app.clock.set(at_shanghai(date(2027, 1, 10), 10, 0));
    let office = app.signed_in("office").await;
    let (w, _) = winner(&app, PHOTONICS).await;
    // The list page is reached from the office's session page.
    let s = office
        .get(&format!("/office/sessions/{}", app.demo.session_2024))
        .await;
    assert!(s.body.contains(&revocations(&app)));
    let p = open(&app, &office, w, "major_accident", "2026-12-06").await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第三十三条"), "{}", p.body);
    assert!(p.body.contains("2024年12月5日"));
    assert!(p.body.contains("2026年12月6日"));
    // What was typed stays.
    assert!(p.body.contains("核查查实的事实（演示）"));
    assert!(p.body.contains(r#"value="2026-12-06""#));
    let refused = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("revocation.open.refused".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].article, Some(33));
    assert!(
        refused[0].summary.contains("第三十三条")
            || refused[0].detail.contains("2026-12-06")
            || refused[0].summary.contains("2026年12月6日"),
        "{}",
        refused[0].summary
    );
    // A future accident is refused too; the second anniversary itself is inside.
    let p = open(&app, &office, w, "major_accident", "2027-02-01").await;
    assert_eq!(p.status, 409);
    let p = open(&app, &office, w, "major_accident", "2026-12-05").await;
    assert_eq!(p.status, 303, "{}", p.body);
    // A missing field is named, in Chinese.
    let p = office
        .post_file(&revocations(&app), &[("ground", "false_materials")], None)
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请选择被撤销奖励的获奖单位"));
}

#[tokio::test]
async fn revoking_for_false_materials_bans_the_organisation_from_applying_again() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let (w, org) = winner(&app, PHOTONICS).await;
    // Years after the award, false materials are still a ground (Art. 32).
    let p = open(&app, &office, w, "false_materials", "").await;
    assert_eq!(p.status, 303, "{}", p.body);
    let id = case_id(&p);
    let case = format!("/revocations/{id}");
    // Not yet approved: the organisation cannot see the case, nor its evidence.
    let applicant = app.signed_in("s24-applicant1").await;
    assert_eq!(applicant.get(&case).await.status, 403);
    let fid = app.store.revocation_case_files(id).await.unwrap()[0].id;
    let file = format!("/revocations/{id}/files/{fid}");
    assert!(office.get(&case).await.body.contains("核查报告.pdf"));
    let (status, bytes, _) = office.get_bytes(&file).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(applicant.get(&file).await.status, 403);
    // The government's answer cannot come before the submission.
    let p = office
        .post(
            &format!("/office/revocations/{id}/decision"),
            &[
                ("outcome", "approved"),
                ("decision_number", "清府函〔2026〕101号"),
                ("decided_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第三十二条"));
    // A submission dated before the case was opened is refused, naming the field.
    let p = office
        .post(
            &format!("/office/revocations/{id}/submit"),
            &[
                ("submitted_on", "2026-11-20"),
                ("submission_number", "清质强办〔2026〕30号"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("报送日期不能早于立案日期"));
    // A malformed number is named and the typed value kept.
    let p = office
        .post(
            &format!("/office/revocations/{id}/submit"),
            &[
                ("submitted_on", "2026-11-25"),
                ("submission_number", "清质强办2026-30"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请示文号格式不正确"));
    assert!(p.body.contains("清质强办2026-30"));
    let p = office
        .post(
            &format!("/office/revocations/{id}/submit"),
            &[
                ("submitted_on", "2026-11-25"),
                ("submission_number", "清质强办〔2026〕30号"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = office
        .post(
            &format!("/office/revocations/{id}/decision"),
            &[
                ("outcome", "approved"),
                ("decision_number", "清府函〔2026〕101号"),
                ("decided_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = office.get(&case).await;
    assert!(page.body.contains("市政府已批准撤销"));
    assert!(page.body.contains("2029年11月25日"), "ban end shown");
    // Anyone, signed out, sees the certificate revoked with the approval and the article.
    let v = app.visitor().get("/verify/QYZLJ-2024-001").await;
    assert_eq!(v.status, 200);
    assert!(v.body.contains("已撤销"));
    assert!(v.body.contains("清府函〔2026〕101号"));
    assert!(v.body.contains("2026年11月25日"));
    assert!(v.body.contains("第三十二条"));
    // The announcement waits for the office; once published it is on the portal.
    let portal = format!("/sessions/{}", app.demo.session_2024);
    let title = format!("关于撤销{PHOTONICS}2024年度");
    assert!(!app.visitor().get(&portal).await.body.contains(&title));
    let p = office
        .post(&format!("/office/revocations/{id}/publish"), &[])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let pub_page = app.visitor().get(&portal).await;
    assert!(pub_page.body.contains(&title), "{}", pub_page.body);
    assert!(pub_page.body.contains("奖励已撤销"));
    // The plaque comes back; the certificate does not, which needs a note.
    let ret = format!("/office/revocations/{id}/returns");
    let p = office
        .post(
            &ret,
            &[
                ("item", "plaque"),
                ("status", "returned"),
                ("on", "2026-11-25"),
                ("by", "市强市办 张演示"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = office
        .post(
            &ret,
            &[
                ("item", "certificate"),
                ("status", "not_returned"),
                ("on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("证书未交回的，请说明情况"));
    let p = office
        .post(
            &ret,
            &[
                ("item", "certificate"),
                ("status", "not_returned"),
                ("on", "2026-11-25"),
                ("note", "该单位称证书遗失，已登报声明作废（演示）"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = office.get(&case).await;
    assert!(page.body.contains("市强市办 张演示"));
    assert!(page.body.contains("已登报声明作废"));
    // Every step is in the audit log, citing Art. 32.
    let entries = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("revocation.".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    for action in [
        "revocation.open",
        "revocation.submit",
        "revocation.approved",
        "revocation.return",
    ] {
        let e = entries
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} audited"));
        assert_eq!(e.article, Some(32), "{action}");
    }
    // The organisation now sees its own case, and leadership and discipline read it.
    assert_eq!(applicant.get(&case).await.status, 200);
    assert_eq!(app.signed_in("leader").await.get(&case).await.status, 200);
    assert_eq!(
        app.signed_in("discipline").await.get(&case).await.status,
        200
    );
    assert_eq!(
        app.signed_in("applicant").await.get(&case).await.status,
        403
    );

    // The same organisation applies to the 2026 session: its self-check shows the ban and
    // the submission is refused citing Art. 32.
    let aid = start(&app, &applicant, org).await;
    fill(
        &applicant,
        aid,
        &qaward::demo::sample_form(&context(&app).await, 7, "2015-06-01"),
    )
    .await;
    let s = applicant.get(&format!("/applications/{aid}/submit")).await;
    assert!(
        s.body.contains("被撤销奖励后3年内不得再次申报"),
        "{}",
        s.body
    );
    assert!(s.body.contains("outcome-fail"));
    let p = applicant
        .post(&format!("/applications/{aid}/submit"), &[])
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("第三十二条"), "{}", p.body);
    assert!(p.body.contains("2029年11月25日"), "{}", p.body);
    assert_eq!(
        app.store.application(aid).await.unwrap().status,
        qaward_store::application::Status::Draft
    );
}

#[tokio::test]
async fn the_demo_case_waits_for_the_government_and_a_rejection_closes_it() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    let list = office.get(&revocations(&app)).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("英德市演示陶瓷股份有限公司"));
    assert!(list.body.contains("已提请市政府批准"));
    let id = app
        .store
        .revocation_cases(app.demo.programme_id)
        .await
        .unwrap()[0]
        .id;
    // The organisation concerned does not see a case before the approval.
    assert_eq!(
        app.signed_in("s24-applicant2")
            .await
            .get(&format!("/revocations/{id}"))
            .await
            .status,
        403
    );
    let p = office
        .post(
            &format!("/office/revocations/{id}/decision"),
            &[
                ("outcome", "rejected"),
                ("decision_number", "清府函〔2026〕102号"),
                ("decided_on", "2026-11-24"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let v = app.visitor().get("/verify/QYZLJ-2024-002").await;
    assert!(v.body.contains("有效"));
    assert!(
        app.store
            .award_bans(app.demo.programme_id)
            .await
            .unwrap()
            .is_empty()
    );
}
