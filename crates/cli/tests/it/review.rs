//! Expert review (Art. 5, 8, 15, 24, 25) on the review-stage demonstration programme: teams
//! and the optimiser's assignment, the declaration, blind scoring, the leader's consensus, the
//! report, the ranking and the on-site list; conflicts and removal shut reviewers out.

use crate::helpers::{TestApp, User, pdftotext, spawn_app, spawn_app_with};
use qaward_core::criteria::Criteria;
use qaward_core::experts::conflict::Ground;
use qaward_core::scoring::Edit;
use qaward_core::session::Stage;
use qaward_store::Who;
use qaward_store::application::Status;
use qaward_store::experts::Expert;
use qaward_store::scoring::{Phase, ScoreInput};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The day the app's clock shows.
fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 25)
}

async fn criteria(app: &TestApp) -> Arc<Criteria> {
    let d = app
        .store
        .session_detail(app.demo.review.session_id)
        .await
        .unwrap();
    app.store.criteria(&d.rules.meta.criteria).await.unwrap()
}

fn team(app: &TestApp, name: &str) -> i64 {
    app.demo
        .review
        .teams
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, id)| *id)
        .unwrap_or_else(|| panic!("demo team {name}"))
}

/// The applications of a team, by id.
async fn team_apps(app: &TestApp, name: &str) -> Vec<i64> {
    app.store
        .team_applications(team(app, name))
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect()
}

/// A team-1 application whose review is complete (not the pending one).
async fn completed(app: &TestApp) -> i64 {
    team_apps(app, "第一评审组")
        .await
        .into_iter()
        .find(|a| *a != app.demo.review.pending)
        .expect("team 1 has a completed application")
}

/// The expert of the review programme linked to this user name.
async fn expert(app: &TestApp, username: &str) -> Expert {
    app.store
        .experts(app.demo.review.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.username.as_deref() == Some(username))
        .unwrap_or_else(|| panic!("expert of {username}"))
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == username)
        .unwrap_or_else(|| panic!("user {username}"))
        .id
}

fn who(e: &Expert) -> Who {
    Who::user(e.user_id.unwrap(), &e.name, "reviewer")
}

/// Every item at `percent`, with a comment.
fn all_items(c: &Criteria, percent: u32) -> Vec<ScoreInput> {
    c.items()
        .map(|it| ScoreInput {
            item_id: it.id.clone(),
            percent: percent.to_string(),
            band: String::new(),
            strengths: format!("{}：测试评语。", it.name),
            opportunities: String::new(),
            verify_points: String::new(),
        })
        .collect()
}

