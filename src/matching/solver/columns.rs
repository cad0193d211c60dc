//! The active model: which candidate pairs are HiGHS columns now. The LP starts from each
//! unit's cheapest pairs and takes more as pricing finds them ([`ComponentSolver::activate`]);
//! each new pair brings the solo and conflict rows it defines with the pairs already active
//! at its home. A forced solve that grew the model a lot drops what it added again
//! ([`ComponentSolver::roll_back`]).

use std::collections::{HashMap, HashSet};

use highs::{ColProblem, Model, Row, Sense};

use super::ffi::{self, configure};
use super::ComponentSolver;
use crate::matching::model::{Formulation, RowIndex, RowKey};

impl ComponentSolver<'_> {
    /// Builds a HiGHS model with every current row, the non-pair columns, and (for the MIP)
    /// the active candidates as integer columns. The LP gets its candidates through
    /// [`activate`](Self::activate).
    pub(super) fn build(&self, integer: bool) -> (Model, Vec<usize>) {
        let inst = self.inst;
        let mut pb = ColProblem::default();
        let rows: Vec<Row> = self.rows.iter().map(|&(_, lo, hi)| pb.add_row(lo..=hi)).collect();
        let index = RowIndex::new(&self.rows);
        let mut col = 0;
        let mut switch_cols = Vec::new();
        // Each provider's switch enters the switch rows of its homes.
        let mut switch_rows: HashMap<usize, Vec<(Row, f64)>> = HashMap::new();
        for (i, (key, _, _)) in self.rows.iter().enumerate() {
            if let RowKey::DiscountSwitch(h) = key {
                let cap = Formulation::discount_cap(inst, *h).expect("discount row");
                switch_rows
                    .entry(inst.homes[*h].provider)
                    .or_default()
                    .push((rows[i], -cap));
            }
        }
        // The "alone" rows of each budget group, for the unplaced columns of the others.
        let mut alone: HashMap<usize, Vec<(usize, usize)>> = HashMap::new(); // budget -> (row, unit)
        for (i, (key, _, _)) in self.rows.iter().enumerate() {
            if let RowKey::BudgetAlone(b, u, _, _) = key {
                alone.entry(*b).or_default().push((i, *u));
            }
        }
        let mut in_group: HashMap<usize, usize> = HashMap::new(); // unit -> budget
        if !alone.is_empty() {
            for (b, group) in self.f.budget_groups(self.comp) {
                in_group.extend(group.into_iter().map(|u| (u, b)));
            }
        }
        for &u in &self.comp.units {
            // u_i is integral whenever the y are, so it stays continuous.
            let mut entries = vec![(rows[index.assign[&u]], 1.0)];
            if let Some(group_rows) = in_group.get(&u).and_then(|b| alone.get(b)) {
                entries.extend(group_rows.iter().filter(|e| e.1 != u).map(|&(r, _)| (rows[r], -1.0)));
            }
            pb.add_column(self.f.unplaced[u], 0.0..=1.0, entries);
            col += 1;
        }
        for (key, _, _) in &self.rows {
            match key {
                RowKey::Block(h) => {
                    let home = &inst.batch.homes[*h];
                    pb.add_column(
                        -home.weekly_price,
                        0.0..=home.block_vacancies as f64,
                        [(rows[index.block[h]], 1.0)],
                    );
                    col += 1;
                }
                RowKey::DiscountCount(p) => {
                    let d = inst.batch.providers[*p].volume_discount.as_ref().expect("discount row");
                    let mut entries = switch_rows.remove(p).unwrap_or_default();
                    entries.push((rows[index.discount_count[p]], -(d.min_placements as f64)));
                    pb.add_column_with_integrality(0.0, 0.0..=1.0, entries, integer);
                    switch_cols.push(col);
                    col += 1;
                }
                RowKey::DiscountValue(h) => {
                    let sw = index.discount_switch[h];
                    let mut entries = vec![(rows[index.discount_value[h]], 1.0), (rows[sw], 1.0)];
                    let p = inst.homes[*h].provider;
                    if let Some(&(_, r)) = index.discount_others.get(&p).and_then(|v| v.iter().find(|e| e.0 == *h)) {
                        let d = inst.batch.providers[p].volume_discount.as_ref().expect("discount row");
                        let n = d.min_placements as f64;
                        entries.push((rows[r], n - inst.batch.homes[*h].vacancies as f64));
                    }
                    pb.add_column(-1.0, 0.0.., entries);
                    col += 1;
                }
                _ => {}
            }
        }
        if integer {
            for pos in (0..self.comp.cands.len()).filter(|&p| self.col(p).is_some()) {
                let k = self.comp.cands[pos];
                let (idx, val) = self.column_entries(pos);
                let entries: Vec<(Row, f64)> = idx.iter().zip(&val).map(|(&r, &v)| (rows[r as usize], v)).collect();
                pb.add_column_with_integrality(self.f.cands[k].cost, 0.0..=1.0, entries, true);
            }
        }
        let mut m = pb.optimise(Sense::Minimise);
        configure(&mut m, &self.opts, integer, self.knapsacks);
        (m, switch_cols)
    }

    /// All entries of a candidate column: static rows plus the solo and conflict rows it is in.
    pub(super) fn column_entries(&self, pos: usize) -> (Vec<highs_sys::HighsInt>, Vec<f64>) {
        let (mut idx, mut val): (Vec<highs_sys::HighsInt>, Vec<f64>) =
            self.ent.of(pos).map(|(r, v)| (r as highs_sys::HighsInt, v)).unzip();
        if let Some(extra) = self.dyn_entries.get(&pos) {
            idx.extend(extra.iter().map(|e| e.0 as highs_sys::HighsInt));
            val.extend(extra.iter().map(|e| e.1));
        }
        (idx, val)
    }

    /// Adds candidate positions to the LP as columns, creating the solo and conflict rows
    /// their pairs define.
    pub(super) fn activate(&mut self, lp: &mut Model, positions: &[usize]) {
        // New solo and conflict rows reach HiGHS in one call at the end: HiGHS adds rows to its
        // column-wise matrix by rebuilding it, so one call per row cost the regional backlog
        // over 2 s. Rows from `first_new` on are pending until then.
        let first_new = self.rows.len();
        let mut pending: Vec<Vec<(usize, f64)>> = Vec::new();
        for &pos in positions {
            if self.col(pos).is_some() {
                continue;
            }
            let k = self.comp.cands[pos];
            let (u, h) = (self.f.cands[k].unit, self.f.cands[k].home);
            let col = lp.num_cols();
            // Existing solo rows at this home take the new column too.
            let solo_rows: Vec<(usize, usize)> = self.solo_rows_at.get(&h).cloned().unwrap_or_default();
            for (r, s) in solo_rows.into_iter().filter(|&(_, s)| s != u) {
                let coef = self.f.solo_coef(self.inst, s, u, h);
                self.dyn_entries.entry(pos).or_default().push((r, coef));
                if r >= first_new {
                    pending[r - first_new].push((col, coef));
                }
            }
            let (idx, val) = self.column_entries(pos);
            // Entries in pending rows go in with the rows.
            let (idx, val): (Vec<highs_sys::HighsInt>, Vec<f64>) = idx
                .into_iter()
                .zip(val)
                .filter(|&(r, _)| (r as usize) < first_new)
                .unzip();
            ffi::add_col(lp, self.f.cands[k].cost, &idx, &val);
            self.set_col(pos, Some(col));
            self.active_list.push(pos);
            self.added += 1;
            let others: Vec<usize> = self.active_at.get(&h).cloned().unwrap_or_default();
            // A solo child's pair defines its solo row over everyone active at the home.
            if self.f.is_solo(self.inst, u) {
                let row = self.f.solo_row(self.inst, u, h);
                let mut members = vec![(pos, self.f.solo_coef(self.inst, u, u, h))];
                for &o in &others {
                    let ou = self.f.cands[self.comp.cands[o]].unit;
                    members.push((o, self.f.solo_coef(self.inst, u, ou, h)));
                }
                self.add_row(&mut pending, row, &members);
            }
            // Conflicting pairs at the same home each get their row; so does a solo child with
            // each other child there. For a solo child that row is implied by its solo row at
            // integer points, but the solo row is a big-M and its LP lets a solo child share a
            // home fractionally; the pairwise rows close that (regret re-solves on batches with
            // solo children then rarely need the MIP).
            // Where either child alone fills the home, its capacity row already says as much,
            // LP included, so the pair's row is left out (the regional backlog's full model:
            // 58% of homes have one bed).
            let solo_u = self.f.is_solo(self.inst, u);
            let vacancies = self.inst.batch.homes[h].vacancies;
            for &o in &others {
                let ou = self.f.cands[self.comp.cands[o]].unit;
                if self.f.size(u).min(self.f.size(ou)) as i64 >= vacancies {
                    continue;
                }
                if self.f.conflicts[u].contains(&ou) || solo_u || self.f.is_solo(self.inst, ou) {
                    let row = self.f.conflict_row(u, ou, h);
                    self.add_row(&mut pending, row, &[(pos, 1.0), (o, 1.0)]);
                }
            }
            self.active_at.entry(h).or_default().push(pos);
        }
        if pending.is_empty() {
            return;
        }
        let (mut lower, mut upper) = (Vec::with_capacity(pending.len()), Vec::with_capacity(pending.len()));
        let (mut start, mut index, mut value) = (Vec::with_capacity(pending.len()), Vec::new(), Vec::new());
        for (row, entries) in self.rows[first_new..].iter().zip(&pending) {
            lower.push(row.1);
            upper.push(row.2);
            start.push(index.len() as highs_sys::HighsInt);
            index.extend(entries.iter().map(|e| e.0 as highs_sys::HighsInt));
            value.extend(entries.iter().map(|e| e.1));
        }
        ffi::add_rows(lp, &lower, &upper, &start, &index, &value);
    }

    /// Records a new solo or conflict row over active columns; [`activate`](Self::activate)
    /// passes it to HiGHS with the others it creates.
    pub(super) fn add_row(
        &mut self,
        pending: &mut Vec<Vec<(usize, f64)>>,
        row: (RowKey, f64, f64),
        members: &[(usize, f64)],
    ) {
        let r = self.rows.len();
        pending.push(
            members
                .iter()
                .map(|&(p, v)| (self.col(p).expect("active column"), v))
                .collect(),
        );
        for &(p, v) in members {
            self.dyn_entries.entry(p).or_default().push((r, v));
        }
        if let RowKey::Solo(s, h) = row.0 {
            self.solo_rows_at.entry(h).or_default().push((r, s));
        }
        self.rows.push(row);
    }

    /// One past the last HiGHS column of an active pair: the length of LP-shaped column values
    /// that cover every pair.
    pub(super) fn active_width(&self) -> usize {
        self.active_list
            .iter()
            .filter_map(|&p| self.col(p))
            .max()
            .map_or(0, |c| c + 1)
    }

    /// Drops the columns activated and the rows created since `mark` (active pairs, rows).
    pub(super) fn roll_back(&mut self, (active_len, rows_len): (usize, usize)) {
        if self.active_list.len() == active_len && self.rows.len() == rows_len {
            return;
        }
        // Rows may come back under the same numbers with other entries: price in full next.
        self.priced_at = None;
        let removed: Vec<usize> = self.active_list.drain(active_len..).collect();
        // Columns and rows are appended, so the ones to drop are the last ones.
        let first_col = removed.iter().filter_map(|&p| self.col(p)).min();
        let gone: HashSet<usize> = removed.iter().copied().collect();
        for &pos in &removed {
            self.set_col(pos, None);
            self.dyn_entries.remove(&pos);
            let h = self.f.cands[self.comp.cands[pos]].home;
            if let Some(v) = self.active_at.get_mut(&h) {
                v.retain(|p| !gone.contains(p));
            }
        }
        for v in self.dyn_entries.values_mut() {
            v.retain(|&(r, _)| r < rows_len);
        }
        for v in self.solo_rows_at.values_mut() {
            v.retain(|&(r, _)| r < rows_len);
        }
        self.rows.truncate(rows_len);
        let width = self.active_width();
        let lp = self.lp.as_mut().expect("lp present");
        if let Some(c) = first_col {
            ffi::drop_cols_from(lp, c);
        }
        ffi::drop_rows_from(lp, rows_len);
        // Cheap, and a mismatch would make every later column entry point at the wrong row.
        assert_eq!(lp.num_cols(), width, "columns after roll-back");
        assert_eq!(ffi::num_rows(lp), rows_len, "rows after roll-back");
    }
}
