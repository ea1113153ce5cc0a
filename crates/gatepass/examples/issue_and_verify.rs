//! Issue a pass, verify it offline, rotate keys, revoke, and write the QR code.
//!
//! `cargo run -p gatepass --example issue_and_verify [OUT.svg]`

use gatepass::{qr_svg, verify, Claims, Issuer, PassError, PublicKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let old = Issuer::generate();
    let issuer = Issuer::generate();
    println!("issuer key id: {}", issuer.public_key().kid());
    println!("public key:    {}", issuer.public_key().to_hex());

    let now = 1_795_417_200; // 2026-11-23T07:00:00Z
    let claims = Claims {
        pass_id: "0192d8a4-6f1e-7c3a-9b2d-4e5f60718293".into(),
        declaration: "DEC-2026-000123".into(),
        gate: "vn-moc-bai".into(),
        plate: "51C-123.45".into(),
        driver_doc: "B1234567".into(),
        slot_start: now + 3_600,
        slot_end: now + 7_200,
        issued_at: now,
        expires_at: now + 10_800,
        lane: "green".into(),
    };
    let token = issuer.issue(&claims)?;
    println!("token ({} bytes): {token}", token.len());

    // The gate accepts the current key and, during rotation, the old one.
    let keys = [
        PublicKey::from_hex(&issuer.public_key().to_hex())?,
        old.public_key(),
    ];
    let checked = verify(&token, &keys, now + 3_700, |_| false)?;
    println!("valid pass for {} at {}", checked.plate, checked.gate);

    // One character changed inside the payload (which starts at byte 21).
    let mut tampered = token.clone().into_bytes();
    tampered[30] = if tampered[30] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered)?;

    let checks: [(&str, Result<Claims, PassError>); 4] = [
        ("later", verify(&token, &keys, now + 20_000, |_| false)),
        (
            "revoked",
            verify(&token, &keys, now, |id| id == claims.pass_id),
        ),
        ("old key only", verify(&token, &keys[1..], now, |_| false)),
        ("tampered", verify(&tampered, &keys, now, |_| false)),
    ];
    for (what, result) in checks {
        match result {
            Ok(_) => println!("{what}: accepted"),
            Err(e) => println!("{what}: {e}"),
        }
    }

    let svg = qr_svg(&token)?;
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "gatepass.svg".into());
    std::fs::write(&out, &svg)?;
    println!("QR code written to {out} ({} bytes of SVG)", svg.len());
    Ok(())
}
