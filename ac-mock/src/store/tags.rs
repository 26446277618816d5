//! Tags and contact ↔ tag associations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Change, Entity, Store, StoreError, StoreResult};

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Id.
    pub id: u64,
    /// Name.
    pub tag: String,
    /// `contact` or `template`.
    pub tag_type: String,
    /// Description.
    pub description: String,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last update time.
    pub udate: DateTime<Utc>,
}

/// Attributes of a tag create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagInput {
    /// Name.
    pub tag: Option<String>,
    /// `contact` or `template`.
    pub tag_type: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// One contact ↔ tag association (AC's `SubscriberTag`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactTag {
    /// Id of the association (what `DELETE /contactTags/{id}` takes).
    pub id: u64,
    /// Contact id.
    pub contact: u64,
    /// Tag id.
    pub tag: u64,
    /// Creation time.
    pub cdate: DateTime<Utc>,
}

/// A string comparison of `filters[search][op]` / `filters[name][op]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TextOp {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Contains,
    StartsWith,
}

impl TextOp {
    /// Parses AC's operator name.
    pub fn parse(op: &str) -> Option<Self> {
        Some(match op.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "neq" => Self::Neq,
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            "contains" => Self::Contains,
            "starts_with" => Self::StartsWith,
            _ => return None,
        })
    }

    /// Whether `value op operand` holds, case-insensitively.
    pub fn test(self, value: &str, operand: &str) -> bool {
        self.test_lower(&value.to_lowercase(), &operand.to_lowercase())
    }

    /// [`TextOp::test`] for a value and an operand already lower-cased.
    fn test_lower(self, v: &str, o: &str) -> bool {
        match self {
            Self::Eq => v == o,
            Self::Neq => v != o,
            Self::Lt => v < o,
            Self::Lte => v <= o,
            Self::Gt => v > o,
            Self::Gte => v >= o,
            Self::Contains => v.contains(o),
            Self::StartsWith => v.starts_with(o),
        }
    }
}

/// `orders[search]` / `orders[name]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    /// Exact match first, then prefix matches, then the rest (each by id).
    Weight,
    /// Alphabetical.
    Asc,
    /// Reverse alphabetical.
    Desc,
}

impl NameOrder {
    /// Parses `weight|asc|desc`, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "weight" => Some(Self::Weight),
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }
}

/// Filters shared by tag and list listings, applied to a name.
#[derive(Debug, Clone, Default)]
pub struct NameQuery {
    /// Contains, case-insensitive (`search=`).
    pub contains: Option<String>,
    /// Operator filters (`filters[search][op]=`), all must hold.
    pub ops: Vec<(TextOp, String)>,
    /// Order; `None` is id order.
    pub order: Option<NameOrder>,
    /// The term `weight` ranks against (the search or eq/contains operand).
    pub weight_term: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Rows to skip.
    pub offset: usize,
}

impl NameQuery {
    /// Whether a name passes the filters.
    pub fn matches(&self, name: &str) -> bool {
        self.matches_lower(&name.to_lowercase(), &self.lowered())
    }

    /// The `contains` term and the operands, lower-cased once for every row.
    fn lowered(&self) -> (Option<String>, Vec<(TextOp, String)>) {
        let contains = self.contains.as_deref().map(str::to_lowercase);
        let ops = self.ops.iter().map(|(op, v)| (*op, v.to_lowercase()));
        (contains, ops.collect())
    }

    /// [`NameQuery::matches`] for a lower-cased name and [`NameQuery::lowered`] terms: what
    /// [`TextOp::test`] compares, without lower-casing the terms again for every row.
    fn matches_lower(&self, name: &str, terms: &(Option<String>, Vec<(TextOp, String)>)) -> bool {
        let (contains, ops) = terms;
        contains.as_ref().is_none_or(|c| name.contains(c.as_str()))
            && ops.iter().all(|(op, v)| op.test_lower(name, v))
    }

