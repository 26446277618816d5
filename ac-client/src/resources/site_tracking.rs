//! Site tracking (reference §7): the on/off switch, the tracking code, the domain whitelist
//! in both of AC's generations, and the legacy page-visit beacon.
//!
//! The whitelist exists twice: the legacy `/siteTrackingDomains` (by domain name; still used
//! by RudderStack) and the current JSON:API `/prism/urlWhitelistings` (by id). Which one works
//! on a given account is not documented; both are offered.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::UrlWhitelistingId;
use crate::resources::contacts::validate_email;
use crate::resources::event_tracking::{encode_path_segment, TrackingSettings};
use crate::resources::{require_text, wrap};

/// A whitelisted domain of the legacy API (`{"name":"example.com"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteTrackingDomain {
    /// The domain.
    #[serde(deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A whitelist entry of the current API (`/prism/urlWhitelistings`).
#[derive(Debug, Clone, PartialEq)]
pub struct UrlWhitelisting {
    /// The entry's id (the key for [`SiteTracking::remove_whitelisting`]).
    pub id: UrlWhitelistingId,
    /// `whitelisted_domain`.
    pub domain: String,
    /// `whitelisted_page` (`*` for every page).
    pub page: String,
    /// `url_regex`, as AC computed it.
    pub url_regex: Option<String>,
    /// `tracking_enabled`.
    pub tracking_enabled: Option<bool>,
    /// `conversations_enabled`.
    pub conversations_enabled: Option<bool>,
    /// `wp_enabled`.
    pub wp_enabled: Option<bool>,
    /// `created_at`.
    pub created_at: Option<DateTime<FixedOffset>>,
    /// `updated_at`.
    pub updated_at: Option<DateTime<FixedOffset>>,
    /// Every other attribute AC sent.
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawWhitelisting {
    id: UrlWhitelistingId,
    #[serde(default)]
    attributes: RawAttributes,
}

#[derive(Deserialize, Default)]
struct RawAttributes {
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    whitelisted_domain: String,
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    whitelisted_page: String,
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    url_regex: Option<String>,
    #[serde(default, deserialize_with = "crate::de::opt_bool")]
    tracking_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::de::opt_bool")]
    conversations_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::de::opt_bool")]
    wp_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    created_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    updated_at: Option<DateTime<FixedOffset>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl From<RawWhitelisting> for UrlWhitelisting {
    fn from(r: RawWhitelisting) -> Self {
        let a = r.attributes;
        UrlWhitelisting {
            id: r.id,
            domain: a.whitelisted_domain,
            page: a.whitelisted_page,
            url_regex: a.url_regex,
            tracking_enabled: a.tracking_enabled,
            conversations_enabled: a.conversations_enabled,
            wp_enabled: a.wp_enabled,
            created_at: a.created_at,
            updated_at: a.updated_at,
            extra: a.extra,
        }
    }
}

/// A new whitelist entry for [`SiteTracking::add_whitelisting`].
///
/// ```
/// use ac_client::site_tracking::WhitelistInput;
///
/// let input = WhitelistInput::new("example.com");
/// assert_eq!(
///     serde_json::to_value(input.body()).unwrap(),
///     serde_json::json!({"data":{"type":"urlWhitelistings","attributes":{
///         "whitelisted_domain":"example.com","whitelisted_page":"*",
///         "conversations_enabled":false,"wp_enabled":false,"tracking_enabled":true}}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhitelistInput {
    /// `whitelisted_domain` (required).
    pub whitelisted_domain: String,
    /// `whitelisted_page` (default `*`).
    pub whitelisted_page: String,
    /// `conversations_enabled` (default false).
    pub conversations_enabled: bool,
    /// `wp_enabled` (default false).
    pub wp_enabled: bool,
    /// `tracking_enabled` (default true).
    pub tracking_enabled: bool,
}

impl WhitelistInput {
    /// Whitelists every page of `domain` for tracking.
    pub fn new(domain: impl Into<String>) -> Self {
        WhitelistInput {
            whitelisted_domain: domain.into(),
            whitelisted_page: "*".to_owned(),
            conversations_enabled: false,
            wp_enabled: false,
            tracking_enabled: true,
        }
    }

    /// Restricts the entry to a page pattern (`whitelisted_page`).
    pub fn page(mut self, page: impl Into<String>) -> Self {
        self.whitelisted_page = page.into();
        self
    }

    /// Sets `conversations_enabled`.
    pub fn conversations_enabled(mut self, on: bool) -> Self {
        self.conversations_enabled = on;
        self
    }

