//! Property tests for the pure layers: reading a message (`Message::from_slice`,
//! `Message::from_value`), planning it under every flavour with and without a field catalog,
//! and reading input files (`input::Records`) never panic, whatever comes in; and what they
//! do produce keeps the invariants MAPPING.md states.

#![allow(clippy::unwrap_used)]

use ac_client::encode::FieldCatalog;
use ac_client::fields::Field;
use ac_segment::input::Records;
use ac_segment::plan::{plan, Known};
use ac_segment::spec::{Message, MessageType, SpecError};
use ac_segment::{Flavor, Settings};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const FLAVORS: [Flavor; 3] = [Flavor::Default, Flavor::Segment, Flavor::Rudderstack];

/// Fields of every type AC has, plus the odd ones (no type, an unknown type, no perstag).
fn catalog() -> FieldCatalog {
    let fields: Vec<Field> = serde_json::from_value(json!([
        {"id":"1","title":"Shirt Size","type":"text","perstag":"SHIRT_SIZE"},
        {"id":"2","title":"Notes","type":"textarea","perstag":"NOTES"},
        {"id":"3","title":"Multi Choice","type":"checkbox","perstag":"MULTI_CHOICE"},
        {"id":"4","title":"Colours","type":"listbox","perstag":"COLOURS"},
        {"id":"5","title":"Plan","type":"dropdown","perstag":"PLAN"},
        {"id":"6","title":"Size","type":"radio","perstag":"SIZE"},
        {"id":"7","title":"Signup Date","type":"date","perstag":"SIGNUP_DATE"},
        {"id":"8","title":"Last Seen","type":"datetime","perstag":"LAST_SEEN"},
        {"id":"9","title":"Logins","type":"number","perstag":"LOGINS"},
        {"id":"10","title":"Secret","type":"hidden","perstag":"SECRET"},
        {"id":"11","title":"Legacy","type":"NULL","perstag":"LEGACY"},
        {"id":"12","title":"Odd","type":"multivalue","perstag":"ODD"},
        {"id":"13","title":"","type":"text","perstag":""},
        {"id":"14","title":"Order completed (30 days)","type":"text","perstag":"ORDER_COMPLETED_LAST_30DAYS"},
        {"id":"15","title":"Segment User ID","type":"text","perstag":"SEGMENT_USER_ID"},
        {"id":"16","title":"Interest","type":"text","perstag":"INTEREST"},
        {"id":"17","title":"Title","type":"text","perstag":"TITLE"}
    ]))
    .unwrap();
    FieldCatalog::new(fields)
}

/// Strings that mean something to the planner somewhere.
fn meaningful_string() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "",
        " ",
        "jane.kim@example.com",
        "a@b",
        "@x.io",
        "u@x.io ",
        "John Doe",
        "  Ada  King ",
        "url",
        "rudderlabs.com",
        "https://www.rudderlabs.com/x?y=1",
        "http://sub.www.example.com",
        "https://",
        "http://[::1]/",
        "https://awww.example.com",
        "www.",
        "mailto:a@b.co",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "1990-04-01T00:00:00Z",
        "1990-04-01",
        "2024-11-01 13:05:00",
        "2024-13-45",
        "99999-01-01",
        "not a date",
        "||a||b||",
        "a||b",
        "||",
        "1",
        "0",
        "2",
        "true",
        "false",
        "active",
        "unsubscribed",
        "subscribe",
        "unsubscribe",
        "SUBSCRIBED",
        "audience",
        "trait",
        "identify",
        "track",
        "page",
        "screen",
        "group",
        "alias",
        "a, b,,c",
        ",",
        "NaN",
        "-0",
        "1e400",
        "\u{0}",
        "é",
        "ß",
        "İ",
        "\u{202e}",
        "🙂",
        "An event name well over the limit of thirty-two",
    ])
    .prop_map(str::to_owned)
    .boxed()
}

fn any_string() -> BoxedStrategy<String> {
    prop_oneof![3 => meaningful_string(), 1 => ".{0,24}", 1 => "[a-zA-Z_ %-]{0,12}"].boxed()
}

