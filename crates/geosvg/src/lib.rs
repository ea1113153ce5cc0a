#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod geojson;
mod geom;
mod xml;

use serde_json::Value;

use geom::{IPt, Pt, Rect};
use xml::{escape, escape_into, num, write_num};

/// Largest absolute latitude, in degrees, an [`Extent`] may reach.
pub const MAX_LATITUDE: f64 = 85.0;

/// Radius used for a [`MapPoint`] whose radius is not a finite number > 0.
pub const DEFAULT_POINT_RADIUS: f64 = 4.0;

/// Latitudes are clamped to ±this before the Mercator formula, which is
/// infinite at the poles.
const MERCATOR_LAT_LIMIT: f64 = 89.9;

/// A geographic bounding box in degrees (WGS 84 longitude/latitude): the
/// part of the world the map shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    /// Western edge (degrees east).
    pub min_lon: f64,
    /// Southern edge (degrees north).
    pub min_lat: f64,
    /// Eastern edge (degrees east).
    pub max_lon: f64,
    /// Northern edge (degrees north).
    pub max_lat: f64,
}

impl Extent {
    /// Creates an extent from its west, south, east and north edges.
    pub fn new(min_lon: f64, min_lat: f64, max_lon: f64, max_lat: f64) -> Self {
        Extent {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }
    }

    /// Is (`lon`, `lat`) inside the extent, edges included? `false` for NaN.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        lon >= self.min_lon && lon <= self.max_lon && lat >= self.min_lat && lat <= self.max_lat
    }

    fn intersects(&self, (w, s, e, n): (f64, f64, f64, f64)) -> bool {
        w <= self.max_lon && e >= self.min_lon && s <= self.max_lat && n >= self.min_lat
    }

    fn validate(&self) -> Result<(), MapError> {
        let Extent {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        } = *self;
        let bad = |why: &str| Err(MapError::InvalidExtent(why.to_owned()));
        if ![min_lon, min_lat, max_lon, max_lat]
            .iter()
            .all(|v| v.is_finite())
        {
            return bad("every edge must be a finite number");
        }
        if min_lon >= max_lon {
            return bad("min_lon must be less than max_lon");
        }
        if min_lat >= max_lat {
            return bad("min_lat must be less than max_lat");
        }
        if max_lon - min_lon > 360.0 {
            return bad("the extent may span at most 360 degrees of longitude");
        }
        if min_lat < -MAX_LATITUDE || max_lat > MAX_LATITUDE {
            return bad("latitudes must lie within ±85 degrees");
        }
        Ok(())
    }
}

/// How longitude/latitude are mapped onto the plane. North is always up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Projection {
    /// Plate carrée with its standard parallel at the extent's
    /// mid-latitude: x ∝ longitude · cos(mid-latitude), y ∝ latitude, so
    /// shapes near the middle of the map keep their proportions.
    #[default]
    Equirectangular,
    /// Spherical (web) Mercator: conformal, y ∝ ln tan(π/4 + φ/2).
    Mercator,
}

/// How one GeoJSON feature is drawn; returned by the style callback of
/// [`Map::add_geojson_layer`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeatureStyle {
    /// Value of the `class` attribute (omitted when empty).
    pub class: String,
    /// Text of a `<title>` child (a tooltip and accessible name).
    pub title: Option<String>,
    /// Value of the `id` attribute. Keep ids unique within the page.
    pub id: Option<String>,
}

impl FeatureStyle {
    /// A style with just a class.
    pub fn class(class: impl Into<String>) -> Self {
        FeatureStyle {
            class: class.into(),
            ..Default::default()
        }
    }
}

/// Marker shape of a [`MapPoint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PointShape {
    /// Filled circle.
    #[default]
    Circle,
    /// Axis-aligned square whose side is twice the radius.
    Square,
    /// Square rotated by 45°, corners at the radius.
    Diamond,
    /// Upward triangle inscribed in the radius circle.
    Triangle,
    /// Hollow circle (`fill="none"`), e.g. for an approximate position.
    Ring,
}

impl PointShape {
    fn class(self) -> &'static str {
        match self {
            PointShape::Circle => "shape-circle",
            PointShape::Square => "shape-square",
            PointShape::Diamond => "shape-diamond",
            PointShape::Triangle => "shape-triangle",
            PointShape::Ring => "shape-ring",
        }
    }
}

/// A labelled marker, drawn above all layers.
///
/// Rendered as `<g class="CLASS">` (or `<a href="…" class="CLASS">` when
/// [`href`](MapPoint::href) is set) holding a `<title>`, the shape (with
/// class `shape-circle`, `shape-square`, `shape-diamond`, `shape-triangle`
/// or `shape-ring`) and, if any, a `<text class="point-label">`.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
    /// Value of the `class` attribute of the point's group (omitted when empty).
    pub class: String,
    /// Tooltip / accessible name (`<title>`, omitted when empty).
    pub title: String,
    /// Visible text next to the marker.
    pub label: Option<String>,
    /// Link target. Links with a `javascript:`, `vbscript:` or `data:`
    /// scheme are not emitted (the point is drawn without a link).
    pub href: Option<String>,
    /// Marker shape.
    pub shape: PointShape,
    /// Marker radius in SVG units; [`DEFAULT_POINT_RADIUS`] if not finite
    /// and > 0, capped at the map's larger side.
    pub radius: f64,
}

