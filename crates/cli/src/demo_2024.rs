//! The main programme's 2024 session, complete (演示数据，纯属虚构): four fictional applicants
//! apply, are recommended by their counties and found eligible; one review team scores them on
//! paper and three go on to the on-site review; the leadership group decides two winners, the
//! public notice passes without objection, the municipal government approves, certificates are
//! issued and the prize money is paid at the start of 2025. Every step goes through the same
//! store operations the pages use, at the dates it would have happened.

use crate::demo::{at, attach, demo_pdf, grant, sample_form};
use crate::demo_review::{declaration_text, history, id_number};
use jiff::civil::{Date, date};
use qaward_core::authz::{Grant, Role};
use qaward_core::clock::at_shanghai;
use qaward_core::credit_code::CreditCode;
use qaward_core::scoring::Edit;
use qaward_core::session::Stage;
use qaward_store::accounts::NewUser;
use qaward_store::experts::{Expert, ExpertForm, HistoryForm};
use qaward_store::scoring::{Phase, ScoreInput};
use qaward_store::{Store, Who};

/// What the 2024 demo built.
#[derive(Debug, Clone, Default)]
pub struct Session2024 {
    /// The session.
    pub session_id: i64,
    /// Applications: (organisation name, application id).
    pub applications: Vec<(String, i64)>,
    /// The applications on the on-site list.
    pub onsite: Vec<i64>,
    /// The review team.
    pub team_id: i64,
}

/// The 2024 applicants: name, county, industry, first 17 characters of the credit code,
/// sign-in name, the level (%) their reviewers found.
const APPLICANTS: [(&str, &str, &str, &str, &str, u32); 4] = [
    (
        "清远市演示光电科技有限公司",
        "清城区",
        "C3981 电阻电容电感元件制造",
        "91441802MA4DEM11X",
        "s24-applicant1",
        70,
    ),
    (
        "英德市演示陶瓷股份有限公司",
        "英德市",
        "C3072 特种陶瓷制品制造",
        "91441881MA4DEM12K",
        "s24-applicant2",
        65,
    ),
    (
        "清新区演示农产品加工有限公司",
        "清新区",
        "C1371 蔬菜加工",
        "91441803MA4DEM13P",
        "s24-applicant3",
        55,
    ),
    (
        "连州市演示五金制品有限公司",
        "连州市",
        "C3389 其他金属制日用品制造",
        "91441882MA4DEM14R",
        "s24-applicant4",
        45,
    ),
];

/// The 2024 team: sign-in, name, level, sections, employer, number. People of the review
/// demo's pool, registered in this programme's pool too.
const TEAM: [(&str, &str, &str, &str, &str, usize); 5] = [
    (
        "reviewer-lead",
        "张立（演示）",
        "leader",
        "C、D",
        "华南演示质量研究院",
        1,
    ),
    (
        "reviewer05",
        "周静（演示）",
        "reviewer",
        "I、G",
        "韶关演示大学",
        8,
    ),
    (
        "reviewer02",
        "王敏（演示）",
        "reviewer",
        "C、G",
        "广东演示检测认证有限公司",
        3,
    ),
    (
        "reviewer03",
        "李华（演示）",
        "reviewer",
        "D、E",
        "清远演示标准化协会",
        4,
    ),
    (
        "reviewer04",
        "赵强（演示）",
        "senior",
        "N、C",
        "广州演示管理咨询有限公司",
        5,
    ),
];

fn other(e: impl std::fmt::Display) -> qaward_store::Error {
    qaward_store::Error::Other(e.to_string())
}

