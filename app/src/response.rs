//! (ssr) The answer's side of a server function or page: its status and its
//! Content-Security-Policy.

use axum::http::{HeaderValue, StatusCode, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// True when the request is a plain HTML form post or navigation (no JavaScript).
pub fn accepts_html() -> bool {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.headers.get(header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.contains("text/html")))
        .unwrap_or(false)
}

pub fn set_status(code: u16) {
    if let (Some(res), Ok(code)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(code)) {
        res.set_status(code);
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
