//! The page of a rule comparison (`placematch/bench@1`): one table of every metric for
//! every rule and batch, and one bar chart per metric comparing the rules.

use maud::{html, Markup};

use super::percent;
use super::svg::{hbar_chart, Bar};
use crate::compare::bench::{BenchReport, BenchRow};
use crate::support::money::pounds;

/// Which way a metric is better, to name the best rule in words.
#[derive(Clone, Copy, PartialEq)]
enum Better {
    Lower,
    Higher,
}

/// One column of the comparison: label, how to read it off a row, how to print it, which way
/// is better and the definition in docs/guide/analyst.md, shortened.
struct Metric {
    label: &'static str,
    get: fn(&BenchRow) -> f64,
    show: fn(f64) -> String,
    better: Better,
    definition: &'static str,
}

fn count(x: f64) -> String {
    format!("{x:.0}")
}
fn km(x: f64) -> String {
    format!("{x:.1} km")
}
fn secs(x: f64) -> String {
    format!("{x:.3} s")
}
fn spread(x: f64) -> String {
    format!("{x:.2}")
}

const METRICS: &[Metric] = &[
    Metric {
        label: "Objective (score, £-eq. a week)",
        get: |r| r.objective,
        show: pounds,
        better: Better::Lower,
        definition: "SPEC §6 objective of the assignment: placement costs less block beds and discounts, plus the cost of every child left unplaced.",
    },
    Metric {
        label: "Placed",
        get: |r| r.placed as f64,
        show: count,
        better: Better::Higher,
        definition: "Children placed.",
    },
    Metric {
        label: "Unplaced",
        get: |r| r.unplaced as f64,
        show: count,
        better: Better::Lower,
        definition: "Children left unplaced.",
    },
    Metric {
        label: "Weekly spend",
        get: |r| r.weekly_spend,
        show: pounds,
        better: Better::Lower,
        definition: "Sum of the list weekly prices of the homes children were placed in.",
    },
    Metric {
        label: "Net weekly spend",
        get: |r| r.net_weekly_spend,
        show: pounds,
        better: Better::Lower,
        definition: "Weekly spend less block beds already paid for and volume discounts.",
    },
    Metric {
        label: "Mean distance",
        get: |r| r.mean_km,
        show: km,
        better: Better::Lower,
        definition: "Mean distance of placed children from their home location.",
    },
    Metric {
        label: "90th percentile distance",
        get: |r| r.p90_km,
        show: km,
        better: Better::Lower,
        definition: "90th percentile of placed children's distances (nearest rank).",
    },
    Metric {
        label: "Over 20 miles",
        get: |r| r.share_over_20_miles,
        show: percent,
        better: Better::Lower,
        definition: "Share of placed children more than 32 km (20 miles) away.",
    },
    Metric {
        label: "Out of area",
        get: |r| r.share_out_of_area,
        show: percent,
        better: Better::Lower,
        definition: "Share of placed children whose home's authority differs from their own.",
    },
    Metric {
        label: "Good or Outstanding",
        get: |r| r.share_good_or_outstanding,
        show: percent,
        better: Better::Higher,
        definition: "Share of placed children in homes rated Good or Outstanding.",
    },
    Metric {
        label: "Unmet need",
        get: |r| r.unmet_need as f64,
        show: count,
        better: Better::Lower,
        definition: "Sum over placed children and the twelve indicators of max(0, need − support).",
    },
    Metric {
        label: "Siblings kept together",
        get: |r| r.siblings_kept_together as f64,
        show: count,
        better: Better::Higher,
        definition: "Sibling groups (of at least two children in the batch) all placed in one home.",
    },
    Metric {
        label: "Placement rate spread",
        get: |r| r.placement_rate_spread,
        show: spread,
        better: Better::Lower,
        definition: "Max − min over authorities of children placed ÷ children; 0 means every authority got the same share placed.",
    },
    Metric {
        label: "Matching time",
        get: |r| r.seconds,
        show: secs,
        better: Better::Lower,
        definition: "Wall-clock seconds the rule took to match, given the eligible pairs (varies from run to run).",
    },
];

/// The batches in the order given, each with its rows (rules in the order given).
fn by_batch(rows: &[BenchRow]) -> Vec<(String, Vec<&BenchRow>)> {
    let mut out: Vec<(String, Vec<&BenchRow>)> = Vec::new();
    for r in rows {
        let name = batch_name(r);
        match out.iter_mut().find(|(b, _)| *b == name) {
            Some((_, v)) => v.push(r),
            None => out.push((name, vec![r])),
        }
    }
    out
}

fn batch_name(r: &BenchRow) -> String {
    match &r.batch_id {
        Some(id) => format!("{id} ({})", r.batch),
        None => r.batch.clone(),
    }
}

/// The rules that do best on `m` in `rows` (all of them when tied), with the best value.
fn best(m: &Metric, rows: &[&BenchRow]) -> Option<(Vec<String>, f64)> {
    let vals: Vec<f64> = rows.iter().map(|r| (m.get)(r)).filter(|v| v.is_finite()).collect();
    let b = match m.better {
        Better::Lower => vals.iter().copied().reduce(f64::min)?,
        Better::Higher => vals.iter().copied().reduce(f64::max)?,
    };
    // Equal as printed is equal to a reader.
    let names = rows
        .iter()
        .filter(|r| (m.show)((m.get)(r)) == (m.show)(b))
        .map(|r| r.rule.to_string())
        .collect();
    Some((names, b))
}

