//! Unix seconds to RFC 3339 UTC text, with Howard Hinnant's
//! `civil_from_days` (proleptic Gregorian calendar).

/// Formats `unix` seconds as `YYYY-MM-DDTHH:MM:SSZ`. Instants outside years
/// 0000–9999 (which RFC 3339 cannot express) come out as `unix time N`.
pub(crate) fn format(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return format!("unix time {unix}");
    }
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month 1–12, day 1–31).
/// No overflow for any `days` derived from an `i64` of seconds.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468; // shift the epoch to 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The inverse, used only to check `civil_from_days`.
    fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    #[test]
    fn known_instants_format_as_rfc_3339_utc() {
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        assert_eq!(format(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format(951_868_800), "2000-03-01T00:00:00Z");
        assert_eq!(format(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(format(1_795_428_000), "2026-11-23T10:00:00Z");
        assert_eq!(format(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(format(-62_167_219_200), "0000-01-01T00:00:00Z");
        assert_eq!(format(253_402_300_799), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn instants_outside_years_0000_to_9999_fall_back_to_unix_time() {
        assert_eq!(format(253_402_300_800), "unix time 253402300800");
        assert_eq!(format(-62_167_219_201), "unix time -62167219201");
        assert_eq!(format(i64::MAX), format!("unix time {}", i64::MAX));
        assert_eq!(format(i64::MIN), format!("unix time {}", i64::MIN));
    }

    #[test]
    fn every_day_from_1900_to_2100_follows_the_previous_one() {
        let (mut y, mut m, mut d) = civil_from_days(days_from_civil(1900, 1, 1));
        assert_eq!((y, m, d), (1900, 1, 1));
        for days in days_from_civil(1900, 1, 2)..days_from_civil(2101, 1, 1) {
            let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
            let month_len = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            d += 1;
            if d > month_len[(m - 1) as usize] {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
        }
    }

    proptest! {
        #[test]
        fn civil_from_days_inverts_days_from_civil(days in -1_000_000_000i64..1_000_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert!((1..=12).contains(&m) && (1..=31).contains(&d));
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        #[test]
        fn formatting_any_instant_never_panics(unix in any::<i64>()) {
            let text = format(unix);
            prop_assert!(!text.contains('\n'));
        }
    }
}
