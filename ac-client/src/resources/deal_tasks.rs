//! Tasks of deals and contacts (`/dealTasks`) and task types (`/dealTasktypes`).
//!
//! A task belongs to a deal or to a contact: AC says which with `reltype` (`Deal` or
//! `Subscriber`) and `relid`, and takes `ownerType` (`deal` or `contact`) on create.
//! [`TaskOwner`] says both in one value.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{ContactId, DealId, DealTaskId, DealTaskTypeId, UserId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging, DateBound};
use crate::resources::accounts::opt_id;
use crate::resources::{require_text, wrap};

/// What a task is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskOwner {
    /// A deal (`reltype` `Deal`).
    Deal(DealId),
    /// A contact (`reltype` `Subscriber`).
    Contact(ContactId),
}

impl TaskOwner {
    /// AC's `ownerType` on create: `deal` or `contact`.
    pub fn owner_type(self) -> &'static str {
        match self {
            TaskOwner::Deal(_) => "deal",
            TaskOwner::Contact(_) => "contact",
        }
    }

    /// AC's `reltype`: `Deal` or `Subscriber`.
    pub fn reltype(self) -> &'static str {
        match self {
            TaskOwner::Deal(_) => "Deal",
            TaskOwner::Contact(_) => "Subscriber",
        }
    }

    /// The deal's or contact's id (`relid`).
    pub fn relid(self) -> u64 {
        match self {
            TaskOwner::Deal(id) => id.get(),
            TaskOwner::Contact(id) => id.get(),
        }
    }

    /// From AC's `reltype` (or `ownerType`) and `relid`; `None` for other kinds.
    pub fn from_wire(reltype: &str, relid: u64) -> Option<Self> {
        match reltype.trim().to_ascii_lowercase().as_str() {
            "deal" => Some(TaskOwner::Deal(DealId(relid))),
            "subscriber" | "contact" => Some(TaskOwner::Contact(ContactId(relid))),
            _ => None,
        }
    }
}

impl From<DealId> for TaskOwner {
    fn from(id: DealId) -> Self {
        TaskOwner::Deal(id)
    }
}

impl From<ContactId> for TaskOwner {
    fn from(id: ContactId) -> Self {
        TaskOwner::Contact(id)
    }
}

/// A task as AC returns it. Only `id` is guaranteed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealTask {
    /// The task's id.
    pub id: DealTaskId,
    /// Title (AC allows none).
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub title: Option<String>,
    /// The description.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub note: Option<String>,
    /// `Deal` or `Subscriber` (see [`DealTask::owner`]).
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub reltype: Option<String>,
    /// The deal's or contact's id.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub relid: Option<u64>,
    /// 0 incomplete, 1 complete (a number on create/update echoes, a string on GET).
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub status: Option<u64>,
    /// Due date.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub duedate: Option<DateTime<FixedOffset>>,
    /// End date.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub edate: Option<DateTime<FixedOffset>>,
    /// The task type.
    #[serde(rename = "dealTasktype", default, deserialize_with = "opt_id")]
    pub task_type: Option<DealTaskTypeId>,
    /// The user who created the task.
    #[serde(default, deserialize_with = "opt_id")]
    pub user: Option<UserId>,
    /// The assigned user.
    #[serde(default, deserialize_with = "opt_id")]
    pub assignee: Option<UserId>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last change.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub udate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`owner`, `links`, `outcomeId`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DealTask {
    /// The deal or contact the task belongs to, from `reltype` and `relid`.
    pub fn owner(&self) -> Option<TaskOwner> {
        TaskOwner::from_wire(self.reltype.as_deref()?, self.relid?)
    }

    /// True when `status` is 1.
    pub fn is_complete(&self) -> bool {
        self.status == Some(1)
    }
}

impl Identified for DealTask {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

fn wire_date(d: &DateTime<FixedOffset>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The body of a task create ([`DealTaskInput::new`]: owner, due date and type are required)
/// or update ([`DealTaskInput::update`]: only what is set changes).
///
/// ```
/// use ac_client::deal_tasks::DealTaskInput;
/// use ac_client::DealId;
///
/// let due = chrono::DateTime::parse_from_rfc3339("2026-02-25T12:00:00-06:00").unwrap();
/// let input = DealTaskInput::new(DealId(7), due, 1u64).title("Call back").assignee(2u64);
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"title":"Call back","ownerType":"deal","relid":"7",
///         "duedate":"2026-02-25T12:00:00-06:00","dealTasktype":"1","assignee":"2"})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DealTaskInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(rename = "ownerType", skip_serializing_if = "Option::is_none")]
    owner_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duedate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edate: Option<String>,
    #[serde(rename = "dealTasktype", skip_serializing_if = "Option::is_none")]
    task_type: Option<DealTaskTypeId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<UserId>,
}

impl DealTaskInput {
    /// A task of `owner` (a [`DealId`] or [`ContactId`]), due at `due`, of `task_type`.
    pub fn new(
        owner: impl Into<TaskOwner>,
        due: DateTime<FixedOffset>,
        task_type: impl Into<DealTaskTypeId>,
    ) -> Self {
        Self::update().owner(owner).due(due).task_type(task_type)
    }

