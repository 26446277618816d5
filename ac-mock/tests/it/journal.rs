//! The request journal is bounded in bytes as well as entries: long URIs are cut, and the
//! oldest entries fall off once the entries hold `MAX_BYTES`.

use crate::common::Mock;
use ac_mock::journal::{MAX_BYTES, TEXT_CAP, TRUNCATED_MARKER};
use ac_mock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const REQUESTS: usize = 20_000;

/// Sends `count` copies of `request` on one connection, pipelined, and checks that each
/// answer is a 404 (raw HTTP/1.1: the client side stays cheap, so the test measures the mock).
async fn pipelined_404s(addr: std::net::SocketAddr, request: Vec<u8>, count: usize) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let writer = async move {
        for _ in 0..count {
            wr.write_all(&request).await.unwrap();
        }
        wr
    };
    let reader = async move {
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut answered = 0;
        while answered < count {
            // Parse every whole answer in the buffer, then read more.
            while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                assert!(head.starts_with("http/1.1 404"), "{head}");
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if buf.len() < end + 4 + length {
                    break;
                }
                buf.drain(..end + 4 + length);
                answered += 1;
            }
            if answered == count {
                break;
            }
            let n = rd.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed after {answered} answers");
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    let (_wr, ()) = tokio::join!(writer, reader);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_16_kb_uris_stay_under_the_byte_bound_and_show_the_cut() {
    let m = Mock::with(MockServer::builder().journal_size(REQUESTS)).await;
    // 8 KB of path and 8 KB of query: a 16 KB URI, answered 404.
    let path = format!("/nothing/{}", "p".repeat(8 * 1024));
    let query = "q=".to_string() + &"v".repeat(8 * 1024 - 2);
    let request = format!("GET {path}?{query} HTTP/1.1\r\nHost: mock\r\n\r\n").into_bytes();
    let connections = 4;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (addr, request) = (m.server.addr(), request.clone());
        tasks.push(tokio::spawn(pipelined_404s(
            addr,
            request,
            REQUESTS / connections,
        )));
    }
    for t in tasks {
        t.await.unwrap();
    }

    let (len, bytes, max) = m
        .server
        .state()
        .with_journal(|j| (j.len(), j.bytes(), j.max_bytes()));
    assert_eq!(max, MAX_BYTES);
    assert!(bytes <= MAX_BYTES, "{bytes} bytes held");
    // Each entry keeps about 2 × 2 KB of text, not 16 KB (uncut, 20,000 would hold 330 MB) ...
    let per_entry = bytes / len;
    assert!(
        per_entry < 2 * TEXT_CAP + 512,
        "{per_entry} bytes per entry"
    );
    // ... and the byte bound, not the entry bound, decided how many stay: the journal is
    // full to within one entry, the oldest fell off.
    assert!(len < REQUESTS, "{len} entries");
    assert!(bytes > MAX_BYTES - per_entry, "{bytes} bytes held");

    let (status, body) = m.admin_get("/requests?limit=1").await;
    assert_eq!(status, 200);
    let e = &body["requests"][0];
    let kept_path = e["path"].as_str().unwrap();
    assert!(kept_path.starts_with("/nothing/ppp"));
    assert!(
        kept_path.ends_with(&format!("{TRUNCATED_MARKER}{} bytes]", path.len())),
        "{}",
        &kept_path[TEXT_CAP - 10..]
    );
    let kept_query = e["query"].as_str().unwrap();
    assert!(
        kept_query.ends_with(&format!("{TRUNCATED_MARKER}{} bytes]", query.len())),
        "{}",
        &kept_query[TEXT_CAP - 10..]
    );
    assert_eq!(e["status"], 404);
}

#[tokio::test]
async fn short_uris_are_kept_whole() {
    let m = Mock::start().await;
    m.get("/contacts?email=ada@example.com").await;
    let (_, body) = m.admin_get("/requests?limit=1").await;
    assert_eq!(body["requests"][0]["path"], "/api/3/contacts");
    assert_eq!(body["requests"][0]["query"], "email=ada@example.com");
}
