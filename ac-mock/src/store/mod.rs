//! The in-memory data of one AC account.
//!
//! The store knows nothing of HTTP: routes translate requests into store calls and store
//! records into AC's JSON. Every mutation pushes a [`Change`] onto an outbox that the server
//! drains after each request (webhook delivery will listen to it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod accounts;
pub mod addresses;
pub mod automations;
pub mod brandings;
pub mod bulk_import;
pub mod contact_deals;
mod contact_query;
pub mod contacts;
pub mod deals;
mod dependents;
pub mod ecom;
pub mod entity_fields;
pub mod event_tracking;
pub mod fields;
pub mod forms;
pub mod groups;
mod index;
pub mod lists;
pub mod notes;
pub mod saved_responses;
pub mod scores;
pub mod segments;
pub mod site_tracking;
pub mod tags;
pub mod tasks;
mod text;
pub mod users;
pub mod webhooks;

pub use contacts::{Contact, ContactInput, ContactOrder, ContactQuery, SortDir};
pub use fields::{Field, FieldInput, FieldOption, FieldOptionInput, FieldRel, FieldValue};
pub use lists::{ContactList, List, ListInput};
pub use tags::{ContactTag, Tag, TagInput};

pub use accounts::{AccountContact, CustomerAccount};
pub use automations::{Automation, ContactAutomation};
pub use bulk_import::ImportBatch;
pub use deals::{Deal, DealGroup, DealStage, Pipelines};
pub use event_tracking::{EventTracking, TrackingLog};
pub use site_tracking::{SiteTracking, WhitelistedDomain};
pub use webhooks::Webhook;

/// One table: rows keyed by a per-table auto-increment id (the first id is 1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Table<T> {
    next_id: u64,
    rows: BTreeMap<u64, T>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            next_id: 1,
            rows: BTreeMap::new(),
        }
    }
}

impl<T> Table<T> {
    /// Inserts a row built from its new id and returns the id.
    pub fn insert_with(&mut self, make: impl FnOnce(u64) -> T) -> u64 {
        let id = self.next_id.max(1);
        self.next_id = id + 1;
        self.rows.insert(id, make(id));
        id
    }

    /// The row with this id.
    pub fn get(&self, id: u64) -> Option<&T> {
        self.rows.get(&id)
    }

    /// The row with this id, mutably.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        self.rows.get_mut(&id)
    }

    /// Removes and returns the row with this id.
    pub fn remove(&mut self, id: u64) -> Option<T> {
        self.rows.remove(&id)
    }

    /// The row with this id, or `NotFound` naming `entity`.
    pub fn get_or(&self, entity: Entity, id: u64) -> StoreResult<&T> {
        self.rows.get(&id).ok_or_else(|| not_found(entity, id))
    }

    /// The row with this id mutably, or `NotFound` naming `entity`.
    pub fn get_mut_or(&mut self, entity: Entity, id: u64) -> StoreResult<&mut T> {
        self.rows.get_mut(&id).ok_or_else(|| not_found(entity, id))
    }

    /// Removes and returns the row with this id, or `NotFound` naming `entity`.
    pub fn remove_or(&mut self, entity: Entity, id: u64) -> StoreResult<T> {
        self.rows.remove(&id).ok_or_else(|| not_found(entity, id))
    }

    /// Removes every row for which `pred` holds; returns the removed ids.
    pub fn remove_where(&mut self, mut pred: impl FnMut(&T) -> bool) -> Vec<u64> {
        let ids: Vec<u64> = self
            .rows
            .iter()
            .filter(|(_, row)| pred(row))
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            self.rows.remove(id);
        }
        ids
    }

    /// Rows in id order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.rows.values()
    }

    /// Rows whose id lies in `ids`, in id order.
    pub fn range(&self, ids: impl std::ops::RangeBounds<u64>) -> impl Iterator<Item = &T> {
        self.rows.range(ids).map(|(_, row)| row)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// What a store mutation changed. Drained by the server after each request.
///
/// `TrackingLogged` is an event or page visit recorded for a contact. `BulkImportCompleted`
/// marks an applied bulk import: bulk imports fire no webhooks (reference §9), so the contact,
/// tag, list and field changes an import makes are NOT in the outbox; this one marker replaces
/// them and a webhook emitter must ignore it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)] // the variant fields are ids named after what they identify
pub enum Change {
    ContactCreated {
        contact: u64,
    },
    ContactUpdated {
        contact: u64,
    },
    ContactDeleted {
        contact: u64,
    },
    ContactSubscribed {
        contact: u64,
        list: u64,
    },
    ContactUnsubscribed {
        contact: u64,
        list: u64,
    },
    ContactListStatusChanged {
        contact: u64,
        list: u64,
        status: u8,
    },
    ContactTagAdded {
        contact: u64,
        tag: u64,
    },
    ContactTagRemoved {
        contact: u64,
        tag: u64,
    },
    FieldValueSet {
        contact: u64,
        field: u64,
    },
    TagCreated {
        tag: u64,
    },
    TagDeleted {
        tag: u64,
    },
    ListCreated {
        list: u64,
    },
    ListDeleted {
        list: u64,
    },
    FieldCreated {
        field: u64,
    },
    FieldDeleted {
        field: u64,
    },
    TrackingLogged {
        contact: u64,
        log: u64,
    },
    DomainWhitelisted {
        domain: u64,
    },
    DomainRemoved {
        domain: u64,
    },
    AccountCreated {
        account: u64,
    },
    AccountUpdated {
        account: u64,
    },
    AccountDeleted {
        account: u64,
    },
    AccountContactAdded {
        account: u64,
        contact: u64,
    },
    AccountContactRemoved {
        account: u64,
        contact: u64,
    },
    DealCreated {
        deal: u64,
    },
    /// `fields`: the attributes whose value changed (`title`, `value`, `stage`, ...), in the
    /// order of the deal's attributes; reported by `deal_update` webhooks as `updated_fields`.
    DealUpdated {
        deal: u64,
        #[serde(default)]
        fields: Vec<String>,
    },
    DealDeleted {
        deal: u64,
    },
    WebhookCreated {
        webhook: u64,
    },
    WebhookUpdated {
        webhook: u64,
    },
    WebhookDeleted {
        webhook: u64,
    },
    BulkImportCompleted {
        batch: u64,
        contacts: Vec<u64>,
    },
}

/// The kinds of record, named as AC names them in its not-found messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Entity {
    Contact,
    Tag,
    ContactTag,
    List,
    ContactList,
    Field,
    FieldOption,
    FieldRel,
    FieldValue,
    Account,
    AccountContact,
    Deal,
    DealGroup,
    DealStage,
    Webhook,
    User,
    Group,
    ListGroup,
    DealTask,
    DealTaskType,
    Note,
    DealFieldMeta,
    DealFieldData,
    AccountFieldMeta,
    AccountFieldData,
    Automation,
    ContactAutomation,
    Score,
    Branding,
    Address,
    SavedResponse,
    Connection,
    EcomCustomer,
    EcomOrder,
    EcomOrderProduct,
    Form,
    Segment,
    ContactDeal,
}

