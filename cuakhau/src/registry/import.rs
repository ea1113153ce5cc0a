//! Reading the gate-pair reference CSV (`data/gates.csv`, the format of
//! `../shared/data/gates.csv`) into validated rows. Pure: no I/O beyond the reader it is
//! given, so every rule here is unit-tested; [`super::store::import`] writes the rows.
//!
//! A row that fails is *rejected* with its line number and the reason; the caller
//! decides whether any rejection aborts the whole import (the default) or the valid
//! rows go in (`--skip-invalid`).

use serde::Serialize;

use super::model::{parse_modes, CoordPrecision, CountryCode, GateClass, Mode, PairStatus, PartialDate};

/// The columns the file must have (extra columns are ignored).
pub const COLUMNS: [&str; 16] = [
    "country_a", "gate_a", "province_a", "province_a_new", "country_b", "gate_b", "province_b", "class",
    "mode", "status", "opened", "lat", "lon", "coord_precision", "coord_source", "source",
];

/// One gate pair as the CSV describes it, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// Side A (Vietnam in the shipped data).
    pub country_a: CountryCode,
    /// Side A gate name.
    pub gate_a: String,
    /// Side A province as the source names it (before the 2025 merger).
    pub province_a_old: Option<String>,
    /// Side A province after the 2025 merger.
    pub province_a_new: Option<String>,
    /// Partner country.
    pub country_b: CountryCode,
    /// Partner gate name, when the source has one.
    pub gate_b: Option<String>,
    /// Partner province, when the source has one.
    pub province_b: Option<String>,
    /// Class, when stated.
    pub class: Option<GateClass>,
    /// Modes.
    pub modes: Vec<Mode>,
    /// The status history the row implies, oldest first (at least one entry).
    pub history: Vec<(PairStatus, Option<PartialDate>)>,
    /// The source's own words on status.
    pub status_note: String,
    /// Coordinates of side A with precision and source.
    pub coords: Option<Coords>,
    /// Where the row comes from.
    pub source: String,
}

/// A coordinate with its precision and source.
#[derive(Debug, Clone, PartialEq)]
pub struct Coords {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Precision.
    pub precision: CoordPrecision,
    /// Source.
    pub source: String,
}

/// A rejected row: where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// 1-based line in the file.
    pub line: u64,
    /// The column at fault, when one is.
    pub field: Option<String>,
    /// Why, in one sentence.
    pub reason: String,
}

/// The outcome of reading a file: valid rows and rejections.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Rows that passed validation.
    pub rows: Vec<PairRow>,
    /// Rows that did not.
    pub rejected: Vec<Rejection>,
}

/// Reads a whole CSV. A missing column in the header rejects the file as line 1.
pub fn parse_csv(input: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.rejected.push(Rejection { line: 1, field: None, reason: format!("unreadable header: {e}") });
            return out;
        }
    };
    let mut index = [0usize; 16];
    for (i, col) in COLUMNS.iter().enumerate() {
        match headers.iter().position(|h| h.trim() == *col) {
            Some(p) => index[i] = p,
            None => {
                out.rejected.push(Rejection {
                    line: 1,
                    field: Some((*col).to_string()),
                    reason: format!("the header has no column {col:?}"),
                });
            }
        }
    }
    if !out.rejected.is_empty() {
        return out;
    }
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.rejected.push(Rejection { line, field: None, reason: format!("unreadable row: {e}") });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() < headers.len() {
            out.rejected.push(Rejection {
                line,
                field: None,
                reason: format!("expected {} columns, found {}", headers.len(), record.len()),
            });
            continue;
        }
        let get = |col: usize| record.get(index[col]).unwrap_or("").trim();
        let cells: [&str; 16] = std::array::from_fn(get);
        match parse_row(line, &cells) {
            Ok(row) => out.rows.push(row),
            Err((field, reason)) => out.rejected.push(Rejection { line, field: Some(field.to_string()), reason }),
        }
    }
    out
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Validates one row's cells (in [`COLUMNS`] order).
pub fn parse_row(line: u64, c: &[&str; 16]) -> Result<PairRow, (&'static str, String)> {
    let [country_a, gate_a, province_a, province_a_new, country_b, gate_b, province_b, class, mode, status, opened, lat, lon, precision, coord_source, source] =
        *c;
    let country_a = CountryCode::parse(country_a).map_err(|e| ("country_a", e))?;
    let country_b = CountryCode::parse(country_b).map_err(|e| ("country_b", e))?;
    if country_a == country_b {
        return Err(("country_b", "both sides are in the same country".into()));
    }
    if gate_a.is_empty() {
        return Err(("gate_a", "the gate name is empty".into()));
    }
    let class = match class {
        "" => None,
        c => Some(c.parse::<GateClass>().map_err(|e| ("class", e))?),
    };
    let modes = parse_modes(mode).map_err(|e| ("mode", e))?;
    let opened = match opened {
        "" => None,
        d => Some(PartialDate::parse(d).map_err(|e| ("opened", e))?),
    };
    let history = status_history(status, opened).map_err(|e| ("status", e))?;
    let coords = match (lat, lon) {
        ("", "") => None,
        (la, lo) => {
            let lat: f64 = la.parse().map_err(|_| ("lat", format!("invalid latitude {la:?}")))?;
            let lon: f64 = lo.parse().map_err(|_| ("lon", format!("invalid longitude {lo:?}")))?;
            if !(-90.0..=90.0).contains(&lat) {
                return Err(("lat", format!("latitude {lat} is outside -90..90")));
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err(("lon", format!("longitude {lon} is outside -180..180")));
            }
            let precision = precision.parse().map_err(|e| ("coord_precision", e))?;
            if coord_source.is_empty() {
                return Err(("coord_source", "a coordinate needs its source".into()));
            }
            Some(Coords { lat, lon, precision, source: coord_source.to_string() })
        }
    };
    if source.is_empty() {
        return Err(("source", "every record needs its source".into()));
    }
    Ok(PairRow {
        line,
        country_a,
        gate_a: gate_a.to_string(),
        province_a_old: opt(province_a),
        province_a_new: opt(province_a_new).or_else(|| opt(province_a)),
        country_b,
        gate_b: opt(gate_b),
        province_b: opt(province_b).map(|p| clean_province(&p)),
        class,
        modes,
        history,
        status_note: status.to_string(),
        coords,
        source: source.to_string(),
    })
}

