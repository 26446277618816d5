//! Accounts (organisations) and account ↔ contact associations (reference §8.1, §8.2).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{merge_custom_fields, Change, Entity, Store, StoreError, StoreResult};

/// An account (AC's `CustomerAccount`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAccount {
    /// Id.
    pub id: u64,
    /// Name, unique (case-insensitive).
    pub name: String,
    /// Website.
    pub account_url: String,
    /// Owner (user id).
    pub owner: u64,
    /// Custom field values sent as `fields: [{customFieldId, fieldValue}]`.
    pub fields: Vec<(u64, String)>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last update time.
    pub updated: DateTime<Utc>,
}

/// Attributes of an account create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct AccountInput {
    pub name: Option<String>,
    pub account_url: Option<String>,
    pub owner: Option<u64>,
    pub fields: Option<Vec<(u64, String)>>,
}

/// One account ↔ contact association (AC's `CustomerAccountSubscriber`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountContact {
    /// Id.
    pub id: u64,
    /// Account id.
    pub account: u64,
    /// Contact id (unique: a contact belongs to at most one account).
    pub contact: u64,
    /// Job title.
    pub job_title: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last update time.
    pub updated: DateTime<Utc>,
}

fn name_missing() -> StoreError {
    StoreError::Missing {
        title: "The account name was not provided.".into(),
        pointer: "/data/attributes/name".into(),
    }
}

impl Store {
    /// Fails with `NotFound` unless the account exists.
    pub fn account(&self, id: u64) -> StoreResult<&CustomerAccount> {
        self.accounts.get_or(Entity::Account, id)
    }

    fn check_account_name(&self, name: &str, except: Option<u64>) -> StoreResult<()> {
        if self
            .accounts
            .iter()
            .any(|a| Some(a.id) != except && a.name.eq_ignore_ascii_case(name))
        {
            return Err(StoreError::Duplicate {
                title: format!(
                    "An account named \"{name}\" already exists. Please choose a new name."
                ),
                detail: String::new(),
                pointer: Some("/data/attributes/name".into()),
            });
        }
        Ok(())
    }

    /// `POST /accounts`: a non-empty, unused name is required.
    pub fn create_account(&mut self, input: &AccountInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let name = input.name.as_deref().unwrap_or("").trim();
        if name.is_empty() {
            return Err(name_missing());
        }
        self.check_account_name(name, None)?;
        let id = self.accounts.insert_with(|id| CustomerAccount {
            id,
            name: name.to_string(),
            account_url: input.account_url.clone().unwrap_or_default(),
            owner: input.owner.unwrap_or(1),
            fields: input.fields.clone().unwrap_or_default(),
            created: now,
            updated: now,
        });
        self.sync_field_data(super::entity_fields::FieldKind::Account, id, now);
        self.record(Change::AccountCreated { account: id });
        Ok(id)
    }

    /// `PUT|PATCH /accounts/{id}`: only sent fields change.
    pub fn update_account(
        &mut self,
        id: u64,
        input: &AccountInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.account(id)?;
        if let Some(name) = &input.name {
            if name.trim().is_empty() {
                return Err(name_missing());
            }
            self.check_account_name(name.trim(), Some(id))?;
        }
        let a = self.accounts.get_mut_or(Entity::Account, id)?;
        if let Some(v) = &input.name {
            a.name = v.trim().to_string();
        }
        if let Some(v) = &input.account_url {
            a.account_url = v.clone();
        }
        if let Some(v) = input.owner {
            a.owner = v;
        }
        if let Some(fields) = &input.fields {
            merge_custom_fields(&mut a.fields, fields);
        }
        a.updated = now;
        self.sync_field_data(super::entity_fields::FieldKind::Account, id, now);
        self.record(Change::AccountUpdated { account: id });
        Ok(())
    }

    /// `DELETE /accounts/{id}`: also removes its account contacts and unlinks its deals.
    pub fn delete_account(&mut self, id: u64) -> StoreResult<()> {
        self.accounts.remove_or(Entity::Account, id)?;
        self.account_removed(id);
        let rows: Vec<u64> = self
            .account_contacts
            .iter()
            .filter(|ac| ac.account == id)
            .map(|ac| ac.id)
            .collect();
        self.drop_account_contacts(&rows);
        for deal in self.deals.rows.values_mut() {
            if deal.account == Some(id) {
                deal.account = None;
            }
        }
        self.record(Change::AccountDeleted { account: id });
        Ok(())
    }

    /// Accounts whose name contains `search` (case-insensitive), in id order.
    pub fn list_accounts(&self, search: Option<&str>) -> Vec<&CustomerAccount> {
        let needle = search.map(str::to_lowercase);
        self.accounts
            .iter()
            .filter(|a| {
                needle
                    .as_deref()
                    .is_none_or(|n| a.name.to_lowercase().contains(n))
            })
            .collect()
    }

