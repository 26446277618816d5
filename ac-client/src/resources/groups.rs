//! Permission groups (`/groups`) and list ↔ group permissions (`/listGroups`).
//!
//! A user belongs to one group; a group's `pg*` flags say what its users may do, and a
//! listGroup lets a group's users use a list (admin groups see every list).

use std::borrow::Borrow;
use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{GroupId, ListGroupId, ListId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::{require_text, wrap};

/// A permission group as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group's id.
    pub id: GroupId,
    /// Title.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub title: String,
    /// Description (`descript`).
    #[serde(
        rename = "descript",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub description: String,
    /// When the group was created (`sdate`), when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub sdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent: the `pg*` permission flags (`"0"`/`"1"`), `p_admin`,
    /// `links`... Read a flag with [`Group::permission`].
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Group {
    /// A permission flag such as `pgListAdd` or `pg_user_add`: `None` when AC did not send
    /// it.
    pub fn permission(&self, name: &str) -> Option<bool> {
        match self.extra.get(name)? {
            Value::String(s) => Some(s == "1"),
            Value::Number(n) => Some(n.as_u64() != Some(0)),
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl Identified for Group {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of a group create or update: [`GroupInput::new`] for a create (a title is
/// required), [`GroupInput::update`] for an update that sends only what is set.
///
/// ```
/// use ac_client::groups::GroupInput;
///
/// let input = GroupInput::new("Sales")
///     .description("Sales team")
///     .permission("pgListAdd", true)
///     .permission("pgDeal", true);
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"title":"Sales","descript":"Sales team","pgDeal":true,"pgListAdd":true})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupInput {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description (`descript`).
    #[serde(rename = "descript", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether unsubscribe links are forced (`unsubscribelink`).
    #[serde(rename = "unsubscribelink", skip_serializing_if = "Option::is_none")]
    pub force_unsubscribe_link: Option<bool>,
    /// Whether opt-in confirmation is forced (`optinconfirm`).
    #[serde(rename = "optinconfirm", skip_serializing_if = "Option::is_none")]
    pub force_optin_confirm: Option<bool>,
    /// `pg*` permission flags by AC's name (`pgListAdd`, `pg_user_add`, ...).
    #[serde(flatten)]
    pub permissions: BTreeMap<String, bool>,
}

impl GroupInput {
    /// A new group with this title (every permission off until set).
    pub fn new(title: impl Into<String>) -> Self {
        GroupInput {
            title: Some(title.into()),
            ..Self::default()
        }
    }

    /// An update that changes nothing until fields are set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the title.
    pub fn title(mut self, v: impl Into<String>) -> Self {
        self.title = Some(v.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }

    /// Forces (or not) unsubscribe links in the group's messages.
    pub fn force_unsubscribe_link(mut self, on: bool) -> Self {
        self.force_unsubscribe_link = Some(on);
        self
    }

    /// Forces (or not) opt-in confirmation.
    pub fn force_optin_confirm(mut self, on: bool) -> Self {
        self.force_optin_confirm = Some(on);
        self
    }

    /// Sets one permission flag by AC's name, e.g. `pgContactAdd`.
    pub fn permission(mut self, name: impl Into<String>, on: bool) -> Self {
        self.permissions.insert(name.into(), on);
        self
    }

    /// Checks the input as the client does before sending: a set title must not be blank.
    pub fn validate(&self) -> Result<()> {
        match &self.title {
            Some(t) => require_text("title", t),
            None => Ok(()),
        }
    }
}

/// Paging for the groups listing (AC documents no filters).
pub type GroupQuery = crate::query::PageQuery;

/// A list ↔ group permission (`listGroup`): the group's users may use the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListGroup {
    /// The permission's id.
    pub id: ListGroupId,
    /// The list.
    pub list: ListId,
    /// The group.
    pub group: GroupId,
    /// Every other field AC sent (`links`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for ListGroup {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// Filters and paging for `GET /listGroups` (`filters[listid]`, `filters[groupid]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListGroupQuery {
    list: Option<ListId>,
    group: Option<GroupId>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl ListGroupQuery {
    /// Every list ↔ group permission.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this list's.
    pub fn list(mut self, list: impl Into<ListId>) -> Self {
        self.list = Some(list.into());
        self
    }

    /// Only this group's.
    pub fn group(mut self, group: impl Into<GroupId>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(l) = self.list {
            q.push(("filters[listid]".to_owned(), l.to_string()));
        }
        if let Some(g) = self.group {
            q.push(("filters[groupid]".to_owned(), g.to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(ListGroupQuery);

#[derive(Deserialize)]
struct GroupEnvelope {
    group: Group,
}

#[derive(Deserialize)]
struct GroupList {
    groups: Vec<Group>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct ListGroupEnvelope {
    #[serde(rename = "listGroup")]
    list_group: ListGroup,
}

#[derive(Deserialize)]
struct ListGroupList {
    #[serde(rename = "listGroups")]
    list_groups: Vec<ListGroup>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Serialize)]
struct ListGroupInput {
    listid: ListId,
    groupid: GroupId,
}

/// The groups handler: `client.groups()`.
#[derive(Debug, Clone, Copy)]
pub struct Groups<'c> {
    client: &'c Client,
}

impl Client {
    /// Permission groups and the lists each group may use.
    pub fn groups(&self) -> Groups<'_> {
        Groups { client: self }
    }
}

impl<'c> Groups<'c> {
    /// One page of groups (`GET /groups`).
    pub async fn list(&self, query: impl Borrow<GroupQuery>) -> Result<Page<Group>> {
        groups_page(self.client, query.borrow()).await
    }

    /// Every group, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(
        &self,
        query: impl Borrow<GroupQuery>,
    ) -> impl Stream<Item = Result<Group>> + Send + 'static {
        query_stream(self.client, *query.borrow(), |client, q| async move {
            groups_page(&client, &q).await
        })
    }

    /// Reads a group (`GET /groups/{id}`; AC answers an unknown id with 403).
    pub async fn get(&self, id: impl Into<GroupId>) -> Result<Group> {
        let req = ApiRequest::get(format!("groups/{}", id.into()));
        Ok(self.client.send::<GroupEnvelope>(req).await?.group)
    }

    /// Creates a group (`POST /groups`; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<GroupInput>) -> Result<Group> {
        let input = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("groups", &wrap("group", input)?)?;
        Ok(self.client.send::<GroupEnvelope>(req).await?.group)
    }

    /// Changes what `input` sets (`PUT /groups/{id}`).
    pub async fn update(
        &self,
        id: impl Into<GroupId>,
        input: impl Borrow<GroupInput>,
    ) -> Result<Group> {
        let input = input.borrow();
        input.validate()?;
        let req = ApiRequest::put(format!("groups/{}", id.into()), &wrap("group", input)?)?;
        Ok(self.client.send::<GroupEnvelope>(req).await?.group)
    }

    /// Deletes a group (`DELETE /groups/{id}`).
    pub async fn delete(&self, id: impl Into<GroupId>) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(format!("groups/{}", id.into())))
            .await
    }

    /// Lets a group's users use a list (`POST /listGroups`). Giving the same permission
    /// twice is harmless, so this is retried like an upsert.
    pub async fn allow_list(
        &self,
        list: impl Into<ListId>,
        group: impl Into<GroupId>,
    ) -> Result<ListGroup> {
        let body = ListGroupInput {
            listid: list.into(),
            groupid: group.into(),
        };
        let req = ApiRequest::post_upsert("listGroups", &wrap("listGroup", &body)?)?;
        Ok(self.client.send::<ListGroupEnvelope>(req).await?.list_group)
    }

    /// One page of list ↔ group permissions (`GET /listGroups`).
    pub async fn list_groups(&self, query: impl Borrow<ListGroupQuery>) -> Result<Page<ListGroup>> {
        list_groups_page(self.client, query.borrow()).await
    }

    /// Every list ↔ group permission matching `query`, fetched lazily.
    pub fn stream_list_groups(
        &self,
        query: impl Borrow<ListGroupQuery>,
    ) -> impl Stream<Item = Result<ListGroup>> + Send + 'static {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { list_groups_page(&client, &q).await },
        )
    }

    /// Removes a list ↔ group permission by its id (`DELETE /listGroups/{id}`).
    pub async fn remove_list_group(&self, id: impl Into<ListGroupId>) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(format!("listGroups/{}", id.into())))
            .await
    }
}

