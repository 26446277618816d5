//! Bulk import (reference §9): `POST /import/bulk_import`, batch status and batch info, and
//! [`BulkImports::import_all`], which validates, splits and sends any number of contacts.
//!
//! Limits, checked before sending: at most [`MAX_CONTACTS`] contacts and [`MAX_BODY_BYTES`]
//! bytes of serialized JSON per request.
//!
//! Bulk import is **not idempotent** (a repeat queues the contacts twice): it is never re-sent
//! after a 5xx or a connection error. AC's per-endpoint limits (20 single-contact or 100
//! multi-contact requests per minute) are answered with HTTP **400**
//! `{"success":0,"message":"Rate limit exceeded.",...}`; [`Error::is_rate_limited`] is true
//! for it and [`Error::retry_after`] is a minute (AC asks to wait about that long), longer than
//! the default retry policy waits: wait, then send again, and prefer fewer, larger batches.

use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{ContactId, FieldId, ListId};
use crate::resources::contacts::validate_email;

mod batch;

#[cfg(test)]
pub(crate) use batch::plan_batches;
pub use batch::{FailureOrigin, ImportFailure, ImportOptions, ImportReport};

/// The most contacts AC accepts in one bulk import request.
pub const MAX_CONTACTS: usize = 250;
/// The largest bulk import request body AC accepts, in bytes of JSON.
pub const MAX_BODY_BYTES: usize = 400_000;

fn as_number<S: Serializer, T: Copy + Into<u64>>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64((*v).into())
}

/// A custom field value in a bulk import (`{"id":1,"value":"foo"}`; fields are given by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkField {
    /// The custom field.
    #[serde(serialize_with = "as_number")]
    pub id: FieldId,
    /// The encoded value (multi-value fields as `||a||b||`; see [`crate::encode`]).
    pub value: String,
}

/// A list reference (`{"listid":1}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListRef {
    /// The list.
    #[serde(serialize_with = "as_number")]
    ///
    /// AC's `listid`.
    #[serde(rename = "listid")]
    pub list: ListId,
}

/// One contact of a bulk import. Keys are snake_case (`first_name`), unlike `/contacts`.
///
/// ```
/// use ac_client::bulk_import::BulkContact;
///
/// let c = BulkContact::new("jane@example.com")
///     .first_name("Jane")
///     .tag("vip")
///     .field(1u64, "foo")
///     .subscribe(2u64)
///     .exclude_automations(true);
/// assert_eq!(
///     serde_json::to_value(&c).unwrap(),
///     serde_json::json!({"email":"jane@example.com","first_name":"Jane","tags":["vip"],
///         "fields":[{"id":1,"value":"foo"}],"subscribe":[{"listid":2}],
///         "exclude_automations":true})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkContact {
    /// Email (required).
    pub email: String,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Account name (`customer_acct_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_acct_name: Option<String>,
    /// Tags by **name** (created when missing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Custom field values by field **id**.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<BulkField>,
    /// Lists to subscribe to (a list the contact unsubscribed from cannot be re-subscribed
    /// through import).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subscribe: Vec<ListRef>,
    /// Lists to unsubscribe from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsubscribe: Vec<ListRef>,
    /// Skip automations for this contact (faster imports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_automations: Option<bool>,
}

impl BulkContact {
    /// A contact with this email.
    pub fn new(email: impl Into<String>) -> Self {
        BulkContact {
            email: email.into(),
            first_name: None,
            last_name: None,
            phone: None,
            customer_acct_name: None,
            tags: Vec::new(),
            fields: Vec::new(),
            subscribe: Vec::new(),
            unsubscribe: Vec::new(),
            exclude_automations: None,
        }
    }

    /// Sets the first name.
    pub fn first_name(mut self, v: impl Into<String>) -> Self {
        self.first_name = Some(v.into());
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, v: impl Into<String>) -> Self {
        self.last_name = Some(v.into());
        self
    }

    /// Sets the phone.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }

    /// Sets the account name.
    pub fn customer_acct_name(mut self, v: impl Into<String>) -> Self {
        self.customer_acct_name = Some(v.into());
        self
    }

    /// Adds a tag by name.
    pub fn tag(mut self, name: impl Into<String>) -> Self {
        self.tags.push(name.into());
        self
    }

    /// Adds a custom field value by field id.
    pub fn field(mut self, id: impl Into<FieldId>, value: impl Into<String>) -> Self {
        self.fields.push(BulkField {
            id: id.into(),
            value: value.into(),
        });
        self
    }

    /// Subscribes to a list.
    pub fn subscribe(mut self, list: impl Into<ListId>) -> Self {
        self.subscribe.push(ListRef { list: list.into() });
        self
    }

    /// Unsubscribes from a list.
    pub fn unsubscribe(mut self, list: impl Into<ListId>) -> Self {
        self.unsubscribe.push(ListRef { list: list.into() });
        self
    }

    /// Sets `exclude_automations`.
    pub fn exclude_automations(mut self, on: bool) -> Self {
        self.exclude_automations = Some(on);
        self
    }

    /// Checks the contact as the client does before sending (email, tag names, field ids).
    pub fn validate(&self) -> Result<()> {
        validate_email(&self.email)?;
        if self.tags.iter().any(|t| t.trim().is_empty()) {
            return Err(Error::invalid("tags", "tag names must not be empty"));
        }
        if self.fields.iter().any(|f| f.id.get() == 0) {
            return Err(Error::invalid("fields", "field id 0 is not a field"));
        }
        Ok(())
    }
}

/// A `{"key":..,"value":..}` pair of a callback's `params` or `headers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// Where AC reports the import's result (`callback`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkCallback {
    /// The URL AC calls.
    pub url: String,
    /// `requestType` (`POST` or `GET`).
    #[serde(rename = "requestType")]
    pub request_type: String,
    /// `detailed_results`, sent as the string `"true"`/`"false"` as AC documents.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "bool_as_string"
    )]
    pub detailed_results: Option<bool>,
    /// Extra parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<KeyValue>,
    /// Extra headers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<KeyValue>,
}

