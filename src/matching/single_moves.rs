//! Regret figures and polishing by single moves, for when there is no time to re-optimise:
//! each unit moved alone to another home (or into one after moving another unit out of its
//! way), everyone else staying put. Each move is a feasible placement of the whole batch, so
//! its objective change bounds the re-optimised regret from above.

use std::collections::HashMap;

use crate::matching::model::{Component, Formulation};
use crate::pair::instance::Instance;

/// Regret figures when there is no time left to re-optimise (a `--time-limit` ran out
/// first): moving one unit alone to another home, everyone else staying where they are.
/// That is a feasible placement of the whole batch, so the re-optimised regret is at most
/// its objective change; the figure is exact for the move it describes, and the result marks
/// it `regret_exact: false`. The same moves polish a time-limited answer
/// ([`improve`](Self::improve)).
pub struct SingleMoves<'a> {
    inst: &'a Instance,
    f: &'a Formulation,
    comp: &'a Component,
    /// Candidate per unit of `comp` (None = unplaced).
    choice: Vec<Option<usize>>,
    usage: crate::matching::usage::Usage,
    /// Provider → positions (in the component) of the units placed with it.
    by_provider: HashMap<usize, Vec<usize>>,
    /// Position → the unit's candidates, cheapest own cost first (sorted when first needed).
    by_cost: HashMap<usize, Vec<u32>>,
}

/// Moves evaluated per unit, cheapest own cost first: enough to rank k of them.
const MOVES_PER_UNIT: usize = 64;
/// Homes tried per unplaced unit when making room for it, cheapest own cost first.
const ROOM_CANDIDATES: usize = 8;

/// Placing a unit after moving another out of its way: (position, candidate) of the placed
/// unit, the same of the moved one, and the objective change.
type RoomMove = ((usize, usize), (usize, usize), f64);

