//! What goes with a record when it is deleted: the tasks, notes and custom field values
//! attached to it.

use super::entity_fields::FieldKind;
use super::notes::NoteOwner;
use super::tasks::Owner;
use super::Store;

impl Store {
    /// Called by `delete_deal`: the deal's tasks, notes and custom field values go with it.
    pub(crate) fn deal_removed(&mut self, deal: u64) {
        self.drop_tasks_of(Owner::Deal, deal);
        self.drop_notes_of(NoteOwner::Deal, deal);
        self.drop_field_data_of(FieldKind::Deal, deal);
        self.drop_contact_deals(None, Some(deal));
    }

    /// Called when a contact is deleted: the contact's tasks and notes go with it.
    pub(crate) fn contact_removed(&mut self, contact: u64) {
        self.drop_tasks_of(Owner::Contact, contact);
        self.drop_notes_of(NoteOwner::Contact, contact);
        self.drop_contact_deals(Some(contact), None);
    }

    /// Called by `delete_account`: the account's notes and custom field values go with it.
    pub(crate) fn account_removed(&mut self, account: u64) {
        self.drop_notes_of(NoteOwner::Account, account);
        self.drop_field_data_of(FieldKind::Account, account);
    }

    /// Called when a task is deleted: its notes go with it.
    pub(crate) fn task_removed(&mut self, task: u64) {
        self.drop_notes_of(NoteOwner::Task, task);
    }
}
