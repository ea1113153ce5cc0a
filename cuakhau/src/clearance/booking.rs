//! Slot booking and passes.
//!
//! A gate's day is cut into slots (30 minutes by default) per direction and lane kind,
//! each with a capacity and places reserved for perishables. A booking binds a slot to a
//! declaration, a plate and a driver's document: it cannot be transferred (the pass
//! carries all three and the gate checks them). A booking may be moved a limited number
//! of times; companies are rate-limited; a no-show releases the slot and counts against
//! the company.
//!
//! No overbooking under concurrency: a place is taken by one conditional `UPDATE`
//! (`… WHERE booked_total < capacity`) whose row count says whether it succeeded, in the
//! transaction that records the booking — on SQLite (one writer) and PostgreSQL (row
//! lock) alike.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, FromRow};
use utoipa::ToSchema;

use super::declaration::{DeclarationBody, DeclarationStatus};
use crate::auth::{Principal, Role};
use crate::config::ClearanceConfig;
use super::model::Now;
use crate::db::{audit, Db, StoreError};
use crate::http::error::ApiError;

/// A booking as the API shows it, with its pass.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingView {
    /// Booking id.
    pub id: String,
    /// Declaration.
    pub declaration_id: String,
    /// Gate.
    pub gate_id: String,
    /// Slot start (unix seconds UTC).
    pub slot_start: i64,
    /// Slot end (unix seconds UTC).
    pub slot_end: i64,
    /// Plate the slot is bound to.
    pub plate: String,
    /// Driver document the slot is bound to.
    pub driver_doc: String,
    /// `active`, `released`, `no_show`, `arrived`.
    pub status: String,
    /// Times moved so far.
    pub moves: i64,
    /// The current pass.
    pub pass: Option<PassView>,
}

/// A signed pass.
#[derive(Debug, Clone, Serialize, ToSchema, FromRow)]
pub struct PassView {
    /// Pass id.
    pub id: String,
    /// The signed token (what the QR code holds).
    pub token: String,
    /// Signing key id.
    pub kid: String,
    /// Valid until (unix seconds UTC).
    pub expires_at: i64,
}

/// `POST /api/v1/declarations/{id}/booking` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    /// Slot start, RFC 3339 (on a slot boundary, e.g. `2026-11-24T08:30:00+07:00`).
    pub slot_start: String,
}

/// A slot with what is left of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotView {
    /// Start (unix seconds UTC).
    pub start: i64,
    /// End.
    pub end: i64,
    /// Start as RFC 3339 in the gate's zone.
    pub start_local: String,
    /// Places in all.
    pub capacity: i64,
    /// Places left for any vehicle.
    pub free_general: i64,
    /// Places left for perishables (general places included).
    pub free_perishable: i64,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

fn parse_slot_start(cfg: &ClearanceConfig, text: &str, now_s: i64) -> Result<i64, ApiError> {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| ApiError::field("slot_start", "must be an RFC 3339 time, e.g. 2026-11-24T08:30:00+07:00"))?
        .unix_timestamp();
    if t % cfg.slot_minutes_secs() != 0 {
        return Err(ApiError::field("slot_start", format!("must start on a {}-minute boundary", cfg.slot_minutes)));
    }
    if t + cfg.slot_minutes_secs() <= now_s {
        return Err(ApiError::field("slot_start", "the slot is over"));
    }
    if t > now_s + 60 * 86_400 {
        return Err(ApiError::field("slot_start", "more than 60 days ahead"));
    }
    Ok(t)
}

fn slot_id(gate: &str, direction: &str, start: i64) -> String {
    format!("{gate}|{direction}|truck|{start}")
}

