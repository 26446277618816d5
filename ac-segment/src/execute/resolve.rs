//! Find-or-create against AC through the single-flight caches: tags, custom fields, event
//! names, whitelisted domains, accounts and their contacts, and email → contact id.

use std::future::Future;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use ac_client::accounts::{AccountContactInput, AccountInput, AccountQuery};
use ac_client::contacts::ContactQuery;
use ac_client::encode::FieldCatalog;
use ac_client::fields::FieldQuery;
use ac_client::tags::{TagInput, TagQuery};
use ac_client::{AccountId, ContactId, TagId};
use futures_util::TryStreamExt;

use super::{contact_key, jitter, Calls, Executor, StepResult};
use crate::outcome::{Failure, FailureKind};

impl Executor {
    pub(super) fn remember_contact(&self, email: &str, id: ContactId) {
        self.inner
            .caches
            .contacts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(contact_key(email), id);
    }

    /// The contact with this email, from the cache or `GET /contacts?email=`.
    pub(super) async fn find_contact(
        &self,
        email: &str,
        calls: &Calls<'_>,
    ) -> StepResult<Option<ContactId>> {
        let cached = self
            .inner
            .caches
            .contacts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&contact_key(email))
            .copied();
        if cached.is_some() {
            return Ok(cached);
        }
        calls.push("GET /api/3/contacts?email=");
        let page = self
            .inner
            .client
            .contacts()
            .list(&ContactQuery::new().email(email))
            .await
            .map_err(|e| Failure::from_ac("looking the contact up", &e))?;
        let found = page
            .items
            .into_iter()
            .find(|c| c.email.eq_ignore_ascii_case(email))
            .map(|c| c.id);
        if let Some(id) = found {
            self.remember_contact(email, id);
        }
        Ok(found)
    }

    /// The custom field catalog (every page, read once).
    pub(super) async fn field_catalog(&self, calls: &Calls<'_>) -> StepResult<Arc<FieldCatalog>> {
        self.inner
            .caches
            .fields
            .get_or_try_init(|| async {
                let fields: Vec<_> = self
                    .inner
                    .client
                    .fields()
                    .stream(FieldQuery::new())
                    .try_collect()
                    .await
                    .map_err(|e| Failure::from_ac("reading custom fields", &e))?;
                calls.pages("/api/3/fields", fields.len(), 100);
                Ok(Arc::new(FieldCatalog::new(fields)))
            })
            .await
            .cloned()
    }

    pub(super) async fn load_tags(&self, calls: &Calls<'_>) -> StepResult<()> {
        let client = &self.inner.client;
        self.inner
            .caches
            .tags
            .ensure_loaded(|| async {
                let tags: Vec<_> = client
                    .tags()
                    .stream(TagQuery::new())
                    .try_collect()
                    .await
                    .map_err(|e| Failure::from_ac("reading tags", &e))?;
                calls.pages("/api/3/tags", tags.len(), 100);
                Ok(tags.into_iter().map(|t| (t.name, t.id)).collect())
            })
            .await
    }

    /// The tag's id: every tag is read once; a missing one is created once.
    pub(super) async fn tag_id(&self, name: &str, calls: &Calls<'_>) -> StepResult<TagId> {
        self.load_tags(calls).await?;
        let client = &self.inner.client;
        self.inner
            .caches
            .tags
            .get_or_resolve(name, || {
                find_or_create(
                    format!("creating tag `{name}`"),
                    false,
                    || async {
                        calls.push("GET /api/3/tags?search=");
                        client
                            .tags()
                            .find_by_name(name)
                            .await
                            .map(|t| t.map(|t| t.id))
                    },
                    || async {
                        calls.push("POST /api/3/tags");
                        client
                            .tags()
                            .create(&TagInput::new(name))
                            .await
                            .map(|t| t.id)
                    },
                )
            })
            .await
    }

    /// Registers the event name once (every page of names read first).
    pub(super) async fn ensure_event(&self, name: &str, calls: &Calls<'_>) -> StepResult<()> {
        let client = &self.inner.client;
        let events = &self.inner.caches.events;
        let list = || async {
            let names = client.event_tracking().list_events().await?;
            calls.pages("/api/3/eventTrackingEvents", names.len(), 100);
            Ok::<_, ac_client::Error>(names)
        };
        events
            .ensure_loaded(|| async {
                let names = list()
                    .await
                    .map_err(|e| Failure::from_ac("reading event names", &e))?;
                Ok(names
                    .into_iter()
                    .map(|n| (n.name.to_lowercase(), ()))
                    .collect())
            })
            .await?;
        events
            .get_or_resolve(&name.to_lowercase(), || {
                find_or_create(
                    format!("registering event `{name}`"),
                    false,
                    || async {
                        let names = list().await?;
                        Ok(names
                            .iter()
                            .any(|n| n.name.eq_ignore_ascii_case(name))
                            .then_some(()))
                    },
                    || async {
                        calls.push("POST /api/3/eventTrackingEvents");
                        client.event_tracking().create_event(name).await.map(|_| ())
                    },
                )
            })
            .await
    }

    /// Whitelists the domain once per process (AC answers 200 when it is already listed).
    pub(super) async fn ensure_domain(&self, domain: &str, calls: &Calls<'_>) -> StepResult<()> {
        let client = &self.inner.client;
        self.inner
            .caches
            .domains
            .get_or_resolve(&domain.to_lowercase(), || async {
                calls.push("POST /api/3/siteTrackingDomains");
                client
                    .site_tracking()
                    .add_domain(domain)
                    .await
                    .map(|_| ())
                    .map_err(|e| Failure::from_ac(&format!("whitelisting `{domain}`"), &e))
            })
            .await
    }

    /// The account called `name` (case-insensitively), created once when missing.
    pub(super) async fn account_id(
        &self,
        name: &str,
        website: Option<&str>,
        calls: &Calls<'_>,
    ) -> StepResult<AccountId> {
        let client = &self.inner.client;
        self.inner
            .caches
            .accounts
            .get_or_resolve(&name.to_lowercase(), || {
                find_or_create(
                    format!("creating account `{name}`"),
                    true,
                    || async {
                        calls.push("GET /api/3/accounts?search=");
                        let found: Vec<_> = client
                            .accounts()
                            .stream(AccountQuery::new().search(name))
                            .try_collect()
                            .await?;
                        Ok(found
                            .into_iter()
                            .find(|a| a.name.eq_ignore_ascii_case(name))
                            .map(|a| a.id))
                    },
                    || async {
                        calls.push("POST /api/3/accounts");
                        let mut input = AccountInput::new(name);
                        if let Some(w) = website {
                            input = input.account_url(w);
                        }
                        client.accounts().create(&input).await.map(|a| a.id)
                    },
                )
            })
            .await
    }

    /// Associates the contact with the account once. `Ok(Some(note))` when the contact is on
    /// another account already (reported, not moved).
    pub(super) async fn link(
        &self,
        contact: ContactId,
        account: AccountId,
        name: &str,
        calls: &Calls<'_>,
    ) -> StepResult<Option<String>> {
        let links = &self.inner.caches.links;
        if links
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&(contact, account))
        {
            return Ok(None);
        }
        let client = &self.inner.client;
        calls.push("POST /api/3/accountContacts");
        let created = client
            .accounts()
            .contacts()
            .create(&AccountContactInput::new(contact, account))
            .await;
        let linked = match created {
            Ok(_) => true,
            Err(e) if e.status().map(|s| s.as_u16()) == Some(422) || e.is_retryable() => {
                // One account per contact: find out which one it has (a retryable failure
                // may also have been applied).
                calls.push("GET /api/3/accountContacts?filters[contact]=");
                let of = client
                    .accounts()
                    .contacts()
                    .of_contact(contact)
                    .await
                    .map_err(|e| Failure::from_ac("reading the contact's account", &e))?;
                match of.first() {
                    Some(ac) if ac.account == account => true,
                    Some(ac) => {
                        return Ok(Some(format!(
                            "the contact already belongs to account {}; not moved to `{name}`",
                            ac.account
                        )))
                    }
                    None => {
                        return Err(Failure::from_ac(
                            &format!("linking to account `{name}`"),
                            &e,
                        ))
                    }
                }
            }
            Err(e) => {
                return Err(Failure::from_ac(
                    &format!("linking to account `{name}`"),
                    &e,
                ))
            }
        };
        if linked {
            links
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert((contact, account));
        }
        Ok(None)
    }
}

