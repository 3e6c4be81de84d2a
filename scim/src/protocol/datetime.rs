//! A small parser for SCIM `dateTime` values (xsd:dateTime / RFC 3339), so that filters and sorts
//! compare instants chronologically whatever the offsets.

/// An instant: seconds since the Unix epoch (UTC) plus nanoseconds. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`; a missing offset means UTC (xsd
/// allows it). `t`/`z` and a space instead of `T` are accepted. Returns `None` when malformed.
pub fn parse_datetime(text: &str) -> Option<Instant> {
    let bytes = text.as_bytes();
    let year = number(bytes, 0, 4)?;
    let month = number(bytes, 5, 2)?;
    let day = number(bytes, 8, 2)?;
    let hour = number(bytes, 11, 2)?;
    let minute = number(bytes, 14, 2)?;
    let second = number(bytes, 17, 2)?;
    let separators_ok = bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && matches!(bytes.get(10), Some(b'T' | b't' | b' '))
        && bytes.get(13) == Some(&b':')
        && bytes.get(16) == Some(&b':');
    if !separators_ok
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = text.get(19..)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let (frac, after) = fraction.split_at(digits);
        let mut scaled = frac.get(..digits.min(9))?.to_owned();
        while scaled.len() < 9 {
            scaled.push('0');
        }
        nanos = scaled.parse().ok()?;
        rest = after;
    }
    let offset_seconds = parse_offset(rest)?;
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(Instant { seconds, nanos })
}

fn parse_offset(rest: &str) -> Option<i64> {
    match rest.as_bytes().first() {
        None => Some(0),
        Some(b'Z' | b'z') if rest.len() == 1 => Some(0),
        Some(sign @ (b'+' | b'-')) => {
            let bytes = rest.as_bytes();
            if bytes.len() != 6 || bytes.get(3) != Some(&b':') {
                return None;
            }
            let hours = number(bytes, 1, 2)?;
            let minutes = number(bytes, 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -magnitude } else { magnitude })
        }
        Some(_) => None,
    }
}

/// The decimal number in `bytes[start..start + len]`, all digits.
fn number(bytes: &[u8], start: usize, len: usize) -> Option<i64> {
    let digits = bytes.get(start..start + len)?;
    digits.iter().try_fold(0i64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the era-based civil-date algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        parse_datetime(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(
            at("1970-01-01T00:00:00Z"),
            Instant {
                seconds: 0,
                nanos: 0
            }
        );
        assert_eq!(at("2011-05-13T04:42:34Z").seconds, 1_305_261_754);
        assert_eq!(at("2000-03-01T00:00:00Z").seconds, 951_868_800);
        assert_eq!(at("1969-12-31T23:59:59Z").seconds, -1);
    }

    #[test]
    fn offsets_and_fractions() {
        assert_eq!(at("2024-01-01T02:00:00+02:00"), at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2023-12-31T19:30:00-04:30"), at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2024-01-01T00:00:00.5Z").nanos, 500_000_000);
        assert_eq!(at("2024-01-01T00:00:00.123456789123Z").nanos, 123_456_789);
        assert!(at("2024-01-01T00:00:00.001Z") > at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2024-01-01T00:00:00"), at("2024-01-01t00:00:00z"));
    }

    #[test]
    fn malformed_dates_are_refused() {
        for bad in [
            "",
            "2024",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01X00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0200",
            "2024-01-01T00:00:00Zjunk",
            "2024-01-01T00:00:00+02:60",
            "abcd-ef-ghTij:kl:mnZ",
            "2024-01-01T00:00:0é",
        ] {
            assert!(parse_datetime(bad).is_none(), "{bad} should be refused");
        }
        assert!(parse_datetime("2024-02-29T00:00:00Z").is_some());
    }
}
