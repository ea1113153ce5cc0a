//! Clearance endpoints under `/api/v1`. Roles are stated in the router; company and
//! gate scope are checked by the service.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::booking::{self, BookRequest, BookingView, SlotView};
use super::declaration::{DeclarationBody, DeclarationStatus};
use super::events::{self, EventBatch, EventResult, VehicleFile};
use super::keys::{self, NodeKey};
use super::metrics::{self, GateMetrics, LaneQueue};
use super::model::Now;
use super::queue;
use super::service::{self, DeclarationView};
use crate::auth::Principal;
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::AppState;

/// Options of `POST /api/v1/declarations`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    /// Submit for assessment at once (`true`) or keep as a draft (default).
    pub submit: Option<bool>,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let k = v.to_str().map_err(|_| ApiError::bad_param("Idempotency-Key", "must be visible ASCII"))?.trim();
            if k.is_empty() || k.len() > 200 {
                return Err(ApiError::bad_param("Idempotency-Key", "1 to 200 characters"));
            }
            Ok(Some(k.to_string()))
        }
    }
}

/// Declare a shipment (trader). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/declarations", tag = "clearance", request_body = DeclarationBody, params(CreateParams),
    responses((status = 201, body = DeclarationView), (status = 200, description = "a retry with the same Idempotency-Key", body = DeclarationView),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<CreateParams>,
    ApiJson(body): ApiJson<DeclarationBody>,
) -> Result<(StatusCode, Json<DeclarationView>), ApiError> {
    let key = idempotency_key(&headers)?;
    let (view, created) = service::create(&s.db, &s.rules, &p, &body, key.as_deref(), q.submit.unwrap_or(false), Now::wall()).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(view)))
}

/// Filters of `GET /api/v1/declarations`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this status.
    pub status: Option<String>,
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
}

/// Declarations the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/declarations", tag = "clearance", params(ListParams),
    responses((status = 200, body = [DeclarationView]), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(s): State<AppState>, p: Principal, ApiQuery(q): ApiQuery<ListParams>) -> Result<Json<Vec<DeclarationView>>, ApiError> {
    let status = q.status.as_deref().map(str::parse::<DeclarationStatus>).transpose().map_err(|e| ApiError::bad_param("status", e))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_param("limit", "1 to 500"));
    }
    Ok(Json(service::list(&s.db, &p, status, limit).await?))
}

/// One declaration with its assessment and history.
#[utoipa::path(get, path = "/api/v1/declarations/{id}", tag = "clearance", params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = DeclarationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get(State(s): State<AppState>, p: Principal, Path(id): Path<String>) -> Result<Json<DeclarationView>, ApiError> {
    Ok(Json(service::get(&s.db, &p, &id).await?))
}

/// Amend a declaration before arrival (a new version; re-assessed when submitted).
#[utoipa::path(put, path = "/api/v1/declarations/{id}", tag = "clearance", request_body = DeclarationBody,
    params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = DeclarationView), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn amend(State(s): State<AppState>, p: Principal, Path(id): Path<String>, ApiJson(body): ApiJson<DeclarationBody>) -> Result<Json<DeclarationView>, ApiError> {
    Ok(Json(service::amend(&s.db, &s.rules, &p, &id, &body, Now::wall()).await?))
}

/// Submit a draft for assessment.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/submit", tag = "clearance", params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = DeclarationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn submit(State(s): State<AppState>, p: Principal, Path(id): Path<String>) -> Result<Json<DeclarationView>, ApiError> {
    Ok(Json(service::submit(&s.db, &s.rules, &p, &id, Now::wall()).await?))
}

/// Cancel a declaration before arrival.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/cancel", tag = "clearance", params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = DeclarationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn cancel(State(s): State<AppState>, p: Principal, Path(id): Path<String>) -> Result<Json<DeclarationView>, ApiError> {
    Ok(Json(service::cancel(&s.db, &p, &id, Now::wall()).await?))
}

/// Book a slot for an assessed declaration (trader); returns the booking with its pass.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/booking", tag = "clearance", request_body = BookRequest,
    params(("id" = String, Path, description = "declaration id")),
    responses((status = 201, body = BookingView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)),
    security(("bearer" = [])))]
