//! `/segments` over raw HTTP: segments made with `POST /__admin/segments`, read through AC's
//! read-only routes.

use crate::common::{read, Mock};
use serde_json::{json, Value};

async fn admin_post(m: &Mock, path: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/__admin{path}", m.server.base_url());
    read(m.http.post(url).json(&body).send().await.unwrap()).await
}

#[tokio::test]
async fn admin_segments_are_listed_and_retrieved_in_acs_shape() {
    let m = Mock::start().await;
    let (status, created) = admin_post(&m, "/segments", json!({"name": "VIPs"})).await;
    assert_eq!((status, &created["id"]), (201, &json!("1")));
    admin_post(
        &m,
        "/segments",
        json!({"name": "Hidden", "logic": "or", "hidden": true}),
    )
    .await;
    let (status, one) = m.get("/segments/1").await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(
        one["segment"],
        json!({"name": "VIPs", "logic": "and", "hidden": "0", "seriesid": "0",
            "campaignid": "0",
            "links": {"segmentConditions": m.url("/segments/1/segmentConditions")}, "id": "1"})
    );
    let (_, page) = m.get("/segments?limit=1&offset=1").await;
    assert_eq!(page["meta"]["total"], "2");
    assert_eq!(page["segments"][0]["name"], "Hidden");
    assert_eq!(page["segments"][0]["logic"], "or");
    assert_eq!(page["segments"][0]["hidden"], "1");
}

#[tokio::test]
async fn unknown_segments_are_404_and_bad_admin_bodies_400() {
    let m = Mock::start().await;
    let (status, body) = m.get("/segments/3").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"message": "No Result found for Segment with id 3"})
    );
    for bad in [
        json!({}),
        json!({"name": "x", "logic": "xor"}),
        json!({"name": "x", "hidden": 2}),
    ] {
        let (status, _) = admin_post(&m, "/segments", bad.clone()).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = m.post("/segments", json!({"segment": {"name": "x"}})).await;
    assert_eq!(status, 405);
    let (_, listed) = m.get("/segments").await;
    assert_eq!(listed["meta"]["total"], "0");
}

#[tokio::test]
async fn segments_are_emptied_by_reset() {
    let m = Mock::start().await;
    admin_post(&m, "/segments", json!({"name": "VIPs"})).await;
    let (_, doc) = m.admin_get("/state").await;
    assert_eq!(
        doc["accounts"][0]["store"]["segments"]["rows"]["1"]["name"],
        "VIPs"
    );
    admin_post(&m, "/reset", json!({})).await;
    let (_, listed) = m.get("/segments").await;
    assert_eq!(listed["meta"]["total"], "0");
}
