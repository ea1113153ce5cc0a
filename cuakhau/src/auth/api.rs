//! Account endpoints of the API.

use axum::Json;

use super::Principal;
use crate::http::error::Problem;

/// Who the bearer of the request is.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Principal), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn me(p: Principal) -> Json<Principal> {
    Json(p)
}
