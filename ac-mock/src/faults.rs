//! Fault injection: rules added through `POST /__admin/faults` (or `--fault JSON`) that make
//! matching requests fail the way a real AC account sometimes does: a status with headers and
//! body (429 with `Retry-After`, 503), a delay, a connection closed without an answer, an HTML
//! login page with 200, or a Cloudflare 502 page.
//!
//! Rules are tried in the order they were added. A rule matches on method (any when absent)
//! and on an exact `path` or a `path_prefix`. A rule with `probability` draws from its own
//! random generator (seeded with `seed` for repeatable runs); a failed draw falls through to
//! the next rule. A rule with `times` is removed after that many hits.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A fault rule as posted to `POST /__admin/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method to match (case-insensitive); any method when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Exact path to match, e.g. `/api/3/tags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Path prefix to match, e.g. `/api/3/` (used when `path` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// How many times the rule fires before it expires; forever when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Chance (0.0–1.0) that a matching request is faulted; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Seed of the rule's random generator, for repeatable `probability` draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Answer with this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Extra response headers (with `status`), e.g. `{"Retry-After": "30"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Response body (with `status`): a JSON string is sent as plain text, anything else as
    /// JSON. Default: `{"message": "<reason phrase>"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Wait this long first; alone, the request is then served normally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Close the connection without an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_connection: Option<bool>,
    /// Answer with an HTML page: `login` (200) or `cloudflare` (502).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<HtmlPage>,
}

/// The HTML pages a fault can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HtmlPage {
    /// 200 with AC's login page, as a wrong account URL or an expired session gives.
    Login,
    /// 502 with Cloudflare's "Bad gateway" page.
    Cloudflare,
}

/// What a matched rule does to the request.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    /// Serve the request normally (after the delay).
    Pass,
    /// Answer with this status, headers and body.
    Respond {
        /// Status.
        status: StatusCode,
        /// Headers.
        headers: Vec<(HeaderName, HeaderValue)>,
        /// Body.
        body: Option<Value>,
    },
    /// Close the connection without an answer.
    Drop,
    /// Answer with an HTML page.
    Html(HtmlPage),
}

/// A rule that matched: how long to wait, then what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// The rule's id.
    pub rule: u64,
    /// Milliseconds to wait before acting.
    pub delay_ms: u64,
    /// The action.
    pub action: FaultAction,
}

impl FaultRule {
    /// Checks the rule and turns it into its action; the error says what is wrong.
    pub fn action(&self) -> Result<FaultAction, String> {
        if let Some(m) = &self.method {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(format!(
                    "\"method\" must be an HTTP method such as GET, got {m:?}"
                ));
            }
        }
        if self.path.is_some() && self.path_prefix.is_some() {
            return Err("give \"path\" (exact) or \"path_prefix\", not both".into());
        }
        for p in [&self.path, &self.path_prefix].into_iter().flatten() {
            if !p.starts_with('/') {
                return Err(format!("paths start with '/', got {p:?}"));
            }
        }
        if self.times == Some(0) {
            return Err(
                "\"times\" must be at least 1 (leave it out for a rule that never expires)".into(),
            );
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "\"probability\" must be between 0.0 and 1.0, got {p}"
                ));
            }
        }
        let drop = self.drop_connection == Some(true);
        let chosen = usize::from(self.status.is_some())
            + usize::from(drop)
            + usize::from(self.html.is_some());
        if chosen > 1 {
            return Err("give one action: \"status\", \"drop_connection\" or \"html\" (\"delay_ms\" may be added to any)".into());
        }
        if (self.headers.is_some() || self.body.is_some()) && self.status.is_none() {
            return Err("\"headers\" and \"body\" go with \"status\"".into());
        }
        if chosen == 0 && self.delay_ms.is_none() {
            return Err("a rule needs an action: \"status\", \"delay_ms\", \"drop_connection\": true or \"html\": \"login\"|\"cloudflare\"".into());
        }
        if drop {
            return Ok(FaultAction::Drop);
        }
        if let Some(page) = self.html {
            return Ok(FaultAction::Html(page));
        }
        let Some(code) = self.status else {
            return Ok(FaultAction::Pass);
        };
        let status = StatusCode::from_u16(code)
            .ok()
            .filter(|_| (100..=599).contains(&code))
            .ok_or_else(|| format!("\"status\" must be an HTTP status (100–599), got {code}"))?;
        let mut headers = Vec::new();
        for (k, v) in self.headers.iter().flatten() {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| format!("invalid header name {k:?}"))?;
            let value =
                HeaderValue::from_str(v).map_err(|_| format!("invalid value for header {k:?}"))?;
            headers.push((name, value));
        }
        Ok(FaultAction::Respond {
            status,
            headers,
            body: self.body.clone(),
        })
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && match (&self.path, &self.path_prefix) {
                (Some(p), _) => p == path,
                (None, Some(prefix)) => path.starts_with(prefix.as_str()),
                (None, None) => true,
            }
    }
}

