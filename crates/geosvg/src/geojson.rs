//! Validation of GeoJSON (RFC 7946) structure into plain coordinate lists.
//!
//! Every error names the JSON path of the offending value, e.g.
//! `features[3].geometry.coordinates: expected array of rings`.

use serde_json::{Map as JsonMap, Value};

use crate::MapError;

/// A (lon, lat) position in degrees.
pub(crate) type Pos = (f64, f64);

/// GeometryCollections may not nest deeper than this (RFC 7946 says they
/// SHOULD NOT nest at all).
const MAX_COLLECTION_DEPTH: usize = 4;

/// The coordinates of one feature, grouped by how they are drawn.
#[derive(Debug, Default)]
pub(crate) struct Shapes {
    /// Polygons: first ring is the exterior, the others are holes.
    pub polygons: Vec<Vec<Vec<Pos>>>,
    /// Open polylines.
    pub lines: Vec<Vec<Pos>>,
    /// Single positions.
    pub points: Vec<Pos>,
    /// Bounding box (min_lon, min_lat, max_lon, max_lat) of every position.
    pub bbox: Option<(f64, f64, f64, f64)>,
}

impl Shapes {
    fn include(&mut self, p: Pos) {
        self.bbox = Some(match self.bbox {
            None => (p.0, p.1, p.0, p.1),
            Some((a, b, c, d)) => (a.min(p.0), b.min(p.1), c.max(p.0), d.max(p.1)),
        });
    }
}

/// One feature to draw: its properties (if any) and coordinates.
#[derive(Debug)]
pub(crate) struct Feature<'a> {
    pub properties: Option<&'a JsonMap<String, Value>>,
    pub shapes: Shapes,
}

fn err(path: &str, message: impl Into<String>) -> MapError {
    MapError::InvalidGeoJson {
        path: if path.is_empty() {
            "(root)".to_owned()
        } else {
            path.to_owned()
        },
        message: message.into(),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn type_of<'a>(obj: &'a JsonMap<String, Value>, path: &str) -> Result<&'a str, MapError> {
    match obj.get("type") {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(err(
            &join(path, "type"),
            format!("expected a string, found {}", describe(other)),
        )),
        None => Err(err(path, "missing \"type\"")),
    }
}

/// Parses the top-level value into the features it contains.
pub(crate) fn parse(root: &Value) -> Result<Vec<Feature<'_>>, MapError> {
    let obj = root.as_object().ok_or_else(|| {
        err(
            "",
            format!("expected a GeoJSON object, found {}", describe(root)),
        )
    })?;
    match type_of(obj, "")? {
        "FeatureCollection" => {
            let features = match obj.get("features") {
                Some(Value::Array(a)) => a,
                Some(other) => {
                    return Err(err(
                        "features",
                        format!("expected array of features, found {}", describe(other)),
                    ))
                }
                None => return Err(err("", "FeatureCollection without \"features\"")),
            };
            features
                .iter()
                .enumerate()
                .map(|(i, f)| parse_feature(f, &format!("features[{i}]")))
                .collect()
        }
        "Feature" => Ok(vec![parse_feature(root, "")?]),
        _ => {
            let mut shapes = Shapes::default();
            parse_geometry(root, "", 0, &mut shapes)?;
            Ok(vec![Feature {
                properties: None,
                shapes,
            }])
        }
    }
}

fn parse_feature<'a>(v: &'a Value, path: &str) -> Result<Feature<'a>, MapError> {
    let obj = v.as_object().ok_or_else(|| {
        err(
            path,
            format!("expected a Feature object, found {}", describe(v)),
        )
    })?;
    let ty = type_of(obj, path)?;
    if ty != "Feature" {
        return Err(err(
            &join(path, "type"),
            format!("expected \"Feature\", found {ty:?}"),
        ));
    }
    let properties = match obj.get("properties") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(other) => {
            return Err(err(
                &join(path, "properties"),
                format!("expected object or null, found {}", describe(other)),
            ))
        }
    };
    let mut shapes = Shapes::default();
    match obj.get("geometry") {
        None => return Err(err(path, "missing \"geometry\" (use null for none)")),
        Some(Value::Null) => {}
        Some(g) => parse_geometry(g, &join(path, "geometry"), 0, &mut shapes)?,
    }
    Ok(Feature { properties, shapes })
}

