//! `google.protobuf.Duration` in proto3 JSON: a decimal number of seconds with the suffix `s`
//! (`"3600s"`, `"0.5s"`, `"-1.000000001s"`), at most nine fractional digits.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Proto3's range: ±10,000 years.
const MAX_SECONDS: i64 = 315_576_000_000;

/// A duration in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProtoDuration {
    pub seconds: i64,
    /// Same sign as `seconds` (or zero), |nanos| < 1e9.
    pub nanos: i32,
}

impl ProtoDuration {
    pub const fn from_secs(seconds: i64) -> Self {
        Self { seconds, nanos: 0 }
    }

    /// The duration in whole microseconds (rounded toward zero).
    pub fn as_micros(&self) -> i64 {
        self.seconds
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(self.nanos / 1_000))
    }

    pub fn from_micros(micros: i64) -> Self {
        Self {
            seconds: micros / 1_000_000,
            nanos: i32::try_from((micros % 1_000_000) * 1_000).unwrap_or(0),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let body = text
            .strip_suffix('s')
            .ok_or_else(|| format!("duration {text:?} must end in \"s\""))?;
        let (negative, body) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let (whole, fraction) = match body.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (body, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f) || f.len() > 9) {
            return Err(format!("duration {text:?} is not a number of seconds"));
        }
        let seconds: i64 = whole
            .parse()
            .map_err(|_| format!("duration {text:?} is out of range"))?;
        if seconds > MAX_SECONDS {
            return Err(format!("duration {text:?} is out of range"));
        }
        let mut nanos: i32 = 0;
        if let Some(fraction) = fraction {
            let padded = format!("{fraction:0<9}");
            nanos = padded
                .parse()
                .map_err(|_| format!("duration {text:?} is not a number of seconds"))?;
        }
        Ok(if negative {
            Self {
                seconds: -seconds,
                nanos: -nanos,
            }
        } else {
            Self { seconds, nanos }
        })
    }
}

impl fmt::Display for ProtoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let negative = self.seconds < 0 || self.nanos < 0;
        let sign = if negative { "-" } else { "" };
        let seconds = self.seconds.unsigned_abs();
        let nanos = self.nanos.unsigned_abs();
        if nanos == 0 {
            write!(f, "{sign}{seconds}s")
        } else if nanos.is_multiple_of(1_000_000) {
            write!(f, "{sign}{seconds}.{:03}s", nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            write!(f, "{sign}{seconds}.{:06}s", nanos / 1_000)
        } else {
            write!(f, "{sign}{seconds}.{nanos:09}s")
        }
    }
}

impl Serialize for ProtoDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProtoDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = ProtoDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"3600s\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ProtoDuration, E> {
                ProtoDuration::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(DurationVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_like_protobuf() {
        for (text, seconds, nanos) in [
            ("3600s", 3600, 0),
            ("0s", 0, 0),
            ("1.5s", 1, 500_000_000),
            ("0.000001s", 0, 1_000),
            ("-1.000000001s", -1, -1),
        ] {
            let d = ProtoDuration::parse(text).unwrap();
            assert_eq!((d.seconds, d.nanos), (seconds, nanos), "{text}");
        }
        assert_eq!(ProtoDuration::from_secs(3600).to_string(), "3600s");
        assert_eq!(ProtoDuration::parse("1.5s").unwrap().to_string(), "1.500s");
        assert_eq!(
            ProtoDuration::parse("-1.000000001s").unwrap().to_string(),
            "-1.000000001s"
        );
        assert_eq!(ProtoDuration::from_micros(1_500_000).as_micros(), 1_500_000);
    }

    #[test]
    fn rejects_what_protobuf_rejects() {
        for bad in [
            "3600",
            "s",
            "1.s",
            "1.0000000001s",
            "abc s",
            "1e3s",
            "99999999999999s",
        ] {
            assert!(ProtoDuration::parse(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_value::<ProtoDuration>(serde_json::json!(3600)).unwrap_err();
        assert!(err.to_string().contains("3600s"));
    }
}
