//! Endpoints the crate does not cover yet, one call with its own retry policy, and lookups by
//! name that answer `None` instead of an error.
//!
//! ```sh
//! cargo run --example escape_hatch
//! ```
//!
//! `client.request(Method, path)` goes through the same rate limit, retries, `Api-Token`, error
//! parsing, redaction and tracing span as the typed handlers; here it reads the deal pipelines
//! and stages (`GET /dealGroups`, `GET /dealStages`) to create a deal in a named stage.

mod common;

use ac_client::deals::DealInput;
use ac_client::{Method, RetryPolicy};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    println!("Talking to {}", target.describe());

    let pipelines: Value = client.request(Method::GET, "dealGroups").send().await?;
    let names: Vec<&str> = pipelines["dealGroups"]
        .as_array()
        .map(|groups| groups.iter().filter_map(|g| g["title"].as_str()).collect())
        .unwrap_or_default();
    println!("pipelines: {names:?}");

    let stages: Value = client
        .request(Method::GET, "dealStages")
        .query("limit", 100)
        .send()
        .await?;
    let follow_up = stages["dealStages"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["title"] == "Follow Up"));
    let Some(stage) = follow_up else {
        println!("no stage is titled \"Follow Up\"");
        return Ok(());
    };
    // AC renders ids as strings.
    let id = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or("no id")
    };
    let (stage_id, pipeline_id) = (id(&stage["id"])?, id(&stage["group"])?);
    println!("stage \"Follow Up\" is {stage_id} in pipeline {pipeline_id}");

    let contact = client
        .contacts()
        .sync(ac_client::contacts::ContactInput::new("buyer@example.com"))
        .await?
        .contact;
    // A create is never repeated after a 5xx anyway; this one also gives up on a 429.
    let deal = client
        .with_retry_policy(RetryPolicy::none())
        .deals()
        .create(
            DealInput::new("Follow-up deal")
                .contact(contact.id)
                .value(25_000)
                .currency("usd")
                .group(pipeline_id)
                .stage(stage_id),
        )
        .await?;
    println!("deal {} in stage {stage_id}", deal.id);

    // Lookups by name: Ok(None) when there is nothing, no error to match on.
    match client.lists().find_by_name("Customers").await? {
        Some(list) => println!("list \"Customers\" is {}", list.id),
        None => println!("no list is named \"Customers\""),
    }
    match client.contacts().find_by_email("buyer@example.com").await? {
        Some(c) => println!("buyer@example.com is contact {}", c.id),
        None => println!("buyer@example.com is not a contact"),
    }

    // A path outside the API is refused before anything is sent.
    if let Err(err) = client
        .request(Method::GET, "https://elsewhere.example/steal")
        .send_empty()
        .await
    {
        println!("refused: {err}");
    }
    Ok(())
}
