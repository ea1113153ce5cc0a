//! The node's ed25519 signing keys for passes: generated on first start, stored,
//! rotatable. Retired keys are still published (and accepted by verifiers) so passes
//! signed before a rotation stay verifiable until they expire.

use serde::Serialize;
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::db::{audit, now_text, Db, StoreError};

/// A public key as published at `/api/v1/node/keys` (what `cuakhau pass verify
/// --keys FILE` reads).
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema, FromRow, PartialEq)]
pub struct NodeKey {
    /// Key id (first 8 bytes of SHA-256 of the public key, hex).
    pub kid: String,
    /// Ed25519 public key, hex.
    pub public_hex: String,
    /// Created (UTC).
    pub created_at: String,
    /// Retired (UTC): no longer signs, still verifies.
    pub retired_at: Option<String>,
}

/// The active signing key, created on first use.
pub async fn active_issuer(db: &Db) -> Result<gatepass::Issuer, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT secret_hex FROM node_keys WHERE retired_at IS NULL ORDER BY created_at DESC")
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some((secret,)) => gatepass::Issuer::from_secret_hex(&secret).map_err(|e| StoreError::Other(format!("stored node key: {e}"))),
        None => rotate(db, "system").await,
    }
}

/// Generates a new signing key and retires the current one.
pub async fn rotate(db: &Db, actor: &str) -> Result<gatepass::Issuer, StoreError> {
    let issuer = gatepass::Issuer::generate();
    let public = issuer.public_key();
    let now = now_text();
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE node_keys SET retired_at = $1 WHERE retired_at IS NULL").bind(&now).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO node_keys (kid, public_hex, secret_hex, created_at) VALUES ($1, $2, $3, $4)")
        .bind(public.kid())
        .bind(public.to_hex())
        .bind(issuer.secret_hex())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    audit(&mut tx, actor, "node_key.rotate", &public.kid(), &serde_json::json!({})).await?;
    tx.commit().await?;
    tracing::info!(kid = %public.kid(), "new pass-signing key");
    Ok(issuer)
}

/// Every key, newest first (public parts only).
pub async fn public_keys(db: &Db) -> Result<Vec<NodeKey>, StoreError> {
    Ok(sqlx::query_as("SELECT kid, public_hex, created_at, retired_at FROM node_keys ORDER BY created_at DESC, kid")
        .fetch_all(&db.pool)
        .await?)
}

/// Ids of passes revoked and not yet expired at `now_s` (unix seconds): the list offline
/// verifiers need next to the public keys.
pub async fn revoked_passes(db: &Db, now_s: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM passes WHERE revoked_at IS NOT NULL AND expires_at > $1 ORDER BY id")
        .bind(now_s)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
