//! Pieces used across areas.

pub mod header;
pub mod not_found;
pub mod required;
