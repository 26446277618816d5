//! The parser for every AC error body shape (reference §1.5): `message`, JSON:API `errors`
//! (array, bare string or keyed object), the legacy `success`/`failureReasons` form and
//! Cloudflare's `retryable` flag.

use serde_json::Value;

/// One entry of a JSON:API-style `errors` array (or the bare-string `errors` form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorItem {
    /// `title`: a short human message (sometimes generic, e.g. "Invalid attribute").
    pub title: Option<String>,
    /// `detail`: the longer human message, often empty.
    pub detail: Option<String>,
    /// `code`: a machine code such as `duplicate`, `field_missing`, `email_invalid`.
    pub code: Option<String>,
    /// `status`: an HTTP status repeated inside the item.
    pub status: Option<u16>,
    /// `error`: an extra machine code (e.g. `must_be_valid_email_address`).
    pub error: Option<String>,
    /// `source.pointer`: the JSON pointer of the offending attribute (`/data/attributes/email`).
    pub pointer: Option<String>,
}

/// AC's error body, whichever of its shapes it came in (reference §1.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// `message` (`{"message":"No Result found for Subscriber with id 1"}`).
    pub message: Option<String>,
    /// `errors`: the JSON:API array, or one item holding the bare-string form as `title`.
    pub errors: Vec<ErrorItem>,
    /// `success` from the legacy `{"success":0,...}` shape.
    pub success: Option<bool>,
    /// `failureReasons` from the legacy shape.
    pub failure_reasons: Vec<String>,
    /// Cloudflare JSON's `retryable` flag, if present.
    pub retryable: Option<bool>,
    /// The per-contact entries of `failureReasons` (bulk import's
    /// `[{"contact":230,"failureReason":"..."}]`), also rendered into `failure_reasons`.
    pub contact_failures: Vec<ContactFailure>,
}

/// One per-contact entry of a bulk import's `failureReasons`
/// (`{"contact":230,"failureReason":"Field 'email' incorrect format"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFailure {
    /// AC's `contact`: the position of the contact in the request's `contacts` array
    /// (zero-based as far as AC's examples show; AC does not document it).
    pub contact: Option<u64>,
    /// AC's `failureReason`.
    pub reason: String,
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl ErrorBody {
    /// Parses any of AC's error shapes from a JSON value. Unknown shapes give an empty body.
    pub fn from_json(v: &Value) -> Self {
        let mut body = ErrorBody::default();
        let Some(obj) = v.as_object() else {
            if let Some(s) = v.as_str() {
                body.message = Some(s.to_owned());
            }
            return body;
        };
        body.message = obj
            .get("message")
            .and_then(str_of)
            .filter(|s| !s.is_empty());
        if body.message.is_none() {
            body.message = obj.get("error").and_then(str_of).filter(|s| !s.is_empty());
        }
        match obj.get("errors") {
            Some(Value::String(s)) => body.errors.push(ErrorItem {
                title: Some(s.clone()),
                ..ErrorItem::default()
            }),
            Some(Value::Array(items)) => {
                for item in items {
                    if let Some(s) = item.as_str() {
                        body.errors.push(ErrorItem {
                            title: Some(s.to_owned()),
                            ..ErrorItem::default()
                        });
                        continue;
                    }
                    let get = |k: &str| item.get(k).and_then(str_of).filter(|s| !s.is_empty());
                    body.errors.push(ErrorItem {
                        title: get("title"),
                        detail: get("detail"),
                        code: get("code"),
                        status: item.get("status").and_then(|s| match s {
                            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                            Value::String(s) => s.parse().ok(),
                            _ => None,
                        }),
                        error: get("error"),
                        pointer: item
                            .get("source")
                            .and_then(|s| s.get("pointer"))
                            .and_then(str_of),
                    });
                }
            }
            Some(Value::Object(map)) => {
                // {"errors":{"email":"is invalid"}}: keyed by field.
                for (k, v) in map {
                    body.errors.push(ErrorItem {
                        title: str_of(v).or_else(|| Some(v.to_string())),
                        pointer: Some(format!("/data/attributes/{k}")),
                        ..ErrorItem::default()
                    });
                }
            }
            _ => {}
        }
        body.success = obj.get("success").and_then(|s| match s {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|n| n != 0),
            Value::String(s) => match s.as_str() {
                "0" | "false" => Some(false),
                "1" | "true" => Some(true),
                _ => None,
            },
            _ => None,
        });
        if let Some(reasons) = obj.get("failureReasons") {
            match reasons {
                Value::Array(items) => {
                    for item in items {
                        if let Some(reason) = item.get("failureReason") {
                            let reason = str_of(reason).unwrap_or_else(|| reason.to_string());
                            let contact = item.get("contact").and_then(|c| match c {
                                Value::Number(n) => n.as_u64(),
                                Value::String(s) => s.trim().parse().ok(),
                                _ => None,
                            });
                            body.failure_reasons.push(match contact {
                                Some(c) => format!("contact {c}: {reason}"),
                                None => reason.clone(),
                            });
                            body.contact_failures
                                .push(ContactFailure { contact, reason });
                        } else {
                            body.failure_reasons
                                .push(str_of(item).unwrap_or_else(|| item.to_string()));
                        }
                    }
                }
                Value::String(s) => body.failure_reasons.push(s.clone()),
                Value::Object(map) => {
                    body.failure_reasons.extend(map.iter().map(|(k, v)| {
                        format!("{k}: {}", str_of(v).unwrap_or_else(|| v.to_string()))
                    }))
                }
                _ => {}
            }
        }
        body.retryable = obj.get("retryable").and_then(Value::as_bool);
        body
    }

    /// The human messages AC sent: `message`, each error's `title` and `detail`, and any
    /// `failureReasons`, in that order, without empties or repeats.
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |s: &str| {
            let s = s.trim();
            if !s.is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        };
        if let Some(m) = &self.message {
            push(m);
        }
        for e in &self.errors {
            if let Some(t) = &e.title {
                push(t);
            }
            if let Some(d) = &e.detail {
                push(d);
            }
        }
        for r in &self.failure_reasons {
            push(r);
        }
        out
    }

    /// The first `source.pointer` in the errors (e.g. `/data/attributes/email`).
    pub fn pointer(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| e.pointer.as_deref())
    }

    /// The attribute named by the first pointer: `email` for `/data/attributes/email`.
    pub fn field(&self) -> Option<&str> {
        self.pointer()
            .and_then(|p| p.rsplit('/').next())
            .filter(|s| !s.is_empty())
    }

    /// The first machine `code` in the errors (e.g. `duplicate`).
    pub fn code(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| e.code.as_deref())
    }

    /// True when nothing was parsed (e.g. `{}`).
    pub fn is_empty(&self) -> bool {
        self == &ErrorBody::default()
    }

    pub(crate) fn is_not_found_message(&self) -> bool {
        self.messages().iter().any(|m| {
            let m = m.to_ascii_lowercase();
            m.starts_with("no result found") || m.contains("not found")
        })
    }
}
