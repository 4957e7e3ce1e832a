//! Recusal at any time (Art. 25) on the review-stage demonstration programme: a member who
//! declares a conflict leaves that application's team at once and keeps the others; the office
//! is offered substitutes by the assignment rules (never a conflicted one), names one, who
//! signs, scores, and is the one the consensus waits for.

use crate::helpers::{TestApp, spawn_app};
use qaward_core::scoring::Edit;
use qaward_store::Who;
use qaward_store::experts::Expert;
use qaward_store::scoring::{Phase, ScoreInput};

async fn expert(app: &TestApp, username: &str) -> Expert {
    app.store
        .experts(app.demo.review.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.username.as_deref() == Some(username))
        .unwrap_or_else(|| panic!("expert of {username}"))
}

fn who(e: &Expert) -> Who {
    Who::user(e.user_id.unwrap(), &e.name, "reviewer")
}

async fn score_and_submit(app: &TestApp, e: &Expert, aid: i64) {
    let d = app
        .store
        .session_detail(app.demo.review.session_id)
        .await
        .unwrap();
    let c = app.store.criteria(&d.rules.meta.criteria).await.unwrap();
    let items: Vec<ScoreInput> = c
        .items()
        .map(|it| ScoreInput {
            item_id: it.id.clone(),
            percent: "60".into(),
            band: String::new(),
            strengths: format!("{}：替补测试评语。", it.name),
            opportunities: String::new(),
            verify_points: String::new(),
        })
        .collect();
    let now = app.now_ts();
    app.store
        .edit_scorebook_as(&who(e), aid, Phase::Material, &items, "", Edit::Save, now)
        .await
        .unwrap();
    app.store
        .edit_scorebook_as(&who(e), aid, Phase::Material, &[], "", Edit::Submit, now)
        .await
        .unwrap();
}

async fn consensus_attempt(app: &TestApp, aid: i64) -> Result<(), qaward_store::Error> {
    let d = app
        .store
        .session_detail(app.demo.review.session_id)
        .await
        .unwrap();
    let c = app.store.criteria(&d.rules.meta.criteria).await.unwrap();
    let items: Vec<ScoreInput> = c
        .items()
        .map(|it| ScoreInput {
            item_id: it.id.clone(),
            percent: "60".into(),
            ..ScoreInput::default()
        })
        .collect();
    let lead = expert(app, "reviewer-lead").await;
    app.store
        .edit_consensus_as(
            &who(&lead),
            aid,
            Phase::Material,
            &items,
            Some(("合议测试综合意见。", "")),
            "",
            Edit::Save,
            app.now_ts(),
        )
        .await
        .map(|_| ())
}

fn day() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 25)
}

