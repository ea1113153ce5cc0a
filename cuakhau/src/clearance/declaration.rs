//! Declarations: what a trader declares for a truck crossing a gate pair, validated at
//! the edge; the lifecycle; amendments as new versions (never overwritten).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Direction, HsCode, Money};
use crate::http::error::{ApiError, FieldError};
use crate::registry::model::CountryCode;

word_enum!(
    /// Where a declaration stands.
    DeclarationStatus {
        /// Being written; nobody else sees it.
        Draft => "draft",
        /// Sent; awaiting assessment.
        Submitted => "submitted",
        /// Lane and checks decided.
        Assessed => "assessed",
        /// A slot is booked and a pass issued.
        Booked => "booked",
        /// The truck is in the yard.
        AtGate => "at_gate",
        /// Exited with every check passed.
        Cleared => "cleared",
        /// Refused by a check.
        Refused => "refused",
        /// Withdrawn by the trader.
        Cancelled => "cancelled",
    }
);

impl DeclarationStatus {
    /// Before the truck arrives the trader may still amend or cancel.
    pub fn before_arrival(self) -> bool {
        matches!(self, Self::Draft | Self::Submitted | Self::Assessed | Self::Booked)
    }
}

word_enum!(
    /// Unit of a line's quantity.
    QuantityUnit {
        /// Kilograms.
        Kg => "kg",
        /// Tonnes.
        Tonne => "tonne",
        /// Pieces.
        Piece => "piece",
        /// Cartons.
        Carton => "carton",
        /// Live animals, by head.
        Head => "head",
        /// Litres.
        Litre => "litre",
        /// Cubic metres.
        M3 => "m3",
    }
);

word_enum!(
    /// Kind of vehicle.
    VehicleType {
        /// Box or flatbed truck.
        Truck => "truck",
        /// Refrigerated truck.
        Reefer => "reefer",
        /// Tanker.
        Tanker => "tanker",
        /// Container carrier.
        Container => "container",
        /// Van.
        Van => "van",
    }
);

/// One line of goods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// HS code (4, 6 or 8 digits).
    pub hs: HsCode,
    /// What the goods are.
    pub description: String,
    /// Quantity in `unit` (whole units, > 0).
    pub quantity: i64,
    /// Unit of the quantity.
    pub unit: QuantityUnit,
    /// Net mass in kg (> 0).
    pub net_mass_kg: i64,
    /// Value (minor units + ISO 4217).
    pub value: Money,
    /// Country of origin.
    pub origin: CountryCode,
    /// Declared perishable (perishable is also derived from the HS code).
    #[serde(default)]
    pub perishable: bool,
}

/// The truck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vehicle {
    /// Registration plate as written (`70C-123.45`).
    pub plate: String,
    /// Country of registration.
    pub country: CountryCode,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: VehicleType,
    /// Number of axles (2–9).
    pub axles: i64,
    /// Gross mass in kg.
    pub gross_mass_kg: i64,
}

/// The driver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Driver {
    /// Full name.
    pub name: String,
    /// Passport or border-pass number.
    pub document_number: String,
    /// Nationality.
    pub nationality: CountryCode,
}

/// The content of a declaration (one version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationBody {
    /// Gate pair id (e.g. `moc-bai--bavet`).
    pub pair_id: String,
    /// `export` or `import`, from this node's country's view.
    pub direction: Direction,
    /// Goods (1–200 lines).
    pub lines: Vec<Line>,
    /// The truck.
    pub vehicle: Vehicle,
    /// The driver.
    pub driver: Driver,
    /// Planned arrival at the gate (RFC 3339, UTC or with offset).
    pub planned_arrival: String,
}

