//! `serve` under load, for BENCHMARKS.md, everything in one process (ac-mock, serve with its
//! durable store in a temporary directory, the senders, and the baselines):
//!
//! 1. **ingest**: batches of 100 Segment-Python-shaped messages (identify / track / page, fresh
//!    `messageId`s) POSTed to `/v1/batch` by N concurrent senders, plain and gzip, to serve
//!    with AC fast (the mock, no client rate limit: the worker applies what comes in at once)
//!    and with AC down (every call 503: the worker writes nothing), and to a bare axum route
//!    that answers 200 (the HTTP ceiling here), in interleaved rounds; and the store alone (its
//!    commit of 100 messages, on one thread, on N threads, and beside four threads
//!    acknowledging one message a transaction as the worker's lanes do);
//! 2. **slow**: the same while AC answers every call after 500 ms, and while the executor is
//!    held to AC's 5 requests/s: the answer time against the senders' 10 s timeout while the
//!    queue grows;
//! 3. **depth**: accepting while the queue already holds 10,000 vs 100,000 messages (AC down,
//!    so nothing drains; both stores remember as many `messageId`s): how the cost grows with
//!    the data;
//! 4. **webhooks**: AC's form-encoded webhooks converted, committed to the outbox and written
//!    to an NDJSON file, against the bare axum route and the outbox alone.
//!
//! ```sh
//! cargo bench -p ac-segment --bench serve                          # all (≈ 2.5 minutes)
//! cargo bench -p ac-segment --bench serve -- --only ingest,depth   # some parts
//! cargo bench -p ac-segment --bench serve -- --secs 5 --rounds 5 --clients 16
//! cargo bench -p ac-segment --bench serve -- --only depth --depths 10000,100000,300000
//! ```
//!
//! Options: `--only ingest|slow|depth|webhooks` (comma-separated), `--secs S` (one cell,
//! default 3), `--rounds R` (default 3; the slow part runs at most 2, the depth part at least
//! 3), `--clients N` (default 16, as Segment Node's concurrent batches), `--depths A,B,…` (queue
//! lengths, default 10000,100000; every store first takes the largest number of messages),
//! `--depth-batches N` (batches per depth cell, default 200). Without `--bench` (`cargo test
//! --benches`) a quick pass runs: 0.3 s cells, one round, 4 senders, depths 1,000 and 2,000.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ac_mock::MockServer;
use ac_segment::execute::Executor;
use ac_segment::serve::{ServeOptions, Server};
use ac_segment::sink::{NdjsonSink, Sink};
use ac_segment::spec::Message;
use ac_segment::store::{Store, StoreLimits};
use ac_segment::Settings;
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// mimalloc, as both the `ac-segment` and the `ac-mock` binaries use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const KEY: &str = "wk-bench";
/// Messages per batch, as Segment Python and RudderStack Python send them.
const PER_BATCH: usize = 100;
/// Distinct people the messages are about.
const PEOPLE: usize = 10_000;
/// The senders' timeout (Segment Node; the Python libraries wait 15 s).
const SENDER_TIMEOUT_MS: f64 = 10_000.0;
const PLANS: [&str; 3] = ["free", "pro", "team"];

// ---------------------------------------------------------------------------------------
// Bodies

