//! Cross-site request forgery: every state-changing request (server functions
//! included) must come from our own pages. Browsers tell us where a request comes
//! from (`Sec-Fetch-Site`, `Origin`); a request that says another site is refused.
//! With SameSite=Lax session cookies this is OWASP's "verify origin with standard
//! headers" defence, and it needs no token in every form.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if is_safe(req.method()) || comes_from_us(req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn comes_from_us(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    match (get(header::ORIGIN.as_str()), get(header::HOST.as_str())) {
        // No browser-provided origin at all: not a browser riding on a victim's
        // cookies (every current browser sends Origin on POST).
        (None, _) => true,
        (Some(origin), Some(host)) => origin_host(origin) == Some(host),
        (Some(_), None) => false,
    }
}

/// "https://example.com:8443" -> "example.com:8443"; "null" and garbage -> None.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_passes_cross_site_fails() {
        assert!(comes_from_us(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!comes_from_us(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!comes_from_us(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(comes_from_us(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!comes_from_us(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!comes_from_us(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(comes_from_us(&headers(&[])));
    }
}
