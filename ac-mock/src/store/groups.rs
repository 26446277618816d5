//! Permission groups (AC's `/groups`) and list ↔ group permissions (`/listGroups`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult, Table};

/// The group every account starts with: `Admin`, every permission, the admin user's group.
pub const ADMIN_GROUP: u64 = 1;

/// AC's permission flags of a group, in the order AC renders them.
pub const PERMISSIONS: &[&str] = &[
    "pgListAdd",
    "pgListEdit",
    "pgListDelete",
    "pgListHeaders",
    "pgListEmailaccount",
    "pgListBounce",
    "pgMessageAdd",
    "pgMessageEdit",
    "pgMessageDelete",
    "pgMessageSend",
    "pgContactAdd",
    "pgContactEdit",
    "pgContactDelete",
    "pgContactMerge",
    "pgContactImport",
    "pgContactApprove",
    "pgContactExport",
    "pgContactSync",
    "pgContactFilters",
    "pgContactActions",
    "pgContactFields",
    "pg_user_add",
    "pg_user_edit",
    "pg_user_delete",
    "pgGroupAdd",
    "pgGroupEdit",
    "pgGroupDelete",
    "pgTemplateAdd",
    "pgTemplateEdit",
    "pgTemplateDelete",
    "pgPersonalizationAdd",
    "pgPersonalizationEdit",
    "pgPersonalizationDelete",
    "pgAutomationManage",
    "pgFormEdit",
    "pgReportsCampaign",
    "pgReportsList",
    "pgReportsUser",
    "pgReportsTrend",
    "pgStartupReports",
    "pgStartupGettingstarted",
    "pgDeal",
    "pgDealDelete",
    "pgDealReassign",
    "pgDealGroupAdd",
    "pgDealGroupEdit",
    "pgDealGroupDelete",
    "pgSavedResponsesManage",
    "pgTagManage",
];

/// A permission group (AC's `Group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // named as AC names them
pub struct Group {
    pub id: u64,
    pub title: String,
    pub descript: String,
    pub unsubscribelink: bool,
    pub optinconfirm: bool,
    /// The [`PERMISSIONS`] this group has; a flag not in the map is off.
    pub permissions: BTreeMap<String, bool>,
    pub req_approval: bool,
    pub req_approval_1st: u64,
    pub req_approval_notify: String,
    pub socialdata: bool,
    pub sdate: DateTime<Utc>,
}

impl Group {
    /// Whether the group has this permission flag.
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.get(permission).copied().unwrap_or(false)
    }
}

/// Attributes of a group create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct GroupInput {
    pub title: Option<String>,
    pub descript: Option<String>,
    pub unsubscribelink: Option<bool>,
    pub optinconfirm: Option<bool>,
    /// [`PERMISSIONS`] flags sent.
    pub permissions: BTreeMap<String, bool>,
    pub req_approval: Option<bool>,
    pub req_approval_1st: Option<u64>,
    pub req_approval_notify: Option<String>,
    pub socialdata: Option<bool>,
}

/// One list ↔ group permission (AC's `ListGroup`): members of the group may use the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListGroup {
    /// Id.
    pub id: u64,
    /// List id.
    pub list: u64,
    /// Group id.
    pub group: u64,
}

/// The groups table. The default holds group 1 `Admin` with every permission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Groups {
    /// Groups.
    pub rows: Table<Group>,
}

impl Default for Groups {
    fn default() -> Self {
        let mut rows = Table::default();
        rows.insert_with(|id| Group {
            id,
            title: "Admin".into(),
            descript: "This is a group for admin users (people that can manage content)".into(),
            unsubscribelink: false,
            optinconfirm: false,
            permissions: PERMISSIONS
                .iter()
                .map(|p| ((*p).to_string(), true))
                .collect(),
            req_approval: false,
            req_approval_1st: 2,
            req_approval_notify: String::new(),
            socialdata: false,
            sdate: super::now(),
        });
        Self { rows }
    }
}

fn title_missing() -> StoreError {
    StoreError::Missing {
        title: "The group title was not provided.".into(),
        pointer: "/data/attributes/title".into(),
    }
}

impl Store {
    /// Fails with `NotFound` unless the group exists.
    pub fn group(&self, id: u64) -> StoreResult<&Group> {
        self.groups.rows.get_or(Entity::Group, id)
    }

