//! `/fields`, `/fieldOption/bulk`, `/fieldRels`, `/fieldValues` (reference §5).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Value};

use super::input::required_id;
use super::{delete_by_id, entity_id, page_json, wrapped, Attrs};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::contact::full_json;
use crate::render::fields::field_value_json;
use crate::reply::{id, naive, reply, total, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::{
    Entity, Field, FieldInput, FieldOption, FieldOptionInput, FieldRel, FieldValue, Store,
};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/fields", get(list).post(create))
        .route(
            "/fields/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route("/fieldOption/bulk", post(bulk_options))
        // AC's own MCP server calls the plural; AC's docs name the singular.
        .route("/fieldOptions/bulk", post(bulk_options))
        .route("/fieldRels", post(add_rel))
        .route("/fieldRels/{id}", delete(remove_rel))
        .route("/fieldValues", get(list_values).post(set_value))
        .route(
            "/fieldValues/{id}",
            get(get_value).put(update_value).delete(remove_value),
        )
        .route("/contacts/{id}/fieldValues", get(values_of_contact))
}

fn links(ctx: &Ctx, field: u64) -> Value {
    let base = format!("{}/fields/{field}", ctx.api_base);
    json!({"options": format!("{base}/options"), "relations": format!("{base}/relations")})
}

/// The full field of GET (§5.3), with its option and relation ids.
fn field_json(store: &Store, f: &Field, ctx: &Ctx) -> Value {
    let off = ctx.offset;
    let options: Vec<Value> = store
        .field_options
        .iter()
        .filter(|o| o.field == f.id)
        .map(|o| id(o.id))
        .collect();
    let rels: Vec<Value> = store
        .field_rels
        .iter()
        .filter(|r| r.field == f.id)
        .map(|r| id(r.id))
        .collect();
    json!({
        "title": f.title, "descript": f.descript, "type": f.field_type,
        "isrequired": f.isrequired.to_string(), "perstag": f.perstag, "defval": f.defval,
        "show_in_list": "0", "rows": "0", "cols": "0", "visible": f.visible.to_string(),
        "service": "", "ordernum": f.ordernum.to_string(), "cdate": ts(f.cdate, off),
        "udate": ts(f.udate, off), "created_timestamp": naive(f.cdate, off),
        "updated_timestamp": naive(f.udate, off), "created_by": "1", "updated_by": "1",
        "options": options, "relations": rels, "links": links(ctx, f.id), "id": id(f.id)
    })
}

/// A field option; `echo` keeps numbers as the bulk create answers them.
fn option_json(o: &FieldOption, ctx: &Ctx, echo: bool) -> Value {
    json!({
        "field": id(o.field),
        "orderid": if echo { json!(o.orderid) } else { json!(o.orderid.to_string()) },
        "value": o.value, "label": o.label,
        "isdefault": if echo { json!(u8::from(o.isdefault)) } else { json!(u8::from(o.isdefault).to_string()) },
        "cdate": ts(o.cdate, ctx.offset), "udate": ts(o.udate, ctx.offset),
        "links": {"field": format!("{}/fieldOptions/{}/field", ctx.api_base, o.id)},
        "id": id(o.id)
    })
}

/// A field relation; `links` is an array, as AC sends it. `echo` keeps numbers.
fn rel_json(r: &FieldRel, ctx: &Ctx, echo: bool) -> Value {
    if echo {
        json!({"relid": r.relid, "field": r.field, "cdate": ts(r.cdate, ctx.offset), "links": [], "id": id(r.id)})
    } else {
        json!({
            "field": id(r.field), "relid": r.relid.to_string(), "dorder": r.dorder.to_string(),
            "cdate": ts(r.cdate, ctx.offset), "links": [], "id": id(r.id)
        })
    }
}

/// Options and relations of some fields, for side-loading.
fn side_loads(store: &Store, ctx: &Ctx, fields: &[u64]) -> (Vec<Value>, Vec<Value>) {
    let options = store
        .field_options
        .iter()
        .filter(|o| fields.contains(&o.field))
        .map(|o| option_json(o, ctx, false))
        .collect();
    let rels = store
        .field_rels
        .iter()
        .filter(|r| fields.contains(&r.field))
        .map(|r| rel_json(r, ctx, false))
        .collect();
    (options, rels)
}

fn field_input(body: &Value) -> Result<FieldInput, ApiError> {
    let a = wrapped(body, "field")?;
    Ok(FieldInput {
        title: a.string("title")?,
        field_type: a.string("type")?,
        descript: a.string("descript")?,
        isrequired: a.flag("isrequired")?.map(u64::from),
        perstag: a.string("perstag")?,
        defval: a.string("defval")?,
        visible: a.flag("visible")?.map(u64::from),
        ordernum: a.u64("ordernum")?,
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let perstag = p
        .bracketed("filters")
        .into_iter()
        .find(|(k, _)| k == "perstag")
        .map(|(_, v)| v);
    st.with_store(acct, |store, ctx| {
        let matching: Vec<&Field> = store
            .fields
            .iter()
            .filter(|f| perstag.as_ref().is_none_or(|t| f.perstag.eq_ignore_ascii_case(t)))
            .collect();
        let n = matching.len();
        let page: Vec<&Field> = matching.into_iter().skip(p.offset()).take(p.limit(100, 100)).collect();
        let ids: Vec<u64> = page.iter().map(|f| f.id).collect();
        let (options, rels) = side_loads(store, ctx, &ids);
        let fields: Vec<Value> = page.into_iter().map(|f| field_json(store, f, ctx)).collect();
        reply(
            StatusCode::OK,
            json!({"fieldOptions": options, "fieldRels": rels, "fields": fields, "meta": {"total": total(n), "selected": null}}),
        )
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = field_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let fid = store.create_field(&input, crate::store::now())?;
        let f = store.field(fid)?;
        reply(
            StatusCode::CREATED,
            json!({"field": {
                "title": f.title, "type": f.field_type, "created_by": "1", "updated_by": "1",
                "cdate": ts(f.cdate, ctx.offset), "udate": ts(f.udate, ctx.offset),
                "perstag": f.perstag, "ordernum": f.ordernum, "links": links(ctx, f.id), "id": id(f.id)
            }}),
        )
    })
}

fn one_field(store: &Store, ctx: &Ctx, fid: u64) -> ApiResult {
    let f = store.field(fid)?;
    let (options, rels) = side_loads(store, ctx, &[fid]);
    reply(
        StatusCode::OK,
        json!({"fieldOptions": options, "fieldRels": rels, "field": field_json(store, f, ctx)}),
    )
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let fid = entity_id(Entity::Field, &raw)?;
    st.with_store(acct, |store, ctx| one_field(store, ctx, fid))
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let fid = entity_id(Entity::Field, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.field(fid)?;
        store.update_field(fid, &field_input(&body)?, crate::store::now())?;
        reply(
            StatusCode::OK,
            json!({"field": field_json(store, store.field(fid)?, ctx)}),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::Field, &raw, Store::delete_field)
}

const BULK_ERROR: &str =
    "Bulk operation failed. Request must contain an array of fieldOption objects.";

fn bulk_inputs(body: &Value) -> Option<Vec<FieldOptionInput>> {
    let items = body.get("fieldOptions")?.as_array()?;
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .map(|item| {
            let a = Attrs::of(item.as_object()?);
            Some(FieldOptionInput {
                field: a.u64("field").ok()??,
                orderid: a.u64("orderid").ok()?.unwrap_or(0),
                value: a.string("value").ok()?.unwrap_or_default(),
                label: a.string("label").ok()?.unwrap_or_default(),
                isdefault: a.flag("isdefault").ok()?.unwrap_or(false),
            })
        })
        .collect()
}

async fn bulk_options(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let inputs = bulk_inputs(&body)
        .ok_or_else(|| ApiError::BareErrors(StatusCode::UNPROCESSABLE_ENTITY, BULK_ERROR.into()))?;
    st.with_store(acct, |store, ctx| {
        let ids = store.add_field_options(&inputs, crate::store::now())?;
        let rows: Vec<Value> = ids
            .iter()
            .filter_map(|oid| store.field_options.get(*oid))
            .map(|o| option_json(o, ctx, true))
            .collect();
        reply(StatusCode::CREATED, json!({ "fieldOptions": rows }))
    })
}

async fn add_rel(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "fieldRel")?;
    let field = a.u64("field")?.ok_or_else(|| {
        ApiError::field_missing("/data/attributes/field", "The field was not provided.")
    })?;
    let relid = a.u64("relid")?.unwrap_or(0);
    st.with_store(acct, |store, ctx| {
        let rid = store.add_field_rel(field, relid, crate::store::now())?;
        let row = store.field_rels.get_or(Entity::FieldRel, rid)?;
        reply(
            StatusCode::CREATED,
            json!({"fieldRel": rel_json(row, ctx, true)}),
        )
    })
}

async fn remove_rel(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::FieldRel, &raw, Store::delete_field_rel)
}

/// The echo of a fieldValue write: `contact`/`field`/`owner` keep the types they were sent in.
fn value_echo(v: &FieldValue, sent: &Attrs<'_>, ctx: &Ctx) -> Value {
    let mut out = field_value_json(v, ctx);
    for (key, attr) in [
        ("contact", "contact"),
        ("field", "field"),
        ("owner", "contact"),
    ] {
        if let Some(raw) = sent.raw(attr) {
            out[key] = raw.clone();
        }
    }
    if let Some(o) = out.as_object_mut() {
        o.remove("created_by");
        o.remove("updated_by");
    }
    out
}

fn value_reply(store: &Store, ctx: &Ctx, vid: u64, sent: &Attrs<'_>) -> ApiResult {
    let v = store.field_value(vid)?;
    let contacts: Vec<Value> = store
        .contacts
        .get(v.contact)
        .map(|c| full_json(c, ctx))
        .into_iter()
        .collect();
    reply(
        StatusCode::OK,
        json!({"contacts": contacts, "fieldValue": value_echo(v, sent, ctx)}),
    )
}

async fn set_value(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "fieldValue")?;
    let (contact, field) = (required_id(&a, "contact")?, required_id(&a, "field")?);
    let value = a.string("value")?.unwrap_or_default();
    st.with_store(acct, |store, ctx| {
        let (vid, _) = store
            .upsert_field_value(contact, field, &value, crate::store::now())
            .map_err(ApiError::from_store_related)?;
        value_reply(store, ctx, vid, &a)
    })
}

async fn update_value(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let vid = entity_id(Entity::FieldValue, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.field_value(vid)?;
        let a = wrapped(&body, "fieldValue")?;
        let (contact, field, value) = (a.u64("contact")?, a.u64("field")?, a.string("value")?);
        store
            .update_field_value(vid, contact, field, value.as_deref(), crate::store::now())
            .map_err(|e| match e {
                crate::store::StoreError::NotFound {
                    entity: Entity::FieldValue,
                    id,
                } => ApiError::not_found(Entity::FieldValue, id),
                other => ApiError::from_store_related(other),
            })?;
        value_reply(store, ctx, vid, &a)
    })
}

