//! `google.protobuf.Timestamp` in its proto-JSON form (RFC 3339, always UTC on output).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Mirrors `google.protobuf.Timestamp`: microseconds since the Unix epoch (UTC).
///
/// Output is `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z` (0, 3 or 6 fractional digits, like
/// protojson). Input accepts `Z` or a `±HH:MM` offset and 0–9 fractional digits; digits
/// beyond microseconds are truncated. The range is that of the proto type:
/// `0001-01-01T00:00:00Z` to `9999-12-31T23:59:59.999999Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ProtoTimestamp(pub i64);

/// A timestamp that is not valid proto-JSON or is outside the proto range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampError(&'static str);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid google.protobuf.Timestamp: {}", self.0)
    }
}

impl std::error::Error for TimestampError {}

/// `0001-01-01T00:00:00Z` in Unix seconds.
const MIN_SECONDS: i64 = -62_135_596_800;
/// `9999-12-31T23:59:59Z` in Unix seconds.
const MAX_SECONDS: i64 = 253_402_300_799;
const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

impl ProtoTimestamp {
    /// The timestamp `micros` microseconds after the Unix epoch.
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    /// Microseconds since the Unix epoch.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// Formats as proto-JSON; fails outside the proto range.
    pub fn to_rfc3339(self) -> Result<String, TimestampError> {
        let secs = self.0.div_euclid(MICROS_PER_SECOND);
        let frac = self.0.rem_euclid(MICROS_PER_SECOND);
        if !(MIN_SECONDS..=MAX_SECONDS).contains(&secs) {
            return Err(TimestampError("out of range"));
        }
        let (year, month, day) = civil_from_days(secs.div_euclid(SECONDS_PER_DAY));
        let sod = secs.rem_euclid(SECONDS_PER_DAY);
        let mut out = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            (sod / 60) % 60,
            sod % 60
        );
        if frac != 0 {
            if frac % 1000 == 0 {
                out.push_str(&format!(".{:03}", frac / 1000));
            } else {
                out.push_str(&format!(".{frac:06}"));
            }
        }
        out.push('Z');
        Ok(out)
    }

    /// Parses an RFC 3339 timestamp as protojson accepts it.
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimestampError> {
        let mut c = Cursor {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let year = i64::from(c.digits(4)?);
        c.expect(b'-')?;
        let month = c.digits(2)?;
        c.expect(b'-')?;
        let day = c.digits(2)?;
        c.expect(b'T')?;
        let hour = c.digits(2)?;
        c.expect(b':')?;
        let minute = c.digits(2)?;
        c.expect(b':')?;
        let second = c.digits(2)?;

        let mut nanos: i64 = 0;
        if c.peek() == Some(b'.') {
            c.pos += 1;
            let mut count = 0u32;
            while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
                if count == 9 {
                    return Err(TimestampError("more than 9 fractional digits"));
                }
                nanos = nanos * 10 + i64::from(d - b'0');
                count += 1;
                c.pos += 1;
            }
            if count == 0 {
                return Err(TimestampError("empty fraction"));
            }
            nanos *= 10_i64.pow(9 - count);
        }

        let offset_seconds = match c.next() {
            Some(b'Z') => 0,
            Some(sign @ (b'+' | b'-')) => {
                let oh = c.digits(2)?;
                c.expect(b':')?;
                let om = c.digits(2)?;
                if oh > 23 || om > 59 {
                    return Err(TimestampError("offset out of range"));
                }
                let off = i64::from(oh) * 3600 + i64::from(om) * 60;
                if sign == b'-' { -off } else { off }
            }
            _ => return Err(TimestampError("expected 'Z' or a ±HH:MM offset")),
        };
        if c.pos != c.bytes.len() {
            return Err(TimestampError("trailing characters"));
        }

        if !(1..=12).contains(&month) {
            return Err(TimestampError("month out of range"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(TimestampError("day out of range"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(TimestampError("time of day out of range"));
        }

        let days = days_from_civil(year, i64::from(month), i64::from(day));
        let local = days * SECONDS_PER_DAY
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second);
        let secs = local - offset_seconds;
        if !(MIN_SECONDS..=MAX_SECONDS).contains(&secs) {
            return Err(TimestampError("out of range"));
        }
        Ok(Self(secs * MICROS_PER_SECOND + nanos / 1000))
    }
}

impl fmt::Display for ProtoTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_rfc3339() {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "<out-of-range timestamp {}us>", self.0),
        }
    }
}

impl Serialize for ProtoTimestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.to_rfc3339().map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for ProtoTimestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TsVisitor;
        impl Visitor<'_> for TsVisitor {
            type Value = ProtoTimestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ProtoTimestamp, E> {
                ProtoTimestamp::parse_rfc3339(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(TsVisitor)
    }
}

