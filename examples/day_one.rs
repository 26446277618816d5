//! Day one with ac-client: the five things a new integration does first.
//!
//! 1. Sync a contact with tags, custom fields and a list.
//! 2. Stream contacts and filter them.
//! 3. Track an event and record a page visit.
//! 4. Handle errors by kind.
//! 5. Receive a webhook.
//!
//! ```sh
//! cargo run --example day_one
//! ```
//!
//! Runs against an in-process `ac-mock` unless `AC_API_URL` and `AC_API_TOKEN` name a real
//! account (see `examples/common`).

mod common;

use std::time::Duration;

use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::event_tracking::TrackedEvent;
use ac_client::fields::{FieldInput, FieldOptionInput, FieldType};
use ac_client::lists::ListInput;
use ac_client::site_tracking::PageVisit;
use ac_client::webhook_payload::parse_form;
use ac_client::webhooks::{WebhookEvent, WebhookInput, WebhookSource};
use ac_client::{ErrorKind, FieldCatalog};
use axum::{body::Bytes, routing::post, Router};
use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());

    // 5 (set up first, so the subscription below is delivered): a receiver and its webhook.
    let (tx, mut deliveries) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
    let app = Router::new().route(
        "/hook",
        post(move |body: Bytes| async move {
            let _ = tx.send(body);
            "ok" // answer 2xx at once: AC does not retry deliveries
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    if target.is_mock() {
        let hook = WebhookInput::new("day one", &hook_url)
            .events([WebhookEvent::Subscribe])
            .sources([WebhookSource::Api]);
        client.webhooks().create(hook).await?;
    }

    // 1. Sync a contact with tags, fields and a list.
    if FieldCatalog::fetch(client)
        .await?
        .resolve("Languages")
        .is_none()
    {
        let field = FieldInput::new("Languages", FieldType::Checkbox);
        let field = client.fields().create(field).await?;
        let options = ["Rust", "Go", "Python"].map(|v| FieldOptionInput::new(field.id, v, v));
        client.fields().create_options(options).await?;
    }
    let catalog = FieldCatalog::fetch(client).await?;
    let input = ContactInput::new("ada@example.com")
        .first_name("Ada")
        .custom_field(&catalog, "Languages", ["Rust", "Go"])?;
    let ada = client.contacts().sync(input).await?.contact;
    for name in ["customer", "beta"] {
        let tag = client.tags().find_or_create(name).await?;
        client.tags().add_to_contact(ada.id, tag.id).await?;
    }
    let newsletter = ListInput::new("Newsletter")
        .sender_url("https://example.com")
        .sender_reminder("You signed up on example.com");
    let list = client.lists().find_or_create(newsletter).await?;
    client.lists().subscribe(ada.id, list.id).await?;
    let memberships = client.contacts().tags_and_lists(ada.id).await?;
    let values = client.field_values().of_contact(ada.id).await?;
    println!(
        "1. {} has tags {:?}, lists {:?}, fields {:?}",
        ada.email,
        memberships.tag_names(),
        memberships.list_names(),
        catalog.decode_all(&values)?
    );

    // 2. Stream the list's members and filter them as they arrive; no pinning needed.
    client
        .contacts()
        .sync(ContactInput::new("grace@example.org").first_name("Grace"))
        .await?;
    let mut members = client.contacts().stream(ContactQuery::new().list(list.id));
    while let Some(contact) = members.try_next().await? {
        if contact.email.ends_with("@example.com") {
            println!("2. member on example.com: {}", contact.email);
        }
    }
    let everyone: Vec<String> = client
        .contacts()
        .stream(ContactQuery::new())
        .map_ok(|c| c.email)
        .try_collect()
        .await?;
    println!("2. {} contacts in all", everyone.len());

    // 3. Track an event and record a page visit.
    let tracking = client.event_tracking();
    tracking.set_enabled(true).await?;
    tracking.find_or_register("signed_up").await?;
    tracking
        .send(
            TrackedEvent::new("signed_up")
                .data("plan=pro")
                .email(&ada.email),
        )
        .await?;
    let visit = PageVisit::new("https://example.com/pricing", &ada.email);
    client.site_tracking().record_visit(visit).await?;
    println!("3. tracked signed_up and a visit to /pricing");

    // 4. Handle errors by kind: one classification for decisions and retries alike.
    if client
        .contacts()
        .find_by_email("nobody@example.com")
        .await?
        .is_none()
    {
        println!("4. nobody@example.com is not a contact (Ok(None), not an error)");
    }
    match client.contacts().get(999_999).await {
        Err(e) if e.is_not_found() => println!("4. contact 999999: not found"),
        Err(e) => match e.kind() {
            ErrorKind::Unauthorized => println!("4. check the API URL and token: {e}"),
            kind if kind.is_retryable() => println!("4. try again later: {e}"),
            _ => return Err(e.into()),
        },
        Ok(c) => println!("4. contact 999999 exists: {}", c.email),
    }
    if let Err(e) = ContactInput::new("not-an-email").validate() {
        println!("4. refused before sending, field {:?}: {e}", e.field());
    }

    // 5. Receive the webhook for Ada's subscription.
    if target.is_mock() {
        match tokio::time::timeout(Duration::from_secs(5), deliveries.recv()).await {
            Ok(Some(body)) => {
                let payload = parse_form(&body)?;
                let contact = payload.contact().unwrap_or_default();
                let id = contact.id.ok_or("no contact id")?;
                let again = client.contacts().get(id).await?;
                println!(
                    "5. webhook {:?} for {} (list {:?})",
                    payload.type_str(),
                    again.email,
                    payload.list_id()
                );
            }
            _ => println!("5. no webhook delivered within 5 s"),
        }
    } else {
        println!("5. a real account delivers to a public URL; register one with webhooks()");
    }
    Ok(())
}
