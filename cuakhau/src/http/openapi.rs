//! The OpenAPI 3 document, generated from the handlers' annotations (utoipa) and served
//! at `/api/v1/openapi.json`. A snapshot test keeps every change a reviewed diff.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{auth, clearance, registry};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "cuakhau", description = "Smart land-border-gate platform: one node per country side of a gate pair. \
        Errors are RFC 9457 application/problem+json naming the field at fault.", license(name = "MIT OR Apache-2.0")),
    paths(
        auth::api::me,
        registry::api::countries,
        registry::api::provinces,
        registry::api::list_pairs,
        registry::api::get_pair,
        registry::api::create_pair,
        registry::api::update_pair,
        registry::api::retire_pair,
        registry::api::list_gates,
        registry::api::get_gate,
        registry::api::update_gate,
        clearance::api::create,
        clearance::api::list,
        clearance::api::get,
        clearance::api::amend,
        clearance::api::submit,
        clearance::api::cancel,
        clearance::api::book,
        clearance::api::move_booking,
        clearance::api::get_booking,
        clearance::api::vehicle_file,
        clearance::api::post_events,
        clearance::api::gate_metrics,
        clearance::api::gate_queue,
        clearance::api::queue_log,
        clearance::api::slots,
        clearance::api::node_keys,
        clearance::api::revoked_passes,
        clearance::api::pass_svg,
    ),
    modifiers(&BearerAuth),
    tags((name = "registry", description = "Countries, provinces, gates and gate pairs"), (name = "auth", description = "Accounts"), (name = "clearance", description = "Declarations, bookings, passes, checkpoint events, metrics"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
