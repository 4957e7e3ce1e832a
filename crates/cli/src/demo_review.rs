//! The expert-review part of the demonstration (演示数据，纯属虚构): a second, clearly labelled
//! demonstration programme whose 2026 session is in material review, so the stages after the
//! call can be clicked through while the main programme's 2026 session accepts applications.
//! It holds about thirty fictional experts whose histories create real conflicts of interest,
//! three teams assigned by the optimiser, and material review mostly done: one applicant still
//! waits for two members' scores and its consensus.

use crate::demo::{Login, at, attach, demo_pdf, grant, sample_form, windows};
use jiff::civil::{Date, date};
use qaward_core::authz::{Grant, Role};
use qaward_core::clock::at_shanghai;
use qaward_core::credit_code::CreditCode;
use qaward_core::scoring::Edit;
use qaward_core::session::Stage;
use qaward_store::accounts::NewUser;
use qaward_store::experts::{ExpertForm, HistoryForm};
use qaward_store::programme::NewProgramme;
use qaward_store::scoring::{Phase, ScoreInput};
use qaward_store::session::NewSession;
use qaward_store::{Store, Who};

/// What the review demo built.
#[derive(Debug, Clone, Default)]
pub struct ReviewDemo {
    /// Programme.
    pub programme_id: i64,
    /// Its 2026 session (material review).
    pub session_id: i64,
    /// Applications: (name, id).
    pub applications: Vec<(String, i64)>,
    /// Teams: (name, id).
    pub teams: Vec<(String, i64)>,
    /// Experts: (name, id).
    pub experts: Vec<(String, i64)>,
    /// The application still being scored in material review (scored and agreed when the
    /// session has moved on to the on-site review).
    pub pending: i64,
    /// The on-site list, best first (empty while in material review).
    pub onsite: Vec<i64>,
    /// Sign-ins added.
    pub logins: Vec<Login>,
}

/// The applicants: name, county, industry, credit-code serial.
const APPLICANTS: [(&str, &str, &str); 9] = [
    (
        "清远市评审演示汽车部件有限公司",
        "清城区",
        "C3670 汽车零部件及配件制造",
    ),
    ("英德市评审演示发电有限公司", "英德市", "D4411 火力发电"),
    (
        "清新区评审演示建筑安装有限公司",
        "清新区",
        "E4710 工矿工程建筑",
    ),
    ("清远市评审演示软件有限公司", "清城区", "I6513 应用软件开发"),
    (
        "佛冈县评审演示制药股份有限公司",
        "佛冈县",
        "C2720 化学药品制剂制造",
    ),
    (
        "连州市评审演示新能源电力有限公司",
        "连州市",
        "D4415 太阳能发电",
    ),
    ("阳山县评审演示水泥有限公司", "阳山县", "C3011 水泥制造"),
    ("清远市评审演示物流有限公司", "清城区", "G5430 道路货物运输"),
    (
        "清新区评审演示环保科技有限公司",
        "清新区",
        "N7724 危险废物治理",
    ),
];

/// A competitor the 6th applicant names, where one expert works.
const COMPETITOR: &str = "广东评审演示竞品电力有限公司";

