//! Simulated campaigns: created and driven through `/__admin/campaigns`, so tests can make AC
//! fire `sent`, `open`, `click`, `bounce` and `unsubscribe` webhooks without sending mail.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::Table;

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
    /// The message's sender name, address and reply-to (`/messages`).
    #[serde(default)]
    pub sender: Sender,
    /// When it last changed (an event applied), if ever.
    #[serde(default)]
    pub mdate: Option<DateTime<Utc>>,
    /// When it was first sent (`sent` event), if ever.
    #[serde(default)]
    pub sdate: Option<DateTime<Utc>>,
    /// When it was last sent, if ever.
    #[serde(default)]
    pub ldate: Option<DateTime<Utc>>,
    /// Messages sent (`send_amt`): the list's active members at each contact-less `sent`,
    /// plus one per `sent` naming a contact.
    #[serde(default)]
    pub send_amt: u64,
}

/// Who a campaign's message is from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// `fromname`.
    pub from_name: String,
    /// `fromemail`.
    pub from_email: String,
    /// `reply2`.
    pub reply_to: String,
}

impl Default for Sender {
    fn default() -> Self {
        Self {
            from_name: "Example Sender".into(),
            from_email: "noreply@example.com".into(),
            reply_to: "noreply@example.com".into(),
        }
    }
}

/// A tracked link of a campaign (`/campaigns/{id}/links`, `/links`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignLink {
    /// Link id (per account, across campaigns).
    pub id: u64,
    /// The campaign.
    pub campaign: u64,
    /// The URL (`link`).
    pub url: String,
    /// When it was added.
    pub cdate: DateTime<Utc>,
}

/// One recorded campaign event of a contact (`/emailActivities`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailActivity {
    /// Activity id (per account).
    pub id: u64,
    /// The campaign.
    pub campaign: u64,
    /// The contact.
    pub contact: u64,
    /// The contact's email when it happened.
    pub email: String,
    /// What happened.
    pub kind: CampaignEventType,
    /// Click: the link.
    #[serde(default)]
    pub link: Option<u64>,
    /// Bounce: `hard` or `soft`.
    #[serde(default)]
    pub bounce_type: Option<String>,
    /// Unsubscribe reason or bounce description.
    #[serde(default)]
    pub reason: Option<String>,
    /// When it happened.
    pub tstamp: DateTime<Utc>,
}

/// A campaign's counters as AC reports them, derived from the recorded events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// `opens`: open events.
    pub opens: u64,
    /// `uniqueopens`: contacts that opened.
    pub unique_opens: u64,
    /// `linkclicks`: click events.
    pub link_clicks: u64,
    /// `uniquelinkclicks`: distinct (contact, link) clicks.
    pub unique_link_clicks: u64,
    /// `subscriberclicks`: contacts that clicked.
    pub subscriber_clicks: u64,
    /// `hardbounces`.
    pub hard_bounces: u64,
    /// `softbounces`.
    pub soft_bounces: u64,
    /// `unsubscribes`.
    pub unsubscribes: u64,
    /// `unsubreasons`: unsubscribes that gave a reason.
    pub unsub_reasons: u64,
}

/// The campaigns of one account, their links and the events recorded for contacts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Campaigns {
    next_id: u64,
    rows: BTreeMap<u64, Campaign>,
    /// Tracked links of every campaign.
    #[serde(default)]
    pub links: Table<CampaignLink>,
    /// Events recorded for contacts, oldest first.
    #[serde(default)]
    pub activities: Table<EmailActivity>,
}

impl Campaigns {
    /// Adds a campaign and returns its id.
    pub fn create(&mut self, name: String, subject: String, list: u64) -> u64 {
        self.create_with(name, subject, list, Sender::default(), &[])
    }

    /// Adds a campaign with its message's sender and its tracked links; returns its id.
    pub fn create_with(
        &mut self,
        name: String,
        subject: String,
        list: u64,
        sender: Sender,
        links: &[String],
    ) -> u64 {
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
                sender,
                mdate: None,
                sdate: None,
                ldate: None,
                send_amt: 0,
            },
        );
        for url in links {
            self.link_for(id, url);
        }
        id
    }

    /// The link of `campaign` with this URL, added when it has none; returns its id.
    pub fn link_for(&mut self, campaign: u64, url: &str) -> u64 {
        let found = self
            .links
            .iter()
            .find(|l| l.campaign == campaign && l.url == url)
            .map(|l| l.id);
        found.unwrap_or_else(|| {
            self.links.insert_with(|id| CampaignLink {
                id,
                campaign,
                url: url.to_string(),
                cdate: crate::store::now(),
            })
        })
    }

    /// The links of one campaign, in id order.
    pub fn links_of(&self, campaign: u64) -> impl Iterator<Item = &CampaignLink> {
        self.links.iter().filter(move |l| l.campaign == campaign)
    }

    /// Records a send: `recipients` more messages sent, and the send dates.
    pub fn record_send(&mut self, campaign: u64, recipients: u64, at: DateTime<Utc>) {
        if let Some(c) = self.rows.get_mut(&campaign) {
            c.send_amt += recipients;
            c.sdate.get_or_insert(at);
            c.ldate = Some(at);
            c.mdate = Some(at);
        }
    }

    /// Records a contact's event on a campaign; returns the activity's id.
    pub fn record_activity(&mut self, mut activity: EmailActivity) -> u64 {
        if let Some(c) = self.rows.get_mut(&activity.campaign) {
            c.mdate = Some(activity.tstamp);
        }
        self.activities.insert_with(|id| {
            activity.id = id;
            activity
        })
    }

    /// The counters of one campaign, from its recorded events.
    pub fn counters(&self, campaign: u64) -> Counters {
        use std::collections::BTreeSet;
        let mut c = Counters::default();
        let (mut openers, mut clickers, mut clicks) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for a in self.activities.iter().filter(|a| a.campaign == campaign) {
            match a.kind {
                CampaignEventType::Open => {
                    c.opens += 1;
                    openers.insert(a.contact);
                }
                CampaignEventType::Click => {
                    c.link_clicks += 1;
                    clickers.insert(a.contact);
                    clicks.insert((a.contact, a.link));
                }
                CampaignEventType::Bounce if a.bounce_type.as_deref() == Some("soft") => {
                    c.soft_bounces += 1
                }
                CampaignEventType::Bounce => c.hard_bounces += 1,
                CampaignEventType::Unsubscribe => {
                    c.unsubscribes += 1;
                    c.unsub_reasons += u64::from(a.reason.as_ref().is_some_and(|r| !r.is_empty()));
                }
                CampaignEventType::Sent => {}
            }
        }
        c.unique_opens = openers.len() as u64;
        c.subscriber_clicks = clickers.len() as u64;
        c.unique_link_clicks = clicks.len() as u64;
        c
    }

    /// Clicks on one link: (all clicks, distinct contacts).
    pub fn link_clicks(&self, link: u64) -> (u64, u64) {
        let mut contacts = std::collections::BTreeSet::new();
        let mut all = 0;
        for a in self.activities.iter().filter(|a| a.link == Some(link)) {
            all += 1;
            contacts.insert(a.contact);
        }
        (all, contacts.len() as u64)
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
