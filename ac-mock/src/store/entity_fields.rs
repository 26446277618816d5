//! Custom fields of deals and accounts (`/dealCustomFieldMeta` + `/dealCustomFieldData`,
//! `/accountCustomFieldMeta` + `/accountCustomFieldData`): one implementation, one
//! [`FieldSet`] per kind of record, each with its own ids as AC numbers them.
//!
//! Values are kept in AC's encoding (`||a||b||` for several options, `YYYY-MM-DD` dates, cents
//! for currencies) and mirrored into the record's inline `fields`, so `GET /deals/{id}` and
//! `GET /accounts/{id}` show what the data endpoints wrote.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{merge_custom_fields, Entity, Store, StoreError, StoreResult, Table};

/// Which records a field set belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldKind {
    /// Deals.
    Deal,
    /// Accounts.
    Account,
}

/// The field types AC documents for deal and account fields.
pub const FIELD_TYPES: [&str; 11] = [
    "text",
    "textarea",
    "date",
    "datetime",
    "dropdown",
    "multiselect",
    "radio",
    "checkbox",
    "hidden",
    "currency",
    "number",
];

/// A field definition (`…CustomFieldMetum`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // named as AC names them
pub struct FieldMeta {
    pub id: u64,
    pub label: String,
    pub field_type: String,
    pub options: Vec<String>,
    pub default: Option<String>,
    pub is_required: bool,
    pub is_form_visible: bool,
    pub display_order: u64,
    pub personalization: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// Attributes of a field create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct FieldMetaInput {
    pub label: Option<String>,
    pub field_type: Option<String>,
    pub options: Option<Vec<String>>,
    pub default: Option<String>,
    pub is_required: Option<bool>,
    pub is_form_visible: Option<bool>,
    pub display_order: Option<u64>,
}

/// One record's value of one field (`…CustomFieldDatum`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct FieldDatum {
    pub id: u64,
    /// The deal or account.
    pub owner: u64,
    pub field: u64,
    pub value: String,
    /// Upper-case currency of a `currency` field.
    pub currency: Option<String>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// The fields and values of one kind of record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FieldSet {
    /// Field definitions.
    pub meta: Table<FieldMeta>,
    /// Values.
    pub data: Table<FieldDatum>,
}

/// Deal fields and account fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EntityFields {
    /// Deal custom fields.
    pub deal: FieldSet,
    /// Account custom fields.
    pub account: FieldSet,
}

impl EntityFields {
    /// The set of one kind.
    pub fn of(&self, kind: FieldKind) -> &FieldSet {
        match kind {
            FieldKind::Deal => &self.deal,
            FieldKind::Account => &self.account,
        }
    }

    fn of_mut(&mut self, kind: FieldKind) -> &mut FieldSet {
        match kind {
            FieldKind::Deal => &mut self.deal,
            FieldKind::Account => &mut self.account,
        }
    }
}

fn entities(kind: FieldKind) -> (Entity, Entity) {
    match kind {
        FieldKind::Deal => (Entity::DealFieldMeta, Entity::DealFieldData),
        FieldKind::Account => (Entity::AccountFieldMeta, Entity::AccountFieldData),
    }
}

