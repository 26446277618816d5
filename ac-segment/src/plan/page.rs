//! page → site tracking (MAPPING.md "page → site tracking").

use super::values;
use super::{Action, Plan, PlanError, Planned};
use crate::settings::Flavor;
use crate::spec::Message;

const DOMAIN_SOURCES: &str = "properties.domain, properties.url, context.page.url, properties.referring_domain, context.page.referring_domain";
const URL_SOURCES: &str = "properties.url, context.page.url";

/// The first domain source present, with the key it came from (looked up in order, each
/// only when the ones before it are absent).
fn domain_source<'m>(m: &'m Message) -> Option<(&'static str, &'m str)> {
    type Get<'a, 'm> = &'a dyn Fn() -> Option<&'m str>;
    let sources: [(&'static str, Get<'_, 'm>); 5] = [
        ("properties.domain", &|| m.property_str("domain")),
        ("properties.url", &|| m.property_str("url")),
        ("context.page.url", &|| m.context_str("page", "url")),
        ("properties.referring_domain", &|| {
            m.property_str("referring_domain")
        }),
        ("context.page.referring_domain", &|| {
            m.context_str("page", "referring_domain")
        }),
    ];
    sources.iter().find_map(|(k, get)| get().map(|v| (*k, v)))
}

fn url(m: &Message) -> Option<&str> {
    m.property_str("url")
        .or_else(|| m.context_str("page", "url"))
}

fn referrer(m: &Message) -> Option<String> {
    m.property_str("referrer")
        .or_else(|| m.context_str("page", "referrer"))
        .map(str::to_owned)
}

/// Plans a page.
pub(super) fn plan(m: &Message, flavor: Flavor) -> Result<Planned, PlanError> {
    let mut actions = Vec::new();
    let mut notes = Vec::new();
    let mut email = None;
    match flavor {
        Flavor::Segment => {
            let e = values::require_email(m, flavor)?;
            let u = url(m).ok_or(PlanError::MissingUrl {
                looked_in: URL_SOURCES,
            })?;
            actions.push(Action::RecordVisit {
                url: u.to_owned(),
                referrer: referrer(m),
                email: e.clone(),
            });
            email = Some(e);
        }
        Flavor::Rudderstack => {
            let (key, value) = domain_source(m).ok_or(PlanError::MissingUrl {
                looked_in: DOMAIN_SOURCES,
            })?;
            actions.push(Action::WhitelistDomain {
                domain: values::domain_of(key, value, false)?,
            });
        }
        Flavor::Default => {
            let (key, value) = domain_source(m).ok_or(PlanError::MissingUrl {
                looked_in: DOMAIN_SOURCES,
            })?;
            let visit = values::email(m, flavor).zip(url(m));
            match values::domain_of(key, value, true) {
                Ok(domain) => actions.push(Action::WhitelistDomain { domain }),
                // Segment records a visit whatever the URL looks like: a domain that cannot be
                // whitelisted only fails the page when there is no visit to record either.
                Err(e) if visit.is_some() => {
                    notes.push(format!("{e}: no domain whitelisted"));
                }
                Err(e) => return Err(e),
            }
            if let Some((e, u)) = visit {
                actions.push(Action::RecordVisit {
                    url: u.to_owned(),
                    referrer: referrer(m),
                    email: e.clone(),
                });
                email = Some(e);
            }
        }
    }
    Ok(Planned::Apply(Plan {
        kind: m.kind.clone(),
        email,
        actions,
        notes,
    }))
}
