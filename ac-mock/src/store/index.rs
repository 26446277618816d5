//! Indexes over the association tables, so that a contact's tags, lists, field values and
//! account link, the contacts of a tag, a list or a membership status, and a tag by name are
//! found without scanning every row.
//!
//! Not part of the state document: built from the tables on first use (so a deserialized or
//! loaded store needs nothing), then kept up to date by every store call that inserts, moves
//! or removes a row of those tables. Keys end with the row id, so a range of a key lists its
//! rows in id order, the order the former scans found them in.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use super::{AccountContact, ContactList, ContactTag, FieldValue, Table, Tag};

/// The lazily built [`Links`] of a store. A clone starts unbuilt: stores are cloned to be
/// exported, and a clone that is queried builds its own.
#[derive(Debug, Default)]
pub(crate) struct LinkIndex(OnceLock<Links>);

impl Clone for LinkIndex {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// The tables an index is built from.
pub(crate) struct Sources<'a> {
    pub tags: &'a Table<Tag>,
    pub contact_tags: &'a Table<ContactTag>,
    pub contact_lists: &'a Table<ContactList>,
    pub field_values: &'a Table<FieldValue>,
    pub account_contacts: &'a Table<AccountContact>,
}

impl LinkIndex {
    /// The index, built from `src` when this is its first use.
    pub(crate) fn get<'a>(&'a self, src: impl FnOnce() -> Sources<'a>) -> &'a Links {
        self.0.get_or_init(|| Links::build(&src()))
    }

    /// Applies a change to the index if it is built (an unbuilt one is built from the tables,
    /// which already hold the change, on first use).
    pub(crate) fn update(&mut self, change: impl FnOnce(&mut Links)) {
        if let Some(links) = self.0.get_mut() {
            change(links);
        }
    }
}

/// The indexes themselves.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Links {
    /// (tag, contact, contactTag row).
    by_tag: BTreeSet<(u64, u64, u64)>,
    /// (contact, contactTag row).
    tags_of: BTreeSet<(u64, u64)>,
    /// (list, contact, contactList row).
    by_list: BTreeSet<(u64, u64, u64)>,
    /// (status, contact, contactList row).
    by_status: BTreeSet<(u8, u64, u64)>,
    /// (contact, contactList row).
    lists_of: BTreeSet<(u64, u64)>,
    /// List → (memberships, active memberships).
    list_counts: HashMap<u64, (usize, usize)>,
    /// (contact, fieldValue row).
    values_of: BTreeSet<(u64, u64)>,
    /// (contact, accountContact row).
    accounts_of: BTreeSet<(u64, u64)>,
    /// (ASCII-lower-cased name, tag id): tag names are unique ASCII-case-insensitively.
    tag_names: BTreeSet<(String, u64)>,
}

/// The second parts of the pairs that start with `key`, in order.
fn seconds(set: &BTreeSet<(u64, u64)>, key: u64) -> impl Iterator<Item = u64> + '_ {
    set.range((key, 0)..=(key, u64::MAX)).map(|&(_, b)| b)
}

/// The distinct middle parts of the triples that start with `key`, within `lo..=hi`, in order.
fn middles<K: Ord + Copy>(
    set: &BTreeSet<(K, u64, u64)>,
    key: K,
    lo: u64,
    hi: u64,
) -> impl Iterator<Item = u64> + '_ {
    let rows = (lo <= hi).then(|| set.range((key, lo, 0)..=(key, hi, u64::MAX)));
    let mut last = None;
    rows.into_iter().flatten().filter_map(move |&(_, mid, _)| {
        if last == Some(mid) {
            return None;
        }
        last = Some(mid);
        Some(mid)
    })
}

impl Links {
    pub(crate) fn build(src: &Sources<'_>) -> Self {
        let mut links = Links::default();
        for ct in src.contact_tags.iter() {
            links.tag_added(ct.contact, ct.tag, ct.id);
        }
        for m in src.contact_lists.iter() {
            links.list_added(m.contact, m.list, m.status, m.id);
        }
        for v in src.field_values.iter() {
            links.values_of.insert((v.contact, v.id));
        }
        for ac in src.account_contacts.iter() {
            links.accounts_of.insert((ac.contact, ac.id));
        }
        for t in src.tags.iter() {
            links.tag_names.insert((t.tag.to_ascii_lowercase(), t.id));
        }
        links
    }

