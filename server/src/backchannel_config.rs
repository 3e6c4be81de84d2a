//! `CASTELLAN_BACKCHANNEL_*`: the retry schedule of back-channel logout delivery
//! (docs/design/0012, "Ending a session").

use std::time::Duration;

use castellan_oidc::backchannel::worker::WorkerConfig;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackchannelSettings {
    /// Attempts before a delivery is recorded as failed.
    pub max_attempts: u32,
    /// The pause after the first failed attempt (it doubles after each further one).
    pub first_retry_millis: u64,
    /// The longest pause between attempts.
    pub max_retry_seconds: u64,
}

impl Default for BackchannelSettings {
    fn default() -> Self {
        let worker = WorkerConfig::default();
        Self {
            max_attempts: worker.max_attempts,
            first_retry_millis: u64::try_from(worker.first_retry.as_millis()).unwrap_or(1000),
            max_retry_seconds: worker.max_retry.as_secs(),
        }
    }
}

impl BackchannelSettings {
    /// `CASTELLAN_BACKCHANNEL_*`: `None` when `key` is not one of them.
    pub fn set_env(&mut self, key: &str, value: &str) -> Option<Result<(), &'static str>> {
        let positive = |value: &str| value.parse::<u64>().ok().filter(|v| *v > 0);
        Some(match key {
            "BACKCHANNEL_MAXATTEMPTS" => positive(value)
                .and_then(|v| u32::try_from(v).ok())
                .map(|v| self.max_attempts = v)
                .ok_or("a positive number"),
            "BACKCHANNEL_FIRSTRETRYMILLIS" => positive(value)
                .map(|v| self.first_retry_millis = v)
                .ok_or("a positive number of milliseconds"),
            "BACKCHANNEL_MAXRETRYSECONDS" => positive(value)
                .map(|v| self.max_retry_seconds = v)
                .ok_or("a positive number of seconds"),
            _ => return None,
        })
    }

    pub fn worker(&self) -> WorkerConfig {
        WorkerConfig {
            max_attempts: self.max_attempts,
            first_retry: Duration::from_millis(self.first_retry_millis),
            max_retry: Duration::from_secs(self.max_retry_seconds),
            ..WorkerConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_shape_the_retry_schedule() {
        let mut settings = BackchannelSettings::default();
        assert_eq!(
            settings.worker().retry_after(1),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            settings.set_env("BACKCHANNEL_MAXATTEMPTS", "3"),
            Some(Ok(()))
        );
        assert_eq!(
            settings.set_env("BACKCHANNEL_FIRSTRETRYMILLIS", "200"),
            Some(Ok(()))
        );
        assert_eq!(
            settings.set_env("BACKCHANNEL_MAXRETRYSECONDS", "0"),
            Some(Err("a positive number of seconds"))
        );
        assert_eq!(settings.set_env("BACKCHANNEL_OTHER", "1"), None);
        let worker = settings.worker();
        assert_eq!(worker.retry_after(2), Some(Duration::from_millis(400)));
        assert_eq!(worker.retry_after(3), None);
    }
}
