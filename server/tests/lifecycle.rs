//! The ticket's life after SEND against a real database: comments and the
//! timeline, what the lifecycle lets each person do, and the server's refusals.

mod support;

use axum::http::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use server::db::entities::{ticket, ticket_event};
use support::{TestApp, TestDb, cookie, new_ticket, urlencode, user_id};

on_every_database!(
    comments_show_in_the_timeline_and_notes_stay_internal,
    a_comment_reopens_a_resolved_ticket_and_a_closed_one_refuses_everything,
    only_the_requester_confirms_and_closes_a_resolved_ticket,
    two_sweepers_close_each_due_ticket_once,
    the_agent_drives_a_ticket_from_new_to_resolved,
    watchers_are_added_by_the_requester_and_see_the_ticket,
    a_bad_row_is_an_error_never_a_guess,
);

/// A ticket of Claire's.
async fn claires_ticket(app: &TestApp) -> String {
    new_ticket(app, "claire.martin@example.com", "Signing fails").await
}

async fn detail(app: &TestApp, number: &str, cookie: &str) -> serde_json::Value {
    let reply = app
        .call("/api/tickets/detail", &format!("number={number}"), Some(cookie))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("json")
}

async fn set_status(app: &TestApp, number: &str, status: &str) {
    let id = domain::ticket::id_of(number).expect("number");
    let t = ticket::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("ticket");
    let mut t: ticket::ActiveModel = t.into();
    t.status = Set(domain::TicketStatus::parse(status).expect("a status").into());
    t.update(&app.state.db).await.expect("update");
}

