//! `GET /contacts`: the filters, orders and page of a contact listing, answered from the
//! indexes. The most selective indexed filter (ids, email, tag, list, status, then the id
//! range) gives the candidates in id order; every filter is then checked on each candidate,
//! and only the rows up to the end of the page are fully sorted. The answer is the one a scan
//! of every contact with AC's filters and a full sort gives.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::index::Links;
use super::text::{Lower, Needle};
use super::{Contact, Store};

/// Orderable contact attributes (`orders[...]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ContactOrder {
    Id,
    Cdate,
    Email,
    FirstName,
    LastName,
    /// First name, then last name.
    Name,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum SortDir {
    Asc,
    Desc,
}

/// Filters, order and page of `GET /contacts`. Empty means "everything".
#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    /// Only these ids.
    pub ids: Option<Vec<u64>>,
    /// Exact email, case-insensitive.
    pub email: Option<String>,
    /// Email contains, case-insensitive.
    pub email_like: Option<String>,
    /// Names, email, phone or organisation name contain, case-insensitive.
    pub search: Option<String>,
    /// Member of this list (any status).
    pub listid: Option<u64>,
    /// Has this tag.
    pub tagid: Option<u64>,
    /// Subscribed through this form (`formid`), in this automation (`seriesid`), waiting at
    /// this automation step (`waitid`) or in this segment (`segmentid`): the mock has no forms,
    /// automations or segments, so any of these matches no contact.
    pub formid: Option<u64>,
    /// See [`ContactQuery::formid`].
    pub seriesid: Option<u64>,
    /// See [`ContactQuery::formid`].
    pub waitid: Option<u64>,
    /// See [`ContactQuery::formid`].
    pub segmentid: Option<u64>,
    /// Has at least one list membership with this status (-1 or `None`: any).
    pub status: Option<i64>,
    /// Id strictly greater.
    pub id_greater: Option<u64>,
    /// Id strictly less.
    pub id_less: Option<u64>,
    /// Leave this id out.
    pub exclude: Option<u64>,
    /// Phone starts with.
    pub phone: Option<String>,
    /// Created strictly before.
    pub created_before: Option<DateTime<Utc>>,
    /// Created at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Updated strictly before.
    pub updated_before: Option<DateTime<Utc>>,
    /// Updated at or after.
    pub updated_after: Option<DateTime<Utc>>,
    /// Sort keys in query order; id ascending breaks ties.
    pub orders: Vec<(ContactOrder, SortDir)>,
    /// Page size.
    pub limit: usize,
    /// Rows to skip.
    pub offset: usize,
}

/// A query prepared once for every candidate.
struct Matcher<'q> {
    q: &'q ContactQuery,
    /// `ids`, sorted and without repeats.
    ids: Option<Vec<u64>>,
    email_like: Option<Needle>,
    search: Option<Needle>,
    /// `Some(None)`: a status no membership can have (above 255).
    status: Option<Option<u8>>,
}

