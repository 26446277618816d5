//! `/contacts`, `/contact/sync` (reference §2).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use super::{
    contact_json, entity_id, fields::field_value_json, lists::contact_list_json, path_id,
    tags::contact_tag_json, wrapped, Attrs,
};
use crate::middleware::Authed;
use crate::middleware::{parse_json, JsonBody, RawBody};
use crate::query::Params;
use crate::reply::{
    self, empty_ok, reply_bytes, total, ApiError, ApiResult, EmptyList, IdStr, Stamp,
};
use crate::server::{AccountId, AppState, Ctx};
use crate::store::contacts::ContactWrite;
use crate::store::{Contact, ContactInput, ContactOrder, ContactQuery, Entity, SortDir, Store};

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

/// Reads `{"contact":{...}}` into a store input, checking every attribute's type.
fn contact_input(body: &Value) -> Result<ContactInput, ApiError> {
    let attrs = wrapped(body, "contact")?;
    Ok(ContactInput {
        email: attrs.string("email")?,
        first_name: attrs.string("firstName")?,
        last_name: attrs.string("lastName")?,
        phone: attrs.string("phone")?,
        orgid: attrs.u64("orgid")?,
        field_values: inline_field_values(&attrs)?,
    })
}

/// The common `{"contact":{"email":…,"firstName":…,"lastName":…,"phone":…}}` body (strings
/// or nulls, nothing else), read without building a `Value` tree. `None` for any other body:
/// the caller then takes the general path ([`contact_input`]), which gives the same input for
/// every body this accepts.
fn plain_contact_input(bytes: &[u8]) -> Option<ContactInput> {
    use std::borrow::Cow;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body<'a> {
        #[serde(borrow)]
        contact: Plain<'a>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Plain<'a> {
        #[serde(borrow, default)]
        email: Option<Cow<'a, str>>,
        #[serde(borrow, default, rename = "firstName")]
        first_name: Option<Cow<'a, str>>,
        #[serde(borrow, default, rename = "lastName")]
        last_name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        phone: Option<Cow<'a, str>>,
    }
    let Body { contact: p } = serde_json::from_slice(bytes).ok()?;
    Some(ContactInput {
        email: p.email.map(Cow::into_owned),
        first_name: p.first_name.map(Cow::into_owned),
        last_name: p.last_name.map(Cow::into_owned),
        phone: p.phone.map(Cow::into_owned),
        ..Default::default()
    })
}

/// `fieldValues: [{"field":"1","value":"x"}, ...]`.
fn inline_field_values(attrs: &Attrs<'_>) -> Result<Vec<(u64, String)>, ApiError> {
    let bad = |i: Option<usize>, what: &str| {
        let pointer = match i {
            Some(i) => format!("/data/attributes/fieldValues/{i}/{what}"),
            None => "/data/attributes/fieldValues".to_string(),
        };
        ApiError::field_invalid(&pointer, format!("The fieldValues {what} is invalid."))
    };
    match attrs.raw("fieldValues") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let obj = item.as_object().ok_or_else(|| bad(Some(i), "entry"))?;
                let a = Attrs::of(obj);
                let field = a.u64("field").map_err(|_| bad(Some(i), "field"))?;
                let field = field.ok_or_else(|| {
                    ApiError::field_missing(
                        &format!("/data/attributes/fieldValues/{i}/field"),
                        "The field was not provided.",
                    )
                })?;
                let value = a.string("value").map_err(|_| bad(Some(i), "value"))?;
                Ok((field, value.unwrap_or_default()))
            })
            .collect(),
        Some(_) => Err(bad(None, "list")),
    }
}

/// The 18 `links` of a contact, in the order the `Value` rendering sorted them.
pub(crate) const CONTACT_LINKS: [&str; 18] = [
    "accountContacts",
    "automationEntryCounts",
    "bounceLogs",
    "contactAutomations",
    "contactData",
    "contactDeals",
    "contactGoals",
    "contactLists",
    "contactLogs",
    "contactTags",
    "deals",
    "fieldValues",
    "geoIps",
    "notes",
    "organization",
    "plusAppend",
    "scoreValues",
    "trackingLogs",
];

/// A contact's `links` object, written from the shared `api_base` prefix.
#[derive(Debug, Clone, Copy)]
struct ContactLinks<'a> {
    base: &'a str,
    contact: u64,
}

