//! `GET /contactLists`: every contact ↔ list membership, filtered and paged.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::page_json;
use crate::extract::Authed;
use crate::query::Params;
use crate::render::lists::contact_list_json;
use crate::reply::{reply, ApiResult};
use crate::state::AppState;
use crate::store::ContactList;

/// Routes of this resource (merged with the `POST /contactLists` of [`super::lists`]).
pub fn router() -> Router<AppState> {
    Router::new().route("/contactLists", get(list))
}

/// One filter: `filters[<key>]=` or the bare `<key>=` that clients also send. `None` when
/// absent; `Some(None)` when the value is not a number (it matches nothing).
fn filter(p: &Params, key: &str) -> Option<Option<u64>> {
    let bracketed = p.bracketed("filters");
    let raw = bracketed
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .or_else(|| p.get(key))?;
    Some(raw.trim().parse().ok())
}

fn keeps(wanted: Option<Option<u64>>, value: u64) -> bool {
    match wanted {
        None => true,
        Some(w) => w == Some(value),
    }
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let (contact, list, status) = (
        filter(&p, "contact"),
        filter(&p, "list"),
        filter(&p, "status"),
    );
    st.with_store(acct, |store, ctx| {
        let candidates: Vec<&ContactList> = match contact {
            Some(Some(c)) => store.contact_lists_of(c),
            Some(None) => Vec::new(),
            None => store.contact_lists.iter().collect(),
        };
        let mut rows: Vec<&ContactList> = candidates
            .into_iter()
            .filter(|m| keeps(list, m.list) && keeps(status, u64::from(m.status)))
            .collect();
        rows.sort_by_key(|m| m.id);
        reply(
            StatusCode::OK,
            page_json("contactLists", rows, &p, |m| {
                contact_list_json(m, ctx, false)
            }),
        )
    })
}
