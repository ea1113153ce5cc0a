//! Clearance pages: what traders, officers and managers see in the browser.
//!
//! - Trader: `/declarations` (own list), `/declarations/new` (the declaration form),
//!   `/declarations/{id}` (assessment with reasons, submit and cancel, slot booking, the
//!   QR pass, the status timeline and the predicted clearance time).
//! - Officer: `/gates/{id}/yard` (the yard queue by lane with waiting times) and, on
//!   `/declarations/{id}`, the vehicle file with buttons for their own agency's events.
//! - Manager (admin, viewer, or an officer of the gate): `/gates/{id}/dashboard` with
//!   totals, a per-day table and SVG charts of throughput and clearance-time percentiles.
//!
//! Every page calls the same service functions as the JSON API ([`super::service`],
//! [`super::booking`], [`super::events`], [`super::metrics`]): the rules, scope checks
//! and error texts are theirs. Forms post `application/x-www-form-urlencoded` with the
//! session's CSRF token; a refused action re-renders the page with the service's
//! problem detail inline and keeps what was typed; a successful one redirects (303).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::{json, Value};

use super::booking::{self, BookRequest, BookingView};
use super::declaration::{DeclarationBody, DeclarationStatus, QuantityUnit, VehicleType};
use super::events::{self, EventBatch, VehicleFile};
use super::fold::EventKind;
use super::keys;
use super::metrics::{self, GroupMetrics, LaneQueue};
use super::model::{Check, Currency, Direction, Now, CURRENCIES};
use super::queue::SkipReason;
use super::service::{self, DeclarationView};
use crate::auth::{Principal, Role};
use crate::http::error::{ApiError, FieldError};
use crate::http::AppState;
use crate::registry::model::{Mode, PairStatus, COUNTRIES};
use crate::registry::store::PairFilter;
use crate::ui::{self, chart, format, Chrome};

