//! The ticket lifecycle: one state machine, asked by the UI (what to offer) and by
//! the server (what to accept), so the two can never disagree.
//!
//! new → open → pending → resolved → closed (SPEC.md, "Ticket lifecycle"):
//! - an agent's public reply can set open or pending (a reply to a new ticket opens
//!   it); a customer comment on a pending or resolved ticket sets it open again;
//! - an agent marks a ticket resolved; it then closes by itself after the grace
//!   period, or at once when the requester confirms;
//! - a closed ticket is read-only for everyone and is never reopened: a follow-up
//!   ticket links to it instead.

use super::TicketStatus;
use serde::{Deserialize, Serialize};

/// Who acts, relative to the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Actor {
    /// The customer who opened the ticket.
    Requester,
    /// A customer added to follow it.
    Watcher,
    /// Agents and admins.
    Agent,
    /// The background sweeper.
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A customer's comment.
    Comment,
    /// An agent's reply the customer sees, optionally setting open or pending.
    PublicReply(Option<TicketStatus>),
    /// An agent's note customers never see.
    InternalNote,
    AddAttachment,
    AddWatcher,
    RemoveWatcher,
    Assign,
    /// An agent sets open, pending or resolved.
    SetStatus(TicketStatus),
    /// The requester closes a resolved ticket at once.
    ConfirmClose,
    /// The sweeper closes a resolved ticket after the grace period.
    AutoClose,
    /// A new ticket linked to a closed one.
    FollowUp,
}

/// Why an action is refused; each has a message in the catalogues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Refusal {
    #[error("the ticket is closed")]
    Closed,
    #[error("only agents may do this")]
    AgentsOnly,
    #[error("only the requester or an agent may do this")]
    RequesterOrAgent,
    #[error("not possible in this state")]
    WrongState,
}

impl Refusal {
    pub fn message_key(self) -> &'static str {
        match self {
            Refusal::Closed => "lifecycle.closed",
            Refusal::AgentsOnly => "lifecycle.agents_only",
            Refusal::RequesterOrAgent => "lifecycle.requester_or_agent",
            Refusal::WrongState => "lifecycle.wrong_state",
        }
    }
}

/// The status after `action` by `actor` on a ticket in `status`, or why not.
pub fn apply(status: TicketStatus, actor: Actor, action: Action) -> Result<TicketStatus, Refusal> {
    use Action::*;
    use TicketStatus::*;
    let customer = matches!(actor, Actor::Requester | Actor::Watcher);
    let agent = actor == Actor::Agent;
    if status == Closed {
        // Read-only for ever; only a follow-up, which makes another ticket.
        return match (action, actor) {
            (FollowUp, Actor::Requester | Actor::Agent) => Ok(Closed),
            (FollowUp, _) => Err(Refusal::RequesterOrAgent),
            _ => Err(Refusal::Closed),
        };
    }
    match action {
        Comment if customer => Ok(match status {
            Pending | Resolved => Open,
            other => other,
        }),
        Comment => Err(Refusal::WrongState),
        PublicReply(set) if agent => match set {
            None if status == New => Ok(Open),
            None => Ok(status),
            Some(s @ (Open | Pending)) => Ok(s),
            Some(_) => Err(Refusal::WrongState),
        },
        InternalNote if agent => Ok(status),
        PublicReply(_) | InternalNote | Assign => {
            if agent {
                Ok(status)
            } else {
                Err(Refusal::AgentsOnly)
            }
        }
        AddAttachment if actor != Actor::System => Ok(status),
        AddWatcher | RemoveWatcher if matches!(actor, Actor::Requester | Actor::Agent) => Ok(status),
        AddWatcher | RemoveWatcher => Err(Refusal::RequesterOrAgent),
        SetStatus(target) if agent => match target {
            Open | Pending | Resolved if target != status => Ok(target),
            _ => Err(Refusal::WrongState),
        },
        SetStatus(_) => Err(Refusal::AgentsOnly),
        ConfirmClose if actor == Actor::Requester && status == Resolved => Ok(Closed),
        ConfirmClose if actor == Actor::Requester => Err(Refusal::WrongState),
        ConfirmClose => Err(Refusal::RequesterOrAgent),
        AutoClose if actor == Actor::System && status == Resolved => Ok(Closed),
        AutoClose => Err(Refusal::WrongState),
        FollowUp => Err(Refusal::WrongState),
        AddAttachment => Err(Refusal::WrongState),
    }
}

