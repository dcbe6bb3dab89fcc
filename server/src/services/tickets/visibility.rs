//! Who may see a ticket, and who they are to it. Staff see every ticket; a customer
//! sees the tickets they opened or watch, in accounts they belong to. Anything else
//! is answered exactly as a missing ticket.

use super::{TicketsService, storage};
use crate::db::entities::{ticket, ticket_watcher};
use domain::lifecycle::Actor;
use domain::ports::TicketsError;
use domain::ticket::id_of;
use domain::wire::accounts::Viewer;
use sea_orm::prelude::*;

impl TicketsService {
    /// The ticket if the viewer may see it.
    pub(super) async fn visible(&self, viewer: &Viewer, id: i64) -> Result<Option<ticket::Model>, DbErr> {
        let Some(t) = ticket::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(None);
        };
        if viewer.role.is_staff() {
            return Ok(Some(t));
        }
        if !viewer.accounts.iter().any(|a| a.id == t.account_id) {
            return Ok(None);
        }
        if t.requester_id == viewer.user_id {
            return Ok(Some(t));
        }
        let watching = ticket_watcher::Entity::find()
            .filter(ticket_watcher::Column::TicketId.eq(t.id))
            .filter(ticket_watcher::Column::UserId.eq(viewer.user_id))
            .one(&self.db)
            .await?
            .is_some();
        Ok(watching.then_some(t))
    }

    /// The ticket behind a number, if the viewer may see it; `NotFound` otherwise.
    pub(super) async fn ticket_for(&self, viewer: &Viewer, number: &str) -> Result<ticket::Model, TicketsError> {
        let id = id_of(number).ok_or(TicketsError::NotFound)?;
        self.visible(viewer, id)
            .await
            .map_err(storage)?
            .ok_or(TicketsError::NotFound)
    }

    /// Who the viewer is to this ticket (they may already see it).
    pub(super) fn actor_of(&self, viewer: &Viewer, t: &ticket::Model) -> Actor {
        if viewer.role.is_staff() {
            Actor::Agent
        } else if t.requester_id == viewer.user_id {
            Actor::Requester
        } else {
            Actor::Watcher
        }
    }
}
