//! The browser bundle under `/pkg`: hashed file names, so cached for a year;
//! precompressed brotli and gzip files served when the browser accepts them.

use app::AssetManifest;
use axum::Router;
use axum::http::{HeaderValue, header};
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Reads `pkg/manifest.json`; `None` (pages without hydration) when the bundle is
/// not built, which `cargo xtask bundle` fixes.
pub fn manifest(site_dir: &Path) -> Option<AssetManifest> {
    let path = site_dir.join("pkg").join("manifest.json");
    let text = std::fs::read_to_string(&path).ok()?;
    match serde_json::from_str(&text) {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "unreadable asset manifest");
            None
        }
    }
}

pub fn router<S: Clone + Send + Sync + 'static>(site_dir: &Path) -> Router<S> {
    let files = ServeDir::new(site_dir.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
}
