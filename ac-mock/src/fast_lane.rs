//! The fast lane: AC's two busiest calls answered straight from the socket.
//!
//! `GET /api/3/contacts/{id}` and `POST /api/3/contact/sync` are most of what test suites and
//! load tests send, and for them hyper's and axum's general machinery (header and extension
//! maps, boxed futures, the middleware stack) costs more than the answer itself. So every
//! connection is read here first. A request the lane recognises, all of
//!
//! - exactly `GET /api/3/contacts/{digits}` or `POST /api/3/contact/sync`, no query;
//! - HTTP/1.1, no `Transfer-Encoding`, `Expect` or `Upgrade`, no `Connection` other than
//!   `keep-alive`, a `Content-Length` body within the body limit (none on the GET);
//! - an `Api-Token` that names an account;
//! - no fault rule and no per-second rate limit in force,
//!
//! is answered by the routes' own code ([`contacts::retrieve_answer`],
//! [`contacts::sync_answer`]), recorded by the front layer's [`middleware::record`], and
//! written the way hyper writes it (same status line, headers, `content-length` and cached
//! `date`). Anything else goes to hyper and axum, which then own the connection: the bytes
//! the lane has read are replayed to them first ([`Handed`]), so nothing is lost or answered
//! differently. [`Options::fast_lane`](crate::server::Options::fast_lane) turns the lane off.
//!
//! On shutdown a lane connection closes after the answer it is writing, or at once when it is
//! waiting for a request, as hyper's graceful shutdown does; a request whose head has arrived
//! is answered first.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::serve::Listener;
use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

use crate::middleware;
use crate::routes::contacts;
use crate::server::{AccountId, AppState};

/// Largest request head the lane waits for before handing the connection over.
const MAX_HEAD: usize = 16 * 1024;
/// Most headers a request may have to stay in the lane.
const MAX_HEADERS: usize = 32;
/// The contact GET's path, before the id.
const CONTACTS: &str = "/api/3/contacts/";
/// The sync's path.
const SYNC: &str = "/api/3/contact/sync";

/// A connection for hyper: the bytes the lane already read, then the socket.
#[derive(Debug)]
pub struct Handed {
    replay: Bytes,
    stream: TcpStream,
}

