//! Segment-spec messages (identify, track, page, screen, group) into ActiveCampaign (AC), in
//! fewer calls than Segment's and RudderStack's AC destinations, and backfills at AC's
//! bulk-import speed.
//!
//! Three layers, each usable alone, data flowing one way:
//!
//! * [`spec`]: Segment messages and the batch envelope, read as tolerantly as real senders
//!   write them;
//! * [`plan`]: a pure function from a message (+ [`Settings`] + what the caches know) to
//!   ordered AC [`plan::Action`]s, or a typed [`plan::PlanError`];
//! * [`execute`]: runs plans through [`ac_client`] with single-flight caches for tags, custom
//!   fields, event names, whitelisted domains, accounts and contact ids, and a
//!   [bulk lane](execute::Executor::import_bulk) for backfills.
//!
//! The source direction starts in [`source`]: an AC webhook becomes a Segment `track` email
//! event (Email Opened, Email Link Clicked, ...), with a stable `messageId`, delivered by a
//! [`sink::Sink`] (Segment's HTTP API or an NDJSON file). [`export`] turns AC contacts into
//! identifies.
//!
//! [`serve`] is the long-running half: a drop-in Segment `/v1/*` endpoint that answers once
//! messages are committed to the crash-safe [`store`], then applies them at AC's pace, each
//! person's messages in order; and AC's webhooks in, Segment email events out.
//!
//! [`replay`] drives a file of messages through them (the `ac-segment replay` binary), keeping
//! each email's messages in order at any concurrency, and every message ends as an
//! [`Outcome`]: applied, skipped or failed.
//!
//! # Example
//!
//! ```
//! use ac_segment::{execute::Executor, spec::Message, Settings, Status};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = ac_mock::MockServer::start().await?;
//! let mut settings = Settings::new();
//! settings.api_url = Some(mock.base_url().to_owned()); // e.g. https://ACCOUNT.api-us1.com
//! settings.api_token = Some(mock.api_token().to_owned().into());
//! let executor = Executor::new(settings.client(0)?, settings);
//!
//! let message = Message::from_slice(br#"{"type":"identify","userId":"u1",
//!     "traits":{"email":"jane@example.com","name":"Jane Kim","tags":["vip"]}}"#)?;
//! let outcome = executor.apply(&message).await;
//! assert_eq!(outcome.status, Status::Applied);
//! println!("{:?}", outcome.calls); // ["GET /api/3/tags", "POST /api/3/contact/sync", ...]
//! # Ok(()) }
//! ```

pub mod execute;
pub mod export;
pub mod input;
pub mod outcome;
pub mod plan;
pub mod replay;
pub mod serve;
pub mod settings;
pub mod sink;
pub mod source;
pub mod spec;
pub mod store;

pub use outcome::{Failure, FailureKind, Outcome, Status};
pub use settings::{Flavor, Settings, SettingsError};

/// Compiles the README's examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
