//! Latency samples and their percentiles.

use std::time::Duration;

/// Every latency observed by one measurement (all samples are kept: runs are small enough).
#[derive(Clone, Debug, Default)]
pub struct Latencies {
    samples: Vec<Duration>,
    sorted: bool,
}

impl Latencies {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            samples: Vec::with_capacity(capacity),
            sorted: true,
        }
    }

    pub fn record(&mut self, latency: Duration) {
        self.samples.push(latency);
        self.sorted = false;
    }

    pub fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
        self.sorted = false;
    }

    /// The nearest-rank percentile (`p` in 0..=100); zero when there are no samples.
    pub fn percentile(&mut self, p: f64) -> Duration {
        if !self.sorted {
            self.samples.sort_unstable();
            self.sorted = true;
        }
        let n = self.samples.len();
        if n == 0 {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        let index = rank.clamp(1, n) - 1;
        self.samples.get(index).copied().unwrap_or_default()
    }
}

/// Milliseconds with a precision that suits the magnitude.
pub fn ms(latency: Duration) -> String {
    let millis = latency.as_secs_f64() * 1000.0;
    if millis >= 100.0 {
        format!("{millis:.0}")
    } else if millis >= 10.0 {
        format!("{millis:.1}")
    } else {
        format!("{millis:.2}")
    }
}

/// A rate with a precision that suits the magnitude.
pub fn rate(count: f64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return "n/a".into();
    }
    let per_sec = count / secs;
    if per_sec >= 100.0 {
        format!("{per_sec:.0}")
    } else {
        format!("{per_sec:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut latencies = Latencies::default();
        for millis in (1..=100).rev() {
            latencies.record(Duration::from_millis(millis));
        }
        assert_eq!(latencies.percentile(50.0), Duration::from_millis(50));
        assert_eq!(latencies.percentile(99.0), Duration::from_millis(99));
        assert_eq!(latencies.percentile(100.0), Duration::from_millis(100));
        assert_eq!(latencies.percentile(0.0), Duration::from_millis(1));
        assert_eq!(Latencies::default().percentile(50.0), Duration::ZERO);
    }

    #[test]
    fn formats() {
        assert_eq!(ms(Duration::from_micros(1234)), "1.23");
        assert_eq!(ms(Duration::from_millis(250)), "250");
        assert_eq!(rate(500.0, Duration::from_secs(2)), "250");
        assert_eq!(rate(5.0, Duration::from_secs(2)), "2.5");
    }
}
