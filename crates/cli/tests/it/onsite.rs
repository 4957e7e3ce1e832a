//! On-site review and comprehensive evaluation (Art. 16, 17): the plan sent to the applicant,
//! the visit record, blind on-site scoring and the leader's consensus, the report, the
//! practices and trade secrets, the stage gates and the final ranking.

use crate::helpers::{
    TestApp, finish_onsite, leader_of, office_who, pdftotext, score_phase, spawn_app, start_onsite,
};
use qaward_core::scoring::Edit;
use qaward_core::session::Stage;
use qaward_store::onsite::Plan;
use qaward_store::scoring::Phase;

/// The applicant account of a review-demo application.
fn applicant_of(app: &TestApp, aid: i64) -> String {
    let i = app
        .demo
        .review
        .applications
        .iter()
        .position(|(_, id)| *id == aid)
        .unwrap();
    format!("rv-applicant{}", i + 1)
}

/// The words of the first status badge of a page.
fn badge(body: &str) -> String {
    regex::Regex::new(r#"<span class="status status-[a-z_]+">([^<]*)</span>"#)
        .unwrap()
        .captures(body)
        .map(|c| c[1].to_owned())
        .unwrap_or_default()
}

async fn leader_login(app: &TestApp, aid: i64) -> String {
    let (e, _) = leader_of(app, aid).await;
    app.store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| Some(u.id) == e.user_id)
        .unwrap()
        .username
}

