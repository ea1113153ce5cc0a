#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod b64;
mod error;
mod hex;
mod rfc3339;

use core::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use error::PassError;

/// The token prefix; it names the format version.
pub const PREFIX: &str = "GP1";

/// Seconds a verifier's clock may be behind the issuer's: a pass is
/// [`PassError::NotYetValid`] only when `now < issued_at - CLOCK_SKEW_SECS`.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// Longest token, in bytes, that [`Issuer::issue`] produces and [`verify`]
/// looks at. Longer input is [`PassError::Malformed`] without further work.
/// Every token up to this length fits in a QR code at level M.
pub const MAX_TOKEN_LEN: usize = 2048;

/// Lanes a pass may name.
pub const LANES: [&str; 3] = ["green", "yellow", "red"];

/// What a pass says.
///
/// The payload of a token is this struct as compact JSON, fields in the
/// order below. Unknown fields are refused when verifying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The pass's own id, e.g. a UUID; what a revocation list names.
    pub pass_id: String,
    /// Customs declaration id.
    pub declaration: String,
    /// Gate id, e.g. `vn-moc-bai`.
    pub gate: String,
    /// Vehicle plate.
    pub plate: String,
    /// Driver's document number.
    pub driver_doc: String,
    /// Start of the booked slot, unix seconds UTC.
    pub slot_start: i64,
    /// End of the booked slot, unix seconds UTC; after `slot_start`.
    pub slot_end: i64,
    /// When the pass was issued, unix seconds UTC.
    pub issued_at: i64,
    /// First instant the pass is no longer valid, unix seconds UTC; after
    /// `issued_at`.
    pub expires_at: i64,
    /// Inspection lane: `green`, `yellow` or `red`.
    pub lane: String,
}

impl Claims {
    /// Checks the rules [`Issuer::issue`] and [`verify`] enforce: every id
    /// non-blank and free of control characters, `lane` one of [`LANES`],
    /// `slot_end > slot_start`, `expires_at > issued_at`.
    pub fn validate(&self) -> Result<(), PassError> {
        let texts = [
            ("pass_id", &self.pass_id),
            ("declaration", &self.declaration),
            ("gate", &self.gate),
            ("plate", &self.plate),
            ("driver_doc", &self.driver_doc),
            ("lane", &self.lane),
        ];
        for (name, value) in texts {
            if value.trim().is_empty() {
                return Err(PassError::InvalidClaims(format!("{name} is empty")));
            }
            if value.chars().any(char::is_control) {
                return Err(PassError::InvalidClaims(format!(
                    "{name} contains a control character"
                )));
            }
        }
        if !LANES.contains(&self.lane.as_str()) {
            return Err(PassError::InvalidClaims(
                "lane must be green, yellow or red".into(),
            ));
        }
        if self.slot_end <= self.slot_start {
            return Err(PassError::InvalidClaims(
                "slot_end must be after slot_start".into(),
            ));
        }
        if self.expires_at <= self.issued_at {
            return Err(PassError::InvalidClaims(
                "expires_at must be after issued_at".into(),
            ));
        }
        Ok(())
    }
}

/// A node's signing key. Issues passes.
///
/// Its `Debug` output shows only the key id, never the secret.
pub struct Issuer {
    key: SigningKey,
}

impl Issuer {
    /// A new key from the operating system's random number generator.
    ///
    /// # Panics
    ///
    /// If the operating system cannot provide random bytes.
    pub fn generate() -> Issuer {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("operating system random number generator failed");
        let issuer = Issuer {
            key: SigningKey::from_bytes(&seed),
        };
        seed.fill(0);
        issuer
    }

    /// The key from its 32-byte seed as 64 hex digits (as written by
    /// [`Issuer::secret_hex`]; either case).
    pub fn from_secret_hex(hex: &str) -> Result<Issuer, PassError> {
        let mut seed = hex::decode_32(hex.trim())
            .ok_or_else(|| PassError::InvalidKey("a secret key is 64 hex digits".into()))?;
        let issuer = Issuer {
            key: SigningKey::from_bytes(&seed),
        };
        seed.fill(0);
        Ok(issuer)
    }

    /// The 32-byte seed as 64 lowercase hex digits, to store the key.
    ///
    /// **Keep it secret**: anyone who has it can issue passes every verifier
    /// holding this node's public key will accept.
    pub fn secret_hex(&self) -> String {
        hex::encode(self.key.as_bytes())
    }

    /// The public key to hand to verifiers.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: self.key.verifying_key(),
        }
    }

    /// Signs `claims` into a token `GP1.<kid>.<payload>.<sig>`.
    ///
    /// Fails with [`PassError::InvalidClaims`] when [`Claims::validate`]
    /// does, or when the token would exceed [`MAX_TOKEN_LEN`].
    pub fn issue(&self, claims: &Claims) -> Result<String, PassError> {
        claims.validate()?;
        let json = serde_json::to_vec(claims)
            .map_err(|e| PassError::InvalidClaims(format!("cannot encode claims: {e}")))?;
        let mut token = format!(
            "{PREFIX}.{}.{}",
            self.public_key().kid(),
            b64::encode(&json)
        );
        let signature = self.key.sign(token.as_bytes());
        token.push('.');
        token.push_str(&b64::encode(&signature.to_bytes()));
        if token.len() > MAX_TOKEN_LEN {
            return Err(PassError::InvalidClaims(format!(
                "the pass would be {} bytes, over the {MAX_TOKEN_LEN}-byte limit",
                token.len()
            )));
        }
        Ok(token)
    }
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("kid", &self.public_key().kid())
            .finish_non_exhaustive()
    }
}

