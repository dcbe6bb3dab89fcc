//! Delivery: takes due messages from the outbox and hands them to SMTP (lettre),
//! or writes them as `.eml` files in the mailbox folder when no SMTP is set.
//!
//! A message is marked sent only after the server accepted it. A failure keeps it
//! for a retry with exponential back-off; a worker killed mid-delivery leaves a
//! lease that expires, and any worker then sends the message. The one window left
//! is a crash between the SMTP server's "250 OK" and the row's update: that message
//! is sent again, with the same Message-ID so that receivers can tell.

use super::outbox;
use super::smtp::{SendError, SmtpClient, SmtpSettings};
use crate::db::entities::mail_outbox;
use chrono::Utc;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::DatabaseConnection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Smtp(SmtpClient),
    /// `.eml` files in this folder.
    Mailbox(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("GUICHET_SMTP_URL: {0}")]
    Url(String),
    #[error(transparent)]
    Smtp(#[from] super::smtp::SmtpSetupError),
    #[error("cannot create the mailbox folder {0}: {1}")]
    Mailbox(String, std::io::Error),
}

impl Transport {
    /// Where mail goes, as the admin page shows it.
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(client) => client.describe(),
            Transport::Mailbox(dir) => format!("mailbox: {}", dir.display()),
        }
    }

    /// SMTP when a URL is given, the mailbox folder otherwise.
    pub fn new(
        smtp_url: Option<&str>,
        extra_ca: Option<&Path>,
        mailbox: PathBuf,
        timeout: Duration,
    ) -> Result<Self, TransportError> {
        match smtp_url {
            Some(url) => Ok(Transport::Smtp(smtp_client(url, extra_ca, timeout)?)),
            None => {
                std::fs::create_dir_all(&mailbox)
                    .map_err(|e| TransportError::Mailbox(mailbox.display().to_string(), e))?;
                Ok(Transport::Mailbox(mailbox))
            }
        }
    }
}

/// The SMTP client of a `GUICHET_SMTP_URL` (see `smtp` for the forms it takes).
fn smtp_client(raw: &str, extra_ca: Option<&Path>, timeout: Duration) -> Result<SmtpClient, TransportError> {
    let settings = SmtpSettings::parse(raw).map_err(|e| TransportError::Url(e.to_owned()))?;
    // As many pooled connections as the worker sends messages at once.
    Ok(SmtpClient::new(&settings, extra_ca, timeout, 8)?)
}

/// Settings of the delivery loop.
#[derive(Clone)]
pub struct Worker {
    pub db: DatabaseConnection,
    pub transport: Transport,
    pub from: Mailbox,
    /// How long a claimed message is reserved to its worker (longer than one SMTP
    /// exchange can take).
    pub lease: Duration,
    /// The first retry's delay; each next one doubles.
    pub retry_base: Duration,
    /// Messages sent at once.
    pub concurrency: usize,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: u64,
    pub failed: u64,
}

enum Outcome {
    Sent(String),
    /// Worth another try later (connection refused, 4xx, timeout).
    Retry(String),
    /// Never deliverable as it is (bad address, 5xx).
    Permanent(String),
}

impl Worker {
    /// Sends what is due, until nothing is.
    pub async fn run_once(&self) -> Result<Pass, sea_orm::DbErr> {
        let mut pass = Pass::default();
        loop {
            // Claim only what is sent at once: every claimed message starts at once and
            // ends within the SMTP timeout, well inside its lease.
            let ids = outbox::due(&self.db, Utc::now(), self.concurrency.max(1) as u64).await?;
            if ids.is_empty() {
                return Ok(pass);
            }
            // One statement claims the batch; another worker gets what this one did not.
            let rows = outbox::claim_batch(&self.db, ids, Utc::now(), self.lease).await?;
            if rows.is_empty() {
                return Ok(pass);
            }
            let outcomes = futures::future::join_all(rows.iter().map(|row| self.send(row))).await;
            // One statement marks what was sent (SQLite has one writer: fewer, larger
            // writes are what makes the outbox keep up with SMTP).
            let mut sent: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
            for (row, outcome) in rows.iter().zip(outcomes) {
                match outcome {
                    Outcome::Sent(how) => sent.entry(how).or_default().push(row.id),
                    failed => {
                        self.record_failure(row, failed).await?;
                        pass.failed += 1;
                    }
                }
            }
            let progressed = !sent.is_empty();
            for (how, ids) in sent {
                pass.sent += ids.len() as u64;
                outbox::mark_sent(&self.db, ids, &how, Utc::now()).await?;
            }
            // Everything claimed failed: wait for the next tick (the back-off).
            if !progressed {
                return Ok(pass);
            }
        }
    }

    async fn record_failure(&self, row: &mail_outbox::Model, outcome: Outcome) -> Result<(), sea_orm::DbErr> {
        let id = row.id;
        match outcome {
            Outcome::Sent(_) => Ok(()),
            Outcome::Retry(e) => {
                let at = Utc::now()
                    + chrono::Duration::from_std(outbox::backoff(row.attempts, self.retry_base))
                        .unwrap_or(chrono::Duration::hours(1));
                tracing::warn!(id, attempts = row.attempts, error = %e, "mail not delivered, will retry");
                outbox::mark_failed(&self.db, id, &e, at).await
            }
            Outcome::Permanent(e) => {
                tracing::error!(id, error = %e, "mail refused for good");
                let parked = Utc::now() + chrono::Duration::days(365 * 100);
                outbox::mark_failed(&self.db, id, &format!("permanent: {e}"), parked).await
            }
        }
    }

    async fn send(&self, row: &mail_outbox::Model) -> Outcome {
        let message = match build(row, &self.from) {
            Ok(m) => m,
            Err(e) => return Outcome::Permanent(e),
        };
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(&message).await {
                Ok(code) => Outcome::Sent(format!("smtp: {code}")),
                Err(SendError::Permanent(e)) => Outcome::Permanent(e),
                Err(e @ (SendError::Transient(_) | SendError::TimedOut)) => Outcome::Retry(e.to_string()),
            },
            Transport::Mailbox(dir) => {
                let files = AsyncFileTransport::<Tokio1Executor>::new(dir);
                match files.send(message).await {
                    Ok(file_id) => Outcome::Sent(format!("mailbox: {file_id}.eml")),
                    Err(e) => Outcome::Retry(e.to_string()),
                }
            }
        }
    }

    /// Delivers until `stop` is cancelled: every `poll`, and at once when `wake` is
    /// notified (a message was just written by this process). A pass under way
    /// finishes first: no message is left half-sent with its lease held.
    pub async fn run(self, poll: Duration, wake: Arc<Notify>, stop: CancellationToken) {
        loop {
            match self.run_once().await {
                Ok(p) if p.sent > 0 || p.failed > 0 => {
                    tracing::info!(sent = p.sent, failed = p.failed, "mail delivery pass")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %crate::error_chain(&e), "mail delivery pass failed"),
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(poll) => {}
                _ = wake.notified() => {}
            }
        }
    }
}

/// The message as sent: from the no-reply address, plain text and HTML alternatives,
/// the Message-ID fixed in the outbox.
fn build(row: &mail_outbox::Model, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("recipient {:?}: {e}", row.recipient))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .date(row.created_at.into())
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            row.locale.clone(),
        ))
        // RFC 3834: no auto-replies (out-of-office) to a no-reply address.
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            row.text_body.clone(),
            row.html_body.clone(),
        ))
        .map_err(|e| e.to_string())
}
