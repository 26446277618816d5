//! Deal tasks (`/dealTasks`) and their types (`/dealTasktypes`). A task belongs to a deal or
//! to a contact (AC's `reltype` `Deal` or `Subscriber` with `relid`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult, Table};

/// What a task or note is attached to (AC's `reltype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Owner {
    /// A deal (`reltype` `Deal`, `ownerType` `deal`).
    Deal,
    /// A contact (`reltype` `Subscriber`, `ownerType` `contact`).
    Contact,
}

impl Owner {
    /// AC's `reltype`: `Deal` or `Subscriber`.
    pub fn reltype(self) -> &'static str {
        match self {
            Owner::Deal => "Deal",
            Owner::Contact => "Subscriber",
        }
    }

    /// AC's `owner.type` / `ownerType`: `deal` or `contact`.
    pub fn owner_type(self) -> &'static str {
        match self {
            Owner::Deal => "deal",
            Owner::Contact => "contact",
        }
    }

    /// Reads `ownerType` (`deal`, `contact`) or `reltype` (`Deal`, `Subscriber`), any case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "deal" => Some(Owner::Deal),
            "contact" | "subscriber" => Some(Owner::Contact),
            _ => None,
        }
    }
}

/// A task type (`dealTasktype`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskType {
    /// Id.
    pub id: u64,
    /// Title (`Call`, `Email`, ...).
    pub title: String,
    /// 1 active, 0 inactive.
    pub status: u8,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last change.
    pub udate: DateTime<Utc>,
}

/// A task of a deal or a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Id.
    pub id: u64,
    /// Title (AC allows none).
    pub title: Option<String>,
    /// Deal or contact.
    pub owner: Owner,
    /// The deal's or contact's id (`relid`).
    pub relid: u64,
    /// 0 incomplete, 1 complete.
    pub status: u8,
    /// Note.
    pub note: String,
    /// Due date.
    pub duedate: DateTime<Utc>,
    /// End date.
    pub edate: DateTime<Utc>,
    /// Task type id (`dealTasktype`).
    pub tasktype: u64,
    /// The user who created it.
    pub user: u64,
    /// The assigned user.
    pub assignee: Option<u64>,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last change.
    pub udate: DateTime<Utc>,
}

/// Attributes of a task create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // named as AC names them
pub struct TaskInput {
    pub title: Option<String>,
    pub owner: Option<Owner>,
    pub relid: Option<u64>,
    pub status: Option<u8>,
    pub note: Option<String>,
    pub duedate: Option<DateTime<Utc>>,
    pub edate: Option<DateTime<Utc>>,
    pub tasktype: Option<u64>,
    pub assignee: Option<u64>,
}

/// Task types and tasks. The default value holds the types 1 `Call`, 2 `Email` and 3 `To-Do`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tasks {
    /// Task types.
    pub types: Table<TaskType>,
    /// Tasks.
    pub tasks: Table<Task>,
}

impl Default for Tasks {
    fn default() -> Self {
        let now = super::now();
        let mut types = Table::default();
        for title in ["Call", "Email", "To-Do"] {
            types.insert_with(|id| TaskType {
                id,
                title: title.into(),
                status: 1,
                cdate: now,
                udate: now,
            });
        }
        Self {
            types,
            tasks: Table::default(),
        }
    }
}

/// Filters of `GET /dealTasks` (AC's `filters[...]`); `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct TaskQuery {
    pub title: Option<String>,
    pub owner: Option<Owner>,
    pub relid: Option<u64>,
    pub status: Option<u8>,
    pub note: Option<String>,
    pub tasktype: Option<u64>,
    pub user: Option<u64>,
    pub assignee: Option<u64>,
    pub due_after: Option<DateTime<Utc>>,
    pub due_before: Option<DateTime<Utc>>,
}

fn missing(attr: &str, title: &str) -> StoreError {
    StoreError::Missing {
        title: title.into(),
        pointer: format!("/data/attributes/{attr}"),
    }
}

