//! Outbound SCIM (issue #7, design 0017): Castellan as a SCIM *client*, pushing an org's users
//! and groups to downstream applications ("targets") as they change.
//!
//! - [`client`] — the HTTP side of one target (auth, lookups, writes) over the one outbound
//!   client with its SSRF policy;
//! - [`document`] — the documents the target should hold, and the comparison with what it holds;
//! - [`push`] — pushing one resource as it is now (idempotent), and the reconcile run;
//! - [`worker`] — the event-stream side: a batch → the resources it touched → pushes with
//!   retries and dead letters;
//! - [`supervisor`] — one worker per active target, following the targets' configuration;
//! - [`api`] — `/castellan/v1/scim/targets`.

pub mod api;
pub mod client;
pub mod document;
pub mod push;
pub mod supervisor;
pub mod worker;

use std::sync::Arc;

use castellan_core::scim_target::{self, ScimTarget};
use castellan_jose::MasterKey;
use castellan_outbound::Outbound;
use castellan_writer::ledger::Ledger;
use zeroize::Zeroizing;

use self::client::ScimClient;
use self::push::Pusher;

pub use castellan_outbound::RetryPolicy;

/// The pusher of one target: its secret opened with the master key (it opens only for this
/// target of this instance).
pub fn pusher_for(
    http: &Outbound,
    key: &MasterKey,
    ledger: Arc<dyn Ledger>,
    instance_id: &str,
    target_id: &str,
    target: ScimTarget,
) -> Result<Pusher, String> {
    let secret = key
        .decrypt(
            &target.sealed_secret,
            &scim_target::secret_context(instance_id, target_id),
        )
        .map_err(|e| format!("the target's secret does not open: {e}"))?;
    let secret = Zeroizing::new(
        String::from_utf8(secret.to_vec()).map_err(|_| "the secret is not UTF-8".to_owned())?,
    );
    let client = ScimClient::new(http.clone(), target.settings.clone(), secret);
    Ok(Pusher {
        client,
        ledger,
        instance_id: instance_id.to_owned(),
        target,
    })
}
