//! What delivery needs of the server it delivers for, as a trait the state implements: the
//! state owns the delivery lanes, so this room cannot import the state without a circle.

use super::deliver::WebhookOut;
use super::guard::Listener;
use crate::account_id::AccountId;

/// The server the lanes deliver for, as they hold it: weakly, so that a queued delivery does
/// not keep a stopped server alive. Every method answers `None` (or `false`) once the server
/// is gone.
pub(crate) trait Host: Clone + Send + Sync + 'static {
    /// The mock's own listener, to refuse URLs that lead back to it.
    fn listener(&self) -> Option<Listener>;

    /// Whether the server still exists.
    fn alive(&self) -> bool;

    /// Whether the account's webhook is active; `Some(None)` when the webhook (or the account)
    /// no longer exists.
    fn webhook_active(&self, account: AccountId, webhook: u64) -> Option<Option<bool>>;

    /// Makes the account's webhook inactive (its receiver answered 410) and notes the change
    /// for the state file; whether a webhook was made inactive.
    fn deactivate_webhook(&self, account: AccountId, webhook: u64) -> bool;

    /// Runs `f` on the server's delivery lanes.
    fn with_lanes<R>(&self, f: impl FnOnce(&WebhookOut) -> R) -> Option<R>;
}
