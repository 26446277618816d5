//! The `ac-mock` binary: serves the fake ActiveCampaign API until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ac_mock::faults::FaultRule;
use clap::builder::BoolishValueParser;
use clap::{Parser, ValueEnum};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system allocator: every request allocates (headers, the parsed
/// body, the rendered JSON), and glibc's malloc/free showed up in the profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A stateful fake of ActiveCampaign's v3 API for tests and CI.
///
/// Serves AC's /api/3 routes (header Api-Token), the tracking host's /event and /visit, and
/// an admin API under /__admin (health, reset, accounts, state export/import, request
/// journal, fault rules, simulated campaigns, webhook deliveries). Prints one line with the
/// base URL and credentials on start; logs go to stderr (RUST_LOG=debug for more). Ctrl-C or
/// SIGTERM stops it cleanly and writes --state-file. Every flag has an AC_MOCK_* env fallback.
#[derive(Debug, Parser)]
#[command(name = "ac-mock", version, about, long_about)]
struct Cli {
    /// Address to listen on; use port 0 for a free port (the printed line shows the real one).
    #[arg(long, env = "AC_MOCK_LISTEN", default_value = "127.0.0.1:4010")]
    listen: SocketAddr,

    /// API token clients must send in the Api-Token header.
    #[arg(long, env = "AC_MOCK_API_TOKEN", default_value = "ac-mock-token")]
    api_token: String,

    /// Tracking account id (actid) for the event-tracking host.
    #[arg(long, env = "AC_MOCK_ACTID", default_value = "1000000")]
    actid: String,

    /// Event tracking key for the event-tracking host.
    #[arg(long, env = "AC_MOCK_EVENT_KEY", default_value = "ac-mock-event-key")]
    event_key: String,

    /// How many requests the journal (GET /__admin/requests) keeps; older ones fall off.
    #[arg(long, env = "AC_MOCK_JOURNAL_SIZE", default_value_t = 1000)]
    journal_size: usize,

    /// State document to load at start (JSON, as GET /__admin/state exports it).
    #[arg(long, env = "AC_MOCK_SEED", value_name = "FILE")]
    seed: Option<PathBuf>,

    /// Load the state from FILE at start when it exists (wins over --seed); write it there at
    /// start (an unwritable path exits 2 at once), within about half a second of every change
    /// (atomically; a burst is one write) and on shutdown, so a restart, even after kill -9,
    /// loses at most the last half second.
    #[arg(long, env = "AC_MOCK_STATE_FILE", value_name = "FILE")]
    state_file: Option<PathBuf>,

    /// A fault rule in force from the start, as JSON (the body of POST /__admin/faults), or a
    /// JSON array of rules. Repeatable. E.g. --fault '{"path":"/api/3/tags","status":503,"times":2}'
    #[arg(long = "fault", env = "AC_MOCK_FAULTS", value_name = "JSON", value_parser = parse_faults)]
    faults: Vec<FaultArg>,

    /// Requests per second per account before AC's 429 (Retry-After, RateLimit-Limit,
    /// RateLimit-Remaining). 0 = unlimited (the default); AC's own limit is 5.
    #[arg(
        long,
        env = "AC_MOCK_RATE_LIMIT",
        value_name = "N",
        default_value_t = 0
    )]
    rate_limit: u32,

    /// Turn off bulk import's per-minute limits (20 single-contact, 100 multi-contact
    /// requests/min, answered 400 like AC).
    #[arg(long, env = "AC_MOCK_NO_BULK_IMPORT_LIMITS", value_parser = BoolishValueParser::new())]
    no_bulk_import_limits: bool,

    /// Every /__admin call must carry this token (Authorization: Bearer TOKEN or
    /// X-Admin-Token: TOKEN). Without it, anyone who reaches the port can reset or replace
    /// every account: set it whenever --listen is not loopback.
    #[arg(long, env = "AC_MOCK_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,

    /// Largest state document PUT /__admin/state accepts, in bytes.
    #[arg(long, env = "AC_MOCK_MAX_STATE_BYTES", default_value_t = 64 * 1024 * 1024)]
    max_state_bytes: usize,

    /// A request's head must arrive within this; it also closes keep-alive connections idle
    /// that long between requests (e.g. 10s, 500ms).
    #[arg(long, env = "AC_MOCK_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    header_read_timeout: std::time::Duration,

    /// A connection with no byte moving either way for this long is closed.
    #[arg(long, env = "AC_MOCK_IDLE_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    idle_timeout: std::time::Duration,

    /// On Ctrl-C / SIGTERM, requests in hand may finish within this; then their connections
    /// are closed and --state-file is written. A second signal exits at once.
    #[arg(long, env = "AC_MOCK_SHUTDOWN_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    shutdown_timeout: std::time::Duration,

    /// How many webhook deliveries GET /__admin/webhook-deliveries keeps.
    #[arg(
        long,
        env = "AC_MOCK_DELIVERY_LOG_SIZE",
        value_name = "N",
        default_value_t = 1000
    )]
    delivery_log_size: usize,

    /// Log format on stderr.
    #[arg(long, env = "AC_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// One `--fault` value: a rule or an array of rules.