/// Keys the spec, the planner or the settings read, in several spellings.
fn known_key() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "type",
        "userId",
        "anonymousId",
        "messageId",
        "event",
        "name",
        "groupId",
        "previousId",
        "timestamp",
        "traits",
        "properties",
        "context",
        "integrations",
        "email",
        "Email",
        "e_mail",
        "firstName",
        "first_name",
        "lastName",
        "last name",
        "phone",
        "tags",
        "tagsReset",
        "tags_reset",
        "lists",
        "id",
        "status",
        "fieldInfo",
        "field_info",
        "shirtSize",
        "SIGNUP_DATE",
        "lastSeen",
        "logins",
        "multiChoice",
        "colours",
        "plan",
        "size",
        "notes",
        "odd",
        "legacy",
        "secret",
        "Interest",
        "order_completed_last_30days",
        "title",
        "birthday",
        "website",
        "acValue",
        "eventData",
        "value",
        "url",
        "referrer",
        "domain",
        "referring_domain",
        "page",
        "personas",
        "computation_class",
        "computation_key",
        "All",
        "ActiveCampaign",
        "batch",
        "_metadata",
        "channel",
        "sentAt",
        "",
    ])
    .prop_map(str::to_owned)
    .boxed()
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![4 => known_key(), 1 => ".{0,10}"].boxed()
}

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-3i64..40).prop_map(Value::from),
        // Finite, and read back as the same number (serde_json's default float parsing is not
        // exact for every f64, which is not what is tested here).
        any::<f64>().prop_filter_map("finite, round-tripping", |f| {
            let n = serde_json::Number::from_f64(f)?;
            (serde_json::from_str::<f64>(&n.to_string()).ok()? == f).then_some(Value::Number(n))
        }),
        (-1000i32..1000, 0u32..4).prop_map(|(m, e)| json!(f64::from(m) / f64::from(10u32.pow(e)))),
        any_string().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value, nested up to a few levels.
fn arb_json() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

fn object_of(entries: Vec<(String, Value)>) -> Value {
    Value::Object(entries.into_iter().collect())
}

/// A `lists` entry: mostly `{id, status}`, sometimes anything.
fn list_entry() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (prop_oneof![(0u64..12).prop_map(Value::from), any_string().prop_map(Value::String), arb_json()],
              prop_oneof![meaningful_string().prop_map(Value::String), arb_json()])
            .prop_map(|(id, status)| json!({"id": id, "status": status})),
        1 => arb_json(),
    ]
    .boxed()
}

/// A trait value shaped for its key now and then, anything otherwise.
fn trait_value() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => arb_json(),
        2 => meaningful_string().prop_map(Value::String),
        1 => prop::collection::vec(prop_oneof![any_string().prop_map(Value::String), leaf()], 0..5)
            .prop_map(Value::Array),
        1 => prop::collection::vec(list_entry(), 0..4).prop_map(Value::Array),
        1 => list_entry(),
        1 => prop::collection::vec((prop_oneof![known_key(), Just("Signup Date".to_owned()),
                Just("Last Seen".to_owned()), Just("Multi Choice".to_owned())], arb_json()), 0..5)
            .prop_map(object_of),
    ]
    .boxed()
}

/// Traits the planner reads, holding values of the right shape (with odd contents).
fn shaped_trait() -> BoxedStrategy<(String, Value)> {
    let status = prop::sample::select(vec![
        json!("active"),
        json!("unsubscribed"),
        json!("subscribe"),
        json!("unsubscribe"),
        json!("subscribed"),
        json!(1),
        json!(2),
        json!("2"),
        json!("pending"),
        json!(null),
    ]);
    let title = prop::sample::select(vec![
        "Interest",
        "interest",
        "Signup Date",
        "Last Seen",
        "Multi Choice",
        "Colours",
        "Plan",
        "Logins",
        "Title",
        "",
        "Nope",
    ])
    .prop_map(str::to_owned);
    let perstag = prop::sample::select(vec![
        "shirtSize",
        "notes",
        "multiChoice",
        "colours",
        "plan",
        "size",
        "signup_date",
        "lastSeen",
        "logins",
        "secret",
        "legacy",
        "odd",
        "order_completed_last_30days",
        "title",
        "favourite",
    ])
    .prop_map(str::to_owned);
    let names = prop::collection::vec(
        prop_oneof![any_string().prop_map(Value::String), leaf()],
        0..5,
    );
    prop_oneof![
        (
            Just("tags".to_owned()),
            names.clone().prop_map(Value::Array)
        ),
        (
            Just("tags".to_owned()),
            any_string().prop_map(Value::String)
        ),
        (
            Just("tagsReset".to_owned()),
            prop_oneof![Just(json!(1)), Just(json!(true)), leaf()]
        ),
        (
            Just("lists".to_owned()),
            prop::collection::vec(
                ((0u64..6), status).prop_map(|(id, st)| json!({"id": id, "status": st})),
                0..5
            )
            .prop_map(Value::Array)
        ),
        (
            Just("fieldInfo".to_owned()),
            prop::collection::vec(
                (
                    title,
                    prop_oneof![
                        meaningful_string().prop_map(Value::String),
                        names.clone().prop_map(Value::Array),
                        leaf()
                    ]
                ),
                0..5
            )
            .prop_map(object_of)
        ),
        (
            perstag,
            prop_oneof![
                meaningful_string().prop_map(Value::String),
                names.prop_map(Value::Array),
                leaf()
            ]
        ),
        (
            prop::sample::select(vec!["firstName", "last_name", "name", "phone"])
                .prop_map(str::to_owned),
            prop_oneof![meaningful_string().prop_map(Value::String), leaf()]
        ),
    ]
    .boxed()
}

