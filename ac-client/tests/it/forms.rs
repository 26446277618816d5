use ac_client::forms::FormQuery;
use ac_client::{FormId, ListId};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, TOKEN};

fn form_json(id: u64, name: &str) -> serde_json::Value {
    json!({"name":name,"action":"show","entries":"0","options":{"confaction":"show"},
           "actiondata":{"actions":[{"type":"subscribe-to-list","list":"1"}]},
           "layout":"inline-form","links":{},"id":id.to_string()})
}

#[tokio::test]
async fn get_reads_forms_id() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/forms/4"))
        .and(header("Api-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"form": form_json(4, "Signup")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let f = client.forms().get(4).await.unwrap();
    assert_eq!((f.id, f.name.as_str()), (FormId(4), "Signup"));
    assert_eq!(f.list_ids(), [ListId(1)]);
}

#[tokio::test]
async fn list_sends_paging_and_stream_walks_every_page() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/forms"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "forms": [form_json(1, "a"), form_json(2, "b")], "meta": {"total": "3"}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/forms"))
        .and(query_param("limit", "2"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "forms": [form_json(3, "c")], "meta": {"total": "3"}})))
        .with_priority(1)
        .mount(&server)
        .await;
    let page = client
        .forms()
        .list(FormQuery::new().limit(2))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (2, 3));
    let names: Vec<String> = client
        .forms()
        .stream(FormQuery::new().limit(2))
        .map_ok(|f| f.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c"]);
}

#[tokio::test]
async fn an_out_of_range_limit_is_refused_before_sending() {
    let (_server, client) = crate::setup_sending_nothing().await;
    let err = client
        .forms()
        .list(FormQuery::new().limit(0))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("limit"));
}
