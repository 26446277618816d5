//! Contacts: create, sync (upsert on email), update and delete with cascade. The listing
//! (`GET /contacts` filters and orders) is in `contact_query.rs`.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Change, Entity, Store, StoreError, StoreResult, Table};

pub use super::contact_query::{ContactOrder, ContactQuery, SortDir};

/// Lower-cased email → contact id, behind [`Store::contact_by_email`]. Built from the contacts
/// on first use (so a deserialized or loaded store needs nothing), then kept up to date by
/// create, update and delete. Not part of the state document.
#[derive(Debug, Clone, Default)]
pub(crate) struct EmailIndex(OnceLock<EmailMap>);

#[derive(Debug, Clone, Default)]
struct EmailMap {
    ids: HashMap<String, u64>,
    /// A loaded state held two contacts with the same email (the API never writes one): the
    /// lowest id is indexed, as the former scan in id order found it; a removal rebuilds.
    dups: bool,
}

impl EmailIndex {
    fn map(&self, contacts: &Table<Contact>) -> &EmailMap {
        self.0.get_or_init(|| {
            let mut map = EmailMap::default();
            for c in contacts.iter() {
                match map.ids.entry(c.email.to_ascii_lowercase()) {
                    Entry::Occupied(_) => map.dups = true,
                    Entry::Vacant(slot) => {
                        slot.insert(c.id);
                    }
                }
            }
            map
        })
    }

    /// The contact whose email equals `email` ASCII-case-insensitively (`Some(None)`: no
    /// contact), or `None` when a loaded state holds duplicate emails and only a scan finds
    /// every one.
    pub(super) fn unique(&self, contacts: &Table<Contact>, email: &str) -> Option<Option<u64>> {
        let map = self.map(contacts);
        (!map.dups).then(|| map.ids.get(&email.to_ascii_lowercase()).copied())
    }

    /// A contact now has this email (unused by any other contact).
    fn added(&mut self, email: &str, id: u64) {
        if let Some(map) = self.0.get_mut() {
            map.ids.entry(email.to_ascii_lowercase()).or_insert(id);
        }
    }

    /// The contact no longer has this email.
    fn removed(&mut self, email: &str, id: u64) {
        let Some(map) = self.0.get_mut() else {
            return;
        };
        if map.dups {
            self.0 = OnceLock::new();
            return;
        }
        let key = email.to_ascii_lowercase();
        if map.ids.get(&key) == Some(&id) {
            map.ids.remove(&key);
        }
    }
}

/// A contact as the mock keeps it. Fields AC always renders as constants are not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Id.
    pub id: u64,
    /// Email address as written (uniqueness is case-insensitive).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Phone.
    pub phone: String,
    /// Organisation id (deprecated in AC; 0 when none).
    pub orgid: u64,
    /// Organisation name.
    pub orgname: String,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last update time.
    pub udate: DateTime<Utc>,
    /// AC's opaque 32-hex hash of the contact.
    pub hash: String,
    /// Hard bounces recorded for the contact (`bounced_hard`).
    #[serde(default)]
    pub bounced_hard: u32,
    /// Soft bounces recorded for the contact (`bounced_soft`).
    #[serde(default)]
    pub bounced_soft: u32,
    /// When the contact last bounced (`bounced_date`).
    #[serde(default)]
    pub bounced_date: Option<DateTime<Utc>>,
}

/// The attributes a create, sync or update may send. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// Email.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Organisation id.
    pub orgid: Option<u64>,
    /// Inline custom field values: (field id, value), applied by upsert.
    pub field_values: Vec<(u64, String)>,
}

/// What a contact write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactWrite {
    /// The contact's id.
    pub id: u64,
    /// True when the contact was created (sync: false when it already existed).
    pub created: bool,
    /// Ids of the field values written inline, in request order.
    pub field_values: Vec<u64>,
}

/// A loose email check close to what AC accepts: `local@domain.tld`, no spaces.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !email.chars().any(char::is_whitespace)
        && !local.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|part| !part.is_empty())
}

fn email_invalid() -> StoreError {
    StoreError::Invalid {
        code: "email_invalid",
        title: "Contact Email Address is not valid.".into(),
        pointer: "/data/attributes/email".into(),
        error: Some("must_be_valid_email_address"),
    }
}

fn email_duplicate() -> StoreError {
    StoreError::Duplicate {
        title: "Email address already exists in the system".into(),
        detail: String::new(),
        pointer: Some("/data/attributes/email".into()),
    }
}

fn random_hash() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

