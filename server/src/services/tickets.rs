//! Tickets: creation (one transaction: ticket, fields, attachment record, event),
//! the queue, the ticket page, and who may see what.

use crate::db::entities::{account, attachment, membership, ticket, ticket_event, ticket_field, ticket_watcher, user};
use crate::mail::{MailKind, Notifier};
use crate::storage::{ObjectStream, Storage, StorageError};
use app::accounts::Viewer;
use app::console::{Agent, ConsoleFilter, ConsolePage, ConsoleRow};
use app::domain::Role;
use app::domain::forms::{FieldKind, FormSet, Localized};
use app::domain::lifecycle::{self, Action, Actor};
use app::domain::limit::Limit;
use app::domain::ticket::{id_of, number_of};
use app::domain::{ProductFamily, TicketStatus};
use app::i18n::Locale;
use app::ports::{Tickets, TicketsError};
use app::tickets::{AttachmentInfo, QueueFilter, QueuePage, ShownField, TicketDetail, TicketSummary, TimelineEntry};
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DatabaseTransaction, PaginatorTrait, QueryOrder, QuerySelect, SqlErr,
    TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Queue pages hold this many tickets.
pub const PAGE_SIZE: u64 = 25;

/// An attachment's row (its bytes are already stored under `key`), written in the
/// caller's transaction.
async fn record_attachment(
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

/// One line of a ticket's timeline, written in the caller's transaction.
async fn record_event(
    txn: &impl ConnectionTrait,
    ticket_id: i64,
    actor_id: Option<i64>,
    kind: &str,
    data: Option<String>,
    at: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        actor_id: Set(actor_id),
        kind: Set(kind.to_owned()),
        data: Set(data),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

pub struct TicketsService {
    db: DatabaseConnection,
    forms: Arc<FormSet>,
    storage: Storage,
    max_upload: u64,
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

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

fn storage(e: DbErr) -> TicketsError {
    TicketsError::Storage(e.to_string())
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
            max_upload: limits.max_upload,
            limits,
            notifier,
        }
    }

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
            status: Set(TicketStatus::New.as_str().to_owned()),
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
        record_event(&txn, created.id, Some(t.requester_id), "created", None, now).await?;
        self.notifier.ticket(&txn, &created, MailKind::Created, now).await?;
        txn.commit().await?;
        self.notifier.wake();
        Ok(number_of(created.id))
    }

    /// The ticket if the viewer may see it: staff see every ticket; a customer sees
    /// the tickets they opened or watch, in accounts they belong to.
    async fn visible(&self, viewer: &Viewer, id: i64) -> Result<Option<ticket::Model>, DbErr> {
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
    async fn ticket_for(&self, viewer: &Viewer, number: &str) -> Result<ticket::Model, TicketsError> {
        let id = id_of(number).ok_or(TicketsError::NotFound)?;
        self.visible(viewer, id)
            .await
            .map_err(storage)?
            .ok_or(TicketsError::NotFound)
    }

    /// Who the viewer is to this ticket (they may already see it).
    fn actor_of(&self, viewer: &Viewer, t: &ticket::Model) -> Actor {
        if viewer.role.is_staff() {
            Actor::Agent
        } else if t.requester_id == viewer.user_id {
            Actor::Requester
        } else {
            Actor::Watcher
        }
    }

    /// The ticket's events, oldest first, with who did them; internal notes only
    /// for agents. Comments are rendered from light Markdown and sanitised here.
    async fn timeline(&self, ticket_id: i64, staff: bool) -> Result<Vec<TimelineEntry>, DbErr> {
        let events = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(ticket_id))
            .order_by_asc(ticket_event::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = events.iter().filter_map(|e| e.actor_id).collect();
        let names: HashMap<i64, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        Ok(events
            .into_iter()
            .filter(|e| staff || e.kind != "note")
            .map(|e| {
                let data: serde_json::Value = e
                    .data
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or_default();
                let body_html = data["body"].as_str().map(|b| crate::markdown::render(b).html);
                let status_change = match (data["from"].as_str(), data["to"].as_str()) {
                    (Some(f), Some(t)) => TicketStatus::parse(f).zip(TicketStatus::parse(t)),
                    _ => None,
                };
                TimelineEntry {
                    target: match e.kind.as_str() {
                        "assigned" => data["to"].as_str().map(str::to_owned),
                        "watcher_added" | "watcher_removed" => data["email"].as_str().map(str::to_owned),
                        "attachment" => data["files"]
                            .as_array()
                            .map(|files| files.iter().filter_map(|f| f.as_str()).collect::<Vec<_>>().join(", ")),
                        _ => None,
                    },
                    who: e
                        .actor_id
                        .and_then(|id| names.get(&id).cloned())
                        .unwrap_or_else(|| "Guichet".into()),
                    at: e.created_at.to_rfc3339(),
                    kind: e.kind,
                    body_html,
                    status_change,
                }
            })
            .collect())
    }

    /// Applies a lifecycle action in one transaction: the status moves only if it is
    /// still the one the decision was made on (a conditional update, so two
    /// concurrent changes cannot both apply), the event is written, and a status
    /// change leaves its own event.
    async fn transition(
        &self,
        t: &ticket::Model,
        actor_id: i64,
        actor: Actor,
        action: Action,
        event: Option<(&str, String)>,
    ) -> Result<(), TicketsError> {
        let from = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New);
        let to = lifecycle::apply(from, actor, action)?;
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(storage)?;
        let mut update = ticket::Entity::update_many()
            .col_expr(ticket::Column::Status, Expr::value(to.as_str()))
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::Status.eq(from.as_str()));
        if to == TicketStatus::Closed {
            update = update.col_expr(ticket::Column::ClosedAt, Expr::value(now));
        }
        if to == TicketStatus::Resolved {
            update = update.col_expr(ticket::Column::ResolvedAt, Expr::value(now));
        }
        let changed = update.exec(&txn).await.map_err(storage)?.rows_affected;
        if changed == 0 {
            // Someone changed it meanwhile: decide again on what it is now.
            txn.rollback().await.map_err(storage)?;
            let fresh = ticket::Entity::find_by_id(t.id)
                .one(&self.db)
                .await
                .map_err(storage)?
                .ok_or(TicketsError::NotFound)?;
            if fresh.status == t.status {
                return Err(TicketsError::Storage("ticket update lost".into()));
            }
            return Box::pin(self.transition(&fresh, actor_id, actor, action, event)).await;
        }
        let body = event
            .as_ref()
            .and_then(|(_, data)| serde_json::from_str::<serde_json::Value>(data).ok())
            .and_then(|v| v["body"].as_str().map(str::to_owned));
        let mails = mails_for(event.as_ref().map(|(k, _)| *k), from, to, actor, body);
        let mut events = Vec::new();
        if let Some((kind, data)) = event {
            events.push((kind.to_owned(), Some(data)));
        }
        if to != from {
            let data = serde_json::json!({ "from": from.as_str(), "to": to.as_str() }).to_string();
            events.push(("status".to_owned(), Some(data)));
        }
        for (kind, data) in events {
            record_event(&txn, t.id, Some(actor_id), &kind, data, now)
                .await
                .map_err(storage)?;
        }
        if !mails.is_empty() {
            let who = user::Entity::find_by_id(actor_id)
                .one(&txn)
                .await
                .map_err(storage)?
                .map(|u| u.name)
                .unwrap_or_default();
            for mail in mails {
                let kind = match mail {
                    Mail::Reply(body) => MailKind::Reply { who: who.clone(), body },
                    Mail::Reopened(body) => MailKind::Reopened { who: who.clone(), body },
                    Mail::Resolved => MailKind::Resolved {
                        closes_on: now
                            + chrono::Duration::from_std(self.notifier.grace).unwrap_or(chrono::Duration::MAX),
                    },
                    Mail::Closed => MailKind::Closed,
                };
                self.notifier.ticket(&txn, t, kind, now).await.map_err(storage)?;
            }
        }
        txn.commit().await.map_err(storage)?;
        self.notifier.wake();
        Ok(())
    }

    /// Agents and admins, by name.
    async fn agents(&self) -> Result<Vec<Agent>, DbErr> {
        Ok(user::Entity::find()
            .filter(user::Column::Role.is_in([Role::Agent.as_str(), Role::Admin.as_str()]))
            .order_by_asc(user::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| Agent { id: u.id, name: u.name })
            .collect())
    }

    /// One agent step, then the status it asks for (when it is a change).
    async fn agent_step(
        &self,
        number: &str,
        viewer: &Viewer,
        step: Option<(Action, &str, String)>,
        status: Option<TicketStatus>,
    ) -> Result<(), TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        if let Some((action, kind, data)) = step {
            self.transition(&t, viewer.user_id, Actor::Agent, action, Some((kind, data)))
                .await?;
        }
        if let Some(target) = status {
            let t = self.ticket_for(viewer, number).await?;
            if t.status != target.as_str() {
                self.transition(&t, viewer.user_id, Actor::Agent, Action::SetStatus(target), None)
                    .await?;
            }
        }
        Ok(())
    }

    /// Adds checked files to a ticket, as the lifecycle allows (never to a closed
    /// one). The files are stored first; the rows and one timeline event are written
    /// in one transaction, and the stored files are removed if it fails.
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
                .filter(ticket::Column::Status.ne(TicketStatus::Closed.as_str()))
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
            let names: Vec<&str> = uploads.iter().map(|u| u.file_name.as_str()).collect();
            let data = serde_json::json!({ "files": names }).to_string();
            record_event(&txn, t.id, Some(viewer.user_id), "attachment", Some(data), now).await?;
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

    /// The caps on adding a watcher, read inside the adding transaction: watchers per
    /// ticket, and addresses from outside the ticket's account that one user added
    /// within the hour (each is mailed the ticket's news: no mail relay).
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

    /// Whether the viewer may add files to this ticket now: asked before the body of
    /// an upload is read, so that nobody streams files at a ticket that is not theirs.
    pub async fn may_attach(&self, viewer: &Viewer, number: &str) -> Result<(), TicketsError> {
        self.attachable(viewer, number).await.map(|_| ())
    }

    async fn attachable(&self, viewer: &Viewer, number: &str) -> Result<ticket::Model, TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New);
        lifecycle::apply(status, self.actor_of(viewer, &t), Action::AddAttachment)?;
        Ok(t)
    }

    /// Where uploads are streamed to before they are recorded.
    pub fn storage(&self) -> &Storage {
        &self.storage
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
        let bytes = self
            .storage
            .read(&a.storage_key)
            .await
            .map_err(|e| TicketsError::Storage(e.to_string()))?;
        Ok((a, bytes))
    }

    fn product_label(&self, family: &str, product: Option<&str>) -> Option<Localized> {
        let product = product?;
        let form = self.forms.form(ProductFamily::parse(family)?)?;
        match &form.field("product")?.kind {
            FieldKind::Select { options } => options.iter().find(|o| o.value == product).map(|o| o.label.clone()),
            _ => None,
        }
    }
}

