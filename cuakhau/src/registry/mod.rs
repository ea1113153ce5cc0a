//! Registry: countries, provinces (with the 2025 Vietnamese mergers), gates, gate
//! pairs, class, modes, lanes, opening hours and status history — every record with its
//! source. Every other capability refers to gates and pairs by the ids kept here.
//!
//! # Layout
//! - [`model`]: validated types (`GateClass`, `PartialDate`, …) and API shapes.
//! - [`text`]: folding of names for search and ids.
//! - [`import`]: the reference CSV → validated rows (pure).
//! - [`store`]: SQL for both backends.
//! - [`service`]: writes with their rules (create, update, retire) on top of the store.
//! - [`api`]: JSON handlers under `/api/v1`; [`pages`]: the web pages.

pub mod import;
pub mod api;
pub mod model;
pub mod pages;
pub mod store;
pub mod service;
pub mod text;

/// The reference gate pairs shipped with the platform (copy of `../shared/data/gates.csv`).
pub const GATES_CSV: &[u8] = include_bytes!("../../../data/gates.csv");
/// The 2025 Vietnamese province mergers used by the registry.
pub const MERGERS_CSV: &[u8] = include_bytes!("../../../data/vn-province-mergers-2025.csv");
