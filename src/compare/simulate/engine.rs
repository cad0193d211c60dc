//! One rule through one replication, day by day: the morning's endings and arrivals, the
//! day's batch matched by the rule, the evening's outside demand, and the day's figures.

use super::day_batch::{block_beds_taken, day_instance, stock_instance};
use super::*;

#[derive(Debug, Clone, Copy)]
pub(super) struct Stay {
    pub(super) home: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) breaks: bool,
    pub(super) block: bool,
    pub(super) out_of_area: bool,
    pub(super) over_20_miles: bool,
    pub(super) unmet: i64,
    pub(super) ready: Option<usize>,
    /// The placement's weekly cost terms (SPEC order), price net of its block bed and discount.
    pub(super) weekly: [f64; 8],
    /// Its weekly cost at [`SimOptions::score_policy`] (0 without one), netted the same way.
    pub(super) weekly_at_score_policy: f64,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Status {
    Waiting { since: usize },
    Placed(Stay),
    Left,
}

#[derive(Debug, Clone)]
pub(super) struct HomeState {
    pub(super) outside_leave: Vec<usize>,
    pub(super) residents: Vec<usize>,
    pub(super) block_used: usize,
}

/// Raw daily figures of one replication.
#[derive(Debug, Clone, Default)]
pub(super) struct DayRaw {
    pub(super) arrivals: f64,
    pub(super) waiting: f64,
    pub(super) placed: f64,
    pub(super) new_placements: f64,
    pub(super) spend: f64,
    pub(super) out_of_area: f64,
    pub(super) over_20_miles: f64,
    pub(super) breakdowns: f64,
    pub(super) step_across_moves: f64,
    pub(super) free_beds: f64,
}

/// One placement made in a run, for analysis (`simulate --placements FILE`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacementRecord {
    /// The rule.
    pub rule: String,
    /// The replication.
    pub rep: u64,
    /// Day of the placement, from 1.
    pub day: usize,
    /// The child's id.
    pub child: String,
    /// The child's segment.
    pub segment: String,
    /// Which placement of the child this is (1 = first).
    pub nth: u64,
    /// A step-across move (else from the waiting list).
    pub step_across: bool,
    /// Urgency in the day's batch.
    pub urgency: String,
    /// Days waited before it (since ready, for a step-across move).
    pub waited: usize,
    /// The home's id.
    pub home: String,
    /// The home's placement type.
    pub home_type: String,
    /// On a block-contract bed.
    pub block: bool,
    /// The home's weekly list price, £.
    pub weekly_price: f64,
    /// The placement's weekly cost (SPEC §5 terms, price net of block bed and discount), score.
    pub weekly_cost: f64,
    /// The weekly needs term, score.
    pub weekly_needs: f64,
    /// The bed value the rule added to the day's cost for this home (lookahead only), score a week.
    pub bed_value: f64,
    /// Km from home.
    pub km: f64,
    /// Unmet need levels.
    pub unmet: i64,
    /// Days the placement lasts (drawn; to its end or breakdown).
    pub days: usize,
    /// Whether it ends in a breakdown.
    pub breaks: bool,
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
    /// Every placement made, in order.
    pub placements: Vec<PlacementRecord>,
    /// Days whose MIP (or, for `lookahead`, fluid LP) was not proven optimal.
    pub days_not_optimal: usize,
    /// The objective over the period scored at [`SimOptions::score_policy`], when given.
    pub cost_at_score_policy: Option<f64>,
}

/// Runs one rule through one replication, day by day.
pub fn run_replication(
    world: &World,
    r: &Replication,
    rule: Rule,
    opts: &SimOptions,
    mut tick: impl FnMut(),
) -> RepOutcome {
    let mut run = Run::new(world, r, rule, opts);
    let mut daily = Vec::with_capacity(opts.days);
    for d in 0..opts.days {
        let mut day = DayRaw::default();
        run.morning(d, &mut day);
        run.match_day(d, &mut day);
        run.evening(d, &mut day);
        run.end_of_day(d, &mut day);
        daily.push(day);
        tick();
    }
    run.finish(daily)
}

