//! A contact as AC renders it (reference §2.1 to §2.4), through serde: the full contact of
//! list items (also side-loaded by deals, fields and event tracking), the reduced contact of a
//! create, and their `links`. [`super::contact_bytes`] writes the detailed contact by hand.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::reply::{EmptyList, IdStr, Stamp};
use crate::state::Ctx;
use crate::store::Contact;

/// The 18 `links` of a contact, in the order the `Value` rendering sorted them.
pub(crate) const CONTACT_LINKS: [&str; 18] = [
    "accountContacts",
    "automationEntryCounts",
    "bounceLogs",
    "contactAutomations",
    "contactData",
    "contactDeals",
    "contactGoals",
    "contactLists",
    "contactLogs",
    "contactTags",
    "deals",
    "fieldValues",
    "geoIps",
    "notes",
    "organization",
    "plusAppend",
    "scoreValues",
    "trackingLogs",
];

/// A contact's `links` object, written from the shared `api_base` prefix.
#[derive(Debug, Clone, Copy)]
struct ContactLinks<'a> {
    base: &'a str,
    contact: u64,
}

/// One `links` URL: `{base}/contacts/{id}/{name}`.
struct LinkUrl<'a> {
    base: &'a str,
    contact: u64,
    name: &'static str,
}

impl std::fmt::Display for LinkUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/contacts/{}/{}", self.base, self.contact, self.name)?;
        if self.name == "contactAutomations" {
            f.write_str("?limit=2500&orders%5Blastdate%5D=DESC")?;
        }
        Ok(())
    }
}

impl Serialize for ContactLinks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Url<'a>(LinkUrl<'a>);
        impl Serialize for Url<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }
        let mut map = serializer.serialize_map(Some(CONTACT_LINKS.len()))?;
        for name in CONTACT_LINKS {
            let url = LinkUrl {
                base: self.base,
                contact: self.contact,
                name,
            };
            map.serialize_entry(name, &Url(url))?;
        }
        map.end()
    }
}

fn links(ctx: &Ctx, contact: u64) -> ContactLinks<'_> {
    ContactLinks {
        base: &ctx.api_base,
        contact,
    }
}

/// The reduced contact of a create response (§2.2). Fields in the (sorted) order of the
/// former `Value` rendering, so the bytes are unchanged.
#[derive(Debug, Serialize)]
pub(crate) struct ReducedJson<'a> {
    cdate: Stamp,
    email: &'a str,
    #[serde(rename = "firstName")]
    first_name: &'a str,
    id: IdStr,
    #[serde(rename = "lastName")]
    last_name: &'a str,
    links: ContactLinks<'a>,
    organization: (),
    orgid: IdStr,
    orgname: &'a str,
    phone: &'a str,
    udate: Stamp,
}

/// The reduced contact of a create response (§2.2).
pub(crate) fn reduced_json<'a>(c: &'a Contact, ctx: &'a Ctx) -> ReducedJson<'a> {
    ReducedJson {
        cdate: Stamp::ts(c.cdate, ctx.offset),
        email: &c.email,
        first_name: &c.first_name,
        id: IdStr(c.id),
        last_name: &c.last_name,
        links: links(ctx, c.id),
        organization: (),
        orgid: IdStr(c.orgid),
        orgname: &c.orgname,
        phone: &c.phone,
        udate: Stamp::ts(c.udate, ctx.offset),
    }
}

/// The full contact (§2.1), and with the `detail` fields the contact of GET/sync/update
/// (§2.3, §2.4). Fields in the (sorted) order of the former `Value` rendering, so the bytes
/// are unchanged; `None` detail fields are left out.
#[derive(Debug, Serialize)]
pub(crate) struct ContactJson<'a> {
    #[serde(rename = "accountContacts")]
    account_contacts: EmptyList,
    adate: (),
    anonymized: &'static str,
    best_send_hour: (),
    /// `YYYY-MM-DD` (account offset) of the last bounce, else null.
    bounced_date: Option<String>,
    bounced_hard: IdStr,
    bounced_soft: IdStr,
    cdate: Stamp,
    #[serde(rename = "contactAutomations", skip_serializing_if = "Option::is_none")]
    contact_automations: Option<EmptyList>,
    #[serde(rename = "contactLists", skip_serializing_if = "Option::is_none")]
    contact_lists: Option<Vec<IdStr>>,
    created_by: (),
    created_timestamp: Stamp,
    created_utc_timestamp: Stamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    deals: Option<Vec<IdStr>>,
    deleted: &'static str,
    deleted_at: (),
    edate: (),
    email: &'a str,
    email_domain: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_empty: Option<bool>,
    email_local: &'static str,
    #[serde(rename = "fieldValues", skip_serializing_if = "Option::is_none")]
    field_values: Option<Vec<IdStr>>,
    #[serde(rename = "firstName")]
    first_name: &'a str,
    #[serde(rename = "geoIps", skip_serializing_if = "Option::is_none")]
    geo_ips: Option<EmptyList>,
    gravatar: &'static str,
    hash: &'a str,
    id: IdStr,
    ip: &'static str,
    #[serde(rename = "lastName")]
    last_name: &'a str,
    last_click_date: (),
    last_mpp_open_date: (),
    last_open_date: (),
    links: ContactLinks<'a>,
    mpp_tracking: &'static str,
    organization: (),
    orgid: IdStr,
    orgname: &'a str,
    phone: &'a str,
    rating_tstamp: (),
    #[serde(rename = "scoreValues")]
    score_values: EmptyList,
    segmentio_id: &'static str,
    sentcnt: &'static str,
    sms_consent: (),
    sms_consent_updated_at: (),
    socialdata_lastcheck: (),
    ua: (),
    udate: Stamp,
    updated_by: (),
    updated_timestamp: Stamp,
    updated_utc_timestamp: Stamp,
    whatsapp_id: (),
    whatsapp_username: (),
}

