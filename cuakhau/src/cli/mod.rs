//! The `cuakhau` command line: `serve`, `migrate`, `import`, `gates`, `users`,
//! `config`. One file per subcommand group; this file holds the argument types and the
//! dispatch. Errors print as one line on stderr with a non-zero exit code.

mod bench;
mod demo;
mod gates;
mod import;
mod pass;
mod queue;
mod serve;
mod table;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, LogFormat};
use crate::db::Db;

/// cuakhau — smart land-border-gate platform (one node per country side of a gate pair).
#[derive(Debug, Parser)]
#[command(name = "cuakhau", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML). Default: ./cuakhau.toml when present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database: sqlite://FILE (default sqlite://cuakhau.db) or postgres://… [env: DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A readable table.
    #[default]
    Table,
    /// JSON (for scripts).
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the node: HTTP API, web UI, metrics (migrates and loads reference data first).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import reference data.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// List and show gate pairs.
    #[command(subcommand)]
    Gates(gates::GatesCommand),
    /// Manage accounts and API tokens.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Gate passes: verify offline, rotate the signing key.
    #[command(subcommand)]
    Pass(pass::PassCommand),
    /// Yard-queue logs: verify.
    #[command(subcommand)]
    Queue(queue::QueueCommand),
    /// Show the configuration in force.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Generate realistic days of traffic at a gate pair through the service layer.
    Demo(demo::DemoArgs),
    /// Measure performance (`--quick` for a short run; `--out FILE.json` for the results).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// `cuakhau config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the configuration (defaults → file → environment → flags) as TOML, secrets redacted.
    Print,
}

/// Parses the arguments and runs the command; the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// `anyhow` chain as one line: `context: cause: root cause`.
fn one_line(e: &anyhow::Error) -> String {
    e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ").replace('\n', " ")
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = Config::load(cli.config.as_deref()).map_err(anyhow::Error::msg)?;
    if let Some(url) = &cli.database_url {
        config.database_url = url.clone();
    }
    if let Some(f) = cli.log_format {
        config.log_format = f;
    }
    Ok(config)
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CUAKHAU_LOG").unwrap_or_else(|_| EnvFilter::new(&config.log_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Human => builder.try_init(),
    };
}

/// Connects, migrates and makes sure the reference data is there (first start).
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let shown = crate::config::redact_url(&config.database_url);
    let db = Db::connect(&config.database_url).await.with_context(|| format!("cannot open database {shown}"))?;
    crate::registry::store::seed_reference(&db, crate::registry::MERGERS_CSV).await.context("cannot load reference data")?;
    if crate::registry::store::count_pairs(&db).await? == 0 {
        let parsed = crate::registry::import::parse_csv(crate::registry::GATES_CSV);
        anyhow::ensure!(parsed.rejected.is_empty(), "the shipped gate list has invalid rows: {:?}", parsed.rejected);
        let report = crate::registry::store::import(&db, &parsed.rows, "system").await?;
        tracing::info!(pairs = report.added.len(), "reference gate pairs loaded");
    }
    Ok(db)
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = load_config(&cli)?;
    if matches!(cli.command, Command::Bench(_) | Command::Demo(_)) {
        // Benchmarks and the demo print progress and a table; only errors may interrupt it
        // (the demo's every declaration would log a line; multi-row statements
        // would otherwise be logged whole as slow statements).
        config.log_filter = "warn,sqlx=error".into();
    }
    init_logging(&config);
    match cli.command {
        Command::Serve(args) => serve::run(config, args).await,
        Command::Migrate => {
            let db = Db::connect_only(&config.database_url).await?;
            let n = db.migrate().await?;
            println!("{n} migration(s) applied ({} database)", db.backend.name());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(cmd) => import::run(config, cmd).await,
        Command::Gates(cmd) => gates::run(config, cmd).await,
        Command::Users(cmd) => users::run(config, cmd).await,
        Command::Pass(cmd) => pass::run(config, cmd).await,
        Command::Queue(cmd) => queue::run(cmd),
        Command::Demo(args) => demo::run(config, args).await,
        Command::Bench(cmd) => bench::run(cmd).await,
        Command::Config(ConfigCommand::Print) => {
            print!("{}", config.to_toml_redacted());
            Ok(ExitCode::SUCCESS)
        }
    }
}
