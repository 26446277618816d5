//! `/automations`, `/contactAutomations` and the `seriesid` contact filter over raw HTTP.

use crate::common::{read, Mock};
use serde_json::{json, Value};

async fn admin(m: &Mock, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}/__admin{path}", m.server.base_url());
    let mut req = m.http.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    read(req.send().await.unwrap()).await
}

async fn automation(m: &Mock, name: &str) -> String {
    let (status, body) = admin(
        m,
        reqwest::Method::POST,
        "/automations",
        Some(json!({ "name": name })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn enter(m: &Mock, contact: &str, automation: &str) -> (u16, Value) {
    m.post(
        "/contactAutomations",
        json!({"contactAutomation": {"contact": contact, "automation": automation}}),
    )
    .await
}

fn ids(body: &Value, key: &str, attr: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[attr].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn admin_creates_automations_that_the_api_lists() {
    let m = Mock::start().await;
    let welcome = automation(&m, "Welcome").await;
    let (status, body) = admin(
        &m,
        reqwest::Method::POST,
        "/automations",
        Some(json!({"name": "Winback", "status": 2, "description": "Old customers"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let winback = body["id"].as_str().unwrap().to_string();

    let (status, body) = m.get("/automations").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["total"], "2");
    assert_eq!(ids(&body, "automations", "name"), ["Welcome", "Winback"]);
    let (status, body) = m.get(&format!("/automations/{winback}")).await;
    assert_eq!(status, 200, "{body}");
    let a = &body["automation"];
    assert_eq!(
        (&a["status"], &a["description"]),
        (&json!("2"), &json!("Old customers"))
    );
    assert_eq!((&a["entered"], &a["exited"]), (&json!("0"), &json!("0")));
    assert!(a["cdate"].as_str().unwrap().ends_with("-05:00"));
    assert!(a["links"]["contactAutomations"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/3/automations/{winback}/contactAutomations")));
    let (_, body) = m.get("/automations?limit=1&offset=1").await;
    assert_eq!(ids(&body, "automations", "id"), [winback.as_str()]);

    let (status, body) = m.get("/automations/99").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Series with id 99"})
        )
    );
    for bad in [
        json!({}),
        json!({"name": "  "}),
        json!({"name": "X", "status": 7}),
    ] {
        let (status, body) = admin(&m, reqwest::Method::POST, "/automations", Some(bad)).await;
        assert_eq!(status, 400, "{body}");
    }
    let _ = welcome;
}

#[tokio::test]
async fn adding_and_removing_a_contact_shows_on_the_contact_and_the_seriesid_filter() {
    let m = Mock::start().await;
    let welcome = automation(&m, "Welcome").await;
    let other = automation(&m, "Other").await;
    let ada = m.contact("ada@example.com").await;
    let bob = m.contact("bob@example.com").await;

    let (status, body) = enter(&m, &ada, &welcome).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["contacts"][0]["email"], "ada@example.com");
    let entry = &body["contactAutomation"];
    assert_eq!(entry["contact"], json!(ada));
    assert_eq!(entry["seriesid"], json!(welcome));
    assert_eq!(entry["automation"], json!(welcome));
    assert_eq!(entry["status"], "1");
    let entry_id = entry["id"].as_str().unwrap().to_string();
    assert_eq!(enter(&m, &bob, &other).await.0, 201);

    let (status, body) = m.get(&format!("/contactAutomations/{entry_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["contactAutomation"], *entry);

    // Visible on the contact: its ids, the side-load, the sub-resource and include=.
    let (_, body) = m.get(&format!("/contacts/{ada}")).await;
    assert_eq!(body["contact"]["contactAutomations"], json!([entry_id]));
    assert_eq!(body["contactAutomations"], json!([entry]));
    let (status, body) = m
        .get(&format!(
            "/contacts/{ada}/contactAutomations?limit=2500&orders%5Blastdate%5D=DESC"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["contactAutomations"], json!([entry]));
    let (_, body) = m.get("/contacts?include=contactAutomations").await;
    assert_eq!(
        ids(&body, "contactAutomations", "contact"),
        [ada.clone(), bob.clone()]
    );

    // The seriesid filter matches the automation's contacts.
    let (_, body) = m.get(&format!("/contacts?seriesid={welcome}")).await;
    assert_eq!(
        (ids(&body, "contacts", "email"), &body["meta"]["total"]),
        (vec!["ada@example.com".to_string()], &json!("1"))
    );
    let (_, body) = m
        .get(&format!("/contacts?seriesid={other}&email=bob@example.com"))
        .await;
    assert_eq!(ids(&body, "contacts", "id"), [bob.as_str()]);

    // Filters on the list.
    let (_, body) = m
        .get(&format!("/contactAutomations?filters[contact]={bob}"))
        .await;
    assert_eq!(
        (
            ids(&body, "contactAutomations", "seriesid"),
            &body["meta"]["total"]
        ),
        (vec![other.clone()], &json!("1"))
    );
    let (_, body) = m
        .get(&format!("/contactAutomations?filters[seriesid]={welcome}"))
        .await;
    assert_eq!(ids(&body, "contactAutomations", "contact"), [ada.as_str()]);
    let (_, body) = m
        .get(&format!("/automations/{welcome}/contactAutomations"))
        .await;
    assert_eq!(ids(&body, "contactAutomations", "contact"), [ada.as_str()]);
    let (_, body) = m.get(&format!("/automations/{welcome}")).await;
    assert_eq!(body["automation"]["entered"], "1");

    // Removing: gone from the contact and the filter.
    let (status, body) = m.delete(&format!("/contactAutomations/{entry_id}")).await;
    assert_eq!((status, body), (200, json!({})));
    let (_, body) = m.get(&format!("/contacts/{ada}")).await;
    assert_eq!(body["contact"]["contactAutomations"], json!([]));
    assert_eq!(body["contactAutomations"], json!([]));
    let (_, body) = m.get(&format!("/contacts?seriesid={welcome}")).await;
    assert_eq!(body["meta"]["total"], "0");
    let (_, body) = m.get(&format!("/automations/{welcome}")).await;
    assert_eq!(body["automation"]["exited"], "1");
    let (status, body) = m.get(&format!("/contactAutomations/{entry_id}")).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": format!("No Result found for SubscriberSeries with id {entry_id}")})
        )
    );
    let (status, body) = m.delete(&format!("/contactAutomations/{entry_id}")).await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"message": format!("No Result found for SubscriberSeries with id {entry_id}")})
        )
    );
}

#[tokio::test]
async fn refused_additions_are_ac_error_bodies() {
    let m = Mock::start().await;
    let welcome = automation(&m, "Welcome").await;
    let ada = m.contact("ada@example.com").await;
    assert_eq!(enter(&m, &ada, &welcome).await.0, 201);
    let refused = json!({"message": "Could not create SubscriberSeries"});
    for (contact, automation) in [
        (ada.as_str(), "99"),
        ("99", welcome.as_str()),
        (ada.as_str(), welcome.as_str()),
    ] {
        let (status, body) = enter(&m, contact, automation).await;
        assert_eq!(
            (status, body),
            (403, refused.clone()),
            "{contact} {automation}"
        );
    }
    let (status, body) = m
        .post(
            "/contactAutomations",
            json!({"contactAutomation": {"contact": ada}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/automation"
    );
    let (status, _) = m.post("/contactAutomations", json!({"contact": ada})).await;
    assert_eq!(status, 422);
    let (status, body) = m.get("/contacts/99/contactAutomations").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Subscriber with id 99"})
        )
    );
}

#[tokio::test]
async fn deleting_a_contact_or_an_automation_removes_its_entries() {
    let m = Mock::start().await;
    let welcome = automation(&m, "Welcome").await;
    let other = automation(&m, "Other").await;
    let ada = m.contact("ada@example.com").await;
    let bob = m.contact("bob@example.com").await;
    for (c, a) in [(&ada, &welcome), (&bob, &welcome), (&bob, &other)] {
        assert_eq!(enter(&m, c, a).await.0, 201);
    }
    assert_eq!(m.delete(&format!("/contacts/{ada}")).await.0, 200);
    let (_, body) = m.get("/contactAutomations").await;
    assert_eq!(
        ids(&body, "contactAutomations", "contact"),
        [bob.clone(), bob.clone()]
    );

    let (status, _) = admin(
        &m,
        reqwest::Method::DELETE,
        &format!("/automations/{welcome}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, body) = m.get("/contactAutomations").await;
    assert_eq!(
        ids(&body, "contactAutomations", "seriesid"),
        [other.as_str()]
    );
    let (_, body) = m.get(&format!("/contacts/{bob}")).await;
    assert_eq!(body["contactAutomations"].as_array().unwrap().len(), 1);
    let (status, _) = admin(
        &m,
        reqwest::Method::DELETE,
        &format!("/automations/{welcome}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(m.get(&format!("/automations/{welcome}")).await.0, 404);
}

#[tokio::test]
async fn automations_survive_export_import_and_go_with_reset() {
    let m = Mock::start().await;
    let welcome = automation(&m, "Welcome").await;
    let ada = m.contact("ada@example.com").await;
    assert_eq!(enter(&m, &ada, &welcome).await.0, 201);
    let (_, doc) = m.admin_get("/state").await;
    let (status, _) = admin(&m, reqwest::Method::POST, "/reset", Some(json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(m.get("/automations").await.1["meta"]["total"], "0");
    assert_eq!(m.get("/contactAutomations").await.1["meta"]["total"], "0");
    let (status, body) = admin(&m, reqwest::Method::PUT, "/state", Some(doc)).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = m.get(&format!("/contacts?seriesid={welcome}")).await;
    assert_eq!(ids(&body, "contacts", "id"), [ada]);
}
