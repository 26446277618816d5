//! Custom contact fields, their options, list relations and values (reference §5).

use crate::page::BoxStream;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use serde_with::BoolFromInt;
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{FieldId, FieldOptionId, FieldRelId, ListId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::{require_text, wrap};

pub use crate::resources::field_values::{FieldValue, FieldValueInput, FieldValueQuery};

/// A custom field's type (`type`). Unknown types are kept in [`FieldType::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum FieldType {
    /// `text`: one line.
    Text,
    /// `textarea`: several lines.
    Textarea,
    /// `date`: `YYYY-MM-DD`.
    Date,
    /// `datetime`: ISO-8601 with an offset.
    Datetime,
    /// `dropdown`: one option.
    Dropdown,
    /// `listbox`: several options (AC's "multiselect"), encoded `||a||b||`.
    Listbox,
    /// `radio`: one option.
    Radio,
    /// `checkbox`: several options, encoded `||a||b||`.
    Checkbox,
    /// `hidden`: text not shown on forms.
    Hidden,
    /// `number`.
    Number,
    /// `NULL` or `""`: old fields without a type; treated as text.
    #[default]
    Null,
    /// Any other value AC sends (e.g. `multivalue`); treated as text.
    Other(String),
}

impl FieldType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Dropdown => "dropdown",
            FieldType::Listbox => "listbox",
            FieldType::Radio => "radio",
            FieldType::Checkbox => "checkbox",
            FieldType::Hidden => "hidden",
            FieldType::Number => "number",
            FieldType::Null => "NULL",
            FieldType::Other(s) => s,
        }
    }

    /// Parses a wire value (never fails: unknown values become [`FieldType::Other`]).
    pub fn parse(s: &str) -> FieldType {
        match s {
            "text" => FieldType::Text,
            "textarea" => FieldType::Textarea,
            "date" => FieldType::Date,
            "datetime" => FieldType::Datetime,
            "dropdown" => FieldType::Dropdown,
            "listbox" | "multiselect" => FieldType::Listbox,
            "radio" => FieldType::Radio,
            "checkbox" => FieldType::Checkbox,
            "hidden" => FieldType::Hidden,
            "number" => FieldType::Number,
            "" | "NULL" | "null" => FieldType::Null,
            other => FieldType::Other(other.to_owned()),
        }
    }

    /// True for types holding several values (`listbox`, `checkbox`).
    pub fn is_multi_value(&self) -> bool {
        matches!(self, FieldType::Listbox | FieldType::Checkbox)
    }
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(FieldType::parse(&crate::de::string_lenient(d)?))
    }
}

/// A custom contact field as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The field's id.
    pub id: FieldId,
    /// Title (what users see).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub title: String,
    /// Type.
    #[serde(rename = "type", default)]
    pub field_type: FieldType,
    /// Description.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    ///
    /// AC's `descript`.
    #[serde(rename = "descript")]
    pub description: Option<String>,
    /// Personalisation tag (`FAVOURITE_COLOUR`).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub perstag: String,
    /// Default value.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    ///
    /// AC's `defval`.
    #[serde(rename = "defval")]
    pub default_value: Option<String>,
    /// Required on forms.
    #[serde(default, deserialize_with = "crate::de::opt_bool")]
    ///
    /// AC's `isrequired`.
    #[serde(rename = "isrequired")]
    pub required: Option<bool>,
    /// Visible.
    #[serde(default, deserialize_with = "crate::de::opt_bool")]
    pub visible: Option<bool>,
    /// Display order.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    ///
    /// AC's `ordernum`.
    #[serde(rename = "ordernum")]
    pub order: Option<u64>,
    /// Ids of the field's options.
    #[serde(default)]
    pub options: Vec<FieldOptionId>,
    /// Ids of the field's list relations.
    #[serde(default)]
    pub relations: Vec<FieldRelId>,
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
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Field {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// An option of a dropdown / listbox / radio / checkbox field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldOption {
    /// The option's id.
    pub id: FieldOptionId,
    /// The field.
    #[serde(default)]
    pub field: FieldId,
    /// Order among the options.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    ///
    /// AC's `orderid`.
    #[serde(rename = "orderid")]
    pub order: Option<u64>,
    /// The stored value.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub value: String,
    /// The label shown.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub label: String,
    /// Selected by default.
    #[serde(default, deserialize_with = "crate::de::opt_bool")]
    ///
    /// AC's `isdefault`.
    #[serde(rename = "isdefault")]
    pub is_default: Option<bool>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A field ↔ list relation (`relid` 0 means all lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRel {
    /// The relation's id.
    pub id: FieldRelId,
    /// The field.
    #[serde(default)]
    pub field: FieldId,
    /// The list id, or 0 for all lists.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub relid: u64,
    /// Every other field AC sent (`links` is an array here).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FieldRel {
    /// What the relation targets.
    pub fn target(&self) -> RelTarget {
        match self.relid {
            0 => RelTarget::AllLists,
            id => RelTarget::List(ListId(id)),
        }
    }
}

/// What a field is related to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelTarget {
    /// Every list (`relid: 0`).
    AllLists,
    /// One list.
    List(ListId),
}

impl RelTarget {
    fn relid(self) -> u64 {
        match self {
            RelTarget::AllLists => 0,
            RelTarget::List(id) => id.get(),
        }
    }
}

impl From<ListId> for RelTarget {
    fn from(id: ListId) -> Self {
        if id.get() == 0 {
            RelTarget::AllLists
        } else {
            RelTarget::List(id)
        }
    }
}

/// A field with its options and list relations (what [`Fields::get`] returns).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldWithOptions {
    /// The field.
    pub field: Field,
    /// Its options (dropdown, listbox, radio, checkbox).
    pub options: Vec<FieldOption>,
    /// Its list relations.
    pub relations: Vec<FieldRel>,
}

