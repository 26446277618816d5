//! A stateful fake of ActiveCampaign's v3 API, for tests and CI.
//!
//! `ac-mock` answers AC's routes (`/api/3/contacts`, `/tags`, `/lists`, `/fields`, ...) with
//! AC's JSON shapes, status codes and error bodies, and keeps what you write: a POST followed
//! by a GET returns what was written. Each account's data is isolated and selected by the
//! `Api-Token` header. An admin API under `/__admin` offers health, reset, isolated accounts,
//! state export/import, a bounded request journal, fault rules, simulated campaigns and a
//! webhook delivery log; webhooks are delivered as AC sends them, and AC's rate limits can be
//! switched on. See the crate's README for every endpoint with curl examples.
//!
//! Use it in-process from Rust tests:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = ac_mock::MockServer::start().await?;
//! let http = reqwest::Client::new();
//!
//! let created = http
//!     .post(format!("{}/api/3/contacts", server.base_url()))
//!     .header("Api-Token", server.api_token())
//!     .json(&serde_json::json!({"contact": {"email": "ada@example.com"}}))
//!     .send()
//!     .await?;
//! assert_eq!(created.status(), 201);
//!
//! let listed: serde_json::Value = http
//!     .get(format!("{}/api/3/contacts?email=ada@example.com", server.base_url()))
//!     .header("Api-Token", server.api_token())
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(listed["meta"]["total"], "1");
//! assert_eq!(listed["contacts"][0]["email"], "ada@example.com");
//! # Ok(())
//! # }
//! ```
//!
//! Or run the `ac-mock` binary (`ac-mock --help`) and point any client at it.
//!
//! For `tower::ServiceExt::oneshot` tests without a socket, build the router with
//! [`app()`] over an [`AppState`].

#![recursion_limit = "256"]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::time::Duration;

use chrono::FixedOffset;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

mod account_id;
pub mod admin;
mod app;
pub mod campaigns;
mod conn;
pub mod extract;
pub mod faults;
pub mod journal;
pub mod middleware;
pub mod persist;
pub mod query;
pub mod ratelimit;
mod render;
pub mod reply;
pub mod routes;
pub mod state;
pub mod store;
pub mod webhooks_out;

pub use account_id::AccountId;
pub use app::app;
pub use state::{AppState, Options};

/// A running mock server. Dropping it stops the server.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    state: AppState,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    writer: Option<JoinHandle<()>>,
    state_file: Option<PathBuf>,
}

impl MockServer {
    /// Starts a server with default options on `127.0.0.1:0` (a free port).
    pub async fn start() -> std::io::Result<MockServer> {
        Self::builder().start().await
    }

    /// A builder to set options before starting.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// `http://HOST:PORT` without a trailing slash; clients append `/api/3`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The default account's `Api-Token`.
    pub fn api_token(&self) -> &str {
        &self.state.options().api_token
    }

    /// The default account's tracking account id (`actid`).
    pub fn actid(&self) -> &str {
        &self.state.options().actid
    }

    /// The default account's event tracking key.
    pub fn event_key(&self) -> &str {
        &self.state.options().event_key
    }

