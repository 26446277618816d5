//! The API token goes only to the API host: the tracking host (a separate server here, as
//! trackcmp.net is for a real account) gets `actid` and the event key, never `Api-Token`.

use std::sync::{Arc, Mutex};

use ac_mock::MockServer;
use ac_segment::execute::Executor;
use ac_segment::Status;
use axum::body::Bytes;
use axum::http::{HeaderMap, Uri};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::{message, settings_for};

type Seen = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tracking_host_never_sees_the_api_token() {
    let mock = MockServer::start().await.expect("mock");
    let seen: Seen = Arc::default();
    let (s1, s2) = (seen.clone(), seen.clone());
    let app = Router::new()
        .route(
            "/event",
            post(move |headers: HeaderMap, body: Bytes| {
                let seen = s1.clone();
                async move {
                    let body = String::from_utf8_lossy(&body).into_owned();
                    seen.lock()
                        .expect("lock")
                        .push(("/event".into(), headers, body));
                    axum::Json(json!({"success": 1, "message": "Event spawned"}))
                }
            }),
        )
        .route(
            "/visit",
            get(move |headers: HeaderMap, uri: Uri| {
                let seen = s2.clone();
                async move {
                    let query = uri.query().unwrap_or("").to_owned();
                    seen.lock()
                        .expect("lock")
                        .push(("/visit".into(), headers, query));
                    ""
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let tracking = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut settings = settings_for(&mock);
    settings.tracking_url = Some(tracking);
    let executor = Executor::new(settings.client(0).expect("client"), settings);
    for m in [
        json!({"type":"track","event":"Signed Up","properties":{"acValue":"pro"},
               "context":{"traits":{"email":"ada@example.com"}}}),
        json!({"type":"screen","name":"Home","context":{"traits":{"email":"ada@example.com"}}}),
        json!({"type":"page","context":{"traits":{"email":"ada@example.com"},
               "page":{"url":"https://www.example.com/pricing"}}}),
    ] {
        let o = executor.apply(&message(&m)).await;
        assert_eq!(o.status, Status::Applied, "{m}: {:?}", o.reason);
    }
    let seen = seen.lock().expect("lock");
    assert_eq!(
        seen.len(),
        3,
        "two events and one visit reached the tracking host"
    );
    for (path, headers, body) in seen.iter() {
        assert!(
            headers.get("api-token").is_none(),
            "{path} got an Api-Token header"
        );
        assert!(
            !body.contains(mock.api_token()),
            "{path} got the token: {body}"
        );
        assert!(
            body.contains(&format!("actid={}", mock.actid())),
            "{path}: {body}"
        );
    }
    let events: Vec<&String> = seen
        .iter()
        .filter(|s| s.0 == "/event")
        .map(|s| &s.2)
        .collect();
    for body in events {
        assert!(
            body.contains(&format!("key={}", mock.event_key())),
            "{body}"
        );
        assert!(
            body.contains("visit=%7B%22email%22%3A%22ada%40example.com%22%7D"),
            "{body}"
        );
    }
}
