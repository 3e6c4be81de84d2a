//! User queries: one user, paged and filtered lists, metadata and personal access tokens.
//!
//! Lists walk the instance's user partition page by page; memory is bounded by the requested
//! page (`offset + limit` items), never by the number of users. Sorting by a column other than
//! the id keeps only the best `offset + limit` rows while walking.

use std::collections::{BTreeMap, HashMap};

use castellan_core::clock::Timestamp;

use super::{Page, Paging, TextMatch, applied_limit, int, text, walk};
use crate::store::{ReadError, ReadStore, Row, key};
use crate::tables::ORGS;

/// partition: instance id · clustering: user id. The user read model.
pub const USER_VIEWS: &str = "user_views";
/// partition: (instance id, user id) · clustering: metadata key.
pub const USER_METADATA: &str = "user_metadata";
/// partition: (instance id, metadata key, base64 value) · clustering: user id. SCIM external ids
/// (metadata `urn:zitadel:scim:…externalId`); may hold stale rows, which lookups drop.
pub const USER_EXTERNAL_IDS: &str = "user_external_ids";
/// partition: instance id · clustering: (user id, key id). Machine users' JWT-profile keys.
pub const USER_KEYS: &str = "user_keys";
/// partition: instance id · clustering: (user id, token id). Every token of the instance, so
/// tokens can be listed across users (narrowed to the orgs a caller may read).
pub const USER_TOKENS: &str = "user_tokens";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserStateView {
    Active,
    Inactive,
    Locked,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserKindView {
    Human,
    Machine,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserView {
    pub id: String,
    pub org_id: String,
    pub kind: UserKindView,
    pub state: UserStateView,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub nick_name: String,
    pub preferred_language: String,
    pub email: String,
    pub email_verified: bool,
    pub phone: String,
    pub phone_verified: bool,
    pub password_set: bool,
    pub password_change_required: bool,
    pub password_changed: Option<Timestamp>,
    /// A verified TOTP generator is registered (a second factor).
    pub otp_verified: bool,
    pub name: String,
    pub description: String,
    pub jwt_access_token: bool,
    pub has_secret: bool,
    pub created: Timestamp,
    pub changed: Timestamp,
    pub sequence: i64,
    /// `username@<primary domain of the org>`; filled by the queries.
    pub login_name: String,
}

fn flag(columns: &crate::store::Columns, name: &str) -> bool {
    columns
        .get(name)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

fn to_view(row: &Row) -> UserView {
    let c = &row.columns;
    let changed_password = int(c, "password_changed");
    UserView {
        id: text(c, "id"),
        org_id: text(c, "org_id"),
        kind: if text(c, "kind") == "machine" {
            UserKindView::Machine
        } else {
            UserKindView::Human
        },
        state: match text(c, "state").as_str() {
            "inactive" => UserStateView::Inactive,
            "locked" => UserStateView::Locked,
            _ => UserStateView::Active,
        },
        username: text(c, "username"),
        given_name: text(c, "given_name"),
        family_name: text(c, "family_name"),
        display_name: text(c, "display_name"),
        nick_name: text(c, "nick_name"),
        preferred_language: text(c, "preferred_language"),
        email: text(c, "email"),
        email_verified: flag(c, "email_verified"),
        phone: text(c, "phone"),
        phone_verified: flag(c, "phone_verified"),
        password_set: flag(c, "password_set"),
        password_change_required: flag(c, "password_change_required"),
        password_changed: (changed_password != 0).then_some(Timestamp(changed_password)),
        otp_verified: flag(c, "otp_verified"),
        name: text(c, "name"),
        description: text(c, "description"),
        jwt_access_token: flag(c, "jwt_access_token"),
        has_secret: flag(c, "has_secret"),
        created: Timestamp(int(c, "created")),
        changed: Timestamp(int(c, "changed")),
        sequence: int(c, "sequence"),
        login_name: String::new(),
    }
}

/// Primary domains of orgs, looked up once per org a query meets.
struct Domains<'a> {
    store: &'a dyn ReadStore,
    instance_id: &'a str,
    known: HashMap<String, String>,
}

impl Domains<'_> {
    async fn login_name(&mut self, user: &UserView) -> Result<String, ReadError> {
        if !self.known.contains_key(&user.org_id) {
            let domain = self
                .store
                .get(ORGS, self.instance_id, &user.org_id)
                .await?
                .map(|row| text(&row.columns, "primary_domain"))
                .unwrap_or_default();
            self.known.insert(user.org_id.clone(), domain);
        }
        let domain = self.known.get(&user.org_id).cloned().unwrap_or_default();
        Ok(if domain.is_empty() {
            user.username.clone()
        } else {
            format!("{}@{domain}", user.username)
        })
    }
}

pub async fn get_user(
    store: &dyn ReadStore,
    instance_id: &str,
    user_id: &str,
) -> Result<Option<UserView>, ReadError> {
    let Some(row) = store.get(USER_VIEWS, instance_id, user_id).await? else {
        return Ok(None);
    };
    let mut user = to_view(&row);
    let mut domains = Domains {
        store,
        instance_id,
        known: HashMap::new(),
    };
    user.login_name = domains.login_name(&user).await?;
    Ok(Some(user))
}

/// A search over users; leaves compare one field.
#[derive(Clone, Debug, PartialEq)]
pub enum UserFilter {
    Username(TextMatch, String),
    FirstName(TextMatch, String),
    LastName(TextMatch, String),
    NickName(TextMatch, String),
    DisplayName(TextMatch, String),
    Email(TextMatch, String),
    Phone(TextMatch, String),
    LoginName(TextMatch, String),
    State(UserStateView),
    Kind(UserKindView),
    Ids(Vec<String>),
    Emails(Vec<String>),
    Org(String),
    /// Users of any of these orgs (e.g. those where the caller may read users).
    Orgs(Vec<String>),
    And(Vec<UserFilter>),
    Or(Vec<UserFilter>),
    Not(Box<UserFilter>),
}

impl UserFilter {
    fn needs_login_name(&self) -> bool {
        match self {
            UserFilter::LoginName(..) => true,
            UserFilter::And(all) | UserFilter::Or(all) => all.iter().any(Self::needs_login_name),
            UserFilter::Not(inner) => inner.needs_login_name(),
            _ => false,
        }
    }

    pub fn matches(&self, user: &UserView) -> bool {
        match self {
            UserFilter::Username(m, p) => m.matches(&user.username, p),
            UserFilter::FirstName(m, p) => m.matches(&user.given_name, p),
            UserFilter::LastName(m, p) => m.matches(&user.family_name, p),
            UserFilter::NickName(m, p) => m.matches(&user.nick_name, p),
            UserFilter::DisplayName(m, p) => m.matches(&user.display_name, p),
            UserFilter::Email(m, p) => m.matches(&user.email, p),
            UserFilter::Phone(m, p) => m.matches(&user.phone, p),
            UserFilter::LoginName(m, p) => m.matches(&user.login_name, p),
            UserFilter::State(state) => user.state == *state,
            UserFilter::Kind(kind) => user.kind == *kind,
            UserFilter::Ids(ids) => ids.contains(&user.id),
            UserFilter::Emails(emails) => {
                emails.iter().any(|e| e.eq_ignore_ascii_case(&user.email))
            }
            UserFilter::Org(org) => &user.org_id == org,
            UserFilter::Orgs(orgs) => orgs.contains(&user.org_id),
            UserFilter::And(all) => all.iter().all(|f| f.matches(user)),
            UserFilter::Or(any) => any.iter().any(|f| f.matches(user)),
            UserFilter::Not(inner) => !inner.matches(user),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserSort {
    /// The id (clustering) order.
    #[default]
    Unspecified,
    Username,
    FirstName,
    LastName,
    NickName,
    DisplayName,
    Email,
    State,
    Kind,
    CreationDate,
}

fn sort_key(user: &UserView, sort: UserSort) -> String {
    match sort {
        UserSort::Unspecified => String::new(),
        UserSort::Username => user.username.to_lowercase(),
        UserSort::FirstName => user.given_name.to_lowercase(),
        UserSort::LastName => user.family_name.to_lowercase(),
        UserSort::NickName => user.nick_name.to_lowercase(),
        UserSort::DisplayName => user.display_name.to_lowercase(),
        UserSort::Email => user.email.to_lowercase(),
        UserSort::State => format!("{:?}", user.state),
        UserSort::Kind => format!("{:?}", user.kind),
        // Fixed width, so the text order is the time order.
        UserSort::CreationDate => format!("{:020}", user.created.0.max(0)),
    }
}

/// Users matching `filter`, sorted by `sort`, one page of them, with the total number of matches.
pub async fn list_users(
    store: &dyn ReadStore,
    instance_id: &str,
    filter: &UserFilter,
    sort: UserSort,
    paging: Paging,
) -> Result<Page<UserView>, ReadError> {
    let mut domains = Domains {
        store,
        instance_id,
        known: HashMap::new(),
    };
    let needs_login = filter.needs_login_name();
    // First pass: which rows match (login names need the org's domain: an async lookup).
    let mut matched_rows: Vec<UserView> = Vec::new();
    let mut selected = |row: &Row| -> Result<Option<UserView>, ReadError> {
        let user = to_view(row);
        if needs_login {
            // Decided after the domain lookup below.
            return Ok(Some(user));
        }
        Ok(filter.matches(&user).then_some(user))
    };
    if sort == UserSort::Unspecified && !needs_login {
        let page = walk(store, USER_VIEWS, instance_id, paging, &mut selected).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for mut user in page.items {
            user.login_name = domains.login_name(&user).await?;
            items.push(user);
        }
        return Ok(Page {
            items,
            total: page.total,
        });
    }
    // Otherwise: walk every page, keep the best `offset + limit` by the sort key.
    let limit = applied_limit(paging) as usize;
    let offset = usize::try_from(paging.offset).unwrap_or(usize::MAX);
    let window = offset.saturating_add(limit);
    let mut best: BTreeMap<(String, String), UserView> = BTreeMap::new();
    let mut total: u64 = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(USER_VIEWS, instance_id, after.as_deref(), super::SCAN_PAGE)
            .await?;
        for row in &page.rows {
            let Some(mut user) = selected(row)? else {
                continue;
            };
            if needs_login {
                user.login_name = domains.login_name(&user).await?;
                if !filter.matches(&user) {
                    continue;
                }
            }
            total += 1;
            let entry_key = (sort_key(&user, sort), user.id.clone());
            best.insert(entry_key, user);
            if best.len() > window {
                // Drop the worst in the requested direction.
                if paging.asc {
                    best.pop_last();
                } else {
                    best.pop_first();
                }
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    matched_rows.extend(best.into_values());
    if !paging.asc {
        matched_rows.reverse();
    }
    let mut items = Vec::with_capacity(limit);
    for mut user in matched_rows.into_iter().skip(offset).take(limit) {
        if user.login_name.is_empty() {
            user.login_name = domains.login_name(&user).await?;
        }
        items.push(user);
    }
    Ok(Page { items, total })
}

/// One page of the instance's users in id order, after `after` (a cursor from the previous
/// page), and the cursor of the next page (`None` at the end). Login names are not filled.
pub async fn users_page(
    store: &dyn ReadStore,
    instance_id: &str,
    after: Option<&str>,
) -> Result<(Vec<UserView>, Option<String>), ReadError> {
    let page = store
        .scan_page(USER_VIEWS, instance_id, after, super::SCAN_PAGE)
        .await?;
    Ok((page.rows.iter().map(to_view).collect(), page.next))
}

/// The users whose metadata `metadata_key` is `value` (as stored: base64), now.
pub async fn users_by_metadata_value(
    store: &dyn ReadStore,
    instance_id: &str,
    metadata_key: &str,
    value: &str,
) -> Result<Vec<UserView>, ReadError> {
    let mut found = Vec::new();
    for row in store
        .scan(USER_EXTERNAL_IDS, &key(&[instance_id, metadata_key, value]))
        .await?
    {
        let current = store
            .get(
                USER_METADATA,
                &key(&[instance_id, &row.clustering]),
                metadata_key,
            )
            .await?
            .is_some_and(|m| text(&m.columns, "value") == value);
        if current && let Some(user) = get_user(store, instance_id, &row.clustering).await? {
            found.push(user);
        }
    }
    Ok(found)
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserMetadataView {
    pub key: String,
    /// Base64, as stored.
    pub value: String,
    pub created: Timestamp,
    pub changed: Timestamp,
}

/// One page of a user's metadata, by key, optionally filtered by key.
pub async fn list_metadata(
    store: &dyn ReadStore,
    instance_id: &str,
    user_id: &str,
    key_filter: Option<(TextMatch, String)>,
    paging: Paging,
) -> Result<Page<UserMetadataView>, ReadError> {
    let partition = key(&[instance_id, user_id]);
    walk(store, USER_METADATA, &partition, paging, |row| {
        let entry = UserMetadataView {
            key: text(&row.columns, "key"),
            value: text(&row.columns, "value"),
            created: Timestamp(int(&row.columns, "created")),
            changed: Timestamp(int(&row.columns, "changed")),
        };
        let keep = key_filter
            .as_ref()
            .is_none_or(|(method, pattern)| method.matches(&entry.key, pattern));
        Ok(keep.then_some(entry))
    })
    .await
}

#[derive(Clone, Debug, PartialEq)]
pub struct TokenView {
    pub token_id: String,
    pub user_id: String,
    pub org_id: String,
    pub created: Timestamp,
    pub expiration: Option<Timestamp>,
}

/// Which tokens to list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenFilter {
    pub user_id: Option<String>,
    pub token_id: Option<String>,
    pub org_id: Option<String>,
    /// Only tokens of users in these orgs (`None`: any org).
    pub orgs: Option<Vec<String>>,
}

/// One page of personal access tokens, in (user id, token id) order.
pub async fn list_tokens(
    store: &dyn ReadStore,
    instance_id: &str,
    filter: &TokenFilter,
    paging: Paging,
) -> Result<Page<TokenView>, ReadError> {
    walk(store, USER_TOKENS, instance_id, paging, |row| {
        let token = TokenView {
            token_id: text(&row.columns, "token_id"),
            user_id: text(&row.columns, "user_id"),
            org_id: text(&row.columns, "org_id"),
            created: Timestamp(int(&row.columns, "created")),
            expiration: row
                .columns
                .get("expiration")
                .and_then(serde_json::Value::as_i64)
                .map(Timestamp),
        };
        let keep = filter
            .user_id
            .as_ref()
            .is_none_or(|id| *id == token.user_id)
            && filter
                .token_id
                .as_ref()
                .is_none_or(|id| *id == token.token_id)
            && filter.org_id.as_ref().is_none_or(|id| *id == token.org_id)
            && filter
                .orgs
                .as_ref()
                .is_none_or(|orgs| orgs.contains(&token.org_id));
        Ok(keep.then_some(token))
    })
    .await
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyView {
    pub key_id: String,
    pub user_id: String,
    pub org_id: String,
    pub created: Timestamp,
    pub expiration: Timestamp,
}

/// One page of machine keys, in (user id, key id) order; `filter.token_id` selects a key id.
pub async fn list_keys(
    store: &dyn ReadStore,
    instance_id: &str,
    filter: &TokenFilter,
    paging: Paging,
) -> Result<Page<KeyView>, ReadError> {
    walk(store, USER_KEYS, instance_id, paging, |row| {
        let key = KeyView {
            key_id: text(&row.columns, "key_id"),
            user_id: text(&row.columns, "user_id"),
            org_id: text(&row.columns, "org_id"),
            created: Timestamp(int(&row.columns, "created")),
            expiration: Timestamp(int(&row.columns, "expiration")),
        };
        let keep = filter.user_id.as_ref().is_none_or(|id| *id == key.user_id)
            && filter.token_id.as_ref().is_none_or(|id| *id == key.key_id)
            && filter.org_id.as_ref().is_none_or(|id| *id == key.org_id)
            && filter
                .orgs
                .as_ref()
                .is_none_or(|orgs| orgs.contains(&key.org_id));
        Ok(keep.then_some(key))
    })
    .await
}
