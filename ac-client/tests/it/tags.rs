use ac_client::tags::{TagInput, TagOrder, TagQuery};
use ac_client::{ContactId, ContactTagId, FilterOp, TagId};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing, TOKEN};

fn tag_json(id: u64, name: &str) -> serde_json::Value {
    json!({"tagType":"contact","tag":name,"description":"","subscriber_count":"0",
           "cdate":"2026-05-28T03:43:37-05:00","links":{},"id":id.to_string()})
}

#[tokio::test]
async fn list_sends_search_filter_and_order() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/tags"))
        .and(header("Api-Token", TOKEN))
        .and(query_param("search", "vip"))
        .and(query_param("filters[search][eq]", "vip"))
        .and(query_param("orders[search]", "weight"))
        .and(query_param("limit", "10"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"tags":[tag_json(1, "vip")],"meta":{"total":"1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .tags()
        .list(
            &TagQuery::new()
                .search("vip")
                .filter(FilterOp::Eq, "vip")
                .order(TagOrder::Weight)
                .limit(10),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].name, "vip");
}

#[tokio::test]
async fn crud_requests_have_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/tags"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(
            json!({"tag":{"tag":"My Tag","tagType":"contact","description":"D"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"tag": tag_json(15, "My Tag")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/tags/15"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"tag": tag_json(15, "My Tag")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/tags/15"))
        .and(body_json(
            json!({"tag":{"tag":"Renamed","tagType":"contact"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"tag": tag_json(15, "Renamed")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/tags/15"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let tags = client.tags();
    let t = tags
        .create(&TagInput::new("My Tag").description("D"))
        .await
        .unwrap();
    assert_eq!(t.id, TagId(15));
    assert_eq!(tags.get(TagId(15)).await.unwrap().name, "My Tag");
    assert_eq!(
        tags.update(TagId(15), &TagInput::new("Renamed"))
            .await
            .unwrap()
            .name,
        "Renamed"
    );
    tags.delete(TagId(15)).await.unwrap();
}

#[tokio::test]
async fn contact_tag_association_calls() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/contactTags"))
        .and(body_json(json!({"contactTag":{"contact":"1","tag":"20"}})))
        // Live AC answered 200 here, the docs say 201: both are fine.
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contactTag":{
            "contact":"1","tag":"20","cdate":"2026-05-28T04:03:25-05:00","links":{},"id":"3"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/1/contactTags"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contactTags":[
            {"contact":"1","tag":"20","id":"3"},{"contact":"1","tag":"21","id":"4"}]})),
        )
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/contactTags/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(2)
        .mount(&server)
        .await;
    let tags = client.tags();
    let assoc = tags.add_to_contact(ContactId(1), TagId(20)).await.unwrap();
    assert_eq!(assoc.id, ContactTagId(3));
    assert_eq!(tags.contact_tags(ContactId(1)).await.unwrap().len(), 2);
    assert!(tags
        .remove_from_contact(ContactId(1), TagId(21))
        .await
        .unwrap());
    assert!(!tags
        .remove_from_contact(ContactId(1), TagId(99))
        .await
        .unwrap());
    tags.remove_association(ContactTagId(4)).await.unwrap();
}

#[tokio::test]
async fn find_or_create_pages_for_exact_name_then_creates() {
    let (server, client) = setup().await;
    // "vip" exists on the second page of search results.
    let first: Vec<_> = (1..=100)
        .map(|i| tag_json(i, &format!("vip-{i}")))
        .collect();
    Mock::given(method("GET"))
        .and(path("/api/3/tags"))
        .and(query_param("search", "vip"))
        .and(query_param("offset", "0"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"tags":first,"meta":{"total":"101"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/tags"))
        .and(query_param("search", "vip"))
        .and(query_param("offset", "100"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"tags":[tag_json(500, "vip")],"meta":{"total":"101"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    // "new" does not exist: one search, one create.
    Mock::given(method("GET"))
        .and(path("/api/3/tags"))
        .and(query_param("search", "new"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"tags":[tag_json(7, "newer")],"meta":{"total":"1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/tags"))
        .and(body_json(json!({"tag":{"tag":"new","tagType":"contact"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"tag": tag_json(8, "new")})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        client.tags().find_or_create("vip").await.unwrap().id,
        TagId(500)
    );
    assert_eq!(
        client.tags().find_or_create("new").await.unwrap().id,
        TagId(8)
    );
}

#[tokio::test]
async fn blank_tag_names_are_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    for name in ["", "   "] {
        let err = client.tags().find_or_create(name).await.unwrap_err();
        assert_eq!(err.field(), Some("tag"));
        let err = client
            .tags()
            .create(&TagInput::new(name))
            .await
            .unwrap_err();
        assert!(err.is_invalid_input());
    }
    let err = client
        .tags()
        .list(&TagQuery::new().limit(0))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("limit"));
}

#[tokio::test]
async fn stream_pages_through_tags() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(query_param("offset", "0"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"tags":[tag_json(1,"a"),tag_json(2,"b")],"meta":{"total":"3"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("offset", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"tags":[tag_json(3,"c")],"meta":{"total":"3"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let names: Vec<String> = client
        .tags()
        .stream(TagQuery::new().limit(2))
        .map_ok(|t| t.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c"]);
}
