//! `GET /api/help/suggest?q=…&locale=fr&family=esignature`: the subject field's live
//! suggestions, as JSON. Outside Leptos's server functions because it is called on
//! every pause in typing: no body to decode, and answers the browser may cache.
//! Any query string gets a 200: undecodable bytes are replaced, unknown locales and
//! families ignored, and the text is never parsed as query syntax.
//!
//! The suggestions are the same for everyone, so this route is outside the session
//! middleware: a signed-in customer typing a subject sends the session cookie with
//! every pause, and resolving it cost three database queries (session, user, its
//! accounts) each time for an answer that does not depend on it. Without a `locale` parameter, the visitor's chosen
//! language (cookie, then Accept-Language) picks the index.

use crate::http::session;
use crate::services::help::HelpService;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use domain::Locale;
use domain::ProductFamily;
use std::borrow::Cow;
use std::sync::Arc;

pub async fn suggest(State(help): State<Arc<HelpService>>, request: Request) -> Response {
    let (mut q, mut locale, mut family) = (Cow::Borrowed(""), None, None);
    // The query string read where it is, not copied out (as `RawQuery` would).
    for (key, value) in form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "q" => q = at_most_chars(value, domain::help::QUERY_MAX_CHARS),
            "locale" => locale = Locale::parse(&value),
            "family" => family = ProductFamily::parse(&value),
            _ => {}
        }
    }
    let locale = locale
        .or_else(|| session::visitor_locale(request.headers()))
        .unwrap_or_default();
    let json = if !domain::help::suggests(&q) {
        bytes::Bytes::from_static(b"{\"articles\":[],\"posts\":[]}")
    } else {
        help.suggest_json(locale, family, &q)
    };
    // Room for these two and the ones every response gets (`security_headers`):
    // a map of the default size had to grow, and rehash, for the last of them.
    let mut headers = HeaderMap::with_capacity(8);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // The same subject typed again within a minute needs no new request.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
    let mut response = Response::new(Body::from(json));
    *response.headers_mut() = headers;
    response
}

/// The first `max` characters of `text` (no copy when it has no more).
fn at_most_chars(text: Cow<'_, str>, max: usize) -> Cow<'_, str> {
    // No more bytes than that: no more characters.
    if text.len() <= max {
        return text;
    }
    match text.char_indices().nth(max) {
        None => text,
        Some((end, _)) => match text {
            Cow::Borrowed(t) => Cow::Borrowed(&t[..end]),
            Cow::Owned(mut t) => {
                t.truncate(end);
                Cow::Owned(t)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_characters_whole() {
        let cut = |t: &str, max| at_most_chars(Cow::Borrowed(t), max).into_owned();
        assert_eq!(cut("signer", 10), "signer");
        assert_eq!(cut("télécharger", 4), "télé");
        assert_eq!(cut("ééé", 3), "ééé");
        assert_eq!(cut("", 0), "");
        assert_eq!(at_most_chars(Cow::Owned("été là".into()), 2), "ét");
    }
}
