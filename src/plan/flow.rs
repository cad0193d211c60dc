//! The plan's second stage for one scenario-week, solved exactly as a min-cost flow, with
//! the LP duals that give Benders optimality cuts (see [`crate::plan::planner`]).
//!
//! Network: source → group g (capacity n_g) → pool p (cost c_gp) → sink (capacity Y_p), and
//! group → sink directly through a local spot bed (capacity ℓ_g, cost c_local) or a distant
//! one (uncapacitated, cost c_distant). Costs are whole pennies, so successive shortest
//! paths (SPFA, bottleneck augmentation) finish with an integral optimum; distances to the
//! sink in the final residual network are an optimal dual solution: u_g = d(g),
//! π_p = −d(p) ≤ 0 (the value of one more bed in pool p), σ_g = min(0, c_local − u_g).

use std::collections::VecDeque;

const INF: i64 = 1 << 40;

#[derive(Debug, Clone)]
struct Arc {
    to: usize,
    rev: usize,
    cap: i64,
    cost: i64,
    fwd: bool,
}

/// A reusable network of fixed shape; capacities change per scenario-week.
#[derive(Debug, Clone)]
pub struct Network {
    g: usize,
    p: usize,
    adj: Vec<Vec<Arc>>,
    /// (group, arc index in adj[group]) of each pair, in pair order.
    pair_arcs: Vec<(usize, usize)>,
    /// Pool of each pair.
    pair_pool: Vec<usize>,
    src_arc: Vec<usize>,
    local_arc: Vec<usize>,
    pool_arc: Vec<usize>,
    c_local: Vec<i64>,
    dist: Vec<i64>,
    prev: Vec<(usize, usize)>,
    inq: Vec<bool>,
}

/// Second-stage answer of one scenario-week.
#[derive(Debug, Clone, Default)]
pub struct WeekSolution {
    /// Optimal cost, pennies.
    pub cost: i64,
    /// Children per pair (pair order of [`Network::new`]).
    pub pair_flow: Vec<i64>,
    /// Children in local spot beds per group.
    pub local: Vec<i64>,
    /// Dual of each pool's capacity, pennies per bed (≤ 0).
    pub pool_dual: Vec<i64>,
}

impl Network {
    /// `pairs`: (group, pool, cost in pennies); `local`/`distant`: per-group spot costs in pennies.
    pub fn new(groups: usize, pools: usize, pairs: &[(usize, usize, i64)], local: &[i64], distant: &[i64]) -> Network {
        let n = groups + pools + 2;
        let (s, t) = (n - 2, n - 1);
        let mut adj: Vec<Vec<Arc>> = vec![Vec::new(); n];
        let add = |adj: &mut Vec<Vec<Arc>>, a: usize, b: usize, cost: i64| -> usize {
            let (ra, rb) = (adj[b].len(), adj[a].len());
            adj[a].push(Arc {
                to: b,
                rev: ra,
                cap: 0,
                cost,
                fwd: true,
            });
            adj[b].push(Arc {
                to: a,
                rev: rb,
                cap: 0,
                cost: -cost,
                fwd: false,
            });
            rb
        };
        let src_arc = (0..groups).map(|g| add(&mut adj, s, g, 0)).collect();
        let mut pair_arcs = Vec::new();
        let mut pair_pool = Vec::new();
        for &(g, p, c) in pairs {
            pair_arcs.push((g, add(&mut adj, g, groups + p, c)));
            pair_pool.push(p);
        }
        let local_arc = (0..groups).map(|g| add(&mut adj, g, t, local[g])).collect();
        for (g, &d) in distant.iter().enumerate() {
            add(&mut adj, g, t, d);
        }
        let pool_arc = (0..pools).map(|p| add(&mut adj, groups + p, t, 0)).collect();
        Network {
            g: groups,
            p: pools,
            adj,
            pair_arcs,
            pair_pool,
            src_arc,
            local_arc,
            pool_arc,
            c_local: local.to_vec(),
            dist: vec![0; n],
            prev: vec![(0, 0); n],
            inq: vec![false; n],
        }
    }

