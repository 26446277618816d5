//! How each message ended: applied (with the AC calls made), skipped (with the reason), or
//! failed (typed, saying whether retrying can help).

use serde::Serialize;

/// The three ends of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every action ran.
    Applied,
    /// Nothing needed doing; the reason says why.
    Skipped,
    /// It could not be applied; the failure says why and whether a retry can help.
    Failed,
}

impl Status {
    /// `applied`, `skipped` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

/// What kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The input is not a readable message (bad JSON, no `type`).
    Malformed,
    /// The message cannot be mapped (no email, no event name...).
    Mapping,
    /// AC refused the request (4xx other than 429): the message or the account needs fixing.
    Rejected,
    /// AC or the network failed transiently (429, 5xx, a dropped connection, a timeout).
    Unavailable,
    /// The settings do not allow it (no event key for a track...).
    Config,
}

/// A failed message: the step that failed, what went wrong, and whether retrying can help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// The kind.
    pub kind: FailureKind,
    /// One sentence: the step and the cause (never a secret).
    pub message: String,
    /// True when the same message may succeed later unchanged.
    pub retryable: bool,
}

impl Failure {
    /// A failure of `kind`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        let retryable = kind == FailureKind::Unavailable;
        Failure {
            kind,
            message: message.into(),
            retryable,
        }
    }

    /// Classifies an AC error raised while doing `step`.
    pub fn from_ac(step: &str, e: &ac_client::Error) -> Self {
        let kind = if e.is_retryable() || e.is_rate_limited() {
            FailureKind::Unavailable
        } else if matches!(e, ac_client::Error::Config { .. }) {
            FailureKind::Config
        } else {
            FailureKind::Rejected
        };
        Failure::new(kind, format!("{step}: {e}"))
    }
}

/// How one message ended, with the AC calls it made (`"POST /api/3/contact/sync"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Applied, skipped or failed.
    pub status: Status,
    /// Why it was skipped or failed, or what was noticed on the way (unmatched traits...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The failure, for failed messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// The AC calls made for this message, in order (cache loads it triggered included).
    pub calls: Vec<String>,
}

impl Outcome {
    /// Applied, with notes (joined into the reason) and calls.
    pub fn applied(notes: &[String], calls: Vec<String>) -> Self {
        Outcome {
            status: Status::Applied,
            reason: (!notes.is_empty()).then(|| notes.join("; ")),
            failure: None,
            calls,
        }
    }

    /// Skipped, with the reason.
    pub fn skipped(reason: impl Into<String>, calls: Vec<String>) -> Self {
        Outcome {
            status: Status::Skipped,
            reason: Some(reason.into()),
            failure: None,
            calls,
        }
    }

    /// Failed.
    pub fn failed(failure: Failure, calls: Vec<String>) -> Self {
        Outcome {
            status: Status::Failed,
            reason: Some(failure.message.clone()),
            failure: Some(failure),
            calls,
        }
    }

    /// True when a retry may help.
    pub fn is_retryable(&self) -> bool {
        self.failure.as_ref().is_some_and(|f| f.retryable)
    }
}
