//! ac-segment end to end: messages replayed through the executor into an in-process ac-mock,
//! and the account's state read back over the mock's API (raw HTTP, not ac-segment's own
//! reading of it).

mod ambiguous;
mod bulk;
mod calls;
mod every_type;
mod export;
mod faults;
mod order;
mod race;
mod secrets;
mod serve;
mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use ac_client::fields::{FieldInput, FieldType};
use ac_client::lists::ListInput;
use ac_mock::MockServer;
use ac_segment::execute::Executor;
use ac_segment::input::Records;
use ac_segment::replay::{self, Done, ReplayOptions};
use ac_segment::{Settings, Status};
use futures_util::{stream, StreamExt};
use serde_json::Value;

use crate::client_for;

/// Settings for the default flavour pointed at `mock` (API and tracking host).
pub fn settings_for(mock: &MockServer) -> Settings {
    let mut s = Settings::new();
    s.api_url = Some(mock.base_url().to_owned());
    s.api_token = Some(mock.api_token().to_owned().into());
    s.actid = Some(mock.actid().to_owned());
    s.event_key = Some(mock.event_key().to_owned().into());
    s.tracking_url = Some(mock.tracking_url().to_owned());
    s
}

/// An executor over `mock` with no client-side rate limit (the client's default retries).
pub fn executor_for(mock: &MockServer) -> Executor {
    let settings = settings_for(mock);
    let client = settings.client(0).expect("client from settings");
    Executor::new(client, settings)
}

/// A message from JSON.
pub fn message(v: &Value) -> ac_segment::spec::Message {
    ac_segment::spec::Message::from_slice(v.to_string().as_bytes()).expect("a message")
}

/// Replays `messages` (as one NDJSON file) and returns every record's end, in the order the
/// replay reported them.
pub async fn replay_all(
    executor: Executor,
    messages: &[Value],
    options: ReplayOptions,
) -> Vec<Done> {
    let mut text = Vec::new();
    for m in messages {
        text.extend_from_slice(m.to_string().as_bytes());
        text.push(b'\n');
    }
    let records = Records::new(Cursor::new(text));
    let mut rx = replay::spawn(executor, records, options);
    let mut done = Vec::with_capacity(messages.len());
    while let Some(d) = rx.recv().await {
        done.push(d);
    }
    assert_eq!(done.len(), messages.len(), "one end per record");
    done
}