/// Team members: (team, username or "", name, level, sections, employer).
type Person = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const PEOPLE: [Person; 30] = [
    (
        1,
        "reviewer-lead",
        "张立（演示）",
        "leader",
        "C、D",
        "华南演示质量研究院",
    ),
    (
        1,
        "reviewer",
        "陈审（评审员，演示）",
        "senior",
        "C、I",
        "清远演示职业技术学院",
    ),
    (
        1,
        "reviewer02",
        "王敏（演示）",
        "reviewer",
        "C、G",
        "广东演示检测认证有限公司",
    ),
    (
        1,
        "reviewer03",
        "李华（演示）",
        "reviewer",
        "D、E",
        "清远演示标准化协会",
    ),
    (
        1,
        "reviewer04",
        "赵强（演示）",
        "senior",
        "N、C",
        "广州演示管理咨询有限公司",
    ),
    (
        2,
        "reviewer-lead2",
        "孙明（演示）",
        "leader",
        "C、E",
        "清远演示质量协会",
    ),
    (
        2,
        "reviewer-conflict",
        "刘工（演示）",
        "reviewer",
        "C",
        "清远市评审演示汽车部件有限公司",
    ),
    (
        2,
        "reviewer05",
        "周静（演示）",
        "reviewer",
        "I、G",
        "韶关演示大学",
    ),
    (
        2,
        "reviewer06",
        "吴磊（演示）",
        "senior",
        "E、D",
        "广东演示工程咨询有限公司",
    ),
    (
        2,
        "reviewer07",
        "郑洁（演示）",
        "reviewer",
        "C、N",
        "肇庆演示计量所",
    ),
    (
        3,
        "reviewer-lead3",
        "冯远（演示）",
        "leader",
        "D、C",
        "广东演示卓越绩效研究中心",
    ),
    (
        3,
        "reviewer08",
        "何平（演示）",
        "reviewer",
        "D",
        "佛山演示能源集团",
    ),
    (
        3,
        "reviewer09",
        "黄河（演示）",
        "senior",
        "I、C",
        "清远演示信息技术协会",
    ),
    (
        3,
        "reviewer10",
        "钟雪（演示）",
        "reviewer",
        "C、G",
        "清远演示投资有限公司",
    ),
    (
        3,
        "reviewer11",
        "罗成（演示）",
        "reviewer",
        "D、N",
        COMPETITOR,
    ),
    (
        0,
        "reviewer-removed",
        "韩冰（演示）",
        "reviewer",
        "C",
        "清远演示咨询服务部",
    ),
    (
        0,
        "",
        "许杰（演示）",
        "leader",
        "C、M",
        "广东演示质量管理协会",
    ),
    (0, "", "邓芳（演示）", "senior", "G、I", "清远演示商会"),
    (
        0,
        "",
        "曹宇（演示）",
        "reviewer",
        "C",
        "东莞演示制造有限公司",
    ),
    (
        0,
        "",
        "彭丽（演示）",
        "reviewer",
        "Q、N",
        "清远演示人民医院",
    ),
    (0, "", "曾涛（演示）", "senior", "E、C", "广东演示建设集团"),
    (
        0,
        "",
        "萧然（演示）",
        "reviewer",
        "I",
        "深圳演示软件有限公司",
    ),
    (
        0,
        "",
        "田野（演示）",
        "reviewer",
        "A、C",
        "清远演示农业科学研究所",
    ),
    (
        0,
        "",
        "董梅（演示）",
        "reviewer",
        "C、F",
        "广州演示商贸有限公司",
    ),
    (
        0,
        "",
        "袁博（演示）",
        "senior",
        "D、N",
        "广东演示电力设计院",
    ),
    (
        0,
        "",
        "潘婷（演示）",
        "reviewer",
        "H、G",
        "清远演示旅游协会",
    ),
    (
        0,
        "",
        "蒋帆（演示）",
        "trainee",
        "C",
        "清远演示职业技术学院",
    ),
    (
        0,
        "",
        "蔡琳（演示）",
        "trainee",
        "I、M",
        "广东演示检测认证有限公司",
    ),
    (
        0,
        "",
        "余洋（演示）",
        "reviewer",
        "C、E",
        "江门演示机械有限公司",
    ),
    (
        0,
        "",
        "杜鹃（演示）",
        "reviewer",
        "M、C",
        "广东演示标准化研究院",
    ),
];

fn code(region: &str, n: u32) -> qaward_store::Result<String> {
    CreditCode::complete(&format!("91{region}MA4RW{n:04}"))
        .map(|c| c.as_str().to_owned())
        .ok_or_else(|| qaward_store::Error::Other("demo code".into()))
}

