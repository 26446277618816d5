//! `/brandings` (list, get, update; AC's API creates and deletes none).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use super::{entity_id, page_json, wrapped};
use crate::extract::Authed;
use crate::extract::JsonBody;
use crate::query::Params;
use crate::reply::{id, reply, ApiError, ApiResult};
use crate::state::AppState;
use crate::store::brandings::{Branding, BrandingInput, FLAGS, TEXTS};
use crate::store::Entity;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/brandings", get(list))
        .route("/brandings/{id}", get(retrieve).put(update).patch(update))
}

/// A branding as AC renders it: flags as `"0"`/`"1"` strings.
fn branding_json(b: &Branding) -> Value {
    let mut v = Map::new();
    v.insert("groupid".into(), id(b.group));
    for key in &TEXTS[..7] {
        v.insert((*key).into(), json!(b.text(key)));
    }
    for key in FLAGS {
        v.insert((*key).into(), json!(if b.flag(key) { "1" } else { "0" }));
    }
    for key in &TEXTS[7..] {
        v.insert((*key).into(), json!(b.text(key)));
    }
    v.insert("favicon".into(), json!(b.favicon));
    v.insert("id".into(), id(b.id));
    Value::Object(v)
}

fn branding_input(body: &Value) -> Result<BrandingInput, ApiError> {
    let a = wrapped(body, "branding")?;
    let mut input = BrandingInput {
        favicon: a.string("favicon")?,
        ..BrandingInput::default()
    };
    for key in TEXTS {
        if let Some(v) = a.string(key)? {
            input.texts.insert((*key).to_string(), v);
        }
    }
    for key in FLAGS {
        if let Some(on) = a.flag(key)? {
            input.flags.insert((*key).to_string(), on);
        }
    }
    Ok(input)
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, _| {
        let rows: Vec<&Branding> = store.brandings.rows.iter().collect();
        reply(
            StatusCode::OK,
            page_json("brandings", rows, &p, branding_json),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let bid = entity_id(Entity::Branding, &raw)?;
    st.with_store(acct, |store, _| {
        reply(
            StatusCode::OK,
            json!({"branding": branding_json(store.branding(bid)?)}),
        )
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let bid = entity_id(Entity::Branding, &raw)?;
    st.with_store(acct, |store, _| {
        store.branding(bid)?;
        store.update_branding(bid, &branding_input(&body)?)?;
        reply(
            StatusCode::OK,
            json!({"branding": branding_json(store.branding(bid)?)}),
        )
    })
}
