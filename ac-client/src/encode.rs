//! Custom field helpers: resolve a field by title or perstag, and encode values the way AC
//! stores them (reference §5.7).
//!
//! | field type | encoding |
//! |---|---|
//! | `listbox`, `checkbox` | `||a||b||` (one value: `||a||`) |
//! | `date` | `YYYY-MM-DD`; a date-time input keeps its own calendar date |
//! | `datetime` | ISO-8601 with an offset; input with `Z` or an offset keeps it, a naive input is read as **UTC** |
//! | `number` | the number as a string |
//! | everything else (`text`, `textarea`, `hidden`, `dropdown`, `radio`, `NULL`, unknown types) | text |
//!
//! Booleans are sent as `"1"` / `"0"`. A value that cannot be encoded for its type (e.g.
//! `"not a date"` for a date field) is an [`Error::InvalidInput`] naming the field, before any
//! request is made.
//!
//! ```
//! use ac_client::encode::{encode_value, CustomValue};
//! use ac_client::fields::FieldType;
//!
//! let v = encode_value(&FieldType::Listbox, "Colours", &CustomValue::from(vec!["Red", "Blue"]))?;
//! assert_eq!(v, "||Red||Blue||");
//! let v = encode_value(&FieldType::Date, "Birthday", &"2024-11-01T13:05:00-06:00".into())?;
//! assert_eq!(v, "2024-11-01");
//! let v = encode_value(&FieldType::Datetime, "Seen", &"2024-11-01 13:05:00".into())?;
//! assert_eq!(v, "2024-11-01T13:05:00+00:00");
//! assert!(encode_value(&FieldType::Date, "Birthday", &"not a date".into()).is_err());
//! # Ok::<(), ac_client::Error>(())
//! ```

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone};
use futures_util::TryStreamExt;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::resources::contacts::ContactFieldValue;
use crate::resources::fields::{Field, FieldQuery, FieldType};

/// A custom field value before encoding.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    /// Text (also parsed for date, datetime and number fields).
    Text(String),
    /// Several values (listbox, checkbox).
    Many(Vec<String>),
    /// A calendar date.
    Date(NaiveDate),
    /// A point in time with an offset.
    DateTime(DateTime<FixedOffset>),
    /// An integer.
    Integer(i64),
    /// A number.
    Number(f64),
    /// A boolean (`"1"` / `"0"`).
    Bool(bool),
}

impl From<&str> for CustomValue {
    fn from(v: &str) -> Self {
        CustomValue::Text(v.to_owned())
    }
}

impl From<String> for CustomValue {
    fn from(v: String) -> Self {
        CustomValue::Text(v)
    }
}

impl From<Vec<String>> for CustomValue {
    fn from(v: Vec<String>) -> Self {
        CustomValue::Many(v)
    }
}

impl From<Vec<&str>> for CustomValue {
    fn from(v: Vec<&str>) -> Self {
        CustomValue::Many(v.into_iter().map(str::to_owned).collect())
    }
}

