//! Simulated campaigns: created and driven through `/__admin/campaigns`, so tests can make AC
//! fire `sent`, `open`, `click`, `bounce` and `unsubscribe` webhooks without sending mail.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One simulated campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// Campaign id (per account, from 1).
    pub id: u64,
    /// Campaign name (`campaign[name]` in webhooks).
    pub name: String,
    /// Message subject (`campaign[message][subject]`).
    pub subject: String,
    /// The list it is sent to (`list` in webhooks).
    pub list: u64,
    /// When it was created.
    pub cdate: DateTime<Utc>,
    /// Events applied so far, by type (`sent`, `open`, ...).
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
    /// Emails that bounced, with the bounce type (`hard` or `soft`).
    #[serde(default)]
    pub bounces: BTreeMap<String, String>,
}

/// The campaigns of one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Campaigns {
    next_id: u64,
    rows: BTreeMap<u64, Campaign>,
}

impl Campaigns {
    /// Adds a campaign and returns its id.
    pub fn create(&mut self, name: String, subject: String, list: u64) -> u64 {
        let id = self.next_id.max(1);
        self.next_id = id + 1;
        self.rows.insert(
            id,
            Campaign {
                id,
                name,
                subject,
                list,
                cdate: crate::store::now(),
                counts: BTreeMap::new(),
                bounces: BTreeMap::new(),
            },
        );
        id
    }

    /// The campaign with this id.
    pub fn get(&self, id: u64) -> Option<&Campaign> {
        self.rows.get(&id)
    }

    /// The campaign with this id, mutably.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Campaign> {
        self.rows.get_mut(&id)
    }

    /// Campaigns in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Campaign> {
        self.rows.values()
    }

    /// Forgets every campaign.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The kinds of campaign event `POST /__admin/campaigns/{id}/events` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignEventType {
    /// The campaign started sending (no contact needed).
    Sent,
    /// A contact opened the message.
    Open,
    /// A contact clicked a link (`link_url`).
    Click,
    /// The message bounced (`bounce_type` hard or soft); marks the contact bounced.
    Bounce,
    /// A contact unsubscribed from the campaign's list (membership status 2).
    Unsubscribe,
}

impl CampaignEventType {
    /// The webhook event name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Open => "open",
            Self::Click => "click",
            Self::Bounce => "bounce",
            Self::Unsubscribe => "unsubscribe",
        }
    }

    /// Who causes it, as AC's examples show (`initiated_from`/`initiated_by`).
    pub fn source(self) -> &'static str {
        match self {
            Self::Sent => "admin",
            Self::Bounce => "system",
            Self::Open | Self::Click | Self::Unsubscribe => "public",
        }
    }
}
