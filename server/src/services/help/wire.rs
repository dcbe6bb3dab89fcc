//! The suggestions as the endpoint sends them: JSON written straight into one
//! buffer, byte for byte what serde_json writes for `Suggestions` (a test holds the
//! two together).
//!
//! Why not serde_json: it looks at every byte of every string for a character to
//! escape, one at a time, and for the few kilobytes of titles and snippets of a
//! suggestion that was a tenth of its cost. Almost none of these bytes needs an
//! escape, so here they are checked a run at a time (a comparison the compiler does
//! several bytes at once) and copied whole.

use app::help::{Hit, Suggestions};

/// Bytes checked at a time for a character to escape.
const RUN: usize = 16;

pub fn suggestions(found: &Suggestions) -> Vec<u8> {
    // Eight hits with their snippets: a few kilobytes, written without regrowing.
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"articles\":");
    hits(&mut out, &found.articles);
    out.extend_from_slice(b",\"posts\":");
    hits(&mut out, &found.posts);
    out.push(b'}');
    out
}

fn hits(out: &mut Vec<u8>, hits: &[Hit]) {
    out.push(b'[');
    for (nth, hit) in hits.iter().enumerate() {
        if nth > 0 {
            out.push(b',');
        }
        // The fields of `Hit`, in its order.
        out.extend_from_slice(b"{\"kind\":");
        string(out, hit.kind.as_str());
        out.extend_from_slice(b",\"slug\":");
        string(out, &hit.slug);
        out.extend_from_slice(b",\"title_html\":");
        string(out, &hit.title_html);
        out.extend_from_slice(b",\"snippet_html\":");
        string(out, &hit.snippet_html);
        out.push(b'}');
    }
    out.push(b']');
}

/// What serde_json escapes: quotes, backslashes and control characters.
fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// `text` as a JSON string.
fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    // `bytes[..done]` is written.
    let mut done = 0;
    for (nth, run) in bytes.chunks(RUN).enumerate() {
        if !run.iter().fold(false, |any, b| any | escaped(*b)) {
            continue;
        }
        for (k, b) in run.iter().enumerate() {
            if escaped(*b) {
                let at = nth * RUN + k;
                out.extend_from_slice(&bytes[done..at]);
                escape(out, *b);
                done = at + 1;
            }
        }
    }
    out.extend_from_slice(&bytes[done..]);
    out.push(b'"');
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
    use app::help::ItemKind;

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
            let ours = suggestions(&found);
            let theirs = serde_json::to_vec(&found).unwrap_or_default();
            assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
            // And it reads back.
            let back: Suggestions = serde_json::from_slice(&ours).unwrap_or_default();
            assert_eq!(back, found);
        }
    }
}
