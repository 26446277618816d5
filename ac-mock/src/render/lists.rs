//! A contactList row (a contact's list membership) as AC renders it (reference §4): shared by
//! `/contactLists` and the contact GET's side-loads.

use serde_json::{json, Value};

use crate::reply::{id, naive, ts};
use crate::state::Ctx;
use crate::store::ContactList;

/// A contactList row; `echo` renders `status` as a number, as the POST response does.
pub(crate) fn contact_list_json(m: &ContactList, ctx: &Ctx, echo: bool) -> Value {
    let base = format!("{}/contactLists/{}", ctx.api_base, m.id);
    let off = ctx.offset;
    let mut v = json!({
        "contact": id(m.contact), "list": id(m.list), "form": null, "seriesid": "0",
        "sdate": m.sdate.map(|t| ts(t, off)), "udate": m.udate.map(|t| ts(t, off)),
        "status": if echo { json!(m.status) } else { json!(m.status.to_string()) },
        "responder": "1", "sync": "0", "unsubreason": m.unsubreason, "campaign": null,
        "message": null, "first_name": "", "last_name": "", "ip4Sub": "0",
        "sourceid": m.sourceid.to_string(), "autosyncLog": null, "ip4_last": "0", "ip4Unsub": "0",
        "created_timestamp": naive(m.created, off), "updated_timestamp": naive(m.updated, off),
        "created_by": null, "updated_by": null, "unsubscribeAutomation": null,
        "links": {
            "automation": format!("{base}/automation"), "list": format!("{base}/list"),
            "contact": format!("{base}/contact"), "form": format!("{base}/form"),
            "autosyncLog": format!("{base}/autosyncLog"), "campaign": format!("{base}/campaign"),
            "unsubscribeAutomation": format!("{base}/unsubscribeAutomation"),
            "message": format!("{base}/message")
        },
        "id": id(m.id), "automation": null
    });
    if !echo {
        v["channel"] = json!("email");
    }
    v
}
