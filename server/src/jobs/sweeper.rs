//! Auto-close: tickets resolved longer ago than the grace period close by
//! themselves (SPEC: five days by default).
//!
//! Each ticket is closed by `UPDATE … WHERE id = ? AND status = 'resolved'`, so when
//! several processes sweep at once, each ticket closes once and gets one event.
//! Candidates come from the `(status, resolved_at)` index, oldest first, in batches:
//! the sweep reads the due tickets, never the whole table.

use crate::db::entities::{ticket, ticket_event};
use crate::mail::{MailKind, Notifier};
use app::domain::TicketStatus;
use app::domain::lifecycle::{self, Action, Actor};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, QuerySelect, TransactionTrait};
use std::time::Duration;

const BATCH: u64 = 500;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Due tickets looked at.
    pub due: u64,
    /// Tickets this sweep closed (others may have been closed by another process).
    pub closed: u64,
}

/// Closes every ticket resolved before `now - grace`.
pub async fn sweep(
    db: &DatabaseConnection,
    grace: Duration,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Swept, DbErr> {
    // The rule lives in the lifecycle; the query only finds candidates.
    let closed_status =
        lifecycle::apply(TicketStatus::Resolved, Actor::System, Action::AutoClose).unwrap_or(TicketStatus::Closed);
    let cutoff = now - chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
    let mut swept = Swept::default();
    let mut after: Option<(DateTime<Utc>, i64)> = None;
    loop {
        let mut q = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Id)
            .column(ticket::Column::ResolvedAt)
            .filter(ticket::Column::Status.eq(TicketStatus::Resolved.as_str()))
            .filter(ticket::Column::ResolvedAt.lte(cutoff))
            .order_by_asc(ticket::Column::ResolvedAt)
            .order_by_asc(ticket::Column::Id)
            .limit(BATCH);
        if let Some((at, id)) = after {
            q = q.filter(
                Condition::any().add(ticket::Column::ResolvedAt.gt(at)).add(
                    Condition::all()
                        .add(ticket::Column::ResolvedAt.eq(at))
                        .add(ticket::Column::Id.gt(id)),
                ),
            );
        }
        let due: Vec<(i64, Option<DateTime<Utc>>)> = q.into_tuple().all(db).await?;
        if due.is_empty() {
            break;
        }
        swept.due += due.len() as u64;
        for (id, resolved_at) in &due {
            if close_one(db, notifier, *id, closed_status, now).await? {
                swept.closed += 1;
            }
            if let Some(at) = resolved_at {
                after = Some((*at, *id));
            }
        }
        if (due.len() as u64) < BATCH {
            break;
        }
    }
    Ok(swept)
}

/// Closes one ticket if it is still resolved; true when this call closed it.
async fn close_one(
    db: &DatabaseConnection,
    notifier: &Notifier,
    id: i64,
    to: TicketStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let changed = ticket::Entity::update_many()
        .col_expr(ticket::Column::Status, Expr::value(to.as_str()))
        .col_expr(ticket::Column::ClosedAt, Expr::value(now))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Status.eq(TicketStatus::Resolved.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    ticket_event::ActiveModel {
        ticket_id: Set(id),
        actor_id: Set(None),
        kind: Set("status".into()),
        data: Set(Some(
            serde_json::json!({ "from": TicketStatus::Resolved.as_str(), "to": to.as_str(), "auto": true }).to_string(),
        )),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The close and its e-mails commit together: one close, one set of e-mails.
    if let Some(t) = ticket::Entity::find_by_id(id).one(&txn).await? {
        notifier.ticket(&txn, &t, MailKind::Closed, now).await?;
    }
    txn.commit().await?;
    notifier.wake();
    Ok(true)
}

/// Sweeps every `interval` for as long as the process runs.
pub fn spawn(db: DatabaseConnection, grace: Duration, interval: Duration, notifier: Notifier) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep(&db, grace, &notifier, Utc::now()).await {
                Ok(s) if s.closed > 0 => tracing::info!(closed = s.closed, "auto-closed resolved tickets"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "auto-close sweep failed"),
            }
        }
    });
}
