//! `ac-segment export`: AC contacts as Segment identify messages, one NDJSON line each, or
//! delivered to Segment's HTTP API (`--sink segment`).

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ac_client::ListId;
use ac_segment::export::{export, ExportOptions, ExportSummary, Scope};
use ac_segment::sink::{Entry, SegmentSink, Sink, DEFAULT_SEGMENT_URL};
use ac_segment::{Failure, FailureKind};
use clap::{Args, ValueEnum};
use secrecy::SecretString;
use tokio::sync::mpsc;

use crate::progress::Ticker;
use crate::replay_cmd::AcArgs;

/// Export AC contacts (a list, a tag, or all) as Segment identify messages.
///
/// Contacts are streamed in id order (AC's advice for large accounts); each becomes an
/// identify with the contact's email, names, phone, tags, lists and custom fields by perstag,
/// which `ac-segment replay` applies back as it was. They go to an NDJSON file (`--sink
/// ndjson`, the default) or to Segment's HTTP API (`--sink segment`). Exit status: 0 done, 1 an
/// AC error or messages Segment did not take, 2 bad usage.
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

    /// Where the messages go: `ndjson` (a file, see --output) or `segment` (Segment's HTTP API,
    /// see --segment-url and --segment-write-key).
    #[arg(long, value_enum, default_value_t = SinkKind::Ndjson)]
    sink: SinkKind,

    /// With --sink ndjson: the file to write the messages to (`-` = standard output)
    /// [default: -].
    #[arg(long, short, visible_alias = "ndjson", value_name = "FILE")]
    output: Option<PathBuf>,

    /// With --sink segment: Segment's HTTP API (batches go to URL/v1/batch).
    #[arg(long, env = "SEGMENT_URL", value_name = "URL", default_value = DEFAULT_SEGMENT_URL)]
    segment_url: String,

    /// With --sink segment: the source's write key (Segment → Connections → Sources → the
    /// source → Settings → API Keys). Sent only to --segment-url's host, as Basic auth.
    #[arg(
        long,
        env = "SEGMENT_WRITE_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    segment_write_key: Option<String>,
}

/// Where `export` sends its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SinkKind {
    /// One JSON line per message, to a file or standard output.
    Ndjson,
    /// Segment's HTTP API (`POST /v1/batch`).
    Segment,
}

/// Prints a usage error and gives exit status 2.
fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("ac-segment export: {message}");
    ExitCode::from(2)
}

/// Runs the command.
pub async fn run(args: ExportArgs) -> ExitCode {
    let settings = match args.ac.settings() {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    // The sink is checked before AC is contacted: a usage error costs no calls.
    let segment = match args.sink {
        SinkKind::Ndjson => None,
        SinkKind::Segment => match segment_sink(&args) {
            Ok(s) => Some(s),
            Err(e) => return usage(e),
        },
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
    let options = ExportOptions {
        scope,
        user_id_field: settings.user_id_field.clone(),
    };
    match segment {
        Some(sink) => to_sink(&client, &options, Arc::new(sink)).await,
        None => to_ndjson(&client, &options, args.output.unwrap_or_else(|| "-".into())).await,
    }
}

fn segment_sink(args: &ExportArgs) -> Result<SegmentSink, String> {
    if let Some(output) = &args.output {
        return Err(format!(
            "--output {} is for --sink ndjson; --sink segment sends to --segment-url",
            output.display()
        ));
    }
    let key = args
        .segment_write_key
        .clone()
        .ok_or("--sink segment needs --segment-write-key (or SEGMENT_WRITE_KEY)")?;
    let url = args
        .segment_url
        .parse()
        .map_err(|e| format!("--segment-url `{}`: {e}", args.segment_url))?;
    SegmentSink::new(url, SecretString::from(key)).map_err(|e| e.to_string())
}

fn exit_for(f: &Failure) -> ExitCode {
    ExitCode::from(if f.kind == FailureKind::Config { 2 } else { 1 })
}

async fn to_ndjson(
    client: &ac_client::Client,
    options: &ExportOptions,
    output: PathBuf,
) -> ExitCode {
    let mut out: Box<dyn Write> = if output.as_os_str() == "-" {
        Box::new(BufWriter::new(io::stdout().lock()))
    } else {
        match File::create(&output) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => return usage(format!("cannot create {}: {e}", output.display())),
        }
    };
    let started = Instant::now();
    let mut ticker = Ticker::new("export", "contacts");
    let result = export(client, options, |m| {
        serde_json::to_writer(&mut out, &m).map_err(io::Error::from)?;
        ticker.inc(|| "written".to_owned());
        out.write_all(b"\n")
    })
    .await;
    ticker.finish();
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
            exit_for(&f)
        }
        (_, Err(e)) => {
            eprintln!("ac-segment export: writing the output: {e}");
            ExitCode::from(1)
        }
    }
}

