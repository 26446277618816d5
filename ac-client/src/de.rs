//! Lenient deserializers for AC's loosely typed JSON (reference §1.4).
//!
//! AC sends numbers as strings (`"total":"14"`) and sometimes as numbers (create echoes),
//! booleans as `"0"`/`"1"` or real booleans, and null-ish dates as `null`, `""` or
//! `"0000-00-00"`. These helpers accept all of them so one odd field never fails a whole page.
//! Ids and numbers are read with serde_with's adapters; the rest is hand-written where
//! serde_with has nothing that says it (see the note above [`string_lenient`]).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::de::Error as _;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_with::{DeserializeAs, DisplayFromStr, NoneAsEmptyString, PickFirst, Same};

/// Reads a non-negative integer from a JSON number or a numeric string (serde_with's
/// `PickFirst<(DisplayFromStr, Same)>`), naming `what` on failure.
pub(crate) fn u64_from_any<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<u64, D::Error> {
    PickFirst::<(DisplayFromStr, Same)>::deserialize_as(d).map_err(|_: D::Error| {
        D::Error::custom(format!(
            "invalid {what}: expected a non-negative integer or a numeric string"
        ))
    })
}

/// `u64` from a number or numeric string; `null` and `""` read as 0.
pub(crate) fn u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_u64(d)?.unwrap_or(0))
}

/// `Option<u64>` from a number or numeric string; `null` and `""` read as `None`.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    opt_number(d)
}

/// `Option<i64>` from a number or numeric string; `null` and `""` read as `None`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    opt_number(d)
}

/// A number AC may send as a number, a numeric string, `""` or `null`: serde_with's
/// `NoneAsEmptyString` reads the strings (`""` as `None`), `Option<Same>` the numbers and
/// `null`.
fn opt_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromStr,
    T::Err: fmt::Display,
{
    PickFirst::<(NoneAsEmptyString, Option<Same>)>::deserialize_as(d)
        .map_err(|_: D::Error| D::Error::custom("expected a number or a numeric string"))
}

// Hand-written below, because serde_with has no adapter for them: reading *any* scalar as a
// string (serde_with's `DisplayFromStr` goes the other way, from a string), reading `"0"`/`"1"`
// *strings* as booleans (`BoolFromInt` reads integers only) and AC's null-ish, multi-format
// timestamps (`"0000-00-00"`, naive `YYYY-MM-DD HH:MM:SS` read as UTC).

/// A string from a string, number or boolean; `null` reads as `""`.
pub(crate) fn string_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// `Option<String>` from a string, number or boolean; `null` reads as `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(if b { "1" } else { "0" }.to_owned())),
        other => Err(D::Error::custom(format!("expected a string, got {other}"))),
    }
}

/// `Option<bool>` from `"0"`/`"1"`, `0`/`1`, `true`/`false`, `"true"`/`"false"`;
/// `null` and `""` read as `None`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(_) => Ok(Some(true)),
            None => Err(D::Error::custom(format!("expected a boolean, got {n}"))),
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "0" | "false" | "no" => Ok(Some(false)),
            "1" | "true" | "yes" => Ok(Some(true)),
            _ => Err(D::Error::custom(format!("expected a boolean, got {s:?}"))),
        },
        other => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
    }
}

/// Parses one of AC's timestamp renderings. Returns `None` for null-ish values
/// (`""`, `"0000-00-00"`, `"0000-00-00 00:00:00"`).
///
/// Accepted: RFC 3339 / ISO-8601 with an offset (`2026-05-28T04:33:44-05:00`, `...Z`);
/// `YYYY-MM-DD HH:MM:SS` and `YYYY-MM-DDTHH:MM:SS` without a zone (read as UTC); and a bare
/// `YYYY-MM-DD` (midnight UTC).
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000-00-00") {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    let utc = FixedOffset::east_opt(0)?;
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(naive.and_utc().with_timezone(&utc));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|n| n.and_utc().with_timezone(&utc));
    }
    None
}

/// `Option<DateTime<FixedOffset>>`, lenient: null-ish and unparseable values read as `None`
/// (an odd timestamp should not fail a whole page; the raw value is logged at debug level).
pub(crate) fn opt_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => {
            let parsed = parse_timestamp(&s);
            if parsed.is_none() && !s.trim().is_empty() && !s.starts_with("0000-00-00") {
                tracing::debug!(value = %s, "ignoring an unparseable AC timestamp");
            }
            Ok(parsed)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "opt_u64")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_datetime")]
        d: Option<DateTime<FixedOffset>>,
        #[serde(default, deserialize_with = "string_lenient")]
        s: String,
    }

    fn t(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn numbers_as_string_or_number() {
        assert_eq!(t(r#"{"n":"14"}"#).n, Some(14));
        assert_eq!(t(r#"{"n":14}"#).n, Some(14));
        assert_eq!(t(r#"{"n":""}"#).n, None);
        assert_eq!(t(r#"{"n":null}"#).n, None);
        assert_eq!(t(r#"{}"#).n, None);
        assert!(serde_json::from_str::<T>(r#"{"n":"x"}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n":-1}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"n":true}"#).is_err());
    }

    #[test]
    fn booleans_in_every_spelling() {
        for (json, want) in [
            (r#"{"b":"0"}"#, Some(false)),
            (r#"{"b":"1"}"#, Some(true)),
            (r#"{"b":0}"#, Some(false)),
            (r#"{"b":1}"#, Some(true)),
            (r#"{"b":true}"#, Some(true)),
            (r#"{"b":false}"#, Some(false)),
            (r#"{"b":null}"#, None),
            (r#"{"b":""}"#, None),
        ] {
            assert_eq!(t(json).b, want, "{json}");
        }
    }

    #[test]
    fn timestamps() {
        let d = t(r#"{"d":"2026-05-28T04:33:44-05:00"}"#).d.unwrap();
        assert_eq!(d.offset().local_minus_utc(), -5 * 3600);
        assert_eq!(d.to_rfc3339(), "2026-05-28T04:33:44-05:00");
        assert!(t(r#"{"d":"0000-00-00"}"#).d.is_none());
        assert!(t(r#"{"d":"0000-00-00 00:00:00"}"#).d.is_none());
        assert!(t(r#"{"d":null}"#).d.is_none());
        assert!(t(r#"{"d":"garbage"}"#).d.is_none());
        let naive = t(r#"{"d":"2026-05-28 04:03:25"}"#).d.unwrap();
        assert_eq!(naive.to_rfc3339(), "2026-05-28T04:03:25+00:00");
    }

    #[test]
    fn strings_from_anything() {
        assert_eq!(t(r#"{"s":null}"#).s, "");
        assert_eq!(t(r#"{"s":5}"#).s, "5");
        assert_eq!(t(r#"{"s":"x"}"#).s, "x");
    }
}
