//! Argon2id password hashes (the crate's defaults: Argon2id, 19 MiB, t=2, p=1).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use std::sync::OnceLock;

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Checks a password against a stored hash; a malformed hash is a failed check.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Verifies against a throw-away hash so that an unknown e-mail costs as much time
/// as a known one: response times do not reveal which addresses have accounts.
pub fn burn_time(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default());
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = super::hash("guichet-demo").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("guichet-demo", &h));
        assert!(!super::verify("guichet-demo!", &h));
        assert!(!super::verify("x", "not a hash"));
    }
}