    /// An update that changes nothing yet.
    pub fn update() -> Self {
        Self::default()
    }

    /// Moves the task to another deal or contact.
    pub fn owner(mut self, owner: impl Into<TaskOwner>) -> Self {
        let owner = owner.into();
        self.owner_type = Some(owner.owner_type());
        self.relid = Some(owner.relid().to_string());
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the note (description).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets the due date.
    pub fn due(mut self, due: DateTime<FixedOffset>) -> Self {
        self.duedate = Some(wire_date(&due));
        self
    }

    /// Sets the end date (AC's `edate`; the mock defaults it to the due date).
    pub fn end(mut self, end: DateTime<FixedOffset>) -> Self {
        self.edate = Some(wire_date(&end));
        self
    }

    /// Sets the task type.
    pub fn task_type(mut self, id: impl Into<DealTaskTypeId>) -> Self {
        self.task_type = Some(id.into());
        self
    }

    /// Assigns the task to a user.
    pub fn assignee(mut self, id: impl Into<UserId>) -> Self {
        self.assignee = Some(id.into());
        self
    }

    /// Marks the task complete (`status` 1) or incomplete (0).
    pub fn complete(mut self, done: bool) -> Self {
        self.status = Some(u8::from(done));
        self
    }

    fn check_create(&self) -> Result<()> {
        if self.relid.is_none() {
            return Err(Error::invalid("relid", "a task needs a deal or a contact"));
        }
        if self.duedate.is_none() {
            return Err(Error::invalid("duedate", "a task needs a due date"));
        }
        if self.task_type.is_none() {
            return Err(Error::invalid("dealTasktype", "a task needs a task type"));
        }
        Ok(())
    }
}

/// Filters and paging for `GET /dealTasks` (`filters[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealTaskQuery {
    filters: Vec<(&'static str, String)>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl DealTaskQuery {
    /// Every task.
    pub fn new() -> Self {
        Self::default()
    }

    fn filter(mut self, key: &'static str, v: String) -> Self {
        self.filters.retain(|(k, _)| *k != key);
        self.filters.push((key, v));
        self
    }

    /// The tasks of one deal or contact (`filters[reltype]` and `filters[relid]`).
    pub fn owner(self, owner: impl Into<TaskOwner>) -> Self {
        let owner = owner.into();
        self.filter("reltype", owner.reltype().to_owned())
            .filter("relid", owner.relid().to_string())
    }

    /// Only deal tasks (`filters[reltype]=Deal`) or only contact tasks (`Subscriber`).
    pub fn of_deals(self, deals: bool) -> Self {
        let reltype = if deals { "Deal" } else { "Subscriber" };
        self.filter("reltype", reltype.to_owned())
    }

    /// Title contains `text` (`filters[title]`).
    pub fn title(self, text: impl Into<String>) -> Self {
        self.filter("title", text.into())
    }

    /// Note contains `text` (`filters[note]`).
    pub fn note(self, text: impl Into<String>) -> Self {
        self.filter("note", text.into())
    }

    /// Complete (`filters[status]=1`) or incomplete (`0`).
    pub fn complete(self, done: bool) -> Self {
        self.filter("status", u8::from(done).to_string())
    }

    /// Of one task type (`filters[d_tasktypeid]`).
    pub fn task_type(self, id: impl Into<DealTaskTypeId>) -> Self {
        self.filter("d_tasktypeid", id.into().to_string())
    }

    /// Created by a user (`filters[userid]`).
    pub fn user(self, id: impl Into<UserId>) -> Self {
        self.filter("userid", id.into().to_string())
    }

    /// Assigned to a user (`filters[assignee_userid]`).
    pub fn assignee(self, id: impl Into<UserId>) -> Self {
        self.filter("assignee_userid", id.into().to_string())
    }

    /// Due after a date (`filters[due_after]`).
    pub fn due_after(self, at: impl Into<DateBound>) -> Self {
        self.filter("due_after", at.into().as_str().to_owned())
    }

    /// Due before a date (`filters[due_before]`).
    pub fn due_before(self, at: impl Into<DateBound>) -> Self {
        self.filter("due_before", at.into().as_str().to_owned())
    }

    /// The query string pairs, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q: Vec<(String, String)> = self
            .filters
            .iter()
            .map(|(k, v)| (format!("filters[{k}]"), v.clone()))
            .collect();
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(DealTaskQuery);

#[derive(Deserialize)]
struct TaskEnvelope {
    #[serde(rename = "dealTask")]
    task: DealTask,
}

#[derive(Deserialize)]
struct TaskList {
    #[serde(default, rename = "dealTasks")]
    tasks: Vec<DealTask>,
    #[serde(default)]
    meta: Meta,
}

/// The tasks handler: `client.deal_tasks()`.
#[derive(Debug, Clone, Copy)]
pub struct DealTasks<'c> {
    client: &'c Client,
}

impl Client {
    /// Tasks of deals and contacts: CRUD, list and stream.
    pub fn deal_tasks(&self) -> DealTasks<'_> {
        DealTasks { client: self }
    }

