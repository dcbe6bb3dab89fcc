//! The agent console's list: every ticket, filtered.

use crate::forms::Localized;
use crate::{ProductFamily, TicketStatus};
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
pub struct ConsoleView {
    pub rows: Vec<ConsoleRow>,
    pub agents: Vec<Agent>,
}

/// Rows shown at most; filters narrow the rest.
pub const CONSOLE_LIMIT: u64 = 200;
