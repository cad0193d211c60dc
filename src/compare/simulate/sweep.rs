//! `simulate --sweep WEIGHT=v1,v2,…`: the comparison rerun once per value of one policy
//! weight, so a weight is chosen by the outcomes it buys.
//!
//! Every value's runs use the same seed, so replication *i* meets the same children, durations,
//! breakdown thresholds and outside demand under every value (common random numbers): the
//! values are paired, and each value's difference from the first is estimated from the
//! per-replication differences, like `--baseline`. The objective changes with the weight, so
//! a row's own objective (`score_own_weights`) is not comparable across rows; `score` scores
//! every run by the scenario's own policy instead, one yardstick for every value.

use super::*;
use crate::input::weights::{range_of, set_in, value_in, Sweep};

/// The headline totals of a sweep row, by key in [`Totals`].
pub const SWEEP_KEYS: [&str; 4] = [
    "spend",
    "child_days_over_20_miles",
    "child_days_unmet_need",
    "mean_wait_days",
];

/// One weight value under one rule: the headline totals with 95% intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepRow {
    /// The weight's value in this row's runs.
    pub value: f64,
    /// The rule.
    pub rule: String,
    /// Spend, £ (as `totals.spend`).
    pub spend: Estimate,
    /// Child-days more than 20 miles (32 km) from home.
    pub child_days_over_20_miles: Estimate,
    /// Unmet-need level-days.
    pub child_days_unmet_need: Estimate,
    /// Mean days waited before placement.
    pub mean_wait_days: Estimate,
    /// The objective over the period scored by the scenario's own policy (a score, not money):
    /// the same yardstick for every value.
    pub score: Estimate,
    /// The objective over the period at this row's own weights (what its runs minimised day
    /// by day; a score, not comparable across values).
    pub score_own_weights: Estimate,
    /// Every total of this row, as in a rule's `totals`.
    pub totals: TotalsEstimate,
    /// Paired differences (this row − the first value's row of the same rule) of `spend`,
    /// the headline totals and `score`, with their 95% intervals; empty on the first value.
    pub versus_first: Vec<PairedDiff>,
    /// Days whose MIP was not proven optimal, over every replication.
    pub days_not_proven_optimal: usize,
}

/// The `sweep` section of a simulation report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepReport {
    /// The weight swept, as a policy file names it (`per_km`, `ofsted_penalty.good`, …).
    pub weight: String,
    /// The weight's unit.
    pub unit: String,
    /// The weight's value in the scenario's own policy (absent: `max_distance_km` unset).
    pub scenario_value: Option<f64>,
    /// The values, in the order given.
    pub values: Vec<f64>,
    /// The rules run at every value.
    pub rules: Vec<String>,
    /// One row per (value, rule), values in the order given, rules in report order.
    pub rows: Vec<SweepRow>,
}

/// The world with `weight` set to `v` over the scenario's own policy.
fn world_at(world: &World, weight: &str, v: f64) -> World {
    let mut w = world.clone();
    let mut layer = w.scenario.policy.clone().unwrap_or_default();
    set_in(&mut layer, weight, v);
    w.policy = crate::input::policy::Policy::resolve([&layer]);
    w.scenario.policy = Some(layer);
    w
}

/// The headline of one replication: the [`SWEEP_KEYS`] totals, then the score.
fn headline(t: &Totals, score: f64) -> Vec<f64> {
    let all = flat_totals(t);
    let mut out: Vec<f64> = SWEEP_KEYS
        .iter()
        .map(|k| all.iter().find(|x| x.0 == *k).map_or(0.0, |x| x.2))
        .collect();
    out.push(score);
    out
}