    /// Sets `wp_enabled`.
    pub fn wp_enabled(mut self, on: bool) -> Self {
        self.wp_enabled = on;
        self
    }

    /// Sets `tracking_enabled`.
    pub fn tracking_enabled(mut self, on: bool) -> Self {
        self.tracking_enabled = on;
        self
    }

    /// The JSON:API body sent (`{"data":{"type":"urlWhitelistings","attributes":{...}}}`).
    pub fn body(&self) -> Value {
        serde_json::json!({"data": {"type": "urlWhitelistings", "attributes": self}})
    }
}

/// A page visit for the legacy beacon ([`SiteTracking::record_visit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageVisit {
    /// The visited URL (`u`, required).
    pub url: String,
    /// The contact's email (`e`; empty for an anonymous visit).
    pub email: Option<String>,
    /// The referrer (`r`).
    pub referrer: Option<String>,
}

impl PageVisit {
    /// A visit of `url` by the contact with `email`.
    pub fn new(url: impl Into<String>, email: impl Into<String>) -> Self {
        PageVisit {
            url: url.into(),
            email: Some(email.into()),
            referrer: None,
        }
    }

    /// Sets the referrer.
    pub fn referrer(mut self, r: impl Into<String>) -> Self {
        self.referrer = Some(r.into());
        self
    }

    /// Checks the visit as the client does before sending.
    pub fn validate(&self) -> Result<()> {
        require_text("url", &self.url)?;
        if let Some(e) = &self.email {
            validate_email(e)?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct SettingsEnvelope {
    #[serde(rename = "siteTracking")]
    site_tracking: TrackingSettings,
}

#[derive(Deserialize)]
struct DomainEnvelope {
    #[serde(rename = "siteTrackingDomain")]
    domain: SiteTrackingDomain,
}

#[derive(Deserialize)]
struct DomainList {
    #[serde(rename = "siteTrackingDomains", default)]
    domains: Vec<SiteTrackingDomain>,
}

#[derive(Deserialize)]
struct WhitelistingList {
    #[serde(default)]
    data: Vec<RawWhitelisting>,
}

#[derive(Deserialize)]
struct WhitelistingEnvelope {
    data: RawWhitelisting,
}

#[derive(Serialize)]
struct NameInput<'a> {
    name: &'a str,
}

/// The site tracking handler: `client.site_tracking()`.
#[derive(Debug, Clone, Copy)]
pub struct SiteTracking<'c> {
    client: &'c Client,
}

impl Client {
    /// Site tracking: settings, tracking code, domain whitelist, legacy visit beacon.
    pub fn site_tracking(&self) -> SiteTracking<'_> {
        SiteTracking { client: self }
    }
}

impl<'c> SiteTracking<'c> {
    /// Whether site tracking is enabled (`GET /siteTracking`).
    pub async fn settings(&self) -> Result<TrackingSettings> {
        let env: SettingsEnvelope = self.client.send(ApiRequest::get("siteTracking")).await?;
        Ok(env.site_tracking)
    }

    /// Enables or disables site tracking (`PUT /siteTracking`); returns the new settings.
    pub async fn set_enabled(&self, enabled: bool) -> Result<TrackingSettings> {
        let body = wrap("siteTracking", &TrackingSettings { enabled })?;
        let env: SettingsEnvelope = self
            .client
            .send(ApiRequest::put("siteTracking", &body)?)
            .await?;
        Ok(env.site_tracking)
    }

    /// The JavaScript tracking snippet to embed in pages (`GET /siteTracking/code`,
    /// `text/plain`).
    pub async fn code(&self) -> Result<String> {
        let raw = self
            .client
            .execute(ApiRequest::get("siteTracking/code").text())
            .await?;
        Ok(raw.text())
    }

    /// The whitelisted domains, legacy API (`GET /siteTrackingDomains`).
    pub async fn domains(&self) -> Result<Vec<SiteTrackingDomain>> {
        let list: DomainList = self
            .client
            .send(ApiRequest::get("siteTrackingDomains"))
            .await?;
        Ok(list.domains)
    }

    /// Whitelists a domain, legacy API (`POST /siteTrackingDomains`, 200). Repeating it is
    /// harmless, so it is retried like an upsert.
    pub async fn add_domain(&self, name: &str) -> Result<SiteTrackingDomain> {
        require_text("name", name)?;
        let body = wrap("siteTrackingDomain", &NameInput { name: name.trim() })?;
        let env: DomainEnvelope = self
            .client
            .send(ApiRequest::post_upsert("siteTrackingDomains", &body)?)
            .await?;
        Ok(env.domain)
    }

