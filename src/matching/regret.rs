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
//! bound θ on the answer and looks at unstored pairs only where g_a could still beat it, so
//! the regrets stay exact. The unstored pairs into occupied homes are evaluated once, up
//! front and in parallel: the shared distances from T need nearly all of them on a large
//! batch (a 10,000-child what-if settled every node), and evaluated one home at a time,
//! under the tree's lock, they took a single core 54 s.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::matching::model::{Component, Cost, Formulation};
use crate::pair::instance::Instance;

pub use crate::matching::single_moves::SingleMoves;

/// A reduced cost below −TOLERANCE is a broken certificate: the caller falls back to
/// re-solving. Anything between it and zero is solver round-off and counts as zero.
const TOLERANCE: f64 = 1e-6;

/// The residual graph of a plain component's optimum, ready for regret queries.
pub struct PathRegret<'a> {
    inst: &'a Instance,
    f: &'a Formulation,
    comp: &'a Component,
    /// Local index of each unit of the batch (usize::MAX outside the component).
    local: Vec<usize>,
    /// Home of each local unit (None = unplaced).
    at: Vec<Option<usize>>,
    /// Potential (assignment dual) per local unit.
    y: Vec<f64>,
    /// Capacity-row dual per home (homes without a row are spare and priced at 0).
    w: Vec<f64>,
    /// Occupied homes: position per home (usize::MAX if nobody is there), and back.
    occupied: Vec<usize>,
    occupied_home: Vec<usize>,
    /// Whether each occupied home still has a spare bed (then it also leads into T).
    spare: Vec<bool>,
    /// Cheapest reduced cost into T over stored arcs (unplaced, or a stored pair at a home
    /// nobody occupies), per local unit.
    to_sink: Vec<f64>,
    /// The same over every pair, computed on demand for pruned units.
    to_sink_exact: Mutex<HashMap<usize, f64>>,
    /// Per occupied home, the stored pairs of units that could move in: (reduced cost, local
    /// unit), cheapest first, so a search stops reading at its bound.
    adj: Vec<Vec<(f64, usize)>>,
    /// Per occupied home, every unstored pair into it of a unit that could move in: (reduced
    /// cost, local unit), cheapest first.
    unstored: Vec<Vec<(f64, usize)>>,
    /// Lower bound on any unstored pair's reduced cost, per local unit (+∞ if none).
    gap: Vec<f64>,
    /// Local units with unstored pairs, by `gap` ascending.
    pruned: Vec<usize>,
    /// Work done: searches, unstored pairs evaluated, full scans of a unit's homes.
    work: [AtomicUsize; 3],
    /// Distances from T, shared by every search.
    tree: Mutex<SinkTree>,
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
        macro_rules! fail {
            ($($t:tt)*) => {{
                crate::debug!($($t)*);
                return None;
            }};
        }
        let n = comp.units.len();
        let mut local = vec![usize::MAX; f.units.len()];
        for (i, &u) in comp.units.iter().enumerate() {
            local[u] = i;
        }
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
        let mut occupied = vec![usize::MAX; inst.batch.homes.len()];
        let mut occupied_home = Vec::new();
        let mut count: Vec<usize> = Vec::new();
        for &h in at.iter().flatten() {
            if occupied[h] == usize::MAX {
                occupied[h] = occupied_home.len();
                occupied_home.push(h);
                count.push(0);
            }
            count[occupied[h]] += 1;
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
                if occupied[h] == usize::MAX {
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
        let mut adj: Vec<Vec<(f64, usize)>> = vec![Vec::new(); occupied_home.len()];
        for (o, &h) in occupied_home.iter().enumerate() {
            for &k in &f.home_cands[h] {
                let a = local[f.cands[k].unit];
                if at[a] != Some(h) {
                    adj[o].push(((f.cands[k].cost - y[a] - w(h)).max(0.0), a));
                }
            }
            adj[o].sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        }
        let mut pruned: Vec<usize> = (0..n).filter(|&a| gap[a].is_finite()).collect();
        pruned.sort_by(|&a, &b| gap[a].total_cmp(&gap[b]).then(a.cmp(&b)));
        let w_of: Vec<f64> = (0..inst.batch.homes.len()).map(w).collect();
        let unstored = unstored_arcs(inst, f, comp, &at, &y, &w_of, &occupied_home, &pruned);
        let evaluated = pruned.len() * occupied_home.len();
        Some(PathRegret {
            inst,
            f,
            comp,
            local,
            at,
            y,
            w: w_of,
            occupied,
            occupied_home,
            spare,
            to_sink,
            to_sink_exact: Mutex::new(HashMap::new()),
            unstored,
            adj,
            gap,
            pruned,
            work: [AtomicUsize::new(0), AtomicUsize::new(evaluated), AtomicUsize::new(0)],
            tree: Mutex::default(),
        })
    }

    /// Searches run, unstored pairs evaluated, and full scans of a unit's homes so far.
    pub fn work(&self) -> (usize, usize, usize) {
        let get = |i: usize| self.work[i].load(Ordering::Relaxed);
        (get(0), get(1), get(2))
    }

    fn bump(&self, i: usize) {
        self.work[i].fetch_add(1, Ordering::Relaxed);
    }

    fn w(&self, h: usize) -> f64 {
        self.w[h]
    }

    fn is_occupied(&self, h: usize) -> bool {
        self.occupied[h] != usize::MAX
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
        if let Some(&v) = self.to_sink_exact.lock().expect("no search panics").get(&a) {
            return v;
        }
        self.bump(2);
        let u = self.comp.units[a];
        let mut best = self.to_sink[a];
        for h in 0..self.inst.batch.homes.len() {
            if self.is_occupied(h) || self.f.cand_at(u, h).is_some() {
                continue;
            }
            if let Some(c) = self.f.unit_cost_at(self.inst, u, h) {
                best = best.min(self.reduced(a, h, c));
            }
        }
        self.to_sink_exact.lock().expect("no search panics").insert(a, best);
        best
    }

    /// The exact regret of the `limit` best homes for unit `u` other than its own (by regret,
    /// then home order): how much the component's optimum rises if `u` must go there with
    /// everyone else re-optimised. Returns (home, regret), regrets rounded to 1e-6 so that
    /// round-off in the duals cannot reorder exact ties.
    pub fn best(&self, u: usize, limit: usize) -> Vec<(usize, f64)> {
        self.search(&[u], limit, None).pop().expect("one unit")
    }

    /// [`best`](Self::best) for several units placed in the same home, in one search: the
    /// distance back to a child is the distance back to its home (its only way in), so the
    /// children of one home share every distance.
    pub fn best_sharing_home(&self, us: &[usize], limit: usize) -> Vec<Vec<(usize, f64)>> {
        self.search(us, limit, None)
    }

    /// The exact regret of forcing unit `u` into each of `homes` (those it is eligible for),
    /// in regret order.
    pub fn at_homes(&self, u: usize, homes: &[usize]) -> Vec<(usize, f64)> {
        self.search(&[u], homes.len(), Some(homes)).pop().expect("one unit")
    }

    /// One Dijkstra back to the units `us` (one unplaced unit, or units sharing a home).
    ///
    /// Nearly every search reaches T at once (a home with a free bed leads there for
    /// nothing), and from T the whole graph floods: a 10,000-child what-if settled ~13,000
    /// nodes per search. A shortest path that passes through T is the distance to T plus
    /// T's own distance to the node, the same for every search, so those come from the
    /// shared [`SinkTree`] in its settled order and are never expanded here; only nodes
    /// reached more cheaply without T are.
    fn search(&self, us: &[usize], limit: usize, only: Option<&[usize]>) -> Vec<Vec<(usize, f64)>> {
        self.bump(0);
        let units = self.comp.units.len();
        let sink = units + self.occupied_home.len();
        let members: Vec<usize> = us.iter().map(|&u| self.local[u]).collect();
        let home0 = self.at[members[0]];
        debug_assert!(members.iter().all(|&i| self.at[i] == home0) && (home0.is_some() || us.len() == 1));
        let wanted = |h: usize| Some(h) != home0 && only.is_none_or(|o| o.contains(&h));
        let mut found: Vec<Vec<(usize, f64)>> = vec![Vec::new(); members.len()];
        if limit == 0 {
            return found;
        }
        // An upper bound to prune with: moving a unit alone to a stored home with a spare bed
        // is a feasible change (its own bed frees up), so those homes' regrets are at most c̄
        // plus the price of its bed.
        let own_bed = home0.map_or(0.0, |h| (-self.w(h)).max(0.0));
        let theta0: Vec<f64> = members
            .iter()
            .zip(us)
            .map(|(&i, &u)| {
                let mut upper: Vec<f64> = self.f.unit_cands[u]
                    .clone()
                    .map(|k| self.f.cands[k].home)
                    .filter(|&h| wanted(h))
                    .filter(|&h| !self.is_occupied(h) || self.spare[self.occupied[h]])
                    .map(|h| self.reduced(i, h, self.cost_at(i, h).expect("stored")) + own_bed)
                    .collect();
                upper.sort_by(f64::total_cmp);
                if upper.len() >= limit {
                    upper[limit - 1]
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        // Homes each member could be listed at: once all are, its list is complete.
        let available: Vec<usize> = us
            .iter()
            .map(|&u| match only {
                Some(o) => o.iter().filter(|&&h| Some(h) != home0).count(),
                None => self.f.unit_eligible[u] - usize::from(home0.is_some()),
            })
            .collect();
        let theta = |found: &Vec<Vec<(usize, f64)>>, m: usize| {
            if found[m].len() >= available[m] {
                f64::NEG_INFINITY
            } else {
                kth(&found[m], limit).min(theta0[m]) + 1e-9
            }
        };
        // The search serves every member: it may stop only where none could still improve.
        let cap_of = |found: &Vec<Vec<(usize, f64)>>| {
            (0..members.len())
                .map(|m| theta(found, m))
                .fold(f64::NEG_INFINITY, f64::max)
        };
        // A settled occupied home: each member's regret there is its arc in plus the distance.
        // An unstored pair costs at least the unit's floor plus the bed's price, so it is
        // evaluated only where that could still make the list (with room for the rounding).
        let arrive = |found: &mut Vec<Vec<(usize, f64)>>, h: usize, d: f64| {
            let bed = (-self.w(h)).max(0.0);
            for (m, (&i, &u)) in members.iter().zip(us).enumerate() {
                let c = match self.f.cand_at(u, h) {
                    Some(k) => Some(self.f.cands[k].cost),
                    None if d + self.gap[i] + bed <= theta(found, m) + ROUNDING => self.f.unit_cost_at(self.inst, u, h),
                    None => None,
                };
                if let Some(c) = c {
                    push(&mut found[m], h, self.reduced(i, h, c) + d, limit);
                }
            }
        };
        let mut dist = vec![f64::INFINITY; sink + 1];
        let mut done = vec![false; sink + 1];
        let mut heap: BinaryHeap<Reverse<(Cost, usize)>> = BinaryHeap::new();
        let relax =
            |heap: &mut BinaryHeap<Reverse<(Cost, usize)>>, dist: &mut Vec<f64>, node: usize, d: f64, cap: f64| {
                if d < dist[node] && d <= cap {
                    dist[node] = d;
                    heap.push(Reverse((Cost(d), node)));
                }
            };
        // Start from the shared home (each member's only way in), or the unplaced unit itself.
        let start = home0.map_or(members[0], |h| units + self.occupied[h]);
        dist[start] = 0.0;
        heap.push(Reverse((Cost(0.0), start)));
        // Once T is settled at `via`: the shared tree's nodes, read in its settled order from
        // `next` on, through a local copy of the part read so far.
        let mut via: Option<f64> = None;
        let mut stream: Vec<(f64, usize)> = Vec::new();
        let mut next = 0;
        loop {
            if via.is_some() && next >= stream.len() {
                self.tree_from(next, &mut stream);
            }
            let from_tree = via.map(|t| t + stream.get(next).map_or(f64::INFINITY, |x| x.0));
            let from_heap = heap.peek().map(|Reverse((Cost(d), _))| *d);
            let (d, b) = match (from_heap, from_tree) {
                (None, None) => break,
                (Some(dh), t) if t.is_none_or(|t| dh <= t) => {
                    let Reverse((_, b)) = heap.pop().expect("peeked");
                    if b > sink {
                        // The unstored arcs into an occupied home are due.
                        let o = b - sink - 1;
                        let cap = cap_of(&found);
                        let base = dist[units + o];
                        for &(rc, a) in &self.unstored[o] {
                            if base + rc > cap {
                                break;
                            }
                            if !done[a] {
                                relax(&mut heap, &mut dist, a, base + rc, cap);
                            }
                        }
                        continue;
                    }
                    if done[b] || dh > dist[b] {
                        continue;
                    }
                    (dh, b)
                }
                (_, Some(t)) if t.is_finite() => {
                    let b = stream[next].1;
                    next += 1;
                    if done[b] {
                        continue;
                    }
                    // Through T: settled, and never expanded (the tree has done that).
                    if t > cap_of(&found) {
                        break;
                    }
                    done[b] = true;
                    dist[b] = t;
                    if (units..sink).contains(&b) && wanted(self.occupied_home[b - units]) {
                        arrive(&mut found, self.occupied_home[b - units], t);
                    }
                    continue;
                }
                _ => break,
            };
            // Every home still unknown is at least `d` away: nothing can beat the lists now.
            let cap = cap_of(&found);
            if d > cap {
                break;
            }
            done[b] = true;
            if b < units {
                // Unit b: reached from its home (or from T when unplaced).
                match self.at[b] {
                    Some(h) => relax(&mut heap, &mut dist, units + self.occupied[h], d, cap),
                    None => relax(&mut heap, &mut dist, sink, d, cap),
                }
            } else if b < sink {
                let h = self.occupied_home[b - units];
                if wanted(h) {
                    arrive(&mut found, h, d);
                }
                let cap = cap_of(&found);
                // Units that could move in here, displacing one of its children: stored pairs,
                // cheapest first…
                let o = b - units;
                for &(rc, a) in &self.adj[o] {
                    if d + rc > cap {
                        break;
                    }
                    if !done[a] {
                        relax(&mut heap, &mut dist, a, d + rc, cap);
                    }
                }
                // …and unstored ones, when the search gets as far as the least they could cost
                // (its unit's floor, plus this bed's price): by then the lists are shorter.
                let bed = (-self.w(h)).max(0.0);
                if let Some(&a) = self.pruned.first() {
                    if d + self.gap[a] + bed <= cap {
                        heap.push(Reverse((Cost(d + self.gap[a] + bed), sink + 1 + o)));
                    }
                }
                // T: one of this home's children leaves.
                relax(&mut heap, &mut dist, sink, d + bed, cap);
            } else {
                // T: homes nobody occupies are all at distance d.
                for (m, (&i, &u)) in members.iter().zip(us).enumerate() {
                    for k in self.f.unit_cands[u].clone() {
                        let h = self.f.cands[k].home;
                        if wanted(h) && !self.is_occupied(h) {
                            push(&mut found[m], h, self.reduced(i, h, self.f.cands[k].cost) + d, limit);
                        }
                    }
                    if d + self.gap[i] <= theta(&found, m) {
                        // This unit's unstored homes could make its list: evaluate them.
                        self.bump(2);
                        for h in 0..self.inst.batch.homes.len() {
                            if wanted(h) && !self.is_occupied(h) && self.f.cand_at(u, h).is_none() {
                                if let Some(c) = self.f.unit_cost_at(self.inst, u, h) {
                                    push(&mut found[m], h, self.reduced(i, h, c) + d, limit);
                                }
                            }
                        }
                    }
                }
                // Everything beyond T comes from the shared tree (its first node is T).
                via = Some(d);
                next = 1;
            }
        }
        found
    }

    /// Extends `into`, this search's copy of the shared tree's settled order, to past
    /// position `from`, settling more of the tree first if no search has got that far (nothing
    /// is added once the tree has settled every node T reaches).
    fn tree_from(&self, from: usize, into: &mut Vec<(f64, usize)>) {
        /// Nodes settled at a time: a search that reads past the settled part usually goes on.
        const CHUNK: usize = 256;
        let mut tree = self.tree.lock().expect("no search panics");
        if tree.order.len() <= from {
            self.grow(&mut tree, from + CHUNK);
        }
        let upto = tree.order.len().min(from + 4 * CHUNK);
        if into.len() < upto {
            into.extend_from_slice(&tree.order[into.len()..upto]);
        }
    }

    /// Settles the shared tree's nodes until `len` are settled or none is left: Dijkstra
    /// from T over the same arcs as [`search`](Self::search), where unstored arcs into a home
    /// and a pruned unit's exact arc from T are evaluated only once the frontier reaches the
    /// least they could cost.
    fn grow(&self, tree: &mut SinkTree, len: usize) {
        let units = self.comp.units.len();
        let sink = units + self.occupied_home.len();
        if tree.dist.is_empty() {
            tree.dist = vec![f64::INFINITY; sink + 1];
            tree.done = vec![false; sink + 1];
            tree.dist[sink] = 0.0;
            tree.heap.push(Reverse((Cost(0.0), Step::Node(sink))));
        }
        fn relax(tree: &mut SinkTree, node: usize, d: f64) {
            if d < tree.dist[node] && !tree.done[node] {
                tree.dist[node] = d;
                tree.heap.push(Reverse((Cost(d), Step::Node(node))));
            }
        }
        while tree.order.len() < len {
            let Some(Reverse((Cost(d), step))) = tree.heap.pop() else {
                break;
            };
            match step {
                Step::Node(b) => {
                    if tree.done[b] || d > tree.dist[b] {
                        continue;
                    }
                    tree.done[b] = true;
                    tree.order.push((d, b));
                    if b < units {
                        match self.at[b] {
                            Some(h) => relax(tree, units + self.occupied[h], d),
                            None => relax(tree, sink, d),
                        }
                    } else if b < sink {
                        let o = b - units;
                        for &(rc, a) in &self.adj[o] {
                            relax(tree, a, d + rc);
                        }
                        let bed = (-self.w(self.occupied_home[o])).max(0.0);
                        if let Some(&a) = self.pruned.first() {
                            tree.heap
                                .push(Reverse((Cost(d + self.gap[a] + bed), Step::Unstored(o))));
                        }
                        relax(tree, sink, d + bed);
                    } else {
                        for a in 0..units {
                            let up = self.to_sink[a];
                            if self.gap[a] < up {
                                // The exact arc costs at least the unit's floor: look when due.
                                tree.heap.push(Reverse((Cost(d + self.gap[a]), Step::ToUnit(a))));
                            } else if up.is_finite() {
                                relax(tree, a, d + up);
                            }
                        }
                        for (o, &spare) in self.spare.iter().enumerate() {
                            if spare {
                                relax(tree, units + o, d);
                            }
                        }
                    }
                }
                Step::Unstored(o) => {
                    let base = tree.dist[units + o];
                    for &(rc, a) in &self.unstored[o] {
                        relax(tree, a, base + rc);
                    }
                }
                Step::ToUnit(a) => {
                    // T is at 0, so the unit is at its exact arc.
                    let exact = self.exact_to_sink(a);
                    if exact.is_finite() {
                        relax(tree, a, exact);
                    }
                }
            }
        }
    }
}

/// Slack on a bound compared with a regret that is rounded to 1e-6 afterwards.
const ROUNDING: f64 = 1e-6;

/// The `limit`-th regret in a list, +∞ while it is shorter.
fn kth(found: &[(usize, f64)], limit: usize) -> f64 {
    if found.len() >= limit {
        found[limit - 1].1
    } else {
        f64::INFINITY
    }
}

/// Adds a home's regret to a sorted list of at most `limit` (rounded to 1e-6 so that
/// round-off in the duals cannot reorder exact ties; a home is listed once).
fn push(found: &mut Vec<(usize, f64)>, h: usize, regret: f64, limit: usize) {
    let regret = (regret * 1e6).round() / 1e6;
    if found.iter().any(|x| x.0 == h) {
        return;
    }
    found.push((h, regret));
    found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    found.truncate(limit);
}

/// Distances from T in the residual graph, settled in order as far as any search has needed
/// them, and shared by all searches.
#[derive(Default)]
struct SinkTree {
    /// Settled nodes in the order settled: (distance from T, node).
    order: Vec<(f64, usize)>,
    dist: Vec<f64>,
    done: Vec<bool>,
    heap: BinaryHeap<Reverse<(Cost, Step)>>,
}

/// What the tree's Dijkstra does next, in distance order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// Settle a node.
    Node(usize),
    /// Relax the unstored arcs into an occupied home.
    Unstored(usize),
    /// Relax a pruned unit's exact arc from T.
    ToUnit(usize),
}

/// Every unstored pair into each occupied home (by position in `occupied_home`) of a pruned
/// unit that could move in, as (reduced cost, local unit) cheapest first. Evaluated unit by
/// unit in parallel (a unit's data stays in cache across the homes), then gathered per home.
#[allow(clippy::too_many_arguments)]
fn unstored_arcs(
    inst: &Instance,
    f: &Formulation,
    comp: &Component,
    at: &[Option<usize>],
    y: &[f64],
    w: &[f64],
    occupied_home: &[usize],
    pruned: &[usize],
) -> Vec<Vec<(f64, usize)>> {
    use rayon::prelude::*;
    let mut homes: Vec<(usize, usize)> = occupied_home.iter().enumerate().map(|(o, &h)| (h, o)).collect();
    homes.sort_unstable();
    let per_unit: Vec<Vec<(usize, f64)>> = pruned
        .par_iter()
        .map(|&a| {
            let u = comp.units[a];
            let stored = &f.cands[f.unit_cands[u].clone()]; // in home order, as `homes`
            let mut s = 0;
            let mut out = Vec::new();
            for &(h, o) in &homes {
                while s < stored.len() && stored[s].home < h {
                    s += 1;
                }
                if at[a] == Some(h) || stored.get(s).is_some_and(|c| c.home == h) {
                    continue;
                }
                if let Some(c) = f.unit_cost_at(inst, u, h) {
                    out.push((o, (c - y[a] - w[h]).max(0.0)));
                }
            }
            out
        })
        .collect();
    let mut into: Vec<Vec<(f64, usize)>> = vec![Vec::new(); occupied_home.len()];
    for (&a, arcs) in pruned.iter().zip(per_unit) {
        for (o, rc) in arcs {
            into[o].push((rc, a));
        }
    }
    into.par_iter_mut()
        .for_each(|l| l.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1))));
    into
}
