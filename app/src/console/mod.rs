//! The agent console: every ticket, filtered and sorted by last update, and the
//! agent's actions on a ticket (assign, public reply or internal note, status).

pub mod api;
pub mod page;
pub mod panel;

use crate::domain::forms::Localized;
use crate::domain::{ProductFamily, TicketStatus};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsoleFilter {
    pub status: Option<TicketStatus>,
    pub family: Option<ProductFamily>,
    pub product: Option<String>,
    pub mine: bool,
    pub unassigned: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleRow {
    pub number: String,
    pub subject: String,
    pub status: TicketStatus,
    pub family: ProductFamily,
    pub product: Option<Localized>,
    pub requester: String,
    pub account: String,
    pub assignee: Option<String>,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsolePage {
    pub rows: Vec<ConsoleRow>,
    pub agents: Vec<Agent>,
}

/// Rows shown at most; filters narrow the rest.
pub const CONSOLE_LIMIT: u64 = 200;
