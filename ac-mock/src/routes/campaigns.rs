//! `/campaigns`, `/campaigns/{id}/links`, `/links` and `/messages`: the simulated campaigns of
//! `/__admin/campaigns` as AC's API lists them, with counters that follow the simulated events.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::{page_json, path_id};
use crate::account_id::AccountId;
use crate::campaigns::{Campaign, CampaignEventType, CampaignLink, EmailActivity, Sender};
use crate::extract::Authed;
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{Account, AppState, Ctx};
use crate::webhooks_out::CampaignExtras;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list))
        .route("/campaigns/{id}", get(retrieve))
        .route("/campaigns/{id}/links", get(links_of_campaign))
        .route("/links", get(list_links))
        .route("/links/{id}", get(retrieve_link))
        .route("/messages", get(list_messages))
        .route("/messages/{id}", get(retrieve_message))
}

/// Runs `f` on the whole account (its store and campaigns) with a rendering context.
pub(crate) fn with_account<R>(
    st: &AppState,
    acct: AccountId,
    f: impl FnOnce(&mut Account, &Ctx) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    let ctx_of = |a: &Account| Ctx {
        api_base: Arc::from(format!("{}/api/3", st.base_url())),
        offset: a.utc_offset,
        contact_tag_created_status: st.options().contact_tag_created_status,
    };
    st.with_account(acct, |a| {
        let ctx = ctx_of(a);
        f(a, &ctx)
    })
    .unwrap_or(Err(ApiError::Forbidden))
}

fn not_found(model: &str, raw: &str) -> ApiError {
    ApiError::NotFoundMessage(format!("No Result found for {model} with id {raw}"))
}

/// The optional parts of `POST /__admin/campaigns`: `from_name`, `from_email`, `reply_to`
/// (the message's sender) and `links` (URLs tracked from the start).
pub(crate) fn admin_extras(map: &Map<String, Value>) -> Result<(Sender, Vec<String>), String> {
    let mut sender = Sender::default();
    for (key, slot) in [
        ("from_name", &mut sender.from_name),
        ("from_email", &mut sender.from_email),
        ("reply_to", &mut sender.reply_to),
    ] {
        match map.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => *slot = s.clone(),
            Some(other) => return Err(format!("\"{key}\" must be a string, got {other}")),
        }
    }
    let links = match map.get("links") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                other => Err(format!("\"links\" must be an array of URLs, got {other}")),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(format!("\"links\" must be an array of URLs, got {other}")),
    };
    Ok((sender, links))
}

/// Applies a simulated event to what the API lists: a `sent` adds to `send_amt` (the list's
/// active members, or 1 when it names a contact); a contact's event is recorded as an email
/// activity, and a click's URL becomes one of the campaign's links (its id is then the
/// webhook's `link[id]`).
pub(crate) fn record_event(
    a: &mut Account,
    campaign: &Campaign,
    kind: CampaignEventType,
    contact: Option<u64>,
    extras: &mut CampaignExtras,
    now: DateTime<Utc>,
) {
    if kind == CampaignEventType::Sent {
        let recipients = match contact {
            Some(_) => 1,
            None => a
                .store
                .contact_lists
                .iter()
                .filter(|m| m.list == campaign.list && m.status == 1)
                .count() as u64,
        };
        a.campaigns.record_send(campaign.id, recipients, now);
        if contact.is_none() {
            return;
        }
    }
    let Some(contact) = contact else { return };
    let mut link = None;
    if kind == CampaignEventType::Click {
        let by_id = extras
            .link_id
            .and_then(|l| a.campaigns.links.get(l))
            .filter(|l| l.campaign == campaign.id)
            .map(|l| (l.id, l.url.clone()));
        link = match by_id {
            Some((l, url)) => {
                extras.link_url.get_or_insert(url);
                Some(l)
            }
            None => extras
                .link_url
                .clone()
                .map(|url| a.campaigns.link_for(campaign.id, &url)),
        };
        if extras.link_id.is_none() {
            extras.link_id = link;
        }
    }
    let email = a
        .store
        .contacts
        .get(contact)
        .map(|c| c.email.clone())
        .unwrap_or_default();
    a.campaigns.record_activity(EmailActivity {
        id: 0,
        campaign: campaign.id,
        contact,
        email,
        kind,
        link,
        bounce_type: (kind == CampaignEventType::Bounce).then(|| {
            if extras.bounce_type.as_deref() == Some("soft") {
                "soft".to_string()
            } else {
                "hard".to_string()
            }
        }),
        reason: extras.reason.clone(),
        tstamp: now,
    });
}

