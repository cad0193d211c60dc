//! The page of a block-contract plan (`placematch/plan-result@1`): the headline against
//! the all-spot baseline, beds per offer with their occupancy, the cost curve, and the
//! out-of-sample check next to the model's own estimate.

use maud::{html, Markup};

use super::page::document;
use super::svg::{colour_legend, f1, viridis};
use crate::plan::plan_result::{CurvePoint, OfferResult, PlanResult, PlanStatus};
use crate::support::money::{pounds, score};

/// The whole page.
pub(super) fn render(r: &PlanResult) -> String {
    let title = match &r.plan_id {
        Some(id) => format!("Block-contract plan {id}"),
        None => "Block-contract plan".to_string(),
    };
    let body = html! {
        header {
            h1 { (title) }
            p.sub {
                (r.horizon_weeks) " weeks; " (r.scenarios) " demand scenarios (seed " (r.seed) "); "
                @match r.status {
                    PlanStatus::Optimal => { "optimal to a gap of " (pct(r.gap)) }
                    PlanStatus::Feasible => { "best plan found before the time limit (gap " (pct(r.gap)) ")" }
                }
                "."
            }
        }
        main {
            (headline(r))
            (offers(&r.offers))
            (curve(&r.cost_curve))
            (out_of_sample(r))
            (demand(r))
        }
        footer { p.sub { "Cost = money paid plus the SPEC §5 distance, out-of-area, quality and needs terms: a score in pounds-equivalent a week, not spend. Spend (£) is money paid. Shares are over care-weeks." } }
    };
    document(&title, body)
}

/// The headline leads with money and with simulated figures: the plan and all-spot run by the
/// daily matcher on the same fresh scenarios, with paired 95% intervals. Without that run
/// (`--check-scenarios 0`) the model's in-sample estimates are shown, labelled as such.
fn headline(r: &PlanResult) -> Markup {
    let (e, b, s) = (&r.estimate, &r.baseline, &r.savings);
    let paired = r.out_of_sample.as_ref().filter(|o| !o.versus_spot.is_empty());
    let Some(o) = paired else {
        return html! {
            section aria-labelledby="h-summary" {
                h2 #h-summary { "The plan against buying every bed on the spot market" }
                p.note { "Not simulated (`--check-scenarios 0`): these are the model's own in-sample estimates." }
                dl.tiles {
                    div.tile { dt { "Weekly spend (model)" } dd { (pounds(e.expected_weekly_spend)) " " small { "spot only " (pounds(b.expected_weekly_spend)) } } }
                    div.tile { dt { "Spend saving a year (model)" } dd { (pounds(s.weekly_spend * 52.0)) } }
                    div.tile { dt { "Block beds bought" } dd { (f1(e.block_beds)) " " small { (pct(e.occupancy)) " occupied (model)" } } }
                    div.tile { dt { "Cost score saving (model)" } dd { (pct(s.percent_cost / 100.0)) " " small { "score, £-equivalent, not spend" } } }
                }
            }
        };
    };
    let get = |name: &str| o.versus_spot.iter().find(|p| p.figure == name);
    let occupancy = o
        .figures
        .iter()
        .find(|f| f.figure == "occupancy")
        .map(|f| f.simulated.mean);
    html! {
        section aria-labelledby="h-summary" {
            h2 #h-summary { "The plan against buying every bed on the spot market" }
            p.sub {
                "Simulated with the daily matcher on " (o.scenarios) " fresh scenarios, the plan and all-spot on the same arrivals. "
                "Ranges are 95% intervals of the paired difference. The model's own estimates are in the out-of-sample check below."
            }
            dl.tiles {
                @if let Some(a) = get("annual_spend") {
                    @let saving = -a.difference.mean;
                    div.tile {
                        dt { @if saving >= 0.0 { "Spend saving a year" } @else { "Extra spend a year" } }
                        dd { (pounds(saving.abs())) " " small { "money paid; 95%: " (signed_pounds(-a.difference.high)) " to " (signed_pounds(-a.difference.low)) } }
                    }
                }
                @if let Some(w) = get("weekly_spend") {
                    div.tile { dt { "Weekly spend" } dd { (pounds(w.plan.mean)) " " small { "all-spot " (pounds(w.spot.mean)) } } }
                }
                div.tile {
                    dt { "Block beds bought" }
                    dd { (f1(e.block_beds)) " " small { @if let Some(occ) = occupancy { (pct(occ)) " occupied (simulated)" } } }
                }
                @if let Some(a) = get("share_in_area") {
                    div.tile { dt { "Care-weeks in area" } dd { (pct(a.plan.mean)) " " small { "all-spot " (pct(a.spot.mean)) "; " (points(&a.difference)) } } }
                }
                @if let Some(a) = get("share_within_32km") {
                    div.tile { dt { "Within 20 miles" } dd { (pct(a.plan.mean)) " " small { "all-spot " (pct(a.spot.mean)) "; " (points(&a.difference)) } } }
                }
                @if let Some(c) = get("weekly_cost") {
                    div.tile { dt { "Cost score a week" } dd { (score(c.plan.mean)) " " small { "all-spot " (score(c.spot.mean)) "; a score (£-equivalent), not spend" } } }
                }
            }
        }
    }
}

