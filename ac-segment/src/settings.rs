//! Settings: where AC is, the credentials, the flavour, and the optional mapping extras.
//!
//! Also read from Segment's own destination-settings JSON (`apiKey`, and the API URL under
//! `apiSecret` as Segment's catalog names it, or `apiUrl`) and RudderStack's (`apiUrl`,
//! `apiKey`, `actid`, `eventKey`).
//!
//! ```
//! use ac_segment::{Flavor, Settings};
//!
//! let s = Settings::from_json(br#"{"apiKey":"secret","apiSecret":"https://acme.api-us1.com",
//!                                  "flavor":"segment"}"#)?;
//! assert_eq!(s.api_url.as_deref(), Some("https://acme.api-us1.com"));
//! assert_eq!(s.flavor, Flavor::Segment);
//! assert!(!format!("{s:?}").contains("secret"));
//! # Ok::<(), ac_segment::SettingsError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use ac_client::{Client, RateLimit};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::spec::get_loose;

/// Which integration's rules to follow (see the crate README's flavour table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    /// The superset: every input form either integration accepts, doing the most useful thing.
    #[default]
    Default,
    /// Segment's documented ActiveCampaign destination rules, exactly.
    Segment,
    /// RudderStack's documented rules, without its bugs.
    Rudderstack,
}

impl Flavor {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Default => "default",
            Flavor::Segment => "segment",
            Flavor::Rudderstack => "rudderstack",
        }
    }
}

impl FromStr for Flavor {
    type Err = SettingsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "default" => Ok(Flavor::Default),
            "segment" => Ok(Flavor::Segment),
            "rudderstack" | "rudder" => Ok(Flavor::Rudderstack),
            other => Err(SettingsError::new(
                "flavor",
                format!("`{other}` is not a flavour (default, segment or rudderstack)"),
            )),
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A setting that is missing or malformed, naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting `{setting}`: {message}")]
pub struct SettingsError {
    /// The setting (`api_url`, `flavor`, ...).
    pub setting: String,
    /// What is wrong.
    pub message: String,
}

impl SettingsError {
    fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        SettingsError {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

/// Everything ac-segment needs to know. Secrets are [`SecretString`]s: `Debug` redacts them.
#[derive(Clone, Default)]
pub struct Settings {
    /// The account's API URL (`https://ACCOUNT.api-us1.com`).
    pub api_url: Option<String>,
    /// The API token (`Api-Token`), sent only to the API URL's host.
    pub api_token: Option<SecretString>,
    /// The tracking account id (`actid`), for event tracking and site visits.
    pub actid: Option<String>,
    /// The event key, for event tracking.
    pub event_key: Option<SecretString>,
    /// The tracking host (default `https://trackcmp.net`).
    pub tracking_url: Option<String>,
    /// The rules to follow.
    pub flavor: Flavor,
    /// The perstag of a custom field that stores the Segment `userId` (Segment's "External
    /// User ID"; AC has no such built-in field).
    pub user_id_field: Option<String>,
    /// Engage audiences (`context.personas`) also add (`true`) or remove (`false`) a tag
    /// named after the audience.
    pub audiences_as_tags: bool,
    /// Bulk imports ask AC not to run automations for the imported contacts.
    pub exclude_automations: bool,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |s: &Option<SecretString>| s.as_ref().map(|_| "[REDACTED]");
        f.debug_struct("Settings")
            .field("api_url", &self.api_url)
            .field("api_token", &redact(&self.api_token))
            .field("actid", &self.actid)
            .field("event_key", &redact(&self.event_key))
            .field("tracking_url", &self.tracking_url)
            .field("flavor", &self.flavor)
            .field("user_id_field", &self.user_id_field)
            .field("audiences_as_tags", &self.audiences_as_tags)
            .field("exclude_automations", &self.exclude_automations)
            .finish()
    }
}

fn text(map: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| get_loose(map, k))
        .find_map(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

fn flag(map: &Map<String, Value>, key: &str) -> Result<Option<bool>, SettingsError> {
    match get_loose(map, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(Some(true)),
            "0" | "false" | "no" | "off" | "" => Ok(Some(false)),
            _ => Err(SettingsError::new(key, format!("`{s}` is not a boolean"))),
        },
        Some(Value::Number(n)) => Ok(Some(n.as_f64() != Some(0.0))),
        Some(_) => Err(SettingsError::new(key, "must be a boolean")),
    }
}

impl Settings {
    /// Settings with the default flavour and nothing set.
    pub fn new() -> Self {
        Settings::default()
    }

