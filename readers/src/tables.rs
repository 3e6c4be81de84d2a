//! The query-shaped tables and their keys. Every partition key carries the instance id, except
//! lookups that find the instance (by domain) or the caller (by token hash).

/// partition: instance id · clustering: org id.
pub const ORGS: &str = "orgs";
/// partition: (instance id, org id) · clustering: domain.
pub const ORG_DOMAINS: &str = "org_domains";
/// partition: (instance id, org id) · clustering: metadata key.
pub const ORG_METADATA: &str = "org_metadata";
/// partition: instance id · clustering: "".
pub const INSTANCES: &str = "instances";
/// partition: domain · clustering: "".
pub const INSTANCE_DOMAINS: &str = "instance_domains";
/// partition: instance id · clustering: user id.
pub const USERS: &str = "users";
/// partition: SHA-256 of the token · clustering: "".
pub const PERSONAL_ACCESS_TOKENS: &str = "personal_access_tokens";
/// partition: (instance id, user id) · clustering: org id, or "" for instance roles.
pub const MEMBERS: &str = "members";
/// partition: "" · clustering: stream partition number. Written by reader processes: the last
/// position applied from that partition (distributed mode's read-your-writes).
pub const STREAM_PROGRESS: &str = "stream_progress";
/// partition: instance id · clustering: (resource kind, resource id). Who owns each resource the
/// API authorizes by id (`org_id`, and `project_id` / `project_grant_id` where it hangs off one):
/// the one lookup behind every permission check on a resource.
pub const RESOURCE_OWNERS: &str = "resource_owners";
/// partition: instance id · clustering: project id.
pub const PROJECTS: &str = "projects";
/// partition: (instance id, project id) · clustering: role key. Columns `key`, `display_name`,
/// `group`.
pub const PROJECT_ROLES: &str = "project_roles";
/// partition: (instance id, project id) · clustering: grant id. Columns `granted_org_id`,
/// `role_keys` (JSON array of strings), `state` ("active"/"inactive").
pub const PROJECT_GRANTS: &str = "project_grants";
/// partition: instance id · clustering: (project id, grant id). The grants of every project, for
/// listing grants across projects; same columns as [`PROJECT_GRANTS`].
pub const PROJECT_GRANTS_BY_INSTANCE: &str = "project_grants_by_instance";
/// partition: (instance id, project id) · clustering: granted org id. Column `grant_id`.
pub const PROJECT_GRANTS_BY_ORG: &str = "project_grants_by_org";
/// partition: instance id · clustering: application id.
pub const APPLICATIONS: &str = "applications";
/// partition: instance id · clustering: client id. Columns `app_id`, `project_id`.
pub const APPLICATION_CLIENT_IDS: &str = "application_client_ids";
/// partition: instance id · clustering: key id. Application keys (public part only).
pub const APPLICATION_KEYS: &str = "application_keys";
/// partition: instance id · clustering: (lower-cased name, project id). Columns `id`, `org_id`,
/// `name`: projects in name order.
pub const PROJECTS_BY_NAME: &str = "projects_by_name";
/// partition: instance id · clustering: session id. Sessions (Session API); a terminated session's
/// row is deleted. Columns: `user_id`, `org_id`, `token_hash`, check times, `metadata`,
/// `expiration`, `user_agent`, `created`, `changed`, `sequence`.
pub const SESSIONS: &str = "sessions";
/// partition: (instance id, grant id) · clustering: "". An active grant ("OIDC session"); deleted
/// when it ends, which revokes every token issued under it.
pub const GRANTS: &str = "grants";
/// partition: (instance id, session id) · clustering: grant id. Column `client_id`: the grants
/// a login session produced (logout ends them). Rows of ended grants may remain.
pub const GRANTS_BY_SESSION: &str = "grants_by_session";
/// partition: (instance id, token id) · clustering: "". An access token: `grant_id`,
/// `token_hash` (opaque tokens), `scopes`, `expiration`. Deleted when revoked.
pub const ACCESS_TOKENS: &str = "access_tokens";
/// partition: instance id · clustering: key id. Web keys: `algorithm`, `state`
/// ("initial"/"active"/"inactive"), `public_jwk`, `sealed_private_key`, `created`, `changed`.
pub const WEB_KEYS: &str = "web_keys";
/// partition: (instance id, user code) · clustering: "". Open device authorizations by the code
/// the user types: `device_id`, `client_id`, `scopes`, `expires_at`.
pub const DEVICE_USER_CODES: &str = "device_user_codes";
/// partition: (instance id, lower-cased username) · clustering: user id. Column `org_id`. Finds
/// users by login name; rows of old usernames may remain (callers confirm the current one).
pub const USERNAMES: &str = "usernames";
/// partition: instance id · clustering: group id. Columns `id`, `org_id`, `name`,
/// `description`, `created`, `changed`, `sequence`.
pub const GROUPS: &str = "groups";
/// partition: (instance id, org id) · clustering: group id. The groups of one org; same
/// columns as [`GROUPS`].
pub const GROUPS_BY_ORG: &str = "groups_by_org";
/// partition: (instance id, org id) · clustering: lower-cased group name. Columns `id`,
/// `name`: finds a group by name in its org (names are unique per org, case-insensitively).
pub const GROUP_NAMES: &str = "group_names";
/// partition: (instance id, group id) · clustering: user id. Columns `user_id`, `group_id`,
/// `org_id`, `created` (when the user joined). Rows of removed users may remain: a membership
/// counts only while its [`GROUPS_BY_USER`] row exists.
pub const GROUP_MEMBERS: &str = "group_members";
/// partition: (instance id, user id) · clustering: group id. Columns `group_id`, `org_id`,
/// `created`. The whole partition is deleted when the user is removed.
pub const GROUPS_BY_USER: &str = "groups_by_user";
/// partition: instance id · clustering: sink id. SIEM sinks: `id`, `name`, `kind`, `endpoint`,
/// `tls`, `headers` (JSON array of `{name, value}`), `ca_pem`, `topic`, `event_types`, `org_ids`
/// (JSON arrays), `has_secret`, `created`, `changed`, `sequence`. The sealed secret is not projected.
pub const SINKS: &str = "sinks";
/// partition: (instance id, sink id) · clustering: the event's position, zero-padded to 20
/// digits. A sink's open dead letters: `position`, `event_type`, `aggregate_id`, `error`,
/// `failed_at`.
pub const SINK_DEAD_LETTERS: &str = "sink_dead_letters";