/// Every action the UI could offer, to ask `apply` about.
pub fn candidates() -> Vec<Action> {
    use Action::*;
    use TicketStatus::*;
    let mut all = vec![
        Comment,
        PublicReply(None),
        PublicReply(Some(Open)),
        PublicReply(Some(Pending)),
        InternalNote,
        AddAttachment,
        AddWatcher,
        RemoveWatcher,
        Assign,
        ConfirmClose,
        AutoClose,
        FollowUp,
    ];
    all.extend([Open, Pending, Resolved].map(SetStatus));
    all
}

/// What the UI offers this actor on a ticket in this status: exactly what `apply`
/// accepts.
pub fn offered(status: TicketStatus, actor: Actor) -> Vec<Action> {
    candidates()
        .into_iter()
        .filter(|a| apply(status, actor, *a).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;
    use proptest::prelude::*;

    fn actor() -> impl Strategy<Value = Actor> {
        prop_oneof![
            Just(Actor::Requester),
            Just(Actor::Watcher),
            Just(Actor::Agent),
            Just(Actor::System)
        ]
    }

    fn action() -> impl Strategy<Value = Action> {
        proptest::sample::select(candidates())
    }

    proptest! {
        /// Random sequences by random actors: a closed ticket stays closed, customers
        /// never do an agent's action, and what is offered is what is accepted.
        #[test]
        fn random_sequences_keep_the_rules(steps in prop::collection::vec((actor(), action()), 0..60)) {
            let mut status = New;
            for (who, what) in steps {
                let before = status;
                let result = apply(status, who, what);
                prop_assert_eq!(offered(before, who).contains(&what), result.is_ok());
                if let Ok(next) = result {
                    if before == Closed {
                        prop_assert_eq!(next, Closed, "a closed ticket never reopens");
                    }
                    if matches!(who, Actor::Requester | Actor::Watcher) {
                        prop_assert!(!matches!(what, Action::PublicReply(_) | Action::InternalNote | Action::Assign | Action::SetStatus(_)));
                    }
                    if next == Closed && before != Closed {
                        prop_assert!(matches!((who, what), (Actor::Requester, Action::ConfirmClose) | (Actor::System, Action::AutoClose)));
                    }
                    status = next;
                }
            }
        }
    }

    #[test]
    fn the_rules_of_the_spec() {
        assert_eq!(apply(New, Actor::Agent, Action::PublicReply(None)), Ok(Open));
        assert_eq!(
            apply(Open, Actor::Agent, Action::PublicReply(Some(Pending))),
            Ok(Pending)
        );
        assert_eq!(apply(Pending, Actor::Requester, Action::Comment), Ok(Open));
        assert_eq!(apply(Resolved, Actor::Watcher, Action::Comment), Ok(Open));
        assert_eq!(apply(Open, Actor::Agent, Action::SetStatus(Resolved)), Ok(Resolved));
        assert_eq!(apply(Resolved, Actor::Requester, Action::ConfirmClose), Ok(Closed));
        assert_eq!(apply(Resolved, Actor::System, Action::AutoClose), Ok(Closed));
        assert_eq!(apply(Open, Actor::System, Action::AutoClose), Err(Refusal::WrongState));
        assert_eq!(apply(Closed, Actor::Requester, Action::Comment), Err(Refusal::Closed));
        assert_eq!(
            apply(Closed, Actor::Agent, Action::SetStatus(Open)),
            Err(Refusal::Closed)
        );
        assert_eq!(
            apply(Open, Actor::Requester, Action::InternalNote),
            Err(Refusal::AgentsOnly)
        );
        assert_eq!(
            apply(Open, Actor::Watcher, Action::AddWatcher),
            Err(Refusal::RequesterOrAgent)
        );
        assert_eq!(
            apply(Open, Actor::Requester, Action::SetStatus(Resolved)),
            Err(Refusal::AgentsOnly)
        );
        assert_eq!(apply(Closed, Actor::Requester, Action::FollowUp), Ok(Closed));
        assert!(offered(Closed, Actor::Requester) == vec![Action::FollowUp]);
    }
}
