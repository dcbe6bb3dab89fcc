//! The outbox: messages are rows written in the transaction of the change that
//! causes them, so a change and its e-mails commit or roll back together.
//!
//! Delivery claims a row with a conditional update (a lease), so any number of
//! workers in any number of processes share the outbox without sending a message
//! twice; a worker that dies mid-delivery only delays its messages until the lease
//! passes.

use super::compose::Letter;
use crate::db::entities::mail_outbox;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait, QueryOrder, QuerySelect};
use std::time::Duration;

/// Writes the letters in the caller's transaction.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    letters: Vec<Letter>,
    domain: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if letters.is_empty() {
        return Ok(());
    }
    mail_outbox::Entity::insert_many(letters.into_iter().map(|l| mail_outbox::ActiveModel {
        kind: Set(l.kind.to_owned()),
        ticket_id: Set(l.ticket_id),
        recipient: Set(l.to),
        locale: Set(l.locale.as_str().to_owned()),
        subject: Set(l.subject),
        text_body: Set(l.text),
        html_body: Set(l.html),
        message_id: Set(format!("<{}@{domain}>", uuid::Uuid::new_v4())),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// Up to `limit` messages due now and not leased by a live worker, oldest first.
pub async fn due(db: &DatabaseConnection, now: DateTime<Utc>, limit: u64) -> Result<Vec<i64>, DbErr> {
    mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::Id)
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::NextAttemptAt.lte(now))
        .filter(unleased(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .order_by_asc(mail_outbox::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

fn unleased(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(mail_outbox::Column::ClaimedUntil.is_null())
        .add(mail_outbox::Column::ClaimedUntil.lt(now))
}

/// Takes every message of `ids` that nobody else holds, in one statement
/// (`UPDATE … RETURNING`); returns the rows this call won.
pub async fn claim_batch(
    db: &DatabaseConnection,
    ids: Vec<i64>,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<mail_outbox::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(until))
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::col(mail_outbox::Column::Attempts).add(1),
        )
        .filter(mail_outbox::Column::Id.is_in(ids))
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(unleased(now))
        .exec_with_returning(db)
        .await
}

/// Delivered: never sent again.
pub async fn mark_sent(
    db: &DatabaseConnection,
    ids: Vec<i64>,
    delivered_as: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::SentAt, Expr::value(now))
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_outbox::Column::DeliveredAs, Expr::value(delivered_as))
        .col_expr(mail_outbox::Column::LastError, Expr::value(Option::<String>::None))
        .filter(mail_outbox::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// Not delivered: tried again at `retry_at` (a permanent refusal parks it far away).
pub async fn mark_failed(db: &DatabaseConnection, id: i64, error: &str, retry_at: DateTime<Utc>) -> Result<(), DbErr> {
    let error: String = error.chars().take(2000).collect();
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(retry_at))
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(error))
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Exponential back-off: `base` after the first failure, doubling, at most an hour.
pub fn backoff(attempts: i32, base: Duration) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    base.saturating_mul(1 << exp).min(Duration::from_secs(3600))
}

/// The newest messages, for the admin mailbox page.
pub async fn recent(db: &DatabaseConnection, limit: u64) -> Result<Vec<mail_outbox::Model>, DbErr> {
    mail_outbox::Entity::find()
        .order_by_desc(mail_outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = std::time::Duration::from_secs(2);
        assert_eq!(super::backoff(1, base).as_secs(), 2);
        assert_eq!(super::backoff(2, base).as_secs(), 4);
        assert_eq!(super::backoff(5, base).as_secs(), 32);
        assert_eq!(super::backoff(40, base).as_secs(), 3600);
        assert_eq!(super::backoff(0, base).as_secs(), 2);
    }
}
