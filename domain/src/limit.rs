//! Limits a request can run into that are nobody's error: the answer says which one,
//! in words the user understands, and nothing is changed.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Limit {
    /// The ticket already has as many watchers as allowed.
    #[error("this ticket has the most watchers allowed")]
    WatchersPerTicket,
    /// Too many addresses without an account in this help center were added by one
    /// user within the hour (watchers are mailed: the cap keeps them from being a relay).
    #[error("too many new outside watchers this hour")]
    OutsideWatchersPerHour,
    /// Too many requests of this kind from one address, or the queue is full.
    #[error("too many requests")]
    TooManyRequests,
}

impl Limit {
    pub fn message_key(self) -> &'static str {
        match self {
            Limit::WatchersPerTicket => "limit.watchers_per_ticket",
            Limit::OutsideWatchersPerHour => "limit.outside_watchers",
            Limit::TooManyRequests => "limit.too_many_requests",
        }
    }

    /// The HTTP status: a full ticket is a conflict with its state; the others ask
    /// the client to come back later.
    pub fn status(self) -> u16 {
        match self {
            Limit::WatchersPerTicket => 409,
            Limit::OutsideWatchersPerHour | Limit::TooManyRequests => 429,
        }
    }
}
