//! `placematch simulate`: a day-by-day simulation of a scenario under each matching rule.
//!
//! Each simulated day the children waiting (and those ready to step across) and the beds free
//! that day become one batch, solved by every rule under comparison through
//! [`crate::compare::rules::assign`], so every rule meets the same eligibility rules and cost terms.
//! Rules share **common random numbers**: the arrivals of a replication are drawn once, and every
//! random quantity of a child (attributes, and each placement's duration, breakdown threshold and
//! step-across time) comes from its own ChaCha stream seeded by (seed, replication, child,
//! placement), so two rules differ only through their choices, never through luck.

use std::collections::BTreeMap;

use rand::Rng;
use rand_distr::Distribution;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::compare::rules::Rule;
use crate::compare::scenario::{pick, StockHome, World};
use crate::input::batch::{Batch, Child, Location, Sex, StepAcross, Urgency};
use crate::support::random::tagged_stream;
use crate::{pair::instance::ChildPlace, pair::instance::HomePlace, pair::instance::Instance};

mod day_batch;
mod draws;
mod engine;
mod output;
mod paired;
mod sweep;

pub use draws::*;
pub use engine::*;
pub use output::*;
pub use paired::*;
pub use sweep::*;

/// The format tag of a simulation report.
pub const SIMULATE_FORMAT: &str = "placematch/simulate@1";

/// A mean over replications with its 95% confidence interval (Student's t).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Sample standard deviation over replications (0 with one replication).
    pub sd: f64,
    /// Lower end of the 95% t-interval (absent with one replication).
    pub lo: Option<f64>,
    /// Upper end of the 95% t-interval (absent with one replication).
    pub hi: Option<f64>,
    /// Replications.
    pub n: usize,
}

