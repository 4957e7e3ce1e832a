//! The proposal of winners (Art. 3, 18), the leadership group's meeting with quorum, recusal and
//! majority (Art. 6, 18), the public notice (Art. 18) and real-name objections (Art. 28), on the
//! review-stage demonstration programme.

use crate::helpers::{TestApp, User, spawn_app};
use qaward_core::session::Stage;
use qaward_store::Who;
use qaward_store::decision::{ApplicantVotes, MeetingInput, MemberInput, ProposalInput};

/// A valid citizen identity number (the example of GB 11643-1999).
const ID_OK: &str = "11010519491231002X";
/// The same number with a wrong check character.
const ID_BAD: &str = "110105194912310021";

fn day(y: i16, m: i8, d: i8) -> jiff::civil::Date {
    jiff::civil::date(y, m, d)
}

/// Set the app's clock to 10:00 Shanghai on a day.
fn set_day(app: &TestApp, d: jiff::civil::Date) {
    app.clock.set(qaward_core::clock::at_shanghai(d, 10, 0));
}

async fn office_who(app: &TestApp) -> Who {
    let id = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "office")
        .unwrap()
        .id;
    Who::user(id, "林晓（市强市办，演示）", "city_office")
}

/// Drive the review demo's session to the Proposal stage: the material review finished and
/// the best five chosen on 2026-11-25, the on-site review and comprehensive evaluation done by
/// 2027-03-01. Returns the session id; the clock shows 2027-03-16.
pub async fn to_proposal(app: &TestApp) -> i64 {
    let sid = app.demo.review.session_id;
    crate::helpers::start_onsite(app).await;
    set_day(app, day(2027, 3, 1));
    crate::helpers::finish_onsite(app).await;
    set_day(app, day(2027, 3, 16));
    sid
}

/// Through the store: propose `votes`' applicants in order, record a three-member meeting on
/// 2027-03-21 with those secret-ballot counts (agree, disagree, abstain), confirm, and move to
/// the Public notice stage on 2027-03-25.
async fn decide(app: &TestApp, sid: i64, votes: &[(i64, (u32, u32, u32))]) {
    let who = office_who(app).await;
    app.store
        .save_proposal(
            &who,
            sid,
            &ProposalInput {
                entries: votes
                    .iter()
                    .map(|(a, _)| (*a, "综合评价前列（测试）".into()))
                    .collect(),
                empty_reason: String::new(),
            },
            app.now_ts(),
        )
        .await
        .unwrap();
    app.store
        .submit_proposal(&who, sid, app.now_ts())
        .await
        .unwrap();
    set_day(app, day(2027, 3, 21));
    app.store
        .advance_session(&who, sid, Stage::LeadershipDecision, app.now_ts())
        .await
        .unwrap();
    let members = ["甲成员", "乙成员", "丙成员"]
        .iter()
        .map(|n| MemberInput {
            user_id: None,
            name: (*n).into(),
            present: true,
        })
        .collect();
    app.store
        .save_meeting(
            &who,
            sid,
            &MeetingInput {
                held_on: "2027-03-21".into(),
                place: "市政府第一会议室".into(),
                members,
            },
            app.now_ts(),
        )
        .await
        .unwrap();
    let ballots: Vec<ApplicantVotes> = votes
        .iter()
        .map(|(a, c)| ApplicantVotes {
            application_id: *a,
            counts: Some(*c),
            ..Default::default()
        })
        .collect();
    app.store
        .record_votes(&who, sid, &ballots, app.now_ts())
        .await
        .unwrap();
    app.store
        .confirm_meeting(&who, sid, app.now_ts())
        .await
        .unwrap();
    set_day(app, day(2027, 3, 25));
    app.store
        .advance_session(&who, sid, Stage::PublicNotice, app.now_ts())
        .await
        .unwrap();
}

/// Propose the first two of the ranking, decide (the first passes) and move to the Public
/// notice stage on 2027-03-25. Returns (session, the decided applicant, the one that failed).
async fn to_notice(app: &TestApp) -> (i64, i64, i64) {
    let sid = to_proposal(app).await;
    let ranking = app.store.proposal_ranking(sid).await.unwrap();
    let (a, b) = (ranking[0].application_id, ranking[1].application_id);
    decide(app, sid, &[(a, (3, 0, 0)), (b, (1, 2, 0))]).await;
    (sid, a, b)
}

