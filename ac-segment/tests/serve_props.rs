//! Property tests for `serve` over real HTTP: whatever comes in on `/webhooks/activecampaign`,
//! `/v1/batch` and `/v1/{type}` (random bytes, text, form-like text, JSON trees, batch
//! envelopes, gzip, bad gzip, other encodings), the answer is one a sender can act on: never a
//! 5xx and never a hang, 200 or a JSON `{"code","message"}` refusal, a 200 exactly when every
//! message in the body is one within the limits, and the server stays healthy.
//!
//! Each test function starts one in-process ac-mock and one `serve` (with an NDJSON sink, so
//! the webhook route exists) on a runtime shared by the whole file, and drives it with
//! blocking requests from proptest's runner.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ac_client::webhook_payload::parse_form;
use ac_mock::MockServer;
use ac_segment::execute::Executor;
use ac_segment::serve::{ServeOptions, Server};
use ac_segment::sink::{NdjsonSink, Sink};
use ac_segment::source::message_id;
use ac_segment::spec::{merge_envelope, Message};
use ac_segment::store::{Store, StoreLimits};
use ac_segment::Settings;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const KEY: &str = "wk-props";
/// `ServeOptions::new`'s limits: one request (after gzip) and one message.
const MAX_REQUEST: usize = 500 * 1024;
const MAX_MESSAGE: usize = 32 * 1024;
const KINDS: [&str; 6] = ["identify", "track", "page", "screen", "group", "alias"];

/// One runtime for the file: proptest's bodies are synchronous and `block_on` it.
static RT: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
});

fn settings_for(mock: &MockServer) -> Settings {
    let mut s = Settings::new();
    s.api_url = Some(mock.base_url().to_owned());
    s.api_token = Some(mock.api_token().to_owned().into());
    s.actid = Some(mock.actid().to_owned());
    s.event_key = Some(mock.event_key().to_owned().into());
    s.tracking_url = Some(mock.tracking_url().to_owned());
    s
}

/// One running serve in front of its own mock, stopped and its directory removed on drop.
struct Serve {
    addr: SocketAddr,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    dir: PathBuf,
    ndjson: PathBuf,
    _mock: MockServer,
}

/// An answer: status and body bytes.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len().min(400)]).into_owned()
    }
}

