//! Exact regret without re-solving, for components that are a plain assignment (single
//! children, capacities only): the model is then a min-cost flow, and forcing child `i` into
//! home `j` changes the optimum by the cheapest cycle through the arc i → j in the residual
//! graph of the optimal flow (any other cycle of the change cannot help, or the old flow was
//! not optimal). With the LP duals as node potentials every residual arc has a non-negative
//! reduced cost, so that cycle costs c̄(i, j) plus the Dijkstra distance from j back to i:
//! one Dijkstra per child prices all its homes.
//!
//! The residual graph has the units, the homes someone occupies, and a sink T:
//! - unit a → home h (a eligible at h, not there): c̄(a, h) = cost − y_a − w_h
//! - home h → unit a (a placed at h): 0
//! - unit a → T (a placed; it would be left unplaced): unplaced_a − y_a
//! - T → unit a (a unplaced; it would be placed): 0
//! - home h → T (h has a spare bed): −w_h, which is 0 at a spare home
//! - T → home h (h occupied; one of its children leaves): −w_h
//!
//! Homes nobody occupies are spare and lead only to T, at no cost, so they are not nodes: a
//! unit's cheapest way into T through any of them is folded into one arc.
//!
//! When the model stores only each unit's cheapest pairs ([`Formulation::build_with`]), an
//! unstored pair's reduced cost is at least g_a = floor_a − y_a. The search keeps an upper
//! bound θ on the answer and looks at unstored pairs only where g_a could still beat it,
//! evaluating those pairs on the fly, so the regrets stay exact.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::locate::Instance;
use crate::model::{Component, Formulation};

/// A reduced cost below −TOLERANCE is a broken certificate: the caller falls back to
/// re-solving. Anything between it and zero is solver round-off and counts as zero.
const TOLERANCE: f64 = 1e-6;

/// The residual graph of a plain component's optimum, ready for regret queries.
pub struct PathRegret<'a> {
    inst: &'a Instance,
    f: &'a Formulation,
    comp: &'a Component,
    /// Local index of each unit of the component.
    local: HashMap<usize, usize>,
    /// Home of each local unit (None = unplaced).
    at: Vec<Option<usize>>,
    /// Potential (assignment dual) per local unit.
    y: Vec<f64>,
    /// Capacity-row dual per home with a row; homes without one are spare and priced at 0.
    w: HashMap<usize, f64>,
    /// Occupied homes: node index (after the units) per home, and back.
    occupied: HashMap<usize, usize>,
    occupied_home: Vec<usize>,
    /// Whether each occupied home still has a spare bed (then it also leads into T).
    spare: Vec<bool>,
    /// Cheapest reduced cost into T over stored arcs (unplaced, or a stored pair at a home
    /// nobody occupies), per local unit.
    to_sink: Vec<f64>,
    /// The same over every pair, computed on demand for pruned units.
    to_sink_exact: RefCell<HashMap<usize, f64>>,
    /// Lower bound on any unstored pair's reduced cost, per local unit (+∞ if none).
    gap: Vec<f64>,
    /// Local units with unstored pairs, by `gap` ascending.
    pruned: Vec<usize>,
}

