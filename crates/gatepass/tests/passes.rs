//! Behaviour of issue, verify and qr_svg through the public API.

use gatepass::{qr_svg, verify, Claims, Issuer, PassError, PublicKey, MAX_TOKEN_LEN};
use proptest::prelude::*;

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const OTHER_SEED: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
const NOW: i64 = 1_795_417_200; // 2026-11-23T07:00:00Z

fn issuer() -> Issuer {
    Issuer::from_secret_hex(SEED).unwrap()
}

fn claims() -> Claims {
    Claims {
        pass_id: "0192d8a4-6f1e-7c3a-9b2d-4e5f60718293".into(),
        declaration: "DEC-2026-000123".into(),
        gate: "vn-moc-bai".into(),
        plate: "51C-123.45".into(),
        driver_doc: "B1234567".into(),
        slot_start: NOW + 3_600,
        slot_end: NOW + 7_200,
        issued_at: NOW,
        expires_at: NOW + 10_800,
        lane: "green".into(),
    }
}

fn token() -> String {
    issuer().issue(&claims()).unwrap()
}

fn not_revoked(_: &str) -> bool {
    false
}

#[test]
fn an_issued_pass_verifies_and_returns_its_claims() {
    let keys = [issuer().public_key()];
    assert_eq!(verify(&token(), &keys, NOW + 60, not_revoked), Ok(claims()));
}

#[test]
fn a_generated_issuer_round_trips_through_its_secret_hex() {
    let a = Issuer::generate();
    let b = Issuer::from_secret_hex(&a.secret_hex()).unwrap();
    assert_eq!(a.public_key(), b.public_key());
    assert_ne!(a.public_key(), Issuer::generate().public_key());
    let token = a.issue(&claims()).unwrap();
    assert_eq!(
        verify(&token, &[b.public_key()], NOW, not_revoked),
        Ok(claims())
    );
}

