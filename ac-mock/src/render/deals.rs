//! A deal as AC renders it (reference §8.3): shared by `/deals` and the contact GET's `deals`
//! side-load.

use serde_json::{json, Value};

use super::accounts::fields_json;
use crate::reply::{id, ts};
use crate::state::Ctx;
use crate::store::{Deal, Store};

fn deal_links(ctx: &Ctx, deal: u64) -> Value {
    let base = format!("{}/deals/{deal}", ctx.api_base);
    let mut links = serde_json::Map::new();
    for name in [
        "dealActivities",
        "contact",
        "contactDeals",
        "group",
        "nextTask",
        "notes",
        "account",
        "customerAccount",
        "organization",
        "owner",
        "scoreValues",
        "stage",
        "tasks",
        "dealCustomFieldData",
    ] {
        links.insert(name.into(), json!(format!("{base}/{name}")));
    }
    Value::Object(links)
}

/// A deal. `echo` renders `value`, `status` and `percent` as numbers, as create/update
/// responses do; GET renders them as strings.
pub(crate) fn deal_json(d: &Deal, ctx: &Ctx, echo: bool) -> Value {
    let num = |n: u64| {
        if echo {
            json!(n)
        } else {
            json!(n.to_string())
        }
    };
    json!({
        "title": d.title, "value": num(d.value), "currency": d.currency,
        "contact": d.contact.map(id), "owner": id(d.owner), "group": id(d.group), "stage": id(d.stage),
        "cdate": ts(d.cdate, ctx.offset), "mdate": ts(d.mdate, ctx.offset),
        "description": d.description, "organization": null, "percent": num(d.percent),
        "status": num(u64::from(d.status)), "nextdate": null, "nextdealid": "0",
        "activitycount": "0", "edate": null, "hash": d.hash,
        "winProbability": null, "winProbabilityMdate": null,
        "links": deal_links(ctx, d.id), "fields": fields_json(&d.fields),
        "id": id(d.id), "isDisabled": false,
        "account": d.account.map(id), "customerAccount": d.account.map(id)
    })
}

/// The deals of a contact as GET renders them (the contact GET's `deals` side-load).
pub(crate) fn contact_deals_json(store: &Store, contact: u64, ctx: &Ctx) -> Vec<Value> {
    store
        .list_deals(Some(contact), None, None, None)
        .into_iter()
        .map(|d| deal_json(d, ctx, false))
        .collect()
}
