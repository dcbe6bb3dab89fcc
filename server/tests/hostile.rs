//! Hostile input against every route of the real router: the server functions
//! (from server_fn's registry), the pages (from Leptos's route list) and the routes
//! outside Leptos, each sent generated hostile values (integers at the edges, 1 MB
//! strings, invalid UTF-8, NUL bytes, unknown and repeated fields, wrong content
//! types, broken multipart, empty bodies), signed out, with a forged cookie, as a
//! customer, an agent and an admin.
//!
//! Asserted: no 5xx; no panic outside this test's own code; `/healthz` still 200 at
//! the end; and no row added or removed by a refused (4xx) request.
//!
//! Cost: one sign-in per role (argon2), then a few thousand requests through the
//! router with `oneshot`, each followed by one `SELECT` of row counts.

mod support;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use futures::FutureExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::Instant;
use support::{TestApp, TestDb};

on_every_database!(hostile_input_is_refused_cleanly, broken_multipart_is_refused_cleanly);

const PASSWORD: &str = "guichet-demo";
const CLAIRE: &str = "claire.martin@example.com";
const EMMA: &str = "emma.wilson@example.com";
const AGENT: &str = "agent@example.com";
const ADMIN: &str = "admin@example.com";

const HOST: &str = "127.0.0.1:3000";
/// Our own origin: every POST passes the CSRF check (`http/csrf.rs`) and reaches
/// the handler, which is what is under test.
const ORIGIN: &str = "http://127.0.0.1:3000";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const HTML: &str = "text/html";
const BOUNDARY: &str = "----guichet-hostile-7MA4YWxkTrZu0gW";
const MIB: usize = 1 << 20;
/// http's `Uri` refuses anything longer than 64 KiB: past this, a query keeps only
/// its first pair.
const MAX_QUERY: usize = 60_000;

const TEST_ENV: &[(&str, &str)] = &[
    ("GUICHET_DEMO", "true"),
    // No resolved ticket closes by itself during the run: the sweeper would write
    // events and mail in the background, between a refused request and its count.
    ("GUICHET_RESOLVED_GRACE", "3650d"),
];

/// Paths no route serves: the fallback (static files, then the 404 page).
const UNROUTED: &[(&str, &str)] = &[("GET", "/no/such/{page}"), ("POST", "/no/such/{page}")];

#[path = "hostile/roles.rs"]
mod roles;
#[path = "hostile/routes.rs"]
mod routes;
#[path = "hostile/values.rs"]
mod values;
use roles::*;
use routes::*;
use values::*;

/// Tables a request may write, counted around every request: a refused one (4xx)
/// must leave every count as it was. Not counted: `sign_in_attempts` and
/// `rate_hits`, where a refused sign-in or reset request (401, 429) is recorded on
/// purpose: limits count every attempt, refused ones included.
/// `help_events` is counted: an unknown kind is a 400 and never stored
/// (`record_help_event`). `sessions` is counted: a refused request signs nobody in
/// or out (the suite's own sign-ins are outside the counts).
const CHECKED_TABLES: &[&str] = &[
    "users",
    "accounts",
    "memberships",
    "sessions",
    "password_resets",
    "tickets",
    "ticket_fields",
    "ticket_events",
    "ticket_watchers",
    "attachments",
    "mail_outbox",
    "help_articles",
    "help_posts",
    "help_post_answers",
    "help_events",
];

// ---------------------------------------------------------------------------
// Sending, and what is checked after every request

async fn row_counts(app: &TestApp) -> Vec<i64> {
    let db = &app.state.db;
    let sql = format!(
        "SELECT {}",
        CHECKED_TABLES
            .iter()
            .map(|t| format!("(SELECT COUNT(*) FROM {t})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count rows")
        .expect("one row of counts");
    (0..CHECKED_TABLES.len())
        .map(|i| row.try_get_by_index::<i64>(i).expect("a count"))
        .collect()
}

fn head(text: &str) -> String {
    text.chars().take(200).collect()
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

#[derive(Default)]
struct Stats {
    sent: usize,
    success: usize,
    redirect: usize,
    refused: usize,
    server_error: usize,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests: {} 2xx, {} 3xx, {} 4xx, {} 5xx or panics",
            self.sent, self.success, self.redirect, self.refused, self.server_error
        )
    }
}

struct Runner<'a> {
    app: &'a TestApp,
    counts: Vec<i64>,
    failures: Vec<String>,
    /// Cases http itself cannot express (a URI over 64 KiB...): a test limit, not a
    /// failure of the server.
    skipped: Vec<String>,
    stats: Stats,
}

