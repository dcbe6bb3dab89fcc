//! Titles and one-line snippets with the matched words in `<b>`, escaped.
//!
//! A word is matched when its stem is one of the query's. Every word of every
//! title and body was cut, folded and stemmed when the index was built (`spans`):
//! marking a text is walking its words' stems, copying the text between them, and
//! escaping it on the way. Folding and stemming the words of titles and snippets
//! for every suggestion was most of its cost, and looking them up again a third.

use super::spans::Span;
use super::vocabulary::StemId;

/// Where marked text goes: an HTML string, or (the suggestion endpoint) that HTML
/// written straight into a JSON answer as the characters of a string, with no
/// string of its own in between.
pub trait Markup {
    /// Text with nothing to escape (the text between two spans), or tags of ours.
    fn verbatim(&mut self, text: &str);

    /// A byte of a title or a body that `spans::is_special` picks, escaped as it
    /// must be here.
    fn special(&mut self, byte: u8);
}

/// How HTML writes a byte that `spans::is_special` picks.
pub fn html_escape(byte: u8) -> Option<&'static str> {
    match byte {
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'&' => Some("&amp;"),
        _ => None,
    }
}

impl Markup for String {
    fn verbatim(&mut self, text: &str) {
        self.push_str(text);
    }

    fn special(&mut self, byte: u8) {
        match html_escape(byte) {
            Some(entity) => self.push_str(entity),
            // Quotes, backslashes and control characters are text in HTML.
            None => self.push(char::from(byte)),
        }
    }
}

const SNIPPET_CHARS: usize = 140;
/// How far before the first match a snippet starts, at most.
const LEAD_BYTES: usize = 40;

pub struct Highlighter<'m> {
    /// The stems to mark, sorted.
    marked: &'m [StemId],
    /// A bit per stem to mark, at `bit(stem)`: most words are not marked, and are
    /// told so by this one bit without a search of `marked`.
    maybe: [u64; 4],
}

/// Where a stem's bit is in `Highlighter::maybe`: stem ids are alphabetical, and
/// the completions of a prefix follow one another, so they are spread first.
fn bit(stem: StemId) -> usize {
    (stem.wrapping_mul(0x9e37_79b1) >> 24) as usize
}

impl<'m> Highlighter<'m> {
    /// Marks the words of these stems (sorted).
    pub fn new(marked: &'m [StemId]) -> Self {
        let mut maybe = [0; 4];
        for stem in marked {
            maybe[bit(*stem) / 64] |= 1 << (bit(*stem) % 64);
        }
        Self { marked, maybe }
    }

    fn marks(&self, span: Span) -> bool {
        let at = bit(span.stem());
        self.maybe[at / 64] & (1 << (at % 64)) != 0 && self.marked.binary_search(&span.stem()).is_ok()
    }

    /// `text[from..to]`, escaped, its matched words in `<b>`, to `out`: `spans` are
    /// the words of `text` and its bytes to escape from `from` on, in order (the
    /// callers know where those begin: a binary search for them read a body's spans
    /// from all over memory). A matched word that `to` cuts short is written whole
    /// ("en…" marked would say nothing); another one stops at `to`. What lies
    /// between two spans has nothing to escape. Returns where the text written
    /// ends: `to`, or the end of that matched word.
    fn mark_into(&self, out: &mut impl Markup, text: &str, (from, mut to): (usize, usize), spans: &[Span]) -> usize {
        let mut done = from;
        for span in spans {
            let (at, end) = (span.at(), span.end());
            if at >= to {
                break;
            }
            let special = span.is_special();
            if !special && !self.marks(*span) {
                continue;
            }
            // One slice and one cut: each is a check that the byte begins a
            // character, and the word's start was checked twice as two slices.
            let Some((before, word)) = text.get(done..end).and_then(|t| t.split_at_checked(at - done)) else {
                continue;
            };
            out.verbatim(before);
            if special {
                if let Some(byte) = word.bytes().next() {
                    out.special(byte);
                }
            } else {
                out.verbatim("<b>");
                out.verbatim(word);
                out.verbatim("</b>");
            }
            done = end;
            // The spans after a word `to` cut short begin after `to`.
            to = to.max(end);
        }
        out.verbatim(text.get(done..to).unwrap_or_default());
        to
    }

    /// The whole text, escaped, its matched words in `<b>`, to `out` (a snippet
    /// would stop at the last match and cut a title short). `spans` are its words.
    pub fn whole_into(&self, out: &mut impl Markup, text: &str, spans: &[Span]) {
        self.mark_into(out, text, (0, text.len()), spans);
    }

    /// `whole_into`, as a string.
    #[cfg(test)]
    pub fn whole(&self, text: &str, spans: &[Span]) -> String {
        let mut html = String::with_capacity(text.len() + 16);
        self.whole_into(&mut html, text, spans);
        html
    }

