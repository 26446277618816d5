//! Event tracking, site tracking, the tracking host's `/event` and `/visit` (reference §6, §7).

use crate::common::{read, Mock};
use reqwest::Method;
use serde_json::{json, Value};

async fn send_event(m: &Mock, form: &[(&str, &str)]) -> (u16, Value) {
    let res = m
        .http
        .post(format!("{}/event", m.server.tracking_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    read(res).await
}

async fn logs(m: &Mock, contact: &str) -> Value {
    let (status, body) = m.get(&format!("/contacts/{contact}/trackingLogs")).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn event_tracking_status_get_put_and_post() {
    let m = Mock::start().await;
    let (status, body) = m.get("/eventTracking").await;
    assert_eq!(
        (status, body),
        (200, json!({"eventTracking": {"enabled": true}}))
    );
    let (status, body) = m
        .put(
            "/eventTracking",
            json!({"eventTracking": {"enabled": false}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"eventTracking": {"enabled": false}}))
    );
    assert_eq!(
        m.get("/eventTracking").await.1["eventTracking"]["enabled"],
        false
    );
    let (status, body) = m
        .post("/eventTracking", json!({"eventTracking": {"enabled": "1"}}))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"eventTracking": {"enabled": true}}))
    );
    let (status, body) = m.put("/eventTracking", json!({"eventTracking": {}})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_missing");
}

#[tokio::test]
async fn event_names_are_seeded_and_total_is_a_number() {
    let m = Mock::start().await;
    let (status, body) = m.get("/eventTrackingEvents").await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"eventTrackingEvents": [{"name": "__pagevisit"}, {"name": "__redir"}], "meta": {"total": 2}})
        )
    );
    let (_, body) = m.get("/eventTrackingEvents?limit=1&offset=1").await;
    assert_eq!(body["eventTrackingEvents"], json!([{"name": "__redir"}]));
    assert_eq!(body["meta"]["total"], 2);
}

#[tokio::test]
async fn create_event_name_201_echo_duplicate_422_delete_200_then_404() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/eventTrackingEvents",
            json!({"eventTrackingEvent": {"name": "my new fab event"}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            201,
            json!({"eventTrackingEvent": {"name": "my new fab event"}})
        )
    );
    let (status, body) = m
        .post(
            "/eventTrackingEvents",
            json!({"eventTrackingEvent": {"name": "My New Fab Event"}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "duplicate");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/name"
    );
    let (status, body) = m
        .post("/eventTrackingEvents", json!({"eventTrackingEvent": {}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_missing");
    assert_eq!(m.get("/eventTrackingEvents").await.1["meta"]["total"], 3);
    let (status, body) = m
        .delete("/eventTrackingEvents/my%20new%20fab%20event")
        .await;
    assert_eq!((status, body), (200, json!({})));
    let (status, body) = m
        .delete("/eventTrackingEvents/my%20new%20fab%20event")
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        "No Result found for EventTrackingEvent with id my new fab event"
    );
}

#[tokio::test]
async fn event_is_recorded_as_tracking_log_on_the_contact() {
    let m = Mock::start().await;
    let cid = m.contact("jane@example.com").await;
    let (status, body) = send_event(
        &m,
        &[
            ("actid", m.server.actid()),
            ("key", m.server.event_key()),
            ("event", "file_download"),
            ("eventdata", "whitepaper.pdf"),
            ("visit", r#"{"email":"jane@example.com"}"#),
        ],
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"success": 1, "message": "Event spawned"}))
    );
    let body = logs(&m, &cid).await;
    assert_eq!(body["meta"]["total"], "1");
    let log = &body["trackingLogs"][0];
    assert_eq!(log["type"], "file_download");
    assert_eq!(log["value"], "whitepaper.pdf");
    assert_eq!(log["subscriberid"], cid.as_str());
    assert_eq!(log["contact"], cid.as_str());
    assert_eq!(log["id"], "1");
    assert!(log["hash"].as_str().unwrap().len() == 32);
    assert!(log["tstamp"].as_str().unwrap().ends_with("-05:00"));
    assert!(log["links"]["contact"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/trackingLogs/1/contact"));
    let (status, body) = m.get("/trackingLogs/1/contact").await;
    assert_eq!(status, 200);
    assert_eq!(body["contact"]["email"], "jane@example.com");
}

#[tokio::test]
async fn event_reads_query_parameters_too() {
    let m = Mock::start().await;
    let cid = m.contact("q@example.com").await;
    let url = format!(
        "{}/event?actid={}&key={}&event=signup&visit=%7B%22email%22%3A%22q%40example.com%22%7D",
        m.server.tracking_url(),
        m.server.actid(),
        m.server.event_key()
    );
    let (status, body) = read(m.http.post(url).send().await.unwrap()).await;
    assert_eq!((status, body["success"].clone()), (200, json!(1)));
    assert_eq!(logs(&m, &cid).await["trackingLogs"][0]["type"], "signup");
}

#[tokio::test]
async fn event_failures_answer_success_0_with_a_message_and_status_200() {
    let m = Mock::start().await;
    let (actid, key) = (
        m.server.actid().to_string(),
        m.server.event_key().to_string(),
    );
    let long = "x".repeat(33);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("key", &key), ("event", "e")],
            "An account ID must be provided.",
        ),
        (
            vec![("actid", "999"), ("key", &key), ("event", "e")],
            "Invalid account ID.",
        ),
        (
            vec![("actid", &actid), ("event", "e")],
            "An event key must be provided.",
        ),
        (
            vec![("actid", &actid), ("key", "wrong"), ("event", "e")],
            "Invalid event key.",
        ),
        (
            vec![("actid", &actid), ("key", &key)],
            "An event name must be provided.",
        ),
        (
            vec![("actid", &actid), ("key", &key), ("event", &long)],
            "The event name must be at most 32 characters.",
        ),
        (
            vec![
                ("actid", &actid),
                ("key", &key),
                ("event", "e"),
                ("visit", "not json"),
            ],
            "The visit parameter must be a JSON object.",
        ),
    ];
    for (form, message) in cases {
        let (status, body) = send_event(&m, &form).await;
        assert_eq!(
            (status, body),
            (200, json!({"success": 0, "message": message})),
            "{form:?}"
        );
    }
    // 32 characters is fine.
    let ok = "y".repeat(32);
    let (_, body) = send_event(&m, &[("actid", &actid), ("key", &key), ("event", &ok)]).await;
    assert_eq!(body["success"], 1);
}

