//! The `lookahead` rule's bed values: bid prices from a demand forecast.
//!
//! The daily optimum (SPEC §6) spends today's beds as if no child came tomorrow. Over a year
//! that sends children who would do as well in fostering into the co-operative's block beds
//! (they look free: the bed is paid for anyway) and into children's homes whose support the
//! objective buys, and the children with complex needs who follow find those beds gone and
//! go to spot beds far away, or wait (docs/guide/analyst.md, "Why the daily optimum loses
//! over a year").
//!
//! `lookahead` keeps the daily MIP and adds to each pair's cost the bed's **bid price**: its
//! expected opportunity cost to the children forecast over the next H days
//! ([`LookaheadSettings::horizon_days`]), computed each day by a fluid LP ([`fluid`]):
//!
//! 1. **Forecast.** From the scenario's arrival model, K sample children per (segment,
//!    authority) with rate λ_sa > 0, drawn once from the seed with the simulation's own child
//!    generator; each stands for λ_sa/K children a day, so n_k = λ_sa·H/K over the horizon.
//!    (`solve --forecast` may instead take demand estimated from history: [`demand`].)
//! 2. **Costs.** Each sample is judged against the day's free homes by the same eligibility
//!    rules and cost terms as a real child (SPEC §4–§5), price net of a free block bed.
//! 3. **Capacity.** A home's beds the coming children can expect to find: its free block beds
//!    (children from outside never take them) plus its free spot beds times s_H, the chance a
//!    spot bed is still free on an average day of the horizon,
//!    s_H = (1/H)·Σ_{t=1..H} (1 − takeup)^t, with the scenario's daily take-up.
//! 4. **Bid prices.** π_j, the dual of home j's capacity in the fluid LP, in the objective's
//!    weekly pounds-equivalent. The value added per bed is π_j at a home with a free block bed,
//!    w·s_H·π_j at a spot bed: taking it removes only s_H of a bed from the coming children,
//!    and w = ½ ([`LookaheadSettings::spot_weight`]) because the LP overstates what a spot bed
//!    is worth to them. It sets the fortnight's expected children against today's free beds,
//!    with none of the beds that free up as children leave, so a bed it finds scarce is often
//!    free again when they come; charged in full, the values sent 16–17-year-olds out of
//!    fostering to keep beds for younger children who mostly found one anyway. Measured in
//!    docs/measurements.md ("Spot values at half weight").
//!    With H = 0 there is no such LP and spot beds carry no value.
//! 5. **Block beds over a stay.** A bed taken today stays taken for the child's whole stay
//!    (mean L_k of its segment, 200–330 days in the bundled scenarios), far beyond H, and a
//!    block is the one stock that outside children never take: when its beds are all filled,
//!    each bed-day one child holds is a bed-day another child buys on the spot market. So a
//!    second fluid LP, in steady state, has the same classes with n_k = λ_k·L_k (the children
//!    of class k placed at any one time), block homes with capacity = their block beds (held
//!    by the commissioners' children now plus free), and every other home as a market with
//!    no capacity row (bought at its price). Its dual σ_j at a block home is what one more
//!    block bed saves the children expected over their stays: the value of a free block bed
//!    is max(π_j, σ_j). Where the block has beds to spare over the stays, σ_j = 0.
//!    Without the engine's count of block beds held (`solve --forecast`), a block home's
//!    occupied beds are taken as held block beds.
//! 6. **The block's price as a floor.** Step 5's dual is the saving of the LP's marginal
//!    class, as if the children placed over the stays could be sorted afresh; a placement is
//!    never undone, so a block bed filled today by a child who would do nearly as well in
//!    fostering is not there for the child who needs a children's home next month, who then
//!    buys a spot bed at about the block's price. A free block bed where some child expected
//!    may live is therefore worth at least its weekly price
//!    ([`LookaheadSettings::block_floor`]); one no child expected may use keeps step 5's
//!    value (0: nobody is displaced). The MIP takes a floored bed only where the
//!    home is the child's best at its full price, and the price netted for the block
//!    (SPEC §6) still counts in the objective. Measured on two seeds of six scenarios in
//!    docs/measurements.md ("The block's price as a floor").
//!
//! 7. **A kept bed waits** (optional, [`LookaheadSettings::block_fill`]). Steps 5 and 6 value
//!    a free block bed as if the child it is kept for came today, but it comes when it comes:
//!    meanwhile the bed, paid for, stands empty. The classes the stay LP places at the block
//!    homes that share a class with home j arrive at Λ children a day and stay L days
//!    (rate-weighted); with F free block beds there, the last waits D = F/Λ days for one of
//!    them, and over a cycle of D + L days it serves them L. The value of steps 5–6 is then
//!    scaled by the fill share L/(D + L) ([`block_fill_share`]). Where the children it is kept
//!    for are rare and the block has beds to spare the share is well below 1, and a child who
//!    would do well there takes the bed rather than leave it empty for months: lower spend in
//!    the single-authority and slack markets. It is off by default because in tight markets
//!    it costs waiting: there a child the block bed was kept for who finds it taken waits,
//!    rather than buying a spot bed as step 5's LP assumes, so the undiscounted value was the
//!    safer one (docs/measurements.md, "Spot values at half weight").
//!
//! The day's MIP is then solved to optimality for c_ij + v_j, by the same solver as `optimal`
//! ([`crate::matching::bed_values`]). A planned child that has waited fewer than
//! [`LookaheadSettings::hold_days`] days may be left waiting when every bed open to it is
//! worth more to the children expected than placing it now saves; every other child keeps its
//! unplaced cost raised by the most a value could add, so values never leave it unplaced.

