//! Auto-close: tickets resolved longer ago than the grace period close by
//! themselves (SPEC: five days by default).
//!
//! Each due ticket goes through the same transition as an agent's or a customer's
//! change (`services::tickets::transition`), as the system: the update is conditional
//! on the ticket still being resolved, so when several processes sweep at once each
//! ticket closes once, with one event and one set of e-mails. Candidates come from
//! the `(status, resolved_at)` index, oldest first, in batches: the sweep reads the
//! due tickets, never the whole table.

use crate::db::entities::ticket;
use crate::mail::Notifier;
use crate::services::tickets::transition;
use chrono::{DateTime, Utc};
use domain::TicketStatus;
use domain::lifecycle::{Action, Actor};
use domain::ports::TicketsError;
use sea_orm::prelude::*;
use sea_orm::{Condition, QueryOrder, QuerySelect};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

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
) -> Result<Swept, TicketsError> {
    sweep_until(db, grace, notifier, now, &CancellationToken::new()).await
}

/// The same, stopping between two tickets once `stop` is cancelled.
pub async fn sweep_until(
    db: &DatabaseConnection,
    grace: Duration,
    notifier: &Notifier,
    now: DateTime<Utc>,
    stop: &CancellationToken,
) -> Result<Swept, TicketsError> {
    let cutoff = now - chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
    let mut swept = Swept::default();
    let mut after: Option<(DateTime<Utc>, i64)> = None;
    loop {
        let mut q = ticket::Entity::find()
            .filter(ticket::Column::Status.eq(ticket::Status::from(TicketStatus::Resolved)))
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
        let due = q.all(db).await.map_err(TicketsError::storage)?;
        if due.is_empty() {
            break;
        }
        swept.due += due.len() as u64;
        for t in &due {
            if stop.is_cancelled() {
                return Ok(swept);
            }
            match transition::apply(db, notifier, t, None, Actor::System, Action::AutoClose, None).await {
                Ok(_) => swept.closed += 1,
                // Changed meanwhile (reopened, or closed by another process).
                Err(TicketsError::Refused(_)) => {}
                Err(e) => return Err(e),
            }
            if let Some(at) = t.resolved_at {
                after = Some((at, t.id));
            }
        }
        if (due.len() as u64) < BATCH {
            break;
        }
    }
    Ok(swept)
}

/// Sweeps every `interval` until `stop` is cancelled; a sweep under way stops
/// between two tickets.
pub async fn run(
    db: DatabaseConnection,
    grace: Duration,
    interval: Duration,
    notifier: Notifier,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {}
        }
        match sweep_until(&db, grace, &notifier, Utc::now(), &stop).await {
            Ok(s) if s.closed > 0 => tracing::info!(closed = s.closed, "auto-closed resolved tickets"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %crate::error_chain(&e), "auto-close sweep failed"),
        }
    }
}
