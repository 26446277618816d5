//! Custom contact fields, their options, list relations and contact values.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Change, Entity, Store, StoreError, StoreResult};

/// A custom contact field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // named as AC names them
pub struct Field {
    pub id: u64,
    pub title: String,
    pub field_type: String,
    pub descript: Option<String>,
    pub isrequired: u64,
    pub perstag: String,
    pub defval: Option<String>,
    pub visible: u64,
    pub ordernum: u64,
    pub cdate: DateTime<Utc>,
    pub udate: DateTime<Utc>,
}

/// Attributes of a field create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct FieldInput {
    pub title: Option<String>,
    pub field_type: Option<String>,
    pub descript: Option<String>,
    pub isrequired: Option<u64>,
    pub perstag: Option<String>,
    pub defval: Option<String>,
    pub visible: Option<u64>,
    pub ordernum: Option<u64>,
}

/// One option of a dropdown, radio, checkbox or listbox field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FieldOption {
    pub id: u64,
    pub field: u64,
    pub orderid: u64,
    pub value: String,
    pub label: String,
    pub isdefault: bool,
    pub cdate: DateTime<Utc>,
    pub udate: DateTime<Utc>,
}

/// One option of `POST /fieldOption/bulk`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct FieldOptionInput {
    pub field: u64,
    pub orderid: u64,
    pub value: String,
    pub label: String,
    pub isdefault: bool,
}

/// A field ↔ list relation; `relid` 0 means "all lists".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FieldRel {
    pub id: u64,
    pub field: u64,
    pub relid: u64,
    pub dorder: u64,
    pub cdate: DateTime<Utc>,
}

/// The value of one field for one contact (one row per pair).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FieldValue {
    pub id: u64,
    pub contact: u64,
    pub field: u64,
    pub value: String,
    pub cdate: DateTime<Utc>,
    pub udate: DateTime<Utc>,
}

