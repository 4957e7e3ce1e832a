//! After the public notice (Art. 3, 18, 19, 21, 22, 27, 29): the government's approval, the
//! commendation, certificates verifiable by anyone, prize money paid no earlier than the rule
//! set allows, budgets, announcements and the public portal.

use crate::helpers::{TestApp, pdftotext, spawn_app};
use qaward_core::clock::at_shanghai;
use qaward_core::session::Stage;
use qaward_store::Who;

/// How many applicants the leadership group decided in the driven session.
const ON_LIST: usize = 3;

async fn office(app: &TestApp) -> Who {
    let u = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "office")
        .unwrap();
    Who::user(u.id, &u.display_name, "city_office")
}

/// Drive the review demo's session to the government approval stage with three decided
/// applicants (see `decision::to_approval`); the clock ends on 2027-04-02.
pub(crate) async fn to_government_approval(app: &TestApp) -> i64 {
    crate::decision::to_approval(app).await
}

/// The review-demo applicant account of an application ("rv-applicantN", in demo order).
fn applicant_of(app: &TestApp, aid: i64) -> String {
    let i = app
        .demo
        .review
        .applications
        .iter()
        .position(|(_, id)| *id == aid)
        .expect("a review-demo application");
    format!("rv-applicant{}", i + 1)
}

#[tokio::test]
async fn approval_is_refused_out_of_stage_over_the_maximum_or_off_the_list() {
    let app = spawn_app().await;
    let office = app.signed_in("office").await;
    // The main programme's 2026 session is still taking applications.
    let early = app.demo.session_2026;
    let p = office
        .post(
            &format!("/office/sessions/{early}/approval"),
            &[
                ("document_number", "清府函〔2026〕12号"),
                ("approved_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第十八条"), "{}", p.body);
    assert!(p.body.contains("报市政府批准"), "{}", p.body);

    let sid = to_government_approval(&app).await;
    // Days have passed: sign in again.
    let office = app.signed_in("office").await;
    let cands = app.store.approval_candidates(sid).await.unwrap();
    assert_eq!(cands.len(), ON_LIST);
    let page = office.get(&format!("/office/sessions/{sid}/award")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&cands[0].organisation_name));
    assert!(page.body.contains("id=\"record-approval\""));

    let url = format!("/office/sessions/{sid}/approval");
    let all: Vec<String> = cands.iter().map(|c| c.application_id.to_string()).collect();
    let mut form = vec![
        ("document_number", "清府函〔2026〕88号"),
        ("approved_on", "2026-12-01"),
    ];
    let outsider = app
        .demo
        .review
        .applications
        .iter()
        .map(|(_, id)| *id)
        .find(|id| !cands.iter().any(|c| c.application_id == *id))
        .unwrap()
        .to_string();
    for a in &all {
        form.push(("application_id", a));
    }
    form.push(("application_id", &outsider));
    let p = office.post(&url, &form).await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("不超过3家"), "{}", p.body);
    assert!(p.body.contains("第三条"), "{}", p.body);
    assert!(
        p.body.contains("value=\"清府函〔2026〕88号\""),
        "what was typed stays"
    );

    let p = office
        .post(
            &url,
            &[
                ("document_number", "清府函〔2026〕88号"),
                ("approved_on", "2026-12-01"),
                ("application_id", &all[0]),
                ("application_id", &outsider),
            ],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("不在拟奖名单中"), "{}", p.body);
    assert!(p.body.contains("第十八条"), "{}", p.body);

    let p = office
        .post(
            &url,
            &[
                ("document_number", "清府函[2026]88号"),
                ("approved_on", "2026-12-01"),
                ("application_id", &all[0]),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("文号格式不正确"), "{}", p.body);
    assert!(p.body.contains("value=\"清府函[2026]88号\""));
    assert!(app.store.approval(sid).await.unwrap().is_none());

    // No commendation before the approval is recorded (Art. 19).
    let who = self::office(&app).await;
    match app
        .store
        .advance_session(&who, sid, Stage::Commendation, app.now_ts())
        .await
    {
        Err(qaward_store::Error::Refused(r)) => assert_eq!(r.article, Some(19)),
        other => panic!("expected a refusal, got {other:?}"),
    }

    let p = office
        .post(
            &url,
            &[
                ("document_number", "清府函〔2026〕88号"),
                ("approved_on", "2026-12-01"),
                ("application_id", &all[1]),
                ("application_id", &all[0]),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let winners = app.store.winners(sid).await.unwrap();
    assert_eq!(winners.len(), 2);
    assert_eq!(winners[0].application_id, cands[0].application_id);
    assert_eq!(winners[0].award_year, 2026);
    use sqlx::Row;
    let audited: Vec<(String, Option<i64>)> = sqlx::query(
        "SELECT action, article FROM audit_log WHERE action LIKE 'award.approval%' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get::<String, _>(0),
            r.try_get::<Option<i64>, _>(1).ok().flatten(),
        )
    })
    .collect();
    assert!(
        audited.contains(&("award.approval.refused".to_owned(), Some(3))),
        "{audited:?}"
    );
    assert_eq!(audited.last().map(|a| a.0.as_str()), Some("award.approval"));
}