/// Creates the slot row if missing (a write, so a SQLite transaction takes the write
/// lock first).
async fn ensure_slot(conn: &mut AnyConnection, cfg: &ClearanceConfig, gate: &str, direction: &str, start: i64) -> Result<String, ApiError> {
    let id = slot_id(gate, direction, start);
    sqlx::query(
        "INSERT INTO slots (id, gate_id, direction, lane_kind, start_s, end_s, capacity, reserved_perishable, booked_total, booked_general) \
         VALUES ($1, $2, $3, 'truck', $4, $5, $6, $7, 0, 0) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&id)
    .bind(gate)
    .bind(direction)
    .bind(start)
    .bind(start + cfg.slot_minutes_secs())
    .bind(cfg.slot_capacity)
    .bind(cfg.perishable_reserved)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    Ok(id)
}

/// Takes one place; false when the slot is full for this kind of goods.
async fn take_place(conn: &mut AnyConnection, slot: &str, perishable: bool) -> Result<bool, ApiError> {
    let sql = if perishable {
        "UPDATE slots SET booked_total = booked_total + 1 WHERE id = $1 AND booked_total < capacity"
    } else {
        "UPDATE slots SET booked_total = booked_total + 1, booked_general = booked_general + 1 \
         WHERE id = $1 AND booked_total < capacity AND booked_general < capacity - reserved_perishable"
    };
    let done = sqlx::query(sql).bind(slot).execute(&mut *conn).await.map_err(StoreError::from)?;
    Ok(done.rows_affected() == 1)
}

async fn release_place(conn: &mut AnyConnection, slot: &str, perishable: bool) -> Result<(), ApiError> {
    let sql = if perishable {
        "UPDATE slots SET booked_total = booked_total - 1 WHERE id = $1 AND booked_total > 0"
    } else {
        "UPDATE slots SET booked_total = booked_total - 1, booked_general = booked_general - 1 WHERE id = $1 AND booked_general > 0"
    };
    sqlx::query(sql).bind(slot).execute(&mut *conn).await.map_err(StoreError::from)?;
    Ok(())
}

#[derive(FromRow)]
struct Decl {
    company_id: String,
    gate_id: String,
    direction: String,
    status: String,
    version: i64,
    perishable: i64,
    lane: Option<String>,
}

async fn load_decl(conn: &mut AnyConnection, id: &str) -> Result<(Decl, DeclarationBody), ApiError> {
    let d: Decl = sqlx::query_as("SELECT company_id, gate_id, direction, status, version, perishable, lane FROM declarations WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?
        .ok_or(ApiError::NotFound)?;
    let (body,): (String,) = sqlx::query_as("SELECT body FROM declaration_versions WHERE declaration_id = $1 AND version = $2")
        .bind(id)
        .bind(d.version)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    Ok((d, serde_json::from_str(&body).map_err(internal)?))
}

/// What a pass is issued for.
struct PassFor<'a> {
    declaration: &'a str,
    booking: &'a str,
    gate: &'a str,
    body: &'a DeclarationBody,
    lane: &'a str,
    slot_start: i64,
}

/// Signs and stores a pass for a booking; revokes the declaration's earlier passes.
async fn issue_pass(conn: &mut AnyConnection, issuer: &gatepass::Issuer, cfg: &ClearanceConfig, f: PassFor<'_>, clock: Now) -> Result<(), ApiError> {
    let PassFor { declaration, booking, gate, body, lane, slot_start } = f;
    let now = clock.s();
    sqlx::query("UPDATE passes SET revoked_at = $1, revoked_reason = 'replaced' WHERE declaration_id = $2 AND revoked_at IS NULL")
        .bind(clock.text())
        .bind(declaration)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let claims = gatepass::Claims {
        pass_id: format!("P-{}", uuid::Uuid::now_v7().simple()),
        declaration: declaration.into(),
        gate: gate.into(),
        plate: super::declaration::plate_key(&body.vehicle.plate),
        driver_doc: super::declaration::plate_key(&body.driver.document_number),
        slot_start,
        slot_end: slot_start + cfg.slot_minutes_secs(),
        issued_at: now,
        expires_at: slot_start + cfg.slot_minutes_secs() + cfg.no_show_grace_minutes * 60,
        lane: lane.into(),
    };
    let token = issuer.issue(&claims).map_err(internal)?;
    sqlx::query("INSERT INTO passes (id, declaration_id, booking_id, token, kid, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&claims.pass_id)
        .bind(declaration)
        .bind(booking)
        .bind(&token)
        .bind(issuer.public_key().kid())
        .bind(now)
        .bind(claims.expires_at)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

async fn set_status(conn: &mut AnyConnection, id: &str, status: DeclarationStatus, actor: &str, note: &str, now: Now) -> Result<(), ApiError> {
    super::service::push_status(conn, id, status, actor, Some(note), now).await
}

fn local(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.to_offset(time::macros::offset!(+7)))
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// Free places of a gate's slots for one day (local date, UTC+7) and direction.
pub async fn slots(db: &Db, cfg: &ClearanceConfig, gate: &str, direction: &str, day_start_s: i64) -> Result<Vec<SlotView>, ApiError> {
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT start_s, capacity, reserved_perishable, booked_total, booked_general FROM slots \
         WHERE gate_id = $1 AND direction = $2 AND start_s >= $3 AND start_s < $4",
    )
    .bind(gate)
    .bind(direction)
    .bind(day_start_s)
    .bind(day_start_s + 86_400)
    .fetch_all(&db.pool)
    .await
    .map_err(StoreError::from)?;
    let step = cfg.slot_minutes_secs();
    Ok((0..86_400 / step)
        .map(|i| {
            let start = day_start_s + i * step;
            let (cap, reserved, total, general) = rows
                .iter()
                .find(|r| r.0 == start)
                .map_or((cfg.slot_capacity, cfg.perishable_reserved, 0, 0), |r| (r.1, r.2, r.3, r.4));
            SlotView {
                start,
                end: start + step,
                start_local: local(start),
                capacity: cap,
                free_general: (cap - reserved - general).min(cap - total).max(0),
                free_perishable: (cap - total).max(0),
            }
        })
        .collect())
}

/// Books a slot for an assessed declaration and issues its pass.
pub async fn book(
    db: &Db,
    cfg: &ClearanceConfig,
    issuer: &gatepass::Issuer,
    p: &Principal,
    declaration: &str,
    req: &BookRequest,
    clock: Now,
) -> Result<BookingView, ApiError> {
    if p.role != Role::Trader {
        return Err(ApiError::Forbidden("only the declaring trader books a slot".into()));
    }
    let start = parse_slot_start(cfg, &req.slot_start, clock.s())?;
    // Read outside the transaction to learn the gate; re-checked inside.
    let (d0, _) = {
        let mut conn = db.pool.acquire().await.map_err(StoreError::from)?;
        load_decl(&mut conn, declaration).await?
    };
    p.ensure_company(&d0.company_id)?;
    let mut tx = db.begin_write().await?;
    let slot = ensure_slot(&mut tx, cfg, &d0.gate_id, &d0.direction, start).await?;
    let (d, body) = load_decl(&mut tx, declaration).await?;
    if d.status != DeclarationStatus::Assessed.as_str() {
        return Err(ApiError::Conflict(format!("the declaration is {}; a slot is booked once it is assessed", d.status)));
    }
    let hour_ago = Now(clock.ms() - 3_600_000).text();
    // Bounded above too: on a simulated clock (`cuakhau demo` filling earlier days) later
    // bookings may already exist and are not "in the last hour".
    let (recent,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM bookings WHERE company_id = $1 AND created_at > $2 AND created_at <= $3")
        .bind(&d.company_id)
        .bind(&hour_ago)
        .bind(clock.text())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if recent >= cfg.company_bookings_per_hour {
        return Err(ApiError::TooManyRequests(format!("your company made {recent} bookings in the last hour (limit {})", cfg.company_bookings_per_hour)));
    }
    let perishable = d.perishable != 0;
    if !take_place(&mut tx, &slot, perishable).await? {
        return Err(ApiError::Conflict("the slot is full; choose another".into()));
    }
    let id = format!("B-{}", uuid::Uuid::now_v7().simple());
    let now_t = clock.text();
    sqlx::query(
        "INSERT INTO bookings (id, declaration_id, slot_id, company_id, plate, driver_doc, perishable, status, moves, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', 0, $8, $8)",
    )
    .bind(&id)
    .bind(declaration)
    .bind(&slot)
    .bind(&d.company_id)
    .bind(super::declaration::plate_key(&body.vehicle.plate))
    .bind(super::declaration::plate_key(&body.driver.document_number))
    .bind(d.perishable)
    .bind(&now_t)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    let lane = d.lane.clone().unwrap_or_else(|| "green".into());
    let pass_for = PassFor { declaration, booking: &id, gate: &d.gate_id, body: &body, lane: &lane, slot_start: start };
    issue_pass(&mut tx, issuer, cfg, pass_for, clock).await?;
    set_status(&mut tx, declaration, DeclarationStatus::Booked, &p.user_id, &format!("slot {}", local(start)), clock).await?;
    audit(&mut tx, &p.user_id, "booking.create", &id, &serde_json::json!({"declaration": declaration, "slot": slot})).await?;
    let view = booking_view(&mut tx, &id).await?;
    tx.commit().await?;
    Ok(view)
}

/// Moves an active booking to another slot (at most `max_moves` times); the pass is
/// re-issued and the old one revoked.
pub async fn move_booking(
    db: &Db,
    cfg: &ClearanceConfig,
    issuer: &gatepass::Issuer,
    p: &Principal,
    declaration: &str,
    req: &BookRequest,
    clock: Now,
) -> Result<BookingView, ApiError> {
    let start = parse_slot_start(cfg, &req.slot_start, clock.s())?;
    let (d0, _) = {
        let mut conn = db.pool.acquire().await.map_err(StoreError::from)?;
        load_decl(&mut conn, declaration).await?
    };
    p.ensure_company(&d0.company_id)?;
    let mut tx = db.begin_write().await?;
    let slot = ensure_slot(&mut tx, cfg, &d0.gate_id, &d0.direction, start).await?;
    let (d, body) = load_decl(&mut tx, declaration).await?;
    let current: Option<(String, String, i64)> =
        sqlx::query_as("SELECT id, slot_id, moves FROM bookings WHERE declaration_id = $1 AND status = 'active'")
            .bind(declaration)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    let Some((booking, old_slot, moves)) = current else {
        return Err(ApiError::Conflict("the declaration has no active booking to move".into()));
    };
    if moves >= cfg.max_moves {
        return Err(ApiError::Conflict(format!("a booking can be moved {} times; this one has been", cfg.max_moves)));
    }
    if old_slot == slot {
        return Err(ApiError::field("slot_start", "the booking is already in this slot"));
    }
    let perishable = d.perishable != 0;
    if !take_place(&mut tx, &slot, perishable).await? {
        return Err(ApiError::Conflict("the slot is full; choose another".into()));
    }
    release_place(&mut tx, &old_slot, perishable).await?;
    sqlx::query("UPDATE bookings SET slot_id = $1, moves = moves + 1, updated_at = $2 WHERE id = $3")
        .bind(&slot)
        .bind(clock.text())
        .bind(&booking)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let lane = d.lane.clone().unwrap_or_else(|| "green".into());
    let pass_for = PassFor { declaration, booking: &booking, gate: &d.gate_id, body: &body, lane: &lane, slot_start: start };
    issue_pass(&mut tx, issuer, cfg, pass_for, clock).await?;
    audit(&mut tx, &p.user_id, "booking.move", &booking, &serde_json::json!({"to": slot})).await?;
    let view = booking_view(&mut tx, &booking).await?;
    tx.commit().await?;
    Ok(view)
}

/// Releases the active booking of a declaration (cancel), revoking its pass.
pub(crate) async fn release_for(conn: &mut AnyConnection, declaration: &str, status: &str, reason: &str, clock: Now) -> Result<bool, ApiError> {
    let current: Option<(String, String, i64)> =
        sqlx::query_as("SELECT id, slot_id, perishable FROM bookings WHERE declaration_id = $1 AND status = 'active'")
            .bind(declaration)
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::from)?;
    let Some((booking, slot, perishable)) = current else { return Ok(false) };
    release_place(conn, &slot, perishable != 0).await?;
    let now = clock.text();
    sqlx::query("UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(&now)
        .bind(&booking)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    sqlx::query("UPDATE passes SET revoked_at = $1, revoked_reason = $2 WHERE declaration_id = $3 AND revoked_at IS NULL")
        .bind(&now)
        .bind(reason)
        .bind(declaration)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    Ok(true)
}

/// Marks bookings whose slot ended more than the grace period ago without the truck
/// arriving as no-shows: the place is released, the pass revoked, the declaration goes
/// back to `assessed` (it may book again) and the company's record counts it.
pub async fn release_no_shows(db: &Db, cfg: &ClearanceConfig, clock: Now) -> Result<usize, ApiError> {
    let cutoff = clock.s() - cfg.no_show_grace_minutes * 60;
    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT b.declaration_id FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE b.status = 'active' AND s.end_s < $1",
    )
    .bind(cutoff)
    .fetch_all(&db.pool)
    .await
    .map_err(StoreError::from)?;
    let mut n = 0;
    for (declaration,) in due {
        let mut tx = db.begin_write().await?;
        if release_for(&mut tx, &declaration, "no_show", "no-show", clock).await? {
            set_status(&mut tx, &declaration, DeclarationStatus::Assessed, "system", "no-show: slot released", clock).await?;
            audit(&mut tx, "system", "booking.no_show", &declaration, &serde_json::json!({})).await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

async fn booking_view(conn: &mut AnyConnection, booking: &str) -> Result<BookingView, ApiError> {
    let (id, declaration_id, slot_id, plate, driver_doc, status, moves): (String, String, String, String, String, String, i64) =
        sqlx::query_as("SELECT id, declaration_id, slot_id, plate, driver_doc, status, moves FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::from)?;
    let (gate_id, start, end): (String, i64, i64) = sqlx::query_as("SELECT gate_id, start_s, end_s FROM slots WHERE id = $1")
        .bind(&slot_id)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let pass: Option<PassView> = sqlx::query_as(
        "SELECT id, token, kid, expires_at FROM passes WHERE booking_id = $1 AND revoked_at IS NULL ORDER BY issued_at DESC, id DESC",
    )
    .bind(&id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    Ok(BookingView { id, declaration_id, gate_id, slot_start: start, slot_end: end, plate, driver_doc, status, moves, pass })
}

/// The latest booking of a declaration (any status), if any.
pub async fn booking_of(db: &Db, p: &Principal, declaration: &str) -> Result<Option<BookingView>, ApiError> {
    let mut conn = db.pool.acquire().await.map_err(StoreError::from)?;
    let (d, _) = load_decl(&mut conn, declaration).await?;
    super::service::ensure_can_read(p, &d.company_id, &d.gate_id)?;
    let id: Option<(String,)> = sqlx::query_as("SELECT id FROM bookings WHERE declaration_id = $1 ORDER BY created_at DESC, id DESC")
        .bind(declaration)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    match id {
        Some((id,)) => Ok(Some(booking_view(&mut conn, &id).await?)),
        None => Ok(None),
    }
}