fn plan(onsite: bool) -> Vec<(Stage, Date, Date)> {
    if onsite {
        // The material review ended on 18 November; the on-site review opened on the 20th.
        return vec![
            (Stage::Applications, date(2026, 3, 1), date(2026, 5, 31)),
            (
                Stage::CountyRecommendation,
                date(2026, 6, 1),
                date(2026, 6, 20),
            ),
            (
                Stage::EligibilityReview,
                date(2026, 6, 21),
                date(2026, 10, 31),
            ),
            (Stage::MaterialReview, date(2026, 11, 1), date(2026, 11, 18)),
            (
                Stage::OnsiteSelection,
                date(2026, 11, 19),
                date(2026, 11, 19),
            ),
            (Stage::OnsiteReview, date(2026, 11, 20), date(2027, 1, 15)),
            (
                Stage::ComprehensiveEvaluation,
                date(2027, 1, 16),
                date(2027, 1, 31),
            ),
            (Stage::Proposal, date(2027, 2, 1), date(2027, 2, 10)),
            (
                Stage::LeadershipDecision,
                date(2027, 2, 11),
                date(2027, 2, 28),
            ),
            (Stage::PublicNotice, date(2027, 3, 1), date(2027, 3, 10)),
            (
                Stage::GovernmentApproval,
                date(2027, 3, 11),
                date(2027, 3, 31),
            ),
            (Stage::Commendation, date(2027, 4, 1), date(2027, 4, 30)),
        ];
    }
    vec![
        (Stage::Applications, date(2026, 3, 1), date(2026, 5, 31)),
        (
            Stage::CountyRecommendation,
            date(2026, 6, 1),
            date(2026, 6, 20),
        ),
        (
            Stage::EligibilityReview,
            date(2026, 6, 21),
            date(2026, 10, 31),
        ),
        (Stage::MaterialReview, date(2026, 11, 1), date(2026, 12, 15)),
        (
            Stage::OnsiteSelection,
            date(2026, 12, 16),
            date(2026, 12, 20),
        ),
        (Stage::OnsiteReview, date(2027, 1, 5), date(2027, 2, 28)),
        (
            Stage::ComprehensiveEvaluation,
            date(2027, 3, 1),
            date(2027, 3, 15),
        ),
        (Stage::Proposal, date(2027, 3, 16), date(2027, 3, 20)),
        (
            Stage::LeadershipDecision,
            date(2027, 3, 21),
            date(2027, 3, 31),
        ),
        (Stage::PublicNotice, date(2027, 4, 1), date(2027, 4, 8)),
        (
            Stage::GovernmentApproval,
            date(2027, 4, 9),
            date(2027, 4, 30),
        ),
        (Stage::Commendation, date(2027, 5, 1), date(2027, 5, 31)),
    ]
}

pub(crate) fn history(
    kind: &str,
    name: &str,
    code: &str,
    detail: &str,
    from: &str,
    to: &str,
) -> HistoryForm {
    HistoryForm {
        kind: kind.into(),
        name: name.into(),
        credit_code: code.into(),
        detail: detail.into(),
        start_on: from.into(),
        end_on: to.into(),
        passed: true,
        certificate_no: String::new(),
        origin: String::new(),
    }
}

