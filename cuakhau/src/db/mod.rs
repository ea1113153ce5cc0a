//! Storage shared by every capability: the connection pool for either backend, the
//! migrations, and the small helpers the stores use.
//!
//! # Two backends, one behaviour
//! Both SQLite (the embedded default) and PostgreSQL are reached through sqlx's `Any`
//! driver, so each capability's store is written once in SQL both accept: `$1`
//! placeholders, text ids, ISO-8601 text times, `BIGINT`/`INTEGER` for numbers, no
//! backend-only functions. The migrations differ per backend (`migrations/sqlite`,
//! `migrations/postgres`) because the type names do. One conformance suite
//! (`tests/api`) runs against both.
//!
//! # Layout
//! - [`Db`]: the pool plus the backend it talks to; [`Db::connect`] applies the SQLite
//!   pragmas (WAL, `synchronous=FULL` so a commit survives a power cut, a 32 MiB page
//!   cache per connection, `busy_timeout`, foreign keys) and runs migrations.
//! - [`StoreError`]: the three outcomes a store reports (`NotFound`, `Conflict`, `Other`).
//! - [`Sql`]: a tiny builder for the dynamic `WHERE` clauses of list endpoints.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (the default: `sqlite://cuakhau.db`).
    Sqlite,
    /// PostgreSQL server (`postgres://…`).
    Postgres,
}

impl Backend {
    /// The backend a database URL names, or an error for any other scheme.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Other(format!(
                "database URL must start with sqlite: or postgres:// (got {:?})",
                url.split(':').next().unwrap_or_default()
            )))
        }
    }

    /// Lower-case name for logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What a store reports: callers map these to HTTP statuses or CLI messages.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A unique constraint or a state rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else (connection lost, bad SQL): logged, never shown to users.
    #[error("{0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Other(format!("migration failed: {e}"))
    }
}

/// The database handle every store function takes. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    /// Connection pool (sqlx `Any`: SQLite or PostgreSQL).
    pub pool: AnyPool,
    /// Which backend the pool talks to.
    pub backend: Backend,
    /// SQLite has one writer: write transactions of this process take turns here, so
    /// they never fail with "database is locked" when a read lock cannot be upgraded.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction: on SQLite it holds the process's writer turn until it ends.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commits (dropping without commit rolls back).
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    /// Connects to `url` without migrating. A SQLite file is created when missing.
    pub async fn connect_only(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            // `mode=rwc`: create the file on first start.
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        options = match backend {
            Backend::Sqlite => options
                // SQLite has one writer; a handful of connections is plenty and keeps
                // `busy_timeout` waits short.
                .max_connections(4)
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768; \
                             PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
                        )
                        .await?;
                        Ok(())
                    })
                }),
            Backend::Postgres => options.max_connections(16),
        };
        let pool = options.connect(&url).await?;
        Ok(Db { pool, backend, writer: Default::default() })
    }

    /// Connects to `url` and applies every pending migration.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let db = Self::connect_only(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the pending migrations of this backend; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let before: i64 = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let after = self.applied_migrations().await?;
        Ok(usize::try_from(after - before).unwrap_or(0))
    }

    async fn applied_migrations(&self) -> Result<i64, StoreError> {
        let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.0)
    }

    /// Begins a write transaction (see [`WriteTx`]). Every store write uses this.
    pub async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// `SELECT 1` round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: (i64,) = sqlx::query_as("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }
}

/// A bound value of a dynamically built query.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text value.
    Text(String),
    /// Integer value.
    Int(i64),
    /// Text or NULL.
    OptText(Option<String>),
    /// Integer or NULL.
    OptInt(Option<i64>),
}

impl Arg {
    fn add_to(&self, a: &mut AnyArguments) {
        use sqlx::Arguments;
        // Encoding a string or an integer (or their NULL) into Any arguments cannot fail.
        let _ = match self {
            Arg::Text(s) => a.add(s.clone()),
            Arg::Int(i) => a.add(*i),
            Arg::OptText(s) => a.add(s.clone()),
            Arg::OptInt(i) => a.add(*i),
        };
    }
}

/// How many values to bind in one statement: PostgreSQL allows 65,535, SQLite 32,766.
fn max_params(conn: &sqlx::AnyConnection) -> usize {
    if is_sqlite(conn) {
        8_000
    } else {
        16_000
    }
}

fn is_sqlite(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name().eq_ignore_ascii_case("sqlite")
}

