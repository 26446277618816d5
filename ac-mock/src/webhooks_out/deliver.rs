//! Delivery: one lane per destination URL, lanes running side by side. A lane sends its
//! deliveries one at a time, in the order they were queued, so a receiver that never answers
//! delays only its own deliveries (each by at most the delivery timeout), never another
//! URL's. Everything is bounded: deliveries waiting in all (count and bytes) and per URL, and
//! deliveries in flight at once. A delivery that finds a bound full is not queued; it is logged
//! as `dropped` with the bound it met, and the request that caused it is not slowed down.
//! AC's semantics stay: never retried, and a 410 answer makes the webhook inactive (its
//! deliveries still queued are then dropped, not sent).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::guard::{self, Listener, SelfTarget, Verdict};
use super::host::Host;
use super::payload::Outgoing;
use crate::account_id::AccountId;

/// How long a receiver has to answer (change it with [`WebhookOut::set_delivery_timeout`]).
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many deliveries may wait (or be in flight) in all; beyond that a delivery is logged
/// as dropped instead of queued.
pub const QUEUE_CAPACITY: usize = 10_000;

/// How many deliveries may wait for one destination URL, so that one stuck receiver cannot
/// fill the whole queue.
pub const DESTINATION_CAPACITY: usize = 1_000;

/// How many bytes (URLs, bodies, headers) the waiting deliveries may hold in all.
pub const QUEUE_BYTES: usize = 64 * 1024 * 1024;

/// How many deliveries are sent at once, across all destinations (one per URL at most).
pub const MAX_IN_FLIGHT: usize = 64;

/// The delivery log keeps at most this much of each body (then a marker with the full size).
pub const LOGGED_BODY_CAP: usize = 64 * 1024;

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The receiver answered (any status; `status` says which).
    Answered,
    /// It was sent and no answer came: connection refused, timed out, closed.
    Failed,
    /// It was never sent: a queue bound was full, or the webhook was inactive or gone.
    Dropped,
    /// It was never sent: the URL leads to the mock itself.
    Refused,
}

/// One delivery, as `GET /__admin/webhook-deliveries` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    /// When the attempt ended (or the delivery was dropped).
    pub at: DateTime<Utc>,
    /// The mock's account id.
    pub account: u64,
    /// The webhook's id (0 for a bulk import callback).
    pub webhook: u64,
    /// Where it was (or would have been) sent.
    pub url: String,
    /// Event name.
    #[serde(rename = "type")]
    pub event: String,
    /// The form-encoded body (cut to [`LOGGED_BODY_CAP`]).
    pub body: String,
    /// What became of it.
    pub outcome: Outcome,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// The cause when it did not go well, in words: `connection refused: ...`,
    /// `timed out: ...`, `the receiver answered 500 Internal Server Error`, `dropped: ...`,
    /// `The url ... points at this mock's own listener ...`. `None` for a 2xx answer.
    pub error: Option<String>,
    /// True when a 410 answer made the webhook inactive.
    pub deactivated: bool,
}

/// How a job is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// A form-encoded POST body.
    Post,
    /// The same pairs in the query string, no body.
    Get,
}

/// One request to send: a webhook delivery or a bulk import callback.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) account: AccountId,
    /// The webhook's id; 0 for a bulk import callback (never deactivated).
    pub(crate) webhook: u64,
    pub(crate) url: String,
    pub(crate) event: String,
    pub(crate) method: Method,
    /// The form-encoded pairs.
    pub(crate) body: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl From<Outgoing> for Job {
    fn from(o: Outgoing) -> Self {
        Job {
            body: o.body(),
            account: o.account,
            webhook: o.webhook,
            url: o.url,
            event: o.event,
            method: Method::Post,
            headers: Vec::new(),
        }
    }
}

impl Job {
    /// The bytes it holds while queued.
    fn cost(&self) -> usize {
        std::mem::size_of::<Job>()
            + self.url.len()
            + self.event.len()
            + self.body.len()
            + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }

    fn into_record(
        self,
        outcome: Outcome,
        status: Option<u16>,
        error: Option<String>,
        deactivated: bool,
    ) -> DeliveryRecord {
        DeliveryRecord {
            at: Utc::now(),
            account: self.account.0,
            webhook: self.webhook,
            url: self.url,
            event: self.event,
            body: crate::journal::truncated(self.body, LOGGED_BODY_CAP),
            outcome,
            status,
            error,
            deactivated,
        }
    }
}

/// The waiting deliveries, by destination URL. A URL has an entry exactly while a lane task
/// runs for it.
#[derive(Debug, Default)]
struct Lanes {
    by_url: HashMap<String, VecDeque<Job>>,
    /// Deliveries queued or being sent, and the bytes they hold.
    pending: usize,
    pending_bytes: usize,
}

