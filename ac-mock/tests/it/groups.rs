//! Permission groups and list ↔ group permissions over raw HTTP (`/groups`, `/listGroups`).

use crate::common::Mock;
use serde_json::{json, Value};

async fn group(m: &Mock, title: &str) -> String {
    let (status, body) = m
        .post(
            "/groups",
            json!({"group": {"title": title, "descript": "Sales team", "pgListAdd": 1,
                "pgContactAdd": "1", "pgDeal": true, "unsubscribelink": "0", "reqApproval1st": 2}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["group"]["id"].as_str().unwrap().to_string()
}

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

async fn list_group(m: &Mock, list: &str, group: &str) -> (u16, Value) {
    m.post(
        "/listGroups",
        json!({"listGroup": {"listid": list.parse::<u64>().unwrap(), "groupid": group}}),
    )
    .await
}

#[tokio::test]
async fn the_admin_group_exists_with_every_permission() {
    let m = Mock::start().await;
    let (status, body) = m.get("/groups").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], "1");
    let g = &body["groups"][0];
    assert_eq!((&g["id"], &g["title"]), (&json!("1"), &json!("Admin")));
    for flag in ["pgListAdd", "pg_user_add", "pgDealGroupDelete", "p_admin"] {
        assert_eq!(g[flag], "1", "{flag}");
    }
    assert_eq!(g["links"]["listGroups"], m.url("/groups/1/listGroups"));
}

#[tokio::test]
async fn create_sets_sent_flags_and_leaves_the_rest_off() {
    let m = Mock::start().await;
    let id = group(&m, "Sales").await;
    let (status, body) = m.get(&format!("/groups/{id}")).await;
    assert_eq!(status, 200);
    let g = &body["group"];
    assert_eq!(g["title"], "Sales");
    assert_eq!(g["descript"], "Sales team");
    assert_eq!(
        (&g["pgListAdd"], &g["pgContactAdd"], &g["pgDeal"]),
        (&json!("1"), &json!("1"), &json!("1"))
    );
    assert_eq!(
        (&g["pgListDelete"], &g["pg_user_add"]),
        (&json!("0"), &json!("0"))
    );
    assert_eq!(g["reqApproval1st"], "2");
    let (status, body) = m.post("/groups", json!({"group": {"descript": "x"}})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/title"
    );
    let (status, _) = m
        .post(
            "/groups",
            json!({"group": {"title": "x", "pgDeal": "maybe"}}),
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn update_changes_only_sent_fields_and_unknown_groups_are_403() {
    let m = Mock::start().await;
    let id = group(&m, "Sales").await;
    let (status, body) = m
        .put(
            &format!("/groups/{id}"),
            json!({"group": {"title": "Support", "pgListAdd": 0}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["group"]["title"], "Support");
    assert_eq!(body["group"]["pgListAdd"], "0");
    assert_eq!(body["group"]["pgContactAdd"], "1");
    assert_eq!(body["group"]["descript"], "Sales team");
    let missing = json!({"message": "No Result found for Group with id 10"});
    assert_eq!(m.get("/groups/10").await, (403, missing.clone()));
    assert_eq!(
        m.put("/groups/10", json!({"group": {"title": "x"}})).await,
        (403, missing.clone())
    );
    assert_eq!(m.delete("/groups/10").await, (403, missing));
}

#[tokio::test]
async fn list_groups_tie_lists_to_groups() {
    let m = Mock::start().await;
    let (g, l) = (group(&m, "Sales").await, list(&m, "news").await);
    let (status, body) = list_group(&m, &l, &g).await;
    assert_eq!(status, 201, "{body}");
    let lg = &body["listGroup"];
    assert_eq!((&lg["list"], &lg["group"]), (&json!(1), &json!(2)));
    let lgid = lg["id"].as_str().unwrap().to_string();
    assert_eq!(
        lg["links"]["list"],
        m.url(&format!("/listGroups/{lgid}/list"))
    );
    let (status, again) = list_group(&m, &l, &g).await;
    assert_eq!((status, &again["listGroup"]["id"]), (200, &json!(lgid)));

    list_group(&m, &l, "1").await;
    let (_, all) = m.get("/listGroups").await;
    assert_eq!(all["meta"]["total"], "2");
    let (_, of_sales) = m.get(&format!("/listGroups?filters[groupid]={g}")).await;
    assert_eq!(of_sales["meta"]["total"], "1");
    assert_eq!(of_sales["listGroups"][0]["list"], json!(l));
    let (_, via_group) = m.get(&format!("/groups/{g}/listGroups")).await;
    assert_eq!(via_group["listGroups"], of_sales["listGroups"]);

    let (status, body) = list_group(&m, "99", &g).await;
    assert_eq!(status, 404);
    assert_eq!(body["errors"][0]["detail"], "List not found");
    let (status, body) = list_group(&m, &l, "99").await;
    assert_eq!(status, 404);
    assert_eq!(body["errors"][0]["detail"], "Group not found");
    let (status, body) = m
        .post("/listGroups", json!({"listGroup": {"listid": 1}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["title"], "Missing attribute");
}

#[tokio::test]
async fn deleting_a_group_or_list_removes_its_list_groups() {
    let m = Mock::start().await;
    let (g, l) = (group(&m, "Sales").await, list(&m, "news").await);
    let (_, body) = list_group(&m, &l, &g).await;
    let lgid = body["listGroup"]["id"].as_str().unwrap().to_string();
    list_group(&m, &l, "1").await;
    assert_eq!(m.delete(&format!("/groups/{g}")).await, (200, json!({})));
    assert_eq!(m.get(&format!("/listGroups/{lgid}")).await.0, 404);
    let (_, left) = m.get("/listGroups").await;
    assert_eq!(left["meta"]["total"], "1");
    m.delete(&format!("/lists/{l}")).await;
    let (_, left) = m.get("/listGroups").await;
    assert_eq!(left["meta"]["total"], "0");
}

#[tokio::test]
async fn a_group_with_users_cannot_be_deleted() {
    let m = Mock::start().await;
    let g = group(&m, "Sales").await;
    let (status, _) = m
        .post(
            "/users",
            json!({"user": {"username": "s", "email": "s@example.com", "group": g}}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = m.delete(&format!("/groups/{g}")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(m.get(&format!("/groups/{g}")).await.0, 200);
    assert_eq!(m.delete("/users/2").await.0, 200);
    assert_eq!(m.delete(&format!("/groups/{g}")).await.0, 200);
    assert_eq!(m.delete("/listGroups/1").await.0, 404);
}