impl Default for MapPoint {
    fn default() -> Self {
        MapPoint {
            lon: 0.0,
            lat: 0.0,
            class: String::new(),
            title: String::new(),
            label: None,
            href: None,
            shape: PointShape::Circle,
            radius: DEFAULT_POINT_RADIUS,
        }
    }
}

/// Free text at a position (e.g. the name of an archipelago), drawn last,
/// centred on the position.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapLabel {
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
    /// The text (empty labels are not drawn).
    pub text: String,
    /// Value of the `class` attribute (omitted when empty).
    pub class: String,
}

/// Why a map or layer could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// The extent is unusable; the message says why.
    #[error("invalid extent: {0}")]
    InvalidExtent(String),
    /// The width is not a finite number > 0.
    #[error("invalid width {0}: expected a finite number greater than 0")]
    InvalidWidth(f64),
    /// The GeoJSON is malformed at `path` (e.g.
    /// `features[3].geometry.coordinates`); the layer was not added.
    #[error("{path}: {message}")]
    InvalidGeoJson {
        /// JSON path of the offending value (`(root)` for the top level).
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

/// One rendered `<g class="layer-…">`.
#[derive(Debug, Clone)]
struct Layer {
    class: String,
    body: String,
}

/// A drawable element of a GeoJSON feature, in output precision.
enum Element {
    /// Filled area; one subpath per ring.
    Area(String),
    /// Unfilled polyline(s).
    Line(String),
    /// Circle for a GeoJSON point: (cx, cy) in SVG units.
    Dot(Pt),
}

/// A map being built: layers of GeoJSON, points and labels, rendered to an
/// SVG string by [`Map::render`].
///
/// The SVG has `viewBox="0 0 W H"` and `width="100%"`, so it scales to its
/// container; W is the width given to [`Map::new`] and H follows from the
/// extent and projection. Output is deterministic: the same calls in the
/// same order give byte-identical SVG.
#[derive(Debug, Clone)]
pub struct Map {
    extent: Extent,
    projection: Projection,
    width: f64,
    height: f64,
    /// SVG units per degree of longitude.
    kx: f64,
    /// Equirectangular: SVG units per degree of latitude.
    ky: f64,
    /// Mercator: projected northern edge, in "degrees".
    merc_top: f64,
    title: Option<String>,
    style: Option<String>,
    layer_point_radius: f64,
    layers: Vec<Layer>,
    points: Vec<MapPoint>,
    labels: Vec<MapLabel>,
}

/// Mercator ordinate of `lat` in degree-like units (equal to `lat` near the
/// equator).
fn mercator_y(lat: f64) -> f64 {
    let phi = lat
        .clamp(-MERCATOR_LAT_LIMIT, MERCATOR_LAT_LIMIT)
        .to_radians();
    (std::f64::consts::FRAC_PI_4 + phi / 2.0)
        .tan()
        .ln()
        .to_degrees()
}

/// Is `href` safe to emit as a link (no script-capable scheme)?
fn safe_href(href: &str) -> bool {
    let scheme: String = href
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|&c| c != ':')
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    !(href.contains(':') && matches!(scheme.as_str(), "javascript" | "vbscript" | "data"))
}

/// Writes ` name="escaped value"`.
fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(out, value);
    out.push('"');
}

/// Writes ` name="number"`.
fn num_attr(out: &mut String, name: &str, v: f64) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    write_num(out, v);
    out.push('"');
}

/// Writes ` class="…"` unless `class` is empty.
fn class_attr(out: &mut String, class: &str) {
    if !class.is_empty() {
        attr(out, "class", class);
    }
}

/// Writes `<title>…</title>`.
fn title_el(out: &mut String, title: &str) {
    out.push_str("<title>");
    escape_into(out, title);
    out.push_str("</title>");
}

impl Map {
    /// Creates an empty map of `extent`, `width` SVG units wide; the height
    /// follows from the extent and the projection.
    ///
    /// # Errors
    /// [`MapError::InvalidExtent`] if an edge is not finite, min ≥ max,
    /// the extent spans more than 360° of longitude, a latitude lies beyond
    /// ±[`MAX_LATITUDE`] or the extent is too small to scale;
    /// [`MapError::InvalidWidth`] if `width` is not a finite number > 0.
    pub fn new(extent: Extent, projection: Projection, width: f64) -> Result<Map, MapError> {
        extent.validate()?;
        if !(width.is_finite() && width > 0.0) {
            return Err(MapError::InvalidWidth(width));
        }
        let kx = width / (extent.max_lon - extent.min_lon);
        let mid = ((extent.min_lat + extent.max_lat) / 2.0).to_radians();
        let ky = kx / mid.cos();
        let merc_top = mercator_y(extent.max_lat);
        let height = match projection {
            Projection::Equirectangular => (extent.max_lat - extent.min_lat) * ky,
            Projection::Mercator => (merc_top - mercator_y(extent.min_lat)) * kx,
        };
        if !(kx.is_finite() && ky.is_finite() && height.is_finite() && height > 0.0) {
            return Err(MapError::InvalidExtent(
                "too small to scale to this width".to_owned(),
            ));
        }
        Ok(Map {
            extent,
            projection,
            width,
            height,
            kx,
            ky,
            merc_top,
            title: None,
            style: None,
            layer_point_radius: 3.0,
            layers: Vec::new(),
            points: Vec::new(),
            labels: Vec::new(),
        })
    }