/// The e-mails a change sends (SPEC, "E-mail"); never for internal notes.
#[derive(Debug, PartialEq, Eq)]
enum Mail {
    Reply(String),
    Resolved,
    Reopened(String),
    Closed,
}

fn mails_for(
    event: Option<&str>,
    from: TicketStatus,
    to: TicketStatus,
    actor: Actor,
    body: Option<String>,
) -> Vec<Mail> {
    let mut mails = Vec::new();
    if event == Some("reply") {
        mails.push(Mail::Reply(body.clone().unwrap_or_default()));
    }
    if to != from {
        match to {
            TicketStatus::Resolved => mails.push(Mail::Resolved),
            TicketStatus::Closed => mails.push(Mail::Closed),
            TicketStatus::Open
                if from == TicketStatus::Resolved && matches!(actor, Actor::Requester | Actor::Watcher) =>
            {
                mails.push(Mail::Reopened(body.unwrap_or_default()))
            }
            _ => {}
        }
    }
    mails
}

/// Escapes LIKE's wildcards so that a search for "100%" means those characters.
fn like_contains(word: &str) -> LikeExpr {
    let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

fn yes_no_label(value: &str) -> Option<Localized> {
    ["yes", "no", "not_sure"].contains(&value).then(|| Localized {
        fr: Locale::Fr.t(&format!("answer.{value}")).to_owned(),
        en: Locale::En.t(&format!("answer.{value}")).to_owned(),
    })
}

#[async_trait]
impl Tickets for TicketsService {
    fn forms(&self) -> Arc<FormSet> {
        self.forms.clone()
    }

    fn max_upload_bytes(&self) -> u64 {
        self.max_upload
    }

    async fn queue(&self, viewer: &Viewer, filter: QueueFilter) -> Result<QueuePage, TicketsError> {
        let accounts: Vec<i64> = if filter.all_accounts {
            viewer.accounts.iter().map(|a| a.id).collect()
        } else {
            viewer.active_account_id.into_iter().collect()
        };
        let watched = Query::select()
            .column(ticket_watcher::Column::TicketId)
            .from(ticket_watcher::Entity)
            .and_where(ticket_watcher::Column::UserId.eq(viewer.user_id))
            .to_owned();
        let mut query = ticket::Entity::find()
            .filter(ticket::Column::AccountId.is_in(accounts))
            .filter(
                Condition::any()
                    .add(ticket::Column::RequesterId.eq(viewer.user_id))
                    .add(ticket::Column::Id.in_subquery(watched)),
            );
        if let Some(status) = filter.status {
            query = query.filter(ticket::Column::Status.eq(status.as_str()));
        }
        let q = filter.q.trim();
        if let Some(id) = id_of(q) {
            query = query.filter(ticket::Column::Id.eq(id));
        } else {
            for word in q.split_whitespace().take(8) {
                let lower = Expr::expr(Func::lower(Expr::col(ticket::Column::Subject)));
                query = query.filter(lower.like(like_contains(&word.to_lowercase())));
            }
        }
        if let Some(before) = filter.before {
            query = query.filter(ticket::Column::Id.lt(before));
        }
        let mut rows = query
            .order_by_desc(ticket::Column::Id)
            .limit(PAGE_SIZE + 1)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let next_before = (rows.len() as u64 > PAGE_SIZE).then(|| {
            rows.truncate(PAGE_SIZE as usize);
            rows.last().map(|t| t.id)
        });
        let names: HashMap<i64, &str> = viewer.accounts.iter().map(|a| (a.id, a.name.as_str())).collect();
        let items = rows
            .into_iter()
            .map(|t| TicketSummary {
                number: number_of(t.id),
                product: self.product_label(&t.family, t.product.as_deref()),
                family: ProductFamily::parse(&t.family).unwrap_or(ProductFamily::Esignature),
                status: TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New),
                account_name: names.get(&t.account_id).copied().unwrap_or_default().to_owned(),
                updated_at: t.updated_at.to_rfc3339(),
                watching: t.requester_id != viewer.user_id,
                subject: t.subject,
            })
            .collect();
        Ok(QueuePage {
            items,
            next_before: next_before.flatten(),
        })
    }

    async fn detail(&self, viewer: &Viewer, number: &str) -> Result<TicketDetail, TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let stored: HashMap<String, String> = ticket_field::Entity::find()
            .filter(ticket_field::Column::TicketId.eq(t.id))
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect();
        let family = ProductFamily::parse(&t.family).unwrap_or(ProductFamily::Esignature);
        // Fields in the order of the form; a field since removed from the
        // configuration is still shown, under its name.
        let mut fields = Vec::new();
        let defs = self.forms.form(family).map(|f| f.fields.clone()).unwrap_or_default();
        for def in &defs {
            if let Some(value) = stored.get(&def.name) {
                let display = match &def.kind {
                    FieldKind::Select { options } | FieldKind::CountRange { options } => {
                        options.iter().find(|o| &o.value == value).map(|o| o.label.clone())
                    }
                    FieldKind::YesNoNotSure => yes_no_label(value),
                    _ => None,
                };
                fields.push(ShownField {
                    name: def.name.clone(),
                    label: def.label.clone(),
                    value: value.clone(),
                    display,
                });
            }
        }
        let mut extra: Vec<_> = stored
            .iter()
            .filter(|(k, _)| !defs.iter().any(|d| &d.name == *k))
            .collect();
        extra.sort();
        for (name, value) in extra {
            let label = Localized {
                fr: name.clone(),
                en: name.clone(),
            };
            fields.push(ShownField {
                name: name.clone(),
                label,
                value: value.clone(),
                display: None,
            });
        }
        let attachments = attachment::Entity::find()
            .filter(attachment::Column::TicketId.eq(t.id))
            .order_by_asc(attachment::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|a| AttachmentInfo {
                id: a.id,
                file_name: a.file_name,
                size: a.size,
                content_type: a.content_type,
            })
            .collect();
        let requester_name = user::Entity::find_by_id(t.requester_id)
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(|u| u.name)
            .unwrap_or_default();
        let account_name = account::Entity::find_by_id(t.account_id)
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(|a| a.name)
            .unwrap_or_default();
        let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New);
        let actor = self.actor_of(viewer, &t);
        let timeline = self.timeline(t.id, viewer.role.is_staff()).await.map_err(storage)?;
        let auto_close_at = (status == TicketStatus::Resolved)
            .then_some(t.resolved_at)
            .flatten()
            .and_then(|at| {
                chrono::Duration::from_std(self.notifier.grace)
                    .ok()
                    .map(|g| (at + g).to_rfc3339())
            });
        let (assignee, agents) = if viewer.role.is_staff() {
            let agents = self.agents().await.map_err(storage)?;
            let assignee = t
                .assignee_id
                .and_then(|id| agents.iter().find(|a| a.id == id).map(|a| a.name.clone()));
            (assignee, agents)
        } else {
            (None, Vec::new())
        };
        let watchers = ticket_watcher::Entity::find()
            .filter(ticket_watcher::Column::TicketId.eq(t.id))
            .order_by_asc(ticket_watcher::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|w| w.email)
            .collect();
        Ok(TicketDetail {
            follow_up_of: t.follow_up_of.map(number_of),
            watchers,
            assignee,
            agents,
            auto_close_at,
            max_upload_bytes: self.max_upload,
            timeline,
            offered: lifecycle::offered(status, actor),
            number: number_of(t.id),
            product: self.product_label(&t.family, t.product.as_deref()),
            family,
            status,
            fields,
            attachments,
            requester_name,
            account_name,
            created_at: t.created_at.to_rfc3339(),
            updated_at: t.updated_at.to_rfc3339(),
            subject: t.subject,
        })
    }

    async fn comment(&self, viewer: &Viewer, number: &str, body: &str) -> Result<(), TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let actor = self.actor_of(viewer, &t);
        let (action, kind) = match actor {
            Actor::Agent => (Action::PublicReply(None), "reply"),
            _ => (Action::Comment, "comment"),
        };
        let data = serde_json::json!({ "body": body }).to_string();
        self.transition(&t, viewer.user_id, actor, action, Some((kind, data)))
            .await
    }

    async fn confirm_close(&self, viewer: &Viewer, number: &str) -> Result<(), TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let actor = self.actor_of(viewer, &t);
        self.transition(&t, viewer.user_id, actor, Action::ConfirmClose, None)
            .await
    }

    async fn console(&self, viewer: &Viewer, filter: ConsoleFilter) -> Result<ConsolePage, TicketsError> {
        if !viewer.role.is_staff() {
            return Err(TicketsError::NotFound);
        }
        let mut query = ticket::Entity::find();
        if let Some(s) = filter.status {
            query = query.filter(ticket::Column::Status.eq(s.as_str()));
        }
        if let Some(f) = filter.family {
            query = query.filter(ticket::Column::Family.eq(f.as_str()));
        }
        if let Some(p) = &filter.product {
            query = query.filter(ticket::Column::Product.eq(p.as_str()));
        }
        if filter.mine {
            query = query.filter(ticket::Column::AssigneeId.eq(viewer.user_id));
        }
        if filter.unassigned {
            query = query.filter(ticket::Column::AssigneeId.is_null());
        }
        let rows = query
            .order_by_desc(ticket::Column::UpdatedAt)
            .order_by_desc(ticket::Column::Id)
            .limit(app::console::CONSOLE_LIMIT)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let people: Vec<i64> = rows
            .iter()
            .flat_map(|t| [Some(t.requester_id), t.assignee_id])
            .flatten()
            .collect();
        let names: HashMap<i64, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(people))
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let accounts: HashMap<i64, String> = account::Entity::find()
            .filter(account::Column::Id.is_in(rows.iter().map(|t| t.account_id).collect::<Vec<_>>()))
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let rows = rows
            .into_iter()
            .map(|t| ConsoleRow {
                number: number_of(t.id),
                product: self.product_label(&t.family, t.product.as_deref()),
                family: ProductFamily::parse(&t.family).unwrap_or(ProductFamily::Esignature),
                status: TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New),
                requester: names.get(&t.requester_id).cloned().unwrap_or_default(),
                account: accounts.get(&t.account_id).cloned().unwrap_or_default(),
                assignee: t.assignee_id.and_then(|id| names.get(&id).cloned()),
                updated_at: t.updated_at.to_rfc3339(),
                subject: t.subject,
            })
            .collect();
        Ok(ConsolePage {
            rows,
            agents: self.agents().await.map_err(storage)?,
        })
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
        let data = serde_json::json!({ "body": body }).to_string();
        let (step, then) = match (body.is_empty(), internal, status) {
            (true, _, s) => (None, s),
            (false, true, s) => (Some((Action::InternalNote, "note", data)), s),
            // A public reply may set open or pending itself; resolved comes after.
            (false, false, Some(s @ (TicketStatus::Open | TicketStatus::Pending))) => {
                (Some((Action::PublicReply(Some(s)), "reply", data)), None)
            }
            (false, false, s) => (Some((Action::PublicReply(None), "reply", data)), s),
        };
        self.agent_step(number, viewer, step, then).await
    }

    async fn assign(&self, viewer: &Viewer, number: &str, assignee: Option<i64>) -> Result<(), TicketsError> {
        if !viewer.role.is_staff() {
            return Err(TicketsError::NotFound);
        }
        let to = match assignee {
            None => None,
            Some(id) => Some(
                self.agents()
                    .await
                    .map_err(storage)?
                    .into_iter()
                    .find(|a| a.id == id)
                    .ok_or(TicketsError::NotFound)?,
            ),
        };
        let t = self.ticket_for(viewer, number).await?;
        let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New);
        lifecycle::apply(status, Actor::Agent, Action::Assign)?;
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(storage)?;
        ticket::Entity::update_many()
            .col_expr(ticket::Column::AssigneeId, Expr::value(to.as_ref().map(|a| a.id)))
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::Status.ne(TicketStatus::Closed.as_str()))
            .exec(&txn)
            .await
            .map_err(storage)?;
        let (kind, data) = match &to {
            Some(a) => ("assigned", Some(serde_json::json!({ "to": a.name }).to_string())),
            None => ("unassigned", None),
        };
        record_event(&txn, t.id, Some(viewer.user_id), kind, data, now)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }

    async fn watch(&self, viewer: &Viewer, number: &str, email: &str, add: bool) -> Result<(), TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New);
        let action = if add { Action::AddWatcher } else { Action::RemoveWatcher };
        lifecycle::apply(status, self.actor_of(viewer, &t), action)?;
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
        let kind = if add { "watcher_added" } else { "watcher_removed" };
        let data = serde_json::json!({ "email": email }).to_string();
        record_event(&txn, t.id, Some(viewer.user_id), kind, Some(data), now)
            .await
            .map_err(storage)?;
        if add {
            self.notifier
                .watcher_added(&txn, &t, email, &viewer.name, now)
                .await
                .map_err(storage)?;
        }
        txn.commit().await.map_err(storage)?;
        self.notifier.wake();
        Ok(())
    }

    async fn follow_up(&self, viewer: &Viewer, number: &str) -> Result<String, TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New);
        lifecycle::apply(status, self.actor_of(viewer, &t), Action::FollowUp)?;
        let family = ProductFamily::parse(&t.family).unwrap_or(ProductFamily::Esignature);
        // The same family, product and subject; the requester adds the details next.
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
        let created = self
            .create(NewTicket {
                requester_id: t.requester_id,
                account_id: t.account_id,
                family,
                values,
                upload: None,
                idempotency_key: None,
                follow_up_of: Some(t.id),
            })
            .await
            .map_err(|e| TicketsError::Storage(e.to_string()))?;
        Ok(created)
    }
}
