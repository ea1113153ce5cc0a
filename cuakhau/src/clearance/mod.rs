//! Goods clearance: declarations, risk assessment, slot booking, passes, checkpoint
//! events and clearance-time metrics. (Being built: issue 3.)
//!
//! # Layout
//! - [`model`]: HS codes, money, lanes, checks, directions.

pub mod model;
