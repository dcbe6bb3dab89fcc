//! Ticket creation and access against a real database: numbers, idempotency,
//! 404s, hostile payloads.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::db::entities::{attachment, ticket, ticket_field};
use std::collections::HashSet;
use std::sync::Arc;
use support::{File, TestApp, TestDb, attach, multipart, post};

const PASSWORD: &str = "guichet-demo";
const CLAIRE: &str = "claire.martin@example.com";

on_every_database!(
    fifty_concurrent_creations_get_fifty_distinct_numbers,
    the_idempotency_key_holds_under_concurrent_duplicates,
    only_the_requester_sees_a_ticket_and_its_attachment,
    hostile_payloads_get_a_4xx_and_leave_no_rows,
    the_queue_filters_and_pages,
    several_files_are_added_at_once_with_the_same_checks,
);

async fn create(
    app: &TestApp,
    cookie: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> support::Reply {
    let (content_type, body) = multipart(fields, file.as_slice());
    let req = post("/tickets/new", Some(cookie))
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request");
    app.send(req).await
}

fn good(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("family", "esignature".into()),
        ("idempotency_key", key.into()),
        ("subject", "Signing fails on every envelope".into()),
        (
            "description",
            "Since Monday no envelope can be signed: error 500.".into(),
        ),
        ("envelope_id", "3f2504e0-4f89-41d3-9a0c-0305e82c3301".into()),
    ]
}

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn number_of(reply: &support::Reply) -> String {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let v: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
    v["number"].as_str().expect("number").to_owned()
}

async fn signed_in(app: &TestApp, email: &str) -> String {
    app.sign_in(email, PASSWORD, None)
        .await
        .session_cookie()
        .expect("session")
}

async fn fifty_concurrent_creations_get_fifty_distinct_numbers(db: TestDb) {
    let app = Arc::new(TestApp::start(&db).await);
    let cookie = Arc::new(signed_in(&app, CLAIRE).await);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (app, cookie) = (app.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            let fields = good(&format!("key-{i}"));
            number_of(&create(&app, &cookie, &as_refs(&fields), None).await)
        }));
    }
    let mut numbers = HashSet::new();
    for t in tasks {
        let n = t.await.expect("task");
        assert!(n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit()), "{n}");
        numbers.insert(n);
    }
    assert_eq!(numbers.len(), 50);
    assert_eq!(ticket::Entity::find().count(&app.state.db).await.expect("count"), 50);
}

async fn the_idempotency_key_holds_under_concurrent_duplicates(db: TestDb) {
    let app = Arc::new(TestApp::start(&db).await);
    let cookie = Arc::new(signed_in(&app, CLAIRE).await);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (app, cookie) = (app.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            let fields = good("the-same-key");
            let reply = create(
                &app,
                &cookie,
                &as_refs(&fields),
                Some(("attachment", "log.txt", b"some log")),
            )
            .await;
            number_of(&reply)
        }));
    }
    let mut numbers = HashSet::new();
    for t in tasks {
        numbers.insert(t.await.expect("task"));
    }
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    assert_eq!(ticket::Entity::find().count(&app.state.db).await.expect("count"), 1);
    assert_eq!(attachment::Entity::find().count(&app.state.db).await.expect("count"), 1);
}

async fn only_the_requester_sees_a_ticket_and_its_attachment(db: TestDb) {
    let app = TestApp::start(&db).await;
    let claire = signed_in(&app, CLAIRE).await;
    let fields = good("private");
    let number = number_of(
        &create(
            &app,
            &claire,
            &as_refs(&fields),
            Some(("attachment", "../../secret.txt", b"secret")),
        )
        .await,
    );
    let stored = attachment::Entity::find()
        .all(&app.state.db)
        .await
        .expect("attachments");
    assert_eq!(stored[0].file_name, "secret.txt", "the path is dropped from the name");
    let download = format!("/attachments/{}", stored[0].id);

    let get = |path: String, cookie: Option<String>| {
        let mut b = Request::get(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b.body(Body::empty()).expect("request")
    };
    // The requester: the page and the file, as an attachment, never sniffed.
    let page = app.send(get(format!("/tickets/{number}"), Some(claire.clone()))).await;
    assert_eq!(page.status, StatusCode::OK);
    let file = app.send(get(download.clone(), Some(claire.clone()))).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, "secret");
    assert!(
        file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or("")
            .starts_with("attachment;")
    );
    assert_eq!(file.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // Another customer of the same account, a customer of another account, and a
    // signed-out visitor: 404, like a number that does not exist.
    let jean = signed_in(&app, "jean.dubois@example.com").await;
    let emma = signed_in(&app, "emma.wilson@example.com").await;
    for cookie in [Some(jean), Some(emma), None] {
        let page = app.send(get(format!("/tickets/{number}"), cookie.clone())).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let file = app.send(get(download.clone(), cookie)).await;
        assert_eq!(file.status, StatusCode::NOT_FOUND);
    }
    let missing = app.send(get("/tickets/19999999".into(), Some(claire.clone()))).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let garbage = app
        .call("/api/tickets/detail", "number=..%2F..%2Fetc", Some(&claire))
        .await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND, "{}", garbage.body);
}