/// A plate normalised for matching: upper case, letters and digits only.
pub fn plate_key(plate: &str) -> String {
    plate.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

impl DeclarationBody {
    /// Checks every rule types cannot express; all wrong fields are reported together.
    /// `now_s` is the current time (unix seconds); the arrival must not be in the past.
    pub fn validate(&self, now_s: i64) -> Result<i64, ApiError> {
        let mut e = Vec::new();
        let mut err = |field: String, message: &str| e.push(FieldError { field, message: message.into() });
        if self.lines.is_empty() || self.lines.len() > 200 {
            err("lines".into(), "1 to 200 lines");
        }
        for (i, l) in self.lines.iter().enumerate() {
            if l.description.trim().is_empty() {
                err(format!("lines[{i}].description"), "must not be empty");
            }
            if l.quantity <= 0 {
                err(format!("lines[{i}].quantity"), "must be greater than zero");
            }
            if l.net_mass_kg <= 0 {
                err(format!("lines[{i}].net_mass_kg"), "must be greater than zero");
            }
            if l.value.minor < 0 {
                err(format!("lines[{i}].value.minor"), "must not be negative");
            }
        }
        let plate = plate_key(&self.vehicle.plate);
        if plate.len() < 3 || plate.len() > 15 {
            err("vehicle.plate".into(), "3 to 15 letters or digits");
        }
        if !(2..=9).contains(&self.vehicle.axles) {
            err("vehicle.axles".into(), "2 to 9");
        }
        if !(1_000..=60_000).contains(&self.vehicle.gross_mass_kg) {
            err("vehicle.gross_mass_kg".into(), "1,000 to 60,000 kg");
        }
        let net: i64 = self.lines.iter().map(|l| l.net_mass_kg.max(0)).sum();
        if net > self.vehicle.gross_mass_kg {
            err("vehicle.gross_mass_kg".into(), "less than the goods' net mass");
        }
        if self.driver.name.trim().is_empty() {
            err("driver.name".into(), "must not be empty");
        }
        let doc = plate_key(&self.driver.document_number);
        if doc.len() < 5 || doc.len() > 20 {
            err("driver.document_number".into(), "5 to 20 letters or digits");
        }
        let arrival = time::OffsetDateTime::parse(&self.planned_arrival, &time::format_description::well_known::Rfc3339).ok();
        let arrival_s = match arrival {
            None => {
                err("planned_arrival".into(), "must be an RFC 3339 time, e.g. 2026-11-24T08:30:00+07:00");
                0
            }
            Some(t) if t.unix_timestamp() < now_s - 600 => {
                err("planned_arrival".into(), "is in the past");
                0
            }
            Some(t) if t.unix_timestamp() > now_s + 60 * 86_400 => {
                err("planned_arrival".into(), "more than 60 days ahead");
                0
            }
            Some(t) => t.unix_timestamp(),
        };
        if e.is_empty() {
            Ok(arrival_s)
        } else {
            Err(ApiError::Validation(e))
        }
    }

    /// Perishable: any line perishable by its HS code or declared so.
    pub fn perishable(&self) -> bool {
        self.lines.iter().any(|l| l.perishable || l.hs.is_perishable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn durian() -> DeclarationBody {
        serde_json::from_value(serde_json::json!({
            "pair_id": "moc-bai--bavet", "direction": "import",
            "lines": [{"hs": "0810.60", "description": "Fresh durian", "quantity": 18000, "unit": "kg",
                       "net_mass_kg": 18000, "value": {"minor": 4500000, "currency": "USD"}, "origin": "KH"}],
            "vehicle": {"plate": "70C-123.45", "country": "VN", "type": "reefer", "axles": 3, "gross_mass_kg": 26000},
            "driver": {"name": "Nguyễn Văn An", "document_number": "C1234567", "nationality": "VN"},
            "planned_arrival": "2030-01-01T08:30:00+07:00"
        }))
        .unwrap()
    }

    #[test]
    fn a_durian_declaration_is_valid_and_perishable() {
        let d = durian();
        assert!(d.validate(1_893_400_000).is_ok());
        assert!(d.perishable());
    }

    #[test]
    fn every_wrong_field_is_named() {
        let mut d = durian();
        d.lines[0].quantity = 0;
        d.vehicle.plate = " - ".into();
        d.planned_arrival = "2020-01-01T00:00:00Z".into();
        let ApiError::Validation(errors) = d.validate(1_893_400_000).unwrap_err() else { panic!() };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[0].quantity", "vehicle.plate", "planned_arrival"]);
    }

    #[test]
    fn plates_match_whatever_the_punctuation() {
        assert_eq!(plate_key("70C-123.45"), plate_key("70c 12345"));
    }
}
