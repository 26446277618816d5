//! Batching for [`BulkImports::import_all`]: splitting any number of contacts into requests
//! within AC's limits, re-sending a batch without the contacts AC rejected, and the report.

use super::{BulkCallback, BulkContact, BulkImport, BulkImports, MAX_BODY_BYTES, MAX_CONTACTS};
use crate::error::{ContactFailure, Error, Result};

/// Where a per-contact failure was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOrigin {
    /// Client-side validation: the contact was never sent.
    Client,
    /// AC's `failureReasons` for the batch the contact was in.
    Server,
}

/// One contact that [`BulkImports::import_all`] could not import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFailure {
    /// The contact's position in the caller's input (`None` when AC named a position that is
    /// not in the batch).
    pub index: Option<usize>,
    /// The contact's email, when known.
    pub email: Option<String>,
    /// Why.
    pub reason: String,
    /// Client-side validation or AC.
    pub origin: FailureOrigin,
}

/// The outcome of [`BulkImports::import_all`].
#[derive(Debug, Default)]
pub struct ImportReport {
    /// One batch id per accepted request, in order.
    pub batch_ids: Vec<String>,
    /// Contacts AC queued, summed over the accepted requests.
    pub queued: u64,
    /// Contacts not imported, with their input index and the reason.
    pub failures: Vec<ImportFailure>,
    /// The error that stopped the import early (rate limit, server error, ...), if any.
    /// The contacts not sent because of it are in `not_sent`.
    pub error: Option<Error>,
    /// Input indices of valid contacts that were not sent because of `error`.
    pub not_sent: Vec<usize>,
}

impl ImportReport {
    /// True when every contact was queued.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty() && self.error.is_none() && self.not_sent.is_empty()
    }
}

/// Options of [`BulkImports::import_all`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// A callback sent with every batch.
    pub callback: Option<BulkCallback>,
    /// The most contacts per request (capped at [`MAX_CONTACTS`]).
    pub max_contacts: usize,
    /// The largest request body (capped at [`MAX_BODY_BYTES`]).
    pub max_bytes: usize,
    /// How many times a batch rejected for some contacts is re-sent without them.
    pub resend_rounds: u32,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            callback: None,
            max_contacts: MAX_CONTACTS,
            max_bytes: MAX_BODY_BYTES,
            resend_rounds: 2,
        }
    }
}

/// Batches (positions in the input slice) and contacts too big for any batch
/// (position, serialized size).
pub(crate) type BatchPlan = (Vec<Vec<usize>>, Vec<(usize, usize)>);

