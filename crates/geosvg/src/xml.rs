//! XML escaping and compact number formatting.

/// Is `c` allowed in an XML 1.0 document at all (the `Char` production)?
/// Characters outside it cannot even be written as character references,
/// so they are dropped.
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// Appends `s` to `out`, escaping `& < > " '` and dropping characters that
/// XML 1.0 forbids. Safe both in text content and in double-quoted
/// attribute values.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Escapes `s` into a new string (see [`escape_into`]).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Appends caller CSS to `out` for use inside `<style>`: only `&` and `<`
/// are escaped (and forbidden characters dropped). Inside an SVG `<style>`
/// the character references are decoded again, both by XML parsers and by
/// the HTML parser for inline SVG (foreign content), so the CSS the browser
/// sees is byte-for-byte the caller's text, while `</style>` or `<script>`
/// in it can never close or open an element.
pub(crate) fn escape_css_into(out: &mut String, css: &str) {
    for c in css.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Converts an SVG coordinate to tenths of a unit (the output precision).
/// Saturates instead of overflowing; NaN becomes 0 (callers filter NaN
/// before this point anyway).
pub(crate) fn tenths(v: f64) -> i64 {
    // `as` from f64 to i64 saturates and maps NaN to 0: never panics.
    (v * 10.0).round() as i64
}

/// Writes a value given in tenths as the shortest decimal: `15` → `1.5`,
/// `20` → `2`, `-5` → `-0.5`, `0` → `0` (never `-0`).
pub(crate) fn write_tenths(out: &mut String, t: i64) {
    use std::fmt::Write as _;
    let sign = if t < 0 { "-" } else { "" };
    let a = t.unsigned_abs();
    let (int, frac) = (a / 10, a % 10);
    // Writing into a String cannot fail.
    let _ = if frac == 0 {
        write!(out, "{sign}{int}")
    } else {
        write!(out, "{sign}{int}.{frac}")
    };
}

/// Writes `v` rounded to one decimal (see [`write_tenths`]).
pub(crate) fn write_num(out: &mut String, v: f64) {
    write_tenths(out, tenths(v));
}

/// `v` rounded to one decimal, as a string.
pub(crate) fn num(v: f64) -> String {
    let mut s = String::new();
    write_num(&mut s, v);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_specials() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    }

    #[test]
    fn drops_forbidden_characters() {
        assert_eq!(escape("a\u{0}b\u{1b}c\td\u{FFFE}"), "abc\td");
    }

    #[test]
    fn css_keeps_child_combinator() {
        let mut s = String::new();
        escape_css_into(&mut s, "a > b { x: 1 } </style><script>");
        assert_eq!(s, "a > b { x: 1 } &lt;/style>&lt;script>");
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-0.05), "-0.1");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(-12.34), "-12.3");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(
            num(f64::INFINITY),
            format!("{}.{}", i64::MAX / 10, i64::MAX % 10)
        );
    }
}