#[tokio::test]
async fn the_leader_sends_the_plan_and_only_that_applicant_sees_it() {
    let app = spawn_app().await;
    let ids = start_onsite(&app).await;
    assert_eq!(ids.len(), 5);
    let aid = ids[0];
    let lead = app.signed_in(&leader_login(&app, aid).await).await;
    // A bad date keeps what was typed.
    let p = lead
        .post(
            &format!("/review/applications/{aid}/onsite/plan"),
            &[
                ("first_day", "2027-01-10"),
                ("last_day", "2027-01-08"),
                ("agenda_time", "第一天 9:00"),
                ("agenda_activity", "首次会议"),
                ("agenda_place", "一号会议室"),
                ("sites", "总装车间"),
                ("send", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("“现场评审末日”：不能早于首日。"));
    assert!(p.body.contains("首次会议") && p.body.contains("总装车间"));
    let p = lead
        .post(
            &format!("/review/applications/{aid}/onsite/plan"),
            &[
                ("first_day", "2027-01-10"),
                ("last_day", "2027-01-11"),
                ("agenda_time", "第一天 9:00"),
                ("agenda_activity", "首次会议"),
                ("agenda_place", "一号会议室"),
                ("person_role", "总经理"),
                ("person_name", "王总"),
                ("sites", "总装车间"),
                ("send", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let owner = app.signed_in(&applicant_of(&app, aid)).await;
    let task = owner.get(&format!("/applications/{aid}")).await;
    assert!(task.body.contains(&format!("/applications/{aid}/onsite")));
    // Its badge says the stage it is in, not the eligibility review it passed long ago.
    assert_eq!(badge(&task.body), "现场评审中", "{}", task.body);
    let office_view = app
        .signed_in("office")
        .await
        .get(&format!("/office/applications/{aid}"))
        .await;
    assert_eq!(badge(&office_view.body), "现场评审中");
    let page = owner.get(&format!("/applications/{aid}/onsite")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("首次会议") && page.body.contains("王总"));
    assert!(page.body.contains("现场评审报告尚未发布。"));
    let other = app.signed_in(&applicant_of(&app, ids[1])).await;
    assert_eq!(
        other
            .get(&format!("/applications/{aid}/onsite"))
            .await
            .status,
        403
    );
    // An applicant not on the list has no on-site pages (Art. 16), and its badge says so.
    let off = off_the_list(&app, &ids);
    let off_owner = app.signed_in(&applicant_of(&app, off)).await;
    let p = off_owner.get(&format!("/applications/{off}")).await;
    assert_eq!(badge(&p.body), "未进入现场评审", "{}", p.body);
    let p = off_owner.get(&format!("/applications/{off}/onsite")).await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("第十六条"));
    // A change to a sent plan re-sends it and is recorded.
    lead.post(
        &format!("/review/applications/{aid}/onsite/plan"),
        &[
            ("first_day", "2027-01-12"),
            ("last_day", "2027-01-13"),
            ("agenda_time", "第一天 9:00"),
            ("agenda_activity", "首次会议"),
            ("send", "1"),
        ],
    )
    .await;
    let plan = app.store.onsite_plan(aid).await.unwrap().unwrap();
    assert_eq!(plan.sent_version, 2);
    let page = owner.get(&format!("/applications/{aid}/onsite")).await;
    assert!(page.body.contains("2027-01-12"));
    // The office reads every plan.
    let office = app.signed_in("office").await;
    assert_eq!(
        office
            .get(&format!("/review/applications/{aid}/onsite/plan"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_visit_record_carries_the_points_to_verify_and_the_scoring_is_blind() {
    let app = spawn_app().await;
    let ids = start_onsite(&app).await;
    let aid = ids[0];
    // A point to verify written in the material consensus reaches the visit record.
    let cons = app.store.consensus(aid, Phase::Material).await.unwrap();
    let (e, w) = leader_of(&app, aid).await;
    let _ = (&cons, &e, &w);
    let day = app
        .now_ts()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let visit = app.store.onsite_visit(aid, day).await.unwrap();
    let points = app.store.material_verify_points(aid, day).await.unwrap();
    assert_eq!(visit.verifications, points);
    let lead = app.signed_in(&leader_login(&app, aid).await).await;
    let p = lead
        .get(&format!("/review/applications/{aid}/onsite/visit"))
        .await;
    assert_eq!(p.status, 200);
    for v in &points {
        assert!(p.body.contains(&v.point), "{}", v.point);
    }
    // Blind: a member who has not submitted sees no one else's on-site scores.
    let now = app.now_ts();
    let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
    let team = app.store.team_of(aid, today).await.unwrap().unwrap();
    let member = team.members.iter().find(|m| !m.leader).unwrap();
    let users = app.store.users().await.unwrap();
    let member_login = users
        .iter()
        .find(|u| Some(u.id) == member.user_id)
        .unwrap()
        .username
        .clone();
    let m = app.signed_in(&member_login).await;
    let p = m
        .get(&format!("/review/applications/{aid}/onsite/consensus"))
        .await;
    assert_eq!(p.status, 200);
    assert!(
        p.body
            .contains("您提交自己的独立评分后，才能看到其他组员的评分。")
    );
    // Only the leader forms the consensus.
    let p = m
        .post(
            &format!("/review/applications/{aid}/onsite/consensus"),
            &[("summary", "x")],
        )
        .await;
    assert_eq!(p.status, 403);
    let p = m
        .get(&format!("/review/applications/{aid}/onsite/score"))
        .await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("现场评审"));
    // The leader cannot submit the visit with a point unmarked.
    if !points.is_empty() {
        let p = lead
            .post(
                &format!("/review/applications/{aid}/onsite/visit"),
                &[("documents", "质量手册"), ("submit", "1")],
            )
            .await;
        assert_eq!(p.status, 422);
        assert!(p.body.contains("质量手册"));
    }
}

#[tokio::test]
async fn gates_report_practices_and_final_ranking() {
    let app = spawn_app().await;
    let ids = start_onsite(&app).await;
    let sid = app.demo.review.session_id;
    let office = office_who(&app).await;
    let now = app.now_ts();
    let e = app
        .store
        .advance_session(&office, sid, Stage::ComprehensiveEvaluation, now)
        .await
        .unwrap_err();
    match e {
        qaward_store::Error::Refused(r) => assert_eq!(r.article, Some(16)),
        other => panic!("{other:?}"),
    }
    for aid in &ids {
        score_phase(&app, *aid, Phase::Onsite, 70, now).await;
    }
    app.store
        .advance_session(&office, sid, Stage::ComprehensiveEvaluation, now)
        .await
        .unwrap();
    let e = app
        .store
        .advance_session(&office, sid, Stage::Proposal, now)
        .await
        .unwrap_err();
    match e {
        qaward_store::Error::Refused(r) => {
            assert_eq!(r.article, Some(17));
            assert!(r.zh.contains("综合评价尚未完成"));
        }
        other => panic!("{other:?}"),
    }
    let page = app
        .signed_in("office")
        .await
        .get(&format!("/office/sessions/{sid}/advance?to=proposal"))
        .await;
    assert!(page.body.contains("综合评价尚未完成"));
    // The report page and PDF.
    let aid = ids[0];
    let lead = app.signed_in(&leader_login(&app, aid).await).await;
    let p = lead
        .get(&format!("/review/applications/{aid}/onsite/report"))
        .await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("现场评审报告") && p.body.contains("测试总体评价。"));
    let (status, pdf, _) = lead
        .get_bytes(&format!("/review/applications/{aid}/onsite/report.pdf"))
        .await;
    assert_eq!(status, 200);
    let text = pdftotext(&pdf);
    assert!(text.contains("现场评审报告"), "{text}");
    // The applicant reads the report only once the office releases it.
    let owner = app.signed_in(&applicant_of(&app, aid)).await;
    assert_eq!(
        owner
            .get(&format!("/review/applications/{aid}/onsite/report"))
            .await
            .status,
        403
    );
    let o = app.signed_in("office").await;
    let p = o
        .post(
            &format!("/office/review/applications/{aid}/onsite/release"),
            &[],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        owner
            .get(&format!("/review/applications/{aid}/onsite/report"))
            .await
            .status,
        200
    );
    // The leader's evaluation with a practice; the applicant withholds it as a trade secret.
    let p = lead
        .post(
            &format!("/review/applications/{aid}/evaluation"),
            &[
                ("analysis", "综合分析：质量管理体系成熟。"),
                ("p_id", "0"),
                ("p_title", "数字化质量追溯"),
                ("p_item", "4.1.2"),
                ("p_text", "全流程追溯。"),
                ("submit", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let practices = app.store.evaluation(aid).await.unwrap().practices;
    assert_eq!(practices.len(), 1);
    assert_eq!(app.store.public_practices(&ids).await.unwrap().len(), 1);
    let page = owner.get(&format!("/applications/{aid}/onsite")).await;
    assert!(page.body.contains("数字化质量追溯"));
    let p = owner
        .post(
            &format!("/applications/{aid}/practices/{}/secret", practices[0].id),
            &[("secret", "1")],
        )
        .await;
    assert_eq!(p.status, 303);
    assert!(app.store.public_practices(&ids).await.unwrap().is_empty());
    let other = app.signed_in(&applicant_of(&app, ids[1])).await;
    let p = other
        .post(
            &format!("/applications/{aid}/practices/{}/secret", practices[0].id),
            &[("secret", "0")],
        )
        .await;
    assert_eq!(p.status, 403);
    let (status, pdf, _) = lead
        .get_bytes(&format!("/review/applications/{aid}/evaluation.pdf"))
        .await;
    assert_eq!(status, 200);
    assert!(pdftotext(&pdf).contains("数字化质量追溯"));
    // Everything finished: the session moves on to the proposal, the ranking is complete.
    finish_onsite(&app).await;
    assert_eq!(
        app.store.session_detail(sid).await.unwrap().session.stage,
        Stage::Proposal
    );
    let rows = app.store.final_ranking(sid).await.unwrap();
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .all(|r| r.final_hundredths == r.onsite_hundredths)
    );
    assert_eq!(rows[0].rank, Some(1));
    let page = o.get(&format!("/office/sessions/{sid}/final")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("第17条") || page.body.contains("第十七条"));
    for r in &rows {
        assert!(page.body.contains(&r.organisation_name));
    }
    let _ = Plan::default();
}

/// The store itself refuses on-site scores for an applicant left off the on-site list, citing
/// Art. 16, whatever page or program asks.
#[tokio::test]
async fn the_store_refuses_on_site_scores_for_an_applicant_off_the_list() {
    let app = spawn_app().await;
    let ids = start_onsite(&app).await;
    let off = off_the_list(&app, &ids);
    let today = app
        .now_ts()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let team = app.store.team_of(off, today).await.unwrap().unwrap();
    let e = app.store.expert(team.members[0].expert_id).await.unwrap();
    let w = qaward_store::Who::user(e.user_id.unwrap(), &e.name, "reviewer");
    let items = [qaward_store::scoring::ScoreInput {
        item_id: "1.1".into(),
        percent: "50".into(),
        band: String::new(),
        strengths: String::new(),
        opportunities: String::new(),
        verify_points: String::new(),
    }];
    let r = app
        .store
        .edit_scorebook_as(&w, off, Phase::Onsite, &items, "", Edit::Save, app.now_ts())
        .await;
    match r {
        Err(qaward_store::Error::Refused(r)) => {
            assert_eq!(r.code, "not_onsite", "{r:?}");
            assert_eq!(r.article, Some(16), "{r:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// An applicant of the review demonstration left off the on-site list `ids`.
fn off_the_list(app: &TestApp, ids: &[i64]) -> i64 {
    app.demo
        .review
        .applications
        .iter()
        .map(|(_, id)| *id)
        .find(|id| !ids.contains(id))
        .expect("an applicant left off the list")
}

#[tokio::test]
async fn a_refusal_of_the_on_site_plan_does_not_tell_who_is_on_the_list() {
    let app = crate::helpers::spawn_app().await;
    let listed = crate::helpers::start_onsite(&app).await;
    let not_listed = app
        .demo
        .review
        .applications
        .iter()
        .map(|(_, id)| *id)
        .find(|id| !listed.contains(id))
        .expect("an applicant not on the list");
    let message = |body: &str| {
        let re = regex::Regex::new(r"(?s)<main.*?</main>").unwrap();
        re.find(body)
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default()
    };
    for who in [
        "applicant",
        "county-yingde",
        "dept-ecology",
        "reviewer-removed",
    ] {
        let u = app.signed_in(who).await;
        let on = u
            .get(&format!("/review/applications/{}/onsite/plan", listed[0]))
            .await;
        let off = u
            .get(&format!("/review/applications/{not_listed}/onsite/plan"))
            .await;
        assert_eq!((on.status, off.status), (403, 403), "{who}");
        assert!(!off.body.contains("现场评审名单"), "{who}: {}", off.body);
        assert_eq!(
            message(&on.body).replace(&listed[0].to_string(), "N"),
            message(&off.body).replace(&not_listed.to_string(), "N"),
            "{who} gets the same refusal"
        );
    }
}
