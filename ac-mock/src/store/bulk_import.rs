//! Bulk import batches (reference §9).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One applied bulk import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBatch {
    /// Row id.
    pub id: u64,
    /// The uuid-like `batchId` returned to the caller.
    pub batch_id: String,
    /// When it was queued (and applied: the mock completes imports at once).
    pub created: DateTime<Utc>,
    /// Ids of the imported contacts.
    pub success: Vec<u64>,
    /// Emails that were rejected (always empty: a failing request queues nothing).
    pub failure: Vec<String>,
}
