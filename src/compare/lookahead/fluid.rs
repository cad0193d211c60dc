//! The fluid LP whose capacity duals are the bid prices.
//!
//! Classes k (the forecast's sample children) bring n_k = λ_k·H expected children over the
//! horizon of H days. Each class may take one of its M cheapest eligible free homes j at its
//! weekly cost c_kj (price net of a free block bed: that bed is paid for anyway), or go
//! "elsewhere" at its fallback cost F_k (the next home beyond those M, else its dearest home
//! plus a week of waiting at the unplaced cost). With a_j the beds of home j the coming
//! children can expect to find free,
//!
//! > min Σ_kj c_kj x_kj + Σ_k F_k y_k  s.t.  Σ_j x_kj + y_k = n_k (k),  Σ_k x_kj ≤ a_j (j),  x, y ≥ 0.
//!
//! The dual π_j ≥ 0 of home j's capacity row is what one bed less there would cost the coming
//! children, in the objective's weekly pounds-equivalent: the bed's bid price. It is 0 where
//! the expected children do not use up the home's beds.

use highs::{ColProblem, HighsModelStatus, Sense};

/// One class of the fluid LP: its expected children and its costs at homes.
#[derive(Debug, Clone, PartialEq)]
pub struct FluidClass {
    /// Expected children over the horizon.
    pub expected: f64,
    /// (home, weekly cost) for the class's cheapest eligible homes.
    pub homes: Vec<(usize, f64)>,
    /// Weekly cost of going elsewhere.
    pub fallback: f64,
}

/// The LP's answer: a bid price per home and the expected flow into each home by class.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FluidAnswer {
    /// Bid price per home (index as in the capacities), ≥ 0.
    pub price: Vec<f64>,
    /// Per home, the class sending the most expected children there, and how many.
    pub main_class: Vec<Option<(usize, f64)>>,
    /// Per home, every class sending expected children there, in class order.
    pub users: Vec<Vec<usize>>,
    /// Whether HiGHS proved the LP optimal (else every price is 0).
    pub optimal: bool,
}

impl FluidAnswer {
    /// The answer when no capacity binds (or no LP is solved): no bed has a price.
    pub fn nothing_binds(homes: usize) -> FluidAnswer {
        FluidAnswer {
            price: vec![0.0; homes],
            main_class: vec![None; homes],
            users: vec![Vec::new(); homes],
            optimal: true,
        }
    }
}

/// Solves the fluid LP for `capacity[j]` beds per home; an infinite capacity has no row.
pub fn solve_fluid(classes: &[FluidClass], capacity: &[f64]) -> FluidAnswer {
    let n = capacity.len();
    let mut answer = FluidAnswer {
        price: vec![0.0; n],
        main_class: vec![None; n],
        users: vec![Vec::new(); n],
        optimal: false,
    };
    // Only homes some class may use get a row, and only if their capacity is finite.
    let mut row_of: Vec<Option<usize>> = vec![None; n];
    let mut homes_used = Vec::new();
    for c in classes {
        for &(h, _) in &c.homes {
            if row_of[h].is_none() && capacity[h].is_finite() {
                row_of[h] = Some(homes_used.len());
                homes_used.push(h);
            }
        }
    }
    if homes_used.is_empty() {
        // Nothing binds: every class takes its cheapest home, and no bed has a price.
        answer.optimal = true;
        return answer;
    }
    let mut pb = ColProblem::default();
    let cap_rows: Vec<_> = homes_used
        .iter()
        .map(|&h| pb.add_row(..=capacity[h].max(0.0)))
        .collect();
    let demand_rows: Vec<_> = classes.iter().map(|c| pb.add_row(c.expected..=c.expected)).collect();
    let mut cols = Vec::new();
    for (k, c) in classes.iter().enumerate() {
        for &(h, cost) in &c.homes {
            match row_of[h] {
                Some(r) => pb.add_column(cost, 0.0.., [(cap_rows[r], 1.0), (demand_rows[k], 1.0)]),
                None => pb.add_column(cost, 0.0.., [(demand_rows[k], 1.0)]),
            }
            cols.push((k, h));
        }
        pb.add_column(c.fallback, 0.0.., [(demand_rows[k], 1.0)]);
    }
    let mut m = pb.optimise(Sense::Minimise);
    m.set_option("output_flag", false);
    m.set_option("threads", 1);
    // A transportation LP: presolve finds little in it and took a fifth of the time.
    m.set_option("presolve", "off");
    let solved = m.solve();
    if solved.status() != HighsModelStatus::Optimal {
        return answer;
    }
    let sol = solved.get_solution();
    let duals = sol.dual_rows();
    for (r, &h) in homes_used.iter().enumerate() {
        // A ≤ row of a minimisation has a dual ≤ 0: a bed more lowers the cost by −dual.
        answer.price[h] = (-duals[r]).max(0.0);
    }
    let x = sol.columns();
    let mut ci = 0;
    for (k, c) in classes.iter().enumerate() {
        for _ in &c.homes {
            let (_, h) = cols[ci];
            let flow = x[ci + k];
            if flow > 1e-9 {
                answer.users[h].push(k);
                if answer.main_class[h].is_none_or(|(_, f)| flow > f) {
                    answer.main_class[h] = Some((k, flow));
                }
            }
            ci += 1;
        }
    }
    answer.optimal = true;
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scarce_bed_is_worth_the_saving_it_brings_the_class() {
        // Two children expected; one bed at home 0 (cost 100) and plenty at home 1 (cost 400):
        // the second child goes to home 1, so a bed more at home 0 saves 300.
        let classes = vec![FluidClass {
            expected: 2.0,
            homes: vec![(0, 100.0), (1, 400.0)],
            fallback: 1000.0,
        }];
        let a = solve_fluid(&classes, &[1.0, 5.0]);
        assert!(a.optimal);
        assert!((a.price[0] - 300.0).abs() < 1e-6, "{:?}", a.price);
        assert!(a.price[1].abs() < 1e-6);
        assert_eq!(a.main_class[0].map(|x| x.0), Some(0));
        assert_eq!(a.users, vec![vec![0], vec![0]]);
    }
}