/// The status history a row's free-text status and opening date imply.
///
/// The source writes status as prose ("operating; upgraded national->international …").
/// Only what it states plainly is taken: `planned…` is planned; `operating…` is
/// operating since the `opened` date; an `upgraded` that comes with an `opened` date
/// is read as "operating (date unknown), then upgraded on that date".
pub fn status_history(status: &str, opened: Option<PartialDate>) -> Result<Vec<(PairStatus, Option<PartialDate>)>, String> {
    let s = status.trim().to_lowercase();
    if s.starts_with("planned") {
        return Ok(vec![(PairStatus::Planned, opened)]);
    }
    if !s.starts_with("operating") {
        return Err(format!("status {status:?} must start with \"operating\" or \"planned\""));
    }
    let upgraded = s.split(|c: char| !c.is_alphanumeric()).any(|w| w == "upgraded");
    Ok(match (upgraded, opened) {
        (true, Some(d)) => vec![(PairStatus::Operating, None), (PairStatus::Upgraded, Some(d))],
        (_, d) => vec![(PairStatus::Operating, d)],
    })
}

/// `"Tbong Khmum (formerly Kampong Cham)"` → `"Tbong Khmum"`: the former name is a
/// note in the source, not part of the province's name.
pub fn clean_province(name: &str) -> String {
    match name.find(" (formerly") {
        Some(i) => name[..i].trim().to_string(),
        None => name.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "country_a,gate_a,province_a,province_a_new,country_b,gate_b,province_b,class,mode,status,opened,lat,lon,coord_precision,coord_source,source\n";

    #[test]
    fn the_shipped_file_has_86_valid_pairs() {
        let parsed = parse_csv(include_bytes!("../../../data/gates.csv"));
        assert_eq!(parsed.rejected, vec![]);
        assert_eq!(parsed.rows.len(), 86);
        let kh = parsed.rows.iter().filter(|r| r.country_b.as_str() == "KH").count();
        assert_eq!(kh, 35);
        let tan_nam = parsed.rows.iter().find(|r| r.gate_a == "Tân Nam").unwrap();
        assert_eq!(tan_nam.class, Some(GateClass::International));
        assert_eq!(tan_nam.history, vec![(PairStatus::Operating, Some(PartialDate::parse("2025-12-08").unwrap()))]);
        let with_coords = parsed.rows.iter().filter(|r| r.coords.is_some()).count();
        assert_eq!(with_coords, 18);
    }

    #[test]
    fn a_short_row_is_rejected_with_its_line() {
        let csv = format!("{HEADER}Vietnam,Mộc Bài,Tây Ninh\n");
        let parsed = parse_csv(csv.as_bytes());
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.rejected.len(), 1);
        assert_eq!(parsed.rejected[0].line, 2);
        assert!(parsed.rejected[0].reason.contains("expected 16 columns, found 3"));
    }

    #[test]
    fn bad_cells_name_their_column() {
        let good = "Vietnam,Mộc Bài,Tây Ninh,Tây Ninh,Cambodia,Bavet,Svay Rieng,international,road,operating,,,,,,src";
        let cases = [
            (good.replace("international", "huge"), "class"),
            (good.replace("Cambodia", "Atlantis"), "country_b"),
            (good.replace(",road,", ",air,"), "mode"),
            (good.replace(",operating,", ",closed,"), "status"),
            (good.replace(",src", ","), "source"),
            (good.replace("operating,,,,,,", "operating,2025-02-30,,,,,"), "opened"),
            (good.replace("operating,,,,,,", "operating,,95,106,exact,x,"), "lat"),
            (good.replace("operating,,,,,,", "operating,,11,106,guess,x,"), "coord_precision"),
        ];
        for (row, field) in cases {
            let parsed = parse_csv(format!("{HEADER}{row}\n").as_bytes());
            assert_eq!(parsed.rejected.len(), 1, "{row}");
            assert_eq!(parsed.rejected[0].field.as_deref(), Some(field), "{row}");
        }
        assert_eq!(parse_csv(format!("{HEADER}{good}\n").as_bytes()).rows.len(), 1);
    }

    #[test]
    fn a_missing_header_column_rejects_the_file() {
        let parsed = parse_csv(b"country_a,gate_a\nVietnam,X\n");
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.rejected[0].line, 1);
    }

    #[test]
    fn upgraded_with_a_date_becomes_two_steps() {
        let d = PartialDate::parse("2007-03").ok();
        let h = status_history("operating; upgraded national->international", d.clone()).unwrap();
        assert_eq!(h, vec![(PairStatus::Operating, None), (PairStatus::Upgraded, d)]);
        assert_eq!(status_history("planned (by 2050)", None).unwrap()[0].0, PairStatus::Planned);
    }

    #[test]
    fn former_province_names_are_notes() {
        assert_eq!(clean_province("Tbong Khmum (formerly Kampong Cham)"), "Tbong Khmum");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let mut input = HEADER.as_bytes().to_vec();
            input.extend(bytes);
            let _ = parse_csv(&input);
        }
    }
}