    /// `POST /groups`: a non-empty title is required; unsent flags are off.
    pub fn create_group(&mut self, input: &GroupInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let title = input.title.as_deref().unwrap_or("").trim();
        if title.is_empty() {
            return Err(title_missing());
        }
        let mut group = Group {
            id: 0,
            title: title.to_string(),
            descript: String::new(),
            unsubscribelink: false,
            optinconfirm: false,
            permissions: BTreeMap::new(),
            req_approval: false,
            req_approval_1st: 0,
            req_approval_notify: String::new(),
            socialdata: false,
            sdate: now,
        };
        apply(&mut group, input);
        Ok(self.groups.rows.insert_with(|id| Group { id, ..group }))
    }

    /// `PUT /groups/{id}`: only sent fields change.
    pub fn update_group(&mut self, id: u64, input: &GroupInput) -> StoreResult<()> {
        if input.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(title_missing());
        }
        let group = self.groups.rows.get_mut_or(Entity::Group, id)?;
        apply(group, input);
        Ok(())
    }

    /// `DELETE /groups/{id}`: refused while users are in the group; removes the group's
    /// list permissions.
    pub fn delete_group(&mut self, id: u64) -> StoreResult<()> {
        self.group(id)?;
        if self.users.rows.iter().any(|u| u.group == id) {
            return Err(StoreError::Invalid {
                code: "field_invalid",
                title: "The group still has users; move them to another group first.".into(),
                pointer: "/data/attributes/group".into(),
                error: None,
            });
        }
        self.groups.rows.remove_or(Entity::Group, id)?;
        self.list_groups.remove_where(|lg| lg.group == id);
        Ok(())
    }

    /// Groups in id order.
    pub fn list_groups_all(&self) -> Vec<&Group> {
        self.groups.rows.iter().collect()
    }

    /// `POST /listGroups`: the list and the group must exist. Idempotent: an existing pair
    /// returns its row (and `false`).
    pub fn add_list_group(&mut self, list: u64, group: u64) -> StoreResult<(u64, bool)> {
        self.list(list)?;
        self.group(group)?;
        if let Some(row) = self
            .list_groups
            .iter()
            .find(|lg| lg.list == list && lg.group == group)
        {
            return Ok((row.id, false));
        }
        let id = self
            .list_groups
            .insert_with(|id| ListGroup { id, list, group });
        Ok((id, true))
    }

    /// `DELETE /listGroups/{id}`.
    pub fn remove_list_group(&mut self, id: u64) -> StoreResult<()> {
        self.list_groups.remove_or(Entity::ListGroup, id).map(drop)
    }

    /// Removes a deleted list's group permissions.
    pub(crate) fn on_list_deleted_groups(&mut self, list: u64) {
        self.list_groups.remove_where(|lg| lg.list == list);
    }
}

fn apply(group: &mut Group, input: &GroupInput) {
    if let Some(v) = &input.title {
        group.title = v.trim().to_string();
    }
    if let Some(v) = &input.descript {
        group.descript.clone_from(v);
    }
    let flag = |dst: &mut bool, src: Option<bool>| {
        if let Some(v) = src {
            *dst = v;
        }
    };
    flag(&mut group.unsubscribelink, input.unsubscribelink);
    flag(&mut group.optinconfirm, input.optinconfirm);
    flag(&mut group.req_approval, input.req_approval);
    flag(&mut group.socialdata, input.socialdata);
    if let Some(v) = input.req_approval_1st {
        group.req_approval_1st = v;
    }
    if let Some(v) = &input.req_approval_notify {
        group.req_approval_notify.clone_from(v);
    }
    for (name, on) in &input.permissions {
        group.permissions.insert(name.clone(), *on);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::lists::ListInput;
    use crate::store::now;

    #[test]
    fn group_delete_is_refused_with_users_and_cascades_list_groups() {
        let mut s = Store::new();
        assert!(s.delete_group(ADMIN_GROUP).is_err(), "the admin is in it");
        let g = s
            .create_group(
                &GroupInput {
                    title: Some("Sales".into()),
                    ..Default::default()
                },
                now(),
            )
            .expect("group");
        let list = s
            .create_list(
                &ListInput {
                    name: Some("News".into()),
                    stringid: Some("news".into()),
                    sender_url: Some("https://x.co".into()),
                    sender_reminder: Some("r".into()),
                    ..Default::default()
                },
                now(),
            )
            .expect("list");
        let (row, new) = s.add_list_group(list, g).expect("listGroup");
        assert!(new);
        assert_eq!(s.add_list_group(list, g).expect("again"), (row, false));
        s.delete_group(g).expect("delete");
        assert!(s.list_groups.is_empty());
        let (_, new) = s.add_list_group(list, ADMIN_GROUP).expect("admin");
        assert!(new);
        s.delete_list(list).expect("list delete");
        assert!(s.list_groups.is_empty(), "list delete cascades");
    }
}
