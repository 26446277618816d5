//! Lists and contactLists over raw HTTP (reference §4).

use crate::common::Mock;
use serde_json::{json, Value};

fn list_body(name: &str, stringid: &str) -> Value {
    json!({"list": {"name": name, "stringid": stringid, "sender_url": "https://example.com",
                    "sender_reminder": "You signed up.", "user": 1}})
}

async fn list(m: &Mock, name: &str) -> String {
    let (status, body) = m
        .post(
            "/lists",
            list_body(name, &name.to_lowercase().replace(' ', "-")),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["list"]["id"].as_str().unwrap().to_string()
}

/// `POST /contactLists`: this contact's status (numeric) on this list.
async fn set_status(m: &Mock, list: &str, contact: &str, status: u8) -> (u16, Value) {
    m.post(
        "/contactLists",
        json!({"contactList": {"list": list, "contact": contact, "status": status}}),
    )
    .await
}

#[tokio::test]
async fn create_list_returns_201_live_echo_with_numbers() {
    let m = Mock::start().await;
    let (status, body) = m.post("/lists", list_body("News", "news")).await;
    assert_eq!(status, 201);
    let l = &body["list"];
    assert_eq!(
        (
            l["userid"].clone(),
            l["user"].clone(),
            l["send_last_broadcast"].clone()
        ),
        (json!(1), json!(1), json!(0))
    );
    assert_eq!(
        (
            l["channel"].clone(),
            l["id"].clone(),
            l["description"].clone()
        ),
        (json!("email"), json!("1"), json!(""))
    );
    assert!(l["links"]["addressLists"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/lists/1/addressLists"));
}

#[tokio::test]
async fn create_list_missing_fields_are_422_field_missing_each() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/lists",
            json!({"list": {"name": "x", "sender_url": "https://e.co"}}),
        )
        .await;
    assert_eq!(status, 422);
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["code"], "field_missing");
            e["source"]["pointer"].as_str().unwrap()
        })
        .collect();
    // `stringid` is derived from the name when left out (AC's own MCP server omits it).
    assert_eq!(pointers, vec!["/data/attributes/sender_reminder"]);
    let (status, body) = m.post("/lists", json!({"list": {}})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 4, "{body}");
}

#[tokio::test]
async fn duplicate_stringid_is_422_duplicate() {
    let m = Mock::start().await;
    m.post("/lists", list_body("A", "same")).await;
    let (status, body) = m.post("/lists", list_body("B", "same")).await;
    assert_eq!(
        (status, body["errors"][0]["code"].clone()),
        (422, json!("duplicate"))
    );
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/stringid"
    );
}

#[tokio::test]
async fn get_list_is_the_full_string_object_and_404_is_list_message() {
    let m = Mock::start().await;
    let id = list(&m, "News").await;
    let (status, body) = m.get(&format!("/lists/{id}")).await;
    assert_eq!(status, 200);
    let l = &body["list"];
    assert_eq!(
        (
            l["userid"].clone(),
            l["send_last_broadcast"].clone(),
            l["p_use_tracking"].clone()
        ),
        (json!("1"), json!("0"), json!("1"))
    );
    assert_eq!(
        (l["active_subscribers"].clone(), l["user"].clone()),
        (json!("0"), json!("1"))
    );
    let mut keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = vec![
        "stringid",
        "userid",
        "name",
        "cdate",
        "p_use_tracking",
        "p_use_analytics_read",
        "p_use_analytics_link",
        "p_use_twitter",
        "p_use_facebook",
        "p_embed_image",
        "p_use_captcha",
        "send_last_broadcast",
        "private",
        "analytics_domains",
        "analytics_source",
        "analytics_ua",
        "twitter_token",
        "twitter_token_secret",
        "facebook_session",
        "carboncopy",
        "subscription_notify",
        "unsubscription_notify",
        "require_name",
        "get_unsubscribe_reason",
        "to_name",
        "optinoptout",
        "sender_name",
        "sender_addr1",
        "sender_addr2",
        "sender_city",
        "sender_state",
        "sender_zip",
        "sender_country",
        "sender_phone",
        "sender_url",
        "sender_reminder",
        "fulladdress",
        "optinmessageid",
        "optoutconf",
        "deletestamp",
        "udate",
        "created_timestamp",
        "updated_timestamp",
        "created_by",
        "updated_by",
        "channel",
        "description",
        "non_deleted_subscribers",
        "active_subscribers",
        "links",
        "id",
        "user",
    ];
    keys.sort_unstable();
    want.sort_unstable();
    assert_eq!(keys, want, "the keys of reference §4.2");
    let (status, body) = m.get("/lists/7").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for _List with id 7"})
        )
    );
}

