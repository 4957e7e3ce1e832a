//! `qaward bench seed`: fictional data at the size of a provincial or national programme.
//!
//! The programme, the sessions, their windows and every stage move go through the store's
//! own functions (each with its audit entry). The bulk rows (organisations, accounts,
//! applications and their reviews, experts with their histories, teams, assignments,
//! declarations, scorebooks and consensus) are written straight into the real tables in
//! batched multi-row inserts, one transaction per batch, and each batch appends ONE
//! summarising audit entry (`bench.seed.*`) naming what it created, so the chain verifies.

use super::{Progress, SEED_FILE};
use crate::demo::{demo_pdf, sample_form, windows};
use crate::setup::{GBT19580_2012, QINGYUAN_2020_DEMO};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use qaward_core::authz::Role;
use qaward_core::clock::at_shanghai;
use qaward_core::credit_code::CreditCode;
use qaward_core::session::Stage;
use qaward_store::accounts::NewUser;
use qaward_store::programme::NewProgramme;
use qaward_store::session::NewSession;
use qaward_store::{NewEntry, Store, Tx, Who};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;
use std::path::Path;

/// The password of every account the generator creates.
pub const BENCH_PASSWORD: &str = crate::demo::DEMO_PASSWORD;

/// How much to create.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Applications in the session under material review.
    pub applications: usize,
    /// Counties.
    pub counties: usize,
    /// Experts in the pool.
    pub experts: usize,
    /// Experts per review team (one leader).
    pub team_size: usize,
    /// Applications of the review session whose scorebooks are left empty (review in progress).
    pub unscored: usize,
    /// Complete draft applications, ready to submit, in a second session open for applications.
    pub drafts: usize,
    /// Print a progress bar.
    pub progress: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            applications: 10_000,
            counties: 100,
            experts: 3_000,
            team_size: 5,
            unscored: 20,
            drafts: 0,
            progress: true,
        }
    }
}

/// What was created: enough for the benchmarks to find their way.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Seeded {
    /// Programme.
    pub programme_id: i64,
    /// The session in material review.
    pub review_session: i64,
    /// The session accepting applications (when drafts were asked for).
    pub open_session: Option<i64>,
    /// The office account.
    pub office: String,
    /// Applications of the review session, in id order.
    pub applications: Vec<i64>,
    /// (application, its applicant's user name), a sample across the range.
    pub applicants: Vec<(i64, String)>,
    /// (application, reviewer user name) whose scorebook is submitted.
    pub scored: Vec<(i64, String)>,
    /// (application, reviewer user name) whose scorebook is still empty.
    pub unscored: Vec<(i64, String)>,
    /// Draft applications ready to submit: (application, applicant user name).
    pub drafts: Vec<(i64, String)>,
    /// Experts, teams, (expert, application) pairs with a conflict from the data.
    pub counts: SeedCounts,
    /// Seconds it took.
    pub seconds: f64,
}

/// Sizes.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct SeedCounts {
    /// Applications.
    pub applications: usize,
    /// Experts.
    pub experts: usize,
    /// Teams.
    pub teams: usize,
    /// Scores (rows).
    pub scores: usize,
    /// Conflicted (expert, application) pairs planted.
    pub conflicts: usize,
    /// Counties.
    pub counties: usize,
}

/// A value to bind.
#[derive(Debug, Clone)]
pub(crate) enum V {
    /// Integer.
    I(i64),
    /// Text.
    T(String),
    /// NULL integer.
    N,
}

impl From<i64> for V {
    fn from(v: i64) -> Self {
        V::I(v)
    }
}
impl From<&str> for V {
    fn from(v: &str) -> Self {
        V::T(v.to_owned())
    }
}
impl From<String> for V {
    fn from(v: String) -> Self {
        V::T(v)
    }
}
impl From<Option<i64>> for V {
    fn from(v: Option<i64>) -> Self {
        v.map_or(V::N, V::I)
    }
}

