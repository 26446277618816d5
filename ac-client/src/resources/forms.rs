//! Subscription forms (`/forms`): read-only in AC's API.
//!
//! A form subscribes whoever submits it to its lists and applies its tags; AC's API can list
//! and read forms but not create or submit them.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{FormId, ListId};
use crate::page::{query_stream, BoxStream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};

/// A form as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// The form's id.
    pub id: FormId,
    /// Name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// What the form does after a submission (`show`, `redirect`, ...).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub action: String,
    /// Submissions so far (`entries`).
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub entries: u64,
    /// The form's options (`confaction`, `sendoptin`, ...), as AC sent them.
    #[serde(default, deserialize_with = "object_lenient")]
    pub options: Map<String, Value>,
    /// Creation time, when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last change, when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub udate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`actiondata`, `layout`, `cfields`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An object, or an empty map for anything else (AC sends `""` for an unset object).
fn object_lenient<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map,
        _ => Map::new(),
    })
}

impl Form {
    /// The entries of `actiondata.actions` (what a submission does), each an object with a
    /// `type` (`subscribe-to-list`, `add-tag`, ...).
    pub fn actions(&self) -> &[Value] {
        self.extra
            .get("actiondata")
            .and_then(|d| d.get("actions"))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The lists a submission subscribes to (the `subscribe-to-list` actions).
    pub fn list_ids(&self) -> Vec<ListId> {
        self.actions_of("subscribe-to-list", "list")
            .filter_map(|v| match v {
                Value::String(s) => s.trim().parse().ok(),
                other => other.as_u64(),
            })
            .map(ListId)
            .collect()
    }

    /// The names of the tags a submission applies (the `add-tag` actions).
    pub fn tag_names(&self) -> Vec<String> {
        self.actions_of("add-tag", "tag")
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    fn actions_of<'a>(&'a self, kind: &'a str, key: &'a str) -> impl Iterator<Item = &'a Value> {
        self.actions()
            .iter()
            .filter(move |a| a.get("type").and_then(Value::as_str) == Some(kind))
            .filter_map(move |a| a.get(key))
    }
}

impl Identified for Form {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// Paging for `GET /forms`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormQuery {
    limit: Option<u32>,
    offset: Option<u64>,
}

impl FormQuery {
    /// Every form.
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

paged_query!(FormQuery);

#[derive(Deserialize)]
struct FormEnvelope {
    form: Form,
}

#[derive(Deserialize)]
struct FormList {
    forms: Vec<Form>,
    #[serde(default)]
    meta: Meta,
}

/// The forms handler: `client.forms()`.
#[derive(Debug, Clone, Copy)]
pub struct Forms<'c> {
    client: &'c Client,
}

impl Client {
    /// Subscription forms: list and read.
    pub fn forms(&self) -> Forms<'_> {
        Forms { client: self }
    }
}

impl Forms<'_> {
    /// One page of forms (`GET /forms`).
    pub async fn list(&self, query: impl Borrow<FormQuery>) -> Result<Page<Form>> {
        form_page(self.client, query.borrow()).await
    }

    /// Every form, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<FormQuery>) -> BoxStream<Form> {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { form_page(&client, &q).await },
        )
    }

    /// Reads a form (`GET /forms/{id}`).
    pub async fn get(&self, id: impl Into<FormId>) -> Result<Form> {
        let req = ApiRequest::get(format!("forms/{}", id.into()));
        Ok(self.client.send::<FormEnvelope>(req).await?.form)
    }
}

async fn form_page(client: &Client, query: &FormQuery) -> Result<Page<Form>> {
    let req = ApiRequest::get("forms").query(query.to_query()?);
    let list: FormList = client.send(req).await?;
    Ok(Page {
        items: list.forms,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_model_reads_acs_shape_and_its_actions() {
        let f: Form = serde_json::from_value(json!({
            "name":"Newsletter","action":"show","entries":"3","options":{"sendoptin":1},
            "actiondata":{"actions":[{"type":"subscribe-to-list","list":"2"},
                {"type":"add-tag","tag":"lead"},{"type":"subscribe-to-list","list":5}]},
            "cdate":"2026-05-28T03:05:54-05:00","layout":"inline-form","id":"7"}))
        .unwrap();
        assert_eq!((f.id, f.entries), (FormId(7), 3));
        assert_eq!(f.options["sendoptin"], 1);
        assert_eq!(f.list_ids(), [ListId(2), ListId(5)]);
        assert_eq!(f.tag_names(), ["lead"]);
        assert!(f.cdate.is_some());
        let bare: Form =
            serde_json::from_value(json!({"id":"1","options":"","actiondata":""})).unwrap();
        assert!(bare.options.is_empty() && bare.actions().is_empty());
    }
}
