//! `/contacts`, `/contact/sync` (reference §2): the router here; reading contact bodies in
//! `input`, one contact and the writes in `write`, the filtered list in `list`. The contact's
//! JSON is rendered in `render::contact` and `render::contact_bytes`.

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;
use list::list;
pub(crate) use list::parse_date;
use write::{create, remove, retrieve, sync, update};

mod input;
mod list;
#[cfg(test)]
mod tests;
mod write;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", post(create).get(list))
        .route("/contact/sync", post(sync))
        .route(
            "/contacts/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
}
