//! Small shared pieces of the SVG templates: number formatting, the colour scales and
//! the colour legend.

use maud::{html, Markup};

/// A coordinate with at most one decimal, without a trailing `.0` (keeps the file small).
pub(super) fn f1(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Viridis (perceptually uniform, colour-blind safe, legible in grey), stopped at 0.9 so
/// the dearest end stays dark enough to see against white.
pub(super) fn viridis(t: f64) -> String {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.5 };
    format!("#{:x}", colorous::VIRIDIS.eval_continuous(0.9 * t))
}

/// Number of alternative colours (Okabe–Ito, then near-black and ochre) defined in the style
/// sheet as `.a0`…`.a7`: eight, so every rule of a simulation has a colour of its own.
pub(super) const ALT_COLOURS: usize = 8;

/// A horizontal colour bar for a continuous scale from `lo` to `hi`, labelled with
/// `label` at three ticks.
pub(super) fn colour_legend(id: &str, lo: f64, hi: f64, label: impl Fn(f64) -> String, caption: &str) -> Markup {
    let stops: Vec<(f64, String)> = (0..=10).map(|i| (i as f64 / 10.0, viridis(i as f64 / 10.0))).collect();
    let (w, x0) = (240.0, 10.0);
    html! {
        svg width="260" height="40" viewBox="0 0 260 40" role="img" aria-label=(format!("{caption}: from {} to {}", label(lo), label(hi))) {
            defs {
                linearGradient id=(id) x1="0" x2="1" y1="0" y2="0" {
                    @for (o, c) in &stops { stop offset=(f1(*o * 100.0) + "%") stop-color=(c) {} }
                }
            }
            rect x=(x0) y="2" width=(w) height="12" fill=(format!("url(#{id})")) stroke="#1b2230" stroke-width=".5" {}
            @for (i, anchor) in [(0, "start"), (1, "middle"), (2, "end")] {
                @let v = lo + (hi - lo) * i as f64 / 2.0;
                @let x = x0 + w * i as f64 / 2.0;
                line x1=(f1(x)) x2=(f1(x)) y1="14" y2="18" stroke="#1b2230" {}
                text x=(f1(x)) y="30" text-anchor=(anchor) class="lbl" { (label(v)) }
            }
        }
    }
}

/// The colours of `.a0`…`.a7`, for strokes (a series' line).
pub(super) const OKABE_ITO: [&str; ALT_COLOURS] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#1b2230", "#a6761d",
];

/// Dash patterns that tell series apart without colour (print in grey, colour blindness).
const DASHES: [&str; 4] = ["", "6 3", "2 2", "8 3 2 3"];

/// One bar of a horizontal bar chart.
pub(super) struct Bar {
    /// Group heading drawn above the group's first bar (e.g. the batch), if any.
    pub group: Option<String>,
    /// The bar's label (e.g. the rule).
    pub label: String,
    /// Series index: picks the colour.
    pub series: usize,
    /// The value (negative values are drawn as 0-length bars; their label still shows).
    pub value: f64,
}

