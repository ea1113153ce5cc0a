//! Registry endpoints under `/api/v1`. Reads are public (the registry is reference
//! data); writes need the roles the router states, and gate scope is checked here.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::*;
use super::service::{self, GateUpdate, NewPair, PairUpdate, Retirement};
use super::store::{self, PairFilter};
use super::text::fold;
use crate::auth::{Principal, Role};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::AppState;

/// Filters of `GET /api/v1/gate-pairs` and `GET /api/v1/gates` (and of the gates page).
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PairQuery {
    /// Country code on either side (`VN`, `KH`, `LA`, `CN`).
    pub country: Option<String>,
    /// Province by today's or pre-2025 name (diacritics optional).
    pub province: Option<String>,
    /// `international`, `main`, `secondary`, `border_market`.
    pub class: Option<String>,
    /// `road`, `rail`, `river`.
    pub mode: Option<String>,
    /// `planned`, `operating` (includes `upgraded`), `upgraded`, `suspended`, `retired`.
    pub status: Option<String>,
    /// Text in gate or province names.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Items per page, 1–500 (default 50).
    pub per_page: Option<String>,
    /// UI language (pages only; ignored by the API).
    #[param(ignore)]
    #[serde(skip_serializing)]
    pub lang: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl PairQuery {
    /// Validates into a filter; each bad parameter is a 400 naming it.
    pub fn to_filter(&self) -> Result<PairFilter, ApiError> {
        let int = |name: &str, v: &Option<String>, default: i64, max: i64| -> Result<i64, ApiError> {
            match nonempty(v) {
                None => Ok(default),
                Some(s) => s
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| ApiError::bad_param(name, format!("{s:?} is not a whole number from 1 to {max}"))),
            }
        };
        Ok(PairFilter {
            country: nonempty(&self.country).map(CountryCode::parse).transpose().map_err(|e| ApiError::bad_param("country", e))?,
            province: nonempty(&self.province).map(fold),
            class: nonempty(&self.class).map(str::parse).transpose().map_err(|e: String| ApiError::bad_param("class", e))?,
            mode: nonempty(&self.mode).map(str::parse).transpose().map_err(|e: String| ApiError::bad_param("mode", e))?,
            status: nonempty(&self.status).map(str::parse).transpose().map_err(|e: String| ApiError::bad_param("status", e))?,
            q: nonempty(&self.q).map(fold),
            page: int("page", &self.page, 1, 1_000_000)?,
            per_page: int("per_page", &self.per_page, 50, 500)?,
        })
    }
}

/// A page of gate pairs (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct GatePairPage {
    items: Vec<GatePairSummary>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// List gate pairs.
#[utoipa::path(get, path = "/api/v1/gate-pairs", tag = "registry", params(PairQuery),
    responses((status = 200, body = GatePairPage), (status = 400, body = Problem)))]
pub async fn list_pairs(State(s): State<AppState>, ApiQuery(q): ApiQuery<PairQuery>) -> Result<Json<Page<GatePairSummary>>, ApiError> {
    Ok(Json(store::list_pairs(&s.db, &q.to_filter()?).await?))
}

/// One gate pair with both gates and its status history.
#[utoipa::path(get, path = "/api/v1/gate-pairs/{id}", tag = "registry",
    params(("id" = String, Path, description = "pair id, e.g. moc-bai--bavet")),
    responses((status = 200, body = GatePairDetail), (status = 404, body = Problem)))]