/// The full contact of a list item (§2.1), typed.
pub(crate) fn contact_json<'a>(c: &'a Contact, ctx: &'a Ctx) -> ContactJson<'a> {
    let off = ctx.offset;
    let domain = c.email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
    ContactJson {
        account_contacts: EmptyList,
        adate: (),
        anonymized: "0",
        best_send_hour: (),
        bounced_date: c
            .bounced_date
            .map(|d| d.with_timezone(&off).format("%Y-%m-%d").to_string()),
        bounced_hard: IdStr(u64::from(c.bounced_hard)),
        bounced_soft: IdStr(u64::from(c.bounced_soft)),
        cdate: Stamp::ts(c.cdate, off),
        contact_automations: None,
        contact_lists: None,
        created_by: (),
        created_timestamp: Stamp::naive(c.cdate, off),
        created_utc_timestamp: Stamp::naive(c.cdate, off),
        deals: None,
        deleted: "0",
        deleted_at: (),
        edate: (),
        email: &c.email,
        email_domain: domain,
        email_empty: None,
        email_local: "",
        field_values: None,
        first_name: &c.first_name,
        geo_ips: None,
        gravatar: "0",
        hash: &c.hash,
        id: IdStr(c.id),
        ip: "0",
        last_name: &c.last_name,
        last_click_date: (),
        last_mpp_open_date: (),
        last_open_date: (),
        links: links(ctx, c.id),
        mpp_tracking: "0",
        organization: (),
        orgid: IdStr(c.orgid),
        orgname: &c.orgname,
        phone: &c.phone,
        rating_tstamp: (),
        score_values: EmptyList,
        segmentio_id: "",
        sentcnt: "0",
        sms_consent: (),
        sms_consent_updated_at: (),
        socialdata_lastcheck: (),
        ua: (),
        udate: Stamp::ts(c.udate, off),
        updated_by: (),
        updated_timestamp: Stamp::naive(c.udate, off),
        updated_utc_timestamp: Stamp::naive(c.udate, off),
        whatsapp_id: (),
        whatsapp_username: (),
    }
}

/// The full contact of a list item (§2.1), as a `Value` for bodies still built with `json!`.
pub(crate) fn full_json(c: &Contact, ctx: &Ctx) -> Value {
    serde_json::to_value(contact_json(c, ctx)).unwrap_or(Value::Null)
}

/// The full contact plus the id arrays of GET/sync/update (§2.3, §2.4), through serde: the
/// reading [`super::contact_bytes`]'s hand-written bytes are checked against.
#[cfg(test)]
pub(crate) fn detailed_json<'a>(
    store: &crate::store::Store,
    c: &'a Contact,
    ctx: &'a Ctx,
) -> ContactJson<'a> {
    let mut v = contact_json(c, ctx);
    v.email_empty = Some(false);
    v.contact_automations = Some(EmptyList);
    v.contact_lists = Some(
        store
            .contact_lists_of(c.id)
            .iter()
            .map(|m| IdStr(m.id))
            .collect(),
    );
    v.field_values = Some(
        store
            .field_values_of(c.id)
            .iter()
            .map(|f| IdStr(f.id))
            .collect(),
    );
    v.geo_ips = Some(EmptyList);
    v.deals = Some(
        store
            .list_deals(Some(c.id), None, None, None)
            .iter()
            .map(|d| IdStr(d.id))
            .collect(),
    );
    v
}
