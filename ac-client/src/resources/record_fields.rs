//! Custom fields of deals and accounts: definitions (`/dealCustomFieldMeta`,
//! `/accountCustomFieldMeta`) and values (`/dealCustomFieldData`, `/accountCustomFieldData`).
//!
//! One handler serves both kinds: [`Client::deal_fields`] and [`Client::account_fields`]
//! differ only in AC's paths and keys. Values are encoded per field type as contact fields are
//! ([`crate::encode::encode_value`]): several options as `||a||b||`, dates as `YYYY-MM-DD`, and
//! currency amounts in cents.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::encode::{encode_value, CustomValue};
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{RecordFieldId, RecordFieldValueId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::accounts::opt_id;
use crate::resources::fields::FieldType;
use crate::resources::{require_text, wrap};

/// The type of a deal or account custom field; anything else is kept in [`Other`](Self::Other).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordFieldType {
    /// `text`.
    Text,
    /// `textarea`.
    Textarea,
    /// `date`: `YYYY-MM-DD`.
    Date,
    /// `datetime`: ISO-8601.
    Datetime,
    /// `dropdown`: one option.
    Dropdown,
    /// `multiselect`: several options, `||a||b||`.
    Multiselect,
    /// `radio`: one option.
    Radio,
    /// `checkbox`: several options, `||a||b||`.
    Checkbox,
    /// `hidden`.
    Hidden,
    /// `currency`: an amount in cents, with `fieldCurrency`.
    Currency,
    /// `number`.
    Number,
    /// Any other value AC sends.
    Other(String),
}

impl RecordFieldType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Text => "text",
            Self::Textarea => "textarea",
            Self::Date => "date",
            Self::Datetime => "datetime",
            Self::Dropdown => "dropdown",
            Self::Multiselect => "multiselect",
            Self::Radio => "radio",
            Self::Checkbox => "checkbox",
            Self::Hidden => "hidden",
            Self::Currency => "currency",
            Self::Number => "number",
            Self::Other(s) => s,
        }
    }

    /// Reads a wire value (any case).
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Self::Text,
            "textarea" => Self::Textarea,
            "date" => Self::Date,
            "datetime" => Self::Datetime,
            "dropdown" => Self::Dropdown,
            "multiselect" => Self::Multiselect,
            "radio" => Self::Radio,
            "checkbox" => Self::Checkbox,
            "hidden" => Self::Hidden,
            "currency" => Self::Currency,
            "number" => Self::Number,
            _ => Self::Other(s.to_owned()),
        }
    }

    /// The contact field type whose encoding this type shares.
    fn encoding(&self) -> FieldType {
        match self {
            Self::Date => FieldType::Date,
            Self::Datetime => FieldType::Datetime,
            Self::Dropdown => FieldType::Dropdown,
            Self::Multiselect => FieldType::Listbox,
            Self::Radio => FieldType::Radio,
            Self::Checkbox => FieldType::Checkbox,
            Self::Number | Self::Currency => FieldType::Number,
            _ => FieldType::Text,
        }
    }
}

impl Serialize for RecordFieldType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RecordFieldType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(Self::parse(&crate::de::string_lenient(d)?))
    }
}

