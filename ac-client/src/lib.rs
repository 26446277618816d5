//! A strongly typed async client for ActiveCampaign's (AC) v3 API.
//!
//! * One [`Client`] (cheap to clone) built with [`Client::builder`] or [`Client::from_env`].
//! * One handler per resource: [`Client::contacts`], [`Client::tags`], [`Client::lists`],
//!   [`Client::fields`], and more; custom field values are resolved and encoded by
//!   [`encode::FieldCatalog`] (by title or perstag, `||a||b||` multi-values, dates).
//! * Beyond contacts: [`Client::event_tracking`] (including sending events to the tracking
//!   host), [`Client::site_tracking`], [`Client::accounts`], [`Client::deals`],
//!   [`Client::webhooks`] and [`Client::bulk_import`] (with batching by AC's limits); delivered
//!   webhook bodies are parsed by [`webhook_payload::parse_form`].
//! * CRM records around deals: [`Client::deal_tasks`], [`Client::deal_task_types`],
//!   [`Client::notes`], and deal and account custom fields ([`Client::deal_fields`],
//!   [`Client::account_fields`]).
//! * Listings return a [`Page`]; every listing also has a lazy `Stream` over all pages.
//! * AC's rate limit (5 requests/s per account) is respected client-side ([`RateLimit`]).
//! * Retries are conservative ([`retry`]): 429 always (honouring `Retry-After`), 5xx and
//!   connection errors only for idempotent calls, never for a plain create.
//! * Every AC error shape becomes one [`Error`] with predicates
//!   ([`Error::is_not_found`], [`Error::is_duplicate`], [`Error::field`], ...).
//! * The API token is a [`secrecy::SecretString`]: never in `Debug`, logs or error text.
//!
//! # Example
//!
//! ```no_run
//! use ac_client::{Client, contacts::{ContactInput, ContactQuery}};
//! use futures_util::TryStreamExt;
//!
//! # async fn run() -> Result<(), ac_client::Error> {
//! let client = Client::builder()
//!     .api_url("https://youraccount.api-us1.com")
//!     .api_token("your-api-token")
//!     .build()?;
//!
//! // Upsert by email.
//! let synced = client
//!     .contacts()
//!     .sync(ContactInput::new("ada@example.com").first_name("Ada"))
//!     .await?;
//! println!("contact {} (created: {})", synced.contact.id, synced.created());
//!
//! // Stream every contact, page by page.
//! let all: Vec<_> = client.contacts().stream(ContactQuery::new()).try_collect().await?;
//! println!("{} contacts", all.len());
//! # Ok(())
//! # }
//! ```
//!
//! # One convention
//!
//! * Every id parameter takes `impl Into<XId>`: a plain `u64` (`get(42)`), the typed id, or
//!   an id parsed from a webhook payload.
//! * Every input, query and update parameter takes `impl Borrow<T>`: an inline value or a
//!   reference, for `create`, `update`, `sync`, `list` and `stream` alike.
//! * Streams are [`BoxStream`]s: boxed, `Send` and `Unpin`, so `next().await` works without
//!   `pin!`.
//!
//! ```no_run
//! use ac_client::contacts::{ContactInput, ContactQuery};
//! use ac_client::{BoxStream, Client, CustomValue};
//! use futures_util::StreamExt;
//!
//! # async fn run(client: Client) -> ac_client::Result<()> {
//! let contact = client.contacts().get(42).await?;
//! let input = ContactInput::new("ada@example.com");
//! client.contacts().sync(&input).await?; // by reference
//! client.contacts().sync(input).await?; // or by value
//! let query = ContactQuery::new().list(3);
//! client.contacts().list(&query).await?;
//! let mut stream: BoxStream<_> = client.contacts().stream(query);
//! while let Some(contact) = stream.next().await {
//!     println!("{}", contact?.email);
//! }
//! let _languages = CustomValue::from(["Rust", "Go"]);
//! # let _ = contact;
//! # Ok(())
//! # }
//! ```
//!
//! Validation happens before anything is sent:
//!
//! ```
//! use ac_client::{Client, contacts::ContactInput};
//!
//! // Plain http is refused except for loopback hosts.
//! let err = Client::builder()
//!     .api_url("http://youraccount.api-us1.com")
//!     .api_token("secret")
//!     .build()
//!     .unwrap_err();
//! assert!(err.to_string().contains("use https"));
//!
//! // A local mock on 127.0.0.1 is fine.
//! let client = Client::builder()
//!     .api_url("http://127.0.0.1:8080")
//!     .api_token("secret")
//!     .build()?;
//! assert_eq!(client.api_base(), "http://127.0.0.1:8080/api/3");
//!
//! // Malformed input is rejected with the field it concerns.
//! let err = ContactInput::new("not-an-email").validate().unwrap_err();
//! assert_eq!(err.field(), Some("email"));
//! # Ok::<(), ac_client::Error>(())
//! ```

mod client;
mod de;
pub mod encode;
pub mod error;
mod http;
pub mod ids;
pub mod page;
pub mod query;
mod rate;
pub mod request;
pub mod resources;
pub mod retry;
pub mod webhook_payload;

pub use client::{Client, ClientBuilder, DEFAULT_TRACKING_URL};
pub use de::parse_timestamp;
pub use encode::{CustomValue, FieldCatalog};
pub use error::{
    ApiError, ContactFailure, Error, ErrorBody, ErrorItem, ErrorKind, Result, TransportError,
};
pub use ids::*;
pub use page::{BoxStream, Page};

/// The HTTP status type of [`Error::status`] (re-exported from the `http` crate).
pub use ::http::StatusCode;

/// The HTTP method type of [`Client::request`] (re-exported from the `http` crate).
pub use ::http::Method;

/// The date and time types that field values and timestamps use (re-exported from `chrono`).
pub use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
pub use query::{DateBound, Direction, FilterOp, PageQuery};
pub use rate::RateLimit;
pub use resources::automations;
pub use resources::ecom;
pub use resources::{accounts, bulk_import, deals, event_tracking, site_tracking, webhooks};
pub use resources::{addresses, brandings, saved_responses, scores};
pub use resources::{
    campaigns, contact_lists, contacts, email_activities, field_values, fields, groups, lists,
    memberships, messages, tags, users,
};
pub use resources::{contact_deals, forms, segments};
pub use resources::{deal_tasks, notes, record_fields};
pub use retry::RetryPolicy;

/// Compiles the README's examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
