//! `cuakhau bench clearance`: checkpoint events into SQLite and PostgreSQL through the
//! service layer ([`events::record_batch`], the function the HTTP handler calls), the raw
//! ceiling of the same rows inserted with no service layer, and the dashboard's queries
//! over a year of a busy gate.
//!
//! # Workload
//! A year at Mộc Bài (≈ 820 trucks a day, 300,000 in all; `--quick`: 6,000): lanes
//! green 60 % / yellow 25 % / red 15 %, a third perishable (quarantine), x-ray on half the
//! red lane; one document check in twenty is held once before it passes, one quarantine
//! check in fifty likewise, one in five hundred refused. The gate works in waves of 100
//! trucks: the border guard posts their arrivals, then their calls; customs posts the
//! checks; quarantine its checks; customs the fees; the border guard the exits — six
//! batches of 100–200 events per wave, each event with its own client id, each batch
//! by an officer of the agency the events belong to.
//!
//! The trucks' declarations are seeded as booked rows before timing starts (creating
//! 300,000 through the declaration workflow would measure that workflow, not events).
//! A first share of the trucks is posted one event per request, the case of a gate
//! device reporting as things happen.

use std::time::{Duration, Instant};

use crate::auth::{Agency, Principal, Role};
use crate::clearance::declaration::plate_key;
use crate::clearance::events::{self, EventBatch, EventIn};
use crate::clearance::fold::{EventKind, Outcome};
use crate::clearance::metrics;
use crate::clearance::model::Now;
use crate::db::{insert_rows, Arg, Db};

use super::{percentile_ms, BenchArgs, Report, Scratch};

/// The gate measured: Mộc Bài, the busiest road gate to Cambodia.
const GATE_NAME: &str = "Mộc Bài";
/// Trucks in a wave.
const WAVE: usize = 100;
/// 2025-01-01T00:00:00+07:00 in unix ms: the year starts at the gate's midnight.
const YEAR_START_MS: i64 = 1_735_664_400_000;

/// Sizes of one run.
struct Sizes {
    /// Trucks over the year.
    vehicles: usize,
    /// Of which posted one event per request.
    single: usize,
}

pub async fn run(args: &BenchArgs) -> anyhow::Result<Report> {
    let sizes = if args.quick { Sizes { vehicles: 6_000, single: 200 } } else { Sizes { vehicles: 300_000, single: 2_000 } };
    let mut report = Report::new("clearance");
    report.put("vehicles_count", sizes.vehicles as f64);

    let sqlite = Scratch::sqlite("clearance").await?;
    measure(&sqlite.db, "sqlite", &sizes, &mut report).await?;
    sqlite.drop_db().await?;
    let raw = Scratch::sqlite("raw").await?;
    raw_ceiling(&raw.db, "sqlite", &sizes, &mut report).await?;
    raw.drop_db().await?;
    ratio(&mut report, "sqlite");

    if !args.no_postgres {
        let url = args
            .postgres_url
            .clone()
            .or_else(|| std::env::var("CUAKHAU_BENCH_POSTGRES").ok())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
        if let Some(pg) = Scratch::postgres(&url, "clearance").await? {
            let outcome = measure(&pg.db, "postgres", &sizes, &mut report).await;
            pg.drop_db().await?;
            outcome?;
            if let Some(raw) = Scratch::postgres(&url, "raw").await? {
                let outcome = raw_ceiling(&raw.db, "postgres", &sizes, &mut report).await;
                raw.drop_db().await?;
                outcome?;
                ratio(&mut report, "postgres");
            }
        }
    }
    Ok(report)
}

fn ratio(report: &mut Report, backend: &str) {
    let get = |k: &str| report.metrics.get(k).and_then(|v| v.as_f64());
    if let (Some(service), Some(raw)) = (get(&format!("{backend}_events_per_s")), get(&format!("{backend}_raw_events_per_s"))) {
        if raw > 0.0 {
            report.put(&format!("{backend}_ratio_vs_raw"), service / raw);
        }
    }
}

/// The gate's id and the company and trader the seeded declarations belong to.
struct Fixture {
    gate: String,
    pair: String,
}