    /// Number of contacts and deals of an account (`count_deals=true`).
    pub fn account_counts(&self, id: u64) -> (usize, usize) {
        let contacts = self
            .account_contacts
            .iter()
            .filter(|ac| ac.account == id)
            .count();
        let deals = self.deals.iter().filter(|d| d.account == Some(id)).count();
        (contacts, deals)
    }

    /// Fails with `NotFound` unless the association exists.
    pub fn account_contact(&self, id: u64) -> StoreResult<&AccountContact> {
        self.account_contacts.get_or(Entity::AccountContact, id)
    }

    /// `POST /accountContacts`: both must exist and the contact must have no account yet.
    pub fn add_account_contact(
        &mut self,
        account: u64,
        contact: u64,
        job_title: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.contact(contact)?;
        self.account(account)?;
        if self.has_account(contact) {
            return Err(StoreError::Invalid {
                code: "field_invalid",
                title: "This contact is already associated with an account. We currently do not support contacts on multiple accounts.".into(),
                pointer: "/data/attributes/account,contact".into(),
                error: None,
            });
        }
        let id = self.account_contacts.insert_with(|id| AccountContact {
            id,
            account,
            contact,
            job_title: job_title.unwrap_or_default().to_string(),
            created: now,
            updated: now,
        });
        self.links.update(|l| l.account_contact_added(contact, id));
        self.record(Change::AccountContactAdded { account, contact });
        Ok(id)
    }

    /// `PUT /accountContacts/{id}`: the job title (and, rarely, the account) change.
    pub fn update_account_contact(
        &mut self,
        id: u64,
        account: Option<u64>,
        job_title: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.account_contact(id)?;
        if let Some(a) = account {
            self.account(a)?;
        }
        let row = self
            .account_contacts
            .get_mut_or(Entity::AccountContact, id)?;
        if let Some(a) = account {
            row.account = a;
        }
        if let Some(t) = job_title {
            row.job_title = t.to_string();
        }
        row.updated = now;
        Ok(())
    }

    /// `DELETE /accountContacts/{id}`.
    pub fn remove_account_contact(&mut self, id: u64) -> StoreResult<()> {
        let row = self
            .account_contacts
            .remove_or(Entity::AccountContact, id)?;
        self.links
            .update(|l| l.account_contact_removed(row.contact, id));
        self.record(Change::AccountContactRemoved {
            account: row.account,
            contact: row.contact,
        });
        Ok(())
    }

    /// Associations matching optional contact and account filters, in id order.
    pub fn list_account_contacts(
        &self,
        contact: Option<u64>,
        account: Option<u64>,
    ) -> Vec<&AccountContact> {
        let rows: Box<dyn Iterator<Item = &AccountContact>> = match contact {
            Some(c) => Box::new(
                self.links()
                    .account_rows_of(c)
                    .filter_map(|id| self.account_contacts.get(id)),
            ),
            None => Box::new(self.account_contacts.iter()),
        };
        rows.filter(|ac| account.is_none_or(|a| ac.account == a))
            .collect()
    }

    /// Whether the contact is linked to an account.
    pub fn has_account(&self, contact: u64) -> bool {
        self.links().account_rows_of(contact).next().is_some()
    }

    /// Removes these accountContact rows (without recording changes).
    fn drop_account_contacts(&mut self, rows: &[u64]) {
        for row in rows {
            if let Some(ac) = self.account_contacts.remove(*row) {
                self.links
                    .update(|l| l.account_contact_removed(ac.contact, ac.id));
            }
        }
    }

    /// Cascade of `delete_contact` for the records this module and its siblings own:
    /// account contacts and tracking logs are removed, deals lose their contact.
    pub(crate) fn on_contact_deleted(&mut self, contact: u64) {
        let rows: Vec<u64> = self.links().account_rows_of(contact).collect();
        self.drop_account_contacts(&rows);
        self.tracking_logs.remove_where(|l| l.contact == contact);
        self.contact_removed(contact);
        for deal in self.deals.rows.values_mut() {
            if deal.contact == Some(contact) {
                deal.contact = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_contact};

    #[test]
    fn one_account_per_contact_and_contact_delete_cascades() {
        let mut s = Store::new();
        let c = test_contact(&mut s, "a@b.co");
        let input = |n: &str| AccountInput {
            name: Some(n.into()),
            ..Default::default()
        };
        let a = s.create_account(&input("A"), now()).expect("a");
        let b = s.create_account(&input("B"), now()).expect("b");
        assert!(matches!(
            s.create_account(&input("a"), now()),
            Err(StoreError::Duplicate { .. })
        ));
        s.add_account_contact(a, c, None, now()).expect("first");
        assert!(matches!(
            s.add_account_contact(b, c, None, now()),
            Err(StoreError::Invalid { .. })
        ));
        s.delete_contact(c).expect("delete");
        assert!(s.account_contacts.is_empty());
    }
}
