//! What goes with a deal or a contact when it is deleted: its tasks (and notes).

use super::tasks::Owner;
use super::Store;

impl Store {
    /// Called by `delete_deal`: the deal's tasks go with it.
    pub(crate) fn deal_removed(&mut self, deal: u64) {
        self.drop_tasks_of(Owner::Deal, deal);
    }

    /// Called when a contact is deleted: the contact's tasks go with it.
    pub(crate) fn contact_removed(&mut self, contact: u64) {
        self.drop_tasks_of(Owner::Contact, contact);
    }
}