impl Serve {
    fn start(name: &str) -> Serve {
        let dir = std::env::temp_dir().join(format!(
            "ac-segment-serve-props-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ndjson = dir.join("events.ndjson");
        RT.block_on(async {
            let mock = MockServer::builder()
                .journal_size(64)
                .start()
                .await
                .expect("mock");
            let settings = settings_for(&mock);
            let executor = Executor::new(settings.client(0).expect("client"), settings);
            let store = Store::open(&dir.join("store"), StoreLimits::default()).expect("store");
            let sink: Arc<dyn Sink> = Arc::new(NdjsonSink::open(&ndjson).expect("ndjson sink"));
            let mut options = ServeOptions::new(vec![KEY.to_owned().into()]);
            options.listen = "127.0.0.1:0".parse().expect("addr");
            options.webhook_token = None;
            let server = Server::bind(options, Arc::new(store), executor, Some(sink))
                .await
                .expect("bind");
            let addr = server.local_addr();
            let (tx, rx) = oneshot::channel();
            let task = tokio::spawn(server.run(async {
                let _ = rx.await;
            }));
            Serve {
                addr,
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .expect("http client"),
                stop: Some(tx),
                task: Some(task),
                dir: dir.clone(),
                ndjson: ndjson.clone(),
                _mock: mock,
            }
        })
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs `body` with the write key as the Basic-auth user; a transport error or the 5 s
    /// timeout fails the case.
    fn post(
        &self,
        path: &str,
        content_type: &str,
        encoding: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Answer, TestCaseError> {
        RT.block_on(async {
            let mut req = self
                .http
                .post(self.url(path))
                .basic_auth(KEY, Some(""))
                .header("content-type", content_type)
                .body(body);
            if let Some(e) = encoding {
                req = req.header("content-encoding", e);
            }
            let res = req
                .send()
                .await
                .map_err(|e| TestCaseError::fail(format!("POST {path}: no answer: {e}")))?;
            let status = res.status().as_u16();
            let body = res
                .bytes()
                .await
                .map_err(|e| TestCaseError::fail(format!("POST {path}: body cut: {e}")))?;
            Ok(Answer {
                status,
                body: body.to_vec(),
            })
        })
    }

    /// `GET /health` must answer 200 with the depths.
    fn healthy(&self) -> Result<Value, TestCaseError> {
        let (status, body) = RT.block_on(async {
            let res = self
                .http
                .get(self.url("/health"))
                .send()
                .await
                .map_err(|e| TestCaseError::fail(format!("GET /health: no answer: {e}")))?;
            let status = res.status().as_u16();
            let body: Value = res
                .json()
                .await
                .map_err(|e| TestCaseError::fail(format!("GET /health: not JSON: {e}")))?;
            Ok::<_, TestCaseError>((status, body))
        })?;
        prop_assert_eq!(status, 200, "GET /health: {}", body);
        Ok(body)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ =
                RT.block_on(async { tokio::time::timeout(Duration::from_secs(15), task).await });
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Answers seen by one property, by status (shrinking included), printed at its end.
#[derive(Default)]
struct Tally(Mutex<BTreeMap<u16, usize>>);

impl Tally {
    fn add(&self, status: u16) {
        *self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(status)
            .or_default() += 1;
    }

    fn get(&self, status: u16) -> usize {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&status).copied().unwrap_or(0)
    }

    fn refused(&self) -> usize {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.iter().filter(|(s, _)| **s != 200).map(|(_, n)| n).sum()
    }

    fn summary(&self) -> String {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Runs `test` on `cases` inputs from `strategy` (shrinking a failure), after each one
/// checking that serve still answers `/health`.
fn check<S>(
    serve: &Serve,
    label: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    let started = Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |v| {
        test(v)?;
        serve.healthy().map(drop)
    });
    if let Err(e) = result {
        panic!("{label}: {e}");
    }
    eprintln!(
        "{label}: {cases} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A refusal: one of `allowed`, with a JSON body carrying `code` and `message` strings.
fn refusal_shape(a: &Answer, allowed: &[u16]) -> Result<(), TestCaseError> {
    prop_assert!(
        allowed.contains(&a.status),
        "status {} is not one of {:?}: {}",
        a.status,
        allowed,
        a.text()
    );
    let v = a.json();
    let shaped = v
        .as_ref()
        .is_some_and(|v| v["code"].is_string() && v["message"].is_string());
    prop_assert!(
        shaped,
        "a {} without {{code, message}}: {}",
        a.status,
        a.text()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Webhook bodies

/// A body printed short when a case fails.
#[derive(Clone)]
struct Body(Vec<u8>);

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head = String::from_utf8_lossy(&self.0[..self.0.len().min(600)]);
        write!(f, "Body({} bytes: {head:?})", self.0.len())
    }
}

const AC_TYPES: [&str; 10] = [
    "open",
    "click",
    "bounce",
    "unsubscribe",
    "sent",
    "subscribe",
    "forward",
    "reply",
    "update",
    "deal_add",
];

/// `s` with the letters whose bit is set in `bits` upper-cased.
fn recase(s: &str, bits: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if (bits >> (i % 64)) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

fn webhook_type() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(AC_TYPES.to_vec()).prop_map(str::to_owned),
        2 => (select(AC_TYPES.to_vec()), any::<u64>()).prop_map(|(t, bits)| recase(t, bits)),
        1 => "[a-z%+0-9 ]{0,8}",
    ]
}

/// A piece of form-encoded text: the form alphabet, escapes (of any byte: invalid UTF-8 too),
/// broken escapes and the keys AC sends.
fn form_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z\\[\\]=&%+0-9]{0,12}",
        2 => "%[0-9A-Fa-f]{2}",
        1 => "%[0-9A-Za-z%]{0,2}",
        2 => select(vec![
            "contact[email]=", "contact[id]=", "contact[fields][", "campaign[id]=",
            "campaign[name]=", "campaign[message][subject]=", "link[url]=", "date_time=",
            "type=", "list=", "&", "=", "[", "]", "[]", "[[", "]]", "&&", "==", "%", "+",
        ])
        .prop_map(str::to_owned),
    ]
}

fn form_like() -> impl Strategy<Value = String> {
    vec(form_fragment(), 0..32).prop_map(|v| v.concat())
}

/// AC-shaped webhooks that must convert: an email event naming a contact with an email.
fn real_webhook() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        select(vec!["open", "click", "bounce", "unsubscribe", "sent"]),
        1u32..2_000_000,
        "[a-z0-9._+-]{1,12}@[a-z]{1,8}\\.(com|io|co\\.uk)",
        1u32..100_000,
        "\\PC{0,24}",
        "\\PC{0,24}",
        (0i64..2_000_000_000, -12i32..14),
        "https://[a-z]{1,10}\\.com/[a-z0-9/?=&%]{0,20}",
    )
        .prop_map(
            |(kind, contact, email, campaign, name, subject, (epoch, offset), link)| {
                let date = chrono::DateTime::from_timestamp(epoch, 0)
                    .unwrap_or_default()
                    .with_timezone(&chrono::FixedOffset::east_opt(offset * 3600).expect("offset"))
                    .to_rfc3339();
                let mut pairs = vec![
                    ("type", kind.to_owned()),
                    ("date_time", date),
                    ("initiated_from", "admin".to_owned()),
                    ("list", (campaign % 7).to_string()),
                    ("contact[id]", contact.to_string()),
                    ("contact[email]", email),
                    ("contact[first_name]", name.clone()),
                    ("campaign[id]", campaign.to_string()),
                    ("campaign[name]", name),
                    ("campaign[message][subject]", subject),
                ];
                match kind {
                    "click" => {
                        pairs.push(("link[id]", (campaign * 3).to_string()));
                        pairs.push(("link[url]", link));
                    }
                    "bounce" => {
                        pairs.push(("bounce[type]", "hard".to_owned()));
                        pairs.push(("bounce[code]", "5.1.1".to_owned()));
                    }
                    "unsubscribe" => pairs.push(("unsubscribe[reason]", "too many".to_owned())),
                    _ => {}
                }
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            },
        )
}

/// Answers to a webhook: 200 (with `converted`), 400 or 413 with `{code, message}`.
fn webhook_answer(a: &Answer) -> Result<(), TestCaseError> {
    if a.status == 200 {
        let v = a.json().unwrap_or(Value::Null);
        match v["converted"].as_bool() {
            Some(true) => prop_assert!(
                v["messageId"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("ac-"))
                    && v["duplicate"].is_boolean(),
                "converted without a messageId or `duplicate`: {}",
                a.text()
            ),
            Some(false) => prop_assert!(v["reason"].is_string(), "no reason: {}", a.text()),
            None => prop_assert!(false, "a 200 without `converted`: {}", a.text()),
        }
        Ok(())
    } else {
        refusal_shape(a, &[400, 413])
    }
}

/// The `messageId` of every line the NDJSON sink has written, in order.
fn ndjson_ids(serve: &Serve) -> Vec<String> {
    let text = std::fs::read_to_string(&serve.ndjson).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("an NDJSON line is JSON");
            v["messageId"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[test]
fn any_webhook_body_gets_200_400_or_413_and_each_conversion_reaches_the_sink_once() {
    let serve = Serve::start("webhooks");
    let tally = Tally::default();
    let converted = Mutex::new(BTreeSet::<String>::new());
    let note = |id: &str| {
        converted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned());
    };
    let send = |body: Body| -> Result<(), TestCaseError> {
        let a = serve.post(
            "/webhooks/activecampaign",
            "application/x-www-form-urlencoded",
            None,
            body.0,
        )?;
        tally.add(a.status);
        webhook_answer(&a)?;
        if let Some(v) = a.json().filter(|v| v["converted"] == true) {
            note(v["messageId"].as_str().unwrap_or_default());
        }
        Ok(())
    };
    check(
        &serve,
        "webhook: bytes",
        64,
        vec(any::<u8>(), 0..2048).prop_map(Body),
        send,
    );
    check(
        &serve,
        "webhook: text",
        64,
        any::<String>().prop_map(|s| Body(s.into_bytes())),
        send,
    );
    check(
        &serve,
        "webhook: form-like",
        96,
        form_like().prop_map(|s| Body(s.into_bytes())),
        send,
    );
    check(
        &serve,
        "webhook: type=… then form-like",
        96,
        (webhook_type(), form_like())
            .prop_map(|(t, rest)| Body(format!("type={t}&{rest}").into_bytes())),
        send,
    );
    // Around the 500 KB limit (a 413 above it, an answer below).
    check(
        &serve,
        "webhook: near the request limit",
        6,
        (MAX_REQUEST - 2_000..MAX_REQUEST + 2_000)
            .prop_map(|n| Body(format!("type=open&x={}", "a".repeat(n)).into_bytes())),
        send,
    );
    // Real ones convert; the same webhook again (AC delivers at least once) has the same
    // messageId and is said to be a duplicate.
    check(&serve, "webhook: AC's own", 64, real_webhook(), |pairs| {
        let body = serde_urlencoded::to_string(&pairs).expect("form");
        let want = message_id(&parse_form(body.as_bytes()).expect("a form"));
        for again in [false, true] {
            let a = serve.post(
                "/webhooks/activecampaign",
                "application/x-www-form-urlencoded",
                None,
                body.clone().into_bytes(),
            )?;
            tally.add(a.status);
            prop_assert_eq!(a.status, 200, "{}", a.text());
            let v = a.json().unwrap_or(Value::Null);
            prop_assert_eq!(&v["converted"], &json!(true), "{}", a.text());
            prop_assert_eq!(v["messageId"].as_str(), Some(want.as_str()));
            if again {
                prop_assert_eq!(&v["duplicate"], &json!(true), "{}", a.text());
            }
            note(&want);
        }
        Ok(())
    });
    assert!(
        tally.get(200) > 0 && tally.refused() > 0,
        "both answers seen: {}",
        tally.summary()
    );
    // Every converted event was committed to the outbox and reaches the file, once.
    let want = converted
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let h = serve.healthy().expect("healthy at the end");
        if h["outbox"] == 0 && ndjson_ids(&serve).len() >= want.len() {
            break;
        }
        assert!(Instant::now() < deadline, "outbox not drained: {h}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let written = ndjson_ids(&serve);
    assert_eq!(
        written.len(),
        want.len(),
        "one line per distinct converted webhook"
    );
    assert_eq!(written.into_iter().collect::<BTreeSet<_>>(), want);
    eprintln!("webhook answers: {}", tally.summary());
}

// ---------------------------------------------------------------------------------------
// JSON bodies for /v1/*

/// Strings: printable text, any characters (controls, quotes, backslashes), or a long run.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        8 => "\\PC{0,12}",
        3 => vec(any::<char>(), 0..8).prop_map(String::from_iter),
        1 => (0usize..40_000, "[ -~]").prop_map(|(n, c)| c.repeat(n)),
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        text().prop_map(Value::String),
    ]
    .boxed()
}

const KEYS: [&str; 18] = [
    "type",
    "messageId",
    "userId",
    "anonymousId",
    "event",
    "name",
    "traits",
    "properties",
    "context",
    "integrations",
    "batch",
    "writeKey",
    "email",
    "timestamp",
    "groupId",
    "previousId",
    "All",
    "ActiveCampaign",
];

fn key() -> BoxedStrategy<String> {
    prop_oneof![select(KEYS.to_vec()).prop_map(str::to_owned), "\\PC{0,8}",].boxed()
}

fn object_of(entries: impl Strategy<Value = Vec<(String, Value)>>) -> impl Strategy<Value = Value> {
    entries.prop_map(|kv| Value::Object(kv.into_iter().collect()))
}

/// Any JSON tree, a few levels deep.
fn json_tree() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Value::Array),
                object_of(vec((key(), inner), 0..6)),
            ]
        })
        .boxed()
}