/// A small horizontal bar chart: one labelled bar per entry, value written at its end, so
/// the chart reads without colour. Groups start with their heading.
pub(super) fn hbar_chart(bars: &[Bar], fmt: impl Fn(f64) -> String, aria: &str) -> Markup {
    let (label_w, bar_w, row_h, group_h) = (110.0, 260.0, 18.0, 16.0);
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { bar_w / max } else { 0.0 };
    let mut rows = Vec::new();
    let mut y = 4.0;
    let mut last_group: Option<&str> = None;
    for b in bars {
        let heading = match (&b.group, last_group) {
            (Some(g), Some(l)) if g == l => None,
            (Some(g), _) => Some(g.clone()),
            _ => None,
        };
        last_group = b.group.as_deref();
        if heading.is_some() {
            y += group_h;
        }
        rows.push((heading, y, b));
        y += row_h;
    }
    let h = y + 4.0;
    let w = label_w + bar_w + 90.0;
    html! {
        svg width=(f1(w)) height=(f1(h)) viewBox=(format!("0 0 {} {}", f1(w), f1(h))) role="img" aria-label=(aria) {
            @for (heading, y, b) in &rows {
                @if let Some(g) = heading { text x="0" y=(f1(y - 4.0)) class="lbl" font-weight="600" { (g) } }
                text x=(f1(label_w - 6.0)) y=(f1(y + 12.0)) text-anchor="end" class="lbl" { (b.label) }
                rect x=(f1(label_w)) y=(f1(y + 2.0)) width=(f1((b.value.max(0.0) * scale).max(0.5))) height="13"
                    class=(format!("a{}", b.series % ALT_COLOURS)) {}
                text x=(f1(label_w + b.value.max(0.0) * scale + 4.0)) y=(f1(y + 12.0)) class="lbl" { (fmt(b.value)) }
            }
            line x1=(f1(label_w)) x2=(f1(label_w)) y1="4" y2=(f1(h - 4.0)) stroke="#1b2230" {}
        }
    }
}

/// One line of a line chart.
pub(super) struct Series {
    /// Its name, in the legend.
    pub name: String,
    /// Series index: picks colour and dash.
    pub index: usize,
    /// (x, y) points in x order.
    pub points: Vec<(f64, f64)>,
    /// Half-width of a confidence band around each point (empty: no band).
    pub band: Vec<f64>,
}