/// One `links` URL: `{base}/contacts/{id}/{name}`.
struct LinkUrl<'a> {
    base: &'a str,
    contact: u64,
    name: &'static str,
}

impl std::fmt::Display for LinkUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/contacts/{}/{}", self.base, self.contact, self.name)?;
        if self.name == "contactAutomations" {
            f.write_str("?limit=2500&orders%5Blastdate%5D=DESC")?;
        }
        Ok(())
    }
}

impl Serialize for ContactLinks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Url<'a>(LinkUrl<'a>);
        impl Serialize for Url<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }
        let mut map = serializer.serialize_map(Some(CONTACT_LINKS.len()))?;
        for name in CONTACT_LINKS {
            let url = LinkUrl {
                base: self.base,
                contact: self.contact,
                name,
            };
            map.serialize_entry(name, &Url(url))?;
        }
        map.end()
    }
}

fn links(ctx: &Ctx, contact: u64) -> ContactLinks<'_> {
    ContactLinks {
        base: &ctx.api_base,
        contact,
    }
}

/// The reduced contact of a create response (§2.2). Fields in the (sorted) order of the
/// former `Value` rendering, so the bytes are unchanged.
#[derive(Debug, Serialize)]
pub(crate) struct ReducedJson<'a> {
    cdate: Stamp,
    email: &'a str,
    #[serde(rename = "firstName")]
    first_name: &'a str,
    id: IdStr,
    #[serde(rename = "lastName")]
    last_name: &'a str,
    links: ContactLinks<'a>,
    organization: (),
    orgid: IdStr,
    orgname: &'a str,
    phone: &'a str,
    udate: Stamp,
}

/// The reduced contact of a create response (§2.2).
pub(crate) fn reduced_json<'a>(c: &'a Contact, ctx: &'a Ctx) -> ReducedJson<'a> {
    ReducedJson {
        cdate: Stamp::ts(c.cdate, ctx.offset),
        email: &c.email,
        first_name: &c.first_name,
        id: IdStr(c.id),
        last_name: &c.last_name,
        links: links(ctx, c.id),
        organization: (),
        orgid: IdStr(c.orgid),
        orgname: &c.orgname,
        phone: &c.phone,
        udate: Stamp::ts(c.udate, ctx.offset),
    }
}

/// The full contact (§2.1), and with the `detail` fields the contact of GET/sync/update
/// (§2.3, §2.4). Fields in the (sorted) order of the former `Value` rendering, so the bytes
/// are unchanged; `None` detail fields are left out.
#[derive(Debug, Serialize)]
pub(crate) struct ContactJson<'a> {
    #[serde(rename = "accountContacts")]
    account_contacts: EmptyList,
    adate: (),
    anonymized: &'static str,
    best_send_hour: (),
    /// `YYYY-MM-DD` (account offset) of the last bounce, else null.
    bounced_date: Option<String>,
    bounced_hard: IdStr,
    bounced_soft: IdStr,
    cdate: Stamp,
    #[serde(rename = "contactAutomations", skip_serializing_if = "Option::is_none")]
    contact_automations: Option<EmptyList>,
    #[serde(rename = "contactLists", skip_serializing_if = "Option::is_none")]
    contact_lists: Option<Vec<IdStr>>,
    created_by: (),
    created_timestamp: Stamp,
    created_utc_timestamp: Stamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    deals: Option<Vec<IdStr>>,
    deleted: &'static str,
    deleted_at: (),
    edate: (),
    email: &'a str,
    email_domain: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_empty: Option<bool>,
    email_local: &'static str,
    #[serde(rename = "fieldValues", skip_serializing_if = "Option::is_none")]
    field_values: Option<Vec<IdStr>>,
    #[serde(rename = "firstName")]
    first_name: &'a str,
    #[serde(rename = "geoIps", skip_serializing_if = "Option::is_none")]
    geo_ips: Option<EmptyList>,
    gravatar: &'static str,
    hash: &'a str,
    id: IdStr,
    ip: &'static str,
    #[serde(rename = "lastName")]
    last_name: &'a str,
    last_click_date: (),
    last_mpp_open_date: (),
    last_open_date: (),
    links: ContactLinks<'a>,
    mpp_tracking: &'static str,
    organization: (),
    orgid: IdStr,
    orgname: &'a str,
    phone: &'a str,
    rating_tstamp: (),
    #[serde(rename = "scoreValues")]
    score_values: EmptyList,
    segmentio_id: &'static str,
    sentcnt: &'static str,
    sms_consent: (),
    sms_consent_updated_at: (),
    socialdata_lastcheck: (),
    ua: (),
    udate: Stamp,
    updated_by: (),
    updated_timestamp: Stamp,
    updated_utc_timestamp: Stamp,
    whatsapp_id: (),
    whatsapp_username: (),
}

