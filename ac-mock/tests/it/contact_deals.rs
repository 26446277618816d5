//! `/contactDeals` over raw HTTP: a contact's role on a deal, and the cascades when the
//! contact or the deal is deleted.

use crate::common::Mock;
use crate::tasks::contact_and_deal;
use serde_json::json;

#[tokio::test]
async fn crud_in_acs_shape() {
    let m = Mock::start().await;
    let (_, d) = contact_and_deal(&m).await;
    let other = m.contact("bob@example.com").await;
    let (status, created) = m
        .post(
            "/contactDeals",
            json!({"contactDeal": {"contact": other, "deal": d, "role": 3}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let row = &created["contactDeal"];
    assert_eq!(
        (&row["contact"], &row["deal"], &row["role"], &row["id"]),
        (&json!(other), &json!(d), &json!("3"), &json!("1"))
    );
    assert_eq!(row["links"]["deal"], m.url("/contactDeals/1/deal"));
    let (status, got) = m.get("/contactDeals/1").await;
    assert_eq!((status, &got), (200, &created));
    let (status, updated) = m
        .put("/contactDeals/1", json!({"contactDeal": {"role": "5"}}))
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["contactDeal"]["role"], "5");
    let (_, listed) = m.get(&format!("/contactDeals?filters[deal]={d}")).await;
    assert_eq!(listed["meta"]["total"], "1");
    assert_eq!(listed["contactDeals"][0]["role"], "5");
    let (_, none) = m.get("/contactDeals?filters[contact]=999").await;
    assert_eq!(none["meta"]["total"], "0");
    let (status, _) = m.delete("/contactDeals/1").await;
    assert_eq!(status, 200);
    let (status, gone) = m.get("/contactDeals/1").await;
    assert_eq!(status, 404);
    assert_eq!(
        gone,
        json!({"message": "No Result found for DealContact with id 1"})
    );
}

#[tokio::test]
async fn create_needs_an_existing_contact_and_deal_and_a_new_pair() {
    let m = Mock::start().await;
    let (c, d) = contact_and_deal(&m).await;
    let (status, body) = m
        .post("/contactDeals", json!({"contactDeal": {"deal": d}}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/contact"
    );
    let (status, body) = m
        .post(
            "/contactDeals",
            json!({"contactDeal": {"contact": 99, "deal": d}}),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["errors"][0]["detail"], "Contact not found");
    let (status, _) = m
        .post(
            "/contactDeals",
            json!({"contactDeal": {"contact": c, "deal": 99}}),
        )
        .await;
    assert_eq!(status, 404);
    let pair = json!({"contactDeal": {"contact": c, "deal": d}});
    let (status, first) = m.post("/contactDeals", pair.clone()).await;
    assert_eq!((status, &first["contactDeal"]["role"]), (201, &json!("0")));
    let (status, _) = m.post("/contactDeals", pair).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn rows_go_with_their_contact_or_deal() {
    let m = Mock::start().await;
    let (c, d) = contact_and_deal(&m).await;
    let bob = m.contact("bob@example.com").await;
    for who in [&c, &bob] {
        let (status, _) = m
            .post(
                "/contactDeals",
                json!({"contactDeal": {"contact": who, "deal": d}}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, _) = m.delete(&format!("/contacts/{bob}")).await;
    assert_eq!(status, 200);
    let (_, left) = m.get("/contactDeals").await;
    assert_eq!(left["meta"]["total"], "1");
    assert_eq!(left["contactDeals"][0]["contact"], c.as_str());
    let (status, _) = m.delete(&format!("/deals/{d}")).await;
    assert_eq!(status, 200);
    let (_, left) = m.get("/contactDeals").await;
    assert_eq!(left["meta"]["total"], "0");
}
