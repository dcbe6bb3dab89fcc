//! One error path for the routes outside Leptos (the ticket form, attachments).
//!
//! A handler learns how to answer from the request (`Answer`: JSON for JavaScript, a
//! page or a redirect for a plain form) and fails with an `HttpError`; the pair is a
//! `Failed`, which renders itself. Storage failures keep their cause, are logged once
//! here with it, and the user sees only "internal error".

use app::i18n::Translate;
use app::request::RequestContext;
use axum::Json;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Locale;
use domain::ports::{Cause, TicketsError};
use domain::wire::accounts::Viewer;
use std::convert::Infallible;

/// What went wrong, in terms the user may see.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("not signed in")]
    Unauthenticated,
    /// Missing, or not the viewer's: the same answer either way.
    #[error("not found")]
    NotFound,
    /// Refused for a reason the user can act on: a message key of the catalogues,
    /// and the file it concerns when there is one.
    #[error("refused ({status}): {key}")]
    Refused {
        status: StatusCode,
        key: &'static str,
        file: Option<String>,
    },
    #[error("internal error")]
    Internal(#[source] Cause),
    /// A dependency failed for a moment (the file store while a file streamed in):
    /// worth trying again.
    #[error("unavailable")]
    Unavailable(#[source] Cause),
}

impl HttpError {
    pub fn refused(status: StatusCode, key: &'static str) -> Self {
        HttpError::Refused {
            status,
            key,
            file: None,
        }
    }

    pub fn internal(cause: impl Into<Cause>) -> Self {
        HttpError::Internal(cause.into())
    }
}

impl From<TicketsError> for HttpError {
    fn from(e: TicketsError) -> Self {
        match e {
            TicketsError::NotFound => HttpError::NotFound,
            TicketsError::Refused(r) => HttpError::refused(StatusCode::CONFLICT, r.message_key()),
            TicketsError::Limited(l) => HttpError::refused(
                StatusCode::from_u16(l.status()).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
                l.message_key(),
            ),
            TicketsError::Storage(cause) => HttpError::Internal(cause),
        }
    }
}

/// How the request wants its answer.
#[derive(Clone, Debug)]
pub struct Answer {
    /// JavaScript asked (`Accept: application/json`).
    pub json: bool,
    pub locale: Locale,
    /// For a plain form: the page to go back to with the refusal in its query, instead
    /// of a page of text.
    pub back: Option<String>,
}

impl Answer {
    pub fn of(parts: &Parts) -> Self {
        let json = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"));
        let locale = parts
            .extensions
            .get::<RequestContext>()
            .map(|c| c.locale)
            .unwrap_or_default();
        Answer {
            json,
            locale,
            back: None,
        }
    }

    /// The same answer, going back to `url` (its `#attach` part) on a refusal.
    pub fn back_to(mut self, url: String) -> Self {
        self.back = Some(url);
        self
    }

    /// `error`, answered this way.
    pub fn fail(&self, error: impl Into<HttpError>) -> Failed {
        Failed {
            answer: self.clone(),
            error: error.into(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Answer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Answer::of(parts))
    }
}

/// An error and the way to answer it.
#[derive(Debug)]
pub struct Failed {
    answer: Answer,
    error: HttpError,
}

/// The JSON body of a refusal: what `CreateOutcome::Refused` reads, and the file.
#[derive(serde::Serialize)]
struct Refusal<'a> {
    outcome: &'static str,
    message_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
}

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        let Failed { answer, error } = self;
        let (status, key, file) = match &error {
            HttpError::NotFound => return (StatusCode::NOT_FOUND, "Not found").into_response(),
            HttpError::Unauthenticated if !answer.json => return Redirect::to("/signin").into_response(),
            HttpError::Unauthenticated => (StatusCode::UNAUTHORIZED, "error.unauthenticated", None),
            HttpError::Refused { status, key, file } => (*status, *key, file.as_deref()),
            HttpError::Internal(cause) => {
                tracing::error!(error = %crate::error_chain(cause.as_ref()), "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal", None)
            }
            HttpError::Unavailable(cause) => {
                tracing::error!(error = %crate::error_chain(cause.as_ref()), "request failed, storage unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, "error.internal", None)
            }
        };
        if answer.json {
            let body = Refusal {
                outcome: "refused",
                message_key: key,
                file,
            };
            return (status, Json(body)).into_response();
        }
        match &answer.back {
            Some(back) => {
                let mut query = form_urlencoded::Serializer::new(String::new());
                query.append_pair("attach_error", key);
                if let Some(f) = file {
                    query.append_pair("file", f);
                }
                Redirect::to(&format!("{back}?{}#attach", query.finish())).into_response()
            }
            None => (status, answer.locale.t(key).to_owned()).into_response(),
        }
    }
}

/// The signed-in viewer, from what the session middleware found. Handlers that take
/// it are refused to anyone signed out: 401 for JavaScript, the sign-in page for a
/// browser. `Option<SignedIn>` takes anyone.
pub struct SignedIn(pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Failed;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Failed> {
        match <SignedIn as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(Some(viewer)) => Ok(viewer),
            _ => Err(Answer::of(parts).fail(HttpError::Unauthenticated)),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for SignedIn {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Infallible> {
        Ok(parts
            .extensions
            .get::<RequestContext>()
            .and_then(|c| c.session.as_ref())
            .map(|s| SignedIn(s.viewer.clone())))
    }
}
