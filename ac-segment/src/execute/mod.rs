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
mod resolve;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ac_client::contacts::ContactInput;
use ac_client::encode::FieldCatalog;
use ac_client::event_tracking::TrackedEvent;
use ac_client::lists::ListStatus;
use ac_client::site_tracking::PageVisit;
use ac_client::{AccountId, Client, ContactId, TagId};
use futures_util::future::join_all;
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

    /// Runs a plan once (no message retries): applied, skipped when it turned out there was
    /// nothing to do (an update-only identify for a missing contact), or failed.
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
        let mut i = 0;
        while let Some(action) = plan.actions.get(i) {
            i += 1;
            match action {
                Action::AddTag { .. } | Action::SetListStatus { .. } => {
                    // Tags and list statuses are independent of each other: send them at once.
                    let id = need(contact)?;
                    let start = i - 1;
                    while matches!(
                        plan.actions.get(i),
                        Some(Action::AddTag { .. } | Action::SetListStatus { .. })
                    ) {
                        i += 1;
                    }
                    let results = join_all(
                        plan.actions[start..i]
                            .iter()
                            .map(|a| self.membership(id, a, calls)),
                    )
                    .await;
                    results.into_iter().collect::<StepResult<Vec<()>>>()?;
                }
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
                            calls.push(format!("DELETE /api/3/contactTags (tag {tag})"));
                        }
                    }
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

    /// Adds a tag to the contact, or sets its status on a list.
    async fn membership(
        &self,
        id: ContactId,
        action: &Action,
        calls: &Calls<'_>,
    ) -> StepResult<()> {
        let client = &self.inner.client;
        match action {
            Action::AddTag { name } => {
                let tag = self.tag_id(name, calls).await?;
                calls.push("POST /api/3/contactTags");
                client
                    .tags()
                    .add_to_contact(id, tag)
                    .await
                    .map_err(|e| Failure::from_ac(&format!("adding tag `{name}`"), &e))?;
            }
            Action::SetListStatus { list, status } => {
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
            _ => {}
        }
        Ok(())
    }
}

/// `d` plus up to 25% random jitter.
fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    d + d.mul_f64(f64::from(nanos % 1000) / 4000.0)
}
