//! A verifiable yard queue: an append-only, hash-chained log of arrivals, calls forward
//! and skips (with a reason code), per gate, one or more lanes per log.
//!
//! A gate publishes its log (as JSON lines, [`to_jsonl`]); anyone holding it can check
//! with [`verify`] that
//! - nobody altered, dropped, inserted or reordered an entry (the hash chain), and
//! - nobody jumped the queue without a recorded reason (fairness).
//!
//! Everything here is pure: entries carry their own time (unix milliseconds, UTC).
//!
//! # Published format
//! One entry per line:
//! ```text
//! {"seq":0,"at_ms":1735689600000,"action":{"kind":"arrived","vehicle":"51C-12345","lane":"green"},"prev_hash":"000…000","hash":"9f2c…"}
//! {"seq":1,"at_ms":1735689660000,"action":{"kind":"skipped","vehicle":"51C-12345","lane":"green","reason":"driver_absent"},"prev_hash":"9f2c…","hash":"…"}
//! ```
//!
//! # Hash chain
//! `seq` counts from 0 without gaps; the first entry's `prev_hash` is [`GENESIS`] and every
//! other's is the previous entry's `hash`; `hash` is [`entry_hash`] of the entry, the
//! lower-case hex SHA-256 of these bytes, where `str(x)` is the byte length of the UTF-8
//! string `x` as a big-endian u64 followed by its bytes:
//! ```text
//! str("cuakhau/queue/v1")
//! seq    as 8 bytes, big-endian u64
//! at_ms  as 8 bytes, big-endian two's-complement i64
//! str(kind)        "arrived" | "called" | "skipped"
//! str(vehicle)
//! str(lane)
//! str(reason)      skipped only: the reason word, e.g. "perishable_priority"
//! str(prev_hash)   the hex text as written in the entry
//! ```
//! A chain proves that nothing *before* its last entry changed. Rewriting the tail and
//! recomputing every later hash yields another valid chain, so a gate also publishes its
//! head (the last hash, [`VerifyReport::head`]): a reader compares it with the head they
//! saw earlier.
//!
//! # Fairness
//! Each lane is a first-come queue of the vehicles that arrived and were not called yet.
//! When vehicle V is called, every vehicle that arrived in that lane before V and is still
//! waiting must have a skip recorded for it since it arrived (and before this call). Each
//! skip excuses one call that passes over that vehicle; a vehicle passed over twice needs
//! two skips. A call for the head of its lane needs no skip. Also:
//! - a call or skip for a vehicle that is not waiting in that lane is an unknown vehicle;
//! - an arrival of a vehicle already waiting (in any lane) is a duplicate arrival; a
//!   vehicle that was called may arrive again later (it came back).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

word_enum!(
    /// Why a waiting vehicle was passed over by a call.
    SkipReason {
        /// Perishable goods (fruit, live animals …) go first.
        PerishablePriority => "perishable_priority",
        /// The vehicle's documents are not complete yet.
        DocumentsIncomplete => "documents_incomplete",
        /// The driver did not answer the call.
        DriverAbsent => "driver_absent",
        /// The vehicle cannot move forward yet (breakdown, loading …).
        VehicleNotReady => "vehicle_not_ready",
        /// An officer's decision, to be justified in the officer's own records.
        OfficerDecision => "officer_decision",
    }
);

/// What a queue entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum QueueAction {
    /// A vehicle joined the end of a lane's queue.
    Arrived {
        /// Vehicle identifier (plate or declaration reference).
        vehicle: String,
        /// Yard lane.
        lane: String,
    },
    /// A waiting vehicle was called forward out of the queue.
    Called {
        /// Vehicle identifier.
        vehicle: String,
        /// Yard lane it waited in.
        lane: String,
    },
    /// A waiting vehicle may be passed over by the next call, for a reason.
    Skipped {
        /// Vehicle identifier.
        vehicle: String,
        /// Yard lane it waits in.
        lane: String,
        /// Why.
        reason: SkipReason,
    },
}

