//! The help center's search engine: tantivy, in process, one index per language.
//!
//! Built from the database at start-up and rebuilt whenever the articles change
//! (this process's edits at once; another process's edits at the next poll of the
//! database, see `services::help`). The whole knowledge base fits in memory many
//! times over: 100,000 articles build in seconds (the bench measures it).

pub mod analysis;
mod query;
pub mod relevance;

use app::help::{Hit, ItemKind, SearchResults, Suggestions};
use app::i18n::Locale;
use std::sync::{Arc, RwLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, Term, doc};

/// One article or post, as the index sees it.
#[derive(Clone, Debug)]
pub struct SearchDoc {
    pub kind: ItemKind,
    pub slug: String,
    pub locale: Locale,
    pub family: String,
    pub category: String,
    pub title: String,
    /// Plain text, Markdown removed.
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct IndexError(#[from] tantivy::TantivyError);

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    slug: Field,
    family: Field,
    title: Field,
    body: Field,
    title_raw: Field,
    body_raw: Field,
}

/// One language's index.
struct LocaleIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// Suggestions show this many of each kind.
pub const SUGGESTED_ARTICLES: usize = 5;
pub const SUGGESTED_POSTS: usize = 3;
const SNIPPET_CHARS: usize = 140;

impl LocaleIndex {
    fn build(locale: Locale, docs: &[&SearchDoc]) -> Result<Self, IndexError> {
        let mut schema = Schema::builder();
        let text = |tokenizer: &str, stored: bool| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let options = TextOptions::default().set_indexing_options(indexing);
            if stored { options.set_stored() } else { options }
        };
        let fields = Fields {
            kind: schema.add_text_field("kind", STRING | STORED),
            slug: schema.add_text_field("slug", STRING | STORED),
            family: schema.add_text_field("family", STRING),
            title: schema.add_text_field("title", text(analysis::STEM, true)),
            body: schema.add_text_field("body", text(analysis::STEM, true)),
            title_raw: schema.add_text_field("title_raw", text(analysis::RAW, false)),
            body_raw: schema.add_text_field("body_raw", text(analysis::RAW, false)),
        };
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register(analysis::STEM, analysis::stem_analyzer(locale));
        index.tokenizers().register(analysis::RAW, analysis::raw_analyzer());
        // One thread: the machine's other core serves requests meanwhile.
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        for d in docs {
            writer.add_document(doc!(
                fields.kind => d.kind.as_str(),
                fields.slug => d.slug.as_str(),
                fields.family => d.family.as_str(),
                fields.title => d.title.as_str(),
                fields.body => d.body.as_str(),
                fields.title_raw => d.title.as_str(),
                // The title's words too: typos and prefixes expand against this field.
                fields.body_raw => format!("{}\n{}", d.title, d.body),
            ))?;
        }
        writer.commit()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { index, reader, fields })
    }

    fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    fn filtered(&self, inner: Box<dyn Query>, kind: Option<ItemKind>, family: Option<&str>) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, inner)];
        let mut filter = |field: Field, value: &str| {
            let term = TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(term), 0.0))));
        };
        if let Some(k) = kind {
            filter(self.fields.kind, k.as_str());
        }
        if let Some(f) = family {
            filter(self.fields.family, f);
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn hits(&self, searcher: &Searcher, parsed: &query::Parsed, found: &[(f32, DocAddress)]) -> Vec<Hit> {
        let f = self.fields;
        let tokenizer = |field| self.index.tokenizer_for_field(field).ok();
        let (Some(title_tok), Some(body_tok)) = (tokenizer(f.title), tokenizer(f.body)) else {
            return Vec::new();
        };
        let mut title_gen = SnippetGenerator::new(parsed.highlight.clone(), title_tok, f.title, 1000);
        title_gen.set_max_num_chars(1000);
        let mut body_gen = SnippetGenerator::new(parsed.highlight.clone(), body_tok, f.body, SNIPPET_CHARS);
        body_gen.set_max_num_chars(SNIPPET_CHARS);
        found
            .iter()
            .filter_map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(*address).ok()?;
                let text_of = |field| {
                    doc.get_first(field)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                let (slug, title, body) = (text_of(f.slug), text_of(f.title), text_of(f.body));
                let kind = ItemKind::parse(&text_of(f.kind))?;
                let title_html = html_or_plain(title_gen.snippet(&title).to_html(), &title, 1000);
                let snippet_html = html_or_plain(body_gen.snippet(&body).to_html(), &body, SNIPPET_CHARS);
                Some(Hit {
                    kind,
                    slug,
                    title,
                    title_html,
                    snippet_html,
                })
            })
            .collect()
    }

    fn top(
        &self,
        text: &str,
        kind: Option<ItemKind>,
        family: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> (Vec<Hit>, usize) {
        let searcher = self.searcher();
        let Some(parsed) = query::parse(&self.index, &searcher, &self.fields, text) else {
            return (Vec::new(), 0);
        };
        let q = self.filtered(parsed.query.box_clone(), kind, family);
        let collector = (
            TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score(),
            Count,
        );
        match searcher.search(&*q, &collector) {
            Ok((found, total)) => (self.hits(&searcher, &parsed, &found), total),
            Err(e) => {
                tracing::warn!(error = %e, "search failed");
                (Vec::new(), 0)
            }
        }
    }

    fn related(&self, slug: &str, family: &str, limit: usize) -> Vec<String> {
        let searcher = self.searcher();
        let f = self.fields;
        let this = TermQuery::new(Term::from_field_text(f.slug, slug), IndexRecordOption::Basic);
        let Ok(found) = searcher.search(&this, &TopDocs::with_limit(1).order_by_score()) else {
            return Vec::new();
        };
        let Some((_, address)) = found.first() else {
            return Vec::new();
        };
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency(searcher.num_docs() / 4 + 2)
            .with_min_term_frequency(1)
            .with_min_word_length(3)
            .with_max_query_terms(25)
            .with_document(*address);
        let not_self: Box<dyn Query> = Box::new(this);
        let q = BooleanQuery::new(vec![
            (
                Occur::Must,
                self.filtered(Box::new(like), Some(ItemKind::Article), Some(family)),
            ),
            (Occur::MustNot, not_self),
        ]);
        let Ok(similar) = searcher.search(&q, &TopDocs::with_limit(limit).order_by_score()) else {
            return Vec::new();
        };
        similar
            .into_iter()
            .filter_map(|(_, a)| {
                let doc: TantivyDocument = searcher.doc(a).ok()?;
                doc.get_first(f.slug).and_then(|v| v.as_str()).map(str::to_owned)
            })
            .collect()
    }
}

