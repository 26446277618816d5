//! Event tracking: the account switch, registered event names and the contacts' tracking logs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Change, Store, StoreError, StoreResult};

/// The system event names every account has (reference §6.2).
pub const SYSTEM_EVENTS: [&str; 2] = ["__pagevisit", "__redir"];

/// Longest event name `trackcmp` accepts (reference §6.3).
pub const MAX_EVENT_NAME: usize = 32;

/// Event tracking settings and registered names of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTracking {
    /// Whether `/event` records anything. The mock starts enabled (AC's GET example shows
    /// `true`; a fresh live account starts disabled).
    pub enabled: bool,
    /// Registered event names, in creation order; seeded with [`SYSTEM_EVENTS`].
    pub events: Vec<String>,
}

impl Default for EventTracking {
    fn default() -> Self {
        Self {
            enabled: true,
            events: SYSTEM_EVENTS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// One row of a contact's tracking log (an event or a page visit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingLog {
    /// Id.
    pub id: u64,
    /// Contact (AC's `subscriberid`).
    pub contact: u64,
    /// Event name, or `__pagevisit` for a page visit.
    pub kind: String,
    /// `eventdata` of an event, the page URL of a visit.
    pub value: String,
    /// When it was recorded.
    pub tstamp: DateTime<Utc>,
    /// Opaque hash, as AC renders one.
    pub hash: String,
}

pub(crate) fn random_hex(len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

impl Store {
    /// `PUT /eventTracking`.
    pub fn set_event_tracking(&mut self, enabled: bool) {
        self.event_tracking.enabled = enabled;
    }

    /// `POST /eventTrackingEvents`: a non-empty name of at most 32 characters, not yet
    /// registered (case-insensitive; a duplicate is a 422 `duplicate`).
    pub fn add_event_name(&mut self, name: &str) -> StoreResult<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Missing {
                title: "The event name was not provided.".into(),
                pointer: "/data/attributes/name".into(),
            });
        }
        if name.chars().count() > MAX_EVENT_NAME {
            return Err(StoreError::Invalid {
                code: "field_invalid",
                title: format!("The event name must be at most {MAX_EVENT_NAME} characters."),
                pointer: "/data/attributes/name".into(),
                error: None,
            });
        }
        if self
            .event_tracking
            .events
            .iter()
            .any(|e| e.eq_ignore_ascii_case(name))
        {
            return Err(StoreError::Duplicate {
                title: format!("An event named \"{name}\" already exists."),
                detail: String::new(),
                pointer: Some("/data/attributes/name".into()),
            });
        }
        self.event_tracking.events.push(name.to_string());
        Ok(())
    }

    /// `DELETE /eventTrackingEvents/{name}`: exact name; false when unknown.
    pub fn remove_event_name(&mut self, name: &str) -> bool {
        let before = self.event_tracking.events.len();
        self.event_tracking.events.retain(|e| e != name);
        before != self.event_tracking.events.len()
    }

    /// Appends a tracking-log row for a contact and records [`Change::TrackingLogged`].
    pub fn add_tracking_log(
        &mut self,
        contact: u64,
        kind: &str,
        value: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.contact(contact)?;
        let id = self.tracking_logs.insert_with(|id| TrackingLog {
            id,
            contact,
            kind: kind.to_string(),
            value: value.to_string(),
            tstamp: now,
            hash: random_hex(32),
        });
        self.record(Change::TrackingLogged { contact, log: id });
        Ok(id)
    }

    /// The tracking logs of one contact, oldest first (`NotFound` for an unknown contact).
    pub fn tracking_logs_of(&self, contact: u64) -> StoreResult<Vec<&TrackingLog>> {
        self.contact(contact)?;
        Ok(self
            .tracking_logs
            .iter()
            .filter(|l| l.contact == contact)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_with_system_events_and_refuses_duplicates() {
        let mut s = Store::new();
        assert_eq!(s.event_tracking.events, vec!["__pagevisit", "__redir"]);
        s.add_event_name("signup").expect("add");
        assert!(matches!(
            s.add_event_name("SIGNUP"),
            Err(StoreError::Duplicate { .. })
        ));
        assert!(s.remove_event_name("signup"));
        assert!(!s.remove_event_name("signup"));
    }
}