#[derive(Debug)]
struct Clients {
    /// For every URL not on the mock's port.
    plain: reqwest::Client,
    /// For host names on the mock's port: its resolver leaves out the mock's addresses.
    guarded: Option<reqwest::Client>,
}

#[derive(Debug)]
struct Inner {
    lanes: Mutex<Lanes>,
    log: Mutex<VecDeque<DeliveryRecord>>,
    capacity: usize,
    in_flight: Semaphore,
    timeout_ms: AtomicU64,
    /// The mock's listener, learnt from the state on the first delivery.
    me: OnceLock<Option<Listener>>,
    clients: OnceLock<Result<Clients, String>>,
}

/// The delivery lanes and the delivery log, owned by the server state.
#[derive(Debug)]
pub struct WebhookOut {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl WebhookOut {
    /// Lanes whose log keeps at most `capacity` deliveries.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                lanes: Mutex::new(Lanes::default()),
                log: Mutex::new(VecDeque::new()),
                capacity,
                in_flight: Semaphore::new(MAX_IN_FLIGHT),
                timeout_ms: AtomicU64::new(DELIVERY_TIMEOUT.as_millis() as u64),
                me: OnceLock::new(),
                clients: OnceLock::new(),
            }),
        }
    }

    /// Queues webhook deliveries; never waits (needs a Tokio runtime to send them).
    pub(crate) fn send(&self, items: Vec<Outgoing>, state: impl Host) {
        self.enqueue(items.into_iter().map(Job::from).collect(), state);
    }

    /// Queues jobs on their destinations' lanes, starting a lane where none runs. A job that
    /// meets a full bound is logged as dropped.
    pub(crate) fn enqueue(&self, jobs: Vec<Job>, state: impl Host) {
        if jobs.is_empty() {
            return;
        }
        let inner = &self.inner;
        inner.me.get_or_init(|| state.listener());
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no Tokio runtime: webhooks are not delivered");
            for job in jobs {
                let why = "dropped: no Tokio runtime to send it".to_string();
                self.record(job.into_record(Outcome::Dropped, None, Some(why), false));
            }
            return;
        };
        let mut start = Vec::new();
        let mut dropped = Vec::new();
        {
            let mut lanes = lock(&inner.lanes);
            for job in jobs {
                let cost = job.cost();
                let waiting_here = lanes.by_url.get(&job.url).map_or(0, VecDeque::len);
                let full = if lanes.pending >= QUEUE_CAPACITY {
                    Some(format!(
                        "dropped: {QUEUE_CAPACITY} deliveries were already waiting"
                    ))
                } else if lanes.pending_bytes + cost > QUEUE_BYTES {
                    Some(format!(
                        "dropped: the waiting deliveries already held {} of the {QUEUE_BYTES} bytes allowed",
                        lanes.pending_bytes
                    ))
                } else if waiting_here >= DESTINATION_CAPACITY {
                    Some(format!(
                        "dropped: {DESTINATION_CAPACITY} deliveries to this URL were already waiting"
                    ))
                } else {
                    None
                };
                if let Some(why) = full {
                    dropped.push((job, why));
                    continue;
                }
                lanes.pending += 1;
                lanes.pending_bytes += cost;
                match lanes.by_url.entry(job.url.clone()) {
                    Entry::Occupied(mut queue) => queue.get_mut().push_back(job),
                    Entry::Vacant(slot) => {
                        start.push(slot.key().clone());
                        slot.insert(VecDeque::from([job]));
                    }
                }
            }
        }
        for url in start {
            runtime.spawn(lane(Arc::clone(inner), state.clone(), url));
        }
        for (job, why) in dropped {
            tracing::warn!(url = %job.url, %why, "webhook delivery dropped");
            self.record(job.into_record(Outcome::Dropped, None, Some(why), false));
        }
    }

    /// Up to `limit` deliveries, newest first.
    pub fn deliveries(&self, limit: usize) -> Vec<DeliveryRecord> {
        lock(&self.inner.log)
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect()
    }

    /// How many deliveries the log keeps.
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// How many deliveries are queued or being sent right now.
    pub fn pending(&self) -> usize {
        lock(&self.inner.lanes).pending
    }

    /// How long a receiver has to answer from now on (default [`DELIVERY_TIMEOUT`]); for
    /// tests that need a shorter wait.
    pub fn set_delivery_timeout(&self, timeout: Duration) {
        let ms = u64::try_from(timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        self.inner.timeout_ms.store(ms, Ordering::Relaxed);
    }

    /// How long a receiver has to answer.
    pub fn delivery_timeout(&self) -> Duration {
        self.inner.timeout()
    }

    /// Forgets the log (queued deliveries are still sent).
    pub fn clear(&self) {
        lock(&self.inner.log).clear();
    }

    fn record(&self, r: DeliveryRecord) {
        self.inner.record(r);
    }
}

