//! Accounts storage: users with their scopes, companies, API tokens and web sessions.
//! Secrets (tokens, session ids) are stored as SHA-256 digests, never in clear.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};
use utoipa::ToSchema;

use super::{password, Agency, Principal, Role};
use crate::db::{now_text, time_text, Db, StoreError};

/// What creating a user needs. Validated by [`NewUser::validate`].
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// Login name: 3–64 of `a-z 0-9 . _ -`.
    pub username: String,
    /// At least 10 characters.
    pub password: String,
    /// Role.
    pub role: Option<Role>,
    /// Required for officers, refused for others.
    pub agency: Option<Agency>,
    /// Company name: required for traders (created when new), refused for others.
    pub company: Option<String>,
    /// Gate ids: at least one for officers, refused for others.
    pub gates: Vec<String>,
}

/// A validation failure: the field and why.
pub type FieldProblem = (&'static str, String);

impl NewUser {
    /// Checks the rules that need no database.
    pub fn validate(&self) -> Result<Role, FieldProblem> {
        let u = &self.username;
        if u.len() < 3 || u.len() > 64 || !u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
            return Err(("username", "3–64 characters of a-z, 0-9, '.', '_' or '-'".into()));
        }
        if self.password.chars().count() < 10 {
            return Err(("password", "at least 10 characters".into()));
        }
        let role = self.role.ok_or(("role", format!("required; one of: {}", Role::allowed())))?;
        match (role, self.agency.is_some()) {
            (Role::Officer, false) => return Err(("agency", format!("an officer needs an agency: {}", Agency::allowed()))),
            (r, true) if r != Role::Officer => return Err(("agency", "only officers have an agency".into())),
            _ => {}
        }
        match (role, self.company.as_deref().map(str::trim).filter(|c| !c.is_empty()).is_some()) {
            (Role::Trader, false) => return Err(("company", "a trader needs a company".into())),
            (r, true) if r != Role::Trader => return Err(("company", "only traders belong to a company".into())),
            _ => {}
        }
        match (role, self.gates.is_empty()) {
            (Role::Officer, true) => return Err(("gates", "an officer needs at least one gate".into())),
            (r, false) if r != Role::Officer => return Err(("gates", "only officers are scoped to gates".into())),
            _ => {}
        }
        Ok(role)
    }
}

/// A user as listed (no secrets).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct UserInfo {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Agency.
    pub agency: Option<Agency>,
    /// Company name.
    pub company: Option<String>,
    /// Gate ids.
    pub gates: Vec<String>,
    /// Created (UTC).
    pub created_at: String,
}

/// Why creating a user failed.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// A field is wrong.
    #[error("{}: {}", .0.0, .0.1)]
    Invalid(FieldProblem),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a user (and its company when new) in one transaction.
pub async fn create_user(db: &Db, new: &NewUser, actor: &str) -> Result<UserInfo, CreateUserError> {
    let role = new.validate().map_err(CreateUserError::Invalid)?;
    let mut tx = db.begin_write().await?;
    let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE username = $1")
        .bind(&new.username)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if taken.is_some() {
        return Err(CreateUserError::Invalid(("username", format!("{:?} is taken", new.username))));
    }
    for g in &new.gates {
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT id FROM gates WHERE id = $1").bind(g).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
        if exists.is_none() {
            return Err(CreateUserError::Invalid(("gates", format!("no gate with id {g:?}"))));
        }
    }
    let company_id = match new.company.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(name) => Some(ensure_company(&mut tx, name).await?),
        None => None,
    };
    let hash = password::hash(&new.password).map_err(StoreError::Other)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_text();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, agency, company_id, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
    )
    .bind(&id)
    .bind(&new.username)
    .bind(&hash)
    .bind(role.as_str())
    .bind(new.agency.map(|a| a.as_str()))
    .bind(&company_id)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    for g in &new.gates {
        sqlx::query("INSERT INTO user_gates (user_id, gate_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(&id)
            .bind(g)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    }
    let detail = serde_json::json!({"username": new.username, "role": role, "gates": new.gates, "company": new.company});
    crate::db::audit(&mut tx, actor, "user.create", &id, &detail).await?;
    tx.commit().await?;
    Ok(UserInfo {
        id,
        username: new.username.clone(),
        role,
        agency: new.agency,
        company: new.company.clone(),
        gates: new.gates.clone(),
        created_at: now,
    })
}

