//! Registry writes with their rules: create a pair, update it, retire it, update a
//! gate's operational data. Inputs arrive as API bodies (typed, so enum and date
//! values are already valid); the remaining rules are checked here and reported per
//! field. Each write is one transaction with its audit entry.

use serde::Deserialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::import::{Coords, PairRow};
use super::model::*;
use super::store;
use crate::db::{audit, now_text, Db, StoreError};
use crate::http::error::{ApiError, FieldError};

/// One side of a new pair.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGate {
    /// Country (ISO alpha-2 or name).
    pub country: CountryCode,
    /// Gate name as the source writes it.
    pub name: String,
    /// Province today.
    #[serde(default)]
    pub province: Option<String>,
    /// Province before the 2025 merger, when different.
    #[serde(default)]
    pub province_old: Option<String>,
    /// Latitude (with `lon`, `coord_precision`, `coord_source`).
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<f64>,
    /// Precision of the coordinate.
    #[serde(default)]
    pub coord_precision: Option<CoordPrecision>,
    /// Source of the coordinate.
    #[serde(default)]
    pub coord_source: Option<String>,
}

/// A new gate pair.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPair {
    /// Side A (the node's own country).
    pub gate_a: NewGate,
    /// Side B (the partner), when its gate is known.
    #[serde(default)]
    pub gate_b: Option<NewGate>,
    /// Partner country when `gate_b` is not given.
    #[serde(default)]
    pub country_b: Option<CountryCode>,
    /// Class, when known.
    #[serde(default)]
    pub class: Option<GateClass>,
    /// Modes (at least one).
    pub modes: Vec<Mode>,
    /// Status now.
    pub status: PairStatus,
    /// Since when.
    #[serde(default)]
    pub status_date: Option<PartialDate>,
    /// Words on the status.
    #[serde(default)]
    pub status_note: Option<String>,
    /// Where the record comes from (required).
    pub source: String,
}

fn required_text(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.trim().is_empty() {
        errors.push(FieldError { field: field.into(), message: "must not be empty".into() });
    }
}

fn coords_of(errors: &mut Vec<FieldError>, prefix: &str, g: &NewGate) -> Option<Coords> {
    match (g.lat, g.lon) {
        (None, None) => None,
        (Some(lat), Some(lon)) => {
            let mut ok = true;
            if !(-90.0..=90.0).contains(&lat) {
                errors.push(FieldError { field: format!("{prefix}.lat"), message: "must be within -90..90".into() });
                ok = false;
            }
            if !(-180.0..=180.0).contains(&lon) {
                errors.push(FieldError { field: format!("{prefix}.lon"), message: "must be within -180..180".into() });
                ok = false;
            }
            let precision = g.coord_precision.or_else(|| {
                errors.push(FieldError { field: format!("{prefix}.coord_precision"), message: "required with a coordinate".into() });
                None
            });
            let source = g.coord_source.clone().filter(|s| !s.trim().is_empty()).or_else(|| {
                errors.push(FieldError { field: format!("{prefix}.coord_source"), message: "required with a coordinate".into() });
                None
            });
            match (ok, precision, source) {
                (true, Some(precision), Some(source)) => Some(Coords { lat, lon, precision, source }),
                _ => None,
            }
        }
        (lat, _) => {
            let missing = if lat.is_some() { "lon" } else { "lat" };
            errors.push(FieldError { field: format!("{prefix}.{missing}"), message: "lat and lon go together".into() });
            None
        }
    }
}

