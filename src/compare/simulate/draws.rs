//! What a replication shares across rules, drawn once from the seed: the arrivals with each
//! child's attributes, the new homes, and the random quantities of every placement.

use super::*;

/// Tags of the random streams, so each stream depends only on what it is for.
pub(super) mod tag {
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
    /// The rule every other is compared with, pairwise (`versus_baseline`); one of `rules`.
    pub baseline: Option<Rule>,
    /// How `lookahead` forecasts and values beds.
    pub lookahead: crate::compare::lookahead::LookaheadSettings,
    /// A second policy every run's objective is also scored by (`simulate --sweep` scores
    /// each weight's runs by the scenario's own policy); `None`: only the run's own.
    pub score_policy: Option<crate::input::policy::Policy>,
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
        for (si, ai, lambda) in world.arrival_rates() {
            let n = rand_distr::Poisson::new(lambda)
                .expect("positive rate")
                .sample(&mut rng) as u64;
            for _ in 0..n {
                seq += 1;
                arrivals.push(draw_child(world, seed, rep, seq, day, si, ai));
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

pub(super) fn draw_child(world: &World, seed: u64, rep: u64, seq: u64, day: usize, si: usize, ai: usize) -> Arrival {
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

/// Replication number of the forecast's own stream: far beyond any real replication, so the
/// samples `lookahead` forecasts with are never the children it will meet.
const FORECAST_REP: u64 = 1 << 48;

/// A sample child of segment `si` from authority `ai` for the look-ahead forecast, drawn by
/// the same generator as arrivals but from a stream of its own (seed, sample `seq`).
pub fn draw_forecast_child(world: &World, seed: u64, seq: u64, si: usize, ai: usize) -> Arrival {
    draw_child(world, seed, FORECAST_REP, seq, 0, si, ai)
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
