//! Notifications in the app and by mail: a submission notifies its organisation in the same
//! transaction; the outbox is delivered to a real SMTP listener; a failed send stays in the
//! outbox and goes out once the server is back. Also: the messages page and its refusals.

use crate::applications::{context, fill, register, start};
use crate::helpers::{TestApp, spawn_app};
use qaward_web::mail::{DEFAULT_FROM, deliver_due, parse_from, smtp_transport};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Received {
    rcpt: Vec<String>,
    data: String,
}

/// A tiny SMTP server on 127.0.0.1: greets, answers EHLO/HELO/MAIL/RCPT/DATA/QUIT, keeps
/// every message.
struct SmtpSink {
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start(addr: SocketAddr) -> SmtpSink {
        let listener = TcpListener::bind(addr).await.expect("bind SMTP sink");
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(sock, store).await;
                });
            }
        });
        SmtpSink { received, task }
    }

    fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn stop(self) {
        self.task.abort();
    }
}

async fn session(
    sock: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut rcpt = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            w.write_all(b"250 sink.test\r\n").await?;
        } else if cmd.starts_with("MAIL FROM") {
            rcpt.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if cmd.starts_with("RCPT TO") {
            let addr = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned();
            rcpt.push(addr);
            w.write_all(b"250 OK\r\n").await?;
        } else if cmd == "DATA" {
            w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            store.lock().unwrap().push(Received {
                rcpt: std::mem::take(&mut rcpt),
                data,
            });
            w.write_all(b"250 OK queued\r\n").await?;
        } else if cmd == "QUIT" {
            w.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"250 OK\r\n").await?;
        }
    }
}

fn base64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        buf = ((buf << 6) | u32::from(v)) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

fn quoted_printable(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The decoded body of the part of `mime` type in a multipart message.
fn part(data: &str, mime: &str) -> Option<String> {
    let data = data.replace("\r\n", "\n");
    let at = data.find(&format!("Content-Type: {mime}"))?;
    let rest = &data[at..];
    let (headers, body) = rest.split_once("\n\n")?;
    let body = &body[..body.find("\n--").unwrap_or(body.len())];
    let enc = headers
        .lines()
        .find_map(|l| l.strip_prefix("Content-Transfer-Encoding:"))
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match enc.as_str() {
        "base64" => base64(body),
        "quoted-printable" => quoted_printable(body),
        _ => body.as_bytes().to_vec(),
    };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// A free port on 127.0.0.1 with nothing listening.
async fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap();
    drop(l);
    a
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == username)
        .unwrap()
        .id
}

