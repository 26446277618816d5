//! Forms: read-only through AC's API, created with `POST /__admin/forms` and submitted with
//! `POST /__admin/forms/{id}/submissions` (AC's API has no call for either).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ContactInput, Entity, Store, StoreResult, TagInput};

/// A subscription form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// Id.
    pub id: u64,
    /// Name shown in AC's form list.
    pub name: String,
    /// The lists a submission subscribes the contact to.
    pub lists: Vec<u64>,
    /// The names of the tags a submission applies (created on first submission if missing).
    pub tags: Vec<String>,
    /// What the form does after a submission (`show`, `redirect`).
    pub action: String,
    /// The page a `redirect` form sends to.
    pub url: String,
    /// The form's options object, as given (AC's `options`: `confaction`, `sendoptin`, ...).
    pub options: Map<String, Value>,
    /// Submissions so far (AC's `entries`).
    pub entries: u64,
    /// Created.
    pub cdate: DateTime<Utc>,
    /// Last changed (a submission counts).
    pub udate: DateTime<Utc>,
}

/// What `POST /__admin/forms` creates.
#[derive(Debug, Clone, Default)]
pub struct FormInput {
    /// Name (required).
    pub name: String,
    /// Lists (each must exist).
    pub lists: Vec<u64>,
    /// Tag names.
    pub tags: Vec<String>,
    /// `show` (default) or `redirect`.
    pub action: Option<String>,
    /// Redirect page.
    pub url: Option<String>,
    /// Options object.
    pub options: Map<String, Value>,
}

/// What a submission did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The contact (created when the email was new).
    pub contact: u64,
    /// True when the contact was created by this submission.
    pub created: bool,
    /// The lists the contact is now subscribed to through the form.
    pub lists: Vec<u64>,
    /// The tags applied.
    pub tags: Vec<u64>,
}

impl Store {
    /// The form with this id.
    pub fn form(&self, id: u64) -> StoreResult<&Form> {
        self.forms.get_or(Entity::Form, id)
    }

    /// Creates a form; every list must exist.
    pub fn create_form(&mut self, input: &FormInput, now: DateTime<Utc>) -> StoreResult<u64> {
        for list in &input.lists {
            self.list(*list)?;
        }
        Ok(self.forms.insert_with(|id| Form {
            id,
            name: input.name.clone(),
            lists: input.lists.clone(),
            tags: input.tags.clone(),
            action: input.action.clone().unwrap_or_else(|| "show".into()),
            url: input.url.clone().unwrap_or_default(),
            options: input.options.clone(),
            entries: 0,
            cdate: now,
            udate: now,
        }))
    }

    /// Submits a form: syncs the contact by email, subscribes it (status 1) to each of the
    /// form's lists that still exists and applies the form's tags (creating missing tags).
    pub fn submit_form(
        &mut self,
        form: u64,
        contact: &ContactInput,
        now: DateTime<Utc>,
    ) -> StoreResult<Submission> {
        let f = self.form(form)?.clone();
        let write = self.sync_contact(contact, now)?;
        let mut lists = Vec::new();
        for list in f.lists {
            if self.lists.get(list).is_some() {
                self.set_contact_list(write.id, list, 1, None, now)?;
                lists.push(list);
            }
        }
        let mut tags = Vec::new();
        for name in &f.tags {
            let tag = match self.tag_by_name(name) {
                Some(t) => t,
                None => self.create_tag(
                    &TagInput {
                        tag: Some(name.clone()),
                        ..Default::default()
                    },
                    now,
                )?,
            };
            self.add_contact_tag(write.id, tag, now)?;
            tags.push(tag);
        }
        if let Some(row) = self.forms.get_mut(form) {
            row.entries += 1;
            row.udate = now;
        }
        Ok(Submission {
            contact: write.id,
            created: write.created,
            lists,
            tags,
        })
    }
}
