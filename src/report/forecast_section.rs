//! The result page's section "Bed values from the forecast" (`solve --forecast`): where the
//! values came from, each valued home with what its bed is kept for, the children the values
//! moved, and the expected demand behind them. Bed values are the objective's score, never
//! money, and every figure says so.

use maud::{html, Markup};

use crate::compare::lookahead::daily::kept_for;
use crate::result::format::{ForecastRecord, ForecastSourceKind};
use crate::support::money::score;

/// The section; `label` names a home as the rest of the page does.
pub(super) fn section(f: &ForecastRecord, label: &dyn Fn(&str) -> String) -> Markup {
    let kind = match f.source_kind {
        ForecastSourceKind::Scenario => "a simulation scenario's arrival model",
        ForecastSourceKind::History => "demand estimated from a history of episodes",
    };
    let home = |h: &Option<String>| h.as_deref().map_or_else(|| "waiting".to_string(), label);
    html! {
        section aria-labelledby="h-forecast" {
            h2 #h-forecast { "Bed values from the forecast" }
            p {
                "Source: " code { (f.source) } " (" (f.source_kind.name()) ": " (kind) "). "
                "Each free bed is valued for the children expected over the next " (f.horizon_days) " days "
                "(a spot bed at " (f.spot_value_weight) " of its bid price); "
                "a planned child who has waited under " (f.hold_days) " days may be held for a bed worth more to them. "
                "Bed values are the objective's score in £-equivalent a week, "
                strong { "not money" } ": no pound is spent or saved by them."
            }
            p {
                "Objective without the bed values: " (score(f.objective_without_values))
                " a week (score, not money). "
                (f.moved.len()) " child(ren) placed differently than without them."
            }
            @if f.bed_values.is_empty() {
                p.empty { "No bed has a value: the children expected do not use up any home's free beds." }
            } @else {
                table.forecast-values {
                    caption { "Valued homes: what one bed there is worth to the children expected, and who it is kept for." }
                    thead { tr {
                        th scope="col" { "Home" }
                        th.n scope="col" { "Bed value (score a week, not money)" }
                        th scope="col" { "Kept for (expected children)" }
                        th.n scope="col" { "Expected there over the horizon" }
                        th scope="col" { "In words" }
                    } }
                    tbody {
                        @for b in &f.bed_values {
                            tr {
                                th scope="row" { (label(&b.home)) }
                                td.n { (score(b.value)) }
                                td { (b.kept_for.as_deref().unwrap_or("—")) }
                                td.n { (b.expected_here.map_or("—".to_string(), |x| format!("{x:.2}"))) }
                                td { (kept_for(f, &b.home).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
            @if !f.moved.is_empty() {
                table.forecast-moved {
                    caption { "Children the bed values moved: their home without the values and with them." }
                    thead { tr {
                        th scope="col" { "Child" }
                        th scope="col" { "Without the bed values" }
                        th scope="col" { "With the bed values" }
                        th scope="col" { "Why" }
                    } }
                    tbody {
                        @for m in &f.moved {
                            tr {
                                th scope="row" { a href=(format!("#c-{}", m.child)) { (m.child) } }
                                td { (home(&m.without)) }
                                td { (home(&m.with)) }
                                td { (m.without.as_deref().and_then(|h| kept_for(f, h)).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
            @if !f.demand.is_empty() {
                table.forecast-demand {
                    caption { "The expected demand behind the values, per stream." }
                    thead { tr {
                        th scope="col" { "Stream" }
                        th scope="col" { "Authority" }
                        th scope="col" { "Placement type" }
                        th.n scope="col" { "Arrivals a week" }
                        th scope="col" { "Ages" }
                        th scope="col" { "Needs (level)" }
                        th.n scope="col" { "Episodes" }
                    } }
                    tbody {
                        @for d in &f.demand {
                            tr {
                                th scope="row" { (d.stream) }
                                td { (d.authority) }
                                td { (d.placement_type) }
                                td.n { (format!("{:.3}", d.per_week)) }
                                td { (d.age_min) "–" (d.age_max) }
                                td { @if d.needs.is_empty() { "none" } @else {
                                    (d.needs.iter().map(|(i, l)| format!("{i} {l}")).collect::<Vec<_>>().join(", "))
                                } }
                                td.n { (d.episodes.map_or("—".to_string(), |n| n.to_string())) }
                            }
                        }
                    }
                }
            }
            @if let Some(a) = &f.assumed {
                p.note { "Assumed: " (a) }
            }
        }
    }
}
