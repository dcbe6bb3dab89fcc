//! The two product families of the seed, chosen at sign-in and on the ticket form.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductFamily {
    /// eSignature et Rooms.
    Esignature,
    /// Autres produits: SpringCM, Protect & Sign, K.Sign.
    Other,
}

impl ProductFamily {
    pub const ALL: [ProductFamily; 2] = [ProductFamily::Esignature, ProductFamily::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductFamily::Esignature => "esignature",
            ProductFamily::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Catalogue key of the family's name.
    pub fn label_key(self) -> &'static str {
        match self {
            ProductFamily::Esignature => "family.esignature",
            ProductFamily::Other => "family.other",
        }
    }

    /// Catalogue key of the one-line description shown at sign-in.
    pub fn hint_key(self) -> &'static str {
        match self {
            ProductFamily::Esignature => "family.esignature.hint",
            ProductFamily::Other => "family.other.hint",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_and_rejects_unknown() {
        for f in ProductFamily::ALL {
            assert_eq!(ProductFamily::parse(f.as_str()), Some(f));
        }
        assert_eq!(ProductFamily::parse("Esignature"), None);
        assert_eq!(ProductFamily::parse(""), None);
    }
}