async fn fixture(db: &Db, vehicles: usize) -> anyhow::Result<Fixture> {
    let (gate, pair): (String, String) = sqlx::query_as(
        "SELECT g.id, p.id FROM gates g JOIN gate_pairs p ON p.gate_a_id = g.id WHERE g.name = $1 AND p.modes LIKE '%road%' ORDER BY p.id LIMIT 1",
    )
    .bind(GATE_NAME)
    .fetch_one(&db.pool)
    .await
    .map_err(|e| anyhow::anyhow!("the reference data has no road gate pair at {GATE_NAME}: {e}"))?;
    let now = Now::wall().text();
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO companies (id, name, created_at) VALUES ('bench-co', 'Bench Trading Co.', $1)").bind(&now).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, company_id, created_at) VALUES ('bench-trader', 'bench-trader', '!', 'trader', 'bench-co', $1)",
    )
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let rows: Vec<Vec<Arg>> = (0..vehicles)
        .map(|i| {
            let t = Truck::nth(i);
            vec![
                Arg::Text(t.declaration()),
                Arg::Text("bench-co".into()),
                Arg::Text("bench-trader".into()),
                Arg::Text(pair.clone()),
                Arg::Text(gate.clone()),
                Arg::Text(if i % 5 < 3 { "import" } else { "export" }.into()),
                Arg::Text("booked".into()),
                Arg::Int(1),
                Arg::Text(plate_key(&t.plate())),
                Arg::Int(i64::from(t.perishable)),
                Arg::Text(t.lane.into()),
                Arg::Text(t.checks().join(",")),
                Arg::Text(now.clone()),
                Arg::Text(now.clone()),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO declarations (id, company_id, created_by, pair_id, gate_id, direction, status, version, plate, perishable, lane, checks, created_at, updated_at)",
        "",
        &rows,
    )
    .await?;
    tx.commit().await?;
    Ok(Fixture { gate, pair })
}

/// One truck of the year: deterministic from its number.
struct Truck {
    n: usize,
    lane: &'static str,
    perishable: bool,
    xray: bool,
    document_hold: bool,
    quarantine_hold: bool,
    refused: bool,
}

impl Truck {
    fn nth(n: usize) -> Truck {
        // A cheap integer hash: reproducible, well spread.
        let h = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let lane = match h % 100 {
            0..=59 => "green",
            60..=84 => "yellow",
            _ => "red",
        };
        let perishable = (h >> 8).is_multiple_of(3);
        Truck {
            n,
            lane,
            perishable,
            xray: lane == "red" && (h >> 16).is_multiple_of(2),
            document_hold: (h >> 20).is_multiple_of(20),
            quarantine_hold: perishable && (h >> 28).is_multiple_of(50),
            refused: perishable && (h >> 36).is_multiple_of(500),
        }
    }

    fn declaration(&self) -> String {
        format!("bench-{:07}", self.n)
    }

    fn plate(&self) -> String {
        format!("70C-{:05}", self.n % 100_000)
    }

    fn checks(&self) -> Vec<&'static str> {
        let mut c = vec!["document"];
        if self.lane == "red" {
            c.push("physical");
        }
        if self.xray {
            c.push("xray");
        }
        if self.perishable {
            c.push("quarantine");
        }
        c
    }

    /// Arrival: spread evenly over the year (≈ 105 s apart at 300,000 trucks).
    fn arrival_ms(&self, vehicles: usize) -> i64 {
        YEAR_START_MS + (self.n as i64) * (365 * 86_400_000 / vehicles.max(1) as i64)
    }
}

