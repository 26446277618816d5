//! Segment's HTTP API as a sink.

#[allow(clippy::wildcard_imports)]
use super::*;

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
pub(super) enum Answer {
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
pub(super) fn check_event(bytes: &[u8]) -> Result<(), String> {
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

pub(super) const PREFIX: &[u8] = b"{\"batch\":[";
pub(super) const MIDDLE: &[u8] = b"],\"sentAt\":\"";
pub(super) const SUFFIX: &[u8] = b"\"}";
/// `2026-12-01T20:40:42.185Z`.
pub(super) const SENT_AT_BYTES: usize = 24;
pub(super) const ENVELOPE_BYTES: usize = PREFIX.len() + MIDDLE.len() + SENT_AT_BYTES + SUFFIX.len();

pub(super) fn sent_at() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `{"batch":[e1,e2,...],"sentAt":"..."}` with the events' bytes as they are.
pub(super) fn envelope(chunk: &[&Entry], sent_at: &str) -> Vec<u8> {
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
pub(super) fn plan_chunks<'a, 'e>(events: &'a [&'e Entry]) -> Vec<&'a [&'e Entry]> {
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
pub(super) fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Answer {
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
pub(super) fn message(body: &[u8]) -> Option<String> {
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
pub(super) fn trim(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// `Retry-After` as seconds, or an HTTP date (the time left until it), capped at a day.
pub(super) fn retry_after(value: &str) -> Option<Duration> {
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
pub(super) fn chain(e: &dyn std::error::Error) -> String {
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
