//! `/dealCustomFieldMeta`, `/dealCustomFieldData`, `/accountCustomFieldMeta`,
//! `/accountCustomFieldData` (and `/deals/{id}/dealCustomFieldData`,
//! `/accounts/{id}/accountCustomFieldData`): one set of handlers, one `Kind` per record type.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{entity_id, page_json, wrapped, Attrs};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::reply::{empty_ok, id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::entity_fields::{FieldDatum, FieldKind, FieldMeta, FieldMetaInput};
use crate::store::Entity;

/// AC's names for one kind of record's custom fields.
#[derive(Debug)]
struct Kind {
    kind: FieldKind,
    /// `dealCustomFieldMeta`: the list path and key.
    meta: &'static str,
    /// `dealCustomFieldMetum`: the one-record key.
    metum: &'static str,
    /// `dealCustomFieldData`.
    data: &'static str,
    /// `dealCustomFieldDatum`.
    datum: &'static str,
    /// The owner's key in a datum: `dealId` or `customerAccountId`.
    owner_key: &'static str,
    /// The owner's collection path: `deals` or `accounts`.
    owner_path: &'static str,
    owner_entity: Entity,
    meta_entity: Entity,
    data_entity: Entity,
}

static DEAL: Kind = Kind {
    kind: FieldKind::Deal,
    meta: "dealCustomFieldMeta",
    metum: "dealCustomFieldMetum",
    data: "dealCustomFieldData",
    datum: "dealCustomFieldDatum",
    owner_key: "dealId",
    owner_path: "deals",
    owner_entity: Entity::Deal,
    meta_entity: Entity::DealFieldMeta,
    data_entity: Entity::DealFieldData,
};

static ACCOUNT: Kind = Kind {
    kind: FieldKind::Account,
    meta: "accountCustomFieldMeta",
    metum: "accountCustomFieldMetum",
    data: "accountCustomFieldData",
    datum: "accountCustomFieldDatum",
    owner_key: "customerAccountId",
    owner_path: "accounts",
    owner_entity: Entity::Account,
    meta_entity: Entity::AccountFieldMeta,
    data_entity: Entity::AccountFieldData,
};

/// Routes of both kinds.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(kind_router(&DEAL))
        .merge(kind_router(&ACCOUNT))
}

fn kind_router(k: &'static Kind) -> Router<AppState> {
    Router::new()
        .route(
            &format!("/{}", k.meta),
            get(move |st: State<AppState>, a: Authed, q: RawQuery| async move {
                list_meta(k, st, a, q)
            })
            .post(move |st: State<AppState>, a: Authed, b: JsonBody| async move {
                create_meta(k, st, a, b)
            }),
        )
        .route(
            &format!("/{}/{{id}}", k.meta),
            get(move |st: State<AppState>, a: Authed, p: Path<String>| async move {
                get_meta(k, st, a, p)
            })
            .put(
                move |st: State<AppState>, a: Authed, p: Path<String>, b: JsonBody| async move {
                    update_meta(k, st, a, p, b)
                },
            )
            .patch(
                move |st: State<AppState>, a: Authed, p: Path<String>, b: JsonBody| async move {
                    update_meta(k, st, a, p, b)
                },
            )
            .delete(move |st: State<AppState>, a: Authed, p: Path<String>| async move {
                delete_meta(k, st, a, p)
            }),
        )
        .route(
            &format!("/{}", k.data),
            get(move |st: State<AppState>, a: Authed, q: RawQuery| async move {
                list_data(k, st, a, None, q)
            })
            .post(move |st: State<AppState>, a: Authed, b: JsonBody| async move {
                create_datum(k, st, a, b)
            }),
        )
        .route(
            &format!("/{}/{{id}}", k.data),
            get(move |st: State<AppState>, a: Authed, p: Path<String>| async move {
                get_datum(k, st, a, p)
            })
            .put(
                move |st: State<AppState>, a: Authed, p: Path<String>, b: JsonBody| async move {
                    update_datum(k, st, a, p, b)
                },
            )
            .patch(
                move |st: State<AppState>, a: Authed, p: Path<String>, b: JsonBody| async move {
                    update_datum(k, st, a, p, b)
                },
            )
            .delete(move |st: State<AppState>, a: Authed, p: Path<String>| async move {
                delete_datum(k, st, a, p)
            }),
        )
        .route(
            &format!("/{}/{{id}}/{}", k.owner_path, k.data),
            get(
                move |st: State<AppState>, a: Authed, p: Path<String>, q: RawQuery| async move {
                    list_data(k, st, a, Some(p), q)
                },
            ),
        )
}