    /// Task types (`Call`, `Email`, ...).
    pub fn deal_task_types(&self) -> DealTaskTypes<'_> {
        DealTaskTypes { client: self }
    }
}

impl DealTasks<'_> {
    /// Creates a task (`POST /dealTasks`, 201); owner, due date and type are checked first.
    /// Never retried after a 5xx.
    pub async fn create(&self, input: impl Borrow<DealTaskInput>) -> Result<DealTask> {
        let input = input.borrow();
        input.check_create()?;
        let req = ApiRequest::post("dealTasks", &wrap("dealTask", input)?)?;
        Ok(self.client.send::<TaskEnvelope>(req).await?.task)
    }

    /// Reads a task (`GET /dealTasks/{id}`).
    pub async fn get(&self, id: impl Into<DealTaskId>) -> Result<DealTask> {
        let req = ApiRequest::get(format!("dealTasks/{}", id.into()));
        Ok(self.client.send::<TaskEnvelope>(req).await?.task)
    }

    /// Changes what `input` sets (`PUT /dealTasks/{id}`).
    pub async fn update(
        &self,
        id: impl Into<DealTaskId>,
        input: impl Borrow<DealTaskInput>,
    ) -> Result<DealTask> {
        let body = wrap("dealTask", input.borrow())?;
        let req = ApiRequest::put(format!("dealTasks/{}", id.into()), &body)?;
        Ok(self.client.send::<TaskEnvelope>(req).await?.task)
    }

    /// Deletes a task (`DELETE /dealTasks/{id}`).
    pub async fn delete(&self, id: impl Into<DealTaskId>) -> Result<()> {
        let req = ApiRequest::delete(format!("dealTasks/{}", id.into()));
        self.client.send_empty(req).await
    }

    /// One page of tasks (`GET /dealTasks`).
    pub async fn list(&self, query: impl Borrow<DealTaskQuery>) -> Result<Page<DealTask>> {
        task_page(self.client, query.borrow()).await
    }

    /// Every task matching `query`, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(
        &self,
        query: DealTaskQuery,
    ) -> impl Stream<Item = Result<DealTask>> + Send + 'static {
        query_stream(self.client, query, |client, q| async move {
            task_page(&client, &q).await
        })
    }
}

async fn task_page(client: &Client, query: &DealTaskQuery) -> Result<Page<DealTask>> {
    let req = ApiRequest::get("dealTasks").query(query.to_query()?);
    let list: TaskList = client.send(req).await?;
    Ok(Page {
        items: list.tasks,
        total: list.meta.total,
    })
}

/// A task type as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealTaskType {
    /// The type's id.
    pub id: DealTaskTypeId,
    /// Title (`Call`, `Email`, ...).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub title: String,
    /// 1 active, 0 inactive.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub status: Option<u64>,
    /// Every other field AC sent (`cdate`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of a task type create or update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DealTaskTypeInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u8>,
}

impl DealTaskTypeInput {
    /// A type titled `title` (active).
    pub fn new(title: impl Into<String>) -> Self {
        Self::update().title(title)
    }

    /// An update that changes nothing yet.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Active (`status` 1) or not (0).
    pub fn active(mut self, active: bool) -> Self {
        self.status = Some(u8::from(active));
        self
    }
}

