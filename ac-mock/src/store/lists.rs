//! Lists and contact ↔ list memberships.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::tags::NameQuery;
use super::{Change, Entity, Store, StoreError, StoreResult};

/// A list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // named as AC names them
pub struct List {
    pub id: u64,
    pub name: String,
    pub stringid: String,
    pub sender_url: String,
    pub sender_reminder: String,
    pub description: String,
    pub send_last_broadcast: u64,
    pub carboncopy: String,
    pub subscription_notify: String,
    pub unsubscription_notify: String,
    pub user: u64,
    pub channel: String,
    pub cdate: DateTime<Utc>,
    pub udate: DateTime<Utc>,
}

/// Attributes of a list create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ListInput {
    pub name: Option<String>,
    pub stringid: Option<String>,
    pub sender_url: Option<String>,
    pub sender_reminder: Option<String>,
    pub description: Option<String>,
    pub send_last_broadcast: Option<u64>,
    pub carboncopy: Option<String>,
    pub subscription_notify: Option<String>,
    pub unsubscription_notify: Option<String>,
    pub user: Option<u64>,
    pub channel: Option<String>,
}

/// One contact ↔ list membership (one row per pair).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactList {
    /// Id.
    pub id: u64,
    /// Contact id.
    pub contact: u64,
    /// List id.
    pub list: u64,
    /// 0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced.
    pub status: u8,
    /// When the contact last subscribed (status 1).
    pub sdate: Option<DateTime<Utc>>,
    /// When the contact last unsubscribed (status 2).
    pub udate: Option<DateTime<Utc>>,
    /// Unsubscribe reason.
    pub unsubreason: String,
    /// Source id as sent (`4` on re-subscribe per AC's docs).
    pub sourceid: u64,
    /// Row creation time.
    pub created: DateTime<Utc>,
    /// Row update time.
    pub updated: DateTime<Utc>,
}

fn missing(attr: &str) -> StoreError {
    StoreError::Missing {
        title: format!("The list {attr} was not provided."),
        pointer: format!("/data/attributes/{attr}"),
    }
}

impl Store {
    /// Fails with `NotFound` unless the list exists.
    pub fn list(&self, id: u64) -> StoreResult<&List> {
        self.lists.get_or(Entity::List, id)
    }

    fn check_stringid(&self, stringid: &str, except: Option<u64>) -> StoreResult<()> {
        if self
            .lists
            .iter()
            .any(|l| Some(l.id) != except && l.stringid == stringid)
        {
            return Err(StoreError::Duplicate {
                title: "A list with this stringid already exists".into(),
                detail: String::new(),
                pointer: Some("/data/attributes/stringid".into()),
            });
        }
        Ok(())
    }

    /// `POST /lists`: `name`, `stringid`, `sender_url` and `sender_reminder` are required.
    pub fn create_list(&mut self, input: &ListInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let required = [
            ("name", &input.name),
            ("stringid", &input.stringid),
            ("sender_url", &input.sender_url),
            ("sender_reminder", &input.sender_reminder),
        ];
        let errors: Vec<StoreError> = required
            .iter()
            .filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
            .map(|(attr, _)| missing(attr))
            .collect();
        match errors.len() {
            0 => {}
            1 => return Err(errors.into_iter().next().unwrap_or_else(|| missing("name"))),
            _ => return Err(StoreError::Many(errors)),
        }
        let stringid = input.stringid.clone().unwrap_or_default();
        self.check_stringid(&stringid, None)?;
        let id = self.lists.insert_with(|id| List {
            id,
            name: input.name.clone().unwrap_or_default(),
            stringid,
            sender_url: input.sender_url.clone().unwrap_or_default(),
            sender_reminder: input.sender_reminder.clone().unwrap_or_default(),
            description: input.description.clone().unwrap_or_default(),
            send_last_broadcast: input.send_last_broadcast.unwrap_or(0),
            carboncopy: input.carboncopy.clone().unwrap_or_default(),
            subscription_notify: input.subscription_notify.clone().unwrap_or_default(),
            unsubscription_notify: input.unsubscription_notify.clone().unwrap_or_default(),
            user: input.user.unwrap_or(1),
            channel: input.channel.clone().unwrap_or_else(|| "email".into()),
            cdate: now,
            udate: now,
        });
        self.record(Change::ListCreated { list: id });
        Ok(id)
    }

    /// `PUT|PATCH /lists/{id}`: only sent fields change.
    pub fn update_list(
        &mut self,
        id: u64,
        input: &ListInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.list(id)?;
        if let Some(s) = &input.stringid {
            self.check_stringid(s, Some(id))?;
        }
        let l = self.lists.get_mut_or(Entity::List, id)?;
        let set = |dst: &mut String, src: &Option<String>| {
            if let Some(v) = src {
                dst.clone_from(v);
            }
        };
        set(&mut l.name, &input.name);
        set(&mut l.stringid, &input.stringid);
        set(&mut l.sender_url, &input.sender_url);
        set(&mut l.sender_reminder, &input.sender_reminder);
        set(&mut l.description, &input.description);
        set(&mut l.carboncopy, &input.carboncopy);
        set(&mut l.subscription_notify, &input.subscription_notify);
        set(&mut l.unsubscription_notify, &input.unsubscription_notify);
        set(&mut l.channel, &input.channel);
        if let Some(v) = input.send_last_broadcast {
            l.send_last_broadcast = v;
        }
        if let Some(v) = input.user {
            l.user = v;
        }
        l.udate = now;
        Ok(())
    }

