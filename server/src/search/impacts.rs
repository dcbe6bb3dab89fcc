//! The suggestions' scores, summed ahead: every (stem, document) pair's BM25 score
//! is computed once when the index is built and kept in plain arrays, with where
//! the stem first appears in the document's body.
//!
//! A suggestion is a flat sum of weighted stems over one (kind, family) segment
//! (see `query`). Through tantivy that took a term-dictionary look-up per stem and
//! field, bit-packed postings to decode, BM25 to compute and block-WAND to steer:
//! half of a suggestion's time, most of it setting up to score a few dozen
//! documents. Here a stem is one hash look-up, and its documents' scores (title,
//! boosted, and body already added together) are read from an array. The scores
//! are tantivy's own: its `Bm25Weight`, its field norms, the index-wide statistics
//! (`stats`). The search page keeps tantivy, which it needs for counts and pages.
//!
//! Every list of the query is read whole, summed into one number per document:
//! nothing is pruned, so nothing can be missed. (MaxScore pruning, tried, cost more
//! than it saved on these short queries: its skips are binary searches, the sums
//! plain additions.)
//!
//! For the highlighting, two more things are kept (see `highlight`): where each
//! stem first appears in each body, so that a snippet starts there without the
//! body being read up to it, and every stem's words as written in the titles and
//! bodies, so that marking a text is looking for those few words, not folding and
//! stemming all of its own.

use super::analysis;
use super::stats::Stats;
use super::vocabulary::{StemId, Stems, Vocabulary};
use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocId, DocSet, Score, Searcher, TERMINATED, Term};

/// The stem is in the title only.
const NOT_IN_BODY: u32 = u32::MAX;
/// Sums read at a time when looking for the ones above the threshold.
const RUN: usize = 32;
/// A list with at least one document in this many of its range also keeps its
/// scores as a dense array over that range (0 where the stem is absent), added
/// into the sums as a vector: these are the common words, most of a query's
/// postings.
const DENSE_FILL: usize = 3;
/// No dense array.
const NO_DENSE: u32 = u32::MAX;

/// A stem's postings in one segment: a range of the segment's arrays (empty when
/// no document of the segment has it), and where its dense scores begin in the
/// segment's `dense` (`NO_DENSE` for none).
#[derive(Clone, Copy)]
struct List {
    from: u32,
    to: u32,
    dense: u32,
}

impl Default for List {
    fn default() -> Self {
        Self {
            from: 0,
            to: 0,
            dense: NO_DENSE,
        }
    }
}

/// One segment's postings by stem: documents in order, each with its score and
/// the stem's first byte offset in its body.
#[derive(Default)]
struct Segment {
    /// By stem id.
    lists: Vec<List>,
    docs: Vec<DocId>,
    scores: Vec<Score>,
    firsts: Vec<u32>,
    /// The dense lists' scores, each over its first to its last document.
    dense: Vec<Score>,
    max_doc: DocId,
}

thread_local! {
    /// A request's running sums, one per document of a segment, kept between
    /// requests (and left at zero) so that none allocates.
    static SUMS: RefCell<Vec<Score>> = const { RefCell::new(Vec::new()) };
}

pub struct Impacts {
    /// Every word as written in a title or body (case and accents as they are:
    /// "Enveloppes", "enveloppe"), stop words left out, by stem id: the words of
    /// stem `s` are `forms[form_ends[s - 1]..form_ends[s]]`.
    forms: Vec<Box<str>>,
    form_ends: Vec<u32>,
    /// By segment ordinal, as the searcher orders them.
    segments: Vec<Segment>,
}

/// One posting while building: (document, score, first offset in the body).
type Posting = (DocId, Score, u32);

