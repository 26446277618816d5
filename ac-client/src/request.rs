//! The escape hatch: [`Client::request`] for endpoints this crate does not cover yet.
//!
//! A [`RequestBuilder`] goes through the same path as every typed call: the rate limiter,
//! retries (by the client's policy, or one set with [`RequestBuilder::retry_policy`]), the
//! `Api-Token` header, AC's error shapes parsed into [`Error`], token redaction and the
//! `ac_request` tracing span.
//!
//! ```no_run
//! use ac_client::{Client, Method};
//! use serde_json::{json, Value};
//!
//! # async fn run(client: Client) -> ac_client::Result<()> {
//! // `GET /api/3/users?limit=5`
//! let users: Value = client
//!     .request(Method::GET, "users")
//!     .query("limit", "5")
//!     .send()
//!     .await?;
//! // A POST AC treats as an upsert may be marked idempotent, so 5xx answers are retried.
//! let _: Value = client
//!     .request(Method::POST, "contactAutomations")
//!     .json(&json!({"contactAutomation": {"contact": "1", "automation": "2"}}))?
//!     .send()
//!     .await?;
//! # let _ = users;
//! # Ok(())
//! # }
//! ```

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::retry::{Idempotency, RetryPolicy};

/// A request to any path below `/api/3`, built by [`Client::request`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'c> {
    client: &'c Client,
    req: Result<ApiRequest>,
}

impl Client {
    /// A request to `path` below the API base (`"users"`, `"/contacts/1/notes"`): for endpoints
    /// the typed handlers do not cover. GET, PUT, DELETE and friends are retried after 5xx and
    /// connection errors; POST and PATCH only after 429 unless marked
    /// [`RequestBuilder::idempotent`]. `path` must not hold a query (use
    /// [`RequestBuilder::query`]), a scheme, a host or `..` segments.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        let idempotency = if method == Method::POST || method == Method::PATCH {
            Idempotency::NonIdempotent
        } else {
            Idempotency::Idempotent
        };
        let req = check_path(path).map(|p| ApiRequest::new(method, p, idempotency));
        RequestBuilder { client: self, req }
    }
}

/// Keeps the token on the API host: a relative path without query, fragment or `..`.
fn check_path(path: &str) -> Result<String> {
    let p = path.trim().trim_start_matches('/');
    let p = p.strip_prefix("api/3/").unwrap_or(p);
    let bad = p.is_empty()
        || p.contains("://")
        || p.contains(['?', '#', '\\'])
        || p.split('/').any(|seg| seg == ".." || seg == ".");
    if bad {
        return Err(Error::invalid(
            "path",
            format!("`{path}` is not a relative API path (e.g. `users` or `contacts/1/notes`; put the query in .query())"),
        ));
    }
    Ok(p.to_owned())
}

impl RequestBuilder<'_> {
    /// Adds a query parameter (repeat it for several values: `ids[]`, ...).
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        if let Ok(req) = &mut self.req {
            req.query.push((key.into(), value.to_string()));
        }
        self
    }

    /// Sets a JSON body (`Content-Type: application/json`).
    pub fn json(self, body: &impl Serialize) -> Result<Self> {
        let client = self.client;
        let req = self.req?.json(body)?;
        Ok(RequestBuilder {
            client,
            req: Ok(req),
        })
    }

    /// Marks the call as safe to repeat (an upsert POST), so 5xx answers and connection
    /// errors are retried like a GET; `false` marks it as a plain create.
    pub fn idempotent(mut self, yes: bool) -> Self {
        if let Ok(req) = &mut self.req {
            req.idempotency = if yes {
                Idempotency::Idempotent
            } else {
                Idempotency::NonIdempotent
            };
        }
        self
    }

    /// A retry policy for this call only.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        if let Ok(req) = &mut self.req {
            req.retry = Some(policy);
        }
        self
    }

    /// Sends the request and decodes the JSON answer (`serde_json::Value` for anything).
    pub async fn send<T: DeserializeOwned>(self) -> Result<T> {
        self.client.send(self.req?).await
    }

    /// Sends the request and ignores the answer's body (deletes answer `{}` or nothing).
    pub async fn send_empty(self) -> Result<()> {
        self.client.send_empty(self.req?).await
    }
}

#[cfg(test)]
mod tests {
    use super::check_path;

    #[test]
    fn paths_stay_relative() {
        assert_eq!(check_path("users").ok().as_deref(), Some("users"));
        assert_eq!(
            check_path("/contacts/1/notes").ok().as_deref(),
            Some("contacts/1/notes")
        );
        assert_eq!(check_path("/api/3/users").ok().as_deref(), Some("users"));
        for bad in [
            "",
            "https://evil.example/x",
            "users?limit=1",
            "../admin",
            "a/./b",
            "a#b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
