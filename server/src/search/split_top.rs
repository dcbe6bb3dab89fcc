//! A collector for the suggestions: one pass over the matches keeps the best
//! articles and the best posts of a family at once. It reads each match's kind and
//! family from one fast field, once (two filtering collectors read it twice, and
//! that reading was a fifth of a suggestion's time).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// `limits[k]` best documents whose code is `wanted[k]` (or, with no family, whose
/// code divided by 16 is `k`, see `facet_code`).
pub struct SplitTop {
    pub field: &'static str,
    /// The exact codes wanted per list, or `None` to match on the kind alone.
    pub wanted: [Option<u64>; 2],
    pub limits: [usize; 2],
}

pub struct SplitTopSegment {
    column: Option<Column<u64>>,
    segment: SegmentOrdinal,
    wanted: [Option<u64>; 2],
    limits: [usize; 2],
    best: [Vec<(Score, DocId)>; 2],
}

/// Keeps `list` to its best `limit` entries, best first, ties by document.
fn push(list: &mut Vec<(Score, DocId)>, limit: usize, score: Score, doc: DocId) {
    if list.len() == limit && list.last().is_some_and(|(worst, _)| *worst >= score) {
        return;
    }
    let at = list.partition_point(|(s, _)| *s >= score);
    list.insert(at, (score, doc));
    list.truncate(limit);
}

impl SegmentCollector for SplitTopSegment {
    type Fruit = [Vec<(Score, DocAddress)>; 2];

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(code) = self.column.as_ref().and_then(|c| c.first(doc)) else {
            return;
        };
        for list in 0..2 {
            let hit = match self.wanted[list] {
                Some(w) => code == w,
                None => code / 16 == list as u64,
            };
            if hit {
                push(&mut self.best[list], self.limits[list], score, doc);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        self.best.map(|list| {
            list.into_iter()
                .map(|(s, d)| (s, DocAddress::new(segment, d)))
                .collect()
        })
    }
}

impl Collector for SplitTop {
    type Fruit = [Vec<(Score, DocAddress)>; 2];
    type Child = SplitTopSegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SplitTopSegment> {
        Ok(SplitTopSegment {
            column: reader.fast_fields().u64(self.field).ok(),
            segment,
            wanted: self.wanted,
            limits: self.limits,
            best: [Vec::new(), Vec::new()],
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut merged: [Vec<(Score, DocAddress)>; 2] = [Vec::new(), Vec::new()];
        for fruit in fruits {
            for (list, found) in fruit.into_iter().enumerate() {
                merged[list].extend(found);
            }
        }
        for (list, found) in merged.iter_mut().enumerate() {
            found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            found.truncate(self.limits[list]);
        }
        Ok(merged)
    }
}

#[cfg(test)]
mod tests {
    use super::push;

    #[test]
    fn keeps_the_best_in_order_ties_by_document() {
        let mut list = Vec::new();
        for (score, doc) in [(1.0, 1), (3.0, 2), (2.0, 3), (3.0, 4), (0.5, 5), (2.5, 6)] {
            push(&mut list, 3, score, doc);
        }
        assert_eq!(list, vec![(3.0, 2), (3.0, 4), (2.5, 6)]);
        let mut none = Vec::new();
        push(&mut none, 0, 1.0, 1);
        assert!(none.is_empty());
    }
}
