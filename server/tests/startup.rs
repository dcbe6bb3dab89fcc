//! Start-up in two steps. Building the state starts nothing; `Workers::start` starts
//! mail delivery, the auto-close sweep and the index poll, and `stop` ends them once
//! each has finished its item; `guichet serve` does both and stops its workers on
//! SIGTERM; the one-off commands start none; the command line documents itself.

mod support;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::AppState;
use server::db::entities::{mail_outbox, ticket};
use server::jobs::Workers;
use std::process::Stdio;
use std::time::Duration;
use support::TestDb;
use support::process::{free_port, start_logging};

on_every_database!(
    building_the_state_starts_nothing_and_workers_stop_when_asked,
    one_off_commands_start_no_worker,
);

/// The state `serve` builds, without its workers.
async fn idle_state(db: &TestDb) -> AppState {
    let config = support::config_with(db, &[("GUICHET_SWEEP_INTERVAL", "50ms"), ("GUICHET_MAIL_POLL", "50ms")]);
    let conn = server::open_database(&config).await.expect("database");
    server::load_demo(&config, &conn).await.expect("demo data");
    AppState::build(config, conn).await.expect("state")
}

/// A ticket resolved ten days ago (due for the sweeper), and its "created" mail
/// waiting in the outbox. Its id.
async fn due_ticket(state: &AppState, subject: &str) -> i64 {
    let number = support::new_ticket_in(state, "claire.martin@example.com", subject).await;
    let id = domain::ticket::id_of(&number).expect("number");
    let t = ticket::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .expect("query")
        .expect("ticket");
    let mut t: ticket::ActiveModel = t.into();
    t.status = Set(ticket::Status::Resolved);
    t.resolved_at = Set(Some(chrono::Utc::now() - chrono::Duration::days(10)));
    t.update(&state.db).await.expect("resolved");
    id
}

/// The ticket's status, and how many messages wait in the outbox.
async fn left_undone(state: &AppState, id: i64) -> (ticket::Status, u64) {
    let status = ticket::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .expect("query")
        .expect("ticket")
        .status;
    let waiting = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SentAt.is_null())
        .count(&state.db)
        .await
        .expect("count");
    (status, waiting)
}

async fn building_the_state_starts_nothing_and_workers_stop_when_asked(db: TestDb) {
    let state = idle_state(&db).await;
    let first = due_ticket(&state, "Before the workers").await;
    // Ten sweep intervals and mail polls: nothing runs that was not started.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, waiting) = left_undone(&state, first).await;
    assert_eq!(status, ticket::Status::Resolved, "no sweep without workers");
    assert!(waiting >= 1, "no delivery without workers");

    let workers = Workers::start(&state);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while left_undone(&state, first).await != (ticket::Status::Closed, 0) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the workers swept and delivered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        workers.stop(Duration::from_secs(10)).await,
        "every worker finished its item and stopped"
    );

    let second = due_ticket(&state, "After the workers").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, waiting) = left_undone(&state, second).await;
    assert_eq!(status, ticket::Status::Resolved, "stopped workers sweep nothing");
    assert!(waiting >= 1, "stopped workers deliver nothing");
}

async fn one_off_commands_start_no_worker(db: TestDb) {
    let state = idle_state(&db).await;
    let id = due_ticket(&state, "Left alone").await;
    let before = left_undone(&state, id).await;
    let articles = tempfile::tempdir().expect("folder");
    let articles = articles.path().display().to_string();
    let commands: [&[&str]; 3] = [
        &["migrate"],
        &["import-articles", &articles],
        &["create-admin", "ops@example.com"],
    ];
    for args in commands {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_guichet"))
            .args(args)
            .env("DATABASE_URL", &db.url)
            .env("GUICHET_DATA_DIR", db.data.path())
            .env("GUICHET_SWEEP_INTERVAL", "10ms")
            .env("GUICHET_MAIL_POLL", "10ms")
            .env("RUST_LOG", "error")
            .output()
            .await
            .expect("run guichet");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // create-admin writes no mail (it prints the link): the outbox is as it was.
    assert_eq!(left_undone(&state, id).await, before, "no command swept or delivered");
}

#[tokio::test]
async fn serve_stops_its_workers_on_sigterm() {
    let db = support::sqlite();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut child = start_logging(&db, addr, "info", Stdio::piped()).await;
    let pid = child.id().expect("running").to_string();
    let term = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(term.success());
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("guichet exits after SIGTERM")
        .expect("exit status");
    let mut log = String::new();
    if let Some(mut out) = child.stdout.take() {
        use tokio::io::AsyncReadExt;
        out.read_to_string(&mut log).await.expect("log");
    }
    assert!(status.success(), "exit {status}: {log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("background workers stopped"), "{log}");
    assert!(!log.contains("cut short"), "{log}");
}

#[test]
fn the_command_line_documents_itself() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"))
            .args(args)
            .output()
            .expect("run guichet");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let help = run(&["--help"]);
    for command in [
        "serve",
        "migrate",
        "create-admin",
        "import-articles",
        "relevance",
        "smtp-sink",
    ] {
        assert!(help.contains(command), "{command} in --help: {help}");
    }
    assert_eq!(
        run(&["--version"]).trim(),
        format!("guichet {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(run(&["create-admin", "--help"]).contains("--name"));
}
