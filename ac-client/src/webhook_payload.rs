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
use crate::ids::{AutomationId, ContactId, DealId, ListId};
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

    /// The automation of an automation "webhook" action (AC's `seriesid`), typed so it goes
    /// straight back into the API (`ContactQuery::automation`).
    pub fn automation_id(&self) -> Option<AutomationId> {
        self.non_empty("seriesid").and_then(|s| s.parse().ok())
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

impl DealBlock {
    /// The deal's amount in cents (the unit of the deals API), from `deal[value]`
    /// (`"1,044,055.00"`, `"10.50"`) or else `deal[value_raw]`; `None` when neither reads as an
    /// amount.
    pub fn value_cents(&self) -> Option<i64> {
        self.value
            .as_deref()
            .and_then(cents_of)
            .or_else(|| self.value_raw.and_then(|units| units.checked_mul(100)))
    }
}

/// `"1,044,055.00"` → 104405500; at most two decimals, an optional leading `-`.
fn cents_of(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', "");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (units, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if units.is_empty()
        || fraction.len() > 2
        || !units
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = units
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(fraction)?;
    Some(if negative { -cents } else { cents })
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
    /// `deal[value_raw]` in whole currency units (`1044055`); `None` when it is missing or not a
    /// whole number (an amount with cents) — [`DealBlock::value_cents`] reads either form.
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
mod tests;
