//! Tickets, their form fields, timeline events, attachments and watchers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Tickets {
    Table,
    Id,
    AccountId,
    RequesterId,
    Family,
    Product,
    Subject,
    Status,
    IdempotencyKey,
    FollowUpOf,
    AssigneeId,
    ResolvedAt,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TicketFields {
    Table,
    TicketId,
    Name,
    Value,
}

#[derive(DeriveIden, Clone, Copy)]
enum TicketEvents {
    Table,
    Id,
    TicketId,
    ActorId,
    Kind,
    Data,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachments {
    Table,
    Id,
    TicketId,
    FileName,
    ContentType,
    Size,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TicketWatchers {
    Table,
    Id,
    TicketId,
    UserId,
    Email,
    AddedBy,
    CreatedAt,
}

fn fk_ticket(table: impl IntoIden + Clone, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Tickets::Table, Tickets::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn fk_user(table: impl IntoIden + Clone, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tickets::Table)
                .col(big_pk_auto(Tickets::Id))
                .col(big_integer(Tickets::AccountId))
                .col(big_integer(Tickets::RequesterId))
                .col(string_len(Tickets::Family, 16))
                .col(string_len_null(Tickets::Product, 64))
                .col(string_len(Tickets::Subject, 200))
                .col(string_len(Tickets::Status, 16))
                // Unique: a double click or a replayed POST finds the ticket it made.
                .col(string_len_null(Tickets::IdempotencyKey, 64).unique_key())
                .col(big_integer_null(Tickets::FollowUpOf))
                .col(big_integer_null(Tickets::AssigneeId))
                .col(timestamp_with_time_zone_null(Tickets::ResolvedAt))
                .col(timestamp_with_time_zone_null(Tickets::ClosedAt))
                .col(timestamp_with_time_zone(Tickets::CreatedAt))
                .col(timestamp_with_time_zone(Tickets::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Tickets::Table, Tickets::AccountId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .foreign_key(&mut fk_user(Tickets::Table, Tickets::RequesterId))
                .foreign_key(&mut fk_user(Tickets::Table, Tickets::AssigneeId))
                .to_owned(),
        )
        .await?;
        // The queue: a requester's tickets, newest first, in one account or all.
        for (name, cols) in [
            ("idx_tickets_requester", vec![Tickets::RequesterId, Tickets::Id]),
            ("idx_tickets_account", vec![Tickets::AccountId, Tickets::Id]),
            // The auto-close sweep reads only resolved tickets, oldest first.
            (
                "idx_tickets_status_resolved",
                vec![Tickets::Status, Tickets::ResolvedAt],
            ),
        ] {
            let mut idx = Index::create().name(name).table(Tickets::Table).to_owned();
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx).await?;
        }
        m.create_table(
            Table::create()
                .table(TicketFields::Table)
                .col(big_integer(TicketFields::TicketId))
                .col(string_len(TicketFields::Name, 64))
                .col(text(TicketFields::Value))
                .primary_key(Index::create().col(TicketFields::TicketId).col(TicketFields::Name))
                .foreign_key(&mut fk_ticket(TicketFields::Table, TicketFields::TicketId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TicketEvents::Table)
                .col(big_pk_auto(TicketEvents::Id))
                .col(big_integer(TicketEvents::TicketId))
                .col(big_integer_null(TicketEvents::ActorId))
                .col(string_len(TicketEvents::Kind, 32))
                .col(text_null(TicketEvents::Data))
                .col(timestamp_with_time_zone(TicketEvents::CreatedAt))
                .foreign_key(&mut fk_ticket(TicketEvents::Table, TicketEvents::TicketId))
                .foreign_key(&mut fk_user(TicketEvents::Table, TicketEvents::ActorId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_events_ticket")
                .table(TicketEvents::Table)
                .col(TicketEvents::TicketId)
                .col(TicketEvents::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(big_pk_auto(Attachments::Id))
                .col(big_integer(Attachments::TicketId))
                .col(string_len(Attachments::FileName, 255))
                .col(string_len(Attachments::ContentType, 128))
                .col(big_integer(Attachments::Size))
                .col(string_len(Attachments::StorageKey, 255))
                .col(big_integer(Attachments::UploadedBy))
                .col(timestamp_with_time_zone(Attachments::CreatedAt))
                .foreign_key(&mut fk_ticket(Attachments::Table, Attachments::TicketId))
                .foreign_key(&mut fk_user(Attachments::Table, Attachments::UploadedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attachments_ticket")
                .table(Attachments::Table)
                .col(Attachments::TicketId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TicketWatchers::Table)
                .col(big_pk_auto(TicketWatchers::Id))
                .col(big_integer(TicketWatchers::TicketId))
                .col(big_integer_null(TicketWatchers::UserId))
                .col(string_len(TicketWatchers::Email, 320))
                .col(big_integer(TicketWatchers::AddedBy))
                .col(timestamp_with_time_zone(TicketWatchers::CreatedAt))
                .foreign_key(&mut fk_ticket(TicketWatchers::Table, TicketWatchers::TicketId))
                .foreign_key(&mut fk_user(TicketWatchers::Table, TicketWatchers::UserId))
                .foreign_key(&mut fk_user(TicketWatchers::Table, TicketWatchers::AddedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_watchers_unique")
                .table(TicketWatchers::Table)
                .col(TicketWatchers::TicketId)
                .col(TicketWatchers::Email)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_watchers_user")
                .table(TicketWatchers::Table)
                .col(TicketWatchers::UserId)
                .col(TicketWatchers::TicketId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            TicketWatchers::Table.into_iden(),
            Attachments::Table.into_iden(),
            TicketEvents::Table.into_iden(),
            TicketFields::Table.into_iden(),
            Tickets::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