/// A paired difference of shares in percentage points, with its interval.
fn points(d: &crate::plan::plan_result::Interval) -> String {
    format!(
        "{:+.1} points (95%: {:+.1} to {:+.1})",
        100.0 * d.mean,
        100.0 * d.low,
        100.0 * d.high
    )
}

/// Pounds with a sign: a saving above zero, extra spend below.
fn signed_pounds(x: f64) -> String {
    if x < 0.0 {
        format!("−{}", pounds(-x))
    } else {
        pounds(x)
    }
}

fn offers(list: &[OfferResult]) -> Markup {
    let max_beds = list.iter().map(|o| o.max_beds.max(o.beds)).max().unwrap_or(1).max(1) as f64;
    let (row_h, label_w, bar_w) = (18.0, 200.0, 420.0);
    let height = row_h * list.len() as f64 + 34.0;
    html! {
        section aria-labelledby="h-offers" {
            h2 #h-offers { "Beds per offer" }
            figure {
                svg width=(f1(label_w + bar_w + 80.0)) height=(f1(height)) viewBox=(format!("0 0 {} {}", f1(label_w + bar_w + 80.0), f1(height))) role="img"
                    aria-label="Recommended beds per offer, coloured by expected occupancy; the outline shows the most beds the offer allows" {
                    @for (i, o) in list.iter().enumerate() {
                        @let y = 4.0 + row_h * i as f64;
                        @let w_max = bar_w * o.max_beds as f64 / max_beds;
                        @let w = bar_w * o.beds as f64 / max_beds;
                        text x=(f1(label_w - 6.0)) y=(f1(y + 12.0)) text-anchor="end" class="lbl" { (o.offer) " · " (o.kind) }
                        rect x=(f1(label_w)) y=(f1(y + 2.0)) width=(f1(w_max)) height="12" fill="none" stroke="#9aa3b0" {}
                        @if o.beds > 0 {
                            rect x=(f1(label_w)) y=(f1(y + 2.0)) width=(f1(w)) height="12" fill=(viridis(o.expected_occupancy)) {
                                title { (o.offer) ": " (o.beds) " beds, " (pct(o.expected_occupancy)) " occupied" }
                            }
                        }
                        text x=(f1(label_w + w_max.max(w) + 6.0)) y=(f1(y + 12.0)) class="lbl" { (o.beds) }
                    }
                }
                (colour_legend("occ-scale", 0.0, 1.0, pct, "Expected occupancy"))
                figcaption { "Filled bar: beds recommended, coloured by expected occupancy (how many of them are used in an average week). Outline: the most beds the offer allows." }
            }
            table {
                caption { "Recommended beds per offer, with what they cost and how full they are expected to be" }
                thead { tr {
                    th scope="col" { "Offer" } th scope="col" { "Provider" } th scope="col" { "Type" } th scope="col" { "Authority" }
                    th scope="col" { "Beds (allowed)" } th scope="col" { "Price per bed" } th scope="col" { "Weekly bill" }
                    th scope="col" { "Expected beds used" } th scope="col" { "Occupancy" }
                } }
                tbody {
                    @for o in list {
                        tr {
                            th scope="row" { (o.offer) } td { (o.provider) } td { (o.kind) } td { (o.la) }
                            td.num { (o.beds) " (" (o.min_beds) "–" (o.max_beds) ")" }
                            td.num { (pounds(o.weekly_price)) } td.num { (pounds(o.weekly_cost)) }
                            td.num { (format!("{:.1}", o.expected_beds_used)) } td.num { (pct(o.expected_occupancy)) }
                        }
                    }
                }
            }
        }
    }
}