/// A `messageId` shaped like Python's `str(uuid4())`, unique per `(run, n)`.
fn uuid_like(run: u32, n: u64) -> String {
    format!(
        "{run:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (n >> 48) & 0xffff,
        (n >> 36) & 0xfff,
        (n >> 24) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

/// Message `j` of a batch about person `p`, as Segment Python 2.4.0 puts it on the wire: four
/// identifies, four tracks and two pages in ten.
fn python_message(j: usize, p: usize, message_id: &str) -> Value {
    let library = json!({"library": {"name": "analytics-python", "version": "2.4.0"}});
    let base = |kind: &str| {
        json!({
            "type": kind,
            "messageId": message_id,
            "userId": format!("user-{p}"),
            "anonymousId": null,
            "timestamp": "2026-12-01T20:40:25.762+00:00",
            "context": library,
            "integrations": {},
        })
    };
    match j % 10 {
        0..=3 => {
            let mut m = base("identify");
            m["traits"] = json!({
                "email": format!("person{p}@example.com"),
                "firstName": "Jane",
                "lastName": format!("Kim {p}"),
                "plan": PLANS[p % 3],
            });
            m
        }
        4..=7 => {
            let mut m = base("track");
            m["event"] = json!("Order Completed");
            m["properties"] = json!({
                "email": format!("person{p}@example.com"),
                "orderId": format!("o-{p}-{j}"),
                "revenue": 42.5,
                "currency": "USD",
                "acValue": format!("order-{p}-{j}"),
            });
            m
        }
        _ => {
            let mut m = base("page");
            m["name"] = json!("Pricing");
            m["category"] = Value::Null;
            m["properties"] = json!({
                "url": "https://www.example.com/pricing?plan=pro",
                "path": "/pricing",
                "title": "Pricing",
                "referrer": "https://www.google.com/",
            });
            m["context"]["traits"] = json!({"email": format!("person{p}@example.com")});
            m
        }
    }
}

/// One batch's JSON text with its `messageId`s left as placeholders, and where they are.
struct Template {
    text: Vec<u8>,
    ids: Vec<usize>,
}

/// Batch bodies with fresh `messageId`s, made from 100 templates (10,000 people).
struct Batches {
    run: u32,
    templates: Vec<Template>,
}

impl Batches {
    fn new() -> Batches {
        let placeholder = "#".repeat(36);
        let run = std::process::id();
        let templates = (0..PEOPLE / PER_BATCH)
            .map(|t| {
                let batch: Vec<Value> = (0..PER_BATCH)
                    .map(|j| python_message(j, t * PER_BATCH + j, &placeholder))
                    .collect();
                let text = serde_json::to_vec(&json!({
                    "batch": batch,
                    "sentAt": "2026-12-01T20:40:40.437219+00:00",
                    "writeKey": KEY,
                }))
                .expect("JSON");
                let ids = text
                    .windows(36)
                    .enumerate()
                    .filter(|(_, w)| w.iter().all(|b| *b == b'#'))
                    .map(|(i, _)| i)
                    .collect::<Vec<_>>();
                assert_eq!(ids.len(), PER_BATCH, "one placeholder per message");
                Template { text, ids }
            })
            .collect();
        Batches { run, templates }
    }

    /// Batch number `n`: its template, with ids `n * 100 + j`.
    fn body(&self, n: u64) -> Vec<u8> {
        let t = &self.templates[(n % self.templates.len() as u64) as usize];
        let mut out = t.text.clone();
        for (j, at) in t.ids.iter().enumerate() {
            let id = uuid_like(self.run, n * PER_BATCH as u64 + j as u64);
            out[*at..*at + 36].copy_from_slice(id.as_bytes());
        }
        out
    }

    /// The messages of batch `n` as the store takes them: `(messageId, bytes)`.
    fn messages(&self, n: u64) -> Vec<(String, Vec<u8>)> {
        #[derive(serde::Deserialize)]
        struct Envelope<'a> {
            #[serde(borrow)]
            batch: Vec<&'a RawValue>,
        }
        let body = self.body(n);
        let env: Envelope<'_> = serde_json::from_slice(&body).expect("a batch");
        env.batch
            .iter()
            .enumerate()
            .map(|(j, m)| {
                (
                    uuid_like(self.run, n * PER_BATCH as u64 + j as u64),
                    m.get().as_bytes().to_vec(),
                )
            })
            .collect()
    }
}

/// Gzip as RudderStack's SDK sends it (the level changes the sender's cost, not serve's).
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// AC's `open` webhook (the example of `ac_segment::source`) for contact `n`.
fn webhook_body(n: u64) -> Vec<u8> {
    format!(
        "type=open&date_time=2024-05-01T10%3A15%3A30-05%3A00&initiated_from=admin&list=3\
         &campaign%5Bid%5D=42&campaign%5Bname%5D=May+Newsletter\
         &campaign%5Bmessage%5D%5Bid%5D=57&campaign%5Bmessage%5D%5Bsubject%5D=Our+May+update\
         &contact%5Bid%5D={n}&contact%5Bemail%5D=person{n}%40example.com\
         &contact%5Bfirst_name%5D=Jane&contact%5Blast_name%5D=Kim&contact%5Bip%5D=127.0.0.1"
    )
    .into_bytes()
}

// ---------------------------------------------------------------------------------------
// Servers

/// A temporary directory, removed at the end.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!(
            "ac-segment-bench-serve-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        Dir(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn settings_for(mock: &MockServer) -> Settings {
    let mut s = Settings::new();
    s.api_url = Some(mock.base_url().to_owned());
    s.api_token = Some(mock.api_token().to_owned().into());
    s.actid = Some(mock.actid().to_owned());
    s.event_key = Some(mock.event_key().to_owned().into());
    s.tracking_url = Some(mock.tracking_url().to_owned());
    s
}

async fn add_fault(mock: &MockServer, rule: Value) -> Res<()> {
    reqwest::Client::new()
        .post(format!("{}/__admin/faults", mock.base_url()))
        .json(&rule)
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// A running serve.
struct Serving {
    addr: SocketAddr,
    store: Arc<Store>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Serving {
    async fn start(
        store: Arc<Store>,
        mock: &MockServer,
        rate_limit: u32,
        sink: Option<Arc<dyn Sink>>,
    ) -> Res<Serving> {
        let settings = settings_for(mock);
        let executor = Executor::new(settings.client(rate_limit)?, settings);
        let mut options = ServeOptions::new(vec![KEY.to_owned().into()]);
        options.listen = "127.0.0.1:0".parse()?;
        options.shutdown_timeout = Duration::from_secs(1);
        let server = Server::bind(options, store.clone(), executor, sink).await?;
        let addr = server.local_addr();
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server.run(async {
            let _ = rx.await;
        }));
        Ok(Serving {
            addr,
            store,
            stop: Some(tx),
            task,
        })
    }

    fn queued(&self) -> u64 {
        self.store.depth().map(|d| d.queue).unwrap_or(0)
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(15), self.task).await;
    }
}

async fn bare_ok(body: Bytes) -> axum::Json<Value> {
    std::hint::black_box(body.len());
    axum::Json(json!({"success": true}))
}

