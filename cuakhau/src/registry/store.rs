//! Registry storage: the SQL behind the registry, written once for both backends.
//! Every write runs in one transaction and records an audit entry in it.

use sqlx::{AnyConnection, AssertSqlSafe, FromRow};

use super::import::{PairRow, Rejection};
use super::model::*;
use super::text::{fold, slug};
use crate::db::{now_text, Arg, Db, Sql, StoreError};

/// Filters of the gate and gate-pair lists, already validated.
#[derive(Debug, Clone, Default)]
pub struct PairFilter {
    /// Either side in this country.
    pub country: Option<CountryCode>,
    /// Folded province name: matches today's or the pre-2025 province of either side.
    pub province: Option<String>,
    /// Class.
    pub class: Option<GateClass>,
    /// Pairs that carry this mode.
    pub mode: Option<Mode>,
    /// Status (`operating` also matches `upgraded`).
    pub status: Option<PairStatus>,
    /// Folded free text matched against gate and province names.
    pub q: Option<String>,
    /// 1-based page.
    pub page: i64,
    /// Page size (1–500).
    pub per_page: i64,
}

const PAIR_SELECT: &str = "SELECT p.id, ga.name AS gate_a, ga.id AS gate_a_id, p.country_a, gb.name AS gate_b, \
     gb.id AS gate_b_id, p.country_b, pa.name AS province_a, po.name AS province_a_old, pb.name AS province_b, \
     p.class, p.modes, p.status, p.status_since, p.status_note, p.source, p.updated_at \
     FROM gate_pairs p JOIN gates ga ON ga.id = p.gate_a_id LEFT JOIN gates gb ON gb.id = p.gate_b_id \
     LEFT JOIN provinces pa ON pa.id = ga.province_id LEFT JOIN provinces po ON po.id = ga.province_old_id \
     LEFT JOIN provinces pb ON pb.id = gb.province_id";

#[derive(FromRow)]
struct PairRecord {
    id: String,
    gate_a: String,
    gate_a_id: String,
    country_a: String,
    gate_b: Option<String>,
    gate_b_id: Option<String>,
    country_b: String,
    province_a: Option<String>,
    province_a_old: Option<String>,
    province_b: Option<String>,
    class: Option<String>,
    modes: String,
    status: String,
    status_since: Option<String>,
    status_note: Option<String>,
    source: String,
    updated_at: String,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored {what} is invalid: {e}"))
}

impl PairRecord {
    fn summary(&self) -> Result<GatePairSummary, StoreError> {
        Ok(GatePairSummary {
            id: self.id.clone(),
            gate_a: self.gate_a.clone(),
            gate_a_id: self.gate_a_id.clone(),
            country_a: CountryCode::parse(&self.country_a).map_err(|e| corrupt("country", e))?,
            gate_b: self.gate_b.clone(),
            gate_b_id: self.gate_b_id.clone(),
            country_b: CountryCode::parse(&self.country_b).map_err(|e| corrupt("country", e))?,
            province_a: self.province_a.clone(),
            province_a_old: self.province_a_old.clone(),
            province_b: self.province_b.clone(),
            class: self.class.as_deref().map(str::parse).transpose().map_err(|e| corrupt("class", e))?,
            modes: parse_modes(&self.modes).map_err(|e| corrupt("modes", e))?,
            status: self.status.parse().map_err(|e| corrupt("status", e))?,
            status_since: self.status_since.as_deref().map(PartialDate::parse).transpose().map_err(|e| corrupt("date", e))?,
        })
    }
}

