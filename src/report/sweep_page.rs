//! The page of a weight sweep (`simulate --sweep WEIGHT=…`): per value of the weight, spend,
//! distance, unmet need, waiting and the objective, with the trade-off drawn as spend against
//! days over 20 miles and against unmet need, one point per value.

use maud::{html, Markup};

use super::simulate_page::{estimate_cell, show_total};
use super::svg::{interval_chart, tradeoff_chart, Interval, Ranged, TradePoint};
use crate::compare::simulate::{Estimate, SimReport, SweepReport, SweepRow, SIMULATE_FORMAT};

/// A weight's value as written on the command line (`5`, `0.5`).
fn value(v: f64) -> String {
    format!("{v}")
}

/// The interval of an estimate of a count or money, cut at 0 (neither can be negative).
fn cut(e: &Estimate) -> Ranged {
    (e.mean, e.lo.zip(e.hi).map(|(a, b)| (a.max(0.0), b.max(0.0))))
}

/// The headline columns: label, unit, the row's estimate.
type Column = (&'static str, &'static str, fn(&SweepRow) -> &Estimate);
const COLUMNS: [Column; 6] = [
    ("Spend", "£", |r| &r.spend),
    ("Days > 20 miles", "child-days", |r| &r.child_days_over_20_miles),
    ("Unmet need", "level-days", |r| &r.child_days_unmet_need),
    ("Mean wait", "days", |r| &r.mean_wait_days),
    ("Objective at the scenario's weights", "score", |r| &r.score),
    ("Objective at the row's own weights", "score", |r| &r.score_own_weights),
];

fn tradeoff(s: &SweepReport, x: usize, aria: &str) -> Markup {
    let (xl, xu, xg) = COLUMNS[x];
    let (_, yu, yg) = COLUMNS[0];
    let points: Vec<TradePoint> = s
        .rows
        .iter()
        .map(|r| TradePoint {
            // The value alone: the axis caption names the weight, the legend the rule.
            label: value(r.value),
            series: s.rules.iter().position(|x| *x == r.rule).unwrap_or(0),
            x: cut(xg(r)),
            y: cut(yg(r)),
        })
        .collect();
    let fx = |v: f64| show_total(xu, v);
    let fy = |v: f64| show_total(yu, v);
    tradeoff_chart(
        &points,
        &s.rules,
        (&format!("{xl} ({xu})"), &fx),
        ("Spend (£)", &fy),
        aria,
    )
}

