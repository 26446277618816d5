//! The request journal: a bounded ring buffer, newest first on read.

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

/// Keeps at most `capacity` entries; the oldest fall off.
#[derive(Debug, Clone)]
pub struct Journal {
    capacity: usize,
    entries: VecDeque<JournalEntry>,
}

impl Journal {
    /// An empty journal keeping at most `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: VecDeque::with_capacity(capacity.min(4096)),
        }
    }

    /// The most entries it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Appends an entry, dropping the oldest when full.
    pub fn push(&mut self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        while self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
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
}