async fn hostile_payloads_get_a_4xx_and_leave_no_rows(db: TestDb) {
    let app = TestApp::start(&db).await;
    let claire = signed_in(&app, CLAIRE).await;
    let huge = "x".repeat(200_000);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Option<File<'a>>);
    let cases: Vec<Case> = vec![
        (
            "no family",
            vec![
                ("subject", "Hello there"),
                ("description", "A description that is long enough."),
            ],
            None,
        ),
        (
            "unknown family",
            vec![("family", "spaceships"), ("subject", "Hello there")],
            None,
        ),
        (
            "huge description",
            vec![
                ("family", "esignature"),
                ("subject", "Hello there"),
                ("description", &huge),
            ],
            None,
        ),
        (
            "unknown field",
            vec![
                ("family", "esignature"),
                ("subject", "Hello there"),
                ("description", "A description that is long enough."),
                ("is_admin", "true"),
            ],
            None,
        ),
        (
            "other family's field",
            vec![
                ("family", "esignature"),
                ("subject", "Hello there"),
                ("description", "A description that is long enough."),
                ("product", "ksign"),
            ],
            None,
        ),
        (
            "option not in the list",
            vec![
                ("family", "other"),
                ("product", "photoshop"),
                ("subject", "Hello there"),
                ("environment", "production"),
                ("business_impact", "high"),
                ("description", "A description that is long enough."),
            ],
            None,
        ),
        (
            "bad envelope id",
            vec![
                ("family", "esignature"),
                ("subject", "Hello there"),
                ("description", "A description that is long enough."),
                ("envelope_id", "'; DROP TABLE tickets; --"),
            ],
            None,
        ),
        (
            "date in the future",
            vec![
                ("family", "esignature"),
                ("subject", "Hello there"),
                ("description", "A description that is long enough."),
                ("started_on", "2999-01-01"),
            ],
            None,
        ),
        (
            "an executable",
            vec![
                ("family", "esignature"),
                ("subject", "Hello there"),
                ("description", "A description that is long enough."),
            ],
            Some(("attachment", "invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")),
        ),
        (
            "a file over the limit",
            vec![
                ("family", "esignature"),
                ("subject", "Hello there"),
                ("description", "A description that is long enough."),
            ],
            Some(("attachment", "big.bin", &[0u8; 2048][..])),
        ),
    ];
    let small = {
        let mut config = support::config(&db);
        config.max_upload_bytes = 1024;
        TestApp::with_config(config).await
    };
    for (name, fields, file) in cases {
        let target = if name == "a file over the limit" { &small } else { &app };
        let reply = create(target, &claire, &fields, file).await;
        assert!(
            reply.status.is_client_error(),
            "{name}: {} {}",
            reply.status,
            reply.body
        );
        assert!(!reply.body.is_empty(), "{name}: a readable answer");
    }
    // Not a multipart body at all.
    let req = post("/tickets/new", Some(&claire))
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"subject\": 5}"))
        .expect("request");
    assert!(app.send(req).await.status.is_client_error());
    assert_eq!(ticket::Entity::find().count(&app.state.db).await.expect("count"), 0);
    assert_eq!(
        ticket_field::Entity::find().count(&app.state.db).await.expect("count"),
        0
    );
    assert_eq!(attachment::Entity::find().count(&app.state.db).await.expect("count"), 0);
}

