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

/// The format tag of a simulation report.
pub const SIMULATE_FORMAT: &str = "placematch/simulate@1";

/// A mean over replications with its 95% confidence interval (Student's t).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
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
        pub struct Totals {
            $( $(#[$doc])* pub $field: f64, )*
        }
        /// The totals as means over replications with 95% confidence intervals.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        pub struct TotalsEstimate {
            $( $(#[$doc])* pub $field: Estimate, )*
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
                TotalsEstimate { $( $field: estimate(&reps.iter().map(|t| t.$field).collect::<Vec<_>>()), )* }
            }
            /// Estimates in report order.
            pub fn values(&self) -> Vec<Estimate> { vec![$(self.$field,)*] }
        }
    };
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
    ];
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

// ---------------------------------------------------------------------------------------------
// The engine.

/// Tags of the random streams, so each stream depends only on what it is for.
mod tag {
    pub const ARRIVALS: u64 = 1;
    pub const CHILD: u64 = 2;
    pub const PLACEMENT: u64 = 3;
    pub const OUTSIDE_STAY: u64 = 4;
    pub const TAKEUP: u64 = 5;
    pub const RULE: u64 = 6;
}

/// Settings of a simulation run.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Days to simulate.
    pub days: usize,
    /// Replications per rule.
    pub replications: usize,
    /// Random seed.
    pub seed: u64,
    /// Rules under comparison, in report order.
    pub rules: Vec<Rule>,
    /// Run the independent checker on every daily assignment and check bed counts every day.
    pub check: bool,
}

/// A child entering the simulation.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// Day of arrival (0-based).
    pub day: usize,
    /// Index among the replication's arrivals.
    pub seq: u64,
    /// Segment index.
    pub segment: usize,
    /// The child as a batch record (urgency and waiting days are set each day).
    pub child: Child,
    /// Where the child is from and who is responsible.
    pub place: ChildPlace,
}

/// What one replication shares across rules: the same children and the same new homes.
#[derive(Debug, Clone)]
pub struct Replication {
    /// Replication number.
    pub rep: u64,
    /// Arrivals in order of day then sequence.
    pub arrivals: Vec<Arrival>,
    /// Homes of the stock followed by homes approved during the run.
    pub homes: Vec<StockHome>,
    /// Per home, the days its initial occupants from outside the scenario leave.
    pub outside_leave: Vec<Vec<usize>>,
}

/// Draws a replication's arrivals and new homes. Arrivals depend on (seed, replication) only;
/// each child's attributes come from its own stream.
pub fn replication(world: &World, seed: u64, rep: u64, days: usize) -> Replication {
    let mut rng = tagged_stream(seed, &[tag::ARRIVALS, rep]);
    let mut arrivals = Vec::new();
    let mut seq = 0u64;
    for day in 0..days {
        for (si, seg) in world.scenario.segments.iter().enumerate() {
            let weights = &world.segment_weights[si];
            let total: f64 = weights.iter().sum();
            if total <= 0.0 || seg.rate_per_day <= 0.0 {
                continue;
            }
            for (ai, w) in weights.iter().enumerate() {
                let lambda = seg.rate_per_day * w / total;
                if lambda <= 0.0 {
                    continue;
                }
                let n = rand_distr::Poisson::new(lambda)
                    .expect("positive rate")
                    .sample(&mut rng) as u64;
                for _ in 0..n {
                    seq += 1;
                    arrivals.push(draw_child(world, seed, rep, seq, day, si, ai));
                }
            }
        }
    }
    let mut homes = world.homes.clone();
    homes.extend(world.new_homes(seed, rep, days));
    let mean_stay = world.scenario.outside_demand.mean_stay_days;
    let outside_leave = homes
        .iter()
        .enumerate()
        .map(|(h, sh)| {
            let mut r = tagged_stream(seed, &[tag::OUTSIDE_STAY, rep, h as u64]);
            let exp = rand_distr::Exp::new(1.0 / mean_stay).expect("checked stay");
            (0..sh.outside).map(|_| exp.sample(&mut r).ceil() as usize).collect()
        })
        .collect();
    Replication {
        rep,
        arrivals,
        homes,
        outside_leave,
    }
}