#[derive(Debug)]
struct Active {
    id: u64,
    rule: FaultRule,
    action: FaultAction,
    remaining: Option<u64>,
    hits: u64,
    rng: StdRng,
}

/// The fault rules in force, in the order they were added.
#[derive(Debug, Default)]
pub struct Faults {
    next_id: u64,
    rules: Vec<Active>,
}

impl Faults {
    /// Adds a rule; returns its id, or what is wrong with it.
    pub fn add(&mut self, rule: FaultRule) -> Result<u64, String> {
        let action = rule.action()?;
        self.next_id += 1;
        let id = self.next_id;
        let rng = match rule.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        self.rules.push(Active {
            id,
            remaining: rule.times,
            rule,
            action,
            hits: 0,
            rng,
        });
        Ok(id)
    }

    /// The rules as `GET /__admin/faults` shows them: each with `id`, `remaining` and `hits`.
    pub fn list(&self) -> Vec<Value> {
        self.rules
            .iter()
            .map(|a| {
                let mut v = serde_json::to_value(&a.rule).unwrap_or_else(|_| json!({}));
                v["id"] = json!(a.id);
                v["hits"] = json!(a.hits);
                if let Some(r) = a.remaining {
                    v["remaining"] = json!(r);
                }
                v
            })
            .collect()
    }

    /// Removes one rule; false when there is no such rule.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|a| a.id != id);
        self.rules.len() != before
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// True when no rule is in force (the fast path).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first rule that matches and wins its draw; counts the hit and expires the rule
    /// when its `times` are used up.
    pub fn pick(&mut self, method: &str, path: &str) -> Option<Fault> {
        let mut found = None;
        for (i, a) in self.rules.iter_mut().enumerate() {
            if !a.rule.matches(method, path) {
                continue;
            }
            if let Some(p) = a.rule.probability {
                if a.rng.random::<f64>() >= p {
                    continue;
                }
            }
            a.hits += 1;
            if let Some(r) = a.remaining.as_mut() {
                *r = r.saturating_sub(1);
            }
            found = Some((
                i,
                Fault {
                    rule: a.id,
                    delay_ms: a.rule.delay_ms.unwrap_or(0),
                    action: a.action.clone(),
                },
            ));
            break;
        }
        let (i, fault) = found?;
        if self.rules[i].remaining == Some(0) {
            self.rules.remove(i);
        }
        Some(fault)
    }
}

/// Marks a response whose connection is to be closed without an answer (the journal records
/// status 0 for it).
#[derive(Debug, Clone, Copy)]
pub struct Dropped;

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Login - ActiveCampaign</title>\n</head>\n<body class=\"login\">\n<form method=\"post\" action=\"/admin/index.php\" id=\"loginform\">\n<input type=\"text\" name=\"user\" placeholder=\"Email or Username\">\n<input type=\"password\" name=\"password\" placeholder=\"Password\">\n<button type=\"submit\">Log In</button>\n</form>\n</body>\n</html>\n";

const CLOUDFLARE_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