/// Creates something that must exist once. With `lookup_first` (the cache could not know it
/// is missing) it is looked up before the first create. A duplicate answer or an ambiguous
/// failure (5xx, a dropped connection: the create may have been applied) is resolved by
/// `lookup` before creating again; a 429 (not applied) is simply tried again.
async fn find_or_create<V, L, LF, C, CF>(
    step: String,
    lookup_first: bool,
    lookup: L,
    create: C,
) -> StepResult<V>
where
    L: Fn() -> LF,
    LF: Future<Output = Result<Option<V>, ac_client::Error>>,
    C: Fn() -> CF,
    CF: Future<Output = Result<V, ac_client::Error>>,
{
    const TRIES: u32 = 4;
    let mut wait = Duration::from_millis(200);
    let mut last: Option<ac_client::Error> = None;
    if lookup_first {
        match lookup().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => return Err(Failure::from_ac(&step, &e)),
        }
    }
    for _ in 0..TRIES {
        match create().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_duplicate() || e.is_conflict() => {
                return match lookup().await {
                    Ok(Some(v)) => Ok(v),
                    Ok(None) => Err(Failure::from_ac(&step, &e)),
                    Err(le) => Err(Failure::from_ac(&step, &le)),
                };
            }
            Err(e) if e.is_retryable() => {
                if !e.is_rate_limited() {
                    match lookup().await {
                        Ok(Some(v)) => return Ok(v),
                        Ok(None) => {}
                        Err(le) => return Err(Failure::from_ac(&step, &le)),
                    }
                }
                tokio::time::sleep(jitter(wait)).await;
                wait *= 2;
                last = Some(e);
            }
            Err(e) => return Err(Failure::from_ac(&step, &e)),
        }
    }
    Err(match last {
        Some(e) => Failure::from_ac(&step, &e),
        None => Failure::new(FailureKind::Unavailable, format!("{step}: gave up")),
    })
}
