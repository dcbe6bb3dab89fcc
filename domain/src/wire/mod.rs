//! Every type that crosses the wire between the browser and the server (server
//! function arguments and answers, JSON endpoints), by area.

pub mod accounts;
pub mod console;
pub mod help;
pub mod mailbox;
pub mod tickets;
