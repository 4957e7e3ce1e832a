//! Applications (申报, Art. 9–12): registration of an organisation and its contact person, drafts
//! saved section by section, submission before the deadline with a receipt (number, time, SHA-256),
//! withdrawal, and the office's list of a session's applications. Every change is one transaction
//! with its audit entry.

use crate::accounts::{NewUser, hash_password};
use crate::county::{CountyReview, county_review_from};
use crate::eligibility::{EligibilityReview, eligibility_review_from};
use crate::programme::Organisation;
use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str};
use qaward_core::application::Values;
use qaward_core::authz::{Grant, Role};
use qaward_core::credit_code::CreditCode;
use qaward_core::labels::{self, Family};
use qaward_core::refusal::Refusal;
use qaward_core::session::Stage;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;

pub(crate) const DOC: (&str, &str) = (
    "清远市政府质量奖管理办法",
    "Qingyuan City Government Quality Award Management Measures",
);

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 草稿.
    Draft,
    /// 已提交，待县级推荐.
    Submitted,
    /// 退回修改.
    Returned,
    /// 县级已推荐.
    Recommended,
    /// 县级不予推荐.
    NotRecommended,
    /// 资格审查通过.
    Eligible,
    /// 资格审查未通过.
    Ineligible,
    /// 已撤回.
    Withdrawn,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Recommended,
        Status::NotRecommended,
        Status::Eligible,
        Status::Ineligible,
        Status::Withdrawn,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Recommended => "recommended",
            Status::NotRecommended => "not_recommended",
            Status::Eligible => "eligible",
            Status::Ineligible => "ineligible",
            Status::Withdrawn => "withdrawn",
        }
    }
    /// From the stored code.
    pub fn parse(s: &str) -> Status {
        Status::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .unwrap_or(Status::Draft)
    }
    /// In Chinese (the words of [`qaward_core::labels`]).
    pub fn zh(self) -> &'static str {
        labels::get(Family::Status, self.code()).map_or(self.code(), |l| l.zh)
    }
    /// In English.
    pub fn en(self) -> &'static str {
        labels::get(Family::Status, self.code()).map_or(self.code(), |l| l.en)
    }
    /// Whether the applicant may edit.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
    /// Whether it has been submitted at least once (others than the applicant may see it).
    pub fn submitted(self) -> bool {
        !matches!(self, Status::Draft)
    }
}

/// Where an application stands as people read it (its badge): its status and, for a recommended
/// or eligible one, how far the award has taken it (see
/// [`qaward_core::labels::application_progress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Status.
    pub status: Status,
    /// Forwarded by the county office to the city office (Art. 13).
    pub forwarded: bool,
    /// The session's stage.
    pub stage: Stage,
    /// `None` while the session has no on-site list, else whether the application is on it.
    pub onsite: Option<bool>,
}

impl Progress {
    /// The code of [`Family::Status`] it reads as.
    pub fn code(self) -> &'static str {
        labels::application_progress(self.status.code(), self.forwarded, self.stage, self.onsite)
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        labels::get(Family::Status, self.code()).map_or(self.status.zh(), |l| l.zh)
    }
    /// In English.
    pub fn en(self) -> &'static str {
        labels::get(Family::Status, self.code()).map_or(self.status.en(), |l| l.en)
    }
}

/// The columns [`Progress`] is read from, beside `a.status` (`a` is the application).
const PROGRESS_COLS: &str = "(SELECT s2.stage FROM award_sessions s2 WHERE s2.id = a.session_id) AS progress_stage, (SELECT COUNT(*) FROM county_reviews r2 WHERE r2.application_id = a.id AND r2.forwarded_at IS NOT NULL) AS progress_forwarded, (SELECT COUNT(*) FROM onsite_lists l2 WHERE l2.session_id = a.session_id) AS progress_list, (SELECT COUNT(*) FROM onsite_list_entries e2 WHERE e2.session_id = a.session_id AND e2.application_id = a.id) AS progress_entry";

fn progress_from(r: &sqlx::any::AnyRow) -> Progress {
    let n = |c: &str| r.get::<i64, _>(c) > 0;
    Progress {
        status: Status::parse(&r.get::<String, _>("status")),
        forwarded: n("progress_forwarded"),
        stage: Stage::parse(&r.get::<String, _>("progress_stage")).unwrap_or(Stage::Planning),
        onsite: n("progress_list").then(|| n("progress_entry")),
    }
}

/// An application with its organisation and session.
#[derive(Debug, Clone)]
pub struct Application {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Programme.
    pub programme_id: i64,
    /// The organisation.
    pub org: Organisation,
    /// Status.
    pub status: Status,
    /// Where it stands as people read it.
    pub progress: Progress,
    /// Values typed.
    pub values: Values,
    /// Bumps on every save.
    pub version: i64,
    /// Last change (µs).
    pub updated_at: i64,
    /// Submitted (µs).
    pub submitted_at: Option<i64>,
    /// Receipt number.
    pub receipt_no: Option<String>,
    /// SHA-256 of what was submitted.
    pub content_hash: Option<String>,
    /// The county's review, if any.
    pub county: Option<CountyReview>,
    /// The city's eligibility review, if any.
    pub eligibility: Option<EligibilityReview>,
}

