//! How text becomes terms, per language. Two analyzers per index:
//! - `stem`: words, lower-cased, accents folded ("télécharger" = "telecharger"), stop
//!   words dropped, stemmed ("signatures" = "signature"). Ranking uses it.
//! - `folded`: the same without stop words or stemming. The typo tolerance and the
//!   half-typed last word expand against it, since stems are not words.

use domain::Locale;
use std::borrow::Cow;
use std::cell::RefCell;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    TextAnalyzer, TokenStream,
};

pub const STEM: &str = "stem";
/// Not "raw": that name is tantivy's own tokenizer, the one `STRING` fields (slugs,
/// kinds, families) are indexed with, and registering ours over it splits slugs.
pub const FOLDED: &str = "folded";
/// Longer "words" are noise (hashes, base64): never indexed, never searched.
const MAX_TOKEN_BYTES: usize = 40;

fn language(locale: Locale) -> Language {
    match locale {
        Locale::Fr => Language::French,
        Locale::En => Language::English,
    }
}

pub fn stem_analyzer(locale: Locale) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(language(locale)) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    builder.filter_dynamic(Stemmer::new(language(locale))).build()
}

pub fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The last two steps of `stem_analyzer` (stop words, stemming) for one word that is
/// cut, lower-cased and folded already: a word of lower-case ASCII letters and digits
/// comes out of the first three steps as it went in.
fn word_stemmer(locale: Locale) -> TextAnalyzer {
    let stop = StopWordFilter::new(language(locale)).unwrap_or_else(|| StopWordFilter::remove(Vec::<String>::new()));
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(stop)
        .filter(Stemmer::new(language(locale)))
        .build()
}

/// A thread's analyzers for the queries of one language.
pub struct QueryAnalyzers {
    /// `folded_analyzer`.
    pub folded: TextAnalyzer,
    /// `stem_analyzer`.
    stem: TextAnalyzer,
    /// `word_stemmer`.
    word: TextAnalyzer,
}

impl QueryAnalyzers {
    fn new(locale: Locale) -> Self {
        Self {
            folded: folded_analyzer(),
            stem: stem_analyzer(locale),
            word: word_stemmer(locale),
        }
    }

    /// The stem `stem_analyzer` gives a word of `folded_words`; none for a stop
    /// word. The words typed that the index does not know are stemmed on every
    /// keystroke: most are plain ASCII, and skip the three steps that would leave
    /// them as they are (2 % of a suggestion's instructions, by callgrind).
    pub fn stem(&mut self, word: &str) -> Option<String> {
        let plain = !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let analyzer = if plain { &mut self.word } else { &mut self.stem };
        let mut stream = analyzer.token_stream(word);
        stream.advance().then(|| std::mem::take(&mut stream.token_mut().text))
    }
}

thread_local! {
    /// Each thread's analyzers for the queries (an analyzer is a chain of boxed
    /// filters: built once per thread, not once per keystroke). By locale.
    static QUERY_ANALYZERS: RefCell<[Option<QueryAnalyzers>; 2]> = const { RefCell::new([None, None]) };
}

/// Runs `f` with this thread's query analyzers of the locale.
pub fn with_query_analyzers<R>(locale: Locale, f: impl FnOnce(&mut QueryAnalyzers) -> R) -> R {
    let slot = match locale {
        Locale::Fr => 0,
        Locale::En => 1,
    };
    QUERY_ANALYZERS.with_borrow_mut(|all| f(all[slot].get_or_insert_with(|| QueryAnalyzers::new(locale))))
}

/// The words `folded_analyzer` makes of a text, in order. Words of ASCII letters and
/// digits (most of what is typed) are cut and lower-cased here, which is all the
/// analyzer would do to them, and those already in lower case (most of those) are
/// the text's own, not copies; the others go through the analyzer one by one.
pub fn folded_words<'t>(folded: &mut TextAnalyzer, text: &'t str) -> Vec<Cow<'t, str>> {
    let mut out = Vec::new();
    // Cut as `SimpleTokenizer` cuts, long words dropped as `RemoveLongFilter` drops them.
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() || word.len() >= MAX_TOKEN_BYTES {
            continue;
        }
        if !word.is_ascii() {
            out.extend(terms(folded, word).into_iter().map(Cow::Owned));
        } else if word.bytes().any(|b| b.is_ascii_uppercase()) {
            out.push(Cow::Owned(word.to_ascii_lowercase()));
        } else {
            out.push(Cow::Borrowed(word));
        }
    }
    out
}

/// The terms an analyzer makes of a text, in order.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_stems_fold_together() {
        let mut fr = stem_analyzer(Locale::Fr);
        assert_eq!(terms(&mut fr, "Télécharger"), terms(&mut fr, "telecharger"));
        assert_eq!(terms(&mut fr, "enveloppes"), terms(&mut fr, "Enveloppe"));
        // Stop words go.
        assert!(terms(&mut fr, "le la les de").is_empty());
        let mut en = stem_analyzer(Locale::En);
        assert_eq!(terms(&mut en, "Signatures"), terms(&mut en, "signature"));
        assert!(terms(&mut en, "the of and").is_empty());
        let mut raw = folded_analyzer();
        assert_eq!(terms(&mut raw, "Échoué, l’envoi"), vec!["echoue", "l", "envoi"]);
    }

    #[test]
    fn a_folded_word_stems_as_the_whole_chain_stems_it() {
        for locale in [Locale::Fr, Locale::En] {
            let mut query = QueryAnalyzers::new(locale);
            let mut whole = stem_analyzer(locale);
            let mut folded = folded_analyzer();
            let text = "Impossible de télécharger les enveloppes signées, the signing of envelopes failed \
                        à 9h30 : K.Sign 2FA œuvre ﬁn straße le la les the of and n42 zq1x77";
            for word in folded_words(&mut folded, text) {
                let word = word.into_owned();
                assert_eq!(query.stem(&word), terms(&mut whole, &word).first().cloned(), "{word}");
            }
        }
    }

    #[test]
    fn folded_words_are_the_analyzers_words() {
        let mut folded = folded_analyzer();
        let long = "x".repeat(MAX_TOKEN_BYTES);
        for text in [
            "",
            "Échoué, l’envoi de l'ENVELOPPE n°42 (K.Sign) à 9h30 !",
            "Ça ne marche pas: «signature» — œuvre, STRASSE, straße, ﬁn",
            &format!("{long} {} a{long}é b", &long[1..]),
            "日本語 テキスト and ASCII_words-with_punct",
        ] {
            assert_eq!(
                folded_words(&mut folded, text),
                terms(&mut folded_analyzer(), text)
                    .into_iter()
                    .map(Cow::<str>::Owned)
                    .collect::<Vec<_>>(),
                "{text}"
            );
        }
    }
}
