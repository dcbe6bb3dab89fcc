//! Server functions of the help center. The live suggestions have their own plain
//! GET endpoint on the server (`/api/help/suggest`): they are called on every pause
//! in typing and must stay as cheap as a static file.

use crate::error::AppError;
use domain::wire::help::{ArticleView, CategoryView, DeflectionReport, HelpHome, PostView, SearchResults};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    pub use crate::error::reply_error;
    pub use crate::request::*;
    pub use crate::response::*;
    use domain::Locale;
    pub use domain::ports::{HelpError, HelpPort};

    pub fn port() -> Result<HelpPort, AppError> {
        leptos::prelude::use_context::<HelpPort>().ok_or(AppError::Internal)
    }

    pub fn locale() -> Locale {
        request_context().map(|c| c.locale).unwrap_or_default()
    }

    pub fn map_err(e: HelpError) -> AppError {
        AppError::from(e)
    }
}

#[server(endpoint = "help/home")]
pub async fn fetch_help_home() -> Result<HelpHome, AppError> {
    use ssr::*;
    port()?.home(locale()).await.map_err(map_err)
}

#[server(endpoint = "help/category")]
pub async fn fetch_category(slug: String) -> Result<CategoryView, AppError> {
    use ssr::*;
    if !domain::help::is_slug(&slug) {
        return Err(map_err(HelpError::NotFound));
    }
    port()?.category(locale(), &slug).await.map_err(map_err)
}

#[server(endpoint = "help/article")]
pub async fn fetch_article(slug: String) -> Result<ArticleView, AppError> {
    use ssr::*;
    if !domain::help::is_slug(&slug) {
        return Err(map_err(HelpError::NotFound));
    }
    port()?.article(locale(), &slug).await.map_err(map_err)
}

#[server(endpoint = "help/post")]
pub async fn fetch_post(slug: String) -> Result<PostView, AppError> {
    use ssr::*;
    if !domain::help::is_slug(&slug) {
        return Err(map_err(HelpError::NotFound));
    }
    port()?.post(locale(), &slug).await.map_err(map_err)
}

#[server(endpoint = "help/search")]
pub async fn search_help(query: String, page: usize) -> Result<SearchResults, AppError> {
    use ssr::*;
    let (query, page) = domain::help::bounded_search(&query, page);
    Ok(port()?.search(locale(), &query, page))
}

/// "Was this helpful?" on an article page, and what the suggestions report: opened,
/// "this solved my problem", suggested. Unknown kinds are a 400, never stored.
#[server(endpoint = "help/event")]
pub async fn record_help_event(kind: String, item: String, slug: String) -> Result<(), AppError> {
    use domain::wire::help::{HelpEventKind, ItemKind};
    use ssr::*;
    let (Some(kind), Some(item)) = (HelpEventKind::parse(&kind), ItemKind::parse(&item)) else {
        return Err(reply_error(AppError::Invalid { field: "kind".into() }));
    };
    if !domain::help::is_slug(&slug) {
        return Err(reply_error(AppError::Invalid { field: "slug".into() }));
    }
    let user = current_session().map(|s| s.viewer.user_id);
    port()?
        .record(kind, item, &slug, locale(), user)
        .await
        .map_err(map_err)?;
    // A vote posted as a plain form comes back to the article, thanked.
    if accepts_html() && matches!(kind, HelpEventKind::Helpful | HelpEventKind::NotHelpful) {
        leptos_axum::redirect(&format!("{}?voted=1", item.url(&slug)));
    }
    Ok(())
}

/// Admins only: what the suggestions achieved. Anyone else gets the 404 page.
#[server(endpoint = "help/deflection")]
pub async fn fetch_deflection() -> Result<DeflectionReport, AppError> {
    use ssr::*;
    let session = require_session()?;
    if session.viewer.role != domain::Role::Admin {
        return Err(map_err(HelpError::NotFound));
    }
    port()?.deflection().await.map_err(map_err)
}