/// The three best proposed and all decided, the notice from 2027-03-25 to 04-01 without
/// objection, and the session moved to Government approval on 2027-04-02 (the clock's day).
/// Returns the session.
pub async fn to_approval(app: &TestApp) -> i64 {
    let sid = to_proposal(app).await;
    let who = office_who(app).await;
    let ranking = app.store.proposal_ranking(sid).await.unwrap();
    let votes: Vec<(i64, (u32, u32, u32))> = ranking
        .iter()
        .take(3)
        .map(|r| (r.application_id, (3, 0, 0)))
        .collect();
    decide(app, sid, &votes).await;
    app.store
        .publish_notice(
            &who,
            sid,
            &qaward_store::decision::NoticeInput {
                starts_on: "2027-03-25".into(),
                ends_on: "2027-04-01".into(),
                body: "拟奖名单公示（测试）。".into(),
                address: "市强市办（测试）".into(),
                phone: "0763-0000000".into(),
                email: "test@example.com".into(),
            },
            app.now_ts(),
        )
        .await
        .unwrap();
    set_day(app, day(2027, 4, 2));
    app.store
        .advance_session(&who, sid, Stage::GovernmentApproval, app.now_ts())
        .await
        .unwrap();
    sid
}

async fn advance(u: &User, sid: i64, to: Stage) -> crate::helpers::Page {
    u.post(
        &format!("/office/sessions/{sid}/advance"),
        &[("to", to.code())],
    )
    .await
}

