//! Outgoing webhooks (reference §10): AC-shaped, form-encoded POSTs with PHP-style bracketed
//! keys, built from the store's [`crate::store::Change`]s after each API request (or from a
//! simulated campaign event) and delivered in the background, plus bulk import callbacks.
//!
//! * `payload`: what is sent (the form fields of each event).
//! * `deliver`: how it is sent: one lane per destination URL, lanes side by side, every
//!   queue bounded; never retried; a 410 answer makes the webhook inactive. Every delivery
//!   lands in a bounded log served at `GET /__admin/webhook-deliveries`.
//! * `guard`: URLs that lead back to the mock itself are refused, at creation and at delivery.
//! * `callback`: bulk import callbacks, through the same lanes.
//! * `host`: what the lanes need of the server (the state implements it), so that this room
//!   sits below the state without importing it.

mod callback;
mod deliver;
mod guard;
mod host;
mod payload;

pub(crate) use callback::call_import_callback;
pub use callback::ImportCallback;
pub use deliver::{
    DeliveryRecord, Outcome, WebhookOut, DELIVERY_TIMEOUT, DESTINATION_CAPACITY, LOGGED_BODY_CAP,
    MAX_IN_FLIGHT, QUEUE_BYTES, QUEUE_CAPACITY,
};
pub(crate) use guard::{refuse as refuse_self_url, Listener};
pub(crate) use host::Host;
pub use payload::{from_campaign_event, from_changes, CampaignExtras, Origin, Outgoing};
