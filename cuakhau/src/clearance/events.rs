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
use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow};
use utoipa::ToSchema;

use super::declaration::{plate_key, DeclarationStatus};
use super::fold::{CheckpointEvent, ClearanceState, EventKind, FinalStatus, Outcome, Phase};
use super::model::Check;
use super::queue::{entry_hash, QueueAction, SkipReason, GENESIS};
use crate::auth::{Principal, Role};
use super::model::Now;
use crate::db::{insert_rows, placeholders, select_in, Arg, Db, StoreError};
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
    id: String,
    gate_id: String,
    status: String,
    lane: Option<String>,
    checks: Option<String>,
    plate: String,
    direction: String,
    /// The vehicle's clearance state (JSON), once it has events.
    state: Option<String>,
    /// The queue-log position of its arrival.
    arrival_seq: Option<i64>,
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
///
/// Three steps, one transaction: read everything the batch touches in a few queries
/// ([`Snapshot::load`]), decide every event in memory with the pure fold ([`plan`]), then
/// write the outcome with multi-row statements ([`Plan::write`]). The result is the same
/// as processing the events one by one, in a handful of round trips instead of ~8 per
/// event.
pub async fn record_batch(db: &Db, p: &Principal, gate: &str, batch: &EventBatch, now: Now) -> Result<Vec<EventResult>, ApiError> {
    if batch.events.is_empty() || batch.events.len() > 1000 {
        return Err(ApiError::field("events", "1 to 1000 events"));
    }
    if p.role != Role::Officer {
        return Err(ApiError::Forbidden("checkpoint events are posted by officers of the gate".into()));
    }
    p.ensure_gate(gate)?;
    let mut tx = db.begin_write().await?;
    if db.backend == crate::db::Backend::Postgres {
        // One batch at a time per gate: the queue's hash chain and each vehicle's state
        // are read, extended and written back. (SQLite's single writer already does this.)
        sqlx::query("SELECT id FROM gates WHERE id = $1 FOR UPDATE").bind(gate).execute(&mut *tx).await.map_err(StoreError::from)?;
    }
    let snapshot = Snapshot::load(&mut tx, gate, &batch.events).await?;
    let plan = plan(p, gate, &batch.events, snapshot, now.ms())?;
    plan.write(&mut tx, gate, &batch.events, &p.user_id, now).await?;
    tx.commit().await?;
    Ok(plan.results)
}

