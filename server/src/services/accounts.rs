//! Sign-in, sessions, account switching and language preference.

use crate::db::entities::{account, membership, password_reset, rate_hit, session, sign_in_attempt, user};
use crate::mail::Notifier;
use crate::services::password::Passwords;
use app::request::CurrentSession;
use async_trait::async_trait;
use chrono::{Duration, Utc};
use domain::Locale;
use domain::limit::Limit;
use domain::ports::{Accounts, AccountsError, NewSession, SignInAttempt};
use domain::wire::accounts::{AccountSummary, Viewer};
use domain::{ProductFamily, Role};
use rand::RngCore;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, PaginatorTrait, QueryOrder, TransactionTrait};
use sha2::{Digest, Sha256};

const SESSION_DAYS: i64 = 30;
const RATE_WINDOW_MINUTES: i64 = 15;
/// A reset link works for this long, once.
const RESET_MINUTES: i64 = 60;
/// Reset links mailed to one user per hour; more requests get the same answer and
/// no mail, so that nobody can flood someone's inbox.
const RESETS_PER_HOUR: u64 = 3;
/// Reset requests accepted from one client address per hour, whatever the e-mail.
const RESETS_PER_ADDRESS_PER_HOUR: u64 = 10;
/// Reset requests waiting to be written; past this the answer is "try later".
const RESET_QUEUE: usize = 64;

/// The limits and durations of sign-in and sessions.
#[derive(Clone, Copy, Debug)]
pub struct AccountsLimits {
    pub max_failures_per_email: u32,
    pub max_failures_per_ip: u32,
    /// A session unused for this long ends, before its absolute expiry.
    pub session_idle: std::time::Duration,
}

pub struct AccountsService {
    db: DatabaseConnection,
    max_failures_per_email: u64,
    max_failures_per_ip: u64,
    session_idle: Duration,
    passwords: Passwords,
    /// Reset requests, written one at a time by one task per process, so that the
    /// hourly limit holds when several arrive at once (see `write_password_reset`).
    /// Bounded: a flood is refused, never queued without end.
    resets: tokio::sync::mpsc::Sender<String>,
}

fn storage(e: DbErr) -> AccountsError {
    AccountsError::storage(e)
}

