//! Saved contact segments (`/segments`): read-only in AC's API.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::SegmentId;
use crate::page::{query_stream, BoxStream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};

/// A segment as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The segment's id.
    pub id: SegmentId,
    /// Name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// How its conditions combine (`and`, `or`).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub logic: String,
    /// Hidden from AC's segment picker (`hidden` `"1"`), when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_bool")]
    pub hidden: Option<bool>,
    /// Every other field AC sent (`seriesid`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Segment {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// Paging for `GET /segments`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentQuery {
    limit: Option<u32>,
    offset: Option<u64>,
}

impl SegmentQuery {
    /// Every segment.
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

paged_query!(SegmentQuery);

#[derive(Deserialize)]
struct SegmentEnvelope {
    segment: Segment,
}

#[derive(Deserialize)]
struct SegmentList {
    segments: Vec<Segment>,
    #[serde(default)]
    meta: Meta,
}

/// The segments handler: `client.segments()`.
#[derive(Debug, Clone, Copy)]
pub struct Segments<'c> {
    client: &'c Client,
}

impl Client {
    /// Saved contact segments: list and read.
    pub fn segments(&self) -> Segments<'_> {
        Segments { client: self }
    }
}

impl Segments<'_> {
    /// One page of segments (`GET /segments`).
    pub async fn list(&self, query: impl Borrow<SegmentQuery>) -> Result<Page<Segment>> {
        segment_page(self.client, query.borrow()).await
    }

    /// Every segment, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<SegmentQuery>) -> BoxStream<Segment> {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { segment_page(&client, &q).await },
        )
    }

    /// Reads a segment (`GET /segments/{id}`).
    pub async fn get(&self, id: impl Into<SegmentId>) -> Result<Segment> {
        let req = ApiRequest::get(format!("segments/{}", id.into()));
        Ok(self.client.send::<SegmentEnvelope>(req).await?.segment)
    }
}

async fn segment_page(client: &Client, query: &SegmentQuery) -> Result<Page<Segment>> {
    let req = ApiRequest::get("segments").query(query.to_query()?);
    let list: SegmentList = client.send(req).await?;
    Ok(Page {
        items: list.segments,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn segment_model_reads_acs_shape() {
        let s: Segment = serde_json::from_value(json!({
            "name":"VIPs","logic":"and","hidden":"1","seriesid":"0","links":{},"id":"3"}))
        .unwrap();
        assert_eq!(
            (s.id, s.name.as_str(), s.hidden),
            (SegmentId(3), "VIPs", Some(true))
        );
        assert!(s.extra.contains_key("seriesid"));
    }
}
