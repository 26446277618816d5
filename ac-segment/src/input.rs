//! Reading messages from a file: NDJSON (one message or batch envelope a line), a JSON array,
//! or one `{"batch":[...]}` envelope (also pretty-printed); gzip is detected by its magic
//! bytes and read transparently. Every record keeps its bytes exactly as read, so a failed one
//! can be dead-lettered unchanged, and where it came from (line, item).
//!
//! ```
//! use ac_segment::input::Records;
//!
//! let text = b"{\"type\":\"track\",\"event\":\"A\"}\nnot json\n{\"batch\":[{\"type\":\"page\"},{\"type\":\"screen\"}]}\n";
//! let records: Vec<_> = Records::new(&text[..]).collect::<Result<_, _>>()?;
//! assert_eq!(records.len(), 4);
//! assert_eq!(records[1].location(), "line 2");
//! assert!(records[1].message.is_err());
//! assert_eq!(records[1].raw, b"not json");
//! assert_eq!(records[3].location(), "line 3, item 2");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::spec::{merge_envelope, Message, SpecError};

/// One input message: where it was, its bytes as read, and the parsed message or why it
/// could not be read.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line where the message (or its array / envelope) starts.
    pub line: usize,
    /// 1-based position inside an array or a batch envelope.
    pub item: Option<usize>,
    /// The bytes exactly as read (the line without its line break, or the item's JSON text).
    pub raw: Vec<u8>,
    /// The message, or why it is not one.
    pub message: Result<Message, SpecError>,
}

impl Record {
    /// `"line 3"` or `"line 1, item 4"`.
    pub fn location(&self) -> String {
        match self.item {
            Some(i) => format!("line {}, item {i}", self.line),
            None => format!("line {}", self.line),
        }
    }
}

/// Opens `path` (`-` = standard input), un-gzipping when the content starts with gzip's magic
/// bytes.
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let reader: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
        })?)
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, reader);
    let gz = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            64 * 1024,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}

/// The records of a reader, in order.
pub struct Records<R> {
    reader: R,
    line: usize,
    queue: VecDeque<Record>,
    /// Lines read ahead while checking for a multi-line document.
    pending_lines: VecDeque<(usize, Vec<u8>)>,
    first: bool,
}

impl<R: BufRead> Records<R> {
    /// Reads records from `reader`.
    pub fn new(reader: R) -> Self {
        Records {
            reader,
            line: 0,
            queue: VecDeque::new(),
            pending_lines: VecDeque::new(),
            first: true,
        }
    }