    /// Solves for demand `n`, local availability `l` (per group) and pool capacities `y`.
    pub fn solve(&mut self, n: &[u32], l: &[u32], y: &[i64]) -> WeekSolution {
        let (groups, pools) = (self.g, self.p);
        let nn = groups + pools + 2;
        let (s, t) = (nn - 2, nn - 1);
        // Reset: every arc's flow to zero, capacities from this week.
        for arcs in self.adj.iter_mut() {
            for a in arcs.iter_mut() {
                a.cap = if a.fwd { INF } else { 0 };
            }
        }
        for g in 0..groups {
            let a = self.src_arc[g];
            self.adj[s][a].cap = n[g] as i64;
            let a = self.local_arc[g];
            self.adj[g][a].cap = l[g].min(n[g]) as i64;
        }
        for (p, &yp) in y.iter().enumerate().take(pools) {
            let a = self.pool_arc[p];
            self.adj[groups + p][a].cap = yp.max(0);
        }
        let mut cost = 0i64;
        loop {
            // SPFA from the source.
            self.dist.iter_mut().for_each(|d| *d = i64::MAX);
            self.dist[s] = 0;
            let mut q = VecDeque::new();
            q.push_back(s);
            self.inq[s] = true;
            while let Some(v) = q.pop_front() {
                self.inq[v] = false;
                let dv = self.dist[v];
                for (k, a) in self.adj[v].iter().enumerate() {
                    if a.cap > 0 && dv + a.cost < self.dist[a.to] {
                        self.dist[a.to] = dv + a.cost;
                        self.prev[a.to] = (v, k);
                        if !self.inq[a.to] {
                            self.inq[a.to] = true;
                            q.push_back(a.to);
                        }
                    }
                }
            }
            if self.dist[t] == i64::MAX {
                break;
            }
            let mut f = INF;
            let mut v = t;
            while v != s {
                let (u, k) = self.prev[v];
                f = f.min(self.adj[u][k].cap);
                v = u;
            }
            let mut v = t;
            while v != s {
                let (u, k) = self.prev[v];
                self.adj[u][k].cap -= f;
                let r = self.adj[u][k].rev;
                self.adj[v][r].cap += f;
                v = u;
            }
            cost += f * self.dist[t];
        }
        // Distances to the sink in the residual network (Bellman-Ford on reversed arcs).
        let d = &mut self.dist;
        d.iter_mut().for_each(|x| *x = i64::MAX);
        d[t] = 0;
        for _ in 0..nn {
            let mut changed = false;
            for v in 0..nn {
                if v == s {
                    continue;
                }
                for a in &self.adj[v] {
                    if a.cap > 0 && a.to != s && d[a.to] != i64::MAX && d[a.to] + a.cost < d[v] {
                        d[v] = d[a.to] + a.cost;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let pair_flow = self
            .pair_arcs
            .iter()
            .map(|&(g, a)| {
                let arc = &self.adj[g][a];
                self.adj[arc.to][arc.rev].cap
            })
            .collect();
        let local = (0..groups)
            .map(|g| {
                let arc = &self.adj[g][self.local_arc[g]];
                self.adj[arc.to][arc.rev].cap
            })
            .collect();
        // π_p = −d(p). A pool the sink cannot be reached from (no capacity, no flow) takes the
        // steepest dual-feasible value, min over its pairs of c_gp − u_g (capped at 0), so the
        // cut says how much a first bed there would save.
        let mut steep = vec![0i64; pools];
        for (k, &(g, a)) in self.pair_arcs.iter().enumerate() {
            let p = self.pair_pool[k];
            if self.dist[g] != i64::MAX {
                steep[p] = steep[p].max(self.dist[g] - self.adj[g][a].cost);
            }
        }
        let pool_dual = (0..pools)
            .map(|p| {
                let dp = self.dist[groups + p];
                if dp == i64::MAX {
                    -steep[p]
                } else {
                    -dp.max(0)
                }
            })
            .collect();
        WeekSolution {
            cost,
            pair_flow,
            local,
            pool_dual,
        }
    }

    /// The dual objective n·u + Y·π + ℓ·σ of the last solve (equals its cost at an optimum).
    pub fn dual_value(&self, n: &[u32], l: &[u32], y: &[i64], sol: &WeekSolution) -> i64 {
        let mut v = 0i64;
        for g in 0..self.g {
            let u = self.dist[g];
            v += n[g] as i64 * u;
            v += l[g].min(n[g]) as i64 * (self.c_local[g] - u).min(0);
        }
        for (yp, d) in y.iter().zip(&sol.pool_dual).take(self.p) {
            v += yp.max(&0) * d;
        }
        v
    }

    /// Group g's part of the last solve's dual objective: n_g·u_g + min(ℓ_g, n_g)·σ_g.
    pub fn group_dual(&self, g: usize, n: u32, l: u32) -> i64 {
        let u = self.dist[g];
        n as i64 * u + l.min(n) as i64 * (self.c_local[g] - u).min(0)
    }

    /// Pool of each pair.
    pub fn pair_pool(&self) -> &[usize] {
        &self.pair_pool
    }
}
