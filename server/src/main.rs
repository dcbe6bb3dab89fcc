//! `guichet`: config -> database -> migrations -> services -> router -> serve.

use axum::serve::ListenerExt;
use server::AppState;
use server::config::Config;
use std::net::SocketAddr;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    // A bad setting stops start-up with one line naming it: no panic trace.
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("guichet: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match command.as_str() {
        "serve" => serve(config).await,
        "migrate" => AppState::build(Config { demo: false, ..config })
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        "import-articles" => import_articles(config).await,
        "relevance" => relevance(),
        "smtp-sink" => smtp_sink().await,
        other => Err(format!(
            "unknown command {other:?} (expected: serve, migrate, import-articles DIR, relevance [CONTENT_DIR], smtp-sink [ADDR])"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guichet: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `guichet import-articles DIR`: Markdown files with front matter into the help
/// center (the running servers' indexes pick them up at their next poll).
async fn import_articles(config: Config) -> Result<(), String> {
    let dir = std::env::args().nth(2).ok_or("usage: guichet import-articles DIR")?;
    let state = AppState::build(Config { demo: false, ..config })
        .await
        .map_err(|e| e.to_string())?;
    let report = server::services::help::import::import_dir(&state.db, std::path::Path::new(&dir))
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
fn relevance() -> Result<(), String> {
    use server::search::relevance;
    let root = std::env::args().nth(2).unwrap_or_else(|| "./content".into());
    let figures = relevance::evaluate(std::path::Path::new(&root)).map_err(|e| e.to_string())?;
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
async fn smtp_sink() -> Result<(), String> {
    let addr: SocketAddr = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "127.0.0.1:2525".into())
        .parse()
        .map_err(|_| "usage: guichet smtp-sink [ADDR such as 127.0.0.1:2525]")?;
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
    let state = AppState::build(config).await.map_err(|e| e.to_string())?;
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