fn traits() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (prop::collection::vec((key(), trait_value()), 0..6),
              prop::collection::vec(shaped_trait(), 0..8))
            .prop_map(|(random, shaped)| object_of(random.into_iter().chain(shaped).collect())),
        1 => arb_json(),
    ]
    .boxed()
}

fn context() -> BoxedStrategy<Value> {
    let page = prop::collection::vec(
        (
            prop::sample::select(vec!["url", "referrer", "referring_domain", "path", "title"])
                .prop_map(str::to_owned),
            prop_oneof![meaningful_string().prop_map(Value::String), leaf()],
        ),
        0..4,
    )
    .prop_map(object_of);
    let personas = (
        prop_oneof![Just(json!("audience")), leaf()],
        prop_oneof![known_key().prop_map(Value::String), leaf()],
    )
        .prop_map(|(class, key)| json!({"computation_class": class, "computation_key": key}));
    prop_oneof![
        4 => (traits(), page, personas, prop::option::of(arb_json())).prop_map(|(t, p, ps, extra)| {
            let mut c = json!({"traits": t, "page": p, "personas": ps});
            if let Some(x) = extra {
                c["library"] = x;
            }
            c
        }),
        1 => arb_json(),
    ]
    .boxed()
}

fn integrations() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!({})),
        any::<bool>().prop_map(|all| json!({"All": all})),
        (any::<bool>(), arb_json()).prop_map(|(all, ac)| json!({"All": all, "ActiveCampaign": ac})),
        arb_json(),
    ]
    .boxed()
}

fn type_value() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (prop::sample::select(vec!["identify", "track", "page", "screen", "group", "alias", "other"]),
              prop::sample::select(vec![0u8, 1, 2, 3]))
            .prop_map(|(t, case)| Value::String(match case {
                0 => t.to_owned(),
                1 => t.to_uppercase(),
                2 => format!(" {t} "),
                _ => t.chars().enumerate().map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c }).collect(),
            })),
        1 => leaf(),
    ]
    .boxed()
}