#[tokio::test]
async fn a_submission_notifies_in_the_app_and_by_mail_and_a_failed_send_is_retried_not_lost() {
    let app = spawn_app().await;
    let code = qaward_core::credit_code::CreditCode::complete("91441802MA4DTQ091").unwrap();
    let (u, org) = register(&app, code.as_str(), "mailtest01").await;
    let aid = start(&app, &u, org).await;
    fill(
        &u,
        aid,
        &qaward::demo::sample_form(&context(&app).await, 7, "2015-06-01"),
    )
    .await;
    let uid = user_id(&app, "mailtest01").await;
    assert!(app.store.notifications(uid).await.unwrap().is_empty());
    let p = u.post(&format!("/applications/{aid}/submit"), &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let receipt = format!("QA2026-{aid:06}");

    // In the app: one unread notice with the receipt, hash and link; the badge counts it.
    let notes = app.store.notifications(uid).await.unwrap();
    assert_eq!(notes.len(), 1);
    let n = &notes[0];
    assert!(n.subject.contains(&receipt), "{}", n.subject);
    let hash = app
        .store
        .application(aid)
        .await
        .unwrap()
        .content_hash
        .unwrap();
    assert!(n.body.contains(&hash));
    assert_eq!(
        n.link.as_deref(),
        Some(&*format!("/applications/{aid}/receipt"))
    );
    assert_eq!(app.store.unread_count(uid).await.unwrap(), 1);
    let page = u.get("/notifications").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&receipt));
    assert!(
        page.body.contains(r#"<span class="badge">1"#),
        "{}",
        page.body
    );

    // In the outbox: one mail to the contact, not yet sent.
    let row = |rows: Vec<qaward_store::notify::OutboxRow>| {
        rows.into_iter()
            .find(|r| r.notification_id == Some(n.id))
            .expect("an outbox row for the notice")
    };
    let r = row(app.store.outbox().await.unwrap());
    assert_eq!(r.to_addr, "tester@example.com");
    assert_eq!((r.attempts, r.sent_at), (0, None));

    // The SMTP server is down: the mail stays, with the attempt and the error recorded.
    let addr = closed_port().await;
    let transport = smtp_transport(&format!("smtp://{addr}")).unwrap();
    let from = parse_from(DEFAULT_FROM).unwrap();
    let now = app.now_ts();
    let (sent, failed) = deliver_due(&app.store, &transport, &from, now)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    assert!(failed >= 1);
    let r = row(app.store.outbox().await.unwrap());
    assert_eq!(r.attempts, 1);
    assert_eq!(r.sent_at, None);
    assert!(r.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    assert_eq!(r.next_attempt_at, now.as_microsecond() + 60_000_000);

    // The server comes back. Within the backoff nothing is tried; after it, the mail goes.
    let sink = SmtpSink::start(addr).await;
    let (sent, failed) = deliver_due(&app.store, &transport, &from, now)
        .await
        .unwrap();
    assert_eq!((sent, failed), (0, 0));
    assert!(sink.messages().is_empty());
    let later = now + jiff::SignedDuration::from_secs(61);
    let (sent, failed) = deliver_due(&app.store, &transport, &from, later)
        .await
        .unwrap();
    assert!(sent >= 1);
    assert_eq!(failed, 0);
    let r = row(app.store.outbox().await.unwrap());
    assert_eq!(r.attempts, 2);
    assert_eq!(r.sent_at, Some(later.as_microsecond()));

    let mine: Vec<Received> = sink
        .messages()
        .into_iter()
        .filter(|m| m.rcpt.iter().any(|a| a == "tester@example.com"))
        .collect();
    assert_eq!(mine.len(), 1, "exactly one mail to the contact");
    let data = &mine[0].data;
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(
        data.contains("From: QAward <noreply@qaward.invalid>"),
        "{data}"
    );
    let text = part(data, "text/plain").expect("a text part");
    assert!(text.contains(&receipt), "{text}");
    assert!(text.contains(&hash), "{text}");
    assert!(text.contains("申报材料已于"), "{text}");
    let html = part(data, "text/html").expect("an HTML part");
    assert!(html.contains(&receipt), "{html}");
    assert!(html.contains("<p>"), "{html}");

    // Sent mail is not sent again, and nothing was deleted.
    let (rows, delivered) = (
        app.store.outbox().await.unwrap().len(),
        sink.messages().len(),
    );
    let (sent, _) = deliver_due(&app.store, &transport, &from, later)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    assert_eq!(app.store.outbox().await.unwrap().len(), rows);
    assert_eq!(sink.messages().len(), delivered);
    sink.stop();
}

#[tokio::test]
async fn county_and_eligibility_decisions_notify_the_organisation_with_reasons_and_article() {
    let app = spawn_app().await;
    let bodies: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT subject, body, link FROM notifications ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    let find = |org: &str, subject: &str| {
        bodies
            .iter()
            .find(|(s, b, _)| b.contains(org) && s.contains(subject))
            .unwrap_or_else(|| panic!("{org}: no notice “{subject}”"))
            .clone()
    };
    let (_, body, link) = find("阳山县演示建材有限公司", "不予推荐");
    assert!(body.contains("一般生产安全事故"), "{body}");
    assert!(body.contains("第十三条"));
    assert!(link.unwrap().starts_with("/applications/"));
    let (_, body, _) = find("佛冈县演示五金制品有限公司", "退回修改");
    assert!(body.contains("抽查机关"), "{body}");
    find("连山演示生态旅游有限公司", "已推荐");
    let (_, body, _) = find("连州市演示陶瓷有限公司", "资格审查结果：未通过");
    assert!(body.contains("第十四条"), "{body}");
    assert!(body.contains("产品不合格"), "{body}");
    let (_, body, _) = find("清远市演示智能装备股份有限公司", "资格审查结果：通过");
    assert!(body.contains("第十四条"), "{body}");
    // A draft never submitted has no notice.
    assert!(
        !bodies
            .iter()
            .any(|(_, b, _)| b.contains("清远市演示电子科技有限公司"))
    );
}

#[tokio::test]
async fn messages_are_read_by_their_owner_only() {
    let app = spawn_app().await;
    let owner = user_id(&app, "applicant13").await;
    let notes = app.store.notifications(owner).await.unwrap();
    assert!(notes.len() >= 2, "submitted and recommended");
    let nid = notes[0].id;
    let unread = app.store.unread_count(owner).await.unwrap();

    // Another applicant cannot mark it read, nor see it.
    let other = app.signed_in("applicant").await;
    let p = other.post(&format!("/notifications/{nid}/read"), &[]).await;
    assert!(p.status == 404 || p.status == 403, "{}", p.status);
    assert_eq!(app.store.unread_count(owner).await.unwrap(), unread);
    assert!(
        !other
            .get("/notifications")
            .await
            .body
            .contains("清远市演示新能源有限公司")
    );
    // Nor can anyone signed out.
    let anon = app.visitor();
    assert_eq!(anon.get("/notifications").await.status, 403);
    assert_eq!(
        anon.post(&format!("/notifications/{nid}/read"), &[])
            .await
            .status,
        403
    );
    assert_eq!(app.store.unread_count(owner).await.unwrap(), unread);

    // The owner sees it, with the count in the navigation, and marks it read.
    let u = app.signed_in("applicant13").await;
    let page = u.get("/notifications").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&notes[0].subject));
    assert!(page.body.contains("notice-item unread"));
    let dash = u.get("/dashboard").await;
    assert!(
        dash.body
            .contains(&format!(r#"<span class="badge">{unread}<"#)),
        "{}",
        dash.body
    );
    let p = u.post(&format!("/notifications/{nid}/read"), &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/notifications"));
    assert_eq!(app.store.unread_count(owner).await.unwrap(), unread - 1);
    assert!(
        app.store.notifications(owner).await.unwrap()[0]
            .read_at
            .is_some()
    );
    // Marking again changes nothing.
    assert_eq!(
        u.post(&format!("/notifications/{nid}/read"), &[])
            .await
            .status,
        303
    );
    assert_eq!(app.store.unread_count(owner).await.unwrap(), unread - 1);
}

#[tokio::test]
async fn outbox_rows_cannot_be_deleted() {
    let app = spawn_app().await;
    assert!(!app.store.outbox().await.unwrap().is_empty());
    let r = sqlx::query("DELETE FROM outbox")
        .execute(app.store.pool())
        .await;
    assert!(r.is_err(), "the outbox keeps every mail");
}
