//! E-mail addresses: one normal form, so that uniqueness is case-insensitive.

/// Trims and lower-cases an address. Both the sign-in form and the database use it.
pub fn normalize(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A deliberately loose check (one `@`, something on each side, a dot in the domain,
/// no whitespace or control character, at most 254 characters): the real proof of an
/// address is a mail that arrives.
pub fn is_plausible(email: &str) -> bool {
    let email = email.trim();
    if email.is_empty() || email.chars().count() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalizes_case_and_space() {
        assert_eq!(normalize("  Claire.Martin@Example.COM "), "claire.martin@example.com");
    }

    #[test]
    fn plausible_addresses() {
        assert!(is_plausible("claire.martin@example.com"));
        assert!(!is_plausible("claire\0martin@example.com"));
        assert!(!is_plausible("claire"));
        assert!(!is_plausible("a@b"));
        assert!(!is_plausible("a@@b.c"));
        assert!(!is_plausible("a b@c.d"));
        assert!(!is_plausible("@c.d"));
    }

    proptest! {
        #[test]
        fn never_panics_and_normal_form_is_stable(s in ".{0,300}") {
            let n = normalize(&s);
            prop_assert_eq!(normalize(&n), n.clone());
            let _ = is_plausible(&s);
        }
    }
}