/// Byte cursor that never indexes out of bounds.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        if b.is_some() {
            self.pos += 1;
        }
        b
    }

    fn expect(&mut self, want: u8) -> Result<(), TimestampError> {
        match self.next() {
            Some(b) if b == want => Ok(()),
            _ => Err(TimestampError("malformed timestamp")),
        }
    }

    fn digits(&mut self, n: usize) -> Result<u32, TimestampError> {
        let mut value = 0u32;
        for _ in 0..n {
            match self.next() {
                Some(d) if d.is_ascii_digit() => value = value * 10 + u32::from(d - b'0'),
                _ => return Err(TimestampError("expected a digit")),
            }
        }
        Ok(value)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> i64 {
        ProtoTimestamp::parse_rfc3339(s).unwrap().micros()
    }

    fn fmt(micros: i64) -> String {
        ProtoTimestamp(micros).to_rfc3339().unwrap()
    }

    #[test]
    fn round_trips_micro_precision() {
        let s = "2024-01-02T03:04:05.123456Z";
        assert_eq!(parse(s), 1_704_164_645_123_456);
        assert_eq!(fmt(parse(s)), s);
        assert_eq!(fmt(parse("2024-01-02T03:04:05Z")), "2024-01-02T03:04:05Z");
    }

    #[test]
    fn fraction_lengths() {
        assert_eq!(
            fmt(parse("2024-01-02T03:04:05.1Z")),
            "2024-01-02T03:04:05.100Z"
        );
        assert_eq!(
            fmt(parse("2024-01-02T03:04:05.000001Z")),
            "2024-01-02T03:04:05.000001Z"
        );
        // nanoseconds are truncated to microseconds
        assert_eq!(
            parse("2024-01-02T03:04:05.123456789Z"),
            1_704_164_645_123_456
        );
        assert_eq!(
            parse("2024-01-02T03:04:05.000000000Z"),
            1_704_164_645_000_000
        );
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        assert_eq!(
            parse("2024-01-02T05:04:05.123456+02:00"),
            parse("2024-01-02T03:04:05.123456Z")
        );
        assert_eq!(
            parse("2024-01-01T22:34:05-04:30"),
            parse("2024-01-02T03:04:05Z")
        );
        assert_eq!(
            fmt(parse("2024-01-02T00:30:00+01:00")),
            "2024-01-01T23:30:00Z"
        );
    }

    #[test]
    fn epoch_and_before() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), 0);
        assert_eq!(parse("1969-12-31T23:59:59.999999Z"), -1);
        assert_eq!(fmt(-1), "1969-12-31T23:59:59.999999Z");
        assert_eq!(fmt(-1_500_000), "1969-12-31T23:59:58.500Z");
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(fmt(parse("2024-02-29T12:00:00Z")), "2024-02-29T12:00:00Z");
        assert_eq!(fmt(parse("2000-02-29T00:00:00Z")), "2000-02-29T00:00:00Z");
        assert_eq!(fmt(parse("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
        assert_eq!(
            fmt(parse("9999-12-31T23:59:59.999999Z")),
            "9999-12-31T23:59:59.999999Z"
        );
        assert!(
            ProtoTimestamp(MAX_SECONDS * MICROS_PER_SECOND + MICROS_PER_SECOND)
                .to_rfc3339()
                .is_err()
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "garbage",
            "2024-01-02",
            "2024-01-02T03:04:05",
            "2024-01-02 03:04:05Z",
            "2024-01-02t03:04:05Z",
            "2024-01-02T03:04:05z",
            "2024-1-02T03:04:05Z",
            "2024-13-02T03:04:05Z",
            "2024-00-02T03:04:05Z",
            "2023-02-29T03:04:05Z",
            "2024-04-31T03:04:05Z",
            "2024-01-02T24:00:00Z",
            "2024-01-02T03:60:05Z",
            "2024-01-02T03:04:60Z",
            "2024-01-02T03:04:05.Z",
            "2024-01-02T03:04:05.1234567890Z",
            "2024-01-02T03:04:05+0200",
            "2024-01-02T03:04:05+24:00",
            "2024-01-02T03:04:05Zjunk",
            "0000-12-31T23:59:59Z",
            "9999-12-31T23:59:59-01:00",
            "０２０２4-01-02T03:04:05Z",
        ] {
            assert!(
                ProtoTimestamp::parse_rfc3339(bad).is_err(),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn serde_round_trip() {
        let ts: ProtoTimestamp = serde_json::from_str("\"2024-01-02T03:04:05.123Z\"").unwrap();
        assert_eq!(
            serde_json::to_string(&ts).unwrap(),
            "\"2024-01-02T03:04:05.123Z\""
        );
        assert!(serde_json::from_str::<ProtoTimestamp>("1704164645").is_err());
        assert!(serde_json::from_str::<ProtoTimestamp>("\"yesterday\"").is_err());
        let none: Option<ProtoTimestamp> = serde_json::from_str("null").unwrap();
        assert_eq!(none, None);
    }
}