/// The form fields of every item at `percent`.
fn form_all(c: &Criteria, percent: u32) -> Vec<(String, String)> {
    c.items()
        .map(|it| (format!("percent.{}", it.id), percent.to_string()))
        .collect()
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A member scores every item of an application at `percent` and submits, through the store.
async fn score_and_submit(app: &TestApp, username: &str, aid: i64, percent: u32) {
    let c = criteria(app).await;
    let e = expert(app, username).await;
    let now = app.now_ts();
    app.store
        .edit_scorebook_as(
            &who(&e),
            aid,
            Phase::Material,
            &all_items(&c, percent),
            "",
            Edit::Save,
            now,
        )
        .await
        .unwrap();
    app.store
        .edit_scorebook_as(&who(&e), aid, Phase::Material, &[], "", Edit::Submit, now)
        .await
        .unwrap();
}

/// The pending application gets its two missing scorebooks (store only).
pub(crate) async fn complete_members_of_pending(app: &TestApp, percent: u32) {
    let aid = app.demo.review.pending;
    score_and_submit(app, "reviewer", aid, percent).await;
    score_and_submit(app, "reviewer02", aid, percent).await;
}

/// The pending application gets its two missing scorebooks and its consensus (store only).
pub(crate) async fn complete_pending(app: &TestApp, percent: u32) {
    let aid = app.demo.review.pending;
    complete_members_of_pending(app, percent).await;
    let c = criteria(app).await;
    let lead = expert(app, "reviewer-lead").await;
    let now = app.now_ts();
    app.store
        .edit_consensus_as(
            &who(&lead),
            aid,
            Phase::Material,
            &all_items(&c, percent),
            Some(("测试综合意见。", "")),
            "",
            Edit::Save,
            now,
        )
        .await
        .unwrap();
    app.store
        .edit_consensus_as(
            &who(&lead),
            aid,
            Phase::Material,
            &[],
            None,
            "",
            Edit::Submit,
            now,
        )
        .await
        .unwrap();
}

/// The part of a page from `start` to the next `end`.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("page has no {start}"));
    let rest = &body[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The applicant account of a review-demo application ("rv-applicantN", in demo order).
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

fn name_of(app: &TestApp, aid: i64) -> String {
    app.demo
        .review
        .applications
        .iter()
        .find(|(_, id)| *id == aid)
        .map(|(n, _)| n.clone())
        .unwrap()
}

/// A request: method, path, form.
type Request = (&'static str, String, Vec<(&'static str, &'static str)>);

/// Every reviewer route of one application, with a form for the POST ones.
fn reviewer_routes(aid: i64) -> Vec<Request> {
    vec![
        ("GET", format!("/review/applications/{aid}"), vec![]),
        ("GET", format!("/review/applications/{aid}/score"), vec![]),
        (
            "GET",
            format!("/review/applications/{aid}/consensus"),
            vec![],
        ),
        ("GET", format!("/review/applications/{aid}/report"), vec![]),
        (
            "GET",
            format!("/review/applications/{aid}/report.pdf"),
            vec![],
        ),
        (
            "POST",
            format!("/review/applications/{aid}/conflict"),
            vec![("reason", "测试")],
        ),
        (
            "POST",
            format!("/review/applications/{aid}/score"),
            vec![("percent.4.1.2", "60")],
        ),
        (
            "POST",
            format!("/review/applications/{aid}/score/autosave"),
            vec![("percent.4.1.2", "60")],
        ),
        (
            "POST",
            format!("/review/applications/{aid}/score/submit"),
            vec![("percent.4.1.2", "60")],
        ),
        (
            "POST",
            format!("/review/applications/{aid}/consensus"),
            vec![("percent.4.1.2", "60"), ("summary", "测试")],
        ),
    ]
}

async fn send(u: &User, method: &str, path: &str, form: &[(&str, &str)]) -> crate::helpers::Page {
    if method == "GET" {
        u.get(path).await
    } else {
        u.post(path, form).await
    }
}

#[tokio::test]
async fn the_office_sees_three_teams_and_no_assigned_member_has_a_conflict() {
    let app = spawn_app().await;
    let r = &app.demo.review;
    let sid = r.session_id;
    let office = app.signed_in("office").await;
    let p = office.get(&format!("/office/sessions/{sid}/review")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    for t in ["第一评审组", "第二评审组", "第三评审组"] {
        assert!(p.body.contains(t), "the page lists {t}");
    }
    let rows = app
        .store
        .review_rows(sid, Phase::Material, today())
        .await
        .unwrap();
    assert_eq!(rows.len(), 9, "nine eligible applicants");
    for row in &rows {
        assert!(row.team_id.is_some(), "{} is assigned", row.name);
        let tr = between(
            &p.body,
            &format!("id=\"app-{}\"", row.application_id),
            "</tr>",
        );
        assert!(tr.contains(&row.name), "{tr}");
        assert!(
            tr.contains(&format!("<td>{}</td>", row.team_name)),
            "{} shows its team {}",
            row.name,
            row.team_name
        );
    }
    // No assigned pair meets a conflict of interest (Art. 25), and the data has some.
    let problem = app.store.assignment_problem(sid, 0, today()).await.unwrap();
    let teams = app.store.teams_on(sid, today()).await.unwrap();
    // Each team's leader reads as its leader, every other member as a member.
    for t in teams.iter().filter(|t| t.dissolved_at.is_none()) {
        let tr = between(&p.body, &format!("id=\"team-{}\"", t.id), "</tr>");
        for m in &t.members {
            let (is, not) = if m.leader {
                ("评审组组长</strong> ", "评审组组员 ")
            } else {
                ("评审组组员 ", "评审组组长</strong> ")
            };
            assert!(tr.contains(&format!("{is}{}", m.name)), "{tr}");
            assert!(!tr.contains(&format!("{not}{}", m.name)), "{tr}");
        }
    }
    // So does the progress table, beside each member's independent scoring.
    for row in &rows {
        let tr = between(
            &p.body,
            &format!("id=\"app-{}\"", row.application_id),
            "</tr>",
        );
        for (_, name, _, _, lead) in &row.members {
            assert_eq!(
                tr.contains(&format!("<li>{name}（组长）：")),
                *lead,
                "{name}: {tr}"
            );
        }
    }
    let liu = expert(&app, "reviewer-conflict").await;
    let a0 = r.applications[0].1;
    assert!(
        problem.conflicts.contains(&(a0, liu.id)),
        "刘工 works at {} and conflicts with it",
        r.applications[0].0
    );
    assert!(problem.conflicts.len() >= 5, "{:?}", problem.conflicts);
    // The problem's conflicts, found through the applicants' index, are exactly those of the
    // pair-by-pair check of every live team's members with every eligible application.
    let eligible = app.store.review_applications(sid).await.unwrap();
    assert_eq!(eligible.len(), 9);
    for a in &eligible {
        // Read together, each application is what reading it alone gives.
        let alone = app.store.application(a.id).await.unwrap();
        assert_eq!(format!("{a:?}"), format!("{alone:?}"));
        assert!(a.eligibility.is_some() && a.county.is_some(), "{a:?}");
    }
    let mut pairwise = std::collections::HashSet::new();
    for t in teams.iter().filter(|t| t.dissolved_at.is_none()) {
        for m in &t.members {
            let e = app.store.expert(m.expert_id).await.unwrap();
            for a in &eligible {
                if !app
                    .store
                    .conflicts_of(&e, a.id, today())
                    .await
                    .unwrap()
                    .is_empty()
                {
                    pairwise.insert((a.id, e.id));
                }
            }
        }
    }
    assert_eq!(problem.conflicts, pairwise);
    for row in &rows {
        let t = teams
            .iter()
            .find(|t| Some(t.id) == row.team_id)
            .expect("its team");
        for m in &t.members {
            assert!(
                !problem
                    .conflicts
                    .contains(&(row.application_id, m.expert_id)),
                "{} is assigned to {} whose member {} has a conflict",
                row.name,
                t.name,
                m.name
            );
        }
        assert!(
            row.conflicted.is_empty(),
            "{}: {:?}",
            row.name,
            row.conflicted
        );
    }
    let row0 = rows.iter().find(|x| x.application_id == a0).unwrap();
    assert_ne!(
        row0.team_name, "第二评审组",
        "刘工's employer is not on 刘工's team"
    );
    let tr = between(&p.body, &format!("id=\"app-{a0}\""), "</tr>");
    assert!(!tr.contains("<td>第二评审组</td>"), "{tr}");
    assert!(!p.body.contains("组员存在利益冲突"));
    let (status, bytes, ct) = office
        .get_bytes(&format!("/office/sessions/{sid}/review.xlsx"))
        .await;
    assert_eq!(status, 200);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    assert!(bytes.starts_with(b"PK"), "an xlsx workbook");

    // The conflict check on each expert's page gives what the pair-by-pair check gives.
    let grounds = conflict_checks_are_pair_by_pair(&app).await;
    assert!(
        grounds.contains_key(&Ground::CurrentEmployer),
        "{grounds:?}"
    );
    assert!(
        grounds.contains_key(&Ground::CompetitorEmployer),
        "{grounds:?}"
    );
}

/// Every expert of every programme: the conflict check of the expert's page
/// (`Store::conflict_check`, found in bulk through the applicants' index) lists exactly the
/// applications in review of the programme (eligible, in a session not closed), and for each
/// the very conflicts, in the same order, that checking that application alone
/// (`Store::conflicts_of`) gives: same grounds, parties, dates and details, so the same wording.
/// Returns how many conflicts were found, by ground.
async fn conflict_checks_are_pair_by_pair(app: &TestApp) -> BTreeMap<Ground, usize> {
    let mut grounds = BTreeMap::new();
    let mut experts = 0;
    for p in app.store.programmes().await.unwrap() {
        let mut in_review = BTreeSet::new();
        for s in app.store.sessions(p.id).await.unwrap() {
            if s.stage == Stage::Closed {
                continue;
            }
            for a in app
                .store
                .session_applications(s.id, Status::Eligible)
                .await
                .unwrap()
            {
                in_review.insert(a.id);
            }
        }
        for e in app.store.experts(p.id).await.unwrap() {
            experts += 1;
            let checks = app.store.conflict_check(&e, today()).await.unwrap();
            let listed: BTreeSet<i64> = checks.iter().map(|k| k.application_id).collect();
            assert_eq!(listed.len(), checks.len(), "each application once");
            assert_eq!(listed, in_review, "{}: the applications in review", p.name);
            for k in &checks {
                let alone = app
                    .store
                    .conflicts_of(&e, k.application_id, today())
                    .await
                    .unwrap();
                assert_eq!(
                    k.conflicts, alone,
                    "{} ({}) with {}",
                    e.name, e.id, k.org_name
                );
                let a = app.store.application(k.application_id).await.unwrap();
                assert_eq!(
                    (&k.org_name, &k.credit_code),
                    (&a.org.name, &a.org.credit_code)
                );
                for c in &k.conflicts {
                    *grounds.entry(c.ground).or_insert(0) += 1;
                }
            }
        }
    }
    assert!(experts > 30, "the demo's pools: {experts} experts");
    grounds
}

#[tokio::test]
async fn every_experts_conflict_check_is_the_pair_by_pair_check_as_the_demo_shows_it() {
    // On site: a member has declared a conflict (the recusal), besides the jobs.
    let app = spawn_app_with(qaward::demo::Options::default()).await;
    let grounds = conflict_checks_are_pair_by_pair(&app).await;
    for g in [
        Ground::CurrentEmployer,
        Ground::CompetitorEmployer,
        Ground::Declared,
    ] {
        assert!(grounds.contains_key(&g), "{g:?} in {grounds:?}");
    }
    // The page shows the conflicts of the expert at the applicant with the ground and the
    // article, and every other application without one.
    let liu = expert(&app, "reviewer-conflict").await;
    let office = app.signed_in("office").await;
    let page = office.get(&format!("/office/experts/{}", liu.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let checks = app.store.conflict_check(&liu, today()).await.unwrap();
    let conflicted = checks.iter().filter(|k| !k.conflicts.is_empty()).count();
    assert!(conflicted >= 1, "{checks:?}");
    assert!(
        page.body.contains(&format!(
            "核查申报单位 {} 家，存在利益冲突 {conflicted} 家。",
            checks.len()
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("现工作单位为申报单位"));
    assert!(page.body.contains("未发现利益冲突"));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_proposal_and_accepting_keeps_started_applications() {
    let app = spawn_app().await;
    let sid = app.demo.review.session_id;
    let office = app.signed_in("office").await;
    // A member of team 1 declares a conflict with one of its applications, so a new proposal
    // has to move that application elsewhere.
    let moved = completed(&app).await;
    let li = expert(&app, "reviewer03").await;
    app.store
        .declare_conflict(
            &who(&li),
            li.id,
            moved,
            "近期为该单位提供过培训（测试）",
            app.now_ts(),
        )
        .await
        .unwrap();
    let before: Vec<(i64, Option<i64>)> = app
        .store
        .review_rows(sid, Phase::Material, today())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.application_id, r.team_id))
        .collect();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let p = office
            .post(
                &format!("/office/sessions/{sid}/assignment"),
                &[("seed", "4242")],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
        assert!(p.location.unwrap().contains("done=proposed"));
        runs.push(app.store.latest_run(sid).await.unwrap().unwrap());
    }
    assert_ne!(runs[0].id, runs[1].id, "two runs are recorded");
    assert_eq!(runs[0].seed, 4242);
    assert_eq!(runs[1].seed, 4242);
    assert_eq!(
        runs[0].pairs(),
        runs[1].pairs(),
        "the seed reproduces the proposal"
    );
    assert_eq!(runs[1].pairs().len(), 9);
    let team1 = team(&app, "第一评审组");
    let proposed = runs[1]
        .pairs()
        .into_iter()
        .find(|(a, _)| *a == moved)
        .unwrap()
        .1;
    assert_ne!(proposed, team1, "the proposal avoids the declared conflict");
    let page = office.get(&format!("/office/sessions/{sid}/review")).await;
    assert!(
        page.body.contains("<code>4242</code>"),
        "the page shows the seed"
    );
    // The proposal is summed up in what it means, not the optimiser's cost.
    assert!(!page.body.contains("总代价"), "{}", page.body);
    let summary = between(&page.body, "id=\"proposal-summary\"", "</p>");
    assert!(
        summary.contains("无组员与其存在利益冲突（第二十五条）"),
        "{summary}"
    );
    let pairs = runs[1].pairs();
    for t in app.store.teams_on(sid, today()).await.unwrap() {
        let n = pairs.iter().filter(|(_, x)| *x == t.id).count();
        assert!(summary.contains(&format!("{} {n}", t.name)), "{summary}");
    }
    let table = between(&page.body, "id=\"proposal\"", "</table>");
    assert!(table.contains(&name_of(&app, moved)));
    assert!(table.contains("与现分配不同"), "{table}");
    assert!(page.body.contains("采用此方案"));
    // A bad seed is refused with a message beside the field.
    let p = office
        .post(
            &format!("/office/sessions/{sid}/assignment"),
            &[("seed", "abc")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("随机种子"));
    // Accepting keeps every application whose scoring has begun (all of them) on its team.
    let p = office
        .post(
            &format!("/office/assignment-runs/{}/accept", runs[1].id),
            &[],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(p.location.unwrap().contains("done=accepted"));
    let after: Vec<(i64, Option<i64>)> = app
        .store
        .review_rows(sid, Phase::Material, today())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.application_id, r.team_id))
        .collect();
    assert_eq!(before, after, "started applications keep their teams");
    assert!(
        app.store
            .assignment_run(runs[1].id)
            .await
            .unwrap()
            .accepted_at
            .is_some()
    );
    let page = office.get(&format!("/office/sessions/{sid}/review")).await;
    assert!(page.body.contains("已采用"));
    // …and a team can no longer be changed by hand once scoring has begun.
    let p = office
        .post(
            &format!("/office/review/applications/{moved}/team"),
            &[("team", &proposed.to_string()), ("reason", "回避（测试）")],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("评分已经开始"), "{}", p.body);
}

#[tokio::test]
async fn members_score_blind_and_see_each_other_only_after_submitting() {
    let app = spawn_app().await;
    let aid = app.demo.review.pending;
    let c = criteria(&app).await;
    let items: Vec<_> = c.items().collect();
    let first = items[0].id.clone();
    let chen = app.signed_in("reviewer").await;
    let wang = app.signed_in("reviewer02").await;
    for u in [&chen, &wang] {
        let p = u.get(&format!("/review/applications/{aid}/score")).await;
        assert_eq!(p.status, 200, "{}", p.body);
        assert!(p.body.contains("独立评分表"));
        assert!(p.body.contains(&format!("name=\"percent.{first}\"")));
        assert!(
            p.body.contains("data-autosave") && p.body.contains("/static/app.js"),
            "the draft saves itself as it is typed"
        );
    }
    // 陈审 saves one item with a comment.
    let p = chen
        .post(
            &format!("/review/applications/{aid}/score"),
            &[
                (&format!("percent.{first}"), "60"),
                (&format!("strengths.{first}"), "陈审写下的优势评语（测试）"),
                (&format!("opportunities.{first}"), ""),
                (&format!("verify.{first}"), ""),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let chen_e = expert(&app, "reviewer").await;
    let book = app
        .store
        .scorebook(aid, chen_e.id, Phase::Material)
        .await
        .unwrap();
    assert_eq!(book.items[&first].percent, Some(60));
    let own = chen.get(&format!("/review/applications/{aid}/score")).await;
    assert!(own.body.contains("陈审写下的优势评语（测试）"));
    // 王敏 sees neither 陈审's text nor anybody's scores.
    let p = wang.get(&format!("/review/applications/{aid}/score")).await;
    assert!(!p.body.contains("陈审写下的优势评语"));
    let blind = |body: &str| {
        assert!(
            body.contains("您提交自己的独立评分后，才能看到其他组员的评分"),
            "{body}"
        );
        assert!(!body.contains("class=\"compact\""), "no members' scores");
        assert!(!body.contains("id=\"versions\""), "no submitted versions");
        assert!(!body.contains("陈审写下的优势评语"));
        for name in ["张立", "李华", "赵强"] {
            assert!(
                !body.contains(&format!("<td>{name}")),
                "{name}'s submitted scores are hidden"
            );
        }
    };
    let p = wang
        .get(&format!("/review/applications/{aid}/consensus"))
        .await;
    assert_eq!(p.status, 200);
    blind(&p.body);
    // Submitting with items missing names the first one missing.
    let p = chen
        .post(
            &format!("/review/applications/{aid}/score/submit"),
            &[(&format!("percent.{first}"), "60")],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    let missing = format!("{} {}", items[1].id, items[1].name);
    assert!(p.body.contains(&missing), "names {missing}: {}", p.body);
    assert!(p.body.contains("尚未评分"));
    assert!(
        app.store
            .scorebook(aid, chen_e.id, Phase::Material)
            .await
            .unwrap()
            .submitted_at
            .is_none()
    );
    // 陈审 submits every item, one of them far from 王敏's.
    let mut f = form_all(&c, 60);
    f[0].1 = "95".into();
    let p = chen
        .post(
            &format!("/review/applications/{aid}/score/submit"),
            &refs(&f),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/review/applications/{aid}/consensus").as_str())
    );
    // Still blind for 王敏, who has not submitted.
    let p = wang
        .get(&format!("/review/applications/{aid}/consensus"))
        .await;
    blind(&p.body);
    assert!(!p.body.contains("95%"));
    let mut f = form_all(&c, 60);
    f[0].1 = "30".into();
    let p = wang
        .post(
            &format!("/review/applications/{aid}/score/submit"),
            &refs(&f),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // Now every member's percentage, the mean and the spread are shown, the item flagged.
    let books = app
        .store
        .team_books(aid, Phase::Material, today())
        .await
        .unwrap();
    assert!(books.iter().all(|(_, b)| b.submitted_at.is_some()));
    let ps: Vec<u32> = books
        .iter()
        .map(|(_, b)| b.items[&first].percent.unwrap())
        .collect();
    let mean = format!(
        "{:.1}%",
        f64::from(ps.iter().sum::<u32>()) / ps.len() as f64
    );
    let spread = ps.iter().max().unwrap() - ps.iter().min().unwrap();
    assert!(spread > 20);
    for u in [&wang, &chen] {
        let p = u
            .get(&format!("/review/applications/{aid}/consensus"))
            .await;
        assert_eq!(p.status, 200);
        let item = between(&p.body, &format!("id=\"item-{first}\""), "</fieldset>");
        for (m, _) in &books {
            assert!(
                item.contains(&format!("<th scope=\"col\">{}</th>", m.name)),
                "a column for {}: {item}",
                m.name
            );
        }
        assert!(item.contains("<td>95%</td>"), "{item}");
        assert!(item.contains("<td>30%</td>"), "{item}");
        assert!(
            item.contains(&format!("<td>{mean}</td>")),
            "mean {mean}: {item}"
        );
        assert!(
            item.contains(&format!("<td>{spread}</td>")),
            "spread {spread}: {item}"
        );
        assert!(item.contains("分差较大"), "{item}");
        assert!(
            p.body
                .contains(&format!("class=\"score-item flagged\" id=\"item-{first}\"")),
            "the item is flagged"
        );
        assert!(p.body.contains("个条目组内分差超过"));
    }
}

#[tokio::test]
async fn a_submitted_score_changes_only_with_a_reason_as_a_new_version() {
    let app = spawn_app().await;
    let aid = app.demo.review.pending;
    let c = criteria(&app).await;
    let first = c.items().next().unwrap().id.clone();
    score_and_submit(&app, "reviewer", aid, 60).await;
    let chen = app.signed_in("reviewer").await;
    let chen_e = expert(&app, "reviewer").await;
    let p = chen.get(&format!("/review/applications/{aid}/score")).await;
    assert!(
        p.body.contains("修改理由"),
        "a submitted book asks for a reason"
    );
    assert!(
        !p.body.contains("data-autosave"),
        "no silent autosave after submission"
    );
    let key = format!("percent.{first}");
    let p = chen
        .post(
            &format!("/review/applications/{aid}/score"),
            &[(&key, "70")],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("理由"), "{}", p.body);
    let book = app
        .store
        .scorebook(aid, chen_e.id, Phase::Material)
        .await
        .unwrap();
    assert_eq!(book.items[&first].percent, Some(60), "nothing changed");
    assert_eq!(book.version, 1);
    // Autosave after submission does not slip a change through either.
    let p = chen
        .post(
            &format!("/review/applications/{aid}/score/autosave"),
            &[(&key, "70")],
        )
        .await;
    assert!(p.body.contains("理由"), "{}", p.body);
    assert_eq!(
        app.store
            .scorebook(aid, chen_e.id, Phase::Material)
            .await
            .unwrap()
            .items[&first]
            .percent,
        Some(60)
    );
    let p = chen
        .post(
            &format!("/review/applications/{aid}/score"),
            &[(&key, "70"), ("reason", "复核自评报告后调整（测试）")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let book = app
        .store
        .scorebook(aid, chen_e.id, Phase::Material)
        .await
        .unwrap();
    assert_eq!(book.items[&first].percent, Some(70));
    assert_eq!(book.version, 2);
    let p = chen
        .get(&format!("/review/applications/{aid}/consensus"))
        .await;
    let versions = between(&p.body, "id=\"versions\"", "</section>");
    assert!(
        versions.contains(&format!(
            "<td>{first}</td><td>2</td><td>70%</td><td>复核自评报告后调整（测试）</td>"
        )),
        "{versions}"
    );
    assert!(versions.contains("陈审"), "{versions}");
}

#[tokio::test]
async fn only_the_leader_forms_the_consensus_once_every_member_has_submitted() {
    let app = spawn_app().await;
    let aid = app.demo.review.pending;
    let c = criteria(&app).await;
    let chen = app.signed_in("reviewer").await;
    let lead = app.signed_in("reviewer-lead").await;
    let mut f = form_all(&c, 60);
    f.push((
        "summary".into(),
        "该单位质量管理体系较完整（测试综合意见）。".into(),
    ));
    f.push(("suggestions".into(), "加强对标分析（测试）。".into()));
    let p = chen
        .post(&format!("/review/applications/{aid}/consensus"), &refs(&f))
        .await;
    assert_eq!(p.status, 403, "{}", p.body);
    assert!(p.body.contains("只有评审组组长"), "{}", p.body);
    let page = chen
        .get(&format!("/review/applications/{aid}/consensus"))
        .await;
    assert!(
        !page.body.contains("提交合议意见"),
        "a member has no consensus form"
    );
    // Another team's leader is no leader here.
    let sun = app.signed_in("reviewer-lead2").await;
    let p = sun
        .post(&format!("/review/applications/{aid}/consensus"), &refs(&f))
        .await;
    assert_eq!(p.status, 403);
    assert!(
        p.body.contains("不在负责该申报单位的评审组中"),
        "{}",
        p.body
    );
    let page = lead
        .get(&format!("/review/applications/{aid}/consensus"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("尚未提交独立评分"));
    // Too early: two members have not submitted (Art. 15).
    let p = lead
        .post(&format!("/review/applications/{aid}/consensus"), &refs(&f))
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第十五条"), "{}", p.body);
    assert!(
        p.body.contains("陈审") && p.body.contains("王敏"),
        "{}",
        p.body
    );
    score_and_submit(&app, "reviewer", aid, 55).await;
    score_and_submit(&app, "reviewer02", aid, 65).await;
    let page = lead
        .get(&format!("/review/applications/{aid}/consensus"))
        .await;
    assert!(
        page.body.contains("class=\"compact\""),
        "the leader sees every score"
    );
    // Submitting without the overall comment is refused beside the field.
    let mut no_summary = form_all(&c, 60);
    no_summary.push(("summary".into(), String::new()));
    no_summary.push(("submit".into(), "1".into()));
    let p = lead
        .post(
            &format!("/review/applications/{aid}/consensus"),
            &refs(&no_summary),
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("综合意见"), "{}", p.body);
    f.push(("submit".into(), "1".into()));
    let p = lead
        .post(&format!("/review/applications/{aid}/consensus"), &refs(&f))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let cons = app.store.consensus(aid, Phase::Material).await.unwrap();
    assert!(cons.submitted_at.is_some());
    let total = qaward_store::scoring::points_text(qaward_store::scoring::total_hundredths(
        &c,
        &cons.items,
    ));
    assert_eq!(total, "600.00");
    let page = lead
        .get(&format!("/review/applications/{aid}/consensus"))
        .await;
    assert!(page.body.contains("合议意见已提交"), "{}", page.body);
    let name = name_of(&app, aid);
    for u in [&lead, &chen] {
        let p = u.get(&format!("/review/applications/{aid}/report")).await;
        assert_eq!(p.status, 200, "{}", p.body);
        assert!(p.body.contains(&total), "the report shows the total");
        assert!(p.body.contains(&name));
        assert!(
            p.body
                .contains("该单位质量管理体系较完整（测试综合意见）。")
        );
    }
    let (status, pdf, ct) = lead
        .get_bytes(&format!("/review/applications/{aid}/report.pdf"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let text: String = pdftotext(&pdf).split_whitespace().collect();
    assert!(text.contains(&name), "{text}");
    assert!(text.contains("资料评审报告"), "{text}");
    assert!(text.contains(&total), "{text}");
}

#[tokio::test]
async fn over_six_on_site_needs_a_justification_and_those_left_out_get_their_report() {
    let app = spawn_app().await;
    let sid = app.demo.review.session_id;
    let office = app.signed_in("office").await;
    // Not ready while one consensus is missing.
    let p = office.get(&format!("/office/sessions/{sid}/ranking")).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("尚有申报单位未完成合议"));
    complete_pending(&app, 60).await;
    let mut rows = app
        .store
        .review_rows(sid, Phase::Material, today())
        .await
        .unwrap();
    rows.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.application_id.cmp(&b.application_id))
    });
    assert!(rows.iter().all(|r| r.total.is_some()));
    let p = office.get(&format!("/office/sessions/{sid}/ranking")).await;
    let table = between(&p.body, "id=\"ranking\"", "</table>");
    let at: Vec<usize> = rows
        .iter()
        .map(|r| table.find(&format!("<td>{}</td>", r.name)).unwrap())
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "ranked by consensus total"
    );
    for (i, r) in rows.iter().enumerate() {
        let tr = between(
            table,
            &format!("<td>{}</td>\n      <td>{}</td>", i + 1, r.name),
            "</tr>",
        );
        assert!(tr.contains(&r.total_text()), "{tr}");
    }
    let chosen: Vec<i64> = rows.iter().take(7).map(|r| r.application_id).collect();
    let left_out: Vec<i64> = rows.iter().skip(7).map(|r| r.application_id).collect();
    // Before the decision an applicant has no feedback yet.
    let out0 = app.signed_in(&applicant_of(&app, left_out[0])).await;
    let p = out0
        .get(&format!("/review/applications/{}/report", left_out[0]))
        .await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("尚未发布"));
    let ids: Vec<String> = chosen.iter().map(ToString::to_string).collect();
    let mut form: Vec<(&str, &str)> = ids.iter().map(|i| ("application_id", i.as_str())).collect();
    form.push(("justification", ""));
    let p = office
        .post(&format!("/office/sessions/{sid}/onsite"), &form)
        .await;
    assert!(p.status == 409 || p.status == 422, "{}", p.status);
    assert!(p.body.contains("第十五条"), "{}", p.body);
    assert!(p.body.contains("6家"), "{}", p.body);
    // The form comes back with the ticks kept and the message beside the justification.
    assert!(p.body.contains("id=\"justification\""), "{}", p.body);
    assert!(p.body.contains("class=\"field-error\""));
    for id in &chosen {
        assert!(
            p.body.contains(&format!(
                "id=\"pick-{id}\" name=\"application_id\" value=\"{id}\" checked"
            )),
            "{id} stays ticked"
        );
    }
    assert!(app.store.onsite_list(sid).await.unwrap().is_none());
    let why = "第七名与第六名合议得分相近，均有较强示范作用（测试）";
    form.pop();
    form.push(("justification", why));
    let p = office
        .post(&format!("/office/sessions/{sid}/onsite"), &form)
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let list = app.store.onsite_list(sid).await.unwrap().unwrap();
    assert_eq!(list.entries.len(), 7);
    assert_eq!(list.justification, why);
    let p = office.get(&format!("/office/sessions/{sid}/ranking")).await;
    assert!(p.body.contains("id=\"onsite-decided\""));
    assert!(p.body.contains(why));
    assert!(p.body.contains("未入选，已发送反馈"));
    // Those left out are told and can read their report; those chosen cannot yet.
    for aid in &left_out {
        let username = applicant_of(&app, *aid);
        let uid = user_id(&app, &username).await;
        let notes = app.store.notifications(uid).await.unwrap();
        let n = notes
            .iter()
            .find(|n| n.subject.contains("资料评审反馈"))
            .unwrap_or_else(|| panic!("{username} is told: {notes:?}"));
        assert_eq!(
            n.link.as_deref(),
            Some(format!("/review/applications/{aid}/report").as_str())
        );
        let u = app.signed_in(&username).await;
        let p = u.get(&format!("/review/applications/{aid}/report")).await;
        assert_eq!(p.status, 200, "{username}: {}", p.body);
        assert!(p.body.contains(&name_of(&app, *aid)));
        assert!(
            p.body.contains("未入选现场评审") || p.body.contains("未入选"),
            "{}",
            p.body
        );
    }
    let picked = chosen[0];
    let username = applicant_of(&app, picked);
    let uid = user_id(&app, &username).await;
    assert!(
        app.store
            .notifications(uid)
            .await
            .unwrap()
            .iter()
            .any(|n| n.subject.contains("入选现场评审"))
    );
    let u = app.signed_in(&username).await;
    assert_eq!(
        u.get(&format!("/review/applications/{picked}/report"))
            .await
            .status,
        403
    );
    // Another applicant's report stays closed even after release.
    assert_eq!(
        out0.get(&format!("/review/applications/{}/report", left_out[1]))
            .await
            .status,
        403
    );
    // Deciding again is refused.
    let p = office
        .post(&format!("/office/sessions/{sid}/onsite"), &form)
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("不能重复确定"));
}

/// Remove a reviewer's signature of the session's declaration (as for a newly added member).
async fn unsign(app: &TestApp, username: &str) {
    let e = expert(app, username).await;
    sqlx::query("DELETE FROM review_declarations WHERE session_id = $1 AND expert_id = $2")
        .bind(app.demo.review.session_id)
        .bind(e.id)
        .execute(app.store.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_member_signs_the_declaration_before_seeing_any_material() {
    let app = spawn_app().await;
    let sid = app.demo.review.session_id;
    let aid = completed(&app).await;
    unsign(&app, "reviewer02").await;
    let wang = app.signed_in("reviewer02").await;
    let desk = wang.get("/review").await;
    assert_eq!(desk.status, 200);
    assert!(
        desk.body
            .contains(&format!("/review/sessions/{sid}/declaration"))
    );
    assert!(
        !desk
            .body
            .contains(&format!("href=\"/review/applications/{aid}\""))
    );
    for path in [
        format!("/review/applications/{aid}"),
        format!("/review/applications/{aid}/score"),
        format!("/review/applications/{aid}/consensus"),
    ] {
        let p = wang.get(&path).await;
        assert_eq!(p.status, 303, "{path}");
        let loc = p.location.unwrap();
        assert!(
            loc.starts_with(&format!("/review/sessions/{sid}/declaration?next=")),
            "{path} → {loc}"
        );
    }
    let page = wang
        .get(&format!(
            "/review/sessions/{sid}/declaration?next=/review/applications/{aid}"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("公正性和保密承诺书"));
    assert!(page.body.contains("第二十五条"));
    let p = wang
        .post(
            &format!("/review/sessions/{sid}/declaration"),
            &[("next", &format!("/review/applications/{aid}"))],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("承诺"), "{}", p.body);
    assert!(
        app.store
            .review_declaration(sid, expert(&app, "reviewer02").await.id)
            .await
            .unwrap()
            .is_none()
    );
    // Only a path inside the review desk is followed after signing.
    let p = wang
        .post(
            &format!("/review/sessions/{sid}/declaration"),
            &[("agree", "yes"), ("next", "https://example.com/")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/review"));
    assert!(
        app.store
            .review_declaration(sid, expert(&app, "reviewer02").await.id)
            .await
            .unwrap()
            .is_some()
    );
    let p = wang.get(&format!("/review/applications/{aid}")).await;
    assert_eq!(p.status, 200, "{}", p.body);
}

#[tokio::test]
async fn an_unsigned_member_reaches_no_material_by_another_url() {
    let app = spawn_app().await;
    let aid = completed(&app).await;
    let att = app.store.attachments(aid).await.unwrap()[0].id;
    let wang = app.signed_in("reviewer02").await;
    assert_eq!(wang.get(&format!("/attachments/{att}")).await.status, 200);
    unsign(&app, "reviewer02").await;
    for path in [
        format!("/applications/{aid}"),
        format!("/attachments/{att}"),
        format!("/review/applications/{aid}/report"),
        format!("/review/applications/{aid}/report.pdf"),
    ] {
        let p = wang.get(&path).await;
        assert!(
            p.status == 403 || p.status == 303,
            "{path} before signing: {}",
            p.status
        );
    }
}

#[tokio::test]
async fn a_conflicted_reviewer_is_refused_everywhere_on_that_applicant() {
    let app = spawn_app().await;
    let r = &app.demo.review;
    let a0 = r.applications[0].1;
    let liu = app.signed_in("reviewer-conflict").await;
    let mut routes = reviewer_routes(a0);
    let att = app.store.attachments(a0).await.unwrap()[0].id;
    routes.push(("GET", format!("/attachments/{att}"), vec![]));
    routes.push(("GET", format!("/attachments/{att}?inline=1"), vec![]));
    routes.push(("GET", format!("/applications/{a0}"), vec![]));
    for (method, path, form) in &routes {
        let p = send(&liu, method, path, form).await;
        assert_eq!(p.status, 403, "{method} {path}");
        assert!(p.body.contains("第二十五条"), "{method} {path}: {}", p.body);
        assert!(!p.body.contains("财务审计报告"), "{path} leaks a file name");
    }
    // Nothing was recorded in 刘工's name.
    let e = expert(&app, "reviewer-conflict").await;
    assert!(
        app.store
            .scorebook(a0, e.id, Phase::Material)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // 刘工 still works on the own team's applicants.
    let own = team_apps(&app, "第二评审组").await;
    assert!(!own.contains(&a0));
    let p = liu.get(&format!("/review/applications/{}", own[0])).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let desk = liu.get("/review").await;
    assert!(
        !desk.body.contains(&r.applications[0].0),
        "the desk does not list it"
    );
}

#[tokio::test]
async fn declaring_a_conflict_ends_access_at_once_and_warns_the_office() {
    let app = spawn_app().await;
    let sid = app.demo.review.session_id;
    let aid = completed(&app).await;
    let li = app.signed_in("reviewer03").await;
    assert_eq!(
        li.get(&format!("/review/applications/{aid}")).await.status,
        200
    );
    let p = li
        .post(
            &format!("/review/applications/{aid}/conflict"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("回避理由"), "{}", p.body);
    assert_eq!(
        li.get(&format!("/review/applications/{aid}")).await.status,
        200
    );
    let p = li
        .post(
            &format!("/review/applications/{aid}/conflict"),
            &[("reason", "本人配偶上月入职该单位（测试）")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/review?declared=1"));
    for path in [
        format!("/review/applications/{aid}"),
        format!("/review/applications/{aid}/score"),
        format!("/review/applications/{aid}/consensus"),
        format!("/review/applications/{aid}/report"),
    ] {
        let p = li.get(&path).await;
        assert_eq!(p.status, 403, "{path}");
        assert!(p.body.contains("第二十五条"), "{path}: {}", p.body);
    }
    let office = app.signed_in("office").await;
    let page = office.get(&format!("/office/sessions/{sid}/review")).await;
    // The member has left that application's team: the office is asked for a substitute.
    let tr = between(&page.body, &format!("id=\"app-{aid}\""), "</tr>");
    assert!(!tr.contains("李华"), "{tr}");
    let rec = between(&page.body, "id=\"recusals\"", "</section>");
    assert!(rec.contains("李华") && rec.contains("待指定"), "{rec}");
    let uid = user_id(&app, "office").await;
    assert!(
        app.store
            .notifications(uid)
            .await
            .unwrap()
            .iter()
            .any(|n| n.subject.contains("评审员回避，请指定替补"))
    );
    // The others on the team keep their access.
    let chen = app.signed_in("reviewer").await;
    assert_eq!(
        chen.get(&format!("/review/applications/{aid}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_removed_reviewer_is_refused_on_every_application() {
    let app = spawn_app().await;
    let r = &app.demo.review;
    let han = app.signed_in("reviewer-removed").await;
    let desk = han.get("/review").await;
    assert_eq!(desk.status, 200);
    assert!(desk.body.contains("第二十四条"));
    assert!(desk.body.contains("您目前没有评审任务"));
    for (_, aid) in &r.applications {
        for (method, path, form) in reviewer_routes(*aid) {
            let p = send(&han, method, &path, &form).await;
            assert_eq!(p.status, 403, "{method} {path}");
            assert!(p.body.contains("第二十四条"), "{method} {path}: {}", p.body);
        }
        let p = han.get(&format!("/applications/{aid}")).await;
        assert_eq!(p.status, 403);
        assert!(p.body.contains("第二十四条"));
    }
    let p = han
        .get(&format!("/review/sessions/{}/declaration", r.session_id))
        .await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("第二十四条"));
}

#[tokio::test]
async fn access_ends_when_the_session_closes_or_the_team_dissolves() {
    let app = spawn_app().await;
    let sid = app.demo.review.session_id;
    let aid = completed(&app).await;
    let chen = app.signed_in("reviewer").await;
    assert_eq!(
        chen.get(&format!("/review/applications/{aid}"))
            .await
            .status,
        200
    );
    let uid = user_id(&app, "reviewer").await;
    sqlx::query("UPDATE award_sessions SET stage = 'closed' WHERE id = $1")
        .bind(sid)
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, s, _) = app
        .store
        .reviewer_standing(uid, aid, app.now_ts())
        .await
        .unwrap();
    assert!(!s.member && !s.leader, "{s:?}");
    let p = chen.get(&format!("/review/applications/{aid}")).await;
    assert_eq!(p.status, 403);
    assert!(p.body.contains("评审组已解散"), "{}", p.body);
    let desk = chen.get("/review").await;
    assert!(
        !desk.body.contains("第一评审组"),
        "the desk no longer lists the team"
    );
    // The same once the teams are dissolved, whatever the stage.
    sqlx::query("UPDATE award_sessions SET stage = 'material_review' WHERE id = $1")
        .bind(sid)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        chen.get(&format!("/review/applications/{aid}"))
            .await
            .status,
        200
    );
    sqlx::query("UPDATE review_teams SET dissolved_at = 1 WHERE session_id = $1")
        .bind(sid)
        .execute(app.store.pool())
        .await
        .unwrap();
    let p = chen.get(&format!("/review/applications/{aid}/score")).await;
    assert_eq!(p.status, 403);
    let p = chen
        .get(&format!("/review/sessions/{sid}/declaration"))
        .await;
    assert_eq!(p.status, 403);
}

#[tokio::test]
async fn a_draft_has_no_review_report_for_anyone() {
    let app = crate::helpers::spawn_app().await;
    let draft = app
        .demo
        .applications
        .iter()
        .find(|(_, _, s)| s == "draft")
        .map(|(_, id, _)| *id)
        .expect("a draft in the demo");
    for who in ["office", "leader", "discipline"] {
        let u = app.signed_in(who).await;
        assert_eq!(
            u.get(&format!("/applications/{draft}")).await.status,
            403,
            "{who}"
        );
        for path in [
            format!("/review/applications/{draft}/report"),
            format!("/review/applications/{draft}/report.pdf"),
        ] {
            let p = u.get(&path).await;
            let unknown = u.get(&path.replace(&draft.to_string(), "987654321")).await;
            assert_eq!(p.status, 403, "{who} {path}");
            assert_eq!(p.status, unknown.status, "{who} {path}: like an unknown id");
        }
    }
}