fn opt_ts(t: Option<DateTime<Utc>>, ctx: &Ctx) -> Value {
    t.map_or(Value::Null, |t| json!(ts(t, ctx.offset)))
}

/// A campaign in AC's shape (`GET /campaigns`). Status is 0 (draft) until a `sent` event,
/// then 5 (completed).
fn campaign_json(a: &Account, c: &Campaign, ctx: &Ctx) -> Value {
    let n = a.campaigns.counters(c.id);
    let s = |v: u64| json!(v.to_string());
    let base = format!("{}/campaigns/{}", ctx.api_base, c.id);
    let mut links = Map::new();
    for name in [
        "user",
        "automation",
        "campaignMessage",
        "campaignMessages",
        "links",
        "aggregateRevenues",
        "campaignLists",
    ] {
        links.insert(name.into(), json!(format!("{base}/{name}")));
    }
    let mdate = c.mdate.unwrap_or(c.cdate);
    let mut out = json!({
        "name": c.name, "cdate": ts(c.cdate, ctx.offset), "mdate": ts(mdate, ctx.offset),
        "sdate": opt_ts(c.sdate, ctx), "ldate": opt_ts(c.ldate, ctx),
        "send_amt": s(c.send_amt), "total_amt": s(c.send_amt),
        "opens": s(n.opens), "uniqueopens": s(n.unique_opens),
        "linkclicks": s(n.link_clicks), "uniquelinkclicks": s(n.unique_link_clicks),
        "subscriberclicks": s(n.subscriber_clicks),
        "hardbounces": s(n.hard_bounces), "softbounces": s(n.soft_bounces),
        "unsubscribes": s(n.unsubscribes), "unsubreasons": s(n.unsub_reasons),
        "status": if c.sdate.is_some() { "5" } else { "0" },
        "links": Value::Object(links), "id": id(c.id), "user": "1", "automation": null
    });
    if let Value::Object(map) = &mut out {
        for (k, v) in CAMPAIGN_CONSTANTS {
            map.insert((*k).into(), json!(v));
        }
        for k in CAMPAIGN_NULLS {
            map.insert((*k).into(), Value::Null);
        }
    }
    out
}

/// The attributes of AC's campaign that the simulation does not vary.
const CAMPAIGN_CONSTANTS: &[(&str, &str)] = &[
    ("type", "single"),
    ("userid", "1"),
    ("segmentid", "0"),
    ("bounceid", "-1"),
    ("realcid", "0"),
    ("sendid", "0"),
    ("threadid", "0"),
    ("seriesid", "0"),
    ("formid", "0"),
    ("basetemplateid", ""),
    ("basemessageid", "0"),
    ("addressid", "0"),
    ("source", "web"),
    ("forwards", "0"),
    ("uniqueforwards", "0"),
    ("updates", "0"),
    ("socialshares", "0"),
    ("replies", "0"),
    ("uniquereplies", "0"),
    ("public", "1"),
    ("mail_transfer", "0"),
    ("mail_send", "0"),
    ("mail_cleanup", "0"),
    ("mailer_log_file", "0"),
    ("tracklinks", "all"),
    ("tracklinksanalytics", "0"),
    ("trackreads", "1"),
    ("trackreadsanalytics", "1"),
    ("analytics_campaign_name", ""),
    ("tweet", "0"),
    ("facebook", "0"),
    ("survey", ""),
    ("embed_images", "0"),
    ("htmlunsub", "0"),
    ("textunsub", "0"),
    ("recurring", "day1"),
    ("willrecur", "0"),
    ("split_type", "even"),
    ("split_content", "0"),
    ("split_offset", "2"),
    ("split_offset_type", "day"),
    ("split_winner_messageid", "0"),
    ("split_winner_awaiting", "0"),
    ("responder_offset", "0"),
    ("responder_type", "subscribe"),
    ("responder_existing", "0"),
    ("reminder_field", "sdate"),
    ("reminder_type", "month_day"),
    ("reminder_offset", "0"),
    ("reminder_offset_type", "day"),
    ("reminder_offset_sign", "+"),
    ("activerss_interval", "day1"),
    ("activerss_items", "10"),
    ("ip4", "0"),
    ("laststep", "designer"),
    ("managetext", "0"),
    ("schedule", "0"),
    ("waitpreview", "0"),
    ("replysys", "0"),
];

