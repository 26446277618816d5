use std::time::Duration;

use ac_client::contacts::ContactQuery;
use ac_client::{ContactId, Error, RateLimit};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{contact_json, fast_retry, setup, TOKEN};

fn page(ids: std::ops::RangeInclusive<u64>, total: u64) -> serde_json::Value {
    let contacts: Vec<_> = ids
        .map(|i| contact_json(i, &format!("c{i}@example.com")))
        .collect();
    json!({"contacts": contacts, "meta": {"total": total.to_string()}})
}

#[tokio::test]
async fn stream_reads_every_page_by_offset() {
    let (server, client) = setup().await;
    for (offset, ids) in [(0, 1..=2), (2, 3..=4), (4, 5..=5)] {
        Mock::given(method("GET"))
            .and(path("/api/3/contacts"))
            .and(query_param("limit", "2"))
            .and(query_param("offset", offset.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(ids, 5)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let ids: Vec<u64> = client
        .contacts()
        .stream(ContactQuery::new().limit(2))
        .map_ok(|c| c.id.get())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn stream_yields_error_then_ends() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1..=2, 10)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message":"Forbidden"})))
        .expect(1)
        .mount(&server)
        .await;
    let items: Vec<_> = client
        .contacts()
        .stream(ContactQuery::new().limit(2))
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert_eq!(
        items[2].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(403)
    );
}

#[tokio::test]
async fn stream_stops_when_server_repeats_a_page() {
    let (server, client) = setup().await;
    // Whatever the offset, the same full page and a huge total.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1..=2, 1_000_000)))
        .expect(2)
        .mount(&server)
        .await;
    let items: Vec<_> = client
        .contacts()
        .stream(ContactQuery::new().limit(2))
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(matches!(items[2], Err(Error::Pagination { .. })));
}

#[tokio::test]
async fn stream_by_id_sends_id_greater_and_stops_on_short_page() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(query_param("orders[id]", "ASC"))
        .and(query_param("limit", "2"))
        .and(wiremock::matchers::query_param_is_missing("id_greater"))
        .and(wiremock::matchers::query_param_is_missing("offset"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1..=2, 3)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("orders[id]", "ASC"))
        .and(query_param("id_greater", "2"))
        .and(query_param("email_like", "example"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(3..=3, 3)))
        .expect(1)
        .mount(&server)
        .await;
    let ids: Vec<ContactId> = client
        .contacts()
        .stream_by_id(ContactQuery::new().email_like("example").limit(2))
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, vec![ContactId(1), ContactId(2), ContactId(3)]);
}

#[tokio::test]
async fn rate_limiter_spaces_requests_across_clones() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contact": contact_json(1, "a@b.co")})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let client = ac_client::Client::builder()
        .api_url(server.uri())
        .api_token(TOKEN)
        .retry_policy(fast_retry())
        .rate_limit(RateLimit::per_second(1))
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let c = client.clone();
        tasks.push(tokio::spawn(
            async move { c.contacts().get(ContactId(1)).await },
        ));
    }
    // At 1 request/s with no burst, at most the first request can have gone out by now (on a
    // loaded machine even that one may still be on its way, so no lower bound).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.received_requests().await.unwrap().len() <= 1);
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}
