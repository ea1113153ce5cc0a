//! The HTTP server: state, start-up and shutdown, metrics, request extractors.
//!
//! # Layout
//! - [`router`]: every route in one place, with the role each needs.
//! - [`error`]: the problem+json error type.
//! - [`extract`]: JSON and query extractors whose errors name the wrong field.
//! - [`metrics`]: Prometheus request count and latency by route template.
//! - [`openapi`]: the OpenAPI document generated from the handlers.
//! - [`ops`]: `/healthz`, `/readyz`, `/metrics`.

pub mod error;
pub mod extract;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod router;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::auth::limit::LoginLimiter;
use crate::clearance::rules::RuleSet;
use crate::config::Config;
use crate::db::Db;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Configuration in force.
    pub config: Arc<Config>,
    /// Failed-login limiter.
    pub login_limiter: Arc<LoginLimiter>,
    /// Risk rules in force.
    pub rules: Arc<RuleSet>,
}

impl AppState {
    /// State over a connected, migrated database; reads the risk rules the
    /// configuration names (or the shipped ones).
    pub fn new(db: Db, config: Config) -> Result<Self, String> {
        let limiter = LoginLimiter::new(config.login_limit.max_failures, Duration::from_secs(config.login_limit.window_secs));
        let rules = crate::clearance::load_rules(&config.clearance)?;
        Ok(AppState { db, config: Arc::new(config), login_limiter: Arc::new(limiter), rules: Arc::new(rules) })
    }
}

/// Serves the platform on `listener` until `shutdown` resolves, then finishes the
/// requests in flight. Tests call this with a `127.0.0.1:0` listener.
pub async fn serve(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let app = router::router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
