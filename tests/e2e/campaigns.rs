//! Campaigns, their links and messages, and email activities, end to end: the mock's simulated
//! campaigns read back through ac-client.

use ac_client::campaigns::{CampaignOrder, CampaignQuery, LinkQuery};
use ac_client::contacts::ContactInput;
use ac_client::email_activities::EmailActivityQuery;
use ac_client::lists::ListInput;
use ac_client::messages::MessageQuery;
use ac_client::{Client, ContactId, Direction};
use ac_mock::MockServer;
use futures_util::TryStreamExt;
use serde_json::{json, Value};

use crate::setup;

/// `POST /__admin/{path}` (raw HTTP: campaigns are simulated through the admin API).
pub(crate) async fn admin(mock: &MockServer, path: &str, body: Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{}/__admin/{path}", mock.base_url()))
        .json(&body)
        .send()
        .await
        .expect("admin call");
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.expect("json")
}

/// A list with ada@ and bob@ subscribed, and a campaign to it: (campaign id, ada, bob).
async fn campaign_with_readers(
    mock: &MockServer,
    client: &Client,
) -> (String, ContactId, ContactId) {
    let list = client
        .lists()
        .create(
            &ListInput::new("News")
                .slug("news")
                .sender_url("https://example.com")
                .sender_reminder("You signed up."),
        )
        .await
        .expect("list");
    let mut ids = Vec::new();
    for email in ["ada@example.com", "bob@example.com"] {
        let c = client
            .contacts()
            .create(&ContactInput::new(email))
            .await
            .expect("contact");
        client
            .lists()
            .subscribe(c.id, list.id)
            .await
            .expect("subscribe");
        ids.push(c.id);
    }
    let created = admin(
        mock,
        "campaigns",
        json!({"name": "May", "subject": "Our May news", "list": list.id.get(),
            "from_name": "Acme", "links": ["https://example.com/start"]}),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    (id, ids[0], ids[1])
}

#[tokio::test]
async fn campaign_counters_links_messages_and_activities_follow_simulated_events() {
    let (mock, client) = setup().await;
    let (id, ada, bob) = campaign_with_readers(&mock, &client).await;
    let events = format!("campaigns/{id}/events");
    for event in [
        json!({"type": "sent"}),
        json!({"type": "open", "email": "ada@example.com"}),
        json!({"type": "open", "email": "ada@example.com"}),
        json!({"type": "open", "email": "bob@example.com"}),
        json!({"type": "click", "email": "ada@example.com", "link_url": "https://example.com/pricing"}),
        json!({"type": "bounce", "email": "bob@example.com", "bounce_type": "soft"}),
        json!({"type": "unsubscribe", "email": "ada@example.com", "reason": "Too many"}),
    ] {
        admin(&mock, &events, event).await;
    }

    let campaign = client
        .campaigns()
        .get(id.parse::<u64>().expect("numeric id"))
        .await
        .expect("get");
    assert_eq!(campaign.name, "May");
    assert_eq!(campaign.status, Some(5));
    assert!(campaign.sdate.is_some());
    assert_eq!(
        (campaign.send_amt, campaign.opens, campaign.unique_opens),
        (2, 3, 2)
    );
    assert_eq!((campaign.link_clicks, campaign.subscriber_clicks), (1, 1));
    assert_eq!((campaign.hard_bounces, campaign.soft_bounces), (0, 1));
    assert_eq!((campaign.unsubscribes, campaign.unsub_reasons), (1, 1));

    let page = client
        .campaigns()
        .list(CampaignQuery::new().order(CampaignOrder::SendDate, Direction::Desc))
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0], campaign);

    let links = client.campaigns().links(campaign.id).await.expect("links");
    let urls: Vec<&str> = links.iter().map(|l| l.link.as_str()).collect();
    assert_eq!(
        urls,
        ["https://example.com/start", "https://example.com/pricing"]
    );
    assert_eq!(links[1].link_clicks, Some(1));
    let all: Vec<_> = client
        .campaigns()
        .stream_links(LinkQuery::new().limit(1))
        .try_collect()
        .await
        .expect("stream links");
    assert_eq!(all, links);
    assert_eq!(
        client.campaigns().link(links[1].id).await.expect("link"),
        links[1]
    );

    let message = client
        .messages()
        .get(campaign.id.get())
        .await
        .expect("message");
    assert_eq!(
        (message.subject.as_str(), message.from_name.as_str()),
        ("Our May news", "Acme")
    );
    let messages = client
        .messages()
        .list(MessageQuery::new())
        .await
        .expect("messages");
    assert_eq!(messages.items, [message]);

    let ada_events: Vec<String> = client
        .email_activities()
        .stream(EmailActivityQuery::new().contact(ada).limit(2))
        .map_ok(|a| a.extra["event"].as_str().unwrap_or_default().to_owned())
        .try_collect()
        .await
        .expect("ada's activities");
    assert_eq!(ada_events, ["open", "open", "click", "unsubscribe"]);
    let bob_page = client
        .email_activities()
        .list(EmailActivityQuery::new().contact(bob))
        .await
        .expect("bob's activities");
    assert_eq!(bob_page.total, 2);
    assert_eq!(bob_page.items[0].to_address, "bob@example.com");
    assert_eq!(bob_page.items[0].subject, "Our May news");
}

#[tokio::test]
async fn unknown_campaign_link_and_message_are_not_found() {
    let (_mock, client) = setup().await;
    assert!(client
        .campaigns()
        .get(9)
        .await
        .expect_err("campaign")
        .is_not_found());
    assert!(client
        .campaigns()
        .links(9)
        .await
        .expect_err("links")
        .is_not_found());
    assert!(client
        .campaigns()
        .link(9)
        .await
        .expect_err("link")
        .is_not_found());
    assert!(client
        .messages()
        .get(9)
        .await
        .expect_err("message")
        .is_not_found());
    let none = client
        .campaigns()
        .list(CampaignQuery::new())
        .await
        .expect("empty");
    assert_eq!((none.total, none.items.len()), (0, 0));
}
