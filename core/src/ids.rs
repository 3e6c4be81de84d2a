//! Injected id generation.
//!
//! ZITADEL's ids are decimal strings of sonyflake numbers (18 digits); Castellan keeps that shape
//! so SDKs and users see familiar ids. [`SnowflakeIds`] composes a millisecond timestamp (from an
//! injected [`Clock`]), a node number and a per-millisecond counter.

use std::sync::Mutex;

use crate::clock::Clock;

pub trait IdGenerator: Send + Sync {
    fn next_id(&self) -> String;
}

/// Time-ordered 63-bit ids: 41 bits of milliseconds since 2024-01-01, 10 bits of node, 12 bits of
/// sequence. Rendered as decimal strings.
pub struct SnowflakeIds<C: Clock> {
    clock: C,
    node: u64,
    state: Mutex<(i64, u64)>,
}

const EPOCH_MILLIS: i64 = 1_704_067_200_000;

impl<C: Clock> SnowflakeIds<C> {
    pub fn new(clock: C, node: u16) -> Self {
        Self {
            clock,
            node: u64::from(node) & 0x3ff,
            state: Mutex::new((0, 0)),
        }
    }
}

impl<C: Clock> IdGenerator for SnowflakeIds<C> {
    fn next_id(&self) -> String {
        let now_millis = self.clock.now().as_micros() / 1000 - EPOCH_MILLIS;
        let mut guard = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (last_millis, sequence) = *guard;
        // Never go backwards: a clock step back keeps counting on the last millisecond.
        let (millis, next_sequence) = if now_millis > last_millis {
            (now_millis, 0)
        } else if sequence < 0xfff {
            (last_millis, sequence + 1)
        } else {
            (last_millis + 1, 0)
        };
        *guard = (millis, next_sequence);
        let id = ((millis.max(0) as u64) << 22) | (self.node << 12) | next_sequence;
        id.to_string()
    }
}

/// Deterministic ids for tests: a prefix and a counter.
pub struct SequentialIds {
    prefix: String,
    counter: std::sync::atomic::AtomicU64,
}

impl SequentialIds {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            counter: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl IdGenerator for SequentialIds {
    fn next_id(&self) -> String {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        format!("{}{n}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FixedClock, Timestamp};
    use std::collections::HashSet;

    #[test]
    fn snowflake_ids_are_unique_and_increasing_under_a_frozen_clock() {
        let ids = SnowflakeIds::new(FixedClock(Timestamp(1_800_000_000_000_000)), 7);
        let generated: Vec<u64> = (0..10_000)
            .map(|_| ids.next_id().parse::<u64>().unwrap())
            .collect();
        let unique: HashSet<_> = generated.iter().collect();
        assert_eq!(unique.len(), generated.len());
        assert!(generated.windows(2).all(|w| w[0] < w[1]));
    }
}