fn flag(b: bool) -> Value {
    json!(u8::from(b))
}

fn meta_json(k: &Kind, m: &FieldMeta, ctx: &Ctx) -> Value {
    let base = format!("{}/{}/{}", ctx.api_base, k.meta, m.id);
    let options = if m.options.is_empty() {
        Value::Null
    } else {
        json!(m.options)
    };
    let mut links = serde_json::Map::new();
    links.insert(k.data.into(), json!(format!("{base}/{}", k.data)));
    json!({
        "fieldLabel": m.label, "fieldType": m.field_type, "fieldOptions": options,
        "fieldDefault": m.default, "fieldDefaultCurrency": null,
        "isFormVisible": flag(m.is_form_visible), "isRequired": flag(m.is_required),
        "displayOrder": m.display_order, "personalization": m.personalization,
        "knownFieldId": null, "hideFieldFlag": 0,
        "createdTimestamp": ts(m.created, ctx.offset), "updatedTimestamp": ts(m.updated, ctx.offset),
        "links": Value::Object(links), "id": id(m.id)
    })
}

fn datum_json(k: &Kind, d: &FieldDatum, ctx: &Ctx) -> Value {
    let base = format!("{}/{}/{}", ctx.api_base, k.data, d.id);
    let mut v = json!({
        "customFieldId": d.field, "fieldValue": d.value,
        "createdTimestamp": ts(d.created, ctx.offset), "updatedTimestamp": ts(d.updated, ctx.offset),
        "links": {"customField": format!("{base}/customField")}, "id": id(d.id)
    });
    v[k.owner_key] = id(d.owner);
    if let Some(c) = &d.currency {
        v["fieldCurrency"] = json!(c);
    }
    v
}

fn meta_input(k: &Kind, body: &Value) -> Result<FieldMetaInput, ApiError> {
    let a = wrapped(body, k.metum)?;
    let options = match a.raw("fieldOptions") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|o| match o {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(ApiError::field_invalid(
                        "/data/attributes/fieldOptions",
                        "The fieldOptions must be a list of strings.",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => {
            return Err(ApiError::field_invalid(
                "/data/attributes/fieldOptions",
                "The fieldOptions must be a list of strings.",
            ))
        }
    };
    Ok(FieldMetaInput {
        label: a.string("fieldLabel")?,
        field_type: a
            .string("fieldType")?
            .map(|t| t.trim().to_ascii_lowercase()),
        options,
        default: a.string("fieldDefault")?,
        is_required: a.flag("isRequired")?,
        is_form_visible: a.flag("isFormVisible")?,
        display_order: a.u64("displayOrder")?,
    })
}

/// `fieldValue`: text as is; a list of options becomes AC's `||a||b||`.
fn field_value(a: &Attrs<'_>) -> Result<Option<String>, ApiError> {
    match a.raw("fieldValue") {
        Some(Value::Array(items)) => {
            let parts: Vec<String> = items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            Ok(Some(format!("||{}||", parts.join("||"))))
        }
        _ => a.string("fieldValue"),
    }
}

fn list_meta(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&FieldMeta> = store.entity_fields.of(k.kind).meta.iter().collect();
        reply(
            StatusCode::OK,
            page_json(k.meta, rows, &p, |m| meta_json(k, m, ctx)),
        )
    })
}

fn create_meta(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = meta_input(k, &body)?;
    st.with_store(acct, |store, ctx| {
        let mid = store.create_field_meta(k.kind, &input, crate::store::now())?;
        let m = store.field_meta(k.kind, mid)?;
        reply(
            StatusCode::CREATED,
            json!({ k.metum: meta_json(k, m, ctx) }),
        )
    })
}

