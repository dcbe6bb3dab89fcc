//! The indexed words one typo away from a word the index does not know: one letter
//! inserted, deleted, replaced, or two neighbours swapped ("signatrue").
//!
//! Found by the symmetric-delete method: two words are one edit apart only if they
//! are equal once at most one letter is deleted from each. Every indexed word is
//! filed under itself and each of its one-letter deletions when the index is built,
//! so a search is a handful of hash look-ups, then an exact check of the few
//! candidates. Walking tantivy's term dictionary with a Levenshtein automaton
//! instead cost a fifth of a whole suggestion.

use super::vocabulary::{Vocabulary, WordId};
use foldhash::{HashMap, HashMapExt};

pub struct Typos {
    /// A word, or a word less one letter: the words filed under it.
    by_key: HashMap<Box<str>, Vec<WordId>>,
}

/// The word and each of its one-letter deletions, to `each`, made in turn in one
/// buffer.
fn each_key(word: &str, mut each: impl FnMut(&str)) {
    let mut key = String::with_capacity(word.len());
    let deletions = word.char_indices().map(|(at, c)| (at, at + c.len_utf8()));
    for (cut, rest) in std::iter::once((word.len(), word.len())).chain(deletions) {
        key.clear();
        key.push_str(&word[..cut]);
        key.push_str(&word[rest..]);
        each(&key);
    }
}

/// Whether `a` and `b` differ by exactly one insertion, deletion, substitution, or
/// swap of two neighbouring letters.
pub fn one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        one_edit_of(a.as_bytes(), b.as_bytes())
    } else {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        one_edit_of(&a, &b)
    }
}

/// `one_edit` over letters (bytes for ASCII words, characters otherwise).
fn one_edit_of<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let prefix = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        // Substitution: the rest after the difference is equal. Swap: the two
        // differing neighbours are each other's, the rest equal.
        0 => {
            if prefix == short.len() {
                return false; // equal
            }
            let rest = prefix + 1;
            short[rest..] == long[rest..]
                || (rest < short.len()
                    && short[prefix] == long[rest]
                    && short[rest] == long[prefix]
                    && short[rest + 1..] == long[rest + 1..])
        }
        // Insertion: skipping one letter of the longer word at the first difference.
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

impl Typos {
    /// Files these words (each once) for the search.
    pub fn build<'a>(words: impl IntoIterator<Item = (WordId, &'a str)>) -> Self {
        let mut by_key: HashMap<Box<str>, Vec<WordId>> = HashMap::new();
        for (id, word) in words {
            each_key(word, |key| {
                let ids = match by_key.get_mut(key) {
                    Some(ids) => ids,
                    None => by_key.entry(Box::from(key)).or_default(),
                };
                // Deleting either of two equal neighbours gives the same key.
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            });
        }
        Self { by_key }
    }

    /// The filed words one edit away from `word`, in alphabetical order (the
    /// vocabulary numbers its words so), at most `limit`.
    pub fn near(&self, vocabulary: &Vocabulary, word: &str, limit: usize) -> Vec<WordId> {
        let mut ids: Vec<WordId> = Vec::new();
        each_key(word, |key| {
            if let Some(filed) = self.by_key.get(key) {
                ids.extend_from_slice(filed);
            }
        });
        ids.sort_unstable();
        ids.dedup();
        ids.retain(|id| vocabulary.word(*id).is_some_and(|w| one_edit(word, w)));
        ids.truncate(limit);
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_is_exactly_one_edit() {
        for (a, b) in [
            ("signature", "signatrue"),
            ("signature", "signatures"),
            ("signature", "sgnature"),
            ("signature", "signaturr"),
            ("envelope", "enveloppe"),
            ("télécharger", "telécharger"),
            ("abcde", "bacde"),
            ("abcde", "abced"),
        ] {
            assert!(one_edit(a, b), "{a} {b}");
            assert!(one_edit(b, a), "{b} {a}");
        }
        for (a, b) in [
            ("signature", "signature"),
            ("abxcd", "abcyd"),
            ("abcde", "badce"),
            ("abcde", "abcdefg"),
            ("abcde", "edcba"),
            ("", "ab"),
        ] {
            assert!(!one_edit(a, b), "{a} {b}");
        }
        assert!(one_edit("", "a"));
    }

    #[test]
    fn finds_the_neighbours_and_only_them() {
        let mut words: Vec<Box<str>> = ["signature", "signatures", "signer", "enveloppe", "envelope", "sign"]
            .map(Box::from)
            .to_vec();
        words.sort();
        let mut stemmer = crate::search::analysis::stem_analyzer(domain::Locale::Fr);
        let stems = crate::search::vocabulary::Stems::build(Vec::new());
        let vocabulary = Vocabulary::build(words, &mut stemmer, &stems);
        let typos = Typos::build(vocabulary.words());
        let near = |word: &str, limit: usize| -> Vec<&str> {
            typos
                .near(&vocabulary, word, limit)
                .into_iter()
                .filter_map(|id| vocabulary.word(id))
                .collect()
        };
        assert_eq!(near("signatrue", 30), vec!["signature"]);
        assert_eq!(near("signatur", 30), vec!["signature"]);
        assert_eq!(near("envelopp", 30), vec!["envelope", "enveloppe"]);
        assert_eq!(near("signe", 30), vec!["sign", "signer"]);
        assert!(near("zq1x123", 30).is_empty());
        assert_eq!(near("signaturs", 1), vec!["signature"]);
    }
}
