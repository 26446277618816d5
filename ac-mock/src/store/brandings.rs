//! Branding (AC's `/brandings`): the account's white-label settings. AC's API lists, reads and
//! updates brandings but cannot create or delete them; every account has branding 1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreResult, Table};

/// The text settings of a branding, in the order AC renders them.
pub const TEXTS: &[&str] = &[
    "siteName",
    "siteLogo",
    "siteLogoSmall",
    "headerTextValue",
    "headerHtmlValue",
    "footerTextValue",
    "footerHtmlValue",
    "adminTemplateHtm",
    "adminTemplateCss",
    "publicTemplateHtm",
    "publicTemplateCss",
];

/// The on/off settings of a branding, in the order AC renders them.
pub const FLAGS: &[&str] = &["copyright", "version", "license", "links", "help"];

/// A branding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    /// Id.
    pub id: u64,
    /// The group it brands (the admin group).
    pub group: u64,
    /// [`TEXTS`] values; a key not in the map is empty.
    pub texts: BTreeMap<String, String>,
    /// [`FLAGS`] values; a key not in the map is on.
    pub flags: BTreeMap<String, bool>,
    /// Favicon URL, `None` until set.
    pub favicon: Option<String>,
}

impl Branding {
    /// A text setting (empty when unset).
    pub fn text(&self, key: &str) -> &str {
        self.texts.get(key).map_or("", String::as_str)
    }

    /// A flag (on when unset).
    pub fn flag(&self, key: &str) -> bool {
        self.flags.get(key).copied().unwrap_or(true)
    }
}

/// What a branding update sends; unsent settings stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrandingInput {
    /// [`TEXTS`] values sent.
    pub texts: BTreeMap<String, String>,
    /// [`FLAGS`] values sent.
    pub flags: BTreeMap<String, bool>,
    /// Favicon URL.
    pub favicon: Option<String>,
}

/// The brandings table. The default holds branding 1 "ActiveCampaign Email Marketing".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Brandings {
    /// Brandings.
    pub rows: Table<Branding>,
}

impl Default for Brandings {
    fn default() -> Self {
        let mut rows = Table::default();
        rows.insert_with(|id| Branding {
            id,
            group: super::groups::ADMIN_GROUP,
            texts: BTreeMap::from([(
                "siteName".to_string(),
                "ActiveCampaign Email Marketing".to_string(),
            )]),
            flags: BTreeMap::new(),
            favicon: None,
        });
        Self { rows }
    }
}

impl Store {
    /// Fails with `NotFound` unless the branding exists.
    pub fn branding(&self, id: u64) -> StoreResult<&Branding> {
        self.brandings.rows.get_or(Entity::Branding, id)
    }

    /// `PUT /brandings/{id}`: only sent settings change.
    pub fn update_branding(&mut self, id: u64, input: &BrandingInput) -> StoreResult<()> {
        let b = self.brandings.rows.get_mut_or(Entity::Branding, id)?;
        b.texts
            .extend(input.texts.iter().map(|(k, v)| (k.clone(), v.clone())));
        b.flags
            .extend(input.flags.iter().map(|(k, v)| (k.clone(), *v)));
        if let Some(f) = &input.favicon {
            b.favicon = Some(f.clone());
        }
        Ok(())
    }
}
