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

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::FieldId;
use crate::resources::contacts::ContactFieldValue;
use crate::resources::field_values::{decode_value, FieldValue};
use crate::resources::fields::{list_page_with_options, Field, FieldOption, FieldQuery, FieldType};

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
    options: HashMap<FieldId, Vec<FieldOption>>,
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
            options: HashMap::new(),
        }
    }

    /// Adds the options of dropdown, listbox, radio and checkbox fields, so
    /// [`FieldCatalog::field_value`] checks values against them.
    pub fn with_options(mut self, options: impl IntoIterator<Item = FieldOption>) -> Self {
        for option in options {
            self.options.entry(option.field).or_default().push(option);
        }
        self
    }

    /// Fetches every field and its options (`GET /fields`, all pages; AC side-loads the
    /// options) and builds the catalog.
    pub async fn fetch(client: &Client) -> Result<Self> {
        let mut fields = Vec::new();
        let mut options = Vec::new();
        let limit = 100;
        loop {
            let query = FieldQuery::new().limit(limit).offset(fields.len() as u64);
            let (page, opts) = list_page_with_options(client, &query).await?;
            let done = page.len() < limit as usize
                || (page.total > 0 && fields.len() + page.len() >= page.total as usize);
            fields.extend(page.items);
            options.extend(opts);
            if done {
                break;
            }
        }
        Ok(Self::new(fields).with_options(options))
    }

    /// The field with this id.
    pub fn by_id(&self, id: impl Into<FieldId>) -> Option<&Field> {
        let id = id.into();
        self.fields.iter().find(|f| f.id == id)
    }

    /// The known options of a field (empty when the catalog has none for it).
    pub fn options(&self, id: impl Into<FieldId>) -> &[FieldOption] {
        self.options.get(&id.into()).map_or(&[], Vec::as_slice)
    }

    /// Decodes a field value AC returned (a contact's `field_values`, or
    /// [`crate::field_values::FieldValues`]) into a typed [`CustomValue`] by its field's type:
    /// text, a number, a date, a date-time, or a `Vec` for multi-value fields. A value of a
    /// field the catalog does not know is an error naming the field id.
    ///
    /// ```
    /// use ac_client::{fields::Field, field_values::FieldValue, CustomValue, FieldCatalog};
    ///
    /// let field: Field = serde_json::from_value(serde_json::json!(
    ///     {"id":"7","title":"Languages","type":"checkbox","perstag":"LANGUAGES"})).unwrap();
    /// let value: FieldValue = serde_json::from_value(serde_json::json!(
    ///     {"id":"1","contact":"3","field":"7","value":"||Rust||Go||"})).unwrap();
    /// let catalog = FieldCatalog::new(vec![field]);
    /// assert_eq!(catalog.decode(&value)?, CustomValue::from(["Rust", "Go"]));
    /// assert_eq!(catalog.by_id(7u64).unwrap().title, "Languages");
    /// # Ok::<(), ac_client::Error>(())
    /// ```
    pub fn decode(&self, value: &FieldValue) -> Result<CustomValue> {
        let field = self.by_id(value.field).ok_or_else(|| {
            Error::invalid(
                value.field.to_string(),
                "no custom field has this id in the catalog",
            )
        })?;
        decode_value(&field.field_type, &field.title, &value.value)
    }

    /// Every value of `values` the catalog knows, by field title, decoded with
    /// [`FieldCatalog::decode`] (values of unknown fields are left out).
    pub fn decode_all<'a>(
        &'a self,
        values: &'a [FieldValue],
    ) -> Result<Vec<(&'a str, CustomValue)>> {
        values
            .iter()
            .filter_map(|v| self.by_id(v.field).map(|f| (f, v)))
            .map(|(f, v)| Ok((f.title.as_str(), self.decode(v)?)))
            .collect()
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
            let titles = self.fields.iter().map(|f| f.title.as_str());
            let hint = did_you_mean(name, titles)
                .map(|t| format!("; did you mean `{t}`?"))
                .unwrap_or_default();
            Error::invalid(
                name,
                format!("no custom field has this title or personalisation tag{hint}"),
            )
        })?;
        let value = value.into();
        self.check_options(field, name, &value)?;
        let value = encode_value(&field.field_type, name, &value)?;
        Ok(ContactFieldValue {
            field: field.id,
            value,
        })
    }

    /// For dropdown, radio, listbox and checkbox fields with known options: every value must
    /// be one of the options' values (AC stores anything, so a typo would go unnoticed).
    fn check_options(&self, field: &Field, name: &str, value: &CustomValue) -> Result<()> {
        let options = self.options(field.id);
        let with_options = field.field_type.is_multi_value()
            || matches!(field.field_type, FieldType::Dropdown | FieldType::Radio);
        if options.is_empty() || !with_options {
            return Ok(());
        }
        let given: Vec<String> = match value {
            CustomValue::Many(v) => v.clone(),
            CustomValue::Text(t) if field.field_type.is_multi_value() => decode_multi(t),
            CustomValue::Text(t) => vec![t.clone()],
            _ => return Ok(()),
        };
        for v in given.iter().filter(|v| !v.is_empty()) {
            if options.iter().any(|o| &o.value == v) {
                continue;
            }
            let names = options
                .iter()
                .flat_map(|o| [o.value.as_str(), o.label.as_str()]);
            let hint = did_you_mean(v, names)
                .and_then(|n| options.iter().find(|o| o.value == n || o.label == n))
                .map(|o| format!("; did you mean `{}`?", o.value))
                .unwrap_or_default();
            let known: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
            return Err(Error::invalid(
                name,
                format!(
                    "`{v}` is not one of the field's options ({}){hint}",
                    known.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

/// The candidate closest to `input` when it is a near miss: equal ignoring case and
/// separators, or within a small edit distance (one edit per four characters, at least one).
fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let key = normalize_key(input);
    let budget = (key.chars().count() / 4).max(1);
    candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|c| (edit_distance(&key, &normalize_key(c)), c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance over characters, a swap of two neighbours counting as one edit (optimal
/// string alignment): `Rsut` is one edit from `Rust`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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

    fn option(field: u64, value: &str, label: &str) -> FieldOption {
        serde_json::from_value(serde_json::json!(
            {"id":"1","field":field.to_string(),"value":value,"label":label}))
        .unwrap()
    }

    #[test]
    fn option_values_are_checked_with_a_did_you_mean() {
        let f: Field = serde_json::from_value(serde_json::json!(
            {"id":"5","title":"Languages","type":"checkbox","perstag":"LANGUAGES"}))
        .unwrap();
        let c = FieldCatalog::new(vec![f])
            .with_options([option(5, "Rust", "Rust"), option(5, "Go", "Golang")]);
        assert_eq!(
            c.field_value("Languages", ["Rust", "Go"]).unwrap().value,
            "||Rust||Go||"
        );
        let err = c.field_value("Languages", ["Rust", "Rsut"]).unwrap_err();
        assert_eq!(err.field(), Some("Languages"));
        assert!(err.to_string().contains("did you mean `Rust`?"), "{err}");
        // A label's near miss suggests the option's value.
        let err = c.field_value("Languages", ["golang"]).unwrap_err();
        assert!(err.to_string().contains("did you mean `Go`?"), "{err}");
        let err = c.field_value("Languages", ["Haskell"]).unwrap_err();
        assert!(!err.to_string().contains("did you mean"), "{err}");
        // A near-miss field title is suggested too.
        let err = c.field_value("Langauges", "Rust").unwrap_err();
        assert!(
            err.to_string().contains("did you mean `Languages`?"),
            "{err}"
        );
        assert_eq!(c.by_id(5u64).unwrap().title, "Languages");
        assert!(c.by_id(6u64).is_none());
        assert_eq!(c.options(5u64).len(), 2);
    }

    #[test]
    fn values_decode_through_the_catalog() {
        let fields: Vec<Field> = serde_json::from_value(serde_json::json!([
            {"id":"1","title":"Birthday","type":"date"},
            {"id":"2","title":"Seen","type":"datetime"},
            {"id":"3","title":"Seats","type":"number"},
            {"id":"4","title":"Tags","type":"listbox"},
            {"id":"5","title":"Note","type":"textarea"}]))
        .unwrap();
        let values: Vec<FieldValue> = serde_json::from_value(serde_json::json!([
            {"id":"1","field":"1","value":"1815-12-10"},
            {"id":"2","field":"2","value":"2020-05-19T02:45:00-05:00"},
            {"id":"3","field":"3","value":"12"},
            {"id":"4","field":"4","value":"||a||b||"},
            {"id":"5","field":"5","value":"hi"},
            {"id":"6","field":"99","value":"unknown field"}]))
        .unwrap();
        let c = FieldCatalog::new(fields);
        let decoded = c.decode_all(&values).unwrap();
        assert_eq!(decoded.len(), 5);
        assert_eq!(
            decoded[0],
            (
                "Birthday",
                CustomValue::Date(NaiveDate::from_ymd_opt(1815, 12, 10).unwrap())
            )
        );
        assert!(matches!(decoded[1].1, CustomValue::DateTime(_)));
        assert_eq!(decoded[2].1, CustomValue::Integer(12));
        assert_eq!(decoded[3].1, CustomValue::from(["a", "b"]));
        assert_eq!(decoded[4].1, CustomValue::Text("hi".into()));
        assert_eq!(c.decode(&values[5]).unwrap_err().field(), Some("99"));
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