/// Splits valid contacts (with their input indices) into batches of at most `max_contacts`
/// contacts and `max_bytes` bytes of JSON, measured on the serialized body. Contacts too big
/// for any batch come back in the second list.
pub(crate) fn plan_batches(
    contacts: &[(usize, BulkContact)],
    callback: Option<&BulkCallback>,
    max_contacts: usize,
    max_bytes: usize,
) -> Result<BatchPlan> {
    let max_contacts = max_contacts.clamp(1, MAX_CONTACTS);
    let max_bytes = max_bytes.min(MAX_BODY_BYTES);
    let empty = BulkImport {
        contacts: Vec::new(),
        callback: callback.cloned(),
    };
    let overhead = serde_json::to_vec(&empty)
        .map_err(|e| Error::invalid("callback", e.to_string()))?
        .len();
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut too_big = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut size = overhead;
    for (pos, (_, c)) in contacts.iter().enumerate() {
        let len = serde_json::to_vec(c)
            .map_err(|e| Error::invalid("contacts", e.to_string()))?
            .len();
        if overhead + len > max_bytes {
            too_big.push((pos, len));
            continue;
        }
        let added = len + usize::from(!current.is_empty());
        if !current.is_empty() && (current.len() >= max_contacts || size + added > max_bytes) {
            batches.push(std::mem::take(&mut current));
            size = overhead;
        }
        size += len + usize::from(!current.is_empty());
        current.push(pos);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    Ok((batches, too_big))
}

impl BulkImports<'_> {
    /// Imports any number of contacts: validates each (client-side failures are reported, not
    /// sent), splits the rest into batches within AC's limits (≤ [`MAX_CONTACTS`] contacts and
    /// ≤ [`MAX_BODY_BYTES`] bytes, measured on the serialized JSON), and sends them one after
    /// the other.
    ///
    /// When AC rejects a batch for some contacts (400 `failureReasons`, nothing queued), those
    /// contacts are reported with their input index and the rest of the batch is sent again
    /// (up to [`ImportOptions::resend_rounds`] times). Any other error (rate limit, server or
    /// connection error) stops the import: it is in [`ImportReport::error`] and the contacts
    /// not sent are in [`ImportReport::not_sent`], so the caller can wait and resume.
    ///
    /// AC's `failureReasons[].contact` is read as the zero-based position in the request's
    /// `contacts` array (AC does not document the base).
    pub async fn import_all(
        &self,
        contacts: impl IntoIterator<Item = BulkContact>,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        if let Some(cb) = &options.callback {
            cb.validate()?;
        }
        let mut report = ImportReport::default();
        let mut valid: Vec<(usize, BulkContact)> = Vec::new();
        for (index, c) in contacts.into_iter().enumerate() {
            match c.validate() {
                Ok(()) => valid.push((index, c)),
                Err(e) => report.failures.push(ImportFailure {
                    index: Some(index),
                    email: Some(c.email.clone()),
                    reason: e.to_string(),
                    origin: FailureOrigin::Client,
                }),
            }
        }
        let (batches, too_big) = plan_batches(
            &valid,
            options.callback.as_ref(),
            options.max_contacts,
            options.max_bytes,
        )?;
        for (pos, len) in too_big {
            let (index, c) = &valid[pos];
            report.failures.push(ImportFailure {
                index: Some(*index),
                email: Some(c.email.clone()),
                reason: format!(
                    "the contact alone serializes to {len} bytes, over the {} byte request limit",
                    options.max_bytes.min(MAX_BODY_BYTES)
                ),
                origin: FailureOrigin::Client,
            });
        }
        for (n, batch) in batches.iter().enumerate() {
            let mut members: Vec<usize> = batch.clone();
            let mut rounds = 0;
            loop {
                let import = BulkImport {
                    contacts: members.iter().map(|&p| valid[p].1.clone()).collect(),
                    callback: options.callback.clone(),
                };
                match self.import(&import).await {
                    Ok(resp) => {
                        report.queued += resp.queued_contacts;
                        report.batch_ids.push(resp.batch_id);
                        break;
                    }
                    Err(e) if !e.contact_failures().is_empty() && !e.is_rate_limited() => {
                        let rejected =
                            map_failures(e.contact_failures(), &members, &valid, &mut report);
                        members = members
                            .into_iter()
                            .enumerate()
                            .filter(|(i, _)| !rejected.contains(i))
                            .map(|(_, p)| p)
                            .collect();
                        rounds += 1;
                        if rejected.is_empty() || rounds > options.resend_rounds {
                            // No progress possible: report the rest of the batch as failed.
                            for &p in &members {
                                report.failures.push(ImportFailure {
                                    index: Some(valid[p].0),
                                    email: Some(valid[p].1.email.clone()),
                                    reason: format!("the batch was rejected: {e}"),
                                    origin: FailureOrigin::Server,
                                });
                            }
                            break;
                        }
                        if members.is_empty() {
                            break;
                        }
                    }
                    Err(e) => {
                        report.not_sent.extend(members.iter().map(|&p| valid[p].0));
                        for rest in &batches[n + 1..] {
                            report.not_sent.extend(rest.iter().map(|&p| valid[p].0));
                        }
                        report.error = Some(e);
                        return Ok(report);
                    }
                }
            }
        }
        Ok(report)
    }
}

/// Records AC's per-contact failures of a batch; returns the rejected positions in the batch.
fn map_failures(
    failures: &[ContactFailure],
    members: &[usize],
    valid: &[(usize, BulkContact)],
    report: &mut ImportReport,
) -> Vec<usize> {
    let mut rejected = Vec::new();
    for f in failures {
        let in_batch = f
            .contact
            .and_then(|c| usize::try_from(c).ok())
            .filter(|&c| c < members.len());
        let input = in_batch.map(|c| &valid[members[c]]);
        report.failures.push(ImportFailure {
            index: input.map(|(i, _)| *i),
            email: input.map(|(_, c)| c.email.clone()),
            reason: f.reason.clone(),
            origin: FailureOrigin::Server,
        });
        if let Some(c) = in_batch {
            if !rejected.contains(&c) {
                rejected.push(c);
            }
        }
    }
    rejected
}
