//! People and accounts: who is signed in, in which account, and the sign-in flow.

pub mod api;
pub mod menu;
pub mod reset;
pub mod signin;
