//! The help center: knowledge-base articles and community posts, their pages, the
//! search, and the live suggestions under the new-ticket subject.

pub mod api;
pub mod article;
pub mod category;
pub mod home;
pub mod post;
pub mod search;
pub mod stats;
pub mod suggest;

use serde::{Deserialize, Serialize};

/// The categories of the knowledge base, in the order the home page lists them.
/// Their names live in the catalogues as `help.category.<slug>`.
pub const CATEGORIES: [&str; 13] = [
    "getting-started",
    "sending",
    "signing",
    "errors",
    "templates-bulk",
    "accounts-users",
    "security-sso",
    "billing",
    "integrations",
    "springcm",
    "ksign",
    "protect-sign",
    "support",
];

pub fn is_category(slug: &str) -> bool {
    CATEGORIES.contains(&slug)
}

pub fn category_key(slug: &str) -> String {
    format!("help.category.{slug}")
}

/// Queries shorter than this suggest nothing (the subject field's rule).
pub const SUGGEST_MIN_CHARS: usize = 3;

/// Whether a subject is long enough to suggest anything: the same rule in the
/// browser (no request) and on the server (an empty answer). The characters are
/// counted no further than the minimum: a long subject is not walked for it.
pub fn suggests(text: &str) -> bool {
    text.trim().chars().take(SUGGEST_MIN_CHARS).count() == SUGGEST_MIN_CHARS
}
/// Longer queries are cut here: a subject is at most 200 characters anyway.
pub const QUERY_MAX_CHARS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Article,
    Post,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Article => "article",
            ItemKind::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "article" => Some(ItemKind::Article),
            "post" => Some(ItemKind::Post),
            _ => None,
        }
    }

    pub fn url(self, slug: &str) -> String {
        match self {
            ItemKind::Article => format!("/help/articles/{slug}"),
            ItemKind::Post => format!("/help/posts/{slug}"),
        }
    }
}

/// One search hit. `title_html` and `snippet_html` are escaped text with the matched
/// words in `<b>`: built by the server from stored text, never from the query.
/// `title_html` read as text is the whole title (no plain copy is sent: nothing
/// shows one, and the subject field asks for these on every pause in typing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub kind: ItemKind,
    pub slug: String,
    pub title_html: String,
    pub snippet_html: String,
}

/// What the subject field shows: up to 5 articles and 3 community posts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    pub articles: Vec<Hit>,
    pub posts: Vec<Hit>,
}

/// An article in a list: home, category, related.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleCard {
    pub slug: String,
    pub title: String,
    pub category: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostCard {
    pub slug: String,
    pub title: String,
    pub answers: usize,
    pub solved: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub slug: String,
    pub articles: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpHome {
    pub categories: Vec<CategoryCount>,
    pub popular: Vec<ArticleCard>,
    pub recent_posts: Vec<PostCard>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleView {
    pub slug: String,
    pub title: String,
    pub category: String,
    pub body_html: String,
    pub updated_at: String,
    pub related: Vec<ArticleCard>,
    pub helpful: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerView {
    pub author: String,
    pub body_html: String,
    pub accepted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub slug: String,
    pub title: String,
    pub category: String,
    pub author: String,
    pub asked_on: String,
    pub body_html: String,
    pub answers: Vec<AnswerView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub slug: String,
    pub articles: Vec<ArticleCard>,
    pub posts: Vec<PostCard>,
}

/// The longest slug (an article's or post's file name, a category's key).
pub const MAX_SLUG: usize = 160;

/// A slug is a-z, 0-9 and `-`, at most `MAX_SLUG` bytes. Anything else names no
/// article: it is answered as missing before it reaches a query (PostgreSQL refuses
/// a NUL byte in text outright).
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Results per page of the help-center search.
pub const SEARCH_PAGE_SIZE: usize = 10;
/// The furthest page a search URL may ask for; past the results it is empty.
pub const SEARCH_MAX_PAGE: usize = 1_000;
/// A search request's query (a search box's text, `domain::text::query`) and page,
/// bounded before anything uses them.
pub fn bounded_search(query: &str, page: usize) -> (String, usize) {
    (crate::domain::text::query(query), page.clamp(1, SEARCH_MAX_PAGE))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub page: usize,
    pub hits: Vec<Hit>,
    pub total: usize,
}

impl SearchResults {
    pub fn pages(&self) -> usize {
        self.total.div_ceil(SEARCH_PAGE_SIZE).max(1)
    }
}

/// Deflection, per article or post: how often it was suggested, opened from a
/// suggestion, and how many tickets it made unnecessary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeflectionRow {
    pub kind: ItemKind,
    pub slug: String,
    pub suggested: u64,
    pub opened: u64,
    pub solved: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeflectionReport {
    pub rows: Vec<DeflectionRow>,
    pub tickets_created: u64,
    pub solved: u64,
}

impl DeflectionReport {
    /// Deflected tickets over tickets that would have been opened without help.
    pub fn rate(&self) -> f64 {
        let attempts = self.tickets_created + self.solved;
        if attempts == 0 {
            0.0
        } else {
            self.solved as f64 / attempts as f64
        }
    }
}

/// Events the browser reports about suggestions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HelpEventKind {
    Suggested,
    Opened,
    Solved,
    Helpful,
    NotHelpful,
}

impl HelpEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HelpEventKind::Suggested => "suggested",
            HelpEventKind::Opened => "opened",
            HelpEventKind::Solved => "solved",
            HelpEventKind::Helpful => "helpful",
            HelpEventKind::NotHelpful => "not_helpful",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            HelpEventKind::Suggested,
            HelpEventKind::Opened,
            HelpEventKind::Solved,
            HelpEventKind::Helpful,
            HelpEventKind::NotHelpful,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_from_the_third_character_not_counting_spaces_around() {
        assert!(!suggests(""));
        assert!(!suggests("ab"));
        assert!(!suggests("  ab  "));
        assert!(suggests("abc"));
        assert!(suggests("été"));
        assert!(suggests(" a b "));
        assert!(suggests(&"x".repeat(10_000)));
    }
}
