//! [`Client`] and its [`ClientBuilder`].

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{Error, Result};
use crate::rate::{Limiter, RateLimit};
use crate::retry::RetryPolicy;

/// The default tracking host for event tracking (`/event`) and site tracking.
pub const DEFAULT_TRACKING_URL: &str = "https://trackcmp.net";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An ActiveCampaign v3 API client.
///
/// Cheap to clone: clones share the HTTP connection pool and the rate limiter. Build one with
/// [`Client::builder`] or [`Client::from_env`], then use a resource handler such as
/// [`Client::contacts`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// The retry policy of calls made through this handle (see [`Client::with_retry_policy`]).
    pub(crate) retry: RetryPolicy,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// `https://acct.api-us1.com/api/3`, no trailing slash.
    pub(crate) api_base: String,
    pub(crate) token: SecretString,
    pub(crate) token_header: HeaderValue,
    pub(crate) tracking_url: Url,
    pub(crate) actid: Option<String>,
    pub(crate) event_key: Option<SecretString>,
    pub(crate) limiter: Option<Limiter>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.inner.api_base)
            .field("api_token", &"[REDACTED]")
            .field("tracking_url", &self.inner.tracking_url.as_str())
            .field("actid", &self.inner.actid)
            .field(
                "event_key",
                &self.inner.event_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("retry", &self.retry)
            .field("rate_limited", &self.inner.limiter.is_some())
            .finish()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from the environment: `AC_API_URL` and `AC_API_TOKEN` (required),
    /// `AC_ACTID`, `AC_EVENT_KEY` and `AC_TRACKING_URL` (optional). Other settings take their
    /// defaults; use [`ClientBuilder::from_env`] to change them.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The API base URL requests go to (`https://acct.api-us1.com/api/3`).
    pub fn api_base(&self) -> &str {
        &self.inner.api_base
    }

    /// The tracking host (default [`DEFAULT_TRACKING_URL`]).
    pub fn tracking_url(&self) -> &Url {
        &self.inner.tracking_url
    }

    /// The tracking account id (`actid`), if configured.
    pub fn actid(&self) -> Option<&str> {
        self.inner.actid.as_deref()
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// This client with another retry policy, for the calls made through the returned handle
    /// only. It shares the connection pool, the rate limiter and the credentials; the original
    /// client keeps its policy.
    ///
    /// ```no_run
    /// use ac_client::{contacts::ContactInput, Client, RetryPolicy};
    ///
    /// # async fn run(client: Client) -> ac_client::Result<()> {
    /// // Fail fast on this one call; every other call keeps the client's policy.
    /// client
    ///     .with_retry_policy(RetryPolicy::none())
    ///     .contacts()
    ///     .sync(ContactInput::new("ada@example.com"))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            retry: policy,
        }
    }
}

/// Configures and builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use ac_client::{Client, RateLimit, RetryPolicy};
///
/// let client = Client::builder()
///     .api_url("https://youraccount.api-us1.com")
///     .api_token("your-api-token")
///     .timeout(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::default().max_attempts(3))
///     .rate_limit(RateLimit::per_second(5))
///     .build()?;
/// assert_eq!(client.api_base(), "https://youraccount.api-us1.com/api/3");
///
/// // Plain http is refused except for loopback hosts (e.g. a local mock).
/// let err = Client::builder()
///     .api_url("http://youraccount.api-us1.com")
///     .api_token("t")
///     .build()
///     .unwrap_err();
/// assert!(err.to_string().contains("https"));
/// # Ok::<(), ac_client::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_url: Option<String>,
    api_token: Option<SecretString>,
    tracking_url: Option<String>,
    actid: Option<String>,
    event_key: Option<SecretString>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: RetryPolicy,
    rate_limit: RateLimit,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_url", &self.api_url)
            .field("api_token", &self.api_token.as_ref().map(|_| "[REDACTED]"))
            .field("tracking_url", &self.tracking_url)
            .field("actid", &self.actid)
            .field("event_key", &self.event_key.as_ref().map(|_| "[REDACTED]"))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .finish()
    }
}