/// A node's public (verifying) key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    /// The key from 64 hex digits (either case), as written by
    /// [`PublicKey::to_hex`]. Refuses points that are not on the curve and
    /// weak (small-order) keys.
    pub fn from_hex(hex: &str) -> Result<PublicKey, PassError> {
        let bytes = hex::decode_32(hex.trim())
            .ok_or_else(|| PassError::InvalidKey("a public key is 64 hex digits".into()))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| PassError::InvalidKey("not an ed25519 public key".into()))?;
        if key.is_weak() {
            return Err(PassError::InvalidKey(
                "weak (small-order) public key".into(),
            ));
        }
        Ok(PublicKey { key })
    }

    /// The 32-byte key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.key.as_bytes())
    }

    /// The key id: the first 8 bytes of SHA-256 of the 32-byte key, as 16
    /// lowercase hex digits.
    pub fn kid(&self) -> String {
        let digest = Sha256::digest(self.key.as_bytes());
        hex::encode(&digest[..8])
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kid", &self.kid())
            .field("hex", &self.to_hex())
            .finish()
    }
}

fn malformed(why: &str) -> PassError {
    PassError::Malformed(why.into())
}

/// Verifies a token offline and returns its claims.
///
/// - `keys`: every key the node has used and still accepts (on rotation keep
///   the old key here for a grace period, then drop it).
/// - `now`: the current time, unix seconds UTC.
/// - `is_revoked`: the revocation list, asked with the pass id.
///
/// Steps, in order, each failing with the error named:
/// 1. shape: at most [`MAX_TOKEN_LEN`] bytes, four `.`-separated parts,
///    prefix `GP1`, a 16-digit lowercase hex kid, base64url payload and a
///    64-byte base64url signature ([`PassError::Malformed`]);
/// 2. a key in `keys` with that kid ([`PassError::UnknownKey`]);
/// 3. the ed25519 signature (strict verification) over the received bytes
///    `GP1.<kid>.<payload>`, checked **before** the payload is decoded
///    ([`PassError::BadSignature`]);
/// 4. the payload decodes to [`Claims`] ([`PassError::Malformed`]) that pass
///    [`Claims::validate`] ([`PassError::InvalidClaims`]);
/// 5. `is_revoked(pass_id)` ([`PassError::Revoked`]);
/// 6. `now >= expires_at` ([`PassError::Expired`]);
/// 7. `now < issued_at - CLOCK_SKEW_SECS` ([`PassError::NotYetValid`]).
///
/// Never panics, whatever the input.
pub fn verify(
    token: &str,
    keys: &[PublicKey],
    now: i64,
    is_revoked: impl Fn(&str) -> bool,
) -> Result<Claims, PassError> {
    if token.is_empty() {
        return Err(malformed("empty token"));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed("token too long"));
    }
    let mut parts = token.split('.');
    let (Some(prefix), Some(kid), Some(payload), Some(sig), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed("expected 4 parts separated by '.'"));
    };
    if prefix != PREFIX {
        return Err(malformed("unknown prefix, expected GP1"));
    }
    if kid.len() != 16 || !kid.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(malformed("key id is not 16 lowercase hex digits"));
    }
    if !b64::looks_valid(payload) {
        return Err(malformed("payload is not base64url"));
    }
    let sig: [u8; 64] = b64::decode(sig)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| malformed("signature is not 64 bytes of base64url"))?;
    let signature = Signature::from_bytes(&sig);

    // The signed bytes are exactly what was received, up to the last '.'.
    let signed = &token.as_bytes()[..PREFIX.len() + 1 + kid.len() + 1 + payload.len()];
    let mut candidates = keys.iter().filter(|k| k.kid() == kid).peekable();
    if candidates.peek().is_none() {
        return Err(PassError::UnknownKey { kid: kid.into() });
    }
    if !candidates.any(|k| k.key.verify_strict(signed, &signature).is_ok()) {
        return Err(PassError::BadSignature);
    }

    let json = b64::decode(payload).ok_or_else(|| malformed("payload is not base64url"))?;
    let claims: Claims =
        serde_json::from_slice(&json).map_err(|_| malformed("payload is not valid claims JSON"))?;
    claims.validate()?;
    if is_revoked(&claims.pass_id) {
        return Err(PassError::Revoked {
            pass_id: claims.pass_id,
        });
    }
    if now >= claims.expires_at {
        return Err(PassError::Expired {
            expired_at: claims.expires_at,
        });
    }
    if now < claims.issued_at.saturating_sub(CLOCK_SKEW_SECS) {
        return Err(PassError::NotYetValid {
            issued_at: claims.issued_at,
        });
    }
    Ok(claims)
}

/// Draws `token` as a QR code in SVG: error-correction level M, black
/// (`#000`) modules on white (`#fff`), with the standard 4-module quiet zone,
/// at least 240×240 px. The same token always gives the same bytes.
///
/// Fails with [`PassError::Qr`] when the data does not fit in a QR code.
pub fn qr_svg(token: &str) -> Result<String, PassError> {
    let code = QrCode::with_error_correction_level(token.as_bytes(), EcLevel::M)
        .map_err(|e| PassError::Qr(e.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build())
}