fn options_lenient<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A deal or account custom field definition (`…CustomFieldMetum`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordField {
    /// The field's id.
    pub id: RecordFieldId,
    /// Label (`fieldLabel`).
    #[serde(
        rename = "fieldLabel",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub label: String,
    /// Type (`fieldType`).
    #[serde(rename = "fieldType")]
    pub field_type: RecordFieldType,
    /// Options of dropdown, radio, multiselect and checkbox fields (`fieldOptions`).
    #[serde(rename = "fieldOptions", default, deserialize_with = "options_lenient")]
    pub options: Vec<String>,
    /// Default value (`fieldDefault`).
    #[serde(
        rename = "fieldDefault",
        default,
        deserialize_with = "crate::de::opt_string"
    )]
    pub default: Option<String>,
    /// `isRequired`.
    #[serde(
        rename = "isRequired",
        default,
        deserialize_with = "crate::de::opt_bool"
    )]
    pub is_required: Option<bool>,
    /// `isFormVisible`.
    #[serde(
        rename = "isFormVisible",
        default,
        deserialize_with = "crate::de::opt_bool"
    )]
    pub is_form_visible: Option<bool>,
    /// `displayOrder`.
    #[serde(
        rename = "displayOrder",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub display_order: Option<u64>,
    /// Every other field AC sent (`personalization`, timestamps, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for RecordField {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// One deal's or account's value of a field (`…CustomFieldDatum`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordFieldValue {
    /// The value's id.
    pub id: RecordFieldValueId,
    /// The deal (`dealId`) or account (`customerAccountId`).
    #[serde(
        alias = "dealId",
        alias = "customerAccountId",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub record: Option<u64>,
    /// The field (`customFieldId`).
    #[serde(rename = "customFieldId", default, deserialize_with = "opt_id")]
    pub field: Option<RecordFieldId>,
    /// The value as AC stores it (`fieldValue`).
    #[serde(
        rename = "fieldValue",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub value: String,
    /// A currency field's currency (`fieldCurrency`).
    #[serde(
        rename = "fieldCurrency",
        default,
        deserialize_with = "crate::de::opt_string"
    )]
    pub currency: Option<String>,
    /// Creation time.
    #[serde(
        rename = "createdTimestamp",
        default,
        deserialize_with = "crate::de::opt_datetime"
    )]
    pub created: Option<DateTime<FixedOffset>>,
    /// Last change.
    #[serde(
        rename = "updatedTimestamp",
        default,
        deserialize_with = "crate::de::opt_datetime"
    )]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for RecordFieldValue {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of a field create ([`RecordFieldInput::new`]) or update
/// ([`RecordFieldInput::update`]: only what is set changes).
///
/// ```
/// use ac_client::record_fields::{RecordFieldInput, RecordFieldType};
///
/// let input = RecordFieldInput::new("Colour", RecordFieldType::Dropdown).options(["Red", "Blue"]);
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"fieldLabel":"Colour","fieldType":"dropdown","fieldOptions":["Red","Blue"]})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordFieldInput {
    #[serde(rename = "fieldLabel", skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(rename = "fieldType", skip_serializing_if = "Option::is_none")]
    field_type: Option<RecordFieldType>,
    #[serde(rename = "fieldOptions", skip_serializing_if = "Option::is_none")]
    options: Option<Vec<String>>,
    #[serde(rename = "fieldDefault", skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(rename = "isRequired", skip_serializing_if = "Option::is_none")]
    is_required: Option<u8>,
    #[serde(rename = "isFormVisible", skip_serializing_if = "Option::is_none")]
    is_form_visible: Option<u8>,
    #[serde(rename = "displayOrder", skip_serializing_if = "Option::is_none")]
    display_order: Option<u64>,
}

impl RecordFieldInput {
    /// A field labelled `label` of type `field_type`.
    pub fn new(label: impl Into<String>, field_type: RecordFieldType) -> Self {
        let mut input = Self::update().label(label);
        input.field_type = Some(field_type);
        input
    }