impl NewPair {
    /// Checks the rules types cannot express; returns the row to store.
    pub fn validate(&self) -> Result<PairRow, ApiError> {
        let mut errors = Vec::new();
        required_text(&mut errors, "gate_a.name", &self.gate_a.name);
        required_text(&mut errors, "source", &self.source);
        if self.modes.is_empty() {
            errors.push(FieldError { field: "modes".into(), message: format!("at least one of: {}", Mode::allowed()) });
        }
        let coords = coords_of(&mut errors, "gate_a", &self.gate_a);
        let country_b = match (&self.gate_b, self.country_b) {
            (Some(b), Some(c)) if b.country != c => {
                errors.push(FieldError { field: "country_b".into(), message: "differs from gate_b.country".into() });
                c
            }
            (Some(b), _) => {
                required_text(&mut errors, "gate_b.name", &b.name);
                if b.lat.is_some() || b.lon.is_some() {
                    errors.push(FieldError { field: "gate_b.lat".into(), message: "the partner side's position is kept by the partner node".into() });
                }
                b.country
            }
            (None, Some(c)) => c,
            (None, None) => {
                errors.push(FieldError { field: "country_b".into(), message: "required when gate_b is not given".into() });
                CountryCode::VN
            }
        };
        if country_b == self.gate_a.country {
            errors.push(FieldError { field: "country_b".into(), message: "both sides are in the same country".into() });
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let mut modes = self.modes.clone();
        modes.sort();
        modes.dedup();
        let clean = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(PairRow {
            line: 0,
            country_a: self.gate_a.country,
            gate_a: self.gate_a.name.trim().to_string(),
            province_a_old: clean(&self.gate_a.province_old).or_else(|| clean(&self.gate_a.province)),
            province_a_new: clean(&self.gate_a.province).or_else(|| clean(&self.gate_a.province_old)),
            country_b,
            gate_b: self.gate_b.as_ref().map(|b| b.name.trim().to_string()),
            province_b: self.gate_b.as_ref().and_then(|b| clean(&b.province)),
            class: self.class,
            modes,
            history: vec![(self.status, self.status_date.clone())],
            status_note: self.status_note.clone().unwrap_or_default(),
            coords,
            source: self.source.trim().to_string(),
        })
    }
}

/// Creates a pair; 409 when the same pair (same gates) exists.
pub async fn create_pair(db: &Db, new: &NewPair, actor: &str) -> Result<GatePairDetail, ApiError> {
    let row = new.validate()?;
    let mut tx = db.begin_write().await?;
    let report = store::import_rows(&mut tx, std::slice::from_ref(&row)).await?;
    let Some((_, id)) = report.added.first().cloned() else {
        return Err(ApiError::Conflict("a gate pair with these gates already exists".into()));
    };
    audit(&mut tx, actor, "gate_pair.create", &id, &serde_json::json!({"source": row.source})).await?;
    tx.commit().await?;
    Ok(store::get_pair(db, &id).await?)
}

/// Changes to a pair. Every change names its source.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairUpdate {
    /// New class.
    #[serde(default)]
    pub class: Option<GateClass>,
    /// New modes.
    #[serde(default)]
    pub modes: Option<Vec<Mode>>,
    /// New status (appended to the history).
    #[serde(default)]
    pub status: Option<PairStatus>,
    /// Date of the new status.
    #[serde(default)]
    pub status_date: Option<PartialDate>,
    /// Words on the status.
    #[serde(default)]
    pub status_note: Option<String>,
    /// Where the change comes from (required).
    pub source: String,
}

/// Applies a [`PairUpdate`]; a status change is appended to the history.
pub async fn update_pair(db: &Db, id: &str, u: &PairUpdate, actor: &str) -> Result<GatePairDetail, ApiError> {
    let mut errors = Vec::new();
    required_text(&mut errors, "source", &u.source);
    if u.modes.as_ref().is_some_and(Vec::is_empty) {
        errors.push(FieldError { field: "modes".into(), message: "at least one mode".into() });
    }
    if u.status_date.is_some() && u.status.is_none() {
        errors.push(FieldError { field: "status_date".into(), message: "given without a status".into() });
    }
    if u.status == Some(PairStatus::Retired) {
        errors.push(FieldError { field: "status".into(), message: "use POST /api/v1/gate-pairs/{id}/retire".into() });
    }
    if u.class.is_none() && u.modes.is_none() && u.status.is_none() && u.status_note.is_none() {
        errors.push(FieldError { field: "body".into(), message: "nothing to change".into() });
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut tx = db.begin_write().await?;
    let current = current_status(&mut tx, id).await?;
    if current == PairStatus::Retired {
        return Err(ApiError::Conflict("the pair is retired".into()));
    }
    let now = now_text();
    if let Some(class) = u.class {
        exec(&mut tx, "UPDATE gate_pairs SET class = $1 WHERE id = $2", &[class.as_str(), id]).await?;
    }
    if let Some(modes) = &u.modes {
        let mut m = modes.clone();
        m.sort();
        m.dedup();
        exec(&mut tx, "UPDATE gate_pairs SET modes = $1 WHERE id = $2", &[&modes_text(&m), id]).await?;
    }
    if let Some(note) = &u.status_note {
        exec(&mut tx, "UPDATE gate_pairs SET status_note = $1 WHERE id = $2", &[note, id]).await?;
    }
    if let Some(status) = u.status {
        set_status(&mut tx, id, status, u.status_date.as_ref(), u.status_note.as_deref(), &u.source).await?;
    }
    exec(&mut tx, "UPDATE gate_pairs SET source = $1, updated_at = $2 WHERE id = $3", &[&u.source, &now, id]).await?;
    let detail = serde_json::json!({"class": u.class, "modes": u.modes, "status": u.status, "status_date": u.status_date, "source": u.source});
    audit(&mut tx, actor, "gate_pair.update", id, &detail).await?;
    tx.commit().await?;
    Ok(store::get_pair(db, id).await?)
}

/// Retiring a pair: when and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retirement {
    /// Date it closed, when known.
    #[serde(default)]
    pub date: Option<PartialDate>,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the fact comes from (required).
    pub source: String,
}

