//! The webhook payloads (reference §10.2/§10.3): AC-shaped form fields with PHP-style bracketed
//! keys, built from the store's [`Change`]s after each API request or from a simulated campaign
//! event, one [`Outgoing`] per matching webhook.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, Utc};

use crate::account_id::AccountId;
use crate::campaigns::{Campaign, CampaignEventType};
use crate::store::{Change, Store};

/// One webhook POST waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The mock's account.
    pub account: AccountId,
    /// The webhook's id in that account.
    pub webhook: u64,
    /// Where to POST.
    pub url: String,
    /// Event name (`type`).
    pub event: String,
    /// The form fields, in order.
    pub form: Vec<(String, String)>,
}

impl Outgoing {
    /// The form-encoded body (`contact%5Bemail%5D=...`).
    pub fn body(&self) -> String {
        serde_urlencoded::to_string(&self.form).unwrap_or_default()
    }
}

/// Who caused an event: `initiated_from` (matched against a webhook's `sources`) and
/// `initiated_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// `public`, `admin`, `api` or `system`.
    pub from: &'static str,
    /// The actor.
    pub by: &'static str,
}

impl Origin {
    /// A change made through the API.
    pub const API: Origin = Origin {
        from: "api",
        by: "api",
    };
}

pub(super) type Form = Vec<(String, String)>;

pub(super) fn push(form: &mut Form, k: &str, v: impl Into<String>) {
    form.push((k.to_string(), v.into()));
}

fn head(
    form: &mut Form,
    event: &str,
    origin: Origin,
    list: u64,
    now: DateTime<Utc>,
    offset: FixedOffset,
) {
    push(form, "type", event);
    push(
        form,
        "date_time",
        now.with_timezone(&offset)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    );
    push(form, "initiated_from", origin.from);
    push(form, "initiated_by", origin.by);
    push(form, "list", list.to_string());
}

/// The customer account (organisation) a contact belongs to: (id, name).
fn customer_account(store: &Store, contact: u64) -> (u64, String) {
    store
        .account_contacts
        .iter()
        .find(|ac| ac.contact == contact)
        .and_then(|ac| store.accounts.get(ac.account))
        .map(|a| (a.id, a.name.clone()))
        .unwrap_or((0, String::new()))
}

/// The `contact[...]` block plus the top-level `customer_acct_*`/`orgname` keys; `None` when
/// the contact no longer exists.
fn contact_block(form: &mut Form, store: &Store, contact: u64) -> Option<()> {
    let c = store.contacts.get(contact)?;
    let tags: Vec<String> = store
        .contact_tags
        .iter()
        .filter(|ct| ct.contact == contact)
        .filter_map(|ct| store.tags.get(ct.tag).map(|t| t.tag.clone()))
        .collect();
    let (acct_id, acct_name) = customer_account(store, contact);
    push(form, "contact[id]", c.id.to_string());
    push(form, "contact[email]", c.email.clone());
    push(form, "contact[first_name]", c.first_name.clone());
    push(form, "contact[last_name]", c.last_name.clone());
    push(form, "contact[phone]", c.phone.clone());
    push(form, "contact[ip]", "0.0.0.0");
    push(form, "contact[tags]", tags.join(", "));
    push(form, "contact[orgname]", c.orgname.clone());
    push(form, "contact[customer_acct_name]", acct_name.clone());
    for fv in store.field_values.iter().filter(|fv| fv.contact == contact) {
        if let Some(f) = store.fields.get(fv.field) {
            push(
                form,
                &format!("contact[fields][{}]", f.perstag.to_lowercase()),
                fv.value.clone(),
            );
        }
    }
    push(form, "customer_acct_name", acct_name);
    push(form, "customer_acct_id", acct_id.to_string());
    push(form, "orgname", c.orgname.clone());
    Some(())
}

