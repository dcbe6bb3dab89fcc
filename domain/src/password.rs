//! Rules for a new password, checked the same way in the browser and on the server.

use serde::{Deserialize, Serialize};

/// Shorter is guessable; NIST SP 800-63B asks for at least 8, we ask a little more.
pub const MIN_CHARS: usize = 10;
/// Argon2 hashes any length, but a megabyte password is an attack, not a password.
pub const MAX_BYTES: usize = 1024;

/// What is wrong with a new password, or with the link used to set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password is too short")]
    TooShort,
    #[error("the password is too long")]
    TooLong,
    #[error("the two passwords differ")]
    Mismatch,
    /// Unknown, already used or expired: the same answer for all three.
    #[error("the reset link is not valid")]
    LinkInvalid,
}

impl PasswordProblem {
    pub fn message_key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password.too_short",
            PasswordProblem::TooLong => "password.too_long",
            PasswordProblem::Mismatch => "password.mismatch",
            PasswordProblem::LinkInvalid => "password.link_invalid",
        }
    }

    /// The form field the problem belongs to.
    pub fn field(self) -> &'static str {
        match self {
            PasswordProblem::TooShort | PasswordProblem::TooLong => "password",
            PasswordProblem::Mismatch => "confirm",
            PasswordProblem::LinkInvalid => "token",
        }
    }
}

/// Checks a new password and its confirmation.
pub fn check_new(password: &str, confirm: &str) -> Result<(), PasswordProblem> {
    if password.len() > MAX_BYTES {
        return Err(PasswordProblem::TooLong);
    }
    if password.chars().count() < MIN_CHARS || password.trim().is_empty() {
        return Err(PasswordProblem::TooShort);
    }
    if password != confirm {
        return Err(PasswordProblem::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(check_new("short", "short"), Err(PasswordProblem::TooShort));
        assert_eq!(check_new("          ", "          "), Err(PasswordProblem::TooShort));
        assert_eq!(check_new(&"x".repeat(2000), ""), Err(PasswordProblem::TooLong));
        assert_eq!(
            check_new("long enough pw", "long enough pX"),
            Err(PasswordProblem::Mismatch)
        );
        assert_eq!(check_new("éééééééééé", "éééééééééé"), Ok(()), "characters, not bytes");
        assert_eq!(check_new("long enough pw", "long enough pw"), Ok(()));
    }
}
