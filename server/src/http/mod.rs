//! The HTTP surface: Leptos pages and server functions, plus the routes outside
//! Leptos (health, assets) and the middleware around all of them.

pub mod assets;
pub mod csrf;
pub mod health;
pub mod help;
pub mod session;
pub mod tickets;

use crate::AppState;
use app::ports::{AccountsPort, HelpPort, MailboxPort, TicketsPort};
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Router, middleware};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The whole application, as the binary serves it and as tests drive it.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let context = leptos_context(state.clone());
    let shell = {
        let options = state.leptos.clone();
        move || app::shell(options.clone())
    };
    // Room for the largest attachment and the form's text; past it the upload is cut
    // and reported as too large, the other values kept.
    let upload_limit = usize::try_from(state.config.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_mul(2)
        .saturating_add(1 << 20);
    let with_session = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/attachments/{id}", get(tickets::download))
        .route("/api/ping", get(health::ping))
        .leptos_routes_with_context(&state, routes, context.clone(), shell)
        .route(
            "/tickets/new",
            post(tickets::create).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/tickets/{number}/attachments",
            post(tickets::attach).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context,
            app::shell,
        ))
        .merge(assets::router(&state.config.site_dir))
        .layer(CompressionLayer::new().br(true).gzip(true))
        // Who is asking, and refusing cross-site writes: for everything but the
        // suggestions, which are the same for everyone and only read.
        .layer(middleware::from_fn_with_state(state.clone(), session::resolve))
        .layer(middleware::from_fn(csrf::refuse_cross_site));
    Router::new()
        // The subject's suggestions: a few kilobytes, asked on every pause in
        // typing. They fit in the first round trip either way, and compressing them
        // (brotli, as browsers ask) cost the server more than finding them: they do
        // not go through the compression layer at all, which otherwise looked at
        // every answer's type and size to decide. Nor through the session
        // middleware (see `help`).
        .route("/api/help/suggest", get(help::suggest))
        .merge(with_session)
        .layer(middleware::map_response(security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What pages and server functions find in Leptos context: the ports, the asset
/// names, a CSP nonce.
pub fn leptos_context(state: AppState) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context::<AccountsPort>(state.accounts.clone());
        provide_context::<TicketsPort>(state.tickets.clone());
        provide_context::<HelpPort>(state.help.clone());
        provide_context::<MailboxPort>(state.mailbox.clone());
        if let Some(assets) = &state.assets {
            provide_context(assets.clone());
        }
        leptos::nonce::provide_nonce();
    }
}

/// Headers every response carries. Pages set their own CSP with a per-request nonce
/// (for Leptos's hydration scripts); this one covers everything else.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        );
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Not "no-referrer": a form posted without JavaScript comes back to its own page
    // through the Referer.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}
