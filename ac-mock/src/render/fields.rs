//! A contact's field value as AC renders it (reference §5): shared by `/fieldValues`, the
//! contact GET and the contact writes that carry `fieldValues`.

use serde_json::{json, Value};

use crate::reply::{id, ts};
use crate::state::Ctx;
use crate::store::FieldValue;

/// A field value as GET renders it.
pub(crate) fn field_value_json(v: &FieldValue, ctx: &Ctx) -> Value {
    let base = format!("{}/fieldValues/{}", ctx.api_base, v.id);
    json!({
        "contact": id(v.contact), "field": id(v.field), "value": v.value,
        "cdate": ts(v.cdate, ctx.offset), "udate": ts(v.udate, ctx.offset),
        "created_by": "0", "updated_by": "0",
        "links": {"owner": format!("{base}/owner"), "field": format!("{base}/field")},
        "id": id(v.id), "owner": id(v.contact)
    })
}
