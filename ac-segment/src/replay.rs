//! Replaying records through an [`Executor`]: up to `concurrency` messages at once, the
//! messages of one email strictly in input order, and (with `bulk`) identifies that bulk
//! import can express coalesced into batches that the same ordering respects.
//!
//! Ordering works by chaining: every job waits for the previous job that touches the same
//! email. A bulk batch is one job over all of its emails, so a later track for an email in a
//! pending batch waits until AC says the batch is completed, and then goes the normal way.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::Arc;

use ac_client::bulk_import::BulkContact;
use ac_client::ListId;
use futures_util::future::{join_all, FutureExt, Shared};
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

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
            .or_else(|| values::email(&Message { traits: Default::default(), ..m.clone() }, flavor))
    } else {
        values::email(m, flavor)
    };
    email.map(|e| e.trim().to_lowercase())
}

/// A batch being filled.
struct OpenBatch {
    items: Vec<(Record, BulkContact, Vec<String>)>,
    keys: HashSet<String>,
    deps: Vec<Signal>,
    done: oneshot::Sender<()>,
    signal: Signal,
}

impl OpenBatch {
    fn new() -> Self {
        let (done, rx) = oneshot::channel();
        OpenBatch {
            items: Vec::new(),
            keys: HashSet::new(),
            deps: Vec::new(),
            done,
            signal: rx.shared(),
        }
    }
}

struct Scheduler {
    executor: Executor,
    options: ReplayOptions,
    permits: Arc<Semaphore>,
    chains: HashMap<String, Signal>,
    open: Option<OpenBatch>,
    /// Lists each email left during this run: subscribing again must go the per-call way
    /// (bulk import keeps an unsubscribed contact unsubscribed).
    left: HashMap<String, HashSet<ListId>>,
    out: mpsc::Sender<Done>,
}

/// Replays `records` (read on a thread of their own) and sends each finished record to the
/// returned channel, in completion order. The channel closes when every record is done.
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
        chains: HashMap::new(),
        open: None,
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
                    let _ = s.out.send(Done { record, outcome: Outcome::failed(f, Vec::new()) }).await;
                    break;
                }
            }
        }
        s.flush().await;
    });
    rx
}

impl Scheduler {
    async fn schedule(&mut self, record: Record) {
        let message = match &record.message {
            Ok(m) => m.clone(),
            Err(e) => {
                let f = Failure::new(FailureKind::Malformed, format!("{}: {e}", record.location()));
                let _ = self.out.send(Done { record, outcome: Outcome::failed(f, Vec::new()) }).await;
                return;
            }
        };
        let flavor = self.executor.settings().flavor;
        let key = ordering_key(&message, flavor);
        if self.options.bulk && message.kind == MessageType::Identify {
            match self.executor.prepare(&message).await {
                Prepared::Done(outcome) if !outcome.is_retryable() => {
                    let _ = self.out.send(Done { record, outcome }).await;
                    return;
                }
                Prepared::Run(plan) => {
                    if let (Some(key), Some(contact)) = (&key, self.bulk_candidate(&plan)) {
                        self.track_lists(key, &plan);
                        self.add_to_batch(key.clone(), record, contact, plan.notes).await;
                        return;
                    }
                    if let Some(key) = &key {
                        self.track_lists(key, &plan);
                    }
                }
                Prepared::Done(_) => {}
            }
        }
        self.single(key, record, message).await;
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

    async fn permit(&self) -> Option<OwnedSemaphorePermit> {
        self.permits.clone().acquire_owned().await.ok()
    }

    /// Chains a job on `key`: returns what it must wait for and the sender it completes.
    fn chain(&mut self, key: &str) -> (Option<Signal>, oneshot::Sender<()>) {
        let (tx, rx) = oneshot::channel();
        let prev = self.chains.insert(key.to_owned(), rx.shared());
        self.prune();
        (prev, tx)
    }

    /// Keeps the chain map bounded: finished entries are dropped.
    fn prune(&mut self) {
        if self.chains.len() > 4096 {
            self.chains.retain(|_, s| s.clone().now_or_never().is_none());
        }
    }

    async fn single(&mut self, key: Option<String>, record: Record, message: Message) {
        if let Some(k) = &key {
            if self.open.as_ref().is_some_and(|b| b.keys.contains(k)) {
                self.flush().await;
            }
        }
        let Some(permit) = self.permit().await else {
            return;
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
        tokio::spawn(async move {
            if let Some(p) = prev {
                let _ = p.await;
            }
            let outcome = executor.apply(&message).await;
            if let Some(d) = done {
                let _ = d.send(());
            }
            let _ = out.send(Done { record, outcome }).await;
            drop(permit);
        });
    }

    async fn add_to_batch(&mut self, key: String, record: Record, contact: BulkContact, notes: Vec<String>) {
        if self.open.as_ref().is_some_and(|b| b.keys.contains(&key)) {
            self.flush().await;
        }
        let batch = self.open.get_or_insert_with(OpenBatch::new);
        if let Some(prev) = self.chains.insert(key.clone(), batch.signal.clone()) {
            batch.deps.push(prev);
        }
        batch.keys.insert(key);
        batch.items.push((record, contact, notes));
        if batch.items.len() >= self.executor.bulk_batch_size() {
            self.flush().await;
        }
        self.prune();
    }

    /// Sends the open batch (if any) as one job.
    async fn flush(&mut self) {
        let Some(batch) = self.open.take() else {
            return;
        };
        let Some(permit) = self.permit().await else {
            return;
        };
        let executor = self.executor.clone();
        let out = self.out.clone();
        tokio::spawn(async move {
            join_all(batch.deps).await;
            let (records, rest): (Vec<_>, Vec<_>) =
                batch.items.into_iter().map(|(r, c, n)| (r, (c, n))).unzip();
            let (contacts, notes): (Vec<_>, Vec<_>) = rest.into_iter().unzip();
            let outcomes = executor.import_bulk(contacts).await;
            let _ = batch.done.send(());
            for ((record, mut outcome), notes) in records.into_iter().zip(outcomes).zip(notes) {
                if outcome.reason.is_none() && !notes.is_empty() {
                    outcome.reason = Some(notes.join("; "));
                }
                let _ = out.send(Done { record, outcome }).await;
            }
            drop(permit);
        });
    }
}