    /// Where the tracking host's routes (`/event`, `/visit`) are served: the same listener.
    pub fn tracking_url(&self) -> &str {
        &self.base_url
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (accounts, stores, journal), e.g. to inspect a store in a test.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The whole state as a document (what `GET /__admin/state` answers).
    pub fn export_state(&self) -> persist::StateDoc {
        self.state.export_state()
    }

    /// Writes the whole state to a file (atomically), as a clean shutdown does with
    /// [`MockServerBuilder::state_file`].
    pub fn save_state(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        persist::save(path.as_ref(), &self.state.export_state()).map_err(std::io::Error::other)
    }

    /// Stops accepting, lets requests in hand finish within the shutdown timeout (then
    /// closes their connections), and writes the state file when one was configured, whatever
    /// the connections did.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        let served = match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other),
            None => Ok(()),
        };
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
        if let Some(path) = self.state_file.take() {
            self.save_state(&path)?;
            tracing::info!(path = %path.display(), "state written");
        }
        served
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// How long the state file writer waits after a change before writing: the changes of a
/// burst within it are one write.
pub const STATE_WRITE_DELAY: Duration = Duration::from_millis(500);

/// Writes the state file after every change (debounced), until `stop`.
async fn write_state(state: AppState, path: PathBuf, mut stop: watch::Receiver<bool>) {
    let mut written = state.changes();
    loop {
        tokio::select! {
            _ = state.changed() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(STATE_WRITE_DELAY) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let now = state.changes();
        if now == written {
            continue;
        }
        let doc = state.export_state();
        let target = path.clone();
        let saved = tokio::task::spawn_blocking(move || persist::save(&target, &doc)).await;
        match saved {
            Ok(Ok(())) => {
                written = now;
                tracing::debug!(path = %path.display(), "state written");
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "writing the state file failed; trying again at the next change")
            }
            Err(e) => tracing::error!(error = %e, "the state writer stopped"),
        }
    }
}

/// Options for [`MockServer`]; every setter has a sensible default.
#[derive(Debug, Clone, Default)]
pub struct MockServerBuilder {
    options: Options,
    seed: Option<PathBuf>,
    initial: Option<persist::StateDoc>,
    state_file: Option<PathBuf>,
}

impl MockServerBuilder {
    /// `Api-Token` of the default account (default `ac-mock-token`).
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.options.api_token = token.into();
        self
    }

    /// Tracking account id (default `1000000`).
    pub fn actid(mut self, actid: impl Into<String>) -> Self {
        self.options.actid = actid.into();
        self
    }

    /// Event tracking key (default `ac-mock-event-key`).
    pub fn event_key(mut self, key: impl Into<String>) -> Self {
        self.options.event_key = key.into();
        self
    }

    /// How many requests the journal keeps (default 1000).
    pub fn journal_size(mut self, size: usize) -> Self {
        self.options.journal_size = size;
        self
    }