/// What the registration form gives.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// County.
    pub county_id: Option<i64>,
    /// Registration date.
    pub registered_on: String,
    /// Registered address.
    pub address: String,
    /// Contact person's name.
    pub contact_name: String,
    /// Email.
    pub email: String,
    /// Sign-in name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A row of the office's list.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// Application.
    pub id: i64,
    /// Organisation name.
    pub name: String,
    /// Credit code.
    pub credit_code: String,
    /// County.
    pub county: String,
    /// Industry as typed.
    pub industry: String,
    /// Status.
    pub status: Status,
    /// Where it stands as people read it.
    pub progress: Progress,
    /// Self-assessed score in tenths.
    pub self_tenths: u32,
    /// Submitted (µs).
    pub submitted_at: Option<i64>,
    /// Receipt.
    pub receipt_no: Option<String>,
}

const LIST_COLS: &str = "a.id, a.status, a.self_tenths, a.industry, a.submitted_at, a.receipt_no, o.name, o.credit_code, c.name AS county";

fn list_row(r: &sqlx::any::AnyRow) -> ListRow {
    ListRow {
        id: r.get("id"),
        name: r.get("name"),
        credit_code: r.get("credit_code"),
        county: opt_str(r, "county").unwrap_or_default(),
        industry: opt_str(r, "industry").unwrap_or_default(),
        status: Status::parse(&r.get::<String, _>("status")),
        progress: progress_from(r),
        self_tenths: opt_i64(r, "self_tenths")
            .and_then(|t| u32::try_from(t).ok())
            .unwrap_or(0),
        submitted_at: opt_i64(r, "submitted_at"),
        receipt_no: opt_str(r, "receipt_no"),
    }
}

impl crate::cache::View<'_> {
    /// [`Store::application_page`] through the cache.
    pub async fn application_page(
        &self,
        session_id: i64,
        lq: &ListQuery,
    ) -> Result<std::sync::Arc<ListPage>> {
        self.get_or(
            format!("application_page:{session_id}:{lq:?}"),
            self.store().application_page(session_id, lq),
        )
        .await
    }
}

/// What the list shows of a form: its self-assessed score in tenths and its industry.
fn list_columns(values: &Values, cx: &qaward_core::application::Context) -> (i64, String) {
    (
        i64::from(qaward_core::application::self_score(values, cx).0),
        values.get("identity.industry").cloned().unwrap_or_default(),
    )
}

/// What the office's list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// County name; empty for all.
    pub county: String,
    /// Status code; empty for all.
    pub status: String,
    /// Part of the name or of the credit code.
    pub q: String,
    /// "" (submission time), "score", "name" or "county".
    pub sort: String,
    /// Page, from 1.
    pub page: usize,
    /// Rows per page.
    pub per_page: usize,
}

/// One page of the office's list.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    /// The page's rows.
    pub rows: Vec<ListRow>,
    /// Submitted applications of the session.
    pub total: usize,
    /// Those matching the filters.
    pub matching: usize,
    /// Submitted applications per status (unfiltered).
    pub by_status: Vec<(Status, usize)>,
    /// This page, from 1.
    pub page: usize,
    /// Pages.
    pub pages: usize,
}

