//! Property tests: arbitrary text never breaks the markup, arbitrary JSON
//! never panics, and output numbers are always finite.

use geosvg::{Extent, FeatureStyle, Map, MapLabel, MapPoint, PointShape, Projection};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A tiny well-formedness checker for the subset of XML this crate emits:
/// elements with double-quoted attributes, text, and entity references.
/// Returns a description of the first problem found.
fn check_well_formed(s: &str) -> Result<(), String> {
    fn check_entities(text: &str, ctx: &str) -> Result<(), String> {
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            rest = &rest[i..];
            let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| rest.starts_with(e));
            if !ok {
                return Err(format!(
                    "bare & in {ctx}: {:?}",
                    &rest[..rest.len().min(20)]
                ));
            }
            rest = &rest[1..];
        }
        Ok(())
    }
    fn is_name(n: &str) -> bool {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_')
    }

    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    let b = s.as_bytes();
    while i < b.len() {
        if b[i] == b'<' {
            let end = s[i..].find('>').ok_or("unterminated tag")? + i;
            let tag = &s[i + 1..end];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("close </{name}> without open"))?;
                if open != name {
                    return Err(format!("</{name}> closes <{open}>"));
                }
            } else {
                let (tag, self_closing) = match tag.strip_suffix('/') {
                    Some(t) => (t, true),
                    None => (tag, false),
                };
                let name_end = tag.find(' ').unwrap_or(tag.len());
                let name = &tag[..name_end];
                if !is_name(name) {
                    return Err(format!("bad element name {name:?}"));
                }
                // Attributes: ( name="value")*
                let mut attrs = &tag[name_end..];
                let mut seen = Vec::new();
                while !attrs.is_empty() {
                    let a = attrs
                        .strip_prefix(' ')
                        .ok_or(format!("junk in <{name}>: {attrs:?}"))?;
                    let eq = a
                        .find("=\"")
                        .ok_or(format!("attribute without value in <{name}>"))?;
                    let an = &a[..eq];
                    if !is_name(an) {
                        return Err(format!("bad attribute name {an:?}"));
                    }
                    if seen.contains(&an) {
                        return Err(format!("duplicate attribute {an}"));
                    }
                    seen.push(an);
                    let v = &a[eq + 2..];
                    let close = v.find('"').ok_or("unterminated attribute")?;
                    let value = &v[..close];
                    if value.contains('<') {
                        return Err(format!("< in attribute {an}"));
                    }
                    check_entities(value, an)?;
                    attrs = &v[close + 1..];
                }
                if stack.is_empty() {
                    roots += 1;
                }
                if !self_closing {
                    stack.push(name);
                }
            }
            i = end + 1;
        } else {
            let end = s[i..].find('<').map_or(b.len(), |j| j + i);
            let text = &s[i..end];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            if text.contains('>') && stack.last() != Some(&"style") {
                return Err(format!("raw > in text {text:?}"));
            }
            check_entities(text, "text")?;
            for c in text.chars() {
                let ok = matches!(c, '\t' | '\n' | '\r')
                    || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
                if !ok {
                    return Err(format!("forbidden char {c:?}"));
                }
            }
            i = end;
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// Every number in the output is finite (no `NaN`, `inf`).
fn numbers_finite(svg: &str) -> bool {
    !svg.contains("NaN") && !svg.contains("inf")
}

fn base_map() -> Map {
    Map::new(
        Extent::new(102.0, 8.0, 110.0, 23.5),
        Projection::Equirectangular,
        360.0,
    )
    .unwrap()
}

#[test]
fn checker_rejects_broken_markup() {
    assert!(check_well_formed("<svg><g></g></svg>").is_ok());
    assert!(check_well_formed("<svg><g></svg>").is_err());
    assert!(check_well_formed("<svg>a & b</svg>").is_err());
    assert!(check_well_formed("<svg a=\"<\"/>").is_err());
    assert!(check_well_formed("<svg/><svg/>").is_err());
    assert!(check_well_formed("<svg><text>a<b</text></svg>").is_err());
}

#[test]
fn example_output_is_well_formed() {
    let mut m = base_map();
    m.set_title("t");
    m.set_style("a > b { fill: red }");
    let geo = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPolygon", "coordinates": [
            [[[100, 5], [120, 5], [120, 30], [100, 30], [100, 5]], [[104, 10], [106, 10], [106, 12], [104, 10]]]
        ]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection", "geometries": [
            {"type": "LineString", "coordinates": [[90, 0], [120, 30]]},
            {"type": "MultiPoint", "coordinates": [[105, 15], [106, 16]]}
        ]}}
    ]});
    assert_eq!(
        m.add_geojson_layer("a", &geo, |_| FeatureStyle::class("c"))
            .unwrap(),
        2
    );
    for shape in [
        PointShape::Circle,
        PointShape::Square,
        PointShape::Diamond,
        PointShape::Triangle,
        PointShape::Ring,
    ] {
        m.add_point(MapPoint {
            lon: 105.0,
            lat: 20.0,
            shape,
            label: Some("x".into()),
            href: Some("/x".into()),
            ..Default::default()
        });
    }
    m.add_label(MapLabel {
        lon: 105.0,
        lat: 10.0,
        text: "Trường Sa".into(),
        class: "l".into(),
    });
    let svg = m.render();
    check_well_formed(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
}

