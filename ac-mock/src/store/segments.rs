//! Segments: listed read-only through AC's API, created with `POST /__admin/segments`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreResult};

/// A saved contact segment (its conditions are not simulated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// How its conditions combine: `and` or `or`.
    pub logic: String,
    /// Hidden from AC's segment picker.
    pub hidden: bool,
    /// Created.
    pub cdate: DateTime<Utc>,
}

impl Store {
    /// The segment with this id.
    pub fn segment(&self, id: u64) -> StoreResult<&Segment> {
        self.segments.get_or(Entity::Segment, id)
    }

    /// Creates a segment and returns its id.
    pub fn create_segment(
        &mut self,
        name: &str,
        logic: &str,
        hidden: bool,
        now: DateTime<Utc>,
    ) -> u64 {
        self.segments.insert_with(|id| Segment {
            id,
            name: name.to_string(),
            logic: logic.to_string(),
            hidden,
            cdate: now,
        })
    }
}
