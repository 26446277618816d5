use ac_client::lists::{ListInput, ListOrder, ListQuery, ListStatus, MembershipStatus};
use ac_client::{ContactId, FilterOp, ListId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing};

fn list_json(id: u64) -> serde_json::Value {
    json!({"name":"News","channel":"email","stringid":"news","sender_url":"https://x.dev",
           "sender_reminder":"r","userid":1,"cdate":"2026-05-28T04:43:43-05:00","links":{},
           "id":id.to_string(),"user":1})
}

#[tokio::test]
async fn create_get_list_update_delete() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/lists"))
        .and(body_json(
            json!({"list":{"name":"News","stringid":"news","sender_url":"https://x.dev",
            "sender_reminder":"r","user":"1"}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"list": list_json(17)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/lists/17"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"list": list_json(17)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/lists"))
        .and(query_param("filters[name]", "News"))
        .and(query_param("filters[name][starts_with]", "Ne"))
        .and(query_param("orders[name]", "desc"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"lists":[list_json(17)],"meta":{"total":"1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/lists/17"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"list": list_json(17)})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/lists/17"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let lists = client.lists();
    let input = ListInput::new("News")
        .sender_url("https://x.dev")
        .sender_reminder("r")
        .user(ac_client::UserId(1));
    assert_eq!(lists.create(&input).await.unwrap().id, ListId(17));
    assert_eq!(lists.get(ListId(17)).await.unwrap().name, "News");
    let page = lists
        .list(
            &ListQuery::new()
                .name("News")
                .name_filter(FilterOp::StartsWith, "Ne")
                .order(ListOrder::Desc),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    lists.update(ListId(17), &input).await.unwrap();
    lists.delete(ListId(17)).await.unwrap();
}

#[tokio::test]
async fn subscribe_and_unsubscribe_post_status() {
    let (server, client) = setup().await;
    for status in [1, 2] {
        Mock::given(method("POST"))
            .and(path("/api/3/contactLists"))
            .and(body_json(json!({"contactList":{"list":"3","contact":"1","status":status}})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"contactList":{
                "contact":"1","list":"3","status":status,"sdate":"2026-05-28T03:05:55-05:00","id":"1"}})))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/1/contactLists"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contactLists":[
            {"contact":"1","list":"3","status":"2","id":"1","channel":"email"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let lists = client.lists();
    let m = lists.subscribe(ContactId(1), ListId(3)).await.unwrap();
    assert_eq!(m.status, MembershipStatus::Active);
    let m = lists.unsubscribe(ContactId(1), ListId(3)).await.unwrap();
    assert_eq!(m.status, MembershipStatus::Unsubscribed);
    let rows = lists.contact_lists(ContactId(1)).await.unwrap();
    assert_eq!(rows[0].status, MembershipStatus::Unsubscribed);
    assert_eq!(ListStatus::Subscribed.as_u8(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .lists()
        .set_status_raw(ContactId(1), ListId(3), 3)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("status"));
    let err = client
        .lists()
        .create(
            &ListInput::new("N")
                .slug("not url safe")
                .sender_url("https://x")
                .sender_reminder("r"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("stringid"));
}
