use ac_client::scores::ScoreQuery;
use ac_client::{ContactId, DealId, ScoreId};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::setup;

#[tokio::test]
async fn scores_and_values_hit_acs_paths() {
    let (server, client) = setup().await;
    let score = json!({"reltype":"deal","name":"Fit","descript":"","status":"0",
        "cdate":"2018-12-13T15:05:42-06:00","mdate":"2018-12-13T16:23:07-06:00","links":[],"id":"7"});
    Mock::given(method("GET"))
        .and(path("/api/3/scores"))
        .and(query_param("limit", "10"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"scores": [score.clone()], "meta": {"total": "1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/scores/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "score": score })))
        .expect(1)
        .mount(&server)
        .await;
    let value =
        json!({"score":"7","contact":null,"deal":"3","scoreValue":"-5","links":{},"id":"1"});
    Mock::given(method("GET"))
        .and(path("/api/3/deals/3/scoreValues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"scoreValues": [value]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/4/scoreValues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"scoreValues": []})))
        .expect(1)
        .mount(&server)
        .await;
    let scores = client.scores();
    let page = scores.list(ScoreQuery::new().limit(10)).await.unwrap();
    assert_eq!((page.total, page.items[0].active), (1, Some(false)));
    assert_eq!(scores.get(7).await.unwrap().reltype, "deal");
    let values = scores.of_deal(3).await.unwrap();
    assert_eq!(
        (
            values[0].score,
            values[0].deal,
            values[0].contact,
            values[0].value
        ),
        (ScoreId(7), Some(DealId(3)), None::<ContactId>, Some(-5))
    );
    assert!(scores.of_contact(4).await.unwrap().is_empty());
}
