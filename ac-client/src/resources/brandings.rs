//! Branding (`/brandings`): the account's white-label settings. AC's API lists, reads and
//! updates brandings; it creates and deletes none.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{BrandingId, GroupId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::resources::accounts::opt_id;
use crate::resources::wrap;

/// A branding as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branding {
    /// The branding's id.
    pub id: BrandingId,
    /// The group it brands (`groupid`).
    #[serde(rename = "groupid", default, deserialize_with = "opt_id")]
    pub group: Option<GroupId>,
    /// Title of the software (`siteName`).
    #[serde(
        rename = "siteName",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub site_name: String,
    /// Logo URL (`siteLogo`).
    #[serde(
        rename = "siteLogo",
        default,
        deserialize_with = "crate::de::opt_string"
    )]
    pub site_logo: Option<String>,
    /// Favicon URL.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub favicon: Option<String>,
    /// Every other setting AC sent (headers, footers, templates, the `"0"`/`"1"` flags
    /// `copyright`, `version`, `license`, `links`, `help`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Branding {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// A branding update: only what is set is sent.
///
/// ```
/// use ac_client::brandings::BrandingUpdate;
///
/// let update = BrandingUpdate::new()
///     .site_name("Acme Mail")
///     .setting("footerTextValue", "Acme Inc.")
///     .flag("links", false);
/// assert_eq!(
///     serde_json::to_value(&update).unwrap(),
///     serde_json::json!({"siteName":"Acme Mail","footerTextValue":"Acme Inc.","links":false})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BrandingUpdate {
    /// Title of the software.
    #[serde(rename = "siteName", skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// Logo URL.
    #[serde(rename = "siteLogo", skip_serializing_if = "Option::is_none")]
    pub site_logo: Option<String>,
    /// Any other setting by AC's name (`headerHtmlValue`, `favicon`, `links`...).
    #[serde(flatten)]
    pub settings: BTreeMap<String, Value>,
}

impl BrandingUpdate {
    /// An update that changes nothing until settings are set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the software's title.
    pub fn site_name(mut self, v: impl Into<String>) -> Self {
        self.site_name = Some(v.into());
        self
    }

    /// Sets the logo URL.
    pub fn site_logo(mut self, v: impl Into<String>) -> Self {
        self.site_logo = Some(v.into());
        self
    }

    /// Sets a text setting by AC's name (`headerTextValue`, `footerHtmlValue`, `favicon`...).
    pub fn setting(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings
            .insert(name.into(), Value::String(value.into()));
        self
    }

    /// Sets an on/off setting by AC's name (`copyright`, `version`, `license`, `links`,
    /// `help`).
    pub fn flag(mut self, name: impl Into<String>, on: bool) -> Self {
        self.settings.insert(name.into(), Value::Bool(on));
        self
    }
}

/// Paging for the brandings listing (AC documents no filters).
pub type BrandingQuery = crate::query::PageQuery;

#[derive(Deserialize)]
struct BrandingEnvelope {
    branding: Branding,
}

#[derive(Deserialize)]
struct BrandingList {
    brandings: Vec<Branding>,
    #[serde(default)]
    meta: Meta,
}

/// The brandings handler: `client.brandings()`.
#[derive(Debug, Clone, Copy)]
pub struct Brandings<'c> {
    client: &'c Client,
}

impl Client {
    /// The account's branding (white-label) settings.
    pub fn brandings(&self) -> Brandings<'_> {
        Brandings { client: self }
    }
}

impl<'c> Brandings<'c> {
    /// One page of brandings (`GET /brandings`).
    pub async fn list(&self, query: impl Borrow<BrandingQuery>) -> Result<Page<Branding>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every branding, fetched lazily.
    pub fn stream(
        &self,
        query: impl Borrow<BrandingQuery>,
    ) -> impl Stream<Item = Result<Branding>> + Send + 'static {
        query_stream(self.client, *query.borrow(), |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Reads a branding (`GET /brandings/{id}`).
    pub async fn get(&self, id: impl Into<BrandingId>) -> Result<Branding> {
        let req = ApiRequest::get(format!("brandings/{}", id.into()));
        Ok(self.client.send::<BrandingEnvelope>(req).await?.branding)
    }

    /// Changes what `update` sets (`PUT /brandings/{id}`).
    pub async fn update(
        &self,
        id: impl Into<BrandingId>,
        update: impl Borrow<BrandingUpdate>,
    ) -> Result<Branding> {
        let body = wrap("branding", update.borrow())?;
        let req = ApiRequest::put(format!("brandings/{}", id.into()), &body)?;
        Ok(self.client.send::<BrandingEnvelope>(req).await?.branding)
    }
}

async fn list_page(client: &Client, query: &BrandingQuery) -> Result<Page<Branding>> {
    let req = ApiRequest::get("brandings").query(query.to_query()?);
    let list: BrandingList = client.send(req).await?;
    Ok(Page {
        items: list.brandings,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn branding_reads_acs_shape() {
        let b: Branding = serde_json::from_value(json!({"groupid":"3",
            "siteName":"ActiveCampaign Email Marketing","siteLogo":"http://mysite.com/logo.jpg",
            "copyright":"1","links":"1","favicon":null,"id":"1"}))
        .unwrap();
        assert_eq!((b.id, b.group), (BrandingId(1), Some(GroupId(3))));
        assert_eq!(b.site_logo.as_deref(), Some("http://mysite.com/logo.jpg"));
        assert_eq!(b.favicon, None);
        assert_eq!(b.extra["links"], json!("1"));
    }
}
