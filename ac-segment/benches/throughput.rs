//! End-to-end figures for BENCHMARKS.md, against an in-process ac-mock:
//!
//! 1. AC calls per message type, cold and warm, counted from the mock's request journal;
//! 2. identify throughput with the rate limit off, at concurrency 1 and 16;
//! 3. under AC's real limits (the mock's 5 requests/s and its bulk-import limits, the client
//!    at 5/s): wall time of a per-call replay and of a `--bulk` replay of N identifies.
//!
//! ```sh
//! cargo bench -p ac-segment --bench throughput                      # all, 10,000 bulk identifies
//! cargo bench -p ac-segment --bench throughput -- --only limits --bulk-identifies 100000
//! ```
//!
//! Options: `--only calls|speed|limits` (comma-separated), `--identifies N` (speed, default
//! 2000), `--bulk-identifies N` (default 10000), `--per-call-identifies N` (default 60).

use std::time::Instant;

use ac_mock::MockServer;
use ac_segment::execute::Executor;
use ac_segment::input::Records;
use ac_segment::replay::{self, ReplayOptions};
use ac_segment::spec::Message;
use ac_segment::{Settings, Status};
use serde_json::{json, Value};

/// mimalloc, as both the `ac-segment` and the `ac-mock` binaries use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn identify(i: usize) -> Value {
    json!({"type":"identify","userId":format!("u{i}"),"messageId":format!("m{i}"),
        "traits":{"email":format!("user{i}@example.com"),"firstName":"User","lastName":format!("N{i}"),
            "interest":"Electronics","hobbies":["Cricket","Tennis"],
            "tags":[format!("tag-{}", i % 10), format!("tag-{}", (i + 3) % 10)],
            "lists":[{"id":1,"status":"subscribe"}]}})
}

fn ndjson(messages: impl Iterator<Item = Value>) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(m.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

async fn prepare_account(mock: &MockServer) -> Res<()> {
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        http.post(format!("{}/api/3/{path}", mock.base_url()))
            .header("Api-Token", mock.api_token())
            .json(&body)
            .send()
    };
    post(
        "fields",
        json!({"field":{"title":"Interest","type":"text","perstag":"INTEREST"}}),
    )
    .await?
    .error_for_status()?;
    post(
        "fields",
        json!({"field":{"title":"Hobbies","type":"checkbox","perstag":"HOBBIES"}}),
    )
    .await?
    .error_for_status()?;
    post("lists", json!({"list":{"name":"Newsletter","stringid":"newsletter","sender_url":"https://example.com","sender_reminder":"signed up"}})).await?.error_for_status()?;
    Ok(())
}

fn settings_for(mock: &MockServer) -> Settings {
    let mut s = Settings::new();
    s.api_url = Some(mock.base_url().to_owned());
    s.api_token = Some(mock.api_token().to_owned().into());
    s.actid = Some(mock.actid().to_owned());
    s.event_key = Some(mock.event_key().to_owned().into());
    s.tracking_url = Some(mock.tracking_url().to_owned());
    s
}

async fn journal_count(mock: &MockServer) -> Res<usize> {
    let v: Value = reqwest::get(format!("{}/__admin/requests?limit=100000", mock.base_url()))
        .await?
        .json()
        .await?;
    Ok(v["requests"].as_array().map_or(0, |r| {
        r.iter()
            .filter(|e| !e["path"].as_str().unwrap_or("").starts_with("/__admin"))
            .count()
    }))
}

async fn clear_journal(mock: &MockServer) -> Res<()> {
    reqwest::Client::new()
        .delete(format!("{}/__admin/requests", mock.base_url()))
        .send()
        .await?;
    Ok(())
}

