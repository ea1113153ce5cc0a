//! Small SVG charts drawn on the server: a bar chart and a line chart, no JavaScript.
//!
//! Both draw into a fixed `viewBox` (320 × 200 user units) with `width="100%"`, so they
//! scale to the width of their container (a phone's 360 px as well as a desktop card)
//! and keep their proportions. Text is 12 units high: about 11 px in a card at phone
//! width. Every chart has a `<title>` (its accessible name); pages put the same figures
//! in a table.
//!
//! Values that are not finite are drawn as zero (bars) or as gaps (lines); labels and
//! titles are XML-escaped. The output is deterministic.

use std::fmt::Write as _;

use geosvg::xml_escape;

/// Width of the drawing in user units.
pub const WIDTH: f64 = 320.0;
/// Height of the drawing in user units.
pub const HEIGHT: f64 = 200.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 30.0;
const FONT: &str = "font-family=\"system-ui, sans-serif\" font-size=\"12\"";
const AXIS: &str = "#5b6b7a";
const GRID: &str = "#d8dee4";

/// What every chart has: where it is, what it shows, its x labels.
#[derive(Debug, Clone, Copy)]
pub struct Chart<'a> {
    /// Element id, unique on the page.
    pub id: &'a str,
    /// Accessible name (the SVG `<title>`).
    pub title: &'a str,
    /// Unit of the y axis, written above it (e.g. "vehicles").
    pub unit: &'a str,
    /// One label per bar or point.
    pub labels: &'a [String],
    /// Written in the middle when there is nothing to draw ("" for nothing).
    pub empty_note: &'a str,
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// Name shown in the legend.
    pub name: &'a str,
    /// Stroke colour (CSS colour).
    pub colour: &'a str,
    /// Dashed, so that a line drawn over another equal one lets it show through.
    pub dashed: bool,
    /// One value per label; `None` is a gap.
    pub values: &'a [Option<f64>],
}


/// A "nice" top for an axis whose data reach `max`: 1, 2 or 5 × 10ⁿ (at least 1), and
/// its tick step (a quarter or a fifth of it, itself nice).
pub fn nice_scale(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let max = max.max(1.0);
    let magnitude = 10f64.powf(max.log10().floor());
    let top = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|t| *t >= max - 1e-9).unwrap_or(10.0 * magnitude);
    let step = if (top / magnitude - 2.0).abs() < 1e-9 { top / 4.0 } else { top / 5.0 };
    let step = if top / magnitude == 1.0 { top / 5.0 } else { step };
    (top, step)
}

fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v
    } else {
        0.0
    }
}

/// Which labels to print on the x axis: all when they fit, else every n-th.
fn label_every(n: usize, plot_width: f64) -> usize {
    // About 36 units per label ("28/02" at 12 units) keeps them apart.
    let fit = (plot_width / 36.0).floor().max(1.0) as usize;
    n.div_ceil(fit).max(1)
}

fn open(out: &mut String, title: &str, id: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" \
         role=\"img\" aria-labelledby=\"{id}-title\" class=\"chart\" id=\"{id}\"><title id=\"{id}-title\">{}</title>",
        xml_escape(title)
    );
    let _ = write!(out, "<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#fff\"/>");
}

/// Grid lines and y-axis labels; returns the y of a value.
fn y_axis(out: &mut String, top: f64, step: f64, unit: &str) -> impl Fn(f64) -> f64 {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = move |v: f64| TOP + plot_h - (v / top).clamp(0.0, 1.0) * plot_h;
    let mut t = 0.0;
    let mut guard = 0;
    while t <= top + 1e-9 && guard < 20 {
        let yy = y(t);
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{AXIS}\" {FONT}>{}</text>",
            WIDTH - RIGHT,
            LEFT - 4.0,
            yy + 4.0,
            fmt_tick(t)
        );
        t += step;
        guard += 1;
    }
    if !unit.is_empty() {
        let _ = write!(out, "<text x=\"4\" y=\"{:.1}\" fill=\"{AXIS}\" {FONT}>{}</text>", TOP - 10.0, xml_escape(unit));
    }
    y
}

