//! Scores (AC's `/scores`) and the score values of contacts and deals. AC's API cannot create
//! scores or set values; the admin API does (`/__admin/scores`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entity, Store, StoreError, StoreResult};

/// A score (a rule set giving contacts or deals points).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Id.
    pub id: u64,
    /// `contact` or `deal`.
    pub reltype: String,
    /// Name.
    pub name: String,
    /// Description.
    pub descript: String,
    /// Whether the score is active.
    pub active: bool,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last change.
    pub mdate: DateTime<Utc>,
}

/// The value of one score for one contact (or deal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreValue {
    /// Id.
    pub id: u64,
    /// Score id.
    pub score: u64,
    /// Contact id (contact scores).
    pub contact: Option<u64>,
    /// Deal id (deal scores).
    pub deal: Option<u64>,
    /// Points.
    pub value: i64,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last change.
    pub mdate: DateTime<Utc>,
}

fn invalid(attr: &str, title: String) -> StoreError {
    StoreError::Invalid {
        code: "field_invalid",
        title,
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

impl Store {
    /// Fails with `NotFound` unless the score exists.
    pub fn score(&self, id: u64) -> StoreResult<&Score> {
        self.scores.get_or(Entity::Score, id)
    }

    /// Creates a score (admin): a non-empty name and `reltype` `contact` (default) or `deal`.
    pub fn create_score(
        &mut self,
        name: &str,
        reltype: Option<&str>,
        descript: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Missing {
                title: "The score name was not provided.".into(),
                pointer: "/data/attributes/name".into(),
            });
        }
        let reltype = reltype.unwrap_or("contact").trim().to_ascii_lowercase();
        if reltype != "contact" && reltype != "deal" {
            return Err(invalid(
                "reltype",
                format!("reltype must be contact or deal, got {reltype:?}"),
            ));
        }
        Ok(self.scores.insert_with(|id| Score {
            id,
            reltype,
            name: name.to_string(),
            descript: descript.to_string(),
            active: true,
            cdate: now,
            mdate: now,
        }))
    }

    /// Sets the score's value for a contact (contact scores) or a deal (deal scores), creating
    /// the row on first use. Returns the row id.
    pub fn set_score_value(
        &mut self,
        score: u64,
        target: u64,
        value: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let is_deal = self.score(score)?.reltype == "deal";
        let (contact, deal) = if is_deal {
            self.deal(target)?;
            (None, Some(target))
        } else {
            self.contact(target)?;
            (Some(target), None)
        };
        if let Some(row) = self
            .score_values
            .rows
            .values_mut()
            .find(|v| v.score == score && v.contact == contact && v.deal == deal)
        {
            row.value = value;
            row.mdate = now;
            return Ok(row.id);
        }
        Ok(self.score_values.insert_with(|id| ScoreValue {
            id,
            score,
            contact,
            deal,
            value,
            cdate: now,
            mdate: now,
        }))
    }

    /// The score values of one contact whose score still exists, in id order.
    pub fn score_values_of_contact(&self, contact: u64) -> Vec<&ScoreValue> {
        self.score_values
            .iter()
            .filter(|v| v.contact == Some(contact) && self.scores.get(v.score).is_some())
            .collect()
    }

    /// The score values of one deal whose score still exists, in id order.
    pub fn score_values_of_deal(&self, deal: u64) -> Vec<&ScoreValue> {
        self.score_values
            .iter()
            .filter(|v| v.deal == Some(deal) && self.scores.get(v.score).is_some())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_contact};

    #[test]
    fn values_upsert_per_contact_and_follow_the_reltype() {
        let mut s = Store::new();
        let c = test_contact(&mut s, "a@b.co");
        let score = s
            .create_score("Engagement", None, "", now())
            .expect("score");
        let row = s.set_score_value(score, c, 10, now()).expect("set");
        assert_eq!(s.set_score_value(score, c, 25, now()).expect("again"), row);
        assert_eq!(s.score_values_of_contact(c)[0].value, 25);
        assert!(
            s.set_score_value(score, 99, 1, now()).is_err(),
            "no contact 99"
        );
        let deal_score = s
            .create_score("Deal", Some("deal"), "", now())
            .expect("deal");
        assert!(
            s.set_score_value(deal_score, c, 1, now()).is_err(),
            "no deal"
        );
        assert!(s.create_score("x", Some("account"), "", now()).is_err());
        assert!(s.create_score(" ", None, "", now()).is_err());
    }
}