/// Build the review demonstration programme. `users` are the main demo's office, leadership,
/// discipline and reviewer accounts (by user name), which get roles here too.
pub async fn build(
    store: &Store,
    files: &qaward_store::attachments::Files,
    hash: &str,
    onsite: bool,
) -> qaward_store::Result<ReviewDemo> {
    let sys = Who::system();
    let t0 = at(date(2026, 1, 5));
    let existing = store.users().await?;
    let user = |name: &str| existing.iter().find(|u| u.username == name).map(|u| u.id);
    let office_id = user("office");
    let office = Who {
        user_id: office_id,
        name: "林晓（市强市办，演示）".into(),
        role: Role::CityOffice.code().into(),
    };

    // The programme, its rule set (the demonstration copy), and roles for the main demo's
    // office, leadership, discipline and reviewer accounts.
    let (pid, rid) = {
        let mut tx = store.write(t0).await?;
        let p = NewProgramme {
            code: "qingyuan-city-review-demo".into(),
            name: "清远市政府质量奖（评审阶段演示）".into(),
            name_en: "Qingyuan City Government Quality Award (review-stage demonstration)".into(),
            level: "city".into(),
            region: "清远市".into(),
            office_name: "清远市质量强市工作领导小组办公室（市市场监管局）".into(),
            counties: crate::setup::QINGYUAN_COUNTIES
                .iter()
                .map(|(c, n)| ((*c).into(), (*n).into()))
                .collect(),
            departments: crate::setup::QINGYUAN_DEPARTMENTS
                .iter()
                .map(|(c, n)| ((*c).into(), (*n).into()))
                .collect(),
        };
        let pid = Store::insert_programme(&mut tx, &sys, &p).await?;
        let rid =
            Store::insert_rule_set(&mut tx, &sys, pid, crate::setup::QINGYUAN_2020_DEMO).await?;
        for (name, role) in [
            ("office", Role::CityOffice),
            ("leader", Role::Leadership),
            ("discipline", Role::Discipline),
            ("reviewer", Role::Reviewer),
        ] {
            if let Some(id) = user(name) {
                Store::add_grant(&mut tx, &sys, id, &grant(role, pid)).await?;
            }
        }
        tx.commit().await?;
        (pid, rid)
    };
    let counties = store.counties(pid).await?;
    let county = |name: &str| counties.iter().find(|c| c.name == name).cloned();

    // County office accounts of this programme, one per county that has an applicant.
    let mut logins = Vec::new();
    let mut county_users = Vec::new();
    {
        let mut tx = store.write(t0).await?;
        for (i, c) in counties.iter().enumerate() {
            let u = NewUser {
                username: format!("rv-county{}", i + 1),
                display_name: format!("{}质量强县办（评审演示）", c.name),
                email: None,
                password: String::new(),
                grants: vec![Grant {
                    county_id: Some(c.id),
                    ..grant(Role::CountyOffice, pid)
                }],
            };
            let id = Store::insert_user(&mut tx, &sys, &u, hash).await?;
            county_users.push((
                c.id,
                Who::user(id, &u.display_name, Role::CountyOffice.code()),
            ));
        }
        // Reviewer accounts (the main demo's "reviewer" already exists).
        for (_, username, name, ..) in PEOPLE
            .iter()
            .filter(|p| !p.1.is_empty() && p.1 != "reviewer")
        {
            let u = NewUser {
                username: (*username).into(),
                display_name: (*name).into(),
                email: Some(format!("{username}@example.com")),
                password: String::new(),
                grants: vec![grant(Role::Reviewer, pid)],
            };
            Store::insert_user(&mut tx, &sys, &u, hash).await?;
        }
        tx.commit().await?;
    }
    for (role, username, note) in [
        (
            "评审组长",
            "reviewer-lead",
            "评审演示项目：第一评审组组长，形成合议",
        ),
        (
            "评审员",
            "reviewer",
            "评审演示项目：第一评审组组员，独立评分",
        ),
        ("评审员", "reviewer02", "评审演示项目：第一评审组组员"),
        (
            "评审员（有利益冲突）",
            "reviewer-conflict",
            "现任职于一家申报单位：打开该单位一律403",
        ),
        (
            "评审员（已取消资格）",
            "reviewer-removed",
            "已被取消评审资格：不能再查看任何评审材料",
        ),
    ] {
        logins.push(Login {
            role,
            username,
            note,
        });
    }

    // The session: called in March, eligibility review done, in material review since 1 November.
    let sid = store
        .create_session(
            &office,
            &NewSession {
                programme_id: pid,
                rule_set_id: rid,
                year: 2026,
            },
            at(date(2026, 2, 1)),
        )
        .await?;
    store
        .set_windows(
            &office,
            sid,
            &windows(date(2026, 3, 1), &plan(onsite)),
            at(date(2026, 2, 1)),
        )
        .await?;
    store
        .advance_session(&office, sid, Stage::CallPublished, at(date(2026, 3, 1)))
        .await?;
    store
        .advance_session(
            &office,
            sid,
            Stage::Applications,
            at_shanghai(date(2026, 3, 1), 10, 0),
        )
        .await?;

    let d = store.session_detail(sid).await?;
    let cx = store.form_context(&d).await?;
    let mut apps = Vec::new();
    for (i, (name, county_name, industry)) in APPLICANTS.iter().enumerate() {
        let n = u32::try_from(i).unwrap_or(0) + 1;
        let c =
            county(county_name).ok_or_else(|| qaward_store::Error::Other("demo county".into()))?;
        let credit = code(&c.code, n)?;
        let t = at(date(2026, 3, 10 + i as i8));
        let (oid, uid) = {
            let mut tx = store.write(t).await?;
            let oid = Store::insert_organisation(
                &mut tx,
                &Who::anonymous(name),
                pid,
                &credit,
                name,
                Some(c.id),
            )
            .await?;
            let u = NewUser {
                username: format!("rv-applicant{n}"),
                display_name: format!("演示联系人（{name}）"),
                email: Some(format!("rv-applicant{n}@example.com")),
                password: String::new(),
                grants: vec![Grant {
                    organisation_id: Some(oid),
                    ..grant(Role::Applicant, pid)
                }],
            };
            let uid = Store::insert_user(&mut tx, &Who::anonymous(name), &u, hash).await?;
            tx.commit().await?;
            (oid, uid)
        };
        let org = store.organisation(oid).await?;
        let who = qaward_store::application::applicant_who(uid, &format!("演示联系人（{name}）"));
        let aid = store.start_application(&who, sid, &org, t).await?;
        let mut values = sample_form(&cx, 20 + n, &format!("{}-05-01", 2005 + n));
        values.insert("identity.industry".into(), (*industry).into());
        if i == 5 {
            values.insert(
                "identity.competitors".into(),
                format!("{COMPETITOR}\n广东评审演示另一竞品有限公司"),
            );
        }
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
        attach(
            store,
            files,
            &who,
            aid,
            (
                "business_licence",
                "营业执照（演示）.pdf",
                &demo_pdf("Business licence"),
            ),
            t,
        )
        .await?;
        attach(
            store,
            files,
            &who,
            aid,
            (
                "financial",
                "财务审计报告（演示）.pdf",
                &demo_pdf("Audited financial statements"),
            ),
            t,
        )
        .await?;
        store
            .submit_application(&who, aid, at(date(2026, 5, 10 + i as i8)))
            .await?;
        apps.push(((*name).to_owned(), aid, c.id, credit));
    }
    store
        .advance_session(
            &office,
            sid,
            Stage::CountyRecommendation,
            at(date(2026, 6, 1)),
        )
        .await?;
    let checked: Vec<(String, bool, String)> = ["conditions", "truthful", "departments"]
        .iter()
        .map(|c| ((*c).to_owned(), true, String::new()))
        .collect();
    let mut forwarded = Vec::new();
    for (_, aid, cid, _) in &apps {
        let cw = &county_users
            .iter()
            .find(|(c, _)| c == cid)
            .ok_or_else(|| qaward_store::Error::Other("demo county office".into()))?
            .1;
        let when = at(date(2026, 6, 10));
        attach(
            store,
            files,
            cw,
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
                cw,
                *aid,
                &checked,
                "recommended",
                "经核实，申报内容属实，符合申报条件，同意推荐。",
                when,
            )
            .await?;
        if !forwarded.contains(cid) {
            forwarded.push(*cid);
        }
    }
    for cid in &forwarded {
        let cw = &county_users
            .iter()
            .find(|(c, _)| c == cid)
            .ok_or_else(|| qaward_store::Error::Other("demo county office".into()))?
            .1;
        store
            .county_forward(cw, sid, *cid, at(date(2026, 6, 18)))
            .await?;
    }
    store
        .advance_session(
            &office,
            sid,
            Stage::EligibilityReview,
            at(date(2026, 6, 21)),
        )
        .await?;
    for (_, aid, ..) in &apps {
        let lines = {
            let a = store.application(*aid).await?;
            let f = qaward_core::application::facts(
                &a.values,
                &cx,
                date(2026, 3, 1),
                true,
                vec![],
                vec![],
            );
            qaward_core::eligibility::check(&d.rules, &f)
        };
        let mut items: Vec<(String, bool, String)> = lines
            .iter()
            .map(|l| (l.code.to_owned(), true, String::new()))
            .collect();
        items.push(("package_complete".into(), true, String::new()));
        store
            .eligibility_decide(&office, *aid, &items, at(date(2026, 7, 15)))
            .await?;
    }

    // The expert pool: thirty fictional experts, with histories that make real conflicts.
    let t_pool = at(date(2026, 9, 1));
    let mut experts = Vec::new();
    for (i, (_, username, name, level, sections, employer)) in PEOPLE.iter().enumerate() {
        let n = i + 1;
        let expired = i == 24;
        let f = ExpertForm {
            name: (*name).into(),
            id_number: id_number(n),
            gender: if i % 3 == 0 {
                "女".into()
            } else {
                "男".into()
            },
            phone: format!("1380763{n:04}"),
            email: format!("expert{n:02}@example.com"),
            title: if i % 2 == 0 {
                "正高级工程师".into()
            } else {
                "高级工程师".into()
            },
            education: if i % 4 == 0 {
                "博士研究生".into()
            } else {
                "硕士研究生".into()
            },
            level: (*level).into(),
            industries: (*sections).into(),
            qualification_no: format!("GDQA-2025-{n:04}"),
            qualified_from: "2025-01-01".into(),
            qualified_until: if expired {
                "2026-06-30".into()
            } else {
                "2028-12-31".into()
            },
            winner_manager: i == 17,
            note: if i == 17 {
                "2024年度获奖企业高层管理人员，按第二十九条纳入专家库（演示）".into()
            } else {
                String::new()
            },
            username: (*username).into(),
        };
        let eid = store.save_expert(&office, pid, None, &f, t_pool).await?;
        let who = &office;
        let emp_code = apps
            .iter()
            .find(|(n, ..)| n == employer)
            .map(|(.., c)| c.clone())
            .unwrap_or_default();
        store
            .add_expert_history(
                who,
                eid,
                &history(
                    "employment",
                    employer,
                    &emp_code,
                    "质量管理专家",
                    "2015-03-01",
                    "",
                ),
                t_pool,
            )
            .await?;
        store
            .add_expert_history(
                who,
                eid,
                &history(
                    "employment",
                    "广东演示机械研究所",
                    "",
                    "工程师",
                    "2008-07-01",
                    "2015-02-28",
                ),
                t_pool,
            )
            .await?;
        store
            .add_expert_history(
                who,
                eid,
                &HistoryForm {
                    passed: true,
                    certificate_no: format!("PX-{n:04}"),
                    ..history(
                        "course",
                        "卓越绩效评价准则评审员培训",
                        "",
                        "广东省质量协会（演示）",
                        "2024-10-15",
                        "",
                    )
                },
                t_pool,
            )
            .await?;
        if *level != "trainee" {
            store
                .add_expert_history(
                    who,
                    eid,
                    &HistoryForm {
                        passed: true,
                        certificate_no: format!("KH-{n:04}"),
                        ..history(
                            "assessment",
                            "政府质量奖评审员资格考核",
                            "",
                            "广东省质量协会（演示）",
                            "2024-12-20",
                            "",
                        )
                    },
                    t_pool,
                )
                .await?;
        }
        experts.push(((*name).to_owned(), eid));
    }
    // Conflicts from data (Art. 25), each with its ground and dates.
    let app_code = |k: usize| apps[k].3.clone();
    let app_name = |k: usize| apps[k].0.clone();
    let eid = |name: &str| {
        experts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
            .unwrap_or(0)
    };
    store
        .add_expert_history(
            &office,
            eid("何平（演示）"),
            &history(
                "employment",
                &app_name(1),
                &app_code(1),
                "生产部经理",
                "2016-01-01",
                "2024-06-30",
            ),
            t_pool,
        )
        .await?;
    store
        .add_expert_history(
            &office,
            eid("吴磊（演示）"),
            &history(
                "consulting",
                &app_name(2),
                &app_code(2),
                "",
                "2025-03-01",
                "2025-09-30",
            ),
            t_pool,
        )
        .await?;
    store
        .add_expert_history(
            &office,
            eid("黄河（演示）"),
            &history(
                "relative",
                &app_name(3),
                &app_code(3),
                "配偶",
                "2020-01-01",
                "",
            ),
            t_pool,
        )
        .await?;
    store
        .add_expert_history(
            &office,
            eid("钟雪（演示）"),
            &history(
                "shareholding",
                &app_name(4),
                &app_code(4),
                "",
                "2022-05-01",
                "",
            ),
            t_pool,
        )
        .await?;
    // Worked at an applicant long ago: outside the look-back window, no conflict.
    store
        .add_expert_history(
            &office,
            eid("许杰（演示）"),
            &history(
                "employment",
                &app_name(6),
                &app_code(6),
                "技术员",
                "2010-01-01",
                "2019-12-31",
            ),
            t_pool,
        )
        .await?;
    store
        .sanction_expert(
            &office,
            eid("许杰（演示）"),
            "warning",
            "2025年度评审中未按时提交独立评分（演示）。",
            "2025-12-10",
            t_pool,
        )
        .await?;
    store
        .sanction_expert(
            &office,
            eid("韩冰（演示）"),
            "removal",
            "评审期间私下接受申报单位宴请，违反评审纪律（演示）。",
            "2026-09-20",
            at(date(2026, 9, 20)),
        )
        .await?;

    // Teams (Art. 8), the optimiser's proposal with a recorded seed, published composition.
    let mut teams = Vec::new();
    for (k, tname) in [(1, "第一评审组"), (2, "第二评审组"), (3, "第三评审组")] {
        let members: Vec<i64> = PEOPLE
            .iter()
            .filter(|p| p.0 == k)
            .map(|p| eid(p.2))
            .collect();
        let tid = store
            .create_team(
                &office,
                sid,
                tname,
                members[0],
                &members[1..],
                at(date(2026, 10, 20)),
            )
            .await?;
        teams.push((tname.to_owned(), tid));
    }
    let run = store
        .propose_assignment(&office, sid, Some(20_261_101), at(date(2026, 10, 25)))
        .await?;
    store
        .accept_assignment(&office, run, at(date(2026, 10, 25)))
        .await?;
    store
        .publish_teams(&office, sid, at(date(2026, 10, 26)))
        .await?;
    store
        .advance_session(&office, sid, Stage::MaterialReview, at(date(2026, 11, 1)))
        .await?;

    // Scoring: every member signs the declaration, scores alone and submits; the leaders
    // form the consensus. On team 1's first applicant two members have not scored yet.
    let crit = store.criteria(&d.rules.meta.criteria).await?;
    let pool = store.experts(pid).await?;
    let mut pending = 0;
    for (ti, (_, tid)) in teams.iter().enumerate() {
        let team_apps = store.team_applications(*tid).await?;
        let team = store
            .team_of(
                team_apps.first().map(|a| a.id).unwrap_or(0),
                date(2026, 11, 1),
            )
            .await?;
        let Some(team) = team else { continue };
        for m in &team.members {
            let e = pool
                .iter()
                .find(|e| e.id == m.expert_id)
                .ok_or(qaward_store::Error::NotFound)?;
            let w = Who::user(e.user_id.unwrap_or(0), &e.name, Role::Reviewer.code());
            store
                .sign_review_declaration(
                    &w,
                    sid,
                    e,
                    &crate::demo_review::declaration_text(),
                    at(date(2026, 11, 2)),
                )
                .await?;
        }
        for (ai, a) in team_apps.iter().enumerate() {
            let is_pending = ti == 0 && ai == 0;
            if is_pending {
                pending = a.id;
            }
            for (mi, m) in team.members.iter().enumerate() {
                let e = pool
                    .iter()
                    .find(|e| e.id == m.expert_id)
                    .ok_or(qaward_store::Error::NotFound)?;
                if is_pending && (e.name.starts_with("陈审") || e.name.starts_with("王敏")) {
                    continue;
                }
                let w = Who::user(e.user_id.unwrap_or(0), &e.name, Role::Reviewer.code());
                let inputs = member_scores(&crit, a.id, mi);
                let when = at_shanghai(date(2026, 11, 5 + (mi as i8) * 2 + ai as i8), 15, 0);
                store
                    .edit_scorebook_as(&w, a.id, Phase::Material, &inputs, "", Edit::Save, when)
                    .await?;
                store
                    .edit_scorebook_as(&w, a.id, Phase::Material, &[], "", Edit::Submit, when)
                    .await?;
            }
            if is_pending {
                continue;
            }
            let leader = pool
                .iter()
                .find(|e| team.members.iter().any(|m| m.leader && m.expert_id == e.id))
                .ok_or(qaward_store::Error::NotFound)?;
            let w = Who::user(
                leader.user_id.unwrap_or(0),
                &leader.name,
                Role::Reviewer.code(),
            );
            let books = store
                .team_books(a.id, Phase::Material, date(2026, 11, 20))
                .await?;
            let inputs: Vec<ScoreInput> = crit
                .items()
                .map(|it| {
                    let mut ps: Vec<u32> = books
                        .iter()
                        .filter_map(|(_, b)| b.items.get(&it.id).and_then(|s| s.percent))
                        .collect();
                    ps.sort_unstable();
                    let median = ps.get(ps.len() / 2).copied().unwrap_or(50);
                    ScoreInput {
                        item_id: it.id.clone(),
                        percent: median.to_string(),
                        band: String::new(),
                        strengths: format!(
                            "{}：方法较系统，已在主要部门展开（演示评语）。",
                            it.name
                        ),
                        opportunities: format!(
                            "{}：与战略目标的整合和改进循环的证据不足（演示评语）。",
                            it.name
                        ),
                        verify_points: String::new(),
                    }
                })
                .collect();
            let when = at_shanghai(date(2026, 11, 16 + ai as i8), 16, 0);
            store
                .edit_consensus_as(&w, a.id, Phase::Material, &inputs, Some((&format!("{}建立了较完整的质量管理体系，卓越绩效模式导入三年以上，结果指标总体向好（演示）。", a.org.name), "一、加强战略目标与关键过程指标的对接；二、完善顾客满意度测量和对比分析；三、系统总结创新成果并推广（演示）。")), "", Edit::Save, when)
                .await?;
            store
                .edit_consensus_as(&w, a.id, Phase::Material, &[], None, "", Edit::Submit, when)
                .await?;
        }
    }
    let onsite = if onsite {
        onsite_review(store, &office, sid, pending).await?
    } else {
        Vec::new()
    };
    Ok(ReviewDemo {
        onsite,
        programme_id: pid,
        session_id: sid,
        applications: apps.iter().map(|(n, id, ..)| (n.clone(), *id)).collect(),
        teams,
        experts,
        pending,
        logins,
    })
}

