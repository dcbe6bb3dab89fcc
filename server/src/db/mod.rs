//! The database: connection (SQLite or PostgreSQL, same code), entities, migrations.

pub mod entities;
pub mod migrations;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Connects with the settings each backend needs. SQLite: WAL so readers never block
/// the writer, a busy timeout so concurrent writers wait instead of failing, and
/// foreign keys on (SQLite leaves them off by default).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    } else {
        opts.max_connections(16);
    }
    Database::connect(opts).await
}
