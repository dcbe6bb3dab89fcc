//! Files added to a ticket after it was opened, and downloads. Files are stored
//! first; their rows and one event are written in one transaction, and the stored
//! files are removed if it fails.

use super::create::record_attachment;
use super::{TicketsService, Upload, file_storage, history, storage};
use crate::db::entities::{attachment, ticket};
use crate::storage::ObjectStream;
use chrono::Utc;
use domain::lifecycle::{self, Action};
use domain::ports::TicketsError;
use domain::wire::accounts::Viewer;
use domain::{TicketEvent, TicketStatus};
use sea_orm::TransactionTrait;
use sea_orm::prelude::*;

impl TicketsService {
    /// Adds checked files to a ticket, as the lifecycle allows (never to a closed one).
    pub async fn attach(&self, viewer: &Viewer, number: &str, uploads: Vec<Upload>) -> Result<usize, TicketsError> {
        let stored: Vec<String> = uploads.iter().map(|u| u.key.clone()).collect();
        let t = match self.attachable(viewer, number).await {
            Ok(t) => t,
            Err(e) => {
                for key in &stored {
                    self.storage.delete(key).await;
                }
                return Err(e);
            }
        };
        let now = Utc::now();
        let written: Result<(), DbErr> = async {
            let txn = self.db.begin().await?;
            // Conditional on the ticket not being closed meanwhile.
            let still_open = ticket::Entity::update_many()
                .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
                .filter(ticket::Column::Id.eq(t.id))
                .filter(ticket::Column::Status.ne(ticket::Status::from(TicketStatus::Closed)))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if !still_open {
                txn.rollback().await?;
                return Err(DbErr::RecordNotUpdated);
            }
            for u in &uploads {
                record_attachment(&txn, t.id, u, viewer.user_id, now).await?;
            }
            let files = uploads.iter().map(|u| u.file_name.clone()).collect();
            history::record(
                &txn,
                t.id,
                Some(viewer.user_id),
                &TicketEvent::Attachment { files },
                now,
            )
            .await?;
            txn.commit().await
        }
        .await;
        if let Err(e) = written {
            for key in &stored {
                self.storage.delete(key).await;
            }
            return Err(match e {
                DbErr::RecordNotUpdated => lifecycle::Refusal::Closed.into(),
                e => storage(e),
            });
        }
        Ok(uploads.len())
    }

    /// Whether the viewer may add files to this ticket now: asked before the body of
    /// an upload is read, so that nobody streams files at a ticket that is not theirs.
    pub async fn may_attach(&self, viewer: &Viewer, number: &str) -> Result<(), TicketsError> {
        self.attachable(viewer, number).await.map(|_| ())
    }

    async fn attachable(&self, viewer: &Viewer, number: &str) -> Result<ticket::Model, TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        lifecycle::apply(t.status(), self.actor_of(viewer, &t), Action::AddAttachment)?;
        Ok(t)
    }

    /// An attachment and its bytes as a stream, for someone who may see its ticket.
    pub async fn attachment(
        &self,
        viewer: &Viewer,
        id: i64,
    ) -> Result<(attachment::Model, ObjectStream), TicketsError> {
        let a = attachment::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(storage)?
            .ok_or(TicketsError::NotFound)?;
        self.visible(viewer, a.ticket_id)
            .await
            .map_err(storage)?
            .ok_or(TicketsError::NotFound)?;
        let bytes = self.storage.read(&a.storage_key).await.map_err(file_storage)?;
        Ok((a, bytes))
    }
}
