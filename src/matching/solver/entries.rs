//! The part of a component's model that never changes while it is solved and explained: every
//! stored pair's cost and its entries in the static rows (assignment, capacity, admissions,
//! block beds, budgets), by column and, once asked for, by row.
//!
//! On the 300 × 3,000 side-rule batch these arrays are 20 MB, the largest part of a solver.
//! The second explaining solver ([`super::regrets`]) shares them with the first instead of
//! building its own copy (an [`Arc`], read only), so two solvers cost little more memory than
//! one.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::matching::model::{Component, Formulation, RowIndex, RowKey};
use crate::pair::instance::Instance;

/// Static entries of every candidate of a component, by position in `comp.cands` (CSR).
pub(super) struct Entries {
    /// Where each position's entries start in `row` and `coef` (one more than positions).
    pub start: Vec<u32>,
    /// The static row of each entry.
    pub row: Vec<u32>,
    /// Its coefficient, as an index into `values`: a component's coefficients are a few
    /// thousand distinct numbers (1, group sizes, homes' prices and discounts) over hundreds of
    /// thousands of entries, so half the memory of storing each.
    pub coef: Vec<u32>,
    /// The distinct coefficients, in order of first use.
    pub values: Vec<f64>,
    /// Cost of every position.
    pub cost: Vec<f64>,
    /// Positions whose pair alone breaks a weekly budget ([`Formulation::over_budget`]); empty
    /// without budgets.
    pub over_budget: Vec<bool>,
    /// The static rows, in the order of their indices.
    pub rows: Vec<(RowKey, f64, f64)>,
    /// The positions in each static row (CSR: start per row, then positions), built at the
    /// first incremental pricing that needs it ([`Self::by_row`]).
    by_row: OnceLock<(Vec<usize>, Vec<u32>)>,
}

impl Entries {
    /// No entries (a lone unit, solved in closed form): one shared value, as a national batch
    /// has thousands of lone units.
    pub fn none() -> Arc<Self> {
        static NONE: OnceLock<Arc<Entries>> = OnceLock::new();
        Arc::clone(NONE.get_or_init(|| {
            Arc::new(Entries {
                start: vec![0],
                row: Vec::new(),
                coef: Vec::new(),
                values: Vec::new(),
                cost: Vec::new(),
                over_budget: Vec::new(),
                rows: Vec::new(),
                by_row: OnceLock::new(),
            })
        }))
    }

    /// Builds a component's entries (its static rows first).
    pub fn build(inst: &Instance, f: &Formulation, comp: &Component) -> Arc<Self> {
        let rows = f.rows(inst, comp);
        let knapsacks = rows.iter().any(|r| matches!(r.0, RowKey::Budget(_)));
        let index = RowIndex::new(&rows);
        let n = comp.cands.len();
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        let (mut row, mut coef) = (Vec::with_capacity(n * 4), Vec::with_capacity(n * 4));
        let (mut values, mut value_ix): (Vec<f64>, HashMap<u64, u32>) = (Vec::new(), HashMap::new());
        let mut buf = Vec::new();
        for &k in &comp.cands {
            f.entries(inst, k, &index, &mut buf);
            for &(r, v) in &buf {
                row.push(r as u32);
                coef.push(*value_ix.entry(v.to_bits()).or_insert_with(|| {
                    values.push(v);
                    (values.len() - 1) as u32
                }));
            }
            // Four billion entries would need 50 GB before this.
            start.push(u32::try_from(row.len()).expect("a component's entries fit in 32 bits"));
        }
        row.shrink_to_fit();
        coef.shrink_to_fit();
        Arc::new(Entries {
            start,
            row,
            coef,
            values,
            cost: comp.cands.iter().map(|&k| f.cands[k].cost).collect(),
            over_budget: if knapsacks {
                comp.cands.iter().map(|&k| f.over_budget(inst, k)).collect()
            } else {
                Vec::new()
            },
            rows,
            by_row: OnceLock::new(),
        })
    }

    /// Whether position `pos`'s pair alone breaks a weekly budget.
    pub fn over_budget(&self, pos: usize) -> bool {
        self.over_budget.get(pos).copied().unwrap_or(false)
    }

    /// Position `pos`'s entries as (static row, coefficient).
    pub fn of(&self, pos: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        (self.start[pos] as usize..self.start[pos + 1] as usize)
            .map(|e| (self.row[e] as usize, self.values[self.coef[e] as usize]))
    }

