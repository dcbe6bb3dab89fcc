//! The best documents of one kind and family, from the scores summed ahead
//! (`impacts`).
//!
//! The index keeps each (kind, family) group in a segment of its own (see
//! `LocaleIndex::build`), so a filter by kind and family is a choice of segments,
//! not a clause of the query. BM25 statistics are the whole index's, whatever the
//! segment, so a document scores the same whichever group is asked for.

use super::impacts::Impacts;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

/// What a segment holds, by the group code of its documents (`facet_code`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Holds {
    /// Only documents of this code.
    Only(u64),
    /// Several codes (an index built otherwise): filtered document by document.
    Mixed,
    /// No document.
    Nothing,
}

/// The group code a segment holds, from the fast field's bounds.
pub fn holds(reader: &SegmentReader, field: &str) -> Holds {
    if reader.num_docs() == 0 {
        return Holds::Nothing;
    }
    match reader.fast_fields().u64(field) {
        Ok(column) if column.min_value() == column.max_value() => Holds::Only(column.min_value()),
        _ => Holds::Mixed,
    }
}

/// Keeps `list` to its best `limit` entries, best first; the documents come in
/// address order, so a tie stays behind the one already in.
fn push(list: &mut Vec<(Score, DocAddress)>, limit: usize, score: Score, doc: DocAddress) {
    let at = list.partition_point(|(s, _)| *s >= score);
    if at < limit {
        list.insert(at, (score, doc));
        list.truncate(limit);
    }
}

/// The score a document must beat to enter the list: zero (no match) until it is
/// full.
fn threshold(list: &[(Score, DocAddress)], limit: usize) -> Score {
    match list.last() {
        Some((worst, _)) if list.len() == limit => *worst,
        _ => 0.0,
    }
}

/// The `limit` best documents for `query` ((stem id, weight) pairs, see
/// `Impacts::resolve`) whose group code `wanted` accepts, best first.
/// `segments[i]` is what `holds` said of the searcher's segment `i`.
pub fn best(
    searcher: &Searcher,
    impacts: &Impacts,
    query: &[(u32, Score)],
    field: &str,
    segments: &[Holds],
    wanted: impl Fn(u64) -> bool,
    limit: usize,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let mut list = Vec::with_capacity(limit + 1);
    if limit == 0 {
        return Ok(list);
    }
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let at = |doc: DocId| DocAddress::new(ord as u32, doc);
        match segments.get(ord).copied().unwrap_or(Holds::Mixed) {
            Holds::Nothing => {}
            Holds::Only(code) if !wanted(code) => {}
            Holds::Only(_) => {
                impacts.for_each_above(ord, query, threshold(&list, limit), |doc, score| {
                    push(&mut list, limit, score, at(doc));
                    threshold(&list, limit)
                });
            }
            Holds::Mixed => {
                let column = reader.fast_fields().u64(field)?;
                impacts.for_each_above(ord, query, threshold(&list, limit), |doc, score| {
                    if column.first(doc).is_some_and(&wanted) {
                        push(&mut list, limit, score, at(doc));
                    }
                    threshold(&list, limit)
                });
            }
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_in_order_ties_by_address() {
        let at = |d| DocAddress::new(0, d);
        let mut list = Vec::new();
        // In address order, as a segment's documents come.
        for (score, doc) in [(1.0, 1), (3.0, 2), (2.0, 3), (3.0, 4), (0.5, 5), (2.5, 6), (2.5, 7)] {
            if score > threshold(&list, 3) {
                push(&mut list, 3, score, at(doc));
            }
        }
        assert_eq!(list, vec![(3.0, at(2)), (3.0, at(4)), (2.5, at(6))]);
        assert_eq!(threshold(&list, 3), 2.5);
        assert_eq!(threshold(&list[..2], 3), 0.0);
    }
}
