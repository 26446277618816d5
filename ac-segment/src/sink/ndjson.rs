//! An NDJSON file (or standard output) as a sink.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Appends each event as one line to a file (or standard output), durably before it says
/// delivered.
///
/// A line is the event's bytes as stored, with any raw CR or LF in them (whitespace between
/// JSON tokens: a JSON string cannot hold one) replaced by a space, so an event stays one line.
/// A failed write is cut back to where the file ended, so a retry does not leave half a line
/// or a duplicate.
pub struct NdjsonSink {
    target: Target,
}

pub(super) enum Target {
    File {
        path: PathBuf,
        file: Arc<Mutex<File>>,
    },
    Stdout,
}

impl fmt::Debug for NdjsonSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("NdjsonSink");
        match &self.target {
            Target::File { path, .. } => d.field("path", path),
            Target::Stdout => d.field("path", &"-"),
        };
        d.finish()
    }
}

impl NdjsonSink {
    /// Opens `path` for appending, creating the file (not its directories) when missing.
    /// `-` is refused: use [`NdjsonSink::stdout`].
    pub fn open(path: impl AsRef<Path>) -> Result<NdjsonSink, SinkError> {
        let path = path.as_ref();
        if path.as_os_str() == "-" {
            return Err(SinkError::StdoutPath);
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| SinkError::Open {
                path: path.to_owned(),
                source,
            })?;
        Ok(NdjsonSink {
            target: Target::File {
                path: path.to_owned(),
                file: Arc::new(Mutex::new(file)),
            },
        })
    }

    /// Writes to standard output (flushed, not synced; a failed write cannot be taken back).
    pub fn stdout() -> NdjsonSink {
        NdjsonSink {
            target: Target::Stdout,
        }
    }

    /// The file written to (`-` for standard output).
    pub fn path(&self) -> &Path {
        match &self.target {
            Target::File { path, .. } => path,
            Target::Stdout => Path::new("-"),
        }
    }
}

/// The events as NDJSON lines.
pub(super) fn lines(events: &[Entry]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(events.iter().map(|e| e.bytes.len() + 1).sum());
    for e in events {
        let start = buf.len();
        buf.extend_from_slice(&e.bytes);
        for b in &mut buf[start..] {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
        buf.push(b'\n');
    }
    buf
}

/// Appends `buf` and syncs; on failure cuts a regular file back to its length before.
pub(super) fn append(file: &Mutex<File>, buf: &[u8]) -> Result<(), String> {
    let mut f = file.lock().unwrap_or_else(PoisonError::into_inner);
    let before = f.metadata().map(|m| (m.is_file(), m.len()));
    let written = f
        .write_all(buf)
        .and_then(|()| f.flush())
        .and_then(|()| f.sync_data());
    let Err(e) = written else {
        return Ok(());
    };
    match before {
        Ok((true, len)) => match f.set_len(len) {
            Ok(()) => Err(e.to_string()),
            Err(t) => Err(format!(
                "{e} (and it could not be cut back to {len} bytes, so part of a line may be \
                 left: {t})"
            )),
        },
        Ok((false, _)) => Err(e.to_string()),
        Err(m) => Err(format!(
            "{e} (and its length is unknown, so part of a line may be left: {m})"
        )),
    }
}

#[async_trait]
impl Sink for NdjsonSink {
    fn name(&self) -> &'static str {
        "ndjson"
    }

    async fn deliver(&self, events: &[Entry]) -> Delivery {
        if events.is_empty() {
            return Delivery::default();
        }
        let buf = lines(events);
        let (shown, written) = match &self.target {
            Target::File { path, file } => {
                let file = Arc::clone(file);
                let written = tokio::task::spawn_blocking(move || append(&file, &buf)).await;
                (path.display().to_string(), written)
            }
            Target::Stdout => {
                let written = tokio::task::spawn_blocking(move || {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&buf)
                        .and_then(|()| out.flush())
                        .map_err(|e| e.to_string())
                })
                .await;
                ("standard output".to_owned(), written)
            }
        };
        let reason = match written {
            Ok(Ok(())) => return Delivery::all_delivered(events),
            Ok(Err(e)) => format!("writing {shown}: {e}"),
            Err(e) => format!("writing {shown} did not finish: {e}"),
        };
        Delivery::retry_all(RetryLater {
            after: None,
            reason,
        })
    }
}
