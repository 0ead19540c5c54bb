//! Wall-clock times for file headers (the CSV recording's `start_time`, EDF+'s start date): ISO
//! 8601 in UTC, from microseconds since the Unix epoch.

const US_PER_DAY: i64 = 86_400_000_000;

/// `us` microseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn iso8601(us: i64) -> String {
    let days = us.div_euclid(US_PER_DAY);
    let of_day = us.rem_euclid(US_PER_DAY);
    let (year, month, day) = date(days);
    let seconds = of_day / 1_000_000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        of_day % 1_000_000
    )
}

/// `us` microseconds since the Unix epoch as UTC (year, month, day, hour, minute, second).
pub fn civil(us: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (year, month, day) = date(us.div_euclid(US_PER_DAY));
    let seconds = us.rem_euclid(US_PER_DAY) / 1_000_000;
    (
        year,
        month,
        day,
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
    )
}

/// The proleptic Gregorian (year, month, day) of a day number (0 = 1970-01-01).
fn date(days: i64) -> (i64, i64, i64) {
    // Count from 0000-03-01, so that the leap day is the last day of a year; the calendar
    // repeats every 400 years (146097 days).
    let days = days + 719_468;
    let cycle = days.div_euclid(146_097);
    let day_of_cycle = days.rem_euclid(146_097);
    // Years in the cycle: every 4th year is a leap year except every 100th, except every 400th
    // (the last day of the cycle).
    let year_of_cycle =
        (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36_524 - day_of_cycle / 146_096) / 365;
    let day_of_year =
        day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
    // Months from March: 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28/29 days, which
    // (153 * m + 2) / 5 counts exactly.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = cycle * 400 + year_of_cycle + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            iso8601(1_700_000_000_123_456),
            "2023-11-14T22:13:20.123456Z"
        );
        assert_eq!(iso8601(951_782_400_000_000), "2000-02-29T00:00:00.000000Z");
        assert_eq!(iso8601(951_868_799_999_999), "2000-02-29T23:59:59.999999Z");
        assert_eq!(
            iso8601(4_107_542_400_000_000),
            "2100-03-01T00:00:00.000000Z"
        );
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.999999Z");
        assert_eq!(
            iso8601(-2_208_988_800_000_000),
            "1900-01-01T00:00:00.000000Z"
        );
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        // 1900..2100 day by day: the date advances by one day, months and years roll over.
        let mut previous = date(-25_567);
        assert_eq!(previous, (1900, 1, 1));
        for days in -25_566..47_482 {
            let (y, m, d) = date(days);
            let (py, pm, pd) = previous;
            let next_day = (y, m, d) == (py, pm, pd + 1);
            let next_month = (y, m, d) == (py, pm + 1, 1) && pd >= 28;
            let next_year = (y, m, d) == (py + 1, 1, 1) && (pm, pd) == (12, 31);
            assert!(
                next_day || next_month || next_year,
                "{previous:?} -> {:?}",
                (y, m, d)
            );
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            if m == 3 && d == 1 {
                assert_eq!(pd, if leap { 29 } else { 28 }, "end of February {y}");
            }
            previous = (y, m, d);
        }
        assert_eq!(previous, (2099, 12, 31));
    }
}
