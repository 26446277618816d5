//! Saved responses (AC's `/savedResponses`): canned email replies of the deals inbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult};

/// A saved response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedResponse {
    /// Id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Email subject.
    pub subject: String,
    /// Email body.
    pub body: String,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last update, `None` until updated.
    pub mdate: Option<DateTime<Utc>>,
}

/// Attributes of a saved response create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct SavedResponseInput {
    pub title: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
}

/// AC's errors for a saved response without a title, or with neither subject nor body.
fn check(title: &str, subject: &str, body: &str) -> StoreResult<()> {
    let mut errors = Vec::new();
    if title.trim().is_empty() {
        errors.push(StoreError::Missing {
            title: "This field is required.".into(),
            pointer: "/data/attributes/title".into(),
        });
    }
    if subject.trim().is_empty() && body.trim().is_empty() {
        for attr in ["subject", "body"] {
            errors.push(StoreError::Invalid {
                code: "field_invalid",
                title: "Either a subject or a body needs to be provided.".into(),
                pointer: format!("/data/attributes/{attr}"),
                error: None,
            });
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(StoreError::Many(errors)),
    }
}

impl Store {
    /// Fails with `NotFound` unless the saved response exists.
    pub fn saved_response(&self, id: u64) -> StoreResult<&SavedResponse> {
        self.saved_responses.get_or(Entity::SavedResponse, id)
    }

    /// `POST /savedResponses`: a title and a subject or a body are required.
    pub fn create_saved_response(
        &mut self,
        input: &SavedResponseInput,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let (title, subject, body) = (text(&input.title), text(&input.subject), text(&input.body));
        check(&title, &subject, &body)?;
        Ok(self.saved_responses.insert_with(|id| SavedResponse {
            id,
            title,
            subject,
            body,
            cdate: now,
            mdate: None,
        }))
    }

    /// `PUT /savedResponses/{id}`: only sent fields change; the result must still have a title
    /// and a subject or a body.
    pub fn update_saved_response(
        &mut self,
        id: u64,
        input: &SavedResponseInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.saved_response(id)?;
        let pick = |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_string());
        let title = pick(&input.title, &current.title);
        let subject = pick(&input.subject, &current.subject);
        let body = pick(&input.body, &current.body);
        check(&title, &subject, &body)?;
        let r = self.saved_responses.get_mut_or(Entity::SavedResponse, id)?;
        (r.title, r.subject, r.body, r.mdate) = (title, subject, body, Some(now));
        Ok(())
    }

    /// `DELETE /savedResponses/{id}`.
    pub fn delete_saved_response(&mut self, id: u64) -> StoreResult<()> {
        self.saved_responses
            .remove_or(Entity::SavedResponse, id)
            .map(drop)
    }
}