/// Runs the comparison once per value of the sweep and summarises every (value, rule).
/// `opts.rules` are the rules run at every value; `tick` is called per simulated day.
pub fn simulate_sweep(
    world: &World,
    opts: &SimOptions,
    sweep: &Sweep,
    tick: &(dyn Fn() + Sync),
) -> (SimReport, Vec<String>) {
    let mut violations = Vec::new();
    let mut rows: Vec<SweepRow> = Vec::new();
    // Per rule, the first value's per-replication headline, for the paired differences.
    let mut first: BTreeMap<String, Vec<Vec<f64>>> = BTreeMap::new();
    let units: Vec<&str> = SWEEP_KEYS
        .iter()
        .map(|k| {
            Totals::KEYS
                .iter()
                .position(|x| x == k)
                .map_or("", |i| Totals::UNITS[i])
        })
        .chain(["score"])
        .collect();
    for &v in &sweep.values {
        let w = world_at(world, &sweep.weight, v);
        let o = SimOptions {
            score_policy: Some(world.policy.clone()),
            baseline: None,
            ..opts.clone()
        };
        let (report, found, _, scores) = super::run_all(&w, &o, tick);
        violations.extend(found.into_iter().map(|x| format!("{}={v}: {x}", sweep.weight)));
        for (rule, score_reps) in report.rules.iter().zip(scores) {
            let heads: Vec<Vec<f64>> = rule
                .replications
                .iter()
                .zip(&score_reps)
                .map(|(t, &s)| headline(t, s))
                .collect();
            let versus_first = match first.get(&rule.rule) {
                None => {
                    first.insert(rule.rule.clone(), heads.clone());
                    Vec::new()
                }
                Some(base) => (0..units.len())
                    .map(|i| {
                        let col = |h: &[Vec<f64>]| h.iter().map(|x| x[i]).collect::<Vec<_>>();
                        let (a, b) = (col(&heads), col(base));
                        let e = paired_estimate(&a, &b);
                        let u = welch_interval(&a, &b);
                        PairedDiff {
                            key: SWEEP_KEYS.get(i).copied().unwrap_or("score").to_string(),
                            unit: units[i].to_string(),
                            mean: e.mean,
                            lo: e.lo,
                            hi: e.hi,
                            unpaired_lo: u.map(|x| x.0),
                            unpaired_hi: u.map(|x| x.1),
                        }
                    })
                    .collect(),
            };
            let t = &rule.totals;
            rows.push(SweepRow {
                value: v,
                rule: rule.rule.clone(),
                spend: t.spend,
                child_days_over_20_miles: t.child_days_over_20_miles,
                child_days_unmet_need: t.child_days_unmet_need,
                mean_wait_days: t.mean_wait_days,
                score: estimate(&score_reps),
                score_own_weights: t.cost,
                totals: t.clone(),
                versus_first,
                days_not_proven_optimal: rule.days_not_proven_optimal,
            });
        }
    }
    let sweep_report = SweepReport {
        weight: sweep.weight.clone(),
        unit: range_of(&sweep.weight).map_or("", |r| r.unit()).to_string(),
        scenario_value: value_in(&world.policy, &sweep.weight),
        values: sweep.values.clone(),
        rules: opts.rules.iter().map(|r| r.name().to_string()).collect(),
        rows,
    };
    let report = SimReport {
        format: SIMULATE_FORMAT.into(),
        scenario: world.scenario.name.clone().unwrap_or_else(|| "scenario".into()),
        seed: opts.seed,
        days: opts.days,
        replications: opts.replications,
        metrics: metric_defs(),
        rules: Vec::new(),
        versus_baseline: None,
        sweep: Some(sweep_report),
        lookahead: opts
            .rules
            .contains(&crate::compare::rules::Rule::Lookahead)
            .then_some(opts.lookahead),
    };
    (report, violations)
}

/// The sweep as a terminal table: one row per value (per rule), each cell the mean ± the
/// half-width of its 95% interval; then each value's paired difference from the first.
pub fn sweep_table(r: &SimReport, s: &SweepReport) -> String {
    let own = s.scenario_value.map_or("none".to_string(), |v| v.to_string());
    let mut out = format!(
        "{}: sweep of {} ({}; the scenario's own value {own}), {} days, {} replication(s), seed {}; mean ± 95% half-width over replications\n\n",
        r.scenario, s.weight, s.unit, r.days, r.replications, r.seed
    );
    let w = 19;
    let heads = [
        "spend £",
        "days > 20 miles",
        "unmet need days",
        "mean wait days",
        "score",
    ];
    let col = s.weight.len().max(8) + 2;
    out.push_str(&format!("{:<12}{:<col$}", "rule", s.weight));
    for h in heads {
        out.push_str(&format!("{h:>w$}"));
    }
    out.push('\n');
    let cell = |e: &Estimate| match (e.lo, e.hi) {
        (Some(lo), Some(hi)) => format!(
            "{} ±{}",
            super::output::short(e.mean),
            super::output::short((hi - lo) / 2.0)
        ),
        _ => super::output::short(e.mean),
    };
    for row in &s.rows {
        out.push_str(&format!("{:<12}{:<col$}", row.rule, row.value));
        for e in [
            &row.spend,
            &row.child_days_over_20_miles,
            &row.child_days_unmet_need,
            &row.mean_wait_days,
            &row.score,
        ] {
            out.push_str(&format!("{:>w$}", cell(e)));
        }
        out.push('\n');
    }
    out.push_str("\nscore: the objective over the period at the scenario's own weights, for every value (not money)\n");
    if s.rows.iter().any(|x| !x.versus_first.is_empty()) {
        let first = s.values.first().copied().unwrap_or_default();
        out.push_str(&format!(
            "\nrow − {}={} (paired over replications: mean ± 95% half-width; * the interval excludes 0)\n\n",
            s.weight, first
        ));
        out.push_str(&format!("{:<12}{:<col$}", "rule", s.weight));
        for h in heads {
            out.push_str(&format!("{h:>w$}"));
        }
        out.push('\n');
        for row in s.rows.iter().filter(|x| !x.versus_first.is_empty()) {
            out.push_str(&format!("{:<12}{:<col$}", row.rule, row.value));
            for d in &row.versus_first {
                let sign = if d.mean > 0.0 { "+" } else { "" };
                let c = match (d.lo, d.hi) {
                    (Some(lo), Some(hi)) => format!(
                        "{sign}{} ±{}{}",
                        super::output::short(d.mean),
                        super::output::short((hi - lo) / 2.0),
                        if d.beyond_interval() { "*" } else { " " }
                    ),
                    _ => format!("{sign}{}", super::output::short(d.mean)),
                };
                out.push_str(&format!("{c:>w$}"));
            }
            out.push('\n');
        }
    }
    out
}
