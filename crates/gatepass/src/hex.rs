//! Lowercase hex, by hand.

pub(crate) fn encode(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(data.len() * 2);
    for &b in data {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Decodes exactly 32 bytes from 64 hex digits (either case).
pub(crate) fn decode_32(s: &str) -> Option<[u8; 32]> {
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(s.chunks(2)) {
        let hi = char::from(pair[0]).to_digit(16)?;
        let lo = char::from(pair[1]).to_digit(16)?;
        *byte = (hi << 4 | lo) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_accepts_upper_case() {
        let bytes: [u8; 32] = core::array::from_fn(|i| (i * 37) as u8);
        let text = encode(&bytes);
        assert_eq!(text.len(), 64);
        assert_eq!(text, text.to_lowercase());
        assert_eq!(decode_32(&text), Some(bytes));
        assert_eq!(decode_32(&text.to_uppercase()), Some(bytes));
    }

    #[test]
    fn wrong_length_or_non_hex_is_rejected() {
        assert_eq!(decode_32(""), None);
        assert_eq!(decode_32(&"a".repeat(63)), None);
        assert_eq!(decode_32(&"a".repeat(65)), None);
        assert_eq!(decode_32(&"g".repeat(64)), None);
        assert_eq!(decode_32(&"+1".repeat(32)), None);
    }
}
