//! Clearance-time metrics: clearance time (`arrived_yard` → `exited`) and waiting time
//! (`arrived_yard` → first check) per gate, lane, direction and day — count, p50, p90,
//! p99 — vehicles per hour, the current queue by lane, and a predicted clearance time for
//! a vehicle joining a lane now.
//!
//! Percentiles are computed exactly (nearest-rank) from the per-vehicle facts written at
//! exit; the same SQL runs on both backends.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{Backend, Db, StoreError};
use crate::http::error::ApiError;

/// Count and percentiles of a set of durations, in minutes (one decimal).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct Distribution {
    /// Vehicles.
    pub count: usize,
    /// Median, minutes.
    pub p50_min: Option<f64>,
    /// 90th percentile, minutes.
    pub p90_min: Option<f64>,
    /// 99th percentile, minutes.
    pub p99_min: Option<f64>,
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

impl Distribution {
    /// From durations in milliseconds (sorted here).
    pub fn of(mut ms: Vec<i64>) -> Self {
        ms.sort_unstable();
        let min = |v: Option<i64>| v.map(|x| (x as f64 / 6_000.0).round() / 10.0);
        Distribution {
            count: ms.len(),
            p50_min: min(percentile(&ms, 50.0)),
            p90_min: min(percentile(&ms, 90.0)),
            p99_min: min(percentile(&ms, 99.0)),
        }
    }
}

/// Metrics of one group (day, lane, direction).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupMetrics {
    /// Local date (UTC+7).
    pub day: String,
    /// Lane.
    pub lane: String,
    /// Direction.
    pub direction: String,
    /// Clearance time.
    pub clearance: Distribution,
    /// Waiting time before the first check.
    pub waiting: Distribution,
    /// Refused vehicles.
    pub refused: usize,
}

/// A gate's metrics over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GateMetrics {
    /// Gate.
    pub gate: String,
    /// First day (local).
    pub from: String,
    /// Last day (local).
    pub to: String,
    /// All vehicles of the period.
    pub total: GroupMetrics,
    /// By day, lane and direction.
    pub groups: Vec<GroupMetrics>,
    /// Vehicles that exited, by local hour of day (0–23), over the period.
    pub exits_by_hour: Vec<usize>,
}

/// Metrics of `gate` for local days `from..=to` (`YYYY-MM-DD`).
///
/// The database groups the facts by day, lane and direction and hands each group's
/// durations over as one comma-separated list (a year is ~2,000 rows instead of 300,000),
/// and counts exits by hour itself; the exact percentiles are computed here.
pub async fn gate_metrics(db: &Db, gate: &str, from: &str, to: &str) -> Result<GateMetrics, ApiError> {
    #[derive(sqlx::FromRow)]
    struct GroupRow {
        day: String,
        lane: String,
        direction: String,
        clearance: Option<String>,
        waiting: Option<String>,
        refused: i64,
    }
    let agg = match db.backend {
        Backend::Sqlite => "group_concat",
        Backend::Postgres => "string_agg",
    };
    let sql = format!(
        "SELECT day, lane, direction, \
         {agg}(CAST(CASE WHEN final_status <> 'refused' THEN clearance_ms END AS TEXT), ',') AS clearance, \
         {agg}(CAST(wait_ms AS TEXT), ',') AS waiting, \
         SUM(CASE WHEN final_status = 'refused' THEN 1 ELSE 0 END) AS refused \
         FROM clearance_facts WHERE gate_id = $1 AND day >= $2 AND day <= $3 GROUP BY day, lane, direction ORDER BY day, lane, direction"
    );
    let rows: Vec<GroupRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(gate)
        .bind(from)
        .bind(to)
        .fetch_all(&db.pool)
        .await
        .map_err(StoreError::from)?;
    // Exits by local hour (UTC+7), counted by the database.
    let hours: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ((exited_ms / 1000 + 25200) % 86400) / 3600 AS hour, COUNT(*) FROM clearance_facts \
         WHERE gate_id = $1 AND day >= $2 AND day <= $3 GROUP BY ((exited_ms / 1000 + 25200) % 86400) / 3600",
    )
    .bind(gate)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await
    .map_err(StoreError::from)?;
    let mut by_hour = vec![0usize; 24];
    for (hour, n) in hours {
        if let Some(slot) = usize::try_from(hour).ok().and_then(|h| by_hour.get_mut(h)) {
            *slot += usize::try_from(n).unwrap_or(0);
        }
    }
    let parse = |list: Option<String>| -> Vec<i64> { list.map(|l| l.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default() };
    let (mut all_c, mut all_w, mut all_r) = (Vec::new(), Vec::new(), 0usize);
    let mut groups = Vec::with_capacity(rows.len());
    for r in rows {
        let (c, w) = (parse(r.clearance), parse(r.waiting));
        all_c.extend_from_slice(&c);
        all_w.extend_from_slice(&w);
        let refused = usize::try_from(r.refused).unwrap_or(0);
        all_r += refused;
        groups.push(GroupMetrics { day: r.day, lane: r.lane, direction: r.direction, clearance: Distribution::of(c), waiting: Distribution::of(w), refused });
    }
    Ok(GateMetrics {
        gate: gate.into(),
        from: from.into(),
        to: to.into(),
        total: GroupMetrics { day: format!("{from}..{to}"), lane: "all".into(), direction: "all".into(), clearance: Distribution::of(all_c), waiting: Distribution::of(all_w), refused: all_r },
        groups,
        exits_by_hour: by_hour,
    })
}

