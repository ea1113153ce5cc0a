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
}
