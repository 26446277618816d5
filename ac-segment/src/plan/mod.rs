//! The planner: a pure function from a message (plus settings and what the caches know) to
//! an ordered list of AC actions, or a typed [`PlanError`] naming what was missing. No I/O:
//! plans are golden-tested without a server and printed by `replay --dry-run`.
//!
//! ```
//! use ac_segment::plan::{plan, Action, Known, Planned};
//! use ac_segment::{spec::Message, Settings};
//!
//! let m = Message::from_slice(br#"{"type":"identify","userId":"ze8rt1u89",
//!   "traits":{"firstName":"Jane","lastName":"Kim","email":"jane.kim@example.com",
//!             "tags":["checkout","abandoned"],"lists":[{"id":1,"status":"active"}]}}"#)?;
//! let Planned::Apply(p) = plan(&m, &Settings::new(), &Known::default())? else { panic!() };
//! assert!(matches!(&p.actions[0], Action::SyncContact { email, .. } if email == "jane.kim@example.com"));
//! assert_eq!(p.actions.len(), 4); // sync, 2 tags, 1 list
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod group;
mod identify;
mod page;
mod track;
pub mod values;

use ac_client::contacts::ContactFieldValue;
use ac_client::encode::FieldCatalog;
use ac_client::ListId;
use serde::Serialize;

use crate::settings::{Flavor, Settings};
use crate::spec::{Message, MessageType, DESTINATION_NAME};

pub use identify::{bulk_expressible, wants_field_catalog};

/// What the caches know when planning. Only the field catalog changes a plan (traits are
/// matched to fields by perstag or title); tags, event names, domains and accounts are named
/// in the plan and resolved by the executor's single-flight caches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known<'a> {
    /// The account's custom fields (all pages). `None` when not looked up (a dry run):
    /// traits that might be custom fields are then reported as unresolved.
    pub fields: Option<&'a FieldCatalog>,
}

/// A list status as the plan sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListState {
    /// 1: subscribed.
    Subscribed,
    /// 2: unsubscribed.
    Unsubscribed,
}

/// One AC action. Serialized (for `--dry-run`) as `{"action":"sync_contact",...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Upsert the contact by email (`POST /contact/sync`) with its custom field values inline.
    SyncContact {
        /// The match key.
        email: String,
        /// First name.
        #[serde(skip_serializing_if = "Option::is_none")]
        first_name: Option<String>,
        /// Last name.
        #[serde(skip_serializing_if = "Option::is_none")]
        last_name: Option<String>,
        /// Phone.
        #[serde(skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
        /// Custom field values, encoded for their field's type.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        field_values: Vec<ContactFieldValue>,
        /// False when the contact may only be updated, not created (Segment's rule for an
        /// identify without a name): the message is skipped if the contact does not exist.
        create_if_missing: bool,
    },
    /// Remove every tag from the contact (`tagsReset`).
    ResetTags,
    /// Add a tag by name (found or created once).
    AddTag {
        /// The tag's name.
        name: String,
    },
    /// Remove a tag by name, if the contact has it.
    RemoveTag {
        /// The tag's name.
        name: String,
    },
    /// Set the contact's status on a list (`POST /contactLists`).
    SetListStatus {
        /// The list.
        list: ListId,
        /// The status.
        status: ListState,
    },
    /// Send an event to the tracking host (`POST {tracking}/event`); the name is registered
    /// once (`/eventTrackingEvents`).
    TrackEvent {
        /// The event name.
        name: String,
        /// `eventdata`.
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        /// The contact (`visit={"email":...}`); `None` sends the event without a visit.
        #[serde(skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// Whitelist a site-tracking domain (`/siteTrackingDomains`, once).
    WhitelistDomain {
        /// The host, `www.` stripped.
        domain: String,
    },
    /// Record a site visit (`GET {tracking}/visit`).
    RecordVisit {
        /// The page URL (`u`).
        url: String,
        /// The referrer (`r`).
        #[serde(skip_serializing_if = "Option::is_none")]
        referrer: Option<String>,
        /// The contact (`e`).
        email: String,
    },
    /// Find or create the account by name and associate the synced contact with it.
    LinkAccount {
        /// The account's name.
        name: String,
        /// Its website (`accountUrl`), when the group traits carry one.
        #[serde(skip_serializing_if = "Option::is_none")]
        website: Option<String>,
    },
}

/// A plan for one message: the actions in order, and what was noticed but is not fatal
/// (traits that match no field, an unknown list status...).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The message's type.
    #[serde(rename = "type")]
    pub kind: MessageType,
    /// The contact's email, when the message names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The actions, in the order they must run.
    pub actions: Vec<Action>,
    /// Reported, not fatal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What planning decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum Planned {
    /// Run these actions.
    Apply(Plan),
    /// Nothing to do, and why (disabled by `integrations`, unsupported in the flavour...).
    Skip {
        /// Why.
        reason: String,
    },
}

/// Why a message cannot be mapped. The text names what was looked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No email anywhere the flavour looks.
    #[error("no email: looked in {looked_in}")]
    MissingEmail {
        /// Where it looked.
        looked_in: &'static str,
    },
    /// A track or screen without a name.
    #[error("no event name: looked in {looked_in}")]
    MissingEventName {
        /// Where it looked.
        looked_in: &'static str,
    },
    /// A page without a URL or domain.
    #[error("no page URL or domain: looked in {looked_in}")]
    MissingUrl {
        /// Where it looked.
        looked_in: &'static str,
    },
    /// A URL that cannot be parsed.
    #[error("invalid URL `{value}` in {key}: {reason}")]
    InvalidUrl {
        /// Where it came from.
        key: &'static str,
        /// The value.
        value: String,
        /// Why.
        reason: String,
    },
    /// A group without `traits.name`.
    #[error("a group needs the account's name in traits.name")]
    MissingGroupName,
    /// A trait whose value does not fit its custom field or its meaning.
    #[error("trait `{key}`: {reason}")]
    InvalidTrait {
        /// The trait's key.
        key: String,
        /// Why.
        reason: String,
    },
}

/// Plans one message. `Ok(Planned::Skip)` for messages that need nothing (disabled,
/// unsupported in the flavour, alias); `Err` for messages that cannot be mapped.
pub fn plan(
    message: &Message,
    settings: &Settings,
    known: &Known<'_>,
) -> Result<Planned, PlanError> {
    if !message.enabled_for(DESTINATION_NAME) {
        return Ok(skip(
            "disabled for ActiveCampaign by the message's `integrations`",
        ));
    }
    let flavor = settings.flavor;
    match &message.kind {
        MessageType::Identify => identify::plan(message, settings, known),
        MessageType::Track => track::plan_track(message, flavor),
        MessageType::Screen => match flavor {
            Flavor::Segment => Ok(skip(
                "screen is not supported by Segment's ActiveCampaign destination (flavour `segment`)",
            )),
            _ => track::plan_screen(message, flavor),
        },
        MessageType::Page => page::plan(message, flavor),
        MessageType::Group => match flavor {
            Flavor::Default => group::plan(message, settings, known),
            other => Ok(skip(format!(
                "group is not supported by the {} flavour (only `default` maps groups to accounts)",
                other
            ))),
        },
        MessageType::Alias => Ok(skip(
            "alias: ActiveCampaign cannot merge two identities, so alias is not mapped",
        )),
        MessageType::Other(t) => Ok(skip(format!("unknown message type `{t}`"))),
    }
}

fn skip(reason: impl Into<String>) -> Planned {
    Planned::Skip {
        reason: reason.into(),
    }
}
