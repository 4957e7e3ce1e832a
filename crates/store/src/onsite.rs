//! On-site review and comprehensive evaluation (Art. 16, 17): the team's plan sent to the
//! applicant, the visit record with the points to verify carried from the material review,
//! the office's release of the on-site report, the comprehensive evaluation with its advanced
//! practices (the applicant may withhold any as a trade secret), and the final ranking. The
//! on-site scores themselves are the review's scorebooks and consensus in [`Phase::Onsite`].
//! Every change is one transaction with its audit entry.

use crate::experts::DOC;
use crate::scoring::{Phase, total_hundredths};
use crate::scoring::{ReviewRow, points_text};
use crate::session::SessionDetail;
use crate::{Error, NewEntry, Result, Store, Who, opt_i64};
use qaward_core::refusal::Refusal;
use qaward_core::session::{SessionFacts, Stage};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;

/// One line of the on-site agenda.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaLine {
    /// Time, as typed ("第一天 9:00–10:00").
    pub time: String,
    /// Activity.
    pub activity: String,
    /// Place.
    pub place: String,
}

/// A person to interview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interviewee {
    /// Role (e.g. 总经理).
    pub role: String,
    /// Name.
    pub name: String,
}

/// The team's on-site review plan (Art. 16).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// First day ("2026-12-02").
    pub first_day: String,
    /// Last day.
    pub last_day: String,
    /// Agenda.
    pub agenda: Vec<AgendaLine>,
    /// People to interview.
    pub interviewees: Vec<Interviewee>,
    /// Sites to see.
    pub sites: String,
    /// Last saved (µs).
    pub updated_at: i64,
    /// Last sent to the applicant (µs).
    pub sent_at: Option<i64>,
    /// Times sent.
    pub sent_version: i64,
}

/// An interview held on site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    /// Who was interviewed.
    pub who: String,
    /// Their role.
    pub role: String,
    /// Topic.
    pub topic: String,
    /// Notes.
    pub notes: String,
}

/// A point to verify carried from the material review, and what the visit found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Criteria item.
    pub item_id: String,
    /// Who raised it (a member's name, or 合议).
    pub source: String,
    /// The point as written in the material review.
    pub point: String,
    /// `confirmed`, `not_confirmed`, `partly`, or "" before it is checked.
    pub status: String,
    /// Note.
    pub note: String,
}

/// The statuses a point to verify can take: (code, Chinese).
pub const VERIFY_STATUSES: &[(&str, &str)] = &[
    ("confirmed", "已证实"),
    ("partly", "部分证实"),
    ("not_confirmed", "未证实"),
];

/// The visit record.
#[derive(Debug, Clone, Default)]
pub struct Visit {
    /// Interviews.
    pub interviews: Vec<Interview>,
    /// Documents checked.
    pub documents: String,
    /// Findings by criteria item.
    pub findings: BTreeMap<String, String>,
    /// Points to verify.
    pub verifications: Vec<Verification>,
    /// Last saved (µs, 0 before the first save).
    pub updated_at: i64,
    /// Submitted by the leader (µs).
    pub submitted_at: Option<i64>,
}

/// An advanced quality-management practice of an applicant (Art. 17).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Practice {
    /// Id (0 before it is stored).
    pub id: i64,
    /// Application.
    pub application_id: i64,
    /// Title.
    pub title: String,
    /// Criteria item.
    pub item_id: String,
    /// Text.
    pub text: String,
    /// 涉及商业秘密，不予公开.
    pub trade_secret: bool,
}

/// The comprehensive evaluation of an applicant (Art. 17).
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Overall analysis.
    pub analysis: String,
    /// Advanced practices, in order.
    pub practices: Vec<Practice>,
    /// Last saved (µs, 0 before the first save).
    pub updated_at: i64,
    /// Submitted by the leader (µs).
    pub submitted_at: Option<i64>,
}

/// A row of the final ranking (Art. 17).
#[derive(Debug, Clone)]
pub struct FinalRow {
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// County.
    pub county_name: String,
    /// Material consensus total in hundredths.
    pub material_hundredths: Option<i64>,
    /// On-site consensus total in hundredths.
    pub onsite_hundredths: Option<i64>,
    /// Final score in hundredths, as the rule set defines it.
    pub final_hundredths: Option<i64>,
    /// Rank by final score (None while it is missing).
    pub rank: Option<u32>,
}

fn refusal(
    code: &'static str,
    article: u32,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Refusal {
    Refusal::new(code, Some(article), DOC, zh, en)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn from_json<T: for<'de> Deserialize<'de> + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}

fn cap(field: &'static str, name: &str, v: &str, max: usize) -> Result<String> {
    if v.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("“{name}”：不超过{max}字。"),
            format!("{field}: at most {max} characters."),
        ));
    }
    Ok(v.trim().to_owned())
}

