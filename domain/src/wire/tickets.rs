//! Tickets as they cross the wire: the queue, the ticket page, the new-ticket form.

use crate::forms::{FieldError, FormSet, Localized};
use crate::{ProductFamily, TicketStatus};
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
pub struct QueueView {
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
    pub offered: Vec<crate::lifecycle::Action>,
    /// When a resolved ticket will close by itself unless someone replies.
    pub auto_close_at: Option<String>,
    /// For agents: who works the ticket, and who could.
    pub assignee: Option<String>,
    pub agents: Vec<super::console::Agent>,
    /// The e-mail addresses following the ticket.
    pub watchers: Vec<String>,
    /// The closed ticket this one follows up, by number.
    pub follow_up_of: Option<String>,
    /// The largest file accepted, for the "add attachments" form's help.
    pub max_upload_bytes: u64,
}

/// One line of the ticket's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub kind: crate::EventKind,
    pub who: String,
    pub at: String,
    /// The comment, rendered from light Markdown and sanitised by the server.
    pub body_html: Option<String>,
    pub status_change: Option<(TicketStatus, TicketStatus)>,
    /// Whom the event concerns: the agent assigned, the watcher added or removed.
    pub target: Option<String>,
}

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
