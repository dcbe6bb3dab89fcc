//! The help center over the database and the search index: pages, search,
//! suggestions, deflection events. The index follows the database: rebuilt at once
//! after this process imports, and at the next poll when another process changed it.

pub mod content;
pub mod import;
pub mod wire;

use crate::db::entities::{help_article, help_event, help_post, help_post_answer, ticket};
use crate::search::{IndexError, SearchDoc, SearchIndex};
use async_trait::async_trait;
use domain::Locale;
use domain::help::{CATEGORIES, SEARCH_PAGE_SIZE};
use domain::ports::{HelpCenter, HelpError};
use domain::wire::help::{
    ArticleCard, ArticleView, CategoryCount, CategoryView, DeflectionReport, DeflectionRow, HelpEventKind, HelpHome,
    ItemKind, PostCard, PostView, SearchResults, Suggestions,
};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const RELATED: usize = 5;
const POPULAR: usize = 8;

/// What changes when any article or post changes: counts and the latest update.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Fingerprint {
    articles: u64,
    posts: u64,
    latest_article: Option<(DateTimeUtc, i64)>,
    latest_post: Option<(DateTimeUtc, i64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum HelpServiceError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Index(#[from] IndexError),
}

pub struct HelpService {
    db: DatabaseConnection,
    index: SearchIndex,
    fingerprint: Mutex<Fingerprint>,
    /// Suggestions as JSON, by language, family and normalised text; emptied
    /// whenever the index is rebuilt.
    answers: quick_cache::sync::Cache<(Locale, Option<&'static str>, String), bytes::Bytes>,
}

/// Recent suggestion answers kept.
const ANSWERS_CACHED: usize = 20_000;

/// The cache key of a subject: case and runs of spaces do not change the answer,
/// but a trailing space does (the last word is then complete, not a prefix).
fn normalise(text: &str) -> String {
    // One string, written once: this runs on every keystroke's request.
    let mut key = String::with_capacity(text.len() + 1);
    for word in text.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        if word.is_ascii() {
            let at = key.len();
            key.push_str(word);
            key[at..].make_ascii_lowercase();
        } else {
            // Character by character, as the index's lower-caser does (no final
            // sigma), and without a string of its own for the word.
            key.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
    if text.ends_with(char::is_whitespace) && !key.is_empty() {
        key.push(' ');
    }
    key
}

fn storage(e: DbErr) -> HelpError {
    HelpError::storage(e)
}

impl HelpService {
    /// Builds the index from what the database holds now.
    pub async fn new(db: DatabaseConnection) -> Result<Self, HelpServiceError> {
        let fingerprint = fingerprint(&db).await?;
        let docs = documents(&db).await?;
        let index = SearchIndex::build(&docs)?;
        Ok(Self {
            db,
            index,
            fingerprint: Mutex::new(fingerprint),
            answers: quick_cache::sync::Cache::new(ANSWERS_CACHED),
        })
    }

    /// Rebuilds the index if the articles or posts changed since the last build.
    pub async fn refresh(&self) -> Result<bool, HelpServiceError> {
        let now = fingerprint(&self.db).await?;
        let same = self.fingerprint.lock().map(|f| *f == now).unwrap_or(false);
        if same {
            return Ok(false);
        }
        let docs = documents(&self.db).await?;
        self.index.rebuild(&docs)?;
        self.answers.clear();
        if let Ok(mut f) = self.fingerprint.lock() {
            *f = now;
        }
        tracing::info!(documents = docs.len(), "search index rebuilt");
        Ok(true)
    }

    /// Polls the database until `stop` is cancelled, so that edits made by other
    /// server processes show up.
    pub async fn poll(self: Arc<Self>, every: Duration, stop: CancellationToken) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate, and the index was just built.
        tick.tick().await;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {}
            }
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %crate::error_chain(&e), "search index refresh failed");
            }
        }
    }

    pub fn suggest(&self, locale: Locale, family: Option<&str>, text: &str) -> Suggestions {
        self.index.suggest(locale, family, text)
    }

    /// The suggestions as the endpoint sends them, from the cache when this
    /// subject was asked recently.
    pub fn suggest_json(&self, locale: Locale, family: Option<domain::ProductFamily>, text: &str) -> bytes::Bytes {
        let family = family.map(domain::ProductFamily::as_str);
        let key = (locale, family, normalise(text));
        if let Some(hit) = self.answers.get(&key) {
            return hit;
        }
        let json = bytes::Bytes::from(self.index.suggest_with(locale, family, text, wire::found));
        self.answers.insert(key, json.clone());
        json
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    async fn cards(&self, locale: Locale, slugs: &[String]) -> Result<Vec<ArticleCard>, DbErr> {
        let rows = help_article::Entity::find()
            .filter(help_article::Column::Locale.eq(locale.as_str()))
            .filter(help_article::Column::Slug.is_in(slugs.iter().cloned()))
            .filter(help_article::Column::Published.eq(true))
            .all(&self.db)
            .await?;
        let mut by_slug: HashMap<String, help_article::Model> = rows.into_iter().map(|r| (r.slug.clone(), r)).collect();
        Ok(slugs.iter().filter_map(|s| by_slug.remove(s)).map(card).collect())
    }

    async fn post_cards(&self, posts: Vec<help_post::Model>) -> Result<Vec<PostCard>, DbErr> {
        let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
        let answers = help_post_answer::Entity::find()
            .filter(help_post_answer::Column::PostId.is_in(ids))
            .all(&self.db)
            .await?;
        let mut per_post: HashMap<i64, (usize, bool)> = HashMap::new();
        for a in answers {
            let e = per_post.entry(a.post_id).or_default();
            e.0 += 1;
            e.1 |= a.accepted;
        }
        Ok(posts
            .into_iter()
            .map(|p| {
                let (answers, solved) = per_post.get(&p.id).copied().unwrap_or_default();
                PostCard {
                    slug: p.slug,
                    title: p.title,
                    answers,
                    solved,
                }
            })
            .collect())
    }
}

