//! `cuakhau bench <area>`: performance measurements, printed as a table and written as
//! `{"area": …, "machine": …, "metrics": {"name_unit": number}}`, the unit in each
//! name (the project's benchmark convention).
//! Each area measures on databases of its own (a temporary SQLite file, a temporary
//! PostgreSQL database it drops afterwards), never on the node's.

mod clearance;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;

use crate::db::{Backend, Db};

/// `cuakhau bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Checkpoint-event ingestion through the service layer (SQLite and PostgreSQL),
    /// batch latency, the raw-insert ceiling, and the dashboard over a year of a busy gate.
    Clearance(BenchArgs),
}

/// Options every benchmark takes.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Smaller data: finishes in under 30 s on 2 cores.
    #[arg(long)]
    pub quick: bool,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// PostgreSQL server to measure on (a temporary database is created and dropped)
    /// [env: CUAKHAU_BENCH_POSTGRES; default postgres://postgres@127.0.0.1:5432/test].
    #[arg(long, value_name = "URL")]
    pub postgres_url: Option<String>,
    /// Measure SQLite only.
    #[arg(long)]
    pub no_postgres: bool,
}

/// Results of one benchmark area.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Area measured.
    pub area: String,
    /// The machine it ran on.
    pub machine: String,
    /// `name_unit` → value.
    pub metrics: serde_json::Map<String, serde_json::Value>,
}

impl Report {
    fn new(area: &str) -> Self {
        Report { area: area.into(), machine: machine(), metrics: Default::default() }
    }

    /// Records a metric (rounded to 3 significant decimals for reading).
    fn put(&mut self, name: &str, value: f64) {
        let v = if value.abs() >= 100.0 { value.round() } else { (value * 1000.0).round() / 1000.0 };
        self.metrics.insert(name.into(), serde_json::json!(v));
    }

    fn print(&self) {
        println!("bench {} on {}", self.area, self.machine);
        let width = self.metrics.keys().map(|k| k.len()).max().unwrap_or(0);
        for (k, v) in &self.metrics {
            println!("  {k:<width$}  {v:>14}");
        }
    }
}

/// Cores, CPU model and OS, e.g. `2 cores, Intel(R) Xeon(R) Processor, linux`.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|m| m.trim().to_string()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    format!("{cores} cores, {cpu}, {}", std::env::consts::OS)
}

/// Runs a benchmark.
pub async fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    let (report, out) = match cmd {
        BenchCommand::Clearance(args) => (clearance::run(&args).await?, args.out),
    };
    report.print();
    if let Some(path) = out {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(&path, text + "\n").map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A database for one measurement, removed when dropped (SQLite) or by [`Scratch::drop_db`].
pub(crate) struct Scratch {
    /// The open database, migrated and with the reference data loaded.
    pub db: Db,
    dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

impl Scratch {
    /// A temporary SQLite file.
    pub async fn sqlite(label: &str) -> anyhow::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("cuakhau-bench-{label}-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir)?;
        let config = crate::config::Config { database_url: format!("sqlite://{}/bench.db", dir.display()), ..Default::default() };
        let db = super::open_db(&config).await?;
        Ok(Scratch { db, dir: Some(dir), pg: None })
    }

    /// A temporary database on the PostgreSQL server at `admin_url`, or `None` when the
    /// server cannot be reached (said on stderr).
    pub async fn postgres(admin_url: &str, label: &str) -> anyhow::Result<Option<Scratch>> {
        let admin = match tokio::time::timeout(Duration::from_secs(5), Db::connect_only(admin_url)).await {
            Ok(Ok(db)) => db,
            Ok(Err(e)) => {
                eprintln!("PostgreSQL skipped: cannot connect to {} ({e})", crate::config::redact_url(admin_url));
                return Ok(None);
            }
            Err(_) => {
                eprintln!("PostgreSQL skipped: {} did not answer in 5 s", crate::config::redact_url(admin_url));
                return Ok(None);
            }
        };
        anyhow::ensure!(admin.backend == Backend::Postgres, "--postgres-url must be a postgres:// URL");
        let name = format!("cuakhau_bench_{label}_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin.pool).await?;
        admin.pool.close().await;
        let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or_else(|| admin_url.to_string());
        let config = crate::config::Config { database_url: format!("{base}/{name}"), ..Default::default() };
        let db = super::open_db(&config).await?;
        Ok(Some(Scratch { db, dir: None, pg: Some((admin_url.to_string(), name)) }))
    }

    /// Closes the database and removes it.
    pub async fn drop_db(self) -> anyhow::Result<()> {
        self.db.pool.close().await;
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = &self.pg {
            let admin = Db::connect_only(admin_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&admin.pool).await?;
            admin.pool.close().await;
        }
        Ok(())
    }
}

/// The `q`-th percentile of durations, in milliseconds.
pub(crate) fn percentile_ms(samples: &mut [Duration], q: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_unstable();
    let rank = ((q / 100.0) * samples.len() as f64).ceil().max(1.0) as usize;
    samples[rank.min(samples.len()) - 1].as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_in_ms() {
        let mut s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&mut s, 50.0), 50.0);
        assert_eq!(percentile_ms(&mut s, 99.0), 99.0);
        assert_eq!(percentile_ms(&mut [], 99.0), 0.0);
    }

    #[test]
    fn metrics_are_rounded_for_reading() {
        let mut r = Report::new("x");
        r.put("a_per_s", 12345.678);
        r.put("b_ms", 1.23456);
        assert_eq!(r.metrics["a_per_s"], serde_json::json!(12346.0));
        assert_eq!(r.metrics["b_ms"], serde_json::json!(1.235));
    }
}