/// The state of one rule's run through one replication.
pub(super) struct Run<'a> {
    pub(super) world: &'a World,
    pub(super) r: &'a Replication,
    pub(super) rule: Rule,
    pub(super) opts: &'a SimOptions,
    /// How long a child from outside the scenario stays in a spot bed.
    pub(super) stay_dist: rand_distr::Exp<f64>,
    /// Each child's state (`None` before it arrives).
    pub(super) status: Vec<Option<Status>>,
    /// Each child's urgency (a breakdown makes it the breakdown's).
    pub(super) urgency: Vec<Urgency>,
    /// Placements each child has had.
    pub(super) count: Vec<u64>,
    /// Children whose needs have fallen because their step-across plan became ready.
    pub(super) reduced: Vec<bool>,
    pub(super) homes: Vec<HomeState>,
    pub(super) t: Totals,
    pub(super) violations: Vec<String>,
    pub(super) km_sum: f64,
    pub(super) waited_sum: f64,
    pub(super) from_waiting: usize,
    pub(super) next_arrival: usize,
    /// Children arrived so far (they are the first `arrived` of the replication).
    pub(super) arrived: usize,
    /// Every placement made.
    pub(super) records: Vec<PlacementRecord>,
    /// Per open home of today's batch, the bed value the rule added (empty: none).
    pub(super) bed_values: Vec<f64>,
    /// The demand forecast (`lookahead` only).
    pub(super) forecast: Option<(crate::compare::lookahead::Forecast, crate::compare::lookahead::Prepared)>,
    /// Days whose MIP was not proven optimal for its own objective (MIP rules only).
    pub(super) days_not_optimal: usize,
    /// The objective so far at [`SimOptions::score_policy`].
    pub(super) cost_at_score_policy: f64,
}

impl<'a> Run<'a> {
    pub(super) fn new(world: &'a World, r: &'a Replication, rule: Rule, opts: &'a SimOptions) -> Self {
        let mean_stay = world.scenario.outside_demand.mean_stay_days;
        let n = r.arrivals.len();
        Run {
            world,
            r,
            rule,
            opts,
            stay_dist: rand_distr::Exp::new(1.0 / mean_stay).expect("checked stay"),
            status: vec![None; n],
            urgency: r.arrivals.iter().map(|a| a.child.urgency).collect(),
            count: vec![0; n],
            reduced: vec![false; n],
            homes: r
                .outside_leave
                .iter()
                .map(|l| HomeState {
                    outside_leave: l.clone(),
                    residents: Vec::new(),
                    block_used: 0,
                })
                .collect(),
            t: Totals::default(),
            violations: Vec::new(),
            km_sum: 0.0,
            waited_sum: 0.0,
            from_waiting: 0,
            next_arrival: 0,
            arrived: 0,
            records: Vec::new(),
            bed_values: Vec::new(),
            forecast: (rule == Rule::Lookahead).then(|| {
                let f = crate::compare::lookahead::Forecast::from_world(world, opts.seed, opts.lookahead);
                let prepared = f.prepare(&stock_instance(world, r));
                (f, prepared)
            }),
            days_not_optimal: 0,
            cost_at_score_policy: 0.0,
        }
    }

    /// Beds of home `h` free now.
    pub(super) fn free(&self, h: usize) -> usize {
        self.r.homes[h].capacity - self.homes[h].outside_leave.len() - self.homes[h].residents.len()
    }

    /// Morning: placements end or break down; children from outside leave; the day's
    /// children arrive.
    pub(super) fn morning(&mut self, d: usize, day: &mut DayRaw) {
        let bd = self.world.scenario.breakdown;
        for c in 0..self.arrived {
            if let Some(Status::Placed(s)) = self.status[c] {
                if s.end == d {
                    let h = &mut self.homes[s.home];
                    h.residents.retain(|&x| x != c);
                    if s.block {
                        h.block_used -= 1;
                    }
                    if s.breaks {
                        self.t.breakdowns += 1.0;
                        day.breakdowns += 1.0;
                        self.urgency[c] = bd.urgency;
                        self.status[c] = Some(Status::Waiting { since: d });
                    } else {
                        self.t.placements_ended += 1.0;
                        self.status[c] = Some(Status::Left);
                    }
                }
            }
        }
        for h in &mut self.homes {
            h.outside_leave.retain(|&l| l > d);
        }
        let r = self.r;
        while self.next_arrival < r.arrivals.len() && r.arrivals[self.next_arrival].day == d {
            self.status[self.next_arrival] = Some(Status::Waiting { since: d });
            self.next_arrival += 1;
            day.arrivals += 1.0;
        }
        self.arrived = self.next_arrival;
    }

