//! The fast lane answers exactly as the general stack does: the same requests, sent over raw
//! keep-alive connections to a server with the lane and one without, get the same bytes back
//! (dates and timestamps aside) and leave the same journal.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use ac_mock::MockServer;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One keep-alive connection that reads whole responses (head + `Content-Length` body).
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(server: &MockServer) -> Self {
        let stream = TcpStream::connect(server.addr()).await.unwrap();
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, raw: &[u8]) {
        self.stream.write_all(raw).await.unwrap();
    }

    async fn response(&mut self) -> Vec<u8> {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if self.buf.len() >= end + 4 + len {
                    return self.buf.drain(..end + 4 + len).collect();
                }
            }
            let mut chunk = [0u8; 8192];
            let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut chunk))
                .await
                .expect("a response within 10 s")
                .unwrap();
            assert!(
                n > 0,
                "connection closed; had {:?}",
                String::from_utf8_lossy(&self.buf)
            );
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// The response with what must differ between two servers masked, lengths unchanged: the
/// `date` header and every `YYYY-MM-DD?HH:MM:SS` timestamp (they may answer in different
/// seconds), the base URL in links (their ports), contact hashes (random).
fn masked(raw: &[u8], server: &MockServer) -> String {
    let mut text = String::from_utf8(raw.to_vec()).unwrap();
    let base = server.base_url();
    text = text.replace(base, &"B".repeat(base.len()));
    let mut from = 0;
    while let Some(at) = text[from..].find(r#""hash":""#) {
        let start = from + at + r#""hash":""#.len();
        text.replace_range(start..start + 32, &"h".repeat(32));
        from = start;
    }
    if let Some(at) = text.find("\r\ndate: ") {
        let start = at + "\r\ndate: ".len();
        text.replace_range(start..start + 29, &"D".repeat(29));
    }
    let shape = b"dddd-dd-dd?dd:dd:dd";
    let mut bytes = text.into_bytes();
    let mut i = 0;
    while i + shape.len() <= bytes.len() {
        let fits = shape.iter().zip(&bytes[i..]).all(|(s, b)| match s {
            b'd' => b.is_ascii_digit(),
            b'?' => *b == b'T' || *b == b' ',
            _ => s == b,
        });
        if fits {
            for b in &mut bytes[i..i + shape.len()] {
                if b.is_ascii_digit() {
                    *b = b'0';
                }
            }
            i += shape.len();
        } else {
            i += 1;
        }
    }
    String::from_utf8(bytes).unwrap()
}

fn get(path: &str, token: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nApi-Token: {token}\r\n\r\n").into_bytes()
}

fn post(path: &str, token: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nApi-Token: {token}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn journal(server: &MockServer) -> Vec<Value> {
    let url = format!("{}/__admin/requests?limit=1000", server.base_url());
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("at");
            e
        })
        .collect()
}