/// The yard now, for one lane.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LaneQueue {
    /// Lane.
    pub lane: String,
    /// Vehicles in the yard (arrived, not exited).
    pub in_yard: usize,
    /// Vehicles waiting to be called.
    pub waiting: usize,
    /// Longest wait so far, minutes.
    pub longest_wait_min: Option<f64>,
    /// Vehicles that exited this lane in the last 2 hours, per hour.
    pub recent_exits_per_hour: f64,
    /// Predicted clearance time for a vehicle joining now, minutes.
    pub predicted_clearance_min: Option<f64>,
    /// Vehicles in the lane, longest waiting first: (declaration, phase, minutes waiting).
    pub vehicles: Vec<(String, String, f64)>,
}

/// The current queue of a gate by lane, with a prediction for a vehicle joining now:
/// the vehicles ahead at the lane's recent exit rate, plus the lane's median clearance
/// time over the last 7 days (or, with no history, the vehicles ahead × 10 minutes).
pub async fn gate_queue(db: &Db, gate: &str, now_ms: i64) -> Result<Vec<LaneQueue>, ApiError> {
    let in_yard: Vec<(String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT declaration_id, lane, phase, arrived_at_ms FROM vehicle_states WHERE gate_id = $1 \
         AND phase IN ('in_yard', 'called_forward', 'under_check', 'held', 'refused', 'cleared') \
         ORDER BY arrived_at_ms, declaration_id",
    )
    .bind(gate)
    .fetch_all(&db.pool)
    .await
    .map_err(StoreError::from)?;
    let recent: Vec<(String, i64)> = sqlx::query_as("SELECT lane, COUNT(*) FROM clearance_facts WHERE gate_id = $1 AND exited_ms >= $2 GROUP BY lane")
        .bind(gate)
        .bind(now_ms - 2 * 3_600_000)
        .fetch_all(&db.pool)
        .await
        .map_err(StoreError::from)?;
    let week: Vec<(String, i64)> = sqlx::query_as(
        "SELECT lane, clearance_ms FROM clearance_facts WHERE gate_id = $1 AND exited_ms >= $2 AND final_status = 'cleared'",
    )
    .bind(gate)
    .bind(now_ms - 7 * 86_400_000)
    .fetch_all(&db.pool)
    .await
    .map_err(StoreError::from)?;
    let mut out = Vec::new();
    for lane in ["green", "yellow", "red"] {
        let vehicles: Vec<(String, String, f64)> = in_yard
            .iter()
            .filter(|v| v.1 == lane)
            .map(|v| (v.0.clone(), v.2.clone(), v.3.map_or(0.0, |a| ((now_ms - a).max(0) as f64 / 6_000.0).round() / 10.0)))
            .collect();
        let waiting = vehicles.iter().filter(|v| v.1 == "in_yard").count();
        let rate = recent.iter().find(|r| r.0 == lane).map_or(0.0, |r| r.1 as f64 / 2.0);
        let mut history: Vec<i64> = week.iter().filter(|w| w.0 == lane).map(|w| w.1).collect();
        history.sort_unstable();
        let median_min = percentile(&history, 50.0).map(|m| m as f64 / 60_000.0);
        let ahead = vehicles.len() as f64;
        let predicted = match (median_min, rate > 0.0) {
            (Some(m), true) => Some(ahead / rate * 60.0 + m),
            (Some(m), false) => Some(ahead * 10.0 + m),
            (None, _) if ahead > 0.0 => Some(ahead * 10.0),
            (None, _) => None,
        };
        out.push(LaneQueue {
            lane: lane.into(),
            in_yard: vehicles.len(),
            waiting,
            longest_wait_min: vehicles.iter().map(|v| v.2).fold(None, |a: Option<f64>, x| Some(a.map_or(x, |a| a.max(x)))),
            recent_exits_per_hour: rate,
            predicted_clearance_min: predicted.map(|p| (p * 10.0).round() / 10.0),
            vehicles,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 90.0), Some(90));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn distributions_are_in_minutes() {
        let d = Distribution::of(vec![60_000, 120_000, 30 * 60_000]);
        assert_eq!(d.count, 3);
        assert_eq!(d.p50_min, Some(2.0));
        assert_eq!(d.p99_min, Some(30.0));
    }
}
