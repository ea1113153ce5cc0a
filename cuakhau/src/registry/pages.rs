//! Registry pages: the gate-pair list with filters, one pair, and the map.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::api::PairQuery;
use super::model::*;
use super::store::{self, MapEntry};
use crate::http::AppState;
use crate::ui::{self, Chrome};

/// The gates page.
#[derive(Template)]
#[template(path = "registry/gates.html")]
pub struct GatesPage {
    chrome: Chrome,
    query: PairQuery,
    page: Option<Page<GatePairSummary>>,
    error: Option<String>,
    classes: &'static [GateClass],
    modes: &'static [Mode],
    statuses: &'static [PairStatus],
    countries: Vec<(&'static str, String)>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn page_href(q: &PairQuery, page: i64) -> String {
    let mut q = q.clone();
    q.page = Some(page.to_string());
    q.lang = None;
    format!("/gates?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
}

/// `GET /gates`: filterable table of gate pairs. A bad filter shows an inline message.
pub async fn gates(State(s): State<AppState>, chrome: Chrome, RawQuery(raw): RawQuery) -> Response {
    let query: Result<PairQuery, String> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|e| e.to_string());
    let (query, parsed) = match query {
        Ok(q) => {
            let f = q.to_filter().map_err(|e| e.problem().detail);
            (q, f)
        }
        Err(e) => (PairQuery::default(), Err(e)),
    };
    let (page, error) = match parsed {
        Ok(filter) => match store::list_pairs(&s.db, &filter).await {
            Ok(p) => (Some(p), None),
            Err(e) => {
                tracing::error!(error = %e, "gate list failed");
                (None, Some("database error".to_string()))
            }
        },
        Err(e) => (None, Some(e)),
    };
    let (prev_href, next_href) = match &page {
        Some(p) => (
            (p.page > 1).then(|| page_href(&query, p.page - 1)),
            (p.page * p.per_page < p.total).then(|| page_href(&query, p.page + 1)),
        ),
        None => (None, None),
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let countries = ["KH", "LA", "CN"].iter().map(|c| (*c, chrome.tw("country", c))).collect();
    let page = GatesPage {
        chrome: chrome.clone(),
        query,
        page,
        error,
        classes: &[GateClass::International, GateClass::Main, GateClass::Secondary],
        modes: Mode::ALL,
        statuses: PairStatus::ALL,
        countries,
        prev_href,
        next_href,
    };
    ui::render(&chrome, status, &page)
}

/// The page of one gate pair.
#[derive(Template)]
#[template(path = "registry/pair.html")]
pub struct PairPage {
    chrome: Chrome,
    pair: GatePairDetail,
    /// (heading, gate) for side A and side B.
    sides: Vec<(String, Option<Gate>)>,
}

/// `GET /pairs/{id}`.
pub async fn pair(State(s): State<AppState>, chrome: Chrome, Path(id): Path<String>) -> Response {
    match store::get_pair(&s.db, &id).await {
        Ok(pair) => {
            let sides = vec![
                (chrome.t("pair.side_vn").to_string(), Some(pair.gate_a_detail.clone())),
                (chrome.t("pair.side_partner").to_string(), pair.gate_b_detail.clone()),
            ];
            ui::render(&chrome, StatusCode::OK, &PairPage { chrome: chrome.clone(), pair, sides })
        }
        Err(crate::db::StoreError::NotFound) => ui::not_found(chrome).await,
        Err(e) => {
            tracing::error!(error = %e, pair = %id, "pair page failed");
            ui::render(&chrome, StatusCode::INTERNAL_SERVER_ERROR, &ui::NotFoundPage { chrome: chrome.clone() })
        }
    }
}

/// The map page.
#[derive(Template)]
#[template(path = "registry/map.html")]
pub struct MapPage {
    chrome: Chrome,
    svg: String,
    placed: Vec<MapEntry>,
    unplaced: Vec<MapEntry>,
}

/// `GET /map`.
pub async fn map(State(s): State<AppState>, chrome: Chrome) -> Response {
    let entries = match store::map_entries(&s.db).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "map entries failed");
            Vec::new()
        }
    };
    let svg = ui::map::render(&entries, chrome.lang);
    let (placed, unplaced) = entries.into_iter().partition(|e| e.lat.is_some() && e.lon.is_some());
    ui::render(&chrome, StatusCode::OK, &MapPage { chrome: chrome.clone(), svg, placed, unplaced })
}

impl GatePairSummary {
    /// The class word, or `unknown`.
    pub fn class_word(&self) -> &'static str {
        self.class.map_or("unknown", GateClass::as_str)
    }
}
