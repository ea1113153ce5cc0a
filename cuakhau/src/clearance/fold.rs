//! The clearance state of one vehicle (one declaration at one gate) as a pure fold over
//! the checkpoint events officers and gate devices post for it.
//!
//! Events are append-only: a correction is a new event (a later `document_check ok`
//! after a `document_check hold` clears the hold). The state is never stored as truth;
//! it is recomputed with [`fold`] from the required checks (set by the risk assessment)
//! and the events in the order they were accepted. Everything here is pure: no clock,
//! no I/O; times are unix milliseconds (UTC) carried by the events.
//!
//! # Events
//! An event reads `{"kind": "quarantine_check", "outcome": "ok", "at_ms": 1735689600000}`
//! or `{"kind": "arrived_yard", "at_ms": 1735689600000}`:
//!
//! | kind                  | outcome               | performs     | posted by      |
//! |-----------------------|-----------------------|--------------|----------------|
//! | `arrived_yard`        | none                  |              | border_guard   |
//! | `called_forward`      | none                  |              | border_guard   |
//! | `document_check`      | `ok`, `hold`          | `document`   | customs        |
//! | `physical_inspection` | `ok`, `hold`, `refuse`| `physical`   | customs        |
//! | `xray_scan`           | `ok`, `hold`, `refuse`| `xray`       | customs        |
//! | `quarantine_check`    | `ok`, `hold`, `refuse`| `quarantine` | quarantine     |
//! | `fee_paid`            | none                  |              | customs        |
//! | `exited`              | none                  |              | border_guard   |
//!
//! # Rules
//! An event that breaks a rule is rejected with a [`TransitionError`] whose text is the
//! reason an officer reads; the state is unchanged. Rules are checked in this order:
//! 1. Nothing is accepted after `exited`.
//! 2. The outcome must fit the kind: a check event carries one of the outcomes of its
//!    kind (`document_check` cannot `refuse`: documents are held until fixed, a refusal
//!    comes from an inspection); the other kinds carry none.
//! 3. `arrived_yard` comes first, and once; nothing else is accepted before it.
//! 4. `refuse` is final: after a refusal only `exited` is accepted (the vehicle is
//!    turned back) and the final status is `refused`.
//! 5. `called_forward` may repeat (a re-call is allowed).
//! 6. A check event for a check the vehicle does not require is rejected (it would
//!    confuse the state), with one exception: officers may always post a
//!    `document_check` (documents may be inspected at any lane). A `document_check` on a
//!    vehicle that did not require one adds `document` to its required checks: once an
//!    officer has looked at the papers, their verdict counts for exit like any other.
//! 7. A check may be repeated (a correction); the latest result counts.
//! 8. `fee_paid` once.
//! 9. `exited` only when every required check's latest result is `ok` and the fee is
//!    paid, or after a refusal.
//!
//! # Phase
//! The [`Phase`] is derived from the state after each event, first match wins:
//! `exited` after exit; `refused` after a refusal; `expected` before arrival; `held`
//! while any required check's latest result is `hold`; `cleared` when every required
//! check is `ok` and the fee is paid; `under_check` once a check event was seen;
//! `called_forward` after a call; `in_yard` otherwise.
//!
//! # Times
//! Device clocks drift, so an event whose `at_ms` is earlier than a previous event's is
//! accepted. The clearance time (`arrived_yard` → `exited`) and the waiting time
//! (`arrived_yard` → first check event) are computed from those events' own times and
//! never negative (they saturate at 0).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Agency;
use crate::clearance::model::Check;