    /// An update that changes nothing yet.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the options (dropdown, radio, multiselect, checkbox).
    pub fn options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Self {
        self.options = Some(options.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the default value.
    pub fn default_value(mut self, v: impl Into<String>) -> Self {
        self.default = Some(v.into());
        self
    }

    /// Required or not.
    pub fn required(mut self, yes: bool) -> Self {
        self.is_required = Some(u8::from(yes));
        self
    }

    /// Shown on forms or not.
    pub fn form_visible(mut self, yes: bool) -> Self {
        self.is_form_visible = Some(u8::from(yes));
        self
    }

    /// Sets the position.
    pub fn display_order(mut self, n: u64) -> Self {
        self.display_order = Some(n);
        self
    }
}

/// A value to write, already encoded for its field's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordValueInput {
    #[serde(skip)]
    record: u64,
    #[serde(rename = "customFieldId")]
    field: RecordFieldId,
    #[serde(rename = "fieldValue")]
    value: String,
    #[serde(rename = "fieldCurrency", skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
}

impl RecordValueInput {
    /// `value` for `field` of deal or account `record`, encoded per the field's type (a list
    /// for multiselect/checkbox becomes `||a||b||`, a date `YYYY-MM-DD`); a currency amount must
    /// be whole cents. Options are checked against the field's options.
    pub fn encode(
        record: impl Into<u64>,
        field: &RecordField,
        value: impl Into<CustomValue>,
    ) -> Result<Self> {
        let name = field.label.as_str();
        let value = value.into();
        let encoded = encode_value(&field.field_type.encoding(), name, &value)?;
        if field.field_type == RecordFieldType::Currency && encoded.parse::<i64>().is_err() {
            return Err(Error::invalid(
                name,
                format!("`{encoded}` is not a whole number of cents"),
            ));
        }
        if !field.options.is_empty() && !encoded.is_empty() {
            let chosen: Vec<&str> = match field.field_type {
                RecordFieldType::Multiselect | RecordFieldType::Checkbox => {
                    encoded.split("||").filter(|s| !s.is_empty()).collect()
                }
                RecordFieldType::Dropdown | RecordFieldType::Radio => vec![encoded.as_str()],
                _ => Vec::new(),
            };
            if let Some(bad) = chosen
                .iter()
                .find(|c| !field.options.iter().any(|o| o == *c))
            {
                return Err(Error::invalid(name, format!("`{bad}` is not an option")));
            }
        }
        Ok(Self {
            record: record.into(),
            field: field.id,
            value: encoded,
            currency: None,
        })
    }

    /// Sets the currency of a currency field (3 letters).
    pub fn currency(mut self, code: impl Into<String>) -> Result<Self> {
        let code = code.into();
        let c = code.trim();
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(Error::invalid(
                "fieldCurrency",
                format!("`{code}` is not a 3-letter currency code"),
            ));
        }
        self.currency = Some(c.to_ascii_uppercase());
        Ok(self)
    }

    /// The encoded value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Paging for `GET /…CustomFieldData`, optionally of one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordValueQuery {
    field: Option<RecordFieldId>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl RecordValueQuery {
    /// Every value.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only values of one field (`filters[customFieldId]`).
    pub fn field(mut self, id: impl Into<RecordFieldId>) -> Self {
        self.field = Some(id.into());
        self
    }

    /// The query string pairs, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(f) = self.field {
            q.push(("filters[customFieldId]".to_owned(), f.to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(RecordValueQuery);

/// AC's names for one kind of record.
#[derive(Debug)]
struct Names {
    meta: &'static str,
    metum: &'static str,
    data: &'static str,
    datum: &'static str,
    owner_key: &'static str,
    owner_path: &'static str,
}

static DEAL: Names = Names {
    meta: "dealCustomFieldMeta",
    metum: "dealCustomFieldMetum",
    data: "dealCustomFieldData",
    datum: "dealCustomFieldDatum",
    owner_key: "dealId",
    owner_path: "deals",
};

static ACCOUNT: Names = Names {
    meta: "accountCustomFieldMeta",
    metum: "accountCustomFieldMetum",
    data: "accountCustomFieldData",
    datum: "accountCustomFieldDatum",
    owner_key: "customerAccountId",
    owner_path: "accounts",
};

/// The custom fields of deals (`client.deal_fields()`) or accounts (`client.account_fields()`).
#[derive(Debug, Clone, Copy)]
pub struct RecordFields<'c> {
    client: &'c Client,
    names: &'static Names,
}

impl Client {
    /// Deal custom fields and their values.
    pub fn deal_fields(&self) -> RecordFields<'_> {
        RecordFields {
            client: self,
            names: &DEAL,
        }
    }

    /// Account custom fields and their values.
    pub fn account_fields(&self) -> RecordFields<'_> {
        RecordFields {
            client: self,
            names: &ACCOUNT,
        }
    }
}

#[derive(Deserialize)]
struct FieldEnvelope {
    #[serde(alias = "dealCustomFieldMetum", alias = "accountCustomFieldMetum")]
    field: RecordField,
}

#[derive(Deserialize)]
struct FieldList {
    #[serde(
        default,
        alias = "dealCustomFieldMeta",
        alias = "accountCustomFieldMeta"
    )]
    fields: Vec<RecordField>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct ValueEnvelope {
    #[serde(alias = "dealCustomFieldDatum", alias = "accountCustomFieldDatum")]
    value: RecordFieldValue,
}

