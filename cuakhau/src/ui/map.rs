//! The gate map: country outlines and provinces from `data/geo/`, the gates that have
//! a sourced coordinate, coloured by class, with their precision shown (filled marker:
//! exact; hollow ring: town or district centre). Gates without coordinates are never
//! placed: the page lists them beside the map.
//!
//! Vietnamese rules on territory: Hoàng Sa and Trường Sa are drawn and labelled as
//! Vietnam's wherever the extent covers them. The shipped outlines drop Natural Earth's
//! assignment of the Paracels to China; the islands are drawn here as Vietnamese.

use std::sync::OnceLock;

use geosvg::{Extent, FeatureStyle, Map, MapLabel, MapPoint, PointShape, Projection};

use super::i18n::{text, Lang};
use crate::registry::store::MapEntry;

static COUNTRIES: OnceLock<serde_json::Value> = OnceLock::new();
static PROVINCES: OnceLock<serde_json::Value> = OnceLock::new();

fn geo(cell: &'static OnceLock<serde_json::Value>, bytes: &'static [u8]) -> &'static serde_json::Value {
    cell.get_or_init(|| serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null))
}

/// The map's extent: the shipped outlines (lon 97–112, lat 8–25) widened east to 115
/// so that both archipelagos are in view.
pub const EXTENT: Extent = Extent { min_lon: 97.0, min_lat: 8.0, max_lon: 115.0, max_lat: 25.0 };

/// Islands drawn as Vietnam's: (Vietnamese name, lat, lon). Positions from the islands'
/// Wikipedia articles, to about 0.01°.
pub const ISLANDS: &[(&str, f64, f64, &str)] = &[
    ("Phú Lâm", 16.834, 112.339, "hoang_sa"),
    ("Hoàng Sa", 16.532, 111.608, "hoang_sa"),
    ("Tri Tôn", 15.783, 111.200, "hoang_sa"),
    ("Linh Côn", 16.667, 112.733, "hoang_sa"),
    ("Trường Sa Lớn", 8.644, 111.918, "truong_sa"),
    ("Song Tử Tây", 11.430, 114.330, "truong_sa"),
    ("Ba Bình", 10.377, 114.365, "truong_sa"),
    ("Sinh Tồn", 9.883, 114.330, "truong_sa"),
    ("Nam Yết", 10.180, 114.361, "truong_sa"),
];

const STYLE: &str = "\
.sea{fill:#dbe9f6}\
.country{stroke:#7a8794;stroke-width:.8}\
.country-VN{fill:#fbe7c6}.country-KH{fill:#e3f0da}.country-LA{fill:#e6e1f2}.country-CN{fill:#eeeeee}.country-TH{fill:#f1ece4}\
.province{fill:none;stroke:#9aa6b2;stroke-width:.35;stroke-dasharray:2 1.5}\
.gate .shape-circle,.gate .shape-ring{stroke:#222;stroke-width:1}\
.gate.international .shape-circle{fill:#c62828}.gate.main .shape-circle{fill:#1565c0}.gate.secondary .shape-circle{fill:#2e7d32}.gate.unknown .shape-circle{fill:#757575}\
.gate.international .shape-ring{stroke:#c62828;stroke-width:2.2}.gate.main .shape-ring{stroke:#1565c0;stroke-width:2.2}\
.gate.secondary .shape-ring{stroke:#2e7d32;stroke-width:2.2}.gate.unknown .shape-ring{stroke:#757575;stroke-width:2.2}\
.island .shape-circle{fill:#d84315;stroke:#fff;stroke-width:.6}\
.archipelago{font:600 13px sans-serif;fill:#8a2a0a;stroke:#fff;stroke-width:3px;paint-order:stroke}\
.country-label{font:600 15px sans-serif;fill:#4b5866;stroke:#fff;stroke-width:3px;paint-order:stroke}\
.point-label{font:11px sans-serif;fill:#1b2733;stroke:#fff;stroke-width:3px;paint-order:stroke}";