fn related_missing(attr: &str, what: &str) -> StoreError {
    StoreError::Invalid {
        code: "related_missing",
        title: format!("The related {what} does not exist."),
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl Store {
    /// Fails with `NotFound` unless the task exists.
    pub fn task(&self, id: u64) -> StoreResult<&Task> {
        self.tasks.tasks.get_or(Entity::DealTask, id)
    }

    /// Fails with `NotFound` unless the task type exists.
    pub fn task_type(&self, id: u64) -> StoreResult<&TaskType> {
        self.tasks.types.get_or(Entity::DealTaskType, id)
    }

    /// Fails unless the deal or contact a task or note points at exists.
    pub(crate) fn check_owner(&self, owner: Owner, relid: u64) -> StoreResult<()> {
        let exists = match owner {
            Owner::Deal => self.deals.get(relid).is_some(),
            Owner::Contact => self.contacts.get(relid).is_some(),
        };
        if exists {
            Ok(())
        } else {
            Err(related_missing("relid", owner.owner_type()))
        }
    }

    fn check_task(&self, input: &TaskInput, current: Option<&Task>) -> StoreResult<()> {
        if input.status.is_some_and(|s| s > 1) {
            return Err(StoreError::Invalid {
                code: "field_invalid",
                title: "The status must be 0 (incomplete) or 1 (complete).".into(),
                pointer: "/data/attributes/status".into(),
                error: None,
            });
        }
        if let Some(t) = input.tasktype {
            if self.tasks.types.get(t).is_none() {
                return Err(related_missing("dealTasktype", "task type"));
            }
        }
        if input.owner.is_some() || input.relid.is_some() {
            let owner = input.owner.or(current.map(|t| t.owner));
            let relid = input.relid.or(current.map(|t| t.relid));
            if let (Some(owner), Some(relid)) = (owner, relid) {
                self.check_owner(owner, relid)?;
            }
        }
        Ok(())
    }

    /// `POST /dealTasks`: `relid`, `duedate` and `dealTasktype` are required; the owner is
    /// a deal unless `ownerType`/`reltype` says contact. `edate` defaults to `duedate`.
    pub fn create_task(&mut self, input: &TaskInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut errors = Vec::new();
        if input.relid.is_none() {
            errors.push(missing("relid", "The relid was not provided."));
        }
        if input.duedate.is_none() {
            errors.push(missing("duedate", "The duedate was not provided."));
        }
        if input.tasktype.is_none() {
            errors.push(missing(
                "dealTasktype",
                "The dealTasktype was not provided.",
            ));
        }
        if errors.len() > 1 {
            return Err(StoreError::Many(errors));
        }
        if let Some(e) = errors.pop() {
            return Err(e);
        }
        let input = TaskInput {
            owner: Some(input.owner.unwrap_or(Owner::Deal)),
            ..input.clone()
        };
        self.check_task(&input, None)?;
        let duedate = input.duedate.unwrap_or(now);
        Ok(self.tasks.tasks.insert_with(|id| Task {
            id,
            title: input.title.clone(),
            owner: input.owner.unwrap_or(Owner::Deal),
            relid: input.relid.unwrap_or(0),
            status: input.status.unwrap_or(0),
            note: input.note.clone().unwrap_or_default(),
            duedate,
            edate: input.edate.unwrap_or(duedate),
            tasktype: input.tasktype.unwrap_or(1),
            user: 1,
            assignee: input.assignee,
            cdate: now,
            udate: now,
        }))
    }

    /// `PUT /dealTasks/{id}`: only sent attributes change.
    pub fn update_task(
        &mut self,
        id: u64,
        input: &TaskInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.task(id)?.clone();
        self.check_task(input, Some(&current))?;
        let t = self.tasks.tasks.get_mut_or(Entity::DealTask, id)?;
        if input.title.is_some() {
            t.title.clone_from(&input.title);
        }
        if let Some(v) = input.owner {
            t.owner = v;
        }
        if let Some(v) = input.relid {
            t.relid = v;
        }
        if let Some(v) = input.status {
            t.status = v;
        }
        if let Some(v) = &input.note {
            t.note.clone_from(v);
        }
        if let Some(v) = input.duedate {
            t.duedate = v;
        }
        if let Some(v) = input.edate {
            t.edate = v;
        }
        if let Some(v) = input.tasktype {
            t.tasktype = v;
        }
        if input.assignee.is_some() {
            t.assignee = input.assignee;
        }
        t.udate = now;
        Ok(())
    }

    /// `DELETE /dealTasks/{id}`.
    pub fn delete_task(&mut self, id: u64) -> StoreResult<()> {
        self.tasks.tasks.remove_or(Entity::DealTask, id)?;
        self.task_removed(id);
        Ok(())
    }

    /// Tasks matching `q`, in id order.
    pub fn list_tasks(&self, q: &TaskQuery) -> Vec<&Task> {
        self.tasks
            .tasks
            .iter()
            .filter(|t| {
                q.title
                    .as_deref()
                    .is_none_or(|n| t.title.as_deref().is_some_and(|h| contains_ci(h, n)))
                    && q.note.as_deref().is_none_or(|n| contains_ci(&t.note, n))
                    && q.owner.is_none_or(|o| t.owner == o)
                    && q.relid.is_none_or(|r| t.relid == r)
                    && q.status.is_none_or(|s| t.status == s)
                    && q.tasktype.is_none_or(|k| t.tasktype == k)
                    && q.user.is_none_or(|u| t.user == u)
                    && q.assignee.is_none_or(|a| t.assignee == Some(a))
                    && q.due_after.is_none_or(|d| t.duedate > d)
                    && q.due_before.is_none_or(|d| t.duedate < d)
            })
            .collect()
    }

    /// `POST /dealTasktypes`: `title` is required and unique (any case).
    pub fn create_task_type(
        &mut self,
        title: Option<&str>,
        status: Option<u8>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let title = title.map(str::trim).filter(|t| !t.is_empty());
        let Some(title) = title else {
            return Err(missing("title", "The task type title was not provided."));
        };
        self.check_task_type_title(title, None)?;
        Ok(self.tasks.types.insert_with(|id| TaskType {
            id,
            title: title.to_string(),
            status: status.unwrap_or(1).min(1),
            cdate: now,
            udate: now,
        }))
    }

    fn check_task_type_title(&self, title: &str, except: Option<u64>) -> StoreResult<()> {
        let taken = self
            .tasks
            .types
            .iter()
            .any(|t| Some(t.id) != except && t.title.eq_ignore_ascii_case(title));
        if taken {
            return Err(StoreError::Duplicate {
                title: "There is already a task type with this title".into(),
                detail: String::new(),
                pointer: Some("/data/attributes/title".into()),
            });
        }
        Ok(())
    }

    /// `PUT /dealTasktypes/{id}`.
    pub fn update_task_type(
        &mut self,
        id: u64,
        title: Option<&str>,
        status: Option<u8>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.task_type(id)?;
        let title = match title.map(str::trim) {
            Some("") => return Err(missing("title", "The task type title was not provided.")),
            other => other,
        };
        if let Some(t) = title {
            self.check_task_type_title(t, Some(id))?;
        }
        let row = self.tasks.types.get_mut_or(Entity::DealTaskType, id)?;
        if let Some(t) = title {
            row.title = t.to_string();
        }
        if let Some(s) = status {
            row.status = s.min(1);
        }
        row.udate = now;
        Ok(())
    }

    /// `DELETE /dealTasktypes/{id}`: refused while a task has this type.
    pub fn delete_task_type(&mut self, id: u64) -> StoreResult<()> {
        self.task_type(id)?;
        if self.tasks.tasks.iter().any(|t| t.tasktype == id) {
            return Err(StoreError::Invalid {
                code: "related_exists",
                title: "Tasks of this type exist; move or delete them first.".into(),
                pointer: "/data/attributes/dealTasktype".into(),
                error: None,
            });
        }
        self.tasks
            .types
            .remove_or(Entity::DealTaskType, id)
            .map(|_| ())
    }

    /// Removes the tasks of a deal or contact that is gone.
    pub(crate) fn drop_tasks_of(&mut self, owner: Owner, relid: u64) {
        let gone = self
            .tasks
            .tasks
            .remove_where(|t| t.owner == owner && t.relid == relid);
        for task in gone {
            self.task_removed(task);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::deals::DealInput;
    use crate::store::{now, test_contact};

    #[test]
    fn tasks_need_an_owner_that_exists_and_go_with_their_deal() {
        let mut s = Store::new();
        let c = test_contact(&mut s, "a@b.co");
        let deal = s
            .create_deal(
                &DealInput {
                    title: Some("D".into()),
                    contact: Some(c),
                    ..Default::default()
                },
                now(),
            )
            .expect("deal");
        let input = |owner, relid| TaskInput {
            owner: Some(owner),
            relid: Some(relid),
            duedate: Some(now()),
            tasktype: Some(1),
            ..Default::default()
        };
        assert!(s.create_task(&input(Owner::Deal, 99), now()).is_err());
        s.create_task(&input(Owner::Deal, deal), now())
            .expect("deal task");
        s.create_task(&input(Owner::Contact, c), now())
            .expect("contact task");
        s.delete_deal(deal).expect("delete deal");
        let left: Vec<Owner> = s.tasks.tasks.iter().map(|t| t.owner).collect();
        assert_eq!(left, vec![Owner::Contact]);
    }
}
