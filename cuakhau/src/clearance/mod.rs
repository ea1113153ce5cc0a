//! Goods clearance: declarations, risk assessment, slot booking, passes, checkpoint
//! events and clearance-time metrics. (Being built: issue 3.)
//!
//! # Layout
//! - [`model`]: HS codes, money, lanes, checks, directions.
//! - [`declaration`]: the declaration body, its validation and lifecycle.
//! - [`rules`]: risk rules (TOML) and the assessment — pure.
//! - [`fold`]: a vehicle's clearance state as a fold over its checkpoint events — pure.
//! - [`queue`]: the hash-chained yard queue and its verification — pure.
//! - [`traffic`]: realistic gate traffic (arrivals, commodity mix, service times, a
//!   simulated yard) for `cuakhau demo` and the benchmarks — pure.
//! - [`service`]: declaration workflows (create, amend, submit, cancel, read).
//! - [`booking`]: slots, bookings, passes, no-shows.
//! - [`keys`]: the node's pass-signing keys.
//! - [`events`]: checkpoint events, the vehicle-state projection, the yard queue.
//! - [`metrics`]: clearance-time percentiles, the current queue, predictions.
//! - [`api`]: JSON handlers.
//! - [`pages`]: the web UI for traders, officers and managers.

pub mod api;
pub mod booking;
pub mod declaration;
pub mod events;
pub mod fold;
pub mod keys;
pub mod metrics;
pub mod model;
pub mod pages;
pub mod queue;
pub mod rules;
pub mod service;
pub mod traffic;

use std::time::Duration;

use crate::config::ClearanceConfig;
use crate::http::AppState;

/// The risk rules the configuration names, or the shipped ones.
pub fn load_rules(cfg: &ClearanceConfig) -> Result<rules::RuleSet, String> {
    if cfg.risk_rules.trim().is_empty() {
        return Ok(rules::RuleSet::default_rules());
    }
    let text = std::fs::read_to_string(&cfg.risk_rules).map_err(|e| format!("cannot read risk rules {}: {e}", cfg.risk_rules))?;
    rules::RuleSet::parse(&text).map_err(|e| format!("risk rules {}: {e}", cfg.risk_rules))
}

/// Background work of the clearance capability: releasing no-shows every minute.
pub fn spawn_workers(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match booking::release_no_shows(&state.db, &state.config.clearance, model::Now::wall()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(released = n, "no-shows released"),
                Err(e) => tracing::warn!(error = %e, "no-show release failed"),
            }
        }
    })
}