/// Placeholders `first..first+n` for SQL built at run time, comma-separated. SQLite gets
/// anonymous `?` (bound by position): sqlx finds each numbered `$n` by a linear scan of
/// the statement's parameter names, so a statement with a thousand of them spent most of
/// its time binding (measured with `cuakhau bench clearance`). PostgreSQL gets `$n`.
pub fn placeholders(conn: &sqlx::AnyConnection, first: usize, n: usize) -> String {
    if is_sqlite(conn) {
        vec!["?"; n].join(", ")
    } else {
        (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
    }
}

/// Runs `head VALUES (…), (…) tail` for `rows`, as few statements as the backends'
/// parameter limits allow. Every row must have the same number of values. This is how
/// batch writes stay one round trip instead of one per row.
pub async fn insert_rows(conn: &mut sqlx::AnyConnection, head: &str, tail: &str, rows: &[Vec<Arg>]) -> Result<(), StoreError> {
    let Some(width) = rows.first().map(Vec::len).filter(|w| *w > 0) else {
        return Ok(());
    };
    for chunk in rows.chunks((max_params(conn) / width).max(1)) {
        let mut text = String::with_capacity(head.len() + tail.len() + chunk.len() * width * 5);
        text.push_str(head);
        text.push_str(" VALUES ");
        let mut args = AnyArguments::default();
        for (i, row) in chunk.iter().enumerate() {
            text.push_str(if i == 0 { "(" } else { ", (" });
            text.push_str(&placeholders(conn, i * width + 1, width));
            text.push(')');
            for v in row {
                v.add_to(&mut args);
            }
        }
        text.push(' ');
        text.push_str(tail);
        // The text holds only our own SQL; values travel as arguments. Not cached as a
        // prepared statement: its shape changes with the row count.
        sqlx::query_with(sqlx::AssertSqlSafe(text), args).persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

/// `{select} (ids) {tail}`, where `select` ends in `… IN`: the rows a batch of ids
/// touches, in as few statements as the parameter limits allow.
pub async fn select_in<T>(conn: &mut sqlx::AnyConnection, select: &str, ids: &[&str], tail: &str) -> Result<Vec<T>, StoreError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(max_params(conn)) {
        let sql = format!("{select} ({}) {tail}", placeholders(conn, 1, chunk.len()));
        let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)).persistent(false);
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Dynamic SQL with numbered `$n` placeholders, for list filters. Values never enter
/// the SQL text.
#[derive(Debug, Default)]
pub struct Sql {
    /// The SQL text built so far.
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Starts from a fixed SQL prefix.
    pub fn new(prefix: &str) -> Self {
        Sql { text: prefix.to_string(), args: Vec::new() }
    }

    /// Appends SQL text verbatim.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// Registers a value and returns its placeholder (`$3`).
    pub fn arg(&mut self, value: Arg) -> String {
        self.args.push(value);
        format!("${}", self.args.len())
    }

    /// The bound arguments, in placeholder order.
    pub fn arguments(&self) -> AnyArguments {
        let mut a = AnyArguments::default();
        for v in &self.args {
            v.add_to(&mut a);
        }
        a
    }

    /// The query, ready for `fetch_*`.
    pub fn query_as<T>(&self) -> sqlx::query::QueryAs<'_, Any, T, AnyArguments>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        // The text holds only our own SQL; values travel as arguments.
        sqlx::query_as_with(sqlx::AssertSqlSafe(self.text.clone()), self.arguments())
    }

    /// A copy with the same arguments and different SQL text (e.g. a `COUNT(*)` over the
    /// same filter).
    pub fn with_text(&self, text: String) -> Sql {
        Sql { text, args: self.args.clone() }
    }
}

/// Current UTC time as ISO-8601 text with second precision (`2026-11-23T11:48:00Z`), the
/// format every table stores.
pub fn now_text() -> String {
    time_text(time::OffsetDateTime::now_utc())
}

/// Formats a UTC instant the way the tables store it.
pub fn time_text(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses what [`time_text`] writes.
pub fn parse_time_text(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// Parses a backend name for tests and tools.
impl FromStr for Backend {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" => Ok(Backend::Postgres),
            other => Err(StoreError::Other(format!("unknown backend {other}"))),
        }
    }
}

/// Appends an entry to the audit trail, inside the caller's transaction so the entry
/// and the change it describes commit together.
pub async fn audit(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(now_text())
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(detail.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