#[tokio::test]
async fn a_member_recuses_mid_review_and_the_substitute_named_by_the_office_counts_instead() {
    let app = spawn_app().await;
    let sid = app.demo.review.session_id;
    let pending = app.demo.review.pending;
    let team = app.store.team_of(pending, day()).await.unwrap().unwrap();
    let other = app
        .store
        .team_applications(team.id)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .find(|a| *a != pending)
        .unwrap();
    let leaving = expert(&app, "reviewer02").await;
    assert!(team.members.iter().any(|m| m.expert_id == leaving.id));

    // The member declares from the application page in material review.
    let u = app.signed_in("reviewer02").await;
    assert_eq!(
        u.get(&format!("/review/applications/{pending}"))
            .await
            .status,
        200
    );
    let p = u
        .post(
            &format!("/review/applications/{pending}/conflict"),
            &[("reason", "本人上月起为该单位提供质量管理咨询（测试）")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // 403 at once on that application, citing Art. 25; the team's other application stays open.
    let p = u
        .get(&format!("/review/applications/{pending}/score"))
        .await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("第二十五条"), "{}", p.body);
    assert_eq!(
        u.get(&format!("/review/applications/{other}")).await.status,
        200
    );
    let desk = u.get("/review").await;
    assert!(desk.body.contains(&format!("/review/applications/{other}")));
    assert!(
        !desk
            .body
            .contains(&format!("/review/applications/{pending}\""))
    );
    // The recused member is off that application's team and the office is told.
    let t = app.store.team_of(pending, day()).await.unwrap().unwrap();
    assert!(!t.members.iter().any(|m| m.expert_id == leaving.id));
    let rc = app.store.recusals(sid).await.unwrap();
    assert_eq!(rc.len(), 1);
    let rid = rc[0].id;
    assert_eq!(rc[0].stage, "material_review");
    let office_uid = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "office")
        .unwrap()
        .id;
    let n = app.store.notifications(office_uid).await.unwrap();
    assert!(
        n.iter()
            .any(|n| n.subject.contains("请指定替补") && n.body.contains("第二十五条")),
        "{n:?}"
    );
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("expert.conflict.declare".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log[0].article, Some(25));
    assert_eq!(log[0].new_state.as_deref(), Some("recused"));

    // The office sees the replacement offered, best first with its reason; no conflicted
    // candidate, no one already on the team, not the one who left.
    let office = app.signed_in("office").await;
    let review = office.get(&format!("/office/sessions/{sid}/review")).await;
    assert!(review.body.contains(&format!("/office/recusals/{rid}")));
    let offers = app.store.substitute_offers(rid, day()).await.unwrap();
    assert!(!offers.is_empty());
    for o in &offers {
        assert_ne!(o.expert_id, leaving.id);
        assert!(!t.members.iter().any(|m| m.expert_id == o.expert_id));
        let e = app.store.expert(o.expert_id).await.unwrap();
        assert!(
            app.store
                .conflicts_of(&e, pending, day())
                .await
                .unwrap()
                .is_empty(),
            "{} offered with a conflict",
            o.name
        );
    }
    // A candidate who then declares a conflict with the applicant is no longer offered.
    let top = app.store.expert(offers[0].expert_id).await.unwrap();
    app.store
        .declare_conflict(
            &Who::user(top.user_id.unwrap_or(0), &top.name, "reviewer"),
            top.id,
            pending,
            "曾在该单位任职（测试）",
            app.now_ts(),
        )
        .await
        .unwrap();
    let offers = app.store.substitute_offers(rid, day()).await.unwrap();
    assert!(!offers.iter().any(|o| o.expert_id == top.id));
    let page = office.get(&format!("/office/recusals/{rid}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("系统推荐的替补人选"), "{}", page.body);
    assert!(!page.body.contains(&format!("value=\"{}\"", top.id)));
    // An empty choice keeps the note typed; a conflicted one is refused citing Art. 25.
    let p = office
        .post(
            &format!("/office/recusals/{rid}/substitute"),
            &[("substitute", ""), ("note", "按推荐顺序选定")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("替补评审员") && p.body.contains("按推荐顺序选定"));
    let p = office
        .post(
            &format!("/office/recusals/{rid}/substitute"),
            &[("substitute", &top.id.to_string()), ("note", "")],
        )
        .await;
    assert!(p.body.contains("第二十五条"), "{}", p.body);
    // The office picks a candidate from the list (one with a sign-in).
    let mut chosen = None;
    for o in &offers {
        let e = app.store.expert(o.expert_id).await.unwrap();
        if e.username.is_some() {
            chosen = Some(e);
            break;
        }
    }
    let sub = chosen.expect("a candidate with a sign-in");
    let p = office
        .post(
            &format!("/office/recusals/{rid}/substitute"),
            &[("substitute", &sub.id.to_string()), ("note", "")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = office.get(&format!("/office/recusals/{rid}?done=1")).await;
    assert!(page.body.contains(&sub.name));
    // Naming a second substitute is refused.
    let p = office
        .post(
            &format!("/office/recusals/{rid}/substitute"),
            &[("substitute", &sub.id.to_string())],
        )
        .await;
    assert_ne!(p.status, 303);
    let t = app.store.team_of(pending, day()).await.unwrap().unwrap();
    assert!(t.members.iter().any(|m| m.expert_id == sub.id));
    let log = app
        .store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some("review.recusal.substitute".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log[0].article, Some(25));
    assert!(log[0].summary.contains(&sub.name), "{}", log[0].summary);

    // The substitute signs the declaration, then scores like any member.
    let s = app.signed_in(sub.username.as_deref().unwrap()).await;
    let p = s.get(&format!("/review/applications/{pending}")).await;
    if p.status == 303 {
        assert!(p.location.as_deref().unwrap_or("").contains("/declaration"));
        let p = s
            .post(
                &format!("/review/sessions/{sid}/declaration"),
                &[("agree", "yes"), ("next", "/review")],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    assert_eq!(
        s.get(&format!("/review/applications/{pending}"))
            .await
            .status,
        200
    );
    assert!(
        s.get("/review")
            .await
            .body
            .contains(&format!("/review/applications/{pending}"))
    );
    // Not the rest of the team's applications.
    assert_eq!(
        s.get(&format!("/review/applications/{other}")).await.status,
        403
    );

    // The consensus waits for the substitute, not for the member who left.
    for m in &t.members {
        if m.leader || m.expert_id == sub.id {
            continue;
        }
        let e = app.store.expert(m.expert_id).await.unwrap();
        if app
            .store
            .scorebook(pending, e.id, Phase::Material)
            .await
            .unwrap()
            .submitted_at
            .is_none()
        {
            score_and_submit(&app, &e, pending).await;
        }
    }
    let err = consensus_attempt(&app, pending)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&sub.name), "{err}");
    assert!(!err.contains(&leaving.name), "{err}");
    score_and_submit(&app, &sub, pending).await;
    consensus_attempt(&app, pending).await.unwrap();
    let rows = app
        .store
        .review_rows(sid, Phase::Material, day())
        .await
        .unwrap();
    let row = rows.iter().find(|r| r.application_id == pending).unwrap();
    assert!(row.members.iter().any(|(id, ..)| *id == sub.id));
    assert!(!row.members.iter().any(|(id, ..)| *id == leaving.id));
}

#[tokio::test]
async fn only_the_city_office_names_a_substitute() {
    let app = spawn_app().await;
    let pending = app.demo.review.pending;
    let e = expert(&app, "reviewer02").await;
    app.store
        .declare_conflict(
            &who(&e),
            e.id,
            pending,
            "持有该单位股份（测试）",
            app.now_ts(),
        )
        .await
        .unwrap();
    let rid = app
        .store
        .recusals(app.demo.review.session_id)
        .await
        .unwrap()[0]
        .id;
    let offers = app.store.substitute_offers(rid, day()).await.unwrap();
    let pick = offers[0].expert_id.to_string();
    for role in ["leader", "discipline"] {
        let u = app.signed_in(role).await;
        let page = u.get(&format!("/office/recusals/{rid}")).await;
        assert_eq!(page.status, 200, "{role}");
        assert!(!page.body.contains("name=\"substitute\""), "{role}");
        let p = u
            .post(
                &format!("/office/recusals/{rid}/substitute"),
                &[("substitute", pick.as_str())],
            )
            .await;
        assert_eq!(p.status, 403, "{role}");
    }
    let r = app.signed_in("reviewer").await;
    assert_eq!(r.get(&format!("/office/recusals/{rid}")).await.status, 403);
    assert!(
        app.store
            .recusal(rid)
            .await
            .unwrap()
            .substitute_id
            .is_none()
    );
}
