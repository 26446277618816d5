//! Reading a contact body (`{"contact":{...}}`, reference §2.2): the general path through a
//! `Value`, and the typed fast path for the common plain body, which reads it alike.

use serde_json::Value;

use crate::reply::ApiError;
use crate::routes::{wrapped, Attrs};
use crate::store::ContactInput;

/// Reads `{"contact":{...}}` into a store input, checking every attribute's type.
pub(super) fn contact_input(body: &Value) -> Result<ContactInput, ApiError> {
    let attrs = wrapped(body, "contact")?;
    Ok(ContactInput {
        email: attrs.string("email")?,
        first_name: attrs.string("firstName")?,
        last_name: attrs.string("lastName")?,
        phone: attrs.string("phone")?,
        orgid: attrs.u64("orgid")?,
        field_values: inline_field_values(&attrs)?,
    })
}

/// The common `{"contact":{"email":…,"firstName":…,"lastName":…,"phone":…}}` body (strings
/// or nulls, nothing else), read without building a `Value` tree. `None` for any other body:
/// the caller then takes the general path ([`contact_input`]), which gives the same input for
/// every body this accepts.
pub(super) fn plain_contact_input(bytes: &[u8]) -> Option<ContactInput> {
    use std::borrow::Cow;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body<'a> {
        #[serde(borrow)]
        contact: Plain<'a>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Plain<'a> {
        #[serde(borrow, default)]
        email: Option<Cow<'a, str>>,
        #[serde(borrow, default, rename = "firstName")]
        first_name: Option<Cow<'a, str>>,
        #[serde(borrow, default, rename = "lastName")]
        last_name: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        phone: Option<Cow<'a, str>>,
    }
    let Body { contact: p } = serde_json::from_slice(bytes).ok()?;
    Some(ContactInput {
        email: p.email.map(Cow::into_owned),
        first_name: p.first_name.map(Cow::into_owned),
        last_name: p.last_name.map(Cow::into_owned),
        phone: p.phone.map(Cow::into_owned),
        ..Default::default()
    })
}

/// `fieldValues: [{"field":"1","value":"x"}, ...]`.
fn inline_field_values(attrs: &Attrs<'_>) -> Result<Vec<(u64, String)>, ApiError> {
    let bad = |i: Option<usize>, what: &str| {
        let pointer = match i {
            Some(i) => format!("/data/attributes/fieldValues/{i}/{what}"),
            None => "/data/attributes/fieldValues".to_string(),
        };
        ApiError::field_invalid(&pointer, format!("The fieldValues {what} is invalid."))
    };
    match attrs.raw("fieldValues") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let obj = item.as_object().ok_or_else(|| bad(Some(i), "entry"))?;
                let a = Attrs::of(obj);
                let field = a.u64("field").map_err(|_| bad(Some(i), "field"))?;
                let field = field.ok_or_else(|| {
                    ApiError::field_missing(
                        &format!("/data/attributes/fieldValues/{i}/field"),
                        "The field was not provided.",
                    )
                })?;
                let value = a.string("value").map_err(|_| bad(Some(i), "value"))?;
                Ok((field, value.unwrap_or_default()))
            })
            .collect(),
        Some(_) => Err(bad(None, "list")),
    }
}
