//! Accounts and account contacts over raw HTTP (reference §8.1, §8.2).

use crate::common::Mock;
use serde_json::{json, Value};

async fn account(m: &Mock, name: &str) -> String {
    let (status, body) = m
        .post("/accounts", json!({"account": {"name": name}}))
        .await;
    assert_eq!(status, 201, "{body}");
    body["account"]["id"].as_str().unwrap().to_string()
}

/// Links a contact to an account: the `POST /accountContacts` answer.
async fn link(m: &Mock, contact: &str, account: &str) -> (u16, Value) {
    m.post(
        "/accountContacts",
        json!({"accountContact": {"contact": contact, "account": account}}),
    )
    .await
}

/// Accounts A and B, and contacts one@ (linked to A) and two@ (linked to B): (a, b, c1, c2).
async fn two_links(m: &Mock) -> (String, String, String, String) {
    let (a, b) = (account(m, "A").await, account(m, "B").await);
    let c1 = m.contact("one@example.com").await;
    let c2 = m.contact("two@example.com").await;
    link(m, &c1, &a).await;
    link(m, &c2, &b).await;
    (a, b, c1, c2)
}

#[tokio::test]
async fn create_account_returns_201_live_shape() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/accounts",
            json!({"account": {"name": "Example Account", "accountUrl": "https://www.example.com",
                "owner": 1, "fields": [{"customFieldId": 9, "fieldValue": "500-1000"}]}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let a = &body["account"];
    assert_eq!(a["name"], "Example Account");
    assert_eq!(a["accountUrl"], "https://www.example.com");
    assert_eq!(a["owner"], "1");
    assert_eq!(a["id"], "1");
    assert_eq!(a["customFieldSaveStatus"], json!({"status": "success"}));
    assert_eq!(
        a["fields"],
        json!([{"customFieldId": 9, "fieldValue": "500-1000"}])
    );
    assert!(a["createdTimestamp"].as_str().unwrap().ends_with("-05:00"));
    assert!(a["updatedTimestamp"].as_str().unwrap().ends_with("-05:00"));
    for link in [
        "notes",
        "accountCustomFieldData",
        "accountContacts",
        "emailActivities",
        "contactEmails",
        "owner",
    ] {
        assert!(a["links"][link]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/3/accounts/1/{link}")));
    }
    assert!(a.get("contactCount").is_none());
}

#[tokio::test]
async fn account_name_missing_and_duplicate_are_exact_422_bodies() {
    let m = Mock::start().await;
    let (status, body) = m
        .post("/accounts", json!({"account": {"accountUrl": "x"}}))
        .await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"errors": [{"title": "The account name was not provided.", "detail": "", "code": "field_missing", "source": {"pointer": "/data/attributes/name"}}]})
        )
    );
    account(&m, "Example Account").await;
    let (status, body) = m
        .post("/accounts", json!({"account": {"name": "Example Account"}}))
        .await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"errors": [{"title": "An account named \"Example Account\" already exists. Please choose a new name.", "detail": "", "code": "duplicate", "source": {"pointer": "/data/attributes/name"}}]})
        )
    );
}

#[tokio::test]
async fn list_accounts_search_and_count_deals() {
    let m = Mock::start().await;
    let a = account(&m, "Acme Corp").await;
    account(&m, "Globex").await;
    let c = m.contact("jane@example.com").await;
    link(&m, &c, &a).await;
    m.post(
        "/deals",
        json!({"deal": {"title": "D", "account": a, "value": 100, "currency": "usd"}}),
    )
    .await;
    let (status, body) = m.get("/accounts").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], "2");
    assert!(body["accounts"][0].get("contactCount").is_none());
    let (_, body) = m.get("/accounts?search=acme&count_deals=true").await;
    assert_eq!(body["meta"]["total"], "1");
    assert_eq!(body["accounts"][0]["name"], "Acme Corp");
    assert_eq!(body["accounts"][0]["contactCount"], "1");
    assert_eq!(body["accounts"][0]["dealCount"], "1");
}