    /// Reads a settings document: ac-segment's own keys (`api_url`, `api_token`, `actid`,
    /// `event_key`, `tracking_url`, `flavor`, `user_id_field`, `audiences_as_tags`,
    /// `exclude_automations`; any case or separator), Segment's (`apiKey`, `apiSecret` = the
    /// API URL) or RudderStack's (`apiUrl`, `apiKey`, `actid`, `eventKey`).
    pub fn from_json(bytes: &[u8]) -> Result<Settings, SettingsError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| SettingsError::new("settings", format!("not JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(SettingsError::new("settings", "must be a JSON object"));
        };
        let api_url = text(&map, &["api_url", "apiSecret"]);
        let flavor = match text(&map, &["flavor", "flavour"]) {
            Some(f) => f.parse()?,
            None => Flavor::Default,
        };
        Ok(Settings {
            api_url,
            api_token: text(&map, &["api_token", "apiKey"]).map(SecretString::from),
            actid: text(&map, &["actid"]),
            event_key: text(&map, &["event_key"]).map(SecretString::from),
            tracking_url: text(&map, &["tracking_url"]),
            flavor,
            user_id_field: text(&map, &["user_id_field", "externalUserIdField"]),
            audiences_as_tags: flag(&map, "audiences_as_tags")?.unwrap_or(false),
            exclude_automations: flag(&map, "exclude_automations")?.unwrap_or(false),
        })
    }

    /// Fills every setting this one lacks from `other` (command-line flags over a file).
    pub fn or(mut self, other: Settings) -> Settings {
        self.api_url = self.api_url.or(other.api_url);
        self.api_token = self.api_token.or(other.api_token);
        self.actid = self.actid.or(other.actid);
        self.event_key = self.event_key.or(other.event_key);
        self.tracking_url = self.tracking_url.or(other.tracking_url);
        self.user_id_field = self.user_id_field.or(other.user_id_field);
        self
    }

    /// Builds the AC client these settings describe, with `rate_limit` requests per second
    /// (0 = no client-side limit). The token goes only to the API URL's host; the tracking
    /// host gets `actid` and the event key only.
    pub fn client(&self, rate_limit: u32) -> Result<Client, SettingsError> {
        let url = self
            .api_url
            .as_deref()
            .ok_or_else(|| SettingsError::new("api_url", "missing (--api-url or AC_API_URL)"))?;
        let token = self.api_token.as_ref().ok_or_else(|| {
            SettingsError::new("api_token", "missing (--api-token or AC_API_TOKEN)")
        })?;
        let mut b = Client::builder()
            .api_url(url)
            .api_token(token.expose_secret())
            .rate_limit(if rate_limit == 0 {
                RateLimit::disabled()
            } else {
                RateLimit::per_second(rate_limit)
            });
        if let Some(actid) = &self.actid {
            b = b.actid(actid);
        }
        if let Some(key) = &self.event_key {
            b = b.event_key(key.expose_secret());
        }
        if let Some(t) = &self.tracking_url {
            b = b.tracking_url(t);
        }
        b.build()
            .map_err(|e| SettingsError::new("api_url", e.to_string()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rudderstack_shape() {
        let s = Settings::from_json(
            br#"{"apiUrl":"https://a.api-us1.com","apiKey":"k","actid":"123","eventKey":"ek"}"#,
        )
        .unwrap();
        assert_eq!(s.api_url.as_deref(), Some("https://a.api-us1.com"));
        assert_eq!(s.actid.as_deref(), Some("123"));
        assert!(s.event_key.is_some());
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("ek\"") && !dbg.contains("\"k\""), "{dbg}");
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let e = Settings::from_json(br#"{"flavor":"mixpanel"}"#).unwrap_err();
        assert_eq!(e.setting, "flavor");
        let e = Settings::from_json(br#"{"audiences_as_tags":"maybe"}"#).unwrap_err();
        assert_eq!(e.setting, "audiences_as_tags");
        let e = Settings::from_json(b"[]").unwrap_err();
        assert_eq!(e.setting, "settings");
        let e = Settings::new().client(5).unwrap_err();
        assert_eq!(e.setting, "api_url");
    }
}