/// A line chart of several series on shared axes (y from 0 when all values are ≥ 0), with
/// three labelled ticks per axis and a legend naming each series by colour and dash.
pub(super) fn line_chart(series: &[Series], x_label: &str, fmt_y: impl Fn(f64) -> String, aria: &str) -> Markup {
    // The legend takes rows of four series below the x axis.
    let legend_rows = series.len().div_ceil(4).max(1) as f64;
    let (w, left, right, top) = (520.0, 62.0, 12.0, 10.0);
    let bottom = 38.0 + 14.0 * legend_rows;
    let h = 158.0 + bottom;
    let pts = || series.iter().flat_map(|s| s.points.iter());
    // Counts and spend are never negative: a band is then cut at 0, and so are the ticks.
    let floor = if pts().all(|p| p.1 >= 0.0) { 0.0 } else { f64::MIN };
    let low = |p: &(f64, f64), h: &f64| (p.1 - h).max(floor);
    // The band's edges count towards the y range, so a band is never clipped.
    let edges = || {
        series.iter().flat_map(|s| {
            s.points
                .iter()
                .zip(&s.band)
                .flat_map(|(p, h)| [(p.0, low(p, h)), (p.0, p.1 + h)])
        })
    };
    let (x0, x1) = pts().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pts()
        .copied()
        .chain(edges())
        .fold((0.0_f64, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (x0, x1) = if x0 < x1 {
        (x0, x1)
    } else {
        (x0.min(0.0), x0.max(0.0) + 1.0)
    };
    let y1 = if y1 > y0 { y1 } else { y0 + 1.0 };
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let py = |y: f64| top + (1.0 - (y - y0) / (y1 - y0)) * (h - top - bottom);
    let path = |s: &Series| {
        s.points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}{},{}", if i == 0 { "M" } else { "L" }, f1(px(p.0)), f1(py(p.1))))
            .collect::<String>()
    };
    let ticks = [0.0, 0.5, 1.0];
    html! {
        svg width=(f1(w)) height=(f1(h)) viewBox=(format!("0 0 {} {}", f1(w), f1(h))) role="img" aria-label=(aria) {
            @for t in ticks {
                @let y = y0 + (y1 - y0) * t;
                line x1=(f1(left)) x2=(f1(w - right)) y1=(f1(py(y))) y2=(f1(py(y))) stroke="#d9dee6" {}
                text x=(f1(left - 4.0)) y=(f1(py(y) + 3.5)) text-anchor="end" { (fmt_y(y)) }
                // Whole x ticks: days are whole.
                @let x = (x0 + (x1 - x0) * t).round();
                text x=(f1(px(x))) y=(f1(h - bottom + 13.0)) text-anchor="middle" { (f1(x)) }
            }
            line x1=(f1(left)) x2=(f1(left)) y1=(f1(top)) y2=(f1(h - bottom)) stroke="#1b2230" {}
            line x1=(f1(left)) x2=(f1(w - right)) y1=(f1(h - bottom)) y2=(f1(h - bottom)) stroke="#1b2230" {}
            text x=(f1((left + w - right) / 2.0)) y=(f1(h - bottom + 26.0)) text-anchor="middle" class="lbl" { (x_label) }
            @for s in series.iter().filter(|s| s.band.iter().any(|&h| h > 0.0)) {
                @let upper = s.points.iter().zip(&s.band).map(|(p, h)| format!("{},{}", f1(px(p.0)), f1(py(p.1 + h))));
                @let lower = s.points.iter().zip(&s.band).rev().map(|(p, h)| format!("{},{}", f1(px(p.0)), f1(py(low(p, h)))));
                polygon points=(upper.chain(lower).collect::<Vec<_>>().join(" ")) fill=(OKABE_ITO[s.index % ALT_COLOURS])
                    fill-opacity="0.15" stroke="none" {}
            }
            @for s in series {
                path d=(path(s)) fill="none" stroke=(OKABE_ITO[s.index % ALT_COLOURS]) stroke-width="1.8"
                    stroke-dasharray=(DASHES[s.index % DASHES.len()]) {}
            }
            @for (i, s) in series.iter().enumerate() {
                @let lx = left + 110.0 * (i % 4) as f64;
                @let ly = h - bottom + 40.0 + 14.0 * (i / 4) as f64;
                line x1=(f1(lx)) x2=(f1(lx + 22.0)) y1=(f1(ly)) y2=(f1(ly)) stroke=(OKABE_ITO[s.index % ALT_COLOURS])
                    stroke-width="2.5" stroke-dasharray=(DASHES[s.index % DASHES.len()]) {}
                text x=(f1(lx + 26.0)) y=(f1(ly + 3.5)) class="lbl" { (s.name) }
            }
        }
    }
}

/// One estimate of an interval chart.
pub(super) struct Interval {
    /// Its label (e.g. the rule).
    pub label: String,
    /// Series index: picks the colour.
    pub series: usize,
    /// The mean.
    pub mean: f64,
    /// The 95% interval, when there is one.
    pub ci: Option<(f64, f64)>,
}

/// Means as dots with their 95% confidence intervals as whiskers, one row per estimate, the
/// numbers written beside them. With `nonnegative` (counts, £) an interval is cut at 0.
pub(super) fn interval_chart(rows: &[Interval], fmt: impl Fn(f64) -> String, aria: &str, nonnegative: bool) -> Markup {
    let (label_w, plot_w, row_h, text_w) = (110.0, 220.0, 20.0, 250.0);
    let clamp = |c: (f64, f64)| if nonnegative { (c.0.max(0.0), c.1.max(0.0)) } else { c };
    let rows: Vec<Interval> = rows
        .iter()
        .map(|r| Interval {
            label: r.label.clone(),
            series: r.series,
            mean: r.mean,
            ci: r.ci.map(clamp),
        })
        .collect();
    let lo = rows
        .iter()
        .map(|r| r.ci.map_or(r.mean, |c| c.0))
        .fold(0.0_f64, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.ci.map_or(r.mean, |c| c.1))
        .fold(f64::MIN, f64::max);
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let px = |x: f64| label_w + (x - lo) / (hi - lo) * plot_w;
    let h = 8.0 + row_h * rows.len() as f64;
    let w = label_w + plot_w + text_w;
    html! {
        svg width=(f1(w)) height=(f1(h)) viewBox=(format!("0 0 {} {}", f1(w), f1(h))) role="img" aria-label=(aria) {
            line x1=(f1(px(lo))) x2=(f1(px(lo))) y1="4" y2=(f1(h - 4.0)) stroke="#1b2230" {}
            @for (i, r) in rows.iter().enumerate() {
                @let y = 4.0 + row_h * i as f64 + row_h / 2.0;
                text x=(f1(label_w - 6.0)) y=(f1(y + 4.0)) text-anchor="end" class="lbl" { (r.label) }
                @if let Some((a, b)) = r.ci {
                    line x1=(f1(px(a))) x2=(f1(px(b))) y1=(f1(y)) y2=(f1(y)) stroke=(OKABE_ITO[r.series % ALT_COLOURS]) stroke-width="3" {}
                    line x1=(f1(px(a))) x2=(f1(px(a))) y1=(f1(y - 5.0)) y2=(f1(y + 5.0)) stroke="#1b2230" {}
                    line x1=(f1(px(b))) x2=(f1(px(b))) y1=(f1(y - 5.0)) y2=(f1(y + 5.0)) stroke="#1b2230" {}
                }
                circle cx=(f1(px(r.mean))) cy=(f1(y)) r="4" class=(format!("a{}", r.series % ALT_COLOURS)) stroke="#1b2230" {}
                text x=(f1(label_w + plot_w + 10.0)) y=(f1(y + 4.0)) class="lbl" {
                    (fmt(r.mean))
                    @if let Some((a, b)) = r.ci { " (" (fmt(a)) " to " (fmt(b)) ")" }
                }
            }
        }
    }
}

/// A mean with its 95% interval, when there is one.
pub(super) type Ranged = (f64, Option<(f64, f64)>);

/// One point of a trade-off chart: two estimates of one run, with their 95% intervals.
pub(super) struct TradePoint {
    /// Its label, written beside the dot (e.g. `per_km=5`).
    pub label: String,
    /// Series index: picks the colour; a series' points are joined in the order given.
    pub series: usize,
    /// The x mean and its interval.
    pub x: Ranged,
    /// The y mean and its interval.
    pub y: Ranged,
}

/// A trade-off chart: each point a dot at (x, y) with whiskers for both intervals, labelled,
/// the points of a series joined in order so the path a weight traces reads at a glance.
/// Axes span the points and their intervals with a margin (never below 0 when every value is
/// ≥ 0: counts and money), three ticks each; a legend names each series by colour.
pub(super) fn tradeoff_chart(
    points: &[TradePoint],
    names: &[String],
    (x_label, fmt_x): (&str, &dyn Fn(f64) -> String),
    (y_label, fmt_y): (&str, &dyn Fn(f64) -> String),
    aria: &str,
) -> Markup {
    let legend_rows = if names.len() > 1 { names.len().div_ceil(4) } else { 0 } as f64;
    let (w, left, right, top) = (520.0, 70.0, 60.0, 16.0);
    let bottom = 44.0 + 14.0 * legend_rows;
    let h = 260.0 + bottom;
    let span = |get: &dyn Fn(&TradePoint) -> Ranged| {
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for p in points {
            let (m, ci) = get(p);
            let (a, b) = ci.unwrap_or((m, m));
            lo = lo.min(a.min(m));
            hi = hi.max(b.max(m));
        }
        if lo > hi {
            return (0.0, 1.0);
        }
        // A margin of a tenth either side, so labels and whiskers stay inside.
        let pad = if hi > lo {
            (hi - lo) / 10.0
        } else {
            lo.abs().max(1.0) / 10.0
        };
        let floor = if lo >= 0.0 { 0.0 } else { f64::MIN };
        ((lo - pad).max(floor), hi + pad)
    };
    let (x0, x1) = span(&|p| p.x);
    let (y0, y1) = span(&|p| p.y);
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let py = |y: f64| top + (1.0 - (y - y0) / (y1 - y0)) * (h - top - bottom);
    let series: std::collections::BTreeSet<usize> = points.iter().map(|p| p.series).collect();
    let ticks = [0.0, 0.5, 1.0];
    html! {
        svg width=(f1(w)) height=(f1(h)) viewBox=(format!("0 0 {} {}", f1(w), f1(h))) role="img" aria-label=(aria) {
            @for t in ticks {
                @let y = y0 + (y1 - y0) * t;
                @let x = x0 + (x1 - x0) * t;
                line x1=(f1(left)) x2=(f1(w - right)) y1=(f1(py(y))) y2=(f1(py(y))) stroke="#d9dee6" {}
                text x=(f1(left - 4.0)) y=(f1(py(y) + 3.5)) text-anchor="end" { (fmt_y(y)) }
                text x=(f1(px(x))) y=(f1(h - bottom + 13.0)) text-anchor="middle" { (fmt_x(x)) }
            }
            line x1=(f1(left)) x2=(f1(left)) y1=(f1(top)) y2=(f1(h - bottom)) stroke="#1b2230" {}
            line x1=(f1(left)) x2=(f1(w - right)) y1=(f1(h - bottom)) y2=(f1(h - bottom)) stroke="#1b2230" {}
            text x=(f1((left + w - right) / 2.0)) y=(f1(h - bottom + 30.0)) text-anchor="middle" class="lbl" { (x_label) }
            text x="12" y=(f1((top + h - bottom) / 2.0)) text-anchor="middle" class="lbl"
                transform=(format!("rotate(-90 12 {})", f1((top + h - bottom) / 2.0))) { (y_label) }
            @for s in &series {
                @let path: String = points.iter().filter(|p| p.series == *s).enumerate()
                    .map(|(i, p)| format!("{}{},{}", if i == 0 { "M" } else { "L" }, f1(px(p.x.0)), f1(py(p.y.0)))).collect();
                path d=(path) fill="none" stroke=(OKABE_ITO[s % ALT_COLOURS]) stroke-width="1.5" stroke-opacity="0.6" {}
            }
            @for p in points {
                @let (cx, cy) = (px(p.x.0), py(p.y.0));
                @if let Some((a, b)) = p.x.1 {
                    line x1=(f1(px(a))) x2=(f1(px(b))) y1=(f1(cy)) y2=(f1(cy)) stroke="#8a94a6" stroke-width="1" {}
                }
                @if let Some((a, b)) = p.y.1 {
                    line x1=(f1(cx)) x2=(f1(cx)) y1=(f1(py(a))) y2=(f1(py(b))) stroke="#8a94a6" stroke-width="1" {}
                }
                circle cx=(f1(cx)) cy=(f1(cy)) r="4.5" class=(format!("a{}", p.series % ALT_COLOURS)) stroke="#1b2230" {}
                text x=(f1(cx + 7.0)) y=(f1(cy - 6.0)) class="lbl" { (p.label) }
            }
            @if names.len() > 1 {
                @for (i, n) in names.iter().enumerate() {
                    @let lx = left + 110.0 * (i % 4) as f64;
                    @let ly = h - bottom + 44.0 + 14.0 * (i / 4) as f64;
                    circle cx=(f1(lx + 5.0)) cy=(f1(ly)) r="4.5" class=(format!("a{}", i % ALT_COLOURS)) stroke="#1b2230" {}
                    text x=(f1(lx + 14.0)) y=(f1(ly + 3.5)) class="lbl" { (n) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short() {
        assert_eq!(f1(12.04), "12");
        assert_eq!(f1(12.06), "12.1");
        assert_eq!(f1(-0.04), "0");
    }

    #[test]
    fn viridis_runs_dark_to_light() {
        assert_eq!(viridis(0.0), "#440154");
        assert_ne!(viridis(1.0), viridis(0.0));
        assert_eq!(viridis(f64::NAN), viridis(0.5));
    }
}
