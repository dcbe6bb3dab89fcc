//! The best documents of one kind and family, found with tantivy's block-WAND.
//!
//! The index keeps each (kind, family) group in a segment of its own (see
//! `LocaleIndex::build`), so a filter by kind and family is a choice of segments,
//! not a clause of the query: the query stays a flat union of terms, and over a
//! segment that is all wanted documents tantivy can skip every block of postings
//! whose best possible score cannot enter the top (`Weight::for_each_pruning`).
//! Scoring is unchanged: BM25 statistics are the whole index's, whatever the
//! segment.

use tantivy::query::Weight;
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

/// Keeps `list` to its best `limit` entries, best first, ties by address.
fn push(list: &mut Vec<(Score, DocAddress)>, limit: usize, score: Score, doc: DocAddress) {
    if list.len() == limit && list.last().is_some_and(|(worst, _)| *worst >= score) {
        return;
    }
    let at = list.partition_point(|(s, _)| *s >= score);
    list.insert(at, (score, doc));
    list.truncate(limit);
}

/// The score a document must beat to enter a full list (block-WAND's threshold).
fn threshold(list: &[(Score, DocAddress)], limit: usize) -> Score {
    match list.last() {
        Some((worst, _)) if list.len() == limit => *worst,
        _ => Score::MIN,
    }
}

/// The `limit` best documents whose group code `wanted` accepts, best first.
/// `segments[i]` is what `holds` said of the searcher's segment `i`.
pub fn best(
    searcher: &Searcher,
    weight: &dyn Weight,
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
        let ord = ord as u32;
        let alive = reader.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));
        match segments.get(ord as usize).copied().unwrap_or(Holds::Mixed) {
            Holds::Nothing => {}
            Holds::Only(code) if !wanted(code) => {}
            Holds::Only(_) => {
                // The threshold carries over from the segments already searched.
                weight.for_each_pruning(threshold(&list, limit), reader, &mut |doc, score| {
                    if is_alive(doc) {
                        push(&mut list, limit, score, DocAddress::new(ord, doc));
                    }
                    threshold(&list, limit)
                })?;
            }
            Holds::Mixed => {
                let column = reader.fast_fields().u64(field)?;
                weight.for_each_pruning(threshold(&list, limit), reader, &mut |doc, score| {
                    if is_alive(doc) && column.first(doc).is_some_and(&wanted) {
                        push(&mut list, limit, score, DocAddress::new(ord, doc));
                    }
                    threshold(&list, limit)
                })?;
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
        for (score, doc) in [(1.0, 1), (3.0, 2), (2.0, 3), (3.0, 4), (0.5, 5), (2.5, 6)] {
            push(&mut list, 3, score, at(doc));
        }
        assert_eq!(list, vec![(3.0, at(2)), (3.0, at(4)), (2.5, at(6))]);
        assert_eq!(threshold(&list, 3), 2.5);
        assert_eq!(threshold(&list[..2], 3), Score::MIN);
    }
}
