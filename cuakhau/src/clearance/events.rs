//! Checkpoint events: officers (or gate devices) post what happens to a vehicle at a
//! gate. Append-only; corrections are new events. Each event carries a client id: a
//! repeated id is answered with the first answer and changes nothing. The vehicle's state
//! is the fold over its events ([`super::fold`]), kept as a projection row written in the
//! same transaction as the event, together with the yard-queue entry (hash chain), the
//! declaration's status and, at exit, the clearance facts metrics are computed from.
//!
//! A batch is processed in order in one transaction; each event is accepted or rejected
//! on its own, with its reason.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, FromRow};
use utoipa::ToSchema;

use super::declaration::{plate_key, DeclarationStatus};
use super::fold::{CheckpointEvent, ClearanceState, EventKind, FinalStatus, Outcome, Phase};
use super::model::Check;
use super::queue::{entry_hash, QueueAction, SkipReason, GENESIS};
use crate::auth::{Principal, Role};
use super::model::Now;
use crate::db::{Db, StoreError};
use crate::http::error::ApiError;

/// One event as posted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    /// Client-generated id (UUID recommended): makes retries safe.
    pub id: String,
    /// Declaration the vehicle travels under.
    pub declaration: String,
    /// What happened.
    pub kind: EventKind,
    /// Result, for checks (`ok`, `hold`, `refuse`).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// When (RFC 3339); default: when received.
    #[serde(default)]
    pub at: Option<String>,
    /// `arrived_yard`: the plate read at the gate (must match the booking).
    #[serde(default)]
    pub plate: Option<String>,
    /// `arrived_yard`: the driver's document read at the gate (must match the booking).
    #[serde(default)]
    pub driver_doc: Option<String>,
    /// `called_forward` past vehicles that arrived earlier: why they are passed over.
    #[serde(default)]
    pub skip_reason: Option<SkipReason>,
}

/// A batch of events.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// 1–1000 events, processed in order.
    pub events: Vec<EventIn>,
}

/// The answer for one event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EventResult {
    /// The client's id.
    pub id: String,
    /// Whether the event was recorded (now or by an earlier request with this id).
    pub accepted: bool,
    /// True when this id was already recorded: this is the stored answer.
    #[serde(default)]
    pub duplicate: bool,
    /// HTTP-like status of this event: 201 recorded, 403 not allowed, 404 unknown vehicle,
    /// 409 conflicts with the vehicle's state, 422 invalid.
    pub status: u16,
    /// The vehicle's phase after the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// Checks still to pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outstanding: Vec<Check>,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl EventResult {
    fn rejected(id: &str, status: u16, reason: impl Into<String>) -> Self {
        EventResult { id: id.into(), accepted: false, duplicate: false, status, phase: None, outstanding: vec![], reason: Some(reason.into()) }
    }
}

#[derive(FromRow)]
struct Decl {
    gate_id: String,
    status: String,
    lane: Option<String>,
    checks: Option<String>,
    plate: String,
    direction: String,
}

fn parse_at(at: Option<&str>, now_ms: i64) -> Result<i64, String> {
    match at {
        None => Ok(now_ms),
        Some(t) => {
            let ms = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .map(|d| (d.unix_timestamp_nanos() / 1_000_000) as i64)
                .map_err(|_| format!("at: {t:?} is not an RFC 3339 time"))?;
            if ms > now_ms + 5 * 60_000 {
                return Err("at: more than 5 minutes in the future".into());
            }
            Ok(ms)
        }
    }
}

/// Records a batch of events at `gate` posted by `p`. Never fails as a whole for one bad
/// event: each gets its own result.
pub async fn record_batch(db: &Db, p: &Principal, gate: &str, batch: &EventBatch, now: Now) -> Result<Vec<EventResult>, ApiError> {
    if batch.events.is_empty() || batch.events.len() > 1000 {
        return Err(ApiError::field("events", "1 to 1000 events"));
    }
    if p.role != Role::Officer {
        return Err(ApiError::Forbidden("checkpoint events are posted by officers of the gate".into()));
    }
    p.ensure_gate(gate)?;
    let now_ms = now.ms();
    let mut tx = db.begin_write().await?;
    let mut results = Vec::with_capacity(batch.events.len());
    for e in &batch.events {
        results.push(record_one(&mut tx, p, gate, e, now_ms).await?);
    }
    tx.commit().await?;
    Ok(results)
}

