//! Mail over TLS, as hosted providers require it: implicit TLS (`smtps://`, port
//! 465) and STARTTLS (`?tls=required`, port 587), with authentication, against the
//! project's own SMTP sink speaking TLS with a certificate made for this run. A
//! certificate nobody vouches for, or a server that does not offer STARTTLS, gets
//! no mail and no password: the message waits in the outbox.

mod support;

use sea_orm::EntityTrait;
use server::db::entities::mail_outbox;
use server::mail::sink::{SinkTls, SmtpSink};
use std::time::Duration;
use support::{TestApp, TestDb, config_with, new_ticket};

on_every_database!(
    mail_goes_out_over_implicit_tls_and_starttls,
    untrusted_or_plain_servers_get_nothing
);

const CLAIRE: &str = "claire.martin@example.com";

/// A self-signed certificate for `localhost`: (certificate PEM, key PEM).
fn certificate() -> (String, String) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    (made.cert.pem(), made.signing_key.serialize_pem())
}

fn loopback() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn app_sending_to(db: &TestDb, url: &str, trust: Option<&str>) -> TestApp {
    let ca_path = db.data.path().join("smtp-ca.pem");
    let mut vars = vec![
        ("GUICHET_SMTP_URL", url.to_owned()),
        ("GUICHET_MAIL_POLL", "100ms".to_owned()),
    ];
    if let Some(pem) = trust {
        std::fs::write(&ca_path, pem).expect("write the CA file");
        vars.push(("GUICHET_SMTP_CA_FILE", ca_path.display().to_string()));
    }
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::with_config(config_with(db, &vars)).await
}

async fn mail_goes_out_over_implicit_tls_and_starttls(db: TestDb) {
    let (cert, key) = certificate();
    let acceptor = SinkTls::acceptor(cert.as_bytes(), key.as_bytes()).expect("acceptor");
    for (tls, scheme, query) in [
        (SinkTls::Implicit(acceptor.clone()), "smtps", ""),
        (SinkTls::StartTls(acceptor.clone()), "smtp", "?tls=required"),
    ] {
        let sink = SmtpSink::start_with(loopback(), tls).await.expect("sink");
        let url = format!("{scheme}://mailer:s3cret@localhost:{}{query}", sink.addr().port());
        let app = app_sending_to(&db, &url, Some(&cert)).await;
        let before = sink.count();
        new_ticket(&app, CLAIRE, "Signing fails on every envelope").await;
        if sink.wait_for(before + 1, Duration::from_secs(20)).await == before {
            let errors: Vec<_> = mail_outbox::Entity::find()
                .all(&app.state.db)
                .await
                .expect("outbox")
                .into_iter()
                .filter_map(|r| r.last_error)
                .collect();
            panic!("{url}: no mail arrived; delivery errors: {errors:?}");
        }
        let got = sink.received().pop().expect("a message");
        assert!(got.tls, "{url}: the message came over TLS");
        assert_eq!(got.user.as_deref(), Some("mailer"), "{url}: authenticated");
        assert_eq!(got.to, vec![CLAIRE.to_owned()]);
        // The admin page names the server, never the password.
        let described = app.state.mail.transport.describe();
        assert!(
            described.starts_with(scheme) && !described.contains("s3cret"),
            "{described}"
        );
        // This app's worker stops here, as the app would: the next one has the outbox.
        app.workers.kill_mail();
    }
}

async fn untrusted_or_plain_servers_get_nothing(db: TestDb) {
    let (cert, key) = certificate();
    let acceptor = SinkTls::acceptor(cert.as_bytes(), key.as_bytes()).expect("acceptor");
    // A self-signed certificate that no CA file vouches for; a server that offers
    // no STARTTLS although the URL requires it.
    let untrusted = SmtpSink::start_with(loopback(), SinkTls::StartTls(acceptor))
        .await
        .expect("sink");
    let plain = SmtpSink::start_with(loopback(), SinkTls::None).await.expect("sink");
    for sink in [&untrusted, &plain] {
        let url = format!("smtp://mailer:s3cret@localhost:{}?tls=required", sink.addr().port());
        let app = app_sending_to(&db, &url, None).await;
        let ticket = domain::ticket::id_of(&new_ticket(&app, CLAIRE, "Signing fails on every envelope").await);
        // The worker tries (and records why it failed) without delivering.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let failed = loop {
            let rows = mail_outbox::Entity::find().all(&app.state.db).await.expect("outbox");
            if let Some(row) = rows.iter().find(|r| r.ticket_id == ticket && r.last_error.is_some()) {
                break row.clone();
            }
            assert!(tokio::time::Instant::now() < deadline, "{url}: no delivery attempt");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(failed.sent_at.is_none(), "{url}");
        assert_eq!(sink.count(), 0, "{url}: nothing was accepted");
        assert!(
            sink.received().iter().all(|m| m.user.is_none()),
            "{url}: no password sent"
        );
        app.workers.kill_mail();
    }
}