/// The body of a field create or update: `FieldInput::new(title, type)` plus setters.
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldInput {
    /// Title (required).
    pub title: String,
    /// Type (required).
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    ///
    /// AC's `descript`.
    #[serde(rename = "descript")]
    pub description: Option<String>,
    /// Personalisation tag (AC derives one from the title when omitted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perstag: Option<String>,
    /// Default value.
    #[serde(skip_serializing_if = "Option::is_none")]
    ///
    /// AC's `defval`.
    #[serde(rename = "defval")]
    pub default_value: Option<String>,
    /// Visible (sent as 0/1).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde_as(as = "Option<BoolFromInt>")]
    pub visible: Option<bool>,
    /// Required on forms (sent as 0/1).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde_as(as = "Option<BoolFromInt>")]
    ///
    /// AC's `isrequired`.
    #[serde(rename = "isrequired")]
    pub required: Option<bool>,
    /// Display order.
    #[serde(skip_serializing_if = "Option::is_none")]
    ///
    /// AC's `ordernum`.
    #[serde(rename = "ordernum")]
    pub order: Option<u32>,
}

impl FieldInput {
    /// A field with a title and a type.
    pub fn new(title: impl Into<String>, field_type: FieldType) -> Self {
        FieldInput {
            title: title.into(),
            field_type,
            description: None,
            perstag: None,
            default_value: None,
            visible: None,
            required: None,
            order: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }

    /// Sets the personalisation tag.
    pub fn perstag(mut self, v: impl Into<String>) -> Self {
        self.perstag = Some(v.into());
        self
    }

    /// Sets the default value.
    pub fn default_value(mut self, v: impl Into<String>) -> Self {
        self.default_value = Some(v.into());
        self
    }

    /// Sets visibility.
    pub fn visible(mut self, v: bool) -> Self {
        self.visible = Some(v);
        self
    }

    /// Marks the field required on forms.
    pub fn required(mut self, v: bool) -> Self {
        self.required = Some(v);
        self
    }

    /// Sets the display order.
    pub fn order(mut self, v: u32) -> Self {
        self.order = Some(v);
        self
    }

    /// Checks the input as the client does before sending.
    pub fn validate(&self) -> Result<()> {
        require_text("title", &self.title)
    }
}

/// One option for [`Fields::create_options`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldOptionInput {
    /// The field the option belongs to.
    pub field: FieldId,
    /// The stored value.
    pub value: String,
    /// The label shown.
    pub label: String,
    /// Order among the options.
    #[serde(skip_serializing_if = "Option::is_none")]
    ///
    /// AC's `orderid`.
    #[serde(rename = "orderid")]
    pub order: Option<u32>,
    /// Selected by default.
    ///
    /// AC's `isdefault`.
    #[serde(rename = "isdefault")]
    pub is_default: bool,
}

impl FieldOptionInput {
    /// An option with a value and a label.
    pub fn new(
        field: impl Into<FieldId>,
        value: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        let field: FieldId = field.into();
        FieldOptionInput {
            field,
            value: value.into(),
            label: label.into(),
            order: None,
            is_default: false,
        }
    }

    /// Sets the order.
    pub fn order(mut self, v: u32) -> Self {
        self.order = Some(v);
        self
    }

