//! Declaration workflows on top of storage: create (idempotent), amend (a new version),
//! submit (assess with the risk rules), cancel, read — with who may do what.
//!
//! Traders act on their own company's declarations; officers read those of their
//! gates; admins everything. Each write is one transaction with its audit entry.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};
use utoipa::ToSchema;

use super::declaration::{plate_key, DeclarationBody, DeclarationStatus};
use super::model::{Direction, Now};
use super::rules::{Assessment, AssessmentInput, LineFacts, RuleSet, TraderHistory};
use crate::auth::{Principal, Role};
use crate::db::{audit, Db, StoreError};
use crate::http::error::ApiError;

/// A declaration as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeclarationView {
    /// Id.
    pub id: String,
    /// Company that declared it.
    pub company_id: String,
    /// Gate pair.
    pub pair_id: String,
    /// This node's gate of the pair.
    pub gate_id: String,
    /// Direction.
    pub direction: Direction,
    /// Where it stands.
    pub status: DeclarationStatus,
    /// Latest version number (1 = as first declared).
    pub version: i64,
    /// Perishable (by HS code or declared).
    pub perishable: bool,
    /// The latest content.
    pub body: DeclarationBody,
    /// Lane, checks and the rules that fired, once assessed.
    pub assessment: Option<Assessment>,
    /// Every status it went through.
    pub history: Vec<StatusStep>,
    /// Created (UTC).
    pub created_at: String,
    /// Last change (UTC).
    pub updated_at: String,
}

/// One step of a declaration's life.
#[derive(Debug, Clone, Serialize, ToSchema, FromRow)]
pub struct StatusStep {
    /// Status entered.
    pub status: String,
    /// When (UTC).
    pub at: String,
    /// Who (user id or `system`).
    pub actor: String,
    /// Why, when given.
    pub note: Option<String>,
}

#[derive(FromRow)]
struct Row {
    id: String,
    company_id: String,
    pair_id: String,
    gate_id: String,
    direction: String,
    status: String,
    version: i64,
    perishable: i64,
    assessment: Option<String>,
    created_at: String,
    updated_at: String,
}

const SELECT: &str = "SELECT id, company_id, pair_id, gate_id, direction, status, version, perishable, assessment, created_at, updated_at FROM declarations";

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Who may see a declaration: its company's traders, officers of its gate, admins.
pub(crate) fn ensure_can_read(p: &Principal, company_id: &str, gate_id: &str) -> Result<(), ApiError> {
    match p.role {
        Role::Admin => Ok(()),
        Role::Trader => p.ensure_company(company_id),
        Role::Officer => p.ensure_gate(gate_id),
        Role::Viewer => Err(ApiError::Forbidden("viewers do not see declarations".into())),
    }
}

async fn load_row(conn: &mut AnyConnection, id: &str) -> Result<Row, ApiError> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?
        .ok_or(ApiError::NotFound)
}

