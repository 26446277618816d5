//! Contact ↔ deal associations with a role (`/contactDeals`). They go with their contact or
//! deal (see `dependents.rs`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult};

/// A contact's role on a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDeal {
    /// Id.
    pub id: u64,
    /// The contact.
    pub contact: u64,
    /// The deal.
    pub deal: u64,
    /// The role id (0: none).
    pub role: u64,
    /// Created.
    pub cdate: DateTime<Utc>,
    /// Last changed.
    pub udate: DateTime<Utc>,
}

impl Store {
    /// The association with this id.
    pub fn contact_deal(&self, id: u64) -> StoreResult<&ContactDeal> {
        self.contact_deals.get_or(Entity::ContactDeal, id)
    }

    /// `POST /contactDeals`: the contact and deal must exist, and the pair must be new.
    pub fn create_contact_deal(
        &mut self,
        contact: u64,
        deal: u64,
        role: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.contact(contact)?;
        self.deal(deal)?;
        if self
            .contact_deals
            .iter()
            .any(|r| r.contact == contact && r.deal == deal)
        {
            return Err(StoreError::Duplicate {
                title: "The contact is already associated with this deal.".into(),
                detail: String::new(),
                pointer: Some("/data/attributes/contact".into()),
            });
        }
        Ok(self.contact_deals.insert_with(|id| ContactDeal {
            id,
            contact,
            deal,
            role,
            cdate: now,
            udate: now,
        }))
    }

    /// `PUT /contactDeals/{id}`: changes the role.
    pub fn update_contact_deal(
        &mut self,
        id: u64,
        role: Option<u64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let row = self.contact_deals.get_mut_or(Entity::ContactDeal, id)?;
        if let Some(r) = role {
            row.role = r;
        }
        row.udate = now;
        Ok(())
    }

    /// `DELETE /contactDeals/{id}`.
    pub fn delete_contact_deal(&mut self, id: u64) -> StoreResult<()> {
        self.contact_deals
            .remove_or(Entity::ContactDeal, id)
            .map(|_| ())
    }

    /// The associations matching both filters, in id order.
    pub fn contact_deals_of(&self, contact: Option<u64>, deal: Option<u64>) -> Vec<&ContactDeal> {
        self.contact_deals
            .iter()
            .filter(|r| contact.is_none_or(|c| r.contact == c))
            .filter(|r| deal.is_none_or(|d| r.deal == d))
            .collect()
    }

    /// Removes the associations of a deleted contact or deal.
    pub(crate) fn drop_contact_deals(&mut self, contact: Option<u64>, deal: Option<u64>) {
        self.contact_deals.remove_where(|r| {
            contact.is_some_and(|c| r.contact == c) || deal.is_some_and(|d| r.deal == d)
        });
    }
}
