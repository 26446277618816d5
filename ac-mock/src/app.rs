//! The router factory, on top of every other room: AC's routes, the admin API, the tracking
//! routes and the layers in front of them, over one [`AppState`].

use axum::extract::DefaultBodyLimit;
use axum::Router;

use crate::state::AppState;
use crate::{admin, middleware, routes};

/// The whole application: AC's API under `/api/3`, the admin API under `/__admin`,
/// and the cross-cutting middleware. Use it with `tower::ServiceExt::oneshot` in tests.
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api/3", routes::router())
        // `/api/3/` with the slash (the nest answers `/api/3`): the token check clients make.
        .route(
            "/api/3/",
            axum::routing::get(routes::token_check)
                .layer(axum::middleware::from_fn(middleware::require_account)),
        )
        .nest("/__admin", admin::router(&state))
        .merge(routes::tracking_router())
        .fallback(middleware::not_found)
        // The body limit is a request extension read by the body extractors; `front` is
        // journal → faults → json_errors → rate limits in one layer (see `middleware`).
        .layer(DefaultBodyLimit::max(state.options().max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::front,
        ))
        .with_state(state)
}
