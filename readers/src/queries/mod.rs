//! Queries over the read store. Every query takes the instance id; none crosses tenants.

pub mod authorization;
pub mod identity;
pub mod org;
pub mod owner;
pub mod project;
pub mod settings;
pub mod user;

use crate::store::{Columns, ReadError};

/// How a text filter compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextMatch {
    Equals,
    EqualsIgnoreCase,
    StartsWith,
    StartsWithIgnoreCase,
    Contains,
    ContainsIgnoreCase,
    EndsWith,
    EndsWithIgnoreCase,
}

impl TextMatch {
    pub fn matches(self, value: &str, pattern: &str) -> bool {
        let (value, pattern) = match self {
            TextMatch::EqualsIgnoreCase
            | TextMatch::StartsWithIgnoreCase
            | TextMatch::ContainsIgnoreCase
            | TextMatch::EndsWithIgnoreCase => (value.to_lowercase(), pattern.to_lowercase()),
            _ => (value.to_owned(), pattern.to_owned()),
        };
        match self {
            TextMatch::Equals | TextMatch::EqualsIgnoreCase => value == pattern,
            TextMatch::StartsWith | TextMatch::StartsWithIgnoreCase => value.starts_with(&pattern),
            TextMatch::Contains | TextMatch::ContainsIgnoreCase => value.contains(&pattern),
            TextMatch::EndsWith | TextMatch::EndsWithIgnoreCase => value.ends_with(&pattern),
        }
    }
}

/// Offset paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub offset: u64,
    pub limit: u32,
    pub asc: bool,
}

/// ZITADEL's default and maximum page sizes.
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

impl Default for Paging {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: DEFAULT_LIMIT,
            asc: true,
        }
    }
}

/// A page of results and how many matched in all.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Cuts one page out of already filtered and sorted items.
pub fn paginate_page<T>(items: Vec<T>, paging: Paging) -> Page<T> {
    let total = items.len() as u64;
    let limit = applied_limit(paging);
    let items = items
        .into_iter()
        .skip(usize::try_from(paging.offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .collect();
    Page { items, total }
}

/// The page size a request gets: the default when it asks for none, at most the maximum.
pub fn applied_limit(paging: Paging) -> u32 {
    if paging.limit == 0 {
        DEFAULT_LIMIT
    } else {
        paging.limit.min(MAX_LIMIT)
    }
}

pub(crate) fn text(columns: &Columns, name: &str) -> String {
    columns
        .get(name)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn int(columns: &Columns, name: &str) -> i64 {
    columns
        .get(name)
        .and_then(serde_json::Value::as_i64)
        .unwrap_or_default()
}

pub(crate) fn corrupt(what: &str) -> ReadError {
    ReadError::Backend(format!("read model row is missing {what}"))
}

/// How many rows a query reads from the store at a time.
pub const SCAN_PAGE: usize = 500;

/// Walks a partition page by page in clustering order, keeps the rows `select` maps to an item,
/// and returns the requested page of them with the total number of matches. Memory is bounded
/// by the page asked for (`offset + limit` items), never by the size of the partition; a
/// descending page (`paging.asc == false`) is cut from the end of the ascending order.
pub async fn walk<T>(
    store: &dyn crate::store::ReadStore,
    table: &str,
    partition: &str,
    paging: Paging,
    mut select: impl FnMut(&crate::store::Row) -> Result<Option<T>, ReadError>,
) -> Result<Page<T>, ReadError> {
    let limit = applied_limit(paging) as usize;
    let offset = usize::try_from(paging.offset).unwrap_or(usize::MAX);
    let window = offset.saturating_add(limit);
    let mut kept: std::collections::VecDeque<T> = std::collections::VecDeque::new();
    let mut total: u64 = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(table, partition, after.as_deref(), SCAN_PAGE)
            .await?;
        for row in &page.rows {
            let Some(item) = select(row)? else { continue };
            let index = usize::try_from(total).unwrap_or(usize::MAX);
            total += 1;
            if paging.asc {
                if index >= offset && index < window {
                    kept.push_back(item);
                }
            } else {
                // Keep the last `window` matches: the first ones of the descending order.
                kept.push_back(item);
                if kept.len() > window {
                    kept.pop_front();
                }
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let items = if paging.asc {
        kept.into_iter().collect()
    } else {
        kept.into_iter().rev().skip(offset).take(limit).collect()
    };
    Ok(Page { items, total })
}