/// A `type`: a known one in any case (sometimes padded), any text, or not a string.
fn type_value() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (select(KINDS.to_vec()), any::<u64>(), select(vec!["", " ", "\t"]))
            .prop_map(|(t, bits, pad)| Value::String(format!("{pad}{}{pad}", recase(t, bits)))),
        1 => text().prop_map(Value::String),
        1 => json_leaf(),
    ]
    .boxed()
}

/// An id: a fresh string most of the time, else a number, null, "", or any tree.
fn id_value() -> BoxedStrategy<Value> {
    prop_oneof![
        5 => any::<u64>().prop_map(|n| Value::String(format!("m-{n:016x}"))),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => Just(Value::String(String::new())),
        1 => json_tree(),
    ]
    .boxed()
}

fn email() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => "[a-z0-9.]{1,10}@example\\.com".prop_map(Value::String),
        1 => json_leaf(),
    ]
    .boxed()
}

/// An object shaped like `traits` / `context` / `properties`, or sometimes any tree.
fn shaped(named: Vec<&'static str>) -> BoxedStrategy<Value> {
    let entries = vec(
        prop_oneof![
            3 => (select(named), json_tree()).prop_map(|(k, v)| (k.to_owned(), v)),
            1 => (key(), json_tree()),
        ],
        0..4,
    );
    prop_oneof![
        5 => (option::of(email()), entries).prop_map(|(email, kv)| {
            let mut m: Map<String, Value> = kv.into_iter().collect();
            if let Some(e) = email {
                m.insert("email".into(), e);
            }
            Value::Object(m)
        }),
        1 => json_tree(),
    ]
    .boxed()
}

