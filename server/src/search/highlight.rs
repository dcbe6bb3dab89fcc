//! Titles and one-line snippets with the matched words in `<b>`, escaped.
//!
//! A word is matched when its stem is one of the query's. Stemming is the costly
//! part (it was half of a suggestion's time when every word of every title and
//! snippet went through it), so words are first compared cheaply: folded, on the
//! first four letters, which a stem shares with its word. Only those candidates are
//! stemmed, and each distinct candidate once per request.

use super::analysis;
use std::collections::BTreeMap;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

const SNIPPET_CHARS: usize = 140;
/// How far before the first match a snippet starts, at most.
const LEAD_BYTES: usize = 40;

pub struct Highlighter<'q> {
    stems: &'q BTreeMap<String, f32>,
    /// The first four letters of each stem.
    heads: Vec<&'q str>,
    folded: TextAnalyzer,
    stemmer: TextAnalyzer,
    /// Candidate words already stemmed, and whether they matched.
    seen: Vec<(String, bool)>,
}

impl<'q> Highlighter<'q> {
    pub fn new(stemmer: TextAnalyzer, stems: &'q BTreeMap<String, f32>) -> Self {
        let heads = stems
            .keys()
            .map(|t| &t[..t.char_indices().nth(4).map_or(t.len(), |(i, _)| i)])
            .collect();
        Self {
            stems,
            heads,
            folded: analysis::folded_analyzer(),
            stemmer,
            seen: Vec::new(),
        }
    }

    /// The byte ranges of the matched words of `text`, in order.
    fn matches(&mut self, text: &str, first_only: bool) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut stream = self.folded.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            if !self.heads.iter().any(|h| token.text.starts_with(h)) {
                continue;
            }
            let hit = match self.seen.iter().find(|(w, _)| *w == token.text) {
                Some((_, hit)) => *hit,
                None => {
                    let hit = analysis::terms(&mut self.stemmer, &token.text)
                        .first()
                        .is_some_and(|s| self.stems.contains_key(s));
                    self.seen.push((token.text.clone(), hit));
                    hit
                }
            };
            if hit {
                found.push((token.offset_from, token.offset_to));
                if first_only {
                    break;
                }
            }
        }
        found
    }

    /// The whole text, escaped, its matched words in `<b>` (a snippet would stop at
    /// the last match and cut a title short).
    pub fn whole(&mut self, text: &str) -> String {
        let matches = self.matches(text, false);
        mark(text, &matches)
    }

    /// About one line of the body around its first matched word, escaped, matches in
    /// `<b>`; the start of the body when nothing matched. Only that line is
    /// tokenized past the first match.
    pub fn snippet(&mut self, body: &str) -> String {
        let first = self.matches(body, true).first().map(|(from, _)| *from);
        // Start a few words before the match, on a character boundary.
        let start = first.map_or(0, |at| {
            let mut s = at.saturating_sub(LEAD_BYTES);
            while !body.is_char_boundary(s) {
                s -= 1;
            }
            body[s..at].find(char::is_whitespace).map_or(s, |w| s + w + 1).min(at)
        });
        let end = body[start..]
            .char_indices()
            .nth(SNIPPET_CHARS)
            .map_or(body.len(), |(i, _)| start + i);
        let mut html = String::with_capacity(SNIPPET_CHARS + 32);
        if start > 0 {
            html.push('…');
        }
        html.push_str(&self.whole(&body[start..end]));
        if end < body.len() {
            html.push('…');
        }
        html
    }
}

/// `text` escaped, with these byte ranges in `<b>`.
fn mark(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let mut done = 0;
    for &(from, to) in ranges {
        if from < done || !text.is_char_boundary(from) || !text.is_char_boundary(to) {
            continue;
        }
        html.push_str(&html_escape::encode_text(&text[done..from]));
        html.push_str("<b>");
        html.push_str(&html_escape::encode_text(&text[from..to]));
        html.push_str("</b>");
        done = to;
    }
    html.push_str(&html_escape::encode_text(&text[done..]));
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::i18n::Locale;

    fn stems(words: &[&str]) -> BTreeMap<String, f32> {
        let mut fr = analysis::stem_analyzer(Locale::Fr);
        words
            .iter()
            .flat_map(|w| analysis::terms(&mut fr, w))
            .map(|s| (s, 1.0))
            .collect()
    }

    #[test]
    fn marks_every_form_of_the_words_and_escapes_the_rest() {
        let wanted = stems(&["télécharger", "enveloppe"]);
        let mut h = Highlighter::new(analysis::stem_analyzer(Locale::Fr), &wanted);
        assert_eq!(
            h.whole("Télécharger les <enveloppes> & signer"),
            "<b>Télécharger</b> les &lt;<b>enveloppes</b>&gt; &amp; signer"
        );
    }

    #[test]
    fn a_snippet_starts_near_the_first_match_and_is_one_line() {
        let wanted = stems(&["certificat"]);
        let mut h = Highlighter::new(analysis::stem_analyzer(Locale::Fr), &wanted);
        let body = format!(
            "{} Le certificat K.Sign expire. {}",
            "mot ".repeat(40),
            "suite ".repeat(60)
        );
        let snippet = h.snippet(&body);
        assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet}");
        assert!(snippet.contains("Le <b>certificat</b> K.Sign"), "{snippet}");
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 2 + 7, "{snippet}");
        // Nothing matched: the start of the body.
        let plain = h.snippet("Rien à voir ici.");
        assert_eq!(plain, "Rien à voir ici.");
    }
}