/// Messages sent to the sink at once.
const CHUNK: usize = 500;
/// How long a partial chunk waits for more messages before it goes: AC is the slow side (about
/// 2.5 contacts a second), so this is what fills a request, at the cost of holding up to this
/// long's messages in memory.
const LINGER: Duration = Duration::from_secs(10);
/// Failed tries in a row (without any message delivered or rejected) before giving up.
const MAX_TRIES: u32 = 10;
/// The longest wait between two tries, whatever the sink asked.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// What the delivery side did.
#[derive(Debug, Default)]
struct Sent {
    delivered: u64,
    rejected: u64,
    /// Why it stopped before the end, if it did.
    gave_up: Option<String>,
}

/// Exports into `sink`: the export hands each message to a delivery task, which sends them in
/// chunks and retries what the sink leaves for later. The channel is unbounded because AC is
/// the slow side (two calls a contact at 5 requests/s); when the delivery task gives up it
/// drops its end, and the export stops at its next message.
async fn to_sink(
    client: &ac_client::Client,
    options: &ExportOptions,
    sink: Arc<dyn Sink>,
) -> ExitCode {
    let started = Instant::now();
    let (tx, rx) = mpsc::unbounded_channel::<Entry>();
    let delivering = tokio::spawn(deliver_all(Arc::clone(&sink), rx));
    let mut exported = 0u64;
    let mut ticker = Ticker::new("export", "contacts");
    let result = export(client, options, |m| {
        let bytes = serde_json::to_vec(&m).map_err(io::Error::from)?;
        exported += 1;
        ticker.inc(|| format!("sent to {}", sink.name()));
        tx.send(Entry {
            seq: exported,
            bytes,
        })
        .map_err(|_| io::Error::other(format!("the {} delivery stopped", sink.name())))
    })
    .await;
    drop(tx);
    ticker.finish();
    let sent = delivering.await.unwrap_or_else(|e| Sent {
        gave_up: Some(format!("the delivery task ended: {e}")),
        ..Sent::default()
    });
    let counts = format!(
        "exported={exported} delivered={} failed={}",
        sent.delivered, sent.rejected
    );
    if let Some(reason) = &sent.gave_up {
        eprintln!(
            "ac-segment export: gave up delivering to {}: {reason}; {counts} (the rest was not delivered)",
            sink.name()
        );
        return ExitCode::from(1);
    }
    match result {
        Ok(ExportSummary { without_email, .. }) => {
            eprintln!(
                "ac-segment export: {counts} without_email={without_email} elapsed={:.2}s",
                started.elapsed().as_secs_f64()
            );
            if sent.rejected > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(f) => {
            eprintln!("ac-segment export: {f}");
            eprintln!("ac-segment export: stopped early: {counts}");
            exit_for(&f)
        }
    }
}

/// Reads messages off the channel, in chunks of up to [`CHUNK`], into the sink.
async fn deliver_all(sink: Arc<dyn Sink>, mut rx: mpsc::UnboundedReceiver<Entry>) -> Sent {
    let mut sent = Sent::default();
    while let Some(first) = rx.recv().await {
        let mut chunk = Vec::with_capacity(CHUNK);
        chunk.push(first);
        let deadline = tokio::time::Instant::now() + LINGER;
        while chunk.len() < CHUNK {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(e)) => chunk.push(e),
                Ok(None) | Err(_) => break,
            }
        }
        if let Err(reason) = deliver_chunk(&*sink, chunk, &mut sent).await {
            sent.gave_up = Some(reason);
            break;
        }
    }
    sent
}

/// Delivers one chunk, retrying what the sink leaves for later; `Err` when it gave up.
async fn deliver_chunk(
    sink: &dyn Sink,
    mut pending: Vec<Entry>,
    sent: &mut Sent,
) -> Result<(), String> {
    let mut tries = 0u32;
    while !pending.is_empty() {
        let d = sink.deliver(&pending).await;
        sent.delivered += d.delivered.len() as u64;
        for (seq, reason) in &d.rejected {
            let id = pending
                .iter()
                .find(|e| e.seq == *seq)
                .and_then(message_id)
                .map(|id| format!(" ({id})"))
                .unwrap_or_default();
            eprintln!(
                "ac-segment export: message {seq}{id} rejected by {}: {reason}",
                sink.name()
            );
            sent.rejected += 1;
        }
        let Some(retry) = &d.retry else {
            return Ok(());
        };
        if !d.delivered.is_empty() || !d.rejected.is_empty() {
            tries = 0;
        }
        let done: HashSet<u64> = d
            .delivered
            .iter()
            .copied()
            .chain(d.rejected.iter().map(|(s, _)| *s))
            .collect();
        pending.retain(|e| !done.contains(&e.seq));
        if pending.is_empty() {
            break;
        }
        tries += 1;
        if tries >= MAX_TRIES {
            return Err(format!("{} (after {tries} tries)", retry.reason));
        }
        let wait = pause(tries, retry.after);
        eprintln!(
            "ac-segment export: {}: {}; trying {} messages again in {:.1}s ({tries}/{MAX_TRIES})",
            sink.name(),
            retry.reason,
            pending.len(),
            wait.as_secs_f64()
        );
        tokio::time::sleep(wait).await;
    }
    Ok(())
}