/// The perstag AC derives from a title: upper case, every non-alphanumeric becomes `_`.
pub fn perstag_from_title(title: &str) -> String {
    title
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A supplied perstag as AC stores it: upper case, spaces removed.
pub fn normalize_perstag(perstag: &str) -> String {
    perstag
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

fn duplicate_title(title: &str) -> StoreError {
    StoreError::Duplicate {
        title: "There is already a field with this title".into(),
        detail: format!("There is already a field named '{title}' -- choose another name"),
        pointer: None,
    }
}

impl Store {
    /// Fails with `NotFound` unless the field exists.
    pub fn field(&self, id: u64) -> StoreResult<&Field> {
        self.fields.get_or(Entity::Field, id)
    }

    fn check_field_title(&self, title: &str, except: Option<u64>) -> StoreResult<()> {
        if self
            .fields
            .iter()
            .any(|f| Some(f.id) != except && f.title.eq_ignore_ascii_case(title))
        {
            return Err(duplicate_title(title));
        }
        Ok(())
    }

    /// `POST /fields`: `title` and `type` are required; titles are unique.
    pub fn create_field(&mut self, input: &FieldInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        let mut errors = Vec::new();
        if blank(&input.title) {
            errors.push(StoreError::Missing {
                title: "The field title was not provided.".into(),
                pointer: "/data/attributes/title".into(),
            });
        }
        if input.field_type.is_none() {
            errors.push(StoreError::Missing {
                title: "The field type was not provided.".into(),
                pointer: "/data/attributes/type".into(),
            });
        }
        if errors.len() > 1 {
            return Err(StoreError::Many(errors));
        }
        if let Some(e) = errors.pop() {
            return Err(e);
        }
        let title = input.title.clone().unwrap_or_default().trim().to_string();
        self.check_field_title(&title, None)?;
        let perstag = match &input.perstag {
            Some(p) if !p.trim().is_empty() => normalize_perstag(p),
            _ => perstag_from_title(&title),
        };
        let ordernum = input
            .ordernum
            .unwrap_or_else(|| self.fields.iter().map(|f| f.ordernum).max().unwrap_or(0) + 1);
        let id = self.fields.insert_with(|id| Field {
            id,
            title,
            field_type: input.field_type.clone().unwrap_or_default(),
            descript: input.descript.clone(),
            isrequired: input.isrequired.unwrap_or(0),
            perstag,
            defval: input.defval.clone(),
            visible: input.visible.unwrap_or(1),
            ordernum,
            cdate: now,
            udate: now,
        });
        self.record(Change::FieldCreated { field: id });
        Ok(id)
    }

    /// `PUT /fields/{id}`: only sent attributes change.
    pub fn update_field(
        &mut self,
        id: u64,
        input: &FieldInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.field(id)?;
        if let Some(t) = &input.title {
            self.check_field_title(t.trim(), Some(id))?;
        }
        let f = self.fields.get_mut_or(Entity::Field, id)?;
        if let Some(v) = &input.title {
            f.title = v.trim().to_string();
        }
        if let Some(v) = &input.field_type {
            f.field_type.clone_from(v);
        }
        if input.descript.is_some() {
            f.descript.clone_from(&input.descript);
        }
        if input.defval.is_some() {
            f.defval.clone_from(&input.defval);
        }
        if let Some(p) = &input.perstag {
            f.perstag = normalize_perstag(p);
        }
        if let Some(v) = input.isrequired {
            f.isrequired = v;
        }
        if let Some(v) = input.visible {
            f.visible = v;
        }
        if let Some(v) = input.ordernum {
            f.ordernum = v;
        }
        f.udate = now;
        Ok(())
    }

    /// `DELETE /fields/{id}`: also removes its options, relations and values.
    pub fn delete_field(&mut self, id: u64) -> StoreResult<()> {
        self.fields.remove_or(Entity::Field, id)?;
        self.field_options.remove_where(|o| o.field == id);
        self.field_rels.remove_where(|r| r.field == id);
        let values: Vec<u64> = self
            .field_values
            .iter()
            .filter(|v| v.field == id)
            .map(|v| v.id)
            .collect();
        self.drop_field_values(&values);
        self.record(Change::FieldDeleted { field: id });
        Ok(())
    }

    /// `POST /fieldOption/bulk`: all or nothing; every option's field must exist.
    pub fn add_field_options(
        &mut self,
        options: &[FieldOptionInput],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<u64>> {
        for o in options {
            self.field(o.field)?;
        }
        Ok(options
            .iter()
            .map(|o| {
                self.field_options.insert_with(|id| FieldOption {
                    id,
                    field: o.field,
                    orderid: o.orderid,
                    value: o.value.clone(),
                    label: o.label.clone(),
                    isdefault: o.isdefault,
                    cdate: now,
                    udate: now,
                })
            })
            .collect())
    }

    /// `POST /fieldRels`: relate a field to a list (0 = all lists).
    pub fn add_field_rel(
        &mut self,
        field: u64,
        relid: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.field(field)?;
        if relid != 0 {
            self.list(relid)?;
        }
        Ok(self.field_rels.insert_with(|id| FieldRel {
            id,
            field,
            relid,
            dorder: 0,
            cdate: now,
        }))
    }

    /// `DELETE /fieldRels/{id}`.
    pub fn delete_field_rel(&mut self, id: u64) -> StoreResult<()> {
        self.field_rels.remove_or(Entity::FieldRel, id).map(|_| ())
    }

    /// `POST /fieldValues` and inline values: one value per (contact, field).
    /// Returns the row id and whether it is new.
    pub fn upsert_field_value(
        &mut self,
        contact: u64,
        field: u64,
        value: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<(u64, bool)> {
        self.contact(contact)?;
        self.field(field)?;
        let existing = self.field_value_row(contact, field, None);
        let result = match existing {
            Some(id) => {
                if let Some(row) = self.field_values.get_mut(id) {
                    row.value = value.to_string();
                    row.udate = now;
                }
                (id, false)
            }
            None => {
                let id = self.field_values.insert_with(|id| FieldValue {
                    id,
                    contact,
                    field,
                    value: value.to_string(),
                    cdate: now,
                    udate: now,
                });
                self.links.update(|l| l.value_added(contact, id));
                (id, true)
            }
        };
        self.record(Change::FieldValueSet { contact, field });
        Ok(result)
    }

    /// Fails with `NotFound` unless the field value exists.
    pub fn field_value(&self, id: u64) -> StoreResult<&FieldValue> {
        self.field_values.get_or(Entity::FieldValue, id)
    }

    /// `PUT /fieldValues/{id}`: sets the value (and moves it if contact/field are sent).
    pub fn update_field_value(
        &mut self,
        id: u64,
        contact: Option<u64>,
        field: Option<u64>,
        value: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.field_value(id)?.clone();
        let contact = contact.unwrap_or(current.contact);
        let field = field.unwrap_or(current.field);
        self.contact(contact)?;
        self.field(field)?;
        if self.field_value_row(contact, field, Some(id)).is_some() {
            return Err(StoreError::Duplicate {
                title: "This contact already has a value for this field".into(),
                detail: String::new(),
                pointer: Some("/data/attributes/field".into()),
            });
        }
        if let Some(row) = self.field_values.get_mut(id) {
            if row.contact != contact {
                self.links.update(|l| {
                    l.value_removed(row.contact, id);
                    l.value_added(contact, id);
                });
            }
            row.contact = contact;
            row.field = field;
            if let Some(v) = value {
                row.value = v.to_string();
            }
            row.udate = now;
        }
        self.record(Change::FieldValueSet { contact, field });
        Ok(())
    }

    /// `DELETE /fieldValues/{id}`.
    pub fn delete_field_value(&mut self, id: u64) -> StoreResult<()> {
        let row = self.field_values.remove_or(Entity::FieldValue, id)?;
        self.links.update(|l| l.value_removed(row.contact, id));
        Ok(())
    }

    /// Removes these fieldValue rows (without recording changes).
    pub(crate) fn drop_field_values(&mut self, rows: &[u64]) {
        for row in rows {
            if let Some(v) = self.field_values.remove(*row) {
                self.links.update(|l| l.value_removed(v.contact, v.id));
            }
        }
    }

    /// The values of one contact, in id order.
    pub fn field_values_of(&self, contact: u64) -> Vec<&FieldValue> {
        let rows = self.links().value_rows_of(contact);
        rows.filter_map(|id| self.field_values.get(id)).collect()
    }

    /// The lowest fieldValue row of this contact and field, other than `except`.
    fn field_value_row(&self, contact: u64, field: u64, except: Option<u64>) -> Option<u64> {
        self.links()
            .value_rows_of(contact)
            .filter(|id| Some(*id) != except)
            .find(|id| self.field_values.get(*id).is_some_and(|v| v.field == field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_contact};

    #[test]
    fn perstag_derivation() {
        assert_eq!(
            perstag_from_title("Another Test Title"),
            "ANOTHER_TEST_TITLE"
        );
        assert_eq!(perstag_from_title("Date of birth?"), "DATE_OF_BIRTH_");
        assert_eq!(normalize_perstag("Personalized Tag"), "PERSONALIZEDTAG");
    }

    #[test]
    fn field_value_upserts_and_field_delete_cascades() {
        let mut s = Store::new();
        let c = test_contact(&mut s, "a@b.co");
        let f = s
            .create_field(
                &FieldInput {
                    title: Some("Colour".into()),
                    field_type: Some("text".into()),
                    ..Default::default()
                },
                now(),
            )
            .expect("field");
        let (a, new_a) = s.upsert_field_value(c, f, "red", now()).expect("first");
        let (b, new_b) = s.upsert_field_value(c, f, "blue", now()).expect("second");
        assert_eq!((a, new_a, new_b), (b, true, false));
        assert_eq!(s.field_value(a).expect("value").value, "blue");
        s.delete_field(f).expect("delete");
        assert!(s.field_values.is_empty());
    }
}
