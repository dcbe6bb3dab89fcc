//! Guichet's domain: the rules shared by the browser and the server, every type that
//! crosses the wire, the ports the server implements, and a ticket's events.
//!
//! Nothing here does I/O, and nothing depends on the web framework, the database or
//! the runtime (serde and thiserror only): the crate is compiled for the server and
//! for the browser, and every other crate of the workspace sits on top of it.

pub mod email;
pub mod event;
pub mod family;
pub mod forms;
pub mod help;
pub mod lifecycle;
pub mod limit;
pub mod locale;
pub mod password;
#[cfg(feature = "ports")]
pub mod ports;
pub mod role;
pub mod size;
pub mod text;
pub mod ticket;
pub mod wire;

pub use event::{EventKind, TicketEvent};
pub use family::ProductFamily;
pub use locale::Locale;
pub use role::Role;
pub use ticket::TicketStatus;
