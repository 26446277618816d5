use ac_client::bulk_import::{BulkCallback, BulkContact, BulkImport, FailureOrigin, ImportOptions};
use ac_client::{ContactId, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, Request, ResponseTemplate};

use crate::{client_for, setup, setup_sending_nothing, TOKEN};

fn contacts_in(req: &Request) -> Vec<String> {
    let v: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    v["contacts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["email"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn queued(n: u64, batch: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"Success":1,"queued_contacts":n,
        "batchId":batch,"message":"Contact import queued"}))
}

#[tokio::test]
async fn import_posts_exact_body_and_reads_capital_s_answer() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .and(header("Api-Token", TOKEN))
        .and(header("Content-Type", "application/json"))
        .and(body_json(json!({"contacts":[{"email":"someone@somewhere.com","first_name":"Jane",
            "tags":["vip"],"fields":[{"id":1,"value":"foo"}],"subscribe":[{"listid":1}],
            "unsubscribe":[{"listid":3}],"exclude_automations":true}],
            "callback":{"url":"https://example.com/cb","requestType":"POST","detailed_results":"true"}})))
        .respond_with(queued(1, "0641fbdd-f62f-4c2c-ba02-3a83d5d11ac9"))
        .expect(1)
        .mount(&server)
        .await;
    let import = BulkImport::new(vec![BulkContact::new("someone@somewhere.com")
        .first_name("Jane")
        .tag("vip")
        .field(1u64, "foo")
        .subscribe(1u64)
        .unsubscribe(3u64)
        .exclude_automations(true)])
    .callback(BulkCallback::post("https://example.com/cb").detailed_results(true));
    let resp = client.bulk_import().import(&import).await.unwrap();
    assert_eq!(resp.success, Some(true));
    assert_eq!(resp.queued_contacts, 1);
    assert_eq!(resp.batch_id, "0641fbdd-f62f-4c2c-ba02-3a83d5d11ac9");
    assert_eq!(resp.message.as_deref(), Some("Contact import queued"));
}

#[tokio::test]
async fn rejected_payload_exposes_failure_reasons_per_contact() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"success":0,
            "message":"JSON payload did not pass validation. Please fix failure Reasons and retry. The import was not queued for processing.",
            "failureReasons":[{"contact":1,"failureReason":"Field 'email' incorrect format"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let import = BulkImport::new(vec![BulkContact::new("a@b.co"), BulkContact::new("b@b.co")]);
    let err = client.bulk_import().import(&import).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(!err.is_rate_limited());
    let failures = err.contact_failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].contact, Some(1));
    assert_eq!(failures[0].reason, "Field 'email' incorrect format");
    assert!(err.to_string().contains("did not pass validation"), "{err}");
}

#[tokio::test]
async fn endpoint_rate_limit_is_classified_and_not_retried() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"success":0,
            "message":"Rate limit exceeded.",
            "failureReasons":["Up to 100 imports may be requested per minute.Please batch contacts into larger requests, or retry this request in a minute."]})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .bulk_import()
        .import(&BulkImport::new(vec![BulkContact::new("a@b.co")]))
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    assert!(err.is_retryable());
    assert!(err.contact_failures().is_empty());
}

#[tokio::test]
async fn server_errors_are_not_retried() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .bulk_import()
        .import(&BulkImport::new(vec![BulkContact::new("a@b.co")]))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn limits_and_invalid_contacts_send_nothing() {
    let (_server, client) = setup_sending_nothing().await;
    let bi = client.bulk_import();
    let many = BulkImport::new(
        (0..251)
            .map(|i| BulkContact::new(format!("c{i}@x.co")))
            .collect(),
    );
    let err = bi.import(&many).await.unwrap_err();
    assert!(
        err.is_invalid_input() && err.to_string().contains("250"),
        "{err}"
    );
    let big = BulkImport::new(
        (0..2)
            .map(|i| BulkContact::new(format!("c{i}@x.co")).last_name("y".repeat(210_000)))
            .collect(),
    );
    let err = bi.import(&big).await.unwrap_err();
    assert!(err.to_string().contains("400000 bytes"), "{err}");
    let err = bi
        .import(&BulkImport::new(vec![BulkContact::new("nope")]))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("contacts[0].email"));
    assert!(bi.info(" ").await.unwrap_err().is_invalid_input());
    // import_all with only invalid contacts sends nothing and reports each.
    let report = bi
        .import_all(
            vec![BulkContact::new("x"), BulkContact::new("")],
            &ImportOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.failures.len(), 2);
    assert!(report.batch_ids.is_empty());
    assert!(report
        .failures
        .iter()
        .all(|f| f.origin == FailureOrigin::Client));
}

