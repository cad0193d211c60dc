//! A small branch-and-bound over the forced LP, for regret intervals under the explaining
//! budget.
//!
//! Where the unforced LP is fractional, so is nearly every forced LP, and by the same
//! integrality gap: the fractional part is a handful of columns (on the 300 × 3,000 batch
//! with siblings, conflicts, block beds and admission limits, six columns of three units
//! sharing two providers' beds), far from most forced pairs. The forced LP alone then bounds
//! the regret only to within that gap, and HiGHS's MIP closes it at 0.2–0.3 s a pair (its
//! presolve and root cuts over the whole component). Branching instead on the forced LP's own
//! fractional columns, in the LP model already warm (each child LP a few dual simplex
//! iterations and one pricing pass), usually closes it in two or three LPs.
//!
//! The search is depth first, the larger side of the most fractional pair column first (ties
//! by position, so it is deterministic). Each node's LP is solved with column generation to
//! the end, so its value bounds every solution of that node over the stored pairs; pairs not
//! stored are counted by Lasdon's bound, the node's value plus each unit's least unstored
//! reduced cost where that is negative (each unit takes exactly one choice). A node is
//! pruned at or above the incumbent or the cutoff. The proven bound at any moment is the
//! least of the incumbent, the bounds of the nodes pruned by the cutoff, and the bounds of
//! the nodes still open (each its parent's). So a search stopped by its LP limit or the
//! clock still reports a valid interval: the incumbent above (if any), that least bound below.

use highs::{HighsModelStatus, Model};

use super::ffi::{limit_time, set_bounds};
use super::{ComponentSolver, Outcome, Solved};

/// A node: the pair columns it fixes (HiGHS column, value) and its parent's bound.
struct Node {
    fixed: Vec<(usize, f64)>,
    bound: f64,
}

/// What one node's LP found.
enum NodeLp {
    /// No solution in this node.
    Infeasible,
    /// Not solved (time): the node's bound stays its parent's.
    Unsolved,
    /// Its bound (Lasdon's, valid for the full model) and column values.
    Solved { bound: f64, value: f64, cols: Vec<f64> },
}

