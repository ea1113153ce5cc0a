//! Spawning the real server on `127.0.0.1:0` over a fresh database, per test.

use std::net::SocketAddr;

use cuakhau::auth::store::{create_token, create_user, NewUser};
use cuakhau::auth::{Agency, Role};
use cuakhau::config::Config;
use cuakhau::db::Db;
use cuakhau::http::{serve, AppState};
use tokio::sync::oneshot;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running node.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    _stop: oneshot::Sender<()>,
    _dir: Option<TempDir>,
    pg_admin_url: Option<(String, String)>,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("cuakhau-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Drop the per-test PostgreSQL database; best effort, on a fresh thread so the
        // test's runtime is not needed.
        if let Some((admin, name)) = self.pg_admin_url.take() {
            let pool = self.db.pool.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    pool.close().await;
                    if let Ok(db) = Db::connect_only(&admin).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&db.pool).await;
                    }
                });
            })
            .join()
            .ok();
        }
    }
}

/// The admin URL of the test PostgreSQL.
pub fn postgres_url() -> String {
    std::env::var("CUAKHAU_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh PostgreSQL database URL, or `None` (skip) when the server is unreachable.
async fn fresh_postgres() -> Option<(String, String, String)> {
    let admin = postgres_url();
    let db = match Db::connect_only(&admin).await {
        Ok(db) => db,
        Err(e) => {
            if std::env::var("CUAKHAU_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL required (CUAKHAU_TEST_REQUIRE_POSTGRES=1) but unreachable at {admin}: {e}");
            }
            eprintln!("SKIPPED: PostgreSQL not reachable at {admin} ({e}); set CUAKHAU_TEST_POSTGRES to run this test");
            return None;
        }
    };
    let name = format!("cuakhau_t_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&db.pool).await.expect("create test database");
    db.pool.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
    Some((format!("{base}/{name}"), admin, name))
}

/// Starts a node on `backend`, with the reference data loaded. `None`: skipped.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with a configuration adjusted by `adjust`.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let (url, dir, pg) = match backend {
        Backend::Sqlite => {
            let dir = TempDir::new();
            let url = format!("sqlite://{}/test.db", dir.0.display());
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            let (url, admin, name) = fresh_postgres().await?;
            (url, None, Some((admin, name)))
        }
    };
    let mut config = Config { database_url: url, ..Config::default() };
    adjust(&mut config);
    let db = cuakhau::cli::open_db(&config).await.expect("open test database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let state = AppState::new(db.clone(), config).expect("state");
    tokio::spawn(async move {
        serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Some(TestApp { addr, db, _stop: tx, _dir: dir, pg_admin_url: pg })
}

impl TestApp {
    /// Creates a user and returns a bearer token for it.
    pub async fn user_token(&self, username: &str, role: Role, agency: Option<Agency>, company: Option<&str>, gates: &[&str]) -> String {
        let new = NewUser {
            username: username.into(),
            password: "a long enough password".into(),
            role: Some(role),
            agency,
            company: company.map(str::to_string),
            gates: gates.iter().map(|g| g.to_string()).collect(),
        };
        create_user(&self.db, &new, "test").await.expect("create user");
        create_token(&self.db, username, "test", "test").await.expect("token").1
    }

    pub async fn admin_token(&self) -> String {
        self.user_token("root", Role::Admin, None, None, &[]).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&self.db.pool).await.unwrap();
        n
    }
}

/// Declares a conformance test run on both backends: `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! conformance {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::conformance!($name, with |_config| {}, |$app| $body);
    };
    ($name:ident, with $adjust:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::harness::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::harness::spawn_app_with($crate::harness::Backend::Sqlite, $adjust).await.expect("sqlite always runs");
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::harness::spawn_app_with($crate::harness::Backend::Postgres, $adjust).await {
                    run(app).await;
                }
            }
        }
    };
}
