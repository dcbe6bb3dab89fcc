//! The help center as it crosses the wire: pages, search hits, suggestions, events.

use crate::help::SEARCH_PAGE_SIZE;
use serde::{Deserialize, Serialize};

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
pub struct CategoryView {
    pub slug: String,
    pub articles: Vec<ArticleCard>,
    pub posts: Vec<PostCard>,
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