fn get_meta(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let mid = entity_id(k.meta_entity, &raw)?;
    st.with_store(acct, |store, ctx| {
        let m = store.field_meta(k.kind, mid)?;
        reply(StatusCode::OK, json!({ k.metum: meta_json(k, m, ctx) }))
    })
}

fn update_meta(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mid = entity_id(k.meta_entity, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.field_meta(k.kind, mid)?;
        let input = meta_input(k, &body)?;
        store.update_field_meta(k.kind, mid, &input, crate::store::now())?;
        let m = store.field_meta(k.kind, mid)?;
        reply(StatusCode::OK, json!({ k.metum: meta_json(k, m, ctx) }))
    })
}

fn delete_meta(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let mid = entity_id(k.meta_entity, &raw)?;
    st.with_store(acct, |store, _| {
        store.delete_field_meta(k.kind, mid)?;
        empty_ok()
    })
}

/// `GET /…CustomFieldData` (`filters[<owner key>]`, `filters[customFieldId]`) or the data of one
/// record (`GET /deals/{id}/dealCustomFieldData`, 404 for a record that does not exist).
fn list_data(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    owner_path: Option<Path<String>>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let owner = match owner_path {
        Some(Path(raw)) => Some(entity_id(k.owner_entity, &raw)?),
        None => None,
    };
    let (mut by_owner, mut by_field) = (owner, None);
    for (key, value) in p.bracketed("filters") {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        let parsed = Some(v.parse::<u64>().unwrap_or(u64::MAX));
        if key == k.owner_key && owner.is_none() {
            by_owner = parsed;
        } else if key == "customFieldId" {
            by_field = parsed;
        }
    }
    st.with_store(acct, |store, ctx| {
        if let Some(o) = owner {
            owner_exists(store, k, o)?;
        }
        let mut rows = store.field_data_of(k.kind, by_owner);
        rows.retain(|d| by_field.is_none_or(|f| d.field == f));
        reply(
            StatusCode::OK,
            page_json(k.data, rows, &p, |d| datum_json(k, d, ctx)),
        )
    })
}

fn owner_exists(store: &crate::store::Store, k: &Kind, owner: u64) -> Result<(), ApiError> {
    let found = match k.kind {
        FieldKind::Deal => store.deals.get(owner).is_some(),
        FieldKind::Account => store.accounts.get(owner).is_some(),
    };
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found(k.owner_entity, owner))
    }
}

fn create_datum(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, k.datum)?;
    let owner = a.u64(k.owner_key)?;
    let field = a.u64("customFieldId")?;
    let value = field_value(&a)?;
    let currency = a.string("fieldCurrency")?;
    st.with_store(acct, |store, ctx| {
        let did = store.create_field_datum(
            k.kind,
            owner,
            field,
            value.as_deref(),
            currency.as_deref(),
            crate::store::now(),
        )?;
        let d = store.field_datum(k.kind, did)?;
        reply(
            StatusCode::CREATED,
            json!({ k.datum: datum_json(k, d, ctx) }),
        )
    })
}

fn get_datum(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let did = entity_id(k.data_entity, &raw)?;
    st.with_store(acct, |store, ctx| {
        let d = store.field_datum(k.kind, did)?;
        reply(StatusCode::OK, json!({ k.datum: datum_json(k, d, ctx) }))
    })
}

fn update_datum(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let did = entity_id(k.data_entity, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.field_datum(k.kind, did)?;
        let a = wrapped(&body, k.datum)?;
        let value = field_value(&a)?;
        let currency = a.string("fieldCurrency")?;
        store.update_field_datum(
            k.kind,
            did,
            value.as_deref(),
            currency.as_deref(),
            crate::store::now(),
        )?;
        let d = store.field_datum(k.kind, did)?;
        reply(StatusCode::OK, json!({ k.datum: datum_json(k, d, ctx) }))
    })
}

fn delete_datum(
    k: &Kind,
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let did = entity_id(k.data_entity, &raw)?;
    st.with_store(acct, |store, _| {
        store.delete_field_datum(k.kind, did)?;
        empty_ok()
    })
}