fn context() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (shaped(vec!["firstName", "lastName", "phone", "tags"]), shaped(vec!["name", "version"]))
            .prop_map(|(traits, library)| json!({"traits": traits, "library": library})),
        1 => shaped(vec!["traits", "library", "page", "ip", "userAgent"]),
    ]
    .boxed()
}

/// A Segment message, well formed or not in every field.
fn message() -> BoxedStrategy<Value> {
    let ids = (
        option::weighted(0.9, type_value()),
        option::weighted(0.8, id_value()),
        option::of(id_value()),
        option::of(id_value()),
    );
    let parts = (
        option::of(shaped(vec![
            "firstName",
            "lastName",
            "phone",
            "tags",
            "lists",
        ])),
        option::of(context()),
        option::of(shaped(vec!["acValue", "url", "revenue", "email"])),
        option::of(prop_oneof![3 => text().prop_map(Value::String), 1 => json_leaf()]),
        option::weighted(
            0.1,
            (0usize..40_000).prop_map(|n| Value::String("b".repeat(n))),
        ),
        vec((key(), json_tree()), 0..3),
    );
    (ids, parts)
        .prop_map(
            |((kind, id, user, anon), (traits, ctx, props, event, blob, extra))| {
                let mut m: Map<String, Value> = extra.into_iter().collect();
                for (k, v) in [
                    ("type", kind),
                    ("messageId", id),
                    ("userId", user),
                    ("anonymousId", anon),
                    ("traits", traits),
                    ("context", ctx),
                    ("properties", props),
                    ("event", event),
                    ("blob", blob),
                ] {
                    if let Some(v) = v {
                        m.insert(k.to_owned(), v);
                    }
                }
                Value::Object(m)
            },
        )
        .boxed()
}

