//! Outgoing webhooks (reference §10): AC-shaped, form-encoded POSTs with PHP-style bracketed
//! keys, built from the store's [`Change`]s after each API request (or from a simulated
//! campaign event) and delivered by one background task. Never retried; a 410 answer makes
//! the webhook inactive; bulk imports fire none. Every attempt lands in a bounded log served
//! at `GET /__admin/webhook-deliveries`.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::campaigns::{Campaign, CampaignEventType};
use crate::server::{AccountId, WeakState};
use crate::store::{Change, Store};

/// How long a receiver has to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many deliveries may wait to be sent; beyond that a delivery is logged as dropped
/// instead of queued, so a slow receiver cannot make memory grow without bound.
pub const QUEUE_CAPACITY: usize = 10_000;

/// One webhook POST waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The mock's account.
    pub account: AccountId,
    /// The webhook's id in that account.
    pub webhook: u64,
    /// Where to POST.
    pub url: String,
    /// Event name (`type`).
    pub event: String,
    /// The form fields, in order.
    pub form: Vec<(String, String)>,
}

impl Outgoing {
    /// The form-encoded body (`contact%5Bemail%5D=...`).
    pub fn body(&self) -> String {
        serde_urlencoded::to_string(&self.form).unwrap_or_default()
    }
}

/// One delivery attempt, as `GET /__admin/webhook-deliveries` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    /// When the POST was made.
    pub at: DateTime<Utc>,
    /// The mock's account id.
    pub account: u64,
    /// The webhook's id.
    pub webhook: u64,
    /// Where it was sent.
    pub url: String,
    /// Event name.
    #[serde(rename = "type")]
    pub event: String,
    /// The form-encoded body that was sent.
    pub body: String,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout), when there was none.
    pub error: Option<String>,
    /// True when a 410 answer made the webhook inactive.
    pub deactivated: bool,
}

/// The delivery queue and log, owned by the server state.
#[derive(Debug)]
pub struct WebhookOut {
    tx: mpsc::Sender<Outgoing>,
    rx: Mutex<Option<mpsc::Receiver<Outgoing>>>,
    log: Mutex<VecDeque<DeliveryRecord>>,
    capacity: usize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl WebhookOut {
    /// A queue whose log keeps at most `capacity` deliveries.
    pub fn new(capacity: usize) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        Self {
            tx,
            rx: Mutex::new(Some(rx)),
            log: Mutex::new(VecDeque::new()),
            capacity,
        }
    }

    /// Queues deliveries; starts the background sender on first use (needs a Tokio runtime).
    pub(crate) fn send(&self, items: Vec<Outgoing>, state: WeakState) {
        if items.is_empty() {
            return;
        }
        if let Some(rx) = lock(&self.rx).take() {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(run(rx, state));
                }
                Err(_) => {
                    tracing::warn!("no Tokio runtime: webhooks are not delivered");
                    return;
                }
            }
        }
        for item in items {
            if let Err(mpsc::error::TrySendError::Full(item)) = self.tx.try_send(item) {
                tracing::warn!(url = %item.url, "webhook queue full: delivery dropped");
                self.record(DeliveryRecord {
                    at: Utc::now(),
                    account: item.account.0,
                    webhook: item.webhook,
                    body: item.body(),
                    url: item.url,
                    event: item.event,
                    status: None,
                    error: Some(format!(
                        "not sent: {QUEUE_CAPACITY} deliveries were already waiting"
                    )),
                    deactivated: false,
                });
            }
        }
    }

    /// Up to `limit` deliveries, newest first.
    pub fn deliveries(&self, limit: usize) -> Vec<DeliveryRecord> {
        lock(&self.log).iter().rev().take(limit).cloned().collect()
    }

    /// How many deliveries the log keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets the log.
    pub fn clear(&self) {
        lock(&self.log).clear();
    }

    fn record(&self, r: DeliveryRecord) {
        if self.capacity == 0 {
            return;
        }
        let mut log = lock(&self.log);
        while log.len() >= self.capacity {
            log.pop_front();
        }
        log.push_back(r);
    }
}

/// The HTTP client of webhook deliveries and import callbacks: AC's user agent, a timeout.
fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(DELIVERY_TIMEOUT)
        .user_agent("ActiveCampaign/1.0 (ac-mock)")
        .build()
}

