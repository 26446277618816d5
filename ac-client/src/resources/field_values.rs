//! Custom field values (reference §5.5): one contact's value for one field, set, read,
//! listed and streamed through [`Client::field_values`], and decoded back into typed values
//! ([`decode_value`]: text, numbers, dates, date-times, multi-values as a `Vec`).

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::encode::{decode_multi, CustomValue};
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{ContactId, FieldId, FieldValueId};
use crate::page::{query_stream, BoxStream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::fields::FieldType;
use crate::resources::wrap;

/// One contact's value for one custom field (`fieldValue`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The value's id.
    pub id: FieldValueId,
    /// The contact it belongs to.
    #[serde(default)]
    pub contact: ContactId,
    /// The field.
    #[serde(default)]
    pub field: FieldId,
    /// The encoded value (`||a||b||` for multi-value fields, `YYYY-MM-DD` for dates...).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub value: String,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `cdate`.
    #[serde(rename = "cdate")]
    pub created: Option<DateTime<FixedOffset>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `udate`.
    #[serde(rename = "udate")]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`owner`, `links`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for FieldValue {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of `POST /fieldValues` and `PUT /fieldValues/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldValueInput {
    /// The contact.
    pub contact: ContactId,
    /// The field.
    pub field: FieldId,
    /// The encoded value (see [`crate::encode`]).
    pub value: String,
    /// Also fill the contact's other required fields with their defaults (`useDefaults`).
    #[serde(skip)]
    pub use_defaults: bool,
}

impl FieldValueInput {
    /// A value for one contact and field.
    pub fn new(
        contact: impl Into<ContactId>,
        field: impl Into<FieldId>,
        value: impl Into<String>,
    ) -> Self {
        let contact: ContactId = contact.into();
        let field: FieldId = field.into();
        FieldValueInput {
            contact,
            field,
            value: value.into(),
            use_defaults: false,
        }
    }

    /// Sends `useDefaults: true`.
    pub fn use_defaults(mut self, v: bool) -> Self {
        self.use_defaults = v;
        self
    }

    fn body(&self) -> Result<Value> {
        let mut body = wrap("fieldValue", self)?;
        if self.use_defaults {
            if let Some(map) = body.as_object_mut() {
                map.insert("useDefaults".to_owned(), Value::Bool(true));
            }
        }
        Ok(body)
    }
}

