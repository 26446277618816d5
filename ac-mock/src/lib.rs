//! A stateful fake of ActiveCampaign's v3 API, for tests and CI.
//!
//! `ac-mock` answers AC's routes (`/api/3/contacts`, `/tags`, `/lists`, `/fields`, ...) with
//! AC's JSON shapes, status codes and error bodies, and keeps what you write: a POST followed
//! by a GET returns what was written. Each account's data is isolated and selected by the
//! `Api-Token` header. An admin API under `/__admin` offers health, reset and a bounded
//! request journal.
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
//! [`app`] over an [`AppState`].

#![recursion_limit = "256"]

use std::net::SocketAddr;

use chrono::FixedOffset;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod admin;
pub mod journal;
pub mod middleware;
pub mod query;
pub mod reply;
pub mod routes;
pub mod server;
pub mod store;

pub use server::{app, AccountId, AppState, Options};

/// A running mock server. Dropping it stops the server.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
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

    /// Stops accepting, lets in-flight requests finish, and waits for the server task.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Options for [`MockServer`]; every setter has a sensible default.
#[derive(Debug, Clone, Default)]
pub struct MockServerBuilder {
    options: Options,
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

    /// The options as set so far.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Binds the listener and serves in a background task.
    pub async fn start(self) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(self.options.listen).await?;
        let addr = listener.local_addr()?;
        let host = if addr.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], addr.port()))
        } else {
            addr
        };
        let base_url = format!("http://{host}");
        let state = AppState::new(self.options, base_url.clone());
        let router = app(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        tracing::debug!(%base_url, "ac-mock started");
        Ok(MockServer {
            addr,
            base_url,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}