macro_rules! totals {
    ($( $(#[$doc:meta])* $field:ident, $label:literal, $unit:literal; )*) => {
        /// The totals of one replication over the simulated period.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(default)]
        pub struct Totals {
            $( $(#[$doc])* pub $field: f64, )*
            /// The terms of `cost`, each summed over the period in the same score.
            pub cost_terms: CostTerms,
        }
        /// The totals as means over replications with 95% confidence intervals.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(default)]
        pub struct TotalsEstimate {
            $( $(#[$doc])* pub $field: Estimate, )*
            /// The terms of `cost`, each with its interval.
            pub cost_terms: CostTermsEstimate,
        }
        impl Totals {
            /// Machine keys of the totals, in report order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field),)*];
            /// Short labels for tables, in report order.
            pub const LABELS: &'static [&'static str] = &[$($label,)*];
            /// Units, in report order.
            pub const UNITS: &'static [&'static str] = &[$($unit,)*];
            /// Values in report order.
            pub fn values(&self) -> Vec<f64> { vec![$(self.$field,)*] }
        }
        impl TotalsEstimate {
            /// Means and intervals over replications.
            pub fn over(reps: &[Totals]) -> TotalsEstimate {
                TotalsEstimate {
                    $( $field: estimate(&reps.iter().map(|t| t.$field).collect::<Vec<_>>()), )*
                    cost_terms: CostTermsEstimate::over(&reps.iter().map(|t| t.cost_terms.clone()).collect::<Vec<_>>()),
                }
            }
            /// Estimates in report order.
            pub fn values(&self) -> Vec<Estimate> { vec![$(self.$field,)*] }
        }
    };
}

macro_rules! cost_terms {
    ($( $(#[$doc:meta])* $field:ident; )*) => {
        /// The objective's terms summed over the period: each placed child-day adds its placement's
        /// weekly cost terms ÷ 7 (the price net of block beds and volume discounts, as SPEC §6 nets
        /// them), and each waiting child-day adds its unplaced cost ÷ 7 (SPEC §6: by urgency, plus
        /// the policy's `waiting_day` per day already waited). A score in the policy's
        /// pounds-equivalent, not money.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(default)]
        pub struct CostTerms {
            $( $(#[$doc])* pub $field: f64, )*
        }
        /// [`CostTerms`] as means over replications with 95% intervals (each field as there).
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(default)]
        pub struct CostTermsEstimate {
            $( $(#[$doc])* pub $field: Estimate, )*
        }
        impl CostTerms {
            /// Keys of the terms, in report order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field),)*];
            /// The terms in [`CostTerms::KEYS`] order.
            pub fn values(&self) -> Vec<f64> { vec![$(self.$field,)*] }
            /// Mutable references to the terms, in [`CostTerms::KEYS`] order.
            fn values_mut(&mut self) -> Vec<&mut f64> { vec![$(&mut self.$field,)*] }
        }
        impl CostTermsEstimate {
            /// Means and intervals over replications.
            pub fn over(reps: &[CostTerms]) -> CostTermsEstimate {
                CostTermsEstimate {
                    $( $field: estimate(&reps.iter().map(|t| t.$field).collect::<Vec<_>>()), )*
                }
            }
            /// Estimates in [`CostTerms::KEYS`] order.
            pub fn values(&self) -> Vec<Estimate> { vec![$(self.$field,)*] }
        }
    };
}

// SPEC order: the eight terms of `pair::cost::Terms` (`TERM_NAMES`), then waiting.
cost_terms! {
    /// Weekly price net of block beds (0: paid anyway) and volume discounts.
    price;
    /// `per_km` × km beyond `free_km`.
    distance;
    /// Out-of-area charge.
    out_of_area;
    /// Ofsted penalty.
    quality;
    /// `unmet_need` × unmet need levels.
    needs;
    /// `type_rank` × position of the type in the child's preferences.
    type_preference;
    /// Step-across credit (negative).
    step_across;
    /// Language mismatch.
    language;
    /// Unplaced cost of every waiting child-day.
    waiting;
}

impl CostTerms {
    /// Adds a placement's eight weekly terms (SPEC order, price already net) times `scale`.
    pub fn add_placement(&mut self, weekly: &[f64; 8], scale: f64) {
        for (t, w) in self.values_mut().into_iter().zip(weekly) {
            *t += w * scale;
        }
    }
    /// Sum of the terms.
    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }
}

totals! {
    /// Children who entered the simulation (identical for every rule: common random numbers).
    arrivals, "arrivals", "children";
    /// Placements made: first placements, re-placements after a breakdown and step-across moves.
    placements, "placements", "placements";
    /// Σ over days of the children waiting at the end of the day (each waiting child adds one a day).
    child_days_waiting, "days waited", "child-days";
    /// Mean days a child had waited when placed from the waiting list (step-across moves excluded).
    mean_wait_days, "mean wait", "days";
    /// Mean days waited counting the children still waiting at the end (their wait so far) as
    /// well as those placed: `mean wait` alone leaves out the children a rule never places.
    mean_wait_with_queue_days, "wait incl. queue", "days";
    /// Children still waiting at the end.
    waiting_at_end, "waiting at end", "children";
    /// Σ over days of the children in a placement.
    child_days_placed, "days placed", "child-days";
    /// Σ over days of the children placed outside their own authority.
    child_days_out_of_area, "days out of area", "child-days";
    /// Σ over days of the children placed more than 20 miles (32 km) from home.
    child_days_over_20_miles, "days > 20 miles", "child-days";
    /// Σ over days of the placed children's unmet need (levels short of the home's support).
    child_days_unmet_need, "unmet need days", "level-days";
    /// Spend on the scenario's children: spot placements at weekly_price / 7 a day, plus every
    /// block-contract bed at weekly_price / 7 a day whether used or not.
    spend, "spend", "£";
    /// The spot part of `spend` (placements not on a block bed).
    spot_spend, "spot spend", "£";
    /// Mean km from home of the placements made.
    mean_km, "mean km", "km";
    /// Placements that ended by breaking down (the child went back to the waiting list).
    breakdowns, "breakdowns", "placements";
    /// Placements after a child's first: re-placements after a breakdown plus step-across moves.
    moves, "moves", "moves";
    /// Step-across moves completed (a child moved to the type of its step-across plan).
    step_across_moves, "step-across", "moves";
    /// Step-across moves within the same provider (no cold handover).
    step_across_same_provider, "warm step-across", "moves";
    /// Placements that ended as planned (the child left the simulation).
    placements_ended, "ended", "placements";
    /// The objective over the period: Σ over placed child-days of the placement's weekly cost
    /// ÷ 7 (price net of block beds and discounts, distance, out of area, quality, needs, type
    /// preference, step-across, language) plus Σ over waiting child-days of the unplaced cost
    /// ÷ 7. A score in the policy's pounds-equivalent, not money; lower is better.
    cost, "objective", "score";
}

/// One day of a rule's trajectory: means over replications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DailyPoint {
    /// Day number, from 1.
    pub day: usize,
    /// Children who arrived that day.
    pub arrivals: f64,
    /// Children waiting at the end of the day.
    pub waiting: f64,
    /// Children in a placement at the end of the day.
    pub placed: f64,
    /// Placements made that day (including step-across moves).
    pub new_placements: f64,
    /// Spend that day, £ (spot placements plus every block bed).
    pub spend: f64,
    /// Placed children outside their own authority.
    pub out_of_area: f64,
    /// Placed children more than 20 miles (32 km) from home.
    pub over_20_miles: f64,
    /// Placements that broke down that day.
    pub breakdowns: f64,
    /// Step-across moves completed that day.
    pub step_across_moves: f64,
    /// Free beds at the end of the day (all homes, after children from outside the scenario).
    pub free_beds: f64,
}

/// One rule's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleReport {
    /// The rule's name.
    pub rule: String,
    /// Totals over the period: mean and 95% confidence interval over replications.
    pub totals: TotalsEstimate,
    /// Totals of each replication, in replication order.
    pub replications: Vec<Totals>,
    /// The daily series, means over replications.
    pub daily: Vec<DailyPoint>,
    /// Per day, the half-width of each daily figure's 95% confidence interval over
    /// replications (0 with a single replication), in the same shape as `daily`.
    #[serde(default)]
    pub daily_half_width: Vec<DailyPoint>,
    /// Days, over every replication, whose MIP (or `lookahead`'s fluid LP) was not proven
    /// optimal for its own objective (0 for the heuristic rules).
    #[serde(default)]
    pub days_not_proven_optimal: usize,
}

/// The definition of one total, so a reader of the JSON needs nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricDef {
    /// Key in `totals`.
    pub key: String,
    /// Short label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// What is counted.
    pub definition: String,
}

/// The whole output of `placematch simulate` (`placematch/simulate@1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SimReport {
    /// Always `placematch/simulate@1`.
    pub format: String,
    /// The scenario's name.
    pub scenario: String,
    /// Random seed (same seed, same numbers).
    pub seed: u64,
    /// Days simulated.
    pub days: usize,
    /// Replications per rule.
    pub replications: usize,
    /// Each total's definition, in report order.
    pub metrics: Vec<MetricDef>,
    /// One entry per rule, in the order asked for.
    pub rules: Vec<RuleReport>,
    /// With `--baseline RULE`: every other rule's paired difference from it on every total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versus_baseline: Option<VersusBaseline>,
    /// With `--sweep WEIGHT=…`: the comparison at each value of one policy weight (`rules`
    /// is then empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepReport>,
    /// When the `lookahead` rule was simulated: the settings it ran with, so two runs can be
    /// told apart (`--lookahead-days`, `--spot-value-weight`, `--no-block-floor`,
    /// `--block-fill-share`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookahead: Option<crate::compare::lookahead::LookaheadSettings>,
}

/// Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// The 97.5% quantile of Student's t with `df` degrees of freedom (table to 30, then a
/// Cornish–Fisher expansion around the normal quantile, accurate to 1e-3).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df - 1],
        _ => {
            let z: f64 = 1.959964;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// Mean, standard deviation and 95% t-interval of a sample.
pub fn estimate(xs: &[f64]) -> Estimate {
    let n = xs.len();
    if n == 0 {
        return Estimate {
            mean: 0.0,
            sd: 0.0,
            lo: None,
            hi: None,
            n,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Estimate {
            mean,
            sd: 0.0,
            lo: None,
            hi: None,
            n,
        };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let half = t975(n - 1) * sd / (n as f64).sqrt();
    Estimate {
        mean,
        sd,
        lo: Some(mean - half),
        hi: Some(mean + half),
        n,
    }
}

/// Each total's definition (the doc comments of [`Totals`], kept in one place).
pub fn metric_defs() -> Vec<MetricDef> {
    const DEFS: &[&str] = &[
        "Children who entered the simulation (identical for every rule: common random numbers).",
        "Placements made: first placements, re-placements after a breakdown and step-across moves.",
        "Sum over days of the children waiting at the end of the day (each waiting child adds one a day).",
        "Mean days a child had waited when placed from the waiting list (step-across moves excluded).",
        "Mean days waited counting the children still waiting at the end (their wait so far) as well as those placed: mean wait alone leaves out the children a rule never places.",
        "Children still waiting at the end.",
        "Sum over days of the children in a placement.",
        "Sum over days of the children placed outside their own authority.",
        "Sum over days of the children placed more than 20 miles (32 km) from home.",
        "Sum over days of the placed children's unmet need (levels short of the home's support).",
        "Spend on the scenario's children: spot placements at weekly_price / 7 a day, plus every block-contract bed at weekly_price / 7 a day whether used or not.",
        "The spot part of spend (placements not on a block bed).",
        "Mean km from home of the placements made.",
        "Placements that ended by breaking down (the child went back to the waiting list).",
        "Placements after a child's first: re-placements after a breakdown plus step-across moves.",
        "Step-across moves completed (a child moved to the type of its step-across plan).",
        "Step-across moves within the same provider (no cold handover).",
        "Placements that ended as planned (the child left the simulation).",
        "The objective over the period, a score in the policy's pounds-equivalent (not money): the sum over placed child-days of the placement's weekly cost / 7 (price net of block beds and discounts, distance, out of area, quality, needs, type preference, step-across, language) plus the sum over waiting child-days of the unplaced cost / 7. Its terms are in cost_terms. Lower is better.",
    ];
    // One definition per total, in order: a missing one would silently drop the last total.
    const _: () = assert!(DEFS.len() == Totals::KEYS.len());
    Totals::KEYS
        .iter()
        .zip(Totals::LABELS)
        .zip(Totals::UNITS)
        .zip(DEFS)
        .map(|(((k, l), u), d)| MetricDef {
            key: k.to_string(),
            label: l.to_string(),
            unit: u.to_string(),
            definition: d.to_string(),
        })
        .collect()
}

/// Runs every rule on every replication (in parallel) and summarises.
///
/// `tick` is called once per simulated day of each (replication, rule) run.
pub fn simulate(world: &World, opts: &SimOptions, tick: &(dyn Fn() + Sync)) -> (SimReport, Vec<String>) {
    let (report, violations, _) = simulate_with_placements(world, opts, tick);
    (report, violations)
}

/// [`simulate`], also returning every placement of every run (rule by rule, replication by
/// replication, in order).
pub fn simulate_with_placements(
    world: &World,
    opts: &SimOptions,
    tick: &(dyn Fn() + Sync),
) -> (SimReport, Vec<String>, Vec<PlacementRecord>) {
    let (report, violations, placements, _) = run_all(world, opts, tick);
    (report, violations, placements)
}

/// [`simulate_with_placements`], also returning per rule (report order) each replication's
/// objective at `opts.score_policy` (empty without one).
fn run_all(
    world: &World,
    opts: &SimOptions,
    tick: &(dyn Fn() + Sync),
) -> (SimReport, Vec<String>, Vec<PlacementRecord>, Vec<Vec<f64>>) {
    use rayon::prelude::*;
    let reps: Vec<Replication> = (0..opts.replications as u64)
        .into_par_iter()
        .map(|rep| replication(world, opts.seed, rep, opts.days))
        .collect();
    let jobs: Vec<(usize, Rule)> = (0..reps.len())
        .flat_map(|rep| opts.rules.iter().map(move |&rule| (rep, rule)))
        .collect();
    let outcomes: Vec<RepOutcome> = jobs
        .par_iter()
        .map(|&(rep, rule)| run_replication(world, &reps[rep], rule, opts, tick))
        .collect();
    let mut violations = Vec::new();
    let mut rules = Vec::new();
    let mut placements = Vec::new();
    let mut scores = Vec::new();
    for &rule in &opts.rules {
        let mine: Vec<&RepOutcome> = outcomes.iter().filter(|o| o.rule == rule).collect();
        scores.push(mine.iter().filter_map(|o| o.cost_at_score_policy).collect());
        placements.extend(mine.iter().flat_map(|o| o.placements.iter().cloned()));
        violations.extend(mine.iter().flat_map(|o| o.violations.iter().cloned()));
        let replications: Vec<Totals> = mine.iter().map(|o| o.totals.clone()).collect();
        let k = mine.len().max(1) as f64;
        // One pass per statistic: the mean, and the 95% t-interval half-width over replications.
        let per_day = |stat: &dyn Fn(&[f64]) -> f64| -> Vec<DailyPoint> {
            (0..opts.days)
                .map(|i| {
                    let of = |f: fn(&DailyPoint) -> f64| stat(&mine.iter().map(|o| f(&o.daily[i])).collect::<Vec<_>>());
                    DailyPoint {
                        day: i + 1,
                        arrivals: of(|p| p.arrivals),
                        waiting: of(|p| p.waiting),
                        placed: of(|p| p.placed),
                        new_placements: of(|p| p.new_placements),
                        spend: of(|p| p.spend),
                        out_of_area: of(|p| p.out_of_area),
                        over_20_miles: of(|p| p.over_20_miles),
                        breakdowns: of(|p| p.breakdowns),
                        step_across_moves: of(|p| p.step_across_moves),
                        free_beds: of(|p| p.free_beds),
                    }
                })
                .collect()
        };
        let daily = per_day(&|v: &[f64]| v.iter().sum::<f64>() / k);
        let daily_half_width = per_day(&|v: &[f64]| {
            let e = estimate(v);
            e.hi.map_or(0.0, |hi| hi - e.mean)
        });
        rules.push(RuleReport {
            rule: rule.name().to_string(),
            totals: TotalsEstimate::over(&replications),
            replications,
            daily,
            daily_half_width,
            days_not_proven_optimal: mine.iter().map(|o| o.days_not_optimal).sum(),
        });
    }
    let report = SimReport {
        format: SIMULATE_FORMAT.into(),
        scenario: world.scenario.name.clone().unwrap_or_else(|| "scenario".into()),
        seed: opts.seed,
        days: opts.days,
        replications: opts.replications,
        metrics: metric_defs(),
        versus_baseline: opts.baseline.and_then(|b| versus_baseline(&rules, b.name())),
        rules,
        sweep: None,
        lookahead: opts.rules.contains(&Rule::Lookahead).then_some(opts.lookahead),
    };
    (report, violations, placements, scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_total_has_a_definition() {
        assert_eq!(metric_defs().len(), Totals::KEYS.len());
    }

    #[test]
    fn t_interval_matches_the_textbook() {
        // Five replications 1..5: mean 3, sd √2.5, half width 2.776·√2.5/√5.
        let e = estimate(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        let half = 2.776 * (2.5f64).sqrt() / 5f64.sqrt();
        assert!((e.hi.unwrap() - 3.0 - half).abs() < 1e-9);
        assert!((t975(100) - 1.984).abs() < 1e-3);
        assert!((t975(31) - 2.040).abs() < 1e-3);
        assert_eq!(estimate(&[7.0]).lo, None);
    }
}