impl Entity {
    /// AC's internal model name, as it appears in `No Result found for <name> with id N`.
    pub fn ac_name(self) -> &'static str {
        match self {
            Entity::Contact => "Subscriber",
            Entity::Tag => "Tag",
            Entity::ContactTag => "SubscriberTag",
            Entity::List => "_List",
            Entity::ContactList => "SubscriberList",
            Entity::Field => "Field",
            Entity::FieldOption => "FieldOption",
            Entity::FieldRel => "FieldRel",
            Entity::FieldValue => "FieldValue",
            Entity::Account => "Account",
            Entity::AccountContact => "CustomerAccountSubscriber",
            Entity::Deal => "Deal",
            Entity::DealGroup => "DealGroup",
            Entity::DealStage => "DealStage",
            Entity::Webhook => "Webhook",
            Entity::User => "User",
            Entity::Group => "Group",
            Entity::ListGroup => "ListGroup",
            Entity::DealTask => "DealTask",
            Entity::DealTaskType => "DealTasktype",
            Entity::Note => "Note",
            Entity::DealFieldMeta => "DealCustomFieldMetum",
            Entity::DealFieldData => "DealCustomFieldDatum",
            Entity::AccountFieldMeta => "AccountCustomFieldMetum",
            Entity::AccountFieldData => "AccountCustomFieldDatum",
            Entity::Automation => "Series",
            Entity::ContactAutomation => "SubscriberSeries",
            Entity::Score => "Score",
            Entity::Branding => "Branding",
            Entity::Address => "Address",
            Entity::SavedResponse => "SavedResponse",
            Entity::Connection => "Connection",
            Entity::EcomCustomer => "EcomCustomer",
            Entity::EcomOrder => "EcomOrder",
            Entity::EcomOrderProduct => "EcomOrderProduct",
            Entity::Form => "Form",
            Entity::Segment => "Segment",
            Entity::ContactDeal => "DealContact",
        }
    }

    /// The plain word used in errors-array details (`Contact not found`).
    pub fn plain_name(self) -> &'static str {
        match self {
            Entity::Contact => "Contact",
            Entity::Tag => "Tag",
            Entity::ContactTag => "ContactTag",
            Entity::List => "List",
            Entity::ContactList => "ContactList",
            Entity::Field => "Field",
            Entity::FieldOption => "FieldOption",
            Entity::FieldRel => "FieldRel",
            Entity::FieldValue => "FieldValue",
            Entity::Account => "Account",
            Entity::AccountContact => "AccountContact",
            Entity::Deal => "Deal",
            Entity::DealGroup => "Pipeline",
            Entity::DealStage => "Stage",
            Entity::Webhook => "Webhook",
            Entity::User => "User",
            Entity::Group => "Group",
            Entity::ListGroup => "ListGroup",
            Entity::DealTask => "Task",
            Entity::DealTaskType => "TaskType",
            Entity::Note => "Note",
            Entity::DealFieldMeta | Entity::AccountFieldMeta => "CustomField",
            Entity::DealFieldData | Entity::AccountFieldData => "CustomFieldValue",
            Entity::Automation => "Automation",
            Entity::ContactAutomation => "ContactAutomation",
            Entity::Score => "Score",
            Entity::Branding => "Branding",
            Entity::Address => "Address",
            Entity::SavedResponse => "SavedResponse",
            Entity::Connection => "Connection",
            Entity::EcomCustomer => "Customer",
            Entity::EcomOrder => "Order",
            Entity::EcomOrderProduct => "OrderProduct",
            Entity::Form => "Form",
            Entity::Segment => "Segment",
            Entity::ContactDeal => "ContactDeal",
        }
    }
}

