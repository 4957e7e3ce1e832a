//! Fictional demonstration data (演示数据，纯属虚构): the Qingyuan programme with its eight
//! county-level divisions, a closed 2024 session under the 2020 measures, a 2026 session under
//! a clearly labelled demonstration copy, and one account per role. History is replayed through
//! the same store operations the pages use, at the dates it would have happened.

use jiff::civil::{Date, date};
use qaward_core::authz::{Grant, Role};
use qaward_core::clock::at_shanghai;
use qaward_core::credit_code::CreditCode;
use qaward_core::session::{Stage, Window};
use qaward_store::accounts::{NewUser, hash_password};
use qaward_store::session::NewSession;
use qaward_store::{Store, Who};
use std::collections::BTreeMap;

/// The day the demo's data is built for: its dated items (deadlines, visits, reports due)
/// stand relative to it, and `qaward demo` starts its clock on it.
pub const DEMO_DAY: Date = date(2026, 11, 25);

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Qingyuan#2026";

/// The address the demo's certificates point their QR codes at (the demo server's default).
pub const DEMO_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// A demo sign-in.
#[derive(Debug, Clone)]
pub struct Login {
    /// The role, in Chinese.
    pub role: &'static str,
    /// User name.
    pub username: &'static str,
    /// What to look at.
    pub note: &'static str,
}

/// What the demo built.
#[derive(Debug, Clone)]
pub struct Demo {
    /// Programme id.
    pub programme_id: i64,
    /// 2024 session id (closed).
    pub session_2024: i64,
    /// 2026 session id (accepting applications).
    pub session_2026: i64,
    /// Rule set ids: 2020 measures, demo copy.
    pub rule_sets: (i64, i64),
    /// Sign-ins.
    pub logins: Vec<Login>,
    /// County ids by name.
    pub counties: Vec<(String, i64)>,
    /// Organisation ids.
    pub organisations: Vec<i64>,
    /// Demo applications of the 2026 session: (organisation name, application id, status code).
    pub applications: Vec<(String, i64, String)>,
    /// Demo requests for departments' opinions: (department code, request id).
    pub opinion_requests: Vec<(String, i64)>,
    /// The review-stage demonstration programme.
    pub review: crate::demo_review::ReviewDemo,
    /// The 2024 session's applicants, team and on-site list.
    pub s2024: crate::demo_2024::Session2024,
    /// Conduct feedback from the 2024 on-site reviews and a complaint in progress.
    pub conduct: crate::demo_conduct::ConductDemo,
}

pub(crate) fn at(d: Date) -> jiff::Timestamp {
    at_shanghai(d, 9, 30)
}

/// The planned windows of a session whose call goes out on `call`.
pub fn windows(call: Date, plan: &[(Stage, Date, Date)]) -> BTreeMap<Stage, Window> {
    let mut m = BTreeMap::new();
    m.insert(
        Stage::CallPublished,
        Window {
            starts_on: Some(call),
            ends_on: Some(call),
        },
    );
    for (s, a, b) in plan {
        m.insert(
            *s,
            Window {
                starts_on: Some(*a),
                ends_on: Some(*b),
            },
        );
    }
    m
}

fn plan(year: i16) -> Vec<(Stage, Date, Date)> {
    let y = year;
    vec![
        (Stage::Applications, date(y, 3, 1), date(y, 5, 31)),
        (Stage::CountyRecommendation, date(y, 6, 1), date(y, 6, 20)),
        (Stage::EligibilityReview, date(y, 6, 21), date(y, 7, 10)),
        (Stage::MaterialReview, date(y, 7, 11), date(y, 8, 10)),
        (Stage::OnsiteSelection, date(y, 8, 11), date(y, 8, 20)),
        (Stage::OnsiteReview, date(y, 8, 21), date(y, 9, 30)),
        (
            Stage::ComprehensiveEvaluation,
            date(y, 10, 1),
            date(y, 10, 15),
        ),
        (Stage::Proposal, date(y, 10, 16), date(y, 10, 20)),
        (Stage::LeadershipDecision, date(y, 10, 21), date(y, 10, 31)),
        (Stage::PublicNotice, date(y, 11, 1), date(y, 11, 8)),
        (Stage::GovernmentApproval, date(y, 11, 9), date(y, 11, 30)),
        (Stage::Commendation, date(y, 12, 1), date(y, 12, 31)),
    ]
}