word_enum!(
    /// What a checkpoint event records.
    EventKind {
        /// The vehicle entered the gate's yard.
        ArrivedYard => "arrived_yard",
        /// The vehicle was called forward from the yard to the control area.
        CalledForward => "called_forward",
        /// Customs checked the documents (`ok` or `hold`).
        DocumentCheck => "document_check",
        /// Customs inspected the goods (`ok`, `hold` or `refuse`).
        PhysicalInspection => "physical_inspection",
        /// The vehicle went through the X-ray scanner (`ok`, `hold` or `refuse`).
        XrayScan => "xray_scan",
        /// Plant or animal quarantine (`ok`, `hold` or `refuse`).
        QuarantineCheck => "quarantine_check",
        /// The fees were paid.
        FeePaid => "fee_paid",
        /// The vehicle left the gate (cleared, or turned back after a refusal).
        Exited => "exited",
    }
);

word_enum!(
    /// The result of a check event.
    Outcome {
        /// Passed.
        Ok => "ok",
        /// Held until something is fixed; a later event of the same kind corrects it.
        Hold => "hold",
        /// Refused: final, the vehicle is turned back.
        Refuse => "refuse",
    }
);

word_enum!(
    /// Where a vehicle stands in its clearance, derived from its events.
    Phase {
        /// Not arrived yet.
        Expected => "expected",
        /// Waiting in the yard.
        InYard => "in_yard",
        /// Called forward from the yard, no check seen yet.
        CalledForward => "called_forward",
        /// At least one check event seen, nothing held, not yet cleared.
        UnderCheck => "under_check",
        /// A required check's latest result is `hold`.
        Held => "held",
        /// A check refused the vehicle; it may only exit (turned back).
        Refused => "refused",
        /// Every required check is `ok` and the fee is paid; not yet exited.
        Cleared => "cleared",
        /// Left the gate.
        Exited => "exited",
    }
);

word_enum!(
    /// How a vehicle's clearance ended, once it exited.
    FinalStatus {
        /// Every required check passed and the fee was paid.
        Cleared => "cleared",
        /// Turned back after a refusal.
        Refused => "refused",
    }
);

const CHECK_OUTCOMES: &[Outcome] = &[Outcome::Ok, Outcome::Hold, Outcome::Refuse];
const DOCUMENT_OUTCOMES: &[Outcome] = &[Outcome::Ok, Outcome::Hold];

impl EventKind {
    /// The agency whose officers (or devices) may post this kind: `quarantine_check` →
    /// quarantine; `document_check`, `physical_inspection`, `xray_scan`, `fee_paid` →
    /// customs; `arrived_yard`, `called_forward`, `exited` → border guard.
    pub fn agency(self) -> Agency {
        match self {
            EventKind::QuarantineCheck => Agency::Quarantine,
            EventKind::DocumentCheck | EventKind::PhysicalInspection | EventKind::XrayScan | EventKind::FeePaid => {
                Agency::Customs
            }
            EventKind::ArrivedYard | EventKind::CalledForward | EventKind::Exited => Agency::BorderGuard,
        }
    }

    /// The check this kind performs, `None` for the kinds that perform none.
    pub fn check(self) -> Option<Check> {
        match self {
            EventKind::DocumentCheck => Some(Check::Document),
            EventKind::PhysicalInspection => Some(Check::Physical),
            EventKind::XrayScan => Some(Check::Xray),
            EventKind::QuarantineCheck => Some(Check::Quarantine),
            EventKind::ArrivedYard | EventKind::CalledForward | EventKind::FeePaid | EventKind::Exited => None,
        }
    }

    /// The event kind that performs `check` (the inverse of [`EventKind::check`]).
    pub fn for_check(check: Check) -> EventKind {
        match check {
            Check::Document => EventKind::DocumentCheck,
            Check::Physical => EventKind::PhysicalInspection,
            Check::Xray => EventKind::XrayScan,
            Check::Quarantine => EventKind::QuarantineCheck,
        }
    }

    /// The outcomes an event of this kind may carry; empty for kinds that carry none.
    pub fn outcomes(self) -> &'static [Outcome] {
        match self {
            EventKind::DocumentCheck => DOCUMENT_OUTCOMES,
            EventKind::PhysicalInspection | EventKind::XrayScan | EventKind::QuarantineCheck => CHECK_OUTCOMES,
            EventKind::ArrivedYard | EventKind::CalledForward | EventKind::FeePaid | EventKind::Exited => &[],
        }
    }
}

