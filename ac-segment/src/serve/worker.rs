//! The background half of `serve`: the ingestion queue applied to AC, and the outbox
//! delivered to the sink.
//!
//! **Queue → AC.** Queued messages are read in sequence order into per-person lanes (the
//! email, else the `userId`, else the `anonymousId`). A lane applies its messages one at a
//! time, in arrival order; up to `concurrency` lanes apply at once. A message that fails
//! transiently (after the executor's own retries) stays at the head of its lane and is tried
//! again with a growing pause, so the person's later messages wait for it and nothing is
//! reordered or dead-lettered while AC is down; other people's lanes go on. A message leaves
//! the store only once it was applied or skipped (acknowledged) or failed for good (moved to
//! the dead letters, bytes as accepted). What is read ahead into memory is bounded; the rest
//! waits on disk.
//!
//! **Outbox → sink.** Events are delivered oldest first in batches; delivered ones are
//! acknowledged, refused ones dead-lettered with the sink's reason, and a transient failure
//! is retried after the sink's `Retry-After` or a growing pause.
//!
//! A crash between applying and acknowledging applies that message again after a restart:
//! delivery is at least once, and a repeat carries the same `messageId`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{mpsc, watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::metrics::{type_label, Metrics};
use crate::execute::Executor;
use crate::outcome::Outcome;
use crate::replay::ordering_key;
use crate::sink::Sink;
use crate::spec::Message;
use crate::store::{Entry, Store, StoreError};
use crate::Status;

/// Called with each queued message that ended (applied, skipped or failed for good): its
/// sequence number, its bytes as accepted, the message when it could be read, and the outcome.
pub type OnOutcome = Arc<dyn Fn(u64, &[u8], Option<&Message>, &Outcome) + Send + Sync>;

/// How the worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerOptions {
    /// Lanes applying at once (each lane is one person's messages, in order).
    pub concurrency: usize,
    /// Queued messages held in memory at most (the rest are read when these are done).
    pub read_ahead: usize,
    /// The first pause after a transient failure; doubled each time.
    pub retry_base: Duration,
    /// The longest pause.
    pub retry_max: Duration,
    /// Events handed to the sink at once (the sink splits them further by its limits).
    pub sink_batch: usize,
    /// A message still failing transiently this long after its first failure is
    /// dead-lettered (with the last reason), so its person's later messages can go on.
    pub give_up_after: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 4,
            read_ahead: 4096,
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
            sink_batch: 2500,
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

/// Where the worker is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Running,
    /// Finish what is in hand, start nothing new.
    Draining,
    /// Stop at once; what is in hand stays queued.
    Abort,
}

/// One queued message in memory.
struct Loaded {
    seq: u64,
    bytes: Vec<u8>,
    message: Result<Message, String>,
    _held: OwnedSemaphorePermit,
}

struct Shared {
    store: Arc<Store>,
    executor: Executor,
    metrics: Metrics,
    options: WorkerOptions,
    on_outcome: Option<OnOutcome>,
    lanes: Mutex<HashMap<String, VecDeque<Loaded>>>,
    permits: Arc<Semaphore>,
    phase: watch::Receiver<Phase>,
    /// To the settler: how each message ended (`None` = acknowledge, `Some` = dead-letter).
    settle: mpsc::Sender<(u64, Option<String>)>,
}

/// The running worker: wake it when something was stored, stop it on the way out.
#[derive(Debug)]
pub struct Worker {
    phase: watch::Sender<Phase>,
    queued: Arc<Notify>,
    outboxed: Arc<Notify>,
    tasks: JoinSet<()>,
}

/// Runs a store call off the async threads (a write waits for the disk).
pub(crate) async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(r) => r,
        Err(e) => Err(StoreError::Decode(format!("a store task ended: {e}"))),
    }
}

fn backoff(options: &WorkerOptions, attempt: u32) -> Duration {
    options
        .retry_base
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(options.retry_max)
}

/// Sleeps, unless the phase reaches `until` first; returns whether it did.
async fn pause(phase: &mut watch::Receiver<Phase>, d: Duration, until: Phase) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = phase.wait_for(|p| *p >= until) => true,
    }
}

