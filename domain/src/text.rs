//! Text as a person types it. Control characters other than tab and line breaks
//! never come from a keyboard; a NUL byte among them is refused outright by
//! PostgreSQL in text. They are dropped from every free text before it is checked or
//! stored, by the browser and the server alike.

use std::borrow::Cow;

/// The longest search or filter a box sends: words to look for, not a document.
pub const MAX_QUERY_CHARS: usize = 200;

fn typeable(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// `text` without the control characters a keyboard cannot type.
pub fn typed(text: &str) -> Cow<'_, str> {
    if text.chars().all(typeable) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| typeable(*c)).collect())
    }
}

/// A search box's text: typed characters only, at most `MAX_QUERY_CHARS` of them.
pub fn query(text: &str) -> String {
    text.chars().filter(|c| typeable(*c)).take(MAX_QUERY_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_go_and_the_rest_stays() {
        assert_eq!(typed("Sign\0ing\u{7}\u{1b}[31m fails"), "Signing[31m fails");
        assert_eq!(typed("line one\r\nline\ttwo"), "line one\r\nline\ttwo");
        assert!(matches!(typed("déjà vu 🙂"), Cow::Borrowed(_)));
        assert_eq!(query(&"é".repeat(500)).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(query("a\0b"), "ab");
    }
}