/// The attributes of AC's campaign that are null here.
const CAMPAIGN_NULLS: &[&str] = &[
    "htmlunsubdata",
    "textunsubdata",
    "reminder_format",
    "reminder_last_cron_run",
    "activerss_url",
    "scheduleddate",
    "deletestamp",
];

/// A campaign's tracked link (`/campaigns/{id}/links`, `/links`).
fn link_json(a: &Account, l: &CampaignLink, ctx: &Ctx) -> Value {
    let (clicks, unique) = a.campaigns.link_clicks(l.id);
    let base = format!("{}/links/{}", ctx.api_base, l.id);
    json!({
        "campaignid": id(l.campaign), "messageid": id(l.campaign), "link": l.url,
        "name": l.url, "ref": "", "tracked": "1",
        "linkclicks": clicks.to_string(), "uniqueclicks": unique.to_string(),
        "created_timestamp": ts(l.cdate, ctx.offset), "updated_timestamp": ts(l.cdate, ctx.offset),
        "links": {"campaign": format!("{base}/campaign"), "message": format!("{base}/message")},
        "id": id(l.id), "campaign": id(l.campaign), "message": id(l.campaign)
    })
}

/// A campaign's message (`/messages`): its id is the campaign's.
fn message_json(c: &Campaign, ctx: &Ctx) -> Value {
    let base = format!("{}/messages/{}", ctx.api_base, c.id);
    let mdate = c.mdate.unwrap_or(c.cdate);
    json!({
        "userid": "1", "ed_instanceid": "0", "ed_version": "1",
        "cdate": ts(c.cdate, ctx.offset), "mdate": ts(mdate, ctx.offset), "name": c.name,
        "fromname": c.sender.from_name, "fromemail": c.sender.from_email,
        "reply2": c.sender.reply_to, "priority": "3", "charset": "utf-8", "encoding": "8bit",
        "format": "mime", "subject": c.subject, "preheader_text": "", "text": "", "html": "",
        "htmlfetch": "now", "textfetch": "now", "hidden": "0",
        "links": {"user": format!("{base}/user"), "hyperlinks": format!("{base}/hyperlinks")},
        "id": id(c.id), "user": "1"
    })
}

/// `ASC`/`DESC` (any case) of `orders[<key>]`, if given.
fn order_of(p: &Params, key: &str) -> Option<bool> {
    p.get(&format!("orders[{key}]"))
        .map(|v| v.trim().eq_ignore_ascii_case("desc"))
}

