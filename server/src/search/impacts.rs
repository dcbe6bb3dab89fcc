//! The suggestions' scores, summed ahead: every (stem, document) pair's BM25 score
//! is computed once when the index is built and kept in plain arrays.
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

use super::stats::Stats;
use super::vocabulary::{StemId, Stems};
use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, TERMINATED, Term};

/// Sums read at a time when looking for the ones above the threshold.
const RUN: usize = 32;
/// A list with at least one document in this many of its range also keeps its
/// scores as a dense array over that range (0 where the stem is absent), added
/// into the sums as a vector: these are the common words, most of a query's
/// postings.
const DENSE_FILL: usize = 3;
/// No dense array.
const NO_DENSE: u32 = u32::MAX;

/// A stem's postings in one segment: a range of the segment's arrays, its first
/// and last documents (the range of sums it adds to, known without reading the
/// postings), and where its dense scores begin in the segment's `dense`
/// (`NO_DENSE` for none).
#[derive(Clone, Copy)]
struct List {
    segment: u32,
    from: u32,
    to: u32,
    first: DocId,
    last: DocId,
    dense: u32,
}

/// One segment's postings: by stem, documents in order, each with its score.
#[derive(Default)]
struct Segment {
    docs: Vec<DocId>,
    scores: Vec<Score>,
    /// The dense lists' scores, each over its first to its last document.
    dense: Vec<Score>,
    max_doc: DocId,
}

thread_local! {
    /// A request's running sums, one per document of a segment, kept between
    /// requests (and left at zero) so that none allocates.
    static SUMS: RefCell<Vec<Score>> = const { RefCell::new(Vec::new()) };
    /// A request's lists in one segment, with their weights, kept likewise: looked
    /// up once, for `warm_up` and then the sums.
    static LISTS: RefCell<Vec<(List, Score)>> = const { RefCell::new(Vec::new()) };
}

/// Cache lines of 64 bytes: 16 postings, or 16 scores.
const LINE: usize = 16;
/// The lines of each array touched ahead.
const LINES_AHEAD: usize = 2;

/// Reads the first lines of every list's arrays before any is summed. They are
/// cold (a request reads a few kilobytes of tens of megabytes of postings), and
/// read one list after the other each array would wait for memory, then again
/// until the processor's prefetcher has seen it streaming; read here together,
/// their loads wait for memory at the same time. (Measured: 4% off a suggestion
/// in process when the caches are flushed between suggestions, `BENCH_EVICT`;
/// 1 to 2% more suggestions a second over HTTP, within the noise of one round.)
fn warm_up<'a>(segment: &Segment, lists: impl Iterator<Item = &'a List>) {
    let mut any = 0.0;
    for list in lists {
        let (from, to) = (list.from as usize, list.to as usize);
        let span = (list.last - list.first) as usize + 1;
        for k in (0..LINES_AHEAD).map(|k| k * LINE) {
            // A dense list is read from its dense scores only.
            if list.dense != NO_DENSE {
                if k < span {
                    any += segment.dense.get(list.dense as usize + k).copied().unwrap_or_default();
                }
            } else if from + k < to {
                let doc = segment.docs.get(from + k).copied().unwrap_or_default();
                any += segment.scores.get(from + k).copied().unwrap_or_default() + doc as Score;
            }
        }
    }
    std::hint::black_box(any);
}

pub struct Impacts {
    /// By segment ordinal, as the searcher orders them.
    segments: Vec<Segment>,
    /// Where each stem's lists begin in `lists`, by stem id (and where the last
    /// one's end): a query's stem is then two reads, wherever its segments are.
    by_stem: Vec<u32>,
    /// Each stem's lists, one per segment that has the stem, in segment order.
    lists: Vec<List>,
}

/// One posting while building: (document, score).
type Posting = (DocId, Score);

