use ac_client::users::{UserInput, UserQuery};
use ac_client::{GroupId, UserId};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing, TOKEN};

fn user_json(id: u64, username: &str) -> serde_json::Value {
    json!({"username":username,"firstName":"John","lastName":"Doe",
           "email":format!("{username}@example.com"),"phone":"","signature":null,
           "userGroup":"3","links":{},"id":id.to_string()})
}

#[tokio::test]
async fn me_and_lookups_hit_acs_paths() {
    let (server, client) = setup().await;
    for (route, user) in [
        ("/api/3/users/me", user_json(1, "admin")),
        ("/api/3/users/email/jo%20e@example.com", user_json(2, "joe")),
        ("/api/3/users/username/jdoe", user_json(3, "jdoe")),
        ("/api/3/users/4", user_json(4, "four")),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .and(header("Api-Token", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "user": user })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let users = client.users();
    let me = users.me().await.unwrap();
    assert_eq!((me.id, me.group), (UserId(1), Some(GroupId(3))));
    assert_eq!(
        users.by_email("jo e@example.com").await.unwrap().id,
        UserId(2)
    );
    assert_eq!(users.by_username("jdoe").await.unwrap().id, UserId(3));
    assert_eq!(users.get(4).await.unwrap().username, "four");
}

#[tokio::test]
async fn create_update_delete_send_acs_bodies() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/users"))
        .and(body_json(
            json!({"user": {"username":"jdoe","email":"johndoe@example.com",
            "group":"4","firstName":"John","lastName":"Doe","password":"myPa$$w0rd"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"user": user_json(3, "jdoe")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/users/3"))
        .and(body_json(json!({"user": {"group": "5"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"userGroups": [], "user": user_json(3, "jdoe")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/users/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let input = UserInput::new("jdoe", "johndoe@example.com", 4u64)
        .first_name("John")
        .last_name("Doe")
        .password("myPa$$w0rd");
    let users = client.users();
    let created = users.create(&input).await.unwrap();
    assert_eq!(created.id, UserId(3));
    users
        .update(created.id, UserInput::update().group(5u64))
        .await
        .unwrap();
    users.delete(3).await.unwrap();
}

#[tokio::test]
async fn stream_pages_through_users() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/users"))
        .and(query_param("limit", "2"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"users": [user_json(1, "a"), user_json(2, "b")], "meta": {"total": "3"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/users"))
        .and(query_param("offset", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"users": [user_json(3, "c")], "meta": {"total": "3"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let all: Vec<_> = client
        .users()
        .stream(UserQuery::new().limit(2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<u64> = all.iter().map(|u| u.id.get()).collect();
    assert_eq!(ids, [1, 2, 3]);
}

#[tokio::test]
async fn blank_username_or_email_is_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .users()
        .create(UserInput::new(" ", "a@example.com", 1u64))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("username"));
    let err = client.users().by_email("").await.unwrap_err();
    assert_eq!(err.field(), Some("email"));
}