fn bool_as_string<S: Serializer>(v: &Option<bool>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_str(if *b { "true" } else { "false" }),
        None => s.serialize_none(),
    }
}

impl BulkCallback {
    /// A `POST` callback to `url`.
    pub fn post(url: impl Into<String>) -> Self {
        BulkCallback {
            url: url.into(),
            request_type: "POST".to_owned(),
            detailed_results: None,
            params: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A `GET` callback to `url` (the results travel in the query string; AC sends detailed
    /// results only with `POST`).
    pub fn get(url: impl Into<String>) -> Self {
        BulkCallback {
            request_type: "GET".to_owned(),
            ..BulkCallback::post(url)
        }
    }

    /// Checks the URL (absolute `http`/`https`), the request type and the params and headers.
    pub fn validate(&self) -> Result<()> {
        let url = reqwest::Url::parse(self.url.trim()).map_err(|e| {
            Error::invalid(
                "callback.url",
                format!("not an absolute URL ({e}): {}", self.url),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::invalid(
                "callback.url",
                format!("must be an http or https URL with a host: {}", self.url),
            ));
        }
        if !["GET", "POST"].contains(&self.request_type.to_ascii_uppercase().as_str()) {
            return Err(Error::invalid(
                "callback.requestType",
                format!("must be GET or POST, got {:?}", self.request_type),
            ));
        }
        for (what, pairs) in [("params", &self.params), ("headers", &self.headers)] {
            if let Some(i) = pairs.iter().position(|kv| kv.key.trim().is_empty()) {
                return Err(Error::invalid(
                    format!("callback.{what}[{i}].key"),
                    "must not be empty",
                ));
            }
        }
        for (i, kv) in self.headers.iter().enumerate() {
            let ok = reqwest::header::HeaderName::from_bytes(kv.key.as_bytes()).is_ok()
                && reqwest::header::HeaderValue::from_str(&kv.value).is_ok();
            if !ok {
                return Err(Error::invalid(
                    format!("callback.headers[{i}]"),
                    format!("not a valid HTTP header: {:?}", kv.key),
                ));
            }
        }
        Ok(())
    }

    /// Asks for per-contact results.
    pub fn detailed_results(mut self, on: bool) -> Self {
        self.detailed_results = Some(on);
        self
    }

    /// Adds a parameter.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push(KeyValue {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a header.
    pub fn header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push(KeyValue {
            key: key.into(),
            value: value.into(),
        });
        self
    }
}

/// One bulk import request (`{"contacts":[...],"callback":{...}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BulkImport {
    /// 1 to [`MAX_CONTACTS`] contacts.
    pub contacts: Vec<BulkContact>,
    /// Optional result callback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback: Option<BulkCallback>,
}

impl BulkImport {
    /// A request with these contacts.
    pub fn new(contacts: Vec<BulkContact>) -> Self {
        BulkImport {
            contacts,
            callback: None,
        }
    }

    /// Sets the callback.
    pub fn callback(mut self, cb: BulkCallback) -> Self {
        self.callback = Some(cb);
        self
    }

    /// Validates the request and returns its JSON body: every contact, at most
    /// [`MAX_CONTACTS`] contacts and at most [`MAX_BODY_BYTES`] bytes.
    pub fn to_body(&self) -> Result<Vec<u8>> {
        if self.contacts.is_empty() {
            return Err(Error::invalid(
                "contacts",
                "a bulk import needs at least one contact",
            ));
        }
        if self.contacts.len() > MAX_CONTACTS {
            return Err(Error::invalid(
                "contacts",
                format!(
                    "a bulk import request holds at most {MAX_CONTACTS} contacts, got {} (use import_all to split them)",
                    self.contacts.len()
                ),
            ));
        }
        if let Some(cb) = &self.callback {
            cb.validate()?;
        }
        for (i, c) in self.contacts.iter().enumerate() {
            c.validate().map_err(|e| match e {
                Error::InvalidInput { field, message } => {
                    Error::invalid(format!("contacts[{i}].{field}"), message)
                }
                other => other,
            })?;
        }
        let body = serde_json::to_vec(self)
            .map_err(|e| Error::invalid("contacts", format!("could not serialize: {e}")))?;
        if body.len() > MAX_BODY_BYTES {
            return Err(Error::invalid(
                "contacts",
                format!(
                    "the bulk import body is {} bytes; AC accepts at most {MAX_BODY_BYTES} bytes per request (use import_all to split)",
                    body.len()
                ),
            ));
        }
        Ok(body)
    }
}

/// AC's answer to an accepted import (`{"Success":1,"queued_contacts":N,"batchId":..}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BulkImportResponse {
    /// `Success` (capital S in AC's answer; `success` also read).
    #[serde(
        rename = "Success",
        alias = "success",
        default,
        deserialize_with = "crate::de::opt_bool"
    )]
    pub success: Option<bool>,
    /// Contacts queued.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub queued_contacts: u64,
    /// The batch id, for [`BulkImports::info`].
    #[serde(
        rename = "batchId",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub batch_id: String,
    /// AC's message (`Contact import queued`).
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub message: Option<String>,
}

