//! Load benchmark for ac-mock against WireMock and Prism (run in release mode):
//!
//! ```sh
//! cargo bench -p ac-mock --bench load                 # the table (ac-mock, WireMock, Prism)
//! cargo bench -p ac-mock --bench load -- --rss        # RSS before/after 1,000,000 requests
//! cargo bench -p ac-mock --bench load -- --secs 2 --rounds 1 --only ac-mock   # a quick look
//! cargo bench -p ac-mock --bench load -- --route sync --conns 64     # routes: get,sync,health
//! cargo bench -p ac-mock --bench load -- --only ac-mock --baseline OLD_BINARY   # before/after
//! cargo bench -p ac-mock --bench load -- --filters    # every GET /contacts filter, 10k vs 100k
//! ```
//!
//! The servers are separate processes running side by side: the release `ac-mock` binary,
//! `wiremock --no-request-journal` and `prism mock` from `target/bench-tools` (installed there
//! with npm when missing; a competitor that cannot be installed or started is skipped with a
//! note). Each is warmed up for 15 s (JIT compilers; `--warmup`), then every cell (route × connections) is measured
//! once per round for each server in turn (`--rounds`, default 3), so a slowdown of the shared
//! machine hits all servers alike; the tables give medians over the rounds and the ratios of
//! each round. A cell runs N keep-alive HTTP/1.1 connections on loopback for a fixed time
//! (after a one-second warm-up) with a minimal raw client, records every latency, and reads
//! the CPU time the server's process tree and the client used. Not part of `cargo test`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `--filters`: the contact filters at two account sizes (`load/filters.rs`).
#[path = "load/filters.rs"]
mod filters;

const TOKEN: &str = "ac-mock-token";
/// Tags created in ac-mock before its answers are captured: `GET /api/3/tags` then renders a
/// full default page (AC's 20) with `meta.total`.
const SEEDED_TAGS: usize = 20;
const SYNC_BODY: &str =
    r#"{"contact":{"email":"bench@example.com","firstName":"Bench","lastName":"Mark"}}"#;