impl Impacts {
    /// The scores of `fields`' terms (each field with its boost) over every segment.
    /// `texts(segment, doc)` is a document's title and body, and `words` the index's
    /// words: each text is read once more, as the highlighter reads it, for the
    /// first offsets and the written words.
    pub fn build<'a>(
        searcher: &Searcher,
        stats: &Stats,
        fields: &[(Field, Score)],
        stems: &Stems,
        words: &Vocabulary,
        texts: impl Fn(usize, DocId) -> Option<(&'a str, &'a str)>,
    ) -> tantivy::Result<Self> {
        let mut written: HashMap<Box<str>, StemId> = HashMap::new();
        let mut weights: HashMap<(usize, u32), Bm25Weight> = HashMap::new();
        let mut segments = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let alive = reader.alive_bitset();
            // Per stem id, in document order.
            let mut lists: Vec<Vec<Posting>> = Vec::new();
            for (nth, &(field, boost)) in fields.iter().enumerate() {
                let inverted = reader.inverted_index(field)?;
                let norms = reader.get_fieldnorms_reader(field)?;
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    let Ok(text) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    let Some(id) = stems.id(text) else {
                        continue;
                    };
                    let weight = match weights.get(&(nth, id)) {
                        Some(w) => w,
                        None => {
                            let w =
                                Bm25Weight::for_terms(stats, &[Term::from_field_text(field, text)])?.boost_by(boost);
                            weights.entry((nth, id)).or_insert(w)
                        }
                    };
                    let mut postings =
                        inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
                    if lists.len() <= id as usize {
                        lists.resize_with(id as usize + 1, Vec::new);
                    }
                    // The fields before this one left their scores in document order:
                    // merge, adding where a document has the stem in both.
                    let earlier = std::mem::take(&mut lists[id as usize]);
                    let mut merged = Vec::with_capacity(earlier.len() + postings.doc_freq() as usize);
                    let mut earlier = earlier.into_iter().peekable();
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        if alive.is_none_or(|a| a.is_alive(doc)) {
                            let score = weight.score(norms.fieldnorm_id(doc), postings.term_freq());
                            while let Some(before) = earlier.next_if(|p| p.0 < doc) {
                                merged.push(before);
                            }
                            match earlier.next_if(|p| p.0 == doc) {
                                Some((_, before, _)) => merged.push((doc, before + score, NOT_IN_BODY)),
                                None => merged.push((doc, score, NOT_IN_BODY)),
                            }
                        }
                        doc = postings.advance();
                    }
                    merged.extend(earlier);
                    lists[id as usize] = merged;
                }
            }
            let mut reading = Reading {
                words,
                written: &mut written,
                folded: analysis::folded_analyzer(),
            };
            for doc in 0..reader.max_doc() {
                if let Some((title, body)) = texts(ord, doc) {
                    reading.read(title, |_, _| {});
                    reading.first_offsets(&mut lists, doc, body);
                }
            }
            let mut segment = Segment {
                max_doc: reader.max_doc(),
                lists: vec![List::default(); stems.len()],
                ..Segment::default()
            };
            for (id, list) in lists.into_iter().enumerate() {
                let from = segment.docs.len() as u32;
                for (doc, score, first) in list {
                    segment.docs.push(doc);
                    segment.scores.push(score);
                    segment.firsts.push(first);
                }
                let to = segment.docs.len() as u32;
                let docs = &segment.docs[from as usize..];
                let dense = match (docs.first(), docs.last()) {
                    (Some(&first), Some(&last)) if (last - first + 1) as usize <= docs.len() * DENSE_FILL => {
                        let at = segment.dense.len();
                        segment.dense.resize(at + (last - first + 1) as usize, 0.0);
                        for (doc, score) in docs.iter().zip(&segment.scores[from as usize..]) {
                            segment.dense[at + (doc - first) as usize] = *score;
                        }
                        u32::try_from(at).unwrap_or(NO_DENSE)
                    }
                    _ => NO_DENSE,
                };
                if let Some(at) = segment.lists.get_mut(id) {
                    *at = List { from, to, dense };
                }
            }
            segment.docs.shrink_to_fit();
            segment.dense.shrink_to_fit();
            segment.scores.shrink_to_fit();
            segment.firsts.shrink_to_fit();
            segments.push(segment);
        }
        let mut by_stem: Vec<(StemId, Box<str>)> = written.into_iter().map(|(word, id)| (id, word)).collect();
        by_stem.sort_unstable();
        let mut form_ends = Vec::with_capacity(stems.len());
        let mut forms = Vec::with_capacity(by_stem.len());
        let mut by_stem = by_stem.into_iter().peekable();
        for id in 0..stems.len() as StemId {
            while let Some((_, word)) = by_stem.next_if(|(s, _)| *s == id) {
                forms.push(word);
            }
            form_ends.push(forms.len() as u32);
        }
        Ok(Self {
            forms,
            form_ends,
            segments,
        })
    }

    /// Every document of segment `ord` whose score for `query` (the weighted sum of
    /// its stems' scores) is above `threshold`, in document order, to `found`,
    /// which answers with the threshold from then on (the score that enters its top
    /// list). A document scoring the same as the threshold is not shown: it comes
    /// after the one it ties with, and ties go to the first.
    pub fn for_each_above(
        &self,
        ord: usize,
        query: &[(StemId, Score)],
        mut threshold: Score,
        mut found: impl FnMut(DocId, Score) -> Score,
    ) {
        let Some(segment) = self.segments.get(ord) else {
            return;
        };
        SUMS.with_borrow_mut(|sums| {
            let len = segment.max_doc as usize;
            if sums.len() < len {
                sums.resize(len, 0.0);
            }
            let sums = &mut sums[..len];
            // The documents summed into lie between the lists' first and last ones:
            // only those runs of sums are read back.
            let (mut low, mut high) = (len, 0);
            for (stem, weight) in query {
                let Some(list) = segment.lists.get(*stem as usize) else {
                    continue;
                };
                let (from, to) = (list.from as usize, list.to as usize);
                let docs = &segment.docs[from..to];
                let (Some(&first), Some(&last)) = (docs.first(), docs.last()) else {
                    continue;
                };
                let (first, last) = (first as usize, last as usize);
                low = low.min(first);
                high = high.max(last + 1);
                let dense = (list.dense != NO_DENSE)
                    .then(|| {
                        segment
                            .dense
                            .get(list.dense as usize..list.dense as usize + last + 1 - first)
                    })
                    .flatten();
                match (dense, sums.get_mut(first..=last)) {
                    // The same addition for every document of the range, 0 added
                    // where the stem is absent: the sums come out as the sparse
                    // ones would, bit for bit.
                    (Some(dense), Some(range)) => {
                        for (sum, score) in range.iter_mut().zip(dense) {
                            *sum += weight * score;
                        }
                    }
                    _ => {
                        for (doc, score) in docs.iter().zip(&segment.scores[from..to]) {
                            if let Some(sum) = sums.get_mut(*doc as usize) {
                                *sum += weight * score;
                            }
                        }
                    }
                }
            }
            if low >= high {
                return;
            }
            let low = low / RUN * RUN;
            let high = high.min(len);
            // One pass in document order reads the sums; a run of sums none of which
            // is above the threshold is skipped (a comparison the compiler does
            // several at a time). Then they are left at zero for the next request.
            let touched = &mut sums[low..high];
            for (run, chunk) in touched.chunks(RUN).enumerate() {
                if !chunk.iter().fold(false, |above, sum| above | (*sum > threshold)) {
                    continue;
                }
                for (at, score) in chunk.iter().enumerate() {
                    if *score > threshold {
                        threshold = found((low + run * RUN + at) as DocId, *score);
                    }
                }
            }
            touched.fill(0.0);
        });
    }

    /// These stems' words as they are written in titles and bodies.
    pub fn written_forms<'s>(&'s self, stems: &'s [StemId]) -> impl Iterator<Item = &'s str> + 's {
        stems
            .iter()
            .filter_map(|id| {
                let id = *id as usize;
                let from = if id == 0 { 0 } else { *self.form_ends.get(id - 1)? };
                self.forms.get(from as usize..*self.form_ends.get(id)? as usize)
            })
            .flatten()
            .map(|w| &**w)
    }

    /// The first byte offset in the body of document `doc` (of segment `ord`) of any
    /// of these stems; none when they are only in its title.
    pub fn first_in_body(&self, ord: usize, stems: &[StemId], doc: DocId) -> Option<usize> {
        let segment = self.segments.get(ord)?;
        stems
            .iter()
            .filter_map(|stem| {
                let list = segment.lists.get(*stem as usize)?;
                let (from, to) = (list.from as usize, list.to as usize);
                let at = segment.docs.get(from..to)?.binary_search(&doc).ok()?;
                segment.firsts.get(from + at).copied()
            })
            .filter(|first| *first != NOT_IN_BODY)
            .min()
            .map(|first| first as usize)
    }
}