    /// The day's batch: children waiting, then children ready to step across (`true`).
    pub(super) fn day_children(&self, d: usize) -> Vec<(usize, bool)> {
        let r = self.r;
        let mut kids: Vec<(usize, bool)> = Vec::new();
        for (c, st) in self.status.iter().enumerate().take(self.arrived) {
            if let Some(Status::Waiting { .. }) = st {
                kids.push((c, false));
            }
        }
        for (c, st) in self.status.iter().enumerate().take(self.arrived) {
            if let Some(Status::Placed(s)) = st {
                let plan = r.arrivals[c].child.step_across.as_ref().map(|p| p.to);
                if s.ready.is_some_and(|rd| rd <= d) && plan.is_some_and(|to| r.homes[s.home].home.kind != to) {
                    kids.push((c, true));
                }
            }
        }
        kids
    }

    /// The day's matching: the batch of children and open homes, solved by the rule (and
    /// checked with `check`); every assignment becomes a placement.
    pub(super) fn match_day(&mut self, d: usize, day: &mut DayRaw) {
        let (world, r, rule) = (self.world, self.r, self.rule);
        let kids = self.day_children(d);
        let open: Vec<usize> = (0..r.homes.len())
            .filter(|&h| r.homes[h].from_day <= d && self.free(h) > 0)
            .collect();
        if kids.is_empty() || open.is_empty() {
            return;
        }
        for &(c, mover) in &kids {
            self.reduced[c] |= mover;
        }
        let mut inst = day_instance(
            world,
            r,
            &self.homes,
            &self.status,
            &self.urgency,
            &self.reduced,
            &kids,
            &open,
            d,
        );
        let day_seed = {
            let mut g = tagged_stream(self.opts.seed, &[tag::RULE, r.rep, d as u64]);
            g.gen::<u64>()
        };
        let assignment = self.assign(&inst, &open, day_seed);
        // The checker's evaluation gives each placement its cost terms, block bed and discount.
        let e = crate::check::evaluate_assignment(&inst, &assignment);
        if self.opts.check {
            for v in &e.violations {
                self.violations
                    .push(format!("{} replication {} day {}: {v}", rule.name(), r.rep, d + 1));
            }
        }
        let block = block_beds_taken(&inst, &assignment, kids.len());
        let at_score_policy = self.score_policy_costs(&mut inst, &assignment, &block, &e.discount);
        for (bi, a) in assignment.iter().enumerate() {
            let Some(hi) = *a else { continue };
            let mut weekly = e.terms[bi].map(|t| t.values()).unwrap_or_default();
            if block[bi] {
                weekly[0] = 0.0;
            }
            weekly[0] -= e.discount[bi];
            let stay = (block[bi], weekly, at_score_policy[bi]);
            self.place(&inst, d, kids[bi], bi, (hi, open[hi]), stay, day);
        }
    }

    /// Per child of the day's batch, its placement's weekly cost at the score policy (price
    /// net of block bed and discount, as the run's own costs): a sweep scores every weight's
    /// runs by the scenario's own policy. Zeros without a score policy.
    fn score_policy_costs(
        &self,
        inst: &mut Instance,
        assignment: &[Option<usize>],
        block: &[bool],
        discount: &[f64],
    ) -> Vec<f64> {
        let Some(p) = &self.opts.score_policy else {
            return vec![0.0; assignment.len()];
        };
        // The terms read the instance's policy: swap it in, then back.
        let own = std::mem::replace(&mut inst.policy, p.clone());
        let out = assignment
            .iter()
            .enumerate()
            .map(|(bi, a)| {
                a.map_or(0.0, |hi| {
                    let km = crate::pair::eligibility::pair_km(inst, bi, hi);
                    let t = crate::pair::cost::terms(inst, bi, hi, km);
                    let price = if block[bi] { 0.0 } else { t.price };
                    t.total() - t.price + price - discount[bi]
                })
            })
            .collect();
        inst.policy = own;
        out
    }