async fn run(mut rx: mpsc::Receiver<Outgoing>, state: WeakState) {
    let http = match http_client() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "cannot build the webhook HTTP client");
            return;
        }
    };
    while let Some(item) = rx.recv().await {
        let body = item.body();
        let sent = http
            .post(&item.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(res) => (Some(res.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let Some(state) = state.upgrade() else {
            return; // the server is gone
        };
        let deactivated = status == Some(410)
            && state
                .with_account(item.account, |a| a.store.deactivate_webhook(item.webhook))
                .unwrap_or(false);
        tracing::debug!(url = %item.url, event = %item.event, ?status, "webhook delivered");
        state.webhooks_out().record(DeliveryRecord {
            at: Utc::now(),
            account: item.account.0,
            webhook: item.webhook,
            url: item.url,
            event: item.event,
            body,
            status,
            error,
            deactivated,
        });
    }
}

/// A bulk import's `callback` (reference §9): where and how to say the import completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCallback {
    /// Absolute `http`/`https` URL.
    pub url: String,
    /// `POST` (the default) or `GET`.
    pub post: bool,
    /// `detailed_results`: also list the imported contact ids and the failed emails (POST only).
    pub detailed: bool,
    /// `params`: extra key/value pairs sent with the callback.
    pub params: Vec<(String, String)>,
    /// `headers`: extra request headers.
    pub headers: Vec<(String, String)>,
}

/// Calls a completed bulk import's callback in the background and logs the attempt in the
/// delivery log (webhook `0`, type `bulk_import_callback`). The request carries the `params`,
/// then `batchId`, `status=completed`, `success_count` and `failure_count`; with
/// `detailed_results` a POST also carries `success[n]` (contact ids) and `failure[n]`
/// (emails), as `GET /import/info` lists them. POST bodies are form-encoded; GET sends the
/// same pairs (without the lists) in the query string. Never retried.
pub(crate) fn call_import_callback(
    state: WeakState,
    account: AccountId,
    callback: ImportCallback,
    batch_id: String,
    success: Vec<u64>,
    failure: Vec<String>,
) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no Tokio runtime: the bulk import callback is not called");
        return;
    };
    handle.spawn(async move {
        let mut form: Form = callback.params.clone();
        push(&mut form, "batchId", batch_id);
        push(&mut form, "status", "completed");
        push(&mut form, "success_count", success.len().to_string());
        push(&mut form, "failure_count", failure.len().to_string());
        if callback.post && callback.detailed {
            for (i, id) in success.iter().enumerate() {
                push(&mut form, &format!("success[{i}]"), id.to_string());
            }
            for (i, email) in failure.iter().enumerate() {
                push(&mut form, &format!("failure[{i}]"), email.clone());
            }
        }
        let body = serde_urlencoded::to_string(&form).unwrap_or_default();
        let sent = async {
            let http = http_client()?;
            let mut req = if callback.post {
                http.post(&callback.url)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body.clone())
            } else {
                http.get(&callback.url).query(&form)
            };
            for (k, v) in &callback.headers {
                req = req.header(k.as_str(), v.as_str());
            }
            req.send().await
        }
        .await;
        let (status, error) = match sent {
            Ok(res) => (Some(res.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        tracing::debug!(url = %callback.url, ?status, "bulk import callback called");
        if let Some(state) = state.upgrade() {
            state.webhooks_out().record(DeliveryRecord {
                at: Utc::now(),
                account: account.0,
                webhook: 0,
                url: callback.url,
                event: "bulk_import_callback".into(),
                body,
                status,
                error,
                deactivated: false,
            });
        }
    });
}

/// Who caused an event: `initiated_from` (matched against a webhook's `sources`) and
/// `initiated_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// `public`, `admin`, `api` or `system`.
    pub from: &'static str,
    /// The actor.
    pub by: &'static str,
}

impl Origin {
    /// A change made through the API.
    pub const API: Origin = Origin {
        from: "api",
        by: "api",
    };
}

type Form = Vec<(String, String)>;

fn push(form: &mut Form, k: &str, v: impl Into<String>) {
    form.push((k.to_string(), v.into()));
}

fn head(
    form: &mut Form,
    event: &str,
    origin: Origin,
    list: u64,
    now: DateTime<Utc>,
    offset: FixedOffset,
) {
    push(form, "type", event);
    push(
        form,
        "date_time",
        now.with_timezone(&offset)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    );
    push(form, "initiated_from", origin.from);
    push(form, "initiated_by", origin.by);
    push(form, "list", list.to_string());
}

/// The customer account (organisation) a contact belongs to: (id, name).
fn customer_account(store: &Store, contact: u64) -> (u64, String) {
    store
        .account_contacts
        .iter()
        .find(|ac| ac.contact == contact)
        .and_then(|ac| store.accounts.get(ac.account))
        .map(|a| (a.id, a.name.clone()))
        .unwrap_or((0, String::new()))
}

