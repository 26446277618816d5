//! Users over raw HTTP: `/users`, `/users/me`, lookups by email and username.

use crate::common::Mock;
use serde_json::{json, Value};

async fn user(m: &Mock, username: &str, email: &str) -> (u16, Value) {
    m.post(
        "/users",
        json!({"user": {"username": username, "email": email, "firstName": "John",
            "lastName": "Doe", "password": "myPa$$w0rd", "group": 1}}),
    )
    .await
}

#[tokio::test]
async fn me_is_the_seeded_admin_user() {
    let m = Mock::start().await;
    let (status, body) = m.get("/users/me").await;
    assert_eq!(status, 200, "{body}");
    let u = &body["user"];
    assert_eq!(u["id"], "1");
    assert_eq!(u["username"], "admin");
    assert_eq!(u["userGroup"], "1");
    assert_eq!(u["signature"], Value::Null);
    for link in [
        "lists",
        "userGroup",
        "dealGroupTotals",
        "dealGroupUsers",
        "configs",
    ] {
        assert_eq!(
            u["links"][link],
            m.url(&format!("/users/1/{link}")),
            "{link}"
        );
    }
    let (_, listed) = m.get("/users").await;
    assert_eq!(listed["meta"]["total"], "1");
    assert_eq!(listed["users"][0], body["user"]);
}

#[tokio::test]
async fn create_returns_201_and_the_password_is_never_echoed() {
    let m = Mock::start().await;
    let (status, body) = user(&m, "jdoe", "johndoe@example.com").await;
    assert_eq!(status, 201, "{body}");
    let u = &body["user"];
    assert_eq!(
        (&u["id"], &u["username"], &u["email"], &u["lang"]),
        (
            &json!("2"),
            &json!("jdoe"),
            &json!("johndoe@example.com"),
            &json!("english")
        )
    );
    assert!(u["cdate"].as_str().unwrap().ends_with("-05:00"));
    assert!(!body.to_string().contains("myPa$$w0rd"));
    let (_, by_email) = m.get("/users/email/JohnDoe@example.com").await;
    assert_eq!(by_email["user"]["id"], "2");
    let (_, by_name) = m.get("/users/username/jdoe").await;
    assert_eq!(by_name["user"]["id"], "2");
    let (status, missing) = m.get("/users/email/nobody@example.com").await;
    assert_eq!(status, 404);
    assert_eq!(
        missing,
        json!({"message": "No Result found for User with id nobody@example.com"})
    );
}

#[tokio::test]
async fn create_validates_required_unique_and_group() {
    let m = Mock::start().await;
    let (status, body) = m.post("/users", json!({"user": {}})).await;
    assert_eq!(status, 422, "{body}");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "/data/attributes/username",
            "/data/attributes/email",
            "/data/attributes/group"
        ]
    );
    let (status, body) = user(&m, "ADMIN", "x@example.com").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "duplicate");
    let (status, body) = user(&m, "x", "admin@example.com").await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/email"
    );
    let (status, body) = m
        .post(
            "/users",
            json!({"user": {"username": "x", "email": "x@example.com", "group": 42}}),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["errors"][0]["detail"], "Group not found");
    let (status, _) = user(&m, "x", "not-an-email").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn update_keeps_the_username_and_side_loads_the_user_group() {
    let m = Mock::start().await;
    user(&m, "jdoe", "j@example.com").await;
    let (status, body) = m
        .put(
            "/users/2",
            json!({"user": {"firstName": "Jane", "email": "jane@example.com"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["firstName"], "Jane");
    assert_eq!(body["user"]["email"], "jane@example.com");
    assert_eq!(body["userGroups"][0]["groupid"], "1");
    assert_eq!(body["userGroups"][0]["userid"], "2");
    let (status, body) = m
        .put("/users/2", json!({"user": {"username": "renamed"}}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/username"
    );
    let (status, _) = m.put("/users/9", json!({"user": {}})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn delete_removes_a_user_but_never_the_token_user() {
    let m = Mock::start().await;
    user(&m, "jdoe", "j@example.com").await;
    assert_eq!(m.delete("/users/2").await, (200, json!({})));
    let (status, body) = m.get("/users/2").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"message": "No Result found for User with id 2"})
    );
    let (status, _) = m.delete("/users/1").await;
    assert_eq!(status, 422);
    assert_eq!(m.get("/users/me").await.0, 200);
    assert_eq!(m.get("/users/abc").await.0, 404);
}

#[tokio::test]
async fn users_page_and_survive_state_export_and_import_and_reset_reseeds() {
    let m = Mock::start().await;
    for i in 0..3 {
        user(&m, &format!("u{i}"), &format!("u{i}@example.com")).await;
    }
    let (_, page) = m.get("/users?limit=2&offset=1").await;
    assert_eq!(page["meta"]["total"], "4");
    let ids: Vec<&str> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["2", "3"]);

    let (_, doc) = m.admin_get("/state").await;
    let admin = |p: &str| format!("{}/__admin{p}", m.server.base_url());
    m.http.post(admin("/reset")).send().await.unwrap();
    let (_, after_reset) = m.get("/users").await;
    assert_eq!(
        after_reset["meta"]["total"], "1",
        "reset keeps only the admin"
    );
    let res = m.http.put(admin("/state")).json(&doc).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (_, restored) = m.get("/users/username/u2").await;
    assert_eq!(restored["user"]["email"], "u2@example.com");
}