fn rfc3339(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// One batch: who posts it and the events, with the latest event time (the clock of the
/// request).
struct Batch {
    agency: Agency,
    events: Vec<EventIn>,
    /// Each event's time (unix ms), as its `at` says.
    times: Vec<i64>,
    now_ms: i64,
}

impl Batch {
    /// Adds truck `t`'s next event (`k` counts its events, for the client id).
    fn add(&mut self, t: &Truck, k: &mut u32, kind: EventKind, outcome: Option<Outcome>, at_ms: i64, plate: bool) {
        *k += 1;
        self.events.push(EventIn {
            id: format!("{}-e{}", t.declaration(), k),
            declaration: t.declaration(),
            kind,
            outcome,
            at: Some(rfc3339(at_ms)),
            plate: plate.then(|| t.plate()),
            driver_doc: None,
            skip_reason: None,
        });
        self.times.push(at_ms);
        self.now_ms = self.now_ms.max(at_ms);
    }
}

/// The six batches of the wave of trucks `first..end` (at most [`WAVE`] of them) of a
/// year of `vehicles`.
fn wave(first: usize, end: usize, vehicles: usize) -> Vec<Batch> {
    let trucks: Vec<Truck> = (first..(first + WAVE).min(end)).map(Truck::nth).collect();
    let mut counters = vec![0u32; trucks.len()];
    let min = 60_000;
    let mut stages: Vec<Batch> = [Agency::BorderGuard, Agency::BorderGuard, Agency::Customs, Agency::Quarantine, Agency::Customs, Agency::BorderGuard]
        .into_iter()
        .map(|agency| Batch { agency, events: Vec::with_capacity(trucks.len() * 2), times: Vec::with_capacity(trucks.len() * 2), now_ms: 0 })
        .collect();
    for (t, k) in trucks.iter().zip(counters.iter_mut()) {
        let a = t.arrival_ms(vehicles);
        stages[0].add(t, k, EventKind::ArrivedYard, None, a, true);
        stages[1].add(t, k, EventKind::CalledForward, None, a + 20 * min, false);
        let customs = &mut stages[2];
        if t.document_hold {
            customs.add(t, k, EventKind::DocumentCheck, Some(Outcome::Hold), a + 25 * min, false);
        }
        customs.add(t, k, EventKind::DocumentCheck, Some(Outcome::Ok), a + 30 * min, false);
        if t.lane == "red" {
            customs.add(t, k, EventKind::PhysicalInspection, Some(Outcome::Ok), a + 50 * min, false);
        }
        if t.xray {
            customs.add(t, k, EventKind::XrayScan, Some(Outcome::Ok), a + 55 * min, false);
        }
        if t.perishable {
            let quarantine = &mut stages[3];
            if t.quarantine_hold {
                quarantine.add(t, k, EventKind::QuarantineCheck, Some(Outcome::Hold), a + 58 * min, false);
            }
            let outcome = if t.refused { Outcome::Refuse } else { Outcome::Ok };
            quarantine.add(t, k, EventKind::QuarantineCheck, Some(outcome), a + 60 * min, false);
        }
        if !t.refused {
            stages[4].add(t, k, EventKind::FeePaid, None, a + 65 * min, false);
        }
        stages[5].add(t, k, EventKind::Exited, None, a + 70 * min, false);
    }
    stages.retain(|b| !b.events.is_empty());
    stages
}

fn officer(agency: Agency, gate: &str) -> Principal {
    Principal {
        user_id: format!("bench-{agency}"),
        username: format!("bench-{agency}"),
        role: Role::Officer,
        agency: Some(agency),
        company_id: None,
        gates: vec![gate.to_string()],
    }
}

/// Progress on stderr, at most every half second.
struct Progress {
    label: String,
    total: usize,
    last: Instant,
}

impl Progress {
    fn new(label: String, total: usize) -> Self {
        Progress { label, total, last: Instant::now() - Duration::from_secs(1) }
    }

    fn show(&mut self, done: usize) {
        if self.last.elapsed() >= Duration::from_millis(500) || done == self.total {
            self.last = Instant::now();
            eprint!("\r{}: {done}/{} trucks ({:.0} %)   ", self.label, self.total, done as f64 * 100.0 / self.total.max(1) as f64);
            if done == self.total {
                eprintln!();
            }
        }
    }
}

/// Service-layer ingestion (single events, then waves), then the dashboard.
async fn measure(db: &Db, backend: &str, sizes: &Sizes, report: &mut Report) -> anyhow::Result<()> {
    let started = Instant::now();
    let fx = fixture(db, sizes.vehicles).await?;
    eprintln!("{backend}: seeded {} booked declarations at {} in {:.1} s", sizes.vehicles, fx.gate, started.elapsed().as_secs_f64());
    let officers = [Agency::BorderGuard, Agency::Customs, Agency::Quarantine].map(|a| (a, officer(a, &fx.gate)));
    let who = |a: Agency| officers.iter().find(|(x, _)| *x == a).map(|(_, p)| p).unwrap_or(&officers[0].1);

    // One event per request.
    let mut progress = Progress::new(format!("{backend} single events"), sizes.single);
    let (mut single_events, mut single_time, mut single_lat) = (0usize, Duration::ZERO, Vec::new());
    for first in (0..sizes.single).step_by(WAVE) {
        for b in wave(first, sizes.single, sizes.vehicles) {
            for e in b.events {
                let batch = EventBatch { events: vec![e] };
                let t = Instant::now();
                let results = events::record_batch(db, who(b.agency), &fx.gate, &batch, Now(b.now_ms)).await?;
                let took = t.elapsed();
                ensure_accepted(&results)?;
                single_time += took;
                single_lat.push(took);
                single_events += 1;
            }
        }
        progress.show((first + WAVE).min(sizes.single));
    }
    report.put(&format!("{backend}_single_events_per_s"), single_events as f64 / single_time.as_secs_f64().max(1e-9));
    report.put(&format!("{backend}_single_p50_ms"), percentile_ms(&mut single_lat, 50.0));
    report.put(&format!("{backend}_single_p99_ms"), percentile_ms(&mut single_lat, 99.0));

    // Waves of batches: the rest of the year.
    let mut progress = Progress::new(format!("{backend} batches"), sizes.vehicles - sizes.single);
    let (mut n_events, mut time, mut lat, mut sizes_sum) = (0usize, Duration::ZERO, Vec::new(), 0usize);
    for first in (sizes.single..sizes.vehicles).step_by(WAVE) {
        for b in wave(first, sizes.vehicles, sizes.vehicles) {
            let count = b.events.len();
            let batch = EventBatch { events: b.events };
            let t = Instant::now();
            let results = events::record_batch(db, who(b.agency), &fx.gate, &batch, Now(b.now_ms)).await?;
            let took = t.elapsed();
            ensure_accepted(&results)?;
            time += took;
            lat.push(took);
            n_events += count;
            sizes_sum += count;
        }
        progress.show((first + WAVE).min(sizes.vehicles) - sizes.single);
    }
    report.put(&format!("{backend}_events_count"), (n_events + single_events) as f64);
    report.put(&format!("{backend}_batch_events_mean_count"), sizes_sum as f64 / lat.len().max(1) as f64);
    report.put(&format!("{backend}_events_per_s"), n_events as f64 / time.as_secs_f64().max(1e-9));
    report.put(&format!("{backend}_batch_p50_ms"), percentile_ms(&mut lat, 50.0));
    report.put(&format!("{backend}_batch_p99_ms"), percentile_ms(&mut lat, 99.0));

    // The dashboard: a day in the middle of the year, and the whole year.
    if backend == "postgres" {
        // Fresh statistics, as autovacuum would have them on a running node.
        sqlx::query("ANALYZE").execute(&db.pool).await?;
    }
    let day = events::local_day(YEAR_START_MS + 182 * 86_400_000);
    let (first_day, last_day) = (events::local_day(YEAR_START_MS), events::local_day(YEAR_START_MS + 364 * 86_400_000));
    let m = metrics::gate_metrics(db, &fx.gate, &first_day, &last_day).await?;
    anyhow::ensure!(m.total.clearance.count + m.total.refused == sizes.vehicles, "the year's metrics count {} vehicles, {} went through", m.total.clearance.count + m.total.refused, sizes.vehicles);
    let day_ms = time_it(5, || async { metrics::gate_metrics(db, &fx.gate, &day, &day).await.map(|_| ()) }).await?;
    let year_ms = time_it(3, || async { metrics::gate_metrics(db, &fx.gate, &first_day, &last_day).await.map(|_| ()) }).await?;
    let queue_ms = time_it(5, || async { metrics::gate_queue(db, &fx.gate, YEAR_START_MS + 365 * 86_400_000).await.map(|_| ()) }).await?;
    report.put(&format!("{backend}_dashboard_day_ms"), day_ms);
    report.put(&format!("{backend}_dashboard_year_ms"), year_ms);
    report.put(&format!("{backend}_queue_now_ms"), queue_ms);
    let _ = fx.pair;
    eprintln!("{backend}: done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn ensure_accepted(results: &[events::EventResult]) -> anyhow::Result<()> {
    match results.iter().find(|r| !r.accepted || r.duplicate) {
        None => Ok(()),
        Some(r) => anyhow::bail!("event {} was not accepted: {}", r.id, r.reason.as_deref().unwrap_or("duplicate")),
    }
}

/// Median of `n` runs, in milliseconds.
async fn time_it<F, Fut>(n: usize, f: F) -> anyhow::Result<f64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), crate::http::error::ApiError>>,
{
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await.map_err(|e| anyhow::anyhow!("dashboard query failed: {e:?}"))?;
        samples.push(t.elapsed());
    }
    Ok(percentile_ms(&mut samples, 50.0))
}