/// The `contact[...]` block plus the top-level `customer_acct_*`/`orgname` keys; `None` when
/// the contact no longer exists.
fn contact_block(form: &mut Form, store: &Store, contact: u64) -> Option<()> {
    let c = store.contacts.get(contact)?;
    let tags: Vec<String> = store
        .contact_tags
        .iter()
        .filter(|ct| ct.contact == contact)
        .filter_map(|ct| store.tags.get(ct.tag).map(|t| t.tag.clone()))
        .collect();
    let (acct_id, acct_name) = customer_account(store, contact);
    push(form, "contact[id]", c.id.to_string());
    push(form, "contact[email]", c.email.clone());
    push(form, "contact[first_name]", c.first_name.clone());
    push(form, "contact[last_name]", c.last_name.clone());
    push(form, "contact[phone]", c.phone.clone());
    push(form, "contact[ip]", "0.0.0.0");
    push(form, "contact[tags]", tags.join(", "));
    push(form, "contact[orgname]", c.orgname.clone());
    push(form, "contact[customer_acct_name]", acct_name.clone());
    for fv in store.field_values.iter().filter(|fv| fv.contact == contact) {
        if let Some(f) = store.fields.get(fv.field) {
            push(
                form,
                &format!("contact[fields][{}]", f.perstag.to_lowercase()),
                fv.value.clone(),
            );
        }
    }
    push(form, "customer_acct_name", acct_name);
    push(form, "customer_acct_id", acct_id.to_string());
    push(form, "orgname", c.orgname.clone());
    Some(())
}

fn to_hooks(
    store: &Store,
    account: AccountId,
    event: &str,
    origin: Origin,
    list: u64,
    form: &Form,
    out: &mut Vec<Outgoing>,
) {
    for w in store.webhooks.iter() {
        if w.matches(event, origin.from, list) {
            out.push(Outgoing {
                account,
                webhook: w.id,
                url: w.url.clone(),
                event: event.to_string(),
                form: form.clone(),
            });
        }
    }
}

/// The webhooks that the changes of one API request fire, built while the store is at hand.
pub fn from_changes(
    store: &Store,
    account: AccountId,
    changes: &[Change],
    origin: Origin,
    now: DateTime<Utc>,
    offset: FixedOffset,
) -> Vec<Outgoing> {
    let mut out = Vec::new();
    if store.webhooks.iter().all(|w| !w.active) {
        return out;
    }
    let created: BTreeSet<u64> = changes
        .iter()
        .filter_map(|c| match c {
            Change::ContactCreated { contact } => Some(*contact),
            _ => None,
        })
        .collect();
    let mut updated = BTreeSet::new();
    for change in changes {
        let (event, contact, list, tag) = match change {
            Change::ContactSubscribed { contact, list } => ("subscribe", *contact, *list, None),
            Change::ContactUnsubscribed { contact, list } => ("unsubscribe", *contact, *list, None),
            Change::ContactUpdated { contact } | Change::FieldValueSet { contact, .. } => {
                if created.contains(contact) || !updated.insert(*contact) {
                    continue;
                }
                ("update", *contact, 0, None)
            }
            Change::ContactTagAdded { contact, tag } => {
                ("contact_tag_added", *contact, 0, Some(*tag))
            }
            Change::ContactTagRemoved { contact, tag } => {
                ("contact_tag_removed", *contact, 0, Some(*tag))
            }
            // Bulk imports fire no webhooks (reference §9); other changes have no event here.
            _ => continue,
        };
        let mut form = Form::new();
        head(&mut form, event, origin, list, now, offset);
        if contact_block(&mut form, store, contact).is_none() {
            continue;
        }
        if let Some(tag) = tag {
            let name = store
                .tags
                .get(tag)
                .map(|t| t.tag.clone())
                .unwrap_or_default();
            push(&mut form, "tag", name);
        }
        to_hooks(store, account, event, origin, list, &form, &mut out);
    }
    deal_events(store, account, changes, origin, now, offset, &mut out);
    out
}

