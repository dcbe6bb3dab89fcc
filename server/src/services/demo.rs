//! The demo data: sample users, accounts and agents (tests use them too). Loading it
//! twice changes nothing.

use crate::db::entities::{account, membership, user};
use crate::services::password;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, TransactionTrait};

pub const DEMO_PASSWORD: &str = "guichet-demo";

/// (e-mail, name, locale, role, accounts by number)
const USERS: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "claire.martin@example.com",
        "Claire Martin",
        "fr",
        "customer",
        &["100001", "100002", "100003"],
    ),
    ("jean.dubois@example.com", "Jean Dubois", "fr", "customer", &["100003"]),
    (
        "emma.wilson@example.com",
        "Emma Wilson",
        "en",
        "customer",
        &["100004", "100005", "100006"],
    ),
    (
        "watcher@example.com",
        "Lucas Bernard",
        "fr",
        "customer",
        &["100001", "100004"],
    ),
    // Two customers the end-to-end tests reset the password of, one per language.
    (
        "nathalie.roux@example.com",
        "Nathalie Roux",
        "fr",
        "customer",
        &["100002"],
    ),
    ("oliver.reed@example.com", "Oliver Reed", "en", "customer", &["100005"]),
    // Two customers the end-to-end tests sign out everywhere, one per language.
    (
        "lucie.bernard@example.com",
        "Lucie Bernard",
        "fr",
        "customer",
        &["100002"],
    ),
    ("noah.clark@example.com", "Noah Clark", "en", "customer", &["100005"]),
    ("agent@example.com", "Sophie Agent", "fr", "agent", &[]),
    ("admin@example.com", "Alex Admin", "en", "admin", &[]),
];

const ACCOUNTS: &[(&str, &str)] = &[
    ("100001", "Martin Conseil"),
    ("100002", "Atelier Lumière"),
    ("100003", "Cabinet Dubois"),
    ("100004", "Wilson & Co"),
    ("100005", "Northwind Legal"),
    ("100006", "Harbor Studio"),
];

/// Inserts whatever part of the demo is missing; returns how many users were added.
pub async fn load(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut account_ids = Vec::new();
    for (number, name) in ACCOUNTS {
        let existing = account::Entity::find()
            .filter(account::Column::Number.eq(*number))
            .one(&txn)
            .await?;
        let id = match existing {
            Some(a) => a.id,
            None => {
                account::ActiveModel {
                    number: Set((*number).to_owned()),
                    name: Set((*name).to_owned()),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        account_ids.push((*number, id));
    }
    let mut added = 0;
    for (email, name, locale, role, numbers) in USERS {
        let exists = user::Entity::find()
            .filter(user::Column::Email.eq(*email))
            .one(&txn)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let hash = password::hash(DEMO_PASSWORD).map_err(|e| DbErr::Custom(e.to_string()))?;
        let u = user::ActiveModel {
            email: Set((*email).to_owned()),
            name: Set((*name).to_owned()),
            password_hash: Set(hash),
            locale: Set((*locale).to_owned()),
            role: Set((*role).to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for number in *numbers {
            if let Some((_, account_id)) = account_ids.iter().find(|(n, _)| n == number) {
                membership::ActiveModel {
                    user_id: Set(u.id),
                    account_id: Set(*account_id),
                }
                .insert(&txn)
                .await?;
            }
        }
        added += 1;
    }
    txn.commit().await?;
    Ok(added)
}