/// The highlighted fragment, or (nothing matched in this field) the start of the
/// text, escaped.
fn html_or_plain(html: String, text: &str, max_chars: usize) -> String {
    if !html.is_empty() {
        return html;
    }
    let mut cut: String = text.chars().take(max_chars).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    ammonia::clean_text(&cut)
}

struct Indexes {
    fr: LocaleIndex,
    en: LocaleIndex,
}

impl Indexes {
    fn get(&self, locale: Locale) -> &LocaleIndex {
        match locale {
            Locale::Fr => &self.fr,
            Locale::En => &self.en,
        }
    }
}

/// The search engine, shared by every request; swapped whole on rebuild.
pub struct SearchIndex {
    current: RwLock<Arc<Indexes>>,
}

impl SearchIndex {
    pub fn build(docs: &[SearchDoc]) -> Result<Self, IndexError> {
        Ok(Self {
            current: RwLock::new(Arc::new(Self::indexes(docs)?)),
        })
    }

    fn indexes(docs: &[SearchDoc]) -> Result<Indexes, IndexError> {
        let of = |l: Locale| docs.iter().filter(|d| d.locale == l).collect::<Vec<_>>();
        Ok(Indexes {
            fr: LocaleIndex::build(Locale::Fr, &of(Locale::Fr))?,
            en: LocaleIndex::build(Locale::En, &of(Locale::En))?,
        })
    }

    /// Replaces the index with one built from these documents.
    pub fn rebuild(&self, docs: &[SearchDoc]) -> Result<(), IndexError> {
        let fresh = Arc::new(Self::indexes(docs)?);
        match self.current.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    fn current(&self) -> Arc<Indexes> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The subject field's suggestions: up to 5 articles and 3 posts of the family.
    pub fn suggest(&self, locale: Locale, family: Option<&str>, text: &str) -> Suggestions {
        let all = self.current();
        let index = all.get(locale);
        Suggestions {
            articles: index
                .top(text, Some(ItemKind::Article), family, 0, SUGGESTED_ARTICLES)
                .0,
            posts: index.top(text, Some(ItemKind::Post), family, 0, SUGGESTED_POSTS).0,
        }
    }

    /// Articles only, best first: what the relevance figures measure.
    pub fn rank_articles(&self, locale: Locale, text: &str, limit: usize) -> Vec<String> {
        let all = self.current();
        let (hits, _) = all.get(locale).top(text, Some(ItemKind::Article), None, 0, limit);
        hits.into_iter().map(|h| h.slug).collect()
    }

    /// The search page: articles and posts together, one page.
    pub fn search(&self, locale: Locale, text: &str, page: usize, per_page: usize) -> SearchResults {
        let page = page.max(1);
        let all = self.current();
        let offset = (page - 1).saturating_mul(per_page);
        let (hits, total) = all.get(locale).top(text, None, None, offset, per_page);
        SearchResults {
            query: text.to_owned(),
            page,
            hits,
            total,
        }
    }

    /// Articles most like this one (by their words), same language and family.
    pub fn related(&self, locale: Locale, slug: &str, family: &str, limit: usize) -> Vec<String> {
        self.current().get(locale).related(slug, family, limit)
    }
}