/// `deal_add` for each deal created, then one `deal_update` per other deal updated (with every
/// attribute its updates changed in `updated_fields`); account-level, so `list` is 0.
fn deal_events(
    store: &Store,
    account: AccountId,
    changes: &[Change],
    origin: Origin,
    now: DateTime<Utc>,
    offset: FixedOffset,
    out: &mut Vec<Outgoing>,
) {
    let mut added = Vec::new();
    let mut updated: Vec<(u64, Vec<String>)> = Vec::new();
    for change in changes {
        match change {
            Change::DealCreated { deal } => added.push(*deal),
            Change::DealUpdated { deal, fields } if !added.contains(deal) => {
                match updated.iter_mut().find(|(d, _)| d == deal) {
                    Some((_, all)) => {
                        for f in fields {
                            if !all.contains(f) {
                                all.push(f.clone());
                            }
                        }
                    }
                    None => updated.push((*deal, fields.clone())),
                }
            }
            _ => {}
        }
    }
    let events = added
        .into_iter()
        .map(|d| ("deal_add", d, Vec::new()))
        .chain(updated.into_iter().map(|(d, f)| ("deal_update", d, f)));
    for (event, deal, fields) in events {
        let mut form = Form::new();
        head(&mut form, event, origin, 0, now, offset);
        if deal_block(&mut form, store, deal, offset).is_none() {
            continue;
        }
        for (i, f) in fields.into_iter().enumerate() {
            push(&mut form, &format!("updated_fields[{i}]"), f);
        }
        to_hooks(store, account, event, origin, 0, &form, out);
    }
}

/// The `deal[...]` block of deal webhooks (reference §10.2, keys in the order listed there).
/// The mock has one user (id 1, "Admin User") and no deal custom-field definitions, so
/// `deal[fields][n][key]` is the field's id.
fn deal_block(form: &mut Form, store: &Store, deal: u64, offset: FixedOffset) -> Option<()> {
    let d = store.deals.get(deal)?;
    let org = d.account.and_then(|a| store.accounts.get(a));
    let stage = store.pipelines.stages.get(d.stage);
    let pipeline = store.pipelines.groups.get(d.group);
    let contact = d.contact.and_then(|c| store.contacts.get(c));
    let text = |v: Option<&str>| v.unwrap_or_default().to_string();
    push(form, "deal[id]", d.id.to_string());
    push(form, "deal[title]", d.title.clone());
    push(
        form,
        "deal[create_date]",
        crate::reply::naive(d.cdate, offset),
    );
    push(
        form,
        "deal[create_date_iso]",
        crate::reply::ts(d.cdate, offset),
    );
    push(form, "deal[orgid]", d.account.unwrap_or(0).to_string());
    push(form, "deal[orgname]", text(org.map(|a| a.name.as_str())));
    push(form, "deal[stageid]", d.stage.to_string());
    push(
        form,
        "deal[stage_title]",
        text(stage.map(|s| s.title.as_str())),
    );
    push(form, "deal[pipelineid]", d.group.to_string());
    push(
        form,
        "deal[pipeline_title]",
        text(pipeline.map(|p| p.title.as_str())),
    );
    push(form, "deal[value]", money(d.value));
    push(form, "deal[value_raw]", money_raw(d.value));
    push(form, "deal[currency]", d.currency.clone());
    push(form, "deal[currency_symbol]", currency_symbol(&d.currency));
    push(form, "deal[owner]", d.owner.to_string());
    let (first, last) = if d.owner == 1 {
        ("Admin", "User")
    } else {
        ("", "")
    };
    push(form, "deal[owner_firstname]", first);
    push(form, "deal[owner_lastname]", last);
    push(form, "deal[contactid]", d.contact.unwrap_or(0).to_string());
    push(
        form,
        "deal[contact_email]",
        text(contact.map(|c| c.email.as_str())),
    );
    push(
        form,
        "deal[contact_firstname]",
        text(contact.map(|c| c.first_name.as_str())),
    );
    push(
        form,
        "deal[contact_lastname]",
        text(contact.map(|c| c.last_name.as_str())),
    );
    push(form, "deal[status]", d.status.to_string());
    for (i, (field, value)) in d.fields.iter().enumerate() {
        push(form, &format!("deal[fields][{i}][id]"), field.to_string());
        push(form, &format!("deal[fields][{i}][key]"), field.to_string());
        push(form, &format!("deal[fields][{i}][value]"), value.clone());
    }
    Some(())
}

/// Cents as AC formats a deal's value in webhooks: `1,044,055.00`.
fn money(cents: u64) -> String {
    let units = (cents / 100).to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3 + 3);
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{grouped}.{:02}", cents % 100)
}

