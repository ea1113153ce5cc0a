//! GeoJSON fed to the map renderer never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let extent = geosvg::Extent { min_lon: 97.0, min_lat: 8.0, max_lon: 115.0, max_lat: 25.0 };
    let mut map = geosvg::Map::new(extent, geosvg::Projection::Mercator, 300.0).expect("valid extent");
    let _ = map.add_geojson_layer("l", &v, |_| geosvg::FeatureStyle::default());
    let _ = map.render();
});
