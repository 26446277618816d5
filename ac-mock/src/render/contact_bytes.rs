//! The detailed contact of `GET /contacts/{id}`, `POST /contact/sync` and `PUT /contacts/{id}`
//! (reference §2.3, §2.4), written by hand.
//!
//! These are the mock's hottest bodies (≈3 KB, 60 keys, 18 link URLs). serde_json escapes every
//! key and formats every URL, id and timestamp through `fmt`; here the constant runs of keys and
//! values are single literals, the URLs share one escaped prefix, and only the contact's own
//! strings go through JSON escaping. The bytes are exactly those of the serde rendering
//! ([`super::contact::ContactJson`] with its detail fields), which a test checks on contacts
//! with quotes, backslashes, control characters and non-ASCII text.

use crate::reply::Stamp;
use crate::state::Ctx;
use crate::store::{Contact, Store};

use super::contact::CONTACT_LINKS;

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it (`"`, `\`, and
/// control characters below U+0020; everything else, non-ASCII included, as is).
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// Appends an id as AC renders it: a JSON string of digits.
pub(crate) fn push_id(out: &mut Vec<u8>, n: u64) {
    out.push(b'"');
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.push(b'"');
}

/// Appends `[“1”,“2”]`: ids as a JSON array of strings.
fn push_ids(out: &mut Vec<u8>, ids: impl Iterator<Item = u64>) {
    out.push(b'[');
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_id(out, id);
    }
    out.push(b']');
}

/// Appends the detailed contact: the full contact plus `contactAutomations`, `contactLists`,
/// `deals`, `email_empty`, `fieldValues` and `geoIps`, keys in the order of every other
/// contact body of the mock.
pub(crate) fn push_detailed_contact(out: &mut Vec<u8>, store: &Store, c: &Contact, ctx: &Ctx) {
    let off = ctx.offset;
    out.extend_from_slice(
        br#"{"accountContacts":[],"adate":null,"anonymized":"0","best_send_hour":null,"bounced_date":"#,
    );
    match c.bounced_date {
        Some(d) => push_str(out, &d.with_timezone(&off).format("%Y-%m-%d").to_string()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","bounced_hard":"#);
    push_id(out, u64::from(c.bounced_hard));
    out.extend_from_slice(br#","bounced_soft":"#);
    push_id(out, u64::from(c.bounced_soft));
    out.extend_from_slice(br#","cdate":"#);
    Stamp::ts(c.cdate, off).push_json(out);
    out.extend_from_slice(br#","contactAutomations":"#);
    push_ids(out, store.automations_of_contact(c.id).iter().map(|e| e.id));
    out.extend_from_slice(br#","contactLists":"#);
    push_ids(out, store.contact_lists_of(c.id).iter().map(|m| m.id));
    out.extend_from_slice(br#","created_by":null,"created_timestamp":"#);
    Stamp::naive(c.cdate, off).push_json(out);
    out.extend_from_slice(br#","created_utc_timestamp":"#);
    Stamp::naive(c.cdate, off).push_json(out);
    out.extend_from_slice(br#","deals":"#);
    push_ids(
        out,
        store
            .list_deals(Some(c.id), None, None, None)
            .iter()
            .map(|d| d.id),
    );
    out.extend_from_slice(br#","deleted":"0","deleted_at":null,"edate":null,"email":"#);
    push_str(out, &c.email);
    out.extend_from_slice(br#","email_domain":"#);
    push_str(out, c.email.rsplit_once('@').map(|(_, d)| d).unwrap_or(""));
    out.extend_from_slice(br#","email_empty":false,"email_local":"","fieldValues":"#);
    push_ids(out, store.field_values_of(c.id).iter().map(|f| f.id));
    out.extend_from_slice(br#","firstName":"#);
    push_str(out, &c.first_name);
    out.extend_from_slice(br#","geoIps":[],"gravatar":"0","hash":"#);
    push_str(out, &c.hash);
    out.extend_from_slice(br#","id":"#);
    push_id(out, c.id);
    out.extend_from_slice(br#","ip":"0","lastName":"#);
    push_str(out, &c.last_name);
    out.extend_from_slice(
        br#","last_click_date":null,"last_mpp_open_date":null,"last_open_date":null,"links":"#,
    );
    push_links(out, &ctx.api_base, c.id);
    out.extend_from_slice(br#","mpp_tracking":"0","organization":null,"orgid":"#);
    push_id(out, c.orgid);
    out.extend_from_slice(br#","orgname":"#);
    push_str(out, &c.orgname);
    out.extend_from_slice(br#","phone":"#);
    push_str(out, &c.phone);
    out.extend_from_slice(
        br#","rating_tstamp":null,"scoreValues":[],"segmentio_id":"","sentcnt":"0","sms_consent":null,"sms_consent_updated_at":null,"socialdata_lastcheck":null,"ua":null,"udate":"#,
    );
    Stamp::ts(c.udate, off).push_json(out);
    out.extend_from_slice(br#","updated_by":null,"updated_timestamp":"#);
    Stamp::naive(c.udate, off).push_json(out);
    out.extend_from_slice(br#","updated_utc_timestamp":"#);
    Stamp::naive(c.udate, off).push_json(out);
    out.extend_from_slice(br#","whatsapp_id":null,"whatsapp_username":null}"#);
}

/// Appends the `links` object: `{"name":"{base}/contacts/{id}/{name}",...}`.
fn push_links(out: &mut Vec<u8>, base: &str, contact: u64) {
    // The escaped `"{base}/contacts/{id}/`, shared by all 18 URLs.
    // Only `base` can need escaping; the rest is ASCII letters, digits and slashes.
    let mut prefix = Vec::with_capacity(base.len() + 32);
    push_str(&mut prefix, base);
    prefix.pop(); // the closing quote: each URL goes on after it
    prefix.extend_from_slice(b"/contacts/");
    prefix.extend_from_slice(itoa::Buffer::new().format(contact).as_bytes());
    prefix.push(b'/');
    out.push(b'{');
    for (i, name) in CONTACT_LINKS.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(&prefix);
        out.extend_from_slice(name.as_bytes());
        if *name == "contactAutomations" {
            out.extend_from_slice(b"?limit=2500&orders%5Blastdate%5D=DESC");
        }
        out.push(b'"');
    }
    out.push(b'}');
}