async fn ensure_company(conn: &mut AnyConnection, name: &str) -> Result<String, StoreError> {
    if let Some((id,)) = sqlx::query_as::<_, (String,)>("SELECT id FROM companies WHERE name = $1").bind(name).fetch_optional(&mut *conn).await? {
        return Ok(id);
    }
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO companies (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

#[derive(FromRow)]
struct UserRow {
    id: String,
    username: String,
    password_hash: String,
    role: String,
    agency: Option<String>,
    company_id: Option<String>,
    company: Option<String>,
    created_at: String,
}

const USER_SELECT: &str = "SELECT u.id, u.username, u.password_hash, u.role, u.agency, u.company_id, c.name AS company, u.created_at \
     FROM users u LEFT JOIN companies c ON c.id = u.company_id";

async fn gates_of(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT gate_id FROM user_gates WHERE user_id = $1 ORDER BY gate_id")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

fn principal_of(row: &UserRow, gates: Vec<String>) -> Result<Principal, StoreError> {
    let bad = |e: String| StoreError::Other(format!("stored user {} is invalid: {e}", row.username));
    Ok(Principal {
        user_id: row.id.clone(),
        username: row.username.clone(),
        role: row.role.parse().map_err(bad)?,
        agency: row.agency.as_deref().map(str::parse).transpose().map_err(bad)?,
        company_id: row.company_id.clone(),
        gates,
    })
}

/// Every user, by name.
pub async fn list_users(db: &Db) -> Result<Vec<UserInfo>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{USER_SELECT} ORDER BY u.username"))).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let gates = gates_of(&mut conn, &r.id).await?;
        let p = principal_of(&r, gates)?;
        out.push(UserInfo { id: p.user_id, username: p.username, role: p.role, agency: p.agency, company: r.company, gates: p.gates, created_at: r.created_at });
    }
    Ok(out)
}

/// The principal for a user name and password, or `None` when either is wrong or the
/// account is disabled. Runs argon2 even for unknown names so timing tells nothing.
pub async fn check_password(db: &Db, username: &str, password_text: &str) -> Result<Option<Principal>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{USER_SELECT} WHERE u.username = $1 AND u.disabled = 0")))
        .bind(username)
        .fetch_optional(&mut *conn)
        .await?;
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$1Yl0wmZsYxSWN4z9r3p4m4VvC4X7wJm8Wl0QGz0W0c8";
    let hash = row.as_ref().map_or(DUMMY, |r| r.password_hash.as_str()).to_string();
    let pw = password_text.to_string();
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &hash)).await.unwrap_or(false);
    match row {
        Some(r) if ok => {
            let gates = gates_of(&mut conn, &r.id).await?;
            Ok(Some(principal_of(&r, gates)?))
        }
        _ => Ok(None),
    }
}

async fn principal_by_id(conn: &mut AnyConnection, user_id: &str) -> Result<Option<Principal>, StoreError> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{USER_SELECT} WHERE u.id = $1 AND u.disabled = 0")))
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => {
            let gates = gates_of(conn, &r.id).await?;
            Ok(Some(principal_of(&r, gates)?))
        }
        None => Ok(None),
    }
}

/// Number of users (0 on a fresh database).
pub async fn count_users(db: &Db) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    Ok(n)
}

