//! Deals, with a seeded default pipeline and its stages (reference §8.3).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::event_tracking::random_hex;
use super::{merge_custom_fields, Change, Entity, Store, StoreError, StoreResult, Table};

/// A pipeline (AC's `dealGroup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealGroup {
    /// Id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Default currency of its deals.
    pub currency: String,
    /// Creation time.
    pub cdate: DateTime<Utc>,
}

/// A stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealStage {
    /// Id.
    pub id: u64,
    /// Pipeline id.
    pub group: u64,
    /// Title.
    pub title: String,
    /// Position in the pipeline (1-based).
    pub order: u64,
    /// Creation time.
    pub cdate: DateTime<Utc>,
}

/// Pipelines and stages. The default value holds pipeline 1 "Default Pipeline" with stages
/// 1 "To Contact", 2 "In Contact", 3 "Follow Up".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pipelines {
    /// Pipelines.
    pub groups: Table<DealGroup>,
    /// Stages.
    pub stages: Table<DealStage>,
}

impl Default for Pipelines {
    fn default() -> Self {
        let now = super::now();
        let mut groups = Table::default();
        let group = groups.insert_with(|id| DealGroup {
            id,
            title: "Default Pipeline".into(),
            currency: "usd".into(),
            cdate: now,
        });
        let mut stages = Table::default();
        for (i, title) in ["To Contact", "In Contact", "Follow Up"].iter().enumerate() {
            stages.insert_with(|id| DealStage {
                id,
                group,
                title: (*title).into(),
                order: i as u64 + 1,
                cdate: now,
            });
        }
        Self { groups, stages }
    }
}

/// A deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deal {
    /// Id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Value in cents.
    pub value: u64,
    /// Lower-case ISO currency code.
    pub currency: String,
    /// Primary contact.
    pub contact: Option<u64>,
    /// Account.
    pub account: Option<u64>,
    /// Pipeline id.
    pub group: u64,
    /// Stage id.
    pub stage: u64,
    /// Owner (user id).
    pub owner: u64,
    /// Win percentage.
    pub percent: u64,
    /// 0 open, 1 won, 2 lost.
    pub status: u8,
    /// Custom field values sent as `fields: [{customFieldId, fieldValue}]`.
    pub fields: Vec<(u64, String)>,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last modification time.
    pub mdate: DateTime<Utc>,
    /// AC's short hash.
    pub hash: String,
}

/// Attributes of a deal create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct DealInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub value: Option<u64>,
    pub currency: Option<String>,
    pub contact: Option<u64>,
    pub account: Option<u64>,
    pub group: Option<u64>,
    pub stage: Option<u64>,
    pub owner: Option<u64>,
    pub percent: Option<u64>,
    pub status: Option<u64>,
    pub fields: Option<Vec<(u64, String)>>,
}

