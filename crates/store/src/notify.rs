//! Notifications: a notice in the app for each person concerned and, for those with an email
//! address, a mail in the outbox. Both are written inside the caller's transaction, so a notice
//! exists exactly when the state change it announces does. The outbox is claimed by mail
//! workers (`FOR UPDATE SKIP LOCKED` on PostgreSQL), retried with exponential backoff on
//! failure, and never deleted.

use crate::application::{Application, Status};
use crate::{Backend, Error, Result, Store, Tx, opt_i64, opt_str};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A notice in the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// Subject line.
    pub subject: String,
    /// Text.
    pub body: String,
    /// Where to look (a local path), if anywhere.
    pub link: Option<String>,
    /// Created (µs).
    pub created_at: i64,
    /// Read (µs).
    pub read_at: Option<i64>,
}

/// A mail claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// Id.
    pub id: i64,
    /// Recipient address.
    pub to_addr: String,
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub text_body: String,
    /// HTML.
    pub html_body: String,
    /// Attempts so far.
    pub attempts: i64,
}

/// A row of the outbox, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Id.
    pub id: i64,
    /// The notice it carries.
    pub notification_id: Option<i64>,
    /// Recipient address.
    pub to_addr: String,
    /// Subject.
    pub subject: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Next attempt not before (µs).
    pub next_attempt_at: i64,
    /// Sent (µs).
    pub sent_at: Option<i64>,
    /// The last failure.
    pub last_error: Option<String>,
}

/// How long a claimed mail is reserved for its worker before another may take it.
pub const CLAIM_LEASE_US: i64 = 5 * 60 * 1_000_000;

/// The wait before the next attempt after `attempts` failed ones: 1, 2, 4 … minutes, at most
/// one hour.
pub fn backoff_us(attempts: i64) -> i64 {
    let minutes = 1i64 << attempts.clamp(1, 7).saturating_sub(1);
    minutes.min(60) * 60 * 1_000_000
}

const SIGNATURE: &str = "清远市政府质量奖评审管理系统（本邮件由系统自动发送，请勿直接回复）";

/// Escape text for HTML.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The plain-text and HTML bodies of the mail for a notice.
pub fn mail_bodies(subject: &str, body: &str, link: Option<&str>) -> (String, String) {
    let mut text = format!("{body}\n");
    if let Some(l) = link {
        text.push_str(&format!("\n请登录系统查看：{l}\n"));
    }
    text.push_str(&format!("\n—— {SIGNATURE}\n"));
    let paras: String = body
        .split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{}</p>\n", esc(l)))
        .collect();
    let link_html = link
        .map(|l| format!("<p>请登录系统查看：<code>{}</code></p>\n", esc(l)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif; color: #1d2733;\">\n<h1 style=\"font-size: 18px; color: #0b3d91;\">{}</h1>\n{paras}{link_html}<hr>\n<p style=\"color: #5a6573; font-size: 12px;\">{}</p>\n</body></html>\n",
        esc(subject),
        esc(subject),
        esc(SIGNATURE)
    );
    (text, html)
}

fn notification_from(r: &AnyRow) -> Notification {
    Notification {
        id: r.get("id"),
        user_id: r.get("user_id"),
        subject: r.get("subject"),
        body: r.get("body"),
        link: opt_str(r, "link"),
        created_at: r.get("created_at"),
        read_at: opt_i64(r, "read_at"),
    }
}

fn mail_from(r: &AnyRow) -> OutboxMail {
    OutboxMail {
        id: r.get("id"),
        to_addr: r.get("to_addr"),
        subject: r.get("subject"),
        text_body: r.get("text_body"),
        html_body: r.get("html_body"),
        attempts: r.get("attempts"),
    }
}

impl crate::cache::View<'_> {
    /// [`Store::unread_count`] through the cache (notices arrive and are read in writing
    /// transactions).
    pub async fn unread_count(&self, user_id: i64) -> Result<i64> {
        Ok(*self
            .get_or(
                format!("unread:{user_id}"),
                self.store().unread_count(user_id),
            )
            .await?)
    }
}

