//! Admin pages outside the help center: the e-mails Guichet wrote.

pub mod mailbox;