/// Insert `rows` into `table` in multi-row statements.
pub(crate) async fn bulk(
    tx: &mut Tx,
    table: &str,
    cols: &[&str],
    rows: &[Vec<V>],
) -> qaward_store::Result<()> {
    let per = (30_000 / cols.len()).clamp(1, 500);
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 1;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..cols.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${n}"));
                n += 1;
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            for v in r {
                q = match v {
                    V::I(i) => q.bind(*i),
                    V::T(t) => q.bind(t.clone()),
                    V::N => q.bind(Option::<i64>::None),
                };
            }
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

fn other(e: impl std::fmt::Display) -> qaward_store::Error {
    qaward_store::Error::Other(e.to_string())
}

fn credit(region: u32, kind: &str, n: usize) -> qaward_store::Result<String> {
    CreditCode::complete(&format!("91{region:06}{kind}{n:07}"))
        .map(|c| c.as_str().to_owned())
        .ok_or_else(|| other("bench credit code"))
}

fn id_number(n: usize) -> String {
    let body = format!(
        "44{:04}19{:02}{:02}{:02}{:03}",
        n / 1000 % 10000,
        60 + n % 30,
        1 + n % 12,
        1 + n % 28,
        n % 1000
    );
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(w)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"][(sum % 11) as usize];
    format!("{body}{check}")
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "梁",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "军", "杰", "涛", "明", "超", "平", "刚",
    "华", "丽", "霞", "斌",
];
const TRADES: [&str; 10] = [
    "精密制造",
    "电子科技",
    "新材料",
    "生物医药",
    "食品",
    "汽车部件",
    "建筑工程",
    "软件",
    "物流",
    "环保科技",
];

fn person(n: usize) -> String {
    format!(
        "{}{}{}（虚构）",
        SURNAMES[n % 20],
        GIVEN[n / 20 % 20],
        GIVEN[n / 400 % 20]
    )
}

fn day(d: Date) -> String {
    d.to_string()
}

/// The scale test's rule set: the demonstration copy of the measures with its own id, and
/// with the implementation setting "most applications per team" raised so that the pool's
/// teams can carry every application (a provincial programme sets its own implementation
/// rules; the articles are unchanged).
pub fn scale_rules(o: &SeedOptions) -> String {
    let teams = (o.experts.max(o.team_size) / o.team_size.max(1)).max(1);
    let load = o.applications.max(1).div_ceil(teams) + 1;
    QINGYUAN_2020_DEMO
        .replace(
            "id = \"qingyuan-2020-demo\"",
            "id = \"bench-province-scale\"",
        )
        .replace(
            "name = \"清远市政府质量奖管理办法（演示副本）\"",
            "name = \"清远市政府质量奖管理办法（演示副本，规模测试）\"",
        )
        .replace(
            "team_load_max = { value = 10,",
            &format!("team_load_max = {{ value = {load},"),
        )
        .replace(
            "team_size = { value = 5,",
            &format!("team_size = {{ value = {},", o.team_size.max(1)),
        )
}

/// Windows of the session under review, relative to `today`: material review began 24 days
/// ago.
fn review_plan(today: Date) -> (Date, Vec<(Stage, Date, Date)>) {
    let d = |n: i64| today.checked_add(n.days()).unwrap_or(today);
    (
        d(-276),
        vec![
            (Stage::Applications, d(-276), d(-185)),
            (Stage::CountyRecommendation, d(-184), d(-165)),
            (Stage::EligibilityReview, d(-164), d(-25)),
            (Stage::MaterialReview, d(-24), d(20)),
            (Stage::OnsiteSelection, d(21), d(25)),
            (Stage::OnsiteReview, d(40), d(90)),
            (Stage::ComprehensiveEvaluation, d(91), d(105)),
            (Stage::Proposal, d(106), d(110)),
            (Stage::LeadershipDecision, d(111), d(120)),
            (Stage::PublicNotice, d(121), d(128)),
            (Stage::GovernmentApproval, d(129), d(150)),
            (Stage::Commendation, d(151), d(180)),
        ],
    )
}

/// Windows of a session accepting applications until 30 days from `today`.
fn open_plan(today: Date) -> (Date, Vec<(Stage, Date, Date)>) {
    let d = |n: i64| today.checked_add(n.days()).unwrap_or(today);
    (
        d(-10),
        vec![
            (Stage::Applications, d(-10), d(30)),
            (Stage::CountyRecommendation, d(31), d(50)),
            (Stage::EligibilityReview, d(51), d(120)),
            (Stage::MaterialReview, d(121), d(160)),
            (Stage::OnsiteSelection, d(161), d(165)),
            (Stage::OnsiteReview, d(170), d(220)),
            (Stage::ComprehensiveEvaluation, d(221), d(235)),
            (Stage::Proposal, d(236), d(240)),
            (Stage::LeadershipDecision, d(241), d(250)),
            (Stage::PublicNotice, d(251), d(258)),
            (Stage::GovernmentApproval, d(259), d(280)),
            (Stage::Commendation, d(281), d(310)),
        ],
    )
}

fn at(d: Date) -> Timestamp {
    at_shanghai(d, 9, 30)
}

/// One summarising audit entry for a batch.
async fn note(
    tx: &mut Tx,
    pid: i64,
    action: &str,
    summary: String,
    detail: serde_json::Value,
) -> qaward_store::Result<()> {
    tx.audit(
        NewEntry::admin(&Who::system(), action, "programme", pid)
            .programme(pid)
            .summary(summary)
            .detail(detail),
    )
    .await?;
    Ok(())
}

/// The largest id of `table` so far (rows inserted after it have larger ids).
async fn max_id(tx: &mut Tx, table: &str) -> qaward_store::Result<i64> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(id), 0) FROM {table}"
    )))
    .fetch_one(tx.conn())
    .await?
    .get(0))
}

/// Insert the accounts `<prefix><i+1>` for `range` (display name by `name`, one password
/// hash for all); returns (username, id) of the accounts inserted.
async fn bulk_users(
    tx: &mut Tx,
    prefix: &str,
    range: std::ops::Range<usize>,
    hash: &str,
    us: i64,
    name: impl Fn(usize) -> String,
) -> qaward_store::Result<HashMap<String, i64>> {
    let after = max_id(tx, "users").await?;
    let users: Vec<Vec<V>> = range
        .map(|i| {
            vec![
                V::T(format!("{prefix}{}", i + 1)),
                V::T(name(i)),
                V::T(format!("{prefix}{}@example.com", i + 1)),
                V::T(hash.to_owned()),
                V::I(us),
                V::I(us),
            ]
        })
        .collect();
    bulk(
        tx,
        "users",
        &[
            "username",
            "display_name",
            "email",
            "password_hash",
            "created_at",
            "password_changed_at",
        ],
        &users,
    )
    .await?;
    keys_after(tx, "users", "username", after).await
}