impl Store {
    /// Notify `user_ids` inside `tx`: a notice in the app for each, and a mail in the outbox
    /// for each who has an email address. Returns how many notices were written.
    pub async fn notify_users(
        tx: &mut Tx,
        user_ids: &[i64],
        subject: &str,
        body: &str,
        link: Option<&str>,
    ) -> Result<usize> {
        let at = tx.now();
        let (text, html) = mail_bodies(subject, body, link);
        let mut n = 0;
        for uid in user_ids {
            let Some(u) = sqlx::query("SELECT email, active FROM users WHERE id = $1")
                .bind(uid)
                .fetch_optional(tx.conn())
                .await?
            else {
                continue;
            };
            let nid: i64 = sqlx::query("INSERT INTO notifications (user_id, subject, body, link, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(uid)
                .bind(subject)
                .bind(body)
                .bind(link)
                .bind(at)
                .fetch_one(tx.conn())
                .await?
                .get(0);
            n += 1;
            let active = u.get::<i64, _>("active") != 0;
            let email = opt_str(&u, "email").filter(|e| e.contains('@'));
            if let (true, Some(to)) = (active, email) {
                sqlx::query("INSERT INTO outbox (notification_id, to_addr, subject, text_body, html_body, created_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $6)")
                    .bind(nid)
                    .bind(to.trim())
                    .bind(subject)
                    .bind(&text)
                    .bind(&html)
                    .bind(at)
                    .execute(tx.conn())
                    .await?;
            }
        }
        Ok(n)
    }

    /// Notify the active users of a department (opinion requests and reminders, Art. 14).
    pub async fn notify_department(
        tx: &mut Tx,
        department_id: i64,
        subject: &str,
        body: &str,
        link: Option<&str>,
    ) -> Result<usize> {
        let ids: Vec<i64> = sqlx::query("SELECT DISTINCT u.id FROM users u JOIN role_grants g ON g.user_id = u.id WHERE g.role = 'department' AND g.department_id = $1 AND u.active = 1 ORDER BY u.id")
            .bind(department_id)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Store::notify_users(tx, &ids, subject, body, link).await
    }

    /// Notify every active applicant account of organisation `org_id` inside `tx`.
    pub async fn notify_organisation(
        tx: &mut Tx,
        org_id: i64,
        subject: &str,
        body: &str,
        link: Option<&str>,
    ) -> Result<usize> {
        let ids: Vec<i64> = sqlx::query("SELECT DISTINCT u.id FROM users u JOIN role_grants g ON g.user_id = u.id WHERE g.role = 'applicant' AND g.organisation_id = $1 AND u.active = 1 ORDER BY u.id")
            .bind(org_id)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Store::notify_users(tx, &ids, subject, body, link).await
    }

    /// A person's notices, newest first.
    pub async fn notifications(&self, user_id: i64) -> Result<Vec<Notification>> {
        Ok(sqlx::query("SELECT id, user_id, subject, body, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(notification_from)
            .collect())
    }

    /// How many of a person's notices are unread.
    pub async fn unread_count(&self, user_id: i64) -> Result<i64> {
        Ok(
            sqlx::query(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(self.pool())
            .await?
            .get(0),
        )
    }

    /// Mark one of `user_id`'s own notices read. Another person's notice is [`Error::NotFound`].
    pub async fn mark_notification_read(
        &self,
        user_id: i64,
        id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let found = sqlx::query("SELECT read_at FROM notifications WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        if opt_i64(&found, "read_at").is_some() {
            return Ok(());
        }
        // A writing transaction (no audit entry: reading one's notices is not a state of the
        // award) so that the write count moves and no cached unread count outlives it.
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL")
            .bind(now.as_microsecond())
            .bind(id)
            .bind(user_id)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// Claim up to `limit` mails due at `now` for this worker for [`CLAIM_LEASE_US`].
    /// On PostgreSQL rows locked by another worker are skipped (`FOR UPDATE SKIP LOCKED`);
    /// on SQLite the single writing statement is serialized by the database lock.
    pub async fn claim_outbox(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<OutboxMail>> {
        let now_us = now.as_microsecond();
        let until = now_us + CLAIM_LEASE_US;
        let sql = match self.backend() {
            Backend::Postgres => {
                "WITH due AS (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) UPDATE outbox o SET claimed_until = $3 FROM due WHERE o.id = due.id RETURNING o.id, o.to_addr, o.subject, o.text_body, o.html_body, o.attempts"
            }
            Backend::Sqlite => {
                "UPDATE outbox SET claimed_until = $3 WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_attempt_at, id LIMIT $2) RETURNING id, to_addr, subject, text_body, html_body, attempts"
            }
        };
        let mut v: Vec<OutboxMail> = sqlx::query(sql)
            .bind(now_us)
            .bind(limit)
            .bind(until)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(mail_from)
            .collect();
        v.sort_by_key(|m| m.id);
        Ok(v)
    }

    /// Record that mail `id` was sent at `now`.
    pub async fn outbox_sent(&self, id: i64, now: jiff::Timestamp) -> Result<()> {
        sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL WHERE id = $2 AND sent_at IS NULL")
            .bind(now.as_microsecond())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Record a failed attempt at `now`: the next one waits 1, 2, 4 … minutes (at most an hour).
    pub async fn outbox_failed(&self, id: i64, error: &str, now: jiff::Timestamp) -> Result<()> {
        let r = sqlx::query("SELECT attempts FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        let attempts = r.get::<i64, _>("attempts") + 1;
        let error: String = error.chars().take(2000).collect();
        sqlx::query("UPDATE outbox SET attempts = $1, last_error = $2, next_attempt_at = $3, claimed_until = NULL WHERE id = $4 AND sent_at IS NULL")
            .bind(attempts)
            .bind(error)
            .bind(now.as_microsecond() + backoff_us(attempts))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The outbox, oldest first (for inspection and tests).
    pub async fn outbox(&self) -> Result<Vec<OutboxRow>> {
        Ok(sqlx::query("SELECT id, notification_id, to_addr, subject, attempts, next_attempt_at, sent_at, last_error FROM outbox ORDER BY id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| OutboxRow {
                id: r.get("id"),
                notification_id: opt_i64(r, "notification_id"),
                to_addr: r.get("to_addr"),
                subject: r.get("subject"),
                attempts: r.get("attempts"),
                next_attempt_at: r.get("next_attempt_at"),
                sent_at: opt_i64(r, "sent_at"),
                last_error: opt_str(r, "last_error"),
            })
            .collect())
    }
}

/// Tell the organisation its application arrived, with the receipt (Art. 12).
pub(crate) async fn submitted(
    tx: &mut Tx,
    a: &Application,
    receipt: &str,
    sha256: &str,
) -> Result<usize> {
    let subject = format!("申报材料已提交（回执号 {receipt}）");
    let body = format!(
        "{}：\n贵单位的政府质量奖申报材料已于{}提交。\n回执号：{receipt}\n内容摘要（SHA-256）：{sha256}\n材料将由所在县（市、区）质量强县办核实并提出推荐意见（《清远市政府质量奖管理办法》第十三条）。",
        a.org.name,
        qaward_core::clock::format_micros(tx.now()),
    );
    let link = format!("/applications/{}/receipt", a.id);
    Store::notify_organisation(tx, a.org.id, &subject, &body, Some(&link)).await
}

/// Tell the organisation the county's opinion (Art. 13).
pub(crate) async fn county_decided(
    tx: &mut Tx,
    a: &Application,
    status: Status,
    reasons: &str,
) -> Result<usize> {
    let county = a.org.county_name.as_deref().map_or_else(
        || "所在县（市、区）质量强县（市、区）办".to_owned(),
        qaward_core::labels::county_office_name,
    );
    let reasons = reasons.trim();
    let (subject, what) = match status {
        Status::Recommended => (
            "县级推荐意见：已推荐".to_owned(),
            format!("{county}已核实贵单位的申报材料，同意推荐，将按期报送市强市办进行资格审查。"),
        ),
        Status::NotRecommended => (
            "县级推荐意见：不予推荐".to_owned(),
            format!("{county}经核实，不予推荐。\n理由：{reasons}"),
        ),
        _ => (
            "申报材料被退回修改".to_owned(),
            format!(
                "{county}将贵单位的申报材料退回修改，请在县级推荐期限内修改后重新提交。\n理由：{reasons}"
            ),
        ),
    };
    let body = format!(
        "{}：\n{what}\n（依据《清远市政府质量奖管理办法》第十三条）",
        a.org.name
    );
    let link = format!("/applications/{}", a.id);
    Store::notify_organisation(tx, a.org.id, &subject, &body, Some(&link)).await
}

/// Tell the organisation the result of the eligibility review (Art. 14).
pub(crate) async fn eligibility_decided(
    tx: &mut Tx,
    a: &Application,
    basis: &str,
    status: Status,
    items: &[(String, bool, String)],
) -> Result<usize> {
    let (subject, what) = if status == Status::Eligible {
        (
            "资格审查结果：通过".to_owned(),
            format!(
                "市强市办{basis}对贵单位的申报材料进行了资格审查，结果为通过，申报将进入材料评审。"
            ),
        )
    } else {
        let failed: Vec<String> = items
            .iter()
            .filter(|(_, ok, _)| !ok)
            .enumerate()
            .map(|(i, (_, _, r))| format!("{}. {}", i + 1, r.trim()))
            .collect();
        (
            "资格审查结果：未通过".to_owned(),
            format!(
                "市强市办{basis}对贵单位的申报材料进行了资格审查，结果为未通过。\n未通过的项目及理由：\n{}",
                failed.join("\n")
            ),
        )
    };
    let body = format!("{}：\n{what}", a.org.name);
    let link = format!("/applications/{}", a.id);
    Store::notify_organisation(tx, a.org.id, &subject, &body, Some(&link)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_minute_to_an_hour() {
        let m = |n| backoff_us(n) / 60_000_000;
        assert_eq!(
            (1..=9).map(m).collect::<Vec<_>>(),
            [1, 2, 4, 8, 16, 32, 60, 60, 60]
        );
        assert_eq!(m(1000), 60);
    }

    #[test]
    fn html_body_is_escaped() {
        let (text, html) = mail_bodies("a<b", "x & <script>", Some("/n"));
        assert!(text.contains("x & <script>"));
        assert!(html.contains("x &amp; &lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