    /// The extent given to [`Map::new`].
    pub fn extent(&self) -> Extent {
        self.extent
    }

    /// The projection given to [`Map::new`].
    pub fn projection(&self) -> Projection {
        self.projection
    }

    /// Width of the viewBox in SVG units (as given to [`Map::new`]).
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Height of the viewBox in SVG units (before rounding to one decimal).
    pub fn height(&self) -> f64 {
        self.height
    }

    /// Sets the accessible name of the map (`aria-label` on `<svg>`).
    pub fn set_title(&mut self, title: &str) {
        self.title = Some(title.to_owned());
    }

    /// Sets CSS for a `<style>` element at the top of the SVG.
    ///
    /// The CSS is the caller's **trusted** text: it is inserted as is,
    /// except that `&` and `<` are written as character references (which
    /// the browser decodes again inside an SVG `<style>`, whether the SVG
    /// is a file or inline in HTML) so it cannot break the markup.
    pub fn set_style(&mut self, css: &str) {
        self.style = Some(css.to_owned());
    }

    /// Sets the radius, in SVG units, of the circles drawn for GeoJSON
    /// `Point`/`MultiPoint` geometries in layers added afterwards
    /// (default 3). Ignored unless finite and > 0.
    pub fn set_layer_point_radius(&mut self, radius: f64) {
        if radius.is_finite() && radius > 0.0 {
            self.layer_point_radius = radius;
        }
    }

