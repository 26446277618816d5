//! group → account (the `default` flavour only; neither integration maps groups).

use super::identify::contact_actions;
use super::values;
use super::{Action, Known, Plan, PlanError, Planned};
use crate::settings::Settings;
use crate::spec::Message;

/// Plans a group: the person comes from `context.traits` (a group's own `traits` describe
/// the company), the account from `traits.name` and `traits.website`.
pub(super) fn plan(
    m: &Message,
    settings: &Settings,
    known: &Known<'_>,
) -> Result<Planned, PlanError> {
    let person = Message {
        kind: m.kind.clone(),
        user_id: m.user_id.clone(),
        traits: m.context_traits().cloned().unwrap_or_default(),
        properties: m.properties.clone(),
        ..Message::default()
    };
    let email = values::require_email(&person, settings.flavor)?;
    let name = crate::spec::get_loose(&m.traits, "name")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(PlanError::MissingGroupName)?;
    let website = crate::spec::get_loose(&m.traits, "website")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let mut notes = Vec::new();
    let mut actions = contact_actions(&person, settings, known, &email, &mut notes)?;
    actions.push(Action::LinkAccount {
        name: name.to_owned(),
        website,
    });
    Ok(Planned::Apply(Plan {
        kind: m.kind.clone(),
        email: Some(email),
        actions,
        notes,
    }))
}