    /// The rule's assignment of the day's batch.
    pub(super) fn assign(&mut self, inst: &Instance, open: &[usize], seed: u64) -> Vec<Option<usize>> {
        let day = self.forecast.as_ref().map(|(f, p)| {
            let block_held: Vec<usize> = open.iter().map(|&h| self.homes[h].block_used).collect();
            f.day_values(p, inst, open, Some(&block_held))
        });
        if let Some(dv) = &day {
            self.bed_values = dv.values.per_home.clone();
            self.days_not_optimal += usize::from(!dv.lp_optimal);
        }
        let (assignment, optimal) =
            crate::compare::rules::assign_valued(self.rule, inst, seed, day.as_ref().map(|d| &d.values));
        self.days_not_optimal += usize::from(optimal == Some(false));
        assignment
    }

    /// Places child `c` (batch index `bi`) in home `h` (batch index `hi`): leaves its old
    /// home if it steps across, draws how the placement ends, and counts it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn place(
        &mut self,
        inst: &Instance,
        d: usize,
        (c, mover): (usize, bool),
        bi: usize,
        (hi, h): (usize, usize),
        (block, weekly, weekly_at_score_policy): (bool, [f64; 8], f64),
        day: &mut DayRaw,
    ) {
        let (world, r) = (self.world, self.r);
        let t = &mut self.t;
        if mover {
            let Some(Status::Placed(old)) = self.status[c] else {
                unreachable!("movers are placed")
            };
            let oh = &mut self.homes[old.home];
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
            let Some(Status::Waiting { since }) = self.status[c] else {
                unreachable!("waiting")
            };
            self.waited_sum += (d - since) as f64;
            self.from_waiting += 1;
            if self.count[c] > 0 {
                t.moves += 1.0;
            }
        }
        let draws = placement_draws(world, self.opts.seed, r.rep, &r.arrivals[c], self.count[c]);
        self.count[c] += 1;
        let km = crate::pair::eligibility::pair_km(inst, bi, hi);
        let unmet = crate::pair::cost::unmet_need(inst, bi, hi);
        let out_of_area = r.homes[h].la != r.arrivals[c].place.la;
        let seg = &world.scenario.segments[r.arrivals[c].segment];
        let hazard = world
            .scenario
            .breakdown
            .weekly_hazard(seg.breakdown_multiplier, unmet, km, out_of_area);
        // Constant hazard: the placement breaks down on the first day the accumulated
        // daily hazard reaches the drawn threshold.
        let breaks_after = if hazard >= 1.0 {
            1
        } else if hazard <= 0.0 {
            usize::MAX
        } else {
            let daily_rate = -(1.0 - hazard).ln() / 7.0;
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
        self.records.push(PlacementRecord {
            rule: self.rule.name().to_string(),
            rep: r.rep,
            day: d + 1,
            child: r.arrivals[c].child.id.clone(),
            segment: seg.name.clone(),
            nth: self.count[c],
            step_across: mover,
            urgency: format!("{:?}", inst.batch.children[bi].urgency).to_lowercase(),
            waited: inst.batch.children[bi].waiting_days.max(0) as usize,
            home: r.homes[h].home.id.clone(),
            home_type: format!("{:?}", r.homes[h].home.kind).to_lowercase(),
            block,
            weekly_price: r.homes[h].home.weekly_price,
            weekly_cost: weekly.iter().sum(),
            weekly_needs: weekly[4],
            bed_value: self.bed_values.get(hi).copied().unwrap_or(0.0),
            km,
            unmet,
            days: end - d,
            breaks,
        });
        self.homes[h].residents.push(c);
        if block {
            self.homes[h].block_used += 1;
        }
        self.status[c] = Some(Status::Placed(Stay {
            home: h,
            start: d,
            end,
            breaks,
            block,
            out_of_area,
            over_20_miles: km > 32.0,
            unmet,
            ready,
            weekly,
            weekly_at_score_policy,
        }));
        t.placements += 1.0;
        day.new_placements += 1.0;
        self.km_sum += km;
    }

    /// Evening: children from outside the scenario take some of the spot beds left; free
    /// beds and block spend are counted (and bed counts checked with `check`).
    pub(super) fn evening(&mut self, d: usize, day: &mut DayRaw) {
        let r = self.r;
        let takeup = self.world.scenario.outside_demand.daily_takeup;
        for (h, sh) in r.homes.iter().enumerate() {
            if sh.from_day > d {
                continue;
            }
            let st = &self.homes[h];
            let spot_free = self.free(h) - (sh.block_beds - st.block_used);
            if spot_free > 0 && takeup > 0.0 {
                let mut g = tagged_stream(self.opts.seed, &[tag::TAKEUP, r.rep, h as u64, d as u64]);
                let p = 1.0 - (1.0 - takeup).powi(spot_free as i32);
                if g.gen::<f64>() < p {
                    let stay = self.stay_dist.sample(&mut g).ceil().max(1.0) as usize;
                    self.homes[h].outside_leave.push(d + stay);
                }
            }
            day.free_beds += self.free(h) as f64;
            day.spend += (sh.block_beds as f64) * sh.home.weekly_price / 7.0;
            if self.opts.check {
                let st = &self.homes[h];
                if st.outside_leave.len() + st.residents.len() > sh.capacity || st.block_used > sh.block_beds {
                    self.violations.push(format!(
                        "{} replication {} day {}: home {} holds {} children in {} beds ({} of {} block beds)",
                        self.rule.name(),
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
    }

    /// End of day: who waits, who is placed, where; the day's figures join the totals.
    pub(super) fn end_of_day(&mut self, d: usize, day: &mut DayRaw) {
        let r = self.r;
        let t = &mut self.t;
        let block_spend = day.spend;
        let policy = &self.world.policy;
        for (c, st) in self.status.iter().enumerate().take(self.arrived) {
            match st {
                Some(Status::Waiting { since }) => {
                    day.waiting += 1.0;
                    // The unplaced cost today's batch gave the child (SPEC §6), a day's share.
                    t.cost_terms.waiting += policy.unplaced_cost(self.urgency[c], (d - since) as i64) / 7.0;
                    if let Some(p) = &self.opts.score_policy {
                        self.cost_at_score_policy += p.unplaced_cost(self.urgency[c], (d - since) as i64) / 7.0;
                    }
                }
                Some(Status::Placed(s)) => {
                    t.cost_terms.add_placement(&s.weekly, 1.0 / 7.0);
                    self.cost_at_score_policy += s.weekly_at_score_policy / 7.0;
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
        t.cost = t.cost_terms.total();
    }

    /// The outcome: totals, daily series and the state at the end.
    pub(super) fn finish(self, daily: Vec<DayRaw>) -> RepOutcome {
        let Run {
            r,
            rule,
            status,
            count,
            mut t,
            violations,
            records,
            days_not_optimal,
            cost_at_score_policy,
            opts,
            km_sum,
            waited_sum,
            from_waiting,
            arrived,
            ..
        } = self;
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
        let last_day = daily.len().saturating_sub(1);
        let (mut queue_sum, mut queue) = (0.0, 0usize);
        for (c, st) in status.iter().enumerate().take(arrived) {
            match st {
                Some(Status::Waiting { since }) => {
                    queue_sum += last_day.saturating_sub(*since) as f64;
                    queue += 1;
                    end_state.0 += 1;
                    if count[c] == 0 {
                        never_placed_waiting += 1;
                    }
                }
                Some(Status::Placed(_)) => end_state.1 += 1,
                _ => end_state.2 += 1,
            }
        }
        t.mean_wait_with_queue_days = if from_waiting + queue > 0 {
            (waited_sum + queue_sum) / (from_waiting + queue) as f64
        } else {
            0.0
        };
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
            placements: records,
            days_not_optimal,
            cost_at_score_policy: opts.score_policy.as_ref().map(|_| cost_at_score_policy),
        }
    }
}
