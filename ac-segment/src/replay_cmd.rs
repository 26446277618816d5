//! `ac-segment replay`: flags, the dry run, the outcome log, the dead-letter file, progress
//! and the summary.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use ac_segment::execute::Executor;
use ac_segment::input::{self, Record};
use ac_segment::plan::{self, Known};
use ac_segment::replay::{self, ReplayOptions};
use ac_segment::{Flavor, Outcome, Settings, Status};
use clap::Args;
use secrecy::SecretString;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::progress::Ticker;

/// Apply a file of Segment messages to an ActiveCampaign account.
///
/// FILE holds NDJSON (one message or `{"batch":[...]}` envelope a line), a JSON array of
/// messages, or one batch envelope; gzip is read transparently; `-` reads standard input.
/// Exit status: 0 when nothing failed, 1 when any message failed, 2 on bad usage.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The messages (`-` = standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,

    #[command(flatten)]
    ac: AcArgs,

    /// Whose rules to follow: default (the superset), segment or rudderstack.
    #[arg(long, env = "AC_SEGMENT_FLAVOR", value_parser = parse_flavor)]
    flavor: Option<Flavor>,

    /// Engage audiences also add (true) or remove (false) a tag named after the audience.
    #[arg(long)]
    audiences_as_tags: bool,

    /// Bulk imports ask AC not to run automations for the imported contacts.
    #[arg(long)]
    exclude_automations: bool,

    /// Print each message's plan as one JSON line and contact nothing.
    #[arg(long)]
    dry_run: bool,

    /// Write every failed input line here, exactly as read (malformed ones included).
    #[arg(long, value_name = "FILE")]
    dead_letter: Option<PathBuf>,

    /// Write one NDJSON line per message: at, outcome, type, messageId, reason, calls,
    /// message (as received).
    #[arg(long, value_name = "FILE")]
    outcome_log: Option<PathBuf>,

    /// Messages applied at once; the messages of one email always stay in order.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,

    /// Coalesce identifies that AC's bulk import can express into 250-contact imports
    /// (backfills); everything else, and later messages for the same emails, wait for their
    /// batch and go the normal way.
    #[arg(long)]
    bulk: bool,
}

/// Where AC is and how to reach it: shared by every command.
#[derive(Debug, Args)]
pub struct AcArgs {
    /// The account's API URL, e.g. https://ACCOUNT.api-us1.com (Settings → Developer).
    #[arg(long, env = "AC_API_URL")]
    api_url: Option<String>,

    /// The API token (Settings → Developer). Sent only to the API URL's host.
    #[arg(long, env = "AC_API_TOKEN", hide_env_values = true)]
    api_token: Option<String>,

    /// The tracking account id (Settings → Tracking → Event Tracking API), for track and
    /// screen events and site visits.
    #[arg(long, env = "AC_ACTID")]
    actid: Option<String>,

    /// The event key (Settings → Tracking → Event Tracking), for track and screen events.
    #[arg(long, env = "AC_EVENT_KEY", hide_env_values = true)]
    event_key: Option<String>,

    /// The tracking host [default: https://trackcmp.net].
    #[arg(long, env = "AC_TRACKING_URL")]
    tracking_url: Option<String>,

    /// A settings file: Segment's destination settings JSON (`apiKey`, `apiSecret`),
    /// RudderStack's (`apiUrl`, `apiKey`, `actid`, `eventKey`) or ac-segment's own keys.
    /// Flags win over the file.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,

    /// The perstag of a custom field that stores the Segment userId.
    #[arg(long, env = "AC_USER_ID_FIELD")]
    user_id_field: Option<String>,

    /// Requests per second to the AC API (AC allows 5 per account); 0 = no limit, for a mock.
    #[arg(long, env = "AC_RATE_LIMIT", default_value_t = 5)]
    pub rate_limit: u32,
}

fn parse_flavor(s: &str) -> Result<Flavor, String> {
    s.parse().map_err(|e: ac_segment::SettingsError| e.message)
}

/// Prints a usage error and gives exit status 2.
pub fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("ac-segment replay: {message}");
    ExitCode::from(2)
}

