//! Bulk import, end to end: `import_all` splits and reports against the mock's limits and
//! validation, `info` reads the batches back, and the mock calls the import's callback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ac_client::bulk_import::{BulkCallback, BulkContact, BulkImport, FailureOrigin, ImportOptions};
use ac_client::contacts::ContactQuery;
use axum::body::Bytes;
use axum::routing::post;
use axum::Router;

use crate::setup;

#[tokio::test]
async fn import_all_splits_into_batches_reports_bad_contacts_and_info_reads_them_back() {
    let (_mock, client) = setup().await;
    let mut contacts: Vec<BulkContact> = (0..300)
        .map(|i| BulkContact::new(format!("bulk{i}@example.com")).tag("imported"))
        .collect();
    contacts[7] = BulkContact::new("not an email");
    let report = client
        .bulk_import()
        .import_all(contacts, &ImportOptions::default())
        .await
        .expect("import_all");
    assert_eq!(report.batch_ids.len(), 2, "250 + 49 contacts");
    assert_eq!(report.queued, 299);
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].index, Some(7));
    assert_eq!(report.failures[0].origin, FailureOrigin::Client);
    assert!(report.error.is_none() && report.not_sent.is_empty());

    let first = client
        .bulk_import()
        .info(&report.batch_ids[0])
        .await
        .expect("info");
    assert_eq!(first.status, "completed");
    assert_eq!(first.success.len(), 250);
    let total = client
        .contacts()
        .list(&ContactQuery::new().limit(1))
        .await
        .expect("list")
        .total;
    assert_eq!(total, 299);
}

#[tokio::test]
async fn the_mock_calls_the_import_callback_with_its_params_and_headers() {
    let (_mock, client) = setup().await;
    type Seen = Arc<Mutex<Vec<(Option<String>, Bytes)>>>;
    let seen: Seen = Arc::default();
    let store = seen.clone();
    let app = Router::new().route(
        "/done",
        post(move |headers: axum::http::HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                let token = headers
                    .get("x-token")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                store.lock().expect("lock").push((token, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/done", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let accepted = client
        .bulk_import()
        .import(
            &BulkImport::new(vec![
                BulkContact::new("cb1@example.com"),
                BulkContact::new("cb2@example.com"),
            ])
            .callback(
                BulkCallback::post(url)
                    .detailed_results(true)
                    .param("job", "nightly")
                    .header("X-Token", "abc"),
            ),
        )
        .await
        .expect("import");
    let batch = accepted.batch_id.clone();

    for _ in 0..100 {
        if !seen.lock().expect("lock").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let calls = seen.lock().expect("lock").clone();
    assert_eq!(calls.len(), 1, "one callback call");
    let (token, body) = &calls[0];
    assert_eq!(token.as_deref(), Some("abc"));
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("job"), Some("nightly"));
    assert_eq!(get("batchId"), Some(batch.as_str()));
    assert_eq!(get("success_count"), Some("2"));
    assert!(get("success[1]").is_some());
}
