//! Event tracking: enable it, register an event name, send an event for a contact, and read
//! the contact's tracking log back.
//!
//! ```sh
//! cargo run --example track_event
//! ```
//!
//! Events go to the tracking host (`https://trackcmp.net/event` on a real account) with the
//! account's tracking id (`actid`) and event key, not the API token. On a real account set
//! `AC_ACTID` and `AC_EVENT_KEY` too (Settings → Tracking → Event Tracking in AC).

mod common;

use ac_client::contacts::ContactInput;
use ac_client::event_tracking::TrackedEvent;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());
    let tracking = client.event_tracking();

    // Events sent while tracking is off are dropped by AC: turn it on first.
    if !tracking.settings().await?.enabled {
        tracking.set_enabled(true).await?;
        println!("enabled event tracking");
    }

    // AC's guide (and every integration) registers a name before sending events with it.
    let name = tracking.find_or_register("file_download").await?;
    let names: Vec<String> = tracking
        .list_events()
        .await?
        .into_iter()
        .map(|e| e.name)
        .collect();
    println!(
        "event \"{}\" is registered; all names: {names:?}",
        name.name
    );

    let contact = client
        .contacts()
        .sync(&ContactInput::new("reader@example.com").first_name("Rae"))
        .await?
        .contact;

    let answer = tracking
        .send(
            &TrackedEvent::new("file_download")
                .data("whitepaper.pdf")
                .email(&contact.email),
        )
        .await?;
    println!(
        "sent file_download for {}: {}",
        contact.email,
        answer.message.unwrap_or_default()
    );

    for log in tracking.contact_logs(contact.id).await? {
        println!(
            "tracking log {}: {} = {:?} at {}",
            log.id,
            log.event_type,
            log.value,
            log.tstamp.map(|t| t.to_rfc3339()).unwrap_or_default()
        );
    }

    // Names longer than AC's 32 characters are refused before sending.
    match tracking.send(&TrackedEvent::new("x".repeat(40))).await {
        Err(e) => println!("refused before sending: {e}"),
        Ok(_) => println!("unexpected: accepted a 40-character name"),
    }
    Ok(())
}
