//! Commands of the OIDC/OAuth 2 provider: auth requests, grants and their tokens, device
//! authorizations and web keys. Codes, refresh tokens and device codes name their aggregate, so
//! each check loads the aggregate from the ledger and decides under optimistic concurrency: two
//! racing uses of one code or refresh token cannot both succeed.

mod auth_request;
mod device;
mod grant;
mod logout;
mod web_key;

pub use auth_request::{
    AddAuthRequest, FailAuthRequest, FrontChannelGrant, SucceedAuthRequest, Succeeded,
    authenticate_session,
};
pub use device::{AddDevice, DecideDevice};
pub use grant::{
    AccessTokenSpec, IssueGrant, IssueOutcome, RefreshGrant, RefreshOutcome, RefreshTokenSpec,
    RevokeAccessToken, TerminateGrant, Via,
};
pub use logout::{SettleLogout, TerminateGrants};
pub use web_key::{ActivateWebKey, AddWebKey, RemoveWebKey};
