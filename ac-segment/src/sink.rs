//! Sinks: where converted Segment events go in the source direction (AC webhooks → Segment
//! `track`, and `ac-segment export` identifies).
//!
//! A [`Sink`] takes outbox [`Entry`]s in order and says, for every one, whether it was
//! delivered, can never be delivered (rejected, with a reason to dead-letter it with), or should
//! be tried again later ([`Delivery`]). Two sinks:
//!
//! * [`SegmentSink`]: Segment's HTTP API, `POST {base}/v1/batch` with the write key as the
//!   Basic-auth user, chunked to Segment's limits ([`MAX_BATCH_EVENTS`], [`MAX_BATCH_BYTES`],
//!   [`MAX_EVENT_BYTES`]); one bad event in a refused chunk is isolated by splitting the chunk,
//!   so its neighbours are still delivered;
//! * [`NdjsonSink`]: appends one line per event to a file, durably (`fsync`) before it says
//!   delivered.
//!
//! # Example
//!
//! ```no_run
//! use ac_segment::sink::{Entry, SegmentSink, Sink};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let sink = SegmentSink::new(
//!     ac_segment::sink::DEFAULT_SEGMENT_URL.parse()?,
//!     "WRITE_KEY".to_owned().into(),
//! )?;
//! let events = [Entry { seq: 1, bytes: br#"{"type":"track","event":"Email Opened","anonymousId":"a@b.co"}"#.to_vec() }];
//! let delivery = sink.deliver(&events).await;
//! if let Some(retry) = &delivery.retry {
//!     eprintln!("try again in {:?}: {}", retry.after, retry.reason);
//! }
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// One event waiting in the outbox: its sequence number and its JSON bytes exactly as stored.
pub use crate::store::Entry;

/// Segment's HTTP API, when no other is configured.
pub const DEFAULT_SEGMENT_URL: &str = "https://api.segment.io";
/// How long [`SegmentSink`] waits for an answer unless told otherwise (as Segment's Python
/// library does).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Segment's limit on one event: 32 KB.
pub const MAX_EVENT_BYTES: usize = 32 * 1024;
/// Segment's limit on one batch request, envelope included: 500 KB.
pub const MAX_BATCH_BYTES: usize = 500 * 1024;
/// Segment's limit on the events of one batch request.
pub const MAX_BATCH_EVENTS: usize = 2_500;

/// Where events go: delivers them in order and accounts for every one.
#[async_trait]
pub trait Sink: Send + Sync + fmt::Debug {
    /// Short name for logs and the start-up line ("segment", "ndjson").
    fn name(&self) -> &'static str;
    /// Delivers events, in order. Never panics; never drops an event silently: every input
    /// `seq` ends in exactly one part of the returned [`Delivery`].
    async fn deliver(&self, events: &[Entry]) -> Delivery;
}

/// What a delivery did. Every input seq is in exactly one of: `delivered`, `rejected`, or
/// (when `retry` is `Some`) left for later (all the others).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Accepted by the sink: the caller removes them from the outbox.
    pub delivered: Vec<u64>,
    /// Can never be delivered (over 32 KB, or the sink refused that one event): the caller
    /// dead-letters them with this reason.
    pub rejected: Vec<(u64, String)>,
    /// The rest failed transiently: try them again later.
    pub retry: Option<RetryLater>,
}

/// Why the events a [`Delivery`] did not account for should be tried again, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryLater {
    /// How long the sink asked to wait (Segment's `Retry-After`), if it said.
    pub after: Option<Duration>,
    /// What went wrong, for logs: names the status or the cause, never a secret.
    pub reason: String,
}

impl fmt::Display for RetryLater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)?;
        if let Some(after) = self.after {
            write!(f, " (retry after {}s)", after.as_secs_f64())?;
        }
        Ok(())
    }
}

impl Delivery {
    /// Every event delivered.
    pub fn all_delivered(events: &[Entry]) -> Delivery {
        Delivery {
            delivered: events.iter().map(|e| e.seq).collect(),
            ..Delivery::default()
        }
    }

    /// Nothing delivered: every event is to be tried again.
    pub fn retry_all(retry: RetryLater) -> Delivery {
        Delivery {
            retry: Some(retry),
            ..Delivery::default()
        }
    }

    /// True when nothing is left for later (every event delivered or rejected).
    pub fn is_complete(&self) -> bool {
        self.retry.is_none()
    }

    /// The events of `events` (the input of this delivery) that are neither delivered nor
    /// rejected, in order: the ones to try again. Empty when the delivery is complete.
    pub fn left_over<'a>(&self, events: &'a [Entry]) -> Vec<&'a Entry> {
        if self.retry.is_none() {
            return Vec::new();
        }
        let done: HashSet<u64> = self
            .delivered
            .iter()
            .copied()
            .chain(self.rejected.iter().map(|(seq, _)| *seq))
            .collect();
        events.iter().filter(|e| !done.contains(&e.seq)).collect()
    }
}