use crate::compare::scenario::World;
use crate::compare::simulate::draw_forecast_child;
use crate::input::batch::{Batch, Child, Urgency};
use crate::matching::bed_values::BedValues;
use crate::matching::model::Formulation;
use crate::pair::instance::{ChildPlace, Instance};
use crate::result::format::{ExpectedDemand, ForecastSourceKind};

pub mod daily;
pub mod demand;
pub mod fluid;

pub use fluid::{solve_fluid, FluidAnswer, FluidClass};

/// How `lookahead` forecasts and values beds (recorded in `simulate`'s JSON as `lookahead`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookaheadSettings {
    /// Days of expected arrivals spot beds are valued against (H; 0: none, block beds only).
    pub horizon_days: usize,
    /// Sample children per (segment, authority) (K).
    pub samples: usize,
    /// Cheapest eligible homes per sample in the fluid LP (M).
    pub homes_per_sample: usize,
    /// Longest a planned child may be held for a better bed, days.
    pub hold_days: i64,
    /// Whether free block beds are also valued over a stay ([`Forecast::day_values`], step 5).
    pub block_stays: bool,
    /// Whether a free block bed is worth at least its weekly price (step 6).
    pub block_floor: bool,
    /// The share w of its 14-day bid price a free spot bed carries (step 4), in [0, 1].
    pub spot_weight: f64,
    /// Whether a free block bed's value is scaled by the share of the time it would be filled
    /// while it waits for the children it is kept for (step 7; off by default).
    pub block_fill: bool,
}

impl Default for LookaheadSettings {
    fn default() -> Self {
        LookaheadSettings {
            horizon_days: 14,
            samples: 2,
            homes_per_sample: 12,
            hold_days: 3,
            block_stays: true,
            block_floor: true,
            spot_weight: 0.5,
            block_fill: false,
        }
    }
}

/// One sample child of the forecast.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The child as a batch record (planned, not yet waiting).
    pub child: Child,
    /// Where it is from.
    pub place: ChildPlace,
    /// Its segment.
    pub segment: usize,
    /// Children a day it stands for.
    pub per_day: f64,
    /// Mean stay of its segment, days: how long a bed it takes stays taken.
    pub stay_days: f64,
}

/// The demand forecast: sample children of every arrival stream, with their rates.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// The samples.
    pub samples: Vec<Sample>,
    /// Segment names, for explanations.
    pub segments: Vec<String>,
    /// The settings.
    pub settings: LookaheadSettings,
    /// s_H: the chance a free spot bed is still free on an average day of the horizon.
    pub spot_survival: f64,
    /// Where the arrival streams came from.
    pub kind: ForecastSourceKind,
    /// The streams with their rates, for the record (empty for a scenario: the scenario file
    /// holds its arrival model).
    pub demand: Vec<ExpectedDemand>,
    /// What the samples assume that the source does not say (history: ages and needs).
    pub assumed: Option<String>,
}

/// The bed values of one day, with what they are for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayValues {
    /// Values to add to the day's costs (per batch home, per batch child).
    pub values: BedValues,
    /// Per batch home, the segment whose expected children use it most in the fluid LP, and
    /// how many of them over the horizon.
    pub kept_for: Vec<Option<(String, f64)>>,
    /// Per batch home, whether its value is over the stays of the children expected (a block
    /// bed valued by step 5's LP) rather than over the next H days; then `kept_for`'s count is
    /// of that segment's children placed there at any one time.
    pub over_stay: Vec<bool>,
    /// Whether the fluid LP was solved to optimality (else every value is 0).
    pub lp_optimal: bool,
}