impl Inner {
    fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
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

    /// The lane's next job; `None` (and the lane's entry gone) when it has none, in one step
    /// under the lock, so a job queued meanwhile starts a new lane instead of being missed.
    fn next(&self, url: &str) -> Option<Job> {
        let mut lanes = lock(&self.lanes);
        let job = lanes.by_url.get_mut(url).and_then(VecDeque::pop_front);
        if job.is_none() {
            lanes.by_url.remove(url);
        }
        job
    }

    fn done(&self, cost: usize) {
        let mut lanes = lock(&self.lanes);
        lanes.pending = lanes.pending.saturating_sub(1);
        lanes.pending_bytes = lanes.pending_bytes.saturating_sub(cost);
    }

    fn clients(&self) -> Result<&Clients, String> {
        let me = self.me.get().cloned().flatten();
        self.clients
            .get_or_init(|| {
                let plain = http_client(None).map_err(|e| e.to_string())?;
                let guarded = match me {
                    Some(me) => {
                        Some(http_client(Some(guard::resolver(me))).map_err(|e| e.to_string())?)
                    }
                    None => None,
                };
                Ok(Clients { plain, guarded })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The HTTP client of deliveries and import callbacks: AC's user agent; redirects are not
/// followed (a redirect could lead back to the mock).
fn http_client(resolver: Option<Arc<guard::GuardedResolver>>) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .user_agent("ActiveCampaign/1.0 (ac-mock)")
        .redirect(reqwest::redirect::Policy::none());
    if let Some(r) = resolver {
        builder = builder.dns_resolver(r);
    }
    builder.build()
}

/// One destination's lane: its jobs in order, one at a time, each holding one of the
/// [`MAX_IN_FLIGHT`] permits while it is sent. Ends when the lane is empty or the server gone.
async fn lane(inner: Arc<Inner>, state: impl Host, url: String) {
    loop {
        let Ok(_permit) = inner.in_flight.acquire().await else {
            return;
        };
        let Some(job) = inner.next(&url) else {
            return;
        };
        let cost = job.cost();
        let record = deliver(&inner, &state, job).await;
        inner.done(cost);
        match record {
            Some(r) => inner.record(r),
            None => return, // the server is gone
        }
    }
}

/// Sends one job and says what became of it; `None` when the server no longer exists.
async fn deliver(inner: &Inner, state: &impl Host, job: Job) -> Option<DeliveryRecord> {
    if job.webhook != 0 {
        let active = state.webhook_active(job.account, job.webhook)?;
        let why = match active {
            Some(true) => None,
            Some(false) => Some("dropped: the webhook is inactive (a receiver answered 410 Gone)"),
            None => Some("dropped: the webhook no longer exists"),
        };
        if let Some(why) = why {
            return Some(job.into_record(Outcome::Dropped, None, Some(why.into()), false));
        }
    } else if !state.alive() {
        return None;
    }
    let verdict = inner
        .me
        .get()
        .and_then(Option::as_ref)
        .map_or(Verdict::Free, |me| me.verdict(&job.url));
    let guarded = match verdict {
        Verdict::Free => false,
        Verdict::Guarded => true,
        Verdict::Refused(why) => {
            tracing::warn!(url = %job.url, "webhook to the mock itself refused");
            return Some(job.into_record(Outcome::Refused, None, Some(why), false));
        }
    };
    let clients = match inner.clients() {
        Ok(c) => c,
        Err(e) => {
            let why = format!("not sent: cannot build the HTTP client: {e}");
            return Some(job.into_record(Outcome::Failed, None, Some(why), false));
        }
    };
    let http = match (guarded, &clients.guarded) {
        (true, Some(g)) => g,
        _ => &clients.plain,
    };
    let timeout = inner.timeout();
    let mut req = match job.method {
        Method::Post => http
            .post(&job.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(job.body.clone()),
        Method::Get => {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(job.body.as_bytes())
                .into_owned()
                .collect();
            http.get(&job.url).query(&pairs)
        }
    };
    for (k, v) in &job.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let sent = req.timeout(timeout).send().await;
    let record = match sent {
        Ok(res) => {
            let status = res.status();
            let deactivated = status.as_u16() == 410
                && job.webhook != 0
                && state.deactivate_webhook(job.account, job.webhook);
            let error = answer_error(status, deactivated);
            let code = status.as_u16();
            job.into_record(Outcome::Answered, Some(code), error, deactivated)
        }
        Err(e) => {
            let (outcome, why) = failure(&e, &job.url, timeout);
            job.into_record(outcome, None, Some(why), false)
        }
    };
    tracing::debug!(url = %record.url, event = %record.event, status = ?record.status,
        error = ?record.error, "webhook delivered");
    Some(record)
}

/// The error text of an answer: none for 2xx, else the status in words.
fn answer_error(status: reqwest::StatusCode, deactivated: bool) -> Option<String> {
    if status.is_success() {
        return None;
    }
    let said = format!(
        "the receiver answered {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let said = said.trim_end().to_string();
    Some(if deactivated {
        format!("{said}: the webhook is now inactive and is sent nothing more")
    } else if status.is_redirection() {
        format!("{said} (redirects are not followed)")
    } else {
        said
    })
}

/// `host:port` of a URL, for error texts.
fn target(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(format!("{host}:{}", u.port_or_known_default()?))
        })
        .unwrap_or_else(|| url.to_string())
}

fn duration_text(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Why a request got no answer, in words that name the cause.
fn failure(e: &reqwest::Error, url: &str, timeout: Duration) -> (Outcome, String) {
    let mut io = None;
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<SelfTarget>() {
            return (Outcome::Refused, refused.to_string());
        }
        if let Some(err) = s.downcast_ref::<std::io::Error>() {
            io.get_or_insert(err.kind());
        }
        let text = s.to_string();
        if !causes.contains(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    let at = target(url);
    use std::io::ErrorKind as K;
    let why = if e.is_timeout() || io == Some(K::TimedOut) {
        format!(
            "timed out: {at} did not answer within {}",
            duration_text(timeout)
        )
    } else {
        match io {
            Some(K::ConnectionRefused) => {
                format!("connection refused: nothing accepts connections at {at}")
            }
            Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof) => {
                format!("connection closed: {at} closed the connection before answering")
            }
            _ if e.is_connect() => format!("could not connect to {at}: {}", causes.join(": ")),
            _ => format!("request failed: {at}: {}", causes.join(": ")),
        }
    };
    (Outcome::Failed, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_name_their_status() {
        use reqwest::StatusCode as S;
        assert_eq!(answer_error(S::OK, false), None);
        assert_eq!(answer_error(S::NO_CONTENT, false), None);
        assert_eq!(
            answer_error(S::INTERNAL_SERVER_ERROR, false).as_deref(),
            Some("the receiver answered 500 Internal Server Error")
        );
        assert_eq!(
            answer_error(S::FOUND, false).as_deref(),
            Some("the receiver answered 302 Found (redirects are not followed)")
        );
        assert!(answer_error(S::GONE, true)
            .is_some_and(|e| e.starts_with("the receiver answered 410 Gone: the webhook")));
    }

    #[test]
    fn a_job_costs_its_bytes() {
        let job = Job {
            account: AccountId(1),
            webhook: 1,
            url: "u".repeat(10),
            event: "update".into(),
            method: Method::Post,
            body: "b".repeat(100),
            headers: vec![("k".into(), "v".into())],
        };
        assert_eq!(job.cost(), std::mem::size_of::<Job>() + 10 + 6 + 100 + 2);
        assert_eq!(target("http://127.0.0.1:9/x"), "127.0.0.1:9");
        assert_eq!(target("https://h.example/x"), "h.example:443");
        assert_eq!(duration_text(Duration::from_secs(5)), "5 s");
        assert_eq!(duration_text(Duration::from_millis(300)), "300 ms");
    }

    /// The guarded client's resolver refuses a name that resolves to the mock, and the
    /// delivery log can tell that refusal from a connection error.
    #[tokio::test]
    async fn a_name_resolving_to_the_mock_is_refused_by_the_guarded_client() {
        let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
            return;
        };
        let Ok(addr) = listener.local_addr() else {
            return;
        };
        let me = Listener::for_tests(addr);
        let Ok(http) = http_client(Some(guard::resolver(me))) else {
            panic!("client");
        };
        let url = format!("http://localhost:{}/__admin/reset", addr.port());
        let sent = http.post(&url).send().await;
        let Err(e) = sent else {
            panic!("the guarded client reached the mock");
        };
        let (outcome, why) = failure(&e, &url, DELIVERY_TIMEOUT);
        assert_eq!(outcome, Outcome::Refused, "{why}");
        assert!(why.contains("own listener"), "{why}");
    }
}
