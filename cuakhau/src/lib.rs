//! cuakhau: the smart land-border-gate platform. One node per country side of a gate
//! pair: an HTTP JSON API, a server-rendered web UI and a CLI over one database
//! (SQLite by default, PostgreSQL for larger deployments).
//!
//! # Layout
//! Capabilities (one module per row of the mission), each holding its types, rules,
//! storage and handlers:
//! - [`registry`]: countries, provinces, gates, gate pairs, lanes, status history.
//! - [`clearance`]: declarations, risk lanes, slot booking, passes, checkpoint events,
//!   the verifiable yard queue, clearance-time metrics.
//!
//! Shared rooms:
//! - [`db`]: pool and migrations for both backends, store helpers, audit trail.
//! - [`auth`]: accounts, roles, scopes, tokens, sessions, the access guard.
//! - [`http`]: router (every route in one place), problem+json errors, metrics.
//! - [`ui`]: page layout, the vi/en catalogue, number and date formats, the map.
//! - [`config`]: layered configuration (defaults → file → environment → flags).
//! - [`cli`]: the `cuakhau` command line.

/// Declares a closed set of lower-case words (class, mode, status, role …) as an enum
/// whose parsing error names the allowed values. The word must be the variant's
/// snake_case name, so JSON (serde), the database, `Display` and `FromStr` agree; a unit
/// test of each enum checks it.
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored and serialised word.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The allowed words, for error messages.
            pub fn allowed() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown value {other:?}; expected one of: {}", Self::allowed())),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

pub mod auth;
pub mod clearance;
pub mod cli;
pub mod config;
pub mod db;
pub mod http;
pub mod registry;
pub mod ui;

#[cfg(test)]
mod word_tests {
    use crate::auth::{Agency, Role};
    use crate::clearance::declaration::{DeclarationStatus, QuantityUnit, VehicleType};
    use crate::clearance::fold::{EventKind, FinalStatus, Outcome, Phase};
    use crate::clearance::model::{Check, Direction, Lane};
    use crate::clearance::queue::SkipReason;
    use crate::registry::model::{CoordPrecision, GateClass, LaneKind, Mode, PairStatus};

    fn agree<T>(all: &[T])
    where
        T: serde::Serialize + serde::de::DeserializeOwned + std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug,
    {
        for v in all {
            let word = v.to_string();
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{word}\""), "JSON and Display differ for {v:?}");
            assert_eq!(serde_json::from_str::<T>(&format!("\"{word}\"")).unwrap(), *v);
            assert!(word.parse::<T>().is_ok_and(|p| p == *v), "FromStr does not read {word:?}");
        }
    }

    #[test]
    fn every_word_is_the_same_in_json_the_database_and_text() {
        agree(Role::ALL);
        agree(Agency::ALL);
        agree(GateClass::ALL);
        agree(Mode::ALL);
        agree(PairStatus::ALL);
        agree(LaneKind::ALL);
        agree(CoordPrecision::ALL);
        agree(EventKind::ALL);
        agree(Outcome::ALL);
        agree(Phase::ALL);
        agree(FinalStatus::ALL);
        agree(Lane::ALL);
        agree(Check::ALL);
        agree(Direction::ALL);
        agree(SkipReason::ALL);
        agree(DeclarationStatus::ALL);
        agree(QuantityUnit::ALL);
        agree(VehicleType::ALL);
    }
}
