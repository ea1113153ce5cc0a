//! Registry types: validated newtypes and enums for what the registry stores, and the
//! shapes the API returns. Parsing happens here, at the edge; the rest of the code
//! only ever sees valid values.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

word_enum!(
    /// Class of a gate pair (Decree 112/2014/NĐ-CP; border markets added for later use).
    GateClass {
        /// Cửa khẩu quốc tế.
        International => "international",
        /// Cửa khẩu chính (song phương).
        Main => "main",
        /// Cửa khẩu phụ.
        Secondary => "secondary",
        /// Chợ biên giới.
        BorderMarket => "border_market",
    }
);

word_enum!(
    /// How traffic crosses.
    Mode { /** Road. */ Road => "road", /** Rail. */ Rail => "rail", /** River. */ River => "river" }
);

word_enum!(
    /// Where a gate pair stands in its life. `upgraded` is operating at a higher class.
    PairStatus {
        /// Approved in a plan, not open yet.
        Planned => "planned",
        /// Open for traffic.
        Operating => "operating",
        /// Open, after an upgrade of class.
        Upgraded => "upgraded",
        /// Temporarily closed.
        Suspended => "suspended",
        /// Closed for good (kept for history).
        Retired => "retired",
    }
);

word_enum!(
    /// What a lane serves.
    LaneKind { /** Trucks. */ Truck => "truck", /** Cars. */ Car => "car", /** Buses. */ Bus => "bus", /** People on foot. */ Pedestrian => "pedestrian" }
);

word_enum!(
    /// How precise a coordinate is: a gate's own position, or a town or district centre.
    CoordPrecision { /** The gate itself. */ Exact => "exact", /** Town centre. */ ApproxTown => "approx_town", /** District centre. */ ApproxDistrict => "approx_district" }
);

impl PairStatus {
    /// Open for traffic (`operating` or `upgraded`).
    pub fn is_open(self) -> bool {
        matches!(self, PairStatus::Operating | PairStatus::Upgraded)
    }
}

/// ISO 3166-1 alpha-2 code of a country the registry knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[schema(value_type = String, example = "KH")]
pub struct CountryCode(&'static str);

/// The countries the registry ships: Vietnam and its land neighbours, and Thailand for
/// the Cambodia–Thailand pairs to come. (code, English, Vietnamese, Khmer)
pub const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("VN", "Vietnam", "Việt Nam", "វៀតណាម"),
    ("KH", "Cambodia", "Campuchia", "កម្ពុជា"),
    ("LA", "Laos", "Lào", "ឡាវ"),
    ("CN", "China", "Trung Quốc", "ចិន"),
    ("TH", "Thailand", "Thái Lan", "ថៃ"),
];

impl CountryCode {
    /// Vietnam.
    pub const VN: CountryCode = CountryCode("VN");

