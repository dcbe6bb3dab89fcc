//! (ssr) What the server's middleware learned about a request, and the HTTP details
//! that server functions need: cookies, status codes, the client's address.

use crate::accounts::Viewer;
use crate::error::AppError;
use crate::i18n::Locale;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::IpAddr;

pub const SESSION_COOKIE: &str = "guichet_session";
pub const LOCALE_COOKIE: &str = "guichet_lang";

/// Inserted into every request's extensions by the session middleware.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub session: Option<CurrentSession>,
    pub locale: Locale,
    pub client_ip: Option<IpAddr>,
    pub secure_cookies: bool,
}

/// A ticket form posted without JavaScript that must be shown again: provided as
/// context when the server renders the form in answer to the POST.
#[derive(Clone, Debug)]
pub struct FormSubmission {
    pub family: crate::domain::ProductFamily,
    pub values: std::collections::BTreeMap<String, String>,
    pub errors: Vec<crate::domain::forms::FieldError>,
    pub idempotency_key: String,
}

/// A signed-in session. Holds the hash of the session token: never serialised.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    pub token_hash: String,
    pub viewer: Viewer,
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The request's context; `None` outside a request (which would be a wiring bug).
pub fn request_context() -> Option<RequestContext> {
    parts().and_then(|p| p.extensions.get::<RequestContext>().cloned())
}

pub fn current_session() -> Option<CurrentSession> {
    request_context().and_then(|c| c.session)
}

/// The signed-in session, or `Unauthenticated`.
pub fn require_session() -> Result<CurrentSession, AppError> {
    current_session().ok_or_else(|| reply_error(AppError::Unauthenticated))
}

/// True when the request is a plain HTML form post or navigation (no JavaScript).
pub fn accepts_html() -> bool {
    parts()
        .and_then(|p| p.headers.get(header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.contains("text/html")))
        .unwrap_or(false)
}

/// Sets the HTTP status for an error answered to JavaScript. A plain form post keeps
/// leptos_axum's redirect back to the form, which then shows the error.
pub fn reply_error(error: AppError) -> AppError {
    if !accepts_html() {
        set_status(error.status());
    }
    error
}

pub fn set_status(code: u16) {
    if let (Some(res), Ok(code)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(code)) {
        res.set_status(code);
    }
}

/// Appends a `Set-Cookie`: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
/// `max_age` of zero deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64) {
    let secure = request_context().is_some_and(|c| c.secure_cookies);
    let cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    );
    if let (Some(res), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&cookie)) {
        res.append_header(header::SET_COOKIE, value);
    }
}

/// The page's Content-Security-Policy: only our own scripts, plus Leptos's inline
/// hydration data carrying this request's nonce, and WebAssembly compilation.
pub fn set_page_csp() {
    let nonce = leptos::nonce::use_nonce()
        .map(|n| format!(" 'nonce-{n}'"))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
         frame-ancestors 'none'; form-action 'self'"
    );
    if let (Some(res), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&policy)) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// A fresh random key for a form.
pub fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Today in UTC, YYYY-MM-DD.
pub fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}