    /// Sorts `(id, name)` pairs, filters them and returns one page plus the total. Each name
    /// is lower-cased once, not once per comparison.
    pub fn page<T>(&self, rows: Vec<(u64, &str, T)>) -> (Vec<T>, usize) {
        let terms = self.lowered();
        let mut rows: Vec<(u64, String, T)> = rows
            .into_iter()
            .map(|(id, name, row)| (id, name.to_lowercase(), row))
            .filter(|(_, name, _)| self.matches_lower(name, &terms))
            .collect();
        match self.order {
            None => rows.sort_by_key(|r| r.0),
            Some(NameOrder::Asc) => rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0))),
            Some(NameOrder::Desc) => rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0))),
            Some(NameOrder::Weight) => {
                let term = self.weight_term.clone().unwrap_or_default().to_lowercase();
                let rank = |n: &str| {
                    if n == term {
                        0
                    } else if n.starts_with(&term) {
                        1
                    } else {
                        2
                    }
                };
                rows.sort_by(|a, b| rank(&a.1).cmp(&rank(&b.1)).then(a.0.cmp(&b.0)));
            }
        }
        let total = rows.len();
        let page = rows
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|r| r.2)
            .collect();
        (page, total)
    }
}

impl Store {
    /// Fails with `NotFound` unless the tag exists.
    pub fn tag(&self, id: u64) -> StoreResult<&Tag> {
        self.tags.get_or(Entity::Tag, id)
    }

    /// Number of contacts carrying the tag (its contactTag rows).
    pub fn tag_subscriber_count(&self, tag: u64) -> usize {
        self.links().tag_row_count(tag)
    }

    /// The tag with this name (ASCII case ignored; the lowest id if a loaded state or
    /// `allow_duplicate_tags` gave several).
    pub fn tag_by_name(&self, name: &str) -> Option<u64> {
        self.links().tags_named(name).next()
    }

    fn check_tag_name(&self, name: &str, except: Option<u64>) -> StoreResult<()> {
        if !self.allow_duplicate_tags && self.links().tags_named(name).any(|id| Some(id) != except)
        {
            return Err(StoreError::Duplicate {
                title: "A tag with this name already exists".into(),
                detail: String::new(),
                pointer: Some("/data/attributes/tag".into()),
            });
        }
        Ok(())
    }

    /// `POST /tags`: a non-empty name is required.
    pub fn create_tag(&mut self, input: &TagInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let name = input.tag.as_deref().unwrap_or("").trim();
        if name.is_empty() {
            return Err(StoreError::Missing {
                title: "The tag name was not provided.".into(),
                pointer: "/data/attributes/tag".into(),
            });
        }
        self.check_tag_name(name, None)?;
        let id = self.tags.insert_with(|id| Tag {
            id,
            tag: name.to_string(),
            tag_type: input.tag_type.clone().unwrap_or_else(|| "contact".into()),
            description: input.description.clone().unwrap_or_default(),
            cdate: now,
            udate: now,
        });
        self.links.update(|l| l.tag_named(id, name));
        self.record(Change::TagCreated { tag: id });
        Ok(id)
    }

    /// `PUT|PATCH /tags/{id}`: only sent fields change.
    pub fn update_tag(&mut self, id: u64, input: &TagInput, now: DateTime<Utc>) -> StoreResult<()> {
        self.tag(id)?;
        if let Some(name) = &input.tag {
            if name.trim().is_empty() {
                return Err(StoreError::Missing {
                    title: "The tag name was not provided.".into(),
                    pointer: "/data/attributes/tag".into(),
                });
            }
            self.check_tag_name(name.trim(), Some(id))?;
        }
        let tag = self.tags.get_mut_or(Entity::Tag, id)?;
        if let Some(name) = &input.tag {
            let name = name.trim().to_string();
            let old = std::mem::replace(&mut tag.tag, name.clone());
            self.links.update(|l| {
                l.tag_unnamed(id, &old);
                l.tag_named(id, &name);
            });
        }
        if let Some(v) = &input.tag_type {
            tag.tag_type = v.clone();
        }
        if let Some(v) = &input.description {
            tag.description = v.clone();
        }
        tag.udate = now;
        Ok(())
    }

