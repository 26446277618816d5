//! Shared state (accounts, journal, options) and the router factory.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::DefaultBodyLimit;
use axum::Router;
use chrono::FixedOffset;

use crate::journal::Journal;
use crate::reply::ApiError;
use crate::store::Store;
use crate::{admin, middleware, routes};

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
        }
    }
}

/// Identifies an account inside the mock (not an AC id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub u64);

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
}

/// How a handler renders records of one account: absolute links and the account's offset.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// `http://HOST:PORT/api/3`, prefix of every `links` URL.
    pub api_base: String,
    /// The account's UTC offset.
    pub offset: FixedOffset,
    /// Status of a newly created contactTag.
    pub contact_tag_created_status: u16,
}

#[derive(Debug, Default)]
struct Accounts {
    next_id: u64,
    by_id: BTreeMap<AccountId, Account>,
}

#[derive(Debug)]
struct Shared {
    options: Options,
    base_url: String,
    accounts: Mutex<Accounts>,
    journal: Mutex<Journal>,
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
        let state = Self {
            inner: Arc::new(Shared {
                journal: Mutex::new(Journal::new(options.journal_size)),
                base_url: base_url.into().trim_end_matches('/').to_string(),
                accounts: Mutex::new(Accounts::default()),
                options: options.clone(),
            }),
        };
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
            },
        );
        id
    }

    /// The account whose `Api-Token` this is.
    pub fn account_by_token(&self, token: &str) -> Option<AccountId> {
        let accounts = lock(&self.inner.accounts);
        accounts
            .by_id
            .values()
            .find(|a| a.api_token == token)
            .map(|a| a.id)
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

    /// Runs `f` on the account's store, then drains the store's outbox.
    pub fn with_store<R>(
        &self,
        id: AccountId,
        f: impl FnOnce(&mut Store, &Ctx) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut accounts = lock(&self.inner.accounts);
        let account = accounts.by_id.get_mut(&id).ok_or(ApiError::Forbidden)?;
        let ctx = Ctx {
            api_base: format!("{}/api/3", self.inner.base_url),
            offset: account.utc_offset,
            contact_tag_created_status: self.inner.options.contact_tag_created_status,
        };
        let result = f(&mut account.store, &ctx);
        for change in account.store.drain_changes() {
            // Webhook delivery will subscribe here; for now the changes are only logged.
            tracing::debug!(account = id.0, ?change, "store change");
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
        }
    }

    /// Runs `f` on the request journal.
    pub fn with_journal<R>(&self, f: impl FnOnce(&mut Journal) -> R) -> R {
        f(&mut lock(&self.inner.journal))
    }
}

/// The whole application: AC's API under `/api/3`, the admin API under `/__admin`,
/// and the cross-cutting middleware. Use it with `tower::ServiceExt::oneshot` in tests.
pub fn app(state: AppState) -> Router {
    let api = routes::router().layer(axum::middleware::from_fn_with_state(
        state.clone(),
        middleware::auth,
    ));
    Router::new()
        .nest("/api/3", api)
        .nest("/__admin", admin::router())
        .fallback(middleware::not_found)
        // Outermost last: journal sees the final status of everything below it. Fault
        // injection and rate limiting belong between the journal and auth.
        .layer(DefaultBodyLimit::max(state.options().max_body_bytes))
        .layer(axum::middleware::from_fn(middleware::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::journal,
        ))
        .with_state(state)
}