/// A message as the senders build it (`reference/segment-senders.md`): a known type in any
/// case, a fresh `messageId`, ids as strings or nulls, traits where the library puts them,
/// and properties of any JSON.
fn sender_message() -> BoxedStrategy<Value> {
    (
        (select(KINDS.to_vec()), any::<u64>(), any::<u64>()),
        (
            option::of("u[0-9]{1,6}"),
            "[a-z0-9.]{1,10}@example\\.com",
            any::<bool>(),
        ),
        (text(), vec((key(), json_tree()), 0..4)),
        select(vec![
            "2026-12-01T20:40:25.762+00:00",
            "2026-12-01T20:40:29.215Z",
            "2026-12-01T20:40:30.399457+00:00",
        ]),
    )
        .prop_map(
            |((kind, bits, id), (user, email, in_context), (word, props), at)| {
                let mut m = json!({
                    "type": recase(kind, bits),
                    "messageId": format!("{id:032x}"),
                    "userId": user,
                    "anonymousId": null,
                    "timestamp": at,
                    "context": {"library": {"name": "analytics-python", "version": "2.4.0"}},
                    "integrations": {},
                    "properties": Value::Object(props.into_iter().collect()),
                });
                let traits = json!({"email": email, "firstName": word});
                if in_context {
                    m["context"]["traits"] = traits;
                } else {
                    m["traits"] = traits;
                }
                match kind {
                    "track" => m["event"] = json!(word),
                    "page" | "screen" => m["name"] = json!(word),
                    "group" => m["groupId"] = json!(format!("g{id}")),
                    "alias" => m["previousId"] = json!(format!("p{id}")),
                    _ => {}
                }
                m
            },
        )
        .boxed()
}

