//! Background jobs. Each is safe to run on every server process at once against
//! the same database: work is claimed with conditional updates, never with locks
//! held in memory.

pub mod sweeper;
