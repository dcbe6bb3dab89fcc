//! Test support: a real database per test (a SQLite file in a temporary folder, or a
//! fresh PostgreSQL database when `TEST_DATABASE_URL` is set) and the real router.
#![allow(dead_code)]

pub mod process;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use server::AppState;
use server::config::Config;
use server::jobs::Workers;
use std::net::SocketAddr;
use tower::ServiceExt;

/// A database that exists for one test.
/// A database that exists for one test, and that test's own data folder
/// (attachments, mailbox).
pub struct TestDb {
    pub url: String,
    pub data: tempfile::TempDir,
    /// PostgreSQL: the server's URL and this test's database, dropped with it.
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    /// A test's PostgreSQL database goes when the test ends, passed or failed. The
    /// test's runtime may be shutting down: the drop runs on a thread and a runtime
    /// of its own, and `FORCE` ends the connections the test's tasks still hold.
    /// Best effort: `make test` also drops what an interrupted run left.
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let conn = Database::connect(&admin).await.map_err(std::io::Error::other)?;
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .map_err(std::io::Error::other)?;
                conn.close().await.map_err(std::io::Error::other)
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.url);
        }
    }
}

pub fn sqlite() -> TestDb {
    let data = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}?mode=rwc", data.path().join("test.db").display());
    TestDb {
        url,
        data,
        postgres: None,
    }
}

/// A new, empty PostgreSQL database, or `None` when `TEST_DATABASE_URL` is unset
/// (CI sets it; a developer without PostgreSQL still runs the SQLite half).
pub async fn postgres() -> Option<TestDb> {
    let admin = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let name = format!("guichet_test_{}", uuid_like());
    let conn = Database::connect(&admin).await.expect("connect to TEST_DATABASE_URL");
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .unwrap_or(admin.clone());
    Some(TestDb {
        url: format!("{base}/{name}"),
        data: tempfile::tempdir().expect("temporary folder"),
        postgres: Some((admin, name)),
    })
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}_{:x}", nanos, std::process::id())
}

/// Runs a test body on SQLite, and on PostgreSQL when configured.
#[macro_export]
macro_rules! on_every_database {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::support::guarded(concat!(stringify!($name), " (SQLite)"), || async {
                        super::$name(super::support::sqlite()).await
                    })
                    .await;
                }
                #[tokio::test]
                async fn postgres() {
                    super::support::guarded(concat!(stringify!($name), " (PostgreSQL)"), || async {
                        match super::support::postgres().await {
                            Some(db) => super::$name(db).await,
                            None => eprintln!("TEST_DATABASE_URL unset: PostgreSQL half not run"),
                        }
                    })
                    .await;
                }
            }
        )*
    };
}

/// No test may hang the suite: one that makes no progress for this long fails,
/// saying so. (A test once stalled for ever when a page was rendered while another
/// test built its router: the route list is now generated once per process, see
/// `server::http::route_list`.)
pub async fn guarded<F, Fut>(name: &str, run: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    const LIMIT: std::time::Duration = std::time::Duration::from_secs(120);
    if tokio::time::timeout(LIMIT, run()).await.is_err() {
        panic!("{name}: no progress in {} s", LIMIT.as_secs());
    }
}

pub fn config(db: &TestDb) -> Config {
    config_with(db, &[])
}

/// The test configuration with some variables set.
pub fn config_with(db: &TestDb, extra: &[(&str, &str)]) -> Config {
    let dir = db.data.path().to_owned();
    let url = db.url.clone();
    let extra: Vec<(String, String)> = extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Config::from_lookup(|k| match k {
        k if extra.iter().any(|(name, _)| name == k) => {
            extra.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone())
        }
        "DATABASE_URL" => Some(url.clone()),
        "GUICHET_DATA_DIR" => Some(dir.display().to_string()),
        "GUICHET_DEMO" => Some("true".into()),
        "GUICHET_SIGNIN_MAX_FAILURES" => Some("5".into()),
        "GUICHET_SIGNIN_MAX_FAILURES_PER_IP" => Some("8".into()),
        _ => None,
    })
    .expect("test configuration")
}

/// The real application over a test database.
pub struct TestApp {
    pub state: AppState,
    /// Mail delivery, the sweeper and the index poll, as `serve` starts them.
    pub workers: Workers,
    router: Router,
}