/// A `/v1/batch` envelope of `item`s in `batch` (sometimes no `batch` or a wrong one), a
/// `writeKey` of any kind, shared `context` / `integrations` of any kind.
fn envelope(item: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (
        prop_oneof![
            8 => vec(item, 0..12).prop_map(|v| Some(Value::Array(v))),
            1 => Just(None),
            1 => json_leaf().prop_map(Some),
        ],
        option::weighted(0.3, prop_oneof![Just(json!(KEY)), json_leaf()]),
        option::weighted(0.2, context()),
        option::weighted(
            0.2,
            prop_oneof![
                3 => (any::<bool>(), any::<bool>())
                    .prop_map(|(all, ac)| json!({"All": all, "ActiveCampaign": ac})),
                1 => json_tree(),
            ],
        ),
        any::<bool>(),
    )
        .prop_map(|(batch, key, ctx, integrations, sent_at)| {
            let mut env = Map::new();
            for (k, v) in [
                ("batch", batch),
                ("writeKey", key),
                ("context", ctx),
                ("integrations", integrations),
                (
                    "sentAt",
                    sent_at.then(|| json!("2026-12-01T20:40:40.437219+00:00")),
                ),
            ] {
                if let Some(v) = v {
                    env.insert(k.to_owned(), v);
                }
            }
            Value::Object(env)
        })
        .boxed()
}

/// What is sent: a generated JSON value (its text is compact, so serve's answer can be
/// predicted exactly) or raw bytes (only the weak checks apply).
#[derive(Clone)]
enum Payload {
    Json(Value),
    Raw(Body),
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Payload::Json(v) => {
                let text = v.to_string();
                let head: String = text.chars().take(1500).collect();
                write!(f, "Json({} bytes: {head})", text.len())
            }
            Payload::Raw(b) => b.fmt(f),
        }
    }
}

impl Payload {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Payload::Json(v) => serde_json::to_vec(v).expect("JSON"),
            Payload::Raw(b) => b.0.clone(),
        }
    }
}

