//! What `serve` counts, as Prometheus text (`GET /metrics`).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::spec::MessageType;
use crate::store::Depth;

type Labels = [(&'static str, &'static str); 1];

/// The counters of one `serve` process. Cheap to clone (clones count together).
#[derive(Debug, Clone)]
pub struct Metrics {
    accepted: Family<Labels, Counter>,
    duplicates: Counter,
    rejected: Family<Labels, Counter>,
    applied: Family<Labels, Counter>,
    skipped: Family<Labels, Counter>,
    failed: Family<Labels, Counter>,
    retried: Counter,
    dead_lettered: Family<Labels, Counter>,
    ac_calls: Counter,
    webhooks: Family<Labels, Counter>,
    delivered: Counter,
    depth: Family<Labels, Gauge>,
}

/// The label value of a message type (`other` for types outside the spec).
pub(crate) fn type_label(kind: &MessageType) -> &'static str {
    match kind {
        MessageType::Identify => "identify",
        MessageType::Track => "track",
        MessageType::Page => "page",
        MessageType::Screen => "screen",
        MessageType::Group => "group",
        MessageType::Alias => "alias",
        MessageType::Other(_) => "other",
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every counter at zero.
    pub fn new() -> Self {
        Metrics {
            accepted: Family::default(),
            duplicates: Counter::default(),
            rejected: Family::default(),
            applied: Family::default(),
            skipped: Family::default(),
            failed: Family::default(),
            retried: Counter::default(),
            dead_lettered: Family::default(),
            ac_calls: Counter::default(),
            webhooks: Family::default(),
            delivered: Counter::default(),
            depth: Family::default(),
        }
    }

    /// A message was durably queued.
    pub(crate) fn accepted(&self, kind: &MessageType) {
        self.accepted
            .get_or_create(&[("type", type_label(kind))])
            .inc();
    }

    /// Messages acknowledged without being queued again (their `messageId` was seen).
    pub(crate) fn duplicates(&self, n: usize) {
        self.duplicates.inc_by(n as u64);
    }

    /// A request was refused, with its `code`.
    pub(crate) fn rejected(&self, code: &'static str) {
        self.rejected.get_or_create(&[("code", code)]).inc();
    }

    /// A queued message ended.
    pub(crate) fn ended(&self, kind: &'static str, status: crate::Status, calls: usize) {
        let family = match status {
            crate::Status::Applied => &self.applied,
            crate::Status::Skipped => &self.skipped,
            crate::Status::Failed => &self.failed,
        };
        family.get_or_create(&[("type", kind)]).inc();
        self.ac_calls.inc_by(calls as u64);
    }

    /// A message failed transiently and waits to be tried again.
    pub(crate) fn retried(&self, calls: usize) {
        self.retried.inc();
        self.ac_calls.inc_by(calls as u64);
    }

    /// An entry went to the dead letters (`queue` or `outbox`).
    pub(crate) fn dead_lettered(&self, from: &'static str) {
        self.dead_lettered.get_or_create(&[("from", from)]).inc();
    }

    /// A webhook was answered: `converted`, `duplicate`, `dropped` or `refused`.
    pub(crate) fn webhook(&self, result: &'static str) {
        self.webhooks.get_or_create(&[("result", result)]).inc();
    }

    /// Events the sink accepted.
    pub(crate) fn delivered(&self, n: usize) {
        self.delivered.inc_by(n as u64);
    }

    /// The Prometheus text exposition of every counter, with the store's depths.
    pub fn render(&self, depth: Option<Depth>) -> String {
        if let Some(d) = depth {
            for (name, v) in [("ingest", d.queue), ("outbox", d.outbox), ("dead", d.dead)] {
                self.depth
                    .get_or_create(&[("queue", name)])
                    .set(i64::try_from(v).unwrap_or(i64::MAX));
            }
        }
        let mut r = Registry::with_prefix("acsegment");
        r.register(
            "accepted",
            "Messages accepted into the durable queue, by type",
            self.accepted.clone(),
        );
        r.register(
            "duplicates",
            "Messages acknowledged again by messageId and not queued",
            self.duplicates.clone(),
        );
        r.register(
            "rejected_requests",
            "Ingestion requests refused, by error code",
            self.rejected.clone(),
        );
        r.register(
            "applied",
            "Messages applied to ActiveCampaign, by type",
            self.applied.clone(),
        );
        r.register(
            "skipped",
            "Messages that needed nothing from ActiveCampaign, by type",
            self.skipped.clone(),
        );
        r.register(
            "failed",
            "Messages that failed for good (dead-lettered), by type",
            self.failed.clone(),
        );
        r.register(
            "retries",
            "Transient failures that left a message queued to be tried again",
            self.retried.clone(),
        );
        r.register(
            "dead_lettered",
            "Entries moved to the dead letters, by the queue they failed in",
            self.dead_lettered.clone(),
        );
        r.register(
            "ac_calls",
            "Calls made to the ActiveCampaign API",
            self.ac_calls.clone(),
        );
        r.register(
            "webhooks",
            "ActiveCampaign webhooks received, by result",
            self.webhooks.clone(),
        );
        r.register(
            "delivered",
            "Events the sink accepted",
            self.delivered.clone(),
        );
        r.register(
            "queue_depth",
            "Entries waiting in the store, by queue",
            self.depth.clone(),
        );
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &r);
        out
    }
}
