//! `guichet import-articles DIR`: loads a folder of Markdown files into the help
//! center. Idempotent by slug and language: a file already imported unchanged is
//! skipped, a changed one updated; a malformed file is reported and the rest still
//! imported.

use super::content::{ContentError, Item, load_dir};
use crate::db::entities::{help_article, help_post, help_post_answer};
use crate::markdown;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::path::Path;

#[derive(Debug, Default)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub errors: Vec<ContentError>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for e in &self.errors {
            writeln!(f, "error: {e}")?;
        }
        for s in &self.updated {
            writeln!(f, "updated: {s}")?;
        }
        write!(
            f,
            "{} added, {} updated, {} unchanged (skipped), {} with errors",
            self.added.len(),
            self.updated.len(),
            self.unchanged,
            self.errors.len()
        )
    }
}

pub async fn import_dir(db: &DatabaseConnection, dir: &Path) -> Result<ImportReport, DbErr> {
    let (items, errors) = load_dir(dir);
    let mut report = ImportReport {
        errors,
        ..ImportReport::default()
    };
    if !dir.is_dir() {
        report.errors.push(ContentError {
            path: dir.to_owned(),
            line: 0,
            message: "not a folder".into(),
        });
    }
    for item in items {
        let name = format!("{}/{}", item.locale.as_str(), item.slug);
        match upsert(db, &item).await? {
            Outcome::Added => report.added.push(name),
            Outcome::Updated => report.updated.push(name),
            Outcome::Unchanged => report.unchanged += 1,
        }
    }
    Ok(report)
}

enum Outcome {
    Added,
    Updated,
    Unchanged,
}

async fn upsert(db: &DatabaseConnection, item: &Item) -> Result<Outcome, DbErr> {
    let rendered = markdown::render(&item.body_md);
    let now = chrono::Utc::now();
    let family = item.family.as_str().to_owned();
    match &item.post {
        None => {
            let existing = help_article::Entity::find()
                .filter(help_article::Column::Slug.eq(&item.slug))
                .filter(help_article::Column::Locale.eq(item.locale.as_str()))
                .one(db)
                .await?;
            if let Some(e) = &existing
                && e.title == item.title
                && e.body_md == item.body_md
                && e.family == family
                && e.product == item.product
                && e.category == item.category
                && e.published == item.published
            {
                return Ok(Outcome::Unchanged);
            }
            let mut row = help_article::ActiveModel {
                slug: Set(item.slug.clone()),
                locale: Set(item.locale.as_str().to_owned()),
                family: Set(family),
                product: Set(item.product.clone()),
                category: Set(item.category.clone()),
                title: Set(item.title.clone()),
                body_md: Set(item.body_md.clone()),
                body_text: Set(rendered.text),
                body_html: Set(rendered.html),
                published: Set(item.published),
                updated_at: Set(now),
                ..Default::default()
            };
            Ok(match existing {
                Some(e) => {
                    row.id = Set(e.id);
                    row.update(db).await?;
                    Outcome::Updated
                }
                None => {
                    row.insert(db).await?;
                    Outcome::Added
                }
            })
        }
        Some(extra) => {
            let answers: Vec<(String, String, bool)> = extra
                .answers
                .iter()
                .map(|a| (a.author.clone(), markdown::render(&a.body).html, a.accepted))
                .collect();
            let existing = help_post::Entity::find()
                .filter(help_post::Column::Slug.eq(&item.slug))
                .filter(help_post::Column::Locale.eq(item.locale.as_str()))
                .one(db)
                .await?;
            if let Some(e) = &existing {
                let stored: Vec<(String, String, bool)> = help_post_answer::Entity::find()
                    .filter(help_post_answer::Column::PostId.eq(e.id))
                    .order_by_asc(help_post_answer::Column::Position)
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|a| (a.author, a.body_html, a.accepted))
                    .collect();
                if e.title == item.title
                    && e.body_html == rendered.html
                    && e.family == family
                    && e.product == item.product
                    && e.category == item.category
                    && e.author == extra.author
                    && e.asked_on == extra.asked_on
                    && stored == answers
                {
                    return Ok(Outcome::Unchanged);
                }
            }
            let txn = db.begin().await?;
            let mut row = help_post::ActiveModel {
                slug: Set(item.slug.clone()),
                locale: Set(item.locale.as_str().to_owned()),
                family: Set(family),
                product: Set(item.product.clone()),
                category: Set(item.category.clone()),
                title: Set(item.title.clone()),
                author: Set(extra.author.clone()),
                body_text: Set(rendered.text),
                body_html: Set(rendered.html),
                asked_on: Set(extra.asked_on.clone()),
                updated_at: Set(now),
                ..Default::default()
            };
            let (post_id, outcome) = match existing {
                Some(e) => {
                    row.id = Set(e.id);
                    row.update(&txn).await?;
                    help_post_answer::Entity::delete_many()
                        .filter(help_post_answer::Column::PostId.eq(e.id))
                        .exec(&txn)
                        .await?;
                    (e.id, Outcome::Updated)
                }
                None => (row.insert(&txn).await?.id, Outcome::Added),
            };
            for (position, (author, body_html, accepted)) in answers.into_iter().enumerate() {
                help_post_answer::ActiveModel {
                    post_id: Set(post_id),
                    position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                    author: Set(author),
                    body_html: Set(body_html),
                    accepted: Set(accepted),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
            txn.commit().await?;
            Ok(outcome)
        }
    }
}
