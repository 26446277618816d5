use ac_client::segments::SegmentQuery;
use ac_client::SegmentId;
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, TOKEN};

fn segment_json(id: u64, name: &str) -> serde_json::Value {
    json!({"name":name,"logic":"and","hidden":"0","seriesid":"0","links":{},"id":id.to_string()})
}

#[tokio::test]
async fn get_reads_segments_id() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/segments/2"))
        .and(header("Api-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"segment": segment_json(2, "VIPs")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let s = client.segments().get(2).await.unwrap();
    assert_eq!((s.id, s.name.as_str()), (SegmentId(2), "VIPs"));
}

#[tokio::test]
async fn list_sends_paging_and_stream_walks_every_page() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/segments"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "segments": [segment_json(1, "a")], "meta": {"total": "2"}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/segments"))
        .and(query_param("offset", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "segments": [segment_json(2, "b")], "meta": {"total": "2"}})))
        .with_priority(1)
        .mount(&server)
        .await;
    let page = client
        .segments()
        .list(SegmentQuery::new().limit(1))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (1, 2));
    let names: Vec<String> = client
        .segments()
        .stream(SegmentQuery::new().limit(1))
        .map_ok(|s| s.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b"]);
}
