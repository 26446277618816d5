//! The durable store behind `serve`: one embedded, crash-safe redb database holding the
//! ingestion queue (accepted, not yet applied), the source outbox (converted, not yet
//! delivered), the dead letters and the `messageId` dedupe window.
//!
//! Every write is one transaction committed with redb's default `Immediate` durability, so what
//! a call returned `Ok` for survives a crash (a `kill -9` included), and nothing is removed
//! before its caller says it was applied or delivered. The queue and the outbox are bounded: a
//! full store refuses new work instead of growing without limit.
//!
//! ```
//! use ac_segment::store::{Store, StoreLimits};
//!
//! let dir = std::env::temp_dir().join(format!("ac-segment-store-doc-{}", std::process::id()));
//! let store = Store::open(&dir, StoreLimits::default())?;
//! let report = store.enqueue(&[(Some("m1"), &br#"{"type":"track"}"#[..]), (Some("m1"), &b"{}"[..])])?;
//! assert_eq!((report.accepted, report.duplicates), (1, 1));
//! let batch = store.peek(10)?;
//! store.ack(&[batch[0].seq])?;
//! assert_eq!(store.depth()?.queue, 0);
//! # drop(store); std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), ac_segment::store::StoreError>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

const QUEUE: TableDefinition<u64, &[u8]> = TableDefinition::new("queue");
const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");
const DEAD: TableDefinition<u64, &[u8]> = TableDefinition::new("dead_letters");
const DEDUPE: TableDefinition<&str, u64> = TableDefinition::new("dedupe");
/// The same ids by the time they were seen, so forgetting old ones reads only those.
const DEDUPE_AGE: TableDefinition<(u64, &str), ()> = TableDefinition::new("dedupe_age");

/// Ids forgotten in one transaction at most, so pruning never holds the writer long.
const PRUNE_BATCH: usize = 10_000;
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The database file inside the data directory.
pub const FILE_NAME: &str = "ac-segment.redb";

/// Why the store could not do something.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, read or written (disk full, permissions, a
    /// corrupted file...). Nothing of the failed call was stored.
    #[error("the store at {path} failed: {source}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: Box<redb::Error>,
    },
    /// The queue (or outbox) holds its maximum: nothing of the call was stored.
    #[error("the {what} is full ({limit} entries): try again later")]
    Full {
        /// `queue` or `outbox`.
        what: &'static str,
        /// Its limit.
        limit: u64,
    },
    /// A stored entry could not be read back.
    #[error("a stored entry could not be decoded: {0}")]
    Decode(String),
}

/// Why a write transaction was not committed.
enum Abort {
    Db(redb::Error),
    Refuse(StoreError),
}

impl From<redb::Error> for Abort {
    fn from(e: redb::Error) -> Self {
        Abort::Db(e)
    }
}

impl From<redb::TableError> for Abort {
    fn from(e: redb::TableError) -> Self {
        Abort::Db(e.into())
    }
}

impl From<redb::StorageError> for Abort {
    fn from(e: redb::StorageError) -> Self {
        Abort::Db(e.into())
    }
}

/// Bounds of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// Queued messages at most.
    pub max_queue: u64,
    /// Outbox events at most.
    pub max_outbox: u64,
    /// How long a `messageId` is remembered.
    pub dedupe_window: Duration,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            max_queue: 1_000_000,
            max_outbox: 1_000_000,
            dedupe_window: Duration::from_secs(24 * 3600),
        }
    }
}

/// One queued or outbox entry: its sequence number and its bytes as accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the queue (increasing, never reused).
    pub seq: u64,
    /// The bytes exactly as accepted.
    pub bytes: Vec<u8>,
}

/// Where a dead letter came from, and where [`Store::retry_dead`] puts it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// An accepted Segment message that could not be applied to AC.
    #[default]
    Queue,
    /// A converted event that the sink refused.
    Outbox,
}

impl Origin {
    /// `queue` or `outbox`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Queue => "queue",
            Origin::Outbox => "outbox",
        }
    }
}

/// A dead letter: the entry as it was accepted, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// Its id (the sequence number it had).
    pub id: u64,
    /// The queue it failed in.
    #[serde(default)]
    pub from: Origin,
    /// Why it failed.
    pub reason: String,
    /// When it was dead-lettered (seconds since the epoch).
    pub at: u64,
    /// The bytes exactly as accepted.
    #[serde(with = "bytes_as_text")]
    pub bytes: Vec<u8>,
}

