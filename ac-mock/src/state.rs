//! The shared state every room reads: the options, the accounts (each with its store and
//! campaigns), the journal, the fault rules, the rate limits and the outgoing webhooks.
//! No HTTP routing here: the router factory ([`crate::app()`]) sits on top of it.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use chrono::FixedOffset;

use crate::account_id::AccountId;
use crate::campaigns::Campaigns;
use crate::faults::{FaultRule, Faults};
use crate::journal::Journal;
use crate::persist::{AccountDoc, StateDoc, STATE_VERSION};
use crate::ratelimit::Limits;
use crate::reply::ApiError;
use crate::store::Store;
use crate::webhooks_out::{Host, Listener, Origin, WebhookOut};

/// Everything the server is configured with. Built by [`crate::MockServerBuilder`].
#[derive(Debug, Clone)]
pub struct Options {
    /// `Api-Token` of the default account.
    pub api_token: String,
    /// Tracking account id (`actid`) of the default account.
    pub actid: String,
    /// Event tracking key of the default account.
    pub event_key: String,
    /// How many requests the journal keeps.
    pub journal_size: usize,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The account's UTC offset, used to render `cdate`/`udate`.
    pub utc_offset: FixedOffset,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Whether two tags may share a name.
    pub allow_duplicate_tags: bool,
    /// Status of `POST /contactTags` when it creates a new row (201 per docs, 200 seen live).
    pub contact_tag_created_status: u16,
    /// Requests per second per account before a 429 (`None` = unlimited, the default).
    pub rate_limit: Option<u32>,
    /// Whether bulk import's per-minute limits (20 single-contact, 100 multi-contact) apply.
    pub bulk_import_limits: bool,
    /// Fault rules in force from the start.
    pub faults: Vec<FaultRule>,
    /// How many webhook deliveries `GET /__admin/webhook-deliveries` keeps.
    pub delivery_log_size: usize,
    /// A request's head must arrive within this, counted from when the connection is ready
    /// for one (so an idle keep-alive connection is closed after it too).
    pub header_read_timeout: Duration,
    /// A connection on which no byte moved either way for this long is closed (a body that
    /// stops half-way, a client that stops reading).
    pub idle_timeout: Duration,
    /// On shutdown, requests in hand may finish within this; then connections are closed.
    pub shutdown_timeout: Duration,
    /// When set, every `/__admin` call must carry it (`Authorization: Bearer TOKEN` or
    /// `X-Admin-Token: TOKEN`).
    pub admin_token: Option<String>,
    /// Largest state document `PUT /__admin/state` accepts, in bytes.
    pub max_state_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            api_token: "ac-mock-token".into(),
            actid: "1000000".into(),
            event_key: "ac-mock-event-key".into(),
            journal_size: 1000,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            utc_offset: FixedOffset::west_opt(5 * 3600)
                .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC is a valid offset")),
            max_body_bytes: 2 * 1024 * 1024,
            allow_duplicate_tags: false,
            contact_tag_created_status: 201,
            rate_limit: None,
            bulk_import_limits: true,
            faults: Vec::new(),
            delivery_log_size: 1000,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(5),
            admin_token: None,
            max_state_bytes: 64 * 1024 * 1024,
        }
    }
}

/// One isolated AC account: credentials plus its own store.
#[derive(Debug, Clone)]
pub struct Account {
    /// The mock's id of the account.
    pub id: AccountId,
    /// `Api-Token` that selects this account.
    pub api_token: String,
    /// Tracking account id.
    pub actid: String,
    /// Event tracking key.
    pub event_key: String,
    /// The account's UTC offset.
    pub utc_offset: FixedOffset,
    /// The account's data.
    pub store: Store,
    /// Simulated campaigns (`/__admin/campaigns`).
    pub campaigns: Campaigns,
}

/// How a handler renders records of one account: absolute links and the account's offset.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// `http://HOST:PORT/api/3`, prefix of every `links` URL (built once, shared).
    pub api_base: Arc<str>,
    /// The account's UTC offset.
    pub offset: FixedOffset,
    /// Status of a newly created contactTag.
    pub contact_tag_created_status: u16,
}

#[derive(Debug, Default)]
struct Accounts {
    next_id: u64,
    by_id: BTreeMap<AccountId, Account>,
    /// `Api-Token` → account; the first account with a token wins, as a scan in id order did.
    by_token: HashMap<String, AccountId>,
}

