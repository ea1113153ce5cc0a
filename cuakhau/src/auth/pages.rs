//! Sign-in and sign-out for the web UI.
//!
//! The login form is protected by a double-submit token (a random value both in a
//! cookie and in the form); once signed in, forms carry the session's CSRF token. The
//! session cookie is `HttpOnly` and `SameSite=Lax`, and `Secure` when configured.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::middleware::{cookie, SessionCsrf, SESSION_COOKIE};
use super::{password, store};
use crate::http::AppState;
use crate::ui::{self, Chrome};

const LOGIN_CSRF_COOKIE: &str = "cuakhau_login_csrf";

/// The login page.
#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

/// `?next=` after login.
#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only local paths: never redirect off-site after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/gates".to_string(),
    }
}

fn with_cookie(mut res: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn login_page(chrome: &Chrome, status: StatusCode, next: String, username: String, error: Option<String>) -> Response {
    let csrf = password::random_hex(16);
    let page = LoginPage { chrome: chrome.clone(), csrf: csrf.clone(), next, username, error };
    with_cookie(ui::render(chrome, status, &page), format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict"))
}

/// `GET /login`.
pub async fn login_form(chrome: Chrome, Query(q): Query<NextParam>) -> Response {
    login_page(&chrome, StatusCode::OK, safe_next(q.next.as_deref()), String::new(), None)
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

/// `POST /login`: checks the form token and the rate limit, then the password.
pub async fn login(
    State(s): State<AppState>,
    chrome: Chrome,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let username = f.username.trim().to_lowercase();
    if cookie(&headers, LOGIN_CSRF_COOKIE) != Some(f.csrf.as_str()) || f.csrf.is_empty() {
        return login_page(&chrome, StatusCode::FORBIDDEN, next, username, Some(chrome.t("login.csrf").into()));
    }
    let keys = [format!("user:{username}"), format!("ip:{}", addr.ip())];
    if let Some(wait) = s.login_limiter.blocked(&keys) {
        tracing::warn!(user = %username, ip = %addr.ip(), "login rate-limited");
        let msg = format!("{} {wait}", chrome.t("login.limited"));
        return login_page(&chrome, StatusCode::TOO_MANY_REQUESTS, next, username, Some(msg));
    }
    match store::check_password(&s.db, &username, &f.password).await {
        Ok(Some(p)) => {
            s.login_limiter.succeed(&keys[0]);
            match store::create_session(&s.db, &p.user_id, s.config.session.ttl_hours).await {
                Ok((secret, _csrf)) => {
                    tracing::info!(user = %p.username, "signed in");
                    let secure = if s.config.session.secure_cookie { "; Secure" } else { "" };
                    let max_age = s.config.session.ttl_hours * 3600;
                    let res = Redirect::to(&next).into_response();
                    let res = with_cookie(res, format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"));
                    with_cookie(res, format!("{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0"))
                }
                Err(e) => {
                    tracing::error!(error = %e, "session not created");
                    (StatusCode::INTERNAL_SERVER_ERROR, "could not sign in").into_response()
                }
            }
        }
        Ok(None) => {
            s.login_limiter.fail(&keys);
            tracing::warn!(user = %username, ip = %addr.ip(), "failed login");
            login_page(&chrome, StatusCode::UNAUTHORIZED, next, username, Some(chrome.t("login.failed").into()))
        }
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "could not sign in").into_response()
        }
    }
}

/// The logout form.
#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// `POST /logout`: needs the session's CSRF token.
pub async fn logout(State(s): State<AppState>, headers: HeaderMap, csrf: Option<axum::Extension<SessionCsrf>>, Form(f): Form<LogoutForm>) -> Response {
    match csrf {
        Some(axum::Extension(SessionCsrf(expected))) if expected == f.csrf => {
            if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
                if let Err(e) = store::end_session(&s.db, secret).await {
                    tracing::error!(error = %e, "logout failed");
                }
            }
            with_cookie(Redirect::to("/gates").into_response(), format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"))
        }
        _ => (StatusCode::FORBIDDEN, "invalid or missing CSRF token").into_response(),
    }
}
