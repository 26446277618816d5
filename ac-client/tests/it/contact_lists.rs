use ac_client::contact_lists::ContactListQuery;
use ac_client::lists::MembershipStatus;
use ac_client::{ContactId, ContactListId, ListId};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::setup;

fn row(id: u64, contact: u64, list: u64, status: &str) -> serde_json::Value {
    json!({"contact": contact.to_string(), "list": list.to_string(), "status": status,
           "sourceid": "0", "links": {}, "id": id.to_string()})
}

#[tokio::test]
async fn list_sends_filters_and_reads_rows() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contactLists"))
        .and(query_param("filters[list]", "2"))
        .and(query_param("filters[status]", "2"))
        .and(query_param("limit", "100"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"contactLists": [row(5, 7, 2, "2")], "meta": {"total": "1"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .contact_lists()
        .list(
            ContactListQuery::new()
                .list(2u64)
                .status(MembershipStatus::Unsubscribed)
                .limit(100),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let m = &page.items[0];
    assert_eq!(
        (m.id, m.contact, m.list, m.status),
        (
            ContactListId(5),
            ContactId(7),
            ListId(2),
            MembershipStatus::Unsubscribed
        )
    );
}

#[tokio::test]
async fn find_asks_for_one_pair_and_stream_pages() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contactLists"))
        .and(query_param("filters[contact]", "7"))
        .and(query_param("filters[list]", "3"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contactLists": [], "meta": {"total": "0"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contactLists"))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"contactLists": [row(1, 7, 2, "1")], "meta": {"total": "2"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contactLists"))
        .and(query_param("offset", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"contactLists": [row(2, 8, 2, "1")], "meta": {"total": "2"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(client.contact_lists().find(7, 3).await.unwrap(), None);
    let all: Vec<_> = client
        .contact_lists()
        .stream(ContactListQuery::new().limit(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}
