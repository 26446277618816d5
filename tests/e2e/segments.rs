//! Segments end to end: segments made through the mock's admin API, read through ac-client.

use ac_client::segments::SegmentQuery;
use futures_util::TryStreamExt;
use serde_json::json;

use crate::campaigns::admin;
use crate::setup;

#[tokio::test]
async fn admin_segments_read_back_through_the_client() {
    let (mock, client) = setup().await;
    let vip = admin(&mock, "segments", json!({"name": "VIPs"})).await;
    admin(
        &mock,
        "segments",
        json!({"name": "Lapsed", "logic": "or", "hidden": true}),
    )
    .await;
    let id: u64 = vip["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("the admin answer names the segment id");
    let s = client.segments().get(id).await.expect("segment");
    assert_eq!(
        (s.name.as_str(), s.logic.as_str(), s.hidden),
        ("VIPs", "and", Some(false))
    );
    let all: Vec<_> = client
        .segments()
        .stream(SegmentQuery::new().limit(1))
        .try_collect()
        .await
        .expect("stream");
    let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["VIPs", "Lapsed"]);
    assert_eq!(all[1].hidden, Some(true));
    let err = client
        .segments()
        .get(99)
        .await
        .expect_err("unknown segment");
    assert!(err.is_not_found(), "{err}");
}
