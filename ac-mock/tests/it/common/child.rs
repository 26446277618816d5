//! Running the `ac-mock` binary itself.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A child process that is killed and reaped when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A command for the `ac-mock` binary under test.
pub fn ac_mock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ac-mock"))
}

/// Starts `cmd` with stdout piped and stderr discarded; returns it with its first stdout line.
pub fn start(cmd: &mut Command) -> (Killed, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Killed(child), line)
}

/// Sends SIGTERM and checks that the binary exits with status 0.
#[cfg(unix)]
pub fn sigterm(child: &mut Killed) {
    let pid = child.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
}

/// Starts the binary on a free loopback port with `args`; returns it and its base URL.
pub fn spawn_on_free_port(args: &[&str]) -> (Killed, String) {
    let (child, line) = start(ac_mock().args(["--listen", "127.0.0.1:0"]).args(args));
    assert!(line.starts_with("ac-mock listening on"), "{line}");
    let url = line.split_whitespace().nth(3).unwrap().to_string();
    (child, url)
}

/// A fresh path in a per-process temporary directory (`tag` keeps test files apart).
pub fn temp_path(tag: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ac-mock-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// `POST /api/3/contacts` with the default token; asserts the 201.
pub async fn create_contact(url: &str, email: &str) {
    let res = reqwest::Client::new()
        .post(format!("{url}/api/3/contacts"))
        .header("Api-Token", "ac-mock-token")
        .json(&serde_json::json!({"contact": {"email": email}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}
