//! Server functions of the agent console. Agents and admins only: anyone else gets
//! the same 404 as for a missing page.

use crate::error::AppError;
use domain::wire::console::{ConsoleFilter, ConsoleView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    pub use crate::error::reply_error;
    pub use crate::request::*;
    pub use crate::response::*;

    /// The session of an agent or admin, or the 404 every other visitor gets.
    pub fn require_staff() -> Result<CurrentSession, AppError> {
        let session = require_session()?;
        if session.viewer.role.is_staff() {
            Ok(session)
        } else {
            set_status(404);
            Err(AppError::NotFound)
        }
    }

    pub fn port() -> Result<domain::ports::TicketsPort, AppError> {
        leptos::prelude::use_context::<domain::ports::TicketsPort>().ok_or(AppError::Internal)
    }
}

#[server(endpoint = "console/queue")]
pub async fn fetch_console(filter: ConsoleFilter) -> Result<ConsoleView, AppError> {
    use ssr::*;
    let session = require_staff()?;
    let mut filter = filter;
    filter.product = filter.product.as_deref().map(domain::text::query);
    port()?.console(&session.viewer, filter).await.map_err(AppError::from)
}

/// The agent's reply: public (the customer and watchers see it) or an internal
/// note, optionally with a new status (open, pending, resolved).
#[server(endpoint = "console/reply")]
pub async fn agent_reply(number: String, body: String, visibility: String, status: String) -> Result<(), AppError> {
    use domain::TicketStatus;
    use ssr::*;
    let session = require_staff()?;
    let internal = match visibility.as_str() {
        "public" => false,
        "internal" => true,
        _ => {
            return Err(reply_error(AppError::Invalid {
                field: "visibility".into(),
            }));
        }
    };
    let status = match status.as_str() {
        "" => None,
        s => Some(TicketStatus::parse(s).ok_or_else(|| reply_error(AppError::Invalid { field: "status".into() }))?),
    };
    let body = body.trim();
    if body.chars().count() > domain::ticket::COMMENT_MAX_CHARS || (body.is_empty() && status.is_none()) {
        return Err(reply_error(AppError::Invalid { field: "body".into() }));
    }
    port()?
        .agent_reply(&session.viewer, &number, body, internal, status)
        .await
        .map_err(AppError::from)
}

/// Assigns the ticket: `me`, an agent's id, or empty to unassign.
#[server(endpoint = "console/assign")]
pub async fn assign_ticket(number: String, assignee: String) -> Result<(), AppError> {
    use ssr::*;
    let session = require_staff()?;
    let assignee = match assignee.as_str() {
        "" => None,
        "me" => Some(session.viewer.user_id),
        id => Some(id.parse::<i64>().map_err(|_| {
            reply_error(AppError::Invalid {
                field: "assignee".into(),
            })
        })?),
    };
    port()?
        .assign(&session.viewer, &number, assignee)
        .await
        .map_err(AppError::from)
}