impl AcArgs {
    /// The settings from the file (if any) with the flags over it; `flavor` and the flags
    /// only replay has are applied by the caller.
    pub fn settings(&self) -> Result<Settings, String> {
        let file = match &self.settings {
            Some(path) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("cannot read --settings {}: {e}", path.display()))?;
                Settings::from_json(&bytes)
                    .map_err(|e| format!("--settings {}: {e}", path.display()))?
            }
            None => Settings::new(),
        };
        let flags = Settings {
            api_url: self.api_url.clone(),
            api_token: self.api_token.clone().map(SecretString::from),
            actid: self.actid.clone(),
            event_key: self.event_key.clone().map(SecretString::from),
            tracking_url: self.tracking_url.clone(),
            flavor: file.flavor,
            user_id_field: self.user_id_field.clone(),
            audiences_as_tags: file.audiences_as_tags,
            exclude_automations: file.exclude_automations,
        };
        Ok(flags.or(file))
    }
}

impl ReplayArgs {
    fn settings(&self) -> Result<Settings, String> {
        let mut s = self.ac.settings()?;
        if let Some(f) = self.flavor {
            s.flavor = f;
        }
        s.audiences_as_tags |= self.audiences_as_tags;
        s.exclude_automations |= self.exclude_automations;
        Ok(s)
    }
}

fn create(path: &PathBuf, what: &str) -> Result<BufWriter<File>, String> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| format!("cannot create {what} {}: {e}", path.display()))
}

