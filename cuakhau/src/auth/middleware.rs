//! Resolving who a request is from, and the role guard the router puts on each route.
//!
//! [`authenticate`] runs on every request: a `Bearer` token (API clients) or the
//! session cookie (browsers) becomes a [`Principal`] in the request's extensions. A
//! bearer token that is present but invalid is a 401 at once. The session cookie
//! counts on the API only for safe methods: API writes need a token, so a browser can
//! never be tricked into one (and UI forms carry a CSRF token).
//!
//! [`require`] is the per-route guard: 401 without a principal, 403 with the wrong role.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{store, Principal, Role};
use crate::http::error::ApiError;
use crate::http::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "cuakhau_session";

/// The session's CSRF token, present when the request came with a live session cookie.
#[derive(Debug, Clone)]
pub struct SessionCsrf(pub String);

/// The value of cookie `name` in the request headers.
pub fn cookie<'a>(parts: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Middleware: attaches the request's [`Principal`] (and session CSRF token) when it
/// has valid credentials.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").map(str::trim).unwrap_or(""))
        .map(str::to_string);
    if let Some(token) = bearer {
        match store::principal_for_token(&state.db, &token).await {
            Ok(Some(p)) => {
                req.extensions_mut().insert(p);
            }
            Ok(None) => return ApiError::Unauthenticated.into_response(),
            Err(e) => return ApiError::from(e).into_response(),
        }
        return next.run(req).await;
    }
    let is_api = req.uri().path().starts_with("/api/");
    let safe = matches!(*req.method(), Method::GET | Method::HEAD);
    if let Some(secret) = cookie(req.headers(), SESSION_COOKIE).map(str::to_string) {
        if !is_api || safe {
            match store::session(&state.db, &secret).await {
                Ok(Some((p, csrf))) => {
                    req.extensions_mut().insert(p);
                    req.extensions_mut().insert(SessionCsrf(csrf));
                }
                Ok(None) => {}
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
    }
    next.run(req).await
}

/// Route guard: the request must come from a principal with one of `roles`.
pub fn require(
    roles: &'static [Role],
) -> impl Fn(Request, Next) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> + Clone + Send + Sync + 'static {
    move |req: Request, next: Next| {
        Box::pin(async move {
            match req.extensions().get::<Principal>() {
                None => ApiError::Unauthenticated.into_response(),
                Some(p) => match p.require_role(roles) {
                    Ok(()) => next.run(req).await,
                    Err(e) => e.into_response(),
                },
            }
        })
    }
}

/// Every role: for routes open to any signed-in user.
pub const ANY_ROLE: &[Role] = Role::ALL;
/// Admins only.
pub const ADMIN: &[Role] = &[Role::Admin];
/// Traders only (company scope checked by the handler).
pub const TRADER: &[Role] = &[Role::Trader];
/// Officers only (gate and agency scope checked by the handler).
pub const OFFICER: &[Role] = &[Role::Officer];
/// Admins and officers (officers further limited to their gates by the handler).
pub const ADMIN_OR_OFFICER: &[Role] = &[Role::Admin, Role::Officer];
/// Who works with declarations: admins, officers (their gates) and traders (their
/// company), each scope checked by the service.
pub const DECLARANTS_AND_OFFICERS: &[Role] = &[Role::Admin, Role::Officer, Role::Trader];
/// Managers reading a gate's dashboard: admins, viewers (read-only managers at
/// provinces and ministries) and officers (their own gates, checked by the handler).
pub const MANAGERS: &[Role] = &[Role::Admin, Role::Officer, Role::Viewer];

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Principal>().cloned().ok_or(ApiError::Unauthenticated)
    }
}

/// The principal when there is one (pages that show more to signed-in users).
#[derive(Debug, Clone)]
pub struct MaybePrincipal(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybePrincipal {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybePrincipal(parts.extensions.get::<Principal>().cloned()))
    }
}
