//! The index's words and stems, each numbered in alphabetical order.
//!
//! Built once per index build. A query then works with numbers: a half-typed word's
//! completions are a range of the sorted words, a typo's corrections are word
//! numbers (`typos`), and every word of the index already knows its stem's number,
//! so no expansion is stemmed again. Stems are numbered in the order of their text,
//! so a list of stem ids sorts the way the stems themselves do.

use super::analysis;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use tantivy::tokenizer::TextAnalyzer;

/// A stem's number: its rank among the index's stems.
pub type StemId = u32;
/// A word's number: its rank among the index's words.
pub type WordId = u32;

/// Texts numbered in their sorted order, found by text through a hash table of
/// their numbers (a binary search over tens of thousands of strings reads a dozen
/// of them from all over memory).
struct Lexicon {
    sorted: Vec<Box<str>>,
    by_text: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl Lexicon {
    /// From texts in order, each once.
    fn new(sorted: Vec<Box<str>>) -> Self {
        let hasher = foldhash::fast::FixedState::default();
        let mut by_text = HashTable::with_capacity(sorted.len());
        for (id, text) in sorted.iter().enumerate() {
            by_text.insert_unique(hasher.hash_one(&**text), id as u32, |id: &u32| {
                hasher.hash_one(sorted.get(*id as usize).map_or("", |t| &**t))
            });
        }
        Self {
            sorted,
            by_text,
            hasher,
        }
    }

    fn id(&self, text: &str) -> Option<u32> {
        self.by_text
            .find(self.hasher.hash_one(text), |id| {
                self.sorted.get(*id as usize).is_some_and(|t| **t == *text)
            })
            .copied()
    }

    fn text(&self, id: u32) -> Option<&str> {
        self.sorted.get(id as usize).map(|t| &**t)
    }
}

/// The stems of the titles and bodies, in order.
pub struct Stems {
    lexicon: Lexicon,
}

impl Stems {
    /// From every stem the index holds, in any order, repeats allowed.
    pub fn build(stems: impl IntoIterator<Item = Box<str>>) -> Self {
        let mut sorted: Vec<Box<str>> = stems.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        Self {
            lexicon: Lexicon::new(sorted),
        }
    }

    pub fn id(&self, stem: &str) -> Option<StemId> {
        self.lexicon.id(stem)
    }

    pub fn text(&self, id: StemId) -> Option<&str> {
        self.lexicon.text(id)
    }

    pub fn len(&self) -> usize {
        self.lexicon.sorted.len()
    }
}

/// A word with no stem: a stop word.
const NO_STEM: StemId = StemId::MAX;

pub struct Vocabulary {
    /// Every word, in order.
    words: Lexicon,
    /// Each word's first eight bytes as a number (`head`), same order: a half-typed
    /// word's completions are found in this one array, not by reading a dozen
    /// words from all over memory.
    heads: Vec<u64>,
    /// Each word's stem (same order); `NO_STEM` for a stop word.
    stems: Vec<StemId>,
}

impl Vocabulary {
    /// From the index's words in order (as a term dictionary lists them), stemmed
    /// with the index's own stemmer. Every word is in a title or a body, so its stem
    /// is one of `stems` unless it is a stop word.
    pub fn build(words: Vec<Box<str>>, stemmer: &mut TextAnalyzer, stems: &Stems) -> Self {
        let ids = words
            .iter()
            .map(|w| {
                analysis::terms(stemmer, w)
                    .first()
                    .and_then(|s| stems.id(s))
                    .unwrap_or(NO_STEM)
            })
            .collect();
        Self {
            heads: words.iter().map(|w| head(w)).collect(),
            words: Lexicon::new(words),
            stems: ids,
        }
    }

    pub fn words(&self) -> impl Iterator<Item = (WordId, &str)> {
        self.words.sorted.iter().enumerate().map(|(id, w)| (id as WordId, &**w))
    }

    pub fn word(&self, id: WordId) -> Option<&str> {
        self.words.text(id)
    }

    /// The number of a (folded) word that some title or body has.
    pub fn find(&self, word: &str) -> Option<WordId> {
        self.words.id(word)
    }

    /// A word's stem; none for a stop word.
    pub fn stem(&self, id: WordId) -> Option<StemId> {
        self.stems.get(id as usize).copied().filter(|s| *s != NO_STEM)
    }

    /// The stem of a folded word of the index (none for a stop word or a word the
    /// index does not have).
    pub fn stem_of(&self, word: &str) -> Option<StemId> {
        self.find(word).and_then(|id| self.stem(id))
    }

