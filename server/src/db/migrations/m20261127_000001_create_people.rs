//! Users, accounts (organisations) and memberships.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Locale,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Number,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    UserId,
    AccountId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    // Stored normalised (trimmed, lower-case): uniqueness is case-insensitive.
                    .col(string_len_uniq(Users::Email, 320))
                    .col(string_len(Users::Name, 200))
                    .col(string_len(Users::PasswordHash, 200))
                    .col(string_len(Users::Locale, 8))
                    .col(string_len(Users::Role, 16))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(big_pk_auto(Accounts::Id))
                    .col(string_len_uniq(Accounts::Number, 32))
                    .col(string_len(Accounts::Name, 200))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(big_integer(Memberships::UserId))
                    .col(big_integer(Memberships::AccountId))
                    .primary_key(Index::create().col(Memberships::UserId).col(Memberships::AccountId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Memberships::Table, Memberships::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Memberships::Table, Memberships::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_memberships_account")
                    .table(Memberships::Table)
                    .col(Memberships::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Memberships::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Accounts::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}