async fn record_one(conn: &mut AnyConnection, p: &Principal, gate: &str, e: &EventIn, now_ms: i64) -> Result<EventResult, ApiError> {
    if e.id.trim().is_empty() || e.id.len() > 100 {
        return Ok(EventResult::rejected(&e.id, 422, "id: 1 to 100 characters"));
    }
    // A repeated id: the stored answer, nothing else.
    let stored: Option<(String, String)> = sqlx::query_as("SELECT declaration_id, result FROM checkpoint_events WHERE id = $1")
        .bind(&e.id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    if let Some((declaration, result)) = stored {
        if declaration != e.declaration {
            return Ok(EventResult::rejected(&e.id, 409, "this event id was already used for another declaration"));
        }
        let mut r: EventResult = serde_json::from_str(&result).map_err(|x| ApiError::Internal(x.to_string()))?;
        r.duplicate = true;
        return Ok(r);
    }
    if p.agency != Some(e.kind.agency()) {
        return Ok(EventResult::rejected(&e.id, 403, format!("{} is posted by {}", e.kind, e.kind.agency())));
    }
    let at_ms = match parse_at(e.at.as_deref(), now_ms) {
        Ok(t) => t,
        Err(m) => return Ok(EventResult::rejected(&e.id, 422, m)),
    };
    let decl: Option<Decl> = sqlx::query_as("SELECT gate_id, status, lane, checks, plate, direction FROM declarations WHERE id = $1")
        .bind(&e.declaration)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let Some(d) = decl.filter(|d| d.gate_id == gate) else {
        return Ok(EventResult::rejected(&e.id, 404, format!("no vehicle with declaration {:?} at this gate", e.declaration)));
    };
    let status: DeclarationStatus = d.status.parse().map_err(ApiError::Internal)?;
    if !matches!(status, DeclarationStatus::Booked | DeclarationStatus::AtGate) {
        return Ok(EventResult::rejected(&e.id, 409, format!("the declaration is {status}; events are recorded for booked vehicles")));
    }
    if e.kind == EventKind::ArrivedYard {
        if let Some(plate) = &e.plate {
            if plate_key(plate) != d.plate {
                return Ok(EventResult::rejected(&e.id, 409, "the plate does not match the booking: a slot cannot be transferred"));
            }
        }
        if let Some(doc) = &e.driver_doc {
            let (booked_doc,): (String,) = sqlx::query_as("SELECT driver_doc FROM bookings WHERE declaration_id = $1 AND status = 'active'")
                .bind(&e.declaration)
                .fetch_optional(&mut *conn)
                .await
                .map_err(StoreError::from)?
                .unwrap_or_default();
            if plate_key(doc) != booked_doc {
                return Ok(EventResult::rejected(&e.id, 409, "the driver's document does not match the booking"));
            }
        }
    }
    let lane = d.lane.clone().unwrap_or_else(|| "green".into());
    let state_row: Option<(String,)> = sqlx::query_as("SELECT state FROM vehicle_states WHERE declaration_id = $1")
        .bind(&e.declaration)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let state = match state_row {
        Some((json,)) => serde_json::from_str(&json).map_err(|x| ApiError::Internal(x.to_string()))?,
        None => {
            let required: Vec<Check> = d.checks.as_deref().unwrap_or("").split(',').filter(|c| !c.is_empty()).filter_map(|c| c.parse().ok()).collect();
            ClearanceState::new(&required)
        }
    };
    let event = CheckpointEvent { kind: e.kind, outcome: e.outcome, at_ms };
    let next = match state.apply(&event) {
        Ok(s) => s,
        Err(err) => return Ok(EventResult::rejected(&e.id, 409, err.to_string())),
    };
    // The yard queue: arrivals and first calls, with skips for vehicles passed over.
    match e.kind {
        EventKind::ArrivedYard => {
            append_queue(conn, gate, at_ms, QueueAction::Arrived { vehicle: e.declaration.clone(), lane: lane.clone() }).await?;
        }
        EventKind::CalledForward if state.phase == Phase::InYard => {
            let waiting: Vec<(String,)> = sqlx::query_as(
                "SELECT declaration_id FROM vehicle_states WHERE gate_id = $1 AND lane = $2 AND phase = 'in_yard' \
                 AND declaration_id <> $3 AND arrived_at_ms < $4 ORDER BY arrived_at_ms, declaration_id",
            )
            .bind(gate)
            .bind(&lane)
            .bind(&e.declaration)
            .bind(state.arrived_at_ms.unwrap_or(at_ms))
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::from)?;
            if !waiting.is_empty() {
                let Some(reason) = e.skip_reason else {
                    let ids: Vec<&str> = waiting.iter().map(|w| w.0.as_str()).collect();
                    return Ok(EventResult::rejected(
                        &e.id,
                        409,
                        format!("{} vehicle(s) arrived earlier in lane {lane} ({}); give a skip_reason to call this one first", ids.len(), ids.join(", ")),
                    ));
                };
                for (w,) in &waiting {
                    append_queue(conn, gate, at_ms, QueueAction::Skipped { vehicle: w.clone(), lane: lane.clone(), reason }).await?;
                }
            }
            append_queue(conn, gate, at_ms, QueueAction::Called { vehicle: e.declaration.clone(), lane: lane.clone() }).await?;
        }
        _ => {}
    }
    let result = EventResult {
        id: e.id.clone(),
        accepted: true,
        duplicate: false,
        status: 201,
        phase: Some(next.phase),
        outstanding: next.outstanding(),
        reason: None,
    };
    let result_json = serde_json::to_string(&result).map_err(|x| ApiError::Internal(x.to_string()))?;
    let recorded = Now(now_ms).text();
    sqlx::query(
        "INSERT INTO checkpoint_events (id, declaration_id, gate_id, seq, kind, outcome, at_ms, actor, recorded_at, result) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&e.id)
    .bind(&e.declaration)
    .bind(gate)
    .bind(next.events as i64)
    .bind(e.kind.as_str())
    .bind(e.outcome.map(|o| o.as_str()))
    .bind(at_ms)
    .bind(&p.user_id)
    .bind(&recorded)
    .bind(&result_json)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    let state_json = serde_json::to_string(&next).map_err(|x| ApiError::Internal(x.to_string()))?;
    sqlx::query(
        "INSERT INTO vehicle_states (declaration_id, gate_id, lane, phase, state, arrived_at_ms, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (declaration_id) DO UPDATE SET phase = excluded.phase, state = excluded.state, arrived_at_ms = excluded.arrived_at_ms, updated_at = excluded.updated_at",
    )
    .bind(&e.declaration)
    .bind(gate)
    .bind(&lane)
    .bind(next.phase.as_str())
    .bind(&state_json)
    .bind(next.arrived_at_ms)
    .bind(&recorded)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    match e.kind {
        EventKind::ArrivedYard => {
            super::service::push_status(conn, &e.declaration, DeclarationStatus::AtGate, &p.user_id, None, Now(at_ms)).await?;
            sqlx::query("UPDATE bookings SET status = 'arrived', updated_at = $1 WHERE declaration_id = $2 AND status = 'active'")
                .bind(&recorded)
                .bind(&e.declaration)
                .execute(&mut *conn)
                .await
                .map_err(StoreError::from)?;
        }
        EventKind::Exited => {
            let final_status = next.final_status().unwrap_or(FinalStatus::Cleared);
            let status = match final_status {
                FinalStatus::Cleared => DeclarationStatus::Cleared,
                FinalStatus::Refused => DeclarationStatus::Refused,
            };
            super::service::push_status(conn, &e.declaration, status, &p.user_id, None, Now(at_ms)).await?;
            let arrived = next.arrived_at_ms.unwrap_or(at_ms);
            sqlx::query(
                "INSERT INTO clearance_facts (declaration_id, gate_id, lane, direction, day, arrived_ms, first_check_ms, exited_ms, clearance_ms, wait_ms, final_status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&e.declaration)
            .bind(gate)
            .bind(&lane)
            .bind(&d.direction)
            .bind(local_day(arrived))
            .bind(arrived)
            .bind(next.first_check_at_ms)
            .bind(next.exited_at_ms.unwrap_or(at_ms))
            .bind(next.clearance_time_ms().unwrap_or(0))
            .bind(next.waiting_time_ms())
            .bind(final_status.as_str())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from)?;
        }
        _ => {}
    }
    Ok(result)
}

/// The local date (UTC+7, the gates' zone) of a time, `YYYY-MM-DD`.
pub fn local_day(ms: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).to_offset(time::macros::offset!(+7));
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn append_queue(conn: &mut AnyConnection, gate: &str, at_ms: i64, action: QueueAction) -> Result<(), ApiError> {
    let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM queue_log WHERE gate_id = $1 ORDER BY seq DESC LIMIT 1")
        .bind(gate)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (0, GENESIS.to_string()),
    };
    let hash = entry_hash(seq as u64, at_ms, &action, &prev);
    sqlx::query("INSERT INTO queue_log (gate_id, seq, at_ms, action, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(gate)
        .bind(seq)
        .bind(at_ms)
        .bind(serde_json::to_string(&action).map_err(|x| ApiError::Internal(x.to_string()))?)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

/// The published queue log of a gate, oldest first.
pub async fn queue_log(db: &Db, gate: &str) -> Result<Vec<super::queue::QueueEntry>, ApiError> {
    let rows: Vec<(i64, i64, String, String, String)> =
        sqlx::query_as("SELECT seq, at_ms, action, prev_hash, hash FROM queue_log WHERE gate_id = $1 ORDER BY seq")
            .bind(gate)
            .fetch_all(&db.pool)
            .await
            .map_err(StoreError::from)?;
    rows.into_iter()
        .map(|(seq, at_ms, action, prev_hash, hash)| {
            Ok(super::queue::QueueEntry {
                seq: seq as u64,
                at_ms,
                action: serde_json::from_str(&action).map_err(|x| ApiError::Internal(x.to_string()))?,
                prev_hash,
                hash,
            })
        })
        .collect()
}

/// A vehicle's events and state, for its file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VehicleFile {
    /// The fold of the events (absent before the first event).
    pub state: Option<ClearanceState>,
    /// Events, in order.
    pub events: Vec<RecordedEvent>,
}

/// An event as recorded.
#[derive(Debug, Clone, Serialize, ToSchema, FromRow)]
pub struct RecordedEvent {
    /// Client id.
    pub id: String,
    /// Order within the vehicle's events, from 1.
    pub seq: i64,
    /// Kind.
    pub kind: String,
    /// Outcome, for checks.
    pub outcome: Option<String>,
    /// When it happened (unix ms).
    pub at_ms: i64,
    /// Who posted it (user id).
    pub actor: String,
}

/// The events and state of one vehicle (the caller has checked access).
pub async fn vehicle_file(db: &Db, declaration: &str) -> Result<VehicleFile, ApiError> {
    let events: Vec<RecordedEvent> =
        sqlx::query_as("SELECT id, seq, kind, outcome, at_ms, actor FROM checkpoint_events WHERE declaration_id = $1 ORDER BY seq")
            .bind(declaration)
            .fetch_all(&db.pool)
            .await
            .map_err(StoreError::from)?;
    let state: Option<(String,)> = sqlx::query_as("SELECT state FROM vehicle_states WHERE declaration_id = $1")
        .bind(declaration)
        .fetch_optional(&db.pool)
        .await
        .map_err(StoreError::from)?;
    Ok(VehicleFile {
        state: state.map(|(s,)| serde_json::from_str(&s)).transpose().map_err(|x| ApiError::Internal(x.to_string()))?,
        events,
    })
}