impl QueueAction {
    /// The kind word: `arrived`, `called` or `skipped`.
    pub fn kind(&self) -> &'static str {
        match self {
            QueueAction::Arrived { .. } => "arrived",
            QueueAction::Called { .. } => "called",
            QueueAction::Skipped { .. } => "skipped",
        }
    }

    /// The vehicle the action is about.
    pub fn vehicle(&self) -> &str {
        match self {
            QueueAction::Arrived { vehicle, .. } | QueueAction::Called { vehicle, .. } | QueueAction::Skipped { vehicle, .. } => {
                vehicle
            }
        }
    }

    /// The lane the action is about.
    pub fn lane(&self) -> &str {
        match self {
            QueueAction::Arrived { lane, .. } | QueueAction::Called { lane, .. } | QueueAction::Skipped { lane, .. } => lane,
        }
    }
}

/// One entry of the published log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// When, in unix milliseconds (UTC).
    pub at_ms: i64,
    /// What happened.
    pub action: QueueAction,
    /// The previous entry's hash ([`GENESIS`] for the first), lower-case hex.
    pub prev_hash: String,
    /// [`entry_hash`] of this entry, lower-case hex.
    pub hash: String,
}

/// The `prev_hash` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &str = "cuakhau/queue/v1";

fn put_str(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

/// The lower-case hex SHA-256 of the canonical encoding of an entry (see the module doc).
pub fn entry_hash(seq: u64, at_ms: i64, action: &QueueAction, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    put_str(&mut h, DOMAIN);
    h.update(seq.to_be_bytes());
    h.update(at_ms.to_be_bytes());
    put_str(&mut h, action.kind());
    put_str(&mut h, action.vehicle());
    put_str(&mut h, action.lane());
    if let QueueAction::Skipped { reason, .. } = action {
        put_str(&mut h, reason.as_str());
    }
    put_str(&mut h, prev_hash);
    hex::encode(h.finalize())
}

/// The entry that follows `log` (`seq` = its length, `prev_hash` = its last hash or
/// [`GENESIS`]). Does not check fairness: run [`verify`] on the extended log for that.
pub fn append(log: &[QueueEntry], at_ms: i64, action: QueueAction) -> QueueEntry {
    let seq = log.len() as u64;
    let prev_hash = log.last().map_or_else(|| GENESIS.to_string(), |e| e.hash.clone());
    let hash = entry_hash(seq, at_ms, &action, &prev_hash);
    QueueEntry { seq, at_ms, action, prev_hash, hash }
}

/// What a log that verifies contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerifyReport {
    /// Number of entries.
    pub entries: u64,
    /// Number of arrivals.
    pub arrivals: u64,
    /// Number of calls forward.
    pub calls: u64,
    /// Number of skips, by reason (reasons never used are absent).
    #[schema(value_type = BTreeMap<String, u64>)]
    pub skips: BTreeMap<SkipReason, u64>,
    /// Every lane seen, with the vehicles still waiting in it, first arrived first.
    pub waiting: BTreeMap<String, Vec<String>>,
    /// The last entry's hash ([`GENESIS`] for an empty log): publish it with the log.
    pub head: String,
}

/// Why a log does not verify. The first violation found (in log order) is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueViolation {
    /// The entry at position `seq` does not belong where it is: wrong sequence number,
    /// broken link to the previous entry, or a hash that does not recompute.
    #[error("entry {seq} was altered, removed or moved: the hash chain breaks there")]
    Tampered {
        /// Position in the log (from 0) where the chain breaks.
        seq: u64,
    },
    /// A call passed over waiting vehicles without a recorded skip.
    #[error("entry {seq}: {vehicle} was called ahead of {} who arrived earlier without a recorded skip", .passed_over.join(", "))]
    JumpedQueue {
        /// The call's position.
        seq: u64,
        /// The vehicle called.
        vehicle: String,
        /// The earlier arrivals passed over without an excuse, first arrived first.
        passed_over: Vec<String>,
    },
    /// A call or skip for a vehicle that is not waiting in that lane.
    #[error("entry {seq}: {vehicle} is not waiting in that lane (never arrived there, or already called)")]
    UnknownVehicle {
        /// The entry's position.
        seq: u64,
        /// The vehicle named.
        vehicle: String,
    },
    /// An arrival of a vehicle that is already waiting.
    #[error("entry {seq}: {vehicle} arrived again while still waiting")]
    DuplicateArrival {
        /// The entry's position.
        seq: u64,
        /// The vehicle named.
        vehicle: String,
    },
}

/// A vehicle waiting in a lane, with the skips recorded for it and not yet used.
struct Waiter {
    vehicle: String,
    skips: u64,
}

