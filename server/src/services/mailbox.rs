//! The admin view of the outbox (the mailbox when no SMTP is set).

use crate::db::entities::mail_outbox;
use crate::mail::outbox;
use async_trait::async_trait;
use domain::ports::{Mailbox, MailboxError};
use domain::wire::mailbox::{MailMessage, MailStatus, MailboxView};
use sea_orm::DatabaseConnection;

/// The page shows this many messages.
const SHOWN: u64 = 200;

pub struct MailboxService {
    pub db: DatabaseConnection,
    /// Where mail goes, as the page says it (never the SMTP password).
    pub transport: String,
    /// Whether password-reset links are shown whole: only in the demo with no SMTP
    /// (the local mailbox is then the only way to read them). Anywhere else a link
    /// on this page would let any admin take over any account.
    pub show_reset_links: bool,
}

/// The reset link's token replaced by a mark, wherever it appears in a text.
pub fn mask_reset_tokens(text: &str) -> String {
    const MARK: &str = "/password/reset?token=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        let token_len = after.bytes().take_while(u8::is_ascii_alphanumeric).count();
        out.push_str("[hidden]");
        rest = &after[token_len..];
    }
    out.push_str(rest);
    out
}

fn message(m: mail_outbox::Model, show_reset_links: bool) -> MailMessage {
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
        text: if show_reset_links {
            m.text_body
        } else {
            mask_reset_tokens(&m.text_body)
        },
    }
}

#[async_trait]
impl Mailbox for MailboxService {
    async fn recent(&self) -> Result<MailboxView, MailboxError> {
        let rows = outbox::recent(&self.db, SHOWN).await.map_err(MailboxError::storage)?;
        Ok(MailboxView {
            transport: self.transport.clone(),
            messages: rows.into_iter().map(|m| message(m, self.show_reset_links)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reset_tokens_are_masked_wherever_they_appear() {
        let text = "Open https://help.example.com/password/reset?token=9f8e7d6c5b4a within the hour.\n\
                    Again: /password/reset?token=abc123";
        let masked = super::mask_reset_tokens(text);
        assert!(
            !masked.contains("9f8e7d6c5b4a") && !masked.contains("abc123"),
            "{masked}"
        );
        assert!(
            masked.contains("/password/reset?token=[hidden] within the hour."),
            "{masked}"
        );
        assert_eq!(super::mask_reset_tokens("no link here"), "no link here");
    }
}