/// Form fields as posted, in order.
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn query_param(raw: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn status_of(e: &ApiError) -> StatusCode {
    StatusCode::from_u16(e.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The text of an error to show inline: the problem detail, opaque for server errors.
fn inline(chrome: &Chrome, e: &ApiError) -> String {
    if let ApiError::Internal(cause) = e {
        tracing::error!(%cause, "page action failed");
        return chrome.t("error.server").to_string();
    }
    e.problem().detail
}

fn csrf_refused(chrome: &Chrome) -> Response {
    ui::error_page(chrome, &ApiError::Forbidden(chrome.t("login.csrf").to_string()))
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn local_today() -> time::Date {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    now.date()
}

fn parse_day(s: &str) -> Option<time::Date> {
    time::Date::parse(s.trim(), &time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn day_start_s(d: time::Date) -> i64 {
    d.midnight().assume_offset(time::macros::offset!(+7)).unix_timestamp()
}

// ---------------------------------------------------------------------------------------
// The list.

/// One row of the declarations list.
#[derive(Debug, Clone)]
pub struct ListRow {
    id: String,
    pair_id: String,
    plate: String,
    direction: &'static str,
    status: &'static str,
    lane: Option<&'static str>,
    planned: String,
    updated: String,
}

/// `/declarations`.
#[derive(Template)]
#[template(path = "clearance/declarations.html")]
pub struct ListPage {
    chrome: Chrome,
    rows: Vec<ListRow>,
    status: String,
    statuses: &'static [DeclarationStatus],
    error: Option<String>,
    can_declare: bool,
}

/// `GET /declarations`: the declarations the user may see (a trader its company's, an
/// officer its gates', an admin all), newest first, optionally of one status.
pub async fn list(State(s): State<AppState>, chrome: Chrome, p: Principal, RawQuery(raw): RawQuery) -> Response {
    let status_text = query_param(raw.as_deref(), "status").unwrap_or_default();
    let (status, mut error) = if status_text.is_empty() {
        (None, None)
    } else {
        match status_text.parse::<DeclarationStatus>() {
            Ok(st) => (Some(st), None),
            Err(e) => (None, Some(format!("status: {e}"))),
        }
    };
    let mut rows = Vec::new();
    if error.is_none() {
        match service::list(&s.db, &p, status, 200).await {
            Ok(items) => rows = items.iter().map(list_row).collect(),
            Err(e) => error = Some(inline(&chrome, &e)),
        }
    }
    let code = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = ListPage { chrome: chrome.clone(), rows, status: status_text, statuses: DeclarationStatus::ALL, error, can_declare: p.role == Role::Trader };
    ui::render(&chrome, code, &page)
}

fn list_row(d: &DeclarationView) -> ListRow {
    ListRow {
        id: d.id.clone(),
        pair_id: d.pair_id.clone(),
        plate: d.body.vehicle.plate.clone(),
        direction: d.direction.as_str(),
        status: d.status.as_str(),
        lane: d.assessment.as_ref().map(|a| a.lane.as_str()),
        planned: format::local_time(&d.body.planned_arrival),
        updated: format::local_time(&d.updated_at),
    }
}

// ---------------------------------------------------------------------------------------
// The declaration form.

/// One goods line as typed.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    hs: String,
    description: String,
    quantity: String,
    unit: String,
    net_mass: String,
    value: String,
    currency: String,
    origin: String,
    perishable: bool,
}

impl LineInput {
    fn blank() -> Self {
        LineInput { unit: "kg".into(), currency: "USD".into(), origin: "KH".into(), ..LineInput::default() }
    }

    fn is_empty(&self) -> bool {
        [&self.hs, &self.description, &self.quantity, &self.net_mass, &self.value].iter().all(|v| v.trim().is_empty())
    }
}

/// The declaration form as typed, with the errors of its fields.
#[derive(Debug, Clone, Default)]
pub struct DeclarationForm {
    key: String,
    pair_id: String,
    direction: String,
    lines: Vec<LineInput>,
    plate: String,
    vehicle_country: String,
    vehicle_type: String,
    axles: String,
    gross_mass: String,
    driver_name: String,
    driver_doc: String,
    driver_nationality: String,
    planned_arrival: String,
    /// Input name → message.
    errors: BTreeMap<String, String>,
}

/// The most goods lines the form offers (the service accepts up to 200).
const MAX_ROWS: usize = 200;

impl DeclarationForm {
    fn blank() -> Self {
        let tomorrow = local_today().next_day().unwrap_or_else(local_today);
        DeclarationForm {
            key: uuid::Uuid::now_v7().to_string(),
            pair_id: "moc-bai--bavet".into(),
            direction: "import".into(),
            lines: vec![LineInput::blank(), LineInput::blank()],
            vehicle_country: "VN".into(),
            vehicle_type: "truck".into(),
            driver_nationality: "VN".into(),
            planned_arrival: format!("{tomorrow}T08:00"),
            ..DeclarationForm::default()
        }
    }

    fn from_fields(f: &Fields) -> Self {
        let rows = field(f, "rows").trim().parse::<usize>().unwrap_or(1).clamp(1, MAX_ROWS);
        let lines = (0..rows)
            .map(|i| {
                let g = |name: &str| field(f, &format!("{name}_{i}")).to_string();
                LineInput {
                    hs: g("hs"),
                    description: g("description"),
                    quantity: g("quantity"),
                    unit: g("unit"),
                    net_mass: g("net_mass"),
                    value: g("value"),
                    currency: g("currency"),
                    origin: g("origin"),
                    perishable: !g("perishable").is_empty(),
                }
            })
            .collect();
        let key = field(f, "key");
        let key = if uuid::Uuid::parse_str(key).is_ok() { key.to_string() } else { uuid::Uuid::now_v7().to_string() };
        let g = |name: &str| field(f, name).to_string();
        DeclarationForm {
            key,
            pair_id: g("pair_id"),
            direction: g("direction"),
            lines,
            plate: g("plate"),
            vehicle_country: g("vehicle_country"),
            vehicle_type: g("vehicle_type"),
            axles: g("axles"),
            gross_mass: g("gross_mass"),
            driver_name: g("driver_name"),
            driver_doc: g("driver_doc"),
            driver_nationality: g("driver_nationality"),
            planned_arrival: g("planned_arrival"),
            errors: BTreeMap::new(),
        }
    }

    /// The message for input `name`, or "".
    pub fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }

    /// The message for input `name_i` of goods line `i`, or "".
    pub fn line_err(&self, name: &str, i: &usize) -> &str {
        self.err(&format!("{name}_{i}"))
    }

    /// The form's values as a declaration body (JSON), with the form row of each body
    /// line; or the fields that could not be read as numbers.
    fn to_json(&self, chrome: &Chrome) -> Result<(Value, Vec<usize>), BTreeMap<String, String>> {
        let mut errors = BTreeMap::new();
        let int = |errors: &mut BTreeMap<String, String>, name: String, text: &str| -> Value {
            match format::parse_amount(text, 0) {
                Ok(n) => json!(n),
                Err(_) => {
                    errors.insert(name, chrome.t("form.whole_number").to_string());
                    Value::Null
                }
            }
        };
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            if l.is_empty() {
                continue;
            }
            let quantity = int(&mut errors, format!("quantity_{i}"), &l.quantity);
            let net = int(&mut errors, format!("net_mass_{i}"), &l.net_mass);
            let value = match Currency::parse(&l.currency) {
                Ok(c) => match format::parse_amount(&l.value, c.exponent()) {
                    Ok(minor) => json!({"minor": minor, "currency": c.as_str()}),
                    Err(_) => {
                        errors.insert(format!("value_{i}"), chrome.t("form.amount").to_string());
                        Value::Null
                    }
                },
                Err(e) => {
                    errors.insert(format!("currency_{i}"), e);
                    Value::Null
                }
            };
            lines.push(json!({
                "hs": l.hs.trim(), "description": l.description.trim(), "quantity": quantity, "unit": l.unit.trim(),
                "net_mass_kg": net, "value": value, "origin": l.origin.trim(), "perishable": l.perishable,
            }));
            rows.push(i);
        }
        let axles = int(&mut errors, "axles".into(), &self.axles);
        let gross = int(&mut errors, "gross_mass".into(), &self.gross_mass);
        if !errors.is_empty() {
            return Err(errors);
        }
        let body = json!({
            "pair_id": self.pair_id.trim(),
            "direction": self.direction.trim(),
            "lines": lines,
            "vehicle": {"plate": self.plate.trim(), "country": self.vehicle_country.trim(), "type": self.vehicle_type.trim(),
                        "axles": axles, "gross_mass_kg": gross},
            "driver": {"name": self.driver_name.trim(), "document_number": self.driver_doc.trim(), "nationality": self.driver_nationality.trim()},
            "planned_arrival": arrival_rfc3339(&self.planned_arrival),
        });
        Ok((body, rows))
    }

    /// Puts the service's field errors next to the inputs they name.
    fn place_errors(&mut self, errors: &[FieldError], rows: &[usize]) {
        for e in errors {
            let name = input_name(&e.field, rows);
            self.errors.entry(name).or_insert_with(|| e.message.clone());
        }
    }
}

/// A `datetime-local` value (`2026-11-24T08:30`) is a time at the gate (UTC+7);
/// anything else is passed on as typed for the service to check.
fn arrival_rfc3339(s: &str) -> String {
    let t = s.trim();
    let is_local = t.is_ascii() && t.as_bytes().get(10) == Some(&b'T') && t.as_bytes().get(4) == Some(&b'-');
    match t.len() {
        16 if is_local => format!("{t}:00+07:00"),
        19 if is_local => format!("{t}+07:00"),
        _ => t.to_string(),
    }
}

/// The form input a body field path names (`lines[0].hs` → `hs_0` via the form row).
fn input_name(path: &str, rows: &[usize]) -> String {
    if let Some(rest) = path.strip_prefix("lines[") {
        if let Some((n, sub)) = rest.split_once("].") {
            let row = n.parse::<usize>().ok().and_then(|n| rows.get(n).copied()).unwrap_or(0);
            let name = match sub {
                "net_mass_kg" => "net_mass",
                s if s.starts_with("value.currency") => "currency",
                s if s.starts_with("value") => "value",
                s => s,
            };
            return format!("{name}_{row}");
        }
        return "lines".into();
    }
    match path {
        "vehicle.plate" => "plate",
        "vehicle.country" => "vehicle_country",
        "vehicle.type" => "vehicle_type",
        "vehicle.axles" => "axles",
        "vehicle.gross_mass_kg" => "gross_mass",
        "driver.name" => "driver_name",
        "driver.document_number" => "driver_doc",
        "driver.nationality" => "driver_nationality",
        other => other,
    }
    .to_string()
}

/// A gate pair to choose in the form.
#[derive(Debug, Clone)]
pub struct PairOption {
    id: String,
    label: String,
}

/// `/declarations/new`.
#[derive(Template)]
#[template(path = "clearance/new.html")]
pub struct NewPage {
    chrome: Chrome,
    form: DeclarationForm,
    error: Option<String>,
    pairs: Vec<PairOption>,
    units: &'static [QuantityUnit],
    vehicle_types: &'static [VehicleType],
    directions: &'static [Direction],
    currencies: Vec<&'static str>,
    countries: Vec<&'static str>,
}

async fn pair_options(s: &AppState, chrome: &Chrome) -> Vec<PairOption> {
    let filter = PairFilter { status: Some(PairStatus::Operating), mode: Some(Mode::Road), page: 1, per_page: 500, ..PairFilter::default() };
    match crate::registry::store::list_pairs(&s.db, &filter).await {
        Ok(page) => {
            let mut out: Vec<PairOption> = page
                .items
                .into_iter()
                .map(|p| PairOption {
                    label: format!("{} – {} ({})", p.gate_a, p.gate_b.as_deref().unwrap_or("?"), chrome.tw("country", p.country_b.as_str())),
                    id: p.id,
                })
                .collect();
            out.sort_by(|a, b| a.label.cmp(&b.label));
            out
        }
        Err(e) => {
            tracing::error!(error = %e, "gate pairs for the form");
            Vec::new()
        }
    }
}

async fn new_page(s: &AppState, chrome: &Chrome, status: StatusCode, form: DeclarationForm, error: Option<String>) -> Response {
    let page = NewPage {
        chrome: chrome.clone(),
        form,
        error,
        pairs: pair_options(s, chrome).await,
        units: QuantityUnit::ALL,
        vehicle_types: VehicleType::ALL,
        directions: Direction::ALL,
        currencies: CURRENCIES.iter().map(|c| c.0).collect(),
        countries: COUNTRIES.iter().map(|c| c.0).collect(),
    };
    ui::render(chrome, status, &page)
}

/// `GET /declarations/new`: the empty form (two goods lines; more on request).
pub async fn new_form(State(s): State<AppState>, chrome: Chrome) -> Response {
    new_page(&s, &chrome, StatusCode::OK, DeclarationForm::blank(), None).await
}

/// `POST /declarations/new`: `action=add_line` shows one more goods line; `save` keeps a
/// draft; `submit` (default) declares and has it assessed at once. Bad input shows the
/// form again with what was typed and the service's messages by the fields.
pub async fn create(State(s): State<AppState>, chrome: Chrome, p: Principal, Form(f): Form<Fields>) -> Response {
    if !chrome.csrf_matches(field(&f, "csrf")) {
        return csrf_refused(&chrome);
    }
    let mut form = DeclarationForm::from_fields(&f);
    let action = field(&f, "action");
    if action == "add_line" {
        if form.lines.len() < MAX_ROWS {
            form.lines.push(LineInput::blank());
        }
        return new_page(&s, &chrome, StatusCode::OK, form, None).await;
    }
    let (json, rows) = match form.to_json(&chrome) {
        Ok(v) => v,
        Err(errors) => {
            form.errors = errors;
            let detail = form.errors.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ");
            return new_page(&s, &chrome, StatusCode::UNPROCESSABLE_ENTITY, form, Some(detail)).await;
        }
    };
    let bytes = serde_json::to_vec(&json).unwrap_or_default();
    let result = match crate::http::extract::parse_json::<DeclarationBody>(&bytes) {
        Ok(body) => service::create(&s.db, &s.rules, &p, &body, Some(&form.key), action != "save", Now::wall()).await.map(|(v, _)| v),
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => see_other(&format!("/declarations/{}", view.id)),
        Err(e) => {
            if let ApiError::Validation(errors) = &e {
                form.place_errors(errors, &rows);
            }
            let status = status_of(&e);
            let detail = inline(&chrome, &e);
            new_page(&s, &chrome, status, form, Some(detail)).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// One declaration.

/// A goods line for display.
#[derive(Debug, Clone)]
pub struct LineRow {
    hs: String,
    description: String,
    quantity: String,
    unit: &'static str,
    net_mass: String,
    value: String,
    origin: &'static str,
    perishable: bool,
}

/// A slot to choose.
#[derive(Debug, Clone)]
pub struct SlotOption {
    value: String,
    label: String,
    free: i64,
    /// The booked slot, or the one of the planned arrival.
    selected: bool,
}

/// One step of the timeline: a status of the declaration or a checkpoint event.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    at_ms: i64,
    when: String,
    label: String,
    note: String,
    /// `status` or `event`.
    class: &'static str,
}

/// A button form for one event kind of the officer's agency.
#[derive(Debug, Clone)]
pub struct ActionForm {
    kind: &'static str,
    /// (outcome word, label); empty for kinds without an outcome.
    outcomes: Vec<(&'static str, String)>,
    /// A fresh id: posting the same form twice records the event once.
    id: String,
    required: bool,
}

/// Inline errors of the declaration page's forms.
#[derive(Debug, Clone, Default)]
pub struct DetailErrors {
    /// Submit or cancel.
    action: Option<String>,
    /// Booking.
    booking: Option<String>,
    /// An event an officer posted.
    event: Option<String>,
}

/// `/declarations/{id}`.
#[derive(Template)]
#[template(path = "clearance/declaration.html")]
pub struct DetailPage {
    chrome: Chrome,
    d: DeclarationView,
    pair_name: String,
    gate_name: String,
    lines: Vec<LineRow>,
    lane: Option<&'static str>,
    can_submit: bool,
    can_cancel: bool,
    can_book: bool,
    can_move: bool,
    booking: Option<BookingView>,
    booking_slot: String,
    pass_expires: String,
    slots: Vec<SlotOption>,
    slot_day: String,
    prev_day: String,
    next_day: String,
    timeline: Vec<TimelineItem>,
    predicted: Option<f64>,
    lane_in_yard: usize,
    file: VehicleFile,
    checks: Vec<(&'static str, &'static str)>,
    waited_min: Option<f64>,
    agency: Option<&'static str>,
    actions: Vec<ActionForm>,
    skip_reasons: &'static [SkipReason],
    errors: DetailErrors,
}

/// `GET /declarations/{id}` (`?day=YYYY-MM-DD` picks the day of the slots offered).
pub async fn detail(State(s): State<AppState>, chrome: Chrome, p: Principal, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let day = query_param(raw.as_deref(), "day");
    detail_page(&s, &chrome, &p, &id, day.as_deref(), DetailErrors::default(), StatusCode::OK).await
}

async fn detail_page(s: &AppState, chrome: &Chrome, p: &Principal, id: &str, day: Option<&str>, mut errors: DetailErrors, status: StatusCode) -> Response {
    let d = match service::get(&s.db, p, id).await {
        Ok(d) => d,
        Err(ApiError::NotFound) => return ui::not_found(chrome.clone()).await,
        Err(e) => return ui::error_page(chrome, &e),
    };
    let now = Now::wall();
    let booking = match booking::booking_of(&s.db, p, id).await {
        Ok(b) => b,
        Err(e) => return ui::error_page(chrome, &e),
    };
    let file = match events::vehicle_file(&s.db, id).await {
        Ok(f) => f,
        Err(e) => return ui::error_page(chrome, &e),
    };
    let pair_name = match crate::registry::store::get_pair(&s.db, &d.pair_id).await {
        Ok(pair) => format!("{} – {}", pair.summary.gate_a, pair.summary.gate_b.as_deref().unwrap_or("?")),
        Err(_) => d.pair_id.clone(),
    };
    let gate_name = crate::registry::store::get_gate(&s.db, &d.gate_id).await.map_or_else(|_| d.gate_id.clone(), |g| g.name);
    let is_trader = p.role == Role::Trader;
    let active = booking.as_ref().is_some_and(|b| b.status == "active");
    let can_book = is_trader && d.status == DeclarationStatus::Assessed;
    let can_move = is_trader && d.status == DeclarationStatus::Booked && active;
    let lane = d.assessment.as_ref().map(|a| a.lane.as_str());

    // Slots of the chosen day (default: the planned arrival's, or today).
    let (mut slots, mut slot_day, mut prev_day, mut next_day) = (Vec::new(), String::new(), String::new(), String::new());
    if can_book || can_move {
        let planned_t = time::OffsetDateTime::parse(&d.body.planned_arrival, &time::format_description::well_known::Rfc3339).ok();
        let planned = planned_t.map(|t| t.to_offset(time::macros::offset!(+7)).date());
        let step = s.config.clearance.slot_minutes_secs().max(1);
        let preferred = match &booking {
            Some(b) if active => b.slot_start,
            _ => planned_t.map_or(0, |t| t.unix_timestamp().div_euclid(step) * step),
        };
        let today = local_today();
        let default = planned.filter(|p| *p >= today).unwrap_or(today);
        let chosen = match day {
            None => default,
            Some(text) => parse_day(text).unwrap_or_else(|| {
                errors.booking.get_or_insert_with(|| format!("day: {text:?} is not a date YYYY-MM-DD"));
                default
            }),
        };
        slot_day = chosen.to_string();
        prev_day = chosen.previous_day().map(|x| x.to_string()).unwrap_or_default();
        next_day = chosen.next_day().map(|x| x.to_string()).unwrap_or_default();
        match booking::slots(&s.db, &s.config.clearance, &d.gate_id, d.direction.as_str(), day_start_s(chosen)).await {
            Ok(all) => {
                slots = all
                    .into_iter()
                    .filter(|sl| sl.end > now.s())
                    .map(|sl| {
                        let free = if d.perishable { sl.free_perishable } else { sl.free_general };
                        SlotOption {
                            label: format!("{}–{}", format::local_hm(sl.start), format::local_hm(sl.end)),
                            value: sl.start_local,
                            free,
                            selected: sl.start == preferred,
                        }
                    })
                    .collect();
            }
            Err(e) => errors.booking = Some(inline(chrome, &e)),
        }
    }

    // Prediction for the declaration's lane, while the truck has not left.
    let (mut predicted, mut lane_in_yard) = (None, 0);
    if let Some(l) = lane {
        if matches!(d.status, DeclarationStatus::Assessed | DeclarationStatus::Booked | DeclarationStatus::AtGate) {
            if let Ok(q) = metrics::gate_queue(&s.db, &d.gate_id, now.ms()).await {
                if let Some(lq) = q.iter().find(|q| q.lane == l) {
                    predicted = lq.predicted_clearance_min;
                    lane_in_yard = lq.in_yard;
                }
            }
        }
    }

    let timeline = timeline(chrome, &d, &file);
    let required: Vec<Check> = match (&file.state, &d.assessment) {
        (Some(st), _) => st.required.clone(),
        (None, Some(a)) => a.checks.clone(),
        (None, None) => Vec::new(),
    };
    let checks = required
        .iter()
        .map(|c| (c.as_str(), file.state.as_ref().and_then(|st| st.results.get(c)).map_or("", |o| o.as_str())))
        .collect();
    let waited_min = file
        .state
        .as_ref()
        .and_then(|st| st.arrived_at_ms.map(|a| st.exited_at_ms.unwrap_or(now.ms()) - a))
        .map(|ms| (ms.max(0) as f64 / 6_000.0).round() / 10.0);
    let agency = if p.role == Role::Officer { p.agency.map(|a| a.as_str()) } else { None };
    let actions = match p.agency {
        Some(agency) if p.role == Role::Officer && matches!(d.status, DeclarationStatus::Booked | DeclarationStatus::AtGate) => EventKind::ALL
            .iter()
            .filter(|k| k.agency() == agency)
            .map(|k| ActionForm {
                kind: k.as_str(),
                outcomes: k.outcomes().iter().map(|o| (o.as_str(), chrome.tw("outcome", o.as_str()))).collect(),
                id: uuid::Uuid::now_v7().to_string(),
                required: k.check().is_some_and(|c| required.contains(&c)),
            })
            .collect(),
        _ => Vec::new(),
    };
    let lines = d
        .body
        .lines
        .iter()
        .map(|l| LineRow {
            hs: l.hs.display(),
            description: l.description.clone(),
            quantity: format::number(l.quantity, chrome.lang),
            unit: l.unit.as_str(),
            net_mass: format::number(l.net_mass_kg, chrome.lang),
            value: format::money(l.value.minor, l.value.currency.exponent(), l.value.currency.as_str(), chrome.lang),
            origin: l.origin.as_str(),
            perishable: l.perishable || l.hs.is_perishable(),
        })
        .collect();
    let booking_slot = booking
        .as_ref()
        .map(|b| format!("{} – {}", format::local_time_ms(b.slot_start.saturating_mul(1000)), format::local_hm(b.slot_end)))
        .unwrap_or_default();
    let pass_expires = booking
        .as_ref()
        .and_then(|b| b.pass.as_ref())
        .map(|ps| format::local_time_ms(ps.expires_at.saturating_mul(1000)))
        .unwrap_or_default();
    let page = DetailPage {
        chrome: chrome.clone(),
        pair_name,
        gate_name,
        lines,
        lane,
        can_submit: is_trader && d.status == DeclarationStatus::Draft,
        can_cancel: is_trader && d.status.before_arrival(),
        can_book,
        can_move,
        booking,
        booking_slot,
        pass_expires,
        slots,
        slot_day,
        prev_day,
        next_day,
        timeline,
        predicted,
        lane_in_yard,
        file,
        checks,
        waited_min,
        agency,
        actions,
        skip_reasons: SkipReason::ALL,
        errors,
        d,
    };
    ui::render(chrome, status, &page)
}

/// The declaration's statuses and the vehicle's checkpoint events, oldest first.
fn timeline(chrome: &Chrome, d: &DeclarationView, file: &VehicleFile) -> Vec<TimelineItem> {
    let mut items: Vec<TimelineItem> = d
        .history
        .iter()
        .map(|h| {
            let at_ms = crate::db::parse_time_text(&h.at).map_or(0, |t| (t.unix_timestamp_nanos() / 1_000_000) as i64);
            TimelineItem {
                at_ms,
                when: format::local_time(&h.at),
                label: chrome.tw("decl_status", &h.status),
                note: h.note.clone().unwrap_or_default(),
                class: "status",
            }
        })
        .collect();
    items.extend(file.events.iter().map(|e| {
        let mut label = chrome.tw("event", &e.kind);
        if let Some(o) = &e.outcome {
            label = format!("{label}: {}", chrome.tw("outcome", o));
        }
        let agency = e.kind.parse::<EventKind>().map(|k| chrome.tw("agency", k.agency().as_str())).unwrap_or_default();
        TimelineItem { at_ms: e.at_ms, when: format::local_time_ms(e.at_ms), label, note: agency, class: "event" }
    }));
    items.sort_by_key(|i| i.at_ms);
    items
}

/// `POST /declarations/{id}/submit` (trader).
pub async fn submit(State(s): State<AppState>, chrome: Chrome, p: Principal, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    if !chrome.csrf_matches(field(&f, "csrf")) {
        return csrf_refused(&chrome);
    }
    match service::submit(&s.db, &s.rules, &p, &id, Now::wall()).await {
        Ok(_) => see_other(&format!("/declarations/{id}")),
        Err(e) => action_failed(&s, &chrome, &p, &id, &e).await,
    }
}

/// `POST /declarations/{id}/cancel` (trader).
pub async fn cancel(State(s): State<AppState>, chrome: Chrome, p: Principal, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    if !chrome.csrf_matches(field(&f, "csrf")) {
        return csrf_refused(&chrome);
    }
    match service::cancel(&s.db, &p, &id, Now::wall()).await {
        Ok(_) => see_other(&format!("/declarations/{id}")),
        Err(e) => action_failed(&s, &chrome, &p, &id, &e).await,
    }
}

async fn action_failed(s: &AppState, chrome: &Chrome, p: &Principal, id: &str, e: &ApiError) -> Response {
    let errors = DetailErrors { action: Some(inline(chrome, e)), ..DetailErrors::default() };
    detail_page(s, chrome, p, id, None, errors, status_of(e)).await
}

/// `POST /declarations/{id}/booking` (trader): books the chosen slot, or moves the
/// booking there when `move` is set.
pub async fn book(State(s): State<AppState>, chrome: Chrome, p: Principal, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    if !chrome.csrf_matches(field(&f, "csrf")) {
        return csrf_refused(&chrome);
    }
    let req = BookRequest { slot_start: field(&f, "slot_start").trim().to_string() };
    let result = match keys::active_issuer(&s.db).await {
        Ok(issuer) if field(&f, "move").is_empty() => booking::book(&s.db, &s.config.clearance, &issuer, &p, &id, &req, Now::wall()).await,
        Ok(issuer) => booking::move_booking(&s.db, &s.config.clearance, &issuer, &p, &id, &req, Now::wall()).await,
        Err(e) => Err(ApiError::from(e)),
    };
    match result {
        Ok(_) => see_other(&format!("/declarations/{id}#booking")),
        Err(e) => {
            let errors = DetailErrors { booking: Some(inline(&chrome, &e)), ..DetailErrors::default() };
            let day = field(&f, "day");
            detail_page(&s, &chrome, &p, &id, (!day.is_empty()).then_some(day), errors, status_of(&e)).await
        }
    }
}

/// `POST /declarations/{id}/events` (officer): posts one checkpoint event for the
/// vehicle at its gate through the same batch service as the API; a rejected event shows
/// its reason on the page.
pub async fn post_event(State(s): State<AppState>, chrome: Chrome, p: Principal, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    if !chrome.csrf_matches(field(&f, "csrf")) {
        return csrf_refused(&chrome);
    }
    let d = match service::get(&s.db, &p, &id).await {
        Ok(d) => d,
        Err(ApiError::NotFound) => return ui::not_found(chrome).await,
        Err(e) => return ui::error_page(&chrome, &e),
    };
    let event_id = field(&f, "id");
    let event_id = if uuid::Uuid::parse_str(event_id).is_ok() { event_id.to_string() } else { uuid::Uuid::now_v7().to_string() };
    let mut e = json!({"id": event_id, "declaration": d.id, "kind": field(&f, "kind").trim()});
    for name in ["outcome", "plate", "driver_doc", "skip_reason"] {
        let v = field(&f, name).trim();
        if !v.is_empty() {
            e[name] = json!(v);
        }
    }
    let failed = |message: String, status: StatusCode| {
        let errors = DetailErrors { event: Some(message), ..DetailErrors::default() };
        let (s, chrome, p, id) = (s.clone(), chrome.clone(), p.clone(), id.clone());
        async move { detail_page(&s, &chrome, &p, &id, None, errors, status).await }
    };
    let bytes = serde_json::to_vec(&json!({ "events": [e] })).unwrap_or_default();
    let batch: EventBatch = match crate::http::extract::parse_json(&bytes) {
        Ok(b) => b,
        Err(e) => return failed(inline(&chrome, &e), status_of(&e)).await,
    };
    match events::record_batch(&s.db, &p, &d.gate_id, &batch, Now::wall()).await {
        Ok(results) => match results.into_iter().next() {
            Some(r) if r.accepted => see_other(&format!("/declarations/{id}#file")),
            Some(r) => {
                let status = StatusCode::from_u16(r.status).ok().filter(StatusCode::is_client_error).unwrap_or(StatusCode::CONFLICT);
                failed(r.reason.unwrap_or_default(), status).await
            }
            None => failed(chrome.t("error.server").to_string(), StatusCode::INTERNAL_SERVER_ERROR).await,
        },
        Err(e) => failed(inline(&chrome, &e), status_of(&e)).await,
    }
}

// ---------------------------------------------------------------------------------------
// The yard.

/// A vehicle in the yard.
#[derive(Debug, Clone)]
pub struct YardVehicle {
    id: String,
    plate: String,
    phase: String,
    minutes: f64,
}

/// One lane of the yard.
#[derive(Debug, Clone)]
pub struct YardLane {
    q: LaneQueue,
    vehicles: Vec<YardVehicle>,
}

/// `/gates/{id}/yard`.
#[derive(Template)]
#[template(path = "clearance/yard.html")]
pub struct YardPage {
    chrome: Chrome,
    gate_id: String,
    gate_name: String,
    lanes: Vec<YardLane>,
    expected: Vec<ListRow>,
    now: String,
}

/// `GET /gates/{id}/yard` (officers of the gate, admins): the yard queue by lane, longest
/// waiting first, with waiting minutes and the lane's prediction; then the booked
/// vehicles not arrived yet.
pub async fn yard(State(s): State<AppState>, chrome: Chrome, p: Principal, Path(gate): Path<String>) -> Response {
    if let Err(e) = p.ensure_gate(&gate) {
        return ui::error_page(&chrome, &e);
    }
    let gate_row = match crate::registry::store::get_gate(&s.db, &gate).await {
        Ok(g) => g,
        Err(e) => return ui::error_page(&chrome, &ApiError::from(e)),
    };
    let now = Now::wall();
    let queue = match metrics::gate_queue(&s.db, &gate, now.ms()).await {
        Ok(q) => q,
        Err(e) => return ui::error_page(&chrome, &e),
    };
    let at_gate = service::list(&s.db, &p, Some(DeclarationStatus::AtGate), 500).await.unwrap_or_default();
    let plate_of = |id: &str| at_gate.iter().find(|d| d.id == id).map_or_else(String::new, |d| d.body.vehicle.plate.clone());
    let lanes = queue
        .into_iter()
        .map(|q| {
            let vehicles = q.vehicles.iter().map(|(id, phase, minutes)| YardVehicle { id: id.clone(), plate: plate_of(id), phase: phase.clone(), minutes: *minutes }).collect();
            YardLane { q, vehicles }
        })
        .collect();
    let expected = match service::list(&s.db, &p, Some(DeclarationStatus::Booked), 500).await {
        Ok(list) => list.iter().filter(|d| d.gate_id == gate).map(list_row).collect(),
        Err(e) => return ui::error_page(&chrome, &e),
    };
    let page = YardPage { chrome: chrome.clone(), gate_id: gate, gate_name: gate_row.name, lanes, expected, now: format::local_time_ms(now.ms()) };
    ui::render(&chrome, StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------
// The dashboard.

/// One day of the dashboard's table.
#[derive(Debug, Clone)]
pub struct DayRow {
    day: String,
    exited: usize,
    cleared: usize,
    refused: usize,
    p50: Option<f64>,
    p90: Option<f64>,
    p99: Option<f64>,
    wait_p50: Option<f64>,
}

/// `/gates/{id}/dashboard`.
#[derive(Template)]
#[template(path = "clearance/dashboard.html")]
pub struct DashboardPage {
    chrome: Chrome,
    gate_id: String,
    gate_name: String,
    from: String,
    to: String,
    error: Option<String>,
    total: Option<GroupMetrics>,
    days: Vec<DayRow>,
    groups: Vec<GroupMetrics>,
    chart_hours: String,
    chart_days: String,
    chart_times: String,
}

/// The longest period the dashboard shows, in days.
const MAX_DAYS: i64 = 92;

fn period(raw: Option<&str>) -> Result<(time::Date, time::Date), String> {
    let to = match query_param(raw, "to") {
        Some(t) => parse_day(&t).ok_or_else(|| format!("to: {t:?} is not a date YYYY-MM-DD"))?,
        None => local_today(),
    };
    let from = match query_param(raw, "from") {
        Some(f) => parse_day(&f).ok_or_else(|| format!("from: {f:?} is not a date YYYY-MM-DD"))?,
        None => to.checked_sub(time::Duration::days(6)).unwrap_or(to),
    };
    if to < from {
        return Err("to: before from".into());
    }
    if (to - from).whole_days() >= MAX_DAYS {
        return Err(format!("to: at most {MAX_DAYS} days from from"));
    }
    Ok((from, to))
}

/// 403 unless `p` may see the dashboard of `gate` ([`Principal::can_read_gate_dashboard`]).
fn ensure_dashboard(p: &Principal, gate: &str) -> Result<(), ApiError> {
    if p.can_read_gate_dashboard(gate) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("the dashboard of {gate} is for admins, viewers and the gate's officers")))
    }
}

/// `GET /gates/{id}/dashboard?from=&to=` (default: the last 7 local days): totals, a
/// table by day and by lane and direction, and charts of exits by hour, vehicles per day
/// and clearance-time percentiles per day.
pub async fn dashboard(State(s): State<AppState>, chrome: Chrome, p: Principal, Path(gate): Path<String>, RawQuery(raw): RawQuery) -> Response {
    if let Err(e) = ensure_dashboard(&p, &gate) {
        return ui::error_page(&chrome, &e);
    }
    let gate_row = match crate::registry::store::get_gate(&s.db, &gate).await {
        Ok(g) => g,
        Err(e) => return ui::error_page(&chrome, &ApiError::from(e)),
    };
    let mut page = DashboardPage {
        chrome: chrome.clone(),
        gate_id: gate.clone(),
        gate_name: gate_row.name,
        from: query_param(raw.as_deref(), "from").unwrap_or_default(),
        to: query_param(raw.as_deref(), "to").unwrap_or_default(),
        error: None,
        total: None,
        days: Vec::new(),
        groups: Vec::new(),
        chart_hours: String::new(),
        chart_days: String::new(),
        chart_times: String::new(),
    };
    let (from, to) = match period(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            page.error = Some(e);
            return ui::render(&chrome, StatusCode::BAD_REQUEST, &page);
        }
    };
    page.from = from.to_string();
    page.to = to.to_string();
    let m = match metrics::gate_metrics(&s.db, &gate, &page.from, &page.to).await {
        Ok(m) => m,
        Err(e) => return ui::error_page(&chrome, &e),
    };
    let mut day = from;
    loop {
        let d = day.to_string();
        match metrics::gate_metrics(&s.db, &gate, &d, &d).await {
            Ok(dm) => page.days.push(DayRow {
                exited: dm.total.clearance.count + dm.total.refused,
                cleared: dm.total.clearance.count,
                refused: dm.total.refused,
                p50: dm.total.clearance.p50_min,
                p90: dm.total.clearance.p90_min,
                p99: dm.total.clearance.p99_min,
                wait_p50: dm.total.waiting.p50_min,
                day: d,
            }),
            Err(e) => return ui::error_page(&chrome, &e),
        }
        match day.next_day() {
            Some(next) if next <= to => day = next,
            _ => break,
        }
    }
    let no_data = chrome.t("dash.no_data");
    let hours: Vec<String> = (0..24).map(|h| format!("{h}")).collect();
    let by_hour: Vec<f64> = m.exits_by_hour.iter().map(|n| *n as f64).collect();
    let hours_chart = chart::Chart { id: "chart-hours", title: chrome.t("dash.exits_by_hour"), unit: chrome.t("dash.unit_vehicles"), labels: &hours, empty_note: no_data };
    page.chart_hours = chart::bar_chart(&hours_chart, &by_hour, "#0b57a4", true);
    let labels: Vec<String> = page.days.iter().map(|d| short_day(&d.day)).collect();
    let per_day: Vec<f64> = page.days.iter().map(|d| d.exited as f64).collect();
    let days_chart = chart::Chart { id: "chart-days", title: chrome.t("dash.vehicles_per_day"), unit: chrome.t("dash.unit_vehicles"), labels: &labels, empty_note: no_data };
    page.chart_days = chart::bar_chart(&days_chart, &per_day, "#2e7d32", true);
    let p50: Vec<Option<f64>> = page.days.iter().map(|d| d.p50).collect();
    let p90: Vec<Option<f64>> = page.days.iter().map(|d| d.p90).collect();
    let p99: Vec<Option<f64>> = page.days.iter().map(|d| d.p99).collect();
    let series = [
        chart::Series { name: "p50", colour: "#0b57a4", dashed: false, values: &p50 },
        chart::Series { name: "p90", colour: "#e08e0b", dashed: false, values: &p90 },
        chart::Series { name: "p99", colour: "#b3261e", dashed: true, values: &p99 },
    ];
    let times_chart = chart::Chart { id: "chart-times", title: chrome.t("dash.times_per_day"), unit: chrome.t("dash.unit_minutes"), labels: &labels, empty_note: no_data };
    page.chart_times = chart::line_chart(&times_chart, &series);
    page.total = Some(m.total);
    page.groups = m.groups;
    ui::render(&chrome, StatusCode::OK, &page)
}

/// `2025-12-08` → `08/12`.
fn short_day(iso: &str) -> String {
    match (iso.get(8..10), iso.get(5..7)) {
        (Some(d), Some(m)) => format!("{d}/{m}"),
        _ => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Agency;
    use crate::clearance::fold::{Outcome, Phase};
    use crate::clearance::model::Lane;
    use crate::ui::i18n::has;

    #[test]
    fn every_word_shown_on_the_pages_is_in_the_catalogue() {
        let mut missing = Vec::new();
        let mut check = |prefix: &str, words: Vec<&str>| {
            for w in words {
                if !has(&format!("{prefix}.{w}")) {
                    missing.push(format!("{prefix}.{w}"));
                }
            }
        };
        check("decl_status", DeclarationStatus::ALL.iter().map(|w| w.as_str()).collect());
        check("event", EventKind::ALL.iter().map(|w| w.as_str()).collect());
        check("outcome", Outcome::ALL.iter().map(|w| w.as_str()).collect());
        check("phase", Phase::ALL.iter().map(|w| w.as_str()).collect());
        check("unit", QuantityUnit::ALL.iter().map(|w| w.as_str()).collect());
        check("vehicle_type", VehicleType::ALL.iter().map(|w| w.as_str()).collect());
        check("check", Check::ALL.iter().map(|w| w.as_str()).collect());
        check("risk_lane", Lane::ALL.iter().map(|w| w.as_str()).collect());
        check("dir", Direction::ALL.iter().map(|w| w.as_str()).collect());
        check("agency", Agency::ALL.iter().map(|w| w.as_str()).collect());
        check("skip", SkipReason::ALL.iter().map(|w| w.as_str()).collect());
        check("country", COUNTRIES.iter().map(|c| c.0).collect());
        check("booking_status", vec!["active", "released", "no_show", "arrived"]);
        assert!(missing.is_empty(), "missing catalogue keys: {missing:?}");
    }

    #[test]
    fn field_paths_name_the_form_inputs_through_the_rows_kept() {
        // Form rows 0 and 2 were filled, row 1 left empty: body line 1 is form row 2.
        let rows = [0, 2];
        assert_eq!(input_name("lines[1].hs", &rows), "hs_2");
        assert_eq!(input_name("lines[0].net_mass_kg", &rows), "net_mass_0");
        assert_eq!(input_name("lines[1].value.currency", &rows), "currency_2");
        assert_eq!(input_name("lines[1].value.minor", &rows), "value_2");
        assert_eq!(input_name("lines[9].hs", &rows), "hs_0");
        assert_eq!(input_name("lines", &rows), "lines");
        assert_eq!(input_name("vehicle.gross_mass_kg", &rows), "gross_mass");
        assert_eq!(input_name("driver.document_number", &rows), "driver_doc");
        assert_eq!(input_name("planned_arrival", &rows), "planned_arrival");
    }

    #[test]
    fn a_local_arrival_is_at_the_gates_offset() {
        assert_eq!(arrival_rfc3339("2026-11-24T08:30"), "2026-11-24T08:30:00+07:00");
        assert_eq!(arrival_rfc3339("2026-11-24T08:30:15"), "2026-11-24T08:30:15+07:00");
        assert_eq!(arrival_rfc3339("2026-11-24T01:30:00Z"), "2026-11-24T01:30:00Z");
        assert_eq!(arrival_rfc3339("ngày mai lúc 8h"), "ngày mai lúc 8h");
        assert_eq!(arrival_rfc3339(""), "");
    }

    #[test]
    fn periods_are_checked() {
        assert!(period(Some("from=2025-12-01&to=2025-12-07")).is_ok());
        assert!(period(Some("from=2025-12-08&to=2025-12-07")).is_err());
        assert!(period(Some("from=2025-01-01&to=2025-12-31")).is_err());
        assert!(period(Some("from=yesterday")).is_err());
        let (from, to) = period(None).unwrap();
        assert_eq!((to - from).whole_days(), 6);
        assert_eq!(short_day("2025-12-08"), "08/12");
    }

    #[test]
    fn typed_numbers_become_json_numbers_or_errors_by_field() {
        let chrome = Chrome { lang: ui::Lang::En, user: None, csrf: None, path: "/".into() };
        let mut form = DeclarationForm::blank();
        form.lines[0] = LineInput {
            hs: "0810.60".into(),
            description: "durian".into(),
            quantity: "18.000".into(),
            net_mass: "18000".into(),
            value: "45,000.00".into(),
            ..LineInput::blank()
        };
        form.axles = "3".into();
        form.gross_mass = "26000".into();
        let (json, rows) = form.to_json(&chrome).unwrap();
        assert_eq!(rows, [0], "the empty second row is left out");
        assert_eq!(json["lines"][0]["quantity"], 18000);
        assert_eq!(json["lines"][0]["value"]["minor"], 4_500_000);
        form.lines[1].hs = "7214".into();
        form.lines[1].quantity = "a few".into();
        form.axles = "three".into();
        let errors = form.to_json(&chrome).unwrap_err();
        assert!(errors.contains_key("quantity_1") && errors.contains_key("axles"), "{errors:?}");
    }
}
