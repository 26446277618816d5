//! Progress for the binary's long commands: an indicatif spinner on a terminal, a plain line
//! every 5 s otherwise (CI logs).

use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

/// Counts items and shows it.
pub struct Ticker {
    bar: Option<indicatif::ProgressBar>,
    command: &'static str,
    started: Instant,
    last: Instant,
    done: u64,
}

impl Ticker {
    /// A ticker for `command` (e.g. `"replay"`) counting `noun` (e.g. `"messages"`).
    pub fn new(command: &'static str, noun: &'static str) -> Self {
        let bar = io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            let template =
                format!("{{spinner}} {{pos}} {noun} ({{per_sec}}) {{msg}} [{{elapsed}}]");
            b.set_style(
                indicatif::ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        let now = Instant::now();
        Ticker {
            bar,
            command,
            started: now,
            last: now,
            done: 0,
        }
    }

    /// One more item; `summary` says where things stand (called only when shown).
    pub fn inc(&mut self, summary: impl FnOnce() -> String) {
        self.done += 1;
        match &self.bar {
            Some(b) => {
                b.inc(1);
                b.set_message(summary());
            }
            None if self.last.elapsed() >= Duration::from_secs(5) => {
                self.last = Instant::now();
                eprintln!(
                    "ac-segment {}: {} done ({}) after {:.0}s",
                    self.command,
                    self.done,
                    summary(),
                    self.started.elapsed().as_secs_f64()
                );
            }
            None => {}
        }
    }

    /// Clears the spinner before the summary line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