    /// Address to listen on (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.options.listen = addr;
        self
    }

    /// The account's UTC offset for `cdate`/`udate` (default `-05:00`).
    pub fn utc_offset(mut self, offset: FixedOffset) -> Self {
        self.options.utc_offset = offset;
        self
    }

    /// Largest accepted request body in bytes (default 2 MiB); larger bodies get a 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.options.max_body_bytes = bytes;
        self
    }

    /// Whether `POST /tags` accepts a name that already exists (default `false`: 422 duplicate).
    pub fn allow_duplicate_tags(mut self, allow: bool) -> Self {
        self.options.allow_duplicate_tags = allow;
        self
    }

    /// Status of `POST /contactTags` when it creates a new association (default 201, as AC's
    /// docs say; live AC was seen answering 200). An existing pair always answers 200.
    pub fn contact_tag_new_status(mut self, status: u16) -> Self {
        self.options.contact_tag_created_status = status;
        self
    }

    /// Requests per second per account; more get AC's 429 (`Retry-After`, `RateLimit-Limit`,
    /// `RateLimit-Remaining`). Default: unlimited. AC's own limit is 5.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.options.rate_limit = Some(per_second).filter(|n| *n > 0);
        self
    }

    /// Whether bulk import's per-minute limits (20 single-contact, 100 multi-contact
    /// requests/min, answered 400 `success: 0`) apply (default `true`, as on AC).
    pub fn bulk_import_limits(mut self, on: bool) -> Self {
        self.options.bulk_import_limits = on;
        self
    }

    /// Adds a fault rule in force from the start (see [`faults::FaultRule`]); an invalid rule
    /// makes [`MockServerBuilder::start`] fail with a message saying why.
    pub fn fault(mut self, rule: faults::FaultRule) -> Self {
        self.options.faults.push(rule);
        self
    }

    /// How many webhook deliveries `GET /__admin/webhook-deliveries` keeps (default 1000).
    pub fn delivery_log_size(mut self, size: usize) -> Self {
        self.options.delivery_log_size = size;
        self
    }

    /// A request's head must arrive within this (default 10 s), counted from when the
    /// connection is ready for one, so an idle keep-alive connection is closed after it too.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.options.header_read_timeout = timeout;
        self
    }

    /// A connection with no byte moving either way for this long is closed (default 10 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.options.idle_timeout = timeout;
        self
    }

    /// On [`MockServer::shutdown`], requests in hand may finish within this (default 5 s);
    /// then their connections are closed and the state file is written.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.options.shutdown_timeout = timeout;
        self
    }

    /// Every `/__admin` call must carry this token (`Authorization: Bearer TOKEN` or
    /// `X-Admin-Token: TOKEN`); without it, anyone who reaches the port may reset or replace
    /// every account.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.options.admin_token = Some(token.into()).filter(|t| !t.is_empty());
        self
    }

    /// Largest state document `PUT /__admin/state` accepts (default 64 MiB); a larger body is
    /// refused with 413 as soon as it passes the limit.
    pub fn max_state_bytes(mut self, bytes: usize) -> Self {
        self.options.max_state_bytes = bytes;
        self
    }

    /// Loads this state document (as `GET /__admin/state` exports it) at start.
    pub fn seed_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.seed = Some(path.into());
        self
    }

    /// Starts with this state document.
    pub fn initial_state(mut self, doc: persist::StateDoc) -> Self {
        self.initial = Some(doc);
        self
    }

    /// Loads the state from this file at start when it exists (it wins over a seed), writes
    /// it at start (so an unwritable path fails [`MockServerBuilder::start`] at once), again
    /// within [`STATE_WRITE_DELAY`] of every change (a burst of changes is one write; each
    /// write is atomic and synced), and on [`MockServer::shutdown`]. A crash (`kill -9`) loses
    /// at most the changes of the last half second or so.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// The options as set so far.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Binds the listener and serves in a background task.
    pub async fn start(self) -> std::io::Result<MockServer> {
        let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, m);
        for (i, rule) in self.options.faults.iter().enumerate() {
            rule.action()
                .map_err(|e| invalid(format!("fault rule {}: {e}", i + 1)))?;
        }
        let mut initial = self.initial;
        if let Some(seed) = &self.seed {
            initial = Some(persist::load(seed).map_err(|e| invalid(e.to_string()))?);
        }
        if let Some(path) = self.state_file.as_ref().filter(|p| p.exists()) {
            initial = Some(persist::load(path).map_err(|e| invalid(e.to_string()))?);
        }
        let listener = TcpListener::bind(self.options.listen).await?;
        let addr = listener.local_addr()?;
        let host = if addr.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], addr.port()))
        } else {
            addr
        };
        let base_url = format!("http://{host}");
        let timeouts = conn::Timeouts {
            header_read: self.options.header_read_timeout,
            idle: self.options.idle_timeout,
            shutdown: self.options.shutdown_timeout,
        };
        let state = AppState::new(self.options, base_url.clone());
        if let Some(doc) = initial {
            state
                .import_state(doc)
                .map_err(|e| invalid(format!("invalid state document: {e}")))?;
        }
        if let Some(path) = &self.state_file {
            persist::save(path, &state.export_state()).map_err(|e| {
                invalid(format!(
                    "cannot write the state file {}: {e}",
                    path.display()
                ))
            })?;
        }
        let router = app(state.clone());
        let (stop, stopped) = watch::channel(false);
        let mut rx = stopped.clone();
        let task = tokio::spawn(conn::serve(listener, router, timeouts, async move {
            let _ = rx.wait_for(|s| *s).await;
        }));
        let writer = self
            .state_file
            .clone()
            .map(|path| tokio::spawn(write_state(state.clone(), path, stopped)));
        tracing::debug!(%base_url, "ac-mock started");
        Ok(MockServer {
            addr,
            base_url,
            state,
            stop,
            task: Some(task),
            writer,
            state_file: self.state_file,
        })
    }
}
