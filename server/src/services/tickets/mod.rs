//! Tickets: what the tickets port promises, by concern.
//!
//! - `create`: a new ticket in one transaction (ticket, fields, file, event, mail);
//! - `visibility`: who may see a ticket, and who they are to it;
//! - `history`: events written and read back as `domain::TicketEvent`;
//! - `transition`: the one way a status moves, for agents, customers and the sweeper;
//! - `watchers`, `attachments`: what can be added to a ticket, within its limits;
//! - `queries`: the customer's queue, the ticket page and the agents' console.

mod attachments;
mod console;
mod create;
mod history;
mod queries;
pub mod transition;
mod visibility;
mod watchers;

use crate::db::entities::user;
use crate::mail::Notifier;
use crate::storage::{Storage, StorageError};
use async_trait::async_trait;
use domain::TicketStatus;
use domain::forms::FormSet;
use domain::lifecycle::{Action, Actor};
use domain::ports::{Tickets, TicketsError};
use domain::wire::accounts::Viewer;
use domain::wire::console::{ConsoleFilter, ConsoleView};
use domain::wire::tickets::{QueueFilter, QueueView, TicketDetail};
use domain::{ProductFamily, TicketEvent};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use create::CreateError;

/// Queue pages hold this many tickets.
pub const PAGE_SIZE: u64 = 25;

pub struct TicketsService {
    db: DatabaseConnection,
    forms: Arc<FormSet>,
    storage: Storage,
    limits: TicketLimits,
    /// Writes the e-mails of each change in its transaction (and knows the grace
    /// period a resolved ticket waits).
    notifier: Notifier,
}

/// What one ticket and one user may add.
#[derive(Clone, Copy, Debug)]
pub struct TicketLimits {
    pub max_upload: u64,
    pub max_watchers: u32,
    pub max_outside_watchers_per_hour: u32,
}

/// A checked file, already in storage under `key` (streamed there as it arrived).
/// The service records it, or deletes it when the change it belongs to fails.
pub struct Upload {
    pub file_name: String,
    pub content_type: String,
    pub key: String,
    pub size: u64,
}

pub struct NewTicket {
    pub requester_id: i64,
    pub account_id: i64,
    pub family: ProductFamily,
    /// Validated, normalised values by field name.
    pub values: BTreeMap<String, String>,
    pub upload: Option<Upload>,
    pub idempotency_key: Option<String>,
    /// The closed ticket this one follows up.
    pub follow_up_of: Option<i64>,
}

/// A database failure as the port reports it: the cause is kept for the log.
fn storage(e: DbErr) -> TicketsError {
    TicketsError::storage(e)
}

/// A stored row this version cannot read: logged with its id, answered as a
/// storage failure (never passed off as another family or status).
fn bad_row(e: crate::db::entities::ticket::BadRow) -> TicketsError {
    TicketsError::storage(e)
}

/// A file store failure, likewise.
fn file_storage(e: StorageError) -> TicketsError {
    TicketsError::storage(e)
}

impl TicketsService {
    pub fn new(
        db: DatabaseConnection,
        forms: Arc<FormSet>,
        storage: Storage,
        limits: TicketLimits,
        notifier: Notifier,
    ) -> Self {
        Self {
            db,
            forms,
            storage,
            limits,
            notifier,
        }
    }

    /// Where uploads are streamed to before they are recorded.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The names of these users, by id.
    async fn user_names(&self, ids: Vec<i64>) -> Result<HashMap<i64, String>, TicketsError> {
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }

    /// A lifecycle step on a ticket the viewer may see, through the one transition.
    async fn step(
        &self,
        viewer: &Viewer,
        number: &str,
        actor: Option<Actor>,
        action: Action,
        event: Option<TicketEvent>,
    ) -> Result<(), TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let actor = actor.unwrap_or_else(|| self.actor_of(viewer, &t));
        transition::apply(&self.db, &self.notifier, &t, Some(viewer.user_id), actor, action, event)
            .await
            .map(|_| ())
    }
}

#[async_trait]
impl Tickets for TicketsService {
    fn forms(&self) -> Arc<FormSet> {
        self.forms.clone()
    }

    fn max_upload_bytes(&self) -> u64 {
        self.limits.max_upload
    }

    async fn queue(&self, viewer: &Viewer, filter: QueueFilter) -> Result<QueueView, TicketsError> {
        self.queue_of(viewer, filter).await
    }

    async fn detail(&self, viewer: &Viewer, number: &str) -> Result<TicketDetail, TicketsError> {
        self.page_of(viewer, number).await
    }

    async fn comment(&self, viewer: &Viewer, number: &str, body: &str) -> Result<(), TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let actor = self.actor_of(viewer, &t);
        let body = body.to_owned();
        let (action, event) = match actor {
            Actor::Agent => (Action::PublicReply(None), TicketEvent::Reply { body }),
            _ => (Action::Comment, TicketEvent::Comment { body }),
        };
        self.step(viewer, number, Some(actor), action, Some(event)).await
    }

    async fn confirm_close(&self, viewer: &Viewer, number: &str) -> Result<(), TicketsError> {
        self.step(viewer, number, None, Action::ConfirmClose, None).await
    }

    async fn console(&self, viewer: &Viewer, filter: ConsoleFilter) -> Result<ConsoleView, TicketsError> {
        if !viewer.role.is_staff() {
            return Err(TicketsError::NotFound);
        }
        self.console_of(viewer, filter).await
    }

    async fn agent_reply(
        &self,
        viewer: &Viewer,
        number: &str,
        body: &str,
        internal: bool,
        status: Option<TicketStatus>,
    ) -> Result<(), TicketsError> {
        if !viewer.role.is_staff() {
            return Err(TicketsError::NotFound);
        }
        let body = body.to_owned();
        let (step, then) = match (body.is_empty(), internal, status) {
            (true, _, s) => (None, s),
            (false, true, s) => (Some((Action::InternalNote, TicketEvent::Note { body })), s),
            // A public reply may set open or pending itself; resolved comes after.
            (false, false, Some(s @ (TicketStatus::Open | TicketStatus::Pending))) => {
                (Some((Action::PublicReply(Some(s)), TicketEvent::Reply { body })), None)
            }
            (false, false, s) => (Some((Action::PublicReply(None), TicketEvent::Reply { body })), s),
        };
        if let Some((action, event)) = step {
            self.step(viewer, number, Some(Actor::Agent), action, Some(event))
                .await?;
        }
        if let Some(target) = then {
            let t = self.ticket_for(viewer, number).await?;
            if t.status() != target {
                self.step(viewer, number, Some(Actor::Agent), Action::SetStatus(target), None)
                    .await?;
            }
        }
        Ok(())
    }

    async fn watch(&self, viewer: &Viewer, number: &str, email: &str, add: bool) -> Result<(), TicketsError> {
        self.change_watcher(viewer, number, email, add).await
    }

    async fn follow_up(&self, viewer: &Viewer, number: &str) -> Result<String, TicketsError> {
        self.open_follow_up(viewer, number).await
    }

    async fn assign(&self, viewer: &Viewer, number: &str, assignee: Option<i64>) -> Result<(), TicketsError> {
        if !viewer.role.is_staff() {
            return Err(TicketsError::NotFound);
        }
        self.assign_to(viewer, number, assignee).await
    }
}
