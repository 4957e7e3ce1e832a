//! The same action raced from several clients at once, as a second tab or an autosave already
//! in flight sends it. Every command decides on what it reads inside its own transaction, so
//! afterwards a submitted scorebook or consensus equals its latest recorded version, every
//! change after submission is a version with its reason, and the audit chain verifies with
//! times that never go back.

use crate::helpers::{TestApp, User, spawn_app};
use qaward_core::criteria::Criteria;
use qaward_store::audit::Filter;
use qaward_store::scoring::Phase;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `n` browser tabs of one reviewer: each its own session and CSRF token.
pub(crate) async fn tabs(app: &TestApp, username: &str, n: usize) -> Vec<(User, String)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let u = app.signed_in(username).await;
        let t = u.csrf().await;
        out.push((u, t));
    }
    out
}

async fn criteria(app: &TestApp) -> Arc<Criteria> {
    let d = app
        .store
        .session_detail(app.demo.review.session_id)
        .await
        .unwrap();
    app.store.criteria(&d.rules.meta.criteria).await.unwrap()
}

/// A scorebook form: every item at `percent`, item `changed` (if any) at `to`.
fn form(
    c: &Criteria,
    percent: u32,
    changed: Option<(usize, u32)>,
    extra: &[(&str, &str)],
    token: &str,
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = c
        .items()
        .enumerate()
        .map(|(i, it)| {
            let p = match changed {
                Some((k, to)) if k == i => to,
                _ => percent,
            };
            (format!("percent.{}", it.id), p.to_string())
        })
        .collect();
    for (k, v) in extra {
        f.push(((*k).to_owned(), (*v).to_owned()));
    }
    f.push(("csrf".into(), token.to_owned()));
    f
}

/// A form to post from a tab: the tab, the address, the fields.
pub(crate) type Post = (User, String, Vec<(String, String)>);

/// Post every form at once, each from its tab; the statuses in the order given.
pub(crate) async fn race(posts: Vec<Post>) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for (i, (u, path, f)) in posts.into_iter().enumerate() {
        set.spawn(async move { (i, u.post_raw(&path, &f).await.status) });
    }
    let mut out = BTreeMap::new();
    while let Some(r) = set.join_next().await {
        let (i, s) = r.unwrap();
        out.insert(i, s);
    }
    out.into_values().collect()
}

/// For every item of the book, the stored score equals its latest recorded version.
async fn book_is_its_latest_version(
    app: &TestApp,
    aid: i64,
    expert: Option<i64>,
    phase: Phase,
) -> (usize, i64) {
    let versions = app.store.score_versions(aid, phase).await.unwrap();
    let mine: Vec<_> = versions.iter().filter(|v| v.expert_id == expert).collect();
    let (items, version) = match expert {
        Some(e) => {
            let b = app.store.scorebook(aid, e, phase).await.unwrap();
            assert!(b.submitted_at.is_some(), "the scorebook is submitted");
            (b.items, b.version)
        }
        None => {
            let c = app.store.consensus(aid, phase).await.unwrap();
            assert!(c.submitted_at.is_some(), "the consensus is submitted");
            (c.items, c.version)
        }
    };
    for (id, it) in &items {
        let latest = mine
            .iter()
            .filter(|v| &v.item_id == id)
            .max_by_key(|v| v.version)
            .unwrap_or_else(|| panic!("item {id} has a recorded version"));
        assert_eq!(
            latest.percent, it.percent,
            "item {id}: the stored score is its latest version (v{})",
            latest.version
        );
        assert!(
            !latest.reason.trim().is_empty(),
            "every version has a reason"
        );
    }
    let top = mine.iter().map(|v| v.version).max().unwrap_or(0);
    assert_eq!(
        version, top,
        "the book's version is its latest recorded one"
    );
    (mine.len(), version)
}

/// The audit chain verifies, and from entry `from` on no entry is dated before the one it
/// follows (the demo's fictional history before it is written at the dates it would have
/// happened, not in that order).
pub(crate) async fn chain_verifies_forward(app: &TestApp, from: i64) {
    assert!(
        app.store.verify_audit().await.unwrap().is_ok(),
        "the audit chain verifies"
    );
    let mut entries = app
        .store
        .audit_entries(&Filter {
            limit: 1_000_000,
            ..Filter::default()
        })
        .await
        .unwrap();
    entries.sort_by_key(|e| e.seq);
    entries.retain(|e| e.seq >= from);
    assert!(entries.len() > 1, "entries were written from {from} on");
    for w in entries.windows(2) {
        assert!(
            w[1].at >= w[0].at,
            "entry {} ({}) is dated before entry {} ({})",
            w[1].seq,
            w[1].at,
            w[0].seq,
            w[0].at
        );
    }
}

