//! The suggestions as the endpoint sends them: JSON written straight into one
//! buffer, byte for byte what serde_json writes for `Suggestions` (a test holds the
//! two together).
//!
//! Why not serde_json: it looks at every byte of every string for a character to
//! escape, one at a time, and for the few kilobytes of titles and snippets of a
//! suggestion that was a tenth of its cost. The titles and snippets are marked
//! straight into the answer (`JsonHtml`), with no string of their own, and their
//! bytes to escape are known from the index (`search::spans`), so the rest is
//! copied without being looked at. The other strings (kinds, slugs) are checked
//! whole, many bytes at a time (`json_plain`), and copied whole.

use crate::search::{Found, FoundHit, Markup, html_escape};
use domain::wire::help::ItemKind;

/// What the answer needs of a hit. The index's hits write their titles and
/// snippets into it as they are marked; a `Hit` already marked is copied.
pub trait WireHit {
    fn kind(&self) -> ItemKind;
    fn slug(&self) -> &str;
    fn title_html(&self, out: &mut JsonHtml<'_>);
    fn snippet_html(&self, out: &mut JsonHtml<'_>);
}

impl WireHit for FoundHit<'_> {
    fn kind(&self) -> ItemKind {
        self.kind
    }
    fn slug(&self) -> &str {
        self.slug
    }
    fn title_html(&self, out: &mut JsonHtml<'_>) {
        self.title_into(out);
    }
    fn snippet_html(&self, out: &mut JsonHtml<'_>) {
        self.snippet_into(out);
    }
}

/// Hits already marked, as the tests write them by hand.
#[cfg(test)]
impl WireHit for &domain::wire::help::Hit {
    fn kind(&self) -> ItemKind {
        self.kind
    }
    fn slug(&self) -> &str {
        &self.slug
    }
    fn title_html(&self, out: &mut JsonHtml<'_>) {
        out.html(&self.title_html);
    }
    fn snippet_html(&self, out: &mut JsonHtml<'_>) {
        out.html(&self.snippet_html);
    }
}

/// HTML written as the characters of a JSON string (the quotes are the caller's).
pub struct JsonHtml<'a>(&'a mut Vec<u8>);

impl Markup for JsonHtml<'_> {
    fn verbatim(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    fn special(&mut self, byte: u8) {
        match html_escape(byte) {
            Some(entity) => self.0.extend_from_slice(entity.as_bytes()),
            None => escape(self.0, byte),
        }
    }
}

#[cfg(test)]
impl JsonHtml<'_> {
    /// HTML already made (a `Hit`'s), escaped for JSON.
    fn html(&mut self, html: &str) {
        characters(self.0, html);
    }
}

/// The answer for the index's suggestions.
pub fn found(found: &Found<'_>) -> Vec<u8> {
    suggestions(found.articles(), found.posts())
}

/// `{"articles":[…],"posts":[…]}`, as serde_json writes `Suggestions`.
pub fn suggestions<A: WireHit, P: WireHit>(
    articles: impl Iterator<Item = A>,
    posts: impl Iterator<Item = P>,
) -> Vec<u8> {
    // Eight hits with their snippets: a few kilobytes, written without regrowing.
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"articles\":");
    hits(&mut out, articles);
    out.extend_from_slice(b",\"posts\":");
    hits(&mut out, posts);
    out.push(b'}');
    out
}

fn hits<H: WireHit>(out: &mut Vec<u8>, hits: impl Iterator<Item = H>) {
    out.push(b'[');
    for (nth, hit) in hits.enumerate() {
        if nth > 0 {
            out.push(b',');
        }
        // The fields of `Hit`, in its order.
        out.extend_from_slice(b"{\"kind\":");
        string(out, hit.kind().as_str());
        out.extend_from_slice(b",\"slug\":");
        string(out, hit.slug());
        out.extend_from_slice(b",\"title_html\":\"");
        hit.title_html(&mut JsonHtml(out));
        out.extend_from_slice(b"\",\"snippet_html\":\"");
        hit.snippet_html(&mut JsonHtml(out));
        out.extend_from_slice(b"\"}");
    }
    out.push(b']');
}