    /// Marks the option selected by default.
    pub fn is_default(mut self, v: bool) -> Self {
        self.is_default = v;
        self
    }
}

/// Paging and filters for `GET /fields` (AC's default page size here is 100).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldQuery {
    perstag: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl FieldQuery {
    /// Every field, 100 per page.
    pub fn new() -> Self {
        Self::default()
    }

    /// By personalisation tag (`filters[perstag]=`).
    pub fn perstag(mut self, v: impl Into<String>) -> Self {
        self.perstag = Some(v.into());
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(p) = &self.perstag {
            q.push(("filters[perstag]".to_owned(), p.clone()));
        }
        push_paging(&mut q, Some(self.limit.unwrap_or(100)), self.offset);
        Ok(q)
    }
}

paged_query!(FieldQuery, "Page size, 1 to 100 (default 100).");

#[derive(Deserialize)]
struct FieldEnvelope {
    field: Field,
    #[serde(rename = "fieldOptions", default)]
    field_options: Vec<FieldOption>,
    #[serde(rename = "fieldRels", default)]
    field_rels: Vec<FieldRel>,
}

#[derive(Deserialize)]
struct FieldList {
    fields: Vec<Field>,
    /// The options of the page's fields, side-loaded by `GET /fields`.
    #[serde(rename = "fieldOptions", default)]
    field_options: Vec<FieldOption>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct FieldOptionList {
    #[serde(rename = "fieldOptions", default)]
    field_options: Vec<FieldOption>,
}

#[derive(Deserialize)]
struct FieldRelEnvelope {
    #[serde(rename = "fieldRel")]
    field_rel: FieldRel,
}

#[derive(Serialize)]
struct FieldRelInput {
    field: FieldId,
    relid: u64,
}

#[derive(Serialize)]
struct OptionsBody<'a> {
    #[serde(rename = "fieldOptions")]
    field_options: &'a [FieldOptionInput],
}

/// The custom fields handler: `client.fields()`.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'c> {
    client: &'c Client,
}

impl Client {
    /// Custom fields: definitions, options, list relations, and contacts' values.
    pub fn fields(&self) -> Fields<'_> {
        Fields { client: self }
    }
}

impl<'c> Fields<'c> {
    /// Creates a field (`POST /fields`; never retried after a 5xx). Relate it to lists with
    /// [`Fields::relate`] so it applies to their contacts.
    pub async fn create(&self, input: impl Borrow<FieldInput>) -> Result<Field> {
        let input: &FieldInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("fields", &wrap("field", input)?)?;
        Ok(self.client.send::<FieldEnvelope>(req).await?.field)
    }

    /// Reads a field with its options and relations (`GET /fields/{id}`).
    pub async fn get(&self, id: impl Into<FieldId>) -> Result<FieldWithOptions> {
        let id: FieldId = id.into();
        let req = ApiRequest::get(format!("fields/{id}"));
        let env: FieldEnvelope = self.client.send(req).await?;
        Ok(FieldWithOptions {
            field: env.field,
            options: env.field_options,
            relations: env.field_rels,
        })
    }

    /// One page of fields (`GET /fields`, 100 per page unless set).
    pub async fn list(&self, query: impl Borrow<FieldQuery>) -> Result<Page<Field>> {
        let query: &FieldQuery = query.borrow();
        list_page(self.client, query).await
    }