/// The cookie holds a random token; the database holds its SHA-256.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl AccountsService {
    /// Starts the task that writes reset requests; it ends when the service is dropped.
    pub fn new(db: DatabaseConnection, limits: AccountsLimits, passwords: Passwords, notifier: Notifier) -> Self {
        let (resets, mut queue) = tokio::sync::mpsc::channel::<String>(RESET_QUEUE);
        let writer_db = db.clone();
        tokio::spawn(async move {
            while let Some(email) = queue.recv().await {
                if let Err(e) = Self::write_password_reset(writer_db.clone(), notifier.clone(), email).await {
                    tracing::error!(error = %e, "password reset not written");
                }
            }
        });
        Self {
            db,
            max_failures_per_email: limits.max_failures_per_email.into(),
            max_failures_per_ip: limits.max_failures_per_ip.into(),
            session_idle: Duration::from_std(limits.session_idle).unwrap_or(Duration::days(7)),
            passwords,
            resets,
        }
    }

    /// How often a session's last use is written: often enough for the idle limit,
    /// rarely enough that browsing is not a write per page.
    fn touch_every(&self) -> Duration {
        (self.session_idle / 4).min(Duration::hours(1))
    }

    /// The session behind a cookie token, with everything the pages need; `None` when
    /// unknown or expired.
    pub async fn resolve(&self, token: &str) -> Result<Option<CurrentSession>, DbErr> {
        let token_hash = hash_token(token);
        let Some(s) = session::Entity::find_by_id(token_hash.clone()).one(&self.db).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        let last_seen = s.last_seen_at.unwrap_or(s.created_at);
        if s.expires_at < now || now - last_seen > self.session_idle {
            session::Entity::delete_by_id(token_hash).exec(&self.db).await?;
            return Ok(None);
        }
        if now - last_seen > self.touch_every() {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::TokenHash.eq(token_hash.clone()))
                .exec(&self.db)
                .await?;
        }
        let Some(u) = user::Entity::find_by_id(s.user_id).one(&self.db).await? else {
            return Ok(None);
        };
        let accounts = self.accounts_of(u.id).await?;
        let active_account_id = s
            .active_account_id
            .filter(|id| accounts.iter().any(|a| a.id == *id))
            .or_else(|| accounts.first().map(|a| a.id));
        // A role this version does not know is a bad row: no session rather than a
        // guess at what the user may do.
        let role = Role::parse(&u.role)
            .ok_or_else(|| DbErr::Custom(format!("users row {}: unknown role {:?}", u.id, u.role)))?;
        Ok(Some(CurrentSession {
            token_hash,
            viewer: Viewer {
                user_id: u.id,
                name: u.name,
                email: u.email,
                role,
                locale: Locale::parse(&u.locale).unwrap_or_default(),
                family: s.family.as_deref().and_then(ProductFamily::parse),
                accounts,
                active_account_id,
            },
        }))
    }

    /// The work behind a reset request: look the address up, and for a known one
    /// (not asked too often) write the token and its e-mail in one transaction.
    /// The count and the insert are two statements: requests are serialised per
    /// process, so with N server processes a burst may mail up to N times the limit.
    async fn write_password_reset(
        db: DatabaseConnection,
        notifier: Notifier,
        email: String,
    ) -> Result<(), AccountsError> {
        let Some(u) = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&db)
            .await
            .map_err(storage)?
        else {
            return Ok(()); // the same answer: nothing says the address is unknown
        };
        let now = Utc::now();
        let recent = password_reset::Entity::find()
            .filter(password_reset::Column::UserId.eq(u.id))
            .filter(password_reset::Column::CreatedAt.gt(now - Duration::hours(1)))
            .count(&db)
            .await
            .map_err(storage)?;
        if recent >= RESETS_PER_HOUR {
            tracing::warn!(user = u.id, "password reset requested too often; no mail sent");
            return Ok(());
        }
        let token = new_token();
        let txn = db.begin().await.map_err(storage)?;
        password_reset::ActiveModel {
            user_id: Set(u.id),
            token_hash: Set(hash_token(&token)),
            expires_at: Set(now + Duration::minutes(RESET_MINUTES)),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        notifier.password_reset(&txn, &u, &token, now).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        notifier.wake();
        Ok(())
    }

    async fn accounts_of(&self, user_id: i64) -> Result<Vec<AccountSummary>, DbErr> {
        let ids: Vec<i64> = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.account_id)
            .collect();
        Ok(account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .order_by_asc(account::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| AccountSummary {
                id: a.id,
                number: a.number,
                name: a.name,
            })
            .collect())
    }

    async fn recent_failures(&self, column: sign_in_attempt::Column, value: String) -> Result<u64, DbErr> {
        sign_in_attempt::Entity::find()
            .filter(column.eq(value))
            .filter(sign_in_attempt::Column::Succeeded.eq(false))
            .filter(sign_in_attempt::Column::AttemptedAt.gt(Utc::now() - Duration::minutes(RATE_WINDOW_MINUTES)))
            .count(&self.db)
            .await
    }

    /// Records an attempt as failed before its password is checked; its id, to mark
    /// it succeeded afterwards.
    async fn record_attempt(&self, email: &str, ip: Option<String>) -> Result<i64, DbErr> {
        sign_in_attempt::ActiveModel {
            email: Set(email.to_owned()),
            ip: Set(ip),
            succeeded: Set(false),
            attempted_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map(|a| a.id)
    }

    /// Counts one request against a per-address limit, across every process: the
    /// hit is written first and then counted, so that of N requests at once at most
    /// `max` find themselves within it.
    async fn hit(&self, bucket: String, max: u64, window: Duration) -> Result<bool, DbErr> {
        let now = Utc::now();
        // Old hits of this bucket go as new ones come (the index makes it cheap).
        rate_hit::Entity::delete_many()
            .filter(rate_hit::Column::Bucket.eq(bucket.as_str()))
            .filter(rate_hit::Column::At.lt(now - window))
            .exec(&self.db)
            .await?;
        rate_hit::ActiveModel {
            bucket: Set(bucket.clone()),
            at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        let hits = rate_hit::Entity::find()
            .filter(rate_hit::Column::Bucket.eq(bucket))
            .filter(rate_hit::Column::At.gt(now - window))
            .count(&self.db)
            .await?;
        Ok(hits <= max)
    }
}

#[async_trait]
impl Accounts for AccountsService {
    async fn sign_in(&self, attempt: SignInAttempt) -> Result<NewSession, AccountsError> {
        let ip = attempt.ip.map(|ip| ip.to_string());
        // The attempt counts before any password work, and the limits count it: of
        // N attempts at once, at most the limit reach the password check, and a
        // locked-out guesser learns nothing.
        let attempt_id = self.record_attempt(&attempt.email, ip.clone()).await.map_err(storage)?;
        if self
            .recent_failures(sign_in_attempt::Column::Email, attempt.email.clone())
            .await
            .map_err(storage)?
            > self.max_failures_per_email
        {
            return Err(AccountsError::RateLimited);
        }
        if let Some(ip) = &ip
            && self
                .recent_failures(sign_in_attempt::Column::Ip, ip.clone())
                .await
                .map_err(storage)?
                > self.max_failures_per_ip
        {
            return Err(AccountsError::RateLimited);
        }
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(attempt.email.clone()))
            .one(&self.db)
            .await
            .map_err(storage)?;
        let hashing = |e: crate::services::password::PasswordError| AccountsError::storage(e);
        let user = match found {
            Some(u) => {
                if !self
                    .passwords
                    .verify(&attempt.password, &u.password_hash)
                    .await
                    .map_err(hashing)?
                {
                    return Err(AccountsError::BadCredentials);
                }
                u
            }
            None => {
                self.passwords.burn_time(&attempt.password).await.map_err(hashing)?;
                return Err(AccountsError::BadCredentials);
            }
        };
        let first_account = self.accounts_of(user.id).await.map_err(storage)?.first().map(|a| a.id);
        let token = new_token();
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(storage)?;
        // Rotation: whatever session the browser had is ended, a new id is issued.
        if let Some(previous) = attempt.previous_token_hash {
            session::Entity::delete_by_id(previous)
                .exec(&txn)
                .await
                .map_err(storage)?;
        }
        session::ActiveModel {
            token_hash: Set(hash_token(&token)),
            user_id: Set(user.id),
            active_account_id: Set(first_account),
            family: Set(Some(attempt.family.as_str().to_owned())),
            created_at: Set(now),
            expires_at: Set(now + Duration::days(SESSION_DAYS)),
            last_seen_at: Set(Some(now)),
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        sign_in_attempt::Entity::update_many()
            .col_expr(sign_in_attempt::Column::Succeeded, Expr::value(true))
            .filter(sign_in_attempt::Column::Id.eq(attempt_id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(NewSession {
            token,
            max_age_secs: SESSION_DAYS * 24 * 3600,
        })
    }

    async fn sign_out(&self, token_hash: &str) -> Result<(), AccountsError> {
        session::Entity::delete_by_id(token_hash.to_owned())
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn sign_out_everywhere(&self, user_id: i64) -> Result<(), AccountsError> {
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn switch_account(&self, token_hash: &str, account_id: i64) -> Result<(), AccountsError> {
        let s = session::Entity::find_by_id(token_hash.to_owned())
            .one(&self.db)
            .await
            .map_err(storage)?
            .ok_or(AccountsError::NotAMember)?;
        let member = membership::Entity::find_by_id((s.user_id, account_id))
            .one(&self.db)
            .await
            .map_err(storage)?;
        if member.is_none() {
            return Err(AccountsError::NotAMember);
        }
        let mut active: session::ActiveModel = s.into();
        active.active_account_id = Set(Some(account_id));
        active.update(&self.db).await.map_err(storage)?;
        Ok(())
    }

    async fn set_family(&self, token_hash: &str, family: ProductFamily) -> Result<(), AccountsError> {
        session::Entity::update_many()
            .col_expr(session::Column::Family, Expr::value(family.as_str()))
            .filter(session::Column::TokenHash.eq(token_hash))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn set_locale(&self, user_id: i64, locale: Locale) -> Result<(), AccountsError> {
        user::Entity::update_many()
            .col_expr(user::Column::Locale, Expr::value(locale.as_str()))
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(())
    }

    async fn request_password_reset(&self, email: &str, ip: Option<std::net::IpAddr>) -> Result<(), AccountsError> {
        if let Some(ip) = ip
            && !self
                .hit(
                    format!("reset-ip:{ip}"),
                    RESETS_PER_ADDRESS_PER_HOUR,
                    Duration::hours(1),
                )
                .await
                .map_err(storage)?
        {
            return Err(Limit::TooManyRequests.into());
        }
        // The work happens after the answer, so that the answer takes the same time
        // whether or not the address has an account.
        self.resets
            .try_send(email.to_owned())
            .map_err(|_| AccountsError::Limited(Limit::TooManyRequests))
    }

    async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), AccountsError> {
        let token_hash = hash_token(token);
        let now = Utc::now();
        // A link that cannot work costs one indexed read, never a hash.
        let usable = password_reset::Entity::find()
            .filter(password_reset::Column::TokenHash.eq(token_hash.clone()))
            .filter(password_reset::Column::UsedAt.is_null())
            .filter(password_reset::Column::ExpiresAt.gt(now))
            .count(&self.db)
            .await
            .map_err(storage)?;
        if usable == 0 {
            return Err(AccountsError::ResetLinkInvalid);
        }
        // Hash next (slow), so that the link is used up only by a reset that succeeds.
        let hash = self
            .passwords
            .hash(new_password)
            .await
            .map_err(AccountsError::storage)?;
        let txn = self.db.begin().await.map_err(storage)?;
        // Single use, even for two requests at once: only one conditional update wins.
        let won = password_reset::Entity::update_many()
            .col_expr(password_reset::Column::UsedAt, Expr::value(now))
            .filter(password_reset::Column::TokenHash.eq(token_hash.clone()))
            .filter(password_reset::Column::UsedAt.is_null())
            .filter(password_reset::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await
            .map_err(storage)?
            .rows_affected
            == 1;
        if !won {
            txn.rollback().await.map_err(storage)?;
            return Err(AccountsError::ResetLinkInvalid);
        }
        let reset = password_reset::Entity::find()
            .filter(password_reset::Column::TokenHash.eq(token_hash))
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or(AccountsError::ResetLinkInvalid)?;
        let Some(u) = user::Entity::find_by_id(reset.user_id)
            .one(&txn)
            .await
            .map_err(storage)?
        else {
            txn.rollback().await.map_err(storage)?;
            return Err(AccountsError::ResetLinkInvalid);
        };
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .filter(user::Column::Id.eq(u.id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        // Every session ends (a thief signed in with the old password is out), and
        // every other link of the user dies with it.
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(u.id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        password_reset::Entity::update_many()
            .col_expr(password_reset::Column::UsedAt, Expr::value(now))
            .filter(password_reset::Column::UserId.eq(u.id))
            .filter(password_reset::Column::UsedAt.is_null())
            .exec(&txn)
            .await
            .map_err(storage)?;
        // The owner proved themselves: failed sign-ins no longer hold them back.
        sign_in_attempt::Entity::delete_many()
            .filter(sign_in_attempt::Column::Email.eq(u.email.clone()))
            .filter(sign_in_attempt::Column::Succeeded.eq(false))
            .exec(&txn)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }
}
