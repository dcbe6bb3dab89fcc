//! Tickets as the customer sees them: the queue, the new-ticket form, the ticket page.

pub mod api;
pub mod detail;
pub mod form;
pub mod new;
pub mod queue;
#[cfg(feature = "browser")]
mod upload;

use crate::domain::forms::{FieldError, FormSet, Localized};
use crate::domain::{ProductFamily, TicketStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub number: String,
    pub subject: String,
    pub status: TicketStatus,
    pub family: ProductFamily,
    pub product: Option<Localized>,
    pub account_name: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
    /// True when the user follows this ticket rather than having opened it.
    pub watching: bool,
}

/// What the queue is asked for (from the page's query string).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub status: Option<TicketStatus>,
    /// A ticket number, or words of the subject.
    pub q: String,
    /// Keyset pagination: only tickets older than this id.
    pub before: Option<i64>,
    pub all_accounts: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub items: Vec<TicketSummary>,
    /// The cursor of the next page, when there is one.
    pub next_before: Option<i64>,
}

/// A field of the ticket as shown on its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownField {
    pub name: String,
    pub label: Localized,
    pub value: String,
    /// For choices: the option's label instead of its stored value.
    pub display: Option<Localized>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub file_name: String,
    pub size: i64,
    pub content_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub number: String,
    pub subject: String,
    pub status: TicketStatus,
    pub family: ProductFamily,
    pub product: Option<Localized>,
    pub fields: Vec<ShownField>,
    pub attachments: Vec<AttachmentInfo>,
    pub requester_name: String,
    pub account_name: String,
    pub created_at: String,
    pub updated_at: String,
    /// Every event, oldest first (internal notes only for agents).
    pub timeline: Vec<TimelineEntry>,
    /// What the lifecycle lets this viewer do now.
    pub offered: Vec<crate::domain::lifecycle::Action>,
    /// When a resolved ticket will close by itself unless someone replies.
    pub auto_close_at: Option<String>,
    /// For agents: who works the ticket, and who could.
    pub assignee: Option<String>,
    pub agents: Vec<crate::console::Agent>,
    /// The e-mail addresses following the ticket.
    pub watchers: Vec<String>,
    /// The closed ticket this one follows up, by number.
    pub follow_up_of: Option<String>,
    /// The largest file accepted, for the "add attachments" form's help.
    pub max_upload_bytes: u64,
}

/// Files added to a ticket at once, at most.
pub const MAX_FILES_AT_ONCE: usize = 10;

/// The ticket page's "add attachments" form posts here (multipart, any number of
/// `files` parts); without JavaScript it redirects back to the ticket.
pub fn attach_url(number: &str) -> String {
    format!("/tickets/{number}/attachments")
}

/// One line of the ticket's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// created | comment | reply | note | status | assigned | unassigned
    pub kind: String,
    pub who: String,
    pub at: String,
    /// The comment, rendered from light Markdown and sanitised by the server.
    pub body_html: Option<String>,
    pub status_change: Option<(TicketStatus, TicketStatus)>,
    /// Whom the event concerns: the agent assigned, the watcher added or removed.
    pub target: Option<String>,
}

/// Longest comment accepted, in characters.
pub const COMMENT_MAX_CHARS: usize = 10_000;

/// Everything the new-ticket page needs, in one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicketPage {
    pub forms: FormSet,
    pub family: ProductFamily,
    /// Values to show again (a submission without JavaScript that failed).
    pub values: BTreeMap<String, String>,
    pub errors: Vec<FieldError>,
    /// Sent back with the form: the same key twice makes one ticket.
    pub idempotency_key: String,
    pub max_upload_bytes: u64,
    /// Today's date on the server (YYYY-MM-DD), for "not in the future".
    pub today: String,
    pub account_name: String,
}

/// The answer of `POST /tickets/new` to JavaScript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CreateOutcome {
    Created { number: String, url: String },
    Invalid { errors: Vec<FieldError> },
    Refused { message_key: String },
}

/// Where the ticket page lives.
pub fn ticket_url(number: &str) -> String {
    format!("/tickets/{number}")
}

/// "1.5 MB", "820 KB": sizes as people read them.
pub fn human_size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// A timestamp as "2026-11-27 23:45 UTC" (RFC 3339 in, readable out; garbage passes).
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(0..10), rfc3339.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => rfc3339.to_owned(),
    }
}