pub(crate) fn app_refusal(
    code: &'static str,
    article: Option<u32>,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Refusal {
    Refusal::new(code, article, DOC, zh, en)
}

/// SHA-256 over the submitted content: the values in key order, and the attachments' hashes.
pub fn content_hash(values: &Values, attachments: &[String]) -> String {
    let doc = serde_json::json!({"form": values, "attachments": attachments});
    hex::encode(Sha256::digest(doc.to_string().as_bytes()))
}

const APP_COLS: &str = "a.id, a.session_id, s.programme_id, a.status, a.form, a.version, a.updated_at, a.submitted_at, a.receipt_no, a.content_hash, o.id AS org_id, o.name AS org_name, o.credit_code, o.county_id, c.name AS county_name";

impl Store {
    /// Register an organisation and its contact person's account (R-APP-1).
    pub async fn register(
        &self,
        programme_id: i64,
        r: &Registration,
        now: jiff::Timestamp,
    ) -> Result<(i64, i64)> {
        let code = CreditCode::parse(&r.credit_code)
            .map_err(|e| Error::invalid("credit_code", e.zh, e.en))?;
        if r.name.trim().chars().count() < 4 {
            return Err(Error::invalid(
                "name",
                "请填写营业执照上的单位全称。",
                "Enter the full name on the business licence.",
            ));
        }
        let counties = self.counties(programme_id).await?;
        let Some(county) = r
            .county_id
            .and_then(|c| counties.iter().find(|x| x.id == c))
        else {
            return Err(Error::invalid(
                "county_id",
                "请选择单位登记注册所在的县（市、区）。",
                "Choose the county where the organisation is registered.",
            ));
        };
        match r.registered_on.trim().parse::<jiff::civil::Date>() {
            Err(_) => {
                return Err(Error::invalid(
                    "registered_on",
                    "“成立（登记）日期”应为日期，格式为 年-月-日。",
                    "The registration date is written YYYY-MM-DD.",
                ));
            }
            Ok(d) if d > crate::today(now.as_microsecond()) => {
                return Err(Error::invalid(
                    "registered_on",
                    "“成立（登记）日期”不能晚于今天，请按营业执照填写。",
                    "The registration date cannot be after today; copy it from the business licence.",
                ));
            }
            Ok(_) => {}
        }
        if r.address.trim().is_empty() {
            return Err(Error::invalid(
                "address",
                "请填写注册地址。",
                "Enter the registered address.",
            ));
        }
        if r.contact_name.trim().is_empty() {
            return Err(Error::invalid(
                "contact_name",
                "请填写联系人姓名。",
                "Enter the contact person's name.",
            ));
        }
        if !r.email.contains('@') {
            return Err(Error::invalid(
                "email",
                "请填写有效的电子邮箱，用于接收通知。",
                "Enter a valid email address for notices.",
            ));
        }
        if let Err((zh, en)) = qaward_core::password::check(&r.password, &r.username) {
            return Err(Error::invalid("password", zh, en));
        }
        let taken = sqlx::query(
            "SELECT id FROM organisations WHERE programme_id = $1 AND credit_code = $2",
        )
        .bind(programme_id)
        .bind(code.as_str())
        .fetch_optional(self.pool())
        .await?;
        if taken.is_some() {
            return Err(Error::invalid(
                "credit_code",
                "该统一社会信用代码已经注册。同一单位的其他人员请由已注册的联系人在“本单位信息”中添加账号。",
                "This credit code is already registered; the registered contact can add colleagues.",
            ));
        }
        let pw = r.password.clone();
        let hash = crate::accounts::password_work(move || hash_password(&pw)).await??;
        let mut tx = self.write(now).await?;
        let who = Who::anonymous(r.contact_name.trim());
        let org = Store::insert_organisation(
            &mut tx,
            &who,
            programme_id,
            code.as_str(),
            r.name.trim(),
            Some(county.id),
        )
        .await?;
        sqlx::query("UPDATE organisations SET registered_on = $1, address = $2 WHERE id = $3")
            .bind(r.registered_on.trim())
            .bind(r.address.trim())
            .bind(org)
            .execute(tx.conn())
            .await?;
        let u = NewUser {
            username: r.username.trim().to_owned(),
            display_name: format!("{}（{}）", r.contact_name.trim(), r.name.trim()),
            email: Some(r.email.trim().to_owned()),
            password: String::new(),
            grants: vec![Grant {
                role: Role::Applicant,
                programme_id: Some(programme_id),
                county_id: None,
                department_id: None,
                organisation_id: Some(org),
            }],
        };
        let uid = Store::insert_user(&mut tx, &who, &u, &hash).await?;
        tx.commit().await?;
        Ok((org, uid))
    }

    /// Open a draft application of `org` in `session` while applications are open (Art. 12).
    pub async fn start_application(
        &self,
        who: &Who,
        session_id: i64,
        org: &Organisation,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let d = self.session_detail(session_id).await?;
        if d.session.programme_id != org.programme_id {
            return Err(Error::NotFound);
        }
        if !matches!(d.session.stage, Stage::CallPublished | Stage::Applications) {
            return Err(self
                .refused(
                    NewEntry::award(who, "application.start.refused", "organisation", org.id)
                        .programme(org.programme_id),
                    app_refusal(
                        "not_accepting",
                        Some(12),
                        format!(
                            "{}当前阶段为“{}”，不受理申报。",
                            d.session.title,
                            d.session.stage.name_zh()
                        ),
                        "This session is not accepting applications.",
                    ),
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        if sqlx::query("SELECT id FROM applications WHERE session_id = $1 AND organisation_id = $2")
            .bind(session_id)
            .bind(org.id)
            .fetch_optional(tx.conn())
            .await?
            .is_some()
        {
            drop(tx);
            return Err(self
                .refused(
                    NewEntry::award(who, "application.start.refused", "organisation", org.id)
                        .programme(org.programme_id),
                    app_refusal(
                        "one_per_session",
                        Some(12),
                        "每个单位每届只能申报一次，本单位已有本届申报。",
                        "One application per organisation per session.",
                    ),
                    now,
                )
                .await);
        }
        let mut values = Values::new();
        let reg: Option<String> =
            sqlx::query("SELECT registered_on FROM organisations WHERE id = $1")
                .bind(org.id)
                .fetch_one(tx.conn())
                .await
                .ok()
                .and_then(|r| opt_str(&r, "registered_on"));
        if let Some(d) = reg {
            values.insert("identity.registration_date".into(), d);
        }
        let at = tx.now();
        let id: i64 = sqlx::query("INSERT INTO applications (session_id, organisation_id, status, form, version, created_at, updated_at) VALUES ($1, $2, 'draft', $3, 1, $4, $4) RETURNING id")
            .bind(session_id)
            .bind(org.id)
            .bind(serde_json::to_string(&values).unwrap_or_default())
            .bind(at)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        tx.audit(
            NewEntry::award(who, "application.start", "application", id)
                .programme(org.programme_id)
                .article(Some(4), DOC.0)
                .summary(format!(
                    "{}开始填写{}的申报材料（申请自愿、不收费）",
                    org.name, d.session.title
                ))
                .state(Status::Draft.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One application.
    pub async fn application(&self, id: i64) -> Result<Application> {
        let mut c = self.pool().acquire().await?;
        application_on(&mut c, id).await
    }

    /// The applications of a session that have one status, in id order, each as
    /// [`Store::application`] gives it. Read in pages of a thousand by id, so a large session
    /// never holds all its raw rows at once, then the county and eligibility reviews in one
    /// query each.
    pub async fn session_applications(
        &self,
        session_id: i64,
        status: Status,
    ) -> Result<Vec<Application>> {
        const PAGE: usize = 1000;
        let mut list: Vec<Application> = Vec::new();
        loop {
            let after = list.last().map_or(i64::MIN, |a| a.id);
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {APP_COLS}, {PROGRESS_COLS} FROM applications a JOIN award_sessions s ON s.id = a.session_id JOIN organisations o ON o.id = a.organisation_id LEFT JOIN counties c ON c.id = o.county_id WHERE a.session_id = $1 AND a.status = $2 AND a.id > $3 ORDER BY a.id LIMIT {PAGE}"
            )))
            .bind(session_id)
            .bind(status.code())
            .bind(after)
            .fetch_all(self.pool())
            .await?;
            list.extend(rows.iter().map(app_from));
            if rows.len() < PAGE {
                break;
            }
        }
        let index: HashMap<i64, usize> = list.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        for cr in sqlx::query("SELECT r.application_id, r.checklist, r.decision, r.reasons, r.decided_at, r.forwarded_at FROM county_reviews r JOIN applications a ON a.id = r.application_id WHERE a.session_id = $1 AND a.status = $2")
            .bind(session_id)
            .bind(status.code())
            .fetch_all(self.pool())
            .await?
        {
            if let Some(i) = index.get(&cr.get::<i64, _>("application_id")) {
                list[*i].county = Some(county_review_from(&cr));
            }
        }
        for er in sqlx::query("SELECT r.application_id, r.items, r.result, r.decided_at FROM eligibility_reviews r JOIN applications a ON a.id = r.application_id WHERE a.session_id = $1 AND a.status = $2")
            .bind(session_id)
            .bind(status.code())
            .fetch_all(self.pool())
            .await?
        {
            if let Some(i) = index.get(&er.get::<i64, _>("application_id")) {
                list[*i].eligibility = Some(eligibility_review_from(&er));
            }
        }
        Ok(list)
    }

    /// An organisation's applications, newest first.
    pub async fn applications_of(&self, org_id: i64) -> Result<Vec<Application>> {
        let ids: Vec<i64> =
            sqlx::query("SELECT id FROM applications WHERE organisation_id = $1 ORDER BY id DESC")
                .bind(org_id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
        let mut v = Vec::new();
        for id in ids {
            v.push(self.application(id).await?);
        }
        Ok(v)
    }

    /// Save what was typed in one section of a draft. Everything typed is kept, valid or not.
    pub async fn save_section(
        &self,
        who: &Who,
        id: i64,
        section: &str,
        values: &Values,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let mut tx = self.write(now).await?;
        let r = sqlx::query("SELECT a.status, a.form, a.version, s.programme_id FROM applications a JOIN award_sessions s ON s.id = a.session_id WHERE a.id = $1").bind(id).fetch_optional(tx.conn()).await?.ok_or(Error::NotFound)?;
        let status = Status::parse(&r.get::<String, _>("status"));
        if !status.editable() {
            drop(tx);
            return Err(self.refused(NewEntry::award(who, "application.save.refused", "application", id).programme(r.get::<i64, _>("programme_id")), app_refusal(
                "read_only",
                Some(12),
                format!(
                    "申报材料{}，不能再修改。如需更正，请联系所在县（市、区）质量强县办退回修改。",
                    status.zh()
                ),
                "The application can no longer be changed.",
            ), now).await);
        }
        let mut form: Values =
            serde_json::from_str(&r.get::<String, _>("form")).unwrap_or_default();
        let mut changed = 0;
        for (k, v) in values {
            if form.get(k) != Some(v) {
                changed += 1;
                form.insert(k.clone(), v.clone());
            }
        }
        let version: i64 = r.get("version");
        if changed == 0 {
            return Ok(version);
        }
        sqlx::query("UPDATE applications SET form = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(serde_json::to_string(&form).unwrap_or_default())
            .bind(tx.now())
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "application.save", "application", id)
                .programme(r.get("programme_id"))
                .summary(format!(
                    "保存申报材料“{}”部分（{changed}项）",
                    qaward_core::labels::text(qaward_core::labels::Family::Section, section, true)
                ))
                .detail(serde_json::json!({"section": section, "fields": changed})),
        )
        .await?;
        tx.commit().await?;
        Ok(version + 1)
    }

    /// Submit before the deadline (Art. 12), or resubmit a returned one before the county
    /// deadline (Art. 13). The caller has checked completeness and the self-check; this checks
    /// the status and the dates again inside the transaction. Returns the receipt number.
    pub async fn submit_application(
        &self,
        who: &Who,
        id: i64,
        now: jiff::Timestamp,
    ) -> Result<String> {
        let a = self.application(id).await?;
        let d = self.session_detail(a.session_id).await?;
        let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
        let apps = d
            .windows
            .get(&Stage::Applications)
            .copied()
            .unwrap_or_default();
        let county = d
            .windows
            .get(&Stage::CountyRecommendation)
            .copied()
            .unwrap_or_default();
        match a.status {
            Status::Draft => {
                let open = matches!(d.session.stage, Stage::CallPublished | Stage::Applications)
                    && apps.ends_on.is_some_and(|e| today <= e)
                    && apps.starts_on.is_none_or(|s| today >= s);
                if !open {
                    let end = apps
                        .ends_on
                        .map(qaward_core::clock::date_zh)
                        .unwrap_or_default();
                    return Err(self.refuse(who, id, a.programme_id, Refusal::new("deadline_passed", Some(12), DOC, format!("申报须在规定期限内报送：本届申报截止日期为{end}，已过截止时间，不能提交。"), format!("Applications had to arrive by {end}; the deadline has passed.")), now).await);
                }
            }
            Status::Returned => {
                let open = county.ends_on.is_some_and(|e| today <= e)
                    && d.session.stage <= Stage::CountyRecommendation;
                if !open {
                    let end = county
                        .ends_on
                        .map(qaward_core::clock::date_zh)
                        .unwrap_or_default();
                    return Err(self
                        .refuse(
                            who,
                            id,
                            a.programme_id,
                            Refusal::new(
                                "county_deadline_passed",
                                Some(13),
                                DOC,
                                format!(
                                    "退回修改的申报须在县级推荐期限（{end}）内重新提交，期限已过。"
                                ),
                                format!("A returned application had to be resubmitted by {end}."),
                            ),
                            now,
                        )
                        .await);
                }
            }
            other => {
                return Err(self
                    .refused(
                        NewEntry::award(who, "application.submit.refused", "application", id)
                            .programme(a.programme_id),
                        app_refusal(
                            "already_submitted",
                            Some(12),
                            format!("申报材料{}，不能重复提交。", other.zh()),
                            "Already submitted.",
                        ),
                        now,
                    )
                    .await);
            }
        }
        let files = self.attachments(id).await?;
        let missing: Vec<&str> = crate::attachments::KINDS
            .iter()
            .filter(|(k, .., required)| *required && !files.iter().any(|f| f.kind == *k))
            .map(|(_, zh, ..)| *zh)
            .collect();
        if !missing.is_empty() {
            return Err(self
                .refused(
                    NewEntry::award(who, "application.submit.refused", "application", id)
                        .programme(a.programme_id),
                    app_refusal(
                        "evidence_missing",
                        Some(12),
                        format!("申报须提供有关证明材料：尚缺{}。", missing.join("、")),
                        "Required evidence is missing.",
                    ),
                    now,
                )
                .await);
        }
        // The eligibility self-check is decided here too, not only in the page (Art. 10, 11, 32, 33).
        let cx = self.form_context(&d).await?;
        let call = d
            .entered(Stage::CallPublished)
            .or_else(|| {
                d.windows
                    .get(&Stage::CallPublished)
                    .and_then(|w| w.starts_on)
            })
            .unwrap_or(today);
        let (past_wins, revocations) = self.eligibility_history(a.org.id).await?;
        let facts = qaward_core::application::facts(
            &a.values,
            &cx,
            call,
            a.org.county_id.is_some(),
            past_wins,
            revocations,
        );
        let lines = qaward_core::eligibility::check(&d.rules, &facts);
        if let Some(bad) = lines.iter().find(|l| !l.is_met()) {
            let r = Refusal::new(
                "self_check",
                Some(bad.article),
                DOC,
                format!("申报条件自查未通过：{}——{}", bad.title_zh, bad.reason_zh),
                format!(
                    "The eligibility self-check fails: {} — {}",
                    bad.title_en, bad.reason_en
                ),
            );
            return Err(self.refuse(who, id, a.programme_id, r, now).await);
        }
        let self_check: Vec<serde_json::Value> = lines
            .iter()
            .map(
                |l| serde_json::json!({"code": l.code, "outcome": l.outcome, "article": l.article}),
            )
            .collect();
        let hashes: Vec<String> = files
            .iter()
            .filter(|f| f.kind != crate::attachments::COUNTY_LETTER)
            .map(|f| f.sha256.clone())
            .collect();
        let hash = content_hash(&a.values, &hashes);
        let receipt = format!("QA{}-{:06}", d.session.year, id);
        let (tenths, industry) = list_columns(&a.values, &self.form_context(&d).await?);
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let n = sqlx::query("UPDATE applications SET status = 'submitted', submitted_at = $1, receipt_no = $2, content_hash = $3, updated_at = $1, self_tenths = $6, industry = $7 WHERE id = $4 AND status = $5")
            .bind(at)
            .bind(&receipt)
            .bind(&hash)
            .bind(id)
            .bind(a.status.code())
            .bind(tenths)
            .bind(industry)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n != 1 {
            return Err(Error::Other("application changed meanwhile".into()));
        }
        if a.status == Status::Returned {
            sqlx::query("UPDATE county_reviews SET decision = NULL, decided_at = NULL WHERE application_id = $1").bind(id).execute(tx.conn()).await?;
        }
        tx.audit(
            NewEntry::award(who, "application.submit", "application", id)
                .programme(a.programme_id)
                .article(
                    Some(if a.status == Status::Returned { 13 } else { 12 }),
                    DOC.0,
                )
                .summary(format!("{}提交申报材料，回执号{receipt}", a.org.name))
                .detail(
                    serde_json::json!({"receipt": receipt, "sha256": hash, "version": a.version, "self_check": self_check}),
                )
                .state(Status::Submitted.code()),
        )
        .await?;
        crate::notify::submitted(&mut tx, &a, &receipt, &hash).await?;
        tx.commit().await?;
        Ok(receipt)
    }

    async fn refuse(
        &self,
        who: &Who,
        id: i64,
        programme_id: i64,
        r: Refusal,
        now: jiff::Timestamp,
    ) -> Error {
        self.refused(
            NewEntry::award(who, "application.submit.refused", "application", id)
                .programme(programme_id),
            r,
            now,
        )
        .await
    }

    /// Withdraw before the leadership decision (R-APP-6); the history stays.
    pub async fn withdraw_application(
        &self,
        who: &Who,
        id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let a = self.application(id).await?;
        let d = self.session_detail(a.session_id).await?;
        if a.status == Status::Withdrawn {
            return Ok(());
        }
        if d.session.stage >= Stage::LeadershipDecision {
            return Err(self
                .refused(
                    NewEntry::award(who, "application.withdraw.refused", "application", id)
                        .programme(a.programme_id),
                    app_refusal(
                        "too_late_to_withdraw",
                        Some(18),
                        "领导小组审定后不能撤回申报。",
                        "An application cannot be withdrawn after the leadership decision.",
                    ),
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE applications SET status = 'withdrawn', updated_at = $1 WHERE id = $2")
            .bind(tx.now())
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "application.withdraw", "application", id)
                .programme(a.programme_id)
                .article(Some(4), DOC.0)
                .summary(format!("{}撤回申报（申请自愿）", a.org.name))
                .detail(serde_json::json!({"from": a.status.code()}))
                .state(Status::Withdrawn.code()),
        )
        .await?;
        tx.commit().await
    }

    /// Applications of a session, for the office (submitted ones only), or of one county.
    pub async fn application_list(
        &self,
        session_id: i64,
        county_id: Option<i64>,
    ) -> Result<Vec<ListRow>> {
        let mut sql = format!(
            "SELECT {LIST_COLS}, {PROGRESS_COLS} FROM applications a JOIN organisations o ON o.id = a.organisation_id LEFT JOIN counties c ON c.id = o.county_id WHERE a.session_id = $1 AND a.status <> 'draft'"
        );
        if county_id.is_some() {
            sql.push_str(" AND o.county_id = $2");
        }
        sql.push_str(" ORDER BY a.submitted_at, a.id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(session_id);
        if let Some(c) = county_id {
            q = q.bind(c);
        }
        Ok(q.fetch_all(self.pool())
            .await?
            .iter()
            .map(list_row)
            .collect())
    }

    /// One page of a session's submitted applications for the office: filtered, counted,
    /// sorted and cut in the database (the score and industry are columns fixed at
    /// submission, so no form is read).
    pub async fn application_page(&self, session_id: i64, lq: &ListQuery) -> Result<ListPage> {
        let mut by_status = Vec::new();
        let mut total = 0;
        for r in sqlx::query("SELECT status, COUNT(*) AS n FROM applications WHERE session_id = $1 AND status <> 'draft' GROUP BY status")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
        {
            let n = usize::try_from(r.get::<i64, _>("n")).unwrap_or(0);
            total += n;
            by_status.push((Status::parse(&r.get::<String, _>("status")), n));
        }
        let mut wh = String::from(" WHERE a.session_id = $1 AND a.status <> 'draft'");
        let mut binds: Vec<String> = Vec::new();
        let mut joins_county = false;
        if !lq.county.is_empty() {
            binds.push(lq.county.clone());
            wh.push_str(&format!(" AND c.name = ${}", binds.len() + 1));
            joins_county = true;
        }
        if !lq.status.is_empty() {
            binds.push(lq.status.clone());
            wh.push_str(&format!(" AND a.status = ${}", binds.len() + 1));
        }
        let needle = lq.q.trim().to_uppercase();
        if !needle.is_empty() {
            binds.push(format!(
                "%{}%",
                needle
                    .replace('!', "!!")
                    .replace('%', "!%")
                    .replace('_', "!_")
            ));
            let n = binds.len() + 1;
            wh.push_str(&format!(
                " AND (UPPER(o.name) LIKE ${n} ESCAPE '!' OR o.credit_code LIKE ${n} ESCAPE '!')"
            ));
        }
        let from = " FROM applications a JOIN organisations o ON o.id = a.organisation_id LEFT JOIN counties c ON c.id = o.county_id";
        let bind_all = |sql: String| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(session_id);
            for b in &binds {
                q = q.bind(b.clone());
            }
            q
        };
        let per = lq.per_page.max(1);
        let filtered = joins_county || !lq.status.is_empty() || !needle.is_empty();
        let matching = if filtered {
            usize::try_from(
                bind_all(format!("SELECT COUNT(*){from}{wh}"))
                    .fetch_one(self.pool())
                    .await?
                    .get::<i64, _>(0),
            )
            .unwrap_or(0)
        } else {
            total
        };
        let page = lq.page.clamp(1, matching.div_ceil(per).max(1));
        let order = match lq.sort.as_str() {
            "score" => "a.self_tenths DESC, a.submitted_at, a.id",
            "name" => "o.name, a.id",
            "county" => "c.name, o.name, a.id",
            _ => "a.submitted_at, a.id",
        };
        let rows = bind_all(format!(
            "SELECT {LIST_COLS}, {PROGRESS_COLS}{from}{wh} ORDER BY {order} LIMIT {per} OFFSET {}",
            (page - 1) * per
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(list_row)
        .collect();
        Ok(ListPage {
            rows,
            total,
            matching,
            by_status,
            page,
            pages: matching.div_ceil(per).max(1),
        })
    }

    /// Fill the list's columns (self-assessed score, industry) of submitted applications
    /// that lack them: those submitted before the columns existed, or written in bulk.
    /// Returns how many were filled.
    pub async fn fill_list_columns(&self) -> Result<usize> {
        let sessions: Vec<i64> = sqlx::query(
            "SELECT DISTINCT session_id FROM applications WHERE self_tenths IS NULL AND status <> 'draft'",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        let mut filled = 0;
        for sid in sessions {
            let d = self.session_detail(sid).await?;
            let cx = self.form_context(&d).await?;
            loop {
                let rows = sqlx::query("SELECT id, form FROM applications WHERE session_id = $1 AND self_tenths IS NULL AND status <> 'draft' ORDER BY id LIMIT 1000")
                    .bind(sid)
                    .fetch_all(self.pool())
                    .await?;
                if rows.is_empty() {
                    break;
                }
                // Derived columns only: no state changes, so no audit entry; counted as a
                // write all the same so that no cached list outlives it.
                let mut tx = self.write(jiff::Timestamp::now()).await?;
                for r in &rows {
                    let values: Values =
                        serde_json::from_str(&r.get::<String, _>("form")).unwrap_or_default();
                    let (tenths, industry) = list_columns(&values, &cx);
                    sqlx::query(
                        "UPDATE applications SET self_tenths = $1, industry = $2 WHERE id = $3",
                    )
                    .bind(tenths)
                    .bind(industry)
                    .bind(r.get::<i64, _>("id"))
                    .execute(tx.conn())
                    .await?;
                }
                tx.commit().await?;
                filled += rows.len();
            }
        }
        Ok(filled)
    }
}

fn app_from(r: &sqlx::any::AnyRow) -> Application {
    Application {
        id: r.get("id"),
        session_id: r.get("session_id"),
        programme_id: r.get("programme_id"),
        org: Organisation {
            id: r.get("org_id"),
            programme_id: r.get("programme_id"),
            name: r.get("org_name"),
            credit_code: r.get("credit_code"),
            county_id: opt_i64(r, "county_id"),
            county_name: opt_str(r, "county_name"),
        },
        status: Status::parse(&r.get::<String, _>("status")),
        progress: progress_from(r),
        values: form_values(&r.get::<String, _>("form")),
        version: r.get("version"),
        updated_at: r.get("updated_at"),
        submitted_at: opt_i64(r, "submitted_at"),
        receipt_no: opt_str(r, "receipt_no"),
        content_hash: opt_str(r, "content_hash"),
        county: None,
        eligibility: None,
    }
}

/// The values of a stored form (none when it cannot be read), as an [`Application`] holds them.
pub(crate) fn form_values(form: &str) -> Values {
    serde_json::from_str(form).unwrap_or_default()
}

/// One value of a stored form: exactly `form_values(form).get(key)`, read without building the
/// others (every other value is still checked to be text, so a form [`form_values`] cannot read
/// gives nothing here either).
pub(crate) fn form_value(form: &str, key: &str) -> Option<String> {
    use serde::de::{Deserializer, Error, MapAccess, Visitor};
    use std::fmt;

    /// Whether a key is the one wanted, compared where it lies in the text when it can be.
    struct IsKey<'k>(&'k str);
    impl<'de> serde::de::DeserializeSeed<'de> for IsKey<'_> {
        type Value = bool;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl Visitor<'_> for IsKey<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a field name")
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<bool, E> {
            Ok(v == self.0)
        }
    }

    /// A text value, checked and dropped.
    struct Text;
    impl<'de> serde::de::Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
            d.deserialize_str(Text)
        }
    }
    impl Visitor<'_> for Text {
        type Value = Text;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: Error>(self, _: &str) -> Result<Text, E> {
            Ok(Text)
        }
    }

    /// The form, keeping the last value of `key` (as a map keeps the last of repeated keys).
    struct Form<'k>(&'k str);
    impl<'de> Visitor<'de> for Form<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of strings")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Option<String>, A::Error> {
            let mut found = None;
            while let Some(wanted) = m.next_key_seed(IsKey(self.0))? {
                if wanted {
                    found = Some(m.next_value::<String>()?);
                } else {
                    m.next_value::<Text>()?;
                }
            }
            Ok(found)
        }
    }

    let mut d = serde_json::Deserializer::from_str(form);
    d.deserialize_map(Form(key))
        .and_then(|v| d.end().map(|()| v))
        .unwrap_or_default()
}