/// Walk the 2024 session `sid` (its call already published under the 2020 measures) through
/// the application stage, the material and on-site reviews and the comprehensive evaluation
/// to the proposal. `hash` is the demo
/// password's hash.
pub async fn build(
    store: &Store,
    files: &qaward_store::attachments::Files,
    hash: &str,
    office: &Who,
    sid: i64,
) -> qaward_store::Result<Session2024> {
    let d = store.session_detail(sid).await?;
    let pid = d.session.programme_id;
    let counties = store.counties(pid).await?;
    let users = store.users().await?;
    let user = |name: &str| users.iter().find(|u| u.username == name);
    let cx = store.form_context(&d).await?;

    store
        .advance_session(
            office,
            sid,
            Stage::Applications,
            at_shanghai(date(2024, 3, 1), 10, 0),
        )
        .await?;
    let mut apps = Vec::new();
    for (i, (name, county_name, industry, first17, username, _)) in APPLICANTS.iter().enumerate() {
        let n = u32::try_from(i).unwrap_or(0) + 1;
        let c = counties
            .iter()
            .find(|c| c.name == *county_name)
            .ok_or_else(|| other("demo county"))?;
        let credit = CreditCode::complete(first17).ok_or_else(|| other("demo credit code"))?;
        let t = at(date(2024, 3, 5 + i as i8));
        let (oid, uid) = {
            let mut tx = store.write(t).await?;
            let applicant = Who::anonymous(name);
            let oid = Store::insert_organisation(
                &mut tx,
                &applicant,
                pid,
                credit.as_str(),
                name,
                Some(c.id),
            )
            .await?;
            let u = NewUser {
                username: (*username).into(),
                display_name: format!("演示联系人（{name}）"),
                email: Some(format!("{username}@example.com")),
                password: String::new(),
                grants: vec![Grant {
                    organisation_id: Some(oid),
                    ..grant(Role::Applicant, pid)
                }],
            };
            let uid = Store::insert_user(&mut tx, &applicant, &u, hash).await?;
            tx.commit().await?;
            (oid, uid)
        };
        let org = store.organisation(oid).await?;
        let who = qaward_store::application::applicant_who(uid, &format!("演示联系人（{name}）"));
        let aid = store.start_application(&who, sid, &org, t).await?;
        let mut values = sample_form(&cx, 30 + n, &format!("{}-04-01", 2001 + n));
        values.insert("identity.industry".into(), (*industry).into());
        for s in qaward_core::application::SECTIONS {
            let part: qaward_core::application::Values = values
                .iter()
                .filter(|(k, _)| k.starts_with(&format!("{}.", s.key)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !part.is_empty() {
                store.save_section(&who, aid, s.key, &part, t).await?;
            }
        }
        for (kind, file, title) in [
            (
                "business_licence",
                "营业执照（演示）.pdf",
                "Business licence",
            ),
            (
                "financial",
                "财务审计报告（演示）.pdf",
                "Audited financial statements",
            ),
        ] {
            attach(store, files, &who, aid, (kind, file, &demo_pdf(title)), t).await?;
        }
        store
            .submit_application(&who, aid, at(date(2024, 5, 20 + i as i8)))
            .await?;
        apps.push(((*name).to_owned(), aid, c.id));
    }

    // County recommendation (Art. 13) by the main demo's county office accounts.
    store
        .advance_session(
            office,
            sid,
            Stage::CountyRecommendation,
            at(date(2024, 6, 1)),
        )
        .await?;
    let checked: Vec<(String, bool, String)> = ["conditions", "truthful", "departments"]
        .iter()
        .map(|c| ((*c).to_owned(), true, String::new()))
        .collect();
    for (_, aid, cid) in &apps {
        let u = users
            .iter()
            .find(|u| {
                u.grants
                    .iter()
                    .any(|g| g.role == Role::CountyOffice && g.county_id == Some(*cid))
            })
            .ok_or_else(|| other("demo county office"))?;
        let cw = Who::user(u.id, &u.display_name, Role::CountyOffice.code());
        let when = at(date(2024, 6, 10));
        attach(
            store,
            files,
            &cw,
            *aid,
            (
                qaward_store::attachments::COUNTY_LETTER,
                "县级推荐函（盖章，演示）.pdf",
                &demo_pdf("County recommendation letter"),
            ),
            when,
        )
        .await?;
        store
            .county_decide(
                &cw,
                *aid,
                &checked,
                "recommended",
                "经核实，申报内容属实，符合申报条件，同意推荐。",
                when,
            )
            .await?;
        store
            .county_forward(&cw, sid, *cid, at(date(2024, 6, 18)))
            .await?;
    }

    // Eligibility review (Art. 14).
    store
        .advance_session(office, sid, Stage::EligibilityReview, at(date(2024, 6, 21)))
        .await?;
    for (_, aid, _) in &apps {
        let a = store.application(*aid).await?;
        let f =
            qaward_core::application::facts(&a.values, &cx, date(2024, 3, 1), true, vec![], vec![]);
        let mut items: Vec<(String, bool, String)> = qaward_core::eligibility::check(&d.rules, &f)
            .iter()
            .map(|l| (l.code.to_owned(), true, String::new()))
            .collect();
        items.push(("package_complete".into(), true, String::new()));
        store
            .eligibility_decide(office, *aid, &items, at(date(2024, 7, 5)))
            .await?;
    }

    // The pool of this programme: the review demo's first team, qualified since 2023.
    let t_pool = at(date(2024, 6, 25));
    {
        let mut tx = store.write(t_pool).await?;
        for (username, ..) in TEAM {
            if let Some(u) = user(username)
                && !u
                    .grants
                    .iter()
                    .any(|g| g.role == Role::Reviewer && g.programme_id == Some(pid))
            {
                Store::add_grant(&mut tx, &Who::system(), u.id, &grant(Role::Reviewer, pid))
                    .await?;
            }
        }
        tx.commit().await?;
    }
    let mut members = Vec::new();
    for (username, name, level, sections, employer, n) in TEAM {
        let f = ExpertForm {
            name: name.into(),
            id_number: id_number(n),
            gender: if n % 3 == 1 { "女" } else { "男" }.into(),
            phone: format!("1380763{n:04}"),
            email: format!("expert{n:02}@example.com"),
            title: "正高级工程师".into(),
            education: "硕士研究生".into(),
            level: level.into(),
            industries: sections.into(),
            qualification_no: format!("GDQA-2023-{n:04}"),
            qualified_from: "2023-01-01".into(),
            qualified_until: "2028-12-31".into(),
            winner_manager: false,
            note: String::new(),
            username: username.into(),
        };
        let eid = store.save_expert(office, pid, None, &f, t_pool).await?;
        for h in [
            history("employment", employer, "", "质量管理专家", "2015-03-01", ""),
            HistoryForm {
                certificate_no: format!("PX-{n:04}"),
                ..history(
                    "course",
                    "卓越绩效评价准则评审员培训",
                    "",
                    "广东省质量协会（演示）",
                    "2022-10-15",
                    "",
                )
            },
            HistoryForm {
                certificate_no: format!("KH-{n:04}"),
                ..history(
                    "assessment",
                    "政府质量奖评审员资格考核",
                    "",
                    "广东省质量协会（演示）",
                    "2022-12-20",
                    "",
                )
            },
        ] {
            store.add_expert_history(office, eid, &h, t_pool).await?;
        }
        members.push(eid);
    }
    let team_id = store
        .create_team(
            office,
            sid,
            "第一评审组",
            members[0],
            &members[1..],
            at(date(2024, 7, 1)),
        )
        .await?;
    let run = store
        .propose_assignment(office, sid, Some(20_240_701), at(date(2024, 7, 2)))
        .await?;
    store
        .accept_assignment(office, run, at(date(2024, 7, 2)))
        .await?;
    store
        .publish_teams(office, sid, at(date(2024, 7, 3)))
        .await?;

    // Material review (Art. 15): every member scores alone, the leader forms the consensus.
    store
        .advance_session(office, sid, Stage::MaterialReview, at(date(2024, 7, 11)))
        .await?;
    let levels: Vec<(i64, u32)> = apps
        .iter()
        .zip(APPLICANTS)
        .map(|((_, aid, _), a)| (*aid, a.5))
        .collect();
    score_phase(store, sid, Phase::Material, &levels, date(2024, 7, 15)).await?;

    // The on-site list (Art. 15): the three best.
    store
        .advance_session(office, sid, Stage::OnsiteSelection, at(date(2024, 8, 11)))
        .await?;
    let onsite: Vec<i64> = apps.iter().take(3).map(|(_, aid, _)| *aid).collect();
    store
        .decide_onsite_list(office, sid, &onsite, "", at(date(2024, 8, 15)))
        .await?;
    store
        .advance_session(office, sid, Stage::OnsiteReview, at(date(2024, 8, 21)))
        .await?;

    // On-site review and comprehensive evaluation (Art. 16, 17).
    for (k, aid) in onsite.iter().enumerate() {
        let first = plus(date(2024, 9, 2), 7 * k as i64);
        let level = APPLICANTS[k].5 + 5;
        visit_onsite(
            store,
            office,
            sid,
            *aid,
            (plus(first, -10), first, plus(first, 1)),
            level,
            Visit::Evaluated,
        )
        .await?;
    }
    store
        .advance_session(
            office,
            sid,
            Stage::ComprehensiveEvaluation,
            at(date(2024, 10, 1)),
        )
        .await?;
    store
        .advance_session(office, sid, Stage::Proposal, at(date(2024, 10, 16)))
        .await?;

    Ok(Session2024 {
        session_id: sid,
        applications: apps.iter().map(|(n, id, _)| (n.clone(), *id)).collect(),
        onsite,
        team_id,
    })
}

/// The reviewer acting as `e`.
fn as_reviewer(e: &Expert) -> Who {
    Who::user(e.user_id.unwrap_or(0), &e.name, Role::Reviewer.code())
}

/// Every member of each application's team signs the declaration, scores the application at
/// about its level (members differ by a step or two) and submits; then the leader submits the
/// consensus, the n-th application on the n-th day from `from` (scores at 11:00, the
/// consensus at 14:00). What is already submitted stays as it is.
pub(crate) async fn score_phase(
    store: &Store,
    sid: i64,
    phase: Phase,
    levels: &[(i64, u32)],
    from: Date,
) -> qaward_store::Result<()> {
    let d = store.session_detail(sid).await?;
    let crit = store.criteria(&d.rules.meta.criteria).await?;
    let pool = store.experts(d.session.programme_id).await?;
    let expert = |id: i64| {
        pool.iter()
            .find(|e| e.id == id)
            .ok_or(qaward_store::Error::NotFound)
    };
    for (k, (aid, level)) in levels.iter().enumerate() {
        let Some(team) = store.team_of(*aid, from).await? else {
            continue;
        };
        let day = plus(from, i64::try_from(k).unwrap_or(0));
        for (mi, m) in team.members.iter().enumerate() {
            let e = expert(m.expert_id)?;
            let w = as_reviewer(e);
            store
                .sign_review_declaration(&w, sid, e, &declaration_text(), at(from))
                .await?;
            let inputs: Vec<ScoreInput> = crit
                .items()
                .enumerate()
                .map(|(j, it)| {
                    let offset = (i64::try_from((mi * 7 + j * 3) % 3).unwrap_or(1) - 1) * 5;
                    let p = (i64::from(*level) + offset).clamp(0, 100);
                    ScoreInput {
                        item_id: it.id.clone(),
                        percent: p.to_string(),
                        band: String::new(),
                        strengths: format!("{}方面已形成制度并执行（演示）。", it.name),
                        opportunities: format!("{}方面的测量和改进证据有待加强（演示）。", it.name),
                        verify_points: if j % 6 == 0 && phase == Phase::Material {
                            format!("核实{}相关记录（演示）。", it.name)
                        } else {
                            String::new()
                        },
                    }
                })
                .collect();
            if store
                .scorebook(*aid, e.id, phase)
                .await?
                .submitted_at
                .is_some()
            {
                continue;
            }
            let when = at_shanghai(day, 11, 0);
            store
                .edit_scorebook_as(&w, *aid, phase, &inputs, "", Edit::Save, when)
                .await?;
            store
                .edit_scorebook_as(&w, *aid, phase, &[], "", Edit::Submit, when)
                .await?;
        }
        if store.consensus(*aid, phase).await?.submitted_at.is_some() {
            continue;
        }
        let leader_id = team
            .members
            .iter()
            .find(|m| m.leader)
            .map(|m| m.expert_id)
            .ok_or(qaward_store::Error::NotFound)?;
        let leader = expert(leader_id)?;
        let inputs: Vec<ScoreInput> = crit
            .items()
            .map(|it| ScoreInput {
                item_id: it.id.clone(),
                percent: level.to_string(),
                band: String::new(),
                strengths: format!("{}：方法较系统，已在主要部门展开（演示评语）。", it.name),
                opportunities: format!(
                    "{}：与战略目标的整合和改进循环的证据不足（演示评语）。",
                    it.name
                ),
                verify_points: String::new(),
            })
            .collect();
        let a = store.application(*aid).await?;
        let when = at_shanghai(day, 14, 0);
        let w = as_reviewer(leader);
        store
            .edit_consensus_as(&w, *aid, phase, &inputs, Some((&format!(
                    "{}建立了较完整的质量管理体系，卓越绩效模式导入多年，结果指标总体向好（演示）。",
                    a.org.name
                ), "一、加强战略目标与关键过程指标的对接；二、完善顾客满意度测量和对比分析；三、系统总结创新成果并推广（演示）。")), "", Edit::Save, when)
            .await?;
        store
            .edit_consensus_as(&w, *aid, phase, &[], None, "", Edit::Submit, when)
            .await?;
    }
    Ok(())
}

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(jiff::Span::new().days(days)).unwrap_or(d)
}

/// The leader of `aid`'s team, as an expert and as the reviewer acting.
async fn leader(store: &Store, aid: i64, today: Date) -> qaward_store::Result<(Expert, Who)> {
    let a = store.application(aid).await?;
    let team = store
        .team_of(aid, today)
        .await?
        .ok_or(qaward_store::Error::NotFound)?;
    let id = team
        .members
        .iter()
        .find(|m| m.leader)
        .map(|m| m.expert_id)
        .ok_or(qaward_store::Error::NotFound)?;
    let e = store
        .experts(a.programme_id)
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(qaward_store::Error::NotFound)?;
    let w = as_reviewer(&e);
    Ok((e, w))
}

/// How far one applicant's on-site review has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Visit {
    /// The plan is sent.
    Planned,
    /// Visited; the record submitted.
    Visited,
    /// Scored and agreed, the report released, the comprehensive evaluation submitted.
    Evaluated,
}

