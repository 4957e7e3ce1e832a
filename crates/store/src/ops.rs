//! What an operator watches: the database pool, the mail outbox, the job queue, the audit
//! chain's length, the sign-in pauses in force (read for `/metrics`).

use crate::{Result, Store};
use sqlx::Row;

/// The store's gauges at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Open connections of the pool.
    pub pool_size: u32,
    /// Of them, idle.
    pub pool_idle: u32,
    /// The pool's ceiling.
    pub pool_max: u32,
    /// Mails not yet sent.
    pub outbox_pending: i64,
    /// Of them, mails whose last attempt failed.
    pub outbox_failing: i64,
    /// Mails sent.
    pub outbox_sent: i64,
    /// Background jobs by status code (running, done, failed, interrupted).
    pub jobs: Vec<(String, i64)>,
    /// Entries of the audit chain.
    pub audit_entries: i64,
    /// Sign-in pauses in force.
    pub sign_in_pauses: i64,
}

impl Store {
    /// The gauges at `now`.
    pub async fn gauges(&self, now: jiff::Timestamp) -> Result<Gauges> {
        let o = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0) AS pending, COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0) AS failing, COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent FROM outbox",
        )
        .fetch_one(self.pool())
        .await?;
        let jobs =
            sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status ORDER BY status")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| (r.get::<String, _>("status"), r.get::<i64, _>("n")))
                .collect();
        let pauses: i64 =
            sqlx::query("SELECT COUNT(*) FROM login_throttle WHERE locked_until > $1")
                .bind(now.as_microsecond())
                .fetch_one(self.pool())
                .await?
                .get(0);
        Ok(Gauges {
            pool_size: self.pool().size(),
            pool_idle: u32::try_from(self.pool().num_idle()).unwrap_or(u32::MAX),
            pool_max: self.pool().options().get_max_connections(),
            outbox_pending: o.get("pending"),
            outbox_failing: o.get("failing"),
            outbox_sent: o.get("sent"),
            jobs,
            audit_entries: self.audit_len().await?,
            sign_in_pauses: pauses,
        })
    }
}