fn card(a: help_article::Model) -> ArticleCard {
    ArticleCard {
        slug: a.slug,
        title: a.title,
        category: a.category,
    }
}

async fn fingerprint(db: &DatabaseConnection) -> Result<Fingerprint, DbErr> {
    let articles = help_article::Entity::find().count(db).await?;
    let posts = help_post::Entity::find().count(db).await?;
    // Only the two columns, from the (updated_at, id) index: every process asks
    // this every few seconds, and whole rows carry the bodies.
    let latest_article = help_article::Entity::find()
        .select_only()
        .column(help_article::Column::UpdatedAt)
        .column(help_article::Column::Id)
        .order_by_desc(help_article::Column::UpdatedAt)
        .order_by_desc(help_article::Column::Id)
        .into_tuple::<(DateTimeUtc, i64)>()
        .one(db)
        .await?;
    let latest_post = help_post::Entity::find()
        .select_only()
        .column(help_post::Column::UpdatedAt)
        .column(help_post::Column::Id)
        .order_by_desc(help_post::Column::UpdatedAt)
        .order_by_desc(help_post::Column::Id)
        .into_tuple::<(DateTimeUtc, i64)>()
        .one(db)
        .await?;
    Ok(Fingerprint {
        articles,
        posts,
        latest_article,
        latest_post,
    })
}

/// Every published article and every post, as the index sees them, oldest first:
/// equal scores rank in index order, so a fixed order gives the same suggestions
/// after every restart (without it, the database's row order decided).
async fn documents(db: &DatabaseConnection) -> Result<Vec<SearchDoc>, DbErr> {
    let mut docs = Vec::new();
    for a in help_article::Entity::find()
        .filter(help_article::Column::Published.eq(true))
        .order_by_asc(help_article::Column::Id)
        .all(db)
        .await?
    {
        let Some(locale) = Locale::parse(&a.locale) else {
            continue;
        };
        docs.push(SearchDoc {
            kind: ItemKind::Article,
            slug: a.slug,
            locale,
            family: a.family,
            category: a.category,
            title: a.title,
            body: a.body_text,
        });
    }
    for p in help_post::Entity::find()
        .order_by_asc(help_post::Column::Id)
        .all(db)
        .await?
    {
        let Some(locale) = Locale::parse(&p.locale) else {
            continue;
        };
        docs.push(SearchDoc {
            kind: ItemKind::Post,
            slug: p.slug,
            locale,
            family: p.family,
            category: p.category,
            title: p.title,
            body: p.body_text,
        });
    }
    Ok(docs)
}

