//! Shared by the recipes: where to send requests.
//!
//! With `AC_API_URL` and `AC_API_TOKEN` set (and, for tracking recipes, `AC_ACTID` and
//! `AC_EVENT_KEY`), a recipe talks to that real ActiveCampaign account. Otherwise it starts an
//! in-process `ac-mock` and talks to that, so every recipe runs as is on a fresh machine.

#![allow(dead_code)] // each recipe uses the part it needs

use ac_client::{Client, RateLimit};
use ac_mock::MockServer;

/// A connected client and, when no real account was configured, the mock it talks to.
pub struct Target {
    /// The client to use.
    pub client: Client,
    /// The in-process mock, kept alive for as long as the recipe runs (`None` on a real account).
    pub mock: Option<MockServer>,
}

impl Target {
    /// True when the recipe runs against the in-process mock.
    pub fn is_mock(&self) -> bool {
        self.mock.is_some()
    }

    /// Where the requests go, for printing.
    pub fn describe(&self) -> String {
        match &self.mock {
            Some(mock) => format!("the in-process ac-mock at {}", mock.base_url()),
            None => format!("the ActiveCampaign account at {}", self.client.api_base()),
        }
    }
}

/// Connects to the account named by the environment, or starts an in-process mock.
pub async fn connect() -> Result<Target, Box<dyn std::error::Error>> {
    if std::env::var_os("AC_API_URL").is_some() && std::env::var_os("AC_API_TOKEN").is_some() {
        // A real account: AC allows 5 requests/s, which the client's default rate limit keeps.
        return Ok(Target {
            client: Client::from_env()?,
            mock: None,
        });
    }
    let mock = MockServer::start().await?;
    let client = Client::builder()
        .api_url(mock.base_url())
        .api_token(mock.api_token())
        .tracking_url(mock.tracking_url())
        .actid(mock.actid())
        .event_key(mock.event_key())
        // The mock has no rate limit of its own unless asked; keep the recipes quick.
        .rate_limit(RateLimit::disabled())
        .build()?;
    Ok(Target {
        client,
        mock: Some(mock),
    })
}