/// What `user` recorded about application `aid` from entry `from` on, after its entry
/// `after`, in order.
async fn actions_after(
    app: &TestApp,
    aid: i64,
    user: i64,
    from: i64,
    after: &str,
) -> Vec<(String, String)> {
    let mut entries = app
        .store
        .audit_entries(&Filter {
            action_prefix: Some("review.".into()),
            limit: 1_000_000,
            ..Filter::default()
        })
        .await
        .unwrap();
    entries.sort_by_key(|e| e.seq);
    let mine: Vec<_> = entries
        .into_iter()
        .filter(|e| {
            e.seq >= from
                && e.actor_id == Some(user)
                && e.subject_type == "application"
                && e.subject_id == aid.to_string()
        })
        .collect();
    let start = mine
        .iter()
        .position(|e| e.action == after)
        .unwrap_or_else(|| panic!("{after} is recorded"));
    mine[start + 1..]
        .iter()
        .map(|e| (e.action.clone(), e.summary.clone()))
        .collect()
}

#[tokio::test]
async fn a_scorebook_submitted_while_autosaves_and_saves_race_it_changes_after_only_as_versions_with_reasons()
 {
    let app = spawn_app().await;
    let aid = app.demo.review.pending;
    let c = criteria(&app).await;
    let chen = app
        .store
        .experts(app.demo.review.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.username.as_deref() == Some("reviewer"))
        .unwrap();
    let tabs = tabs(&app, "reviewer", 5).await;
    let from = app.store.audit_len().await.unwrap();
    let score = format!("/review/applications/{aid}/score");
    // Every item at 50 %, saved.
    let p = tabs[0]
        .0
        .post_raw(&score, &form(&c, 50, None, &[], &tabs[0].1))
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // Then, at once: the submission, autosaves of one item at 85 %, saves without a reason
    // and revisions with one, from five tabs.
    let mut posts = vec![(
        tabs[0].0.clone(),
        format!("{score}/submit"),
        form(&c, 50, None, &[], &tabs[0].1),
    )];
    for k in 0..12 {
        let (u, t) = &tabs[1 + k % 4];
        let (path, extra): (String, Vec<(&str, &str)>) = match k % 3 {
            0 => (format!("{score}/autosave"), vec![]),
            1 => (score.clone(), vec![]),
            _ => (score.clone(), vec![("reason", "复核后调整")]),
        };
        posts.push((u.clone(), path, form(&c, 50, Some((k % 3, 85)), &extra, t)));
    }
    let statuses = race(posts).await;
    assert_eq!(
        statuses[0], 303,
        "the submission goes through: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 303, 409, 422].contains(s)),
        "no request fails: {statuses:?}"
    );
    let (versions, version) =
        book_is_its_latest_version(&app, aid, Some(chen.id), Phase::Material).await;
    assert!(
        versions >= c.items().count(),
        "the submission recorded every item"
    );
    assert!(version >= 1);
    // After the submission nothing was saved as a draft: only refusals and revisions with
    // their reason.
    for (action, summary) in actions_after(
        &app,
        aid,
        chen.user_id.unwrap(),
        from,
        "review.score.submit",
    )
    .await
    {
        match action.as_str() {
            "review.score.revise" => assert!(summary.contains("理由：复核后调整"), "{summary}"),
            "review.score.refused" => assert!(summary.contains("已提交"), "{summary}"),
            other => panic!("after submission, {other}: {summary}"),
        }
    }
    chain_verifies_forward(&app, from).await;
}

#[tokio::test]
async fn a_consensus_submitted_while_the_leader_saves_it_from_other_tabs_changes_after_only_as_versions()
 {
    let app = spawn_app().await;
    let aid = app.demo.review.pending;
    crate::review::complete_members_of_pending(&app, 60).await;
    let c = criteria(&app).await;
    let lead = app
        .store
        .experts(app.demo.review.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.username.as_deref() == Some("reviewer-lead"))
        .unwrap();
    let tabs = tabs(&app, "reviewer-lead", 4).await;
    let from = app.store.audit_len().await.unwrap();
    let cons = format!("/review/applications/{aid}/consensus");
    let text = [("summary", "合议测试综合意见。"), ("suggestions", "")];
    let mut posts = vec![(
        tabs[0].0.clone(),
        cons.clone(),
        form(
            &c,
            60,
            None,
            &[text[0], text[1], ("submit", "1")],
            &tabs[0].1,
        ),
    )];
    for k in 0..9 {
        let (u, t) = &tabs[1 + k % 3];
        let mut extra = vec![text[0], text[1]];
        if k % 2 == 1 {
            extra.push(("reason", "组内复议"));
        }
        posts.push((
            u.clone(),
            cons.clone(),
            form(&c, 60, Some((k % 4, 70)), &extra, t),
        ));
    }
    let statuses = race(posts).await;
    assert!(
        statuses.iter().all(|s| [200, 303, 409, 422].contains(s)),
        "no request fails: {statuses:?}"
    );
    book_is_its_latest_version(&app, aid, None, Phase::Material).await;
    for (action, summary) in actions_after(
        &app,
        aid,
        lead.user_id.unwrap(),
        from,
        "review.consensus.submit",
    )
    .await
    {
        match action.as_str() {
            "review.consensus.revise" => assert!(summary.contains("理由：组内复议"), "{summary}"),
            "review.consensus.refused" => assert!(summary.contains("已提交"), "{summary}"),
            other => panic!("after submission, {other}: {summary}"),
        }
    }
    chain_verifies_forward(&app, from).await;
}