    // --- contact ↔ tag ---

    pub(crate) fn tag_added(&mut self, contact: u64, tag: u64, row: u64) {
        self.by_tag.insert((tag, contact, row));
        self.tags_of.insert((contact, row));
    }

    pub(crate) fn tag_removed(&mut self, contact: u64, tag: u64, row: u64) {
        self.by_tag.remove(&(tag, contact, row));
        self.tags_of.remove(&(contact, row));
    }

    /// The contactTag rows of a contact, in id order.
    pub(crate) fn tag_rows_of(&self, contact: u64) -> impl Iterator<Item = u64> + '_ {
        seconds(&self.tags_of, contact)
    }

    /// The lowest contactTag row linking this contact and tag.
    pub(crate) fn tag_row(&self, contact: u64, tag: u64) -> Option<u64> {
        let mut rows = self
            .by_tag
            .range((tag, contact, 0)..=(tag, contact, u64::MAX));
        rows.next().map(|&(_, _, row)| row)
    }

    /// The contactTag rows of a tag, in (contact, row) order.
    pub(crate) fn tag_rows(&self, tag: u64) -> impl Iterator<Item = u64> + '_ {
        let rows = self.by_tag.range((tag, 0, 0)..=(tag, u64::MAX, u64::MAX));
        rows.map(|&(_, _, row)| row)
    }

    /// How many contactTag rows a tag has.
    pub(crate) fn tag_row_count(&self, tag: u64) -> usize {
        self.tag_rows(tag).count()
    }

    /// The contacts with this tag whose id lies in `lo..=hi`, in id order.
    pub(crate) fn contacts_with_tag(
        &self,
        tag: u64,
        lo: u64,
        hi: u64,
    ) -> impl Iterator<Item = u64> + '_ {
        middles(&self.by_tag, tag, lo, hi)
    }

    // --- contact ↔ list ---

    pub(crate) fn list_added(&mut self, contact: u64, list: u64, status: u8, row: u64) {
        self.by_list.insert((list, contact, row));
        self.by_status.insert((status, contact, row));
        self.lists_of.insert((contact, row));
        let counts = self.list_counts.entry(list).or_default();
        counts.0 += 1;
        counts.1 += usize::from(status == 1);
    }

    pub(crate) fn list_status_changed(
        &mut self,
        contact: u64,
        list: u64,
        row: u64,
        from: u8,
        to: u8,
    ) {
        self.by_status.remove(&(from, contact, row));
        self.by_status.insert((to, contact, row));
        let counts = self.list_counts.entry(list).or_default();
        counts.1 = counts.1 + usize::from(to == 1) - usize::from(from == 1);
    }

    pub(crate) fn list_removed(&mut self, contact: u64, list: u64, status: u8, row: u64) {
        self.by_list.remove(&(list, contact, row));
        self.by_status.remove(&(status, contact, row));
        self.lists_of.remove(&(contact, row));
        if let Some(counts) = self.list_counts.get_mut(&list) {
            counts.0 -= 1;
            counts.1 -= usize::from(status == 1);
            if counts.0 == 0 {
                self.list_counts.remove(&list);
            }
        }
    }

    /// The contactList rows of a contact, in id order.
    pub(crate) fn list_rows_of(&self, contact: u64) -> impl Iterator<Item = u64> + '_ {
        seconds(&self.lists_of, contact)
    }

    /// The contactList rows linking this contact and list, in id order.
    pub(crate) fn list_rows(&self, contact: u64, list: u64) -> impl Iterator<Item = u64> + '_ {
        let rows = self
            .by_list
            .range((list, contact, 0)..=(list, contact, u64::MAX));
        rows.map(|&(_, _, row)| row)
    }

    /// Every contactList row of a list, in (contact, row) order.
    pub(crate) fn rows_of_list(&self, list: u64) -> impl Iterator<Item = u64> + '_ {
        let rows = self
            .by_list
            .range((list, 0, 0)..=(list, u64::MAX, u64::MAX));
        rows.map(|&(_, _, row)| row)
    }

    /// (memberships, active memberships) of a list.
    pub(crate) fn list_counts(&self, list: u64) -> (usize, usize) {
        self.list_counts.get(&list).copied().unwrap_or((0, 0))
    }

    /// The members of a list whose id lies in `lo..=hi`, in id order.
    pub(crate) fn contacts_in_list(
        &self,
        list: u64,
        lo: u64,
        hi: u64,
    ) -> impl Iterator<Item = u64> + '_ {
        middles(&self.by_list, list, lo, hi)
    }

    /// The contacts with a membership of this status whose id lies in `lo..=hi`, in id order.
    pub(crate) fn contacts_with_status(
        &self,
        status: u8,
        lo: u64,
        hi: u64,
    ) -> impl Iterator<Item = u64> + '_ {
        middles(&self.by_status, status, lo, hi)
    }

    /// Whether the contact has this tag.
    pub(crate) fn has_tag(&self, contact: u64, tag: u64) -> bool {
        self.tag_row(contact, tag).is_some()
    }

    /// Whether the contact is a member of this list (any status).
    pub(crate) fn in_list(&self, contact: u64, list: u64) -> bool {
        self.list_rows(contact, list).next().is_some()
    }

    /// Whether the contact has a membership of this status (any list).
    pub(crate) fn has_status(&self, contact: u64, status: u8) -> bool {
        let mut rows = self
            .by_status
            .range((status, contact, 0)..=(status, contact, u64::MAX));
        rows.next().is_some()
    }

    // --- field values ---

    pub(crate) fn value_added(&mut self, contact: u64, row: u64) {
        self.values_of.insert((contact, row));
    }

    pub(crate) fn value_removed(&mut self, contact: u64, row: u64) {
        self.values_of.remove(&(contact, row));
    }

    /// The fieldValue rows of a contact, in id order.
    pub(crate) fn value_rows_of(&self, contact: u64) -> impl Iterator<Item = u64> + '_ {
        seconds(&self.values_of, contact)
    }

    // --- account contacts ---

    pub(crate) fn account_contact_added(&mut self, contact: u64, row: u64) {
        self.accounts_of.insert((contact, row));
    }

    pub(crate) fn account_contact_removed(&mut self, contact: u64, row: u64) {
        self.accounts_of.remove(&(contact, row));
    }

    /// The accountContact rows of a contact, in id order.
    pub(crate) fn account_rows_of(&self, contact: u64) -> impl Iterator<Item = u64> + '_ {
        seconds(&self.accounts_of, contact)
    }

    // --- tag names ---

    pub(crate) fn tag_named(&mut self, id: u64, name: &str) {
        self.tag_names.insert((name.to_ascii_lowercase(), id));
    }

    pub(crate) fn tag_unnamed(&mut self, id: u64, name: &str) {
        self.tag_names.remove(&(name.to_ascii_lowercase(), id));
    }

    /// The tags whose name equals `name` ASCII-case-insensitively, in id order.
    pub(crate) fn tags_named(&self, name: &str) -> impl Iterator<Item = u64> + '_ {
        let key = name.to_ascii_lowercase();
        let rows = self.tag_names.range((key.clone(), 0)..=(key, u64::MAX));
        rows.map(|(_, id)| *id)
    }
}

