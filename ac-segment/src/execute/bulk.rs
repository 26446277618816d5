//! The bulk lane: identifies that AC's bulk import can express, 250 contacts a request, paced
//! within AC's per-minute import limits, each batch followed until `import/info` says it is
//! completed. Per-contact failures (the 400's `failureReasons`, the batch's `failure` list)
//! come back as failed outcomes for exactly those messages.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ac_client::bulk_import::{BulkContact, BulkImport, MAX_CONTACTS};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::{jitter, Calls, Executor};
use crate::outcome::{Failure, FailureKind, Outcome};
use crate::plan::{Action, ListState, Plan};

/// Pacing of the bulk lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOptions {
    /// Multi-contact import requests per minute (AC allows 100; the lane keeps any 60 s window
    /// at or under this).
    pub per_minute: u32,
    /// Single-contact import requests per minute (AC allows 20), paced the same way.
    pub single_per_minute: u32,
    /// Contacts per request (at most AC's 250).
    pub batch_size: usize,
    /// How long to wait for a batch to complete before failing its contacts as unavailable.
    pub completion_timeout: Duration,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            per_minute: 100,
            single_per_minute: 20,
            batch_size: MAX_CONTACTS,
            completion_timeout: Duration::from_secs(600),
        }
    }
}

/// The lane's pacing state, shared by an executor's clones.
pub(crate) struct BulkLane {
    /// Requests holding several contacts.
    limiter: Arc<DefaultDirectRateLimiter>,
    /// Requests holding one contact (AC counts them apart, with a lower limit).
    single: Arc<DefaultDirectRateLimiter>,
    options: BulkOptions,
}

/// A limiter that keeps any 60 s window at or under `per_minute` requests.
fn per_minute_limiter(per_minute: u32) -> Arc<DefaultDirectRateLimiter> {
    // GCRA allows `burst + rate × 60 s` in any minute: keep that sum at the limit.
    let per_minute = per_minute.max(2);
    let burst = (per_minute / 10).max(1);
    let rate = per_minute - burst;
    let period = Duration::from_secs(60) / rate;
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
    Arc::new(RateLimiter::direct(quota))
}

impl BulkLane {
    pub(crate) fn new(options: BulkOptions) -> Self {
        BulkLane {
            limiter: per_minute_limiter(options.per_minute),
            single: per_minute_limiter(options.single_per_minute),
            options,
        }
    }
}

impl Executor {
    /// The bulk import contact for a plan, when bulk import can express all of it (see
    /// [`crate::plan::bulk_expressible`]).
    pub fn bulk_contact(&self, plan: &Plan) -> Option<BulkContact> {
        if !crate::plan::bulk_expressible(plan) {
            return None;
        }
        let mut contact: Option<BulkContact> = None;
        for action in &plan.actions {
            match action {
                Action::SyncContact {
                    email,
                    first_name,
                    last_name,
                    phone,
                    field_values,
                    ..
                } => {
                    let mut c = BulkContact::new(email.clone());
                    c.first_name = first_name.clone();
                    c.last_name = last_name.clone();
                    c.phone = phone.clone();
                    for fv in field_values {
                        c = c.field(fv.field, fv.value.clone());
                    }
                    if self.settings().exclude_automations {
                        c = c.exclude_automations(true);
                    }
                    contact = Some(c);
                }
                Action::AddTag { name } => contact = contact.map(|c| c.tag(name.clone())),
                Action::SetListStatus { list, status } => {
                    contact = contact.map(|c| match status {
                        ListState::Subscribed => c.subscribe(*list),
                        ListState::Unsubscribed => c.unsubscribe(*list),
                    })
                }
                _ => return None,
            }
        }
        contact.filter(|c| c.validate().is_ok())
    }

    /// The batch size the lane uses.
    pub fn bulk_batch_size(&self) -> usize {
        self.inner.bulk.options.batch_size.clamp(1, MAX_CONTACTS)
    }

    /// Imports `contacts` (at most [`Executor::bulk_batch_size`]; more are split) and waits
    /// until AC has applied them. One outcome per contact, in order.
    pub async fn import_bulk(&self, contacts: Vec<BulkContact>) -> Vec<Outcome> {
        let mut out = Vec::with_capacity(contacts.len());
        let size = self.bulk_batch_size();
        let mut rest = contacts;
        while !rest.is_empty() {
            let tail = rest.split_off(size.min(rest.len()));
            out.extend(self.import_batch(rest).await);
            rest = tail;
        }
        out
    }

