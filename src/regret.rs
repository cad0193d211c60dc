//! Exact regret without re-solving, for components that are a plain assignment (single
//! children, capacities only): the model is then a min-cost flow, and forcing child `i` into
//! home `j` changes the optimum by the cheapest cycle through the arc i → j in the residual
//! graph of the optimal flow (the rest of any new solution is made of cycles that cannot
//! help, or the old one was not optimal). With the LP duals as node potentials every residual
//! arc has a non-negative reduced cost, so that cycle is c̄(i, j) plus one Dijkstra distance
//! from j back to i: one Dijkstra per child prices every home at once.
//!
//! The residual graph: units, the homes someone occupies, and a sink T.
//! - unit a → home h (a eligible at h, not there): c̄(a, h) = cost − y_a − w_h
//! - home h → unit a (a placed at h): 0
//! - unit a → T (a placed; a would be left unplaced): unplaced_a − y_a
//! - T → unit a (a unplaced; a would be placed): 0
//! - home h → T (h has a spare bed): −w_h... which is 0 at a spare home, and
//!   T → home h (h occupied; one of its children leaves): −w_h.
//!
//! Homes nobody occupies are spare; from them the only way back is to T at no cost, so they
//! are not nodes: a unit's cheapest way into T through any spare home is folded into one arc.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::locate::Instance;
use crate::model::{Component, Formulation};

/// A reduced cost below this is taken as a broken certificate: the caller falls back to
/// re-solving. Anything between it and zero is solver round-off and counts as zero.
const TOLERANCE: f64 = 1e-6;

/// The residual graph of a plain component's optimum, ready for regret queries.
pub struct PathRegret<'a> {
    f: &'a Formulation,
    comp: &'a Component,
    /// Local index of each unit of the component.
    local: HashMap<usize, usize>,
    /// Home of each local unit (None = unplaced).
    at: Vec<Option<usize>>,
    /// Assignment-row dual per local unit.
    y: Vec<f64>,
    /// Capacity-row dual per home of the component.
    w: HashMap<usize, f64>,
    /// Occupied homes (node index = units + position) and who is there.
    occupied: HashMap<usize, usize>,
    occupied_home: Vec<usize>,
    /// Cheapest reduced cost from each local unit into T (unplaced, or any spare home).
    to_sink: Vec<f64>,
    /// Spare occupied homes (they also lead into T).
    spare: Vec<bool>,
}