pub async fn book(State(s): State<AppState>, p: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<BookRequest>) -> Result<(StatusCode, Json<BookingView>), ApiError> {
    let issuer = keys::active_issuer(&s.db).await?;
    Ok((StatusCode::CREATED, Json(booking::book(&s.db, &s.config.clearance, &issuer, &p, &id, &req, Now::wall()).await?)))
}

/// Move the booking to another slot (a limited number of times); the pass is re-issued.
#[utoipa::path(put, path = "/api/v1/declarations/{id}/booking", tag = "clearance", request_body = BookRequest,
    params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = BookingView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn move_booking(State(s): State<AppState>, p: Principal, Path(id): Path<String>, ApiJson(req): ApiJson<BookRequest>) -> Result<Json<BookingView>, ApiError> {
    let issuer = keys::active_issuer(&s.db).await?;
    Ok(Json(booking::move_booking(&s.db, &s.config.clearance, &issuer, &p, &id, &req, Now::wall()).await?))
}

/// The declaration's booking and pass.
#[utoipa::path(get, path = "/api/v1/declarations/{id}/booking", tag = "clearance", params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = BookingView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_booking(State(s): State<AppState>, p: Principal, Path(id): Path<String>) -> Result<Json<BookingView>, ApiError> {
    booking::booking_of(&s.db, &p, &id).await?.map(Json).ok_or(ApiError::NotFound)
}

/// The vehicle's checkpoint events and clearance state.
#[utoipa::path(get, path = "/api/v1/declarations/{id}/events", tag = "clearance", params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = VehicleFile), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn vehicle_file(State(s): State<AppState>, p: Principal, Path(id): Path<String>) -> Result<Json<VehicleFile>, ApiError> {
    service::get(&s.db, &p, &id).await?;
    Ok(Json(events::vehicle_file(&s.db, &id).await?))
}

/// Post checkpoint events at a gate (officers of the gate, each event by its agency).
/// Each event is answered on its own; a repeated event id gets its first answer.
#[utoipa::path(post, path = "/api/v1/gates/{gate}/events", tag = "clearance", request_body = EventBatch,
    params(("gate" = String, Path, description = "gate id, e.g. vn-moc-bai")),
    responses((status = 200, body = [EventResult]), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn post_events(State(s): State<AppState>, p: Principal, Path(gate): Path<String>, ApiJson(batch): ApiJson<EventBatch>) -> Result<Json<Vec<EventResult>>, ApiError> {
    Ok(Json(events::record_batch(&s.db, &p, &gate, &batch, Now::wall()).await?))
}

/// Period of `GET /api/v1/gates/{gate}/metrics`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MetricsParams {
    /// First local day, `YYYY-MM-DD` (default: today, UTC+7).
    pub from: Option<String>,
    /// Last local day (default: `from`).
    pub to: Option<String>,
}

fn day_param(name: &str, v: Option<&str>, default: &str) -> Result<String, ApiError> {
    let d = v.unwrap_or(default);
    match crate::registry::model::PartialDate::parse(d) {
        Ok(p) if p.as_str().len() == 10 => Ok(p.as_str().to_string()),
        _ => Err(ApiError::bad_param(name, format!("{d:?} is not a date YYYY-MM-DD"))),
    }
}

/// Clearance and waiting times of a gate (count, p50, p90, p99 by day, lane, direction).
#[utoipa::path(get, path = "/api/v1/gates/{gate}/metrics", tag = "clearance", params(("gate" = String, Path, description = "gate id"), MetricsParams),
    responses((status = 200, body = GateMetrics), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn gate_metrics(State(s): State<AppState>, Path(gate): Path<String>, ApiQuery(q): ApiQuery<MetricsParams>) -> Result<Json<GateMetrics>, ApiError> {
    crate::registry::store::get_gate(&s.db, &gate).await?;
    let today = events::local_day(Now::wall().ms());
    let from = day_param("from", q.from.as_deref(), &today)?;
    let to = day_param("to", q.to.as_deref(), &from)?;
    if to < from {
        return Err(ApiError::bad_param("to", "before from"));
    }
    Ok(Json(metrics::gate_metrics(&s.db, &gate, &from, &to).await?))
}

/// The yard queue now, by lane, with a predicted clearance time for a vehicle joining.
#[utoipa::path(get, path = "/api/v1/gates/{gate}/queue", tag = "clearance", params(("gate" = String, Path, description = "gate id")),
    responses((status = 200, body = [LaneQueue]), (status = 404, body = Problem)))]