/// (key, id) of the rows of `table` inserted after `after`.
async fn keys_after(
    tx: &mut Tx,
    table: &str,
    key: &str,
    after: i64,
) -> qaward_store::Result<HashMap<String, i64>> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {key}, id FROM {table} WHERE id > $1"
    )))
    .bind(after)
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
    .collect())
}

/// Create the data. `files` is the file store (one shared fictional PDF backs the evidence).
pub async fn seed(store: &Store, files: &Path, o: &SeedOptions) -> qaward_store::Result<Seeded> {
    let started = std::time::Instant::now();
    let now = Timestamp::now();
    let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
    let sys = Who::system();
    let hash = qaward_store::accounts::hash_password(BENCH_PASSWORD)?;
    let n_apps = o.applications.max(1);
    let n_counties = o.counties.clamp(1, 9999);
    let (call, plan) = review_plan(today);

    // Programme, criteria, rule set, the office account: through the store.
    let exists: i64 = sqlx::query("SELECT COUNT(*) FROM programmes WHERE code = 'bench-province'")
        .fetch_one(store.pool())
        .await?
        .get(0);
    if exists > 0 {
        return Err(other(
            "this database already holds generated data (programme bench-province); seed an empty one",
        ));
    }
    let (pid, rid, office_id) = {
        let mut tx = store
            .write(at(call.checked_sub(30.days()).unwrap_or(call)))
            .await?;
        let has_criteria: i64 = sqlx::query("SELECT COUNT(*) FROM criteria_sets")
            .fetch_one(tx.conn())
            .await?
            .get(0);
        if has_criteria == 0 {
            Store::insert_criteria(&mut tx, &sys, GBT19580_2012).await?;
        }
        let p = NewProgramme {
            code: "bench-province".into(),
            name: "省政府质量奖（规模测试，虚构数据）".into(),
            name_en: "Provincial Government Quality Award (scale test, fictional data)".into(),
            level: "city".into(),
            region: "虚构省".into(),
            office_name: "虚构省质量强省工作领导小组办公室".into(),
            counties: (0..n_counties)
                .map(|i| (format!("{:06}", 440_000 + i), format!("虚构第{}县", i + 1)))
                .collect(),
            departments: crate::setup::QINGYUAN_DEPARTMENTS
                .iter()
                .map(|(c, n)| ((*c).into(), (*n).into()))
                .collect(),
        };
        let pid = Store::insert_programme(&mut tx, &sys, &p).await?;
        let rid = Store::insert_rule_set(&mut tx, &sys, pid, &scale_rules(o)).await?;
        let office_id = Store::insert_user(
            &mut tx,
            &sys,
            &NewUser {
                username: "bench-office".into(),
                display_name: "规模测试办公室（虚构）".into(),
                email: None,
                password: String::new(),
                grants: vec![crate::demo::grant(Role::CityOffice, pid)],
            },
            &hash,
        )
        .await?;
        tx.commit().await?;
        (pid, rid, office_id)
    };
    let office = Who::user(office_id, "规模测试办公室（虚构）", Role::CityOffice.code());
    let counties = store.counties(pid).await?;
    let sid = store
        .create_session(
            &office,
            &NewSession {
                programme_id: pid,
                rule_set_id: rid,
                // Two years before the open session (Art. 3: one session every two years).
                year: i32::from(today.year()) - 2,
            },
            at(call.checked_sub(20.days()).unwrap_or(call)),
        )
        .await?;
    store
        .set_windows(
            &office,
            sid,
            &windows(call, &plan),
            at(call.checked_sub(20.days()).unwrap_or(call)),
        )
        .await?;
    store
        .advance_session(&office, sid, Stage::CallPublished, at(call))
        .await?;
    store
        .advance_session(&office, sid, Stage::Applications, at(call))
        .await?;
    let d = store.session_detail(sid).await?;
    let cx = store.form_context(&d).await?;
    let crit = store.criteria(&d.rules.meta.criteria).await?;
    let item_ids: Vec<String> = crit.items().map(|i| i.id.clone()).collect();

    // The shared evidence file.
    let pdf = demo_pdf("Scale test evidence");
    let fstore = qaward_store::attachments::Files::new(files);
    let written = {
        let io = |e: std::io::Error| other(e);
        let mut sink = fstore.sink(u64::MAX).await.map_err(io)?;
        let _ = sink.push(&pdf).await.map_err(io)?;
        sink.finish()
            .await
            .map_err(io)?
            .map_err(|e| other(format!("{e:?}")))?
    };
    let pdf_sha = written.sha256.clone();
    let pdf_size = i64::try_from(pdf.len()).unwrap_or(0);

    let total_steps = n_apps * 2 + o.experts + o.drafts;
    let mut bar = Progress::new("seed", total_steps, o.progress);

    // Organisations, applicant accounts, applications (eligible), their reviews, evidence.
    let batch = 1000;
    let apps_window = plan[0].1;
    let mut app_ids = Vec::with_capacity(n_apps);
    let mut applicants = Vec::new();
    let mut org_codes: Vec<String> = Vec::with_capacity(n_apps);
    let mut org_names: Vec<String> = Vec::with_capacity(n_apps);
    for start in (0..n_apps).step_by(batch) {
        let end = (start + batch).min(n_apps);
        let t = at(apps_window
            .checked_add(((start * 60 / n_apps) as i64).days())
            .unwrap_or(apps_window));
        let mut tx = store.write(t).await?;
        let us = tx.now();
        let org_after = max_id(&mut tx, "organisations").await?;
        let app_after = max_id(&mut tx, "applications").await?;
        let mut orgs = Vec::new();
        let mut codes = Vec::new();
        for i in start..end {
            let c = &counties[i % counties.len()];
            let code = credit(440_000 + (i % n_counties) as u32, "MA", i)?;
            let name = format!(
                "{}虚构{}{}有限公司{}",
                c.name,
                TRADES[i % TRADES.len()],
                ["", "股份", "集团"][i % 3],
                i + 1
            );
            orgs.push(vec![
                V::I(pid),
                V::T(code.clone()),
                V::T(name.clone()),
                V::I(c.id),
                V::I(us),
                V::T(format!("{}-05-01", 1990 + i % 25)),
                V::T(format!("{}虚构路{}号", c.name, i + 1)),
            ]);
            codes.push(code.clone());
            org_codes.push(code);
            org_names.push(name);
        }
        bulk(
            &mut tx,
            "organisations",
            &[
                "programme_id",
                "credit_code",
                "name",
                "county_id",
                "created_at",
                "registered_on",
                "address",
            ],
            &orgs,
        )
        .await?;
        let org_id = keys_after(&mut tx, "organisations", "credit_code", org_after).await?;
        let user_id = bulk_users(&mut tx, "bench-applicant", start..end, &hash, us, |i| {
            format!("{}（联系人）", person(i))
        })
        .await?;
        let mut grants = Vec::new();
        let mut apps = Vec::new();
        for (k, i) in (start..end).enumerate() {
            let oid = *org_id.get(&codes[k]).ok_or_else(|| other("org id"))?;
            let uid = *user_id
                .get(&format!("bench-applicant{}", i + 1))
                .ok_or_else(|| other("user id"))?;
            grants.push(vec![
                V::I(uid),
                V::T("applicant".into()),
                V::I(pid),
                V::N,
                V::N,
                V::I(oid),
                V::I(us),
            ]);
            let mut values = sample_form(
                &cx,
                (i % 500) as u32 + 1,
                &format!("{}-05-01", 1990 + i % 25),
            );
            values.insert(
                "identity.industry".into(),
                [
                    "C3982 电子元件",
                    "C3670 汽车零部件及配件制造",
                    "I6513 应用软件开发",
                    "C2720 化学药品制剂制造",
                    "G5430 道路货物运输",
                ][i % 5]
                    .into(),
            );
            let form = serde_json::to_string(&values).map_err(other)?;
            let sub = us + i64::try_from(i % 997).unwrap_or(0) * 1_000_000;
            let content = qaward_store::application::content_hash(
                &values,
                &[pdf_sha.clone(), pdf_sha.clone()],
            );
            apps.push(vec![
                V::I(sid),
                V::I(oid),
                V::T("eligible".into()),
                V::T(form),
                V::I(i64::try_from(qaward_core::application::SECTIONS.len()).unwrap_or(1)),
                V::I(us),
                V::I(sub),
                V::I(sub),
                V::T(format!("QA{}-B{:07}", today.year(), i + 1)),
                V::T(content),
            ]);
            bar.tick(1);
        }
        bulk(
            &mut tx,
            "role_grants",
            &[
                "user_id",
                "role",
                "programme_id",
                "county_id",
                "department_id",
                "organisation_id",
                "created_at",
            ],
            &grants,
        )
        .await?;
        bulk(
            &mut tx,
            "applications",
            &[
                "session_id",
                "organisation_id",
                "status",
                "form",
                "version",
                "created_at",
                "updated_at",
                "submitted_at",
                "receipt_no",
                "content_hash",
            ],
            &apps,
        )
        .await?;
        let ids: Vec<i64> = sqlx::query("SELECT id FROM applications WHERE id > $1 ORDER BY id")
            .bind(app_after)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let checklist = serde_json::json!([
            ["conditions", true, ""],
            ["truthful", true, ""],
            ["departments", true, ""]
        ])
        .to_string();
        let items = serde_json::json!([["package_complete", true, ""]]).to_string();
        let mut county = Vec::new();
        let mut elig = Vec::new();
        let mut atts = Vec::new();
        for id in &ids {
            county.push(vec![
                V::I(*id),
                V::T(checklist.clone()),
                V::T("recommended".into()),
                V::T("经核实，申报内容属实，同意推荐（虚构）。".into()),
                V::I(us),
                V::I(us),
            ]);
            elig.push(vec![
                V::I(*id),
                V::T(items.clone()),
                V::T("eligible".into()),
                V::I(us),
            ]);
            for (kind, name) in [
                ("business_licence", "营业执照.pdf"),
                ("financial", "财务审计报告.pdf"),
            ] {
                atts.push(vec![
                    V::I(*id),
                    V::T(kind.into()),
                    V::T(name.into()),
                    V::T("application/pdf".into()),
                    V::I(pdf_size),
                    V::T(pdf_sha.clone()),
                    V::I(us),
                ]);
            }
        }
        bulk(
            &mut tx,
            "county_reviews",
            &[
                "application_id",
                "checklist",
                "decision",
                "reasons",
                "decided_at",
                "forwarded_at",
            ],
            &county,
        )
        .await?;
        bulk(
            &mut tx,
            "eligibility_reviews",
            &["application_id", "items", "result", "decided_at"],
            &elig,
        )
        .await?;
        bulk(
            &mut tx,
            "attachments",
            &[
                "application_id",
                "kind",
                "filename",
                "mime",
                "size",
                "sha256",
                "uploaded_at",
            ],
            &atts,
        )
        .await?;
        note(
            &mut tx,
            pid,
            "bench.seed.applications",
            format!("规模测试：生成虚构申报单位及申报 {}–{}（{} 份，含账号、县级推荐和资格审查记录）", start + 1, end, end - start),
            serde_json::json!({"session": sid, "from": ids.first(), "to": ids.last(), "count": ids.len()}),
        )
        .await?;
        tx.commit().await?;
        for (k, id) in ids.iter().enumerate() {
            if (start + k) % (n_apps / 50).max(1) == 0 {
                applicants.push((*id, format!("bench-applicant{}", start + k + 1)));
            }
        }
        app_ids.extend(ids);
    }
    // The list's columns (self-assessed score, industry) the store fills at submission.
    store.fill_list_columns().await?;
    let (county_start, elig_start, material_start) = (plan[1].1, plan[2].1, plan[3].1);
    store
        .advance_session(&office, sid, Stage::CountyRecommendation, at(county_start))
        .await?;
    store
        .advance_session(&office, sid, Stage::EligibilityReview, at(elig_start))
        .await?;

    // Experts: accounts, records, two jobs, training and assessment. About 1 % of the
    // applications employ (now or within the look-back) one of the experts.
    let t_pool = at(elig_start.checked_add(30.days()).unwrap_or(elig_start));
    let n_exp = o.experts.max(o.team_size);
    let conflicts_wanted = (n_apps / 100).max(1);
    let mut conflict_of: HashMap<usize, usize> = HashMap::new();
    for k in 0..conflicts_wanted {
        conflict_of.insert((k * 7919 + 13) % n_exp, (k * 100 + 50) % n_apps);
    }
    let mut expert_ids: Vec<i64> = Vec::with_capacity(n_exp);
    let mut expert_users: Vec<i64> = Vec::with_capacity(n_exp);
    for start in (0..n_exp).step_by(batch) {
        let end = (start + batch).min(n_exp);
        let mut tx = store.write(t_pool).await?;
        let us = tx.now();
        let expert_after = max_id(&mut tx, "experts").await?;
        let uid = bulk_users(&mut tx, "bench-expert", start..end, &hash, us, |i| {
            person(i + 7)
        })
        .await?;
        let mut grants = Vec::new();
        let mut rows = Vec::new();
        for i in start..end {
            let u = *uid
                .get(&format!("bench-expert{}", i + 1))
                .ok_or_else(|| other("expert user"))?;
            expert_users.push(u);
            grants.push(vec![
                V::I(u),
                V::T("reviewer".into()),
                V::I(pid),
                V::N,
                V::N,
                V::N,
                V::I(us),
            ]);
            let level = if i % o.team_size.max(1) == 0 {
                "leader"
            } else if i % 3 == 0 {
                "senior"
            } else {
                "reviewer"
            };
            rows.push(vec![
                V::I(pid),
                V::I(u),
                V::T(person(i + 7)),
                V::T(id_number(i + 1)),
                V::T(if i % 3 == 0 { "女" } else { "男" }.into()),
                V::T(format!("139{:08}", i + 1)),
                V::T(format!("bench-expert{}@example.com", i + 1)),
                V::T("高级工程师".into()),
                V::T("硕士研究生".into()),
                V::T(level.into()),
                V::T(["C", "C,I", "D,E", "G,N", "M,C"][i % 5].into()),
                V::T(format!("BQA-{:06}", i + 1)),
                V::T(day(today.checked_sub(700.days()).unwrap_or(today))),
                V::T(day(today.checked_add(700.days()).unwrap_or(today))),
                V::I(0),
                V::T(String::new()),
                V::I(us),
                V::I(us),
            ]);
        }
        bulk(
            &mut tx,
            "role_grants",
            &[
                "user_id",
                "role",
                "programme_id",
                "county_id",
                "department_id",
                "organisation_id",
                "created_at",
            ],
            &grants,
        )
        .await?;
        bulk(
            &mut tx,
            "experts",
            &[
                "programme_id",
                "user_id",
                "name",
                "id_number",
                "gender",
                "phone",
                "email",
                "title",
                "education",
                "level",
                "industries",
                "qualification_no",
                "qualified_from",
                "qualified_until",
                "winner_manager",
                "note",
                "created_at",
                "updated_at",
            ],
            &rows,
        )
        .await?;
        let eid = keys_after(&mut tx, "experts", "id_number", expert_after).await?;
        let mut emp = Vec::new();
        let mut train = Vec::new();
        for i in start..end {
            let e = *eid
                .get(&id_number(i + 1))
                .ok_or_else(|| other("expert id"))?;
            expert_ids.push(e);
            let employer = format!("虚构质量技术研究院{}", i % 300 + 1);
            emp.push(vec![
                V::I(e),
                V::T(employer),
                V::T(credit(449_000, "MB", i % 300)?),
                V::T("质量管理专家".into()),
                V::T(day(today.checked_sub(3000.days()).unwrap_or(today))),
                V::N,
            ]);
            emp.push(vec![
                V::I(e),
                V::T("虚构机械研究所".into()),
                V::T(String::new()),
                V::T("工程师".into()),
                V::T("2000-07-01".into()),
                V::T("2010-02-28".into()),
            ]);
            if let Some(a) = conflict_of.get(&i) {
                emp.push(vec![
                    V::I(e),
                    V::T(org_names[*a].clone()),
                    V::T(org_codes[*a].clone()),
                    V::T("生产部经理".into()),
                    V::T(day(today.checked_sub(2000.days()).unwrap_or(today))),
                    V::T(day(today.checked_sub(400.days()).unwrap_or(today))),
                ]);
            }
            train.push(vec![
                V::I(e),
                V::T("training".into()),
                V::T("卓越绩效评价准则评审员培训".into()),
                V::T("虚构省质量协会".into()),
                V::T(day(today.checked_sub(400.days()).unwrap_or(today))),
                V::I(1),
                V::T(format!("PX-{:06}", i + 1)),
            ]);
            train.push(vec![
                V::I(e),
                V::T("assessment".into()),
                V::T("政府质量奖评审员资格考核".into()),
                V::T("虚构省质量协会".into()),
                V::T(day(today.checked_sub(380.days()).unwrap_or(today))),
                V::I(1),
                V::T(format!("KH-{:06}", i + 1)),
            ]);
            bar.tick(1);
        }
        // Employment start_on/end_on hold NULL as text columns: bind them as text NULLs.
        bulk_text_nulls(
            &mut tx,
            "expert_employment",
            &[
                "expert_id",
                "employer_name",
                "employer_credit_code",
                "position",
                "start_on",
                "end_on",
            ],
            &emp,
        )
        .await?;
        bulk(
            &mut tx,
            "expert_training",
            &[
                "expert_id",
                "kind",
                "course",
                "association",
                "held_on",
                "passed",
                "certificate_no",
            ],
            &train,
        )
        .await?;
        note(
            &mut tx,
            pid,
            "bench.seed.experts",
            format!(
                "规模测试：生成虚构专家 {}–{}（含账号、工作经历、培训和考核记录）",
                start + 1,
                end
            ),
            serde_json::json!({"from": start + 1, "to": end}),
        )
        .await?;
        tx.commit().await?;
    }

    // Teams of `team_size`, published; each application to a team none of whose members has a
    // conflict with it; every member signs the declaration.
    let ts = o.team_size.max(1);
    let load_max = usize::try_from(d.rules.review.team_load_max.value)
        .unwrap_or(10)
        .max(1);
    // Every expert on one team (Art. 8); the scale rule set lets each team carry its share.
    let n_teams = (n_exp / ts).max(1);
    let t_team = at(material_start
        .checked_sub(5.days())
        .unwrap_or(material_start));
    let decl_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        crate::demo_review::declaration_text().as_bytes(),
    ));
    let mut team_ids = Vec::with_capacity(n_teams);
    let mut members: Vec<Vec<usize>> = Vec::with_capacity(n_teams);
    let mut app_team: Vec<usize> = Vec::with_capacity(n_apps);
    {
        let mut tx = store.write(t_team).await?;
        let us = tx.now();
        let rows: Vec<Vec<V>> = (0..n_teams)
            .map(|t| {
                vec![
                    V::I(sid),
                    V::T(format!("第{}评审组", t + 1)),
                    V::I(us),
                    V::I(us),
                ]
            })
            .collect();
        bulk(
            &mut tx,
            "review_teams",
            &["session_id", "name", "created_at", "published_at"],
            &rows,
        )
        .await?;
        let tid: HashMap<String, i64> =
            sqlx::query("SELECT name, id FROM review_teams WHERE session_id = $1")
                .bind(sid)
                .fetch_all(tx.conn())
                .await?
                .iter()
                .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
                .collect();
        let mut m = Vec::new();
        let mut decl = Vec::new();
        let mut signed = std::collections::HashSet::new();
        for t in 0..n_teams {
            let id = *tid
                .get(&format!("第{}评审组", t + 1))
                .ok_or_else(|| other("team id"))?;
            team_ids.push(id);
            let ms: Vec<usize> = (t * ts..(t + 1) * ts).filter(|i| *i < n_exp).collect();
            for (k, e) in ms.iter().enumerate() {
                m.push(vec![
                    V::I(id),
                    V::I(expert_ids[*e]),
                    V::I(i64::from(k == 0)),
                ]);
                if signed.insert(*e) {
                    decl.push(vec![
                        V::I(sid),
                        V::I(expert_ids[*e]),
                        V::T(decl_hash.clone()),
                        V::I(us),
                    ]);
                }
            }
            members.push(ms);
        }
        bulk(
            &mut tx,
            "review_team_members",
            &["team_id", "expert_id", "leader"],
            &m,
        )
        .await?;
        bulk(
            &mut tx,
            "review_declarations",
            &["session_id", "expert_id", "text_sha256", "signed_at"],
            &decl,
        )
        .await?;
        let mut banned: std::collections::HashSet<(usize, usize)> = Default::default();
        for (t, ms) in members.iter().enumerate() {
            for e in ms {
                if let Some(a) = conflict_of.get(e) {
                    banned.insert((*a, t));
                }
            }
        }
        let mut load = vec![0usize; n_teams];
        let mut asg = Vec::new();
        for (i, aid) in app_ids.iter().enumerate() {
            let mut t = i % n_teams;
            for k in 0..n_teams {
                let c = (i + k) % n_teams;
                if !banned.contains(&(i, c)) && load[c] < load_max {
                    t = c;
                    break;
                }
            }
            load[t] += 1;
            app_team.push(t);
            asg.push(vec![
                V::I(*aid),
                V::I(sid),
                V::I(team_ids[t]),
                V::N,
                V::I(us),
                V::I(office_id),
            ]);
        }
        bulk(
            &mut tx,
            "review_assignments",
            &[
                "application_id",
                "session_id",
                "team_id",
                "run_id",
                "assigned_at",
                "assigned_by",
            ],
            &asg,
        )
        .await?;
        note(
            &mut tx,
            pid,
            "bench.seed.teams",
            format!("规模测试：组建并公布 {n_teams} 个评审组，分配 {} 份申报，组员签署承诺书", app_ids.len()),
            serde_json::json!({"session": sid, "teams": n_teams, "applications": app_ids.len(), "conflicts": conflict_of.len()}),
        )
        .await?;
        tx.commit().await?;
    }
    store
        .advance_session(&office, sid, Stage::MaterialReview, at(material_start))
        .await?;

    // Scorebooks: every member of the team scores every item and submits; the leader's
    // consensus. The last `unscored` applications are left for the review in progress.
    let scored_n = n_apps.saturating_sub(o.unscored);
    let t_score = at(material_start
        .checked_add(3.days())
        .unwrap_or(material_start));
    let mut n_scores = 0;
    let mut scored = Vec::new();
    let mut unscored = Vec::new();
    let sbatch = 200;
    for start in (0..n_apps).step_by(sbatch) {
        let end = (start + sbatch).min(n_apps);
        let mut tx = store.write(t_score).await?;
        let us = tx.now();
        let mut books = Vec::new();
        let mut scores = Vec::new();
        let mut cbooks = Vec::new();
        let mut cscores = Vec::new();
        for i in start..end {
            let aid = app_ids[i];
            let ti = app_team[i];
            if i >= scored_n {
                if let Some(e) = members[ti].get(1).or(members[ti].first()) {
                    unscored.push((aid, format!("bench-expert{}", e + 1)));
                }
                bar.tick(1);
                continue;
            }
            if i % (n_apps / 50).max(1) == 0
                && let Some(e) = members[ti].get(1).or(members[ti].first())
            {
                scored.push((aid, format!("bench-expert{}", e + 1)));
            }
            let base = 40 + (i % 9) as i64 * 5;
            for (mi, e) in members[ti].iter().enumerate() {
                books.push(vec![
                    V::I(aid),
                    V::I(expert_ids[*e]),
                    V::T("material".into()),
                    V::I(us),
                    V::I(0),
                ]);
                for (k, item) in item_ids.iter().enumerate() {
                    let p = (base + ((mi as i64 * 7 + k as i64 * 3) % 3 - 1) * 5).clamp(0, 100);
                    scores.push(vec![
                        V::I(aid),
                        V::I(expert_ids[*e]),
                        V::T("material".into()),
                        V::T(item.clone()),
                        V::I(p),
                        V::T("方法较系统，已在主要部门展开（虚构评语）。".into()),
                        V::T("改进循环的证据不足（虚构评语）。".into()),
                        V::T(String::new()),
                        V::I(us),
                    ]);
                    n_scores += 1;
                }
            }
            cbooks.push(vec![
                V::I(aid),
                V::T("material".into()),
                V::T("质量管理体系较完整（虚构）。".into()),
                V::T("加强战略与过程指标的对接（虚构）。".into()),
                V::I(us),
                V::I(0),
                V::I(expert_users[members[ti][0]]),
            ]);
            for item in &item_ids {
                cscores.push(vec![
                    V::I(aid),
                    V::T("material".into()),
                    V::T(item.clone()),
                    V::I(base),
                    V::T("合议：方法较系统（虚构）。".into()),
                    V::T("合议：改进证据不足（虚构）。".into()),
                    V::T(String::new()),
                    V::I(us),
                ]);
            }
            bar.tick(1);
        }
        bulk(
            &mut tx,
            "scorebooks",
            &[
                "application_id",
                "expert_id",
                "phase",
                "submitted_at",
                "version",
            ],
            &books,
        )
        .await?;
        bulk(
            &mut tx,
            "scores",
            &[
                "application_id",
                "expert_id",
                "phase",
                "item_id",
                "percent",
                "strengths",
                "opportunities",
                "verify_points",
                "updated_at",
            ],
            &scores,
        )
        .await?;
        bulk(
            &mut tx,
            "consensus_books",
            &[
                "application_id",
                "phase",
                "summary",
                "suggestions",
                "submitted_at",
                "version",
                "submitted_by",
            ],
            &cbooks,
        )
        .await?;
        bulk(
            &mut tx,
            "consensus_scores",
            &[
                "application_id",
                "phase",
                "item_id",
                "percent",
                "strengths",
                "opportunities",
                "verify_points",
                "updated_at",
            ],
            &cscores,
        )
        .await?;
        note(
            &mut tx,
            pid,
            "bench.seed.scores",
            format!(
                "规模测试：生成申报 {}–{} 的材料评审评分表和合议（虚构）",
                start + 1,
                end
            ),
            serde_json::json!({"session": sid, "books": books.len(), "scores": scores.len()}),
        )
        .await?;
        tx.commit().await?;
    }

    // A second session open for applications, with complete drafts ready to submit.
    let mut open_session = None;
    let mut drafts = Vec::new();
    if o.drafts > 0 {
        let (call2, plan2) = open_plan(today);
        let sid2 = store
            .create_session(
                &office,
                &NewSession {
                    programme_id: pid,
                    rule_set_id: rid,
                    year: i32::from(today.year()),
                },
                at(call2.checked_sub(5.days()).unwrap_or(call2)),
            )
            .await?;
        store
            .set_windows(
                &office,
                sid2,
                &windows(call2, &plan2),
                at(call2.checked_sub(5.days()).unwrap_or(call2)),
            )
            .await?;
        store
            .advance_session(&office, sid2, Stage::CallPublished, at(call2))
            .await?;
        store
            .advance_session(&office, sid2, Stage::Applications, at(call2))
            .await?;
        let d2 = store.session_detail(sid2).await?;
        let cx2 = store.form_context(&d2).await?;
        let t = at(call2.checked_add(1.days()).unwrap_or(call2));
        for start in (0..o.drafts).step_by(batch) {
            let end = (start + batch).min(o.drafts);
            let mut tx = store.write(t).await?;
            let us = tx.now();
            let mut made = Vec::new();
            for i in start..end {
                let c = &counties[i % counties.len()];
                let code = credit(440_000 + (i % n_counties) as u32, "MD", i)?;
                let name = format!(
                    "{}虚构{}新申报有限公司{}",
                    c.name,
                    TRADES[i % TRADES.len()],
                    i + 1
                );
                let oid: i64 = sqlx::query("INSERT INTO organisations (programme_id, credit_code, name, county_id, created_at, registered_on, address) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                    .bind(pid).bind(&code).bind(&name).bind(c.id).bind(us).bind(format!("{}-05-01", 1995 + i % 20)).bind(format!("{}虚构新路{}号", c.name, i + 1))
                    .fetch_one(tx.conn()).await?.get(0);
                let uname = format!("bench-draft{}", i + 1);
                let uid: i64 = sqlx::query("INSERT INTO users (username, display_name, email, password_hash, created_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
                    .bind(&uname).bind(format!("{}（联系人）", person(i + 3))).bind(format!("{uname}@example.com")).bind(&hash).bind(us)
                    .fetch_one(tx.conn()).await?.get(0);
                sqlx::query("INSERT INTO role_grants (user_id, role, programme_id, organisation_id, created_at) VALUES ($1, 'applicant', $2, $3, $4)")
                    .bind(uid).bind(pid).bind(oid).bind(us).execute(tx.conn()).await?;
                let values = sample_form(
                    &cx2,
                    (i % 500) as u32 + 1,
                    &format!("{}-05-01", 1995 + i % 20),
                );
                let aid: i64 = sqlx::query("INSERT INTO applications (session_id, organisation_id, status, form, version, created_at, updated_at) VALUES ($1, $2, 'draft', $3, 1, $4, $4) RETURNING id")
                    .bind(sid2).bind(oid).bind(serde_json::to_string(&values).map_err(other)?).bind(us)
                    .fetch_one(tx.conn()).await?.get(0);
                for (kind, fname) in [
                    ("business_licence", "营业执照.pdf"),
                    ("financial", "财务审计报告.pdf"),
                ] {
                    sqlx::query("INSERT INTO attachments (application_id, kind, filename, mime, size, sha256, uploaded_at, uploaded_by) VALUES ($1, $2, $3, 'application/pdf', $4, $5, $6, $7)")
                        .bind(aid).bind(kind).bind(fname).bind(pdf_size).bind(&pdf_sha).bind(us).bind(uid)
                        .execute(tx.conn()).await?;
                }
                made.push((aid, uname));
                bar.tick(1);
            }
            note(
                &mut tx,
                pid,
                "bench.seed.drafts",
                format!(
                    "规模测试：生成待提交的虚构申报草稿 {}–{}（含账号和证明材料）",
                    start + 1,
                    end
                ),
                serde_json::json!({"session": sid2, "count": made.len()}),
            )
            .await?;
            tx.commit().await?;
            drafts.extend(made);
        }
        open_session = Some(sid2);
    }
    bar.done();
    Ok(Seeded {
        programme_id: pid,
        review_session: sid,
        open_session,
        office: "bench-office".into(),
        applications: app_ids,
        applicants,
        scored,
        unscored,
        drafts,
        counts: SeedCounts {
            applications: n_apps,
            experts: n_exp,
            teams: n_teams,
            scores: n_scores,
            conflicts: conflict_of.len(),
            counties: n_counties,
        },
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Like [`bulk`], but `V::N` in text columns binds a text NULL (PostgreSQL is strict).
async fn bulk_text_nulls(
    tx: &mut Tx,
    table: &str,
    cols: &[&str],
    rows: &[Vec<V>],
) -> qaward_store::Result<()> {
    let per = (30_000 / cols.len()).clamp(1, 500);
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 1;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let ph: Vec<String> = (0..cols.len())
                .map(|_| {
                    let s = format!("${n}");
                    n += 1;
                    s
                })
                .collect();
            sql.push_str(&format!("({})", ph.join(", ")));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            for v in r {
                q = match v {
                    V::I(i) => q.bind(*i),
                    V::T(t) => q.bind(t.clone()),
                    V::N => q.bind(Option::<String>::None),
                };
            }
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// Seed and write the summary next to the data (`bench-seed.json`).
pub async fn seed_and_record(
    store: &Store,
    data: &Path,
    o: &SeedOptions,
) -> anyhow::Result<Seeded> {
    let s = seed(store, &data.join("files"), o).await?;
    std::fs::create_dir_all(data)?;
    std::fs::write(data.join(SEED_FILE), serde_json::to_vec_pretty(&s)?)?;
    Ok(s)
}
