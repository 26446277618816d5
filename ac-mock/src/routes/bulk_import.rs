//! Bulk import (reference §9): `POST /import/bulk_import`, `GET /import/bulk_import`,
//! `GET /import/info`. Imports are validated all-or-nothing and applied at once.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use crate::extract::{parse_json, Authed};
use crate::query::Params;
use crate::reply::{id, reply, ApiResult};
use crate::state::AppState;
use crate::store::bulk_import::ImportContact;
use crate::store::contacts::is_valid_email;
use crate::webhooks_out::{call_import_callback, ImportCallback};

/// Most contacts one request may hold.
pub const MAX_CONTACTS: usize = 250;
/// Largest request body, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 400_000;

/// Routes of this resource. The import route accepts bodies up to 4 MiB whatever the
/// server's body limit, so that oversized imports get AC's 400 rather than a 413.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/import/bulk_import",
            get(summary)
                .post(import)
                .layer(DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route("/import/info", get(info))
}

fn fail(message: impl Into<String>) -> ApiResult {
    reply(
        StatusCode::BAD_REQUEST,
        json!({"success": 0, "message": message.into()}),
    )
}

/// Text of a scalar (`null` as absent); `Err` for arrays and objects.
fn text(v: Option<&Value>) -> Result<Option<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(if *b { "1" } else { "0" }.to_string())),
        Some(_) => Err(()),
    }
}

fn as_id(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads one contact; every problem found is pushed as a failure reason.
fn read_contact(v: &Value, reasons: &mut Vec<String>) -> ImportContact {
    let mut out = ImportContact::default();
    let Some(obj) = v.as_object() else {
        reasons.push("Contact must be an object".into());
        return out;
    };
    match text(obj.get("email")) {
        Ok(Some(e)) if is_valid_email(e.trim()) => out.email = e.trim().to_string(),
        Ok(None) => reasons.push("Field 'email' is required".into()),
        Ok(Some(e)) if e.trim().is_empty() => reasons.push("Field 'email' is required".into()),
        _ => reasons.push("Field 'email' incorrect format".into()),
    }
    let mut scalar = |key: &str| match text(obj.get(key)) {
        Ok(v) => v,
        Err(()) => {
            reasons.push(format!("Field '{key}' must be a string"));
            None
        }
    };
    out.first_name = scalar("first_name");
    out.last_name = scalar("last_name");
    out.phone = scalar("phone");
    out.customer_acct_name = scalar("customer_acct_name");
    match obj.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tags)) => {
            for t in tags {
                match t.as_str() {
                    Some(s) => out.tags.push(s.to_string()),
                    None => reasons.push("Field 'tags' must be an array of strings".into()),
                }
            }
        }
        Some(_) => reasons.push("Field 'tags' must be an array of strings".into()),
    }
    match obj.get("fields") {
        None | Some(Value::Null) => {}
        Some(Value::Array(fields)) => {
            for f in fields {
                let fid = as_id(f.get("id"));
                let value = text(f.get("value"));
                match (fid, value) {
                    (Some(fid), Ok(v)) => out.fields.push((fid, v.unwrap_or_default())),
                    (None, _) => reasons.push("Field 'fields' entry needs a numeric 'id'".into()),
                    (_, Err(())) => {
                        reasons.push("Field 'fields' entry 'value' must be a string".into())
                    }
                }
            }
        }
        Some(_) => reasons.push("Field 'fields' must be an array".into()),
    }
    for (key, slot) in [
        ("subscribe", &mut out.subscribe),
        ("unsubscribe", &mut out.unsubscribe),
    ] {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match as_id(item.get("listid")) {
                        Some(l) => slot.push(l),
                        None => {
                            reasons.push(format!("Field '{key}' entry needs a numeric 'listid'"))
                        }
                    }
                }
            }
            Some(_) => reasons.push(format!("Field '{key}' must be an array")),
        }
    }
    out
}

/// Reads `callback` (reference §9): `None` when absent or null; `Err` names what is wrong.
fn read_callback(v: Option<&Value>) -> Result<Option<ImportCallback>, String> {
    let obj = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(obj)) => obj,
        Some(_) => return Err("Field 'callback' must be an object.".into()),
    };
    let url = match obj.get("url") {
        Some(Value::String(u)) => u.trim().to_string(),
        _ => return Err("Field 'callback.url' is required and must be a string.".into()),
    };
    let valid_url = url::Url::parse(&url)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid_url {
        return Err(format!(
            "Field 'callback.url' must be an absolute http or https URL; got '{url}'."
        ));
    }
    let post = match obj.get("requestType") {
        None | Some(Value::Null) => true,
        Some(Value::String(t)) if t.eq_ignore_ascii_case("post") => true,
        Some(Value::String(t)) if t.eq_ignore_ascii_case("get") => false,
        Some(other) => {
            return Err(format!(
                "Field 'callback.requestType' must be 'GET' or 'POST'; got {other}."
            ))
        }
    };
    let detailed = match obj.get("detailed_results") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(t)) => matches!(t.trim(), "true" | "1"),
        Some(Value::Number(n)) => n.as_u64() == Some(1),
        Some(other) => {
            return Err(format!(
                "Field 'callback.detailed_results' must be true or false; got {other}."
            ))
        }
    };
    let pairs = |key: &str| -> Result<Vec<(String, String)>, String> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let k = item.get("key").and_then(Value::as_str);
                    let v = text(item.get("value")).ok().flatten();
                    match (k, v) {
                        (Some(k), Some(v)) if !k.trim().is_empty() => Ok((k.to_string(), v)),
                        _ => Err(format!(
                            "Field 'callback.{key}' entry {i} needs a non-empty 'key' and a 'value'."
                        )),
                    }
                })
                .collect(),
            Some(_) => Err(format!("Field 'callback.{key}' must be an array.")),
        }
    };
    let params = pairs("params")?;
    let headers = pairs("headers")?;
    for (k, v) in &headers {
        let ok = axum::http::HeaderName::from_bytes(k.as_bytes()).is_ok()
            && axum::http::HeaderValue::from_str(v).is_ok();
        if !ok {
            return Err(format!(
                "Field 'callback.headers' has an invalid header: '{k}'."
            ));
        }
    }
    Ok(Some(ImportCallback {
        url,
        post,
        detailed,
        params,
        headers,
    }))
}

