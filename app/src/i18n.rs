//! French and English. Messages live in `app/locales/{fr,en}.json` (flat key -> text);
//! a test keeps both catalogues on the same keys and every key used in the code present.

use domain::Locale;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The messages of a language: `locale.t("key")`.
pub trait Translate {
    /// The message for `key`, or the key itself when missing (visible, and caught by
    /// the catalogue test).
    fn t(self, key: &str) -> &'static str;
}

impl Translate for Locale {
    fn t(self, key: &str) -> &'static str {
        match catalogue(self).get(key) {
            Some(text) => text.as_str(),
            None => leak_key(key),
        }
    }
}

fn catalogue(locale: Locale) -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    static FR: OnceLock<HashMap<String, String>> = OnceLock::new();
    let (cell, source) = match locale {
        Locale::En => (&EN, include_str!("../locales/en.json")),
        Locale::Fr => (&FR, include_str!("../locales/fr.json")),
    };
    // The catalogues are compiled in and checked by tests, so a parse failure is
    // a build defect; an empty map shows keys rather than crashing a page.
    cell.get_or_init(|| serde_json::from_str(source).unwrap_or_default())
}

/// Missing keys are rare (the test forbids them); returning them needs a `'static`.
fn leak_key(key: &str) -> &'static str {
    static MISSING: OnceLock<std::sync::Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let map = MISSING.get_or_init(Default::default);
    let Ok(mut map) = map.lock() else {
        return "?";
    };
    if let Some(s) = map.get(key) {
        return s;
    }
    let leaked: &'static str = Box::leak(key.to_owned().into_boxed_str());
    map.insert(key.to_owned(), leaked);
    leaked
}

/// The locale of the page being rendered, provided once by `App`.
pub fn use_locale() -> Locale {
    // Islands hydrate in the browser without the server's context: they read the
    // language from the page, as the server wrote it.
    leptos::prelude::use_context::<Locale>().unwrap_or_else(page_locale)
}

/// The page's locale: on the server from the request (user, cookie, Accept-Language),
/// in the browser from `<html lang>`, which the server wrote.
pub fn page_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        crate::request::request_context().map(|c| c.locale).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "browser")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .and_then(|l| Locale::parse(&l))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "browser"))]
        {
            Locale::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(l: Locale) -> BTreeSet<String> {
        catalogue(l).keys().cloned().collect()
    }

    #[test]
    fn catalogues_parse_and_share_keys() {
        let fr = keys(Locale::Fr);
        let en = keys(Locale::En);
        assert!(fr.len() > 20, "French catalogue did not parse");
        let only_fr: Vec<_> = fr.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&fr).collect();
        assert!(
            only_fr.is_empty() && only_en.is_empty(),
            "fr only: {only_fr:?}, en only: {only_en:?}"
        );
    }

    /// Every `t("...")` in the source names a key of the catalogues.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let en = keys(Locale::En);
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(path) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("i18n.rs") {
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    for piece in text.split(".t(\"").skip(1) {
                        if let Some(key) = piece.split('"').next()
                            && !en.contains(key)
                        {
                            missing.push(format!("{}: {key}", p.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from the catalogues: {missing:?}");
    }

    #[test]
    fn missing_key_is_shown_as_itself() {
        assert_eq!(Locale::En.t("no.such.key"), "no.such.key");
    }
}
