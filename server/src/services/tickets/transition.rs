//! The one way a ticket's status moves: agents, customers and the auto-close sweeper
//! all come through `apply`.
//!
//! The lifecycle decides the new status from the current one; the update is
//! conditional on the status still being the one decided on (`UPDATE … WHERE id = ?
//! AND status = ?`), so two concurrent changes, or two sweeping processes, cannot
//! both apply. When it lost the race it decides again on the fresh row. The events
//! and the e-mails are written in the same transaction: one change, one set of mails.

use super::history;
use crate::db::entities::{ticket, user};
use crate::mail::{MailKind, Notifier};
use chrono::Utc;
use domain::lifecycle::{self, Action, Actor};
use domain::ports::TicketsError;
use domain::{TicketEvent, TicketStatus};
use sea_orm::TransactionTrait;
use sea_orm::prelude::*;

/// What a transition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub from: TicketStatus,
    pub to: TicketStatus,
}

/// Applies `action` by `actor` (a user, or nobody for the system) to `t`, with the
/// event it carries (a comment, a reply, a note); a status change leaves its own
/// event. Refused by the lifecycle: nothing is written.
pub async fn apply(
    db: &DatabaseConnection,
    notifier: &Notifier,
    t: &ticket::Model,
    actor_id: Option<i64>,
    actor: Actor,
    action: Action,
    event: Option<TicketEvent>,
) -> Result<Moved, TicketsError> {
    let mut t = t.clone();
    loop {
        let from = t.status();
        let to = lifecycle::apply(from, actor, action)?;
        let now = Utc::now();
        let txn = db.begin().await.map_err(TicketsError::storage)?;
        let mut update = ticket::Entity::update_many()
            .col_expr(ticket::Column::Status, Expr::value(ticket::Status::from(to)))
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::Status.eq(ticket::Status::from(from)));
        if to == TicketStatus::Closed {
            update = update.col_expr(ticket::Column::ClosedAt, Expr::value(now));
        }
        if to == TicketStatus::Resolved {
            update = update.col_expr(ticket::Column::ResolvedAt, Expr::value(now));
        }
        let changed = update.exec(&txn).await.map_err(TicketsError::storage)?.rows_affected;
        if changed == 0 {
            // Someone changed it meanwhile: decide again on what it is now.
            txn.rollback().await.map_err(TicketsError::storage)?;
            let fresh = ticket::Entity::find_by_id(t.id)
                .one(db)
                .await
                .map_err(TicketsError::storage)?
                .ok_or(TicketsError::NotFound)?;
            if fresh.status == t.status {
                return Err(TicketsError::storage(LostUpdate(t.id)));
            }
            t = fresh;
            continue;
        }
        let mails = mails_for(event.as_ref(), from, to, actor);
        if let Some(e) = &event {
            history::record(&txn, t.id, actor_id, e, now)
                .await
                .map_err(TicketsError::storage)?;
        }
        if to != from {
            let moved = TicketEvent::Status {
                from,
                to,
                auto: actor == Actor::System,
            };
            history::record(&txn, t.id, actor_id, &moved, now)
                .await
                .map_err(TicketsError::storage)?;
        }
        if !mails.is_empty() {
            let who = match actor_id {
                Some(id) => user::Entity::find_by_id(id)
                    .one(&txn)
                    .await
                    .map_err(TicketsError::storage)?
                    .map(|u| u.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            for mail in mails {
                let kind = match mail {
                    Mail::Reply(body) => MailKind::Reply { who: who.clone(), body },
                    Mail::Reopened(body) => MailKind::Reopened { who: who.clone(), body },
                    Mail::Resolved => MailKind::Resolved {
                        closes_on: now + chrono::Duration::from_std(notifier.grace).unwrap_or(chrono::Duration::MAX),
                    },
                    Mail::Closed => MailKind::Closed,
                };
                notifier
                    .ticket(&txn, &t, kind, now)
                    .await
                    .map_err(TicketsError::storage)?;
            }
        }
        txn.commit().await.map_err(TicketsError::storage)?;
        notifier.wake();
        return Ok(Moved { from, to });
    }
}

/// The conditional update matched nothing although the status had not changed: the
/// row changed in a way this transition cannot decide on.
#[derive(Debug, thiserror::Error)]
#[error("ticket {0}: the status update was lost")]
struct LostUpdate(i64);

/// The e-mails a change sends (SPEC, "E-mail"); never for internal notes.
#[derive(Debug, PartialEq, Eq)]
enum Mail {
    Reply(String),
    Resolved,
    Reopened(String),
    Closed,
}

fn mails_for(event: Option<&TicketEvent>, from: TicketStatus, to: TicketStatus, actor: Actor) -> Vec<Mail> {
    let mut mails = Vec::new();
    let body = event.and_then(TicketEvent::body).unwrap_or_default().to_owned();
    if let Some(TicketEvent::Reply { body }) = event {
        mails.push(Mail::Reply(body.clone()));
    }
    if to != from {
        match to {
            TicketStatus::Resolved => mails.push(Mail::Resolved),
            TicketStatus::Closed => mails.push(Mail::Closed),
            TicketStatus::Open
                if from == TicketStatus::Resolved && matches!(actor, Actor::Requester | Actor::Watcher) =>
            {
                mails.push(Mail::Reopened(body))
            }
            _ => {}
        }
    }
    mails
}
