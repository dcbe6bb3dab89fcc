//! E-mail against a real SMTP server (the sink, on loopback) and a real database:
//! who gets what for each ticket event, in which language, with the link and the
//! no-reply line; delivery across an SMTP outage and across a killed server; the
//! mailbox folder and its admin page; password reset by e-mail.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use server::db::entities::{mail_outbox, password_reset, user};
use server::mail::sink::{Received, SmtpSink};
use std::collections::HashMap;
use std::time::Duration;
use support::{TestApp, TestDb, config_with, cookie, new_ticket, user_id};

on_every_database!(
    every_event_mails_the_right_people_in_their_language,
    an_smtp_outage_delays_mail_and_loses_none,
    a_server_killed_mid_delivery_loses_nothing,
    without_smtp_mail_lands_in_the_mailbox_that_admins_read,
    a_password_reset_link_works_once_and_ends_every_session,
);

const PASSWORD: &str = "guichet-demo";
const BASE: &str = "https://help.example.test";

fn loopback() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn app_with_smtp(db: &TestDb, sink: &SmtpSink, data: &std::path::Path) -> TestApp {
    let url = sink.url();
    let data = data.display().to_string();
    TestApp::with_config(config_with(
        db,
        &[
            ("GUICHET_SMTP_URL", &url),
            ("GUICHET_BASE_URL", BASE),
            ("GUICHET_DATA_DIR", &data),
            ("GUICHET_MAIL_POLL", "100ms"),
            ("GUICHET_MAIL_FROM", "Guichet <no-reply@help.example.test>"),
            ("GUICHET_TEAM_EMAIL", "team@help.example.test"),
        ],
    ))
    .await
}

async fn ok(app: &TestApp, endpoint: &str, form: &str, cookie: &str) {
    let r = app.call(endpoint, form, Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{endpoint} {form}: {}", r.body);
}

async fn outbox(app: &TestApp) -> Vec<mail_outbox::Model> {
    mail_outbox::Entity::find()
        .order_by_asc(mail_outbox::Column::Id)
        .all(&app.state.db)
        .await
        .expect("outbox")
}

/// The outbox once it holds at least `n` messages, and nothing more came for a
/// moment.
async fn outbox_with(app: &TestApp, n: usize) -> Vec<mail_outbox::Model> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while outbox(app).await.len() < n && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    outbox(app).await
}

/// Waits until every message of the outbox is marked sent.
async fn all_sent(app: &TestApp, within: Duration) -> Vec<mail_outbox::Model> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let rows = outbox(app).await;
        if rows.iter().all(|r| r.sent_at.is_some()) || tokio::time::Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A received message as a mail client reads it.
struct Read {
    message_id: String,
    to: String,
    subject: String,
    text: String,
    html: String,
    language: String,
}

fn read(m: &Received) -> Read {
    let parsed = mail_parser::MessageParser::default()
        .parse(m.data.as_bytes())
        .expect("a parsable message");
    Read {
        message_id: parsed.message_id().unwrap_or_default().to_owned(),
        to: m.to.join(","),
        subject: parsed.subject().unwrap_or_default().to_owned(),
        text: parsed.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: parsed.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        language: m.header("Content-Language").unwrap_or_default(),
    }
}