    /// Projects `lon`/`lat` (degrees) to SVG coordinates: the extent's
    /// north-west corner is `(0, 0)`, its south-east corner
    /// `(width, height)`. Positions outside the extent project outside
    /// that box. NaN in gives NaN out.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let x = (lon - self.extent.min_lon) * self.kx;
        let y = match self.projection {
            Projection::Equirectangular => (self.extent.max_lat - lat) * self.ky,
            Projection::Mercator => (self.merc_top - mercator_y(lat)) * self.kx,
        };
        (x, y)
    }

    /// Is `lon`/`lat` inside the map's extent (edges included)?
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.extent.contains(lon, lat)
    }

    /// The rectangle geometry is clipped to: the viewBox plus a margin, so
    /// that strokes along the cut edges stay out of sight.
    fn clip_rect(&self) -> Rect {
        let m = 0.05 * self.width.max(self.height) + 1.0;
        Rect {
            x0: -m,
            y0: -m,
            x1: self.width + m,
            y1: self.height + m,
        }
    }

    fn project_all(&self, pts: &[geojson::Pos]) -> Vec<Pt> {
        pts.iter()
            .filter_map(|&(lon, lat)| geom::sanitize(self.project(lon, lat)))
            .collect()
    }

    /// Turns a feature's coordinates into drawable elements.
    fn elements(&self, shapes: &geojson::Shapes) -> Vec<Element> {
        let rect = self.clip_rect();
        let mut out = Vec::new();

        let mut d = String::new();
        for poly in &shapes.polygons {
            let ring_path = |ring: &[geojson::Pos]| -> Option<Vec<IPt>> {
                geom::round_ring(&geom::clip_ring(&self.project_all(ring), &rect))
            };
            let Some(exterior) = poly.first().and_then(|r| ring_path(r)) else {
                continue;
            };
            geom::write_path(&mut d, &exterior, true);
            for hole in poly.iter().skip(1).filter_map(|r| ring_path(r)) {
                geom::write_path(&mut d, &hole, true);
            }
        }
        if !d.is_empty() {
            out.push(Element::Area(d));
        }

        let mut d = String::new();
        for line in &shapes.lines {
            for piece in geom::clip_polyline(&self.project_all(line), &rect) {
                if let Some(pts) = geom::round_line(&piece) {
                    geom::write_path(&mut d, &pts, false);
                }
            }
        }
        if !d.is_empty() {
            out.push(Element::Line(d));
        }

        for &(lon, lat) in &shapes.points {
            if self.contains(lon, lat) {
                out.push(Element::Dot(self.project(lon, lat)));
            }
        }
        out
    }

    /// Writes one element; `class`, `id` and `title` are given only when the
    /// element stands alone for its feature.
    fn write_element(
        &self,
        out: &mut String,
        el: &Element,
        id: Option<&str>,
        class: &str,
        title: Option<&str>,
    ) {
        let tag = match el {
            Element::Area(d) | Element::Line(d) => {
                out.push_str("<path");
                attr(out, "d", d);
                "path"
            }
            Element::Dot((x, y)) => {
                out.push_str("<circle");
                num_attr(out, "cx", *x);
                num_attr(out, "cy", *y);
                num_attr(out, "r", self.layer_point_radius);
                "circle"
            }
        };
        if let Some(id) = id {
            attr(out, "id", id);
        }
        class_attr(out, class);
        match el {
            Element::Area(_) => out.push_str(" fill-rule=\"evenodd\""),
            Element::Line(_) => out.push_str(" fill=\"none\""),
            Element::Dot(_) => {}
        }
        match title {
            Some(t) => {
                out.push('>');
                title_el(out, t);
                out.push_str("</");
                out.push_str(tag);
                out.push_str(">\n");
            }
            None => out.push_str("/>\n"),
        }
    }

    /// Adds a layer drawn from GeoJSON, as `<g class="layer-LAYER_CLASS">`
    /// above the layers added before it.
    ///
    /// `geojson` may be a `FeatureCollection`, a `Feature` or a bare
    /// geometry (`Polygon`, `MultiPolygon`, `LineString`,
    /// `MultiLineString`, `Point`, `MultiPoint`, `GeometryCollection`).
    /// Polygons become `<path fill-rule="evenodd">` (holes included), lines
    /// `<path fill="none">`, points `<circle>` (see
    /// [`Map::set_layer_point_radius`]). `style` is called with each drawn
    /// feature's properties (an empty map when it has none) and gives its
    /// class, title and id; a feature made of several kinds of geometry is
    /// wrapped in a `<g>` carrying them.
    ///
    /// Features entirely outside the extent, with a null geometry, or whose
    /// rings all collapse at the output precision are skipped; geometry
    /// partly outside is cut a little beyond the viewBox. GeoJSON points
    /// outside the extent are skipped.
    ///
    /// Returns the number of features drawn.
    ///
    /// # Errors
    /// [`MapError::InvalidGeoJson`], naming the path of the first malformed
    /// value, if the structure is not valid GeoJSON; nothing is added then.
    pub fn add_geojson_layer(
        &mut self,
        layer_class: &str,
        geojson: &Value,
        style: impl Fn(&serde_json::Map<String, Value>) -> FeatureStyle,
    ) -> Result<usize, MapError> {
        let features = geojson::parse(geojson)?;
        let no_properties = serde_json::Map::new();
        let mut body = String::new();
        let mut drawn = 0;
        for feature in &features {
            let Some(bbox) = feature.shapes.bbox else {
                continue;
            };
            if !self.extent.intersects(bbox) {
                continue;
            }
            let elements = self.elements(&feature.shapes);
            if elements.is_empty() {
                continue;
            }
            let st = style(feature.properties.unwrap_or(&no_properties));
            if let [el] = elements.as_slice() {
                self.write_element(
                    &mut body,
                    el,
                    st.id.as_deref(),
                    &st.class,
                    st.title.as_deref(),
                );
            } else {
                body.push_str("<g");
                if let Some(id) = &st.id {
                    attr(&mut body, "id", id);
                }
                class_attr(&mut body, &st.class);
                body.push('>');
                if let Some(t) = &st.title {
                    title_el(&mut body, t);
                }
                body.push('\n');
                for el in &elements {
                    self.write_element(&mut body, el, None, "", None);
                }
                body.push_str("</g>\n");
            }
            drawn += 1;
        }
        if !body.is_empty() {
            self.layers.push(Layer {
                class: layer_class.to_owned(),
                body,
            });
        }
        Ok(drawn)
    }

    /// Adds a marker, drawn above all layers in insertion order. Points
    /// outside the extent (see [`Map::contains`]) or with NaN coordinates
    /// are not drawn.
    pub fn add_point(&mut self, point: MapPoint) {
        self.points.push(point);
    }

    /// Adds free text, drawn last in insertion order. Labels outside the
    /// extent or with empty text are not drawn.
    pub fn add_label(&mut self, label: MapLabel) {
        self.labels.push(label);
    }

    fn write_point(&self, out: &mut String, p: &MapPoint) {
        let (x, y) = self.project(p.lon, p.lat);
        let r = if p.radius.is_finite() && p.radius > 0.0 {
            p.radius.min(self.width.max(self.height))
        } else {
            DEFAULT_POINT_RADIUS
        };
        let href = p.href.as_deref().filter(|h| safe_href(h));
        let wrapper = if href.is_some() { "a" } else { "g" };
        out.push('<');
        out.push_str(wrapper);
        if let Some(h) = href {
            attr(out, "href", h);
        }
        class_attr(out, &p.class);
        out.push('>');
        if !p.title.is_empty() {
            title_el(out, &p.title);
        }
        let (cx, cy) = (num(x), num(y));
        match p.shape {
            PointShape::Circle | PointShape::Ring => {
                out.push_str(&format!("<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{}\"", num(r)));
                if p.shape == PointShape::Ring {
                    out.push_str(" fill=\"none\"");
                }
            }
            PointShape::Square => {
                let side = num(2.0 * r);
                out.push_str(&format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"{side}\" height=\"{side}\"",
                    num(x - r),
                    num(y - r)
                ));
            }
            PointShape::Diamond | PointShape::Triangle => {
                let corners: Vec<Pt> = if p.shape == PointShape::Diamond {
                    vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
                } else {
                    let (dx, dy) = (r * 0.866_025_403_784_438_6, r * 0.5);
                    vec![(x, y - r), (x + dx, y + dy), (x - dx, y + dy)]
                };
                let pts: Vec<IPt> = corners
                    .iter()
                    .map(|&(a, b)| (xml::tenths(a), xml::tenths(b)))
                    .collect();
                let mut d = String::new();
                geom::write_path(&mut d, &pts, true);
                out.push_str(&format!("<path d=\"{d}\""));
            }
        }
        out.push_str(&format!(" class=\"{}\"/>", p.shape.class()));
        if let Some(label) = p.label.as_deref().filter(|l| !l.is_empty()) {
            // Labels go right of the marker, or left of it near the east edge.
            let (lx, anchor) = if x > 0.75 * self.width {
                (x - r - 2.0, "end")
            } else {
                (x + r + 2.0, "start")
            };
            out.push_str(&format!(
                "<text x=\"{}\" y=\"{cy}\" class=\"point-label\" text-anchor=\"{anchor}\" \
                 dominant-baseline=\"central\" paint-order=\"stroke\">",
                num(lx)
            ));
            escape_into(out, label);
            out.push_str("</text>");
        }
        out.push_str("</");
        out.push_str(wrapper);
        out.push_str(">\n");
    }

    /// Renders the map as a complete `<svg>` element.
    ///
    /// Order: optional `<style>`, then the layers inside a group clipped to
    /// the viewBox, then `<g class="points">`, then `<g class="labels">`.
    pub fn render(&self) -> String {
        let (w, h) = (num(self.width), num(self.height));
        let mut out = String::with_capacity(
            512 + self.layers.iter().map(|l| l.body.len() + 64).sum::<usize>()
                + 256 * self.points.len(),
        );
        out.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\""
        ));
        if let Some(t) = &self.title {
            attr(&mut out, "aria-label", t);
        }
        out.push_str(">\n");
        if let Some(css) = &self.style {
            out.push_str("<style>");
            xml::escape_css_into(&mut out, css);
            out.push_str("</style>\n");
        }
        if !self.layers.is_empty() {
            // The id depends only on the size, so several maps inlined in one
            // page never disagree about what an id means.
            let clip_id = format!("geosvg-clip-{w}x{h}").replace('.', "_");
            out.push_str(&format!(
                "<defs><clipPath id=\"{clip_id}\"><rect width=\"{w}\" height=\"{h}\"/></clipPath></defs>\n\
                 <g clip-path=\"url(#{clip_id})\">\n"
            ));
            for layer in &self.layers {
                out.push_str("<g class=\"layer-");
                escape_into(&mut out, &layer.class);
                out.push_str("\">\n");
                out.push_str(&layer.body);
                out.push_str("</g>\n");
            }
            out.push_str("</g>\n");
        }
        let points: Vec<&MapPoint> = self
            .points
            .iter()
            .filter(|p| self.contains(p.lon, p.lat))
            .collect();
        if !points.is_empty() {
            out.push_str("<g class=\"points\">\n");
            for p in points {
                self.write_point(&mut out, p);
            }
            out.push_str("</g>\n");
        }
        let labels: Vec<&MapLabel> = self
            .labels
            .iter()
            .filter(|l| !l.text.is_empty() && self.contains(l.lon, l.lat))
            .collect();
        if !labels.is_empty() {
            out.push_str("<g class=\"labels\">\n");
            for l in labels {
                let (x, y) = self.project(l.lon, l.lat);
                out.push_str(&format!("<text x=\"{}\" y=\"{}\"", num(x), num(y)));
                class_attr(&mut out, &l.class);
                out.push_str(
                    " text-anchor=\"middle\" dominant-baseline=\"central\" paint-order=\"stroke\">",
                );
                escape_into(&mut out, &l.text);
                out.push_str("</text>\n");
            }
            out.push_str("</g>\n");
        }
        out.push_str("</svg>");
        out
    }
}