/// What serde_json escapes: quotes, backslashes and control characters.
fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether nothing in `bytes` needs an escape in a JSON string. memchr finds the
/// two characters many bytes at a time; the control characters are a fold with no
/// early exit, which the compiler turns into vector comparisons. (A byte at a time,
/// or all the characters in one fold, which the compiler turns into a bit test,
/// this check cost several instructions a byte, for every title and snippet.)
fn json_plain(bytes: &[u8]) -> bool {
    memchr::memchr2(b'"', b'\\', bytes).is_none() && !bytes.iter().fold(false, |any, b| any | (*b < 0x20))
}

/// `text` as a JSON string.
fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    characters(out, text);
    out.push(b'"');
}

/// `text` as the characters of a JSON string, escaped.
fn characters(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if json_plain(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    // `bytes[..done]` is written.
    let mut done = 0;
    for (at, b) in bytes.iter().enumerate() {
        if escaped(*b) {
            out.extend_from_slice(&bytes[done..at]);
            escape(out, *b);
            done = at + 1;
        }
    }
    out.extend_from_slice(&bytes[done..]);
}

fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::wire::help::{Hit, Suggestions};

    fn hit(kind: ItemKind, slug: &str, title_html: &str, snippet_html: &str) -> Hit {
        Hit {
            kind,
            slug: slug.into(),
            title_html: title_html.into(),
            snippet_html: snippet_html.into(),
        }
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let every_control: String = (0u8..0x20).map(char::from).collect();
        let long = "Télécharger l'<b>enveloppe</b> signée « vite » — ".repeat(9);
        let cases = [
            Suggestions::default(),
            Suggestions {
                articles: vec![
                    hit(
                        ItemKind::Article,
                        "send-envelope",
                        "<b>Envoyer</b> une enveloppe",
                        "…le PDF final…",
                    ),
                    hit(
                        ItemKind::Article,
                        "quotes",
                        "Un \"titre\" avec \\ et /",
                        &format!("{every_control}{long}\u{7f}\u{2028}😀"),
                    ),
                ],
                posts: vec![hit(ItemKind::Post, "p", "", &format!("{long}\"\n{long}"))],
            },
        ];
        for found in cases {
            let ours = suggestions(found.articles.iter(), found.posts.iter());
            let theirs = serde_json::to_vec(&found).unwrap_or_default();
            assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
            // And it reads back.
            let back: Suggestions = serde_json::from_slice(&ours).unwrap_or_default();
            assert_eq!(back, found);
        }
    }

    #[test]
    fn the_index_marks_its_hits_into_the_answer_as_serde_json_writes_them() {
        use crate::search::{SearchDoc, SearchIndex};
        use domain::Locale;
        let doc = |kind, slug: &str, title: &str, body: &str| SearchDoc {
            kind,
            slug: slug.into(),
            locale: Locale::Fr,
            family: "esignature".into(),
            category: "c".into(),
            title: title.into(),
            body: body.into(),
        };
        let index = SearchIndex::build(&[
            doc(
                ItemKind::Article,
                "a",
                "Télécharger <le> \"certificat\" & co",
                "Ligne un.\nTélécharger le certificat \\ signé\t« vite » 😀",
            ),
            doc(
                ItemKind::Article,
                "b",
                "Certificats",
                &"Le certificat expire. ".repeat(20),
            ),
            doc(
                ItemKind::Post,
                "p",
                "Où est mon certificat ?",
                "Réponse:\n\"certificat\"",
            ),
        ])
        .expect("index");
        for text in ["telecharger le certif", "certificat", "zzz", ""] {
            let ours = index.suggest_with(Locale::Fr, Some("esignature"), text, found);
            let theirs = serde_json::to_vec(&index.suggest(Locale::Fr, Some("esignature"), text)).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{text}"
            );
        }
        let marked = index.suggest_with(Locale::Fr, None, "certificat", found);
        assert!(String::from_utf8_lossy(&marked).contains("<b>certificat</b>"));
    }
}