    /// Accepts an alpha-2 code in any case, or an English or Vietnamese country name.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        COUNTRIES
            .iter()
            .find(|(code, en, vi, _)| {
                code.eq_ignore_ascii_case(t) || en.eq_ignore_ascii_case(t) || *vi == t
            })
            .map(|(code, ..)| CountryCode(code))
            .ok_or_else(|| {
                let codes: Vec<&str> = COUNTRIES.iter().map(|c| c.0).collect();
                format!("unknown country {t:?}; expected one of: {}", codes.join(", "))
            })
    }

    /// The code, e.g. `"KH"`.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Names (English, Vietnamese, Khmer).
    pub fn names(self) -> (&'static str, &'static str, &'static str) {
        let c = COUNTRIES.iter().find(|c| c.0 == self.0).expect("CountryCode holds a known code");
        (c.1, c.2, c.3)
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A date known to the year, the month or the day: `2012`, `2007-03`, `2025-12-08`.
/// Sources often give no more than a year; the registry never pads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(value_type = String, example = "2025-12-08")]
pub struct PartialDate(String);

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` and checks the calendar.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let err = || format!("invalid date {t:?}; expected YYYY, YYYY-MM or YYYY-MM-DD");
        let parts: Vec<&str> = t.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, String> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let year = num(parts.first().copied().unwrap_or(""), 4)?;
        if !(1800..=2200).contains(&year) {
            return Err(err());
        }
        match parts.len() {
            1 => {}
            2 => {
                let m = num(parts[1], 2)?;
                if !(1..=12).contains(&m) {
                    return Err(err());
                }
            }
            3 => {
                let m = num(parts[1], 2)?;
                let d = num(parts[2], 2)?;
                let month = time::Month::try_from(u8::try_from(m).map_err(|_| err())?).map_err(|_| err())?;
                time::Date::from_calendar_date(year as i32, month, u8::try_from(d).map_err(|_| err())?)
                    .map_err(|_| err())?;
            }
            _ => return Err(err()),
        }
        Ok(PartialDate(t.to_string()))
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Shown as `dd/mm/yyyy`, `mm/yyyy` or `yyyy` (Vietnamese and English UI alike).
    pub fn display(&self) -> String {
        let p: Vec<&str> = self.0.split('-').collect();
        match p.as_slice() {
            [y, m, d] => format!("{d}/{m}/{y}"),
            [y, m] => format!("{m}/{y}"),
            _ => self.0.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartialDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Opening hours of a gate: the days they apply to and the local times (gate's zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// Days, e.g. `mon-sun`, `mon-fri`, `sat`.
    pub days: String,
    /// Opening time `HH:MM`.
    pub opens: String,
    /// Closing time `HH:MM` (may be earlier than `opens` for hours past midnight).
    pub closes: String,
    /// What the hours apply to, e.g. "passengers".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl OpeningHours {
    /// Checks the day range and the two times; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let days_ok = self.days.split('-').count() <= 2
            && !self.days.is_empty()
            && self.days.split('-').all(|d| DAYS.contains(&d));
        if !days_ok {
            return Err(("days", format!("invalid days {:?}; expected e.g. mon-sun or sat", self.days)));
        }
        for (field, v) in [("opens", &self.opens), ("closes", &self.closes)] {
            let ok = v.len() == 5
                && v.as_bytes()[2] == b':'
                && v[..2].parse::<u8>().is_ok_and(|h| h < 24)
                && v[3..].parse::<u8>().is_ok_and(|m| m < 60);
            if !ok {
                return Err((field, format!("invalid time {v:?}; expected HH:MM")));
            }
        }
        Ok(())
    }
}

/// Lanes of one kind at a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lane {
    /// What the lanes serve.
    pub kind: LaneKind,
    /// How many (1–500).
    pub count: i64,
}

/// One step of a pair's life: status, the date it took effect when known, and why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatusEntry {
    /// Status from this date on.
    pub status: PairStatus,
    /// When, as precise as the source says.
    pub date: Option<PartialDate>,
    /// What happened.
    pub note: Option<String>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// When the registry recorded it (UTC).
    pub recorded_at: String,
}

/// One side's gate as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Gate {
    /// Stable id, e.g. `vn-moc-bai`.
    pub id: String,
    /// Country of this side.
    pub country: CountryCode,
    /// Name as written in the source.
    pub name: String,
    /// Khmer name where known.
    pub name_km: Option<String>,
    /// Province today (after the 2025 Vietnamese merger).
    pub province: Option<String>,
    /// Province before the 2025 merger, when it differs or is all the source gives.
    pub province_old: Option<String>,
    /// Latitude (WGS84), only when a source gives one.
    pub lat: Option<f64>,
    /// Longitude (WGS84).
    pub lon: Option<f64>,
    /// How precise the coordinate is.
    pub coord_precision: Option<CoordPrecision>,
    /// Where the coordinate comes from.
    pub coord_source: Option<String>,
    /// Lanes by kind (empty when unknown).
    pub lanes: Vec<Lane>,
    /// Opening hours (empty when unknown).
    pub opening_hours: Vec<OpeningHours>,
    /// Where the record comes from.
    pub source: String,
}

/// A gate pair in lists.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GatePairSummary {
    /// Stable id, e.g. `moc-bai--bavet`.
    pub id: String,
    /// Vietnamese-side gate name.
    pub gate_a: String,
    /// Id of the Vietnamese-side gate.
    pub gate_a_id: String,
    /// Country of side A.
    pub country_a: CountryCode,
    /// Partner-side gate name, when the source names it.
    pub gate_b: Option<String>,
    /// Id of the partner-side gate.
    pub gate_b_id: Option<String>,
    /// Partner country.
    pub country_b: CountryCode,
    /// Province of side A today.
    pub province_a: Option<String>,
    /// Province of side A before the 2025 merger.
    pub province_a_old: Option<String>,
    /// Province of side B.
    pub province_b: Option<String>,
    /// Class, when stated by the source.
    pub class: Option<GateClass>,
    /// Modes of crossing.
    pub modes: Vec<Mode>,
    /// Latest status.
    pub status: PairStatus,
    /// Date of the latest status, when known.
    pub status_since: Option<PartialDate>,
}

/// A gate pair with both gates and its history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GatePairDetail {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: GatePairSummary,
    /// The source's words on status.
    pub status_note: Option<String>,
    /// Side A (Vietnam).
    pub gate_a_detail: Gate,
    /// Side B, when named.
    pub gate_b_detail: Option<Gate>,
    /// Every status the pair went through, oldest first.
    pub history: Vec<StatusEntry>,
    /// Where the record comes from.
    pub source: String,
    /// Last change (UTC).
    pub updated_at: String,
}

/// A page of results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: i64,
    /// Items per page.
    pub per_page: i64,
    /// Items matching the filter, over all pages.
    pub total: i64,
}

/// Parses a comma or `+` separated list of modes (`road+river`).
pub fn parse_modes(s: &str) -> Result<Vec<Mode>, String> {
    let mut modes = Vec::new();
    for part in s.split([',', '+']).map(str::trim).filter(|p| !p.is_empty()) {
        let m: Mode = part.parse()?;
        if !modes.contains(&m) {
            modes.push(m);
        }
    }
    if modes.is_empty() {
        return Err(format!("no mode given; expected one or more of: {}", Mode::allowed()));
    }
    modes.sort();
    Ok(modes)
}

/// Stored form of a mode list: `road,river`.
pub fn modes_text(modes: &[Mode]) -> String {
    modes.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_keep_their_precision() {
        assert_eq!(PartialDate::parse("2025-12-08").unwrap().display(), "08/12/2025");
        assert_eq!(PartialDate::parse("2007-03").unwrap().display(), "03/2007");
        assert_eq!(PartialDate::parse("2012").unwrap().display(), "2012");
        for bad in ["2025-02-30", "2025-13", "25-01-01", "", "2025-1-1", "abcd", "2025-01-01-01"] {
            assert!(PartialDate::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn countries_parse_from_codes_and_names() {
        assert_eq!(CountryCode::parse("kh").unwrap().as_str(), "KH");
        assert_eq!(CountryCode::parse("Cambodia").unwrap().as_str(), "KH");
        assert_eq!(CountryCode::parse("Campuchia").unwrap().as_str(), "KH");
        assert!(CountryCode::parse("XX").unwrap_err().contains("expected one of"));
    }

    #[test]
    fn modes_accept_the_csv_plus_form() {
        assert_eq!(parse_modes("road+river").unwrap(), vec![Mode::Road, Mode::River]);
        assert!(parse_modes("road+boat").is_err());
        assert!(parse_modes("").is_err());
    }

    #[test]
    fn opening_hours_name_the_wrong_field() {
        let mut h = OpeningHours { days: "mon-sun".into(), opens: "07:00".into(), closes: "22:00".into(), note: None };
        assert!(h.validate().is_ok());
        h.closes = "24:00".into();
        assert_eq!(h.validate().unwrap_err().0, "closes");
        h.days = "weekdays".into();
        assert_eq!(h.validate().unwrap_err().0, "days");
    }

    proptest::proptest! {
        #[test]
        fn partial_date_parse_never_panics(s in ".{0,16}") {
            let _ = PartialDate::parse(&s);
        }
    }
}
