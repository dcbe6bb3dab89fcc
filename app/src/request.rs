//! (ssr) What the server's middleware learned about a request: the session, the
//! language, the client's address. The answer's side (status, cookies) is `response`.

use crate::error::AppError;
use axum::http::{HeaderValue, header, request::Parts};
use domain::Locale;
use domain::wire::accounts::Viewer;
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
    pub family: domain::ProductFamily,
    pub values: std::collections::BTreeMap<String, String>,
    pub errors: Vec<domain::forms::FieldError>,
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
    current_session().ok_or_else(|| crate::error::reply_error(AppError::Unauthenticated))
}

/// A fresh random key for a form.
pub fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Today in UTC, YYYY-MM-DD.
pub fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
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