/// The response a fault answers with (`Pass` is not a response: the caller serves normally).
pub fn respond(action: &FaultAction) -> Option<Response> {
    let html = |status: StatusCode, page: &'static str| {
        let mut res = Response::new(Body::from(page));
        *res.status_mut() = status;
        res.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=UTF-8"),
        );
        res
    };
    match action {
        FaultAction::Pass => None,
        FaultAction::Html(HtmlPage::Login) => Some(html(StatusCode::OK, LOGIN_PAGE)),
        FaultAction::Html(HtmlPage::Cloudflare) => {
            let mut res = html(StatusCode::BAD_GATEWAY, CLOUDFLARE_PAGE);
            res.headers_mut()
                .insert("server", HeaderValue::from_static("cloudflare"));
            Some(res)
        }
        FaultAction::Drop => {
            // A body that fails before its first byte makes hyper close the connection
            // without writing the response head.
            let failing = futures_util::stream::once(async {
                Err::<Bytes, _>(std::io::Error::other("fault rule: drop_connection"))
            });
            let mut res = Response::new(Body::from_stream(failing));
            res.extensions_mut().insert(Dropped);
            Some(res)
        }
        FaultAction::Respond {
            status,
            headers,
            body,
        } => {
            let (content_type, bytes) = match body {
                Some(Value::String(text)) => {
                    ("text/plain; charset=utf-8", text.clone().into_bytes())
                }
                Some(v) => (
                    "application/json",
                    serde_json::to_vec(v).unwrap_or_default(),
                ),
                None => (
                    "application/json",
                    serde_json::to_vec(&json!({
                        "message": status.canonical_reason().unwrap_or("Error")
                    }))
                    .unwrap_or_default(),
                ),
            };
            let mut res = Response::new(Body::from(bytes));
            *res.status_mut() = *status;
            res.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            );
            for (k, v) in headers {
                res.headers_mut().insert(k.clone(), v.clone());
            }
            Some(res)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(v: Value) -> FaultRule {
        serde_json::from_value(v).expect("rule")
    }

    #[test]
    fn times_expires_the_rule() {
        let mut f = Faults::default();
        f.add(rule(
            json!({"path": "/api/3/tags", "status": 503, "times": 2}),
        ))
        .expect("add");
        assert!(f.pick("GET", "/api/3/tags").is_some());
        assert!(f.pick("GET", "/api/3/tags").is_some());
        assert!(f.pick("GET", "/api/3/tags").is_none());
        assert!(f.is_empty());
    }

    #[test]
    fn a_failed_draw_falls_through_to_the_next_rule_and_seeds_repeat() {
        let draws = |seed: u64| {
            let mut f = Faults::default();
            f.add(rule(
                json!({"path_prefix": "/api/3/", "status": 500, "probability": 0.5, "seed": seed}),
            ))
            .expect("add");
            f.add(rule(json!({"path_prefix": "/api/3/", "status": 429})))
                .expect("add");
            (0..64)
                .map(|_| f.pick("GET", "/api/3/contacts").map(|x| x.rule))
                .collect::<Vec<_>>()
        };
        let a = draws(7);
        assert_eq!(a, draws(7));
        assert!(a.contains(&Some(1)) && a.contains(&Some(2)));
    }

    #[test]
    fn method_and_exact_path_must_match() {
        let mut f = Faults::default();
        f.add(rule(
            json!({"method": "post", "path": "/api/3/tags", "status": 500}),
        ))
        .expect("add");
        assert!(f.pick("GET", "/api/3/tags").is_none());
        assert!(f.pick("POST", "/api/3/tags/1").is_none());
        assert!(f.pick("POST", "/api/3/tags").is_some());
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        for (v, needle) in [
            (json!({"path": "/x"}), "needs an action"),
            (json!({"status": 429, "html": "login"}), "one action"),
            (json!({"status": 99}), "HTTP status"),
            (json!({"status": 500, "probability": 2.0}), "probability"),
            (json!({"status": 500, "times": 0}), "times"),
            (json!({"path": "x", "status": 500}), "start with"),
        ] {
            let err = rule(v.clone()).action().expect_err("invalid");
            assert!(err.contains(needle), "{v}: {err}");
        }
    }
}