#[derive(Deserialize)]
struct TypeEnvelope {
    #[serde(rename = "dealTasktype")]
    task_type: DealTaskType,
}

#[derive(Deserialize)]
struct TypeList {
    #[serde(default, rename = "dealTasktypes")]
    types: Vec<DealTaskType>,
    #[serde(default)]
    meta: Meta,
}

/// The task types handler: `client.deal_task_types()`.
#[derive(Debug, Clone, Copy)]
pub struct DealTaskTypes<'c> {
    client: &'c Client,
}

impl DealTaskTypes<'_> {
    /// Every task type on one page (`GET /dealTasktypes?limit=100`).
    pub async fn list(&self) -> Result<Page<DealTaskType>> {
        let req = ApiRequest::get("dealTasktypes").query(vec![("limit".into(), "100".into())]);
        let list: TypeList = self.client.send(req).await?;
        Ok(Page {
            items: list.types,
            total: list.meta.total,
        })
    }

    /// Reads a task type (`GET /dealTasktypes/{id}`).
    pub async fn get(&self, id: impl Into<DealTaskTypeId>) -> Result<DealTaskType> {
        let req = ApiRequest::get(format!("dealTasktypes/{}", id.into()));
        Ok(self.client.send::<TypeEnvelope>(req).await?.task_type)
    }

    /// Creates a task type (`POST /dealTasktypes`); the title must not be empty.
    pub async fn create(&self, input: impl Borrow<DealTaskTypeInput>) -> Result<DealTaskType> {
        let input = input.borrow();
        require_text("title", input.title.as_deref().unwrap_or(""))?;
        let req = ApiRequest::post("dealTasktypes", &wrap("dealTasktype", input)?)?;
        Ok(self.client.send::<TypeEnvelope>(req).await?.task_type)
    }

    /// Changes what `input` sets (`PUT /dealTasktypes/{id}`).
    pub async fn update(
        &self,
        id: impl Into<DealTaskTypeId>,
        input: impl Borrow<DealTaskTypeInput>,
    ) -> Result<DealTaskType> {
        let body = wrap("dealTasktype", input.borrow())?;
        let req = ApiRequest::put(format!("dealTasktypes/{}", id.into()), &body)?;
        Ok(self.client.send::<TypeEnvelope>(req).await?.task_type)
    }

    /// Deletes a task type (`DELETE /dealTasktypes/{id}`).
    pub async fn delete(&self, id: impl Into<DealTaskTypeId>) -> Result<()> {
        let req = ApiRequest::delete(format!("dealTasktypes/{}", id.into()));
        self.client.send_empty(req).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_ac_documented_task_shape() {
        let env: TaskEnvelope = serde_json::from_value(json!({"dealTask": {
            "id":"1","duedate":"2017-02-25T12:00:00-06:00","edate":"2017-02-25T12:15:00-06:00",
            "status":0,"title":null,"note":"Testing Task","relid":"7","reltype":"Subscriber",
            "dealTasktype":"1","cdate":"2017-02-24T13:21:56-06:00","udate":"2017-02-24T13:21:56-06:00",
            "automation":null,"doneAutomation":null,"user":"1","assignee":"2",
            "owner":{"type":"contact","id":"7"},"outcomeId":null,"links":{}}}))
        .unwrap();
        let t = env.task;
        assert_eq!(t.owner(), Some(TaskOwner::Contact(ContactId(7))));
        assert_eq!(t.title, None);
        assert!(!t.is_complete());
        assert_eq!(t.task_type, Some(DealTaskTypeId(1)));
        assert_eq!(t.assignee, Some(UserId(2)));
        assert_eq!(t.duedate.unwrap().to_rfc3339(), "2017-02-25T12:00:00-06:00");
        assert!(t.extra.contains_key("owner"));
    }

    #[test]
    fn create_needs_owner_due_date_and_type() {
        let err = DealTaskInput::update()
            .title("x")
            .check_create()
            .unwrap_err();
        assert_eq!(err.field(), Some("relid"));
        let err = DealTaskInput::update()
            .owner(DealId(1))
            .check_create()
            .unwrap_err();
        assert_eq!(err.field(), Some("duedate"));
    }

    #[test]
    fn query_pairs() {
        let q = DealTaskQuery::new()
            .owner(ContactId(3))
            .complete(false)
            .limit(10)
            .to_query()
            .unwrap();
        let want: Vec<(String, String)> = [
            ("filters[reltype]", "Subscriber"),
            ("filters[relid]", "3"),
            ("filters[status]", "0"),
            ("limit", "10"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(q, want);
    }
}