/// The floor for an HTTP answer here: the same hyper HTTP/1.1 server and axum router as serve
/// (keep-alive, `TCP_NODELAY`), with routes that read the body and answer 200
/// `{"success":true}`, and nothing else.
async fn bare_axum() -> Res<(SocketAddr, oneshot::Sender<()>)> {
    let router = Router::new()
        .route("/v1/batch", post(bare_ok))
        .route("/webhooks/activecampaign", post(bare_ok));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, mut rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let service = TowerToHyperService::new(router);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((s, _)) => s,
                    Err(_) => continue,
                },
                _ = &mut rx => break,
            };
            let _ = stream.set_nodelay(true);
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((addr, tx))
}

// ---------------------------------------------------------------------------------------
// Load

/// What the senders send.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Plain,
    Gzip,
    Webhook,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Plain => "plain",
            Kind::Gzip => "gzip",
            Kind::Webhook => "form",
        }
    }
}

/// One cell's answers.
#[derive(Default)]
struct Stats {
    ok: u64,
    refused: BTreeMap<u16, u64>,
    errors: u64,
    /// Answer times in ms, sorted.
    lat: Vec<f64>,
    secs: f64,
    /// The whole process's CPU time over the cell (serve, its worker, the mock, the senders).
    cpu_secs: f64,
}

impl Stats {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.secs.max(1e-9)
    }

    fn pct(&self, p: f64) -> f64 {
        if self.lat.is_empty() {
            return f64::NAN;
        }
        let i = ((p * self.lat.len() as f64).ceil() as usize).clamp(1, self.lat.len()) - 1;
        self.lat[i]
    }

    fn max(&self) -> f64 {
        self.lat.last().copied().unwrap_or(f64::NAN)
    }

    /// The process's CPU over the cell, in cores (2 is all of this machine).
    fn cores(&self) -> f64 {
        self.cpu_secs / self.secs.max(1e-9)
    }

    fn failures(&self) -> String {
        let mut parts: Vec<String> = self
            .refused
            .iter()
            .map(|(s, n)| format!("{n}×{s}"))
            .collect();
        if self.errors > 0 {
            parts.push(format!("{}×no answer", self.errors));
        }
        if parts.is_empty() {
            "0".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// This process's user + system CPU time so far (`/proc/self/stat`, clock ticks of 10 ms).
fn cpu_time() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Where the senders' numbering is: every body of the run is new.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// `clients` senders POSTing `kind` bodies to `addr` for `secs` seconds or `count` requests,
/// whichever comes first. A body is made (and gzipped) before its clock starts.
async fn drive(
    http: &reqwest::Client,
    addr: SocketAddr,
    kind: Kind,
    batches: &Arc<Batches>,
    clients: usize,
    secs: f64,
    count: Option<u64>,
) -> Stats {
    let path = match kind {
        Kind::Webhook => "/webhooks/activecampaign",
        _ => "/v1/batch",
    };
    let url = format!("http://{addr}{path}");
    let cpu = cpu_time();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (http, url, batches, sent) = (http.clone(), url.clone(), batches.clone(), sent.clone());
        tasks.push(tokio::spawn(async move {
            let mut s = Stats::default();
            while Instant::now() < deadline {
                if count.is_some_and(|c| sent.fetch_add(1, Ordering::Relaxed) >= c) {
                    break;
                }
                let n = NEXT.fetch_add(1, Ordering::Relaxed);
                let req = match kind {
                    Kind::Plain => http
                        .post(&url)
                        .basic_auth(KEY, Some(""))
                        .header("content-type", "application/json")
                        .body(batches.body(n)),
                    Kind::Gzip => http
                        .post(&url)
                        .basic_auth(KEY, Some(""))
                        .header("content-type", "application/json")
                        .header("content-encoding", "gzip")
                        .body(gzip(&batches.body(n))),
                    Kind::Webhook => http
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(webhook_body(n)),
                };
                let t = Instant::now();
                match req.send().await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let _ = res.bytes().await;
                        s.lat.push(t.elapsed().as_secs_f64() * 1e3);
                        if status == 200 {
                            s.ok += 1;
                        } else {
                            *s.refused.entry(status).or_default() += 1;
                        }
                    }
                    Err(_) => s.errors += 1,
                }
            }
            s
        }));
    }
    let mut all = Stats::default();
    for t in tasks {
        if let Ok(s) = t.await {
            all.ok += s.ok;
            all.errors += s.errors;
            for (k, v) in s.refused {
                *all.refused.entry(k).or_default() += v;
            }
            all.lat.extend(s.lat);
        }
    }
    all.secs = started.elapsed().as_secs_f64();
    all.cpu_secs = cpu_time() - cpu;
    all.lat.sort_by(f64::total_cmp);
    all
}

