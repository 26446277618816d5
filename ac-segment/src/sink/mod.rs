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

mod ndjson;
mod segment;
#[cfg(test)]
mod tests;

pub use ndjson::NdjsonSink;
pub use segment::{SegmentSink, SegmentSinkBuilder};
