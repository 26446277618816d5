//! Planning throughput, from a message's bytes (parse + plan, no I/O): identify, track, page.
//!
//! ```sh
//! cargo bench -p ac-segment --bench plan
//! ```

#![allow(missing_docs)] // criterion's macros generate undocumented items

use ac_client::encode::FieldCatalog;
use ac_client::fields::Field;
use ac_segment::plan::{plan, Known};
use ac_segment::spec::Message;
use ac_segment::Settings;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// As the `ac-segment` binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The RudderStack-style identify the peers were measured with: 2 tags, 2 fieldInfo, 1 list.
const IDENTIFY: &str = r#"{"type":"identify","userId":"userid","anonymousId":"d80b66d5-b33d-412d-866f-r4fft5841af",
"messageId":"5d6a8d3e-2f1b-4c27-9d1f-3b8c2a7e5f10","timestamp":"2026-11-30T10:00:00.000Z",
"context":{"library":{"name":"analytics-node","version":"1.0.0"},"ip":"203.0.113.7"},
"traits":{"email":"name@surname.com","name":"John Doe","phone":"2364556",
"tags":["Returning User","Coupon Used"],"fieldInfo":{"Interest":"Electronics","Hobbies":["Cricket","Tennis"]},
"lists":[{"id":2,"status":"subscribe"}]},"integrations":{"All":true}}"#;

const TRACK: &str = r#"{"type":"track","event":"Product Purchased","userId":"userid","anonymousId":"d80b66d5",
"messageId":"7a1f","timestamp":"2026-11-30T10:00:00.000Z","context":{"traits":{"email":"name@surname.com"},
"library":{"name":"analytics.js","version":"2.11.1"},"ip":"203.0.113.7"},
"properties":{"category":"category","label":"label","name":"Rubik's Cube","acValue":"Signup button"}}"#;

const PAGE: &str = r#"{"type":"page","name":"home","anonymousId":"d80b66d5","messageId":"9c2e",
"timestamp":"2026-11-30T10:00:00.000Z","context":{"library":{"name":"analytics.js","version":"2.11.1"},
"page":{"path":"/academy/","referrer":"","search":"","title":"Analytics Academy","url":"https://www.rudderlabs.com/academy/"}},
"properties":{"path":"/academy/","url":"https://www.rudderlabs.com/academy/","title":"Analytics Academy","referrer":""}}"#;

fn catalog() -> FieldCatalog {
    let fields: Vec<Field> = serde_json::from_value(serde_json::json!([
        {"id":"1","title":"Interest","type":"text","perstag":"INTEREST"},
        {"id":"2","title":"Hobbies","type":"checkbox","perstag":"HOBBIES"},
        {"id":"3","title":"Birthday","type":"date","perstag":"BIRTHDAY"}
    ]))
    .expect("fields");
    FieldCatalog::new(fields)
}

fn bench(c: &mut Criterion) {
    let settings = Settings::new();
    let catalog = catalog();
    let known = Known {
        fields: Some(&catalog),
    };
    let mut g = c.benchmark_group("plan_from_bytes");
    g.throughput(Throughput::Elements(1));
    for (name, body) in [("identify", IDENTIFY), ("track", TRACK), ("page", PAGE)] {
        let bytes = body.as_bytes();
        g.bench_function(name, |b| {
            b.iter(|| {
                let m = Message::from_slice(black_box(bytes)).expect("parses");
                black_box(plan(&m, &settings, &known).expect("plans"))
            })
        });
    }
    g.finish();

    // Where the time goes: reading the message alone, and serde_json's own parse of the same
    // bytes into a `Value` (the floor for any reader that keeps every key).
    let mut g = c.benchmark_group("parse_only");
    g.throughput(Throughput::Elements(1));
    for (name, body) in [("identify", IDENTIFY), ("page", PAGE)] {
        let bytes = body.as_bytes();
        g.bench_function(format!("message/{name}"), |b| {
            b.iter(|| black_box(Message::from_slice(black_box(bytes)).expect("parses")))
        });
        g.bench_function(format!("serde_json_value/{name}"), |b| {
            b.iter(|| {
                black_box(
                    serde_json::from_slice::<serde_json::Value>(black_box(bytes)).expect("json"),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches, floors);

/// The floor for reading a page from bytes: a zero-copy skim that keeps `properties` and
/// `context` as raw JSON, reads only `properties.url` and parses it as a URL. No planner that
/// reads a page's URL from its bytes with serde_json can spend less.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Floor<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    properties: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    context: &'a serde_json::value::RawValue,
}
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Props<'a> {
    url: Option<&'a str>,
}

fn floor(c: &mut Criterion) {
    let bytes = PAGE.as_bytes();
    c.bench_function("floor/skim_page", |b| {
        b.iter(|| {
            let f: Floor = serde_json::from_slice(black_box(bytes)).expect("x");
            let p: Props = serde_json::from_str(f.properties.get()).expect("p");
            black_box(
                p.url
                    .map(|u| url::Url::parse(u).expect("u").host_str().map(str::len)),
            )
        })
    });
    c.bench_function("floor/url_parse", |b| {
        b.iter(|| {
            black_box(url::Url::parse(black_box("https://www.rudderlabs.com/academy/")).expect("u"))
        })
    });
}
criterion_group!(floors, floor);