pub async fn gate_queue(State(s): State<AppState>, Path(gate): Path<String>) -> Result<Json<Vec<LaneQueue>>, ApiError> {
    crate::registry::store::get_gate(&s.db, &gate).await?;
    let now = Now::wall().ms();
    Ok(Json(metrics::gate_queue(&s.db, &gate, now).await?))
}

/// The gate's yard-queue log, one JSON entry per line (hash-chained; check it with
/// `cuakhau queue verify FILE`).
#[utoipa::path(get, path = "/api/v1/gates/{gate}/queue-log", tag = "clearance", params(("gate" = String, Path, description = "gate id")),
    responses((status = 200, description = "JSON lines", content_type = "application/x-ndjson"), (status = 404, body = Problem)))]
pub async fn queue_log(State(s): State<AppState>, Path(gate): Path<String>) -> Result<impl IntoResponse, ApiError> {
    crate::registry::store::get_gate(&s.db, &gate).await?;
    let log = events::queue_log(&s.db, &gate).await?;
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], queue::to_jsonl(&log)))
}

/// Free places of a gate's slots on one local day.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotParams {
    /// Local day `YYYY-MM-DD` (default today, UTC+7).
    pub date: Option<String>,
    /// `import` or `export` (default import).
    pub direction: Option<String>,
}

/// Slots of a gate for a day, with free places.
#[utoipa::path(get, path = "/api/v1/gates/{gate}/slots", tag = "clearance", params(("gate" = String, Path, description = "gate id"), SlotParams),
    responses((status = 200, body = [SlotView]), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn slots(State(s): State<AppState>, Path(gate): Path<String>, ApiQuery(q): ApiQuery<SlotParams>) -> Result<Json<Vec<SlotView>>, ApiError> {
    crate::registry::store::get_gate(&s.db, &gate).await?;
    let today = events::local_day(Now::wall().ms());
    let day = day_param("date", q.date.as_deref(), &today)?;
    let direction: super::model::Direction =
        q.direction.as_deref().unwrap_or("import").parse().map_err(|e| ApiError::bad_param("direction", e))?;
    let start = time::Date::parse(&day, &time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| ApiError::bad_param("date", "not a date"))?
        .midnight()
        .assume_offset(time::macros::offset!(+7))
        .unix_timestamp();
    Ok(Json(booking::slots(&s.db, &s.config.clearance, &gate, direction.as_str(), start).await?))
}

/// The node's pass-signing public keys (current and retired), for offline verification.
#[utoipa::path(get, path = "/api/v1/node/keys", tag = "clearance", responses((status = 200, body = [NodeKey])))]
pub async fn node_keys(State(s): State<AppState>) -> Result<Json<Vec<NodeKey>>, ApiError> {
    Ok(Json(keys::public_keys(&s.db).await?))
}

/// Ids of revoked passes that have not expired yet, for offline verification.
#[utoipa::path(get, path = "/api/v1/passes/revoked", tag = "clearance", responses((status = 200, body = [String])))]
pub async fn revoked_passes(State(s): State<AppState>) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(keys::revoked_passes(&s.db, Now::wall().s()).await?))
}

/// A pass as a QR image: `/api/v1/passes/{id}.svg` (the declaring trader, officers of the
/// gate, admins).
#[utoipa::path(get, path = "/api/v1/passes/{file}", tag = "clearance", params(("file" = String, Path, description = "pass id followed by .svg")),
    responses((status = 200, description = "SVG image", content_type = "image/svg+xml"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn pass_svg(State(s): State<AppState>, p: Principal, Path(file): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let id = file.strip_suffix(".svg").ok_or(ApiError::NotFound)?;
    let row: Option<(String, String)> = sqlx::query_as("SELECT declaration_id, token FROM passes WHERE id = $1")
        .bind(id)
        .fetch_optional(&s.db.pool)
        .await
        .map_err(crate::db::StoreError::from)?;
    let (declaration, token) = row.ok_or(ApiError::NotFound)?;
    service::get(&s.db, &p, &declaration).await?;
    let svg = gatepass::qr_svg(&token).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "private, max-age=300")], svg))
}
