//! Watchers: addresses that follow a ticket. Capped per ticket, and per user and
//! hour for addresses outside the ticket's account (each gets the ticket's mail: no
//! relay for anyone).

use super::{TicketsService, history, storage};
use crate::db::entities::{membership, ticket, ticket_watcher, user};
use chrono::Utc;
use domain::TicketEvent;
use domain::lifecycle::{self, Action};
use domain::limit::Limit;
use domain::ports::TicketsError;
use domain::wire::accounts::Viewer;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, PaginatorTrait, QuerySelect, SqlErr, TransactionTrait};

impl TicketsService {
    /// Adds or removes a watcher (the requester and agents only, as the lifecycle says).
    pub(super) async fn change_watcher(
        &self,
        viewer: &Viewer,
        number: &str,
        email: &str,
        add: bool,
    ) -> Result<(), TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let action = if add { Action::AddWatcher } else { Action::RemoveWatcher };
        lifecycle::apply(t.status(), self.actor_of(viewer, &t), action)?;
        let existing = ticket_watcher::Entity::find()
            .filter(ticket_watcher::Column::TicketId.eq(t.id))
            .filter(ticket_watcher::Column::Email.eq(email))
            .one(&self.db)
            .await
            .map_err(storage)?;
        if add == existing.is_some() {
            return Ok(()); // already so: nothing to record
        }
        // A watcher with a user in the ticket's account sees it in their queue; any
        // other address only gets the e-mails.
        let user_id = match user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.db)
            .await
            .map_err(storage)?
        {
            Some(u) => membership::Entity::find()
                .filter(membership::Column::UserId.eq(u.id))
                .filter(membership::Column::AccountId.eq(t.account_id))
                .one(&self.db)
                .await
                .map_err(storage)?
                .map(|_| u.id),
            None => None,
        };
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(storage)?;
        // The ticket's row first: on PostgreSQL its lock makes watcher changes of one
        // ticket take turns (SQLite has one writer at a time), so the caps below
        // hold when requests race.
        ticket::Entity::update_many()
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .filter(ticket::Column::Id.eq(t.id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if add && let Err(limit) = self.watcher_limits(&txn, viewer, t.id, user_id.is_none(), now).await? {
            txn.rollback().await.map_err(storage)?;
            return Err(limit.into());
        }
        match existing {
            Some(w) => {
                ticket_watcher::Entity::delete_by_id(w.id)
                    .exec(&txn)
                    .await
                    .map_err(storage)?;
            }
            None => {
                let inserted = ticket_watcher::ActiveModel {
                    ticket_id: Set(t.id),
                    user_id: Set(user_id),
                    email: Set(email.to_owned()),
                    added_by: Set(viewer.user_id),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await;
                // Two identical requests at once: the unique index keeps one.
                if let Err(e) = inserted {
                    txn.rollback().await.map_err(storage)?;
                    return match e.sql_err() {
                        Some(SqlErr::UniqueConstraintViolation(_)) => Ok(()),
                        _ => Err(storage(e)),
                    };
                }
            }
        }
        let email = email.to_owned();
        let event = if add {
            TicketEvent::WatcherAdded { email }
        } else {
            TicketEvent::WatcherRemoved { email }
        };
        history::record(&txn, t.id, Some(viewer.user_id), &event, now)
            .await
            .map_err(storage)?;
        if let TicketEvent::WatcherAdded { email } = &event {
            self.notifier
                .watcher_added(&txn, &t, email, &viewer.name, now)
                .await
                .map_err(storage)?;
        }
        txn.commit().await.map_err(storage)?;
        self.notifier.wake();
        Ok(())
    }

    /// The caps on adding a watcher, read inside the adding transaction: watchers per
    /// ticket, and addresses from outside the ticket's account that one user added
    /// within the hour.
    async fn watcher_limits(
        &self,
        txn: &DatabaseTransaction,
        viewer: &Viewer,
        ticket_id: i64,
        outside: bool,
        now: chrono::DateTime<Utc>,
    ) -> Result<Result<(), Limit>, TicketsError> {
        let watchers = ticket_watcher::Entity::find()
            .filter(ticket_watcher::Column::TicketId.eq(ticket_id))
            .count(txn)
            .await
            .map_err(storage)?;
        if watchers >= u64::from(self.limits.max_watchers) {
            return Ok(Err(Limit::WatchersPerTicket));
        }
        if outside {
            // The adder's row, locked on PostgreSQL: one user's additions on several
            // tickets at once take turns too.
            user::Entity::find_by_id(viewer.user_id)
                .lock_exclusive()
                .one(txn)
                .await
                .map_err(storage)?;
            let recent = ticket_watcher::Entity::find()
                .filter(ticket_watcher::Column::AddedBy.eq(viewer.user_id))
                .filter(ticket_watcher::Column::UserId.is_null())
                .filter(ticket_watcher::Column::CreatedAt.gt(now - chrono::Duration::hours(1)))
                .count(txn)
                .await
                .map_err(storage)?;
            if recent >= u64::from(self.limits.max_outside_watchers_per_hour) {
                return Ok(Err(Limit::OutsideWatchersPerHour));
            }
        }
        Ok(Ok(()))
    }
}
