//! Planar geometry in SVG units: clipping to a rectangle, rounding to the
//! output precision and path-data writing.

use crate::xml::{tenths, write_tenths};

/// A point in SVG units.
pub(crate) type Pt = (f64, f64);
/// A point in tenths of SVG units (the output precision).
pub(crate) type IPt = (i64, i64);

/// Largest magnitude a projected coordinate is allowed to have before
/// clipping; keeps all arithmetic finite for absurd inputs.
const COORD_LIMIT: f64 = 1e9;

/// Makes a projected point safe for arithmetic: `None` for NaN, infinities
/// and huge values clamped to ±[`COORD_LIMIT`].
pub(crate) fn sanitize(p: Pt) -> Option<Pt> {
    if p.0.is_nan() || p.1.is_nan() {
        return None;
    }
    Some((
        p.0.clamp(-COORD_LIMIT, COORD_LIMIT),
        p.1.clamp(-COORD_LIMIT, COORD_LIMIT),
    ))
}

/// Axis-aligned clipping rectangle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    fn contains(&self, p: Pt) -> bool {
        p.0 >= self.x0 && p.0 <= self.x1 && p.1 >= self.y0 && p.1 <= self.y1
    }
}

/// One Sutherland–Hodgman pass against a single half-plane.
fn clip_half(input: &[Pt], inside: impl Fn(Pt) -> bool, cross: impl Fn(Pt, Pt) -> Pt) -> Vec<Pt> {
    let mut out = Vec::with_capacity(input.len() + 4);
    let Some(&last) = input.last() else {
        return out;
    };
    let mut prev = last;
    let mut prev_in = inside(prev);
    for &cur in input {
        let cur_in = inside(cur);
        if cur_in != prev_in {
            out.push(cross(prev, cur));
        }
        if cur_in {
            out.push(cur);
        }
        prev = cur;
        prev_in = cur_in;
    }
    out
}

/// Clips a closed ring (implicitly closed; a repeated closing point is
/// harmless) to `r` with Sutherland–Hodgman. For points inside `r` the
/// winding number is preserved, so even-odd filling of a set of clipped
/// rings equals the original fill intersected with `r`. Degenerate edges
/// along the border may appear; they lie in the margin outside the viewBox.
pub(crate) fn clip_ring(ring: &[Pt], r: &Rect) -> Vec<Pt> {
    if ring.iter().all(|&p| r.contains(p)) {
        return ring.to_vec();
    }
    // `cross` is only called for one point strictly inside and one strictly
    // outside the half-plane, so the denominators are never zero.
    let at_x = |p: Pt, q: Pt, x: f64| (x, p.1 + (x - p.0) / (q.0 - p.0) * (q.1 - p.1));
    let at_y = |p: Pt, q: Pt, y: f64| (p.0 + (y - p.1) / (q.1 - p.1) * (q.0 - p.0), y);
    let v = clip_half(ring, |p| p.0 >= r.x0, |p, q| at_x(p, q, r.x0));
    let v = clip_half(&v, |p| p.0 <= r.x1, |p, q| at_x(p, q, r.x1));
    let v = clip_half(&v, |p| p.1 >= r.y0, |p, q| at_y(p, q, r.y0));
    clip_half(&v, |p| p.1 <= r.y1, |p, q| at_y(p, q, r.y1))
}

/// Liang–Barsky clipping of the segment `p`–`q` to `r`. Unclipped ends are
/// returned bit-identical so that continuity can be tested with `==`.
fn clip_segment(p: Pt, q: Pt, r: &Rect) -> Option<(Pt, Pt)> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (pk, qk) in [
        (-dx, p.0 - r.x0),
        (dx, r.x1 - p.0),
        (-dy, p.1 - r.y0),
        (dy, r.y1 - p.1),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return None;
            }
        } else {
            let t = qk / pk;
            if pk < 0.0 {
                if t > t1 {
                    return None;
                }
                t0 = t0.max(t);
            } else {
                if t < t0 {
                    return None;
                }
                t1 = t1.min(t);
            }
        }
    }
    let a = if t0 == 0.0 {
        p
    } else {
        (p.0 + t0 * dx, p.1 + t0 * dy)
    };
    let b = if t1 == 1.0 {
        q
    } else {
        (p.0 + t1 * dx, p.1 + t1 * dy)
    };
    Some((a, b))
}