/// Filters and paging for `GET /fieldValues`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldValueQuery {
    fieldid: Option<FieldId>,
    val: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl FieldValueQuery {
    /// Every value.
    pub fn new() -> Self {
        Self::default()
    }

    /// Values of one field (`filters[fieldid]=`).
    pub fn field(mut self, id: impl Into<FieldId>) -> Self {
        let id: FieldId = id.into();
        self.fieldid = Some(id);
        self
    }

    /// Values equal to this (`filters[val]=`).
    pub fn value(mut self, v: impl Into<String>) -> Self {
        self.val = Some(v.into());
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(f) = self.fieldid {
            q.push(("filters[fieldid]".to_owned(), f.to_string()));
        }
        if let Some(v) = &self.val {
            q.push(("filters[val]".to_owned(), v.clone()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(FieldValueQuery);

#[derive(Deserialize)]
struct FieldValueEnvelope {
    #[serde(rename = "fieldValue")]
    field_value: FieldValue,
}

#[derive(Deserialize)]
struct FieldValueList {
    #[serde(rename = "fieldValues", default)]
    field_values: Vec<FieldValue>,
    #[serde(default)]
    meta: Meta,
}

/// The field values handler: `client.field_values()`.
#[derive(Debug, Clone, Copy)]
pub struct FieldValues<'c> {
    client: &'c Client,
}

impl Client {
    /// Custom field values: set (an upsert), update, get, list, stream, a contact's values
    /// and delete.
    pub fn field_values(&self) -> FieldValues<'_> {
        FieldValues { client: self }
    }
}

impl<'c> FieldValues<'c> {
    /// Sets a contact's value for a field (`POST /fieldValues`, an upsert on contact+field).
    /// The value must already be encoded for the field's type (see [`crate::encode`]).
    pub async fn set(
        &self,
        contact: impl Into<ContactId>,
        field: impl Into<FieldId>,
        value: impl Into<String>,
    ) -> Result<FieldValue> {
        let contact: ContactId = contact.into();
        let field: FieldId = field.into();
        self.set_with(&FieldValueInput::new(contact, field, value))
            .await
    }

    /// [`FieldValues::set`] with every option (`useDefaults`).
    pub async fn set_with(&self, input: impl Borrow<FieldValueInput>) -> Result<FieldValue> {
        let input: &FieldValueInput = input.borrow();
        let req = ApiRequest::post_upsert("fieldValues", &input.body()?)?;
        Ok(self
            .client
            .send::<FieldValueEnvelope>(req)
            .await?
            .field_value)
    }

    /// Updates a value by its id (`PUT /fieldValues/{id}`).
    pub async fn update(
        &self,
        id: impl Into<FieldValueId>,
        input: impl Borrow<FieldValueInput>,
    ) -> Result<FieldValue> {
        let id: FieldValueId = id.into();
        let input: &FieldValueInput = input.borrow();
        let req = ApiRequest::put(format!("fieldValues/{id}"), &input.body()?)?;
        Ok(self
            .client
            .send::<FieldValueEnvelope>(req)
            .await?
            .field_value)
    }

    /// Reads a value (`GET /fieldValues/{id}`).
    pub async fn get(&self, id: impl Into<FieldValueId>) -> Result<FieldValue> {
        let id: FieldValueId = id.into();
        let req = ApiRequest::get(format!("fieldValues/{id}"));
        Ok(self
            .client
            .send::<FieldValueEnvelope>(req)
            .await?
            .field_value)
    }

    /// One page of values (`GET /fieldValues`).
    pub async fn list(&self, query: impl Borrow<FieldValueQuery>) -> Result<Page<FieldValue>> {
        list_page(self.client, query.borrow()).await
    }

    /// All of a contact's values (`GET /contacts/{id}/fieldValues`).
    pub async fn of_contact(&self, contact: impl Into<ContactId>) -> Result<Vec<FieldValue>> {
        let contact: ContactId = contact.into();
        let req = ApiRequest::get(format!("contacts/{contact}/fieldValues"));
        Ok(self.client.send::<FieldValueList>(req).await?.field_values)
    }

    /// Deletes a value (`DELETE /fieldValues/{id}`).
    pub async fn delete(&self, id: impl Into<FieldValueId>) -> Result<()> {
        let id: FieldValueId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("fieldValues/{id}")))
            .await
    }

    /// Every value matching `query`, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<FieldValueQuery>) -> BoxStream<FieldValue> {
        let query: FieldValueQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            list_page(&client, &q).await
        })
    }
}

async fn list_page(client: &Client, query: &FieldValueQuery) -> Result<Page<FieldValue>> {
    let req = ApiRequest::get("fieldValues").query(query.to_query()?);
    let list: FieldValueList = client.send(req).await?;
    Ok(Page {
        items: list.field_values,
        total: list.meta.total,
    })
}