/// The full contact of a list item (§2.1), typed.
pub(crate) fn contact_json<'a>(c: &'a Contact, ctx: &'a Ctx) -> ContactJson<'a> {
    let off = ctx.offset;
    let domain = c.email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
    ContactJson {
        account_contacts: EmptyList,
        adate: (),
        anonymized: "0",
        best_send_hour: (),
        bounced_date: c
            .bounced_date
            .map(|d| d.with_timezone(&off).format("%Y-%m-%d").to_string()),
        bounced_hard: IdStr(u64::from(c.bounced_hard)),
        bounced_soft: IdStr(u64::from(c.bounced_soft)),
        cdate: Stamp::ts(c.cdate, off),
        contact_automations: None,
        contact_lists: None,
        created_by: (),
        created_timestamp: Stamp::naive(c.cdate, off),
        created_utc_timestamp: Stamp::naive(c.cdate, off),
        deals: None,
        deleted: "0",
        deleted_at: (),
        edate: (),
        email: &c.email,
        email_domain: domain,
        email_empty: None,
        email_local: "",
        field_values: None,
        first_name: &c.first_name,
        geo_ips: None,
        gravatar: "0",
        hash: &c.hash,
        id: IdStr(c.id),
        ip: "0",
        last_name: &c.last_name,
        last_click_date: (),
        last_mpp_open_date: (),
        last_open_date: (),
        links: links(ctx, c.id),
        mpp_tracking: "0",
        organization: (),
        orgid: IdStr(c.orgid),
        orgname: &c.orgname,
        phone: &c.phone,
        rating_tstamp: (),
        score_values: EmptyList,
        segmentio_id: "",
        sentcnt: "0",
        sms_consent: (),
        sms_consent_updated_at: (),
        socialdata_lastcheck: (),
        ua: (),
        udate: Stamp::ts(c.udate, off),
        updated_by: (),
        updated_timestamp: Stamp::naive(c.udate, off),
        updated_utc_timestamp: Stamp::naive(c.udate, off),
        whatsapp_id: (),
        whatsapp_username: (),
    }
}

/// The full contact of a list item (§2.1), as a `Value` for bodies still built with `json!`.
pub(crate) fn full_json(c: &Contact, ctx: &Ctx) -> Value {
    serde_json::to_value(contact_json(c, ctx)).unwrap_or(Value::Null)
}

/// The full contact plus the id arrays of GET/sync/update (§2.3, §2.4), through serde: the
/// reading [`super::contact_json`]'s hand-written bytes are checked against.
#[cfg(test)]
fn detailed_json<'a>(store: &Store, c: &'a Contact, ctx: &'a Ctx) -> ContactJson<'a> {
    let mut v = contact_json(c, ctx);
    v.email_empty = Some(false);
    v.contact_automations = Some(EmptyList);
    v.contact_lists = Some(
        store
            .contact_lists_of(c.id)
            .iter()
            .map(|m| IdStr(m.id))
            .collect(),
    );
    v.field_values = Some(
        store
            .field_values_of(c.id)
            .iter()
            .map(|f| IdStr(f.id))
            .collect(),
    );
    v.geo_ips = Some(EmptyList);
    v.deals = Some(
        store
            .list_deals(Some(c.id), None, None, None)
            .iter()
            .map(|d| IdStr(d.id))
            .collect(),
    );
    v
}

/// `{"contact":…}` plus `fieldValues` when values were written inline (sorted key order):
/// the reduced contact (create) or the detailed one (sync, update).
fn write_reply(
    store: &Store,
    ctx: &Ctx,
    w: &ContactWrite,
    reduced: bool,
) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(4096);
    push_reply(&mut out, store, ctx, w, reduced)?;
    Ok(out)
}

