//! A new ticket in one transaction (ticket, fields, attachment record, first event,
//! mail), made once per idempotency key; and a follow-up of a closed ticket.

use super::{NewTicket, TicketsService, Upload, history, storage};
use crate::db::entities::{attachment, ticket, ticket_field};
use crate::mail::MailKind;
use crate::storage::StorageError;
use chrono::Utc;
use domain::TicketEvent;
use domain::lifecycle::{self, Action};
use domain::ports::TicketsError;
use domain::ticket::number_of;
use domain::wire::accounts::Viewer;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, SqlErr, TransactionTrait};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("database")]
    Database(#[from] DbErr),
}

/// An attachment's row (its bytes are already stored under `key`), written in the
/// caller's transaction.
pub(super) async fn record_attachment(
    txn: &impl ConnectionTrait,
    ticket_id: i64,
    upload: &Upload,
    by: i64,
    at: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    attachment::ActiveModel {
        ticket_id: Set(ticket_id),
        file_name: Set(upload.file_name.clone()),
        content_type: Set(upload.content_type.clone()),
        size: Set(i64::try_from(upload.size).unwrap_or(i64::MAX)),
        storage_key: Set(upload.key.clone()),
        uploaded_by: Set(by),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

impl TicketsService {
    /// Creates a ticket and returns its number. The same idempotency key from the
    /// same requester returns the first ticket instead of making a second one, also
    /// when both requests race (the key is unique in the database).
    pub async fn create(&self, t: NewTicket) -> Result<String, CreateError> {
        if let Some(existing) = self.by_key(&t).await? {
            return Ok(existing);
        }
        match self.insert(&t).await {
            Ok(number) => Ok(number),
            Err(e) => {
                if let Some(u) = &t.upload {
                    self.storage.delete(&u.key).await;
                }
                if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
                    && let Some(existing) = self.by_key(&t).await?
                {
                    return Ok(existing);
                }
                Err(e.into())
            }
        }
    }

    async fn by_key(&self, t: &NewTicket) -> Result<Option<String>, DbErr> {
        let Some(key) = &t.idempotency_key else { return Ok(None) };
        Ok(ticket::Entity::find()
            .filter(ticket::Column::IdempotencyKey.eq(key.as_str()))
            .filter(ticket::Column::RequesterId.eq(t.requester_id))
            .one(&self.db)
            .await?
            .map(|found| number_of(found.id)))
    }

    async fn insert(&self, t: &NewTicket) -> Result<String, DbErr> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let created = ticket::ActiveModel {
            account_id: Set(t.account_id),
            requester_id: Set(t.requester_id),
            family: Set(t.family.as_str().to_owned()),
            product: Set(t.values.get("product").cloned()),
            subject: Set(t.values.get("subject").cloned().unwrap_or_default()),
            status: Set(ticket::Status::New),
            idempotency_key: Set(t.idempotency_key.clone()),
            follow_up_of: Set(t.follow_up_of),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if !t.values.is_empty() {
            ticket_field::Entity::insert_many(t.values.iter().map(|(name, value)| ticket_field::ActiveModel {
                ticket_id: Set(created.id),
                name: Set(name.clone()),
                value: Set(value.clone()),
            }))
            .exec(&txn)
            .await?;
        }
        if let Some(upload) = &t.upload {
            record_attachment(&txn, created.id, upload, t.requester_id, now).await?;
        }
        history::record(&txn, created.id, Some(t.requester_id), &TicketEvent::Created, now).await?;
        self.notifier.ticket(&txn, &created, MailKind::Created, now).await?;
        txn.commit().await?;
        self.notifier.wake();
        Ok(number_of(created.id))
    }

    /// A new ticket linked to a closed one: the same family, product and subject;
    /// the requester adds the details next.
    pub(super) async fn open_follow_up(&self, viewer: &Viewer, number: &str) -> Result<String, TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        lifecycle::apply(t.status(), self.actor_of(viewer, &t), Action::FollowUp)?;
        let family = t.family().map_err(TicketsError::storage)?;
        let mut values: BTreeMap<String, String> = ticket_field::Entity::find()
            .filter(ticket_field::Column::TicketId.eq(t.id))
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .filter(|f| ["subject", "product", "environment", "business_impact"].contains(&f.name.as_str()))
            .map(|f| (f.name, f.value))
            .collect();
        values.insert("description".into(), format!("Follow-up of ticket #{number}."));
        self.create(NewTicket {
            requester_id: t.requester_id,
            account_id: t.account_id,
            family,
            values,
            upload: None,
            idempotency_key: None,
            follow_up_of: Some(t.id),
        })
        .await
        .map_err(TicketsError::storage)
    }
}
