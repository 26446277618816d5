//! Notes (`/notes`) on contacts, deals, accounts and tasks (AC's `reltype` + `relid`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult};

/// What a note is attached to (AC's `reltype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoteOwner {
    /// `Subscriber`: a contact.
    Contact,
    /// `Deal`.
    Deal,
    /// `CustomerAccount`: an account.
    Account,
    /// `DealTask`: a task.
    Task,
}

impl NoteOwner {
    /// AC's `reltype`.
    pub fn reltype(self) -> &'static str {
        match self {
            NoteOwner::Contact => "Subscriber",
            NoteOwner::Deal => "Deal",
            NoteOwner::Account => "CustomerAccount",
            NoteOwner::Task => "DealTask",
        }
    }

    /// AC's `owner.type`.
    pub fn owner_type(self) -> &'static str {
        match self {
            NoteOwner::Contact => "contact",
            NoteOwner::Deal => "deal",
            NoteOwner::Account => "account",
            NoteOwner::Task => "dealTask",
        }
    }

    /// Reads a `reltype`, any case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "subscriber" | "contact" => Some(NoteOwner::Contact),
            "deal" => Some(NoteOwner::Deal),
            "customeraccount" | "account" => Some(NoteOwner::Account),
            "dealtask" => Some(NoteOwner::Task),
            _ => None,
        }
    }
}

/// A note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Id.
    pub id: u64,
    /// The text.
    pub note: String,
    /// What it is attached to.
    pub owner: NoteOwner,
    /// The owner's id.
    pub relid: u64,
    /// The user who wrote it.
    pub user: u64,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last change.
    pub mdate: DateTime<Utc>,
}

fn missing(attr: &str, title: &str) -> StoreError {
    StoreError::Missing {
        title: title.into(),
        pointer: format!("/data/attributes/{attr}"),
    }
}

impl Store {
    /// Fails with `NotFound` unless the note exists.
    pub fn note(&self, id: u64) -> StoreResult<&Note> {
        self.notes.get_or(Entity::Note, id)
    }

    fn check_note_owner(&self, owner: NoteOwner, relid: u64) -> StoreResult<()> {
        let exists = match owner {
            NoteOwner::Contact => self.contacts.get(relid).is_some(),
            NoteOwner::Deal => self.deals.get(relid).is_some(),
            NoteOwner::Account => self.accounts.get(relid).is_some(),
            NoteOwner::Task => self.tasks.tasks.get(relid).is_some(),
        };
        if exists {
            return Ok(());
        }
        Err(StoreError::Invalid {
            code: "related_missing",
            title: format!("The related {} does not exist.", owner.owner_type()),
            pointer: "/data/attributes/relid".into(),
            error: None,
        })
    }

    /// `POST /notes`: `note`, `reltype` and `relid` are required and the owner must exist.
    pub fn create_note(
        &mut self,
        text: Option<&str>,
        owner: Option<NoteOwner>,
        relid: Option<u64>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut errors = Vec::new();
        let text = text.filter(|t| !t.trim().is_empty());
        if text.is_none() {
            errors.push(missing("note", "The note text was not provided."));
        }
        if owner.is_none() {
            errors.push(missing("reltype", "The reltype was not provided."));
        }
        if relid.is_none() {
            errors.push(missing("relid", "The relid was not provided."));
        }
        if errors.len() > 1 {
            return Err(StoreError::Many(errors));
        }
        if let Some(e) = errors.pop() {
            return Err(e);
        }
        let (Some(text), Some(owner), Some(relid)) = (text, owner, relid) else {
            return Err(missing("note", "The note text was not provided."));
        };
        self.check_note_owner(owner, relid)?;
        Ok(self.notes.insert_with(|id| Note {
            id,
            note: text.to_string(),
            owner,
            relid,
            user: 1,
            cdate: now,
            mdate: now,
        }))
    }

    /// `PUT /notes/{id}`: the text, and the owner when `reltype`/`relid` are sent.
    pub fn update_note(
        &mut self,
        id: u64,
        text: Option<&str>,
        owner: Option<NoteOwner>,
        relid: Option<u64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.note(id)?.clone();
        if text.is_some_and(|t| t.trim().is_empty()) {
            return Err(missing("note", "The note text was not provided."));
        }
        let owner = owner.unwrap_or(current.owner);
        let relid = relid.unwrap_or(current.relid);
        self.check_note_owner(owner, relid)?;
        let n = self.notes.get_mut_or(Entity::Note, id)?;
        if let Some(t) = text {
            n.note = t.to_string();
        }
        n.owner = owner;
        n.relid = relid;
        n.mdate = now;
        Ok(())
    }

    /// `DELETE /notes/{id}`.
    pub fn delete_note(&mut self, id: u64) -> StoreResult<()> {
        self.notes.remove_or(Entity::Note, id).map(|_| ())
    }

    /// The notes of one owner (or of every owner), in id order.
    pub fn notes_of(&self, owner: Option<NoteOwner>, relid: Option<u64>) -> Vec<&Note> {
        self.notes
            .iter()
            .filter(|n| owner.is_none_or(|o| n.owner == o) && relid.is_none_or(|r| n.relid == r))
            .collect()
    }

    /// Removes the notes of a record that is gone.
    pub(crate) fn drop_notes_of(&mut self, owner: NoteOwner, relid: u64) {
        self.notes
            .remove_where(|n| n.owner == owner && n.relid == relid);
    }
}
