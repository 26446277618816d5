//! A typed parser for the webhook bodies AC *delivers* (reference §10.2, §10.3).
//!
//! AC posts one event per request as `application/x-www-form-urlencoded` with PHP-style
//! bracketed keys (`contact[email]`, `contact[fields][utm_source]`, `campaign[message][subject]`,
//! `list[0][id]`, `updated_fields[]`). [`parse_form`] takes the raw body bytes and gives a
//! [`WebhookPayload`] with:
//!
//! * typed accessors for what AC documents: [`WebhookPayload::event_type`],
//!   [`WebhookPayload::date_time`], [`WebhookPayload::initiated_from`],
//!   [`WebhookPayload::contact`], [`WebhookPayload::campaign`], [`WebhookPayload::link`],
//!   [`WebhookPayload::bounce`], [`WebhookPayload::unsubscribe`], [`WebhookPayload::deal`],
//!   [`WebhookPayload::tag`], ...;
//! * the flat key/value pairs as sent ([`WebhookPayload::get`], [`WebhookPayload::pairs`]);
//! * the nested structure ([`WebhookPayload::tree`]), built the way PHP builds `$_POST`.
//!
//! Unknown event types are kept, never rejected: [`WebhookPayload::event_type`] is then
//! [`WebhookEvent::Other`] and every field is still available raw. Parsing never panics, whatever
//! the input. AC signs nothing (no signature header is documented): authenticate deliveries
//! another way (a secret path or query parameter in the webhook URL).
//!
//! ```
//! use ac_client::webhook_payload::parse_form;
//! use ac_client::webhooks::{WebhookEvent, WebhookSource};
//!
//! let body = "type=contact_tag_added&date_time=2024-02-28T07%3A04%3A13-06%3A00\
//!             &initiated_from=admin&contact%5Bid%5D=3&contact%5Bemail%5D=code.test%40gmail.com\
//!             &contact%5Btags%5D=tag1%2C+tag2&tag=tag2";
//! let payload = parse_form(body.as_bytes())?;
//! assert_eq!(payload.event_type(), Some(WebhookEvent::ContactTagAdded));
//! assert_eq!(payload.initiated_from(), Some(WebhookSource::Admin));
//! let contact = payload.contact().unwrap();
//! assert_eq!(contact.email.as_deref(), Some("code.test@gmail.com"));
//! assert_eq!(contact.tags, vec!["tag1", "tag2"]);
//! assert_eq!(payload.tag(), Some("tag2"));
//! assert_eq!(payload.get("contact[id]"), Some("3"));
//! # Ok::<(), ac_client::Error>(())
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use crate::de::parse_timestamp;
use crate::error::{Error, Result};
use crate::ids::{ContactId, DealId, ListId};
use crate::webhooks::{WebhookEvent, WebhookSource};

/// Nesting deeper than this is kept literally in the last key (PHP's own limit is 64).
const MAX_DEPTH: usize = 32;

/// One node of the nested form structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormValue {
    /// A leaf value.
    Text(String),
    /// A bracketed group (`contact[...]`); `[]` appends get keys `"0"`, `"1"`, ...
    Map(BTreeMap<String, FormValue>),
}

impl FormValue {
    /// The text of a leaf.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FormValue::Text(s) => Some(s),
            FormValue::Map(_) => None,
        }
    }

    /// The entries of a group.
    pub fn as_map(&self) -> Option<&BTreeMap<String, FormValue>> {
        match self {
            FormValue::Map(m) => Some(m),
            FormValue::Text(_) => None,
        }
    }

    /// The child at `key`, for a group.
    pub fn get(&self, key: &str) -> Option<&FormValue> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// The text of the child at `key`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(FormValue::as_text)
    }

    /// The children of a group in list order: numeric keys by number, then the others.
    pub fn items(&self) -> Vec<&FormValue> {
        let Some(map) = self.as_map() else {
            return Vec::new();
        };
        let mut entries: Vec<(&String, &FormValue)> = map.iter().collect();
        entries.sort_by_key(|(k, _)| (k.parse::<u64>().ok().unwrap_or(u64::MAX), k.as_str()));
        entries.into_iter().map(|(_, v)| v).collect()
    }
}