impl<'a> Runner<'a> {
    async fn new(app: &'a TestApp) -> Runner<'a> {
        Runner {
            app,
            counts: row_counts(app).await,
            failures: Vec::new(),
            skipped: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// After a write outside the checked requests (signing a role in again).
    async fn resync(&mut self) {
        self.counts = row_counts(self.app).await;
    }

    async fn run(&mut self, role: &Role, label: &str, case: &Case) -> Option<StatusCode> {
        let app = self.app;
        let what = format!(
            "{} {:.120} as {} [{label}: {}]",
            case.method, case.uri, role.name, case.kind
        );
        let request = match build(case, role.cookie.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                self.skipped.push(format!("{what}: not a valid HTTP request ({e})"));
                return None;
            }
        };
        self.stats.sent += 1;
        let reply = match AssertUnwindSafe(app.send(request)).catch_unwind().await {
            Ok(reply) => reply,
            Err(panic) => {
                self.stats.server_error += 1;
                self.failures
                    .push(format!("{what}: the handler panicked: {}", panic_text(&*panic)));
                self.resync().await;
                return None;
            }
        };
        let status = reply.status;
        if status.is_server_error() {
            self.stats.server_error += 1;
            self.failures.push(format!("{what}: {status} {}", head(&reply.body)));
        } else if status.is_client_error() {
            self.stats.refused += 1;
        } else if status.is_redirection() {
            self.stats.redirect += 1;
        } else {
            self.stats.success += 1;
        }
        if reply.body.contains("root:x:0:0") {
            self.failures.push(format!("{what}: {status} served /etc/passwd"));
        }
        let after = row_counts(app).await;
        if status.is_client_error() && after != self.counts {
            let changed = CHECKED_TABLES
                .iter()
                .zip(self.counts.iter().zip(after.iter()))
                .filter(|(_, (b, a))| b != a)
                .map(|(t, (b, a))| format!("{t} {b} -> {a}"))
                .collect::<Vec<_>>()
                .join(", ");
            self.failures
                .push(format!("{what}: refused with {status} but changed rows: {changed}"));
        }
        self.counts = after;
        Some(status)
    }

    fn report(&self, title: &str, healthz: StatusCode, panics: &[String]) -> String {
        const SHOWN: usize = 300;
        let mut lines = vec![format!(
            "{title}: {} failure(s), {} panic(s), /healthz {healthz}; {}",
            self.failures.len(),
            panics.len(),
            self.stats
        )];
        lines.extend(self.failures.iter().take(SHOWN).cloned());
        if self.failures.len() > SHOWN {
            lines.push(format!("... and {} more", self.failures.len() - SHOWN));
        }
        lines.extend(panics.iter().map(|p| format!("PANIC {p}")));
        lines.join("\n")
    }
}

// ---------------------------------------------------------------------------
// Panics anywhere in the process (spawned tasks included), outside test code

static PANICS: AtomicUsize = AtomicUsize::new(0);
static PANIC_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());
static HOOK: Once = Once::new();

struct PanicWatch {
    before: usize,
}

impl PanicWatch {
    fn start() -> PanicWatch {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                // This file's assertions and the support module's are not the
                // application panicking.
                let test_code = info
                    .location()
                    .is_some_and(|l| l.file().starts_with("tests/") || l.file().contains("server/tests/"));
                if !test_code {
                    let mut log = PANIC_LOG.lock().unwrap_or_else(|e| e.into_inner());
                    log.push(info.to_string());
                    PANICS.fetch_add(1, Ordering::SeqCst);
                }
                previous(info);
            }));
        });
        let log = PANIC_LOG.lock().unwrap_or_else(|e| e.into_inner());
        PanicWatch { before: log.len() }
    }

    /// Panics since `start` (of any test of this binary running meanwhile: they are
    /// application panics all the same).
    fn since(&self) -> Vec<String> {
        let log = PANIC_LOG.lock().unwrap_or_else(|e| e.into_inner());
        log.get(self.before..).map(<[String]>::to_vec).unwrap_or_default()
    }
}

async fn healthz(app: &TestApp) -> StatusCode {
    let request = Request::get("/healthz")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .expect("request");
    app.send(request).await.status
}

// ---------------------------------------------------------------------------
// The tests

