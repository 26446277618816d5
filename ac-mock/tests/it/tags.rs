//! Tags and contactTags over raw HTTP (reference §3).

use crate::common::Mock;
use ac_mock::MockServer;
use serde_json::{json, Value};

async fn tag(m: &Mock, name: &str) -> String {
    let (status, body) = m
        .post(
            "/tags",
            json!({"tag": {"tag": name, "tagType": "contact", "description": "d"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["tag"]["id"].as_str().unwrap().to_string()
}

fn names(body: &Value) -> Vec<String> {
    body["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap().to_string())
        .collect()
}

/// `POST /contactTags` for this contact and tag.
async fn tag_contact(m: &Mock, contact: &str, tag: &str) -> (u16, Value) {
    m.post(
        "/contactTags",
        json!({"contactTag": {"contact": contact, "tag": tag}}),
    )
    .await
}

#[tokio::test]
async fn create_tag_returns_201_live_shape() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/tags",
            json!({"tag": {"tag": "vip", "tagType": "contact", "description": "Very"}}),
        )
        .await;
    assert_eq!(status, 201);
    let t = body["tag"].as_object().unwrap();
    let keys: Vec<&str> = t.keys().map(String::as_str).collect();
    for k in ["tag", "description", "tagType", "cdate", "links", "id"] {
        assert!(keys.contains(&k), "{k}");
    }
    assert_eq!(t["id"], "1");
    assert!(t["links"]["contactGoalTags"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/tags/1/contactGoalTags"));
}

#[tokio::test]
async fn missing_or_empty_tag_name_is_422_field_missing() {
    let m = Mock::start().await;
    for body in [
        json!({"tag": {"tagType": "contact"}}),
        json!({"tag": {"tag": ""}}),
    ] {
        let (status, body) = m.post("/tags", body).await;
        assert_eq!(status, 422);
        assert_eq!(body["errors"][0]["code"], "field_missing");
        assert_eq!(
            body["errors"][0]["source"]["pointer"],
            "/data/attributes/tag"
        );
    }
}

#[tokio::test]
async fn duplicate_tag_name_is_422_unless_allowed() {
    let m = Mock::start().await;
    tag(&m, "vip").await;
    let (status, body) = m.post("/tags", json!({"tag": {"tag": "VIP"}})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "duplicate");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/tag"
    );

    let m = Mock::with(MockServer::builder().allow_duplicate_tags(true)).await;
    tag(&m, "vip").await;
    assert_eq!(tag(&m, "vip").await, "2");
}

#[tokio::test]
async fn get_update_delete_tag_and_404_message() {
    let m = Mock::start().await;
    let id = tag(&m, "old").await;
    let (status, body) = m.get(&format!("/tags/{id}")).await;
    assert_eq!(
        (
            status,
            body["tag"]["subscriber_count"].clone(),
            body["tag"]["deleted"].clone()
        ),
        (200, json!("0"), json!("0"))
    );
    let (status, body) = m
        .put(&format!("/tags/{id}"), json!({"tag": {"tag": "new"}}))
        .await;
    assert_eq!(
        (
            status,
            body["tag"]["tag"].clone(),
            body["tag"]["description"].clone()
        ),
        (200, json!("new"), json!("d"))
    );
    let (status, _) = m
        .patch(&format!("/tags/{id}"), json!({"tag": {"description": "x"}}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(m.delete(&format!("/tags/{id}")).await, (200, json!({})));
    for method_get in [true, false] {
        let (status, body) = if method_get {
            m.get("/tags/1").await
        } else {
            m.delete("/tags/1").await
        };
        assert_eq!(
            (status, body),
            (404, json!({"message": "No Result found for Tag with id 1"}))
        );
    }
}

#[tokio::test]
async fn list_tags_search_filters_orders_and_string_total() {
    let m = Mock::start().await;
    for n in ["a vip", "vip gold", "vip", "basic"] {
        tag(&m, n).await;
    }
    let cases = [
        ("search=vip", vec!["a vip", "vip gold", "vip"]),
        (
            "search=vip&orders[search]=weight",
            vec!["vip", "vip gold", "a vip"],
        ),
        (
            "orders[search]=asc",
            vec!["a vip", "basic", "vip", "vip gold"],
        ),
        (
            "orders[search]=DESC",
            vec!["vip gold", "vip", "basic", "a vip"],
        ),
        ("filters[search][eq]=VIP", vec!["vip"]),
        (
            "filters[search][neq]=vip",
            vec!["a vip", "vip gold", "basic"],
        ),
        ("filters[search][starts_with]=vip", vec!["vip gold", "vip"]),
        ("filters[search][contains]=as", vec!["basic"]),
        ("filters[search][lt]=b", vec!["a vip"]),
        ("filters[search][gte]=vip", vec!["vip gold", "vip"]),
        ("limit=2&offset=1", vec!["vip gold", "vip"]),
    ];
    for (q, want) in cases {
        let (status, body) = m.get(&format!("/tags?{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(names(&body), want, "{q}");
    }
    let (_, body) = m.get("/tags?limit=1").await;
    assert_eq!(body["meta"]["total"], "4");
}

#[tokio::test]
async fn contact_tag_new_is_201_then_idempotent_200_with_same_row() {
    let m = Mock::start().await;
    let c = m.contact("t@example.com").await;
    let t = tag(&m, "vip").await;
    let (status, first) = tag_contact(&m, &c, &t).await;
    assert_eq!(status, 201);
    let row = &first["contactTag"];
    assert_eq!(
        (
            row["contact"].clone(),
            row["tag"].clone(),
            row["id"].clone()
        ),
        (json!(c), json!(t), json!("1"))
    );
    assert!(row["links"]["tag"]
        .as_str()
        .unwrap()
        .ends_with("/contactTags/1/tag"));
    let (status, again) = m
        .post(
            "/contactTags",
            json!({"contactTag": {"contact": c.parse::<u64>().unwrap(), "tag": 1}}),
        )
        .await;
    assert_eq!((status, again), (200, first));
    let (_, body) = m.get(&format!("/tags/{t}")).await;
    assert_eq!(body["tag"]["subscriber_count"], "1");
}

#[tokio::test]
async fn contact_tag_new_status_is_configurable() {
    let m = Mock::with(MockServer::builder().contact_tag_new_status(200)).await;
    let c = m.contact("t@example.com").await;
    let t = tag(&m, "vip").await;
    let (status, _) = tag_contact(&m, &c, &t).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn contact_tag_errors_are_ac_shaped() {
    let m = Mock::start().await;
    let c = m.contact("t@example.com").await;
    let t = tag(&m, "vip").await;
    let (status, body) = m
        .post(
            "/contactTags",
            json!({"contactTag": {"contact": "99", "tag": t}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"errors":[{"status":404,"title":"Not Found","detail":"Contact not found"}]})
        )
    );
    let (status, body) = m
        .post(
            "/contactTags",
            json!({"contactTag": {"contact": c, "tag": 99}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"errors":[{"status":404,"title":"Not Found","detail":"Tag not found"}]})
        )
    );
    let (status, body) = m
        .post("/contactTags", json!({"contactTag": {"tag": t}}))
        .await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"errors":[{"status":422,"title":"Missing attribute","source":{"pointer":"/data/attributes/contact"}}]})
        )
    );
    let (status, body) = m
        .post(
            "/contactTags",
            json!({"contactTag": {"contact": {}, "tag": t}}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["source"]["pointer"].clone()),
        (422, json!("/data/attributes/contact"))
    );
    let (status, _) = m.post("/contactTags", json!([1, 2])).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn delete_contact_tag_then_404_subscriber_tag() {
    let m = Mock::start().await;
    let c = m.contact("t@example.com").await;
    let t = tag(&m, "vip").await;
    tag_contact(&m, &c, &t).await;
    assert_eq!(m.delete("/contactTags/1").await, (200, json!({})));
    assert_eq!(
        m.delete("/contactTags/1").await,
        (
            404,
            json!({"message": "No Result found for SubscriberTag with id 1"})
        )
    );
}

#[tokio::test]
async fn contact_tags_of_contact_and_global_list() {
    let m = Mock::start().await;
    let a = m.contact("a@example.com").await;
    let b = m.contact("b@example.com").await;
    let t = tag(&m, "vip").await;
    for c in [&a, &b] {
        tag_contact(&m, c, &t).await;
    }
    let (status, body) = m.get(&format!("/contacts/{a}/contactTags")).await;
    assert_eq!(status, 200);
    assert_eq!(body["contactTags"].as_array().unwrap().len(), 1);
    assert_eq!(body["contactTags"][0]["contact"], a.as_str());
    let (_, body) = m.get("/contactTags").await;
    assert_eq!(
        (
            body["contactTags"].as_array().unwrap().len(),
            body["meta"]["total"].clone()
        ),
        (2, json!("2"))
    );
    let (status, body) = m.get("/contacts/77/contactTags").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Subscriber with id 77"})
        )
    );
}

#[tokio::test]
async fn deleting_a_tag_or_contact_removes_associations() {
    let m = Mock::start().await;
    let a = m.contact("a@example.com").await;
    let b = m.contact("b@example.com").await;
    let t1 = tag(&m, "one").await;
    let t2 = tag(&m, "two").await;
    for (c, t) in [(&a, &t1), (&a, &t2), (&b, &t2)] {
        tag_contact(&m, c, t).await;
    }
    m.delete(&format!("/tags/{t1}")).await;
    let (_, body) = m.get(&format!("/contacts/{a}/contactTags")).await;
    assert_eq!(body["contactTags"].as_array().unwrap().len(), 1);
    m.delete(&format!("/contacts/{b}")).await;
    let (_, body) = m.get(&format!("/tags/{t2}")).await;
    assert_eq!(body["tag"]["subscriber_count"], "1");
}

#[tokio::test]
async fn contacts_filter_by_tagid() {
    let m = Mock::start().await;
    let a = m.contact("a@example.com").await;
    m.contact("b@example.com").await;
    let t = tag(&m, "vip").await;
    tag_contact(&m, &a, &t).await;
    let (_, body) = m.get(&format!("/contacts?tagid={t}")).await;
    assert_eq!(body["meta"]["total"], "1");
    assert_eq!(body["contacts"][0]["email"], "a@example.com");
    assert_eq!(body["meta"]["page_input"]["tagid"], 1);
}

#[tokio::test]
async fn contacts_list_include_side_loads_tags_of_the_page() {
    let m = Mock::start().await;
    let a = m.contact("a@example.com").await;
    let t = tag(&m, "vip").await;
    tag_contact(&m, &a, &t).await;
    let (_, body) = m.get("/contacts?include=contactTags,contactLists").await;
    assert_eq!(body["contactTags"][0]["tag"], t.as_str());
    assert_eq!(body["contactLists"], json!([]));
    let (_, body) = m.get("/contacts").await;
    assert!(body.get("contactTags").is_none());
}

/// The whole tag as `GET /tags/{id}` and `GET /tags` render it: every key AC sends, ids and
/// counts as strings, `null` creators, the two link URLs, and the name and description
/// JSON-escaped (quotes, backslashes, control characters, non-ASCII) so they read back as
/// written.
#[tokio::test]
async fn get_tag_and_tag_page_render_every_key() {
    let m = Mock::start().await;
    let name = "vip \"gold\" \\ tab\t é 🎉";
    let (status, _) = m
        .post(
            "/tags",
            json!({"tag": {"tag": name, "tagType": "contact", "description": "line\nbreak"}}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, contact) = m
        .post(
            "/contacts",
            json!({"contact": {"email": "ada@example.com"}}),
        )
        .await;
    let cid = contact["contact"]["id"].as_str().unwrap().to_string();
    assert_eq!(tag_contact(&m, &cid, "1").await.0, 201);

    let (status, one) = m.get("/tags/1").await;
    assert_eq!(status, 200);
    let (status, page) = m.get("/tags").await;
    assert_eq!(status, 200);
    assert_eq!(page["meta"], json!({"total": "1"}));
    assert_eq!(
        page["tags"][0], one["tag"],
        "the page renders the tag as GET does"
    );

    let t = one["tag"].as_object().unwrap();
    let mut keys: Vec<&str> = t.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "cdate",
            "created_by",
            "created_timestamp",
            "deleted",
            "description",
            "id",
            "links",
            "subscriber_count",
            "tag",
            "tagType",
            "updated_by",
            "updated_timestamp"
        ]
    );
    assert_eq!(t["tag"], name);
    assert_eq!(t["description"], "line\nbreak");
    assert_eq!(t["tagType"], "contact");
    assert_eq!(t["id"], "1");
    assert_eq!(t["subscriber_count"], "1");
    assert_eq!(t["deleted"], "0");
    assert_eq!(t["created_by"], Value::Null);
    assert_eq!(t["updated_by"], Value::Null);
    let cdate = t["cdate"].as_str().unwrap();
    assert_eq!(cdate.len(), 25, "YYYY-MM-DDTHH:MM:SS±HH:MM: {cdate}");
    let created = t["created_timestamp"].as_str().unwrap();
    assert_eq!(created.len(), 19, "YYYY-MM-DD HH:MM:SS: {created}");
    assert_eq!(created[..10], cdate[..10]);
    let links = t["links"].as_object().unwrap();
    assert_eq!(links.len(), 2);
    for name in ["contactGoalTags", "templateTags"] {
        let url = links[name].as_str().unwrap();
        assert!(url.ends_with(&format!("/api/3/tags/1/{name}")), "{url}");
        assert!(url.starts_with("http"), "{url}");
    }
}
