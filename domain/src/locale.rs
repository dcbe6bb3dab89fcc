//! The two languages of the interface and how a request picks one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// Accepts "fr", "fr-FR", "EN_us"...
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Locale::Fr),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Picks the best supported language of an `Accept-Language` header, honouring
    /// q-values; `None` when nothing matches.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, usize, Locale)> = None;
        for (index, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Locale::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            // Higher q wins; on a tie, the earlier entry.
            let better = match best {
                None => true,
                Some((bq, bi, _)) => q > bq || (q == bq && index < bi),
            };
            if better {
                best = Some((q, index, locale));
            }
        }
        best.map(|(_, _, l)| l)
    }

    /// The language's own name, for the switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Fr => "Français",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_quality() {
        assert_eq!(
            Locale::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"),
            Some(Locale::Fr)
        );
        assert_eq!(
            Locale::from_accept_language("de-DE,en;q=0.5,fr;q=0.7"),
            Some(Locale::Fr)
        );
        assert_eq!(Locale::from_accept_language("en-US"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("de, *;q=0.1"), None);
        assert_eq!(Locale::from_accept_language(""), None);
        assert_eq!(Locale::from_accept_language("fr;q=0"), None);
    }
}