#[tokio::test]
async fn commendation_certificates_verification_payments_and_portal() {
    let app = spawn_app().await;
    let sid = to_government_approval(&app).await;
    let office = app.signed_in("office").await;
    let cands = app.store.approval_candidates(sid).await.unwrap();
    let (a1, a2) = (
        cands[0].application_id.to_string(),
        cands[1].application_id.to_string(),
    );
    let p = office
        .post(
            &format!("/office/sessions/{sid}/approval"),
            &[
                ("document_number", "清府函〔2026〕88号"),
                ("approved_on", "2026-12-01"),
                ("application_id", &a1),
                ("application_id", &a2),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // Not on the portal before the commendation.
    let visitor = app.visitor();
    let portal = visitor.get(&format!("/sessions/{sid}")).await;
    assert!(!portal.body.contains("id=\"winners\""));

    app.store
        .advance_session(
            &self::office(&app).await,
            sid,
            Stage::Commendation,
            app.now_ts(),
        )
        .await
        .unwrap();
    let p = office
        .post(
            &format!("/office/sessions/{sid}/commendation"),
            &[
                ("commendation_number", "清府〔2026〕30号"),
                ("issued_on", "2026-12-02"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let (status, pdf, ct) = office
        .get_bytes(&format!("/office/sessions/{sid}/commendation.pdf"))
        .await;
    assert_eq!((status, ct.as_str()), (200, "application/pdf"));
    let text: String = pdftotext(&pdf).split_whitespace().collect();
    assert!(text.contains(&cands[0].organisation_name), "{text}");
    assert!(text.contains("清府〔2026〕30号"), "{text}");

    let p = office
        .post(&format!("/office/sessions/{sid}/certificates"), &[])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let certs = app.store.certificates(sid).await.unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0].serial, "QYZLJ-2026-001");
    assert_eq!(certs[1].serial, "QYZLJ-2026-002");
    let cert = &certs[0];
    let verify_url = format!("{}/verify/{}", app.base, cert.serial);
    assert_eq!(
        cert.verify_url, verify_url,
        "the QR code encodes the verify URL"
    );

    // The winner downloads its own certificate; another applicant cannot.
    let winner = app
        .signed_in(&applicant_of(&app, cands[0].application_id))
        .await;
    let (status, pdf, ct) = winner
        .get_bytes(&format!("/applications/{a1}/certificate.pdf"))
        .await;
    assert_eq!((status, ct.as_str()), (200, "application/pdf"));
    let text: String = pdftotext(&pdf).split_whitespace().collect();
    assert!(text.contains(&cert.holder), "{text}");
    assert!(text.contains("QYZLJ-2026-001"), "{text}");
    assert!(text.contains(&verify_url), "{text}");
    let other = app
        .signed_in(&applicant_of(&app, cands[2].application_id))
        .await;
    assert_eq!(
        other
            .get(&format!("/applications/{a1}/certificate.pdf"))
            .await
            .status,
        403
    );

    // Anyone verifies it, without signing in; the page carries the same QR code.
    let v = visitor.get(&format!("/verify/{}", cert.serial)).await;
    assert_eq!(v.status, 200);
    assert!(v.body.contains("有效"));
    assert!(v.body.contains(&cert.holder));
    assert!(v.body.contains("清府〔2026〕30号"));
    assert!(v.body.contains(&qaward_docs::qr_svg(&verify_url)));
    let home = visitor.get("/").await;
    assert!(
        home.body.contains("action=\"/verify\""),
        "the portal index has the look-up"
    );
    let found = visitor
        .get(&format!("/verify?serial=+{}+", cert.serial))
        .await;
    assert_eq!(found.status, 303);
    assert_eq!(
        found.location.as_deref(),
        Some(format!("/verify/{}", cert.serial).as_str())
    );
    let missing = visitor.get("/verify/QYZLJ-2026-999").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("未找到该编号的证书"));

    // The portal lists the winners with their certificates.
    let portal = visitor.get(&format!("/sessions/{sid}")).await;
    assert!(portal.body.contains("id=\"winners\""));
    assert!(portal.body.contains(&cands[1].organisation_name));
    assert!(
        portal
            .body
            .contains(&format!("href=\"/verify/{}\"", cert.serial))
    );
    assert!(
        !portal.body.contains(&cands[2].organisation_name),
        "no word on those not approved"
    );
    assert!(
        portal.body.contains(
            "/sessions/{sid}/notice"
                .replace("{sid}", &sid.to_string())
                .as_str()
        )
    );

    // Plaques.
    let p = office
        .post(
            &format!("/office/applications/{a1}/plaque"),
            &[
                ("plaque_issued_on", "2026-12-02"),
                ("plaque_received_by", ""),
                ("plaque_note", "大会颁发"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请填写奖牌领取人"));
    assert!(p.body.contains("value=\"大会颁发\""));
    let p = office
        .post(
            &format!("/office/applications/{a1}/plaque"),
            &[
                ("plaque_issued_on", "2026-12-02"),
                ("plaque_received_by", "张经理"),
                ("plaque_note", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let c = app
        .store
        .certificate_of(cands[0].application_id)
        .await
        .unwrap();
    assert_eq!(c.plaque_received_by.as_deref(), Some("张经理"));

    // Prize money: due on 1 January of the next year, not payable before (Art. 21).
    let page = office
        .get(&format!("/office/sessions/{sid}/payments"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("¥500,000.00"));
    assert!(
        page.body.contains("2027年1月1日") || page.body.contains("2027-01-01"),
        "{}",
        page.body
    );
    assert!(page.body.contains("第二十一条"));
    let p = office
        .post(
            &format!("/office/applications/{a1}/payment"),
            &[
                ("paid_on", "2026-12-02"),
                ("voucher_no", "CZ-2026-118"),
                ("payer_note", "市财政局"),
            ],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第二十一条"), "{}", p.body);
    assert!(p.body.contains("value=\"CZ-2026-118\""));
    app.clock
        .set(at_shanghai(jiff::civil::date(2027, 1, 5), 9, 0));
    let office = app.signed_in("office").await;
    // The same payment sent from four tabs at once: it is recorded once, and the other three
    // are refused and logged, each on what its own transaction read.
    let form = [
        ("paid_on", "2027-01-04"),
        ("voucher_no", "CZ-2027-001"),
        ("payer_note", "市财政局"),
    ];
    let posts = crate::races::tabs(&app, "office", 4)
        .await
        .into_iter()
        .map(|(u, token)| {
            let mut f: Vec<(String, String)> = form
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            f.push(("csrf".into(), token));
            (u, format!("/office/applications/{a1}/payment"), f)
        })
        .collect();
    let mut statuses = crate::races::race(posts).await;
    statuses.sort_unstable();
    assert_eq!(statuses, vec![303, 409, 409, 409]);
    let actions: Vec<String> = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("award.payment".into()),
            limit: 20,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.subject_id == a1)
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "award.payment").count(),
        1,
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "award.payment.refused")
            .count(),
        4,
        "the early one and the three repeats: {actions:?}"
    );
    // The same payment again: refused, and the page says why beside the paid row.
    let p = office
        .post(
            &format!("/office/applications/{a1}/payment"),
            &[
                ("paid_on", "2027-01-04"),
                ("voucher_no", "CZ-2027-001"),
                ("payer_note", "市财政局"),
            ],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(
        p.body
            .contains("该笔奖金已登记为已支付（2027年1月4日支付），不能重复登记。"),
        "{}",
        p.body
    );
    assert!(p.body.contains("第二十一条"), "{}", p.body);
    let totals = app.store.payments(sid).await.unwrap();
    assert_eq!(
        (totals.scheduled, totals.paid, totals.outstanding),
        (100_000_000, 50_000_000, 50_000_000)
    );
    let page = office
        .get(&format!("/office/sessions/{sid}/payments"))
        .await;
    assert!(page.body.contains("id=\"total-scheduled\">¥1,000,000.00"));
    assert!(page.body.contains("id=\"total-paid\">¥500,000.00"));
    assert!(page.body.contains("id=\"total-outstanding\">¥500,000.00"));
    let (status, _, ct) = office
        .get_bytes(&format!("/office/sessions/{sid}/payments.xlsx"))
        .await;
    assert_eq!(status, 200);
    assert!(ct.contains("spreadsheetml"));
}

#[tokio::test]
async fn budgets_total_and_warn_when_the_award_budget_is_short() {
    let app = spawn_app().await;
    let sid = app.demo.session_2026;
    let office = app.signed_in("office").await;
    let url = format!("/office/sessions/{sid}/budget");
    let p = office
        .post(
            &url,
            &[
                ("kind", "award"),
                ("purpose", "获奖企业奖金"),
                ("amount", "一百万"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("金额应为大于零的数字"));
    assert!(
        p.body.contains("value=\"获奖企业奖金\""),
        "what was typed stays"
    );
    for (kind, purpose, amount) in [
        ("work", "专家评审劳务", "30,000"),
        ("work", "现场评审差旅", "12500.50"),
        ("award", "获奖企业奖金", "1000000"),
    ] {
        let p = office
            .post(
                &url,
                &[
                    ("kind", kind),
                    ("purpose", purpose),
                    ("amount", amount),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    let b = app.store.budget(sid).await.unwrap();
    assert_eq!((b.work_total, b.award_total), (4_250_050, 100_000_000));
    assert_eq!(
        b.prizes_due, 150_000_000,
        "three winners at most, 500,000 each"
    );
    let page = office
        .get(&format!("/office/sessions/{sid}/payments"))
        .await;
    assert!(page.body.contains("id=\"work-total\"><strong>¥42,500.50"));
    assert!(page.body.contains("id=\"budget-short\""));
    let p = office
        .post(
            &url,
            &[
                ("kind", "award"),
                ("purpose", "追加奖金预算"),
                ("amount", "500000"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = office
        .get(&format!("/office/sessions/{sid}/payments"))
        .await;
    assert!(
        page.body
            .contains("id=\"award-total\"><strong>¥1,500,000.00")
    );
    assert!(!page.body.contains("id=\"budget-short\""));
}

#[tokio::test]
async fn the_portal_shows_published_announcements_newest_first_only() {
    let app = spawn_app().await;
    let sid = app.demo.session_2026;
    let office = app.signed_in("office").await;
    let url = format!("/office/sessions/{sid}/announcements");
    let p = office
        .post(
            &url,
            &[
                ("title", ""),
                ("body", "正文"),
                ("posted_on", "2026-11-20"),
                ("publish", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请填写标题"));
    for (title, day, publish) in [
        ("关于评审工作安排的公告", "2026-11-20", "1"),
        ("关于延长申报期限的公告", "2026-11-24", "1"),
        ("内部草稿公告", "2026-11-25", "0"),
    ] {
        let p = office
            .post(
                &url,
                &[
                    ("title", title),
                    ("body", "公告正文。"),
                    ("posted_on", day),
                    ("publish", publish),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    let portal = app.visitor().get(&format!("/sessions/{sid}")).await;
    let newer = portal
        .body
        .find("关于延长申报期限的公告")
        .expect("published");
    let older = portal
        .body
        .find("关于评审工作安排的公告")
        .expect("published");
    assert!(newer < older, "newest first");
    assert!(!portal.body.contains("内部草稿公告"));
    // Withdraw one: it leaves the portal.
    let id = app.store.announcements(sid, true).await.unwrap()[0]
        .id
        .to_string();
    let p = office
        .post(
            &format!("{url}/publish"),
            &[("id", &id), ("published", "0")],
        )
        .await;
    assert_eq!(p.status, 303);
    let portal = app.visitor().get(&format!("/sessions/{sid}")).await;
    assert!(!portal.body.contains("关于延长申报期限的公告"));
    assert!(portal.body.contains("关于评审工作安排的公告"));
}
