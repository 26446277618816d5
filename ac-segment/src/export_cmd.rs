//! `ac-segment export`: AC contacts as Segment identify messages, one NDJSON line each.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use ac_client::ListId;
use ac_segment::export::{export, ExportOptions, Scope};
use clap::Args;

use crate::replay_cmd::{usage, AcArgs};

/// Export AC contacts (a list, a tag, or all) as Segment identify messages (NDJSON).
///
/// Contacts are streamed in id order (AC's advice for large accounts); each line is an
/// identify with the contact's email, names, phone, tags, lists and custom fields by perstag,
/// which `ac-segment replay` applies back as it was. Exit status: 0 done, 1 an AC error, 2 bad
/// usage.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["list", "tag", "all"])))]
pub struct ExportArgs {
    #[command(flatten)]
    ac: AcArgs,

    /// The contacts on this list (by id).
    #[arg(long, value_name = "ID")]
    list: Option<u64>,

    /// The contacts with this tag (by name).
    #[arg(long, value_name = "NAME")]
    tag: Option<String>,

    /// Every contact.
    #[arg(long)]
    all: bool,

    /// Where to write the messages (`-` = standard output).
    #[arg(long, short, value_name = "FILE", default_value = "-")]
    output: PathBuf,
}

/// Runs the command.
pub async fn run(args: ExportArgs) -> ExitCode {
    let settings = match args.ac.settings() {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let client = match settings.client(args.ac.rate_limit) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let scope = match (&args.list, &args.tag) {
        (Some(id), _) => Scope::List(ListId(*id)),
        (_, Some(name)) => Scope::Tag(name.clone()),
        _ => Scope::All,
    };
    let mut out: Box<dyn Write> = if args.output.as_os_str() == "-" {
        Box::new(BufWriter::new(io::stdout().lock()))
    } else {
        match File::create(&args.output) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => return usage(format!("cannot create {}: {e}", args.output.display())),
        }
    };
    let options = ExportOptions {
        scope,
        user_id_field: settings.user_id_field.clone(),
    };
    let started = Instant::now();
    let result = export(&client, &options, |m| {
        serde_json::to_writer(&mut out, &m).map_err(io::Error::from)?;
        out.write_all(b"\n")
    })
    .await;
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(s), Ok(())) => {
            eprintln!(
                "ac-segment export: exported={} without_email={} elapsed={:.2}s",
                s.exported,
                s.without_email,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        (Err(f), _) => {
            eprintln!("ac-segment export: {f}");
            ExitCode::from(if f.kind == ac_segment::FailureKind::Config {
                2
            } else {
                1
            })
        }
        (_, Err(e)) => {
            eprintln!("ac-segment export: writing the output: {e}");
            ExitCode::from(1)
        }
    }
}
