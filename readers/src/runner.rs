//! The projection runner: tails the ledger (the embedded log), applies every projection, and
//! publishes how far it got so API callers can wait to read their own writes.

use std::sync::Arc;
use std::time::Duration;

use castellan_core::{Event, Position};
use castellan_writer::ledger::{EventFilter, Ledger};
use tokio::sync::{Mutex, watch};

use crate::projections::Projection;
use crate::store::{PositionedOp, ProjectionOps, ReadError, ReadStore};

/// How many events one step reads from the ledger.
pub const BATCH_SIZE: usize = 500;
/// How often the runner looks for events appended by other processes.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

pub struct Projector {
    ledger: Arc<dyn Ledger>,
    store: Arc<dyn ReadStore>,
    projections: Vec<Box<dyn Projection>>,
    progress: watch::Sender<Position>,
    /// Each projection's checkpoint, once read from the store (see [`Projector::catch_up`]).
    checkpoints: Mutex<Option<Vec<Position>>>,
}

impl Projector {
    pub fn new(
        ledger: Arc<dyn Ledger>,
        store: Arc<dyn ReadStore>,
        projections: Vec<Box<dyn Projection>>,
    ) -> Self {
        let (progress, _) = watch::channel(Position::START);
        Self {
            ledger,
            store,
            projections,
            progress,
            checkpoints: Mutex::new(None),
        }
    }

    pub fn store(&self) -> &Arc<dyn ReadStore> {
        &self.store
    }

    /// The position every projection has reached.
    pub fn position(&self) -> Position {
        *self.progress.borrow()
    }

    /// Applies everything the ledger holds now; returns the position reached.
    ///
    /// The projections' checkpoints are read from the store once and then kept here (this
    /// projector is the only writer of them); each ledger batch is applied to every projection
    /// in one [`ReadStore::apply_all`] call. Calls are serialized.
    pub async fn catch_up(&self) -> Result<Position, ReadError> {
        let mut cached = self.checkpoints.lock().await;
        let checkpoints = match cached.as_mut() {
            Some(checkpoints) => checkpoints,
            None => {
                let mut loaded = Vec::with_capacity(self.projections.len());
                for projection in &self.projections {
                    loaded.push(self.store.checkpoint(projection.name()).await?);
                }
                cached.insert(loaded)
            }
        };
        let mut after = checkpoints.iter().copied().min().unwrap_or(Position::START);
        loop {
            let filter = EventFilter {
                after,
                limit: BATCH_SIZE,
                ..EventFilter::default()
            };
            let events = self
                .ledger
                .read(&filter)
                .await
                .map_err(|e| ReadError::Unavailable(format!("ledger: {e}")))?;
            let Some(last) = events.last().map(|event| event.position) else {
                break;
            };
            let parts: Vec<ProjectionOps<'_>> = self
                .projections
                .iter()
                .zip(checkpoints.iter())
                .map(|(projection, checkpoint)| ProjectionOps {
                    projection: projection.name(),
                    ops: project(projection.as_ref(), &events, *checkpoint),
                })
                .collect();
            self.store.apply_all(&parts, last).await?;
            checkpoints
                .iter_mut()
                .for_each(|checkpoint| *checkpoint = last);
            after = last;
            self.progress.send_replace(last);
            if events.len() < BATCH_SIZE {
                break;
            }
        }
        self.progress.send_if_modified(|current| {
            if *current < after {
                *current = after;
                true
            } else {
                false
            }
        });
        Ok(after)
    }

    /// Runs until `shutdown` turns true: wakes on local appends, polls for foreign ones.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut appended = self.ledger.appended();
        loop {
            if let Err(error) = self.catch_up().await {
                tracing::warn!(%error, "projection step failed; retrying");
                tokio::time::sleep(POLL_INTERVAL).await;
            }
            tokio::select! {
                _ = appended.changed() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }

    /// Waits until every projection has applied `position`.
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> Result<(), ReadError> {
        let mut receiver = self.progress.subscribe();
        let reached = tokio::time::timeout(timeout, receiver.wait_for(|at| *at >= position)).await;
        match reached {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(ReadError::Timeout(position)),
        }
    }
}

/// A projection's row ops for the events after its checkpoint.
fn project(
    projection: &dyn Projection,
    events: &[Event],
    checkpoint: Position,
) -> Vec<PositionedOp> {
    let mut ops = Vec::new();
    for event in events.iter().filter(|event| event.position > checkpoint) {
        match projection.project(event) {
            Ok(projected) => ops.extend(projected.into_iter().map(|op| PositionedOp {
                position: event.position,
                op,
            })),
            // An event this version cannot read is skipped, loudly, rather than stopping every
            // projection behind it.
            Err(error) => tracing::error!(
                projection = projection.name(),
                position = event.position.0,
                event_type = %event.event_type,
                %error,
                "event skipped by projection"
            ),
        }
    }
    ops
}