/// Reads the index's texts as the highlighter will: words folded, then stemmed
/// through the vocabulary.
struct Reading<'r> {
    words: &'r Vocabulary,
    written: &'r mut HashMap<Box<str>, StemId>,
    folded: TextAnalyzer,
}

impl Reading<'_> {
    /// Each word of `text` that has a stem, with its byte offset, to `each`; every
    /// new written form is filed on the way.
    fn read(&mut self, text: &str, mut each: impl FnMut(u32, usize)) {
        let mut stream = self.folded.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            let Some(id) = self.words.stem_of(&token.text) else {
                continue;
            };
            let as_written = &text[token.offset_from..token.offset_to];
            if !self.written.contains_key(as_written) {
                self.written.insert(Box::from(as_written), id);
            }
            each(id, token.offset_from);
        }
    }

    /// Fills in where each stem first appears in this document's body.
    fn first_offsets(&mut self, lists: &mut [Vec<Posting>], doc: DocId, body: &str) {
        self.read(body, |id, offset| {
            let Some(list) = lists.get_mut(id as usize) else {
                return;
            };
            if let Ok(at) = list.binary_search_by_key(&doc, |p| p.0)
                && list[at].2 == NOT_IN_BODY
            {
                list[at].2 = offset as u32;
            }
        });
    }
}
