//! `serve`: a drop-in Segment endpoint in front of ActiveCampaign, and AC's webhooks out as
//! Segment email events, with nothing accepted ever lost.
//!
//! * `POST /v1/batch` and `POST /v1/{identify,track,page,screen,group,alias}` take what
//!   Segment's and RudderStack's own client libraries send (write key as the Basic-auth user
//!   or the body's `writeKey`, gzip or plain), validate it, and answer **200 only once the
//!   messages are committed** to the [`Store`]. The [`Worker`] then applies them at AC's pace,
//!   each person's messages in arrival order ([`ingest`]).
//! * `POST /webhooks/activecampaign` turns AC's form-encoded webhooks into Segment `track`
//!   events ([`crate::source`]), commits them to the outbox, and the worker delivers them to a
//!   [`Sink`] ([`webhooks`]).
//! * `GET /health` and `GET /metrics` ([`ops`]).
//!
//! The server is hyper's HTTP/1.1 with a header-read timeout (which also closes keep-alive
//! connections idle for that long between requests), an idle timeout (no byte moved either
//! way during a request), a bounded graceful shutdown and loopback by default.
//!
//! ```no_run
//! use std::sync::Arc;
//! use ac_segment::serve::{ServeOptions, Server};
//! use ac_segment::store::{Store, StoreLimits};
//! use ac_segment::{execute::Executor, Settings};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let settings = Settings::from_json(br#"{"apiUrl":"https://ACCOUNT.api-us1.com","apiKey":"TOKEN"}"#)?;
//! let executor = Executor::new(settings.client(5)?, settings);
//! let store = Store::open("data".as_ref(), StoreLimits::default())?;
//! let options = ServeOptions::new(vec!["WRITE_KEY".to_owned().into()]);
//! let server = Server::bind(options, Arc::new(store), executor, None).await?;
//! println!("listening on {}", server.local_addr());
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(()) }
//! ```

pub mod ingest;
pub mod metrics;
pub mod ops;
pub mod webhooks;
pub mod worker;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

pub use metrics::Metrics;
pub use worker::{OnOutcome, Worker, WorkerOptions};

use crate::execute::Executor;
use crate::sink::Sink;
use crate::source::SourceOptions;
use crate::store::Store;

/// How `serve` listens and what it accepts.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen (default `127.0.0.1:8788`: loopback only).
    pub listen: SocketAddr,
    /// The write keys a sender may use (at least one).
    pub write_keys: Vec<SecretString>,
    /// When set, a webhook must carry `?token=` this value.
    pub webhook_token: Option<SecretString>,
    /// How webhooks become events.
    pub source: SourceOptions,
    /// One request at most, after gzip is undone (Segment's limit: 500 KB).
    pub max_request_bytes: usize,
    /// One message at most (Segment's limit: 32 KB).
    pub max_message_bytes: usize,
    /// A request's head must arrive within this, counted from when the connection is ready
    /// for it (so a keep-alive connection idle this long is closed too).
    pub header_read_timeout: Duration,
    /// A connection on which no byte moved either way for this long is closed.
    pub idle_timeout: Duration,
    /// On shutdown, requests and work in hand may finish within this; then they are dropped
    /// (what was accepted stays in the store).
    pub shutdown_timeout: Duration,
    /// Connections open at once at most; beyond it new ones wait in the kernel's backlog.
    pub max_connections: usize,
    /// The worker's pacing.
    pub worker: WorkerOptions,
}

impl ServeOptions {
    /// The defaults, with these write keys.
    pub fn new(write_keys: Vec<SecretString>) -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8788)),
            write_keys,
            webhook_token: None,
            source: SourceOptions::default(),
            max_request_bytes: 500 * 1024,
            max_message_bytes: 32 * 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(10),
            max_connections: 1024,
            worker: WorkerOptions::default(),
        }
    }
}

/// What the handlers share.
pub(crate) struct App {
    pub(crate) store: Arc<Store>,
    pub(crate) write_keys: Vec<SecretString>,
    pub(crate) webhook_token: Option<SecretString>,
    pub(crate) source: SourceOptions,
    pub(crate) max_request: usize,
    pub(crate) max_message: usize,
    pub(crate) metrics: Metrics,
    pub(crate) queued: Arc<Notify>,
    pub(crate) outboxed: Arc<Notify>,
    pub(crate) sink: Option<&'static str>,
}