async fn every_event_mails_the_right_people_in_their_language(db: TestDb) {
    let sink = SmtpSink::start(loopback()).await.expect("sink");
    let data = tempfile::tempdir().expect("dir");
    let app = app_with_smtp(&db, &sink, data.path()).await;
    // Lucas reads English; Claire (the requester) and the agent read French.
    let lucas = user_id(&app, "watcher@example.com").await;
    user::Entity::update(user::ActiveModel {
        id: Set(lucas),
        locale: Set("en".into()),
        ..Default::default()
    })
    .exec(&app.state.db)
    .await
    .expect("lucas reads English");
    let number = new_ticket(&app, "claire.martin@example.com", "La signature échoue").await;
    let claire = cookie(&app, "claire.martin@example.com").await;
    let agent = cookie(&app, "agent@example.com").await;
    let n = format!("number={number}");
    // The whole life of the ticket, as the customer and the agent drive it.
    let steps = [
        // Watchers: a user of the account, and an address without an account.
        ("/api/tickets/watchers", "email=watcher%40example.com", &claire),
        ("/api/tickets/watchers", "email=partner%40outside.example", &claire),
        ("/api/console/assign", "assignee=me", &agent),
        (
            "/api/console/reply",
            "body=SECRET+internal+note&visibility=internal&status=",
            &agent,
        ),
        (
            "/api/console/reply",
            "body=Please+try+again&visibility=public&status=",
            &agent,
        ),
        ("/api/console/reply", "body=&visibility=public&status=resolved", &agent),
        ("/api/tickets/comment", "body=Still+failing", &claire),
        ("/api/console/reply", "body=&visibility=public&status=resolved", &agent),
        ("/api/tickets/confirm_close", "", &claire),
    ];
    for (endpoint, form, who) in steps {
        ok(&app, endpoint, &format!("{n}&{form}"), who).await;
    }

    let rows = all_sent(&app, Duration::from_secs(20)).await;
    let people = [
        "claire.martin@example.com",
        "watcher@example.com",
        "partner@outside.example",
    ];
    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("created", vec!["claire.martin@example.com"]),
        ("watcher_added", vec!["watcher@example.com"]),
        ("watcher_added", vec!["partner@outside.example"]),
        ("reply", people.to_vec()),
        ("resolved", people.to_vec()),
        ("reopened", vec!["agent@example.com"]),
        ("resolved", people.to_vec()),
        ("closed", people.to_vec()),
    ];
    let mut want: Vec<(String, String)> = expected
        .iter()
        .flat_map(|(k, to)| to.iter().map(|t| (k.to_string(), t.to_string())))
        .collect();
    let mut got: Vec<(String, String)> = rows.iter().map(|r| (r.kind.clone(), r.recipient.clone())).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want, "who was written to, for what");
    assert!(rows.iter().all(|r| r.sent_at.is_some()), "all delivered");

    assert_eq!(sink.wait_for(rows.len(), Duration::from_secs(10)).await, rows.len());
    let received: HashMap<String, Read> = sink
        .received()
        .iter()
        .map(read)
        .map(|r| (r.message_id.clone(), r))
        .collect();
    assert_eq!(received.len(), rows.len(), "one message each, none twice");
    let link = format!("{BASE}/tickets/{number}");
    for row in &rows {
        let id = row.message_id.trim_matches(['<', '>']);
        let m = received.get(id).unwrap_or_else(|| panic!("message {id} never arrived"));
        assert_eq!(m.to, row.recipient);
        assert!(m.subject.contains(&format!("#{number}")), "{}", m.subject);
        assert!(m.text.contains(&link), "{}", m.text);
        assert!(m.html.contains(&link), "{}", m.html);
        assert!(
            !m.text.contains("SECRET") && !m.html.contains("SECRET"),
            "an internal note leaked"
        );
        let english = row.recipient == "watcher@example.com";
        let (lang, no_reply) = if english {
            ("en", "Do not reply to this e-mail")
        } else {
            ("fr", "Ne répondez pas à cet e-mail")
        };
        assert_eq!(m.language, lang, "{} for {}", row.kind, row.recipient);
        assert!(m.text.contains(no_reply), "{}: {}", row.recipient, m.text);
        assert!(m.html.contains(no_reply), "{}", m.html);
        if row.kind == "reply" {
            assert!(m.text.contains("Please try again"), "{}", m.text);
        }
        if row.kind == "resolved" {
            let word = if english {
                "close automatically on"
            } else {
                "fermé automatiquement le"
            };
            assert!(m.text.contains(word), "{}", m.text);
        }
        if row.kind == "reopened" {
            assert!(m.text.contains("Still failing"), "{}", m.text);
        }
    }
    let sender = sink.received()[0].from.clone();
    assert_eq!(sender, "no-reply@help.example.test");
}

async fn an_smtp_outage_delays_mail_and_loses_none(db: TestDb) {
    let mut sink = SmtpSink::start(loopback()).await.expect("sink");
    let data = tempfile::tempdir().expect("dir");
    let app = app_with_smtp(&db, &sink, data.path()).await;
    // The app's own worker, with quick retries for the test.
    app.workers.kill_mail();
    let mut worker = app.state.mail.clone();
    worker.retry_base = Duration::from_millis(100);
    sink.stop();
    let task = tokio::spawn(worker.run(
        Duration::from_millis(100),
        app.state.notifier.wake.clone(),
        tokio_util::sync::CancellationToken::new(),
    ));
    for i in 0..20 {
        new_ticket(&app, "claire.martin@example.com", &format!("Outage {i}")).await;
    }
    // Down for a while: every attempt fails, nothing is marked sent.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 20);
    assert!(
        rows.iter().all(|r| r.sent_at.is_none()),
        "nothing can be sent while SMTP is down"
    );
    assert!(
        rows.iter().any(|r| r.attempts >= 2 && r.last_error.is_some()),
        "retried with the error kept"
    );
    sink.restart().await.expect("up again");
    let rows = all_sent(&app, Duration::from_secs(30)).await;
    assert!(
        rows.iter().all(|r| r.sent_at.is_some()),
        "all delivered once SMTP is back"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ids: Vec<String> = sink.received().iter().map(read).map(|r| r.message_id).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 20, "every message arrived");
    assert_eq!(unique.len(), 20, "none twice");
    task.abort();
}