async fn view_of(conn: &mut AnyConnection, r: Row) -> Result<DeclarationView, ApiError> {
    let (body,): (String,) = sqlx::query_as("SELECT body FROM declaration_versions WHERE declaration_id = $1 AND version = $2")
        .bind(&r.id)
        .bind(r.version)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let history: Vec<StatusStep> =
        sqlx::query_as("SELECT status, at, actor, note FROM declaration_status_history WHERE declaration_id = $1 ORDER BY seq")
            .bind(&r.id)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::from)?;
    Ok(DeclarationView {
        direction: r.direction.parse().map_err(internal)?,
        status: r.status.parse().map_err(internal)?,
        body: serde_json::from_str(&body).map_err(internal)?,
        assessment: r.assessment.as_deref().map(serde_json::from_str).transpose().map_err(internal)?,
        perishable: r.perishable != 0,
        history,
        id: r.id,
        company_id: r.company_id,
        pair_id: r.pair_id,
        gate_id: r.gate_id,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// One declaration, if the principal may see it.
pub async fn get(db: &Db, p: &Principal, id: &str) -> Result<DeclarationView, ApiError> {
    let mut conn = db.pool.acquire().await.map_err(StoreError::from)?;
    let row = load_row(&mut conn, id).await?;
    ensure_can_read(p, &row.company_id, &row.gate_id)?;
    view_of(&mut conn, row).await
}

/// Declarations the principal may see, newest first (at most `limit`).
pub async fn list(db: &Db, p: &Principal, status: Option<DeclarationStatus>, limit: i64) -> Result<Vec<DeclarationView>, ApiError> {
    let mut sql = crate::db::Sql::new(SELECT);
    sql.push(" WHERE 1=1");
    match p.role {
        Role::Admin => {}
        Role::Trader => {
            let c = sql.arg(crate::db::Arg::Text(p.company_id.clone().unwrap_or_default()));
            sql.push(&format!(" AND company_id = {c}"));
        }
        Role::Officer => {
            let gates: Vec<String> = p.gates.iter().map(|g| sql.arg(crate::db::Arg::Text(g.clone()))).collect();
            sql.push(&format!(" AND gate_id IN ({})", if gates.is_empty() { "NULL".into() } else { gates.join(", ") }));
        }
        Role::Viewer => return Err(ApiError::Forbidden("viewers do not see declarations".into())),
    }
    if let Some(s) = status {
        let a = sql.arg(crate::db::Arg::Text(s.as_str().into()));
        sql.push(&format!(" AND status = {a}"));
    }
    let l = sql.arg(crate::db::Arg::Int(limit));
    sql.push(&format!(" ORDER BY created_at DESC, id DESC LIMIT {l}"));
    let rows: Vec<Row> = sql.query_as().fetch_all(&db.pool).await.map_err(StoreError::from)?;
    let mut conn = db.pool.acquire().await.map_err(StoreError::from)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view_of(&mut conn, r).await?);
    }
    Ok(out)
}