async fn import(State(st): State<AppState>, Authed(acct): Authed, body: Bytes) -> ApiResult {
    if body.len() > MAX_PAYLOAD_BYTES {
        return fail(format!(
            "Payload too large: the request body is {} bytes; the maximum is {MAX_PAYLOAD_BYTES} bytes.",
            body.len()
        ));
    }
    let parsed = match parse_json(&body) {
        Ok(v) => v,
        Err(_) => return fail("The request body is not valid JSON."),
    };
    let Some(items) = parsed
        .get("contacts")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    else {
        return fail("'contacts' is a required field and must be a non-empty array.");
    };
    let callback = match read_callback(parsed.get("callback")) {
        Ok(c) => c,
        Err(message) => return fail(message),
    };
    // A callback to the mock itself could reset or change any account's data.
    if let Some(cb) = &callback {
        if let Some(why) =
            crate::webhooks_out::refuse_self_url(st.base_url(), st.options().listen, &cb.url).await
        {
            return fail(format!("Field 'callback.url' is refused. {why}"));
        }
    }
    if items.len() > MAX_CONTACTS {
        return fail(format!(
            "Too many contacts: {} were sent; at most {MAX_CONTACTS} contacts may be imported per request.",
            items.len()
        ));
    }
    let mut failures: Vec<Value> = Vec::new();
    let contacts: Vec<ImportContact> = items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut reasons = Vec::new();
            let c = read_contact(v, &mut reasons);
            failures.extend(
                reasons
                    .into_iter()
                    .map(|r| json!({"contact": i, "failureReason": r})),
            );
            c
        })
        .collect();
    st.with_store(acct, |store, _| {
        failures.extend(
            store
                .bulk_import_problems(&contacts)
                .into_iter()
                .map(|(i, r)| json!({"contact": i, "failureReason": r})),
        );
        if !failures.is_empty() {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({
                    "success": 0,
                    "message": "JSON payload did not pass validation. Please fix failure Reasons and retry. The import was not queued for processing.",
                    "failureReasons": failures
                }),
            );
        }
        let batch = store.bulk_import(&contacts, crate::store::now())?;
        if let Some(callback) = callback.clone() {
            let success = store
                .import_batch(&batch)
                .map(|b| (b.success.clone(), b.failure.clone()))
                .unwrap_or_default();
            call_import_callback(st.weak(), acct, callback, batch.clone(), success.0, success.1);
        }
        reply(
            StatusCode::OK,
            json!({
                "Success": 1, "queued_contacts": contacts.len(), "batchId": batch,
                "message": "Contact import queued"
            }),
        )
    })
}

async fn info(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let Some(batch_id) = p.text("batchId") else {
        return fail("'batchId' is a required field.");
    };
    st.with_store(acct, |store, _| match store.import_batch(&batch_id) {
        Some(b) => reply(
            StatusCode::OK,
            json!({
                "status": "completed",
                "success": b.success.iter().map(|c| id(*c)).collect::<Vec<_>>(),
                "failure": b.failure
            }),
        ),
        None => reply(
            StatusCode::NOT_FOUND,
            json!({"success": 0, "message": format!("No import batch found with id '{batch_id}'.")}),
        ),
    })
}

/// `GET /import/bulk_import`: nothing outstanding (imports complete at once); completed
/// batches grouped by account-local day, newest first.
async fn summary(State(st): State<AppState>, Authed(acct): Authed) -> ApiResult {
    st.with_store(acct, |store, ctx| {
        let mut days: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for b in store.import_batches.iter() {
            let day = b
                .created
                .with_timezone(&ctx.offset)
                .format("%Y-%m-%d")
                .to_string();
            let slot = days.entry(day).or_default();
            slot.0 += 1;
            slot.1 += b.success.len() + b.failure.len();
        }
        let recent: Vec<Value> = days
            .into_iter()
            .rev()
            .map(|(day, (batches, contacts))| {
                let mut m = Map::new();
                m.insert("forDate".into(), json!(day));
                m.insert("batches".into(), json!(batches.to_string()));
                m.insert("contacts".into(), json!(contacts.to_string()));
                Value::Object(m)
            })
            .collect();
        reply(
            StatusCode::OK,
            json!({"outstanding": [], "recentlyCompleted": recent}),
        )
    })
}