impl Impacts {
    /// The scores of `fields`' terms (each field with its boost) over every segment.
    pub fn build(
        searcher: &Searcher,
        stats: &Stats,
        fields: &[(Field, Score)],
        stems: &Stems,
    ) -> tantivy::Result<Self> {
        let mut weights: HashMap<(usize, u32), Bm25Weight> = HashMap::new();
        let mut segments = Vec::new();
        // (stem, its list in one segment), segment after segment.
        let mut found: Vec<(StemId, List)> = Vec::new();
        for reader in searcher.segment_readers() {
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
                                Some((_, before)) => merged.push((doc, before + score)),
                                None => merged.push((doc, score)),
                            }
                        }
                        doc = postings.advance();
                    }
                    merged.extend(earlier);
                    lists[id as usize] = merged;
                }
            }
            let ord = segments.len() as u32;
            let mut segment = Segment {
                max_doc: reader.max_doc(),
                ..Segment::default()
            };
            for (id, list) in lists.into_iter().enumerate() {
                let (Some(&(first, _)), Some(&(last, _))) = (list.first(), list.last()) else {
                    continue;
                };
                let from = segment.docs.len() as u32;
                for (doc, score) in list {
                    segment.docs.push(doc);
                    segment.scores.push(score);
                }
                let to = segment.docs.len() as u32;
                let span = (last - first + 1) as usize;
                let dense = if span <= (to - from) as usize * DENSE_FILL {
                    let at = segment.dense.len();
                    segment.dense.resize(at + span, 0.0);
                    for (doc, score) in segment.docs[from as usize..]
                        .iter()
                        .zip(&segment.scores[from as usize..])
                    {
                        segment.dense[at + (doc - first) as usize] = *score;
                    }
                    u32::try_from(at).unwrap_or(NO_DENSE)
                } else {
                    NO_DENSE
                };
                found.push((
                    id as StemId,
                    List {
                        segment: ord,
                        from,
                        to,
                        first,
                        last,
                        dense,
                    },
                ));
            }
            segment.docs.shrink_to_fit();
            segment.dense.shrink_to_fit();
            segment.scores.shrink_to_fit();
            segments.push(segment);
        }
        // Stem by stem, each stem's lists in segment order (the sort is stable).
        found.sort_by_key(|(stem, _)| *stem);
        let mut by_stem = Vec::with_capacity(stems.len() + 1);
        let mut at = 0;
        for stem in 0..=stems.len() as StemId {
            while found.get(at).is_some_and(|(s, _)| *s < stem) {
                at += 1;
            }
            by_stem.push(at as u32);
        }
        let lists = found.into_iter().map(|(_, list)| list).collect();
        Ok(Self {
            segments,
            by_stem,
            lists,
        })
    }

    /// The postings of `stem` in segment `ord`, if it has the stem.
    fn list(&self, stem: StemId, ord: usize) -> Option<&List> {
        let (from, to) = (*self.by_stem.get(stem as usize)?, *self.by_stem.get(stem as usize + 1)?);
        self.lists
            .get(from as usize..to as usize)?
            .iter()
            .find(|l| l.segment as usize == ord)
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
        let mut lists = LISTS.take();
        lists.clear();
        lists.extend(
            query
                .iter()
                .filter_map(|(stem, weight)| Some((*self.list(*stem, ord)?, *weight))),
        );
        SUMS.with_borrow_mut(|sums| {
            let len = segment.max_doc as usize;
            if sums.len() < len {
                sums.resize(len, 0.0);
            }
            let sums = &mut sums[..len];
            warm_up(segment, lists.iter().map(|(list, _)| list));
            // The documents summed into lie between the lists' first and last ones:
            // only those runs of sums are read back.
            let (mut low, mut high) = (len, 0);
            for &(list, weight) in &lists {
                let (from, to) = (list.from as usize, list.to as usize);
                let Some(docs) = segment.docs.get(from..to) else {
                    continue;
                };
                let (first, last) = (list.first as usize, list.last as usize);
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
        LISTS.set(lists);
    }
}
