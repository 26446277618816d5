//! Site tracking: the account switch and the domain whitelist shared by the legacy
//! `/siteTrackingDomains` and the current `/prism/urlWhitelistings` endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Change, Store};

/// Site tracking settings of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteTracking {
    /// Whether `/visit` records page visits. The mock starts enabled.
    pub enabled: bool,
}

impl Default for SiteTracking {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// One whitelisted domain (both API generations read and write the same rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhitelistedDomain {
    /// Id (the prism `id`; the legacy API keys rows by domain name instead).
    pub id: u64,
    /// The domain, e.g. `example.com`.
    pub domain: String,
    /// The page pattern (`*` for the whole domain).
    pub page: String,
    /// Conversations enabled.
    pub conversations_enabled: bool,
    /// Tracking enabled.
    pub tracking_enabled: bool,
    /// WordPress integration enabled.
    pub wp_enabled: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
}

/// A domain to whitelist.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct DomainInput {
    pub domain: String,
    pub page: String,
    pub conversations_enabled: bool,
    pub tracking_enabled: bool,
    pub wp_enabled: bool,
}

impl DomainInput {
    /// A whole-domain entry with tracking on (what the legacy API creates).
    pub fn domain(domain: &str) -> Self {
        Self {
            domain: domain.to_string(),
            page: "*".into(),
            conversations_enabled: false,
            tracking_enabled: true,
            wp_enabled: false,
        }
    }
}

impl Store {
    /// `PUT /siteTracking`.
    pub fn set_site_tracking(&mut self, enabled: bool) {
        self.site_tracking.enabled = enabled;
    }

    /// The whitelisted row for this domain (case-insensitive).
    pub fn whitelisted(&self, domain: &str) -> Option<&WhitelistedDomain> {
        self.whitelist
            .iter()
            .find(|d| d.domain.eq_ignore_ascii_case(domain.trim()))
    }

    /// Whitelists a domain; `Err(existing id)` when it is already listed.
    pub fn whitelist_domain(
        &mut self,
        input: &DomainInput,
        now: DateTime<Utc>,
    ) -> Result<u64, u64> {
        if let Some(existing) = self.whitelisted(&input.domain) {
            return Err(existing.id);
        }
        let id = self.whitelist.insert_with(|id| WhitelistedDomain {
            id,
            domain: input.domain.trim().to_string(),
            page: input.page.clone(),
            conversations_enabled: input.conversations_enabled,
            tracking_enabled: input.tracking_enabled,
            wp_enabled: input.wp_enabled,
            created_at: now,
            updated_at: now,
        });
        self.record(Change::DomainWhitelisted { domain: id });
        Ok(id)
    }

    /// Removes a whitelisted row by id; false when unknown.
    pub fn unwhitelist(&mut self, id: u64) -> bool {
        let removed = self.whitelist.remove(id).is_some();
        if removed {
            self.record(Change::DomainRemoved { domain: id });
        }
        removed
    }
}