impl TestApp {
    pub async fn start(db: &TestDb) -> Self {
        Self::with_config(config(db)).await
    }

    pub async fn with_config(config: Config) -> Self {
        let db = server::open_database(&config).await.expect("database");
        server::load_demo(&config, &db).await.expect("demo data");
        let state = AppState::build(config, db).await.expect("application state");
        let workers = Workers::start(&state);
        let router = server::http::router(state.clone());
        TestApp { state, workers, router }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.expect("infallible router");
        Reply::read(res).await
    }

    /// A server function called the way the browser's JavaScript calls it.
    pub async fn call(&self, endpoint: &str, form: &str, cookie: Option<&str>) -> Reply {
        let req = post(endpoint, cookie)
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .expect("request");
        self.send(req).await
    }

    pub async fn sign_in(&self, email: &str, password: &str, cookie: Option<&str>) -> Reply {
        let form = format!(
            "family=esignature&email={}&password={}",
            urlencode(email),
            urlencode(password)
        );
        self.call("/api/sign_in", &form, cookie).await
    }

    /// The signed-in user's e-mail for a session cookie, if the session is alive.
    pub async fn viewer_email(&self, cookie: &str) -> Option<String> {
        let reply = self.call("/api/viewer", "", Some(cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let v: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
        v.get("email").and_then(|e| e.as_str()).map(str::to_owned)
    }
}

/// A POST to our host from a fixed client address; the caller adds Origin, Accept and
/// Content-Type (what differs between JavaScript, plain forms and forgeries).
pub fn post(path: &str, cookie: Option<&str>) -> axum::http::request::Builder {
    let mut b = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b
}

/// A file part: field name, file name, bytes.
pub type File<'a> = (&'a str, &'a str, &'a [u8]);

/// A multipart body as a browser sends it: text fields, then file parts.
pub fn multipart(fields: &[(&str, &str)], files: &[File]) -> (String, Vec<u8>) {
    let boundary = "----guichet-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `POST /tickets/{number}/attachments` with these files, as JavaScript (JSON
/// answer) or as a plain form.
pub async fn attach(app: &TestApp, number: &str, cookie: &str, files: &[File<'_>], json: bool) -> Reply {
    let (content_type, body) = multipart(&[], files);
    let mut req = post(&format!("/tickets/{number}/attachments"), Some(cookie))
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::CONTENT_TYPE, content_type);
    if json {
        req = req.header(header::ACCEPT, "application/json");
    }
    app.send(req.body(Body::from(body)).expect("request")).await
}

pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    async fn read(res: Response<Body>) -> Self {
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// `name=value` of the session cookie this reply sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie("guichet_session")
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }

    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// The id of a demo user.
pub async fn user_id(app: &TestApp, email: &str) -> i64 {
    user_id_in(&app.state.db, email).await
}

pub async fn user_id_in(db: &sea_orm::DatabaseConnection, email: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::db::entities::user;
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("query")
        .expect("demo user")
        .id
}

/// A ticket of a demo customer in their first account, through the service the
/// endpoint uses; returns its number.
pub async fn new_ticket(app: &TestApp, email: &str, subject: &str) -> String {
    new_ticket_in(&app.state, email, subject).await
}

/// The same, on a state without a router (or without workers).
pub async fn new_ticket_in(state: &AppState, email: &str, subject: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::db::entities::membership;
    let requester = user_id_in(&state.db, email).await;
    let account = membership::Entity::find()
        .filter(membership::Column::UserId.eq(requester))
        .one(&state.db)
        .await
        .expect("query")
        .expect("membership")
        .account_id;
    let values = std::collections::BTreeMap::from([
        ("subject".to_owned(), subject.to_owned()),
        ("description".to_owned(), "Every envelope fails at signing.".to_owned()),
    ]);
    state
        .tickets
        .create(server::services::tickets::NewTicket {
            requester_id: requester,
            account_id: account,
            family: domain::ProductFamily::Esignature,
            values,
            upload: None,
            idempotency_key: None,
            follow_up_of: None,
        })
        .await
        .expect("ticket")
}

/// The session cookie of a demo user signed in with the demo password.
pub async fn cookie(app: &TestApp, email: &str) -> String {
    app.sign_in(email, "guichet-demo", None)
        .await
        .session_cookie()
        .expect("session")
}
