//! Resolves who is asking (session cookie), in which language, from where; stores it
//! in the request's extensions for pages and server functions.

use crate::AppState;
use app::request::{LOCALE_COOKIE, RequestContext, SESSION_COOKIE};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use domain::Locale;
use std::net::SocketAddr;

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let session = match jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        Some(token) if !token.is_empty() => match state.accounts.resolve(&token).await {
            Ok(session) => session,
            Err(e) => {
                // A database hiccup shows the page signed out rather than failing it.
                tracing::error!(error = %e, "could not resolve the session");
                None
            }
        },
        _ => None,
    };
    let locale = session
        .as_ref()
        .map(|s| s.viewer.locale)
        .or_else(|| chosen_locale(&jar, req.headers()))
        .unwrap_or_default();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let client = super::client::client(peer, req.headers(), &state.config.trusted_proxies);
    let secure = state.config.secure_cookies || client.forwarded_https;
    let signed_in = session.is_some();
    // Server functions answer under /api/ (the suggestions are routed outside).
    let server_function = req.uri().path().starts_with("/api/");
    req.extensions_mut().insert(RequestContext {
        session,
        locale,
        client_ip: client.ip,
        secure_cookies: secure,
    });
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A signed-in page or any server function's answer is someone's own: no cache
    // (a shared proxy, the browser's back button on a shared computer) keeps it.
    // Assets keep the long cache they set.
    if (signed_in || server_function) && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// The language a visitor chose without signing in: the language switch's cookie,
/// else the browser's Accept-Language. (Signed in, the account's language comes
/// before both.)
fn chosen_locale(jar: &CookieJar, headers: &HeaderMap) -> Option<Locale> {
    jar.get(LOCALE_COOKIE)
        .and_then(|c| Locale::parse(c.value()))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
}

/// `chosen_locale` from the headers alone, for the routes outside this middleware.
pub fn visitor_locale(headers: &HeaderMap) -> Option<Locale> {
    chosen_locale(&CookieJar::from_headers(headers), headers)
}
