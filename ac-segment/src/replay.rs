//! Replaying records through an [`Executor`]: up to `concurrency` messages at once, the
//! messages of one email strictly in input order, and (with `bulk`) identifies that bulk
//! import can express coalesced into batches that the same ordering respects.
//!
//! Ordering works by chaining: every job waits for the previous job that touches the same
//! email, and takes one of the `concurrency` slots only once that one has ended (a waiting job
//! never holds a slot). A bulk batch is one job over all of its emails, so a later track for an
//! email in a pending batch waits until AC says the batch is completed, and then goes the
//! normal way; the batch keeps filling meanwhile. A second bulk identify for an email goes to a
//! later batch, which waits for the first. A batch that ends up with one contact goes the
//! per-call way (AC allows only 20 single-contact imports a minute). Each email's records are
//! reported in input order.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::Arc;

use ac_client::bulk_import::BulkContact;
use ac_client::ListId;
use futures_util::future::{join_all, FutureExt, Shared};
use tokio::sync::{mpsc, oneshot, Semaphore};

use crate::execute::{Executor, Prepared};
use crate::input::Record;
use crate::outcome::{Failure, FailureKind, Outcome};
use crate::plan::{values, Action, ListState, Plan};
use crate::settings::Flavor;
use crate::spec::{get_loose, Message, MessageType};

/// How to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayOptions {
    /// Messages applied at once (at least 1). One email's messages never overlap.
    pub concurrency: usize,
    /// Coalesce bulk-expressible identifies into bulk imports.
    pub bulk: bool,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            concurrency: 4,
            bulk: false,
        }
    }
}

/// One finished record.
#[derive(Debug)]
pub struct Done {
    /// The record, as read.
    pub record: Record,
    /// How it ended.
    pub outcome: Outcome,
}

type Signal = Shared<oneshot::Receiver<()>>;

/// The key that orders a message: its contact's email (lowercase), if it names one. For a
/// group the person is in `context.traits` (its own traits describe the company).
pub fn ordering_key(m: &Message, flavor: Flavor) -> Option<String> {
    let email = if m.kind == MessageType::Group {
        m.context_traits()
            .and_then(|t| get_loose(t, "email"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                values::email(
                    &Message {
                        traits: Default::default(),
                        ..m.clone()
                    },
                    flavor,
                )
            })
    } else {
        values::email(m, flavor)
    };
    email.map(|e| e.trim().to_lowercase())
}

/// Batches open at once: a bulk identify for an email already in every open batch starts a new
/// one, and beyond this many the oldest is sent first.
const MAX_OPEN_BATCHES: usize = 4;

/// Batches sent and not yet reported: bounds how far the reader runs ahead of AC's pace.
const BATCHES_IN_FLIGHT: usize = 4;

/// How many single jobs may be spawned and not yet ended (most of them waiting for an earlier
/// job of their email): this many, or `concurrency × 4` when that is more.
const MIN_QUEUED: usize = 1024;

/// What a single job does.
enum Job {
    /// Apply the message.
    Apply(Box<Message>),
    /// Report an outcome already known (a skip or a mapping failure found while planning).
    Ended(Outcome),
}

/// A bulk identify waiting in a batch.
struct Item {
    record: Record,
    message: Message,
    contact: BulkContact,
    notes: Vec<String>,
}

/// A batch being filled.
struct OpenBatch {
    /// Later batches have larger generations; an email's batches are in generation order.
    generation: u64,
    items: Vec<Item>,
    deps: Vec<Signal>,
    done: oneshot::Sender<()>,
    signal: Signal,
}

impl OpenBatch {
    fn new(generation: u64) -> Self {
        let (done, rx) = oneshot::channel();
        OpenBatch {
            generation,
            items: Vec::new(),
            deps: Vec::new(),
            done,
            signal: rx.shared(),
        }
    }
}

struct Scheduler {
    executor: Executor,
    options: ReplayOptions,
    /// Jobs running (a job takes one once what it waits for has ended).
    permits: Arc<Semaphore>,
    /// Single jobs spawned and not ended: bounds the work read ahead.
    queued: Arc<Semaphore>,
    /// Batches sent and not ended: likewise.
    batch_slots: Arc<Semaphore>,
    chains: HashMap<String, Signal>,
    /// The chain map is pruned when it grows past this (doubling, so pruning stays linear).
    prune_at: usize,
    /// For each email: the generation of the newest batch its last job is in or waits for.
    /// Its next bulk identify goes to a later batch.
    generations: HashMap<String, u64>,
    /// Oldest first.
    open: Vec<OpenBatch>,
    next_generation: u64,
    /// Lists each email left during this run: subscribing again must go the per-call way
    /// (bulk import keeps an unsubscribed contact unsubscribed).
    left: HashMap<String, HashSet<ListId>>,
    out: mpsc::Sender<Done>,
}