impl Worker {
    /// Starts the queue reader (and, with a sink, the outbox deliverer).
    pub fn spawn(
        store: Arc<Store>,
        executor: Executor,
        sink: Option<Arc<dyn Sink>>,
        metrics: Metrics,
        options: WorkerOptions,
        on_outcome: Option<OnOutcome>,
    ) -> Worker {
        let (phase_tx, phase) = watch::channel(Phase::Running);
        let (settle, settled) = mpsc::channel(SETTLE_BATCH);
        let queued = Arc::new(Notify::new());
        let outboxed = Arc::new(Notify::new());
        let shared = Arc::new(Shared {
            store: store.clone(),
            executor,
            metrics: metrics.clone(),
            options: WorkerOptions {
                concurrency: options.concurrency.max(1),
                read_ahead: options.read_ahead.max(1),
                sink_batch: options.sink_batch.max(1),
                ..options
            },
            on_outcome,
            lanes: Mutex::new(HashMap::new()),
            permits: Arc::new(Semaphore::new(options.concurrency.max(1))),
            phase: phase.clone(),
            settle,
        });
        let mut tasks = JoinSet::new();
        // Ends once every lane has ended (the senders live in `shared`), after its last commit.
        tasks.spawn(settle_outcomes(store.clone(), settled, shared.options));
        tasks.spawn(read_queue(shared.clone(), queued.clone()));
        tasks.spawn(prune_dedupe(shared.clone()));
        if let Some(sink) = sink {
            tasks.spawn(deliver_outbox(shared, sink, outboxed.clone()));
        }
        Worker {
            phase: phase_tx,
            queued,
            outboxed,
            tasks,
        }
    }

    /// Something was queued: read it now rather than at the next poll.
    pub fn queued(&self) -> Arc<Notify> {
        self.queued.clone()
    }

    /// Something was put in the outbox.
    pub fn outboxed(&self) -> Arc<Notify> {
        self.outboxed.clone()
    }

    /// Stops: what is being applied or delivered may finish within `grace`, then the rest is
    /// dropped (it stays in the store, and is taken up again at the next start).
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.phase.send(Phase::Draining);
        let drained = tokio::time::timeout(grace, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                grace_ms = grace.as_millis() as u64,
                "work still in hand after the grace period: it stays queued for the next start"
            );
            let _ = self.phase.send(Phase::Abort);
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                while self.tasks.join_next().await.is_some() {}
            })
            .await;
            self.tasks.abort_all();
        }
    }
}

/// The lane a message applies in: one person's messages, in order.
fn lane_key(seq: u64, message: &Result<Message, String>, shared: &Shared) -> String {
    let Ok(m) = message else {
        return format!("#{seq}");
    };
    if let Some(email) = ordering_key(m, shared.executor.settings().flavor) {
        return format!("email:{email}");
    }
    if let Some(u) = m.user_id.as_deref().filter(|u| !u.is_empty()) {
        return format!("user:{u}");
    }
    if let Some(a) = m.anonymous_id.as_deref().filter(|a| !a.is_empty()) {
        return format!("anon:{a}");
    }
    format!("#{seq}")
}

async fn read_queue(shared: Arc<Shared>, wake: Arc<Notify>) {
    let memory = Arc::new(Semaphore::new(shared.options.read_ahead));
    let mut phase = shared.phase.clone();
    let mut lanes: JoinSet<()> = JoinSet::new();
    let mut cursor = 0u64;
    let mut failures = 0u32;
    while *phase.borrow() == Phase::Running {
        while lanes.try_join_next().is_some() {}
        let room = memory.available_permits().clamp(1, 512);
        let after = cursor;
        let entries = match blocking(&shared.store, move |s| s.peek_after(after, room)).await {
            Ok(e) => {
                failures = 0;
                e
            }
            Err(e) => {
                tracing::error!(error = %e, "reading the queue failed; trying again");
                failures += 1;
                pause(
                    &mut phase,
                    backoff(&shared.options, failures),
                    Phase::Draining,
                )
                .await;
                continue;
            }
        };
        if entries.is_empty() {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = phase.wait_for(|p| *p != Phase::Running) => {}
            }
            continue;
        }
        for Entry { seq, bytes } in entries {
            let held = tokio::select! {
                p = memory.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
                _ = phase.wait_for(|p| *p != Phase::Running) => break,
            };
            cursor = seq;
            let message = Message::from_slice(&bytes).map_err(|e| e.to_string());
            let key = lane_key(seq, &message, &shared);
            let start = {
                let mut map = shared.lanes.lock().unwrap_or_else(PoisonError::into_inner);
                let lane = map.entry(key.clone()).or_default();
                lane.push_back(Loaded {
                    seq,
                    bytes,
                    message,
                    _held: held,
                });
                lane.len() == 1
            };
            if start {
                lanes.spawn(run_lane(shared.clone(), key));
            }
        }
    }
    // Draining: the lanes finish the message in hand (or stop at once on abort).
    while lanes.join_next().await.is_some() {}
}