fn draw_child(world: &World, seed: u64, rep: u64, seq: u64, day: usize, si: usize, ai: usize) -> Arrival {
    let seg = &world.scenario.segments[si];
    let auth = &world.authorities[ai];
    let mut r = tagged_stream(seed, &[tag::CHILD, rep, seq]);
    let (sector, place) = auth.sectors[r.gen_range(0..auth.sectors.len())].clone();
    let age = r.gen_range(seg.age.min..=seg.age.max);
    let sex = if r.gen_bool(seg.female_share) {
        Sex::Female
    } else {
        Sex::Male
    };
    let needs = seg
        .needs
        .iter()
        .map(|(ind, ps)| (*ind, pick(&mut r, ps.iter().enumerate().map(|(l, p)| (l as i64, *p)))))
        .filter(|(_, l)| *l > 0)
        .collect();
    let risks = seg
        .risks
        .iter()
        .filter(|(_, p)| r.gen_bool(**p))
        .map(|(k, _)| *k)
        .collect();
    let incompatible_risks = seg
        .incompatible_risks
        .iter()
        .filter(|(_, p)| r.gen_bool(**p))
        .map(|(k, _)| *k)
        .collect();
    let urgency = match &seg.urgency {
        Some(m) => pick(&mut r, m.iter().map(|(k, v)| (*k, *v))),
        None => Urgency::Planned,
    };
    let requires_solo = r.gen_bool(seg.requires_solo);
    let step_across = seg
        .step_across
        .as_ref()
        .and_then(|p| r.gen_bool(p.share).then_some(StepAcross { to: p.to }));
    let child = Child {
        id: format!("C{seq:06}"),
        la: Some(auth.code.clone()),
        location: Location {
            postcode: Some(sector),
            lat: None,
            lon: None,
        },
        age,
        sex: Some(sex),
        placement_types: seg.placement_types.clone(),
        needs,
        risks,
        incompatible_risks,
        urgency,
        waiting_days: 0,
        sibling_group: None,
        keep_together: None,
        requires_solo,
        secure_order: false,
        max_distance_km: seg.max_distance_km,
        min_distance_km: None,
        exclusion_zones: Vec::new(),
        step_across,
        budget_cap: None,
        languages: Vec::new(),
        min_ofsted: None,
    };
    Arrival {
        day,
        seq,
        segment: si,
        place: ChildPlace::new(&child, place, auth.code.clone(), Vec::new()),
        child,
    }
}

/// The random quantities of a child's `k`-th placement: the same for every rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacementDraws {
    /// Days the placement lasts if it does not break down.
    pub duration: usize,
    /// Accumulated hazard at which it breaks down (exponential with mean 1).
    pub threshold: f64,
    /// Days into the placement before a step-across plan is ready.
    pub step_after: Option<usize>,
}

/// Draws a child's `k`-th placement from its own stream (seed, replication, child, k).
pub fn placement_draws(world: &World, seed: u64, rep: u64, arrival: &Arrival, k: u64) -> PlacementDraws {
    let seg = &world.scenario.segments[arrival.segment];
    let mut r = tagged_stream(seed, &[tag::PLACEMENT, rep, arrival.seq, k]);
    let duration = seg.duration.draw(&mut r);
    let threshold = rand_distr::Exp1.sample(&mut r);
    let step_after = seg.step_across.as_ref().map(|p| p.after.draw(&mut r));
    PlacementDraws {
        duration,
        threshold,
        step_after,
    }
}

