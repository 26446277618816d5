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
