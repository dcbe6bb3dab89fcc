//! Server functions of the tickets area: read the session, call the tickets port,
//! map the result. Creating a ticket is a multipart POST handled by the server's
//! HTTP layer (`POST /tickets/new`), so that it works as a plain HTML form too.

use crate::error::AppError;
use domain::wire::tickets::{NewTicketPage, QueueFilter, QueueView, TicketDetail};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    pub use crate::error::reply_error;
    pub use crate::request::*;
    pub use crate::response::*;
    pub use domain::ports::{TicketsError, TicketsPort};

    pub fn port() -> Result<TicketsPort, AppError> {
        leptos::prelude::use_context::<TicketsPort>().ok_or(AppError::Internal)
    }

    pub fn map_err(e: TicketsError) -> AppError {
        AppError::from(e)
    }
}

/// One page of the viewer's queue.
#[server(endpoint = "tickets/queue")]
pub async fn fetch_queue(filter: QueueFilter) -> Result<QueueView, AppError> {
    use ssr::*;
    let session = require_session()?;
    let mut filter = filter;
    filter.q = domain::text::query(&filter.q);
    port()?.queue(&session.viewer, filter).await.map_err(map_err)
}

/// A ticket the viewer may see; anything else is `NotFound`, signed out included:
/// the answer never tells whether a number exists.
#[server(endpoint = "tickets/detail")]
pub async fn fetch_ticket(number: String) -> Result<TicketDetail, AppError> {
    use ssr::*;
    let Some(session) = current_session() else {
        return Err(reply_error(AppError::NotFound));
    };
    let detail = port()?.detail(&session.viewer, &number).await.map_err(map_err);
    if matches!(detail, Err(AppError::NotFound)) {
        set_status(404);
    }
    detail
}

/// The new-ticket form: the forms, the family to show first, and whatever a failed
/// plain-form submission brings back.
#[server(endpoint = "tickets/new_page")]
pub async fn fetch_new_ticket_form(family: Option<String>) -> Result<NewTicketPage, AppError> {
    use domain::ProductFamily;
    use ssr::*;
    let session = require_session()?;
    let port = port()?;
    let submission = leptos::prelude::use_context::<FormSubmission>();
    let family = submission
        .as_ref()
        .map(|s| s.family)
        .or_else(|| family.as_deref().and_then(ProductFamily::parse))
        .or(session.viewer.family)
        .unwrap_or(ProductFamily::Esignature);
    let account_name = session
        .viewer
        .active_account()
        .map(|a| a.name.clone())
        .unwrap_or_default();
    Ok(NewTicketPage {
        forms: (*port.forms()).clone(),
        family,
        values: submission.as_ref().map(|s| s.values.clone()).unwrap_or_default(),
        errors: submission.as_ref().map(|s| s.errors.clone()).unwrap_or_default(),
        idempotency_key: submission
            .map(|s| s.idempotency_key)
            .unwrap_or_else(new_idempotency_key),
        max_upload_bytes: port.max_upload_bytes(),
        today: today(),
        account_name,
    })
}

/// Adds a comment to a ticket (a public reply when an agent writes it). Posted as
/// a plain form, it comes back to the ticket page.
#[server(endpoint = "tickets/comment")]
pub async fn add_comment(number: String, body: String) -> Result<(), AppError> {
    use ssr::*;
    let session = require_session()?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > domain::ticket::COMMENT_MAX_CHARS {
        return Err(reply_error(AppError::Invalid { field: "body".into() }));
    }
    port()?.comment(&session.viewer, &number, body).await.map_err(map_err)
}

/// "Confirm and close" on a resolved ticket.
#[server(endpoint = "tickets/confirm_close")]
pub async fn confirm_close(number: String) -> Result<(), AppError> {
    use ssr::*;
    let session = require_session()?;
    port()?.confirm_close(&session.viewer, &number).await.map_err(map_err)
}

/// Adds (or, with `remove`, removes) a watcher by e-mail address.
#[server(endpoint = "tickets/watchers")]
pub async fn change_watcher(number: String, email: String, remove: Option<String>) -> Result<(), AppError> {
    use ssr::*;
    let session = require_session()?;
    let email = domain::email::normalize(&email);
    if !domain::email::is_plausible(&email) {
        return Err(reply_error(AppError::Invalid { field: "email".into() }));
    }
    port()?
        .watch(&session.viewer, &number, &email, remove.is_none())
        .await
        .map_err(map_err)
}

/// "Open a follow-up ticket" on a closed one: a new ticket linked to it, then its page.
#[server(endpoint = "tickets/follow_up")]
pub async fn open_follow_up(number: String) -> Result<String, AppError> {
    use ssr::*;
    let session = require_session()?;
    let created = port()?.follow_up(&session.viewer, &number).await.map_err(map_err)?;
    if accepts_html() {
        leptos_axum::redirect(&domain::ticket::ticket_url(&created));
    }
    Ok(created)
}
