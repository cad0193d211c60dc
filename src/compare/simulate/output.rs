//! The report as a terminal table, JSON and a long CSV.

use super::*;

pub(super) fn short(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.2}m", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// The yearly totals as a terminal table: one row per total, one column per rule, each cell
/// the mean over replications ± the half width of its 95% interval.
pub fn to_table(r: &SimReport) -> String {
    if let Some(sw) = &r.sweep {
        return sweep_table(r, sw);
    }
    let mut out = format!(
        "{}: {} days, {} replication(s), seed {}; mean ± 95% half-width over replications\n\n",
        r.scenario, r.days, r.replications, r.seed
    );
    let w = 17;
    out.push_str(&format!("{:<18}{:<11}", "total", "unit"));
    for rule in &r.rules {
        out.push_str(&format!("{:>w$}", rule.rule));
    }
    out.push('\n');
    for (i, m) in r.metrics.iter().enumerate() {
        out.push_str(&format!("{:<18}{:<11}", m.label, m.unit));
        for rule in &r.rules {
            let e = rule.totals.values()[i];
            let cell = match (e.lo, e.hi) {
                (Some(lo), Some(hi)) => format!("{} ±{}", short(e.mean), short((hi - lo) / 2.0)),
                _ => short(e.mean),
            };
            out.push_str(&format!("{cell:>w$}"));
        }
        out.push('\n');
    }
    out.push_str("\nobjective: a score in the policy's pounds-equivalent (not money), summed over child-days\n");
    if let Some(v) = &r.versus_baseline {
        out.push_str(&versus_table(v));
    }
    out
}

/// The paired differences from the baseline: one row per total, one column per other rule,
/// each cell the mean difference ± the half width of its paired 95% interval, starred when
/// the interval excludes 0.
pub fn versus_table(v: &VersusBaseline) -> String {
    let mut out = format!(
        "\nrule − {} (paired over replications: mean ± 95% half-width; * the interval excludes 0)\n\n",
        v.baseline
    );
    let w = 17;
    out.push_str(&format!("{:<28}{:<11}", "total", "unit"));
    for rule in &v.rules {
        out.push_str(&format!("{:>w$}", rule.rule));
    }
    out.push('\n');
    let Some(first) = v.rules.first() else { return out };
    for (i, d0) in first.differences.iter().enumerate() {
        if d0.key == "arrivals" {
            continue;
        }
        let label = Totals::KEYS
            .iter()
            .position(|k| *k == d0.key)
            .map_or(d0.key.clone(), |j| Totals::LABELS[j].to_string());
        out.push_str(&format!("{label:<28}{:<11}", d0.unit));
        for rule in &v.rules {
            let d = &rule.differences[i];
            let sign = if d.mean > 0.0 { "+" } else { "" };
            let cell = match (d.lo, d.hi) {
                (Some(lo), Some(hi)) => format!(
                    "{sign}{} ±{}{}",
                    short(d.mean),
                    short((hi - lo) / 2.0),
                    if d.beyond_interval() { "*" } else { " " }
                ),
                _ => format!("{sign}{}", short(d.mean)),
            };
            out.push_str(&format!("{cell:>w$}"));
        }
        out.push('\n');
    }
    out
}

/// The report as pretty JSON with a trailing newline.
pub fn to_json(r: &SimReport) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("reports serialise");
    s.push('\n');
    s
}

/// The report as one long CSV: `rule,scope,day,metric,mean,lo,hi`, where scope `total` rows
/// hold the totals with their intervals and scope `daily` rows the daily means.
pub fn to_csv(r: &SimReport) -> String {
    let mut out = String::from("rule,scope,day,metric,mean,lo,hi\n");
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for rule in &r.rules {
        let terms = CostTerms::KEYS.iter().map(|k| format!("cost_terms.{k}"));
        let keys = Totals::KEYS.iter().map(|k| k.to_string()).chain(terms);
        let values = rule.totals.values().into_iter().chain(rule.totals.cost_terms.values());
        for (k, e) in keys.zip(values) {
            out.push_str(&format!(
                "{},total,,{k},{},{},{}\n",
                rule.rule,
                e.mean,
                opt(e.lo),
                opt(e.hi)
            ));
        }
    }
    if let Some(sw) = &r.sweep {
        // One scope per value (`per_km=5`); the paired differences as `…-first` rows.
        for row in &sw.rows {
            let scope = format!("{}={}", sw.weight, row.value);
            let heads = [
                ("spend", &row.spend),
                ("child_days_over_20_miles", &row.child_days_over_20_miles),
                ("child_days_unmet_need", &row.child_days_unmet_need),
                ("mean_wait_days", &row.mean_wait_days),
                ("score", &row.score),
                ("score_own_weights", &row.score_own_weights),
            ];
            for (k, e) in heads {
                out.push_str(&format!(
                    "{},{scope},,{k},{},{},{}\n",
                    row.rule,
                    e.mean,
                    opt(e.lo),
                    opt(e.hi)
                ));
            }
            for d in &row.versus_first {
                out.push_str(&format!(
                    "{},{scope}-first,,{},{},{},{}\n",
                    row.rule,
                    d.key,
                    d.mean,
                    opt(d.lo),
                    opt(d.hi)
                ));
            }
        }
    }
    if let Some(v) = &r.versus_baseline {
        for rule in &v.rules {
            for d in &rule.differences {
                out.push_str(&format!(
                    "{},versus_{},,{},{},{},{}\n",
                    rule.rule,
                    v.baseline,
                    d.key,
                    d.mean,
                    opt(d.lo),
                    opt(d.hi)
                ));
            }
        }
    }
    for rule in &r.rules {
        for p in &rule.daily {
            for (k, v) in [
                ("arrivals", p.arrivals),
                ("waiting", p.waiting),
                ("placed", p.placed),
                ("new_placements", p.new_placements),
                ("spend", p.spend),
                ("out_of_area", p.out_of_area),
                ("over_20_miles", p.over_20_miles),
                ("breakdowns", p.breakdowns),
                ("step_across_moves", p.step_across_moves),
                ("free_beds", p.free_beds),
            ] {
                out.push_str(&format!("{},daily,{},{k},{v},,\n", rule.rule, p.day));
            }
        }
    }
    out
}
