//! The page of a simulation (`placematch/simulate@1`): the period totals per rule with
//! their 95% confidence intervals, and the daily series per rule.
//!
//! Each daily chart draws every rule's mean line with its 95% confidence band (the output's
//! `daily_half_width`); the period totals are drawn as means with interval whiskers.

use maud::html;

use super::svg::{interval_chart, line_chart, Interval, Series};
use crate::compare::simulate::{CostTerms, DailyPoint, Estimate, SimReport, SIMULATE_FORMAT};
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
        let sign = if x < 0.0 { "−" } else { "" };
        format!("{sign}{}", group(x.round().abs() as u64))
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
    "cost",
    "child_days_waiting",
    "spend",
    "child_days_out_of_area",
    "child_days_over_20_miles",
    "mean_wait_days",
];

/// Millions and thousands with a suffix, so that eight rules fit a 1,280-pixel page.
fn compact(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "−" } else { "" };
    if a >= 1e6 {
        format!("{sign}{:.2}m", a / 1e6)
    } else if a >= 1e4 {
        format!("{sign}{:.1}k", a / 1e3)
    } else {
        format!("{sign}{}", num(a))
    }
}

pub(super) fn show_total(unit: &str, x: f64) -> String {
    match unit {
        "£" if x.abs() >= 1e4 => format!("{}£{}", if x < 0.0 { "−" } else { "" }, compact(x.abs())),
        "£" => pounds(x),
        "days" | "km" => format!("{x:.1}"),
        "score" => compact(x),
        _ if x.abs() >= 1e4 => compact(x),
        _ => num(x),
    }
}

/// A table cell: the mean, with its interval on a small second line (keeps 8 rules within a
/// 1,280-pixel page).
pub(super) fn estimate_cell(unit: &str, e: &Estimate) -> maud::Markup {
    html! {
        (show_total(unit, e.mean))
        @if let (Some(lo), Some(hi)) = (e.lo, e.hi) { small { (show_total(unit, lo)) " to " (show_total(unit, hi)) } }
    }
}

/// Totals for which more is better; every other total is better lower (counts of waiting,
/// distance, unmet need, money, breakdowns, moves, the objective). Arrivals and placements
/// made are the same or neutral and are left out of the answer.
const HIGHER_BETTER: &[&str] = &["step_across_moves", "step_across_same_provider", "child_days_placed"];
const NEUTRAL: &[&str] = &["arrivals", "placements", "placements_ended", "moves"];

/// Per total: the best rule, the runner-up, and the paired difference between them (runner-up
/// − best, so positive is the best's margin when lower is better) with its 95% interval.
fn best_rows(r: &SimReport) -> Vec<(usize, String, String, Estimate)> {
    let mut out = Vec::new();
    if r.rules.len() < 2 {
        return out;
    }
    for (i, m) in r.metrics.iter().enumerate() {
        if NEUTRAL.contains(&m.key.as_str()) {
            continue;
        }
        let sign = if HIGHER_BETTER.contains(&m.key.as_str()) {
            -1.0
        } else {
            1.0
        };
        let mut order: Vec<usize> = (0..r.rules.len()).collect();
        order.sort_by(|&a, &b| {
            (sign * r.rules[a].totals.values()[i].mean).total_cmp(&(sign * r.rules[b].totals.values()[i].mean))
        });
        let (b, n) = (&r.rules[order[0]], &r.rules[order[1]]);
        let col = |x: &crate::compare::simulate::RuleReport| -> Vec<f64> {
            x.replications.iter().map(|t| sign * t.values()[i]).collect()
        };
        let d = crate::compare::simulate::paired_estimate(&col(n), &col(b));
        out.push((i, b.rule.clone(), n.rule.clone(), d));
    }
    out
}

/// The whole page.
/// The `lookahead` rule's settings in words, so two reports of different settings differ.
fn lookahead_settings(l: &crate::compare::lookahead::LookaheadSettings) -> String {
    let spot = if l.horizon_days == 0 || l.spot_weight == 0.0 {
        "no spot-bed values".to_string()
    } else {
        format!(
            "spot beds valued over {} days at {} of their bid price",
            l.horizon_days, l.spot_weight
        )
    };
    let floor = if l.block_floor {
        "at least their price"
    } else {
        "without the price floor"
    };
    let fill = if l.block_fill {
        ", scaled by their fill share"
    } else {
        ""
    };
    format!("`lookahead`: {spot}; block beds over the stays, {floor}{fill}.")
}

