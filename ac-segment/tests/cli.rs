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

// -------------------------------------------------------------------------------------------
// `ac-segment export --sink segment|ndjson`: the identifies delivered to Segment's HTTP API
// (a wiremock server stands in for api.segment.io), rejections, usage and `-o`/`--ndjson`.

mod export_sink {
    use std::process::{Command, Output};

    use ac_mock::MockServer;
    use base64::Engine as _;
    use serde_json::Value;
    use wiremock::matchers::{body_string_contains, header, method, path};
    use wiremock::{Mock, ResponseTemplate};

    use super::{run, s, text, Dir, BIN};

    const WRITE_KEY: &str = "K-export-write-key";

    fn basic_auth() -> String {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{WRITE_KEY}:"));
        format!("Basic {encoded}")
    }

    /// A mock account holding `n` contacts, put there by `replay`.
    async fn seeded(n: usize) -> MockServer {
        let mock = MockServer::start().await.expect("mock");
        let input: String = (0..n)
            .map(|i| {
                format!(
                    r#"{{"type":"identify","userId":"u{i}","traits":{{"email":"export{i}@example.com","firstName":"Ex{i}","lastName":"Port"}}}}"#
                ) + "\n"
            })
            .collect();
        let out = run(&mock, s(&["-"]), Some(input.into_bytes())).await;
        assert_eq!(out.status.code(), Some(0), "seeding: {}", text(&out.stderr));
        mock
    }

    async fn export(mock: &MockServer, args: Vec<String>) -> Output {
        let base = mock.base_url().to_owned();
        let token = mock.api_token().to_owned();
        tokio::task::spawn_blocking(move || {
            Command::new(BIN)
                .arg("export")
                .args(&args)
                .env("AC_API_URL", base)
                .env("AC_API_TOKEN", token)
                .env("AC_RATE_LIMIT", "0")
                .env_remove("SEGMENT_URL")
                .env_remove("SEGMENT_WRITE_KEY")
                .output()
                .expect("binary runs")
        })
        .await
        .expect("join")
    }

    fn to_segment(segment: &wiremock::MockServer) -> Vec<String> {
        s(&[
            "--all",
            "--sink",
            "segment",
            "--segment-url",
            &segment.uri(),
            "--segment-write-key",
            WRITE_KEY,
        ])
    }

    fn emails(body: &[u8]) -> Vec<String> {
        let v: Value = serde_json::from_slice(body).expect("envelope");
        assert!(v["sentAt"].is_string(), "{v}");
        let mut emails: Vec<String> = v["batch"]
            .as_array()
            .expect("batch")
            .iter()
            .map(|m| {
                assert_eq!(m["type"], "identify", "{m}");
                m["traits"]["email"].as_str().expect("email").to_owned()
            })
            .collect();
        emails.sort();
        emails
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn export_delivers_the_identifies_to_segment_with_basic_auth_after_a_500() {
        let mock = seeded(3).await;
        let segment = wiremock::MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/batch"))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&segment)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/batch"))
            .and(header("authorization", basic_auth().as_str()))
            .and(header("content-type", "application/json"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"success":true}"#))
            .expect(1)
            .mount(&segment)
            .await;
        let out = export(&mock, to_segment(&segment)).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(
            stderr.contains("exported=3 delivered=3 failed=0 without_email=0"),
            "{stderr}"
        );
        assert!(stderr.contains("500"), "the retry is reported: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "nothing on stdout with --sink segment"
        );
        assert!(!stderr.contains(WRITE_KEY));

        let requests = segment.received_requests().await.expect("recorded");
        assert_eq!(requests.len(), 2);
        let expected: Vec<String> = (0..3).map(|i| format!("export{i}@example.com")).collect();
        for r in &requests {
            assert_eq!(
                r.headers.get("authorization").and_then(|v| v.to_str().ok()),
                Some(basic_auth().as_str())
            );
            assert_eq!(emails(&r.body), expected);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_message_segment_refuses_is_reported_and_exits_1() {
        let mock = seeded(3).await;
        let segment = wiremock::MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_string_contains("export1@example.com"))
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_string(r#"{"code":"invalid_request","message":"bad identify"}"#),
            )
            .with_priority(1)
            .mount(&segment)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&segment)
            .await;
        let out = export(&mock, to_segment(&segment)).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("exported=3 delivered=2 failed=1"),
            "{stderr}"
        );
        let rejected = stderr
            .lines()
            .find(|l| l.contains("rejected"))
            .expect("a rejection line");
        assert!(
            rejected.contains("400") && rejected.contains("bad identify"),
            "{rejected}"
        );
        assert!(
            rejected.contains("ac-contact-"),
            "names the messageId: {rejected}"
        );
        // The two good ones reached Segment in requests that went through.
        let delivered: Vec<String> = segment
            .received_requests()
            .await
            .expect("recorded")
            .iter()
            .filter(|r| !String::from_utf8_lossy(&r.body).contains("export1@"))
            .flat_map(|r| emails(&r.body))
            .collect();
        assert_eq!(delivered.len(), 2, "{delivered:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn segment_sink_usage_errors_exit_2_before_contacting_ac() {
        let mock = MockServer::start().await.expect("mock");
        let out = export(&mock, s(&["--all", "--sink", "segment"])).await;
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("--segment-write-key"),
            "{}",
            text(&out.stderr)
        );
        let out = export(
            &mock,
            s(&[
                "--all",
                "--sink",
                "segment",
                "--segment-write-key",
                "k",
                "-o",
                "x.ndjson",
            ]),
        )
        .await;
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("--output"),
            "{}",
            text(&out.stderr)
        );
        let out = export(
            &mock,
            s(&[
                "--all",
                "--sink",
                "segment",
                "--segment-write-key",
                "k",
                "--segment-url",
                "ftp://example.com",
            ]),
        )
        .await;
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("ftp://"),
            "{}",
            text(&out.stderr)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ndjson_stays_the_default_through_o_and_ndjson() {
        let mock = seeded(2).await;
        let dir = Dir::new("export-ndjson");
        for flag in ["-o", "--ndjson", "--output"] {
            let file = dir.path(&format!("out{flag}.ndjson"));
            let out = export(&mock, s(&["--all", flag, &super::p(&file)])).await;
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            assert!(text(&out.stderr).contains("exported=2 without_email=0"));
            let written = std::fs::read_to_string(&file).expect("written");
            assert_eq!(written.lines().count(), 2, "{flag}: {written}");
        }
        let out = export(&mock, s(&["--all"])).await;
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(text(&out.stdout).lines().count(), 2, "stdout by default");
    }

    #[test]
    fn export_help_names_the_sink_flags_and_hides_the_write_key() {
        let out = Command::new(BIN)
            .args(["export", "--help"])
            .env("SEGMENT_WRITE_KEY", "hidden-key-value")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        for flag in [
            "--sink",
            "--segment-url",
            "--segment-write-key",
            "--output",
            "--ndjson",
            "SEGMENT_URL",
            "SEGMENT_WRITE_KEY",
            "https://api.segment.io",
        ] {
            assert!(help.contains(flag), "{flag} is not in --help:\n{help}");
        }
        assert!(!help.contains("hidden-key-value"), "{help}");
    }
}
