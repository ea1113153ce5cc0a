//! Clearance endpoints under `/api/v1`. Roles are stated in the router; company and
//! gate scope are checked by the service.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::declaration::{DeclarationBody, DeclarationStatus};
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
    let (view, created) = service::create(&s.db, &s.rules, &p, &body, key.as_deref(), q.submit.unwrap_or(false)).await?;
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
    Ok(Json(service::amend(&s.db, &s.rules, &p, &id, &body).await?))
}

/// Submit a draft for assessment.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/submit", tag = "clearance", params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = DeclarationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn submit(State(s): State<AppState>, p: Principal, Path(id): Path<String>) -> Result<Json<DeclarationView>, ApiError> {
    Ok(Json(service::submit(&s.db, &s.rules, &p, &id).await?))
}

/// Cancel a declaration before arrival.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/cancel", tag = "clearance", params(("id" = String, Path, description = "declaration id")),
    responses((status = 200, body = DeclarationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn cancel(State(s): State<AppState>, p: Principal, Path(id): Path<String>) -> Result<Json<DeclarationView>, ApiError> {
    Ok(Json(service::cancel(&s.db, &p, &id).await?))
}