/// Per metric, the rules that are best (ties included) and on how many batches: one row each,
/// an answer rather than a bullet per metric and batch.
fn best_table(batches: &[(String, Vec<&BenchRow>)], rules: &[String]) -> Markup {
    let n = batches.len();
    let single = (n == 1).then(|| &batches[0].1);
    html! {
        table.glance #best {
            caption {
                "The rule that does best on each metric"
                @if n > 1 { ", and on how many of the " (n) " batches (ties count for every rule tied)" }
                ". Spend is £ paid a week; the objective is the score placematch minimises, not spend."
            }
            thead { tr {
                th scope="col" { "Metric" } th scope="col" { "Best" }
                @if single.is_some() { th.n scope="col" { "Best value" } }
                th scope="col" { "Better" }
            } }
            tbody {
                @for m in METRICS {
                    @let wins: Vec<(String, usize)> = rules.iter().map(|rule| {
                        let k = batches.iter().filter(|(_, rows)| best(m, rows).is_some_and(|(names, _)| names.contains(rule))).count();
                        (rule.clone(), k)
                    }).filter(|(_, k)| *k > 0).collect();
                    tr {
                        th scope="row" { (m.label) }
                        td {
                            @if wins.len() == rules.len() && wins.iter().all(|(_, k)| *k == n) {
                                span.empty { "all rules tie" }
                            } @else {
                                @for (i, (rule, k)) in wins.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    strong { (rule) }
                                    @if n > 1 && *k < n { " (" (k) " of " (n) ")" }
                                }
                            }
                        }
                        @if let Some(rows) = single {
                            td.n { (best(m, rows).map(|(_, v)| (m.show)(v)).unwrap_or_default()) }
                        }
                        td { @if m.better == Better::Lower { "lower" } @else { "higher" } }
                    }
                }
            }
        }
    }
}

/// The whole page.
pub(super) fn render(report: &BenchReport) -> String {
    let batches = by_batch(&report.rows);
    let mut rules: Vec<String> = Vec::new();
    for r in &report.rows {
        let n = r.rule.to_string();
        if !rules.contains(&n) {
            rules.push(n);
        }
    }
    let series = |rule: &str| rules.iter().position(|r| r == rule).unwrap_or(0);
    let body = html! {
        header {
            h1 { "Matching rules compared" }
            p.sub {
                (rules.len()) " rules (" (rules.join(", ")) ") on " (batches.len())
                @if batches.len() == 1 { " batch" } @else { " batches" }
                "; seed " (report.seed) " for the random rule. Every assignment is scored by the same independent evaluator."
            }
        }
        main {
            h2 { "Best rule per metric" }
            (best_table(&batches, &rules))
            h2 { "All metrics" }
            div.scroll { (table(&batches)) }
            h2 { "Charts" }
            div.charts {
                @for (i, m) in METRICS.iter().enumerate() {
                    @let bars: Vec<Bar> = batches.iter().flat_map(|(b, rows)| rows.iter().map(|r| Bar {
                        group: (batches.len() > 1).then(|| b.clone()),
                        label: r.rule.to_string(),
                        series: series(r.rule.name()),
                        value: (m.get)(r),
                    })).collect();
                    figure id=(format!("m{i}")) {
                        h3 { (m.label) }
                        (hbar_chart(&bars, m.show, &format!("{}: {}", m.label, bars.iter().map(|b| format!("{} {}", b.label, (m.show)(b.value))).collect::<Vec<_>>().join(", "))))
                        figcaption {
                            (m.definition) " "
                            @if m.better == Better::Lower { "Lower is better." } @else { "Higher is better." }
                        }
                    }
                }
            }
        }
        footer { p { "placematch " (env!("CARGO_PKG_VERSION")) " · " (crate::compare::bench::BENCH_FORMAT) } }
    };
    super::page::document("Matching rules compared", body)
}

/// One row per rule and batch, every metric a column; sortable by any column with the page's
/// script, in the order given without it.
fn table(batches: &[(String, Vec<&BenchRow>)]) -> Markup {
    html! {
        table.glance.wide data-sort-table {
            caption { "One row per rule and batch. Select a column heading to sort by it." }
            thead {
                tr {
                    th scope="col" { button type="button" data-col="0" { "Rule" } }
                    th scope="col" { button type="button" data-col="1" { "Batch" } }
                    @for (i, m) in METRICS.iter().enumerate() {
                        th scope="col" .n { button type="button" data-col=(i + 2) { (m.label) } }
                    }
                }
            }
            tbody {
                @for (b, rows) in batches {
                    @for r in rows {
                        tr {
                            th scope="row" data-v=(r.rule.name()) { (r.rule.name()) }
                            td.batch data-v=(b) { (b) }
                            @for m in METRICS {
                                @let v = (m.get)(r);
                                td.n data-v=(v) {
                                    ((m.show)(v))
                                    @if m.label == "Siblings kept together" { " of " (r.sibling_groups) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
