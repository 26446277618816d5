//! Automations and contacts' entries in them (`contactAutomations`). AC's API cannot create
//! automations, so the admin API does (`POST /__admin/automations`); contacts enter and leave
//! them through `/contactAutomations`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreResult};

/// An automation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Automation {
    /// Id (`seriesid` elsewhere).
    pub id: u64,
    /// Name.
    pub name: String,
    /// AC's status: 1 active, 2 inactive.
    pub status: u8,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Contacts that ever entered it.
    #[serde(default)]
    pub entered: u64,
    /// Contacts that left it (removed).
    #[serde(default)]
    pub exited: u64,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last change.
    pub mdate: DateTime<Utc>,
}

/// A contact's entry in an automation (AC's `SubscriberSeries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactAutomation {
    /// Id.
    pub id: u64,
    /// The contact.
    pub contact: u64,
    /// The automation.
    pub automation: u64,
    /// When the contact entered.
    pub adddate: DateTime<Utc>,
    /// When the entry last changed.
    pub lastdate: DateTime<Utc>,
}

/// Why adding a contact to an automation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddRefused {
    /// No such contact.
    NoContact,
    /// No such automation.
    NoAutomation,
    /// The contact is in the automation already.
    AlreadyIn,
}

impl Store {
    /// Adds an automation (admin only) and returns its id.
    pub fn create_automation(
        &mut self,
        name: String,
        status: u8,
        description: String,
        now: DateTime<Utc>,
    ) -> u64 {
        self.automations.insert_with(|id| Automation {
            id,
            name,
            status,
            description,
            entered: 0,
            exited: 0,
            cdate: now,
            mdate: now,
        })
    }

    /// The automation with this id, or `NotFound`.
    pub fn automation(&self, id: u64) -> StoreResult<&Automation> {
        self.automations.get_or(Entity::Automation, id)
    }

    /// Deletes an automation and every contact's entry in it.
    pub fn delete_automation(&mut self, id: u64) -> StoreResult<()> {
        self.automations.remove_or(Entity::Automation, id)?;
        self.contact_automations
            .remove_where(|e| e.automation == id);
        Ok(())
    }

    /// Puts a contact into an automation; returns the entry's id.
    pub fn add_contact_automation(
        &mut self,
        contact: u64,
        automation: u64,
        now: DateTime<Utc>,
    ) -> Result<u64, AddRefused> {
        if self.contacts.get(contact).is_none() {
            return Err(AddRefused::NoContact);
        }
        if self.automations.get(automation).is_none() {
            return Err(AddRefused::NoAutomation);
        }
        if self.in_automation(contact, automation) {
            return Err(AddRefused::AlreadyIn);
        }
        if let Some(a) = self.automations.get_mut(automation) {
            a.entered += 1;
            a.mdate = now;
        }
        Ok(self
            .contact_automations
            .insert_with(|id| ContactAutomation {
                id,
                contact,
                automation,
                adddate: now,
                lastdate: now,
            }))
    }

    /// The entry with this id, or `NotFound`.
    pub fn contact_automation(&self, id: u64) -> StoreResult<&ContactAutomation> {
        self.contact_automations
            .get_or(Entity::ContactAutomation, id)
    }

    /// Takes a contact out of an automation (deletes the entry).
    pub fn remove_contact_automation(&mut self, id: u64, now: DateTime<Utc>) -> StoreResult<()> {
        let gone = self
            .contact_automations
            .remove_or(Entity::ContactAutomation, id)?;
        if let Some(a) = self.automations.get_mut(gone.automation) {
            a.exited += 1;
            a.mdate = now;
        }
        Ok(())
    }

    /// A contact's entries, in id order (`GET /contacts/{id}` and
    /// `include=contactAutomations`).
    pub fn automations_of_contact(&self, contact: u64) -> Vec<&ContactAutomation> {
        self.contact_automations
            .iter()
            .filter(|e| e.contact == contact)
            .collect()
    }

    /// Whether the contact has an entry in the automation (the `seriesid` contact filter).
    pub fn in_automation(&self, contact: u64, automation: u64) -> bool {
        self.contact_automations
            .iter()
            .any(|e| e.contact == contact && e.automation == automation)
    }

    /// The contacts with an entry in the automation, in id order.
    pub fn contacts_in_automation(&self, automation: u64) -> std::collections::BTreeSet<u64> {
        self.contact_automations
            .iter()
            .filter(|e| e.automation == automation)
            .map(|e| e.contact)
            .collect()
    }

    /// Cascade of `delete_contact`: the contact's entries go.
    pub(crate) fn on_contact_deleted_automations(&mut self, contact: u64) {
        self.contact_automations
            .remove_where(|e| e.contact == contact);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_contact};

    #[test]
    fn entries_follow_contacts_and_automations() {
        let mut s = Store::new();
        let c = test_contact(&mut s, "a@b.co");
        let a = s.create_automation("Welcome".into(), 1, String::new(), now());
        let b = s.create_automation("Other".into(), 1, String::new(), now());
        assert_eq!(
            s.add_contact_automation(c + 9, a, now()),
            Err(AddRefused::NoContact)
        );
        assert_eq!(
            s.add_contact_automation(c, a + 9, now()),
            Err(AddRefused::NoAutomation)
        );
        let e = s.add_contact_automation(c, a, now()).expect("added");
        assert_eq!(
            s.add_contact_automation(c, a, now()),
            Err(AddRefused::AlreadyIn)
        );
        s.add_contact_automation(c, b, now()).expect("second");
        assert!(s.in_automation(c, a));
        assert_eq!(s.automation(a).expect("a").entered, 1);

        s.remove_contact_automation(e, now()).expect("removed");
        assert!(!s.in_automation(c, a));
        assert_eq!(s.automation(a).expect("a").exited, 1);
        s.delete_automation(b).expect("deleted");
        assert!(s.contact_automations.is_empty());

        s.add_contact_automation(c, a, now()).expect("again");
        s.delete_contact(c).expect("contact deleted");
        assert!(s.contact_automations.is_empty());
    }
}