async fn a_server_killed_mid_delivery_loses_nothing(db: TestDb) {
    let sink = SmtpSink::start(loopback()).await.expect("sink");
    let data = tempfile::tempdir().expect("dir");
    let app = app_with_smtp(&db, &sink, data.path()).await;
    app.workers.kill_mail(); // this process only writes mail; the child sends it
    sink.set_stall(true);
    let mut numbers = Vec::new();
    for i in 0..5 {
        numbers.push(new_ticket(&app, "claire.martin@example.com", &format!("Crash {i}")).await);
    }
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_guichet"))
            .env("DATABASE_URL", &db.url)
            .env("GUICHET_ADDR", "127.0.0.1:0")
            .env("GUICHET_DEMO", "false")
            .env("GUICHET_DATA_DIR", data.path())
            .env("GUICHET_SMTP_URL", sink.url())
            .env("GUICHET_MAIL_POLL", "100ms")
            .env("GUICHET_MAIL_LEASE", "2s")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start guichet")
    };
    let mut first = spawn();
    // The server is mid-delivery: the SMTP server has the data, and no answer yet.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while sink.stalled() == 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if sink.stalled() == 0 {
        let _ = first.kill();
        let out = first.wait_with_output().expect("child output");
        panic!(
            "the child server never tried to deliver: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    first.kill().expect("kill -9");
    let _ = first.wait();
    assert_eq!(sink.count(), 0);
    let rows = outbox(&app).await;
    assert!(
        rows.iter().all(|r| r.sent_at.is_none()),
        "nothing is marked sent by a dead server"
    );
    // Restarted: the leases of the dead server expire and every message goes out.
    sink.set_stall(false);
    let mut second = spawn();
    let rows = all_sent(&app, Duration::from_secs(30)).await;
    let _ = second.kill();
    let _ = second.wait();
    assert!(
        rows.iter().all(|r| r.sent_at.is_some()),
        "every message delivered after the restart"
    );
    let ids: Vec<String> = sink.received().iter().map(read).map(|r| r.message_id).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 5, "nothing lost: {ids:?}");
    assert_eq!(unique.len(), 5, "nothing twice");
}

