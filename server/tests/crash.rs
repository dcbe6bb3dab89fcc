//! Nothing acknowledged is lost on `kill -9`: the real `guichet` binary serves 50
//! clients creating tickets with an attachment, is killed with SIGKILL mid-run and
//! started again on the same database and data folder. Every ticket whose creation
//! got a 201 is there, whole (fields, attachment readable with its bytes, "created"
//! mail in the outbox), and no ticket is half-written.

mod support;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::db::entities::{attachment, mail_outbox, ticket, ticket_event, ticket_field};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::process::{free_port, request, start};
use support::{TestDb, multipart, urlencode};

on_every_database!(acknowledged_tickets_survive_a_kill_9);

const CLIENTS: usize = 50;

async fn sign_in(addr: SocketAddr) -> String {
    let form = format!(
        "family=esignature&email={}&password=guichet-demo",
        urlencode("claire.martin@example.com")
    );
    let (status, head, _) = request(
        addr,
        "POST",
        "/api/sign_in",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ],
        form.into_bytes(),
    )
    .await
    .expect("sign in");
    assert_eq!(status, 200, "{head}");
    head.lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .find(|c| c.starts_with("guichet_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned()
}

/// What a client was told was created: subject -> (number, attachment bytes).
type Acknowledged = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

/// Creates tickets one after the other until the server stops answering.
async fn client(addr: SocketAddr, cookie: String, id: usize, acked: Acknowledged) {
    for n in 0.. {
        let subject = format!("Crash test {id}-{n}");
        let file = format!("log of client {id}, ticket {n}\n").repeat(50).into_bytes();
        let (content_type, body) = multipart(
            &[
                ("family", "esignature"),
                ("subject", &subject),
                ("description", "Every envelope fails at signing since this morning."),
            ],
            &[("attachment", "log.txt", &file)],
        );
        let headers = [
            ("Content-Type", content_type.as_str()),
            ("Accept", "application/json"),
            ("Cookie", cookie.as_str()),
        ];
        match request(addr, "POST", "/tickets/new", &headers, body).await {
            Ok((201, _, body)) => {
                let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
                let number = v["number"].as_str().expect("number").to_owned();
                acked.lock().expect("lock").insert(subject, (number, file));
            }
            // Killed mid-request, or refused on the way down: not acknowledged.
            _ => return,
        }
    }
}

fn stored(data: &Path, key: &str) -> Option<Vec<u8>> {
    std::fs::read(data.join("attachments").join(key)).ok()
}

async fn acknowledged_tickets_survive_a_kill_9(db: TestDb) {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut server = start(&db, addr).await;
    let cookie = sign_in(addr).await;
    let acked: Acknowledged = Arc::default();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| tokio::spawn(client(addr, cookie.clone(), id, acked.clone())))
        .collect();
    // Mid-run: once a good number of tickets are acknowledged, SIGKILL.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while acked.lock().expect("lock").len() < 100 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.start_kill().expect("SIGKILL");
    server.wait().await.expect("killed");
    for c in clients {
        c.await.expect("client");
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= 100, "only {} tickets before the kill", acked.len());

    // Started again on the same database and folder: it recovers and serves.
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let _server = start(&db, addr).await;
    let conn = server::db::connect(&db.url).await.expect("database");
    let tickets = ticket::Entity::find().all(&conn).await.expect("tickets");
    println!(
        "kill -9: {} tickets acknowledged before the kill, {} in the database after it",
        acked.len(),
        tickets.len()
    );
    let by_subject: HashMap<&str, &ticket::Model> = tickets.iter().map(|t| (t.subject.as_str(), t)).collect();
    for (subject, (number, bytes)) in &acked {
        let t = by_subject
            .get(subject.as_str())
            .unwrap_or_else(|| panic!("acknowledged ticket {number} ({subject}) is missing"));
        assert_eq!(&domain::ticket::number_of(t.id), number);
        let files = attachment::Entity::find()
            .filter(attachment::Column::TicketId.eq(t.id))
            .all(&conn)
            .await
            .expect("attachments");
        assert_eq!(files.len(), 1, "{number}: its attachment");
        assert_eq!(
            stored(db.data.path(), &files[0].storage_key).as_ref(),
            Some(bytes),
            "{number}: the file's bytes"
        );
    }
    // Nothing half-written, acknowledged or not: each ticket has its fields, its
    // "created" event and mail, and each attachment row its file.
    for t in &tickets {
        let fields = ticket_field::Entity::find()
            .filter(ticket_field::Column::TicketId.eq(t.id))
            .all(&conn)
            .await
            .expect("fields");
        assert!(
            fields.iter().any(|f| f.name == "description"),
            "ticket {} has its fields",
            t.id
        );
        let created = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(t.id))
            .all(&conn)
            .await
            .expect("events");
        assert!(
            created.iter().any(|e| e.kind == ticket_event::Kind::Created),
            "ticket {} has its event",
            t.id
        );
        let mail = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::TicketId.eq(t.id))
            .all(&conn)
            .await
            .expect("outbox");
        assert!(!mail.is_empty(), "ticket {} has its created mail", t.id);
    }
    for a in attachment::Entity::find().all(&conn).await.expect("attachments") {
        assert!(
            stored(db.data.path(), &a.storage_key).is_some(),
            "attachment {} has its file",
            a.id
        );
    }
    // And the restarted server serves an acknowledged ticket's page.
    let (_, (number, _)) = acked.iter().next().expect("one");
    let cookie = sign_in(addr).await;
    let (status, _, _) = request(
        addr,
        "GET",
        &format!("/tickets/{number}"),
        &[("Cookie", &cookie)],
        Vec::new(),
    )
    .await
    .expect("page");
    assert_eq!(status, 200);
}