/// A sink could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// The Segment URL cannot be used.
    #[error("the Segment URL `{url}` cannot be used: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// Why not.
        reason: String,
    },
    /// The write key is empty.
    #[error("the Segment write key is empty")]
    EmptyWriteKey,
    /// The HTTP client could not be built (TLS initialisation).
    #[error("cannot set up the HTTP client for Segment: {0}")]
    Client(#[source] reqwest::Error),
    /// The NDJSON file cannot be opened for appending.
    #[error("cannot open {} for appending: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// `-` was given as a file: use [`NdjsonSink::stdout`] for standard output.
    #[error("`-` (standard output) is not a file here; give a file path")]
    StdoutPath,
}

// ---------------------------------------------------------------------------------------------
// Segment's HTTP API

/// Builds a [`SegmentSink`] with a request timeout other than [`DEFAULT_TIMEOUT`].
#[derive(Debug)]
pub struct SegmentSinkBuilder {
    base_url: Url,
    write_key: SecretString,
    timeout: Duration,
}

impl SegmentSinkBuilder {
    /// How long one request may take, connection included (default 15 s); a request that
    /// takes longer is a transient failure.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The sink; fails when the URL is not an `http(s)` base URL, or the key is empty.
    pub fn build(self) -> Result<SegmentSink, SinkError> {
        let bad = |reason: &str| SinkError::Url {
            url: self.base_url.to_string(),
            reason: reason.to_owned(),
        };
        if !matches!(self.base_url.scheme(), "http" | "https") {
            return Err(bad("it must be an http or https URL"));
        }
        if self.base_url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if !self.base_url.username().is_empty() || self.base_url.password().is_some() {
            return Err(bad(
                "it must not carry a user name or password (the write key goes in its own setting)",
            ));
        }
        let key = self.write_key.expose_secret();
        if key.is_empty() {
            return Err(SinkError::EmptyWriteKey);
        }
        let mut endpoint = self.base_url.clone();
        endpoint.set_fragment(None);
        endpoint
            .path_segments_mut()
            .map_err(|()| bad("it cannot be a base URL"))?
            .pop_if_empty()
            .extend(["v1", "batch"]);
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
        // Base64 is always a valid header value; the error arm is never taken.
        let mut auth = HeaderValue::from_str(&format!("Basic {encoded}"))
            .map_err(|_| SinkError::EmptyWriteKey)?;
        auth.set_sensitive(true);
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            // A redirect would carry the Authorization header to another host: never follow.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ac-segment/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(SinkError::Client)?;
        Ok(SegmentSink {
            client,
            endpoint,
            auth,
            secrets: [key.to_owned(), encoded],
            timeout: self.timeout,
        })
    }
}

/// Segment's HTTP API: `POST {base}/v1/batch`, write key as the Basic-auth user.
///
/// Events are written into the batch envelope byte for byte, chunked in order into as few
/// requests as Segment's limits allow. Answers: any 2xx delivers the chunk; 429, 5xx, a
/// timeout, a dropped connection, a redirect (never followed), 401/403 (a refused write key)
/// and 404/405 (no batch endpoint at that URL) leave the rest for later, as configuration
/// problems are not the events' fault; any other 4xx for a chunk splits it in halves until
/// the event Segment refuses is alone, and rejects that one.
pub struct SegmentSink {
    client: reqwest::Client,
    endpoint: Url,
    auth: HeaderValue,
    /// The write key and its Basic-auth encoding, to keep them out of every reason.
    secrets: [String; 2],
    timeout: Duration,
}

impl fmt::Debug for SegmentSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SegmentSink")
            .field("url", &self.endpoint.as_str())
            .field("write_key", &"[redacted]")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How Segment answered one request, decided from the status alone (see [`classify`]).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Accepted,
    /// The chunk cannot be delivered as it is (a 4xx about the content).
    Refused(String),
    Retry(RetryLater),
}

impl SegmentSink {
    /// A sink for the Segment API at `base_url` (e.g. [`DEFAULT_SEGMENT_URL`]) with this
    /// source's write key, and the default timeout.
    pub fn new(base_url: Url, write_key: SecretString) -> Result<SegmentSink, SinkError> {
        SegmentSink::builder(base_url, write_key).build()
    }

    /// A builder, to set the timeout.
    pub fn builder(base_url: Url, write_key: SecretString) -> SegmentSinkBuilder {
        SegmentSinkBuilder {
            base_url,
            write_key,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The URL batches are posted to (`{base}/v1/batch`).
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// Removes the write key (and its encoding) from text that may have come from elsewhere.
    fn scrub(&self, mut text: String) -> String {
        for secret in &self.secrets {
            if !secret.is_empty() && text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "[redacted]");
            }
        }
        text
    }

