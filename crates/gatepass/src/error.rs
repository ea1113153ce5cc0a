use crate::rfc3339;

/// Why a pass could not be issued, verified or drawn.
///
/// Every `Display` text is one line. Times are shown as RFC 3339 UTC.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PassError {
    /// The token is not of the form `GP1.<kid>.<payload>.<sig>`, or one of
    /// its parts is not valid hex/base64url/JSON claims.
    #[error("malformed pass: {0}")]
    Malformed(String),
    /// No accepted key has this key id: the pass comes from another node, or
    /// from a key that has been retired.
    #[error("pass signed by unknown key {kid}")]
    UnknownKey {
        /// The key id the token names.
        kid: String,
    },
    /// The signature does not match the bytes received under any accepted key
    /// with this key id: the pass was altered or forged.
    #[error("pass signature is invalid")]
    BadSignature,
    /// `now` is at or after the pass's `expires_at`.
    #[error("pass expired at {}", rfc3339::format(*.expired_at))]
    Expired {
        /// The pass's `expires_at`, unix seconds.
        expired_at: i64,
    },
    /// `now` is more than [`crate::CLOCK_SKEW_SECS`] before the pass's `issued_at`.
    #[error("pass not valid yet: issued at {}", rfc3339::format(*.issued_at))]
    NotYetValid {
        /// The pass's `issued_at`, unix seconds.
        issued_at: i64,
    },
    /// The pass id is on the revocation list.
    #[error("pass {pass_id} has been revoked")]
    Revoked {
        /// The revoked pass's id.
        pass_id: String,
    },
    /// The claims break a rule (empty id, bad lane, end before start, …).
    #[error("invalid pass claims: {0}")]
    InvalidClaims(String),
    /// A key in hex form is not a valid ed25519 key.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// The QR code could not be made (the data is too long for any QR version).
    #[error("cannot draw QR code: {0}")]
    Qr(String),
}