    /// About one line of the body from a little before its first matched word,
    /// escaped, matches in `<b>`, to `out`; the start of the body when nothing
    /// matched. `spans` are its words. Only that line is read.
    pub fn snippet_into(&self, out: &mut impl Markup, body: &str, spans: &[Span]) {
        // The first matched span, by its place among the spans.
        let first = spans
            .iter()
            .position(|s| self.marks(*s))
            .filter(|i| spans.get(*i).is_some_and(|s| body.is_char_boundary(s.at())));
        // Start a few words before the match, on a character boundary.
        let start = first.and_then(|i| spans.get(i)).map_or(0, |span| {
            let at = span.at();
            let mut s = at.saturating_sub(LEAD_BYTES);
            while !body.is_char_boundary(s) {
                s -= 1;
            }
            body[s..at].find(char::is_whitespace).map_or(s, |w| s + w + 1).min(at)
        });
        // The spans from `start` on: the few before the match that the line takes
        // in, counted back from it (all of them when nothing matched).
        let from = first.map_or(0, |i| {
            i - spans[..i].iter().rev().take_while(|s| s.at() >= start).count()
        });
        let spans = &spans[from..];
        let end = start + after_chars(&body[start..], SNIPPET_CHARS);
        if start > 0 {
            out.verbatim("…");
        }
        // A matched word the line cuts short is shown whole.
        let end = self.mark_into(out, body, (start, end), spans);
        if end < body.len() {
            out.verbatim("…");
        }
    }

    /// `snippet_into`, as a string.
    #[cfg(test)]
    pub fn snippet(&self, body: &str, spans: &[Span]) -> String {
        let mut html = String::with_capacity(SNIPPET_CHARS * 2 + 32);
        self.snippet_into(&mut html, body, spans);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analysis;
    use crate::search::spans::Spans;
    use crate::search::vocabulary::{Stems, Vocabulary};
    use domain::Locale;

    /// An index of these texts (as bodies): the words of each, and the stems of
    /// these query words, as the highlighter gets them.
    fn indexed(texts: &[&str], query: &[&str]) -> (Vec<Vec<Span>>, Vec<StemId>) {
        let mut folded = analysis::folded_analyzer();
        let mut words: Vec<Box<str>> = texts
            .iter()
            .flat_map(|t| analysis::terms(&mut folded, t))
            .map(String::into_boxed_str)
            .collect();
        words.sort();
        words.dedup();
        let mut fr = analysis::stem_analyzer(Locale::Fr);
        // `Stems::build` sorts and drops repeats itself.
        let stems = Stems::build(
            words
                .iter()
                .flat_map(|w| analysis::terms(&mut fr, w))
                .map(String::into_boxed_str),
        );
        let vocabulary = Vocabulary::build(words, &mut fr, &stems);
        let spans = Spans::build(&vocabulary, [texts.iter().map(|t| ("", *t)).collect()]).expect("short texts");
        let mut marked: Vec<StemId> = query
            .iter()
            .flat_map(|w| analysis::terms(&mut fr, w))
            .filter_map(|s| stems.id(&s))
            .collect();
        marked.sort_unstable();
        let per_text = (0..texts.len() as u32).map(|d| spans.body(0, d).to_vec()).collect();
        (per_text, marked)
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
    fn marks_every_form_of_the_words_and_escapes_the_rest() {
        let text = "Télécharger les <enveloppes> & signer";
        let cut = "Télécharger les envel";
        let (spans, marked) = indexed(&[text, cut], &["télécharger", "enveloppe"]);
        let h = Highlighter::new(&marked);
        assert_eq!(
            h.whole(text, &spans[0]),
            "<b>Télécharger</b> les &lt;<b>enveloppes</b>&gt; &amp; signer"
        );
        // A word cut short is not a word of the query.
        assert_eq!(h.whole(cut, &spans[1]), "<b>Télécharger</b> les envel");
    }

    #[test]
    fn every_byte_to_escape_is_escaped_wherever_it_is() {
        let texts = [
            "<script>alert(\"x\")</script> & co",
            "a<b>c&d\"e\\f\ng\th\u{1}i>",
            "<<>>&&\"\"\\\\",
            "signer <signer> &signer; \"signer\"\nsigner",
            "été <é> «signé» & 😀<",
            "",
        ];
        let reference = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let (spans, marked) = indexed(&texts, &["signer"]);
        let none = Highlighter::new(&[]);
        let h = Highlighter::new(&marked);
        for (text, spans) in texts.iter().zip(&spans) {
            assert_eq!(none.whole(text, spans), reference(text), "{text:?}");
            // Marked, the text is the same once the marks are taken out.
            let marked = h.whole(text, spans);
            assert_eq!(
                marked.replace("<b>", "").replace("</b>", ""),
                reference(text),
                "{text:?}"
            );
        }
        assert_eq!(
            h.whole(texts[3], &spans[3]),
            "<b>signer</b> &lt;<b>signer</b>&gt; &amp;<b>signer</b>; \"<b>signer</b>\"\n<b>signer</b>"
        );
    }

    #[test]
    fn a_snippet_starts_near_the_first_match_and_is_one_line() {
        let body = format!(
            "{} Le certificat K.Sign expire. {}",
            "mot ".repeat(40),
            "suite ".repeat(60)
        );
        let (spans, marked) = indexed(&[&body, "Rien à voir ici."], &["certificat"]);
        let h = Highlighter::new(&marked);
        let snippet = h.snippet(&body, &spans[0]);
        assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet}");
        assert!(snippet.contains("Le <b>certificat</b> K.Sign"), "{snippet}");
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 2 + 7, "{snippet}");
        // Nothing matched: the start of the body.
        let plain = h.snippet("Rien à voir ici.", &spans[1]);
        assert_eq!(plain, "Rien à voir ici.");
        // A match the end of the line would cut short is shown whole.
        let cut = format!("certificat {}certificats fin", "mot ".repeat(31));
        let (spans, marked) = indexed(&[&cut], &["certificat"]);
        let snippet = Highlighter::new(&marked).snippet(&cut, &spans[0]);
        assert!(snippet.starts_with("<b>certificat</b> mot"), "{snippet}");
        assert!(snippet.ends_with("mot <b>certificats</b>…"), "{snippet}");
    }
}