/// Splits `a[b][c]` into `["a", "b", "c"]` and `a[]` into `["a", ""]`. A key without a
/// well-formed bracket suffix is one segment, as PHP treats it.
fn split_key(key: &str) -> Vec<&str> {
    let Some(open) = key.find('[') else {
        return vec![key];
    };
    if open == 0 {
        return vec![key];
    }
    let mut segments = vec![&key[..open]];
    let mut rest = &key[open..];
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(close) = stripped.find(']') else {
            break;
        };
        if segments.len() >= MAX_DEPTH {
            break;
        }
        segments.push(&stripped[..close]);
        rest = &stripped[close + 1..];
    }
    if !rest.is_empty() {
        // Trailing garbage: keep everything from here literally in the last segment.
        return vec![key];
    }
    segments
}

fn insert(root: &mut BTreeMap<String, FormValue>, segments: &[&str], value: String) {
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut map = root;
    for seg in parents {
        let key = if seg.is_empty() {
            map.len().to_string()
        } else {
            (*seg).to_owned()
        };
        let slot = map
            .entry(key)
            .or_insert_with(|| FormValue::Map(BTreeMap::new()));
        if let FormValue::Text(_) = slot {
            // PHP: a later group replaces an earlier scalar.
            *slot = FormValue::Map(BTreeMap::new());
        }
        map = match slot {
            FormValue::Map(m) => m,
            FormValue::Text(_) => return,
        };
    }
    let key = if last.is_empty() {
        map.len().to_string()
    } else {
        (*last).to_owned()
    };
    map.insert(key, FormValue::Text(value));
}

/// Parses a delivered webhook body (`application/x-www-form-urlencoded` bytes).
///
/// Invalid UTF-8 and malformed escapes are decoded leniently, as browsers and PHP do; the
/// function does not panic on any input.
pub fn parse_form(body: &[u8]) -> Result<WebhookPayload> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| Error::invalid("body", format!("not a form-encoded body: {e}")))?;
    Ok(WebhookPayload::from_pairs(pairs))
}

/// A delivered webhook: raw pairs, flat map, nested tree, typed accessors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPayload {
    pairs: Vec<(String, String)>,
    flat: BTreeMap<String, String>,
    tree: FormValue,
}

