//! The executor: runs plans through [`ac_client`], with caches that make warm messages cheap
//! (MAPPING.md's calls table) and single-flight find-or-create, so concurrent messages never
//! create a tag, event name, domain or account twice.
//!
//! * tags: every page read once, then name → id; a missing tag is created once;
//! * custom fields: every page read once (only when a message has traits that could be fields);
//! * event names: every page read once; a missing name is registered once;
//! * whitelisted domains and accounts: found or created once per name;
//! * email → contact id, from every sync.
//!
//! A create that fails ambiguously (5xx, a dropped connection: it may have been applied) is
//! resolved by looking the object up before creating it again. Messages whose failure is
//! transient are retried whole ([`Executor::apply`]): every step is an upsert or guarded by a
//! cache, so a repeat is harmless.

mod bulk;
mod cache;

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ac_client::accounts::{AccountContactInput, AccountInput, AccountQuery};
use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::encode::FieldCatalog;
use ac_client::event_tracking::TrackedEvent;
use ac_client::fields::FieldQuery;
use ac_client::lists::ListStatus;
use ac_client::site_tracking::PageVisit;
use ac_client::tags::{TagInput, TagQuery};
use ac_client::{AccountId, Client, ContactId, TagId};
use futures_util::TryStreamExt;
use tokio::sync::OnceCell;

pub use bulk::BulkOptions;
use cache::Named;

use crate::outcome::{Failure, FailureKind, Outcome};
use crate::plan::{self, Action, Known, ListState, Plan, Planned};
use crate::settings::Settings;
use crate::spec::Message;

/// The AC calls one message made, and the executor-wide count.
pub(crate) struct Calls<'a> {
    list: Mutex<Vec<String>>,
    total: &'a AtomicU64,
}

impl<'a> Calls<'a> {
    fn new(total: &'a AtomicU64) -> Self {
        Calls {
            list: Mutex::new(Vec::new()),
            total,
        }
    }

    /// Records one call (`"POST /api/3/contact/sync"`).
    pub(crate) fn push(&self, call: impl Into<String>) {
        self.total.fetch_add(1, Ordering::Relaxed);
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(call.into());
    }

    /// Records `n` page reads of `what`.
    fn pages(&self, what: &str, items: usize, page: usize) {
        for _ in 0..items.div_ceil(page).max(1) {
            self.push(format!("GET {what}"));
        }
    }

    pub(crate) fn take(self) -> Vec<String> {
        self.list
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// How often a message with a transient failure is tried, and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRetry {
    /// Tries in all (1 = no retry).
    pub attempts: u32,
    /// The first wait; doubled after each try.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for MessageRetry {
    fn default() -> Self {
        MessageRetry {
            attempts: 6,
            base: Duration::from_millis(250),
            max: Duration::from_secs(10),
        }
    }
}

#[derive(Default)]
struct Caches {
    tags: Named<TagId>,
    fields: OnceCell<Arc<FieldCatalog>>,
    events: Named<()>,
    domains: Named<()>,
    accounts: Named<AccountId>,
    contacts: Mutex<std::collections::HashMap<String, ContactId>>,
    links: Mutex<HashSet<(ContactId, AccountId)>>,
}

struct Inner {
    client: Client,
    settings: Settings,
    caches: Caches,
    calls: AtomicU64,
    retry: MessageRetry,
    bulk: bulk::BulkLane,
}

/// Runs plans against one AC account. Cheap to clone; clones share the caches, the call
/// count and (through the [`Client`]) the rate limit.
#[derive(Clone)]
pub struct Executor {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("settings", &self.inner.settings)
            .field("calls", &self.calls_made())
            .finish_non_exhaustive()
    }
}

/// What preparing a message decided: a plan to run, or an outcome already.
#[derive(Debug)]
pub enum Prepared {
    /// Run this plan.
    Run(Plan),
    /// Done without running anything (skipped, or failed to map).
    Done(Outcome),
}

type StepResult<T> = Result<T, Failure>;

