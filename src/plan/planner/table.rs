//! The terminal summary of a plan result.

use super::*;

/// The terminal summary of a plan result.
pub fn to_table(plan: &Plan, r: &PlanResult) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let e = &r.estimate;
    let b = &r.baseline;
    let _ = writeln!(
        out,
        "plan {}  {} weeks  {} scenarios (seed {})  {}  gap ≤ {:.2}%  solved in {:.1} s",
        r.plan_id.as_deref().unwrap_or("-"),
        r.horizon_weeks,
        r.scenarios,
        r.seed,
        match r.status {
            PlanStatus::Optimal => "optimal",
            PlanStatus::Feasible => "feasible (time limit)",
        },
        100.0 * r.gap,
        r.solve_seconds
    );
    let _ = writeln!(
        out,
        "model: {} variables ({} integer), {} constraints over {} scenario-weeks; {} demand groups, {} offer pools, {} pairs",
        r.model.variables,
        r.model.integer_variables,
        r.model.constraints,
        r.model.scenario_weeks,
        r.model.groups,
        r.model.pools,
        r.model.pairs
    );
    let arrivals: f64 = r.demand.iter().map(|d| d.weekly_arrivals).sum();
    let _ = writeln!(
        out,
        "demand: {} segments, {:.2} placements starting a week, {:.1} children in purchased care in an average week\n",
        r.demand.len(),
        arrivals,
        e.children_per_week
    );
    // The headline: simulated, against all-spot on the same scenarios (money first).
    let simulated = r.out_of_sample.as_ref().filter(|o| !o.versus_spot.is_empty());
    if let Some(o) = simulated {
        let _ = writeln!(
            out,
            "simulated on {} fresh scenarios, plan against all-spot on the same arrivals (spend is £ paid; cost is the score):",
            o.scenarios
        );
        let _ = writeln!(
            out,
            "{:<20} {:>14} {:>14} {:>14} {:>30}",
            "figure", "plan", "all-spot", "difference", "95% interval"
        );
        for p in &o.versus_spot {
            let f = |x: f64| {
                if p.figure.starts_with("share") {
                    format!("{:.1}%", 100.0 * x)
                } else {
                    format!("{x:.0}")
                }
            };
            let _ = writeln!(
                out,
                "{:<20} {:>14} {:>14} {:>14} {:>30}",
                p.figure,
                f(p.plan.mean),
                f(p.spot.mean),
                f(p.difference.mean),
                format!("[{}, {}]", f(p.difference.low), f(p.difference.high))
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "{:<14} {:<12} {:<12} {:<10} {:>5} {:>9} {:>10} {:>9} {:>9}",
        "offer", "provider", "type", "la", "beds", "£/bed/wk", "£/week", "used", "occupancy"
    );
    for o in r.offers.iter().filter(|o| o.beds > 0) {
        let _ = writeln!(
            out,
            "{:<14} {:<12} {:<12} {:<10} {:>5} {:>9.0} {:>10.0} {:>9.2} {:>8.0}%",
            o.offer,
            o.provider,
            o.kind,
            o.la,
            o.beds,
            o.weekly_price,
            o.weekly_cost,
            o.expected_beds_used,
            100.0 * o.expected_occupancy
        );
    }
    let none: Vec<&str> = r
        .offers
        .iter()
        .filter(|o| o.beds == 0)
        .map(|o| o.offer.as_str())
        .collect();
    if !none.is_empty() {
        let _ = writeln!(out, "no beds from {} offer(s): {}", none.len(), none.join(", "));
    }
    // The model's own in-sample figures: labelled so, and cost as the score it is.
    let _ = writeln!(
        out,
        "\nthe model's estimate over its {} scenarios{} (spend is £ paid; cost is the score, £-equivalent, not spend):",
        r.scenarios,
        if simulated.is_some() {
            "; the simulated figures above are the forecast"
        } else {
            ", not simulated"
        }
    );
    let _ = writeln!(out, "{:<34} {:>14} {:>14}", "", "recommended", "all spot");
    let rows: [(&str, f64, f64, bool); 10] = [
        (
            "expected weekly cost (score)",
            e.expected_weekly_cost,
            b.expected_weekly_cost,
            false,
        ),
        (
            "expected weekly spend (£)",
            e.expected_weekly_spend,
            b.expected_weekly_spend,
            false,
        ),
        (
            "  block contracts (£/week)",
            e.block_weekly_spend,
            b.block_weekly_spend,
            false,
        ),
        (
            "  spot placements (£/week)",
            e.spot_weekly_spend,
            b.spot_weekly_spend,
            false,
        ),
        ("block beds bought", e.block_beds, b.block_beds, false),
        ("block-bed occupancy", e.occupancy, b.occupancy, true),
        ("care-weeks in area", e.share_in_area, b.share_in_area, true),
        (
            "care-weeks within 20 miles",
            e.share_within_32km,
            b.share_within_32km,
            true,
        ),
        (
            "90th-percentile annual spend (£)",
            e.p90_annual_spend,
            b.p90_annual_spend,
            false,
        ),
        (
            "90th-percentile annual cost (score)",
            e.p90_annual_cost,
            b.p90_annual_cost,
            false,
        ),
    ];
    for (name, a, c, pct) in rows {
        if pct {
            let _ = writeln!(out, "{name:<34} {:>13.1}% {:>13.1}%", 100.0 * a, 100.0 * c);
        } else {
            let _ = writeln!(out, "{name:<34} {a:>14.0} {c:>14.0}");
        }
    }
    let _ = writeln!(
        out,
        "the model's savings against all spot: £{:.0} a week of spend (£{:.0} a year); {:.0} a week of cost score ({:.1}%), {:.0} a year",
        r.savings.weekly_spend,
        r.savings.weekly_spend * 52.0,
        r.savings.weekly_cost,
        r.savings.percent_cost,
        r.savings.annual_cost
    );
    if !r.cost_curve.is_empty() {
        let _ = writeln!(
            out,
            "\ncost curve (best plan for each total of block beds; the model's estimates, cost a score):\n{:>10} {:>14} {:>14} {:>10} {:>9} {:>16}",
            "beds", "cost/week", "£/week spend", "occupancy", "in area", "p90 cost/year"
        );
        for p in &r.cost_curve {
            let _ = writeln!(
                out,
                "{:>10} {:>14.0} {:>14.0} {:>9.1}% {:>8.1}% {:>16.0}{}",
                p.total_beds,
                p.expected_weekly_cost,
                p.expected_weekly_spend,
                100.0 * p.occupancy,
                100.0 * p.share_in_area,
                p.p90_annual_cost,
                if p.recommended { "  ← recommended" } else { "" }
            );
        }
    }
    if let Some(o) = &r.out_of_sample {
        let _ = writeln!(
            out,
            "\nout-of-sample check: {} fresh scenarios, {} weekly matcher runs, {} children placed ({} unplaced)",
            o.scenarios, o.matcher_runs, o.children_placed, o.children_unplaced
        );
        let _ = writeln!(
            out,
            "{:<24} {:>14} {:>14} {:>28}  agrees",
            "figure", "model", "simulated", "95% interval"
        );
        for c in &o.figures {
            let _ = writeln!(
                out,
                "{:<24} {:>14.3} {:>14.3} {:>28}  {}",
                c.figure,
                c.model,
                c.simulated.mean,
                format!("[{:.3}, {:.3}]", c.simulated.low, c.simulated.high),
                if c.agrees { "yes" } else { "NO" }
            );
        }
        for n in &o.notes {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    let _ = plan;
    out
}
