//! The help center's search engine: tantivy, in process, one index per language.
//!
//! Built from the database at start-up and rebuilt whenever the articles change
//! (this process's edits at once; another process's edits at the next poll of the
//! database, see `services::help`). The whole knowledge base fits in memory many
//! times over: 100,000 articles build in seconds (the bench measures it).

pub mod analysis;
mod grouped_top;
mod highlight;
mod impacts;
mod query;
pub mod relevance;
mod spans;
mod stats;
mod typos;
mod vocabulary;

use domain::Locale;
use domain::wire::help::{Hit, ItemKind, SearchResults, Suggestions};
use grouped_top::Holds;
pub use highlight::{Markup, html_escape};
use std::sync::{Arc, RwLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::indexer::NoMergePolicy;
use tantivy::query::{BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing, TextOptions, Value,
};
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
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    TooLong(#[from] spans::TooLong),
}

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    slug: Field,
    family: Field,
    title: Field,
    body: Field,
    title_raw: Field,
    body_raw: Field,
    /// The kind and the family as one number in a fast field (see `facet_code`):
    /// it tells which group each segment holds.
    kind_code: Field,
}

/// What a hit shows, kept in memory by document address: reading tantivy's
/// compressed doc store for every suggestion costs more than the search itself.
struct Stored {
    kind: ItemKind,
    slug: String,
    title: String,
    body: String,
}

/// One language's index.
struct LocaleIndex {
    locale: Locale,
    reader: IndexReader,
    fields: Fields,
    /// Per segment, per document id.
    stored: Vec<Vec<Stored>>,
    /// Per segment, the (kind, family) group it holds.
    segments: Vec<Holds>,
    typos: typos::Typos,
    /// The stems of titles and bodies, numbered.
    stems: vocabulary::Stems,
    /// The folded words of titles and bodies, with their stems.
    words: vocabulary::Vocabulary,
    /// Every (stem, document) score, for the suggestions.
    impacts: impacts::Impacts,
    /// The words of every title and body, for the highlighting.
    spans: spans::Spans,
}

/// The fast field of `facet_code`.
const KIND_CODE: &str = "kind_code";

fn kind_code(kind: ItemKind) -> u64 {
    match kind {
        ItemKind::Article => 0,
        ItemKind::Post => 1,
    }
}

/// Kind × 16 + family (0 for a family this version does not know).
fn facet_code(kind: ItemKind, family: &str) -> u64 {
    let family = domain::ProductFamily::ALL
        .iter()
        .position(|f| f.as_str() == family)
        .map_or(0, |i| i as u64 + 1);
    kind_code(kind) * 16 + family
}

