//! `GET /contactLists` over raw HTTP: every membership, filtered by contact, list and status.

use crate::common::Mock;
use serde_json::{json, Value};

async fn list(m: &Mock, name: &str) -> String {
    let (status, body) = m
        .post(
            "/lists",
            json!({"list": {"name": name, "stringid": name, "sender_url": "https://x.example",
                "sender_reminder": "You signed up."}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["list"]["id"].as_str().unwrap().to_string()
}

async fn set(m: &Mock, contact: &str, list: &str, status: u8) {
    let (code, body) = m
        .post(
            "/contactLists",
            json!({"contactList": {"contact": contact, "list": list, "status": status}}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
}

/// (contact, list, status) of each row, as strings.
fn rows(body: &Value) -> Vec<(String, String, String)> {
    body["contactLists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (s("contact"), s("list"), s("status"))
        })
        .collect()
}

/// Ada on news (active) and offers (unsubscribed), Bob on news (active).
async fn memberships(m: &Mock) -> (String, String, String, String) {
    let (ada, bob) = (
        m.contact("ada@example.com").await,
        m.contact("bob@example.com").await,
    );
    let (news, offers) = (list(m, "news").await, list(m, "offers").await);
    set(m, &ada, &news, 1).await;
    set(m, &ada, &offers, 1).await;
    set(m, &ada, &offers, 2).await;
    set(m, &bob, &news, 1).await;
    (ada, bob, news, offers)
}

#[tokio::test]
async fn lists_every_membership_in_the_get_shape() {
    let m = Mock::start().await;
    let (ada, bob, news, offers) = memberships(&m).await;
    let (status, body) = m.get("/contactLists").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["total"], "3");
    assert_eq!(
        rows(&body),
        [
            (ada.clone(), news.clone(), "1".into()),
            (ada.clone(), offers.clone(), "2".into()),
            (bob, news, "1".into())
        ]
    );
    let (_, one) = m
        .get(&format!(
            "/contactLists/{}",
            body["contactLists"][1]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(one["contactList"], body["contactLists"][1]);
    assert_eq!(one["contactList"]["unsubreason"], "Unsubscribed via API");
}

#[tokio::test]
async fn filters_by_contact_list_and_status_in_both_spellings() {
    let m = Mock::start().await;
    let (ada, bob, news, offers) = memberships(&m).await;
    let (_, body) = m
        .get(&format!(
            "/contactLists?filters[contact]={ada}&filters[list]={news}"
        ))
        .await;
    assert_eq!(rows(&body), [(ada.clone(), news.clone(), "1".into())]);
    let (_, body) = m
        .get(&format!("/contactLists?contact={ada}&list={offers}"))
        .await;
    assert_eq!(rows(&body), [(ada.clone(), offers.clone(), "2".into())]);
    let (_, body) = m
        .get(&format!(
            "/contactLists?filters[list]={news}&filters[status]=1"
        ))
        .await;
    assert_eq!(body["meta"]["total"], "2");
    let (_, body) = m.get("/contactLists?status=2&limit=100").await;
    assert_eq!(rows(&body), [(ada, offers, "2".into())]);
    let (_, body) = m
        .get(&format!("/contactLists?filters[contact]={bob}"))
        .await;
    assert_eq!(body["meta"]["total"], "1");
    for q in ["contact=999", "filters[list]=abc", "status=3"] {
        let (status, body) = m.get(&format!("/contactLists?{q}")).await;
        assert_eq!(
            (status, body),
            (200, json!({"contactLists": [], "meta": {"total": "0"}})),
            "{q}"
        );
    }
}

#[tokio::test]
async fn pages_with_limit_and_offset_and_follows_deletes() {
    let m = Mock::start().await;
    let (ada, _bob, news, _offers) = memberships(&m).await;
    let (_, page) = m.get("/contactLists?limit=2&offset=2").await;
    assert_eq!(page["meta"]["total"], "3");
    assert_eq!(page["contactLists"].as_array().unwrap().len(), 1);
    m.delete(&format!("/contacts/{ada}")).await;
    let (_, body) = m.get("/contactLists").await;
    assert_eq!(body["meta"]["total"], "1");
    m.delete(&format!("/lists/{news}")).await;
    let (_, body) = m.get("/contactLists").await;
    assert_eq!(body["meta"]["total"], "0");
}