/// Why a store call was refused. `reply.rs` turns each into AC's exact body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("no {} with id {id}", entity.ac_name())]
    NotFound {
        /// What kind of record.
        entity: Entity,
        /// The id as it was asked for.
        id: String,
    },
    /// A unique value is already taken.
    #[error("duplicate: {title}")]
    Duplicate {
        /// AC's title, e.g. `Email address already exists in the system`.
        title: String,
        /// AC's detail (often empty).
        detail: String,
        /// JSON pointer of the offending attribute, if AC gives one.
        pointer: Option<String>,
    },
    /// A value is present but not acceptable.
    #[error("invalid: {title}")]
    Invalid {
        /// AC's error code, e.g. `email_invalid` or `field_invalid`.
        code: &'static str,
        /// AC's title.
        title: String,
        /// JSON pointer of the offending attribute.
        pointer: String,
        /// AC's extra `error` key, e.g. `must_be_valid_email_address`.
        error: Option<&'static str>,
    },
    /// A required value is missing.
    #[error("missing: {pointer}")]
    Missing {
        /// AC's title, e.g. `The tag name was not provided.`.
        title: String,
        /// JSON pointer of the missing attribute.
        pointer: String,
    },
    /// Several problems at once (rendered as one errors array).
    #[error("{} problems", .0.len())]
    Many(Vec<StoreError>),
}

/// Store result.
pub type StoreResult<T> = Result<T, StoreError>;

pub(crate) fn not_found(entity: Entity, id: u64) -> StoreError {
    StoreError::NotFound {
        entity,
        id: id.to_string(),
    }
}

/// Merges `(customFieldId, fieldValue)` pairs into a record's custom fields: a pair replaces
/// the value of the same field, or is appended (accounts and deals).
pub(crate) fn merge_custom_fields(into: &mut Vec<(u64, String)>, pairs: &[(u64, String)]) {
    for (field, value) in pairs {
        match into.iter_mut().find(|(f, _)| f == field) {
            Some(slot) => slot.1 = value.clone(),
            None => into.push((*field, value.clone())),
        }
    }
}

