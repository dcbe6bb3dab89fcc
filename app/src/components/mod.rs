//! Pieces used across areas.

pub mod required;
