//! The e-mails Guichet wrote, as the admins' mailbox shows them.

use serde::{Deserialize, Serialize};

/// What became of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailStatus {
    Delivered,
    /// Not tried yet (or being sent now).
    Waiting,
    /// Failed at least once; another try is planned.
    Retrying,
}

impl MailStatus {
    pub fn label_key(self) -> &'static str {
        match self {
            MailStatus::Delivered => "mailbox.sent",
            MailStatus::Waiting => "mailbox.waiting",
            MailStatus::Retrying => "mailbox.retrying",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub locale: String,
    pub written_at: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub delivered_as: Option<String>,
    pub last_error: Option<String>,
    /// The plain-text part, as sent.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxView {
    /// Where mail goes: the SMTP server, or the mailbox folder.
    pub transport: String,
    pub messages: Vec<MailMessage>,
}
