//! Ticket identity and status, where a ticket lives, and what one change may carry.

use serde::{Deserialize, Serialize};

/// Where the ticket page lives.
pub fn ticket_url(number: &str) -> String {
    format!("/tickets/{number}")
}

/// The ticket page's "add attachments" form posts here (multipart, any number of
/// `files` parts); without JavaScript it redirects back to the ticket.
pub fn attach_url(number: &str) -> String {
    format!("/tickets/{number}/attachments")
}

/// Longest comment accepted, in characters.
pub const COMMENT_MAX_CHARS: usize = 10_000;

/// Files added to a ticket at once, at most.
pub const MAX_FILES_AT_ONCE: usize = 10;

/// Ticket numbers are eight digits: the database id above this base. Ids come from
/// the database, so numbers are sequential and unique across server processes.
pub const NUMBER_BASE: i64 = 10_000_000;

pub fn number_of(id: i64) -> String {
    (NUMBER_BASE + id).to_string()
}

/// The id behind a number as typed by a person (spaces and a leading `#` allowed).
pub fn id_of(number: &str) -> Option<i64> {
    let digits = number.trim().trim_start_matches('#');
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    (n > NUMBER_BASE).then_some(n - NUMBER_BASE)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    New,
    Open,
    Pending,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 5] = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::Pending,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            TicketStatus::New => "status.new",
            TicketStatus::Open => "status.open",
            TicketStatus::Pending => "status.pending",
            TicketStatus::Resolved => "status.resolved",
            TicketStatus::Closed => "status.closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_eight_digits_and_round_trip() {
        assert_eq!(number_of(1), "10000001");
        assert_eq!(id_of("10000001"), Some(1));
        assert_eq!(id_of(" #10000042 "), Some(42));
        assert_eq!(id_of("10000000"), None);
        assert_eq!(id_of("1000001"), None);
        assert_eq!(id_of("1000000a"), None);
        assert_eq!(id_of("+1000001"), None);
    }

    proptest! {
        #[test]
        fn any_id_round_trips(id in 1i64..89_999_999) {
            prop_assert_eq!(id_of(&number_of(id)), Some(id));
        }

        #[test]
        fn no_input_panics(s in "\\PC{0,40}") {
            let _ = id_of(&s);
        }
    }
}
