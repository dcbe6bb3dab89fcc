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
use multiversion::multiversion;
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

impl Segment {
    /// Appends a stem's postings (in document order) to the segment's arrays, with
    /// its dense scores when it is common enough; `None` when it has none. `ord` is
    /// the segment's ordinal.
    fn push(&mut self, ord: u32, postings: &[Posting]) -> Option<List> {
        let (&(first, _), &(last, _)) = (postings.first()?, postings.last()?);
        let from = self.docs.len() as u32;
        for &(doc, score) in postings {
            self.docs.push(doc);
            self.scores.push(score);
        }
        let to = self.docs.len() as u32;
        let span = (last - first + 1) as usize;
        let dense = if span <= postings.len() * DENSE_FILL {
            let at = self.dense.len();
            self.dense.resize(at + span, 0.0);
            for &(doc, score) in postings {
                self.dense[at + (doc - first) as usize] = score;
            }
            u32::try_from(at).unwrap_or(NO_DENSE)
        } else {
            NO_DENSE
        };
        Some(List {
            segment: ord,
            from,
            to,
            first,
            last,
            dense,
        })
    }
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

/// The sums of a segment of at most this many documents are indexed as an array of
/// this size, by a document's low bits: no bounds check on each of the sparse adds
/// (the most frequent instructions of a suggestion), none needed.
const FIXED: usize = 1 << 16;

/// Adds `weight` times each score to its document's sum. `sums` has one per
/// document of the segment, and at least `FIXED`.
#[inline(always)]
fn add_sparse(sums: &mut [Score], docs: &[DocId], scores: &[Score], weight: Score) {
    let fits = sums.len() == FIXED;
    match sums.first_chunk_mut::<FIXED>() {
        // A segment's documents are below its `max_doc`: when `sums` is no longer
        // than `FIXED`, a document's low bits are the document.
        Some(fixed) if fits => {
            for (doc, score) in docs.iter().zip(scores) {
                debug_assert!((*doc as usize) < FIXED);
                fixed[*doc as usize % FIXED] += weight * score;
            }
        }
        _ => {
            for (doc, score) in docs.iter().zip(scores) {
                if let Some(sum) = sums.get_mut(*doc as usize) {
                    *sum += weight * score;
                }
            }
        }
    }
}

/// Whether any of a run of sums is above `threshold`. Over a fixed run the
/// compiler makes it a few vector comparisons, where a run's length unknown to it
/// took twice the instructions. (A mask of the comparisons, to visit only the sums
/// above, came out as twice as many instructions again: no `movmsk` without
/// `unsafe`.)
#[inline(always)]
fn any_above(run: &[Score; RUN], threshold: Score) -> bool {
    run.iter().fold(false, |above, sum| above | (*sum > threshold))
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
                if let Some(list) = segment.push(ord, &list) {
                    found.push((id as StemId, list));
                }
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
        threshold: Score,
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
            let size = (segment.max_doc as usize).max(FIXED);
            if sums.len() < size {
                sums.resize(size, 0.0);
            }
            warm_up(segment, lists.iter().map(|(list, _)| list));
            sum_above(segment, &lists, &mut sums[..size], threshold, &mut found);
        });
        LISTS.set(lists);
    }
}