/// Sets a user's password.
pub async fn set_password(db: &Db, username: &str, new_password: &str, actor: &str) -> Result<(), CreateUserError> {
    if new_password.chars().count() < 10 {
        return Err(CreateUserError::Invalid(("password", "at least 10 characters".into())));
    }
    let hash = password::hash(new_password).map_err(StoreError::Other)?;
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
        .bind(&hash)
        .bind(username)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    if done.rows_affected() == 0 {
        return Err(CreateUserError::Store(StoreError::NotFound));
    }
    crate::db::audit(&mut tx, actor, "user.password", username, &serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// An API token as listed (the secret is shown only when created).
#[derive(Debug, Clone, Serialize, ToSchema, FromRow)]
pub struct TokenInfo {
    /// Token id (for revoking).
    pub id: String,
    /// Owner's login name.
    pub username: String,
    /// What the token is for.
    pub name: String,
    /// Created (UTC).
    pub created_at: String,
    /// Revoked (UTC), if it was.
    pub revoked_at: Option<String>,
}

/// Creates a bearer token for `username`; returns its info and the secret (shown once).
pub async fn create_token(db: &Db, username: &str, name: &str, actor: &str) -> Result<(TokenInfo, String), StoreError> {
    let mut tx = db.begin_write().await?;
    let (user_id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let secret = format!("ck_{}", password::random_hex(32));
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_text();
    sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(&user_id)
        .bind(name)
        .bind(password::digest(&secret))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    crate::db::audit(&mut tx, actor, "token.create", &id, &serde_json::json!({"user": username, "name": name})).await?;
    tx.commit().await?;
    Ok((TokenInfo { id, username: username.into(), name: name.into(), created_at: now, revoked_at: None }, secret))
}

/// Revokes a token by id; `NotFound` when no live token has that id.
pub async fn revoke_token(db: &Db, id: &str, actor: &str) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_text())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    crate::db::audit(&mut tx, actor, "token.revoke", id, &serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Tokens, optionally of one user.
pub async fn list_tokens(db: &Db, username: Option<&str>) -> Result<Vec<TokenInfo>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT t.id, u.username, t.name, t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE ($1 = '' OR u.username = $1) ORDER BY t.created_at",
    )
    .bind(username.unwrap_or(""))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows)
}

/// The principal a bearer token stands for, if it is live.
pub async fn principal_for_token(db: &Db, secret: &str) -> Result<Option<Principal>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let row: Option<(String,)> = sqlx::query_as("SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(password::digest(secret))
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some((user_id,)) => principal_by_id(&mut conn, &user_id).await,
        None => Ok(None),
    }
}

/// Opens a web session; returns (session secret for the cookie, CSRF token).
pub async fn create_session(db: &Db, user_id: &str, ttl_hours: i64) -> Result<(String, String), StoreError> {
    let secret = password::random_hex(32);
    let csrf = password::random_hex(16);
    let now = time::OffsetDateTime::now_utc();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(password::digest(&secret))
        .bind(user_id)
        .bind(&csrf)
        .bind(time_text(now))
        .bind(time_text(now + time::Duration::hours(ttl_hours)))
        .execute(&db.pool)
        .await?;
    Ok((secret, csrf))
}

/// The principal and CSRF token of a live session.
pub async fn session(db: &Db, secret: &str) -> Result<Option<(Principal, String)>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let row: Option<(String, String)> = sqlx::query_as("SELECT user_id, csrf_token FROM sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(password::digest(secret))
        .bind(now_text())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some((user_id, csrf)) => Ok(principal_by_id(&mut conn, &user_id).await?.map(|p| (p, csrf))),
        None => Ok(None),
    }
}

/// Ends a session (logout).
pub async fn end_session(db: &Db, secret: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(password::digest(secret)).execute(&db.pool).await?;
    Ok(())
}

/// Creates the first admin when there are no users. Returns the generated password
/// when none was given (to be printed once).
pub async fn bootstrap_admin(db: &Db, given_password: Option<String>) -> Result<Option<(String, Option<String>)>, CreateUserError> {
    if count_users(db).await? > 0 {
        return Ok(None);
    }
    let generated = given_password.is_none();
    let pw = given_password.unwrap_or_else(password::random_password);
    let new = NewUser { username: "admin".into(), password: pw.clone(), role: Some(Role::Admin), ..NewUser::default() };
    create_user(db, &new, "system").await?;
    Ok(Some(("admin".into(), generated.then_some(pw))))
}