fn to_hooks(
    store: &Store,
    account: AccountId,
    event: &str,
    origin: Origin,
    list: u64,
    form: &Form,
    out: &mut Vec<Outgoing>,
) {
    for w in store.webhooks.iter() {
        if w.matches(event, origin.from, list) {
            out.push(Outgoing {
                account,
                webhook: w.id,
                url: w.url.clone(),
                event: event.to_string(),
                form: form.clone(),
            });
        }
    }
}

/// The webhooks that the changes of one API request fire, built while the store is at hand.
pub fn from_changes(
    store: &Store,
    account: AccountId,
    changes: &[Change],
    origin: Origin,
    now: DateTime<Utc>,
    offset: FixedOffset,
) -> Vec<Outgoing> {
    let mut out = Vec::new();
    if store.webhooks.iter().all(|w| !w.active) {
        return out;
    }
    let created: BTreeSet<u64> = changes
        .iter()
        .filter_map(|c| match c {
            Change::ContactCreated { contact } => Some(*contact),
            _ => None,
        })
        .collect();
    let mut updated = BTreeSet::new();
    for change in changes {
        let (event, contact, list, tag) = match change {
            Change::ContactSubscribed { contact, list } => ("subscribe", *contact, *list, None),
            Change::ContactUnsubscribed { contact, list } => ("unsubscribe", *contact, *list, None),
            Change::ContactUpdated { contact } | Change::FieldValueSet { contact, .. } => {
                if created.contains(contact) || !updated.insert(*contact) {
                    continue;
                }
                ("update", *contact, 0, None)
            }
            Change::ContactTagAdded { contact, tag } => {
                ("contact_tag_added", *contact, 0, Some(*tag))
            }
            Change::ContactTagRemoved { contact, tag } => {
                ("contact_tag_removed", *contact, 0, Some(*tag))
            }
            // Bulk imports fire no webhooks (reference §9); other changes have no event here.
            _ => continue,
        };
        let mut form = Form::new();
        head(&mut form, event, origin, list, now, offset);
        if contact_block(&mut form, store, contact).is_none() {
            continue;
        }
        if let Some(tag) = tag {
            let name = store
                .tags
                .get(tag)
                .map(|t| t.tag.clone())
                .unwrap_or_default();
            push(&mut form, "tag", name);
        }
        to_hooks(store, account, event, origin, list, &form, &mut out);
    }
    deal_events(store, account, changes, origin, now, offset, &mut out);
    out
}

/// `deal_add` for each deal created, then one `deal_update` per other deal updated (with every
/// attribute its updates changed in `updated_fields`); account-level, so `list` is 0.
fn deal_events(
    store: &Store,
    account: AccountId,
    changes: &[Change],
    origin: Origin,
    now: DateTime<Utc>,
    offset: FixedOffset,
    out: &mut Vec<Outgoing>,
) {
    let mut added = Vec::new();
    let mut updated: Vec<(u64, Vec<String>)> = Vec::new();
    for change in changes {
        match change {
            Change::DealCreated { deal } => added.push(*deal),
            Change::DealUpdated { deal, fields } if !added.contains(deal) => {
                match updated.iter_mut().find(|(d, _)| d == deal) {
                    Some((_, all)) => {
                        for f in fields {
                            if !all.contains(f) {
                                all.push(f.clone());
                            }
                        }
                    }
                    None => updated.push((*deal, fields.clone())),
                }
            }
            _ => {}
        }
    }
    let events = added
        .into_iter()
        .map(|d| ("deal_add", d, Vec::new()))
        .chain(updated.into_iter().map(|(d, f)| ("deal_update", d, f)));
    for (event, deal, fields) in events {
        let mut form = Form::new();
        head(&mut form, event, origin, 0, now, offset);
        if deal_block(&mut form, store, deal, offset).is_none() {
            continue;
        }
        for (i, f) in fields.into_iter().enumerate() {
            push(&mut form, &format!("updated_fields[{i}]"), f);
        }
        to_hooks(store, account, event, origin, 0, &form, out);
    }
}

