//! The one HTTP error type. Every failure of every handler becomes an RFC 9457
//! `application/problem+json` body:
//!
//! ```json
//! {"type": "https://cuakhau.dev/problems/validation", "title": "Invalid request",
//!  "status": 422, "detail": "class: unknown value \"huge\"; …", "field": "class",
//!  "errors": [{"field": "class", "message": "…"}]}
//! ```
//!
//! Policy: client errors say exactly what is wrong and which field; server errors log
//! their cause and return an opaque body. Store conflicts (unique constraints) become
//! 409 on purpose; a missing record 404.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::StoreError;

/// One wrong field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path or parameter name (`class`, `gate_a.country`, `lanes[0].count`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// RFC 9457 problem details, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened this time.
    pub detail: String,
    /// The first wrong field, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every wrong field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Body or parameters could not be read at all (malformed JSON, wrong type). 400.
    #[error("{detail}")]
    BadRequest {
        /// Field, when known.
        field: Option<String>,
        /// Explanation.
        detail: String,
    },
    /// Readable input that breaks a rule. 422.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// No or invalid credentials. 401.
    #[error("authentication required")]
    Unauthenticated,
    /// Authenticated, but the role or scope does not allow it. 403.
    #[error("{0}")]
    Forbidden(String),
    /// No such record. 404.
    #[error("not found")]
    NotFound,
    /// Conflicts with the current state. 409.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts. 429.
    #[error("{0}")]
    TooManyRequests(String),
    /// Anything else: logged, not shown. 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 for one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// A 400 for one unreadable parameter.
    pub fn bad_param(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        ApiError::BadRequest { detail: format!("{field}: {message}"), field: Some(field) }
    }

    /// The problem document this error renders to.
    pub fn problem(&self) -> Problem {
        let (status, kind, title) = self.parts();
        let (detail, field, errors) = match self {
            ApiError::BadRequest { field, detail } => (detail.clone(), field.clone(), Vec::new()),
            ApiError::Validation(errors) => {
                let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                (detail, errors.first().map(|e| e.field.clone()), errors.clone())
            }
            ApiError::Internal(_) => ("the server could not complete the request; it has been logged".into(), None, Vec::new()),
            ApiError::NotFound => ("no such record".into(), None, Vec::new()),
            other => (other.to_string(), None, Vec::new()),
        };
        Problem { kind: format!("https://cuakhau.dev/problems/{kind}"), title: title.into(), status: status.as_u16(), detail, field, errors }
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad-request", "Malformed request"),
            ApiError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid request"),
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Other(m) => ApiError::Internal(m),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let problem = self.problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        if matches!(self, ApiError::Unauthenticated) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        res
    }
}
