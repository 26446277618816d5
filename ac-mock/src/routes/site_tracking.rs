//! Site tracking (reference §7): `/siteTracking`, `/siteTracking/code`, the legacy
//! `/siteTrackingDomains` whitelist and the current `/prism/urlWhitelistings` one (both
//! generations read and write the same rows), and the tracking host's legacy `GET /visit`
//! beacon (`trackcmp.net/visit`, undocumented by AC).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::input::{enabled_flag, TrackParams};
use super::path_id;
use crate::extract::{parse_json, Authed};
use crate::reply::{id, reply, ApiError, ApiResult};
use crate::state::AppState;
use crate::store::site_tracking::DomainInput;
use crate::store::WhitelistedDomain;

/// `/api/3` routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/siteTracking", get(get_status).put(set_status))
        .route("/siteTracking/code", get(code))
        .route("/siteTrackingDomains", get(list_legacy).post(add_legacy))
        .route("/siteTrackingDomains/{name}", delete(remove_legacy))
        .route("/prism/urlWhitelistings", get(list_prism).post(add_prism))
        .route("/prism/urlWhitelistings/{id}", delete(remove_prism))
}

/// Routes of the tracking host (no `Api-Token`): `GET /visit`.
pub fn tracking_router() -> Router<AppState> {
    Router::new().route("/visit", get(visit))
}

fn status_json(enabled: bool) -> Value {
    json!({"siteTracking": {"enabled": enabled}})
}

async fn get_status(State(st): State<AppState>, Authed(acct): Authed) -> ApiResult {
    st.with_store(acct, |store, _| {
        reply(StatusCode::OK, status_json(store.site_tracking.enabled))
    })
}

async fn set_status(State(st): State<AppState>, Authed(acct): Authed, body: Bytes) -> ApiResult {
    let enabled = enabled_flag(&parse_json(&body)?, "siteTracking")?;
    st.with_store(acct, |store, _| {
        store.set_site_tracking(enabled);
        reply(StatusCode::OK, status_json(enabled))
    })
}

/// `GET /siteTracking/code`: the prism.js snippet with the account's `actid`, as text/plain.
async fn code(State(st): State<AppState>, Authed(acct): Authed) -> Response {
    let actid = st.tracking_keys(acct).map(|(a, _)| a).unwrap_or_default();
    let js = format!(
        r#"<script type="text/javascript">
    (function(e,t,o,n,p,r,i){{e.prismGlobalObjectAlias=n;e.pgo=e.pgo||function(){{(e.pgo.q=e.pgo.q||[]).push(arguments)}};e.pgo.l=(new Date).getTime();r=t.createElement("script");r.src=o;r.async=true;i=t.getElementsByTagName("script")[0];i.parentNode.insertBefore(r,i)}})(window,document,"https://prism.app-us1.com/prism.js","pgo");

    pgo('setAccount', '{actid}');
    pgo('setTrackByDefault', true);

    pgo('process');
</script>
"#
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        js,
    )
        .into_response()
}

