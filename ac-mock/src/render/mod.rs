//! AC's JSON bodies that more than one room renders: the contact (by serde and by hand), and
//! the rows other resources side-load (contactLists, contactTags, fieldValues,
//! accountContacts, deals). A route file renders its own resource's other bodies itself;
//! what two route files share lives here, so that no route file imports another.

pub(crate) mod accounts;
pub(crate) mod automations;
pub(crate) mod contact;
pub(crate) mod contact_bytes;
pub(crate) mod deals;
pub(crate) mod fields;
pub(crate) mod lists;
pub(crate) mod tags;