/// Runs the command.
pub async fn run(args: ReplayArgs) -> ExitCode {
    let settings = match args.settings() {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let reader = match input::open(&args.file) {
        Ok(r) => r,
        Err(e) => return usage(e),
    };
    let records = input::Records::new(reader);
    if args.dry_run {
        return dry_run(records, &settings);
    }
    let client = match settings.client(args.ac.rate_limit) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let mut dead = match args
        .dead_letter
        .as_ref()
        .map(|p| create(p, "--dead-letter"))
        .transpose()
    {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    let mut log = match args
        .outcome_log
        .as_ref()
        .map(|p| create(p, "--outcome-log"))
        .transpose()
    {
        Ok(l) => l,
        Err(e) => return usage(e),
    };
    let executor = Executor::new(client, settings);
    let options = ReplayOptions {
        concurrency: usize::from(args.concurrency),
        bulk: args.bulk,
    };
    let started = Instant::now();
    let mut progress = Progress::new();
    let mut rx = replay::spawn(executor.clone(), records, options);
    let mut write_error: Option<String> = None;
    while let Some(done) = rx.recv().await {
        progress.count(done.outcome.status, executor.calls_made());
        if done.outcome.status == Status::Failed {
            if let Some(d) = dead.as_mut() {
                if let Err(e) = d
                    .write_all(&done.record.raw)
                    .and_then(|_| d.write_all(b"\n"))
                {
                    write_error.get_or_insert(format!("writing --dead-letter: {e}"));
                }
            }
        }
        if let Some(l) = log.as_mut() {
            if let Err(e) = write_outcome(l, &done.record, &done.outcome) {
                write_error.get_or_insert(format!("writing --outcome-log: {e}"));
            }
        }
    }
    for w in [dead.as_mut(), log.as_mut()].into_iter().flatten() {
        if let Err(e) = w.flush() {
            write_error.get_or_insert(format!("writing a result file: {e}"));
        }
    }
    progress.finish();
    println!(
        "ac-segment replay: applied={} skipped={} failed={} calls={} elapsed={:.2}s",
        progress.applied,
        progress.skipped,
        progress.failed,
        executor.calls_made(),
        started.elapsed().as_secs_f64()
    );
    if let Some(e) = write_error {
        eprintln!("ac-segment replay: {e}");
        return ExitCode::from(1);
    }
    if progress.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One line of the outcome log; `message` is the input's own JSON text, byte for byte.
#[derive(serde::Serialize)]
struct LogLine<'a> {
    at: String,
    outcome: Status,
    #[serde(rename = "type")]
    kind: Option<&'a str>,
    #[serde(rename = "messageId")]
    message_id: Option<&'a str>,
    reason: Option<&'a str>,
    retryable: Option<bool>,
    calls: &'a [String],
    location: String,
    message: Received<'a>,
}

/// The message as received: its JSON as is, or the text when it is not JSON.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Received<'a> {
    Json(&'a RawValue),
    Text(std::borrow::Cow<'a, str>),
}

fn write_outcome(w: &mut impl Write, record: &Record, outcome: &Outcome) -> io::Result<()> {
    write_outcome_line(
        w,
        &record.raw,
        record.message.as_ref().ok(),
        record.location(),
        outcome,
    )
}

/// Writes one outcome-log line (shared by `replay` and `serve`): `raw` is the message as
/// received, embedded as JSON when it is JSON.
pub fn write_outcome_line(
    w: &mut impl Write,
    raw: &[u8],
    m: Option<&ac_segment::spec::Message>,
    location: String,
    outcome: &Outcome,
) -> io::Result<()> {
    let message = match serde_json::from_slice::<&RawValue>(raw) {
        Ok(r) => Received::Json(r),
        Err(_) => Received::Text(String::from_utf8_lossy(raw)),
    };
    let line = LogLine {
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        outcome: outcome.status,
        kind: m.map(|m| m.kind.as_str()),
        message_id: m.and_then(|m| m.message_id.as_deref()),
        reason: outcome.reason.as_deref(),
        retryable: outcome.failure.as_ref().map(|f| f.retryable),
        calls: &outcome.calls,
        location,
        message,
    };
    serde_json::to_writer(&mut *w, &line)?;
    w.write_all(b"\n")
}

fn dry_run(records: input::Records<Box<dyn io::BufRead + Send>>, settings: &Settings) -> ExitCode {
    let started = Instant::now();
    let (mut applied, mut skipped, mut failed) = (0u64, 0u64, 0u64);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for r in records {
        let record = match r {
            Ok(r) => r,
            Err(e) => return usage(format!("reading the input: {e}")),
        };
        let line = match &record.message {
            Err(e) => {
                failed += 1;
                json!({"location": record.location(), "error": e.to_string()})
            }
            Ok(m) => match plan::plan(m, settings, &Known::default()) {
                Ok(p) => {
                    if matches!(p, plan::Planned::Skip { .. }) {
                        skipped += 1;
                    } else {
                        applied += 1;
                    }
                    let mut v = serde_json::to_value(&p).unwrap_or(Value::Null);
                    if let Value::Object(o) = &mut v {
                        o.insert("location".into(), record.location().into());
                    }
                    v
                }
                Err(e) => {
                    failed += 1;
                    json!({"location": record.location(), "type": m.kind.as_str(), "error": e.to_string()})
                }
            },
        };
        if serde_json::to_writer(&mut out, &line)
            .map_err(io::Error::from)
            .and_then(|_| out.write_all(b"\n"))
            .is_err()
        {
            return ExitCode::from(1);
        }
    }
    let _ = out.flush();
    eprintln!(
        "ac-segment replay --dry-run: planned={applied} skipped={skipped} failed={failed} calls=0 elapsed={:.2}s",
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The replay's counts, shown by a [`Ticker`].
struct Progress {
    ticker: Ticker,
    applied: u64,
    skipped: u64,
    failed: u64,
}

impl Progress {
    fn new() -> Self {
        Progress {
            ticker: Ticker::new("replay", "messages"),
            applied: 0,
            skipped: 0,
            failed: 0,
        }
    }

    fn count(&mut self, status: Status, calls: u64) {
        match status {
            Status::Applied => self.applied += 1,
            Status::Skipped => self.skipped += 1,
            Status::Failed => self.failed += 1,
        }
        let (a, s, f) = (self.applied, self.skipped, self.failed);
        self.ticker
            .inc(|| format!("applied {a} skipped {s} failed {f}, {calls} AC calls"));
    }

    fn finish(&self) {
        self.ticker.finish();
    }
}