/// The `deal[...]` block of deal webhooks (reference §10.2, keys in the order listed there).
/// The mock has one user (id 1, "Admin User") and no deal custom-field definitions, so
/// `deal[fields][n][key]` is the field's id.
fn deal_block(form: &mut Form, store: &Store, deal: u64, offset: FixedOffset) -> Option<()> {
    let d = store.deals.get(deal)?;
    let org = d.account.and_then(|a| store.accounts.get(a));
    let stage = store.pipelines.stages.get(d.stage);
    let pipeline = store.pipelines.groups.get(d.group);
    let contact = d.contact.and_then(|c| store.contacts.get(c));
    let text = |v: Option<&str>| v.unwrap_or_default().to_string();
    push(form, "deal[id]", d.id.to_string());
    push(form, "deal[title]", d.title.clone());
    push(
        form,
        "deal[create_date]",
        crate::reply::naive(d.cdate, offset),
    );
    push(
        form,
        "deal[create_date_iso]",
        crate::reply::ts(d.cdate, offset),
    );
    push(form, "deal[orgid]", d.account.unwrap_or(0).to_string());
    push(form, "deal[orgname]", text(org.map(|a| a.name.as_str())));
    push(form, "deal[stageid]", d.stage.to_string());
    push(
        form,
        "deal[stage_title]",
        text(stage.map(|s| s.title.as_str())),
    );
    push(form, "deal[pipelineid]", d.group.to_string());
    push(
        form,
        "deal[pipeline_title]",
        text(pipeline.map(|p| p.title.as_str())),
    );
    push(form, "deal[value]", money(d.value));
    push(form, "deal[value_raw]", money_raw(d.value));
    push(form, "deal[currency]", d.currency.clone());
    push(form, "deal[currency_symbol]", currency_symbol(&d.currency));
    push(form, "deal[owner]", d.owner.to_string());
    let (first, last) = if d.owner == 1 {
        ("Admin", "User")
    } else {
        ("", "")
    };
    push(form, "deal[owner_firstname]", first);
    push(form, "deal[owner_lastname]", last);
    push(form, "deal[contactid]", d.contact.unwrap_or(0).to_string());
    push(
        form,
        "deal[contact_email]",
        text(contact.map(|c| c.email.as_str())),
    );
    push(
        form,
        "deal[contact_firstname]",
        text(contact.map(|c| c.first_name.as_str())),
    );
    push(
        form,
        "deal[contact_lastname]",
        text(contact.map(|c| c.last_name.as_str())),
    );
    push(form, "deal[status]", d.status.to_string());
    for (i, (field, value)) in d.fields.iter().enumerate() {
        push(form, &format!("deal[fields][{i}][id]"), field.to_string());
        push(form, &format!("deal[fields][{i}][key]"), field.to_string());
        push(form, &format!("deal[fields][{i}][value]"), value.clone());
    }
    Some(())
}

/// Cents as AC formats a deal's value in webhooks: `1,044,055.00`.
fn money(cents: u64) -> String {
    let units = (cents / 100).to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3 + 3);
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{grouped}.{:02}", cents % 100)
}