pub(super) fn render(r: &SimReport) -> String {
    if let Some(sw) = &r.sweep {
        return super::sweep_page::render(r, sw);
    }
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
                @if let Some(l) = &r.lookahead { " " (lookahead_settings(l)) }
            }
        }
        main {
            h2 { "Best rule per total" }
            p {
                "For each total, the rule with the best mean, the runner-up, and by how much the best "
                "beats it: the paired difference over replications with its 95% interval. "
                "\"Yes\" when the interval excludes 0 (the lead is beyond chance)."
            }
            div.scroll {
                table.glance {
                    caption { "Best rule per total over " (r.days) " days." }
                    thead { tr { th scope="col" { "Total (unit)" } th scope="col" { "Best" } th scope="col" { "Runner-up" } th scope="col" .n { "Margin" } th scope="col" { "Beyond the interval" } } }
                    tbody {
                        @for (i, best, next, d) in best_rows(r) {
                            @let m = &r.metrics[i];
                            tr {
                                th scope="row" { (m.label) small { (m.unit) } }
                                td { (best) } td { (next) }
                                td.n { (show_total(&m.unit, d.mean)) @if let (Some(lo), Some(hi)) = (d.lo, d.hi) { small { (show_total(&m.unit, lo)) " to " (show_total(&m.unit, hi)) } } }
                                td { @match (d.lo, d.hi) { (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0 => { "yes" }, (Some(_), Some(_)) => { "no" }, _ => { "one replication" } } }
                            }
                        }
                    }
                }
            }
            h2 { "Totals over the period" }
            p { (ci_note) }
            div.scroll {
                table.glance #totals {
                    caption { "Totals per rule over " (r.days) " days." }
                    thead {
                        tr {
                            th scope="col" { "Total (unit)" }
                            @for rule in &rules { th scope="col" .n { (rule) } }
                        }
                    }
                    tbody {
                        @for (i, m) in r.metrics.iter().enumerate() {
                            tr {
                                th scope="row" title=(m.definition) { (m.label) small { (m.unit) } }
                                @for rule in &r.rules {
                                    td.n { @if let Some(e) = rule.totals.values().get(i) { (estimate_cell(&m.unit, e)) } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "The objective over the period, term by term" }
            p {
                "The objective is a score in the policy's pounds-equivalent, not money: each placed "
                "child-day adds its placement's weekly cost ÷ 7 (price net of block beds and discounts, "
                "plus the policy's weights on distance, area, quality, needs and the rest), each waiting "
                "child-day its unplaced cost ÷ 7. Lower is better. Money spent is the spend row above."
            }
            div.scroll {
                table.glance {
                    caption { "Objective terms per rule over " (r.days) " days (score)." }
                    thead { tr { th scope="col" { "Term" } @for rule in &rules { th scope="col" .n { (rule) } } } }
                    tbody {
                        @for (t, key) in CostTerms::KEYS.iter().enumerate() {
                            tr {
                                th scope="row" { (key.replace('_', " ")) }
                                @for rule in &r.rules { td.n { (estimate_cell("score", &rule.totals.cost_terms.values()[t])) } }
                            }
                        }
                    }
                }
            }
            @if let Some(v) = &r.versus_baseline {
                h2 { "Against " (v.baseline) ", paired" }
                p {
                    "Each cell is the rule's total minus " (v.baseline) "'s, averaged over replications, "
                    "with the 95% interval of the paired differences (every rule meets the same children "
                    "and luck, so these are far narrower than the intervals above). "
                    strong { "Bold" } ": the interval excludes 0."
                }
                div.scroll {
                    table.glance {
                        caption { "Rule − " (v.baseline) " per total." }
                        thead { tr { th scope="col" { "Total (unit)" } @for x in &v.rules { th scope="col" .n { (x.rule) } } } }
                        tbody {
                            @if let Some(first) = v.rules.first() {
                                @for (i, d0) in first.differences.iter().enumerate() {
                                    tr {
                                        th scope="row" { (d0.key.replace("cost_terms.", "objective: ").replace('_', " ")) small { (d0.unit) } }
                                        @for x in &v.rules {
                                            @let d = &x.differences[i];
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
                                r.rules.iter().zip(&rows).map(|(ru, iv)| format!("{} {}", ru.rule, show_total(&m.unit, iv.mean))).collect::<Vec<_>>().join(", ")), true))
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
