//! Tags and contact ↔ tag associations (reference §3).

use crate::page::BoxStream;
use chrono::{DateTime, FixedOffset};
use futures_util::TryStreamExt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{ContactId, ContactTagId, TagId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging, FilterOp};
use crate::resources::{require_text, wrap};

/// A tag's kind (`tagType`). Unknown kinds are kept in [`TagType::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum TagType {
    /// `contact`: tags put on contacts (the default).
    #[default]
    Contact,
    /// `template`: tags put on email templates.
    Template,
    /// Any other value AC sends.
    Other(String),
}

impl TagType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            TagType::Contact => "contact",
            TagType::Template => "template",
            TagType::Other(s) => s,
        }
    }
}

impl Serialize for TagType {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TagType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = crate::de::string_lenient(d)?;
        Ok(match s.as_str() {
            "contact" => TagType::Contact,
            "template" => TagType::Template,
            _ => TagType::Other(s),
        })
    }
}

/// A tag as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// The tag's id.
    pub id: TagId,
    /// The tag's name (AC's `tag` attribute).
    #[serde(
        rename = "tag",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub name: String,
    /// `contact` or `template`.
    #[serde(rename = "tagType", default)]
    pub tag_type: TagType,
    /// Free-text description.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub description: String,
    /// How many contacts carry the tag (listed tags only).
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub subscriber_count: Option<u64>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `cdate`.
    #[serde(rename = "cdate")]
    pub created: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Tag {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of a tag create or update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagInput {
    /// The tag's name (required, not blank).
    #[serde(rename = "tag")]
    pub name: String,
    /// The kind (default `contact`).
    #[serde(rename = "tagType")]
    pub tag_type: TagType,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl TagInput {
    /// A contact tag with this name.
    pub fn new(name: impl Into<String>) -> Self {
        TagInput {
            name: name.into(),
            tag_type: TagType::Contact,
            description: None,
        }
    }

    /// Sets the kind.
    pub fn tag_type(mut self, t: TagType) -> Self {
        self.tag_type = t;
        self
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Checks the input as the client does before sending.
    pub fn validate(&self) -> Result<()> {
        require_text("tag", &self.name)
    }
}

/// Sort order for tag search results (`orders[search]=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagOrder {
    /// `weight`: exact matches first, then prefix matches, then the rest.
    Weight,
    /// `asc`: by name, ascending.
    Asc,
    /// `desc`: by name, descending.
    Desc,
}

impl TagOrder {
    fn as_str(self) -> &'static str {
        match self {
            TagOrder::Weight => "weight",
            TagOrder::Asc => "asc",
            TagOrder::Desc => "desc",
        }
    }
}

/// Search, filter, order and paging for `GET /tags`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagQuery {
    search: Option<String>,
    filters: Vec<(FilterOp, String)>,
    order: Option<TagOrder>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl TagQuery {
    /// Every tag.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names containing `text` (`search=`).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Names compared with an operator (`filters[search][<op>]=`).
    pub fn filter(mut self, op: FilterOp, value: impl Into<String>) -> Self {
        self.filters.push((op, value.into()));
        self
    }

    /// Result order (`orders[search]=`).
    pub fn order(mut self, order: TagOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(s) = &self.search {
            q.push(("search".to_owned(), s.clone()));
        }
        for (op, v) in &self.filters {
            q.push((format!("filters[search][{}]", op.as_str()), v.clone()));
        }
        if let Some(o) = self.order {
            q.push(("orders[search]".to_owned(), o.as_str().to_owned()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(TagQuery);

/// A contact ↔ tag association (`contactTag`). Its id is what
/// [`Tags::remove_association`] takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactTag {
    /// The association's id (not the tag's).
    pub id: ContactTagId,
    /// The contact.
    pub contact: ContactId,
    /// The tag.
    pub tag: TagId,
    /// When the tag was added.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `cdate`.
    #[serde(rename = "cdate")]
    pub created: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct TagEnvelope {
    tag: Tag,
}

#[derive(Deserialize)]
struct TagList {
    tags: Vec<Tag>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct ContactTagEnvelope {
    #[serde(rename = "contactTag")]
    contact_tag: ContactTag,
}

#[derive(Deserialize)]
struct ContactTagList {
    #[serde(rename = "contactTags", default)]
    contact_tags: Vec<ContactTag>,
}

#[derive(Serialize)]
struct ContactTagInput {
    contact: ContactId,
    tag: TagId,
}

/// The tags handler: `client.tags()`.
#[derive(Debug, Clone, Copy)]
pub struct Tags<'c> {
    client: &'c Client,
}

impl Client {
    /// Tags: CRUD, search, and adding/removing tags on contacts.
    pub fn tags(&self) -> Tags<'_> {
        Tags { client: self }
    }
}

impl<'c> Tags<'c> {
    /// One page of tags (`GET /tags`).
    pub async fn list(&self, query: impl Borrow<TagQuery>) -> Result<Page<Tag>> {
        let query: &TagQuery = query.borrow();
        list_page(self.client, query).await
    }

    /// Every tag matching `query`, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<TagQuery>) -> BoxStream<Tag> {
        let query: TagQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Creates a tag (`POST /tags`; never retried after a 5xx). To avoid duplicates, prefer
    /// [`Tags::find_or_create`].
    pub async fn create(&self, input: impl Borrow<TagInput>) -> Result<Tag> {
        let input: &TagInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("tags", &wrap("tag", input)?)?;
        Ok(self.client.send::<TagEnvelope>(req).await?.tag)
    }

    /// Reads a tag (`GET /tags/{id}`).
    pub async fn get(&self, id: impl Into<TagId>) -> Result<Tag> {
        let id: TagId = id.into();
        let req = ApiRequest::get(format!("tags/{id}"));
        Ok(self.client.send::<TagEnvelope>(req).await?.tag)
    }

    /// Replaces a tag's name, kind and description (`PUT /tags/{id}`).
    pub async fn update(&self, id: impl Into<TagId>, input: impl Borrow<TagInput>) -> Result<Tag> {
        let id: TagId = id.into();
        let input: &TagInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::put(format!("tags/{id}"), &wrap("tag", input)?)?;
        Ok(self.client.send::<TagEnvelope>(req).await?.tag)
    }

    /// Deletes a tag (`DELETE /tags/{id}`).
    pub async fn delete(&self, id: impl Into<TagId>) -> Result<()> {
        let id: TagId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("tags/{id}")))
            .await
    }

    /// Puts a tag on a contact (`POST /contactTags`; AC answers 200 or 201, and adding a tag
    /// twice is harmless, so this is retried like an upsert).
    pub async fn add_to_contact(
        &self,
        contact: impl Into<ContactId>,
        tag: impl Into<TagId>,
    ) -> Result<ContactTag> {
        let contact: ContactId = contact.into();
        let tag: TagId = tag.into();
        let body = wrap("contactTag", &ContactTagInput { contact, tag })?;
        let req = ApiRequest::post_upsert("contactTags", &body)?;
        Ok(self
            .client
            .send::<ContactTagEnvelope>(req)
            .await?
            .contact_tag)
    }

    /// Deletes a contact ↔ tag association by *its* id (`DELETE /contactTags/{id}`).
    /// To remove a tag knowing only the contact and tag ids, use [`Tags::remove_from_contact`].
    pub async fn remove_association(&self, id: impl Into<ContactTagId>) -> Result<()> {
        let id: ContactTagId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("contactTags/{id}")))
            .await
    }

    /// The tags on a contact, as associations (`GET /contacts/{id}/contactTags`).
    pub async fn contact_tags(&self, contact: impl Into<ContactId>) -> Result<Vec<ContactTag>> {
        let contact: ContactId = contact.into();
        let req = ApiRequest::get(format!("contacts/{contact}/contactTags"));
        Ok(self.client.send::<ContactTagList>(req).await?.contact_tags)
    }

    /// Finds the tag whose name is exactly `name` (case-sensitive), searching page by page;
    /// creates a contact tag with that name when there is none. A blank name is refused
    /// before any request.
    pub async fn find_or_create(&self, name: &str) -> Result<Tag> {
        require_text("tag", name)?;
        if let Some(tag) = self.find_by_name(name).await? {
            return Ok(tag);
        }
        match self.create(&TagInput::new(name)).await {
            Ok(tag) => Ok(tag),
            // Someone created it meanwhile: read it back.
            Err(e) if e.is_duplicate() => self.find_by_name(name).await?.ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// The tag whose name is exactly `name`, if any (pages through `search=` results).
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Tag>> {
        require_text("tag", name)?;
        let query = TagQuery::new()
            .search(name)
            .order(TagOrder::Weight)
            .limit(100);
        let mut stream = self.stream(query);
        while let Some(tag) = stream.try_next().await? {
            if tag.name == name {
                return Ok(Some(tag));
            }
        }
        Ok(None)
    }

    /// Removes a tag from a contact: looks up the association and deletes it. Returns
    /// `false` when the contact did not have the tag.
    pub async fn remove_from_contact(
        &self,
        contact: impl Into<ContactId>,
        tag: impl Into<TagId>,
    ) -> Result<bool> {
        let contact: ContactId = contact.into();
        let tag: TagId = tag.into();
        let associations = self.contact_tags(contact).await?;
        let Some(assoc) = associations.into_iter().find(|a| a.tag == tag) else {
            return Ok(false);
        };
        match self.remove_association(assoc.id).await {
            Ok(()) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }
}

pub(crate) async fn list_page(client: &Client, query: &TagQuery) -> Result<Page<Tag>> {
    let req = ApiRequest::get("tags").query(query.to_query()?);
    let list: TagList = client.send(req).await?;
    Ok(Page {
        items: list.tags,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_serializes() {
        let q = TagQuery::new()
            .search("vip")
            .filter(FilterOp::StartsWith, "v")
            .order(TagOrder::Weight)
            .limit(100)
            .offset(200);
        let q = q.to_query().unwrap();
        let s: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            s,
            [
                "search=vip",
                "filters[search][starts_with]=v",
                "orders[search]=weight",
                "limit=100",
                "offset=200"
            ]
        );
        for (op, s) in [
            (FilterOp::Eq, "eq"),
            (FilterOp::Neq, "neq"),
            (FilterOp::Lt, "lt"),
            (FilterOp::Lte, "lte"),
            (FilterOp::Gt, "gt"),
            (FilterOp::Gte, "gte"),
            (FilterOp::Contains, "contains"),
        ] {
            let q = TagQuery::new().filter(op, "x").to_query().unwrap();
            assert_eq!(q[0].0, format!("filters[search][{s}]"));
        }
        assert_eq!(
            TagQuery::new().order(TagOrder::Desc).to_query().unwrap()[0].1,
            "desc"
        );
    }

    #[test]
    fn input_serializes() {
        let i = TagInput::new("My Tag").description("Description");
        assert_eq!(
            wrap("tag", &i).unwrap(),
            json!({"tag":{"tag":"My Tag","tagType":"contact","description":"Description"}})
        );
        assert_eq!(
            TagInput::new("  ").validate().unwrap_err().field(),
            Some("tag")
        );
    }

    #[test]
    fn tag_model_keeps_unknown_type() {
        let t: Tag = serde_json::from_value(json!({
            "tagType":"newkind","tag":"nango-test-1","description":"d","subscriber_count":"1",
            "cdate":"2026-05-28T03:43:37-05:00","deleted":"0","links":{},"id":"1"}))
        .unwrap();
        assert_eq!(t.tag_type, TagType::Other("newkind".into()));
        assert_eq!(t.subscriber_count, Some(1));
        assert_eq!(t.extra["deleted"], json!("0"));
    }
}
