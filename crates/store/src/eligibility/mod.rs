//! Eligibility review (Art. 14): the city office's decision on each forwarded application, item by
//! item, with the other departments' opinions ([`opinions`]). Every change is one transaction with
//! its audit entry.

use crate::application::{DOC, Status, app_refusal};
use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str};
use sqlx::Row;

/// The city office's eligibility review.
#[derive(Debug, Clone)]
pub struct EligibilityReview {
    /// (item code, passed, reason).
    pub items: Vec<(String, bool, String)>,
    /// eligible or ineligible.
    pub result: Option<String>,
    /// Decided (µs).
    pub decided_at: Option<i64>,
}

impl Store {
    /// The city office's eligibility decision (Art. 14): each item pass or fail with a reason.
    pub async fn eligibility_decide(
        &self,
        who: &Who,
        id: i64,
        items: &[(String, bool, String)],
        now: jiff::Timestamp,
    ) -> Result<Status> {
        let a = self.application(id).await?;
        let forwarded = a.county.as_ref().is_some_and(|c| c.forwarded_at.is_some());
        if !matches!(
            a.status,
            Status::Recommended | Status::Eligible | Status::Ineligible
        ) || !forwarded
        {
            return Err(self
                .refused(
                    NewEntry::award(who, "eligibility.decide.refused", "application", id)
                        .programme(a.programme_id),
                    app_refusal(
                        "not_forwarded",
                        Some(14),
                        "只能审查县（市、区）已推荐并报送的申报。",
                        "Only applications recommended and forwarded by a county are reviewed.",
                    ),
                    now,
                )
                .await);
        }
        if let Some((code, ..)) = items
            .iter()
            .find(|(_, ok, reason)| !ok && reason.trim().is_empty())
        {
            return Err(Error::invalid(
                "reason",
                format!("未通过的项目须写明理由（{code}）。"),
                "Give the reason for every failed item.",
            ));
        }
        let status = if items.iter().all(|(_, ok, _)| *ok) {
            Status::Eligible
        } else {
            Status::Ineligible
        };
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO eligibility_reviews (application_id, items, result, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id) DO UPDATE SET items = $2, result = $3, decided_at = $4, decided_by = $5")
            .bind(id)
            .bind(serde_json::to_string(items).unwrap_or_default())
            .bind(status.code())
            .bind(at)
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        sqlx::query("UPDATE applications SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.code())
            .bind(at)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let failed: Vec<String> = items
            .iter()
            .filter(|(_, ok, _)| !ok)
            .map(|(c, _, r)| {
                let c = qaward_core::labels::text(qaward_core::labels::Family::Condition, c, true);
                format!("{c}：{r}")
            })
            .collect();
        tx.audit(
            NewEntry::award(who, "eligibility.decide", "application", id)
                .programme(a.programme_id)
                .article(Some(14), DOC.0)
                .summary(format!(
                    "{}资格审查：{}{}",
                    a.org.name,
                    status.zh(),
                    if failed.is_empty() {
                        String::new()
                    } else {
                        format!("（{}）", failed.join("；"))
                    }
                ))
                .detail(serde_json::json!({"items": items}))
                .state(status.code()),
        )
        .await?;
        crate::notify::eligibility_decided(&mut tx, &a, status, items).await?;
        tx.commit().await?;
        Ok(status)
    }
}

pub(crate) fn eligibility_review_from(r: &sqlx::any::AnyRow) -> EligibilityReview {
    EligibilityReview {
        items: serde_json::from_str(&r.get::<String, _>("items")).unwrap_or_default(),
        result: opt_str(r, "result"),
        decided_at: opt_i64(r, "decided_at"),
    }
}

pub mod opinions;
