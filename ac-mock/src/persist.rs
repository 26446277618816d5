//! The state document: what `GET /__admin/state` exports, `PUT /__admin/state` and `--seed`
//! load, and `--state-file` writes at start, after changes and on shutdown.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::campaigns::Campaigns;
use crate::store::Store;

/// Version written into every document; loading a different version is refused.
pub const STATE_VERSION: u32 = 1;

/// The whole state of a mock server: every account with its credentials and data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDoc {
    /// Format version ([`STATE_VERSION`]); may be left out when loading.
    #[serde(default = "default_version")]
    pub version: u32,
    /// The accounts, in creation order.
    pub accounts: Vec<AccountDoc>,
}

fn default_version() -> u32 {
    STATE_VERSION
}

/// One account in a [`StateDoc`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountDoc {
    /// The `Api-Token` that selects the account.
    pub api_token: String,
    /// Tracking account id.
    pub actid: String,
    /// Event tracking key.
    pub event_key: String,
    /// UTC offset such as `-05:00`; the server's default when left out.
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// The account's API data; empty when left out.
    #[serde(default)]
    pub store: Store,
    /// Simulated campaigns; none when left out.
    #[serde(default)]
    pub campaigns: Campaigns,
}

/// Why a state document could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The document is not a valid state document.
    #[error("invalid state document: {0}")]
    Invalid(String),
}

/// Parses a state document from JSON, naming the line and column of a mistake.
pub fn parse(bytes: &[u8]) -> Result<StateDoc, StateError> {
    let doc: StateDoc =
        serde_json::from_slice(bytes).map_err(|e| StateError::Invalid(e.to_string()))?;
    if doc.version != STATE_VERSION {
        return Err(StateError::Invalid(format!(
            "version {} is not supported (expected {STATE_VERSION})",
            doc.version
        )));
    }
    Ok(doc)
}

/// Reads a state document from a file.
pub fn load(path: &Path) -> Result<StateDoc, StateError> {
    let bytes = std::fs::read(path).map_err(|source| StateError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse(&bytes).map_err(|e| match e {
        StateError::Invalid(m) => StateError::Invalid(format!("{}: {m}", path.display())),
        other => other,
    })
}

/// Writes a state document atomically and durably: a temporary file next to it, synced,
/// renamed over the old one, and the directory synced, so a crash leaves either the old
/// document or the new one, never half of one.
pub fn save(path: &Path, doc: &StateDoc) -> Result<(), StateError> {
    use std::io::Write;
    let io = |source| StateError::Io {
        path: path.display().to_string(),
        source,
    };
    let json = serde_json::to_vec_pretty(doc).map_err(|e| StateError::Invalid(e.to_string()))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(&json).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself is durable once the directory is.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
    }
    Ok(())
}