/// What a batch needs from storage, read at its start.
#[derive(Default)]
struct Snapshot {
    /// Event ids already recorded: (declaration, stored answer).
    stored: HashMap<String, (String, EventResult)>,
    /// The declarations the events name.
    decls: HashMap<String, Decl>,
    /// Their current clearance states (absent before the first event).
    states: HashMap<String, ClearanceState>,
    /// The driver document each active booking is bound to.
    booked_docs: HashMap<String, String>,
    /// The last status-history step of each declaration.
    status_seq: HashMap<String, i64>,
    /// The next queue-log position of the gate and the hash it chains from.
    queue_next: i64,
    queue_prev: String,
    /// Vehicles waiting in the gate's yard: declaration → (lane, queue-log position of
    /// the arrival). The log's order is the queue's order.
    waiting: HashMap<String, (String, i64)>,
    /// The queue-log position of each touched vehicle's arrival.
    arrival_seq: HashMap<String, i64>,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

impl Snapshot {
    async fn load(conn: &mut AnyConnection, gate: &str, events: &[EventIn]) -> Result<Snapshot, ApiError> {
        let mut ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut decl_ids: Vec<&str> = events.iter().map(|e| e.declaration.as_str()).collect();
        decl_ids.sort_unstable();
        decl_ids.dedup();
        let mut snap = Snapshot::default();
        let stored: Vec<(String, String, String)> = select_in(conn, "SELECT id, declaration_id, result FROM checkpoint_events WHERE id IN", &ids, "").await?;
        for (id, decl, result) in stored {
            snap.stored.insert(id, (decl, serde_json::from_str(&result).map_err(internal)?));
        }
        let decls: Vec<Decl> = select_in(
            conn,
            "SELECT d.id, d.gate_id, d.status, d.lane, d.checks, d.plate, d.direction, s.state, s.arrival_seq \
             FROM declarations d LEFT JOIN vehicle_states s ON s.declaration_id = d.id WHERE d.id IN",
            &decl_ids,
            "",
        )
        .await?;
        for mut d in decls {
            if let Some(seq) = d.arrival_seq {
                snap.arrival_seq.insert(d.id.clone(), seq);
            }
            if let Some(state) = d.state.take() {
                snap.states.insert(d.id.clone(), serde_json::from_str(&state).map_err(internal)?);
            }
            snap.decls.insert(d.id.clone(), d);
        }
        if events.iter().any(|e| e.kind == EventKind::ArrivedYard && e.driver_doc.is_some()) {
            let docs: Vec<(String, String)> =
                select_in(conn, "SELECT declaration_id, driver_doc FROM bookings WHERE status = 'active' AND declaration_id IN", &decl_ids, "").await?;
            snap.booked_docs = docs.into_iter().collect();
        }
        if events.iter().any(|e| matches!(e.kind, EventKind::ArrivedYard | EventKind::Exited)) {
            let seqs: Vec<(String, i64)> = select_in(
                conn,
                "SELECT declaration_id, MAX(seq) FROM declaration_status_history WHERE declaration_id IN",
                &decl_ids,
                "GROUP BY declaration_id",
            )
            .await?;
            snap.status_seq = seqs.into_iter().collect();
        }
        if events.iter().any(|e| matches!(e.kind, EventKind::ArrivedYard | EventKind::CalledForward)) {
            let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM queue_log WHERE gate_id = $1 ORDER BY seq DESC LIMIT 1")
                .bind(gate)
                .fetch_optional(&mut *conn)
                .await
                .map_err(StoreError::from)?;
            (snap.queue_next, snap.queue_prev) = match last {
                Some((s, h)) => (s + 1, h),
                None => (0, GENESIS.to_string()),
            };
        }
        if events.iter().any(|e| e.kind == EventKind::CalledForward) {
            let waiting: Vec<(String, String, Option<i64>)> =
                sqlx::query_as("SELECT declaration_id, lane, arrival_seq FROM vehicle_states WHERE gate_id = $1 AND phase = 'in_yard'")
                    .bind(gate)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(StoreError::from)?;
            snap.waiting = waiting.into_iter().map(|(d, lane, seq)| (d, (lane, seq.unwrap_or(-1)))).collect();
        }
        Ok(snap)
    }
}

/// A queue-log entry to append.
struct QueueRow {
    seq: i64,
    at_ms: i64,
    action: String,
    prev: String,
    hash: String,
}

/// What a batch decided: the answers, and the rows to write.
#[derive(Default)]
struct Plan {
    results: Vec<EventResult>,
    /// Accepted events: (index in the batch, the vehicle's event count, time, result JSON).
    events: Vec<(usize, i64, i64, String)>,
    /// The final state of each vehicle touched: (lane, state).
    states: HashMap<String, (String, ClearanceState)>,
    queue: Vec<QueueRow>,
    /// Status steps: (declaration, seq, status, at).
    steps: Vec<(String, i64, DeclarationStatus, i64)>,
    /// Declarations whose booking is used up by the arrival.
    arrived: Vec<String>,
    /// Vehicles that exited: (declaration, lane, direction, final state).
    exits: Vec<(String, String, String, ClearanceState)>,
    /// The queue-log position of each touched vehicle's arrival.
    arrival_seq: HashMap<String, i64>,
}

/// Decides every event of a batch in order, as if each were written before the next
/// is read: pure, over the snapshot.
fn plan(p: &Principal, gate: &str, events: &[EventIn], mut snap: Snapshot, now_ms: i64) -> Result<Plan, ApiError> {
    let mut plan = Plan::default();
    for (i, e) in events.iter().enumerate() {
        let result = decide(p, gate, i, e, &mut snap, &mut plan, now_ms)?;
        plan.results.push(result);
    }
    plan.arrival_seq = snap.arrival_seq;
    Ok(plan)
}

fn decide(p: &Principal, gate: &str, i: usize, e: &EventIn, snap: &mut Snapshot, plan: &mut Plan, now_ms: i64) -> Result<EventResult, ApiError> {
    if e.id.trim().is_empty() || e.id.len() > 100 {
        return Ok(EventResult::rejected(&e.id, 422, "id: 1 to 100 characters"));
    }
    // A repeated id: the stored answer, nothing else.
    if let Some((declaration, result)) = snap.stored.get(&e.id) {
        if *declaration != e.declaration {
            return Ok(EventResult::rejected(&e.id, 409, "this event id was already used for another declaration"));
        }
        return Ok(EventResult { duplicate: true, ..result.clone() });
    }
    if p.agency != Some(e.kind.agency()) {
        return Ok(EventResult::rejected(&e.id, 403, format!("{} is posted by {}", e.kind, e.kind.agency())));
    }
    let at_ms = match parse_at(e.at.as_deref(), now_ms) {
        Ok(t) => t,
        Err(m) => return Ok(EventResult::rejected(&e.id, 422, m)),
    };
    let Some(d) = snap.decls.get_mut(&e.declaration).filter(|d| d.gate_id == gate) else {
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
            if snap.booked_docs.get(&e.declaration).map(String::as_str) != Some(plate_key(doc).as_str()) {
                return Ok(EventResult::rejected(&e.id, 409, "the driver's document does not match the booking"));
            }
        }
    }
    let lane = d.lane.clone().unwrap_or_else(|| "green".into());
    let state = match snap.states.get(&e.declaration) {
        Some(s) => s.clone(),
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
    let mut queue = Vec::new();
    match e.kind {
        EventKind::ArrivedYard => queue.push(QueueAction::Arrived { vehicle: e.declaration.clone(), lane: lane.clone() }),
        EventKind::CalledForward if state.phase == Phase::InYard => {
            // Vehicles logged as arrived before this one (a vehicle from before the log
            // kept its order has no position, -1, and counts as ahead of every other).
            let mine = snap.arrival_seq.get(&e.declaration).copied().unwrap_or(i64::MAX);
            let mut ahead: Vec<(i64, &str)> = snap
                .waiting
                .iter()
                .filter(|(v, (l, seq))| **l == lane && *v != &e.declaration && *seq < mine)
                .map(|(v, (_, seq))| (*seq, v.as_str()))
                .collect();
            ahead.sort_unstable();
            if !ahead.is_empty() {
                let Some(reason) = e.skip_reason else {
                    let ids: Vec<&str> = ahead.iter().map(|w| w.1).collect();
                    return Ok(EventResult::rejected(
                        &e.id,
                        409,
                        format!("{} vehicle(s) arrived earlier in lane {lane} ({}); give a skip_reason to call this one first", ids.len(), ids.join(", ")),
                    ));
                };
                for (_, w) in &ahead {
                    queue.push(QueueAction::Skipped { vehicle: w.to_string(), lane: lane.clone(), reason });
                }
            }
            queue.push(QueueAction::Called { vehicle: e.declaration.clone(), lane: lane.clone() });
        }
        _ => {}
    }
    // Accepted: from here on, the snapshot moves forward as storage will.
    for action in queue {
        if matches!(action, QueueAction::Arrived { .. }) {
            snap.arrival_seq.insert(e.declaration.clone(), snap.queue_next);
        }
        let hash = entry_hash(snap.queue_next as u64, at_ms, &action, &snap.queue_prev);
        let prev = std::mem::replace(&mut snap.queue_prev, hash.clone());
        plan.queue.push(QueueRow { seq: snap.queue_next, at_ms, action: serde_json::to_string(&action).map_err(internal)?, prev, hash });
        snap.queue_next += 1;
    }
    if next.phase == Phase::InYard {
        let seq = snap.arrival_seq.get(&e.declaration).copied().unwrap_or(-1);
        snap.waiting.insert(e.declaration.clone(), (lane.clone(), seq));
    } else {
        snap.waiting.remove(&e.declaration);
    }
    let new_status = match e.kind {
        EventKind::ArrivedYard => {
            plan.arrived.push(e.declaration.clone());
            Some(DeclarationStatus::AtGate)
        }
        EventKind::Exited => {
            plan.exits.push((e.declaration.clone(), lane.clone(), d.direction.clone(), next.clone()));
            Some(match next.final_status().unwrap_or(FinalStatus::Cleared) {
                FinalStatus::Cleared => DeclarationStatus::Cleared,
                FinalStatus::Refused => DeclarationStatus::Refused,
            })
        }
        _ => None,
    };
    if let Some(status) = new_status {
        let seq = snap.status_seq.entry(e.declaration.clone()).or_insert(0);
        *seq += 1;
        plan.steps.push((e.declaration.clone(), *seq, status, at_ms));
        d.status = status.as_str().to_string();
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
    plan.events.push((i, next.events as i64, at_ms, serde_json::to_string(&result).map_err(internal)?));
    snap.stored.insert(e.id.clone(), (e.declaration.clone(), result.clone()));
    snap.states.insert(e.declaration.clone(), next.clone());
    plan.states.insert(e.declaration.clone(), (lane, next));
    Ok(result)
}

impl Plan {
    /// Writes what the batch decided: one multi-row statement per table.
    async fn write(&self, conn: &mut AnyConnection, gate: &str, events: &[EventIn], actor: &str, now: Now) -> Result<(), StoreError> {
        let recorded = now.text();
        let text = |s: &str| Arg::Text(s.to_string());
        let rows: Vec<Vec<Arg>> = self
            .events
            .iter()
            .map(|(i, seq, at_ms, result)| {
                let e = &events[*i];
                vec![
                    text(&e.id),
                    text(&e.declaration),
                    text(gate),
                    Arg::Int(*seq),
                    text(e.kind.as_str()),
                    Arg::OptText(e.outcome.map(|o| o.as_str().to_string())),
                    Arg::Int(*at_ms),
                    text(actor),
                    text(&recorded),
                    text(result),
                ]
            })
            .collect();
        insert_rows(conn, "INSERT INTO checkpoint_events (id, declaration_id, gate_id, seq, kind, outcome, at_ms, actor, recorded_at, result)", "", &rows).await?;
        let mut rows = Vec::with_capacity(self.states.len());
        for (decl, (lane, state)) in &self.states {
            let json = serde_json::to_string(state).map_err(|e| StoreError::Other(e.to_string()))?;
            let seq = Arg::OptInt(self.arrival_seq.get(decl).copied());
            rows.push(vec![text(decl), text(gate), text(lane), text(state.phase.as_str()), Arg::Text(json), Arg::OptInt(state.arrived_at_ms), seq, text(&recorded)]);
        }
        insert_rows(
            conn,
            "INSERT INTO vehicle_states (declaration_id, gate_id, lane, phase, state, arrived_at_ms, arrival_seq, updated_at)",
            "ON CONFLICT (declaration_id) DO UPDATE SET phase = excluded.phase, state = excluded.state, \
             arrived_at_ms = excluded.arrived_at_ms, arrival_seq = excluded.arrival_seq, updated_at = excluded.updated_at",
            &rows,
        )
        .await?;
        let rows: Vec<Vec<Arg>> = self
            .queue
            .iter()
            .map(|q| vec![text(gate), Arg::Int(q.seq), Arg::Int(q.at_ms), text(&q.action), text(&q.prev), text(&q.hash)])
            .collect();
        insert_rows(conn, "INSERT INTO queue_log (gate_id, seq, at_ms, action, prev_hash, hash)", "", &rows).await?;
        // Declarations' status: a history step per change, the row keeps the last.
        let rows: Vec<Vec<Arg>> = self
            .steps
            .iter()
            .map(|(decl, seq, status, at)| vec![text(decl), Arg::Int(*seq), text(status.as_str()), Arg::Text(Now(*at).text()), text(actor)])
            .collect();
        insert_rows(conn, "INSERT INTO declaration_status_history (declaration_id, seq, status, at, actor)", "", &rows).await?;
        let mut last: HashMap<&str, (DeclarationStatus, i64)> = HashMap::new();
        for (decl, _, status, at) in &self.steps {
            last.insert(decl, (*status, *at));
        }
        if !last.is_empty() {
            // Both backends accept a VALUES list as the source of an UPDATE.
            let mut sql = String::from("WITH v (id, status, at) AS (VALUES ");
            let mut q_args = Vec::with_capacity(last.len() * 3);
            for (i, (decl, (status, at))) in last.iter().enumerate() {
                sql.push_str(&format!("{}({})", if i == 0 { "" } else { ", " }, placeholders(conn, 3 * i + 1, 3)));
                q_args.extend([decl.to_string(), status.as_str().to_string(), Now(*at).text()]);
            }
            sql.push_str(") UPDATE declarations SET status = v.status, updated_at = v.at FROM v WHERE declarations.id = v.id");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for v in q_args {
                q = q.bind(v);
            }
            q.execute(&mut *conn).await?;
        }
        if !self.arrived.is_empty() {
            let sql = format!(
                "UPDATE bookings SET status = 'arrived', updated_at = {} WHERE status = 'active' AND declaration_id IN ({})",
                placeholders(conn, 1, 1),
                placeholders(conn, 2, self.arrived.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false).bind(&recorded);
            for d in &self.arrived {
                q = q.bind(d);
            }
            q.execute(&mut *conn).await?;
        }
        let rows: Vec<Vec<Arg>> = self
            .exits
            .iter()
            .map(|(decl, lane, direction, st)| {
                let exited = st.exited_at_ms.unwrap_or_default();
                let arrived = st.arrived_at_ms.unwrap_or(exited);
                vec![
                    text(decl),
                    text(gate),
                    text(lane),
                    text(direction),
                    Arg::Text(local_day(arrived)),
                    Arg::Int(arrived),
                    Arg::OptInt(st.first_check_at_ms),
                    Arg::Int(exited),
                    Arg::Int(st.clearance_time_ms().unwrap_or(0)),
                    Arg::OptInt(st.waiting_time_ms()),
                    text(st.final_status().unwrap_or(FinalStatus::Cleared).as_str()),
                ]
            })
            .collect();
        insert_rows(
            conn,
            "INSERT INTO clearance_facts (declaration_id, gate_id, lane, direction, day, arrived_ms, first_check_ms, exited_ms, clearance_ms, wait_ms, final_status)",
            "",
            &rows,
        )
        .await
    }
}

/// The local date (UTC+7, the gates' zone) of a time, `YYYY-MM-DD`.
pub fn local_day(ms: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).to_offset(time::macros::offset!(+7));
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Agency;

    fn officer(agency: Agency) -> Principal {
        Principal {
            user_id: "u1".into(),
            username: "officer".into(),
            role: Role::Officer,
            agency: Some(agency),
            company_id: None,
            gates: vec!["g".into()],
        }
    }

    fn booked(id: &str, lane: &str) -> Decl {
        Decl {
            id: id.into(),
            gate_id: "g".into(),
            status: "booked".into(),
            lane: Some(lane.into()),
            checks: Some("document".into()),
            plate: "51C12345".into(),
            direction: "import".into(),
            state: None,
            arrival_seq: None,
        }
    }

    fn ev(id: &str, decl: &str, kind: EventKind, at_ms: i64) -> EventIn {
        EventIn {
            id: id.into(),
            declaration: decl.into(),
            kind,
            outcome: None,
            at: Some(time::OffsetDateTime::from_unix_timestamp(at_ms / 1000).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()),
            plate: None,
            driver_doc: None,
            skip_reason: None,
        }
    }

    fn snapshot(decls: Vec<Decl>) -> Snapshot {
        Snapshot {
            decls: decls.into_iter().map(|d| (d.id.clone(), d)).collect(),
            queue_prev: GENESIS.into(),
            ..Default::default()
        }
    }

    const T: i64 = 1_767_225_600_000;

    #[test]
    fn a_batch_sees_its_own_earlier_events() {
        let events = vec![
            ev("a1", "d1", EventKind::ArrivedYard, T),
            ev("a2", "d2", EventKind::ArrivedYard, T + 60_000),
            ev("c1", "d1", EventKind::CalledForward, T + 120_000),
            // d2 arrived after d1, which was called: no skip needed.
            ev("c2", "d2", EventKind::CalledForward, T + 180_000),
            // The same id again in the same batch: the first answer, marked duplicate.
            ev("a1", "d1", EventKind::ArrivedYard, T),
        ];
        let plan = plan(&officer(Agency::BorderGuard), "g", &events, snapshot(vec![booked("d1", "green"), booked("d2", "green")]), T + 200_000).unwrap();
        let statuses: Vec<u16> = plan.results.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [201, 201, 201, 201, 201]);
        assert!(plan.results[4].duplicate && !plan.results[0].duplicate);
        assert_eq!(plan.events.len(), 4, "a duplicate is not written twice");
        assert_eq!(plan.queue.len(), 4, "two arrivals and two calls");
        assert!(plan.queue.windows(2).all(|w| w[1].prev == w[0].hash && w[1].seq == w[0].seq + 1));
        assert_eq!(plan.steps.len(), 2, "two arrivals change the declarations' status");
        assert_eq!(plan.states.len(), 2, "one final state per vehicle");
    }

    #[test]
    fn calling_past_an_earlier_arrival_needs_a_reason() {
        let events = vec![
            ev("a1", "d1", EventKind::ArrivedYard, T),
            ev("a2", "d2", EventKind::ArrivedYard, T + 60_000),
            ev("c2", "d2", EventKind::CalledForward, T + 120_000),
            EventIn { skip_reason: Some(SkipReason::PerishablePriority), ..ev("c2b", "d2", EventKind::CalledForward, T + 130_000) },
        ];
        let plan = plan(&officer(Agency::BorderGuard), "g", &events, snapshot(vec![booked("d1", "green"), booked("d2", "green")]), T + 200_000).unwrap();
        assert_eq!(plan.results[2].status, 409);
        assert!(plan.results[2].reason.as_deref().unwrap().contains("d1"));
        assert_eq!(plan.results[3].status, 201);
        let kinds: Vec<&str> = plan.queue.iter().map(|q| if q.action.contains("skipped") { "skipped" } else if q.action.contains("called") { "called" } else { "arrived" }).collect();
        assert_eq!(kinds, ["arrived", "arrived", "skipped", "called"]);
    }

    #[test]
    fn the_queue_order_is_the_log_order_even_at_the_same_instant() {
        let events = vec![
            ev("a1", "d1", EventKind::ArrivedYard, T),
            ev("a2", "d2", EventKind::ArrivedYard, T),
            ev("c2", "d2", EventKind::CalledForward, T + 60_000),
            ev("c1", "d1", EventKind::CalledForward, T + 60_000),
            ev("c2b", "d2", EventKind::CalledForward, T + 120_000),
        ];
        let plan = plan(&officer(Agency::BorderGuard), "g", &events, snapshot(vec![booked("d1", "green"), booked("d2", "green")]), T + 200_000).unwrap();
        let statuses: Vec<u16> = plan.results.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [201, 201, 409, 201, 201], "d1 was logged first: d2 may not be called before it");
        assert_eq!(plan.arrival_seq["d1"], 0);
        assert_eq!(plan.arrival_seq["d2"], 1);
        let log: Vec<crate::clearance::queue::QueueEntry> = plan
            .queue
            .iter()
            .map(|q| crate::clearance::queue::QueueEntry { seq: q.seq as u64, at_ms: q.at_ms, action: serde_json::from_str(&q.action).unwrap(), prev_hash: q.prev.clone(), hash: q.hash.clone() })
            .collect();
        assert!(crate::clearance::queue::verify(&log).is_ok(), "the published log verifies");
    }

    #[test]
    fn rejections_change_nothing() {
        let events = vec![
            ev("x1", "unknown", EventKind::ArrivedYard, T),
            ev("x2", "d1", EventKind::Exited, T),
            ev("x3", "d1", EventKind::DocumentCheck, T),
        ];
        let plan = plan(&officer(Agency::BorderGuard), "g", &events, snapshot(vec![booked("d1", "green")]), T + 1000).unwrap();
        let statuses: Vec<u16> = plan.results.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [404, 409, 403]);
        assert!(plan.events.is_empty() && plan.queue.is_empty() && plan.states.is_empty() && plan.steps.is_empty());
    }
}
