//! Custom contact fields, their options, list relations and values (reference §5).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{ContactId, FieldId, FieldValueId};
use crate::page::Identified;

/// One contact's value for one custom field (`fieldValue`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The value's id.
    pub id: FieldValueId,
    /// The contact it belongs to.
    #[serde(default)]
    pub contact: ContactId,
    /// The field.
    #[serde(default)]
    pub field: FieldId,
    /// The encoded value (`||a||b||` for multi-value fields, `YYYY-MM-DD` for dates...).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub value: String,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub udate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`owner`, `links`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for FieldValue {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}