async fn groups_page(client: &Client, query: &GroupQuery) -> Result<Page<Group>> {
    let req = ApiRequest::get("groups").query(query.to_query()?);
    let list: GroupList = client.send(req).await?;
    Ok(Page {
        items: list.groups,
        total: list.meta.total,
    })
}

async fn list_groups_page(client: &Client, query: &ListGroupQuery) -> Result<Page<ListGroup>> {
    let req = ApiRequest::get("listGroups").query(query.to_query()?);
    let list: ListGroupList = client.send(req).await?;
    Ok(Page {
        items: list.list_groups,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn group_flags_read_from_strings_and_numbers() {
        let g: Group = serde_json::from_value(json!({
            "title":"TEST TITLE","descript":"d","pgListAdd":"1","pgListDelete":"0",
            "pgDeal":1,"sdate":"2018-09-20T10:51:14-05:00","id":"3"}))
        .unwrap();
        assert_eq!(g.id, GroupId(3));
        assert_eq!(g.permission("pgListAdd"), Some(true));
        assert_eq!(g.permission("pgListDelete"), Some(false));
        assert_eq!(g.permission("pgDeal"), Some(true));
        assert_eq!(g.permission("pgTagManage"), None);
        assert!(g.sdate.is_some());
    }

    #[test]
    fn list_group_reads_numbers_of_the_create_echo_and_query_filters() {
        let lg: ListGroup =
            serde_json::from_value(json!({"list":19,"group":1,"links":{},"id":"55"})).unwrap();
        assert_eq!(
            (lg.id, lg.list, lg.group),
            (ListGroupId(55), ListId(19), GroupId(1))
        );
        let q = ListGroupQuery::new().list(2u64).group(3u64).limit(10);
        assert_eq!(
            q.to_query().unwrap(),
            [
                ("filters[listid]".into(), "2".into()),
                ("filters[groupid]".into(), "3".into()),
                ("limit".into(), "10".into())
            ]
        );
        assert_eq!(
            GroupInput::new(" ").validate().unwrap_err().field(),
            Some("title")
        );
    }
}
