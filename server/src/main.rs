//! `guichet`: the command line. `serve`: config -> database -> migrations -> demo
//! data -> state -> workers -> router -> serve; on SIGTERM, the requests in flight
//! and then the workers finish. The other commands start no worker.

use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use server::AppState;
use server::config::Config;
use server::jobs::Workers;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// How long the workers may take to finish their item after SIGTERM (a mail pass
/// waits at most for the SMTP timeout; systemd's default stop timeout is 90 s).
const WORKERS_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Guichet: a self-hosted support center (help center, ticket portal, agent console).
///
/// Configuration comes from the environment (see `.env.example`); the command line
/// only says what to do.
#[derive(Parser)]
#[command(name = "guichet", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve (the default).
    Serve,
    /// Migrate the database and exit (run once before rolling new nodes).
    Migrate,
    /// Create an admin (or make an existing user one) and print a one-time link to
    /// set the password.
    CreateAdmin {
        /// The admin's e-mail address.
        email: String,
        /// The name shown to customers and agents (default: the address's local part).
        #[arg(long)]
        name: Option<String>,
    },
    /// Import Markdown articles with TOML front matter from a folder.
    ImportArticles { dir: PathBuf },
    /// MRR@5 and recall@5 of the search on the labelled subject lines.
    Relevance {
        #[arg(default_value = "./content")]
        content_dir: PathBuf,
    },
    /// A mail catcher for trying SMTP delivery locally.
    SmtpSink {
        #[arg(default_value = "127.0.0.1:2525")]
        addr: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    // A bad setting stops start-up with one line naming it: no panic trace.
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("guichet: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let secrets = secrets_of(&config);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => server::open_database(&config)
            .await
            .map(|_| println!("the database is up to date"))
            .map_err(|e| e.to_string()),
        Command::CreateAdmin { email, name } => create_admin(config, &email, name.as_deref()).await,
        Command::ImportArticles { dir } => import_articles(config, &dir).await,
        Command::Relevance { content_dir } => relevance(&content_dir),
        Command::SmtpSink { addr } => smtp_sink(addr).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guichet: {}", redact(&e, &secrets));
            ExitCode::FAILURE
        }
    }
}

/// The passwords in the configured URLs, so that no error message repeats them.
fn secrets_of(config: &Config) -> Vec<String> {
    [Some(config.database_url.as_str()), config.smtp_url.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(|u| url::Url::parse(u).ok())
        .filter_map(|u| u.password().map(str::to_owned))
        .filter(|p| !p.is_empty())
        .collect()
}

fn redact(message: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(message.to_owned(), |m, secret| m.replace(secret.as_str(), "***"))
}

/// `guichet create-admin EMAIL`: the first admin of a real installation.
async fn create_admin(config: Config, email: &str, name: Option<&str>) -> Result<(), String> {
    let db = server::open_database(&config).await.map_err(|e| e.to_string())?;
    let link = server::services::setup::create_admin(&db, email, name)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{} {email}. Open this link within {} hours to choose the password (it works once):\n{}/password/reset?token={}",
        if link.created {
            "Admin created:"
        } else {
            "Now an admin:"
        },
        server::services::setup::ADMIN_LINK_HOURS,
        config.base_url,
        link.token
    );
    Ok(())
}

/// `guichet import-articles DIR`: Markdown files with front matter into the help
/// center (the running servers' indexes pick them up at their next poll).
async fn import_articles(config: Config, dir: &Path) -> Result<(), String> {
    let db = server::open_database(&config).await.map_err(|e| e.to_string())?;
    let report = server::services::help::import::import_dir(&db, dir)
        .await
        .map_err(|e| format!("database: {e}"))?;
    println!("{report}");
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{} file(s) not imported", report.errors.len()))
    }
}

/// `guichet relevance [CONTENT_DIR]`: MRR@5 and recall@5 of the search on the
/// labelled subject lines, per language.
fn relevance(root: &Path) -> Result<(), String> {
    use server::search::relevance;
    let figures = relevance::evaluate(root).map_err(|e| e.to_string())?;
    let verbose = std::env::var_os("GUICHET_RELEVANCE_MISSES").is_some();
    println!("{:<8} {:>6} {:>8} {:>10}", "language", "cases", "MRR@5", "recall@5");
    for f in &figures {
        println!(
            "{:<8} {:>6} {:>8.3} {:>10.3}",
            f.locale.as_str(),
            f.cases,
            f.mrr,
            f.recall
        );
        if verbose {
            for (case, got) in &f.misses {
                println!("  miss: {:?} expected {:?}, got {:?}", case.query, case.expect, got);
            }
        }
    }
    Ok(())
}

/// `guichet smtp-sink [ADDR]`: a mail catcher for trying SMTP delivery locally
/// (`GUICHET_SMTP_URL=smtp://127.0.0.1:2525`); prints each message's envelope and
/// subject as it arrives.
async fn smtp_sink(addr: SocketAddr) -> Result<(), String> {
    let sink = server::mail::sink::SmtpSink::start(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("SMTP sink listening on {} (Ctrl-C to stop)", sink.url());
    let mut seen = 0;
    loop {
        tokio::select! {
            _ = shutdown_signal() => return Ok(()),
            _ = sink.wait_for(seen + 1, std::time::Duration::from_secs(3600)) => {}
        }
        for m in sink.received().iter().skip(seen) {
            println!(
                "{} -> {}: {}",
                m.from,
                m.to.join(", "),
                m.header("Subject").unwrap_or_default()
            );
        }
        seen = sink.count();
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let addr = config.addr;
    let demo = config.demo;
    let db = server::open_database(&config).await.map_err(|e| e.to_string())?;
    server::load_demo(&config, &db).await.map_err(|e| e.to_string())?;
    let state = AppState::build(config, db).await.map_err(|e| e.to_string())?;
    let workers = Workers::start(&state);
    let base_url = state.config.base_url.clone();
    let app = server::http::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?
        // Responses are written in pieces (headers, then streamed body): without
        // TCP_NODELAY, Nagle's algorithm holds the second piece for the client's
        // delayed ACK, some 40 ms.
        .tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "could not set TCP_NODELAY");
            }
        });
    println!("Guichet is running on {base_url}");
    if demo && base_url.starts_with("https://") {
        let warning = "WARNING: demo mode is on at a public https:// address: anyone can sign in as \
                       admin@example.com with the demo password. Set GUICHET_DEMO=false and run \
                       `guichet create-admin EMAIL`.";
        eprintln!("{warning}");
        tracing::warn!("{warning}");
    }
    if demo {
        println!(
            "Demo sign-ins (password {}): claire.martin@example.com (customer, French, three accounts), \
             emma.wilson@example.com (customer, English, three accounts), agent@example.com (agent), \
             admin@example.com (admin)",
            server::services::demo::DEMO_PASSWORD
        );
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    // The requests in flight are done; now the workers finish what they hold.
    if workers.stop(WORKERS_GRACE).await {
        tracing::info!("background workers stopped");
    } else {
        tracing::warn!(grace = ?WORKERS_GRACE, "a background worker was still busy and was cut short");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish the requests in flight, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