fn http_client(clients: usize) -> Res<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(clients)
        .tcp_nodelay(true)
        .build()?)
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn rounds_text(v: &[f64], digits: usize) -> String {
    v.iter()
        .map(|x| format!("{x:.digits$}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

// ---------------------------------------------------------------------------------------
// Floors

/// The store alone, no HTTP: `threads` threads each calling `call` in a loop, for `secs` or
/// `calls` calls in all, whichever comes first.
///
/// These are not a bound on this VM: an `fsync` waited for on an otherwise idle machine costs
/// 3–5 ms, most of it waking the idle vCPU, while beside a busy core the same write and `fsync`
/// take 0.1–1 ms (a Python write + `fsync` loop: 3.4–3.7 ms alone, 0.12–1.0 ms beside a shell
/// busy loop). Under serve's own load the CPUs are busy, so serve's commits can be faster
/// than these.
#[derive(Clone, Copy)]
struct StoreRate {
    per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl StoreRate {
    fn text(&self) -> String {
        format!(
            "{:.0}/s (p50 {:.2} ms, p99 {:.2} ms)",
            self.per_s, self.p50_ms, self.p99_ms
        )
    }
}

fn store_rate(
    threads: usize,
    secs: f64,
    calls: Option<u64>,
    call: impl Fn() -> Duration + Sync,
) -> StoreRate {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let made = AtomicU64::new(0);
    let mut lat: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut lat = Vec::new();
                    while Instant::now() < deadline
                        && calls.is_none_or(|c| made.fetch_add(1, Ordering::Relaxed) < c)
                    {
                        lat.push(call().as_secs_f64() * 1e3);
                    }
                    lat
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((p * lat.len() as f64).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    StoreRate {
        per_s: lat.len() as f64 / started.elapsed().as_secs_f64(),
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
    }
}

/// One call: the store's commit of one batch of 100 messages with fresh ids (the time of
/// the commit only, not of making the batch).
fn commit_one(store: &Store, batches: &Batches) -> Duration {
    let msgs = batches.messages(NEXT.fetch_add(1, Ordering::Relaxed));
    let refs: Vec<(Option<&str>, &[u8])> = msgs
        .iter()
        .map(|(id, b)| (Some(id.as_str()), b.as_slice()))
        .collect();
    let t = Instant::now();
    store.enqueue(&refs).expect("enqueue");
    t.elapsed()
}

/// The store's commits of 100 messages: one thread, and as many threads as senders.
struct Commits {
    one: StoreRate,
    many: StoreRate,
}

fn commit_floor(
    store: &Store,
    batches: &Batches,
    threads: usize,
    secs: f64,
    calls: Option<u64>,
) -> Commits {
    let one = store_rate(1, secs / 2.0, calls, || commit_one(store, batches));
    let many = store_rate(threads, secs / 2.0, calls, || commit_one(store, batches));
    Commits { one, many }
}

/// Commits of 100 on one thread while four threads acknowledge queued messages one per
/// transaction, as the worker's four lanes do when AC answers at once: the commits and the
/// acknowledgements per second.
fn commit_with_acks(store: &Store, batches: &Batches, secs: f64) -> (StoreRate, f64) {
    let first = store
        .peek(1)
        .ok()
        .and_then(|e| e.first().map(|e| e.seq))
        .unwrap_or(1);
    let next = AtomicU64::new(first);
    let stop = AtomicBool::new(false);
    let acked = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let seq = next.fetch_add(1, Ordering::Relaxed);
                    store.ack(&[seq]).expect("ack");
                    acked.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let started = Instant::now();
        let rate = store_rate(1, secs, None, || commit_one(store, batches));
        stop.store(true, Ordering::Relaxed);
        (
            rate,
            acked.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
        )
    })
}

/// Takes back what was queued after sequence `keep` (so a depth cell starts at its depth).
fn trim_queue(store: &Store, keep: u64) {
    loop {
        let extra = store.peek_after(keep, 10_000).expect("peek");
        if extra.is_empty() {
            return;
        }
        let seqs: Vec<u64> = extra.iter().map(|e| e.seq).collect();
        store.ack(&seqs).expect("ack");
    }
}

/// What serve does to a batch before it writes: the envelope read, each message read.
fn parse_floor(batches: &Batches, secs: f64) -> f64 {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        batch: Vec<&'a RawValue>,
    }
    let bodies: Vec<Vec<u8>> = (0..32).map(|i| batches.body(u64::MAX / 4 + i)).collect();
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        let body = &bodies[(n % 32) as usize];
        let env: Envelope<'_> = serde_json::from_slice(body).expect("batch");
        for m in env.batch {
            std::hint::black_box(Message::from_slice(m.get().as_bytes()).expect("message"));
        }
        n += 1;
    }
    started.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64
}

fn gzip_cost(batches: &Batches) -> (f64, usize, usize) {
    let body = batches.body(u64::MAX / 2);
    let started = Instant::now();
    let mut size = 0;
    for _ in 0..50 {
        size = gzip(&body).len();
    }
    (
        started.elapsed().as_secs_f64() * 1e6 / 50.0,
        body.len(),
        size,
    )
}

// ---------------------------------------------------------------------------------------
// Parts

struct Opts {
    secs: f64,
    rounds: usize,
    clients: usize,
    depths: Vec<u64>,
    depth_batches: u64,
}

fn header(title: &str) {
    println!("\n### {title}\n");
}

/// Waits (at most `limit`) until `s` has applied everything queued; returns the seconds
/// waited and how many messages were applied meanwhile.
async fn drained(s: &Serving, limit: Duration) -> (f64, u64) {
    let started = Instant::now();
    let before = s.queued();
    while s.queued() > 0 && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (
        started.elapsed().as_secs_f64(),
        before.saturating_sub(s.queued()),
    )
}

/// The table of cells: one row per target and body, medians over the rounds.
fn print_cells(cells: &[(String, &str, Vec<Stats>)], unit: &str, per_message: bool) {
    println!(
        "| target | body | {unit}/s (median) | per round |{} p50 ms | p99 ms | max ms | process CPU, cores | not 200 |",
        if per_message { " messages/s |" } else { "" }
    );
    println!(
        "|---|---|---|---|{}---|---|---|---|---|",
        if per_message { "---|" } else { "" }
    );
    for (name, kind, runs) in cells {
        let rates: Vec<f64> = runs.iter().map(Stats::rate).collect();
        let m = median(rates.clone());
        let fails: Vec<String> = runs.iter().map(Stats::failures).collect();
        let msgs = if !per_message {
            String::new()
        } else if name.starts_with("serve") {
            format!(" {:.0} |", m * PER_BATCH as f64)
        } else {
            " |".to_owned()
        };
        println!(
            "| {name} | {kind} | {m:.0} | {} |{msgs} {:.2} | {:.2} | {:.1} | {:.2} | {} |",
            rounds_text(&rates, 0),
            median(runs.iter().map(|s| s.pct(0.5)).collect()),
            median(runs.iter().map(|s| s.pct(0.99)).collect()),
            runs.iter().map(Stats::max).fold(0.0, f64::max),
            median(runs.iter().map(Stats::cores).collect()),
            fails.join(" / ")
        );
    }
}

/// A ratio row: `a ÷ b` round by round, and its median.
fn ratio_row(what: &str, kind: &str, a: &[Stats], b: &[Stats]) {
    let per: Vec<f64> = a.iter().zip(b).map(|(a, b)| a.rate() / b.rate()).collect();
    println!(
        "| {what} | {kind} | {:.2} | {} |",
        median(per.clone()),
        rounds_text(&per, 2)
    );
}

async fn ingest(o: &Opts, batches: &Arc<Batches>) -> Res<()> {
    header("ingest: /v1/batch");
    let dirs = [
        Dir::new("ingest-fast"),
        Dir::new("ingest-down"),
        Dir::new("ingest-floor"),
    ];
    let floor_store = Arc::new(Store::open(&dirs[2].0, StoreLimits::default())?);
    let (b, st, clients) = (batches.clone(), floor_store.clone(), o.clients);
    let commits =
        tokio::task::spawn_blocking(move || commit_floor(&st, &b, clients, 3.0, None)).await?;
    let (b, st) = (batches.clone(), floor_store.clone());
    let (acking, acks) =
        tokio::task::spawn_blocking(move || commit_with_acks(&st, &b, 2.0)).await?;
    let b = batches.clone();
    let parse_us = tokio::task::spawn_blocking(move || parse_floor(&b, 1.0)).await?;
    let (gzip_us, plain_len, gz_len) = gzip_cost(batches);
    println!(
        "One batch: {plain_len} bytes plain, {gz_len} gzip (the sender's gzip, level 1: \
         {gzip_us:.0} µs, made before the clock starts). Reading the envelope and its 100 \
         messages, as serve does before it writes: {parse_us:.0} µs on one thread.\n"
    );
    println!("| the store alone, no HTTP: commits of 100 messages | commits/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    for (what, r) in [
        ("one thread".to_owned(), commits.one),
        (format!("{} threads", o.clients), commits.many),
        (
            format!(
                "one thread, while 4 threads acknowledge one message a transaction ({acks:.0} acks/s)"
            ),
            acking,
        ),
    ] {
        println!(
            "| {what} | {:.0} | {:.2} | {:.2} |",
            r.per_s, r.p50_ms, r.p99_ms
        );
    }
    println!();
    let commit_ceiling = commits.many.per_s;
    let fast_mock = MockServer::builder().journal_size(16).start().await?;
    let down_mock = MockServer::builder().journal_size(16).start().await?;
    add_fault(&down_mock, json!({"path_prefix": "/api/3/", "status": 503})).await?;
    let fast = Serving::start(
        Arc::new(Store::open(&dirs[0].0, StoreLimits::default())?),
        &fast_mock,
        0,
        None,
    )
    .await?;
    let down = Serving::start(
        Arc::new(Store::open(&dirs[1].0, StoreLimits::default())?),
        &down_mock,
        0,
        None,
    )
    .await?;
    let (bare, bare_stop) = bare_axum().await?;
    let http = http_client(o.clients)?;
    let targets = [
        ("serve, AC fast", fast.addr),
        ("serve, AC down", down.addr),
        ("bare axum", bare),
    ];
    for (_, addr) in targets {
        drive(&http, addr, Kind::Plain, batches, o.clients, 0.5, None).await;
    }
    let mut cells: Vec<(String, &str, Vec<Stats>)> = Vec::new();
    for kind in [Kind::Plain, Kind::Gzip] {
        for (name, _) in targets {
            cells.push((name.to_owned(), kind.name(), Vec::new()));
        }
    }
    let mut drains: Vec<f64> = Vec::new();
    let mut undrained = 0u64;
    for round in 0..o.rounds {
        for (k, kind) in [Kind::Plain, Kind::Gzip].into_iter().enumerate() {
            for (t, (name, addr)) in targets.into_iter().enumerate() {
                // The fast server's worker applies what it took first, so that its commits
                // do not slow the other cells down.
                let (waited, applied) = drained(&fast, Duration::from_secs(20)).await;
                if applied > 1000 {
                    drains.push(applied as f64 / waited);
                }
                undrained = undrained.max(fast.queued());
                let s = drive(&http, addr, kind, batches, o.clients, o.secs, None).await;
                eprintln!(
                    "ingest round {round} {name} {}: {:.0} batches/s p99 {:.1} ms",
                    kind.name(),
                    s.rate(),
                    s.pct(0.99)
                );
                cells[k * targets.len() + t].2.push(s);
            }
        }
    }
    print_cells(&cells, "batches", true);
    println!("\n| ratio of batches/s | body | median | per round |");
    println!("|---|---|---|---|");
    for (k, kind) in ["plain", "gzip"].into_iter().enumerate() {
        let at = |t: usize| &cells[k * targets.len() + t].2;
        ratio_row("serve (AC down) ÷ bare axum", kind, at(1), at(2));
        ratio_row("serve (AC fast) ÷ bare axum", kind, at(0), at(2));
        ratio_row("serve (AC fast) ÷ serve (AC down)", kind, at(0), at(1));
        let per: Vec<f64> = at(1).iter().map(|s| s.rate() / commit_ceiling).collect();
        println!(
            "| serve (AC down) ÷ the store alone ({:.0} commits/s, {} threads) | {kind} | {:.2} | {} |",
            commit_ceiling,
            o.clients,
            median(per.clone()),
            rounds_text(&per, 2)
        );
    }
    println!(
        "\nThe fast server's worker, between cells, applied {} messages/s to the mock (median \
         of {} drains; outcomes are settled many per transaction); \
         the most it had left when a cell began: {undrained}.",
        median(drains.clone()).round(),
        drains.len()
    );
    let _ = bare_stop.send(());
    fast.stop().await;
    down.stop().await;
    Ok(())
}

async fn slow(o: &Opts, batches: &Arc<Batches>) -> Res<()> {
    header("slow: /v1/batch while AC is slow or rate-limited");
    let http = http_client(o.clients)?;
    let slow_mock = MockServer::builder().journal_size(16).start().await?;
    add_fault(
        &slow_mock,
        json!({"path_prefix": "/api/3/", "delay_ms": 500}),
    )
    .await?;
    let limited_mock = MockServer::builder().journal_size(16).start().await?;
    let dirs = [Dir::new("slow-delay"), Dir::new("slow-limit")];
    let mut servers = Vec::new();
    for (i, (name, mock, rate)) in [
        ("AC answers after 500 ms", &slow_mock, 0),
        ("client at 5 requests/s", &limited_mock, 5),
    ]
    .into_iter()
    .enumerate()
    {
        let store = Arc::new(Store::open(&dirs[i].0, StoreLimits::default())?);
        servers.push((name, Serving::start(store, mock, rate, None).await?));
    }
    for (_, s) in &servers {
        drive(&http, s.addr, Kind::Plain, batches, o.clients, 0.3, None).await;
    }
    let mut cells: Vec<(String, &str, Vec<Stats>)> = Vec::new();
    let mut depth: Vec<Vec<String>> = Vec::new();
    for kind in [Kind::Plain, Kind::Gzip] {
        for (name, _) in &servers {
            cells.push(((*name).to_owned(), kind.name(), Vec::new()));
            depth.push(Vec::new());
        }
    }
    for round in 0..o.rounds.min(2) {
        for (k, kind) in [Kind::Plain, Kind::Gzip].into_iter().enumerate() {
            for (i, (name, s)) in servers.iter().enumerate() {
                let before = s.queued();
                let st = drive(&http, s.addr, kind, batches, o.clients, o.secs, None).await;
                let after = s.queued();
                eprintln!(
                    "slow round {round} {name} {}: {:.0} batches/s p99 {:.1} ms queue {before} → {after}",
                    kind.name(),
                    st.rate(),
                    st.pct(0.99)
                );
                cells[k * servers.len() + i].2.push(st);
                depth[k * servers.len() + i].push(format!("{before} → {after}"));
            }
        }
    }
    print_cells(&cells, "batches", true);
    println!("\n| AC | body | p99 ÷ the senders' 10 s | queue during each cell |");
    println!("|---|---|---|---|");
    for ((name, kind, runs), depth) in cells.iter().zip(&depth) {
        let p99 = median(runs.iter().map(|s| s.pct(0.99)).collect());
        println!(
            "| {name} | {kind} | {:.2} % | {} |",
            p99 / SENDER_TIMEOUT_MS * 100.0,
            depth.join(", ")
        );
    }
    for (_, s) in servers {
        s.stop().await;
    }
    Ok(())
}

async fn depth(o: &Opts, batches: &Arc<Batches>) -> Res<()> {
    header("depth: /v1/batch while the queue already holds N messages (AC down)");
    let http = http_client(o.clients)?;
    let mock = MockServer::builder().journal_size(16).start().await?;
    add_fault(&mock, json!({"path_prefix": "/api/3/", "status": 503})).await?;
    // Every store takes the same messages (so remembers as many messageIds); the smaller
    // queues then have their oldest acknowledged, so only the queue's length differs.
    let ids = o.depths.iter().copied().max().unwrap_or(0);
    let floor_calls = 60;
    let mut servers = Vec::new();
    let mut dirs = Vec::new();
    let mut floors = Vec::new();
    println!(
        "Each store: {ids} messages accepted (1,000 a transaction), the oldest acknowledged down \
         to the queue's length; then the store alone, {floor_calls} commits of 100 per row.\n"
    );
    println!(
        "| queued | pre-fill | store file | the store alone, one thread | {} threads |",
        o.clients
    );
    println!("|---|---|---|---|---|");
    for &n in &o.depths {
        let dir = Dir::new(&format!("depth-{n}"));
        let store = Arc::new(Store::open(&dir.0, StoreLimits::default())?);
        let (b, s, clients) = (batches.clone(), store.clone(), o.clients);
        let (fill_secs, commit) = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let mut done = 0u64;
            while done < ids {
                let msgs: Vec<(String, Vec<u8>)> = (0..10)
                    .flat_map(|_| b.messages(NEXT.fetch_add(1, Ordering::Relaxed)))
                    .take((ids - done) as usize)
                    .collect();
                let refs: Vec<(Option<&str>, &[u8])> = msgs
                    .iter()
                    .map(|(id, m)| (Some(id.as_str()), m.as_slice()))
                    .collect();
                s.enqueue(&refs).expect("pre-fill");
                done += refs.len() as u64;
            }
            let old: Vec<u64> = (1..=ids - n).collect();
            for chunk in old.chunks(10_000) {
                s.ack(chunk).expect("ack");
            }
            let fill = started.elapsed().as_secs_f64();
            let commit = commit_floor(&s, &b, clients, 30.0, Some(floor_calls));
            trim_queue(&s, ids);
            (fill, commit)
        })
        .await?;
        let size = std::fs::read_dir(&dir.0)?
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum::<u64>();
        println!(
            "| {n} | {fill_secs:.1} s | {:.1} MiB | {} | {} |",
            size as f64 / (1024.0 * 1024.0),
            commit.one.text(),
            commit.many.text()
        );
        floors.push(commit);
        servers.push((n, Serving::start(store, &mock, 0, None).await?));
        dirs.push(dir);
    }
    for (_, s) in &servers {
        drive(
            &http,
            s.addr,
            Kind::Plain,
            batches,
            o.clients,
            60.0,
            Some(20),
        )
        .await;
        let store = s.store.clone();
        tokio::task::spawn_blocking(move || trim_queue(&store, ids)).await?;
    }
    let mut cells: Vec<(String, &str, Vec<Stats>)> = servers
        .iter()
        .map(|(n, _)| (format!("serve, {n} queued"), "plain", Vec::new()))
        .collect();
    for round in 0..o.rounds.max(3) {
        for (i, (n, s)) in servers.iter().enumerate() {
            let st = drive(
                &http,
                s.addr,
                Kind::Plain,
                batches,
                o.clients,
                60.0,
                Some(o.depth_batches),
            )
            .await;
            eprintln!(
                "depth round {round} {n}: {:.0} batches/s p99 {:.1} ms (queue {})",
                st.rate(),
                st.pct(0.99),
                s.queued()
            );
            let store = s.store.clone();
            tokio::task::spawn_blocking(move || trim_queue(&store, ids)).await?;
            cells[i].2.push(st);
        }
    }
    let added = 2 * floor_calls * PER_BATCH as u64
        + (20 + o.rounds.max(3) as u64 * o.depth_batches) * PER_BATCH as u64;
    println!(
        "\n{} batches of 100 a cell, so a queue grows by {} messages during a cell and is taken \
         back to its length after it; by the end every store remembers {} messageIds.\n",
        o.depth_batches,
        o.depth_batches * PER_BATCH as u64,
        ids + added
    );
    print_cells(&cells, "batches", true);
    if cells.len() >= 2 {
        let (a, b) = (&cells[0], &cells[cells.len() - 1]);
        let p99: Vec<f64> =
            a.2.iter()
                .zip(&b.2)
                .map(|(a, b)| b.pct(0.99) / a.pct(0.99))
                .collect();
        println!("\n| {} ÷ {} | | median | per round |", b.0, a.0);
        println!("|---|---|---|---|");
        ratio_row("batches/s", "plain", &b.2, &a.2);
        println!(
            "| p99 | plain | {:.2} | {} |",
            median(p99.clone()),
            rounds_text(&p99, 2)
        );
        let (fa, fb) = (&floors[0], &floors[floors.len() - 1]);
        println!(
            "| the store alone, commits/s | 1 / {} threads | {:.2} / {:.2} | |",
            o.clients,
            fb.one.per_s / fa.one.per_s,
            fb.many.per_s / fa.many.per_s
        );
    }
    for (_, s) in servers {
        s.stop().await;
    }
    drop(dirs);
    Ok(())
}

