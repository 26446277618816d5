//! Site tracking: enable it, fetch the tracking code, whitelist a domain (both API
//! generations), and record a page visit for a contact.
//!
//! ```sh
//! cargo run --example site_tracking
//! ```
//!
//! AC documents no REST call that writes a page visit; visits normally come from the browser
//! script. `record_visit` uses the legacy `/visit` beacon that AC's old embed snippet called:
//! it is undocumented by AC and may be ignored by a real account (the mock records it).

mod common;

use ac_client::contacts::ContactInput;
use ac_client::site_tracking::{PageVisit, WhitelistInput};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());
    let site = client.site_tracking();

    if !site.settings().await?.enabled {
        site.set_enabled(true).await?;
        println!("enabled site tracking");
    }

    let code = site.code().await?;
    println!(
        "tracking code: {} lines, starts with {:?}",
        code.lines().count(),
        code.lines().next().unwrap_or_default()
    );

    // The current whitelist API (JSON:API, under /prism) ...
    match site
        .add_whitelisting(&WhitelistInput::new("shop.example.com"))
        .await
    {
        Ok(entry) => println!("whitelisted {} (id {})", entry.domain, entry.id),
        Err(e) if e.is_conflict() => println!("shop.example.com was already whitelisted"),
        Err(e) => return Err(e.into()),
    }
    // ... and the legacy one that some integrations still call.
    site.add_domain("blog.example.com").await?;
    let domains: Vec<String> = site.domains().await?.into_iter().map(|d| d.name).collect();
    println!("whitelisted domains: {domains:?}");

    let contact = client
        .contacts()
        .sync(&ContactInput::new("visitor@example.com"))
        .await?
        .contact;
    site.record_visit(
        &PageVisit::new("https://shop.example.com/pricing", &contact.email)
            .referrer("https://www.example.org/"),
    )
    .await?;
    println!("recorded a visit to /pricing for {}", contact.email);

    for log in client.event_tracking().contact_logs(contact.id).await? {
        println!("tracking log: {} = {}", log.event_type, log.value);
    }
    Ok(())
}