impl<'q> Matcher<'q> {
    fn new(q: &'q ContactQuery) -> Self {
        let ids = q.ids.as_ref().map(|ids| {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        Self {
            q,
            ids,
            email_like: q.email_like.as_deref().map(Needle::new),
            search: q.search.as_deref().map(Needle::new),
            status: q.status.filter(|s| *s >= 0).map(|s| u8::try_from(s).ok()),
        }
    }

    /// True when no contact can match: the mock has no forms, waits or segments.
    fn matches_nothing(&self) -> bool {
        let q = self.q;
        q.formid.is_some()
            || q.waitid.is_some()
            || q.segmentid.is_some()
            || self.status == Some(None)
    }

    /// The id range `lo..=hi` that `id_greater` and `id_less` leave.
    fn id_range(&self) -> (u64, u64) {
        let lo = self.q.id_greater.map_or(0, |g| g.saturating_add(1));
        let hi = self.q.id_less.map_or(u64::MAX, |l| l.saturating_sub(1));
        (lo, hi)
    }

    /// Whether `c` passes every filter; `by` names the index the candidate came from, whose
    /// filter it passes already.
    fn matches(&self, links: &Links, by: Driver, c: &Contact) -> bool {
        let q = self.q;
        if let Some(ids) = self.ids.as_ref().filter(|_| by != Driver::Ids) {
            if ids.binary_search(&c.id).is_err() {
                return false;
            }
        }
        if let Some(email) = &q.email {
            if !c.email.eq_ignore_ascii_case(email) {
                return false;
            }
        }
        if let Some(like) = &self.email_like {
            if !like.found_in(&c.email) {
                return false;
            }
        }
        if let Some(s) = &self.search {
            let hit = s.found_in_name(&c.first_name, &c.last_name)
                || [&c.email, &c.phone, &c.orgname]
                    .iter()
                    .any(|v| s.found_in(v));
            if !hit {
                return false;
            }
        }
        if q.tagid
            .filter(|_| by != Driver::Tag)
            .is_some_and(|tag| !links.has_tag(c.id, tag))
            || q.listid
                .filter(|_| by != Driver::List)
                .is_some_and(|list| !links.in_list(c.id, list))
        {
            return false;
        }
        if let Some(Some(status)) = self.status.filter(|_| by != Driver::Status) {
            if !links.has_status(c.id, status) {
                return false;
            }
        }
        let checks = [
            q.id_greater.is_none_or(|v| c.id > v),
            q.id_less.is_none_or(|v| c.id < v),
            q.exclude.is_none_or(|v| c.id != v),
            q.phone
                .as_ref()
                .is_none_or(|p| c.phone.starts_with(p.as_str())),
            q.created_before.is_none_or(|d| c.cdate < d),
            q.created_after.is_none_or(|d| c.cdate >= d),
            q.updated_before.is_none_or(|d| c.udate < d),
            q.updated_after.is_none_or(|d| c.udate >= d),
        ];
        checks.iter().all(|ok| *ok)
    }
}

/// Where the candidates of a query come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Driver {
    Ids,
    Email,
    Tag,
    List,
    Status,
    Range,
}

/// One `orders[...]` key of one contact; keys of one position are of one variant.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortKey<'a> {
    Id(u64),
    Date(DateTime<Utc>),
    Text(Lower<'a>),
    Name(Lower<'a>, Lower<'a>),
}

impl<'a> SortKey<'a> {
    fn of(c: &'a Contact, order: ContactOrder) -> Self {
        match order {
            ContactOrder::Id => Self::Id(c.id),
            ContactOrder::Cdate => Self::Date(c.cdate),
            ContactOrder::Email => Self::Text(Lower::new(&c.email)),
            ContactOrder::FirstName => Self::Text(Lower::new(&c.first_name)),
            ContactOrder::LastName => Self::Text(Lower::new(&c.last_name)),
            ContactOrder::Name => Self::Name(Lower::new(&c.first_name), Lower::new(&c.last_name)),
        }
    }
}

/// The first `end` of `rows` in the order of `orders`, id ascending breaking ties: each key
/// is computed once, and rows past `end` are only partitioned off.
fn sorted_prefix<'a>(
    rows: &[&'a Contact],
    orders: &[(ContactOrder, SortDir)],
    end: usize,
) -> Vec<&'a Contact> {
    let width = orders.len();
    let mut keys: Vec<SortKey<'a>> = Vec::with_capacity(rows.len() * width);
    for c in rows {
        keys.extend(orders.iter().map(|(o, _)| SortKey::of(c, *o)));
    }
    let cmp = |a: &u32, b: &u32| {
        let (a, b) = (*a as usize, *b as usize);
        for (k, (_, dir)) in orders.iter().enumerate() {
            let ord = keys[a * width + k].cmp(&keys[b * width + k]);
            let ord = match dir {
                SortDir::Asc => ord,
                SortDir::Desc => ord.reverse(),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        rows[a].id.cmp(&rows[b].id)
    };
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    if end < order.len() {
        order.select_nth_unstable_by(end, cmp);
        order.truncate(end);
    }
    order.sort_unstable_by(cmp);
    order.into_iter().map(|i| rows[i as usize]).collect()
}

impl Store {
    /// Candidates for a query in id order (every match, and as few others as the indexes
    /// allow), and the index they come from.
    fn candidates<'s: 'm, 'm>(
        &'s self,
        m: &'m Matcher<'_>,
    ) -> (Driver, Box<dyn Iterator<Item = &'s Contact> + 'm>) {
        let (lo, hi) = m.id_range();
        if lo > hi {
            return (Driver::Range, Box::new(std::iter::empty()));
        }
        let get = move |id: u64| self.contacts.get(id);
        if let Some(ids) = &m.ids {
            return (Driver::Ids, Box::new(ids.iter().copied().filter_map(get)));
        }
        if let Some(email) = &m.q.email {
            if let Some(id) = self.email_index.unique(&self.contacts, email) {
                return (Driver::Email, Box::new(id.into_iter().filter_map(get)));
            }
        }
        let links = self.links();
        if let Some(tag) = m.q.tagid {
            let ids = links.contacts_with_tag(tag, lo, hi);
            return (Driver::Tag, Box::new(ids.filter_map(get)));
        }
        if let Some(list) = m.q.listid {
            let ids = links.contacts_in_list(list, lo, hi);
            return (Driver::List, Box::new(ids.filter_map(get)));
        }
        if let Some(Some(status)) = m.status {
            let ids = links.contacts_with_status(status, lo, hi);
            return (Driver::Status, Box::new(ids.filter_map(get)));
        }
        (Driver::Range, Box::new(self.contacts.range(lo..=hi)))
    }

    /// `GET /contacts`: one page of matching contacts and the total number of matches.
    pub fn list_contacts(&self, q: &ContactQuery) -> (Vec<&Contact>, usize) {
        let m = Matcher::new(q);
        if m.matches_nothing() {
            return (Vec::new(), 0);
        }
        let links = self.links();
        let (by, candidates) = self.candidates(&m);
        let series = q.seriesid.map(|a| self.contacts_in_automation(a));
        let rows: Vec<&Contact> = candidates
            .filter(|c| m.matches(links, by, c))
            .filter(|c| series.as_ref().is_none_or(|s| s.contains(&c.id)))
            .collect();
        let total = rows.len();
        let end = q.offset.saturating_add(q.limit).min(total);
        let start = q.offset.min(end);
        // Rows come in id order, and ids are unique: an id first key decides the whole order.
        match q.orders.first() {
            _ if start == end => return (Vec::new(), total),
            None | Some((ContactOrder::Id, SortDir::Asc)) => {
                return (rows[start..end].to_vec(), total);
            }
            Some((ContactOrder::Id, SortDir::Desc)) => {
                let page = rows.iter().rev().skip(start).take(end - start);
                return (page.copied().collect(), total);
            }
            Some(_) => {}
        }
        let sorted = sorted_prefix(&rows, &q.orders, end);
        (sorted[start..].to_vec(), total)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::store::index::churned_store;

    fn scan_matches(s: &Store, c: &Contact, q: &ContactQuery) -> bool {
        let contains =
            |hay: &str, needle: &str| hay.to_lowercase().contains(&needle.to_lowercase());
        if q.formid.is_some() || q.waitid.is_some() || q.segmentid.is_some() {
            return false;
        }
        if q.seriesid.is_some_and(|a| !s.in_automation(c.id, a)) {
            return false;
        }
        if let Some(ids) = &q.ids {
            if !ids.contains(&c.id) {
                return false;
            }
        }
        if let Some(email) = &q.email {
            if !c.email.eq_ignore_ascii_case(email) {
                return false;
            }
        }
        if let Some(like) = &q.email_like {
            if !contains(&c.email, like) {
                return false;
            }
        }
        if let Some(s) = &q.search {
            let full = format!("{} {}", c.first_name, c.last_name);
            let hit = [&full, &c.email, &c.phone, &c.orgname]
                .iter()
                .any(|v| contains(v, s));
            if !hit {
                return false;
            }
        }
        if let Some(list) = q.listid {
            if !s
                .contact_lists
                .iter()
                .any(|m| m.contact == c.id && m.list == list)
            {
                return false;
            }
        }
        if let Some(tag) = q.tagid {
            if !s
                .contact_tags
                .iter()
                .any(|t| t.contact == c.id && t.tag == tag)
            {
                return false;
            }
        }
        if let Some(status) = q.status.filter(|s| *s >= 0) {
            let hit = s
                .contact_lists
                .iter()
                .any(|m| m.contact == c.id && i64::from(m.status) == status);
            if !hit {
                return false;
            }
        }
        let checks = [
            q.id_greater.is_none_or(|v| c.id > v),
            q.id_less.is_none_or(|v| c.id < v),
            q.exclude.is_none_or(|v| c.id != v),
            q.phone
                .as_ref()
                .is_none_or(|p| c.phone.starts_with(p.as_str())),
            q.created_before.is_none_or(|d| c.cdate < d),
            q.created_after.is_none_or(|d| c.cdate >= d),
            q.updated_before.is_none_or(|d| c.udate < d),
            q.updated_after.is_none_or(|d| c.udate >= d),
        ];
        checks.iter().all(|ok| *ok)
    }

    /// The former `list_contacts`: every contact checked against every row, a full sort.
    fn scan(s: &Store, q: &ContactQuery) -> (Vec<u64>, usize) {
        let mut rows: Vec<&Contact> = s
            .contacts
            .iter()
            .filter(|c| scan_matches(s, c, q))
            .collect();
        rows.sort_by(|a, b| {
            for (key, dir) in &q.orders {
                let ord = match key {
                    ContactOrder::Id => a.id.cmp(&b.id),
                    ContactOrder::Cdate => a.cdate.cmp(&b.cdate),
                    ContactOrder::Email => a.email.to_lowercase().cmp(&b.email.to_lowercase()),
                    ContactOrder::FirstName => a
                        .first_name
                        .to_lowercase()
                        .cmp(&b.first_name.to_lowercase()),
                    ContactOrder::LastName => {
                        a.last_name.to_lowercase().cmp(&b.last_name.to_lowercase())
                    }
                    ContactOrder::Name => (a.first_name.to_lowercase(), a.last_name.to_lowercase())
                        .cmp(&(b.first_name.to_lowercase(), b.last_name.to_lowercase())),
                };
                let ord = if *dir == SortDir::Desc {
                    ord.reverse()
                } else {
                    ord
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            a.id.cmp(&b.id)
        });
        let total = rows.len();
        let page = rows.into_iter().skip(q.offset).take(q.limit);
        (page.map(|c| c.id).collect(), total)
    }

    /// A random query: each filter present now and then, with terms taken from the data
    /// (odd case, non-ASCII, spaces), 0–2 orders and a random page.
    fn random_query(rng: &mut StdRng, s: &Store) -> ContactQuery {
        let mut q = ContactQuery {
            limit: rng.random_range(1..40),
            offset: [0, 0, 3, 17, 500][rng.random_range(0..5)],
            ..Default::default()
        };
        let contacts: Vec<&Contact> = s.contacts.iter().collect();
        let some = |rng: &mut StdRng| rng.random_bool(0.25);
        let any_contact = |rng: &mut StdRng| contacts[rng.random_range(0..contacts.len())];
        let cut = |rng: &mut StdRng, text: &str| -> String {
            let chars: Vec<char> = text.chars().collect();
            if chars.is_empty() {
                return "x".into();
            }
            let from = rng.random_range(0..chars.len());
            let to = rng.random_range(from + 1..=chars.len());
            let piece: String = chars[from..to].iter().collect();
            if rng.random_bool(0.5) {
                piece.to_uppercase()
            } else {
                piece
            }
        };
        if some(rng) {
            let ids = (0..rng.random_range(0..6)).map(|_| rng.random_range(0..90));
            q.ids = Some(ids.collect());
        }
        if some(rng) {
            let email = any_contact(rng).email.clone();
            q.email = Some(if rng.random_bool(0.5) {
                email.to_ascii_uppercase()
            } else {
                email
            });
        }
        if some(rng) {
            let email = any_contact(rng).email.clone();
            q.email_like = Some(cut(rng, &email));
        }
        if some(rng) {
            let c = any_contact(rng);
            let full = format!("{} {}", c.first_name, c.last_name);
            let hay = [full.as_str(), &c.email, &c.phone][rng.random_range(0..3)];
            q.search = Some(cut(rng, hay));
        }
        if some(rng) {
            q.listid = Some(rng.random_range(1..6));
        }
        if some(rng) {
            q.tagid = Some(rng.random_range(1..9));
        }
        if some(rng) {
            q.status = Some([-1, 0, 1, 2, 3, 300][rng.random_range(0..6)]);
        }
        if some(rng) {
            q.id_greater = Some(rng.random_range(0..90));
        }
        if some(rng) {
            q.id_less = Some(rng.random_range(0..90));
        }
        if some(rng) {
            q.exclude = Some(rng.random_range(0..90));
        }
        if some(rng) {
            q.phone = Some(format!("+1 555 00{}", rng.random_range(0..5)));
        }
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        let t = |rng: &mut StdRng| Some(t0 + Duration::seconds(rng.random_range(0..1000)));
        if some(rng) {
            q.created_before = t(rng);
        }
        if some(rng) {
            q.created_after = t(rng);
        }
        if some(rng) {
            q.updated_before = t(rng);
        }
        if some(rng) {
            q.updated_after = t(rng);
        }
        if rng.random_bool(0.03) {
            q.segmentid = Some(1);
        }
        let keys = [
            ContactOrder::Id,
            ContactOrder::Cdate,
            ContactOrder::Email,
            ContactOrder::FirstName,
            ContactOrder::LastName,
            ContactOrder::Name,
        ];
        for _ in 0..rng.random_range(0..3) {
            let dir = if rng.random_bool(0.5) {
                SortDir::Asc
            } else {
                SortDir::Desc
            };
            q.orders.push((keys[rng.random_range(0..keys.len())], dir));
        }
        q
    }

    /// Every filter, order and page gives what the former scan gave, on stores churned by
    /// every mutation (so through maintained indexes), and on one read back from its state.
    #[test]
    fn listing_from_the_indexes_equals_the_former_scan() {
        for seed in 0..6 {
            let s = churned_store(seed, 80, 1200);
            let json = serde_json::to_string(&s).expect("ser");
            let loaded: Store = serde_json::from_str(&json).expect("de");
            let mut rng = StdRng::seed_from_u64(1000 + seed);
            for i in 0..1500 {
                let q = random_query(&mut rng, &s);
                let want = scan(&s, &q);
                let (page, total) = s.list_contacts(&q);
                let got = (page.iter().map(|c| c.id).collect::<Vec<_>>(), total);
                assert_eq!(got, want, "seed {seed} query {i}: {q:?}");
                let (page, total) = loaded.list_contacts(&q);
                let got = (page.iter().map(|c| c.id).collect::<Vec<_>>(), total);
                assert_eq!(got, want, "loaded, seed {seed} query {i}: {q:?}");
            }
        }
    }
}
