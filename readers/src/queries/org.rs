//! Organization queries.

use castellan_core::clock::Timestamp;

use super::{Page, Paging, SCAN_PAGE, SortedWindow, TextMatch, int, text};
use crate::store::{ReadError, ReadStore, key};
use crate::tables::{INSTANCES, ORG_DOMAINS, ORG_METADATA, ORGS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgStateView {
    Active,
    Inactive,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrgView {
    pub id: String,
    pub name: String,
    pub state: OrgStateView,
    pub primary_domain: String,
    pub created: Timestamp,
    pub changed: Timestamp,
    pub sequence: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OrgFilter {
    Name(TextMatch, String),
    /// Matches when any verified domain of the org matches.
    Domain(TextMatch, String),
    State(OrgStateView),
    Id(String),
    /// Only orgs among these (e.g. those the caller may read).
    AnyOf(Vec<String>),
    /// Only the instance's default org.
    Default,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrgSort {
    #[default]
    Unspecified,
    Name,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrgDomainView {
    pub org_id: String,
    pub domain: String,
    pub verified: bool,
    pub primary: bool,
    pub validation_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetadataView {
    pub key: String,
    /// Base64, as stored.
    pub value: String,
    pub changed: Timestamp,
}

fn to_view(columns: &crate::store::Columns) -> OrgView {
    OrgView {
        id: text(columns, "id"),
        name: text(columns, "name"),
        state: if text(columns, "state") == "inactive" {
            OrgStateView::Inactive
        } else {
            OrgStateView::Active
        },
        primary_domain: text(columns, "primary_domain"),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
        sequence: int(columns, "sequence"),
    }
}

pub async fn get_org(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<Option<OrgView>, ReadError> {
    Ok(store
        .get(ORGS, instance_id, org_id)
        .await?
        .map(|row| to_view(&row.columns)))
}

pub async fn list_orgs(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[OrgFilter],
    sort: OrgSort,
    paging: Paging,
) -> Result<Page<OrgView>, ReadError> {
    let needs_domains = filters.iter().any(|f| matches!(f, OrgFilter::Domain(..)));
    let default_org = if filters.contains(&OrgFilter::Default) {
        store
            .get(INSTANCES, instance_id, "")
            .await?
            .map(|row| text(&row.columns, "default_org_id"))
    } else {
        None
    };
    // Streamed page by page; only the requested window is kept (bounded by offset + limit).
    let mut window = SortedWindow::new(paging);
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(ORGS, instance_id, after.as_deref(), SCAN_PAGE)
            .await?;
        for row in &page.rows {
            let org = to_view(&row.columns);
            let keep = filters.iter().all(|filter| match filter {
                OrgFilter::Name(method, pattern) => method.matches(&org.name, pattern),
                // Checked below, only for orgs that pass the others.
                OrgFilter::Domain(..) => true,
                OrgFilter::State(state) => org.state == *state,
                OrgFilter::Id(id) => &org.id == id,
                OrgFilter::AnyOf(ids) => ids.contains(&org.id),
                OrgFilter::Default => default_org.as_deref() == Some(org.id.as_str()),
            });
            if !keep {
                continue;
            }
            if needs_domains {
                let domains = list_domains(store, instance_id, &org.id, "").await?;
                let domain_ok = filters.iter().all(|filter| match filter {
                    OrgFilter::Domain(method, pattern) => domains
                        .iter()
                        .any(|d| d.verified && method.matches(&d.domain, pattern)),
                    _ => true,
                });
                if !domain_ok {
                    continue;
                }
            }
            let key = match sort {
                OrgSort::Unspecified => (String::new(), org.created, org.id.clone()),
                OrgSort::Name => (org.name.to_lowercase(), Timestamp(0), org.id.clone()),
            };
            window.offer(key, org);
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(window.finish())
}

/// The org's domains, optionally only those containing `contains`.
pub async fn list_domains(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
    contains: &str,
) -> Result<Vec<OrgDomainView>, ReadError> {
    let primary = get_org(store, instance_id, org_id)
        .await?
        .map(|org| org.primary_domain)
        .unwrap_or_default();
    let rows = store
        .scan(ORG_DOMAINS, &key(&[instance_id, org_id]))
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let domain = text(&row.columns, "domain");
            OrgDomainView {
                org_id: org_id.to_owned(),
                primary: domain == primary,
                verified: row
                    .columns
                    .get("verified")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
                validation_type: row
                    .columns
                    .get("validation_type")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                domain,
            }
        })
        .filter(|d| d.domain.contains(contains))
        .collect())
}

pub async fn list_metadata(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<Vec<MetadataView>, ReadError> {
    let rows = store
        .scan(ORG_METADATA, &key(&[instance_id, org_id]))
        .await?;
    Ok(rows
        .iter()
        .map(|row| MetadataView {
            key: text(&row.columns, "key"),
            value: text(&row.columns, "value"),
            changed: Timestamp(int(&row.columns, "changed")),
        })
        .collect())
}