/// The on-site review of `aid` (Art. 16, 17) by its team leader, as far as `upto`: the plan
/// (sent on `sent`, the visit on `first`..=`last`), the visit record, on-site scores at
/// `level` % and the consensus the day after, the report released by `office`, and the
/// comprehensive evaluation with two practices (the applicant marks the second a trade
/// secret) that evening.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn visit_onsite(
    store: &Store,
    office: &Who,
    sid: i64,
    aid: i64,
    (sent, first, last): (Date, Date, Date),
    level: u32,
    upto: Visit,
) -> qaward_store::Result<()> {
    use qaward_store::onsite::{AgendaLine, Interview, Interviewee, Plan, Practice};
    let (_, w) = leader(store, aid, sent).await?;
    let plan = Plan {
        first_day: first.to_string(),
        last_day: last.to_string(),
        agenda: vec![
            AgendaLine {
                time: "第一天 9:00–9:30".into(),
                activity: "首次会议：介绍评审组、确认日程".into(),
                place: "申报单位会议室".into(),
            },
            AgendaLine {
                time: "第一天 9:30–12:00".into(),
                activity: "高层访谈：领导、战略、顾客与市场".into(),
                place: "总经理办公室".into(),
            },
            AgendaLine {
                time: "第一天 14:00–17:30".into(),
                activity: "现场查看生产、检验和仓储过程".into(),
                place: "生产车间、质检中心".into(),
            },
            AgendaLine {
                time: "第二天 9:00–11:30".into(),
                activity: "资源、过程管理、测量分析与改进：查阅记录、员工座谈".into(),
                place: "各职能部门".into(),
            },
            AgendaLine {
                time: "第二天 15:00–16:00".into(),
                activity: "末次会议：反馈初步意见".into(),
                place: "申报单位会议室".into(),
            },
        ],
        interviewees: vec![
            Interviewee {
                role: "总经理".into(),
                name: "（演示）".into(),
            },
            Interviewee {
                role: "质量负责人".into(),
                name: "（演示）".into(),
            },
            Interviewee {
                role: "一线班组长（3名）".into(),
                name: "（演示）".into(),
            },
        ],
        sites: "主要生产线、质检中心、成品仓库、客户服务中心（演示）".into(),
        ..Plan::default()
    };
    store
        .save_onsite_plan(&w, aid, &plan, true, at(sent))
        .await?;
    if upto < Visit::Visited {
        return Ok(());
    }
    let mut visit = store.onsite_visit(aid, first).await?;
    visit.interviews = vec![
        Interview {
            who: "总经理（演示）".into(),
            role: "总经理".into(),
            topic: "战略制定与部署、质量文化".into(),
            notes: "战略目标分解到部门和班组，季度评审有记录（演示）。".into(),
        },
        Interview {
            who: "质量负责人（演示）".into(),
            role: "质量负责人".into(),
            topic: "过程管理与改进".into(),
            notes: "关键过程有控制计划，质量改进小组年均完成课题12项（演示）。".into(),
        },
    ];
    visit.documents =
        "战略规划（2023—2025）、年度经营计划、顾客满意度调查报告、QC小组成果汇编（演示）".into();
    visit.findings.insert(
        "4.1.2".into(),
        "高层领导定期开展质量巡查，现场陈述与记录一致（演示）。".into(),
    );
    for (i, v) in visit.verifications.iter_mut().enumerate() {
        v.status = if i % 3 == 2 { "partly" } else { "confirmed" }.into();
        v.note = "现场查阅记录并询问相关人员（演示）。".into();
    }
    store
        .save_onsite_visit(&w, aid, &visit, true, at(last))
        .await?;
    if upto < Visit::Evaluated {
        return Ok(());
    }
    let next = plus(last, 1);
    score_phase(store, sid, Phase::Onsite, &[(aid, level)], next).await?;
    store
        .release_onsite_report(office, aid, at_shanghai(next, 17, 0))
        .await?;
    let a = store.application(aid).await?;
    let practices = vec![
        Practice {
            title: "以顾客为中心的全员质量改进".into(),
            item_id: "4.1.2".into(),
            text: "质量改进小组覆盖全部班组，课题从顾客投诉和过程数据中选题，成果纳入绩效考核（演示）。"
                .into(),
            ..Practice::default()
        },
        Practice {
            title: "关键工艺参数的在线监测与预警".into(),
            item_id: "4.5.2".into(),
            text: "关键工序参数实时采集，超限自动预警并触发纠正措施（演示；涉及工艺秘密）。".into(),
            ..Practice::default()
        },
    ];
    store
        .save_evaluation(
            &w,
            aid,
            &format!(
                "{}领导重视、战略清晰，过程管理系统规范，质量绩效连续三年向好，具备较强的标杆示范作用（演示）。",
                a.org.name
            ),
            &practices,
            true,
            at_shanghai(next, 17, 30),
        )
        .await?;
    let saved = store.evaluation(aid).await?;
    if let Some(p) = saved.practices.get(1) {
        let users = store.users().await?;
        if let Some(u) = users.iter().find(|u| {
            u.grants
                .iter()
                .any(|g| g.organisation_id == Some(a.org.id) && g.role == Role::Applicant)
        }) {
            let who = qaward_store::application::applicant_who(u.id, &u.display_name);
            store
                .mark_practice_secret(&who, aid, p.id, true, at_shanghai(next, 18, 0))
                .await?;
        }
    }
    Ok(())
}