/// [`write_reply`], appended to `out`.
fn push_reply(
    out: &mut Vec<u8>,
    store: &Store,
    ctx: &Ctx,
    w: &ContactWrite,
    reduced: bool,
) -> Result<(), ApiError> {
    let c = store.contact(w.id)?;
    out.extend_from_slice(br#"{"contact":"#);
    if reduced {
        serde_json::to_writer(&mut *out, &reduced_json(c, ctx)).map_err(internal)?;
    } else {
        contact_json::push_detailed_contact(out, store, c, ctx);
    }
    if !w.field_values.is_empty() {
        out.extend_from_slice(br#","fieldValues":"#);
        let values: Vec<Value> = w
            .field_values
            .iter()
            .filter_map(|fv| store.field_values.get(*fv))
            .map(|fv| field_value_json(fv, ctx))
            .collect();
        serde_json::to_writer(&mut *out, &values).map_err(internal)?;
    }
    out.push(b'}');
    Ok(())
}

/// A serialization failure (not reachable for the mock's bodies: string keys only).
fn internal(e: serde_json::Error) -> ApiError {
    ApiError::BareErrors(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = contact_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let w = store.create_contact(&input, crate::store::now())?;
        reply_bytes(StatusCode::CREATED, write_reply(store, ctx, &w, true)?)
    })
}

async fn sync(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawBody(bytes): RawBody,
) -> ApiResult {
    let mut out = Vec::with_capacity(4096);
    let status = sync_into(&st, acct, &bytes, &mut out)?;
    reply_bytes(status, out)
}

/// `POST /contact/sync` for one account and body: appends the JSON answer to `out` and
/// returns its status (the handler's code, and the fast lane's: both answer alike).
pub(crate) fn sync_into(
    st: &AppState,
    acct: AccountId,
    bytes: &[u8],
    out: &mut Vec<u8>,
) -> Result<StatusCode, ApiError> {
    let input = match plain_contact_input(bytes) {
        Some(input) => input,
        None => contact_input(&parse_json(bytes)?)?,
    };
    st.with_store(acct, |store, ctx| {
        let w = store.sync_contact(&input, crate::store::now())?;
        push_reply(out, store, ctx, &w, false)?;
        Ok(if w.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        })
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let mut out = Vec::with_capacity(4096);
    let status = retrieve_into(&st, acct, &raw, &mut out)?;
    reply_bytes(status, out)
}

/// `GET /contacts/{id}` for one account and raw path id: appends the JSON answer to `out`
/// and returns its status (the handler's code, and the fast lane's).
pub(crate) fn retrieve_into(
    st: &AppState,
    acct: AccountId,
    raw: &str,
    out: &mut Vec<u8>,
) -> Result<StatusCode, ApiError> {
    let cid = entity_id(Entity::Contact, raw)?;
    st.with_store(acct, |store, ctx| {
        push_retrieve_json(out, store, cid, ctx)?;
        Ok(StatusCode::OK)
    })
}

/// Appends the body of `GET /contacts/{id}`: the detailed contact and its side-loads (sorted key
/// order, as every contact body of the mock).
fn push_retrieve_json(
    out: &mut Vec<u8>,
    store: &Store,
    cid: u64,
    ctx: &Ctx,
) -> Result<(), ApiError> {
    let c = store.contact(cid)?;
    out.extend_from_slice(br#"{"accountContacts":"#);
    let account_contacts = super::accounts::contact_account_contacts_json(store, cid, ctx);
    serde_json::to_writer(&mut *out, &account_contacts).map_err(internal)?;
    out.extend_from_slice(br#","contact":"#);
    contact_json::push_detailed_contact(out, store, c, ctx);
    out.extend_from_slice(br#","contactAutomations":"#);
    let entries: Vec<Value> = super::automations::entries_of_contact(store, cid)
        .into_iter()
        .map(|e| super::automations::entry_json(e, ctx))
        .collect();
    serde_json::to_writer(&mut *out, &entries).map_err(internal)?;
    out.extend_from_slice(br#","contactLists":"#);
    let lists: Vec<Value> = store
        .contact_lists_of(cid)
        .into_iter()
        .map(|m| contact_list_json(m, ctx, false))
        .collect();
    serde_json::to_writer(&mut *out, &lists).map_err(internal)?;
    out.extend_from_slice(br#","deals":"#);
    serde_json::to_writer(
        &mut *out,
        &super::deals::contact_deals_json(store, cid, ctx),
    )
    .map_err(internal)?;
    out.extend_from_slice(br#","fieldValues":"#);
    let values: Vec<Value> = store
        .field_values_of(cid)
        .into_iter()
        .map(|v| field_value_json(v, ctx))
        .collect();
    serde_json::to_writer(&mut *out, &values).map_err(internal)?;
    out.extend_from_slice(br#","geoIps":[]}"#);
    Ok(())
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let input = contact_input(&body)?;
        let w = store.update_contact(cid, &input, crate::store::now())?;
        reply_bytes(StatusCode::OK, write_reply(store, ctx, &w, false)?)
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    // DELETE words its 404 differently from GET (reference §2.6).
    let lower = || ApiError::NotFoundMessage(format!("No result found for contact with id {raw}"));
    let cid = path_id(&raw).ok_or_else(lower)?;
    st.with_store(acct, |store, _| match store.delete_contact(cid) {
        Ok(()) => empty_ok(),
        Err(_) => Err(lower()),
    })
}

/// Parses a `filters[created_before]`-style date: `YYYY-MM-DD`, ISO-8601 with or without
/// offset/`Z`, or `YYYY-MM-DD HH:MM:SS`; zone-less values are in the account's offset.
fn parse_date(param: &str, raw: &str, ctx: &Ctx) -> Result<DateTime<Utc>, ApiError> {
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
                .flat_map(|c| super::automations::entries_of_contact(store, *c))
                .map(|e| super::automations::entry_json(e, ctx))
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

async fn list(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FieldInput, ListInput};

    /// Puts contact `cid` on a new list (name, status, when) and gives it a value in a new
    /// text field (title, value), at the fixture's fixed times; returns the field's id.
    fn add_list_and_field(
        store: &mut Store,
        cid: u64,
        (name, status, listed_at): (&str, u8, DateTime<Utc>),
        (title, value): (&str, &str),
    ) -> u64 {
        let created = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .expect("time")
            .with_timezone(&Utc);
        let list = store
            .create_list(
                &ListInput {
                    name: Some(name.into()),
                    stringid: Some(name.to_lowercase()),
                    sender_url: Some("https://example.com".into()),
                    sender_reminder: Some("You signed up".into()),
                    ..Default::default()
                },
                created,
            )
            .expect("list");
        store
            .set_contact_list(cid, list, status, None, listed_at)
            .expect("membership");
        let field = store
            .create_field(
                &FieldInput {
                    title: Some(title.into()),
                    field_type: Some("text".into()),
                    ..Default::default()
                },
                created,
            )
            .expect("field");
        store
            .upsert_field_value(cid, field, value, created + chrono::Duration::seconds(2))
            .expect("value");
        field
    }

    /// A store with one contact (fixed times and hash), one list membership and one field
    /// value, rendered in an account at UTC-05:00.
    fn fixture() -> (Store, Ctx, ContactWrite) {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        let mut store = Store::new();
        let input = ContactInput {
            email: Some("Ann.O'Neil@example.com".into()),
            first_name: Some("Ann \"Q\"".into()),
            last_name: Some("O'Neil".into()),
            phone: Some("+1 555 0100".into()),
            ..Default::default()
        };
        let w = store
            .create_contact(&input, at("2026-01-02T03:04:05Z"))
            .expect("create");
        store.contacts.get_mut(w.id).expect("row").hash = "0123456789abcdef0123456789abcdef".into();
        let field = add_list_and_field(
            &mut store,
            w.id,
            ("News", 1, at("2026-01-02T03:04:06Z")),
            ("Color", "blue"),
        );
        let mut update = input.clone();
        update.email = None;
        update.field_values = vec![(field, "green".into())];
        let w = store
            .update_contact(w.id, &update, at("2026-12-31T23:30:00Z"))
            .expect("update");
        let ctx = Ctx {
            api_base: "http://127.0.0.1:4010/api/3".into(),
            offset: chrono::FixedOffset::west_opt(5 * 3600).expect("offset"),
            contact_tag_created_status: 201,
        };
        (store, ctx, w)
    }

    fn render(v: &impl serde::Serialize) -> String {
        serde_json::to_string(v).expect("json")
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("UTF-8")
    }

    /// The typed fast path reads plain bodies exactly as the general path does, and leaves
    /// every other body (numbers, extra attributes, duplicates, bad JSON) to it.
    #[test]
    fn plain_sync_bodies_read_as_the_general_path_reads_them() {
        let general =
            |body: &str| contact_input(&parse_json(body.as_bytes()).expect("json")).expect("input");
        for body in [
            r#"{"contact":{"email":"a@example.com","firstName":"A","lastName":"B","phone":"1"}}"#,
            r#"{"contact":{"email":"a@example.com"}}"#,
            r#"{"contact":{"email":"a\u00e9@example.com","firstName":"q\"uote\\","lastName":null}}"#,
            r#" { "contact" : { "phone" : "" , "email" : "x@example.com" } } "#,
            r#"{"contact":{}}"#,
        ] {
            assert_eq!(
                plain_contact_input(body.as_bytes()),
                Some(general(body)),
                "{body}"
            );
        }
        for body in [
            r#"{"contact":{"email":"a@example.com","phone":5551234}}"#,
            r#"{"contact":{"email":"a@example.com","orgid":"3"}}"#,
            r#"{"contact":{"email":"a@example.com","fieldValues":[{"field":"1","value":"x"}]}}"#,
            r#"{"contact":{"email":"a@example.com"},"extra":1}"#,
            r#"{"contact":{"email":"a@example.com","email":"b@example.com"}}"#,
            r#"{"contact":"a@example.com"}"#,
            r#"{"contact":{"email":"a@example.com"}"#,
            "",
        ] {
            assert_eq!(plain_contact_input(body.as_bytes()), None, "{body}");
        }
    }

    /// The hand-written detailed contact equals serde's rendering of the same contact, for
    /// strings that need escaping (quotes, backslashes, control characters), non-ASCII text,
    /// a bounce date, several ids in each array, and odd offsets.
    #[test]
    fn hand_written_contact_equals_serde() {
        let (mut store, mut ctx, w) = fixture();
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        // A second list and field, so the fixture contact has two ids in each array.
        let field = add_list_and_field(
            &mut store,
            w.id,
            ("Second", 2, at("2026-01-03T03:04:06Z")),
            ("Size", "XL"),
        );
        let odd = [
            "plain",
            "",
            "quote \" and backslash \\",
            "tab\tnewline\ncr\r nul\u{0} bell\u{7} unit\u{1f} del\u{7f}",
            "Zoë Ünïcode 日本 😀 \u{2028}",
            "</script><b>&amp;",
        ];
        for (i, s) in odd.iter().enumerate() {
            let input = ContactInput {
                email: Some(format!("odd{i}@ex\"ample.com")),
                first_name: Some((*s).to_string()),
                last_name: Some(s.repeat(2)),
                phone: Some(format!("{s}+1")),
                ..Default::default()
            };
            let id = store
                .create_contact(&input, at("2026-03-04T05:06:07Z"))
                .expect("contact")
                .id;
            let c = store.contacts.get_mut(id).expect("stored");
            c.orgname = (*s).to_string();
            c.hash = format!("{s}hash");
            c.bounced_hard = 2;
            c.bounced_soft = 11;
            c.bounced_date = Some(at("2026-05-06T03:00:00Z"));
            store
                .upsert_field_value(id, field, s, at("2026-03-04T05:06:08Z"))
                .expect("value");
        }
        for offset in [0, -5 * 3600, 5 * 3600 + 30 * 60, 14 * 3600] {
            ctx.offset = chrono::FixedOffset::east_opt(offset).expect("offset");
            for c in store.contacts.iter() {
                let mut hand = Vec::new();
                super::contact_json::push_detailed_contact(&mut hand, &store, c, &ctx);
                assert_eq!(
                    text(hand),
                    render(&detailed_json(&store, c, &ctx)),
                    "contact {} at offset {offset}",
                    c.id
                );
            }
        }
    }

    /// The bodies as the `serde_json::Value` rendering produced them (keys sorted), captured
    /// byte for byte in `testdata/`: the typed rendering must not change a byte.
    #[test]
    fn contact_bodies_are_pinned_byte_for_byte() {
        let (store, ctx, w) = fixture();
        let c = store.contact(w.id).expect("contact");
        let cases = [
            (
                "GET /contacts/{id}",
                text({
                    let mut out = Vec::new();
                    push_retrieve_json(&mut out, &store, w.id, &ctx).expect("get");
                    out
                }),
                include_str!("testdata/contact_get.json"),
            ),
            (
                "sync/update",
                text(write_reply(&store, &ctx, &w, false).expect("sync")),
                include_str!("testdata/contact_sync.json"),
            ),
            (
                "create",
                text(write_reply(&store, &ctx, &w, true).expect("create")),
                include_str!("testdata/contact_create.json"),
            ),
            (
                "list item",
                render(&full_json(c, &ctx)),
                include_str!("testdata/contact_full.json"),
            ),
        ];
        for (what, got, want) in cases {
            assert_eq!(got, want, "{what}");
        }
    }
}