pub const SUGGESTED_ARTICLES: usize = 5;
pub const SUGGESTED_POSTS: usize = 3;

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
            title_raw: schema.add_text_field("title_raw", text(analysis::FOLDED, false)),
            body_raw: schema.add_text_field("body_raw", text(analysis::FOLDED, false)),
            kind_code: schema.add_u64_field(KIND_CODE, FAST),
        };
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register(analysis::STEM, analysis::stem_analyzer(locale));
        index
            .tokenizers()
            .register(analysis::FOLDED, analysis::folded_analyzer());
        // One thread: the machine's other core serves requests meanwhile.
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        // One segment per (kind, family) group, never merged: filtering by kind and
        // family is then a choice of segments, and the query stays a union of terms
        // that block-WAND can prune (see `grouped_top`).
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let mut docs = docs.to_vec();
        docs.sort_by_key(|d| facet_code(d.kind, &d.family));
        let mut group = None;
        for d in docs {
            let code = facet_code(d.kind, &d.family);
            if group.is_some_and(|g| g != code) {
                writer.commit()?;
            }
            group = Some(code);
            writer.add_document(doc!(
                fields.kind => d.kind.as_str(),
                fields.kind_code => facet_code(d.kind, &d.family),
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
        let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut stored = Vec::new();
        let mut segments = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            segments.push(grouped_top::holds(segment, KIND_CODE));
            let mut docs = Vec::with_capacity(segment.max_doc() as usize);
            for id in 0..segment.max_doc() {
                let doc: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, id))?;
                let text_of = |field| {
                    doc.get_first(field)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                docs.push(Stored {
                    kind: ItemKind::parse(&text_of(fields.kind)).unwrap_or(ItemKind::Article),
                    slug: text_of(fields.slug),
                    title: text_of(fields.title),
                    body: text_of(fields.body),
                });
            }
            stored.push(docs);
        }
        let mut stemmer = index.tokenizer_for_field(fields.body)?;
        let mut all_stems = indexed_words(&searcher, fields.title)?;
        all_stems.extend(indexed_words(&searcher, fields.body)?);
        let stems = vocabulary::Stems::build(all_stems);
        let words = vocabulary::Vocabulary::build(indexed_words(&searcher, fields.body_raw)?, &mut stemmer, &stems);
        let stats = stats::Stats::gather(&searcher, &[fields.title, fields.body])?;
        let impacts = impacts::Impacts::build(
            &searcher,
            &stats,
            &[(fields.title, query::TITLE_BOOST), (fields.body, 1.0)],
            &stems,
        )?;
        let spans = spans::Spans::build(
            &words,
            stored
                .iter()
                .map(|docs| docs.iter().map(|d| (d.title.as_str(), d.body.as_str())).collect()),
        )?;
        Ok(Self {
            locale,
            reader,
            fields,
            stored,
            segments,
            typos: typo_index(&words),
            stems,
            words,
            impacts,
            spans,
        })
    }

    fn stored(&self, address: DocAddress) -> Option<&Stored> {
        self.stored
            .get(address.segment_ord as usize)?
            .get(address.doc_id as usize)
    }

    fn words(&self) -> query::Words<'_> {
        query::Words {
            vocabulary: &self.words,
            typos: &self.typos,
            stems: &self.stems,
        }
    }

    fn parse(&self, text: &str) -> Option<query::Parsed> {
        analysis::with_query_analyzers(self.locale, |analyzers| query::parse(self.words(), analyzers, text))
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

    /// The hit at `address`, marked by `marker`.
    fn hit<'a>(&'a self, marker: &'a highlight::Highlighter<'a>, address: DocAddress) -> Option<FoundHit<'a>> {
        let doc = self.stored(address)?;
        Some(FoundHit {
            kind: doc.kind,
            slug: &doc.slug,
            title: &doc.title,
            body: &doc.body,
            ord: address.segment_ord as usize,
            id: address.doc_id,
            index: self,
            marker,
        })
    }

    /// These hits, titles and snippets marked.
    fn hits(&self, parsed: &query::Parsed, found: &[DocAddress]) -> Vec<Hit> {
        let marker = highlight::Highlighter::new(&parsed.marked);
        found
            .iter()
            .filter_map(|address| self.hit(&marker, *address))
            .map(|hit| hit.to_hit())
            .collect()
    }

    /// One page of the best documents of every kind and family, and how many match
    /// (the count visits every match, so nothing is pruned here).
    fn top(&self, text: &str, offset: usize, limit: usize) -> (Vec<Hit>, usize) {
        let searcher = self.searcher();
        let Some(parsed) = self.parse(text) else {
            return (Vec::new(), 0);
        };
        let query = parsed.query(&self.fields, &self.stems);
        // A page past the last document is empty: tantivy sizes its heap by
        // offset + limit, so an offset from the URL is never handed to it unbounded.
        if offset >= usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX) {
            let total = searcher.search(&*query, &Count).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "search failed");
                0
            });
            return (Vec::new(), total);
        }
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score();
        match searcher.search(&*query, &(top, Count)) {
            Ok((found, total)) => {
                let found: Vec<DocAddress> = found.into_iter().map(|(_, a)| a).collect();
                (self.hits(&parsed, &found), total)
            }
            Err(e) => {
                tracing::warn!(error = %e, "search failed");
                (Vec::new(), 0)
            }
        }
    }

    /// The best `limit` documents of a kind (and a family) for a parsed query:
    /// only the segments of that group are searched.
    fn best_of(
        &self,
        searcher: &Searcher,
        query: &[(vocabulary::StemId, f32)],
        kind: ItemKind,
        family: Option<&str>,
        limit: usize,
    ) -> Vec<DocAddress> {
        let exact = family.map(|f| facet_code(kind, f));
        let wanted = |code: u64| match exact {
            Some(e) => code == e,
            None => code / 16 == kind_code(kind),
        };
        match grouped_top::best(searcher, &self.impacts, query, KIND_CODE, &self.segments, wanted, limit) {
            Ok(found) => found.into_iter().map(|(_, a)| a).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "search failed");
                Vec::new()
            }
        }
    }

    /// The suggestions, to `f`, read in place.
    fn suggest_with<R>(&self, text: &str, family: Option<&str>, f: impl FnOnce(&Found<'_>) -> R) -> R {
        let searcher = self.searcher();
        let parsed = self.parse(text);
        let (articles, posts) = match &parsed {
            Some(parsed) => {
                let query = &parsed.clauses;
                (
                    self.best_of(&searcher, query, ItemKind::Article, family, SUGGESTED_ARTICLES),
                    self.best_of(&searcher, query, ItemKind::Post, family, SUGGESTED_POSTS),
                )
            }
            None => (Vec::new(), Vec::new()),
        };
        self.warm_up(articles.iter().chain(&posts));
        f(&Found {
            index: self,
            marker: highlight::Highlighter::new(parsed.as_ref().map_or(&[], |p| &p.marked)),
            articles,
            posts,
        })
    }

    /// Reads the first bytes of the hits' slugs, titles and bodies, and of their
    /// words, before any is written. They are cold (eight documents of thousands),
    /// and each hit's are found through pointers read from memory: written one hit
    /// after the other, every hit waited for its own in turn; read here together,
    /// the hits' loads wait for memory at the same time. (Measured: 5% off a
    /// suggestion in process with the caches flushed between suggestions,
    /// `BENCH_EVICT`; 2 to 3% more suggestions a second over HTTP.)
    fn warm_up<'a>(&self, addresses: impl Iterator<Item = &'a DocAddress>) {
        let mut any = 0usize;
        for address in addresses {
            let Some(doc) = self.stored(*address) else {
                continue;
            };
            let (ord, id) = (address.segment_ord as usize, address.doc_id);
            for text in [&doc.slug, &doc.title, &doc.body] {
                any += usize::from(text.as_bytes().first().copied().unwrap_or_default());
            }
            for spans in [self.spans.title(ord, id), self.spans.body(ord, id)] {
                any += spans.first().map_or(0, |s| s.at());
            }
        }
        std::hint::black_box(any);
    }

    fn rank_articles(&self, text: &str, limit: usize) -> Vec<String> {
        let searcher = self.searcher();
        let Some(parsed) = self.parse(text) else {
            return Vec::new();
        };
        self.best_of(&searcher, &parsed.clauses, ItemKind::Article, None, limit)
            .into_iter()
            .filter_map(|a| self.stored(a).map(|d| d.slug.clone()))
            .collect()
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

/// Every word of a text field, over all segments, in order.
fn indexed_words(searcher: &Searcher, field: Field) -> tantivy::Result<Vec<Box<str>>> {
    let mut words = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(word) = std::str::from_utf8(stream.key()) {
                words.insert(Box::from(word));
            }
        }
    }
    Ok(words.into_iter().collect())
}