impl Store {
    /// The contact whose email matches, case-insensitively.
    pub fn contact_by_email(&self, email: &str) -> Option<&Contact> {
        let map = self.email_index.map(&self.contacts);
        let id = *map.ids.get(&email.to_ascii_lowercase())?;
        self.contacts
            .get(id)
            .filter(|c| c.email.eq_ignore_ascii_case(email))
    }

    /// Fails with `NotFound` unless the contact exists.
    pub fn contact(&self, id: u64) -> StoreResult<&Contact> {
        self.contacts.get_or(Entity::Contact, id)
    }

    fn check_inline_fields(&self, input: &ContactInput) -> StoreResult<()> {
        for (i, (field, _)) in input.field_values.iter().enumerate() {
            if self.fields.get(*field).is_none() {
                return Err(StoreError::Invalid {
                    code: "related_missing",
                    title: "The related field does not exist.".into(),
                    pointer: format!("/data/attributes/fieldValues/{i}/field"),
                    error: None,
                });
            }
        }
        Ok(())
    }

    fn apply_inline_fields(
        &mut self,
        contact: u64,
        input: &ContactInput,
        now: DateTime<Utc>,
    ) -> Vec<u64> {
        input
            .field_values
            .iter()
            .filter_map(|(field, value)| {
                self.upsert_field_value(contact, *field, value, now)
                    .ok()
                    .map(|(id, _)| id)
            })
            .collect()
    }

    /// `POST /contacts`: a valid, unused email is required.
    pub fn create_contact(
        &mut self,
        input: &ContactInput,
        now: DateTime<Utc>,
    ) -> StoreResult<ContactWrite> {
        let email = input.email.as_deref().unwrap_or("").trim();
        if !is_valid_email(email) {
            return Err(email_invalid());
        }
        if self.contact_by_email(email).is_some() {
            return Err(email_duplicate());
        }
        self.check_inline_fields(input)?;
        let id = self.contacts.insert_with(|id| Contact {
            id,
            email: email.to_string(),
            first_name: input.first_name.clone().unwrap_or_default(),
            last_name: input.last_name.clone().unwrap_or_default(),
            phone: input.phone.clone().unwrap_or_default(),
            orgid: input.orgid.unwrap_or(0),
            orgname: String::new(),
            cdate: now,
            udate: now,
            hash: random_hash(),
            bounced_hard: 0,
            bounced_soft: 0,
            bounced_date: None,
        });
        self.email_index.added(email, id);
        self.record(Change::ContactCreated { contact: id });
        let field_values = self.apply_inline_fields(id, input, now);
        Ok(ContactWrite {
            id,
            created: true,
            field_values,
        })
    }

    /// `POST /contact/sync`: update the contact with this email, or create it.
    pub fn sync_contact(
        &mut self,
        input: &ContactInput,
        now: DateTime<Utc>,
    ) -> StoreResult<ContactWrite> {
        let email = input.email.as_deref().unwrap_or("").trim();
        if !is_valid_email(email) {
            return Err(email_invalid());
        }
        match self.contact_by_email(email).map(|c| c.id) {
            Some(id) => {
                // The match key is kept as stored; the other sent fields overwrite.
                let mut rest = input.clone();
                rest.email = None;
                self.update_contact(id, &rest, now)
            }
            None => self.create_contact(input, now),
        }
    }

    /// `PUT|PATCH /contacts/{id}`: only sent fields change.
    pub fn update_contact(
        &mut self,
        id: u64,
        input: &ContactInput,
        now: DateTime<Utc>,
    ) -> StoreResult<ContactWrite> {
        self.contact(id)?;
        if let Some(email) = input.email.as_deref() {
            let email = email.trim();
            if !is_valid_email(email) {
                return Err(email_invalid());
            }
            if self.contact_by_email(email).is_some_and(|c| c.id != id) {
                return Err(email_duplicate());
            }
        }
        self.check_inline_fields(input)?;
        let contact = self.contacts.get_mut_or(Entity::Contact, id)?;
        if let Some(email) = &input.email {
            let email = email.trim().to_string();
            if contact.email != email {
                self.email_index.removed(&contact.email, id);
                self.email_index.added(&email, id);
            }
            contact.email = email;
        }
        if let Some(v) = &input.first_name {
            contact.first_name = v.clone();
        }
        if let Some(v) = &input.last_name {
            contact.last_name = v.clone();
        }
        if let Some(v) = &input.phone {
            contact.phone = v.clone();
        }
        if let Some(v) = input.orgid {
            contact.orgid = v;
        }
        contact.udate = now;
        self.record(Change::ContactUpdated { contact: id });
        let field_values = self.apply_inline_fields(id, input, now);
        Ok(ContactWrite {
            id,
            created: false,
            field_values,
        })
    }

