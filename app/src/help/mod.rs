//! The help center.

pub mod home;