/// Replays `records` (read on a thread of their own) and sends each finished record to the
/// returned channel, in completion order (each email's records in input order). The channel
/// closes when every record is done.
pub fn spawn<I>(executor: Executor, records: I, options: ReplayOptions) -> mpsc::Receiver<Done>
where
    I: Iterator<Item = io::Result<Record>> + Send + 'static,
{
    let (out, rx) = mpsc::channel(1024);
    let (rec_tx, mut rec_rx) = mpsc::channel::<io::Result<Record>>(1024);
    std::thread::spawn(move || {
        for r in records {
            if rec_tx.blocking_send(r).is_err() {
                break;
            }
        }
    });
    let concurrency = options.concurrency.max(1);
    let mut s = Scheduler {
        executor,
        options,
        permits: Arc::new(Semaphore::new(concurrency)),
        queued: Arc::new(Semaphore::new(
            MIN_QUEUED.max(concurrency.saturating_mul(4)),
        )),
        batch_slots: Arc::new(Semaphore::new(BATCHES_IN_FLIGHT)),
        chains: HashMap::new(),
        prune_at: 4096,
        generations: HashMap::new(),
        open: Vec::new(),
        next_generation: 0,
        left: HashMap::new(),
        out,
    };
    tokio::spawn(async move {
        while let Some(r) = rec_rx.recv().await {
            match r {
                Ok(record) => s.schedule(record).await,
                Err(e) => {
                    tracing::error!(error = %e, "reading the input failed; stopping");
                    let record = Record {
                        line: 0,
                        item: None,
                        raw: Vec::new(),
                        message: Err(crate::spec::SpecError::Json(e.to_string())),
                    };
                    let f = Failure::new(FailureKind::Malformed, format!("reading the input: {e}"));
                    let _ = s
                        .out
                        .send(Done {
                            record,
                            outcome: Outcome::failed(f, Vec::new()),
                        })
                        .await;
                    break;
                }
            }
        }
        s.flush_all().await;
    });
    rx
}

impl Scheduler {
    async fn schedule(&mut self, record: Record) {
        let message = match &record.message {
            Ok(m) => m.clone(),
            Err(e) => {
                let f = Failure::new(
                    FailureKind::Malformed,
                    format!("{}: {e}", record.location()),
                );
                let _ = self
                    .out
                    .send(Done {
                        record,
                        outcome: Outcome::failed(f, Vec::new()),
                    })
                    .await;
                return;
            }
        };
        let flavor = self.executor.settings().flavor;
        let key = ordering_key(&message, flavor);
        if self.options.bulk && message.kind == MessageType::Identify {
            match self.executor.prepare(&message).await {
                Prepared::Done(outcome) if !outcome.is_retryable() => {
                    // Reported in its email's turn, like any other record.
                    self.single(key, record, Job::Ended(outcome)).await;
                    return;
                }
                Prepared::Run(plan) => {
                    if let (Some(key), Some(contact)) = (&key, self.bulk_candidate(&plan)) {
                        self.track_lists(key, &plan);
                        let item = Item {
                            record,
                            message,
                            contact,
                            notes: plan.notes,
                        };
                        self.add_to_batch(key.clone(), item).await;
                        return;
                    }
                    if let Some(key) = &key {
                        self.track_lists(key, &plan);
                    }
                }
                Prepared::Done(_) => {}
            }
        }
        self.single(key, record, Job::Apply(Box::new(message)))
            .await;
    }

    fn bulk_candidate(&self, plan: &Plan) -> Option<BulkContact> {
        let key = plan.email.as_deref().map(str::to_lowercase)?;
        let left = self.left.get(&key);
        let resubscribes = plan.actions.iter().any(|a| {
            matches!(a, Action::SetListStatus { list, status: ListState::Subscribed }
                if left.is_some_and(|l| l.contains(list)))
        });
        if resubscribes {
            return None;
        }
        self.executor.bulk_contact(plan)
    }

    fn track_lists(&mut self, key: &str, plan: &Plan) {
        for a in &plan.actions {
            if let Action::SetListStatus { list, status } = a {
                let left = self.left.entry(key.to_owned()).or_default();
                match status {
                    ListState::Unsubscribed => left.insert(*list),
                    ListState::Subscribed => left.remove(list),
                };
            }
        }
    }

    /// Chains a job on `key`: returns what it must wait for and the sender it completes.
    fn chain(&mut self, key: &str) -> (Option<Signal>, oneshot::Sender<()>) {
        let (tx, rx) = oneshot::channel();
        let prev = self.chains.insert(key.to_owned(), rx.shared());
        self.prune();
        (prev, tx)
    }

    /// Keeps the chain map bounded: finished entries are dropped (an email whose jobs have
    /// all ended may join any batch).
    fn prune(&mut self) {
        if self.chains.len() > self.prune_at {
            self.chains
                .retain(|_, s| s.clone().now_or_never().is_none());
            let chains = &self.chains;
            self.generations.retain(|k, _| chains.contains_key(k));
            self.prune_at = (self.chains.len() * 2).max(4096);
        }
    }

