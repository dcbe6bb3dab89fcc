//! Schema migrations, applied at start-up. One file per change, never edited once landed.

use sea_orm_migration::prelude::*;

mod m20261127_000001_create_people;
mod m20261127_000002_create_sessions;
mod m20261128_000003_create_tickets;
mod m20261128_000004_create_help;
mod m20261128_000005_create_mail;
mod m20261201_000006_index_help_updates;
mod m20261206_000007_create_rate_hits;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_people::Migration),
            Box::new(m20261127_000002_create_sessions::Migration),
            Box::new(m20261128_000003_create_tickets::Migration),
            Box::new(m20261128_000004_create_help::Migration),
            Box::new(m20261128_000005_create_mail::Migration),
            Box::new(m20261201_000006_index_help_updates::Migration),
            Box::new(m20261206_000007_create_rate_hits::Migration),
        ]
    }
}