async fn get_value(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let vid = entity_id(Entity::FieldValue, &raw)?;
    st.with_store(acct, |store, ctx| {
        reply(
            StatusCode::OK,
            json!({"fieldValue": field_value_json(store.field_value(vid)?, ctx)}),
        )
    })
}

async fn remove_value(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(
        &st,
        acct,
        Entity::FieldValue,
        &raw,
        Store::delete_field_value,
    )
}

async fn list_values(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let filters = p.bracketed("filters");
    let get = |key: &str| {
        filters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let (fieldid, val) = (
        get("fieldid").and_then(|v| v.trim().parse::<u64>().ok()),
        get("val"),
    );
    let bad_fieldid = get("fieldid").is_some() && fieldid.is_none();
    st.with_store(acct, |store, ctx| {
        let matching: Vec<&FieldValue> = store
            .field_values
            .iter()
            .filter(|v| {
                !bad_fieldid
                    && fieldid.is_none_or(|f| v.field == f)
                    && val.as_ref().is_none_or(|x| &v.value == x)
            })
            .collect();
        reply(
            StatusCode::OK,
            page_json("fieldValues", matching, &p, |v| field_value_json(v, ctx)),
        )
    })
}

async fn values_of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let rows: Vec<Value> = store
            .field_values_of(cid)
            .into_iter()
            .map(|v| field_value_json(v, ctx))
            .collect();
        reply(StatusCode::OK, json!({ "fieldValues": rows }))
    })
}