    /// Spawns one record's job, chained on its email.
    async fn single(&mut self, key: Option<String>, record: Record, job: Job) {
        let queued = match self.queued.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                // The jobs queued may be waiting for open batches: send those, so they end.
                self.flush_all().await;
                match self.queued.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => return,
                }
            }
        };
        let (prev, done) = match &key {
            Some(k) => {
                let (p, d) = self.chain(k);
                (p, Some(d))
            }
            None => (None, None),
        };
        let executor = self.executor.clone();
        let out = self.out.clone();
        let permits = self.permits.clone();
        tokio::spawn(async move {
            if let Some(p) = prev {
                let _ = p.await;
            }
            let outcome = match job {
                Job::Apply(message) => {
                    let _permit = permits.acquire_owned().await.ok();
                    executor.apply(&message).await
                }
                Job::Ended(outcome) => outcome,
            };
            // Reported before the email's next job may start, so its records end in order.
            let _ = out.send(Done { record, outcome }).await;
            if let Some(d) = done {
                let _ = d.send(());
            }
            drop(queued);
        });
    }

    /// Puts a bulk identify in the first open batch after every batch its email's earlier
    /// jobs are in or wait for, opening a batch when there is none.
    async fn add_to_batch(&mut self, key: String, item: Item) {
        let after = self.generations.get(&key).copied();
        let found = self
            .open
            .iter()
            .position(|b| after.is_none_or(|g| b.generation > g));
        let idx = match found {
            Some(i) => i,
            None => {
                if self.open.len() >= MAX_OPEN_BATCHES {
                    self.flush_through(0).await;
                }
                self.open.push(OpenBatch::new(self.next_generation));
                self.next_generation += 1;
                self.open.len() - 1
            }
        };
        let size = self.executor.bulk_batch_size();
        let batch = &mut self.open[idx];
        if let Some(prev) = self.chains.insert(key.clone(), batch.signal.clone()) {
            batch.deps.push(prev);
        }
        self.generations.insert(key, batch.generation);
        batch.items.push(item);
        if batch.items.len() >= size {
            self.flush_through(idx).await;
        }
        self.prune();
    }

    /// Sends every open batch, oldest first.
    async fn flush_all(&mut self) {
        if !self.open.is_empty() {
            self.flush_through(self.open.len() - 1).await;
        }
    }

    /// Sends the open batches up to `idx`, oldest first. Sending in age order is what keeps
    /// the bounded batch slots from deadlocking: a sent batch only ever waits for jobs that do
    /// not wait for a batch still open.
    async fn flush_through(&mut self, idx: usize) {
        for _ in 0..=idx.min(self.open.len().saturating_sub(1)) {
            if self.open.is_empty() {
                break;
            }
            self.flush_at(0).await;
        }
    }

    /// Sends the open batch at `idx` as one job: once its emails' earlier jobs have ended, it
    /// is imported (or, with one contact, applied per call), its records are reported, and
    /// then the emails' later jobs may start.
    async fn flush_at(&mut self, idx: usize) {
        if idx >= self.open.len() {
            return;
        }
        let Ok(slot) = self.batch_slots.clone().acquire_owned().await else {
            return;
        };
        let batch = self.open.remove(idx);
        let executor = self.executor.clone();
        let out = self.out.clone();
        let permits = self.permits.clone();
        tokio::spawn(async move {
            join_all(batch.deps).await;
            let permit = permits.acquire_owned().await.ok();
            let ends = run_batch(&executor, batch.items).await;
            drop(permit);
            for done in ends {
                let _ = out.send(done).await;
            }
            let _ = batch.done.send(());
            drop(slot);
        });
    }
}

/// Imports a batch; a batch of one contact is applied per call instead (AC allows 20
/// single-contact imports a minute, and the per-call way is no slower for one contact).
async fn run_batch(executor: &Executor, mut items: Vec<Item>) -> Vec<Done> {
    if items.len() == 1 {
        if let Some(item) = items.pop() {
            let outcome = executor.apply(&item.message).await;
            return vec![Done {
                record: item.record,
                outcome,
            }];
        }
    }
    let mut contacts = Vec::with_capacity(items.len());
    let mut rest = Vec::with_capacity(items.len());
    for item in items {
        contacts.push(item.contact);
        rest.push((item.record, item.notes));
    }
    let outcomes = executor.import_bulk(contacts).await;
    rest.into_iter()
        .zip(outcomes)
        .map(|((record, notes), mut outcome)| {
            if outcome.reason.is_none() && !notes.is_empty() {
                outcome.reason = Some(notes.join("; "));
            }
            Done { record, outcome }
        })
        .collect()
}
