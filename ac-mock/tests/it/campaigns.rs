//! `/campaigns`, `/links`, `/messages` and `/emailActivities` over raw HTTP: the simulated
//! campaigns of `/__admin/campaigns`, their counters following the simulated events.

use crate::common::{read, Mock};
use serde_json::{json, Value};

/// `POST /__admin{path}` with a JSON body.
async fn admin_post(m: &Mock, path: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/__admin{path}", m.server.base_url());
    read(m.http.post(url).json(&body).send().await.unwrap()).await
}

/// A list "News" with ada@ and bob@ subscribed: (list, ada, bob).
async fn news_with_two(m: &Mock) -> (String, String, String) {
    let (status, body) = m
        .post(
            "/lists",
            json!({"list": {"name": "News", "stringid": "news", "sender_url": "https://example.com",
                "sender_reminder": "You signed up."}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let list = body["list"]["id"].as_str().unwrap().to_string();
    let ada = m.contact("ada@example.com").await;
    let bob = m.contact("bob@example.com").await;
    for c in [&ada, &bob] {
        let (status, body) = m
            .post(
                "/contactLists",
                json!({"contactList": {"list": list, "contact": c, "status": 1}}),
            )
            .await;
        assert!(status == 200 || status == 201, "{body}");
    }
    (list, ada, bob)
}

async fn campaign(m: &Mock, body: Value) -> String {
    let (status, body) = admin_post(m, "/campaigns", body).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn event(m: &Mock, campaign: &str, body: Value) -> Value {
    let (status, body) = admin_post(m, &format!("/campaigns/{campaign}/events"), body).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The five kinds of event on one campaign, from ada@ and bob@.
async fn play_events(m: &Mock, id: &str) {
    event(m, id, json!({"type": "sent"})).await;
    for email in ["ada@example.com", "ada@example.com", "bob@example.com"] {
        event(m, id, json!({"type": "open", "email": email})).await;
    }
    for (email, url) in [
        ("ada@example.com", "https://example.com/a"),
        ("ada@example.com", "https://example.com/a"),
        ("ada@example.com", "https://example.com/b"),
        ("bob@example.com", "https://example.com/a"),
    ] {
        event(
            m,
            id,
            json!({"type": "click", "email": email, "link_url": url}),
        )
        .await;
    }
    event(
        m,
        id,
        json!({"type": "bounce", "email": "bob@example.com", "bounce_type": "soft"}),
    )
    .await;
    event(
        m,
        id,
        json!({"type": "bounce", "email": "ada@example.com", "bounce_type": "hard"}),
    )
    .await;
    event(
        m,
        id,
        json!({"type": "unsubscribe", "email": "bob@example.com", "reason": "Too many"}),
    )
    .await;
}

#[tokio::test]
async fn campaign_counters_follow_the_simulated_events() {
    let m = Mock::start().await;
    let (list, _, _) = news_with_two(&m).await;
    let id = campaign(
        &m,
        json!({"name": "May Newsletter", "subject": "Our May news", "list": list}),
    )
    .await;

    let (status, body) = m.get(&format!("/campaigns/{id}")).await;
    assert_eq!(status, 200, "{body}");
    let c = &body["campaign"];
    assert_eq!(
        (&c["status"], &c["send_amt"], &c["sdate"]),
        (&json!("0"), &json!("0"), &Value::Null)
    );

    play_events(&m, &id).await;
    let (_, body) = m.get(&format!("/campaigns/{id}")).await;
    let c = &body["campaign"];
    assert_eq!(c["id"], json!(id));
    assert_eq!(c["name"], "May Newsletter");
    assert_eq!(c["type"], "single");
    assert_eq!(c["status"], "5");
    assert!(c["sdate"].as_str().unwrap().ends_with("-05:00"));
    assert_eq!(c["sdate"], c["ldate"]);
    for (key, want) in [
        ("send_amt", "2"),
        ("total_amt", "2"),
        ("opens", "3"),
        ("uniqueopens", "2"),
        ("linkclicks", "4"),
        ("uniquelinkclicks", "3"),
        ("subscriberclicks", "2"),
        ("hardbounces", "1"),
        ("softbounces", "1"),
        ("unsubscribes", "1"),
        ("unsubreasons", "1"),
        ("forwards", "0"),
    ] {
        assert_eq!(c[key], want, "{key}");
    }
    assert!(c["links"]["links"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/3/campaigns/{id}/links")));

    let (status, body) = m.get("/campaigns").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], "1");
    assert_eq!(body["campaigns"][0], *c);
}

#[tokio::test]
async fn unknown_campaign_is_404_and_lists_order_filter_and_page() {
    let m = Mock::start().await;
    let (list, _, _) = news_with_two(&m).await;
    for raw in ["99", "abc"] {
        let (status, body) = m.get(&format!("/campaigns/{raw}")).await;
        assert_eq!(status, 404);
        assert_eq!(
            body,
            json!({"message": format!("No Result found for Campaign with id {raw}")})
        );
    }
    let first = campaign(&m, json!({"name": "One", "list": list})).await;
    let second = campaign(&m, json!({"name": "Two", "list": list})).await;
    let third = campaign(&m, json!({"name": "Three", "list": list})).await;
    event(&m, &second, json!({"type": "sent"})).await;

    let names = |body: &Value| -> Vec<String> {
        body["campaigns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, body) = m.get("/campaigns?orders[sdate]=DESC").await;
    assert_eq!(names(&body), ["Two", "One", "Three"]);
    let (_, body) = m.get("/campaigns?orders%5Bldate%5D=asc").await;
    assert_eq!(names(&body), ["One", "Three", "Two"]);
    let (_, body) = m.get("/campaigns?limit=1&offset=1").await;
    assert_eq!(
        (names(&body), &body["meta"]["total"]),
        (vec!["Two".to_string()], &json!("3"))
    );
    // Simulated campaigns belong to no automation.
    let (_, body) = m.get("/campaigns?filters[seriesid]=4").await;
    assert_eq!(
        (
            body["campaigns"].as_array().unwrap().len(),
            &body["meta"]["total"]
        ),
        (0, &json!("0"))
    );
    let (_, body) = m.get("/campaigns?filters[seriesid]=0").await;
    assert_eq!(body["meta"]["total"], "3");
    let _ = (first, third);
}

#[tokio::test]
async fn links_come_from_creation_and_clicks() {
    let m = Mock::start().await;
    let (list, _, _) = news_with_two(&m).await;
    let one = campaign(
        &m,
        json!({"name": "One", "list": list, "links": ["https://example.com/start"]}),
    )
    .await;
    let two = campaign(&m, json!({"name": "Two", "list": list})).await;
    play_events(&m, &one).await;
    event(
        &m,
        &two,
        json!({"type": "click", "email": "ada@example.com", "link_url": "https://example.com/a"}),
    )
    .await;

    let (status, body) = m.get(&format!("/campaigns/{one}/links")).await;
    assert_eq!(status, 200, "{body}");
    let links = body["links"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = links
        .iter()
        .map(|l| {
            (
                l["link"].as_str().unwrap(),
                l["linkclicks"].as_str().unwrap(),
                l["uniqueclicks"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("https://example.com/start", "0", "0"),
            ("https://example.com/a", "3", "2"),
            ("https://example.com/b", "1", "1")
        ]
    );
    assert_eq!(links[1]["campaignid"], json!(one));
    assert_eq!(links[1]["campaign"], json!(one));
    assert_eq!(links[1]["tracked"], "1");

    // A click naming a link by id counts on that link.
    let a_id = links[1]["id"].as_str().unwrap().to_string();
    event(
        &m,
        &one,
        json!({"type": "click", "email": "bob@example.com", "link_id": a_id}),
    )
    .await;
    let (_, body) = m.get(&format!("/links/{a_id}")).await;
    assert_eq!(body["link"]["linkclicks"], "4");
    assert_eq!(body["link"]["link"], "https://example.com/a");

    let (_, body) = m.get("/links").await;
    assert_eq!(body["meta"]["total"], "4");
    let (_, body) = m.get(&format!("/links?filters[campaignid]={two}")).await;
    assert_eq!(body["meta"]["total"], "1");
    assert_eq!(body["links"][0]["campaign"], json!(two));

    let (status, body) = m.get("/campaigns/77/links").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Campaign with id 77"})
        )
    );
    let (status, body) = m.get("/links/77").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Link with id 77"})
        )
    );
}

#[tokio::test]
async fn each_campaign_has_its_message() {
    let m = Mock::start().await;
    let (list, _, _) = news_with_two(&m).await;
    let id = campaign(
        &m,
        json!({"name": "May", "subject": "Our May news", "list": list, "from_name": "Acme",
            "from_email": "news@acme.example", "reply_to": "help@acme.example"}),
    )
    .await;
    let (status, body) = m.get(&format!("/messages/{id}")).await;
    assert_eq!(status, 200, "{body}");
    let msg = &body["message"];
    assert_eq!(msg["id"], json!(id));
    assert_eq!(msg["subject"], "Our May news");
    assert_eq!(msg["fromname"], "Acme");
    assert_eq!(msg["fromemail"], "news@acme.example");
    assert_eq!(msg["reply2"], "help@acme.example");
    let (_, body) = m.get("/messages").await;
    assert_eq!(body["meta"]["total"], "1");
    assert_eq!(body["messages"][0], *msg);
    let (status, body) = m.get("/messages/5").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Message with id 5"})
        )
    );

    let (status, body) = admin_post(
        &m,
        "/campaigns",
        json!({"name": "Bad", "list": list, "links": "https://x.example"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("links"));
}

#[tokio::test]
async fn email_activities_record_contact_events_with_filters() {
    let m = Mock::start().await;
    let (list, ada, bob) = news_with_two(&m).await;
    let one = campaign(&m, json!({"name": "One", "subject": "Hi", "list": list})).await;
    let two = campaign(&m, json!({"name": "Two", "list": list})).await;
    play_events(&m, &one).await;
    event(
        &m,
        &two,
        json!({"type": "open", "email": "bob@example.com"}),
    )
    .await;

    let (status, body) = m.get("/emailActivities?limit=100").await;
    assert_eq!(status, 200, "{body}");
    // 3 opens + 4 clicks + 2 bounces + 1 unsubscribe on one, 1 open on two; `sent` names no one.
    assert_eq!(body["meta"]["total"], "11");
    let first = &body["emailActivities"][0];
    assert_eq!(first["subscriberid"], json!(ada));
    assert_eq!(first["contact"], json!(ada));
    assert_eq!(first["event"], "open");
    assert_eq!(first["campaign"], json!(one));
    assert_eq!(first["to_address"], "ada@example.com");
    assert_eq!(first["subject"], "Hi");
    assert_eq!(first["reference"], json!({"id": one, "type": "campaign"}));
    assert!(first["tstamp"].as_str().unwrap().ends_with("-05:00"));

    let events = |body: &Value| -> Vec<String> {
        body["emailActivities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, body) = m
        .get(&format!("/emailActivities?filters[subscriberid]={bob}"))
        .await;
    assert_eq!(
        events(&body),
        ["open", "click", "bounce", "unsubscribe", "open"]
    );
    let (_, body) = m
        .get(&format!(
            "/emailActivities?filters[subscriberid]={bob}&filters[campaignid]={two}"
        ))
        .await;
    assert_eq!(events(&body), ["open"]);
    let (_, body) = m.get("/emailActivities?filters[dealId]=1").await;
    assert_eq!(body["meta"]["total"], "0");
    let (_, body) = m.get("/emailActivities?limit=2&offset=3").await;
    assert_eq!(events(&body), ["click", "click"]);
}

#[tokio::test]
async fn campaign_data_survives_export_import_and_goes_with_reset() {
    let m = Mock::start().await;
    let (list, _, _) = news_with_two(&m).await;
    let id = campaign(&m, json!({"name": "One", "list": list})).await;
    play_events(&m, &id).await;
    let (_, before) = m.get(&format!("/campaigns/{id}")).await;
    let (_, links) = m.get("/links").await;
    let (_, doc) = m.admin_get("/state").await;

    let (status, _) = admin_post(&m, "/reset", json!({})).await;
    assert_eq!(status, 200);
    for path in ["/campaigns", "/links", "/messages", "/emailActivities"] {
        let (_, body) = m.get(path).await;
        assert_eq!(body["meta"]["total"], "0", "{path}");
    }

    let url = format!("{}/__admin/state", m.server.base_url());
    let (status, body) = read(m.http.put(url).json(&doc).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(m.get(&format!("/campaigns/{id}")).await.1, before);
    assert_eq!(m.get("/links").await.1, links);
    let (_, body) = m.get("/emailActivities").await;
    assert_eq!(body["meta"]["total"], "10");
}