fn parse_geometry(v: &Value, path: &str, depth: usize, out: &mut Shapes) -> Result<(), MapError> {
    let obj = v.as_object().ok_or_else(|| {
        err(
            path,
            format!("expected a geometry object, found {}", describe(v)),
        )
    })?;
    let ty = type_of(obj, path)?;
    if ty == "GeometryCollection" {
        if depth >= MAX_COLLECTION_DEPTH {
            return Err(err(path, "GeometryCollections nested too deeply"));
        }
        let gpath = join(path, "geometries");
        let Some(Value::Array(geoms)) = obj.get("geometries") else {
            return Err(err(&gpath, "expected array of geometries"));
        };
        for (i, g) in geoms.iter().enumerate() {
            parse_geometry(g, &format!("{gpath}[{i}]"), depth + 1, out)?;
        }
        return Ok(());
    }
    let cpath = join(path, "coordinates");
    let coords = obj
        .get("coordinates")
        .ok_or_else(|| err(path, "missing \"coordinates\""))?;
    match ty {
        "Point" => {
            let p = position(coords, &cpath)?;
            out.include(p);
            out.points.push(p);
        }
        "MultiPoint" => {
            for p in positions(coords, &cpath, "expected array of positions")? {
                out.include(p);
                out.points.push(p);
            }
        }
        "LineString" => {
            let line = positions(coords, &cpath, "expected array of positions")?;
            line.iter().for_each(|&p| out.include(p));
            out.lines.push(line);
        }
        "MultiLineString" => {
            for (i, l) in array(coords, &cpath, "expected array of line strings")?
                .iter()
                .enumerate()
            {
                let line = positions(l, &format!("{cpath}[{i}]"), "expected array of positions")?;
                line.iter().for_each(|&p| out.include(p));
                out.lines.push(line);
            }
        }
        "Polygon" => {
            let poly = rings(coords, &cpath)?;
            poly.iter().flatten().for_each(|&p| out.include(p));
            out.polygons.push(poly);
        }
        "MultiPolygon" => {
            for (i, p) in array(coords, &cpath, "expected array of polygons")?
                .iter()
                .enumerate()
            {
                let poly = rings(p, &format!("{cpath}[{i}]"))?;
                poly.iter().flatten().for_each(|&p| out.include(p));
                out.polygons.push(poly);
            }
        }
        other => {
            return Err(err(
                &join(path, "type"),
                format!("unsupported geometry type {other:?}"),
            ))
        }
    }
    Ok(())
}

fn array<'a>(v: &'a Value, path: &str, what: &str) -> Result<&'a Vec<Value>, MapError> {
    match v {
        Value::Array(a) => Ok(a),
        other => Err(err(path, format!("{what}, found {}", describe(other)))),
    }
}

fn position(v: &Value, path: &str) -> Result<Pos, MapError> {
    if let Value::Array(a) = v {
        if let [Value::Number(lon), Value::Number(lat), ..] = a.as_slice() {
            if let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64()) {
                return Ok((lon, lat));
            }
        }
    }
    Err(err(path, "expected [lon, lat] position"))
}

fn positions(v: &Value, path: &str, what: &str) -> Result<Vec<Pos>, MapError> {
    array(v, path, what)?
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{path}[{i}]")))
        .collect()
}

fn rings(v: &Value, path: &str) -> Result<Vec<Vec<Pos>>, MapError> {
    array(v, path, "expected array of rings")?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            positions(
                r,
                &format!("{path}[{i}]"),
                "expected array of positions (a ring)",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(v: Value) -> String {
        parse(&v).unwrap_err().to_string()
    }

    #[test]
    fn error_paths_name_the_problem() {
        let fc = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
            {"type": "Feature", "properties": null, "geometry": null},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": 7}}
        ]});
        assert_eq!(
            msg(fc),
            "features[3].geometry.coordinates: expected array of rings, found a number"
        );
        assert_eq!(
            msg(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, "x"]]]})),
            "coordinates[0][1]: expected [lon, lat] position"
        );
        assert_eq!(
            msg(json!([1, 2])),
            "(root): expected a GeoJSON object, found an array"
        );
        assert_eq!(
            msg(json!({"type": "Circle", "coordinates": []})),
            "type: unsupported geometry type \"Circle\""
        );
        assert_eq!(msg(json!({"coordinates": []})), "(root): missing \"type\"");
        assert_eq!(
            msg(json!({"type": "Feature", "properties": 3, "geometry": null})),
            "properties: expected object or null, found a number"
        );
        assert_eq!(
            msg(json!({"type": "MultiPolygon", "coordinates": [[[[0, 0]]], 5]})),
            "coordinates[1]: expected array of rings, found a number"
        );
    }

    #[test]
    fn collections_nest_only_so_deep() {
        let mut g = json!({"type": "Point", "coordinates": [0, 0]});
        for _ in 0..MAX_COLLECTION_DEPTH {
            g = json!({"type": "GeometryCollection", "geometries": [g]});
        }
        assert_eq!(parse(&g).unwrap()[0].shapes.points.len(), 1);
        let g = json!({"type": "GeometryCollection", "geometries": [g]});
        assert!(msg(g).contains("nested too deeply"));
    }

    #[test]
    fn bbox_covers_all_positions() {
        let v = json!({"type": "MultiLineString", "coordinates": [[[1, 5], [3, -2]], [[-4, 0], [0, 9]]]});
        assert_eq!(
            parse(&v).unwrap()[0].shapes.bbox,
            Some((-4.0, -2.0, 3.0, 9.0))
        );
    }
}