impl<'a> SingleMoves<'a> {
    /// Prepares the moves of a component's solution (`choice` per unit of `comp`).
    pub fn new(inst: &'a Instance, f: &'a Formulation, comp: &'a Component, choice: &[Option<usize>]) -> Self {
        let mut usage = crate::matching::usage::Usage::default();
        let mut by_provider: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, c) in choice.iter().enumerate() {
            if let Some(k) = *c {
                usage.take(inst, f, k);
                by_provider
                    .entry(inst.homes[f.cands[k].home].provider)
                    .or_default()
                    .push(i);
            }
        }
        SingleMoves {
            inst,
            f,
            comp,
            choice: choice.to_vec(),
            usage,
            by_provider,
            by_cost: HashMap::new(),
        }
    }

    /// The solution as it stands (after [`improve`](Self::improve)).
    pub fn choice(&self) -> &[Option<usize>] {
        &self.choice
    }

    fn provider(&self, k: usize) -> usize {
        self.inst.homes[self.f.cands[k].home].provider
    }

    /// The objective change of moving the unit at position `i` to candidate `to`.
    fn delta(&self, i: usize, to: usize) -> f64 {
        self.delta_of(&[(i, to)])
    }

    /// The objective change of moving units (by position) to candidates, all at once: only
    /// the units placed with a discounting provider concerned, or in a block-bed home
    /// concerned, can change with them, so the model's objective is evaluated over those
    /// alone. (Every unit of each provider concerned made a what-if's single moves take 12 s:
    /// its providers have hundreds of placements each.)
    fn delta_of(&self, changes: &[(usize, usize)]) -> f64 {
        let (inst, f) = (self.inst, self.f);
        let mut providers: Vec<usize> = Vec::with_capacity(2 * changes.len());
        let mut block_homes: Vec<usize> = Vec::new();
        for &(i, to) in changes {
            for k in self.choice[i].into_iter().chain([to]) {
                providers.push(self.provider(k));
                let h = f.cands[k].home;
                if inst.batch.homes[h].block_vacancies > 0 {
                    block_homes.push(h);
                }
            }
        }
        providers.sort_unstable();
        providers.dedup();
        let mut at: Vec<usize> = changes.iter().map(|c| c.0).collect();
        for p in providers {
            let discount = inst.batch.providers[p].volume_discount.is_some();
            let others = self.by_provider.get(&p).into_iter().flatten().filter(|&&j| {
                let home = self.choice[j].map(|k| f.cands[k].home);
                (discount || home.is_some_and(|h| block_homes.contains(&h))) && !changes.iter().any(|c| c.0 == j)
            });
            at.extend(others);
        }
        let units: Vec<usize> = at.iter().map(|&j| self.comp.units[j]).collect();
        let before: Vec<Option<usize>> = at.iter().map(|&j| self.choice[j]).collect();
        let mut after = before.clone();
        for (slot, &(_, to)) in after.iter_mut().zip(changes) {
            *slot = Some(to);
        }
        self.f.objective_of(self.inst, &units, &after) - self.f.objective_of(self.inst, &units, &before)
    }

    /// Moves the unit at position `i` to candidate `to`.
    fn apply(&mut self, i: usize, to: usize) {
        let (inst, f) = (self.inst, self.f);
        if let Some(k) = self.choice[i] {
            self.usage.untake(inst, f, k);
            let p0 = self.provider(k);
            self.by_provider.get_mut(&p0).expect("placed").retain(|&j| j != i);
        }
        self.usage.take(inst, f, to);
        self.by_provider.entry(self.provider(to)).or_default().push(i);
        self.choice[i] = Some(to);
    }

    /// The best way to place an unplaced unit by first moving one other unit out of its way
    /// (a budget, bed, solo, conflict or admission it needs): single moves cannot place a
    /// child whose authority's budget is spent. Returns the two moves and their objective
    /// change, if it improves.
    fn make_room(&mut self, until: Option<std::time::Instant>) -> Option<RoomMove> {
        let (inst, f, comp) = (self.inst, self.f, self.comp);
        let mut best: Option<RoomMove> = None;
        let las: Vec<Vec<&str>> = comp
            .units
            .iter()
            .map(|&u| {
                f.units[u]
                    .members
                    .iter()
                    .map(|&m| inst.children[m].la.as_str())
                    .collect()
            })
            .collect();
        let unplaced: Vec<usize> = (0..self.choice.len()).filter(|&i| self.choice[i].is_none()).collect();
        for i in unplaced {
            if until.is_some_and(|t| std::time::Instant::now() >= t) {
                break;
            }
            // Units sharing an authority with this one share its budget, wherever they live.
            let same_la: Vec<bool> = las.iter().map(|l| l.iter().any(|la| las[i].contains(la))).collect();
            let tries: Vec<usize> = self
                .cost_order(i)
                .iter()
                .map(|&k| k as usize)
                .take(ROOM_CANDIDATES)
                .collect();
            for c in tries {
                let (h, p) = (f.cands[c].home, self.provider(c));
                for (j, &shares_budget) in same_la.iter().enumerate() {
                    let Some(kj) = self.choice[j] else { continue };
                    if !(shares_budget || f.cands[kj].home == h || self.provider(kj) == p) {
                        continue;
                    }
                    self.usage.untake(inst, f, kj);
                    if self.usage.fits(inst, f, c) {
                        self.usage.take(inst, f, c);
                        let homes = self.fitting(j, Some(kj));
                        self.usage.untake(inst, f, c);
                        for o in homes {
                            let d = self.delta_of(&[(i, c), (j, o)]);
                            if d < -1e-6 && best.is_none_or(|b| d < b.2 - 1e-9) {
                                best = Some(((i, c), (j, o), d));
                            }
                        }
                    }
                    self.usage.take(inst, f, kj);
                }
            }
        }
        best
    }

    /// The candidates of the unit at position `i`, cheapest own cost first (sorted once).
    fn cost_order(&mut self, i: usize) -> &[u32] {
        let f = self.f;
        let u = self.comp.units[i];
        self.by_cost.entry(i).or_insert_with(|| {
            // 32 bits: every unit's list is kept, and half the memory is worth it (candidates
            // are pair indices, far below four billion).
            let mut o: Vec<u32> = f.unit_cands[u].clone().map(|k| k as u32).collect();
            o.sort_by(|&a, &b| {
                let (a, b) = (a as usize, b as usize);
                f.cands[a].cost.total_cmp(&f.cands[b].cost).then(a.cmp(&b))
            });
            o
        })
    }

    /// The [`MOVES_PER_UNIT`] cheapest candidates of the unit at position `i`, other than
    /// `skip`, that fit what the other units use now (the caller takes the unit's own
    /// placement out of the usage first).
    fn fitting(&mut self, i: usize, skip: Option<usize>) -> Vec<usize> {
        let (inst, f) = (self.inst, self.f);
        self.cost_order(i);
        let (order, usage) = (&self.by_cost[&i], &self.usage);
        order
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| Some(c) != skip && usage.fits(inst, f, c))
            .take(MOVES_PER_UNIT)
            .collect()
    }

    /// Feasible moves of the unit at position `i` (placing it, if unplaced), the
    /// [`MOVES_PER_UNIT`] cheapest by own cost, as (candidate, objective change), smallest
    /// change first, ties by home.
    fn moves(&mut self, i: usize) -> Vec<(usize, f64)> {
        let f = self.f;
        let from = self.choice[i];
        let fits = self.lifted(i, |s| s.fitting(i, from));
        let mut moves: Vec<(usize, f64)> = fits.into_iter().map(|c| (c, self.delta(i, c))).collect();
        moves.sort_by(|a, b| a.1.total_cmp(&b.1).then(f.cands[a.0].home.cmp(&f.cands[b.0].home)));
        moves
    }

    /// The objective change of moving the unit at position `i` alone to candidate `to`, if
    /// that move keeps every side rule.
    pub fn move_change(&mut self, i: usize, to: usize) -> Option<f64> {
        let fits = Some(to) != self.choice[i] && self.lifted(i, |s| s.usage.fits(s.inst, s.f, to));
        fits.then(|| self.delta(i, to))
    }

    /// `then` with the unit at position `i` taken out of the usage (what the others use).
    fn lifted<R>(&mut self, i: usize, then: impl FnOnce(&mut Self) -> R) -> R {
        let (inst, f) = (self.inst, self.f);
        let from = self.choice[i];
        if let Some(k) = from {
            self.usage.untake(inst, f, k);
        }
        let r = then(self);
        if let Some(k) = from {
            self.usage.take(inst, f, k);
        }
        r
    }

    /// The `k` feasible moves of the placed unit at position `i` with the smallest objective
    /// change, as (candidate, change). Empty for an unplaced unit.
    pub fn best(&mut self, i: usize, k: usize) -> Vec<(usize, f64)> {
        let mut moves = self.all(i);
        moves.truncate(k);
        moves
    }

    /// Every feasible move of the placed unit at position `i`, smallest objective change
    /// first, as (candidate, change): each an upper bound on that pair's regret. Empty for an
    /// unplaced unit.
    pub fn all(&mut self, i: usize) -> Vec<(usize, f64)> {
        if self.choice[i].is_none() {
            return Vec::new();
        }
        self.moves(i)
    }

    /// Makes improving moves, unit by unit in component order (each unit its best), until a
    /// pass finds none, after `max_passes`, or once `until` has passed. A time-limited MIP
    /// answer is often not even locally optimal (regional backlog, 30 s: 171 single moves
    /// improved it). Returns the objective change (≤ 0).
    pub fn improve(&mut self, max_passes: usize, until: Option<std::time::Instant>) -> f64 {
        let late = || until.is_some_and(|t| std::time::Instant::now() >= t);
        let mut total = 0.0;
        for _ in 0..max_passes {
            let mut changed = false;
            for i in 0..self.choice.len() {
                if late() {
                    return total;
                }
                let Some(&(to, d)) = self.moves(i).first() else {
                    continue;
                };
                if d >= -1e-6 {
                    continue;
                }
                self.apply(i, to);
                total += d;
                changed = true;
            }
            if !changed {
                // Every single move is spent: place an unplaced unit by moving another first.
                let Some(((i, c), (j, o), d)) = self.make_room(until) else {
                    break;
                };
                // The other unit leaves first, so the placement finds its room.
                self.apply(j, o);
                self.apply(i, c);
                total += d;
            }
        }
        total
    }
}