    /// `DELETE /tags/{id}`: also removes the tag from every contact.
    pub fn delete_tag(&mut self, id: u64) -> StoreResult<()> {
        let tag = self.tags.remove_or(Entity::Tag, id)?;
        self.links.update(|l| l.tag_unnamed(id, &tag.tag));
        let rows: Vec<u64> = self.links().tag_rows(id).collect();
        self.drop_contact_tags(&rows);
        self.record(Change::TagDeleted { tag: id });
        Ok(())
    }

    /// Removes these contactTag rows (without recording changes).
    pub(crate) fn drop_contact_tags(&mut self, rows: &[u64]) {
        for row in rows {
            if let Some(ct) = self.contact_tags.remove(*row) {
                self.links
                    .update(|l| l.tag_removed(ct.contact, ct.tag, ct.id));
            }
        }
    }

    /// `GET /tags`.
    pub fn list_tags(&self, q: &NameQuery) -> (Vec<&Tag>, usize) {
        q.page(
            self.tags
                .iter()
                .map(|t| (t.id, t.tag.as_str(), t))
                .collect(),
        )
    }

    /// `POST /contactTags`: returns the association id and whether it is new.
    /// Idempotent: an existing (contact, tag) pair returns the existing row.
    pub fn add_contact_tag(
        &mut self,
        contact: u64,
        tag: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<(u64, bool)> {
        self.contact(contact)?;
        self.tag(tag)?;
        if let Some(existing) = self.links().tag_row(contact, tag) {
            return Ok((existing, false));
        }
        let id = self.contact_tags.insert_with(|id| ContactTag {
            id,
            contact,
            tag,
            cdate: now,
        });
        self.links.update(|l| l.tag_added(contact, tag, id));
        self.record(Change::ContactTagAdded { contact, tag });
        Ok((id, true))
    }

    /// `DELETE /contactTags/{id}`.
    pub fn remove_contact_tag(&mut self, id: u64) -> StoreResult<()> {
        let row = self.contact_tags.remove_or(Entity::ContactTag, id)?;
        self.links
            .update(|l| l.tag_removed(row.contact, row.tag, row.id));
        self.record(Change::ContactTagRemoved {
            contact: row.contact,
            tag: row.tag,
        });
        Ok(())
    }

    /// The associations of one contact, in id order.
    pub fn contact_tags_of(&self, contact: u64) -> Vec<&ContactTag> {
        let rows = self.links().tag_rows_of(contact);
        rows.filter_map(|id| self.contact_tags.get(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_contact};

    #[test]
    fn contact_tag_is_idempotent_and_outbox_records_once() {
        let mut s = Store::new();
        let c = test_contact(&mut s, "a@b.co");
        let t = s
            .create_tag(
                &TagInput {
                    tag: Some("vip".into()),
                    ..Default::default()
                },
                now(),
            )
            .expect("tag");
        s.drain_changes();
        let first = s.add_contact_tag(c, t, now()).expect("add");
        let second = s.add_contact_tag(c, t, now()).expect("again");
        assert_eq!(
            (first.0, first.1, second.0, second.1),
            (first.0, true, first.0, false)
        );
        assert_eq!(
            s.drain_changes(),
            vec![Change::ContactTagAdded { contact: c, tag: t }]
        );
        s.remove_contact_tag(first.0).expect("remove");
        assert_eq!(
            s.drain_changes(),
            vec![Change::ContactTagRemoved { contact: c, tag: t }]
        );
    }

    #[test]
    fn weight_order_ranks_exact_then_prefix() {
        let q = NameQuery {
            order: Some(NameOrder::Weight),
            weight_term: Some("vip".into()),
            limit: 10,
            ..Default::default()
        };
        let rows = vec![(1, "a vip", 1), (2, "vip gold", 2), (3, "VIP", 3)];
        assert_eq!(q.page(rows).0, vec![3, 2, 1]);
    }
}
