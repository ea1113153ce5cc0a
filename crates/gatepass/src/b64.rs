//! Base64url (RFC 4648 §5) without padding, strict on input.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes `data` as base64url without `=` padding.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = byte(0) << 16 | byte(1) << 8 | byte(2);
        // 1 input byte -> 2 chars, 2 -> 3, 3 -> 4.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes unpadded base64url. Returns `None` for any character outside the
/// alphabet (including `=`), an impossible length, or non-zero unused bits in
/// the last character, so every byte string has exactly one accepted encoding.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let len = chunk.len() - 1;
        if len < 3 && n & ((1 << (24 - 8 * len)) - 1) != 0 {
            return None;
        }
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..len]);
    }
    Some(out)
}

/// True when `s` is non-empty and could be the output of [`encode`]
/// (alphabet and length only; trailing bits are checked by [`decode`]).
pub(crate) fn looks_valid(s: &str) -> bool {
    !s.is_empty() && s.len() % 4 != 1 && s.bytes().all(|c| value(c).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc_4648_vectors_encode_without_padding() {
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn the_url_safe_alphabet_is_used() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn padding_standard_alphabet_and_bad_lengths_are_rejected() {
        assert_eq!(decode("Zg=="), None);
        assert_eq!(decode("+/8"), None);
        assert_eq!(decode("Z"), None);
        assert_eq!(decode("Zm9vY"), None);
        assert_eq!(decode("Zm 9v"), None);
    }

    #[test]
    fn non_zero_unused_bits_are_rejected() {
        // "Zg" is the canonical encoding of "f"; "Zh" decodes to the same
        // byte with a stray bit set.
        assert_eq!(decode("Zh"), None);
        assert_eq!(decode("Zm9"), None);
        assert_eq!(decode("Zm8"), Some(b"fo".to_vec()));
    }

    proptest! {
        #[test]
        fn any_bytes_round_trip_through_base64url(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let encoded = encode(&data);
            prop_assert!(!encoded.contains('='));
            prop_assert_eq!(encoded.len(), (data.len() * 4).div_ceil(3));
            prop_assert_eq!(decode(&encoded), Some(data));
        }

        #[test]
        fn decoding_any_string_never_panics_and_re_encodes_canonically(s in ".{0,64}") {
            if let Some(bytes) = decode(&s) {
                prop_assert_eq!(encode(&bytes), s);
            }
        }
    }
}
