//! `--filters`: every `GET /contacts` filter and order (and `GET /tags?search=`) timed at two
//! account sizes, seeded through bulk import, in a fresh release `ac-mock` binary per size.
//!
//! ```sh
//! cargo bench -p ac-mock --bench load -- --filters                    # 10k and 100k contacts
//! cargo bench -p ac-mock --bench load -- --filters --sizes 2000,20000 # other sizes
//! cargo bench -p ac-mock --bench load -- --filters --baseline OLD_BINARY   # also that build
//! ```
//!
//! Each size: 5 lists and a text field are created, then N contacts are imported 250 a request
//! (`--no-bulk-import-limits`), each with 2–3 tags (`t0`..`t9`, `cohort-K` per thousand
//! contacts, `vip` for every third), a field value, 1–2 list subscriptions and, for every
//! ninth, an unsubscription. Every query is then sent 3 times on one keep-alive connection and
//! the best wall time (request sent → whole body read) is kept (once when it takes over 10 s),
//! with `meta.total` to show that both sizes (and both builds) answer the same question.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{free_port, server_command, Proc, TOKEN};

const FIRST: [&str; 8] = ["Ann", "Bob", "Chloé", "Dan", "Eve", "Finn", "Gus", "Hana"];
const LAST: [&str; 6] = ["Smith", "Jones", "O'Neil", "Müller", "Ng", "Brown"];
const BATCH: usize = 250;

/// One size's results: seeding time, and per query (best ms, `meta.total`).
struct SizeRun {
    seed_secs: f64,
    labels: Vec<&'static str>,
    rows: Vec<(f64, String)>,
}

/// Tag ids the queries name.
struct Tags {
    vip: u64,
    t3: u64,
    cohort: u64,
}

/// The queries for `n` contacts, as (label, path and query after `/api/3`).
fn queries(n: usize, t: &Tags) -> Vec<(&'static str, String)> {
    let half = n / 2;
    let (vip, t3, cohort) = (t.vip, t.t3, t.cohort);
    vec![
        ("no filter", "/contacts".into()),
        (
            "email (exact)",
            format!("/contacts?email=USER{half:06}@EX{}.com", half % 20),
        ),
        ("email_like", "/contacts?email_like=er00042".into()),
        ("search (name)", "/contacts?search=o'neil".into()),
        ("search (email)", "/contacts?search=user0001".into()),
        ("phone (prefix)", "/contacts?phone=%2B1-555-00001".into()),
        (
            "ids[] (3)",
            format!("/contacts?ids[]=1&ids[]={half}&ids[]={n}"),
        ),
        ("tagid (vip, 1/3)", format!("/contacts?tagid={vip}")),
        ("tagid (t3, 1/10)", format!("/contacts?tagid={t3}")),
        ("tagid (cohort, 1k)", format!("/contacts?tagid={cohort}")),
        ("listid", "/contacts?listid=3".into()),
        ("listid + status=2", "/contacts?listid=2&status=2".into()),
        ("status=1", "/contacts?status=1".into()),
        (
            "id_greater + orders[id]",
            format!("/contacts?id_greater={half}&orders[id]=ASC&limit=100"),
        ),
        ("id_less", "/contacts?id_less=100".into()),
        ("exclude", "/contacts?exclude=1".into()),
        (
            "filters[created_after]",
            "/contacts?filters[created_after]=2000-01-01".into(),
        ),
        (
            "filters[updated_before]",
            "/contacts?filters[updated_before]=2100-01-01".into(),
        ),
        ("orders[id]=DESC", "/contacts?orders[id]=DESC".into()),
        ("orders[cdate]=DESC", "/contacts?orders[cdate]=DESC".into()),
        ("orders[email]=ASC", "/contacts?orders[email]=ASC".into()),
        (
            "orders[first_name]=DESC",
            "/contacts?orders[first_name]=DESC".into(),
        ),
        (
            "orders[last_name]=ASC",
            "/contacts?orders[last_name]=ASC".into(),
        ),
        ("orders[name]=ASC", "/contacts?orders[name]=ASC".into()),
        (
            "tagid + orders[email]",
            format!("/contacts?tagid={vip}&orders[email]=DESC"),
        ),
        (
            "offset (deep page)",
            format!("/contacts?offset={half}&limit=100"),
        ),
        (
            "include (100 rows)",
            "/contacts?limit=100&include=contactLists,contactTags,fieldValues".into(),
        ),
        ("segmentid (none)", "/contacts?segmentid=1".into()),
        ("/tags?search=", "/tags?search=cohort-1".into()),
        (
            "/tags orders[search]=weight",
            "/tags?search=t&orders[search]=weight".into(),
        ),
    ]
}