#[derive(Debug)]
struct Shared {
    options: Options,
    base_url: String,
    api_base: Arc<str>,
    accounts: Mutex<Accounts>,
    journal: Mutex<Journal>,
    faults: Mutex<Faults>,
    limits: Limits,
    hooks: WebhookOut,
    /// Bumped by every change; the state file writer compares it with what it wrote.
    changes: AtomicU64,
    changed: tokio::sync::Notify,
    /// Whether any fault rule exists: requests skip the rules' lock when none does.
    has_faults: AtomicBool,
}

/// A handle on the state that does not keep the server alive (held by background tasks).
#[derive(Debug, Clone)]
pub struct WeakState(Weak<Shared>);

impl WeakState {
    /// The state, while the server still exists.
    pub fn upgrade(&self) -> Option<AppState> {
        self.0.upgrade().map(|inner| AppState { inner })
    }
}

impl Host for WeakState {
    fn listener(&self) -> Option<Listener> {
        let state = self.upgrade()?;
        Listener::of(state.base_url(), state.options().listen)
    }

    fn alive(&self) -> bool {
        self.upgrade().is_some()
    }

    fn webhook_active(&self, account: AccountId, webhook: u64) -> Option<Option<bool>> {
        let state = self.upgrade()?;
        Some(
            state
                .with_account(account, |a| a.store.webhooks.get(webhook).map(|w| w.active))
                .flatten(),
        )
    }

    fn deactivate_webhook(&self, account: AccountId, webhook: u64) -> bool {
        self.upgrade()
            .and_then(|state| {
                let done = state.with_account(account, |a| a.store.deactivate_webhook(webhook));
                // A change no request made: the state file is written again too.
                state.mark_changed();
                done
            })
            .unwrap_or(false)
    }

    fn with_lanes<R>(&self, f: impl FnOnce(&WebhookOut) -> R) -> Option<R> {
        self.upgrade().map(|state| f(state.webhooks_out()))
    }
}