    async fn import_batch(&self, contacts: Vec<BulkContact>) -> Vec<Outcome> {
        let calls = Calls::new(&self.inner.calls);
        let n = contacts.len();
        let mut results: Vec<Option<Failure>> = vec![None; n];
        // Positions (in `contacts`) still to send.
        let mut pending: Vec<usize> = (0..n).collect();
        let mut batch_id = None;
        let mut wait = Duration::from_secs(1);
        for _round in 0..12 {
            if pending.is_empty() {
                break;
            }
            let body = BulkImport::new(pending.iter().map(|&i| contacts[i].clone()).collect());
            let limiter = if pending.len() == 1 {
                &self.inner.bulk.single
            } else {
                &self.inner.bulk.limiter
            };
            limiter.until_ready().await;
            calls.push(format!(
                "POST /api/3/import/bulk_import ({} contacts)",
                pending.len()
            ));
            match self.client().bulk_import().import(&body).await {
                Ok(resp) => {
                    batch_id = Some(resp.batch_id);
                    break;
                }
                Err(e) if !e.contact_failures().is_empty() => {
                    let mut rejected = Vec::new();
                    for f in e.contact_failures() {
                        if let Some(&pos) = f
                            .contact
                            .and_then(|i| pending.get(usize::try_from(i).ok()?))
                        {
                            results[pos] = Some(Failure::new(
                                FailureKind::Rejected,
                                format!("bulk import rejected the contact: {}", f.reason),
                            ));
                            rejected.push(pos);
                        }
                    }
                    if rejected.is_empty() {
                        return self.fail_all(&pending, results, &e, calls);
                    }
                    pending.retain(|p| !rejected.contains(p));
                }
                // Rate limited (AC's 400 "Rate limit exceeded." or a 429), or transient: the
                // import is an upsert of the same data, so sending it again is harmless.
                Err(e) if e.is_rate_limited() || e.is_retryable() => {
                    let pause = e.retry_after().unwrap_or(wait).min(Duration::from_secs(60));
                    tracing::debug!(?pause, error = %e, "bulk import deferred");
                    tokio::time::sleep(jitter(pause)).await;
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
                Err(e) => return self.fail_all(&pending, results, &e, calls),
            }
        }
        let Some(batch_id) = batch_id else {
            if pending.is_empty() {
                return finish(results, calls.take());
            }
            let f = Failure::new(
                FailureKind::Unavailable,
                "bulk import: AC kept refusing the batch (rate limit or server errors)",
            );
            for &p in &pending {
                results[p] = Some(f.clone());
            }
            return finish(results, calls.take());
        };
        if let Err(f) = self
            .await_batch(&batch_id, &contacts, &pending, &mut results, &calls)
            .await
        {
            for &p in &pending {
                results[p].get_or_insert_with(|| f.clone());
            }
        }
        finish(results, calls.take())
    }

    /// Polls `import/info` until the batch is completed, then marks the contacts AC lists as
    /// failed.
    async fn await_batch(
        &self,
        batch_id: &str,
        contacts: &[BulkContact],
        pending: &[usize],
        results: &mut [Option<Failure>],
        calls: &Calls<'_>,
    ) -> Result<(), Failure> {
        let started = Instant::now();
        let mut poll = Duration::from_millis(200);
        loop {
            calls.push("GET /api/3/import/info");
            match self.client().bulk_import().info(batch_id).await {
                Ok(info) if info.status.eq_ignore_ascii_case("completed") => {
                    for email in &info.failure {
                        for &p in pending {
                            if contacts[p].email.eq_ignore_ascii_case(email) {
                                results[p] = Some(Failure::new(
                                    FailureKind::Rejected,
                                    format!("bulk import batch {batch_id} reports the contact as failed"),
                                ));
                            }
                        }
                    }
                    return Ok(());
                }
                Ok(_) => {}
                Err(e) if e.is_retryable() || e.is_rate_limited() => {}
                Err(e) => {
                    return Err(Failure::from_ac(
                        &format!("reading bulk import batch {batch_id}"),
                        &e,
                    ))
                }
            }
            if started.elapsed() > self.inner.bulk.options.completion_timeout {
                return Err(Failure::new(
                    FailureKind::Unavailable,
                    format!("bulk import batch {batch_id} did not complete in time"),
                ));
            }
            tokio::time::sleep(poll).await;
            poll = (poll * 2).min(Duration::from_secs(5));
        }
    }

    fn fail_all(
        &self,
        pending: &[usize],
        mut results: Vec<Option<Failure>>,
        e: &ac_client::Error,
        calls: Calls<'_>,
    ) -> Vec<Outcome> {
        let f = Failure::from_ac("bulk import", e);
        for &p in pending {
            results[p] = Some(f.clone());
        }
        finish(results, calls.take())
    }
}

fn finish(results: Vec<Option<Failure>>, calls: Vec<String>) -> Vec<Outcome> {
    results
        .into_iter()
        .map(|r| match r {
            None => Outcome::applied(&[], calls.clone()),
            Some(f) => Outcome::failed(f, calls.clone()),
        })
        .collect()
}