async fn hostile_input_is_refused_cleanly(db: TestDb) {
    let panics = PanicWatch::start();
    let started = Instant::now();
    let app = TestApp::with_config(support::config_with(&db, TEST_ENV)).await;
    let ticket = support::new_ticket(&app, CLAIRE, "Hostile input: the ticket the requests aim at").await;
    let mut roles = all_roles(&app).await;
    let (endpoints, discovered) = every_route(&app, &ticket).await;
    let count = |s: Source| endpoints.iter().filter(|e| e.source == s).count();
    let (fns, pages) = (count(Source::ServerFn), count(Source::Page));
    assert!(
        fns > 0 && pages > 0,
        "empty route lists ({fns} server functions, {pages} pages): nothing would be tested"
    );

    let kinds = kinds();
    let mut run = Runner::new(&app).await;
    let mut next_ip = 0u8;
    for (ei, endpoint) in endpoints.iter().enumerate() {
        let cases = plan(endpoint, ei, &kinds, &ticket);
        let label = format!("{:?}", endpoint.source);
        for (ri, role) in roles.iter_mut().enumerate() {
            let mine: Vec<&Case> = cases.iter().filter(|c| c.cover.includes(ri)).collect();
            if mine.is_empty() {
                continue;
            }
            if role.ensure_alive(&app, &mut next_ip).await {
                run.resync().await;
            }
            for case in mine {
                run.run(role, &label, case).await;
            }
        }
    }

    let health = healthz(&app).await;
    eprintln!(
        "hostile input ({:?}): {fns} server functions, {pages} pages, {} other routes; {}; {} skipped; {:.1?}; arguments found at run time: {discovered:?}",
        app.state.db.get_database_backend(),
        endpoints.len() - fns - pages,
        run.stats,
        run.skipped.len(),
        started.elapsed(),
    );
    for s in run.skipped.iter().take(20) {
        eprintln!("skipped: {s}");
    }
    let panicked = panics.since();
    assert!(run.stats.success > 0, "no request succeeded: were the roles signed in?");
    assert!(
        health == StatusCode::OK && run.failures.is_empty() && panicked.is_empty(),
        "{}",
        run.report("hostile input", health, &panicked)
    );
}

/// A multipart body as it should not be.
struct Broken {
    name: &'static str,
    content_type: String,
    body: Vec<u8>,
}

fn broken(name: &'static str, content_type: &str, body: Vec<u8>) -> Broken {
    Broken {
        name,
        content_type: content_type.to_owned(),
        body,
    }
}

/// The first case is a valid file (the control).
fn broken_bodies(new_ticket: bool) -> Vec<Broken> {
    let field: &[u8] = if new_ticket { b"attachment" } else { b"files" };
    let prefix: Vec<Part> = if new_ticket {
        vec![
            Part::text(b"family", b"esignature"),
            Part::text(b"subject", b"Broken multipart bodies"),
            Part::text(b"description", b"A description that is long enough."),
        ]
    } else {
        Vec::new()
    };
    let body = |extra: Vec<Part>| {
        let mut parts = prefix.clone();
        parts.extend(extra);
        multipart(&parts)
    };
    let ct = multipart_type();
    let valid = body(vec![Part::file(field, b"note.txt", b"hello")]);
    let long = body(vec![Part::file(field, b"log.txt", &[b'l'; 4096])]);
    let in_headers = find(&valid, b"filename").unwrap_or(valid.len() / 2);
    let mut long_name = vec![b'a'; 10 * 1024];
    long_name.extend_from_slice(b".txt");
    let mut junk_header = b"X-Junk: ".to_vec();
    junk_header.extend(std::iter::repeat_n(b'a', MIB));
    junk_header.extend_from_slice(b"\r\n");
    let mut with_junk = Part::file(field, b"note.txt", b"hello");
    with_junk.headers = junk_header;
    let mut nul_field = field.to_vec();
    nul_field.push(0);

    vec![
        broken("a valid file", &ct, valid.clone()),
        broken("cut inside the file", &ct, long[..long.len() - 1024].to_vec()),
        broken("cut inside the part headers", &ct, valid[..in_headers].to_vec()),
        broken(
            "cut after the first boundary",
            &ct,
            format!("--{BOUNDARY}").into_bytes(),
        ),
        broken(
            "never closed",
            &ct,
            valid[..valid.len() - (BOUNDARY.len() + 6)].to_vec(),
        ),
        broken("no boundary parameter", "multipart/form-data", valid.clone()),
        broken("an empty boundary", "multipart/form-data; boundary=", valid.clone()),
        broken(
            "another boundary",
            "multipart/form-data; boundary=not-the-one",
            valid.clone(),
        ),
        broken("an empty body", &ct, Vec::new()),
        broken(
            "a 1 MB field name",
            &ct,
            body(vec![
                Part::text(&vec![b'a'; MIB], b"x"),
                Part::file(field, b"note.txt", b"hello"),
            ]),
        ),
        broken(
            "a 1 MB text field",
            &ct,
            body(vec![
                Part::text(b"description", &vec![b'a'; MIB]),
                Part::file(field, b"note.txt", b"hello"),
            ]),
        ),
        broken(
            "100 file parts",
            &ct,
            body(
                (0..100)
                    .map(|i| Part::file(field, format!("f{i}.txt").as_bytes(), b"hello"))
                    .collect(),
            ),
        ),
        broken(
            "100 text parts",
            &ct,
            body(
                (0..100)
                    .map(|i| Part::text(format!("field{i}").as_bytes(), b"x"))
                    .chain(std::iter::once(Part::file(field, b"note.txt", b"hello")))
                    .collect(),
            ),
        ),
        broken(
            "a 10 kB file name",
            &ct,
            body(vec![Part::file(field, &long_name, b"hello")]),
        ),
        broken(
            "NUL in the file name",
            &ct,
            body(vec![Part::file(field, b"in\0voice.txt", b"hello")]),
        ),
        broken(
            "NUL in the field name",
            &ct,
            body(vec![Part::file(&nul_field, b"note.txt", b"hello")]),
        ),
        broken(
            "invalid UTF-8 in the file name",
            &ct,
            body(vec![Part::file(field, b"\xff\xfe.txt", b"hello")]),
        ),
        broken(
            "a path as the file name",
            &ct,
            body(vec![Part::file(field, b"../../../etc/passwd", b"hello")]),
        ),
        broken(
            "quotes in the file name",
            &ct,
            body(vec![Part::file(field, b"a\"; name=\"family.txt", b"hello")]),
        ),
        broken(
            "a part without Content-Disposition",
            &ct,
            format!("--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{BOUNDARY}--\r\n").into_bytes(),
        ),
        broken("a 1 MB part header", &ct, body(vec![with_junk])),
        broken(
            "NUL bytes in the file",
            &ct,
            body(vec![Part::file(field, b"nul.txt", &[0u8; 64])]),
        ),
    ]
}