fn plan_2026() -> Vec<(Stage, Date, Date)> {
    vec![
        (Stage::Applications, date(2026, 9, 1), date(2026, 12, 31)),
        (
            Stage::CountyRecommendation,
            date(2027, 1, 1),
            date(2027, 1, 20),
        ),
        (
            Stage::EligibilityReview,
            date(2027, 1, 21),
            date(2027, 2, 20),
        ),
        (Stage::MaterialReview, date(2027, 2, 21), date(2027, 3, 31)),
        (Stage::OnsiteSelection, date(2027, 4, 1), date(2027, 4, 10)),
        (Stage::OnsiteReview, date(2027, 4, 11), date(2027, 5, 31)),
        (
            Stage::ComprehensiveEvaluation,
            date(2027, 6, 1),
            date(2027, 6, 15),
        ),
        (Stage::Proposal, date(2027, 6, 16), date(2027, 6, 20)),
        (
            Stage::LeadershipDecision,
            date(2027, 6, 21),
            date(2027, 6, 30),
        ),
        (Stage::PublicNotice, date(2027, 7, 1), date(2027, 7, 8)),
        (
            Stage::GovernmentApproval,
            date(2027, 7, 9),
            date(2027, 7, 31),
        ),
        (Stage::Commendation, date(2027, 8, 1), date(2027, 8, 31)),
    ]
}

pub(crate) fn grant(role: Role, p: i64) -> Grant {
    Grant {
        role,
        programme_id: Some(p),
        county_id: None,
        department_id: None,
        organisation_id: None,
    }
}

/// A small, valid one-page PDF saying what it is (fictional demo evidence).
pub fn demo_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || " -.,".contains(*c))
        .collect();
    let stream =
        format!("BT /F1 18 Tf 72 720 Td ({text}) Tj 0 -28 Td (Fictional demo document) Tj ET");
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Store `bytes` as an attachment of `aid`.
pub async fn attach(
    store: &Store,
    files: &qaward_store::attachments::Files,
    who: &Who,
    aid: i64,
    (kind, name, bytes): (&str, &str, &[u8]),
    at: jiff::Timestamp,
) -> qaward_store::Result<i64> {
    let io = |e: std::io::Error| qaward_store::Error::Other(e.to_string());
    let mut sink = files.sink(u64::MAX).await.map_err(io)?;
    let _ = sink.push(bytes).await.map_err(io)?;
    let w = sink
        .finish()
        .await
        .map_err(io)?
        .map_err(|e| qaward_store::Error::Other(format!("{e:?}")))?;
    store
        .add_attachment(
            who,
            &qaward_store::attachments::NewAttachment {
                application_id: aid,
                kind,
                filename: name,
                written: &w,
                max_total: u64::MAX,
                editable_only: kind != qaward_store::attachments::COUNTY_LETTER,
            },
            at,
        )
        .await
}

/// How far the demo's sessions have gone.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The review demonstration's 2026 session has moved on to the on-site review (the demo
    /// as shown); otherwise it stays in material review with one applicant still being scored.
    pub review_onsite: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            review_onsite: true,
        }
    }
}

/// Build the demo into an empty, migrated store, with evidence files under `files`.
pub async fn build(store: &Store, files: &std::path::Path) -> qaward_store::Result<Demo> {
    build_with(store, files, Options::default()).await
}

