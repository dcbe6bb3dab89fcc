//! Guichet's shared crate: pages, components, wire types, domain rules and server
//! functions. Compiled twice: with `ssr` for the server, with `hydrate` for the browser.

pub mod accounts;
pub mod admin;
pub mod components;
pub mod console;
pub mod domain;
pub mod error;
pub mod help;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod ports;
#[cfg(feature = "ssr")]
pub mod request;
pub mod shell;
pub mod tickets;

pub use shell::App;
#[cfg(feature = "ssr")]
pub use shell::{AssetManifest, shell};