    async fn post(&self, chunk: &[&Entry]) -> Answer {
        let body = envelope(chunk, &sent_at());
        tracing::debug!(
            events = chunk.len(),
            bytes = body.len(),
            url = %self.endpoint,
            "posting a batch to Segment"
        );
        let sent = self
            .client
            .post(self.endpoint.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => {
                let reason = if e.is_timeout() {
                    format!(
                        "Segment did not answer within {}s ({})",
                        self.timeout.as_secs_f64(),
                        self.endpoint
                    )
                } else {
                    format!(
                        "cannot reach Segment at {}: {}",
                        self.endpoint,
                        chain(&e.without_url())
                    )
                };
                return Answer::Retry(RetryLater {
                    after: None,
                    reason: self.scrub(reason),
                });
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        // Read (a bounded part of) the body: the reason for a refusal, and the connection
        // can be reused.
        let mut text = Vec::new();
        while text.len() < 8 * 1024 {
            match response.chunk().await {
                Ok(Some(bytes)) => text.extend_from_slice(&bytes),
                Ok(None) | Err(_) => break,
            }
        }
        match classify(status, &headers, &text) {
            Answer::Accepted => Answer::Accepted,
            Answer::Refused(reason) => Answer::Refused(self.scrub(reason)),
            Answer::Retry(mut r) => {
                r.reason = self.scrub(r.reason);
                Answer::Retry(r)
            }
        }
    }
}

#[async_trait]
impl Sink for SegmentSink {
    fn name(&self) -> &'static str {
        "segment"
    }

    async fn deliver(&self, events: &[Entry]) -> Delivery {
        let mut out = Delivery::default();
        let mut sendable = Vec::with_capacity(events.len());
        for e in events {
            match check_event(&e.bytes) {
                Ok(()) => sendable.push(e),
                Err(reason) => out.rejected.push((e.seq, reason)),
            }
        }
        // A stack of chunks, the next one on top: a refused chunk is replaced by its halves.
        let mut work: Vec<&[&Entry]> = plan_chunks(&sendable);
        work.reverse();
        while let Some(chunk) = work.pop() {
            match self.post(chunk).await {
                Answer::Accepted => out.delivered.extend(chunk.iter().map(|e| e.seq)),
                Answer::Refused(reason) => match chunk {
                    [one] => out.rejected.push((one.seq, reason)),
                    _ => {
                        let (first, second) = chunk.split_at(chunk.len() / 2);
                        work.push(second);
                        work.push(first);
                    }
                },
                Answer::Retry(retry) => {
                    tracing::debug!(reason = %retry.reason, "Segment batch left for later");
                    out.retry = Some(retry);
                    break;
                }
            }
        }
        out
    }
}

/// Why an event can never go to Segment, if it cannot.
fn check_event(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(format!(
            "the event is {} bytes, over Segment's limit of {MAX_EVENT_BYTES} bytes per event",
            bytes.len()
        ));
    }
    // Verbatim bytes go into the envelope: one invalid event would spoil the whole request.
    match serde_json::from_slice::<&serde_json::value::RawValue>(bytes) {
        Ok(raw) if raw.get().starts_with('{') => Ok(()),
        Ok(_) => Err("the event is not a JSON object".to_owned()),
        Err(e) => Err(format!("the event is not valid JSON: {e}")),
    }
}

const PREFIX: &[u8] = b"{\"batch\":[";
const MIDDLE: &[u8] = b"],\"sentAt\":\"";
const SUFFIX: &[u8] = b"\"}";
/// `2026-12-01T20:40:42.185Z`.
const SENT_AT_BYTES: usize = 24;
const ENVELOPE_BYTES: usize = PREFIX.len() + MIDDLE.len() + SENT_AT_BYTES + SUFFIX.len();

fn sent_at() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `{"batch":[e1,e2,...],"sentAt":"..."}` with the events' bytes as they are.
fn envelope(chunk: &[&Entry], sent_at: &str) -> Vec<u8> {
    let events: usize = chunk.iter().map(|e| e.bytes.len() + 1).sum();
    let mut body = Vec::with_capacity(ENVELOPE_BYTES + events);
    body.extend_from_slice(PREFIX);
    for (i, e) in chunk.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&e.bytes);
    }
    body.extend_from_slice(MIDDLE);
    body.extend_from_slice(sent_at.as_bytes());
    body.extend_from_slice(SUFFIX);
    body
}