#[tokio::test]
async fn event_for_unknown_email_succeeds_and_creates_nothing() {
    let m = Mock::start().await;
    let (_, body) = send_event(
        &m,
        &[
            ("actid", m.server.actid()),
            ("key", m.server.event_key()),
            ("event", "e"),
            ("visit", r#"{"email":"nobody@example.com"}"#),
        ],
    )
    .await;
    assert_eq!(body, json!({"success": 1, "message": "Event spawned"}));
    assert_eq!(m.get("/contacts").await.1["meta"]["total"], "0");
    let store = m.server.state().snapshot(ac_mock::AccountId(1)).unwrap();
    assert!(store.tracking_logs.is_empty());
}

#[tokio::test]
async fn event_tracking_disabled_is_not_recorded() {
    let m = Mock::start().await;
    let cid = m.contact("jane@example.com").await;
    m.put(
        "/eventTracking",
        json!({"eventTracking": {"enabled": false}}),
    )
    .await;
    let (status, body) = send_event(
        &m,
        &[
            ("actid", m.server.actid()),
            ("key", m.server.event_key()),
            ("event", "e"),
            ("visit", r#"{"email":"jane@example.com"}"#),
        ],
    )
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"success": 0, "message": "Event tracking is not enabled for this account."})
        )
    );
    assert_eq!(logs(&m, &cid).await["meta"]["total"], "0");
}

#[tokio::test]
async fn event_needs_no_api_token_and_tracking_logs_of_unknown_contact_is_404() {
    let m = Mock::start().await;
    let (status, body) = m.get("/contacts/77/trackingLogs").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Subscriber with id 77"})
        )
    );
}

#[tokio::test]
async fn deleting_a_contact_removes_its_tracking_logs() {
    let m = Mock::start().await;
    let cid = m.contact("jane@example.com").await;
    send_event(
        &m,
        &[
            ("actid", m.server.actid()),
            ("key", m.server.event_key()),
            ("event", "e"),
            ("visit", r#"{"email":"jane@example.com"}"#),
        ],
    )
    .await;
    m.delete(&format!("/contacts/{cid}")).await;
    let store = m.server.state().snapshot(ac_mock::AccountId(1)).unwrap();
    assert!(store.tracking_logs.is_empty());
}

#[tokio::test]
async fn site_tracking_status_and_code_snippet() {
    let m = Mock::start().await;
    let (status, body) = m.get("/siteTracking").await;
    assert_eq!(
        (status, body),
        (200, json!({"siteTracking": {"enabled": true}}))
    );
    let (status, body) = m
        .put("/siteTracking", json!({"siteTracking": {"enabled": false}}))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"siteTracking": {"enabled": false}}))
    );
    let res = m
        .http
        .get(m.url("/siteTracking/code"))
        .header("Api-Token", m.server.api_token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(text.contains("prism.app-us1.com/prism.js"));
    assert!(text.contains(&format!("pgo('setAccount', '{}')", m.server.actid())));
}