async fn broken_multipart_is_refused_cleanly(db: TestDb) {
    let panics = PanicWatch::start();
    let app = TestApp::with_config(support::config_with(&db, TEST_ENV)).await;
    let own = support::new_ticket(&app, CLAIRE, "Broken multipart: Claire's ticket").await;
    let others = support::new_ticket(&app, EMMA, "Broken multipart: Emma's ticket").await;
    let roles = [Role::signed_out(), Role::signed_in(&app, "customer", CLAIRE).await];
    let targets = [
        ("new ticket", "/tickets/new".to_owned()),
        ("own ticket", format!("/tickets/{own}/attachments")),
        ("someone else's ticket", format!("/tickets/{others}/attachments")),
        ("no such ticket", "/tickets/19999999/attachments".to_owned()),
    ];
    let (for_new, for_attach) = (broken_bodies(true), broken_bodies(false));
    let mut run = Runner::new(&app).await;
    // Claire's answers, by (target, case).
    let mut seen: HashMap<(usize, usize), StatusCode> = HashMap::new();
    for (ti, (target, path)) in targets.iter().enumerate() {
        let bodies = if ti == 0 { &for_new } else { &for_attach };
        for (ci, b) in bodies.iter().enumerate() {
            let case = Case {
                kind: format!("{target}: {}", b.name),
                cover: Cover::Every,
                method: Method::POST,
                uri: path.clone(),
                content_type: Some(b.content_type.clone()),
                accept: JSON,
                body: b.body.clone(),
            };
            for role in &roles {
                let status = run.run(role, "multipart", &case).await;
                if role.email.is_some()
                    && let Some(s) = status
                {
                    seen.insert((ti, ci), s);
                }
            }
        }
    }
    // Someone else's ticket answers as a missing one, whatever the body.
    for (ci, b) in for_attach.iter().enumerate() {
        let (theirs, missing) = (seen.get(&(2, ci)), seen.get(&(3, ci)));
        if theirs != missing {
            run.failures.push(format!(
                "{}: someone else's ticket answers {theirs:?}, a missing one {missing:?}: the answer tells that it exists",
                b.name
            ));
        }
        if theirs.is_some_and(|s| s.is_success() || s.is_redirection()) {
            run.failures
                .push(format!("{}: accepted on someone else's ticket ({theirs:?})", b.name));
        }
    }
    if !seen.get(&(1, 0)).is_some_and(|s| s.is_success()) {
        run.failures.push(format!(
            "control: a valid file on Claire's own ticket answered {:?}",
            seen.get(&(1, 0))
        ));
    }
    if seen.get(&(2, 0)) != Some(&StatusCode::NOT_FOUND) {
        run.failures.push(format!(
            "control: a valid file on someone else's ticket answered {:?}, not 404",
            seen.get(&(2, 0))
        ));
    }
    let health = healthz(&app).await;
    let panicked = panics.since();
    assert!(
        health == StatusCode::OK && run.failures.is_empty() && panicked.is_empty(),
        "{}",
        run.report("broken multipart", health, &panicked)
    );
}