impl AsyncRead for Handed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.replay.is_empty() {
            let n = self.replay.len().min(buf.remaining());
            buf.put_slice(&self.replay[..n]);
            self.replay.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Handed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The listener `axum::serve` runs on: accepts TCP connections, runs the lane on each (when
/// on), and yields to axum the connections the lane hands over.
pub struct LaneListener {
    tcp: TcpListener,
    state: AppState,
    handed_tx: mpsc::UnboundedSender<(Handed, SocketAddr)>,
    handed_rx: mpsc::UnboundedReceiver<(Handed, SocketAddr)>,
    stop: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
}

impl LaneListener {
    /// Wraps `tcp`. Lane connections close once `stop` turns true (or its sender is gone);
    /// each holds a clone of `alive`, so the receiver's `recv()` answers `None` once the
    /// listener and every lane connection are gone.
    pub fn new(
        tcp: TcpListener,
        state: AppState,
        stop: watch::Receiver<bool>,
        alive: mpsc::Sender<()>,
    ) -> Self {
        let (handed_tx, handed_rx) = mpsc::unbounded_channel();
        Self {
            tcp,
            state,
            handed_tx,
            handed_rx,
            stop,
            alive,
        }
    }
}

impl Listener for LaneListener {
    type Io = Handed;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Handed, SocketAddr) {
        loop {
            tokio::select! {
                biased;
                Some(handed) = self.handed_rx.recv() => return handed,
                (stream, addr) = Listener::accept(&mut self.tcp) => {
                    // Small answers leave at once: without TCP_NODELAY the kernel may hold a
                    // response back while it waits for the client's ACK of the previous one.
                    let _ = stream.set_nodelay(true);
                    if !self.state.options().fast_lane {
                        return (Handed { replay: Bytes::new(), stream }, addr);
                    }
                    tokio::spawn(serve_connection(
                        self.state.clone(),
                        stream,
                        addr,
                        self.handed_tx.clone(),
                        self.stop.clone(),
                        self.alive.clone(),
                    ));
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// One connection in the lane: answers the requests it recognises, in order, until the
/// client leaves, the server stops, or a request is not for the lane (then hands over).
async fn serve_connection(
    state: AppState,
    mut stream: TcpStream,
    addr: SocketAddr,
    handed: mpsc::UnboundedSender<(Handed, SocketAddr)>,
    mut stop: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
) {
    let mut buf = BytesMut::with_capacity(8 * 1024);
    let (mut body, mut out) = (Vec::with_capacity(4 * 1024), Vec::with_capacity(4 * 1024));
    loop {
        let step = if buf.is_empty() {
            Step::NeedHead
        } else {
            read_request(&state, &buf)
        };
        match step {
            Step::Answer(req) => {
                let input = &buf[req.body.0..req.body.1];
                answer(&state, &req, input, &mut body, &mut out).await;
                // Once the server stops, the answer in hand is the connection's last (as
                // hyper's graceful shutdown ends keep-alive), even with requests pipelined.
                if stream.write_all(&out).await.is_err() || *stop.borrow() {
                    return;
                }
                buf.advance(req.body.1);
            }
            Step::Decline => {
                // After a stop, axum accepts no more: the connection just closes.
                let _ = handed.send((
                    Handed {
                        replay: buf.freeze(),
                        stream,
                    },
                    addr,
                ));
                return;
            }
            Step::NeedHead | Step::NeedBody => {
                buf.reserve(4 * 1024);
                let read = if matches!(step, Step::NeedBody) {
                    stream.read_buf(&mut buf).await
                } else {
                    tokio::select! {
                        biased;
                        _ = stop.wait_for(|stopped| *stopped) => return,
                        read = stream.read_buf(&mut buf) => read,
                    }
                };
                if !matches!(read, Ok(n) if n > 0) {
                    return;
                }
            }
        }
    }
}

/// What the lane does with the bytes it has.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// The head is not complete yet.
    NeedHead,
    /// The head is a lane request; its body is not complete yet.
    NeedBody,
    /// Not for the lane: hand the connection to hyper.
    Decline,
    /// A complete lane request.
    Answer(LaneRequest),
}

/// The two routes of the lane.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    /// `GET /api/3/contacts/{id}`, with the path.
    Contact(String),
    /// `POST /api/3/contact/sync`.
    Sync,
}

/// A complete lane request at the start of the buffer.
#[derive(Debug, PartialEq, Eq)]
struct LaneRequest {
    route: Route,
    account: AccountId,
    /// Where the body starts and the request ends in the buffer.
    body: (usize, usize),
}

/// Reads the request at the start of `buf` (see the module doc for what the lane takes).
fn read_request(state: &AppState, buf: &[u8]) -> Step {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let head_len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => return Step::NeedHead,
        _ => return Step::Decline,
    };
    if req.version != Some(1) {
        return Step::Decline;
    }
    let route = match (req.method, req.path) {
        (Some("GET"), Some(target)) => match target.strip_prefix(CONTACTS) {
            Some(id) if (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) => {
                Route::Contact(target.to_owned())
            }
            _ => return Step::Decline,
        },
        (Some("POST"), Some(SYNC)) => Route::Sync,
        _ => return Step::Decline,
    };
    let mut token = None;
    let mut length = None;
    for h in req.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("api-token") {
            token = token.or(Some(h.value));
        } else if name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<usize>().ok());
            match (length, n) {
                (None, Some(n)) => length = Some(n),
                _ => return Step::Decline,
            }
        } else if name.eq_ignore_ascii_case("connection") {
            if !h.value.trim_ascii().eq_ignore_ascii_case(b"keep-alive") {
                return Step::Decline;
            }
        } else if ["transfer-encoding", "expect", "upgrade"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            return Step::Decline;
        }
    }
    let length = match (&route, length) {
        (Route::Contact(_), None | Some(0)) => 0,
        (Route::Sync, Some(n)) if n <= state.options().max_body_bytes => n,
        _ => return Step::Decline,
    };
    // The front layer's account lookup: a header value hyper would not read as text, or a
    // token naming no account, is left to the routes (their 403).
    let Some(account) = token
        .filter(|v| v.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)))
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| state.account_by_token(v.trim()))
    else {
        return Step::Decline;
    };
    if state.limits().per_second().is_some() || !state.with_faults(|f| f.is_empty()) {
        return Step::Decline;
    }
    if buf.len() < head_len + length {
        return Step::NeedBody;
    }
    Step::Answer(LaneRequest {
        route,
        account,
        body: (head_len, head_len + length),
    })
}

