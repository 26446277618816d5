//! A contactTag row as AC renders it (reference §3.4): shared by `/contactTags` and the contacts
//! list's `include=contactTags`.

use serde_json::{json, Value};

use crate::reply::{id, naive, ts};
use crate::state::Ctx;
use crate::store::ContactTag;

/// A contactTag row (§3.4).
pub(crate) fn contact_tag_json(ct: &ContactTag, ctx: &Ctx) -> Value {
    let base = format!("{}/contactTags/{}", ctx.api_base, ct.id);
    json!({
        "contact": id(ct.contact), "tag": id(ct.tag), "cdate": ts(ct.cdate, ctx.offset),
        "created_timestamp": naive(ct.cdate, ctx.offset), "updated_timestamp": naive(ct.cdate, ctx.offset),
        "created_by": null, "updated_by": null,
        "links": {"tag": format!("{base}/tag"), "contact": format!("{base}/contact")},
        "id": id(ct.id)
    })
}