/// The declaration text as signed.
pub fn declaration_text() -> String {
    "本人承诺公正、保密、回避（演示）".into()
}

/// A fictional but valid-looking 18-character ID number (check digit computed).
pub(crate) fn id_number(n: usize) -> String {
    let body = format!("44180219{:02}0{:02}1{:03}", 60 + n % 30, 1 + n % 12, n);
    let body = &body[..17];
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"][(sum % 11) as usize];
    format!("{body}{check}")
}

/// One member's plausible scores: a level per applicant, an offset per member, one item with
/// a wide spread.
fn member_scores(
    crit: &qaward_core::criteria::Criteria,
    aid: i64,
    member: usize,
) -> Vec<ScoreInput> {
    let base = 40 + (aid % 5) * 5;
    crit.items()
        .enumerate()
        .map(|(k, it)| {
            let offset = ((member as i64 * 7 + k as i64 * 3) % 3 - 1) * 5;
            let wide = if k == 4 && member == 0 { 25 } else { 0 };
            let p = (base + offset + wide).clamp(0, 100);
            ScoreInput {
                item_id: it.id.clone(),
                percent: p.to_string(),
                band: String::new(),
                strengths: format!("{}方面已形成制度并执行（演示）。", it.name),
                opportunities: format!("{}方面的测量和改进证据有待加强（演示）。", it.name),
                verify_points: if k % 5 == 0 {
                    format!("核实{}相关记录（演示）。", it.name)
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

/// The material review finished (the last two members score the pending applicant on 17
/// November and the leader agrees), the five best chosen for the on-site review on the 19th,
/// and the on-site review under way since the 20th: every plan sent, the best applicant
/// visited on the 23rd, scored, agreed and evaluated on the 24th, the second visited on the
/// 24th, the rest planned for December.
async fn onsite_review(
    store: &Store,
    office: &Who,
    sid: i64,
    pending: i64,
) -> qaward_store::Result<Vec<i64>> {
    use crate::demo_2024::{Visit, score_phase, visit_onsite};
    score_phase(
        store,
        sid,
        Phase::Material,
        &[(pending, 60)],
        date(2026, 11, 17),
    )
    .await?;
    store
        .advance_session(office, sid, Stage::OnsiteSelection, at(date(2026, 11, 19)))
        .await?;
    let mut rows = store
        .review_rows(sid, Phase::Material, date(2026, 11, 19))
        .await?;
    rows.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.application_id.cmp(&b.application_id))
    });
    let chosen: Vec<i64> = rows.iter().take(5).map(|r| r.application_id).collect();
    store
        .decide_onsite_list(
            office,
            sid,
            &chosen,
            "",
            at_shanghai(date(2026, 11, 19), 15, 0),
        )
        .await?;
    store
        .advance_session(
            office,
            sid,
            Stage::OnsiteReview,
            at_shanghai(date(2026, 11, 20), 8, 30),
        )
        .await?;
    let sent = date(2026, 11, 20);
    for (k, aid) in chosen.iter().enumerate() {
        let (first, last, upto) = match k {
            0 => (date(2026, 11, 23), date(2026, 11, 23), Visit::Evaluated),
            1 => (date(2026, 11, 24), date(2026, 11, 24), Visit::Visited),
            _ => {
                let d = date(2026, 12, 3 * k as i8);
                (d, date(2026, 12, 3 * k as i8 + 1), Visit::Planned)
            }
        };
        visit_onsite(store, office, sid, *aid, (sent, first, last), 75, upto).await?;
    }
    Ok(chosen)
}