/// One event posted for a vehicle at a gate, e.g.
/// `{"kind": "quarantine_check", "outcome": "ok", "at_ms": 1735689600000}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckpointEvent {
    /// What happened.
    pub kind: EventKind,
    /// The result, for check events only (omitted otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// When, in unix milliseconds (UTC), by the posting officer's or device's clock.
    pub at_ms: i64,
}

impl CheckpointEvent {
    /// An event without an outcome (`arrived_yard`, `called_forward`, `fee_paid`, `exited`).
    pub fn new(kind: EventKind, at_ms: i64) -> Self {
        CheckpointEvent { kind, outcome: None, at_ms }
    }

    /// A check event with its outcome.
    pub fn with_outcome(kind: EventKind, outcome: Outcome, at_ms: i64) -> Self {
        CheckpointEvent { kind, outcome: Some(outcome), at_ms }
    }
}

/// Why an event was rejected; the text is the reason shown to the officer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The vehicle already exited.
    #[error("no event is accepted after exited")]
    AfterExit,
    /// A check event without an outcome.
    #[error("{kind} needs an outcome of {}", or_list(.kind.outcomes()))]
    MissingOutcome {
        /// The event's kind.
        kind: EventKind,
    },
    /// A check event with an outcome its kind does not have.
    #[error("{outcome} is not an outcome of {kind}")]
    InvalidOutcome {
        /// The event's kind.
        kind: EventKind,
        /// The outcome it carried.
        outcome: Outcome,
    },
    /// An event that carries no outcome was posted with one.
    #[error("{kind} takes no outcome (got {outcome})")]
    UnexpectedOutcome {
        /// The event's kind.
        kind: EventKind,
        /// The outcome it carried.
        outcome: Outcome,
    },
    /// Anything but `arrived_yard` before arrival.
    #[error("{kind} before arrived_yard")]
    BeforeArrival {
        /// The event's kind.
        kind: EventKind,
    },
    /// A second `arrived_yard`.
    #[error("arrived_yard twice")]
    ArrivedTwice,
    /// Anything but `exited` after a refusal.
    #[error("{kind} after a refusal: the vehicle is turned back, only exited is accepted")]
    AfterRefusal {
        /// The event's kind.
        kind: EventKind,
    },
    /// A check event for a check the vehicle does not require.
    #[error("{kind} is not required for this vehicle (required checks: {})", and_list(.required))]
    NotRequired {
        /// The event's kind.
        kind: EventKind,
        /// The checks the vehicle requires.
        required: Vec<Check>,
    },
    /// A second `fee_paid`.
    #[error("fee_paid twice")]
    FeePaidTwice,
    /// `exited` while a required check is not `ok` (and no refusal).
    #[error("exited before every required check is ok: {}", pending(.outstanding, .held))]
    ExitBeforeChecks {
        /// Required checks with no result yet.
        outstanding: Vec<Check>,
        /// Required checks whose latest result is `hold`.
        held: Vec<Check>,
    },
    /// `exited` with every check `ok` but the fee unpaid.
    #[error("exited before the fee is paid")]
    ExitBeforeFee,
}

fn or_list(outcomes: &[Outcome]) -> String {
    match outcomes {
        [] => "none".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => {
            format!("{} or {last}", init.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", "))
        }
    }
}