fn invalid(attr: &str, title: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        code: "field_invalid",
        title: title.into(),
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

fn missing(attr: &str, title: &str) -> StoreError {
    StoreError::Missing {
        title: title.into(),
        pointer: format!("/data/attributes/{attr}"),
    }
}

/// Checks `value` against the field's type; returns it as stored. Several options are
/// `||a||b||`; a single option must be one of the field's options (when it has any).
pub fn check_value(meta: &FieldMeta, value: &str) -> StoreResult<String> {
    let bad = |what: &str| invalid("fieldValue", format!("The fieldValue must be {what}."));
    let is_option = |v: &str| meta.options.is_empty() || meta.options.iter().any(|o| o == v);
    match meta.field_type.as_str() {
        _ if value.is_empty() => Ok(String::new()),
        "number" => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|_| value.trim().to_string())
            .ok_or_else(|| bad("a number")),
        "currency" => value
            .trim()
            .parse::<i64>()
            .map(|n| n.to_string())
            .map_err(|_| bad("a whole number of cents")),
        "date" => NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
            .map(|d| d.format("%Y-%m-%d").to_string())
            .map_err(|_| bad("a date (YYYY-MM-DD)")),
        "datetime" => DateTime::parse_from_rfc3339(value.trim())
            .map(|_| value.trim().to_string())
            .map_err(|_| bad("an ISO-8601 date-time")),
        "dropdown" | "radio" if !is_option(value) => Err(bad("one of the field's options")),
        "multiselect" | "checkbox" => {
            let inner = value
                .strip_prefix("||")
                .and_then(|v| v.strip_suffix("||"))
                .ok_or_else(|| bad("options encoded as ||a||b||"))?;
            if inner.split("||").all(is_option) {
                Ok(value.to_string())
            } else {
                Err(bad("options of the field"))
            }
        }
        _ => Ok(value.to_string()),
    }
}

impl Store {
    /// Fails with `NotFound` unless the field exists.
    pub fn field_meta(&self, kind: FieldKind, id: u64) -> StoreResult<&FieldMeta> {
        self.entity_fields
            .of(kind)
            .meta
            .get_or(entities(kind).0, id)
    }

    /// Fails with `NotFound` unless the value exists.
    pub fn field_datum(&self, kind: FieldKind, id: u64) -> StoreResult<&FieldDatum> {
        self.entity_fields
            .of(kind)
            .data
            .get_or(entities(kind).1, id)
    }

