//! The help center: knowledge-base articles and community posts, their pages, the
//! search, and the live suggestions under the new-ticket subject.

pub mod api;
pub mod article;
pub mod category;
pub mod home;
pub mod post;
pub mod search;
pub mod stats;
pub mod suggest;