/// Used by the demo and tests: an applicant's `Who`.
pub fn applicant_who(user_id: i64, name: &str) -> Who {
    Who::user(user_id, name, Role::Applicant.code())
}

impl Store {
    /// Add a colleague's account to an organisation (a second user of the same applicant).
    pub async fn add_org_user(
        &self,
        who: &Who,
        org_id: i64,
        (username, name, email, password): (&str, &str, &str, &str),
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let org = self.organisation(org_id).await?;
        if name.trim().is_empty() {
            return Err(Error::invalid(
                "display_name",
                "请填写姓名。",
                "Enter the name.",
            ));
        }
        if !email.contains('@') {
            return Err(Error::invalid(
                "email",
                "请填写有效的电子邮箱。",
                "Enter a valid email address.",
            ));
        }
        let u = NewUser {
            username: username.trim().to_owned(),
            display_name: format!("{}（{}）", name.trim(), org.name),
            email: Some(email.trim().to_owned()),
            password: password.to_owned(),
            grants: vec![Grant {
                role: Role::Applicant,
                programme_id: Some(org.programme_id),
                county_id: None,
                department_id: None,
                organisation_id: Some(org_id),
            }],
        };
        self.create_user(who, u, now).await
    }
}

impl Store {
    /// The form's context for a session: its three report years, the rule set's limits, the
    /// criteria items and the pledges of the self-check.
    pub async fn form_context(
        &self,
        d: &crate::session::SessionDetail,
    ) -> Result<qaward_core::application::Context> {
        let criteria = self.criteria(&d.rules.meta.criteria).await?;
        let decl = qaward_core::eligibility::declaration_texts(&d.rules)
            .iter()
            .map(|(c, ..)| *c)
            .collect();
        Ok(qaward_core::application::Context::new(
            d.session.year,
            &d.rules,
            &criteria,
            decl,
        ))
    }
}