/// The whole page.
pub(super) fn render(r: &SimReport, s: &SweepReport) -> String {
    let title = format!("Weights by outcome: {} on {}", s.weight, r.scenario);
    let own = s.scenario_value.map_or("none".to_string(), value);
    let label = |row: &SweepRow| format!("{}={}", s.weight, value(row.value));
    let first = s.values.first().copied().map(value).unwrap_or_default();
    let summary = |x: usize| {
        s.rows
            .iter()
            .map(|row| {
                format!(
                    "{} {} spend {}, {} {}",
                    row.rule,
                    label(row),
                    show_total("£", row.spend.mean),
                    COLUMNS[x].0,
                    show_total(COLUMNS[x].1, COLUMNS[x].2(row).mean)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let body = html! {
        header {
            h1 { (title) }
            p.sub {
                "The comparison rerun at each value of " code { (s.weight) } " (" (s.unit) "; the scenario's own value is " (own) "): "
                (r.days) " days, " (r.replications) " replications per value, seed " (r.seed) "; rules " (s.rules.join(", ")) ". "
                "Every value meets the same children and luck (common random numbers), so the values are paired."
            }
        }
        main {
            h2 { "What each value buys" }
            p {
                "Each point is one value of the weight: what the year costs (spend, £) against how far children "
                "live from home, and against the needs their homes cannot meet. Dots are means over replications; "
                @if r.replications > 1 { "whiskers are 95% confidence intervals. " }
                "A weight worth choosing moves a point down or left; a point that moves up and left buys distance with money."
            }
            div.charts {
                figure {
                    h3 { "Spend against days more than 20 miles from home" }
                    (tradeoff(s, 1, &format!("Spend against days over 20 miles per value of {}: {}", s.weight, summary(1))))
                    figcaption { "Each dot is labelled with its value of " (s.weight) ". Days > 20 miles: child-days placed more than 32 km from home. Spend: spot placements plus every block bed, £." }
                }
                figure {
                    h3 { "Spend against unmet need" }
                    (tradeoff(s, 2, &format!("Spend against unmet need per value of {}: {}", s.weight, summary(2))))
                    figcaption { "Each dot is labelled with its value of " (s.weight) ". Unmet need: level-days of need above what the home supports." }
                }
            }
            h2 { "Per value" }
            p {
                "Means over replications"
                @if r.replications > 1 { " with 95% confidence intervals (Student's t)" }
                ". The objective is a score in the policy's pounds-equivalent, not money. "
                "At the scenario's weights, every value's runs are scored by one yardstick, so the rows compare; "
                "at the row's own weights, each is scored by the weights it was run with (what its days minimised), "
                "which change with the value, so those do not compare across rows."
            }
            div.scroll {
                table.glance #sweep {
                    caption { "Totals over " (r.days) " days per value of " (s.weight) "." }
                    thead { tr {
                        th scope="col" { "Rule" } th scope="col" .n { (s.weight) }
                        @for (l, u, _) in COLUMNS { th scope="col" .n { (l) small { (u) } } }
                    } }
                    tbody {
                        @for row in &s.rows {
                            tr {
                                td { (row.rule) } td.n { (value(row.value)) }
                                @for (_, u, get) in COLUMNS { td.n { (estimate_cell(u, get(row))) } }
                            }
                        }
                    }
                }
            }
            @if s.rows.iter().any(|x| !x.versus_first.is_empty()) {
                h2 { "Against " (s.weight) "=" (first) ", paired" }
                p {
                    "Each cell is the row's total minus the first value's (same rule), averaged over replications, with "
                    "the 95% interval of the paired differences. " strong { "Bold" } ": the interval excludes 0."
                }
                div.scroll {
                    table.glance {
                        caption { "Row − " (s.weight) "=" (first) "." }
                        thead { tr {
                            th scope="col" { "Rule" } th scope="col" .n { (s.weight) }
                            @for (l, u, _) in &COLUMNS[..5] { th scope="col" .n { (l) small { (u) } } }
                        } }
                        tbody {
                            @for row in s.rows.iter().filter(|x| !x.versus_first.is_empty()) {
                                tr {
                                    td { (row.rule) } td.n { (value(row.value)) }
                                    @for d in &row.versus_first {
                                        td.n {
                                            @if d.beyond_interval() { strong { (show_total(&d.unit, d.mean)) } } @else { (show_total(&d.unit, d.mean)) }
                                            @if let (Some(lo), Some(hi)) = (d.lo, d.hi) { small { (show_total(&d.unit, lo)) " to " (show_total(&d.unit, hi)) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Each total by value" }
            div.charts {
                @for (l, u, get) in &COLUMNS[..5] {
                    @let rows: Vec<Interval> = s.rows.iter().map(|row| Interval {
                        label: if s.rules.len() > 1 { format!("{} {}", row.rule, value(row.value)) } else { label(row) },
                        series: s.rules.iter().position(|x| *x == row.rule).unwrap_or(0),
                        mean: get(row).mean,
                        ci: get(row).lo.zip(get(row).hi),
                    }).collect();
                    figure {
                        h3 { (l) " (" (u) ")" }
                        (interval_chart(&rows, |x| show_total(u, x), &format!("{l} per value of {}", s.weight), *u != "score"))
                    }
                }
            }
        }
        footer { p { "placematch " (env!("CARGO_PKG_VERSION")) " · " (SIMULATE_FORMAT) " · sweep" } }
    };
    super::page::document(&title, body)
}
