//! The web UI's shared parts: page chrome (language, signed-in user, CSRF token), the
//! text catalogue, formats, the map, and rendering. Pages themselves live with their
//! capability (`registry::pages`, `auth::pages`); templates under `templates/`.
//!
//! Pages are server-rendered HTML with our own small CSS and no JavaScript; they work
//! at 360 px wide.

pub mod format;
pub mod i18n;
pub mod map;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::middleware::{cookie, SessionCsrf};
use crate::auth::Principal;
pub use i18n::Lang;

/// Name of the language cookie.
pub const LANG_COOKIE: &str = "lang";

/// What every page's frame needs. Extracted from the request.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Language of the page.
    pub lang: Lang,
    /// The signed-in user, if any.
    pub user: Option<Principal>,
    /// The session's CSRF token (for the logout form and other forms).
    pub csrf: Option<String>,
    /// Path and query of this page (for the language switch).
    pub path: String,
}

impl Chrome {
    /// Catalogue text in the page's language.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::text(self.lang, key)
    }

    /// Text for a dynamic key `prefix.word` (e.g. `class.main`).
    pub fn tw(&self, prefix: &str, word: &str) -> String {
        let key = format!("{prefix}.{word}");
        if i18n::has(&key) {
            i18n::text(self.lang, &key).to_string()
        } else {
            word.to_string()
        }
    }

    /// A number in the page's format.
    pub fn num(&self, n: &i64) -> String {
        format::number(*n, self.lang)
    }

    /// A coordinate with 5 decimals in the page's format.
    pub fn coord(&self, x: &f64) -> String {
        format::decimal(*x, 5, self.lang)
    }

    /// A stored UTC time in the gate's zone.
    pub fn local_time(&self, stored: &str) -> String {
        format::local_time(stored)
    }

    /// Link to this page in the other language.
    pub fn other_lang_href(&self) -> String {
        let other = match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        };
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let kept: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("lang=")).collect();
        let mut q = kept.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        format!("{path}?{q}lang={other}")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts
            .uri
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
        let code = from_query.or_else(|| cookie(&parts.headers, LANG_COOKIE).map(str::to_string));
        Ok(Chrome {
            lang: Lang::from_code(code.as_deref()),
            user: parts.extensions.get::<Principal>().cloned(),
            csrf: parts.extensions.get::<SessionCsrf>().map(|c| c.0.clone()),
            path: parts.uri.path_and_query().map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
        })
    }
}

/// Renders a template as an HTML response; remembers an explicit `?lang=` in a cookie.
pub fn render(chrome: &Chrome, status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut res = (status, Html(html)).into_response();
            if chrome.path.contains("lang=") {
                let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", chrome.lang.code());
                if let Ok(v) = header::HeaderValue::from_str(&cookie) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// The not-found page.
#[derive(Template)]
#[template(path = "not_found.html")]
pub struct NotFoundPage {
    /// Frame.
    pub chrome: Chrome,
}

/// Fallback for unknown paths: problem+json under `/api`, a page elsewhere.
pub async fn not_found(chrome: Chrome) -> Response {
    if chrome.path.starts_with("/api/") {
        return crate::http::error::ApiError::NotFound.into_response();
    }
    render(&chrome, StatusCode::NOT_FOUND, &NotFoundPage { chrome: chrome.clone() })
}
