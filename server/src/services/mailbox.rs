//! The admin view of the outbox (the mailbox when no SMTP is set).

use crate::db::entities::mail_outbox;
use crate::mail::outbox;
use app::admin::{MailMessage, MailStatus, MailboxPage};
use app::ports::Mailbox;
use async_trait::async_trait;
use sea_orm::DatabaseConnection;

/// The page shows this many messages.
const SHOWN: u64 = 200;

pub struct MailboxService {
    pub db: DatabaseConnection,
    /// Where mail goes, as the page says it (never the SMTP password).
    pub transport: String,
}

fn message(m: mail_outbox::Model) -> MailMessage {
    let status = match (m.sent_at, &m.last_error) {
        (Some(_), _) => MailStatus::Delivered,
        (None, Some(_)) => MailStatus::Retrying,
        (None, None) => MailStatus::Waiting,
    };
    MailMessage {
        id: m.id,
        to: m.recipient,
        subject: m.subject,
        locale: m.locale,
        written_at: m.created_at.to_rfc3339(),
        status,
        attempts: m.attempts,
        delivered_as: m.delivered_as,
        last_error: m.last_error,
        text: m.text_body,
    }
}

#[async_trait]
impl Mailbox for MailboxService {
    async fn recent(&self) -> Result<MailboxPage, String> {
        let rows = outbox::recent(&self.db, SHOWN).await.map_err(|e| e.to_string())?;
        Ok(MailboxPage {
            transport: self.transport.clone(),
            messages: rows.into_iter().map(message).collect(),
        })
    }
}