/// Answers a lane request into `out` (the whole HTTP response; `body` is scratch space) and
/// journals it.
async fn answer(
    state: &AppState,
    req: &LaneRequest,
    input: &[u8],
    body: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    body.clear();
    let (method, path, result) = match &req.route {
        Route::Contact(path) => (
            "GET",
            path.as_str(),
            contacts::retrieve_into(state, req.account, &path[CONTACTS.len()..], body),
        ),
        Route::Sync => (
            "POST",
            SYNC,
            contacts::sync_into(state, req.account, input, body),
        ),
    };
    let status = match result {
        // As `reply_bytes` renders it.
        Ok(status) => {
            let json: &[(&[u8], &[u8])] = &[(b"content-type", b"application/json")];
            write_response(out, status, json.iter().copied(), body);
            status
        }
        // Errors are rare: the routes' own response, through the front layer's JSON check.
        Err(e) => {
            let res = middleware::json_errors(e.into_response()).await;
            let (parts, res_body) = res.into_parts();
            let res_body = axum::body::to_bytes(res_body, usize::MAX)
                .await
                .unwrap_or_default();
            let headers = parts
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
            write_response(out, parts.status, headers, &res_body);
            parts.status
        }
    };
    state.count_lane_answer();
    middleware::record(
        state,
        method,
        path,
        None,
        status.as_u16(),
        Some(req.account),
    );
}