impl From<&[&str]> for CustomValue {
    fn from(v: &[&str]) -> Self {
        CustomValue::Many(v.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for CustomValue {
    fn from(v: [&str; N]) -> Self {
        CustomValue::Many(v.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl<const N: usize> From<[String; N]> for CustomValue {
    fn from(v: [String; N]) -> Self {
        CustomValue::Many(v.into())
    }
}

impl From<&[String]> for CustomValue {
    fn from(v: &[String]) -> Self {
        CustomValue::Many(v.to_vec())
    }
}

impl From<NaiveDate> for CustomValue {
    fn from(v: NaiveDate) -> Self {
        CustomValue::Date(v)
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for CustomValue {
    fn from(v: DateTime<Tz>) -> Self {
        CustomValue::DateTime(v.fixed_offset())
    }
}

impl From<i64> for CustomValue {
    fn from(v: i64) -> Self {
        CustomValue::Integer(v)
    }
}

impl From<i32> for CustomValue {
    fn from(v: i32) -> Self {
        CustomValue::Integer(i64::from(v))
    }
}

impl From<f64> for CustomValue {
    fn from(v: f64) -> Self {
        CustomValue::Number(v)
    }
}

impl From<bool> for CustomValue {
    fn from(v: bool) -> Self {
        CustomValue::Bool(v)
    }
}

/// Encodes several values as `||a||b||`. Values must be non-empty and must not contain `||`.
pub fn encode_multi<S: AsRef<str>>(field: &str, values: &[S]) -> Result<String> {
    if values.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("||");
    for v in values {
        let v = v.as_ref();
        if v.is_empty() {
            return Err(Error::invalid(field, "a multi-value entry is empty"));
        }
        if v.contains("||") {
            return Err(Error::invalid(
                field,
                format!("the value `{v}` contains `||`, AC's multi-value separator"),
            ));
        }
        out.push_str(v);
        out.push_str("||");
    }
    Ok(out)
}

/// Splits AC's `||a||b||` encoding (as read back or received in webhooks) into its values.
/// A plain value without separators is one value; an empty string is none.
pub fn decode_multi(encoded: &str) -> Vec<String> {
    encoded
        .split("||")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses a date-time: RFC 3339 with `Z` or an offset (kept), or a naive
/// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` read as UTC.
fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(n.and_utc().fixed_offset());
        }
    }
    None
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_datetime(s).map(|dt| dt.date_naive()))
}

fn format_datetime(dt: &DateTime<FixedOffset>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn format_number(n: f64, field: &str) -> Result<String> {
    if n.is_finite() {
        Ok(format!("{n}"))
    } else {
        Err(Error::invalid(field, format!("{n} is not a finite number")))
    }
}

/// Encodes `value` for a field of type `field_type`; `field` names the field in errors.
pub fn encode_value(field_type: &FieldType, field: &str, value: &CustomValue) -> Result<String> {
    let not = |what: &str, v: &str| Error::invalid(field, format!("`{v}` is not a {what}"));
    match field_type {
        FieldType::Listbox | FieldType::Checkbox => match value {
            CustomValue::Many(vs) => encode_multi(field, vs),
            CustomValue::Text(s) if s.is_empty() => Ok(String::new()),
            // Already encoded: keep as is.
            CustomValue::Text(s) if s.starts_with("||") && s.ends_with("||") => Ok(s.clone()),
            other => encode_multi(field, &[encode_value(&FieldType::Text, field, other)?]),
        },
        FieldType::Date => match value {
            CustomValue::Date(d) => Ok(d.format("%Y-%m-%d").to_string()),
            CustomValue::DateTime(dt) => Ok(dt.date_naive().format("%Y-%m-%d").to_string()),
            CustomValue::Text(s) => parse_date(s)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .ok_or_else(|| not("date (expected YYYY-MM-DD or an ISO-8601 date-time)", s)),
            other => Err(Error::invalid(field, format!("{other:?} is not a date"))),
        },
        FieldType::Datetime => match value {
            CustomValue::DateTime(dt) => Ok(format_datetime(dt)),
            CustomValue::Date(d) => Ok(format_datetime(
                &d.and_hms_opt(0, 0, 0)
                    .map(|n| n.and_utc().fixed_offset())
                    .ok_or_else(|| not("date", &d.to_string()))?,
            )),
            CustomValue::Text(s) => parse_datetime(s)
                .or_else(|| {
                    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(|n| n.and_utc().fixed_offset())
                })
                .map(|dt| format_datetime(&dt))
                .ok_or_else(|| not("date-time (expected ISO-8601)", s)),
            other => Err(Error::invalid(
                field,
                format!("{other:?} is not a date-time"),
            )),
        },
        FieldType::Number => match value {
            CustomValue::Integer(n) => Ok(n.to_string()),
            CustomValue::Number(n) => format_number(*n, field),
            CustomValue::Bool(b) => Ok(if *b { "1" } else { "0" }.to_owned()),
            CustomValue::Text(s) => {
                let t = s.trim();
                match t.parse::<f64>() {
                    Ok(n) if n.is_finite() => Ok(t.to_owned()),
                    _ => Err(not("number", s)),
                }
            }
            other => Err(Error::invalid(field, format!("{other:?} is not a number"))),
        },
        FieldType::Dropdown | FieldType::Radio => match value {
            CustomValue::Many(vs) if vs.len() == 1 => Ok(vs[0].clone()),
            CustomValue::Many(vs) => Err(Error::invalid(
                field,
                format!("a single-choice field takes one value, got {}", vs.len()),
            )),
            other => encode_value(&FieldType::Text, field, other),
        },
        // text, textarea, hidden, NULL and unknown types: text.
        _ => match value {
            CustomValue::Text(s) => Ok(s.clone()),
            CustomValue::Many(vs) => encode_multi(field, vs),
            CustomValue::Date(d) => Ok(d.format("%Y-%m-%d").to_string()),
            CustomValue::DateTime(dt) => Ok(format_datetime(dt)),
            CustomValue::Integer(n) => Ok(n.to_string()),
            CustomValue::Number(n) => format_number(*n, field),
            CustomValue::Bool(b) => Ok(if *b { "1" } else { "0" }.to_owned()),
        },
    }
}

/// Normalises a title or perstag for matching: lowercase letters and digits only, so
/// `"Favourite Colour"`, `FAVOURITE_COLOUR` and `favourite-colour` are the same key.
pub fn normalize_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The account's custom fields, fetched once, resolvable by title or perstag.
///
/// ```
/// use ac_client::encode::FieldCatalog;
/// use ac_client::fields::Field;
///
/// let field: Field = serde_json::from_value(serde_json::json!(
///     {"id":"7","title":"Favourite Colour","type":"listbox","perstag":"FAVOURITE_COLOUR"}
/// )).unwrap();
/// let catalog = FieldCatalog::new(vec![field]);
/// assert_eq!(catalog.resolve("favourite-colour").unwrap().id.get(), 7);
/// let fv = catalog.field_value("Favourite Colour", vec!["Red", "Blue"]).unwrap();
/// assert_eq!(fv.value, "||Red||Blue||");
/// ```
#[derive(Debug, Clone, Default)]
pub struct FieldCatalog {
    fields: Vec<Field>,
    by_perstag: HashMap<String, usize>,
    by_title: HashMap<String, usize>,
}

impl FieldCatalog {
    /// Builds a catalog from fields you already have.
    pub fn new(fields: Vec<Field>) -> Self {
        let mut by_perstag = HashMap::new();
        let mut by_title = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            if !f.perstag.is_empty() {
                by_perstag.entry(normalize_key(&f.perstag)).or_insert(i);
            }
            if !f.title.is_empty() {
                by_title.entry(normalize_key(&f.title)).or_insert(i);
            }
        }
        FieldCatalog {
            fields,
            by_perstag,
            by_title,
        }
    }

    /// Fetches every field (`GET /fields`, all pages) and builds the catalog.
    pub async fn fetch(client: &Client) -> Result<Self> {
        let fields: Vec<Field> = client
            .fields()
            .stream(FieldQuery::new())
            .try_collect()
            .await?;
        Ok(Self::new(fields))
    }

    /// The fields.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Finds a field by perstag or title, ignoring case and separators (a perstag match wins),
    /// or by numeric id.
    pub fn resolve(&self, name: &str) -> Option<&Field> {
        let key = normalize_key(name);
        if key.is_empty() {
            return None;
        }
        self.by_perstag
            .get(&key)
            .or_else(|| self.by_title.get(&key))
            .and_then(|&i| self.fields.get(i))
            .or_else(|| {
                let id: u64 = name.trim().parse().ok()?;
                self.fields.iter().find(|f| f.id.get() == id)
            })
    }

    /// Resolves `name` and encodes `value` for its type, ready for
    /// [`ContactInput::field_values`](crate::contacts::ContactInput::field_values).
    /// An unknown field or an unencodable value is an error naming the field.
    pub fn field_value(
        &self,
        name: &str,
        value: impl Into<CustomValue>,
    ) -> Result<ContactFieldValue> {
        let field = self.resolve(name).ok_or_else(|| {
            Error::invalid(
                name,
                "no custom field has this title or personalisation tag",
            )
        })?;
        let value = encode_value(&field.field_type, name, &value.into())?;
        Ok(ContactFieldValue {
            field: field.id,
            value,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc(t: FieldType, v: impl Into<CustomValue>) -> Result<String> {
        encode_value(&t, "F", &v.into())
    }

    #[test]
    fn multi_values() {
        assert_eq!(enc(FieldType::Listbox, vec!["a", "b"]).unwrap(), "||a||b||");
        assert_eq!(enc(FieldType::Checkbox, "a").unwrap(), "||a||");
        assert_eq!(enc(FieldType::Checkbox, "||a||b||").unwrap(), "||a||b||");
        assert_eq!(enc(FieldType::Listbox, Vec::<String>::new()).unwrap(), "");
        assert!(enc(FieldType::Listbox, vec!["a||b"]).is_err());
        assert_eq!(decode_multi("||a||b||"), vec!["a", "b"]);
        assert_eq!(decode_multi("plain"), vec!["plain"]);
        assert!(decode_multi("").is_empty());
    }

    #[test]
    fn dates() {
        assert_eq!(enc(FieldType::Date, "2018-12-31").unwrap(), "2018-12-31");
        assert_eq!(
            enc(FieldType::Date, "2018-12-31T23:00:00Z").unwrap(),
            "2018-12-31"
        );
        assert_eq!(
            enc(FieldType::Date, "2018-12-31T23:00:00-05:00").unwrap(),
            "2018-12-31"
        );
        assert_eq!(
            enc(
                FieldType::Date,
                NaiveDate::from_ymd_opt(2020, 2, 29).unwrap()
            )
            .unwrap(),
            "2020-02-29"
        );
        let err = enc(FieldType::Date, "not a date").unwrap_err();
        assert_eq!(err.field(), Some("F"));
        assert!(enc(FieldType::Date, 5i64).is_err());
    }

    #[test]
    fn datetimes() {
        assert_eq!(
            enc(FieldType::Datetime, "2020-05-19T02:45:00-05:00").unwrap(),
            "2020-05-19T02:45:00-05:00"
        );
        assert_eq!(
            enc(FieldType::Datetime, "2020-05-19T07:45:00Z").unwrap(),
            "2020-05-19T07:45:00+00:00"
        );
        assert_eq!(
            enc(FieldType::Datetime, "2020-05-19T07:45:00").unwrap(),
            "2020-05-19T07:45:00+00:00"
        );
        assert_eq!(
            enc(FieldType::Datetime, "2020-05-19").unwrap(),
            "2020-05-19T00:00:00+00:00"
        );
        assert!(enc(FieldType::Datetime, "yesterday").is_err());
    }

    #[test]
    fn numbers_booleans_and_text() {
        assert_eq!(enc(FieldType::Number, 1234i64).unwrap(), "1234");
        assert_eq!(enc(FieldType::Number, 1.5f64).unwrap(), "1.5");
        assert_eq!(enc(FieldType::Number, " 42 ").unwrap(), "42");
        assert!(enc(FieldType::Number, "abc").is_err());
        assert!(enc(FieldType::Number, f64::NAN).is_err());
        assert_eq!(enc(FieldType::Text, true).unwrap(), "1");
        assert_eq!(
            enc(FieldType::Other("multivalue".into()), "x").unwrap(),
            "x"
        );
        assert_eq!(enc(FieldType::Null, 3i64).unwrap(), "3");
        assert_eq!(enc(FieldType::Dropdown, vec!["one"]).unwrap(), "one");
        assert!(enc(FieldType::Dropdown, vec!["one", "two"]).is_err());
    }

    #[test]
    fn keys_ignore_case_and_separators() {
        assert_eq!(normalize_key("Favourite Colour"), "favouritecolour");
        assert_eq!(normalize_key("FAVOURITE_COLOUR"), "favouritecolour");
        assert_eq!(normalize_key("favourite-colour"), "favouritecolour");
        let f: Field = serde_json::from_value(serde_json::json!(
            {"id":"3","title":"Birthday","type":"date","perstag":"BDAY"}))
        .unwrap();
        let c = FieldCatalog::new(vec![f]);
        assert_eq!(c.resolve("birthday").unwrap().id.get(), 3);
        assert_eq!(c.resolve("bday").unwrap().id.get(), 3);
        assert_eq!(c.resolve("3").unwrap().id.get(), 3);
        assert!(c.resolve("nope").is_none());
        assert_eq!(
            c.field_value("nope", "x").unwrap_err().field(),
            Some("nope")
        );
        assert_eq!(
            c.field_value("Birthday", "junk").unwrap_err().field(),
            Some("Birthday")
        );
        assert_eq!(
            c.field_value("BDAY", "2000-01-02").unwrap().value,
            "2000-01-02"
        );
    }

    proptest! {
        #[test]
        fn multi_value_round_trip(values in proptest::collection::vec("[^|]{1,12}", 0..8)) {
            let encoded = encode_multi("F", &values).unwrap();
            prop_assert_eq!(decode_multi(&encoded), values.clone());
            if !values.is_empty() {
                prop_assert!(encoded.starts_with("||") && encoded.ends_with("||"));
            }
        }

        #[test]
        fn date_round_trip(days in 0i64..100_000) {
            let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            let encoded = enc(FieldType::Date, d).unwrap();
            prop_assert_eq!(NaiveDate::parse_from_str(&encoded, "%Y-%m-%d").unwrap(), d);
            // Text in the same form re-encodes to itself.
            prop_assert_eq!(enc(FieldType::Date, encoded.as_str()).unwrap(), encoded.clone());
        }

        #[test]
        fn datetime_round_trip(secs in 0i64..4_000_000_000, offset_min in -720i32..=840) {
            let tz = FixedOffset::east_opt(offset_min * 60).unwrap();
            let dt = tz.timestamp_opt(secs, 0).unwrap();
            let encoded = enc(FieldType::Datetime, dt).unwrap();
            let back = DateTime::parse_from_rfc3339(&encoded).unwrap();
            prop_assert_eq!(back, dt);
            prop_assert_eq!(back.offset(), dt.offset());
            prop_assert_eq!(enc(FieldType::Datetime, encoded.as_str()).unwrap(), encoded.clone());
        }
    }
}
