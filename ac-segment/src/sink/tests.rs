//! The sinks against wiremock and real files.
#![allow(clippy::unwrap_used)]

use super::ndjson::*;
use super::segment::*;
use super::*;
use serde_json::value::RawValue;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "wk_Sup3rS3cret";

fn sink(server: &MockServer) -> SegmentSink {
    SegmentSink::new(server.uri().parse().unwrap(), KEY.to_owned().into()).unwrap()
}

fn entry(seq: u64, bytes: impl Into<Vec<u8>>) -> Entry {
    Entry {
        seq,
        bytes: bytes.into(),
    }
}

/// A small event; the odd spacing and key order must survive byte for byte.
fn small(seq: u64) -> Entry {
    entry(
        seq,
        format!(
            r#"{{"type":"track", "event" : "Email Opened","messageId":"m{seq}","anonymousId":"a@b.co"}}"#
        ),
    )
}

/// An event of exactly `size` bytes.
fn sized(seq: u64, size: usize) -> Entry {
    let head = format!(r#"{{"type":"track","event":"Big","messageId":"m{seq}","pad":""#);
    let pad = size - head.len() - 2;
    entry(seq, format!("{head}{}\"}}", "x".repeat(pad)))
}

fn batch_of(body: &[u8]) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        batch: Vec<&'a RawValue>,
    }
    let env: Envelope<'_> = serde_json::from_slice(body).unwrap();
    env.batch.iter().map(|r| r.get().to_owned()).collect()
}

async fn ok(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/batch"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"success":true}"#))
        .mount(server)
        .await;
}