fn where_clause(sql: &mut Sql, f: &PairFilter) {
    sql.push(" WHERE 1=1");
    if let Some(c) = f.country {
        let a = sql.arg(Arg::Text(c.as_str().into()));
        sql.push(&format!(" AND (p.country_a = {a} OR p.country_b = {a})"));
    }
    if let Some(p) = &f.province {
        let a = sql.arg(Arg::Text(p.clone()));
        sql.push(&format!(" AND (pa.search_key = {a} OR po.search_key = {a} OR pb.search_key = {a})"));
    }
    if let Some(c) = f.class {
        let a = sql.arg(Arg::Text(c.as_str().into()));
        sql.push(&format!(" AND p.class = {a}"));
    }
    if let Some(m) = f.mode {
        let a = sql.arg(Arg::Text(format!("%,{},%", m.as_str())));
        sql.push(&format!(" AND (',' || p.modes || ',') LIKE {a}"));
    }
    if let Some(s) = f.status {
        if s == PairStatus::Operating {
            sql.push(" AND p.status IN ('operating', 'upgraded')");
        } else {
            let a = sql.arg(Arg::Text(s.as_str().into()));
            sql.push(&format!(" AND p.status = {a}"));
        }
    }
    if let Some(q) = &f.q {
        let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let a = sql.arg(Arg::Text(format!("%{escaped}%")));
        sql.push(&format!(" AND p.search_key LIKE {a} ESCAPE '\\'"));
    }
}

/// Lists gate pairs matching `f`, one page, ordered by partner country then gate name.
pub async fn list_pairs(db: &Db, f: &PairFilter) -> Result<Page<GatePairSummary>, StoreError> {
    let mut sql = Sql::new(PAIR_SELECT);
    where_clause(&mut sql, f);
    let count_sql = sql.with_text(format!("SELECT COUNT(*) FROM ({}) AS filtered", sql.text));
    let (total,): (i64,) = count_sql.query_as().fetch_one(&db.pool).await?;
    let limit = sql.arg(Arg::Int(f.per_page));
    let offset = sql.arg(Arg::Int((f.page - 1) * f.per_page));
    sql.push(&format!(" ORDER BY p.country_b, ga.search_key, p.id LIMIT {limit} OFFSET {offset}"));
    let rows: Vec<PairRecord> = sql.query_as().fetch_all(&db.pool).await?;
    let items = rows.iter().map(PairRecord::summary).collect::<Result<_, _>>()?;
    Ok(Page { items, page: f.page, per_page: f.per_page, total })
}