async fn visit(m: &Mock, query: &str) -> reqwest::Response {
    m.http
        .get(format!("{}/visit?{query}", m.server.tracking_url()))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn visit_records_a_pagevisit_with_the_page_url() {
    let m = Mock::start().await;
    let cid = m.contact("jane@example.com").await;
    let res = visit(
        &m,
        &format!(
            "actid={}&e=jane%40example.com&r=&u=https%3A%2F%2Fexample.com%2Fpricing",
            m.server.actid()
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/javascript");
    assert_eq!(res.text().await.unwrap(), "");
    let body = logs(&m, &cid).await;
    assert_eq!(body["trackingLogs"][0]["type"], "__pagevisit");
    assert_eq!(
        body["trackingLogs"][0]["value"],
        "https://example.com/pricing"
    );
}

#[tokio::test]
async fn visit_is_not_recorded_when_disabled_or_actid_unknown() {
    let m = Mock::start().await;
    let cid = m.contact("jane@example.com").await;
    let res = visit(&m, "actid=42&e=jane%40example.com&u=https%3A%2F%2Fx.co").await;
    assert_eq!(res.status(), 200);
    m.put("/siteTracking", json!({"siteTracking": {"enabled": false}}))
        .await;
    let res = visit(
        &m,
        &format!(
            "actid={}&e=jane%40example.com&u=https%3A%2F%2Fx.co",
            m.server.actid()
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(logs(&m, &cid).await["meta"]["total"], "0");
}

#[tokio::test]
async fn legacy_whitelist_get_post_delete() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/siteTrackingDomains",
            json!({"siteTrackingDomain": {"name": "example.com"}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"siteTrackingDomain": {"name": "example.com"}}))
    );
    // Posting it again is the same 200 echo and no second row.
    let (status, _) = m
        .post(
            "/siteTrackingDomains",
            json!({"siteTrackingDomain": {"name": "example.com"}}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = m.get("/siteTrackingDomains").await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"siteTrackingDomains": [{"name": "example.com"}], "meta": {"total": 1}})
        )
    );
    for bad in [
        json!({}),
        json!({"siteTrackingDomain": {"name": ""}}),
        json!({"siteTrackingDomain": {"name": 5}}),
    ] {
        let (status, body) = m.post("/siteTrackingDomains", bad).await;
        assert_eq!((status, body), (400, json!({})));
    }
    let res = m
        .http
        .delete(m.url("/siteTrackingDomains/example.com"))
        .header("Api-Token", m.server.api_token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.bytes().await.unwrap().len(), 0);
    let (status, body) = m.delete("/siteTrackingDomains/example.com").await;
    assert_eq!((status, body), (404, json!({})));
}

#[tokio::test]
async fn prism_whitelist_201_409_400_204_404_and_shared_with_legacy() {
    let m = Mock::start().await;
    let create = json!({"data": {"type": "urlWhitelistings", "attributes": {
        "whitelisted_domain": "example.com", "whitelisted_page": "*",
        "conversations_enabled": false, "wp_enabled": false, "tracking_enabled": true}}});
    let (status, body) = m.post("/prism/urlWhitelistings", create.clone()).await;
    assert_eq!(status, 201, "{body}");
    let d = &body["data"];
    assert_eq!(d["type"], "urlWhitelistings");
    assert_eq!(d["id"], "1");
    assert_eq!(d["attributes"]["whitelisted_domain"], "example.com");
    assert_eq!(d["attributes"]["url_regex"], "#^example\\.com(\\/.*)?$#");
    assert_eq!(d["attributes"]["tracking_enabled"], 1);
    assert_eq!(d["attributes"]["conversations_enabled"], 0);
    assert!(d["attributes"]["created_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    let (status, body) = m.post("/prism/urlWhitelistings", create).await;
    assert_eq!((status, body), (409, json!({})));
    let (status, body) = m
        .post(
            "/prism/urlWhitelistings",
            json!({"data": {"attributes": {}}}),
        )
        .await;
    assert_eq!((status, body), (400, json!({})));
    let (status, body) = m
        .raw(
            Method::POST,
            "/prism/urlWhitelistings",
            None,
            b"{oops".to_vec(),
        )
        .await;
    assert_eq!((status, body), (400, json!({})));
    // One whitelist behind both generations.
    let (_, legacy) = m.get("/siteTrackingDomains").await;
    assert_eq!(
        legacy["siteTrackingDomains"],
        json!([{"name": "example.com"}])
    );
    m.post(
        "/siteTrackingDomains",
        json!({"siteTrackingDomain": {"name": "other.org"}}),
    )
    .await;
    let (status, body) = m.get("/prism/urlWhitelistings").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        body["data"][1]["attributes"]["whitelisted_domain"],
        "other.org"
    );
    let res = m
        .http
        .delete(m.url("/prism/urlWhitelistings/1"))
        .header("Api-Token", m.server.api_token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.bytes().await.unwrap().is_empty());
    let (status, body) = m.delete("/prism/urlWhitelistings/1").await;
    assert_eq!((status, body), (404, json!({})));
    let (status, _) = m.delete("/prism/urlWhitelistings/abc").await;
    assert_eq!(status, 404);
}
