//! `/forms` over raw HTTP: forms made with `POST /__admin/forms`, listed and read through
//! AC's read-only routes, submitted with `POST /__admin/forms/{id}/submissions`.

use crate::common::{read, Mock};
use serde_json::{json, Value};

async fn admin_post(m: &Mock, path: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/__admin{path}", m.server.base_url());
    read(m.http.post(url).json(&body).send().await.unwrap()).await
}

async fn list(m: &Mock, name: &str) -> String {
    let (status, body) = m
        .post(
            "/lists",
            json!({"list": {"name": name, "stringid": name, "sender_url": "https://example.com",
                "sender_reminder": "You signed up"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["list"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_admin_form_is_listed_and_retrieved_in_acs_shape() {
    let m = Mock::start().await;
    let l = list(&m, "news").await;
    let (status, created) = admin_post(
        &m,
        "/forms",
        json!({"name": "Newsletter", "lists": [l], "tags": ["lead"],
            "options": {"sendoptin": 1}}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], "1");
    let (status, body) = m.get("/forms/1").await;
    assert_eq!(status, 200, "{body}");
    let f = &body["form"];
    assert_eq!((&f["id"], &f["name"]), (&json!("1"), &json!("Newsletter")));
    assert_eq!(
        f["actiondata"]["actions"],
        json!([{"type": "subscribe-to-list", "list": l}, {"type": "add-tag", "tag": "lead"}])
    );
    assert_eq!(f["options"]["sendoptin"], 1);
    assert_eq!(f["options"]["confaction"], "show");
    assert_eq!(f["entries"], "0");
    assert_eq!(f["links"]["address"], m.url("/forms/1/address"));
    let (status, listed) = m.get("/forms").await;
    assert_eq!(status, 200);
    assert_eq!(listed["meta"]["total"], "1");
    assert_eq!(listed["forms"][0], *f);
}

#[tokio::test]
async fn forms_page_with_limit_and_offset() {
    let m = Mock::start().await;
    for name in ["a", "b", "c"] {
        let (status, _) = admin_post(&m, "/forms", json!({"name": name})).await;
        assert_eq!(status, 201);
    }
    let (_, page) = m.get("/forms?limit=1&offset=1").await;
    assert_eq!(page["meta"]["total"], "3");
    let names: Vec<&Value> = page["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["name"])
        .collect();
    assert_eq!(names, [&json!("b")]);
}

#[tokio::test]
async fn unknown_forms_are_acs_404_and_forms_are_read_only() {
    let m = Mock::start().await;
    for path in ["/forms/9", "/forms/abc"] {
        let (status, body) = m.get(path).await;
        assert_eq!(status, 404, "{path}");
        let raw = path.trim_start_matches("/forms/");
        assert_eq!(
            body,
            json!({"message": format!("No Result found for Form with id {raw}")})
        );
    }
    let (status, _) = admin_post(&m, "/forms", json!({"name": "x"})).await;
    assert_eq!(status, 201);
    let (status, _) = m.post("/forms", json!({"form": {"name": "y"}})).await;
    assert_eq!(status, 405);
    let (status, _) = m.delete("/forms/1").await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn admin_create_refuses_bad_bodies_and_unknown_lists() {
    let m = Mock::start().await;
    let (status, body) = admin_post(&m, "/forms", json!({"lists": [1]})).await;
    assert_eq!(
        (status, &body["message"]),
        (400, &json!("\"name\" is required"))
    );
    let (status, _) = admin_post(&m, "/forms", json!({"name": "x", "tags": "lead"})).await;
    assert_eq!(status, 400);
    let (status, _) = admin_post(&m, "/forms", json!({"name": "x", "action": "explode"})).await;
    assert_eq!(status, 400);
    let (status, body) = admin_post(&m, "/forms", json!({"name": "x", "list": 7})).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["message"], "No Result found for _List with id 7");
    let (_, listed) = m.get("/forms").await;
    assert_eq!(listed["meta"]["total"], "0");
}

#[tokio::test]
async fn a_submission_subscribes_the_contact_and_applies_the_tags() {
    let m = Mock::start().await;
    let l = list(&m, "news").await;
    let (_, created) = admin_post(
        &m,
        "/forms",
        json!({"name": "Signup", "list": l, "tags": ["lead"]}),
    )
    .await;
    let fid = created["id"].as_str().unwrap();
    let (status, sub) = admin_post(
        &m,
        &format!("/forms/{fid}/submissions"),
        json!({"email": "ann@example.com", "firstName": "Ann"}),
    )
    .await;
    assert_eq!(status, 200, "{sub}");
    assert_eq!(sub["created"], true);
    let cid = sub["contact"].as_str().unwrap().to_string();
    let (_, contact) = m.get(&format!("/contacts/{cid}")).await;
    assert_eq!(contact["contact"]["firstName"], "Ann");
    let (_, in_list) = m.get(&format!("/contacts?listid={l}&status=1")).await;
    assert_eq!(in_list["contacts"][0]["id"], cid.as_str());
    let (_, tags) = m.get(&format!("/contacts/{cid}/contactTags")).await;
    let tag = tags["contactTags"][0]["tag"].as_str().unwrap().to_string();
    let (_, t) = m.get(&format!("/tags/{tag}")).await;
    assert_eq!(t["tag"]["tag"], "lead");
    // A second submission by the same email updates the contact and reuses the tag.
    let (_, again) = admin_post(
        &m,
        &format!("/forms/{fid}/submissions"),
        json!({"email": "ann@example.com"}),
    )
    .await;
    assert_eq!(
        (&again["created"], &again["contact"]),
        (&json!(false), &json!(cid))
    );
    assert_eq!(again["tags"], sub["tags"]);
    let (_, f) = m.get(&format!("/forms/{fid}")).await;
    assert_eq!(f["form"]["entries"], "2");
}

#[tokio::test]
async fn submissions_need_a_known_form_and_a_valid_email() {
    let m = Mock::start().await;
    let (status, body) = admin_post(
        &m,
        "/forms/5/submissions",
        json!({"email": "a@example.com"}),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["message"], "No Result found for Form with id 5");
    let (_, _) = admin_post(&m, "/forms", json!({"name": "x"})).await;
    let (status, _) = admin_post(&m, "/forms/1/submissions", json!({"email": "nope"})).await;
    assert_eq!(status, 400);
    let (_, contacts) = m.get("/contacts").await;
    assert_eq!(contacts["meta"]["total"], "0");
}

#[tokio::test]
async fn forms_survive_state_export_import_and_go_on_reset() {
    let m = Mock::start().await;
    admin_post(&m, "/forms", json!({"name": "Kept", "tags": ["t"]})).await;
    let (_, doc) = m.admin_get("/state").await;
    let base = m.server.base_url();
    admin_post(&m, "/reset", json!({})).await;
    let (_, gone) = m.get("/forms").await;
    assert_eq!(gone["meta"]["total"], "0");
    let res = m
        .http
        .put(format!("{base}/__admin/state"))
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, back) = m.get("/forms/1").await;
    assert_eq!(back["form"]["name"], "Kept");
}