/// [`raw_message`], mostly with what a message needs to get far (an email somewhere, an event
/// or screen name, a page URL, an account name), so that planning goes past its first checks.
fn arb_message() -> BoxedStrategy<Value> {
    (
        raw_message(),
        prop::option::weighted(
            0.8,
            (
                0u8..4,
                prop_oneof![Just("jane.kim@example.com".to_owned()), any_string()],
            ),
        ),
        prop::option::weighted(0.7, prop_oneof![3 => "[A-Za-z ]{1,20}", 1 => any_string()]),
        prop::option::weighted(
            0.6,
            prop_oneof![
                Just("https://www.example.com/a?b=c".to_owned()),
                Just("example.org".to_owned()),
                any_string(),
            ],
        ),
    )
        .prop_map(|(mut v, email, name, url)| {
            let Value::Object(m) = &mut v else { return v };
            let mut put = |part: &str, key: &str, value: Value| {
                let slot = m.entry(part.to_owned()).or_insert_with(|| json!({}));
                if !slot.is_object() {
                    *slot = json!({});
                }
                if let Value::Object(o) = slot {
                    o.insert(key.to_owned(), value);
                }
            };
            if let Some((place, email)) = email {
                match place {
                    0 => put("traits", "email", Value::String(email)),
                    1 => put("properties", "email", Value::String(email)),
                    2 => {
                        let ctx = m.entry("context".to_owned()).or_insert_with(|| json!({}));
                        if !ctx.is_object() {
                            *ctx = json!({});
                        }
                        if !ctx["traits"].is_object() {
                            ctx["traits"] = json!({});
                        }
                        ctx["traits"]["email"] = Value::String(email);
                    }
                    _ => {
                        m.insert("userId".into(), Value::String(email));
                    }
                }
            }
            if let Some(name) = name {
                m.insert("event".into(), Value::String(name.clone()));
                m.insert("name".into(), Value::String(name.clone()));
                let t = m.entry("traits".to_owned()).or_insert_with(|| json!({}));
                if let Value::Object(t) = t {
                    t.entry("name").or_insert(Value::String(name));
                }
            }
            if let Some(url) = url {
                let p = m
                    .entry("properties".to_owned())
                    .or_insert_with(|| json!({}));
                if let Value::Object(p) = p {
                    p.insert("url".into(), Value::String(url));
                }
            }
            v
        })
        .boxed()
}

/// An object shaped like a message: a `type`, and among the known keys some holding the kind
/// of value they should and some holding anything.
fn raw_message() -> BoxedStrategy<Value> {
    let shaped = (
        type_value(),
        prop::option::of(traits()),
        prop::option::of(traits()),
        prop::option::of(context()),
        prop::option::of(integrations()),
        prop::collection::vec((known_key(), prop_oneof![leaf(), arb_json()]), 0..3),
    );
    shaped
        .prop_map(|(t, tr, props, ctx, integ, rest)| {
            let mut m = Map::new();
            // Random keys first, so the shaped ones below win when they collide.
            for (k, v) in rest {
                m.insert(k, v);
            }
            m.insert("type".into(), t);
            if let Some(v) = tr {
                m.insert("traits".into(), v);
            }
            if let Some(v) = props {
                m.insert("properties".into(), v);
            }
            if let Some(v) = ctx {
                m.insert("context".into(), v);
            }
            if let Some(v) = integ {
                m.insert("integrations".into(), v);
            }
            Value::Object(m)
        })
        .boxed()
}

fn settings_variants() -> BoxedStrategy<(bool, bool)> {
    (any::<bool>(), any::<bool>()).boxed()
}

fn settings(flavor: Flavor, user_id_field: bool, audiences_as_tags: bool) -> Settings {
    let mut s = Settings::new();
    s.flavor = flavor;
    s.user_id_field = user_id_field.then(|| "SEGMENT_USER_ID".to_owned());
    s.audiences_as_tags = audiences_as_tags;
    s
}

/// Reads `v` both ways: the results agree.
fn read_both(v: &Value) -> Result<Message, SpecError> {
    let from_value = Message::from_value(v.clone());
    let from_slice = Message::from_slice(&serde_json::to_vec(v).unwrap());
    if v.is_object() {
        assert_eq!(from_value, from_slice, "{v}");
    } else {
        assert!(matches!(from_value, Err(SpecError::Json(_))), "{v}");
        assert!(matches!(from_slice, Err(SpecError::Json(_))), "{v}");
    }
    from_slice
}

/// Plans `m` under every flavour, with and without the catalog, and checks what MAPPING.md
/// promises of every plan.
fn plan_everywhere(m: &Message, cat: &FieldCatalog, user_id_field: bool, audiences_as_tags: bool) {
    for flavor in FLAVORS {
        let s = settings(flavor, user_id_field, audiences_as_tags);
        for fields in [Some(cat), None] {
            let result = plan(m, &s, &Known { fields });
            check_invariants(m, flavor, &result.map(|p| serde_json::to_value(p).unwrap()));
        }
    }
}

