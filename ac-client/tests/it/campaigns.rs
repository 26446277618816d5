use ac_client::campaigns::{CampaignOrder, CampaignQuery, LinkQuery};
use ac_client::email_activities::EmailActivityQuery;
use ac_client::messages::MessageQuery;
use ac_client::{CampaignId, Direction, LinkId, MessageId};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, TOKEN};

fn campaign_json(id: u64, name: &str) -> serde_json::Value {
    json!({"type":"single","name":name,"status":"5","send_amt":"2","opens":"3","uniqueopens":"2",
           "linkclicks":"1","uniquelinkclicks":"1","subscriberclicks":"1","hardbounces":"0",
           "softbounces":"1","unsubscribes":"0","unsubreasons":"0","seriesid":"0",
           "sdate":"2026-05-28T03:43:37-05:00","links":{},"id":id.to_string()})
}

#[tokio::test]
async fn campaign_list_sends_filters_orders_and_paging() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/campaigns"))
        .and(header("Api-Token", TOKEN))
        .and(query_param("filters[seriesid]", "4"))
        .and(query_param("orders[sdate]", "DESC"))
        .and(query_param("limit", "5"))
        .and(query_param("offset", "10"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"campaigns":[campaign_json(3, "May")],"meta":{"total":"11"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let query = CampaignQuery::new()
        .automation(4)
        .order(CampaignOrder::SendDate, Direction::Desc)
        .limit(5)
        .offset(10);
    let page = client.campaigns().list(&query).await.unwrap();
    assert_eq!(page.total, 11);
    let c = &page.items[0];
    assert_eq!(
        (c.id, c.name.as_str(), c.status),
        (CampaignId(3), "May", Some(5))
    );
    assert_eq!(
        (c.send_amt, c.opens, c.unique_opens, c.soft_bounces),
        (2, 3, 2, 1)
    );
}

#[tokio::test]
async fn campaign_get_links_and_link_paths() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/campaigns/3"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"campaign": campaign_json(3, "May")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let link = json!({"campaignid":"3","messageid":"3","link":"https://example.com/a",
        "name":"https://example.com/a","ref":"","tracked":"1","linkclicks":"2",
        "uniqueclicks":"1","id":"8","campaign":"3","message":"3"});
    Mock::given(method("GET"))
        .and(path("/api/3/campaigns/3/links"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"links": [link]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/links/8"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "link": link })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/links"))
        .and(query_param("limit", "100"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"links": [link], "meta": {"total": "1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let campaigns = client.campaigns();
    assert_eq!(campaigns.get(3).await.unwrap().name, "May");
    let links = campaigns.links(CampaignId(3)).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].link_clicks, Some(2));
    assert_eq!(links[0].message_id(), Some(MessageId(3)));
    assert_eq!(campaigns.link(8).await.unwrap().id, LinkId(8));
    let all: Vec<_> = campaigns
        .stream_links(LinkQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn campaign_not_found_is_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/campaigns/9"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"message": "No Result found for Campaign with id 9"})),
        )
        .mount(&server)
        .await;
    let err = client.campaigns().get(9).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn messages_list_and_get() {
    let (server, client) = setup().await;
    let msg = json!({"subject":"Hi","fromname":"Acme","fromemail":"news@acme.example",
        "reply2":"help@acme.example","id":"4"});
    Mock::given(method("GET"))
        .and(path("/api/3/messages"))
        .and(query_param("limit", "20"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"messages": [msg], "meta": {"total": "1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/messages/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "message": msg })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .messages()
        .list(MessageQuery::new().limit(20))
        .await
        .unwrap();
    assert_eq!((page.total, page.items[0].subject.as_str()), (1, "Hi"));
    let m = client.messages().get(MessageId(4)).await.unwrap();
    assert_eq!(
        (m.from_email.as_str(), m.reply_to.as_str()),
        ("news@acme.example", "help@acme.example")
    );
}

#[tokio::test]
async fn email_activities_send_contact_and_deal_filters() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/emailActivities"))
        .and(query_param("filters[subscriberid]", "7"))
        .and(query_param("filters[dealId]", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "emailActivities": [{"subscriberid":"7","to_address":"ada@example.com","id":"1"}],
            "meta": {"total": "1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .email_activities()
        .list(EmailActivityQuery::new().contact(7).deal(2))
        .await
        .unwrap();
    assert_eq!(page.items[0].subscriber, Some(7));
    assert_eq!(page.items[0].to_address, "ada@example.com");
}