/// The `messageId` of a message, for the rejection line.
fn message_id(e: &Entry) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(&e.bytes).ok()?;
    v.get("messageId")?.as_str().map(str::to_owned)
}

/// The wait before try `tries + 1`: what the sink asked (capped at [`MAX_WAIT`]), else 0.5 s
/// doubling per try, with up to 10 % jitter, capped at [`MAX_WAIT`].
fn pause(tries: u32, after: Option<Duration>) -> Duration {
    if let Some(after) = after {
        return after.min(MAX_WAIT);
    }
    let base = Duration::from_millis(500).saturating_mul(1 << tries.saturating_sub(1).min(10));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = base.mul_f64(f64::from(nanos % 1_000) / 10_000.0);
    (base + jitter).min(MAX_WAIT)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ac_segment::sink::{Delivery, RetryLater};
    use std::sync::Mutex;

    #[test]
    fn the_wait_honours_retry_after_and_backs_off_to_a_minute() {
        assert_eq!(
            pause(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(pause(1, Some(Duration::from_secs(3_600))), MAX_WAIT);
        let first = pause(1, None);
        assert!(first >= Duration::from_millis(500) && first <= Duration::from_millis(550));
        let third = pause(3, None);
        assert!(third >= Duration::from_secs(2) && third <= Duration::from_millis(2_200));
        assert_eq!(pause(30, None), MAX_WAIT);
    }

    /// One scripted answer to a delivery.
    type Answer = fn(&[Entry]) -> Delivery;

    /// Answers from a script, then delivers everything; remembers what it was given.
    #[derive(Debug, Default)]
    struct Scripted {
        answers: Mutex<Vec<Answer>>,
        seen: Mutex<Vec<Vec<u64>>>,
    }

    #[async_trait::async_trait]
    impl Sink for Scripted {
        fn name(&self) -> &'static str {
            "scripted"
        }
        async fn deliver(&self, events: &[Entry]) -> Delivery {
            self.seen
                .lock()
                .unwrap()
                .push(events.iter().map(|e| e.seq).collect());
            let next = self.answers.lock().unwrap().pop();
            next.map_or_else(|| Delivery::all_delivered(events), |f| f(events))
        }
    }

    fn entries(n: u64) -> Vec<Entry> {
        (1..=n)
            .map(|seq| Entry {
                seq,
                bytes: format!(r#"{{"messageId":"m{seq}"}}"#).into_bytes(),
            })
            .collect()
    }

    fn later(_: &[Entry]) -> Delivery {
        Delivery::retry_all(RetryLater {
            after: Some(Duration::ZERO),
            reason: "busy".into(),
        })
    }

    #[tokio::test]
    async fn a_chunk_is_retried_with_what_is_left_and_rejections_are_counted() {
        fn first_in_second_out(events: &[Entry]) -> Delivery {
            Delivery {
                delivered: vec![events[0].seq],
                rejected: vec![(events[1].seq, "too big".into())],
                retry: Some(RetryLater {
                    after: Some(Duration::ZERO),
                    reason: "busy".into(),
                }),
            }
        }
        let sink = Scripted::default();
        // Popped from the end: first a partial answer, then a plain retry, then all delivered.
        *sink.answers.lock().unwrap() = vec![later, first_in_second_out];
        let mut sent = Sent::default();
        deliver_chunk(&sink, entries(4), &mut sent).await.unwrap();
        assert_eq!((sent.delivered, sent.rejected), (3, 1));
        assert_eq!(
            *sink.seen.lock().unwrap(),
            vec![vec![1, 2, 3, 4], vec![3, 4], vec![3, 4]]
        );
    }

    #[tokio::test]
    async fn ten_failed_tries_give_up_and_stop_the_channel() {
        let sink = Arc::new(Scripted::default());
        *sink.answers.lock().unwrap() = vec![later as Answer; 20];
        let (tx, rx) = mpsc::unbounded_channel();
        for e in entries(3) {
            tx.send(e).unwrap();
        }
        drop(tx);
        let sent = deliver_all(Arc::clone(&sink) as Arc<dyn Sink>, rx).await;
        assert_eq!(sent.delivered, 0);
        let reason = sent.gave_up.unwrap();
        assert!(
            reason.contains("busy") && reason.contains("10 tries"),
            "{reason}"
        );
        assert_eq!(sink.seen.lock().unwrap().len(), 10);
    }
}
