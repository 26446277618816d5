//! `/emailActivities`: the simulated campaign events of contacts (opens, clicks, bounces,
//! unsubscribes and contact sends), recorded by `/__admin/campaigns/{id}/events`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::campaigns::{activity_json, with_account};
use super::page_json;
use crate::campaigns::EmailActivity;
use crate::extract::Authed;
use crate::query::Params;
use crate::reply::{reply, ApiResult};
use crate::state::AppState;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/emailActivities", get(list))
}

/// An id filter: `None` when absent; `Some(None)` (matches nothing) when not an id.
fn id_filter(p: &Params, key: &str) -> Option<Option<u64>> {
    p.get(&format!("filters[{key}]"))
        .map(|v| v.trim().parse().ok())
}

/// `GET /emailActivities` with `filters[subscriberid]`, `filters[dealId]` (simulated
/// campaign events belong to no deal, so any deal matches none) and `filters[campaignid]`,
/// oldest first, `limit`/`offset`.
async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let contact = id_filter(&p, "subscriberid");
    let campaign = id_filter(&p, "campaignid");
    let deal = id_filter(&p, "dealId");
    with_account(&st, acct, |a, ctx| {
        let rows: Vec<&EmailActivity> = a
            .campaigns
            .activities
            .iter()
            .filter(|e| contact.is_none_or(|c| c == Some(e.contact)))
            .filter(|e| campaign.is_none_or(|c| c == Some(e.campaign)))
            .filter(|_| deal.is_none())
            .collect();
        reply(
            StatusCode::OK,
            page_json("emailActivities", rows, &p, |e| activity_json(a, e, ctx)),
        )
    })
}