/// Renders the map as SVG. `precision_label` names a coordinate precision in the page's
/// language (for marker titles).
pub fn render(entries: &[MapEntry], lang: Lang) -> String {
    let mut map = match Map::new(EXTENT, Projection::Mercator, 900.0) {
        Ok(m) => m,
        Err(e) => return format!("<!-- map unavailable: {e} -->"),
    };
    map.set_title(text(lang, "map.title"));
    map.set_style(STYLE);
    let countries = geo(&COUNTRIES, include_bytes!("../../../data/geo/countries.geojson"));
    let provinces = geo(&PROVINCES, include_bytes!("../../../data/geo/provinces.geojson"));
    let name = |props: &serde_json::Map<String, serde_json::Value>| props.get("name").and_then(|v| v.as_str()).map(str::to_string);
    if let Err(e) = map.add_geojson_layer("countries", countries, |p| FeatureStyle {
        class: format!("country country-{}", p.get("iso_a2").and_then(|v| v.as_str()).unwrap_or("XX")),
        title: name(p),
        id: None,
    }) {
        tracing::error!(error = %e, "country outlines unreadable");
    }
    if let Err(e) = map.add_geojson_layer("provinces", provinces, |p| FeatureStyle { class: "province".into(), title: name(p), id: None }) {
        tracing::error!(error = %e, "province outlines unreadable");
    }
    for (code, lat, lon) in [("VN", 21.0, 105.2), ("KH", 12.6, 104.6), ("LA", 19.6, 102.6), ("CN", 24.0, 104.5), ("TH", 15.5, 100.8)] {
        map.add_label(MapLabel { lon, lat, text: text(lang, &format!("country.{code}")).to_string(), class: "country-label".into() });
    }
    for (island, lat, lon, group) in ISLANDS {
        let title = format!("{island} — {}", text(lang, &format!("map.{group}")));
        map.add_point(MapPoint { lon: *lon, lat: *lat, class: "island".into(), title, label: None, href: None, shape: PointShape::Circle, radius: 2.5 });
    }
    map.add_label(MapLabel { lon: 112.0, lat: 17.6, text: text(lang, "map.hoang_sa").to_string(), class: "archipelago".into() });
    map.add_label(MapLabel { lon: 113.0, lat: 12.2, text: text(lang, "map.truong_sa").to_string(), class: "archipelago".into() });
    for e in entries {
        let (Some(lat), Some(lon)) = (e.lat, e.lon) else { continue };
        let exact = e.coord_precision.as_deref() == Some("exact");
        let precision = e.coord_precision.as_deref().map(|p| text(lang, &format!("precision.{p}")).to_string()).unwrap_or_default();
        let class = e.class.as_deref().unwrap_or("unknown");
        let partner = e.gate_b.as_deref().map(|b| format!(" – {b}")).unwrap_or_default();
        map.add_point(MapPoint {
            lon,
            lat,
            class: format!("gate {class}"),
            title: format!("{}{partner} ({}; {precision})", e.gate_a, text(lang, &format!("class.{class}"))),
            label: None,
            href: Some(format!("/pairs/{}", e.pair_id)),
            shape: if exact { PointShape::Circle } else { PointShape::Ring },
            radius: if exact { 5.0 } else { 7.0 },
        });
    }
    map.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, lat: Option<f64>, precision: &str) -> MapEntry {
        MapEntry {
            pair_id: id.into(),
            gate_a: "Mộc Bài".into(),
            gate_b: Some("Bavet".into()),
            country_b: "KH".into(),
            class: Some("international".into()),
            lat,
            lon: lat.map(|_| 106.175),
            coord_precision: Some(precision.into()),
            coord_source: Some("test".into()),
        }
    }

    #[test]
    fn gates_without_coordinates_are_not_placed() {
        let svg = render(&[entry("with", Some(11.077), "exact"), entry("without", None, "exact")], Lang::Vi);
        assert!(svg.contains("/pairs/with"));
        assert!(!svg.contains("/pairs/without"));
    }

    #[test]
    fn precision_is_visible_in_the_marker() {
        let exact = render(&[entry("a", Some(11.077), "exact")], Lang::En);
        let town = render(&[entry("a", Some(11.077), "approx_town")], Lang::En);
        assert!(exact.contains("shape-circle") && exact.contains("Exact"));
        assert!(town.contains("shape-ring") && town.contains("Approximate (town centre)"));
    }

    #[test]
    fn both_archipelagos_are_labelled_as_vietnams() {
        assert!(EXTENT.contains(16.5, 112.0) || EXTENT.contains(112.0, 16.5));
        let svg = render(&[], Lang::Vi);
        assert!(svg.contains("Quần đảo Hoàng Sa (Việt Nam)"));
        assert!(svg.contains("Quần đảo Trường Sa (Việt Nam)"));
        let en = render(&[], Lang::En);
        assert!(en.contains("Hoàng Sa archipelago (Vietnam)"));
    }
}
