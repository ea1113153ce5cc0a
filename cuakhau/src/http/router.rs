//! Every route of the node, in one place, with the role each needs.
//!
//! | route | method | who |
//! |---|---|---|
//! | `/healthz`, `/readyz`, `/metrics` | GET | anyone |
//! | `/api/v1/openapi.json` | GET | anyone |
//! | `/api/v1/countries`, `/api/v1/provinces` | GET | anyone |
//! | `/api/v1/gate-pairs`, `/api/v1/gate-pairs/{id}` | GET | anyone (reference data) |
//! | `/api/v1/gate-pairs` | POST | admin |
//! | `/api/v1/gate-pairs/{id}` | PATCH | admin |
//! | `/api/v1/gate-pairs/{id}/retire` | POST | admin |
//! | `/api/v1/gates`, `/api/v1/gates/{id}` | GET | anyone |
//! | `/api/v1/gates/{id}` | PATCH | admin; officer of that gate (lanes, hours) |
//! | `/api/v1/me` | GET | any signed-in user |
//! | `/api/v1/declarations` | GET | signed-in (trader: own company; officer: own gates; admin) |
//! | `/api/v1/declarations` | POST | trader |
//! | `/api/v1/declarations/{id}` | GET / PUT | signed-in (scoped) / trader of the company |
//! | `/api/v1/declarations/{id}/submit`, `/cancel` | POST | trader of the company |
//! | `/api/v1/declarations/{id}/booking` | GET / POST / PUT | scoped / trader / trader |
//! | `/api/v1/declarations/{id}/events` | GET | signed-in (scoped) |
//! | `/api/v1/gates/{id}/events` | POST | officer of the gate, per event of its agency |
//! | `/api/v1/gates/{id}/metrics`, `/queue`, `/queue-log`, `/slots` | GET | anyone (published) |
//! | `/api/v1/node/keys`, `/api/v1/passes/revoked` | GET | anyone (offline verification) |
//! | `/api/v1/passes/{id}.svg` | GET | signed-in (scoped) |
//! | `/`, `/gates`, `/pairs/{id}`, `/map`, `/login` | GET | anyone |
//! | `/login` | POST | anyone (rate-limited, CSRF) |
//! | `/logout` | POST | signed-in (CSRF) |
//! | `/declarations`, `/declarations/{id}` | GET | admin; officer (own gates); trader (own company) |
//! | `/declarations/new` | GET / POST | trader (CSRF) |
//! | `/declarations/{id}/submit`, `/cancel`, `/booking` | POST | trader of the company (CSRF) |
//! | `/declarations/{id}/events` | POST | officer of the gate, events of its agency (CSRF) |
//! | `/gates/{id}/yard` | GET | officer of the gate; admin |
//! | `/gates/{id}/dashboard` | GET | admin; viewer; officer of the gate |
//!
//! Pages with a role use [`ui::require_page`]: without a session they redirect to the
//! login form (and back), with another role they answer a 403 page.

use std::time::Duration;

use axum::handler::Handler;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::{metrics, openapi, ops, AppState};
use crate::auth::middleware::{ADMIN, ADMIN_OR_OFFICER, ANY_ROLE, DECLARANTS_AND_OFFICERS, MANAGERS, OFFICER, TRADER};
use crate::auth::{self, authenticate, require};
use crate::{clearance, registry, ui};

