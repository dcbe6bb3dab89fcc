//! The help center: articles, community posts with their answers, and the events
//! that measure deflection (suggested, opened, "this solved my problem") and votes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum HelpArticles {
    Table,
    Id,
    Slug,
    Locale,
    Family,
    Product,
    Category,
    Title,
    BodyMd,
    BodyText,
    BodyHtml,
    Published,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HelpPosts {
    Table,
    Id,
    Slug,
    Locale,
    Family,
    Product,
    Category,
    Title,
    Author,
    BodyText,
    BodyHtml,
    AskedOn,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HelpPostAnswers {
    Table,
    Id,
    PostId,
    Position,
    Author,
    BodyHtml,
    Accepted,
}

#[derive(DeriveIden, Clone, Copy)]
enum HelpEvents {
    Table,
    Id,
    Kind,
    ItemKind,
    Slug,
    Locale,
    UserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HelpArticles::Table)
                .col(big_pk_auto(HelpArticles::Id))
                .col(string_len(HelpArticles::Slug, 160))
                .col(string_len(HelpArticles::Locale, 8))
                .col(string_len(HelpArticles::Family, 16))
                .col(string_len_null(HelpArticles::Product, 64))
                .col(string_len(HelpArticles::Category, 64))
                .col(string_len(HelpArticles::Title, 300))
                .col(text(HelpArticles::BodyMd))
                // Plain text (for the index and snippets) and sanitised HTML (for the
                // page), both derived from the Markdown when it is saved.
                .col(text(HelpArticles::BodyText))
                .col(text(HelpArticles::BodyHtml))
                .col(boolean(HelpArticles::Published))
                .col(timestamp_with_time_zone(HelpArticles::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // A translated article shares its slug with the other language.
        m.create_index(
            Index::create()
                .name("idx_help_articles_slug_locale")
                .table(HelpArticles::Table)
                .col(HelpArticles::Slug)
                .col(HelpArticles::Locale)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_help_articles_category")
                .table(HelpArticles::Table)
                .col(HelpArticles::Locale)
                .col(HelpArticles::Category)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HelpPosts::Table)
                .col(big_pk_auto(HelpPosts::Id))
                .col(string_len(HelpPosts::Slug, 160))
                .col(string_len(HelpPosts::Locale, 8))
                .col(string_len(HelpPosts::Family, 16))
                .col(string_len_null(HelpPosts::Product, 64))
                .col(string_len(HelpPosts::Category, 64))
                .col(string_len(HelpPosts::Title, 300))
                .col(string_len(HelpPosts::Author, 120))
                .col(text(HelpPosts::BodyText))
                .col(text(HelpPosts::BodyHtml))
                .col(string_len(HelpPosts::AskedOn, 10))
                .col(timestamp_with_time_zone(HelpPosts::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_help_posts_slug_locale")
                .table(HelpPosts::Table)
                .col(HelpPosts::Slug)
                .col(HelpPosts::Locale)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HelpPostAnswers::Table)
                .col(big_pk_auto(HelpPostAnswers::Id))
                .col(big_integer(HelpPostAnswers::PostId))
                .col(integer(HelpPostAnswers::Position))
                .col(string_len(HelpPostAnswers::Author, 120))
                .col(text(HelpPostAnswers::BodyHtml))
                .col(boolean(HelpPostAnswers::Accepted))
                .foreign_key(
                    ForeignKey::create()
                        .from(HelpPostAnswers::Table, HelpPostAnswers::PostId)
                        .to(HelpPosts::Table, HelpPosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_help_post_answers_post")
                .table(HelpPostAnswers::Table)
                .col(HelpPostAnswers::PostId)
                .col(HelpPostAnswers::Position)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HelpEvents::Table)
                .col(big_pk_auto(HelpEvents::Id))
                // suggested | opened | solved | helpful | not_helpful
                .col(string_len(HelpEvents::Kind, 16))
                .col(string_len(HelpEvents::ItemKind, 8))
                .col(string_len(HelpEvents::Slug, 160))
                .col(string_len(HelpEvents::Locale, 8))
                .col(big_integer_null(HelpEvents::UserId))
                .col(timestamp_with_time_zone(HelpEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        // The admin's per-article figures group by item and kind.
        m.create_index(
            Index::create()
                .name("idx_help_events_item")
                .table(HelpEvents::Table)
                .col(HelpEvents::ItemKind)
                .col(HelpEvents::Slug)
                .col(HelpEvents::Kind)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            HelpEvents::Table.into_iden(),
            HelpPostAnswers::Table.into_iden(),
            HelpPosts::Table.into_iden(),
            HelpArticles::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
