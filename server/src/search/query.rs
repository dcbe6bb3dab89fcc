//! From what the customer typed to weighted stems: the suggestions sum their scores
//! summed ahead (`impacts`), the search page runs them as a tantivy query.
//!
//! Each word brings up to three ways to match, all as stems of one flat sum (it
//! ranked the labelled subjects as well as a disjunction-max per word did):
//! - its stem, in the title (weighted 3) and the body;
//! - for words of five letters or more, the indexed words one edit away (a typo:
//!   "signatrue", "enveloppe" for "envelope");
//! - for the last word while it is being typed (no space after it yet), the indexed
//!   words it begins ("impossible de télécharger le cert").
//!
//! Typos and prefixes are expanded against the index's words first (`Vocabulary`,
//! `Typos`), so every alternative is a plain stem scored by BM25, and the same stems
//! are highlighted. The first 30 completions are taken in alphabetical order.
//!
//! Nothing of the query is ever parsed as syntax: quotes, brackets, `AND`, regex
//! characters are just text, and the tokenizer drops punctuation.

use super::Fields;
use super::analysis::{QueryAnalyzers, folded_words};
use super::typos::Typos;
use super::vocabulary::{StemId, Stems, Vocabulary};
use domain::help::QUERY_MAX_CHARS;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

pub struct Parsed {
    /// The stems to find, each with its weight: the query is their sum, each stem
    /// in the title (weighted `TITLE_BOOST`) and in the body. Word after word, and
    /// each word's stems in the order of their text.
    pub clauses: Vec<(StemId, Score)>,
    /// The same stems, each once, to highlight in titles and snippets.
    pub marked: Vec<StemId>,
}

impl Parsed {
    /// The clauses as a tantivy query: a flat union of plain term clauses, which
    /// tantivy scores without wrappers.
    pub fn query(&self, f: &Fields, stems: &Stems) -> Box<dyn Query> {
        let clauses = self
            .clauses
            .iter()
            .filter_map(|(id, weight)| Some((stems.text(*id)?, *weight)))
            .flat_map(|(stem, weight)| weighted(f, stem, weight));
        Box::new(BooleanQuery::new(clauses.collect()))
    }
}

pub const TITLE_BOOST: f32 = 3.0;
/// A completed word counts for less than the word itself.
/// The correction of a word the index does not know.
const TYPO_WEIGHT: f32 = 0.95;
const PREFIX_WEIGHT: f32 = 0.8;
pub const FUZZY_MIN_CHARS: usize = 5;
const PREFIX_MIN_CHARS: usize = 2;
const MAX_EXPANSIONS: usize = 30;
/// More words than this add nothing to a subject line but cost.
const MAX_WORDS: usize = 24;

/// What the index knows of its words, besides tantivy's own index.
pub struct Words<'a> {
    pub vocabulary: &'a Vocabulary,
    pub typos: &'a Typos,
    pub stems: &'a Stems,
}

/// `analyzers` are the index's (see `analysis`): the typed words are folded, and
/// stemmed only when the index does not have them (its words' stems are known
/// already).
pub fn parse(words_of: Words, analyzers: &mut QueryAnalyzers, text: &str) -> Option<Parsed> {
    let Words {
        vocabulary,
        typos,
        stems,
    } = words_of;
    let text = text
        .char_indices()
        .nth(QUERY_MAX_CHARS)
        .map_or(text, |(end, _)| &text[..end]);
    let words = folded_words(&mut analyzers.folded, text);
    // The last word is still being typed unless something follows it.
    let typing_last = text.chars().last().is_some_and(char::is_alphanumeric);
    let count = words.len().min(MAX_WORDS);
    // Most words bring their stem and a correction or two.
    let mut clauses: Vec<(StemId, Score)> = Vec::with_capacity(2 * count);
    // One buffer for every word's expansions: a few words a keystroke, each of
    // which had its own two vectors.
    let mut expansions = Vec::new();
    for (position, word) in words.iter().take(MAX_WORDS).enumerate() {
        let word: &str = word;
        let is_last = position + 1 == count;
        let known = vocabulary.find(word);
        // The word's stem: known for the index's words; otherwise the word is
        // stemmed (its stem may still be the index's: "signatures" for "signature").
        // `None` for a stop word.
        let own_stem: Option<Option<StemId>> = match known {
            Some(id) => vocabulary.stem(id).map(Some),
            None => analyzers.stem(word).map(|s| stems.id(&s)),
        };
        let Some(own) = own_stem else {
            continue;
        };
        // The word's alternatives are the clauses from `first` on. Each stem once,
        // at its best weight: many expansions share a stem ("signature",
        // "signatures", "signed"), which would otherwise count twice.
        let first = clauses.len();
        clauses.extend(own.map(|s| (s, 1.0)));
        let chars = word.chars().count();
        expansions.clear();
        // A word the knowledge base never uses is most likely a typo: look for its
        // corrections. A known word's neighbours are other words.
        if chars >= FUZZY_MIN_CHARS && known.is_none() {
            expansions.extend(
                typos
                    .near(vocabulary, word, MAX_EXPANSIONS)
                    .into_iter()
                    .map(|t| (t, TYPO_WEIGHT)),
            );
        }
        // A complete stop word ("pas", "the") being typed is rarely the start of
        // another word worth finding.
        if is_last && typing_last && chars >= PREFIX_MIN_CHARS {
            expansions.extend(
                vocabulary
                    .completions(word, MAX_EXPANSIONS)
                    .filter(|t| Some(*t) != known)
                    .map(|t| (t, PREFIX_WEIGHT)),
            );
        }
        // Expanded words are whole words of the index: scored through their stems.
        for &(t, weight) in &expansions {
            let Some(id) = vocabulary.stem(t) else {
                continue;
            };
            match clauses[first..].iter_mut().find(|(s, _)| *s == id) {
                Some((_, best)) => *best = best.max(weight),
                None => clauses.push((id, weight)),
            }
        }
        // In the order of the stems' text, as the sums have always been added up
        // (nothing was added for a word with nothing like it in the index).
        clauses[first..].sort_unstable_by_key(|(s, _)| *s);
    }
    if clauses.is_empty() {
        return None;
    }
    let mut marked: Vec<StemId> = clauses.iter().map(|(s, _)| *s).collect();
    marked.sort_unstable();
    marked.dedup();
    Some(Parsed { clauses, marked })
}
/// A stem in the title (weighted) and in the body: two plain term clauses, so the
/// whole query stays a flat union of terms that tantivy scores without wrappers.
fn weighted(f: &Fields, stem: &str, weight: f32) -> [(Occur, Box<dyn Query>); 2] {
    let term = |field: Field, boost: f32| -> (Occur, Box<dyn Query>) {
        let q = TermQuery::new(Term::from_field_text(field, stem), IndexRecordOption::WithFreqs);
        (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
    };
    [term(f.title, TITLE_BOOST * weight), term(f.body, weight)]
}