/// An application as [`Store::application`] gives it, read on `conn` (a command reads it
/// through its own transaction).
pub(crate) async fn application_on(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Application> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {APP_COLS}, {PROGRESS_COLS} FROM applications a JOIN award_sessions s ON s.id = a.session_id JOIN organisations o ON o.id = a.organisation_id LEFT JOIN counties c ON c.id = o.county_id WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let mut a = app_from(&r);
    if let Some(cr) = sqlx::query("SELECT checklist, decision, reasons, decided_at, forwarded_at FROM county_reviews WHERE application_id = $1").bind(id).fetch_optional(&mut *conn).await? {
        a.county = Some(county_review_from(&cr));
    }
    if let Some(er) = sqlx::query(
        "SELECT items, result, decided_at FROM eligibility_reviews WHERE application_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    {
        a.eligibility = Some(eligibility_review_from(&er));
    }
    Ok(a)
}

/// Set application `id`'s status at `at`, in the command's transaction.
pub(crate) async fn set_status(tx: &mut crate::Tx, id: i64, status: Status, at: i64) -> Result<()> {
    sqlx::query("UPDATE applications SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.code())
        .bind(at)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{form_value, form_values};

    #[test]
    fn one_value_of_a_form_is_what_reading_the_whole_form_gives() {
        let key = "identity.competitors";
        for form in [
            r#"{"identity.competitors":"甲公司\n乙公司","identity.name":"丙"}"#,
            r#"{"identity.name":"丙"}"#,
            r#"{}"#,
            r#"{"identity.competitors":""}"#,
            // Repeated: the last one.
            r#"{"identity.competitors":"甲","identity.competitors":"乙"}"#,
            // The name spelled with escapes, and escapes in the value.
            r#"{"identity\u002ecompetitors":"\u7532\"公司\"\\"}"#,
            r#"{"identity.competitors2":"甲"," identity.competitors":"乙"}"#,
            // Forms that cannot be read: nothing.
            r#"{"identity.competitors":"甲","score":3}"#,
            r#"{"score":null,"identity.competitors":"甲"}"#,
            r#"{"identity.competitors":["甲"]}"#,
            r#"{"identity.competitors":"甲"} x"#,
            r#"{"identity.competitors":"甲""#,
            r#"{"identity.competitors":"\ud800"}"#,
            r#"["identity.competitors","甲"]"#,
            "null",
            "",
        ] {
            assert_eq!(
                form_value(form, key),
                form_values(form).get(key).cloned(),
                "{form}"
            );
        }
        assert_eq!(
            form_value(r#"{"identity\u002ecompetitors":"甲"}"#, key).as_deref(),
            Some("甲")
        );
        assert_eq!(
            form_value(r#"{"a":"1","identity.competitors":"甲","b":"2"}"#, key).as_deref(),
            Some("甲")
        );
    }
}