impl Forecast {
    /// The forecast of a scenario's arrivals, drawn from `seed` (the same for every replication).
    pub fn from_world(world: &World, seed: u64, settings: LookaheadSettings) -> Forecast {
        let mut samples = Vec::new();
        let mut seq = 0u64;
        for (si, ai, rate) in world.arrival_rates() {
            for _ in 0..settings.samples.max(1) {
                seq += 1;
                let a = draw_forecast_child(world, seed, seq, si, ai);
                let mut child = a.child;
                child.urgency = Urgency::Planned;
                child.step_across = None;
                samples.push(Sample {
                    child,
                    place: a.place,
                    segment: si,
                    per_day: rate / settings.samples.max(1) as f64,
                    stay_days: world.scenario.segments[si].duration.mean_days(),
                });
            }
        }
        let takeup = world.scenario.outside_demand.daily_takeup;
        Forecast {
            samples,
            segments: world.scenario.segments.iter().map(|s| s.name.clone()).collect(),
            settings,
            spot_survival: demand::spot_survival(takeup, settings.horizon_days),
            kind: ForecastSourceKind::Scenario,
            demand: Vec::new(),
            assumed: None,
        }
    }

    /// Each sample's eligible homes among `homes` (an instance whose homes are every home
    /// that may open, empty and without residents; its children are ignored), cheapest first
    /// by weekly cost. Done once per run: a day then only filters the homes open that day.
    pub fn prepare(&self, homes: &Instance) -> Prepared {
        let finst = Instance::new(
            Batch {
                children: self.samples.iter().map(|x| x.child.clone()).collect(),
                ..homes.batch.clone()
            },
            homes.policy.clone(),
            self.samples.iter().map(|x| x.place.clone()).collect(),
            homes.homes.clone(),
        );
        let f = Formulation::build(&finst);
        let lists = (0..self.samples.len())
            .map(|i| {
                let u = f.unit_of[i];
                let mut costs: Vec<(usize, f64)> = f.unit_cands[u]
                    .clone()
                    .map(|k| (f.cands[k].home, f.cands[k].cost))
                    .collect();
                costs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                costs
            })
            .collect();
        let some_sample_may_live = f.home_cands.iter().map(|c| !c.is_empty()).collect();
        Prepared {
            lists,
            some_sample_may_live,
        }
    }

    /// The bed values of a day's batch: the fluid LP of the forecast against the batch's
    /// free homes, and who may be held. `open[h]` is the prepared index of batch home `h`;
    /// `block_held[h]`, when known, the block beds the commissioners' children fill there now
    /// (else a home's occupied beds are taken for them: see step 5).
    pub fn day_values(
        &self,
        prepared: &Prepared,
        inst: &Instance,
        open: &[usize],
        block_held: Option<&[usize]>,
    ) -> DayValues {
        let s = &self.settings;
        let homes = &inst.batch.homes;
        let mut batch_of = std::collections::HashMap::with_capacity(open.len());
        for (hi, &h) in open.iter().enumerate() {
            batch_of.insert(h, hi);
        }
        // A day of waiting, for a class that has run out of homes.
        let wait_day = inst.policy.unplaced_cost(Urgency::Planned, 0) / 7.0;
        let m = s.homes_per_sample.max(1);
        let mut classes = Vec::new();
        let mut segment_of = Vec::new();
        let mut stay_demand = Vec::new();
        let mut rates = Vec::new();
        for (smp, list) in self.samples.iter().zip(&prepared.lists) {
            let mut costs: Vec<(usize, f64)> = Vec::with_capacity(m + 1);
            for &(h, cost) in list {
                let Some(&hi) = batch_of.get(&h) else { continue };
                // A free block bed is paid for anyway: the class pays the rest of the cost.
                let net = if homes[hi].block_vacancies > 0 {
                    cost - homes[hi].weekly_price
                } else {
                    cost
                };
                costs.push((hi, net));
                if costs.len() > m {
                    break;
                }
            }
            if costs.is_empty() {
                continue;
            }
            costs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let fallback = match costs.get(m) {
                Some(&(_, c)) => c,
                None => costs.iter().map(|x| x.1).fold(f64::MIN, f64::max) + wait_day,
            };
            costs.truncate(m);
            classes.push(FluidClass {
                expected: smp.per_day * s.horizon_days as f64,
                homes: costs,
                fallback,
            });
            segment_of.push(smp.segment);
            stay_demand.push(smp.per_day * smp.stay_days);
            rates.push(ClassRate {
                per_day: smp.per_day,
                stay_days: smp.stay_days,
            });
        }
        let capacity: Vec<f64> = homes
            .iter()
            .map(|h| {
                let block = h.block_vacancies.max(0) as f64;
                block + (h.vacancies.max(0) as f64 - block).max(0.0) * self.spot_survival
            })
            .collect();
        let a = if s.horizon_days > 0 {
            solve_fluid(&classes, &capacity)
        } else {
            FluidAnswer::nothing_binds(homes.len())
        };
        let stays = if s.block_stays && homes.iter().any(|h| h.block_vacancies > 0) {
            // The same classes, now expected over their stays (the 14-day LP is solved).
            for (c, &expected) in classes.iter_mut().zip(&stay_demand) {
                c.expected = expected;
            }
            // Only the block is finite: spot beds are a market bought at their price.
            let capacity: Vec<f64> = homes
                .iter()
                .enumerate()
                .map(|(hi, h)| {
                    if h.block_vacancies > 0 {
                        let held = block_held.map_or(h.occupied.max(0) as usize, |b| b.get(hi).copied().unwrap_or(0));
                        (h.block_vacancies + held as i64) as f64
                    } else {
                        f64::INFINITY
                    }
                })
                .collect();
            solve_fluid(&classes, &capacity)
        } else {
            FluidAnswer::nothing_binds(homes.len())
        };
        let fill = if s.block_fill {
            block_fill_share(&stays, &rates, homes)
        } else {
            vec![1.0; homes.len()]
        };
        // A free block bed's value over the stays: step 5's dual, at least its price (step 6)
        // where some child expected may live, for the share of the time it would be filled
        // (step 7).
        let over: Vec<f64> = homes
            .iter()
            .zip(open.iter().zip(&stays.price))
            .zip(&fill)
            .map(|((h, (&j, &q)), &f)| {
                let floored = s.block_floor && prepared.some_sample_may_live.get(j).copied().unwrap_or(false);
                f * match (h.block_vacancies > 0, floored) {
                    (false, _) => 0.0,
                    (true, false) => q,
                    (true, true) => q.max(h.weekly_price),
                }
            })
            .collect();
        let per_home = homes
            .iter()
            .zip(a.price.iter().zip(&over))
            .map(|(h, (&p, &q))| {
                if h.block_vacancies > 0 {
                    p.max(q)
                } else {
                    p * self.spot_survival * s.spot_weight
                }
            })
            .collect();
        let holdable = inst
            .batch
            .children
            .iter()
            .map(|c| c.urgency == Urgency::Planned && c.waiting_days < s.hold_days)
            .collect();
        let over_stay: Vec<bool> = (0..homes.len()).map(|h| over[h] > a.price[h]).collect();
        // The segment of whichever LP set the home's value.
        let kept_for = (0..homes.len())
            .map(|h| {
                let m = if over_stay[h] {
                    stays.main_class[h]
                } else {
                    a.main_class[h]
                };
                m.map(|(k, n)| (self.segments[segment_of[k]].clone(), n))
            })
            .collect();
        DayValues {
            values: BedValues { per_home, holdable },
            over_stay,
            kept_for,
            lp_optimal: a.optimal && stays.optimal,
        }
    }
}

