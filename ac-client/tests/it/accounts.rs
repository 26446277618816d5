use ac_client::accounts::{
    AccountContactInput, AccountContactQuery, AccountContactUpdate, AccountInput, AccountQuery,
    CustomFieldValue,
};
use ac_client::{AccountContactId, AccountId, ContactId, UserId};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, TOKEN};

fn account_json(id: u64, name: &str) -> Value {
    json!({"name":name,"accountUrl":"https://www.example.com","createdTimestamp":"2026-05-28T04:05:48-05:00",
        "updatedTimestamp":"2026-05-28T04:05:48-05:00","owner":"1","contactCount":"2","dealCount":"1",
        "links":{"notes":"x"},"id":id.to_string()})
}

fn account_contact_json(id: u64, contact: u64, account: u64) -> Value {
    json!({"account":account.to_string(),"contact":contact.to_string(),"jobTitle":"Product Manager",
        "createdTimestamp":"2026-05-28T04:05:48-05:00","updatedTimestamp":"2026-05-28T04:05:48-05:00",
        "links":{},"id":id.to_string()})
}

#[tokio::test]
async fn account_crud_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/accounts"))
        .and(header("Api-Token", TOKEN))
        .and(header("Content-Type", "application/json"))
        .and(body_json(
            json!({"account":{"name":"Example Account","accountUrl":"https://www.example.com",
            "owner":"1","fields":[{"customFieldId":9,"fieldValue":"500-1000"}]}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"account":{
            "name":"Example Account","createdTimestamp":"2026-05-28T04:05:48-05:00",
            "updatedTimestamp":"2026-05-28T04:05:48-05:00","owner":"1","links":{},
            "customFieldSaveStatus":{"status":"success"},"fields":[],"id":"14"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/accounts/14"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"account": account_json(14, "Example Account")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/accounts/14"))
        .and(body_json(
            json!({"account":{"accountUrl":"https://new.example.com"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"account": account_json(14, "Example Account")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/accounts/14"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let accounts = client.accounts();
    let created = accounts
        .create(
            &AccountInput::new("Example Account")
                .account_url("https://www.example.com")
                .owner(1u64)
                .field(CustomFieldValue::new(9, "500-1000")),
        )
        .await
        .unwrap();
    assert_eq!(created.id, AccountId(14));
    assert_eq!(created.owner, Some(UserId(1)));
    let got = accounts.get(AccountId(14)).await.unwrap();
    assert_eq!(got.deal_count, Some(1));
    assert_eq!(
        got.created.unwrap().to_rfc3339(),
        "2026-05-28T04:05:48-05:00"
    );
    accounts
        .update(
            AccountId(14),
            &AccountInput::update().account_url("https://new.example.com"),
        )
        .await
        .unwrap();
    accounts.delete(AccountId(14)).await.unwrap();
}

#[tokio::test]
async fn account_errors_and_validation() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/accounts"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"errors":[{
            "title":"An account named \"Example Account\" already exists. Please choose a new name.",
            "detail":"","code":"duplicate","source":{"pointer":"/data/attributes/name"}}]})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .accounts()
        .create(&AccountInput::new("Example Account"))
        .await
        .unwrap_err();
    assert!(err.is_duplicate());
    assert_eq!(err.field(), Some("name"));
    // Blank names never leave the client (the mock above expects exactly one request).
    let err = client
        .accounts()
        .create(&AccountInput::new("  "))
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
    let err = client
        .accounts()
        .create(&AccountInput::update())
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("name"));
}

#[tokio::test]
async fn account_list_search_count_deals_and_stream() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/accounts"))
        .and(query_param("search", "acme"))
        .and(query_param("count_deals", "true"))
        .and(query_param("limit", "2"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accounts":[account_json(1,"Acme"), account_json(2,"Acme 2")],"meta":{"total":"3"}})))
        .expect(2) // list, then the stream's first page
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/accounts"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accounts":[account_json(3,"Acme 3")],"meta":{"total":"3"}})))
        .expect(1)
        .mount(&server)
        .await;
    let q = AccountQuery::new()
        .search("acme")
        .count_deals(true)
        .limit(2);
    let page = client.accounts().list(&q.clone().offset(0)).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items[0].contact_count, Some(2));
    let all: Vec<_> = client.accounts().stream(q).try_collect().await.unwrap();
    assert_eq!(
        all.iter().map(|a| a.id.get()).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[tokio::test]
async fn account_contacts_crud_and_list() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/accountContacts"))
        .and(body_json(
            json!({"accountContact":{"contact":"2","account":"1","jobTitle":"Product Manager"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"accountContact": account_contact_json(1, 2, 1)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/accountContacts/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accountContact": account_contact_json(1, 2, 1)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/accountContacts/1"))
        .and(body_json(json!({"accountContact":{"jobTitle":"CTO"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accountContact": account_contact_json(1, 2, 1)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/accountContacts/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/accountContacts"))
        .and(query_param("filters[contact]", "2"))
        .and(query_param("filters[account]", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accountContacts":[account_contact_json(1, 2, 1)],"meta":{"total":"1"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/2/accountContacts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accountContacts":[account_contact_json(1, 2, 1)],"meta":{"total":"1"}})))
        .expect(1)
        .mount(&server)
        .await;

    let ac = client.accounts().contacts();
    let created = ac
        .create(&AccountContactInput::new(2u64, 1u64).job_title("Product Manager"))
        .await
        .unwrap();
    assert_eq!(created.id, AccountContactId(1));
    assert_eq!(created.contact, ContactId(2));
    assert_eq!(created.account, AccountId(1));
    assert_eq!(created.job_title.as_deref(), Some("Product Manager"));
    ac.get(AccountContactId(1)).await.unwrap();
    ac.update(
        AccountContactId(1),
        &AccountContactUpdate {
            job_title: Some("CTO".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    ac.delete(AccountContactId(1)).await.unwrap();
    let page = ac
        .list(&AccountContactQuery::new().contact(2u64).account(1u64))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(ac.of_contact(ContactId(2)).await.unwrap().len(), 1);
}

#[tokio::test]
async fn second_account_for_a_contact_is_field_invalid() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/accountContacts"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"errors":[{
            "title":"This contact is already associated with an account. We currently do not support contacts on multiple accounts.",
            "detail":"","code":"field_invalid","source":{"pointer":"/data/attributes/account,contact"}}]})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .accounts()
        .contacts()
        .create(&AccountContactInput::new(2u64, 3u64))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(err.code(), Some("field_invalid"));
    assert_eq!(err.pointer(), Some("/data/attributes/account,contact"));
    assert!(err.to_string().contains("already associated"), "{err}");
    assert!(!err.is_retryable());
}