/// Shared server state: cheap to clone. No lock is ever held across an `.await`.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the data half-written in a way that matters
    // to a test double, so a poisoned lock is simply taken over.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// State with the default account from `options`; `base_url` prefixes `links`
    /// (e.g. `http://127.0.0.1:4010`, no trailing slash).
    pub fn new(options: Options, base_url: impl Into<String>) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_string();
        let state = Self {
            inner: Arc::new(Shared {
                journal: Mutex::new(Journal::new(options.journal_size)),
                api_base: format!("{base_url}/api/3").into(),
                base_url,
                accounts: Mutex::new(Accounts::default()),
                faults: Mutex::new(Faults::default()),
                limits: Limits::new(options.rate_limit, options.bulk_import_limits),
                hooks: WebhookOut::new(options.delivery_log_size),
                changes: AtomicU64::new(0),
                changed: tokio::sync::Notify::new(),
                has_faults: AtomicBool::new(false),
                options: options.clone(),
            }),
        };
        for rule in &options.faults {
            // Rules from options were checked when they were set; a bad one is skipped.
            if let Err(e) = state.add_fault(rule.clone()) {
                tracing::warn!(error = %e, "ignoring an invalid fault rule");
            }
        }
        state.add_account(
            &options.api_token,
            &options.actid,
            &options.event_key,
            options.utc_offset,
        );
        state
    }

    /// The options the state was built with.
    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// Base URL of the server, without `/api/3`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Adds an isolated account and returns its id.
    pub fn add_account(
        &self,
        api_token: &str,
        actid: &str,
        event_key: &str,
        utc_offset: FixedOffset,
    ) -> AccountId {
        let mut accounts = lock(&self.inner.accounts);
        accounts.next_id += 1;
        let id = AccountId(accounts.next_id);
        let mut store = Store::default();
        store.allow_duplicate_tags = self.inner.options.allow_duplicate_tags;
        accounts.by_id.insert(
            id,
            Account {
                id,
                api_token: api_token.to_string(),
                actid: actid.to_string(),
                event_key: event_key.to_string(),
                utc_offset,
                store,
                campaigns: Campaigns::default(),
            },
        );
        accounts.by_token.entry(api_token.to_string()).or_insert(id);
        id
    }

    /// Creates a new, empty account with fresh random credentials (`POST /__admin/accounts`).
    /// Returns its id, `Api-Token`, `actid` and event key.
    pub fn create_account(&self) -> (AccountId, String, String, String) {
        use rand::Rng;
        let mut rng = rand::rng();
        let hex = |rng: &mut rand::rngs::ThreadRng, n: usize| -> String {
            (0..n)
                .map(|_| format!("{:x}", rng.random_range(0..16u8)))
                .collect()
        };
        let token = hex(&mut rng, 64);
        let key = hex(&mut rng, 40);
        let actid = {
            let accounts = lock(&self.inner.accounts);
            let highest = accounts
                .by_id
                .values()
                .filter_map(|a| a.actid.parse::<u64>().ok())
                .max()
                .unwrap_or(999_999);
            (highest + 1).to_string()
        };
        let id = self.add_account(&token, &actid, &key, self.inner.options.utc_offset);
        (id, token, actid, key)
    }

    /// Every account's id and credentials, in creation order.
    pub fn accounts(&self) -> Vec<(AccountId, String, String, String)> {
        lock(&self.inner.accounts)
            .by_id
            .values()
            .map(|a| {
                (
                    a.id,
                    a.api_token.clone(),
                    a.actid.clone(),
                    a.event_key.clone(),
                )
            })
            .collect()
    }

    /// Runs `f` on a whole account (store and campaigns), then drains the store's outbox
    /// without delivering anything: for admin actions whose effects are reported separately.
    pub fn with_account<R>(&self, id: AccountId, f: impl FnOnce(&mut Account) -> R) -> Option<R> {
        let mut accounts = lock(&self.inner.accounts);
        let account = accounts.by_id.get_mut(&id)?;
        let result = f(account);
        account.store.drain_changes();
        Some(result)
    }

    /// The whole state (every account's credentials and data) as a document.
    pub fn export_state(&self) -> StateDoc {
        let accounts = lock(&self.inner.accounts);
        StateDoc {
            version: STATE_VERSION,
            accounts: accounts
                .by_id
                .values()
                .map(|a| AccountDoc {
                    api_token: a.api_token.clone(),
                    actid: a.actid.clone(),
                    event_key: a.event_key.clone(),
                    utc_offset: Some(a.utc_offset.to_string()),
                    store: a.store.clone(),
                    campaigns: a.campaigns.clone(),
                })
                .collect(),
        }
    }

    /// Replaces every account with the document's. The account from the options always
    /// exists afterwards (added empty when the document lacks it). Nothing changes when the
    /// document is invalid (duplicate tokens, a bad offset).
    pub fn import_state(&self, doc: StateDoc) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        let mut rows = Vec::with_capacity(doc.accounts.len() + 1);
        for (i, a) in doc.accounts.into_iter().enumerate() {
            if a.api_token.trim().is_empty() {
                return Err(format!("accounts[{i}].api_token is empty"));
            }
            if !seen.insert(a.api_token.clone()) {
                return Err(format!(
                    "accounts[{i}].api_token is used by an earlier account"
                ));
            }
            let offset = match &a.utc_offset {
                None => self.inner.options.utc_offset,
                Some(text) => text.parse::<FixedOffset>().map_err(|_| {
                    format!("accounts[{i}].utc_offset {text:?} is not an offset such as -05:00")
                })?,
            };
            rows.push((a, offset));
        }
        let o = &self.inner.options;
        if !seen.contains(&o.api_token) {
            rows.insert(
                0,
                (
                    AccountDoc {
                        api_token: o.api_token.clone(),
                        actid: o.actid.clone(),
                        event_key: o.event_key.clone(),
                        utc_offset: None,
                        store: Store::default(),
                        campaigns: Campaigns::default(),
                    },
                    o.utc_offset,
                ),
            );
        }
        let mut accounts = lock(&self.inner.accounts);
        *accounts = Accounts::default();
        for (a, utc_offset) in rows {
            accounts.next_id += 1;
            let id = AccountId(accounts.next_id);
            let mut store = a.store;
            store.drain_changes();
            accounts.by_token.entry(a.api_token.clone()).or_insert(id);
            accounts.by_id.insert(
                id,
                Account {
                    id,
                    api_token: a.api_token,
                    actid: a.actid,
                    event_key: a.event_key,
                    utc_offset,
                    store,
                    campaigns: a.campaigns,
                },
            );
        }
        drop(accounts);
        self.inner.limits.clear();
        Ok(())
    }

    /// Adds a fault rule; returns its id or what is wrong with it.
    pub fn add_fault(&self, rule: FaultRule) -> Result<u64, String> {
        self.with_faults(|f| f.add(rule))
    }

    /// Runs `f` on the fault rules.
    pub fn with_faults<R>(&self, f: impl FnOnce(&mut Faults) -> R) -> R {
        let mut faults = lock(&self.inner.faults);
        let out = f(&mut faults);
        self.inner
            .has_faults
            .store(!faults.is_empty(), Ordering::Release);
        out
    }

    /// Whether any fault rule is in force (one atomic read; no lock).
    pub fn has_faults(&self) -> bool {
        self.inner.has_faults.load(Ordering::Acquire)
    }

    /// Notes that the state changed (every write request does this), so that the state file
    /// is written again.
    pub fn mark_changed(&self) {
        self.inner.changes.fetch_add(1, Ordering::Release);
        self.inner.changed.notify_one();
    }

    /// How many changes there have been.
    pub fn changes(&self) -> u64 {
        self.inner.changes.load(Ordering::Acquire)
    }

    /// Resolves at the next change (or at once when one happened since the last wait).
    pub async fn changed(&self) {
        self.inner.changed.notified().await;
    }

    /// The rate limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The outgoing webhook queue and its delivery log.
    pub fn webhooks_out(&self) -> &WebhookOut {
        &self.inner.hooks
    }

    /// A handle that does not keep the state alive.
    pub fn weak(&self) -> WeakState {
        WeakState(Arc::downgrade(&self.inner))
    }

    /// The account whose `Api-Token` this is.
    pub fn account_by_token(&self, token: &str) -> Option<AccountId> {
        lock(&self.inner.accounts).by_token.get(token).copied()
    }

    /// The account whose tracking `actid` this is.
    pub fn account_by_actid(&self, actid: &str) -> Option<AccountId> {
        let accounts = lock(&self.inner.accounts);
        accounts
            .by_id
            .values()
            .find(|a| a.actid == actid)
            .map(|a| a.id)
    }

    /// The account's tracking `actid` and event key.
    pub fn tracking_keys(&self, id: AccountId) -> Option<(String, String)> {
        lock(&self.inner.accounts)
            .by_id
            .get(&id)
            .map(|a| (a.actid.clone(), a.event_key.clone()))
    }

    /// Runs `f` on the account's store, then drains the store's outbox.
    pub fn with_store<R>(
        &self,
        id: AccountId,
        f: impl FnOnce(&mut Store, &Ctx) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut accounts = lock(&self.inner.accounts);
        let account = accounts.by_id.get_mut(&id).ok_or(ApiError::Forbidden)?;
        let ctx = Ctx {
            api_base: Arc::clone(&self.inner.api_base),
            offset: account.utc_offset,
            contact_tag_created_status: self.inner.options.contact_tag_created_status,
        };
        let result = f(&mut account.store, &ctx);
        let changes = account.store.drain_changes();
        if !changes.is_empty() {
            tracing::debug!(account = id.0, ?changes, "store changes");
            let out = crate::webhooks_out::from_changes(
                &account.store,
                id,
                &changes,
                Origin::API,
                crate::store::now(),
                account.utc_offset,
            );
            drop(accounts);
            self.inner.hooks.send(out, self.weak());
        }
        result
    }

    /// A copy of one account's store (for tests and export).
    pub fn snapshot(&self, id: AccountId) -> Option<Store> {
        lock(&self.inner.accounts)
            .by_id
            .get(&id)
            .map(|a| a.store.clone())
    }

    /// Empties every account's data; credentials stay.
    pub fn reset(&self) {
        for account in lock(&self.inner.accounts).by_id.values_mut() {
            account.store.clear();
            account.campaigns.clear();
        }
    }

    /// Runs `f` on the request journal.
    pub fn with_journal<R>(&self, f: impl FnOnce(&mut Journal) -> R) -> R {
        f(&mut lock(&self.inner.journal))
    }
}
