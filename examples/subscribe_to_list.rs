//! Create a list, subscribe a contact to it, unsubscribe them, and read the memberships.
//!
//! ```sh
//! cargo run --example subscribe_to_list
//! ```

mod common;

use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::lists::{ListInput, ListQuery};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());

    // Reuse the list when it already exists (stringid is the list's URL-safe slug).
    let existing = client
        .lists()
        .list(&ListQuery::new().name("Recipe Newsletter"))
        .await?;
    let list = match existing.items.into_iter().next() {
        Some(list) => list,
        None => {
            client
                .lists()
                .create(
                    &ListInput::new("Recipe Newsletter")
                        .sender_url("https://example.com")
                        .sender_reminder("You signed up on example.com."),
                )
                .await?
        }
    };
    println!("list {} \"{}\" ({})", list.id, list.name, list.slug);

    let contact = client
        .contacts()
        .sync(&ContactInput::new("subscriber@example.com").first_name("Sam"))
        .await?
        .contact;

    // One membership row per contact and list: subscribing twice updates the same row.
    let membership = client.lists().subscribe(contact.id, list.id).await?;
    println!(
        "subscribed contact {} to list {}: status {:?}",
        contact.id, list.id, membership.status
    );
    let subscribers = client
        .contacts()
        .list(&ContactQuery::new().list(list.id))
        .await?;
    println!("list {} has {} contact(s)", list.id, subscribers.total);

    let membership = client.lists().unsubscribe(contact.id, list.id).await?;
    println!("unsubscribed: status {:?}", membership.status);

    for m in client.lists().contact_lists(contact.id).await? {
        println!("membership {}: list {} status {:?}", m.id, m.list, m.status);
    }
    Ok(())
}
