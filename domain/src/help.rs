//! Help-center rules shared by the browser and the server: categories, slugs, when
//! a subject suggests anything, and the bounds of a search.

/// The categories of the knowledge base, in the order the home page lists them.
/// Their names live in the catalogues as `help.category.<slug>`.
pub const CATEGORIES: [&str; 13] = [
    "getting-started",
    "sending",
    "signing",
    "errors",
    "templates-bulk",
    "accounts-users",
    "security-sso",
    "billing",
    "integrations",
    "springcm",
    "ksign",
    "protect-sign",
    "support",
];

pub fn is_category(slug: &str) -> bool {
    CATEGORIES.contains(&slug)
}

pub fn category_key(slug: &str) -> String {
    format!("help.category.{slug}")
}

/// Queries shorter than this suggest nothing (the subject field's rule).
pub const SUGGEST_MIN_CHARS: usize = 3;

/// Whether a subject is long enough to suggest anything: the same rule in the
/// browser (no request) and on the server (an empty answer). The characters are
/// counted no further than the minimum: a long subject is not walked for it.
pub fn suggests(text: &str) -> bool {
    text.trim().chars().take(SUGGEST_MIN_CHARS).count() == SUGGEST_MIN_CHARS
}
/// Longer queries are cut here: a subject is at most 200 characters anyway.
pub const QUERY_MAX_CHARS: usize = 200;

/// The longest slug (an article's or post's file name, a category's key).
pub const MAX_SLUG: usize = 160;

/// A slug is a-z, 0-9 and `-`, at most `MAX_SLUG` bytes. Anything else names no
/// article: it is answered as missing before it reaches a query (PostgreSQL refuses
/// a NUL byte in text outright).
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Results per page of the help-center search.
pub const SEARCH_PAGE_SIZE: usize = 10;
/// The furthest page a search URL may ask for; past the results it is empty.
pub const SEARCH_MAX_PAGE: usize = 1_000;
/// A search request's query (a search box's text, `domain::text::query`) and page,
/// bounded before anything uses them.
pub fn bounded_search(query: &str, page: usize) -> (String, usize) {
    (crate::text::query(query), page.clamp(1, SEARCH_MAX_PAGE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_from_the_third_character_not_counting_spaces_around() {
        assert!(!suggests(""));
        assert!(!suggests("ab"));
        assert!(!suggests("  ab  "));
        assert!(suggests("abc"));
        assert!(suggests("été"));
        assert!(suggests(" a b "));
        assert!(suggests(&"x".repeat(10_000)));
    }
}