    /// Every field matching `query`, fetched lazily.
    pub fn stream(&self, query: impl Borrow<FieldQuery>) -> BoxStream<Field> {
        let query: FieldQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Replaces a field's attributes (`PUT /fields/{id}`).
    pub async fn update(
        &self,
        id: impl Into<FieldId>,
        input: impl Borrow<FieldInput>,
    ) -> Result<Field> {
        let id: FieldId = id.into();
        let input: &FieldInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::put(format!("fields/{id}"), &wrap("field", input)?)?;
        Ok(self.client.send::<FieldEnvelope>(req).await?.field)
    }

    /// Deletes a field (`DELETE /fields/{id}`).
    pub async fn delete(&self, id: impl Into<FieldId>) -> Result<()> {
        let id: FieldId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("fields/{id}")))
            .await
    }

    /// Creates options in bulk (`POST /fieldOption/bulk`, body `{"fieldOptions":[...]}`).
    /// An empty list is refused before sending.
    pub async fn create_options(
        &self,
        options: impl IntoIterator<Item = FieldOptionInput>,
    ) -> Result<Vec<FieldOption>> {
        let options: Vec<FieldOptionInput> = options.into_iter().collect();
        if options.is_empty() {
            return Err(Error::invalid("fieldOptions", "must not be empty"));
        }
        for o in &options {
            require_text("value", &o.value)?;
        }
        let body = OptionsBody {
            field_options: &options,
        };
        let req = ApiRequest::post("fieldOption/bulk", &body)?;
        Ok(self
            .client
            .send::<FieldOptionList>(req)
            .await?
            .field_options)
    }

    /// Relates a field to a list, or to all lists (`POST /fieldRels`; `relid` 0 = all).
    pub async fn relate(
        &self,
        field: impl Into<FieldId>,
        target: impl Into<RelTarget>,
    ) -> Result<FieldRel> {
        let field: FieldId = field.into();
        let body = wrap(
            "fieldRel",
            &FieldRelInput {
                field,
                relid: target.into().relid(),
            },
        )?;
        let req = ApiRequest::post("fieldRels", &body)?;
        Ok(self.client.send::<FieldRelEnvelope>(req).await?.field_rel)
    }

    /// Deletes a field ↔ list relation (`DELETE /fieldRels/{id}`).
    pub async fn delete_relation(&self, id: impl Into<FieldRelId>) -> Result<()> {
        let id: FieldRelId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("fieldRels/{id}")))
            .await
    }
}

async fn list_page(client: &Client, query: &FieldQuery) -> Result<Page<Field>> {
    Ok(list_page_with_options(client, query).await?.0)
}

/// One page of fields and the options `GET /fields` side-loads with them.
pub(crate) async fn list_page_with_options(
    client: &Client,
    query: &FieldQuery,
) -> Result<(Page<Field>, Vec<FieldOption>)> {
    let req = ApiRequest::get("fields").query(query.to_query()?);
    let list: FieldList = client.send(req).await?;
    let page = Page {
        items: list.fields,
        total: list.meta.total,
    };
    Ok((page, list.field_options))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_types_round_trip_and_keep_unknown() {
        for s in [
            "text", "textarea", "date", "datetime", "dropdown", "listbox", "radio", "checkbox",
            "hidden", "number",
        ] {
            assert_eq!(FieldType::parse(s).as_str(), s);
        }
        assert_eq!(FieldType::parse(""), FieldType::Null);
        assert_eq!(FieldType::parse("NULL"), FieldType::Null);
        assert_eq!(
            FieldType::parse("multivalue"),
            FieldType::Other("multivalue".into())
        );
        let f: Field = serde_json::from_value(json!({"id":"1","title":"T","type":null})).unwrap();
        assert_eq!(f.field_type, FieldType::Null);
    }

    #[test]
    fn field_model_reads_live_shape() {
        let f: Field = serde_json::from_value(json!({"title":"Preferred Language","descript":null,
            "type":"dropdown","isrequired":"0","perstag":"PREFERRED_LANGUAGE","defval":null,
            "show_in_list":"0","visible":"1","service":"AI","ordernum":"1","cdate":"2026-05-28T04:06:39-05:00",
            "options":["1","2"],"relations":["1"],"links":{},"id":"1"}))
        .unwrap();
        assert_eq!(f.field_type, FieldType::Dropdown);
        assert_eq!(f.visible, Some(true));
        assert_eq!(f.required, Some(false));
        assert_eq!(f.options, vec![FieldOptionId(1), FieldOptionId(2)]);
        assert_eq!(f.order, Some(1));
    }

    #[test]
    fn inputs_serialize() {
        let i = FieldInput::new("Favourite Colour", FieldType::Dropdown)
            .perstag("FAV")
            .visible(true)
            .order(1);
        assert_eq!(
            wrap("field", &i).unwrap(),
            json!({"field":{"title":"Favourite Colour","type":"dropdown","perstag":"FAV","visible":1,"ordernum":1}})
        );
        let o = FieldOptionInput::new(FieldId(62), "X", "Option X").order(1);
        assert_eq!(
            serde_json::to_value(OptionsBody {
                field_options: &[o]
            })
            .unwrap(),
            json!({"fieldOptions":[{"field":"62","value":"X","label":"Option X","orderid":1,"isdefault":false}]})
        );
        assert_eq!(
            FieldQuery::new().perstag("FAV").to_query().unwrap(),
            vec![
                ("filters[perstag]".to_owned(), "FAV".to_owned()),
                ("limit".to_owned(), "100".to_owned())
            ]
        );
        assert_eq!(
            FieldInput::new(" ", FieldType::Text)
                .validate()
                .unwrap_err()
                .field(),
            Some("title")
        );
    }
}
