//! AC's email events out as Segment events: an embedded ac-mock sends a campaign (sent, open,
//! click, bounce, unsubscribe), its webhooks reach an in-process `ac-segment serve`, and the
//! events are printed as Segment's HTTP API receives them (`POST /v1/batch`).
//!
//! ```sh
//! cargo run --example webhooks_to_segment
//! ```
//!
//! In production the same thing is the binary, with AC's webhook pointed at it:
//! `ac-segment serve --data-dir DIR --write-key K --sink segment --segment-write-key SEG_KEY
//! --webhook-token T` and, in AC, a webhook to `https://YOUR-HOST/webhooks/activecampaign?token=T`.

use std::sync::Arc;
use std::time::Duration;

use ac_client::contacts::ContactInput;
use ac_client::webhooks::{WebhookEvent, WebhookInput, WebhookSource};
use ac_client::{Client, ListId, RateLimit};
use ac_mock::MockServer;
use ac_segment::execute::Executor;
use ac_segment::serve::{ServeOptions, Server};
use ac_segment::sink::{SegmentSink, Sink};
use ac_segment::store::{Store, StoreLimits};
use ac_segment::Settings;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // AC: the embedded mock (it can simulate a campaign, which a real account cannot on demand).
    let mock = MockServer::start().await?;
    let ac = Client::builder()
        .api_url(mock.base_url())
        .api_token(mock.api_token())
        .rate_limit(RateLimit::disabled())
        .build()?;

    // "Segment": a local endpoint that prints what arrives at /v1/batch.
    let (tx, mut printed) = mpsc::unbounded_channel::<Value>();
    let segment = Router::new().route(
        "/v1/batch",
        post(move |body: axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                for event in body.0["batch"].as_array().into_iter().flatten() {
                    let _ = tx.send(event.clone());
                }
                axum::Json(json!({"success": true}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let segment_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, segment).await });

    // ac-segment serve, in-process: webhooks in, Segment events out, a store on disk between.
    let data = std::env::temp_dir().join(format!("webhooks-to-segment-{}", std::process::id()));
    let store = Arc::new(Store::open(&data, StoreLimits::default())?);
    let mut settings = Settings::new();
    settings.api_url = Some(mock.base_url().to_owned());
    settings.api_token = Some(mock.api_token().to_owned().into());
    let executor = Executor::new(settings.client(0)?, settings);
    let sink: Arc<dyn Sink> = Arc::new(SegmentSink::new(
        segment_url.parse()?,
        "SEGMENT_WRITE_KEY".to_owned().into(),
    )?);
    let mut options = ServeOptions::new(vec!["unused-write-key".to_owned().into()]);
    options.listen = "127.0.0.1:0".parse()?;
    options.webhook_token = Some("hook-secret".to_owned().into());
    let server = Server::bind(options, store, executor, Some(sink)).await?;
    let hook_url = format!(
        "http://{}/webhooks/activecampaign?token=hook-secret",
        server.local_addr()
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));

    // In AC: a webhook for the email events, a contact on a list, a campaign and its events.
    ac.webhooks()
        .create(
            &WebhookInput::new("to Segment", &hook_url)
                .events([
                    WebhookEvent::Sent,
                    WebhookEvent::Open,
                    WebhookEvent::Click,
                    WebhookEvent::Bounce,
                    WebhookEvent::Unsubscribe,
                ])
                .sources([
                    WebhookSource::Public,
                    WebhookSource::Admin,
                    WebhookSource::Api,
                    WebhookSource::System,
                ]),
        )
        .await?;
    let list = ac
        .lists()
        .create(
            &ac_client::lists::ListInput::new("Newsletter")
                .sender_url("https://example.com")
                .sender_reminder("You signed up at example.com"),
        )
        .await?;
    let ada = ac
        .contacts()
        .sync(&ContactInput::new("ada@example.com").first_name("Ada"))
        .await?
        .contact;
    ac.lists().subscribe(ada.id, ListId(list.id.0)).await?;
    let http = reqwest::Client::new();
    let campaign: Value = http
        .post(format!("{}/__admin/campaigns", mock.base_url()))
        .json(&json!({"name": "May Newsletter", "subject": "Our May news", "list": list.id.0.to_string()}))
        .send()
        .await?
        .json()
        .await?;
    let id = campaign["id"].as_str().unwrap_or("1");
    for event in [
        json!({"type": "sent"}),
        json!({"type": "open", "email": "ada@example.com"}),
        json!({"type": "click", "email": "ada@example.com", "link_url": "https://example.com/pricing"}),
        json!({"type": "bounce", "email": "ada@example.com", "bounce_type": "soft"}),
        json!({"type": "unsubscribe", "email": "ada@example.com", "reason": "Too many emails"}),
    ] {
        http.post(format!("{}/__admin/campaigns/{id}/events", mock.base_url()))
            .json(&event)
            .send()
            .await?;
    }

    // What Segment receives. (`sent` names no contact here, so it is dropped with a reason:
    // AC's campaign-level "sent" is not a per-person event.)
    println!("Segment received:");
    let mut n = 0;
    while n < 4 {
        match tokio::time::timeout(Duration::from_secs(10), printed.recv()).await {
            Ok(Some(event)) => {
                println!("{}", serde_json::to_string_pretty(&event)?);
                n += 1;
            }
            _ => break,
        }
    }
    println!("{n} email events delivered.");
    let _ = stop.send(());
    serving.await?;
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}