    /// `DELETE /contacts/{id}`: removes the contact, its tags, list memberships and field values.
    pub fn delete_contact(&mut self, id: u64) -> StoreResult<()> {
        let gone = self.contacts.remove_or(Entity::Contact, id)?;
        self.email_index.removed(&gone.email, id);
        let links = self.links();
        let tags: Vec<u64> = links.tag_rows_of(id).collect();
        let lists: Vec<u64> = links.list_rows_of(id).collect();
        let values: Vec<u64> = links.value_rows_of(id).collect();
        self.drop_contact_tags(&tags);
        self.drop_contact_lists(&lists);
        self.drop_field_values(&values);
        self.on_contact_deleted(id);
        self.on_contact_deleted_automations(id);
        self.record(Change::ContactDeleted { contact: id });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: &str) -> ContactInput {
        ContactInput {
            email: Some(email.into()),
            ..Default::default()
        }
    }

    #[test]
    fn create_records_contact_created_in_outbox() {
        let mut s = Store::new();
        let w = s
            .create_contact(&input("a@b.co"), super::super::now())
            .expect("create");
        assert_eq!(
            s.drain_changes(),
            vec![Change::ContactCreated { contact: w.id }]
        );
        assert!(s.drain_changes().is_empty());
    }

    #[test]
    fn email_uniqueness_is_case_insensitive() {
        let mut s = Store::new();
        s.create_contact(&input("a@b.co"), super::super::now())
            .expect("create");
        let err = s
            .create_contact(&input("A@B.CO"), super::super::now())
            .expect_err("dup");
        assert!(matches!(err, StoreError::Duplicate { .. }));
    }

    #[test]
    fn sync_updates_existing_and_records_update() {
        let mut s = Store::new();
        let a = s
            .create_contact(&input("a@b.co"), super::super::now())
            .expect("create");
        s.drain_changes();
        let mut i = input("A@b.co");
        i.first_name = Some("Ann".into());
        let w = s.sync_contact(&i, super::super::now()).expect("sync");
        assert_eq!((w.id, w.created), (a.id, false));
        assert_eq!(s.contact(a.id).expect("get").first_name, "Ann");
        assert_eq!(
            s.drain_changes(),
            vec![Change::ContactUpdated { contact: a.id }]
        );
    }

    #[test]
    fn email_index_follows_create_update_delete_and_a_reload() {
        let mut s = Store::new();
        let a = super::super::test_contact(&mut s, "a@b.co");
        let b = super::super::test_contact(&mut s, "b@b.co");
        assert_eq!(s.contact_by_email("A@B.CO").map(|c| c.id), Some(a));
        let i = ContactInput {
            email: Some(" New@B.co ".into()),
            ..Default::default()
        };
        s.update_contact(a, &i, super::super::now())
            .expect("update");
        assert!(s.contact_by_email("a@b.co").is_none());
        assert_eq!(s.contact_by_email("new@b.co").map(|c| c.id), Some(a));
        s.delete_contact(b).expect("delete");
        assert!(s.contact_by_email("b@b.co").is_none());
        // A store read back from its state document finds the same contacts.
        let json = serde_json::to_string(&s).expect("ser");
        let loaded: Store = serde_json::from_str(&json).expect("de");
        assert_eq!(loaded.contact_by_email("NEW@b.co").map(|c| c.id), Some(a));
        assert!(loaded.contact_by_email("b@b.co").is_none());
    }

    #[test]
    fn a_loaded_duplicate_email_finds_the_lowest_id_then_the_other() {
        let mut s = Store::new();
        let a = super::super::test_contact(&mut s, "a@b.co");
        let b = super::super::test_contact(&mut s, "b@b.co");
        s.contacts.get_mut(b).expect("row").email = "A@b.co".into();
        let json = serde_json::to_string(&s).expect("ser");
        let mut loaded: Store = serde_json::from_str(&json).expect("de");
        assert_eq!(loaded.contact_by_email("a@b.co").map(|c| c.id), Some(a));
        loaded.delete_contact(a).expect("delete");
        assert_eq!(loaded.contact_by_email("a@b.co").map(|c| c.id), Some(b));
    }

    #[test]
    fn email_validation() {
        assert!(is_valid_email("a@b.co"));
        for bad in ["", "a", "a@b", "@b.co", "a b@c.co", "a@b..co"] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
