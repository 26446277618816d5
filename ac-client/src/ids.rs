//! Id newtypes, one per resource.
//!
//! AC renders ids as JSON strings (`"id":"15"`) but sometimes echoes numbers; every id type here
//! reads either, and writes a string (which AC accepts everywhere in request bodies).

use std::fmt;
use std::str::FromStr;

/// The error returned when a string is not a valid (unsigned, decimal) id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {kind} (expected a non-negative integer)")]
pub struct ParseIdError {
    kind: &'static str,
    input: String,
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u64);

        impl $name {
            /// Wraps a raw numeric id.
            pub const fn new(id: u64) -> Self {
                Self(id)
            }

            /// The raw numeric id.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<u64>().map(Self).map_err(|_| ParseIdError {
                    kind: stringify!($name),
                    input: s.to_owned(),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::de::u64_from_any(deserializer, stringify!($name)).map(Self)
            }
        }
    };
}

id_type!(
    /// The id of a contact (`/contacts/{id}`).
    ContactId
);
id_type!(
    /// The id of a tag (`/tags/{id}`).
    TagId
);
id_type!(
    /// The id of a list (`/lists/{id}`).
    ListId
);
id_type!(
    /// The id of a custom contact field (`/fields/{id}`).
    FieldId
);
id_type!(
    /// The id of one contact's value for one custom field (`/fieldValues/{id}`).
    FieldValueId
);
id_type!(
    /// The id of an option of a dropdown/listbox/radio/checkbox field (`/fieldOptions/{id}`).
    FieldOptionId
);
id_type!(
    /// The id of a field ↔ list relation (`/fieldRels/{id}`).
    FieldRelId
);
id_type!(
    /// The id of a contact ↔ tag association (`/contactTags/{id}`); not the tag's id.
    ContactTagId
);
id_type!(
    /// The id of a contact ↔ list membership row (`/contactLists/{id}`).
    ContactListId
);
id_type!(
    /// The id of an account (organisation, `/accounts/{id}`).
    AccountId
);
id_type!(
    /// The id of a deal (`/deals/{id}`).
    DealId
);
id_type!(
    /// The id of a webhook (`/webhooks/{id}`).
    WebhookId
);
id_type!(
    /// The id of a user (`/users/{id}`).
    UserId
);
id_type!(
    /// The id of a permission group (`/groups/{id}`).
    GroupId
);
id_type!(
    /// The id of a list ↔ group permission (`/listGroups/{id}`).
    ListGroupId
);
id_type!(
    /// The id of a score (`/scores/{id}`).
    ScoreId
);
id_type!(
    /// The id of one score's value for a contact or deal (`scoreValues`).
    ScoreValueId
);
id_type!(
    /// The id of a branding (`/brandings/{id}`).
    BrandingId
);
id_type!(
    /// The id of a sender address (`/addresses/{id}`).
    AddressId
);
id_type!(
    /// The id of a saved response (`/savedResponses/{id}`).
    SavedResponseId
);
id_type!(
    /// The id of a contact ↔ account association (`/accountContacts/{id}`).
    AccountContactId
);
id_type!(
    /// The id of one row of a contact's tracking log (`/contacts/{id}/trackingLogs`).
    TrackingLogId
);
id_type!(
    /// The id of a site-tracking whitelist entry (`/prism/urlWhitelistings/{id}`).
    UrlWhitelistingId
);
id_type!(
    /// The id of a deal pipeline (`group`, `/dealGroups/{id}`).
    PipelineId
);
id_type!(
    /// The id of a deal stage (`/dealStages/{id}`).
    StageId
);
id_type!(
    /// The id of a subscription form (`/forms/{id}`).
    FormId
);
id_type!(
    /// The id of an automation (`seriesid`, `/automations/{id}`).
    AutomationId
);
id_type!(
    /// The id of a segment (`/segments/{id}`).
    SegmentId
);
id_type!(
    /// The id of a campaign (`/campaigns/{id}`).
    CampaignId
);
id_type!(
    /// The id of a campaign's tracked link (`/links/{id}`).
    LinkId
);
id_type!(
    /// The id of an email message (`/messages/{id}`).
    MessageId
);
id_type!(
    /// The id of an email activity (`/emailActivities`).
    EmailActivityId
);
id_type!(
    /// The id of a contact's entry in an automation (`/contactAutomations/{id}`).
    ContactAutomationId
);
id_type!(
    /// The id of a contact's role on a deal (`/contactDeals/{id}`).
    ContactDealId
);
id_type!(
    /// The id of a deal or contact task (`/dealTasks/{id}`).
    DealTaskId
);
id_type!(
    /// The id of a task type (`/dealTasktypes/{id}`).
    DealTaskTypeId
);
id_type!(
    /// The id of a note (`/notes/{id}`).
    NoteId
);
id_type!(
    /// The id of a deal or account custom field (`/dealCustomFieldMeta/{id}`,
    /// `/accountCustomFieldMeta/{id}`; each kind numbers its own).
    RecordFieldId
);
id_type!(
    /// The id of one deal's or account's value of a custom field (`/dealCustomFieldData/{id}`,
    /// `/accountCustomFieldData/{id}`).
    RecordFieldValueId
);

id_type!(
    /// The id of an e-commerce connection (`/connections/{id}`).
    ConnectionId
);
id_type!(
    /// The id of an e-commerce customer (`/ecomCustomers/{id}`).
    EcomCustomerId
);
id_type!(
    /// The id of an e-commerce order (`/ecomOrders/{id}`).
    EcomOrderId
);
id_type!(
    /// The id of one product line of an order (`/ecomOrderProducts/{id}`).
    EcomOrderProductId
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_number_and_string_writes_string() {
        let a: ContactId = serde_json::from_str("15").unwrap();
        let b: ContactId = serde_json::from_str("\"15\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, ContactId(15));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"15\"");
        assert_eq!(a.to_string(), "15");
        assert_eq!("15".parse::<ContactId>().unwrap(), a);
        assert_eq!(ContactId::from(15u64), a);
    }

    #[test]
    fn rejects_non_numeric() {
        assert!(serde_json::from_str::<TagId>("\"abc\"").is_err());
        assert!(serde_json::from_str::<TagId>("-1").is_err());
        assert!(serde_json::from_str::<TagId>("null").is_err());
        let err = "x1".parse::<TagId>().unwrap_err();
        assert!(err.to_string().contains("TagId"));
    }
}
