//! Hardening: sessions remember when they were last used (an idle session ends
//! before its absolute expiry), and `rate_hits` counts requests that are limited per
//! client address across every server process (password-reset requests).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum RateHits {
    Table,
    Id,
    Bucket,
    At,
}

const INDEX: &str = "idx_rate_hits_bucket_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .add_column(timestamp_with_time_zone_null(Sessions::LastSeenAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RateHits::Table)
                .col(big_pk_auto(RateHits::Id))
                .col(string_len(RateHits::Bucket, 128))
                .col(timestamp_with_time_zone(RateHits::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(RateHits::Table)
                .col(RateHits::Bucket)
                .col(RateHits::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateHits::Table).to_owned()).await?;
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .drop_column(Sessions::LastSeenAt)
                .to_owned(),
        )
        .await
    }
}