/// Build the demo as `opts` says.
pub async fn build_with(
    store: &Store,
    files: &std::path::Path,
    opts: Options,
) -> qaward_store::Result<Demo> {
    // The demo's years of fictional history are written at the dates they would have
    // happened, not in that order.
    let store = &store.replaying_history();
    let files = qaward_store::attachments::Files::new(files);
    let sys = Who::system();
    let t0 = at(date(2024, 1, 5));
    let (pid, r2020) = crate::setup::qingyuan(store, crate::setup::QINGYUAN_2020, t0).await?;
    let counties = store.counties(pid).await?;
    let county = |name: &str| counties.iter().find(|c| c.name == name).map(|c| c.id);
    let departments = store.departments(pid).await?;

    // Demo organisations: fictional names, valid (fictional) credit codes.
    let orgs = [
        ("清远市演示精密制造有限公司", "91441802MA4DEM01X", "清城区"),
        ("英德市演示茶业股份有限公司", "91441881MA4DEM02K", "英德市"),
        ("佛冈县演示食品有限公司", "91441821MA4DEM03P", "佛冈县"),
        ("连州市演示新材料有限公司", "91441882MA4DEM04R", "连州市"),
    ];
    let mut org_ids = Vec::new();
    {
        let mut tx = store.write(t0).await?;
        for (name, first17, c) in orgs {
            let code = CreditCode::complete(&first17[..17])
                .ok_or_else(|| qaward_store::Error::Other("demo code".into()))?;
            org_ids.push(
                Store::insert_organisation(&mut tx, &sys, pid, code.as_str(), name, county(c))
                    .await?,
            );
        }
        tx.commit().await?;
    }

    // One account per role. Hash once: every demo account shares the published demo password.
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| qaward_store::Error::Other(e.to_string()))??;
    let qingcheng = county("清城区");
    let yingde = county("英德市");
    let eco = departments
        .iter()
        .find(|d| d.code == "ecology")
        .map(|d| d.id);
    let users: Vec<(
        &'static str,
        &'static str,
        &'static str,
        Grant,
        &'static str,
    )> = vec![
        (
            "office",
            "林晓（市强市办，演示）",
            "市强市办",
            grant(Role::CityOffice, pid),
            "管理办法、届次与阶段推进、申报通知、届次导出",
        ),
        (
            "leader",
            "周正（领导小组成员，演示）",
            "领导小组成员",
            grant(Role::Leadership, pid),
            "查看评选进度",
        ),
        (
            "discipline",
            "郑清（纪检，演示）",
            "纪检监督",
            grant(Role::Discipline, pid),
            "审计日志与哈希链校验",
        ),
        (
            "county-qingcheng",
            "清城区质量强区办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: qingcheng,
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到清城区的申报单位",
        ),
        (
            "county-yingde",
            "英德市质量强市办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: yingde,
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到英德市的申报单位",
        ),
        (
            "county-qingxin",
            "清新区质量强区办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: county("清新区"),
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到清新区的申报单位",
        ),
        (
            "county-lianzhou",
            "连州市质量强市办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: county("连州市"),
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到连州市的申报单位",
        ),
        (
            "county-fogang",
            "佛冈县质量强县办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: county("佛冈县"),
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到佛冈县的申报单位",
        ),
        (
            "county-yangshan",
            "阳山县质量强县办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: county("阳山县"),
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到阳山县的申报单位",
        ),
        (
            "county-lianshan",
            "连山壮族瑶族自治县质量强县办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: county("连山壮族瑶族自治县"),
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到连山壮族瑶族自治县的申报单位",
        ),
        (
            "county-liannan",
            "连南瑶族自治县质量强县办（演示）",
            "县（市、区）质量强县办",
            Grant {
                county_id: county("连南瑶族自治县"),
                ..grant(Role::CountyOffice, pid)
            },
            "只能看到连南瑶族自治县的申报单位",
        ),
        (
            "dept-ecology",
            "市生态环境局（演示）",
            "相关部门",
            Grant {
                department_id: eco,
                ..grant(Role::Department, pid)
            },
            "本部门征求意见",
        ),
        (
            "reviewer",
            "陈审（评审员，演示）",
            "评审员",
            grant(Role::Reviewer, pid),
            "评审任务",
        ),
        (
            "applicant",
            "清远市演示精密制造有限公司",
            "申报单位",
            Grant {
                organisation_id: org_ids.first().copied(),
                ..grant(Role::Applicant, pid)
            },
            "本单位信息与申报通知",
        ),
        (
            "sysadmin",
            "系统管理员（演示）",
            "系统管理员",
            Grant {
                programme_id: None,
                ..grant(Role::SysAdmin, pid)
            },
            "账号管理（看不到评选数据）",
        ),
        (
            "secadmin",
            "安全管理员（演示）",
            "安全管理员",
            Grant {
                programme_id: None,
                ..grant(Role::SecAdmin, pid)
            },
            "登录锁定与会话超时设置",
        ),
        (
            "auditadmin",
            "安全审计员（演示）",
            "安全审计员",
            Grant {
                programme_id: None,
                ..grant(Role::AuditAdmin, pid)
            },
            "管理员操作审计",
        ),
    ];
    let mut logins = Vec::new();
    let mut office_id = None;
    {
        let mut tx = store.write(t0).await?;
        for (username, name, role, g, note) in users {
            let u = NewUser {
                username: username.into(),
                display_name: name.into(),
                email: None,
                password: String::new(),
                grants: vec![g],
            };
            let id = Store::insert_user(&mut tx, &sys, &u, &hash).await?;
            if username == "office" {
                office_id = Some(id);
            }
            logins.push(Login {
                role,
                username,
                note,
            });
        }
        tx.commit().await?;
    }
    let office = Who {
        user_id: office_id,
        name: "林晓（市强市办，演示）".into(),
        role: Role::CityOffice.code().into(),
    };

    // The 2024 session: the whole procedure, closed.
    let s24 = store
        .create_session(
            &office,
            &NewSession {
                programme_id: pid,
                rule_set_id: r2020,
                year: 2024,
            },
            at(date(2024, 1, 10)),
        )
        .await?;
    let p24 = plan(2024);
    store
        .set_windows(
            &office,
            s24,
            &windows(date(2024, 3, 1), &p24),
            at(date(2024, 1, 10)),
        )
        .await?;
    store
        .advance_session(&office, s24, Stage::CallPublished, at(date(2024, 3, 1)))
        .await?;

    // The demonstration copy of the measures, and the 2026 session accepting applications.
    let rdemo = store
        .load_rule_set(
            &office,
            pid,
            crate::setup::QINGYUAN_2020_DEMO,
            at(date(2025, 4, 1)),
        )
        .await?;
    let s26 = store
        .create_session(
            &office,
            &NewSession {
                programme_id: pid,
                rule_set_id: rdemo,
                year: 2026,
            },
            at(date(2026, 8, 3)),
        )
        .await?;
    store
        .set_windows(
            &office,
            s26,
            &windows(date(2026, 9, 1), &plan_2026()),
            at(date(2026, 8, 3)),
        )
        .await?;
    store
        .advance_session(&office, s26, Stage::CallPublished, at(date(2026, 9, 1)))
        .await?;
    store
        .advance_session(
            &office,
            s26,
            Stage::Applications,
            at_shanghai(date(2026, 9, 1), 10, 0),
        )
        .await?;

    let (applicants, opinion_requests) =
        applicants(store, &files, pid, s26, &hash, &counties).await?;
    let review = crate::demo_review::build(store, &files, &hash, opts.review_onsite).await?;
    crate::demo_recusal::build(store, &review).await?;
    logins.extend(review.logins.iter().cloned());

    // The 2024 session's history, now that the reviewer accounts exist.
    let s2024 = crate::demo_2024::build(store, &files, &hash, &office, s24).await?;
    let winners = crate::demo_2024::decide(store, &office, &s2024).await?;
    crate::demo_2024::award(store, &office, s24, &winners, DEMO_PUBLIC_URL).await?;
    crate::demo_revocation::build(store, &files, &office, pid, s24).await?;
    let conduct = crate::demo_conduct::build(store, &files, &s2024).await?;
    crate::demo_post_award::build(store, &files, &office, s24).await?;

    Ok(Demo {
        conduct,
        review,
        s2024,
        applications: applicants,
        opinion_requests,
        programme_id: pid,
        session_2024: s24,
        session_2026: s26,
        rule_sets: (r2020, rdemo),
        logins,
        counties: counties.iter().map(|c| (c.name.clone(), c.id)).collect(),
        organisations: org_ids,
    })
}

