//! The page of a simulation (`placematch/simulate@1`): the period totals per rule with
//! their 95% confidence intervals, and the daily series per rule.
//!
//! Each daily chart draws every rule's mean line with its 95% confidence band (the output's
//! `daily_half_width`); the period totals are drawn as means with interval whiskers.

use maud::html;

use super::svg::{interval_chart, line_chart, Interval, Series};
use crate::compare::simulate::{DailyPoint, Estimate, SimReport, SIMULATE_FORMAT};
use crate::support::money::{group, pounds};

/// The daily series charted: label, value of a day, y-axis format.
struct Daily {
    label: &'static str,
    get: fn(&DailyPoint) -> f64,
    show: fn(f64) -> String,
    definition: &'static str,
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 {
        group(x.round().abs() as u64)
    } else {
        format!("{x:.1}")
    }
}

const DAILY: &[Daily] = &[
    Daily {
        label: "Children waiting",
        get: |d| d.waiting,
        show: num,
        definition: "Children waiting at the end of the day.",
    },
    Daily {
        label: "Children placed",
        get: |d| d.placed,
        show: num,
        definition: "Children in a placement at the end of the day.",
    },
    Daily {
        label: "Spend per day",
        get: |d| d.spend,
        show: pounds,
        definition: "Spend that day: spot placements plus every block-contract bed, used or not.",
    },
    Daily {
        label: "Out of area",
        get: |d| d.out_of_area,
        show: num,
        definition: "Placed children outside their own authority.",
    },
    Daily {
        label: "Over 20 miles",
        get: |d| d.over_20_miles,
        show: num,
        definition: "Placed children more than 20 miles (32 km) from home.",
    },
    Daily {
        label: "Free beds",
        get: |d| d.free_beds,
        show: num,
        definition: "Free beds at the end of the day, all homes, after children from outside the scenario.",
    },
];

/// Totals drawn as interval charts (by key in `totals`).
const CHARTED: &[&str] = &[
    "child_days_waiting",
    "spend",
    "child_days_out_of_area",
    "child_days_over_20_miles",
    "mean_wait_days",
];

fn show_total(unit: &str, x: f64) -> String {
    match unit {
        "£" => pounds(x),
        "days" | "km" => format!("{x:.1}"),
        _ => num(x),
    }
}

fn estimate_text(unit: &str, e: &Estimate) -> String {
    match (e.lo, e.hi) {
        (Some(lo), Some(hi)) => format!(
            "{} ({} to {})",
            show_total(unit, e.mean),
            show_total(unit, lo),
            show_total(unit, hi)
        ),
        _ => show_total(unit, e.mean),
    }
}

/// The whole page.
pub(super) fn render(r: &SimReport) -> String {
    let title = format!("Simulation of {}", r.scenario);
    let rules: Vec<&str> = r.rules.iter().map(|x| x.rule.as_str()).collect();
    let ci_note = if r.replications > 1 {
        format!(
            "Figures are means over {} replications with 95% confidence intervals (Student's t) in brackets.",
            r.replications
        )
    } else {
        "One replication: no confidence intervals (they need at least two).".to_string()
    };
    let body = html! {
        header {
            h1 { (title) }
            p.sub {
                (r.days) " days, " (r.replications) " replications per rule, seed " (r.seed)
                "; rules " (rules.join(", ")) ". Every rule sees the same arrivals (common random numbers)."
            }
        }
        main {
            h2 { "Totals over the period" }
            p { (ci_note) }
            div.scroll {
                table.glance {
                    caption { "Totals per rule over " (r.days) " days." }
                    thead {
                        tr {
                            th scope="col" { "Total" }
                            th scope="col" { "Unit" }
                            @for rule in &rules { th scope="col" .n { (rule) } }
                        }
                    }
                    tbody {
                        @for (i, m) in r.metrics.iter().enumerate() {
                            tr {
                                th scope="row" title=(m.definition) { (m.label) }
                                td { (m.unit) }
                                @for rule in &r.rules {
                                    td.n { @if let Some(e) = rule.totals.values().get(i) { (estimate_text(&m.unit, e)) } }
                                }
                            }
                        }
                    }
                }
            }
            details {
                summary { "What each total counts" }
                dl {
                    @for m in &r.metrics { dt { (m.label) " (" (m.unit) ")" } dd { (m.definition) } }
                }
            }
            h2 { "Key totals compared" }
            div.charts {
                @for key in CHARTED {
                    @if let Some(i) = r.metrics.iter().position(|m| m.key == *key) {
                        @let m = &r.metrics[i];
                        @let rows: Vec<Interval> = r.rules.iter().enumerate().filter_map(|(s, rule)| {
                            rule.totals.values().get(i).map(|e| Interval {
                                label: rule.rule.clone(),
                                series: s,
                                mean: e.mean,
                                ci: e.lo.zip(e.hi),
                            })
                        }).collect();
                        figure {
                            h3 { (m.label) " (" (m.unit) ")" }
                            (interval_chart(&rows, |x| show_total(&m.unit, x), &format!("{}: {}", m.label,
                                r.rules.iter().zip(&rows).map(|(ru, iv)| format!("{} {}", ru.rule, show_total(&m.unit, iv.mean))).collect::<Vec<_>>().join(", "))))
                            figcaption {
                                (m.definition) " Dot: mean over replications"
                                @if r.replications > 1 { "; bar: 95% confidence interval" } "."
                            }
                        }
                    }
                }
            }
            h2 { "Day by day" }
            p {
                "Each line is one rule's mean over the " (r.replications) " replications, day by day. "
                @if r.replications > 1 { "The shaded band around each line is the 95% confidence interval of that day's mean." }
                @else { "With one replication there is no spread to show, so the lines have no band." }
            }
            div.charts {
                @for d in DAILY {
                    @let series: Vec<Series> = r.rules.iter().enumerate().map(|(i, rule)| Series {
                        name: rule.rule.clone(),
                        index: i,
                        points: rule.daily.iter().map(|p| (p.day as f64, (d.get)(p))).collect(),
                        band: rule.daily_half_width.iter().map(|p| (d.get)(p)).collect(),
                    }).collect();
                    figure {
                        h3 { (d.label) }
                        (line_chart(&series, "day", d.show, &format!("{} per day for rules {}", d.label, rules.join(", "))))
                        figcaption { (d.definition) " Line: mean over replications" @if r.replications > 1 { "; band: 95% confidence interval" } "." }
                    }
                }
            }
        }
        footer { p { "placematch " (env!("CARGO_PKG_VERSION")) " · " (SIMULATE_FORMAT) } }
    };
    super::page::document(&title, body)
}
