//! The index's words, folded as `body_raw` holds them, each with its stem.
//!
//! Built once per index build. Completing a half-typed word is then a range of a
//! sorted list, and finding a word's stem while highlighting is one hash look-up:
//! stemming the words of titles and snippets for every suggestion was the costliest
//! part of it after the search itself.

use super::analysis;
use std::collections::HashMap;
use tantivy::tokenizer::TextAnalyzer;

pub struct Vocabulary {
    /// Every word, in order.
    sorted: Vec<Box<str>>,
    /// A word's stem; stop words have none.
    stems: HashMap<Box<str>, Box<str>>,
}

impl Vocabulary {
    /// From the index's words in order (as a term dictionary lists them), stemmed
    /// with the index's own stemmer.
    pub fn build(words: Vec<Box<str>>, stemmer: &mut TextAnalyzer) -> Self {
        let stems = words
            .iter()
            .filter_map(|w| {
                let stem = analysis::terms(stemmer, w).into_iter().next()?;
                Some((w.clone(), stem.into_boxed_str()))
            })
            .collect();
        Self { sorted: words, stems }
    }

    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.sorted.iter().map(|w| &**w)
    }

    /// Whether some title or body has this (folded) word.
    pub fn knows(&self, word: &str) -> bool {
        self.sorted.binary_search_by(|w| (**w).cmp(word)).is_ok()
    }

    /// The stem of a folded word of the index (none for a stop word).
    pub fn stem_of(&self, word: &str) -> Option<&str> {
        self.stems.get(word).map(|s| &**s)
    }

    /// The words that begin with `prefix`, in order, at most `max`.
    pub fn completions<'a>(&'a self, prefix: &'a str, max: usize) -> impl Iterator<Item = &'a str> + 'a {
        let from = self.sorted.partition_point(|w| **w < *prefix);
        self.sorted[from..]
            .iter()
            .take_while(move |w| w.starts_with(prefix))
            .take(max)
            .map(|w| &**w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::i18n::Locale;

    fn vocabulary(words: &[&str]) -> Vocabulary {
        let mut sorted: Vec<Box<str>> = words.iter().map(|w| Box::from(*w)).collect();
        sorted.sort();
        Vocabulary::build(sorted, &mut analysis::stem_analyzer(Locale::Fr))
    }

    #[test]
    fn completes_knows_and_stems() {
        let v = vocabulary(&["certificat", "certificats", "cert", "certain", "enveloppe", "le"]);
        assert_eq!(
            v.completions("certi", 10).collect::<Vec<_>>(),
            vec!["certificat", "certificats"]
        );
        assert_eq!(v.completions("cert", 2).count(), 2);
        assert_eq!(v.completions("zz", 10).count(), 0);
        assert!(v.knows("enveloppe") && !v.knows("envelope"));
        assert_eq!(v.stem_of("certificats"), v.stem_of("certificat"));
        assert!(v.stem_of("certificat").is_some());
        assert_eq!(v.stem_of("le"), None, "a stop word has no stem");
        assert_eq!(v.stem_of("absent"), None);
    }
}
