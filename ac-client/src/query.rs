//! Small building blocks shared by the query types: sort direction, filter operators, date
//! bounds, and `limit`/`offset` paging.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone};

use crate::error::{Error, Result};

/// Sort direction for `orders[...]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Ascending (`ASC`).
    Asc,
    /// Descending (`DESC`).
    Desc,
}

impl Direction {
    /// The wire value (`ASC` / `DESC`; AC accepts either case).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// A comparison operator for `filters[<field>][<op>]=` (tags' `search`, lists' `name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterOp {
    /// `eq`: equal.
    Eq,
    /// `neq`: not equal.
    Neq,
    /// `lt`: less than.
    Lt,
    /// `lte`: less than or equal.
    Lte,
    /// `gt`: greater than.
    Gt,
    /// `gte`: greater than or equal.
    Gte,
    /// `contains`: substring.
    Contains,
    /// `starts_with`: prefix.
    StartsWith,
}

impl FilterOp {
    /// The wire value (`eq`, `starts_with`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Neq => "neq",
            FilterOp::Lt => "lt",
            FilterOp::Lte => "lte",
            FilterOp::Gt => "gt",
            FilterOp::Gte => "gte",
            FilterOp::Contains => "contains",
            FilterOp::StartsWith => "starts_with",
        }
    }
}

/// A date or date-time bound for `filters[created_before]` and friends.
///
/// Build it from a [`NaiveDate`] (sent as `YYYY-MM-DD`) or any [`DateTime`] (sent as
/// RFC 3339 with its offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateBound(String);

impl DateBound {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<NaiveDate> for DateBound {
    fn from(d: NaiveDate) -> Self {
        DateBound(d.format("%Y-%m-%d").to_string())
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for DateBound
where
    Tz::Offset: std::fmt::Display,
{
    fn from(d: DateTime<Tz>) -> Self {
        DateBound(d.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

/// Checks a page size: AC accepts 1 to 100.
pub(crate) fn check_limit(limit: Option<u32>) -> Result<()> {
    match limit {
        Some(l) if !(1..=100).contains(&l) => Err(Error::invalid(
            "limit",
            format!("must be between 1 and 100, got {l}"),
        )),
        _ => Ok(()),
    }
}

/// Appends `limit` and `offset` when set.
pub(crate) fn push_paging(q: &mut Vec<(String, String)>, limit: Option<u32>, offset: Option<u64>) {
    if let Some(l) = limit {
        q.push(("limit".into(), l.to_string()));
    }
    if let Some(o) = offset {
        q.push(("offset".into(), o.to_string()));
    }
}

/// A query type with `limit`/`offset` paging, as [`paged_query!`] implements it.
pub(crate) trait Paged {
    /// The `limit` and `offset` set on the query.
    fn paging(&self) -> (Option<u32>, Option<u64>);

    /// The same query asking for the page of `limit` items at `offset`.
    fn page_at(self, limit: u32, offset: u64) -> Self;
}

/// Gives a query type with `limit: Option<u32>` and `offset: Option<u64>` fields its public
/// `limit` and `offset` setters and its [`Paged`] impl. An optional string replaces the
/// `limit` setter's doc comment.
macro_rules! paged_query {
    ($query:ty) => {
        $crate::query::paged_query!($query, "Page size, 1 to 100.");
    };
    ($query:ty, $limit_doc:literal) => {
        impl $query {
            #[doc = $limit_doc]
            pub fn limit(mut self, limit: u32) -> Self {
                self.limit = Some(limit);
                self
            }

            /// Zero-based offset.
            pub fn offset(mut self, offset: u64) -> Self {
                self.offset = Some(offset);
                self
            }
        }

        impl $crate::query::Paged for $query {
            fn paging(&self) -> (Option<u32>, Option<u64>) {
                (self.limit, self.offset)
            }

            fn page_at(self, limit: u32, offset: u64) -> Self {
                self.limit(limit).offset(offset)
            }
        }
    };
}
pub(crate) use paged_query;

/// Paging only (`limit`, `offset`): the query of listings AC documents no filters for
/// (users, groups, scores, brandings, addresses, saved responses).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageQuery {
    limit: Option<u32>,
    offset: Option<u64>,
}

impl PageQuery {
    /// The first page, AC's default size.
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

paged_query!(PageQuery);