fn env_var(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(e) => Err(Error::Config {
            message: format!("environment variable {name} is not valid unicode"),
            source: Some(Box::new(e)),
        }),
    }
}

impl ClientBuilder {
    /// A builder pre-filled from `AC_API_URL`, `AC_API_TOKEN` (both required),
    /// `AC_ACTID`, `AC_EVENT_KEY` and `AC_TRACKING_URL` (optional).
    pub fn from_env() -> Result<ClientBuilder> {
        let required = |name: &str| {
            env_var(name)?
                .ok_or_else(|| Error::config(format!("environment variable {name} is not set")))
        };
        let mut b = ClientBuilder::default()
            .api_url(required("AC_API_URL")?)
            .api_token(required("AC_API_TOKEN")?);
        if let Some(v) = env_var("AC_ACTID")? {
            b = b.actid(v);
        }
        if let Some(v) = env_var("AC_EVENT_KEY")? {
            b = b.event_key(v);
        }
        if let Some(v) = env_var("AC_TRACKING_URL")? {
            b = b.tracking_url(v);
        }
        Ok(b)
    }

    /// The account's API URL from *Settings → Developer* (`https://acct.api-us1.com`).
    /// `/api/3` is appended; a trailing slash or an existing `/api/3` suffix is tolerated.
    pub fn api_url(mut self, url: impl AsRef<str>) -> Self {
        self.api_url = Some(url.as_ref().to_owned());
        self
    }

    /// The user's API token (sent as the `Api-Token` header; kept secret).
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.api_token = Some(SecretString::from(token.into()));
        self
    }

    /// The tracking host (default `https://trackcmp.net`).
    pub fn tracking_url(mut self, url: impl AsRef<str>) -> Self {
        self.tracking_url = Some(url.as_ref().to_owned());
        self
    }

    /// The tracking account id (`actid`) for event tracking.
    pub fn actid(mut self, actid: impl Into<String>) -> Self {
        self.actid = Some(actid.into());
        self
    }

    /// The event tracking key (kept secret).
    pub fn event_key(mut self, key: impl Into<String>) -> Self {
        self.event_key = Some(SecretString::from(key.into()));
        self
    }

    /// Timeout of one HTTP attempt (default 30 s). Ignored with [`ClientBuilder::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Connect timeout (default 10 s). Ignored with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The client-side rate limit, shared by the client and its clones (default 5/s).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// The `User-Agent` (default `ac-client/<version>`). Ignored with
    /// [`ClientBuilder::http_client`].
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Uses this `reqwest::Client` instead of building one. Timeouts, user agent and redirect
    /// policy are then yours to set; disable redirects so the token never follows one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        let api_url = self.api_url.ok_or_else(|| {
            Error::config("the API URL is not set (use .api_url(...) or AC_API_URL)")
        })?;
        let api_base = normalize_api_url(&api_url)?;
        let token = self.api_token.ok_or_else(|| {
            Error::config("the API token is not set (use .api_token(...) or AC_API_TOKEN)")
        })?;
        if token.expose_secret().trim().is_empty() {
            return Err(Error::config("the API token is empty"));
        }
        let mut token_header =
            HeaderValue::from_str(token.expose_secret().trim()).map_err(|_| {
                Error::config("the API token contains characters not allowed in a header")
            })?;
        token_header.set_sensitive(true);

        let tracking = self
            .tracking_url
            .unwrap_or_else(|| DEFAULT_TRACKING_URL.to_owned());
        let tracking_url = parse_secure_url(&tracking, "tracking URL")?;

        let http =
            match self.http {
                Some(http) => http,
                None => reqwest::Client::builder()
                    .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .user_agent(self.user_agent.unwrap_or_else(|| {
                        concat!("ac-client/", env!("CARGO_PKG_VERSION")).to_owned()
                    }))
                    // Never follow redirects: the Api-Token header would follow them to any host.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| Error::Config {
                        message: "could not build the HTTP client".to_owned(),
                        source: Some(Box::new(e)),
                    })?,
            };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                api_base,
                token,
                token_header,
                tracking_url,
                actid: self.actid,
                event_key: self.event_key,
                limiter: self.rate_limit.build(),
            }),
            retry: self.retry,
        })
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn parse_secure_url(raw: &str, what: &str) -> Result<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| Error::Config {
        message: format!("the {what} `{raw}` is not a valid URL"),
        source: Some(Box::new(e)),
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(format!(
                "the {what} `{raw}` uses plain http; use https (plain http is only allowed for loopback hosts such as 127.0.0.1 or localhost)"
            )))
        }
        other => {
            return Err(Error::config(format!(
                "the {what} `{raw}` has scheme `{other}`; use https"
            )))
        }
    }
    if url.host().is_none() {
        return Err(Error::config(format!("the {what} `{raw}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "the {what} must not contain credentials"
        )));
    }
    Ok(url)
}

