//! The `ac-segment replay` binary against an in-process mock: exit status, the dead-letter
//! file byte for byte, the outcome log, the summary, dry runs, gzip and standard input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ac_mock::MockServer;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ac-segment");

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("ac-segment-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        Dir(p)
    }
    fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn run(mock: &MockServer, args: Vec<String>, stdin: Option<Vec<u8>>) -> Output {
    let base = mock.base_url().to_owned();
    let token = mock.api_token().to_owned();
    let actid = mock.actid().to_owned();
    let key = mock.event_key().to_owned();
    let tracking = mock.tracking_url().to_owned();
    tokio::task::spawn_blocking(move || {
        let fake = FakeEnv {
            base,
            token,
            actid,
            key,
            tracking,
        };
        fake.replay(&args, stdin.as_deref())
    })
    .await
    .expect("join")
}

/// The mock's coordinates, for the blocking thread.
struct FakeEnv {
    base: String,
    token: String,
    actid: String,
    key: String,
    tracking: String,
}

impl FakeEnv {
    fn replay(&self, args: &[String], stdin: Option<&[u8]>) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.arg("replay")
            .args(args)
            .env("AC_API_URL", &self.base)
            .env("AC_API_TOKEN", &self.token)
            .env("AC_ACTID", &self.actid)
            .env("AC_EVENT_KEY", &self.key)
            .env("AC_TRACKING_URL", &self.tracking)
            .env("AC_RATE_LIMIT", "0")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("binary starts");
        if let Some(bytes) = stdin {
            let mut s = child.stdin.take().expect("stdin");
            s.write_all(bytes).expect("write stdin");
        }
        child.wait_with_output().expect("binary runs")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn s(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

async fn journal_len(mock: &MockServer) -> usize {
    let v: Value = reqwest::get(format!("{}/__admin/requests?limit=1000", mock.base_url()))
        .await
        .expect("journal")
        .json()
        .await
        .expect("json");
    v["requests"].as_array().map_or(0, |r| {
        r.iter()
            .filter(|e| !e["path"].as_str().unwrap_or("").starts_with("/__admin"))
            .count()
    })
}

const GOOD_1: &str = r#"{"type":"identify","userId":"u1","traits":{"email":"ada@example.com","name":"Ada Lovelace","tags":["vip"]}}"#;
const MALFORMED: &str = r#"{"type":"identify","traits":{"email":"x@example.com"#;
const GOOD_2: &str =
    r#"{"type":"track","event":"Signed Up","context":{"traits":{"email":"ada@example.com"}}}"#;
const NO_EMAIL: &str = "{\"type\":\"track\",  \"event\":\"Signed Up\",\"userId\":\"not-an-email\"}";
const NOT_UTF8: &[u8] = b"{\"type\":\"track\",\"event\":\"\xff\"}";
const SKIPPED: &str = r#"{"type":"alias","previousId":"a","userId":"b"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_dead_lettered_byte_for_byte_and_exit_1() {
    let mock = MockServer::start().await.expect("mock");
    let dir = Dir::new("dead");
    let mut input = Vec::new();
    for line in [
        GOOD_1.as_bytes(),
        MALFORMED.as_bytes(),
        GOOD_2.as_bytes(),
        NO_EMAIL.as_bytes(),
        NOT_UTF8,
        SKIPPED.as_bytes(),
    ] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    std::fs::write(dir.path("in.ndjson"), &input).expect("write");
    let out = run(
        &mock,
        s(&[
            "--dead-letter",
            &p(&dir.path("dead.ndjson")),
            "--outcome-log",
            &p(&dir.path("log.ndjson")),
            &p(&dir.path("in.ndjson")),
        ]),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let summary = stdout.lines().last().expect("summary line");
    assert!(
        summary.starts_with("ac-segment replay: applied=2 skipped=1 failed=3 calls="),
        "{summary}"
    );
    assert!(summary.contains("elapsed="), "{summary}");

    // Exactly the failed lines, as read (in completion order: sort to compare).
    let dead = std::fs::read(dir.path("dead.ndjson")).expect("dead letters");
    assert!(dead.ends_with(b"\n"));
    let mut got: Vec<&[u8]> = dead[..dead.len() - 1].split(|b| *b == b'\n').collect();
    got.sort();
    let mut expected = vec![MALFORMED.as_bytes(), NO_EMAIL.as_bytes(), NOT_UTF8];
    expected.sort();
    assert_eq!(got, expected);

    let log = std::fs::read_to_string(dir.path("log.ndjson")).expect("log");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 6);
    let by_loc = |loc: &str| lines.iter().find(|l| l["location"] == loc).expect(loc);
    assert_eq!(by_loc("line 1")["outcome"], "applied");
    assert_eq!(by_loc("line 1")["type"], "identify");
    assert!(by_loc("line 1")["calls"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
    assert_eq!(
        by_loc("line 1")["message"]["traits"]["name"],
        "Ada Lovelace"
    );
    assert_eq!(by_loc("line 2")["outcome"], "failed");
    assert!(by_loc("line 2")["reason"]
        .as_str()
        .is_some_and(|r| r.starts_with("line 2: ")));
    assert_eq!(by_loc("line 2")["message"], MALFORMED);
    assert!(by_loc("line 4")["reason"]
        .as_str()
        .is_some_and(|r| r.contains("no email")));
    assert_eq!(by_loc("line 4")["retryable"], false);
    assert_eq!(by_loc("line 6")["outcome"], "skipped");
    for l in &lines {
        for key in [
            "at",
            "outcome",
            "type",
            "messageId",
            "reason",
            "calls",
            "message",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
    }
    // Nothing secret in any output.
    for t in [stdout, text(&out.stderr), log] {
        assert!(!t.contains(mock.api_token()) && !t.contains(mock.event_key()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_applied_exits_0_from_stdin_and_gzip() {
    let mock = MockServer::start().await.expect("mock");
    let input = format!("{GOOD_1}\n{GOOD_2}\n");
    let out = run(&mock, s(&["-"]), Some(input.clone().into_bytes())).await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied=2 skipped=0 failed=0"));

    let dir = Dir::new("gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let array = format!("[{GOOD_1},\n{GOOD_2}]");
    gz.write_all(array.as_bytes()).expect("gzip");
    std::fs::write(dir.path("in.json.gz"), gz.finish().expect("gzip")).expect("write");
    let out = run(&mock, s(&[&p(&dir.path("in.json.gz"))]), None).await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied=2 skipped=0 failed=0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_plans_and_contacts_nothing() {
    let mock = MockServer::start().await.expect("mock");
    let before = journal_len(&mock).await;
    let input = format!("{GOOD_1}\n{MALFORMED}\n{SKIPPED}\n");
    let out = run(
        &mock,
        s(&["--dry-run", "--flavor", "segment", "-"]),
        Some(input.into_bytes()),
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    let plans: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(plans.len(), 3);
    assert_eq!(plans[0]["plan"], "apply");
    assert_eq!(plans[0]["actions"][0]["action"], "sync_contact");
    assert_eq!(plans[0]["actions"][0]["first_name"], "Ada");
    assert_eq!(
        plans[0]["actions"][1],
        serde_json::json!({"action":"add_tag","name":"vip"})
    );
    assert!(plans[1]["error"].is_string());
    assert_eq!(plans[2]["plan"], "skip");
    assert!(text(&out.stderr).contains("planned=1 skipped=1 failed=1 calls=0"));
    assert_eq!(journal_len(&mock).await, before, "a dry run sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_usage_exits_2_with_the_reason() {
    let mock = MockServer::start().await.expect("mock");
    let dir = Dir::new("usage");
    std::fs::write(dir.path("in.ndjson"), format!("{GOOD_1}\n")).expect("write");
    let file = p(&dir.path("in.ndjson"));

    let out = run(&mock, s(&["--flavor", "mixpanel", &file]), None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("mixpanel"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&mock, s(&["--no-such-flag", &file]), None).await;
    assert_eq!(out.status.code(), Some(2));

    let out = run(&mock, s(&[&p(&dir.path("missing.ndjson"))]), None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing.ndjson"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        dir.path("settings.json"),
        "{\"apiKey\": 1, \"flavor\": \"nope\"}",
    )
    .expect("write");
    let out = run(
        &mock,
        s(&["--settings", &p(&dir.path("settings.json")), &file]),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("flavor"),
        "{}",
        text(&out.stderr)
    );

    // No API URL at all.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(["replay", &file])
            .env_remove("AC_API_URL")
            .env_remove("AC_API_TOKEN")
            .output()
            .expect("runs")
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("api_url"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_explains_every_flag() {
    let out = Command::new(BIN)
        .args(["replay", "--help"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for flag in [
        "--api-url",
        "--api-token",
        "--actid",
        "--event-key",
        "--tracking-url",
        "--flavor",
        "--settings",
        "--dry-run",
        "--dead-letter",
        "--concurrency",
        "--bulk",
        "--rate-limit",
        "--outcome-log",
        "AC_API_URL",
        "AC_API_TOKEN",
        "AC_ACTID",
        "AC_EVENT_KEY",
        "AC_TRACKING_URL",
    ] {
        assert!(help.contains(flag), "{flag} is not in --help:\n{help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segment_settings_file_is_accepted() {
    let mock = MockServer::start().await.expect("mock");
    let dir = Dir::new("settings");
    std::fs::write(
        dir.path("settings.json"),
        serde_json::json!({"apiKey": mock.api_token(), "apiSecret": mock.base_url()}).to_string(),
    )
    .expect("write");
    std::fs::write(dir.path("in.ndjson"), format!("{GOOD_1}\n")).expect("write");
    let settings = p(&dir.path("settings.json"));
    let file = p(&dir.path("in.ndjson"));
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args([
                "replay",
                "--rate-limit",
                "0",
                "--settings",
                &settings,
                &file,
            ])
            .env_remove("AC_API_URL")
            .env_remove("AC_API_TOKEN")
            .output()
            .expect("runs")
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
