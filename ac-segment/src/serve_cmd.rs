//! `ac-segment serve`: flags, logging, the start-up line, signals.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ac_segment::execute::Executor;
use ac_segment::serve::{OnOutcome, ServeOptions, Server, WorkerOptions};
use ac_segment::sink::{NdjsonSink, SegmentSink, Sink};
use ac_segment::source::SourceOptions;
use ac_segment::store::{Store, StoreLimits};
use ac_segment::{Flavor, Settings};
use clap::{Args, ValueEnum};
use secrecy::SecretString;

use crate::replay_cmd::{write_outcome_line, AcArgs};

/// Serve Segment's HTTP API in front of ActiveCampaign, and AC's webhooks out as Segment
/// email events.
///
/// `POST /v1/batch` (and `/v1/{identify,track,page,screen,group,alias}`) answers 200 once the
/// messages are committed to the store under --data-dir; they are then applied to AC at its
/// pace, each person's messages in order. With --sink, `POST /webhooks/activecampaign` turns
/// AC's webhooks into Segment `track` events delivered to the sink. Nothing accepted is lost
/// by a crash: a restart with the same --data-dir takes up where it stopped. SIGTERM or Ctrl-C
/// stops within --shutdown-timeout; a second signal exits at once.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The directory of the durable store (created when missing).
    #[arg(long, env = "AC_SEGMENT_DATA_DIR", value_name = "DIR")]
    data_dir: PathBuf,

    /// A write key senders may use (repeat for several; the env var takes a comma list).
    #[arg(
        long = "write-key",
        env = "AC_SEGMENT_WRITE_KEYS",
        value_delimiter = ',',
        hide_env_values = true,
        required = true,
        value_name = "KEY"
    )]
    write_keys: Vec<String>,

    /// Where to listen. Loopback by default: put a TLS proxy in front to take traffic from
    /// elsewhere.
    #[arg(long, env = "AC_SEGMENT_LISTEN", default_value = "127.0.0.1:8788")]
    listen: SocketAddr,

    #[command(flatten)]
    ac: AcArgs,

    /// Whose rules to follow: default (the superset), segment or rudderstack.
    #[arg(long, env = "AC_SEGMENT_FLAVOR", value_parser = parse_flavor)]
    flavor: Option<Flavor>,

    /// Engage audiences also add (true) or remove (false) a tag named after the audience.
    #[arg(long)]
    audiences_as_tags: bool,

    /// People applied at once (each person's messages always stay in order).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,

    /// Write one NDJSON line per message that ended: at, outcome, type, messageId, reason,
    /// calls, message (as received). Appended to.
    #[arg(long, value_name = "FILE")]
    outcome_log: Option<PathBuf>,

    /// Queued messages at most; beyond it ingestion answers 429 with Retry-After.
    #[arg(long, default_value_t = 1_000_000)]
    max_queue: u64,

    /// How long a messageId is remembered to drop resends.
    #[arg(long, default_value = "24h", value_parser = humantime::parse_duration)]
    dedupe_window: Duration,

    /// A message still failing transiently this long after its first try is dead-lettered,
    /// so that person's later messages go on.
    #[arg(long, default_value = "24h", value_parser = humantime::parse_duration)]
    give_up_after: Duration,

    /// Where webhook events go: segment (Segment's HTTP API) or ndjson (a file).
    #[arg(long, value_enum)]
    sink: Option<SinkKind>,

    /// Segment's API for --sink segment.
    #[arg(long, env = "SEGMENT_URL", default_value = "https://api.segment.io")]
    segment_url: url::Url,

    /// The write key of the Segment source the events go to (--sink segment).
    #[arg(long, env = "SEGMENT_WRITE_KEY", hide_env_values = true)]
    segment_write_key: Option<String>,

    /// The file for --sink ndjson (appended to, synced before an event counts as delivered).
    #[arg(long, value_name = "FILE")]
    ndjson: Option<PathBuf>,

    /// Webhooks must carry ?token=THIS (AC signs nothing; put it in the URL you give AC).
    #[arg(long, env = "AC_SEGMENT_WEBHOOK_TOKEN", hide_env_values = true)]
    webhook_token: Option<String>,

    /// The event name for AC's unsubscribe webhook.
    #[arg(long, default_value = "Email Unsubscribed")]
    unsubscribed_event: String,

    /// Pass webhooks that are not email events through as a track named by their type.
    #[arg(long)]
    pass_through: bool,

    /// A request's head must arrive within this (also closes keep-alive connections idle
    /// this long).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    header_read_timeout: Duration,

    /// A connection with no byte moving either way for this long is closed.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    idle_timeout: Duration,

    /// On SIGTERM / Ctrl-C, requests and work in hand may finish within this.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    shutdown_timeout: Duration,

    /// Connections open at once at most (more wait in the kernel's backlog).
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,

    /// Log lines as pretty text or JSON (RUST_LOG filters; default info).
    #[arg(long, value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
}

/// Where webhook events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SinkKind {
    /// Segment's HTTP API (`POST {--segment-url}/v1/batch`).
    Segment,
    /// An NDJSON file (`--ndjson FILE`).
    Ndjson,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// One JSON object a line.
    Json,
}

fn parse_flavor(s: &str) -> Result<Flavor, String> {
    s.parse().map_err(|e: ac_segment::SettingsError| e.message)
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("ac-segment serve: {message}");
    ExitCode::from(2)
}

impl ServeArgs {
    fn settings(&self) -> Result<Settings, String> {
        let mut s = self.ac.settings()?;
        if let Some(f) = self.flavor {
            s.flavor = f;
        }
        s.audiences_as_tags |= self.audiences_as_tags;
        Ok(s)
    }