/// The same event rows in the same batches, inserted with multi-row statements in one
/// transaction per batch: what the database alone can take.
async fn raw_ceiling(db: &Db, backend: &str, sizes: &Sizes, report: &mut Report) -> anyhow::Result<()> {
    let fx = fixture(db, sizes.vehicles).await?;
    let mut progress = Progress::new(format!("{backend} raw inserts"), sizes.vehicles - sizes.single);
    let recorded = Now::wall().text();
    let (mut n, mut time) = (0usize, Duration::ZERO);
    let mut seq = std::collections::HashMap::<String, i64>::new();
    for first in (sizes.single..sizes.vehicles).step_by(WAVE) {
        for b in wave(first, sizes.vehicles, sizes.vehicles) {
            let actor = format!("bench-{}", b.agency);
            let rows: Vec<Vec<Arg>> = b
                .events
                .iter()
                .zip(&b.times)
                .map(|(e, &at)| {
                    let s = seq.entry(e.declaration.clone()).or_insert(0);
                    *s += 1;
                    vec![
                        Arg::Text(e.id.clone()),
                        Arg::Text(e.declaration.clone()),
                        Arg::Text(fx.gate.clone()),
                        Arg::Int(*s),
                        Arg::Text(e.kind.as_str().into()),
                        Arg::OptText(e.outcome.map(|o| o.as_str().to_string())),
                        Arg::Int(at),
                        Arg::Text(actor.clone()),
                        Arg::Text(recorded.clone()),
                        Arg::Text(format!(r#"{{"id":"{}","accepted":true,"duplicate":false,"status":201}}"#, e.id)),
                    ]
                })
                .collect();
            let t = Instant::now();
            let mut tx = db.begin_write().await?;
            insert_rows(&mut tx, "INSERT INTO checkpoint_events (id, declaration_id, gate_id, seq, kind, outcome, at_ms, actor, recorded_at, result)", "", &rows).await?;
            tx.commit().await?;
            time += t.elapsed();
            n += rows.len();
        }
        progress.show((first + WAVE).min(sizes.vehicles) - sizes.single);
    }
    report.put(&format!("{backend}_raw_events_per_s"), n as f64 / time.as_secs_f64().max(1e-9));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_is_close_to_its_shares() {
        let n = 30_000;
        let trucks: Vec<Truck> = (0..n).map(Truck::nth).collect();
        let share = |f: &dyn Fn(&Truck) -> bool| trucks.iter().filter(|t| f(t)).count() as f64 / n as f64;
        assert!((share(&|t| t.lane == "green") - 0.60).abs() < 0.02);
        assert!((share(&|t| t.lane == "red") - 0.15).abs() < 0.02);
        assert!((share(&|t| t.perishable) - 1.0 / 3.0).abs() < 0.02);
        assert!(share(&|t| t.refused) < 0.01);
    }

    #[test]
    fn a_wave_is_six_batches_by_agency_in_time_order() {
        let batches = wave(0, 1000, 1000);
        assert_eq!(batches.len(), 6);
        assert_eq!(batches[0].events.len(), WAVE);
        let ms = |e: &EventIn| time::OffsetDateTime::parse(e.at.as_deref().unwrap(), &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp() * 1000;
        assert!(batches.iter().all(|b| b.events.iter().all(|e| ms(e) <= b.now_ms)), "no event is in the future of its request");
        assert!(batches[2].events.iter().all(|e| e.kind.agency() == Agency::Customs));
        let ids: std::collections::HashSet<&str> = batches.iter().flat_map(|b| b.events.iter().map(|e| e.id.as_str())).collect();
        assert_eq!(ids.len(), batches.iter().map(|b| b.events.len()).sum::<usize>(), "client ids are unique");
    }
}