#[tokio::test]
async fn an_applicant_without_its_on_site_score_is_unranked_and_listed_after_the_ranked_ones() {
    let app = spawn_app().await;
    let ids = crate::helpers::start_onsite(&app).await;
    let sid = app.demo.review.session_id;
    // Only the first of the on-site list has its on-site consensus.
    crate::helpers::score_phase(
        &app,
        ids[0],
        qaward_store::scoring::Phase::Onsite,
        70,
        app.now_ts(),
    )
    .await;
    let office = app.signed_in("office").await;
    let page = office
        .get(&format!("/office/sessions/{sid}/decision"))
        .await;
    assert_eq!(page.status, 200);
    let ranking = app.store.proposal_ranking(sid).await.unwrap();
    assert_eq!(ranking.len(), 5);
    assert_eq!(ranking[0].application_id, ids[0]);
    assert_eq!(ranking[0].rank, Some(1));
    let table = page
        .body
        .split("id=\"proposal-ranking\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 5, "{table}");
    assert!(rows[0].contains("<td>1</td>"), "{}", rows[0]);
    assert!(rows[0].contains(&ranking[0].score_text().unwrap()));
    for (row, r) in rows.iter().zip(&ranking).skip(1) {
        assert_eq!(r.rank, None);
        assert!(row.contains(&r.organisation_name), "{row}");
        assert!(row.contains("未评分（现场评审未完成）"), "{row}");
        assert!(!row.contains("0.00"), "{row}");
        for n in 2..=5 {
            assert!(!row.contains(&format!("<td>{n}</td>")), "{row}");
        }
    }
}

#[tokio::test]
async fn more_than_three_winners_are_refused_art_3_and_an_empty_list_needs_its_reason() {
    let app = spawn_app().await;
    let sid = to_proposal(&app).await;
    let office = app.signed_in("office").await;
    let page = office
        .get(&format!("/office/sessions/{sid}/decision"))
        .await;
    assert_eq!(page.status, 200);
    let ranking = app.store.proposal_ranking(sid).await.unwrap();
    assert_eq!(ranking.len(), 5);
    for r in &ranking {
        assert!(page.body.contains(&r.organisation_name));
        assert!(page.body.contains(&r.score_text().unwrap()));
    }
    // Moving on before any proposal is refused (Art. 18).
    let p = advance(&office, sid, Stage::LeadershipDecision).await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第十八条"), "{}", p.body);
    // Four proposed: refused, citing Art. 3 and the limit; the ticks and reasons stay.
    let picks: Vec<String> = ranking
        .iter()
        .take(4)
        .map(|r| r.application_id.to_string())
        .collect();
    let reasons: Vec<(String, String)> = ranking
        .iter()
        .take(4)
        .map(|r| {
            (
                format!("reason.{}", r.application_id),
                format!("理由{}（测试）", r.rank.unwrap()),
            )
        })
        .collect();
    let mut form: Vec<(&str, &str)> = picks.iter().map(|p| ("pick", p.as_str())).collect();
    form.extend(reasons.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    form.push(("empty_reason", ""));
    let p = office
        .post(&format!("/office/sessions/{sid}/proposal"), &form)
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第三条"), "{}", p.body);
    assert!(p.body.contains("不超过3家"), "{}", p.body);
    for (pick, (_, reason)) in picks.iter().zip(&reasons) {
        assert!(p.body.contains(&format!(
            "id=\"pick-{pick}\" name=\"pick\" value=\"{pick}\" checked"
        )));
        assert!(p.body.contains(reason.as_str()));
    }
    assert!(app.store.proposal(sid).await.unwrap().is_none());
    // Nobody, without a reason: refused; with one: saved.
    let p = office
        .post(
            &format!("/office/sessions/{sid}/proposal"),
            &[("empty_reason", "")],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("空缺"), "{}", p.body);
    let why = "本届现场评审单位综合水平均未达到获奖要求（测试）";
    let p = office
        .post(
            &format!("/office/sessions/{sid}/proposal"),
            &[("empty_reason", why)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let saved = app.store.proposal(sid).await.unwrap().unwrap();
    assert!(saved.entries.is_empty());
    assert_eq!(saved.empty_reason, why);
    // A proposed applicant needs its reason.
    let first = ranking[0].application_id.to_string();
    let p = office
        .post(
            &format!("/office/sessions/{sid}/proposal"),
            &[("pick", first.as_str())],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("建议理由"), "{}", p.body);
    // Submitted, the proposal is locked and the session may move on.
    let p = office
        .post(&format!("/office/sessions/{sid}/proposal/submit"), &[])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = office
        .post(
            &format!("/office/sessions/{sid}/proposal"),
            &[("empty_reason", "再改")],
        )
        .await;
    assert_eq!(p.status, 409);
    let p = advance(&office, sid, Stage::LeadershipDecision).await;
    assert_eq!(p.status, 303, "{}", p.body);
}

#[tokio::test]
async fn the_meeting_needs_two_thirds_present_recused_members_are_not_counted_and_ties_fail() {
    let app = spawn_app().await;
    let sid = to_proposal(&app).await;
    let office = app.signed_in("office").await;
    let ranking = app.store.proposal_ranking(sid).await.unwrap();
    let (a, b) = (&ranking[0], &ranking[1]);
    let (sa, sb) = (a.application_id.to_string(), b.application_id.to_string());
    let (ra, rb) = (format!("reason.{sa}"), format!("reason.{sb}"));
    let p = office
        .post(
            &format!("/office/sessions/{sid}/proposal"),
            &[
                ("pick", sa.as_str()),
                ("pick", sb.as_str()),
                (ra.as_str(), "综合评价第一，示范作用突出（测试）"),
                (rb.as_str(), "综合评价第二（测试）"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    office
        .post(&format!("/office/sessions/{sid}/proposal/submit"), &[])
        .await;
    set_day(&app, day(2027, 3, 21));
    let office = app.signed_in("office").await;
    assert_eq!(
        advance(&office, sid, Stage::LeadershipDecision)
            .await
            .status,
        303
    );
    // The leadership account is listed; five members without accounts are typed in.
    let page = office
        .get(&format!("/office/sessions/{sid}/decision"))
        .await;
    assert!(
        page.body.contains("周正（领导小组成员，演示）"),
        "{}",
        page.body
    );
    let leader_id = app
        .store
        .leadership_accounts(app.demo.review.programme_id)
        .await
        .unwrap()[0]
        .0
        .to_string();
    let meeting = |present: usize| {
        let mut f: Vec<(String, String)> = vec![
            ("held_on".into(), "2027-03-21".into()),
            ("place".into(), "市政府第一会议室".into()),
            ("m0.user".into(), leader_id.clone()),
            ("m0.name".into(), "周正（领导小组成员，演示）".into()),
        ];
        if present > 0 {
            f.push(("m0.present".into(), "1".into()));
        }
        for i in 1..6 {
            f.push((format!("m{i}.user"), String::new()));
            f.push((format!("m{i}.name"), format!("成员{i}（测试）")));
            if i < present {
                f.push((format!("m{i}.present"), "1".into()));
            }
        }
        f
    };
    let post = |f: Vec<(String, String)>| {
        let office = &office;
        async move {
            let v: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            office
                .post(&format!("/office/sessions/{sid}/meeting"), &v)
                .await
        }
    };
    // Three of six present: one short of two thirds.
    let p = post(meeting(3)).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = office
        .get(&format!("/office/sessions/{sid}/decision"))
        .await;
    assert!(page.body.contains("id=\"quorum-no\""), "{}", page.body);
    let m = app.store.meeting(sid).await.unwrap().unwrap();
    assert_eq!(
        (m.quorum.members, m.quorum.present, m.quorum.required),
        (6, 3, 4)
    );
    let counts = |aid: &str, agree: &str, dis: &str, abst: &str| {
        vec![
            (format!("agree.{aid}"), agree.to_owned()),
            (format!("disagree.{aid}"), dis.to_owned()),
            (format!("abstain.{aid}"), abst.to_owned()),
        ]
    };
    let votes = |f: Vec<(String, String)>| {
        let office = &office;
        async move {
            let v: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            office
                .post(&format!("/office/sessions/{sid}/meeting/votes"), &v)
                .await
        }
    };
    let mut f = counts(&sa, "3", "0", "0");
    f.extend(counts(&sb, "3", "0", "0"));
    assert_eq!(votes(f).await.status, 303);
    let p = office
        .post(&format!("/office/sessions/{sid}/meeting/confirm"), &[])
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("2/3"), "{}", p.body);
    assert!(p.body.contains("实施细则"), "{}", p.body);
    assert!(app.store.decided_list(sid).await.unwrap().is_empty());
    let p = advance(&office, sid, Stage::PublicNotice).await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("第十八条"), "{}", p.body);
    // Four of six: exactly two thirds.
    assert_eq!(post(meeting(4)).await.status, 303);
    let m = app.store.meeting(sid).await.unwrap().unwrap();
    assert!(m.quorum.reached);
    assert!(!m.votes_recorded, "changing attendance clears the votes");
    // One present member recuses on A: three are counted there. B has all four.
    let member = m
        .members
        .iter()
        .find(|x| x.present && x.user_id.is_none())
        .unwrap()
        .id;
    let key = format!("{sa}.{member}");
    // Votes that do not add up to those counted are refused with the field named.
    let mut f = counts(&sa, "2", "1", "1");
    f.push((format!("recuse.{key}"), "1".into()));
    f.push((
        format!("recuse_reason.{key}"),
        "曾在该单位任职（测试）".into(),
    ));
    f.extend(counts(&sb, "2", "1", "1"));
    let mut bad = f.clone();
    bad[0].1 = "3".into();
    let p = votes(bad).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("出席且未回避的成员3人"), "{}", p.body);
    assert!(
        p.body.contains("曾在该单位任职（测试）"),
        "typed reason kept"
    );
    // A recusal needs its reason.
    let mut no_reason = f.clone();
    no_reason[4].1 = String::new();
    assert_eq!(votes(no_reason).await.status, 422);
    // A: 2 of 3 agree — passes. B: 2 of 4 agree — a tie is not more than half.
    f[0].1 = "2".into();
    f[1].1 = "1".into();
    f[2].1 = "0".into();
    let p = votes(f).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let m = app.store.meeting(sid).await.unwrap().unwrap();
    let ra = m
        .results
        .iter()
        .find(|r| r.application_id == a.application_id)
        .unwrap();
    let rb = m
        .results
        .iter()
        .find(|r| r.application_id == b.application_id)
        .unwrap();
    assert_eq!((ra.tally.counted, ra.passed), (3, true));
    assert_eq!((rb.tally.counted, rb.passed), (4, false));
    // With a secret ballot no vote is linked to a member.
    assert!(m.votes.is_empty());
    let p = office
        .post(&format!("/office/sessions/{sid}/meeting/confirm"), &[])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let decided = app.store.decided_list(sid).await.unwrap();
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0].application_id, a.application_id);
    assert_eq!(decided[0].position, 1);
    // The leadership group and discipline read the record, without forms.
    for who in ["leader", "discipline"] {
        let u = app.signed_in(who).await;
        let p = u.get(&format!("/office/sessions/{sid}/decision")).await;
        assert_eq!(p.status, 200, "{who}");
        assert!(p.body.contains("id=\"meeting-confirmed\""));
        assert!(
            p.body
                .contains(&format!("<li>{}</li>", a.organisation_name))
        );
        assert!(
            !p.body.contains("action=\"/office/sessions/"),
            "{who} sees no form: {}",
            p.body
        );
        assert_eq!(
            u.post(&format!("/office/sessions/{sid}/meeting/confirm"), &[])
                .await
                .status,
            403
        );
    }
    let p = advance(&office, sid, Stage::PublicNotice).await;
    assert_eq!(p.status, 303, "{}", p.body);
    // The audit log has the meeting, with the quorum's basis.
    let log = app
        .signed_in("discipline")
        .await
        .get(&format!(
            "/discipline/audit?programme={}",
            app.demo.review.programme_id
        ))
        .await;
    assert!(log.body.contains("达到法定人数"), "{}", log.body);
}

/// The objection form as multipart: fields and files.
async fn object(
    u: &User,
    sid: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> crate::helpers::Page {
    u.post_file(&format!("/sessions/{sid}/objections/new"), fields, file)
        .await
}

#[tokio::test]
async fn the_notice_runs_seven_days_objections_are_real_name_and_block_approval_until_closed() {
    let app = spawn_app().await;
    let (sid, a, _) = to_notice(&app).await;
    let office = app.signed_in("office").await;
    let name_a = app.store.decided_list(sid).await.unwrap()[0]
        .organisation_name
        .clone();
    // Six days: refused, citing Art. 18, with the typed text kept.
    let notice = |end: &'static str| {
        vec![
            ("starts_on", "2027-03-25"),
            ("ends_on", end),
            ("body", "拟奖名单公示内容（测试）"),
            ("address", "清远市市场监管局质量发展科（测试地址）"),
            ("phone", "0763-0000000"),
            ("email", "quality@example.com"),
        ]
    };
    let p = office
        .post(
            &format!("/office/sessions/{sid}/notice"),
            &notice("2027-03-31"),
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第十八条"), "{}", p.body);
    assert!(p.body.contains("2027年4月1日"), "{}", p.body);
    assert!(p.body.contains("清远市市场监管局质量发展科（测试地址）"));
    assert!(app.store.notice(sid).await.unwrap().is_none());
    let p = office
        .post(
            &format!("/office/sessions/{sid}/notice"),
            &notice("2027-04-01"),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // The public sees the notice from the session page, with days left and how to object.
    let public = app.visitor();
    let s = public.get(&format!("/sessions/{sid}")).await;
    assert!(s.body.contains(&format!("href=\"/sessions/{sid}/notice\"")));
    let n = public.get(&format!("/sessions/{sid}/notice")).await;
    assert_eq!(n.status, 200);
    assert!(n.body.contains(&name_a));
    assert!(n.body.contains("2027年3月25日"));
    assert!(n.body.contains("还剩 8 天"), "{}", n.body);
    assert!(n.body.contains("0763-0000000"));
    assert!(
        n.body
            .contains(&format!("href=\"/sessions/{sid}/objections/new\""))
    );
    // Anonymous: refused, citing Art. 28.
    let sa = a.to_string();
    let p = object(
        &public,
        sid,
        &[
            ("kind", "person"),
            ("application_id", &sa),
            ("facts", "该单位申报材料中的数据与事实不符（测试）"),
        ],
        Some(("证据.pdf", qaward::demo::demo_pdf("evidence"))),
    )
    .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第二十八条"), "{}", p.body);
    assert!(p.body.contains("实名"), "{}", p.body);
    assert!(
        p.body.contains("该单位申报材料中的数据与事实不符（测试）"),
        "facts kept"
    );
    // A wrong check character: the field is named and what was typed stays.
    let p = object(
        &public,
        sid,
        &[
            ("kind", "person"),
            ("name", "张三（测试）"),
            ("id_number", ID_BAD),
            ("phone", "13800000000"),
            ("application_id", &sa),
            ("facts", "该单位申报材料中的数据与事实不符（测试）"),
        ],
        Some(("证据.pdf", qaward::demo::demo_pdf("evidence"))),
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("“公民身份号码”"), "{}", p.body);
    assert!(p.body.contains("校验位"), "{}", p.body);
    assert!(p.body.contains("value=\"张三（测试）\""));
    assert!(p.body.contains(&format!("value=\"{ID_BAD}\"")));
    assert!(p.body.contains("value=\"13800000000\""));
    assert_eq!(app.store.open_objections(sid).await.unwrap(), 0);
    // Without evidence: refused, the field named.
    let p = object(
        &public,
        sid,
        &[
            ("kind", "person"),
            ("name", "张三（测试）"),
            ("id_number", ID_OK),
            ("phone", "13800000000"),
            ("application_id", &sa),
            ("facts", "该单位申报材料中的数据与事实不符（测试）"),
        ],
        None,
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("“证明材料”"), "{}", p.body);
    // Real name, valid number, evidence: registered with an acknowledgement number.
    let p = object(
        &public,
        sid,
        &[
            ("kind", "person"),
            ("name", "张三（测试）"),
            ("id_number", ID_OK),
            ("phone", "13800000000"),
            ("application_id", &sa),
            ("facts", "该单位申报材料中的数据与事实不符（测试）"),
        ],
        Some(("证据.pdf", qaward::demo::demo_pdf("evidence"))),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("YY-2026-0001"), "{}", p.body);
    let code = regex::Regex::new(r#"id="follow-code">([0-9A-F]{12})<"#)
        .unwrap()
        .captures(&p.body)
        .expect("the follow-up code")[1]
        .to_owned();
    assert_eq!(app.store.open_objections(sid).await.unwrap(), 1);
    let list = app.store.objections(sid).await.unwrap();
    let oid = list[0].id;
    assert_eq!(app.store.objection_files(oid).await.unwrap().len(), 1);
    // The office sees the full number; the leadership group a masked one.
    let p = office
        .get(&format!("/office/sessions/{sid}/objections"))
        .await;
    assert!(p.body.contains(ID_OK));
    let leader = app.signed_in("leader").await;
    let p = leader
        .get(&format!("/office/sessions/{sid}/objections"))
        .await;
    assert_eq!(p.status, 200);
    assert!(!p.body.contains(ID_OK));
    assert!(p.body.contains("110105********002X"), "{}", p.body);
    assert_eq!(
        leader
            .get(&format!(
                "/office/objections/{oid}/files/{}",
                app.store.objection_files(oid).await.unwrap()[0].id
            ))
            .await
            .status,
        403
    );
    // Day 6: closing is refused (Art. 18). Day 7: the notice may end, but not go to approval
    // while the objection is open (Art. 28).
    set_day(&app, day(2027, 3, 31));
    let office = app.signed_in("office").await;
    let p = office
        .post(&format!("/office/sessions/{sid}/notice/close"), &[])
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第十八条"), "{}", p.body);
    let p = advance(&office, sid, Stage::GovernmentApproval).await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("第十八条"), "{}", p.body);
    set_day(&app, day(2027, 4, 1));
    let office = app.signed_in("office").await;
    let p = office
        .post(&format!("/office/sessions/{sid}/notice/close"), &[])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = advance(&office, sid, Stage::GovernmentApproval).await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第二十八条"), "{}", p.body);
    // After the notice, no more objections.
    let p = public.get(&format!("/sessions/{sid}/objections/new")).await;
    assert_eq!(p.status, 409);
    // The objector follows the case.
    let t = public
        .post(
            "/objections/track",
            &[("ack", "YY-2026-0001"), ("code", &code)],
        )
        .await;
    assert_eq!(t.status, 200);
    assert!(t.body.contains("已登记，待核实"), "{}", t.body);
    let t = public
        .post(
            "/objections/track",
            &[("ack", "YY-2026-0001"), ("code", "000000000000")],
        )
        .await;
    assert!(t.body.contains("不正确"));
    // The office investigates, decides, replies and closes; each step is audited.
    let step = |fields: Vec<(&'static str, &'static str)>| {
        let office = &office;
        async move {
            office
                .post(&format!("/office/objections/{oid}"), &fields)
                .await
        }
    };
    assert_eq!(step(vec![("step", "close")]).await.status, 422);
    assert_eq!(
        step(vec![("step", "assign"), ("investigator", "王核查（测试）")])
            .await
            .status,
        303
    );
    let p = step(vec![
        ("step", "decide"),
        ("decision", "not_upheld"),
        ("reply", ""),
    ])
    .await;
    assert_eq!(p.status, 422);
    assert_eq!(
        step(vec![
            ("step", "findings"),
            ("findings", "经核实，申报数据与审计报告一致（测试）")
        ])
        .await
        .status,
        303
    );
    let reply = "经调查核实，您反映的问题不属实，异议不成立（测试）";
    assert_eq!(
        step(vec![
            ("step", "decide"),
            ("decision", "not_upheld"),
            ("reply", reply)
        ])
        .await
        .status,
        303
    );
    assert_eq!(step(vec![("step", "close")]).await.status, 303);
    let t = public
        .post(
            "/objections/track",
            &[("ack", "YY-2026-0001"), ("code", &code)],
        )
        .await;
    assert!(t.body.contains("已办结"), "{}", t.body);
    assert!(t.body.contains(reply));
    let log = app
        .signed_in("discipline")
        .await
        .get(&format!(
            "/discipline/audit?programme={}",
            app.demo.review.programme_id
        ))
        .await;
    for s in [
        "登记异议YY-2026-0001",
        "指定调查核实人",
        "异议不成立",
        "YY-2026-0001办结",
    ] {
        assert!(log.body.contains(s), "audit has {s}");
    }
    let p = advance(&office, sid, Stage::GovernmentApproval).await;
    assert_eq!(p.status, 303, "{}", p.body);
}

#[tokio::test]
async fn an_organisation_objects_with_its_credit_code_checked() {
    let app = spawn_app().await;
    let (sid, a, b) = to_notice(&app).await;
    let office = app.signed_in("office").await;
    let p = office
        .post(
            &format!("/office/sessions/{sid}/notice"),
            &[
                ("starts_on", "2027-03-25"),
                ("ends_on", "2027-04-05"),
                ("body", "公示（测试）"),
                ("address", "测试地址"),
                ("phone", "0763-0000000"),
                ("email", "quality@example.com"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let public = app.visitor();
    let sa = a.to_string();
    let base = |code: &'static str| {
        vec![
            ("kind", "organisation"),
            ("name", "清远某测试公司"),
            ("credit_code", code),
            ("address", "清远市清城区测试路1号"),
            ("contact", "李四（测试）"),
            ("phone", "0763-1234567"),
            ("facts", "该单位近三年有质量监督抽查不合格记录（测试）"),
        ]
    };
    let mut f = base("91441800MA4UXXXX1A");
    f.push(("application_id", &sa));
    let p = object(
        &public,
        sid,
        &f,
        Some(("证据.pdf", qaward::demo::demo_pdf("e"))),
    )
    .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("“统一社会信用代码”"), "{}", p.body);
    assert!(p.body.contains("value=\"李四（测试）\""));
    // A valid code (another applicant's, as a stand-in objector): registered.
    let code = app.store.application(b).await.unwrap().org.credit_code;
    let mut f: Vec<(&str, &str)> = base("")
        .into_iter()
        .filter(|(k, _)| *k != "credit_code")
        .collect();
    f.push(("credit_code", &code));
    f.push(("application_id", &sa));
    let p = object(&public, sid, &f, Some(("证据.png", png()))).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("YY-2026-0001"));
    let o = &app.store.objections(sid).await.unwrap()[0];
    assert_eq!(o.kind, "organisation");
    assert_eq!(o.credit_code, code);
    assert_eq!(o.contact, "李四（测试）");
    // Verification is due in five working days: filed Thursday 25 March, due Thursday 1 April.
    assert_eq!(o.due_on, day(2027, 4, 1));
    // A file that is not PDF, JPG or PNG by content is refused.
    let p = object(&public, sid, &f, Some(("证据.pdf", b"plain text".to_vec()))).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("PDF、JPG、PNG"), "{}", p.body);
}

/// The smallest PNG signature and header.
fn png() -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    v.extend_from_slice(b"\0\0\0\rIHDR test image body");
    v
}