    fn sink(&self) -> Result<Option<Arc<dyn Sink>>, String> {
        match self.sink {
            None => {
                if self.ndjson.is_some() || self.segment_write_key.is_some() {
                    return Err("--ndjson and --segment-write-key need --sink".to_owned());
                }
                Ok(None)
            }
            Some(SinkKind::Ndjson) => {
                let path = self
                    .ndjson
                    .as_ref()
                    .ok_or("--sink ndjson needs --ndjson FILE")?;
                let sink = NdjsonSink::open(path).map_err(|e| e.to_string())?;
                Ok(Some(Arc::new(sink)))
            }
            Some(SinkKind::Segment) => {
                let key = self
                    .segment_write_key
                    .clone()
                    .ok_or("--sink segment needs --segment-write-key (or SEGMENT_WRITE_KEY)")?;
                let sink = SegmentSink::new(self.segment_url.clone(), SecretString::from(key))
                    .map_err(|e| e.to_string())?;
                Ok(Some(Arc::new(sink)))
            }
        }
    }
}

/// Sets up logging for `serve`.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter);
    match format {
        LogFormat::Pretty => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Resolves at SIGTERM or Ctrl-C.
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the command.
pub async fn run(args: ServeArgs) -> ExitCode {
    let settings = match args.settings() {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let client = match settings.client(args.ac.rate_limit) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let sink = match args.sink() {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    if args.write_keys.iter().any(|k| k.trim().is_empty()) {
        return usage("--write-key must not be empty");
    }
    let limits = StoreLimits {
        max_queue: args.max_queue,
        dedupe_window: args.dedupe_window,
        ..StoreLimits::default()
    };
    let store = match Store::open(&args.data_dir, limits) {
        Ok(s) => Arc::new(s),
        Err(e) => return usage(crate::dead_letters_cmd::explain(&e)),
    };
    let on_outcome = match &args.outcome_log {
        None => None,
        Some(path) => match OpenOptions::new().create(true).append(true).open(path) {
            Ok(f) => Some(outcome_log(BufWriter::new(f))),
            Err(e) => return usage(format!("cannot open --outcome-log {}: {e}", path.display())),
        },
    };
    let api_url = settings.api_url.clone().unwrap_or_default();
    let user_id_field = settings.user_id_field.clone();
    let flavor = settings.flavor;
    let executor = Executor::new(client, settings);
    let mut options = ServeOptions::new(
        args.write_keys
            .iter()
            .map(|k| SecretString::from(k.trim().to_owned()))
            .collect(),
    );
    options.listen = args.listen;
    options.webhook_token = args.webhook_token.clone().map(SecretString::from);
    options.source = SourceOptions {
        user_id_field,
        unsubscribed_event: args.unsubscribed_event.clone(),
        pass_through: args.pass_through,
    };
    options.header_read_timeout = args.header_read_timeout;
    options.idle_timeout = args.idle_timeout;
    options.shutdown_timeout = args.shutdown_timeout;
    options.max_connections = args.max_connections;
    options.worker = WorkerOptions {
        concurrency: usize::from(args.concurrency),
        give_up_after: args.give_up_after,
        ..WorkerOptions::default()
    };
    let sink_line = match (&sink, args.sink) {
        (Some(_), Some(SinkKind::Segment)) => format!("webhooks -> segment {}", args.segment_url),
        (Some(_), _) => format!(
            "webhooks -> ndjson {}",
            args.ndjson
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        _ => "webhooks off (no --sink)".to_owned(),
    };
    let server = match Server::bind_with(options, store.clone(), executor, sink, on_outcome).await {
        Ok(s) => s,
        Err(e) => return usage(format!("cannot listen on {}: {e}", args.listen)),
    };
    let depth = store.depth().unwrap_or_default();
    println!(
        "ac-segment serve: listening on http://{} | /v1/* -> AC {} (flavor {}, {} write key{}, concurrency {}) | {}{} | store {} (queued {}, outbox {}, dead letters {})",
        server.local_addr(),
        api_url,
        flavor,
        args.write_keys.len(),
        if args.write_keys.len() == 1 { "" } else { "s" },
        args.concurrency,
        sink_line,
        if args.webhook_token.is_some() { " (token required)" } else { "" },
        store.path().display(),
        depth.queue,
        depth.outbox,
        depth.dead,
    );
    if !args.listen.ip().is_loopback() {
        tracing::warn!(listen = %args.listen, "listening beyond loopback: only write keys protect ingestion; use TLS in front");
    }
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        signal().await;
        eprintln!("ac-segment serve: shutting down (a second signal exits at once)");
        let _ = stop_tx.send(());
        signal().await;
        eprintln!("ac-segment serve: second signal, exiting now");
        std::process::exit(130);
    });
    server
        .run(async {
            let _ = stop_rx.await;
        })
        .await;
    let depth = store.depth().unwrap_or_default();
    eprintln!(
        "ac-segment serve: stopped (queued {}, outbox {}, dead letters {})",
        depth.queue, depth.outbox, depth.dead
    );
    ExitCode::SUCCESS
}

fn outcome_log(w: BufWriter<std::fs::File>) -> OnOutcome {
    let w = Mutex::new(w);
    Arc::new(move |seq, bytes, message, outcome| {
        let mut w = w.lock().unwrap_or_else(PoisonError::into_inner);
        let r = write_outcome_line(&mut *w, bytes, message, format!("queue {seq}"), outcome)
            .and_then(|_| w.flush());
        if let Err(e) = r {
            tracing::error!(error = %e, "writing --outcome-log failed");
        }
    })
}