impl<'a> PathRegret<'a> {
    /// Builds the residual graph from the optimum `choice` (per component unit) and the LP's
    /// duals; None when they do not certify the optimum (a residual arc with a clearly
    /// negative reduced cost), so the caller must re-solve instead.
    pub fn new(
        inst: &'a Instance,
        f: &'a Formulation,
        comp: &'a Component,
        choice: &[Option<usize>],
        unit_dual: &HashMap<usize, f64>,
        home_dual: &HashMap<usize, f64>,
    ) -> Option<PathRegret<'a>> {
        let dbg = std::env::var_os("PLACEMATCH_DEBUG").is_some();
        macro_rules! fail {
            ($($t:tt)*) => {{
                if dbg {
                    eprintln!($($t)*);
                }
                return None;
            }};
        }
        let n = comp.units.len();
        let local: HashMap<usize, usize> = comp.units.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let at: Vec<Option<usize>> = choice.iter().map(|c| c.map(|k| f.cands[k].home)).collect();
        let w = |h: usize| home_dual.get(&h).copied().unwrap_or(0.0);
        // The LP bounds each pair column by 1, so a chosen pair may sit at that bound with a
        // negative reduced cost, its unit's dual off by that much; the flow's potential prices
        // the chosen option at exactly zero. Lowering a dual only raises the unit's other
        // reduced costs, and the checks below verify the whole certificate.
        let mut y = Vec::with_capacity(n);
        for (&u, c) in comp.units.iter().zip(choice) {
            if !unit_dual.contains_key(&u) {
                fail!("no dual for unit {u}");
            }
            y.push(match c {
                Some(k) => f.cands[*k].cost - w(f.cands[*k].home),
                None => f.unplaced[u],
            });
        }
        let mut occupied: HashMap<usize, usize> = HashMap::new();
        let mut occupied_home = Vec::new();
        let mut count: Vec<usize> = Vec::new();
        for h in at.iter().flatten() {
            let o = *occupied.entry(*h).or_insert_with(|| {
                occupied_home.push(*h);
                count.push(0);
                occupied_home.len() - 1
            });
            count[o] += 1;
        }
        let vacancies = |h: usize| inst.batch.homes[h].vacancies.max(0) as usize;
        let spare: Vec<bool> = occupied_home
            .iter()
            .zip(&count)
            .map(|(&h, &c)| c < vacancies(h))
            .collect();
        let ok = |r: f64| r >= -TOLERANCE;
        let mut to_sink = vec![f64::INFINITY; n];
        let mut gap = vec![f64::INFINITY; n];
        for (a, &u) in comp.units.iter().enumerate() {
            if at[a].is_some() {
                let unplaced = f.unplaced[u] - y[a];
                if !ok(unplaced) {
                    fail!("unplaced rc {unplaced}");
                }
                to_sink[a] = unplaced.max(0.0);
            }
            if f.floor[u].is_finite() {
                gap[a] = f.floor[u] - y[a];
                if !ok(gap[a]) {
                    fail!("unstored pairs of unit {u} could improve: {}", gap[a]);
                }
            }
            for k in f.unit_cands[u].clone() {
                let h = f.cands[k].home;
                let rc = f.cands[k].cost - y[a] - w(h);
                if at[a] == Some(h) {
                    continue; // zero by construction of y
                }
                if !ok(rc) {
                    fail!("pair rc {rc}");
                }
                if !occupied.contains_key(&h) {
                    if w(h).abs() > TOLERANCE {
                        fail!("empty home priced {}", w(h));
                    }
                    to_sink[a] = to_sink[a].min(rc.max(0.0));
                }
            }
        }
        for (o, &h) in occupied_home.iter().enumerate() {
            if w(h) > TOLERANCE || (spare[o] && w(h).abs() > TOLERANCE) {
                fail!("occupied home priced {} (spare {})", w(h), spare[o]);
            }
        }
        let mut pruned: Vec<usize> = (0..n).filter(|&a| gap[a].is_finite()).collect();
        pruned.sort_by(|&a, &b| gap[a].total_cmp(&gap[b]).then(a.cmp(&b)));
        Some(PathRegret {
            inst,
            f,
            comp,
            local,
            at,
            y,
            w: home_dual.clone(),
            occupied,
            occupied_home,
            spare,
            to_sink,
            to_sink_exact: RefCell::new(HashMap::new()),
            gap,
            pruned,
        })
    }

    fn w(&self, h: usize) -> f64 {
        self.w.get(&h).copied().unwrap_or(0.0)
    }

    /// Reduced cost of local unit `a` at home `h` with cost `cost`.
    fn reduced(&self, a: usize, h: usize, cost: f64) -> f64 {
        (cost - self.y[a] - self.w(h)).max(0.0)
    }

    /// Cost of local unit `a` at home `h`, stored or evaluated now.
    fn cost_at(&self, a: usize, h: usize) -> Option<f64> {
        let u = self.comp.units[a];
        match self.f.cand_at(u, h) {
            Some(k) => Some(self.f.cands[k].cost),
            None if self.gap[a].is_finite() => self.f.unit_cost_at(self.inst, u, h),
            None => None,
        }
    }

    /// Local unit `a`'s cheapest reduced cost into T over every pair (pruned units only).
    fn exact_to_sink(&self, a: usize) -> f64 {
        if let Some(&v) = self.to_sink_exact.borrow().get(&a) {
            return v;
        }
        let u = self.comp.units[a];
        let mut best = self.to_sink[a];
        for h in 0..self.inst.batch.homes.len() {
            if self.occupied.contains_key(&h) || self.f.cand_at(u, h).is_some() {
                continue;
            }
            if let Some(c) = self.f.unit_cost_at(self.inst, u, h) {
                best = best.min(self.reduced(a, h, c));
            }
        }
        self.to_sink_exact.borrow_mut().insert(a, best);
        best
    }

    /// The exact regret of the `limit` best homes for unit `u` other than its own (by regret,
    /// then home order): how much the component's optimum rises if `u` must go there with
    /// everyone else re-optimised. Returns (home, regret), regrets rounded to 1e-6 so that
    /// round-off in the duals cannot reorder exact ties.
    pub fn best(&self, u: usize, limit: usize) -> Vec<(usize, f64)> {
        self.search(u, limit, None)
    }

    /// The exact regret of forcing unit `u` into each of `homes` (those it is eligible for),
    /// in regret order.
    pub fn at_homes(&self, u: usize, homes: &[usize]) -> Vec<(usize, f64)> {
        self.search(u, homes.len(), Some(homes))
    }

    fn search(&self, u: usize, limit: usize, only: Option<&[usize]>) -> Vec<(usize, f64)> {
        let i = self.local[&u];
        let units = self.comp.units.len();
        let sink = units + self.occupied_home.len();
        let wanted = |h: usize| Some(h) != self.at[i] && only.is_none_or(|o| o.contains(&h));
        let mut found: Vec<(usize, f64)> = Vec::new();
        if limit == 0 {
            return found;
        }
        let push = |found: &mut Vec<(usize, f64)>, h: usize, regret: f64| {
            let regret = (regret * 1e6).round() / 1e6;
            if found.iter().any(|x| x.0 == h) {
                return;
            }
            found.push((h, regret));
            found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            found.truncate(limit);
        };
        // An upper bound to prune with: moving u alone to a stored home with a spare bed is a
        // feasible change (u's own bed frees up), so those homes' regrets are at most c̄ plus
        // the price of u's bed.
        let own_bed = self.at[i].map_or(0.0, |h| (-self.w(h)).max(0.0));
        let mut upper: Vec<f64> = self.f.unit_cands[u]
            .clone()
            .map(|k| self.f.cands[k].home)
            .filter(|&h| wanted(h))
            .filter(|&h| self.occupied.get(&h).is_none_or(|&o| self.spare[o]))
            .map(|h| self.reduced(i, h, self.cost_at(i, h).expect("stored")) + own_bed)
            .collect();
        upper.sort_by(f64::total_cmp);
        let theta0 = if upper.len() >= limit {
            upper[limit - 1]
        } else {
            f64::INFINITY
        };
        let theta = |found: &Vec<(usize, f64)>| {
            let kth = if found.len() >= limit {
                found[limit - 1].1
            } else {
                f64::INFINITY
            };
            kth.min(theta0) + 1e-9
        };
        let mut dist = vec![f64::INFINITY; sink + 1];
        let mut done = vec![false; sink + 1];
        let mut heap: BinaryHeap<Reverse<(Key, usize)>> = BinaryHeap::new();
        let relax =
            |heap: &mut BinaryHeap<Reverse<(Key, usize)>>, dist: &mut Vec<f64>, node: usize, d: f64, cap: f64| {
                if d < dist[node] && d <= cap {
                    dist[node] = d;
                    heap.push(Reverse((Key(d), node)));
                }
            };
        dist[i] = 0.0;
        heap.push(Reverse((Key(0.0), i)));
        while let Some(Reverse((Key(d), b))) = heap.pop() {
            if done[b] || d > dist[b] {
                continue;
            }
            // Every home still unknown is at least `d` away: nothing can beat the list now.
            let cap = theta(&found);
            if d > cap {
                break;
            }
            done[b] = true;
            if b < units {
                // Unit b: reached from its home (or from T when unplaced).
                match self.at[b] {
                    Some(h) => relax(&mut heap, &mut dist, units + self.occupied[&h], d, cap),
                    None => relax(&mut heap, &mut dist, sink, d, cap),
                }
            } else if b < sink {
                let h = self.occupied_home[b - units];
                if wanted(h) {
                    if let Some(c) = self.cost_at(i, h) {
                        push(&mut found, h, self.reduced(i, h, c) + d);
                    }
                }
                let cap = theta(&found);
                // Units that could move in here, displacing one of its children: stored pairs…
                for &k in &self.f.home_cands[h] {
                    let a = self.local[&self.f.cands[k].unit];
                    if self.at[a] != Some(h) && !done[a] {
                        relax(
                            &mut heap,
                            &mut dist,
                            a,
                            d + self.reduced(a, h, self.f.cands[k].cost),
                            cap,
                        );
                    }
                }
                // …and unstored ones, only where they could still beat the bound.
                for &a in self.pruned.iter().take_while(|&&a| d + self.gap[a] <= cap) {
                    let ua = self.comp.units[a];
                    if done[a] || self.at[a] == Some(h) || self.f.cand_at(ua, h).is_some() {
                        continue;
                    }
                    if let Some(c) = self.f.unit_cost_at(self.inst, ua, h) {
                        relax(&mut heap, &mut dist, a, d + self.reduced(a, h, c), cap);
                    }
                }
                // T: one of this home's children leaves.
                relax(&mut heap, &mut dist, sink, d + (-self.w(h)).max(0.0), cap);
            } else {
                // T: homes nobody occupies are all at distance d.
                for k in self.f.unit_cands[u].clone() {
                    let h = self.f.cands[k].home;
                    if wanted(h) && !self.occupied.contains_key(&h) {
                        push(&mut found, h, self.reduced(i, h, self.f.cands[k].cost) + d);
                    }
                }
                if d + self.gap[i] <= theta(&found) {
                    // u's unstored homes could make the list: evaluate them.
                    for h in 0..self.inst.batch.homes.len() {
                        if wanted(h) && !self.occupied.contains_key(&h) && self.f.cand_at(u, h).is_none() {
                            if let Some(c) = self.f.unit_cost_at(self.inst, u, h) {
                                push(&mut found, h, self.reduced(i, h, c) + d);
                            }
                        }
                    }
                }
                let cap = theta(&found);
                for (a, &up) in self.to_sink.iter().enumerate() {
                    if done[a] {
                        continue;
                    }
                    let up = if self.gap[a] < up && d + self.gap[a] <= cap {
                        self.exact_to_sink(a)
                    } else {
                        up
                    };
                    if up.is_finite() {
                        relax(&mut heap, &mut dist, a, d + up, cap);
                    }
                }
                for (o, &spare) in self.spare.iter().enumerate() {
                    if spare {
                        relax(&mut heap, &mut dist, units + o, d, cap);
                    }
                }
            }
        }
        found
    }
}

/// A distance with a total order, for the heap (distances are never NaN).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
