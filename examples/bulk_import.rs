//! Bulk import: 10,000 generated contacts, split into valid batches, with the time it took.
//!
//! ```sh
//! cargo run --release --example bulk_import
//! ```
//!
//! AC accepts at most 250 contacts and 400,000 bytes per request; `import_all` splits any
//! number of contacts into batches that fit, validates each contact before sending, and reports
//! per-contact failures against the caller's own input positions. A few deliberately broken
//! contacts show how failures come back. On a real account set `AC_IMPORT_COUNT` to something
//! small first: every contact is really imported.

mod common;

use std::time::Instant;

use ac_client::bulk_import::{BulkContact, ImportOptions};
use ac_client::contacts::ContactQuery;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());

    let count: usize = match std::env::var("AC_IMPORT_COUNT") {
        Ok(v) => v.parse()?,
        Err(_) if target.is_mock() => 10_000,
        Err(_) => 10,
    };
    let contacts: Vec<BulkContact> = (0..count)
        .map(|n| {
            // Every 2,500th contact has a broken email, to show per-contact failures.
            let email = if n % 2_500 == 1_234 {
                format!("broken-{n}-at-example.com")
            } else {
                format!("import{n:05}@example.com")
            };
            BulkContact::new(email)
                .first_name(format!("Imported {n}"))
                .tag("bulk-import-recipe")
                .tag(if n % 2 == 0 { "even" } else { "odd" })
        })
        .collect();

    let started = Instant::now();
    let report = client
        .bulk_import()
        .import_all(contacts, &ImportOptions::default())
        .await?;
    let elapsed = started.elapsed();

    println!(
        "queued {} of {count} contacts in {} batch(es) in {:.2?} ({:.0} contacts/s)",
        report.queued,
        report.batch_ids.len(),
        elapsed,
        report.queued as f64 / elapsed.as_secs_f64()
    );
    for failure in &report.failures {
        println!(
            "  not imported: input #{} {:?}: {}",
            failure.index.map(|i| i.to_string()).unwrap_or_default(),
            failure.email.clone().unwrap_or_default(),
            failure.reason
        );
    }
    if let Some(error) = &report.error {
        println!(
            "stopped early: {error}; {} contacts not sent",
            report.not_sent.len()
        );
    }

    if let Some(batch) = report.batch_ids.first() {
        let info = client.bulk_import().info(batch).await?;
        println!(
            "batch {batch}: {} ({} imported, {} failed)",
            info.status,
            info.success.len(),
            info.failure.len()
        );
    }
    let total = client
        .contacts()
        .list(&ContactQuery::new().email_like("@example.com").limit(1))
        .await?
        .total;
    println!("the account now has {total} contacts at example.com");
    Ok(())
}
