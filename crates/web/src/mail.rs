//! Mail: the worker that sends the outbox over SMTP (lettre), each message as plain text and
//! HTML. A failed send stays in the outbox and is retried with backoff; nothing is lost.
//! Configured by `QAWARD_SMTP_URL` (`smtp://host:port`, `smtp://host?tls=required`,
//! `smtps://user:pass@host`) and `QAWARD_MAIL_FROM`.

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use qaward_store::Store;
use qaward_store::notify::OutboxMail;
use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

/// The sender when `QAWARD_MAIL_FROM` is not set.
pub const DEFAULT_FROM: &str = "QAward <noreply@qaward.invalid>";

/// How often the worker looks for due mail.
pub const POLL: Duration = Duration::from_secs(5);

/// How many mails one claim takes.
const BATCH: i64 = 50;

/// What can go wrong with mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL does not parse.
    #[error("QAWARD_SMTP_URL is not a usable SMTP URL: {0}")]
    Url(String),
    /// The sender address does not parse.
    #[error("QAWARD_MAIL_FROM is not a mail address: {0}")]
    From(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] qaward_store::Error),
}

/// The SMTP transport.
pub type Smtp = AsyncSmtpTransport<Tokio1Executor>;

/// An SMTP transport for `url`.
pub fn smtp_transport(url: &str) -> Result<Smtp, MailError> {
    Ok(Smtp::from_url(url)
        .map_err(|e| MailError::Url(e.to_string()))?
        .timeout(Some(Duration::from_secs(30)))
        .build())
}

/// The sender, e.g. `QAward <noreply@qaward.invalid>`.
pub fn parse_from(from: &str) -> Result<Mailbox, MailError> {
    from.parse::<Mailbox>()
        .map_err(|e| MailError::From(format!("{from}: {e}")))
}

/// The message for an outbox row: multipart/alternative, text and HTML.
pub fn message(from: &Mailbox, m: &OutboxMail) -> Result<Message, String> {
    let to: Mailbox = m
        .to_addr
        .parse()
        .map_err(|e| format!("recipient {}: {e}", m.to_addr))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            m.text_body.clone(),
            m.html_body.clone(),
        ))
        .map_err(|e| e.to_string())
}

/// Send every mail due at `now` through `transport`; returns (sent, failed). A failure is
/// recorded on its row (attempts, error, next attempt) and the row stays for the next round.
pub async fn deliver_due<T>(
    store: &Store,
    transport: &T,
    from: &Mailbox,
    now: jiff::Timestamp,
) -> Result<(usize, usize), MailError>
where
    T: AsyncTransport + Sync,
    T::Error: Display,
{
    let (mut sent, mut failed) = (0, 0);
    loop {
        let batch = store.claim_outbox(now, BATCH).await?;
        if batch.is_empty() {
            return Ok((sent, failed));
        }
        for m in batch {
            let result = match message(from, &m) {
                Ok(msg) => transport
                    .send(msg)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    store.outbox_sent(m.id, now).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = m.id, attempts = m.attempts + 1, error = %e, "mail not sent; kept in the outbox");
                    store.outbox_failed(m.id, &e, now).await?;
                    failed += 1;
                }
            }
        }
    }
}

/// The outbox worker: every [`POLL`] it sends the due mail, until `shutdown` completes.
pub async fn run_outbox(
    store: Store,
    smtp_url: &str,
    from: &str,
    shutdown: impl Future<Output = ()>,
) -> Result<(), MailError> {
    let transport = smtp_transport(smtp_url)?;
    let from = parse_from(from)?;
    let mut shutdown = std::pin::pin!(shutdown);
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            _ = tick.tick() => {}
        }
        match deliver_due(&store, &transport, &from, jiff::Timestamp::now()).await {
            Ok((0, 0)) => {}
            Ok((sent, failed)) => tracing::info!(sent, failed, "outbox"),
            Err(e) => tracing::warn!(error = %e, "outbox round failed"),
        }
    }
}