/// A complete, valid application form with plausible figures, varied by `seed`.
pub fn sample_form(
    cx: &qaward_core::application::Context,
    seed: u32,
    registered_on: &str,
) -> qaward_core::application::Values {
    use qaward_core::application::Values;
    let mut v = Values::new();
    let mut put = |k: &str, val: String| {
        v.insert(k.to_owned(), val);
    };
    let s = f64::from(seed);
    put("identity.registration_date", registered_on.to_owned());
    put(
        "identity.registered_address",
        format!("清远市演示路{}号（虚构地址）", 10 + seed),
    );
    put("identity.operating_address", String::new());
    put(
        "identity.economic_type",
        if seed.is_multiple_of(3) {
            "state"
        } else {
            "private"
        }
        .into(),
    );
    put(
        "identity.industry",
        [
            "C3982 电子元件",
            "C1530 精制茶加工",
            "C1391 食品制造",
            "C3089 新材料",
            "C2710 医药制造",
        ][seed as usize % 5]
            .into(),
    );
    put(
        "identity.size",
        if seed.is_multiple_of(2) {
            "large"
        } else {
            "medium"
        }
        .into(),
    );
    put("identity.legal_rep", format!("演示法人{seed}"));
    put("identity.top_manager", format!("演示总经理{seed}"));
    put("identity.quality_head", format!("演示质量负责人{seed}"));
    put("identity.contact_name", format!("演示联系人{seed}"));
    put(
        "identity.contact_phone",
        format!("0763-33{:05}", 10000 + seed),
    );
    put(
        "identity.contact_email",
        format!("contact{seed}@example.com"),
    );
    for (i, y) in cx.years.iter().enumerate() {
        let g = 1.0 + 0.08 * i as f64;
        put(
            &format!("staff.{y}.total"),
            format!("{}", 300 + seed * 17 + i as u32 * 12),
        );
        put(&format!("staff.{y}.managers"), format!("{}", 30 + seed));
        put(&format!("staff.{y}.quality"), format!("{}", 12 + seed % 7));
        put(
            &format!("staff.{y}.technical"),
            format!("{}", 40 + seed * 2),
        );
        put(
            &format!("economics.{y}.assets"),
            format!("{:.2}", (52000.0 + s * 3100.0) * g),
        );
        put(
            &format!("economics.{y}.revenue"),
            format!("{:.2}", (38000.0 + s * 2500.0) * g),
        );
        put(
            &format!("economics.{y}.profit"),
            format!("{:.2}", (3100.0 + s * 210.0) * g),
        );
        put(&format!("economics.{y}.loss"), String::new());
        put(
            &format!("economics.{y}.tax"),
            format!("{:.2}", (1500.0 + s * 90.0) * g),
        );
    }
    put(
        "economics.industry_rank",
        format!("本市同行业第{}名", 1 + seed % 3),
    );
    put(
        "economics.rank_evidence",
        "市统计部门发布的行业统计数据（演示）".into(),
    );
    put(
        "quality.1.product",
        [
            "精密电子元件",
            "英德红茶",
            "岭南特色食品",
            "高性能新材料",
            "中成药",
        ][seed as usize % 5]
            .into(),
    );
    put("quality.1.share", format!("{}", 8 + seed % 9));
    put("quality.satisfaction", format!("{}", 90 + seed % 8));
    put("quality.quality_loss_rate", format!("0.{}", 5 + seed % 4));
    put("systems.1.system", "qms".into());
    put("systems.1.status", "certified".into());
    put("systems.1.certifier", "演示认证有限公司".into());
    put("systems.1.cert_no", format!("DEMO-QMS-{seed:04}"));
    put("systems.1.cert_date", "2021-06-01".into());
    put("systems.excellence_since", "2023-01-01".into());
    put("honours.1.award", "广东省名牌产品（演示）".into());
    put("honours.1.level", "provincial".into());
    put("honours.1.year", "2024".into());
    put("compliance.1.date", "2025-05-12".into());
    put("compliance.1.product", "主要产品".into());
    put("compliance.1.body", "清远市市场监督管理局".into());
    put("compliance.1.level", "city".into());
    put("compliance.1.result", "passed".into());
    put("compliance.accidents", "无".into());
    put("compliance.complaints", "无".into());
    put("compliance.penalties", "无".into());
    put("compliance.credit", "good".into());
    put(
        "overview.text",
        format!(
            "本单位为演示用虚构企业（编号{seed}），主要从事{}。以下概述组织环境、组织关系与面临的挑战，内容纯属虚构。",
            [
                "电子元件制造",
                "茶叶种植与加工",
                "食品生产",
                "新材料研发",
                "医药制造"
            ][seed as usize % 5]
        ),
    );
    for (n, (id, name, _)) in cx.items.iter().enumerate() {
        put(
            &format!("self.{id}.text"),
            format!(
                "【{id} {name}】本单位在该条款方面的做法、展开、学习与整合情况（演示内容，纯属虚构）。"
            ),
        );
        put(
            &format!("self.{id}.percent"),
            format!("{}", 40 + 5 * ((seed as usize + n) % 7)),
        );
    }
    for d in &cx.declarations {
        put(&format!("declare.{d}"), "1".into());
    }
    v
}