impl WebhookPayload {
    /// Builds a payload from already-decoded key/value pairs (e.g. from a web framework's
    /// form extractor).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut flat = BTreeMap::new();
        let mut root = BTreeMap::new();
        for (k, v) in &pairs {
            flat.insert(k.clone(), v.clone());
            insert(&mut root, &split_key(k), v.clone());
        }
        WebhookPayload {
            pairs,
            flat,
            tree: FormValue::Map(root),
        }
    }

    /// The key/value pairs in the order sent (repeated keys such as `updated_fields[]` kept).
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Every key with its last value (`"contact[email]" → "jane@example.com"`).
    pub fn flat(&self) -> &BTreeMap<String, String> {
        &self.flat
    }

    /// The last value sent for the flat key `key` (`"contact[fields][utm_source]"`).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.flat.get(key).map(String::as_str)
    }

    /// Every value sent for `key`, in order (`"updated_fields[]"`).
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The nested structure, built as PHP builds `$_POST` (a root [`FormValue::Map`]).
    pub fn tree(&self) -> &FormValue {
        &self.tree
    }

    fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|s| !s.is_empty())
    }

    /// The raw `type`.
    pub fn type_str(&self) -> Option<&str> {
        self.non_empty("type")
    }

    /// The event (`type`); an unknown name is [`WebhookEvent::Other`].
    pub fn event_type(&self) -> Option<WebhookEvent> {
        self.type_str().map(WebhookEvent::from)
    }

    /// When it happened (`date_time`, with the account's UTC offset).
    pub fn date_time(&self) -> Option<DateTime<FixedOffset>> {
        self.non_empty("date_time").and_then(parse_timestamp)
    }

    /// Who caused it (`initiated_from`: public, admin, api, system).
    pub fn initiated_from(&self) -> Option<WebhookSource> {
        self.non_empty("initiated_from").map(WebhookSource::from)
    }

    /// The actor (`initiated_by`, e.g. `admin`).
    pub fn initiated_by(&self) -> Option<&str> {
        self.non_empty("initiated_by")
    }

    /// The list the event is scoped to (top-level `list`; `None` for `0` or absent).
    pub fn list_id(&self) -> Option<ListId> {
        self.non_empty("list")
            .and_then(|s| s.parse().ok())
            .filter(|l: &ListId| l.get() != 0)
    }

    /// The tag name of `contact_tag_added` / `contact_tag_removed` (`tag`).
    pub fn tag(&self) -> Option<&str> {
        self.non_empty("tag")
    }

    /// The automation id of an automation "webhook" action (`seriesid`).
    pub fn series_id(&self) -> Option<&str> {
        self.non_empty("seriesid")
    }

    /// The opener's `User-Agent` field (open events).
    pub fn user_agent(&self) -> Option<&str> {
        self.non_empty("User-Agent")
    }

    /// The fields a `deal_update` changed (`updated_fields[]`).
    pub fn updated_fields(&self) -> Vec<String> {
        match self.tree.get("updated_fields") {
            Some(v @ FormValue::Map(_)) => v
                .items()
                .into_iter()
                .filter_map(FormValue::as_text)
                .map(str::to_owned)
                .collect(),
            Some(FormValue::Text(s)) if !s.is_empty() => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    fn group(&self, key: &str) -> Option<&FormValue> {
        self.tree.get(key).filter(|v| v.as_map().is_some())
    }

    /// The contact block (`contact[...]`), when present.
    pub fn contact(&self) -> Option<ContactBlock> {
        let c = self.group("contact")?;
        let t = |k: &str| text_opt(c, k);
        let mut fields = BTreeMap::new();
        if let Some(f) = c.get("fields") {
            flatten_into(f, "", &mut fields);
        }
        Some(ContactBlock {
            id: t("id").and_then(|s| s.parse().ok()),
            email: t("email"),
            first_name: t("first_name"),
            last_name: t("last_name"),
            phone: t("phone"),
            ip: t("ip").or_else(|| t("ip4")),
            tags: t("tags")
                .map(|s| {
                    s.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            orgname: t("orgname"),
            customer_acct_name: t("customer_acct_name"),
            fields,
        })
    }

    /// The campaign block (`campaign[...]`) of campaign events.
    pub fn campaign(&self) -> Option<CampaignBlock> {
        let c = self.group("campaign")?;
        let t = |k: &str| text_opt(c, k);
        let message = c.get("message");
        Some(CampaignBlock {
            id: t("id"),
            name: t("name"),
            status: t("status"),
            campaign_type: t("type"),
            recipients: t("recipients").and_then(|s| s.parse().ok()),
            message_id: message.and_then(|m| text_opt(m, "id")),
            message_subject: message.and_then(|m| text_opt(m, "subject")),
            webcopy_url: t("webcopy_url"),
        })
    }

    /// The clicked link (`link[id]`, `link[url]`).
    pub fn link(&self) -> Option<LinkBlock> {
        let l = self.group("link")?;
        Some(LinkBlock {
            id: text_opt(l, "id"),
            url: text_opt(l, "url"),
        })
    }

    /// The bounce details (`bounce[type]`, `bounce[code]`, `bounce[description]`).
    pub fn bounce(&self) -> Option<BounceBlock> {
        let b = self.group("bounce")?;
        Some(BounceBlock {
            bounce_type: text_opt(b, "type"),
            code: text_opt(b, "code"),
            description: text_opt(b, "description"),
        })
    }

    /// The unsubscribe details (`unsubscribe[reason]`, `form[id]`, `list[N][id]`), for
    /// `unsubscribe` events.
    pub fn unsubscribe(&self) -> Option<UnsubscribeBlock> {
        let u = self.group("unsubscribe");
        let lists: Vec<ListId> = self
            .group("list")
            .map(|l| {
                l.items()
                    .into_iter()
                    .filter_map(|item| item.text("id"))
                    .filter_map(|s| s.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        if u.is_none() && lists.is_empty() && self.type_str() != Some("unsubscribe") {
            return None;
        }
        Some(UnsubscribeBlock {
            reason: u.and_then(|u| text_opt(u, "reason")),
            form_id: self.group("form").and_then(|f| text_opt(f, "id")),
            lists,
        })
    }

    /// The created list of a `list_add` event (`list[id]`, `list[name]`, ...; every
    /// sub-field in `fields`).
    pub fn list_added(&self) -> Option<ListBlock> {
        let l = self.group("list")?;
        let id = l.text("id")?;
        let mut fields = BTreeMap::new();
        flatten_into(l, "", &mut fields);
        Some(ListBlock {
            id: id.trim().parse().ok(),
            name: text_opt(l, "name"),
            fields,
        })
    }

    /// The deal block (`deal[...]`) of `deal_*` events.
    pub fn deal(&self) -> Option<DealBlock> {
        let d = self.group("deal")?;
        let t = |k: &str| text_opt(d, k);
        let fields = d
            .get("fields")
            .map(|f| {
                f.items()
                    .into_iter()
                    .map(|item| DealFieldValue {
                        id: text_opt(item, "id"),
                        key: text_opt(item, "key"),
                        value: item
                            .as_text()
                            .map(str::to_owned)
                            .or_else(|| text_opt(item, "value")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(DealBlock {
            id: t("id").and_then(|s| s.parse().ok()),
            title: t("title"),
            create_date: t("create_date_iso")
                .or_else(|| t("create_date"))
                .and_then(|s| parse_timestamp(&s)),
            orgid: t("orgid"),
            orgname: t("orgname"),
            stage_id: t("stageid"),
            stage_title: t("stage_title"),
            pipeline_id: t("pipelineid"),
            pipeline_title: t("pipeline_title"),
            value: t("value"),
            value_raw: t("value_raw").and_then(|s| s.replace(',', "").parse().ok()),
            currency: t("currency"),
            currency_symbol: t("currency_symbol"),
            owner: t("owner"),
            owner_first_name: t("owner_firstname"),
            owner_last_name: t("owner_lastname"),
            contact_id: t("contactid").and_then(|s| s.parse().ok()),
            contact_email: t("contact_email"),
            contact_first_name: t("contact_firstname"),
            contact_last_name: t("contact_lastname"),
            status: t("status"),
            fields,
        })
    }
}

/// A trimmed, non-empty text child.
fn text_opt(v: &FormValue, key: &str) -> Option<String> {
    v.text(key)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Flattens a subtree into `a[b]`-style keys relative to `prefix`.
fn flatten_into(v: &FormValue, prefix: &str, out: &mut BTreeMap<String, String>) {
    match v {
        FormValue::Text(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        FormValue::Map(m) => {
            for (k, child) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}[{k}]")
                };
                flatten_into(child, &key, out);
            }
        }
    }
}

/// The `contact[...]` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactBlock {
    /// `contact[id]`.
    pub id: Option<ContactId>,
    /// `contact[email]`.
    pub email: Option<String>,
    /// `contact[first_name]`.
    pub first_name: Option<String>,
    /// `contact[last_name]`.
    pub last_name: Option<String>,
    /// `contact[phone]`.
    pub phone: Option<String>,
    /// `contact[ip]`, or `contact[ip4]` in some payloads.
    pub ip: Option<String>,
    /// `contact[tags]`, split on commas (`"tag1, tag2"` → `["tag1", "tag2"]`).
    pub tags: Vec<String>,
    /// `contact[orgname]`.
    pub orgname: Option<String>,
    /// `contact[customer_acct_name]`.
    pub customer_acct_name: Option<String>,
    /// `contact[fields][KEY]` → `KEY` (lower-case perstag as far as is known; deeper
    /// nesting flattened as `KEY[sub]`).
    pub fields: BTreeMap<String, String>,
}

/// The `campaign[...]` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignBlock {
    /// `campaign[id]`.
    pub id: Option<String>,
    /// `campaign[name]`.
    pub name: Option<String>,
    /// `campaign[status]`.
    pub status: Option<String>,
    /// `campaign[type]` (`single`, ...).
    pub campaign_type: Option<String>,
    /// `campaign[recipients]`.
    pub recipients: Option<u64>,
    /// `campaign[message][id]`.
    pub message_id: Option<String>,
    /// `campaign[message][subject]`.
    pub message_subject: Option<String>,
    /// `campaign[webcopy_url]`.
    pub webcopy_url: Option<String>,
}

/// The `link[...]` block of click events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkBlock {
    /// `link[id]`.
    pub id: Option<String>,
    /// `link[url]`.
    pub url: Option<String>,
}

/// The `bounce[...]` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BounceBlock {
    /// `bounce[type]` (`hard`, `soft`).
    pub bounce_type: Option<String>,
    /// `bounce[code]` (`5.1.1`).
    pub code: Option<String>,
    /// `bounce[description]`.
    pub description: Option<String>,
}

/// The unsubscribe details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnsubscribeBlock {
    /// `unsubscribe[reason]`.
    pub reason: Option<String>,
    /// `form[id]`.
    pub form_id: Option<String>,
    /// The lists left (`list[N][id]`).
    pub lists: Vec<ListId>,
}

/// The created list of a `list_add` event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListBlock {
    /// `list[id]`.
    pub id: Option<ListId>,
    /// `list[name]`.
    pub name: Option<String>,
    /// Every `list[KEY]` sent.
    pub fields: BTreeMap<String, String>,
}

/// One `deal[fields][N][...]` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealFieldValue {
    /// `id`.
    pub id: Option<String>,
    /// `key`.
    pub key: Option<String>,
    /// `value`.
    pub value: Option<String>,
}

/// The `deal[...]` block of `deal_*` events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealBlock {
    /// `deal[id]`.
    pub id: Option<DealId>,
    /// `deal[title]`.
    pub title: Option<String>,
    /// `deal[create_date_iso]` (or `deal[create_date]`).
    pub create_date: Option<DateTime<FixedOffset>>,
    /// `deal[orgid]`.
    pub orgid: Option<String>,
    /// `deal[orgname]`.
    pub orgname: Option<String>,
    /// `deal[stageid]`.
    pub stage_id: Option<String>,
    /// `deal[stage_title]`.
    pub stage_title: Option<String>,
    /// `deal[pipelineid]`.
    pub pipeline_id: Option<String>,
    /// `deal[pipeline_title]`.
    pub pipeline_title: Option<String>,
    /// `deal[value]`, formatted (`"1,044,055.00"`).
    pub value: Option<String>,
    /// `deal[value_raw]` (`1044055`).
    pub value_raw: Option<i64>,
    /// `deal[currency]`.
    pub currency: Option<String>,
    /// `deal[currency_symbol]`.
    pub currency_symbol: Option<String>,
    /// `deal[owner]`.
    pub owner: Option<String>,
    /// `deal[owner_firstname]`.
    pub owner_first_name: Option<String>,
    /// `deal[owner_lastname]`.
    pub owner_last_name: Option<String>,
    /// `deal[contactid]`.
    pub contact_id: Option<ContactId>,
    /// `deal[contact_email]`.
    pub contact_email: Option<String>,
    /// `deal[contact_firstname]`.
    pub contact_first_name: Option<String>,
    /// `deal[contact_lastname]`.
    pub contact_last_name: Option<String>,
    /// `deal[status]`.
    pub status: Option<String>,
    /// `deal[fields][N][id|key|value]`.
    pub fields: Vec<DealFieldValue>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Encodes `key=value` lines (the reference's decoded form) as a form body.
    fn body(lines: &str) -> Vec<u8> {
        let pairs: Vec<(&str, &str)> = lines
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| l.split_once('=').unwrap())
            .collect();
        serde_urlencoded::to_string(pairs).unwrap().into_bytes()
    }

    const OPEN: &str = "
        type=open
        date_time=2026-05-28T09:15:02-05:00
        initiated_from=public
        initiated_by=public
        list=3
        campaign[id]=12
        campaign[name]=May Newsletter
        campaign[status]=5
        campaign[type]=single
        campaign[recipients]=1520
        campaign[message][id]=17
        campaign[message][subject]=Our May news
        campaign[webcopy_url]=https://acme.activehosted.com/index.php?action=social&c=12.17
        contact[id]=42
        contact[email]=jane@example.com
        contact[first_name]=Jane
        contact[last_name]=Doe
        contact[phone]=
        contact[ip]=203.0.113.7
        contact[tags]=customer, newsletter
        contact[orgname]=
        contact[customer_acct_name]=
        contact[fields][utm_source]=google
        customer_acct_name=
        customer_acct_id=0
        orgname=
        User-Agent=Mozilla/5.0 (...)
    ";

    #[test]
    fn golden_open() {
        let p = parse_form(&body(OPEN)).unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Open));
        assert_eq!(
            p.date_time().unwrap().to_rfc3339(),
            "2026-05-28T09:15:02-05:00"
        );
        assert_eq!(p.initiated_from(), Some(WebhookSource::Public));
        assert_eq!(p.initiated_by(), Some("public"));
        assert_eq!(p.list_id(), Some(ListId(3)));
        let c = p.campaign().unwrap();
        assert_eq!(c.id.as_deref(), Some("12"));
        assert_eq!(c.name.as_deref(), Some("May Newsletter"));
        assert_eq!(c.campaign_type.as_deref(), Some("single"));
        assert_eq!(c.recipients, Some(1520));
        assert_eq!(c.message_id.as_deref(), Some("17"));
        assert_eq!(c.message_subject.as_deref(), Some("Our May news"));
        assert_eq!(
            c.webcopy_url.as_deref(),
            Some("https://acme.activehosted.com/index.php?action=social&c=12.17")
        );
        let ct = p.contact().unwrap();
        assert_eq!(ct.id, Some(ContactId(42)));
        assert_eq!(ct.email.as_deref(), Some("jane@example.com"));
        assert_eq!(ct.first_name.as_deref(), Some("Jane"));
        assert_eq!(ct.last_name.as_deref(), Some("Doe"));
        assert_eq!(ct.phone, None);
        assert_eq!(ct.ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(ct.tags, vec!["customer", "newsletter"]);
        assert_eq!(
            ct.fields.get("utm_source").map(String::as_str),
            Some("google")
        );
        assert_eq!(p.user_agent(), Some("Mozilla/5.0 (...)"));
        assert_eq!(p.get("customer_acct_id"), Some("0"));
        assert!(p.link().is_none() && p.bounce().is_none() && p.deal().is_none());
        assert!(p.unsubscribe().is_none());
        assert_eq!(p.pairs().len(), 27);
    }

    #[test]
    fn golden_click() {
        let p = parse_form(&body(&format!(
            "{}\nlink[id]=88\nlink[url]=https://example.com/pricing",
            OPEN.replace("type=open", "type=click")
        )))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Click));
        let l = p.link().unwrap();
        assert_eq!(l.id.as_deref(), Some("88"));
        assert_eq!(l.url.as_deref(), Some("https://example.com/pricing"));
    }

    #[test]
    fn golden_bounce() {
        let p = parse_form(&body(
            "
            type=bounce
            date_time=2026-05-28T09:20:11-05:00
            initiated_from=system
            initiated_by=system
            list=3
            campaign[id]=12
            campaign[name]=May Newsletter
            contact[id]=43
            contact[email]=nobody@invalid.example
            contact[first_name]=
            contact[last_name]=
            contact[tags]=
            bounce[type]=hard
            bounce[code]=5.1.1
            bounce[description]=User unknown",
        ))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Bounce));
        assert_eq!(p.initiated_from(), Some(WebhookSource::System));
        let b = p.bounce().unwrap();
        assert_eq!(b.bounce_type.as_deref(), Some("hard"));
        assert_eq!(b.code.as_deref(), Some("5.1.1"));
        assert_eq!(b.description.as_deref(), Some("User unknown"));
        let c = p.contact().unwrap();
        assert!(c.tags.is_empty());
        assert_eq!(c.first_name, None);
        assert_eq!(p.campaign().unwrap().message_subject, None);
    }

    #[test]
    fn golden_unsubscribe_keeps_both_list_forms() {
        let p = parse_form(&body(
            "
            type=unsubscribe
            date_time=2026-05-28T10:01:44-05:00
            initiated_from=public
            initiated_by=public
            list=3
            campaign[id]=12
            campaign[name]=May Newsletter
            contact[id]=42
            contact[email]=jane@example.com
            contact[first_name]=Jane
            contact[last_name]=Doe
            contact[tags]=customer, newsletter
            unsubscribe[reason]=Too many emails
            list[0][id]=3
            form[id]=
            customer_acct_name=
            customer_acct_id=0
            orgname=",
        ))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Unsubscribe));
        // `list=3` and `list[0][id]=3` both arrive: the flat value stays readable.
        assert_eq!(p.list_id(), Some(ListId(3)));
        let u = p.unsubscribe().unwrap();
        assert_eq!(u.reason.as_deref(), Some("Too many emails"));
        assert_eq!(u.form_id, None);
        assert_eq!(u.lists, vec![ListId(3)]);
        assert_eq!(p.get("list[0][id]"), Some("3"));
    }

    #[test]
    fn golden_sent_has_no_contact() {
        let p = parse_form(&body(
            "
            type=sent
            date_time=2026-05-28T09:00:00-05:00
            initiated_from=admin
            initiated_by=admin
            list=3
            campaign[id]=12
            campaign[name]=May Newsletter
            campaign[status]=2
            campaign[type]=single
            campaign[recipients]=1520
            campaign[message][id]=17
            campaign[message][subject]=Our May news",
        ))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Sent));
        assert_eq!(p.initiated_from(), Some(WebhookSource::Admin));
        assert!(p.contact().is_none());
        assert_eq!(p.campaign().unwrap().status.as_deref(), Some("2"));
    }

    #[test]
    fn golden_contact_tag_added() {
        let p = parse_form(&body(
            "
            type=contact_tag_added
            date_time=2024-02-28T07:04:13-06:00
            initiated_from=admin
            initiated_by=admin
            list=0
            contact[id]=3
            contact[email]=code.test@gmail.com
            contact[first_name]=John
            contact[last_name]=Wick
            contact[phone]=
            contact[ip]=0.0.0.0
            contact[tags]=tag1, tag2
            contact[customer_acct_name]=
            contact[orgname]=
            customer_acct_name=
            customer_acct_id=0
            orgname=
            tag=tag2",
        ))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::ContactTagAdded));
        assert_eq!(p.date_time().unwrap().offset().local_minus_utc(), -6 * 3600);
        assert_eq!(p.list_id(), None);
        assert_eq!(p.tag(), Some("tag2"));
        let c = p.contact().unwrap();
        assert_eq!(c.id, Some(ContactId(3)));
        assert_eq!(c.last_name.as_deref(), Some("Wick"));
        assert_eq!(c.tags, vec!["tag1", "tag2"]);
        let removed =
            parse_form(&body("type=contact_tag_removed\ncontact[id]=3\ntag=tag1")).unwrap();
        assert_eq!(removed.event_type(), Some(WebhookEvent::ContactTagRemoved));
        assert_eq!(removed.tag(), Some("tag1"));
    }

    #[test]
    fn golden_update_subscribe_with_fields_and_ip4() {
        for (t, want) in [
            ("update", WebhookEvent::Update),
            ("subscribe", WebhookEvent::Subscribe),
        ] {
            let p = parse_form(&body(&format!(
                "type={t}\ncontact[id]=9\ncontact[email]=a@b.co\ncontact[ip4]=198.51.100.2\n\
                 contact[fields][utm_source]=newsletter\ncontact[fields][favourite_colour]=||Blue||Red||\n\
                 contact[fields][5]=x"
            )))
            .unwrap();
            assert_eq!(p.event_type(), Some(want));
            let c = p.contact().unwrap();
            assert_eq!(c.ip.as_deref(), Some("198.51.100.2"));
            assert_eq!(c.fields.len(), 3);
            assert_eq!(c.fields["favourite_colour"], "||Blue||Red||");
            assert_eq!(c.fields["5"], "x");
        }
    }

    #[test]
    fn golden_deal_update() {
        let p = parse_form(&body(
            "
            type=deal_update
            date_time=2024-02-28T07:16:48-06:00
            initiated_from=admin
            initiated_by=admin
            list=0
            deal[id]=7
            deal[title]=Big deal
            deal[create_date]=2024-02-27 10:00:00
            deal[create_date_iso]=2024-02-27T10:00:00-06:00
            deal[orgid]=0
            deal[orgname]=
            deal[stageid]=1
            deal[stage_title]=To Contact
            deal[pipelineid]=1
            deal[pipeline_title]=Sales
            deal[value]=1,044,055.00
            deal[value_raw]=1044055
            deal[currency]=usd
            deal[currency_symbol]=$
            deal[owner]=1
            deal[owner_firstname]=Ann
            deal[owner_lastname]=Owner
            deal[contactid]=3
            deal[contact_email]=code.test@gmail.com
            deal[contact_firstname]=John
            deal[contact_lastname]=Wick
            deal[status]=0
            deal[fields][0][id]=1
            deal[fields][0][key]=Deal size
            deal[fields][0][value]=L
            deal[fields][1][id]=2
            deal[fields][1][key]=Region
            deal[fields][1][value]=EU
            updated_fields[]=value
            updated_fields[]=stage",
        ))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::DealUpdate));
        let d = p.deal().unwrap();
        assert_eq!(d.id, Some(DealId(7)));
        assert_eq!(d.title.as_deref(), Some("Big deal"));
        assert_eq!(
            d.create_date.unwrap().to_rfc3339(),
            "2024-02-27T10:00:00-06:00"
        );
        assert_eq!(d.value.as_deref(), Some("1,044,055.00"));
        assert_eq!(d.value_raw, Some(1_044_055));
        assert_eq!(d.currency_symbol.as_deref(), Some("$"));
        assert_eq!(d.contact_id, Some(ContactId(3)));
        assert_eq!(d.pipeline_title.as_deref(), Some("Sales"));
        assert_eq!(d.fields.len(), 2);
        assert_eq!(d.fields[1].key.as_deref(), Some("Region"));
        assert_eq!(d.fields[1].value.as_deref(), Some("EU"));
        assert_eq!(p.updated_fields(), vec!["value", "stage"]);
        assert_eq!(p.get_all("updated_fields[]"), vec!["value", "stage"]);
        for t in [
            "deal_add",
            "deal_note_add",
            "deal_task_add",
            "deal_stage_add",
        ] {
            let p = parse_form(&body(&format!("type={t}\ndeal[id]=1"))).unwrap();
            assert!(
                !matches!(p.event_type(), Some(WebhookEvent::Other(_))),
                "{t}"
            );
            assert_eq!(p.deal().unwrap().id, Some(DealId(1)));
        }
    }

    #[test]
    fn golden_forward_share_reply_list_add() {
        let p = parse_form(&body("type=forward\nforward[count]=2\ncontact[id]=1")).unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Forward));
        assert_eq!(p.get("forward[count]"), Some("2"));
        let p = parse_form(&body(
            "type=share\nshare[network]=twitter\nshare[content]=hi",
        ))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Share));
        assert_eq!(
            p.tree().get("share").unwrap().text("network"),
            Some("twitter")
        );
        let p = parse_form(&body("type=reply\nresult=ok\nmessage=Thanks")).unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::Reply));
        assert_eq!(p.get("message"), Some("Thanks"));
        let p = parse_form(&body(
            "type=list_add\nlist[id]=8\nlist[name]=Customers\nlist[sender_url]=https://x.co",
        ))
        .unwrap();
        assert_eq!(p.event_type(), Some(WebhookEvent::ListAdd));
        let l = p.list_added().unwrap();
        assert_eq!(l.id, Some(ListId(8)));
        assert_eq!(l.name.as_deref(), Some("Customers"));
        assert_eq!(l.fields["sender_url"], "https://x.co");
    }

    #[test]
    fn unknown_types_are_kept_with_raw_fields() {
        let p = parse_form(b"type=sms_whatever&foo%5Bbar%5D=1&seriesid=5").unwrap();
        assert_eq!(
            p.event_type(),
            Some(WebhookEvent::Other("sms_whatever".into()))
        );
        assert_eq!(p.get("foo[bar]"), Some("1"));
        assert_eq!(p.tree().get("foo").unwrap().text("bar"), Some("1"));
        assert_eq!(p.series_id(), Some("5"));
        let empty = parse_form(b"").unwrap();
        assert_eq!(empty.event_type(), None);
        assert!(empty.contact().is_none());
    }

    #[test]
    fn key_splitting_follows_php() {
        assert_eq!(split_key("a"), vec!["a"]);
        assert_eq!(split_key("a[b][c]"), vec!["a", "b", "c"]);
        assert_eq!(split_key("a[]"), vec!["a", ""]);
        assert_eq!(split_key("a[b"), vec!["a[b"]);
        assert_eq!(split_key("[b]"), vec!["[b]"]);
        assert_eq!(split_key("a[b]x"), vec!["a[b]x"]);
        let deep = format!("a{}", "[x]".repeat(100));
        assert_eq!(split_key(&deep), vec![deep.as_str()]);
        // A scalar later replaced by a group, and the reverse.
        let p = WebhookPayload::from_pairs(vec![
            ("a".into(), "1".into()),
            ("a[b]".into(), "2".into()),
            ("c[d]".into(), "3".into()),
            ("c".into(), "4".into()),
        ]);
        assert_eq!(p.tree().get("a").unwrap().text("b"), Some("2"));
        assert_eq!(p.tree().text("c"), Some("4"));
    }

    fn exercise(p: &WebhookPayload) {
        let _ = (
            p.event_type(),
            p.date_time(),
            p.initiated_from(),
            p.initiated_by(),
            p.list_id(),
            p.tag(),
            p.updated_fields(),
            p.contact(),
            p.campaign(),
            p.link(),
            p.bounce(),
            p.unsubscribe(),
            p.list_added(),
            p.deal(),
            p.user_agent(),
            p.series_id(),
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(p) = parse_form(&bytes) {
                exercise(&p);
            }
        }

        #[test]
        fn parsing_never_panics_on_bracket_soup(
            pairs in proptest::collection::vec(
                ("(type|contact|deal|list|campaign|updated_fields|link|bounce|unsubscribe|form)?[\\[\\]a-z0-9_ ]{0,12}",
                 "[ -~]{0,16}"),
                0..24,
            )
        ) {
            let body = serde_urlencoded::to_string(&pairs).unwrap();
            let p = parse_form(body.as_bytes()).unwrap();
            prop_assert_eq!(p.pairs().len(), pairs.len());
            exercise(&p);
        }
    }
}
