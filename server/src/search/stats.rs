//! BM25's statistics (documents, tokens per field, documents per term), summed over
//! the segments once when the index is built, for the scores summed ahead
//! (`impacts`): over one segment per (kind, family) group, the statistics must still
//! be the whole index's, as tantivy's own search takes them. The index never changes
//! once built (it is rebuilt whole), so the sums never go stale.

use std::collections::HashMap;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

pub struct Stats {
    docs: u64,
    tokens: HashMap<Field, u64>,
    doc_freq: HashMap<Term, u64>,
}

impl Stats {
    /// The statistics of these fields' terms over the searcher's segments.
    pub fn gather(searcher: &Searcher, fields: &[Field]) -> tantivy::Result<Self> {
        let docs = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let mut tokens = HashMap::new();
        let mut doc_freq = HashMap::new();
        for &field in fields {
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                *tokens.entry(field).or_insert(0) += inverted.total_num_tokens();
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    // Text fields' terms are text; anything else is not ours to count.
                    if let Ok(text) = std::str::from_utf8(stream.key()) {
                        let term = Term::from_field_text(field, text);
                        *doc_freq.entry(term).or_insert(0) += u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        Ok(Self { docs, tokens, doc_freq })
    }

    /// How many documents hold this term (0 for a field not gathered).
    fn documents_with(&self, term: &Term) -> u64 {
        self.doc_freq.get(term).copied().unwrap_or(0)
    }
}

impl Bm25StatisticsProvider for Stats {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Ok(self.tokens.get(&field).copied().unwrap_or(0))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok(self.documents_with(term))
    }
}