/// A store after a seeded random mix of every mutation the indexes follow (contacts created,
/// updated and deleted; tags, lists, fields and accounts created, renamed and deleted; rows
/// added, moved, re-statused and removed), with odd names for the text filters.
#[cfg(test)]
pub(crate) fn churned_store(seed: u64, contacts: usize, ops: usize) -> super::Store {
    use chrono::{Duration, TimeZone, Utc};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::accounts::AccountInput;
    use super::{ContactInput, FieldInput, ListInput, Store, TagInput};

    const FIRST: [&str; 8] = [
        "Ann",
        "ann marie",
        "ZOË",
        "Σίσυφος",
        "",
        "O'Neil",
        "Bob",
        "K",
    ];
    const LAST: [&str; 6] = ["Smith", "SMITH-jones", "Ünal", "ΟΔΥΣΣΕΥΣ", "", "n m"];
    let mut rng = StdRng::seed_from_u64(seed);
    let mut s = Store::new();
    let t0 = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    let at = |rng: &mut StdRng| t0 + Duration::seconds(rng.random_range(0..1000));
    let pick = |rng: &mut StdRng, ids: Vec<u64>| -> Option<u64> {
        (!ids.is_empty()).then(|| ids[rng.random_range(0..ids.len())])
    };
    for i in 0..contacts {
        let input = ContactInput {
            email: Some(format!(
                "{}{i}@Ex{}.com",
                ["user", "USER", "Üser"][i % 3],
                i % 7
            )),
            first_name: Some(FIRST[rng.random_range(0..FIRST.len())].into()),
            last_name: Some(LAST[rng.random_range(0..LAST.len())].into()),
            phone: Some(format!("+1 555 {:04}", rng.random_range(0..50))),
            ..Default::default()
        };
        let when = at(&mut rng);
        s.create_contact(&input, when).expect("contact");
    }
    for k in 0..6 {
        let name = ["vip", "VIP gold", "t1", "t2", "news", "ßpecial"][k];
        let input = TagInput {
            tag: Some(name.into()),
            ..Default::default()
        };
        s.create_tag(&input, t0).expect("tag");
    }
    let list_input = |k: u64| ListInput {
        name: Some(format!("L{k}")),
        stringid: Some(format!("l{k}")),
        sender_url: Some("https://example.com".into()),
        sender_reminder: Some("r".into()),
        ..Default::default()
    };
    let field_input = |k: u64| FieldInput {
        title: Some(format!("Field {k}")),
        field_type: Some("text".into()),
        ..Default::default()
    };
    let account_input = |k: u64| AccountInput {
        name: Some(format!("Account {k}")),
        ..Default::default()
    };
    for k in 0..4 {
        s.create_list(&list_input(1000 + k), t0).expect("list");
    }
    for k in 0..2 {
        s.create_field(&field_input(1000 + k), t0).expect("field");
        s.create_account(&account_input(1000 + k), t0)
            .expect("account");
    }
    for _ in 0..ops {
        let contact = pick(&mut rng, s.contacts.iter().map(|c| c.id).collect());
        let tag = pick(&mut rng, s.tags.iter().map(|t| t.id).collect());
        let list = pick(&mut rng, s.lists.iter().map(|l| l.id).collect());
        let field = pick(&mut rng, s.fields.iter().map(|f| f.id).collect());
        let account = pick(&mut rng, s.accounts.iter().map(|a| a.id).collect());
        let when = at(&mut rng);
        // Errors are expected (a deleted tag, a taken name): only the indexes matter here.
        match rng.random_range(0..100u32) {
            0..=24 => {
                if let (Some(c), Some(t)) = (contact, tag) {
                    let _ = s.add_contact_tag(c, t, when);
                }
            }
            25..=32 => {
                if let Some(row) = pick(&mut rng, s.contact_tags.iter().map(|r| r.id).collect()) {
                    let _ = s.remove_contact_tag(row);
                }
            }
            33..=57 => {
                if let (Some(c), Some(l)) = (contact, list) {
                    let _ = s.set_contact_list(c, l, rng.random_range(0..4), None, when);
                }
            }
            58..=69 => {
                if let (Some(c), Some(f)) = (contact, field) {
                    let _ = s.upsert_field_value(c, f, "v", when);
                }
            }
            70..=73 => {
                if let Some(row) = pick(&mut rng, s.field_values.iter().map(|r| r.id).collect()) {
                    let _ = s.update_field_value(row, contact, field, Some("w"), when);
                }
            }
            74..=75 => {
                if let Some(row) = pick(&mut rng, s.field_values.iter().map(|r| r.id).collect()) {
                    let _ = s.delete_field_value(row);
                }
            }
            76..=79 => {
                if let (Some(c), Some(a)) = (contact, account) {
                    let _ = s.add_account_contact(a, c, None, when);
                }
            }
            80 => {
                let row = pick(&mut rng, s.account_contacts.iter().map(|r| r.id).collect());
                if let Some(row) = row {
                    let _ = s.remove_account_contact(row);
                }
            }
            81..=86 => {
                if let Some(c) = contact {
                    let input = ContactInput {
                        email: Some(format!("moved{}@ex.com", rng.random_range(0..10_000))),
                        first_name: Some(FIRST[rng.random_range(0..FIRST.len())].into()),
                        ..Default::default()
                    };
                    let _ = s.update_contact(c, &input, when);
                }
            }
            87..=88 => {
                if let Some(c) = contact {
                    let _ = s.delete_contact(c);
                }
            }
            93 => {
                if let Some(t) = tag {
                    let _ = s.delete_tag(t);
                }
                let name = format!("Tag {}", rng.random_range(0..1000));
                let input = TagInput {
                    tag: Some(name),
                    ..Default::default()
                };
                let _ = s.create_tag(&input, when);
            }
            94 => {
                if let Some(t) = tag {
                    let input = TagInput {
                        tag: Some(format!(" Renamed {} ", rng.random_range(0..5))),
                        ..Default::default()
                    };
                    let _ = s.update_tag(t, &input, when);
                }
            }
            95 => {
                if let Some(l) = list {
                    let _ = s.delete_list(l);
                }
                let _ = s.create_list(&list_input(rng.random_range(0..1000)), when);
            }
            96 => {
                if let Some(f) = field {
                    let _ = s.delete_field(f);
                }
                let _ = s.create_field(&field_input(rng.random_range(0..1000)), when);
            }
            97 => {
                if let Some(a) = account.filter(|_| rng.random_bool(0.25)) {
                    let _ = s.delete_account(a);
                }
                let _ = s.create_account(&account_input(rng.random_range(0..1000)), when);
            }
            89..=92 | 98.. => {
                let input = ContactInput {
                    email: Some(format!("late{}@ex.com", rng.random_range(0..10_000))),
                    ..Default::default()
                };
                let _ = s.create_contact(&input, when);
            }
        }
    }
    s.drain_changes();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After every kind of mutation, in any order, the maintained indexes equal indexes built
    /// afresh from the tables; so do those of a store read back from its state document.
    #[test]
    fn maintained_indexes_equal_a_rebuild_after_random_mutations() {
        for seed in 0..8 {
            let s = churned_store(seed, 60, 1500);
            let sizes = [
                s.contacts.len(),
                s.contact_tags.len(),
                s.contact_lists.len(),
                s.field_values.len(),
                s.account_contacts.len(),
            ];
            assert!(sizes.iter().all(|n| *n > 5), "seed {seed}: {sizes:?}");
            s.assert_indexes_consistent();
            // Deletes cascaded: no row points at a contact, tag or list that is gone.
            let live = |c: u64| s.contacts.get(c).is_some();
            assert!(s
                .contact_tags
                .iter()
                .all(|r| live(r.contact) && s.tags.get(r.tag).is_some()));
            assert!(s
                .contact_lists
                .iter()
                .all(|r| live(r.contact) && s.lists.get(r.list).is_some()));
            assert!(s
                .field_values
                .iter()
                .all(|r| live(r.contact) && s.fields.get(r.field).is_some()));
            assert!(s.account_contacts.iter().all(|r| live(r.contact)));
            let json = serde_json::to_string(&s).expect("ser");
            let loaded: super::super::Store = serde_json::from_str(&json).expect("de");
            assert_eq!(loaded.links(), s.links(), "seed {seed}");
        }
    }

    /// Building the index first and mutating after takes the same path as mutating an
    /// unbuilt index (which builds from the tables on first use).
    #[test]
    fn an_index_built_before_the_mutations_follows_them() {
        let mut s = churned_store(42, 40, 0);
        s.links();
        let contacts: Vec<u64> = s.contacts.iter().map(|c| c.id).collect();
        let now = super::super::now();
        for (i, c) in contacts.iter().enumerate() {
            let _ = s.add_contact_tag(*c, 1 + (i as u64 % 3), now);
            let _ = s.set_contact_list(*c, 1 + (i as u64 % 2), (i % 4) as u8, None, now);
            let _ = s.upsert_field_value(*c, 1, "x", now);
        }
        s.assert_indexes_consistent();
        for c in contacts.iter().step_by(3) {
            s.delete_contact(*c).expect("delete");
        }
        s.delete_tag(2).expect("tag");
        s.delete_list(1).expect("list");
        s.delete_field(1).expect("field");
        s.assert_indexes_consistent();
    }
}