/// One pair with both gates and its status history.
pub async fn get_pair(db: &Db, id: &str) -> Result<GatePairDetail, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let conn = &mut *conn;
    let rec: PairRecord = sqlx::query_as(AssertSqlSafe(format!("{PAIR_SELECT} WHERE p.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let summary = rec.summary()?;
    let gate_a_detail = get_gate_on(conn, &rec.gate_a_id).await?;
    let gate_b_detail = match &rec.gate_b_id {
        Some(b) => Some(get_gate_on(conn, b).await?),
        None => None,
    };
    #[derive(FromRow)]
    struct HistoryRow {
        status: String,
        date: Option<String>,
        note: Option<String>,
        source: Option<String>,
        recorded_at: String,
    }
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT status, date, note, source, recorded_at FROM gate_pair_status_history WHERE pair_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let history = rows
        .into_iter()
        .map(|r| {
            Ok(StatusEntry {
                status: r.status.parse().map_err(|e| corrupt("status", e))?,
                date: r.date.as_deref().map(PartialDate::parse).transpose().map_err(|e| corrupt("date", e))?,
                note: r.note,
                source: r.source,
                recorded_at: r.recorded_at,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(GatePairDetail {
        summary,
        status_note: rec.status_note,
        gate_a_detail,
        gate_b_detail,
        history,
        source: rec.source,
        updated_at: rec.updated_at,
    })
}

#[derive(FromRow)]
struct GateRecord {
    id: String,
    country_code: String,
    name: String,
    name_km: Option<String>,
    province: Option<String>,
    province_old: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    coord_precision: Option<String>,
    coord_source: Option<String>,
    opening_hours: Option<String>,
    source: String,
}

const GATE_SELECT: &str = "SELECT g.id, g.country_code, g.name, g.name_km, p.name AS province, po.name AS province_old, \
     g.lat, g.lon, g.coord_precision, g.coord_source, g.opening_hours, g.source FROM gates g \
     LEFT JOIN provinces p ON p.id = g.province_id LEFT JOIN provinces po ON po.id = g.province_old_id";

/// One gate (one side of a pair) with its lanes and opening hours.
pub async fn get_gate(db: &Db, id: &str) -> Result<Gate, StoreError> {
    let mut conn = db.pool.acquire().await?;
    get_gate_on(&mut conn, id).await
}

async fn get_gate_on(conn: &mut AnyConnection, id: &str) -> Result<Gate, StoreError> {
    let r: GateRecord = sqlx::query_as(AssertSqlSafe(format!("{GATE_SELECT} WHERE g.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let lanes = lanes_of(conn, id).await?;
    gate_from_record(r, lanes)
}

async fn lanes_of(conn: &mut AnyConnection, gate_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as("SELECT kind, count FROM lanes WHERE gate_id = $1 ORDER BY kind").bind(gate_id).fetch_all(&mut *conn).await?)
}

fn gate_from_record(r: GateRecord, lanes: Vec<(String, i64)>) -> Result<Gate, StoreError> {
    Ok(Gate {
        country: CountryCode::parse(&r.country_code).map_err(|e| corrupt("country", e))?,
        lanes: lanes
            .into_iter()
            .map(|(kind, count)| Ok(Lane { kind: kind.parse().map_err(|e| corrupt("lane", e))?, count }))
            .collect::<Result<_, StoreError>>()?,
        opening_hours: match r.opening_hours {
            Some(j) => serde_json::from_str(&j).map_err(|e| corrupt("opening hours", e))?,
            None => Vec::new(),
        },
        coord_precision: r.coord_precision.as_deref().map(str::parse).transpose().map_err(|e| corrupt("precision", e))?,
        id: r.id,
        name: r.name,
        name_km: r.name_km,
        province: r.province,
        province_old: r.province_old,
        lat: r.lat,
        lon: r.lon,
        coord_source: r.coord_source,
        source: r.source,
    })
}

/// A pair as the map needs it: side A's position (when a source gives one) and class.
#[derive(Debug, Clone, FromRow)]
pub struct MapEntry {
    /// Pair id (for the link).
    pub pair_id: String,
    /// Side A gate name.
    pub gate_a: String,
    /// Partner gate name.
    pub gate_b: Option<String>,
    /// Partner country code.
    pub country_b: String,
    /// Class, when known.
    pub class: Option<String>,
    /// Latitude of side A.
    pub lat: Option<f64>,
    /// Longitude of side A.
    pub lon: Option<f64>,
    /// Precision of the coordinate.
    pub coord_precision: Option<String>,
    /// Source of the coordinate.
    pub coord_source: Option<String>,
}

/// Every pair with side A's coordinate (or none), for the map and the list beside it.
pub async fn map_entries(db: &Db) -> Result<Vec<MapEntry>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS pair_id, ga.name AS gate_a, gb.name AS gate_b, p.country_b, p.class, ga.lat, ga.lon, \
         ga.coord_precision, ga.coord_source FROM gate_pairs p JOIN gates ga ON ga.id = p.gate_a_id \
         LEFT JOIN gates gb ON gb.id = p.gate_b_id ORDER BY p.country_b, ga.search_key",
    )
    .fetch_all(&db.pool)
    .await?)
}

/// What an import did.
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportReport {
    /// New pairs: (line, pair id).
    pub added: Vec<(u64, String)>,
    /// Changed pairs: (line, pair id, fields that changed).
    pub changed: Vec<(u64, String, Vec<String>)>,
    /// Pairs already as the file says.
    pub unchanged: usize,
    /// Rows that were not imported.
    pub rejected: Vec<Rejection>,
}

async fn ensure_province(conn: &mut AnyConnection, country: CountryCode, name: &str, source: &str) -> Result<String, StoreError> {
    let key = fold(name);
    if let Some((id,)) = sqlx::query_as::<_, (String,)>("SELECT id FROM provinces WHERE country_code = $1 AND search_key = $2")
        .bind(country.as_str())
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(id);
    }
    let id = format!("{}-{}", country.as_str().to_lowercase(), slug(name));
    sqlx::query("INSERT INTO provinces (id, country_code, name, search_key, is_current, source) VALUES ($1, $2, $3, $4, 1, $5)")
        .bind(&id)
        .bind(country.as_str())
        .bind(name)
        .bind(&key)
        .bind(source)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Records that `old` became part of `new` in the 2025 merger (no-op when equal).
async fn link_merger(conn: &mut AnyConnection, old: &str, new: &str) -> Result<(), StoreError> {
    if old != new {
        sqlx::query("UPDATE provinces SET successor_id = $1, is_current = 0 WHERE id = $2")
            .bind(new)
            .bind(old)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Inserts the countries and the 2025 Vietnamese province mergers (idempotent).
pub async fn seed_reference(db: &Db, mergers_csv: &[u8]) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for (code, en, vi, km) in COUNTRIES {
        sqlx::query(
            "INSERT INTO countries (code, name_en, name_vi, name_km, source) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(*code)
        .bind(*en)
        .bind(*vi)
        .bind(*km)
        .bind("ISO 3166-1 alpha-2")
        .execute(&mut *tx)
        .await?;
    }
    let mut reader = csv::Reader::from_reader(mergers_csv);
    for rec in reader.records() {
        let rec = rec.map_err(|e| StoreError::Other(format!("province mergers file: {e}")))?;
        let (old, new, source) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""), rec.get(2).unwrap_or(""));
        let old_id = ensure_province(&mut tx, CountryCode::VN, old, source).await?;
        let new_id = ensure_province(&mut tx, CountryCode::VN, new, source).await?;
        link_merger(&mut tx, &old_id, &new_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Number of gate pairs stored.
pub async fn count_pairs(db: &Db) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM gate_pairs").fetch_one(&db.pool).await?;
    Ok(n)
}

fn gate_key(country: CountryCode, name: &str, province: Option<&str>) -> String {
    format!("{}|{}|{}", country.as_str(), fold(name), province.map(fold).unwrap_or_default())
}

/// The first free id among `candidates`, then the last one with `-2`, `-3` …
async fn free_id(conn: &mut AnyConnection, table: &str, candidates: &[String]) -> Result<String, StoreError> {
    let last = candidates.last().cloned().unwrap_or_else(|| "x".into());
    let extra = (2..).map(|n| format!("{last}-{n}"));
    for candidate in candidates.iter().cloned().chain(extra) {
        let taken: Option<(String,)> = sqlx::query_as(AssertSqlSafe(format!("SELECT id FROM {table} WHERE id = $1")))
            .bind(&candidate)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_none() {
            return Ok(candidate);
        }
    }
    unreachable!("the candidate list is endless")
}

/// The name without its parenthesised alternatives: `"Prey Vor (Prây Vo)"` → `"Prey Vor"`.
fn short_name(name: &str) -> &str {
    name.split('(').next().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(name)
}

/// Id candidates from short to long: short names, full names, then with the province.
fn id_candidates(prefix: &str, names: &[&str], province: Option<&str>) -> Vec<String> {
    let join = |f: &dyn Fn(&str) -> String| names.iter().map(|n| f(n)).collect::<Vec<_>>().join("--");
    let short = format!("{prefix}{}", join(&|n| slug(short_name(n))));
    let full = format!("{prefix}{}", join(&|n| slug(n)));
    let mut c = vec![short, full.clone()];
    if let Some(p) = province {
        c.push(format!("{full}-{}", slug(p)));
    }
    c.dedup();
    c
}

/// The values of one gate, as an import or a create writes them.
struct GateValues<'a> {
    country: CountryCode,
    name: &'a str,
    province_id: Option<String>,
    province_old_id: Option<String>,
    coords: Option<&'a super::import::Coords>,
    source: &'a str,
    /// Whether an existing gate's fields follow these values (side A of a row); a
    /// partner gate shared by several rows keeps what it has.
    authoritative: bool,
}

/// Inserts or updates a gate by natural key; returns (id, changed field names, added).
async fn upsert_gate(conn: &mut AnyConnection, key: &str, v: &GateValues<'_>) -> Result<(String, Vec<String>, bool), StoreError> {
    let now = now_text();
    #[derive(FromRow)]
    struct Existing {
        id: String,
        province_id: Option<String>,
        province_old_id: Option<String>,
        lat: Option<f64>,
        lon: Option<f64>,
        coord_precision: Option<String>,
        coord_source: Option<String>,
        source: String,
    }
    let existing: Option<Existing> = sqlx::query_as(
        "SELECT id, province_id, province_old_id, lat, lon, coord_precision, coord_source, source FROM gates WHERE natural_key = $1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    let (lat, lon, precision, csource) = match v.coords {
        Some(c) => (Some(c.lat), Some(c.lon), Some(c.precision.as_str().to_string()), Some(c.source.clone())),
        None => (None, None, None, None),
    };
    match existing {
        Some(e) => {
            if !v.authoritative {
                return Ok((e.id, Vec::new(), false));
            }
            let mut changed = Vec::new();
            if e.province_id != v.province_id {
                changed.push("province".to_string());
            }
            if e.province_old_id != v.province_old_id {
                changed.push("province_old".to_string());
            }
            if e.lat != lat || e.lon != lon || e.coord_precision != precision || e.coord_source != csource {
                changed.push("coordinates".to_string());
            }
            if e.source != v.source {
                changed.push("source".to_string());
            }
            if !changed.is_empty() {
                sqlx::query(
                    "UPDATE gates SET province_id = $1, province_old_id = $2, lat = $3, lon = $4, coord_precision = $5, \
                     coord_source = $6, source = $7, updated_at = $8 WHERE id = $9",
                )
                .bind(&v.province_id)
                .bind(&v.province_old_id)
                .bind(lat)
                .bind(lon)
                .bind(&precision)
                .bind(&csource)
                .bind(v.source)
                .bind(&now)
                .bind(&e.id)
                // sqlx 0.9's Any driver types a NULL f64 as float4 on PostgreSQL; a cached
                // statement would then reject a later non-NULL float8. Prepare afresh.
                .persistent(false)
                .execute(&mut *conn)
                .await?;
            }
            Ok((e.id, changed, false))
        }
        None => {
            let prefix = format!("{}-", v.country.as_str().to_lowercase());
            let province = v.province_old_id.as_deref().or(v.province_id.as_deref()).and_then(|p| p.get(3..));
            let id = free_id(conn, "gates", &id_candidates(&prefix, &[v.name], province)).await?;
            sqlx::query(
                "INSERT INTO gates (id, natural_key, country_code, name, search_key, province_id, province_old_id, lat, lon, \
                 coord_precision, coord_source, source, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
            )
            .bind(&id)
            .bind(key)
            .bind(v.country.as_str())
            .bind(v.name)
            .bind(fold(v.name))
            .bind(&v.province_id)
            .bind(&v.province_old_id)
            .bind(lat)
            .bind(lon)
            .bind(&precision)
            .bind(&csource)
            .bind(v.source)
            .bind(&now)
            .persistent(false) // see the UPDATE above: NULL f64 under the Any driver
            .execute(&mut *conn)
            .await?;
            Ok((id, Vec::new(), true))
        }
    }
}

fn pair_search_key(row_names: &[Option<&str>]) -> String {
    row_names.iter().flatten().map(|s| fold(s)).collect::<Vec<_>>().join(" ")
}

/// Imports validated rows in one transaction: same file twice → no change the second
/// time. Rows are matched by natural key (both gate names with their provinces).
pub async fn import(db: &Db, rows: &[PairRow], actor: &str) -> Result<ImportReport, StoreError> {
    let mut tx = db.begin_write().await?;
    let report = import_rows(&mut tx, rows).await?;
    let detail = serde_json::json!({ "added": report.added.len(), "changed": report.changed.len(), "unchanged": report.unchanged });
    crate::db::audit(&mut tx, actor, "gate_pairs.import", "gate_pairs", &detail).await?;
    tx.commit().await?;
    Ok(report)
}

pub(crate) async fn import_rows(tx: &mut AnyConnection, rows: &[PairRow]) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let now = now_text();
    for row in rows {
        let prov_old = match &row.province_a_old {
            Some(p) => Some(ensure_province(tx, row.country_a, p, &row.source).await?),
            None => None,
        };
        let prov_new = match &row.province_a_new {
            Some(p) => Some(ensure_province(tx, row.country_a, p, &row.source).await?),
            None => None,
        };
        if let (Some(o), Some(n)) = (&prov_old, &prov_new) {
            link_merger(tx, o, n).await?;
        }
        let key_a = gate_key(row.country_a, &row.gate_a, row.province_a_old.as_deref());
        let (gate_a, changed_a, _) = upsert_gate(
            tx,
            &key_a,
            &GateValues {
                country: row.country_a,
                name: &row.gate_a,
                province_id: prov_new.clone(),
                province_old_id: prov_old.clone(),
                coords: row.coords.as_ref(),
                source: &row.source,
                authoritative: true,
            },
        )
        .await?;
        let (gate_b, key_b) = match &row.gate_b {
            Some(name) => {
                let prov_b = match &row.province_b {
                    Some(p) => Some(ensure_province(tx, row.country_b, p, &row.source).await?),
                    None => None,
                };
                let key_b = gate_key(row.country_b, name, row.province_b.as_deref());
                let values = GateValues {
                    country: row.country_b,
                    name,
                    province_id: prov_b,
                    province_old_id: None,
                    coords: None,
                    source: &row.source,
                    authoritative: false,
                };
                (Some(upsert_gate(tx, &key_b, &values).await?.0), key_b)
            }
            None => (None, String::new()),
        };
        let pair_key = format!("{key_a}>{}", if key_b.is_empty() { row.country_b.as_str().to_string() } else { key_b });
        let (status, since) = row.history.last().cloned().expect("a parsed row has a status");
        let class = row.class.map(|c| c.as_str().to_string());
        let modes = modes_text(&row.modes);
        let search = pair_search_key(&[
            Some(&row.gate_a),
            row.gate_b.as_deref(),
            row.province_a_old.as_deref(),
            row.province_a_new.as_deref(),
            row.province_b.as_deref(),
        ]);
        #[derive(FromRow)]
        struct Existing {
            id: String,
            class: Option<String>,
            modes: String,
            status: String,
            status_since: Option<String>,
            status_note: Option<String>,
            source: String,
        }
        let existing: Option<Existing> = sqlx::query_as(
            "SELECT id, class, modes, status, status_since, status_note, source FROM gate_pairs WHERE natural_key = $1",
        )
        .bind(&pair_key)
        .fetch_optional(&mut *tx)
        .await?;
        match existing {
            None => {
                let mut names = vec![row.gate_a.as_str()];
                names.extend(row.gate_b.as_deref());
                let id = free_id(tx, "gate_pairs", &id_candidates("", &names, row.province_a_old.as_deref())).await?;
                sqlx::query(
                    "INSERT INTO gate_pairs (id, natural_key, gate_a_id, gate_b_id, country_a, country_b, class, modes, status, \
                     status_since, status_note, search_key, source, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
                )
                .bind(&id)
                .bind(&pair_key)
                .bind(&gate_a)
                .bind(&gate_b)
                .bind(row.country_a.as_str())
                .bind(row.country_b.as_str())
                .bind(&class)
                .bind(&modes)
                .bind(status.as_str())
                .bind(since.as_ref().map(|d| d.as_str().to_string()))
                .bind(&row.status_note)
                .bind(&search)
                .bind(&row.source)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                for (status, date) in &row.history {
                    append_history(tx, &id, *status, date.as_ref(), None, Some(&row.source)).await?;
                }
                report.added.push((row.line, id));
            }
            Some(e) => {
                let mut changed = changed_a;
                if e.class != class {
                    changed.push("class".into());
                }
                if e.modes != modes {
                    changed.push("modes".into());
                }
                if e.status_note.as_deref() != Some(row.status_note.as_str()) {
                    changed.push("status_note".into());
                }
                if e.source != row.source {
                    changed.push("source".into());
                }
                let since_text = since.as_ref().map(|d| d.as_str().to_string());
                let status_changed = e.status != status.as_str() || e.status_since != since_text;
                if status_changed {
                    changed.push("status".into());
                    append_history(tx, &e.id, status, since.as_ref(), Some("re-imported"), Some(&row.source)).await?;
                }
                if changed.is_empty() {
                    report.unchanged += 1;
                } else {
                    sqlx::query(
                        "UPDATE gate_pairs SET class = $1, modes = $2, status = $3, status_since = $4, status_note = $5, \
                         source = $6, search_key = $7, updated_at = $8 WHERE id = $9",
                    )
                    .bind(&class)
                    .bind(&modes)
                    .bind(status.as_str())
                    .bind(&since_text)
                    .bind(&row.status_note)
                    .bind(&row.source)
                    .bind(&search)
                    .bind(&now)
                    .bind(&e.id)
                    .execute(&mut *tx)
                    .await?;
                    report.changed.push((row.line, e.id, changed));
                }
            }
        }
    }
    Ok(report)
}

pub(crate) async fn append_history(
    conn: &mut AnyConnection,
    pair: &str,
    status: PairStatus,
    date: Option<&PartialDate>,
    note: Option<&str>,
    source: Option<&str>,
) -> Result<(), StoreError> {
    let (next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM gate_pair_status_history WHERE pair_id = $1")
        .bind(pair)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO gate_pair_status_history (pair_id, seq, status, date, note, source, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(pair)
    .bind(next)
    .bind(status.as_str())
    .bind(date.map(|d| d.as_str().to_string()))
    .bind(note)
    .bind(source)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A province with its successor after the 2025 merger.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, FromRow)]
pub struct Province {
    /// Id, e.g. `vn-long-an`.
    pub id: String,
    /// Country code.
    pub country_code: String,
    /// Name.
    pub name: String,
    /// Name of the province it merged into in 2025, if it did.
    pub successor: Option<String>,
    /// 1 if it exists today, 0 if dissolved by a merger.
    pub is_current: i64,
    /// Where the record comes from.
    pub source: String,
}

/// Every province, by country and name.
pub async fn list_provinces(db: &Db) -> Result<Vec<Province>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.country_code, p.name, s.name AS successor, p.is_current, p.source FROM provinces p \
         LEFT JOIN provinces s ON s.id = p.successor_id ORDER BY p.country_code, p.search_key",
    )
    .fetch_all(&db.pool)
    .await?)
}

/// Gates (either side) of the pairs matching `f`, one page.
pub async fn list_gates(db: &Db, f: &PairFilter) -> Result<Page<Gate>, StoreError> {
    let mut pairs = Sql::new("SELECT p.gate_a_id AS gate_id FROM gate_pairs p JOIN gates ga ON ga.id = p.gate_a_id \
         LEFT JOIN gates gb ON gb.id = p.gate_b_id LEFT JOIN provinces pa ON pa.id = ga.province_id \
         LEFT JOIN provinces po ON po.id = ga.province_old_id LEFT JOIN provinces pb ON pb.id = gb.province_id");
    where_clause(&mut pairs, f);
    let side_b = pairs.text.replacen("SELECT p.gate_a_id AS gate_id", "SELECT p.gate_b_id AS gate_id", 1);
    let ids_sql = format!("{} UNION {}", pairs.text, side_b);
    let total_sql = pairs.with_text(format!("SELECT COUNT(*) FROM ({ids_sql}) AS ids WHERE gate_id IS NOT NULL"));
    let (total,): (i64,) = total_sql.query_as().fetch_one(&db.pool).await?;
    let mut page_sql = pairs.with_text(format!(
        "{GATE_SELECT} WHERE g.id IN (SELECT gate_id FROM ({ids_sql}) AS ids WHERE gate_id IS NOT NULL) ORDER BY g.country_code, g.search_key, g.id"
    ));
    let limit = page_sql.arg(Arg::Int(f.per_page));
    let offset = page_sql.arg(Arg::Int((f.page - 1) * f.per_page));
    page_sql.push(&format!(" LIMIT {limit} OFFSET {offset}"));
    let rows: Vec<GateRecord> = page_sql.query_as().fetch_all(&db.pool).await?;
    let mut conn = db.pool.acquire().await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let lanes = lanes_of(&mut conn, &r.id).await?;
        items.push(gate_from_record(r, lanes)?);
    }
    Ok(Page { items, page: f.page, per_page: f.per_page, total })
}
