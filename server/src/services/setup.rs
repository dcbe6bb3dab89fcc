//! A real installation's first step: `guichet create-admin EMAIL` makes (or
//! promotes) an admin and hands back a one-time link to choose the password. No
//! password is ever typed on a command line or stored in a shell's history.

use crate::db::entities::{password_reset, user};
use crate::services::accounts::{hash_token, new_token};
use chrono::{Duration, Utc};
use domain::email;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, TransactionTrait};

/// How long the set-password link of `create-admin` works (once).
pub const ADMIN_LINK_HOURS: i64 = 24;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// What `create_admin` did.
pub struct AdminLink {
    /// The token of the set-password link (`/password/reset?token=`).
    pub token: String,
    /// False when the address already had a user, now an admin.
    pub created: bool,
}

pub async fn create_admin(
    db: &DatabaseConnection,
    raw_email: &str,
    name: Option<&str>,
) -> Result<AdminLink, SetupError> {
    let address = email::normalize(raw_email);
    if !email::is_plausible(&address) {
        return Err(SetupError::BadEmail(raw_email.to_owned()));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(address.as_str()))
        .one(&txn)
        .await?;
    let created = existing.is_none();
    let user_id = match existing {
        Some(u) => {
            user::Entity::update_many()
                .col_expr(user::Column::Role, Expr::value("admin"))
                .filter(user::Column::Id.eq(u.id))
                .exec(&txn)
                .await?;
            u.id
        }
        None => {
            let name = name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| address.split('@').next().unwrap_or("admin"));
            user::ActiveModel {
                email: Set(address.clone()),
                name: Set(name.to_owned()),
                // Not a hash: no password matches it until the link sets one.
                password_hash: Set("!".to_owned()),
                locale: Set("en".to_owned()),
                role: Set("admin".to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
            .id
        }
    };
    let token = new_token();
    password_reset::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(hash_token(&token)),
        expires_at: Set(now + Duration::hours(ADMIN_LINK_HOURS)),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(AdminLink { token, created })
}