/// Retires a pair (kept, with its history); 409 when already retired.
pub async fn retire_pair(db: &Db, id: &str, r: &Retirement, actor: &str) -> Result<GatePairDetail, ApiError> {
    if r.source.trim().is_empty() {
        return Err(ApiError::field("source", "must not be empty"));
    }
    let mut tx = db.begin_write().await?;
    if current_status(&mut tx, id).await? == PairStatus::Retired {
        return Err(ApiError::Conflict("the pair is already retired".into()));
    }
    set_status(&mut tx, id, PairStatus::Retired, r.date.as_ref(), r.note.as_deref(), &r.source).await?;
    audit(&mut tx, actor, "gate_pair.retire", id, &serde_json::json!({"date": r.date, "note": r.note, "source": r.source})).await?;
    tx.commit().await?;
    Ok(store::get_pair(db, id).await?)
}

async fn current_status(conn: &mut AnyConnection, id: &str) -> Result<PairStatus, ApiError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT status FROM gate_pairs WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    let (status,) = row.ok_or(ApiError::NotFound)?;
    status.parse().map_err(ApiError::Internal)
}

async fn set_status(conn: &mut AnyConnection, id: &str, status: PairStatus, date: Option<&PartialDate>, note: Option<&str>, source: &str) -> Result<(), ApiError> {
    store::append_history(conn, id, status, date, note, Some(source)).await?;
    sqlx::query("UPDATE gate_pairs SET status = $1, status_since = $2, updated_at = $3 WHERE id = $4")
        .bind(status.as_str())
        .bind(date.map(|d| d.as_str().to_string()))
        .bind(now_text())
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

async fn exec(conn: &mut AnyConnection, sql: &'static str, args: &[&str]) -> Result<(), ApiError> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(a.to_string());
    }
    q.execute(&mut *conn).await.map_err(StoreError::from)?;
    Ok(())
}

/// Changes to one side's gate. Officers of the gate may change `lanes` and
/// `opening_hours`; the other fields are for admins.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GateUpdate {
    /// Lanes by kind (replaces the list).
    #[serde(default)]
    pub lanes: Option<Vec<Lane>>,
    /// Opening hours (replaces the list).
    #[serde(default)]
    pub opening_hours: Option<Vec<OpeningHours>>,
    /// Khmer name.
    #[serde(default)]
    pub name_km: Option<String>,
}

impl GateUpdate {
    /// Fields only an admin may change, present in this update.
    pub fn admin_fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.name_km.is_some() {
            f.push("name_km");
        }
        f
    }

    fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if let Some(lanes) = &self.lanes {
            let mut seen = Vec::new();
            for (i, l) in lanes.iter().enumerate() {
                if !(1..=500).contains(&l.count) {
                    errors.push(FieldError { field: format!("lanes[{i}].count"), message: "must be 1–500".into() });
                }
                if seen.contains(&l.kind) {
                    errors.push(FieldError { field: format!("lanes[{i}].kind"), message: format!("{} is listed twice", l.kind) });
                }
                seen.push(l.kind);
            }
        }
        if let Some(hours) = &self.opening_hours {
            for (i, h) in hours.iter().enumerate() {
                if let Err((field, message)) = h.validate() {
                    errors.push(FieldError { field: format!("opening_hours[{i}].{field}"), message });
                }
            }
        }
        if self.lanes.is_none() && self.opening_hours.is_none() && self.name_km.is_none() {
            errors.push(FieldError { field: "body".into(), message: "nothing to change".into() });
        }
        if errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(errors)) }
    }
}

/// Applies a [`GateUpdate`] (the caller has checked role and scope).
pub async fn update_gate(db: &Db, id: &str, u: &GateUpdate, actor: &str) -> Result<Gate, ApiError> {
    u.validate()?;
    let mut tx = db.begin_write().await?;
    let exists: Option<(String,)> =
        sqlx::query_as("SELECT id FROM gates WHERE id = $1").bind(id).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
    if exists.is_none() {
        return Err(ApiError::NotFound);
    }
    if let Some(lanes) = &u.lanes {
        exec(&mut tx, "DELETE FROM lanes WHERE gate_id = $1", &[id]).await?;
        for l in lanes {
            sqlx::query("INSERT INTO lanes (gate_id, kind, count) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(l.kind.as_str())
                .bind(l.count)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        }
    }
    if let Some(hours) = &u.opening_hours {
        let json = serde_json::to_string(hours).map_err(|e| ApiError::Internal(e.to_string()))?;
        exec(&mut tx, "UPDATE gates SET opening_hours = $1 WHERE id = $2", &[&json, id]).await?;
    }
    if let Some(km) = &u.name_km {
        exec(&mut tx, "UPDATE gates SET name_km = $1 WHERE id = $2", &[km, id]).await?;
    }
    exec(&mut tx, "UPDATE gates SET updated_at = $1 WHERE id = $2", &[&now_text(), id]).await?;
    let detail = serde_json::json!({"lanes": u.lanes, "opening_hours": u.opening_hours, "name_km": u.name_km});
    audit(&mut tx, actor, "gate.update", id, &detail).await?;
    tx.commit().await?;
    Ok(store::get_gate(db, id).await?)
}
