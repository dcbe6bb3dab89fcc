//! E-mail: what is said ([`compose`]), to whom ([`notify`]), the outbox written in
//! the same transaction as the change ([`outbox`]), delivery over SMTP or to the
//! mailbox folder ([`worker`]), and a small SMTP server for tests, benchmarks and
//! development ([`sink`]).

pub mod compose;
pub mod notify;
pub mod outbox;
pub mod sink;
pub mod smtp;
pub mod worker;

pub use compose::MailKind;
pub use notify::Notifier;
