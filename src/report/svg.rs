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

/// Number of alternative colours (Okabe–Ito) defined in the style sheet as `.a0`…`.a5`.
pub(super) const ALT_COLOURS: usize = 6;

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
