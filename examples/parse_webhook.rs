//! Receive and parse ActiveCampaign webhooks.
//!
//! ```sh
//! cargo run --example parse_webhook
//! ```
//!
//! AC delivers webhooks as form-encoded POSTs with PHP-style bracketed keys
//! (`contact[email]=...&campaign[id]=...`). `ac_client::webhook_payload::parse_form` turns such
//! a body into a typed payload: event type, source, contact, campaign, link, bounce, deal blocks,
//! with every raw field still available and unknown event types kept rather than rejected.
//!
//! Part 1 parses a body captured from AC. Part 2 (on the in-process mock only, since AC cannot
//! reach this machine) runs a receiver with axum, registers it as a webhook, makes changes, and
//! parses what arrives.

mod common;

use std::time::Duration;

use ac_client::contacts::ContactInput;
use ac_client::lists::ListInput;
use ac_client::webhook_payload::{parse_form, WebhookPayload};
use ac_client::webhooks::{WebhookEvent, WebhookInput, WebhookSource};
use axum::body::Bytes;
use axum::routing::post;
use axum::Router;
use tokio::sync::mpsc;

/// A `contact_tag_added` body as AC sends it (from a captured delivery).
const CAPTURED: &str = "type=contact_tag_added&date_time=2024-02-28T07%3A04%3A13-06%3A00\
&initiated_from=admin&initiated_by=admin&list=0&contact%5Bid%5D=3\
&contact%5Bemail%5D=code.test%40gmail.com&contact%5Bfirst_name%5D=John\
&contact%5Blast_name%5D=Wick&contact%5Bphone%5D=&contact%5Bip%5D=0.0.0.0\
&contact%5Btags%5D=tag1%2C+tag2&contact%5Bcustomer_acct_name%5D=&contact%5Borgname%5D=\
&customer_acct_name=&customer_acct_id=0&orgname=&tag=tag2";

fn describe(p: &WebhookPayload) -> String {
    let contact = p.contact().unwrap_or_default();
    let mut line = format!(
        "{} from {} at {}: contact {} <{}> tags {:?}",
        p.type_str().unwrap_or("?"),
        p.initiated_from()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        p.date_time().map(|t| t.to_rfc3339()).unwrap_or_default(),
        contact.id.map(|id| id.to_string()).unwrap_or_default(),
        contact.email.unwrap_or_default(),
        contact.tags,
    );
    if let Some(tag) = p.tag() {
        line.push_str(&format!(", tag {tag:?}"));
    }
    if let Some(list) = p.list_id() {
        line.push_str(&format!(", list {list}"));
    }
    if let Some(url) = p.link().and_then(|l| l.url) {
        line.push_str(&format!(", link {url}"));
    }
    if let Some(name) = p.campaign().and_then(|c| c.name) {
        line.push_str(&format!(", campaign {name:?}"));
    }
    line
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Part 1: a captured body.
    let captured = parse_form(CAPTURED.as_bytes())?;
    println!("captured: {}", describe(&captured));
    assert_eq!(captured.event_type(), Some(WebhookEvent::ContactTagAdded));

    let target = common::connect().await?;
    let Some(mock) = &target.mock else {
        println!("(part 2 needs the in-process mock: AC cannot deliver to this machine)");
        return Ok(());
    };
    let client = &target.client;

    // Part 2: a receiver that hands every body to the main task.
    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    let app = Router::new().route(
        "/ac-webhook",
        post(move |body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                "ok" // answer 2xx quickly: AC never retries, and a 410 would deactivate the hook
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/ac-webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    client
        .webhooks()
        .create(
            &WebhookInput::new("recipe receiver", &url)
                .events([
                    WebhookEvent::Subscribe,
                    WebhookEvent::ContactTagAdded,
                    WebhookEvent::Click,
                ])
                .sources([WebhookSource::Api, WebhookSource::Public]),
        )
        .await?;
    println!("registered {url} as a webhook");

    let contact = client
        .contacts()
        .sync(&ContactInput::new("hooked@example.com").first_name("Hal"))
        .await?
        .contact;
    let list = client
        .lists()
        .create(
            &ListInput::new("Recipe list")
                .sender_url("https://example.com")
                .sender_reminder("You signed up on example.com."),
        )
        .await?;
    client.lists().subscribe(contact.id, list.id).await?;
    let tag = client.tags().find_or_create("webhook-recipe").await?;
    client.tags().add_to_contact(contact.id, tag.id).await?;

    // A campaign click, simulated through the mock's admin API.
    let http = reqwest::Client::new();
    let campaign: serde_json::Value = http
        .post(format!("{}/__admin/campaigns", mock.base_url()))
        .json(
            &serde_json::json!({"name": "Recipe campaign", "subject": "Hi", "list": list.id.get()}),
        )
        .send()
        .await?
        .json()
        .await?;
    let campaign_id = campaign["id"].as_str().unwrap_or("1").to_string();
    http.post(format!(
        "{}/__admin/campaigns/{campaign_id}/events",
        mock.base_url()
    ))
    .json(&serde_json::json!({
        "type": "click",
        "email": "hooked@example.com",
        "link_url": "https://example.com/pricing"
    }))
    .send()
    .await?
    .error_for_status()?;

    // Deliveries run in the background: wait for three, at most five seconds.
    for _ in 0..3 {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(body)) => println!("received: {}", describe(&parse_form(&body)?)),
            _ => {
                println!("no more deliveries within 5 s");
                break;
            }
        }
    }
    Ok(())
}