/// Applies one lane's messages in order until it is empty.
async fn run_lane(shared: Arc<Shared>, key: String) {
    let mut phase = shared.phase.clone();
    loop {
        if *phase.borrow() != Phase::Running {
            return;
        }
        let head = {
            let map = shared.lanes.lock().unwrap_or_else(PoisonError::into_inner);
            map.get(&key)
                .and_then(|l| l.front())
                .map(|l| (l.seq, l.message.clone()))
        };
        let Some((seq, message)) = head else { return };
        let ended = match message {
            Err(reason) => Ended::Dead(format!("not a Segment message: {reason}"), None),
            Ok(message) => {
                let mut attempt = 0u32;
                let mut first_try: Option<std::time::Instant> = None;
                loop {
                    let permit = tokio::select! {
                        p = shared.permits.clone().acquire_owned() => p.ok(),
                        _ = phase.wait_for(|p| *p != Phase::Running) => return,
                    };
                    let outcome = tokio::select! {
                        o = shared.executor.apply(&message) => o,
                        _ = phase.wait_for(|p| *p == Phase::Abort) => return,
                    };
                    drop(permit);
                    // Counted from the end of the first try: a failure is what starts the clock.
                    let since = first_try.get_or_insert_with(std::time::Instant::now);
                    let gave_up = since.elapsed() >= shared.options.give_up_after;
                    if outcome.status == Status::Failed && outcome.is_retryable() && !gave_up {
                        shared.metrics.retried(outcome.calls.len());
                        let wait = backoff(&shared.options, attempt);
                        tracing::warn!(
                            seq,
                            reason = outcome.reason.as_deref().unwrap_or(""),
                            retry_in_ms = wait.as_millis() as u64,
                            "a transient failure: the message stays queued, its person's later messages wait"
                        );
                        attempt = attempt.saturating_add(1);
                        if pause(&mut phase, wait, Phase::Draining).await {
                            return;
                        }
                        continue;
                    }
                    break if outcome.status == Status::Failed {
                        let reason = outcome
                            .reason
                            .clone()
                            .unwrap_or_else(|| "failed".to_owned());
                        let reason = if outcome.is_retryable() {
                            format!(
                                "still failing {:.1}s after the first failure: {reason}",
                                since.elapsed().as_secs_f64()
                            )
                        } else {
                            reason
                        };
                        Ended::Dead(reason, Some((message, outcome)))
                    } else {
                        Ended::Done(message, outcome)
                    };
                }
            }
        };
        // Acknowledged (or dead-lettered) by the settler, many per transaction. The lane goes
        // on meanwhile: a crash before the commit applies the message again at the next start
        // (at least once), never loses it.
        let settled = match &ended {
            Ended::Done(..) => (seq, None),
            Ended::Dead(reason, _) => (seq, Some(reason.clone())),
        };
        if shared.settle.send(settled).await.is_err() {
            return;
        }
        let done = {
            let mut map = shared.lanes.lock().unwrap_or_else(PoisonError::into_inner);
            let lane = map.get_mut(&key);
            let item = lane.and_then(VecDeque::pop_front);
            let empty = map.get(&key).is_none_or(VecDeque::is_empty);
            if empty {
                map.remove(&key);
            }
            (item, empty)
        };
        let (Some(item), empty) = done else { return };
        report(&shared, &item, ended);
        if empty {
            return;
        }
    }
}

enum Ended {
    Done(Message, Outcome),
    Dead(String, Option<(Message, Outcome)>),
}

fn report(shared: &Shared, item: &Loaded, ended: Ended) {
    let (message, outcome) = match ended {
        Ended::Done(m, o) => (Some(m), o),
        Ended::Dead(reason, Some((m, o))) => {
            tracing::warn!(seq = item.seq, %reason, "dead-lettered");
            shared.metrics.dead_lettered("queue");
            (Some(m), o)
        }
        Ended::Dead(reason, None) => {
            tracing::warn!(seq = item.seq, %reason, "dead-lettered");
            shared.metrics.dead_lettered("queue");
            let f = crate::Failure::new(crate::FailureKind::Malformed, reason);
            (None, Outcome::failed(f, Vec::new()))
        }
    };
    let kind = message
        .as_ref()
        .map(|m| type_label(&m.kind))
        .unwrap_or("other");
    shared
        .metrics
        .ended(kind, outcome.status, outcome.calls.len());
    if let Some(f) = &shared.on_outcome {
        f(item.seq, &item.bytes, message.as_ref(), &outcome);
    }
}