#[tokio::test]
async fn lane_and_general_stack_answer_byte_for_byte_alike() {
    let lane = MockServer::builder().start().await.unwrap();
    let general = MockServer::builder()
        .fast_lane(false)
        .start()
        .await
        .unwrap();
    let t = lane.api_token().to_string();
    let sync = "/api/3/contact/sync";
    let big = format!(
        r#"{{"contact":{{"email":"big@example.com","firstName":"{}"}}}}"#,
        "x".repeat(20_000)
    );
    let lane_requests = [
        post(
            sync,
            &t,
            "",
            r#"{"contact":{"email":"ann@example.com","firstName":"Ann"}}"#,
        ),
        post(
            sync,
            &t,
            "Content-Type: application/json\r\n",
            r#"{"contact":{"email":"ann@example.com","lastName":"Lee","phone":null}}"#,
        ),
        get("/api/3/contacts/1", &t),
        get("/api/3/contacts/001", &t),
        get("/api/3/contacts/2", &t),
        get("/api/3/contacts/0", &t),
        post(
            sync,
            &t,
            "",
            r#"{"contact":{"email":"bob@example.com","fieldValues":[{"field":"1","value":"x"}]}}"#,
        ),
        post(
            sync,
            &t,
            "",
            r#"{"contact":{"email":"cy@example.com","orgid":7}}"#,
        ),
        post(sync, &t, "", r#"{"contact":{"firstName":"No Email"}}"#),
        post(sync, &t, "", r#"{"contact":{"email":"not-an-email"}}"#),
        post(sync, &t, "", r#"{"contact":{"email":1}}"#),
        post(sync, &t, "", "{\"contact\":"),
        post(sync, &t, "", ""),
        post(sync, &t, "", "[]"),
        post(
            sync,
            &t,
            "Connection: keep-alive\r\n",
            r#"{"contact":{"email":"Ann@Example.com"}}"#,
        ),
        post(sync, &t, "", &big),
        get("/api/3/contacts/3", &t),
    ];
    let general_requests = [
        get("/api/3/contacts/99999999999999999999", &t),
        get("/api/3/contacts/1", "wrong-token"),
        get("/api/3/contacts/1?include=contactLists", &t),
        get("/api/3/tags", &t),
    ];
    // Connections, each a list of pieces written once the previous piece's answers are
    // read; the requests in one piece are pipelined.
    let mut connections: Vec<Vec<(Vec<u8>, usize)>> = lane_requests
        .iter()
        .chain(&general_requests)
        .map(|raw| vec![(raw.clone(), 1)])
        .collect();
    // Off the lane and back, on one connection: the general stack keeps it from then on.
    connections.push(vec![
        (get("/api/3/contacts/1", &t), 1),
        (get("/api/3/tags", &t), 1),
        (get("/api/3/contacts/1", &t), 1),
    ]);
    // Pipelined, with the hand-over in the middle of what the lane has read.
    connections.push(vec![(
        [
            get("/api/3/contacts/1", &t),
            post(sync, &t, "", r#"{"contact":{"email":"dee@example.com"}}"#),
            get("/api/3/tags", &t),
            get("/api/3/contacts/4", &t),
        ]
        .concat(),
        4,
    )]);
    for pieces in &connections {
        let (mut a, mut b) = (Conn::open(&lane).await, Conn::open(&general).await);
        for (raw, answers) in pieces {
            a.send(raw).await;
            b.send(raw).await;
            for n in 0..*answers {
                let (from_lane, from_general) = (a.response().await, b.response().await);
                assert_eq!(
                    masked(&from_lane, &lane),
                    masked(&from_general, &general),
                    "answer {n} to {:?}",
                    String::from_utf8_lossy(&raw[..raw.len().min(200)])
                );
            }
        }
    }
    // The lane took what it should, and only that: its requests, the first of the mixed
    // connection, the first two pipelined ones.
    assert_eq!(
        lane.state().lane_answers(),
        lane_requests.len() as u64 + 1 + 2
    );
    assert_eq!(general.state().lane_answers(), 0);
    assert_eq!(journal(&lane).await, journal(&general).await);
}

#[tokio::test]
async fn lane_answers_arrive_whole_when_requests_come_byte_by_byte() {
    let m = MockServer::builder().start().await.unwrap();
    let t = m.api_token().to_string();
    let mut c = Conn::open(&m).await;
    let raw = post(
        "/api/3/contact/sync",
        &t,
        "",
        r#"{"contact":{"email":"slow@example.com"}}"#,
    );
    for byte in &raw {
        c.send(std::slice::from_ref(byte)).await;
        tokio::task::yield_now().await;
    }
    let res = String::from_utf8(c.response().await).unwrap();
    assert!(res.starts_with("HTTP/1.1 201 Created\r\n"), "{res}");
    assert!(res.contains(r#""email":"slow@example.com""#), "{res}");
    c.send(&get("/api/3/contacts/1", &t)).await;
    let res = String::from_utf8(c.response().await).unwrap();
    assert!(res.starts_with("HTTP/1.1 200 OK\r\n"), "{res}");
    assert_eq!(m.state().lane_answers(), 2);
}

#[tokio::test]
async fn shutdown_closes_idle_lane_connections_and_keeps_the_state() {
    let dir = std::env::temp_dir().join(format!("ac-mock-lane-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let m = MockServer::builder()
        .state_file(&file)
        .start()
        .await
        .unwrap();
    let t = m.api_token().to_string();
    let mut c = Conn::open(&m).await;
    c.send(&post(
        "/api/3/contact/sync",
        &t,
        "",
        r#"{"contact":{"email":"kept@example.com"}}"#,
    ))
    .await;
    assert!(String::from_utf8(c.response().await)
        .unwrap()
        .starts_with("HTTP/1.1 201"));
    assert_eq!(m.state().lane_answers(), 1);
    // The connection stays open and idle in the lane; shutdown must not wait for the client.
    tokio::time::timeout(Duration::from_secs(10), m.shutdown())
        .await
        .expect("shutdown within 10 s")
        .unwrap();
    let mut rest = Vec::new();
    let n = c.stream.read_to_end(&mut rest).await.unwrap();
    assert_eq!(n, 0, "the idle connection is closed without an answer");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("kept@example.com"), "{saved}");
    std::fs::remove_dir_all(&dir).unwrap();
}
