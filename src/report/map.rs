//! The map: every bundled postcode-sector centroid as a faint dot (which draws England
//! and Wales without any outline data), and a line from each child's home area to the
//! chosen home, coloured by the placement's weekly cost.
//!
//! Projection: equirectangular with longitude scaled by cos(mid-latitude), which keeps
//! shapes right to within a few percent over England and Wales.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use maud::{html, Markup};

use super::svg::{colour_legend, f1, viridis};
use crate::input::geography::Geography;

/// One child on the map.
pub(super) struct Trip {
    /// Child id.
    pub child: String,
    /// Urgency name (for the filter).
    pub urgency: &'static str,
    /// Responsible authority code (for the filter).
    pub la: String,
    /// Child's home area (lat, lon).
    pub from: (f64, f64),
    /// Chosen home (lat, lon), `None` when not placed.
    pub to: Option<(f64, f64)>,
    /// Weekly cost of the placement (colour).
    pub cost: f64,
    /// Tooltip.
    pub title: String,
}

/// A lat/lon box drawn `width` units wide.
#[derive(Debug, Clone, Copy)]
struct View {
    lat_min: f64,
    lat_max: f64,
    lon_min: f64,
    lon_max: f64,
    k: f64,
    scale: f64,
    w: f64,
    h: f64,
}

impl View {
    fn fit(lat_min: f64, lat_max: f64, lon_min: f64, lon_max: f64, width: f64) -> View {
        let k = ((lat_min + lat_max) / 2.0).to_radians().cos();
        let scale = width / ((lon_max - lon_min) * k);
        View {
            lat_min,
            lat_max,
            lon_min,
            lon_max,
            k,
            scale,
            w: width,
            h: (lat_max - lat_min) * scale,
        }
    }

    fn xy(&self, (lat, lon): (f64, f64)) -> (f64, f64) {
        (
            (lon - self.lon_min) * self.k * self.scale,
            (self.lat_max - lat) * self.scale,
        )
    }

    fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.lat_min..=self.lat_max).contains(&lat) && (self.lon_min..=self.lon_max).contains(&lon)
    }
}

/// The map figure: England and Wales, plus a close-up when the batch sits in a small
/// part of it.
pub(super) fn maps(trips: &[Trip]) -> Markup {
    let geo = Geography::get();
    let (mut la0, mut la1, mut lo0, mut lo1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for s in &geo.sectors {
        la0 = la0.min(s.lat);
        la1 = la1.max(s.lat);
        lo0 = lo0.min(s.lon);
        lo1 = lo1.max(s.lon);
    }
    let pad = 0.15;
    let whole = (la0 - pad, la1 + pad, lo0 - pad, lo1 + pad);
    let detail = close_up(trips, whole);
    let costs: Vec<f64> = trips.iter().filter(|t| t.to.is_some()).map(|t| t.cost).collect();
    let lo = costs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = costs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let colour = |c: f64| {
        if hi > lo {
            viridis((c - lo) / (hi - lo))
        } else {
            viridis(0.5)
        }
    };
    let overview = View::fit(
        whole.0,
        whole.1,
        whole.2,
        whole.3,
        if detail.is_some() { 330.0 } else { 620.0 },
    );
    let placed = trips.iter().filter(|t| t.to.is_some()).count();
    let unplaced = trips.len() - placed;
    html! {
        figure #map {
            div.maps {
                (panel(&overview, trips, &colour, detail.as_ref(), "England and Wales", detail.is_none()))
                @if let Some(d) = &detail {
                    (panel(d, trips, &colour, None, "Close-up of the batch's area", true))
                }
            }
            figcaption {
                div.legend {
                    @if placed > 0 {
                        (colour_legend("costscale", lo.min(hi), hi, crate::support::money::pounds, "Weekly cost of the placement"))
                        span { "Line colour: the placement's cost score (£-equivalent a week: price plus weighted distance, area, quality and needs)." }
                    }
                    span { (key_marker()) }
                }
                p {
                    "Each line joins a child's home postcode sector (circle) to the chosen home (square); a cross marks a child not placed. "
                    "Grey dots are the " (crate::support::money::group(geo.sectors.len() as u64)) " bundled postcode-sector centroids. "
                    (placed) " placed, " (unplaced) " not placed. Hover over a line for the child, home, cost and distance."
                    @if placed > CROWD { " With more than " (CROWD) " placements the lines are drawn thin and faint, without end markers, so that where many overlap the colour deepens rather than merging into blobs." }
                }
            }
        }
    }
}

