//! `GET /contacts`: the filters, orders and dates of the query string (reference §2.1), the
//! page with its `meta.page_input`, and `include=` side-loads.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::extract::Authed;
use crate::query::Params;
use crate::render::contact::full_json;
use crate::render::fields::field_value_json;
use crate::render::lists::contact_list_json;
use crate::render::tags::contact_tag_json;
use crate::reply::{self, total, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::{ContactOrder, ContactQuery, SortDir, Store};

/// Parses a `filters[created_before]`-style date: `YYYY-MM-DD`, ISO-8601 with or without
/// offset/`Z`, or `YYYY-MM-DD HH:MM:SS`; zone-less values are in the account's offset.
pub(crate) fn parse_date(param: &str, raw: &str, ctx: &Ctx) -> Result<DateTime<Utc>, ApiError> {
    let raw = raw.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(raw) {
        return Ok(d.with_timezone(&Utc));
    }
    let local = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .or_else(|| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f").ok())
        .or_else(|| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f").ok());
    local
        .and_then(|n| ctx.offset.from_local_datetime(&n).single())
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "Invalid date in {param}: '{raw}' (expected YYYY-MM-DD or an ISO-8601 date-time)"
            ))
        })
}

fn contact_query(p: &Params, ctx: &Ctx) -> Result<ContactQuery, ApiError> {
    let mut q = ContactQuery {
        ids: p.id_list("ids"),
        email: p.text("email"),
        email_like: p.text("email_like"),
        search: p.text("search"),
        listid: p.u64("listid").filter(|v| *v > 0),
        tagid: p.u64("tagid").filter(|v| *v > 0),
        formid: p.u64("formid").filter(|v| *v > 0),
        seriesid: p.u64("seriesid").filter(|v| *v > 0),
        waitid: p.u64("waitid").filter(|v| *v > 0),
        segmentid: p.u64("segmentid").filter(|v| *v > 0),
        status: p.i64("status"),
        id_greater: p.u64("id_greater"),
        id_less: p.u64("id_less"),
        exclude: p.u64("exclude"),
        phone: p.text("phone"),
        limit: p.limit(20, 100),
        offset: p.offset(),
        ..ContactQuery::default()
    };
    for (name, value) in p.bracketed("filters") {
        if value.trim().is_empty() {
            continue;
        }
        let param = format!("filters[{name}]");
        let slot = match name.as_str() {
            "created_before" => &mut q.created_before,
            "created_after" => &mut q.created_after,
            "updated_before" => &mut q.updated_before,
            "updated_after" => &mut q.updated_after,
            _ => continue,
        };
        *slot = Some(parse_date(&param, &value, ctx)?);
    }
    for (name, dir) in p.bracketed("orders") {
        let key = match name.to_ascii_lowercase().as_str() {
            "id" => ContactOrder::Id,
            "cdate" => ContactOrder::Cdate,
            "email" => ContactOrder::Email,
            "first_name" | "firstname" => ContactOrder::FirstName,
            "last_name" | "lastname" => ContactOrder::LastName,
            "name" => ContactOrder::Name,
            _ => continue,
        };
        let dir = if dir.trim().eq_ignore_ascii_case("desc") {
            SortDir::Desc
        } else {
            SortDir::Asc
        };
        q.orders.push((key, dir));
    }
    Ok(q)
}

/// `include=contactLists,contactTags,fieldValues,contactAutomations`: side-loads the related
/// rows of the contacts on the page as top-level arrays (reference §1.7; seen in a third-party
/// client, not in AC's OpenAPI).
fn includes(store: &Store, ctx: &Ctx, p: &Params, ids: &[u64]) -> Vec<(&'static str, Vec<Value>)> {
    let wanted = p.text("include").unwrap_or_default();
    let mut out = Vec::new();
    for name in wanted.split(',').map(str::trim) {
        // The page's rows from the per-contact indexes, in row id order as a scan finds them.
        let rows: Vec<Value> = match name {
            "contactLists" => {
                let mut rows: Vec<_> = ids
                    .iter()
                    .flat_map(|c| store.contact_lists_of(*c))
                    .collect();
                rows.sort_by_key(|m| m.id);
                rows.into_iter()
                    .map(|m| contact_list_json(m, ctx, false))
                    .collect()
            }
            "contactTags" => {
                let mut rows: Vec<_> = ids.iter().flat_map(|c| store.contact_tags_of(*c)).collect();
                rows.sort_by_key(|t| t.id);
                rows.into_iter().map(|t| contact_tag_json(t, ctx)).collect()
            }
            "fieldValues" => {
                let mut rows: Vec<_> = ids.iter().flat_map(|c| store.field_values_of(*c)).collect();
                rows.sort_by_key(|v| v.id);
                rows.into_iter().map(|v| field_value_json(v, ctx)).collect()
            }
            "contactAutomations" => ids
                .iter()
                .flat_map(|c| store.automations_of_contact(*c))
                .map(|e| crate::render::automations::entry_json(e, ctx))
                .collect(),
            _ => continue,
        };
        let key = match name {
            "contactLists" => "contactLists",
            "contactTags" => "contactTags",
            "fieldValues" => "fieldValues",
            _ => "contactAutomations",
        };
        out.push((key, rows));
    }
    out
}

fn cache_id(raw: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut out = String::new();
    for salt in 0u8..2 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (salt, raw).hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

pub(super) async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let q = contact_query(&p, ctx)?;
        let (rows, n) = store.list_contacts(&q);
        let ids: Vec<u64> = rows.iter().map(|c| c.id).collect();
        let contacts: Vec<Value> = rows.into_iter().map(|c| full_json(c, ctx)).collect();
        let page_input = json!({
            "segmentid": p.text("segmentid"), "formid": p.u64("formid").unwrap_or(0),
            "listid": q.listid.unwrap_or(0), "tagid": q.tagid.unwrap_or(0),
            "limit": q.limit, "offset": q.offset, "search": q.search, "sort": p.text("sort"),
            "seriesid": p.u64("seriesid").unwrap_or(0), "waitid": p.u64("waitid").unwrap_or(0),
            "status": q.status.unwrap_or(-1), "forceQuery": p.u64("forceQuery").unwrap_or(0),
            "cacheid": cache_id(raw.as_deref().unwrap_or(""))
        });
        let mut body = json!({
            "scoreValues": [], "contacts": contacts,
            "meta": {"page_input": page_input, "total": total(n), "sortable": true}
        });
        for (key, rows) in includes(store, ctx, &p, &ids) {
            body[key] = Value::Array(rows);
        }
        reply::reply(StatusCode::OK, body)
    })
}