    /// Removes a domain, legacy API (`DELETE /siteTrackingDomains/{name}`, 204).
    pub async fn remove_domain(&self, name: &str) -> Result<()> {
        require_text("name", name)?;
        let path = format!("siteTrackingDomains/{}", encode_path_segment(name.trim()));
        self.client.send_empty(ApiRequest::delete(path)).await
    }

    /// The whitelist, current API (`GET /prism/urlWhitelistings`).
    pub async fn whitelistings(&self) -> Result<Vec<UrlWhitelisting>> {
        let list: WhitelistingList = self
            .client
            .send(ApiRequest::get("prism/urlWhitelistings"))
            .await?;
        Ok(list.data.into_iter().map(Into::into).collect())
    }

    /// Adds a whitelist entry, current API (`POST /prism/urlWhitelistings`, 201). A domain
    /// already listed is a 409: [`Error::is_conflict`] is true. Never retried after a 5xx.
    pub async fn add_whitelisting(
        &self,
        input: impl Borrow<WhitelistInput>,
    ) -> Result<UrlWhitelisting> {
        let input: &WhitelistInput = input.borrow();
        require_text("whitelisted_domain", &input.whitelisted_domain)?;
        require_text("whitelisted_page", &input.whitelisted_page)?;
        let env: WhitelistingEnvelope = self
            .client
            .send(ApiRequest::post("prism/urlWhitelistings", &input.body())?)
            .await?;
        Ok(env.data.into())
    }

    /// Removes a whitelist entry, current API (`DELETE /prism/urlWhitelistings/{id}`, 204).
    pub async fn remove_whitelisting(&self, id: impl Into<UrlWhitelistingId>) -> Result<()> {
        let id: UrlWhitelistingId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("prism/urlWhitelistings/{id}")))
            .await
    }

    /// Records a page visit through the **legacy, undocumented** beacon
    /// `GET {tracking URL}/visit?actid=&e=&u=&r=` that AC's old embed snippet called.
    ///
    /// AC documents no REST way to record a page visit (reference §7.2): visits are normally
    /// written by the browser script (prism.js). This beacon is not part of AC's documented
    /// API; AC may ignore it, and a 2xx answer does not prove the visit was stored. For a
    /// documented (but not identical) alternative, send an event such as `page_view` with
    /// [`EventTracking::send`](crate::event_tracking::EventTracking::send).
    ///
    /// Needs `actid` (not the event key; no `Api-Token` is sent). Not idempotent: never
    /// repeated after a 5xx or a connection error.
    pub async fn record_visit(&self, visit: impl Borrow<PageVisit>) -> Result<()> {
        let visit: &PageVisit = visit.borrow();
        let actid = self
            .client
            .inner
            .actid
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| {
                Error::config(
                    "recording a visit needs the tracking account id (use .actid(...) or AC_ACTID)",
                )
            })?;
        visit.validate()?;
        let query = vec![
            ("actid".to_owned(), actid.to_owned()),
            (
                "e".to_owned(),
                visit.email.as_deref().unwrap_or("").trim().to_owned(),
            ),
            ("u".to_owned(), visit.url.clone()),
            ("r".to_owned(), visit.referrer.clone().unwrap_or_default()),
        ];
        self.client
            .execute(ApiRequest::tracking_get("visit", query))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whitelisting_model() {
        let env: WhitelistingList = serde_json::from_value(json!({"data":[{"type":"urlWhitelistings","id":"490469",
            "attributes":{"whitelisted_domain":"example.com","whitelisted_page":"*",
            "url_regex":"#^example\\.com(\\/.*)?$#","conversations_enabled":0,"tracking_enabled":1,
            "created_at":"2024-01-03T17:19:36Z","updated_at":"2025-04-24T19:11:32Z","wp_enabled":0}}]}))
        .unwrap();
        let w: UrlWhitelisting = env.data.into_iter().next().unwrap().into();
        assert_eq!(w.id, UrlWhitelistingId(490469));
        assert_eq!(w.domain, "example.com");
        assert_eq!(w.page, "*");
        assert_eq!(w.tracking_enabled, Some(true));
        assert_eq!(w.conversations_enabled, Some(false));
        assert!(w.created_at.is_some());
    }

    #[test]
    fn visit_validation() {
        PageVisit::new("https://x.co/a", "a@b.co")
            .validate()
            .unwrap();
        assert_eq!(
            PageVisit::new("", "a@b.co").validate().unwrap_err().field(),
            Some("url")
        );
        assert_eq!(
            PageVisit::new("https://x.co", "bad")
                .validate()
                .unwrap_err()
                .field(),
            Some("email")
        );
    }
}