#[derive(Debug, Clone)]
struct FaultArg(Vec<FaultRule>);

fn parse_faults(text: &str) -> Result<FaultArg, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let rules: Vec<FaultRule> = match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("invalid fault rule: {e}"))?,
        other => {
            vec![serde_json::from_value(other).map_err(|e| format!("invalid fault rule: {e}"))?]
        }
    };
    for rule in &rules {
        rule.action()
            .map_err(|e| format!("invalid fault rule: {e}"))?;
    }
    Ok(FaultArg(rules))
}

/// Installs the Ctrl-C and SIGTERM handlers now and returns a future that resolves on either.
///
/// Installing them before the start-up line is printed matters: a supervisor (or a test) that
/// reads the line and signals at once must get a clean shutdown, not the default "killed".
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

/// Ctrl-C only, where there is no SIGTERM.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Pretty => logs.init(),
        LogFormat::Json => logs.json().init(),
    }

    let mut builder = ac_mock::MockServer::builder()
        .listen(cli.listen)
        .api_token(cli.api_token)
        .actid(cli.actid)
        .event_key(cli.event_key)
        .journal_size(cli.journal_size)
        .rate_limit(cli.rate_limit)
        .bulk_import_limits(!cli.no_bulk_import_limits)
        .delivery_log_size(cli.delivery_log_size)
        .header_read_timeout(cli.header_read_timeout)
        .idle_timeout(cli.idle_timeout)
        .shutdown_timeout(cli.shutdown_timeout)
        .max_state_bytes(cli.max_state_bytes);
    let admin_protected = cli.admin_token.as_deref().is_some_and(|t| !t.is_empty());
    if let Some(token) = cli.admin_token {
        builder = builder.admin_token(token);
    }
    for rule in cli.faults.into_iter().flat_map(|f| f.0) {
        builder = builder.fault(rule);
    }
    if let Some(seed) = cli.seed {
        builder = builder.seed_file(seed);
    }
    if let Some(path) = cli.state_file {
        builder = builder.state_file(path);
    }
    let signals = match shutdown_signal() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("ac-mock: cannot install signal handlers: {e}");
            return ExitCode::from(1);
        }
    };
    let server = match builder.start().await {
        Ok(server) => server,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("ac-mock: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("ac-mock: cannot listen on {}: {e}", cli.listen);
            return ExitCode::from(1);
        }
    };
    if !cli.listen.ip().is_loopback() && !admin_protected {
        eprintln!(
            "ac-mock: WARNING: listening on {} without --admin-token: anyone who reaches this port can list every account's token, reset or replace all data (/__admin). Set --admin-token or listen on 127.0.0.1.",
            cli.listen
        );
    }
    println!(
        "ac-mock listening on {} api_token={} actid={} event_key={}{}",
        server.base_url(),
        server.api_token(),
        server.actid(),
        server.event_key(),
        if admin_protected { " admin=token" } else { "" }
    );
    signals.await;
    tracing::info!("shutting down (a second signal exits at once)");
    // A second signal while draining: exit now. The state file is at most half a second
    // behind (it is written after every change).
    if let Ok(second) = shutdown_signal() {
        tokio::spawn(async move {
            second.await;
            eprintln!("ac-mock: second signal, exiting now");
            std::process::exit(130);
        });
    }
    match server.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ac-mock: error while shutting down: {e}");
            ExitCode::from(1)
        }
    }
}
