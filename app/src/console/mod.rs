//! The agent console: every ticket, filtered and sorted by last update, and the
//! agent's actions on a ticket (assign, public reply or internal note, status).

pub mod api;
pub mod page;
pub mod panel;