/// The sums of `lists` (with their weights) over `segment`'s documents, in `sums`
/// (one per document, at least `FIXED`, all zero), and each sum above `threshold`
/// to `found`, in document order; `sums` are left at zero. Compiled twice, with
/// AVX2 and without, the processor's choice made at run time: the dense adds and
/// the read-back then do eight sums at a time instead of four.
#[multiversion(targets("x86_64+avx2"))]
fn sum_above(
    segment: &Segment,
    lists: &[(List, Score)],
    sums: &mut [Score],
    mut threshold: Score,
    found: &mut impl FnMut(DocId, Score) -> Score,
) {
    let len = segment.max_doc as usize;
    // The documents summed into lie between the lists' first and last ones: only
    // those runs of sums are read back.
    let (mut low, mut high) = (len, 0);
    for &(list, weight) in lists {
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
            // The same addition for every document of the range, 0 added where the
            // stem is absent: the sums come out as the sparse ones would, bit for
            // bit (no fused multiply-add in either).
            (Some(dense), Some(range)) => {
                for (sum, score) in range.iter_mut().zip(dense) {
                    *sum += weight * score;
                }
            }
            _ => add_sparse(sums, docs, segment.scores.get(from..to).unwrap_or_default(), weight),
        }
    }
    if low >= high {
        return;
    }
    let low = low / RUN * RUN;
    let high = high.min(len);
    // One pass in document order reads the sums and leaves them at zero for the
    // next request: each run is cleared while it is at hand, where a second pass
    // (a memset) read them all again. A run none of whose sums is above the
    // threshold is only cleared.
    let touched = &mut sums[low..high];
    let (runs, rest) = touched.as_chunks_mut::<RUN>();
    // Each sum above the threshold in order, the threshold following `found`.
    let mut scan = |chunk: &[Score], from: usize, mut threshold: Score| {
        for (at, score) in chunk.iter().enumerate() {
            if *score > threshold {
                threshold = found((from + at) as DocId, *score);
            }
        }
        threshold
    };
    for (nth, run) in runs.iter_mut().enumerate() {
        if any_above(run, threshold) {
            threshold = scan(run, low + nth * RUN, threshold);
        }
        *run = [0.0; RUN];
    }
    scan(rest, low + runs.len() * RUN, threshold);
    rest.fill(0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list's postings, in document order.
    type Postings<'a> = &'a [(DocId, Score)];

    /// A segment of `max_doc` documents with these lists, laid out as `build` lays
    /// them out; each is dense or not as the test means it to be.
    fn segment(max_doc: DocId, lists: &[(Postings, bool)]) -> (Segment, Vec<List>) {
        let mut segment = Segment {
            max_doc,
            ..Segment::default()
        };
        let mut out = Vec::new();
        for (postings, dense) in lists {
            let Some(list) = segment.push(0, postings) else {
                continue;
            };
            assert_eq!(list.dense != NO_DENSE, *dense, "{postings:?}");
            out.push(list);
        }
        (segment, out)
    }

    /// What `sum_above` must report: every document whose weighted sum is above the
    /// threshold in force when it comes, in document order, the threshold raised to
    /// the `keep`-th best found so far.
    fn expected(max_doc: DocId, lists: &[(Postings, Score)], keep: usize) -> Vec<(DocId, Score)> {
        let mut sums = vec![0.0; max_doc as usize];
        for (postings, weight) in lists {
            for (doc, score) in *postings {
                sums[*doc as usize] += weight * score;
            }
        }
        let (mut found, mut best) = (Vec::new(), Vec::new());
        for (doc, sum) in sums.into_iter().enumerate() {
            if sum > raised(&best, keep) {
                found.push((doc as DocId, sum));
                best.push(sum);
            }
        }
        found
    }

    fn raised(best: &[Score], keep: usize) -> Score {
        let mut sorted = best.to_vec();
        sorted.sort_by(|a, b| b.total_cmp(a));
        sorted.get(keep.wrapping_sub(1)).copied().unwrap_or(0.0)
    }

    fn reported(max_doc: DocId, lists: &[(Postings, Score, bool)], keep: usize) -> Vec<(DocId, Score)> {
        let shape: Vec<_> = lists.iter().map(|(p, _, dense)| (*p, *dense)).collect();
        let (segment, built) = segment(max_doc, &shape);
        let weighted: Vec<_> = built.iter().zip(lists).map(|(l, (_, w, _))| (*l, *w)).collect();
        let mut sums = vec![0.0; (max_doc as usize).max(FIXED)];
        let (mut found, mut best) = (Vec::new(), Vec::new());
        sum_above(&segment, &weighted, &mut sums, 0.0, &mut |doc, score| {
            found.push((doc, score));
            best.push(score);
            raised(&best, keep)
        });
        assert!(sums.iter().all(|s| *s == 0.0), "the sums are left at zero");
        found
    }

    #[test]
    fn dense_and_sparse_lists_sum_and_read_back_in_order() {
        // Runs of 32 sums and a shorter last one; a dense list and two sparse ones,
        // one of them weighted.
        let common: Vec<(DocId, Score)> = (3..90).step_by(2).map(|d| (d, 0.5 + d as Score / 100.0)).collect();
        let rare: &[(DocId, Score)] = &[(4, 2.0), (40, 1.0), (77, 3.0), (99, 0.25)];
        let typo: &[(DocId, Score)] = &[(5, 1.5), (64, 4.0), (98, 1.0)];
        for keep in [1, 3, 100] {
            let got = reported(
                100,
                &[(&common, 1.0, true), (rare, 1.0, false), (typo, 0.95, false)],
                keep,
            );
            let want = expected(100, &[(&common, 1.0), (rare, 1.0), (typo, 0.95)], keep);
            assert_eq!(got, want, "keep {keep}");
            assert!(!got.is_empty());
        }
    }

    #[test]
    fn segments_larger_than_the_fixed_array_sum_the_same() {
        // Past `FIXED` documents the sums are a plain slice, looked up with checks.
        let max_doc = FIXED as DocId + 70;
        let far: &[(DocId, Score)] = &[(1, 1.0), (FIXED as DocId - 1, 2.0), (FIXED as DocId + 3, 5.0)];
        let near: &[(DocId, Score)] = &[(FIXED as DocId + 3, 1.0), (FIXED as DocId + 69, 0.5)];
        let got = reported(max_doc, &[(far, 1.0, false), (near, 0.8, false)], 2);
        assert_eq!(got, expected(max_doc, &[(far, 1.0), (near, 0.8)], 2));
        assert_eq!(got.last(), Some(&(FIXED as DocId + 3, 5.8)));
    }
}
