//! SeaORM entities. These never cross to the browser: wire types live in `app`.

pub mod account;
pub mod membership;
pub mod session;
pub mod sign_in_attempt;
pub mod user;