/// Checks the hash chain and the fairness of `log` (see the module doc).
pub fn verify(log: &[QueueEntry]) -> Result<VerifyReport, QueueViolation> {
    let mut report = VerifyReport {
        entries: log.len() as u64,
        arrivals: 0,
        calls: 0,
        skips: BTreeMap::new(),
        waiting: BTreeMap::new(),
        head: GENESIS.to_string(),
    };
    let mut lanes: BTreeMap<String, Vec<Waiter>> = BTreeMap::new();
    let mut prev = GENESIS;
    for (i, e) in log.iter().enumerate() {
        let seq = i as u64;
        if e.seq != seq || e.prev_hash != prev || e.hash != entry_hash(e.seq, e.at_ms, &e.action, &e.prev_hash) {
            return Err(QueueViolation::Tampered { seq });
        }
        prev = &e.hash;

        let vehicle = e.action.vehicle();
        if matches!(e.action, QueueAction::Arrived { .. })
            && lanes.values().any(|q| q.iter().any(|w| w.vehicle == vehicle))
        {
            // A vehicle waits in one lane at a time.
            return Err(QueueViolation::DuplicateArrival { seq, vehicle: vehicle.to_string() });
        }
        let unknown = || QueueViolation::UnknownVehicle { seq, vehicle: vehicle.to_string() };
        let queue = lanes.entry(e.action.lane().to_string()).or_default();
        match &e.action {
            QueueAction::Arrived { .. } => {
                queue.push(Waiter { vehicle: vehicle.to_string(), skips: 0 });
                report.arrivals += 1;
            }
            QueueAction::Skipped { reason, .. } => {
                let waiter = queue.iter_mut().find(|w| w.vehicle == vehicle).ok_or_else(unknown)?;
                waiter.skips += 1;
                *report.skips.entry(*reason).or_default() += 1;
            }
            QueueAction::Called { .. } => {
                let at = queue.iter().position(|w| w.vehicle == vehicle).ok_or_else(unknown)?;
                let passed_over: Vec<String> =
                    queue[..at].iter().filter(|w| w.skips == 0).map(|w| w.vehicle.clone()).collect();
                if !passed_over.is_empty() {
                    return Err(QueueViolation::JumpedQueue { seq, vehicle: vehicle.to_string(), passed_over });
                }
                for w in &mut queue[..at] {
                    w.skips -= 1;
                }
                queue.remove(at);
                report.calls += 1;
            }
        }
    }
    report.head = prev.to_string();
    report.waiting = lanes.into_iter().map(|(lane, q)| (lane, q.into_iter().map(|w| w.vehicle).collect())).collect();
    Ok(report)
}