#[derive(Deserialize)]
struct ValueList {
    #[serde(
        default,
        alias = "dealCustomFieldData",
        alias = "accountCustomFieldData"
    )]
    values: Vec<RecordFieldValue>,
    #[serde(default)]
    meta: Meta,
}

impl From<ValueList> for Page<RecordFieldValue> {
    fn from(list: ValueList) -> Self {
        Page {
            items: list.values,
            total: list.meta.total,
        }
    }
}

impl RecordFields<'_> {
    /// One page of field definitions (`GET /…CustomFieldMeta`, up to 100).
    pub async fn list(&self) -> Result<Page<RecordField>> {
        let req = ApiRequest::get(self.names.meta).query(vec![("limit".into(), "100".into())]);
        let list: FieldList = self.client.send(req).await?;
        Ok(Page {
            items: list.fields,
            total: list.meta.total,
        })
    }

    /// Reads a field (`GET /…CustomFieldMeta/{id}`).
    pub async fn get(&self, id: impl Into<RecordFieldId>) -> Result<RecordField> {
        let req = ApiRequest::get(format!("{}/{}", self.names.meta, id.into()));
        Ok(self.client.send::<FieldEnvelope>(req).await?.field)
    }

    /// Creates a field (`POST /…CustomFieldMeta`, 201); the label must not be empty.
    pub async fn create(&self, input: impl Borrow<RecordFieldInput>) -> Result<RecordField> {
        let input = input.borrow();
        require_text("fieldLabel", input.label.as_deref().unwrap_or(""))?;
        let req = ApiRequest::post(self.names.meta, &wrap(self.names.metum, input)?)?;
        Ok(self.client.send::<FieldEnvelope>(req).await?.field)
    }

    /// Changes what `input` sets (`PUT /…CustomFieldMeta/{id}`).
    pub async fn update(
        &self,
        id: impl Into<RecordFieldId>,
        input: impl Borrow<RecordFieldInput>,
    ) -> Result<RecordField> {
        let body = wrap(self.names.metum, input.borrow())?;
        let req = ApiRequest::put(format!("{}/{}", self.names.meta, id.into()), &body)?;
        Ok(self.client.send::<FieldEnvelope>(req).await?.field)
    }

    /// Deletes a field and its values (`DELETE /…CustomFieldMeta/{id}`).
    pub async fn delete(&self, id: impl Into<RecordFieldId>) -> Result<()> {
        let req = ApiRequest::delete(format!("{}/{}", self.names.meta, id.into()));
        self.client.send_empty(req).await
    }

    /// Writes a value (`POST /…CustomFieldData`, 201). Never retried after a 5xx.
    pub async fn create_value(
        &self,
        input: impl Borrow<RecordValueInput>,
    ) -> Result<RecordFieldValue> {
        let input = input.borrow();
        let mut body = serde_json::to_value(input)
            .map_err(|e| Error::invalid(self.names.datum, format!("could not serialize: {e}")))?;
        body[self.names.owner_key] = Value::String(input.record.to_string());
        let req = ApiRequest::post(self.names.data, &wrap(self.names.datum, &body)?)?;
        Ok(self.client.send::<ValueEnvelope>(req).await?.value)
    }

    /// Reads a value (`GET /…CustomFieldData/{id}`).
    pub async fn get_value(&self, id: impl Into<RecordFieldValueId>) -> Result<RecordFieldValue> {
        let req = ApiRequest::get(format!("{}/{}", self.names.data, id.into()));
        Ok(self.client.send::<ValueEnvelope>(req).await?.value)
    }

    /// Replaces a value (`PUT /…CustomFieldData/{id}`): `fieldValue` and `fieldCurrency`.
    pub async fn update_value(
        &self,
        id: impl Into<RecordFieldValueId>,
        input: impl Borrow<RecordValueInput>,
    ) -> Result<RecordFieldValue> {
        let input = input.borrow();
        let mut body = serde_json::json!({"fieldValue": input.value});
        if let Some(c) = &input.currency {
            body["fieldCurrency"] = Value::String(c.clone());
        }
        let req = ApiRequest::put(
            format!("{}/{}", self.names.data, id.into()),
            &wrap(self.names.datum, &body)?,
        )?;
        Ok(self.client.send::<ValueEnvelope>(req).await?.value)
    }

    /// Deletes a value (`DELETE /…CustomFieldData/{id}`).
    pub async fn delete_value(&self, id: impl Into<RecordFieldValueId>) -> Result<()> {
        let req = ApiRequest::delete(format!("{}/{}", self.names.data, id.into()));
        self.client.send_empty(req).await
    }

    /// The values of one deal or account (`GET /deals/{id}/dealCustomFieldData`,
    /// `/accounts/{id}/accountCustomFieldData`), up to 100.
    pub async fn values_of(&self, record: impl Into<u64>) -> Result<Page<RecordFieldValue>> {
        let path = format!(
            "{}/{}/{}",
            self.names.owner_path,
            record.into(),
            self.names.data
        );
        let req = ApiRequest::get(path).query(vec![("limit".into(), "100".into())]);
        Ok(self.client.send::<ValueList>(req).await?.into())
    }

    /// One page of values (`GET /…CustomFieldData`).
    pub async fn list_values(
        &self,
        query: impl Borrow<RecordValueQuery>,
    ) -> Result<Page<RecordFieldValue>> {
        value_page(self.client, self.names, query.borrow()).await
    }

    /// Every value matching `query`, fetched lazily.
    pub fn stream_values(
        &self,
        query: RecordValueQuery,
    ) -> impl Stream<Item = Result<RecordFieldValue>> + Send + 'static {
        let names = self.names;
        query_stream(self.client, query, move |client, q| async move {
            value_page(&client, names, &q).await
        })
    }
}