/// The demo applicants of the 2026 session, spread over the counties and every state, and the
/// departments' opinions sought on some of the forwarded ones.
async fn applicants(
    store: &Store,
    files: &qaward_store::attachments::Files,
    pid: i64,
    s26: i64,
    hash: &str,
    counties: &[qaward_store::programme::Unit],
) -> qaward_store::Result<(Vec<(String, i64, String)>, Vec<(String, i64)>)> {
    use qaward_store::application::{Status, applicant_who};
    let d = store.session_detail(s26).await?;
    let cx = store.form_context(&d).await?;
    let users = store.users().await?;
    let county_who = |cid: i64| {
        users
            .iter()
            .find(|u| {
                u.grants
                    .iter()
                    .any(|g| g.role == Role::CountyOffice && g.county_id == Some(cid))
            })
            .map(|u| Who::user(u.id, &u.display_name, Role::CountyOffice.code()))
            .ok_or_else(|| {
                qaward_store::Error::Other(format!(
                    "the demo has no county office account for county {cid}"
                ))
            })
    };
    let office = users
        .iter()
        .find(|u| u.username == "office")
        .map(|u| Who::user(u.id, &u.display_name, Role::CityOffice.code()))
        .unwrap_or_else(Who::system);
    let plan: [(&str, &str, &str); 14] = [
        ("清远市演示电子科技有限公司", "清城区", "draft"),
        ("清新区演示机械制造有限公司", "清新区", "draft"),
        ("英德市演示红茶有限公司", "英德市", "submitted"),
        ("连州市演示农产品有限公司", "连州市", "submitted"),
        ("佛冈县演示五金制品有限公司", "佛冈县", "returned"),
        ("阳山县演示建材有限公司", "阳山县", "not_recommended"),
        (
            "连山演示生态旅游有限公司",
            "连山壮族瑶族自治县",
            "recommended",
        ),
        ("连南演示民族制品有限公司", "连南瑶族自治县", "recommended"),
        ("清远市演示新能源有限公司", "清城区", "forwarded"),
        ("英德市演示水泥有限公司", "英德市", "forwarded"),
        ("清新区演示医药有限公司", "清新区", "forwarded"),
        ("清远市演示智能装备股份有限公司", "清城区", "eligible"),
        ("佛冈县演示食品股份有限公司", "佛冈县", "eligible"),
        ("连州市演示陶瓷有限公司", "连州市", "ineligible"),
    ];
    let mut out = Vec::new();
    for (i, (name, county_name, state)) in plan.iter().enumerate() {
        let n = u32::try_from(i).unwrap_or(0) + 5;
        let cid = counties
            .iter()
            .find(|c| c.name == *county_name)
            .map(|c| c.id);
        let region = counties
            .iter()
            .find(|c| c.name == *county_name)
            .map(|c| c.code.clone())
            .unwrap_or_else(|| "441802".into());
        let code = CreditCode::complete(&format!("91{region}MA4DQY{n:03}"))
            .ok_or_else(|| qaward_store::Error::Other("demo code".into()))?;
        let registered_on = format!("{}-03-01", 2008 + n % 12);
        let t = at(date(2026, 9, 10 + (i as i8 % 15)));
        let (oid, uid) = {
            let mut tx = store.write(t).await?;
            let oid = Store::insert_organisation(
                &mut tx,
                &Who::anonymous(name),
                pid,
                code.as_str(),
                name,
                cid,
            )
            .await?;
            let u = NewUser {
                username: format!("applicant{n:02}"),
                display_name: format!("演示联系人（{name}）"),
                email: Some(format!("applicant{n:02}@example.com")),
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
        let who = applicant_who(uid, &format!("演示联系人（{name}）"));
        let aid = store.start_application(&who, s26, &org, t).await?;
        let mut values = sample_form(&cx, n, &registered_on);
        if *state == "draft" {
            values.retain(|k, _| k.starts_with("identity.") || k.starts_with("staff."));
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
        if *state != "draft" {
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
                .submit_application(&who, aid, at(date(2026, 10, 20 + (i as i8 % 8))))
                .await?;
        }
        let cw = county_who(cid.unwrap_or(0))?;
        let checked: Vec<(String, bool, String)> = ["conditions", "truthful", "departments"]
            .iter()
            .map(|c| ((*c).to_owned(), true, String::new()))
            .collect();
        let when = at(date(2026, 11, 3 + (i as i8 % 10)));
        match *state {
            "returned" => {
                store
                    .county_decide(
                        &cw,
                        aid,
                        &checked,
                        "returned",
                        "近三年质量监督抽查情况填写不完整，请补充抽查机关和结果后重新提交。",
                        when,
                    )
                    .await?
            }
            "not_recommended" => store
                .county_decide(
                    &cw,
                    aid,
                    &checked,
                    "not_recommended",
                    "经会同县应急管理局核实，该单位2025年发生一般生产安全事故，本年度暂不推荐。",
                    when,
                )
                .await?,
            "recommended" | "forwarded" | "eligible" | "ineligible" => {
                attach(
                    store,
                    files,
                    &cw,
                    aid,
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
                        aid,
                        &checked,
                        "recommended",
                        "经核实，申报内容属实，符合申报条件，同意推荐。",
                        when,
                    )
                    .await?
            }
            _ => {}
        }
        if matches!(*state, "forwarded" | "eligible" | "ineligible") {
            store
                .county_forward(&cw, s26, cid.unwrap_or(0), at(date(2026, 11, 14)))
                .await?;
        }
        if matches!(*state, "eligible" | "ineligible") {
            let lines = {
                let a = store.application(aid).await?;
                let call = d.entered(Stage::CallPublished).unwrap_or(date(2026, 9, 1));
                let f = qaward_core::application::facts(&a.values, &cx, call, true, vec![], vec![]);
                qaward_core::eligibility::check(&d.rules, &f)
            };
            let mut items: Vec<(String, bool, String)> = lines
                .iter()
                .map(|l| (l.code.to_owned(), true, String::new()))
                .collect();
            items.push(("package_complete".into(), true, String::new()));
            if *state == "ineligible"
                && let Some(x) = items.iter_mut().find(|x| x.0 == "spot_checks")
            {
                x.1 = false;
                x.2 = "经征求市市场监管局意见，该单位2024年市级质量监督抽查有一批次产品不合格，申报时未如实填报（第十条、第三十二条）。".into();
            }
            store
                .eligibility_decide(&office, aid, &items, at(date(2026, 11, 20)))
                .await?;
        }
        let status = store.application(aid).await?.status;
        debug_assert!(status != Status::Withdrawn);
        out.push(((*name).to_owned(), aid, status.code().to_owned()));
    }
    let opinions = opinions(store, pid, s26, &office, &users, &out).await?;
    Ok((out, opinions))
}

/// Written opinions sought from departments (Art. 14) on forwarded applicants: 市生态环境局
/// has answered on one applicant and not yet on the other; 市应急管理局 is overdue.
async fn opinions(
    store: &Store,
    pid: i64,
    s26: i64,
    office: &Who,
    users: &[qaward_store::accounts::User],
    apps: &[(String, i64, String)],
) -> qaward_store::Result<Vec<(String, i64)>> {
    use qaward_store::eligibility::opinions::{ItemAnswer, NewRequests};
    let departments = store.departments(pid).await?;
    let dept = |code: &str| {
        departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.id)
            .ok_or_else(|| qaward_store::Error::Other(format!("demo department {code}")))
    };
    let app = |name: &str| {
        apps.iter()
            .find(|(n, ..)| n == name)
            .map(|(_, id, _)| *id)
            .ok_or_else(|| qaward_store::Error::Other(format!("demo applicant {name}")))
    };
    let period = "2023-01-01 至 2025-12-31".to_owned();
    let emergency = store
        .create_opinion_requests(
            office,
            &NewRequests {
                session_id: s26,
                department_ids: vec![dept("emergency")?],
                application_ids: vec![
                    app("英德市演示水泥有限公司")?,
                    app("清新区演示医药有限公司")?,
                ],
                subject: "关于征求申报单位安全生产情况意见的函（演示，纯属虚构）".into(),
                period: period.clone(),
                due_on: "2026-11-20".into(),
            },
            at(date(2026, 11, 15)),
        )
        .await?;
    let ecology = store
        .create_opinion_requests(
            office,
            &NewRequests {
                session_id: s26,
                department_ids: vec![dept("ecology")?],
                application_ids: vec![
                    app("清远市演示新能源有限公司")?,
                    app("英德市演示水泥有限公司")?,
                ],
                subject: "关于征求申报单位生态环境守法情况意见的函（演示，纯属虚构）".into(),
                period,
                due_on: "2026-11-26".into(),
            },
            at(date(2026, 11, 16)),
        )
        .await?;
    let eco_who = users
        .iter()
        .find(|u| u.username == "dept-ecology")
        .map(|u| Who::user(u.id, &u.display_name, Role::Department.code()))
        .unwrap_or_else(Who::system);
    store
        .answer_opinions(
            &eco_who,
            ecology[0],
            &[ItemAnswer {
                application_id: app("清远市演示新能源有限公司")?,
                answer: "no_objection".into(),
                facts: String::new(),
                document_no: "清环函〔2026〕演示1号".into(),
            }],
            at(date(2026, 11, 19)),
        )
        .await?;
    Ok(vec![
        ("emergency".into(), emergency[0]),
        ("ecology".into(), ecology[0]),
    ])
}
