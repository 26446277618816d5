//! Webhooks, end to end: ac-client registers a webhook on the mock, the mock delivers AC-shaped
//! form bodies to a receiver, and ac-client's payload parser reads them back. The mock and the
//! parser are independent readings of AC's payload format, so this pins both.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ac_client::contacts::{ContactInput, ContactUpdate};
use ac_client::deals::{DealInput, DealStatus};
use ac_client::lists::ListInput;
use ac_client::webhook_payload::{parse_form, WebhookPayload};
use ac_client::webhooks::{WebhookEvent, WebhookInput, WebhookQuery, WebhookSource};
use axum::body::Bytes;
use axum::routing::post;
use axum::Router;

use crate::setup;

type Received = Arc<Mutex<Vec<Bytes>>>;

/// A receiver on a free port that keeps every body it is sent.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let store = store.clone();
            async move {
                store.lock().expect("lock").push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// Waits (bounded, 5 s) until `n` bodies arrived, then parses them all.
async fn wait_for(received: &Received, n: usize) -> Vec<WebhookPayload> {
    for _ in 0..100 {
        if received.lock().expect("lock").len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bodies = received.lock().expect("lock").clone();
    assert!(
        bodies.len() >= n,
        "expected {n} deliveries, got {}",
        bodies.len()
    );
    bodies
        .iter()
        .map(|b| parse_form(b).expect("a delivered body parses"))
        .collect()
}

#[tokio::test]
async fn webhook_crud_and_the_event_catalogue() {
    let (_mock, client) = setup().await;
    let hooks = client.webhooks();
    let events = hooks.events().await.expect("events");
    assert_eq!(events.len(), 25);
    assert!(events.contains(&WebhookEvent::ContactTagAdded));

    let hook = hooks
        .create(
            &WebhookInput::new("crm", "https://example.com/hook")
                .events([WebhookEvent::Subscribe, WebhookEvent::Update])
                .sources([WebhookSource::Api]),
        )
        .await
        .expect("create");
    let page = hooks
        .list(&WebhookQuery::new().name("crm"))
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    assert_eq!(hooks.get(hook.id).await.expect("get").id, hook.id);
    hooks.delete(hook.id).await.expect("delete");
    assert!(hooks.get(hook.id).await.expect_err("gone").is_not_found());

    let err = hooks
        .create(&WebhookInput::new("no events", "https://example.com/hook"))
        .await
        .expect_err("no events");
    assert!(err.status().is_none(), "refused before sending: {err}");
}

#[tokio::test]
async fn api_changes_are_delivered_as_ac_shaped_form_bodies() {
    let (_mock, client) = setup().await;
    let (url, received) = receiver().await;
    client
        .webhooks()
        .create(
            &WebhookInput::new("e2e", url)
                .events([
                    WebhookEvent::Subscribe,
                    WebhookEvent::Update,
                    WebhookEvent::ContactTagAdded,
                ])
                .sources([WebhookSource::Api]),
        )
        .await
        .expect("webhook");

    let contact = client
        .contacts()
        .create(&ContactInput::new("hooked@example.com").first_name("Hal"))
        .await
        .expect("contact");
    let list = client
        .lists()
        .create(
            &ListInput::new("News")
                .sender_url("https://example.com")
                .sender_reminder("You signed up."),
        )
        .await
        .expect("list");
    client
        .lists()
        .subscribe(contact.id, list.id)
        .await
        .expect("subscribe");
    let vip = client.tags().find_or_create("vip").await.expect("tag");
    client
        .tags()
        .add_to_contact(contact.id, vip.id)
        .await
        .expect("tag contact");
    client
        .contacts()
        .update(contact.id, &ContactUpdate::new().last_name("Hooker"))
        .await
        .expect("update");

    let payloads = wait_for(&received, 3).await;
    let of = |event: WebhookEvent| {
        payloads
            .iter()
            .find(|p| p.event_type() == Some(event.clone()))
            .unwrap_or_else(|| panic!("a {event} delivery"))
    };

    let subscribe = of(WebhookEvent::Subscribe);
    assert_eq!(subscribe.initiated_from(), Some(WebhookSource::Api));
    assert_eq!(subscribe.list_id(), Some(list.id));
    assert!(subscribe.date_time().is_some(), "date_time parses");
    let who = subscribe.contact().expect("contact block");
    assert_eq!(who.id, Some(contact.id));
    assert_eq!(who.email.as_deref(), Some("hooked@example.com"));
    assert_eq!(who.first_name.as_deref(), Some("Hal"));

    let tagged = of(WebhookEvent::ContactTagAdded);
    assert_eq!(tagged.tag(), Some("vip"));
    assert!(tagged
        .contact()
        .expect("contact block")
        .tags
        .contains(&"vip".to_string()));

    let updated = of(WebhookEvent::Update);
    assert_eq!(
        updated
            .contact()
            .expect("contact block")
            .last_name
            .as_deref(),
        Some("Hooker")
    );
}

#[tokio::test]
async fn simulated_campaign_clicks_reach_webhooks_with_link_and_campaign_blocks() {
    let (mock, client) = setup().await;
    let (url, received) = receiver().await;
    client
        .webhooks()
        .create(
            &WebhookInput::new("clicks", url)
                .events([WebhookEvent::Click])
                .sources([WebhookSource::Public]),
        )
        .await
        .expect("webhook");
    let contact = client
        .contacts()
        .create(&ContactInput::new("reader@example.com"))
        .await
        .expect("contact");
    let list = client
        .lists()
        .create(
            &ListInput::new("Readers")
                .sender_url("https://example.com")
                .sender_reminder("You signed up."),
        )
        .await
        .expect("list");

    // Campaigns are simulated through the mock's admin API (raw HTTP).
    let http = reqwest::Client::new();
    let campaign: serde_json::Value = http
        .post(format!("{}/__admin/campaigns", mock.base_url()))
        .json(&serde_json::json!({"name": "May", "subject": "News", "list": list.id.get()}))
        .send()
        .await
        .expect("campaign")
        .json()
        .await
        .expect("json");
    let id = campaign["id"].as_str().expect("campaign id").to_string();
    let status = http
        .post(format!("{}/__admin/campaigns/{id}/events", mock.base_url()))
        .json(&serde_json::json!({
            "type": "click",
            "email": "reader@example.com",
            "link_url": "https://example.com/pricing"
        }))
        .send()
        .await
        .expect("click")
        .status();
    assert!(status.is_success(), "{status}");

    let payloads = wait_for(&received, 1).await;
    let click = &payloads[0];
    assert_eq!(click.event_type(), Some(WebhookEvent::Click));
    assert_eq!(
        click.link().and_then(|l| l.url).as_deref(),
        Some("https://example.com/pricing")
    );
    let campaign = click.campaign().expect("campaign block");
    assert_eq!(campaign.id.as_deref(), Some(id.as_str()));
    assert_eq!(campaign.name.as_deref(), Some("May"));
    assert_eq!(click.contact().and_then(|c| c.id), Some(contact.id));
}

#[tokio::test]
async fn deal_webhooks_carry_the_deal_block_and_the_changed_fields() {
    let (_mock, client) = setup().await;
    let (url, received) = receiver().await;
    client
        .webhooks()
        .create(
            &WebhookInput::new("deals", url)
                .events([WebhookEvent::DealAdd, WebhookEvent::DealUpdate])
                .sources([WebhookSource::Api]),
        )
        .await
        .expect("webhook");
    let contact = client
        .contacts()
        .create(&ContactInput::new("buyer@example.com").first_name("Bo"))
        .await
        .expect("contact");
    let deal = client
        .deals()
        .create(
            &DealInput::new("Renewal")
                .contact(contact.id)
                .value(250_000)
                .currency("gbp"),
        )
        .await
        .expect("deal");
    client
        .deals()
        .update(
            deal.id,
            &DealInput::update().value(1_050).status(DealStatus::Won),
        )
        .await
        .expect("update");

    let payloads = wait_for(&received, 2).await;
    assert_eq!(payloads.len(), 2);
    let added = &payloads[0];
    assert_eq!(added.event_type(), Some(WebhookEvent::DealAdd));
    let block = added.deal().expect("deal block");
    assert_eq!(block.id, Some(deal.id));
    assert_eq!(block.title.as_deref(), Some("Renewal"));
    assert_eq!(block.value.as_deref(), Some("2,500.00"));
    assert_eq!(block.value_raw, Some(2_500));
    assert_eq!(block.value_cents(), Some(250_000));
    assert_eq!(block.currency.as_deref(), Some("gbp"));
    assert_eq!(block.currency_symbol.as_deref(), Some("£"));
    assert_eq!(block.contact_id, Some(contact.id));
    assert_eq!(block.contact_first_name.as_deref(), Some("Bo"));
    assert!(block.create_date.is_some(), "create_date_iso parses");
    assert!(added.updated_fields().is_empty());

    let updated = &payloads[1];
    assert_eq!(updated.event_type(), Some(WebhookEvent::DealUpdate));
    let block = updated.deal().expect("deal block");
    assert_eq!(
        block.value_cents(),
        Some(1_050),
        "cents survive the round trip"
    );
    assert_eq!(block.status.as_deref(), Some("1"));
    assert_eq!(updated.updated_fields(), ["value", "status"]);
}
