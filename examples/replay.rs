//! Replay a small NDJSON file of Segment messages through the ac-segment library and print a
//! summary: one line per message (applied, skipped or failed, and why), then the totals.
//!
//! ```sh
//! cargo run --example replay                    # examples/data/segment.ndjson
//! cargo run --example replay -- my-export.ndjson.gz
//! ```
//!
//! The binary does the same with progress, a dead-letter file and an outcome log:
//! `cargo run -p ac-segment -- replay --help`.

mod common;

use std::path::PathBuf;

use ac_segment::execute::Executor;
use ac_segment::input::{self, Records};
use ac_segment::replay::{self, ReplayOptions};
use ac_segment::{Settings, Status};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/data/segment.ndjson"
            ))
        });
    let target = common::connect().await?;
    println!("Replaying {} into {}", path.display(), target.describe());

    let executor = Executor::new(target.client.clone(), Settings::new());
    let records = Records::new(input::open(&path)?);
    let mut done = replay::spawn(executor.clone(), records, ReplayOptions::default());
    let (mut applied, mut skipped, mut failed) = (0, 0, 0);
    while let Some(d) = done.recv().await {
        let what = d
            .record
            .message
            .as_ref()
            .map(|m| m.kind.to_string())
            .unwrap_or_else(|_| "?".into());
        match d.outcome.status {
            Status::Applied => applied += 1,
            Status::Skipped => skipped += 1,
            Status::Failed => failed += 1,
        }
        println!(
            "{:<16} {:<9} {:<7} {} call(s){}",
            d.record.location(),
            what,
            d.outcome.status.as_str(),
            d.outcome.calls.len(),
            d.outcome
                .reason
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        );
    }
    println!(
        "\napplied={applied} skipped={skipped} failed={failed} calls={}",
        executor.calls_made()
    );
    Ok(())
}
