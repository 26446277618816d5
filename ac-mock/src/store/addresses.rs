//! Sender addresses (AC's `/addresses`): the postal addresses campaigns and lists show.

use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult};

/// An address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // named as AC names them
pub struct Address {
    pub id: u64,
    pub company_name: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub district: String,
    pub zip: String,
    /// Two-letter country code, upper case.
    pub country: String,
    /// Whether every group may use it.
    pub allgroup: bool,
    /// The account's default address (at most one).
    pub is_default: bool,
}

/// Attributes of an address create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct AddressInput {
    pub company_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub district: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub allgroup: Option<bool>,
    pub is_default: Option<bool>,
}

fn missing(attr: &str) -> StoreError {
    StoreError::Missing {
        title: format!("The address {attr} was not provided."),
        pointer: format!("/data/attributes/{attr}"),
    }
}

fn check(input: &AddressInput, creating: bool) -> StoreResult<()> {
    let mut errors = Vec::new();
    for (attr, value) in [
        ("company_name", &input.company_name),
        ("address_1", &input.address1),
        ("country", &input.country),
    ] {
        let blank = value.as_deref().is_none_or(|v| v.trim().is_empty());
        if blank && (creating || value.is_some()) {
            errors.push(missing(attr));
        }
    }
    if let Some(c) = input
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            errors.push(StoreError::Invalid {
                code: "field_invalid",
                title: "The country must be a two-letter country code.".into(),
                pointer: "/data/attributes/country".into(),
                error: None,
            });
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(StoreError::Many(errors)),
    }
}

fn apply(a: &mut Address, input: &AddressInput) {
    let set = |dst: &mut String, src: &Option<String>| {
        if let Some(v) = src {
            *dst = v.trim().to_string();
        }
    };
    set(&mut a.company_name, &input.company_name);
    set(&mut a.address1, &input.address1);
    set(&mut a.address2, &input.address2);
    set(&mut a.city, &input.city);
    set(&mut a.state, &input.state);
    set(&mut a.district, &input.district);
    set(&mut a.zip, &input.zip);
    if let Some(c) = &input.country {
        a.country = c.trim().to_ascii_uppercase();
    }
    if let Some(v) = input.allgroup {
        a.allgroup = v;
    }
    if let Some(v) = input.is_default {
        a.is_default = v;
    }
}

impl Store {
    /// Fails with `NotFound` unless the address exists.
    pub fn address(&self, id: u64) -> StoreResult<&Address> {
        self.addresses.get_or(Entity::Address, id)
    }

    /// `POST /addresses`: `company_name`, `address_1` and a two-letter `country` are required.
    /// The first address, or one sent with `is_default`, becomes the default.
    pub fn create_address(&mut self, input: &AddressInput) -> StoreResult<u64> {
        check(input, true)?;
        let mut address = Address::default();
        apply(&mut address, input);
        address.is_default |= self.addresses.is_empty();
        let id = self.addresses.insert_with(|id| Address { id, ..address });
        self.keep_one_default(id);
        Ok(id)
    }

    /// `PUT /addresses/{id}`: only sent fields change; sent required fields must not be blank.
    pub fn update_address(&mut self, id: u64, input: &AddressInput) -> StoreResult<()> {
        self.address(id)?;
        check(input, false)?;
        let a = self.addresses.get_mut_or(Entity::Address, id)?;
        apply(a, input);
        self.keep_one_default(id);
        Ok(())
    }

    /// `DELETE /addresses/{id}`.
    pub fn delete_address(&mut self, id: u64) -> StoreResult<()> {
        self.addresses.remove_or(Entity::Address, id).map(drop)
    }

    /// When `id` is the default, no other address is.
    fn keep_one_default(&mut self, id: u64) {
        if self.addresses.get(id).is_some_and(|a| a.is_default) {
            for a in self.addresses.rows.values_mut() {
                a.is_default = a.id == id;
            }
        }
    }
}
