//! SeaORM entities. These never cross to the browser: wire types live in `app`.

pub mod account;
pub mod attachment;
pub mod help_article;
pub mod help_event;
pub mod help_post;
pub mod help_post_answer;
pub mod mail_outbox;
pub mod membership;
pub mod password_reset;
pub mod rate_hit;
pub mod session;
pub mod sign_in_attempt;
pub mod ticket;
pub mod ticket_event;
pub mod ticket_field;
pub mod ticket_watcher;
pub mod user;
