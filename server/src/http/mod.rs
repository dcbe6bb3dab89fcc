//! The HTTP surface: Leptos pages and server functions, plus the routes outside
//! Leptos (health, assets) and the middleware around all of them.

pub mod assets;
pub mod client;
pub mod csrf;
pub mod error;
pub mod health;
pub mod help;
pub mod session;
pub mod tickets;
pub mod upload;

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use axum::{Router, middleware};
use domain::ports::{AccountsPort, HelpPort, MailboxPort, TicketsPort};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::OnceLock;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The whole application, as the binary serves it and as tests drive it.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
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
    let mut with_session = Router::new().leptos_routes_with_context(&state, routes, context.clone(), shell);
    for (_, path, route) in session_routes(upload_limit) {
        with_session = with_session.route(path, route);
    }
    let with_session = with_session
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
    let mut open = Router::new();
    for (_, path, route) in open_routes() {
        open = open.route(path, route);
    }
    open.merge(with_session)
        .layer(middleware::map_response(security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Leptos's page routes, generated once per process. Generating them renders the
/// whole app with a process-wide flag set that makes every resource created
/// meanwhile wait for ever (leptos-rs/leptos#4773): a page rendered on another
/// thread while a second router was being built never finished (the hanging test
/// of the integration suite, where each test builds its own router).
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// A route outside Leptos's: method, path, handler.
type PlainRoute = (Method, &'static str, MethodRouter<AppState>);

/// Routes that need no session and no compression. The subject's suggestions: a few
/// kilobytes, asked on every pause in typing. They fit in the first round trip
/// either way, and compressing them (brotli, as browsers ask) cost the server more
/// than finding them: they do not go through the compression layer at all, which
/// otherwise looked at every answer's type and size to decide. Nor through the
/// session middleware (see `help`).
fn open_routes() -> Vec<PlainRoute> {
    vec![(Method::GET, "/api/help/suggest", get(help::suggest))]
}

/// Routes behind the session and cross-site middleware. Uploads have room for the
/// largest attachment and the form's text; past it the upload is cut and reported
/// as too large, the other values kept.
fn session_routes(upload_limit: usize) -> Vec<PlainRoute> {
    vec![
        (Method::GET, "/healthz", get(health::healthz)),
        (Method::GET, "/attachments/{id}", get(tickets::download)),
        (Method::GET, "/api/ping", get(health::ping)),
        (
            Method::POST,
            "/tickets/new",
            post(tickets::create).layer(DefaultBodyLimit::max(upload_limit)),
        ),
        (
            Method::POST,
            "/tickets/{number}/attachments",
            post(tickets::attach).layer(DefaultBodyLimit::max(upload_limit)),
        ),
    ]
}

/// Every route outside Leptos's page routes and server functions, as the router
/// serves them: the same lists build the router, so a test that walks this (the
/// hostile-input suite) covers a route the day it is added.
pub fn plain_routes() -> Vec<(Method, &'static str)> {
    open_routes()
        .into_iter()
        .chain(session_routes(0))
        .map(|(method, path, _)| (method, path))
        .chain([(Method::GET, assets::FILES)])
        .collect()
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
