//! Saved responses (`/savedResponses`): canned email replies (title, subject, body).

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::SavedResponseId;
use crate::page::{query_stream, Identified, Meta, Page};
use crate::resources::wrap;

/// A saved response as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedResponse {
    /// The saved response's id.
    pub id: SavedResponseId,
    /// Title.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub title: String,
    /// Email subject.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub subject: String,
    /// Email body.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub body: String,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last update (`None` until updated).
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub mdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`ldate`, `last_sent_user_id`, `links`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for SavedResponse {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of a saved response create or update: [`SavedResponseInput::new`] for a create
/// (a title, and a subject or a body), [`SavedResponseInput::update`] for an update that
/// sends only what is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SavedResponseInput {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Email subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Email body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl SavedResponseInput {
    /// A new saved response.
    pub fn new(
        title: impl Into<String>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        SavedResponseInput {
            title: Some(title.into()),
            subject: Some(subject.into()),
            body: Some(body.into()),
        }
    }

    /// An update that changes nothing until fields are set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the title.
    pub fn title(mut self, v: impl Into<String>) -> Self {
        self.title = Some(v.into());
        self
    }

    /// Sets the subject.
    pub fn subject(mut self, v: impl Into<String>) -> Self {
        self.subject = Some(v.into());
        self
    }

    /// Sets the body.
    pub fn body(mut self, v: impl Into<String>) -> Self {
        self.body = Some(v.into());
        self
    }

    /// Checks the input as the client does before sending: a set title is not blank, and a
    /// create has a subject or a body.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = &self.title {
            crate::resources::require_text("title", t)?;
        }
        let blank = |v: &Option<String>| v.as_deref().is_some_and(|s| s.trim().is_empty());
        if blank(&self.subject) && blank(&self.body) {
            return Err(Error::invalid(
                "subject",
                "a subject or a body needs to be provided",
            ));
        }
        Ok(())
    }
}

/// Paging for the saved responses listing (AC documents no filters).
pub type SavedResponseQuery = crate::query::PageQuery;

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "savedResponse")]
    saved_response: SavedResponse,
}

#[derive(Deserialize)]
struct ListBody {
    #[serde(rename = "savedResponses")]
    saved_responses: Vec<SavedResponse>,
    #[serde(default)]
    meta: Meta,
}

/// The saved responses handler: `client.saved_responses()`.
#[derive(Debug, Clone, Copy)]
pub struct SavedResponses<'c> {
    client: &'c Client,
}

impl Client {
    /// Saved responses: CRUD.
    pub fn saved_responses(&self) -> SavedResponses<'_> {
        SavedResponses { client: self }
    }
}

impl<'c> SavedResponses<'c> {
    /// One page of saved responses (`GET /savedResponses`).
    pub async fn list(
        &self,
        query: impl Borrow<SavedResponseQuery>,
    ) -> Result<Page<SavedResponse>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every saved response, fetched lazily.
    pub fn stream(
        &self,
        query: impl Borrow<SavedResponseQuery>,
    ) -> impl Stream<Item = Result<SavedResponse>> + Send + 'static {
        query_stream(self.client, *query.borrow(), |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Reads a saved response (`GET /savedResponses/{id}`).
    pub async fn get(&self, id: impl Into<SavedResponseId>) -> Result<SavedResponse> {
        let req = ApiRequest::get(format!("savedResponses/{}", id.into()));
        Ok(self.client.send::<Envelope>(req).await?.saved_response)
    }

    /// Creates a saved response (`POST /savedResponses`; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<SavedResponseInput>) -> Result<SavedResponse> {
        let input = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("savedResponses", &wrap("savedResponse", input)?)?;
        Ok(self.client.send::<Envelope>(req).await?.saved_response)
    }

    /// Changes what `input` sets (`PUT /savedResponses/{id}`).
    pub async fn update(
        &self,
        id: impl Into<SavedResponseId>,
        input: impl Borrow<SavedResponseInput>,
    ) -> Result<SavedResponse> {
        let input = input.borrow();
        input.validate()?;
        let path = format!("savedResponses/{}", id.into());
        let req = ApiRequest::put(path, &wrap("savedResponse", input)?)?;
        Ok(self.client.send::<Envelope>(req).await?.saved_response)
    }

    /// Deletes a saved response (`DELETE /savedResponses/{id}`).
    pub async fn delete(&self, id: impl Into<SavedResponseId>) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(format!("savedResponses/{}", id.into())))
            .await
    }
}

async fn list_page(client: &Client, query: &SavedResponseQuery) -> Result<Page<SavedResponse>> {
    let req = ApiRequest::get("savedResponses").query(query.to_query()?);
    let list: ListBody = client.send(req).await?;
    Ok(Page {
        items: list.saved_responses,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn model_and_input_follow_acs_shape() {
        let r: SavedResponse = serde_json::from_value(json!({"title":"Response title",
            "subject":"s","body":"b","ldate":null,"last_sent_user_id":null,
            "cdate":"2018-11-16T02:50:54-06:00","mdate":null,"links":{},"id":"1"}))
        .unwrap();
        assert_eq!((r.id, r.mdate), (SavedResponseId(1), None));
        assert!(r.cdate.is_some());
        assert_eq!(
            wrap("savedResponse", &SavedResponseInput::update().body("Hi")).unwrap(),
            json!({"savedResponse": {"body": "Hi"}})
        );
        let none = SavedResponseInput::new("t", "", " ");
        assert_eq!(none.validate().unwrap_err().field(), Some("subject"));
        assert!(SavedResponseInput::new("t", "", "b").validate().is_ok());
    }
}