mod bytes_as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(b)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Vec::<u8>::deserialize(d)
    }
}

/// What [`Store::enqueue`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnqueueReport {
    /// The positions (in the call's slice) of the messages that were duplicates.
    pub duplicate_at: Vec<usize>,
    /// Stored.
    pub accepted: usize,
    /// Not stored: their `messageId` was seen within the dedupe window (acknowledged all the
    /// same, as Segment does).
    pub duplicates: usize,
}

/// How much is waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Depth {
    /// Messages accepted and not yet applied.
    pub queue: u64,
    /// Events converted and not yet delivered.
    pub outbox: u64,
    /// Dead letters.
    pub dead: u64,
}

/// The store. Cheap to share behind an `Arc`; redb serialises writers.
#[derive(Debug)]
pub struct Store {
    db: Database,
    path: PathBuf,
    limits: StoreLimits,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating when missing) the store in `dir`.
    pub fn open(dir: &Path, limits: StoreLimits) -> Result<Store, StoreError> {
        let path = dir.join(FILE_NAME);
        let db_err = |e: redb::Error| StoreError::Db {
            path: path.clone(),
            source: Box::new(e),
        };
        std::fs::create_dir_all(dir).map_err(|e| db_err(redb::Error::Io(e)))?;
        let db = Database::create(&path).map_err(|e| db_err(e.into()))?;
        let store = Store { db, path, limits };
        // Create every table once, so readers never meet a missing one.
        store.write(|txn| {
            txn.open_table(QUEUE)?;
            txn.open_table(OUTBOX)?;
            txn.open_table(DEAD)?;
            txn.open_table(DEDUPE)?;
            txn.open_table(DEDUPE_AGE)?;
            txn.open_table(META)?;
            Ok(())
        })?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn db_err(&self, e: impl Into<redb::Error>) -> StoreError {
        StoreError::Db {
            path: self.path.clone(),
            source: Box::new(e.into()),
        }
    }

    /// Runs `f` in one write transaction: committed when it returns `Ok`, aborted (nothing
    /// written) when it refuses or fails.
    fn write<T>(
        &self,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<T, Abort>,
    ) -> Result<T, StoreError> {
        let txn = self.db.begin_write().map_err(|e| self.db_err(e))?;
        match f(&txn) {
            Ok(out) => {
                txn.commit().map_err(|e| self.db_err(e))?;
                Ok(out)
            }
            Err(abort) => {
                let _ = txn.abort();
                Err(match abort {
                    Abort::Db(e) => self.db_err(e),
                    Abort::Refuse(e) => e,
                })
            }
        }
    }

    fn next_seq(txn: &redb::WriteTransaction, n: u64) -> Result<u64, Abort> {
        let mut meta = txn.open_table(META)?;
        let first = meta.get("next_seq")?.map(|v| v.value()).unwrap_or(1);
        meta.insert("next_seq", first + n)?;
        Ok(first)
    }

    /// Stores messages in one durable transaction, skipping those whose `messageId` was seen
    /// within the dedupe window (and the repeats within this call). All or nothing: a full
    /// queue stores none of them.
    pub fn enqueue(&self, messages: &[(Option<&str>, &[u8])]) -> Result<EnqueueReport, StoreError> {
        self.append(QUEUE, "queue", "", self.limits.max_queue, messages)
    }

    /// Adds converted events to the outbox in one durable transaction (all or nothing),
    /// skipping those whose `messageId` was seen within the dedupe window (AC delivers a
    /// webhook at least once). Outbox ids and queue ids are remembered apart.
    pub fn push_outbox(
        &self,
        events: &[(Option<&str>, &[u8])],
    ) -> Result<EnqueueReport, StoreError> {
        self.append(OUTBOX, "outbox", "outbox:", self.limits.max_outbox, events)
    }

    fn append(
        &self,
        def: TableDefinition<u64, &[u8]>,
        what: &'static str,
        namespace: &str,
        limit: u64,
        messages: &[(Option<&str>, &[u8])],
    ) -> Result<EnqueueReport, StoreError> {
        let now = now_secs();
        let window = self.limits.dedupe_window.as_secs();
        self.write(|txn| {
            let mut dedupe = txn.open_table(DEDUPE)?;
            let mut age = txn.open_table(DEDUPE_AGE)?;
            let mut fresh: Vec<&[u8]> = Vec::with_capacity(messages.len());
            let mut report = EnqueueReport::default();
            let mut key = String::new();
            for (i, (id, bytes)) in messages.iter().enumerate() {
                if let Some(id) = id.filter(|i| !i.is_empty()) {
                    key.clear();
                    key.push_str(namespace);
                    key.push_str(id);
                    let seen = dedupe.get(key.as_str())?.map(|v| v.value());
                    if seen.is_some_and(|at| now.saturating_sub(at) < window) {
                        report.duplicates += 1;
                        report.duplicate_at.push(i);
                        continue;
                    }
                    if let Some(old) = dedupe.insert(key.as_str(), now)?.map(|v| v.value()) {
                        age.remove((old, key.as_str()))?;
                    }
                    age.insert((now, key.as_str()), ())?;
                }
                fresh.push(bytes);
            }
            let mut table = txn.open_table(def)?;
            if table.len()? + fresh.len() as u64 > limit {
                return Err(Abort::Refuse(StoreError::Full { what, limit }));
            }
            let first = Self::next_seq(txn, fresh.len() as u64)?;
            for (i, bytes) in fresh.iter().enumerate() {
                table.insert(first + i as u64, *bytes)?;
            }
            report.accepted = fresh.len();
            Ok(report)
        })
    }

    /// The oldest queued messages, at most `limit`, without removing them.
    pub fn peek(&self, limit: usize) -> Result<Vec<Entry>, StoreError> {
        self.read_entries(QUEUE, limit)
    }

    /// The queued messages after `seq` (oldest first), at most `limit`: how a reader that
    /// keeps what it has read in memory reads on.
    pub fn peek_after(&self, seq: u64, limit: usize) -> Result<Vec<Entry>, StoreError> {
        self.read_range(QUEUE, seq.saturating_add(1), limit)
    }

    fn read_entries(
        &self,
        def: TableDefinition<u64, &[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        self.read_range(def, 0, limit)
    }

    fn read_range(
        &self,
        def: TableDefinition<u64, &[u8]>,
        from: u64,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.db_err(e))?;
        let table = txn.open_table(def).map_err(|e| self.db_err(e))?;
        let mut out = Vec::new();
        for row in table.range(from..).map_err(|e| self.db_err(e))?.take(limit) {
            let (k, v) = row.map_err(|e| self.db_err(e))?;
            out.push(Entry {
                seq: k.value(),
                bytes: v.value().to_vec(),
            });
        }
        Ok(out)
    }

    /// Removes applied messages from the queue.
    pub fn ack(&self, seqs: &[u64]) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut queue = txn.open_table(QUEUE)?;
            for s in seqs {
                queue.remove(s)?;
            }
            Ok(())
        })
    }

    /// Records how queued messages ended, in one transaction: `applied` leave the queue,
    /// `dead` move to the dead letters with their reason. Entries already gone are skipped.
    pub fn settle(&self, applied: &[u64], dead: &[(u64, String)]) -> Result<(), StoreError> {
        let at = now_secs();
        self.write(|txn| {
            let mut queue = txn.open_table(QUEUE)?;
            for s in applied {
                queue.remove(s)?;
            }
            let mut letters = txn.open_table(DEAD)?;
            for (seq, reason) in dead {
                let Some(bytes) = queue.remove(seq)?.map(|v| v.value().to_vec()) else {
                    continue;
                };
                let letter = DeadLetter {
                    id: *seq,
                    from: Origin::Queue,
                    reason: reason.clone(),
                    at,
                    bytes,
                };
                let encoded = serde_json::to_vec(&letter)
                    .map_err(|e| Abort::Refuse(StoreError::Decode(e.to_string())))?;
                letters.insert(*seq, encoded.as_slice())?;
            }
            Ok(())
        })
    }

    /// Moves a queued message to the dead letters, with the reason, in one transaction.
    pub fn dead_letter(&self, seq: u64, reason: &str) -> Result<(), StoreError> {
        self.move_to_dead(Origin::Queue, seq, reason)
    }

    /// Moves an outbox event the sink refused to the dead letters, in one transaction.
    pub fn dead_letter_outbox(&self, seq: u64, reason: &str) -> Result<(), StoreError> {
        self.move_to_dead(Origin::Outbox, seq, reason)
    }

    fn move_to_dead(&self, from: Origin, seq: u64, reason: &str) -> Result<(), StoreError> {
        let at = now_secs();
        let table = match from {
            Origin::Queue => QUEUE,
            Origin::Outbox => OUTBOX,
        };
        let moved = self.write(|txn| {
            let mut queue = txn.open_table(table)?;
            let Some(bytes) = queue.remove(seq)?.map(|v| v.value().to_vec()) else {
                return Ok(false);
            };
            let letter = DeadLetter {
                id: seq,
                from,
                reason: reason.to_owned(),
                at,
                bytes,
            };
            let encoded = serde_json::to_vec(&letter)
                .map_err(|e| Abort::Refuse(StoreError::Decode(e.to_string())))?;
            txn.open_table(DEAD)?.insert(seq, encoded.as_slice())?;
            Ok(true)
        })?;
        if moved {
            Ok(())
        } else {
            Err(StoreError::Decode(format!(
                "no {} entry {seq}",
                from.as_str()
            )))
        }
    }

    /// Every dead letter, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        self.read_entries(DEAD, usize::MAX)?
            .into_iter()
            .map(|e| {
                serde_json::from_slice(&e.bytes).map_err(|err| StoreError::Decode(err.to_string()))
            })
            .collect()
    }

    /// Puts dead letters back at the end of the queue or outbox they failed in (all of them
    /// when `ids` is empty), in one transaction; returns how many.
    pub fn retry_dead(&self, ids: &[u64]) -> Result<usize, StoreError> {
        let letters: Vec<DeadLetter> = self
            .dead_letters()?
            .into_iter()
            .filter(|d| ids.is_empty() || ids.contains(&d.id))
            .collect();
        let limits = self.limits;
        self.write(|txn| {
            let mut queue = txn.open_table(QUEUE)?;
            let mut outbox = txn.open_table(OUTBOX)?;
            let to_queue = letters.iter().filter(|d| d.from == Origin::Queue).count() as u64;
            let to_outbox = letters.len() as u64 - to_queue;
            if queue.len()? + to_queue > limits.max_queue {
                return Err(Abort::Refuse(StoreError::Full {
                    what: "queue",
                    limit: limits.max_queue,
                }));
            }
            if outbox.len()? + to_outbox > limits.max_outbox {
                return Err(Abort::Refuse(StoreError::Full {
                    what: "outbox",
                    limit: limits.max_outbox,
                }));
            }
            let first = Self::next_seq(txn, letters.len() as u64)?;
            let mut dead = txn.open_table(DEAD)?;
            for (i, d) in letters.iter().enumerate() {
                let seq = first + i as u64;
                match d.from {
                    Origin::Queue => queue.insert(seq, d.bytes.as_slice())?,
                    Origin::Outbox => outbox.insert(seq, d.bytes.as_slice())?,
                };
                dead.remove(d.id)?;
            }
            Ok(letters.len())
        })
    }

    /// Deletes dead letters (all of them when `ids` is empty); returns how many.
    pub fn purge_dead(&self, ids: &[u64]) -> Result<usize, StoreError> {
        let doomed: Vec<u64> = self
            .dead_letters()?
            .into_iter()
            .map(|d| d.id)
            .filter(|id| ids.is_empty() || ids.contains(id))
            .collect();
        self.write(|txn| {
            let mut dead = txn.open_table(DEAD)?;
            for id in &doomed {
                dead.remove(id)?;
            }
            Ok(doomed.len())
        })
    }

    /// The oldest outbox events, at most `limit`.
    pub fn peek_outbox(&self, limit: usize) -> Result<Vec<Entry>, StoreError> {
        self.read_entries(OUTBOX, limit)
    }

    /// Removes delivered events from the outbox.
    pub fn ack_outbox(&self, seqs: &[u64]) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut outbox = txn.open_table(OUTBOX)?;
            for s in seqs {
                outbox.remove(s)?;
            }
            Ok(())
        })
    }

    /// Forgets `messageId`s older than the dedupe window; returns how many. The work reads
    /// only the expired ids (by age), a bounded number per transaction.
    pub fn prune_dedupe(&self) -> Result<usize, StoreError> {
        let cutoff = now_secs().saturating_sub(self.limits.dedupe_window.as_secs());
        let mut total = 0;
        loop {
            let removed = self.write(|txn| {
                let mut age = txn.open_table(DEDUPE_AGE)?;
                let mut dedupe = txn.open_table(DEDUPE)?;
                let mut expired: Vec<(u64, String)> = Vec::new();
                for row in age.range((0u64, "")..(cutoff, ""))?.take(PRUNE_BATCH) {
                    let (k, _) = row?;
                    let (at, id) = k.value();
                    expired.push((at, id.to_owned()));
                }
                for (at, id) in &expired {
                    age.remove((*at, id.as_str()))?;
                    dedupe.remove(id.as_str())?;
                }
                Ok(expired.len())
            })?;
            total += removed;
            if removed < PRUNE_BATCH {
                return Ok(total);
            }
        }
    }

    /// How much is waiting.
    pub fn depth(&self) -> Result<Depth, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.db_err(e))?;
        let len = |def: TableDefinition<u64, &[u8]>| -> Result<u64, StoreError> {
            txn.open_table(def)
                .map_err(|e| self.db_err(e))?
                .len()
                .map_err(|e| self.db_err(e))
        };
        Ok(Depth {
            queue: len(QUEUE)?,
            outbox: len(OUTBOX)?,
            dead: len(DEAD)?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Dir(PathBuf);
    impl Dir {
        fn new(name: &str) -> Dir {
            let p = std::env::temp_dir()
                .join(format!("ac-segment-store-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn what_was_accepted_survives_a_reopen_in_order() {
        let dir = Dir::new("reopen");
        {
            let s = Store::open(&dir.0, StoreLimits::default()).unwrap();
            s.enqueue(&[(Some("a"), b"one"), (None, b"two")]).unwrap();
            s.enqueue(&[(Some("b"), b"three")]).unwrap();
            let first = s.peek(1).unwrap();
            s.ack(&[first[0].seq]).unwrap();
        }
        let s = Store::open(&dir.0, StoreLimits::default()).unwrap();
        let left: Vec<Vec<u8>> = s.peek(10).unwrap().into_iter().map(|e| e.bytes).collect();
        assert_eq!(left, vec![b"two".to_vec(), b"three".to_vec()]);
        // Sequence numbers keep growing after a reopen.
        s.enqueue(&[(None, b"four")]).unwrap();
        let seqs: Vec<u64> = s.peek(10).unwrap().iter().map(|e| e.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        // The dedupe window survives too.
        let r = s.enqueue(&[(Some("a"), b"again")]).unwrap();
        assert_eq!((r.accepted, r.duplicates), (0, 1));
    }

    #[test]
    fn a_full_queue_stores_nothing_of_the_call() {
        let dir = Dir::new("full");
        let limits = StoreLimits {
            max_queue: 2,
            ..StoreLimits::default()
        };
        let s = Store::open(&dir.0, limits).unwrap();
        s.enqueue(&[(Some("x"), b"1")]).unwrap();
        let e = s
            .enqueue(&[(Some("y"), b"2"), (Some("z"), b"3")])
            .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::Full {
                    what: "queue",
                    limit: 2
                }
            ),
            "{e}"
        );
        assert_eq!(s.depth().unwrap().queue, 1);
        assert!(e.to_string().contains("full"));
        drop(s);
        // The refused call left no trace: not even its messageIds.
        let s = Store::open(
            &dir.0,
            StoreLimits {
                max_queue: 10,
                ..limits
            },
        )
        .unwrap();
        let r = s.enqueue(&[(Some("y"), b"2")]).unwrap();
        assert_eq!((r.accepted, r.duplicates), (1, 0));
    }

    #[test]
    fn dead_letters_keep_the_bytes_and_can_be_retried_or_purged() {
        let dir = Dir::new("dead");
        let s = Store::open(&dir.0, StoreLimits::default()).unwrap();
        s.enqueue(&[(None, b"{\"type\":\"track\"}"), (None, b"not json")])
            .unwrap();
        let q = s.peek(10).unwrap();
        s.dead_letter(q[0].seq, "no email").unwrap();
        s.dead_letter(q[1].seq, "malformed").unwrap();
        assert!(s.dead_letter(q[1].seq, "again").is_err());
        let dead = s.dead_letters().unwrap();
        assert_eq!(dead.len(), 2);
        assert_eq!(dead[1].bytes, b"not json");
        assert_eq!(dead[0].reason, "no email");
        assert_eq!(
            s.depth().unwrap(),
            Depth {
                queue: 0,
                outbox: 0,
                dead: 2
            }
        );
        assert_eq!(s.retry_dead(&[dead[0].id]).unwrap(), 1);
        assert_eq!(s.peek(10).unwrap()[0].bytes, b"{\"type\":\"track\"}");
        assert_eq!(s.purge_dead(&[]).unwrap(), 1);
        assert_eq!(
            s.depth().unwrap(),
            Depth {
                queue: 1,
                outbox: 0,
                dead: 0
            }
        );
    }

    #[test]
    fn an_outbox_dead_letter_goes_back_to_the_outbox() {
        let dir = Dir::new("outbox-dead");
        let s = Store::open(&dir.0, StoreLimits::default()).unwrap();
        s.push_outbox(&[(Some("w1"), b"big"), (Some("w2"), b"ok")])
            .unwrap();
        // A webhook AC delivers twice is one event; the same id in the queue is another thing.
        assert_eq!(
            s.push_outbox(&[(Some("w1"), b"big")]).unwrap().duplicates,
            1
        );
        assert_eq!(s.enqueue(&[(Some("w1"), b"m1")]).unwrap().accepted, 1);
        let o = s.peek_outbox(1).unwrap();
        s.dead_letter_outbox(o[0].seq, "over 32 KB").unwrap();
        let dead = s.dead_letters().unwrap();
        assert_eq!(
            (dead[0].from, dead[0].bytes.as_slice()),
            (Origin::Outbox, &b"big"[..])
        );
        assert_eq!(s.retry_dead(&[]).unwrap(), 1);
        let back: Vec<Vec<u8>> = s
            .peek_outbox(10)
            .unwrap()
            .into_iter()
            .map(|e| e.bytes)
            .collect();
        assert_eq!(back, vec![b"ok".to_vec(), b"big".to_vec()]);
        assert_eq!(
            s.depth().unwrap().queue,
            1,
            "the retried outbox letter did not go to the queue"
        );
        // Reading on after a position.
        let first = s.peek(1).unwrap()[0].seq;
        assert!(s.peek_after(first, 10).unwrap().is_empty());
        assert_eq!(s.peek_after(first - 1, 10).unwrap().len(), 1);
    }

    #[test]
    fn settling_acknowledges_and_dead_letters_in_one_go() {
        let dir = Dir::new("settle");
        let s = Store::open(&dir.0, StoreLimits::default()).unwrap();
        s.enqueue(&[(None, b"a"), (None, b"b"), (None, b"c")])
            .unwrap();
        let q: Vec<u64> = s.peek(10).unwrap().iter().map(|e| e.seq).collect();
        s.settle(&[q[0], q[2]], &[(q[1], "no email".to_owned())])
            .unwrap();
        assert_eq!(
            s.depth().unwrap(),
            Depth {
                queue: 0,
                outbox: 0,
                dead: 1
            }
        );
        assert_eq!(s.dead_letters().unwrap()[0].bytes, b"b");
        // Settling again what is gone changes nothing.
        s.settle(&[q[0]], &[(q[1], "again".to_owned())]).unwrap();
        assert_eq!(s.dead_letters().unwrap()[0].reason, "no email");
    }

    #[test]
    fn the_outbox_is_its_own_queue() {
        let dir = Dir::new("outbox");
        let s = Store::open(&dir.0, StoreLimits::default()).unwrap();
        s.push_outbox(&[(None, b"e1"), (None, b"e2")]).unwrap();
        let o = s.peek_outbox(1).unwrap();
        assert_eq!(o[0].bytes, b"e1");
        s.ack_outbox(&[o[0].seq]).unwrap();
        assert_eq!(s.depth().unwrap().outbox, 1);
        assert_eq!(s.depth().unwrap().queue, 0);
    }

    #[test]
    fn old_message_ids_are_forgotten() {
        let dir = Dir::new("window");
        let s = Store::open(
            &dir.0,
            StoreLimits {
                dedupe_window: Duration::ZERO,
                ..StoreLimits::default()
            },
        )
        .unwrap();
        s.enqueue(&[(Some("m"), b"1")]).unwrap();
        // With a zero window the id is never a duplicate.
        assert_eq!(s.enqueue(&[(Some("m"), b"2")]).unwrap().accepted, 1);
        // Seen at most a second ago: pruned once that second is over.
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(
            s.prune_dedupe().unwrap(),
            1,
            "one id, seen twice, is one entry"
        );
        assert_eq!(s.prune_dedupe().unwrap(), 0);
        // A window that has not passed keeps the id.
        drop(s);
        let s = Store::open(&dir.0, StoreLimits::default()).unwrap();
        s.enqueue(&[(Some("kept"), b"3")]).unwrap();
        assert_eq!(s.prune_dedupe().unwrap(), 0);
        assert_eq!(s.enqueue(&[(Some("kept"), b"4")]).unwrap().duplicates, 1);
    }
}