/// Cents as the unformatted `value_raw`: whole units (`1044055`), with two decimals only when
/// there are cents (`10.50`).
fn money_raw(cents: u64) -> String {
    if cents.is_multiple_of(100) {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// The symbol AC shows next to an amount in this (lower-case) currency; the upper-case code
/// for currencies without a common symbol.
fn currency_symbol(code: &str) -> String {
    match code {
        "usd" | "aud" | "cad" | "nzd" | "mxn" | "sgd" | "hkd" => "$".into(),
        "eur" => "€".into(),
        "gbp" => "£".into(),
        "jpy" | "cny" => "¥".into(),
        "inr" => "₹".into(),
        "brl" => "R$".into(),
        "chf" => "CHF".into(),
        other => other.to_uppercase(),
    }
}

/// What a simulated campaign event carries besides the campaign and contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignExtras {
    /// Click: the link's id.
    pub link_id: Option<u64>,
    /// Click: the link's URL.
    pub link_url: Option<String>,
    /// Bounce: `hard` or `soft`.
    pub bounce_type: Option<String>,
    /// Unsubscribe reason or bounce description.
    pub reason: Option<String>,
}

/// The webhooks a simulated campaign event fires (contact `None` for `sent`).
#[allow(clippy::too_many_arguments)]
pub fn from_campaign_event(
    store: &Store,
    account: AccountId,
    campaign: &Campaign,
    event: CampaignEventType,
    contact: Option<u64>,
    extras: &CampaignExtras,
    now: DateTime<Utc>,
    offset: FixedOffset,
) -> Vec<Outgoing> {
    let source = event.source();
    let origin = Origin {
        from: source,
        by: source,
    };
    let name = event.as_str();
    let mut form = Form::new();
    head(&mut form, name, origin, campaign.list, now, offset);
    let c = campaign.id.to_string();
    push(&mut form, "campaign[id]", c.clone());
    push(&mut form, "campaign[name]", campaign.name.clone());
    if event != CampaignEventType::Bounce && event != CampaignEventType::Unsubscribe {
        let recipients = store
            .contact_lists
            .iter()
            .filter(|m| m.list == campaign.list && m.status == 1)
            .count();
        push(
            &mut form,
            "campaign[status]",
            if event == CampaignEventType::Sent {
                "2"
            } else {
                "5"
            },
        );
        push(&mut form, "campaign[type]", "single");
        push(&mut form, "campaign[recipients]", recipients.to_string());
        push(&mut form, "campaign[message][id]", c.clone());
        push(
            &mut form,
            "campaign[message][subject]",
            campaign.subject.clone(),
        );
    }
    if let Some(contact) = contact {
        if contact_block(&mut form, store, contact).is_none() {
            return Vec::new();
        }
    }
    match event {
        CampaignEventType::Click => {
            push(
                &mut form,
                "link[id]",
                extras.link_id.unwrap_or(1).to_string(),
            );
            push(
                &mut form,
                "link[url]",
                extras.link_url.clone().unwrap_or_default(),
            );
        }
        CampaignEventType::Bounce => {
            let hard = extras.bounce_type.as_deref() != Some("soft");
            push(
                &mut form,
                "bounce[type]",
                if hard { "hard" } else { "soft" },
            );
            push(
                &mut form,
                "bounce[code]",
                if hard { "5.1.1" } else { "4.2.2" },
            );
            push(
                &mut form,
                "bounce[description]",
                extras
                    .reason
                    .clone()
                    .unwrap_or_else(|| if hard { "User unknown" } else { "Mailbox full" }.into()),
            );
        }
        CampaignEventType::Unsubscribe => {
            push(
                &mut form,
                "unsubscribe[reason]",
                extras.reason.clone().unwrap_or_default(),
            );
            push(&mut form, "list[0][id]", campaign.list.to_string());
            push(&mut form, "form[id]", "");
        }
        CampaignEventType::Sent | CampaignEventType::Open => {}
    }
    let mut out = Vec::new();
    to_hooks(store, account, name, origin, campaign.list, &form, &mut out);
    out
}

#[cfg(test)]
mod deal_format_tests {
    use super::*;

    #[test]
    fn deal_amounts_and_currency_symbols() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(99_999), "999.99");
        assert_eq!(money(100_000), "1,000.00");
        assert_eq!(money(104_405_500), "1,044,055.00");
        assert_eq!(money(123_456_789_012), "1,234,567,890.12");
        assert_eq!(money_raw(104_405_500), "1044055");
        assert_eq!(money_raw(1_050), "10.50");
        assert_eq!(money_raw(7), "0.07");
        assert_eq!(currency_symbol("usd"), "$");
        assert_eq!(currency_symbol("eur"), "€");
        assert_eq!(currency_symbol("gbp"), "£");
        assert_eq!(currency_symbol("sek"), "SEK");
    }
}