/// A class of the stay LP: how often its children come and how long they stay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassRate {
    /// Children a day.
    pub per_day: f64,
    /// Mean stay, days.
    pub stay_days: f64,
}

/// Step 7: per home, the share of the time a free block bed kept for the children expected
/// would be filled, L/(D + L). The classes the stay LP places at the block homes that share a
/// class with this one come at Λ children a day and stay L days on average (weighted by
/// their rates); with F free block beds among those homes, the last of them waits D = F/Λ
/// days for one of those children. 1 at a home with no free block bed or no class placed
/// there (nothing to discount).
pub fn block_fill_share(stays: &FluidAnswer, rates: &[ClassRate], homes: &[crate::input::batch::Home]) -> Vec<f64> {
    (0..homes.len())
        .map(|h| {
            let users = &stays.users[h];
            if homes[h].block_vacancies <= 0 || users.is_empty() {
                return 1.0;
            }
            let group: Vec<usize> = (0..homes.len())
                .filter(|&g| homes[g].block_vacancies > 0 && stays.users[g].iter().any(|k| users.contains(k)))
                .collect();
            let mut classes: Vec<usize> = group.iter().flat_map(|&g| stays.users[g].iter().copied()).collect();
            classes.sort_unstable();
            classes.dedup();
            let rate: f64 = classes.iter().map(|&k| rates[k].per_day).sum();
            if rate <= 0.0 {
                return 1.0;
            }
            let stay = classes
                .iter()
                .map(|&k| rates[k].per_day * rates[k].stay_days)
                .sum::<f64>()
                / rate;
            let free: i64 = group.iter().map(|&g| homes[g].block_vacancies).sum();
            let wait = free as f64 / rate;
            stay / (wait + stay)
        })
        .collect()
}

/// Each forecast sample's eligible homes with their weekly cost (list price), cheapest first.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Per sample, (home index, weekly cost).
    pub lists: Vec<Vec<(usize, f64)>>,
    /// Per home, whether any sample child may live there (step 6 floors only those).
    pub some_sample_may_live: Vec<bool>,
}
