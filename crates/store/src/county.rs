//! County recommendation (Art. 13): the county office verifies a submitted application, records
//! its recommendation or not (with the sealed letter), returns it for changes, and forwards its
//! recommended applications to the city office. Every change is one transaction with its audit entry.

use crate::application::{DOC, Status, app_refusal};
use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str, parse_date};
use qaward_core::county::decide_forward;
use qaward_core::session::Stage;
use sqlx::Row;

/// The county office's review.
#[derive(Debug, Clone)]
pub struct CountyReview {
    /// Checklist: (item code, confirmed, note).
    pub checklist: Vec<(String, bool, String)>,
    /// recommended, not_recommended, returned.
    pub decision: Option<String>,
    /// Reasons or opinion.
    pub reasons: String,
    /// Decided (µs).
    pub decided_at: Option<i64>,
    /// Forwarded to the city (µs).
    pub forwarded_at: Option<i64>,
}

impl Store {
    /// The county office's opinion (Art. 13): recommended, not recommended (with reasons), or
    /// returned for correction (with reasons), within the county deadline.
    pub async fn county_decide(
        &self,
        who: &Who,
        id: i64,
        checklist: &[(String, bool, String)],
        decision: &str,
        reasons: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let a = self.application(id).await?;
        let d = self.session_detail(a.session_id).await?;
        if a.status != Status::Submitted {
            return Err(self
                .refused(
                    NewEntry::award(who, "county.decide.refused", "application", id)
                        .programme(a.programme_id),
                    app_refusal(
                        "not_awaiting_county",
                        Some(13),
                        format!("该申报当前状态为“{}”，不在待推荐状态。", a.status.zh()),
                        "The application is not awaiting the county.",
                    ),
                    now,
                )
                .await);
        }
        let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
        let end = d
            .windows
            .get(&Stage::CountyRecommendation)
            .and_then(|w| w.ends_on);
        if d.session.stage > Stage::CountyRecommendation || end.is_some_and(|e| today > e) {
            return Err(self
                .refused(
                    NewEntry::award(who, "county.decide.refused", "application", id)
                        .programme(a.programme_id),
                    app_refusal(
                        "county_deadline",
                        Some(13),
                        format!(
                            "县级推荐期限{}已过。",
                            end.map(qaward_core::clock::date_zh).unwrap_or_default()
                        ),
                        "The county deadline has passed.",
                    ),
                    now,
                )
                .await);
        }
        let status = match decision {
            "recommended" => Status::Recommended,
            "not_recommended" => Status::NotRecommended,
            "returned" => Status::Returned,
            _ => {
                return Err(Error::invalid(
                    "decision",
                    "请选择推荐意见。",
                    "Choose the opinion.",
                ));
            }
        };
        if status != Status::Recommended && reasons.trim().is_empty() {
            return Err(Error::invalid(
                "reasons",
                "不予推荐或退回修改时，须写明理由。",
                "Give the reasons.",
            ));
        }
        if status == Status::Recommended
            && !self
                .attachments(id)
                .await?
                .iter()
                .any(|f| f.kind == crate::attachments::COUNTY_LETTER)
        {
            return Err(Error::invalid(
                "letter",
                "推荐须上传加盖公章的推荐函（PDF 或图片）。",
                "Upload the sealed recommendation letter to recommend.",
            ));
        }
        if status == Status::Recommended && checklist.iter().any(|(_, ok, _)| !ok) {
            return Err(Error::invalid(
                "checklist",
                "核实清单尚有未确认的项目，不能推荐。",
                "Every item of the checklist must be confirmed to recommend.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO county_reviews (application_id, checklist, decision, reasons, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id) DO UPDATE SET checklist = $2, decision = $3, reasons = $4, decided_at = $5, decided_by = $6, forwarded_at = NULL")
            .bind(id)
            .bind(serde_json::to_string(checklist).unwrap_or_default())
            .bind(decision)
            .bind(reasons.trim())
            .bind(at)
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        crate::application::set_status(&mut tx, id, status, at).await?;
        tx.audit(
            NewEntry::award(who, "county.decide", "application", id)
                .programme(a.programme_id)
                .article(Some(13), DOC.0)
                .summary(format!(
                    "{}对{}的推荐意见：{}{}",
                    a.org.county_name.clone().unwrap_or_default(),
                    a.org.name,
                    status.zh(),
                    if reasons.trim().is_empty() {
                        String::new()
                    } else {
                        format!("（{}）", reasons.trim())
                    }
                ))
                .detail(serde_json::json!({"decision": decision, "checklist": checklist}))
                .state(status.code()),
        )
        .await?;
        crate::notify::county_decided(&mut tx, &a, status, reasons).await?;
        tx.commit().await
    }

    /// Forward the county's recommended applications to the city (Art. 13); returns how many.
    /// One command: the session's stage and the county deadline are read inside the
    /// transaction that forwards, so a forward never lands after the session has moved on.
    pub async fn county_forward(
        &self,
        who: &Who,
        session_id: i64,
        county_id: i64,
        now: jiff::Timestamp,
    ) -> Result<usize> {
        let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
        self.command(now, async |tx| {
            let s = sqlx::query("SELECT stage, programme_id, rule_set_id FROM award_sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(tx.conn())
                .await?
                .ok_or(Error::NotFound)?;
            let stage = Stage::parse(&s.get::<String, _>("stage")).ok_or(Error::NotFound)?;
            let programme_id: i64 = s.get("programme_id");
            let rules = self.rule_set(s.get("rule_set_id")).await?.rules;
            let end = sqlx::query("SELECT ends_on FROM stage_windows WHERE session_id = $1 AND stage = $2")
                .bind(session_id)
                .bind(Stage::CountyRecommendation.code())
                .fetch_optional(tx.conn())
                .await?
                .and_then(|r| parse_date(r.get::<Option<String>, _>("ends_on")));
            tx.decided(decide_forward(&rules, stage, end, today), || {
                NewEntry::award(who, "county.forward", "session", session_id).programme(programme_id)
            })
            .await?;
            let ids: Vec<i64> = sqlx::query("SELECT a.id FROM applications a JOIN organisations o ON o.id = a.organisation_id JOIN county_reviews r ON r.application_id = a.id WHERE a.session_id = $1 AND o.county_id = $2 AND a.status = $3 AND r.forwarded_at IS NULL")
                .bind(session_id)
                .bind(county_id)
                .bind(Status::Recommended.code())
                .fetch_all(tx.conn())
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            if ids.is_empty() {
                return Ok(0);
            }
            let at = tx.now();
            for id in &ids {
                sqlx::query("UPDATE county_reviews SET forwarded_at = $1 WHERE application_id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
            }
            tx.audit(
                NewEntry::award(who, "county.forward", "session", session_id)
                    .programme(programme_id)
                    .article(Stage::CountyRecommendation.article(&rules), &rules.meta.name)
                    .summary(format!("向市强市办报送推荐的申报{}份", ids.len()))
                    .detail(serde_json::json!({"applications": ids, "county": county_id})),
            )
            .await?;
            Ok(ids.len())
        })
        .await
    }
}

pub(crate) fn county_review_from(r: &sqlx::any::AnyRow) -> CountyReview {
    CountyReview {
        checklist: serde_json::from_str(&r.get::<String, _>("checklist")).unwrap_or_default(),
        decision: opt_str(r, "decision"),
        reasons: r.get("reasons"),
        decided_at: opt_i64(r, "decided_at"),
        forwarded_at: opt_i64(r, "forwarded_at"),
    }
}