fn curve(points: &[CurvePoint]) -> Markup {
    if points.is_empty() {
        return html! {};
    }
    let (w, h, left, bottom, top) = (640.0, 260.0, 80.0, 40.0, 12.0);
    let xs: Vec<f64> = points.iter().map(|p| p.total_beds as f64).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.expected_weekly_cost).collect();
    let (x0, x1) = (
        xs.iter().cloned().fold(f64::INFINITY, f64::min),
        xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
    );
    let (y0, y1) = (
        ys.iter().cloned().fold(f64::INFINITY, f64::min),
        ys.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
    );
    let sx = |x: f64| left + (w - left - 20.0) * if x1 > x0 { (x - x0) / (x1 - x0) } else { 0.5 };
    let sy = |y: f64| top + (h - top - bottom) * if y1 > y0 { 1.0 - (y - y0) / (y1 - y0) } else { 0.5 };
    let path: String = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{}{},{}",
                if i == 0 { "M" } else { "L" },
                f1(sx(p.total_beds as f64)),
                f1(sy(p.expected_weekly_cost))
            )
        })
        .collect();
    html! {
        section aria-labelledby="h-curve" {
            h2 #h-curve { "The cost curve: what each total of block beds would cost" }
            figure {
                svg width=(f1(w)) height=(f1(h)) viewBox=(format!("0 0 {} {}", f1(w), f1(h))) role="img"
                    aria-label="Expected weekly cost score (not spend) of the best plan at each total number of block beds; the recommended total is marked" {
                    line x1=(f1(left)) x2=(f1(left)) y1=(f1(top)) y2=(f1(h - bottom)) stroke="#1b2230" {}
                    line x1=(f1(left)) x2=(f1(w - 20.0)) y1=(f1(h - bottom)) y2=(f1(h - bottom)) stroke="#1b2230" {}
                    text x=(f1(left - 6.0)) y=(f1(sy(y1) + 4.0)) text-anchor="end" class="lbl" { (score(y1)) }
                    text x=(f1(left - 6.0)) y=(f1(sy(y0) + 4.0)) text-anchor="end" class="lbl" { (score(y0)) }
                    text x=(f1((left + w) / 2.0)) y=(f1(h - 6.0)) text-anchor="middle" class="lbl" { "total block beds" }
                    path d=(path) fill="none" stroke="#0a58a8" stroke-width="2" {}
                    @for p in points {
                        @let (cx, cy) = (sx(p.total_beds as f64), sy(p.expected_weekly_cost));
                        circle cx=(f1(cx)) cy=(f1(cy)) r=(if p.recommended { "6" } else { "3.5" })
                            fill=(if p.recommended { "#d55e00" } else { "#0a58a8" }) {
                            title { (p.total_beds) " beds: cost score " (score(p.expected_weekly_cost)) " a week" @if p.recommended { " (recommended)" } }
                        }
                        text x=(f1(cx)) y=(f1(h - bottom + 14.0)) text-anchor="middle" class="lbl" { (p.total_beds) }
                    }
                }
                figcaption { "The model's estimates. Each point is the best plan with the total number of block beds fixed, at its expected weekly cost score (money plus the weighted terms, not spend); the larger orange point is the recommendation. Flat stretches mean beds can be added or dropped at little cost." }
            }
            table {
                caption { "The cost curve" }
                thead { tr {
                    th scope="col" { "Total block beds" } th scope="col" { "Expected weekly cost (score)" } th scope="col" { "Weekly spend (£)" }
                    th scope="col" { "Occupancy" } th scope="col" { "In area" } th scope="col" { "90th-percentile annual cost (score)" }
                } }
                tbody {
                    @for p in points {
                        tr {
                            th scope="row" { (p.total_beds) @if p.recommended { " (recommended)" } }
                            td.num { (score(p.expected_weekly_cost)) } td.num { (pounds(p.expected_weekly_spend)) }
                            td.num { (pct(p.occupancy)) } td.num { (pct(p.share_in_area)) } td.num { (score(p.p90_annual_cost)) }
                        }
                    }
                }
            }
        }
    }
}