async fn the_queue_filters_and_pages(db: TestDb) {
    let app = TestApp::start(&db).await;
    let claire = signed_in(&app, CLAIRE).await;
    let mut numbers = Vec::new();
    for i in 0..30 {
        let subject = if i == 7 {
            "Certificat K.Sign expiré".to_owned()
        } else {
            format!("Question numéro {i}")
        };
        let key = format!("q{i}");
        let fields = [
            ("family", "esignature"),
            ("idempotency_key", key.as_str()),
            ("subject", subject.as_str()),
            ("description", "A description that is long enough."),
        ];
        numbers.push(number_of(&create(&app, &claire, &fields, None).await));
    }
    let page = |form: String| {
        let app = &app;
        let claire = claire.clone();
        async move {
            let reply = app.call("/api/tickets/queue", &form, Some(&claire)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            serde_json::from_str::<serde_json::Value>(&reply.body).expect("json")
        }
    };
    let first = page("filter[q]=&filter[all_accounts]=false".into()).await;
    let items = first["items"].as_array().expect("items");
    assert_eq!(items.len(), 25);
    assert_eq!(items[0]["number"], numbers[29].as_str(), "newest first");
    let next = first["next_before"].as_i64().expect("a next page");
    let second = page(format!("filter[q]=&filter[all_accounts]=false&filter[before]={next}")).await;
    assert_eq!(second["items"].as_array().expect("items").len(), 5);
    assert!(second["next_before"].is_null());
    let by_number = page(format!("filter[q]={}&filter[all_accounts]=false", numbers[3])).await;
    assert_eq!(by_number["items"][0]["subject"], "Question numéro 3");
    let by_word = page("filter[q]=certificat&filter[all_accounts]=false".into()).await;
    assert_eq!(by_word["items"].as_array().map(Vec::len), Some(1));
    let wildcard = page("filter[q]=%25&filter[all_accounts]=false".into()).await;
    assert_eq!(
        wildcard["items"].as_array().map(Vec::len),
        Some(0),
        "% is a character, not a wildcard"
    );
    // Another customer sees none of them.
    let jean = signed_in(&app, "jean.dubois@example.com").await;
    let reply = app
        .call(
            "/api/tickets/queue",
            "filter[q]=&filter[all_accounts]=true",
            Some(&jean),
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0));
}

async fn several_files_are_added_at_once_with_the_same_checks(db: TestDb) {
    let app = TestApp::start(&db).await;
    let claire = app
        .sign_in(CLAIRE, PASSWORD, None)
        .await
        .session_cookie()
        .expect("session");
    let fields = good("attach-1");
    let created = create(&app, &claire, &as_refs(&fields), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let v: serde_json::Value = serde_json::from_str(&created.body).expect("json");
    let number = v["number"].as_str().expect("number").to_owned();
    let count = || async { attachment::Entity::find().count(&app.state.db).await.expect("count") };
    // Two files at once, without JavaScript: back to the ticket, saying how many.
    let r = attach(
        &app,
        &number,
        &claire,
        &[("files", "log.txt", b"line 1\nline 2\n"), ("files", "shot.png", PNG)],
        false,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(to, format!("/tickets/{number}?attached=2#attach"));
    assert_eq!(count().await, 2);
    let detail = app
        .call("/api/tickets/detail", &format!("number={number}"), Some(&claire))
        .await;
    assert!(
        detail.body.contains("log.txt") && detail.body.contains("shot.png"),
        "{}",
        detail.body
    );
    assert!(
        detail.body.contains("\"attachment\""),
        "one timeline event: {}",
        detail.body
    );
    // One bad file refuses the whole post and is named; nothing is added.
    let r = attach(
        &app,
        &number,
        &claire,
        &[("files", "fine.txt", b"ok"), ("files", "setup.exe", b"MZ\x90\x00")],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("setup.exe") && r.body.contains("validation.file_type"),
        "{}",
        r.body
    );
    assert_eq!(count().await, 2);
    // Too large (the test limit is the default 25 MiB: one byte over).
    let big = vec![b'a'; 25 * 1024 * 1024 + 1];
    let r = attach(&app, &number, &claire, &[("files", "big.txt", &big)], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("validation.file_too_large"), "{}", r.body);
    // Nothing chosen.
    let r = attach(&app, &number, &claire, &[("files", "", b"")], true).await;
    assert!(r.body.contains("attach.none"), "{}", r.body);
    // Someone who cannot see the ticket gets the same 404 as for no ticket.
    let emma = app
        .sign_in("emma.wilson@example.com", PASSWORD, None)
        .await
        .session_cookie()
        .expect("session");
    let r = attach(&app, &number, &emma, &[("files", "x.txt", b"x")], true).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A closed ticket refuses, with the lifecycle's message.
    let id = domain::ticket::id_of(&number).expect("id");
    ticket::Entity::update_many()
        .col_expr(ticket::Column::Status, sea_orm::sea_query::Expr::value("closed"))
        .filter(ticket::Column::Id.eq(id))
        .exec(&app.state.db)
        .await
        .expect("close");
    let r = attach(&app, &number, &claire, &[("files", "late.txt", b"late")], true).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("lifecycle.closed"), "{}", r.body);
    assert_eq!(count().await, 2);
}

/// The smallest PNG header infer recognises.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";
