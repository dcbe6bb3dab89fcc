//! Titles and one-line snippets with the matched words in `<b>`, escaped.
//!
//! A word is matched when its stem is one of the query's. Every word of every
//! title and body was folded and stemmed when the index was built, and filed as
//! written under its stem (`Impacts::written_forms`): the words to mark are then a
//! short list known before any text is read ("Enveloppes", "enveloppe", ...).
//! Marking a text is one pass over it that jumps from one byte that may begin a
//! word to mark (or need escaping) to the next, and cuts out and looks up only
//! the words that begin there.
//! Folding and stemming the words of titles and snippets for every suggestion was
//! most of its cost.

use foldhash::{HashSet, HashSetExt};

const SNIPPET_CHARS: usize = 140;
/// How far before the first match a snippet starts, at most.
const LEAD_BYTES: usize = 40;

pub struct Highlighter<'f> {
    /// The words to mark, as written.
    forms: HashSet<&'f str>,
    /// Per byte, what it may begin: `WORD` the first byte of a word to mark,
    /// `ENTITY` a character to escape. The text in between is copied as it is.
    starts: [u8; 256],
}

const WORD: u8 = 1;
const ENTITY: u8 = 2;

impl<'f> Highlighter<'f> {
    /// Marks these words, as written in the index.
    pub fn new(forms: impl IntoIterator<Item = &'f str>) -> Self {
        let forms = forms.into_iter();
        let mut starts = [0u8; 256];
        for b in [b'<', b'>', b'&'] {
            starts[usize::from(b)] = ENTITY;
        }
        let mut set = HashSet::with_capacity(forms.size_hint().0);
        for word in forms {
            if let Some(b) = word.bytes().next() {
                starts[usize::from(b)] |= WORD;
                set.insert(word);
            }
        }
        Self { forms: set, starts }
    }

    /// `text`, escaped, its matched words in `<b>`, to `html`. Words are runs of
    /// letters and digits, as tantivy's `SimpleTokenizer` cuts them; only those
    /// that begin with the first byte of a word to mark are cut out and looked up.
    fn mark_into(&self, html: &mut String, text: &str) {
        let bytes = text.as_bytes();
        // `text[..done]` is in `html` already.
        let mut done = 0;
        let mut at = 0;
        // A byte found here is ASCII or a character's first byte (those are all
        // that `starts` has), so `found` is always on a character boundary.
        while let Some(found) = bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|b| self.starts[usize::from(*b)] != 0))
            .map(|k| at + k)
        {
            let entity = match bytes[found] {
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'&' => "&amp;",
                _ => "",
            };
            if !entity.is_empty() {
                html.push_str(&text[done..found]);
                html.push_str(entity);
                done = found + 1;
                at = found + 1;
                continue;
            }
            // Inside a word: not the start of one.
            if text[..found].chars().next_back().is_some_and(char::is_alphanumeric) {
                at = found + 1;
                continue;
            }
            let end = text[found..]
                .char_indices()
                .find(|(_, c)| !c.is_alphanumeric())
                .map_or(text.len(), |(k, _)| found + k);
            if self.forms.contains(&text[found..end]) {
                html.push_str(&text[done..found]);
                html.push_str("<b>");
                html.push_str(&text[found..end]);
                html.push_str("</b>");
                done = end;
            }
            at = end.max(found + 1);
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