pub(crate) async fn push_status(conn: &mut AnyConnection, id: &str, status: DeclarationStatus, actor: &str, note: Option<&str>, now: Now) -> Result<(), ApiError> {
    let (next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM declaration_status_history WHERE declaration_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let now = now.text();
    sqlx::query("INSERT INTO declaration_status_history (declaration_id, seq, status, at, actor, note) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(next)
        .bind(status.as_str())
        .bind(&now)
        .bind(actor)
        .bind(note)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    sqlx::query("UPDATE declarations SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(&now)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

/// The gate pair's own-side gate, checking the pair exists and is open.
async fn node_gate(conn: &mut AnyConnection, pair_id: &str) -> Result<String, ApiError> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT gate_a_id, status FROM gate_pairs WHERE id = $1")
        .bind(pair_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    match row {
        None => Err(ApiError::field("pair_id", format!("no gate pair {pair_id:?}"))),
        Some((_, status)) if status != "operating" && status != "upgraded" => {
            Err(ApiError::field("pair_id", format!("the gate pair is {status}, not open for traffic")))
        }
        Some((gate, _)) => Ok(gate),
    }
}

fn trader_company(p: &Principal) -> Result<String, ApiError> {
    match (&p.role, &p.company_id) {
        (Role::Trader, Some(c)) => Ok(c.clone()),
        _ => Err(ApiError::Forbidden("only a trader declares shipments, for their own company".into())),
    }
}

/// Creates a declaration (status `draft`, or assessed at once when `submit`). With an
/// idempotency key, a retry returns the first result; the same key with another body is
/// a conflict. Returns (view, created).
pub async fn create(
    db: &Db,
    rules: &RuleSet,
    p: &Principal,
    body: &DeclarationBody,
    idempotency_key: Option<&str>,
    submit: bool,
    now: Now,
) -> Result<(DeclarationView, bool), ApiError> {
    let company = trader_company(p)?;
    body.validate(now.s())?;
    let body_json = serde_json::to_string(body).map_err(internal)?;
    let mut tx = db.begin_write().await?;
    if let Some(key) = idempotency_key {
        let existing: Option<(String,)> = sqlx::query_as("SELECT id FROM declarations WHERE company_id = $1 AND idempotency_key = $2")
            .bind(&company)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        if let Some((id,)) = existing {
            let (first,): (String,) = sqlx::query_as("SELECT body FROM declaration_versions WHERE declaration_id = $1 AND version = 1")
                .bind(&id)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            if first != body_json {
                return Err(ApiError::Conflict("Idempotency-Key already used with a different declaration".into()));
            }
            let row = load_row(&mut tx, &id).await?;
            return Ok((view_of(&mut tx, row).await?, false));
        }
    }
    let gate = node_gate(&mut tx, &body.pair_id).await?;
    let id = super::model::new_id("D", now);
    let clock = now;
    let now = now.text();
    let inserted = sqlx::query(
        "INSERT INTO declarations (id, company_id, created_by, pair_id, gate_id, direction, status, version, plate, perishable, \
         idempotency_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', 1, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(&company)
    .bind(&p.user_id)
    .bind(&body.pair_id)
    .bind(&gate)
    .bind(body.direction.as_str())
    .bind(plate_key(&body.vehicle.plate))
    .bind(i64::from(body.perishable()))
    .bind(idempotency_key)
    .bind(&now)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        // Two retries racing with one key: the loser reports the winner's result.
        return match StoreError::from(e) {
            StoreError::Conflict(_) if idempotency_key.is_some() => {
                drop(tx);
                Box::pin(create(db, rules, p, body, idempotency_key, submit, clock)).await
            }
            other => Err(other.into()),
        };
    }
    sqlx::query("INSERT INTO declaration_versions (declaration_id, version, body, created_by, created_at) VALUES ($1, 1, $2, $3, $4)")
        .bind(&id)
        .bind(&body_json)
        .bind(&p.user_id)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    push_status(&mut tx, &id, DeclarationStatus::Draft, &p.user_id, None, clock).await?;
    if submit {
        assess_in(&mut tx, rules, &id, &company, body, &p.user_id, clock).await?;
    }
    audit(&mut tx, &p.user_id, "declaration.create", &id, &serde_json::json!({"pair": body.pair_id, "submit": submit})).await?;
    let row = load_row(&mut tx, &id).await?;
    let view = view_of(&mut tx, row).await?;
    tx.commit().await?;
    tracing::info!(declaration = %id, pair = %body.pair_id, "declaration created");
    Ok((view, true))
}

/// The company's record, for the risk rules.
async fn trader_history(conn: &mut AnyConnection, company: &str, except: &str) -> Result<TraderHistory, ApiError> {
    let (declarations, refusals): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'refused' THEN 1 ELSE 0 END), 0) FROM declarations \
         WHERE company_id = $1 AND id <> $2 AND status IN ('cleared', 'refused')",
    )
    .bind(company)
    .bind(except)
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    let (no_shows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM bookings WHERE company_id = $1 AND status = 'no_show'")
        .bind(company)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(TraderHistory { declarations: n(declarations), refusals: n(refusals), no_shows: n(no_shows) })
}

/// Submits and assesses: `submitted` then `assessed`, with the rules that fired.
async fn assess_in(conn: &mut AnyConnection, rules: &RuleSet, id: &str, company: &str, body: &DeclarationBody, actor: &str, now: Now) -> Result<Assessment, ApiError> {
    push_status(conn, id, DeclarationStatus::Submitted, actor, None, now).await?;
    let trader = trader_history(conn, company, id).await?;
    let lines: Vec<LineFacts> = body.lines.iter().map(|l| LineFacts { hs: l.hs.clone(), value: l.value, origin: l.origin }).collect();
    let declared_perishable = body.lines.iter().any(|l| l.perishable);
    let assessment = rules.assess(&AssessmentInput { declaration_id: id, direction: body.direction, lines: &lines, declared_perishable, trader });
    let checks: Vec<&str> = assessment.checks.iter().map(|c| c.as_str()).collect();
    sqlx::query("UPDATE declarations SET lane = $1, checks = $2, assessment = $3 WHERE id = $4")
        .bind(assessment.lane.as_str())
        .bind(checks.join(","))
        .bind(serde_json::to_string(&assessment).map_err(internal)?)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let note = format!("lane {}; rules {}", assessment.lane, rules.version());
    push_status(conn, id, DeclarationStatus::Assessed, "system", Some(&note), now).await?;
    Ok(assessment)
}

/// Submits a draft (or re-submits after an amendment): assesses it.
pub async fn submit(db: &Db, rules: &RuleSet, p: &Principal, id: &str, now: Now) -> Result<DeclarationView, ApiError> {
    let company = trader_company(p)?;
    let mut tx = db.begin_write().await?;
    let row = load_row(&mut tx, id).await?;
    p.ensure_company(&row.company_id)?;
    let status: DeclarationStatus = row.status.parse().map_err(internal)?;
    if status != DeclarationStatus::Draft {
        return Err(ApiError::Conflict(format!("the declaration is {status}; only a draft is submitted")));
    }
    let view = view_of(&mut tx, row).await?;
    assess_in(&mut tx, rules, id, &company, &view.body, &p.user_id, now).await?;
    audit(&mut tx, &p.user_id, "declaration.submit", id, &serde_json::json!({})).await?;
    let row = load_row(&mut tx, id).await?;
    let view = view_of(&mut tx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Amends a declaration before arrival: a new version; a submitted one is re-assessed.
/// A booked declaration keeps its booking only if plate and driver stay the same (a slot
/// is bound to them and cannot be transferred).
pub async fn amend(db: &Db, rules: &RuleSet, p: &Principal, id: &str, body: &DeclarationBody, now: Now) -> Result<DeclarationView, ApiError> {
    let company = trader_company(p)?;
    body.validate(now.s())?;
    let clock = now;
    let mut tx = db.begin_write().await?;
    let row = load_row(&mut tx, id).await?;
    p.ensure_company(&row.company_id)?;
    let status: DeclarationStatus = row.status.parse().map_err(internal)?;
    if !status.before_arrival() {
        return Err(ApiError::Conflict(format!("the declaration is {status}; it can no longer be amended")));
    }
    let current = view_of(&mut tx, row).await?;
    if body.pair_id != current.body.pair_id {
        return Err(ApiError::field("pair_id", "cannot change; cancel and declare again"));
    }
    if status == DeclarationStatus::Booked {
        if plate_key(&body.vehicle.plate) != plate_key(&current.body.vehicle.plate) {
            return Err(ApiError::field("vehicle.plate", "the booked slot is bound to the plate and cannot be transferred"));
        }
        if plate_key(&body.driver.document_number) != plate_key(&current.body.driver.document_number) {
            return Err(ApiError::field("driver.document_number", "the booked slot is bound to the driver and cannot be transferred"));
        }
    }
    let version = current.version + 1;
    let now = clock.text();
    sqlx::query("INSERT INTO declaration_versions (declaration_id, version, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(version)
        .bind(serde_json::to_string(body).map_err(internal)?)
        .bind(&p.user_id)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    sqlx::query("UPDATE declarations SET version = $1, plate = $2, perishable = $3, direction = $4, updated_at = $5 WHERE id = $6")
        .bind(version)
        .bind(plate_key(&body.vehicle.plate))
        .bind(i64::from(body.perishable()))
        .bind(body.direction.as_str())
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if status != DeclarationStatus::Draft {
        assess_in(&mut tx, rules, id, &company, body, &p.user_id, clock).await?;
        if status == DeclarationStatus::Booked {
            push_status(&mut tx, id, DeclarationStatus::Booked, "system", Some("booking kept after amendment"), clock).await?;
        }
    }
    audit(&mut tx, &p.user_id, "declaration.amend", id, &serde_json::json!({"version": version})).await?;
    let row = load_row(&mut tx, id).await?;
    let view = view_of(&mut tx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Cancels a declaration before arrival.
pub async fn cancel(db: &Db, p: &Principal, id: &str, now: Now) -> Result<DeclarationView, ApiError> {
    trader_company(p)?;
    let mut tx = db.begin_write().await?;
    let row = load_row(&mut tx, id).await?;
    p.ensure_company(&row.company_id)?;
    let status: DeclarationStatus = row.status.parse().map_err(internal)?;
    if !status.before_arrival() {
        return Err(ApiError::Conflict(format!("the declaration is {status}; it can no longer be cancelled")));
    }
    super::booking::release_for(&mut tx, id, "released", "declaration cancelled", now).await?;
    push_status(&mut tx, id, DeclarationStatus::Cancelled, &p.user_id, None, now).await?;
    audit(&mut tx, &p.user_id, "declaration.cancel", id, &serde_json::json!({})).await?;
    let row = load_row(&mut tx, id).await?;
    let view = view_of(&mut tx, row).await?;
    tx.commit().await?;
    Ok(view)
}
