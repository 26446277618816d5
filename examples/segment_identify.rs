//! Map one Segment identify to ActiveCampaign: show its plan, apply it, and print the AC calls
//! it made, cold (caches empty) and warm (the same message again).
//!
//! ```sh
//! cargo run --example segment_identify
//! ```
//!
//! Runs against an in-process ac-mock unless `AC_API_URL` / `AC_API_TOKEN` name a real account
//! (then the custom field and list of the example must exist there: `Shirt Size` and list 1).

mod common;

use ac_client::contacts::ContactQuery;
use ac_client::encode::FieldCatalog;
use ac_client::fields::{FieldInput, FieldType};
use ac_client::lists::ListInput;
use ac_segment::execute::Executor;
use ac_segment::plan::{plan, Known};
use ac_segment::spec::Message;
use ac_segment::Settings;

/// Segment's own example (its ActiveCampaign destination doc), as analytics.js sends it.
const IDENTIFY: &str = r#"{
  "type": "identify",
  "userId": "ze8rt1u89",
  "messageId": "ajs-next-1f2a3b",
  "traits": {
    "firstName": "Jane",
    "lastName": "Kim",
    "email": "jane.kim@example.com",
    "shirtSize": "medium",
    "tags": ["checkout", "abandoned"],
    "lists": [{"id": 1, "status": "active"}]
  },
  "context": {"library": {"name": "analytics.js", "version": "2.11.1"}}
}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());
    if target.is_mock() {
        // A fresh mock has no custom fields or lists: make the ones the message names.
        client
            .fields()
            .create(&FieldInput::new("Shirt Size", FieldType::Text).perstag("SHIRT_SIZE"))
            .await?;
        client
            .lists()
            .create(
                &ListInput::new("Newsletter")
                    .sender_url("https://example.com")
                    .sender_reminder("You signed up on example.com"),
            )
            .await?;
    }

    // 1. Parse and plan: pure, no I/O once the field catalog is known.
    let message = Message::from_slice(IDENTIFY.as_bytes())?;
    let settings = Settings::new(); // the `default` flavour
    let catalog = FieldCatalog::fetch(client).await?;
    let planned = plan(
        &message,
        &settings,
        &Known {
            fields: Some(&catalog),
        },
    )?;
    println!("plan:\n{}", serde_json::to_string_pretty(&planned)?);

    // 2. Apply it: the executor loads what it needs once (tags, fields), then syncs the contact
    //    with its field values inline, adds the tags and sets the list status.
    let executor = Executor::new(client.clone(), settings);
    let cold = executor.apply(&message).await;
    println!(
        "\ncold: {:?} with {} AC calls:",
        cold.status,
        cold.calls.len()
    );
    for call in &cold.calls {
        println!("  {call}");
    }
    let warm = executor.apply(&message).await;
    println!(
        "warm: {:?} with {} AC calls:",
        warm.status,
        warm.calls.len()
    );
    for call in &warm.calls {
        println!("  {call}");
    }

    // 3. Read the contact back.
    let page = client
        .contacts()
        .list(&ContactQuery::new().email("jane.kim@example.com"))
        .await?;
    if let Some(c) = page.items.first() {
        let tags: Vec<String> = client
            .tags()
            .contact_tags(c.id)
            .await?
            .into_iter()
            .map(|t| t.tag.to_string())
            .collect();
        let fields = client.field_values().of_contact(c.id).await?;
        println!(
            "\ncontact {} {} {}: tag ids {tags:?}, field values {:?}",
            c.id,
            c.first_name,
            c.last_name,
            fields.iter().map(|f| f.value.clone()).collect::<Vec<_>>()
        );
    }
    Ok(())
}
