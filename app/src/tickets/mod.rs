//! Tickets as the customer sees them: the queue, the new-ticket form, the ticket page.

pub mod api;
pub mod detail;
pub mod form;
pub mod new;
pub mod queue;
#[cfg(feature = "browser")]
mod upload;