impl ComponentSolver<'_> {
    /// Whether [`Self::branch_forced`] serves this component: one HiGHS solves (not a lone unit
    /// or the small search) without weekly budgets, whose forced LPs have their own (stronger)
    /// Lagrangian bounds and too many fractional columns to branch on cheaply.
    pub fn branches(&self) -> bool {
        !self.trivial && self.small.is_none() && !self.knapsacks
    }

    /// [`SolveOptions::branch_lps`](super::SolveOptions::branch_lps).
    pub fn branch_lps(&self) -> usize {
        self.opts.branch_lps
    }

    /// Candidate `k` forced in, solved by a branch-and-bound over the forced LP of at most
    /// `max_lps` LPs, nodes at or above `cutoff` pruned (module docs). Exact and optimal when
    /// the search ends with its incumbent at or below every pruned node's bound; otherwise
    /// the interval it proved: an answer (not optimal) with its bound, or a bound alone.
    /// Leaves the model as it found it, but for the pairs that pricing brought in (those are
    /// kept, as after a forced LP, unless they grew the model by more than a quarter).
    pub fn branch_forced(&mut self, k: usize, cutoff: f64, max_lps: usize) -> Solved {
        let pos = self.pos(k);
        if self.ent.over_budget(pos) {
            return Solved::Infeasible;
        }
        let mark = (self.active_list.len(), self.rows.len());
        let mut lp = self.lp.take().expect("lp present");
        self.activate(&mut lp, &[pos]);
        let forced_col = self.col(pos).expect("activated");
        set_bounds(&mut lp, forced_col, 1.0, 1.0);
        let mut stack = vec![Node {
            fixed: Vec::new(),
            bound: f64::NEG_INFINITY,
        }];
        let mut best: Option<(f64, Vec<Option<usize>>)> = None;
        // Least bound of a node pruned by the cutoff (not by the incumbent).
        let mut pruned = f64::INFINITY;
        let mut lps = 0usize;
        // Round-off between LP objectives: a tenth of a penny, well inside the half penny at
        // which an interval counts as exact.
        let tol = 1e-3;
        while let Some(node) = stack.pop() {
            let incumbent = best.as_ref().map_or(f64::INFINITY, |b| b.0);
            if node.bound >= incumbent - tol {
                continue;
            }
            if node.bound >= cutoff {
                pruned = pruned.min(node.bound);
                continue;
            }
            if lps >= max_lps || self.out_of_time() {
                stack.push(node);
                break;
            }
            lps += 1;
            for &(c, v) in &node.fixed {
                set_bounds(&mut lp, c, v, v);
            }
            let found;
            (lp, found) = self.node_lp(lp);
            for &(c, _) in &node.fixed {
                set_bounds(&mut lp, c, 0.0, 1.0);
            }
            let (bound, value, cols) = match found {
                NodeLp::Infeasible => continue,
                NodeLp::Unsolved => {
                    stack.push(node);
                    break;
                }
                NodeLp::Solved { bound, value, cols } => (bound.max(node.bound), value, cols),
            };
            if bound >= incumbent - tol {
                continue;
            }
            if bound >= cutoff {
                pruned = pruned.min(bound);
                continue;
            }
            // The most fractional pair column (ties by position); none means integral.
            let frac = self
                .active_list
                .iter()
                .map(|&p| self.col(p).expect("active"))
                .filter(|&c| (cols[c] - cols[c].round()).abs() > 1e-9)
                .min_by(|&a, &b| (cols[a] - 0.5).abs().total_cmp(&(cols[b] - 0.5).abs()).then(a.cmp(&b)));
            match frac {
                None if self.integer_values_integral(&cols) => {
                    // Feasible with the pair forced in: an answer. Its value is its LP's (the
                    // node's bound counts unstored pairs too, so it may lie below).
                    if value < incumbent {
                        best = Some((value, self.choice_lp(&cols)));
                    }
                    if bound < value - tol {
                        // Unstored pairs might beat it within this node: not proven there.
                        pruned = pruned.min(bound);
                    }
                }
                // Only discount switches fractional: not branched on, the node stays open.
                None => {
                    stack.push(Node {
                        fixed: node.fixed,
                        bound,
                    });
                    break;
                }
                Some(c) => {
                    let (mut one, mut zero) = (node.fixed.clone(), node.fixed);
                    one.push((c, 1.0));
                    zero.push((c, 0.0));
                    let up = cols[c] >= 0.5;
                    let (first, second) = if up { (one, zero) } else { (zero, one) };
                    // Depth first: the side nearer the LP's value is popped next.
                    stack.push(Node { fixed: second, bound });
                    stack.push(Node { fixed: first, bound });
                }
            }
        }
        set_bounds(&mut lp, forced_col, 0.0, 1.0);
        self.lp = Some(lp);
        if self.active_list.len() - mark.0 > mark.0 / 4 {
            self.roll_back(mark);
        }
        let open = stack.iter().map(|n| n.bound).fold(f64::INFINITY, f64::min);
        let lower = open.min(pruned);
        crate::debug!("branch {k}: {lps} LPs, open {} nodes", stack.len());
        match best {
            Some((objective, choice)) => Solved::Exact(Outcome {
                optimal: lower >= objective - tol,
                objective,
                bound: lower.min(objective),
                choice,
            }),
            None if lower.is_finite() => Solved::AtLeast(lower),
            // Every node infeasible, the search complete.
            None if stack.is_empty() => Solved::Infeasible,
            // Stopped before its first LP: nothing proven.
            None => Solved::AtLeast(f64::NEG_INFINITY),
        }
    }

    /// One node's LP with column generation to the end (or the clock).
    fn node_lp(&mut self, mut lp: Model) -> (Model, NodeLp) {
        loop {
            if let Some(t) = self.time_left() {
                limit_time(&mut lp, t);
            }
            let solved = lp.solve();
            let status = solved.status();
            let value = solved.objective_value();
            let sol = solved.get_solution();
            let (cols, row_duals) = (sol.columns().to_vec(), sol.dual_rows().to_vec());
            lp = solved.into();
            match status {
                HighsModelStatus::Optimal => {}
                HighsModelStatus::Infeasible => return (lp, NodeLp::Infeasible),
                _ => return (lp, NodeLp::Unsolved),
            }
            self.price_changed(&row_duals);
            // The reduced costs first: one contiguous array, and almost never negative.
            let improving: Vec<usize> = (0..self.comp.cands.len())
                .filter(|&p| self.reduced[p] < -1e-7 && self.col(p).is_none())
                .collect();
            if improving.is_empty() {
                // Lasdon's bound for the pairs not stored: each unit takes one choice.
                let unstored: f64 = self
                    .unstored_reduced(&row_duals, 0.0, false)
                    .into_iter()
                    .map(|g| g.min(0.0))
                    .sum();
                return (
                    lp,
                    NodeLp::Solved {
                        bound: value + unstored,
                        value,
                        cols,
                    },
                );
            }
            if self.out_of_time() {
                return (lp, NodeLp::Unsolved);
            }
            let more = self.most_improving(&improving);
            self.activate(&mut lp, &more);
        }
    }

    /// [`Self::price`], updating only the pairs in rows whose dual moved since the last
    /// pricing: a child LP of the search moves a few rows' duals, and pricing every pair
    /// again was a fifth of the explaining time on the 300 × 3,000 side-rule batch. Falls back
    /// to the full pricing when rows were added or dropped since, or a solo or conflict row's
    /// dual moved (their entries are not in the static arrays). The same sequence of LPs
    /// gives the same reduced costs, so the answer stays deterministic.
    fn price_changed(&mut self, row_duals: &[f64]) {
        let same_rows = self.priced_at.as_ref().is_some_and(|old| {
            old.len() == row_duals.len()
                && row_duals.len() == self.rows.len()
                && (self.static_rows..old.len()).all(|r| old[r] == row_duals[r])
        });
        if !same_rows {
            self.price(row_duals);
            return;
        }
        let old = self.priced_at.take().expect("checked above");
        let ent = &*self.ent;
        let (start, pos) = ent.by_row();
        for r in 0..self.static_rows {
            let d = row_duals[r] - old[r];
            if d != 0.0 {
                for &p in &pos[start[r]..start[r + 1]] {
                    let p = p as usize;
                    self.reduced[p] -= ent.coef_in(p, r) * d;
                }
            }
        }
        self.priced_at = Some(row_duals.to_vec());
    }
}