/// `400 {}` / `404 {}` / `409 {}`: the empty bodies these endpoints document.
fn empty(status: StatusCode) -> Response {
    (status, Json(json!({}))).into_response()
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A domain name as accepted by the whitelist: non-empty, no spaces or slashes.
fn domain_ok(d: &str) -> bool {
    !d.is_empty() && !d.chars().any(|c| c.is_whitespace() || c == '/')
}

async fn list_legacy(State(st): State<AppState>, Authed(acct): Authed) -> ApiResult {
    st.with_store(acct, |store, _| {
        let rows: Vec<Value> = store
            .whitelist
            .iter()
            .map(|d| json!({ "name": d.domain }))
            .collect();
        let n = rows.len();
        reply(
            StatusCode::OK,
            json!({"siteTrackingDomains": rows, "meta": {"total": n}}),
        )
    })
}

/// `POST /siteTrackingDomains` → 200 echo (also when already listed); 400 `{}` on a bad body.
async fn add_legacy(
    State(st): State<AppState>,
    Authed(acct): Authed,
    body: Bytes,
) -> Result<Response, ApiError> {
    let name = parse_json(&body)
        .ok()
        .and_then(|v| {
            v.get("siteTrackingDomain")?
                .get("name")?
                .as_str()
                .map(|s| s.trim().to_string())
        })
        .filter(|n| domain_ok(n));
    let Some(name) = name else {
        return Ok(empty(StatusCode::BAD_REQUEST));
    };
    st.with_store(acct, |store, _| {
        let _ = store.whitelist_domain(&DomainInput::domain(&name), crate::store::now());
        Ok((
            StatusCode::OK,
            Json(json!({"siteTrackingDomain": {"name": name}})),
        )
            .into_response())
    })
}

/// `DELETE /siteTrackingDomains/{name}` → 204 empty; 404 `{}` when not listed.
async fn remove_legacy(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    st.with_store(acct, |store, _| {
        let id = store.whitelisted(&name).map(|d| d.id);
        Ok(match id {
            Some(id) => {
                store.unwhitelist(id);
                no_content()
            }
            None => empty(StatusCode::NOT_FOUND),
        })
    })
}

fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn prism_json(d: &WhitelistedDomain) -> Value {
    let regex = format!("#^{}(\\/.*)?$#", d.domain.replace('.', "\\."));
    json!({
        "type": "urlWhitelistings", "id": id(d.id),
        "attributes": {
            "whitelisted_domain": d.domain, "whitelisted_page": d.page, "url_regex": regex,
            "conversations_enabled": u8::from(d.conversations_enabled),
            "tracking_enabled": u8::from(d.tracking_enabled),
            "created_at": utc(d.created_at), "updated_at": utc(d.updated_at),
            "wp_enabled": u8::from(d.wp_enabled)
        }
    })
}

async fn list_prism(State(st): State<AppState>, Authed(acct): Authed) -> ApiResult {
    st.with_store(acct, |store, _| {
        let rows: Vec<Value> = store.whitelist.iter().map(prism_json).collect();
        reply(StatusCode::OK, json!({ "data": rows }))
    })
}

fn prism_flag(attrs: &Value, key: &str, default: bool) -> Option<bool> {
    match attrs.get(key) {
        None | Some(Value::Null) => Some(default),
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::Number(n)) => n.as_u64().map(|n| n != 0),
        Some(_) => None,
    }
}

fn prism_input(body: &[u8]) -> Option<DomainInput> {
    let v = parse_json(body).ok()?;
    let attrs = v.get("data")?.get("attributes")?;
    let domain = attrs
        .get("whitelisted_domain")?
        .as_str()?
        .trim()
        .to_string();
    if !domain_ok(&domain) {
        return None;
    }
    let page = match attrs.get("whitelisted_page") {
        None | Some(Value::Null) => "*".to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(_) => return None,
    };
    Some(DomainInput {
        domain,
        page,
        conversations_enabled: prism_flag(attrs, "conversations_enabled", false)?,
        tracking_enabled: prism_flag(attrs, "tracking_enabled", true)?,
        wp_enabled: prism_flag(attrs, "wp_enabled", false)?,
    })
}

/// `POST /prism/urlWhitelistings` → 201 `{"data":{…}}`; 409 `{}` when listed; 400 `{}`.
async fn add_prism(
    State(st): State<AppState>,
    Authed(acct): Authed,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(input) = prism_input(&body) else {
        return Ok(empty(StatusCode::BAD_REQUEST));
    };
    st.with_store(acct, |store, _| {
        Ok(match store.whitelist_domain(&input, crate::store::now()) {
            Ok(id) => {
                let row = store
                    .whitelist
                    .get(id)
                    .map(prism_json)
                    .unwrap_or(Value::Null);
                (StatusCode::CREATED, Json(json!({ "data": row }))).into_response()
            }
            Err(_) => empty(StatusCode::CONFLICT),
        })
    })
}

/// `DELETE /prism/urlWhitelistings/{id}` → 204; 404 `{}` for an unknown id.
async fn remove_prism(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    st.with_store(acct, |store, _| {
        Ok(match path_id(&raw) {
            Some(id) if store.unwhitelist(id) => no_content(),
            _ => empty(StatusCode::NOT_FOUND),
        })
    })
}

/// `GET /visit?actid=&e=&u=&r=`: records a `__pagevisit` tracking log with value `u` for the
/// contact with email `e`, when the actid is known and site tracking is enabled. Always
/// answers 200 with an empty `text/javascript` body (it is loaded as a script).
async fn visit(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = TrackParams::new(q.as_deref(), &[]);
    let acct = p.text("actid").and_then(|a| st.account_by_actid(&a));
    if let (Some(acct), Some(email)) = (acct, p.text("e")) {
        let url = p.raw("u").unwrap_or_default();
        let _ = st.with_store(acct, |store, _| {
            if !store.site_tracking.enabled {
                return Ok(());
            }
            if let Some(cid) = store.contact_by_email(&email).map(|c| c.id) {
                store.add_tracking_log(cid, "__pagevisit", &url, crate::store::now())?;
            }
            Ok(())
        });
    }
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/javascript")],
        "",
    )
        .into_response();
    if let Some(a) = acct {
        res.extensions_mut().insert(a);
    }
    res
}