    /// Position `pos`'s coefficient in static row `r` (0 if it is not in it).
    pub fn coef_in(&self, pos: usize, r: usize) -> f64 {
        self.of(pos).find(|e| e.0 == r).map_or(0.0, |e| e.1)
    }

    /// The positions in each static row: start per row (one more than rows), then positions.
    /// Built once, by whichever solver asks first; the same for both.
    pub fn by_row(&self) -> &(Vec<usize>, Vec<u32>) {
        self.by_row.get_or_init(|| {
            let n = self.rows.len();
            let mut start = vec![0usize; n + 1];
            for &r in &self.row {
                start[r as usize + 1] += 1;
            }
            for r in 0..n {
                start[r + 1] += start[r];
            }
            let mut fill = start.clone();
            let mut pos = vec![0u32; self.row.len()];
            for p in 0..self.start.len() - 1 {
                for e in self.start[p] as usize..self.start[p + 1] as usize {
                    let r = self.row[e] as usize;
                    pos[fill[r]] = p as u32;
                    fill[r] += 1;
                }
            }
            (start, pos)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Entries;
    use crate::matching::model::{Formulation, RowIndex};
    use crate::matching::solver::{ComponentSolver, SolveOptions};

    /// Every generated side rule on: budgets, discounts, block beds, admission limits, siblings.
    fn batches() -> impl Iterator<Item = crate::pair::instance::Instance> {
        (0..4).map(|seed| {
            let opts = crate::compare::generate::GenOptions::with_side_constraints(30, 200, seed);
            crate::pair::instance::Instance::locate(crate::compare::generate::generate(&opts), None)
        })
    }

    /// The shared arrays hold each pair's entries exactly as the formulation gives them (the
    /// table of distinct coefficients loses nothing), and the by-row index is their transpose.
    #[test]
    fn entries_by_column_and_by_row_are_the_formulations() {
        let mut checked = 0;
        for inst in batches() {
            let f = Formulation::build(&inst);
            for comp in f.components.iter().filter(|c| c.units.len() > 1) {
                let ent = Entries::build(&inst, &f, comp);
                let index = RowIndex::new(&ent.rows);
                let mut want = Vec::new();
                let mut in_row = vec![Vec::new(); ent.rows.len()];
                for (pos, &k) in comp.cands.iter().enumerate() {
                    f.entries(&inst, k, &index, &mut want);
                    let got: Vec<(usize, f64)> = ent.of(pos).collect();
                    assert_eq!(got, want, "pair {k}");
                    assert_eq!(ent.cost[pos].to_bits(), f.cands[k].cost.to_bits());
                    for &(r, v) in &want {
                        assert_eq!(ent.coef_in(pos, r).to_bits(), v.to_bits());
                        in_row[r].push(pos as u32);
                    }
                    checked += want.len();
                }
                let (start, pos) = ent.by_row();
                for (r, want) in in_row.iter().enumerate() {
                    assert_eq!(&pos[start[r]..start[r + 1]], want.as_slice(), "row {r}");
                }
                assert!(ent.values.len() < ent.coef.len(), "distinct coefficients are fewer");
            }
        }
        assert!(checked > 1_000, "{checked} entries checked");
    }

    /// A second solver sharing the first's entries solves the same LP to the same value and
    /// prices every pair the same.
    #[test]
    fn a_solver_sharing_entries_solves_as_one_building_its_own() {
        let opts = SolveOptions {
            small_units: 0,
            ..SolveOptions::default()
        };
        for inst in batches() {
            let f = Formulation::build_with(&inst, 1, &[]);
            for comp in f.components.iter().filter(|c| c.units.len() > 1) {
                let mut own = ComponentSolver::new(&inst, &f, comp, &opts, None);
                let mut beside = ComponentSolver::with_entries(&inst, &f, comp, &opts, None, Some(own.entries()));
                let (a, b) = (own.solve(None), beside.solve(None));
                let (a, b) = (a.expect("feasible"), b.expect("feasible"));
                assert_eq!(a.objective.to_bits(), b.objective.to_bits());
                assert_eq!(a.choice, b.choice);
                assert_eq!(own.reduced, beside.reduced);
            }
        }
    }
}