/// Decodes a value as AC stores it for a field of type `field_type` (the inverse of
/// [`crate::encode::encode_value`]): `listbox`/`checkbox` `||a||b||` → [`CustomValue::Many`],
/// `date` → [`CustomValue::Date`], `datetime` → [`CustomValue::DateTime`], `number` →
/// [`CustomValue::Integer`] or [`CustomValue::Number`], everything else →
/// [`CustomValue::Text`]. An empty value is an empty `Text` (or an empty `Many`). A value that
/// does not fit its type is an [`Error::InvalidInput`] naming `field`.
///
/// ```
/// use ac_client::field_values::decode_value;
/// use ac_client::fields::FieldType;
/// use ac_client::{CustomValue, NaiveDate};
///
/// assert_eq!(
///     decode_value(&FieldType::Listbox, "Languages", "||Rust||Go||")?,
///     CustomValue::from(["Rust", "Go"])
/// );
/// assert_eq!(
///     decode_value(&FieldType::Date, "Birthday", "1815-12-10")?,
///     CustomValue::Date(NaiveDate::from_ymd_opt(1815, 12, 10).unwrap())
/// );
/// assert_eq!(decode_value(&FieldType::Number, "Seats", "12")?, CustomValue::Integer(12));
/// # Ok::<(), ac_client::Error>(())
/// ```
pub fn decode_value(field_type: &FieldType, field: &str, raw: &str) -> Result<CustomValue> {
    let trimmed = raw.trim();
    if field_type.is_multi_value() {
        return Ok(CustomValue::Many(decode_multi(raw)));
    }
    if trimmed.is_empty() {
        return Ok(CustomValue::Text(String::new()));
    }
    let bad = |what: &str| Error::invalid(field, format!("`{raw}` is not a valid {what}"));
    match field_type {
        FieldType::Date => NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
            .map(CustomValue::Date)
            .or_else(|_| {
                crate::de::parse_timestamp(trimmed)
                    .map(|dt| CustomValue::Date(dt.date_naive()))
                    .ok_or_else(|| bad("date"))
            }),
        FieldType::Datetime => crate::de::parse_timestamp(trimmed)
            .map(CustomValue::DateTime)
            .ok_or_else(|| bad("date-time")),
        FieldType::Number => trimmed
            .parse::<i64>()
            .map(CustomValue::Integer)
            .or_else(|_| {
                trimmed
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(CustomValue::Number)
                    .ok_or_else(|| bad("number"))
            }),
        _ => Ok(CustomValue::Text(raw.to_owned())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inputs_and_queries_serialize() {
        let v = FieldValueInput::new(ContactId(2), FieldId(3), "Blue").use_defaults(true);
        assert_eq!(
            v.body().unwrap(),
            json!({"fieldValue":{"contact":"2","field":"3","value":"Blue"},"useDefaults":true})
        );
        assert_eq!(
            FieldValueQuery::new()
                .field(FieldId(1))
                .value("x")
                .to_query()
                .unwrap(),
            vec![
                ("filters[fieldid]".to_owned(), "1".to_owned()),
                ("filters[val]".to_owned(), "x".to_owned())
            ]
        );
    }

    #[test]
    fn values_decode_by_type() {
        let d = |t: FieldType, raw: &str| decode_value(&t, "F", raw);
        assert_eq!(
            d(FieldType::Text, "x").unwrap(),
            CustomValue::Text("x".into())
        );
        assert_eq!(
            d(FieldType::Checkbox, "||a||").unwrap(),
            CustomValue::from(["a"])
        );
        assert_eq!(
            d(FieldType::Listbox, "").unwrap(),
            CustomValue::Many(Vec::new())
        );
        assert_eq!(
            d(FieldType::Number, "1.5").unwrap(),
            CustomValue::Number(1.5)
        );
        assert_eq!(
            d(FieldType::Number, "").unwrap(),
            CustomValue::Text(String::new())
        );
        assert_eq!(d(FieldType::Number, "abc").unwrap_err().field(), Some("F"));
        let dt = d(FieldType::Datetime, "2020-05-19T02:45:00-05:00").unwrap();
        assert_eq!(
            dt,
            CustomValue::DateTime(
                DateTime::parse_from_rfc3339("2020-05-19T02:45:00-05:00").unwrap()
            )
        );
        assert!(d(FieldType::Date, "yesterday").is_err());
        assert_eq!(
            d(FieldType::Date, "2024-11-01T13:05:00-06:00").unwrap(),
            CustomValue::Date(NaiveDate::from_ymd_opt(2024, 11, 1).unwrap())
        );
        let _ = FixedOffset::east_opt(0);
    }

    proptest::proptest! {
        #[test]
        fn decode_inverts_encode(values in proptest::collection::vec("[a-zA-Z0-9 ]{1,10}", 1..5), n in -1_000_000i64..1_000_000) {
            let many = CustomValue::Many(values.clone());
            let enc = crate::encode::encode_value(&FieldType::Listbox, "F", &many).unwrap();
            proptest::prop_assert_eq!(decode_value(&FieldType::Listbox, "F", &enc).unwrap(), many);
            let enc = crate::encode::encode_value(&FieldType::Number, "F", &CustomValue::Integer(n)).unwrap();
            proptest::prop_assert_eq!(decode_value(&FieldType::Number, "F", &enc).unwrap(), CustomValue::Integer(n));
        }
    }
}
