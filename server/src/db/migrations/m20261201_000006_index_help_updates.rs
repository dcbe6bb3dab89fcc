//! Every server process asks every few seconds which article and post changed last
//! (`services::help`, the index poller): an index on (updated_at, id) answers that
//! from its last entry, instead of reading every row, bodies and all.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum HelpArticles {
    Table,
    UpdatedAt,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum HelpPosts {
    Table,
    UpdatedAt,
    Id,
}

const ARTICLES: &str = "idx_help_articles_updated";
const POSTS: &str = "idx_help_posts_updated";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(ARTICLES)
                .table(HelpArticles::Table)
                .col(HelpArticles::UpdatedAt)
                .col(HelpArticles::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(POSTS)
                .table(HelpPosts::Table)
                .col(HelpPosts::UpdatedAt)
                .col(HelpPosts::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(POSTS).table(HelpPosts::Table).to_owned())
            .await?;
        m.drop_index(Index::drop().name(ARTICLES).table(HelpArticles::Table).to_owned())
            .await
    }
}
