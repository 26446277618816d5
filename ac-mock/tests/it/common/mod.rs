//! Raw-HTTP helpers shared by the integration tests.

pub mod child;

use ac_mock::{MockServer, MockServerBuilder};
use reqwest::Method;
use serde_json::Value;

pub struct Mock {
    pub server: MockServer,
    pub http: reqwest::Client,
}

impl Mock {
    pub async fn start() -> Self {
        Self::with(MockServer::builder()).await
    }

    pub async fn with(builder: MockServerBuilder) -> Self {
        Self {
            server: builder.start().await.expect("start mock"),
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/3{path}", self.server.base_url())
    }

    /// Sends a request with the right token and returns (status, JSON body).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("Api-Token", self.server.api_token());
        if let Some(b) = body {
            req = req.json(&b);
        }
        read(req.send().await.expect("send")).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// `GET /__admin{path}` (no token): status and JSON body.
    pub async fn admin_get(&self, path: &str) -> (u16, Value) {
        let url = format!("{}/__admin{path}", self.server.base_url());
        read(self.http.get(url).send().await.expect("send")).await
    }

    /// Creates a contact and returns its id (as a string, as AC renders it).
    pub async fn contact(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/contacts",
                serde_json::json!({"contact": {"email": email}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["contact"]["id"].as_str().unwrap().to_string()
    }

    /// Creates a text field and returns its id.
    pub async fn field(&self, title: &str) -> String {
        let (status, body) = self
            .post(
                "/fields",
                serde_json::json!({"field": {"title": title, "type": "text"}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["field"]["id"].as_str().unwrap().to_string()
    }

    /// Sends raw bytes with an optional content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("Api-Token", self.server.api_token())
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        read(req.send().await.expect("send")).await
    }
}

/// Status and JSON body; fails the test when the body is not JSON.
pub async fn read(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.bytes().await.expect("body");
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "status {status}: body is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert!(
        ct.starts_with("application/json"),
        "status {status}: content-type {ct}"
    );
    (status, body)
}
