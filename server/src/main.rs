//! `guichet`: config -> database -> migrations -> services -> router -> serve.

use axum::serve::ListenerExt;
use server::AppState;
use server::config::Config;
use std::net::SocketAddr;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

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
        other => Err(format!("unknown command {other:?} (expected: serve, migrate)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guichet: {e}");
            ExitCode::FAILURE
        }
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