async fn calls() -> Res<()> {
    let mock = MockServer::builder().journal_size(100_000).start().await?;
    prepare_account(&mock).await?;
    let settings = settings_for(&mock);
    let exec = Executor::new(settings.client(0)?, settings);
    let email = json!({"traits":{"email":"jane@example.com"}});
    let cases = [
        (
            "identify, 2 fields, 2 tags, 1 list",
            identify(1),
            identify(11),
            "7 warm, 9 cold, 10 with 250 tags",
        ),
        (
            "track",
            json!({"type":"track","event":"Order Completed","context":email,"properties":{"acValue":"o-1"}}),
            json!({"type":"track","event":"Order Completed","context":email,"properties":{"acValue":"o-2"}}),
            "2 warm, 3 cold",
        ),
        (
            "page (default)",
            json!({"type":"page","context":{"traits":{"email":"jane@example.com"},"page":{"url":"https://www.example.com/a"}}}),
            json!({"type":"page","context":{"traits":{"email":"jane@example.com"},"page":{"url":"https://www.example.com/b"}}}),
            "1 (whitelist only)",
        ),
        (
            "screen",
            json!({"type":"screen","name":"Home","context":email}),
            json!({"type":"screen","name":"Home","context":email}),
            "2 warm, 3 cold",
        ),
        (
            "group",
            json!({"type":"group","groupId":"g","traits":{"name":"Acme"},"context":email}),
            json!({"type":"group","groupId":"g","traits":{"name":"Acme"},"context":{"traits":{"email":"joe@example.com"}}}),
            "unsupported",
        ),
    ];
    println!("| message | cold | warm | RudderStack (measured) |");
    println!("|---|---|---|---|");
    for (name, cold, warm, peer) in cases {
        let mut counts = Vec::new();
        for m in [cold, warm] {
            clear_journal(&mock).await?;
            let o = exec.apply(&Message::from_value(m)?).await;
            assert_eq!(o.status, Status::Applied, "{name}: {o:?}");
            counts.push(journal_count(&mock).await?);
        }
        println!("| {name} | {} | {} | {peer} |", counts[0], counts[1]);
    }
    Ok(())
}

async fn replay_all(exec: &Executor, input: Vec<u8>, options: ReplayOptions) -> Res<(usize, f64)> {
    let started = Instant::now();
    let mut rx = replay::spawn(
        exec.clone(),
        Records::new(std::io::Cursor::new(input)),
        options,
    );
    let mut applied = 0;
    while let Some(d) = rx.recv().await {
        if d.outcome.status == Status::Applied {
            applied += 1;
        } else {
            eprintln!(
                "not applied: {} {:?}",
                d.record.location(),
                d.outcome.reason
            );
        }
    }
    Ok((applied, started.elapsed().as_secs_f64()))
}

async fn speed(n: usize) -> Res<()> {
    println!("| identifies, rate limit off | concurrency | messages/s | AC calls/message |");
    println!("|---|---|---|---|");
    for concurrency in [1, 16] {
        let mock = MockServer::builder().journal_size(16).start().await?;
        prepare_account(&mock).await?;
        let settings = settings_for(&mock);
        let exec = Executor::new(settings.client(0)?, settings);
        // Warm the caches (tags, fields) with messages outside the measured set.
        replay_all(
            &exec,
            ndjson((0..10).map(|i| identify(1_000_000 + i))),
            ReplayOptions::default(),
        )
        .await?;
        let before = exec.calls_made();
        let (applied, secs) = replay_all(
            &exec,
            ndjson((0..n).map(identify)),
            ReplayOptions {
                concurrency,
                bulk: false,
            },
        )
        .await?;
        let calls = (exec.calls_made() - before) as f64 / applied.max(1) as f64;
        println!(
            "| {applied} | {concurrency} | {:.0} | {calls:.2} |",
            applied as f64 / secs
        );
    }
    Ok(())
}

async fn limits(per_call: usize, bulk: usize) -> Res<()> {
    println!("| under AC's limits (5 req/s, bulk limits on) | identifies | wall time | identifies/s | AC calls |");
    println!("|---|---|---|---|---|");
    for (lane, n) in [("per call", per_call), ("--bulk", bulk)] {
        let mock = MockServer::builder()
            .rate_limit(5)
            .bulk_import_limits(true)
            .journal_size(16)
            .start()
            .await?;
        prepare_account(&mock).await?;
        let settings = settings_for(&mock);
        let exec = Executor::new(settings.client(5)?, settings);
        let options = ReplayOptions {
            concurrency: 4,
            bulk: lane == "--bulk",
        };
        let (applied, secs) = replay_all(&exec, ndjson((0..n).map(identify)), options).await?;
        assert_eq!(applied, n, "{lane}: every identify applied");
        println!(
            "| {lane} | {n} | {secs:.1} s | {:.2} | {} |",
            n as f64 / secs,
            exec.calls_made()
        );
    }
    Ok(())
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run a quick pass.
    let quick = !args.iter().any(|a| a == "--bench");
    let only = arg(&args, "--only").unwrap_or_else(|| "calls,speed,limits".into());
    let num = |name: &str, default: usize| {
        arg(&args, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    if only.contains("calls") {
        calls().await?;
    }
    if only.contains("speed") {
        speed(if quick { 50 } else { num("--identifies", 2000) }).await?;
    }
    if only.contains("limits") && !quick {
        limits(
            num("--per-call-identifies", 60),
            num("--bulk-identifies", 10_000),
        )
        .await?;
    }
    Ok(())
}