/// `https://acct.api-us1.com[/][api/3[/]]` → `https://acct.api-us1.com/api/3`.
fn normalize_api_url(raw: &str) -> Result<String> {
    let url = parse_secure_url(raw, "API URL")?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            "the API URL must not have a query or fragment",
        ));
    }
    let mut s = url.as_str().trim_end_matches('/').to_owned();
    if s.ends_with("/api/3") {
        s.truncate(s.len() - "/api/3".len());
    }
    Ok(format!("{s}/api/3"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn build(url: &str) -> Result<Client> {
        Client::builder().api_url(url).api_token("tok").build()
    }

    #[test]
    fn api_url_normalization() {
        for url in [
            "https://acct.api-us1.com",
            "https://acct.api-us1.com/",
            "https://acct.api-us1.com/api/3",
            "https://acct.api-us1.com/api/3/",
        ] {
            assert_eq!(
                build(url).unwrap().api_base(),
                "https://acct.api-us1.com/api/3",
                "{url}"
            );
        }
    }

    #[test]
    fn plain_http_refused_except_loopback() {
        let err = build("http://acct.api-us1.com").unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.to_string().contains("plain http"));
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.5.0.1",
            "http://[::1]:9000",
            "http://localhost:3000",
        ] {
            assert!(build(ok).is_ok(), "{ok}");
        }
        assert!(build("ftp://acct.api-us1.com").is_err());
        assert!(build("not a url").is_err());
        assert!(build("http://10.0.0.1").is_err());
    }

    #[test]
    fn missing_settings_are_config_errors() {
        let err = Client::builder().api_token("t").build().unwrap_err();
        assert!(err.to_string().contains("API URL"));
        let err = Client::builder()
            .api_url("https://a.api-us1.com")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("API token"));
        let err = Client::builder()
            .api_url("https://a.api-us1.com")
            .api_token("t")
            .tracking_url("http://trackcmp.net")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("tracking URL"));
    }

    #[test]
    fn from_env_names_missing_variable() {
        // The only test touching these variables.
        std::env::remove_var("AC_API_URL");
        std::env::remove_var("AC_API_TOKEN");
        let err = Client::from_env().unwrap_err();
        assert!(err.to_string().contains("AC_API_URL"), "{err}");
        std::env::set_var("AC_API_URL", "https://envacct.api-us1.com");
        let err = Client::from_env().unwrap_err();
        assert!(err.to_string().contains("AC_API_TOKEN"), "{err}");
        std::env::set_var("AC_API_TOKEN", "env-token-123");
        std::env::set_var("AC_ACTID", "999");
        std::env::set_var("AC_TRACKING_URL", "http://127.0.0.1:1234");
        let client = Client::from_env().unwrap();
        assert_eq!(client.api_base(), "https://envacct.api-us1.com/api/3");
        assert_eq!(client.actid(), Some("999"));
        assert_eq!(client.tracking_url().as_str(), "http://127.0.0.1:1234/");
        assert!(!format!("{client:?}").contains("env-token-123"));
        for v in ["AC_API_URL", "AC_API_TOKEN", "AC_ACTID", "AC_TRACKING_URL"] {
            std::env::remove_var(v);
        }
    }

    #[test]
    fn clones_share_state() {
        let a = build("https://acct.api-us1.com").unwrap();
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
    }
}
