//! Scores (`/scores`) and the score values of contacts and deals
//! (`/contacts/{id}/scoreValues`, `/deals/{id}/scoreValues`). AC's API only reads them:
//! scores are built in AC's app.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{ContactId, DealId, ScoreId, ScoreValueId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::resources::accounts::opt_id;

/// A score as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The score's id.
    pub id: ScoreId,
    /// What it scores: `contact` or `deal`.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub reltype: String,
    /// Name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// Description (`descript`).
    #[serde(
        rename = "descript",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub description: String,
    /// Whether the score is active (`status` `"1"`).
    #[serde(rename = "status", default, deserialize_with = "crate::de::opt_bool")]
    pub active: Option<bool>,
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

impl Identified for Score {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// One score's value for a contact or a deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreValue {
    /// The value row's id.
    pub id: ScoreValueId,
    /// The score.
    pub score: ScoreId,
    /// The contact (contact scores).
    #[serde(default, deserialize_with = "opt_id")]
    pub contact: Option<ContactId>,
    /// The deal (deal scores).
    #[serde(default, deserialize_with = "opt_id")]
    pub deal: Option<DealId>,
    /// The points (`scoreValue`).
    #[serde(
        rename = "scoreValue",
        default,
        deserialize_with = "crate::de::opt_i64"
    )]
    pub value: Option<i64>,
    /// Every other field AC sent (`cdate`, `mdate`, `links`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Paging for the scores listing (AC documents no filters).
pub type ScoreQuery = crate::query::PageQuery;

#[derive(Deserialize)]
struct ScoreEnvelope {
    score: Score,
}

#[derive(Deserialize)]
struct ScoreList {
    scores: Vec<Score>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct ScoreValueList {
    #[serde(rename = "scoreValues", default)]
    score_values: Vec<ScoreValue>,
}

/// The scores handler: `client.scores()`.
#[derive(Debug, Clone, Copy)]
pub struct Scores<'c> {
    client: &'c Client,
}

impl Client {
    /// Scores and the score values of contacts and deals (read only).
    pub fn scores(&self) -> Scores<'_> {
        Scores { client: self }
    }
}

impl<'c> Scores<'c> {
    /// One page of scores (`GET /scores`).
    pub async fn list(&self, query: impl Borrow<ScoreQuery>) -> Result<Page<Score>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every score, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(
        &self,
        query: impl Borrow<ScoreQuery>,
    ) -> impl Stream<Item = Result<Score>> + Send + 'static {
        query_stream(self.client, *query.borrow(), |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Reads a score (`GET /scores/{id}`).
    pub async fn get(&self, id: impl Into<ScoreId>) -> Result<Score> {
        let req = ApiRequest::get(format!("scores/{}", id.into()));
        Ok(self.client.send::<ScoreEnvelope>(req).await?.score)
    }

    /// A contact's score values (`GET /contacts/{id}/scoreValues`).
    pub async fn of_contact(&self, contact: impl Into<ContactId>) -> Result<Vec<ScoreValue>> {
        let req = ApiRequest::get(format!("contacts/{}/scoreValues", contact.into()));
        Ok(self.client.send::<ScoreValueList>(req).await?.score_values)
    }

    /// A deal's score values (`GET /deals/{id}/scoreValues`).
    pub async fn of_deal(&self, deal: impl Into<DealId>) -> Result<Vec<ScoreValue>> {
        let req = ApiRequest::get(format!("deals/{}/scoreValues", deal.into()));
        Ok(self.client.send::<ScoreValueList>(req).await?.score_values)
    }
}

async fn list_page(client: &Client, query: &ScoreQuery) -> Result<Page<Score>> {
    let req = ApiRequest::get("scores").query(query.to_query()?);
    let list: ScoreList = client.send(req).await?;
    Ok(Page {
        items: list.scores,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn score_and_value_read_acs_shapes() {
        let s: Score = serde_json::from_value(json!({"reltype":"contact",
            "name":"Link Engagement Score","descript":"+50","status":"1",
            "cdate":"2018-12-13T15:05:42-06:00","mdate":"2018-12-13T16:23:07-06:00",
            "links":[],"id":"2"}))
        .unwrap();
        assert_eq!((s.id, s.active), (ScoreId(2), Some(true)));
        assert_eq!(s.description, "+50");
        let v: ScoreValue = serde_json::from_value(json!({"score":"2","contact":"1",
            "deal":null,"scoreValue":"0","links":{},"id":"1"}))
        .unwrap();
        assert_eq!(
            (v.score, v.contact, v.deal, v.value),
            (ScoreId(2), Some(ContactId(1)), None, Some(0))
        );
    }
}