#[derive(Debug, Clone, Copy)]
struct Stay {
    home: usize,
    start: usize,
    end: usize,
    breaks: bool,
    block: bool,
    out_of_area: bool,
    over_20_miles: bool,
    unmet: i64,
    ready: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
enum Status {
    Waiting { since: usize },
    Placed(Stay),
    Left,
}

#[derive(Debug, Clone)]
struct HomeState {
    outside_leave: Vec<usize>,
    residents: Vec<usize>,
    block_used: usize,
}

/// Raw daily figures of one replication.
#[derive(Debug, Clone, Default)]
struct DayRaw {
    arrivals: f64,
    waiting: f64,
    placed: f64,
    new_placements: f64,
    spend: f64,
    out_of_area: f64,
    over_20_miles: f64,
    breakdowns: f64,
    step_across_moves: f64,
    free_beds: f64,
}

/// The outcome of one rule on one replication.
#[derive(Debug, Clone)]
pub struct RepOutcome {
    /// The rule.
    pub rule: Rule,
    /// The replication.
    pub rep: u64,
    /// Totals over the period.
    pub totals: Totals,
    /// Daily figures.
    pub daily: Vec<DailyPoint>,
    /// Every child that arrived: (day, id), in order.
    pub arrivals: Vec<(usize, String)>,
    /// Children placed at least once.
    pub ever_placed: usize,
    /// At the end: waiting, in a placement, left.
    pub end_state: (usize, usize, usize),
    /// Children waiting at the end who were never placed.
    pub never_placed_waiting: usize,
    /// Problems found by the checker or the bed counts (only with `check`).
    pub violations: Vec<String>,
}

/// Runs one rule through one replication, day by day.
pub fn run_replication(
    world: &World,
    r: &Replication,
    rule: Rule,
    opts: &SimOptions,
    mut tick: impl FnMut(),
) -> RepOutcome {
    let seed = opts.seed;
    let bd = world.scenario.breakdown;
    let takeup = world.scenario.outside_demand.daily_takeup;
    let mean_stay = world.scenario.outside_demand.mean_stay_days;
    let stay_dist = rand_distr::Exp::new(1.0 / mean_stay).expect("checked stay");
    let n = r.arrivals.len();
    let mut status: Vec<Option<Status>> = vec![None; n];
    let mut urgency: Vec<Urgency> = r.arrivals.iter().map(|a| a.child.urgency).collect();
    let mut count: Vec<u64> = vec![0; n];
    // Children whose needs have fallen because their step-across plan became ready.
    let mut reduced: Vec<bool> = vec![false; n];
    let mut homes: Vec<HomeState> = r
        .outside_leave
        .iter()
        .map(|l| HomeState {
            outside_leave: l.clone(),
            residents: Vec::new(),
            block_used: 0,
        })
        .collect();
    let mut t = Totals::default();
    let mut daily = Vec::with_capacity(opts.days);
    let mut violations = Vec::new();
    let (mut km_sum, mut waited_sum, mut from_waiting) = (0.0, 0.0, 0usize);
    let mut next_arrival = 0;
    let mut arrived = 0;
    for d in 0..opts.days {
        let mut day = DayRaw::default();
        // Morning: placements end or break down; children from outside leave.
        for c in 0..arrived {
            if let Some(Status::Placed(s)) = status[c] {
                if s.end == d {
                    let h = &mut homes[s.home];
                    h.residents.retain(|&x| x != c);
                    if s.block {
                        h.block_used -= 1;
                    }
                    if s.breaks {
                        t.breakdowns += 1.0;
                        day.breakdowns += 1.0;
                        urgency[c] = bd.urgency;
                        status[c] = Some(Status::Waiting { since: d });
                    } else {
                        t.placements_ended += 1.0;
                        status[c] = Some(Status::Left);
                    }
                }
            }
        }
        for h in &mut homes {
            h.outside_leave.retain(|&l| l > d);
        }
        while next_arrival < n && r.arrivals[next_arrival].day == d {
            status[next_arrival] = Some(Status::Waiting { since: d });
            next_arrival += 1;
            day.arrivals += 1.0;
        }
        arrived = next_arrival;

        // The day's batch: children waiting, then children ready to step across.
        let mut kids: Vec<(usize, bool)> = Vec::new();
        for (c, st) in status.iter().enumerate().take(arrived) {
            if let Some(Status::Waiting { .. }) = st {
                kids.push((c, false));
            }
        }
        for (c, st) in status.iter().enumerate().take(arrived) {
            if let Some(Status::Placed(s)) = st {
                let plan = r.arrivals[c].child.step_across.as_ref().map(|p| p.to);
                if s.ready.is_some_and(|rd| rd <= d) && plan.is_some_and(|to| r.homes[s.home].home.kind != to) {
                    kids.push((c, true));
                }
            }
        }
        let free = |h: usize, homes: &[HomeState]| -> usize {
            r.homes[h].capacity - homes[h].outside_leave.len() - homes[h].residents.len()
        };
        let open: Vec<usize> = (0..r.homes.len())
            .filter(|&h| r.homes[h].from_day <= d && free(h, &homes) > 0)
            .collect();
        if !kids.is_empty() && !open.is_empty() {
            for &(c, mover) in &kids {
                reduced[c] |= mover;
            }
            let inst = day_instance(world, r, &homes, &status, &urgency, &reduced, &kids, &open, d);
            let day_seed = {
                let mut g = tagged_stream(seed, &[tag::RULE, r.rep, d as u64]);
                g.gen::<u64>()
            };
            let assignment = crate::compare::rules::assign(rule, &inst, day_seed);
            if opts.check {
                let e = crate::check::evaluate_assignment(&inst, &assignment);
                for v in e.violations {
                    violations.push(format!("{} replication {} day {}: {v}", rule.name(), r.rep, d + 1));
                }
            }
            // Block beds go first to the most urgent, then by id (as the checker counts them).
            let mut at_home: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for (bi, a) in assignment.iter().enumerate() {
                if let Some(hi) = a {
                    at_home.entry(*hi).or_default().push(bi);
                }
            }
            let mut block = vec![false; kids.len()];
            for (hi, list) in &mut at_home {
                let cs = &inst.batch.children;
                list.sort_by(|&a, &b| (cs[a].urgency, &cs[a].id).cmp(&(cs[b].urgency, &cs[b].id)));
                for &bi in list.iter().take(inst.batch.homes[*hi].block_vacancies.max(0) as usize) {
                    block[bi] = true;
                }
            }
            for (bi, a) in assignment.iter().enumerate() {
                let Some(hi) = *a else { continue };
                let (c, mover) = kids[bi];
                let h = open[hi];
                if mover {
                    let Some(Status::Placed(old)) = status[c] else {
                        unreachable!("movers are placed")
                    };
                    let oh = &mut homes[old.home];
                    oh.residents.retain(|&x| x != c);
                    if old.block {
                        oh.block_used -= 1;
                    }
                    t.step_across_moves += 1.0;
                    day.step_across_moves += 1.0;
                    if r.homes[old.home].provider == r.homes[h].provider {
                        t.step_across_same_provider += 1.0;
                    }
                    t.moves += 1.0;
                } else {
                    let Some(Status::Waiting { since }) = status[c] else {
                        unreachable!("waiting")
                    };
                    waited_sum += (d - since) as f64;
                    from_waiting += 1;
                    if count[c] > 0 {
                        t.moves += 1.0;
                    }
                }
                let draws = placement_draws(world, seed, r.rep, &r.arrivals[c], count[c]);
                count[c] += 1;
                let km = crate::pair::eligibility::pair_km(&inst, bi, hi);
                let unmet = crate::pair::cost::unmet_need(&inst, bi, hi);
                let out_of_area = r.homes[h].la != r.arrivals[c].place.la;
                let seg = &world.scenario.segments[r.arrivals[c].segment];
                let weekly = bd.weekly_hazard(seg.breakdown_multiplier, unmet, km, out_of_area);
                // Constant hazard: the placement breaks down on the first day the accumulated
                // daily hazard reaches the drawn threshold.
                let breaks_after = if weekly >= 1.0 {
                    1
                } else if weekly <= 0.0 {
                    usize::MAX
                } else {
                    let daily_rate = -(1.0 - weekly).ln() / 7.0;
                    (draws.threshold / daily_rate).ceil().clamp(1.0, 1e9) as usize
                };
                let (end, breaks) = if breaks_after < draws.duration {
                    (d + breaks_after, true)
                } else {
                    (d + draws.duration, false)
                };
                let plan = r.arrivals[c].child.step_across.as_ref().map(|p| p.to);
                let ready = match (plan, draws.step_after) {
                    (Some(to), Some(after)) if r.homes[h].home.kind != to => Some(d + after),
                    _ => None,
                };
                homes[h].residents.push(c);
                if block[bi] {
                    homes[h].block_used += 1;
                }
                status[c] = Some(Status::Placed(Stay {
                    home: h,
                    start: d,
                    end,
                    breaks,
                    block: block[bi],
                    out_of_area,
                    over_20_miles: km > 32.0,
                    unmet,
                    ready,
                }));
                t.placements += 1.0;
                day.new_placements += 1.0;
                km_sum += km;
            }
        }

        // Evening: children from outside the scenario take some of the spot beds left.
        for (h, sh) in r.homes.iter().enumerate() {
            if sh.from_day > d {
                continue;
            }
            let st = &homes[h];
            let spot_free = free(h, &homes) - (sh.block_beds - st.block_used);
            if spot_free > 0 && takeup > 0.0 {
                let mut g = tagged_stream(seed, &[tag::TAKEUP, r.rep, h as u64, d as u64]);
                let p = 1.0 - (1.0 - takeup).powi(spot_free as i32);
                if g.gen::<f64>() < p {
                    let stay = stay_dist.sample(&mut g).ceil().max(1.0) as usize;
                    homes[h].outside_leave.push(d + stay);
                }
            }
            day.free_beds += free(h, &homes) as f64;
            day.spend += (sh.block_beds as f64) * sh.home.weekly_price / 7.0;
            if opts.check {
                let st = &homes[h];
                if st.outside_leave.len() + st.residents.len() > sh.capacity || st.block_used > sh.block_beds {
                    violations.push(format!(
                        "{} replication {} day {}: home {} holds {} children in {} beds ({} of {} block beds)",
                        rule.name(),
                        r.rep,
                        d + 1,
                        sh.home.id,
                        st.outside_leave.len() + st.residents.len(),
                        sh.capacity,
                        st.block_used,
                        sh.block_beds
                    ));
                }
            }
        }
        let block_spend = day.spend;
        // End of day: who waits, who is placed, where.
        for st in status.iter().take(arrived) {
            match st {
                Some(Status::Waiting { .. }) => day.waiting += 1.0,
                Some(Status::Placed(s)) => {
                    day.placed += 1.0;
                    if !s.block {
                        day.spend += r.homes[s.home].home.weekly_price / 7.0;
                    }
                    day.out_of_area += f64::from(u8::from(s.out_of_area));
                    day.over_20_miles += f64::from(u8::from(s.over_20_miles));
                    t.child_days_unmet_need += s.unmet as f64;
                    debug_assert!(s.start <= d);
                }
                _ => {}
            }
        }
        t.child_days_waiting += day.waiting;
        t.child_days_placed += day.placed;
        t.child_days_out_of_area += day.out_of_area;
        t.child_days_over_20_miles += day.over_20_miles;
        t.spend += day.spend;
        t.spot_spend += day.spend - block_spend;
        daily.push(day);
        tick();
    }
    t.arrivals = arrived as f64;
    t.waiting_at_end = daily.last().map_or(0.0, |x| x.waiting);
    t.mean_wait_days = if from_waiting > 0 {
        waited_sum / from_waiting as f64
    } else {
        0.0
    };
    t.mean_km = if t.placements > 0.0 { km_sum / t.placements } else { 0.0 };
    let mut end_state = (0, 0, 0);
    let mut never_placed_waiting = 0;
    for (c, st) in status.iter().enumerate().take(arrived) {
        match st {
            Some(Status::Waiting { .. }) => {
                end_state.0 += 1;
                if count[c] == 0 {
                    never_placed_waiting += 1;
                }
            }
            Some(Status::Placed(_)) => end_state.1 += 1,
            _ => end_state.2 += 1,
        }
    }
    RepOutcome {
        rule,
        rep: r.rep,
        totals: t,
        daily: daily
            .into_iter()
            .enumerate()
            .map(|(i, x)| DailyPoint {
                day: i + 1,
                arrivals: x.arrivals,
                waiting: x.waiting,
                placed: x.placed,
                new_placements: x.new_placements,
                spend: x.spend,
                out_of_area: x.out_of_area,
                over_20_miles: x.over_20_miles,
                breakdowns: x.breakdowns,
                step_across_moves: x.step_across_moves,
                free_beds: x.free_beds,
            })
            .collect(),
        arrivals: r.arrivals[..arrived]
            .iter()
            .map(|a| (a.day, a.child.id.clone()))
            .collect(),
        ever_placed: count.iter().take(arrived).filter(|&&k| k > 0).count(),
        end_state,
        never_placed_waiting,
        violations,
    }
}

/// The day's batch as a located instance: the SPEC cost and eligibility apply unchanged.
#[allow(clippy::too_many_arguments)]
fn day_instance(
    world: &World,
    r: &Replication,
    homes: &[HomeState],
    status: &[Option<Status>],
    urgency: &[Urgency],
    reduced: &[bool],
    kids: &[(usize, bool)],
    open: &[usize],
    d: usize,
) -> Instance {
    let mut children = Vec::with_capacity(kids.len());
    let mut places = Vec::with_capacity(kids.len());
    for &(c, mover) in kids {
        let a = &r.arrivals[c];
        let mut child = a.child.clone();
        if reduced[c] {
            let by = world.scenario.segments[a.segment]
                .step_across
                .as_ref()
                .map_or(0, |p| p.needs_reduce_by);
            for level in child.needs.values_mut() {
                *level = (*level - by).max(0);
            }
        }
        match status[c] {
            Some(Status::Placed(s)) if mover => {
                // A step-across move: only the target type, planned, waiting since ready.
                let to = child.step_across.take().expect("movers have a plan").to;
                child.placement_types = vec![to];
                child.urgency = Urgency::Planned;
                child.waiting_days = (d - s.ready.expect("ready")) as i64;
            }
            Some(Status::Waiting { since }) => {
                child.urgency = urgency[c];
                child.waiting_days = (d - since) as i64;
            }
            _ => unreachable!("only waiting children and movers are batched"),
        }
        children.push(child);
        places.push(a.place.clone());
    }
    let mut batch_homes = Vec::with_capacity(open.len());
    let mut home_places = Vec::with_capacity(open.len());
    for &h in open {
        let sh = &r.homes[h];
        let st = &homes[h];
        let mut home = sh.home.clone();
        let occupied = st.outside_leave.len() + st.residents.len();
        home.vacancies = (sh.capacity - occupied) as i64;
        home.occupied = occupied as i64;
        home.block_vacancies = (sh.block_beds - st.block_used) as i64;
        // Regulation 14: the scenario's own residents bring their risks into the home.
        for &c in &st.residents {
            let ch = &r.arrivals[c].child;
            home.resident_risks.extend(ch.risks.iter().copied());
            home.incompatible_risks.extend(ch.incompatible_risks.iter().copied());
        }
        home.resident_risks.sort();
        home.resident_risks.dedup();
        home.incompatible_risks.sort();
        home.incompatible_risks.dedup();
        home_places.push(HomePlace::new(
            &home,
            sh.place.clone(),
            sh.la.clone(),
            sh.provider,
            sh.rating,
        ));
        batch_homes.push(home);
    }
    Instance::new(
        Batch {
            format: crate::input::batch::BATCH_FORMAT.into(),
            batch_id: Some(format!("rep{}-day{}", r.rep, d + 1)),
            as_of: None,
            policy: world.scenario.policy.clone(),
            providers: world.scenario.providers.clone(),
            homes: batch_homes,
            children,
        },
        world.policy.clone(),
        places,
        home_places,
    )
}

/// Runs every rule on every replication (in parallel) and summarises.
///
/// `tick` is called once per simulated day of each (replication, rule) run.
pub fn simulate(world: &World, opts: &SimOptions, tick: &(dyn Fn() + Sync)) -> (SimReport, Vec<String>) {
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
    for &rule in &opts.rules {
        let mine: Vec<&RepOutcome> = outcomes.iter().filter(|o| o.rule == rule).collect();
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
        });
    }
    let report = SimReport {
        format: SIMULATE_FORMAT.into(),
        scenario: world.scenario.name.clone().unwrap_or_else(|| "scenario".into()),
        seed: opts.seed,
        days: opts.days,
        replications: opts.replications,
        metrics: metric_defs(),
        rules,
    };
    (report, violations)
}

// ---------------------------------------------------------------------------------------------
// Output.

fn short(x: f64) -> String {
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
        for (k, e) in Totals::KEYS.iter().zip(rule.totals.values()) {
            out.push_str(&format!(
                "{},total,,{k},{},{},{}\n",
                rule.rule,
                e.mean,
                opt(e.lo),
                opt(e.hi)
            ));
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