fn out_of_sample(r: &PlanResult) -> Markup {
    let Some(o) = &r.out_of_sample else {
        return html! {
            section aria-labelledby="h-oos" {
                h2 #h-oos { "Out-of-sample check" }
                p.note { "Not run (`--check-scenarios 0`): the figures above are the model's own estimate only." }
            }
        };
    };
    html! {
        section aria-labelledby="h-oos" {
            h2 #h-oos { "Out-of-sample check: the plan simulated with the daily matcher" }
            p.sub {
                (o.scenarios) " fresh scenarios (seed " (o.seed) "), " (o.matcher_runs) " matcher runs, "
                (o.children_placed) " children placed, " (o.children_unplaced) " not placed."
            }
            table {
                caption { "The model's estimate next to the simulation's mean and 95% confidence interval" }
                thead { tr {
                    th scope="col" { "Figure" } th scope="col" { "Model" } th scope="col" { "Simulated (95% interval)" } th scope="col" { "Agrees?" }
                } }
                tbody {
                    @for f in &o.figures {
                        tr {
                            th scope="row" { (figure_name(&f.figure)) }
                            td.num { (figure(&f.figure, f.model)) }
                            td.num { (figure(&f.figure, f.simulated.mean)) " (" (figure(&f.figure, f.simulated.low)) " – " (figure(&f.figure, f.simulated.high)) ")" }
                            td { @if f.agrees { "yes" } @else { strong { "no" } " — see the notes" } }
                        }
                    }
                }
            }
            @if !o.notes.is_empty() {
                h3 { "Notes" }
                ul { @for n in &o.notes { li { (n) } } }
            }
        }
    }
}

fn demand(r: &PlanResult) -> Markup {
    html! {
        section aria-labelledby="h-demand" {
            h2 #h-demand { "The demand planned for" }
            table {
                caption { "Demand segments: arrivals per week and mean placement length" }
                thead { tr {
                    th scope="col" { "Segment" } th scope="col" { "Authority" } th scope="col" { "Type" } th scope="col" { "Ages" }
                    th scope="col" { "Arrivals per week" } th scope="col" { "Mean weeks" } th scope="col" { "From" }
                } }
                tbody {
                    @for s in &r.demand {
                        tr {
                            th scope="row" { (s.segment) } td { (s.la) } td { (s.kind) } td { (s.age_min) "–" (s.age_max) }
                            td.num { (format!("{:.2}", s.weekly_arrivals)) } td.num { (format!("{:.1}", s.mean_weeks)) }
                            td { (s.source) @if let Some(n) = s.episodes { " (" (n) " episodes)" } }
                        }
                    }
                }
            }
        }
    }
}

/// A compared figure in its unit: shares are fractions, counts are children, costs the
/// score (no £: not money), the rest (spend) pounds.
fn figure(name: &str, v: f64) -> String {
    if name.starts_with("share") || name == "occupancy" {
        pct(v)
    } else if name == "children_per_week" {
        format!("{v:.1}")
    } else if name.contains("cost") {
        score(v)
    } else {
        pounds(v)
    }
}

/// A compared figure's name as a heading, a cost marked as the score.
fn figure_name(name: &str) -> String {
    let words = name.replace('_', " ");
    if name.contains("cost") {
        format!("{words} (score)")
    } else {
        words
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}
