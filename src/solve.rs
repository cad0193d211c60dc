//! Step 6, **solve**: each component of the model with HiGHS, plus the forced
//! re-solves that measure regret ("how much worse is the batch if this child goes
//! there instead?").

use std::time::Instant;

use highs::{HighsModelStatus, Model, Sense};

use crate::locate::Instance;
use crate::model::{ColumnMap, Component, Formulation};

/// Solver settings.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-clock limit for the whole batch, seconds.
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which a component counts as solved (0 = prove optimality).
    pub gap: f64,
    /// HiGHS presolve on or off.
    pub presolve: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions { time_limit: None, gap: 0.0, presolve: true }
    }
}

/// The outcome of one component solve.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Optimal when proven to the gap.
    pub optimal: bool,
    /// Objective of the solution found.
    pub objective: f64,
    /// Best proven lower bound.
    pub bound: f64,
    /// Chosen candidate per component unit (None = unplaced).
    pub choice: Vec<Option<usize>>,
}

/// A component with its HiGHS model kept for re-solves.
pub struct ComponentSolver<'a> {
    inst: &'a Instance,
    f: &'a Formulation,
    /// The component.
    pub comp: &'a Component,
    model: Option<Model>,
    map: ColumnMap,
    opts: SolveOptions,
    /// When the whole run must stop.
    deadline: Option<Instant>,
    /// Set when the component is a single unit without side rows: solved in closed form.
    trivial: bool,
}

impl<'a> ComponentSolver<'a> {
    /// Prepares a component.
    pub fn new(inst: &'a Instance, f: &'a Formulation, comp: &'a Component, opts: &SolveOptions, deadline: Option<Instant>) -> Self {
        let trivial = comp.units.len() == 1;
        let (model, map) = if trivial {
            (None, ColumnMap::default())
        } else {
            let (pb, map) = f.highs_problem(inst, comp, true);
            let mut m = pb.optimise(Sense::Minimise);
            configure(&mut m, opts);
            (Some(m), map)
        };
        ComponentSolver { inst, f, comp, model, map, opts: opts.clone(), deadline, trivial }
    }

    /// Value of placing a lone unit by candidate `k` (cost net of block beds and discount),
    /// or None when a side constraint forbids it on its own.
    fn lone_value(&self, k: usize) -> Option<f64> {
        let inst = self.inst;
        let c = &self.f.cands[k];
        let size = self.f.size(c.unit);
        let home = &inst.batch.homes[c.home];
        let provider = &inst.batch.providers[inst.homes[c.home].provider];
        if provider.max_admissions.is_some_and(|m| (size as i64) > m) {
            return None;
        }
        for &m in &self.f.units[c.unit].members {
            let la = &inst.children[m].la;
            if let Some(b) = inst.policy.budget_for(la) {
                let spend: f64 = self.f.units[c.unit].members.iter().filter(|&&x| inst.children[x].la == *la).count() as f64
                    * home.weekly_price;
                if spend > b + 1e-9 {
                    return None;
                }
            }
        }
        let mut v = c.cost - home.weekly_price * (size as i64).min(home.block_vacancies) as f64;
        if let Some(d) = &provider.volume_discount {
            if size as i64 >= d.min_placements {
                v -= size as f64 * home.weekly_price * d.percent / 100.0;
            }
        }
        Some(v)
    }

    fn solve_trivial(&self, forced: Option<usize>) -> Option<Outcome> {
        let u = self.comp.units[0];
        let mut best: (f64, Option<usize>) = (self.f.unplaced[u], None);
        let range = self.f.unit_cands[u].clone();
        if let Some(k) = forced {
            let v = self.lone_value(k)?;
            best = (v, Some(k));
        } else {
            // Candidates are in home order, so a strict `<` breaks ties by home id order.
            for k in range {
                if let Some(v) = self.lone_value(k) {
                    if v < best.0 - 1e-9 {
                        best = (v, Some(k));
                    }
                }
            }
        }
        Some(Outcome { optimal: true, objective: best.0, bound: best.0, choice: vec![best.1] })
    }

