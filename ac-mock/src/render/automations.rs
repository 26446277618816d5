//! A contact's automation entry (`contactAutomation`) as AC renders it: shared by
//! `/contactAutomations`, `GET /contacts/{id}` and the contacts list's
//! `include=contactAutomations`.

use serde_json::{json, Value};

use crate::reply::{id, ts};
use crate::state::Ctx;
use crate::store::ContactAutomation;

/// A contact's entry in an automation in AC's shape: `status` 1 (active), nothing completed.
pub(crate) fn entry_json(e: &ContactAutomation, ctx: &Ctx) -> Value {
    let base = format!("{}/contactAutomations/{}", ctx.api_base, e.id);
    json!({
        "contact": id(e.contact), "seriesid": id(e.automation), "startid": "0", "status": "1",
        "batchid": null, "adddate": ts(e.adddate, ctx.offset), "remdate": null,
        "timespan": "0", "lastblock": "0", "lastlogid": "0",
        "lastdate": ts(e.lastdate, ctx.offset), "in_als": "0",
        "completedElements": "0", "totalElements": "0", "completed": 0, "completeValue": 0,
        "links": {
            "automation": format!("{base}/automation"), "contact": format!("{base}/contact"),
            "contactGoals": format!("{base}/contactGoals"),
            "automationLogs": format!("{base}/automationLogs")
        },
        "id": id(e.id), "automation": id(e.automation)
    })
}
