//! The mock's own id of an account: a small room of its own, so that the store's neighbours
//! (rate limits, webhook payloads and deliveries) can name an account without the state.

/// Identifies an account inside the mock (not an AC id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub u64);
