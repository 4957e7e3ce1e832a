//! Fictional demonstration data (演示数据，纯属虚构): the Qingyuan programme with its eight
//! county-level divisions, a closed 2024 session under the 2020 measures, a 2026 session under
//! a clearly labelled demonstration copy, and one account per role. History is replayed through
//! the same store operations the pages use, at the dates it would have happened.

use jiff::civil::{Date, date};
use qaward_core::authz::{Grant, Role};
use qaward_core::clock::at_shanghai;
use qaward_core::credit_code::CreditCode;
use qaward_core::stage::{Stage, Window};
use qaward_store::accounts::{NewUser, hash_password};
use qaward_store::sessions::NewSession;
use qaward_store::{Store, Who};
use std::collections::BTreeMap;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Qingyuan#2026";

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
}

fn at(d: Date) -> jiff::Timestamp {
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

fn grant(role: Role, p: i64) -> Grant {
    Grant {
        role,
        programme_id: Some(p),
        county_id: None,
        department_id: None,
        organisation_id: None,
    }
}

/// Build the demo into an empty, migrated store.
pub async fn build(store: &Store) -> qaward_store::Result<Demo> {
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
    for (s, from, _) in &p24 {
        store.advance_session(&office, s24, *s, at(*from)).await?;
    }
    store
        .advance_session(&office, s24, Stage::Closed, at(date(2025, 1, 10)))
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

    Ok(Demo {
        programme_id: pid,
        session_2024: s24,
        session_2026: s26,
        rule_sets: (r2020, rdemo),
        logins,
        counties: counties.iter().map(|c| (c.name.clone(), c.id)).collect(),
        organisations: org_ids,
    })
}
