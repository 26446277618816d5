//! Bulk import callbacks (reference §9): said through the same bounded lanes as webhooks.

use super::deliver::{Job, Method};
use super::host::Host;
use super::payload::{push, Form};
use crate::account_id::AccountId;

/// A bulk import's `callback` (reference §9): where and how to say the import completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCallback {
    /// Absolute `http`/`https` URL.
    pub url: String,
    /// `POST` (the default) or `GET`.
    pub post: bool,
    /// `detailed_results`: also list the imported contact ids and the failed emails (POST only).
    pub detailed: bool,
    /// `params`: extra key/value pairs sent with the callback.
    pub params: Vec<(String, String)>,
    /// `headers`: extra request headers.
    pub headers: Vec<(String, String)>,
}

/// Queues a completed bulk import's callback on its URL's lane and logs the attempt in the
/// delivery log (webhook `0`, type `bulk_import_callback`). The request carries the `params`,
/// then `batchId`, `status=completed`, `success_count` and `failure_count`; with
/// `detailed_results` a POST also carries `success[n]` (contact ids) and `failure[n]`
/// (emails), as `GET /import/info` lists them. POST bodies are form-encoded; GET sends the
/// same pairs (without the lists) in the query string. Never retried; a URL that leads to the
/// mock itself is refused.
pub(crate) fn call_import_callback(
    state: impl Host,
    account: AccountId,
    callback: ImportCallback,
    batch_id: String,
    success: Vec<u64>,
    failure: Vec<String>,
) {
    let mut form: Form = callback.params;
    push(&mut form, "batchId", batch_id);
    push(&mut form, "status", "completed");
    push(&mut form, "success_count", success.len().to_string());
    push(&mut form, "failure_count", failure.len().to_string());
    if callback.post && callback.detailed {
        for (i, id) in success.iter().enumerate() {
            push(&mut form, &format!("success[{i}]"), id.to_string());
        }
        for (i, email) in failure.iter().enumerate() {
            push(&mut form, &format!("failure[{i}]"), email.clone());
        }
    }
    let job = Job {
        account,
        webhook: 0,
        url: callback.url,
        event: "bulk_import_callback".into(),
        method: if callback.post {
            Method::Post
        } else {
            Method::Get
        },
        body: serde_urlencoded::to_string(&form).unwrap_or_default(),
        headers: callback.headers,
    };
    let lanes = state.clone();
    state.with_lanes(|out| out.enqueue(vec![job], lanes));
}
