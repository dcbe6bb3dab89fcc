//! Argon2id password hashes (the crate's defaults: Argon2id, 19 MiB, t=2, p=1).
//!
//! A hash takes tens of milliseconds of one core. Run on the async runtime, a burst
//! of sign-ins would stall every other request on the same worker threads; so the
//! work goes to tokio's blocking pool, at most one hash per core but one at a time.
//! A burst then queues behind the semaphore while pages keep being served.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("password hashing task ended abnormally: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The hasher every request shares: bounded parallelism off the async runtime.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Default for Passwords {
    /// One hash at a time per core but one: a burst of sign-ins never takes every
    /// core from the pages. Measured on two cores (`make bench`, ping's p99 during
    /// 16 clients' wrong sign-ins against ping alone): hashing on both cores gave
    /// 3.08, 2.25 and 2.33 times; on one, 1.71, 0.98 and 1.77 times, for 52-55
    /// sign-ins/s instead of 61-69.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::with_parallelism(cores.saturating_sub(1).max(1))
    }
}

impl Passwords {
    pub fn with_parallelism(n: usize) -> Self {
        Passwords {
            permits: Arc::new(Semaphore::new(n.max(1))),
        }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, PasswordError> {
        // The semaphore is never closed, so acquiring cannot fail; waiting is the queue.
        let _permit = self.permits.acquire().await.ok();
        Ok(tokio::task::spawn_blocking(work).await?)
    }

    pub async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let password = password.to_owned();
        self.run(move || hash(&password)).await?.map_err(PasswordError::Hash)
    }

    /// Checks a password against a stored hash; a malformed hash is a failed check.
    pub async fn verify(&self, password: &str, stored: &str) -> Result<bool, PasswordError> {
        let (password, stored) = (password.to_owned(), stored.to_owned());
        self.run(move || verify(&password, &stored)).await
    }

    /// Verifies against a throw-away hash so that an unknown e-mail costs as much
    /// time as a known one: response times do not reveal which addresses have
    /// accounts.
    pub async fn burn_time(&self, password: &str) -> Result<(), PasswordError> {
        let password = password.to_owned();
        self.run(move || {
            static DUMMY: OnceLock<String> = OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default());
            let _ = verify(&password, dummy);
        })
        .await
    }
}

/// A new Argon2id hash, on the calling thread (demo data, the command line).
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::Passwords;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let p = Passwords::with_parallelism(1);
        let h = p.hash("guichet-demo").await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify("guichet-demo", &h).await.expect("verify"));
        assert!(!p.verify("guichet-demo!", &h).await.expect("verify"));
        assert!(!p.verify("x", "not a hash").await.expect("verify"));
    }

    /// The work runs on another thread than the runtime's: a single-threaded
    /// runtime keeps serving while a hash runs.
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_runs_off_the_runtime_thread() {
        let p = Passwords::with_parallelism(1);
        let runtime_thread = std::thread::current().id();
        let worker = p.run(|| std::thread::current().id()).await.expect("run");
        assert_ne!(worker, runtime_thread);
    }
}