/// The words typos are corrected to: the folded words of the titles and bodies,
/// long enough to be one edit away from a word of `query::FUZZY_MIN_CHARS`.
fn typo_index(words: &vocabulary::Vocabulary) -> typos::Typos {
    typos::Typos::build(
        words
            .words()
            .filter(|(_, w)| w.chars().count() + 1 >= query::FUZZY_MIN_CHARS),
    )
}

/// A suggestion's articles and posts, read where the index keeps them: the
/// endpoint writes their titles and snippets straight into its answer.
pub struct Found<'a> {
    index: &'a LocaleIndex,
    marker: highlight::Highlighter<'a>,
    articles: Vec<DocAddress>,
    posts: Vec<DocAddress>,
}

/// One article or post of `Found`.
pub struct FoundHit<'a> {
    pub kind: ItemKind,
    pub slug: &'a str,
    title: &'a str,
    body: &'a str,
    ord: usize,
    id: tantivy::DocId,
    index: &'a LocaleIndex,
    marker: &'a highlight::Highlighter<'a>,
}

impl<'a> Found<'a> {
    /// Best first.
    pub fn articles(&'a self) -> impl Iterator<Item = FoundHit<'a>> + 'a {
        self.read(&self.articles)
    }

    /// Best first.
    pub fn posts(&'a self) -> impl Iterator<Item = FoundHit<'a>> + 'a {
        self.read(&self.posts)
    }

    fn read(&'a self, addresses: &'a [DocAddress]) -> impl Iterator<Item = FoundHit<'a>> + 'a {
        addresses
            .iter()
            .filter_map(|address| self.index.hit(&self.marker, *address))
    }
}

impl FoundHit<'_> {
    /// The title, escaped, the matched words in `<b>`.
    pub fn title_into(&self, out: &mut impl Markup) {
        let spans = self.index.spans.title(self.ord, self.id);
        self.marker.whole_into(out, self.title, spans);
    }

    /// A line of the body around the first match, escaped, matches in `<b>`.
    pub fn snippet_into(&self, out: &mut impl Markup) {
        let spans = self.index.spans.body(self.ord, self.id);
        self.marker.snippet_into(out, self.body, spans);
    }

    pub fn to_hit(&self) -> Hit {
        let mut title_html = String::with_capacity(self.title.len() + 16);
        self.title_into(&mut title_html);
        let mut snippet_html = String::new();
        self.snippet_into(&mut snippet_html);
        Hit {
            kind: self.kind,
            slug: self.slug.to_owned(),
            title_html,
            snippet_html,
        }
    }
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
        self.suggest_with(locale, family, text, |found| Suggestions {
            articles: found.articles().map(|h| h.to_hit()).collect(),
            posts: found.posts().map(|h| h.to_hit()).collect(),
        })
    }

    /// The same suggestions, to `f`, read in place (no string of their own).
    pub fn suggest_with<R>(
        &self,
        locale: Locale,
        family: Option<&str>,
        text: &str,
        f: impl FnOnce(&Found<'_>) -> R,
    ) -> R {
        self.current().get(locale).suggest_with(text, family, f)
    }

    /// Articles only, best first: what the relevance figures measure.
    pub fn rank_articles(&self, locale: Locale, text: &str, limit: usize) -> Vec<String> {
        self.current().get(locale).rank_articles(text, limit)
    }

    /// The search page: articles and posts together, one page.
    pub fn search(&self, locale: Locale, text: &str, page: usize, per_page: usize) -> SearchResults {
        let page = page.max(1);
        let all = self.current();
        let offset = (page - 1).saturating_mul(per_page);
        let (hits, total) = all.get(locale).top(text, offset, per_page);
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