/// Clips an open polyline to `r`, splitting it where it leaves and
/// re-enters the rectangle.
pub(crate) fn clip_polyline(line: &[Pt], r: &Rect) -> Vec<Vec<Pt>> {
    if line.iter().all(|&p| r.contains(p)) {
        return vec![line.to_vec()];
    }
    let mut pieces = Vec::new();
    let mut cur: Vec<Pt> = Vec::new();
    for w in line.windows(2) {
        match clip_segment(w[0], w[1], r) {
            Some((a, b)) => {
                if cur.last() != Some(&a) {
                    if cur.len() >= 2 {
                        pieces.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    cur.push(a);
                }
                cur.push(b);
            }
            None => {
                if cur.len() >= 2 {
                    pieces.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() >= 2 {
        pieces.push(cur);
    }
    pieces
}

/// Rounds to tenths and drops consecutive duplicates.
fn round_dedup(pts: &[Pt]) -> Vec<IPt> {
    let mut v: Vec<IPt> = Vec::with_capacity(pts.len());
    for &(x, y) in pts {
        let q = (tenths(x), tenths(y));
        if v.last() != Some(&q) {
            v.push(q);
        }
    }
    v
}

/// Are there at least `n` distinct points in `v`?
fn distinct_at_least(v: &[IPt], n: usize) -> bool {
    if v.len() < n {
        return false;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    s.dedup();
    s.len() >= n
}

/// Rounds a ring to the output precision, drops consecutive duplicates and
/// the explicit closing point(s); `None` if fewer than 3 distinct points
/// remain.
pub(crate) fn round_ring(ring: &[Pt]) -> Option<Vec<IPt>> {
    let mut v = round_dedup(ring);
    while v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    distinct_at_least(&v, 3).then_some(v)
}

/// Rounds a polyline to the output precision and drops consecutive
/// duplicates; `None` if fewer than 2 distinct points remain.
pub(crate) fn round_line(line: &[Pt]) -> Option<Vec<IPt>> {
    let v = round_dedup(line);
    distinct_at_least(&v, 2).then_some(v)
}

/// Appends SVG path data for `pts` (`M x y L x y …`, plus `Z` if `close`).
pub(crate) fn write_path(out: &mut String, pts: &[IPt], close: bool) {
    for (i, &(x, y)) in pts.iter().enumerate() {
        out.push(if i == 0 { 'M' } else { 'L' });
        write_tenths(out, x);
        out.push(' ');
        write_tenths(out, y);
    }
    if close && !pts.is_empty() {
        out.push('Z');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: Rect = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: 10.0,
        y1: 10.0,
    };

    fn area(ring: &[Pt]) -> f64 {
        let n = ring.len();
        (0..n)
            .map(|i| {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn ring_inside_is_untouched() {
        let ring = vec![(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 1.0)];
        assert_eq!(clip_ring(&ring, &R), ring);
    }

    #[test]
    fn ring_covering_rect_becomes_rect() {
        let ring = vec![(-5.0, -5.0), (15.0, -5.0), (15.0, 15.0), (-5.0, 15.0)];
        let c = clip_ring(&ring, &R);
        assert!((area(&c).abs() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn ring_half_outside_is_halved() {
        let ring = vec![(5.0, 2.0), (15.0, 2.0), (15.0, 4.0), (5.0, 4.0)];
        let c = clip_ring(&ring, &R);
        assert!((area(&c).abs() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn ring_outside_vanishes() {
        let ring = vec![(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)];
        assert!(clip_ring(&ring, &R).is_empty());
    }

    #[test]
    fn polyline_splits_on_exit_and_reentry() {
        let line = vec![(1.0, 5.0), (20.0, 5.0), (20.0, 6.0), (1.0, 6.0)];
        let pieces = clip_polyline(&line, &R);
        assert_eq!(
            pieces,
            vec![vec![(1.0, 5.0), (10.0, 5.0)], vec![(10.0, 6.0), (1.0, 6.0)]]
        );
    }

    #[test]
    fn polyline_crossing_through() {
        let pieces = clip_polyline(&[(-5.0, 5.0), (15.0, 5.0)], &R);
        assert_eq!(pieces, vec![vec![(0.0, 5.0), (10.0, 5.0)]]);
        assert!(clip_polyline(&[(-5.0, -5.0), (-1.0, 20.0)], &R).is_empty());
    }

    #[test]
    fn rounding_collapses_tiny_rings() {
        assert_eq!(
            round_ring(&[(0.0, 0.0), (0.01, 0.0), (0.0, 0.02), (0.0, 0.0)]),
            None
        );
        assert_eq!(
            round_ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
            Some(vec![(0, 0), (10, 0), (10, 10)])
        );
        // Back and forth between two points: 2 distinct only.
        assert_eq!(
            round_ring(&[(0.0, 0.0), (1.0, 0.0), (0.0, 0.0), (1.0, 0.0)]),
            None
        );
    }

    #[test]
    fn path_data() {
        let mut s = String::new();
        write_path(&mut s, &[(0, 0), (15, -5), (100, 0)], true);
        assert_eq!(s, "M0 0L1.5 -0.5L10 0Z");
    }

    #[test]
    fn sanitize_rejects_nan_and_clamps() {
        assert_eq!(sanitize((f64::NAN, 0.0)), None);
        assert_eq!(
            sanitize((f64::INFINITY, -1e300)),
            Some((COORD_LIMIT, -COORD_LIMIT))
        );
    }
}
