//! The source direction: an AC webhook (as parsed by [`ac_client::webhook_payload`]) becomes
//! zero or one Segment `track` email event (MAPPING.md "Source: AC webhook → Segment track").
//!
//! | AC `type` | Segment event | properties (strings) |
//! |---|---|---|
//! | `open` | Email Opened | `email_id`, `email_subject`, `campaign_id`, `campaign_name`, `list_id` |
//! | `click` | Email Link Clicked | the above + `link_id`, `link_url` |
//! | `bounce` | Email Bounced | campaign fields + `bounce_type`, `bounce_code`, `bounce_description` |
//! | `unsubscribe` | Email Unsubscribed (configurable) | campaign fields + `list_id`, `unsubscribe_reason` |
//! | `sent` | Email Sent, only when it names a contact | campaign fields |
//! | others | dropped with the reason, or passed through as a `track` named by the type | |
//!
//! AC has no public webhook for Email Delivered or Email Marked as Spam, so neither is ever
//! produced. The `messageId` is a stable hash of the type, `date_time`, contact id, campaign id
//! and link id, so AC's at-least-once deliveries deduplicate downstream.
//!
//! ```
//! use ac_client::webhook_payload::parse_form;
//! use ac_segment::source::{webhook_to_track, Converted, SourceOptions};
//!
//! let body = b"type=open&date_time=2024-05-01T10%3A15%3A30-05%3A00&list=3\
//! &campaign%5Bid%5D=42&campaign%5Bname%5D=May+Newsletter&campaign%5Bmessage%5D%5Bsubject%5D=Our+May+update\
//! &contact%5Bid%5D=1001&contact%5Bemail%5D=jane.kim%40example.com";
//! let Converted::Track(t) = webhook_to_track(&parse_form(body)?, &SourceOptions::default()) else { panic!() };
//! assert_eq!(t["event"], "Email Opened");
//! assert_eq!(t["anonymousId"], "jane.kim@example.com");
//! assert_eq!(t["properties"]["campaign_name"], "May Newsletter");
//! assert_eq!(t["timestamp"], "2024-05-01T10:15:30-05:00");
//! # Ok::<(), ac_client::Error>(())
//! ```

use ac_client::webhook_payload::WebhookPayload;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::spec::loose_eq;

/// How webhooks become events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceOptions {
    /// The custom field (perstag or id, as the webhook keys `contact[fields][...]`) holding the
    /// Segment `userId`; without it, or when the contact has none, `anonymousId` is the email.
    pub user_id_field: Option<String>,
    /// The event for `unsubscribe` (Segment's AC source says `Email Unsubscribed`; the email
    /// spec says `Unsubscribed`).
    pub unsubscribed_event: String,
    /// Pass webhooks that are not email events through as a `track` named by their type,
    /// instead of dropping them.
    pub pass_through: bool,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            user_id_field: None,
            unsubscribed_event: "Email Unsubscribed".to_owned(),
            pass_through: false,
        }
    }
}

/// What a webhook became.
#[derive(Debug, Clone, PartialEq)]
pub enum Converted {
    /// One Segment `track` message.
    Track(Value),
    /// Nothing, and why.
    Dropped {
        /// Why.
        reason: String,
    },
}

fn put(props: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        props.insert(key.to_owned(), Value::String(v.to_owned()));
    }
}

/// The campaign properties every email event carries.
fn campaign_properties(p: &WebhookPayload) -> Map<String, Value> {
    let mut props = Map::new();
    if let Some(c) = p.campaign() {
        put(
            &mut props,
            "email_id",
            c.message_id.as_deref().or(c.id.as_deref()),
        );
        put(&mut props, "email_subject", c.message_subject.as_deref());
        put(&mut props, "campaign_id", c.id.as_deref());
        put(&mut props, "campaign_name", c.name.as_deref());
    }
    let list = p.get("list").filter(|l| l.trim() != "0");
    put(&mut props, "list_id", list);
    props
}