fn by_date(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>, desc: bool) -> Ordering {
    let o = a.cmp(&b);
    if desc {
        o.reverse()
    } else {
        o
    }
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    // Simulated campaigns belong to no automation (`seriesid` 0).
    let series = p
        .get("filters[seriesid]")
        .map(|v| v.trim().parse::<u64>().unwrap_or(u64::MAX));
    with_account(&st, acct, |a, ctx| {
        let mut rows: Vec<&Campaign> = a
            .campaigns
            .iter()
            .filter(|_| series.is_none_or(|s| s == 0))
            .collect();
        if let Some(desc) = order_of(&p, "sdate") {
            rows.sort_by(|x, y| by_date(x.sdate, y.sdate, desc).then(x.id.cmp(&y.id)));
        } else if let Some(desc) = order_of(&p, "ldate") {
            rows.sort_by(|x, y| by_date(x.ldate, y.ldate, desc).then(x.id.cmp(&y.id)));
        }
        reply(
            axum::http::StatusCode::OK,
            page_json("campaigns", rows, &p, |c| campaign_json(a, c, ctx)),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    with_account(&st, acct, |a, ctx| {
        let c = path_id(&raw)
            .and_then(|i| a.campaigns.get(i))
            .ok_or_else(|| not_found("Campaign", &raw))?;
        reply(
            axum::http::StatusCode::OK,
            json!({"campaign": campaign_json(a, c, ctx)}),
        )
    })
}

async fn links_of_campaign(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    with_account(&st, acct, |a, ctx| {
        let c = path_id(&raw)
            .and_then(|i| a.campaigns.get(i))
            .ok_or_else(|| not_found("Campaign", &raw))?;
        let rows: Vec<Value> = a
            .campaigns
            .links_of(c.id)
            .map(|l| link_json(a, l, ctx))
            .collect();
        reply(axum::http::StatusCode::OK, json!({ "links": rows }))
    })
}

async fn list_links(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let campaign = p.get("filters[campaignid]").map(|v| v.trim().parse().ok());
    with_account(&st, acct, |a, ctx| {
        let rows: Vec<&CampaignLink> = a
            .campaigns
            .links
            .iter()
            .filter(|l| campaign.is_none_or(|c| c == Some(l.campaign)))
            .collect();
        reply(
            axum::http::StatusCode::OK,
            page_json("links", rows, &p, |l| link_json(a, l, ctx)),
        )
    })
}

async fn retrieve_link(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    with_account(&st, acct, |a, ctx| {
        let l = path_id(&raw)
            .and_then(|i| a.campaigns.links.get(i))
            .ok_or_else(|| not_found("Link", &raw))?;
        reply(
            axum::http::StatusCode::OK,
            json!({"link": link_json(a, l, ctx)}),
        )
    })
}

async fn list_messages(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    with_account(&st, acct, |a, ctx| {
        let rows: Vec<&Campaign> = a.campaigns.iter().collect();
        reply(
            axum::http::StatusCode::OK,
            page_json("messages", rows, &p, |c| message_json(c, ctx)),
        )
    })
}

async fn retrieve_message(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    with_account(&st, acct, |a, ctx| {
        let c = path_id(&raw)
            .and_then(|i| a.campaigns.get(i))
            .ok_or_else(|| not_found("Message", &raw))?;
        reply(
            axum::http::StatusCode::OK,
            json!({"message": message_json(c, ctx)}),
        )
    })
}

/// An email activity in AC's shape, plus `event` (what happened: `open`, `click`, ...),
/// `campaign` and `link`, which AC's CRM-email shape lacks.
pub(crate) fn activity_json(a: &Account, e: &EmailActivity, ctx: &Ctx) -> Value {
    let c = a.campaigns.get(e.campaign);
    json!({
        "subscriberid": id(e.contact), "userid": "1", "d_id": "0", "account": null,
        "reltype": "campaign", "relid": id(e.campaign),
        "from_name": c.map(|c| c.sender.from_name.clone()).unwrap_or_default(),
        "from_address": c.map(|c| c.sender.from_email.clone()).unwrap_or_default(),
        "to_address": e.email, "cc_address": "",
        "subject": c.map(|c| c.subject.clone()).unwrap_or_default(),
        "message": "", "message_html": "", "tstamp": ts(e.tstamp, ctx.offset),
        "event": e.kind.as_str(), "campaign": id(e.campaign), "link": e.link.map(id),
        "reference": {"id": id(e.campaign), "type": "campaign"},
        "links": {"contact": format!("{}/emailActivities/{}/contact", ctx.api_base, e.id)},
        "id": id(e.id), "contact": id(e.contact), "deal": null, "user": "1"
    })
}
