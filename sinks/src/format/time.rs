//! RFC 3339 times (UTC, microseconds) from the ledger's microsecond timestamps.

use castellan_core::clock::Timestamp;

/// `2024-04-25T01:02:03.123456Z`.
pub fn rfc3339(at: Timestamp) -> String {
    let micros = at.0.rem_euclid(1_000_000);
    let secs = at.0.div_euclid(1_000_000);
    let (year, month, day) = civil(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        of_day / 3600,
        (of_day % 3600) / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_microseconds() {
        assert_eq!(rfc3339(Timestamp(0)), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            rfc3339(Timestamp(1_714_000_000_123_456)),
            "2024-04-24T23:06:40.123456Z"
        );
        assert_eq!(
            rfc3339(Timestamp(951_782_400_000_001)),
            "2000-02-29T00:00:00.000001Z"
        );
    }
}
