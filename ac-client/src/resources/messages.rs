//! Email messages (`/messages`): the subject, sender and content of campaigns' emails.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::MessageId;
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};

/// An email message as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The message's id.
    pub id: MessageId,
    /// The message's name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// The subject line.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub subject: String,
    /// The sender's name (`fromname`).
    #[serde(
        rename = "fromname",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub from_name: String,
    /// The sender's address (`fromemail`).
    #[serde(
        rename = "fromemail",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub from_email: String,
    /// The reply-to address (`reply2`).
    #[serde(
        rename = "reply2",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub reply_to: String,
    /// Preheader text.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub preheader_text: String,
    /// Plain-text body.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub text: String,
    /// HTML body.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub html: String,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last change.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub mdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Message {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// Paging for `GET /messages`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageQuery {
    limit: Option<u32>,
    offset: Option<u64>,
}

impl MessageQuery {
    /// Every message.
    pub fn new() -> Self {
        Self::default()
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(MessageQuery);

#[derive(Deserialize)]
struct MessageEnvelope {
    message: Message,
}

#[derive(Deserialize)]
struct MessageList {
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    meta: Meta,
}

/// The messages handler: `client.messages()`.
#[derive(Debug, Clone, Copy)]
pub struct Messages<'c> {
    client: &'c Client,
}

impl Client {
    /// Email messages: listing and reading.
    pub fn messages(&self) -> Messages<'_> {
        Messages { client: self }
    }
}

impl<'c> Messages<'c> {
    /// One page of messages (`GET /messages`).
    pub async fn list(&self, query: impl Borrow<MessageQuery>) -> Result<Page<Message>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every message, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(
        &self,
        query: impl Borrow<MessageQuery>,
    ) -> impl Stream<Item = Result<Message>> + Send + 'static {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { list_page(&client, &q).await },
        )
    }

    /// Reads a message (`GET /messages/{id}`).
    pub async fn get(&self, id: impl Into<MessageId>) -> Result<Message> {
        let req = ApiRequest::get(format!("messages/{}", id.into()));
        Ok(self.client.send::<MessageEnvelope>(req).await?.message)
    }
}

async fn list_page(client: &Client, query: &MessageQuery) -> Result<Page<Message>> {
    let req = ApiRequest::get("messages").query(query.to_query()?);
    let list: MessageList = client.send(req).await?;
    Ok(Page {
        items: list.messages,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn message_model_reads_ac_example() {
        let m: Message = serde_json::from_value(json!({
            "userid": "1", "cdate": "2018-08-17T13:47:32-05:00", "name": "Confirm",
            "fromname": "John Doe", "fromemail": "noreply@example.com", "reply2": "",
            "subject": "Please confirm", "preheader_text": "", "text": "t", "html": "<p>h</p>",
            "priority": "3", "id": "3"}))
        .unwrap();
        assert_eq!(m.id, MessageId(3));
        assert_eq!(
            (m.from_name.as_str(), m.from_email.as_str()),
            ("John Doe", "noreply@example.com")
        );
        assert_eq!(
            (m.subject.as_str(), m.html.as_str()),
            ("Please confirm", "<p>h</p>")
        );
        assert_eq!(m.extra["priority"], json!("3"));
        assert_eq!(
            MessageQuery::new().limit(5).offset(10).to_query().unwrap(),
            [
                ("limit".to_owned(), "5".to_owned()),
                ("offset".to_owned(), "10".to_owned())
            ]
        );
    }
}
