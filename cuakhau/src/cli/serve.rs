//! `cuakhau serve`.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::config::Config;
use crate::http::{self, AppState};

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1, or the config's].
    #[arg(long)]
    pub bind: Option<String>,
    /// Port [default: 8080, or the config's].
    #[arg(long)]
    pub port: Option<u16>,
}

/// Migrates, loads reference data on first start, creates the first admin, serves
/// until SIGTERM or Ctrl-C.
pub async fn run(mut config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if let Some(b) = args.bind {
        config.bind = b;
    }
    if let Some(p) = args.port {
        config.port = p;
    }
    let db = super::open_db(&config).await?;
    let given = std::env::var("CUAKHAU_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
    match crate::auth::store::bootstrap_admin(&db, given).await {
        Ok(Some((user, Some(generated)))) => {
            // Printed once, on the terminal only (never logged).
            println!("First start: created user {user:?} with password {generated}");
            println!("Keep it now; it is not shown again. Change it with: cuakhau users password {user}");
        }
        Ok(Some((user, None))) => tracing::info!(user = %user, "first admin created from CUAKHAU_ADMIN_PASSWORD"),
        Ok(None) => {}
        Err(e) => anyhow::bail!("cannot create the first admin: {e}"),
    }
    crate::clearance::load_rules(&config.clearance).map_err(anyhow::Error::msg)?;
    let addr = format!("{}:{}", config.bind, config.port);
    let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, database = db.backend.name(), "serving");
    println!("cuakhau is serving on http://{local} ({} database)", db.backend.name());
    let state = AppState::new(db.clone(), config).map_err(anyhow::Error::msg)?;
    crate::clearance::keys::active_issuer(&db).await?;
    let workers = crate::clearance::spawn_workers(state.clone());
    http::serve(listener, state, http::shutdown_signal()).await?;
    workers.abort();
    db.pool.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