/// The stable `messageId`: a hash of type, date_time, contact id, campaign id and link id.
pub fn message_id(p: &WebhookPayload) -> String {
    let mut h = Sha256::new();
    for key in [
        "type",
        "date_time",
        "contact[id]",
        "campaign[id]",
        "link[id]",
    ] {
        h.update(p.get(key).unwrap_or("").trim().as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut out = String::from("ac-");
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Converts one webhook.
pub fn webhook_to_track(p: &WebhookPayload, options: &SourceOptions) -> Converted {
    let drop = |reason: String| Converted::Dropped { reason };
    let Some(kind) = p.type_str().map(str::trim).filter(|t| !t.is_empty()) else {
        return drop("the webhook has no `type`".to_owned());
    };
    let contact = p.contact();
    let email = contact
        .as_ref()
        .and_then(|c| c.email.as_deref())
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let (event, mut props) = match kind {
        "open" => ("Email Opened".to_owned(), campaign_properties(p)),
        "click" => {
            let mut props = campaign_properties(p);
            if let Some(l) = p.link() {
                put(&mut props, "link_id", l.id.as_deref());
                put(&mut props, "link_url", l.url.as_deref());
            }
            ("Email Link Clicked".to_owned(), props)
        }
        "bounce" => {
            let mut props = campaign_properties(p);
            if let Some(b) = p.bounce() {
                put(&mut props, "bounce_type", b.bounce_type.as_deref());
                put(&mut props, "bounce_code", b.code.as_deref());
                put(&mut props, "bounce_description", b.description.as_deref());
            }
            ("Email Bounced".to_owned(), props)
        }
        "unsubscribe" => {
            let mut props = campaign_properties(p);
            if let Some(u) = p.unsubscribe() {
                if !props.contains_key("list_id") && !u.lists.is_empty() {
                    let lists: Vec<String> = u.lists.iter().map(|l| l.to_string()).collect();
                    props.insert("list_id".into(), Value::String(lists.join(",")));
                }
                put(&mut props, "unsubscribe_reason", u.reason.as_deref());
            }
            (options.unsubscribed_event.clone(), props)
        }
        "sent" if email.is_some() => ("Email Sent".to_owned(), campaign_properties(p)),
        "sent" => {
            return drop(
                "a `sent` webhook is campaign-level (it names no contact): no per-person event"
                    .to_owned(),
            )
        }
        other if options.pass_through => {
            let mut props = Map::new();
            for (k, v) in p.flat() {
                if k != "type" && !k.starts_with("contact[") {
                    props.insert(k.clone(), Value::String(v.clone()));
                }
            }
            (other.to_owned(), props)
        }
        other => {
            return drop(format!(
                "`{other}` is not an email event (enable pass-through to forward it as a track)"
            ))
        }
    };
    let Some(email) = email else {
        return drop(format!("the `{kind}` webhook names no contact email"));
    };
    if event.is_empty() {
        return drop("empty event name".to_owned());
    }
    let user_id = options.user_id_field.as_deref().and_then(|f| {
        contact.as_ref().and_then(|c| {
            c.fields
                .iter()
                .find(|(k, _)| loose_eq(k, f))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
    });
    let mut context = json!({"traits": {"email": email}});
    if let Some(ua) = p.user_agent() {
        context["userAgent"] = Value::String(ua.to_owned());
    }
    props.retain(|_, v| !v.is_null());
    let mut track = json!({
        "type": "track",
        "event": event,
        "properties": props,
        "context": context,
        "messageId": message_id(p),
    });
    match user_id {
        Some(u) => track["userId"] = Value::String(u),
        None => track["anonymousId"] = Value::String(email.to_owned()),
    }
    if let Some(t) = p.date_time() {
        track["timestamp"] = Value::String(t.to_rfc3339());
    }
    Converted::Track(track)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ac_client::webhook_payload::parse_form;

    fn form(pairs: &[(&str, &str)]) -> WebhookPayload {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        parse_form(body.as_bytes()).unwrap()
    }

    const CAMPAIGN: [(&str, &str); 8] = [
        ("date_time", "2024-05-01T10:15:30-05:00"),
        ("list", "3"),
        ("campaign[id]", "42"),
        ("campaign[name]", "May Newsletter"),
        ("campaign[message][id]", "57"),
        ("campaign[message][subject]", "Our May update"),
        ("contact[id]", "1001"),
        ("contact[email]", "jane.kim@example.com"),
    ];

    fn with(kind: &str, extra: &[(&str, &str)]) -> WebhookPayload {
        let mut pairs = vec![("type", kind)];
        pairs.extend_from_slice(&CAMPAIGN);
        pairs.extend_from_slice(extra);
        form(&pairs)
    }

    fn track(p: &WebhookPayload, o: &SourceOptions) -> Value {
        match webhook_to_track(p, o) {
            Converted::Track(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn open_click_bounce_unsubscribe_sent() {
        let o = SourceOptions::default();
        let t = track(
            &with("open", &[("contact[fields][segment_user_id]", "ze8")]),
            &o,
        );
        assert_eq!(
            t["properties"],
            json!({"email_id":"57","email_subject":"Our May update","campaign_id":"42",
                   "campaign_name":"May Newsletter","list_id":"3"})
        );
        assert_eq!(t["context"]["traits"]["email"], "jane.kim@example.com");
        assert_eq!(t["anonymousId"], "jane.kim@example.com");
        assert!(t.get("userId").is_none());

        let t = track(
            &with(
                "click",
                &[("link[id]", "9"), ("link[url]", "https://x.io/p")],
            ),
            &o,
        );
        assert_eq!(t["event"], "Email Link Clicked");
        assert_eq!(t["properties"]["link_url"], "https://x.io/p");

        let t = track(
            &with(
                "bounce",
                &[("bounce[type]", "hard"), ("bounce[code]", "5.1.1")],
            ),
            &o,
        );
        assert_eq!(t["event"], "Email Bounced");
        assert_eq!(t["properties"]["bounce_type"], "hard");
        assert_eq!(t["properties"]["bounce_code"], "5.1.1");

        let t = track(
            &with("unsubscribe", &[("unsubscribe[reason]", "Too many emails")]),
            &o,
        );
        assert_eq!(t["event"], "Email Unsubscribed");
        assert_eq!(t["properties"]["unsubscribe_reason"], "Too many emails");
        let custom = SourceOptions {
            unsubscribed_event: "Unsubscribed".into(),
            ..SourceOptions::default()
        };
        assert_eq!(
            track(&with("unsubscribe", &[]), &custom)["event"],
            "Unsubscribed"
        );

        assert_eq!(track(&with("sent", &[]), &o)["event"], "Email Sent");
        let campaign_only = form(&[("type", "sent"), ("campaign[id]", "42")]);
        assert!(matches!(
            webhook_to_track(&campaign_only, &o),
            Converted::Dropped { reason } if reason.contains("campaign-level")
        ));
    }

    #[test]
    fn public_unsubscribes_list_the_lists_left() {
        let p = form(&[
            ("type", "unsubscribe"),
            ("list[0][id]", "3"),
            ("list[1][id]", "5"),
            ("contact[email]", "a@b.co"),
        ]);
        let t = track(&p, &SourceOptions::default());
        assert_eq!(t["properties"]["list_id"], "3,5");
    }

    #[test]
    fn user_id_from_the_configured_field() {
        let o = SourceOptions {
            user_id_field: Some("SEGMENT_USER_ID".into()),
            ..SourceOptions::default()
        };
        let t = track(
            &with("open", &[("contact[fields][segment_user_id]", "ze8")]),
            &o,
        );
        assert_eq!(t["userId"], "ze8");
        assert!(t.get("anonymousId").is_none());
        let t = track(&with("open", &[]), &o);
        assert_eq!(t["anonymousId"], "jane.kim@example.com");
    }

    #[test]
    fn message_ids_are_stable_and_distinct() {
        let a = track(
            &with("click", &[("link[id]", "9")]),
            &SourceOptions::default(),
        );
        let b = track(
            &with("click", &[("link[id]", "9")]),
            &SourceOptions::default(),
        );
        let c = track(
            &with("click", &[("link[id]", "10")]),
            &SourceOptions::default(),
        );
        assert_eq!(a["messageId"], b["messageId"]);
        assert_ne!(a["messageId"], c["messageId"]);
        assert_eq!(a["messageId"].as_str().map(str::len), Some(35));
    }

    #[test]
    fn other_types_are_dropped_or_passed_through() {
        let p = form(&[
            ("type", "contact_tag_added"),
            ("tag", "vip"),
            ("contact[email]", "a@b.co"),
        ]);
        assert!(matches!(
            webhook_to_track(&p, &SourceOptions::default()),
            Converted::Dropped { reason } if reason.contains("not an email event")
        ));
        let o = SourceOptions {
            pass_through: true,
            ..SourceOptions::default()
        };
        let t = track(&p, &o);
        assert_eq!(t["event"], "contact_tag_added");
        assert_eq!(t["properties"], json!({"tag":"vip"}));
        assert!(matches!(
            webhook_to_track(&form(&[("contact[email]", "a@b.co")]), &o),
            Converted::Dropped { .. }
        ));
        assert!(matches!(
            webhook_to_track(&form(&[("type", "open")]), &o),
            Converted::Dropped { reason } if reason.contains("no contact email")
        ));
    }
}
