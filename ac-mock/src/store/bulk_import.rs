//! Bulk import batches (reference §9).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::accounts::AccountInput;
use super::event_tracking::random_hex;
use super::{Change, ContactInput, Store, StoreResult, TagInput};

/// One applied bulk import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBatch {
    /// Row id.
    pub id: u64,
    /// The uuid-like `batchId` returned to the caller.
    pub batch_id: String,
    /// When it was queued (and applied: the mock completes imports at once).
    pub created: DateTime<Utc>,
    /// Ids of the imported contacts.
    pub success: Vec<u64>,
    /// Emails that were rejected (always empty: a failing request queues nothing).
    pub failure: Vec<String>,
}

/// One validated contact of a bulk import request (snake_case keys as AC's importer takes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportContact {
    /// Email, the upsert key.
    pub email: String,
    /// `first_name`.
    pub first_name: Option<String>,
    /// `last_name`.
    pub last_name: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `customer_acct_name`: the account to link the contact to (created when missing).
    pub customer_acct_name: Option<String>,
    /// Tag names, created when missing.
    pub tags: Vec<String>,
    /// (field id, value) pairs.
    pub fields: Vec<(u64, String)>,
    /// List ids to subscribe to.
    pub subscribe: Vec<u64>,
    /// List ids to unsubscribe from.
    pub unsubscribe: Vec<u64>,
}

/// A uuid-like (version 4 layout) batch id.
fn batch_uuid() -> String {
    let hex = random_hex(32);
    let variant = ["8", "9", "a", "b"][usize::from(hex.as_bytes()[16] % 4)];
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        variant,
        &hex[17..20],
        &hex[20..32]
    )
}

impl Store {
    /// Problems that would make the import fail, as (contact index, reason). Only checks what
    /// needs the store (field and list ids); the route checks shapes and emails.
    pub fn bulk_import_problems(&self, contacts: &[ImportContact]) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (i, c) in contacts.iter().enumerate() {
            for (field, _) in &c.fields {
                if self.fields.get(*field).is_none() {
                    out.push((
                        i,
                        format!("Field 'fields' references unknown field id {field}"),
                    ));
                }
            }
            for (key, ids) in [("subscribe", &c.subscribe), ("unsubscribe", &c.unsubscribe)] {
                for list in ids {
                    if self.lists.get(*list).is_none() {
                        out.push((
                            i,
                            format!("Field '{key}' references unknown list id {list}"),
                        ));
                    }
                }
            }
        }
        out
    }

    /// Applies validated contacts at once (the mock completes imports immediately) and records
    /// a batch. Contacts are upserted by email; a list the contact unsubscribed from is not
    /// re-subscribed. The per-record changes are dropped from the outbox and replaced by one
    /// [`Change::BulkImportCompleted`], because bulk imports fire no webhooks.
    /// Returns the batch's `batchId`.
    pub fn bulk_import(
        &mut self,
        contacts: &[ImportContact],
        now: DateTime<Utc>,
    ) -> StoreResult<String> {
        let mark = self.outbox.len();
        let mut ids = Vec::with_capacity(contacts.len());
        for c in contacts {
            let input = ContactInput {
                email: Some(c.email.clone()),
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                phone: c.phone.clone(),
                ..ContactInput::default()
            };
            let cid = self.sync_contact(&input, now)?.id;
            if let Some(name) = c.customer_acct_name.as_deref().map(str::trim) {
                if !name.is_empty() {
                    self.import_account_link(cid, name, now)?;
                }
            }
            for name in &c.tags {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                let tag = match self.tag_by_name(name) {
                    Some(id) => id,
                    None => self.create_tag(
                        &TagInput {
                            tag: Some(name.to_string()),
                            ..TagInput::default()
                        },
                        now,
                    )?,
                };
                self.add_contact_tag(cid, tag, now)?;
            }
            for (field, value) in &c.fields {
                self.upsert_field_value(cid, *field, value, now)?;
            }
            for list in &c.subscribe {
                let unsubscribed = self
                    .links()
                    .list_rows(cid, *list)
                    .any(|row| self.contact_lists.get(row).is_some_and(|m| m.status == 2));
                if !unsubscribed {
                    self.set_contact_list(cid, *list, 1, None, now)?;
                }
            }
            for list in &c.unsubscribe {
                self.set_contact_list(cid, *list, 2, None, now)?;
            }
            if !ids.contains(&cid) {
                ids.push(cid);
            }
        }
        self.outbox.truncate(mark);
        let batch_id = batch_uuid();
        let row = self.import_batches.insert_with(|id| ImportBatch {
            id,
            batch_id: batch_id.clone(),
            created: now,
            success: ids.clone(),
            failure: Vec::new(),
        });
        self.record(Change::BulkImportCompleted {
            batch: row,
            contacts: ids,
        });
        Ok(batch_id)
    }

    /// Links a contact to the account with this name (created when missing), unless the
    /// contact already belongs to an account.
    fn import_account_link(
        &mut self,
        contact: u64,
        name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        if self.has_account(contact) {
            return Ok(());
        }
        let existing = self
            .accounts
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.id);
        let account = match existing {
            Some(id) => id,
            None => self.create_account(
                &AccountInput {
                    name: Some(name.to_string()),
                    ..AccountInput::default()
                },
                now,
            )?,
        };
        self.add_account_contact(account, contact, None, now)?;
        Ok(())
    }

    /// The batch with this `batchId`.
    pub fn import_batch(&self, batch_id: &str) -> Option<&ImportBatch> {
        self.import_batches.iter().find(|b| b.batch_id == batch_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::now;

    #[test]
    fn import_upserts_drops_per_record_changes_and_records_a_batch() {
        let mut s = Store::new();
        let c = ImportContact {
            email: "a@b.co".into(),
            tags: vec!["vip".into()],
            ..Default::default()
        };
        let batch = s.bulk_import(&[c.clone(), c], now()).expect("import");
        assert_eq!(batch.len(), 36);
        assert_eq!(s.contacts.len(), 1);
        assert_eq!(s.contact_tags.len(), 1);
        assert_eq!(
            s.drain_changes(),
            vec![Change::BulkImportCompleted {
                batch: 1,
                contacts: vec![1]
            }]
        );
        assert_eq!(s.import_batch(&batch).expect("batch").success, vec![1]);
    }
}