#[test]
fn the_token_has_the_documented_format() {
    let token = token();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 4);
    assert_eq!(parts[0], "GP1");
    assert_eq!(parts[1], issuer().public_key().kid());
    assert_eq!(parts[1].len(), 16);
    assert!(parts[1]
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    assert_eq!(parts[3].len(), 86, "64-byte signature, unpadded");
    assert!(!token.contains('='));
    // The payload is the compact JSON of the claims in declaration order.
    let json = serde_json::to_string(&claims()).unwrap();
    assert!(json.starts_with(r#"{"pass_id":"0192d8a4"#));
    assert!(json.ends_with(r#""lane":"green"}"#));
    assert!(!json.contains(' '));
    assert_eq!(parts[2], b64url(json.as_bytes()));
    // The signature is plain ed25519 over the bytes before the last '.'.
    let head = token.rsplit_once('.').unwrap().0;
    let expected = ed25519_dalek::Signer::sign(&signing_key(), head.as_bytes());
    assert_eq!(parts[3], b64url(&expected.to_bytes()));
}

#[test]
fn issuing_is_deterministic_for_a_key_and_claims() {
    assert_eq!(token(), token());
}

#[test]
fn known_key_vectors_give_the_expected_public_key_and_kid() {
    // RFC 8032 test 1 secret key.
    let public = issuer().public_key();
    assert_eq!(
        public.to_hex(),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(PublicKey::from_hex(&public.to_hex()).unwrap(), public);
    assert_eq!(
        PublicKey::from_hex(&public.to_hex().to_uppercase()).unwrap(),
        public
    );
    assert_eq!(issuer().secret_hex(), SEED);
    assert_eq!(public.kid().len(), 16);
    assert!(format!("{public:?}").contains(&public.kid()));
}

#[test]
fn the_issuer_debug_output_does_not_show_the_secret() {
    let shown = format!("{:?}", issuer());
    assert!(!shown.contains(SEED));
    assert!(shown.contains(&issuer().public_key().kid()));
}

#[test]
fn bad_key_hex_is_an_invalid_key() {
    for text in ["", "abc", &"z".repeat(64), &"0".repeat(66)] {
        assert!(
            matches!(Issuer::from_secret_hex(text), Err(PassError::InvalidKey(_))),
            "{text}"
        );
        assert!(
            matches!(PublicKey::from_hex(text), Err(PassError::InvalidKey(_))),
            "{text}"
        );
    }
    // The identity point is a valid encoding but a weak key.
    let identity = format!("01{}", "0".repeat(62));
    assert!(matches!(
        PublicKey::from_hex(&identity),
        Err(PassError::InvalidKey(_))
    ));
}

#[test]
fn a_pass_at_or_after_its_expiry_is_expired() {
    let keys = [issuer().public_key()];
    let expires = claims().expires_at;
    assert!(verify(&token(), &keys, expires - 1, not_revoked).is_ok());
    for now in [expires, expires + 1, i64::MAX] {
        let err = verify(&token(), &keys, now, not_revoked).unwrap_err();
        assert_eq!(
            err,
            PassError::Expired {
                expired_at: expires
            }
        );
    }
    assert_eq!(
        PassError::Expired {
            expired_at: 1_795_428_000
        }
        .to_string(),
        "pass expired at 2026-11-23T10:00:00Z"
    );
}

#[test]
fn a_pass_is_not_yet_valid_more_than_five_minutes_before_its_issue_time() {
    let keys = [issuer().public_key()];
    assert!(verify(&token(), &keys, NOW - 300, not_revoked).is_ok());
    let err = verify(&token(), &keys, NOW - 301, not_revoked).unwrap_err();
    assert_eq!(err, PassError::NotYetValid { issued_at: NOW });
    assert_eq!(
        err.to_string(),
        "pass not valid yet: issued at 2026-11-23T07:00:00Z"
    );
    assert!(verify(&token(), &keys, i64::MIN, not_revoked).is_err());
}

#[test]
fn a_revoked_pass_is_refused_with_its_id() {
    let keys = [issuer().public_key()];
    let revoked = ["someone-else".to_string(), claims().pass_id];
    let err = verify(&token(), &keys, NOW, |id| revoked.iter().any(|r| r == id)).unwrap_err();
    assert_eq!(
        err,
        PassError::Revoked {
            pass_id: claims().pass_id
        }
    );
    assert_eq!(
        err.to_string(),
        format!("pass {} has been revoked", claims().pass_id)
    );
}

#[test]
fn a_pass_from_a_rotated_key_verifies_while_the_old_key_is_kept_and_not_after() {
    let old = issuer();
    let new = Issuer::from_secret_hex(OTHER_SEED).unwrap();
    let old_token = old.issue(&claims()).unwrap();
    let new_token = new.issue(&claims()).unwrap();

    let grace = [new.public_key(), old.public_key()];
    assert_eq!(verify(&old_token, &grace, NOW, not_revoked), Ok(claims()));
    assert_eq!(verify(&new_token, &grace, NOW, not_revoked), Ok(claims()));

    let after = [new.public_key()];
    assert_eq!(verify(&new_token, &after, NOW, not_revoked), Ok(claims()));
    assert_eq!(
        verify(&old_token, &after, NOW, not_revoked),
        Err(PassError::UnknownKey {
            kid: old.public_key().kid()
        })
    );
    assert_eq!(
        verify(&old_token, &[], NOW, not_revoked)
            .unwrap_err()
            .to_string(),
        format!("pass signed by unknown key {}", old.public_key().kid())
    );
}

#[test]
fn a_pass_signed_by_another_key_under_a_forged_kid_has_a_bad_signature() {
    let trusted = issuer();
    let attacker = Issuer::from_secret_hex(OTHER_SEED).unwrap();
    let mut forged_claims = claims();
    forged_claims.lane = "green".into();
    forged_claims.plate = "29H-999.99".into();
    let attacker_token = attacker.issue(&forged_claims).unwrap();

    // Re-sign the attacker's payload under the trusted kid.
    let payload = attacker_token.split('.').nth(2).unwrap();
    let unsigned = format!("GP1.{}.{payload}", trusted.public_key().kid());
    let sig = attacker_token.rsplit('.').next().unwrap();
    let forged = format!("{unsigned}.{sig}");
    assert_eq!(
        verify(&forged, &[trusted.public_key()], NOW, not_revoked),
        Err(PassError::BadSignature)
    );

    // Also: a genuine signature by the attacker over the forged prefix.
    let genuine_over_forged = attacker.issue(&forged_claims).unwrap().replacen(
        &attacker.public_key().kid(),
        &trusted.public_key().kid(),
        1,
    );
    assert_eq!(
        verify(
            &genuine_over_forged,
            &[trusted.public_key()],
            NOW,
            not_revoked
        ),
        Err(PassError::BadSignature)
    );
}

#[test]
fn a_pass_whose_signature_is_swapped_from_another_pass_has_a_bad_signature() {
    let keys = [issuer().public_key()];
    let mut other = claims();
    other.lane = "red".into();
    let a = token();
    let b = issuer().issue(&other).unwrap();
    let spliced = format!(
        "{}.{}",
        a.rsplit_once('.').unwrap().0,
        b.rsplit_once('.').unwrap().1
    );
    assert_eq!(
        verify(&spliced, &keys, NOW, not_revoked),
        Err(PassError::BadSignature)
    );
}

#[test]
fn malformed_tokens_are_refused_as_malformed() {
    let keys = [issuer().public_key()];
    let good = token();
    let (head, sig) = good.rsplit_once('.').unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        String::new(),
        "GP1".into(),
        "hello world".into(),
        good.replacen("GP1", "GP2", 1),
        good.replacen("GP1", "gp1", 1),
        format!("X{good}"),
        head.to_string(),
        format!("{good}.extra"),
        format!("{good}."),
        format!(".{good}"),
        good.replacen('.', "..", 1),
        format!("{head}.{sig}="),
        format!("{head}.{}", &sig[..85]),
        format!("{head}.{sig}AA"),
        format!("{head}.{}+{}", &sig[..40], &sig[41..]),
        format!("GP1.{}.{}.{}", parts[1].to_uppercase(), parts[2], parts[3]),
        format!("GP1.{}.{}.{}", &parts[1][..15], parts[2], parts[3]),
        format!("GP1.{}.{}.{}", parts[1], "", parts[3]),
        format!("GP1.{}.{}!.{}", parts[1], parts[2], parts[3]),
        format!("GP1.{}.{}=.{}", parts[1], parts[2], parts[3]),
        format!("GP1.{}.{}/.{}", parts[1], parts[2], parts[3]),
        "x".repeat(MAX_TOKEN_LEN + 1),
    ];
    for case in cases {
        let result = verify(&case, &keys, NOW, not_revoked);
        assert!(
            matches!(result, Err(PassError::Malformed(_))),
            "{case:?} gave {result:?}"
        );
        let shown = result.unwrap_err().to_string();
        assert!(shown.starts_with("malformed pass: ") && !shown.contains('\n'));
    }
}

#[test]
fn issuing_rejects_claims_that_break_the_rules() {
    let issuer = issuer();
    type Breaker = fn(&mut Claims);
    let cases: [(&str, Breaker); 13] = [
        ("pass_id", |c| c.pass_id.clear()),
        ("declaration", |c| c.declaration = "  ".into()),
        ("gate", |c| c.gate.clear()),
        ("plate", |c| c.plate.clear()),
        ("driver_doc", |c| c.driver_doc.clear()),
        ("lane", |c| c.lane = "blue".into()),
        ("lane", |c| c.lane.clear()),
        ("plate", |c| c.plate = "51C\n123".into()),
        ("slot", |c| c.slot_end = c.slot_start),
        ("slot", |c| c.slot_end = c.slot_start - 1),
        ("expires", |c| c.expires_at = c.issued_at),
        ("expires", |c| c.expires_at = c.issued_at - 10),
        ("too long", |c| c.declaration = "D".repeat(MAX_TOKEN_LEN)),
    ];
    for (what, break_it) in cases {
        let mut c = claims();
        break_it(&mut c);
        let result = issuer.issue(&c);
        assert!(
            matches!(result, Err(PassError::InvalidClaims(_))),
            "{what}: {result:?}"
        );
    }
}

#[test]
fn a_validly_signed_payload_with_unknown_fields_is_malformed() {
    // Sign a payload by hand: only the key holder could do this.
    let json = r#"{"pass_id":"p","declaration":"d","gate":"g","plate":"x","driver_doc":"y","slot_start":1,"slot_end":2,"issued_at":1,"expires_at":9999999999,"lane":"green","admin":true}"#;
    let token = sign_raw(json);
    let result = verify(&token, &[issuer().public_key()], NOW, not_revoked);
    assert!(matches!(result, Err(PassError::Malformed(_))), "{result:?}");

    let bad_rules = r#"{"pass_id":"p","declaration":"d","gate":"g","plate":"x","driver_doc":"y","slot_start":2,"slot_end":1,"issued_at":1,"expires_at":9999999999,"lane":"green"}"#;
    let result = verify(
        &sign_raw(bad_rules),
        &[issuer().public_key()],
        NOW,
        not_revoked,
    );
    assert!(
        matches!(result, Err(PassError::InvalidClaims(_))),
        "{result:?}"
    );
}

fn signing_key() -> ed25519_dalek::SigningKey {
    let seed: [u8; 32] =
        core::array::from_fn(|i| u8::from_str_radix(&SEED[2 * i..2 * i + 2], 16).unwrap());
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

/// Builds a token around arbitrary JSON, following the documented format
/// with ed25519-dalek directly (`Issuer::issue` never signs invalid claims).
fn sign_raw(json: &str) -> String {
    use ed25519_dalek::Signer;
    let key = signing_key();
    let head = format!(
        "GP1.{}.{}",
        issuer().public_key().kid(),
        b64url(json.as_bytes())
    );
    let sig = key.sign(head.as_bytes()).to_bytes();
    format!("{head}.{}", b64url(&sig))
}

/// base64url without padding, written independently of the crate's own.
fn b64url(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = String::new();
    for &b in data {
        bits = bits << 8 | u32::from(b);
        n += 8;
        while n >= 6 {
            n -= 6;
            out.push(char::from(A[(bits >> n) as usize & 63]));
        }
    }
    if n > 0 {
        out.push(char::from(A[(bits << (6 - n)) as usize & 63]));
    }
    out
}

#[test]
fn the_qr_svg_is_an_svg_and_deterministic() {
    let token = token();
    let a = qr_svg(&token).unwrap();
    let b = qr_svg(&token).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("<svg"));
    assert!(a.contains(r##"fill="#000""##));
    assert!(a.contains(r##"fill="#fff""##));
    let width: u32 = a
        .split("width=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(width >= 240, "width {width}");
    assert_ne!(
        a,
        qr_svg(
            &issuer()
                .issue(&Claims {
                    lane: "red".into(),
                    ..claims()
                })
                .unwrap()
        )
        .unwrap()
    );
}

#[test]
fn a_token_too_long_for_any_qr_code_is_a_qr_error() {
    let result = qr_svg(&"x".repeat(4000));
    assert!(matches!(result, Err(PassError::Qr(_))), "{result:?}");
}

#[test]
fn the_largest_token_the_issuer_allows_still_fits_in_a_qr_code() {
    let mut c = claims();
    let mut best = None;
    for len in (1..MAX_TOKEN_LEN).rev().step_by(7) {
        c.declaration = "D".repeat(len);
        if let Ok(token) = issuer().issue(&c) {
            best = Some(token);
            break;
        }
    }
    let token = best.unwrap();
    assert!(token.len() > MAX_TOKEN_LEN - 12);
    assert!(qr_svg(&token).is_ok());
}

fn accepted_failure(result: &Result<Claims, PassError>) -> bool {
    matches!(
        result,
        Err(PassError::BadSignature | PassError::UnknownKey { .. } | PassError::Malformed(_))
    )
}

#[test]
fn changing_the_character_at_every_position_is_never_accepted() {
    let token = token();
    let keys = [issuer().public_key()];
    for position in 0..token.len() {
        let mut changed = token.clone().into_bytes();
        changed[position] = if changed[position] == b'A' {
            b'B'
        } else {
            b'A'
        };
        let changed = String::from_utf8(changed).unwrap();
        let result = verify(&changed, &keys, NOW, not_revoked);
        assert!(accepted_failure(&result), "position {position}: {result:?}");
    }
}

proptest! {
    #[test]
    fn any_single_changed_character_is_never_accepted(
        position in 0usize..1000,
        replacement in prop::sample::select(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ".to_vec()
        ),
    ) {
        let token = token();
        let position = position % token.len();
        prop_assume!(token.as_bytes()[position] != replacement);
        let mut changed = token.clone().into_bytes();
        changed[position] = replacement;
        let changed = String::from_utf8(changed).unwrap();
        let result = verify(&changed, &[issuer().public_key()], NOW, not_revoked);
        prop_assert!(accepted_failure(&result), "position {}: {:?}", position, result);
    }

    #[test]
    fn verify_never_panics_on_arbitrary_strings(s in ".{0,300}") {
        let _ = verify(&s, &[issuer().public_key()], NOW, not_revoked);
    }

    #[test]
    fn verify_never_panics_on_token_shaped_strings(
        kid in prop_oneof!["[0-9a-f]{16}", Just(issuer().public_key().kid())],
        payload in "[A-Za-z0-9_-]{0,120}",
        sig in "[A-Za-z0-9_=-]{0,100}",
    ) {
        let token = format!("GP1.{kid}.{payload}.{sig}");
        let result = verify(&token, &[issuer().public_key()], NOW, not_revoked);
        prop_assert!(accepted_failure(&result), "{:?}", result);
    }
}