/// The contacts of import request `batch` (0-based) out of `n`.
fn batch_body(batch: usize, n: usize, field: u64) -> Value {
    let from = batch * BATCH + 1;
    let to = (from + BATCH - 1).min(n);
    let contacts: Vec<Value> = (from..=to)
        .map(|i| {
            let mut tags = vec![format!("t{}", i % 10), format!("cohort-{}", i / 1000)];
            if i.is_multiple_of(3) {
                tags.push("vip".into());
            }
            let mut subscribe = vec![json!({"listid": i % 5 + 1})];
            if i.is_multiple_of(4) {
                subscribe.push(json!({"listid": 1}));
            }
            let unsubscribe: Vec<Value> = if i.is_multiple_of(9) {
                vec![json!({"listid": 2})]
            } else {
                Vec::new()
            };
            let plan = ["free", "pro", "team"][i % 3];
            json!({
                "email": format!("user{i:06}@ex{}.com", i % 20),
                "first_name": FIRST[i % FIRST.len()],
                "last_name": LAST[(i / 7) % LAST.len()],
                "phone": format!("+1-555-{i:07}"),
                "tags": tags,
                "fields": [{"id": field, "value": plan}],
                "subscribe": subscribe,
                "unsubscribe": unsubscribe,
            })
        })
        .collect();
    json!({"contacts": contacts})
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}/api/3{path}", self.base))
            .header("Api-Token", TOKEN);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn id_of(&self, path: &str, body: Value, key: &str) -> u64 {
        let v = self.send(reqwest::Method::POST, path, Some(body)).await;
        v[key]["id"].as_str().unwrap().parse().unwrap()
    }

    async fn tag_id(&self, name: &str) -> u64 {
        let v = self
            .send(
                reqwest::Method::GET,
                &format!("/tags?filters[search][eq]={name}"),
                None,
            )
            .await;
        v["tags"][0]["id"].as_str().unwrap().parse().unwrap()
    }
}

/// Starts `bin`, seeds `n` contacts and times every query.
async fn run_size(bin: &Path, name: &'static str, n: usize) -> SizeRun {
    let port = free_port();
    let child = server_command(bin)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--journal-size", "1000", "--no-bulk-import-limits"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let _proc = Proc { child, name };
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    assert!(super::wait_ready(addr, "/__admin/health", Duration::from_secs(10)).await);
    let api = Api {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(600))
            .build()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    for k in 1..=5 {
        let list = json!({"list": {"name": format!("L{k}"), "stringid": format!("l{k}"),
            "sender_url": "https://example.com", "sender_reminder": "You signed up"}});
        api.id_of("/lists", list, "list").await;
    }
    let field = json!({"field": {"title": "Plan", "type": "text"}});
    let field = api.id_of("/fields", field, "field").await;
    let started = Instant::now();
    let batches = n.div_ceil(BATCH);
    for b in 0..batches {
        let v = api
            .send(
                reqwest::Method::POST,
                "/import/bulk_import",
                Some(batch_body(b, n, field)),
            )
            .await;
        assert!(v["batchId"].is_string(), "{v}");
        if (b + 1) % 40 == 0 {
            eprintln!(
                "  {name} {n}: {} contacts imported in {:.1} s",
                (b + 1) * BATCH,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let seed_secs = started.elapsed().as_secs_f64();
    eprintln!("  {name} {n}: seeded in {seed_secs:.1} s");
    let tags = Tags {
        vip: api.tag_id("vip").await,
        t3: api.tag_id("t3").await,
        cohort: api.tag_id("cohort-1").await,
    };
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (label, path) in queries(n, &tags) {
        let mut best = f64::INFINITY;
        let mut total = String::new();
        let mut tries = 0;
        // Best of 3; a query that takes over 10 s (a quadratic scan) is timed once.
        while tries < 3 && (tries == 0 || best < 10_000.0) {
            tries += 1;
            let t = Instant::now();
            let v = api.send(reqwest::Method::GET, &path, None).await;
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
            total = match &v["meta"]["total"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
        }
        eprintln!("  {name} {n}: {label}: {best:.2} ms (total {total}, {tries} tries)");
        rows.push((best, total));
        labels.push(label);
    }
    SizeRun {
        seed_secs,
        labels,
        rows,
    }
}

/// The `--filters` mode: `--sizes A,B` (default 10000,100000), `--baseline BIN`.
pub async fn run(args: &[String]) {
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = value("--sizes")
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    assert!(
        sizes.len() == 2,
        "--sizes takes two sizes, e.g. 10000,100000"
    );
    let this = Path::new(env!("CARGO_BIN_EXE_ac-mock")).to_path_buf();
    let mut builds: Vec<(&'static str, std::path::PathBuf)> = vec![("ac-mock", this)];
    if let Some(bin) = value("--baseline") {
        builds.push(("baseline", bin.into()));
    }
    let (small, large) = (sizes[0], sizes[1]);
    for (name, bin) in &builds {
        let a = run_size(bin, name, small).await;
        let b = run_size(bin, name, large).await;
        println!("\n{name}: `GET /api/3...` at {small} and {large} contacts, best of 3 (ms)\n");
        println!("| query | total at {small} | ms | total at {large} | ms | ratio |");
        println!("|---|---|---|---|---|---|");
        println!(
            "| seeding (bulk import, s) | | {:.2} s | | {:.2} s | {:.1}× |",
            a.seed_secs,
            b.seed_secs,
            b.seed_secs / a.seed_secs
        );
        for (i, label) in a.labels.iter().enumerate() {
            let ((ma, ta), (mb, tb)) = (&a.rows[i], &b.rows[i]);
            println!(
                "| {label} | {ta} | {ma:.2} | {tb} | {mb:.2} | {:.1}× |",
                mb / ma.max(0.001)
            );
        }
    }
}
