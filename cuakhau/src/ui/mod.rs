//! The web UI's shared parts: page chrome (language, signed-in user, CSRF token), the
//! text catalogue, formats, the map, and rendering. Pages themselves live with their
//! capability (`registry::pages`, `auth::pages`, `clearance::pages`); templates under
//! `templates/`. [`require_page`] is the pages' role guard (a redirect to the login form
//! instead of a 401 problem); [`chart`] draws the dashboards' SVG charts.
//!
//! Pages are server-rendered HTML with our own small CSS and no JavaScript; they work
//! at 360 px wide.

pub mod chart;
pub mod format;
pub mod i18n;
pub mod map;

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::auth::middleware::{cookie, SessionCsrf};
use crate::auth::{Principal, Role};
use crate::http::error::ApiError;
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

    /// A time in unix milliseconds in the gate's zone.
    pub fn time_ms(&self, ms: &i64) -> String {
        format::local_time_ms(*ms)
    }

    /// Minutes with one decimal in the page's format.
    pub fn minutes(&self, x: &f64) -> String {
        format::minutes(*x, self.lang)
    }

    /// A local date `YYYY-MM-DD` as `dd/mm/yyyy`.
    pub fn day(&self, iso: &str) -> String {
        format::day(iso)
    }

    /// Whether the request has a live session with a CSRF token: forms that change
    /// something are only shown (and accepted) then.
    pub fn csrf_matches(&self, sent: &str) -> bool {
        self.csrf.as_deref().is_some_and(|c| !c.is_empty() && c == sent)
    }

    /// Whether the signed-in user may open the clearance dashboard of `gate_id`.
    pub fn can_read_dashboard(&self, gate_id: &str) -> bool {
        self.user.as_ref().is_some_and(|u| u.can_read_gate_dashboard(gate_id))
    }

    /// The links of the header for the signed-in user's role: traders their
    /// declarations and a new one; officers the declarations, yard and dashboard of each
    /// of their gates; admins the declarations.
    pub fn nav(&self) -> Vec<NavLink> {
        let Some(user) = &self.user else { return Vec::new() };
        let link = |href: String, key: &str| NavLink { href, label: self.t(key).to_string() };
        let mut out = Vec::new();
        match user.role {
            Role::Trader => {
                out.push(link("/declarations".into(), "nav.declarations"));
                out.push(link("/declarations/new".into(), "nav.declare"));
            }
            Role::Officer => {
                out.push(link("/declarations".into(), "nav.declarations"));
                let many = user.gates.len() > 1;
                for g in &user.gates {
                    let suffix = if many { format!(" ({g})") } else { String::new() };
                    out.push(NavLink { href: format!("/gates/{g}/yard"), label: format!("{}{suffix}", self.t("nav.yard")) });
                    out.push(NavLink { href: format!("/gates/{g}/dashboard"), label: format!("{}{suffix}", self.t("nav.dashboard")) });
                }
            }
            Role::Admin => out.push(link("/declarations".into(), "nav.declarations")),
            Role::Viewer => {}
        }
        out
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

/// A link of the page header.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where it goes.
    pub href: String,
    /// What it says, in the page's language.
    pub label: String,
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

/// A page saying why a request could not be done (403, 409, 500 …).
#[derive(Template)]
#[template(path = "problem.html")]
pub struct ProblemPage {
    /// Frame.
    pub chrome: Chrome,
    /// Heading, in the page's language.
    pub title: String,
    /// What happened (the service's own words for client errors).
    pub detail: String,
}

/// Renders an error of a service call as a page: 404 as the not-found page, 500 with an
/// opaque text (the cause is logged), others with the service's detail.
pub fn error_page(chrome: &Chrome, e: &ApiError) -> Response {
    let problem = e.problem();
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let ApiError::Internal(cause) = e {
        tracing::error!(%cause, "page failed");
    }
    let key = match status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => "error.forbidden",
        s if s.is_server_error() => "error.server",
        _ => "error.cannot",
    };
    let detail = if status.is_server_error() { String::new() } else { problem.detail };
    render(chrome, status, &ProblemPage { chrome: chrome.clone(), title: chrome.t(key).to_string(), detail })
}

/// Route guard for pages: without a signed-in user, a redirect to the login form that
/// comes back here; with a role not in `roles`, a 403 page. (The API's guard,
/// [`crate::auth::require`], answers problem+json instead.)
pub fn require_page(
    roles: &'static [Role],
) -> impl Fn(Request, Next) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> + Clone + Send + Sync + 'static {
    move |req: Request, next: Next| {
        Box::pin(async move {
            let role = req.extensions().get::<Principal>().map(|p| p.role);
            match role {
                Some(r) if roles.contains(&r) => next.run(req).await,
                Some(_) => {
                    let (mut parts, _) = req.into_parts();
                    let chrome = match Chrome::from_request_parts(&mut parts, &()).await {
                        Ok(c) => c,
                        Err(never) => match never {},
                    };
                    let e = ApiError::Forbidden(format!(
                        "this page is for: {}",
                        roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                    error_page(&chrome, &e)
                }
                None => {
                    // Back to this page after signing in; for a form post (which cannot be
                    // replayed by a redirect) to the page one level up, the form's page.
                    let path = req.uri().path();
                    let here = if matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
                        req.uri().path_and_query().map_or("/", |p| p.as_str())
                    } else {
                        path.rsplit_once('/').map_or("/", |(up, _)| if up.is_empty() { "/" } else { up })
                    };
                    let next_param: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
                    Redirect::to(&format!("/login?next={next_param}")).into_response()
                }
            }
        })
    }
}

/// Fallback for unknown paths: problem+json under `/api`, a page elsewhere.
pub async fn not_found(chrome: Chrome) -> Response {
    if chrome.path.starts_with("/api/") {
        return crate::http::error::ApiError::NotFound.into_response();
    }
    render(&chrome, StatusCode::NOT_FOUND, &NotFoundPage { chrome: chrome.clone() })
}
