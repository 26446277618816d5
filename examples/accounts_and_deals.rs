//! Accounts (organisations), account contacts and deals.
//!
//! ```sh
//! cargo run --example accounts_and_deals
//! ```
//!
//! Deal values are in **cents** and currencies are lower-case 3-letter codes, as AC expects:
//! the client converts `"USD"` to `"usd"` and refuses a negative value before sending.

mod common;

use ac_client::accounts::{AccountContactInput, AccountInput, AccountQuery};
use ac_client::contacts::ContactInput;
use ac_client::deals::{DealInput, DealQuery, DealStatus};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());

    // Account names are unique in AC: reuse the account when it exists.
    let found = client
        .accounts()
        .list(&AccountQuery::new().search("Acme Corporation"))
        .await?;
    let account = match found
        .items
        .into_iter()
        .find(|a| a.name == "Acme Corporation")
    {
        Some(account) => account,
        None => {
            client
                .accounts()
                .create(&AccountInput::new("Acme Corporation").account_url("https://acme.example"))
                .await?
        }
    };
    println!("account {} \"{}\"", account.id, account.name);

    let contact = client
        .contacts()
        .sync(&ContactInput::new("buyer@acme.example").first_name("Bea"))
        .await?
        .contact;

    // A contact belongs to at most one account; a second association is AC's 422.
    let existing = client.accounts().contacts().of_contact(contact.id).await?;
    if existing.is_empty() {
        let link = client
            .accounts()
            .contacts()
            .create(&AccountContactInput::new(contact.id, account.id).job_title("Buyer"))
            .await?;
        println!(
            "linked contact {} to account {} (row {})",
            contact.id, account.id, link.id
        );
    } else {
        println!("contact {} is already linked to an account", contact.id);
    }

    let deal = client
        .deals()
        .create(
            &DealInput::new("Acme renewal")
                .contact(contact.id)
                .account(account.id)
                .value(125_000) // $1,250.00 in cents
                .currency("USD"),
        )
        .await?;
    println!(
        "deal {} \"{}\": {} {} cents, status {:?}",
        deal.id,
        deal.title.clone().unwrap_or_default(),
        deal.value.unwrap_or_default(),
        deal.currency.clone().unwrap_or_default(),
        deal.status
    );

    let won = client
        .deals()
        .update(deal.id, &DealInput::update().status(DealStatus::Won))
        .await?;
    println!("marked deal {} as {:?}", won.id, won.status);

    let page = client.deals().list(&DealQuery::new()).await?;
    println!("the account has {} deal(s)", page.total);

    // Bad input is refused before anything is sent.
    let bad = DealInput::new("Broken")
        .contact(contact.id)
        .value(-5)
        .currency("dollars");
    match client.deals().create(&bad).await {
        Err(e) => println!("refused before sending: {e}"),
        Ok(d) => println!("unexpected: created deal {}", d.id),
    }
    Ok(())
}
