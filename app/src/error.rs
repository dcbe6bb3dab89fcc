//! The error that crosses the wire. It carries only what the user may see: internal
//! details are logged on the server and replaced by `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Wrong e-mail or password. The e-mail travels back so that a form posted
    /// without JavaScript can show it again.
    #[error("wrong e-mail or password")]
    BadCredentials { email: String },
    #[error("too many sign-in attempts")]
    RateLimited { email: String },
    #[error("not signed in")]
    Unauthenticated,
    #[error("not found")]
    NotFound,
    #[error("invalid {field}")]
    Invalid { field: String },
    /// The ticket's lifecycle does not allow this now (a closed ticket, an agent's
    /// action asked by a customer...).
    #[error("refused: {0}")]
    Refused(domain::lifecycle::Refusal),
    #[error("password: {0}")]
    Password(domain::password::PasswordProblem),
    /// A limit was reached (watchers, requests per address); nothing was changed.
    #[error("limit: {0}")]
    Limit(domain::limit::Limit),
    #[error("internal error")]
    Internal,
    /// The request never reached our code (network, decoding).
    #[error("request failed: {0}")]
    Request(String),
}

impl AppError {
    /// The catalogue key of the message shown to the user.
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::BadCredentials { .. } => "error.bad_credentials",
            AppError::RateLimited { .. } => "error.rate_limited",
            AppError::Unauthenticated => "error.unauthenticated",
            AppError::NotFound => "error.not_found",
            AppError::Invalid { .. } => "error.invalid",
            AppError::Refused(r) => r.message_key(),
            AppError::Password(p) => p.message_key(),
            AppError::Limit(l) => l.message_key(),
            AppError::Internal => "error.internal",
            AppError::Request(_) => "error.request",
        }
    }

    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadCredentials { .. } | AppError::Unauthenticated => 401,
            AppError::RateLimited { .. } => 429,
            AppError::NotFound => 404,
            AppError::Refused(_) => 409,
            AppError::Invalid { .. } | AppError::Request(_) => 400,
            AppError::Password(_) => 422,
            AppError::Limit(l) => l.status(),
            AppError::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Arguments that do not decode are the client's fault: a 400, not the
        // framework's default 500.
        let client_fault = matches!(
            value,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_)
        );
        let error = AppError::Request(value.to_string());
        #[cfg(feature = "ssr")]
        if client_fault {
            return reply_error(error);
        }
        let _ = client_fault;
        error
    }
}

/// (ssr) Sets the HTTP status for an error answered to JavaScript. A plain form post
/// keeps leptos_axum's redirect back to the form, which then shows the error.
#[cfg(feature = "ssr")]
pub fn reply_error(error: AppError) -> AppError {
    if !crate::response::accepts_html() {
        crate::response::set_status(error.status());
    }
    error
}

/// (ssr) A storage failure, logged once here with its whole chain of causes; the user
/// sees only "internal error".
#[cfg(feature = "ssr")]
pub fn internal(port: &str, cause: &(dyn std::error::Error + 'static)) -> AppError {
    let mut chain = cause.to_string();
    let mut source = cause.source();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    leptos::logging::error!("{port} storage failed: {chain}");
    AppError::Internal
}

#[cfg(feature = "ssr")]
impl From<domain::ports::TicketsError> for AppError {
    fn from(e: domain::ports::TicketsError) -> Self {
        use domain::ports::TicketsError;
        reply_error(match e {
            TicketsError::NotFound => AppError::NotFound,
            TicketsError::Refused(r) => AppError::Refused(r),
            TicketsError::Limited(l) => AppError::Limit(l),
            TicketsError::Storage(cause) => internal("tickets", cause.as_ref()),
        })
    }
}

#[cfg(feature = "ssr")]
impl From<domain::ports::HelpError> for AppError {
    fn from(e: domain::ports::HelpError) -> Self {
        use domain::ports::HelpError;
        reply_error(match e {
            // A missing page is a 404 for a browser's navigation too.
            HelpError::NotFound => {
                crate::response::set_status(404);
                AppError::NotFound
            }
            HelpError::Storage(cause) => internal("help center", cause.as_ref()),
        })
    }
}

#[cfg(feature = "ssr")]
impl From<domain::ports::MailboxError> for AppError {
    fn from(e: domain::ports::MailboxError) -> Self {
        let domain::ports::MailboxError::Storage(cause) = e;
        reply_error(internal("mailbox", cause.as_ref()))
    }
}