/// Cents as the unformatted `value_raw`: whole units (`1044055`), with two decimals only when
/// there are cents (`10.50`).
fn money_raw(cents: u64) -> String {
    if cents.is_multiple_of(100) {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// The symbol AC shows next to an amount in this (lower-case) currency; the upper-case code
/// for currencies without a common symbol.
fn currency_symbol(code: &str) -> String {
    match code {
        "usd" | "aud" | "cad" | "nzd" | "mxn" | "sgd" | "hkd" => "$".into(),
        "eur" => "€".into(),
        "gbp" => "£".into(),
        "jpy" | "cny" => "¥".into(),
        "inr" => "₹".into(),
        "brl" => "R$".into(),
        "chf" => "CHF".into(),
        other => other.to_uppercase(),
    }
}

/// What a simulated campaign event carries besides the campaign and contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignExtras {
    /// Click: the link's id.
    pub link_id: Option<u64>,
    /// Click: the link's URL.
    pub link_url: Option<String>,
    /// Bounce: `hard` or `soft`.
    pub bounce_type: Option<String>,
    /// Unsubscribe reason or bounce description.
    pub reason: Option<String>,
}

/// The webhooks a simulated campaign event fires (contact `None` for `sent`).
#[allow(clippy::too_many_arguments)]
pub fn from_campaign_event(
    store: &Store,
    account: AccountId,
    campaign: &Campaign,
    event: CampaignEventType,
    contact: Option<u64>,
    extras: &CampaignExtras,
    now: DateTime<Utc>,
    offset: FixedOffset,
) -> Vec<Outgoing> {
    let source = event.source();
    let origin = Origin {
        from: source,
        by: source,
    };
    let name = event.as_str();
    let mut form = Form::new();
    head(&mut form, name, origin, campaign.list, now, offset);
    let c = campaign.id.to_string();
    push(&mut form, "campaign[id]", c.clone());
    push(&mut form, "campaign[name]", campaign.name.clone());
    if event != CampaignEventType::Bounce && event != CampaignEventType::Unsubscribe {
        let recipients = store
            .contact_lists
            .iter()
            .filter(|m| m.list == campaign.list && m.status == 1)
            .count();
        push(
            &mut form,
            "campaign[status]",
            if event == CampaignEventType::Sent {
                "2"
            } else {
                "5"
            },
        );
        push(&mut form, "campaign[type]", "single");
        push(&mut form, "campaign[recipients]", recipients.to_string());
        push(&mut form, "campaign[message][id]", c.clone());
        push(
            &mut form,
            "campaign[message][subject]",
            campaign.subject.clone(),
        );
    }
    if let Some(contact) = contact {
        if contact_block(&mut form, store, contact).is_none() {
            return Vec::new();
        }
    }
    match event {
        CampaignEventType::Click => {
            push(
                &mut form,
                "link[id]",
                extras.link_id.unwrap_or(1).to_string(),
            );
            push(
                &mut form,
                "link[url]",
                extras.link_url.clone().unwrap_or_default(),
            );
        }
        CampaignEventType::Bounce => {
            let hard = extras.bounce_type.as_deref() != Some("soft");
            push(
                &mut form,
                "bounce[type]",
                if hard { "hard" } else { "soft" },
            );
            push(
                &mut form,
                "bounce[code]",
                if hard { "5.1.1" } else { "4.2.2" },
            );
            push(
                &mut form,
                "bounce[description]",
                extras
                    .reason
                    .clone()
                    .unwrap_or_else(|| if hard { "User unknown" } else { "Mailbox full" }.into()),
            );
        }
        CampaignEventType::Unsubscribe => {
            push(
                &mut form,
                "unsubscribe[reason]",
                extras.reason.clone().unwrap_or_default(),
            );
            push(&mut form, "list[0][id]", campaign.list.to_string());
            push(&mut form, "form[id]", "");
        }
        CampaignEventType::Sent | CampaignEventType::Open => {}
    }
    let mut out = Vec::new();
    to_hooks(store, account, name, origin, campaign.list, &form, &mut out);
    out
}

#[cfg(test)]
mod deal_format_tests {
    use super::*;

    #[test]
    fn deal_amounts_and_currency_symbols() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(99_999), "999.99");
        assert_eq!(money(100_000), "1,000.00");
        assert_eq!(money(104_405_500), "1,044,055.00");
        assert_eq!(money(123_456_789_012), "1,234,567,890.12");
        assert_eq!(money_raw(104_405_500), "1044055");
        assert_eq!(money_raw(1_050), "10.50");
        assert_eq!(money_raw(7), "0.07");
        assert_eq!(currency_symbol("usd"), "$");
        assert_eq!(currency_symbol("eur"), "€");
        assert_eq!(currency_symbol("gbp"), "£");
        assert_eq!(currency_symbol("sek"), "SEK");
    }
}
