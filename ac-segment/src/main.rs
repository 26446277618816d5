//! `ac-segment`: Segment-spec messages into ActiveCampaign.
//!
//! `ac-segment export (--list ID | --tag NAME | --all)` writes AC contacts as identify
//! messages. `ac-segment replay [OPTIONS] FILE` applies a file of messages (NDJSON, a JSON array or a
//! batch envelope; gzip read transparently; `-` for standard input). `ac-segment serve` is a
//! Segment-compatible endpoint in front of AC (and AC webhooks out to a sink);
//! `ac-segment dead-letters` lists and replays what it could not apply. Run
//! `ac-segment COMMAND --help` for every flag.

mod dead_letters_cmd;
mod export_cmd;
mod progress;
mod replay_cmd;
mod serve_cmd;

/// mimalloc instead of the system allocator: parsing a message allocates every key and string.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Segment-spec messages into ActiveCampaign, in few calls, and backfills at bulk-import speed.
#[derive(Debug, Parser)]
#[command(name = "ac-segment", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply a file of Segment messages to an ActiveCampaign account.
    Replay(Box<replay_cmd::ReplayArgs>),
    /// Export AC contacts (a list, a tag, or all) as Segment identify messages (NDJSON or Segment).
    Export(Box<export_cmd::ExportArgs>),
    /// Serve Segment's HTTP API in front of AC, and AC's webhooks out to a sink.
    Serve(Box<serve_cmd::ServeArgs>),
    /// List, retry or purge what serve could not apply or deliver.
    DeadLetters(dead_letters_cmd::DeadLettersArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match &cli.command {
        Command::Serve(args) => serve_cmd::init_logging(args.log_format),
        _ => tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ac-segment: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Replay(args) => runtime.block_on(replay_cmd::run(*args)),
        Command::Export(args) => runtime.block_on(export_cmd::run(*args)),
        Command::Serve(args) => runtime.block_on(serve_cmd::run(*args)),
        Command::DeadLetters(args) => dead_letters_cmd::run(args),
    }
}
