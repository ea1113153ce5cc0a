//! Numbers and dates the way each language writes them: `1.234.567` and `dd/mm/yyyy`
//! in Vietnamese, `1,234,567` in English. Times are stored in UTC and shown in the
//! gate's zone (both Vietnam and Cambodia are UTC+7).

use super::i18n::Lang;

/// Groups thousands: `1234567` → `1.234.567` (vi) or `1,234,567` (en).
pub fn number(n: i64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A decimal with `places` decimals: `11.0772` → `11,0772` (vi) or `11.0772` (en).
pub fn decimal(x: f64, places: usize, lang: Lang) -> String {
    let s = format!("{x:.places$}");
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A stored UTC timestamp shown in the gate's zone (UTC+7) as `dd/mm/yyyy HH:MM`.
pub fn local_time(stored: &str) -> String {
    match crate::db::parse_time_text(stored) {
        Some(t) => {
            let t = t.to_offset(time::macros::offset!(+7));
            format!("{:02}/{:02}/{:04} {:02}:{:02}", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
        }
        None => stored.to_string(),
    }
}

/// A time given in unix milliseconds (UTC) shown in the gate's zone as `dd/mm/yyyy HH:MM`.
pub fn local_time_ms(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) {
        Ok(t) => {
            let t = t.to_offset(time::macros::offset!(+7));
            format!("{:02}/{:02}/{:04} {:02}:{:02}", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
        }
        Err(_) => ms.to_string(),
    }
}

/// The local clock time (UTC+7) of unix seconds, `HH:MM`.
pub fn local_hm(s: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(s) {
        Ok(t) => {
            let t = t.to_offset(time::macros::offset!(+7));
            format!("{:02}:{:02}", t.hour(), t.minute())
        }
        Err(_) => s.to_string(),
    }
}

/// A local date `YYYY-MM-DD` shown as `dd/mm/yyyy`; anything else unchanged.
pub fn day(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// A number of minutes with one decimal, in the page's format (`12,5` / `12.5`).
pub fn minutes(x: f64, lang: Lang) -> String {
    if x.is_finite() {
        decimal(x, 1, lang)
    } else {
        "—".to_string()
    }
}

/// An amount in minor units with its currency's decimals and the page's separators:
/// `4500000` USD → `45.000,00 USD` (vi) or `45,000.00 USD` (en).
pub fn money(minor: i64, exponent: u8, currency: &str, lang: Lang) -> String {
    let e = u32::from(exponent.min(6));
    let div = 10u64.pow(e);
    let abs = minor.unsigned_abs();
    let whole = number(i64::try_from(abs / div).unwrap_or(i64::MAX), lang);
    let sign = if minor < 0 { "-" } else { "" };
    if e == 0 {
        return format!("{sign}{whole} {currency}");
    }
    let point = match lang {
        Lang::Vi => ',',
        Lang::En => '.',
    };
    format!("{sign}{whole}{point}{:0width$} {currency}", abs % div, width = e as usize)
}

/// Reads an amount typed in a form (`45000`, `45000.5`, `45.000,50`, `45,000.50`) into
/// minor units of a currency with `exponent` decimals. Never a float: digits only, no
/// sign. The last `.` or `,` followed by 1 to `exponent` digits is the decimal point;
/// every other `.` or `,` must group thousands (three digits after it); spaces are
/// ignored.
pub fn parse_amount(text: &str, exponent: u8) -> Result<i64, String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bad = || format!("{text:?} is not an amount: digits, with . or , for decimals");
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(bad());
    }
    let e = usize::from(exponent.min(6));
    let (whole, frac) = match t.rfind(['.', ',']) {
        Some(i) if (1..=e).contains(&(t.len() - i - 1)) => (&t[..i], &t[i + 1..]),
        _ => (t.as_str(), ""),
    };
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    let grouped_ok = groups.len() == 1 || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok || (whole.is_empty() && frac.is_empty()) {
        return Err(bad());
    }
    let mut digits: String = groups.concat();
    if digits.is_empty() {
        digits.push('0');
    }
    digits.push_str(frac);
    digits.push_str(&"0".repeat(e - frac.len()));
    digits.parse::<i64>().map_err(|_| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_groups_with_dots_english_with_commas() {
        assert_eq!(number(1_234_567, Lang::Vi), "1.234.567");
        assert_eq!(number(1_234_567, Lang::En), "1,234,567");
        assert_eq!(number(-1000, Lang::Vi), "-1.000");
        assert_eq!(number(999, Lang::Vi), "999");
        assert_eq!(number(i64::MIN, Lang::En), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn times_show_in_the_gates_zone() {
        assert_eq!(local_time("2025-12-08T01:30:00Z"), "08/12/2025 08:30");
    }

    #[test]
    fn decimals_use_the_languages_separator() {
        assert_eq!(decimal(11.077222, 4, Lang::Vi), "11,0772");
        assert_eq!(decimal(11.077222, 4, Lang::En), "11.0772");
    }

    #[test]
    fn money_uses_the_currencys_decimals_and_the_languages_separators() {
        assert_eq!(money(4_500_000, 2, "USD", Lang::Vi), "45.000,00 USD");
        assert_eq!(money(4_500_000, 2, "USD", Lang::En), "45,000.00 USD");
        assert_eq!(money(1_500_000, 0, "VND", Lang::Vi), "1.500.000 VND");
        assert_eq!(money(-5, 2, "USD", Lang::En), "-0.05 USD");
        assert_eq!(money(i64::MIN, 2, "USD", Lang::En), "-92,233,720,368,547,758.08 USD");
    }

    #[test]
    fn amounts_typed_in_forms_become_minor_units() {
        assert_eq!(parse_amount("45000", 2), Ok(4_500_000));
        assert_eq!(parse_amount("45000.5", 2), Ok(4_500_050));
        assert_eq!(parse_amount("45.000,50", 2), Ok(4_500_050));
        assert_eq!(parse_amount("45,000.50", 2), Ok(4_500_050));
        assert_eq!(parse_amount("1.234.567", 2), Ok(123_456_700));
        assert_eq!(parse_amount("1.500.000", 0), Ok(1_500_000));
        assert!(parse_amount("45.5", 0).is_err(), "VND has no decimals");
        assert_eq!(parse_amount(" 12 500 ", 0), Ok(12_500));
        assert_eq!(parse_amount("0,05", 2), Ok(5));
        assert_eq!(parse_amount(",5", 2), Ok(50));
        for bad in ["", "-5", "abc", "1e5", ".", "99999999999999999999", "1,2,3", "1.23.456"] {
            assert!(parse_amount(bad, 2).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_in_milliseconds_days_and_minutes() {
        assert_eq!(local_time_ms(1_765_157_400_000), "08/12/2025 08:30");
        assert_eq!(local_hm(1_765_157_400), "08:30");
        assert_eq!(day("2025-12-08"), "08/12/2025");
        assert_eq!(day("soon"), "soon");
        assert_eq!(minutes(12.25, Lang::Vi), "12,2");
        assert_eq!(minutes(f64::NAN, Lang::En), "—");
        assert_eq!(local_time_ms(i64::MAX), i64::MAX.to_string());
    }

    proptest::proptest! {
        #[test]
        fn parse_amount_never_panics(s in ".{0,24}", e in 0u8..8) {
            let _ = parse_amount(&s, e);
        }
    }
}
