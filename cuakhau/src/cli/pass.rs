//! `cuakhau pass …`: verify a gate pass offline; rotate the node's signing key.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::Format;
use crate::clearance::keys::{self, NodeKey};
use crate::config::Config;

/// Pass commands.
#[derive(Debug, Subcommand)]
pub enum PassCommand {
    /// Verify a pass token offline: signature, expiry, revocation. Exit 1 when invalid.
    Verify {
        /// The token (what the QR code holds), or `-` to read it from stdin.
        token: String,
        /// Public keys as published at /api/v1/node/keys (JSON). Default: this node's database.
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
        /// Revoked pass ids as published at /api/v1/passes/revoked (JSON). Default: this node's database.
        #[arg(long, value_name = "FILE")]
        revoked: Option<PathBuf>,
        /// Verify as of this unix time instead of now.
        #[arg(long)]
        at: Option<i64>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Generate a new signing key; the old one keeps verifying the passes it signed.
    RotateKey,
    /// Print the public keys (the JSON `verify --keys` reads).
    Keys,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &PathBuf) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not the expected JSON", path.display()))
}

/// Runs a pass command.
pub async fn run(config: Config, cmd: PassCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PassCommand::Verify { token, keys: keys_file, revoked, at, format } => {
            let token = if token == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
                s.trim().to_string()
            } else {
                token
            };
            let now = at.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
            // Without files, this node's own database answers for both keys and revocations.
            let node = match (&keys_file, &revoked) {
                (Some(_), Some(_)) => None,
                _ => Some(super::open_db(&config).await?),
            };
            let published: Vec<NodeKey> = match (&keys_file, &node) {
                (Some(f), _) => read_json(f)?,
                (None, Some(db)) => keys::public_keys(db).await?,
                (None, None) => Vec::new(),
            };
            let keys: Vec<gatepass::PublicKey> = published
                .iter()
                .map(|k| gatepass::PublicKey::from_hex(&k.public_hex).map_err(|e| anyhow::anyhow!("key {}: {e}", k.kid)))
                .collect::<anyhow::Result<_>>()?;
            let revoked: Vec<String> = match (&revoked, &node) {
                (Some(f), _) => read_json(f)?,
                (None, Some(db)) => keys::revoked_passes(db, now).await?,
                (None, None) => Vec::new(),
            };
            let result = gatepass::verify(&token, &keys, now, |id| revoked.iter().any(|r| r == id));
            match (&result, format) {
                (Ok(c), Format::Json) => println!("{}", serde_json::json!({"valid": true, "claims": c})),
                (Err(e), Format::Json) => println!("{}", serde_json::json!({"valid": false, "reason": e.to_string()})),
                (Ok(c), Format::Table) => {
                    println!("valid pass {}", c.pass_id);
                    println!("  declaration {}  gate {}  lane {}", c.declaration, c.gate, c.lane);
                    println!("  plate {}  driver document {}", c.plate, c.driver_doc);
                    println!("  slot {} – {} (unix s), expires {}", c.slot_start, c.slot_end, c.expires_at);
                }
                (Err(e), Format::Table) => eprintln!("error: invalid pass: {e}"),
            }
            Ok(if result.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        PassCommand::RotateKey => {
            let db = super::open_db(&config).await?;
            let issuer = keys::rotate(&db, "cli").await?;
            println!("new signing key {}; earlier keys stay valid for verifying", issuer.public_key().kid());
            Ok(ExitCode::SUCCESS)
        }
        PassCommand::Keys => {
            let db = super::open_db(&config).await?;
            keys::active_issuer(&db).await?;
            println!("{}", serde_json::to_string_pretty(&keys::public_keys(&db).await?)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