#[tokio::test]
async fn status_and_batch_info() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/import/bulk_import"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "outstanding":[{"forDate":"2021-06-01","batches":"333","contacts":"83250"}],
            "recentlyCompleted":[{"forDate":"2021-06-01","batches":"17","contacts":"4250"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/import/info"))
        .and(query_param("batchId", "0641fbdd"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status":"completed",
            "success":["123","124"],"failure":["invalid.email@invalidDomain"]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let status = client.bulk_import().status().await.unwrap();
    assert_eq!(status.outstanding[0].batches, 333);
    assert_eq!(status.recently_completed[0].contacts, 4250);
    let info = client.bulk_import().info("0641fbdd").await.unwrap();
    assert_eq!(info.status, "completed");
    assert_eq!(info.success, vec![ContactId(123), ContactId(124)]);
    assert_eq!(info.failure, vec!["invalid.email@invalidDomain"]);
}

#[tokio::test]
async fn import_all_splits_validates_and_maps_failures_back() {
    let (server, client) = setup().await;
    // Batch 1 (250 contacts) is rejected for its 11th contact, then re-sent without it.
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .and(|req: &Request| contacts_in(req).len() == 250)
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"success":0,
            "message":"JSON payload did not pass validation.",
            "failureReasons":[{"contact":10,"failureReason":"Field 'email' incorrect format"}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .and(|req: &Request| {
            let emails = contacts_in(req);
            emails.len() == 249 && !emails.iter().any(|e| e == "c11@x.co")
        })
        .respond_with(queued(249, "b1"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .and(|req: &Request| {
            let emails = contacts_in(req);
            emails.len() == 49 && emails.first().map(String::as_str) == Some("c251@x.co")
        })
        .respond_with(queued(49, "b2"))
        .expect(1)
        .mount(&server)
        .await;
    let input: Vec<BulkContact> = (0..300)
        .map(|i| {
            if i == 3 {
                BulkContact::new("bad-3")
            } else {
                BulkContact::new(format!("c{i}@x.co"))
            }
        })
        .collect();
    let report = client
        .bulk_import()
        .import_all(input, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.batch_ids, vec!["b1", "b2"]);
    assert_eq!(report.queued, 298);
    assert!(report.error.is_none() && report.not_sent.is_empty());
    assert_eq!(report.failures.len(), 2);
    let client_side = &report.failures[0];
    assert_eq!(client_side.index, Some(3));
    assert_eq!(client_side.origin, FailureOrigin::Client);
    let server_side = &report.failures[1];
    assert_eq!(server_side.index, Some(11));
    assert_eq!(server_side.email.as_deref(), Some("c11@x.co"));
    assert_eq!(server_side.origin, FailureOrigin::Server);
    assert_eq!(server_side.reason, "Field 'email' incorrect format");
    assert!(!report.is_complete());
}

#[tokio::test]
async fn import_all_stops_on_rate_limit_and_reports_what_was_not_sent() {
    let (server, _) = setup().await;
    let client = client_for(&server, RetryPolicy::none());
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .and(|req: &Request| contacts_in(req).len() == 2)
        .respond_with(queued(2, "b1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/import/bulk_import"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"success":0,"message":"Rate limit exceeded.","failureReasons":["wait"]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let input: Vec<BulkContact> = (0..5)
        .map(|i| BulkContact::new(format!("c{i}@x.co")))
        .collect();
    let options = ImportOptions {
        max_contacts: 2,
        ..ImportOptions::default()
    };
    let report = client
        .bulk_import()
        .import_all(input, &options)
        .await
        .unwrap();
    assert_eq!(report.batch_ids, vec!["b1"]);
    assert_eq!(report.queued, 2);
    assert!(report.error.as_ref().unwrap().is_rate_limited());
    assert_eq!(report.not_sent, vec![2, 3, 4]);
}