/// An HTTP/1.1 response as hyper writes it: status line, the headers in order, then
/// `content-length` and `date` unless the headers have them, then the body.
fn write_response<'a>(
    out: &mut Vec<u8>,
    status: StatusCode,
    headers: impl Iterator<Item = (&'a [u8], &'a [u8])>,
    body: &[u8],
) {
    out.clear();
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(
        status
            .canonical_reason()
            .unwrap_or("<unknown status code>")
            .as_bytes(),
    );
    out.extend_from_slice(b"\r\n");
    let (mut has_length, mut has_date) = (false, false);
    for (name, value) in headers {
        has_length |= name == b"content-length";
        has_date |= name == b"date";
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if !has_length {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(itoa::Buffer::new().format(body.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !has_date {
        out.extend_from_slice(b"date: ");
        push_date(out);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

/// Appends the current HTTP date, rendered once per second per thread (as hyper caches it).
fn push_date(out: &mut Vec<u8>) {
    thread_local! {
        static DATE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let now = SystemTime::now();
    let secs = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    DATE.with_borrow_mut(|(at, text)| {
        if *at != secs {
            *at = secs;
            *text = httpdate::fmt_http_date(now);
        }
        out.extend_from_slice(text.as_bytes());
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Options;

    fn state() -> AppState {
        AppState::new(Options::default(), "http://127.0.0.1:1")
    }

    fn token() -> String {
        Options::default().api_token
    }

    #[test]
    fn takes_a_contact_get_and_a_sync_with_its_whole_body() {
        let st = state();
        let get = format!(
            "GET /api/3/contacts/12 HTTP/1.1\r\nHost: x\r\nApi-Token: {}\r\n\r\n",
            token()
        );
        let Step::Answer(req) = read_request(&st, get.as_bytes()) else {
            panic!("GET not taken");
        };
        assert_eq!(req.route, Route::Contact("/api/3/contacts/12".into()));
        assert_eq!(req.body, (get.len(), get.len()));

        let head = format!(
            "POST /api/3/contact/sync HTTP/1.1\r\nApi-Token: {}\r\nConnection: Keep-Alive\r\nContent-Length: 10\r\n\r\n",
            token()
        );
        let partial = format!("{head}{{\"c\":");
        assert_eq!(read_request(&st, partial.as_bytes()), Step::NeedBody);
        // A pipelined request after the body is not part of it.
        let full = format!("{head}{{\"c\":\"ab\"}}GET /next");
        let Step::Answer(req) = read_request(&st, full.as_bytes()) else {
            panic!("sync not taken");
        };
        assert_eq!(req.route, Route::Sync);
        assert_eq!(&full[req.body.0..req.body.1], r#"{"c":"ab"}"#);
        assert_eq!(read_request(&st, b"GET /api/3/conta"), Step::NeedHead);
    }

    #[test]
    fn leaves_everything_else_to_hyper() {
        let st = state();
        let t = token();
        let declined = [
            format!("GET /api/3/contacts/12?include=x HTTP/1.1\r\nApi-Token: {t}\r\n\r\n"),
            format!("GET /api/3/contacts/%31 HTTP/1.1\r\nApi-Token: {t}\r\n\r\n"),
            format!("GET /api/3/contacts/12/ HTTP/1.1\r\nApi-Token: {t}\r\n\r\n"),
            format!("GET /api/3/contacts/ HTTP/1.1\r\nApi-Token: {t}\r\n\r\n"),
            format!("GET /api/3/contacts/12 HTTP/1.0\r\nApi-Token: {t}\r\n\r\n"),
            format!("HEAD /api/3/contacts/12 HTTP/1.1\r\nApi-Token: {t}\r\n\r\n"),
            format!("GET /api/3/tags HTTP/1.1\r\nApi-Token: {t}\r\n\r\n"),
            "GET /api/3/contacts/12 HTTP/1.1\r\n\r\n".to_string(),
            "GET /api/3/contacts/12 HTTP/1.1\r\nApi-Token: nope\r\n\r\n".to_string(),
            format!("GET /api/3/contacts/12 HTTP/1.1\r\nApi-Token: {t}\r\nContent-Length: 2\r\n\r\n{{}}"),
            format!("GET /api/3/contacts/12 HTTP/1.1\r\nApi-Token: {t}\r\nConnection: close\r\n\r\n"),
            format!("POST /api/3/contact/sync HTTP/1.1\r\nApi-Token: {t}\r\n\r\n"),
            format!("POST /api/3/contact/sync HTTP/1.1\r\nApi-Token: {t}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            format!("POST /api/3/contact/sync HTTP/1.1\r\nApi-Token: {t}\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"),
            format!("POST /api/3/contact/sync HTTP/1.1\r\nApi-Token: {t}\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{{}}"),
            format!("POST /api/3/contact/sync HTTP/1.1\r\nApi-Token: {t}\r\nContent-Length: +2\r\n\r\n{{}}"),
            format!("POST /api/3/contact/sync HTTP/1.1\r\nApi-Token: {t}\r\nContent-Length: 99999999\r\n\r\n"),
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_string(),
            "not http at all\r\n\r\n".to_string(),
        ];
        for raw in &declined {
            assert_eq!(read_request(&st, raw.as_bytes()), Step::Decline, "{raw:?}");
        }
        let huge = format!(
            "GET /api/3/contacts/1 HTTP/1.1\r\nX: {}",
            "a".repeat(MAX_HEAD)
        );
        assert_eq!(read_request(&st, huge.as_bytes()), Step::Decline);
    }

    #[test]
    fn steps_aside_while_faults_or_a_rate_limit_are_in_force() {
        let get = format!(
            "GET /api/3/contacts/1 HTTP/1.1\r\nApi-Token: {}\r\n\r\n",
            token()
        );
        let limited = AppState::new(
            Options {
                rate_limit: Some(5),
                ..Options::default()
            },
            "http://127.0.0.1:1",
        );
        assert_eq!(read_request(&limited, get.as_bytes()), Step::Decline);
        let faulted = state();
        let rule: crate::faults::FaultRule =
            serde_json::from_str(r#"{"path":"/api/3/tags","status":500}"#).expect("a rule");
        faulted.with_faults(|f| f.add(rule)).expect("added");
        assert_eq!(read_request(&faulted, get.as_bytes()), Step::Decline);
    }
}