/// Counts of events per (item kind, slug, event kind).
async fn event_counts(
    db: &DatabaseConnection,
    kinds: &[HelpEventKind],
) -> Result<Vec<(String, String, String, i64)>, DbErr> {
    help_event::Entity::find()
        .select_only()
        .column(help_event::Column::ItemKind)
        .column(help_event::Column::Slug)
        .column(help_event::Column::Kind)
        .column_as(help_event::Column::Id.count(), "n")
        .filter(help_event::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .group_by(help_event::Column::ItemKind)
        .group_by(help_event::Column::Slug)
        .group_by(help_event::Column::Kind)
        .into_tuple()
        .all(db)
        .await
}

#[async_trait]
impl HelpCenter for HelpService {
    async fn home(&self, locale: Locale) -> Result<HelpHome, HelpError> {
        let counts: Vec<(String, i64)> = help_article::Entity::find()
            .select_only()
            .column(help_article::Column::Category)
            .column_as(help_article::Column::Id.count(), "n")
            .filter(help_article::Column::Locale.eq(locale.as_str()))
            .filter(help_article::Column::Published.eq(true))
            .group_by(help_article::Column::Category)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(storage)?;
        let counts: HashMap<String, i64> = counts.into_iter().collect();
        let categories = CATEGORIES
            .iter()
            .filter_map(|c| {
                counts.get(*c).map(|n| CategoryCount {
                    slug: (*c).to_owned(),
                    articles: u64::try_from(*n).unwrap_or(0),
                })
            })
            .collect();
        // Popular: most opened and found helpful; the first articles of the knowledge
        // base fill in while nobody has read anything yet.
        let mut scores: BTreeMap<String, i64> = BTreeMap::new();
        for (item, slug, _, n) in event_counts(&self.db, &[HelpEventKind::Opened, HelpEventKind::Helpful])
            .await
            .map_err(storage)?
        {
            if item == ItemKind::Article.as_str() {
                *scores.entry(slug).or_default() += n;
            }
        }
        let mut ranked: Vec<(String, i64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut slugs: Vec<String> = ranked.into_iter().map(|(s, _)| s).take(POPULAR).collect();
        if slugs.len() < POPULAR {
            let fill = help_article::Entity::find()
                .filter(help_article::Column::Locale.eq(locale.as_str()))
                .filter(help_article::Column::Published.eq(true))
                .order_by_asc(help_article::Column::Id)
                .limit(POPULAR as u64 * 2)
                .all(&self.db)
                .await
                .map_err(storage)?;
            for a in fill {
                if slugs.len() >= POPULAR {
                    break;
                }
                if !slugs.contains(&a.slug) {
                    slugs.push(a.slug);
                }
            }
        }
        let popular = self.cards(locale, &slugs).await.map_err(storage)?;
        let recent = help_post::Entity::find()
            .filter(help_post::Column::Locale.eq(locale.as_str()))
            .order_by_desc(help_post::Column::AskedOn)
            .order_by_asc(help_post::Column::Id)
            .limit(6)
            .all(&self.db)
            .await
            .map_err(storage)?;
        Ok(HelpHome {
            categories,
            popular,
            recent_posts: self.post_cards(recent).await.map_err(storage)?,
        })
    }

    async fn category(&self, locale: Locale, slug: &str) -> Result<CategoryView, HelpError> {
        if !domain::help::is_category(slug) {
            return Err(HelpError::NotFound);
        }
        let articles = help_article::Entity::find()
            .filter(help_article::Column::Locale.eq(locale.as_str()))
            .filter(help_article::Column::Category.eq(slug))
            .filter(help_article::Column::Published.eq(true))
            .order_by_asc(help_article::Column::Title)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let posts = help_post::Entity::find()
            .filter(help_post::Column::Locale.eq(locale.as_str()))
            .filter(help_post::Column::Category.eq(slug))
            .order_by_desc(help_post::Column::AskedOn)
            .all(&self.db)
            .await
            .map_err(storage)?;
        Ok(CategoryView {
            slug: slug.to_owned(),
            articles: articles.into_iter().map(card).collect(),
            posts: self.post_cards(posts).await.map_err(storage)?,
        })
    }

    async fn article(&self, locale: Locale, slug: &str) -> Result<ArticleView, HelpError> {
        let a = help_article::Entity::find()
            .filter(help_article::Column::Locale.eq(locale.as_str()))
            .filter(help_article::Column::Slug.eq(slug))
            .filter(help_article::Column::Published.eq(true))
            .one(&self.db)
            .await
            .map_err(storage)?
            .ok_or(HelpError::NotFound)?;
        let related_slugs = self.index.related(locale, &a.slug, &a.family, RELATED);
        let related = self.cards(locale, &related_slugs).await.map_err(storage)?;
        let helpful = help_event::Entity::find()
            .filter(help_event::Column::ItemKind.eq(ItemKind::Article.as_str()))
            .filter(help_event::Column::Slug.eq(slug))
            .filter(help_event::Column::Kind.eq(HelpEventKind::Helpful.as_str()))
            .count(&self.db)
            .await
            .map_err(storage)?;
        Ok(ArticleView {
            slug: a.slug,
            title: a.title,
            category: a.category,
            body_html: a.body_html,
            updated_at: a.updated_at.to_rfc3339(),
            related,
            helpful,
        })
    }

    async fn post(&self, locale: Locale, slug: &str) -> Result<PostView, HelpError> {
        let p = help_post::Entity::find()
            .filter(help_post::Column::Locale.eq(locale.as_str()))
            .filter(help_post::Column::Slug.eq(slug))
            .one(&self.db)
            .await
            .map_err(storage)?
            .ok_or(HelpError::NotFound)?;
        let answers = help_post_answer::Entity::find()
            .filter(help_post_answer::Column::PostId.eq(p.id))
            .order_by_desc(help_post_answer::Column::Accepted)
            .order_by_asc(help_post_answer::Column::Position)
            .all(&self.db)
            .await
            .map_err(storage)?;
        Ok(PostView {
            slug: p.slug,
            title: p.title,
            category: p.category,
            author: p.author,
            asked_on: p.asked_on,
            body_html: p.body_html,
            answers: answers
                .into_iter()
                .map(|a| domain::wire::help::AnswerView {
                    author: a.author,
                    body_html: a.body_html,
                    accepted: a.accepted,
                })
                .collect(),
        })
    }

    fn search(&self, locale: Locale, query: &str, page: usize) -> SearchResults {
        self.index.search(locale, query, page, SEARCH_PAGE_SIZE)
    }

    async fn record(
        &self,
        kind: HelpEventKind,
        item: ItemKind,
        slug: &str,
        locale: Locale,
        user_id: Option<i64>,
    ) -> Result<(), HelpError> {
        help_event::ActiveModel {
            kind: Set(kind.as_str().to_owned()),
            item_kind: Set(item.as_str().to_owned()),
            slug: Set(slug.to_owned()),
            locale: Set(locale.as_str().to_owned()),
            user_id: Set(user_id),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(storage)?;
        Ok(())
    }

    async fn deflection(&self) -> Result<DeflectionReport, HelpError> {
        let counts = event_counts(
            &self.db,
            &[HelpEventKind::Suggested, HelpEventKind::Opened, HelpEventKind::Solved],
        )
        .await
        .map_err(storage)?;
        let mut rows: BTreeMap<(String, String), DeflectionRow> = BTreeMap::new();
        let mut solved = 0;
        for (item, slug, kind, n) in counts {
            let Some(item_kind) = ItemKind::parse(&item) else {
                continue;
            };
            let n = u64::try_from(n).unwrap_or(0);
            let row = rows.entry((item, slug.clone())).or_insert(DeflectionRow {
                kind: item_kind,
                slug,
                suggested: 0,
                opened: 0,
                solved: 0,
            });
            match HelpEventKind::parse(&kind) {
                Some(HelpEventKind::Suggested) => row.suggested += n,
                Some(HelpEventKind::Opened) => row.opened += n,
                Some(HelpEventKind::Solved) => {
                    row.solved += n;
                    solved += n;
                }
                _ => {}
            }
        }
        let mut rows: Vec<DeflectionRow> = rows.into_values().collect();
        rows.sort_by(|a, b| {
            b.solved
                .cmp(&a.solved)
                .then(b.opened.cmp(&a.opened))
                .then(b.suggested.cmp(&a.suggested))
        });
        let tickets_created = ticket::Entity::find().count(&self.db).await.map_err(storage)?;
        Ok(DeflectionReport {
            rows,
            tickets_created,
            solved,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn cache_keys_ignore_case_and_spacing_but_not_a_finished_word() {
        assert_eq!(normalise("  Signer  le DOC"), "signer le doc");
        assert_eq!(normalise("signer le doc "), "signer le doc ");
        assert_ne!(normalise("cert"), normalise("cert "));
        assert_eq!(normalise("   "), "");
        assert_eq!(normalise(" ÉTÉ\tŒuvre  K.Sign "), "été œuvre k.sign ");
    }
}
