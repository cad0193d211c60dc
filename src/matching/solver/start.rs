//! MIP starts and answers read from column values: the greedy completion of the LP's
//! integral part, the same in the MIP's column order, and a choice per unit from LP- or
//! MIP-shaped values.

use std::collections::HashMap;

use super::ComponentSolver;
use crate::matching::model::RowKey;
use crate::matching::usage::Usage;

impl ComponentSolver<'_> {
    /// A greedy completion of the LP's integral part: units left fractional take, most
    /// costly-to-leave first, their cheapest active pair that keeps every rule (capacity,
    /// solo, conflicts, admissions, budgets). Returns LP-shaped column values.
    pub(super) fn greedy_start(&self, lp_cols: &[f64]) -> Vec<f64> {
        let (inst, f) = (self.inst, self.f);
        // Columns added since the LP (widening) lie beyond `lp_cols`: size for every active one.
        let mut cols = vec![0.0; lp_cols.len().max(self.active_width())];
        let mut usage = Usage::default();
        let mut done = std::collections::HashSet::new();
        for &pos in &self.active_list {
            let c = self.col(pos).expect("active");
            if c < lp_cols.len() && lp_cols[c] > 1.0 - 1e-9 {
                let k = self.comp.cands[pos];
                usage.take(inst, f, k);
                cols[c] = 1.0;
                done.insert(f.cands[k].unit);
            }
        }
        let mut rest: Vec<usize> = self.comp.units.iter().copied().filter(|u| !done.contains(u)).collect();
        rest.sort_by(|&a, &b| f.unplaced[b].total_cmp(&f.unplaced[a]).then(a.cmp(&b)));
        for u in rest {
            let mut options: Vec<usize> = f.unit_cands[u]
                .clone()
                .filter(|k| self.col(self.pos(*k)).is_some())
                .collect();
            options.sort_by(|&a, &b| f.cands[a].cost.total_cmp(&f.cands[b].cost).then(a.cmp(&b)));
            if let Some(k) = options.into_iter().find(|&k| usage.fits(inst, f, k)) {
                usage.take(inst, f, k);
                cols[self.col(self.pos(k)).expect("active")] = 1.0;
            }
        }
        cols
    }

    /// A feasible MIP start in `build(true)`'s column order: pairs at 1 in the LP kept, units
    /// with a fractional LP value unplaced, block beds, discount switches and values implied.
    pub(super) fn mip_start(&self, lp_cols: &[f64], positions: &[usize]) -> Vec<f64> {
        let inst = self.inst;
        let y: Vec<f64> = positions
            .iter()
            .map(|&p| match self.col(p) {
                Some(c) if c < lp_cols.len() && lp_cols[c] > 1.0 - 1e-9 => 1.0,
                _ => 0.0,
            })
            .collect();
        let mut placed: HashMap<usize, f64> = HashMap::new(); // unit -> Σ y
        let mut at_home: HashMap<usize, f64> = HashMap::new(); // home -> children
        let mut at_provider: HashMap<usize, f64> = HashMap::new(); // provider -> children
        let mut discount_at: HashMap<usize, f64> = HashMap::new(); // home -> discount value
        for (i, &p) in positions.iter().enumerate() {
            if y[i] > 0.5 {
                let c = &self.f.cands[self.comp.cands[p]];
                let size = self.f.size(c.unit) as f64;
                *placed.entry(c.unit).or_default() += 1.0;
                *at_home.entry(c.home).or_default() += size;
                let prov = inst.homes[c.home].provider;
                let pct = inst.batch.providers[prov]
                    .volume_discount
                    .as_ref()
                    .map_or(0.0, |d| d.percent);
                *at_provider.entry(prov).or_default() += size;
                *discount_at.entry(c.home).or_default() += size * inst.batch.homes[c.home].weekly_price * pct / 100.0;
            }
        }
        let on = |p: usize| {
            let d = inst.batch.providers[p].volume_discount.as_ref().expect("discount row");
            at_provider.get(&p).copied().unwrap_or(0.0) >= d.min_placements as f64
        };
        let mut out: Vec<f64> = self
            .comp
            .units
            .iter()
            .map(|u| 1.0 - placed.get(u).copied().unwrap_or(0.0))
            .collect();
        for (key, _, _) in &self.rows {
            match key {
                RowKey::Block(h) => out.push(
                    at_home
                        .get(h)
                        .copied()
                        .unwrap_or(0.0)
                        .min(inst.batch.homes[*h].block_vacancies as f64),
                ),
                RowKey::DiscountCount(p) => out.push(if on(*p) { 1.0 } else { 0.0 }),
                RowKey::DiscountValue(h) => out.push(if on(inst.homes[*h].provider) {
                    discount_at.get(h).copied().unwrap_or(0.0)
                } else {
                    0.0
                }),
                _ => {}
            }
        }
        out.extend(y);
        out
    }

    /// MIP column values (pairs from `offset`, over `positions`) as LP-shaped column values,
    /// the form [`mip_start`](Self::mip_start) takes.
    pub(super) fn lp_shaped(&self, values: &[f64], positions: &[usize], offset: usize) -> Vec<f64> {
        let mut cols = vec![0.0; self.active_width()];
        for (i, &p) in positions.iter().enumerate() {
            cols[self.col(p).expect("active")] = values[offset + i].round();
        }
        cols
    }

    pub(super) fn choice_mip(
        &self,
        values: &[f64],
        col_of: &HashMap<usize, usize>,
        offset: usize,
    ) -> Vec<Option<usize>> {
        self.comp
            .units
            .iter()
            .map(|&u| {
                self.f.unit_cands[u]
                    .clone()
                    .find(|k| col_of.get(&self.pos(*k)).is_some_and(|&i| values[offset + i] > 0.5))
            })
            .collect()
    }

    pub(super) fn choice_lp(&self, cols: &[f64]) -> Vec<Option<usize>> {
        let local: HashMap<usize, usize> = self.comp.units.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let mut choice = vec![None; self.comp.units.len()];
        for &p in &self.active_list {
            if cols[self.col(p).expect("active")] > 0.5 {
                let k = self.comp.cands[p];
                let slot = &mut choice[local[&self.f.cands[k].unit]];
                // Smallest candidate index (home order) wins, as a scan in home order would.
                if slot.is_none_or(|old| k < old) {
                    *slot = Some(k);
                }
            }
        }
        choice
    }

    pub(super) fn integer_values_integral(&self, cols: &[f64]) -> bool {
        let y = self.active_list.iter().map(|&p| self.col(p).expect("active"));
        y.chain(self.switch_cols.iter().copied())
            .all(|c| (cols[c] - cols[c].round()).abs() <= 1e-9)
    }
}