#[tokio::test]
async fn list_lists_filters_orders_and_string_total() {
    let m = Mock::start().await;
    for n in ["Beta news", "Alpha", "News"] {
        list(&m, n).await;
    }
    let names = |b: &Value| -> Vec<String> {
        b["lists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, body) = m.get("/lists").await;
    assert_eq!(
        (names(&body), body["meta"]["total"].clone()),
        (
            vec!["Beta news".into(), "Alpha".into(), "News".into()],
            json!("3")
        )
    );
    let (_, body) = m.get("/lists?filters[name]=news&orders[name]=weight").await;
    assert_eq!(names(&body), vec!["News", "Beta news"]);
    let (_, body) = m.get("/lists?filters[name][eq]=alpha").await;
    assert_eq!(names(&body), vec!["Alpha"]);
    let (_, body) = m.get("/lists?orders[name]=asc&limit=2").await;
    assert_eq!(
        (names(&body), body["meta"]["total"].clone()),
        (vec!["Alpha".into(), "Beta news".into()], json!("3"))
    );
}

#[tokio::test]
async fn put_patch_and_delete_list() {
    let m = Mock::start().await;
    let id = list(&m, "News").await;
    let (status, body) = m
        .put(
            &format!("/lists/{id}"),
            json!({"list": {"name": "Renamed"}}),
        )
        .await;
    assert_eq!(
        (
            status,
            body["list"]["name"].clone(),
            body["list"]["stringid"].clone()
        ),
        (200, json!("Renamed"), json!("news"))
    );
    let (status, body) = m
        .patch(
            &format!("/lists/{id}"),
            json!({"list": {"description": "d"}}),
        )
        .await;
    assert_eq!(
        (status, body["list"]["description"].clone()),
        (200, json!("d"))
    );
    assert_eq!(m.delete(&format!("/lists/{id}")).await, (200, json!({})));
    assert_eq!(m.delete(&format!("/lists/{id}")).await.0, 404);
}

#[tokio::test]
async fn contact_list_subscribe_echoes_numeric_status_and_reads_back_string() {
    let m = Mock::start().await;
    let c = m.contact("s@example.com").await;
    let l = list(&m, "News").await;
    let (status, body) = set_status(&m, &l, &c, 1).await;
    assert_eq!(status, 200);
    let row = &body["contactList"];
    assert_eq!(
        (
            row["status"].clone(),
            row["contact"].clone(),
            row["list"].clone()
        ),
        (json!(1), json!(c), json!(l))
    );
    assert!(row["sdate"].is_string() && row["udate"].is_null());
    let (status, body) = m.get(&format!("/contacts/{c}/contactLists")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["contactLists"][0]["status"].clone(),
            body["contactLists"][0]["channel"].clone()
        ),
        (json!("1"), json!("email"))
    );
    let (_, body) = m.get(&format!("/contacts/{c}")).await;
    assert_eq!(body["contact"]["contactLists"], json!(["1"]));
    assert_eq!(body["contactLists"][0]["status"], "1");
    let (_, body) = m.get(&format!("/lists/{l}")).await;
    assert_eq!(body["list"]["active_subscribers"], "1");
}

#[tokio::test]
async fn contact_list_upserts_one_row_and_unsubscribe_sets_reason() {
    let m = Mock::start().await;
    let c = m.contact("s@example.com").await;
    let l = list(&m, "News").await;
    let (_, first) = set_status(&m, &l, &c, 1).await;
    let (status, body) = m
        .post(
            "/contactLists",
            json!({"contactList": {"list": l, "contact": c, "status": "2"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["contactList"]["id"], first["contactList"]["id"]);
    assert_eq!(body["contactList"]["status"], 2);
    assert!(body["contactList"]["udate"].is_string());
    assert!(!body["contactList"]["unsubreason"]
        .as_str()
        .unwrap()
        .is_empty());
    let (_, body) = m.get(&format!("/contacts/{c}/contactLists")).await;
    assert_eq!(body["contactLists"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn contact_list_errors_are_ac_shaped() {
    let m = Mock::start().await;
    let c = m.contact("s@example.com").await;
    let l = list(&m, "News").await;
    let cases = [
        (
            json!({"list": l, "contact": c, "status": 7}),
            422,
            "/data/attributes/status",
        ),
        (
            json!({"list": l, "contact": c, "status": "abc"}),
            422,
            "/data/attributes/status",
        ),
        (
            json!({"list": l, "status": 1}),
            422,
            "/data/attributes/contact",
        ),
    ];
    for (row, want_status, pointer) in cases {
        let (status, body) = m.post("/contactLists", json!({ "contactList": row })).await;
        assert_eq!(
            (status, body["errors"][0]["source"]["pointer"].clone()),
            (want_status, json!(pointer)),
            "{body}"
        );
    }
    let (status, body) = m
        .post(
            "/contactLists",
            json!({"contactList": {"list": 9, "contact": c, "status": 1}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"errors":[{"status":404,"title":"Not Found","detail":"List not found"}]})
        )
    );
    let (status, body) = m
        .post(
            "/contactLists",
            json!({"contactList": {"list": l, "contact": 9, "status": 1}}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].clone()),
        (404, json!("Contact not found"))
    );
    let (status, body) = m.get("/contacts/121/contactLists").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Subscriber with id 121"})
        )
    );
}

#[tokio::test]
async fn contacts_filter_by_listid_and_status_and_list_delete_cascades() {
    let m = Mock::start().await;
    let a = m.contact("a@example.com").await;
    let b = m.contact("b@example.com").await;
    m.contact("c@example.com").await;
    let l = list(&m, "News").await;
    set_status(&m, &l, &a, 1).await;
    set_status(&m, &l, &b, 2).await;
    let (_, body) = m.get(&format!("/contacts?listid={l}")).await;
    assert_eq!(body["meta"]["total"], "2");
    let (_, body) = m.get(&format!("/contacts?listid={l}&status=1")).await;
    assert_eq!(
        (
            body["meta"]["total"].clone(),
            body["contacts"][0]["email"].clone()
        ),
        (json!("1"), json!("a@example.com"))
    );
    let (_, body) = m.get("/contacts?status=2").await;
    assert_eq!(body["contacts"][0]["email"], "b@example.com");
    m.delete(&format!("/lists/{l}")).await;
    let (_, body) = m.get(&format!("/contacts/{a}/contactLists")).await;
    assert_eq!(body["contactLists"], json!([]));
}
