//! `/tags`, `/contactTags` (reference §3).

use axum::Router;

use crate::server::AppState;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
}