/// Placements above which a map thins its lines and leaves out the end markers.
const CROWD: usize = 400;

/// The smallest box around every trip, padded and shaped to a readable aspect; `None`
/// when that is most of the country anyway.
fn close_up(trips: &[Trip], whole: (f64, f64, f64, f64)) -> Option<View> {
    let points: Vec<(f64, f64)> = trips.iter().flat_map(|t| std::iter::once(t.from).chain(t.to)).collect();
    if points.is_empty() {
        return None;
    }
    let (mut a0, mut a1, mut o0, mut o1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(lat, lon) in &points {
        a0 = a0.min(lat);
        a1 = a1.max(lat);
        o0 = o0.min(lon);
        o1 = o1.max(lon);
    }
    if a1 - a0 > 0.5 * (whole.1 - whole.0) || o1 - o0 > 0.5 * (whole.3 - whole.2) {
        return None;
    }
    let k = ((a0 + a1) / 2.0).to_radians().cos();
    let pad = (0.08 * (a1 - a0).max((o1 - o0) * k)).max(0.05);
    let (mut a0, mut a1, mut o0, mut o1) = (a0 - pad, a1 + pad, o0 - pad / k, o1 + pad / k);
    // Aspect (height / width) between 0.6 and 1.1: neither a ribbon nor a tower.
    let (wu, hu) = ((o1 - o0) * k, a1 - a0);
    if hu / wu < 0.6 {
        let grow = (0.6 * wu - hu) / 2.0;
        a0 -= grow;
        a1 += grow;
    } else if hu / wu > 1.1 {
        let grow = (hu / 1.1 - wu) / 2.0 / k;
        o0 -= grow;
        o1 += grow;
    }
    Some(View::fit(a0, a1, o0, o1, 780.0))
}

fn panel(
    v: &View,
    trips: &[Trip],
    colour: &dyn Fn(f64) -> String,
    inset: Option<&View>,
    name: &str,
    detailed: bool,
) -> Markup {
    let geo = Geography::get();
    // Dots on a whole-unit grid: duplicates merge, so a dense city costs no more bytes
    // than its area.
    let mut cells = BTreeSet::new();
    for s in geo.sectors.iter().filter(|s| v.contains(s.lat, s.lon)) {
        let (x, y) = v.xy((s.lat, s.lon));
        cells.insert((x.round() as i32, y.round() as i32));
    }
    let mut dots = String::with_capacity(cells.len() * 10);
    for (x, y) in &cells {
        let _ = write!(dots, "M{x} {y}h0");
    }
    let (dot, line, mark) = if detailed { (2.6, 2.2, 3.2) } else { (1.7, 1.1, 1.8) };
    // Thousands of lines at full width and opacity merge into blobs: past CROWD placements the
    // lines thin and fade (so density shows as depth of colour) and the end markers go.
    let n = trips.iter().filter(|t| t.to.is_some()).count();
    let crowded = n > CROWD;
    let (line, alpha) = if crowded {
        ((line * (CROWD as f64 / n as f64).sqrt()).max(0.3), 0.35)
    } else {
        (line, 1.0)
    };
    let markers = detailed && !crowded;
    // A close-up names its districts (at the mean of their sector centroids) so a
    // reader can tell where they are; a whole-country view would be a crowd of names.
    let mut districts: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    if inset.is_none() && detailed && cells.len() < 3000 {
        for s in geo.sectors.iter().filter(|s| v.contains(s.lat, s.lon)) {
            let e = districts.entry(s.lad.as_str()).or_default();
            e.0 += s.lat;
            e.1 += s.lon;
            e.2 += 1;
        }
    }
    let labels: Vec<(f64, f64, &str)> = if districts.len() <= 40 {
        districts
            .iter()
            .filter_map(|(lad, &(la, lo, n))| {
                let name = geo.districts.get(*lad).map(|a| a.lad_name.as_str())?;
                let (x, y) = v.xy((la / n as f64, lo / n as f64));
                // Names near an edge would be cut off.
                let inside = (45.0..=v.w - 45.0).contains(&x) && (14.0..=v.h - 6.0).contains(&y);
                inside.then_some((x, y, name))
            })
            .collect()
    } else {
        Vec::new()
    };
    // A close-up has few dots: darker, so the land still reads.
    let dot_colour = if cells.len() < 3000 { "#aab2bd" } else { "#c4cad3" };
    let title_id = format!("map-{}", if inset.is_some() || !detailed { "all" } else { "zoom" });
    let h = v.h.round();
    html! {
        svg width=(v.w) height=(h) viewBox=(format!("0 0 {} {h}", v.w)) role="img" aria-labelledby=(title_id) {
            title id=(title_id) { (name) ": postcode-sector centroids and a line from each child's home area to the chosen home" }
            path d=(dots) stroke=(dot_colour) stroke-width=(dot) stroke-linecap="round" fill="none" {}
            @for (x, y, name) in &labels {
                text x=(f1(*x)) y=(f1(*y)) text-anchor="middle" class="place" { (name) }
            }
            @if let Some(i) = inset {
                @let (x0, y0) = v.xy((i.lat_max, i.lon_min));
                @let (x1, y1) = v.xy((i.lat_min, i.lon_max));
                rect x=(f1(x0)) y=(f1(y0)) width=(f1(x1 - x0)) height=(f1(y1 - y0)) fill="none" stroke="#1b2230" stroke-width="1" stroke-dasharray="3 2" {}
            }
            @for t in trips.iter().filter(|t| t.to.is_some()) {
                @let (x0, y0) = v.xy(t.from);
                @let (x1, y1) = v.xy(t.to.unwrap_or(t.from));
                @let c = colour(t.cost);
                g data-child=(t.child) data-u=(t.urgency) data-la=(t.la) {
                    @if detailed { title { (t.title) } }
                    line x1=(f1(x0)) y1=(f1(y0)) x2=(f1(x1)) y2=(f1(y1)) stroke=(c) stroke-width=(f1(line)) stroke-opacity=(alpha) stroke-linecap="round" {}
                    @if markers {
                        circle cx=(f1(x0)) cy=(f1(y0)) r=(mark * 0.8) fill="#fff" stroke="#1b2230" stroke-width=".8" {}
                        rect x=(f1(x1 - mark)) y=(f1(y1 - mark)) width=(mark * 2.0) height=(mark * 2.0) fill=(c) stroke="#1b2230" stroke-width=".6" {}
                    }
                }
            }
            @for t in trips.iter().filter(|t| t.to.is_none()) {
                @let (x, y) = v.xy(t.from);
                @let m = mark * 1.3;
                g data-child=(t.child) data-u=(t.urgency) data-la=(t.la) {
                    @if detailed { title { (t.title) } }
                    path d=(format!("M{} {}l{} {}m0 {}l{} {}", f1(x - m), f1(y - m), f1(2.0 * m), f1(2.0 * m), f1(-2.0 * m), f1(-2.0 * m), f1(2.0 * m))) stroke="#d55e00" stroke-width=(line * 1.3) stroke-linecap="round" fill="none" {}
                }
            }
        }
    }
}

/// The key to the markers.
fn key_marker() -> Markup {
    html! {
        svg width="300" height="18" viewBox="0 0 300 18" role="img" aria-label="Markers: circle, child's home area; square, chosen home; cross, not placed" {
            circle cx="8" cy="9" r="3" fill="#fff" stroke="#1b2230" {}
            text x="16" y="13" class="lbl" { "child's home area" }
            rect x="122" y="5" width="8" height="8" fill=(viridis(0.5)) stroke="#1b2230" stroke-width=".6" {}
            text x="135" y="13" class="lbl" { "chosen home" }
            path d="M215 5l8 8m0-8l-8 8" stroke="#d55e00" stroke-width="2.4" stroke-linecap="round" {}
            text x="229" y="13" class="lbl" { "not placed" }
        }
    }
}
