//! Contacts over raw HTTP (reference §2, §1.7).

use crate::common::Mock;
use serde_json::{json, Value};

#[tokio::test]
async fn create_returns_201_with_reduced_contact() {
    let m = Mock::start().await;
    let (status, body) = m
        .post("/contacts", json!({"contact": {"email": "ada@example.com", "firstName": "Ada", "lastName": "L", "phone": "123"}}))
        .await;
    assert_eq!(status, 201);
    let c = &body["contact"];
    assert_eq!(c["email"], "ada@example.com");
    assert_eq!(c["firstName"], "Ada");
    assert_eq!(c["orgid"], "0");
    assert_eq!(c["id"], "1");
    assert_eq!(c["organization"], Value::Null);
    assert!(
        c.get("bounced_hard").is_none(),
        "create returns the reduced contact"
    );
    let links = c["links"].as_object().unwrap();
    assert_eq!(links.len(), 18);
    assert_eq!(
        links["bounceLogs"],
        format!("{}/api/3/contacts/1/bounceLogs", m.server.base_url())
    );
    let cdate = c["cdate"].as_str().unwrap();
    assert!(cdate.ends_with("-05:00") && cdate.len() == 25, "{cdate}");
}

#[tokio::test]
async fn duplicate_email_is_422_with_exact_body_case_insensitive() {
    let m = Mock::start().await;
    m.contact("ada@example.com").await;
    let (status, body) = m
        .post(
            "/contacts",
            json!({"contact": {"email": "ADA@example.com"}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errors":[{"title":"Email address already exists in the system","detail":"","code":"duplicate","source":{"pointer":"/data/attributes/email"}}]})
    );
}

#[tokio::test]
async fn invalid_or_missing_email_is_422_email_invalid() {
    let m = Mock::start().await;
    let expected = json!({"errors":[{"title":"Contact Email Address is not valid.","detail":"","code":"email_invalid","error":"must_be_valid_email_address","source":{"pointer":"/data/attributes/email"}}]});
    for contact in [json!({"email": "not-an-email"}), json!({"firstName": "x"})] {
        let (status, body) = m.post("/contacts", json!({ "contact": contact })).await;
        assert_eq!((status, &body), (422, &expected));
    }
}

#[tokio::test]
async fn missing_or_wrong_contact_wrapper_is_422_naming_it() {
    let m = Mock::start().await;
    let (status, body) = m.post("/contacts", json!({"email": "a@b.co"})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_missing");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/contact"
    );
    let (status, body) = m.post("/contacts", json!({"contact": ["a@b.co"]})).await;
    assert_eq!(
        (status, body["errors"][0]["code"].clone()),
        (422, json!("field_invalid"))
    );
    let (status, body) = m
        .post(
            "/contacts",
            json!({"contact": {"email": "a@b.co", "firstName": {"x": 1}}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/firstName"
    );
}

#[tokio::test]
async fn sync_creates_with_201_then_updates_with_200_only_sent_fields() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/contact/sync",
            json!({"contact": {"email": "s@example.com", "firstName": "S", "lastName": "One"}}),
        )
        .await;
    assert_eq!(status, 201);
    let id = body["contact"]["id"].clone();
    assert_eq!(
        body["contact"]["bounced_hard"], "0",
        "sync returns the full contact"
    );
    let (status, body) = m
        .post(
            "/contact/sync",
            json!({"contact": {"email": "S@example.com", "firstName": "Sue"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["contact"]["id"], id);
    assert_eq!(body["contact"]["firstName"], "Sue");
    assert_eq!(body["contact"]["lastName"], "One");
    assert_eq!(body["contact"]["email"], "s@example.com");
}

#[tokio::test]
async fn get_returns_side_loads_and_full_contact() {
    let m = Mock::start().await;
    let id = m.contact("g@example.com").await;
    let (status, body) = m.get(&format!("/contacts/{id}")).await;
    assert_eq!(status, 200);
    for key in [
        "contactAutomations",
        "contactLists",
        "deals",
        "fieldValues",
        "geoIps",
        "accountContacts",
    ] {
        assert!(body[key].is_array(), "{key}");
    }
    let c = &body["contact"];
    assert_eq!(c["id"], id.as_str());
    assert_eq!(c["email_domain"], "example.com");
    assert_eq!(c["deleted"], "0");
    assert_eq!(c["hash"].as_str().unwrap().len(), 32);
    let created = c["created_timestamp"].as_str().unwrap();
    assert_eq!(created.len(), 19);
    assert_eq!(&c["cdate"].as_str().unwrap()[..10], &created[..10]);
}

#[tokio::test]
async fn unknown_or_non_numeric_contact_is_404_subscriber_message() {
    let m = Mock::start().await;
    for id in ["99", "abc"] {
        let (status, body) = m.get(&format!("/contacts/{id}")).await;
        assert_eq!(status, 404);
        assert_eq!(
            body,
            json!({"message": format!("No Result found for Subscriber with id {id}")})
        );
        let (status, body) = m
            .put(
                &format!("/contacts/{id}"),
                json!({"contact": {"firstName": "x"}}),
            )
            .await;
        assert_eq!(
            (status, body["message"].clone()),
            (
                404,
                json!(format!("No Result found for Subscriber with id {id}"))
            )
        );
    }
}

#[tokio::test]
async fn put_and_patch_change_only_sent_fields() {
    let m = Mock::start().await;
    let (_, body) = m
        .post(
            "/contacts",
            json!({"contact": {"email": "u@example.com", "firstName": "U", "lastName": "Last"}}),
        )
        .await;
    let id = body["contact"]["id"].as_str().unwrap().to_string();
    let (status, body) = m
        .put(
            &format!("/contacts/{id}"),
            json!({"contact": {"firstName": "New"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["contact"]["firstName"].clone(),
            body["contact"]["lastName"].clone()
        ),
        (json!("New"), json!("Last"))
    );
    let (status, body) = m
        .patch(
            &format!("/contacts/{id}"),
            json!({"contact": {"phone": "555"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["contact"]["phone"].clone(),
            body["contact"]["firstName"].clone()
        ),
        (json!("555"), json!("New"))
    );
}

#[tokio::test]
async fn update_to_another_contacts_email_is_422_duplicate() {
    let m = Mock::start().await;
    m.contact("one@example.com").await;
    let two = m.contact("two@example.com").await;
    let (status, body) = m
        .put(
            &format!("/contacts/{two}"),
            json!({"contact": {"email": "ONE@example.com"}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "duplicate");
}

#[tokio::test]
async fn delete_returns_empty_object_then_404_lowercase_message() {
    let m = Mock::start().await;
    let id = m.contact("d@example.com").await;
    let (status, body) = m.delete(&format!("/contacts/{id}")).await;
    assert_eq!((status, body), (200, json!({})));
    let (status, body) = m.delete(&format!("/contacts/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"message": format!("No result found for contact with id {id}")})
    );
    let (status, _) = m.get(&format!("/contacts/{id}")).await;
    assert_eq!(status, 404);
}

async fn seed(m: &Mock, n: usize) {
    for i in 1..=n {
        m.contact(&format!("user{i:02}@example.com")).await;
    }
}

fn emails(body: &Value) -> Vec<String> {
    body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn list_total_is_a_string_default_limit_20_and_offset_pages() {
    let m = Mock::start().await;
    seed(&m, 25).await;
    let (status, body) = m.get("/contacts").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], "25");
    assert_eq!(body["meta"]["sortable"], true);
    assert_eq!(body["meta"]["page_input"]["limit"], 20);
    assert_eq!(body["scoreValues"], json!([]));
    assert_eq!(body["contacts"].as_array().unwrap().len(), 20);
    let (_, body) = m.get("/contacts?limit=10&offset=20").await;
    assert_eq!(
        emails(&body),
        vec![
            "user21@example.com",
            "user22@example.com",
            "user23@example.com",
            "user24@example.com",
            "user25@example.com"
        ]
    );
}

#[tokio::test]
async fn form_automation_and_segment_filters_match_nobody_in_the_mock() {
    let m = Mock::start().await;
    seed(&m, 3).await;
    // The mock has no forms, automations or segments: nobody subscribed through form 3.
    for q in [
        "formid=3",
        "seriesid=2",
        "waitid=9",
        "segmentid=4&forceQuery=1",
    ] {
        let (status, body) = m.get(&format!("/contacts?{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(body["meta"]["total"], "0", "{q}");
        assert_eq!(body["contacts"], json!([]), "{q}");
    }
    let (_, body) = m.get("/contacts?formid=3&seriesid=2").await;
    assert_eq!(body["meta"]["page_input"]["formid"], 3);
    assert_eq!(body["meta"]["page_input"]["seriesid"], 2);
    // 0 is AC's "no filter", and the admin user sees every list.
    for q in ["formid=0&seriesid=0", "in_group_lists=true"] {
        let (_, body) = m.get(&format!("/contacts?{q}")).await;
        assert_eq!(body["meta"]["total"], "3", "{q}");
    }
}

#[tokio::test]
async fn list_limit_is_clamped_to_100_and_bad_numbers_fall_back() {
    let m = Mock::start().await;
    seed(&m, 3).await;
    let (_, body) = m.get("/contacts?limit=500").await;
    assert_eq!(body["meta"]["page_input"]["limit"], 100);
    for q in ["limit=abc", "limit=-5&offset=-1", "offset=zz"] {
        let (status, body) = m.get(&format!("/contacts?{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(body["contacts"].as_array().unwrap().len(), 3, "{q}");
    }
}

#[tokio::test]
async fn list_filters_email_email_like_search_phone_ids_exclude_id_ranges() {
    let m = Mock::start().await;
    seed(&m, 5).await;
    m.post("/contacts", json!({"contact": {"email": "zed@other.org", "firstName": "Zed", "lastName": "Quux", "phone": "+4470"}}))
        .await;
    let cases = [
        ("email=USER03@example.com", vec!["user03@example.com"]),
        ("email_like=OTHER", vec!["zed@other.org"]),
        ("search=quux", vec!["zed@other.org"]),
        ("search=user05", vec!["user05@example.com"]),
        ("phone=%2B44", vec!["zed@other.org"]),
        ("ids=1,2", vec!["user01@example.com", "user02@example.com"]),
        (
            "ids[]=2&ids[]=4",
            vec!["user02@example.com", "user04@example.com"],
        ),
        ("id_greater=4", vec!["user05@example.com", "zed@other.org"]),
        ("id_less=3&exclude=1", vec!["user02@example.com"]),
    ];
    for (q, want) in cases {
        let (status, body) = m.get(&format!("/contacts?{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(emails(&body), want, "{q}");
        assert_eq!(body["meta"]["total"], want.len().to_string(), "{q}");
    }
}

#[tokio::test]
async fn list_orders_apply_in_query_order_case_insensitively() {
    let m = Mock::start().await;
    for (email, first, last) in [
        ("b@x.co", "Bob", "Alpha"),
        ("a@x.co", "Ann", "Beta"),
        ("c@x.co", "Ann", "Alpha"),
    ] {
        m.post(
            "/contacts",
            json!({"contact": {"email": email, "firstName": first, "lastName": last}}),
        )
        .await;
    }
    let cases = [
        ("orders[email]=ASC", vec!["a@x.co", "b@x.co", "c@x.co"]),
        ("orders[email]=desc", vec!["c@x.co", "b@x.co", "a@x.co"]),
        ("orders[id]=DESC", vec!["c@x.co", "a@x.co", "b@x.co"]),
        (
            "orders[first_name]=asc&orders[last_name]=asc",
            vec!["c@x.co", "a@x.co", "b@x.co"],
        ),
        (
            "orders[last_name]=ASC&orders[email]=DESC",
            vec!["c@x.co", "b@x.co", "a@x.co"],
        ),
        ("orders[name]=DESC", vec!["b@x.co", "a@x.co", "c@x.co"]),
        (
            "orders[cdate]=ASC&orders[id]=ASC",
            vec!["b@x.co", "a@x.co", "c@x.co"],
        ),
    ];
    for (q, want) in cases {
        let (_, body) = m
            .get(&format!(
                "/contacts?{}",
                q.replace('[', "%5B").replace(']', "%5D")
            ))
            .await;
        assert_eq!(emails(&body), want, "{q}");
    }
}

#[tokio::test]
async fn list_date_filters_accept_dates_and_iso_and_reject_garbage_with_400() {
    let m = Mock::start().await;
    seed(&m, 2).await;
    for q in [
        "filters[created_after]=1970-01-01",
        "filters[updated_after]=1970-01-01T00:00:00.000Z",
        "filters[created_before]=2999-01-01T00:00:00",
        "filters[updated_before]=2999-01-01T00:00:00%2B02:00",
    ] {
        let (status, body) = m.get(&format!("/contacts?{q}")).await;
        assert_eq!(
            (status, body["meta"]["total"].clone()),
            (200, json!("2")),
            "{q}"
        );
    }
    let (_, body) = m.get("/contacts?filters[created_before]=1970-01-01").await;
    assert_eq!(body["meta"]["total"], "0");
    let (status, body) = m.get("/contacts?filters[created_after]=yesterday").await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("filters[created_after]"),
        "{body}"
    );
}

#[tokio::test]
async fn list_status_filter_minus_one_means_any() {
    let m = Mock::start().await;
    seed(&m, 2).await;
    let (_, body) = m.get("/contacts?status=-1").await;
    assert_eq!(body["meta"]["total"], "2");
    let (_, body) = m.get("/contacts?status=1").await;
    assert_eq!(
        body["meta"]["total"], "0",
        "no contact has an active list membership"
    );
}
