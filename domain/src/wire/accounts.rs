//! Who is signed in, as the pages see them.

use crate::{Locale, ProductFamily, Role};
use serde::{Deserialize, Serialize};

/// An organisation the user belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: i64,
    pub number: String,
    pub name: String,
}

/// The signed-in user as the pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub locale: Locale,
    /// The product family chosen at sign-in, pre-set on the new-ticket form.
    pub family: Option<ProductFamily>,
    pub accounts: Vec<AccountSummary>,
    pub active_account_id: Option<i64>,
}

impl Viewer {
    pub fn active_account(&self) -> Option<&AccountSummary> {
        self.accounts.iter().find(|a| Some(a.id) == self.active_account_id)
    }

    /// Up to two initials for the avatar.
    pub fn initials(&self) -> String {
        self.name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer() -> Viewer {
        Viewer {
            user_id: 1,
            name: "claire martin".into(),
            email: "claire.martin@example.com".into(),
            role: Role::Customer,
            locale: Locale::Fr,
            family: None,
            accounts: vec![
                AccountSummary {
                    id: 7,
                    number: "100001".into(),
                    name: "Martin Conseil".into(),
                },
                AccountSummary {
                    id: 8,
                    number: "100002".into(),
                    name: "Atelier Lumière".into(),
                },
            ],
            active_account_id: Some(8),
        }
    }

    #[test]
    fn active_account_and_initials() {
        let v = viewer();
        assert_eq!(v.active_account().map(|a| a.name.as_str()), Some("Atelier Lumière"));
        assert_eq!(v.initials(), "CM");
    }
}