fn contact_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Executor {
    /// An executor over `client` with these settings and the default message retries.
    pub fn new(client: Client, settings: Settings) -> Self {
        Self::with_retry(client, settings, MessageRetry::default())
    }

    /// An executor with a message retry policy of your own.
    pub fn with_retry(client: Client, settings: Settings, retry: MessageRetry) -> Self {
        Executor {
            inner: Arc::new(Inner {
                client,
                settings,
                caches: Caches::default(),
                calls: AtomicU64::new(0),
                retry,
                bulk: bulk::BulkLane::new(BulkOptions::default()),
            }),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// AC calls made so far by this executor and its clones (each logical request once;
    /// the client's own retries of a request are not counted again).
    pub fn calls_made(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    /// Applies one message, retrying it whole while its failure is transient (see
    /// [`MessageRetry`]). The calls of every try are in the outcome.
    pub async fn apply(&self, message: &Message) -> Outcome {
        let retry = self.inner.retry;
        let mut calls = Vec::new();
        let mut wait = retry.base;
        let mut attempt = 1;
        loop {
            let mut outcome = self.apply_once(message).await;
            calls.append(&mut outcome.calls);
            if !outcome.is_retryable() || attempt >= retry.attempts.max(1) {
                outcome.calls = calls;
                return outcome;
            }
            tracing::debug!(attempt, reason = ?outcome.reason, "transient failure; retrying the message");
            tokio::time::sleep(jitter(wait)).await;
            wait = (wait * 2).min(retry.max);
            attempt += 1;
        }
    }

    /// Applies one message once: plan, then run.
    pub async fn apply_once(&self, message: &Message) -> Outcome {
        let calls = Calls::new(&self.inner.calls);
        let result = match self.prepare_with(message, &calls).await {
            Prepared::Done(mut o) => {
                o.calls = calls.take();
                return o;
            }
            Prepared::Run(plan) => self.run_with(&plan, &calls).await.map(|r| (r, plan)),
        };
        let calls = calls.take();
        match result {
            Ok((None, plan)) => Outcome::applied(&plan.notes, calls),
            Ok((Some(reason), _)) => Outcome::skipped(reason, calls),
            Err(f) => Outcome::failed(f, calls),
        }
    }

    /// Plans a message with what the caches know, loading the field catalog first when the
    /// message could set custom fields.
    pub async fn prepare(&self, message: &Message) -> Prepared {
        let calls = Calls::new(&self.inner.calls);
        match self.prepare_with(message, &calls).await {
            Prepared::Done(mut o) => {
                o.calls = calls.take();
                Prepared::Done(o)
            }
            run => run,
        }
    }

    async fn prepare_with(&self, message: &Message, calls: &Calls<'_>) -> Prepared {
        let settings = &self.inner.settings;
        let catalog = if plan::wants_field_catalog(message, settings) {
            match self.field_catalog(calls).await {
                Ok(c) => Some(c),
                Err(f) => return Prepared::Done(Outcome::failed(f, Vec::new())),
            }
        } else {
            None
        };
        let empty = FieldCatalog::default();
        let known = Known {
            fields: Some(catalog.as_deref().unwrap_or(&empty)),
        };
        match plan::plan(message, settings, &known) {
            Ok(Planned::Apply(p)) => Prepared::Run(p),
            Ok(Planned::Skip { reason }) => Prepared::Done(Outcome::skipped(reason, Vec::new())),
            Err(e) => Prepared::Done(Outcome::failed(
                Failure::new(FailureKind::Mapping, e.to_string()),
                Vec::new(),
            )),
        }
    }

    /// Runs a plan once. `Ok(Some(reason))` when it turned out there was nothing to do.
    pub async fn run(&self, plan: &Plan) -> Outcome {
        let calls = Calls::new(&self.inner.calls);
        let result = self.run_with(plan, &calls).await;
        let calls = calls.take();
        match result {
            Ok(None) => Outcome::applied(&plan.notes, calls),
            Ok(Some(reason)) => Outcome::skipped(reason, calls),
            Err(f) => Outcome::failed(f, calls),
        }
    }

    async fn run_with(&self, plan: &Plan, calls: &Calls<'_>) -> StepResult<Option<String>> {
        let client = &self.inner.client;
        let mut contact: Option<ContactId> = None;
        let need = |c: Option<ContactId>| {
            c.ok_or_else(|| {
                Failure::new(
                    FailureKind::Mapping,
                    "the plan changes a contact before syncing it",
                )
            })
        };
        for action in &plan.actions {
            match action {
                Action::SyncContact {
                    email,
                    first_name,
                    last_name,
                    phone,
                    field_values,
                    create_if_missing,
                } => {
                    if !create_if_missing && self.find_contact(email, calls).await?.is_none() {
                        return Ok(Some(format!(
                            "{email} is not a contact yet and the identify has no first or last name (Segment creates contacts only with a name)"
                        )));
                    }
                    let input = ContactInput {
                        email: email.clone(),
                        first_name: first_name.clone(),
                        last_name: last_name.clone(),
                        phone: phone.clone(),
                        field_values: field_values.clone(),
                    };
                    calls.push("POST /api/3/contact/sync");
                    let synced = client
                        .contacts()
                        .sync(&input)
                        .await
                        .map_err(|e| Failure::from_ac("contact sync", &e))?;
                    self.remember_contact(email, synced.contact.id);
                    contact = Some(synced.contact.id);
                }
                Action::ResetTags => {
                    let id = need(contact)?;
                    calls.push(format!("GET /api/3/contacts/{id}/contactTags"));
                    let current = client
                        .tags()
                        .contact_tags(id)
                        .await
                        .map_err(|e| Failure::from_ac("reading the contact's tags", &e))?;
                    for ct in current {
                        calls.push(format!("DELETE /api/3/contactTags/{}", ct.id));
                        match client.tags().remove_association(ct.id).await {
                            Ok(()) => {}
                            Err(e) if e.is_not_found() => {}
                            Err(e) => return Err(Failure::from_ac("removing a tag", &e)),
                        }
                    }
                }
                Action::AddTag { name } => {
                    let id = need(contact)?;
                    let tag = self.tag_id(name, calls).await?;
                    calls.push("POST /api/3/contactTags");
                    client
                        .tags()
                        .add_to_contact(id, tag)
                        .await
                        .map_err(|e| Failure::from_ac(&format!("adding tag `{name}`"), &e))?;
                }
                Action::RemoveTag { name } => {
                    let id = need(contact)?;
                    self.load_tags(calls).await?;
                    if let Some(tag) = self.inner.caches.tags.peek(name) {
                        calls.push(format!("GET /api/3/contacts/{id}/contactTags"));
                        let removed = client
                            .tags()
                            .remove_from_contact(id, tag)
                            .await
                            .map_err(|e| Failure::from_ac(&format!("removing tag `{name}`"), &e))?;
                        if removed {
                            calls.push("DELETE /api/3/contactTags/{id}");
                        }
                    }
                }
                Action::SetListStatus { list, status } => {
                    let id = need(contact)?;
                    let status = match status {
                        ListState::Subscribed => ListStatus::Subscribed,
                        ListState::Unsubscribed => ListStatus::Unsubscribed,
                    };
                    calls.push("POST /api/3/contactLists");
                    client
                        .lists()
                        .set_status(id, *list, status)
                        .await
                        .map_err(|e| Failure::from_ac(&format!("setting list {list}"), &e))?;
                }
                Action::TrackEvent { name, data, email } => {
                    self.ensure_event(name, calls).await?;
                    let mut event = TrackedEvent::new(name.clone());
                    if let Some(d) = data {
                        event = event.data(d.clone());
                    }
                    if let Some(e) = email {
                        event = event.email(e.clone());
                    }
                    calls.push("POST {tracking}/event");
                    client
                        .event_tracking()
                        .send(&event)
                        .await
                        .map_err(|e| Failure::from_ac(&format!("sending event `{name}`"), &e))?;
                }
                Action::WhitelistDomain { domain } => self.ensure_domain(domain, calls).await?,
                Action::RecordVisit {
                    url,
                    referrer,
                    email,
                } => {
                    let mut visit = PageVisit::new(url.clone(), email.clone());
                    if let Some(r) = referrer {
                        visit = visit.referrer(r.clone());
                    }
                    calls.push("GET {tracking}/visit");
                    client
                        .site_tracking()
                        .record_visit(&visit)
                        .await
                        .map_err(|e| Failure::from_ac("recording the site visit", &e))?;
                }
                Action::LinkAccount { name, website } => {
                    let id = need(contact)?;
                    let account = self.account_id(name, website.as_deref(), calls).await?;
                    if let Some(note) = self.link(id, account, name, calls).await? {
                        return Ok(Some(note));
                    }
                }
            }
        }
        Ok(None)
    }

    fn remember_contact(&self, email: &str, id: ContactId) {
        self.inner
            .caches
            .contacts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(contact_key(email), id);
    }

    /// The contact with this email, from the cache or `GET /contacts?email=`.
    async fn find_contact(&self, email: &str, calls: &Calls<'_>) -> StepResult<Option<ContactId>> {
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
    async fn field_catalog(&self, calls: &Calls<'_>) -> StepResult<Arc<FieldCatalog>> {
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

    async fn load_tags(&self, calls: &Calls<'_>) -> StepResult<()> {
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
    async fn tag_id(&self, name: &str, calls: &Calls<'_>) -> StepResult<TagId> {
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
    async fn ensure_event(&self, name: &str, calls: &Calls<'_>) -> StepResult<()> {
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
    async fn ensure_domain(&self, domain: &str, calls: &Calls<'_>) -> StepResult<()> {
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
    async fn account_id(
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
    async fn link(
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

/// `d` plus up to 25% random jitter.
fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    d + d.mul_f64(f64::from(nanos % 1000) / 4000.0)
}
