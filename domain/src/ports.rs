//! What server functions may ask of the server. The server implements these traits
//! over its database and hands them over through Leptos context.
//!
//! A port's `Storage` error keeps its cause as the source: the server logs it once,
//! with the chain, and the user sees only "internal error".

use crate::forms::FormSet;
use crate::lifecycle::Refusal;
use crate::limit::Limit;
use crate::wire::accounts::Viewer;
use crate::wire::console::{ConsoleFilter, ConsoleView};
use crate::wire::help::{
    ArticleView, CategoryView, DeflectionReport, HelpEventKind, HelpHome, ItemKind, PostView, SearchResults,
};
use crate::wire::mailbox::MailboxView;
use crate::wire::tickets::{QueueFilter, QueueView, TicketDetail};
use crate::{Locale, ProductFamily, TicketStatus};
use async_trait::async_trait;
use std::net::IpAddr;
use std::sync::Arc;

/// The cause of a storage failure (the database, the file store): kept whole for
/// the log, never shown.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Errors of the accounts port. Storage failures carry their detail for the log only.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("too many sign-in attempts")]
    RateLimited,
    #[error("the user is not a member of that account")]
    NotAMember,
    /// A password-reset token that is unknown, used or expired.
    #[error("the reset link is not valid")]
    ResetLinkInvalid,
    #[error(transparent)]
    Limited(#[from] Limit),
    #[error("storage failed")]
    Storage(#[source] Cause),
}

pub struct SignInAttempt {
    pub email: String,
    pub password: String,
    pub family: ProductFamily,
    pub ip: Option<IpAddr>,
    /// The session being replaced, ended at sign-in so its id cannot be reused.
    pub previous_token_hash: Option<String>,
}

/// A fresh session token, to be put in the cookie. Deliberately not `Serialize`.
pub struct NewSession {
    pub token: String,
    pub max_age_secs: i64,
}

#[async_trait]
pub trait Accounts: Send + Sync {
    async fn sign_in(&self, attempt: SignInAttempt) -> Result<NewSession, AccountsError>;
    async fn sign_out(&self, token_hash: &str) -> Result<(), AccountsError>;
    /// Ends every session of the user, on every device.
    async fn sign_out_everywhere(&self, user_id: i64) -> Result<(), AccountsError>;
    async fn switch_account(&self, token_hash: &str, account_id: i64) -> Result<(), AccountsError>;
    async fn set_family(&self, token_hash: &str, family: ProductFamily) -> Result<(), AccountsError>;
    async fn set_locale(&self, user_id: i64, locale: Locale) -> Result<(), AccountsError>;
    /// Mails a one-hour, single-use reset link if the (normalised) address has an
    /// account; answers the same either way. Limited per client address.
    async fn request_password_reset(&self, email: &str, ip: Option<IpAddr>) -> Result<(), AccountsError>;
    /// Sets the password behind a valid link, uses the link up, and ends every
    /// session of the user.
    async fn reset_password(&self, token: &str, password: &str) -> Result<(), AccountsError>;
}

/// Admins: the messages of the outbox, newest first (the mailbox when no SMTP is set).
#[async_trait]
pub trait Mailbox: Send + Sync {
    async fn recent(&self) -> Result<MailboxView, MailboxError>;
}

pub type MailboxPort = Arc<dyn Mailbox>;

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("storage failed")]
    Storage(#[source] Cause),
}

pub type AccountsPort = Arc<dyn Accounts>;

#[derive(Debug, thiserror::Error)]
pub enum TicketsError {
    /// Missing, or not the viewer's to see: the same answer either way.
    #[error("no such ticket")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Limited(#[from] Limit),
    #[error("storage failed")]
    Storage(#[source] Cause),
}

#[async_trait]
pub trait Tickets: Send + Sync {
    /// The forms of every product family, as loaded from the configuration.
    fn forms(&self) -> Arc<FormSet>;
    fn max_upload_bytes(&self) -> u64;
    async fn queue(&self, viewer: &Viewer, filter: QueueFilter) -> Result<QueueView, TicketsError>;
    async fn detail(&self, viewer: &Viewer, number: &str) -> Result<TicketDetail, TicketsError>;
    /// A comment (customers) or public reply (agents), as the lifecycle allows.
    async fn comment(&self, viewer: &Viewer, number: &str, body: &str) -> Result<(), TicketsError>;
    /// The requester closes a resolved ticket at once.
    async fn confirm_close(&self, viewer: &Viewer, number: &str) -> Result<(), TicketsError>;
    /// Agents: every ticket, filtered, last updated first.
    async fn console(&self, viewer: &Viewer, filter: ConsoleFilter) -> Result<ConsoleView, TicketsError>;
    /// Agents: a public reply or an internal note, and maybe a new status.
    async fn agent_reply(
        &self,
        viewer: &Viewer,
        number: &str,
        body: &str,
        internal: bool,
        status: Option<TicketStatus>,
    ) -> Result<(), TicketsError>;
    /// Adds or removes a watcher (the requester and agents only).
    async fn watch(&self, viewer: &Viewer, number: &str, email: &str, add: bool) -> Result<(), TicketsError>;
    /// A new ticket linked to a closed one; its number.
    async fn follow_up(&self, viewer: &Viewer, number: &str) -> Result<String, TicketsError>;
    /// Agents: assign to an agent, or unassign.
    async fn assign(&self, viewer: &Viewer, number: &str, assignee: Option<i64>) -> Result<(), TicketsError>;
}

pub type TicketsPort = Arc<dyn Tickets>;

#[derive(Debug, thiserror::Error)]
pub enum HelpError {
    #[error("no such article or post")]
    NotFound,
    #[error("storage failed")]
    Storage(#[source] Cause),
}

/// The help center as server functions see it.
#[async_trait]
pub trait HelpCenter: Send + Sync {
    async fn home(&self, locale: Locale) -> Result<HelpHome, HelpError>;
    async fn category(&self, locale: Locale, slug: &str) -> Result<CategoryView, HelpError>;
    async fn article(&self, locale: Locale, slug: &str) -> Result<ArticleView, HelpError>;
    async fn post(&self, locale: Locale, slug: &str) -> Result<PostView, HelpError>;
    /// Full-text search, one page of results.
    fn search(&self, locale: Locale, query: &str, page: usize) -> SearchResults;
    /// Records what the browser or a page reports (suggested, opened, solved, votes).
    async fn record(
        &self,
        kind: HelpEventKind,
        item: ItemKind,
        slug: &str,
        locale: Locale,
        user_id: Option<i64>,
    ) -> Result<(), HelpError>;
    async fn deflection(&self) -> Result<DeflectionReport, HelpError>;
}

pub type HelpPort = Arc<dyn HelpCenter>;

/// Each port's storage failure, from whatever failed.
macro_rules! storage_from_cause {
    ($($error:ident),*) => {$(
        impl $error {
            pub fn storage(cause: impl Into<Cause>) -> Self {
                $error::Storage(cause.into())
            }
        }
    )*};
}
storage_from_cause!(AccountsError, TicketsError, HelpError, MailboxError);
