//! Folding names for search and ids: Vietnamese (and any Latin) diacritics removed,
//! `Đ`/`đ` mapped to `d` explicitly (Unicode does not decompose it), lower case.

/// Removes diacritics and lower-cases: `"Mộc Bài"` → `"moc bai"`, `"Đồng Tháp"` →
/// `"dong thap"`. Characters outside Latin (Khmer, Chinese) are kept lower-cased.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match base_letter(c) {
            Some(b) => out.push(b),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A URL-safe id fragment: folded, with every run of other characters turned into one
/// `-`. `"Hà Tiên (Xà Xía)"` → `"ha-tien-xa-xia"`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in fold(s).chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// The unaccented lower-case ASCII letter of a Latin letter with diacritics, for the
/// letters Vietnamese uses and the common Western European ones.
fn base_letter(c: char) -> Option<char> {
    const GROUPS: &[(char, &str)] = &[
        ('a', "aàáảãạăằắẳẵặâầấẩẫậäåāAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÄÅĀ"),
        ('e', "eèéẻẽẹêềếểễệëēEÈÉẺẼẸÊỀẾỂỄỆËĒ"),
        ('i', "iìíỉĩịïîīIÌÍỈĨỊÏÎĪ"),
        ('o', "oòóỏõọôồốổỗộơờớởỡợöøōOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÖØŌ"),
        ('u', "uùúủũụưừứửữựüûūUÙÚỦŨỤƯỪỨỬỮỰÜÛŪ"),
        ('y', "yỳýỷỹỵÿYỲÝỶỸỴŸ"),
        ('d', "dđDĐÐ"),
        ('c', "cçCÇ"),
        ('n', "nñNÑ"),
    ];
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    GROUPS.iter().find(|(_, set)| set.contains(c)).map(|(b, _)| *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_fold_to_plain_ascii() {
        assert_eq!(fold("Mộc Bài"), "moc bai");
        assert_eq!(fold("ĐẮK NÔNG"), "dak nong");
        assert_eq!(fold("Thừa Thiên Huế"), "thua thien hue");
        assert_eq!(fold("Ch'Ơm"), "ch'om");
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slug("Hà Tiên (Xà Xía)"), "ha-tien-xa-xia");
        assert_eq!(slug("  Nậm Cắn "), "nam-can");
        assert_eq!(slug("Hữu Nghị Quan (Youyiguan), Bằng Tường (Pingxiang)"), "huu-nghi-quan-youyiguan-bang-tuong-pingxiang");
    }

    proptest::proptest! {
        #[test]
        fn slug_never_panics_and_is_ascii(s in ".*") {
            let out = slug(&s);
            proptest::prop_assert!(out.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            proptest::prop_assert!(!out.starts_with('-') && !out.ends_with('-'));
        }
    }
}