/// Arbitrary JSON, biased towards GeoJSON keys and type names so that the
/// generator reaches deep into the parser.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)), // NaN/inf become null
        (-200.0f64..200.0).prop_map(|f| json!(f)),
        prop_oneof![
            Just("FeatureCollection"),
            Just("Feature"),
            Just("Point"),
            Just("MultiPoint"),
            Just("LineString"),
            Just("MultiLineString"),
            Just("Polygon"),
            Just("MultiPolygon"),
            Just("GeometryCollection"),
        ]
        .prop_map(|s| json!(s)),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 6, |inner| {
        let key = prop_oneof![
            Just("type".to_owned()),
            Just("features".to_owned()),
            Just("geometry".to_owned()),
            Just("geometries".to_owned()),
            Just("coordinates".to_owned()),
            Just("properties".to_owned()),
            "[a-z]{1,3}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A structurally valid FeatureCollection with random coordinates.
fn arb_collection() -> impl Strategy<Value = Value> {
    let coord = prop_oneof![
        4 => (95.0f64..115.0, 0.0f64..30.0),
        1 => (any::<f64>(), any::<f64>()).prop_filter("finite", |(a, b)| a.is_finite() && b.is_finite()),
    ]
    .prop_map(|(a, b)| json!([a, b]));
    let ring = prop::collection::vec(coord.clone(), 0..12).prop_map(Value::Array);
    let geometry = prop_oneof![
        prop::collection::vec(ring.clone(), 0..3)
            .prop_map(|r| json!({"type": "Polygon", "coordinates": r})),
        prop::collection::vec(prop::collection::vec(ring.clone(), 0..3), 0..3)
            .prop_map(|p| json!({"type": "MultiPolygon", "coordinates": p})),
        ring.clone()
            .prop_map(|l| json!({"type": "LineString", "coordinates": l})),
        coord.prop_map(|c| json!({"type": "Point", "coordinates": c})),
        Just(Value::Null),
    ];
    prop::collection::vec(geometry, 0..6).prop_map(|gs| {
        let features: Vec<Value> = gs
            .into_iter()
            .map(|g| json!({"type": "Feature", "properties": {"name": "x"}, "geometry": g}))
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    })
}

fn arb_projection() -> impl Strategy<Value = Projection> {
    prop_oneof![
        Just(Projection::Equirectangular),
        Just(Projection::Mercator)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json(), proj in arb_projection()) {
        let mut m = Map::new(Extent::new(102.0, 8.0, 110.0, 23.5), proj, 360.0).unwrap();
        match m.add_geojson_layer("l", &v, |_| FeatureStyle::class("c")) {
            Ok(_) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let svg = m.render();
        prop_assert!(numbers_finite(&svg));
        check_well_formed(&svg).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn valid_geojson_renders_well_formed(v in arb_collection(), proj in arb_projection()) {
        let mut m = Map::new(Extent::new(102.0, 8.0, 110.0, 23.5), proj, 360.0).unwrap();
        let n = m.add_geojson_layer("l", &v, |p| FeatureStyle {
            class: "c".into(),
            title: p.get("name").and_then(Value::as_str).map(str::to_owned),
            id: None,
        }).unwrap();
        let svg = m.render();
        prop_assert!(n <= v["features"].as_array().map_or(0, Vec::len));
        prop_assert_eq!(svg.matches("<title>").count(), n);
        prop_assert!(numbers_finite(&svg));
        check_well_formed(&svg).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&svg, &m.render());
    }

    #[test]
    fn arbitrary_text_is_always_escaped(
        title in any::<String>(),
        label in "[<>&\"' a-z\\x00-\\x1f]{0,12}",
        class in any::<String>(),
        href in any::<String>(),
        css in any::<String>(),
    ) {
        let mut m = base_map();
        m.set_title(&title);
        m.set_style(&css);
        m.add_geojson_layer(&class, &json!({"type": "Polygon", "coordinates": [[[103, 9], [104, 9], [104, 10], [103, 9]]]}),
            |_| FeatureStyle { class: class.clone(), title: Some(title.clone()), id: Some(label.clone()) }).unwrap();
        m.add_point(MapPoint {
            lon: 105.0, lat: 15.0, class: class.clone(), title: title.clone(),
            label: Some(label.clone()), href: Some(href.clone()), ..Default::default()
        });
        m.add_label(MapLabel { lon: 106.0, lat: 16.0, text: label.clone(), class: class.clone() });
        let svg = m.render();
        check_well_formed(&svg).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn arbitrary_numbers_never_panic(
        lon in any::<f64>(), lat in any::<f64>(), radius in any::<f64>(),
        w in any::<f64>(), e in (any::<f64>(), any::<f64>(), any::<f64>(), any::<f64>()),
        proj in arb_projection(),
    ) {
        if let Ok(mut m) = Map::new(Extent::new(e.0, e.1, e.2, e.3), proj, w) {
            prop_assert!(m.width() > 0.0 && m.height() > 0.0 && m.height().is_finite());
            m.add_point(MapPoint { lon, lat, radius, label: Some("l".into()), ..Default::default() });
            m.add_label(MapLabel { lon, lat, text: "t".into(), class: String::new() });
            let _ = m.project(lon, lat);
            let svg = m.render();
            prop_assert!(numbers_finite(&svg));
            check_well_formed(&svg).map_err(TestCaseError::fail)?;
        }
        let mut m = base_map();
        m.add_point(MapPoint { lon, lat, radius, shape: PointShape::Triangle, ..Default::default() });
        let svg = m.render();
        prop_assert!(numbers_finite(&svg));
        check_well_formed(&svg).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn deeply_nested_junk_is_an_error_not_a_panic() {
    let mut v = json!([1, 2]);
    for _ in 0..500 {
        v = json!([v]);
    }
    let mut m = base_map();
    for geo in [
        json!({"type": "Polygon", "coordinates": v.clone()}),
        json!({"type": "MultiPolygon", "coordinates": v.clone()}),
        json!({"type": "FeatureCollection", "features": v.clone()}),
        v.clone(),
    ] {
        assert!(m
            .add_geojson_layer("l", &geo, |_| FeatureStyle::default())
            .is_err());
    }
    let mut g = json!({"type": "Point", "coordinates": [105, 15]});
    for _ in 0..200 {
        g = json!({"type": "GeometryCollection", "geometries": [g]});
    }
    let e = m
        .add_geojson_layer("l", &g, |_| FeatureStyle::default())
        .unwrap_err();
    assert!(e.to_string().contains("nested too deeply"), "{e}");
    for empty in [
        json!({}),
        json!([]),
        json!({"type": "FeatureCollection", "features": []}),
        json!({"type": "Polygon", "coordinates": []}),
    ] {
        let _ = m.add_geojson_layer("l", &empty, |_| FeatureStyle::default());
    }
    check_well_formed(&m.render()).unwrap();
}