    /// Solves the component (optionally forcing one candidate in). None when forcing is infeasible.
    pub fn solve(&mut self, forced: Option<usize>) -> Option<Outcome> {
        if self.trivial {
            return self.solve_trivial(forced);
        }
        let mut model = self.model.take().expect("model present");
        if let Some(limit) = self.deadline {
            let left = limit.saturating_duration_since(Instant::now()).as_secs_f64().max(0.01);
            model.set_option("time_limit", left);
        }
        let col = forced.map(|k| self.map.cand_col[&k]);
        if let Some(c) = col {
            set_bounds(&mut model, c, 1.0, 1.0);
        }
        let solved = model.solve();
        let status = solved.status();
        let has_solution = matches!(solved.primal_solution_status(), highs::HighsSolutionStatus::Feasible);
        let result = if status == HighsModelStatus::Infeasible || !has_solution {
            None
        } else {
            let sol = solved.get_solution();
            let cols = sol.columns();
            let choice = self
                .comp
                .units
                .iter()
                .map(|&u| self.f.unit_cands[u].clone().find(|k| cols[self.map.cand_col[k]] > 0.5))
                .collect();
            let objective = solved.objective_value();
            let bound = solved.double_info_value(c"mip_dual_bound").unwrap_or(objective).min(objective);
            Some(Outcome { optimal: status == HighsModelStatus::Optimal, objective, bound, choice })
        };
        let mut model: Model = solved.into();
        if let Some(c) = col {
            set_bounds(&mut model, c, 0.0, 1.0);
        }
        self.model = Some(model);
        if forced.is_none() && result.is_none() {
            // Everyone unplaced is always feasible; reaching here means a time limit hit first.
            let objective = self.comp.units.iter().map(|&u| self.f.unplaced[u]).sum();
            return Some(Outcome { optimal: false, objective, bound: f64::NEG_INFINITY, choice: vec![None; self.comp.units.len()] });
        }
        result
    }

    /// Reduced cost of every candidate in the LP relaxation, and the LP's objective.
    /// Used only as lower bounds on regret (LP value is convex in a column's lower bound).
    pub fn lp_reduced_costs(&self) -> (f64, std::collections::HashMap<usize, f64>) {
        let mut out = std::collections::HashMap::new();
        if self.trivial {
            return (f64::NEG_INFINITY, out);
        }
        let (pb, map) = self.f.highs_problem(self.inst, self.comp, false);
        let mut m = pb.optimise(Sense::Minimise);
        configure(&mut m, &self.opts);
        let solved = m.solve();
        if solved.status() != HighsModelStatus::Optimal {
            return (f64::NEG_INFINITY, out);
        }
        let sol = solved.get_solution();
        let duals = sol.dual_columns();
        for &k in &self.comp.cands {
            out.insert(k, duals[map.cand_col[&k]]);
        }
        (solved.objective_value(), out)
    }
}

fn configure(m: &mut Model, opts: &SolveOptions) {
    m.make_quiet();
    // One thread per solver: components may run side by side on the two cores.
    m.set_option("threads", 1);
    m.set_option("mip_rel_gap", opts.gap);
    m.set_option("mip_abs_gap", 1e-6);
    m.set_option("random_seed", 0);
    if !opts.presolve {
        m.set_option("presolve", "off");
    }
}

fn set_bounds(m: &mut Model, col: usize, lo: f64, hi: f64) {
    // The safe API offers no column handle for column-built problems; this is the one FFI call.
    let status = unsafe { highs_sys::Highs_changeColBounds(m.as_mut_ptr(), col as highs_sys::HighsInt, lo, hi) };
    assert_eq!(status, highs_sys::STATUS_OK as highs_sys::HighsInt, "HiGHS rejected a bound change");
}