fn invalid(attr: &str, title: &str) -> StoreError {
    StoreError::Invalid {
        code: "field_invalid",
        title: title.into(),
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

fn related_missing(attr: &str, what: &str) -> StoreError {
    StoreError::Invalid {
        code: "related_missing",
        title: format!("The related {what} does not exist."),
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

/// A lower-case three-letter code.
pub fn is_valid_currency(c: &str) -> bool {
    c.len() == 3 && c.chars().all(|ch| ch.is_ascii_lowercase())
}

impl Store {
    /// Fails with `NotFound` unless the deal exists.
    pub fn deal(&self, id: u64) -> StoreResult<&Deal> {
        self.deals.get_or(Entity::Deal, id)
    }

    fn check_deal(&self, input: &DealInput) -> StoreResult<()> {
        if let Some(c) = &input.currency {
            if !is_valid_currency(c) {
                return Err(invalid(
                    "currency",
                    "The currency must be a three-letter lower-case code.",
                ));
            }
        }
        if let Some(s) = input.status {
            if s > 2 {
                return Err(invalid(
                    "status",
                    "The status must be 0 (open), 1 (won) or 2 (lost).",
                ));
            }
        }
        if input.percent.is_some_and(|p| p > 100) {
            return Err(invalid("percent", "The percent must be between 0 and 100."));
        }
        if let Some(c) = input.contact {
            if self.contacts.get(c).is_none() {
                return Err(related_missing("contact", "contact"));
            }
        }
        if let Some(a) = input.account {
            if self.accounts.get(a).is_none() {
                return Err(related_missing("account", "account"));
            }
        }
        if let Some(g) = input.group {
            if self.pipelines.groups.get(g).is_none() {
                return Err(related_missing("group", "pipeline"));
            }
        }
        if let Some(st) = input.stage {
            match self.pipelines.stages.get(st) {
                None => return Err(related_missing("stage", "stage")),
                Some(stage) if input.group.is_some_and(|g| g != stage.group) => {
                    return Err(StoreError::Invalid {
                        code: "field_invalid",
                        title: "Invalid attribute".into(),
                        pointer: "/data/attributes/stage".into(),
                        error: None,
                    })
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// First stage of a pipeline.
    fn first_stage(&self, group: u64) -> u64 {
        self.pipelines
            .stages
            .iter()
            .filter(|s| s.group == group)
            .min_by_key(|s| s.order)
            .map(|s| s.id)
            .unwrap_or(0)
    }

    /// `POST /deals`: `title` and a contact or an account are required; without `group` and
    /// `stage` the deal goes to the first stage of pipeline 1.
    pub fn create_deal(&mut self, input: &DealInput, now: DateTime<Utc>) -> StoreResult<u64> {
        if input.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(StoreError::Missing {
                title: "The deal title was not provided.".into(),
                pointer: "/data/attributes/title".into(),
            });
        }
        if input.contact.is_none() && input.account.is_none() {
            return Err(StoreError::Missing {
                title: "A deal needs a contact or an account.".into(),
                pointer: "/data/attributes/contact".into(),
            });
        }
        self.check_deal(input)?;
        let (group, stage) = match (input.group, input.stage) {
            (_, Some(stage)) => (
                self.pipelines
                    .stages
                    .get(stage)
                    .map(|s| s.group)
                    .unwrap_or(1),
                stage,
            ),
            (Some(group), None) => (group, self.first_stage(group)),
            (None, None) => {
                let group = self
                    .pipelines
                    .groups
                    .iter()
                    .next()
                    .map(|g| g.id)
                    .unwrap_or(1);
                (group, self.first_stage(group))
            }
        };
        let id = self.deals.insert_with(|id| Deal {
            id,
            title: input.title.clone().unwrap_or_default().trim().to_string(),
            description: input.description.clone().unwrap_or_default(),
            value: input.value.unwrap_or(0),
            currency: input.currency.clone().unwrap_or_else(|| "usd".into()),
            contact: input.contact,
            account: input.account,
            group,
            stage,
            owner: input.owner.unwrap_or(1),
            percent: input.percent.unwrap_or(0),
            status: input.status.map(|s| s as u8).unwrap_or(0),
            fields: input.fields.clone().unwrap_or_default(),
            cdate: now,
            mdate: now,
            hash: random_hex(8),
        });
        self.sync_field_data(super::entity_fields::FieldKind::Deal, id, now);
        self.record(Change::DealCreated { deal: id });
        Ok(id)
    }

    /// `PUT|PATCH /deals/{id}`: only sent fields change.
    pub fn update_deal(
        &mut self,
        id: u64,
        input: &DealInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.deal(id)?;
        if input.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(StoreError::Missing {
                title: "The deal title was not provided.".into(),
                pointer: "/data/attributes/title".into(),
            });
        }
        self.check_deal(input)?;
        let stage_group = input
            .stage
            .and_then(|s| self.pipelines.stages.get(s))
            .map(|s| s.group);
        let group_first = input.group.map(|g| self.first_stage(g));
        let d = self.deals.get_mut_or(Entity::Deal, id)?;
        let before = d.clone();
        if let Some(v) = &input.title {
            d.title = v.trim().to_string();
        }
        if let Some(v) = &input.description {
            d.description = v.clone();
        }
        if let Some(v) = input.value {
            d.value = v;
        }
        if let Some(v) = &input.currency {
            d.currency = v.clone();
        }
        if let Some(v) = input.contact {
            d.contact = Some(v);
        }
        if let Some(v) = input.account {
            d.account = Some(v);
        }
        match (input.stage, stage_group, input.group, group_first) {
            (Some(stage), Some(group), _, _) => {
                d.stage = stage;
                d.group = group;
            }
            (None, _, Some(group), Some(first)) if group != d.group => {
                d.group = group;
                d.stage = first;
            }
            _ => {}
        }
        if let Some(v) = input.owner {
            d.owner = v;
        }
        if let Some(v) = input.percent {
            d.percent = v;
        }
        if let Some(v) = input.status {
            d.status = v as u8;
        }
        if let Some(fields) = &input.fields {
            merge_custom_fields(&mut d.fields, fields);
        }
        d.mdate = now;
        let fields = changed_deal_fields(&before, d);
        self.sync_field_data(super::entity_fields::FieldKind::Deal, id, now);
        self.record(Change::DealUpdated { deal: id, fields });
        Ok(())
    }

    /// `DELETE /deals/{id}`.
    pub fn delete_deal(&mut self, id: u64) -> StoreResult<()> {
        self.deals.remove_or(Entity::Deal, id)?;
        self.deal_removed(id);
        self.record(Change::DealDeleted { deal: id });
        Ok(())
    }

    /// Deals matching optional filters, in id order.
    pub fn list_deals(
        &self,
        contact: Option<u64>,
        account: Option<u64>,
        status: Option<u8>,
        search: Option<&str>,
    ) -> Vec<&Deal> {
        let needle = search.map(str::to_lowercase);
        self.deals
            .iter()
            .filter(|d| contact.is_none_or(|c| d.contact == Some(c)))
            .filter(|d| account.is_none_or(|a| d.account == Some(a)))
            .filter(|d| status.is_none_or(|s| d.status == s))
            .filter(|d| {
                needle
                    .as_deref()
                    .is_none_or(|n| d.title.to_lowercase().contains(n))
            })
            .collect()
    }
}

/// The attributes (API names) whose value differs between two versions of a deal.
fn changed_deal_fields(before: &Deal, after: &Deal) -> Vec<String> {
    let changed = [
        ("title", before.title != after.title),
        ("description", before.description != after.description),
        ("value", before.value != after.value),
        ("currency", before.currency != after.currency),
        ("contact", before.contact != after.contact),
        ("account", before.account != after.account),
        ("group", before.group != after.group),
        ("stage", before.stage != after.stage),
        ("owner", before.owner != after.owner),
        ("percent", before.percent != after.percent),
        ("status", before.status != after.status),
        ("fields", before.fields != after.fields),
    ];
    changed
        .into_iter()
        .filter(|(_, c)| *c)
        .map(|(name, _)| name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{now, test_contact};

    #[test]
    fn default_pipeline_is_seeded_and_deals_validate() {
        let mut s = Store::new();
        assert_eq!(s.pipelines.groups.len(), 1);
        assert_eq!(s.pipelines.stages.len(), 3);
        let c = test_contact(&mut s, "a@b.co");
        let mut input = DealInput {
            title: Some("T".into()),
            contact: Some(c),
            currency: Some("USD".into()),
            ..Default::default()
        };
        assert!(matches!(
            s.create_deal(&input, now()),
            Err(StoreError::Invalid { .. })
        ));
        input.currency = Some("eur".into());
        let d = s.create_deal(&input, now()).expect("deal");
        assert_eq!(
            (s.deal(d).expect("d").group, s.deal(d).expect("d").stage),
            (1, 1)
        );
    }
}
