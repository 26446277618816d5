//! Request readers more than one route file uses: a link body's required ids, the name
//! filters of `/tags` and `/lists`, the custom `fields` of accounts and deals, the `enabled`
//! flag and the form parameters of event and site tracking. (Every route file's common
//! helpers, such as [`super::wrapped`] and [`super::Attrs`], are in [`super`].)

use serde_json::Value;

use super::{wrapped, Attrs};
use crate::query::Params;
use crate::reply::ApiError;
use crate::store::tags::{NameOrder, NameQuery, TextOp};

/// Reads a required id attribute of a link body (`contactTag.contact`, `contactList.list`, ...):
/// absent → 422 `Missing attribute` naming it; wrong type → 422 `field_invalid`.
pub(crate) fn required_id(a: &Attrs<'_>, attr: &str) -> Result<u64, ApiError> {
    a.u64(attr)?
        .ok_or_else(|| ApiError::MissingAttribute(format!("/data/attributes/{attr}")))
}

/// `search`, `filters[<key>]`, `filters[<key>][op]`, `orders[<key>]` against a name; shared
/// with lists (`key` = `name`).
pub(crate) fn name_query(p: &Params, key: &str) -> NameQuery {
    let mut q = NameQuery {
        contains: p.text("search"),
        limit: p.limit(20, 100),
        offset: p.offset(),
        ..NameQuery::default()
    };
    let op_prefix = format!("{key}][");
    for (name, value) in p.bracketed("filters") {
        if name == key {
            // No operator: AC documents filters[name] as a match; the mock uses "contains".
            q.weight_term.get_or_insert_with(|| value.clone());
            q.ops.push((TextOp::Contains, value));
        } else if let Some(op) = name.strip_prefix(&op_prefix).and_then(TextOp::parse) {
            if matches!(op, TextOp::Eq | TextOp::Contains | TextOp::StartsWith) {
                q.weight_term.get_or_insert_with(|| value.clone());
            }
            q.ops.push((op, value));
        }
    }
    if q.weight_term.is_none() {
        q.weight_term.clone_from(&q.contains);
    }
    q.order = p
        .bracketed("orders")
        .into_iter()
        .find(|(name, _)| name == key)
        .and_then(|(_, v)| NameOrder::parse(&v));
    q
}

/// `fields: [{"customFieldId": 1, "fieldValue": "x"}, …]` of an account or deal body. An item
/// without `customFieldId` is `missing_id()` (accounts and deals answer it differently); any
/// other malformed `fields` is 422 `The fields are invalid.`
pub(crate) fn custom_fields(
    a: &Attrs<'_>,
    missing_id: impl Fn() -> ApiError,
) -> Result<Option<Vec<(u64, String)>>, ApiError> {
    let bad = || ApiError::field_invalid("/data/attributes/fields", "The fields are invalid.");
    match a.raw("fields") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                let f = Attrs::of(item.as_object().ok_or_else(bad)?);
                let field = f.u64("customFieldId")?.ok_or_else(&missing_id)?;
                Ok((field, f.string("fieldValue")?.unwrap_or_default()))
            })
            .collect::<Result<Vec<_>, ApiError>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

/// Reads `{"<key>":{"enabled":bool}}` (event and site tracking).
pub(crate) fn enabled_flag(body: &Value, key: &str) -> Result<bool, ApiError> {
    wrapped(body, key)?.flag("enabled")?.ok_or_else(|| {
        ApiError::field_missing(
            "/data/attributes/enabled",
            "The enabled flag was not provided.",
        )
    })
}

/// Form parameters of a tracking call: the body's, falling back to the query string's.
pub(crate) struct TrackParams {
    body: Params,
    query: Params,
}

impl TrackParams {
    pub(crate) fn new(query: Option<&str>, body: &[u8]) -> Self {
        let body = std::str::from_utf8(body).ok();
        Self {
            body: Params::parse(body),
            query: Params::parse(query),
        }
    }

    pub(crate) fn text(&self, key: &str) -> Option<String> {
        self.body.text(key).or_else(|| self.query.text(key))
    }

    pub(crate) fn raw(&self, key: &str) -> Option<String> {
        self.body
            .get(key)
            .or_else(|| self.query.get(key))
            .map(str::to_string)
    }
}
