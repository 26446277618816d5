//! The `ac-mock` binary: serves the fake ActiveCampaign API until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// A stateful fake of ActiveCampaign's v3 API for tests and CI.
///
/// Serves AC's /api/3 routes (header Api-Token), and an admin API under /__admin
/// (health, reset, request journal). Prints one line with the base URL and credentials on
/// start; logs go to stderr (set RUST_LOG=debug for more).
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
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let server = match ac_mock::MockServer::builder()
        .listen(cli.listen)
        .api_token(cli.api_token)
        .actid(cli.actid)
        .event_key(cli.event_key)
        .journal_size(cli.journal_size)
        .start()
        .await
    {
        Ok(server) => server,
        Err(e) => {
            eprintln!("ac-mock: cannot listen on {}: {e}", cli.listen);
            return ExitCode::from(1);
        }
    };
    println!(
        "ac-mock listening on {} api_token={} actid={} event_key={}",
        server.base_url(),
        server.api_token(),
        server.actid(),
        server.event_key()
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    match server.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ac-mock: error while shutting down: {e}");
            ExitCode::from(1)
        }
    }
}