fn x_labels(out: &mut String, labels: &[String], centre: impl Fn(usize) -> f64) {
    let every = label_every(labels.len(), WIDTH - LEFT - RIGHT);
    for (i, l) in labels.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{AXIS}\" {FONT}>{}</text>",
                centre(i),
                HEIGHT - BOTTOM + 14.0,
                xml_escape(l)
            );
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{AXIS}\" stroke-width=\"1\"/>",
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
        HEIGHT - BOTTOM
    );
}

/// A bar chart: one bar per label, values ≥ 0. `whole`: the values are counts, so the
/// axis has whole-number ticks (0–5 at least). With no data (empty or all zero) the
/// axes are drawn and the chart's `empty_note` written in the middle.
pub fn bar_chart(c: &Chart<'_>, values: &[f64], colour: &str, whole: bool) -> String {
    let labels = c.labels;
    let n = labels.len().min(values.len());
    let values: Vec<f64> = values.iter().take(n).map(|v| finite(*v)).collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let (top, step) = if whole { nice_scale(max.max(4.0)) } else { nice_scale(max) };
    let mut out = String::with_capacity(4096);
    open(&mut out, c.title, c.id);
    let y = y_axis(&mut out, top, step, c.unit);
    let plot_w = WIDTH - LEFT - RIGHT;
    let slot = if n == 0 { plot_w } else { plot_w / n as f64 };
    let bar_w = (slot * 0.7).max(1.0);
    let centre = |i: usize| LEFT + slot * (i as f64 + 0.5);
    for (i, v) in values.iter().enumerate() {
        if *v <= 0.0 {
            continue;
        }
        let y0 = y(*v);
        let h = (HEIGHT - BOTTOM - y0).max(0.5);
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{y0:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}: {}</title></rect>",
            centre(i) - bar_w / 2.0,
            xml_escape(colour),
            xml_escape(&labels[i]),
            fmt_tick(*v)
        );
    }
    x_labels(&mut out, &labels[..n], centre);
    if max <= 0.0 && !c.empty_note.is_empty() {
        empty(&mut out, c.empty_note);
    }
    out.push_str("</svg>");
    out
}

fn empty(out: &mut String, note: &str) {
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{AXIS}\" {FONT}>{}</text>",
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
        xml_escape(note)
    );
}

