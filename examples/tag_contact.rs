//! Tag a contact by tag name, list its tags, then remove the tag again.
//!
//! ```sh
//! cargo run --example tag_contact
//! ```
//!
//! `find_or_create` looks the tag up by exact name (paging through AC's search results) and
//! creates it only when missing, so running this twice never makes a second "VIP" tag.

mod common;

use ac_client::contacts::ContactInput;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());

    let contact = client
        .contacts()
        .sync(&ContactInput::new("tagged@example.com").first_name("Tess"))
        .await?
        .contact;
    println!("contact {} <{}>", contact.id, contact.email);

    // Resolve tag names to ids once; the second call finds the tag the first one made.
    let vip = client.tags().find_or_create("VIP").await?;
    let again = client.tags().find_or_create("VIP").await?;
    println!(
        "tag \"{}\" is id {} (found again as id {})",
        vip.name, vip.id, again.id
    );
    let newsletter = client.tags().find_or_create("Newsletter").await?;

    // Adding a tag the contact already has is harmless: AC returns the existing association.
    for tag in [&vip, &newsletter, &vip] {
        let association = client.tags().add_to_contact(contact.id, tag.id).await?;
        println!(
            "tagged contact {} with \"{}\" (association {})",
            contact.id, tag.name, association.id
        );
    }

    let tags = client.tags().contact_tags(contact.id).await?;
    println!("contact {} now has {} tags", contact.id, tags.len());

    // Removing "tag T from contact C" means finding the association and deleting it.
    let removed = client
        .tags()
        .remove_from_contact(contact.id, vip.id)
        .await?;
    let removed_again = client
        .tags()
        .remove_from_contact(contact.id, vip.id)
        .await?;
    println!("removed VIP: {removed}; removing it again: {removed_again}");
    let tags = client.tags().contact_tags(contact.id).await?;
    println!("contact {} now has {} tag(s)", contact.id, tags.len());

    // Bad input never reaches AC.
    match client.tags().find_or_create("   ").await {
        Err(e) => println!("an empty tag name is refused before sending: {e}"),
        Ok(tag) => println!("unexpected: created tag {}", tag.id),
    }
    Ok(())
}
