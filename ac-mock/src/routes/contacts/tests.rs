//! The contact bodies: the fast path reads plain bodies as the general path does, the
//! hand-written detailed contact equals serde's, and every body is pinned byte for byte.

use chrono::{DateTime, Utc};

use super::input::{contact_input, plain_contact_input};
use super::write::{push_retrieve_json, write_reply};
use crate::extract::parse_json;
use crate::render::contact::{detailed_json, full_json};
use crate::render::contact_bytes::push_detailed_contact;
use crate::state::Ctx;
use crate::store::contacts::ContactWrite;
use crate::store::{ContactInput, FieldInput, ListInput, Store};

/// Puts contact `cid` on a new list (name, status, when) and gives it a value in a new
/// text field (title, value), at the fixture's fixed times; returns the field's id.
fn add_list_and_field(
    store: &mut Store,
    cid: u64,
    (name, status, listed_at): (&str, u8, DateTime<Utc>),
    (title, value): (&str, &str),
) -> u64 {
    let created = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
        .expect("time")
        .with_timezone(&Utc);
    let list = store
        .create_list(
            &ListInput {
                name: Some(name.into()),
                stringid: Some(name.to_lowercase()),
                sender_url: Some("https://example.com".into()),
                sender_reminder: Some("You signed up".into()),
                ..Default::default()
            },
            created,
        )
        .expect("list");
    store
        .set_contact_list(cid, list, status, None, listed_at)
        .expect("membership");
    let field = store
        .create_field(
            &FieldInput {
                title: Some(title.into()),
                field_type: Some("text".into()),
                ..Default::default()
            },
            created,
        )
        .expect("field");
    store
        .upsert_field_value(cid, field, value, created + chrono::Duration::seconds(2))
        .expect("value");
    field
}

/// A store with one contact (fixed times and hash), one list membership and one field
/// value, rendered in an account at UTC-05:00.
fn fixture() -> (Store, Ctx, ContactWrite) {
    let at = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    };
    let mut store = Store::new();
    let input = ContactInput {
        email: Some("Ann.O'Neil@example.com".into()),
        first_name: Some("Ann \"Q\"".into()),
        last_name: Some("O'Neil".into()),
        phone: Some("+1 555 0100".into()),
        ..Default::default()
    };
    let w = store
        .create_contact(&input, at("2026-01-02T03:04:05Z"))
        .expect("create");
    store.contacts.get_mut(w.id).expect("row").hash = "0123456789abcdef0123456789abcdef".into();
    let field = add_list_and_field(
        &mut store,
        w.id,
        ("News", 1, at("2026-01-02T03:04:06Z")),
        ("Color", "blue"),
    );
    let mut update = input.clone();
    update.email = None;
    update.field_values = vec![(field, "green".into())];
    let w = store
        .update_contact(w.id, &update, at("2026-12-31T23:30:00Z"))
        .expect("update");
    let ctx = Ctx {
        api_base: "http://127.0.0.1:4010/api/3".into(),
        offset: chrono::FixedOffset::west_opt(5 * 3600).expect("offset"),
        contact_tag_created_status: 201,
    };
    (store, ctx, w)
}

fn render(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("json")
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("UTF-8")
}

/// The typed fast path reads plain bodies exactly as the general path does, and leaves
/// every other body (numbers, extra attributes, duplicates, bad JSON) to it.
#[test]
fn plain_sync_bodies_read_as_the_general_path_reads_them() {
    let general =
        |body: &str| contact_input(&parse_json(body.as_bytes()).expect("json")).expect("input");
    for body in [
        r#"{"contact":{"email":"a@example.com","firstName":"A","lastName":"B","phone":"1"}}"#,
        r#"{"contact":{"email":"a@example.com"}}"#,
        r#"{"contact":{"email":"a\u00e9@example.com","firstName":"q\"uote\\","lastName":null}}"#,
        r#" { "contact" : { "phone" : "" , "email" : "x@example.com" } } "#,
        r#"{"contact":{}}"#,
    ] {
        assert_eq!(
            plain_contact_input(body.as_bytes()),
            Some(general(body)),
            "{body}"
        );
    }
    for body in [
        r#"{"contact":{"email":"a@example.com","phone":5551234}}"#,
        r#"{"contact":{"email":"a@example.com","orgid":"3"}}"#,
        r#"{"contact":{"email":"a@example.com","fieldValues":[{"field":"1","value":"x"}]}}"#,
        r#"{"contact":{"email":"a@example.com"},"extra":1}"#,
        r#"{"contact":{"email":"a@example.com","email":"b@example.com"}}"#,
        r#"{"contact":"a@example.com"}"#,
        r#"{"contact":{"email":"a@example.com"}"#,
        "",
    ] {
        assert_eq!(plain_contact_input(body.as_bytes()), None, "{body}");
    }
}