async fn without_smtp_mail_lands_in_the_mailbox_that_admins_read(db: TestDb) {
    let data = tempfile::tempdir().expect("dir");
    let dir = data.path().display().to_string();
    let app = TestApp::with_config(config_with(
        &db,
        &[("GUICHET_DATA_DIR", &dir), ("GUICHET_MAIL_POLL", "100ms")],
    ))
    .await;
    let number = new_ticket(&app, "emma.wilson@example.com", "Template missing").await;
    let rows = all_sent(&app, Duration::from_secs(20)).await;
    assert_eq!(rows.len(), 1);
    let file = rows[0]
        .delivered_as
        .as_deref()
        .and_then(|d| d.strip_prefix("mailbox: "))
        .expect("delivered to the mailbox")
        .to_owned();
    let eml = std::fs::read(data.path().join("mailbox").join(&file)).expect("the .eml file");
    let parsed = mail_parser::MessageParser::default().parse(&eml).expect("eml");
    assert!(parsed.subject().unwrap_or_default().contains(&number));
    assert!(
        parsed
            .body_text(0)
            .is_some_and(|t| t.contains("Do not reply to this e-mail")),
        "Emma reads English"
    );
    // The admin page lists it; a customer gets a 404.
    let admin = cookie(&app, "admin@example.com").await;
    let page = get(&app, "/admin/mail", &admin).await;
    assert_eq!(page.0, StatusCode::OK);
    assert!(page.1.contains("emma.wilson@example.com"), "{}", page.1);
    assert!(page.1.contains(&format!("#{number}")));
    let emma = cookie(&app, "emma.wilson@example.com").await;
    let r = app.call("/api/admin_mailbox", "", Some(&emma)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("emma.wilson@example.com"));
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let r = app
        .send(
            Request::get(path)
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    (r.status, r.body)
}

/// The token of the reset link in a password-reset message.
fn reset_token(mail: &mail_outbox::Model) -> String {
    let prefix = format!("{BASE}/password/reset?token=");
    mail.text_body
        .split(&prefix)
        .nth(1)
        .expect("the link")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

async fn a_password_reset_link_works_once_and_ends_every_session(db: TestDb) {
    let data = tempfile::tempdir().expect("dir");
    let dir = data.path().display().to_string();
    let app = TestApp::with_config(config_with(
        &db,
        &[("GUICHET_DATA_DIR", &dir), ("GUICHET_BASE_URL", BASE)],
    ))
    .await;
    let old_session = cookie(&app, "emma.wilson@example.com").await;
    // The same answer for an address with an account and one without.
    let known = app
        .call("/api/request_password_reset", "email=Emma.Wilson%40example.com", None)
        .await;
    let unknown = app
        .call("/api/request_password_reset", "email=nobody%40example.com", None)
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    assert_eq!(
        (known.status, known.body.clone()),
        (unknown.status, unknown.body.clone())
    );
    let bad = app
        .call("/api/request_password_reset", "email=not-an-address", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // The request is answered at once and written just after: wait for the mail.
    let mails = outbox_with(&app, 1).await;
    assert_eq!(mails.len(), 1, "one mail, to the known address only");
    assert_eq!(mails[0].recipient, "emma.wilson@example.com");
    assert_eq!(mails[0].kind, "password_reset");
    let token = reset_token(&mails[0]);
    assert_eq!(token.len(), 64);
    // Only the hash is stored.
    let stored = password_reset::Entity::find().all(&app.state.db).await.expect("q");
    assert!(stored.iter().all(|r| r.token_hash != token));

    let reset = |pw: &str, confirm: &str, token: &str| {
        format!(
            "token={token}&password={}&confirm={}",
            support::urlencode(pw),
            support::urlencode(confirm)
        )
    };
    let short = app
        .call("/api/reset_password", &reset("short", "short", &token), None)
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", short.body);
    assert!(short.body.contains("TooShort"), "{}", short.body);
    let differ = app
        .call(
            "/api/reset_password",
            &reset("a long new password", "another one!!", &token),
            None,
        )
        .await;
    assert!(differ.body.contains("Mismatch"), "{}", differ.body);
    let forged = app
        .call(
            "/api/reset_password",
            &reset("a long new password", "a long new password", &"0".repeat(64)),
            None,
        )
        .await;
    assert!(forged.body.contains("LinkInvalid"), "{}", forged.body);
    // The real one works once.
    let done = app
        .call(
            "/api/reset_password",
            &reset("a long new password", "a long new password", &token),
            None,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let again = app
        .call(
            "/api/reset_password",
            &reset("yet another password", "yet another password", &token),
            None,
        )
        .await;
    assert!(again.body.contains("LinkInvalid"), "single use: {}", again.body);
    // Every session ended; the new password signs in, the old one does not.
    assert_eq!(app.viewer_email(&old_session).await, None);
    let old = app.sign_in("emma.wilson@example.com", PASSWORD, None).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app
        .sign_in("emma.wilson@example.com", "a long new password", None)
        .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    // An expired link is refused too.
    app.call("/api/request_password_reset", "email=emma.wilson%40example.com", None)
        .await;
    let latest = outbox_with(&app, 2).await.pop().expect("second mail");
    let token2 = reset_token(&latest);
    password_reset::Entity::update_many()
        .col_expr(
            password_reset::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .exec(&app.state.db)
        .await
        .expect("expire");
    let expired = app
        .call(
            "/api/reset_password",
            &reset("a long new password", "a long new password", &token2),
            None,
        )
        .await;
    assert!(expired.body.contains("LinkInvalid"), "{}", expired.body);
    // Too many requests for one address: the same answer, no more mail.
    for _ in 0..5 {
        let r = app
            .call("/api/request_password_reset", "email=emma.wilson%40example.com", None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    outbox_with(&app, 3).await;
    let resets = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Kind.eq("password_reset"))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(resets, 3, "three links an hour at most");
}
