use ac_client::webhooks::{WebhookEvent, WebhookInput, WebhookQuery, WebhookSource, WebhookUpdate};
use ac_client::{ListId, WebhookId};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing, TOKEN};

fn hook_json(id: u64, listid: &str) -> Value {
    json!({"cdate":"2016-01-01T12:00:00-00:00","listid":listid,"name":"My Hook",
        "url":"http://example.com/my-hook","events":["subscribe","unsubscribe","sent","sms_whatever"],
        "sources":["public","system"],"links":[],"id":id.to_string()})
}

#[tokio::test]
async fn webhook_crud_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/webhooks"))
        .and(header("Api-Token", TOKEN))
        .and(body_json(json!({"webhook":{"name":"My Hook","url":"http://example.com/my-hook",
            "events":["subscribe","unsubscribe","sent"],"sources":["public","system"],"listid":"3"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"webhook": hook_json(1, "3")})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/webhooks/1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"webhook": hook_json(1, "0")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/webhooks/1"))
        .and(body_json(json!({"webhook":{"events":["open","click"]}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"webhook": hook_json(1, "0")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/webhooks/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let hooks = client.webhooks();
    let created = hooks
        .create(
            &WebhookInput::new("My Hook", "http://example.com/my-hook")
                .events([
                    WebhookEvent::Subscribe,
                    WebhookEvent::Unsubscribe,
                    WebhookEvent::Sent,
                ])
                .sources([WebhookSource::Public, WebhookSource::System])
                .list(3u64),
        )
        .await
        .unwrap();
    assert_eq!(created.id, WebhookId(1));
    assert_eq!(created.list, Some(ListId(3)));
    assert_eq!(
        created.events[3],
        WebhookEvent::Other("sms_whatever".into())
    );
    let got = hooks.get(WebhookId(1)).await.unwrap();
    assert_eq!(got.list, None);
    hooks
        .update(
            WebhookId(1),
            &WebhookUpdate {
                events: Some(vec![WebhookEvent::Open, WebhookEvent::Click]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    hooks.delete(WebhookId(1)).await.unwrap();
}

#[tokio::test]
async fn webhook_list_filters_stream_and_events() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/webhooks"))
        .and(query_param("filters[name]", "My Hook"))
        .and(query_param("filters[url]", "http://example.com/my-hook"))
        .and(query_param("filters[listid]", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"webhooks":[hook_json(1, "3"), hook_json(2, "3")],"meta":{"total":"2"}}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let names = [
        "bounce",
        "click",
        "contact_tag_added",
        "contact_tag_removed",
        "deal_add",
        "deal_note_add",
        "deal_pipeline_add",
        "deal_stage_add",
        "deal_task_add",
        "deal_task_complete",
        "deal_tasktype_add",
        "deal_update",
        "forward",
        "list_add",
        "open",
        "reply",
        "sent",
        "share",
        "sms_reply",
        "sms_sent",
        "sms_unsub",
        "subscribe",
        "subscriber_note",
        "unsubscribe",
        "update",
    ];
    Mock::given(method("GET"))
        .and(path("/api/3/webhook/events"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"webhookEvents": names, "meta":{"total":25}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let q = WebhookQuery::new()
        .name("My Hook")
        .url("http://example.com/my-hook")
        .list(3u64);
    let page = client.webhooks().list(&q).await.unwrap();
    assert_eq!(page.total, 2);
    let all: Vec<_> = client.webhooks().stream(q).try_collect().await.unwrap();
    assert_eq!(all.len(), 2);
    let events = client.webhooks().events().await.unwrap();
    assert_eq!(events.len(), 25);
    assert!(events.iter().all(|e| !matches!(e, WebhookEvent::Other(_))));
}

#[tokio::test]
async fn invalid_webhooks_are_never_sent() {
    let (_server, client) = setup_sending_nothing().await;
    let ok = WebhookInput::new("n", "https://example.com/h")
        .events([WebhookEvent::Open])
        .sources([WebhookSource::Api]);
    for (input, field) in [
        (ok.clone().events([]), "events"),
        (ok.clone().sources([]), "sources"),
        (
            WebhookInput {
                url: "not a url".into(),
                ..ok.clone()
            },
            "url",
        ),
        (
            WebhookInput {
                name: " ".into(),
                ..ok.clone()
            },
            "name",
        ),
    ] {
        let err = client.webhooks().create(&input).await.unwrap_err();
        assert_eq!(err.field(), Some(field));
    }
    let err = client
        .webhooks()
        .update(
            WebhookId(1),
            &WebhookUpdate {
                url: Some("mailto:x@y.z".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
}