/// Escapes `& < > " '` (and drops characters XML forbids) so `text` can be
/// placed in SVG/XML text or a double-quoted attribute. Exposed for callers
/// that build SVG fragments around a map.
pub fn xml_escape(text: &str) -> String {
    escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn vn() -> Extent {
        Extent::new(102.0, 8.0, 110.0, 23.5)
    }

    fn square_map() -> Map {
        Map::new(
            Extent::new(0.0, -10.0, 20.0, 10.0),
            Projection::Equirectangular,
            200.0,
        )
        .unwrap()
    }

    fn square(lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> Value {
        json!([
            [lon0, lat0],
            [lon1, lat0],
            [lon1, lat1],
            [lon0, lat1],
            [lon0, lat0]
        ])
    }

    #[test]
    fn corners_map_to_viewbox_corners() {
        for proj in [Projection::Equirectangular, Projection::Mercator] {
            let m = Map::new(vn(), proj, 1000.0).unwrap();
            let (x, y) = m.project(102.0, 23.5);
            assert!(close(x, 0.0) && close(y, 0.0), "{proj:?} NW: {x} {y}");
            let (x, y) = m.project(110.0, 8.0);
            assert!(
                close(x, 1000.0) && close(y, m.height()),
                "{proj:?} SE: {x} {y}"
            );
            let (x, y) = m.project(110.0, 23.5);
            assert!(close(x, 1000.0) && close(y, 0.0), "{proj:?} NE: {x} {y}");
            let (x, y) = m.project(102.0, 8.0);
            assert!(
                close(x, 0.0) && close(y, m.height()),
                "{proj:?} SW: {x} {y}"
            );
        }
    }

    #[test]
    fn equirectangular_scales_by_cos_mid_latitude() {
        let m = Map::new(
            Extent::new(0.0, 50.0, 10.0, 70.0),
            Projection::Equirectangular,
            100.0,
        )
        .unwrap();
        // 20° of latitude vs 10° of longitude at 60°N: 20 / (10 · cos 60°) = 4.
        assert!((m.height() - 400.0).abs() < 1e-9, "{}", m.height());
    }

    #[test]
    fn mercator_equator_is_vertical_middle() {
        let m = Map::new(
            Extent::new(100.0, -20.0, 120.0, 20.0),
            Projection::Mercator,
            500.0,
        )
        .unwrap();
        let (x, y) = m.project(110.0, 0.0);
        assert!(close(x, 250.0));
        assert!(close(y, m.height() / 2.0), "{y} vs {}", m.height());
        // Mercator stretches latitudes: taller than the plain 2:1 degree ratio.
        assert!(m.height() > 1000.0);
        // At 60°N Mercator's y is ln(tan(75°)) = 1.3170 rad.
        assert!((mercator_y(60.0).to_radians() - 1.316_957_896_924_816_6).abs() < 1e-12);
    }

    #[test]
    fn invalid_extents_and_widths() {
        let bad = [
            Extent::new(10.0, 0.0, 10.0, 5.0),
            Extent::new(11.0, 0.0, 10.0, 5.0),
            Extent::new(0.0, 5.0, 10.0, 5.0),
            Extent::new(0.0, 0.0, 10.0, 86.0),
            Extent::new(0.0, -85.5, 10.0, 0.0),
            Extent::new(f64::NAN, 0.0, 10.0, 5.0),
            Extent::new(0.0, 0.0, f64::INFINITY, 5.0),
            Extent::new(-200.0, 0.0, 200.0, 5.0),
            Extent::new(0.0, 0.0, 1e-320, 5.0),
        ];
        for e in bad {
            for p in [Projection::Equirectangular, Projection::Mercator] {
                assert!(
                    matches!(Map::new(e, p, 100.0), Err(MapError::InvalidExtent(_))),
                    "{e:?}"
                );
            }
        }
        for w in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                Map::new(vn(), Projection::Mercator, w),
                Err(MapError::InvalidWidth(_))
            ));
        }
        assert!(Map::new(
            Extent::new(-180.0, -85.0, 180.0, 85.0),
            Projection::Mercator,
            1.0
        )
        .is_ok());
    }

    #[test]
    fn svg_root_is_responsive() {
        let mut m = square_map();
        m.set_title("Bản đồ");
        let svg = m.render();
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 200\" width=\"100%\" role=\"img\" aria-label=\"Bản đồ\">"
        ));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("height="));
    }

    #[test]
    fn square_polygon_is_one_path_of_four_points() {
        let mut m = square_map();
        let geo = json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 10.0, 10.0)]});
        let n = m
            .add_geojson_layer("land", &geo, |_| FeatureStyle::class("sq"))
            .unwrap();
        assert_eq!(n, 1);
        let svg = m.render();
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(
            svg.contains(
                "<path d=\"M0 100L100 100L100 0L0 0Z\" class=\"sq\" fill-rule=\"evenodd\"/>"
            ),
            "{svg}"
        );
        assert!(svg.contains("<g class=\"layer-land\">"));
        assert!(svg.contains("clip-path=\"url(#geosvg-clip-200x200)\""));
    }

    #[test]
    fn polygon_with_hole_has_two_subpaths() {
        let mut m = square_map();
        let geo = json!({"type": "Feature", "properties": {"name": "donut"}, "geometry": {
            "type": "Polygon",
            "coordinates": [square(0.0, 0.0, 10.0, 10.0), square(2.0, 2.0, 4.0, 4.0)]
        }});
        m.add_geojson_layer("land", &geo, |p| FeatureStyle {
            class: "x".into(),
            title: p.get("name").and_then(Value::as_str).map(str::to_owned),
            id: Some("f1".into()),
        })
        .unwrap();
        let svg = m.render();
        let d = svg
            .split("<path d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('Z').count(), 2, "{d}");
        assert!(
            svg.contains(
                " id=\"f1\" class=\"x\" fill-rule=\"evenodd\"><title>donut</title></path>"
            ),
            "{svg}"
        );
    }

    #[test]
    fn rounding_drops_duplicates_and_collapsed_rings() {
        let mut m = square_map();
        let geo = json!({"type": "MultiPolygon", "coordinates": [
            [[[0, 0], [10, 0], [10.001, 0.001], [10, 10], [0, 0]]],
            [[[5, 5], [5.001, 5], [5, 5.001], [5, 5]]]
        ]});
        assert_eq!(
            m.add_geojson_layer("l", &geo, |_| FeatureStyle::default())
                .unwrap(),
            1
        );
        let svg = m.render();
        assert!(svg.contains("d=\"M0 100L100 100L100 0Z\""), "{svg}");
        // A feature whose only ring collapses is not drawn at all.
        let tiny =
            json!({"type": "Polygon", "coordinates": [[[5, 5], [5.001, 5], [5, 5.001], [5, 5]]]});
        assert_eq!(
            m.add_geojson_layer("t", &tiny, |_| FeatureStyle::default())
                .unwrap(),
            0
        );
        assert!(!m.render().contains("layer-t"));
    }

    #[test]
    fn features_outside_extent_are_skipped() {
        let mut m = square_map();
        let geo = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square(30.0, 0.0, 40.0, 5.0)]}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square(15.0, 0.0, 40.0, 5.0)]}},
            {"type": "Feature", "properties": {}, "geometry": null}
        ]});
        assert_eq!(
            m.add_geojson_layer("l", &geo, |_| FeatureStyle::default())
                .unwrap(),
            1
        );
        // The partly visible one is cut a little beyond the right edge (200 + margin 11).
        assert!(
            m.render().contains("d=\"M150 100L211 100L211 50L150 50Z\""),
            "{}",
            m.render()
        );
    }

    #[test]
    fn lines_and_points_in_geojson() {
        let mut m = square_map();
        let geo = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": null, "geometry": {"type": "LineString", "coordinates": [[0, 0], [10, 0]]}},
            {"type": "Feature", "properties": null, "geometry": {"type": "Point", "coordinates": [10, 0]}},
            {"type": "Feature", "properties": null, "geometry": {"type": "Point", "coordinates": [50, 0]}},
            {"type": "Feature", "properties": null, "geometry": {"type": "GeometryCollection", "geometries": [
                {"type": "Point", "coordinates": [1, 1]},
                {"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0, 1.0)]}
            ]}}
        ]});
        let n = m
            .add_geojson_layer("l", &geo, |_| FeatureStyle {
                class: "c".into(),
                id: Some("i".into()),
                title: Some("t".into()),
            })
            .unwrap();
        assert_eq!(n, 3);
        let svg = m.render();
        assert!(svg.contains("<path d=\"M0 100L100 100\" id=\"i\" class=\"c\" fill=\"none\"><title>t</title></path>"), "{svg}");
        assert!(svg.contains("<circle cx=\"100\" cy=\"100\" r=\"3\" id=\"i\" class=\"c\"><title>t</title></circle>"), "{svg}");
        assert!(svg.contains("<g id=\"i\" class=\"c\"><title>t</title>\n<path d=\"M0 100L10 100L10 90L0 90Z\" fill-rule=\"evenodd\"/>\n<circle cx=\"10\" cy=\"90\" r=\"3\"/>\n</g>"), "{svg}");
    }

    #[test]
    fn invalid_geojson_adds_nothing() {
        let mut m = square_map();
        let before = m.render();
        let geo = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0, 1.0)]}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": "x"}}
        ]});
        let e = m
            .add_geojson_layer("l", &geo, |_| FeatureStyle::default())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "features[1].geometry.coordinates: expected array of rings, found a string"
        );
        assert_eq!(m.render(), before);
    }

    #[test]
    fn contains_and_points_outside_are_skipped() {
        let mut m = square_map();
        assert!(m.contains(0.0, -10.0) && m.contains(20.0, 10.0) && m.contains(5.0, 5.0));
        assert!(!m.contains(20.1, 0.0) && !m.contains(0.0, 10.5) && !m.contains(f64::NAN, 0.0));
        m.add_point(MapPoint {
            lon: 30.0,
            lat: 0.0,
            title: "far".into(),
            ..Default::default()
        });
        m.add_point(MapPoint {
            lon: f64::NAN,
            lat: 0.0,
            title: "nan".into(),
            ..Default::default()
        });
        m.add_label(MapLabel {
            lon: 0.0,
            lat: 50.0,
            text: "off".into(),
            class: String::new(),
        });
        let svg = m.render();
        assert!(
            !svg.contains("far")
                && !svg.contains("nan")
                && !svg.contains("off")
                && !svg.contains("points")
        );
    }

    #[test]
    fn point_shapes_links_and_labels() {
        let mut m = square_map();
        let base = MapPoint {
            lon: 10.0,
            lat: 0.0,
            class: "gate".into(),
            title: "T".into(),
            radius: 5.0,
            ..Default::default()
        };
        m.add_point(MapPoint {
            href: Some("/gates/1?a=1&b=2".into()),
            label: Some("Lào Cai".into()),
            ..base.clone()
        });
        m.add_point(MapPoint {
            shape: PointShape::Square,
            ..base.clone()
        });
        m.add_point(MapPoint {
            shape: PointShape::Diamond,
            ..base.clone()
        });
        m.add_point(MapPoint {
            shape: PointShape::Triangle,
            ..base.clone()
        });
        m.add_point(MapPoint {
            shape: PointShape::Ring,
            radius: f64::NAN,
            ..base.clone()
        });
        m.add_point(MapPoint {
            href: Some(" JavaScript:alert(1)".into()),
            lon: 19.0,
            label: Some("E".into()),
            ..base.clone()
        });
        let svg = m.render();
        let expected = [
            "<a href=\"/gates/1?a=1&amp;b=2\" class=\"gate\"><title>T</title><circle cx=\"100\" cy=\"100\" r=\"5\" class=\"shape-circle\"/><text x=\"107\" y=\"100\" class=\"point-label\" text-anchor=\"start\" dominant-baseline=\"central\" paint-order=\"stroke\">Lào Cai</text></a>",
            "<g class=\"gate\"><title>T</title><rect x=\"95\" y=\"95\" width=\"10\" height=\"10\" class=\"shape-square\"/></g>",
            "<path d=\"M100 95L105 100L100 105L95 100Z\" class=\"shape-diamond\"/>",
            "<path d=\"M100 95L104.3 102.5L95.7 102.5Z\" class=\"shape-triangle\"/>",
            "<circle cx=\"100\" cy=\"100\" r=\"4\" fill=\"none\" class=\"shape-ring\"/>",
            "<g class=\"gate\"><title>T</title><circle cx=\"190\" cy=\"100\" r=\"5\" class=\"shape-circle\"/><text x=\"183\" y=\"100\" class=\"point-label\" text-anchor=\"end\"",
        ];
        for e in expected {
            assert!(svg.contains(e), "missing {e}\nin {svg}");
        }
        assert!(!svg.to_ascii_lowercase().contains("javascript"));
    }

    #[test]
    fn all_text_is_escaped() {
        let evil = "<b>&\"'</b>";
        let mut m = square_map();
        m.set_title(evil);
        m.set_style(".a>.b{fill:red}</style><script>x()</script>");
        m.add_geojson_layer(
            evil,
            &json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 5.0, 5.0)]}),
            |_| FeatureStyle {
                class: evil.into(),
                title: Some(evil.into()),
                id: Some(evil.into()),
            },
        )
        .unwrap();
        m.add_point(MapPoint {
            lon: 1.0,
            lat: 1.0,
            class: evil.into(),
            title: evil.into(),
            label: Some(evil.into()),
            href: Some(evil.into()),
            ..Default::default()
        });
        m.add_label(MapLabel {
            lon: 2.0,
            lat: 2.0,
            text: evil.into(),
            class: evil.into(),
        });
        let svg = m.render();
        assert!(!svg.contains("<b>") && !svg.contains("</b>") && !svg.contains("<script"));
        assert!(svg.contains("&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;"));
        assert!(svg.contains("<style>.a>.b{fill:red}&lt;/style>&lt;script>x()&lt;/script></style>"));
        assert_eq!(xml_escape(evil), "&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;");
    }

    #[test]
    fn render_is_deterministic() {
        let build = || {
            let mut m = Map::new(vn(), Projection::Mercator, 360.0).unwrap();
            m.set_title("t");
            m.set_style(".x{}");
            let geo = json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"b": 1, "a": 2}, "geometry": {"type": "Polygon", "coordinates": [square(103.1234, 9.0, 109.98765, 22.3)]}}
            ]});
            m.add_geojson_layer("p", &geo, |p| FeatureStyle::class(format!("{}", p.len())))
                .unwrap();
            m.add_point(MapPoint {
                lon: 105.8,
                lat: 21.0,
                title: "Hà Nội".into(),
                ..Default::default()
            });
            m.add_label(MapLabel {
                lon: 106.0,
                lat: 12.0,
                text: "Biển Đông".into(),
                class: "sea".into(),
            });
            m
        };
        let (a, b) = (build(), build());
        assert_eq!(a.render(), a.render());
        assert_eq!(a.render(), b.render());
    }

    #[test]
    fn far_away_coordinates_stay_finite_and_small() {
        let mut m = Map::new(vn(), Projection::Mercator, 360.0).unwrap();
        let geo = json!({"type": "Polygon", "coordinates": [[[100, 0], [1e300, 0], [1e300, 1e300], [100, -1e300], [100, 0]]]});
        m.add_geojson_layer("l", &geo, |_| FeatureStyle::default())
            .unwrap();
        let svg = m.render();
        assert!(
            !svg.contains("NaN") && !svg.contains("inf") && svg.len() < 2000,
            "{svg}"
        );
    }

    #[test]
    fn safe_hrefs() {
        assert!(safe_href("/gates/lao-cai"));
        assert!(safe_href("https://example.com/a:b"));
        assert!(safe_href("gates?x=javascript:1"));
        assert!(!safe_href("javascript:alert(1)"));
        assert!(!safe_href(" java\tscript:alert(1)"));
        assert!(!safe_href("DATA:text/html,x"));
    }
}