fn lines_in(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

async fn webhooks(o: &Opts, batches: &Arc<Batches>) -> Res<()> {
    header("webhooks: /webhooks/activecampaign → outbox → NDJSON file");
    let dir = Dir::new("webhooks");
    let store = Arc::new(Store::open(&dir.0, StoreLimits::default())?);
    let floor_store = Store::open(&dir.0.join("floor"), StoreLimits::default())?;
    let clients = o.clients;
    let (outbox_one, outbox) = tokio::task::spawn_blocking(move || {
        let n = AtomicU64::new(0);
        let push = || {
            let i = n.fetch_add(1, Ordering::Relaxed);
            let id = format!("floor-{i}");
            let body = webhook_body(i);
            let t = Instant::now();
            floor_store
                .push_outbox(&[(Some(id.as_str()), body.as_slice())])
                .expect("outbox");
            t.elapsed()
        };
        (
            store_rate(1, 1.0, None, push),
            store_rate(clients, 1.0, None, push),
        )
    })
    .await?;
    let ndjson = dir.0.join("events.ndjson");
    let sink: Arc<dyn Sink> = Arc::new(NdjsonSink::open(&ndjson)?);
    let mock = MockServer::builder().journal_size(16).start().await?;
    let serve = Serving::start(store.clone(), &mock, 0, Some(sink)).await?;
    let (bare, bare_stop) = bare_axum().await?;
    let http = http_client(o.clients)?;
    drive(
        &http,
        serve.addr,
        Kind::Webhook,
        batches,
        o.clients,
        0.3,
        None,
    )
    .await;
    drive(&http, bare, Kind::Webhook, batches, o.clients, 0.3, None).await;
    let mut cells: Vec<(String, &str, Vec<Stats>)> = vec![
        ("serve".to_owned(), "form", Vec::new()),
        ("bare axum".to_owned(), "form", Vec::new()),
    ];
    let mut converted = 0u64;
    for round in 0..o.rounds {
        for (i, addr) in [serve.addr, bare].into_iter().enumerate() {
            let s = drive(&http, addr, Kind::Webhook, batches, o.clients, o.secs, None).await;
            eprintln!(
                "webhooks round {round} {}: {:.0}/s p99 {:.1} ms",
                cells[i].0,
                s.rate(),
                s.pct(0.99)
            );
            if i == 0 {
                converted += s.ok;
            }
            cells[i].2.push(s);
        }
    }
    println!(
        "The outbox alone, no HTTP, commits of one event: one thread {}; {} threads {}.\n",
        outbox_one.text(),
        o.clients,
        outbox.text()
    );
    print_cells(&cells, "webhooks", false);
    println!("\n| ratio of webhooks/s | body | median | per round |");
    println!("|---|---|---|---|");
    ratio_row("serve ÷ bare axum", "form", &cells[0].2, &cells[1].2);
    let per: Vec<f64> = cells[0].2.iter().map(|s| s.rate() / outbox.per_s).collect();
    println!(
        "| serve ÷ the outbox alone ({:.0} commits/s, {} threads) | form | {:.2} | {} |",
        outbox.per_s,
        o.clients,
        median(per.clone()),
        rounds_text(&per, 2)
    );
    // Each converted webhook reaches the file (the warm-up's too).
    let deadline = Instant::now() + Duration::from_secs(30);
    let (lines, left) = loop {
        let left = store.depth().map(|d| d.outbox).unwrap_or(0);
        if left == 0 || Instant::now() > deadline {
            break (lines_in(&ndjson), left);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "\n{converted} webhooks converted in the measured cells; the NDJSON file has {lines} \
         lines (the warm-up's included), {left} left in the outbox."
    );
    let _ = bare_stop.send(());
    serve.stop().await;
    Ok(())
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run a quick pass.
    let quick = !args.iter().any(|a| a == "--bench");
    let only = arg(&args, "--only").unwrap_or_else(|| "ingest,slow,depth,webhooks".into());
    let num = |name: &str, default: f64| {
        arg(&args, name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(default)
    };
    let o = if quick {
        Opts {
            secs: 0.3,
            rounds: 1,
            clients: 4,
            depths: vec![1_000, 2_000],
            depth_batches: 10,
        }
    } else {
        Opts {
            secs: num("--secs", 3.0),
            rounds: num("--rounds", 3.0) as usize,
            clients: num("--clients", 16.0) as usize,
            depths: arg(&args, "--depths")
                .map(|d| d.split(',').filter_map(|n| n.trim().parse().ok()).collect())
                .unwrap_or_else(|| vec![10_000, 100_000]),
            depth_batches: num("--depth-batches", 200.0) as u64,
        }
    };
    let batches = Arc::new(Batches::new());
    println!(
        "serve bench: {} senders, {} s a cell, {} rounds, batches of {PER_BATCH} about {PEOPLE} people",
        o.clients, o.secs, o.rounds
    );
    if only.contains("ingest") {
        ingest(&o, &batches).await?;
    }
    if only.contains("slow") {
        slow(&o, &batches).await?;
    }
    if only.contains("depth") {
        depth(&o, &batches).await?;
    }
    if only.contains("webhooks") {
        webhooks(&o, &batches).await?;
    }
    Ok(())
}