impl Store {
    /// The applications on a session's on-site list, in list order.
    pub async fn onsite_applications(&self, session_id: i64) -> Result<Vec<i64>> {
        Ok(self
            .onsite_list(session_id)
            .await?
            .map(|l| l.entries.iter().map(|e| e.0).collect())
            .unwrap_or_default())
    }

    /// Whether an application is on its session's on-site list.
    pub async fn on_onsite_list(&self, application_id: i64) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM onsite_list_entries WHERE application_id = $1")
                .bind(application_id)
                .fetch_optional(self.pool())
                .await?
                .is_some(),
        )
    }

    pub(crate) async fn onsite_check(
        &self,
        who: &Who,
        application_id: i64,
        stages: &[Stage],
        article: u32,
        what: &str,
        now: jiff::Timestamp,
    ) -> Result<(crate::application::Application, SessionDetail)> {
        let a = self.application(application_id).await?;
        if !self.on_onsite_list(application_id).await? {
            return Err(self
                .refused(
                    NewEntry::award(who, "onsite.refused", "application", application_id)
                        .programme(a.programme_id),
                    refusal(
                        "not_onsite",
                        16,
                        format!("{}不在本届现场评审名单内。", a.org.name),
                        "The applicant is not on the on-site list.",
                    ),
                    now,
                )
                .await);
        }
        let d = self
            .session_stage_check(who, a.session_id, stages, article, what, now)
            .await?;
        Ok((a, d))
    }

    /// The team's on-site plan for an application, if written.
    pub async fn onsite_plan(&self, application_id: i64) -> Result<Option<Plan>> {
        Ok(sqlx::query("SELECT first_day, last_day, agenda, interviewees, sites, updated_at, sent_at, sent_version FROM onsite_plans WHERE application_id = $1")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| Plan {
                first_day: r.get("first_day"),
                last_day: r.get("last_day"),
                agenda: from_json(&r.get::<String, _>("agenda")),
                interviewees: from_json(&r.get::<String, _>("interviewees")),
                sites: r.get("sites"),
                updated_at: r.get("updated_at"),
                sent_at: opt_i64(&r, "sent_at"),
                sent_version: r.get("sent_version"),
            }))
    }

    /// Save the on-site plan (team leader, Art. 16). With `send`, or when the plan was already
    /// sent, the applicant is notified: a change to a sent plan re-sends it and is recorded.
    pub async fn save_onsite_plan(
        &self,
        who: &Who,
        application_id: i64,
        plan: &Plan,
        send: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d) = self
            .onsite_check(
                who,
                application_id,
                &[Stage::OnsiteReview],
                16,
                "现场评审计划",
                now,
            )
            .await?;
        let day = |field: &'static str, name: &str, v: &str| -> Result<jiff::civil::Date> {
            v.trim().parse().map_err(|_| {
                Error::invalid(
                    field,
                    format!("“{name}”：请填写日期，格式如2026-12-02。"),
                    format!("{field}: enter a date such as 2026-12-02."),
                )
            })
        };
        let first = day("first_day", "现场评审首日", &plan.first_day)?;
        let last = day("last_day", "现场评审末日", &plan.last_day)?;
        if last < first {
            return Err(Error::invalid(
                "last_day",
                "“现场评审末日”：不能早于首日。",
                "last_day: not before the first day.",
            ));
        }
        if let Some(w) = d.windows.get(&Stage::OnsiteReview) {
            let before = w.starts_on.is_some_and(|s| first < s);
            let after = w.ends_on.is_some_and(|e| last > e);
            if before || after {
                return Err(Error::invalid(
                    if before { "first_day" } else { "last_day" },
                    format!(
                        "“现场评审日期”：应在本届现场评审阶段{}至{}之内。",
                        w.starts_on.map(|d| d.to_string()).unwrap_or_default(),
                        w.ends_on.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    "The dates must fall within the session's on-site review stage.",
                ));
            }
        }
        let agenda: Vec<AgendaLine> = plan
            .agenda
            .iter()
            .filter(|l| !(l.time.trim().is_empty() && l.activity.trim().is_empty()))
            .map(|l| AgendaLine {
                time: l.time.trim().into(),
                activity: l.activity.trim().into(),
                place: l.place.trim().into(),
            })
            .collect();
        if let Some((i, _)) = agenda
            .iter()
            .enumerate()
            .find(|(_, l)| l.activity.is_empty())
        {
            return Err(Error::invalid(
                "agenda",
                format!("“日程安排”第{}行：请填写活动内容。", i + 1),
                format!("Agenda line {}: enter the activity.", i + 1),
            ));
        }
        let interviewees: Vec<Interviewee> = plan
            .interviewees
            .iter()
            .filter(|p| !(p.role.trim().is_empty() && p.name.trim().is_empty()))
            .map(|p| Interviewee {
                role: p.role.trim().into(),
                name: p.name.trim().into(),
            })
            .collect();
        let sites = cap("sites", "现场查看地点", &plan.sites, 2000)?;
        if send && agenda.is_empty() {
            return Err(Error::invalid(
                "agenda",
                "“日程安排”：发送给申报单位前，请至少填写一行日程。",
                "Enter at least one agenda line before sending the plan.",
            ));
        }
        let old = self.onsite_plan(application_id).await?;
        let was_sent = old.as_ref().is_some_and(|p| p.sent_at.is_some());
        let resend = send || was_sent;
        let version = old.as_ref().map(|p| p.sent_version).unwrap_or(0) + i64::from(resend);
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO onsite_plans (application_id, first_day, last_day, agenda, interviewees, sites, updated_at, updated_by, sent_at, sent_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (application_id) DO UPDATE SET first_day = $2, last_day = $3, agenda = $4, interviewees = $5, sites = $6, updated_at = $7, updated_by = $8, sent_at = $9, sent_version = $10")
            .bind(application_id)
            .bind(first.to_string())
            .bind(last.to_string())
            .bind(json(&agenda))
            .bind(json(&interviewees))
            .bind(&sites)
            .bind(at)
            .bind(who.user_id)
            .bind(if resend { Some(at) } else { old.as_ref().and_then(|p| p.sent_at) })
            .bind(version)
            .execute(tx.conn())
            .await?;
        if resend {
            let subject = if was_sent {
                format!("{}：现场评审计划已调整", d.session.title)
            } else {
                format!("{}：现场评审计划", d.session.title)
            };
            Store::notify_organisation(
                &mut tx,
                a.org.id,
                &subject,
                &format!(
                    "评审组将于{first}至{last}到贵单位进行现场评审，日程、访谈人员和查看现场见现场评审计划（《清远市政府质量奖管理办法》第十六条）。"
                ),
                Some(&format!("/applications/{application_id}/onsite")),
            )
            .await?;
        }
        let action = match (was_sent, resend) {
            (true, _) => "onsite.plan.change",
            (false, true) => "onsite.plan.send",
            _ => "onsite.plan.save",
        };
        tx.audit(
            NewEntry::award(who, action, "application", application_id)
                .programme(a.programme_id)
                .article(Some(16), DOC.0)
                .summary(match action {
                    "onsite.plan.change" => format!(
                        "调整{}的现场评审计划并重新发送（第{version}版）：{first}至{last}",
                        a.org.name
                    ),
                    "onsite.plan.send" => format!(
                        "向{}发送现场评审计划：{first}至{last}",
                        a.org.name
                    ),
                    _ => format!("保存{}的现场评审计划草稿", a.org.name),
                })
                .detail(serde_json::json!({
                    "first_day": first.to_string(), "last_day": last.to_string(),
                    "agenda": agenda, "interviewees": interviewees, "sites": sites,
                    "version": version,
                    "before": old.map(|p| serde_json::json!({"first_day": p.first_day, "last_day": p.last_day, "agenda": p.agenda, "interviewees": p.interviewees, "sites": p.sites})),
                })),
        )
        .await?;
        tx.commit().await
    }

    /// The points to verify written in the material review of an application: every member's
    /// submitted scorebook and the consensus, item by item.
    pub async fn material_verify_points(
        &self,
        application_id: i64,
        today: jiff::civil::Date,
    ) -> Result<Vec<Verification>> {
        let mut out = Vec::new();
        let cons = self.consensus(application_id, Phase::Material).await?;
        for (id, it) in &cons.items {
            if !it.verify_points.trim().is_empty() {
                out.push(Verification {
                    item_id: id.clone(),
                    source: "合议".into(),
                    point: it.verify_points.trim().into(),
                    ..Verification::default()
                });
            }
        }
        for (m, b) in self
            .team_books(application_id, Phase::Material, today)
            .await?
        {
            if b.submitted_at.is_none() {
                continue;
            }
            for (id, it) in &b.items {
                if !it.verify_points.trim().is_empty() {
                    out.push(Verification {
                        item_id: id.clone(),
                        source: m.name.clone(),
                        point: it.verify_points.trim().into(),
                        ..Verification::default()
                    });
                }
            }
        }
        out.sort_by(|a, b| a.item_id.cmp(&b.item_id));
        Ok(out)
    }

    /// The visit record; before the first save, the points to verify carried from the material
    /// review (the team's members as they stand on `today`).
    pub async fn onsite_visit(
        &self,
        application_id: i64,
        today: jiff::civil::Date,
    ) -> Result<Visit> {
        if let Some(r) = sqlx::query("SELECT interviews, documents, findings, verifications, updated_at, submitted_at FROM onsite_visits WHERE application_id = $1")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?
        {
            return Ok(Visit {
                interviews: from_json(&r.get::<String, _>("interviews")),
                documents: r.get("documents"),
                findings: from_json(&r.get::<String, _>("findings")),
                verifications: from_json(&r.get::<String, _>("verifications")),
                updated_at: r.get("updated_at"),
                submitted_at: opt_i64(&r, "submitted_at"),
            });
        }
        Ok(Visit {
            verifications: self.material_verify_points(application_id, today).await?,
            ..Visit::default()
        })
    }

    /// Save the visit record (leader and members, until the leader submits it); with `submit`
    /// the leader closes it.
    pub async fn save_onsite_visit(
        &self,
        who: &Who,
        application_id: i64,
        visit: &Visit,
        submit: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d) = self
            .onsite_check(
                who,
                application_id,
                &[Stage::OnsiteReview],
                16,
                "现场评审记录",
                now,
            )
            .await?;
        let cur = self
            .onsite_visit(application_id, crate::today(now.as_microsecond()))
            .await?;
        if cur.submitted_at.is_some() {
            return Err(self
                .refused(
                    NewEntry::award(who, "onsite.refused", "application", application_id)
                        .programme(a.programme_id),
                    refusal(
                        "visit_submitted",
                        16,
                        "现场评审记录已由组长提交，不能再修改。",
                        "The visit record has been submitted by the leader; it can no longer be changed.",
                    ),
                    now,
                )
                .await);
        }
        let crit = self.criteria(&d.rules.meta.criteria).await?;
        let interviews: Vec<Interview> = visit
            .interviews
            .iter()
            .filter(|i| {
                !(i.who.trim().is_empty() && i.topic.trim().is_empty() && i.notes.trim().is_empty())
            })
            .map(|i| Interview {
                who: i.who.trim().into(),
                role: i.role.trim().into(),
                topic: i.topic.trim().into(),
                notes: i.notes.trim().into(),
            })
            .collect();
        if let Some((n, _)) = interviews
            .iter()
            .enumerate()
            .find(|(_, i)| i.who.is_empty())
        {
            return Err(Error::invalid(
                "interviews",
                format!("“访谈记录”第{}行：请填写访谈对象。", n + 1),
                format!("Interview {}: enter who was interviewed.", n + 1),
            ));
        }
        let documents = cap("documents", "查阅文件", &visit.documents, 5000)?;
        let mut findings = BTreeMap::new();
        for (id, text) in &visit.findings {
            let Some(item) = crit.item(id) else { continue };
            let t = cap(
                "findings",
                &format!("{} {}的现场发现", item.id, item.name),
                text,
                5000,
            )?;
            if !t.is_empty() {
                findings.insert(id.clone(), t);
            }
        }
        let mut verifications = Vec::new();
        for v in &visit.verifications {
            if !v.status.is_empty() && !VERIFY_STATUSES.iter().any(|(c, _)| *c == v.status) {
                return Err(Error::invalid(
                    "verifications",
                    format!(
                        "“核实结果”（{}）：请选择已证实、部分证实或未证实。",
                        v.item_id
                    ),
                    "Choose confirmed, partly or not confirmed.",
                ));
            }
            verifications.push(Verification {
                note: v.note.trim().into(),
                ..v.clone()
            });
        }
        if submit && let Some(v) = verifications.iter().find(|v| v.status.is_empty()) {
            return Err(Error::invalid(
                "verifications",
                format!(
                    "“核实结果”：{}的现场核实要点“{}”尚未标明核实结果，全部标明后才能提交。",
                    v.item_id, v.point
                ),
                format!(
                    "Mark every point to verify before submitting ({}).",
                    v.item_id
                ),
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO onsite_visits (application_id, interviews, documents, findings, verifications, updated_at, updated_by, submitted_at, submitted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (application_id) DO UPDATE SET interviews = $2, documents = $3, findings = $4, verifications = $5, updated_at = $6, updated_by = $7, submitted_at = $8, submitted_by = $9")
            .bind(application_id)
            .bind(json(&interviews))
            .bind(&documents)
            .bind(json(&findings))
            .bind(json(&verifications))
            .bind(at)
            .bind(who.user_id)
            .bind(submit.then_some(at))
            .bind(if submit { who.user_id } else { None })
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(
                who,
                if submit { "onsite.visit.submit" } else { "onsite.visit.save" },
                "application",
                application_id,
            )
            .programme(a.programme_id)
            .article(Some(16), DOC.0)
            .summary(if submit {
                format!("{}提交{}的现场评审记录", who.name, a.org.name)
            } else {
                format!("{}保存{}的现场评审记录", who.name, a.org.name)
            })
            .detail(serde_json::json!({
                "interviews": interviews.len(), "findings": findings.len(),
                "verifications": verifications.iter().map(|v| (&v.item_id, &v.status)).collect::<Vec<_>>(),
            })),
        )
        .await?;
        tx.commit().await
    }

    /// When the office released the on-site report to the applicant, if it has.
    pub async fn onsite_released(&self, application_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query("SELECT released_at FROM onsite_releases WHERE application_id = $1")
                .bind(application_id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.get(0)),
        )
    }

    /// Release the on-site report to the applicant (office): it needs the submitted on-site
    /// consensus.
    pub async fn release_onsite_report(
        &self,
        who: &Who,
        application_id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let a = self.application(application_id).await?;
        if self.onsite_released(application_id).await?.is_some() {
            return Ok(());
        }
        let entry = || {
            NewEntry::award(who, "onsite.refused", "application", application_id)
                .programme(a.programme_id)
        };
        if !self.on_onsite_list(application_id).await? {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "not_onsite",
                        16,
                        format!("{}不在本届现场评审名单内。", a.org.name),
                        "Not on the on-site list.",
                    ),
                    now,
                )
                .await);
        }
        if self
            .consensus(application_id, Phase::Onsite)
            .await?
            .submitted_at
            .is_none()
        {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "onsite_report_early",
                        16,
                        format!(
                            "{}的现场评审合议意见尚未提交，不能发布现场评审报告。",
                            a.org.name
                        ),
                        "The on-site consensus is not submitted yet.",
                    ),
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        sqlx::query("INSERT INTO onsite_releases (application_id, released_at, released_by) VALUES ($1, $2, $3)")
            .bind(application_id)
            .bind(tx.now())
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        Store::notify_organisation(
            &mut tx,
            a.org.id,
            "现场评审报告已发布",
            "评审组的现场评审报告（优势、改进机会和总体评价）已发布，可在现场评审页面查看和下载（《清远市政府质量奖管理办法》第十六条）。",
            Some(&format!("/applications/{application_id}/onsite")),
        )
        .await?;
        tx.audit(
            NewEntry::award(who, "onsite.report.release", "application", application_id)
                .programme(a.programme_id)
                .article(Some(16), DOC.0)
                .summary(format!("向{}发布现场评审报告", a.org.name)),
        )
        .await?;
        tx.commit().await
    }

    /// The comprehensive evaluation of an application (empty before the first save).
    pub async fn evaluation(&self, application_id: i64) -> Result<Evaluation> {
        let mut e = Evaluation::default();
        if let Some(r) = sqlx::query(
            "SELECT analysis, updated_at, submitted_at FROM evaluations WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?
        {
            e.analysis = r.get("analysis");
            e.updated_at = r.get("updated_at");
            e.submitted_at = opt_i64(&r, "submitted_at");
        }
        e.practices = self.practices_of(&[application_id], false).await?;
        Ok(e)
    }

    async fn practices_of(&self, ids: &[i64], public: bool) -> Result<Vec<Practice>> {
        let mut out = Vec::new();
        for id in ids {
            for r in sqlx::query("SELECT id, application_id, title, item_id, body, trade_secret FROM practices WHERE application_id = $1 ORDER BY position, id")
                .bind(id)
                .fetch_all(self.pool())
                .await?
            {
                let p = Practice {
                    id: r.get("id"),
                    application_id: r.get("application_id"),
                    title: r.get("title"),
                    item_id: r.get("item_id"),
                    text: r.get("body"),
                    trade_secret: r.get::<i64, _>("trade_secret") != 0,
                };
                if !(public && p.trade_secret) {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// The advanced practices of these applications that are not marked as trade secrets, for
    /// the public portal (Art. 17).
    pub async fn public_practices(&self, application_ids: &[i64]) -> Result<Vec<Practice>> {
        self.practices_of(application_ids, true).await
    }

    /// Save the comprehensive evaluation (team leader, Art. 17): the overall analysis and the
    /// practices (those with an id keep it and its trade-secret mark). With `submit` it is
    /// closed; it needs the submitted on-site consensus.
    pub async fn save_evaluation(
        &self,
        who: &Who,
        application_id: i64,
        analysis: &str,
        practices: &[Practice],
        submit: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d) = self
            .onsite_check(
                who,
                application_id,
                &[Stage::OnsiteReview, Stage::ComprehensiveEvaluation],
                17,
                "综合评价",
                now,
            )
            .await?;
        let entry = || {
            NewEntry::award(who, "evaluation.refused", "application", application_id)
                .programme(a.programme_id)
        };
        let cur = self.evaluation(application_id).await?;
        if cur.submitted_at.is_some() {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "evaluation_submitted",
                        17,
                        "综合评价已提交，不能再修改。",
                        "The comprehensive evaluation has been submitted.",
                    ),
                    now,
                )
                .await);
        }
        if self
            .consensus(application_id, Phase::Onsite)
            .await?
            .submitted_at
            .is_none()
        {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "evaluation_early",
                        17,
                        format!("{}的现场评审合议意见尚未提交：综合评价以资料评审和现场评审结果为依据，合议提交后才能进行。", a.org.name),
                        "The comprehensive evaluation rests on the submitted on-site consensus.",
                    ),
                    now,
                )
                .await);
        }
        let crit = self.criteria(&d.rules.meta.criteria).await?;
        let analysis = cap("analysis", "综合分析", analysis, 10000)?;
        let mut kept = Vec::new();
        for (n, p) in practices.iter().enumerate() {
            if p.title.trim().is_empty() && p.text.trim().is_empty() {
                continue;
            }
            if p.title.trim().is_empty() {
                return Err(Error::invalid(
                    "practices",
                    format!("“先进质量管理经验”第{}条：请填写标题。", n + 1),
                    format!("Practice {}: enter a title.", n + 1),
                ));
            }
            if crit.item(&p.item_id).is_none() {
                return Err(Error::invalid(
                    "practices",
                    format!("“先进质量管理经验”第{}条：请选择对应的评价条目。", n + 1),
                    format!("Practice {}: choose the criteria item.", n + 1),
                ));
            }
            kept.push(Practice {
                title: cap("practices", "经验标题", &p.title, 200)?,
                text: cap("practices", "经验内容", &p.text, 5000)?,
                ..p.clone()
            });
        }
        if submit && analysis.is_empty() {
            return Err(Error::invalid(
                "analysis",
                "“综合分析”：提交前请填写综合分析。",
                "analysis: enter the overall analysis before submitting.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO evaluations (application_id, analysis, updated_at, updated_by, submitted_at, submitted_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id) DO UPDATE SET analysis = $2, updated_at = $3, updated_by = $4, submitted_at = $5, submitted_by = $6")
            .bind(application_id)
            .bind(&analysis)
            .bind(at)
            .bind(who.user_id)
            .bind(submit.then_some(at))
            .bind(if submit { who.user_id } else { None })
            .execute(tx.conn())
            .await?;
        let keep_ids: Vec<i64> = kept.iter().filter(|p| p.id > 0).map(|p| p.id).collect();
        for old in &cur.practices {
            if !keep_ids.contains(&old.id) {
                sqlx::query("DELETE FROM practices WHERE id = $1 AND application_id = $2")
                    .bind(old.id)
                    .bind(application_id)
                    .execute(tx.conn())
                    .await?;
            }
        }
        for (pos, p) in kept.iter().enumerate() {
            if p.id > 0 && cur.practices.iter().any(|o| o.id == p.id) {
                sqlx::query("UPDATE practices SET position = $1, title = $2, item_id = $3, body = $4 WHERE id = $5 AND application_id = $6")
                    .bind(pos as i64)
                    .bind(&p.title)
                    .bind(&p.item_id)
                    .bind(&p.text)
                    .bind(p.id)
                    .bind(application_id)
                    .execute(tx.conn())
                    .await?;
            } else {
                sqlx::query("INSERT INTO practices (application_id, position, title, item_id, body, trade_secret) VALUES ($1, $2, $3, $4, $5, 0)")
                    .bind(application_id)
                    .bind(pos as i64)
                    .bind(&p.title)
                    .bind(&p.item_id)
                    .bind(&p.text)
                    .execute(tx.conn())
                    .await?;
            }
        }
        if submit {
            Store::notify_organisation(
                &mut tx,
                a.org.id,
                "综合评价：先进质量管理经验",
                "评审组已完成综合评价，总结了贵单位的先进质量管理经验。请查看，涉及商业秘密的可标明“不予公开”（《清远市政府质量奖管理办法》第十七条）。",
                Some(&format!("/applications/{application_id}/onsite")),
            )
            .await?;
        }
        tx.audit(
            NewEntry::award(
                who,
                if submit {
                    "evaluation.submit"
                } else {
                    "evaluation.save"
                },
                "application",
                application_id,
            )
            .programme(a.programme_id)
            .article(Some(17), DOC.0)
            .summary(if submit {
                format!(
                    "提交{}的综合评价（先进质量管理经验{}条）",
                    a.org.name,
                    kept.len()
                )
            } else {
                format!("保存{}的综合评价草稿", a.org.name)
            })
            .detail(
                serde_json::json!({"practices": kept.iter().map(|p| &p.title).collect::<Vec<_>>()}),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// The applicant marks one of its practices as a trade secret, or lifts the mark
    /// (Art. 17). The caller has checked the account belongs to the practice's organisation.
    pub async fn mark_practice_secret(
        &self,
        who: &Who,
        application_id: i64,
        practice_id: i64,
        secret: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let a = self.application(application_id).await?;
        let Some(p) = self
            .evaluation(application_id)
            .await?
            .practices
            .into_iter()
            .find(|p| p.id == practice_id)
        else {
            return Err(Error::NotFound);
        };
        if p.trade_secret == secret {
            return Ok(());
        }
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE practices SET trade_secret = $1, secret_marked_at = $2, secret_marked_by = $3 WHERE id = $4")
            .bind(i64::from(secret))
            .bind(tx.now())
            .bind(who.user_id)
            .bind(practice_id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(
                who,
                "evaluation.practice.secret",
                "application",
                application_id,
            )
            .programme(a.programme_id)
            .article(Some(17), DOC.0)
            .summary(if secret {
                format!(
                    "{}将先进经验“{}”标为涉及商业秘密，不予公开",
                    a.org.name, p.title
                )
            } else {
                format!("{}取消先进经验“{}”的商业秘密标记", a.org.name, p.title)
            })
            .detail(serde_json::json!({"practice": practice_id, "trade_secret": secret})),
        )
        .await?;
        tx.commit().await
    }

    /// The final ranking of a session's on-site applicants (Art. 17): material and on-site
    /// consensus totals, the final score as the rule set defines it, and the rank by it.
    pub async fn final_ranking(&self, session_id: i64) -> Result<Vec<FinalRow>> {
        let d = self.session_detail(session_id).await?;
        let c = self.criteria(&d.rules.meta.criteria).await?;
        let mut rows = Vec::new();
        for aid in self.onsite_applications(session_id).await? {
            let a = self.application(aid).await?;
            let total = |cons: crate::scoring::Consensus| {
                cons.submitted_at.map(|_| total_hundredths(&c, &cons.items))
            };
            let material = total(self.consensus(aid, Phase::Material).await?);
            let onsite = total(self.consensus(aid, Phase::Onsite).await?);
            rows.push(FinalRow {
                application_id: aid,
                organisation_id: a.org.id,
                organisation_name: a.org.name.clone(),
                county_name: a.org.county_name.clone().unwrap_or_default(),
                material_hundredths: material,
                onsite_hundredths: onsite,
                final_hundredths: d.rules.review.final_hundredths(material, onsite),
                rank: None,
            });
        }
        rows.sort_by(|a, b| {
            b.final_hundredths
                .cmp(&a.final_hundredths)
                .then(b.onsite_hundredths.cmp(&a.onsite_hundredths))
                .then(a.application_id.cmp(&b.application_id))
        });
        let mut prev: Option<(i64, u32)> = None;
        for (i, r) in rows.iter_mut().enumerate() {
            if let Some(f) = r.final_hundredths {
                let rank = match prev {
                    Some((p, k)) if p == f => k,
                    _ => i as u32 + 1,
                };
                r.rank = Some(rank);
                prev = Some((f, rank));
            }
        }
        Ok(rows)
    }

    /// The session's facts with what the on-site review and comprehensive evaluation gates
    /// need.
    pub(crate) async fn onsite_facts(&self, d: &SessionDetail) -> Result<SessionFacts> {
        let mut f = d.facts();
        if matches!(
            d.session.stage,
            Stage::OnsiteReview | Stage::ComprehensiveEvaluation
        ) {
            for aid in self.onsite_applications(d.session.id).await? {
                let name = self.application(aid).await?.org.name;
                if self
                    .consensus(aid, Phase::Onsite)
                    .await?
                    .submitted_at
                    .is_none()
                {
                    f.onsite_without_consensus.push(name.clone());
                }
                if self.evaluation(aid).await?.submitted_at.is_none() {
                    f.onsite_without_evaluation.push(name);
                }
            }
        }
        Ok(f)
    }
}

/// The on-site list.
#[derive(Debug, Clone)]
pub struct OnsiteList {
    /// Justification of a list longer than the rule set allows.
    pub justification: String,
    /// Decided (µs).
    pub decided_at: i64,
    /// (application, rank, total in hundredths).
    pub entries: Vec<(i64, i64, i64)>,
}

impl Store {
    /// The decided on-site list, if any.
    pub async fn onsite_list(&self, session_id: i64) -> Result<Option<OnsiteList>> {
        let Some(r) =
            sqlx::query("SELECT justification, decided_at FROM onsite_lists WHERE session_id = $1")
                .bind(session_id)
                .fetch_optional(self.pool())
                .await?
        else {
            return Ok(None);
        };
        let entries = sqlx::query("SELECT application_id, rank, score_hundredths FROM onsite_list_entries WHERE session_id = $1 ORDER BY rank")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|e| (e.get(0), e.get(1), e.get(2)))
            .collect();
        Ok(Some(OnsiteList {
            justification: r.get("justification"),
            decided_at: r.get("decided_at"),
            entries,
        }))
    }

    /// Whether an application's material review feedback has been released to it: the on-site
    /// list is decided and it is not on it (Art. 15).
    pub async fn feedback_released(&self, application_id: i64) -> Result<bool> {
        let sid: i64 = sqlx::query("SELECT session_id FROM applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?
            .get(0);
        Ok(match self.onsite_list(sid).await? {
            Some(l) => !l.entries.iter().any(|(a, ..)| *a == application_id),
            None => false,
        })
    }

    /// Decide the on-site list from the ranking ("best among the good", Art. 15). More than the
    /// rule set's number needs a recorded justification. Those not chosen get their material
    /// review feedback in the app and by email.
    pub async fn decide_onsite_list(
        &self,
        who: &Who,
        session_id: i64,
        chosen: &[i64],
        justification: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .session_stage_check(
                who,
                session_id,
                &[Stage::MaterialReview, Stage::OnsiteSelection],
                15,
                "确定现场评审名单",
                now,
            )
            .await?;
        let pid = d.session.programme_id;
        let entry =
            || NewEntry::award(who, "review.onsite.refused", "session", session_id).programme(pid);
        if self.onsite_list(session_id).await?.is_some() {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "onsite_decided",
                        15,
                        "本届现场评审名单已经确定，不能重复确定。",
                        "The on-site list has already been decided.",
                    ),
                    now,
                )
                .await);
        }
        let today = crate::today(now.as_microsecond());
        let rows = self.review_rows(session_id, Phase::Material, today).await?;
        let mut ids: Vec<i64> = chosen.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Err(Error::invalid(
                "application_id",
                "“现场评审名单”：请至少选择一家申报单位。",
                "Choose at least one applicant.",
            ));
        }
        if let Some(r) = rows.iter().find(|r| !r.consensus_submitted) {
            return Err(self.refused(entry(), refusal("onsite_early", 15, format!("{}的资料评审合议尚未提交，全部申报单位合议完成后才能确定现场评审名单。", r.name), format!("{} has no submitted consensus yet.", r.name)), now).await);
        }
        if ids
            .iter()
            .any(|id| !rows.iter().any(|r| r.application_id == *id))
        {
            return Err(Error::invalid(
                "application_id",
                "“现场评审名单”：所选单位不在本届资料评审范围内。",
                "A chosen applicant is not in this session's material review.",
            ));
        }
        let max = d.rules.review.onsite_max.value as usize;
        let justification = justification.trim();
        if ids.len() > max && justification.is_empty() {
            return Err(self.refused(entry(), refusal("onsite_over", 15, format!("现场评审名单原则上不超过{max}家（《管理办法》第十五条），现选了{}家：超出时须写明理由。", ids.len()), format!("The on-site list is at most {max} in principle (Art. 15); {} were chosen: give a justification.", ids.len())), now).await);
        }
        let mut ranked: Vec<&ReviewRow> = rows.iter().collect();
        ranked.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then(a.application_id.cmp(&b.application_id))
        });
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO onsite_lists (session_id, justification, decided_at, decided_by) VALUES ($1, $2, $3, $4)")
            .bind(session_id)
            .bind(justification)
            .bind(at)
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        let mut names = Vec::new();
        for (i, r) in ranked.iter().enumerate() {
            if ids.contains(&r.application_id) {
                sqlx::query("INSERT INTO onsite_list_entries (session_id, application_id, rank, score_hundredths) VALUES ($1, $2, $3, $4)")
                    .bind(session_id)
                    .bind(r.application_id)
                    .bind(i as i64 + 1)
                    .bind(r.total.unwrap_or(0))
                    .execute(tx.conn())
                    .await?;
                names.push(r.name.clone());
                Store::notify_organisation(&mut tx, r.organisation_id, &format!("{}：入选现场评审", d.session.title), "贵单位已列入本届现场评审名单，评审组将与贵单位商定现场评审计划（《清远市政府质量奖管理办法》第十五条、第十六条）。", Some(&format!("/applications/{}", r.application_id))).await?;
            } else {
                Store::notify_organisation(&mut tx, r.organisation_id, &format!("{}：资料评审反馈", d.session.title), &format!("经资料评审，贵单位未列入本届现场评审名单。资料评审得分{}分，评审组的优势、改进机会和改进建议见资料评审报告（《清远市政府质量奖管理办法》第十五条）。", points_text(r.total.unwrap_or(0))), Some(&format!("/review/applications/{}/report", r.application_id))).await?;
            }
        }
        tx.audit(
            NewEntry::award(who, "review.onsite.decide", "session", session_id)
                .programme(pid)
                .article(Some(15), DOC.0)
                .summary(if ids.len() > max {
                    format!(
                        "确定现场评审名单{}家（超过{max}家，理由：{justification}）：{}",
                        ids.len(),
                        names.join("、")
                    )
                } else {
                    format!("确定现场评审名单{}家：{}", ids.len(), names.join("、"))
                })
                .detail(
                    serde_json::json!({"chosen": ids, "justification": justification, "max": max}),
                )
                .state("onsite_list"),
        )
        .await?;
        tx.commit().await
    }
}