impl App {
    /// Whether `key` is one of the write keys (compared in constant time per key).
    pub(crate) fn knows_key(&self, key: &str) -> bool {
        self.write_keys
            .iter()
            .any(|k| constant_time_eq(k.expose_secret().as_bytes(), key.as_bytes()))
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A bound `serve`: the listener, the routes and the background worker.
pub struct Server {
    listener: TcpListener,
    router: Router,
    app: Arc<App>,
    worker: Worker,
    options: ServeOptions,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listen", &self.listener.local_addr().ok())
            .field("write_keys", &self.options.write_keys.len())
            .field("sink", &self.app.sink)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds the listener and starts the worker. With no sink, the webhook route answers 404.
    pub async fn bind(
        options: ServeOptions,
        store: Arc<Store>,
        executor: Executor,
        sink: Option<Arc<dyn Sink>>,
    ) -> io::Result<Server> {
        Server::bind_with(options, store, executor, sink, None).await
    }

    /// As [`Server::bind`], calling `on_outcome` with every message that ended (the outcome
    /// log).
    pub async fn bind_with(
        options: ServeOptions,
        store: Arc<Store>,
        executor: Executor,
        sink: Option<Arc<dyn Sink>>,
        on_outcome: Option<OnOutcome>,
    ) -> io::Result<Server> {
        if options.write_keys.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "serve needs at least one write key",
            ));
        }
        let listener = TcpListener::bind(options.listen).await?;
        let metrics = Metrics::new();
        let sink_name = sink.as_ref().map(|s| s.name());
        let worker = Worker::spawn(
            store.clone(),
            executor,
            sink,
            metrics.clone(),
            options.worker,
            on_outcome,
        );
        let app = Arc::new(App {
            store,
            write_keys: options.write_keys.clone(),
            webhook_token: options.webhook_token.clone(),
            source: options.source.clone(),
            max_request: options.max_request_bytes,
            max_message: options.max_message_bytes,
            metrics,
            queued: worker.queued(),
            outboxed: worker.outboxed(),
            sink: sink_name,
        });
        let mut router = Router::new()
            .route("/v1/batch", post(ingest::batch))
            .route("/v1/{kind}", post(ingest::single))
            .route("/health", get(ops::health))
            .route("/metrics", get(ops::metrics));
        if sink_name.is_some() {
            router = router.route("/webhooks/activecampaign", post(webhooks::receive));
        }
        let router = router.fallback(ops::not_found).with_state(app.clone());
        Ok(Server {
            listener,
            router,
            app,
            worker,
            options,
        })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.options.listen)
    }

    /// The process's counters.
    pub fn metrics(&self) -> Metrics {
        self.app.metrics.clone()
    }

    /// Serves until `shutdown` resolves; then stops accepting, lets requests in hand and the
    /// worker finish within the shutdown timeout, and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            router,
            worker,
            options,
            ..
        } = self;
        let graceful = GracefulShutdown::new();
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(options.header_read_timeout)
            .keep_alive(true);
        let service = TowerToHyperService::new(router);
        let slots = Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1)));
        tokio::pin!(shutdown);
        loop {
            let slot = tokio::select! {
                s = slots.clone().acquire_owned() => match s {
                    Ok(s) => s,
                    Err(_) => break,
                },
                _ = &mut shutdown => break,
            };
            let (stream, _peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let (io, idle) = IdleGuard::new(stream);
            let conn = builder.serve_connection(TokioIo::new(io), service.clone());
            let conn = graceful.watch(conn);
            let idle_timeout = options.idle_timeout;
            tokio::spawn(async move {
                tokio::select! {
                    _ = conn => {}
                    _ = idle.expired(idle_timeout) => {}
                }
                drop(slot);
            });
        }
        drop(listener);
        let started = Instant::now();
        let open = graceful.count();
        if tokio::time::timeout(options.shutdown_timeout, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                open,
                "connections still open after the shutdown timeout: closing them"
            );
        }
        let left = options
            .shutdown_timeout
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(100));
        worker.shutdown(left).await;
    }
}

/// A connection's stream, noting when a byte last moved either way.
struct IdleGuard {
    inner: TcpStream,
    last: Arc<Activity>,
}

struct Activity {
    start: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn touch(&self) {
        self.last_ms
            .store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

/// The watching half of an [`IdleGuard`].
struct Idle(Arc<Activity>);

impl Idle {
    /// Resolves once nothing moved for `timeout`.
    async fn expired(self, timeout: Duration) {
        let limit = timeout.as_millis() as u64;
        loop {
            let last = self.0.last_ms.load(Ordering::Relaxed);
            let now = self.0.start.elapsed().as_millis() as u64;
            let quiet = now.saturating_sub(last);
            if quiet >= limit {
                return;
            }
            tokio::time::sleep(Duration::from_millis(limit - quiet)).await;
        }
    }
}

impl IdleGuard {
    fn new(inner: TcpStream) -> (IdleGuard, Idle) {
        let last = Arc::new(Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
        });
        (
            IdleGuard {
                inner,
                last: last.clone(),
            },
            Idle(last),
        )
    }
}

impl AsyncRead for IdleGuard {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.last.touch();
        }
        r
    }
}

impl AsyncWrite for IdleGuard {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.last.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.last.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