/// Asserts every record was applied, naming the ones that were not.
pub fn assert_all_applied(done: &[Done]) {
    let bad: Vec<String> = done
        .iter()
        .filter(|d| d.outcome.status != Status::Applied)
        .map(|d| {
            format!(
                "{}: {:?} {:?} (calls {:?})",
                d.record.location(),
                d.outcome.status,
                d.outcome.reason,
                d.outcome.calls
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} not applied:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// `GET {base}/api/3/{path}` with the token; the JSON answer (any non-2xx fails the test).
pub async fn api_get(mock: &MockServer, path: &str) -> Value {
    let res = reqwest::Client::new()
        .get(format!("{}/api/3/{path}", mock.base_url()))
        .header("Api-Token", mock.api_token())
        .send()
        .await
        .expect("api call");
    assert!(res.status().is_success(), "GET {path}: {}", res.status());
    res.json().await.expect("JSON answer")
}

/// Every item of a paged list (`limit=100`, `offset` stepping until `meta.total`).
pub async fn api_all(mock: &MockServer, path: &str, key: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    loop {
        let page = api_get(mock, &format!("{path}{sep}limit=100&offset={}", out.len())).await;
        let total = page["meta"]["total"]
            .as_u64()
            .or_else(|| page["meta"]["total"].as_str().and_then(|t| t.parse().ok()));
        let items = page[key].as_array().cloned().unwrap_or_default();
        let n = items.len();
        out.extend(items);
        let done = match total {
            Some(t) => out.len() as u64 >= t,
            None => n < 100,
        };
        if done || n == 0 {
            return out;
        }
    }
}

async fn admin(
    mock: &MockServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut req =
        reqwest::Client::new().request(method, format!("{}/__admin/{path}", mock.base_url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("admin call");
    assert!(res.status().is_success(), "admin {path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

/// Adds a fault rule.
pub async fn add_fault(mock: &MockServer, rule: Value) {
    admin(mock, reqwest::Method::POST, "faults", Some(rule)).await;
}

/// The fault rules in force, each with its `hits`.
pub async fn faults(mock: &MockServer) -> Vec<Value> {
    let f = admin(mock, reqwest::Method::GET, "faults", None).await;
    f["faults"].as_array().cloned().unwrap_or_default()
}

/// Removes every fault rule.
pub async fn clear_faults(mock: &MockServer) {
    admin(mock, reqwest::Method::DELETE, "faults", None).await;
}

/// Empties the request journal.
pub async fn clear_journal(mock: &MockServer) {
    admin(mock, reqwest::Method::DELETE, "requests", None).await;
}

/// The journal's requests (API and tracking host), oldest first: `(method, path, status)`.
pub async fn journal(mock: &MockServer) -> Vec<(String, String, u16)> {
    let j = admin(mock, reqwest::Method::GET, "requests?limit=100000", None).await;
    let mut out: Vec<_> = j["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap_or_default().to_owned(),
                r["path"].as_str().unwrap_or_default().to_owned(),
                r["status"]
                    .as_u64()
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(0),
            )
        })
        .filter(|(_, p, _)| !p.starts_with("/__admin"))
        .collect();
    out.reverse();
    out
}

/// How many journaled requests were `method path`.
pub fn count(journal: &[(String, String, u16)], method: &str, path: &str) -> usize {
    journal
        .iter()
        .filter(|(m, p, _)| m == method && p == path)
        .count()
}

/// The account's fixtures: the custom fields and lists the tests' messages name.
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    /// List "Newsletter".
    pub newsletter: u64,
    /// List "Product Updates".
    pub updates: u64,
}

/// A fresh mock whose journal holds 10,000 requests, with the [`fixture`] in it.
pub async fn mock_with_fixture() -> (MockServer, Fixture) {
    let mock = MockServer::builder()
        .journal_size(10_000)
        .start()
        .await
        .expect("mock");
    let fx = fixture(&mock).await;
    (mock, fx)
}

/// Creates the fields (`Shirt Size` text, `Interests` listbox, `Renewal Date` date,
/// `Plan` dropdown) and two lists in `mock`.
pub async fn fixture(mock: &MockServer) -> Fixture {
    let client = client_for(mock);
    for (title, kind) in [
        ("Shirt Size", FieldType::Text),
        ("Interests", FieldType::Listbox),
        ("Renewal Date", FieldType::Date),
        ("Plan", FieldType::Dropdown),
    ] {
        client
            .fields()
            .create(&FieldInput::new(title, kind))
            .await
            .expect("field");
    }
    let mut ids = Vec::new();
    for (name, stringid) in [
        ("Newsletter", "newsletter"),
        ("Product Updates", "product-updates"),
    ] {
        let list = client
            .lists()
            .create(
                &ListInput::new(name)
                    .slug(stringid)
                    .sender_url("https://example.com")
                    .sender_reminder("You signed up on example.com."),
            )
            .await
            .expect("list");
        ids.push(list.id.0);
    }
    Fixture {
        newsletter: ids[0],
        updates: ids[1],
    }
}

/// One contact as the account holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactState {
    /// The contact's id.
    pub id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Tag names, one entry per contactTag row, sorted.
    pub tags: Vec<String>,
    /// List id → status.
    pub lists: BTreeMap<String, String>,
    /// Field title → value.
    pub fields: BTreeMap<String, String>,
    /// Tracking logs `(type, value)`, sorted.
    pub logs: Vec<(String, String)>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Everything the tests check, read over the API.
#[derive(Debug)]
pub struct AccountState {
    /// Email (lowercase) → contact. Emails held by more than one contact are in `duplicates`.
    pub contacts: BTreeMap<String, ContactState>,
    /// Emails held by more than one contact.
    pub duplicates: Vec<String>,
    /// Tag names, one entry per tag, sorted.
    pub tags: Vec<String>,
    /// Registered event names, sorted.
    pub events: Vec<String>,
    /// Whitelisted domains, sorted.
    pub domains: Vec<String>,
    /// Account name → website.
    pub accounts: BTreeMap<String, String>,
    /// `(contact email, account name)` associations.
    pub account_contacts: BTreeSet<(String, String)>,
}

impl AccountState {
    /// The contact with this email.
    pub fn contact(&self, email: &str) -> &ContactState {
        self.contacts
            .get(&email.to_lowercase())
            .unwrap_or_else(|| panic!("no contact {email}"))
    }

    /// The same state with the ids left out (to compare two accounts).
    pub fn without_ids(&self) -> BTreeMap<String, ContactState> {
        self.contacts
            .iter()
            .map(|(e, c)| {
                (
                    e.clone(),
                    ContactState {
                        id: String::new(),
                        ..c.clone()
                    },
                )
            })
            .collect()
    }

    /// Asserts one contact per email, one tag per name, one contactTag per (contact, tag).
    pub fn assert_no_duplicates(&self) {
        assert!(
            self.duplicates.is_empty(),
            "emails with several contacts: {:?}",
            self.duplicates
        );
        let unique: BTreeSet<_> = self.tags.iter().map(|t| t.to_lowercase()).collect();
        assert_eq!(
            unique.len(),
            self.tags.len(),
            "duplicate tags: {:?}",
            self.tags
        );
        let unique: BTreeSet<_> = self.events.iter().map(|t| t.to_lowercase()).collect();
        assert_eq!(
            unique.len(),
            self.events.len(),
            "duplicate event names: {:?}",
            self.events
        );
        for (email, c) in &self.contacts {
            let unique: BTreeSet<_> = c.tags.iter().collect();
            assert_eq!(
                unique.len(),
                c.tags.len(),
                "{email}: duplicate contactTags {:?}",
                c.tags
            );
        }
    }
}

/// Reads the account's contacts (with names, tags, list statuses, field values and tracking
/// logs), tags, event names, whitelisted domains, accounts and account contacts.
pub async fn read_state(mock: &MockServer) -> AccountState {
    let field_titles: BTreeMap<String, String> = api_all(mock, "fields", "fields")
        .await
        .iter()
        .map(|f| (text(&f["id"]), text(&f["title"])))
        .collect();
    let tag_rows = api_all(mock, "tags", "tags").await;
    let tag_names: BTreeMap<String, String> = tag_rows
        .iter()
        .map(|t| (text(&t["id"]), text(&t["tag"])))
        .collect();
    let contacts = api_all(mock, "contacts", "contacts").await;
    let read = |c: Value| {
        let (field_titles, tag_names) = (&field_titles, &tag_names);
        async move {
            let id = text(&c["id"]);
            let full = api_get(mock, &format!("contacts/{id}")).await;
            let tags = api_get(mock, &format!("contacts/{id}/contactTags")).await;
            let logs = api_all(mock, &format!("contacts/{id}/trackingLogs"), "trackingLogs").await;
            let mut tags: Vec<String> = tags["contactTags"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|ct| {
                    let tag = text(&ct["tag"]);
                    tag_names.get(&tag).cloned().unwrap_or(tag)
                })
                .collect();
            tags.sort();
            let lists = full["contactLists"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|cl| (text(&cl["list"]), text(&cl["status"])))
                .collect();
            let fields = full["fieldValues"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|fv| {
                    let field = text(&fv["field"]);
                    (
                        field_titles.get(&field).cloned().unwrap_or(field),
                        text(&fv["value"]),
                    )
                })
                .collect();
            let mut logs: Vec<(String, String)> = logs
                .iter()
                .map(|l| (text(&l["type"]), text(&l["value"])))
                .collect();
            logs.sort();
            (
                text(&c["email"]).to_lowercase(),
                ContactState {
                    id,
                    first_name: text(&c["firstName"]),
                    last_name: text(&c["lastName"]),
                    tags,
                    lists,
                    fields,
                    logs,
                },
            )
        }
    };
    let rows: Vec<(String, ContactState)> =
        stream::iter(contacts).map(read).buffered(8).collect().await;
    let mut by_email = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (email, c) in rows {
        if by_email.insert(email.clone(), c).is_some() {
            duplicates.push(email);
        }
    }
    let id_to_email: BTreeMap<String, String> = by_email
        .iter()
        .map(|(e, c)| (c.id.clone(), e.clone()))
        .collect();

    let mut tags: Vec<String> = tag_names.into_values().collect();
    tags.sort();
    let mut events: Vec<String> = api_all(mock, "eventTrackingEvents", "eventTrackingEvents")
        .await
        .iter()
        .map(|e| text(&e["name"]))
        .filter(|n| !n.starts_with("__"))
        .collect();
    events.sort();
    let mut domains: Vec<String> = api_get(mock, "siteTrackingDomains").await
        ["siteTrackingDomains"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| text(&d["name"]))
        .collect();
    domains.sort();
    let account_rows = api_all(mock, "accounts", "accounts").await;
    let account_names: BTreeMap<String, String> = account_rows
        .iter()
        .map(|a| (text(&a["id"]), text(&a["name"])))
        .collect();
    let accounts = account_rows
        .iter()
        .map(|a| (text(&a["name"]), text(&a["accountUrl"])))
        .collect();
    let account_contacts = api_all(mock, "accountContacts", "accountContacts")
        .await
        .iter()
        .map(|ac| {
            let contact = text(&ac["contact"]);
            let account = text(&ac["account"]);
            (
                id_to_email.get(&contact).cloned().unwrap_or(contact),
                account_names.get(&account).cloned().unwrap_or(account),
            )
        })
        .collect();
    AccountState {
        contacts: by_email,
        duplicates,
        tags,
        events,
        domains,
        accounts,
        account_contacts,
    }
}

/// AC's email-event webhook to `url` (sent, open, click, bounce, unsubscribe from every
/// source), then the source direction's campaign: ada@example.com on the newsletter, a campaign
/// "May Newsletter" and its five simulated events. Returns the campaign id.
pub async fn campaign_to_webhook(mock: &MockServer, fx: Fixture, urls: &[String]) -> String {
    use ac_client::webhooks::{WebhookEvent, WebhookInput, WebhookSource};
    use serde_json::json;
    let client = client_for(mock);
    for url in urls {
        client
            .webhooks()
            .create(
                &WebhookInput::new("email events", url)
                    .events([
                        WebhookEvent::Sent,
                        WebhookEvent::Open,
                        WebhookEvent::Click,
                        WebhookEvent::Bounce,
                        WebhookEvent::Unsubscribe,
                    ])
                    .sources([
                        WebhookSource::Public,
                        WebhookSource::Admin,
                        WebhookSource::Api,
                        WebhookSource::System,
                    ]),
            )
            .await
            .expect("webhook");
    }
    let contact = client
        .contacts()
        .sync(&ac_client::contacts::ContactInput::new("ada@example.com").first_name("Ada"))
        .await
        .expect("contact")
        .contact;
    client
        .lists()
        .subscribe(contact.id, ac_client::ListId(fx.newsletter))
        .await
        .expect("subscribe");
    let campaign = admin(
        mock,
        reqwest::Method::POST,
        "campaigns",
        Some(json!({"name":"May Newsletter","subject":"Our May news","list": fx.newsletter.to_string()})),
    )
    .await;
    let id = campaign["id"].as_str().expect("campaign id").to_owned();
    for event in [
        json!({"type":"sent"}),
        json!({"type":"open","email":"ada@example.com"}),
        json!({"type":"click","email":"ada@example.com","link_url":"https://example.com/pricing"}),
        json!({"type":"bounce","email":"ada@example.com","bounce_type":"hard"}),
        json!({"type":"unsubscribe","email":"ada@example.com","reason":"Too many emails"}),
    ] {
        admin(
            mock,
            reqwest::Method::POST,
            &format!("campaigns/{id}/events"),
            Some(event),
        )
        .await;
    }
    id
}