impl<'a> PathRegret<'a> {
    /// Builds the residual graph from the optimum `choice` (per component unit) and its
    /// potentials; None when the potentials do not certify the optimum (a residual arc with a
    /// clearly negative reduced cost), so the caller must re-solve instead.
    pub fn new(
        inst: &Instance,
        f: &'a Formulation,
        comp: &'a Component,
        choice: &[Option<usize>],
        unit_dual: &HashMap<usize, f64>,
        home_dual: &HashMap<usize, f64>,
    ) -> Option<PathRegret<'a>> {
        let n = comp.units.len();
        let local: HashMap<usize, usize> = comp.units.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let at: Vec<Option<usize>> = choice.iter().map(|c| c.map(|k| f.cands[k].home)).collect();
        // The LP gives each pair column an upper bound of 1, so a chosen pair may sit at that
        // bound with a negative reduced cost and its unit's dual is then off by that much; the
        // flow's potential is the one that prices the chosen option at exactly zero. Lowering
        // a dual only raises the unit's other reduced costs, and the checks below verify it.
        let y: Vec<f64> = comp
            .units
            .iter()
            .zip(choice)
            .map(|(u, c)| {
                unit_dual.get(u)?;
                Some(match c {
                    Some(k) => f.cands[*k].cost - home_dual.get(&f.cands[*k].home)?,
                    None => f.unplaced[*u],
                })
            })
            .collect::<Option<_>>()?;
        let mut occupied: HashMap<usize, usize> = HashMap::new();
        let mut occupants: Vec<Vec<usize>> = Vec::new();
        let mut occupied_home = Vec::new();
        for (a, h) in at.iter().enumerate() {
            if let Some(h) = *h {
                let next = occupants.len();
                let o = *occupied.entry(h).or_insert(next);
                if o == next {
                    occupants.push(Vec::new());
                    occupied_home.push(h);
                }
                occupants[o].push(a);
            }
        }
        let w = |h: usize| home_dual.get(&h).copied();
        let vacancies = |h: usize| inst.batch.homes[h].vacancies.max(0) as usize;
        let spare: Vec<bool> = occupied_home
            .iter()
            .enumerate()
            .map(|(o, &h)| occupants[o].len() < vacancies(h))
            .collect();
        // Certificate: every residual arc's reduced cost is ≥ 0 (up to round-off).
        let ok = |r: f64| r >= -TOLERANCE;
        let dbg = std::env::var_os("PLACEMATCH_DEBUG").is_some();
        macro_rules! fail {
            ($($t:tt)*) => {{
                if dbg {
                    eprintln!($($t)*);
                }
                return None;
            }};
        }
        let mut to_sink = vec![f64::INFINITY; n];
        for (a, &u) in comp.units.iter().enumerate() {
            let unplaced = f.unplaced[u] - y[a];
            match at[a] {
                Some(_) if !ok(unplaced) => fail!("unplaced rc {unplaced}"),
                Some(_) => to_sink[a] = unplaced.max(0.0),
                None if unplaced.abs() > TOLERANCE => fail!("unplaced cs {unplaced}"), // complementary slackness
                None => {}
            }
            for k in f.unit_cands[u].clone() {
                let h = f.cands[k].home;
                let wh = w(h)?;
                let rc = f.cands[k].cost - y[a] - wh;
                if at[a] == Some(h) {
                    if rc.abs() > TOLERANCE {
                        fail!("assigned rc {rc}");
                    }
                    continue;
                }
                if !ok(rc) {
                    fail!("pair rc {rc}");
                }
                if !occupied.contains_key(&h) {
                    // A home nobody uses must be spare and priced at zero.
                    if vacancies(h) == 0 || wh.abs() > TOLERANCE {
                        fail!("empty home w {wh}");
                    }
                    to_sink[a] = to_sink[a].min(rc.max(0.0));
                }
            }
        }
        for (o, &h) in occupied_home.iter().enumerate() {
            let wh = w(h)?;
            if wh > TOLERANCE || (spare[o] && wh.abs() > TOLERANCE) {
                fail!("occupied home w {wh} spare {}", spare[o]);
            }
        }
        Some(PathRegret {
            f,
            comp,
            local,
            at,
            y,
            w: home_dual.clone(),
            occupied,
            occupied_home,
            to_sink,
            spare,
        })
    }

    fn reduced(&self, a: usize, k: usize) -> f64 {
        let c = &self.f.cands[k];
        (c.cost - self.y[a] - self.w[&c.home]).max(0.0)
    }

    /// The exact regret of the `limit` best homes for unit `u` other than where it is now (by
    /// regret, then home order): how much the component's optimum rises if `u` must go there
    /// with everyone else re-optimised. Regrets are rounded to 1e-6 so that round-off in the
    /// potentials cannot reorder exact ties.
    pub fn best(&self, u: usize, limit: usize) -> Vec<(usize, f64)> {
        let i = self.local[&u];
        let units = self.comp.units.len();
        let sink = units + self.occupied_home.len();
        let mut dist = vec![f64::INFINITY; sink + 1];
        let mut done = vec![false; sink + 1];
        let mut heap: BinaryHeap<Reverse<(Key, usize)>> = BinaryHeap::new();
        dist[i] = 0.0;
        heap.push(Reverse((Key(0.0), i)));
        // Regret of each of u's homes as it becomes known; homes nobody occupies are known once
        // T is settled (their distance is T's).
        let cands: Vec<usize> = self.f.unit_cands[u]
            .clone()
            .filter(|&k| Some(self.f.cands[k].home) != self.at[i])
            .collect();
        let mut found: Vec<(usize, f64)> = Vec::new();
        let kth = |found: &Vec<(usize, f64)>| {
            if limit > 0 && found.len() >= limit {
                found[limit - 1].1
            } else {
                f64::INFINITY
            }
        };
        let push = |found: &mut Vec<(usize, f64)>, k: usize, regret: f64| {
            let regret = (regret * 1e6).round() / 1e6;
            found.push((k, regret));
            found.sort_by(|a, b| {
                a.1.total_cmp(&b.1)
                    .then(self.f.cands[a.0].home.cmp(&self.f.cands[b.0].home))
            });
            found.truncate(limit);
        };
        let relax = |heap: &mut BinaryHeap<Reverse<(Key, usize)>>, dist: &mut Vec<f64>, node: usize, d: f64| {
            if d < dist[node] {
                dist[node] = d;
                heap.push(Reverse((Key(d), node)));
            }
        };
        while let Some(Reverse((Key(d), b))) = heap.pop() {
            if done[b] || d > dist[b] {
                continue;
            }
            // Every home still unknown is at least `d` away: nothing can beat the list now.
            if d > kth(&found) + 1e-9 {
                break;
            }
            done[b] = true;
            if b < units {
                // Unit b: reached from its home (or from T when unplaced).
                match self.at[b] {
                    Some(h) => relax(&mut heap, &mut dist, units + self.occupied[&h], d),
                    None => relax(&mut heap, &mut dist, sink, d),
                }
            } else if b < sink {
                let o = b - units;
                let h = self.occupied_home[o];
                // u's own pair into this home.
                if let Some(k) = self.f.cand_at(u, h).filter(|_| self.at[i] != Some(h)) {
                    push(&mut found, k, self.reduced(i, k) + d);
                }
                // Units that could move in (displacing someone here), and T (one child leaves).
                for &k in &self.f.home_cands[h] {
                    let a = self.local[&self.f.cands[k].unit];
                    if self.at[a] != Some(h) && !done[a] {
                        relax(&mut heap, &mut dist, a, d + self.reduced(a, k));
                    }
                }
                relax(&mut heap, &mut dist, sink, d + (-self.w[&h]).max(0.0));
            } else {
                // T: homes nobody occupies are all at distance d.
                for &k in &cands {
                    if !self.occupied.contains_key(&self.f.cands[k].home) {
                        push(&mut found, k, self.reduced(i, k) + d);
                    }
                }
                for (a, &up) in self.to_sink.iter().enumerate() {
                    if !done[a] && up.is_finite() {
                        relax(&mut heap, &mut dist, a, d + up);
                    }
                }
                for (o, &spare) in self.spare.iter().enumerate() {
                    if spare {
                        relax(&mut heap, &mut dist, units + o, d);
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
