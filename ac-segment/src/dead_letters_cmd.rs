//! `ac-segment dead-letters list|retry|purge --data-dir DIR`: what `serve` could not apply or
//! deliver, seen and replayed.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ac_segment::store::{Store, StoreError, StoreLimits};
use clap::{Args, Subcommand};
use serde_json::value::RawValue;

/// See and replay what `serve` could not apply to AC or deliver to the sink.
///
/// The store is opened by one process at a time: stop `serve` first. Exit status: 0 done,
/// 1 the store failed, 2 bad usage.
#[derive(Debug, Args)]
pub struct DeadLettersArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// One NDJSON line per dead letter: id, from (queue|outbox), at, reason, message (as
    /// accepted).
    List(Target),
    /// Put dead letters back where they failed (the queue or the outbox), to be tried again
    /// at the next `serve`; all of them without --id.
    Retry(Target),
    /// Delete dead letters: those named by --id, or every one with --all.
    Purge(PurgeTarget),
}

#[derive(Debug, Args)]
struct Target {
    /// The store's directory (as given to serve).
    #[arg(long, env = "AC_SEGMENT_DATA_DIR", value_name = "DIR")]
    data_dir: PathBuf,
    /// Only these dead letters (repeatable).
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<u64>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "all"])))]
struct PurgeTarget {
    /// The store's directory (as given to serve).
    #[arg(long, env = "AC_SEGMENT_DATA_DIR", value_name = "DIR")]
    data_dir: PathBuf,
    /// These dead letters (repeatable).
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<u64>,
    /// Every dead letter.
    #[arg(long)]
    all: bool,
}

/// A store error, with what to do when another process holds the store.
pub fn explain(e: &StoreError) -> String {
    let text = e.to_string();
    if text.contains("already open") || text.contains("lock") {
        format!("{text} (is `ac-segment serve` running with this --data-dir? stop it first)")
    } else {
        text
    }
}

fn open(dir: &Path) -> Result<Store, ExitCode> {
    if !dir.join(ac_segment::store::FILE_NAME).exists() {
        eprintln!(
            "ac-segment dead-letters: no store in {} (expected {})",
            dir.display(),
            ac_segment::store::FILE_NAME
        );
        return Err(ExitCode::from(2));
    }
    Store::open(dir, StoreLimits::default()).map_err(|e| {
        eprintln!("ac-segment dead-letters: {}", explain(&e));
        ExitCode::from(1)
    })
}

#[derive(serde::Serialize)]
struct Line<'a> {
    id: u64,
    from: &'a str,
    at: String,
    reason: &'a str,
    message: Shown<'a>,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Shown<'a> {
    Json(&'a RawValue),
    Text(std::borrow::Cow<'a, str>),
}

/// Runs the command.
pub fn run(args: DeadLettersArgs) -> ExitCode {
    let result = match &args.action {
        Action::List(t) => open(&t.data_dir).map(|s| list(&s, &t.ids)),
        Action::Retry(t) => open(&t.data_dir).map(|s| {
            report(
                "retried",
                "put back to be tried again",
                s.retry_dead(&t.ids),
            )
        }),
        Action::Purge(t) => {
            open(&t.data_dir).map(|s| report("purged", "deleted", s.purge_dead(&t.ids)))
        }
    };
    result.unwrap_or_else(|code| code)
}

fn report(verb: &str, what: &str, r: Result<usize, StoreError>) -> ExitCode {
    match r {
        Ok(n) => {
            println!("ac-segment dead-letters: {verb} {n} ({what})");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ac-segment dead-letters: {}", explain(&e));
            ExitCode::from(1)
        }
    }
}

fn list(store: &Store, ids: &[u64]) -> ExitCode {
    let letters = match store.dead_letters() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ac-segment dead-letters: {}", explain(&e));
            return ExitCode::from(1);
        }
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut n = 0;
    for d in letters
        .iter()
        .filter(|d| ids.is_empty() || ids.contains(&d.id))
    {
        let message = match serde_json::from_slice::<&RawValue>(&d.bytes) {
            Ok(r) => Shown::Json(r),
            Err(_) => Shown::Text(String::from_utf8_lossy(&d.bytes)),
        };
        let at = chrono::DateTime::from_timestamp(i64::try_from(d.at).unwrap_or(0), 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let line = Line {
            id: d.id,
            from: d.from.as_str(),
            at,
            reason: &d.reason,
            message,
        };
        if serde_json::to_writer(&mut out, &line).is_err() || out.write_all(b"\n").is_err() {
            return ExitCode::from(1);
        }
        n += 1;
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    eprintln!("ac-segment dead-letters: {n} dead letter(s)");
    ExitCode::SUCCESS
}
