//! Routes of bulk_import (in progress).

use axum::Router;

use crate::server::AppState;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
}
