//! Implementations of `app`'s ports over SeaORM, one per area.

pub mod accounts;
pub mod demo;
pub mod files;
pub mod help;
pub mod mailbox;
pub mod password;
pub mod setup;
pub mod tickets;
