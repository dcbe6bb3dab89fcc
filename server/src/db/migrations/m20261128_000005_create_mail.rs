//! The mail outbox (written in the transaction of the change that causes a message)
//! and password-reset tokens.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum MailOutbox {
    Table,
    Id,
    Kind,
    TicketId,
    Recipient,
    Locale,
    Subject,
    TextBody,
    HtmlBody,
    MessageId,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    SentAt,
    DeliveredAs,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MailOutbox::Table)
                .col(big_pk_auto(MailOutbox::Id))
                .col(string_len(MailOutbox::Kind, 32))
                .col(big_integer_null(MailOutbox::TicketId))
                .col(string_len(MailOutbox::Recipient, 320))
                .col(string_len(MailOutbox::Locale, 8))
                .col(string_len(MailOutbox::Subject, 400))
                .col(text(MailOutbox::TextBody))
                .col(text(MailOutbox::HtmlBody))
                // The Message-ID header, fixed when the message is written: a retry
                // sends the same message, which receivers can recognise.
                .col(string_len(MailOutbox::MessageId, 128).unique_key())
                .col(integer(MailOutbox::Attempts).default(0))
                .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                // A worker's lease on the message: another process may take it over
                // once it has passed (the first worker died mid-delivery).
                .col(timestamp_with_time_zone_null(MailOutbox::ClaimedUntil))
                .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                .col(string_len_null(MailOutbox::DeliveredAs, 255))
                .col(text_null(MailOutbox::LastError))
                .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                .to_owned(),
        )
        .await?;
        // The worker reads only unsent messages that are due.
        m.create_index(
            Index::create()
                .name("idx_mail_outbox_due")
                .table(MailOutbox::Table)
                .col(MailOutbox::SentAt)
                .col(MailOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_outbox_ticket")
                .table(MailOutbox::Table)
                .col(MailOutbox::TicketId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(big_pk_auto(PasswordResets::Id))
                .col(big_integer(PasswordResets::UserId))
                // Only the token's SHA-256 is kept, as for sessions.
                .col(string_len(PasswordResets::TokenHash, 64).unique_key())
                .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PasswordResets::Table, PasswordResets::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_resets_user")
                .table(PasswordResets::Table)
                .col(PasswordResets::UserId)
                .col(PasswordResets::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PasswordResets::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(MailOutbox::Table).to_owned()).await
    }
}