fn kinds(d: &serde_json::Value) -> Vec<String> {
    d["timeline"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["kind"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn comments_show_in_the_timeline_and_notes_stay_internal(db: TestDb) {
    let app = TestApp::start(&db).await;
    let number = claires_ticket(&app).await;
    let claire = cookie(&app, "claire.martin@example.com").await;
    let agent = cookie(&app, "agent@example.com").await;
    let comment = format!(
        "number={number}&body={}",
        urlencode("Still failing **today**. <script>alert(1)</script>")
    );
    let reply = app.call("/api/tickets/comment", &comment, Some(&claire)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // An internal note, as the agent console will write it.
    ticket_event::ActiveModel {
        ticket_id: Set(domain::ticket::id_of(&number).expect("id")),
        actor_id: Set(Some(user_id(&app, "agent@example.com").await)),
        kind: Set(ticket_event::Kind::Note),
        data: Set(Some(r#"{"body":"Customer on the old plan"}"#.into())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("note");
    let seen = detail(&app, &number, &claire).await;
    assert_eq!(
        kinds(&seen),
        vec!["created", "comment"],
        "the customer never sees the note"
    );
    let html = seen["timeline"][1]["body_html"].as_str().unwrap_or_default();
    assert!(
        html.contains("<strong>today</strong>") && !html.contains("<script"),
        "{html}"
    );
    assert!(!seen.to_string().contains("old plan"));
    let staff = detail(&app, &number, &agent).await;
    assert_eq!(kinds(&staff), vec!["created", "comment", "note"]);
    // The agent's comment is a public reply; it opens a new ticket.
    let reply = app
        .call(
            "/api/tickets/comment",
            &format!("number={number}&body=Looking+into+it"),
            Some(&agent),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let after = detail(&app, &number, &claire).await;
    assert_eq!(kinds(&after), vec!["created", "comment", "reply", "status"]);
    assert_eq!(after["status"], "open");
    // Empty and oversized comments are refused with a 400, nothing stored.
    for body in ["", "%20%20", &"x".repeat(10_001)] {
        let r = app
            .call(
                "/api/tickets/comment",
                &format!("number={number}&body={body}"),
                Some(&claire),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    }
    assert_eq!(kinds(&detail(&app, &number, &claire).await).len(), 4);
    // Someone else's ticket: 404.
    let emma = cookie(&app, "emma.wilson@example.com").await;
    let r = app
        .call("/api/tickets/comment", &format!("number={number}&body=hi"), Some(&emma))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn a_comment_reopens_a_resolved_ticket_and_a_closed_one_refuses_everything(db: TestDb) {
    let app = TestApp::start(&db).await;
    let number = claires_ticket(&app).await;
    let claire = cookie(&app, "claire.martin@example.com").await;
    set_status(&app, &number, "resolved").await;
    let r = app
        .call(
            "/api/tickets/comment",
            &format!("number={number}&body=Not+fixed"),
            Some(&claire),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = detail(&app, &number, &claire).await;
    assert_eq!(d["status"], "open");
    let last = d["timeline"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["status_change"], serde_json::json!(["resolved", "open"]));

    set_status(&app, &number, "closed").await;
    let r = app
        .call(
            "/api/tickets/comment",
            &format!("number={number}&body=Again"),
            Some(&claire),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("Closed"), "{}", r.body);
    let agent = cookie(&app, "agent@example.com").await;
    let r = app
        .call(
            "/api/tickets/comment",
            &format!("number={number}&body=Again"),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "agents too: {}", r.body);
    let d = detail(&app, &number, &claire).await;
    assert_eq!(
        d["offered"],
        serde_json::json!(["follow_up"]),
        "the page offers nothing but a follow-up"
    );
}

async fn only_the_requester_confirms_and_closes_a_resolved_ticket(db: TestDb) {
    let app = TestApp::start(&db).await;
    let number = claires_ticket(&app).await;
    let claire = cookie(&app, "claire.martin@example.com").await;
    let agent = cookie(&app, "agent@example.com").await;
    let early = app
        .call("/api/tickets/confirm_close", &format!("number={number}"), Some(&claire))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "not resolved yet: {}", early.body);
    set_status(&app, &number, "resolved").await;
    let by_agent = app
        .call("/api/tickets/confirm_close", &format!("number={number}"), Some(&agent))
        .await;
    assert_eq!(by_agent.status, StatusCode::CONFLICT, "{}", by_agent.body);
    assert!(
        detail(&app, &number, &claire).await["offered"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "confirm_close"))
    );
    let ok = app
        .call("/api/tickets/confirm_close", &format!("number={number}"), Some(&claire))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let d = detail(&app, &number, &claire).await;
    assert_eq!(d["status"], "closed");
    let id = domain::ticket::id_of(&number).expect("id");
    let t = ticket::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("t");
    assert!(t.closed_at.is_some());
}

async fn two_sweepers_close_each_due_ticket_once(db: TestDb) {
    use sea_orm::PaginatorTrait;
    use sea_orm::sea_query::Expr;
    use server::jobs::sweeper::sweep;
    let app = TestApp::start(&db).await;
    let mut numbers = Vec::new();
    for _ in 0..40 {
        numbers.push(claires_ticket(&app).await);
    }
    let ids: Vec<i64> = numbers.iter().filter_map(|n| domain::ticket::id_of(n)).collect();
    let now = chrono::Utc::now();
    let (due, fresh) = ids.split_at(30);
    for (set, when) in [
        (due, now - chrono::Duration::days(6)),
        (fresh, now - chrono::Duration::days(1)),
    ] {
        ticket::Entity::update_many()
            .col_expr(ticket::Column::Status, Expr::value("resolved"))
            .col_expr(ticket::Column::ResolvedAt, Expr::value(when))
            .filter(ticket::Column::Id.is_in(set.to_vec()))
            .exec(&app.state.db)
            .await
            .expect("resolve");
    }
    // A second process: its own connection pool on the same database.
    let other = server::db::connect(&db.url).await.expect("second connection");
    let grace = std::time::Duration::from_secs(5 * 24 * 3600);
    let n = &app.state.notifier;
    let (a, b) = tokio::join!(sweep(&app.state.db, grace, n, now), sweep(&other, grace, n, now));
    let (a, b) = (a.expect("sweep a"), b.expect("sweep b"));
    assert_eq!(
        a.closed + b.closed,
        30,
        "each due ticket closed exactly once: {a:?} {b:?}"
    );
    let closed = ticket::Entity::find()
        .filter(ticket::Column::Status.eq("closed"))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(closed, 30, "the tickets resolved a day ago stay resolved");
    for id in due {
        let events = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(*id))
            .filter(ticket_event::Column::Kind.eq("status"))
            .count(&app.state.db)
            .await
            .expect("events");
        assert_eq!(events, 1, "one close event for ticket {id}");
        let mails = server::db::entities::mail_outbox::Entity::find()
            .filter(server::db::entities::mail_outbox::Column::TicketId.eq(*id))
            .filter(server::db::entities::mail_outbox::Column::Kind.eq("closed"))
            .count(&app.state.db)
            .await
            .expect("mails");
        assert_eq!(mails, 1, "one 'closed' e-mail for ticket {id}");
    }
    // Idempotent: nothing left to do.
    let again = sweep(&app.state.db, grace, n, now).await.expect("sweep");
    assert_eq!(again.closed, 0);
    // The customer's page offers nothing on a closed ticket, and says when a
    // resolved one will close.
    let claire = cookie(&app, "claire.martin@example.com").await;
    let fresh_number = domain::ticket::number_of(fresh[0]);
    let d = detail(&app, &fresh_number, &claire).await;
    assert!(
        d["auto_close_at"]
            .as_str()
            .is_some_and(|s| s.starts_with(&(now + chrono::Duration::days(4)).format("%Y-%m-%d").to_string())),
        "{}",
        d["auto_close_at"]
    );
}

async fn the_agent_drives_a_ticket_from_new_to_resolved(db: TestDb) {
    let app = TestApp::start(&db).await;
    let number = claires_ticket(&app).await;
    let claire = cookie(&app, "claire.martin@example.com").await;
    let agent = cookie(&app, "agent@example.com").await;
    // The console lists it, unassigned; customers cannot open the console.
    let console = app
        .call("/api/console/queue", "filter[unassigned]=true", Some(&agent))
        .await;
    assert_eq!(console.status, StatusCode::OK, "{}", console.body);
    assert!(console.body.contains(&number), "{}", console.body);
    let refused = app
        .call("/api/console/queue", "filter[mine]=false", Some(&claire))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    // Assign to me, an internal note, a public reply that resolves.
    let r = app
        .call(
            "/api/console/assign",
            &format!("number={number}&assignee=me"),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            "/api/console/reply",
            &format!("number={number}&body=VIP+customer&visibility=internal&status="),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            "/api/console/reply",
            &format!("number={number}&body=Fixed+on+our+side&visibility=public&status=resolved"),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let staff = detail(&app, &number, &agent).await;
    assert_eq!(staff["status"], "resolved");
    assert_eq!(staff["assignee"], "Sophie Agent");
    assert_eq!(
        kinds(&staff),
        vec!["created", "assigned", "note", "reply", "status", "status"]
    );
    // The customer sees the reply, never the note, and when it will close.
    let seen = detail(&app, &number, &claire).await;
    assert_eq!(kinds(&seen), vec!["created", "assigned", "reply", "status", "status"]);
    assert!(!seen.to_string().contains("VIP"), "the internal note leaked");
    assert!(seen["auto_close_at"].is_string());
    // Customers cannot use the agents' endpoints: 404, nothing written.
    for (endpoint, form) in [
        (
            "/api/console/reply",
            format!("number={number}&body=x&visibility=internal&status="),
        ),
        ("/api/console/assign", format!("number={number}&assignee=me")),
    ] {
        let r = app.call(endpoint, &form, Some(&claire)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{endpoint}: {}", r.body);
    }
    assert_eq!(kinds(&detail(&app, &number, &agent).await).len(), 6);
    // A bad visibility is a 400.
    let r = app
        .call(
            "/api/console/reply",
            &format!("number={number}&body=x&visibility=secret&status="),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn watchers_are_added_by_the_requester_and_see_the_ticket(db: TestDb) {
    let app = TestApp::start(&db).await;
    let number = claires_ticket(&app).await;
    let claire = cookie(&app, "claire.martin@example.com").await;
    let lucas = cookie(&app, "watcher@example.com").await;
    let before = app
        .call("/api/tickets/detail", &format!("number={number}"), Some(&lucas))
        .await;
    assert_eq!(before.status, StatusCode::NOT_FOUND, "not a watcher yet");
    for _ in 0..2 {
        // Twice: the second changes nothing.
        let r = app
            .call(
                "/api/tickets/watchers",
                &format!("number={number}&email=Watcher%40Example.com"),
                Some(&claire),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let seen = detail(&app, &number, &lucas).await;
    assert_eq!(seen["watchers"], serde_json::json!(["watcher@example.com"]));
    assert_eq!(kinds(&seen), vec!["created", "watcher_added"]);
    let queue = app
        .call(
            "/api/tickets/queue",
            "filter[q]=&filter[all_accounts]=true",
            Some(&lucas),
        )
        .await;
    assert!(queue.body.contains(&number), "in the watcher's queue: {}", queue.body);
    // A watcher comments, but cannot add other watchers.
    let r = app
        .call(
            "/api/tickets/comment",
            &format!("number={number}&body=I+see+it+too"),
            Some(&lucas),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            "/api/tickets/watchers",
            &format!("number={number}&email=someone%40example.com"),
            Some(&lucas),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // An address without a user only gets e-mails; a bad address is a 400.
    let r = app
        .call(
            "/api/tickets/watchers",
            &format!("number={number}&email=boss%40client.example"),
            Some(&claire),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            "/api/tickets/watchers",
            &format!("number={number}&email=not-an-address"),
            Some(&claire),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // Removed, Lucas no longer sees it.
    let r = app
        .call(
            "/api/tickets/watchers",
            &format!("number={number}&email=watcher%40example.com&remove=1"),
            Some(&claire),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = app
        .call("/api/tickets/detail", &format!("number={number}"), Some(&lucas))
        .await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
    // Closed: no watcher changes.
    set_status(&app, &number, "closed").await;
    let r = app
        .call(
            "/api/tickets/watchers",
            &format!("number={number}&email=watcher%40example.com"),
            Some(&claire),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

/// Rows this version cannot read (an unknown family or status, an event whose payload
/// lost its fields) make the page an error: never another family, a "new" ticket or
/// a blank line in the history.
async fn a_bad_row_is_an_error_never_a_guess(db: TestDb) {
    use sea_orm::ConnectionTrait;
    let app = TestApp::start(&db).await;
    let number = claires_ticket(&app).await;
    let claire = cookie(&app, "claire.martin@example.com").await;
    let id = domain::ticket::id_of(&number).expect("number");
    let page = format!("number={number}");
    let queue = "filter[q]=&filter[all_accounts]=true";
    let status = |endpoint: &'static str, form: String| {
        let (app, claire) = (&app, claire.clone());
        async move { app.call(endpoint, &form, Some(&claire)).await.status }
    };
    let sql = |statement: String| {
        let conn = app.state.db.clone();
        async move {
            conn.execute_unprepared(&statement).await.expect("raw update");
        }
    };
    assert_eq!(status("/api/tickets/detail", page.clone()).await, StatusCode::OK);

    sql(format!("UPDATE tickets SET family = 'teleportation' WHERE id = {id}")).await;
    let reply = app.call("/api/tickets/detail", &page, Some(&claire)).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", reply.body);
    assert!(!reply.body.contains("esignature"), "{}", reply.body);
    assert_eq!(
        status("/api/tickets/queue", queue.into()).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    sql(format!(
        "UPDATE tickets SET family = 'esignature', status = 'teleported' WHERE id = {id}"
    ))
    .await;
    assert_eq!(
        status("/api/tickets/detail", page.clone()).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        status("/api/tickets/queue", queue.into()).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    sql(format!("UPDATE tickets SET status = 'new' WHERE id = {id}")).await;
    assert_eq!(
        status("/api/tickets/detail", page.clone()).await,
        StatusCode::OK,
        "readable again"
    );
    ticket_event::ActiveModel {
        ticket_id: Set(id),
        actor_id: Set(None),
        kind: Set(ticket_event::Kind::Comment),
        data: Set(Some("{}".into())),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("a comment without its body");
    assert_eq!(
        status("/api/tickets/detail", page.clone()).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        status("/api/tickets/queue", queue.into()).await,
        StatusCode::OK,
        "the queue does not read the history"
    );
}
