//! What happened to a ticket: one line of its history. The server stores an event as
//! its kind and a payload; the ticket page, the e-mails and the tests read the typed
//! event back, so adding a kind is one variant here and the compiler points at every
//! place that must say what it means.

use crate::TicketStatus;
use serde::{Deserialize, Serialize};

/// One event of a ticket's history, with what it carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketEvent {
    Created,
    /// A requester's or watcher's comment.
    Comment {
        body: String,
    },
    /// An agent's public reply.
    Reply {
        body: String,
    },
    /// An agent's internal note: never shown to customers, never mailed.
    Note {
        body: String,
    },
    /// The status moved; `auto` when the sweeper closed a resolved ticket.
    Status {
        from: TicketStatus,
        to: TicketStatus,
        #[serde(default, skip_serializing_if = "is_false")]
        auto: bool,
    },
    /// Assigned to an agent, by name.
    Assigned {
        to: String,
    },
    Unassigned,
    WatcherAdded {
        email: String,
    },
    WatcherRemoved {
        email: String,
    },
    /// Files added after creation, by name.
    Attachment {
        files: Vec<String>,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The kind of an event, as stored and as the page's labels and styles name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Comment,
    Reply,
    Note,
    Status,
    Assigned,
    Unassigned,
    WatcherAdded,
    WatcherRemoved,
    Attachment,
}

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Created,
        EventKind::Comment,
        EventKind::Reply,
        EventKind::Note,
        EventKind::Status,
        EventKind::Assigned,
        EventKind::Unassigned,
        EventKind::WatcherAdded,
        EventKind::WatcherRemoved,
        EventKind::Attachment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Comment => "comment",
            EventKind::Reply => "reply",
            EventKind::Note => "note",
            EventKind::Status => "status",
            EventKind::Assigned => "assigned",
            EventKind::Unassigned => "unassigned",
            EventKind::WatcherAdded => "watcher_added",
            EventKind::WatcherRemoved => "watcher_removed",
            EventKind::Attachment => "attachment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether customers see events of this kind (internal notes are for agents).
    pub fn is_public(self) -> bool {
        self != EventKind::Note
    }
}

impl TicketEvent {
    pub fn kind(&self) -> EventKind {
        match self {
            TicketEvent::Created => EventKind::Created,
            TicketEvent::Comment { .. } => EventKind::Comment,
            TicketEvent::Reply { .. } => EventKind::Reply,
            TicketEvent::Note { .. } => EventKind::Note,
            TicketEvent::Status { .. } => EventKind::Status,
            TicketEvent::Assigned { .. } => EventKind::Assigned,
            TicketEvent::Unassigned => EventKind::Unassigned,
            TicketEvent::WatcherAdded { .. } => EventKind::WatcherAdded,
            TicketEvent::WatcherRemoved { .. } => EventKind::WatcherRemoved,
            TicketEvent::Attachment { .. } => EventKind::Attachment,
        }
    }

    /// The text a person wrote, for the events that carry one.
    pub fn body(&self) -> Option<&str> {
        match self {
            TicketEvent::Comment { body } | TicketEvent::Reply { body } | TicketEvent::Note { body } => Some(body),
            _ => None,
        }
    }

    /// Whom the event concerns: the agent assigned, the watcher added or removed,
    /// the files added.
    pub fn target(&self) -> Option<String> {
        match self {
            TicketEvent::Assigned { to } => Some(to.clone()),
            TicketEvent::WatcherAdded { email } | TicketEvent::WatcherRemoved { email } => Some(email.clone()),
            TicketEvent::Attachment { files } => Some(files.join(", ")),
            _ => None,
        }
    }

    /// The status change it records.
    pub fn status_change(&self) -> Option<(TicketStatus, TicketStatus)> {
        match self {
            TicketEvent::Status { from, to, .. } => Some((*from, *to)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_names_itself_and_parses_back() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(EventKind::parse("nonsense"), None);
    }

    #[test]
    fn events_keep_the_stored_shape() {
        // The payloads rows already hold: the kind beside the fields, `auto` only
        // when true.
        let e = TicketEvent::Status {
            from: TicketStatus::Resolved,
            to: TicketStatus::Closed,
            auto: true,
        };
        let v = serde_json::to_value(&e).expect("serialises");
        assert_eq!(
            v,
            serde_json::json!({ "kind": "status", "from": "resolved", "to": "closed", "auto": true })
        );
        let manual = TicketEvent::Status {
            from: TicketStatus::New,
            to: TicketStatus::Open,
            auto: false,
        };
        assert_eq!(
            serde_json::to_value(&manual).expect("serialises"),
            serde_json::json!({ "kind": "status", "from": "new", "to": "open" })
        );
        let back: TicketEvent =
            serde_json::from_value(serde_json::json!({ "kind": "attachment", "files": ["a.pdf", "b.png"] }))
                .expect("parses");
        assert_eq!(back.target().as_deref(), Some("a.pdf, b.png"));
        assert_eq!(back.kind(), EventKind::Attachment);
    }

    #[test]
    fn a_payload_of_the_wrong_shape_is_an_error() {
        let bad = serde_json::from_value::<TicketEvent>(serde_json::json!({ "kind": "reply", "text": "hi" }));
        assert!(bad.is_err());
        let unknown = serde_json::from_value::<TicketEvent>(serde_json::json!({ "kind": "teleported" }));
        assert!(unknown.is_err());
    }
}