/// All the data of one account. Clone it to snapshot; serialize it to export.
///
/// Read the tables freely; write `tags`, `contact_tags`, `contact_lists` (including a row's
/// `status`), `field_values` and `account_contacts` rows only through the store's methods,
/// which keep the indexes behind the filters and per-contact lookups up to date.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Store {
    /// Contacts.
    pub contacts: Table<Contact>,
    /// Tags.
    pub tags: Table<Tag>,
    /// Contact ↔ tag associations.
    pub contact_tags: Table<ContactTag>,
    /// Lists.
    pub lists: Table<List>,
    /// Contact ↔ list memberships.
    pub contact_lists: Table<ContactList>,
    /// Custom contact fields.
    pub fields: Table<Field>,
    /// Options of dropdown/radio/checkbox/listbox fields.
    pub field_options: Table<FieldOption>,
    /// Field ↔ list relations.
    pub field_rels: Table<FieldRel>,
    /// Custom field values of contacts.
    pub field_values: Table<FieldValue>,
    /// Whether two tags may share a name (AC's behaviour is unconfirmed; default refuses).
    #[serde(default)]
    pub allow_duplicate_tags: bool,
    /// Event tracking switch and registered event names.
    #[serde(default)]
    pub event_tracking: EventTracking,
    /// Contacts' tracking logs (events and page visits).
    #[serde(default)]
    pub tracking_logs: Table<TrackingLog>,
    /// Site tracking switch.
    #[serde(default)]
    pub site_tracking: SiteTracking,
    /// Whitelisted site-tracking domains.
    #[serde(default)]
    pub whitelist: Table<WhitelistedDomain>,
    /// Accounts (organisations).
    #[serde(default)]
    pub accounts: Table<CustomerAccount>,
    /// Account ↔ contact associations (one account per contact).
    #[serde(default)]
    pub account_contacts: Table<AccountContact>,
    /// Deal pipelines (groups) and stages; seeded with "Default Pipeline".
    #[serde(default)]
    pub pipelines: Pipelines,
    /// Deals.
    #[serde(default)]
    pub deals: Table<Deal>,
    /// Webhook subscriptions.
    #[serde(default)]
    pub webhooks: Table<Webhook>,
    /// Bulk import batches.
    #[serde(default)]
    pub import_batches: Table<ImportBatch>,
    /// Users; seeded with the admin user, the `Api-Token`'s owner.
    #[serde(default)]
    pub users: users::Users,
    /// Permission groups; seeded with the admin group.
    #[serde(default)]
    pub groups: groups::Groups,
    /// List ↔ group permissions.
    #[serde(default)]
    pub list_groups: Table<groups::ListGroup>,
    /// Deal task types (seeded) and tasks of deals and contacts.
    #[serde(default)]
    pub tasks: tasks::Tasks,
    /// Notes on contacts, deals, accounts and tasks.
    #[serde(default)]
    pub notes: Table<notes::Note>,
    /// Custom fields of deals and accounts, and their values.
    #[serde(default)]
    pub entity_fields: entity_fields::EntityFields,
    /// Automations (created through the admin API).
    #[serde(default)]
    pub automations: Table<Automation>,
    /// Contacts' entries in automations.
    #[serde(default)]
    pub contact_automations: Table<ContactAutomation>,
    /// Scores (created by the admin API).
    #[serde(default)]
    pub scores: Table<scores::Score>,
    /// Score values of contacts and deals (set by the admin API).
    #[serde(default)]
    pub score_values: Table<scores::ScoreValue>,
    /// Brandings; seeded with branding 1.
    #[serde(default)]
    pub brandings: brandings::Brandings,
    /// Sender addresses.
    #[serde(default)]
    pub addresses: Table<addresses::Address>,
    /// Saved responses.
    #[serde(default)]
    pub saved_responses: Table<saved_responses::SavedResponse>,
    /// E-commerce connections, customers, orders and order products.
    #[serde(default)]
    pub ecom: ecom::Ecom,
    /// Subscription forms (created through the admin API).
    #[serde(default)]
    pub forms: Table<forms::Form>,
    /// Saved segments (created through the admin API).
    #[serde(default)]
    pub segments: Table<segments::Segment>,
    /// Contact ↔ deal roles.
    #[serde(default)]
    pub contact_deals: Table<contact_deals::ContactDeal>,
    #[serde(skip)]
    outbox: Vec<Change>,
    /// Email → contact id (not saved; rebuilt from `contacts` on first use).
    #[serde(skip)]
    email_index: contacts::EmailIndex,
    /// Contact ↔ tag, list, field value and account rows, and tag names (not saved; rebuilt
    /// from the tables on first use).
    #[serde(skip)]
    links: index::LinkIndex,
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the changes recorded since the last drain, oldest first.
    pub fn drain_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.outbox)
    }

    /// Empties every table (keeps settings such as `allow_duplicate_tags`).
    pub fn clear(&mut self) {
        let allow = self.allow_duplicate_tags;
        *self = Store::default();
        self.allow_duplicate_tags = allow;
    }

    pub(crate) fn record(&mut self, change: Change) {
        self.outbox.push(change);
    }

    /// The association indexes, built from the tables on first use.
    pub(crate) fn links(&self) -> &index::Links {
        self.links.get(|| self.link_sources())
    }

    fn link_sources(&self) -> index::Sources<'_> {
        index::Sources {
            tags: &self.tags,
            contact_tags: &self.contact_tags,
            contact_lists: &self.contact_lists,
            field_values: &self.field_values,
            account_contacts: &self.account_contacts,
        }
    }

    /// Panics unless the maintained indexes equal ones built afresh from the tables.
    #[cfg(test)]
    pub(crate) fn assert_indexes_consistent(&self) {
        assert_eq!(self.links(), &index::Links::build(&self.link_sources()));
    }
}

/// Creates a contact with this email for a store unit test and returns its id.
#[cfg(test)]
pub(crate) fn test_contact(store: &mut Store, email: &str) -> u64 {
    let input = ContactInput {
        email: Some(email.into()),
        ..Default::default()
    };
    store.create_contact(&input, now()).expect("contact").id
}

/// The current time, truncated to whole seconds (AC's resolution).
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}
