//! `GET /healthz`: 200 when the database answers, 503 otherwise.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// `GET /api/ping`: the cheapest JSON answer the server gives, the baseline the
/// benchmarks hold other endpoints against.
pub async fn ping() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "ok": true }))
}
