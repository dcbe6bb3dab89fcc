//! The browser bundle under `/pkg`: hashed file names, so cached for a year;
//! precompressed brotli and gzip files served when the browser accepts them.

use app::AssetManifest;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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

/// The bundle's files, as a route.
pub const FILES: &str = "/pkg/{*file}";

pub fn router<S: Clone + Send + Sync + 'static>(site_dir: &Path) -> Router<S> {
    let files = ServeDir::new(site_dir.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(axum::middleware::from_fn(refuse_impossible_names))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
}

/// A bundle file's name is a short hash. A path no file system could hold (a name
/// over 255 bytes makes the file system answer "name too long", which ServeDir
/// reports as a 500) is simply not there.
async fn refuse_impossible_names(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.len() > 1024 || path.split('/').any(|segment| segment.len() > 255) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}