/// The hand-written detailed contact equals serde's rendering of the same contact, for
/// strings that need escaping (quotes, backslashes, control characters), non-ASCII text,
/// a bounce date, several ids in each array, and odd offsets.
#[test]
fn hand_written_contact_equals_serde() {
    let (mut store, mut ctx, w) = fixture();
    let at = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    };
    // A second list and field, so the fixture contact has two ids in each array.
    let field = add_list_and_field(
        &mut store,
        w.id,
        ("Second", 2, at("2026-01-03T03:04:06Z")),
        ("Size", "XL"),
    );
    let odd = [
        "plain",
        "",
        "quote \" and backslash \\",
        "tab\tnewline\ncr\r nul\u{0} bell\u{7} unit\u{1f} del\u{7f}",
        "Zoë Ünïcode 日本 😀 \u{2028}",
        "</script><b>&amp;",
    ];
    for (i, s) in odd.iter().enumerate() {
        let input = ContactInput {
            email: Some(format!("odd{i}@ex\"ample.com")),
            first_name: Some((*s).to_string()),
            last_name: Some(s.repeat(2)),
            phone: Some(format!("{s}+1")),
            ..Default::default()
        };
        let id = store
            .create_contact(&input, at("2026-03-04T05:06:07Z"))
            .expect("contact")
            .id;
        let c = store.contacts.get_mut(id).expect("stored");
        c.orgname = (*s).to_string();
        c.hash = format!("{s}hash");
        c.bounced_hard = 2;
        c.bounced_soft = 11;
        c.bounced_date = Some(at("2026-05-06T03:00:00Z"));
        store
            .upsert_field_value(id, field, s, at("2026-03-04T05:06:08Z"))
            .expect("value");
    }
    for offset in [0, -5 * 3600, 5 * 3600 + 30 * 60, 14 * 3600] {
        ctx.offset = chrono::FixedOffset::east_opt(offset).expect("offset");
        for c in store.contacts.iter() {
            let mut hand = Vec::new();
            push_detailed_contact(&mut hand, &store, c, &ctx);
            assert_eq!(
                text(hand),
                render(&detailed_json(&store, c, &ctx)),
                "contact {} at offset {offset}",
                c.id
            );
        }
    }
}

/// The bodies as the `serde_json::Value` rendering produced them (keys sorted), captured
/// byte for byte in `testdata/`: the typed rendering must not change a byte.
#[test]
fn contact_bodies_are_pinned_byte_for_byte() {
    let (store, ctx, w) = fixture();
    let c = store.contact(w.id).expect("contact");
    let cases = [
        (
            "GET /contacts/{id}",
            text({
                let mut out = Vec::new();
                push_retrieve_json(&mut out, &store, w.id, &ctx).expect("get");
                out
            }),
            include_str!("../testdata/contact_get.json"),
        ),
        (
            "sync/update",
            text(write_reply(&store, &ctx, &w, false).expect("sync")),
            include_str!("../testdata/contact_sync.json"),
        ),
        (
            "create",
            text(write_reply(&store, &ctx, &w, true).expect("create")),
            include_str!("../testdata/contact_create.json"),
        ),
        (
            "list item",
            render(&full_json(c, &ctx)),
            include_str!("../testdata/contact_full.json"),
        ),
    ];
    for (what, got, want) in cases {
        assert_eq!(got, want, "{what}");
    }
}
