//! Titles and one-line snippets with the matched words in `<b>`, escaped.
//!
//! A word is matched when its stem is one of the query's. Every word of every
//! title and body was folded and stemmed when the index was built, and filed as
//! written under its stem (`Impacts::written_forms`): the words to mark are then a
//! short list known before any text is read ("Enveloppes", "enveloppe", ...).
//! Marking a text is one pass over it that cuts it into words the way tantivy's
//! tokenizer does (runs of letters and digits), looks up only the words whose
//! first byte and length are those of a word to mark, and escapes on the way.
//! Folding and stemming the words of titles and snippets for every suggestion was
//! most of its cost.

use foldhash::{HashSet, HashSetExt};

const SNIPPET_CHARS: usize = 140;
/// How far before the first match a snippet starts, at most.
const LEAD_BYTES: usize = 40;

pub struct Highlighter<'f> {
    /// The words to mark, as written.
    forms: HashSet<&'f str>,
    /// Per first byte, the lengths of the words to mark (bit n: n bytes; bit 63:
    /// 63 or more): a word of another shape is not looked up.
    shapes: [u64; 256],
}

impl<'f> Highlighter<'f> {
    /// Marks these words, as written in the index.
    pub fn new(forms: impl IntoIterator<Item = &'f str>) -> Self {
        let mut shapes = [0u64; 256];
        let mut set = HashSet::new();
        for word in forms {
            if let Some(b) = word.bytes().next() {
                shapes[usize::from(b)] |= shape(word);
                set.insert(word);
            }
        }
        Self { forms: set, shapes }
    }

    fn wanted(&self, word: &str) -> bool {
        word.bytes()
            .next()
            .is_some_and(|b| self.shapes[usize::from(b)] & shape(word) != 0)
            && self.forms.contains(word)
    }

    /// `text`, escaped, its matched words in `<b>`, to `html`.
    fn mark_into(&self, html: &mut String, text: &str) {
        let bytes = text.as_bytes();
        // `text[..done]` is in `html` already.
        let mut done = 0;
        let mut start = None;
        let mut at = 0;
        // Words are runs of letters and digits, as tantivy's `SimpleTokenizer` cuts
        // them; ASCII is told apart byte by byte, the rest decoded.
        while at <= bytes.len() {
            let (word_char, len) = match bytes.get(at) {
                None => (false, 1),
                Some(b) if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
                Some(_) => match text.get(at..).and_then(|rest| rest.chars().next()) {
                    Some(c) => (c.is_alphanumeric(), c.len_utf8()),
                    None => (false, 1),
                },
            };
            if word_char {
                start.get_or_insert(at);
            } else {
                if let Some(from) = start.take()
                    && self.wanted(&text[from..at])
                {
                    html.push_str(&text[done..from]);
                    html.push_str("<b>");
                    html.push_str(&text[from..at]);
                    html.push_str("</b>");
                    done = at;
                }
                let entity = match bytes.get(at) {
                    Some(b'<') => "&lt;",
                    Some(b'>') => "&gt;",
                    Some(b'&') => "&amp;",
                    _ => "",
                };
                if !entity.is_empty() {
                    html.push_str(&text[done..at]);
                    html.push_str(entity);
                    done = at + 1;
                }
            }
            at += len;
        }
        html.push_str(&text[done..]);
    }

    /// The whole text, escaped, its matched words in `<b>` (a snippet would stop at
    /// the last match and cut a title short).
    pub fn whole(&self, text: &str) -> String {
        let mut html = String::with_capacity(text.len() + 16);
        self.mark_into(&mut html, text);
        html
    }

    /// About one line of the body from a little before its first matched word (at
    /// byte `first`, which the index knows: see `Impacts::first_in_body`), escaped,
    /// matches in `<b>`; the start of the body when nothing matched. Only that line
    /// is read.
    pub fn snippet(&self, body: &str, first: Option<usize>) -> String {
        let first = first.filter(|at| body.is_char_boundary(*at));
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
        let mut html = String::with_capacity(SNIPPET_CHARS * 2 + 32);
        if start > 0 {
            html.push('…');
        }
        self.mark_into(&mut html, &body[start..end]);
        if end < body.len() {
            html.push('…');
        }
        html
    }
}

/// A word's length as a bit of `Highlighter::shapes`.
fn shape(word: &str) -> u64 {
    1 << word.len().min(63)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analysis;
    use app::i18n::Locale;

    /// The words to mark for these query words over an index of these texts: the
    /// texts' words, as written, whose stem is one of the query words' stems.
    fn forms(words: &[&str], texts: &[&str]) -> Vec<String> {
        let mut fr = analysis::stem_analyzer(Locale::Fr);
        let wanted: Vec<String> = words.iter().flat_map(|w| analysis::terms(&mut fr, w)).collect();
        let mut forms = Vec::new();
        let mut cut = analysis::folded_analyzer();
        for text in texts {
            let mut stream = cut.token_stream(text);
            while tantivy::tokenizer::TokenStream::advance(&mut stream) {
                let token = tantivy::tokenizer::TokenStream::token(&stream);
                if analysis::terms(&mut fr, &token.text)
                    .pop()
                    .is_some_and(|s| wanted.contains(&s))
                {
                    forms.push(text[token.offset_from..token.offset_to].to_owned());
                }
            }
        }
        forms
    }

    #[test]
    fn marks_every_form_of_the_words_and_escapes_the_rest() {
        let text = "Télécharger les <enveloppes> & signer";
        let forms = forms(&["télécharger", "enveloppe"], &[text]);
        let h = Highlighter::new(forms.iter().map(String::as_str));
        assert_eq!(
            h.whole(text),
            "<b>Télécharger</b> les &lt;<b>enveloppes</b>&gt; &amp; signer"
        );
        // A word cut short at the end of a snippet is not a word of the index.
        assert_eq!(h.whole("Télécharger les envel"), "<b>Télécharger</b> les envel");
    }

    #[test]
    fn a_snippet_starts_near_the_first_match_and_is_one_line() {
        let body = format!(
            "{} Le certificat K.Sign expire. {}",
            "mot ".repeat(40),
            "suite ".repeat(60)
        );
        let forms = forms(&["certificat"], &[&body, "Rien à voir ici."]);
        let h = Highlighter::new(forms.iter().map(String::as_str));
        let snippet = h.snippet(&body, body.find("certificat"));
        assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet}");
        assert!(snippet.contains("Le <b>certificat</b> K.Sign"), "{snippet}");
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 2 + 7, "{snippet}");
        // Nothing matched: the start of the body.
        let plain = h.snippet("Rien à voir ici.", None);
        assert_eq!(plain, "Rien à voir ici.");
    }
}
