//! Where each word of each title and body is, with its stem: what the highlighter
//! reads to mark the words of a query.
//!
//! Every title and body is cut into words and each word stemmed once, when the
//! index is built, exactly as the index's analyzers cut and fold them. Marking a
//! title or a snippet is then a walk over its few words' stems, copying the text
//! between them: finding the words of a text again for every suggestion (a pass
//! over every byte, a look-up per word) was a third of the cost of a suggestion.
//!
//! The bytes that HTML or JSON must escape (`<`, `>`, `&`, `"`, `\`, control
//! characters) are spans too, of their own kind, in the same order: between two
//! spans there is then nothing to escape, and the text is copied as it is without
//! being looked at again. None of them is ever inside a word, which the tokenizer
//! cuts at every character that is not a letter or a digit.

use super::analysis;
use super::vocabulary::{StemId, Vocabulary};
use tantivy::DocId;
use tantivy::tokenizer::TokenStream;

/// A word of a text: its first byte, its length and its stem, in eight bytes (a
/// word is shorter than `analysis::MAX_TOKEN_BYTES`, and no index has 2²⁴ stems).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    at: u32,
    /// The stem, then the length in the low byte.
    stem_len: u32,
}

const LEN_BITS: u32 = 8;
/// The stem of a span that is a byte to escape, not a word: no word has it.
const SPECIAL: StemId = (1 << (32 - LEN_BITS)) - 1;

/// Whether HTML or JSON escapes this byte (all of them ASCII, so never inside a
/// character of several bytes).
fn is_special(b: u8) -> bool {
    matches!(b, b'<' | b'>' | b'&' | b'"' | b'\\') || b < 0x20
}

impl Span {
    fn new(at: usize, len: usize, stem: StemId) -> Option<Self> {
        let at = u32::try_from(at).ok()?;
        let len = u32::try_from(len).ok().filter(|l| *l < 1 << LEN_BITS)?;
        (stem < SPECIAL).then_some(Self {
            at,
            stem_len: stem << LEN_BITS | len,
        })
    }

    /// The byte to escape at `at`. Texts of 4 GiB and more are not indexed.
    fn special(at: usize) -> Option<Self> {
        Some(Self {
            at: u32::try_from(at).ok()?,
            stem_len: SPECIAL << LEN_BITS | 1,
        })
    }

    /// Whether this span is a byte to escape (`is_special`), not a word.
    pub fn is_special(self) -> bool {
        self.stem() == SPECIAL
    }

    /// The word's first byte in its text.
    pub fn at(self) -> usize {
        self.at as usize
    }

    /// The byte after the word.
    pub fn end(self) -> usize {
        self.at() + (self.stem_len & ((1 << LEN_BITS) - 1)) as usize
    }

    pub fn stem(self) -> StemId {
        self.stem_len >> LEN_BITS
    }
}

/// One segment's words: every document's title's, then its body's, one after the
/// other; `starts[2 d]` is where document `d`'s title's begin and `starts[2 d + 1]`
/// its body's.
#[derive(Default)]
struct Segment {
    spans: Vec<Span>,
    starts: Vec<u32>,
}

impl Segment {
    fn get(&self, nth: usize) -> &[Span] {
        let (Some(&from), Some(&to)) = (self.starts.get(nth), self.starts.get(nth + 1)) else {
            return &[];
        };
        self.spans.get(from as usize..to as usize).unwrap_or_default()
    }
}

/// A title or a body of 4 GiB or more.
#[derive(Debug, thiserror::Error)]
#[error("a title or a body of 4 GiB or more")]
pub struct TooLong;

pub struct Spans {
    /// By segment ordinal, as the searcher orders them.
    segments: Vec<Segment>,
}

impl Spans {
    /// The words of `texts`: per segment, per document, its title and its body.
    /// Words without a stem (stop words) are left out: they are never marked.
    /// The bytes to escape are spans of their own among them.
    ///
    /// # Errors
    /// A text of 4 GiB or more: its bytes to escape could not all be told.
    pub fn build<'a>(
        words: &Vocabulary,
        texts: impl IntoIterator<Item = Vec<(&'a str, &'a str)>>,
    ) -> Result<Self, TooLong> {
        let mut folded = analysis::folded_analyzer();
        let mut read = |text: &str, spans: &mut Vec<Span>| -> Result<(), TooLong> {
            let mut specials = text.bytes().enumerate().filter(|(_, b)| is_special(*b)).peekable();
            let mut stream = folded.token_stream(text);
            while stream.advance() {
                let token = stream.token();
                while let Some((at, _)) = specials.next_if(|(at, _)| *at < token.offset_from) {
                    spans.push(Span::special(at).ok_or(TooLong)?);
                }
                if let Some(span) = words
                    .stem_of(&token.text)
                    .and_then(|stem| Span::new(token.offset_from, token.offset_to - token.offset_from, stem))
                {
                    spans.push(span);
                }
            }
            for (at, _) in specials {
                spans.push(Span::special(at).ok_or(TooLong)?);
            }
            Ok(())
        };
        let segments = texts
            .into_iter()
            .map(|docs| {
                let mut segment = Segment::default();
                for (title, body) in docs {
                    for text in [title, body] {
                        segment.starts.push(segment.spans.len() as u32);
                        read(text, &mut segment.spans)?;
                    }
                }
                segment.starts.push(segment.spans.len() as u32);
                segment.spans.shrink_to_fit();
                Ok(segment)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { segments })
    }

    /// The words of the title of document `doc` of segment `ord`, in order.
    pub fn title(&self, ord: usize, doc: DocId) -> &[Span] {
        self.segments.get(ord).map_or(&[], |s| s.get(2 * doc as usize))
    }

    /// The words of its body, in order.
    pub fn body(&self, ord: usize, doc: DocId) -> &[Span] {
        self.segments.get(ord).map_or(&[], |s| s.get(2 * doc as usize + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_keeps_its_word_and_stem() {
        let span = Span::new(70_000, 39, (1 << 24) - 2).expect("fits");
        assert_eq!((span.at(), span.end(), span.stem()), (70_000, 70_039, (1 << 24) - 2));
        assert_eq!(Span::new(0, 256, 1), None);
        assert_eq!(Span::new(0, 3, 1 << 24), None);
        assert_eq!(
            Span::new(0, 3, SPECIAL),
            None,
            "no word has the stem of a byte to escape"
        );
        let special = Span::special(7).expect("fits");
        assert!(special.is_special() && !span.is_special());
        assert_eq!((special.at(), special.end()), (7, 8));
    }
}