    /// The words that begin with `prefix`, in order, at most `max`.
    pub fn completions<'a>(&'a self, prefix: &'a str, max: usize) -> impl Iterator<Item = WordId> + 'a {
        let key = head(prefix);
        let from = self.heads.partition_point(|h| *h < key);
        let (from, to) = if prefix.len() < HEAD_BYTES {
            // The words that begin with a short prefix are those whose head does.
            let mask = !(u64::MAX >> (8 * prefix.len()));
            let to = from + self.heads[from..].partition_point(|h| h & mask == key);
            (from, to)
        } else {
            // Those with the same head, then compared whole: few words share eight
            // letters.
            let band = from + self.heads[from..].partition_point(|h| *h == key);
            let sorted = &self.words.sorted[from..band];
            let first = from + sorted.partition_point(|w| **w < *prefix);
            let to = first
                + self.words.sorted[first..band]
                    .iter()
                    .take_while(|w| w.starts_with(prefix))
                    .count();
            (first, to)
        };
        (from..to).take(max).map(|id| id as WordId)
    }
}

/// Bytes of a word in its head.
const HEAD_BYTES: usize = 8;

/// A word's first eight bytes, big-endian, zeros after a shorter word: heads sort
/// as their words do (ties aside), since no word holds a zero byte.
fn head(word: &str) -> u64 {
    let mut bytes = [0; HEAD_BYTES];
    let n = word.len().min(HEAD_BYTES);
    bytes[..n].copy_from_slice(&word.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Locale;

    fn vocabulary(words: &[&str]) -> (Vocabulary, Stems) {
        let mut sorted: Vec<Box<str>> = words.iter().map(|w| Box::from(*w)).collect();
        sorted.sort();
        let mut stemmer = analysis::stem_analyzer(Locale::Fr);
        let stems = Stems::build(
            sorted
                .iter()
                .flat_map(|w| analysis::terms(&mut stemmer, w))
                .map(String::into_boxed_str),
        );
        (Vocabulary::build(sorted, &mut stemmer, &stems), stems)
    }

    #[test]
    fn completes_knows_and_stems() {
        let (v, stems) = vocabulary(&["certificat", "certificats", "cert", "certain", "enveloppe", "le"]);
        let text = |ids: Vec<WordId>| ids.into_iter().filter_map(|i| v.word(i)).collect::<Vec<_>>();
        assert_eq!(
            text(v.completions("certi", 10).collect()),
            vec!["certificat", "certificats"]
        );
        assert_eq!(v.completions("cert", 2).count(), 2);
        assert_eq!(v.completions("zz", 10).count(), 0);
        assert!(v.find("enveloppe").is_some() && v.find("envelope").is_none());
        assert_eq!(v.stem_of("certificats"), v.stem_of("certificat"));
        let stem = v.stem_of("certificat").and_then(|s| stems.text(s));
        assert_eq!(stem, Some("certificat"));
        assert_eq!(v.stem_of("le"), None, "a stop word has no stem");
        assert_eq!(v.stem_of("absent"), None);
    }

    #[test]
    fn completes_as_a_scan_of_the_sorted_words_does() {
        let words = [
            "a",
            "ab",
            "abc",
            "abcdefgh",
            "abcdefghi",
            "abcdefghij",
            "abcdefgz",
            "abd",
            "b",
            "certif",
            "certifica",
            "certificat",
            "certificats",
            "certification",
            "cese",
            "ete",
            "etes",
            "zz",
            "été",
            "œuvre",
        ];
        let (v, _) = vocabulary(&words);
        let mut sorted: Vec<&str> = words.to_vec();
        sorted.sort();
        for prefix in [
            "",
            "a",
            "ab",
            "abc",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefgz",
            "abcdefgzz",
            "b",
            "c",
            "certifica",
            "certificat",
            "certificats",
            "ce",
            "e",
            "et",
            "été",
            "é",
            "œ",
            "zz",
            "zzz",
            "0",
        ] {
            for max in [1, 2, 30] {
                let expected: Vec<&str> = sorted
                    .iter()
                    .copied()
                    .filter(|w| w.starts_with(prefix))
                    .take(max)
                    .collect();
                let ours: Vec<&str> = v.completions(prefix, max).filter_map(|i| v.word(i)).collect();
                assert_eq!(ours, expected, "{prefix:?} {max}");
            }
        }
    }

    #[test]
    fn stem_ids_sort_as_their_stems() {
        let stems = Stems::build(["signer", "envoi", "cert", "envoi"].map(Box::from));
        assert_eq!(stems.len(), 3);
        let ids: Vec<StemId> = ["cert", "envoi", "signer"].iter().filter_map(|s| stems.id(s)).collect();
        assert_eq!(ids, vec![0, 1, 2]);
        assert_eq!(stems.text(1), Some("envoi"));
        assert_eq!(stems.id("absent"), None);
    }
}
