//! track and screen → event tracking (MAPPING.md "track → event tracking", "screen").

use serde_json::Value;

use super::values::{self, text_of};
use super::{Action, Plan, PlanError, Planned};
use crate::settings::Flavor;
use crate::spec::Message;

/// `eventdata` per flavour: `segment` `acValue`; `rudderstack` `eventData`, else `name`;
/// `default` `acValue` → `eventData` → `value`. Objects are JSON-encoded.
fn event_data(m: &Message, flavor: Flavor) -> Option<String> {
    let nested_ac_value = || {
        m.property("properties")
            .and_then(Value::as_object)
            .and_then(|p| crate::spec::get_loose(p, "acValue"))
            .filter(|v| !v.is_null())
    };
    let v = match flavor {
        Flavor::Segment => m.property("acValue").or_else(nested_ac_value),
        Flavor::Rudderstack => m.property("eventData").or_else(|| m.property("name")),
        Flavor::Default => m
            .property("acValue")
            .or_else(nested_ac_value)
            .or_else(|| m.property("eventData"))
            .or_else(|| m.property("value")),
    };
    v.and_then(text_of)
}

fn event_action(m: &Message, flavor: Flavor, name: String) -> Result<Planned, PlanError> {
    ac_client::event_tracking::validate_event_name(&name).map_err(|e| PlanError::InvalidTrait {
        key: "event".into(),
        reason: match e {
            ac_client::Error::InvalidInput { message, .. } => message,
            other => other.to_string(),
        },
    })?;
    let email = match flavor {
        // RudderStack sends the event whatever the visit; without an email it goes out
        // without one (never `{"email":"undefined"}`).
        Flavor::Rudderstack => values::email(m, flavor),
        _ => Some(values::require_email(m, flavor)?),
    };
    Ok(Planned::Apply(Plan {
        kind: m.kind.clone(),
        email: email.clone(),
        actions: vec![Action::TrackEvent {
            name,
            data: event_data(m, flavor),
            email,
        }],
        notes: Vec::new(),
    }))
}

/// Plans a track.
pub(super) fn plan_track(m: &Message, flavor: Flavor) -> Result<Planned, PlanError> {
    let name = match flavor {
        Flavor::Rudderstack => m
            .event
            .clone()
            .or_else(|| m.property_str("name").map(str::to_owned)),
        _ => m.event.clone(),
    };
    let name = name.ok_or(PlanError::MissingEventName {
        looked_in: match flavor {
            Flavor::Rudderstack => "event, properties.name",
            _ => "event",
        },
    })?;
    event_action(m, flavor, name)
}

/// Plans a screen (not in the `segment` flavour): an event named by the screen.
pub(super) fn plan_screen(m: &Message, flavor: Flavor) -> Result<Planned, PlanError> {
    let prop_name = || m.property_str("name").map(str::to_owned);
    let name = match flavor {
        Flavor::Rudderstack => m.event.clone().or_else(|| m.name.clone()),
        _ => m.name.clone().or_else(|| m.event.clone()),
    }
    .or_else(prop_name)
    .ok_or(PlanError::MissingEventName {
        looked_in: match flavor {
            Flavor::Rudderstack => "event, name, properties.name",
            _ => "name, event, properties.name",
        },
    })?;
    event_action(m, flavor, name)
}