/// A line chart: one polyline per series over the labels, gaps where a value is `None`
/// (a lone point is drawn as a dot), with a legend above the plot.
pub fn line_chart(c: &Chart<'_>, series: &[Series<'_>]) -> String {
    let labels = c.labels;
    let n = labels.len();
    let max = series.iter().flat_map(|s| s.values.iter().take(n)).filter_map(|v| *v).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let (top, step) = nice_scale(max);
    let mut out = String::with_capacity(4096);
    open(&mut out, c.title, c.id);
    let y = y_axis(&mut out, top, step, c.unit);
    let plot_w = WIDTH - LEFT - RIGHT;
    let slot = if n == 0 { plot_w } else { plot_w / n as f64 };
    let centre = |i: usize| LEFT + slot * (i as f64 + 0.5);
    // Legend, right-aligned in the top margin.
    let mut lx = WIDTH - RIGHT;
    for s in series.iter().rev() {
        let w = 16.0 + 6.5 * s.name.chars().count() as f64;
        lx -= w + 8.0;
        let _ = write!(
            out,
            "<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"10\" y2=\"10\" stroke=\"{}\" stroke-width=\"3\"/>\
             <text x=\"{:.1}\" y=\"14\" fill=\"#1b2733\" {FONT}>{}</text>",
            lx + 12.0,
            xml_escape(s.colour),
            lx + 15.0,
            xml_escape(s.name)
        );
    }
    let mut any = false;
    for s in series {
        let colour = xml_escape(s.colour);
        let dash = if s.dashed { " stroke-dasharray=\"5 4\"" } else { "" };
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, out: &mut String| {
            match run.len() {
                0 => {}
                1 => {
                    let _ = write!(out, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{colour}\"/>", run[0].0, run[0].1);
                }
                _ => {
                    let pts: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                    let _ = write!(out, "<polyline class=\"series\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\"{}\"/>", pts.join(" "));
                    for (x, y) in run.iter() {
                        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2\" fill=\"{colour}\"/>");
                    }
                }
            }
            run.clear();
        };
        for i in 0..n {
            match s.values.get(i).copied().flatten().filter(|v| v.is_finite()) {
                Some(v) => {
                    any = true;
                    run.push((centre(i), y(v.max(0.0))));
                }
                None => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
    }
    x_labels(&mut out, labels, centre);
    if !any && !c.empty_note.is_empty() {
        empty(&mut out, c.empty_note);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (0..n).map(|i| i.to_string()).collect()
    }

    fn chart<'a>(title: &'a str, unit: &'a str, labels: &'a [String], empty_note: &'a str) -> Chart<'a> {
        Chart { id: "c", title, unit, labels, empty_note }
    }

    #[test]
    fn scales_are_nice() {
        assert_eq!(nice_scale(0.0), (1.0, 0.2));
        assert_eq!(nice_scale(f64::NAN), (1.0, 0.2));
        assert_eq!(nice_scale(7.3).0, 10.0);
        assert_eq!(nice_scale(12.0), (20.0, 5.0));
        assert_eq!(nice_scale(50.0), (50.0, 10.0));
        assert_eq!(nice_scale(51.0), (100.0, 20.0));
        assert!(nice_scale(1e300).0 >= 1e300);
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_fit_any_width() {
        let l = labels(4);
        let svg = bar_chart(&chart("Exits", "vehicles", &l, "no data"), &[1.0, 0.0, 5.0, 2.5], "#0b57a4", false);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("viewBox=\"0 0 320 200\"") && svg.contains("width=\"100%\""));
        assert_eq!(svg.matches("class=\"bar\"").count(), 3, "zero bars are not drawn");
        // The largest bar (5 on a 0–5 scale) fills the plot height: 200 - 24 - 30 = 146.
        assert!(svg.contains("height=\"146.0\""), "{svg}");
        assert!(!svg.contains("no data"));
        assert!(svg.contains("<title>Exits</title>") || svg.contains(">Exits</title>"));
    }

    #[test]
    fn empty_and_hostile_input_draw_a_valid_chart() {
        let svg = bar_chart(&chart("<script>", "a&b", &[], "no data"), &[], "red", true);
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains("a&amp;b") && svg.contains("no data"));
        let l = labels(3);
        let svg = bar_chart(&chart("t", "", &l, "none"), &[f64::NAN, f64::INFINITY, -4.0], "red", false);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(svg.contains("none"));
        // More values than labels: the extra values are ignored.
        let l = labels(1);
        let svg = bar_chart(&chart("t", "", &l, ""), &[1.0, 2.0], "red", false);
        assert_eq!(svg.matches("class=\"bar\"").count(), 1);
    }

    #[test]
    fn many_labels_are_thinned_so_they_do_not_overlap() {
        let l = labels(24);
        let svg = bar_chart(&chart("t", "", &l, ""), &[1.0; 24], "red", true);
        let printed = svg.matches("text-anchor=\"middle\"").count();
        assert!((6..24).contains(&printed), "{printed} labels");
    }

    #[test]
    fn counts_get_whole_ticks() {
        let l = labels(2);
        let svg = bar_chart(&chart("t", "", &l, ""), &[1.0, 0.0], "red", true);
        assert!(!svg.contains(">0.2<") && svg.contains(">5<"), "{svg}");
        let svg = bar_chart(&chart("t", "", &l, ""), &[1.0, 0.0], "red", false);
        assert!(svg.contains(">0.2<"));
    }

    #[test]
    fn lines_break_at_gaps_and_show_a_legend() {
        let p50 = [Some(10.0), Some(12.0), None, Some(8.0)];
        let p90 = [Some(30.0), None, None, None];
        let s = [Series { name: "p50", colour: "#00f", dashed: false, values: &p50 }, Series { name: "p90", colour: "#f80", dashed: true, values: &p90 }];
        let l = labels(4);
        let svg = line_chart(&chart("Clearance", "min", &l, "no data"), &s);
        assert_eq!(svg.matches("<polyline").count(), 1, "p50's first run; its last point and p90 are dots");
        assert!(svg.contains(">p50</text>") && svg.contains(">p90</text>"));
        assert!(!svg.contains("no data"));
        let none = [None, None];
        let l = labels(2);
        let svg = line_chart(&chart("t", "", &l, "no data"), &[Series { name: "x", colour: "red", dashed: false, values: &none }]);
        assert!(svg.contains("no data") && !svg.contains("<polyline"));
    }
}