fn check_invariants(
    m: &Message,
    flavor: Flavor,
    result: &Result<Value, ac_segment::plan::PlanError>,
) {
    let disabled = !m.enabled_for("ActiveCampaign");
    let Ok(p) = result else {
        assert!(
            !disabled,
            "a disabled message is skipped, not failed: {m:?}"
        );
        assert!(
            matches!(
                m.kind,
                MessageType::Identify
                    | MessageType::Track
                    | MessageType::Page
                    | MessageType::Screen
                    | MessageType::Group
            ),
            "only mapped types can fail: {m:?}"
        );
        return;
    };
    if disabled {
        assert_eq!(p["plan"], "skip", "{m:?}");
        return;
    }
    let applied = p["plan"] == "apply";
    match (&m.kind, flavor) {
        (MessageType::Alias | MessageType::Other(_), _) => assert!(!applied),
        (MessageType::Screen, Flavor::Segment) => assert!(!applied),
        (MessageType::Group, Flavor::Segment | Flavor::Rudderstack) => assert!(!applied),
        _ => assert!(applied, "{p}"),
    }
    if !applied {
        assert!(p["reason"].as_str().is_some_and(|r| !r.is_empty()));
        return;
    }
    let actions = p["actions"].as_array().unwrap();
    assert!(!actions.is_empty(), "{p}");
    let kinds: Vec<&str> = actions
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    match &m.kind {
        MessageType::Identify | MessageType::Group => {
            // One sync first, for the plan's email.
            assert_eq!(kinds[0], "sync_contact");
            assert_eq!(kinds.iter().filter(|k| **k == "sync_contact").count(), 1);
            let email = p["email"].as_str().unwrap();
            assert!(!email.is_empty() && email.trim() == email, "{p}");
            assert_eq!(actions[0]["email"], email);
            if flavor != Flavor::Segment {
                assert_eq!(actions[0]["create_if_missing"], true);
            }
            // Tags: reset (never in rudderstack) before any add; names non-empty, added once.
            if let Some(reset) = kinds.iter().position(|k| *k == "reset_tags") {
                assert_ne!(flavor, Flavor::Rudderstack);
                assert!(kinds[..reset].iter().all(|k| *k == "sync_contact"));
            }
            let mut tags: Vec<&str> = actions
                .iter()
                .filter(|a| a["action"] == "add_tag")
                .map(|a| a["name"].as_str().unwrap())
                .collect();
            assert!(tags.iter().all(|t| !t.is_empty() && t.trim() == *t), "{p}");
            let n = tags.len();
            tags.sort_unstable();
            tags.dedup();
            assert_eq!(tags.len(), n, "a tag added twice: {p}");
            // One status per list, ids positive.
            let mut lists: Vec<u64> = actions
                .iter()
                .filter(|a| a["action"] == "set_list_status")
                .map(|a| a["list"].as_str().unwrap().parse().unwrap())
                .collect();
            assert!(lists.iter().all(|l| *l > 0));
            let n = lists.len();
            lists.sort_unstable();
            lists.dedup();
            assert_eq!(lists.len(), n, "a list set twice: {p}");
            // Each custom field set once.
            if let Some(fv) = actions[0]["field_values"].as_array() {
                let mut ids: Vec<&str> = fv.iter().map(|f| f["field"].as_str().unwrap()).collect();
                let n = ids.len();
                ids.sort_unstable();
                ids.dedup();
                assert_eq!(ids.len(), n, "a field set twice: {p}");
            }
            if m.kind == MessageType::Group {
                assert_eq!(kinds.last(), Some(&"link_account"));
            }
        }
        MessageType::Track | MessageType::Screen => {
            assert_eq!(kinds, ["track_event"]);
            let name = actions[0]["name"].as_str().unwrap();
            assert!(!name.trim().is_empty() && name.chars().count() <= 32);
            // Never a visit without an email (`{"email":"undefined"}`).
            if let Some(e) = actions[0].get("email") {
                assert!(
                    e.as_str().is_some_and(|e| !e.is_empty() && e.trim() == e),
                    "{p}"
                );
                assert_eq!(e, &p["email"]);
            } else {
                assert_eq!(
                    flavor,
                    Flavor::Rudderstack,
                    "only rudderstack sends an event without a visit"
                );
            }
        }
        MessageType::Page => {
            for a in actions {
                match a["action"].as_str().unwrap() {
                    "whitelist_domain" => {
                        assert_ne!(flavor, Flavor::Segment);
                        let d = a["domain"].as_str().unwrap();
                        assert!(!d.is_empty() && !d.contains('/'), "{p}");
                    }
                    "record_visit" => {
                        assert_ne!(flavor, Flavor::Rudderstack);
                        assert!(a["email"].as_str().is_some_and(|e| !e.is_empty()), "{p}");
                        assert_eq!(a["email"], p["email"]);
                    }
                    other => panic!("a page plans {other}"),
                }
            }
        }
        MessageType::Alias | MessageType::Other(_) => unreachable!(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn any_json_value_reads_and_plans_without_panicking(v in arb_json(), (uid, aud) in settings_variants()) {
        let cat = catalog();
        if let Ok(m) = read_both(&v) {
            plan_everywhere(&m, &cat, uid, aud);
        }
    }

    #[test]
    fn any_message_shaped_object_reads_and_plans_without_panicking(
        v in arb_message(),
        (uid, aud) in settings_variants(),
    ) {
        let cat = catalog();
        if let Ok(m) = read_both(&v) {
            plan_everywhere(&m, &cat, uid, aud);
        }
    }

    #[test]
    fn any_bytes_read_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let cat = catalog();
        if let Ok(m) = Message::from_slice(&bytes) {
            plan_everywhere(&m, &cat, true, true);
        }
    }

    #[test]
    fn mangled_message_text_reads_without_panicking(
        v in arb_message(),
        cut in any::<prop::sample::Index>(),
        junk in prop::collection::vec(any::<u8>(), 0..4),
    ) {
        // A real message's text, cut somewhere and with junk spliced in.
        let text = serde_json::to_vec(&v).unwrap();
        let at = cut.index(text.len() + 1);
        let mut bytes = text[..at].to_vec();
        bytes.extend_from_slice(&junk);
        bytes.extend_from_slice(&text[at..]);
        if let Ok(m) = Message::from_slice(&bytes) {
            plan_everywhere(&m, &catalog(), false, true);
        }
    }

    #[test]
    fn records_read_any_bytes_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut n = 0usize;
        for r in Records::new(&bytes[..]) {
            let r = r.unwrap();
            prop_assert!(r.line >= 1);
            n += 1;
            prop_assert!(n <= bytes.len() + 1, "more records than bytes");
        }
    }

    #[test]
    fn records_read_any_line_soup_without_panicking(
        pieces in prop::collection::vec(prop_oneof![
            arb_message().prop_map(|v| v.to_string()),
            arb_json().prop_map(|v| v.to_string()),
            arb_json().prop_map(|v| serde_json::to_string_pretty(&v).unwrap()),
            arb_message().prop_map(|v| json!({"batch":[v], "context":{"ip":"1.2.3.4"}}).to_string()),
            prop::sample::select(vec!["[", "]", "{", "}", "{\"batch\":[", "],\"context\":{}}", "", " ",
                "\r", ",", "\u{feff}"]).prop_map(str::to_owned),
            ".{0,12}",
        ], 0..8),
        crlf in any::<bool>(),
    ) {
        let text = pieces.join(if crlf { "\r\n" } else { "\n" });
        let mut n = 0usize;
        for r in Records::new(text.as_bytes()) {
            let r = r.unwrap();
            prop_assert!(r.line >= 1);
            if let Ok(m) = &r.message {
                plan_everywhere(m, &catalog(), false, false);
            }
            n += 1;
            prop_assert!(n <= text.len() + 1, "more records than bytes");
        }
    }

    #[test]
    fn ndjson_of_messages_is_one_record_per_line(
        messages in prop::collection::vec(arb_message(), 1..8),
        crlf in any::<bool>(),
    ) {
        // Messages without a `batch` key: each line is exactly one record, kept byte for byte.
        let lines: Vec<String> = messages
            .into_iter()
            .map(|mut v| {
                if let Value::Object(m) = &mut v {
                    m.remove("batch");
                }
                v.to_string()
            })
            .collect();
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let records: Vec<_> = Records::new(text.as_bytes()).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(records.len(), lines.len());
        for (i, (r, line)) in records.iter().zip(&lines).enumerate() {
            prop_assert_eq!(r.line, i + 1);
            prop_assert_eq!(r.item, None);
            prop_assert_eq!(&r.raw, line.as_bytes());
            let v: Value = serde_json::from_str(line).unwrap();
            prop_assert_eq!(&r.message, &Message::from_value(v));
        }
    }
}
