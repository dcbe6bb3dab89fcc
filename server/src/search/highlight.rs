//! Titles and one-line snippets with the matched words in `<b>`, escaped.
//!
//! A word is matched when its stem is one of the query's. Every word of every
//! title and body was folded and stemmed when the index was built, and filed as
//! written under its stem (`Impacts::written_forms`): the words to mark are then a
//! short list known before any text is read ("Enveloppes", "enveloppe", ...).
//! Marking a text is one pass over its words, the way tantivy's tokenizer cuts
//! them (runs of letters and digits), that looks up only the words whose length,
//! first and last bytes are those of a word to mark, and escapes on the way.
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
    /// 63 or more), and the same per last byte: a word of another shape is not
    /// looked up.
    firsts: [u64; 256],
    lasts: [u64; 256],
}

impl<'f> Highlighter<'f> {
    /// Marks these words, as written in the index.
    pub fn new(forms: impl IntoIterator<Item = &'f str>) -> Self {
        let forms = forms.into_iter();
        let mut firsts = [0u64; 256];
        let mut lasts = [0u64; 256];
        let mut set = HashSet::with_capacity(forms.size_hint().0);
        for word in forms {
            if let (Some(first), Some(last)) = (word.bytes().next(), word.bytes().next_back()) {
                firsts[usize::from(first)] |= shape(word.len());
                lasts[usize::from(last)] |= shape(word.len());
                set.insert(word);
            }
        }
        Self {
            forms: set,
            firsts,
            lasts,
        }
    }

    /// `text`, escaped, its matched words in `<b>`, to `html`. Words are runs of
    /// letters and digits, as tantivy's `SimpleTokenizer` cuts them; a word is
    /// looked up only when its length with its first byte, and with its last, are
    /// those of a word to mark.
    fn mark_into(&self, html: &mut String, text: &str) {
        let bytes = text.as_bytes();
        let n = bytes.len();
        // `text[..done]` is in `html` already.
        let mut done = 0;
        let mut at = 0;
        while at < n {
            let class = CLASS[usize::from(bytes[at])];
            if class == SPACE {
                at += 1;
                continue;
            }
            if class == ESCAPE {
                html.push_str(&text[done..at]);
                html.push_str(match bytes[at] {
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    _ => "&amp;",
                });
                at += 1;
                done = at;
                continue;
            }
            if class == OTHER {
                let (letter, len) = letter_at(text, at);
                if !letter {
                    at += len;
                    continue;
                }
            }
            // A word begins at `at`: letters and digits up to the next character
            // that is neither.
            let start = at;
            loop {
                while at < n && CLASS[usize::from(bytes[at])] == LETTER {
                    at += 1;
                }
                if at < n && CLASS[usize::from(bytes[at])] == OTHER {
                    let (letter, len) = letter_at(text, at);
                    if letter {
                        at += len;
                        continue;
                    }
                }
                break;
            }
            let shape = shape(at - start);
            if self.firsts[usize::from(bytes[start])] & shape != 0
                && self.lasts[usize::from(bytes[at - 1])] & shape != 0
                && self.forms.contains(&text[start..at])
            {
                html.push_str(&text[done..start]);
                html.push_str("<b>");
                html.push_str(&text[start..at]);
                html.push_str("</b>");
                done = at;
            }
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
        let end = start + after_chars(&body[start..], SNIPPET_CHARS);
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

/// Where the character after the first `n` of `text` begins (its end when it has
/// fewer). The characters are counted a window at a time (std counts them several
/// bytes at once): `n` more characters take at least `n` bytes.
fn after_chars(text: &str, n: usize) -> usize {
    let (mut end, mut left) = (0, n);
    while left > 0 && end < text.len() {
        let mut next = (end + left).min(text.len());
        while !text.is_char_boundary(next) {
            next += 1;
        }
        // At most `left`: the window holds at most that many characters' starts.
        left = left.saturating_sub(text[end..next].chars().count());
        end = next;
    }
    end
}

/// What a byte is, for cutting words: ASCII outside words, an ASCII letter or
/// digit, a character to escape (itself outside words), or part of a character
/// that is not ASCII (decoded to be told apart).
const SPACE: u8 = 0;
const LETTER: u8 = 1;
const ESCAPE: u8 = 2;
const OTHER: u8 = 3;
static CLASS: [u8; 256] = {
    let mut class = [SPACE; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        class[b] = if c >= 0x80 {
            OTHER
        } else if c.is_ascii_alphanumeric() {
            LETTER
        } else if c == b'<' || c == b'>' || c == b'&' {
            ESCAPE
        } else {
            SPACE
        };
        b += 1;
    }
    class
};

/// A word's length in bytes as a bit of `Highlighter::firsts` and `lasts`.
fn shape(len: usize) -> u64 {
    1 << len.min(63)
}

/// Whether the character at byte `at` (a character boundary) is a letter or a
/// digit, and its length; ASCII and Latin-1's letters are told apart without
/// decoding.
fn letter_at(text: &str, at: usize) -> (bool, usize) {
    let bytes = text.as_bytes();
    match bytes.get(at) {
        Some(b) if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
        // U+00C0 to U+00FF (the accented letters of French and English text): all
        // letters but × and ÷, told apart without Unicode's tables.
        Some(0xc3) if bytes.get(at + 1).is_some_and(|b| (0x80..0xc0).contains(b)) => {
            (!matches!(bytes.get(at + 1), Some(0x97 | 0xb7)), 2)
        }
        _ => match text.get(at..).and_then(|rest| rest.chars().next()) {
            Some(c) => (c.is_alphanumeric(), c.len_utf8()),
            None => (false, 1),
        },
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
    fn counts_characters_as_char_indices_does() {
        for text in [
            "",
            "abc",
            "été à Noël — «ça» 😀 fin",
            &"é".repeat(300),
            &"ab😀".repeat(100),
        ] {
            for n in [0, 1, 2, 5, 140, 1000] {
                let expected = text.char_indices().nth(n).map_or(text.len(), |(at, _)| at);
                assert_eq!(after_chars(text, n), expected, "{text:?} {n}");
            }
        }
    }

    #[test]
    fn tells_letters_apart_as_unicode_does() {
        for c in ('\0'..='\u{3000}').chain(['’', '«', '»', '…', '€', '😀']) {
            let text = format!("{c}a");
            assert_eq!(letter_at(&text, 0), (c.is_alphanumeric(), c.len_utf8()), "{c:?}");
        }
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