/// Cuts the events, in order, into as few chunks as Segment's limits allow (each event is at
/// most [`MAX_EVENT_BYTES`], so every chunk holds at least one).
fn plan_chunks<'a, 'e>(events: &'a [&'e Entry]) -> Vec<&'a [&'e Entry]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut bytes = ENVELOPE_BYTES;
    for (i, e) in events.iter().enumerate() {
        // The separating comma is counted for every event, a byte to spare.
        let size = e.bytes.len() + 1;
        if i > start && (i - start >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES) {
            chunks.push(&events[start..i]);
            start = i;
            bytes = ENVELOPE_BYTES;
        }
        bytes += size;
    }
    if start < events.len() {
        chunks.push(&events[start..]);
    }
    chunks
}

/// What an answer means, from its status, headers and (a part of) its body.
fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Answer {
    let code = status.as_u16();
    let label = match status.canonical_reason() {
        Some(text) => format!("{code} {text}"),
        None => code.to_string(),
    };
    let retry = |reason: String| {
        Answer::Retry(RetryLater {
            after: headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(retry_after),
            reason,
        })
    };
    let with_message = |head: String| match message(body) {
        Some(m) => format!("{head}: {m}"),
        None => head,
    };
    match code {
        200..=299 => Answer::Accepted,
        401 | 403 => retry(format!("Segment refused the write key ({code})")),
        429 => retry(with_message(format!("Segment is rate limiting ({label})"))),
        // Timeouts on Segment's side: nothing wrong with the events.
        408 | 460 => retry(with_message(format!("Segment answered {label}"))),
        // No batch endpoint there: a wrong URL, which must not dead-letter every event.
        404 | 405 => retry(format!(
            "Segment answered {label}: no batch endpoint there; check the Segment URL"
        )),
        400..=499 => Answer::Refused(with_message(format!("Segment answered {label}"))),
        300..=399 => {
            let to = headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| format!(" to {}", trim(l, 200)))
                .unwrap_or_default();
            retry(format!(
                "Segment answered {label}{to}; redirects are not followed (the write key goes \
                 only to the configured host): check the Segment URL"
            ))
        }
        _ => retry(with_message(format!("Segment answered {label}"))),
    }
}

/// The message of an error body: `message` or `error` of a JSON object, else the text; trimmed
/// to about 200 characters.
fn message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let json = serde_json::from_str::<serde_json::Value>(&text).ok();
    let picked = json
        .as_ref()
        .and_then(|v| {
            ["message", "error", "code"]
                .iter()
                .find_map(|k| v.get(*k).and_then(serde_json::Value::as_str))
        })
        .unwrap_or(&text);
    let collapsed = picked.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then(|| trim(&collapsed, 200))
}

/// At most `max` characters of `text`, with `…` when cut.
fn trim(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// `Retry-After` as seconds, or an HTTP date (the time left until it), capped at a day.
fn retry_after(value: &str) -> Option<Duration> {
    const DAY: u64 = 86_400;
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(DAY)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let left = (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .unwrap_or(Duration::ZERO);
    Some(left.min(Duration::from_secs(DAY)))
}

/// An error and its causes, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

// ---------------------------------------------------------------------------------------------
// NDJSON

/// Appends each event as one line to a file (or standard output), durably before it says
/// delivered.
///
/// A line is the event's bytes as stored, with any raw CR or LF in them (whitespace between
/// JSON tokens: a JSON string cannot hold one) replaced by a space, so an event stays one line.
/// A failed write is cut back to where the file ended, so a retry does not leave half a line
/// or a duplicate.
pub struct NdjsonSink {
    target: Target,
}

enum Target {
    File {
        path: PathBuf,
        file: Arc<Mutex<File>>,
    },
    Stdout,
}

impl fmt::Debug for NdjsonSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("NdjsonSink");
        match &self.target {
            Target::File { path, .. } => d.field("path", path),
            Target::Stdout => d.field("path", &"-"),
        };
        d.finish()
    }
}

impl NdjsonSink {
    /// Opens `path` for appending, creating the file (not its directories) when missing.
    /// `-` is refused: use [`NdjsonSink::stdout`].
    pub fn open(path: impl AsRef<Path>) -> Result<NdjsonSink, SinkError> {
        let path = path.as_ref();
        if path.as_os_str() == "-" {
            return Err(SinkError::StdoutPath);
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| SinkError::Open {
                path: path.to_owned(),
                source,
            })?;
        Ok(NdjsonSink {
            target: Target::File {
                path: path.to_owned(),
                file: Arc::new(Mutex::new(file)),
            },
        })
    }

    /// Writes to standard output (flushed, not synced; a failed write cannot be taken back).
    pub fn stdout() -> NdjsonSink {
        NdjsonSink {
            target: Target::Stdout,
        }
    }

    /// The file written to (`-` for standard output).
    pub fn path(&self) -> &Path {
        match &self.target {
            Target::File { path, .. } => path,
            Target::Stdout => Path::new("-"),
        }
    }
}