/// The published format: one JSON object per entry, each line ending in `\n`.
pub fn to_jsonl(log: &[QueueEntry]) -> String {
    let mut out = String::new();
    for e in log {
        // A QueueEntry is strings, integers and a word enum: serialising cannot fail.
        out.push_str(&serde_json::to_string(e).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Reads the published format; blank lines are ignored. The error names the line (from 1).
/// Only the syntax is checked here: run [`verify`] on the result.
pub fn from_jsonl(text: &str) -> Result<Vec<QueueEntry>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arrived(v: &str, lane: &str) -> QueueAction {
        QueueAction::Arrived { vehicle: v.into(), lane: lane.into() }
    }

    fn called(v: &str, lane: &str) -> QueueAction {
        QueueAction::Called { vehicle: v.into(), lane: lane.into() }
    }

    fn skipped(v: &str, lane: &str, reason: SkipReason) -> QueueAction {
        QueueAction::Skipped { vehicle: v.into(), lane: lane.into(), reason }
    }

    fn build(actions: Vec<QueueAction>) -> Vec<QueueEntry> {
        let mut log = Vec::new();
        for (i, a) in actions.into_iter().enumerate() {
            let e = append(&log, 1_735_689_600_000 + i as i64 * 60_000, a);
            log.push(e);
        }
        log
    }

    fn honest() -> Vec<QueueEntry> {
        build(vec![
            arrived("51C-00001", "green"),
            arrived("51C-00002", "green"),
            arrived("61H-00003", "red"),
            arrived("51C-00004", "green"),
            called("51C-00001", "green"),
            skipped("51C-00002", "green", SkipReason::DriverAbsent),
            called("51C-00004", "green"),
            called("61H-00003", "red"),
            arrived("61H-00005", "red"),
        ])
    }

    #[test]
    fn an_honest_log_verifies_and_is_summarised() {
        let log = honest();
        let r = verify(&log).unwrap();
        assert_eq!((r.entries, r.arrivals, r.calls), (9, 5, 3));
        assert_eq!(r.skips, BTreeMap::from([(SkipReason::DriverAbsent, 1)]));
        assert_eq!(r.waiting["green"], vec!["51C-00002".to_string()]);
        assert_eq!(r.waiting["red"], vec!["61H-00005".to_string()]);
        assert_eq!(r.head, log[8].hash);
        assert_eq!(log[0].prev_hash, GENESIS);
        assert_eq!(verify(&[]).unwrap().head, GENESIS);
    }

    #[test]
    fn the_hash_encoding_is_fixed() {
        // Pinned (and checked against an independent implementation of the documented
        // encoding): a change here breaks every published log.
        assert_eq!(
            entry_hash(0, 0, &arrived("A", "g"), GENESIS),
            "7ffad8e3a99f35c01033e9beba6c7b106a03af5ec4996081986d1cf43364309b"
        );
        // Length prefixes keep field boundaries: ("AB","c") ≠ ("A","Bc").
        assert_ne!(entry_hash(0, 0, &arrived("AB", "c"), GENESIS), entry_hash(0, 0, &arrived("A", "Bc"), GENESIS));
        assert_ne!(
            entry_hash(0, 0, &skipped("A", "g", SkipReason::DriverAbsent), GENESIS),
            entry_hash(0, 0, &skipped("A", "g", SkipReason::OfficerDecision), GENESIS)
        );
        assert_ne!(entry_hash(0, 0, &arrived("A", "g"), GENESIS), entry_hash(0, 0, &called("A", "g"), GENESIS));
    }

    #[test]
    fn changing_any_field_of_any_entry_is_detected_as_tampered() {
        let log = honest();
        type Edit = (&'static str, fn(&mut QueueEntry));
        let edits: Vec<Edit> = vec![
            ("seq", |e| e.seq += 1),
            ("at_ms", |e| e.at_ms -= 1),
            ("vehicle", |e| match &mut e.action {
                QueueAction::Arrived { vehicle, .. } | QueueAction::Called { vehicle, .. } | QueueAction::Skipped { vehicle, .. } => {
                    vehicle.push('X')
                }
            }),
            ("lane", |e| match &mut e.action {
                QueueAction::Arrived { lane, .. } | QueueAction::Called { lane, .. } | QueueAction::Skipped { lane, .. } => {
                    *lane = "yellow".into()
                }
            }),
            ("kind", |e| {
                e.action = match &e.action {
                    QueueAction::Arrived { vehicle, lane } => QueueAction::Called { vehicle: vehicle.clone(), lane: lane.clone() },
                    QueueAction::Called { vehicle, lane } | QueueAction::Skipped { vehicle, lane, .. } => {
                        QueueAction::Arrived { vehicle: vehicle.clone(), lane: lane.clone() }
                    }
                }
            }),
            ("prev_hash", |e| e.prev_hash = "f".repeat(64)),
            ("hash", |e| e.hash = "0".repeat(64)),
        ];
        for i in 0..log.len() {
            for (field, edit) in &edits {
                let mut bad = log.clone();
                edit(&mut bad[i]);
                assert_eq!(verify(&bad), Err(QueueViolation::Tampered { seq: i as u64 }), "{field} of entry {i}");
            }
        }
        let mut bad = log.clone();
        if let QueueAction::Skipped { reason, .. } = &mut bad[5].action {
            *reason = SkipReason::PerishablePriority;
        }
        assert_eq!(verify(&bad), Err(QueueViolation::Tampered { seq: 5 }));

        let mut swapped = log.clone();
        swapped.swap(1, 3);
        assert!(matches!(verify(&swapped), Err(QueueViolation::Tampered { seq: 1 })));
        // Even with sequence numbers rewritten to look contiguous.
        swapped[1].seq = 1;
        swapped[3].seq = 3;
        assert!(matches!(verify(&swapped), Err(QueueViolation::Tampered { seq: 1 })));

        let mut dropped = log.clone();
        dropped.remove(4);
        assert_eq!(verify(&dropped), Err(QueueViolation::Tampered { seq: 4 }));

        // Re-hashing the edited entry breaks the next link instead.
        let mut rehashed = log.clone();
        rehashed[2].at_ms += 1;
        rehashed[2].hash = entry_hash(2, rehashed[2].at_ms, &rehashed[2].action, &rehashed[2].prev_hash);
        assert_eq!(verify(&rehashed), Err(QueueViolation::Tampered { seq: 3 }));
    }

    #[test]
    fn a_call_passing_over_an_earlier_arrival_without_a_skip_jumped_the_queue() {
        let log = build(vec![
            arrived("51C-00001", "green"),
            arrived("51C-00002", "green"),
            arrived("51C-00003", "green"),
            called("51C-00003", "green"),
        ]);
        let err = verify(&log).unwrap_err();
        assert_eq!(
            err,
            QueueViolation::JumpedQueue {
                seq: 3,
                vehicle: "51C-00003".into(),
                passed_over: vec!["51C-00001".into(), "51C-00002".into()]
            }
        );
        assert_eq!(
            err.to_string(),
            "entry 3: 51C-00003 was called ahead of 51C-00001, 51C-00002 who arrived earlier without a recorded skip"
        );
        // Another lane's queue does not count.
        let other_lane = build(vec![arrived("A", "red"), arrived("B", "green"), called("B", "green")]);
        assert!(verify(&other_lane).is_ok());
    }

    #[test]
    fn a_recorded_perishable_priority_skip_excuses_one_call() {
        let log = build(vec![
            arrived("74C-steel", "green"),
            arrived("70C-durian", "green"),
            skipped("74C-steel", "green", SkipReason::PerishablePriority),
            called("70C-durian", "green"),
        ]);
        let r = verify(&log).unwrap();
        assert_eq!(r.skips[&SkipReason::PerishablePriority], 1);
        assert_eq!(r.waiting["green"], vec!["74C-steel".to_string()]);

        // The skip was used: passing over the same vehicle again needs another.
        let mut more = log.clone();
        for a in [arrived("70C-mango", "green"), called("70C-mango", "green")] {
            let e = append(&more, 0, a);
            more.push(e);
        }
        assert!(matches!(verify(&more), Err(QueueViolation::JumpedQueue { seq: 5, .. })));

        // A skip recorded before the vehicle arrived does not count (it was not waiting).
        let early = build(vec![skipped("A", "green", SkipReason::DriverAbsent), arrived("A", "green")]);
        assert!(matches!(verify(&early), Err(QueueViolation::UnknownVehicle { seq: 0, .. })));
    }

    #[test]
    fn calls_and_skips_of_vehicles_not_waiting_and_double_arrivals_are_violations() {
        let never = build(vec![arrived("A", "green"), called("B", "green")]);
        assert_eq!(verify(&never), Err(QueueViolation::UnknownVehicle { seq: 1, vehicle: "B".into() }));
        let wrong_lane = build(vec![arrived("A", "green"), called("A", "red")]);
        assert!(matches!(verify(&wrong_lane), Err(QueueViolation::UnknownVehicle { seq: 1, .. })));
        let twice = build(vec![arrived("A", "green"), called("A", "green"), called("A", "green")]);
        assert!(matches!(verify(&twice), Err(QueueViolation::UnknownVehicle { seq: 2, .. })));
        let skip_gone = build(vec![arrived("A", "green"), called("A", "green"), skipped("A", "green", SkipReason::DriverAbsent)]);
        assert!(matches!(verify(&skip_gone), Err(QueueViolation::UnknownVehicle { seq: 2, .. })));

        let dup = build(vec![arrived("A", "green"), arrived("A", "green")]);
        let err = verify(&dup).unwrap_err();
        assert_eq!(err, QueueViolation::DuplicateArrival { seq: 1, vehicle: "A".into() });
        assert_eq!(err.to_string(), "entry 1: A arrived again while still waiting");
        let two_lanes = build(vec![arrived("A", "green"), arrived("A", "red")]);
        assert!(matches!(verify(&two_lanes), Err(QueueViolation::DuplicateArrival { seq: 1, .. })));
        let came_back = build(vec![arrived("A", "green"), called("A", "green"), arrived("A", "green")]);
        assert!(verify(&came_back).is_ok());
    }

    #[test]
    fn the_published_jsonl_round_trips_and_names_the_bad_line() {
        let log = honest();
        let text = to_jsonl(&log);
        assert_eq!(text.lines().count(), log.len());
        assert!(text.starts_with(r#"{"seq":0,"at_ms":1735689600000,"action":{"kind":"arrived","vehicle":"51C-00001","lane":"green"},"prev_hash":"0000"#));
        assert!(text.contains(r#""kind":"skipped","vehicle":"51C-00002","lane":"green","reason":"driver_absent""#));
        assert_eq!(from_jsonl(&format!("\n{text}\n")).unwrap(), log);

        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        lines[1] = lines[1].replace("\"arrived\"", "\"teleported\"");
        let broken = lines.join("\n");
        let err = from_jsonl(&broken).unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(from_jsonl(r#"{"seq":0,"at_ms":0,"action":{"kind":"arrived","vehicle":"A","lane":"g"},"prev_hash":"","hash":"","extra":1}"#).is_err());
        assert_eq!(from_jsonl("").unwrap(), vec![]);
    }

    /// One step of a fair yard: a vehicle arrives, or the vehicle at `pick` in a lane is
    /// called after a skip is recorded (with `reason`) for each earlier one with none left;
    /// or a spare skip is recorded.
    #[derive(Debug, Clone)]
    enum Step {
        Arrive(usize),
        Call(usize, usize, SkipReason),
        Skip(usize, usize, SkipReason),
    }

    fn step() -> impl Strategy<Value = Step> {
        let reason = || proptest::sample::select(SkipReason::ALL);
        prop_oneof![
            3 => (0usize..3).prop_map(Step::Arrive),
            3 => (0usize..3, any::<usize>(), reason()).prop_map(|(l, p, r)| Step::Call(l, p, r)),
            1 => (0usize..3, any::<usize>(), reason()).prop_map(|(l, p, r)| Step::Skip(l, p, r)),
        ]
    }

    const LANES: [&str; 3] = ["green", "yellow", "red"];

    fn fair_log(steps: &[Step]) -> Vec<QueueEntry> {
        let mut log: Vec<QueueEntry> = Vec::new();
        let push = |log: &mut Vec<QueueEntry>, a| {
            let e = append(log, 1_000 + log.len() as i64, a);
            log.push(e);
        };
        let mut queues: [Vec<(String, u64)>; 3] = Default::default();
        let mut next = 0;
        for s in steps {
            match *s {
                Step::Arrive(l) => {
                    next += 1;
                    let v = format!("51C-{next:05}");
                    push(&mut log, arrived(&v, LANES[l]));
                    queues[l].push((v, 0));
                }
                Step::Skip(l, p, r) if !queues[l].is_empty() => {
                    let p = p % queues[l].len();
                    queues[l][p].1 += 1;
                    let v = queues[l][p].0.clone();
                    push(&mut log, skipped(&v, LANES[l], r));
                }
                Step::Call(l, p, r) if !queues[l].is_empty() => {
                    let p = p % queues[l].len();
                    for (v, skips) in &mut queues[l][..p] {
                        if *skips == 0 {
                            push(&mut log, skipped(v, LANES[l], r));
                        } else {
                            *skips -= 1;
                        }
                    }
                    let (v, _) = queues[l].remove(p);
                    push(&mut log, called(&v, LANES[l]));
                }
                Step::Skip(..) | Step::Call(..) => {}
            }
        }
        log
    }

    proptest! {
        #[test]
        fn logs_of_a_fair_yard_always_verify(steps in proptest::collection::vec(step(), 0..60)) {
            let log = fair_log(&steps);
            let r = verify(&log);
            prop_assert!(r.is_ok(), "{:?}", r);
            let r = r.unwrap();
            prop_assert_eq!(r.entries, log.len() as u64);
            prop_assert_eq!(from_jsonl(&to_jsonl(&log)).unwrap(), log);
        }

        #[test]
        fn flipping_one_byte_of_any_vehicle_fails_verification(
            steps in proptest::collection::vec(step(), 1..60),
            at in any::<usize>(),
            byte in any::<usize>(),
        ) {
            let mut log = fair_log(&steps);
            prop_assume!(!log.is_empty());
            let i = at % log.len();
            let vehicle = match &mut log[i].action {
                QueueAction::Arrived { vehicle, .. } | QueueAction::Called { vehicle, .. } | QueueAction::Skipped { vehicle, .. } => vehicle,
            };
            let mut bytes = std::mem::take(vehicle).into_bytes();
            let b = byte % bytes.len();
            bytes[b] ^= 0x01; // plates are ASCII: still valid UTF-8
            *vehicle = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(verify(&log), Err(QueueViolation::Tampered { seq: i as u64 }));
        }
    }
}
