use ac_client::groups::{GroupInput, ListGroupQuery};
use ac_client::{GroupId, ListGroupId, ListId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing};

fn group_json(id: u64, title: &str) -> serde_json::Value {
    json!({"title":title,"descript":"","p_admin":"1","pgListAdd":"1","pgListDelete":"0",
           "sdate":"2018-09-20T10:51:14-05:00","links":{},"id":id.to_string()})
}

#[tokio::test]
async fn group_crud_sends_acs_bodies() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/groups"))
        .and(body_json(
            json!({"group": {"title":"Sales","descript":"Sales team",
            "unsubscribelink":true,"pgListAdd":true,"pgListDelete":false}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"group": group_json(7, "Sales")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/groups/7"))
        .and(body_json(json!({"group": {"title":"Support"}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"group": group_json(7, "Support")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/groups"))
        .and(query_param("limit", "5"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"groups": [group_json(7, "Support")], "meta": {"total": "1"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/groups/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let groups = client.groups();
    let input = GroupInput::new("Sales")
        .description("Sales team")
        .force_unsubscribe_link(true)
        .permission("pgListAdd", true)
        .permission("pgListDelete", false);
    let g = groups.create(&input).await.unwrap();
    assert_eq!(g.id, GroupId(7));
    assert_eq!(g.permission("pgListAdd"), Some(true));
    let g = groups
        .update(7, GroupInput::update().title("Support"))
        .await
        .unwrap();
    assert_eq!(g.title, "Support");
    let page = groups
        .list(ac_client::groups::GroupQuery::new().limit(5))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    groups.delete(g.id).await.unwrap();
}

#[tokio::test]
async fn an_unknown_group_is_acs_403() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/groups/10"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "No Result found for Group with id 10"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client.groups().get(10).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn list_group_permissions_send_listid_and_groupid() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/listGroups"))
        .and(body_json(
            json!({"listGroup": {"listid": "19", "groupid": "1"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(
                json!({"listGroup": {"list": 19, "group": 1, "links": {}, "id": "55"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/listGroups"))
        .and(query_param("filters[listid]", "19"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"listGroups": [
            {"list": "19", "group": "1", "links": {}, "id": "55"}], "meta": {"total": "1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/listGroups/55"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let groups = client.groups();
    let lg = groups.allow_list(19, 1).await.unwrap();
    assert_eq!(
        (lg.id, lg.list, lg.group),
        (ListGroupId(55), ListId(19), GroupId(1))
    );
    let page = groups
        .list_groups(ListGroupQuery::new().list(19))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!((page.items[0].id, page.items[0].list), (lg.id, ListId(19)));
    groups.remove_list_group(lg.id).await.unwrap();
}

#[tokio::test]
async fn a_blank_title_is_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .groups()
        .create(GroupInput::new(""))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("title"));
}
