//! Outgoing webhooks and simulated campaigns: a receiver inside the test checks the exact
//! form bodies AC would send (reference §10.2/§10.3).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{read, Mock};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A receiver that records (path, raw body) and answers `status`.
async fn receiver(status: u16) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route(
            "/{hook}",
            post(
                |State((seen, status)): State<(Seen, u16)>,
                 axum::extract::Path(hook): axum::extract::Path<String>,
                 body: String| async move {
                    seen.lock().unwrap().push((hook, body));
                    StatusCode::from_u16(status).unwrap()
                },
            ),
        )
        .with_state((seen.clone(), status));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn pairs(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The pairs without `date_time`, after checking that it has the account's offset.
fn without_time(body: &str) -> Vec<(String, String)> {
    let p = pairs(body);
    let dt = &p.iter().find(|(k, _)| k == "date_time").unwrap().1;
    assert!(
        dt.len() == 25 && dt.ends_with("-05:00") && dt.as_bytes()[10] == b'T',
        "{dt}"
    );
    p.into_iter().filter(|(k, _)| k != "date_time").collect()
}

fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn wait_for(seen: &Seen, n: usize) -> Vec<(String, String)> {
    for _ in 0..200 {
        if seen.lock().unwrap().len() >= n {
            // A little longer, to catch deliveries that should not have happened.
            tokio::time::sleep(Duration::from_millis(100)).await;
            return seen.lock().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("expected {n} deliveries, got {:?}", seen.lock().unwrap());
}

async fn hook(m: &Mock, url: &str, events: &[&str], sources: &[&str], listid: u64) -> String {
    let (status, body) = m
        .post(
            "/webhooks",
            json!({"webhook": {"name": "h", "url": url, "events": events,
                   "sources": sources, "listid": listid}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["webhook"]["id"].as_str().unwrap().to_string()
}

async fn admin_post(m: &Mock, path: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/__admin{path}", m.server.base_url());
    read(m.http.post(url).json(&body).send().await.unwrap()).await
}

#[tokio::test]
async fn api_changes_deliver_acs_form_bodies_to_matching_webhooks() {
    let m = Mock::start().await;
    let (url, seen) = receiver(200).await;
    let (_, list) = m
        .post(
            "/lists",
            json!({"list": {"name": "News", "stringid": "news", "sender_url": "https://x.example",
                   "sender_reminder": "You signed up"}}),
        )
        .await;
    let list_id = list["list"]["id"].as_str().unwrap().to_string();
    let (_, tag) = m
        .post(
            "/tags",
            json!({"tag": {"tag": "vip", "tagType": "contact"}}),
        )
        .await;
    let tag_id = tag["tag"]["id"].as_str().unwrap().to_string();
    let (_, c) = m
        .post(
            "/contacts",
            json!({"contact": {"email": "jane@example.com", "firstName": "Jane", "lastName": "Doe", "phone": "555"}}),
        )
        .await;
    let contact = c["contact"]["id"].as_str().unwrap().to_string();
    hook(
        &m,
        &format!("{url}/all"),
        &[
            "subscribe",
            "unsubscribe",
            "update",
            "contact_tag_added",
            "contact_tag_removed",
        ],
        &["api"],
        0,
    )
    .await;
    // Only public-sourced events: API changes must not reach it.
    hook(
        &m,
        &format!("{url}/public"),
        &["subscribe", "update"],
        &["public"],
        0,
    )
    .await;

    m.post(
        "/contactLists",
        json!({"contactList": {"list": list_id, "contact": contact, "status": 1}}),
    )
    .await;
    let (_, ct) = m
        .post(
            "/contactTags",
            json!({"contactTag": {"contact": contact, "tag": tag_id}}),
        )
        .await;
    m.put(
        &format!("/contacts/{contact}"),
        json!({"contact": {"firstName": "Janet"}}),
    )
    .await;
    m.delete(&format!(
        "/contactTags/{}",
        ct["contactTag"]["id"].as_str().unwrap()
    ))
    .await;
    m.post(
        "/contactLists",
        json!({"contactList": {"list": list_id, "contact": contact, "status": 2}}),
    )
    .await;

    let got = wait_for(&seen, 5).await;
    assert_eq!(got.len(), 5, "{got:?}");
    assert!(got.iter().all(|(h, _)| h == "all"));
    let block = |first: &str, tags: &str| {
        owned(&[
            ("contact[id]", &contact),
            ("contact[email]", "jane@example.com"),
            ("contact[first_name]", first),
            ("contact[last_name]", "Doe"),
            ("contact[phone]", "555"),
            ("contact[ip]", "0.0.0.0"),
            ("contact[tags]", tags),
            ("contact[orgname]", ""),
            ("contact[customer_acct_name]", ""),
            ("customer_acct_name", ""),
            ("customer_acct_id", "0"),
            ("orgname", ""),
        ])
    };
    let head = |t: &str, list: &str| {
        owned(&[
            ("type", t),
            ("initiated_from", "api"),
            ("initiated_by", "api"),
            ("list", list),
        ])
    };
    let expect = |t: &str, list: &str, first: &str, tags: &str, extra: &[(&str, &str)]| {
        let mut v = head(t, list);
        v.extend(block(first, tags));
        v.extend(owned(extra));
        v
    };
    assert_eq!(
        without_time(&got[0].1),
        expect("subscribe", &list_id, "Jane", "", &[])
    );
    assert_eq!(
        without_time(&got[1].1),
        expect("contact_tag_added", "0", "Jane", "vip", &[("tag", "vip")])
    );
    assert_eq!(
        without_time(&got[2].1),
        expect("update", "0", "Janet", "vip", &[])
    );
    assert_eq!(
        without_time(&got[3].1),
        expect("contact_tag_removed", "0", "Janet", "", &[("tag", "vip")])
    );
    assert_eq!(
        without_time(&got[4].1),
        expect("unsubscribe", &list_id, "Janet", "", &[])
    );
    // Bracketed keys are percent-encoded on the wire.
    assert!(
        got[0].1.contains("contact%5Bemail%5D=jane%40example.com"),
        "{}",
        got[0].1
    );

    let (_, deliveries) = m.admin_get("/webhook-deliveries").await;
    let d = &deliveries["deliveries"];
    assert_eq!(d.as_array().unwrap().len(), 5);
    assert_eq!(d[0]["type"], "unsubscribe", "newest first");
    assert_eq!(d[0]["status"], 200);
    assert_eq!(d[0]["url"], format!("{url}/all"));
    assert_eq!(d[0]["body"], got[4].1);
}

#[tokio::test]
async fn listid_restricts_list_scoped_events() {
    let m = Mock::start().await;
    let (url, seen) = receiver(200).await;
    let mut lists = Vec::new();
    for n in ["a", "b"] {
        let (_, l) = m
            .post(
                "/lists",
                json!({"list": {"name": n, "stringid": n, "sender_url": "https://x.example", "sender_reminder": "r"}}),
            )
            .await;
        lists.push(l["list"]["id"].as_str().unwrap().to_string());
    }
    let contact = m.contact("l@example.com").await;
    hook(
        &m,
        &format!("{url}/b"),
        &["subscribe"],
        &["api"],
        lists[1].parse().unwrap(),
    )
    .await;
    for l in &lists {
        m.post(
            "/contactLists",
            json!({"contactList": {"list": l, "contact": contact, "status": 1}}),
        )
        .await;
    }
    let got = wait_for(&seen, 1).await;
    assert_eq!(got.len(), 1);
    assert!(pairs(&got[0].1).contains(&("list".into(), lists[1].clone())));
}

#[tokio::test]
async fn a_410_answer_deactivates_the_webhook_and_nothing_is_retried() {
    let m = Mock::start().await;
    let (url, seen) = receiver(410).await;
    let id = hook(&m, &format!("{url}/gone"), &["update"], &["api"], 0).await;
    let contact = m.contact("g@example.com").await;
    m.put(
        &format!("/contacts/{contact}"),
        json!({"contact": {"firstName": "A"}}),
    )
    .await;
    wait_for(&seen, 1).await;
    let (_, deliveries) = m.admin_get("/webhook-deliveries").await;
    assert_eq!(deliveries["deliveries"][0]["status"], 410);
    assert_eq!(deliveries["deliveries"][0]["deactivated"], true);
    assert_eq!(deliveries["deliveries"][0]["outcome"], "answered");
    assert_eq!(
        deliveries["deliveries"][0]["error"],
        "the receiver answered 410 Gone: the webhook is now inactive and is sent nothing more"
    );
    let state = m.server.state().snapshot(ac_mock::AccountId(1)).unwrap();
    assert!(!state.webhooks.get(id.parse().unwrap()).unwrap().active);
    m.put(
        &format!("/contacts/{contact}"),
        json!({"contact": {"firstName": "B"}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "inactive: no more deliveries, no retry"
    );
}

#[tokio::test]
async fn bulk_imports_fire_no_webhooks() {
    let m = Mock::start().await;
    let (url, seen) = receiver(200).await;
    hook(
        &m,
        &format!("{url}/x"),
        &["subscribe", "update", "contact_tag_added"],
        &["api", "public", "admin", "system"],
        0,
    )
    .await;
    let (status, body) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [{"email": "b1@example.com", "tags": ["t"]}, {"email": "b2@example.com"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn campaign_events_apply_their_effect_and_fire_acs_payloads() {
    let m = Mock::start().await;
    let (url, seen) = receiver(200).await;
    let (_, l) = m
        .post(
            "/lists",
            json!({"list": {"name": "News", "stringid": "news", "sender_url": "https://x.example", "sender_reminder": "r"}}),
        )
        .await;
    let list = l["list"]["id"].as_str().unwrap().to_string();
    let contact = m.contact("jane@example.com").await;
    m.post(
        "/contactLists",
        json!({"contactList": {"list": list, "contact": contact, "status": 1}}),
    )
    .await;
    hook(
        &m,
        &format!("{url}/c"),
        &["sent", "open", "click", "bounce", "unsubscribe"],
        &["public", "system", "admin"],
        0,
    )
    .await;
    // List id as a string, as AC accepts.
    let (status, created) = admin_post(
        &m,
        "/campaigns",
        json!({"name": "May Newsletter", "subject": "Our May news", "list": list}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let cid = created["id"].as_str().unwrap().to_string();
    let ev = |body: Value| {
        let m = &m;
        let cid = cid.clone();
        async move { admin_post(m, &format!("/campaigns/{cid}/events"), body).await }
    };
    assert_eq!(ev(json!({"type": "sent"})).await.0, 200);
    assert_eq!(
        ev(json!({"type": "open", "email": "jane@example.com"}))
            .await
            .0,
        200
    );
    assert_eq!(
        ev(json!({"type": "click", "email": "jane@example.com", "link_url": "https://example.com/pricing"}))
            .await
            .0,
        200
    );
    assert_eq!(
        ev(
            json!({"type": "unsubscribe", "email": "jane@example.com", "reason": "Too many emails"})
        )
        .await
        .0,
        200
    );
    let got = wait_for(&seen, 4).await;
    let campaign_common = |t: &str, from: &str, status: &str| {
        owned(&[
            ("type", t),
            ("initiated_from", from),
            ("initiated_by", from),
            ("list", &list),
            ("campaign[id]", &cid),
            ("campaign[name]", "May Newsletter"),
            ("campaign[status]", status),
            ("campaign[type]", "single"),
            ("campaign[recipients]", "1"),
            ("campaign[message][id]", &cid),
            ("campaign[message][subject]", "Our May news"),
        ])
    };
    let contact_block = owned(&[
        ("contact[id]", &contact),
        ("contact[email]", "jane@example.com"),
        ("contact[first_name]", ""),
        ("contact[last_name]", ""),
        ("contact[phone]", ""),
        ("contact[ip]", "0.0.0.0"),
        ("contact[tags]", ""),
        ("contact[orgname]", ""),
        ("contact[customer_acct_name]", ""),
        ("customer_acct_name", ""),
        ("customer_acct_id", "0"),
        ("orgname", ""),
    ]);
    assert_eq!(
        without_time(&got[0].1),
        campaign_common("sent", "admin", "2")
    );
    let mut open = campaign_common("open", "public", "5");
    open.extend(contact_block.clone());
    assert_eq!(without_time(&got[1].1), open);
    let mut click = campaign_common("click", "public", "5");
    click.extend(contact_block.clone());
    click.extend(owned(&[
        ("link[id]", "1"),
        ("link[url]", "https://example.com/pricing"),
    ]));
    assert_eq!(without_time(&got[2].1), click);
    let mut unsub = owned(&[
        ("type", "unsubscribe"),
        ("initiated_from", "public"),
        ("initiated_by", "public"),
        ("list", &list),
        ("campaign[id]", &cid),
        ("campaign[name]", "May Newsletter"),
    ]);
    unsub.extend(contact_block.clone());
    unsub.extend(owned(&[
        ("unsubscribe[reason]", "Too many emails"),
        ("list[0][id]", &list),
        ("form[id]", ""),
    ]));
    assert_eq!(without_time(&got[3].1), unsub);
    // The unsubscribe set the membership to 2, and fired no extra api-sourced webhook.
    let (_, memberships) = m.get(&format!("/contacts/{contact}/contactLists")).await;
    assert_eq!(
        memberships["contactLists"][0]["status"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| memberships["contactLists"][0]["status"].to_string()),
        "2"
    );

    // A hard bounce marks the contact bounced (list status 3) and fires a system bounce.
    let bounced = m.contact("nobody@example.com").await;
    m.post(
        "/contactLists",
        json!({"contactList": {"list": list, "contact": bounced, "status": 1}}),
    )
    .await;
    let (status, _) =
        ev(json!({"type": "bounce", "email": "nobody@example.com", "bounce_type": "hard"})).await;
    assert_eq!(status, 200);
    let got = wait_for(&seen, 5).await;
    let p = without_time(&got[4].1);
    assert_eq!(
        &p[..6],
        &owned(&[
            ("type", "bounce"),
            ("initiated_from", "system"),
            ("initiated_by", "system"),
            ("list", &list),
            ("campaign[id]", &cid),
            ("campaign[name]", "May Newsletter"),
        ])[..]
    );
    assert_eq!(
        &p[p.len() - 3..],
        &owned(&[
            ("bounce[type]", "hard"),
            ("bounce[code]", "5.1.1"),
            ("bounce[description]", "User unknown")
        ])[..]
    );
    let (_, memberships) = m.get(&format!("/contacts/{bounced}/contactLists")).await;
    assert_eq!(
        memberships["contactLists"][0]["status"]
            .to_string()
            .trim_matches('"'),
        "3"
    );
    // The contact itself carries the bounce, as AC's contact fields do.
    let (_, contact) = m.get(&format!("/contacts/{bounced}")).await;
    assert_eq!(contact["contact"]["bounced_hard"], "1");
    assert_eq!(contact["contact"]["bounced_soft"], "0");
    let date = contact["contact"]["bounced_date"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(date.len(), 10, "a YYYY-MM-DD date: {date:?}");
    // A soft bounce counts separately.
    ev(json!({"type": "bounce", "email": "nobody@example.com", "bounce_type": "soft"})).await;
    let (_, contact) = m.get(&format!("/contacts/{bounced}")).await;
    assert_eq!(contact["contact"]["bounced_hard"], "1");
    assert_eq!(contact["contact"]["bounced_soft"], "1");
}

#[tokio::test]
async fn bad_campaign_bodies_get_clear_messages() {
    let m = Mock::start().await;
    let (status, body) = admin_post(&m, "/campaigns", json!({"name": "x", "list": 99})).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = admin_post(&m, "/campaigns", json!({"name": "x", "list": "abc"})).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("list"), "{body}");
    let (status, body) = admin_post(&m, "/campaigns/1/events", json!({"type": "explode"})).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("sent, open"),
        "{body}"
    );
    let (status, _) = admin_post(&m, "/campaigns/7/events", json!({"type": "sent"})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn campaigns_list_counts_and_the_delivery_log_can_be_cleared() {
    let m = Mock::start().await;
    let (url, seen) = receiver(200).await;
    let (_, l) = m
        .post(
            "/lists",
            json!({"list": {"name": "N", "stringid": "n", "sender_url": "https://x.example", "sender_reminder": "r"}}),
        )
        .await;
    let list = l["list"]["id"].as_str().unwrap().to_string();
    hook(&m, &format!("{url}/s"), &["sent"], &["admin"], 0).await;
    let (_, c) = admin_post(
        &m,
        "/campaigns",
        json!({"name": "C", "subject": "S", "list": 1}),
    )
    .await;
    let cid = c["id"].as_str().unwrap().to_string();
    admin_post(
        &m,
        &format!("/campaigns/{cid}/events"),
        json!({"type": "sent"}),
    )
    .await;
    wait_for(&seen, 1).await;
    let base = m.server.base_url().to_string();
    let campaigns: Value = m
        .http
        .get(format!("{base}/__admin/campaigns"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(campaigns["campaigns"][0]["name"], "C");
    assert_eq!(campaigns["campaigns"][0]["list"].to_string(), list);
    assert_eq!(campaigns["campaigns"][0]["counts"]["sent"], 1);
    let cleared = m
        .http
        .delete(format!("{base}/__admin/webhook-deliveries"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 200);
    let (_, log) = m.admin_get("/webhook-deliveries").await;
    assert_eq!(log["deliveries"], json!([]));
}

#[tokio::test]
async fn deal_changes_fire_deal_add_and_one_deal_update_with_the_changed_fields() {
    let m = Mock::start().await;
    let (url, seen) = receiver(200).await;
    let contact = m.contact("dana@example.com").await;
    m.put(
        &format!("/contacts/{contact}"),
        json!({"contact": {"firstName": "Dana", "lastName": "Scully"}}),
    )
    .await;
    let (_, acct) = m
        .post("/accounts", json!({"account": {"name": "Acme & Co"}}))
        .await;
    let acct = acct["account"]["id"].as_str().unwrap().to_string();
    hook(
        &m,
        &format!("{url}/deals"),
        &["deal_add", "deal_update"],
        &["api"],
        0,
    )
    .await;
    // A hook on contact events only: deal changes must not reach it.
    hook(&m, &format!("{url}/contacts"), &["update"], &["api"], 0).await;

    let (status, deal) = m
        .post(
            "/deals",
            json!({"deal": {"title": "Big one", "value": 104405500, "currency": "eur",
                   "contact": contact, "account": acct, "fields": [
                       {"customFieldId": 3, "fieldValue": "inbound"}]}}),
        )
        .await;
    assert_eq!(status, 201, "{deal}");
    let deal = deal["deal"]["id"].as_str().unwrap().to_string();
    let got = wait_for(&seen, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "deals");
    let p = without_time(&got[0].1);
    let date = &p.iter().find(|(k, _)| k == "deal[create_date]").unwrap().1;
    let iso = &p
        .iter()
        .find(|(k, _)| k == "deal[create_date_iso]")
        .unwrap()
        .1;
    assert!(date.len() == 19 && date.as_bytes()[10] == b' ', "{date}");
    assert!(iso.len() == 25 && iso.ends_with("-05:00"), "{iso}");
    assert_eq!(&iso[..10], &date[..10]);
    let p: Vec<(String, String)> = p
        .into_iter()
        .filter(|(k, _)| !k.starts_with("deal[create_date"))
        .collect();
    assert_eq!(
        p,
        owned(&[
            ("type", "deal_add"),
            ("initiated_from", "api"),
            ("initiated_by", "api"),
            ("list", "0"),
            ("deal[id]", &deal),
            ("deal[title]", "Big one"),
            ("deal[orgid]", &acct),
            ("deal[orgname]", "Acme & Co"),
            ("deal[stageid]", "1"),
            ("deal[stage_title]", "To Contact"),
            ("deal[pipelineid]", "1"),
            ("deal[pipeline_title]", "Default Pipeline"),
            ("deal[value]", "1,044,055.00"),
            ("deal[value_raw]", "1044055"),
            ("deal[currency]", "eur"),
            ("deal[currency_symbol]", "€"),
            ("deal[owner]", "1"),
            ("deal[owner_firstname]", "Admin"),
            ("deal[owner_lastname]", "User"),
            ("deal[contactid]", &contact),
            ("deal[contact_email]", "dana@example.com"),
            ("deal[contact_firstname]", "Dana"),
            ("deal[contact_lastname]", "Scully"),
            ("deal[status]", "0"),
            ("deal[fields][0][id]", "3"),
            ("deal[fields][0][key]", "3"),
            ("deal[fields][0][value]", "inbound"),
        ])
    );

    // Moving the stage and changing the value: one deal_update naming both, in the deal's
    // attribute order; an update that changes nothing still fires, with no updated_fields.
    let (status, body) = m
        .put(
            &format!("/deals/{deal}"),
            json!({"deal": {"stage": 2, "value": 1050, "title": "Big one"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let got = wait_for(&seen, 2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let p = without_time(&got[1].1);
    let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("type"), Some("deal_update"));
    assert_eq!(get("deal[stageid]"), Some("2"));
    assert_eq!(get("deal[stage_title]"), Some("In Contact"));
    assert_eq!(get("deal[value]"), Some("10.50"));
    assert_eq!(get("deal[value_raw]"), Some("10.50"));
    let updated: Vec<&(String, String)> = p
        .iter()
        .filter(|(k, _)| k.starts_with("updated_fields"))
        .collect();
    assert_eq!(
        updated,
        [
            &("updated_fields[0]".to_string(), "value".to_string()),
            &("updated_fields[1]".to_string(), "stage".to_string()),
        ]
    );
    m.put(
        &format!("/deals/{deal}"),
        json!({"deal": {"title": "Big one"}}),
    )
    .await;
    let got = wait_for(&seen, 3).await;
    assert_eq!(got.len(), 3, "{got:?}");
    let p = without_time(&got[2].1);
    assert!(p.contains(&("type".to_string(), "deal_update".to_string())));
    assert!(
        !p.iter().any(|(k, _)| k.starts_with("updated_fields")),
        "{p:?}"
    );
}

/// A receiver that accepts connections, reads what comes, and never answers. Returns its
/// URL and how many connections it has accepted.
async fn silent_receiver() -> (String, Arc<Mutex<usize>>) {
    let accepted: Arc<Mutex<usize>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            *count.lock().unwrap() += 1;
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let mut buf = vec![0u8; 4096];
                while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
            });
        }
    });
    (url, accepted)
}

/// Sends a request as the account with this token: (status, JSON body).
async fn as_account(
    m: &Mock,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    read(
        m.http
            .request(method, m.url(path))
            .header("Api-Token", token)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The delivery log, newest first.
async fn log(m: &Mock) -> Vec<Value> {
    let (_, body) = m.admin_get("/webhook-deliveries?limit=1000").await;
    body["deliveries"].as_array().unwrap().clone()
}

/// Waits until the delivery log holds `n` entries.
async fn wait_log(m: &Mock, n: usize) -> Vec<Value> {
    for _ in 0..400 {
        let entries = log(m).await;
        if entries.len() >= n {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("expected {n} log entries, got {:?}", log(m).await);
}

#[tokio::test]
async fn a_receiver_that_never_answers_delays_only_its_own_deliveries() {
    let m = Mock::start().await;
    let out = m.server.state().webhooks_out();
    // Long enough that only a serial queue would make B wait for A.
    out.set_delivery_timeout(Duration::from_secs(30));
    let (stuck, accepted) = silent_receiver().await;
    let (fine, seen) = receiver(200).await;
    // Account A (the default one) hooks the stuck receiver, account B a working one.
    hook(&m, &format!("{stuck}/a"), &["update"], &["api"], 0).await;
    let (_, b_token, _, _) = m.server.state().create_account();
    let (status, body) = as_account(
        &m,
        &b_token,
        reqwest::Method::POST,
        "/webhooks",
        json!({"webhook": {"name": "b", "url": format!("{fine}/b"), "events": ["update"], "sources": ["api"]}}),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let a_contact = m.contact("a@example.com").await;
    for name in ["A1", "A2", "A3"] {
        let (status, _) = m
            .put(
                &format!("/contacts/{a_contact}"),
                json!({"contact": {"firstName": name}}),
            )
            .await;
        assert_eq!(status, 200, "the request is not held up by its webhook");
    }
    let (_, c) = as_account(
        &m,
        &b_token,
        reqwest::Method::POST,
        "/contacts",
        json!({"contact": {"email": "b@example.com"}}),
    )
    .await;
    let b_contact = c["contact"]["id"].as_str().unwrap().to_string();
    as_account(
        &m,
        &b_token,
        reqwest::Method::PUT,
        &format!("/contacts/{b_contact}"),
        json!({"contact": {"firstName": "B"}}),
    )
    .await;

    // B's delivery arrives while A's first is still unanswered: it did not wait behind A's.
    let got = wait_for(&seen, 1).await;
    assert_eq!(got[0].0, "b");
    let entries = log(&m).await;
    assert_eq!(entries.len(), 1, "only B's delivery has ended: {entries:?}");
    assert_eq!(entries[0]["url"], format!("{fine}/b"));
    assert_eq!(entries[0]["outcome"], "answered");
    assert!(entries[0]["error"].is_null());
    // A's lane sends one at a time: one connection to the stuck receiver, two waiting.
    assert_eq!(*accepted.lock().unwrap(), 1);
    assert_eq!(out.pending(), 3);
}

#[tokio::test]
async fn the_delivery_log_names_the_cause_refused_timed_out_or_the_status() {
    let m = Mock::start().await;
    m.server
        .state()
        .webhooks_out()
        .set_delivery_timeout(Duration::from_millis(300));
    // A port nothing listens on: bound, then released.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (stuck, _) = silent_receiver().await;
    let (failing, _) = receiver(500).await;
    hook(&m, &format!("{closed}/x"), &["update"], &["api"], 0).await;
    hook(&m, &format!("{stuck}/x"), &["update"], &["api"], 0).await;
    hook(&m, &format!("{failing}/x"), &["update"], &["api"], 0).await;
    let contact = m.contact("e@example.com").await;
    m.put(
        &format!("/contacts/{contact}"),
        json!({"contact": {"firstName": "E"}}),
    )
    .await;
    let entries = wait_log(&m, 3).await;
    let by_url = |base: &str| {
        entries
            .iter()
            .find(|e| e["url"] == format!("{base}/x"))
            .unwrap_or_else(|| panic!("no entry for {base}: {entries:?}"))
            .clone()
    };
    let refused = by_url(&closed);
    assert_eq!(refused["outcome"], "failed");
    assert!(refused["status"].is_null());
    let text = refused["error"].as_str().unwrap();
    assert!(text.starts_with("connection refused"), "{text}");
    assert!(
        text.contains(closed.trim_start_matches("http://")),
        "{text}"
    );

    let timed_out = by_url(&stuck);
    assert_eq!(timed_out["outcome"], "failed");
    let text = timed_out["error"].as_str().unwrap();
    assert!(
        text.starts_with("timed out") && text.contains("300 ms"),
        "{text}"
    );

    let answered = by_url(&failing);
    assert_eq!(answered["outcome"], "answered");
    assert_eq!(answered["status"], 500);
    assert_eq!(
        answered["error"],
        "the receiver answered 500 Internal Server Error"
    );
    assert_eq!(answered["deactivated"], false, "only 410 deactivates");
}

#[tokio::test]
async fn deliveries_to_one_url_arrive_in_order_even_when_the_first_is_slow() {
    let m = Mock::start().await;
    let seen: Seen = Arc::default();
    // The first delivery is answered slowly, the rest at once.
    let app = Router::new()
        .route(
            "/{hook}",
            post(
                |State(seen): State<Seen>,
                 axum::extract::Path(hook): axum::extract::Path<String>,
                 body: String| async move {
                    if body.contains("first_name%5D=n0&") {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                    }
                    seen.lock().unwrap().push((hook, body));
                    StatusCode::OK
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    hook(&m, &format!("{url}/one"), &["update"], &["api"], 0).await;
    hook(&m, &format!("{url}/two"), &["update"], &["api"], 0).await;
    let contact = m.contact("fifo@example.com").await;
    for n in 0..10 {
        m.put(
            &format!("/contacts/{contact}"),
            json!({"contact": {"firstName": format!("n{n}")}}),
        )
        .await;
    }
    let got = wait_for(&seen, 20).await;
    let names = |hook: &str| -> Vec<String> {
        got.iter()
            .filter(|(h, _)| h == hook)
            .map(|(_, body)| {
                pairs(body)
                    .into_iter()
                    .find(|(k, _)| k == "contact[first_name]")
                    .unwrap()
                    .1
            })
            .collect()
    };
    let want: Vec<String> = (0..10).map(|n| format!("n{n}")).collect();
    assert_eq!(names("one"), want);
    assert_eq!(names("two"), want);
}

#[tokio::test]
async fn a_full_destination_queue_drops_the_delivery_and_logs_why_without_holding_the_request() {
    let m = Mock::start().await;
    m.server
        .state()
        .webhooks_out()
        .set_delivery_timeout(Duration::from_secs(30));
    let (stuck, _) = silent_receiver().await;
    let limit = ac_mock::webhooks_out::DESTINATION_CAPACITY;
    // limit + 2 webhooks on one URL: one update fires limit + 2 deliveries to it.
    for _ in 0..limit + 2 {
        hook(&m, &format!("{stuck}/full"), &["update"], &["api"], 0).await;
    }
    let contact = m.contact("full@example.com").await;
    let (status, _) = m
        .put(
            &format!("/contacts/{contact}"),
            json!({"contact": {"firstName": "F"}}),
        )
        .await;
    assert_eq!(status, 200);
    let entries = wait_log(&m, 2).await;
    assert_eq!(entries.len(), 2, "the rest wait: {entries:?}");
    for e in &entries {
        assert_eq!(e["outcome"], "dropped");
        assert!(e["status"].is_null());
        assert_eq!(
            e["error"],
            format!("dropped: {limit} deliveries to this URL were already waiting")
        );
    }
    assert_eq!(m.server.state().webhooks_out().pending(), limit);
}

#[tokio::test]
async fn a_webhook_to_the_mock_itself_is_refused_at_delivery_and_nothing_is_reset() {
    let m = Mock::start().await;
    let reset = format!("{}/__admin/reset", m.server.base_url());
    let localhost = reset.replace("127.0.0.1", "localhost");
    // Stored as a state import (or a DNS change) could leave them: the API would refuse them.
    m.server
        .state()
        .with_store(ac_mock::AccountId(1), |store, _| {
            for url in [&reset, &localhost] {
                let input = ac_mock::store::webhooks::WebhookInput {
                    name: Some("self".into()),
                    url: Some(url.clone()),
                    events: Some(vec!["update".into()]),
                    sources: Some(vec!["api".into()]),
                    listid: None,
                };
                store
                    .create_webhook(&input, chrono::Utc::now())
                    .map_err(ac_mock::reply::ApiError::from)?;
            }
            Ok(())
        })
        .unwrap();
    let contact = m.contact("self@example.com").await;
    m.put(
        &format!("/contacts/{contact}"),
        json!({"contact": {"firstName": "S"}}),
    )
    .await;
    let entries = wait_log(&m, 2).await;
    for e in &entries {
        assert_eq!(e["outcome"], "refused", "{e}");
        assert!(e["status"].is_null());
        let text = e["error"].as_str().unwrap();
        assert!(text.contains("own listener"), "{text}");
    }
    // The contact is still there: no reset happened.
    let (status, _) = m.get(&format!("/contacts/{contact}")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_bulk_import_callback_to_the_mock_itself_is_400_and_nothing_is_imported() {
    let m = Mock::start().await;
    let port = m.server.addr().port();
    for url in [
        format!("{}/__admin/reset", m.server.base_url()),
        format!("http://localhost:{port}/__admin/reset"),
        format!("http://[::1]:{port}/x"),
    ] {
        let (status, body) = m
            .post(
                "/import/bulk_import",
                json!({"contacts": [{"email": "x@example.com"}], "callback": {"url": url}}),
            )
            .await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["success"], 0);
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with("Field 'callback.url' is refused. The url")
                && message.contains("own listener"),
            "{message}"
        );
    }
    let (_, list) = m.get("/contacts").await;
    assert_eq!(list["meta"]["total"], "0");
    // Another port on 127.0.0.1 is fine.
    let (status, body) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [{"email": "x@example.com"}],
                   "callback": {"url": format!("http://127.0.0.1:{}/cb", port.wrapping_add(1).max(1))}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