    fn next_line(&mut self) -> io::Result<Option<(usize, Vec<u8>)>> {
        if let Some(l) = self.pending_lines.pop_front() {
            return Ok(Some(l));
        }
        let mut buf = Vec::new();
        if self.reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(None);
        }
        self.line += 1;
        if buf.ends_with(b"\n") {
            buf.pop();
            if buf.ends_with(b"\r") {
                buf.pop();
            }
        }
        Ok(Some((self.line, buf)))
    }

    /// The first non-blank line decides: an array or a document spanning lines is read whole;
    /// anything else is NDJSON.
    fn start(&mut self, line: usize, bytes: Vec<u8>) -> io::Result<()> {
        let starts = bytes.trim_ascii_start().first().copied();
        let one_line_ok = serde_json::from_slice::<&RawValue>(&bytes).is_ok();
        if starts == Some(b'[') || (starts == Some(b'{') && !one_line_ok) {
            let mut whole = bytes.clone();
            let mut rest = Vec::new();
            self.reader.read_to_end(&mut rest)?;
            whole.push(b'\n');
            whole.extend_from_slice(&rest);
            if let Ok(text) = std::str::from_utf8(&whole) {
                if serde_json::from_str::<&RawValue>(text).is_ok() {
                    self.document(line, text);
                    return Ok(());
                }
            }
            // Not one document: NDJSON after all, the first line included.
            self.pending_lines.push_back((line, bytes));
            for (i, l) in rest.split(|b| *b == b'\n').enumerate() {
                let l = l.strip_suffix(b"\r").unwrap_or(l);
                self.pending_lines.push_back((line + 1 + i, l.to_vec()));
            }
            self.line = line + rest.split(|b| *b == b'\n').count();
            return Ok(());
        }
        self.ndjson_line(line, bytes);
        Ok(())
    }

    fn document(&mut self, line: usize, text: &str) {
        let line_of = |item: &RawValue| {
            let offset = item.get().as_ptr() as usize - text.as_ptr() as usize;
            line + text.as_bytes()[..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
        };
        if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) {
            for (i, item) in items.iter().enumerate() {
                self.queue.push_back(Record {
                    line: line_of(item),
                    item: Some(i + 1),
                    raw: item.get().as_bytes().to_vec(),
                    message: Message::from_slice(item.get().as_bytes()),
                });
            }
            return;
        }
        self.json_value(line, text.trim().as_bytes(), Some(&line_of));
    }

    fn ndjson_line(&mut self, line: usize, bytes: Vec<u8>) {
        self.json_value(line, &bytes, None);
    }

    /// One JSON text: a batch envelope (split into its items) or one message.
    fn json_value(
        &mut self,
        line: usize,
        bytes: &[u8],
        line_of: Option<&dyn Fn(&RawValue) -> usize>,
    ) {
        #[derive(Deserialize)]
        struct Envelope<'a> {
            #[serde(borrow)]
            batch: Vec<&'a RawValue>,
            #[serde(default)]
            context: Option<Map<String, Value>>,
            #[serde(default)]
            integrations: Option<Map<String, Value>>,
        }
        if let Ok(env) = serde_json::from_slice::<Envelope<'_>>(bytes) {
            for (i, item) in env.batch.iter().enumerate() {
                let message = serde_json::from_str::<Value>(item.get())
                    .map_err(|e| SpecError::Json(e.to_string()))
                    .and_then(|v| match v {
                        Value::Object(mut m) => {
                            merge_envelope(&mut m, env.context.as_ref(), env.integrations.as_ref());
                            Message::from_value(Value::Object(m))
                        }
                        other => Message::from_value(other),
                    });
                self.queue.push_back(Record {
                    line: line_of.map_or(line, |f| f(item)),
                    item: Some(i + 1),
                    raw: item.get().as_bytes().to_vec(),
                    message,
                });
            }
            return;
        }
        self.queue.push_back(Record {
            line,
            item: None,
            raw: bytes.to_vec(),
            message: Message::from_slice(bytes),
        });
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.queue.pop_front() {
                return Some(Ok(r));
            }
            let (line, bytes) = match self.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            };
            if bytes.trim_ascii().is_empty() {
                continue;
            }
            if self.first {
                self.first = false;
                if let Err(e) = self.start(line, bytes) {
                    return Some(Err(e));
                }
            } else {
                self.ndjson_line(line, bytes);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Record> {
        Records::new(text.as_bytes())
            .collect::<io::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_pretty_array_keeps_items_and_their_lines() {
        let r =
            read("[\n  {\"type\":\"track\",\"event\":\"A\"},\n  {\"type\":\"page\"},\n  3\n]\n");
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].line, r[0].item), (2, Some(1)));
        assert_eq!((r[2].line, r[2].item), (4, Some(3)));
        assert_eq!(r[0].raw, br#"{"type":"track","event":"A"}"#);
        assert!(r[2].message.is_err());
    }

    #[test]
    fn a_pretty_envelope_is_one_document() {
        let r = read("{\n \"batch\": [\n  {\"type\":\"track\",\"event\":\"A\"}\n ],\n \"context\": {\"ip\":\"1.2.3.4\"}\n}\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].line, 3);
        let m = r[0].message.as_ref().unwrap();
        assert_eq!(m.context["ip"], "1.2.3.4");
    }

    #[test]
    fn a_broken_first_line_is_ndjson_with_a_failure() {
        let r = read("{\"type\":\"track\"\n{\"type\":\"page\"}\r\n\n{\"type\":\"screen\"}");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].line, 1);
        assert!(r[0].message.is_err());
        assert_eq!(r[1].raw, br#"{"type":"page"}"#);
        assert_eq!(r[2].line, 4);
    }

    #[test]
    fn gzip_is_detected() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"type\":\"track\",\"event\":\"A\"}\n")
            .unwrap();
        let bytes = gz.finish().unwrap();
        let dir = std::env::temp_dir().join(format!("ac-segment-gz-{}", std::process::id()));
        std::fs::write(&dir, bytes).unwrap();
        let r: Vec<_> = Records::new(open(&dir).unwrap())
            .collect::<io::Result<_>>()
            .unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(r.len(), 1);
        assert!(r[0].message.is_ok());
    }
}