/// The leadership decision and the public notice of the 2024 session (Art. 6, 18): the office
/// proposes the two best on-site applicants, the leadership group meets on 25 October (five
/// members present, one recusing himself for the second applicant, secret ballot) and the
/// list is noticed from 1 to 8 November without objection.
pub async fn decide(
    store: &Store,
    office: &Who,
    s: &Session2024,
) -> qaward_store::Result<Vec<i64>> {
    use qaward_store::decision::{
        ApplicantVotes, MeetingInput, MemberInput, NoticeInput, ProposalInput,
    };
    let sid = s.session_id;
    let d = store.session_detail(sid).await?;
    let winners: Vec<i64> = s.onsite.iter().take(2).copied().collect();
    store
        .save_proposal(
            office,
            sid,
            &ProposalInput {
                entries: winners
                    .iter()
                    .map(|aid| {
                        (
                            *aid,
                            "综合评价得分位居前列，卓越绩效管理模式实施成效显著，质量管理经验具有示范推广价值（演示）。"
                                .to_owned(),
                        )
                    })
                    .collect(),
                empty_reason: String::new(),
            },
            at(date(2024, 10, 18)),
        )
        .await?;
    store
        .submit_proposal(office, sid, at(date(2024, 10, 18)))
        .await?;
    store
        .advance_session(
            office,
            sid,
            Stage::LeadershipDecision,
            at(date(2024, 10, 21)),
        )
        .await?;
    let mut members: Vec<MemberInput> = store
        .leadership_accounts(d.session.programme_id)
        .await?
        .into_iter()
        .map(|(id, name)| MemberInput {
            user_id: Some(id),
            name,
            present: true,
        })
        .collect();
    for name in [
        "王领导（演示）",
        "李成员（演示）",
        "吴成员（演示）",
        "郑成员（演示）",
        "冯成员（演示）",
    ] {
        members.push(MemberInput {
            user_id: None,
            name: name.into(),
            present: name != "冯成员（演示）",
        });
    }
    let when = at_shanghai(date(2024, 10, 25), 15, 0);
    store
        .save_meeting(
            office,
            sid,
            &MeetingInput {
                held_on: "2024-10-25".into(),
                place: "市政府第一会议室（演示）".into(),
                members,
            },
            when,
        )
        .await?;
    let m = store
        .meeting(sid)
        .await?
        .ok_or(qaward_store::Error::NotFound)?;
    let present = u32::try_from(m.members.iter().filter(|m| m.present).count()).unwrap_or(0);
    let recusing = m
        .members
        .iter()
        .find(|m| m.name == "吴成员（演示）")
        .map(|m| m.id)
        .ok_or(qaward_store::Error::NotFound)?;
    let votes: Vec<ApplicantVotes> = winners
        .iter()
        .enumerate()
        .map(|(k, aid)| ApplicantVotes {
            application_id: *aid,
            recusals: if k == 1 {
                vec![(
                    recusing,
                    "其配偶在该单位任职，主动申请回避（演示）。".into(),
                )]
            } else {
                Vec::new()
            },
            votes: Vec::new(),
            counts: Some(if k == 1 {
                (present - 2, 1, 0)
            } else {
                (present, 0, 0)
            }),
        })
        .collect();
    store.record_votes(office, sid, &votes, when).await?;
    store.confirm_meeting(office, sid, when).await?;
    store
        .advance_session(office, sid, Stage::PublicNotice, at(date(2024, 11, 1)))
        .await?;
    let names: Vec<String> = store
        .decided_list(sid)
        .await?
        .into_iter()
        .map(|e| e.organisation_name)
        .collect();
    store
        .publish_notice(
            office,
            sid,
            &NoticeInput {
                starts_on: "2024-11-01".into(),
                ends_on: "2024-11-08".into(),
                body: format!(
                    "经市质量强市工作领导小组审定，拟授予{}{}年度清远市政府质量奖，现予以公示（演示）。",
                    names.join("、"),
                    d.session.year
                ),
                address: "清远市质量强市工作领导小组办公室（演示地址）".into(),
                phone: "0763-0000000（演示）".into(),
                email: "quality-demo@example.com".into(),
            },
            at(date(2024, 11, 1)),
        )
        .await?;
    Ok(winners)
}