#[tokio::test]
async fn get_put_patch_delete_account_and_404_names_account() {
    let m = Mock::start().await;
    let a = account(&m, "Acme").await;
    let (status, body) = m.get(&format!("/accounts/{a}")).await;
    assert_eq!(
        (status, body["account"]["name"].clone()),
        (200, json!("Acme"))
    );
    let (status, body) = m
        .put(
            &format!("/accounts/{a}"),
            json!({"account": {"name": "Acme 2"}}),
        )
        .await;
    assert_eq!(
        (status, body["account"]["name"].clone()),
        (200, json!("Acme 2"))
    );
    let (status, body) = m
        .patch(
            &format!("/accounts/{a}"),
            json!({"account": {"accountUrl": "https://acme.example"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["account"]["accountUrl"], "https://acme.example");
    assert_eq!(body["account"]["name"], "Acme 2");
    let (status, body) = m.delete(&format!("/accounts/{a}")).await;
    assert_eq!((status, body), (200, json!({})));
    for (status, body) in [m.get("/accounts/1").await, m.delete("/accounts/1").await] {
        assert_eq!(
            (status, body),
            (
                404,
                json!({"message": "No Result found for Account with id 1"})
            )
        );
    }
}

#[tokio::test]
async fn account_contact_create_201_and_one_account_per_contact_422() {
    let m = Mock::start().await;
    let (a, b) = (account(&m, "A").await, account(&m, "B").await);
    let c = m.contact("jane@example.com").await;
    let (status, body) = m
        .post(
            "/accountContacts",
            json!({"accountContact": {"contact": c.parse::<u64>().unwrap(), "account": a.parse::<u64>().unwrap(), "jobTitle": "Product Manager"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let row = &body["accountContact"];
    assert_eq!(row["account"], 1);
    assert_eq!(row["contact"], 1);
    assert_eq!(row["jobTitle"], "Product Manager");
    assert_eq!(row["id"], "1");
    assert!(row["links"]["account"]
        .as_str()
        .unwrap()
        .ends_with("/accountContacts/1/account"));
    let (status, body) = link(&m, &c, &b).await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"errors": [{"title": "This contact is already associated with an account. We currently do not support contacts on multiple accounts.", "detail": "", "code": "field_invalid", "source": {"pointer": "/data/attributes/account,contact"}}]})
        )
    );
}

#[tokio::test]
async fn account_contact_missing_or_unknown_references() {
    let m = Mock::start().await;
    let a = account(&m, "A").await;
    let c = m.contact("jane@example.com").await;
    let (status, body) = m
        .post(
            "/accountContacts",
            json!({"accountContact": {"contact": c}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_missing");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/account"
    );
    let (status, body) = m
        .post(
            "/accountContacts",
            json!({"accountContact": {"account": a}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/contact"
    );
    let (status, body) = m
        .post(
            "/accountContacts",
            json!({"accountContact": {"contact": 99, "account": a}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "related_missing");
    assert_eq!(
        body["errors"][0]["title"],
        "The related contact does not exist."
    );
    let (status, body) = m
        .post(
            "/accountContacts",
            json!({"accountContact": {"contact": c, "account": 99}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/account"
    );
}

#[tokio::test]
async fn account_contacts_list_filters_get_put_delete_and_404() {
    let m = Mock::start().await;
    let (a, b, c1, c2) = two_links(&m).await;
    let (_, body) = m.get("/accountContacts").await;
    assert_eq!(body["meta"]["total"], "2");
    assert_eq!(body["accountContacts"][0]["account"], "1");
    let (_, body) = m
        .get(&format!("/accountContacts?filters[account]={b}"))
        .await;
    assert_eq!(body["meta"]["total"], "1");
    assert_eq!(body["accountContacts"][0]["contact"], c2.as_str());
    let (_, body) = m
        .get(&format!(
            "/accountContacts?filters%5Bcontact%5D={c1}&filters[account]={b}"
        ))
        .await;
    assert_eq!(body["meta"]["total"], "0");
    let (_, body) = m.get(&format!("/contacts/{c1}/accountContacts")).await;
    assert_eq!(body["accountContacts"][0]["account"], a.as_str());
    let (_, body) = m.get(&format!("/accounts/{b}/accountContacts")).await;
    assert_eq!(body["meta"]["total"], "1");
    let (status, body) = m.get("/contacts/99/accountContacts").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Subscriber with id 99"})
        )
    );
    let (status, body) = m
        .put(
            "/accountContacts/1",
            json!({"accountContact": {"jobTitle": "CTO"}}),
        )
        .await;
    assert_eq!(
        (status, body["accountContact"]["jobTitle"].clone()),
        (200, json!("CTO"))
    );
    let (status, body) = m.get("/accountContacts/1").await;
    assert_eq!(
        (status, body["accountContact"]["jobTitle"].clone()),
        (200, json!("CTO"))
    );
    let (status, body) = m.delete("/accountContacts/1").await;
    assert_eq!((status, body), (200, json!({})));
    for (status, body) in [
        m.get("/accountContacts/1").await,
        m.delete("/accountContacts/1").await,
        m.put("/accountContacts/1", json!({"accountContact": {}}))
            .await,
    ] {
        assert_eq!(
            (status, body),
            (
                404,
                json!({"message": "No Result found for CustomerAccountSubscriber with id 1"})
            )
        );
    }
    let (status, _) = m.get("/accountContacts/100").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn deleting_a_contact_or_an_account_cascades_to_account_contacts() {
    let m = Mock::start().await;
    let (a, b, c1, c2) = two_links(&m).await;
    m.delete(&format!("/contacts/{c1}")).await;
    assert_eq!(m.get("/accountContacts").await.1["meta"]["total"], "1");
    m.delete(&format!("/accounts/{b}")).await;
    assert_eq!(m.get("/accountContacts").await.1["meta"]["total"], "0");
    // The contact is free to join another account now.
    let (status, _) = link(&m, &c2, &a).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn bulk_import_customer_acct_name_links_the_contact() {
    let m = Mock::start().await;
    let (status, _) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [{"email": "jane@example.com", "customer_acct_name": "ActiveCampaign"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, body) = m.get("/contacts/1/accountContacts").await;
    assert_eq!(body["meta"]["total"], "1");
    let (_, body) = m.get("/accounts/1").await;
    assert_eq!(body["account"]["name"], "ActiveCampaign");
}

#[tokio::test]
async fn account_custom_field_without_id_is_field_missing_and_bad_fields_invalid() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/accounts",
            json!({"account": {"name": "A", "fields": [{"fieldValue": "x"}]}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"errors": [{"title": "The customFieldId was not provided.", "detail": "", "code": "field_missing", "source": {"pointer": "/data/attributes/fields/customFieldId"}}]})
        )
    );
    let (status, body) = m
        .post(
            "/accounts",
            json!({"account": {"name": "A", "fields": [3]}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"errors": [{"title": "The fields are invalid.", "detail": "", "code": "field_invalid", "source": {"pointer": "/data/attributes/fields"}}]})
        )
    );
}
