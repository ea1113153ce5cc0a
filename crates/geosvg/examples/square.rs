//! Prints a small SVG map: a square with a hole, a line, a marker and a label.
//!
//! Run with `cargo run --example square > square.svg`.

use geosvg::{Extent, FeatureStyle, Map, MapLabel, MapPoint, PointShape, Projection};
use serde_json::json;

fn main() -> Result<(), geosvg::MapError> {
    let mut map = Map::new(
        Extent::new(0.0, 0.0, 10.0, 10.0),
        Projection::Equirectangular,
        360.0,
    )?;
    map.set_title("A square with a hole");
    map.set_style(
        ".land{fill:#e8e4d8;stroke:#888;stroke-width:1} .road{stroke:#c60;stroke-width:2} \
         .gate{fill:#c00} .point-label,.name{font:14px sans-serif;stroke:#fff;stroke-width:3}",
    );
    let land = json!({
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Square"},
                "geometry": {"type": "Polygon", "coordinates": [
                    [[1, 1], [9, 1], [9, 9], [1, 9], [1, 1]],
                    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
                ]}
            },
            {
                "type": "Feature",
                "properties": {"name": "Road"},
                "geometry": {"type": "LineString", "coordinates": [[0, 2], [12, 8]]}
            }
        ]
    });
    map.add_geojson_layer("land", &land, |props| {
        let name = props
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        FeatureStyle {
            class: if name == "Road" { "road" } else { "land" }.to_owned(),
            title: Some(name.to_owned()),
            id: None,
        }
    })?;
    map.add_point(MapPoint {
        lon: 2.5,
        lat: 7.5,
        class: "gate".to_owned(),
        title: "A gate".to_owned(),
        label: Some("Gate".to_owned()),
        href: Some("#gate".to_owned()),
        shape: PointShape::Diamond,
        radius: 6.0,
    });
    map.add_label(MapLabel {
        lon: 5.0,
        lat: 0.5,
        text: "Square & hole".to_owned(),
        class: "name".to_owned(),
    });
    println!("{}", map.render());
    Ok(())
}