/// The whole application.
pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is recorded.
    metrics::handle();
    let request_id = HeaderName::from_static("x-request-id");
    let api = Router::new()
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/me", get(auth::api::me.layer(from_fn(require(ANY_ROLE)))))
        .route("/api/v1/countries", get(registry::api::countries))
        .route("/api/v1/provinces", get(registry::api::provinces))
        .route(
            "/api/v1/gate-pairs",
            get(registry::api::list_pairs).post(registry::api::create_pair.layer(from_fn(require(ADMIN)))),
        )
        .route(
            "/api/v1/gate-pairs/{id}",
            get(registry::api::get_pair).patch(registry::api::update_pair.layer(from_fn(require(ADMIN)))),
        )
        .route("/api/v1/gate-pairs/{id}/retire", post(registry::api::retire_pair.layer(from_fn(require(ADMIN)))))
        .route("/api/v1/gates", get(registry::api::list_gates))
        .route(
            "/api/v1/gates/{id}",
            get(registry::api::get_gate).patch(registry::api::update_gate.layer(from_fn(require(ADMIN_OR_OFFICER)))),
        )
        // Clearance.
        .route(
            "/api/v1/declarations",
            get(clearance::api::list.layer(from_fn(require(ANY_ROLE)))).post(clearance::api::create.layer(from_fn(require(TRADER)))),
        )
        .route(
            "/api/v1/declarations/{id}",
            get(clearance::api::get.layer(from_fn(require(ANY_ROLE)))).put(clearance::api::amend.layer(from_fn(require(TRADER)))),
        )
        .route("/api/v1/declarations/{id}/submit", post(clearance::api::submit.layer(from_fn(require(TRADER)))))
        .route("/api/v1/declarations/{id}/cancel", post(clearance::api::cancel.layer(from_fn(require(TRADER)))))
        .route(
            "/api/v1/declarations/{id}/booking",
            get(clearance::api::get_booking.layer(from_fn(require(ANY_ROLE))))
                .post(clearance::api::book.layer(from_fn(require(TRADER))))
                .put(clearance::api::move_booking.layer(from_fn(require(TRADER)))),
        )
        .route("/api/v1/declarations/{id}/events", get(clearance::api::vehicle_file.layer(from_fn(require(ANY_ROLE)))))
        .route("/api/v1/gates/{id}/events", post(clearance::api::post_events.layer(from_fn(require(OFFICER)))))
        .route("/api/v1/gates/{id}/metrics", get(clearance::api::gate_metrics))
        .route("/api/v1/gates/{id}/queue", get(clearance::api::gate_queue))
        .route("/api/v1/gates/{id}/queue-log", get(clearance::api::queue_log))
        .route("/api/v1/gates/{id}/slots", get(clearance::api::slots))
        .route("/api/v1/node/keys", get(clearance::api::node_keys))
        .route("/api/v1/passes/revoked", get(clearance::api::revoked_passes))
        .route("/api/v1/passes/{file}", get(clearance::api::pass_svg.layer(from_fn(require(ANY_ROLE)))));
    let pages = Router::new()
        .route("/", get(|| async { Redirect::to("/gates") }))
        .route("/gates", get(registry::pages::gates))
        .route("/pairs/{id}", get(registry::pages::pair))
        .route("/map", get(registry::pages::map))
        .route("/login", get(auth::pages::login_form).post(auth::pages::login))
        .route("/logout", post(auth::pages::logout))
        // Clearance pages.
        .route("/declarations", get(clearance::pages::list.layer(from_fn(ui::require_page(DECLARANTS_AND_OFFICERS)))))
        .route(
            "/declarations/new",
            get(clearance::pages::new_form.layer(from_fn(ui::require_page(TRADER))))
                .post(clearance::pages::create.layer(from_fn(ui::require_page(TRADER)))),
        )
        .route("/declarations/{id}", get(clearance::pages::detail.layer(from_fn(ui::require_page(DECLARANTS_AND_OFFICERS)))))
        .route("/declarations/{id}/submit", post(clearance::pages::submit.layer(from_fn(ui::require_page(TRADER)))))
        .route("/declarations/{id}/cancel", post(clearance::pages::cancel.layer(from_fn(ui::require_page(TRADER)))))
        .route("/declarations/{id}/booking", post(clearance::pages::book.layer(from_fn(ui::require_page(TRADER)))))
        .route("/declarations/{id}/events", post(clearance::pages::post_event.layer(from_fn(ui::require_page(OFFICER)))))
        .route("/gates/{id}/yard", get(clearance::pages::yard.layer(from_fn(ui::require_page(ADMIN_OR_OFFICER)))))
        .route("/gates/{id}/dashboard", get(clearance::pages::dashboard.layer(from_fn(ui::require_page(MANAGERS)))));
    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics));
    api.merge(pages)
        .merge(ops)
        .fallback(ui::not_found)
        .layer(from_fn_with_state(state.clone(), authenticate))
        .route_layer(from_fn(metrics::track))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