struct Proc {
    child: Child,
    name: &'static str,
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Stop the process we started and the processes it started (node → java), each by
        // its own id, children first.
        let root = self.child.id();
        let mut pids = descendants(root);
        pids.reverse();
        eprintln!("stopping {} (pid {root}, children {pids:?})", self.name);
        for pid in &pids {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(300));
        for pid in &pids {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Every descendant of `pid` (from /proc), parents before children.
fn descendants(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for c in children
                .split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok())
            {
                out.push(c);
                queue.push(c);
            }
        }
    }
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether servers run on CPU 0 and this generator on CPU 1 (see [`pin_self`]).
static PINNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A command that starts a server under test: on CPU 0 (through `taskset`, util-linux) when
/// pinning is on, so that every server gets the same one core and the generator the other.
fn server_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    if PINNED.load(std::sync::atomic::Ordering::Relaxed) {
        let mut cmd = Command::new("taskset");
        cmd.args(["-c", "0"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// Moves every thread of this process to CPU 1 (new threads inherit it); servers then go to
/// CPU 0. Off when the machine has fewer than two CPUs or `taskset` is missing.
fn pin_self() -> Result<(), String> {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    if cpus < 2 {
        return Err(format!("{cpus} CPU available"));
    }
    let status = Command::new("taskset")
        .args(["-a", "-p", "-c", "1"])
        .arg(std::process::id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("taskset not runnable: {e}"))?;
    if !status.success() {
        return Err(format!("taskset failed: {status}"));
    }
    PINNED.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

fn spawn_group(cmd: &mut Command) -> std::io::Result<Child> {
    cmd.spawn()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    GetContact,
    SyncContact,
    /// `GET /api/3/tags`: a page of the account's tags (the bench seeds [`SEEDED_TAGS`]).
    ListTags,
    /// `GET /__admin/health` (`--route health` only): the cost of the HTTP stack and the
    /// front layer with almost no handler work, for comparison.
    Health,
}

impl Route {
    fn label(self) -> &'static str {
        match self {
            Route::GetContact => "GET /api/3/contacts/{id}",
            Route::SyncContact => "POST /api/3/contact/sync",
            Route::ListTags => "GET /api/3/tags",
            Route::Health => "GET /__admin/health",
        }
    }

    fn request(self, addr: SocketAddr) -> Vec<u8> {
        match self {
            Route::Health => format!(
                "GET /__admin/health HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n"
            )
            .into_bytes(),
            Route::GetContact => format!(
                "GET /api/3/contacts/1 HTTP/1.1\r\nHost: {addr}\r\nApi-Token: {TOKEN}\r\nAccept: application/json\r\n\r\n"
            )
            .into_bytes(),
            Route::ListTags => format!(
                "GET /api/3/tags HTTP/1.1\r\nHost: {addr}\r\nApi-Token: {TOKEN}\r\nAccept: application/json\r\n\r\n"
            )
            .into_bytes(),
            Route::SyncContact => format!(
                "POST /api/3/contact/sync HTTP/1.1\r\nHost: {addr}\r\nApi-Token: {TOKEN}\r\nAccept: application/json\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{SYNC_BODY}",
                SYNC_BODY.len()
            )
            .into_bytes(),
        }
    }
}

/// Reads one HTTP/1.1 response (Content-Length or chunked) into `buf`, then removes it from
/// `buf`; returns the status. Reads straight into `buf`'s spare capacity and parses the head
/// in place, so the generator spends as little CPU per response as it can: it shares the
/// machine's cores with the server under test.
async fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    let mut scanned: usize = 0;
    loop {
        if let Some(end) = find(&buf[scanned.saturating_sub(3)..], b"\r\n\r\n")
            .map(|i| i + scanned.saturating_sub(3))
        {
            let head = &buf[..end];
            let status = head
                .get(9..12)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| d.parse().ok())
                .unwrap_or(0);
            let body_start = end + 4;
            let mut content_length = None;
            let mut chunked = false;
            for line in head.split(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let Some(colon) = line.iter().position(|&b| b == b':') else {
                    continue;
                };
                let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
                if name.eq_ignore_ascii_case(b"content-length") {
                    content_length = std::str::from_utf8(value)
                        .ok()
                        .and_then(|v| v.parse::<usize>().ok());
                } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case(b"chunked");
                }
            }
            if let Some(len) = content_length {
                buf.reserve((body_start + len).saturating_sub(buf.len()));
                while buf.len() < body_start + len {
                    if s.read_buf(buf).await? == 0 {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                }
                buf.drain(..body_start + len);
                return Ok(status);
            }
            if chunked {
                loop {
                    if let Some(pos) = find(&buf[body_start..], b"0\r\n\r\n") {
                        let at = body_start + pos;
                        if at == body_start || buf[at - 2..at] == *b"\r\n" {
                            buf.drain(..at + 5);
                            return Ok(status);
                        }
                    }
                    buf.reserve(16384);
                    if s.read_buf(buf).await? == 0 {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                }
            }
            buf.drain(..body_start);
            return Ok(status);
        }
        scanned = buf.len();
        buf.reserve(16384);
        if s.read_buf(buf).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// (user, system) CPU ticks of `pid` and all its descendants (node → java for WireMock).
fn tree_cpu_ticks(pid: u32) -> (u64, u64) {
    std::iter::once(pid)
        .chain(descendants(pid))
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).ok())
        .map(|stat| stat_cpu_ticks(&stat))
        .fold((0, 0), |(u, s), (du, ds)| (u + du, s + ds))
}

/// User + system CPU ticks of this process (every thread).
fn self_cpu_ticks() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .map(|s| {
            let (u, k) = stat_cpu_ticks(&s);
            u + k
        })
        .unwrap_or(0)
}

/// Fields 14 and 15 (utime, stime) of a `/proc/PID/stat` line; the command name (field 2)
/// may contain spaces, so fields are counted after its closing parenthesis.
fn stat_cpu_ticks(stat: &str) -> (u64, u64) {
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // `rest` starts at field 3 (state): utime is field 14, stime field 15.
    (field(11), field(12))
}

/// Clock ticks per second for `/proc` CPU times (`getconf CLK_TCK`; 100 on Linux).
/// Asked once per run.
fn clock_ticks_per_sec() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

struct CellResult {
    rps: f64,
    /// CPU time (user + system) of the server's process tree per measured request, in µs.
    server_cpu_us: Option<f64>,
    /// The part of `server_cpu_us` spent in the kernel (system time).
    server_sys_us: Option<f64>,
    /// CPU time of this load generator per measured request, in µs.
    client_cpu_us: Option<f64>,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    non_2xx: u64,
}

/// `conns` connections for `secs` seconds (after a 1 s warm-up), or until `max_requests`.
async fn run_cell(
    addr: SocketAddr,
    route: Route,
    conns: usize,
    secs: f64,
    max_requests: Option<u64>,
    server_pid: Option<u32>,
) -> CellResult {
    let req = route.request(addr);
    let warm_until = Instant::now() + Duration::from_secs(1);
    let per_conn_cap = max_requests.map(|m| m.div_ceil(conns as u64));
    let end_at = warm_until + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let req = req.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat: Vec<u32> = Vec::with_capacity(1 << 16);
            let (mut errors, mut non_2xx, mut done) = (0u64, 0u64, 0u64);
            let mut conn: Option<TcpStream> = None;
            let mut buf = Vec::with_capacity(16384);
            let mut measured_from = None;
            loop {
                let now = Instant::now();
                if max_requests.is_none() && now >= end_at {
                    break;
                }
                if per_conn_cap.is_some_and(|c| done >= c) {
                    break;
                }
                if conn.is_none() {
                    match TcpStream::connect(addr).await {
                        Ok(s) => {
                            let _ = s.set_nodelay(true);
                            conn = Some(s);
                            buf.clear();
                        }
                        Err(_) => {
                            errors += 1;
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let s = conn.as_mut().unwrap();
                let t = Instant::now();
                let ok = async {
                    s.write_all(&req).await?;
                    read_response(s, &mut buf).await
                }
                .await;
                let elapsed = t.elapsed();
                match ok {
                    Ok(status) => {
                        if max_requests.is_some() || t >= warm_until {
                            measured_from.get_or_insert(t);
                            lat.push(elapsed.as_micros().min(u32::MAX as u128) as u32);
                            if !(200..300).contains(&status) {
                                non_2xx += 1;
                            }
                        }
                        done += 1;
                    }
                    Err(_) => {
                        errors += 1;
                        conn = None;
                    }
                }
            }
            (lat, errors, non_2xx, measured_from)
        }));
    }
    // CPU used by the server and by this generator over the measured window.
    let cpu_at_start = if max_requests.is_none() {
        tokio::time::sleep_until(warm_until.into()).await;
        Some((server_pid.map(tree_cpu_ticks), self_cpu_ticks()))
    } else {
        None
    };
    let mut all = Vec::new();
    let (mut errors, mut non_2xx) = (0, 0);
    let mut first: Option<Instant> = None;
    for t in tasks {
        let (lat, e, n, from) = t.await.unwrap();
        all.extend(lat);
        errors += e;
        non_2xx += n;
        if let Some(f) = from {
            first = Some(first.map_or(f, |x: Instant| x.min(f)));
        }
    }
    let wall = if max_requests.is_some() {
        first.map_or(1.0, |f| f.elapsed().as_secs_f64())
    } else {
        secs
    };
    let per_req = |ticks: u64| ticks as f64 * 1e6 / clock_ticks_per_sec() / all.len().max(1) as f64;
    let (server_cpu_us, server_sys_us, client_cpu_us) = match cpu_at_start {
        Some((server0, client0)) => {
            let server = server0.zip(server_pid.map(tree_cpu_ticks));
            (
                server.map(|((u0, s0), (u1, s1))| per_req((u1 + s1).saturating_sub(u0 + s0))),
                server.map(|((_, s0), (_, s1))| per_req(s1.saturating_sub(s0))),
                Some(per_req(self_cpu_ticks().saturating_sub(client0))),
            )
        }
        None => (None, None, None),
    };
    all.sort_unstable();
    let pct = |p: f64| {
        if all.is_empty() {
            return f64::NAN;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        f64::from(all[i]) / 1000.0
    };
    CellResult {
        rps: all.len() as f64 / wall,
        server_cpu_us,
        server_sys_us,
        client_cpu_us,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        errors,
        non_2xx,
    }
}

async fn wait_ready(addr: SocketAddr, path: &str, timeout: Duration) -> bool {
    let until = Instant::now() + timeout;
    while Instant::now() < until {
        if let Ok(mut s) = TcpStream::connect(addr).await {
            let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nApi-Token: {TOKEN}\r\n\r\n");
            let mut buf = Vec::new();
            if s.write_all(req.as_bytes()).await.is_ok() {
                if let Ok(Ok(status)) =
                    tokio::time::timeout(Duration::from_secs(5), read_response(&mut s, &mut buf))
                        .await
                {
                    if status > 0 && status != 503 {
                        return true;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// One request on a fresh connection; the raw body.
async fn fetch(addr: SocketAddr, route: Route) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut req = route.request(addr);
    // Ask the server to close so that the whole body can be read to the end.
    let text = String::from_utf8(req.clone()).unwrap().replacen(
        "\r\n\r\n",
        "\r\nConnection: close\r\n\r\n",
        1,
    );
    req = text.into_bytes();
    s.write_all(&req).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    text.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// `POST path` with a JSON body on a fresh connection (seeding); the status.
async fn post(addr: SocketAddr, path: &str, body: &str) -> u16 {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nApi-Token: {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    read_response(&mut s, &mut buf).await.unwrap()
}

/// What every ac-mock under test holds before it is measured: the contact the sync updates
/// (also the one `GET /contacts/1` reads) and [`SEEDED_TAGS`] tags.
async fn seed(addr: SocketAddr) {
    fetch(addr, Route::SyncContact).await;
    for i in 0..SEEDED_TAGS {
        let body = format!(
            r#"{{"tag":{{"tag":"bench-tag-{i:02}","tagType":"contact","description":"seeded by the load bench"}}}}"#
        );
        let status = post(addr, "/api/3/tags", &body).await;
        assert_eq!(status, 201, "seeding tag {i}");
    }
}

/// ac-mock's own answers on the benchmarked routes, served by every competitor.
struct Canned {
    get: String,
    sync: String,
    tags: String,
}

impl Canned {
    /// Writes the three bodies into `dir` (for the bench's own server modes).
    fn write(&self, dir: &Path) -> Result<[PathBuf; 3], String> {
        let paths = [
            dir.join("get.json"),
            dir.join("sync.json"),
            dir.join("tags.json"),
        ];
        for (path, body) in paths.iter().zip([&self.get, &self.sync, &self.tags]) {
            std::fs::write(path, body).map_err(|e| e.to_string())?;
        }
        Ok(paths)
    }
}

/// Load every route for `secs` seconds first (JIT compilers, caches), unmeasured.
async fn warm_up(addr: SocketAddr, routes: &[Route], secs: f64) {
    for &route in routes {
        run_cell(
            addr,
            route,
            16,
            (secs / routes.len() as f64 - 1.0).max(0.0),
            None,
            None,
        )
        .await;
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn start_ac_mock(port: u16) -> Proc {
    start_ac_mock_bin(Path::new(env!("CARGO_BIN_EXE_ac-mock")), port, "ac-mock")
}

/// Starts an ac-mock binary (this build's, or `--baseline`'s) with the bench's flags.
fn start_ac_mock_bin(bin: &Path, port: u16, name: &'static str) -> Proc {
    let child = spawn_group(
        server_command(bin)
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--journal-size",
                "1000",
            ])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    )
    .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let mut child = child;
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    eprintln!("{name}: {}", line.trim());
    Proc { child, name }
}

fn tools_dir() -> PathBuf {
    workspace_root().join("target").join("bench-tools")
}

/// Installs WireMock and Prism into target/bench-tools with npm when missing.
fn ensure_tools() -> Result<(), String> {
    let bin = tools_dir().join("node_modules").join(".bin");
    if bin.join("wiremock").exists() && bin.join("prism").exists() {
        return Ok(());
    }
    eprintln!("installing wiremock and @stoplight/prism-cli into target/bench-tools ...");
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(tools_dir())
        .args(["wiremock", "@stoplight/prism-cli"])
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("npm not runnable: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("npm install failed: {status}"))
    }
}

fn start_wiremock(port: u16, canned: &Canned, dir: &Path) -> Result<Proc, String> {
    let bin = tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("wiremock");
    if !bin.exists() {
        return Err("wiremock is not installed".into());
    }
    let mappings = dir.join("mappings");
    std::fs::create_dir_all(&mappings).map_err(|e| e.to_string())?;
    let mapping = serde_json::json!({"mappings": [
        {"request": {"method": "GET", "urlPath": "/api/3/contacts/1"},
         "response": {"status": 200, "body": canned.get,
                      "headers": {"Content-Type": "application/json"}}},
        {"request": {"method": "GET", "urlPath": "/api/3/tags"},
         "response": {"status": 200, "body": canned.tags,
                      "headers": {"Content-Type": "application/json"}}},
        {"request": {"method": "POST", "urlPath": "/api/3/contact/sync"},
         "response": {"status": 200, "body": canned.sync,
                      "headers": {"Content-Type": "application/json"}}}
    ]});
    std::fs::write(mappings.join("contact.json"), mapping.to_string())
        .map_err(|e| e.to_string())?;
    let child = spawn_group(
        server_command(bin)
            .args(["--port", &port.to_string(), "--bind-address", "127.0.0.1"])
            .args(["--no-request-journal", "--disable-banner", "--root-dir"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(|e| format!("cannot start wiremock: {e}"))?;
    Ok(Proc {
        child,
        name: "wiremock",
    })
}

fn start_prism(port: u16, canned: &Canned, dir: &Path) -> Result<Proc, String> {
    let bin = tools_dir().join("node_modules").join(".bin").join("prism");
    if !bin.exists() {
        return Err("prism is not installed".into());
    }
    let json = |body: &str| -> Result<String, String> {
        let v: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
        Ok(v.to_string())
    };
    // The committed template (benches/prism-contact.yaml) with the same canned bodies.
    let template = include_str!("prism-contact.yaml");
    let spec = template
        .replace("__GET_BODY__", &json(&canned.get)?)
        .replace("__SYNC_BODY__", &json(&canned.sync)?)
        .replace("__TAGS_BODY__", &json(&canned.tags)?);
    let path = dir.join("prism-contact.yaml");
    std::fs::write(&path, spec).map_err(|e| e.to_string())?;
    let child = spawn_group(
        server_command(bin)
            .args([
                "mock",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "--errors",
                "false",
            ])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(|e| format!("cannot start prism: {e}"))?;
    Ok(Proc {
        child,
        name: "prism",
    })
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

async fn rss_mode(total: u64) {
    let port = free_port();
    let mock = start_ac_mock(port);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    assert!(wait_ready(addr, "/__admin/health", Duration::from_secs(10)).await);
    seed(addr).await;
    // Warm up with the same 64 connections on both routes: fills the journal and the
    // per-connection buffers once, so "before" is the steady state.
    run_cell(addr, Route::GetContact, 64, 0.0, Some(10_000), None).await;
    run_cell(addr, Route::SyncContact, 64, 0.0, Some(10_000), None).await;
    let pid = mock.child.id();
    let before = rss_kib(pid).unwrap_or(0);
    let t = Instant::now();
    // Ten steps: five of GET /contacts/1, then five of POST /contact/sync.
    let step = total / 10;
    let mut rows = Vec::new();
    let (mut errors, mut non_2xx, mut sent) = (0, 0, 0u64);
    for i in 0..10 {
        let route = if i < 5 {
            Route::GetContact
        } else {
            Route::SyncContact
        };
        let n = if i == 9 { total - sent } else { step };
        let r = run_cell(addr, route, 64, 0.0, Some(n), None).await;
        errors += r.errors;
        non_2xx += r.non_2xx;
        sent += n;
        rows.push((sent, route, rss_kib(pid).unwrap_or(0)));
    }
    println!("\n## ac-mock RSS over {total} requests (64 connections)\n");
    println!("| requests so far | last step | VmRSS |\n|---|---|---|");
    println!(
        "| 0 (after a 20,000-request warm-up) | | {:.1} MiB |",
        before as f64 / 1024.0
    );
    for (n, route, kib) in rows {
        println!(
            "| {n} | `{}` | {:.1} MiB |",
            route.label(),
            kib as f64 / 1024.0
        );
    }
    println!(
        "\n{total} requests in {:.1} s; errors {errors}; non-2xx {non_2xx}",
        t.elapsed().as_secs_f64()
    );
}

/// The floor: a raw Tokio socket loop that answers every request with a canned response (the
/// tags body for `GET /api/3/tags`, the contact for any other `GET`, the sync body otherwise), parsing nothing but the head's end and
/// `Content-Length`. No server doing HTTP can spend less CPU per request on this machine, so
/// its figures bound the ratios any server could reach against WireMock and Prism here.
async fn floor_server(port: u16, bodies: &[String]) {
    let canned = |path: &Path| -> std::sync::Arc<Vec<u8>> {
        let body = std::fs::read(path).unwrap();
        let mut res = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\ndate: Mon, 23 Nov 2026 14:00:00 GMT\r\n\r\n",
            body.len()
        )
        .into_bytes();
        res.extend_from_slice(&body);
        std::sync::Arc::new(res)
    };
    let (get, sync, tags) = (
        canned(Path::new(&bodies[0])),
        canned(Path::new(&bodies[1])),
        canned(Path::new(&bodies[2])),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    println!("floor listening on 127.0.0.1:{port}");
    loop {
        let Ok((mut s, _)) = listener.accept().await else {
            continue;
        };
        let (get, sync, tags) = (get.clone(), sync.clone(), tags.clone());
        tokio::spawn(async move {
            let _ = s.set_nodelay(true);
            let mut buf: Vec<u8> = Vec::with_capacity(8192);
            loop {
                // One request: the head, then Content-Length bytes of body.
                let head_end = loop {
                    if let Some(i) = find(&buf, b"\r\n\r\n") {
                        break i + 4;
                    }
                    buf.reserve(4096);
                    match s.read_buf(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                };
                let head = &buf[..head_end];
                let len = head
                    .split(|&b| b == b'\n')
                    .find_map(|l| {
                        let colon = l.iter().position(|&b| b == b':')?;
                        l[..colon]
                            .eq_ignore_ascii_case(b"content-length")
                            .then(|| std::str::from_utf8(l[colon + 1..].trim_ascii()).ok())?
                            .and_then(|v| v.parse::<usize>().ok())
                    })
                    .unwrap_or(0);
                let res = if head.starts_with(b"GET /api/3/tags") {
                    &tags
                } else if head.starts_with(b"GET ") {
                    &get
                } else {
                    &sync
                };
                while buf.len() < head_end + len {
                    buf.reserve(4096);
                    match s.read_buf(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
                buf.drain(..head_end + len);
                if s.write_all(res).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Bare axum: the same hyper server and router ac-mock uses, three routes answering the captured
/// bodies, no middleware, no store. What an axum server spends per request before doing any
/// work of its own.
async fn axum_server(port: u16, bodies: &[String]) {
    use axum::serve::ListenerExt;
    let read = |path: &String| axum::body::Bytes::from(std::fs::read(path).unwrap());
    let (get, sync, tags) = (read(&bodies[0]), read(&bodies[1]), read(&bodies[2]));
    let json = || [(axum::http::header::CONTENT_TYPE, "application/json")];
    let app = axum::Router::new()
        .route(
            "/api/3/contacts/{id}",
            axum::routing::get(move || {
                let get = get.clone();
                async move { (json(), get) }
            }),
        )
        .route(
            "/api/3/tags",
            axum::routing::get(move || {
                let tags = tags.clone();
                async move { (json(), tags) }
            }),
        )
        .route(
            "/api/3/contact/sync",
            axum::routing::post(move |_body: axum::body::Bytes| {
                let sync = sync.clone();
                async move { (json(), sync) }
            }),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap()
        .tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
    axum::serve(listener, app).await.unwrap();
}

fn start_floor(port: u16, canned: &Canned, dir: &Path) -> Result<Proc, String> {
    start_self_server("--floor-server", "floor", port, canned, dir)
}

fn start_axum(port: u16, canned: &Canned, dir: &Path) -> Result<Proc, String> {
    start_self_server("--axum-server", "axum", port, canned, dir)
}

/// Starts this bench binary in one of its server modes, serving the captured bodies.
fn start_self_server(
    mode: &str,
    name: &'static str,
    port: u16,
    canned: &Canned,
    dir: &Path,
) -> Result<Proc, String> {
    let paths = canned.write(dir)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = spawn_group(
        server_command(exe)
            .arg(mode)
            .arg(port.to_string())
            .args(&paths)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .map_err(|e| format!("cannot start the {name} server: {e}"))?;
    Ok(Proc { child, name })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--floor-server") => {
            let port = args[1].parse().unwrap();
            floor_server(port, &args[2..5]).await;
            return;
        }
        Some("--axum-server") => {
            let port = args[1].parse().unwrap();
            axum_server(port, &args[2..5]).await;
            return;
        }
        Some("--filters") => {
            filters::run(&args).await;
            return;
        }
        _ => {}
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.iter().any(|a| a == "--rss") {
        let total = value("--requests")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        rss_mode(total).await;
        return;
    }
    let secs: f64 = value("--secs").and_then(|v| v.parse().ok()).unwrap_or(5.0);
    let warmup: f64 = value("--warmup")
        .and_then(|v| v.parse().ok())
        .unwrap_or(15.0);
    let only = value("--only");
    let conns: Vec<usize> = value("--conns")
        .map(|v| v.split(',').filter_map(|c| c.parse().ok()).collect())
        .unwrap_or_else(|| vec![16, 64]);
    // `--route get,sync,tags,health` (any of them, in that order); default get,sync,tags.
    let routes: Vec<Route> = match value("--route") {
        Some(list) => list
            .split(',')
            .map(|r| match r.trim() {
                "get" => Route::GetContact,
                "sync" => Route::SyncContact,
                "tags" => Route::ListTags,
                "health" => Route::Health,
                other => panic!("--route {other}: expected get, sync, tags or health"),
            })
            .collect(),
        None => vec![Route::GetContact, Route::SyncContact, Route::ListTags],
    };
    let pinning = if args.iter().any(|a| a == "--no-pin") {
        "not pinned (--no-pin): servers, generator and JIT threads share every CPU".to_string()
    } else {
        match pin_self() {
            Ok(()) => "pinned: each server on CPU 0, the load generator on CPU 1".to_string(),
            Err(e) => format!("not pinned ({e}): servers and generator share every CPU"),
        }
    };
    eprintln!("{pinning}");
    let rounds: usize = value("--rounds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let dir = std::env::temp_dir().join(format!("ac-mock-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut notes: Vec<String> = Vec::new();

    // ac-mock first: its answers become the competitors' canned bodies.
    let port = free_port();
    let ac_addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mock = start_ac_mock(port);
    assert!(wait_ready(ac_addr, "/__admin/health", Duration::from_secs(10)).await);
    seed(ac_addr).await;
    let canned = Canned {
        sync: fetch(ac_addr, Route::SyncContact).await,
        get: fetch(ac_addr, Route::GetContact).await,
        tags: fetch(ac_addr, Route::ListTags).await,
    };
    let mut servers: Vec<(&'static str, SocketAddr, Proc)> = vec![("ac-mock", ac_addr, mock)];
    // Another build of ac-mock (e.g. the previous commit's) measured in the same rounds.
    if let Some(bin) = value("--baseline") {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let base = start_ac_mock_bin(Path::new(&bin), port, "baseline");
        assert!(wait_ready(addr, "/__admin/health", Duration::from_secs(10)).await);
        seed(addr).await;
        servers.push(("baseline", addr, base));
    }

    // The competitors run at the same time (idle while another server is measured), so the
    // cells can be interleaved: a slowdown of the shared machine then hits every server.
    let competitors: [&'static str; 4] = ["floor", "axum", "wiremock", "prism"];
    // `--only NAME[,NAME...]`: ac-mock plus these.
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|x| x.trim() == name))
    };
    if competitors
        .iter()
        .any(|c| !matches!(*c, "floor" | "axum") && wanted(c))
    {
        if let Err(e) = ensure_tools() {
            notes.push(format!("WireMock and Prism skipped: {e}"));
        }
    }
    for name in competitors {
        if !wanted(name) {
            continue;
        }
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let sub = dir.join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let started = match name {
            "floor" => start_floor(port, &canned, &sub),
            "axum" => start_axum(port, &canned, &sub),
            "wiremock" => start_wiremock(port, &canned, &sub),
            _ => start_prism(port, &canned, &sub),
        };
        eprintln!("{name}: started, waiting until it answers");
        let proc_ = match started {
            Ok(p) => p,
            Err(e) => {
                notes.push(format!("{name} skipped: {e}"));
                continue;
            }
        };
        if !wait_ready(addr, "/api/3/contacts/1", Duration::from_secs(90)).await {
            notes.push(format!("{name} skipped: not ready within 90 s"));
            drop(proc_);
            continue;
        }
        servers.push((name, addr, proc_));
    }
    for (name, addr, _) in &servers {
        eprintln!("{name}: warming up for {warmup} s");
        warm_up(*addr, &routes, warmup).await;
    }

    // Every cell once per round, servers side by side within a cell.
    let mut results: Vec<(&'static str, Route, usize, usize, CellResult)> = Vec::new();
    for round in 0..rounds {
        for &route in &routes {
            for &c in &conns {
                for (name, addr, proc_) in &servers {
                    let r = run_cell(*addr, route, c, secs, None, Some(proc_.child.id())).await;
                    eprintln!(
                        "round {} {name} {} c={c}: {:.0} req/s",
                        round + 1,
                        route.label(),
                        r.rps
                    );
                    results.push((name, route, c, round, r));
                }
            }
        }
    }
    drop(servers);

    let median = |mut v: Vec<f64>| -> Option<f64> {
        v.retain(|x| x.is_finite());
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        Some(if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        })
    };
    let cells = |name: &str, route: Route, c: usize| -> Vec<&CellResult> {
        results
            .iter()
            .filter(|(n, r, cc, _, _)| *n == name && *r == route && *cc == c)
            .map(|x| &x.4)
            .collect()
    };
    let names: Vec<&'static str> = ["ac-mock", "baseline", "floor", "axum", "wiremock", "prism"]
        .into_iter()
        .filter(|n| results.iter().any(|r| r.0 == *n))
        .collect();

    println!(
        "\n## Load: {rounds} rounds of {secs} s cells (after a {warmup} s warm-up per server and 1 s per cell), keep-alive HTTP/1.1 on loopback; medians over the rounds; {pinning}\n"
    );
    println!("| server | route | conns | req/s (median) | req/s per round | p50 ms | p99 ms | errors | non-2xx | server CPU µs/req | of which kernel | client CPU µs/req |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let fmt1 =
        |v: Option<f64>, digits: usize| v.map_or("n/a".to_string(), |v| format!("{v:.digits$}"));
    for &name in &names {
        for &route in &routes {
            for &c in &conns {
                let rs = cells(name, route, c);
                let per_round: Vec<String> = rs.iter().map(|r| format!("{:.0}", r.rps)).collect();
                println!(
                    "| {name} | `{}` | {c} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    route.label(),
                    fmt1(median(rs.iter().map(|r| r.rps).collect()), 0),
                    per_round.join(" / "),
                    fmt1(median(rs.iter().map(|r| r.p50_ms).collect()), 2),
                    fmt1(median(rs.iter().map(|r| r.p99_ms).collect()), 2),
                    rs.iter().map(|r| r.errors).sum::<u64>(),
                    rs.iter().map(|r| r.non_2xx).sum::<u64>(),
                    fmt1(
                        median(rs.iter().filter_map(|r| r.server_cpu_us).collect()),
                        1
                    ),
                    fmt1(
                        median(rs.iter().filter_map(|r| r.server_sys_us).collect()),
                        1
                    ),
                    fmt1(
                        median(rs.iter().filter_map(|r| r.client_cpu_us).collect()),
                        1
                    ),
                );
            }
        }
    }

    // Ratios per round (the servers measured seconds apart), then their median: `a` against
    // `b` as req/s of a ÷ req/s of b, and server CPU per request of b ÷ that of a.
    let ratios = |a: &str, b: &str, route: Route, c: usize| -> (Vec<f64>, Vec<f64>) {
        let pairs: Vec<(&CellResult, &CellResult)> = cells(a, route, c)
            .into_iter()
            .zip(cells(b, route, c))
            .collect();
        let rps = pairs
            .iter()
            .filter(|(_, y)| y.rps > 0.0)
            .map(|(x, y)| x.rps / y.rps)
            .collect();
        let cpu = pairs
            .iter()
            .filter_map(|(x, y)| Some(y.server_cpu_us? / x.server_cpu_us?))
            .collect();
        (rps, cpu)
    };
    let times = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.1}×"));
    let list = |v: &[f64]| {
        if v.is_empty() {
            "n/a".to_string()
        } else {
            v.iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(" / ")
        }
    };
    let table = |title: &str, pairs: &[(&str, &str)]| {
        println!("\n## {title} (per round, median over the rounds)\n");
        println!(
            "| route | conns | pair | req/s ratio | per round | server CPU per request ratio |"
        );
        println!("|---|---|---|---|---|---|");
        for &route in &routes {
            for &c in &conns {
                for &(a, b) in pairs {
                    if !(names.contains(&a) && names.contains(&b)) {
                        continue;
                    }
                    let (rps, cpu) = ratios(a, b, route, c);
                    println!(
                        "| `{}` | {c} | {a} vs {b} | {} | {} | {} |",
                        route.label(),
                        times(median(rps.clone())),
                        list(&rps),
                        times(median(cpu)),
                    );
                }
            }
        }
    };
    table(
        "Ratios: ac-mock against WireMock and Prism",
        &[("ac-mock", "wiremock"), ("ac-mock", "prism")],
    );
    if names.contains(&"floor") || names.contains(&"axum") {
        table(
            "The ceiling: the floor server against WireMock and Prism, and ac-mock against the floor",
            &[
                ("floor", "wiremock"),
                ("axum", "wiremock"),
                ("floor", "prism"),
                ("ac-mock", "floor"),
                ("ac-mock", "axum"),
            ],
        );
    }
    if names.contains(&"baseline") {
        table(
            "This build against `--baseline`",
            &[("ac-mock", "baseline")],
        );
    }
    for n in notes {
        println!("\nNote: {n}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
