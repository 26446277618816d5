//! Notes on contacts, deals, accounts and tasks (`/notes`, `/contacts/{id}/notes`,
//! `/deals/{id}/notes`, `/accounts/{id}/notes`).
//!
//! AC says what a note belongs to with `reltype` (`Subscriber`, `Deal`, `CustomerAccount`,
//! `DealTask`) and `relid`; [`NoteOwner`] says both in one value.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{AccountId, ContactId, DealId, DealTaskId, NoteId, UserId};
use crate::page::{Meta, Page};
use crate::resources::accounts::opt_id;
use crate::resources::{require_text, wrap};

/// What a note belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteOwner {
    /// A contact (`reltype` `Subscriber`).
    Contact(ContactId),
    /// A deal (`Deal`).
    Deal(DealId),
    /// An account (`CustomerAccount`).
    Account(AccountId),
    /// A task (`DealTask`).
    Task(DealTaskId),
}

impl NoteOwner {
    /// AC's `reltype`.
    pub fn reltype(self) -> &'static str {
        match self {
            NoteOwner::Contact(_) => "Subscriber",
            NoteOwner::Deal(_) => "Deal",
            NoteOwner::Account(_) => "CustomerAccount",
            NoteOwner::Task(_) => "DealTask",
        }
    }

    /// The owner's id (`relid`).
    pub fn relid(self) -> u64 {
        match self {
            NoteOwner::Contact(id) => id.get(),
            NoteOwner::Deal(id) => id.get(),
            NoteOwner::Account(id) => id.get(),
            NoteOwner::Task(id) => id.get(),
        }
    }

    /// From AC's `reltype` and `relid`; `None` for kinds not listed here (`Activity`).
    pub fn from_wire(reltype: &str, relid: u64) -> Option<Self> {
        match reltype.trim() {
            "Subscriber" => Some(NoteOwner::Contact(ContactId(relid))),
            "Deal" => Some(NoteOwner::Deal(DealId(relid))),
            "CustomerAccount" => Some(NoteOwner::Account(AccountId(relid))),
            "DealTask" => Some(NoteOwner::Task(DealTaskId(relid))),
            _ => None,
        }
    }
}

impl From<ContactId> for NoteOwner {
    fn from(id: ContactId) -> Self {
        NoteOwner::Contact(id)
    }
}

impl From<DealId> for NoteOwner {
    fn from(id: DealId) -> Self {
        NoteOwner::Deal(id)
    }
}

impl From<AccountId> for NoteOwner {
    fn from(id: AccountId) -> Self {
        NoteOwner::Account(id)
    }
}

impl From<DealTaskId> for NoteOwner {
    fn from(id: DealTaskId) -> Self {
        NoteOwner::Task(id)
    }
}

/// A note as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// The note's id.
    pub id: NoteId,
    /// The text.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub note: String,
    /// `Subscriber`, `Deal`, `CustomerAccount`, `DealTask`, ... (see [`Note::owner`]).
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub reltype: Option<String>,
    /// The owner's id.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub relid: Option<u64>,
    /// The user who wrote it.
    #[serde(rename = "userid", default, deserialize_with = "opt_id")]
    pub user: Option<UserId>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last change.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub mdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`owner`, `links`, `is_draft`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Note {
    /// What the note belongs to, from `reltype` and `relid`.
    pub fn owner(&self) -> Option<NoteOwner> {
        NoteOwner::from_wire(self.reltype.as_deref()?, self.relid?)
    }
}

#[derive(Serialize)]
struct NoteBody<'a> {
    note: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reltype: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relid: Option<String>,
}

impl<'a> NoteBody<'a> {
    fn new(text: &'a str, owner: Option<NoteOwner>) -> Result<Self> {
        require_text("note", text)?;
        Ok(NoteBody {
            note: text,
            reltype: owner.map(NoteOwner::reltype),
            relid: owner.map(|o| o.relid().to_string()),
        })
    }
}

#[derive(Deserialize)]
struct NoteEnvelope {
    note: Note,
}

#[derive(Deserialize)]
struct NoteList {
    #[serde(default)]
    notes: Vec<Note>,
    #[serde(default)]
    meta: Meta,
}

/// The notes handler: `client.notes()`.
#[derive(Debug, Clone, Copy)]
pub struct Notes<'c> {
    client: &'c Client,
}

impl Client {
    /// Notes on contacts, deals, accounts and tasks.
    pub fn notes(&self) -> Notes<'_> {
        Notes { client: self }
    }
}

impl Notes<'_> {
    /// Adds a note to `owner` (`POST /notes`, 201); empty text is refused before sending.
    /// Never retried after a 5xx.
    pub async fn create(&self, owner: impl Into<NoteOwner>, text: &str) -> Result<Note> {
        let body = NoteBody::new(text, Some(owner.into()))?;
        let req = ApiRequest::post("notes", &wrap("note", &body)?)?;
        Ok(self.client.send::<NoteEnvelope>(req).await?.note)
    }

    /// Reads a note (`GET /notes/{id}`).
    pub async fn get(&self, id: impl Into<NoteId>) -> Result<Note> {
        let req = ApiRequest::get(format!("notes/{}", id.into()));
        Ok(self.client.send::<NoteEnvelope>(req).await?.note)
    }

    /// Replaces a note's text (`PUT /notes/{id}`).
    pub async fn update(&self, id: impl Into<NoteId>, text: &str) -> Result<Note> {
        let body = NoteBody::new(text, None)?;
        let req = ApiRequest::put(format!("notes/{}", id.into()), &wrap("note", &body)?)?;
        Ok(self.client.send::<NoteEnvelope>(req).await?.note)
    }

    /// Deletes a note (`DELETE /notes/{id}`).
    pub async fn delete(&self, id: impl Into<NoteId>) -> Result<()> {
        let req = ApiRequest::delete(format!("notes/{}", id.into()));
        self.client.send_empty(req).await
    }

    /// The notes of a contact, deal or account (`GET /contacts/{id}/notes`,
    /// `/deals/{id}/notes`, `/accounts/{id}/notes`), up to 100 (AC's page limit).
    pub async fn of(&self, owner: impl Borrow<NoteOwner>) -> Result<Page<Note>> {
        let path = match *owner.borrow() {
            NoteOwner::Contact(id) => format!("contacts/{id}/notes"),
            NoteOwner::Deal(id) => format!("deals/{id}/notes"),
            NoteOwner::Account(id) => format!("accounts/{id}/notes"),
            NoteOwner::Task(id) => format!("dealTasks/{id}/notes"),
        };
        let req = ApiRequest::get(path).query(vec![("limit".into(), "100".into())]);
        let list: NoteList = self.client.send(req).await?;
        Ok(Page {
            items: list.notes,
            total: list.meta.total,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_deal_note_and_writes_the_body() {
        let env: NoteEnvelope = serde_json::from_value(json!({"note": {
            "cdate": "2017-05-31T09:32:40-05:00", "id": "2", "mdate": "2017-05-31T09:32:40-05:00",
            "note": "Note for the deal", "owner": {"type": "deal", "id": "1"}, "relid": "1",
            "reltype": "Deal", "userid": "1", "links": {}}}))
        .unwrap();
        assert_eq!(env.note.owner(), Some(NoteOwner::Deal(DealId(1))));
        assert_eq!(env.note.user, Some(UserId(1)));
        let body = NoteBody::new("hi", Some(ContactId(4).into())).unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"note": "hi", "reltype": "Subscriber", "relid": "4"})
        );
        assert_eq!(
            NoteBody::new(" ", None).err().unwrap().field(),
            Some("note")
        );
    }
}
