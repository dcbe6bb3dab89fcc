//! Guichet's shared crate: pages, components, wire types, domain rules and server
//! functions. Compiled twice: with `ssr` for the server, with `hydrate` for the browser.

pub mod accounts;
pub mod admin;
pub mod components;
pub mod console;
#[cfg(feature = "browser")]
pub mod draft;
pub mod error;
pub mod format;
pub mod help;
pub mod i18n;
pub mod not_found;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod response;
pub mod shell;
pub mod tickets;

pub use shell::App;
#[cfg(feature = "ssr")]
pub use shell::{AssetManifest, shell};