    fn check_meta(&self, input: &FieldMetaInput) -> StoreResult<()> {
        if let Some(t) = &input.field_type {
            if !FIELD_TYPES.contains(&t.as_str()) {
                return Err(invalid(
                    "fieldType",
                    format!("The fieldType must be one of {}.", FIELD_TYPES.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// `POST /…CustomFieldMeta`: `fieldLabel` and `fieldType` are required.
    pub fn create_field_meta(
        &mut self,
        kind: FieldKind,
        input: &FieldMetaInput,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut errors = Vec::new();
        let label = input
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        if label.is_none() {
            errors.push(missing("fieldLabel", "The fieldLabel was not provided."));
        }
        if input.field_type.is_none() {
            errors.push(missing("fieldType", "The fieldType was not provided."));
        }
        if errors.len() > 1 {
            return Err(StoreError::Many(errors));
        }
        if let Some(e) = errors.pop() {
            return Err(e);
        }
        self.check_meta(input)?;
        let set = self.entity_fields.of_mut(kind);
        let order = input
            .display_order
            .unwrap_or_else(|| set.meta.iter().map(|m| m.display_order).max().unwrap_or(0) + 1);
        let label = label.unwrap_or_default().to_string();
        Ok(set.meta.insert_with(|id| FieldMeta {
            id,
            personalization: super::fields::perstag_from_title(&label),
            label,
            field_type: input.field_type.clone().unwrap_or_default(),
            options: input.options.clone().unwrap_or_default(),
            default: input.default.clone(),
            is_required: input.is_required.unwrap_or(false),
            is_form_visible: input.is_form_visible.unwrap_or(true),
            display_order: order,
            created: now,
            updated: now,
        }))
    }

    /// `PUT /…CustomFieldMeta/{id}`: only sent attributes change.
    pub fn update_field_meta(
        &mut self,
        kind: FieldKind,
        id: u64,
        input: &FieldMetaInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.field_meta(kind, id)?;
        if input.label.as_deref().is_some_and(|l| l.trim().is_empty()) {
            return Err(missing("fieldLabel", "The fieldLabel was not provided."));
        }
        self.check_meta(input)?;
        let entity = entities(kind).0;
        let m = self
            .entity_fields
            .of_mut(kind)
            .meta
            .get_mut_or(entity, id)?;
        if let Some(v) = &input.label {
            m.label = v.trim().to_string();
        }
        if let Some(v) = &input.field_type {
            m.field_type.clone_from(v);
        }
        if let Some(v) = &input.options {
            m.options.clone_from(v);
        }
        if input.default.is_some() {
            m.default.clone_from(&input.default);
        }
        if let Some(v) = input.is_required {
            m.is_required = v;
        }
        if let Some(v) = input.is_form_visible {
            m.is_form_visible = v;
        }
        if let Some(v) = input.display_order {
            m.display_order = v;
        }
        m.updated = now;
        Ok(())
    }

    /// `DELETE /…CustomFieldMeta/{id}`: its values go with it.
    pub fn delete_field_meta(&mut self, kind: FieldKind, id: u64) -> StoreResult<()> {
        let entity = entities(kind).0;
        self.entity_fields.of_mut(kind).meta.remove_or(entity, id)?;
        self.entity_fields
            .of_mut(kind)
            .data
            .remove_where(|d| d.field == id);
        match kind {
            FieldKind::Deal => {
                for deal in self.deals.rows.values_mut() {
                    deal.fields.retain(|(f, _)| *f != id);
                }
            }
            FieldKind::Account => {
                for account in self.accounts.rows.values_mut() {
                    account.fields.retain(|(f, _)| *f != id);
                }
            }
        }
        Ok(())
    }

    fn check_owner_exists(&self, kind: FieldKind, owner: u64) -> StoreResult<()> {
        let (exists, attr, what) = match kind {
            FieldKind::Deal => (self.deals.get(owner).is_some(), "dealId", "deal"),
            FieldKind::Account => (
                self.accounts.get(owner).is_some(),
                "customerAccountId",
                "account",
            ),
        };
        if exists {
            return Ok(());
        }
        Err(StoreError::Invalid {
            code: "related_missing",
            title: format!("The related {what} does not exist."),
            pointer: format!("/data/attributes/{attr}"),
            error: None,
        })
    }

    fn mirror(&mut self, kind: FieldKind, owner: u64, field: u64, value: &str) {
        let pair = [(field, value.to_string())];
        let fields = match kind {
            FieldKind::Deal => self.deals.get_mut(owner).map(|d| &mut d.fields),
            FieldKind::Account => self.accounts.get_mut(owner).map(|a| &mut a.fields),
        };
        if let Some(fields) = fields {
            merge_custom_fields(fields, &pair);
        }
    }

    /// `POST /…CustomFieldData`: one value per (record, field); a second one is 422
    /// `duplicate`. The value is checked against the field's type.
    pub fn create_field_datum(
        &mut self,
        kind: FieldKind,
        owner: Option<u64>,
        field: Option<u64>,
        value: Option<&str>,
        currency: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let owner_attr = match kind {
            FieldKind::Deal => "dealId",
            FieldKind::Account => "customerAccountId",
        };
        let Some(owner) = owner else {
            return Err(missing(
                owner_attr,
                &format!("The {owner_attr} was not provided."),
            ));
        };
        let Some(field) = field else {
            return Err(missing(
                "customFieldId",
                "The customFieldId was not provided.",
            ));
        };
        self.check_owner_exists(kind, owner)?;
        let meta =
            self.entity_fields
                .of(kind)
                .meta
                .get(field)
                .ok_or_else(|| StoreError::Invalid {
                    code: "related_missing",
                    title: "The related custom field does not exist.".into(),
                    pointer: "/data/attributes/customFieldId".into(),
                    error: None,
                })?;
        let value = check_value(meta, value.unwrap_or(""))?;
        let currency = check_currency(meta, currency)?;
        let set = self.entity_fields.of_mut(kind);
        if set
            .data
            .iter()
            .any(|d| d.owner == owner && d.field == field)
        {
            return Err(StoreError::Duplicate {
                title: "This record already has a value for this field".into(),
                detail: String::new(),
                pointer: Some("/data/attributes/customFieldId".into()),
            });
        }
        let id = set.data.insert_with(|id| FieldDatum {
            id,
            owner,
            field,
            value: value.clone(),
            currency,
            created: now,
            updated: now,
        });
        self.mirror(kind, owner, field, &value);
        Ok(id)
    }

    /// `PUT /…CustomFieldData/{id}`: sets the value (and currency).
    pub fn update_field_datum(
        &mut self,
        kind: FieldKind,
        id: u64,
        value: Option<&str>,
        currency: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.field_datum(kind, id)?.clone();
        let meta = self.field_meta(kind, current.field)?;
        let value = match value {
            Some(v) => check_value(meta, v)?,
            None => current.value.clone(),
        };
        let currency = match currency {
            Some(_) => check_currency(meta, currency)?,
            None => current.currency.clone(),
        };
        let entity = entities(kind).1;
        let row = self
            .entity_fields
            .of_mut(kind)
            .data
            .get_mut_or(entity, id)?;
        row.value.clone_from(&value);
        row.currency = currency;
        row.updated = now;
        self.mirror(kind, current.owner, current.field, &value);
        Ok(())
    }

    /// `DELETE /…CustomFieldData/{id}`.
    pub fn delete_field_datum(&mut self, kind: FieldKind, id: u64) -> StoreResult<()> {
        let entity = entities(kind).1;
        let row = self.entity_fields.of_mut(kind).data.remove_or(entity, id)?;
        let fields = match kind {
            FieldKind::Deal => self.deals.get_mut(row.owner).map(|d| &mut d.fields),
            FieldKind::Account => self.accounts.get_mut(row.owner).map(|a| &mut a.fields),
        };
        if let Some(fields) = fields {
            fields.retain(|(f, _)| *f != row.field);
        }
        Ok(())
    }

    /// The values of one record (or of every record), in id order.
    pub fn field_data_of(&self, kind: FieldKind, owner: Option<u64>) -> Vec<&FieldDatum> {
        self.entity_fields
            .of(kind)
            .data
            .iter()
            .filter(|d| owner.is_none_or(|o| d.owner == o))
            .collect()
    }

    /// Called after a deal or account create/update: its inline `fields` pairs whose field
    /// exists become (or update) data rows, so the data endpoints see them.
    pub(crate) fn sync_field_data(&mut self, kind: FieldKind, owner: u64, now: DateTime<Utc>) {
        let pairs = match kind {
            FieldKind::Deal => self.deals.get(owner).map(|d| d.fields.clone()),
            FieldKind::Account => self.accounts.get(owner).map(|a| a.fields.clone()),
        };
        let set = self.entity_fields.of_mut(kind);
        for (field, value) in pairs.unwrap_or_default() {
            if set.meta.get(field).is_none() {
                continue;
            }
            let row = set
                .data
                .rows
                .values_mut()
                .find(|d| d.owner == owner && d.field == field);
            match row {
                Some(row) if row.value != value => {
                    row.value = value;
                    row.updated = now;
                }
                Some(_) => {}
                None => {
                    set.data.insert_with(|id| FieldDatum {
                        id,
                        owner,
                        field,
                        value,
                        currency: None,
                        created: now,
                        updated: now,
                    });
                }
            }
        }
    }

    /// Removes the values of a deal or account that is gone.
    pub(crate) fn drop_field_data_of(&mut self, kind: FieldKind, owner: u64) {
        self.entity_fields
            .of_mut(kind)
            .data
            .remove_where(|d| d.owner == owner);
    }
}

/// A currency field's currency: three letters, stored upper-case; `None` for other types.
fn check_currency(meta: &FieldMeta, currency: Option<&str>) -> StoreResult<Option<String>> {
    if meta.field_type != "currency" {
        return Ok(None);
    }
    match currency.map(str::trim) {
        None | Some("") => Ok(Some("USD".into())),
        Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            Ok(Some(c.to_ascii_uppercase()))
        }
        Some(_) => Err(invalid(
            "fieldCurrency",
            "The fieldCurrency must be a three-letter code.",
        )),
    }
}