pub async fn get_pair(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<GatePairDetail>, ApiError> {
    Ok(Json(store::get_pair(&s.db, &id).await?))
}

/// Create a gate pair (admin).
#[utoipa::path(post, path = "/api/v1/gate-pairs", tag = "registry", request_body = NewPair,
    responses((status = 201, body = GatePairDetail), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_pair(State(s): State<AppState>, p: Principal, ApiJson(body): ApiJson<NewPair>) -> Result<(StatusCode, Json<GatePairDetail>), ApiError> {
    let pair = service::create_pair(&s.db, &body, &p.user_id).await?;
    tracing::info!(pair = %pair.summary.id, user = %p.username, "gate pair created");
    Ok((StatusCode::CREATED, Json(pair)))
}

/// Update a gate pair's class, modes or status (admin).
#[utoipa::path(patch, path = "/api/v1/gate-pairs/{id}", tag = "registry", request_body = PairUpdate,
    params(("id" = String, Path, description = "pair id")),
    responses((status = 200, body = GatePairDetail), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_pair(State(s): State<AppState>, p: Principal, Path(id): Path<String>, ApiJson(body): ApiJson<PairUpdate>) -> Result<Json<GatePairDetail>, ApiError> {
    Ok(Json(service::update_pair(&s.db, &id, &body, &p.user_id).await?))
}

/// Retire a gate pair (admin). It stays in the registry with its history.
#[utoipa::path(post, path = "/api/v1/gate-pairs/{id}/retire", tag = "registry", request_body = Retirement,
    params(("id" = String, Path, description = "pair id")),
    responses((status = 200, body = GatePairDetail), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn retire_pair(State(s): State<AppState>, p: Principal, Path(id): Path<String>, ApiJson(body): ApiJson<Retirement>) -> Result<Json<GatePairDetail>, ApiError> {
    Ok(Json(service::retire_pair(&s.db, &id, &body, &p.user_id).await?))
}

/// One side's gate.
#[utoipa::path(get, path = "/api/v1/gates/{id}", tag = "registry",
    params(("id" = String, Path, description = "gate id, e.g. vn-moc-bai")),
    responses((status = 200, body = Gate), (status = 404, body = Problem)))]
pub async fn get_gate(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<Gate>, ApiError> {
    Ok(Json(store::get_gate(&s.db, &id).await?))
}

/// List gates (each side of each pair), with the pair filters.
#[utoipa::path(get, path = "/api/v1/gates", tag = "registry", params(PairQuery),
    responses((status = 200, body = GatePage), (status = 400, body = Problem)))]
pub async fn list_gates(State(s): State<AppState>, ApiQuery(q): ApiQuery<PairQuery>) -> Result<Json<Page<Gate>>, ApiError> {
    Ok(Json(store::list_gates(&s.db, &q.to_filter()?).await?))
}

/// A page of gates (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct GatePage {
    items: Vec<Gate>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// Update a gate's lanes and opening hours (admin, or an officer of that gate); its
/// Khmer name (admin).
#[utoipa::path(patch, path = "/api/v1/gates/{id}", tag = "registry", request_body = GateUpdate,
    params(("id" = String, Path, description = "gate id")),
    responses((status = 200, body = Gate), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_gate(State(s): State<AppState>, p: Principal, Path(id): Path<String>, ApiJson(body): ApiJson<GateUpdate>) -> Result<Json<Gate>, ApiError> {
    p.ensure_gate(&id)?;
    if p.role != Role::Admin {
        if let Some(field) = body.admin_fields().first() {
            return Err(ApiError::Forbidden(format!("only an admin may change {field}")));
        }
    }
    Ok(Json(service::update_gate(&s.db, &id, &body, &p.user_id).await?))
}

/// A country the registry knows.
#[derive(Debug, Serialize, ToSchema)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Vietnamese name.
    pub name_vi: &'static str,
    /// Khmer name.
    pub name_km: &'static str,
}

/// Countries.
#[utoipa::path(get, path = "/api/v1/countries", tag = "registry", responses((status = 200, body = [Country])))]
pub async fn countries() -> Json<Vec<Country>> {
    Json(COUNTRIES.iter().map(|(code, name_en, name_vi, name_km)| Country { code, name_en, name_vi, name_km }).collect())
}

/// Provinces with their 2025 successor.
#[utoipa::path(get, path = "/api/v1/provinces", tag = "registry", responses((status = 200, body = [store::Province])))]
pub async fn provinces(State(s): State<AppState>) -> Result<Json<Vec<store::Province>>, ApiError> {
    Ok(Json(store::list_provinces(&s.db).await?))
}