/// The eligibility review form of application `aid` as the office's page lists its items:
/// every item passed, item `failed` (if any, by position) failed with a reason.
async fn eligibility_form(
    office: &User,
    aid: i64,
    failed: Option<usize>,
    token: &str,
) -> Vec<(String, String)> {
    let page = office.get(&format!("/office/applications/{aid}")).await;
    let mut codes: Vec<String> = page
        .body
        .split("name=\"item.")
        .skip(1)
        .filter_map(|r| r.split('"').next().map(str::to_owned))
        .collect();
    codes.dedup();
    assert!(codes.len() > 3, "the review lists its items: {codes:?}");
    let mut f = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let fail = failed == Some(i);
        f.push((
            format!("item.{code}"),
            if fail { "fail" } else { "pass" }.to_owned(),
        ));
        f.push((
            format!("reason.{code}"),
            if fail {
                "经核实不符合该项条件（测试）".to_owned()
            } else {
                String::new()
            },
        ));
    }
    f.push(("csrf".into(), token.to_owned()));
    f
}

/// A recommended application of the demo's 2026 session, forwarded to the city or not yet.
async fn recommended(app: &TestApp, forwarded: bool) -> i64 {
    app.store
        .session_applications(
            app.demo.session_2026,
            qaward_store::application::Status::Recommended,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.county.as_ref().and_then(|c| c.forwarded_at).is_some() == forwarded)
        .expect("a recommended application of the demo")
        .id
}

#[tokio::test]
async fn an_eligibility_decision_sent_from_several_tabs_leaves_the_application_as_its_last_record_says()
 {
    let app = spawn_app().await;
    let aid = recommended(&app, true).await;
    let office = app.signed_in("office").await;
    let mut posts: Vec<Post> = Vec::new();
    for (k, (u, token)) in tabs(&app, "office", 4).await.into_iter().enumerate() {
        let failed = (k % 2 == 1).then_some(k);
        let f = eligibility_form(&office, aid, failed, &token).await;
        posts.push((u, format!("/office/applications/{aid}"), f));
    }
    let statuses = race(posts).await;
    assert_eq!(statuses, vec![303; 4], "a decision may be taken again");
    // The application, its review and the last recorded decision say the same.
    let a = app.store.application(aid).await.unwrap();
    let review = a.eligibility.expect("a recorded review");
    let mut log = app
        .store
        .audit_entries(&Filter {
            action_prefix: Some("eligibility.decide".into()),
            limit: 1000,
            ..Filter::default()
        })
        .await
        .unwrap();
    log.retain(|e| e.subject_id == aid.to_string());
    log.sort_by_key(|e| e.seq);
    assert_eq!(log.len(), 4, "every decision is recorded");
    let last = log.last().unwrap();
    assert_eq!(last.new_state.as_deref(), Some(a.status.code()));
    assert_eq!(review.result.as_deref(), Some(a.status.code()));
    assert_eq!(last.article, Some(14));
    assert!(
        log.windows(2).all(|w| w[0].at <= w[1].at),
        "times never go back"
    );
    assert!(
        app.store.verify_audit().await.unwrap().is_ok(),
        "the audit chain verifies"
    );
}

#[tokio::test]
async fn an_application_not_forwarded_is_refused_with_its_article_and_logged() {
    let app = spawn_app().await;
    let aid = recommended(&app, false).await;
    let office = app.signed_in("office").await;
    let token = office.csrf().await;
    let f = eligibility_form(&office, aid, None, &token).await;
    let p = office
        .post_raw(&format!("/office/applications/{aid}"), &f)
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第十四条"), "{}", p.body);
    assert!(p.body.contains("只能审查县（市、区）已推荐并报送的申报"));
    let log = app
        .store
        .audit_entries(&Filter {
            action_prefix: Some("eligibility.decide.refused".into()),
            limit: 10,
            ..Filter::default()
        })
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.subject_id == aid.to_string()));
}
