//! Queries over the read store. Every query takes the instance id; none crosses tenants.

pub mod authorization;
pub mod group;
pub mod identity;
pub mod login;
pub mod oidc;
pub mod org;
pub mod owner;
pub mod project;
pub mod settings;
pub mod sink;
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

/// Collects one page out of a stream of matches in their natural order, counting them all.
/// Memory is bounded by `offset + limit` items, never by the number of matches; a descending
/// page is cut from the end of the ascending stream.
#[derive(Debug)]
pub struct Window<T> {
    offset: usize,
    limit: usize,
    asc: bool,
    kept: std::collections::VecDeque<T>,
    total: u64,
}

impl<T> Window<T> {
    pub fn new(paging: Paging) -> Self {
        Self {
            offset: usize::try_from(paging.offset).unwrap_or(usize::MAX),
            limit: applied_limit(paging) as usize,
            asc: paging.asc,
            kept: std::collections::VecDeque::new(),
            total: 0,
        }
    }

    pub fn offer(&mut self, item: T) {
        let index = usize::try_from(self.total).unwrap_or(usize::MAX);
        self.total += 1;
        let window = self.offset.saturating_add(self.limit);
        if self.asc {
            if index >= self.offset && index < window {
                self.kept.push_back(item);
            }
        } else {
            // The last `window` matches are the first ones of the descending order.
            self.kept.push_back(item);
            if self.kept.len() > window {
                self.kept.pop_front();
            }
        }
    }

    pub fn finish(self) -> Page<T> {
        let items = if self.asc {
            self.kept.into_iter().collect()
        } else {
            self.kept
                .into_iter()
                .rev()
                .skip(self.offset)
                .take(self.limit)
                .collect()
        };
        Page {
            items,
            total: self.total,
        }
    }
}

/// Like [`Window`], for matches that arrive in any order and are sorted by a key: keeps the
/// `offset + limit` best items in a bounded heap.
#[derive(Debug)]
pub struct SortedWindow<K: Ord, T> {
    offset: usize,
    limit: usize,
    asc: bool,
    heap: std::collections::BinaryHeap<Ranked<K, T>>,
    total: u64,
}

/// An item ranked by its key (and arrival, for ties); ordered so that the heap's top is the
/// worst kept item.
#[derive(Debug)]
struct Ranked<K, T> {
    key: K,
    seq: u64,
    asc: bool,
    item: T,
}

impl<K: Ord, T> Ranked<K, T> {
    fn rank(&self, other: &Self) -> std::cmp::Ordering {
        let by_key = self.key.cmp(&other.key).then(self.seq.cmp(&other.seq));
        if self.asc { by_key } else { by_key.reverse() }
    }
}

impl<K: Ord, T> PartialEq for Ranked<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == std::cmp::Ordering::Equal
    }
}
impl<K: Ord, T> Eq for Ranked<K, T> {}
impl<K: Ord, T> PartialOrd for Ranked<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: Ord, T> Ord for Ranked<K, T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank(other)
    }
}

impl<K: Ord, T> SortedWindow<K, T> {
    pub fn new(paging: Paging) -> Self {
        Self {
            offset: usize::try_from(paging.offset).unwrap_or(usize::MAX),
            limit: applied_limit(paging) as usize,
            asc: paging.asc,
            heap: std::collections::BinaryHeap::new(),
            total: 0,
        }
    }

    pub fn offer(&mut self, key: K, item: T) {
        let seq = self.total;
        self.total += 1;
        self.heap.push(Ranked {
            key,
            seq,
            asc: self.asc,
            item,
        });
        if self.heap.len() > self.offset.saturating_add(self.limit) {
            self.heap.pop();
        }
    }

    pub fn finish(self) -> Page<T> {
        let items = self
            .heap
            .into_sorted_vec()
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|ranked| ranked.item)
            .collect();
        Page {
            items,
            total: self.total,
        }
    }
}

/// Walks a partition page by page in clustering order, keeps the rows `select` maps to an item,
/// and returns the requested page of them with the total number of matches (see [`Window`]).
pub async fn walk<T>(
    store: &dyn crate::store::ReadStore,
    table: &str,
    partition: &str,
    paging: Paging,
    mut select: impl FnMut(&crate::store::Row) -> Result<Option<T>, ReadError>,
) -> Result<Page<T>, ReadError> {
    let mut window = Window::new(paging);
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(table, partition, after.as_deref(), SCAN_PAGE)
            .await?;
        for row in &page.rows {
            if let Some(item) = select(row)? {
                window.offer(item);
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(window.finish())
}

#[cfg(test)]
mod window_tests {
    use super::*;

    fn paging(offset: u64, limit: u32, asc: bool) -> Paging {
        Paging { offset, limit, asc }
    }

    #[test]
    fn windows_cut_the_same_pages_as_sorting_everything() {
        let items: Vec<u32> = (0..50).map(|i| (i * 37) % 101).collect();
        for asc in [true, false] {
            for (offset, limit) in [(0, 10), (5, 7), (45, 10), (60, 5), (0, 0)] {
                let p = paging(offset, limit, asc);
                let mut natural = Window::new(p);
                let mut sorted = SortedWindow::new(p);
                for item in &items {
                    natural.offer(*item);
                    sorted.offer(*item, *item);
                }
                let mut expected_natural = items.clone();
                let mut expected_sorted = items.clone();
                expected_sorted.sort_unstable();
                if !asc {
                    expected_natural.reverse();
                    expected_sorted.reverse();
                }
                let take = applied_limit(p) as usize;
                let cut = |v: Vec<u32>| -> Vec<u32> {
                    v.into_iter().skip(offset as usize).take(take).collect()
                };
                let natural = natural.finish();
                let sorted = sorted.finish();
                assert_eq!(natural.total, 50);
                assert_eq!(sorted.total, 50);
                assert_eq!(natural.items, cut(expected_natural), "natural {p:?}");
                assert_eq!(sorted.items, cut(expected_sorted), "sorted {p:?}");
            }
        }
    }
}
