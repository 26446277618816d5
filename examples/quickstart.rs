//! Quickstart: sync a contact, read it back, list and stream contacts.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Runs against an in-process ac-mock, or against a real account when `AC_API_URL` and
//! `AC_API_TOKEN` are set (it then syncs one contact, `quickstart@example.com`, and only reads
//! the rest).

mod common;

use ac_client::contacts::{ContactInput, ContactQuery, ContactUpdate};
use futures_util::{StreamExt, TryStreamExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let contacts = target.client.contacts();
    println!("Talking to {}", target.describe());

    // 1. Upsert a contact by email: 201 when created, 200 when it already existed.
    let input = ContactInput::new("quickstart@example.com")
        .first_name("Quick")
        .last_name("Start");
    let synced = contacts.sync(&input).await?;
    let id = synced.contact.id;
    println!(
        "1. synced {} -> contact {id} ({})",
        synced.contact.email,
        if synced.created() {
            "created"
        } else {
            "updated"
        }
    );

    // 2. Syncing the same email again updates the same contact.
    let again = contacts.sync(&input.clone().phone("+1 555 0100")).await?;
    println!(
        "2. synced it again -> contact {} ({}), phone now {:?}",
        again.contact.id,
        if again.created() {
            "created"
        } else {
            "updated"
        },
        again.contact.phone
    );

    // 3. Read it back.
    let fetched = contacts.get(id).await?;
    println!(
        "3. read back contact {}: {} {} <{}>",
        fetched.id, fetched.first_name, fetched.last_name, fetched.email
    );

    // 4. Update one field; the others stay.
    let updated = contacts
        .update(id, &ContactUpdate::new().first_name("Quinn"))
        .await?;
    println!(
        "4. updated first name -> {} {}",
        updated.first_name, updated.last_name
    );

    // On the mock, add a few more contacts so that streaming has pages to walk.
    if target.is_mock() {
        for n in 1..=24 {
            contacts
                .sync(&ContactInput::new(format!("reader{n:02}@example.com")).first_name("Reader"))
                .await?;
        }
        println!("   (added 24 more contacts to the mock)");
    }

    // 5. One page, filtered by email.
    let page = contacts
        .list(&ContactQuery::new().email("quickstart@example.com"))
        .await?;
    println!(
        "5. listed by email: {} of {} match",
        page.items.len(),
        page.total
    );

    // 6. Stream contacts page by page (10 per page here); the stream fetches lazily.
    let first_30: Vec<_> = contacts
        .stream(ContactQuery::new().limit(10))
        .take(30)
        .try_collect()
        .await?;
    println!("6. streamed {} contacts, 10 per request", first_30.len());

    // 7. Stream by id (AC's advice for large accounts: orders[id]=ASC + id_greater).
    // Streams are lazy and boxed (`Unpin`): drive them by hand without pinning.
    let mut by_id = contacts
        .stream_by_id(ContactQuery::new().limit(10))
        .take(30);
    let mut last = None;
    let mut seen = 0;
    while let Some(contact) = by_id.next().await {
        let contact = contact?;
        last = Some(contact.id);
        seen += 1;
    }
    println!(
        "7. streamed {seen} contacts in id order, last id {}",
        last.map(|id| id.to_string()).unwrap_or_default()
    );

    if let Some(mock) = target.mock {
        mock.shutdown().await?;
    }
    println!("Done.");
    Ok(())
}