/// Outcomes recorded in one transaction at most (and the settler's channel bound).
const SETTLE_BATCH: usize = 4096;

/// Records the lanes' outcomes: whatever has arrived since the last commit goes in one
/// transaction, so acknowledging never takes one disk sync per message (which would starve
/// ingestion's commits when AC is fast or messages are skipped).
async fn settle_outcomes(
    store: Arc<Store>,
    mut rx: mpsc::Receiver<(u64, Option<String>)>,
    options: WorkerOptions,
) {
    let mut batch: Vec<(u64, Option<String>)> = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < SETTLE_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let applied: Arc<Vec<u64>> = Arc::new(
            batch
                .iter()
                .filter(|(_, d)| d.is_none())
                .map(|(s, _)| *s)
                .collect(),
        );
        let dead: Arc<Vec<(u64, String)>> = Arc::new(
            batch
                .drain(..)
                .filter_map(|(s, d)| d.map(|d| (s, d)))
                .collect(),
        );
        for attempt in 0u32.. {
            let (a, d) = (applied.clone(), dead.clone());
            match blocking(&store, move |s| s.settle(&a, &d)).await {
                Ok(()) => break,
                Err(e) if attempt < 10 => {
                    tracing::error!(error = %e, "recording outcomes failed; trying again");
                    tokio::time::sleep(backoff(&options, attempt)).await;
                }
                Err(e) => {
                    tracing::error!(
                        error = %e,
                        messages = applied.len() + dead.len(),
                        "recording outcomes failed for good: those messages stay queued and are applied again at the next start"
                    );
                    break;
                }
            }
        }
    }
}

/// How often `messageId`s older than the dedupe window are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Keeps the dedupe window's table bounded by the window: ids older than it are removed at
/// start and then every minute.
async fn prune_dedupe(shared: Arc<Shared>) {
    let mut phase = shared.phase.clone();
    loop {
        match blocking(&shared.store, |s| s.prune_dedupe()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(forgotten = n, "pruned the messageId window"),
            Err(e) => tracing::warn!(error = %e, "pruning the messageId window failed"),
        }
        if pause(&mut phase, PRUNE_EVERY, Phase::Draining).await {
            return;
        }
    }
}

async fn deliver_outbox(shared: Arc<Shared>, sink: Arc<dyn Sink>, wake: Arc<Notify>) {
    let mut phase = shared.phase.clone();
    let mut failures = 0u32;
    while *phase.borrow() == Phase::Running {
        let n = shared.options.sink_batch;
        let entries = match blocking(&shared.store, move |s| s.peek_outbox(n)).await {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox failed; trying again");
                failures += 1;
                pause(
                    &mut phase,
                    backoff(&shared.options, failures),
                    Phase::Draining,
                )
                .await;
                continue;
            }
        };
        if entries.is_empty() {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = phase.wait_for(|p| *p != Phase::Running) => {}
            }
            continue;
        }
        let delivery = tokio::select! {
            d = sink.deliver(&entries) => d,
            _ = phase.wait_for(|p| *p == Phase::Abort) => return,
        };
        let delivered = delivery.delivered.clone();
        let count = delivered.len();
        if !delivered.is_empty() {
            if let Err(e) = blocking(&shared.store, move |s| s.ack_outbox(&delivered)).await {
                tracing::error!(error = %e, "acknowledging delivered events failed; they will be delivered again");
            } else {
                shared.metrics.delivered(count);
            }
        }
        for (seq, reason) in delivery.rejected {
            let why = reason.clone();
            match blocking(&shared.store, move |s| s.dead_letter_outbox(seq, &why)).await {
                Ok(()) => {
                    tracing::warn!(seq, %reason, sink = sink.name(), "the sink refused an event: dead-lettered");
                    shared.metrics.dead_lettered("outbox");
                }
                Err(e) => tracing::error!(seq, error = %e, "dead-lettering an event failed"),
            }
        }
        if let Some(retry) = delivery.retry {
            let wait = retry
                .after
                .unwrap_or_else(|| backoff(&shared.options, failures))
                .min(Duration::from_secs(300));
            failures = failures.saturating_add(1);
            tracing::warn!(
                sink = sink.name(),
                reason = %retry.reason,
                retry_in_ms = wait.as_millis() as u64,
                "delivery failed; the events stay in the outbox"
            );
            pause(&mut phase, wait, Phase::Draining).await;
        } else {
            failures = 0;
        }
    }
}
