//! Eligibility review (Art. 14): the city office's decision on each forwarded application, item by
//! item, with the other departments' opinions ([`opinions`]). Every change is one transaction with
//! its audit entry.

use crate::application::{Status, application_on, set_status};
use crate::{NewEntry, Result, Store, Who, opt_i64, opt_str};
use qaward_core::eligibility::review::{Outcome, ReviewFacts, check_items, decide};
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
    /// One command: the application is read inside the transaction that records the
    /// decision, and the core decides on what it reads.
    pub async fn eligibility_decide(
        &self,
        who: &Who,
        id: i64,
        items: &[(String, bool, String)],
        now: jiff::Timestamp,
    ) -> Result<Status> {
        check_items(items)?;
        self.command(now, async |tx| {
            let a = application_on(tx.conn(), id).await?;
            let rule_set_id: i64 =
                sqlx::query("SELECT rule_set_id FROM award_sessions WHERE id = $1")
                    .bind(a.session_id)
                    .fetch_one(tx.conn())
                    .await?
                    .get(0);
            let rules = self.rule_set(rule_set_id).await?.rules;
            let facts = ReviewFacts {
                recommended: matches!(
                    a.status,
                    Status::Recommended | Status::Eligible | Status::Ineligible
                ),
                forwarded: a.county.as_ref().is_some_and(|c| c.forwarded_at.is_some()),
            };
            let outcome = tx
                .decided(decide(&rules, facts, items), || {
                    NewEntry::award(who, "eligibility.decide", "application", id)
                        .programme(a.programme_id)
                })
                .await?;
            let status = match outcome {
                Outcome::Eligible => Status::Eligible,
                Outcome::Ineligible => Status::Ineligible,
            };
            let article = rules.stage_article("eligibility_review");
            let at = tx.now();
            sqlx::query("INSERT INTO eligibility_reviews (application_id, items, result, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id) DO UPDATE SET items = $2, result = $3, decided_at = $4, decided_by = $5")
                .bind(id)
                .bind(serde_json::to_string(items).unwrap_or_default())
                .bind(status.code())
                .bind(at)
                .bind(who.user_id)
                .execute(tx.conn())
                .await?;
            set_status(tx, id, status, at).await?;
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
                    .article(article, &rules.meta.name)
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
            let basis = article.map(|n| rules.cite(n).zh()).unwrap_or_default();
            crate::notify::eligibility_decided(tx, &a, &basis, status, items).await?;
            Ok(status)
        })
        .await
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