/// Batches and contacts for one day (`{"forDate":"2021-06-01","batches":"333","contacts":"83250"}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BatchDay {
    /// The day (`forDate`).
    #[serde(
        rename = "forDate",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub for_date: String,
    /// Batches.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub batches: u64,
    /// Contacts.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub contacts: u64,
}

/// `GET /import/bulk_import`: outstanding and recently completed imports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BulkImportStatus {
    /// Imports still queued.
    #[serde(default)]
    pub outstanding: Vec<BatchDay>,
    /// Imports completed recently (`recentlyCompleted`).
    #[serde(rename = "recentlyCompleted", default)]
    pub recently_completed: Vec<BatchDay>,
}

/// `GET /import/info?batchId=`: one batch's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BatchInfo {
    /// `status` (`completed`, ...).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub status: String,
    /// Ids of the contacts imported (`success`).
    #[serde(default)]
    pub success: Vec<ContactId>,
    /// Emails rejected (`failure`).
    #[serde(default)]
    pub failure: Vec<String>,
}

/// The bulk import handler: `client.bulk_import()`.
#[derive(Debug, Clone, Copy)]
pub struct BulkImports<'c> {
    client: &'c Client,
}

impl Client {
    /// Bulk import: one request, batch status and info, and [`BulkImports::import_all`].
    pub fn bulk_import(&self) -> BulkImports<'_> {
        BulkImports { client: self }
    }
}

impl<'c> BulkImports<'c> {
    /// Sends one bulk import request (`POST /import/bulk_import`). Checked first: every
    /// contact's email, at most [`MAX_CONTACTS`] contacts and [`MAX_BODY_BYTES`] bytes.
    ///
    /// A rejected payload (HTTP 400 with `failureReasons`) is [`Error::Api`]; its per-contact
    /// reasons are in [`Error::contact_failures`] (positions in `import.contacts`). The
    /// endpoint's own rate limit is a 400 too, with [`Error::is_rate_limited`] true. Never
    /// retried after a 5xx or a connection error.
    pub async fn import(&self, import: impl Borrow<BulkImport>) -> Result<BulkImportResponse> {
        let import: &BulkImport = import.borrow();
        import.to_body()?;
        let req = ApiRequest::post("import/bulk_import", import)?;
        let (status, resp): (_, BulkImportResponse) = self.client.send_json(req).await?;
        if resp.success == Some(false) {
            return Err(Error::Api(Box::new(crate::error::ApiError {
                status,
                body: crate::error::ErrorBody {
                    message: resp.message.clone(),
                    success: Some(false),
                    ..Default::default()
                },
                retry_after: None,
                snippet: String::new(),
            })));
        }
        Ok(resp)
    }

    /// Outstanding and recently completed imports (`GET /import/bulk_import`).
    pub async fn status(&self) -> Result<BulkImportStatus> {
        self.client
            .send(ApiRequest::get("import/bulk_import"))
            .await
    }

    /// One batch's outcome (`GET /import/info?batchId=`).
    pub async fn info(&self, batch_id: &str) -> Result<BatchInfo> {
        crate::resources::require_text("batchId", batch_id)?;
        let req = ApiRequest::get("import/info")
            .query(vec![("batchId".to_owned(), batch_id.trim().to_owned())]);
        self.client.send(req).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