/// How the body goes on the wire.
#[derive(Debug, Clone)]
enum Encoding {
    /// No `Content-Encoding`.
    Plain,
    /// `identity` or an empty value, in some case.
    Identity(&'static str),
    /// Gzipped, with this header value.
    Gzip(&'static str),
    /// Says gzip, is not: the plain bytes, random bytes, or a gzip stream cut short.
    BadGzip(BadGzip),
    /// An encoding serve does not take.
    Other(String),
}

#[derive(Debug, Clone)]
enum BadGzip {
    Plain,
    Bytes(Vec<u8>),
    Cut(Index),
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![
        6 => Just(Encoding::Plain),
        1 => select(vec!["identity", "Identity", ""]).prop_map(Encoding::Identity),
        5 => select(vec!["gzip", "GZIP", "x-gzip"]).prop_map(Encoding::Gzip),
        1 => Just(Encoding::BadGzip(BadGzip::Plain)),
        1 => vec(any::<u8>(), 0..64).prop_map(|b| Encoding::BadGzip(BadGzip::Bytes(b))),
        1 => any::<Index>().prop_map(|i| Encoding::BadGzip(BadGzip::Cut(i))),
        1 => prop_oneof![
            select(vec!["br", "deflate", "compress", "zstd", "gzip, br", "gzip;q=1"])
                .prop_map(str::to_owned),
            "[a-z]{1,8}".prop_filter("not one serve takes", |e| {
                !matches!(e.as_str(), "gzip" | "x-gzip" | "identity")
            }),
        ]
        .prop_map(Encoding::Other),
    ]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// The wire bytes and header for `plain` sent with `encoding`, and the bytes serve must read
/// out of them (`None` when the encoding must be refused).
fn on_the_wire(plain: Vec<u8>, encoding: &Encoding) -> (Vec<u8>, Option<String>, Option<Vec<u8>>) {
    match encoding {
        Encoding::Plain => (plain.clone(), None, Some(plain)),
        Encoding::Identity(h) => (plain.clone(), Some((*h).to_owned()), Some(plain)),
        Encoding::Gzip(h) => (gzip(&plain), Some((*h).to_owned()), Some(plain)),
        Encoding::BadGzip(bad) => {
            let wire = match bad {
                BadGzip::Plain => plain,
                BadGzip::Bytes(b) => b.clone(),
                BadGzip::Cut(at) => {
                    let mut z = gzip(&plain);
                    z.truncate(at.index(z.len()));
                    z
                }
            };
            (wire, Some("gzip".to_owned()), None)
        }
        Encoding::Other(h) => (plain, Some(h.clone()), None),
    }
}

/// The statuses a refused `/v1/*` request may have, given how it was encoded and its size.
fn check_encoding_refusal(
    a: &Answer,
    encoding: &Encoding,
    wire_len: usize,
) -> Result<(), TestCaseError> {
    match encoding {
        Encoding::BadGzip(_) => refusal_shape(a, &[400, 413]),
        Encoding::Other(_) if wire_len > MAX_REQUEST => refusal_shape(a, &[413]),
        Encoding::Other(_) => refusal_shape(a, &[415]),
        _ => Ok(()),
    }
}

/// Whether a `/v1/batch` body (as read, gzip undone) must be taken: an object whose `batch`
/// is an array, `writeKey` a string (or absent), `context` / `integrations` objects (or
/// absent), and every item, with those merged in, a message of at most 32 KB.
fn batch_acceptable(read: &[u8]) -> bool {
    if read.len() > MAX_REQUEST {
        return false;
    }
    let Ok(Value::Object(env)) = serde_json::from_slice::<Value>(read) else {
        return false;
    };
    let object_or_absent =
        |k: &str| matches!(env.get(k), None | Some(Value::Null | Value::Object(_)));
    if !matches!(
        env.get("writeKey"),
        None | Some(Value::Null | Value::String(_))
    ) || !object_or_absent("context")
        || !object_or_absent("integrations")
    {
        return false;
    }
    let Some(Value::Array(items)) = env.get("batch") else {
        return false;
    };
    let context = env.get("context").and_then(Value::as_object);
    let integrations = env.get("integrations").and_then(Value::as_object);
    let merge = context.is_some() || integrations.is_some();
    items.iter().all(|item| {
        let mut item = item.clone();
        if merge {
            let Value::Object(m) = &mut item else {
                return false;
            };
            merge_envelope(m, context, integrations);
        }
        let size = serde_json::to_vec(&item).map_or(usize::MAX, |b| b.len());
        size <= MAX_MESSAGE && Message::from_value(item).is_ok()
    })
}

/// What any 200 of `/v1/batch` must have read: an object whose `batch` is an array of
/// objects, each with a non-blank string `type`. (The envelope's other keys are not read, by
/// serve or here: a broken `sentAt` does not refuse a batch.)
fn batch_shape(read: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Envelope {
        batch: Vec<Map<String, Value>>,
    }
    serde_json::from_slice::<Envelope>(read).is_ok_and(|env| {
        env.batch.iter().all(|m| {
            m.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.trim().is_empty())
        })
    })
}

/// Whether a `/v1/{kind}` body must be taken: a JSON object that is a message once its
/// `type` defaults to the path's, of at most 32 KB as stored.
fn single_acceptable(read: &[u8], kind: &str) -> bool {
    if read.len() > MAX_REQUEST || !KINDS.contains(&kind) {
        return false;
    }
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(read) else {
        return false;
    };
    let size = if map.contains_key("type") {
        read.len()
    } else {
        map.insert("type".into(), Value::String(kind.to_owned()));
        serde_json::to_vec(&map).map_or(usize::MAX, |b| b.len())
    };
    size <= MAX_MESSAGE && Message::from_value(Value::Object(map)).is_ok()
}

/// What any 200 of `/v1/{kind}` must have read: a JSON object whose `type`, if any, is a
/// non-blank string.
fn single_shape(read: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(read) {
        Ok(Value::Object(m)) => match m.get("type") {
            None => true,
            Some(Value::String(t)) => !t.trim().is_empty(),
            Some(_) => false,
        },
        _ => false,
    }
}

/// Sends `payload` to `path` and checks the answer against `acceptable` (exact, for
/// generated JSON) and `shape` (what any 200 must have read).
fn ingest_case(
    serve: &Serve,
    tally: &Tally,
    path: &str,
    payload: &Payload,
    encoding: &Encoding,
    acceptable: impl Fn(&[u8]) -> bool,
    shape: impl Fn(&[u8]) -> bool,
) -> Result<(), TestCaseError> {
    let plain = payload.bytes();
    let (wire, header, read) = on_the_wire(plain, encoding);
    let wire_len = wire.len();
    let a = serve.post(path, "application/json", header.as_deref(), wire)?;
    tally.add(a.status);
    if a.status == 200 {
        prop_assert_eq!(a.json(), Some(json!({"success": true})), "{}", a.text());
        let Some(read) = &read else {
            return Err(TestCaseError::fail(format!("200 to {encoding:?}")));
        };
        prop_assert!(shape(read), "200 to a body that is not all messages");
    } else {
        refusal_shape(&a, &[400, 413, 415])?;
        check_encoding_refusal(&a, encoding, wire_len)?;
    }
    if let (Payload::Json(_), Some(read)) = (payload, &read) {
        let want = wire_len <= MAX_REQUEST && acceptable(read);
        prop_assert_eq!(
            a.status == 200,
            want,
            "serve answered {} ({}), expected {}",
            a.status,
            a.text(),
            if want { "200" } else { "a refusal" }
        );
    }
    Ok(())
}

/// An envelope as text with one byte changed: mostly still JSON-like, rarely valid.
fn mutated_envelope() -> impl Strategy<Value = Payload> {
    (envelope(sender_message()), any::<Index>(), any::<u8>()).prop_map(|(env, at, byte)| {
        let mut b = serde_json::to_vec(&env).expect("JSON");
        let i = at.index(b.len());
        b[i] = byte;
        Payload::Raw(Body(b))
    })
}

#[test]
fn any_batch_body_gets_200_only_when_every_item_is_a_message() {
    let serve = Serve::start("batch");
    let tally = Tally::default();
    let case = |(payload, encoding): (Payload, Encoding)| {
        ingest_case(
            &serve,
            &tally,
            "/v1/batch",
            &payload,
            &encoding,
            batch_acceptable,
            batch_shape,
        )
    };
    check(
        &serve,
        "batch: sender-shaped envelopes, now and then a bad item",
        128,
        (
            envelope(prop_oneof![24 => sender_message(), 1 => message()].boxed())
                .prop_map(Payload::Json),
            encoding(),
        ),
        case,
    );
    check(
        &serve,
        "batch: envelopes of anything",
        128,
        (
            envelope(prop_oneof![8 => message(), 1 => json_tree()].boxed()).prop_map(Payload::Json),
            encoding(),
        ),
        case,
    );
    check(
        &serve,
        "batch: any JSON",
        64,
        (json_tree().prop_map(Payload::Json), encoding()),
        case,
    );
    check(
        &serve,
        "batch: envelopes with a byte changed",
        64,
        (mutated_envelope(), encoding()),
        case,
    );
    check(
        &serve,
        "batch: bytes",
        64,
        (
            vec(any::<u8>(), 0..2048).prop_map(|b| Payload::Raw(Body(b))),
            encoding(),
        ),
        case,
    );
    assert!(
        tally.get(200) > 0 && tally.refused() > 0,
        "both answers seen: {}",
        tally.summary()
    );
    eprintln!("batch answers: {}", tally.summary());
}

#[test]
fn any_single_message_body_gets_200_only_when_it_is_a_message() {
    let serve = Serve::start("single");
    let tally = Tally::default();
    let kind = || {
        prop_oneof![
            6 => select(KINDS.to_vec()).prop_map(str::to_owned),
            1 => "[A-Za-z]{1,10}",
        ]
    };
    let case = |(kind, payload, encoding): (String, Payload, Encoding)| {
        let path = format!("/v1/{kind}");
        if !KINDS.contains(&kind.as_str()) {
            let a = serve.post(&path, "application/json", None, payload.bytes())?;
            tally.add(a.status);
            return refusal_shape(&a, &[404]);
        }
        ingest_case(
            &serve,
            &tally,
            &path,
            &payload,
            &encoding,
            |read| single_acceptable(read, &kind),
            single_shape,
        )
    };
    check(
        &serve,
        "single: messages",
        96,
        (
            kind(),
            prop_oneof![sender_message(), message()].prop_map(Payload::Json),
            encoding(),
        ),
        case,
    );
    check(
        &serve,
        "single: any JSON",
        48,
        (kind(), json_tree().prop_map(Payload::Json), encoding()),
        case,
    );
    check(
        &serve,
        "single: bytes",
        48,
        (
            kind(),
            vec(any::<u8>(), 0..2048).prop_map(|b| Payload::Raw(Body(b))),
            encoding(),
        ),
        case,
    );
    assert!(
        tally.get(200) > 0 && tally.refused() > 0,
        "both answers seen: {}",
        tally.summary()
    );
    eprintln!("single answers: {}", tally.summary());
}