async fn value_page(
    client: &Client,
    names: &'static Names,
    query: &RecordValueQuery,
) -> Result<Page<RecordFieldValue>> {
    let req = ApiRequest::get(names.data).query(query.to_query()?);
    Ok(client.send::<ValueList>(req).await?.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(t: &str, options: Value) -> RecordField {
        serde_json::from_value(json!({"id": "1", "fieldLabel": "F", "fieldType": t,
            "fieldOptions": options, "isRequired": 0, "displayOrder": 1}))
        .unwrap()
    }

    #[test]
    fn values_encode_per_type() {
        let multi = field("multiselect", json!(["a", "b", "c"]));
        let v = RecordValueInput::encode(1u64, &multi, vec!["a", "c"]).unwrap();
        assert_eq!(v.value(), "||a||c||");
        assert!(RecordValueInput::encode(1u64, &multi, vec!["z"]).is_err());
        let date = field("date", Value::Null);
        assert!(date.options.is_empty());
        let d = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert_eq!(
            RecordValueInput::encode(1u64, &date, d).unwrap().value(),
            "2026-05-01"
        );
        let money = field("currency", Value::Null);
        let v = RecordValueInput::encode(1u64, &money, 1500i64)
            .unwrap()
            .currency("eur")
            .unwrap();
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!({"customFieldId": "1", "fieldValue": "1500", "fieldCurrency": "EUR"})
        );
        assert!(RecordValueInput::encode(1u64, &money, 12.5).is_err());
        assert_eq!(
            field("colour", Value::Null).field_type,
            RecordFieldType::Other("colour".into())
        );
    }

    #[test]
    fn reads_a_value_of_either_kind() {
        let deal: RecordFieldValue = serde_json::from_value(json!({"id": "3", "dealId": "2",
            "customFieldId": 1, "fieldValue": "Blue"}))
        .unwrap();
        let account: RecordFieldValue = serde_json::from_value(json!({"id": "4",
            "customerAccountId": "5", "customFieldId": "1", "fieldValue": "x"}))
        .unwrap();
        assert_eq!((deal.record, deal.field), (Some(2), Some(RecordFieldId(1))));
        assert_eq!(account.record, Some(5));
    }
}
