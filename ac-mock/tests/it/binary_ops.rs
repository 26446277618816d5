//! The binary's CI flags: --state-file across a restart, --seed, --fault, --rate-limit,
//! --log-format, and clear messages for bad values.

#[cfg(unix)]
use crate::common::child::sigterm;
use crate::common::child::{ac_mock, Killed};

fn spawn(args: &[&str]) -> (Killed, String) {
    crate::common::child::spawn_on_free_port(args)
}

fn temp_path(name: &str) -> std::path::PathBuf {
    crate::common::child::temp_path("test", name)
}

async fn emails(url: &str) -> Vec<String> {
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/api/3/contacts"))
        .header("Api-Token", "ac-mock-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap().to_string())
        .collect()
}

#[cfg(unix)]
#[tokio::test]
async fn restart_with_state_file_keeps_data() {
    let path = temp_path("restart.json");
    let file = path.to_str().unwrap();
    let (mut first, url) = spawn(&["--state-file", file]);
    crate::common::child::create_contact(&url, "kept@example.com").await;
    sigterm(&mut first);
    assert!(path.exists(), "clean shutdown writes the state file");

    let (mut second, url) = spawn(&["--state-file", file]);
    assert_eq!(emails(&url).await, vec!["kept@example.com"]);
    crate::common::child::create_contact(&url, "second@example.com").await;
    sigterm(&mut second);

    // --seed loads the same document without writing it back.
    let (_third, url) = spawn(&["--seed", file]);
    assert_eq!(
        emails(&url).await,
        vec!["kept@example.com", "second@example.com"]
    );
}

#[tokio::test]
async fn fault_flag_is_repeatable_and_applies_from_the_start() {
    let (_child, url) = spawn(&[
        "--fault",
        r#"{"path":"/api/3/tags","status":503,"times":1}"#,
        "--fault",
        r#"[{"method":"POST","path_prefix":"/api/3/","status":429,"headers":{"Retry-After":"2"}}]"#,
    ]);
    let http = reqwest::Client::new();
    let get = || {
        http.get(format!("{url}/api/3/tags"))
            .header("Api-Token", "ac-mock-token")
            .send()
    };
    assert_eq!(get().await.unwrap().status(), 503);
    assert_eq!(get().await.unwrap().status(), 200);
    let res = http
        .post(format!("{url}/api/3/tags"))
        .header("Api-Token", "ac-mock-token")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "2");
    let faults: serde_json::Value = http
        .get(format!("{url}/__admin/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["faults"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn rate_limit_flag_and_json_logs_start() {
    let (_child, url) = spawn(&["--rate-limit", "2", "--log-format", "json"]);
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let res = http
            .get(format!("{url}/api/3/tags"))
            .header("Api-Token", "ac-mock-token")
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[test]
fn bad_values_get_clear_messages_not_panics() {
    let missing = temp_path("does-not-exist.json");
    let broken = temp_path("broken.json");
    std::fs::write(&broken, "{not json").unwrap();
    for (args, needle, code) in [
        (vec!["--fault", "{nope"], "not JSON", 2),
        (vec!["--fault", r#"{"path":"/x"}"#], "needs an action", 2),
        (vec!["--log-format", "xml"], "--log-format", 2),
        (vec!["--rate-limit", "lots"], "--rate-limit", 2),
        (
            vec!["--seed", missing.to_str().unwrap()],
            "does-not-exist.json",
            2,
        ),
        (
            vec!["--state-file", broken.to_str().unwrap()],
            "broken.json",
            2,
        ),
    ] {
        let out = ac_mock()
            .args(["--listen", "127.0.0.1:0"])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(
            err.contains(needle) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn help_explains_every_flag() {
    let out = ac_mock().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--api-token",
        "--actid",
        "--event-key",
        "--journal-size",
        "--seed",
        "--state-file",
        "--fault",
        "--rate-limit",
        "--no-bulk-import-limits",
        "--delivery-log-size",
        "--admin-token",
        "--max-state-bytes",
        "--header-read-timeout",
        "--idle-timeout",
        "--shutdown-timeout",
        "--log-format",
        "AC_MOCK_STATE_FILE",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    assert!(!help.contains("fast-lane"), "the fast lane is gone");
}
