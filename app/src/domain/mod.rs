//! Pure rules shared by the browser and the server. No I/O here.

pub mod email;
pub mod family;
pub mod forms;
pub mod lifecycle;
pub mod limit;
pub mod password;
pub mod role;
pub mod text;
pub mod ticket;

pub use family::ProductFamily;
pub use role::Role;
pub use ticket::TicketStatus;