/// The events as NDJSON lines.
fn lines(events: &[Entry]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(events.iter().map(|e| e.bytes.len() + 1).sum());
    for e in events {
        let start = buf.len();
        buf.extend_from_slice(&e.bytes);
        for b in &mut buf[start..] {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
        buf.push(b'\n');
    }
    buf
}

/// Appends `buf` and syncs; on failure cuts a regular file back to its length before.
fn append(file: &Mutex<File>, buf: &[u8]) -> Result<(), String> {
    let mut f = file.lock().unwrap_or_else(PoisonError::into_inner);
    let before = f.metadata().map(|m| (m.is_file(), m.len()));
    let written = f
        .write_all(buf)
        .and_then(|()| f.flush())
        .and_then(|()| f.sync_data());
    let Err(e) = written else {
        return Ok(());
    };
    match before {
        Ok((true, len)) => match f.set_len(len) {
            Ok(()) => Err(e.to_string()),
            Err(t) => Err(format!(
                "{e} (and it could not be cut back to {len} bytes, so part of a line may be \
                 left: {t})"
            )),
        },
        Ok((false, _)) => Err(e.to_string()),
        Err(m) => Err(format!(
            "{e} (and its length is unknown, so part of a line may be left: {m})"
        )),
    }
}

#[async_trait]
impl Sink for NdjsonSink {
    fn name(&self) -> &'static str {
        "ndjson"
    }

    async fn deliver(&self, events: &[Entry]) -> Delivery {
        if events.is_empty() {
            return Delivery::default();
        }
        let buf = lines(events);
        let (shown, written) = match &self.target {
            Target::File { path, file } => {
                let file = Arc::clone(file);
                let written = tokio::task::spawn_blocking(move || append(&file, &buf)).await;
                (path.display().to_string(), written)
            }
            Target::Stdout => {
                let written = tokio::task::spawn_blocking(move || {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&buf)
                        .and_then(|()| out.flush())
                        .map_err(|e| e.to_string())
                })
                .await;
                ("standard output".to_owned(), written)
            }
        };
        let reason = match written {
            Ok(Ok(())) => return Delivery::all_delivered(events),
            Ok(Err(e)) => format!("writing {shown}: {e}"),
            Err(e) => format!("writing {shown} did not finish: {e}"),
        };
        Delivery::retry_all(RetryLater {
            after: None,
            reason,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;
    use wiremock::matchers::{body_string_contains, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const KEY: &str = "wk_Sup3rS3cret";

    fn sink(server: &MockServer) -> SegmentSink {
        SegmentSink::new(server.uri().parse().unwrap(), KEY.to_owned().into()).unwrap()
    }

    fn entry(seq: u64, bytes: impl Into<Vec<u8>>) -> Entry {
        Entry {
            seq,
            bytes: bytes.into(),
        }
    }

    /// A small event; the odd spacing and key order must survive byte for byte.
    fn small(seq: u64) -> Entry {
        entry(
            seq,
            format!(
                r#"{{"type":"track", "event" : "Email Opened","messageId":"m{seq}","anonymousId":"a@b.co"}}"#
            ),
        )
    }

    /// An event of exactly `size` bytes.
    fn sized(seq: u64, size: usize) -> Entry {
        let head = format!(r#"{{"type":"track","event":"Big","messageId":"m{seq}","pad":""#);
        let pad = size - head.len() - 2;
        entry(seq, format!("{head}{}\"}}", "x".repeat(pad)))
    }

    fn batch_of(body: &[u8]) -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct Envelope<'a> {
            #[serde(borrow)]
            batch: Vec<&'a RawValue>,
        }
        let env: Envelope<'_> = serde_json::from_slice(body).unwrap();
        env.batch.iter().map(|r| r.get().to_owned()).collect()
    }

    async fn ok(server: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/v1/batch"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"success":true}"#))
            .mount(server)
            .await;
    }

    fn seqs(events: &[Entry]) -> Vec<u64> {
        events.iter().map(|e| e.seq).collect()
    }

    fn text(e: &Entry) -> String {
        String::from_utf8(e.bytes.clone()).unwrap()
    }

    #[tokio::test]
    async fn posts_the_events_verbatim_in_a_batch_envelope_with_basic_auth() {
        let server = MockServer::start().await;
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"))
        );
        Mock::given(method("POST"))
            .and(path("/v1/batch"))
            .and(header("authorization", expected.as_str()))
            .and(header("content-type", "application/json"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let events: Vec<Entry> = (1..=3).map(small).collect();
        let d = sink(&server).deliver(&events).await;
        assert_eq!(d, Delivery::all_delivered(&events));
        assert!(d.is_complete() && d.left_over(&events).is_empty());

        let requests = server.received_requests().await.unwrap();
        let body = &requests[0].body;
        assert_eq!(batch_of(body), events.iter().map(text).collect::<Vec<_>>());
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        let sent_at = v["sentAt"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(sent_at).is_ok(),
            "{sent_at}"
        );
        assert_eq!(sent_at.len(), SENT_AT_BYTES);
        // The events are written as they are: the body contains each one's bytes.
        let body = String::from_utf8(body.clone()).unwrap();
        assert!(body.starts_with(r#"{"batch":[{"type":"track", "event" : "Email Opened""#));
    }

    #[tokio::test]
    async fn a_base_url_with_a_path_keeps_it() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/segment/v1/batch"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let url: Url = format!("{}/segment/", server.uri()).parse().unwrap();
        let s = SegmentSink::new(url, KEY.to_owned().into()).unwrap();
        assert!(s.endpoint().as_str().ends_with("/segment/v1/batch"));
        assert!(s.deliver(&[small(1)]).await.is_complete());
    }

    #[tokio::test]
    async fn more_than_2500_events_go_in_two_requests() {
        let server = MockServer::start().await;
        ok(&server).await;
        let events: Vec<Entry> = (1..=2_600).map(small).collect();
        let d = sink(&server).deliver(&events).await;
        assert_eq!(d.delivered, seqs(&events));
        let requests = server.received_requests().await.unwrap();
        let sizes: Vec<usize> = requests.iter().map(|r| batch_of(&r.body).len()).collect();
        assert_eq!(sizes, vec![2_500, 100]);
    }

    #[tokio::test]
    async fn more_than_500_kb_goes_in_several_requests_each_within_the_limit() {
        let server = MockServer::start().await;
        ok(&server).await;
        let events: Vec<Entry> = (1..=40).map(|i| sized(i, 30 * 1024)).collect();
        let d = sink(&server).deliver(&events).await;
        assert_eq!(d.delivered, seqs(&events));
        let requests = server.received_requests().await.unwrap();
        assert!(requests.len() >= 3, "{} requests", requests.len());
        let mut all = Vec::new();
        for r in &requests {
            assert!(r.body.len() <= MAX_BATCH_BYTES, "{} bytes", r.body.len());
            all.extend(batch_of(&r.body));
        }
        assert_eq!(all, events.iter().map(text).collect::<Vec<_>>());
        // As few as the limit allows: 16 events of 30 KB fit in 500 KB, so 16 + 16 + 8.
        assert_eq!(requests.len(), 3);
    }

    #[tokio::test]
    async fn an_event_over_32_kb_is_rejected_and_the_others_delivered() {
        let server = MockServer::start().await;
        ok(&server).await;
        let events = vec![small(1), sized(2, 40 * 1024), small(3)];
        let d = sink(&server).deliver(&events).await;
        assert_eq!(d.delivered, vec![1, 3]);
        assert_eq!(d.rejected.len(), 1);
        let (seq, reason) = &d.rejected[0];
        assert_eq!(*seq, 2);
        assert!(
            reason.contains("40960") && reason.contains("32768"),
            "{reason}"
        );
        assert!(d.retry.is_none());
        // And an event of exactly 32 KB is fine.
        let d = sink(&server).deliver(&[sized(4, MAX_EVENT_BYTES)]).await;
        assert_eq!(d.delivered, vec![4]);
    }

    #[tokio::test]
    async fn an_event_that_is_not_a_json_object_is_rejected_without_a_request() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let d = sink(&server)
            .deliver(&[entry(1, "[1]"), entry(2, r#"{"a":1},{"b":2}"#)])
            .await;
        assert!(d.delivered.is_empty() && d.retry.is_none());
        assert_eq!(d.rejected.len(), 2, "{d:?}");
    }

    #[tokio::test]
    async fn a_500_is_retried_later_then_the_events_go() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500).set_body_string("upstream broke"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        ok(&server).await;
        let s = sink(&server);
        let events: Vec<Entry> = (1..=2).map(small).collect();
        let d = s.deliver(&events).await;
        assert!(d.delivered.is_empty() && d.rejected.is_empty());
        let retry = d.retry.clone().unwrap();
        assert!(retry.reason.contains("500"), "{}", retry.reason);
        assert!(retry.reason.contains("upstream broke"), "{}", retry.reason);
        assert_eq!(retry.after, None);
        assert_eq!(d.left_over(&events).len(), 2);
        assert_eq!(s.deliver(&events).await, Delivery::all_delivered(&events));
    }

    #[tokio::test]
    async fn a_429_with_retry_after_says_when() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
            .mount(&server)
            .await;
        let d = sink(&server).deliver(&[small(1)]).await;
        let retry = d.retry.unwrap();
        assert_eq!(retry.after, Some(Duration::from_secs(7)));
        assert!(retry.reason.contains("429"), "{}", retry.reason);
    }

    #[tokio::test]
    async fn a_retry_stops_at_the_failing_chunk_and_keeps_what_went_before() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let events: Vec<Entry> = (1..=2_600).map(small).collect();
        let d = sink(&server).deliver(&events).await;
        assert_eq!(d.delivered, (1..=2_500).collect::<Vec<_>>());
        let left: Vec<u64> = d.left_over(&events).iter().map(|e| e.seq).collect();
        assert_eq!(left, (2_501..=2_600).collect::<Vec<_>>());
        assert!(d.retry.unwrap().reason.contains("503"));
    }

    #[tokio::test]
    async fn a_400_isolates_the_bad_event_and_delivers_its_neighbour() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_string_contains("\"poison\""))
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_string(r#"{"code":"invalid_request","message":"event is poison"}"#),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        ok(&server).await;
        let events = vec![
            small(1),
            entry(
                2,
                r#"{"type":"track","event":"poison","anonymousId":"a@b.co"}"#,
            ),
        ];
        let d = sink(&server).deliver(&events).await;
        assert_eq!(d.delivered, vec![1]);
        assert_eq!(d.rejected.len(), 1);
        assert_eq!(d.rejected[0].0, 2);
        let reason = &d.rejected[0].1;
        assert!(
            reason.contains("400") && reason.contains("event is poison"),
            "{reason}"
        );
        assert!(d.retry.is_none());
        // One request for both, then one for each half.
        assert_eq!(server.received_requests().await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_refused_write_key_is_a_retry_not_a_rejection() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(401).set_body_string(format!("bad key {KEY}")))
            .mount(&server)
            .await;
        let d = sink(&server).deliver(&[small(1), small(2)]).await;
        assert!(d.rejected.is_empty() && d.delivered.is_empty());
        assert_eq!(
            d.retry.unwrap().reason,
            "Segment refused the write key (401)"
        );
    }

    #[tokio::test]
    async fn the_write_key_is_in_no_debug_output_and_no_reason() {
        let server = MockServer::start().await;
        // An answer that echoes the key and its encoding back.
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"));
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(500).set_body_string(format!("key {KEY} auth {encoded}")),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_string(format!(r#"{{"message":"no such key {KEY}"}}"#)),
            )
            .mount(&server)
            .await;
        let s = sink(&server);
        let shown = format!("{s:?}");
        assert!(!shown.contains(KEY), "{shown}");
        assert!(shown.contains(r#"write_key: "[redacted]""#), "{shown}");
        assert!(shown.contains(&server.uri()), "{shown}");
        let builder = format!(
            "{:?}",
            SegmentSink::builder(server.uri().parse().unwrap(), KEY.to_owned().into())
        );
        assert!(!builder.contains(KEY), "{builder}");

        let first = s.deliver(&[small(1)]).await;
        let second = s.deliver(&[small(1)]).await;
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            drop(listener);
            let url = format!("http://127.0.0.1:{port}").parse().unwrap();
            SegmentSink::new(url, KEY.to_owned().into())
                .unwrap()
                .deliver(&[small(1)])
                .await
        };
        let mut reasons = Vec::new();
        for d in [&first, &second, &closed] {
            reasons.extend(d.retry.iter().map(|r| r.reason.clone()));
            reasons.extend(d.rejected.iter().map(|(_, r)| r.clone()));
        }
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        for r in &reasons {
            assert!(!r.contains(KEY) && !r.contains(&encoded), "{r}");
        }
        assert!(reasons[0].contains("500") && reasons[0].contains("[redacted]"));
        assert!(reasons[1].contains("400"));
        assert!(
            reasons[2].contains("cannot reach Segment"),
            "{}",
            reasons[2]
        );
    }

    #[tokio::test]
    async fn a_timeout_is_a_retry_naming_it() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
            .mount(&server)
            .await;
        let s = SegmentSink::builder(server.uri().parse().unwrap(), KEY.to_owned().into())
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let d = s.deliver(&[small(1)]).await;
        let reason = d.retry.unwrap().reason;
        assert!(reason.contains("did not answer within 0.2s"), "{reason}");
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed_and_is_a_retry() {
        let elsewhere = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&elsewhere)
            .await;
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(307)
                    .insert_header("Location", format!("{}/v1/batch", elsewhere.uri())),
            )
            .expect(1)
            .mount(&server)
            .await;
        let d = sink(&server).deliver(&[small(1)]).await;
        assert!(d.delivered.is_empty() && d.rejected.is_empty());
        let reason = d.retry.unwrap().reason;
        assert!(
            reason.contains("307") && reason.contains("not followed"),
            "{reason}"
        );
        assert!(elsewhere.received_requests().await.unwrap().is_empty());
    }

    #[test]
    fn bad_urls_and_an_empty_key_are_refused() {
        let key = || SecretString::from(KEY.to_owned());
        for url in ["ftp://api.segment.io", "https://user:pw@api.segment.io"] {
            let e = SegmentSink::new(url.parse().unwrap(), key()).unwrap_err();
            assert!(matches!(e, SinkError::Url { .. }), "{url}: {e}");
        }
        let e = SegmentSink::new(DEFAULT_SEGMENT_URL.parse().unwrap(), String::new().into())
            .unwrap_err();
        assert!(matches!(e, SinkError::EmptyWriteKey));
        let s = SegmentSink::new(DEFAULT_SEGMENT_URL.parse().unwrap(), key()).unwrap();
        assert_eq!(s.endpoint().as_str(), "https://api.segment.io/v1/batch");
        assert_eq!(s.name(), "segment");
    }

    #[test]
    fn answers_are_classified_by_status() {
        let none = HeaderMap::new();
        let status = |c: u16| StatusCode::from_u16(c).unwrap();
        assert_eq!(classify(status(204), &none, b""), Answer::Accepted);
        for c in [400, 410, 413, 422] {
            assert!(
                matches!(classify(status(c), &none, b""), Answer::Refused(r) if r.contains(&c.to_string()))
            );
        }
        for c in [301, 403, 404, 405, 408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(classify(status(c), &none, b""), Answer::Retry(_)),
                "{c}"
            );
        }
        let long = "é".repeat(500);
        let Answer::Refused(r) = classify(status(400), &none, long.as_bytes()) else {
            panic!("refused")
        };
        assert!(r.chars().count() < 250, "{r}");
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("soon"), None);
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        let got = retry_after(&later).unwrap();
        assert!(
            got > Duration::from_secs(100) && got <= Duration::from_secs(120),
            "{got:?}"
        );
    }

    fn temp(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!(
            "ac-segment-sink-{name}-{}.ndjson",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&p);
        p
    }

    #[tokio::test]
    async fn ndjson_appends_lines_in_order_across_deliveries() {
        let path = temp("append");
        let sink = NdjsonSink::open(&path).unwrap();
        assert_eq!(sink.name(), "ndjson");
        assert_eq!(sink.path(), path);
        let first: Vec<Entry> = (1..=3).map(small).collect();
        let second = vec![small(4)];
        assert_eq!(sink.deliver(&first).await, Delivery::all_delivered(&first));
        assert_eq!(
            sink.deliver(&second).await,
            Delivery::all_delivered(&second)
        );
        assert_eq!(sink.deliver(&[]).await, Delivery::default());
        let mut expected = Vec::new();
        for e in first.iter().chain(&second) {
            expected.extend_from_slice(&e.bytes);
            expected.push(b'\n');
        }
        assert_eq!(std::fs::read(&path).unwrap(), expected);
        // Opening again appends too.
        drop(sink);
        let again = NdjsonSink::open(&path).unwrap();
        again.deliver(&[small(5)]).await;
        let lines = std::fs::read_to_string(&path).unwrap();
        assert_eq!(lines.lines().count(), 5);
        assert!(format!("{again:?}").contains("ac-segment-sink-append"));
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn ndjson_keeps_a_pretty_printed_event_on_one_line() {
        let path = temp("pretty");
        let sink = NdjsonSink::open(&path).unwrap();
        sink.deliver(&[entry(1, "{\r\n  \"type\": \"track\"\n}")])
            .await;
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"{    \"type\": \"track\" }\n".to_vec()
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn ndjson_open_names_the_path_and_refuses_dash() {
        assert!(matches!(NdjsonSink::open("-"), Err(SinkError::StdoutPath)));
        let missing = std::env::temp_dir().join("ac-segment-no-such-dir/x/out.ndjson");
        let e = NdjsonSink::open(&missing).unwrap_err();
        assert!(e.to_string().contains("ac-segment-no-such-dir"), "{e}");
        assert_eq!(NdjsonSink::stdout().path(), Path::new("-"));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn ndjson_write_errors_are_retries_naming_the_path() {
        let Ok(sink) = NdjsonSink::open("/dev/full") else {
            return;
        };
        let d = sink.deliver(&[small(1)]).await;
        assert!(d.delivered.is_empty() && d.rejected.is_empty());
        let reason = d.retry.unwrap().reason;
        assert!(reason.starts_with("writing /dev/full: "), "{reason}");
    }

    #[test]
    fn chunks_cut_on_count_and_size_in_order() {
        let small_events: Vec<Entry> = (0..5_001).map(small).collect();
        let refs: Vec<&Entry> = small_events.iter().collect();
        let sizes: Vec<usize> = plan_chunks(&refs).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![2_500, 2_500, 1]);
        let big: Vec<Entry> = (0..3).map(|i| sized(i, MAX_EVENT_BYTES)).collect();
        let refs: Vec<&Entry> = big.iter().collect();
        assert_eq!(plan_chunks(&refs).len(), 1);
        assert!(plan_chunks(&[]).is_empty());
        let body = envelope(&refs, &sent_at());
        assert_eq!(body.len(), ENVELOPE_BYTES + 3 * MAX_EVENT_BYTES + 2);
    }
}