    /// `DELETE /lists/{id}`: also removes its memberships.
    pub fn delete_list(&mut self, id: u64) -> StoreResult<()> {
        self.lists.remove_or(Entity::List, id)?;
        let rows: Vec<u64> = self.links().rows_of_list(id).collect();
        self.drop_contact_lists(&rows);
        self.on_list_deleted_groups(id);
        self.record(Change::ListDeleted { list: id });
        Ok(())
    }

    /// Removes these contactList rows (without recording changes).
    pub(crate) fn drop_contact_lists(&mut self, rows: &[u64]) {
        for row in rows {
            if let Some(m) = self.contact_lists.remove(*row) {
                self.links
                    .update(|l| l.list_removed(m.contact, m.list, m.status, m.id));
            }
        }
    }

    /// `GET /lists`, filtered and ordered by name.
    pub fn list_lists(&self, q: &NameQuery) -> (Vec<&List>, usize) {
        q.page(
            self.lists
                .iter()
                .map(|l| (l.id, l.name.as_str(), l))
                .collect(),
        )
    }

    /// Number of memberships of a list, and how many are active.
    pub fn list_counts(&self, list: u64) -> (usize, usize) {
        self.links().list_counts(list)
    }

    /// `POST /contactLists`: one row per (contact, list), created or updated.
    /// Returns the row id and whether it is new.
    pub fn set_contact_list(
        &mut self,
        contact: u64,
        list: u64,
        status: u8,
        sourceid: Option<u64>,
        now: DateTime<Utc>,
    ) -> StoreResult<(u64, bool)> {
        if status > 3 {
            return Err(StoreError::Invalid {
                code: "field_invalid",
                title: "The contactList status is invalid.".into(),
                pointer: "/data/attributes/status".into(),
                error: None,
            });
        }
        self.contact(contact)?;
        self.list(list)?;
        let existing = self
            .contact_list_row(contact, list)
            .map(|m| (m.id, m.status));
        let (id, created, before) = match existing {
            Some((id, before)) => (id, false, Some(before)),
            None => {
                let id = self.contact_lists.insert_with(|id| ContactList {
                    id,
                    contact,
                    list,
                    status,
                    sdate: None,
                    udate: None,
                    unsubreason: String::new(),
                    sourceid: 0,
                    created: now,
                    updated: now,
                });
                self.links
                    .update(|l| l.list_added(contact, list, status, id));
                (id, true, None)
            }
        };
        let row = self.contact_lists.get_mut_or(Entity::ContactList, id)?;
        if let Some(from) = before.filter(|from| *from != status) {
            self.links
                .update(|l| l.list_status_changed(contact, list, id, from, status));
        }
        row.status = status;
        row.updated = now;
        if let Some(s) = sourceid {
            row.sourceid = s;
        }
        match status {
            1 => row.sdate = Some(now),
            2 => {
                row.udate = Some(now);
                row.unsubreason = "Unsubscribed via API".into();
            }
            _ => {}
        }
        if before != Some(status) {
            self.record(match status {
                1 => Change::ContactSubscribed { contact, list },
                2 => Change::ContactUnsubscribed { contact, list },
                _ => Change::ContactListStatusChanged {
                    contact,
                    list,
                    status,
                },
            });
        }
        Ok((id, created))
    }

    /// The memberships of one contact, in id order.
    pub fn contact_lists_of(&self, contact: u64) -> Vec<&ContactList> {
        let rows = self.links().list_rows_of(contact);
        rows.filter_map(|id| self.contact_lists.get(id)).collect()
    }

    /// The lowest contactList row of this contact and list (one per pair unless a loaded
    /// state holds more).
    pub fn contact_list_row(&self, contact: u64, list: u64) -> Option<&ContactList> {
        let id = self.links().list_rows(contact, list).next()?;
        self.contact_lists.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_contact};

    #[test]
    fn subscribe_then_unsubscribe_records_both_and_keeps_one_row() {
        let mut s = Store::new();
        let c = test_contact(&mut s, "a@b.co");
        let l = s
            .create_list(
                &ListInput {
                    name: Some("N".into()),
                    stringid: Some("n".into()),
                    sender_url: Some("https://x.co".into()),
                    sender_reminder: Some("r".into()),
                    ..Default::default()
                },
                now(),
            )
            .expect("list");
        s.drain_changes();
        let (a, new_a) = s.set_contact_list(c, l, 1, None, now()).expect("sub");
        let (b, new_b) = s.set_contact_list(c, l, 2, None, now()).expect("unsub");
        assert_eq!((a == b, new_a, new_b), (true, true, false));
        assert_eq!(
            s.drain_changes(),
            vec![
                Change::ContactSubscribed {
                    contact: c,
                    list: l
                },
                Change::ContactUnsubscribed {
                    contact: c,
                    list: l
                }
            ]
        );
        assert_eq!(s.contact_lists.len(), 1);
    }

    #[test]
    fn create_list_reports_every_missing_field() {
        let mut s = Store::new();
        let err = s
            .create_list(&ListInput::default(), now())
            .expect_err("missing");
        assert!(matches!(err, StoreError::Many(ref v) if v.len() == 4));
    }
}