/// The award of the 2024 session (Art. 18, 19, 21, 22): the government approves the two
/// winners on 25 November, the commendation goes out on 5 December with certificates and
/// plaques, the budgets are entered, and after the session closes the prize money is paid at
/// the start of 2025.
pub async fn award(
    store: &Store,
    office: &Who,
    sid: i64,
    winners: &[i64],
    public_url: &str,
) -> qaward_store::Result<()> {
    use qaward_store::award::{NewAnnouncement, NewApproval, NewBudgetLine};
    store
        .advance_session(
            office,
            sid,
            Stage::GovernmentApproval,
            at(date(2024, 11, 9)),
        )
        .await?;
    store
        .record_approval(
            office,
            sid,
            &NewApproval {
                document_number: "清府函〔2024〕90号".into(),
                approved_on: "2024-11-25".into(),
                application_ids: winners.to_vec(),
                note: "同意授予2家企业2024年度清远市政府质量奖（演示数据，纯属虚构）。".into(),
            },
            at(date(2024, 11, 26)),
        )
        .await?;
    store
        .advance_session(office, sid, Stage::Commendation, at(date(2024, 12, 1)))
        .await?;
    store
        .record_commendation(
            office,
            sid,
            "清府〔2024〕35号",
            "2024-12-05",
            at(date(2024, 12, 5)),
        )
        .await?;
    store
        .issue_certificates(office, sid, public_url, at(date(2024, 12, 6)))
        .await?;
    for aid in winners {
        store
            .record_plaque(
                office,
                *aid,
                "2024-12-18",
                "企业质量负责人（演示）",
                "表彰大会现场颁发奖牌和证书（演示）。",
                at(date(2024, 12, 18)),
            )
            .await?;
    }
    for (kind, purpose, amount) in [
        ("work", "评审专家劳务及差旅", "180000"),
        ("work", "宣传推广及表彰大会", "60000"),
        ("award", "2024年度政府质量奖奖金", "1500000"),
    ] {
        store
            .add_budget_line(
                office,
                sid,
                &NewBudgetLine {
                    kind: kind.into(),
                    purpose: purpose.into(),
                    amount: amount.into(),
                    note: "市级财政年度预算（演示）".into(),
                },
                at(date(2024, 12, 6)),
            )
            .await?;
    }
    store
        .post_announcement(
            office,
            sid,
            &NewAnnouncement {
                title: "2024年度清远市政府质量奖表彰决定".into(),
                body: "市人民政府决定授予2家企业2024年度清远市政府质量奖，详见表彰决定（演示数据，纯属虚构）。"
                    .into(),
                posted_on: "2024-12-05".into(),
                publish: true,
            },
            at(date(2024, 12, 5)),
        )
        .await?;
    store
        .advance_session(office, sid, Stage::Closed, at(date(2025, 1, 10)))
        .await?;
    for (k, aid) in winners.iter().enumerate() {
        store
            .record_payment(
                office,
                *aid,
                "2025-01-15",
                &format!("QYCZ-2025-{:04}", k + 1),
                "市财政局直接支付（演示）",
                at(date(2025, 1, 15)),
            )
            .await?;
    }
    Ok(())
}