fn and_list(checks: &[Check]) -> String {
    if checks.is_empty() {
        "none".to_string()
    } else {
        checks.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn pending(outstanding: &[Check], held: &[Check]) -> String {
    outstanding
        .iter()
        .map(|c| format!("{c} outstanding"))
        .chain(held.iter().map(|c| format!("{c} on hold")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The clearance state of one vehicle after some events (see the module rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClearanceState {
    /// Where the vehicle stands, derived from the rest.
    pub phase: Phase,
    /// The checks the vehicle must pass, in [`Check`] order, without duplicates.
    pub required: Vec<Check>,
    /// The latest result of each check seen, e.g. `{"document": "ok", "quarantine": "hold"}`.
    #[schema(value_type = BTreeMap<String, Outcome>)]
    pub results: BTreeMap<Check, Outcome>,
    /// Whether `fee_paid` was posted.
    pub fee_paid: bool,
    /// Time of `arrived_yard`.
    pub arrived_at_ms: Option<i64>,
    /// Time of the latest `called_forward`.
    pub called_forward_at_ms: Option<i64>,
    /// Time of the first check event.
    pub first_check_at_ms: Option<i64>,
    /// Time of `exited`.
    pub exited_at_ms: Option<i64>,
    /// Whether a check refused the vehicle.
    pub refused: bool,
    /// How many events were accepted.
    pub events: usize,
}

impl ClearanceState {
    /// The state of a vehicle that has not arrived, which must pass `required` (duplicates
    /// are ignored).
    pub fn new(required: &[Check]) -> Self {
        let mut required = required.to_vec();
        required.sort();
        required.dedup();
        ClearanceState {
            phase: Phase::Expected,
            required,
            results: BTreeMap::new(),
            fee_paid: false,
            arrived_at_ms: None,
            called_forward_at_ms: None,
            first_check_at_ms: None,
            exited_at_ms: None,
            refused: false,
            events: 0,
        }
    }

    /// The state after `e`, or why `e` is rejected (the state itself never changes).
    pub fn apply(&self, e: &CheckpointEvent) -> Result<ClearanceState, TransitionError> {
        if self.exited_at_ms.is_some() {
            return Err(TransitionError::AfterExit);
        }
        let kind = e.kind;
        match (kind.outcomes().is_empty(), e.outcome) {
            (false, None) => return Err(TransitionError::MissingOutcome { kind }),
            (false, Some(outcome)) if !kind.outcomes().contains(&outcome) => {
                return Err(TransitionError::InvalidOutcome { kind, outcome })
            }
            (true, Some(outcome)) => return Err(TransitionError::UnexpectedOutcome { kind, outcome }),
            _ => {}
        }
        if self.arrived_at_ms.is_none() && kind != EventKind::ArrivedYard {
            return Err(TransitionError::BeforeArrival { kind });
        }
        if self.refused && kind != EventKind::Exited {
            return Err(TransitionError::AfterRefusal { kind });
        }

        let mut next = self.clone();
        if let (Some(check), Some(outcome)) = (kind.check(), e.outcome) {
            if !next.required.contains(&check) {
                if check != Check::Document {
                    return Err(TransitionError::NotRequired { kind, required: self.required.clone() });
                }
                next.required.push(check);
                next.required.sort();
            }
            next.results.insert(check, outcome);
            next.first_check_at_ms.get_or_insert(e.at_ms);
            if outcome == Outcome::Refuse {
                next.refused = true;
            }
        } else {
            match kind {
                EventKind::ArrivedYard => {
                    if self.arrived_at_ms.is_some() {
                        return Err(TransitionError::ArrivedTwice);
                    }
                    next.arrived_at_ms = Some(e.at_ms);
                }
                EventKind::CalledForward => next.called_forward_at_ms = Some(e.at_ms),
                EventKind::FeePaid => {
                    if self.fee_paid {
                        return Err(TransitionError::FeePaidTwice);
                    }
                    next.fee_paid = true;
                }
                EventKind::Exited => {
                    if !self.refused {
                        let held = self.held();
                        let outstanding: Vec<Check> =
                            self.outstanding().into_iter().filter(|c| !held.contains(c)).collect();
                        if !outstanding.is_empty() || !held.is_empty() {
                            return Err(TransitionError::ExitBeforeChecks { outstanding, held });
                        }
                        if !self.fee_paid {
                            return Err(TransitionError::ExitBeforeFee);
                        }
                    }
                    next.exited_at_ms = Some(e.at_ms);
                }
                // Check kinds always carry a check and (validated above) an outcome.
                EventKind::DocumentCheck
                | EventKind::PhysicalInspection
                | EventKind::XrayScan
                | EventKind::QuarantineCheck => {}
            }
        }
        next.events += 1;
        next.phase = next.derive_phase();
        Ok(next)
    }

    fn derive_phase(&self) -> Phase {
        if self.exited_at_ms.is_some() {
            Phase::Exited
        } else if self.refused {
            Phase::Refused
        } else if self.arrived_at_ms.is_none() {
            Phase::Expected
        } else if !self.held().is_empty() {
            Phase::Held
        } else if self.fee_paid && self.outstanding().is_empty() {
            Phase::Cleared
        } else if self.first_check_at_ms.is_some() {
            Phase::UnderCheck
        } else if self.called_forward_at_ms.is_some() {
            Phase::CalledForward
        } else {
            Phase::InYard
        }
    }

    /// Required checks whose latest result is not `ok` (none yet, `hold` or `refuse`).
    pub fn outstanding(&self) -> Vec<Check> {
        self.required.iter().copied().filter(|c| self.results.get(c) != Some(&Outcome::Ok)).collect()
    }

    /// Required checks whose latest result is `hold`.
    pub fn held(&self) -> Vec<Check> {
        self.required.iter().copied().filter(|c| self.results.get(c) == Some(&Outcome::Hold)).collect()
    }

    /// Milliseconds from `arrived_yard` to `exited` (0 if the device clocks disagree),
    /// once exited.
    pub fn clearance_time_ms(&self) -> Option<i64> {
        Some(self.exited_at_ms?.saturating_sub(self.arrived_at_ms?).max(0))
    }

    /// Milliseconds from `arrived_yard` to the first check event (0 if the device clocks
    /// disagree), once a check was seen.
    pub fn waiting_time_ms(&self) -> Option<i64> {
        Some(self.first_check_at_ms?.saturating_sub(self.arrived_at_ms?).max(0))
    }

    /// `cleared` or `refused` once exited; `None` before.
    pub fn final_status(&self) -> Option<FinalStatus> {
        self.exited_at_ms?;
        Some(if self.refused { FinalStatus::Refused } else { FinalStatus::Cleared })
    }
}

/// Folds `events` in order over a new state requiring `required`. On the first rejected
/// event, returns its index and the reason.
pub fn fold(required: &[Check], events: &[CheckpointEvent]) -> Result<ClearanceState, (usize, TransitionError)> {
    events
        .iter()
        .enumerate()
        .try_fold(ClearanceState::new(required), |state, (i, e)| state.apply(e).map_err(|err| (i, err)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use EventKind::*;

    fn ev(kind: EventKind, at_ms: i64) -> CheckpointEvent {
        CheckpointEvent::new(kind, at_ms)
    }

    fn chk(kind: EventKind, outcome: Outcome, at_ms: i64) -> CheckpointEvent {
        CheckpointEvent::with_outcome(kind, outcome, at_ms)
    }

    fn reason(required: &[Check], events: &[CheckpointEvent]) -> (usize, String) {
        let (i, e) = fold(required, events).expect_err("should be rejected");
        (i, e.to_string())
    }

    #[test]
    fn a_green_lane_vehicle_with_no_checks_arrives_pays_and_exits() {
        let s = fold(&[], &[ev(ArrivedYard, 1_000), ev(FeePaid, 2_000)]).unwrap();
        assert_eq!(s.phase, Phase::Cleared);
        let s = s.apply(&ev(Exited, 3_000)).unwrap();
        assert_eq!(s.phase, Phase::Exited);
        assert_eq!(s.final_status(), Some(FinalStatus::Cleared));
        assert_eq!(s.events, 3);
        assert_eq!(s.waiting_time_ms(), None);
    }

    #[test]
    fn a_durian_truck_cannot_exit_before_quarantine_is_ok() {
        let required = [Check::Document, Check::Quarantine];
        let mut events = vec![
            ev(ArrivedYard, 0),
            ev(CalledForward, 10),
            chk(DocumentCheck, Outcome::Ok, 20),
            ev(FeePaid, 30),
            ev(Exited, 40),
        ];
        let (i, why) = reason(&required, &events);
        assert_eq!(i, 4);
        assert_eq!(why, "exited before every required check is ok: quarantine outstanding");

        events.insert(4, chk(QuarantineCheck, Outcome::Ok, 35));
        let s = fold(&required, &events).unwrap();
        assert_eq!(s.final_status(), Some(FinalStatus::Cleared));
    }

    #[test]
    fn a_held_check_then_ok_clears_the_hold() {
        let required = [Check::Document];
        let s = fold(&required, &[ev(ArrivedYard, 0), chk(DocumentCheck, Outcome::Hold, 5), ev(FeePaid, 6)]).unwrap();
        assert_eq!(s.phase, Phase::Held);
        assert_eq!(
            s.apply(&ev(Exited, 7)).unwrap_err().to_string(),
            "exited before every required check is ok: document on hold"
        );
        let s = s.apply(&chk(DocumentCheck, Outcome::Ok, 8)).unwrap();
        assert_eq!(s.phase, Phase::Cleared);
        assert!(s.outstanding().is_empty());
        assert_eq!(s.apply(&ev(Exited, 9)).unwrap().phase, Phase::Exited);
    }

    #[test]
    fn a_refusal_then_exit_ends_refused_and_nothing_else_is_accepted_in_between() {
        let required = [Check::Physical, Check::Quarantine];
        let s = fold(&required, &[ev(ArrivedYard, 0), chk(QuarantineCheck, Outcome::Refuse, 5)]).unwrap();
        assert_eq!(s.phase, Phase::Refused);
        assert_eq!(
            s.apply(&chk(QuarantineCheck, Outcome::Ok, 6)).unwrap_err().to_string(),
            "quarantine_check after a refusal: the vehicle is turned back, only exited is accepted"
        );
        assert!(s.apply(&ev(FeePaid, 6)).is_err());
        let s = s.apply(&ev(Exited, 9)).unwrap();
        assert_eq!(s.final_status(), Some(FinalStatus::Refused));
        assert_eq!(s.outstanding(), vec![Check::Physical, Check::Quarantine]);
    }

    #[test]
    fn exiting_twice_is_rejected() {
        let (i, why) = reason(&[], &[ev(ArrivedYard, 0), ev(FeePaid, 1), ev(Exited, 2), ev(Exited, 3)]);
        assert_eq!((i, why.as_str()), (3, "no event is accepted after exited"));
    }

    #[test]
    fn a_document_check_cannot_refuse_and_outcomes_must_fit_the_kind() {
        let arrived = fold(&[Check::Document], &[ev(ArrivedYard, 0)]).unwrap();
        let why = |e| arrived.apply(&e).unwrap_err().to_string();
        assert_eq!(why(chk(DocumentCheck, Outcome::Refuse, 1)), "refuse is not an outcome of document_check");
        assert_eq!(why(ev(DocumentCheck, 1)), "document_check needs an outcome of ok or hold");
        assert_eq!(why(ev(QuarantineCheck, 1)), "quarantine_check needs an outcome of ok, hold or refuse");
        assert_eq!(why(chk(FeePaid, Outcome::Ok, 1)), "fee_paid takes no outcome (got ok)");
    }

    #[test]
    fn events_before_arrival_are_rejected_and_arrival_happens_once() {
        assert_eq!(reason(&[], &[ev(CalledForward, 0)]), (0, "called_forward before arrived_yard".into()));
        assert_eq!(reason(&[], &[ev(FeePaid, 0)]), (0, "fee_paid before arrived_yard".into()));
        assert_eq!(reason(&[], &[ev(Exited, 0)]), (0, "exited before arrived_yard".into()));
        assert_eq!(
            reason(&[Check::Document], &[chk(DocumentCheck, Outcome::Ok, 0)]),
            (0, "document_check before arrived_yard".into())
        );
        assert_eq!(reason(&[], &[ev(ArrivedYard, 0), ev(ArrivedYard, 1)]), (1, "arrived_yard twice".into()));
        assert_eq!(ClearanceState::new(&[]).phase, Phase::Expected);
    }

    #[test]
    fn a_check_the_vehicle_does_not_require_is_rejected_except_documents() {
        let (_, why) = reason(&[], &[ev(ArrivedYard, 0), chk(PhysicalInspection, Outcome::Ok, 1)]);
        assert_eq!(why, "physical_inspection is not required for this vehicle (required checks: none)");
        let (_, why) = reason(&[Check::Quarantine, Check::Document], &[ev(ArrivedYard, 0), chk(XrayScan, Outcome::Ok, 1)]);
        assert_eq!(why, "xray_scan is not required for this vehicle (required checks: document, quarantine)");

        // Documents may be inspected at any lane, and then their verdict counts.
        let s = fold(&[], &[ev(ArrivedYard, 0), ev(FeePaid, 1), chk(DocumentCheck, Outcome::Hold, 2)]).unwrap();
        assert_eq!(s.required, vec![Check::Document]);
        assert_eq!(s.phase, Phase::Held);
        assert!(s.apply(&ev(Exited, 3)).is_err());
    }

    #[test]
    fn a_repeated_call_forward_and_phases_follow_the_events() {
        let required = [Check::Xray];
        let s = fold(&required, &[ev(ArrivedYard, 0)]).unwrap();
        assert_eq!(s.phase, Phase::InYard);
        let s = s.apply(&ev(CalledForward, 1)).unwrap().apply(&ev(CalledForward, 2)).unwrap();
        assert_eq!((s.phase, s.called_forward_at_ms), (Phase::CalledForward, Some(2)));
        let s = s.apply(&ev(FeePaid, 3)).unwrap();
        assert_eq!(s.phase, Phase::CalledForward);
        assert_eq!(s.apply(&ev(FeePaid, 3)).unwrap_err(), TransitionError::FeePaidTwice);
        let s = s.apply(&chk(XrayScan, Outcome::Ok, 4)).unwrap();
        assert_eq!(s.phase, Phase::Cleared);
    }

    #[test]
    fn clearance_and_waiting_times_are_computed_and_never_negative() {
        let required = [Check::Document];
        let s = fold(
            &required,
            &[
                ev(ArrivedYard, 60_000),
                ev(CalledForward, 600_000),
                chk(DocumentCheck, Outcome::Ok, 900_000),
                ev(FeePaid, 1_000_000),
                ev(Exited, 1_860_000),
            ],
        )
        .unwrap();
        assert_eq!(s.waiting_time_ms(), Some(840_000));
        assert_eq!(s.clearance_time_ms(), Some(1_800_000));

        // A gate device whose clock is behind the yard's.
        let s = fold(&required, &[ev(ArrivedYard, 5_000), chk(DocumentCheck, Outcome::Ok, 1_000), ev(FeePaid, 2_000), ev(Exited, 3_000)])
            .unwrap();
        assert_eq!((s.waiting_time_ms(), s.clearance_time_ms()), (Some(0), Some(0)));
        let extreme = fold(&[], &[ev(ArrivedYard, i64::MAX), ev(FeePaid, 0), ev(Exited, i64::MIN)]).unwrap();
        assert_eq!(extreme.clearance_time_ms(), Some(0));
        assert_eq!(ClearanceState::new(&[]).clearance_time_ms(), None);
    }

    #[test]
    fn events_and_state_have_a_readable_json_shape() {
        let e: CheckpointEvent = serde_json::from_str(r#"{"kind": "quarantine_check", "outcome": "ok", "at_ms": 5}"#).unwrap();
        assert_eq!(e, chk(QuarantineCheck, Outcome::Ok, 5));
        let e: CheckpointEvent = serde_json::from_str(r#"{"kind": "arrived_yard", "at_ms": 1}"#).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"kind":"arrived_yard","at_ms":1}"#);
        assert!(serde_json::from_str::<CheckpointEvent>(r#"{"kind": "teleported", "at_ms": 1}"#).is_err());

        let s = fold(&[Check::Quarantine], &[ev(ArrivedYard, 0), chk(QuarantineCheck, Outcome::Hold, 1)]).unwrap();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["results"], serde_json::json!({"quarantine": "hold"}));
        assert_eq!(json["phase"], "held");
        let back: ClearanceState = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn each_kind_is_posted_by_one_agency() {
        assert_eq!(QuarantineCheck.agency(), Agency::Quarantine);
        assert_eq!(FeePaid.agency(), Agency::Customs);
        assert_eq!(Exited.agency(), Agency::BorderGuard);
        for c in Check::ALL {
            assert_eq!(EventKind::for_check(*c).check(), Some(*c));
        }
        assert_eq!(ArrivedYard.check(), None);
    }

    fn any_event() -> impl Strategy<Value = CheckpointEvent> {
        (
            proptest::sample::select(EventKind::ALL),
            // Mostly ok, so that random sequences often get all the way to exit.
            proptest::option::weighted(0.9, prop_oneof![6 => Just(Outcome::Ok), 2 => Just(Outcome::Hold), 1 => Just(Outcome::Refuse)]),
            prop_oneof![0i64..10_000, any::<i64>()],
        )
            .prop_map(|(kind, outcome, at_ms)| CheckpointEvent { kind, outcome, at_ms })
    }

    fn any_required() -> impl Strategy<Value = Vec<Check>> {
        proptest::collection::vec(proptest::sample::select(Check::ALL), 0..4)
    }

    fn assert_invariants(s: &ClearanceState) -> Result<(), TestCaseError> {
        if s.final_status() == Some(FinalStatus::Cleared) || s.phase == Phase::Cleared {
            prop_assert!(s.fee_paid);
            for c in &s.required {
                prop_assert_eq!(s.results.get(c), Some(&Outcome::Ok));
            }
        }
        prop_assert_eq!(s.final_status().is_some(), s.phase == Phase::Exited);
        prop_assert!(s.clearance_time_ms().unwrap_or(0) >= 0);
        prop_assert!(s.waiting_time_ms().unwrap_or(0) >= 0);
        Ok(())
    }

    proptest! {
        #[test]
        fn fold_never_panics_and_a_cleared_exit_means_every_check_ok_and_fee_paid(
            required in any_required(),
            events in proptest::collection::vec(any_event(), 0..30),
        ) {
            if let Ok(s) = fold(&required, &events) {
                prop_assert_eq!(s.events, events.len());
                assert_invariants(&s)?;
            }
        }

        /// Posting random events and keeping only the accepted ones reaches far deeper
        /// states than a fold that stops at the first rejection.
        #[test]
        fn every_state_reached_by_accepted_events_keeps_the_invariant(
            required in any_required(),
            events in proptest::collection::vec(any_event(), 0..80),
        ) {
            let mut s = ClearanceState::new(&required);
            for e in &events {
                match s.apply(e) {
                    Ok(next) => {
                        prop_assert_eq!(next.events, s.events + 1);
                        s = next;
                        assert_invariants(&s)?;
                    }
                    Err(err) => prop_assert!(!err.to_string().is_empty()),
                }
            }
        }
    }
}