fn seqs(events: &[Entry]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

fn text(e: &Entry) -> String {
    String::from_utf8(e.bytes.clone()).unwrap()
}

#[tokio::test]
async fn posts_the_events_verbatim_in_a_batch_envelope_with_basic_auth() {
    let server = MockServer::start().await;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"))
    );
    Mock::given(method("POST"))
        .and(path("/v1/batch"))
        .and(header("authorization", expected.as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let events: Vec<Entry> = (1..=3).map(small).collect();
    let d = sink(&server).deliver(&events).await;
    assert_eq!(d, Delivery::all_delivered(&events));
    assert!(d.is_complete() && d.left_over(&events).is_empty());

    let requests = server.received_requests().await.unwrap();
    let body = &requests[0].body;
    assert_eq!(batch_of(body), events.iter().map(text).collect::<Vec<_>>());
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    let sent_at = v["sentAt"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(sent_at).is_ok(),
        "{sent_at}"
    );
    assert_eq!(sent_at.len(), SENT_AT_BYTES);
    // The events are written as they are: the body contains each one's bytes.
    let body = String::from_utf8(body.clone()).unwrap();
    assert!(body.starts_with(r#"{"batch":[{"type":"track", "event" : "Email Opened""#));
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/segment/v1/batch"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let url: Url = format!("{}/segment/", server.uri()).parse().unwrap();
    let s = SegmentSink::new(url, KEY.to_owned().into()).unwrap();
    assert!(s.endpoint().as_str().ends_with("/segment/v1/batch"));
    assert!(s.deliver(&[small(1)]).await.is_complete());
}

#[tokio::test]
async fn more_than_2500_events_go_in_two_requests() {
    let server = MockServer::start().await;
    ok(&server).await;
    let events: Vec<Entry> = (1..=2_600).map(small).collect();
    let d = sink(&server).deliver(&events).await;
    assert_eq!(d.delivered, seqs(&events));
    let requests = server.received_requests().await.unwrap();
    let sizes: Vec<usize> = requests.iter().map(|r| batch_of(&r.body).len()).collect();
    assert_eq!(sizes, vec![2_500, 100]);
}

#[tokio::test]
async fn more_than_500_kb_goes_in_several_requests_each_within_the_limit() {
    let server = MockServer::start().await;
    ok(&server).await;
    let events: Vec<Entry> = (1..=40).map(|i| sized(i, 30 * 1024)).collect();
    let d = sink(&server).deliver(&events).await;
    assert_eq!(d.delivered, seqs(&events));
    let requests = server.received_requests().await.unwrap();
    assert!(requests.len() >= 3, "{} requests", requests.len());
    let mut all = Vec::new();
    for r in &requests {
        assert!(r.body.len() <= MAX_BATCH_BYTES, "{} bytes", r.body.len());
        all.extend(batch_of(&r.body));
    }
    assert_eq!(all, events.iter().map(text).collect::<Vec<_>>());
    // As few as the limit allows: 16 events of 30 KB fit in 500 KB, so 16 + 16 + 8.
    assert_eq!(requests.len(), 3);
}

#[tokio::test]
async fn an_event_over_32_kb_is_rejected_and_the_others_delivered() {
    let server = MockServer::start().await;
    ok(&server).await;
    let events = vec![small(1), sized(2, 40 * 1024), small(3)];
    let d = sink(&server).deliver(&events).await;
    assert_eq!(d.delivered, vec![1, 3]);
    assert_eq!(d.rejected.len(), 1);
    let (seq, reason) = &d.rejected[0];
    assert_eq!(*seq, 2);
    assert!(
        reason.contains("40960") && reason.contains("32768"),
        "{reason}"
    );
    assert!(d.retry.is_none());
    // And an event of exactly 32 KB is fine.
    let d = sink(&server).deliver(&[sized(4, MAX_EVENT_BYTES)]).await;
    assert_eq!(d.delivered, vec![4]);
}

#[tokio::test]
async fn an_event_that_is_not_a_json_object_is_rejected_without_a_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let d = sink(&server)
        .deliver(&[entry(1, "[1]"), entry(2, r#"{"a":1},{"b":2}"#)])
        .await;
    assert!(d.delivered.is_empty() && d.retry.is_none());
    assert_eq!(d.rejected.len(), 2, "{d:?}");
}

#[tokio::test]
async fn a_500_is_retried_later_then_the_events_go() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream broke"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    ok(&server).await;
    let s = sink(&server);
    let events: Vec<Entry> = (1..=2).map(small).collect();
    let d = s.deliver(&events).await;
    assert!(d.delivered.is_empty() && d.rejected.is_empty());
    let retry = d.retry.clone().unwrap();
    assert!(retry.reason.contains("500"), "{}", retry.reason);
    assert!(retry.reason.contains("upstream broke"), "{}", retry.reason);
    assert_eq!(retry.after, None);
    assert_eq!(d.left_over(&events).len(), 2);
    assert_eq!(s.deliver(&events).await, Delivery::all_delivered(&events));
}

#[tokio::test]
async fn a_429_with_retry_after_says_when() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
        .mount(&server)
        .await;
    let d = sink(&server).deliver(&[small(1)]).await;
    let retry = d.retry.unwrap();
    assert_eq!(retry.after, Some(Duration::from_secs(7)));
    assert!(retry.reason.contains("429"), "{}", retry.reason);
}

#[tokio::test]
async fn a_retry_stops_at_the_failing_chunk_and_keeps_what_went_before() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let events: Vec<Entry> = (1..=2_600).map(small).collect();
    let d = sink(&server).deliver(&events).await;
    assert_eq!(d.delivered, (1..=2_500).collect::<Vec<_>>());
    let left: Vec<u64> = d.left_over(&events).iter().map(|e| e.seq).collect();
    assert_eq!(left, (2_501..=2_600).collect::<Vec<_>>());
    assert!(d.retry.unwrap().reason.contains("503"));
}

#[tokio::test]
async fn a_400_isolates_the_bad_event_and_delivers_its_neighbour() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("\"poison\""))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_string(r#"{"code":"invalid_request","message":"event is poison"}"#),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    ok(&server).await;
    let events = vec![
        small(1),
        entry(
            2,
            r#"{"type":"track","event":"poison","anonymousId":"a@b.co"}"#,
        ),
    ];
    let d = sink(&server).deliver(&events).await;
    assert_eq!(d.delivered, vec![1]);
    assert_eq!(d.rejected.len(), 1);
    assert_eq!(d.rejected[0].0, 2);
    let reason = &d.rejected[0].1;
    assert!(
        reason.contains("400") && reason.contains("event is poison"),
        "{reason}"
    );
    assert!(d.retry.is_none());
    // One request for both, then one for each half.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_refused_write_key_is_a_retry_not_a_rejection() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string(format!("bad key {KEY}")))
        .mount(&server)
        .await;
    let d = sink(&server).deliver(&[small(1), small(2)]).await;
    assert!(d.rejected.is_empty() && d.delivered.is_empty());
    assert_eq!(
        d.retry.unwrap().reason,
        "Segment refused the write key (401)"
    );
}

#[tokio::test]
async fn the_write_key_is_in_no_debug_output_and_no_reason() {
    let server = MockServer::start().await;
    // An answer that echoes the key and its encoding back.
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"));
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500).set_body_string(format!("key {KEY} auth {encoded}")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_string(format!(r#"{{"message":"no such key {KEY}"}}"#)),
        )
        .mount(&server)
        .await;
    let s = sink(&server);
    let shown = format!("{s:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains(r#"write_key: "[redacted]""#), "{shown}");
    assert!(shown.contains(&server.uri()), "{shown}");
    let builder = format!(
        "{:?}",
        SegmentSink::builder(server.uri().parse().unwrap(), KEY.to_owned().into())
    );
    assert!(!builder.contains(KEY), "{builder}");

    let first = s.deliver(&[small(1)]).await;
    let second = s.deliver(&[small(1)]).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("http://127.0.0.1:{port}").parse().unwrap();
        SegmentSink::new(url, KEY.to_owned().into())
            .unwrap()
            .deliver(&[small(1)])
            .await
    };
    let mut reasons = Vec::new();
    for d in [&first, &second, &closed] {
        reasons.extend(d.retry.iter().map(|r| r.reason.clone()));
        reasons.extend(d.rejected.iter().map(|(_, r)| r.clone()));
    }
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    for r in &reasons {
        assert!(!r.contains(KEY) && !r.contains(&encoded), "{r}");
    }
    assert!(reasons[0].contains("500") && reasons[0].contains("[redacted]"));
    assert!(reasons[1].contains("400"));
    assert!(
        reasons[2].contains("cannot reach Segment"),
        "{}",
        reasons[2]
    );
}

#[tokio::test]
async fn a_timeout_is_a_retry_naming_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let s = SegmentSink::builder(server.uri().parse().unwrap(), KEY.to_owned().into())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let d = s.deliver(&[small(1)]).await;
    let reason = d.retry.unwrap().reason;
    assert!(reason.contains("did not answer within 0.2s"), "{reason}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_a_retry() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{}/v1/batch", elsewhere.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let d = sink(&server).deliver(&[small(1)]).await;
    assert!(d.delivered.is_empty() && d.rejected.is_empty());
    let reason = d.retry.unwrap().reason;
    assert!(
        reason.contains("307") && reason.contains("not followed"),
        "{reason}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[test]
fn bad_urls_and_an_empty_key_are_refused() {
    let key = || SecretString::from(KEY.to_owned());
    for url in ["ftp://api.segment.io", "https://user:pw@api.segment.io"] {
        let e = SegmentSink::new(url.parse().unwrap(), key()).unwrap_err();
        assert!(matches!(e, SinkError::Url { .. }), "{url}: {e}");
    }
    let e =
        SegmentSink::new(DEFAULT_SEGMENT_URL.parse().unwrap(), String::new().into()).unwrap_err();
    assert!(matches!(e, SinkError::EmptyWriteKey));
    let s = SegmentSink::new(DEFAULT_SEGMENT_URL.parse().unwrap(), key()).unwrap();
    assert_eq!(s.endpoint().as_str(), "https://api.segment.io/v1/batch");
    assert_eq!(s.name(), "segment");
}

#[test]
fn answers_are_classified_by_status() {
    let none = HeaderMap::new();
    let status = |c: u16| StatusCode::from_u16(c).unwrap();
    assert_eq!(classify(status(204), &none, b""), Answer::Accepted);
    for c in [400, 410, 413, 422] {
        assert!(
            matches!(classify(status(c), &none, b""), Answer::Refused(r) if r.contains(&c.to_string()))
        );
    }
    for c in [301, 403, 404, 405, 408, 429, 500, 502, 503, 504] {
        assert!(
            matches!(classify(status(c), &none, b""), Answer::Retry(_)),
            "{c}"
        );
    }
    let long = "é".repeat(500);
    let Answer::Refused(r) = classify(status(400), &none, long.as_bytes()) else {
        panic!("refused")
    };
    assert!(r.chars().count() < 250, "{r}");
}

#[test]
fn retry_after_reads_seconds_and_http_dates() {
    assert_eq!(retry_after("7"), Some(Duration::from_secs(7)));
    assert_eq!(retry_after("soon"), None);
    assert_eq!(
        retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(Duration::ZERO)
    );
    let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
    let got = retry_after(&later).unwrap();
    assert!(
        got > Duration::from_secs(100) && got <= Duration::from_secs(120),
        "{got:?}"
    );
}

fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "ac-segment-sink-{name}-{}.ndjson",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&p);
    p
}

#[tokio::test]
async fn ndjson_appends_lines_in_order_across_deliveries() {
    let path = temp("append");
    let sink = NdjsonSink::open(&path).unwrap();
    assert_eq!(sink.name(), "ndjson");
    assert_eq!(sink.path(), path);
    let first: Vec<Entry> = (1..=3).map(small).collect();
    let second = vec![small(4)];
    assert_eq!(sink.deliver(&first).await, Delivery::all_delivered(&first));
    assert_eq!(
        sink.deliver(&second).await,
        Delivery::all_delivered(&second)
    );
    assert_eq!(sink.deliver(&[]).await, Delivery::default());
    let mut expected = Vec::new();
    for e in first.iter().chain(&second) {
        expected.extend_from_slice(&e.bytes);
        expected.push(b'\n');
    }
    assert_eq!(std::fs::read(&path).unwrap(), expected);
    // Opening again appends too.
    drop(sink);
    let again = NdjsonSink::open(&path).unwrap();
    again.deliver(&[small(5)]).await;
    let lines = std::fs::read_to_string(&path).unwrap();
    assert_eq!(lines.lines().count(), 5);
    assert!(format!("{again:?}").contains("ac-segment-sink-append"));
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn ndjson_keeps_a_pretty_printed_event_on_one_line() {
    let path = temp("pretty");
    let sink = NdjsonSink::open(&path).unwrap();
    sink.deliver(&[entry(1, "{\r\n  \"type\": \"track\"\n}")])
        .await;
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{    \"type\": \"track\" }\n".to_vec()
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn ndjson_open_names_the_path_and_refuses_dash() {
    assert!(matches!(NdjsonSink::open("-"), Err(SinkError::StdoutPath)));
    let missing = std::env::temp_dir().join("ac-segment-no-such-dir/x/out.ndjson");
    let e = NdjsonSink::open(&missing).unwrap_err();
    assert!(e.to_string().contains("ac-segment-no-such-dir"), "{e}");
    assert_eq!(NdjsonSink::stdout().path(), Path::new("-"));
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn ndjson_write_errors_are_retries_naming_the_path() {
    let Ok(sink) = NdjsonSink::open("/dev/full") else {
        return;
    };
    let d = sink.deliver(&[small(1)]).await;
    assert!(d.delivered.is_empty() && d.rejected.is_empty());
    let reason = d.retry.unwrap().reason;
    assert!(reason.starts_with("writing /dev/full: "), "{reason}");
}

#[test]
fn chunks_cut_on_count_and_size_in_order() {
    let small_events: Vec<Entry> = (0..5_001).map(small).collect();
    let refs: Vec<&Entry> = small_events.iter().collect();
    let sizes: Vec<usize> = plan_chunks(&refs).iter().map(|c| c.len()).collect();
    assert_eq!(sizes, vec![2_500, 2_500, 1]);
    let big: Vec<Entry> = (0..3).map(|i| sized(i, MAX_EVENT_BYTES)).collect();
    let refs: Vec<&Entry> = big.iter().collect();
    assert_eq!(plan_chunks(&refs).len(), 1);
    assert!(plan_chunks(&[]).is_empty());
    let body = envelope(&refs, &sent_at());
    assert_eq!(body.len(), ENVELOPE_BYTES + 3 * MAX_EVENT_BYTES + 2);
}
