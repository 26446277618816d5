//! The request journal: a ring buffer bounded in entries and in bytes, newest first on read.
//!
//! Each entry keeps at most [`TEXT_CAP`] bytes of its method, path and query; a longer one is
//! cut, with a marker that gives its full length (`...[truncated from 16390 bytes]`). The
//! entries held, with their text, may take at most [`MAX_BYTES`] in all: the oldest fall off
//! first. So 20,000 requests with 16 KB URIs hold about 45 MB, not 350 MB.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One request the mock answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Status the mock answered with; 0 when a fault rule dropped the connection.
    pub status: u16,
    /// The mock's id of the account the `Api-Token` selected, if any.
    pub account: Option<u64>,
    /// When the answer was sent.
    pub at: DateTime<Utc>,
}

/// The most bytes of a method, path or query an entry keeps.
pub const TEXT_CAP: usize = 2048;

/// The most bytes the journal's entries may hold in all (default for [`Journal::new`]).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What replaces the rest of a cut text, before its full length in bytes.
pub const TRUNCATED_MARKER: &str = "...[truncated from ";

/// `text` cut to at most `cap` bytes (on a character boundary) followed by
/// `...[truncated from N bytes]`; unchanged when it fits.
pub fn truncated(text: String, cap: usize) -> String {
    if text.len() <= cap {
        return text;
    }
    let mut cut = cap;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    // Built at its exact size: the journal counts what its strings hold.
    let tail = format!("{TRUNCATED_MARKER}{} bytes]", text.len());
    let mut out = String::with_capacity(cut + tail.len());
    out.push_str(&text[..cut]);
    out.push_str(&tail);
    out
}

impl JournalEntry {
    /// The entry with its texts cut to [`TEXT_CAP`].
    fn capped(mut self) -> Self {
        self.method = truncated(std::mem::take(&mut self.method), TEXT_CAP);
        self.path = truncated(std::mem::take(&mut self.path), TEXT_CAP);
        self.query = self.query.map(|q| truncated(q, TEXT_CAP));
        self
    }

    /// The bytes it holds: itself plus its strings' buffers.
    fn cost(&self) -> usize {
        std::mem::size_of::<JournalEntry>()
            + self.method.capacity()
            + self.path.capacity()
            + self.query.as_ref().map_or(0, String::capacity)
    }
}

/// Which entries `GET /__admin/requests` returns; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalFilter {
    /// Exact HTTP method, compared case-insensitively.
    pub method: Option<String>,
    /// The path must start with this.
    pub path_prefix: Option<String>,
}

impl JournalFilter {
    /// Whether the entry passes the filter.
    pub fn matches(&self, e: &JournalEntry) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| e.path.starts_with(p))
    }
}

/// Keeps at most `capacity` entries holding at most `max_bytes`; the oldest fall off.
#[derive(Debug, Clone)]
pub struct Journal {
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    entries: VecDeque<JournalEntry>,
}

impl Journal {
    /// An empty journal keeping at most `capacity` entries (0 keeps none) and [`MAX_BYTES`].
    pub fn new(capacity: usize) -> Self {
        Self::with_byte_limit(capacity, MAX_BYTES)
    }

    /// An empty journal keeping at most `capacity` entries holding at most `max_bytes`.
    pub fn with_byte_limit(capacity: usize, max_bytes: usize) -> Self {
        Self {
            capacity,
            max_bytes,
            bytes: 0,
            entries: VecDeque::with_capacity(capacity.min(4096)),
        }
    }

    /// The most entries it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most bytes its entries may hold.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The bytes its entries hold now (each entry's size plus its strings), at most
    /// [`Journal::max_bytes`].
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Appends an entry (its texts cut to [`TEXT_CAP`]), dropping the oldest while it would
    /// pass either bound.
    pub fn push(&mut self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let entry = entry.capped();
        let cost = entry.cost();
        if cost > self.max_bytes {
            return;
        }
        while self.entries.len() >= self.capacity || self.bytes + cost > self.max_bytes {
            match self.entries.pop_front() {
                Some(old) => self.bytes -= old.cost(),
                None => break,
            }
        }
        self.bytes += cost;
        self.entries.push_back(entry);
    }

    /// Up to `limit` entries, newest first.
    pub fn newest(&self, limit: usize) -> Vec<JournalEntry> {
        self.entries.iter().rev().take(limit).cloned().collect()
    }

    /// Up to `limit` entries matching `filter`, newest first.
    pub fn newest_matching(&self, limit: usize, filter: &JournalFilter) -> Vec<JournalEntry> {
        self.entries
            .iter()
            .rev()
            .filter(|e| filter.matches(e))
            .take(limit)
            .cloned()
            .collect()
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u16) -> JournalEntry {
        JournalEntry {
            method: "GET".into(),
            path: "/".into(),
            query: None,
            status: n,
            account: None,
            at: Utc::now(),
        }
    }

    #[test]
    fn keeps_only_the_newest_capacity_entries() {
        let mut j = Journal::new(3);
        for n in 0..10 {
            j.push(entry(n));
        }
        let statuses: Vec<u16> = j.newest(10).iter().map(|e| e.status).collect();
        assert_eq!(statuses, vec![9, 8, 7]);
    }

    #[test]
    fn filter_matches_method_case_insensitively_and_path_prefix() {
        let mut j = Journal::new(10);
        j.push(entry(1));
        let mut post = entry(2);
        post.method = "POST".into();
        post.path = "/api/3/tags".into();
        j.push(post);
        let f = JournalFilter {
            method: Some("post".into()),
            path_prefix: Some("/api/3/t".into()),
        };
        let hits: Vec<u16> = j.newest_matching(10, &f).iter().map(|e| e.status).collect();
        assert_eq!(hits, vec![2]);
    }

    #[test]
    fn long_texts_are_cut_with_their_length_and_multibyte_characters_stay_whole() {
        let mut j = Journal::new(10);
        let mut e = entry(1);
        e.path = format!("/{}", "a".repeat(16 * 1024));
        e.query = Some("é".repeat(2000));
        j.push(e);
        let kept = &j.newest(1)[0];
        assert!(kept.path.starts_with("/aaa"));
        assert!(
            kept.path.ends_with("...[truncated from 16385 bytes]"),
            "{}",
            &kept.path[2040..]
        );
        assert_eq!(
            kept.path.len(),
            TEXT_CAP + "...[truncated from 16385 bytes]".len()
        );
        let q = kept.query.as_deref().unwrap_or_default();
        // Counted at the cut strings' real size.
        assert_eq!(
            j.bytes(),
            std::mem::size_of::<JournalEntry>() + 3 + kept.path.len() + q.len()
        );
        assert!(q.ends_with("...[truncated from 4000 bytes]"));
        assert_eq!(q.find("...").unwrap_or(0), TEXT_CAP); // 2048 is a boundary of 'é' (2 bytes)
        assert_eq!(truncated("short".into(), 8), "short");
        assert_eq!(truncated("ééé".into(), 3), "é...[truncated from 6 bytes]");
    }

    #[test]
    fn the_byte_bound_drops_the_oldest_and_the_count_follows_pushes_and_clear() {
        let one = entry(0).cost();
        let mut j = Journal::with_byte_limit(100, one * 3);
        for n in 0..10 {
            j.push(entry(n));
            assert!(j.bytes() <= j.max_bytes());
        }
        let statuses: Vec<u16> = j.newest(10).iter().map(|e| e.status).collect();
        assert_eq!(statuses, vec![9, 8, 7]);
        assert_eq!(j.bytes(), one * 3);
        j.clear();
        assert_eq!((j.len(), j.bytes()), (0, 0));
    }
}
